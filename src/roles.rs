//! Roles of the environment and of single organizations.
//!
//! [`RolesClient`] wraps the role RPCs of `scalekit.v1.roles.RolesService`
//! with the method names of the other Scalekit SDKs. Environment roles are
//! shared by every organization; organization roles exist only in theirs.
//! A role can extend a base role and so inherit its permissions. The
//! permission RPCs of the same service are in
//! [`permissions`](crate::permissions).
//!
//! ```
//! use scalekit::roles::{CreateRole, ListRolesOptions};
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let roles = client.roles();
//!     let role = roles
//!         .create_role(CreateRole {
//!             name: "content_editor".to_owned(),
//!             display_name: "Content Editor".to_owned(),
//!             permissions: vec!["content:read".to_owned(), "content:write".to_owned()],
//!             ..Default::default()
//!         })
//!         .await?;
//!     println!("created {}", role.id);
//!     for role in roles.list_roles(ListRolesOptions::default()).await? {
//!         println!("{} ({})", role.name, role.display_name);
//!     }
//!     Ok(())
//! }
//! ```

use crate::error::{Error, Result};
use crate::proto::roles::{
    CreateOrganizationRoleRequest, CreateRoleRequest, DeleteOrganizationRoleBaseRequest,
    DeleteOrganizationRoleRequest, DeleteRoleRequest, GetOrganizationRoleRequest,
    GetOrganizationRoleUsersCountRequest, GetRoleRequest, GetRoleUsersCountRequest,
    ListOrganizationRolesRequest, ListRolesRequest, RolesServiceClient,
    UpdateDefaultOrganizationRolesRequest, UpdateOrganizationRoleRequest, UpdateRoleRequest,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::roles::{
    CreateOrganizationRole, CreateRole, Role, RolePermission, UpdateRole,
};

/// Roles; obtained from [`ScalekitClient::roles`](crate::ScalekitClient::roles).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let count = client.roles().get_role_users_count("admin").await?;
///     println!("{count} admins");
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct RolesClient {
    stub: Stub<RolesServiceClient<AuthChannel>>,
}

impl RolesClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        RolesClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.roles.RolesService",
                RolesServiceClient::new,
            ),
        }
    }

    /// Creates an environment role, available to every organization.
    ///
    /// ```
    /// use scalekit::roles::CreateRole;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let role = client
    ///         .roles()
    ///         .create_role(CreateRole {
    ///             name: "senior_editor".to_owned(),
    ///             display_name: "Senior Editor".to_owned(),
    ///             description: Some("Editor with publishing rights".to_owned()),
    ///             extends: Some("content_editor".to_owned()),
    ///             permissions: vec!["content:publish".to_owned()],
    ///         })
    ///         .await?;
    ///     println!("created {} extending {:?}", role.name, role.extends);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `role` is sent as given. Its permissions must already exist (see
    /// [`PermissionsClient::create_permission`](crate::permissions::PermissionsClient::create_permission));
    /// with `extends` the role also inherits every permission of that base
    /// role.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role.name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `ALREADY_EXISTS` for a
    ///   taken name ([`Error::is_conflict`]), `NOT_FOUND` for an unknown base
    ///   role or permission ([`Error::is_not_found`]), `INVALID_ARGUMENT` for a
    ///   name or display name the server's rules reject.
    /// - [`Error::MalformedResponse`]`("role")` if the response has no role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn create_role(&self, role: CreateRole) -> Result<Role> {
        let request = create_role_request(role)?;
        let response = call!(self.stub, create_role(request)).await?;
        response.role.ok_or(Error::MalformedResponse("role"))
    }

    /// Gets an environment role by name.
    ///
    /// ```
    /// use scalekit::roles::GetRoleOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = GetRoleOptions::default().with_include("permissions:all");
    ///     let role = client.roles().get_role("content_editor", opts).await?;
    ///     println!("{}: {} permissions", role.display_name, role.permissions.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The role's permissions are returned only when
    /// [`include`](GetRoleOptions::include) asks for them.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for an unknown
    ///   `include` value.
    /// - [`Error::MalformedResponse`]`("role")` if the response has no role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn get_role(&self, role_name: &str, opts: GetRoleOptions) -> Result<Role> {
        let request = get_role_request(role_name, opts)?;
        let response = call!(self.stub, get_role(request)).await?;
        response.role.ok_or(Error::MalformedResponse("role"))
    }

    /// Lists the environment's roles.
    ///
    /// ```
    /// use scalekit::roles::ListRolesOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let roles = client.roles().list_roles(ListRolesOptions::default()).await?;
    ///     for role in roles.iter().filter(|r| r.default_member) {
    ///         println!("new members get {}", role.name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The RPC does not paginate: every role comes in one response.
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for an
    ///   unknown `include` value.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn list_roles(&self, opts: ListRolesOptions) -> Result<Vec<Role>> {
        let request = list_roles_request(opts);
        let response = call!(self.stub, list_roles(request)).await?;
        Ok(response.roles)
    }

    /// Updates an environment role's display name, description, base role or
    /// permissions.
    ///
    /// ```
    /// use scalekit::roles::UpdateRole;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let update = UpdateRole {
    ///         display_name: Some("Content Editor (Updated)".to_owned()),
    ///         permissions: vec!["content:read".to_owned(), "content:review".to_owned()],
    ///         ..Default::default()
    ///     };
    ///     let role = client.roles().update_role("content_editor", update).await?;
    ///     println!("updated {}", role.name);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Unset fields stay as they are; a non-empty `permissions` list replaces
    /// the role's direct permissions. The name cannot be changed.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   role, base role or permission ([`Error::is_not_found`]), or
    ///   `INVALID_ARGUMENT` for a base role that would make a cycle.
    /// - [`Error::MalformedResponse`]`("role")` if the response has no role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn update_role(&self, role_name: &str, role: UpdateRole) -> Result<Role> {
        let request = update_role_request(role_name, role)?;
        let response = call!(self.stub, update_role(request)).await?;
        response.role.ok_or(Error::MalformedResponse("role"))
    }

    /// Deletes an environment role, moving its users (and the roles that
    /// extend it) to another role.
    ///
    /// ```
    /// use scalekit::roles::DeleteRoleOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = DeleteRoleOptions::default().with_reassign_role_name("member");
    ///     client.roles().delete_role("old_role", opts).await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// A role that users hold or other roles extend can only be deleted with
    /// a [`reassign_role_name`](DeleteRoleOptions::reassign_role_name). This
    /// cannot be undone.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` (or a set
    ///   `reassign_role_name`) is empty, untrimmed or contains `/`; nothing is
    ///   sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]), or `FAILED_PRECONDITION` when the role is
    ///   in use and no reassign role was named, or is a default role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn delete_role(&self, role_name: &str, opts: DeleteRoleOptions) -> Result<()> {
        let request = delete_role_request(role_name, opts)?;
        call!(self.stub, delete_role(request)).await?;
        Ok(())
    }

    /// Counts the users who hold an environment role, in any organization.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let count = client.roles().get_role_users_count("admin").await?;
    ///     println!("{count} users have the admin role");
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Useful before deleting or changing a role.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn get_role_users_count(&self, role_name: &str) -> Result<i64> {
        let request = get_role_users_count_request(role_name)?;
        let response = call!(self.stub, get_role_users_count(request)).await?;
        Ok(response.count)
    }

    /// Creates a role that exists only in one organization.
    ///
    /// ```
    /// use scalekit::roles::CreateOrganizationRole;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let role = CreateOrganizationRole {
    ///         name: "department_lead".to_owned(),
    ///         display_name: "Department Lead".to_owned(),
    ///         description: Some("Manages department members".to_owned()),
    ///         permissions: vec!["dept:members:read".to_owned()],
    ///         ..Default::default()
    ///     };
    ///     let role = client
    ///         .roles()
    ///         .create_organization_role("org_123", role)
    ///         .await?;
    ///     println!("created {} (organization role: {})", role.name, role.is_org_role);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `role` is sent as given. It may extend an environment role or another
    /// role of the same organization.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `role.name` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization, base role or permission ([`Error::is_not_found`]), or
    ///   `ALREADY_EXISTS` for a name taken in the organization or the
    ///   environment ([`Error::is_conflict`]).
    /// - [`Error::MalformedResponse`]`("role")` if the response has no role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn create_organization_role(
        &self,
        organization_id: &str,
        role: CreateOrganizationRole,
    ) -> Result<Role> {
        let request = create_organization_role_request(organization_id, role)?;
        let response = call!(self.stub, create_organization_role(request)).await?;
        response.role.ok_or(Error::MalformedResponse("role"))
    }

    /// Gets a role as an organization sees it: one of its own roles or an
    /// environment role.
    ///
    /// ```
    /// use scalekit::roles::GetOrganizationRoleOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = GetOrganizationRoleOptions::default().with_include("permissions");
    ///     let role = client
    ///         .roles()
    ///         .get_organization_role("org_123", "department_lead", opts)
    ///         .await?;
    ///     for permission in &role.permissions {
    ///         println!("{}", permission.name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The role's permissions are returned only when
    /// [`include`](GetOrganizationRoleOptions::include) asks for them.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `role_name` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization or role ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("role")` if the response has no role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn get_organization_role(
        &self,
        organization_id: &str,
        role_name: &str,
        opts: GetOrganizationRoleOptions,
    ) -> Result<Role> {
        let request = get_organization_role_request(organization_id, role_name, opts)?;
        let response = call!(self.stub, get_organization_role(request)).await?;
        response.role.ok_or(Error::MalformedResponse("role"))
    }

    /// Lists the roles an organization can use: the environment's and its
    /// own.
    ///
    /// ```
    /// use scalekit::roles::ListOrganizationRolesOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let roles = client
    ///         .roles()
    ///         .list_organization_roles("org_123", ListOrganizationRolesOptions::default())
    ///         .await?;
    ///     for role in &roles {
    ///         let scope = if role.is_org_role { "organization" } else { "environment" };
    ///         println!("{} ({scope})", role.display_name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The RPC does not paginate: every role comes in one response.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn list_organization_roles(
        &self,
        organization_id: &str,
        opts: ListOrganizationRolesOptions,
    ) -> Result<Vec<Role>> {
        let request = list_organization_roles_request(organization_id, opts)?;
        let response = call!(self.stub, list_organization_roles(request)).await?;
        Ok(response.roles)
    }

    /// Updates one of an organization's own roles.
    ///
    /// ```
    /// use scalekit::roles::UpdateRole;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let update = UpdateRole {
    ///         permissions: vec!["dept:members:read".to_owned(), "dept:members:invite".to_owned()],
    ///         ..Default::default()
    ///     };
    ///     let role = client
    ///         .roles()
    ///         .update_organization_role("org_123", "department_lead", update)
    ///         .await?;
    ///     println!("updated {}", role.name);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Unset fields stay as they are; a non-empty `permissions` list replaces
    /// the role's direct permissions. Environment roles cannot be changed
    /// through an organization.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `role_name` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization, organization role, base role or permission
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("role")` if the response has no role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn update_organization_role(
        &self,
        organization_id: &str,
        role_name: &str,
        role: UpdateRole,
    ) -> Result<Role> {
        let request = update_organization_role_request(organization_id, role_name, role)?;
        let response = call!(self.stub, update_organization_role(request)).await?;
        response.role.ok_or(Error::MalformedResponse("role"))
    }

    /// Deletes one of an organization's own roles, moving its members to
    /// another role.
    ///
    /// ```
    /// use scalekit::roles::DeleteOrganizationRoleOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = DeleteOrganizationRoleOptions::default().with_reassign_role_name("member");
    ///     client
    ///         .roles()
    ///         .delete_organization_role("org_123", "old_role", opts)
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// A role that members hold or other roles extend can only be deleted with
    /// a [`reassign_role_name`](DeleteOrganizationRoleOptions::reassign_role_name).
    /// This cannot be undone.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `role_name` (or a
    ///   set `reassign_role_name`) is empty, untrimmed or contains `/`;
    ///   nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]), or `FAILED_PRECONDITION` when the role is
    ///   in use and no reassign role was named.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn delete_organization_role(
        &self,
        organization_id: &str,
        role_name: &str,
        opts: DeleteOrganizationRoleOptions,
    ) -> Result<()> {
        let request = delete_organization_role_request(organization_id, role_name, opts)?;
        call!(self.stub, delete_organization_role(request)).await?;
        Ok(())
    }

    /// Counts the members of an organization who hold a role.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let count = client
    ///         .roles()
    ///         .get_organization_role_users_count("org_123", "admin")
    ///         .await?;
    ///     println!("{count} admins in this organization");
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The role may be an environment role or one of the organization's own.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `role_name` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization or role ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn get_organization_role_users_count(
        &self,
        organization_id: &str,
        role_name: &str,
    ) -> Result<i64> {
        let request = get_organization_role_users_count_request(organization_id, role_name)?;
        let response = call!(self.stub, get_organization_role_users_count(request)).await?;
        Ok(response.count)
    }

    /// Sets the role new members of an organization get when none is named.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let role = client
    ///         .roles()
    ///         .update_default_organization_roles("org_123", "viewer")
    ///         .await?;
    ///     println!("new members now get {}", role.name);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Returns the new default member role. It applies to memberships and
    /// invitations created from now on.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or
    ///   `default_member_role` is empty, untrimmed or contains `/`; nothing is
    ///   sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization or role ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("default_member")` if the response has
    ///   no role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn update_default_organization_roles(
        &self,
        organization_id: &str,
        default_member_role: &str,
    ) -> Result<Role> {
        let request =
            update_default_organization_roles_request(organization_id, default_member_role)?;
        let response = call!(self.stub, update_default_organization_roles(request)).await?;
        response
            .default_member
            .ok_or(Error::MalformedResponse("default_member"))
    }

    /// Removes an organization role's base role, so it keeps only its direct
    /// permissions.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client
    ///         .roles()
    ///         .delete_organization_role_base("org_123", "custom_role")
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// This cannot be undone (set `extends` again with
    /// [`update_organization_role`](RolesClient::update_organization_role)).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `role_name` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization or organization role ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn delete_organization_role_base(
        &self,
        organization_id: &str,
        role_name: &str,
    ) -> Result<()> {
        let request = delete_organization_role_base_request(organization_id, role_name)?;
        call!(self.stub, delete_organization_role_base(request)).await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

macro_rules! include_options {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            /// Extra data in the returned roles: `"permissions"` (direct
            /// permissions) or `"permissions:all"` (with inherited ones).
            /// Unset, roles come without permissions. Not in the other
            /// Scalekit SDKs, which never send it.
            pub include: Option<String>,
        }

        impl $name {
            /// Sets [`include`](Self::include).
            #[must_use]
            pub fn with_include(mut self, include: impl Into<String>) -> Self {
                self.include = Some(include.into());
                self
            }
        }
    };
}

include_options!(
    /// Optional parameters of [`RolesClient::get_role`].
    ///
    /// ```
    /// use scalekit::roles::GetRoleOptions;
    ///
    /// let opts = GetRoleOptions::default().with_include("permissions");
    /// assert_eq!(opts.include.as_deref(), Some("permissions"));
    /// ```
    GetRoleOptions
);

include_options!(
    /// Optional parameters of [`RolesClient::list_roles`].
    ///
    /// ```
    /// use scalekit::roles::ListRolesOptions;
    ///
    /// let opts = ListRolesOptions::default().with_include("permissions:all");
    /// assert_eq!(opts.include.as_deref(), Some("permissions:all"));
    /// ```
    ListRolesOptions
);

include_options!(
    /// Optional parameters of [`RolesClient::get_organization_role`].
    ///
    /// ```
    /// use scalekit::roles::GetOrganizationRoleOptions;
    ///
    /// let opts = GetOrganizationRoleOptions::default();
    /// assert_eq!(opts.include, None);
    /// ```
    GetOrganizationRoleOptions
);

include_options!(
    /// Optional parameters of [`RolesClient::list_organization_roles`].
    ///
    /// ```
    /// use scalekit::roles::ListOrganizationRolesOptions;
    ///
    /// let opts = ListOrganizationRolesOptions::default().with_include("permissions");
    /// assert_eq!(opts.include.as_deref(), Some("permissions"));
    /// ```
    ListOrganizationRolesOptions
);

macro_rules! reassign_options {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            /// The role that users of the deleted role (and roles extending
            /// it) move to; required by the server when there are any.
            pub reassign_role_name: Option<String>,
        }

        impl $name {
            /// Sets [`reassign_role_name`](Self::reassign_role_name).
            #[must_use]
            pub fn with_reassign_role_name(mut self, role_name: impl Into<String>) -> Self {
                self.reassign_role_name = Some(role_name.into());
                self
            }
        }
    };
}

reassign_options!(
    /// Optional parameters of [`RolesClient::delete_role`].
    ///
    /// ```
    /// use scalekit::roles::DeleteRoleOptions;
    ///
    /// let opts = DeleteRoleOptions::default().with_reassign_role_name("member");
    /// assert_eq!(opts.reassign_role_name.as_deref(), Some("member"));
    /// ```
    DeleteRoleOptions
);

reassign_options!(
    /// Optional parameters of [`RolesClient::delete_organization_role`].
    ///
    /// ```
    /// use scalekit::roles::DeleteOrganizationRoleOptions;
    ///
    /// let opts = DeleteOrganizationRoleOptions::default().with_reassign_role_name("member");
    /// assert_eq!(opts.reassign_role_name.as_deref(), Some("member"));
    /// ```
    DeleteOrganizationRoleOptions
);

// ---------------------------------------------------------------------------
// Requests: validation and the exact proto message each method sends.
// ---------------------------------------------------------------------------

fn create_role_request(role: CreateRole) -> Result<CreateRoleRequest> {
    validate::require_id("name", &role.name)?;
    Ok(CreateRoleRequest { role: Some(role) })
}

fn get_role_request(role_name: &str, opts: GetRoleOptions) -> Result<GetRoleRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(GetRoleRequest {
        role_name: role_name.to_owned(),
        include: opts.include,
    })
}

fn list_roles_request(opts: ListRolesOptions) -> ListRolesRequest {
    ListRolesRequest {
        include: opts.include,
    }
}

fn update_role_request(role_name: &str, role: UpdateRole) -> Result<UpdateRoleRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(UpdateRoleRequest {
        role_name: role_name.to_owned(),
        role: Some(role),
    })
}

fn delete_role_request(role_name: &str, opts: DeleteRoleOptions) -> Result<DeleteRoleRequest> {
    validate::require_id("role_name", role_name)?;
    if let Some(reassign) = &opts.reassign_role_name {
        validate::require_id("reassign_role_name", reassign)?;
    }
    #[allow(deprecated)] // the deprecated reassign_role_id is never sent
    Ok(DeleteRoleRequest {
        role_name: role_name.to_owned(),
        reassign_role_id: None,
        reassign_role_name: opts.reassign_role_name,
    })
}

fn get_role_users_count_request(role_name: &str) -> Result<GetRoleUsersCountRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(GetRoleUsersCountRequest {
        role_name: role_name.to_owned(),
    })
}

fn create_organization_role_request(
    organization_id: &str,
    role: CreateOrganizationRole,
) -> Result<CreateOrganizationRoleRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("name", &role.name)?;
    Ok(CreateOrganizationRoleRequest {
        org_id: organization_id.to_owned(),
        role: Some(role),
    })
}

fn get_organization_role_request(
    organization_id: &str,
    role_name: &str,
    opts: GetOrganizationRoleOptions,
) -> Result<GetOrganizationRoleRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("role_name", role_name)?;
    Ok(GetOrganizationRoleRequest {
        org_id: organization_id.to_owned(),
        role_name: role_name.to_owned(),
        include: opts.include,
    })
}

fn list_organization_roles_request(
    organization_id: &str,
    opts: ListOrganizationRolesOptions,
) -> Result<ListOrganizationRolesRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(ListOrganizationRolesRequest {
        org_id: organization_id.to_owned(),
        include: opts.include,
    })
}

fn update_organization_role_request(
    organization_id: &str,
    role_name: &str,
    role: UpdateRole,
) -> Result<UpdateOrganizationRoleRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("role_name", role_name)?;
    Ok(UpdateOrganizationRoleRequest {
        org_id: organization_id.to_owned(),
        role_name: role_name.to_owned(),
        role: Some(role),
    })
}

fn delete_organization_role_request(
    organization_id: &str,
    role_name: &str,
    opts: DeleteOrganizationRoleOptions,
) -> Result<DeleteOrganizationRoleRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("role_name", role_name)?;
    if let Some(reassign) = &opts.reassign_role_name {
        validate::require_id("reassign_role_name", reassign)?;
    }
    Ok(DeleteOrganizationRoleRequest {
        org_id: organization_id.to_owned(),
        role_name: role_name.to_owned(),
        reassign_role_name: opts.reassign_role_name,
    })
}

fn get_organization_role_users_count_request(
    organization_id: &str,
    role_name: &str,
) -> Result<GetOrganizationRoleUsersCountRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("role_name", role_name)?;
    Ok(GetOrganizationRoleUsersCountRequest {
        org_id: organization_id.to_owned(),
        role_name: role_name.to_owned(),
    })
}

fn update_default_organization_roles_request(
    organization_id: &str,
    default_member_role: &str,
) -> Result<UpdateDefaultOrganizationRolesRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("default_member_role", default_member_role)?;
    Ok(UpdateDefaultOrganizationRolesRequest {
        org_id: organization_id.to_owned(),
        default_member_role: default_member_role.to_owned(),
    })
}

fn delete_organization_role_base_request(
    organization_id: &str,
    role_name: &str,
) -> Result<DeleteOrganizationRoleBaseRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("role_name", role_name)?;
    Ok(DeleteOrganizationRoleBaseRequest {
        org_id: organization_id.to_owned(),
        role_name: role_name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/role.js`) encodes for the
    //! same call, captured by running its `RoleClient` with a `connectExec`
    //! stub that records `toBinary(method.input, create(method.input, req))`.
    //! Comparing decoded messages proves the facade sends the same fields and
    //! nothing else.

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

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    const REF_CREATE_ROLE_FULL: &str = "122c1206656469746f721a06456469746f7222016442067669657765724a06726561643a614a0777726974653a61";
    const REF_CREATE_ROLE_MIN: &str = "12101206656469746f721a06456469746f72";
    const REF_GET_ROLE: &str = "1206656469746f72";
    const REF_LIST_ROLES: &str = "";
    const REF_UPDATE_ROLE_FULL: &str =
        "1206656469746f721a160a014512016432067669657765723a06726561643a61";
    const REF_UPDATE_ROLE_EMPTY: &str = "1206656469746f721a00";
    const REF_DELETE_ROLE: &str = "1206656469746f72";
    const REF_DELETE_ROLE_REASSIGN: &str = "1206656469746f7222066d656d626572";
    const REF_GET_ROLE_USERS_COUNT: &str = "1206656469746f72";
    const REF_CREATE_ORG_ROLE: &str =
        "0a056f72675f31121f12046c6561641a044c65616422016442066d656d6265724a06726561643a61";
    const REF_GET_ORG_ROLE: &str = "0a056f72675f3112046c656164";
    const REF_LIST_ORG_ROLES: &str = "0a056f72675f31";
    const REF_UPDATE_ORG_ROLE: &str = "0a056f72675f3112046c6561641a030a014c";
    const REF_DELETE_ORG_ROLE: &str = "0a056f72675f3112046c656164";
    const REF_DELETE_ORG_ROLE_REASSIGN: &str = "0a056f72675f3112046c6561641a066d656d626572";
    const REF_GET_ORG_ROLE_USERS_COUNT: &str = "0a056f72675f3112046c656164";
    const REF_UPDATE_DEFAULT_ORG_ROLES: &str = "0a056f72675f3112046c656164";
    const REF_DELETE_ORG_ROLE_BASE: &str = "0a056f72675f3112046c656164";

    // createRole({ name: 'editor', displayName: 'Editor', description: 'd',
    //   extends: 'viewer', permissions: ['read:a', 'write:a'] })
    #[test]
    fn create_role_request_matches_reference() {
        let role = CreateRole {
            name: "editor".to_owned(),
            display_name: "Editor".to_owned(),
            description: Some("d".to_owned()),
            extends: Some("viewer".to_owned()),
            permissions: strings(&["read:a", "write:a"]),
        };
        let request = create_role_request(role.clone()).unwrap();
        assert_eq!(request, CreateRoleRequest { role: Some(role) });
        assert_eq!(request, decode::<CreateRoleRequest>(REF_CREATE_ROLE_FULL));

        let min = create_role_request(CreateRole {
            name: "editor".to_owned(),
            display_name: "Editor".to_owned(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(min, decode::<CreateRoleRequest>(REF_CREATE_ROLE_MIN));
    }

    #[test]
    fn create_role_request_validates_name() {
        for name in ["", " ", " editor", "a/b"] {
            let role = CreateRole {
                name: name.to_owned(),
                ..Default::default()
            };
            let (field, _) = invalid(create_role_request(role));
            assert_eq!(field, "name", "{name:?}");
        }
    }

    // getRole('editor'); listRoles()
    #[test]
    fn get_and_list_roles_requests_match_reference() {
        let request = get_role_request("editor", GetRoleOptions::default()).unwrap();
        assert_eq!(
            request,
            GetRoleRequest {
                role_name: "editor".to_owned(),
                include: None,
            }
        );
        assert_eq!(request, decode::<GetRoleRequest>(REF_GET_ROLE));
        let with = get_role_request(
            "editor",
            GetRoleOptions::default().with_include("permissions"),
        )
        .unwrap();
        assert_eq!(with.include.as_deref(), Some("permissions"));
        let (field, _) = invalid(get_role_request("", GetRoleOptions::default()));
        assert_eq!(field, "role_name");

        let list = list_roles_request(ListRolesOptions::default());
        assert_eq!(list, ListRolesRequest { include: None });
        assert_eq!(list, decode::<ListRolesRequest>(REF_LIST_ROLES));
    }

    // updateRole('editor', { displayName: 'E', description: 'd', extends: 'viewer',
    //   permissions: ['read:a'] }); updateRole('editor', {})
    #[test]
    fn update_role_request_matches_reference() {
        let role = UpdateRole {
            display_name: Some("E".to_owned()),
            description: Some("d".to_owned()),
            extends: Some("viewer".to_owned()),
            permissions: strings(&["read:a"]),
        };
        let request = update_role_request("editor", role.clone()).unwrap();
        assert_eq!(
            request,
            UpdateRoleRequest {
                role_name: "editor".to_owned(),
                role: Some(role),
            }
        );
        assert_eq!(request, decode::<UpdateRoleRequest>(REF_UPDATE_ROLE_FULL));
        let empty = update_role_request("editor", UpdateRole::default()).unwrap();
        assert_eq!(empty, decode::<UpdateRoleRequest>(REF_UPDATE_ROLE_EMPTY));
        let (field, _) = invalid(update_role_request("a/b", UpdateRole::default()));
        assert_eq!(field, "role_name");
    }

    // deleteRole('editor'); deleteRole('editor', 'member')
    #[test]
    #[allow(deprecated)]
    fn delete_role_request_matches_reference() {
        let plain = delete_role_request("editor", DeleteRoleOptions::default()).unwrap();
        assert_eq!(plain.reassign_role_name, None);
        assert_eq!(plain.reassign_role_id, None);
        assert_eq!(plain, decode::<DeleteRoleRequest>(REF_DELETE_ROLE));
        let opts = DeleteRoleOptions::default().with_reassign_role_name("member");
        let reassign = delete_role_request("editor", opts).unwrap();
        assert_eq!(reassign.reassign_role_name.as_deref(), Some("member"));
        assert_eq!(
            reassign,
            decode::<DeleteRoleRequest>(REF_DELETE_ROLE_REASSIGN)
        );
        let opts = DeleteRoleOptions::default().with_reassign_role_name(" ");
        let (field, _) = invalid(delete_role_request("editor", opts));
        assert_eq!(field, "reassign_role_name");
    }

    // getRoleUsersCount('editor')
    #[test]
    fn get_role_users_count_request_matches_reference() {
        let request = get_role_users_count_request("editor").unwrap();
        assert_eq!(
            request,
            decode::<GetRoleUsersCountRequest>(REF_GET_ROLE_USERS_COUNT)
        );
        let (field, _) = invalid(get_role_users_count_request(""));
        assert_eq!(field, "role_name");
    }

    // createOrganizationRole('org_1', { name: 'lead', displayName: 'Lead', description: 'd',
    //   extends: 'member', permissions: ['read:a'] })
    #[test]
    fn create_organization_role_request_matches_reference() {
        let role = CreateOrganizationRole {
            name: "lead".to_owned(),
            display_name: "Lead".to_owned(),
            description: Some("d".to_owned()),
            extends: Some("member".to_owned()),
            permissions: strings(&["read:a"]),
        };
        let request = create_organization_role_request("org_1", role.clone()).unwrap();
        assert_eq!(
            request,
            CreateOrganizationRoleRequest {
                org_id: "org_1".to_owned(),
                role: Some(role.clone()),
            }
        );
        assert_eq!(
            request,
            decode::<CreateOrganizationRoleRequest>(REF_CREATE_ORG_ROLE)
        );
        let (field, _) = invalid(create_organization_role_request("", role));
        assert_eq!(field, "organization_id");
        let (field, _) = invalid(create_organization_role_request(
            "org_1",
            CreateOrganizationRole::default(),
        ));
        assert_eq!(field, "name");
    }

    // getOrganizationRole('org_1', 'lead'); listOrganizationRoles('org_1')
    #[test]
    fn get_and_list_organization_roles_requests_match_reference() {
        let get =
            get_organization_role_request("org_1", "lead", GetOrganizationRoleOptions::default())
                .unwrap();
        assert_eq!(
            get,
            GetOrganizationRoleRequest {
                org_id: "org_1".to_owned(),
                role_name: "lead".to_owned(),
                include: None,
            }
        );
        assert_eq!(get, decode::<GetOrganizationRoleRequest>(REF_GET_ORG_ROLE));
        let list =
            list_organization_roles_request("org_1", ListOrganizationRolesOptions::default())
                .unwrap();
        assert_eq!(
            list,
            decode::<ListOrganizationRolesRequest>(REF_LIST_ORG_ROLES)
        );
        let (field, _) = invalid(get_organization_role_request(
            "org_1",
            "",
            GetOrganizationRoleOptions::default(),
        ));
        assert_eq!(field, "role_name");
        let (field, _) = invalid(list_organization_roles_request(
            " org_1",
            ListOrganizationRolesOptions::default(),
        ));
        assert_eq!(field, "organization_id");
    }

    // updateOrganizationRole('org_1', 'lead', { displayName: 'L' })
    #[test]
    fn update_organization_role_request_matches_reference() {
        let role = UpdateRole {
            display_name: Some("L".to_owned()),
            ..Default::default()
        };
        let request = update_organization_role_request("org_1", "lead", role).unwrap();
        assert_eq!(
            request,
            decode::<UpdateOrganizationRoleRequest>(REF_UPDATE_ORG_ROLE)
        );
        let (field, _) = invalid(update_organization_role_request(
            "org_1",
            "",
            UpdateRole::default(),
        ));
        assert_eq!(field, "role_name");
    }

    // deleteOrganizationRole('org_1', 'lead'); deleteOrganizationRole('org_1', 'lead', 'member')
    #[test]
    fn delete_organization_role_request_matches_reference() {
        let plain = delete_organization_role_request(
            "org_1",
            "lead",
            DeleteOrganizationRoleOptions::default(),
        )
        .unwrap();
        assert_eq!(
            plain,
            DeleteOrganizationRoleRequest {
                org_id: "org_1".to_owned(),
                role_name: "lead".to_owned(),
                reassign_role_name: None,
            }
        );
        assert_eq!(
            plain,
            decode::<DeleteOrganizationRoleRequest>(REF_DELETE_ORG_ROLE)
        );
        let opts = DeleteOrganizationRoleOptions::default().with_reassign_role_name("member");
        let reassign = delete_organization_role_request("org_1", "lead", opts).unwrap();
        assert_eq!(
            reassign,
            decode::<DeleteOrganizationRoleRequest>(REF_DELETE_ORG_ROLE_REASSIGN)
        );
    }

    // getOrganizationRoleUsersCount('org_1', 'lead'); updateDefaultOrganizationRoles('org_1', 'lead');
    // deleteOrganizationRoleBase('org_1', 'lead')
    #[test]
    fn organization_role_misc_requests_match_reference() {
        let count = get_organization_role_users_count_request("org_1", "lead").unwrap();
        assert_eq!(
            count,
            decode::<GetOrganizationRoleUsersCountRequest>(REF_GET_ORG_ROLE_USERS_COUNT)
        );
        let defaults = update_default_organization_roles_request("org_1", "lead").unwrap();
        assert_eq!(
            defaults,
            UpdateDefaultOrganizationRolesRequest {
                org_id: "org_1".to_owned(),
                default_member_role: "lead".to_owned(),
            }
        );
        assert_eq!(
            defaults,
            decode::<UpdateDefaultOrganizationRolesRequest>(REF_UPDATE_DEFAULT_ORG_ROLES)
        );
        let base = delete_organization_role_base_request("org_1", "lead").unwrap();
        assert_eq!(
            base,
            decode::<DeleteOrganizationRoleBaseRequest>(REF_DELETE_ORG_ROLE_BASE)
        );
        let (field, _) = invalid(update_default_organization_roles_request("org_1", ""));
        assert_eq!(field, "default_member_role");
        let (field, _) = invalid(delete_organization_role_base_request("org/1", "lead"));
        assert_eq!(field, "organization_id");
        let (field, _) = invalid(get_organization_role_users_count_request("org_1", "a/b"));
        assert_eq!(field, "role_name");
    }
}
