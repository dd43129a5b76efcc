//! `scalekit.v1.users.UserService`: users, their memberships, invites and
//! membership roles.

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
        let req = request.into_inner();
        let store = self.ctx.lock();
        let id = validate::user_identity(&store, identity!(req.identities, get_user_request))?;
        Ok(Response::new(GetUserResponse {
            user: store.users.get(&id).cloned(),
        }))
    }

    async fn get_current_user(
        &self,
        _request: Request<GetCurrentUserRequest>,
    ) -> Result<Response<GetCurrentUserResponse>, Status> {
        Err(Status::unimplemented(
            "scalekit-emulator does not implement GetCurrentUser yet: it needs a user session token, and the emulator only issues client tokens",
        ))
    }

    async fn list_users(
        &self,
        request: Request<ListUsersRequest>,
    ) -> Result<Response<ListUsersResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let all: Vec<User> = store.users.values().cloned().collect();
        let page = paginate(all, req.page_size, &req.page_token, MAX_PAGE_SIZE)?;
        Ok(Response::new(ListUsersResponse {
            users: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    async fn search_users(
        &self,
        request: Request<SearchUsersRequest>,
    ) -> Result<Response<SearchUsersResponse>, Status> {
        let req = request.into_inner();
        let query = validate::search_query(&req.query)?;
        let store = self.ctx.lock();
        let all: Vec<User> = store
            .users
            .values()
            .filter(|u| matches_query(u, query))
            .cloned()
            .collect();
        let page = paginate(all, req.page_size, &req.page_token, MAX_SEARCH_PAGE_SIZE)?;
        Ok(Response::new(SearchUsersResponse {
            users: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    async fn search_organization_users(
        &self,
        request: Request<SearchOrganizationUsersRequest>,
    ) -> Result<Response<SearchOrganizationUsersResponse>, Status> {
        let req = request.into_inner();
        let query = validate::search_query(&req.query)?;
        let store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let all: Vec<User> = store
            .users
            .values()
            .filter(|u| membership_index(u, &org).is_some() && matches_query(u, query))
            .cloned()
            .collect();
        let page = paginate(all, req.page_size, &req.page_token, MAX_SEARCH_PAGE_SIZE)?;
        Ok(Response::new(SearchOrganizationUsersResponse {
            users: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    async fn update_user(
        &self,
        request: Request<UpdateUserRequest>,
    ) -> Result<Response<UpdateUserResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::user_identity(&store, identity!(req.identities, update_user_request))?;
        let update = validate::present("user", req.user)?;
        check_external_id_free(&store, &update.external_id, Some(&id))?;
        let user = store
            .users
            .get_mut(&id)
            .ok_or_else(|| status::not_found("user", &id))?;
        if let Some(ext) = update.external_id {
            user.external_id = Some(ext).filter(|e| !e.is_empty());
        }
        if let Some(profile) = update.user_profile {
            apply_profile_update(
                user.user_profile.get_or_insert_with(Default::default),
                profile,
            );
        }
        if !update.metadata.is_empty() {
            user.metadata = update.metadata;
        }
        user.update_time = Some(now());
        Ok(Response::new(UpdateUserResponse {
            user: Some(user.clone()),
        }))
    }

    async fn delete_user(
        &self,
        request: Request<DeleteUserRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::user_identity(&store, identity!(req.identities, delete_user_request))?;
        store.remove_user(&id);
        Ok(Response::new(()))
    }

    async fn create_membership(
        &self,
        request: Request<CreateMembershipRequest>,
    ) -> Result<Response<CreateMembershipResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let id =
            validate::user_identity(&store, identity!(req.identities, create_membership_request))?;
        let wanted = req.membership.unwrap_or_default();
        let roles = roles_named(&store, &org, &wanted.roles)?;
        if store
            .users
            .get(&id)
            .and_then(|u| membership_index(u, &org))
            .is_some()
        {
            return Err(status::already_exists(
                "MEMBERSHIP_EXISTS",
                format!("user {id} is already a member of organization {org}"),
            ));
        }
        store.check_member_limit(&org)?;
        let invited = req.send_invitation_email.unwrap_or(true);
        let membership = new_membership(
            &store,
            &org,
            roles,
            wanted.metadata,
            wanted.inviter_email.clone(),
            invited,
        );
        if invited {
            record_invite(&mut store, &org, &id, wanted.inviter_email);
        }
        let user = store
            .users
            .get_mut(&id)
            .ok_or_else(|| status::not_found("user", &id))?;
        user.memberships.push(membership);
        user.update_time = Some(now());
        Ok(Response::new(CreateMembershipResponse {
            user: Some(user.clone()),
        }))
    }

    async fn delete_membership(
        &self,
        request: Request<DeleteMembershipRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let id =
            validate::user_identity(&store, identity!(req.identities, delete_membership_request))?;
        let user = store
            .users
            .get_mut(&id)
            .ok_or_else(|| status::not_found("user", &id))?;
        let index = membership_index(user, &org)
            .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
        user.memberships.remove(index);
        user.update_time = Some(now());
        let orphaned = user.memberships.is_empty();
        store.invites.remove(&(org, id.clone()));
        if orphaned && req.cascade.unwrap_or(false) {
            store.users.remove(&id);
        }
        Ok(Response::new(()))
    }

    async fn update_membership(
        &self,
        request: Request<UpdateMembershipRequest>,
    ) -> Result<Response<UpdateMembershipResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let id =
            validate::user_identity(&store, identity!(req.identities, update_membership_request))?;
        let update = req.membership.unwrap_or_default();
        let roles = if update.roles.is_empty() {
            None
        } else {
            Some(roles_named(&store, &org, &update.roles)?)
        };
        let user = store
            .users
            .get_mut(&id)
            .ok_or_else(|| status::not_found("user", &id))?;
        let index = membership_index(user, &org)
            .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
        let membership = &mut user.memberships[index];
        if let Some(roles) = roles {
            membership.roles = roles;
        }
        if !update.metadata.is_empty() {
            membership.metadata = update.metadata;
        }
        user.update_time = Some(now());
        Ok(Response::new(UpdateMembershipResponse {
            user: Some(user.clone()),
        }))
    }

    async fn create_user_and_membership(
        &self,
        request: Request<CreateUserAndMembershipRequest>,
    ) -> Result<Response<CreateUserAndMembershipResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let wanted = validate::present("user", req.user)?;
        let email = validate::email("email", &wanted.email)?;
        let membership_wanted = wanted.membership.clone().unwrap_or_default();
        let roles = roles_named(&store, &org, &membership_wanted.roles)?;

        let existing = store.user_id_by_email(&email);
        if let Some(id) = &existing {
            if store
                .users
                .get(id)
                .and_then(|u| membership_index(u, &org))
                .is_some()
            {
                return Err(status::already_exists(
                    "USER_ALREADY_EXISTS",
                    format!("a user with email {email} is already a member of organization {org}"),
                ));
            }
        }
        check_external_id_free(&store, &wanted.external_id, existing.as_deref())?;
        store.check_member_limit(&org)?;

        let invited = req.send_invitation_email.unwrap_or(true);
        let membership = new_membership(
            &store,
            &org,
            roles,
            membership_wanted.metadata,
            membership_wanted.inviter_email.clone(),
            invited,
        );
        let id = match existing {
            Some(id) => id,
            None => {
                let id = store.ids.next("usr");
                let created = now();
                let profile = profile_from_create(wanted.user_profile).map(|mut p| {
                    p.id = id.clone();
                    p
                });
                let user = User {
                    id: id.clone(),
                    environment_id: store.environment_id.clone(),
                    create_time: Some(created),
                    update_time: Some(created),
                    email,
                    external_id: wanted.external_id.filter(|e| !e.is_empty()),
                    memberships: Vec::new(),
                    user_profile: profile,
                    metadata: wanted.metadata,
                    last_login_time: None,
                };
                store.users.insert(id.clone(), user);
                id
            }
        };
        if invited {
            record_invite(&mut store, &org, &id, membership_wanted.inviter_email);
        }
        let user = store
            .users
            .get_mut(&id)
            .ok_or_else(|| status::not_found("user", &id))?;
        user.memberships.push(membership);
        Ok(Response::new(CreateUserAndMembershipResponse {
            user: Some(user.clone()),
        }))
    }

    async fn list_organization_users(
        &self,
        request: Request<ListOrganizationUsersRequest>,
    ) -> Result<Response<ListOrganizationUsersResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let all: Vec<User> = store
            .users
            .values()
            .filter(|u| membership_index(u, &org).is_some())
            .cloned()
            .collect();
        let page = paginate(all, req.page_size, &req.page_token, MAX_PAGE_SIZE)?;
        Ok(Response::new(ListOrganizationUsersResponse {
            users: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    async fn resend_invite(
        &self,
        request: Request<ResendInviteRequest>,
    ) -> Result<Response<ResendInviteResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let id = validate::user_identity(&store, Some(Identity::Id(&req.id)))?;
        let user = store
            .users
            .get_mut(&id)
            .ok_or_else(|| status::not_found("user", &id))?;
        let index = membership_index(user, &org)
            .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
        let membership = &mut user.memberships[index];
        let pending = [
            MembershipStatus::PendingInvite as i32,
            MembershipStatus::InviteExpired as i32,
        ];
        if !pending.contains(&membership.membership_status) {
            return Err(status::failed_precondition(
                "INVITE_NOT_PENDING",
                format!("user {id} has no pending invitation to organization {org}"),
            ));
        }
        let resent = now();
        membership.membership_status = MembershipStatus::PendingInvite as i32;
        membership.expires_at = Some(expiry_from(&resent));
        let inviter = membership.inviter_email.clone();
        let invite = store
            .invites
            .entry((org.clone(), id.clone()))
            .or_insert_with(|| Invite {
                organization_id: org,
                user_id: id,
                inviter_email: inviter,
                status: "PENDING_INVITE".to_string(),
                created_at: Some(resent),
                ..Default::default()
            });
        invite.status = "PENDING_INVITE".to_string();
        invite.resent_count += 1;
        invite.expires_at = Some(expiry_from(&resent));
        invite.resent_at = Some(resent);
        Ok(Response::new(ResendInviteResponse {
            invite: Some(invite.clone()),
        }))
    }

    async fn list_user_roles(
        &self,
        request: Request<ListUserRolesRequest>,
    ) -> Result<Response<ListUserRolesResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let id = validate::user_identity(&store, Some(Identity::Id(&req.user_id)))?;
        let user = &store.users[&id];
        let index = membership_index(user, &org)
            .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
        Ok(Response::new(ListUserRolesResponse {
            roles: user.memberships[index].roles.clone(),
        }))
    }

    async fn assign_user_roles(
        &self,
        request: Request<AssignUserRolesRequest>,
    ) -> Result<Response<AssignUserRolesResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let id = validate::user_identity(&store, Some(Identity::Id(&req.user_id)))?;
        if req.roles.is_empty() {
            return Err(status::invalid_argument(
                "roles",
                "at least one role is required",
            ));
        }
        #[allow(deprecated)]
        let wanted: Vec<Role> = req
            .roles
            .iter()
            .map(|r| Role {
                id: r.id.clone(),
                name: r.role_name.clone(),
                display_name: String::new(),
            })
            .collect();
        let roles = roles_named(&store, &org, &wanted)?;
        let user = store
            .users
            .get_mut(&id)
            .ok_or_else(|| status::not_found("user", &id))?;
        let index = membership_index(user, &org)
            .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
        let membership = &mut user.memberships[index];
        for role in roles {
            if !membership.roles.iter().any(|r| r.id == role.id) {
                membership.roles.push(role);
            }
        }
        Ok(Response::new(AssignUserRolesResponse {
            roles: membership.roles.clone(),
        }))
    }

    /// The permissions the user holds in the organization: those of each
    /// membership role, its own and inherited (`extends`), each name once,
    /// in role order.
    async fn list_user_permissions(
        &self,
        request: Request<ListUserPermissionsRequest>,
    ) -> Result<Response<ListUserPermissionsResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let id = validate::user_identity(&store, Some(Identity::Id(&req.user_id)))?;
        let user = &store.users[&id];
        let index = membership_index(user, &org)
            .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
        let mut seen = std::collections::HashSet::new();
        let permissions = user.memberships[index]
            .roles
            .iter()
            .filter_map(|held| store.role_in(Some(&org), &held.name))
            .flat_map(|role| store.effective_permissions(role))
            .filter(|p| seen.insert(p.name.clone()))
            .map(|p| pb::Permission {
                id: p.id,
                name: p.name,
                description: p.description,
                tags: Vec::new(),
            })
            .collect();
        Ok(Response::new(ListUserPermissionsResponse { permissions }))
    }

    async fn remove_user_role(
        &self,
        request: Request<RemoveUserRoleRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", &req.organization_id)?;
        let id = validate::user_identity(&store, Some(Identity::Id(&req.user_id)))?;
        let role_name = required("role_name", &req.role_name)?.to_string();
        let user = store
            .users
            .get_mut(&id)
            .ok_or_else(|| status::not_found("user", &id))?;
        let index = membership_index(user, &org)
            .ok_or_else(|| status::not_found("membership", &format!("{org}/{id}")))?;
        let roles = &mut user.memberships[index].roles;
        let before = roles.len();
        roles.retain(|r| r.name != role_name);
        if roles.len() == before {
            return Err(status::not_found("role", &role_name));
        }
        Ok(Response::new(()))
    }
}
