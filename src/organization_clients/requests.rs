//! Request construction: the argument checks of each
//! [`OrganizationClientsClient`] method and the exact proto message it
//! sends, kept apart from the calls so that the unit tests can compare them
//! with the reference SDK's requests.
//!
//! Every RPC of these clients requires the `org_` prefix on the
//! organization id and `m2morg_` on the client id (their `buf.validate`
//! rules), so both are checked here.

#[cfg(doc)]
use super::OrganizationClientsClient;
use super::{
    CreateOrganizationClientOptions, ListOrganizationClientsOptions,
    UpdateOrganizationClientOptions,
};
use crate::error::Result;
use crate::proto::clients::{
    CreateOrganizationClientRequest, CreateOrganizationClientSecretRequest,
    DeleteOrganizationClientRequest, DeleteOrganizationClientSecretRequest,
    GetOrganizationClientRequest, ListOrganizationClientsRequest, OrganizationClient,
    UpdateOrganizationClientRequest,
};
use crate::validate;

const ORGANIZATION_PREFIX: &str = "org_";
const CLIENT_PREFIX: &str = "m2morg_";

fn check_organization(organization_id: &str) -> Result<()> {
    validate::require_prefixed_id("organization_id", organization_id, ORGANIZATION_PREFIX)
}

fn check_ids(organization_id: &str, client_id: &str) -> Result<()> {
    check_organization(organization_id)?;
    validate::require_prefixed_id("client_id", client_id, CLIENT_PREFIX)
}

/// The client's fields as the RPCs take them. Always present, even empty:
/// the rules require the message, and the reference sends it.
macro_rules! client_fields {
    ($opts:expr) => {{
        let opts = $opts;
        OrganizationClient {
            name: opts.name.unwrap_or_default(),
            description: opts.description.unwrap_or_default(),
            scopes: opts.scopes,
            audience: opts.audience,
            custom_claims: opts.custom_claims,
            expiry: 0,
        }
    }};
}

pub(super) fn create_organization_client_request(
    organization_id: &str,
    opts: CreateOrganizationClientOptions,
) -> Result<CreateOrganizationClientRequest> {
    check_organization(organization_id)?;
    Ok(CreateOrganizationClientRequest {
        organization_id: organization_id.to_owned(),
        client: Some(client_fields!(opts)),
    })
}

pub(super) fn get_organization_client_request(
    organization_id: &str,
    client_id: &str,
) -> Result<GetOrganizationClientRequest> {
    check_ids(organization_id, client_id)?;
    Ok(GetOrganizationClientRequest {
        organization_id: organization_id.to_owned(),
        client_id: client_id.to_owned(),
    })
}

pub(super) fn update_organization_client_request(
    organization_id: &str,
    client_id: &str,
    opts: UpdateOrganizationClientOptions,
) -> Result<UpdateOrganizationClientRequest> {
    check_ids(organization_id, client_id)?;
    Ok(UpdateOrganizationClientRequest {
        organization_id: organization_id.to_owned(),
        client_id: client_id.to_owned(),
        client: Some(client_fields!(opts)),
    })
}

pub(super) fn delete_organization_client_request(
    organization_id: &str,
    client_id: &str,
) -> Result<DeleteOrganizationClientRequest> {
    check_ids(organization_id, client_id)?;
    Ok(DeleteOrganizationClientRequest {
        organization_id: organization_id.to_owned(),
        client_id: client_id.to_owned(),
    })
}

pub(super) fn list_organization_clients_request(
    organization_id: &str,
    opts: &ListOrganizationClientsOptions,
) -> Result<ListOrganizationClientsRequest> {
    check_organization(organization_id)?;
    Ok(ListOrganizationClientsRequest {
        organization_id: organization_id.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    })
}

pub(super) fn add_organization_client_secret_request(
    organization_id: &str,
    client_id: &str,
) -> Result<CreateOrganizationClientSecretRequest> {
    check_ids(organization_id, client_id)?;
    Ok(CreateOrganizationClientSecretRequest {
        organization_id: organization_id.to_owned(),
        client_id: client_id.to_owned(),
    })
}

pub(super) fn remove_organization_client_secret_request(
    organization_id: &str,
    client_id: &str,
    secret_id: &str,
) -> Result<DeleteOrganizationClientSecretRequest> {
    check_ids(organization_id, client_id)?;
    validate::require_id("secret_id", secret_id)?;
    Ok(DeleteOrganizationClientSecretRequest {
        organization_id: organization_id.to_owned(),
        client_id: client_id.to_owned(),
        secret_id: secret_id.to_owned(),
    })
}
