//! The RPCs on environment roles: create, read, update and delete, the
//! environment's default roles, dependent roles and users counts.

use super::scope::*;
use super::*;

pub(super) async fn create_role(
    ctx: &Context,
    request: Request<CreateRoleRequest>,
) -> Result<Response<CreateRoleResponse>, Status> {
    let req = request.into_inner();
    let wanted = validate::present("role", req.role)?;
    let mut store = ctx.lock();
    let role = create_in(
        &mut store,
        Scope::Environment,
        NewRole {
            name: wanted.name,
            display_name: wanted.display_name,
            description: wanted.description,
            extends: wanted.extends,
            permissions: wanted.permissions,
        },
    )?;
    Ok(Response::new(CreateRoleResponse { role: Some(role) }))
}

pub(super) async fn update_role(
    ctx: &Context,
    request: Request<UpdateRoleRequest>,
) -> Result<Response<UpdateRoleResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let role = update_in(&mut store, Scope::Environment, &req.role_name, req.role)?;
    Ok(Response::new(UpdateRoleResponse { role: Some(role) }))
}

pub(super) async fn get_role(
    ctx: &Context,
    request: Request<GetRoleRequest>,
) -> Result<Response<GetRoleResponse>, Status> {
    let req = request.into_inner();
    let include = include(req.include.as_deref())?;
    let store = ctx.lock();
    let role = env_role(&store, &req.role_name)?;
    Ok(Response::new(GetRoleResponse {
        role: Some(role_message(&store, role, None, include)),
    }))
}

pub(super) async fn list_roles(
    ctx: &Context,
    request: Request<ListRolesRequest>,
) -> Result<Response<ListRolesResponse>, Status> {
    let req = request.into_inner();
    let include = include(req.include.as_deref())?;
    let store = ctx.lock();
    let mut roles: Vec<&RoleRecord> = store.roles.values().collect();
    roles.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Response::new(ListRolesResponse {
        roles: roles
            .into_iter()
            .map(|r| role_message(&store, r, None, include))
            .collect(),
    }))
}

pub(super) async fn delete_role(
    ctx: &Context,
    request: Request<DeleteRoleRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    // The deprecated reassign_role_id names the target by id; its
    // replacement reassign_role_name names it by name and wins when both
    // are sent.
    #[allow(deprecated)]
    let by_id = req.reassign_role_id.as_deref().map(str::trim);
    let by_name = req.reassign_role_name.as_deref().map(str::trim);
    let reassign = match (by_name.filter(|n| !n.is_empty()), by_id) {
        (Some(name), _) => Some(name.to_string()),
        (None, Some(id)) if !id.is_empty() => Some(
            store
                .roles
                .values()
                .find(|r| r.id == id)
                .map(|r| r.name.clone())
                .ok_or_else(|| status::not_found("role", id))?,
        ),
        _ => None,
    };
    delete_in(
        &mut store,
        Scope::Environment,
        &req.role_name,
        reassign.as_deref(),
    )?;
    Ok(Response::new(()))
}

pub(super) async fn get_role_users_count(
    ctx: &Context,
    request: Request<GetRoleUsersCountRequest>,
) -> Result<Response<GetRoleUsersCountResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let role = env_role(&store, &req.role_name)?;
    Ok(Response::new(GetRoleUsersCountResponse {
        count: users_holding(&store, &role.id, None),
    }))
}

pub(super) async fn update_default_roles(
    ctx: &Context,
    request: Request<UpdateDefaultRolesRequest>,
) -> Result<Response<UpdateDefaultRolesResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    // The deprecated messages name the role by name, or else by id.
    #[allow(deprecated)]
    let legacy = |r: &Option<UpdateDefaultRole>| -> Option<String> {
        let r = r.as_ref()?;
        r.name.clone().filter(|n| !n.is_empty()).or_else(|| {
            store
                .roles
                .values()
                .find(|role| !r.id.is_empty() && role.id == r.id)
                .map(|role| role.name.clone())
                .or_else(|| Some(r.id.clone()))
        })
    };
    #[allow(deprecated)]
    let creator = req
        .default_creator_role
        .clone()
        .or_else(|| legacy(&req.default_creator));
    #[allow(deprecated)]
    let member = req
        .default_member_role
        .clone()
        .or_else(|| legacy(&req.default_member));
    if creator.is_none() && member.is_none() {
        return Err(status::invalid_argument(
            "default_member_role",
            "a default creator or member role is required",
        ));
    }
    for (field, name) in [
        ("default_creator_role", &creator),
        ("default_member_role", &member),
    ] {
        if let Some(name) = name {
            let name = required(field, name)?;
            if !store.roles.contains_key(name) {
                return Err(status::not_found("role", name));
            }
        }
    }
    if let Some(c) = creator {
        store.default_creator_role = c.trim().to_string();
    }
    if let Some(m) = member {
        store.default_member_role = m.trim().to_string();
    }
    let message = |name: &str| {
        store
            .roles
            .get(name)
            .map(|r| role_message(&store, r, None, Include::Nothing))
    };
    Ok(Response::new(UpdateDefaultRolesResponse {
        default_creator: message(&store.default_creator_role),
        default_member: message(&store.default_member_role),
    }))
}

pub(super) async fn list_dependent_roles(
    ctx: &Context,
    request: Request<ListDependentRolesRequest>,
) -> Result<Response<ListDependentRolesResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let role = env_role(&store, &req.role_name)?;
    let mut roles = dependents(&store, role);
    roles.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Response::new(ListDependentRolesResponse {
        roles: roles
            .into_iter()
            .map(|r| role_message(&store, r, r.organization_id.as_deref(), Include::Nothing))
            .collect(),
    }))
}

pub(super) async fn delete_role_base(
    ctx: &Context,
    request: Request<DeleteRoleBaseRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    clear_base(&mut store, Scope::Environment, &req.role_name)?;
    Ok(Response::new(()))
}
