//! Request construction: the argument checks of each [`DomainsClient`]
//! method and the exact proto message it sends, as the reference SDK builds
//! it.

#[cfg(doc)]
use super::DomainsClient;
use super::{CreateDomainOptions, DomainType, ListDomainsOptions};
use crate::error::{Error, Result};
use crate::proto::domains::{
    create_domain_request, delete_domain_request, get_domain_request, list_domain_request,
    CreateDomain, CreateDomainRequest, DeleteDomainRequest, GetDomainRequest, ListDomainRequest,
};
use crate::validate;

/// The domain type to send: `None` for unset or `Unspecified` (the
/// reference sends only a truthy type), an error for a number that is not a
/// [`DomainType`] (the reference rejects unknown type names).
pub(super) fn resolve_domain_type(domain_type: Option<i32>) -> Result<Option<DomainType>> {
    let Some(value) = domain_type else {
        return Ok(None);
    };
    match DomainType::try_from(value) {
        Ok(DomainType::Unspecified) => Ok(None),
        Ok(known) => Ok(Some(known)),
        Err(_) => Err(Error::invalid_argument(
            "domain_type",
            format!("{value} is not a domain type; expected ALLOWED_EMAIL_DOMAIN or ORGANIZATION_DOMAIN"),
        )),
    }
}

pub(super) fn create_domain_request(
    organization_id: &str,
    name: &str,
    opts: &CreateDomainOptions,
) -> Result<CreateDomainRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_non_empty("name", name)?;
    let domain_type = resolve_domain_type(opts.domain_type)?;
    Ok(CreateDomainRequest {
        identities: Some(create_domain_request::Identities::OrganizationId(
            organization_id.to_owned(),
        )),
        connection_id: None,
        domain: Some(CreateDomain {
            domain: name.to_owned(),
            domain_type: domain_type.map_or(0, |t| t as i32),
        }),
    })
}

pub(super) fn get_domain_request(
    organization_id: &str,
    domain_id: &str,
) -> Result<GetDomainRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("domain_id", domain_id)?;
    Ok(GetDomainRequest {
        identities: Some(get_domain_request::Identities::OrganizationId(
            organization_id.to_owned(),
        )),
        id: domain_id.to_owned(),
    })
}

pub(super) fn list_domains_request(
    organization_id: &str,
    opts: &ListDomainsOptions,
) -> Result<ListDomainRequest> {
    validate::require_id("organization_id", organization_id)?;
    let domain_type = resolve_domain_type(opts.domain_type)?;
    let wire = |field: &'static str, value: Option<u32>| {
        value
            .map(|n| i32::try_from(n).map_err(|_| Error::invalid_argument(field, "is too large")))
            .transpose()
    };
    Ok(ListDomainRequest {
        identities: Some(list_domain_request::Identities::OrganizationId(
            organization_id.to_owned(),
        )),
        domain_type: domain_type.map_or(0, |t| t as i32),
        // Sent only when set, as given (0 included): the reference sends
        // neither, and the server then answers with the whole list.
        page_size: wire("page_size", opts.page_size)?,
        page_number: wire("page_number", opts.page_number)?,
        ..Default::default()
    })
}

pub(super) fn delete_domain_request(
    organization_id: &str,
    domain_id: &str,
) -> Result<DeleteDomainRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("domain_id", domain_id)?;
    Ok(DeleteDomainRequest {
        id: domain_id.to_owned(),
        identities: Some(delete_domain_request::Identities::OrganizationId(
            organization_id.to_owned(),
        )),
        connection_id: None,
    })
}
