//! Request construction: the argument checks of each [`UsersClient`] method
//! and the exact proto message it sends, kept apart from the calls so that
//! the unit tests can compare them with the reference SDK's requests.

#[cfg(doc)]
use super::UsersClient;
use super::{CreateMembership, CreateUser, Role, UpdateUser};
use super::{
    CreateMembershipOptions, CreateUserAndMembershipOptions, ListOrganizationUsersOptions,
    ListUsersOptions, UpdateMembershipOptions,
};
use crate::error::Result;
use crate::proto::users::{
    create_membership_request, delete_membership_request, delete_user_request, get_user_request,
    update_membership_request, update_user_request, CreateMembershipRequest,
    CreateUserAndMembershipRequest, DeleteMembershipRequest, DeleteUserRequest, GetUserRequest,
    ListOrganizationUsersRequest, ListUsersRequest, ResendInviteRequest, UpdateMembership,
    UpdateMembershipRequest, UpdateUserRequest,
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

pub(super) fn delete_user_request(user_id: &str) -> Result<DeleteUserRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(DeleteUserRequest {
        identities: Some(delete_user_request::Identities::Id(user_id.to_owned())),
    })
}

pub(super) fn create_membership_request(
    organization_id: &str,
    user_id: &str,
    opts: CreateMembershipOptions,
) -> Result<CreateMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(CreateMembershipRequest {
        organization_id: organization_id.to_owned(),
        membership: Some(CreateMembership {
            roles: roles(opts.roles),
            metadata: opts.metadata,
            inviter_email: opts.inviter_email,
        }),
        send_invitation_email: opts.send_invitation_email,
        identities: Some(create_membership_request::Identities::Id(
            user_id.to_owned(),
        )),
    })
}

pub(super) fn delete_membership_request(
    organization_id: &str,
    user_id: &str,
) -> Result<DeleteMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(DeleteMembershipRequest {
        organization_id: organization_id.to_owned(),
        identities: Some(delete_membership_request::Identities::Id(
            user_id.to_owned(),
        )),
        cascade: None,
    })
}

pub(super) fn update_membership_request(
    organization_id: &str,
    user_id: &str,
    opts: UpdateMembershipOptions,
) -> Result<UpdateMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(UpdateMembershipRequest {
        organization_id: organization_id.to_owned(),
        identities: Some(update_membership_request::Identities::Id(
            user_id.to_owned(),
        )),
        membership: Some(UpdateMembership {
            roles: roles(opts.roles),
            metadata: opts.metadata,
        }),
    })
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
