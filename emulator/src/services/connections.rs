//! `scalekit.v1.connections.ConnectionService`: organizations' enterprise
//! SSO connections.
//!
//! A connection belongs to one organization, speaks OIDC or SAML to one
//! identity provider and starts as a disabled draft; enabling and disabling
//! flip its `enabled` flag. Its domains are its organization's
//! `ORGANIZATION_DOMAIN`s, so listing by domain resolves through them.
//!
//! App connections belong to the environment, not to an organization. The
//! API lists them (`ListAppConnections`) but makes them through RPCs the
//! emulator does not have (`CreateConnection` needs an organization), so
//! tests add them with `EmulatorHandle::add_app_connection`. Other
//! environment-level connections (social, passwordless, …) are not
//! emulated.

use std::sync::Arc;

use scalekit::proto::connections::*;
use scalekit::proto::domains::{Domain, DomainType};
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_SEARCH_PAGE_SIZE};
use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::{now, Store};

/// The ConnectionService of one emulated environment.
pub(crate) struct Connections {
    pub(crate) ctx: Arc<Context>,
}

/// The organization's connection `id`: NOT_FOUND when it has no such
/// connection.
fn owned_connection_id(store: &Store, organization_id: &str, id: &str) -> Result<String, Status> {
    let id = required("id", id)?;
    store
        .connections
        .get(id)
        .filter(|c| c.organization_id.as_deref() == Some(organization_id))
        .map(|c| c.id.clone())
        .ok_or_else(|| status::not_found("connection", id))
}

/// The organization's SSO-routing domains, oldest first.
fn routing_domains<'a>(
    store: &'a Store,
    organization_id: &'a str,
) -> impl Iterator<Item = &'a Domain> + 'a {
    store.domains.values().filter(move |d| {
        d.organization_id == organization_id
            && d.domain_type == DomainType::OrganizationDomain as i32
    })
}

/// The full view of a stored connection: with its organization's domains.
fn view(store: &Store, connection: &Connection) -> Connection {
    let mut connection = connection.clone();
    connection.domains = connection
        .organization_id
        .as_deref()
        .map(|org| routing_domains(store, org).cloned().collect())
        .unwrap_or_default();
    connection
}

/// The list view of a stored connection.
fn list_view(store: &Store, connection: &Connection) -> ListConnection {
    let organization_id = connection.organization_id.clone().unwrap_or_default();
    ListConnection {
        id: connection.id.clone(),
        provider: connection.provider,
        r#type: connection.r#type,
        status: connection.status,
        enabled: connection.enabled,
        domains: routing_domains(store, &organization_id)
            .map(|d| d.domain.clone())
            .collect(),
        organization_name: store
            .organizations
            .get(&organization_id)
            .map(|o| o.display_name.clone())
            .unwrap_or_default(),
        organization_id,
        ui_button_title: connection.ui_button_title.clone(),
        provider_key: connection.provider_key.clone(),
        key_id: connection.key_id.clone().unwrap_or_default(),
        created_at: connection.create_time,
        mcp_server_url: connection.mcp_server_url.clone().unwrap_or_default(),
    }
}

/// The bounds the service sets on `ListAppConnections` filters, in
/// characters: `provider` 1 to 50, `query` 3 to 100.
const APP_PROVIDER_CHARS: (usize, usize) = (1, 50);
const APP_QUERY_CHARS: (usize, usize) = (3, 100);

/// An optional filter `field` of `min` to `max` characters, lowercased for
/// case-insensitive matching: INVALID_ARGUMENT when set but out of bounds.
fn app_filter(
    field: &str,
    value: Option<&str>,
    (min, max): (usize, usize),
) -> Result<Option<String>, Status> {
    let Some(value) = value else {
        return Ok(None);
    };
    if !(min..=max).contains(&value.chars().count()) {
        return Err(status::invalid_argument(
            field,
            format!("must be {min} to {max} characters"),
        ));
    }
    Ok(Some(value.to_lowercase()))
}

/// The names an app connection answers to, lowercased: its provider (enum
/// name), provider key and key id.
fn app_connection_names(connection: &Connection) -> [String; 3] {
    [
        ConnectionProvider::try_from(connection.provider)
            .map(|p| p.as_str_name())
            .unwrap_or_default()
            .to_lowercase(),
        connection.provider_key.to_lowercase(),
        connection
            .key_id
            .as_deref()
            .unwrap_or_default()
            .to_lowercase(),
    ]
}

/// Test setup: stores an app connection, as the dashboard would. Keeps the
/// fields of `template` that are set; `id`, `organization_id`, `domains`
/// and the timestamps are the emulator's. A blank `provider_key` becomes
/// the provider's name in lowercase, a blank `key_id` the provider key.
/// Returns the connection's id (`conn_…`).
pub(crate) fn add_app_connection(
    store: &mut Store,
    template: Connection,
) -> Result<String, Status> {
    let provider = ConnectionProvider::try_from(template.provider).map_err(|_| {
        status::invalid_argument(
            "provider",
            format!("{} is not a connection provider", template.provider),
        )
    })?;
    let provider_key = match template.provider_key.trim() {
        "" if provider == ConnectionProvider::Unspecified => {
            return Err(status::invalid_argument(
                "provider",
                "a provider or provider_key is required",
            ))
        }
        "" => provider.as_str_name().to_ascii_lowercase(),
        key => key.to_string(),
    };
    let key_id = match template.key_id.as_deref().map(str::trim) {
        None | Some("") => provider_key.clone(),
        Some(key) => key.to_string(),
    };
    if store
        .app_connections
        .values()
        .any(|c| c.key_id.as_deref() == Some(key_id.as_str()))
    {
        return Err(status::already_exists(
            "CONNECTION_EXISTS",
            format!("an app connection named {key_id} already exists"),
        ));
    }
    let created = now();
    let connection = Connection {
        id: store.ids.next("conn"),
        organization_id: None,
        domains: Vec::new(),
        create_time: Some(created),
        update_time: Some(created),
        provider_key,
        key_id: Some(key_id),
        ..template
    };
    let id = connection.id.clone();
    store.app_connections.insert(id.clone(), connection);
    Ok(id)
}

fn toggle(
    store: &mut Store,
    req: &ToggleConnectionRequest,
    enabled: bool,
) -> Result<ToggleConnectionResponse, Status> {
    let organization_id = validate::organization(store, "organization_id", &req.organization_id)?;
    let id = owned_connection_id(store, &organization_id, &req.id)?;
    let connection = store
        .connections
        .get_mut(&id)
        .ok_or_else(|| status::not_found("connection", &id))?;
    if connection.enabled != enabled {
        connection.enabled = enabled;
        connection.update_time = Some(now());
    }
    Ok(ToggleConnectionResponse {
        enabled,
        error_message: None,
    })
}

#[tonic::async_trait]
impl ConnectionService for Connections {
    async fn create_connection(
        &self,
        request: Request<CreateConnectionRequest>,
    ) -> Result<Response<CreateConnectionResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let organization_id =
            validate::organization(&store, "organization_id", &req.organization_id)?;
        let wanted = validate::present("connection", req.connection)?;
        let settings = match ConnectionType::try_from(wanted.r#type) {
            Ok(ConnectionType::Oidc) => connection::Settings::OidcConfig(Default::default()),
            Ok(ConnectionType::Saml) => connection::Settings::SamlConfig(Default::default()),
            _ => {
                return Err(status::invalid_argument(
                    "connection.type",
                    "an organization connection is OIDC or SAML",
                ))
            }
        };
        let provider = ConnectionProvider::try_from(wanted.provider).map_err(|_| {
            status::invalid_argument(
                "connection.provider",
                format!("{} is not a connection provider", wanted.provider),
            )
        })?;
        let provider_key = match wanted.provider_key.trim() {
            "" if provider == ConnectionProvider::Unspecified => {
                return Err(status::invalid_argument(
                    "connection.provider",
                    "a provider or provider_key is required",
                ))
            }
            "" => provider.as_str_name().to_ascii_lowercase(),
            key => key.to_string(),
        };
        let created = now();
        let connection = Connection {
            id: store.ids.next("conn"),
            provider: provider as i32,
            r#type: wanted.r#type,
            status: ConnectionStatus::Draft as i32,
            enabled: false,
            debug_enabled: false,
            organization_id: Some(organization_id),
            create_time: Some(created),
            update_time: Some(created),
            settings: Some(settings),
            key_id: wanted.key_id,
            provider_key,
            ..Default::default()
        };
        store
            .connections
            .insert(connection.id.clone(), connection.clone());
        Ok(Response::new(CreateConnectionResponse {
            connection: Some(view(&store, &connection)),
        }))
    }

    async fn get_connection(
        &self,
        request: Request<GetConnectionRequest>,
    ) -> Result<Response<GetConnectionResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let organization_id =
            validate::organization(&store, "organization_id", &req.organization_id)?;
        let id = owned_connection_id(&store, &organization_id, &req.id)?;
        let connection = store
            .connections
            .get(&id)
            .map(|c| view(&store, c))
            .ok_or_else(|| status::not_found("connection", &id))?;
        Ok(Response::new(GetConnectionResponse {
            connection: Some(connection),
        }))
    }

    /// By organization, by domain (the connections of the organization
    /// whose `ORGANIZATION_DOMAIN` it is), both (the intersection), or
    /// neither (every organization's connections). Creation order.
    async fn list_connections(
        &self,
        request: Request<ListConnectionsRequest>,
    ) -> Result<Response<ListConnectionsResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let organization_id = req
            .organization_id
            .as_deref()
            .map(|id| validate::organization(&store, "organization_id", id))
            .transpose()?;
        let domain_owner = match req.domain.as_deref().map(str::trim) {
            None => None,
            Some("") => return Err(status::invalid_argument("domain", "must not be empty")),
            Some(name) => Some(
                store
                    .domains
                    .values()
                    .find(|d| {
                        d.domain.eq_ignore_ascii_case(name)
                            && d.domain_type == DomainType::OrganizationDomain as i32
                    })
                    .map(|d| d.organization_id.clone()),
            ),
        };
        let connections = store
            .connections
            .values()
            .filter(|c| {
                organization_id
                    .as_deref()
                    .is_none_or(|org| c.organization_id.as_deref() == Some(org))
            })
            .filter(|c| match &domain_owner {
                None => true,
                Some(owner) => owner.is_some() && c.organization_id == *owner,
            })
            .map(|c| list_view(&store, c))
            .collect();
        Ok(Response::new(ListConnectionsResponse { connections }))
    }

    /// The environment's app connections in creation order, filtered by
    /// provider (its enum name or provider key, ignoring case) and by a
    /// free-text query over key id, provider and provider key.
    async fn list_app_connections(
        &self,
        request: Request<ListAppConnectionsRequest>,
    ) -> Result<Response<ListAppConnectionsResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let provider = app_filter("provider", req.provider.as_deref(), APP_PROVIDER_CHARS)?;
        let query = app_filter("query", req.query.as_deref(), APP_QUERY_CHARS)?;
        let matching = store
            .app_connections
            .values()
            .filter(|c| {
                let [provider_name, provider_key, key_id] = app_connection_names(c);
                provider
                    .as_deref()
                    .is_none_or(|p| p == provider_name || p == provider_key)
                    && query.as_deref().is_none_or(|q| {
                        [provider_name, provider_key, key_id]
                            .iter()
                            .any(|name| name.contains(q))
                    })
            })
            .map(|c| list_view(&store, c))
            .collect();
        let page = paginate(
            matching,
            req.page_size,
            &req.page_token,
            MAX_SEARCH_PAGE_SIZE,
        )?;
        Ok(Response::new(ListAppConnectionsResponse {
            connections: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    async fn delete_connection(
        &self,
        request: Request<DeleteConnectionRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let organization_id =
            validate::organization(&store, "organization_id", &req.organization_id)?;
        let id = owned_connection_id(&store, &organization_id, &req.id)?;
        store.connections.remove(&id);
        Ok(Response::new(()))
    }

    async fn enable_connection(
        &self,
        request: Request<ToggleConnectionRequest>,
    ) -> Result<Response<ToggleConnectionResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        toggle(&mut store, &req, true).map(Response::new)
    }

    async fn disable_connection(
        &self,
        request: Request<ToggleConnectionRequest>,
    ) -> Result<Response<ToggleConnectionResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        toggle(&mut store, &req, false).map(Response::new)
    }
}
