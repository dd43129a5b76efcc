//! A running emulator: its address and credentials, fault injection,
//! counters, and the test setup and inspection the public API has no RPC
//! for.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use scalekit::proto;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::env::{self, Environment, Failure};
use crate::{keys, services, Code, PasswordlessEmail, StartError, SHUTDOWN_GRACE};

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
    pub(crate) fn new(
        addr: SocketAddr,
        env_url: String,
        env: Arc<Environment>,
        stop: oneshot::Sender<()>,
        task: JoinHandle<()>,
    ) -> Self {
        EmulatorHandle {
            addr,
            env_url,
            env,
            stop: Some(stop),
            task,
        }
    }

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

    /// Test setup: adds an app connection, one that belongs to the
    /// environment rather than to an organization (the API makes them
    /// outside the RPCs the emulator has; `ListAppConnections` lists them).
    /// Returns the connection's id (`conn_…`).
    ///
    /// Fields of `template` that are set are kept (`provider`, `type`,
    /// `status`, `enabled`, `mcp_server_url`, …). A blank `provider_key`
    /// becomes the provider's name in lowercase, a blank `key_id` (the
    /// connection's name) the provider key. `id`, `organization_id`,
    /// `domains` and the timestamps are the emulator's.
    ///
    /// ```
    /// # fn sample(emulator: &scalekit_emulator::EmulatorHandle) -> Result<(), tonic::Status> {
    /// use scalekit::proto::connections::{Connection, ConnectionProvider};
    ///
    /// let connection_id = emulator.add_app_connection(Connection {
    ///     provider: ConnectionProvider::Google as i32,
    ///     key_id: Some("gmail_work".into()),
    ///     ..Default::default()
    /// })?;
    /// # let _ = connection_id;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for an unknown provider or one that is neither a
    /// provider nor a provider key, `ALREADY_EXISTS` when an app connection
    /// has that `key_id`.
    pub fn add_app_connection(
        &self,
        template: proto::connections::Connection,
    ) -> Result<String, tonic::Status> {
        let mut store = self.env.store.lock();
        services::connections::add_app_connection(&mut store, template)
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
