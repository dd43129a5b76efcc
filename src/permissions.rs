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

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, token_page_options, Page};
use crate::proto::roles::{
    AddPermissionsToRoleRequest, CreatePermissionRequest, DeletePermissionRequest,
    GetPermissionRequest, ListEffectiveRolePermissionsRequest, ListPermissionsRequest,
    ListRolePermissionsRequest, RemovePermissionFromRoleRequest, RolesServiceClient,
    UpdatePermissionRequest,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::roles::{CreatePermission, Permission};

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

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// Optional parameters of [`PermissionsClient::list_permissions`] and
/// [`PermissionsClient::list_permissions_stream`].
///
/// ```
/// use scalekit::permissions::ListPermissionsOptions;
///
/// let opts = ListPermissionsOptions::default().with_page_size(50).with_page_token("tok_2");
/// assert_eq!(opts.page_size, Some(50));
/// assert_eq!(opts.page_token.as_deref(), Some("tok_2"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListPermissionsOptions {
    /// Permissions per page; unset, the server's default. Sent as given: the
    /// server enforces its range (at most 100).
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl ListPermissionsOptions {
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
}

token_page_options!(ListPermissionsOptions);

// ---------------------------------------------------------------------------
// Requests: validation and the exact proto message each method sends.
// ---------------------------------------------------------------------------

fn create_permission_request(permission: CreatePermission) -> Result<CreatePermissionRequest> {
    validate::require_id("name", &permission.name)?;
    Ok(CreatePermissionRequest {
        permission: Some(permission),
    })
}

fn get_permission_request(permission_name: &str) -> Result<GetPermissionRequest> {
    validate::require_id("permission_name", permission_name)?;
    Ok(GetPermissionRequest {
        permission_name: permission_name.to_owned(),
    })
}

/// The reference sends the page fields only when given (they are proto3
/// `optional`), so an explicit 0 is sent and an unset size is not.
fn list_permissions_request(opts: &ListPermissionsOptions) -> ListPermissionsRequest {
    ListPermissionsRequest {
        page_token: opts.page_token.clone(),
        page_size: opts.page_size,
        r#type: 0,
    }
}

fn update_permission_request(
    permission_name: &str,
    permission: CreatePermission,
) -> Result<UpdatePermissionRequest> {
    validate::require_id("permission_name", permission_name)?;
    Ok(UpdatePermissionRequest {
        permission_name: permission_name.to_owned(),
        permission: Some(permission),
    })
}

fn delete_permission_request(permission_name: &str) -> Result<DeletePermissionRequest> {
    validate::require_id("permission_name", permission_name)?;
    Ok(DeletePermissionRequest {
        permission_name: permission_name.to_owned(),
    })
}

fn list_role_permissions_request(role_name: &str) -> Result<ListRolePermissionsRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(ListRolePermissionsRequest {
        role_name: role_name.to_owned(),
    })
}

fn add_permissions_to_role_request(
    role_name: &str,
    permission_names: impl IntoIterator<Item = impl Into<String>>,
) -> Result<AddPermissionsToRoleRequest> {
    validate::require_id("role_name", role_name)?;
    let permission_names: Vec<String> = permission_names.into_iter().map(Into::into).collect();
    if permission_names.is_empty() {
        return Err(Error::invalid_argument(
            "permission_names",
            "must name at least one permission",
        ));
    }
    for name in &permission_names {
        validate::require_id("permission_names", name)?;
    }
    Ok(AddPermissionsToRoleRequest {
        role_name: role_name.to_owned(),
        permission_names,
    })
}

fn remove_permission_from_role_request(
    role_name: &str,
    permission_name: &str,
) -> Result<RemovePermissionFromRoleRequest> {
    validate::require_id("role_name", role_name)?;
    validate::require_id("permission_name", permission_name)?;
    Ok(RemovePermissionFromRoleRequest {
        role_name: role_name.to_owned(),
        permission_name: permission_name.to_owned(),
    })
}

fn list_effective_role_permissions_request(
    role_name: &str,
) -> Result<ListEffectiveRolePermissionsRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(ListEffectiveRolePermissionsRequest {
        role_name: role_name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/permission.js`) encodes for
    //! the same call, captured by running its `PermissionClient` with a
    //! `connectExec` stub that records
    //! `toBinary(method.input, create(method.input, req))`.

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

    fn invalid<T: std::fmt::Debug>(result: Result<T>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { field, reason }) => (field, reason),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    const REF_CREATE_PERMISSION: &str = "0a0b0a06726561643a61120164";
    const REF_CREATE_PERMISSION_MIN: &str = "0a080a06726561643a61";
    const REF_GET_PERMISSION: &str = "0a06726561643a61";
    const REF_LIST_PERMISSIONS_NONE: &str = "";
    const REF_LIST_PERMISSIONS_ZERO: &str = "1000";
    const REF_LIST_PERMISSIONS_FULL: &str = "0a01741014";
    const REF_UPDATE_PERMISSION: &str = "0a06726561643a611a0c0a06726561643a6112026432";
    const REF_DELETE_PERMISSION: &str = "0a06726561643a61";
    const REF_LIST_ROLE_PERMISSIONS: &str = "0a06656469746f72";
    const REF_ADD_PERMISSIONS_TO_ROLE: &str = "0a06656469746f721206726561643a61120777726974653a61";
    const REF_REMOVE_PERMISSION_FROM_ROLE: &str = "0a06656469746f721206726561643a61";
    const REF_LIST_EFFECTIVE_ROLE_PERMISSIONS: &str = "0a06656469746f72";

    fn permission(name: &str, description: &str) -> CreatePermission {
        CreatePermission {
            name: name.to_owned(),
            description: description.to_owned(),
        }
    }

    // createPermission({ name: 'read:a', description: 'd' }); createPermission({ name: 'read:a' })
    #[test]
    fn create_permission_request_matches_reference() {
        let request = create_permission_request(permission("read:a", "d")).unwrap();
        assert_eq!(
            request,
            CreatePermissionRequest {
                permission: Some(permission("read:a", "d")),
            }
        );
        assert_eq!(
            request,
            decode::<CreatePermissionRequest>(REF_CREATE_PERMISSION)
        );
        let min = create_permission_request(permission("read:a", "")).unwrap();
        assert_eq!(
            min,
            decode::<CreatePermissionRequest>(REF_CREATE_PERMISSION_MIN)
        );
        for name in ["", " ", "read:a ", "a/b"] {
            let (field, _) = invalid(create_permission_request(permission(name, "")));
            assert_eq!(field, "name", "{name:?}");
        }
    }

    // getPermission('read:a'); deletePermission('read:a')
    #[test]
    fn get_and_delete_permission_requests_match_reference() {
        let get = get_permission_request("read:a").unwrap();
        assert_eq!(get, decode::<GetPermissionRequest>(REF_GET_PERMISSION));
        let delete = delete_permission_request("read:a").unwrap();
        assert_eq!(
            delete,
            decode::<DeletePermissionRequest>(REF_DELETE_PERMISSION)
        );
        let (field, _) = invalid(get_permission_request(""));
        assert_eq!(field, "permission_name");
        let (field, _) = invalid(delete_permission_request("a/b"));
        assert_eq!(field, "permission_name");
    }

    // listPermissions(); listPermissions(undefined, 0); listPermissions('t', 20)
    #[test]
    fn list_permissions_request_matches_reference() {
        let none = list_permissions_request(&ListPermissionsOptions::default());
        assert_eq!(none, ListPermissionsRequest::default());
        assert_eq!(
            none,
            decode::<ListPermissionsRequest>(REF_LIST_PERMISSIONS_NONE)
        );
        let zero = list_permissions_request(&ListPermissionsOptions::default().with_page_size(0));
        assert_eq!(zero.page_size, Some(0));
        assert_eq!(
            zero,
            decode::<ListPermissionsRequest>(REF_LIST_PERMISSIONS_ZERO)
        );
        let full = list_permissions_request(
            &ListPermissionsOptions::default()
                .with_page_size(20)
                .with_page_token("t"),
        );
        assert_eq!(
            full,
            ListPermissionsRequest {
                page_token: Some("t".to_owned()),
                page_size: Some(20),
                r#type: 0,
            }
        );
        assert_eq!(
            full,
            decode::<ListPermissionsRequest>(REF_LIST_PERMISSIONS_FULL)
        );
    }

    // updatePermission('read:a', { name: 'read:a', description: 'd2' })
    #[test]
    fn update_permission_request_matches_reference() {
        let request = update_permission_request("read:a", permission("read:a", "d2")).unwrap();
        assert_eq!(
            request,
            UpdatePermissionRequest {
                permission_name: "read:a".to_owned(),
                permission: Some(permission("read:a", "d2")),
            }
        );
        assert_eq!(
            request,
            decode::<UpdatePermissionRequest>(REF_UPDATE_PERMISSION)
        );
        let (field, _) = invalid(update_permission_request(" ", permission("", "")));
        assert_eq!(field, "permission_name");
    }

    // listRolePermissions('editor'); listEffectiveRolePermissions('editor')
    #[test]
    fn role_permission_list_requests_match_reference() {
        let direct = list_role_permissions_request("editor").unwrap();
        assert_eq!(
            direct,
            decode::<ListRolePermissionsRequest>(REF_LIST_ROLE_PERMISSIONS)
        );
        let effective = list_effective_role_permissions_request("editor").unwrap();
        assert_eq!(
            effective,
            decode::<ListEffectiveRolePermissionsRequest>(REF_LIST_EFFECTIVE_ROLE_PERMISSIONS)
        );
        let (field, _) = invalid(list_role_permissions_request(""));
        assert_eq!(field, "role_name");
        let (field, _) = invalid(list_effective_role_permissions_request("a/b"));
        assert_eq!(field, "role_name");
    }

    // addPermissionsToRole('editor', ['read:a', 'write:a'])
    #[test]
    fn add_permissions_to_role_request_matches_reference() {
        let request = add_permissions_to_role_request("editor", ["read:a", "write:a"]).unwrap();
        assert_eq!(
            request,
            AddPermissionsToRoleRequest {
                role_name: "editor".to_owned(),
                permission_names: vec!["read:a".to_owned(), "write:a".to_owned()],
            }
        );
        assert_eq!(
            request,
            decode::<AddPermissionsToRoleRequest>(REF_ADD_PERMISSIONS_TO_ROLE)
        );
        let (field, _) = invalid(add_permissions_to_role_request(
            "editor",
            Vec::<String>::new(),
        ));
        assert_eq!(field, "permission_names");
        let (field, _) = invalid(add_permissions_to_role_request("editor", ["read:a", ""]));
        assert_eq!(field, "permission_names");
        let (field, _) = invalid(add_permissions_to_role_request("", ["read:a"]));
        assert_eq!(field, "role_name");
    }

    // removePermissionFromRole('editor', 'read:a')
    #[test]
    fn remove_permission_from_role_request_matches_reference() {
        let request = remove_permission_from_role_request("editor", "read:a").unwrap();
        assert_eq!(
            request,
            decode::<RemovePermissionFromRoleRequest>(REF_REMOVE_PERMISSION_FROM_ROLE)
        );
        let (field, _) = invalid(remove_permission_from_role_request("editor", ""));
        assert_eq!(field, "permission_name");
        let (field, _) = invalid(remove_permission_from_role_request(" editor", "read:a"));
        assert_eq!(field, "role_name");
    }

    #[test]
    fn list_permissions_options_implement_page_options() {
        let mut opts = ListPermissionsOptions::default().with_page_size(5);
        assert_eq!(PageOptions::page_token(&opts), None);
        opts.set_page_token("n".to_owned());
        assert_eq!(
            opts,
            ListPermissionsOptions::default()
                .with_page_size(5)
                .with_page_token("n")
        );
    }
}
