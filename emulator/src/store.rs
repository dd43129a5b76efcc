//! The environment's state, all in memory behind one lock: the records of
//! every area and the invariants that span them (indexes, cascades on
//! delete). One submodule per area adds its record types and the `Store`
//! methods that read or change them.
//!
//! Every RPC takes the lock once, validates, then mutates, so a failed call
//! leaves nothing half-done and concurrent calls see each other whole.
//!
//! The store depends on nothing above it: the services (`crate::services`)
//! read and change it, never the other way round.

pub(crate) mod api_tokens;
pub(crate) mod auth;
pub(crate) mod clients;
pub(crate) mod directories;
pub(crate) mod events;
pub(crate) mod organizations;
pub(crate) mod passwordless;
pub(crate) mod roles;
pub(crate) mod users;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use scalekit::proto::auth::webauthn::WebAuthnCredential;
use scalekit::proto::connections::Connection;
use scalekit::proto::domains::Domain;
use scalekit::proto::organizations::{
    Link, Organization, OrganizationSessionPolicySettings, OrganizationUserManagementSettings,
};
use scalekit::proto::roles::Permission;
use scalekit::proto::sessions::SessionDetails;
use scalekit::proto::users::{Invite, User};

use crate::ids::IdGenerator;

pub(crate) use self::auth::LoginRequest;
pub(crate) use self::clients::{OrganizationClientRecord, SecretRemoval};
pub(crate) use self::directories::DirectoryRecord;
pub(crate) use self::events::EventSink;
pub(crate) use self::events::{Change, EventRecord, Subject};
pub(crate) use self::passwordless::PasswordlessState;
pub(crate) use self::roles::RoleRecord;
pub(crate) use self::users::align_name_aliases;

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
    /// Organizations' session policies by organization id, timeouts in
    /// minutes; an organization missing here follows the application's.
    pub(crate) session_policies: BTreeMap<String, OrganizationSessionPolicySettings>,
    /// Organizations' domains by id (`dom_…`).
    pub(crate) domains: BTreeMap<String, Domain>,
    /// Organizations' SSO connections by id (`conn_…`).
    pub(crate) connections: BTreeMap<String, Connection>,
    /// The environment's app connections by id (`conn_…`): tied to no
    /// organization, so kept apart from theirs.
    pub(crate) app_connections: BTreeMap<String, Connection>,
    /// Organizations' SCIM directories by id (`dir_…`), with their users
    /// and groups.
    pub(crate) directories: BTreeMap<String, DirectoryRecord>,
    /// Users' sessions by id (`ses_…`).
    pub(crate) sessions: BTreeMap<String, SessionDetails>,
    /// Passwordless auth requests and the emails sent for them.
    pub(crate) passwordless: PasswordlessState,
    /// Users' WebAuthn credentials by id (`wac_…`).
    pub(crate) webauthn_credentials: BTreeMap<String, WebAuthnCredential>,
    /// Login requests of "bring your own auth" sign-ins by id (`login_…`).
    pub(crate) login_requests: BTreeMap<String, LoginRequest>,
    /// Organizations' API tokens by id (`apit_…`), invalidated ones kept.
    pub(crate) api_tokens: BTreeMap<String, api_tokens::ApiTokenRecord>,
    /// Organizations' M2M clients by id (`m2morg_…`), with their secrets.
    pub(crate) organization_clients: BTreeMap<String, OrganizationClientRecord>,
    /// The event log, oldest first; only ever appended to.
    pub(crate) events: Vec<EventRecord>,
    /// Where new events go for webhook delivery. Part of the emulator's
    /// wiring rather than its data: a reset keeps it.
    pub(crate) event_sink: EventSink,
}

impl Store {
    pub(crate) fn new(seed: u64) -> Self {
        let mut ids = IdGenerator::new(seed);
        let environment_id = ids.next("env");
        let roles = roles::default_roles(&mut ids);
        Store {
            ids,
            environment_id,
            organizations: BTreeMap::new(),
            users: BTreeMap::new(),
            invites: BTreeMap::new(),
            roles,
            organization_roles: BTreeMap::new(),
            permissions: BTreeMap::new(),
            default_member_role: roles::DEFAULT_MEMBER_ROLE.to_string(),
            default_creator_role: roles::DEFAULT_CREATOR_ROLE.to_string(),
            organization_default_roles: BTreeMap::new(),
            portal_links: BTreeMap::new(),
            user_management: BTreeMap::new(),
            session_policies: BTreeMap::new(),
            domains: BTreeMap::new(),
            connections: BTreeMap::new(),
            app_connections: BTreeMap::new(),
            directories: BTreeMap::new(),
            sessions: BTreeMap::new(),
            passwordless: Default::default(),
            webauthn_credentials: BTreeMap::new(),
            login_requests: BTreeMap::new(),
            api_tokens: BTreeMap::new(),
            organization_clients: BTreeMap::new(),
            events: Vec::new(),
            event_sink: EventSink::default(),
        }
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
