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
//! `POST /_emulator/connections/{connection_id}/login-requests`,
//! `GET /_emulator/login-requests/{login_request_id}` and
//! `POST /_emulator/users/{user_id}/tokens`.
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
//!
//! # Webhooks
//!
//! [`EmulatorHandle::add_webhook_endpoint`] registers an endpoint (a URL,
//! a `whsec_…` secret or `None` to generate one, and the event types it
//! takes, all when empty); the binary's `--webhook` flag does the same.
//! From then on each event the emulator records (organizations, users,
//! memberships: see `docs/emulator-deviations.md`) is POSTed to it as the
//! JSON Scalekit sends, signed with the `webhook-id`, `webhook-timestamp`
//! and `webhook-signature` headers the SDKs' `verify_webhook_payload`
//! checks. Deliveries run in the background; a failed attempt (not `2xx`,
//! no connection, a timeout) is retried after
//! [`DEFAULT_WEBHOOK_RETRY_DELAYS`] (set with
//! [`EmulatorBuilder::webhook_retry_delays`] and
//! [`webhook_timeout`](EmulatorBuilder::webhook_timeout)), then given up.
//! Every attempt is logged ([`EmulatorHandle::webhook_deliveries`], the
//! last [`WEBHOOK_LOG_CAPACITY`]), and a test waits for them without
//! polling:
//!
//! ```
//! # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//!
//! let emulator = scalekit_emulator::Emulator::builder().start().await?;
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let url = format!("http://{}/webhooks", listener.local_addr()?);
//! # let app = axum::Router::new().route("/webhooks", axum::routing::post(|| async { "" }));
//! # tokio::spawn(async move { axum::serve(listener, app).await });
//! // `url` is the test's own webhook handler, on a local port.
//! let endpoint = emulator.add_webhook_endpoint(&url, None, &["user.created"])?;
//! // … create a user through the SDK; the handler verifies each delivery
//! // with `endpoint.secret()` …
//! # let _ = endpoint;
//! # let client = emulator.client()?;
//! # let org = client.organizations().create_organization("Acme", Default::default()).await?;
//! # let user = scalekit::users::CreateUser { email: "ada@acme.example".into(), ..Default::default() };
//! # client.users().create_user_and_membership(&org.id, user, Default::default()).await?;
//! let deliveries = emulator.wait_for_webhook_deliveries(1, Duration::from_secs(10)).await?;
//! assert_eq!(deliveries[0].event_type, "user.created");
//! assert!(deliveries[0].outcome.is_success());
//! # Ok(())
//! # }
//! ```
//!
//! [`EmulatorHandle::sign_webhook`] signs a payload of the test's own the
//! same way, for posting it to a handler directly.
//!
//! # Scripted replies
//!
//! [`EmulatorHandle::script`] gives the next calls of a method a sequence
//! of [`Reply`]s, one per call, in place of (or on top of) what the
//! handler answers: the service's errors with their details (an
//! `ErrorInfo` error code, field violations), a pass to the handler, an
//! error after the handler committed its writes, a reset stream, a stall
//! or a trickle, each after a latency of its own. Once the replies are
//! used up, calls are answered as usual. A reply answers for the service,
//! so only calls that passed the bearer check use one up.
//!
//! ```
//! # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
//! use scalekit_emulator::{Code, Emulator, Reply};
//!
//! let emulator = Emulator::builder().start().await?;
//! let client = emulator.client()?;
//! let org = client.organizations().create_organization("Acme", Default::default()).await?;
//! emulator.script("CreateUserAndMembership", [
//!     Reply::error(Code::InvalidArgument, "the user is not valid")
//!         .with_error_code("INVALID_USER")
//!         .with_field_violation("user.email", "not an email address")
//!         .after(Duration::from_millis(20)),
//!     Reply::error_after_commit(Code::Unavailable, "the gateway gave up"),
//! ]);
//! let user = || CreateUser { email: "ada@acme.example".into(), ..Default::default() };
//! let users = client.users();
//!
//! // The first call gets the error and its details, as the service sends them.
//! let err = users
//!     .create_user_and_membership(&org.id, user(), CreateUserAndMembershipOptions::default())
//!     .await
//!     .expect_err("scripted");
//! let api = err.api().expect("an API error");
//! assert_eq!(api.error_code(), Some("INVALID_USER"));
//! assert_eq!(api.field_violations().next().map(|v| v.field.as_str()), Some("user.email"));
//!
//! // The second is committed, but the client is told it failed.
//! let err = users
//!     .create_user_and_membership(&org.id, user(), CreateUserAndMembershipOptions::default())
//!     .await
//!     .expect_err("scripted");
//! assert!(err.may_have_been_applied());
//! assert_eq!(users.list_users(Default::default()).await?.items.len(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! # The request journal
//!
//! The handle keeps a journal of the gRPC calls it received, so a test can
//! check what its code sent against the real emulator rather than a mock:
//! [`EmulatorHandle::requests`] decodes the calls whose request message is
//! a given type, [`EmulatorHandle::journal`] lists every call undecoded.
//! Each entry has the method, the metadata (the bearer token replaced by
//! `<redacted>`), when it arrived, the status it was answered with and
//! whether it reached the handler: calls refused by a fault, the rate
//! limit or the bearer check are recorded too.
//!
//! ```
//! # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
//! use scalekit::proto::users::ListUsersRequest;
//! use scalekit_emulator::{Code, Emulator};
//!
//! let emulator = Emulator::builder().start().await?;
//! let client = emulator.client()?;
//! emulator.fail_next(Some("ListUsers"), 1, Code::Unavailable);
//! client.users().list_users(Default::default()).await?; // retried once
//! let calls = emulator.requests::<ListUsersRequest>();
//! let statuses: Vec<_> = calls.iter().map(|c| (c.status, c.handled)).collect();
//! assert_eq!(statuses, [(Some(Code::Unavailable), false), (Some(Code::Ok), true)]);
//! # Ok(())
//! # }
//! ```
//!
//! The journal is bounded: it keeps the last
//! [`journal_capacity`](EmulatorBuilder::journal_capacity) calls
//! (default [`DEFAULT_JOURNAL_CAPACITY`], 10,000) and at most
//! [`journal_max_bytes`](EmulatorBuilder::journal_max_bytes) of messages
//! and metadata (default [`DEFAULT_JOURNAL_MAX_BYTES`], 16 MiB), each
//! message up to [`JOURNAL_MESSAGE_LIMIT`] (64 KiB; a larger one is
//! recorded by its length) and each call's metadata up to
//! [`JOURNAL_METADATA_LIMIT`] (8 KiB). The oldest calls go first and are
//! counted ([`EmulatorHandle::journal_dropped`]). Its memory therefore
//! stays under `capacity ×` [`JOURNAL_ENTRY_OVERHEAD`] `+ max_bytes`
//! (about 19 MiB with the defaults) however many calls arrive; a unit test
//! sends a million calls through it and measures that at the allocator.
//! [`EmulatorHandle::clear_journal`] empties it.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod access;
mod access_log;
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
mod journal;
mod jws;
mod keys;
mod mint;
mod oauth;
mod pages;
mod paging;
mod redirects;
mod refresh_tokens;
mod reset;
mod routes;
mod script;
pub mod seed;
mod serve;
mod services;
mod stats;
mod status;
mod store;
mod testing;
mod tokens;
mod webhooks;

use std::net::SocketAddr;
use std::time::Duration;

pub use tonic::Code;

pub use crate::builder::{Emulator, EmulatorBuilder};
pub use crate::handle::EmulatorHandle;
pub use crate::mint::MintedTokens;
pub use crate::seed::{Fixtures, SeedError};

pub use crate::journal::{
    JournalEntry, Recorded, RecordedBody, DEFAULT_JOURNAL_CAPACITY, DEFAULT_JOURNAL_MAX_BYTES,
    JOURNAL_ENTRY_OVERHEAD, JOURNAL_MESSAGE_LIMIT, JOURNAL_METADATA_LIMIT,
};
pub use crate::script::Reply;
pub use crate::webhooks::{
    DeliveryOutcome, WebhookDelivery, WebhookEndpoint, WebhookError, DEFAULT_WEBHOOK_RETRY_DELAYS,
    DEFAULT_WEBHOOK_TIMEOUT, WEBHOOK_LOG_CAPACITY,
};

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
