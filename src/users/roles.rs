//! The [`UsersClient`] methods for what a member may do in one
//! organization: the roles they hold, the permissions those roles grant,
//! and assigning or removing single roles without replacing the others
//! (which [`update_membership`](UsersClient::update_membership) does).

use super::requests::{
    assign_user_roles_request, list_user_permissions_request, list_user_roles_request,
    remove_user_role_request,
};
use super::{Permission, Role, UsersClient};
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::transport::call::call;

impl UsersClient {
    /// Lists the roles a user holds in an organization.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let roles = client.users().list_user_roles("org_123", "usr_456").await?;
    ///     for role in &roles {
    ///         println!("{} ({})", role.name, role.display_name);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The RPC does not paginate: every role comes back at once.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `user_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   user or organization, or a user who is not a member
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn list_user_roles(&self, organization_id: &str, user_id: &str) -> Result<Vec<Role>> {
        let request = list_user_roles_request(organization_id, user_id)?;
        let response = call!(self.stub, list_user_roles(request)).await?;
        Ok(response.roles)
    }

    /// Lists the permissions a user has in an organization, through all of
    /// their roles.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let permissions = client
    ///         .users()
    ///         .list_user_permissions("org_123", "usr_456")
    ///         .await?;
    ///     let can_export = permissions.iter().any(|p| p.name == "export:reports");
    ///     println!("may export: {can_export}");
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The effective set: what each role grants itself and what it inherits
    /// from the roles it extends. The RPC does not paginate.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `user_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   user or organization, or a user who is not a member
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn list_user_permissions(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Vec<Permission>> {
        let request = list_user_permissions_request(organization_id, user_id)?;
        let response = call!(self.stub, list_user_permissions(request)).await?;
        Ok(response.permissions)
    }

    /// Gives a member more roles in an organization, keeping the ones they
    /// hold.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let roles = client
    ///         .users()
    ///         .assign_user_roles("org_123", "usr_456", ["billing_admin", "auditor"])
    ///         .await?;
    ///     println!("now holds {} roles", roles.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Roles are named by `role_name`; the result is every role the member
    /// now holds. Assigning a role they already hold changes nothing. Not
    /// resent after a lost response, as the server may have applied it.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id`, `user_id` or one of
    ///   `roles` is empty, untrimmed or contains `/`, or `roles` is empty
    ///   (field `"roles"`); nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   user or organization, or a user who is not a member
    ///   ([`Error::is_not_found`]), or `INVALID_ARGUMENT` for an unknown role.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn assign_user_roles(
        &self,
        organization_id: &str,
        user_id: &str,
        roles: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Vec<Role>> {
        let request = assign_user_roles_request(organization_id, user_id, roles)?;
        let response = call!(self.stub, assign_user_roles(request)).await?;
        Ok(response.roles)
    }

    /// Takes one role away from a member of an organization, keeping the
    /// others.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client
    ///         .users()
    ///         .remove_user_role("org_123", "usr_456", "billing_admin")
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The membership itself stays; to end it, use
    /// [`delete_membership`](UsersClient::delete_membership).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id`, `user_id` or
    ///   `role_name` is empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   user or organization, a user who is not a member or a role they do
    ///   not hold ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn remove_user_role(
        &self,
        organization_id: &str,
        user_id: &str,
        role_name: &str,
    ) -> Result<()> {
        let request = remove_user_role_request(organization_id, user_id, role_name)?;
        call!(self.stub, remove_user_role(request)).await?;
        Ok(())
    }
}
