//! The environment's state: organizations, users with their memberships,
//! invites and roles, all in memory behind one lock.
//!
//! Every RPC takes the lock once, validates, then mutates, so a failed call
//! leaves nothing half-done and concurrent calls see each other whole.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use scalekit::proto::commons::{Role, UserProfile};
use scalekit::proto::connections::Connection;
use scalekit::proto::domains::Domain;
use scalekit::proto::organizations::{Link, Organization, OrganizationUserManagementSettings};
use scalekit::proto::roles::Permission;
use scalekit::proto::users::{Invite, User};

use crate::ids::IdGenerator;
use crate::services::directories::DirectoryRecord;

/// The roles a new Scalekit environment starts with, and the one new
/// memberships get when none is named.
pub(crate) const DEFAULT_ROLES: &[(&str, &str)] = &[("admin", "Admin"), ("member", "Member")];
pub(crate) const DEFAULT_MEMBER_ROLE: &str = "member";
/// The environment's initial default creator role.
pub(crate) const DEFAULT_CREATOR_ROLE: &str = "admin";

/// Everything the emulator remembers.
pub(crate) struct Store {
    pub(crate) ids: IdGenerator,
    pub(crate) environment_id: String,
    /// By id; ids sort in creation order, so iteration is creation order.
    pub(crate) organizations: BTreeMap<String, Organization>,
    pub(crate) users: BTreeMap<String, User>,
    /// By (organization id, user id).
    pub(crate) invites: BTreeMap<(String, String), Invite>,
    /// Environment roles by name.
    pub(crate) roles: BTreeMap<String, RoleRecord>,
    /// Organization roles by (organization id, role name).
    pub(crate) organization_roles: BTreeMap<(String, String), RoleRecord>,
    /// Permissions by name.
    pub(crate) permissions: BTreeMap<String, Permission>,
    /// The environment's default member and creator role names.
    pub(crate) default_member_role: String,
    pub(crate) default_creator_role: String,
    /// Organizations' own default member role names, by organization id.
    pub(crate) organization_default_roles: BTreeMap<String, String>,
    /// Admin-portal links by organization id, oldest first.
    pub(crate) portal_links: BTreeMap<String, Vec<Link>>,
    /// User-management settings (the member limit) by organization id.
    pub(crate) user_management: BTreeMap<String, OrganizationUserManagementSettings>,
    /// Organizations' domains by id (`dom_…`).
    pub(crate) domains: BTreeMap<String, Domain>,
    /// Organizations' SSO connections by id (`conn_…`).
    pub(crate) connections: BTreeMap<String, Connection>,
    /// Organizations' SCIM directories by id (`dir_…`), with their users
    /// and groups.
    pub(crate) directories: BTreeMap<String, DirectoryRecord>,
    /// Users' sessions by id (`ses_…`).
    pub(crate) sessions: BTreeMap<String, scalekit::proto::sessions::SessionDetails>,
    /// Passwordless auth requests and the emails sent for them.
    pub(crate) passwordless: crate::services::passwordless::PasswordlessState,
    /// Users' WebAuthn credentials by id (`wac_…`).
    pub(crate) webauthn_credentials:
        BTreeMap<String, scalekit::proto::auth::webauthn::WebAuthnCredential>,
    /// Login requests of "bring your own auth" sign-ins by id (`login_…`).
    pub(crate) login_requests: BTreeMap<String, crate::services::auth::LoginRequest>,
}

impl Store {
    pub(crate) fn new(seed: u64) -> Self {
        let mut ids = IdGenerator::new(seed);
        let environment_id = ids.next("env");
        let roles = DEFAULT_ROLES
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
            .collect();
        Store {
            ids,
            environment_id,
            organizations: BTreeMap::new(),
            users: BTreeMap::new(),
            invites: BTreeMap::new(),
            roles,
            organization_roles: BTreeMap::new(),
            permissions: BTreeMap::new(),
            default_member_role: DEFAULT_MEMBER_ROLE.to_string(),
            default_creator_role: DEFAULT_CREATOR_ROLE.to_string(),
            organization_default_roles: BTreeMap::new(),
            portal_links: BTreeMap::new(),
            user_management: BTreeMap::new(),
            domains: BTreeMap::new(),
            connections: BTreeMap::new(),
            directories: BTreeMap::new(),
            sessions: BTreeMap::new(),
            passwordless: Default::default(),
            webauthn_credentials: BTreeMap::new(),
            login_requests: BTreeMap::new(),
        }
    }

    /// The user with this email, compared case-insensitively.
    pub(crate) fn user_id_by_email(&self, email: &str) -> Option<String> {
        self.users
            .values()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .map(|u| u.id.clone())
    }

    pub(crate) fn user_id_by_external_id(&self, external_id: &str) -> Option<String> {
        self.users
            .values()
            .find(|u| u.external_id.as_deref() == Some(external_id))
            .map(|u| u.id.clone())
    }

    pub(crate) fn organization_id_by_external_id(&self, external_id: &str) -> Option<String> {
        self.organizations
            .values()
            .find(|o| o.external_id.as_deref() == Some(external_id))
            .map(|o| o.id.clone())
    }
}

/// The shared, locked store.
pub(crate) struct SharedStore(Mutex<Store>);

impl SharedStore {
    pub(crate) fn new(store: Store) -> Self {
        SharedStore(Mutex::new(store))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        // No handler panics while holding the lock on input it was sent; if
        // one ever did, the data is still the last whole state.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The current time as a protobuf timestamp.
pub(crate) fn now() -> prost_types::Timestamp {
    prost_types::Timestamp::from(SystemTime::now())
}

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
}

impl Store {
    /// Forgets an organization's domains, connections and directories (with
    /// their users and groups): the organization is being deleted.
    pub(crate) fn forget_organization_sso(&mut self, organization_id: &str) {
        self.domains
            .retain(|_, d| d.organization_id != organization_id);
        self.connections
            .retain(|_, c| c.organization_id.as_deref() != Some(organization_id));
        self.directories
            .retain(|_, d| d.directory.organization_id != organization_id);
    }
}

impl Store {
    /// Forgets a user's sessions and WebAuthn credentials: the user is being
    /// deleted.
    pub(crate) fn forget_user_auth(&mut self, user_id: &str) {
        self.sessions.retain(|_, s| s.user_id != user_id);
        self.webauthn_credentials
            .retain(|_, c| c.user_id != user_id);
    }
}

/// Keeps a profile's deprecated `first_name`/`last_name` equal to their
/// replacements `given_name`/`family_name`, as the service does for clients
/// that still read or write the old fields (the Node SDK 2.2.2 uses only
/// them). The replacement is the source of truth: an alias only fills in a
/// replacement that is empty. Writers resolve a conflict before calling
/// this (see the user service), so both fields of a stored profile always
/// hold the same name.
#[allow(deprecated)]
pub(crate) fn align_name_aliases(profile: &mut UserProfile) {
    if profile.given_name.is_empty() {
        profile.given_name = profile.first_name.clone();
    }
    if profile.family_name.is_empty() {
        profile.family_name = profile.last_name.clone();
    }
    profile.first_name.clone_from(&profile.given_name);
    profile.last_name.clone_from(&profile.family_name);
}
