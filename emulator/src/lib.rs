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
//! `login_hint` names, and redirects back with a code), `GET /oidc/logout`
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
//! `POST /_emulator/connections/{connection_id}/login-requests`,
//! `GET /_emulator/login-requests/{login_request_id}` and
//! `POST /_emulator/users/{user_id}/tokens`.
//! Organization search (`SearchOrganization`), domain verification and
//! update, and a user's effective permissions (`ListUserPermissions`) keep
//! state too. Every other RPC in `proto/` answers `UNIMPLEMENTED` with a
//! message naming the method; `docs/emulator-deviations.md` lists them, and
//! where the emulator knowingly differs from the service.
//!
//! # Sign-in tokens and redirect URIs
//!
//! `GET /oauth/authorize` redirects only to a registered redirect URI
//! ([`EmulatorBuilder::redirect_uris`], `--redirect-uri`, or the fixtures'
//! `redirect_uris`); with none registered it accepts loopback URIs
//! (`http://localhost:PORT/…`, `http://127.0.0.1:PORT/…`,
//! `http://[::1]:PORT/…`). Any other `redirect_uri` gets a `text/html` error
//! page naming it and saying how to register it, never a redirect. The
//! access token of a sign-in carries `iss`, `sub`, `aud`, `client_id`,
//! `iat`, `nbf`, `exp`, `jti`, `sid`, `scopes`, the organization signed in
//! to (`oid`: the one asked for, else the user's only membership), the
//! user's `roles` in it and their effective `permissions` (inherited ones
//! included), read again on every refresh.
//! [`EmulatorHandle::mint_user_token`] (or
//! `POST /_emulator/users/{user_id}/tokens`) issues the same tokens without
//! a browser.
//!
//! # Fixtures and reset
//!
//! [`Fixtures`] (organizations with domains, connections and members;
//! roles; permissions; redirect URIs) come from JSON
//! ([`Fixtures::from_json`], the binary's `--seed`) or are built in Rust
//! (see [`seed`]). [`EmulatorHandle::reset`] returns the emulator to that
//! seeded state without a restart; issued access tokens stay valid.
//!
//! ```
//! # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
//! use scalekit_emulator::seed::{Fixtures, OrganizationFixture, UserFixture};
//!
//! let fixtures = Fixtures::new().with_organization(
//!     OrganizationFixture::new("Acme").with_user(UserFixture::new("ada@acme.example")),
//! );
//! let emulator = scalekit_emulator::Emulator::builder().seed(fixtures).start().await?;
//! let client = emulator.client()?;
//! client.organizations().create_organization("Temp", Default::default()).await?;
//! emulator.reset().await?;
//! let organizations = client.organizations().list_organization(Default::default()).await?;
//! assert_eq!(organizations.total_size, 1, "Acme only");
//! # Ok(())
//! # }
//! ```
//!
//! # Logs
//!
//! Every HTTP request and gRPC call is logged with `tracing` at `info`
//! (target `scalekit_emulator::requests`): method, path (never the query),
//! HTTP status, the gRPC status of a gRPC call and the latency; never a
//! header or a body, so no secret, token or code.
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

mod access;
mod access_log;
mod after_handler;
mod authorize;
mod bearer_cache;
mod builder;
mod client;
mod env;
mod gate;
mod handle;
mod ids;
mod keys;
mod mint;
mod oauth;
mod paging;
mod redirects;
mod refresh_tokens;
mod reset;
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
pub use crate::mint::MintedTokens;
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
    /// The signing key could not be made.
    #[error("cannot create the signing key: {0}")]
    Key(String),
    /// The seed data could not be applied.
    #[error("cannot apply the seed data")]
    Seed(#[from] SeedError),
    /// A redirect URI given to [`EmulatorBuilder::redirect_uris`] or in the
    /// fixtures is not an absolute URL.
    #[error("the redirect URI {uri:?} is not an absolute URL")]
    RedirectUri {
        /// The URI as given.
        uri: String,
        /// Why it does not parse.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
