//! The role logic environment and organization roles share: where a role
//! lives ([`Scope`]), how a name resolves there, the wire form of a role, and
//! creating, updating and deleting a role in a scope (inheritance checks,
//! reassignment of dependents and holders).

use super::*;

/// A name for a new role: `^[a-zA-Z0-9_]{1,64}$`.
pub(super) fn valid_role_name<'a>(field: &str, value: &'a str) -> Result<&'a str, Status> {
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

/// What `include` asks to add to returned roles.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Include {
    Nothing,
    /// Directly assigned permissions.
    Direct,
    /// Direct and inherited permissions.
    All,
}

pub(super) fn include(value: Option<&str>) -> Result<Include, Status> {
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
pub(super) enum Scope<'a> {
    Environment,
    Organization(&'a str),
}

impl<'a> Scope<'a> {
    pub(super) fn org(self) -> Option<&'a str> {
        match self {
            Scope::Environment => None,
            Scope::Organization(org) => Some(org),
        }
    }
}

pub(super) fn key(org: &str, name: &str) -> (String, String) {
    (org.to_string(), name.to_string())
}

/// The role `name` may be addressed as in `scope`: an organization role of
/// that organization, or an environment role.
pub(super) fn find_role<'s>(
    store: &'s Store,
    scope: Scope<'_>,
    name: &str,
) -> Option<&'s RoleRecord> {
    store.role_in(scope.org(), name)
}

/// The role a create/update/delete in `scope` acts on: in an organization
/// only that organization's own roles can be changed.
pub(super) fn own_role<'s>(
    store: &'s Store,
    scope: Scope<'_>,
    name: &str,
) -> Result<&'s RoleRecord, Status> {
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

pub(super) fn own_role_mut<'s>(
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
pub(super) fn dependents<'s>(store: &'s Store, base: &RoleRecord) -> Vec<&'s RoleRecord> {
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

/// The wire form of a role, as seen from `org` (which decides
/// `default_member` for organization listings).
pub(super) fn role_message(
    store: &Store,
    role: &RoleRecord,
    org: Option<&str>,
    include: Include,
) -> Role {
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
pub(super) fn permission_names(
    store: &Store,
    field: &str,
    names: &[String],
) -> Result<Vec<String>, Status> {
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
pub(super) fn check_base(
    store: &Store,
    scope: Scope<'_>,
    name: &str,
    base: &str,
) -> Result<String, Status> {
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

pub(super) struct NewRole {
    pub(super) name: String,
    pub(super) display_name: String,
    pub(super) description: Option<String>,
    pub(super) extends: Option<String>,
    pub(super) permissions: Vec<String>,
}

pub(super) fn create_in(
    store: &mut Store,
    scope: Scope<'_>,
    wanted: NewRole,
) -> Result<Role, Status> {
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

pub(super) fn update_in(
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
pub(super) fn users_holding(store: &Store, role_id: &str, org: Option<&str>) -> i64 {
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

pub(super) fn delete_in(
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

pub(super) fn remove_role(store: &mut Store, scope: Scope<'_>, name: &str) {
    match scope {
        Scope::Environment => {
            store.roles.remove(name);
        }
        Scope::Organization(org) => {
            store.organization_roles.remove(&key(org, name));
        }
    }
}

pub(super) fn clear_base(store: &mut Store, scope: Scope<'_>, name: &str) -> Result<(), Status> {
    let name = required("role_name", name)?;
    own_role(store, scope, name)?;
    if let Some(role) = own_role_mut(store, scope, name) {
        role.extends = None;
    }
    Ok(())
}

pub(super) fn env_role<'s>(store: &'s Store, name: &str) -> Result<&'s RoleRecord, Status> {
    let name = required("role_name", name)?;
    store
        .roles
        .get(name)
        .ok_or_else(|| status::not_found("role", name))
}
