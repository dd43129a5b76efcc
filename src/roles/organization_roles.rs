//! The [`RolesClient`] methods for roles that exist in one organization
//! only, and for an organization's default roles; the environment-role
//! methods are in the parent module.

use super::requests::{
    create_organization_role_request, delete_organization_role_base_request,
    delete_organization_role_request, get_organization_role_request,
    get_organization_role_users_count_request, list_organization_roles_request,
    update_default_organization_roles_request, update_organization_role_request,
};
use super::{
    CreateOrganizationRole, DeleteOrganizationRoleOptions, GetOrganizationRoleOptions,
    ListOrganizationRolesOptions, Role, RolesClient, UpdateRole,
};
use crate::error::{Error, Result};
use crate::transport::call::call;

impl RolesClient {
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
