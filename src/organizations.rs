//! Organizations: the tenants (your B2B customers) of an environment.
//!
//! [`OrganizationsClient`] wraps the `scalekit.v1.organizations.OrganizationService`
//! RPCs with the method names of the other Scalekit SDKs. The messages in its
//! signatures are the generated ones, re-exported here so that one `use` is
//! enough.
//!
//! ```
//! use scalekit::organizations::{CreateOrganizationOptions, ListOrganizationOptions};
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let organizations = client.organizations();
//!     let acme = organizations
//!         .create_organization(
//!             "Acme Corp",
//!             CreateOrganizationOptions::default().with_external_id("customer_12345"),
//!         )
//!         .await?;
//!     println!("created {}", acme.id);
//!
//!     let page = organizations
//!         .list_organization(ListOrganizationOptions::default().with_page_size(20))
//!         .await?;
//!     for organization in &page {
//!         println!("{} {}", organization.id, organization.display_name);
//!     }
//!     Ok(())
//! }
//! ```

mod options;
mod requests;
mod settings;
#[cfg(test)]
mod tests;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, Page};
use crate::proto::organizations::{
    GetOrganizationRequest, OrganizationServiceClient, UpdateOrganizationRequest,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

use requests::{
    create_organization_request, delete_organization_request,
    get_organization_by_external_id_request, get_organization_request, list_organization_request,
    search_organization_request, update_organization_by_external_id_request,
    update_organization_request,
};

pub use crate::proto::commons::{RegionCode, TimeUnit};
pub use crate::proto::organizations::{
    Link, Organization, OrganizationSessionPolicySettings, OrganizationSettings,
    OrganizationSettingsFeature, OrganizationUserManagementSettings, SessionPolicyType,
    UpdateOrganization,
};
pub use options::{CreateOrganizationOptions, ListOrganizationOptions, SearchOrganizationOptions};

/// Organizations; obtained from
/// [`ScalekitClient::organizations`](crate::ScalekitClient::organizations).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call. [`list_organization_stream`](OrganizationsClient::list_organization_stream)
/// keeps its own clone, so its stream is `'static`.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let organization = client.organizations().get_organization("org_123").await?;
///     println!("{}", organization.display_name);
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct OrganizationsClient {
    stub: Stub<OrganizationServiceClient<AuthChannel>>,
}

impl OrganizationsClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        OrganizationsClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.organizations.OrganizationService",
                OrganizationServiceClient::new,
            ),
        }
    }

    /// Creates an organization with a display name.
    ///
    /// ```
    /// use scalekit::organizations::CreateOrganizationOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = CreateOrganizationOptions::default()
    ///         .with_external_id("customer_12345")
    ///         .with_slug("acme")
    ///         .with_logo_url("https://cdn.example.com/acme-logo.png")
    ///         .with_metadata("plan", "enterprise");
    ///     let organization = client
    ///         .organizations()
    ///         .create_organization("Acme Corporation", opts)
    ///         .await?;
    ///     println!("created {} ({})", organization.id, organization.display_name);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `name` becomes the display name. The external id maps the
    /// organization to your own system's id; the slug names it in template
    /// redirect URIs (`{{slug}}`); the logo URL brands the hosted pages. An
    /// empty external id, slug or logo URL is not sent, as in the other
    /// Scalekit SDKs. The metadata and the region are not in the other SDKs'
    /// `createOrganization`; unset, nothing is sent for them.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `name` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `ALREADY_EXISTS` for an
    ///   external id or slug another organization has
    ///   ([`Error::is_conflict`]), or `INVALID_ARGUMENT` for a name over 200
    ///   characters, a slug that is not a DNS name, a logo URL that is not
    ///   `https` or metadata the server's rules reject.
    /// - [`Error::MalformedResponse`]`("organization")` if the response has
    ///   no organization.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn create_organization(
        &self,
        name: &str,
        opts: CreateOrganizationOptions,
    ) -> Result<Organization> {
        let request = create_organization_request(name, opts)?;
        let response = call!(self.stub, create_organization(request)).await?;
        response
            .organization
            .ok_or(Error::MalformedResponse("organization"))
    }

    /// Lists one page of the environment's organizations.
    ///
    /// ```
    /// use scalekit::organizations::ListOrganizationOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .organizations()
    ///         .list_organization(ListOrganizationOptions::default().with_page_size(20))
    ///         .await?;
    ///     println!("{} of {} organizations", page.items.len(), page.total_size);
    ///     if let Some(token) = page.next_page_token {
    ///         println!("more with page token {token}");
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The name is the reference SDK's (`listOrganization`, after the RPC).
    /// An unset page size or token is sent as the field's default (`0`, `""`):
    /// the server then picks the page size (10) and starts at the first page.
    /// With [`external_id`](ListOrganizationOptions::external_id) set, only
    /// the organization with that external id is listed. To walk every page,
    /// use [`list_organization_stream`](OrganizationsClient::list_organization_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for a
    ///   page size over 100 or an unknown page token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn list_organization(
        &self,
        opts: ListOrganizationOptions,
    ) -> Result<Page<Organization>> {
        let request = list_organization_request(&opts);
        let response = call!(self.stub, list_organization(request)).await?;
        Ok(Page::new(
            response.organizations,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every organization of the environment, fetching pages as
    /// needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::organizations::ListOrganizationOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListOrganizationOptions::default().with_page_size(100);
    ///     let mut organizations =
    ///         std::pin::pin!(client.organizations().list_organization_stream(opts));
    ///     while let Some(organization) = organizations.try_next().await? {
    ///         println!("{}", organization.display_name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its page
    /// size and external-id filter), starting at its page token if set. The
    /// stream ends after the last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`list_organization`](OrganizationsClient::list_organization), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub fn list_organization_stream(
        &self,
        opts: ListOrganizationOptions,
    ) -> impl Stream<Item = Result<Organization>> + Send + 'static {
        let client = self.clone();
        paginate(opts, move |opts| {
            let client = client.clone();
            async move { client.list_organization(opts).await }
        })
    }

    /// Searches the environment's organizations: one page of those whose
    /// display name, id or external id contains `query`.
    ///
    /// ```
    /// use scalekit::organizations::SearchOrganizationOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .organizations()
    ///         .search_organization("acme", SearchOrganizationOptions::default().with_page_size(10))
    ///         .await?;
    ///     for organization in &page {
    ///         println!("{} {}", organization.id, organization.display_name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The name is the reference SDK's (`searchOrganization`, after the RPC).
    /// The server matches case-insensitively and wants at least three
    /// characters; `query` is sent as given. An unset page size or token is
    /// sent as the field's default: the server then picks the page size and
    /// starts at the first page. To walk every page, use
    /// [`search_organization_stream`](OrganizationsClient::search_organization_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `query` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for a
    ///   query shorter than three characters, a page size over 30 or an
    ///   unknown page token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn search_organization(
        &self,
        query: &str,
        opts: SearchOrganizationOptions,
    ) -> Result<Page<Organization>> {
        let request = search_organization_request(query, &opts)?;
        let response = call!(self.stub, search_organization(request)).await?;
        Ok(Page::new(
            response.organizations,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every organization that matches `query`, fetching pages as
    /// needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::organizations::SearchOrganizationOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let matches: Vec<_> = client
    ///         .organizations()
    ///         .search_organization_stream("acme", SearchOrganizationOptions::default())
    ///         .try_collect()
    ///         .await?;
    ///     println!("{} organizations match", matches.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its page
    /// size), starting at its page token if set. The stream ends after the
    /// last page. A blank `query` fails on the first poll, before any I/O.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`search_organization`](OrganizationsClient::search_organization), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub fn search_organization_stream(
        &self,
        query: &str,
        opts: SearchOrganizationOptions,
    ) -> impl Stream<Item = Result<Organization>> + Send + 'static {
        let client = self.clone();
        let query = query.to_owned();
        paginate(opts, move |opts| {
            let client = client.clone();
            let query = query.clone();
            async move { client.search_organization(&query, opts).await }
        })
    }

    /// Gets an organization by its Scalekit id.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     match client.organizations().get_organization("org_123").await {
    ///         Ok(organization) => println!("{}", organization.display_name),
    ///         Err(err) if err.is_not_found() => println!("no such organization"),
    ///         Err(err) => return Err(err),
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// To look an organization up by the id your own system gave it, use
    /// [`get_organization_by_external_id`](OrganizationsClient::get_organization_by_external_id).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("organization")` if the response has
    ///   no organization.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn get_organization(&self, organization_id: &str) -> Result<Organization> {
        let request = get_organization_request(organization_id)?;
        self.get(request).await
    }

    /// Gets an organization by the external id your system assigned to it.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let organization = client
    ///         .organizations()
    ///         .get_organization_by_external_id("customer_12345")
    ///         .await?;
    ///     println!("customer_12345 is {}", organization.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The same RPC as [`get_organization`](OrganizationsClient::get_organization),
    /// selecting the organization by `external_id` instead of `id`. External
    /// ids are yours, so only emptiness is checked client-side.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `external_id` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("organization")` if the response has
    ///   no organization.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn get_organization_by_external_id(&self, external_id: &str) -> Result<Organization> {
        let request = get_organization_by_external_id_request(external_id)?;
        self.get(request).await
    }

    async fn get(&self, request: GetOrganizationRequest) -> Result<Organization> {
        let response = call!(self.stub, get_organization(request)).await?;
        response
            .organization
            .ok_or(Error::MalformedResponse("organization"))
    }

    /// Updates an organization's display name, external id, metadata, slug
    /// or logo URL.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use scalekit::organizations::UpdateOrganization;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let update = UpdateOrganization {
    ///         display_name: Some("Acme Corp".to_owned()),
    ///         metadata: HashMap::from([("tier".to_owned(), "premium".to_owned())]),
    ///         ..Default::default()
    ///     };
    ///     let organization = client
    ///         .organizations()
    ///         .update_organization("org_123", update)
    ///         .await?;
    ///     println!("now {}", organization.display_name);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `organization` is sent as given, without an update mask, as the
    /// reference sends it: the server changes the fields that are set (a
    /// non-empty metadata map replaces the current one) and keeps the others.
    /// An empty `slug` is sent too, and clears the slug. The region cannot be
    /// changed.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]), `ALREADY_EXISTS` for an external id another
    ///   organization has ([`Error::is_conflict`]) or `INVALID_ARGUMENT`, e.g.
    ///   for a slug that is not a DNS name or a logo URL that is not `https`.
    /// - [`Error::MalformedResponse`]`("organization")` if the response has
    ///   no organization.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn update_organization(
        &self,
        organization_id: &str,
        organization: UpdateOrganization,
    ) -> Result<Organization> {
        let request = update_organization_request(organization_id, organization)?;
        self.update(request).await
    }

    /// Updates an organization, selected by your external id, like
    /// [`update_organization`](OrganizationsClient::update_organization).
    ///
    /// ```
    /// use scalekit::organizations::UpdateOrganization;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let update = UpdateOrganization {
    ///         display_name: Some("New Company Name".to_owned()),
    ///         ..Default::default()
    ///     };
    ///     let organization = client
    ///         .organizations()
    ///         .update_organization_by_external_id("customer_12345", update)
    ///         .await?;
    ///     println!("updated {}", organization.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Setting `external_id` in `organization` moves the organization to a
    /// new external id.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `external_id` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]), `ALREADY_EXISTS` ([`Error::is_conflict`])
    ///   or `INVALID_ARGUMENT`.
    /// - [`Error::MalformedResponse`]`("organization")` if the response has
    ///   no organization.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn update_organization_by_external_id(
        &self,
        external_id: &str,
        organization: UpdateOrganization,
    ) -> Result<Organization> {
        let request = update_organization_by_external_id_request(external_id, organization)?;
        self.update(request).await
    }

    async fn update(&self, request: UpdateOrganizationRequest) -> Result<Organization> {
        let response = call!(self.stub, update_organization(request)).await?;
        response
            .organization
            .ok_or(Error::MalformedResponse("organization"))
    }

    /// Deletes an organization, with its memberships and settings.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.organizations().delete_organization("org_123").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// This cannot be undone. The users stay in the environment; they lose
    /// their membership of this organization.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn delete_organization(&self, organization_id: &str) -> Result<()> {
        let request = delete_organization_request(organization_id)?;
        call!(self.stub, delete_organization(request)).await?;
        Ok(())
    }
}
