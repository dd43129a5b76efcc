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

use std::collections::HashMap;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, token_page_options, Page};
use crate::proto::organizations::{
    delete_organization_request, get_organization_request, update_organization_request,
    CreateOrganization, CreateOrganizationRequest, DeleteOrganizationRequest,
    GeneratePortalLinkRequest, GetOrganizationRequest, ListOrganizationsRequest,
    OrganizationServiceClient, UpdateOrganizationRequest, UpdateOrganizationSettingsRequest,
    UpsertUserManagementSettingsRequest,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::commons::RegionCode;
pub use crate::proto::organizations::{
    Link, Organization, OrganizationSettings, OrganizationSettingsFeature,
    OrganizationUserManagementSettings, UpdateOrganization,
};

/// The prefix the service requires of organization ids in the portal-link
/// and settings RPCs.
const ORG_PREFIX: &str = "org_";

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
    /// organization to your own system's id; an empty one is not sent, as in
    /// the other Scalekit SDKs. The metadata and the region are not in the
    /// other SDKs' `createOrganization`; unset, nothing is sent for them.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `name` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `ALREADY_EXISTS` for an
    ///   external id another organization has ([`Error::is_conflict`]), or
    ///   `INVALID_ARGUMENT` for a name over 200 characters or metadata the
    ///   server's rules reject.
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

    /// Updates an organization's display name, external id or metadata.
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
    /// `organization` is sent as given, without an update mask: the server
    /// changes the fields that are set (a non-empty metadata map replaces the
    /// current one) and keeps the others. The region cannot be changed.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]), `ALREADY_EXISTS` for an external id another
    ///   organization has ([`Error::is_conflict`]) or `INVALID_ARGUMENT`.
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

    /// Creates a single-use admin-portal link for an organization.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let link = client.organizations().generate_portal_link("org_123").await?;
    ///     // Redirect the organization's admin to `link.location` right away.
    ///     println!("{} (expires {:?})", link.location, link.expire_time);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The link is valid for one minute; once opened, the admin gets a
    /// session in which they can configure the organization's SSO and SCIM.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("link")` if the response has no link.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn generate_portal_link(&self, organization_id: &str) -> Result<Link> {
        let request = generate_portal_link_request(organization_id)?;
        let response = call!(self.stub, generate_portal_link(request)).await?;
        response.link.ok_or(Error::MalformedResponse("link"))
    }

    /// Switches an organization's features (`sso`, `dir_sync`) on or off.
    ///
    /// ```
    /// use scalekit::organizations::{OrganizationSettings, OrganizationSettingsFeature};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let settings = OrganizationSettings {
    ///         features: vec![
    ///             OrganizationSettingsFeature { name: "sso".to_owned(), enabled: true },
    ///             OrganizationSettingsFeature { name: "dir_sync".to_owned(), enabled: true },
    ///         ],
    ///     };
    ///     let organization = client
    ///         .organizations()
    ///         .update_organization_settings("org_123", settings)
    ///         .await?;
    ///     println!("{:?}", organization.settings);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `settings` is sent as given; features it does not name keep their
    /// state. Returns the organization with its updated settings.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for an unknown
    ///   feature.
    /// - [`Error::MalformedResponse`]`("organization")` if the response has
    ///   no organization.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn update_organization_settings(
        &self,
        organization_id: &str,
        settings: OrganizationSettings,
    ) -> Result<Organization> {
        let request = update_organization_settings_request(organization_id, settings)?;
        let response = call!(self.stub, update_organization_settings(request)).await?;
        response
            .organization
            .ok_or(Error::MalformedResponse("organization"))
    }

    /// Creates or replaces an organization's user-management settings: the
    /// most members it may have.
    ///
    /// ```
    /// use scalekit::organizations::OrganizationUserManagementSettings;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let settings = OrganizationUserManagementSettings {
    ///         max_allowed_users: Some(100),
    ///     };
    ///     let settings = client
    ///         .organizations()
    ///         .upsert_user_management_settings("org_123", settings)
    ///         .await?;
    ///     println!("at most {:?} members", settings.max_allowed_users);
    ///
    ///     // No limit any more:
    ///     client
    ///         .organizations()
    ///         .upsert_user_management_settings("org_123", Default::default())
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `settings` is always sent, an empty one included: an unset
    /// `max_allowed_users` removes the limit. Once the organization has as
    /// many members as the limit, adding one fails with
    /// `FAILED_PRECONDITION`. Returns the settings now in force.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for a negative limit.
    /// - [`Error::MalformedResponse`]`("settings")` if the response has no
    ///   settings.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn upsert_user_management_settings(
        &self,
        organization_id: &str,
        settings: OrganizationUserManagementSettings,
    ) -> Result<OrganizationUserManagementSettings> {
        let request = upsert_user_management_settings_request(organization_id, settings)?;
        let response = call!(self.stub, upsert_user_management_settings(request)).await?;
        response
            .settings
            .ok_or(Error::MalformedResponse("settings"))
    }
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// Optional parameters of [`OrganizationsClient::create_organization`].
///
/// ```
/// use scalekit::organizations::{CreateOrganizationOptions, RegionCode};
///
/// let opts = CreateOrganizationOptions::default()
///     .with_external_id("customer_12345")
///     .with_metadata("plan", "enterprise")
///     .with_region_code(RegionCode::Eu);
/// assert_eq!(opts.external_id.as_deref(), Some("customer_12345"));
/// assert_eq!(opts.metadata["plan"], "enterprise");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateOrganizationOptions {
    /// Your system's id for the organization; unset or empty, none is sent.
    pub external_id: Option<String>,
    /// Metadata of the organization. Not in the other Scalekit SDKs' call;
    /// empty, nothing is sent.
    pub metadata: HashMap<String, String>,
    /// The region to keep the organization's data in. Not in the other
    /// Scalekit SDKs' call; unset, the server's default.
    pub region_code: Option<RegionCode>,
}

impl CreateOrganizationOptions {
    /// Sets [`external_id`](Self::external_id).
    #[must_use]
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Adds one entry to [`metadata`](Self::metadata).
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sets [`metadata`](Self::metadata), replacing any entries set before.
    #[must_use]
    pub fn with_metadata_map<K, V>(mut self, metadata: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.metadata = metadata
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }

    /// Sets [`region_code`](Self::region_code).
    #[must_use]
    pub fn with_region_code(mut self, region_code: RegionCode) -> Self {
        self.region_code = Some(region_code);
        self
    }
}

/// Optional parameters of [`OrganizationsClient::list_organization`] and
/// [`OrganizationsClient::list_organization_stream`].
///
/// ```
/// use scalekit::organizations::ListOrganizationOptions;
///
/// let opts = ListOrganizationOptions::default().with_page_size(50).with_page_token("tok_2");
/// assert_eq!(opts.page_size, Some(50));
/// assert_eq!(opts.page_token.as_deref(), Some("tok_2"));
/// assert_eq!(opts.external_id, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListOrganizationOptions {
    /// Organizations per page; unset, the server's default. Sent as given:
    /// the server enforces its range (at most 100).
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
    /// Lists only the organization with this external id.
    pub external_id: Option<String>,
}

impl ListOrganizationOptions {
    /// Sets [`page_size`](Self::page_size).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Sets [`page_token`](field@Self::page_token).
    #[must_use]
    pub fn with_page_token(mut self, page_token: impl Into<String>) -> Self {
        self.page_token = Some(page_token.into());
        self
    }

    /// Sets [`external_id`](Self::external_id).
    #[must_use]
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }
}

token_page_options!(ListOrganizationOptions);

// ---------------------------------------------------------------------------
// Requests: validation and the exact proto message each method sends.
// ---------------------------------------------------------------------------

fn create_organization_request(
    name: &str,
    opts: CreateOrganizationOptions,
) -> Result<CreateOrganizationRequest> {
    validate::require_non_empty("name", name)?;
    Ok(CreateOrganizationRequest {
        organization: Some(CreateOrganization {
            display_name: name.to_owned(),
            region_code: opts.region_code.map_or(0, |r| r as i32),
            // Like the reference, an empty external id is left out.
            external_id: opts.external_id.filter(|e| !e.is_empty()),
            metadata: opts.metadata,
        }),
    })
}

fn list_organization_request(opts: &ListOrganizationOptions) -> ListOrganizationsRequest {
    ListOrganizationsRequest {
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
        external_id: opts.external_id.clone(),
    }
}

fn get_organization_request(organization_id: &str) -> Result<GetOrganizationRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(GetOrganizationRequest {
        identities: Some(get_organization_request::Identities::Id(
            organization_id.to_owned(),
        )),
    })
}

fn get_organization_by_external_id_request(external_id: &str) -> Result<GetOrganizationRequest> {
    validate::require_non_empty("external_id", external_id)?;
    Ok(GetOrganizationRequest {
        identities: Some(get_organization_request::Identities::ExternalId(
            external_id.to_owned(),
        )),
    })
}

fn update_organization_request(
    organization_id: &str,
    organization: UpdateOrganization,
) -> Result<UpdateOrganizationRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(UpdateOrganizationRequest {
        identities: Some(update_organization_request::Identities::Id(
            organization_id.to_owned(),
        )),
        organization: Some(organization),
        update_mask: None,
    })
}

fn update_organization_by_external_id_request(
    external_id: &str,
    organization: UpdateOrganization,
) -> Result<UpdateOrganizationRequest> {
    validate::require_non_empty("external_id", external_id)?;
    Ok(UpdateOrganizationRequest {
        identities: Some(update_organization_request::Identities::ExternalId(
            external_id.to_owned(),
        )),
        organization: Some(organization),
        update_mask: None,
    })
}

fn delete_organization_request(organization_id: &str) -> Result<DeleteOrganizationRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(DeleteOrganizationRequest {
        identities: Some(delete_organization_request::Identities::Id(
            organization_id.to_owned(),
        )),
    })
}

fn generate_portal_link_request(organization_id: &str) -> Result<GeneratePortalLinkRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    Ok(GeneratePortalLinkRequest {
        id: organization_id.to_owned(),
        ..Default::default()
    })
}

fn update_organization_settings_request(
    organization_id: &str,
    settings: OrganizationSettings,
) -> Result<UpdateOrganizationSettingsRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    Ok(UpdateOrganizationSettingsRequest {
        id: organization_id.to_owned(),
        settings: Some(settings),
    })
}

fn upsert_user_management_settings_request(
    organization_id: &str,
    settings: OrganizationUserManagementSettings,
) -> Result<UpsertUserManagementSettingsRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    Ok(UpsertUserManagementSettingsRequest {
        organization_id: organization_id.to_owned(),
        settings: Some(settings),
    })
}

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/organization.js`) encodes
    //! for the same call, captured by running its `OrganizationClient` with a
    //! `connectExec` stub that records
    //! `toBinary(method.input, create(method.input, req))`. Decoding it with
    //! prost and comparing messages proves that the facade sends the same
    //! fields, the same oneof arm and nothing else.

    use prost::Message;

    use super::*;
    use crate::pagination::PageOptions;

    fn decode<M: Message + Default>(hex: &str) -> M {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        M::decode(bytes.as_slice()).unwrap()
    }

    /// `(field, reason)` of an `InvalidArgument`, or a panic.
    fn invalid<T: std::fmt::Debug>(result: Result<T>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { field, reason }) => (field, reason),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    const REF_CREATE_MIN: &str = "0a06220441636d65";
    const REF_CREATE_EXTERNAL_ID: &str = "0a0d220441636d6532056578745f31";
    const REF_CREATE_EMPTY_EXTERNAL_ID: &str = "0a06220441636d65";
    const REF_LIST_NONE: &str = "";
    const REF_LIST_FULL: &str = "0814120174";
    const REF_LIST_EXTERNAL_ID: &str = "1a056578745f31";
    const REF_GET: &str = "0a056f72675f31";
    const REF_GET_EXTERNAL_ID: &str = "12056578745f31";
    const REF_UPDATE_FULL: &str = "0a056f72675f311a0e22014e3201653a060a016b120176";
    const REF_UPDATE_EMPTY: &str = "0a056f72675f311a00";
    const REF_UPDATE_EXTERNAL_ID: &str = "12056578745f311a0322014e";
    const REF_DELETE: &str = "0a056f72675f31";
    const REF_PORTAL_LINK: &str = "0a056f72675f31";
    const REF_SETTINGS: &str = "0a056f72675f3112150a070a0373736f10010a0a0a086469725f73796e63";
    const REF_SETTINGS_EMPTY: &str = "0a056f72675f311200";
    const REF_USER_MANAGEMENT_100: &str = "0a056f72675f3112040a020864";
    const REF_USER_MANAGEMENT_ZERO: &str = "0a056f72675f3112020a00";
    const REF_USER_MANAGEMENT_NULL: &str = "0a056f72675f311200";

    // createOrganization('Acme'), createOrganization('Acme', { externalId: 'ext_1' }),
    // createOrganization('Acme', { externalId: '' })
    #[test]
    fn create_organization_request_matches_reference() {
        let min =
            create_organization_request("Acme", CreateOrganizationOptions::default()).unwrap();
        assert_eq!(
            min,
            CreateOrganizationRequest {
                organization: Some(CreateOrganization {
                    display_name: "Acme".to_owned(),
                    ..Default::default()
                }),
            }
        );
        assert_eq!(min, decode::<CreateOrganizationRequest>(REF_CREATE_MIN));

        let ext = create_organization_request(
            "Acme",
            CreateOrganizationOptions::default().with_external_id("ext_1"),
        )
        .unwrap();
        assert_eq!(
            ext.organization.as_ref().unwrap().external_id.as_deref(),
            Some("ext_1")
        );
        assert_eq!(
            ext,
            decode::<CreateOrganizationRequest>(REF_CREATE_EXTERNAL_ID)
        );

        let empty = create_organization_request(
            "Acme",
            CreateOrganizationOptions::default().with_external_id(""),
        )
        .unwrap();
        assert_eq!(
            empty,
            decode::<CreateOrganizationRequest>(REF_CREATE_EMPTY_EXTERNAL_ID)
        );
    }

    #[test]
    fn create_organization_request_sends_metadata_and_region() {
        let opts = CreateOrganizationOptions::default()
            .with_metadata("plan", "gold")
            .with_region_code(RegionCode::Eu);
        let request = create_organization_request("Acme", opts).unwrap();
        let organization = request.organization.unwrap();
        assert_eq!(organization.region_code, RegionCode::Eu as i32);
        assert_eq!(
            organization.metadata,
            HashMap::from([("plan".to_owned(), "gold".to_owned())])
        );
        assert_eq!(organization.external_id, None);
    }

    #[test]
    fn create_organization_request_requires_a_name() {
        for name in ["", "  ", "\n"] {
            let (field, reason) = invalid(create_organization_request(
                name,
                CreateOrganizationOptions::default(),
            ));
            assert_eq!((field, reason.as_str()), ("name", "must not be empty"));
        }
    }

    // listOrganization(), listOrganization({ pageSize: 20, pageToken: 't' }),
    // listOrganization({ externalId: 'ext_1' })
    #[test]
    fn list_organization_request_matches_reference() {
        let none = list_organization_request(&ListOrganizationOptions::default());
        assert_eq!(none, ListOrganizationsRequest::default());
        assert_eq!(none, decode::<ListOrganizationsRequest>(REF_LIST_NONE));

        let full = list_organization_request(
            &ListOrganizationOptions::default()
                .with_page_size(20)
                .with_page_token("t"),
        );
        assert_eq!(
            full,
            ListOrganizationsRequest {
                page_size: 20,
                page_token: "t".to_owned(),
                external_id: None,
            }
        );
        assert_eq!(full, decode::<ListOrganizationsRequest>(REF_LIST_FULL));

        let ext = list_organization_request(
            &ListOrganizationOptions::default().with_external_id("ext_1"),
        );
        assert_eq!(ext.external_id.as_deref(), Some("ext_1"));
        assert_eq!(
            ext,
            decode::<ListOrganizationsRequest>(REF_LIST_EXTERNAL_ID)
        );
    }

    // getOrganization('org_1'), getOrganizationByExternalId('ext_1')
    #[test]
    fn get_organization_requests_match_reference() {
        let by_id = get_organization_request("org_1").unwrap();
        assert_eq!(
            by_id,
            GetOrganizationRequest {
                identities: Some(get_organization_request::Identities::Id("org_1".to_owned())),
            }
        );
        assert_eq!(by_id, decode::<GetOrganizationRequest>(REF_GET));

        let by_ext = get_organization_by_external_id_request("ext_1").unwrap();
        assert_eq!(
            by_ext,
            GetOrganizationRequest {
                identities: Some(get_organization_request::Identities::ExternalId(
                    "ext_1".to_owned()
                )),
            }
        );
        assert_eq!(
            by_ext,
            decode::<GetOrganizationRequest>(REF_GET_EXTERNAL_ID)
        );
    }

    #[test]
    fn get_organization_requests_validate_their_ids() {
        for id in ["", " ", " org_1", "org/1"] {
            let (field, _) = invalid(get_organization_request(id));
            assert_eq!(field, "organization_id", "{id:?}");
        }
        // External ids are the caller's: '/' and any prefix are fine.
        assert!(get_organization_by_external_id_request("tenant/42").is_ok());
        let (field, _) = invalid(get_organization_by_external_id_request(" "));
        assert_eq!(field, "external_id");
    }

    // updateOrganization('org_1', { displayName: 'N', externalId: 'e', metadata: { k: 'v' } }),
    // updateOrganization('org_1', {}), updateOrganizationByExternalId('ext_1', { displayName: 'N' })
    #[test]
    fn update_organization_requests_match_reference() {
        let update = UpdateOrganization {
            display_name: Some("N".to_owned()),
            external_id: Some("e".to_owned()),
            metadata: HashMap::from([("k".to_owned(), "v".to_owned())]),
        };
        let full = update_organization_request("org_1", update.clone()).unwrap();
        assert_eq!(
            full,
            UpdateOrganizationRequest {
                identities: Some(update_organization_request::Identities::Id(
                    "org_1".to_owned()
                )),
                organization: Some(update),
                update_mask: None,
            }
        );
        assert_eq!(full, decode::<UpdateOrganizationRequest>(REF_UPDATE_FULL));

        let empty = update_organization_request("org_1", UpdateOrganization::default()).unwrap();
        assert_eq!(empty.organization, Some(UpdateOrganization::default()));
        assert_eq!(empty, decode::<UpdateOrganizationRequest>(REF_UPDATE_EMPTY));

        let by_ext = update_organization_by_external_id_request(
            "ext_1",
            UpdateOrganization {
                display_name: Some("N".to_owned()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            by_ext,
            decode::<UpdateOrganizationRequest>(REF_UPDATE_EXTERNAL_ID)
        );

        let (field, _) = invalid(update_organization_request(
            "",
            UpdateOrganization::default(),
        ));
        assert_eq!(field, "organization_id");
        let (field, _) = invalid(update_organization_by_external_id_request(
            "",
            UpdateOrganization::default(),
        ));
        assert_eq!(field, "external_id");
    }

    // deleteOrganization('org_1')
    #[test]
    fn delete_organization_request_matches_reference() {
        let request = delete_organization_request("org_1").unwrap();
        assert_eq!(
            request,
            DeleteOrganizationRequest {
                identities: Some(delete_organization_request::Identities::Id(
                    "org_1".to_owned()
                )),
            }
        );
        assert_eq!(request, decode::<DeleteOrganizationRequest>(REF_DELETE));
        let (field, _) = invalid(delete_organization_request("org_1 "));
        assert_eq!(field, "organization_id");
    }

    // generatePortalLink('org_1'): only `id`, no features.
    #[test]
    fn generate_portal_link_request_matches_reference() {
        let request = generate_portal_link_request("org_1").unwrap();
        assert_eq!(
            request,
            GeneratePortalLinkRequest {
                id: "org_1".to_owned(),
                ..Default::default()
            }
        );
        assert_eq!(
            request,
            decode::<GeneratePortalLinkRequest>(REF_PORTAL_LINK)
        );
    }

    #[test]
    fn org_prefixed_requests_reject_other_ids() {
        let (field, reason) = invalid(generate_portal_link_request("usr_1"));
        assert_eq!(
            (field, reason.as_str()),
            ("organization_id", "must start with \"org_\"")
        );
        let (field, _) = invalid(update_organization_settings_request(
            "acme",
            OrganizationSettings::default(),
        ));
        assert_eq!(field, "organization_id");
        let (field, _) = invalid(upsert_user_management_settings_request(
            "",
            OrganizationUserManagementSettings::default(),
        ));
        assert_eq!(field, "organization_id");
    }

    // updateOrganizationSettings('org_1', { features: [{ name: 'sso', enabled: true },
    //   { name: 'dir_sync', enabled: false }] }), updateOrganizationSettings('org_1', { features: [] })
    #[test]
    fn update_organization_settings_request_matches_reference() {
        let feature = |name: &str, enabled| OrganizationSettingsFeature {
            name: name.to_owned(),
            enabled,
        };
        let settings = OrganizationSettings {
            features: vec![feature("sso", true), feature("dir_sync", false)],
        };
        let request = update_organization_settings_request("org_1", settings.clone()).unwrap();
        assert_eq!(
            request,
            UpdateOrganizationSettingsRequest {
                id: "org_1".to_owned(),
                settings: Some(settings),
            }
        );
        assert_eq!(
            request,
            decode::<UpdateOrganizationSettingsRequest>(REF_SETTINGS)
        );

        let empty =
            update_organization_settings_request("org_1", OrganizationSettings::default()).unwrap();
        assert_eq!(
            empty,
            decode::<UpdateOrganizationSettingsRequest>(REF_SETTINGS_EMPTY)
        );
    }

    // upsertUserManagementSettings('org_1', { maxAllowedUsers: 100 | 0 | null })
    #[test]
    fn upsert_user_management_settings_request_matches_reference() {
        let settings = |max| OrganizationUserManagementSettings {
            max_allowed_users: max,
        };
        for (max, reference) in [
            (Some(100), REF_USER_MANAGEMENT_100),
            (Some(0), REF_USER_MANAGEMENT_ZERO),
            (None, REF_USER_MANAGEMENT_NULL),
        ] {
            let request = upsert_user_management_settings_request("org_1", settings(max)).unwrap();
            assert_eq!(
                request,
                UpsertUserManagementSettingsRequest {
                    organization_id: "org_1".to_owned(),
                    settings: Some(settings(max)),
                }
            );
            assert_eq!(
                request,
                decode::<UpsertUserManagementSettingsRequest>(reference),
                "{max:?}"
            );
        }
    }

    #[test]
    fn options_setters_and_page_options() {
        let opts = CreateOrganizationOptions::default()
            .with_metadata("a", "1")
            .with_metadata_map([("b", "2")])
            .with_metadata("c", "3");
        assert_eq!(opts.metadata.len(), 2);
        assert!(!opts.metadata.contains_key("a"));

        let mut opts = ListOrganizationOptions::default()
            .with_page_size(5)
            .with_external_id("x");
        assert_eq!(PageOptions::page_token(&opts), None);
        opts.set_page_token("n".to_owned());
        assert_eq!(
            opts,
            ListOrganizationOptions::default()
                .with_page_size(5)
                .with_external_id("x")
                .with_page_token("n")
        );
    }
}
