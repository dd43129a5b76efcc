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
//! `POST /_emulator/connections/{connection_id}/login-requests` and
//! `GET /_emulator/login-requests/{login_request_id}`.
//! Organization search (`SearchOrganization`), domain verification and
//! update, and a user's effective permissions (`ListUserPermissions`) keep
//! state too. Every other RPC in `proto/` answers `UNIMPLEMENTED` with a
//! message naming the method; `docs/emulator-deviations.md` lists them, and
//! where the emulator knowingly differs from the service.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod authorize;
mod bearer_cache;
mod client;
mod env;
mod gate;
mod ids;
mod keys;
mod oauth;
mod paging;
pub mod seed;
mod services;
mod status;
mod store;
mod testing;
mod tokens;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::serve::ListenerExt as _;
use rand::distributions::{Alphanumeric, DistString as _};
use scalekit::proto;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::server::NamedService;

pub use tonic::Code;

pub use crate::seed::{Fixtures, SeedError};

pub use crate::store::passwordless::{
    PasswordlessEmail, MAX_ATTEMPTS as PASSWORDLESS_MAX_ATTEMPTS,
};

use crate::env::{Environment, Failure};
use crate::services::canned::{CannedUsers, CANNED_METHODS};
use crate::services::connections::Connections;
use crate::services::directories::Directories;
use crate::services::domains::Domains;
use crate::services::organizations::Organizations;
use crate::services::roles::Roles;
use crate::services::users::Users;
use crate::services::NotYet;
use crate::services::{
    auth::Auth, passwordless::Passwordless, sessions::Sessions, webauthn::WebAuthn,
};
use crate::store::{SharedStore, Store};
use crate::tokens::TokenIssuer;

/// How long [`EmulatorHandle::shutdown`] lets calls in progress finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

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
}

/// Entry point: [`Emulator::builder`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// An emulator on `127.0.0.1` at a free port, with generated credentials.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id: None,
            client_secret: None,
            token_ttl: DEFAULT_TOKEN_TTL,
            id_seed: 0,
            fixtures: None,
            canned: false,
        }
    }
}

/// Settings for an emulator; [`start`](Self::start) runs it.
#[derive(Clone)]
pub struct EmulatorBuilder {
    addr: SocketAddr,
    client_id: Option<String>,
    client_secret: Option<String>,
    token_ttl: Duration,
    id_seed: u64,
    fixtures: Option<Fixtures>,
    canned: bool,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("addr", &self.addr)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("token_ttl", &self.token_ttl)
            .field("id_seed", &self.id_seed)
            .field("canned", &self.canned)
            .finish()
    }
}

impl EmulatorBuilder {
    /// The port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// The address to listen on (default `127.0.0.1:0`).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The client id and secret the token endpoint accepts (generated when
    /// not given).
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self.client_secret = Some(secret.into());
        self
    }

    /// Lifetime of issued access tokens (default one hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Varies the generated ids between emulators (default 0). The same seed
    /// gives the same ids for the same sequence of calls.
    pub fn id_seed(mut self, seed: u64) -> Self {
        self.id_seed = seed;
        self
    }

    /// Starts the environment with this data (see [`seed`]), created
    /// through the same services the RPCs use.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// let fixtures = scalekit_emulator::Fixtures::from_json(
    ///     r#"{ "organizations": [{ "display_name": "Acme", "users": [{ "email": "ada@acme.example" }] }] }"#,
    /// )?;
    /// let emulator = scalekit_emulator::Emulator::builder().seed(fixtures).start().await?;
    /// # let _ = emulator;
    /// # Ok(())
    /// # }
    /// ```
    pub fn seed(mut self, fixtures: Fixtures) -> Self {
        self.fixtures = Some(fixtures);
        self
    }

    /// Canned mode (default off): a server that cannot be the bottleneck of
    /// a benchmark.
    ///
    /// `scalekit.v1.users.UserService`'s `GetUser`, `CreateUserAndMembership`
    /// and `DeleteUser` then answer fixed responses built once at start-up,
    /// without reading or changing the store: `GetUser` returns one realistic
    /// user (email, profile, one membership) whose `id` echoes the request's
    /// id, `CreateUserAndMembership` returns that user, `DeleteUser` returns
    /// nothing. Everything else is unchanged: the OAuth and JWKS endpoints
    /// issue and publish real keys, every RPC still needs a valid bearer
    /// token, the counters count, faults apply, and the other RPCs keep
    /// their state.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = scalekit_emulator::Emulator::builder().canned(true).start().await?;
    /// let client = emulator.client()?;
    /// let user = client.users().get_user("usr_123").await?;
    /// assert_eq!(user.id, "usr_123");
    /// # Ok(())
    /// # }
    /// ```
    pub fn canned(mut self, on: bool) -> Self {
        self.canned = on;
        self
    }

    /// Binds the port and starts serving in the background.
    ///
    /// # Errors
    /// [`StartError`] when the port cannot be bound or the key cannot be made.
    pub async fn start(self) -> Result<EmulatorHandle, StartError> {
        let listener = TcpListener::bind(self.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.addr,
            source,
        })?;
        let env_url = format!("http://{addr}");
        let client_id = self
            .client_id
            .unwrap_or_else(|| format!("skc_{}", 10_000_000_000_000_000 + self.id_seed));
        let client_secret = self.client_secret.unwrap_or_else(|| {
            format!(
                "test_{}",
                Alphanumeric.sample_string(&mut rand::thread_rng(), 40)
            )
        });
        let key = keys::SigningKey::generate().map_err(StartError::Key)?;
        let store = Arc::new(SharedStore::new(Store::new(self.id_seed)));
        let env = Arc::new(Environment {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            tokens: TokenIssuer::new(key, env_url.clone(), self.token_ttl),
            services: services::Context::new(store.clone(), &env_url),
            store,
            stats: Default::default(),
            faults: Default::default(),
        });
        if let Some(fixtures) = &self.fixtures {
            seed::apply(&env, fixtures).await?;
        }

        let router = grpc_routes(&env, self.canned)
            .route("/oauth/token", post(oauth::token))
            .route("/keys", get(oauth::keys))
            .route("/oauth/authorize", get(authorize::authorize))
            .route("/oidc/logout", get(authorize::logout))
            .merge(testing::routes())
            .layer(axum::middleware::from_fn_with_state(
                env.clone(),
                gate::gate,
            ))
            .with_state(env.clone());

        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // h2 writes a DATA frame over 256 bytes on its own and the
            // trailers after it in a second write. With Nagle's algorithm on,
            // that second write waits for the client's delayed ACK of the
            // first: about 40 ms per call on Linux.
            let listener = listener.tap_io(|stream| {
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::warn!(%error, "cannot set TCP_NODELAY on an accepted connection");
                }
            });
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "scalekit-emulator stopped serving");
            }
        });
        tracing::info!(%env_url, "scalekit-emulator listening");
        Ok(EmulatorHandle {
            addr,
            env_url,
            env,
            stop: Some(stop),
            task,
        })
    }
}

fn grpc_routes(env: &Arc<Environment>, canned: bool) -> axum::Router<Arc<Environment>> {
    let ctx = &env.services;
    let routes = tonic::service::Routes::new(proto::users::UserServiceServer::new(Users {
        ctx: ctx.clone(),
    }))
    .add_service(proto::organizations::OrganizationServiceServer::new(
        Organizations { ctx: ctx.clone() },
    ))
    .add_service(proto::auditlogs::AuditLogsServiceServer::new(NotYet))
    .add_service(proto::auth::AuthServiceServer::new(Auth {
        ctx: ctx.clone(),
    }))
    .add_service(proto::auth::passwordless::PasswordlessServiceServer::new(
        Passwordless { ctx: ctx.clone() },
    ))
    .add_service(proto::auth::webauthn::WebAuthnServiceServer::new(
        WebAuthn { ctx: ctx.clone() },
    ))
    .add_service(proto::connections::ConnectionServiceServer::new(
        Connections { ctx: ctx.clone() },
    ))
    .add_service(proto::directories::DirectoryServiceServer::new(
        Directories { ctx: ctx.clone() },
    ))
    .add_service(proto::domains::DomainServiceServer::new(Domains {
        ctx: ctx.clone(),
    }))
    .add_service(proto::roles::RolesServiceServer::new(Roles {
        ctx: ctx.clone(),
    }))
    .add_service(proto::sessions::SessionServiceServer::new(Sessions {
        ctx: ctx.clone(),
    }));
    let mut router = routes.into_axum_router();
    if canned {
        // An exact path takes precedence over the service's `/{*rest}`
        // route, so only these methods leave the stateful service.
        let canned = proto::users::UserServiceServer::new(CannedUsers::new());
        for method in CANNED_METHODS {
            let path = format!(
                "/{}/{method}",
                <proto::users::UserServiceServer<CannedUsers> as NamedService>::NAME
            );
            router = router.route_service(&path, canned.clone());
        }
    }
    router.with_state(())
}

/// A running emulator. Dropping it stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    env_url: String,
    env: Arc<Environment>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("env_url", &self.env_url)
            .field("client_id", &self.env.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

impl EmulatorHandle {
    /// The environment URL to give an SDK (`http://127.0.0.1:PORT`).
    pub fn env_url(&self) -> &str {
        &self.env_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &str {
        &self.env.client_id
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &str {
        &self.env.client_secret
    }

    /// How many requests reached `POST /oauth/token`.
    pub fn token_requests(&self) -> u64 {
        self.env.stats.token_requests.load(Ordering::SeqCst)
    }

    /// How many calls reached each gRPC method, by full method path
    /// (`scalekit.v1.users.UserService/GetUser`), rejected ones included.
    pub fn rpc_counts(&self) -> BTreeMap<String, u64> {
        self.env.stats.rpc_counts()
    }

    /// How many calls reached the methods `filter` names: a full path,
    /// `Service/Method`, or a bare method name (`GetUser`).
    pub fn rpc_count(&self, filter: &str) -> u64 {
        self.rpc_counts()
            .iter()
            .filter(|(method, _)| env::method_matches(filter, method))
            .map(|(_, n)| n)
            .sum()
    }

    /// The total number of gRPC calls received.
    pub fn total_rpcs(&self) -> u64 {
        self.rpc_counts().values().sum()
    }

    /// Fails the next `times` calls of the methods `method` names (every
    /// method when `None`) with `code`, before authentication.
    pub fn fail_next(&self, method: Option<&str>, times: u32, code: Code) {
        self.env.faults.add_failure(Failure {
            method: method.map(str::to_string),
            remaining: times,
            code,
            message: format!("injected {code:?}"),
        });
    }

    /// Delays every gRPC call by `latency` (zero to stop).
    pub fn set_latency(&self, latency: Duration) {
        self.env.faults.set_latency(latency);
    }

    /// Answers RESOURCE_EXHAUSTED to gRPC calls beyond `requests` per `per`
    /// (a fixed window that restarts when it has passed).
    pub fn set_rate_limit(&self, requests: u32, per: Duration) {
        self.env.faults.set_rate_limit(Some((requests, per)));
    }

    /// Lifts the rate limit.
    pub fn clear_rate_limit(&self) {
        self.env.faults.set_rate_limit(None);
    }

    /// Removes every injected failure, the latency and the rate limit.
    pub fn clear_faults(&self) {
        self.env.faults.clear();
    }

    /// Revokes every access token issued so far: calls with them get
    /// UNAUTHENTICATED until the client fetches a new one.
    pub fn revoke_tokens(&self) {
        self.env.tokens.revoke_all();
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        self.env.tokens.set_ttl(ttl);
    }

    /// How many requests reached `GET /keys` (the JWKS).
    pub fn jwks_requests(&self) -> u64 {
        self.env.tokens.jwks_served()
    }

    /// Generates a new signing key and signs with it from now on; earlier
    /// keys stay in the JWKS and stay valid. Returns the new key id. For
    /// testing a client's handling of a `kid` it has not cached.
    ///
    /// # Errors
    /// [`StartError::Key`] if the key cannot be generated.
    pub fn rotate_signing_key(&self) -> Result<String, StartError> {
        let key = keys::SigningKey::generate().map_err(StartError::Key)?;
        Ok(self.env.tokens.rotate(key))
    }

    /// Signs arbitrary claims with the environment's current key (RS256,
    /// with its `kid`), as the environment would: for tests that need a
    /// token with particular claims (scopes, expiry, audience).
    ///
    /// # Errors
    /// The signing error, as text.
    pub fn sign_token(&self, claims: &serde_json::Value) -> Result<String, String> {
        self.env.tokens.sign(claims)
    }

    /// Mints the token of an IdP-initiated sign-in (what Scalekit sends in
    /// the `idp_initiated_login` query parameter): `connection_id`,
    /// `organization_id`, `login_hint` and `relay_state` claims, issued by
    /// this environment for this client, valid for five minutes.
    ///
    /// # Errors
    /// The signing error, as text.
    pub fn idp_initiated_login_token(
        &self,
        connection_id: &str,
        organization_id: &str,
        login_hint: &str,
        relay_state: Option<&str>,
    ) -> Result<String, String> {
        self.env
            .idp_initiated_login_token(connection_id, organization_id, login_hint, relay_state)
    }

    /// Test setup: adds a group to a directory, as the organization's
    /// identity provider would over SCIM (the API has no RPC that creates
    /// directory groups). Returns the group's id (`dirgroup_…`).
    ///
    /// `group.id` and `group.total_users` are ignored; an unset
    /// `updated_at` is now. The directory must belong to the organization
    /// (create it with the `CreateDirectory` RPC).
    ///
    /// ```
    /// # async fn sample(emulator: &scalekit_emulator::EmulatorHandle) -> Result<(), tonic::Status> {
    /// use scalekit::proto::directories::DirectoryGroup;
    ///
    /// let group_id = emulator.add_directory_group(
    ///     "org_10000000000000003",
    ///     "dir_10000000000000004",
    ///     DirectoryGroup { display_name: "Engineering".into(), ..Default::default() },
    /// )?;
    /// # let _ = group_id;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown organization or a directory it does not
    /// have, `INVALID_ARGUMENT` for a blank display name, `ALREADY_EXISTS`
    /// when the directory has a group of that name.
    pub fn add_directory_group(
        &self,
        organization_id: &str,
        directory_id: &str,
        group: proto::directories::DirectoryGroup,
    ) -> Result<String, tonic::Status> {
        let mut store = self.env.store.lock();
        services::directories::add_group(&mut store, organization_id, directory_id, group)
    }

    /// Test setup: adds a user to a directory, as the organization's
    /// identity provider would over SCIM (the API has no RPC that creates
    /// directory users). Returns the user's id (`diruser_…`).
    ///
    /// The user becomes a member of the groups whose ids `user.groups`
    /// names (only their `id` is read). `user.id` is ignored; an unset
    /// `updated_at` is now; empty `emails` become `[email]`.
    ///
    /// ```
    /// # async fn sample(emulator: &scalekit_emulator::EmulatorHandle, group_id: String) -> Result<(), tonic::Status> {
    /// use scalekit::proto::directories::{DirectoryGroup, DirectoryUser};
    ///
    /// let user_id = emulator.add_directory_user(
    ///     "org_10000000000000003",
    ///     "dir_10000000000000004",
    ///     DirectoryUser {
    ///         email: "ada@acme.com".into(),
    ///         given_name: "Ada".into(),
    ///         groups: vec![DirectoryGroup { id: group_id, ..Default::default() }],
    ///         ..Default::default()
    ///     },
    /// )?;
    /// # let _ = user_id;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown organization, a directory it does not have
    /// or an unknown group, `INVALID_ARGUMENT` for a missing email address,
    /// `ALREADY_EXISTS` when the directory has a user with that email.
    pub fn add_directory_user(
        &self,
        organization_id: &str,
        directory_id: &str,
        user: proto::directories::DirectoryUser,
    ) -> Result<String, tonic::Status> {
        let mut store = self.env.store.lock();
        services::directories::add_user(&mut store, organization_id, directory_id, user)
    }

    /// Test setup: adds an active session for a user, as signing in would
    /// (the API has no RPC that creates sessions). Returns the session's id
    /// (`ses_…`).
    ///
    /// Fields of `template` that are set are kept: `organization_id` (which
    /// must exist), `device`, `authenticated_organizations`,
    /// `authenticated_clients` and the timestamps. Unset times default to
    /// now (`created_at`, `updated_at`, `last_active_at`); the idle expiry to
    /// one day after the last activity, the absolute expiry to seven days
    /// after creation. An expiry in the past makes the session read as
    /// `expired`. `session_id`, `user_id` and `status` are the emulator's.
    ///
    /// ```
    /// # async fn sample(emulator: &scalekit_emulator::EmulatorHandle) -> Result<(), tonic::Status> {
    /// use scalekit::proto::sessions::{DeviceDetails, SessionDetails};
    ///
    /// let session_id = emulator.add_session(
    ///     "usr_10000000000000003",
    ///     SessionDetails {
    ///         device: Some(DeviceDetails { browser: "Firefox".into(), ..Default::default() }),
    ///         ..Default::default()
    ///     },
    /// )?;
    /// # let _ = session_id;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown user or organization, `INVALID_ARGUMENT`
    /// for a blank user id.
    pub fn add_session(
        &self,
        user_id: &str,
        template: proto::sessions::SessionDetails,
    ) -> Result<String, tonic::Status> {
        let mut store = self.env.store.lock();
        services::sessions::add_session(&mut store, user_id, template)
    }

    /// Test setup: adds a WebAuthn credential (passkey) for a user, as a
    /// finished registration ceremony would. Returns the credential's id
    /// (`wac_…`).
    ///
    /// Fields of `template` that are set are kept (`display_name`,
    /// `authenticator`, `transports`, …); an empty raw `credential_id`
    /// becomes the bytes of the new id. `id`, `user_id` and the timestamps
    /// are the emulator's.
    ///
    /// ```
    /// # async fn sample(emulator: &scalekit_emulator::EmulatorHandle) -> Result<(), tonic::Status> {
    /// use scalekit::proto::auth::webauthn::WebAuthnCredential;
    ///
    /// let credential_id = emulator.add_webauthn_credential(
    ///     "usr_10000000000000003",
    ///     WebAuthnCredential { display_name: Some("YubiKey".into()), ..Default::default() },
    /// )?;
    /// # let _ = credential_id;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown user, `INVALID_ARGUMENT` for a blank user
    /// id or display name, `ALREADY_EXISTS` for a raw credential id already
    /// registered.
    pub fn add_webauthn_credential(
        &self,
        user_id: &str,
        template: proto::auth::webauthn::WebAuthnCredential,
    ) -> Result<String, tonic::Status> {
        let mut store = self.env.store.lock();
        services::webauthn::add_credential(&mut store, user_id, template)
    }

    /// Test inspection: the latest email the emulator would have sent for a
    /// passwordless auth request (on send, then on every resend), with the
    /// one-time code and magic link. `None` for an unknown request.
    ///
    /// ```
    /// # fn sample(emulator: &scalekit_emulator::EmulatorHandle, auth_request_id: &str) {
    /// if let Some(email) = emulator.passwordless_email(auth_request_id) {
    ///     println!("code {} sent to {}", email.code, email.email);
    /// }
    /// # }
    /// ```
    pub fn passwordless_email(&self, auth_request_id: &str) -> Option<PasswordlessEmail> {
        self.env
            .store
            .lock()
            .passwordless
            .email_for_request(auth_request_id)
    }

    /// Test inspection: the latest passwordless email sent to an address
    /// (compared case-insensitively), or `None`.
    pub fn last_passwordless_email(&self, email: &str) -> Option<PasswordlessEmail> {
        self.env.store.lock().passwordless.last_email_to(email)
    }

    /// Test setup: makes a passwordless auth request's code and magic link
    /// expire now, as if its lifetime had passed.
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown auth request.
    pub fn expire_passwordless_request(&self, auth_request_id: &str) -> Result<(), tonic::Status> {
        self.env.store.lock().passwordless.expire(auth_request_id)
    }

    /// Test setup: opens a login request for a connection, as Scalekit does
    /// when it hands a sign-in to the application's own login page ("bring
    /// your own auth"). Returns its id (`login_…`), which
    /// `UpdateLoginUserDetails` takes.
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown connection, `INVALID_ARGUMENT` for a
    /// blank connection id.
    pub fn start_login_request(&self, connection_id: &str) -> Result<String, tonic::Status> {
        let mut store = self.env.store.lock();
        services::auth::start_login_request(&mut store, connection_id)
    }

    /// Test inspection: the user details `UpdateLoginUserDetails` last
    /// reported for a login request; `None` for an unknown request or one
    /// with no details yet.
    pub fn login_user_details(&self, login_request_id: &str) -> Option<proto::auth::User> {
        self.env
            .store
            .lock()
            .login_requests
            .get(login_request_id)
            .and_then(|l| l.user.clone())
    }

    /// Stops accepting connections, lets calls in progress finish for up to
    /// [`SHUTDOWN_GRACE`], then closes whatever is left: a client that keeps
    /// an idle HTTP/2 connection open must not keep the emulator running.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let mut task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
            .await
            .is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}
