//! `scalekit.v1.roles.RolesService`: environment and organization roles,
//! role inheritance (`extends`), permissions and role↔permission links,
//! default roles and the users count of a role.
//!
//! Environment roles live in `Store::roles` by name, organization roles in
//! `Store::organization_roles` by (organization id, name); one name means one
//! role within an organization, so an organization role may not reuse an
//! environment role's name (nor the other way round). Memberships (users
//! service) hold short copies of roles (`commons.Role`), matched by id.

use std::collections::HashSet;
use std::sync::Arc;

use scalekit::proto::roles::*;
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_PAGE_SIZE};
use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::{now, RoleRecord, Store};

/// The most permissions one role may hold directly.
const MAX_ROLE_PERMISSIONS: usize = 100;

/// The RolesService of one emulated environment.
pub(crate) struct Roles {
    pub(crate) ctx: Arc<Context>,
}

/// A name for a new role: `^[a-zA-Z0-9_]{1,64}$`.
fn valid_role_name<'a>(field: &str, value: &'a str) -> Result<&'a str, Status> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(value)
    } else {
        Err(status::invalid_argument(
            field,
            "must be 1-64 letters, digits or underscores",
        ))
    }
}

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

/// What `include` asks to add to returned roles.
#[derive(Clone, Copy, PartialEq)]
enum Include {
    Nothing,
    /// Directly assigned permissions.
    Direct,
    /// Direct and inherited permissions.
    All,
}

fn include(value: Option<&str>) -> Result<Include, Status> {
    match value.map(str::trim) {
        None | Some("") => Ok(Include::Nothing),
        Some("permissions") => Ok(Include::Direct),
        Some("permissions:all") => Ok(Include::All),
        Some(_) => Err(status::invalid_argument(
            "include",
            "must be \"permissions\" or \"permissions:all\"",
        )),
    }
}

/// Where a role lives: the environment, or one organization.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Environment,
    Organization(&'a str),
}

impl<'a> Scope<'a> {
    fn org(self) -> Option<&'a str> {
        match self {
            Scope::Environment => None,
            Scope::Organization(org) => Some(org),
        }
    }
}

fn key(org: &str, name: &str) -> (String, String) {
    (org.to_string(), name.to_string())
}

/// The role `name` may be addressed as in `scope`: an organization role of
/// that organization, or an environment role.
fn find_role<'s>(store: &'s Store, scope: Scope<'_>, name: &str) -> Option<&'s RoleRecord> {
    store.role_in(scope.org(), name)
}

/// The role a create/update/delete in `scope` acts on: in an organization
/// only that organization's own roles can be changed.
fn own_role<'s>(store: &'s Store, scope: Scope<'_>, name: &str) -> Result<&'s RoleRecord, Status> {
    let found = match scope {
        Scope::Environment => store.roles.get(name),
        Scope::Organization(org) => store.organization_roles.get(&key(org, name)),
    };
    found.ok_or_else(|| match scope {
        Scope::Environment => status::not_found("role", name),
        Scope::Organization(org) => {
            status::not_found("organization role", &format!("{org}/{name}"))
        }
    })
}

fn own_role_mut<'s>(
    store: &'s mut Store,
    scope: Scope<'_>,
    name: &str,
) -> Option<&'s mut RoleRecord> {
    match scope {
        Scope::Environment => store.roles.get_mut(name),
        Scope::Organization(org) => store.organization_roles.get_mut(&key(org, name)),
    }
}

/// Every role (environment and organization) whose base is the role `base`
/// of `scope`.
fn dependents<'s>(store: &'s Store, base: &RoleRecord) -> Vec<&'s RoleRecord> {
    let extends_base = |r: &&RoleRecord| r.extends.as_deref() == Some(base.name.as_str());
    match &base.organization_id {
        // Environment roles are bases for environment roles, and for the
        // roles of every organization.
        None => store
            .roles
            .values()
            .chain(store.organization_roles.values())
            .filter(extends_base)
            .collect(),
        Some(org) => store
            .organization_roles
            .values()
            .filter(|r| r.organization_id.as_ref() == Some(org))
            .filter(extends_base)
            .collect(),
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

/// The wire form of a role, as seen from `org` (which decides
/// `default_member` for organization listings).
fn role_message(store: &Store, role: &RoleRecord, org: Option<&str>, include: Include) -> Role {
    let default_member = match org {
        Some(org) => store
            .default_member_role_in(org)
            .is_some_and(|d| d.id == role.id),
        None => role.organization_id.is_none() && role.name == store.default_member_role,
    };
    let permissions = match include {
        Include::Nothing => Vec::new(),
        Include::Direct => role
            .permissions
            .iter()
            .map(|p| store.role_permission(p, &role.name))
            .collect(),
        Include::All => store.effective_permissions(role),
    };
    Role {
        id: role.id.clone(),
        name: role.name.clone(),
        display_name: role.display_name.clone(),
        description: role.description.clone(),
        default_creator: role.organization_id.is_none() && role.name == store.default_creator_role,
        default_member,
        extends: role.extends.clone(),
        permissions,
        dependent_roles_count: i32::try_from(dependents(store, role).len()).unwrap_or(i32::MAX),
        is_org_role: role.organization_id.is_some(),
    }
}

/// Permission names for a role: each must exist; duplicates collapse.
fn permission_names(store: &Store, field: &str, names: &[String]) -> Result<Vec<String>, Status> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let name = required(field, name)?;
        if !store.permissions.contains_key(name) {
            return Err(status::not_found("permission", name));
        }
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    if out.len() > MAX_ROLE_PERMISSIONS {
        return Err(status::invalid_argument(
            field,
            format!("at most {MAX_ROLE_PERMISSIONS} permissions per role"),
        ));
    }
    Ok(out)
}

/// A base role for `name` in `scope`: it must exist there and not be `name`
/// itself or inherit from it.
fn check_base(store: &Store, scope: Scope<'_>, name: &str, base: &str) -> Result<String, Status> {
    let base = valid_role_name("extends", base.trim())?;
    if base == name {
        return Err(status::invalid_argument(
            "extends",
            "a role cannot extend itself",
        ));
    }
    let mut current =
        Some(find_role(store, scope, base).ok_or_else(|| status::not_found("role", base))?);
    let mut seen = HashSet::new();
    while let Some(r) = current {
        if r.name == name {
            return Err(status::invalid_argument(
                "extends",
                format!("role {base} already inherits from {name}"),
            ));
        }
        if !seen.insert(r.id.clone()) {
            break;
        }
        current = r
            .extends
            .as_deref()
            .and_then(|b| find_role(store, scope, b));
    }
    Ok(base.to_string())
}

struct NewRole {
    name: String,
    display_name: String,
    description: Option<String>,
    extends: Option<String>,
    permissions: Vec<String>,
}

fn create_in(store: &mut Store, scope: Scope<'_>, wanted: NewRole) -> Result<Role, Status> {
    let name = valid_role_name("name", wanted.name.trim())?.to_string();
    let display_name = required("display_name", &wanted.display_name)?.to_string();
    let taken = match scope {
        // One name, one role, in every organization.
        Scope::Environment => {
            store.roles.contains_key(&name)
                || store.organization_roles.keys().any(|(_, n)| *n == name)
        }
        Scope::Organization(org) => {
            store.roles.contains_key(&name)
                || store.organization_roles.contains_key(&key(org, &name))
        }
    };
    if taken {
        return Err(status::already_exists(
            "ROLE_ALREADY_EXISTS",
            format!("a role named {name} already exists"),
        ));
    }
    let extends = match wanted.extends.as_deref().filter(|e| !e.trim().is_empty()) {
        Some(base) => Some(check_base(store, scope, &name, base)?),
        None => None,
    };
    let permissions = permission_names(store, "permissions", &wanted.permissions)?;
    let role = RoleRecord {
        id: store.ids.next("role"),
        name: name.clone(),
        display_name,
        description: wanted.description.unwrap_or_default(),
        extends,
        permissions,
        organization_id: scope.org().map(str::to_string),
    };
    let message = role_message(store, &role, scope.org(), Include::Direct);
    match scope {
        Scope::Environment => store.roles.insert(name, role),
        Scope::Organization(org) => store.organization_roles.insert(key(org, &name), role),
    };
    Ok(message)
}

fn update_in(
    store: &mut Store,
    scope: Scope<'_>,
    name: &str,
    update: Option<UpdateRole>,
) -> Result<Role, Status> {
    let name = required("role_name", name)?;
    own_role(store, scope, name)?;
    let update = update.ok_or_else(|| status::invalid_argument("role", "is required"))?;
    let display_name = match update.display_name {
        Some(d) => Some(required("display_name", &d)?.to_string()),
        None => None,
    };
    let extends = match update.extends.as_deref() {
        Some(base) => Some(check_base(store, scope, name, base)?),
        None => None,
    };
    let permissions = if update.permissions.is_empty() {
        None
    } else {
        Some(permission_names(store, "permissions", &update.permissions)?)
    };
    let role = own_role_mut(store, scope, name).ok_or_else(|| status::not_found("role", name))?;
    if let Some(d) = &display_name {
        role.display_name.clone_from(d);
    }
    if let Some(d) = update.description {
        role.description = d;
    }
    if extends.is_some() {
        role.extends = extends;
    }
    if let Some(p) = permissions {
        role.permissions = p;
    }
    let summary = role.summary();
    if display_name.is_some() {
        // Memberships carry a copy of the display name.
        for user in store.users.values_mut() {
            for membership in &mut user.memberships {
                for held in membership.roles.iter_mut().filter(|r| r.id == summary.id) {
                    *held = summary.clone();
                }
            }
        }
    }
    let role = own_role(store, scope, name)?;
    Ok(role_message(store, role, scope.org(), Include::Direct))
}

/// Distinct users with a membership (in `org`, or anywhere) holding `role_id`.
fn users_holding(store: &Store, role_id: &str, org: Option<&str>) -> i64 {
    let count = store
        .users
        .values()
        .filter(|u| {
            u.memberships.iter().any(|m| {
                org.is_none_or(|o| m.organization_id == o)
                    && m.roles.iter().any(|r| r.id == role_id)
            })
        })
        .count();
    i64::try_from(count).unwrap_or(i64::MAX)
}

fn delete_in(
    store: &mut Store,
    scope: Scope<'_>,
    name: &str,
    reassign: Option<&str>,
) -> Result<(), Status> {
    let name = required("role_name", name)?;
    let role = own_role(store, scope, name)?.clone();
    if role.organization_id.is_none()
        && (role.name == store.default_member_role || role.name == store.default_creator_role)
    {
        return Err(status::failed_precondition(
            "ROLE_IS_DEFAULT",
            format!("role {name} is a default role of the environment; set another default first"),
        ));
    }
    let reassign = match reassign.map(str::trim).filter(|r| !r.is_empty()) {
        Some(target) if target == name => {
            return Err(status::invalid_argument(
                "reassign_role_name",
                "must differ from the role being deleted",
            ))
        }
        Some(target) => Some(
            find_role(store, scope, target)
                .ok_or_else(|| status::not_found("role", target))?
                .clone(),
        ),
        None => None,
    };
    let dependent_names: Vec<(Option<String>, String)> = dependents(store, &role)
        .into_iter()
        .map(|r| (r.organization_id.clone(), r.name.clone()))
        .collect();
    let holders = users_holding(store, &role.id, scope.org());
    let defaulting: Vec<String> = store
        .organization_default_roles
        .iter()
        .filter(|(org, default)| {
            **default == role.name && scope.org().is_none_or(|o| o == org.as_str())
        })
        .map(|(org, _)| org.clone())
        .collect();
    let Some(target) = reassign else {
        if !dependent_names.is_empty() {
            return Err(status::failed_precondition(
                "ROLE_HAS_DEPENDENTS",
                format!(
                    "{} role(s) extend role {name}; name a reassign role to move them to",
                    dependent_names.len()
                ),
            ));
        }
        if holders > 0 || !defaulting.is_empty() {
            return Err(status::failed_precondition(
                "ROLE_IN_USE",
                format!("role {name} is held by {holders} user(s) or is an organization's default role; name a reassign role to move them to"),
            ));
        }
        remove_role(store, scope, name);
        return Ok(());
    };
    // Dependents now extend the reassign role (which, if it was itself a
    // dependent, takes over the deleted role's base).
    for (org, dependent) in dependent_names {
        let record = match &org {
            None => store.roles.get_mut(&dependent),
            Some(org) => store.organization_roles.get_mut(&key(org, &dependent)),
        };
        if let Some(record) = record {
            record.extends = if record.id == target.id {
                role.extends.clone()
            } else {
                Some(target.name.clone())
            };
        }
    }
    let moved = target.summary();
    for user in store.users.values_mut() {
        for membership in &mut user.memberships {
            if scope.org().is_some_and(|o| membership.organization_id != o) {
                continue;
            }
            if membership.roles.iter().any(|r| r.id == role.id) {
                membership.roles.retain(|r| r.id != role.id);
                if !membership.roles.iter().any(|r| r.id == moved.id) {
                    membership.roles.push(moved.clone());
                }
            }
        }
    }
    for org in defaulting {
        store
            .organization_default_roles
            .insert(org, target.name.clone());
    }
    remove_role(store, scope, name);
    Ok(())
}

fn remove_role(store: &mut Store, scope: Scope<'_>, name: &str) {
    match scope {
        Scope::Environment => {
            store.roles.remove(name);
        }
        Scope::Organization(org) => {
            store.organization_roles.remove(&key(org, name));
        }
    }
}

fn clear_base(store: &mut Store, scope: Scope<'_>, name: &str) -> Result<(), Status> {
    let name = required("role_name", name)?;
    own_role(store, scope, name)?;
    if let Some(role) = own_role_mut(store, scope, name) {
        role.extends = None;
    }
    Ok(())
}

fn env_role<'s>(store: &'s Store, name: &str) -> Result<&'s RoleRecord, Status> {
    let name = required("role_name", name)?;
    store
        .roles
        .get(name)
        .ok_or_else(|| status::not_found("role", name))
}

fn direct_permissions(store: &Store, role: &RoleRecord) -> Vec<Permission> {
    role.permissions
        .iter()
        .map(|p| as_permission(store.role_permission(p, &role.name)))
        .collect()
}

#[tonic::async_trait]
impl RolesService for Roles {
    async fn create_role(
        &self,
        request: Request<CreateRoleRequest>,
    ) -> Result<Response<CreateRoleResponse>, Status> {
        let req = request.into_inner();
        let wanted = validate::present("role", req.role)?;
        let mut store = self.ctx.lock();
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

    async fn update_role(
        &self,
        request: Request<UpdateRoleRequest>,
    ) -> Result<Response<UpdateRoleResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let role = update_in(&mut store, Scope::Environment, &req.role_name, req.role)?;
        Ok(Response::new(UpdateRoleResponse { role: Some(role) }))
    }

    async fn get_role(
        &self,
        request: Request<GetRoleRequest>,
    ) -> Result<Response<GetRoleResponse>, Status> {
        let req = request.into_inner();
        let include = include(req.include.as_deref())?;
        let store = self.ctx.lock();
        let role = env_role(&store, &req.role_name)?;
        Ok(Response::new(GetRoleResponse {
            role: Some(role_message(&store, role, None, include)),
        }))
    }

    async fn list_roles(
        &self,
        request: Request<ListRolesRequest>,
    ) -> Result<Response<ListRolesResponse>, Status> {
        let req = request.into_inner();
        let include = include(req.include.as_deref())?;
        let store = self.ctx.lock();
        let mut roles: Vec<&RoleRecord> = store.roles.values().collect();
        roles.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Response::new(ListRolesResponse {
            roles: roles
                .into_iter()
                .map(|r| role_message(&store, r, None, include))
                .collect(),
        }))
    }

    async fn delete_role(
        &self,
        request: Request<DeleteRoleRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
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

    async fn create_organization_role(
        &self,
        request: Request<CreateOrganizationRoleRequest>,
    ) -> Result<Response<CreateOrganizationRoleResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
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

    async fn update_organization_role(
        &self,
        request: Request<UpdateOrganizationRoleRequest>,
    ) -> Result<Response<UpdateOrganizationRoleResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
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

    async fn get_organization_role(
        &self,
        request: Request<GetOrganizationRoleRequest>,
    ) -> Result<Response<GetOrganizationRoleResponse>, Status> {
        let req = request.into_inner();
        let include = include(req.include.as_deref())?;
        let store = self.ctx.lock();
        let org = validate::organization(&store, "org_id", &req.org_id)?;
        let name = required("role_name", &req.role_name)?;
        let role = find_role(&store, Scope::Organization(&org), name)
            .ok_or_else(|| status::not_found("role", name))?;
        Ok(Response::new(GetOrganizationRoleResponse {
            role: Some(role_message(&store, role, Some(org.as_str()), include)),
        }))
    }

    async fn list_organization_roles(
        &self,
        request: Request<ListOrganizationRolesRequest>,
    ) -> Result<Response<ListOrganizationRolesResponse>, Status> {
        let req = request.into_inner();
        let include = include(req.include.as_deref())?;
        let store = self.ctx.lock();
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

    async fn delete_organization_role(
        &self,
        request: Request<DeleteOrganizationRoleRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "org_id", &req.org_id)?;
        delete_in(
            &mut store,
            Scope::Organization(&org),
            &req.role_name,
            req.reassign_role_name.as_deref(),
        )?;
        Ok(Response::new(()))
    }

    async fn get_role_users_count(
        &self,
        request: Request<GetRoleUsersCountRequest>,
    ) -> Result<Response<GetRoleUsersCountResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let role = env_role(&store, &req.role_name)?;
        Ok(Response::new(GetRoleUsersCountResponse {
            count: users_holding(&store, &role.id, None),
        }))
    }

    async fn get_organization_role_users_count(
        &self,
        request: Request<GetOrganizationRoleUsersCountRequest>,
    ) -> Result<Response<GetOrganizationRoleUsersCountResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let org = validate::organization(&store, "org_id", &req.org_id)?;
        let name = required("role_name", &req.role_name)?;
        let role = find_role(&store, Scope::Organization(&org), name)
            .ok_or_else(|| status::not_found("role", name))?;
        Ok(Response::new(GetOrganizationRoleUsersCountResponse {
            count: users_holding(&store, &role.id, Some(org.as_str())),
        }))
    }

    async fn update_default_roles(
        &self,
        request: Request<UpdateDefaultRolesRequest>,
    ) -> Result<Response<UpdateDefaultRolesResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
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

    async fn update_default_organization_roles(
        &self,
        request: Request<UpdateDefaultOrganizationRolesRequest>,
    ) -> Result<Response<UpdateDefaultOrganizationRolesResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
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

    async fn list_dependent_roles(
        &self,
        request: Request<ListDependentRolesRequest>,
    ) -> Result<Response<ListDependentRolesResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
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

    async fn delete_role_base(
        &self,
        request: Request<DeleteRoleBaseRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        clear_base(&mut store, Scope::Environment, &req.role_name)?;
        Ok(Response::new(()))
    }

    async fn delete_organization_role_base(
        &self,
        request: Request<DeleteOrganizationRoleBaseRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "org_id", &req.org_id)?;
        clear_base(&mut store, Scope::Organization(&org), &req.role_name)?;
        Ok(Response::new(()))
    }

    async fn create_permission(
        &self,
        request: Request<CreatePermissionRequest>,
    ) -> Result<Response<CreatePermissionResponse>, Status> {
        let req = request.into_inner();
        let wanted = validate::present("permission", req.permission)?;
        let name = valid_permission_name("name", wanted.name.trim())?.to_string();
        let mut store = self.ctx.lock();
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

    async fn get_permission(
        &self,
        request: Request<GetPermissionRequest>,
    ) -> Result<Response<GetPermissionResponse>, Status> {
        let req = request.into_inner();
        let name = required("permission_name", &req.permission_name)?;
        let store = self.ctx.lock();
        let permission = store
            .permissions
            .get(name)
            .cloned()
            .ok_or_else(|| status::not_found("permission", name))?;
        Ok(Response::new(GetPermissionResponse {
            permission: Some(permission),
        }))
    }

    async fn update_permission(
        &self,
        request: Request<UpdatePermissionRequest>,
    ) -> Result<Response<UpdatePermissionResponse>, Status> {
        let req = request.into_inner();
        let name = required("permission_name", &req.permission_name)?;
        let mut store = self.ctx.lock();
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

    async fn list_permissions(
        &self,
        request: Request<ListPermissionsRequest>,
    ) -> Result<Response<ListPermissionsResponse>, Status> {
        let req = request.into_inner();
        let kind = PermissionType::try_from(req.r#type)
            .map_err(|_| status::invalid_argument("type", "unknown permission type"))?;
        let store = self.ctx.lock();
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

    async fn delete_permission(
        &self,
        request: Request<DeletePermissionRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let name = required("permission_name", &req.permission_name)?;
        let mut store = self.ctx.lock();
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

    async fn list_role_permissions(
        &self,
        request: Request<ListRolePermissionsRequest>,
    ) -> Result<Response<ListRolePermissionsResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let role = env_role(&store, &req.role_name)?;
        Ok(Response::new(ListRolePermissionsResponse {
            permissions: direct_permissions(&store, role),
        }))
    }

    async fn add_permissions_to_role(
        &self,
        request: Request<AddPermissionsToRoleRequest>,
    ) -> Result<Response<AddPermissionsToRoleResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
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

    async fn remove_permission_from_role(
        &self,
        request: Request<RemovePermissionFromRoleRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
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

    async fn list_effective_role_permissions(
        &self,
        request: Request<ListEffectiveRolePermissionsRequest>,
    ) -> Result<Response<ListEffectiveRolePermissionsResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let role = env_role(&store, &req.role_name)?;
        Ok(Response::new(ListEffectiveRolePermissionsResponse {
            permissions: store
                .effective_permissions(role)
                .into_iter()
                .map(as_permission)
                .collect(),
        }))
    }
}
