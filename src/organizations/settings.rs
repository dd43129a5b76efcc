//! The [`OrganizationsClient`] methods that act on an organization's
//! configuration rather than its record: the admin-portal link, the feature
//! settings and the user-management settings.

use super::requests::{
    generate_portal_link_request, update_organization_settings_request,
    upsert_user_management_settings_request,
};
use super::{
    Link, Organization, OrganizationSettings, OrganizationUserManagementSettings,
    OrganizationsClient,
};
use crate::error::{Error, Result};
use crate::transport::call::call;

impl OrganizationsClient {
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
