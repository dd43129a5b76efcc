//! Enterprise SSO connections of organizations.
//!
//! [`ConnectionsClient`] wraps the organization-connection RPCs of
//! `scalekit.v1.connections.ConnectionService` with the method names of the
//! other Scalekit SDKs. A connection links an organization to its identity
//! provider over SAML or OIDC; it signs users in only while it is enabled.
//!
//! ```
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let connections = client.connections();
//!     for connection in connections.list_connections("org_123").await? {
//!         if !connection.enabled {
//!             connections.enable_connection("org_123", &connection.id).await?;
//!         }
//!     }
//!     Ok(())
//! }
//! ```

use crate::error::{Error, Result};
use crate::proto::connections::{
    ConnectionServiceClient, GetConnectionRequest, ListConnectionsRequest, ToggleConnectionRequest,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::connections::{
    Connection, ConnectionProvider, ConnectionStatus, ConnectionType, ListConnection,
    ToggleConnectionResponse,
};

/// SSO connections; obtained from
/// [`ScalekitClient::connections`](crate::ScalekitClient::connections).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let connection = client.connections().get_connection("org_123", "conn_456").await?;
///     println!("{} enabled: {}", connection.id, connection.enabled);
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct ConnectionsClient {
    stub: Stub<ConnectionServiceClient<AuthChannel>>,
}

impl ConnectionsClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        ConnectionsClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.connections.ConnectionService",
                ConnectionServiceClient::new,
            ),
        }
    }

    /// Gets one connection of an organization, with its configuration.
    ///
    /// ```
    /// use scalekit::connections::ConnectionType;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let connection = client
    ///         .connections()
    ///         .get_connection("org_123", "conn_456")
    ///         .await?;
    ///     if connection.r#type() == ConnectionType::Saml && connection.enabled {
    ///         println!("SAML sign-in is live for {:?}", connection.organization_id);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `connection_id`
    ///   is empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or a connection it does not have
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("connection")` if the response has no
    ///   connection.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub async fn get_connection(
        &self,
        organization_id: &str,
        connection_id: &str,
    ) -> Result<Connection> {
        let request = get_connection_request(organization_id, connection_id)?;
        let response = call!(self.stub, get_connection(request)).await?;
        response
            .connection
            .ok_or(Error::MalformedResponse("connection"))
    }

    /// Lists the connections that serve an email domain, across
    /// organizations: the way to route a sign-in by the user's email address.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let email = "jane@acme.com";
    ///     let domain = email.rsplit('@').next().unwrap_or_default();
    ///     let connections = client.connections().list_connections_by_domain(domain).await?;
    ///     match connections.iter().find(|c| c.enabled) {
    ///         Some(connection) => println!("sign in through {}", connection.id),
    ///         None => println!("no SSO for {domain}"),
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The list is not paginated. A domain no organization has yields an
    /// empty list, not an error.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `domain` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub async fn list_connections_by_domain(&self, domain: &str) -> Result<Vec<ListConnection>> {
        let request = list_connections_by_domain_request(domain)?;
        self.list(request).await
    }

    /// Lists every connection of an organization.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let connections = client.connections().list_connections("org_123").await?;
    ///     let live = connections.iter().filter(|c| c.enabled).count();
    ///     println!("{live} of {} connections enabled", connections.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The list is not paginated.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub async fn list_connections(&self, organization_id: &str) -> Result<Vec<ListConnection>> {
        let request = list_connections_request(organization_id)?;
        self.list(request).await
    }

    async fn list(&self, request: ListConnectionsRequest) -> Result<Vec<ListConnection>> {
        let response = call!(self.stub, list_connections(request)).await?;
        Ok(response.connections)
    }

    /// Enables a connection, so that the organization's users can sign in
    /// through it.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let toggled = client
    ///         .connections()
    ///         .enable_connection("org_123", "conn_456")
    ///         .await?;
    ///     assert!(toggled.enabled);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Enabling an enabled connection changes nothing. The response carries
    /// the new state and, when the server reports one, an error message.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `connection_id`
    ///   is empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or connection ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub async fn enable_connection(
        &self,
        organization_id: &str,
        connection_id: &str,
    ) -> Result<ToggleConnectionResponse> {
        let request = toggle_connection_request(organization_id, connection_id)?;
        call!(self.stub, enable_connection(request)).await
    }

    /// Disables a connection: its organization's users can no longer sign in
    /// through it. Sessions already started are not affected.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let toggled = client
    ///         .connections()
    ///         .disable_connection("org_123", "conn_456")
    ///         .await?;
    ///     assert!(!toggled.enabled);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Disabling a disabled connection changes nothing.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `connection_id`
    ///   is empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or connection ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub async fn disable_connection(
        &self,
        organization_id: &str,
        connection_id: &str,
    ) -> Result<ToggleConnectionResponse> {
        let request = toggle_connection_request(organization_id, connection_id)?;
        call!(self.stub, disable_connection(request)).await
    }
}

// ---------------------------------------------------------------------------
// Requests, exactly as the reference builds them
// ---------------------------------------------------------------------------

fn get_connection_request(
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

fn list_connections_by_domain_request(domain: &str) -> Result<ListConnectionsRequest> {
    validate::require_id("domain", domain)?;
    Ok(ListConnectionsRequest {
        domain: Some(domain.to_owned()),
        ..Default::default()
    })
}

fn list_connections_request(organization_id: &str) -> Result<ListConnectionsRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(ListConnectionsRequest {
        organization_id: Some(organization_id.to_owned()),
        ..Default::default()
    })
}

fn toggle_connection_request(
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

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/connection.js`) encodes for
    //! the same call, captured by running its `ConnectionClient` with a
    //! `connectExec` stub that records
    //! `toBinary(method.input, create(method.input, req))`.

    use prost::Message;

    use super::*;

    fn decode<M: Message + Default>(hex: &str) -> M {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        M::decode(bytes.as_slice()).unwrap()
    }

    fn invalid<T: std::fmt::Debug>(result: Result<T>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { field, reason }) => (field, reason),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    const REF_GET_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";
    const REF_LIST_CONNECTIONS_BY_DOMAIN: &str = "1a0861636d652e636f6d";
    const REF_LIST_CONNECTIONS: &str = "0a056f72675f31";
    const REF_ENABLE_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";
    const REF_DISABLE_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";

    // getConnection('org_1', 'conn_1')
    #[test]
    fn get_connection_request_matches_reference() {
        let request = get_connection_request("org_1", "conn_1").unwrap();
        assert_eq!(
            request,
            GetConnectionRequest {
                organization_id: "org_1".to_owned(),
                id: "conn_1".to_owned(),
            }
        );
        assert_eq!(request, decode::<GetConnectionRequest>(REF_GET_CONNECTION));
    }

    #[test]
    fn get_connection_request_validates_org_then_connection() {
        let (field, _) = invalid(get_connection_request("", ""));
        assert_eq!(field, "organization_id");
        for id in ["", " ", "conn_1 ", "conn/1"] {
            let (field, _) = invalid(get_connection_request("org_1", id));
            assert_eq!(field, "connection_id", "{id:?}");
        }
    }

    // listConnectionsByDomain('acme.com'): only `domain` is set.
    #[test]
    fn list_connections_by_domain_request_matches_reference() {
        let request = list_connections_by_domain_request("acme.com").unwrap();
        assert_eq!(
            request,
            ListConnectionsRequest {
                organization_id: None,
                domain: Some("acme.com".to_owned()),
                include: None,
            }
        );
        assert_eq!(
            request,
            decode::<ListConnectionsRequest>(REF_LIST_CONNECTIONS_BY_DOMAIN)
        );
        for domain in ["", "  ", " acme.com", "acme.com/x"] {
            let (field, _) = invalid(list_connections_by_domain_request(domain));
            assert_eq!(field, "domain", "{domain:?}");
        }
    }

    // listConnections('org_1'): only `organization_id` is set.
    #[test]
    fn list_connections_request_matches_reference() {
        let request = list_connections_request("org_1").unwrap();
        assert_eq!(
            request,
            ListConnectionsRequest {
                organization_id: Some("org_1".to_owned()),
                domain: None,
                include: None,
            }
        );
        assert_eq!(
            request,
            decode::<ListConnectionsRequest>(REF_LIST_CONNECTIONS)
        );
        let (field, _) = invalid(list_connections_request(""));
        assert_eq!(field, "organization_id");
    }

    // enableConnection('org_1', 'conn_1'), disableConnection('org_1', 'conn_1')
    #[test]
    fn toggle_connection_request_matches_reference() {
        let request = toggle_connection_request("org_1", "conn_1").unwrap();
        assert_eq!(
            request,
            ToggleConnectionRequest {
                organization_id: "org_1".to_owned(),
                id: "conn_1".to_owned(),
            }
        );
        assert_eq!(
            request,
            decode::<ToggleConnectionRequest>(REF_ENABLE_CONNECTION)
        );
        assert_eq!(
            request,
            decode::<ToggleConnectionRequest>(REF_DISABLE_CONNECTION)
        );
        let (field, _) = invalid(toggle_connection_request("org_1", ""));
        assert_eq!(field, "connection_id");
        let (field, _) = invalid(toggle_connection_request("org/1", "conn_1"));
        assert_eq!(field, "organization_id");
    }
}
