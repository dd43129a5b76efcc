//! The gRPC services, one module each, over the shared store. Every service
//! in `proto/` is registered, so every RPC is routed: those the emulator
//! implements keep real state, and the rest answer UNIMPLEMENTED, naming
//! the method (see `docs/emulator-deviations.md`).

pub(crate) mod auth;
pub(crate) mod canned;
pub(crate) mod connections;
pub(crate) mod directories;
pub(crate) mod domains;
pub(crate) mod organizations;
pub(crate) mod passwordless;
pub(crate) mod roles;
pub(crate) mod sessions;
pub(crate) mod users;
pub(crate) mod webauthn;

use scalekit::proto;

/// A service whose RPCs all answer UNIMPLEMENTED (the generated default
/// bodies); the gate rewrites their message to name the method.
pub(crate) struct NotYet;

impl proto::auditlogs::AuditLogsService for NotYet {}
