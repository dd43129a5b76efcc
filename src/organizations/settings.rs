//! The [`OrganizationsClient`] methods that act on an organization's
//! configuration rather than its record: the admin-portal link, the feature
//! settings, the user-management settings and the session policy.

use super::requests::{
    generate_portal_link_request, get_organization_session_policy_request,
    get_organization_user_management_setting_request, update_organization_session_policy_request,
    update_organization_settings_request, upsert_user_management_settings_request,
};
use super::{
    Link, Organization, OrganizationSessionPolicySettings, OrganizationSettings,
    OrganizationUserManagementSettings, OrganizationsClient,
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

    /// Gets an organization's user-management settings: the most members it
    /// may have.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let settings = client
    ///         .organizations()
    ///         .get_organization_user_management_setting("org_123")
    ///         .await?;
    ///     match settings.max_allowed_users {
    ///         Some(max) => println!("at most {max} members"),
    ///         None => println!("no member limit"),
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The name is the reference SDK's (`getOrganizationUserManagementSetting`,
    /// singular, after the RPC). An organization whose settings were never
    /// set has no limit: `max_allowed_users` is unset. To change them, use
    /// [`upsert_user_management_settings`](OrganizationsClient::upsert_user_management_settings).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("settings")` if the response has no
    ///   settings.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn get_organization_user_management_setting(
        &self,
        organization_id: &str,
    ) -> Result<OrganizationUserManagementSettings> {
        let request = get_organization_user_management_setting_request(organization_id)?;
        let response = call!(self.stub, get_organization_user_management_setting(request)).await?;
        response
            .settings
            .ok_or(Error::MalformedResponse("settings"))
    }

    /// Gets an organization's session policy: whether it follows the
    /// application's session timeouts or has its own.
    ///
    /// ```
    /// use scalekit::organizations::SessionPolicyType;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let policy = client
    ///         .organizations()
    ///         .get_organization_session_policy("org_123")
    ///         .await?;
    ///     if policy.policy_source() == SessionPolicyType::Custom {
    ///         println!(
    ///             "sessions end after {:?} ({:?})",
    ///             policy.absolute_session_timeout,
    ///             policy.absolute_session_timeout_unit(),
    ///         );
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// With [`SessionPolicyType::Application`](super::SessionPolicyType::Application)
    /// the timeouts are the application's; with
    /// [`Custom`](super::SessionPolicyType::Custom) the policy carries its
    /// own, and the stricter of the two applies when a session is created.
    /// The service reports timeouts in minutes, whatever unit they were set
    /// in.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("policy")` if the response has no
    ///   policy (the reference fails the same way).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn get_organization_session_policy(
        &self,
        organization_id: &str,
    ) -> Result<OrganizationSessionPolicySettings> {
        let request = get_organization_session_policy_request(organization_id)?;
        let response = call!(self.stub, get_organization_session_policy(request)).await?;
        response.policy.ok_or(Error::MalformedResponse("policy"))
    }

    /// Gives an organization its own session policy, or returns it to the
    /// application's.
    ///
    /// ```
    /// use scalekit::organizations::{OrganizationSessionPolicySettings, SessionPolicyType, TimeUnit};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let custom = OrganizationSessionPolicySettings {
    ///         policy_source: SessionPolicyType::Custom as i32,
    ///         absolute_session_timeout: Some(8),
    ///         absolute_session_timeout_unit: Some(TimeUnit::Hours as i32),
    ///         idle_session_timeout_enabled: Some(true),
    ///         idle_session_timeout: Some(30),
    ///         idle_session_timeout_unit: Some(TimeUnit::Minutes as i32),
    ///     };
    ///     let policy = client
    ///         .organizations()
    ///         .update_organization_session_policy("org_123", custom)
    ///         .await?;
    ///     println!("now {:?}", policy.policy_source());
    ///
    ///     // Back to the application's timeouts:
    ///     let application = OrganizationSessionPolicySettings {
    ///         policy_source: SessionPolicyType::Application as i32,
    ///         ..Default::default()
    ///     };
    ///     client
    ///         .organizations()
    ///         .update_organization_session_policy("org_123", application)
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `policy` takes one of the reference's two shapes:
    ///
    /// - `APPLICATION` alone, with every timeout field unset: the
    ///   organization follows the application's policy again.
    /// - `CUSTOM` with `absolute_session_timeout` and its unit, and
    ///   optionally the idle-timeout switch, value and unit (each sent only
    ///   when set). Units are minutes, hours or days.
    ///
    /// The stricter of the application's and the organization's values
    /// applies when a session is created. Returns the policy now in force,
    /// with its timeouts in minutes (`8` hours come back as `480` minutes).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`; if `policy_source` is
    ///   neither `APPLICATION` nor `CUSTOM`; if an `APPLICATION` policy sets
    ///   a timeout field; if a `CUSTOM` policy lacks the absolute timeout or
    ///   its unit; or if a unit is not minutes, hours or days. Nothing is
    ///   sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for a timeout out of
    ///   the server's range.
    /// - [`Error::MalformedResponse`]`("policy")` if the response has no
    ///   policy (the reference fails the same way).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/organizations>
    pub async fn update_organization_session_policy(
        &self,
        organization_id: &str,
        policy: OrganizationSessionPolicySettings,
    ) -> Result<OrganizationSessionPolicySettings> {
        let request = update_organization_session_policy_request(organization_id, policy)?;
        let response = call!(self.stub, update_organization_session_policy(request)).await?;
        response.policy.ok_or(Error::MalformedResponse("policy"))
    }
}
