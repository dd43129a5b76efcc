//! The RPCs on permissions and on the permissions of environment roles:
//! direct (`ListRolePermissions`) and inherited
//! (`ListEffectiveRolePermissions`).

use super::scope::*;
use super::*;

/// A name for a new permission: `^[a-zA-Z0-9_:]{1,64}$`.
fn valid_permission_name<'a>(field: &str, value: &'a str) -> Result<&'a str, Status> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    if ok {
        Ok(value)
    } else {
        Err(status::invalid_argument(
            field,
            "must be 1-64 letters, digits, underscores or colons",
        ))
    }
}

fn as_permission(p: RolePermission) -> Permission {
    Permission {
        id: p.id,
        name: p.name,
        description: p.description,
        create_time: p.create_time,
        update_time: p.update_time,
        is_scalekit_permission: false,
    }
}

fn direct_permissions(store: &Store, role: &RoleRecord) -> Vec<Permission> {
    role.permissions
        .iter()
        .map(|p| as_permission(store.role_permission(p, &role.name)))
        .collect()
}

pub(super) async fn create_permission(
    ctx: &Context,
    request: Request<CreatePermissionRequest>,
) -> Result<Response<CreatePermissionResponse>, Status> {
    let req = request.into_inner();
    let wanted = validate::present("permission", req.permission)?;
    let name = valid_permission_name("name", wanted.name.trim())?.to_string();
    let mut store = ctx.lock();
    if store.permissions.contains_key(&name) {
        return Err(status::already_exists(
            "PERMISSION_ALREADY_EXISTS",
            format!("a permission named {name} already exists"),
        ));
    }
    let created = now();
    let permission = Permission {
        id: store.ids.next("perm"),
        name: name.clone(),
        description: wanted.description,
        create_time: Some(created),
        update_time: Some(created),
        is_scalekit_permission: false,
    };
    store.permissions.insert(name, permission.clone());
    Ok(Response::new(CreatePermissionResponse {
        permission: Some(permission),
    }))
}

pub(super) async fn get_permission(
    ctx: &Context,
    request: Request<GetPermissionRequest>,
) -> Result<Response<GetPermissionResponse>, Status> {
    let req = request.into_inner();
    let name = required("permission_name", &req.permission_name)?;
    let store = ctx.lock();
    let permission = store
        .permissions
        .get(name)
        .cloned()
        .ok_or_else(|| status::not_found("permission", name))?;
    Ok(Response::new(GetPermissionResponse {
        permission: Some(permission),
    }))
}

pub(super) async fn update_permission(
    ctx: &Context,
    request: Request<UpdatePermissionRequest>,
) -> Result<Response<UpdatePermissionResponse>, Status> {
    let req = request.into_inner();
    let name = required("permission_name", &req.permission_name)?;
    let mut store = ctx.lock();
    if !store.permissions.contains_key(name) {
        return Err(status::not_found("permission", name));
    }
    let wanted = validate::present("permission", req.permission)?;
    if !wanted.name.trim().is_empty() && wanted.name.trim() != name {
        return Err(status::invalid_argument(
            "permission.name",
            "a permission's name cannot be changed",
        ));
    }
    let permission = store
        .permissions
        .get_mut(name)
        .ok_or_else(|| status::not_found("permission", name))?;
    permission.description = wanted.description;
    permission.update_time = Some(now());
    Ok(Response::new(UpdatePermissionResponse {
        permission: Some(permission.clone()),
    }))
}

pub(super) async fn list_permissions(
    ctx: &Context,
    request: Request<ListPermissionsRequest>,
) -> Result<Response<ListPermissionsResponse>, Status> {
    let req = request.into_inner();
    let kind = PermissionType::try_from(req.r#type)
        .map_err(|_| status::invalid_argument("type", "unknown permission type"))?;
    let store = ctx.lock();
    let mut all: Vec<Permission> = store
        .permissions
        .values()
        .filter(|p| match kind {
            PermissionType::All => true,
            PermissionType::Scalekit => p.is_scalekit_permission,
            PermissionType::Environment => !p.is_scalekit_permission,
        })
        .cloned()
        .collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let page = paginate(
        all,
        req.page_size.unwrap_or(0),
        req.page_token.as_deref().unwrap_or(""),
        MAX_PAGE_SIZE,
    )?;
    Ok(Response::new(ListPermissionsResponse {
        permissions: page.items,
        prev_page_token: page.prev_page_token,
        next_page_token: page.next_page_token,
        total_size: page.total_size,
    }))
}

pub(super) async fn delete_permission(
    ctx: &Context,
    request: Request<DeletePermissionRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let name = required("permission_name", &req.permission_name)?;
    let mut store = ctx.lock();
    if !store.permissions.contains_key(name) {
        return Err(status::not_found("permission", name));
    }
    let holders: Vec<&str> = store
        .roles
        .values()
        .chain(store.organization_roles.values())
        .filter(|r| r.permissions.iter().any(|p| p == name))
        .map(|r| r.name.as_str())
        .collect();
    if !holders.is_empty() {
        return Err(status::failed_precondition(
            "PERMISSION_IN_USE",
            format!(
                "permission {name} is assigned to role(s) {}; remove it from them first",
                holders.join(", ")
            ),
        ));
    }
    store.permissions.remove(name);
    Ok(Response::new(()))
}

pub(super) async fn list_role_permissions(
    ctx: &Context,
    request: Request<ListRolePermissionsRequest>,
) -> Result<Response<ListRolePermissionsResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let role = env_role(&store, &req.role_name)?;
    Ok(Response::new(ListRolePermissionsResponse {
        permissions: direct_permissions(&store, role),
    }))
}

pub(super) async fn add_permissions_to_role(
    ctx: &Context,
    request: Request<AddPermissionsToRoleRequest>,
) -> Result<Response<AddPermissionsToRoleResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let name = env_role(&store, &req.role_name)?.name.clone();
    if req.permission_names.is_empty() {
        return Err(status::invalid_argument(
            "permission_names",
            "at least one permission is required",
        ));
    }
    let added = permission_names(&store, "permission_names", &req.permission_names)?;
    let role = store
        .roles
        .get(&name)
        .ok_or_else(|| status::not_found("role", &name))?;
    let mut permissions = role.permissions.clone();
    for p in added {
        if !permissions.contains(&p) {
            permissions.push(p);
        }
    }
    if permissions.len() > MAX_ROLE_PERMISSIONS {
        return Err(status::invalid_argument(
            "permission_names",
            format!("at most {MAX_ROLE_PERMISSIONS} permissions per role"),
        ));
    }
    if let Some(role) = store.roles.get_mut(&name) {
        role.permissions = permissions;
    }
    let role = env_role(&store, &name)?;
    Ok(Response::new(AddPermissionsToRoleResponse {
        permissions: direct_permissions(&store, role),
    }))
}

pub(super) async fn remove_permission_from_role(
    ctx: &Context,
    request: Request<RemovePermissionFromRoleRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let name = env_role(&store, &req.role_name)?.name.clone();
    let permission = required("permission_name", &req.permission_name)?;
    let role = store
        .roles
        .get_mut(&name)
        .ok_or_else(|| status::not_found("role", &name))?;
    let before = role.permissions.len();
    role.permissions.retain(|p| p != permission);
    if role.permissions.len() == before {
        return Err(status::not_found(
            "role permission",
            &format!("{name}/{permission}"),
        ));
    }
    Ok(Response::new(()))
}

pub(super) async fn list_effective_role_permissions(
    ctx: &Context,
    request: Request<ListEffectiveRolePermissionsRequest>,
) -> Result<Response<ListEffectiveRolePermissionsResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let role = env_role(&store, &req.role_name)?;
    Ok(Response::new(ListEffectiveRolePermissionsResponse {
        permissions: store
            .effective_permissions(role)
            .into_iter()
            .map(as_permission)
            .collect(),
    }))
}
