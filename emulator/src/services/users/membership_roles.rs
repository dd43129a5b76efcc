//! The RPCs on the roles of one membership, and the permissions they give.

use super::*;
use crate::store::{Change, Subject};

pub(super) async fn list_user_roles(
    ctx: &Context,
    request: Request<ListUserRolesRequest>,
) -> Result<Response<ListUserRolesResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let org = validate::organization(&store, "organization_id", &req.organization_id)?;
    let id = validate::user_identity(&store, Some(Identity::Id(&req.user_id)))?;
    let (user, index) = membership(&store, &org, &id)?;
    Ok(Response::new(ListUserRolesResponse {
        roles: user.memberships[index].roles.clone(),
    }))
}

pub(super) async fn assign_user_roles(
    ctx: &Context,
    request: Request<AssignUserRolesRequest>,
) -> Result<Response<AssignUserRolesResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
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
    let (user, index) = membership_mut(&mut store, &org, &id)?;
    let membership = &mut user.memberships[index];
    for role in roles {
        if !membership.roles.iter().any(|r| r.id == role.id) {
            membership.roles.push(role);
        }
    }
    let user = user.clone();
    let membership = &user.memberships[index];
    store.record_event(
        Change::Updated,
        Subject::Membership {
            user: &user,
            membership,
        },
    );
    Ok(Response::new(AssignUserRolesResponse {
        roles: membership.roles.clone(),
    }))
}

/// The permissions the user holds in the organization: those of each
/// membership role, its own and inherited (`extends`), each name once,
/// in role order.
pub(super) async fn list_user_permissions(
    ctx: &Context,
    request: Request<ListUserPermissionsRequest>,
) -> Result<Response<ListUserPermissionsResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let org = validate::organization(&store, "organization_id", &req.organization_id)?;
    let id = validate::user_identity(&store, Some(Identity::Id(&req.user_id)))?;
    let (user, index) = membership(&store, &org, &id)?;
    let held = user.memberships[index]
        .roles
        .iter()
        .map(|r| r.name.as_str());
    let permissions = store
        .membership_permissions(&org, held)
        .into_iter()
        .map(|p| pb::Permission {
            id: p.id,
            name: p.name,
            description: p.description,
            tags: Vec::new(),
        })
        .collect();
    Ok(Response::new(ListUserPermissionsResponse { permissions }))
}

pub(super) async fn remove_user_role(
    ctx: &Context,
    request: Request<RemoveUserRoleRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "organization_id", &req.organization_id)?;
    let id = validate::user_identity(&store, Some(Identity::Id(&req.user_id)))?;
    let role_name = required("role_name", &req.role_name)?.to_string();
    let (user, index) = membership_mut(&mut store, &org, &id)?;
    let roles = &mut user.memberships[index].roles;
    let before = roles.len();
    roles.retain(|r| r.name != role_name);
    if roles.len() == before {
        return Err(status::not_found("role", &role_name));
    }
    let user = user.clone();
    store.record_event(
        Change::Updated,
        Subject::Membership {
            user: &user,
            membership: &user.memberships[index],
        },
    );
    Ok(Response::new(()))
}
