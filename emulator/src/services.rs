//! The gRPC services. Users, organizations and roles keep real state; the other
//! services are registered so every RPC in `proto/` is routed, and answer
//! UNIMPLEMENTED (naming the method) until they are written.

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
