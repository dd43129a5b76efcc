//! Request construction: the argument checks of each [`PermissionsClient`]
//! method and the exact proto message it sends, kept apart from the calls so
//! that the unit tests can compare them with the reference SDK's requests.

#[cfg(doc)]
use super::PermissionsClient;
use super::{CreatePermission, ListPermissionsOptions};
use crate::error::{Error, Result};
use crate::proto::roles::{
    AddPermissionsToRoleRequest, CreatePermissionRequest, DeletePermissionRequest,
    GetPermissionRequest, ListEffectiveRolePermissionsRequest, ListPermissionsRequest,
    ListRolePermissionsRequest, RemovePermissionFromRoleRequest, UpdatePermissionRequest,
};
use crate::validate;

pub(super) fn create_permission_request(
    permission: CreatePermission,
) -> Result<CreatePermissionRequest> {
    validate::require_id("name", &permission.name)?;
    Ok(CreatePermissionRequest {
        permission: Some(permission),
    })
}

pub(super) fn get_permission_request(permission_name: &str) -> Result<GetPermissionRequest> {
    validate::require_id("permission_name", permission_name)?;
    Ok(GetPermissionRequest {
        permission_name: permission_name.to_owned(),
    })
}

/// The reference sends the page fields only when given (they are proto3
/// `optional`), so an explicit 0 is sent and an unset size is not.
pub(super) fn list_permissions_request(opts: &ListPermissionsOptions) -> ListPermissionsRequest {
    ListPermissionsRequest {
        page_token: opts.page_token.clone(),
        page_size: opts.page_size,
        r#type: 0,
    }
}

pub(super) fn update_permission_request(
    permission_name: &str,
    permission: CreatePermission,
) -> Result<UpdatePermissionRequest> {
    validate::require_id("permission_name", permission_name)?;
    Ok(UpdatePermissionRequest {
        permission_name: permission_name.to_owned(),
        permission: Some(permission),
    })
}

pub(super) fn delete_permission_request(permission_name: &str) -> Result<DeletePermissionRequest> {
    validate::require_id("permission_name", permission_name)?;
    Ok(DeletePermissionRequest {
        permission_name: permission_name.to_owned(),
    })
}

pub(super) fn list_role_permissions_request(role_name: &str) -> Result<ListRolePermissionsRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(ListRolePermissionsRequest {
        role_name: role_name.to_owned(),
    })
}

pub(super) fn add_permissions_to_role_request(
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

pub(super) fn remove_permission_from_role_request(
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

pub(super) fn list_effective_role_permissions_request(
    role_name: &str,
) -> Result<ListEffectiveRolePermissionsRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(ListEffectiveRolePermissionsRequest {
        role_name: role_name.to_owned(),
    })
}
