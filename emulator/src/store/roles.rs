//! Roles and permissions: the role records of the environment and of each
//! organization, how a role name resolves from an organization, default
//! roles, and permissions inherited through `extends`.

use std::collections::{BTreeMap, HashSet};

use scalekit::proto::commons::Role;
use scalekit::proto::roles::RolePermission;

use super::Store;
use crate::ids::IdGenerator;

/// The roles a new Scalekit environment starts with, and the one new
/// memberships get when none is named.
pub(crate) const DEFAULT_ROLES: &[(&str, &str)] = &[("admin", "Admin"), ("member", "Member")];
pub(crate) const DEFAULT_MEMBER_ROLE: &str = "member";
/// The environment's initial default creator role.
pub(crate) const DEFAULT_CREATOR_ROLE: &str = "admin";

/// A role of the environment (`organization_id: None`) or of one
/// organization.
#[derive(Clone, Debug, Default)]
pub(crate) struct RoleRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    /// The name of the base role this one inherits permissions from.
    pub(crate) extends: Option<String>,
    /// Names of the directly assigned permissions, in assignment order.
    pub(crate) permissions: Vec<String>,
    pub(crate) organization_id: Option<String>,
}

impl RoleRecord {
    /// The short form memberships carry.
    pub(crate) fn summary(&self) -> Role {
        Role {
            id: self.id.clone(),
            name: self.name.clone(),
            display_name: self.display_name.clone(),
        }
    }
}

/// The environment roles of a new environment, by name.
pub(super) fn default_roles(ids: &mut IdGenerator) -> BTreeMap<String, RoleRecord> {
    DEFAULT_ROLES
        .iter()
        .map(|(name, display)| {
            let role = RoleRecord {
                id: ids.next("role"),
                name: (*name).to_string(),
                display_name: (*display).to_string(),
                ..Default::default()
            };
            ((*name).to_string(), role)
        })
        .collect()
}

impl Store {
    /// The role `name` as seen from `organization_id`: that organization's
    /// own role, else the environment role; environment roles only when
    /// `organization_id` is `None`.
    pub(crate) fn role_in(&self, organization_id: Option<&str>, name: &str) -> Option<&RoleRecord> {
        organization_id
            .and_then(|org| {
                self.organization_roles
                    .get(&(org.to_string(), name.to_string()))
            })
            .or_else(|| self.roles.get(name))
    }

    /// The role new memberships of `organization_id` get when none is named:
    /// the organization's default, else the environment's.
    pub(crate) fn default_member_role_in(&self, organization_id: &str) -> Option<&RoleRecord> {
        self.organization_default_roles
            .get(organization_id)
            .and_then(|name| self.role_in(Some(organization_id), name))
            .or_else(|| self.roles.get(&self.default_member_role))
    }

    /// Forgets an organization's own roles and default role (the
    /// organization is being deleted).
    pub(crate) fn forget_organization_roles(&mut self, organization_id: &str) {
        self.organization_roles
            .retain(|(org, _), _| org != organization_id);
        self.organization_default_roles.remove(organization_id);
    }

    /// The role's permissions, its own first, then its bases' up the chain
    /// (resolved from the role's own organization), each name once, tagged
    /// with the role it comes from.
    pub(crate) fn effective_permissions(&self, role: &RoleRecord) -> Vec<RolePermission> {
        let org = role.organization_id.as_deref();
        let mut seen_roles = HashSet::new();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut current = Some(role);
        while let Some(r) = current {
            // A cycle cannot be stored, but a walk must end regardless.
            if !seen_roles.insert(r.id.clone()) {
                break;
            }
            for name in &r.permissions {
                if seen.insert(name.clone()) {
                    out.push(self.role_permission(name, &r.name));
                }
            }
            current = r
                .extends
                .as_deref()
                .and_then(|base| self.role_in(org, base));
        }
        out
    }

    /// The permissions that the membership roles `role_names` give in
    /// `organization_id`: each role's own and inherited (`extends`), each
    /// name once, in role order. Unknown role names give nothing.
    pub(crate) fn membership_permissions<'a>(
        &self,
        organization_id: &str,
        role_names: impl IntoIterator<Item = &'a str>,
    ) -> Vec<RolePermission> {
        let mut seen = HashSet::new();
        role_names
            .into_iter()
            .filter_map(|name| self.role_in(Some(organization_id), name))
            .flat_map(|role| self.effective_permissions(role))
            .filter(|p| seen.insert(p.name.clone()))
            .collect()
    }

    /// The permission `name` as a role `role_name` holds it (an unknown
    /// name reads as a permission with only its name).
    pub(crate) fn role_permission(&self, name: &str, role_name: &str) -> RolePermission {
        let p = self.permissions.get(name).cloned().unwrap_or_default();
        RolePermission {
            id: p.id,
            name: name.to_string(),
            description: p.description,
            create_time: p.create_time,
            update_time: p.update_time,
            role_name: role_name.to_string(),
        }
    }
}
