//! Request construction: the argument checks of each [`RolesClient`] method
//! and the exact proto message it sends, kept apart from the calls so that
//! the unit tests can compare them with the reference SDK's requests.

#[cfg(doc)]
use super::RolesClient;
use super::{
    CreateOrganizationRole, CreateRole, DeleteOrganizationRoleOptions, DeleteRoleOptions,
    GetOrganizationRoleOptions, GetRoleOptions, ListOrganizationRolesOptions, ListRolesOptions,
    UpdateDefaultRolesOptions, UpdateRole,
};
use crate::error::Result;

use crate::proto::roles::{
    CreateOrganizationRoleRequest, CreateRoleRequest, DeleteOrganizationRoleBaseRequest,
    DeleteOrganizationRoleRequest, DeleteRoleBaseRequest, DeleteRoleRequest,
    GetOrganizationRoleRequest, GetOrganizationRoleUsersCountRequest, GetRoleRequest,
    GetRoleUsersCountRequest, ListDependentRolesRequest, ListOrganizationRolesRequest,
    ListRolesRequest, UpdateDefaultOrganizationRolesRequest, UpdateDefaultRolesRequest,
    UpdateOrganizationRoleRequest, UpdateRoleRequest,
};
use crate::validate;

pub(super) fn create_role_request(role: CreateRole) -> Result<CreateRoleRequest> {
    validate::require_id("name", &role.name)?;
    Ok(CreateRoleRequest { role: Some(role) })
}

pub(super) fn get_role_request(role_name: &str, opts: GetRoleOptions) -> Result<GetRoleRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(GetRoleRequest {
        role_name: role_name.to_owned(),
        include: opts.include,
    })
}

pub(super) fn list_roles_request(opts: ListRolesOptions) -> ListRolesRequest {
    ListRolesRequest {
        include: opts.include,
    }
}

pub(super) fn update_role_request(role_name: &str, role: UpdateRole) -> Result<UpdateRoleRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(UpdateRoleRequest {
        role_name: role_name.to_owned(),
        role: Some(role),
    })
}

pub(super) fn delete_role_request(
    role_name: &str,
    opts: DeleteRoleOptions,
) -> Result<DeleteRoleRequest> {
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

pub(super) fn get_role_users_count_request(role_name: &str) -> Result<GetRoleUsersCountRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(GetRoleUsersCountRequest {
        role_name: role_name.to_owned(),
    })
}

pub(super) fn delete_role_base_request(role_name: &str) -> Result<DeleteRoleBaseRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(DeleteRoleBaseRequest {
        role_name: role_name.to_owned(),
    })
}

pub(super) fn update_default_roles_request(
    opts: UpdateDefaultRolesOptions,
) -> Result<UpdateDefaultRolesRequest> {
    // The reference refuses an empty name and leaves an unset one out; it
    // sends a request with neither, and so does this (the server decides).
    if let Some(role_name) = &opts.default_creator_role {
        validate::require_id("default_creator_role", role_name)?;
    }
    if let Some(role_name) = &opts.default_member_role {
        validate::require_id("default_member_role", role_name)?;
    }
    #[allow(deprecated)] // the deprecated role messages are never sent
    Ok(UpdateDefaultRolesRequest {
        default_creator: None,
        default_member: None,
        default_creator_role: opts.default_creator_role,
        default_member_role: opts.default_member_role,
    })
}

pub(super) fn list_dependent_roles_request(role_name: &str) -> Result<ListDependentRolesRequest> {
    validate::require_id("role_name", role_name)?;
    Ok(ListDependentRolesRequest {
        role_name: role_name.to_owned(),
    })
}

pub(super) fn create_organization_role_request(
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

pub(super) fn get_organization_role_request(
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

pub(super) fn list_organization_roles_request(
    organization_id: &str,
    opts: ListOrganizationRolesOptions,
) -> Result<ListOrganizationRolesRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(ListOrganizationRolesRequest {
        org_id: organization_id.to_owned(),
        include: opts.include,
    })
}

pub(super) fn update_organization_role_request(
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

pub(super) fn delete_organization_role_request(
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

pub(super) fn get_organization_role_users_count_request(
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

pub(super) fn update_default_organization_roles_request(
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

pub(super) fn delete_organization_role_base_request(
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
