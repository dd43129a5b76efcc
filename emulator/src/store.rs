//! The environment's state: organizations, users with their memberships,
//! invites and roles, all in memory behind one lock.
//!
//! Every RPC takes the lock once, validates, then mutates, so a failed call
//! leaves nothing half-done and concurrent calls see each other whole.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use scalekit::proto::commons::Role;
use scalekit::proto::organizations::Organization;
use scalekit::proto::users::{Invite, User};

use crate::ids::IdGenerator;

/// The roles a new Scalekit environment starts with, and the one new
/// memberships get when none is named.
pub(crate) const DEFAULT_ROLES: &[(&str, &str)] = &[("admin", "Admin"), ("member", "Member")];
pub(crate) const DEFAULT_MEMBER_ROLE: &str = "member";

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
    pub(crate) roles: BTreeMap<String, Role>,
}

impl Store {
    pub(crate) fn new(seed: u64) -> Self {
        let mut ids = IdGenerator::new(seed);
        let environment_id = ids.next("env");
        let roles = DEFAULT_ROLES
            .iter()
            .map(|(name, display)| {
                let role = Role {
                    id: ids.next("role"),
                    name: (*name).to_string(),
                    display_name: (*display).to_string(),
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
