//! The gRPC services, one module each, over the shared store. Every service
//! in `proto/` is registered, so every RPC is routed: those the emulator
//! implements keep real state, and the rest answer UNIMPLEMENTED, naming
//! the method (see `docs/emulator-deviations.md`).
//!
//! A service holds RPC logic only: it checks the request (with the shared
//! checks in [`validate`]), calls the store, and maps records to messages.
//! Every service holds the one [`Context`] of its environment.

pub(crate) mod api_tokens;
pub(crate) mod auth;
pub(crate) mod canned;
pub(crate) mod clients;
pub(crate) mod connections;
pub(crate) mod directories;
pub(crate) mod domains;
pub(crate) mod events;
pub(crate) mod organizations;
pub(crate) mod passwordless;
pub(crate) mod roles;
pub(crate) mod sessions;
pub(crate) mod users;
pub(crate) mod validate;
pub(crate) mod webauthn;

use std::sync::{Arc, MutexGuard};

use scalekit::proto;

use crate::store::{SharedStore, Store};

/// What every service of one environment shares: the store and the facts
/// about the environment that some RPCs put in their answers.
pub(crate) struct Context {
    pub(crate) store: Arc<SharedStore>,
    /// The environment URL (`http://ADDR`); admin-portal links point below it.
    pub(crate) env_url: String,
    /// The WebAuthn relying party id: the environment URL's host.
    pub(crate) rp_id: String,
}

impl Context {
    pub(crate) fn new(store: Arc<SharedStore>, env_url: &str) -> Arc<Self> {
        let rp_id = url::Url::parse(env_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".to_string());
        Arc::new(Context {
            store,
            env_url: env_url.to_string(),
            rp_id,
        })
    }

    /// The store, locked for one RPC.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock()
    }
}

/// A service whose RPCs all answer UNIMPLEMENTED (the generated default
/// bodies); the gate rewrites their message to name the method. Registering
/// it, rather than leaving the service out, is what makes an unserved RPC
/// say which method is missing instead of answering an empty
/// UNIMPLEMENTED.
pub(crate) struct NotYet;

impl proto::auditlogs::AuditLogsService for NotYet {}

/// The agent surface (tools an AI agent can call, and the third-party
/// accounts they act through) is outside what the emulator models.
impl proto::tools::ToolService for NotYet {}

impl proto::connected_accounts::ConnectedAccountService for NotYet {}
