//! The RPCs on memberships: creating a user with a membership, adding,
//! updating and removing memberships, and listing or searching an
//! organization's members.

use super::*;
use crate::store::{Change, Subject};

pub(super) async fn search_organization_users(
    ctx: &Context,
    request: Request<SearchOrganizationUsersRequest>,
) -> Result<Response<SearchOrganizationUsersResponse>, Status> {
    let req = request.into_inner();
    let query = validate::search_query(&req.query)?;
    let store = ctx.lock();
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

pub(super) async fn create_membership(
    ctx: &Context,
    request: Request<CreateMembershipRequest>,
) -> Result<Response<CreateMembershipResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "organization_id", &req.organization_id)?;
    let id = validate::user_identity(&store, identity!(req.identities, create_membership_request))?;
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
    let user = user.clone();
    if let Some(membership) = user.memberships.last() {
        store.record_event(
            Change::Created,
            Subject::Membership {
                user: &user,
                membership,
            },
        );
    }
    Ok(Response::new(CreateMembershipResponse { user: Some(user) }))
}

pub(super) async fn delete_membership(
    ctx: &Context,
    request: Request<DeleteMembershipRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "organization_id", &req.organization_id)?;
    let id = validate::user_identity(&store, identity!(req.identities, delete_membership_request))?;
    let (user, index) = membership_mut(&mut store, &org, &id)?;
    let removed = user.memberships.remove(index);
    user.update_time = Some(now());
    let user = user.clone();
    store.invites.remove(&(org.clone(), id.clone()));
    store.record_event(
        Change::Deleted,
        Subject::Membership {
            user: &user,
            membership: &removed,
        },
    );
    if user.memberships.is_empty() && req.cascade.unwrap_or(false) {
        // With its last membership gone, the user goes too, with their
        // sessions and credentials.
        store.remove_user(&id);
        store.record_event(
            Change::Deleted,
            Subject::User {
                user: &user,
                organization_id: Some(&org),
            },
        );
    }
    Ok(Response::new(()))
}

pub(super) async fn update_membership(
    ctx: &Context,
    request: Request<UpdateMembershipRequest>,
) -> Result<Response<UpdateMembershipResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "organization_id", &req.organization_id)?;
    let id = validate::user_identity(&store, identity!(req.identities, update_membership_request))?;
    let update = req.membership.unwrap_or_default();
    let roles = if update.roles.is_empty() {
        None
    } else {
        Some(roles_named(&store, &org, &update.roles)?)
    };
    let (user, index) = membership_mut(&mut store, &org, &id)?;
    let membership = &mut user.memberships[index];
    if let Some(roles) = roles {
        membership.roles = roles;
    }
    if !update.metadata.is_empty() {
        membership.metadata = update.metadata;
    }
    user.update_time = Some(now());
    let user = user.clone();
    store.record_event(
        Change::Updated,
        Subject::Membership {
            user: &user,
            membership: &user.memberships[index],
        },
    );
    Ok(Response::new(UpdateMembershipResponse { user: Some(user) }))
}

pub(super) async fn create_user_and_membership(
    ctx: &Context,
    request: Request<CreateUserAndMembershipRequest>,
) -> Result<Response<CreateUserAndMembershipResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
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
            store.record_event(
                Change::Created,
                Subject::User {
                    user: &user,
                    organization_id: Some(&org),
                },
            );
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
    let user = user.clone();
    if let Some(membership) = user.memberships.last() {
        store.record_event(
            Change::Created,
            Subject::Membership {
                user: &user,
                membership,
            },
        );
    }
    Ok(Response::new(CreateUserAndMembershipResponse {
        user: Some(user),
    }))
}

pub(super) async fn list_organization_users(
    ctx: &Context,
    request: Request<ListOrganizationUsersRequest>,
) -> Result<Response<ListOrganizationUsersResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
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
