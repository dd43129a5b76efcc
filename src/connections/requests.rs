//! Request construction: the argument checks of each [`ConnectionsClient`]
//! method and the exact proto message it sends, kept apart from the calls so
//! that the unit tests can compare them with the reference SDK's requests.

#[cfg(doc)]
use super::ConnectionsClient;
use super::{CreateConnection, ListAppConnectionsOptions};
use crate::error::Result;
use crate::proto::connections::{
    CreateConnectionRequest, DeleteConnectionRequest, GetConnectionRequest,
    ListAppConnectionsRequest, ListConnectionsRequest, ToggleConnectionRequest,
};
use crate::validate;

pub(super) fn get_connection_request(
    organization_id: &str,
    connection_id: &str,
) -> Result<GetConnectionRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("connection_id", connection_id)?;
    Ok(GetConnectionRequest {
        organization_id: organization_id.to_owned(),
        id: connection_id.to_owned(),
    })
}

pub(super) fn list_connections_by_domain_request(domain: &str) -> Result<ListConnectionsRequest> {
    validate::require_id("domain", domain)?;
    Ok(ListConnectionsRequest {
        domain: Some(domain.to_owned()),
        ..Default::default()
    })
}

pub(super) fn list_connections_request(organization_id: &str) -> Result<ListConnectionsRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(ListConnectionsRequest {
        organization_id: Some(organization_id.to_owned()),
        ..Default::default()
    })
}

pub(super) fn toggle_connection_request(
    organization_id: &str,
    connection_id: &str,
) -> Result<ToggleConnectionRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("connection_id", connection_id)?;
    Ok(ToggleConnectionRequest {
        organization_id: organization_id.to_owned(),
        id: connection_id.to_owned(),
    })
}

pub(super) fn create_connection_request(
    organization_id: &str,
    connection: CreateConnection,
) -> Result<CreateConnectionRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(CreateConnectionRequest {
        organization_id: organization_id.to_owned(),
        connection: Some(connection),
    })
}

pub(super) fn delete_connection_request(
    organization_id: &str,
    connection_id: &str,
) -> Result<DeleteConnectionRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("connection_id", connection_id)?;
    Ok(DeleteConnectionRequest {
        organization_id: organization_id.to_owned(),
        id: connection_id.to_owned(),
    })
}

pub(super) fn list_app_connections_request(
    opts: &ListAppConnectionsOptions,
) -> ListAppConnectionsRequest {
    ListAppConnectionsRequest {
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
        provider: opts.provider.clone(),
        query: opts.query.clone(),
    }
}
