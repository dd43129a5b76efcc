//! `scalekit.v1.users.UserService`: users, their memberships, invites and
//! membership roles.
//!
//! The RPCs live in one submodule per area: [`accounts`], [`memberships`],
//! [`invites`] and [`membership_roles`]; the helpers they share are here.

mod accounts;
mod invites;
mod membership_roles;
mod memberships;

use std::collections::HashMap;
use std::sync::Arc;

use scalekit::proto::commons::{MembershipStatus, OrganizationMembership, Role, UserProfile};
use scalekit::proto::users::{self as pb, *};
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_PAGE_SIZE, MAX_SEARCH_PAGE_SIZE};
use crate::services::validate::{self, identity, required, Identity};
use crate::services::Context;
use crate::status;
use crate::store::{align_name_aliases, now, Store};

/// Invitations are valid this long (the service's default is a week).
const INVITE_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;

/// The UserService of one emulated environment.
pub(crate) struct Users {
    pub(crate) ctx: Arc<Context>,
}

/// The roles `names` name, as seen from organization `org` (its own roles,
/// then the environment's); none named means the organization's default
/// member role.
fn roles_named(store: &Store, org: &str, names: &[Role]) -> Result<Vec<Role>, Status> {
    if names.is_empty() {
        return Ok(store
            .default_member_role_in(org)
            .map(|r| r.summary())
            .into_iter()
            .collect());
    }
    let mut roles: Vec<Role> = Vec::new();
    for wanted in names {
        // A role is named by name; a request that sends only an id (the
        // deprecated `AssignRoleRequest.id`) names it by id. When both are
        // sent, the name wins.
        let by_id = || {
            store
                .roles
                .values()
                .chain(
                    store
                        .organization_roles
                        .values()
                        .filter(|r| r.organization_id.as_deref() == Some(org)),
                )
                .find(|r| r.id == wanted.id)
        };
        let (role, named) = if wanted.name.is_empty() && !wanted.id.is_empty() {
            (by_id(), &wanted.id)
        } else {
            (store.role_in(Some(org), &wanted.name), &wanted.name)
        };
        let role = role.ok_or_else(|| {
            status::invalid_argument("roles", format!("role {named:?} does not exist"))
        })?;
        if !roles.iter().any(|r| r.id == role.id) {
            roles.push(role.summary());
        }
    }
    Ok(roles)
}

fn membership_index(user: &User, organization_id: &str) -> Option<usize> {
    user.memberships
        .iter()
        .position(|m| m.organization_id == organization_id)
}

/// The user `id` and the index of their membership of `org`: NOT_FOUND
/// when the user is not a member.
fn membership<'s>(store: &'s Store, org: &str, id: &str) -> Result<(&'s User, usize), Status> {
    let user = store
        .users
        .get(id)
        .ok_or_else(|| status::not_found("user", id))?;
    let index = membership_index(user, org)
        .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
    Ok((user, index))
}

/// [`membership`], for a change.
fn membership_mut<'s>(
    store: &'s mut Store,
    org: &str,
    id: &str,
) -> Result<(&'s mut User, usize), Status> {
    let user = store
        .users
        .get_mut(id)
        .ok_or_else(|| status::not_found("user", id))?;
    let index = membership_index(user, org)
        .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
    Ok((user, index))
}

fn new_membership(
    store: &Store,
    organization_id: &str,
    roles: Vec<Role>,
    metadata: HashMap<String, String>,
    inviter_email: Option<String>,
    invited: bool,
) -> OrganizationMembership {
    let organization = store.organizations.get(organization_id);
    let created = now();
    OrganizationMembership {
        organization_id: organization_id.to_string(),
        join_time: (!invited).then_some(created),
        membership_status: if invited {
            MembershipStatus::PendingInvite
        } else {
            MembershipStatus::Active
        } as i32,
        roles,
        name: organization.map(|o| o.display_name.clone()),
        display_name: organization.map(|o| o.display_name.clone()),
        metadata,
        inviter_email,
        created_at: Some(created),
        accepted_at: (!invited).then_some(created),
        expires_at: invited.then(|| expiry_from(&created)),
        provisioning_method: Some("api".to_string()),
        permissions: Vec::new(),
    }
}

fn expiry_from(from: &prost_types::Timestamp) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: from.seconds + INVITE_LIFETIME_SECS,
        nanos: from.nanos,
    }
}

fn record_invite(store: &mut Store, organization_id: &str, user_id: &str, inviter: Option<String>) {
    let created = now();
    store.invites.insert(
        (organization_id.to_string(), user_id.to_string()),
        Invite {
            organization_id: organization_id.to_string(),
            user_id: user_id.to_string(),
            inviter_email: inviter,
            status: "PENDING_INVITE".to_string(),
            expires_at: Some(expiry_from(&created)),
            created_at: Some(created),
            resent_at: None,
            resent_count: 0,
        },
    );
}

/// A new user's profile. The Node SDK 2.2.2 sends only the deprecated
/// `first_name`/`last_name`; current clients send `given_name`/
/// `family_name`. Whichever is set names the user, and the stored profile
/// carries the name in both fields. When both are set and differ, the
/// replacement (`given_name`, `family_name`) wins.
#[allow(deprecated)]
fn profile_from_create(profile: Option<CreateUserProfile>) -> Option<UserProfile> {
    let p = profile?;
    let pick = |current: String, alias: String| if current.is_empty() { alias } else { current };
    let given_name = pick(p.given_name, p.first_name);
    let family_name = pick(p.family_name, p.last_name);
    let name = if p.name.is_empty() {
        format!("{given_name} {family_name}").trim().to_string()
    } else {
        p.name
    };
    let mut profile = UserProfile {
        given_name,
        family_name,
        name,
        locale: p.locale,
        phone_number: p.phone_number,
        metadata: p.metadata,
        custom_attributes: p.custom_attributes,
        preferred_username: p.preferred_username,
        picture: p.picture.unwrap_or_default(),
        gender: p.gender.unwrap_or_default(),
        groups: p.groups,
        ..Default::default()
    };
    align_name_aliases(&mut profile);
    Some(profile)
}

/// Applies a partial profile update: only the fields sent change. A name
/// sent in either the deprecated alias or its replacement changes both;
/// when both are sent and differ, the replacement wins.
#[allow(deprecated)]
fn apply_profile_update(profile: &mut UserProfile, update: UpdateUserProfile) {
    let set = |target: &mut String, value: Option<String>| {
        if let Some(v) = value {
            *target = v;
        }
    };
    if let Some(given) = update.given_name.or(update.first_name) {
        profile.first_name.clone_from(&given);
        profile.given_name = given;
    }
    if let Some(family) = update.family_name.or(update.last_name) {
        profile.last_name.clone_from(&family);
        profile.family_name = family;
    }
    set(&mut profile.name, update.name);
    set(&mut profile.locale, update.locale);
    set(&mut profile.phone_number, update.phone_number);
    set(&mut profile.preferred_username, update.preferred_username);
    set(&mut profile.picture, update.picture);
    set(&mut profile.gender, update.gender);
    if !update.metadata.is_empty() {
        profile.metadata = update.metadata;
    }
    if !update.custom_attributes.is_empty() {
        profile.custom_attributes = update.custom_attributes;
    }
    if !update.groups.is_empty() {
        profile.groups = update.groups;
    }
    align_name_aliases(profile);
}

fn check_external_id_free(
    store: &Store,
    external_id: &Option<String>,
    own_id: Option<&str>,
) -> Result<(), Status> {
    if let Some(ext) = external_id.as_deref().filter(|e| !e.is_empty()) {
        if let Some(holder) = store.user_id_by_external_id(ext) {
            if Some(holder.as_str()) != own_id {
                return Err(status::already_exists(
                    "USER_EXTERNAL_ID_EXISTS",
                    format!("a user with external_id {ext} already exists"),
                ));
            }
        }
    }
    Ok(())
}

fn matches_query(user: &User, query: &str) -> bool {
    let query = query.to_ascii_lowercase();
    let profile = user.user_profile.as_ref();
    [
        Some(user.id.as_str()),
        Some(user.email.as_str()),
        user.external_id.as_deref(),
        profile.map(|p| p.name.as_str()),
        profile.map(|p| p.given_name.as_str()),
        profile.map(|p| p.family_name.as_str()),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_ascii_lowercase().contains(&query))
}

#[tonic::async_trait]
impl UserService for Users {
    async fn get_user(
        &self,
        request: Request<GetUserRequest>,
    ) -> Result<Response<GetUserResponse>, Status> {
        accounts::get_user(&self.ctx, request).await
    }

    async fn get_current_user(
        &self,
        _request: Request<GetCurrentUserRequest>,
    ) -> Result<Response<GetCurrentUserResponse>, Status> {
        accounts::get_current_user(&self.ctx, _request).await
    }

    async fn list_users(
        &self,
        request: Request<ListUsersRequest>,
    ) -> Result<Response<ListUsersResponse>, Status> {
        accounts::list_users(&self.ctx, request).await
    }

    async fn search_users(
        &self,
        request: Request<SearchUsersRequest>,
    ) -> Result<Response<SearchUsersResponse>, Status> {
        accounts::search_users(&self.ctx, request).await
    }

    async fn search_organization_users(
        &self,
        request: Request<SearchOrganizationUsersRequest>,
    ) -> Result<Response<SearchOrganizationUsersResponse>, Status> {
        memberships::search_organization_users(&self.ctx, request).await
    }

    async fn update_user(
        &self,
        request: Request<UpdateUserRequest>,
    ) -> Result<Response<UpdateUserResponse>, Status> {
        accounts::update_user(&self.ctx, request).await
    }

    async fn delete_user(
        &self,
        request: Request<DeleteUserRequest>,
    ) -> Result<Response<()>, Status> {
        accounts::delete_user(&self.ctx, request).await
    }

    async fn create_membership(
        &self,
        request: Request<CreateMembershipRequest>,
    ) -> Result<Response<CreateMembershipResponse>, Status> {
        memberships::create_membership(&self.ctx, request).await
    }

    async fn delete_membership(
        &self,
        request: Request<DeleteMembershipRequest>,
    ) -> Result<Response<()>, Status> {
        memberships::delete_membership(&self.ctx, request).await
    }

    async fn update_membership(
        &self,
        request: Request<UpdateMembershipRequest>,
    ) -> Result<Response<UpdateMembershipResponse>, Status> {
        memberships::update_membership(&self.ctx, request).await
    }

    async fn create_user_and_membership(
        &self,
        request: Request<CreateUserAndMembershipRequest>,
    ) -> Result<Response<CreateUserAndMembershipResponse>, Status> {
        memberships::create_user_and_membership(&self.ctx, request).await
    }

    async fn list_organization_users(
        &self,
        request: Request<ListOrganizationUsersRequest>,
    ) -> Result<Response<ListOrganizationUsersResponse>, Status> {
        memberships::list_organization_users(&self.ctx, request).await
    }

    async fn resend_invite(
        &self,
        request: Request<ResendInviteRequest>,
    ) -> Result<Response<ResendInviteResponse>, Status> {
        invites::resend_invite(&self.ctx, request).await
    }

    async fn list_user_roles(
        &self,
        request: Request<ListUserRolesRequest>,
    ) -> Result<Response<ListUserRolesResponse>, Status> {
        membership_roles::list_user_roles(&self.ctx, request).await
    }

    async fn assign_user_roles(
        &self,
        request: Request<AssignUserRolesRequest>,
    ) -> Result<Response<AssignUserRolesResponse>, Status> {
        membership_roles::assign_user_roles(&self.ctx, request).await
    }

    async fn list_user_permissions(
        &self,
        request: Request<ListUserPermissionsRequest>,
    ) -> Result<Response<ListUserPermissionsResponse>, Status> {
        membership_roles::list_user_permissions(&self.ctx, request).await
    }

    async fn remove_user_role(
        &self,
        request: Request<RemoveUserRoleRequest>,
    ) -> Result<Response<()>, Status> {
        membership_roles::remove_user_role(&self.ctx, request).await
    }
}
