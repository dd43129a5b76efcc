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

mod options;
mod organization_roles;
mod requests;
#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::proto::roles::RolesServiceClient;
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

use requests::{
    create_role_request, delete_role_base_request, delete_role_request, get_role_request,
    get_role_users_count_request, list_dependent_roles_request, list_roles_request,
    update_default_roles_request, update_role_request,
};

pub use crate::proto::roles::{
    CreateOrganizationRole, CreateRole, Role, RolePermission, UpdateDefaultRolesResponse,
    UpdateRole,
};

pub use options::{
    DeleteOrganizationRoleOptions, DeleteRoleOptions, GetOrganizationRoleOptions, GetRoleOptions,
    ListOrganizationRolesOptions, ListRolesOptions, UpdateDefaultRolesOptions,
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

    /// Removes an environment role's base role: it stops inheriting that
    /// role's permissions and keeps only its own.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.roles().delete_role_base("senior_editor").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Neither role is deleted: only the link between them. A role without a
    /// base role is left as it is. Undoing it takes an
    /// [`update_role`](RolesClient::update_role) that sets `extends` again.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for a name that is
    ///   not letters, digits and `_`.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn delete_role_base(&self, role_name: &str) -> Result<()> {
        let request = delete_role_base_request(role_name)?;
        call!(self.stub, delete_role_base(request)).await?;
        Ok(())
    }

    /// Chooses the environment roles that new users get: the creator role
    /// for the user who creates an organization, the member role for every
    /// other new member.
    ///
    /// ```
    /// use scalekit::roles::UpdateDefaultRolesOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = UpdateDefaultRolesOptions::default()
    ///         .with_default_creator_role("owner")
    ///         .with_default_member_role("member");
    ///     let defaults = client.roles().update_default_roles(opts).await?;
    ///     if let Some(member) = defaults.default_member {
    ///         println!("new members get {}", member.name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Only the roles that are set change; as in the reference, a call with
    /// neither set is still sent, and the server decides what it means.
    /// Returns both default roles as they now are. An organization can pick
    /// its own member role with
    /// [`update_default_organization_roles`](RolesClient::update_default_organization_roles).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if a set `default_creator_role` or
    ///   `default_member_role` is empty, untrimmed or contains `/`; nothing
    ///   is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for a role
    ///   the environment does not have ([`Error::is_not_found`]) or
    ///   `INVALID_ARGUMENT`.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/roles>
    pub async fn update_default_roles(
        &self,
        opts: UpdateDefaultRolesOptions,
    ) -> Result<UpdateDefaultRolesResponse> {
        let request = update_default_roles_request(opts)?;
        call!(self.stub, update_default_roles(request)).await
    }

    /// Lists the roles that extend an environment role, and so inherit its
    /// permissions.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let dependents = client.roles().list_dependent_roles("content_editor").await?;
    ///     for role in &dependents {
    ///         println!("{} extends content_editor", role.name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Useful before changing or deleting the role: every role listed names
    /// it as its base role and is affected. The RPC does not paginate.
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
    pub async fn list_dependent_roles(&self, role_name: &str) -> Result<Vec<Role>> {
        let request = list_dependent_roles_request(role_name)?;
        let response = call!(self.stub, list_dependent_roles(request)).await?;
        Ok(response.roles)
    }
}
