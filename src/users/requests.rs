//! Request construction: the argument checks of each [`UsersClient`] method
//! and the exact proto message it sends, kept apart from the calls so that
//! the unit tests can compare them with the reference SDK's requests.

#[cfg(doc)]
use super::UsersClient;
use super::{CreateMembership, CreateUser, Role, UpdateUser};
use super::{
    CreateMembershipOptions, CreateUserAndMembershipOptions, ListOrganizationUsersOptions,
    ListUsersOptions, SearchOrganizationUsersOptions, SearchUsersOptions, UpdateMembershipOptions,
};
use crate::error::{Error, Result};
use crate::proto::users::{
    create_membership_request, delete_membership_request, delete_user_request, get_user_request,
    update_membership_request, update_user_request, AssignRoleRequest, AssignUserRolesRequest,
    CreateMembershipRequest, CreateUserAndMembershipRequest, DeleteMembershipRequest,
    DeleteUserRequest, GetUserRequest, ListOrganizationUsersRequest, ListUserPermissionsRequest,
    ListUserRolesRequest, ListUsersRequest, RemoveUserRoleRequest, ResendInviteRequest,
    SearchOrganizationUsersRequest, SearchUsersRequest, UpdateMembership, UpdateMembershipRequest,
    UpdateUserRequest,
};
use crate::validate;

/// Role names as the other Scalekit SDKs send them: only `name` set.
fn roles(names: Vec<String>) -> Vec<Role> {
    names
        .into_iter()
        .map(|name| Role {
            name,
            ..Default::default()
        })
        .collect()
}

pub(super) fn create_user_and_membership_request(
    organization_id: &str,
    user: CreateUser,
    opts: CreateUserAndMembershipOptions,
) -> Result<CreateUserAndMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_non_empty("email", &user.email)?;
    Ok(CreateUserAndMembershipRequest {
        organization_id: organization_id.to_owned(),
        user: Some(user),
        send_invitation_email: opts.send_invitation_email,
    })
}

pub(super) fn get_user_request(user_id: &str) -> Result<GetUserRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(GetUserRequest {
        identities: Some(get_user_request::Identities::Id(user_id.to_owned())),
    })
}

pub(super) fn get_user_by_external_id_request(external_id: &str) -> Result<GetUserRequest> {
    validate::require_non_empty("external_id", external_id)?;
    Ok(GetUserRequest {
        identities: Some(get_user_request::Identities::ExternalId(
            external_id.to_owned(),
        )),
    })
}

pub(super) fn list_users_request(opts: &ListUsersOptions) -> ListUsersRequest {
    ListUsersRequest {
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    }
}

pub(super) fn update_user_request(user_id: &str, user: UpdateUser) -> Result<UpdateUserRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(UpdateUserRequest {
        identities: Some(update_user_request::Identities::Id(user_id.to_owned())),
        user: Some(user),
    })
}

/// The reference types the update of this variant without an external id
/// and never sends one, so a new external id set here is refused rather
/// than silently dropped or sent where the reference sends nothing.
pub(super) fn update_user_by_external_id_request(
    external_id: &str,
    user: UpdateUser,
) -> Result<UpdateUserRequest> {
    validate::require_non_empty("external_id", external_id)?;
    if user.external_id.is_some() {
        return Err(Error::invalid_argument(
            "user.external_id",
            "must be unset: use update_user to change a user's external id",
        ));
    }
    Ok(UpdateUserRequest {
        identities: Some(update_user_request::Identities::ExternalId(
            external_id.to_owned(),
        )),
        user: Some(user),
    })
}

pub(super) fn delete_user_request(user_id: &str) -> Result<DeleteUserRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(DeleteUserRequest {
        identities: Some(delete_user_request::Identities::Id(user_id.to_owned())),
    })
}

pub(super) fn delete_user_by_external_id_request(external_id: &str) -> Result<DeleteUserRequest> {
    validate::require_non_empty("external_id", external_id)?;
    Ok(DeleteUserRequest {
        identities: Some(delete_user_request::Identities::ExternalId(
            external_id.to_owned(),
        )),
    })
}

pub(super) fn create_membership_request(
    organization_id: &str,
    user_id: &str,
    opts: CreateMembershipOptions,
) -> Result<CreateMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    let user = create_membership_request::Identities::Id(user_id.to_owned());
    Ok(create_membership(organization_id, user, opts))
}

pub(super) fn create_membership_by_external_id_request(
    organization_id: &str,
    external_id: &str,
    opts: CreateMembershipOptions,
) -> Result<CreateMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_non_empty("external_id", external_id)?;
    let user = create_membership_request::Identities::ExternalId(external_id.to_owned());
    Ok(create_membership(organization_id, user, opts))
}

/// The membership is always sent, empty or not, as the reference does.
fn create_membership(
    organization_id: &str,
    user: create_membership_request::Identities,
    opts: CreateMembershipOptions,
) -> CreateMembershipRequest {
    CreateMembershipRequest {
        organization_id: organization_id.to_owned(),
        membership: Some(CreateMembership {
            roles: roles(opts.roles),
            metadata: opts.metadata,
            inviter_email: opts.inviter_email,
        }),
        send_invitation_email: opts.send_invitation_email,
        identities: Some(user),
    }
}

pub(super) fn delete_membership_request(
    organization_id: &str,
    user_id: &str,
) -> Result<DeleteMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    let user = delete_membership_request::Identities::Id(user_id.to_owned());
    Ok(delete_membership(organization_id, user))
}

pub(super) fn delete_membership_by_external_id_request(
    organization_id: &str,
    external_id: &str,
) -> Result<DeleteMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_non_empty("external_id", external_id)?;
    let user = delete_membership_request::Identities::ExternalId(external_id.to_owned());
    Ok(delete_membership(organization_id, user))
}

/// No `cascade`: the reference never sends it, so the server's default
/// (keep the user) applies.
fn delete_membership(
    organization_id: &str,
    user: delete_membership_request::Identities,
) -> DeleteMembershipRequest {
    DeleteMembershipRequest {
        organization_id: organization_id.to_owned(),
        identities: Some(user),
        cascade: None,
    }
}

pub(super) fn update_membership_request(
    organization_id: &str,
    user_id: &str,
    opts: UpdateMembershipOptions,
) -> Result<UpdateMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    let user = update_membership_request::Identities::Id(user_id.to_owned());
    Ok(update_membership(organization_id, user, opts))
}

pub(super) fn update_membership_by_external_id_request(
    organization_id: &str,
    external_id: &str,
    opts: UpdateMembershipOptions,
) -> Result<UpdateMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_non_empty("external_id", external_id)?;
    let user = update_membership_request::Identities::ExternalId(external_id.to_owned());
    Ok(update_membership(organization_id, user, opts))
}

/// The membership is always sent, empty or not, as the reference does.
fn update_membership(
    organization_id: &str,
    user: update_membership_request::Identities,
    opts: UpdateMembershipOptions,
) -> UpdateMembershipRequest {
    UpdateMembershipRequest {
        organization_id: organization_id.to_owned(),
        identities: Some(user),
        membership: Some(UpdateMembership {
            roles: roles(opts.roles),
            metadata: opts.metadata,
        }),
    }
}

pub(super) fn list_organization_users_request(
    organization_id: &str,
    opts: &ListOrganizationUsersOptions,
) -> Result<ListOrganizationUsersRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(ListOrganizationUsersRequest {
        organization_id: organization_id.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    })
}

pub(super) fn resend_invite_request(
    organization_id: &str,
    user_id: &str,
) -> Result<ResendInviteRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(ResendInviteRequest {
        organization_id: organization_id.to_owned(),
        id: user_id.to_owned(),
    })
}

pub(super) fn list_user_roles_request(
    organization_id: &str,
    user_id: &str,
) -> Result<ListUserRolesRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(ListUserRolesRequest {
        organization_id: organization_id.to_owned(),
        user_id: user_id.to_owned(),
    })
}

pub(super) fn list_user_permissions_request(
    organization_id: &str,
    user_id: &str,
) -> Result<ListUserPermissionsRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(ListUserPermissionsRequest {
        organization_id: organization_id.to_owned(),
        user_id: user_id.to_owned(),
    })
}

/// Each role is named by `role_name` only; the deprecated `id` stays unset,
/// as in the reference. The server requires at least one role.
pub(super) fn assign_user_roles_request(
    organization_id: &str,
    user_id: &str,
    role_names: impl IntoIterator<Item = impl Into<String>>,
) -> Result<AssignUserRolesRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    let role_names: Vec<String> = role_names.into_iter().map(Into::into).collect();
    if role_names.is_empty() {
        return Err(Error::invalid_argument(
            "roles",
            "must name at least one role",
        ));
    }
    for name in &role_names {
        validate::require_id("roles", name)?;
    }
    let roles = role_names
        .into_iter()
        .map(|role_name| AssignRoleRequest {
            role_name,
            ..Default::default()
        })
        .collect();
    Ok(AssignUserRolesRequest {
        organization_id: organization_id.to_owned(),
        user_id: user_id.to_owned(),
        roles,
    })
}

pub(super) fn remove_user_role_request(
    organization_id: &str,
    user_id: &str,
    role_name: &str,
) -> Result<RemoveUserRoleRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    validate::require_id("role_name", role_name)?;
    Ok(RemoveUserRoleRequest {
        organization_id: organization_id.to_owned(),
        user_id: user_id.to_owned(),
        role_name: role_name.to_owned(),
    })
}

/// The query is sent as given (surrounding spaces included), like the
/// reference, which only refuses a blank one.
pub(super) fn search_users_request(
    query: &str,
    opts: &SearchUsersOptions,
) -> Result<SearchUsersRequest> {
    validate::require_non_empty("query", query)?;
    Ok(SearchUsersRequest {
        query: query.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    })
}

pub(super) fn search_organization_users_request(
    organization_id: &str,
    query: &str,
    opts: &SearchOrganizationUsersOptions,
) -> Result<SearchOrganizationUsersRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_non_empty("query", query)?;
    Ok(SearchOrganizationUsersRequest {
        organization_id: organization_id.to_owned(),
        query: query.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    })
}
