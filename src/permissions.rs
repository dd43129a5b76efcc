//! Permissions and their assignment to roles.
//!
//! [`PermissionsClient`] wraps the permission RPCs of
//! `scalekit.v1.roles.RolesService` with the method names of the other
//! Scalekit SDKs. A permission is a named action (`read:invoices`); roles
//! hold permissions directly and inherit those of their base role. The role
//! RPCs of the same service are in [`roles`](crate::roles).
//!
//! ```
//! use scalekit::permissions::CreatePermission;
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let permissions = client.permissions();
//!     permissions
//!         .create_permission(CreatePermission {
//!             name: "read:invoices".to_owned(),
//!             description: "View invoice details".to_owned(),
//!         })
//!         .await?;
//!     permissions
//!         .add_permissions_to_role("billing_viewer", ["read:invoices"])
//!         .await?;
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
use crate::proto::roles::RolesServiceClient;
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

use requests::{
    add_permissions_to_role_request, create_permission_request, delete_permission_request,
    get_permission_request, list_effective_role_permissions_request, list_permissions_request,
    list_role_permissions_request, remove_permission_from_role_request, update_permission_request,
};

pub use crate::proto::roles::{CreatePermission, Permission};
pub use options::ListPermissionsOptions;

/// Permissions; obtained from
/// [`ScalekitClient::permissions`](crate::ScalekitClient::permissions).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call. [`list_permissions_stream`](PermissionsClient::list_permissions_stream)
/// keeps its own clone, so its stream is `'static`.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let permission = client.permissions().get_permission("read:invoices").await?;
///     println!("{}: {}", permission.name, permission.description);
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct PermissionsClient {
    stub: Stub<RolesServiceClient<AuthChannel>>,
}

impl PermissionsClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        PermissionsClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.roles.RolesService",
                RolesServiceClient::new,
            ),
        }
    }

    /// Creates a permission.
    ///
    /// ```
    /// use scalekit::permissions::CreatePermission;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let permission = client
    ///         .permissions()
    ///         .create_permission(CreatePermission {
    ///             name: "read:invoices".to_owned(),
    ///             description: "View invoice details".to_owned(),
    ///         })
    ///         .await?;
    ///     println!("created {}", permission.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `permission` is sent as given. Names are unique in the environment and
    /// are letters, digits, underscores and colons (`action:resource`).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `permission.name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `ALREADY_EXISTS` for a
    ///   taken name ([`Error::is_conflict`]) or `INVALID_ARGUMENT` for a name
    ///   the server's rules reject.
    /// - [`Error::MalformedResponse`]`("permission")` if the response has no
    ///   permission.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn create_permission(&self, permission: CreatePermission) -> Result<Permission> {
        let request = create_permission_request(permission)?;
        let response = call!(self.stub, create_permission(request)).await?;
        response
            .permission
            .ok_or(Error::MalformedResponse("permission"))
    }

    /// Gets a permission by name.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let permission = client.permissions().get_permission("read:invoices").await?;
    ///     println!("{}", permission.description);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `permission_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("permission")` if the response has no
    ///   permission.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn get_permission(&self, permission_name: &str) -> Result<Permission> {
        let request = get_permission_request(permission_name)?;
        let response = call!(self.stub, get_permission(request)).await?;
        response
            .permission
            .ok_or(Error::MalformedResponse("permission"))
    }

    /// Lists one page of the environment's permissions.
    ///
    /// ```
    /// use scalekit::permissions::ListPermissionsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .permissions()
    ///         .list_permissions(ListPermissionsOptions::default().with_page_size(50))
    ///         .await?;
    ///     for permission in &page {
    ///         println!("{}: {}", permission.name, permission.description);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// An unset page size or token is not sent: the server then picks the
    /// page size and starts at the first page. To walk every page, use
    /// [`list_permissions_stream`](PermissionsClient::list_permissions_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for a
    ///   page size out of the server's range (at most 100) or an unknown page
    ///   token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn list_permissions(&self, opts: ListPermissionsOptions) -> Result<Page<Permission>> {
        let request = list_permissions_request(&opts);
        let response = call!(self.stub, list_permissions(request)).await?;
        Ok(Page::new(
            response.permissions,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every permission of the environment, fetching pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::permissions::ListPermissionsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListPermissionsOptions::default().with_page_size(100);
    ///     let all: Vec<_> = client.permissions().list_permissions_stream(opts).try_collect().await?;
    ///     println!("{} permissions", all.len());
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
    /// [`list_permissions`](PermissionsClient::list_permissions), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub fn list_permissions_stream(
        &self,
        opts: ListPermissionsOptions,
    ) -> impl Stream<Item = Result<Permission>> + Send + 'static {
        let client = self.clone();
        paginate(opts, move |opts| {
            let client = client.clone();
            async move { client.list_permissions(opts).await }
        })
    }

    /// Updates a permission's description.
    ///
    /// ```
    /// use scalekit::permissions::CreatePermission;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let permission = client
    ///         .permissions()
    ///         .update_permission(
    ///             "read:invoices",
    ///             CreatePermission {
    ///                 name: "read:invoices".to_owned(),
    ///                 description: "View invoice details and history".to_owned(),
    ///             },
    ///         )
    ///         .await?;
    ///     println!("{}", permission.description);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `permission` is sent as given. The name identifies the permission and
    /// cannot be changed: leave `permission.name` empty or equal to
    /// `permission_name`.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `permission_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for a changed name.
    /// - [`Error::MalformedResponse`]`("permission")` if the response has no
    ///   permission.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn update_permission(
        &self,
        permission_name: &str,
        permission: CreatePermission,
    ) -> Result<Permission> {
        let request = update_permission_request(permission_name, permission)?;
        let response = call!(self.stub, update_permission(request)).await?;
        response
            .permission
            .ok_or(Error::MalformedResponse("permission"))
    }

    /// Deletes a permission.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.permissions().delete_permission("deprecated:feature").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// This cannot be undone. Remove the permission from the roles that hold
    /// it first.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `permission_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `FAILED_PRECONDITION` while a role holds
    ///   the permission.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn delete_permission(&self, permission_name: &str) -> Result<()> {
        let request = delete_permission_request(permission_name)?;
        call!(self.stub, delete_permission(request)).await?;
        Ok(())
    }

    /// Lists the permissions assigned directly to an environment role,
    /// without inherited ones.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let direct = client.permissions().list_role_permissions("editor").await?;
    ///     println!("{} direct permissions", direct.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The RPC does not paginate. For inherited permissions too, use
    /// [`list_effective_role_permissions`](PermissionsClient::list_effective_role_permissions).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   role ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn list_role_permissions(&self, role_name: &str) -> Result<Vec<Permission>> {
        let request = list_role_permissions_request(role_name)?;
        let response = call!(self.stub, list_role_permissions(request)).await?;
        Ok(response.permissions)
    }

    /// Adds permissions to an environment role, keeping the ones it has.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let now = client
    ///         .permissions()
    ///         .add_permissions_to_role("editor", ["read:documents", "write:documents"])
    ///         .await?;
    ///     println!("editor now has {} permissions", now.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Returns every permission the role now holds directly. Adding one it
    /// already has changes nothing.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` or one of
    ///   `permission_names` is empty, untrimmed or contains `/`, or
    ///   `permission_names` is empty; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   role or permission ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn add_permissions_to_role(
        &self,
        role_name: &str,
        permission_names: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Vec<Permission>> {
        let request = add_permissions_to_role_request(role_name, permission_names)?;
        let response = call!(self.stub, add_permissions_to_role(request)).await?;
        Ok(response.permissions)
    }

    /// Removes a permission assigned directly to an environment role.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client
    ///         .permissions()
    ///         .remove_permission_from_role("editor", "delete:documents")
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Permissions the role inherits from its base role stay; change the base
    /// role to remove those.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` or `permission_name` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   role or a permission the role does not hold directly
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn remove_permission_from_role(
        &self,
        role_name: &str,
        permission_name: &str,
    ) -> Result<()> {
        let request = remove_permission_from_role_request(role_name, permission_name)?;
        call!(self.stub, remove_permission_from_role(request)).await?;
        Ok(())
    }

    /// Lists every permission an environment role grants: its own and those
    /// inherited through its base roles.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let permissions = client.permissions();
    ///     let direct = permissions.list_role_permissions("senior_editor").await?;
    ///     let effective = permissions
    ///         .list_effective_role_permissions("senior_editor")
    ///         .await?;
    ///     println!("{} inherited", effective.len() - direct.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The RPC does not paginate.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `role_name` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   role ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/permissions>
    pub async fn list_effective_role_permissions(
        &self,
        role_name: &str,
    ) -> Result<Vec<Permission>> {
        let request = list_effective_role_permissions_request(role_name)?;
        let response = call!(self.stub, list_effective_role_permissions(request)).await?;
        Ok(response.permissions)
    }
}
