//! The RPCs on users themselves: get, list, search, update (profile,
//! external id, metadata) and delete.

use super::*;
use crate::store::{Change, Subject};

pub(super) async fn get_user(
    ctx: &Context,
    request: Request<GetUserRequest>,
) -> Result<Response<GetUserResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let id = validate::user_identity(&store, identity!(req.identities, get_user_request))?;
    Ok(Response::new(GetUserResponse {
        user: store.users.get(&id).cloned(),
    }))
}

pub(super) async fn get_current_user(
    _ctx: &Context,
    _request: Request<GetCurrentUserRequest>,
) -> Result<Response<GetCurrentUserResponse>, Status> {
    Err(Status::unimplemented(
        "scalekit-emulator does not implement GetCurrentUser yet: it needs a user session token, and the emulator only issues client tokens",
    ))
}

pub(super) async fn list_users(
    ctx: &Context,
    request: Request<ListUsersRequest>,
) -> Result<Response<ListUsersResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let all: Vec<User> = store.users.values().cloned().collect();
    let page = paginate(all, req.page_size, &req.page_token, MAX_PAGE_SIZE)?;
    Ok(Response::new(ListUsersResponse {
        users: page.items,
        next_page_token: page.next_page_token,
        prev_page_token: page.prev_page_token,
        total_size: page.total_size,
    }))
}

pub(super) async fn search_users(
    ctx: &Context,
    request: Request<SearchUsersRequest>,
) -> Result<Response<SearchUsersResponse>, Status> {
    let req = request.into_inner();
    let query = validate::search_query(&req.query)?;
    let store = ctx.lock();
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

pub(super) async fn update_user(
    ctx: &Context,
    request: Request<UpdateUserRequest>,
) -> Result<Response<UpdateUserResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
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
    let updated = user.clone();
    store.record_event(
        Change::Updated,
        Subject::User {
            user: &updated,
            organization_id: None,
        },
    );
    Ok(Response::new(UpdateUserResponse {
        user: Some(updated),
    }))
}

pub(super) async fn delete_user(
    ctx: &Context,
    request: Request<DeleteUserRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let id = validate::user_identity(&store, identity!(req.identities, delete_user_request))?;
    let removed = store.users.get(&id).cloned();
    store.remove_user(&id);
    if let Some(user) = removed {
        store.record_event(
            Change::Deleted,
            Subject::User {
                user: &user,
                organization_id: None,
            },
        );
    }
    Ok(Response::new(()))
}
