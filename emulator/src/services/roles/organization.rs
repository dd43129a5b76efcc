//! The RPCs on an organization's own roles, its default member role and
//! users counts. An organization sees its own roles and the environment's.

use super::scope::*;
use super::*;

pub(super) async fn create_organization_role(
    ctx: &Context,
    request: Request<CreateOrganizationRoleRequest>,
) -> Result<Response<CreateOrganizationRoleResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "org_id", &req.org_id)?;
    let wanted = validate::present("role", req.role)?;
    let role = create_in(
        &mut store,
        Scope::Organization(&org),
        NewRole {
            name: wanted.name,
            display_name: wanted.display_name,
            description: wanted.description,
            extends: wanted.extends,
            permissions: wanted.permissions,
        },
    )?;
    Ok(Response::new(CreateOrganizationRoleResponse {
        role: Some(role),
    }))
}

pub(super) async fn update_organization_role(
    ctx: &Context,
    request: Request<UpdateOrganizationRoleRequest>,
) -> Result<Response<UpdateOrganizationRoleResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "org_id", &req.org_id)?;
    let role = update_in(
        &mut store,
        Scope::Organization(&org),
        &req.role_name,
        req.role,
    )?;
    Ok(Response::new(UpdateOrganizationRoleResponse {
        role: Some(role),
    }))
}

pub(super) async fn get_organization_role(
    ctx: &Context,
    request: Request<GetOrganizationRoleRequest>,
) -> Result<Response<GetOrganizationRoleResponse>, Status> {
    let req = request.into_inner();
    let include = include(req.include.as_deref())?;
    let store = ctx.lock();
    let org = validate::organization(&store, "org_id", &req.org_id)?;
    let name = required("role_name", &req.role_name)?;
    let role = find_role(&store, Scope::Organization(&org), name)
        .ok_or_else(|| status::not_found("role", name))?;
    Ok(Response::new(GetOrganizationRoleResponse {
        role: Some(role_message(&store, role, Some(org.as_str()), include)),
    }))
}

pub(super) async fn list_organization_roles(
    ctx: &Context,
    request: Request<ListOrganizationRolesRequest>,
) -> Result<Response<ListOrganizationRolesResponse>, Status> {
    let req = request.into_inner();
    let include = include(req.include.as_deref())?;
    let store = ctx.lock();
    let org = validate::organization(&store, "org_id", &req.org_id)?;
    let mut roles: Vec<&RoleRecord> = store
        .roles
        .values()
        .chain(
            store
                .organization_roles
                .values()
                .filter(|r| r.organization_id.as_deref() == Some(org.as_str())),
        )
        .collect();
    roles.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Response::new(ListOrganizationRolesResponse {
        roles: roles
            .into_iter()
            .map(|r| role_message(&store, r, Some(org.as_str()), include))
            .collect(),
    }))
}

pub(super) async fn delete_organization_role(
    ctx: &Context,
    request: Request<DeleteOrganizationRoleRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "org_id", &req.org_id)?;
    delete_in(
        &mut store,
        Scope::Organization(&org),
        &req.role_name,
        req.reassign_role_name.as_deref(),
    )?;
    Ok(Response::new(()))
}

pub(super) async fn get_organization_role_users_count(
    ctx: &Context,
    request: Request<GetOrganizationRoleUsersCountRequest>,
) -> Result<Response<GetOrganizationRoleUsersCountResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let org = validate::organization(&store, "org_id", &req.org_id)?;
    let name = required("role_name", &req.role_name)?;
    let role = find_role(&store, Scope::Organization(&org), name)
        .ok_or_else(|| status::not_found("role", name))?;
    Ok(Response::new(GetOrganizationRoleUsersCountResponse {
        count: users_holding(&store, &role.id, Some(org.as_str())),
    }))
}

pub(super) async fn update_default_organization_roles(
    ctx: &Context,
    request: Request<UpdateDefaultOrganizationRolesRequest>,
) -> Result<Response<UpdateDefaultOrganizationRolesResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "org_id", &req.org_id)?;
    let name = required("default_member_role", &req.default_member_role)?;
    let role = find_role(&store, Scope::Organization(&org), name)
        .ok_or_else(|| status::not_found("role", name))?
        .name
        .clone();
    store
        .organization_default_roles
        .insert(org.clone(), role.clone());
    let role = find_role(&store, Scope::Organization(&org), &role)
        .ok_or_else(|| status::not_found("role", name))?;
    Ok(Response::new(UpdateDefaultOrganizationRolesResponse {
        default_member: Some(role_message(&store, role, Some(&org), Include::Nothing)),
    }))
}

pub(super) async fn delete_organization_role_base(
    ctx: &Context,
    request: Request<DeleteOrganizationRoleBaseRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "org_id", &req.org_id)?;
    clear_base(&mut store, Scope::Organization(&org), &req.role_name)?;
    Ok(Response::new(()))
}
