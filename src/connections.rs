//! Enterprise SSO connections of organizations.
//!
//! [`ConnectionsClient`] wraps the organization-connection RPCs of
//! `scalekit.v1.connections.ConnectionService` with the method names of the
//! other Scalekit SDKs. A connection links an organization to its identity
//! provider over SAML or OIDC; it signs users in only while it is enabled.
//! App connections, configured for the whole application rather than one
//! organization, are listed by
//! [`list_app_connections`](ConnectionsClient::list_app_connections).
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

mod options;
mod requests;
#[cfg(test)]
mod tests;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, Page};
use crate::proto::connections::{ConnectionServiceClient, ListConnectionsRequest};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

use requests::{
    create_connection_request, delete_connection_request, get_connection_request,
    list_app_connections_request, list_connections_by_domain_request, list_connections_request,
    toggle_connection_request,
};

pub use crate::proto::connections::{
    Connection, ConnectionProvider, ConnectionStatus, ConnectionType, CreateConnection,
    ListConnection, ToggleConnectionResponse,
};
pub use options::ListAppConnectionsOptions;

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

    /// Creates a connection for an organization: a draft, disabled until
    /// it is configured and enabled.
    ///
    /// ```
    /// use scalekit::connections::{ConnectionProvider, ConnectionType, CreateConnection};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let connection = client
    ///         .connections()
    ///         .create_connection(
    ///             "org_123",
    ///             CreateConnection {
    ///                 provider: ConnectionProvider::Okta as i32,
    ///                 r#type: ConnectionType::Saml as i32,
    ///                 ..Default::default()
    ///             },
    ///         )
    ///         .await?;
    ///     println!("created {} ({:?})", connection.id, connection.status());
    ///     // Configure it at the identity provider, then:
    ///     client.connections().enable_connection("org_123", &connection.id).await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `connection` is sent as given. It needs a provider or a
    /// `provider_key`; the server checks that, and the combinations of
    /// type, provider, key and `key_id` it accepts (OAuth, passwordless and
    /// WebAuthn connections cannot be created this way).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization ([`Error::is_not_found`]) or `INVALID_ARGUMENT`
    ///   for a connection without a provider, of a type that cannot be
    ///   created, or with an unknown enum value.
    /// - [`Error::MalformedResponse`]`("connection")` if the response has no
    ///   connection.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub async fn create_connection(
        &self,
        organization_id: &str,
        connection: CreateConnection,
    ) -> Result<Connection> {
        let request = create_connection_request(organization_id, connection)?;
        let response = call!(self.stub, create_connection(request)).await?;
        response
            .connection
            .ok_or(Error::MalformedResponse("connection"))
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

    /// Lists one page of the application's app connections: those
    /// configured for the whole application, not for one organization.
    ///
    /// ```
    /// use scalekit::connections::ListAppConnectionsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .connections()
    ///         .list_app_connections(ListAppConnectionsOptions::default().with_provider("GOOGLE"))
    ///         .await?;
    ///     for connection in &page {
    ///         println!("{} {}", connection.id, connection.provider_key);
    ///     }
    ///     println!("{} in all", page.total_size);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Unlike [`list_connections`](ConnectionsClient::list_connections),
    /// this RPC pages. An unset page size or token is sent as the field's
    /// default: the server then picks the page size and starts at the first
    /// page; the provider and query filters are sent only when set. To walk
    /// every page, use
    /// [`list_app_connections_stream`](ConnectionsClient::list_app_connections_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for a
    ///   page size over 30, a query shorter than three characters or an
    ///   unknown page token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub async fn list_app_connections(
        &self,
        opts: ListAppConnectionsOptions,
    ) -> Result<Page<ListConnection>> {
        let request = list_app_connections_request(&opts);
        let response = call!(self.stub, list_app_connections(request)).await?;
        Ok(Page::new(
            response.connections,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every app connection, fetching pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::connections::ListAppConnectionsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListAppConnectionsOptions::default().with_page_size(30);
    ///     let mut connections =
    ///         std::pin::pin!(client.connections().list_app_connections_stream(opts));
    ///     while let Some(connection) = connections.try_next().await? {
    ///         println!("{} enabled: {}", connection.id, connection.enabled);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its page
    /// size and filters), starting at its page token if set. The stream ends
    /// after the last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`list_app_connections`](ConnectionsClient::list_app_connections), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub fn list_app_connections_stream(
        &self,
        opts: ListAppConnectionsOptions,
    ) -> impl Stream<Item = Result<ListConnection>> + Send + 'static {
        let client = self.clone();
        paginate(opts, move |opts| {
            let client = client.clone();
            async move { client.list_app_connections(opts).await }
        })
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

    /// Deletes a connection of an organization.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client
    ///         .connections()
    ///         .delete_connection("org_123", "conn_456")
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The organization's users can no longer sign in through it. This
    /// cannot be undone; to stop sign-ins for a while, use
    /// [`disable_connection`](ConnectionsClient::disable_connection).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `connection_id`
    ///   is empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or a connection it does not have
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/connections>
    pub async fn delete_connection(
        &self,
        organization_id: &str,
        connection_id: &str,
    ) -> Result<()> {
        let request = delete_connection_request(organization_id, connection_id)?;
        call!(self.stub, delete_connection(request)).await?;
        Ok(())
    }
}
