//! `scalekit-emulator`: a local, stateful stand-in for a Scalekit environment.
//!
//! One port serves both what a Scalekit SDK talks to: the gRPC API (HTTP/2
//! cleartext) and the OAuth endpoints (`POST /oauth/token`, `GET /keys`).
//! State lives in memory; ids are deterministic; every RPC needs a bearer
//! token the emulator issued.
//!
//! ```
//! # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = scalekit_emulator::Emulator::builder().start().await?;
//! let client = emulator.client()?;
//! let users = client.users().list_users(Default::default()).await?;
//! assert!(users.items.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! What is implemented: the client-credentials, `authorization_code` (with
//! PKCE `S256`/`plain`, one-time codes) and `refresh_token` (rotating)
//! grants; `GET /oauth/authorize` (signs in, or creates, the user
//! `login_hint` names, and redirects back with a code; without it, the
//! sign-in page below), `GET /oidc/logout`
//! and the JWKS (with key rotation, see
//! [`EmulatorHandle::rotate_signing_key`]); the
//! organization and user services (memberships, invites, membership roles)
//! and the roles service (environment and organization roles, inheritance,
//! permissions, default roles); organizations' domains, SSO connections
//! and SCIM directories (directory users and groups are added with
//! [`EmulatorHandle::add_directory_user`] and
//! [`EmulatorHandle::add_directory_group`], standing in for SCIM); users'
//! sessions ([`EmulatorHandle::add_session`] stands in for signing in),
//! passwordless email (what would have been emailed is read with
//! [`EmulatorHandle::passwordless_email`]), WebAuthn credential management
//! ([`EmulatorHandle::add_webauthn_credential`] stands in for registration)
//! and `UpdateLoginUserDetails` (login requests are opened with
//! [`EmulatorHandle::start_login_request`]). Other processes reach the
//! same setup through emulator-only HTTP endpoints, which take the client
//! credentials as HTTP Basic auth and are not part of the Scalekit API:
//! `POST /_emulator/users/{user_id}/sessions`,
//! `POST /_emulator/users/{user_id}/webauthn-credentials`,
//! `GET /_emulator/passwordless/{auth_request_id}`,
//! `POST /_emulator/connections/{connection_id}/login-requests` and
//! `GET /_emulator/login-requests/{login_request_id}`.
//! Organization search (`SearchOrganization`), domain verification and
//! update, and a user's effective permissions (`ListUserPermissions`) keep
//! state too. Every other RPC in `proto/` answers `UNIMPLEMENTED` with a
//! message naming the method; `docs/emulator-deviations.md` lists them, and
//! where the emulator knowingly differs from the service.
//!
//! # Starting fast, and the test-only keys
//!
//! An emulator starts in milliseconds, in a debug build too: it generates
//! no key. It signs with RSA key pairs shipped in the crate
//! (`emulator/keys/`), each published under a random key id of its own.
//! Those keys are **test-only**: being public, a token they sign proves
//! nothing outside a test. A test suite that only starts emulators
//! in-process can leave out the command line (its argument parser and log
//! output) with `default-features = false`; the default `cli` feature
//! builds the `scalekit-emulator` binary.
//!
//! # Dashboard
//!
//! `GET /_emulator` (and the environment URL itself, opened in a browser)
//! serves server-rendered HTML pages of the environment: organizations,
//! users and memberships, roles and permissions, connections, directories,
//! sessions, API tokens and clients, and events, each list paged and each
//! record linked to its related ones, with forms that create an
//! organization or a user and revoke a session. No page shows a secret
//! value, and every value is escaped. The pages answer only requests whose
//! `Host` is the emulator's own address, and forms only with the page's CSRF
//! token from the same origin. On loopback (the default) they ask for no
//! credentials; on any other address they ask for the client credentials as
//! HTTP Basic auth. `docs/emulator-deviations.md` says why.
//!
//! # Signing in from a browser
//!
//! `GET /oauth/authorize` without `login_hint` serves a sign-in page instead
//! of signing in at once: pick one of the environment's users (the
//! organization's members when the request names `organization_id`), enter
//! a new email, or sign in passwordless, with the code and the magic link
//! shown on the page instead of emailed. When the request asks for an SSO
//! connection (`connection_id`, or an organization with an enabled OIDC or
//! SAML connection) a simulated identity provider asks for the attributes it
//! asserts (email, given and family name, groups), and the ID token carries
//! them; so does a new email typed on the page whose domain is an
//! organization's with an enabled SSO connection (domain discovery). Cancel
//! redirects back with `error=access_denied`; a request without a known
//! client, a redirect URI or `response_type=code` gets an error page and no
//! redirect. The forms post back to the emulator with a one-time
//! token of the pending sign-in, which holds the request's `state`, `nonce`,
//! PKCE challenge and redirect URI. Plain HTML, no scripts; every value is
//! escaped. The sign-in pages and the dashboard share one stylesheet
//! (`/_emulator/style.css`) and the same security headers. The SDK crate's
//! `tests/browser_sign_in.rs` signs in to `examples/axum_sso.rs` through
//! these pages in headless Chromium.
//!
//! # Faults
//!
//! The handle injects faults into gRPC calls, for testing how a client
//! copes. Each scripted fault applies to the next `times` calls of the
//! methods a filter names (a full path, `Service/Method`, a bare method
//! name, or every method for `None`); the oldest matching fault applies
//! first. [`EmulatorHandle::clear_faults`] removes them all.
//!
//! | method | when | the handler | what the client sees |
//! |---|---|---|---|
//! | [`fail_next`](EmulatorHandle::fail_next) | before the bearer check | does not run | the gRPC status given |
//! | [`set_latency`](EmulatorHandle::set_latency) | before the bearer check | runs, late | the answer, late |
//! | [`set_rate_limit`](EmulatorHandle::set_rate_limit) | before the bearer check | does not run past the limit | `RESOURCE_EXHAUSTED` |
//! | [`revoke_tokens`](EmulatorHandle::revoke_tokens) | at the bearer check | does not run | `UNAUTHENTICATED` |
//! | [`fail_next_after_commit`](EmulatorHandle::fail_next_after_commit) | after the handler | runs, writes committed | the gRPC status given instead of the answer |
//! | [`reset_next_after_commit`](EmulatorHandle::reset_next_after_commit) | after the handler | runs, writes committed | a reset stream (`RST_STREAM`), nothing of the answer |
//! | [`stall_next_after_headers`](EmulatorHandle::stall_next_after_headers) | after the handler | runs | the headers, then nothing until it gives up |
//! | [`stall_next_before_trailers`](EmulatorHandle::stall_next_before_trailers) | after the handler | runs | the headers and message, never the trailers |
//! | [`trickle_next`](EmulatorHandle::trickle_next) | after the handler | runs | the whole answer, in pieces spread over a given time |
//! | [`drain_connections`](EmulatorHandle::drain_connections) | now, on every open connection | calls in progress finish | `GOAWAY`; new calls need a new connection |
//!
//! The after-the-handler faults are used up only by calls that passed the
//! bearer check, so each one reaches the handler.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod after_handler;
mod authorize;
mod bearer_cache;
mod builder;
mod client;
mod dashboard;
mod env;
mod gate;
mod handle;
mod ids;
mod jws;
mod keys;
mod oauth;
mod pages;
mod paging;
mod refresh_tokens;
mod routes;
pub mod seed;
mod serve;
mod services;
mod stats;
mod status;
mod store;
mod testing;
mod tokens;

use std::net::SocketAddr;
use std::time::Duration;

pub use tonic::Code;

pub use crate::builder::{Emulator, EmulatorBuilder};
pub use crate::handle::EmulatorHandle;
pub use crate::seed::{Fixtures, SeedError};

pub use crate::store::passwordless::{
    PasswordlessEmail, MAX_ATTEMPTS as PASSWORDLESS_MAX_ATTEMPTS,
};

/// How long [`EmulatorHandle::shutdown`] lets calls in progress finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// The key under which [`EmulatorHandle::rpc_counts`] counts calls of paths
/// that name no method of the schema (a client can send any path; one
/// counter each would grow without bound).
pub const UNKNOWN_METHOD: &str = "(unknown method)";

/// Default lifetime of issued access tokens.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The signing key could not be read.
    #[error("cannot read the signing key: {0}")]
    Key(String),
    /// The seed data could not be applied.
    #[error("cannot apply the seed data")]
    Seed(#[from] SeedError),
}
