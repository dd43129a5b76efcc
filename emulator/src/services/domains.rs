//! `scalekit.v1.domains.DomainService`: organizations' email domains.
//!
//! A domain belongs to one organization and its name is unique in the
//! environment (compared case-insensitively). An `ORGANIZATION_DOMAIN` routes
//! its users to the organization's SSO connections (see the connection
//! service's list by domain); an `ALLOWED_EMAIL_DOMAIN` only lets users of
//! that domain join. A domain created without a type is an organization
//! domain. New domains wait for DNS (TXT record) verification: their status
//! is `PENDING`. Public email providers' domains are refused.
//!
//! The emulator looks nothing up in DNS. `VerifyDomain` treats the TXT record
//! as published for every domain except those under the reserved `.invalid`
//! top-level domain (RFC 6761: it never resolves), so tests can take both
//! paths: a pending domain becomes `VERIFIED`, while an `.invalid` one stays
//! `PENDING` and the call answers `false`.

use std::sync::Arc;

use rand::distributions::{Alphanumeric, DistString as _};
use scalekit::proto::domains::*;
use tonic::{Request, Response, Status};

use crate::paging::MAX_PAGE_SIZE;
use crate::services::validate::{self, required, Identity};
use crate::services::Context;
use crate::status;
use crate::store::{now, Store};

/// The DomainService of one emulated environment.
pub(crate) struct Domains {
    pub(crate) ctx: Arc<Context>,
}

/// Domains of public email providers, which no organization can claim.
const PUBLIC_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "mail.com",
    "yandex.com",
    "zoho.com",
];

/// The `identities` oneof of a domain request (`organization_id` |
/// `external_id`) as an [`Identity`].
macro_rules! identities {
    ($oneof:expr, $module:ident) => {
        $oneof.as_ref().map(|w| match w {
            $module::Identities::OrganizationId(id) => Identity::Id(id.as_str()),
            $module::Identities::ExternalId(ext) => Identity::ExternalId(ext.as_str()),
        })
    };
}

/// A well-formed, lowercased domain name, or INVALID_ARGUMENT naming `field`.
fn domain_name(field: &str, value: &str) -> Result<String, Status> {
    let name = value.trim().trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return Err(status::invalid_argument(field, "is required"));
    }
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if name.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(status::invalid_argument(
            field,
            format!("{value:?} is not a domain name"),
        ));
    }
    if PUBLIC_DOMAINS.contains(&name.as_str()) {
        return Err(status::invalid_argument(
            field,
            format!("{name} is a public email domain and cannot belong to an organization"),
        ));
    }
    Ok(name)
}

/// A `DomainType` value: unspecified as `None`, unknown numbers rejected.
fn domain_type(value: i32) -> Result<Option<DomainType>, Status> {
    match DomainType::try_from(value) {
        Ok(DomainType::Unspecified) => Ok(None),
        Ok(known) => Ok(Some(known)),
        Err(_) => Err(status::invalid_argument(
            "domain_type",
            format!("{value} is not a domain type"),
        )),
    }
}

/// NOT_FOUND unless `connection_id` (when sent) is a connection of the
/// organization.
fn check_connection(
    store: &Store,
    organization_id: &str,
    connection_id: Option<&str>,
) -> Result<(), Status> {
    let Some(id) = connection_id else {
        return Ok(());
    };
    let id = id.trim();
    let found = store
        .connections
        .get(id)
        .is_some_and(|c| c.organization_id.as_deref() == Some(organization_id));
    if found {
        Ok(())
    } else {
        Err(status::not_found("connection", id))
    }
}

/// The organization's domain `id`: NOT_FOUND when it has no such domain.
fn owned_domain<'a>(
    store: &'a Store,
    organization_id: &str,
    id: &str,
) -> Result<&'a Domain, Status> {
    let id = required("id", id)?;
    store
        .domains
        .get(id)
        .filter(|d| d.organization_id == organization_id)
        .ok_or_else(|| status::not_found("domain", id))
}

/// The emulator's stand-in for looking up a domain's verification TXT
/// record: published, unless the domain is under the reserved `.invalid`
/// top-level domain, which never resolves.
fn txt_record_published(domain: &str) -> bool {
    !domain.ends_with(".invalid")
}

#[tonic::async_trait]
impl DomainService for Domains {
    async fn create_domain(
        &self,
        request: Request<CreateDomainRequest>,
    ) -> Result<Response<CreateDomainResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let organization_id = validate::organization_identity(
            &store,
            identities!(req.identities, create_domain_request),
            "organization_id",
        )?;
        check_connection(&store, &organization_id, req.connection_id.as_deref())?;
        let wanted = validate::present("domain", req.domain)?;
        let name = domain_name("domain.domain", &wanted.domain)?;
        let kind = domain_type(wanted.domain_type)?.unwrap_or(DomainType::OrganizationDomain);
        if let Some(taken) = store.domains.values().find(|d| d.domain == name) {
            let whose = if taken.organization_id == organization_id {
                "this organization"
            } else {
                "another organization"
            };
            return Err(status::already_exists(
                "DOMAIN_ALREADY_EXISTS",
                format!("domain {name} already belongs to {whose}"),
            ));
        }
        let created = now();
        let secret = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        let domain = Domain {
            id: store.ids.next("dom"),
            txt_record_key: format!("_scalekit-verification.{name}"),
            txt_record_secret: format!("scalekit-domain-verification={secret}"),
            domain: name,
            environment_id: store.environment_id.clone(),
            organization_id,
            verification_status: VerificationStatus::Pending as i32,
            create_time: Some(created),
            update_time: Some(created),
            domain_type: kind as i32,
            verification_method: if kind == DomainType::OrganizationDomain {
                VerificationMethod::Dns as i32
            } else {
                VerificationMethod::NotApplicable as i32
            },
        };
        store.domains.insert(domain.id.clone(), domain.clone());
        Ok(Response::new(CreateDomainResponse {
            domain: Some(domain),
        }))
    }

    async fn get_domain(
        &self,
        request: Request<GetDomainRequest>,
    ) -> Result<Response<GetDomainResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let organization_id = validate::organization_identity(
            &store,
            identities!(req.identities, get_domain_request),
            "organization_id",
        )?;
        let domain = owned_domain(&store, &organization_id, &req.id)?.clone();
        Ok(Response::new(GetDomainResponse {
            domain: Some(domain),
        }))
    }

    async fn delete_domain(
        &self,
        request: Request<DeleteDomainRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let organization_id = validate::organization_identity(
            &store,
            identities!(req.identities, delete_domain_request),
            "organization_id",
        )?;
        check_connection(&store, &organization_id, req.connection_id.as_deref())?;
        let id = owned_domain(&store, &organization_id, &req.id)?.id.clone();
        store.domains.remove(&id);
        Ok(Response::new(()))
    }

    /// Nothing of a domain can change (`UpdateDomain` is empty; the name is
    /// fixed once created): checks the organization, the optional
    /// connection and the domain as the other calls do, then stamps
    /// `update_time`.
    async fn update_domain(
        &self,
        request: Request<UpdateDomainRequest>,
    ) -> Result<Response<UpdateDomainResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let organization_id = validate::organization_identity(
            &store,
            identities!(req.identities, update_domain_request),
            "organization_id",
        )?;
        check_connection(&store, &organization_id, req.connection_id.as_deref())?;
        let id = owned_domain(&store, &organization_id, &req.id)?.id.clone();
        let domain = store
            .domains
            .get_mut(&id)
            .ok_or_else(|| status::not_found("domain", &id))?;
        domain.update_time = Some(now());
        Ok(Response::new(UpdateDomainResponse {
            domain: Some(domain.clone()),
        }))
    }

    /// `true` once the domain is verified: at once for `VERIFIED` and
    /// `AUTO_VERIFIED` domains; a `PENDING` (or `FAILED`) one is checked
    /// against the emulator's stand-in for DNS (see the module docs).
    async fn verify_domain(
        &self,
        request: Request<VerifyDomainRequest>,
    ) -> Result<Response<VerifyDomainResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let organization_id = validate::organization_identity(
            &store,
            identities!(req.identities, verify_domain_request),
            "organization_id",
        )?;
        let id = owned_domain(&store, &organization_id, &req.id)?.id.clone();
        let domain = store
            .domains
            .get_mut(&id)
            .ok_or_else(|| status::not_found("domain", &id))?;
        let verified = [
            VerificationStatus::Verified as i32,
            VerificationStatus::AutoVerified as i32,
        ];
        if verified.contains(&domain.verification_status) {
            return Ok(Response::new(VerifyDomainResponse { verified: true }));
        }
        if !txt_record_published(&domain.domain) {
            return Ok(Response::new(VerifyDomainResponse { verified: false }));
        }
        domain.verification_status = VerificationStatus::Verified as i32;
        domain.update_time = Some(now());
        Ok(Response::new(VerifyDomainResponse { verified: true }))
    }

    /// Whole list unless `page_size` is sent; `page_number` counts from 1
    /// (0 or unset: the first page).
    async fn list_domains(
        &self,
        request: Request<ListDomainRequest>,
    ) -> Result<Response<ListDomainResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let organization_id = validate::organization_identity(
            &store,
            identities!(req.identities, list_domain_request),
            "organization_id",
        )?;
        check_connection(&store, &organization_id, req.connection_id.as_deref())?;
        let only = domain_type(req.domain_type)?;
        let all: Vec<Domain> = store
            .domains
            .values()
            .filter(|d| d.organization_id == organization_id)
            .filter(|d| only.is_none_or(|t| d.domain_type == t as i32))
            .cloned()
            .collect();
        let max = i32::try_from(MAX_PAGE_SIZE).unwrap_or(i32::MAX);
        let page_size = match req.page_size {
            Some(size) if !(1..=max).contains(&size) => {
                return Err(status::invalid_argument(
                    "page_size",
                    format!("must be between 1 and {max}"),
                ))
            }
            size => size,
        };
        let page_number = match req.page_number {
            Some(n) if n < 0 => {
                return Err(status::invalid_argument(
                    "page_number",
                    "must not be negative",
                ))
            }
            n => n.unwrap_or(0).max(1),
        };
        let domains: Vec<Domain> = match page_size {
            None => all,
            Some(size) => {
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                let skip = usize::try_from(page_number - 1)
                    .unwrap_or(0)
                    .saturating_mul(size);
                all.into_iter().skip(skip).take(size).collect()
            }
        };
        Ok(Response::new(ListDomainResponse {
            page_size: page_size
                .unwrap_or_else(|| i32::try_from(domains.len()).unwrap_or(i32::MAX)),
            page_number,
            domains,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_are_lowercased_and_checked() {
        assert_eq!(domain_name("d", " Acme.COM. ").unwrap(), "acme.com");
        assert_eq!(
            domain_name("d", "eu.acme-corp.io").unwrap(),
            "eu.acme-corp.io"
        );
        for bad in [
            "",
            "acme",
            "acme..com",
            "-acme.com",
            "acme.c0m",
            "a b.com",
            "acme.com/x",
        ] {
            let err = domain_name("d", bad).unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{bad:?}");
        }
        let err = domain_name("d", "GMAIL.com").unwrap_err();
        assert!(err.message().contains("public"), "{}", err.message());
    }

    #[test]
    fn domain_types_map_unspecified_to_none_and_reject_unknown_values() {
        assert_eq!(domain_type(0).unwrap(), None);
        assert_eq!(
            domain_type(2).unwrap(),
            Some(DomainType::OrganizationDomain)
        );
        assert_eq!(
            domain_type(9).unwrap_err().code(),
            tonic::Code::InvalidArgument
        );
    }
}
