//! Organization clients: machine-to-machine (M2M) credentials that belong to
//! one organization.
//!
//! [`OrganizationClientsClient`] wraps the organization-client RPCs of
//! `scalekit.v1.clients.ClientService` (the reference SDK's `m2m` client).
//! An organization client (`m2morg_…`) is a `client_id` and one or more
//! secrets for the OAuth client-credentials grant; the access tokens it
//! obtains act for its organization, with the client's scopes, audience and
//! custom claims. Get a token for one with
//! [`ScalekitClient::generate_client_token`](crate::ScalekitClient::generate_client_token).
//!
//! Secret values are shown once, when a secret is created, and only in
//! [`CreatedOrganizationClient`] and [`CreatedClientSecret`], whose `Debug`
//! redacts them. Every [`M2mClient`] this module returns has its secrets'
//! `plain_secret` cleared, so it can be logged.
//!
//! ```
//! use scalekit::organization_clients::CreateOrganizationClientOptions;
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let created = client
//!         .organization_clients()
//!         .create_organization_client(
//!             "org_123",
//!             CreateOrganizationClientOptions::default().with_name("billing-sync"),
//!         )
//!         .await?;
//!     let token = client
//!         .generate_client_token(&created.client.client_id, &created.plain_secret)
//!         .await?;
//!     # let _ = token;
//!     Ok(())
//! }
//! ```

mod options;
mod requests;
mod secrets;
#[cfg(test)]
mod tests;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, Page};
use crate::proto::clients::ClientServiceClient;
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

use requests::{
    add_organization_client_secret_request, create_organization_client_request,
    delete_organization_client_request, get_organization_client_request,
    list_organization_clients_request, remove_organization_client_secret_request,
    update_organization_client_request,
};
use secrets::scrubbed;

pub use crate::proto::clients::{ClientSecret, ClientSecretStatus, CustomClaim, M2mClient};
pub use options::{
    CreateOrganizationClientOptions, ListOrganizationClientsOptions,
    UpdateOrganizationClientOptions,
};
pub use secrets::{CreatedClientSecret, CreatedOrganizationClient};

/// Organization clients; obtained from
/// [`ScalekitClient::organization_clients`](crate::ScalekitClient::organization_clients).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call.
/// [`list_organization_clients_stream`](OrganizationClientsClient::list_organization_clients_stream)
/// keeps its own clone, so its stream is `'static`.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let m2m = client.organization_clients().get_organization_client("org_123", "m2morg_456").await?;
///     println!("{} has {} secrets", m2m.name, m2m.secrets.len());
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct OrganizationClientsClient {
    stub: Stub<ClientServiceClient<AuthChannel>>,
}

impl OrganizationClientsClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        OrganizationClientsClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.clients.ClientService",
                ClientServiceClient::new,
            ),
        }
    }

    /// Creates an organization client with a first secret.
    ///
    /// ```
    /// use scalekit::organization_clients::CreateOrganizationClientOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = CreateOrganizationClientOptions::default()
    ///         .with_name("billing-sync")
    ///         .with_description("Nightly invoice export")
    ///         .with_custom_claim("team", "billing")
    ///         .with_scopes(["invoices:read"]);
    ///     let created = client.organization_clients().create_organization_client("org_123", opts).await?;
    ///     store_in_vault(&created.client.client_id, &created.plain_secret);
    ///     Ok(())
    /// }
    /// # fn store_in_vault(_: &str, _: &str) {}
    /// ```
    ///
    /// The secret is in the result and nowhere else; it cannot be read
    /// again later (add another with
    /// [`add_organization_client_secret`](Self::add_organization_client_secret)).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization ([`Error::is_not_found`]) or `INVALID_ARGUMENT`
    ///   for a name or description over the server's length limits.
    /// - [`Error::MalformedResponse`]`("client")` or `("plain_secret")` if
    ///   the response lacks the client or its secret.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/m2m/overview>
    pub async fn create_organization_client(
        &self,
        organization_id: &str,
        opts: CreateOrganizationClientOptions,
    ) -> Result<CreatedOrganizationClient> {
        let request = create_organization_client_request(organization_id, opts)?;
        let response = call!(self.stub, create_organization_client(request)).await?;
        CreatedOrganizationClient::try_from(response)
    }

    /// Gets an organization client with its secrets' records (ids, last
    /// characters, status; never their values).
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let m2m = client.organization_clients().get_organization_client("org_123", "m2morg_456").await?;
    ///     for secret in &m2m.secrets {
    ///         println!("{} ends in {}", secret.id, secret.secret_suffix);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is not an `org_…`
    ///   id or `client_id` not an `m2morg_…` id (or either is empty,
    ///   untrimmed or contains `/`); nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("client")` if the response has no
    ///   client.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/m2m/overview>
    pub async fn get_organization_client(
        &self,
        organization_id: &str,
        client_id: &str,
    ) -> Result<M2mClient> {
        let request = get_organization_client_request(organization_id, client_id)?;
        let response = call!(self.stub, get_organization_client(request)).await?;
        response
            .client
            .map(scrubbed)
            .ok_or(Error::MalformedResponse("client"))
    }

    /// Changes an organization client's name, description, custom claims,
    /// audience or scopes.
    ///
    /// ```
    /// use scalekit::organization_clients::UpdateOrganizationClientOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = UpdateOrganizationClientOptions::default().with_scopes(["invoices:read", "invoices:write"]);
    ///     let m2m = client
    ///         .organization_clients()
    ///         .update_organization_client("org_123", "m2morg_456", opts)
    ///         .await?;
    ///     println!("{:?}", m2m.scopes);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Unset and empty fields are not sent. Secrets are not changed here.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is not an `org_…`
    ///   id or `client_id` not an `m2morg_…` id; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for a field over the
    ///   server's limits.
    /// - [`Error::MalformedResponse`]`("client")` if the response has no
    ///   client.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/m2m/overview>
    pub async fn update_organization_client(
        &self,
        organization_id: &str,
        client_id: &str,
        opts: UpdateOrganizationClientOptions,
    ) -> Result<M2mClient> {
        let request = update_organization_client_request(organization_id, client_id, opts)?;
        let response = call!(self.stub, update_organization_client(request)).await?;
        response
            .client
            .map(scrubbed)
            .ok_or(Error::MalformedResponse("client"))
    }

    /// Deletes an organization client and with it all its secrets.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.organization_clients().delete_organization_client("org_123", "m2morg_456").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// This cannot be undone: the client's secrets stop working at once.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is not an `org_…`
    ///   id or `client_id` not an `m2morg_…` id; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/m2m/overview>
    pub async fn delete_organization_client(
        &self,
        organization_id: &str,
        client_id: &str,
    ) -> Result<()> {
        let request = delete_organization_client_request(organization_id, client_id)?;
        call!(self.stub, delete_organization_client(request)).await?;
        Ok(())
    }

    /// Lists one page of an organization's clients.
    ///
    /// ```
    /// use scalekit::organization_clients::ListOrganizationClientsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .organization_clients()
    ///         .list_organization_clients("org_123", ListOrganizationClientsOptions::default().with_page_size(50))
    ///         .await?;
    ///     for m2m in &page {
    ///         println!("{} {}", m2m.client_id, m2m.name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// To walk every page, use
    /// [`list_organization_clients_stream`](Self::list_organization_clients_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for a
    ///   page size out of the server's range or an unknown page token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/m2m/overview>
    pub async fn list_organization_clients(
        &self,
        organization_id: &str,
        opts: ListOrganizationClientsOptions,
    ) -> Result<Page<M2mClient>> {
        let request = list_organization_clients_request(organization_id, &opts)?;
        let response = call!(self.stub, list_organization_clients(request)).await?;
        Ok(Page::new(
            response.clients.into_iter().map(scrubbed).collect(),
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every client of an organization, fetching pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::organization_clients::ListOrganizationClientsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let clients = client.organization_clients();
    ///     let mut all = std::pin::pin!(
    ///         clients.list_organization_clients_stream("org_123", ListOrganizationClientsOptions::default())
    ///     );
    ///     while let Some(m2m) = all.try_next().await? {
    ///         println!("{}", m2m.client_id);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its page
    /// size), starting at its page token if set. The stream ends after the
    /// last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`list_organization_clients`](Self::list_organization_clients), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/m2m/overview>
    pub fn list_organization_clients_stream(
        &self,
        organization_id: &str,
        opts: ListOrganizationClientsOptions,
    ) -> impl Stream<Item = Result<M2mClient>> + Send + 'static {
        let client = self.clone();
        let organization_id = organization_id.to_owned();
        paginate(opts, move |opts| {
            let client = client.clone();
            let organization_id = organization_id.clone();
            async move {
                client
                    .list_organization_clients(&organization_id, opts)
                    .await
            }
        })
    }

    /// Adds a secret to an organization client, e.g. to rotate secrets
    /// without downtime.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let clients = client.organization_clients();
    ///     let added = clients.add_organization_client_secret("org_123", "m2morg_456").await?;
    ///     store_in_vault(&added.plain_secret);
    ///     // Once every user of the old secret has the new one:
    ///     clients.remove_organization_client_secret("org_123", "m2morg_456", "sec_old").await?;
    ///     Ok(())
    /// }
    /// # fn store_in_vault(_: &str) {}
    /// ```
    ///
    /// The secret's value is in the result and nowhere else.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is not an `org_…`
    ///   id or `client_id` not an `m2morg_…` id; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown client ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("secret")` or `("plain_secret")` if
    ///   the response lacks the secret's record or its value.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/m2m/overview>
    pub async fn add_organization_client_secret(
        &self,
        organization_id: &str,
        client_id: &str,
    ) -> Result<CreatedClientSecret> {
        let request = add_organization_client_secret_request(organization_id, client_id)?;
        let response = call!(self.stub, create_organization_client_secret(request)).await?;
        CreatedClientSecret::try_from(response)
    }

    /// Removes one secret of an organization client; tokens can no longer
    /// be obtained with it.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client
    ///         .organization_clients()
    ///         .remove_organization_client_secret("org_123", "m2morg_456", "sec_789")
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is not an `org_…`
    ///   id, `client_id` not an `m2morg_…` id, or `secret_id` is empty,
    ///   untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/m2m/overview>
    pub async fn remove_organization_client_secret(
        &self,
        organization_id: &str,
        client_id: &str,
        secret_id: &str,
    ) -> Result<()> {
        let request =
            remove_organization_client_secret_request(organization_id, client_id, secret_id)?;
        call!(self.stub, delete_organization_client_secret(request)).await?;
        Ok(())
    }
}
