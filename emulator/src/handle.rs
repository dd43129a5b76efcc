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

use crate::after_handler::AfterHandler;
use crate::env::{self, Environment, Failure, Scripted};
use crate::serve::DrainSender;
use crate::{mint, reset, MintedTokens, SeedError};
use crate::{services, Code, PasswordlessEmail, StartError, SHUTDOWN_GRACE};
use crate::{JournalEntry, Recorded, Reply};
use crate::{WebhookDelivery, WebhookEndpoint, WebhookError};

/// A running emulator. Dropping it stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    env_url: String,
    env: Arc<Environment>,
    stop: Option<oneshot::Sender<()>>,
    drain: DrainSender,
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
        drain: DrainSender,
        task: JoinHandle<()>,
    ) -> Self {
        EmulatorHandle {
            addr,
            env_url,
            env,
            stop: Some(stop),
            drain,
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
    /// Calls of paths that name no method of the schema are counted
    /// together under [`UNKNOWN_METHOD`](crate::UNKNOWN_METHOD).
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
    ///
    /// `method` is a full path (`scalekit.v1.users.UserService/GetUser`),
    /// `Service/Method` or a bare method name (`GetUser`), as for every
    /// fault below. The handler does not run, so nothing is written.
    pub fn fail_next(&self, method: Option<&str>, times: u32, code: Code) {
        self.env.faults.add_failure(Scripted {
            method: method.map(str::to_string),
            remaining: times,
            fault: Failure {
                code,
                message: format!("injected {code:?}"),
            },
        });
    }

    /// After the handler ran, answers `code` instead of its answer, for the
    /// next `times` authenticated calls of the methods `method` names
    /// (every method when `None`).
    ///
    /// The handler's writes are committed: a create is stored although the
    /// client sees `code` (with an `ErrorInfo` whose error code is
    /// `INJECTED_FAULT`), as when a gateway fails a call the service
    /// processed. For testing that a client does not resend a write that
    /// may have been committed. A call refused before the handler (by
    /// [`fail_next`](Self::fail_next), the rate limit or the bearer check)
    /// does not use up one of the `times`.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// use scalekit::proto::organizations::{
    ///     CreateOrganization, CreateOrganizationRequest, ListOrganizationsRequest,
    /// };
    /// use scalekit_emulator::{Code, Emulator};
    ///
    /// let emulator = Emulator::builder().start().await?;
    /// emulator.fail_next_after_commit(Some("CreateOrganization"), 1, Code::Unavailable);
    /// let mut organizations = emulator.client()?.raw().organizations();
    /// let create = CreateOrganizationRequest {
    ///     organization: Some(CreateOrganization {
    ///         display_name: "Acme".into(),
    ///         ..Default::default()
    ///     }),
    /// };
    /// let status = organizations
    ///     .create_organization(create)
    ///     .await
    ///     .expect_err("answered UNAVAILABLE");
    /// assert_eq!(status.code(), Code::Unavailable);
    /// let listed = organizations
    ///     .list_organization(ListOrganizationsRequest::default())
    ///     .await?
    ///     .into_inner();
    /// assert_eq!(listed.total_size, 1, "the organization was created all the same");
    /// # Ok(())
    /// # }
    /// ```
    pub fn fail_next_after_commit(&self, method: Option<&str>, times: u32, code: Code) {
        self.add_after_handler(method, times, AfterHandler::Status(code));
    }

    /// After the handler ran, resets the HTTP/2 stream (`RST_STREAM` with
    /// `INTERNAL_ERROR`) instead of answering, for the next `times`
    /// authenticated calls of the methods `method` names (every method
    /// when `None`).
    ///
    /// The handler's writes are committed and no part of the response
    /// reaches the client, not even its headers: the client sees a stream
    /// error from its transport, as when a proxy drops a call the service
    /// processed. The connection stays up for other calls.
    pub fn reset_next_after_commit(&self, method: Option<&str>, times: u32) {
        self.add_after_handler(method, times, AfterHandler::Reset);
    }

    /// After the handler ran, sends the response headers and then nothing
    /// (no message, no trailers) until the client goes away, for the next
    /// `times` authenticated calls of the methods `method` names (every
    /// method when `None`).
    ///
    /// For testing that a client's deadline covers the body, not just the
    /// headers. When the handler answered an error in the headers alone,
    /// the status is held back too, so the client always waits. A stalled
    /// response ends when the client resets the stream or closes the
    /// connection; it holds no task of its own and blocks no other call.
    /// [`open_stalls`](Self::open_stalls) counts the ones still open.
    pub fn stall_next_after_headers(&self, method: Option<&str>, times: u32) {
        self.add_after_handler(method, times, AfterHandler::StallAfterHeaders);
    }

    /// After the handler ran, sends the response headers and the message
    /// and then nothing: the trailers, which carry the gRPC status, never
    /// come. For the next `times` authenticated calls of the methods
    /// `method` names (every method when `None`).
    ///
    /// A unary client has the answer's bytes but cannot finish the call
    /// without the status. Ends as [`stall_next_after_headers`](Self::stall_next_after_headers)
    /// does, when the client goes away.
    pub fn stall_next_before_trailers(&self, method: Option<&str>, times: u32) {
        self.add_after_handler(method, times, AfterHandler::StallBeforeTrailers);
    }

    /// After the handler ran, sends the real answer slowly: the headers at
    /// once, then the body in small pieces (at most 32, a few bytes each
    /// for a small message) with a pause before each, so that the body
    /// and trailers take at least `at_least`. For the next `times`
    /// authenticated calls of the methods `method` names (every method
    /// when `None`).
    ///
    /// The answer arrives whole and correct, only late: for testing that a
    /// client's deadline covers the body, and that a slow body within the
    /// deadline is not cut short. An error answered in the headers alone
    /// has its status sent as trailers after `at_least`.
    pub fn trickle_next(&self, method: Option<&str>, times: u32, at_least: Duration) {
        self.add_after_handler(method, times, AfterHandler::Trickle(at_least));
    }

    fn add_after_handler(&self, method: Option<&str>, times: u32, fault: AfterHandler) {
        self.env.faults.add_after_handler(Scripted {
            method: method.map(str::to_string),
            remaining: times,
            fault,
        });
    }

    /// How many responses stalled by [`stall_next_after_headers`](Self::stall_next_after_headers)
    /// or [`stall_next_before_trailers`](Self::stall_next_before_trailers)
    /// are still open. It drops back as their clients reset the streams or
    /// close the connections: a test can check that a client gave up on a
    /// stalled call instead of leaving it open.
    pub fn open_stalls(&self) -> usize {
        self.env.faults.stalls.count()
    }

    /// Gracefully drains every connection open now, as a server that is
    /// going away does: each HTTP/2 connection gets a `GOAWAY`, its calls in
    /// progress run to the end, new streams on it are refused, and it
    /// closes once idle (an HTTP/1.1 connection closes after its current
    /// request). The listener keeps accepting, so clients reconnect: a
    /// client that drains on `GOAWAY` and opens a new connection keeps
    /// working without a failed call.
    ///
    /// Connections accepted after this call are not drained. A stalled
    /// response (see [`stall_next_after_headers`](Self::stall_next_after_headers))
    /// keeps its connection open until its client goes away.
    pub fn drain_connections(&self) {
        self.drain.send_modify(|drains| *drains += 1);
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

    /// Answers the next `times` requests to `POST /oauth/token` with HTTP
    /// `status` (429, say, or 503) and an OAuth error body, whatever their
    /// credentials. [`clear_faults`](Self::clear_faults) ends it too.
    pub fn refuse_token_requests(&self, status: u16, times: u32) {
        self.env.faults.refuse_token_requests(status, times);
    }

    /// Lifts the rate limit.
    pub fn clear_rate_limit(&self) {
        self.env.faults.set_rate_limit(None);
    }

    /// Removes every injected failure (before and after the handler), the
    /// latency, the rate limit and the token endpoint's refusals. Responses already stalled stay stalled
    /// until their clients go away.
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

    /// Signs with another key from now on, published under a new key id;
    /// earlier keys stay in the JWKS and stay valid. Returns the new key id.
    /// For testing a client's handling of a `kid` it has not cached.
    ///
    /// The keys are test-only ones shipped with the crate (see the crate
    /// docs): key ids are new at every rotation, key material repeats after
    /// a few.
    ///
    /// # Errors
    /// [`StartError::Key`] if the key cannot be read.
    pub fn rotate_signing_key(&self) -> Result<String, StartError> {
        self.env.tokens.rotate().map_err(StartError::Key)
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

    /// Registers a webhook endpoint: from now on, each event the emulator
    /// records (see [`crate`]'s docs on events) whose type is in
    /// `event_types` (every type when empty) is POSTed to `url` as JSON,
    /// signed as Scalekit signs deliveries: the `webhook-id`,
    /// `webhook-timestamp` and `webhook-signature` headers that
    /// `scalekit::webhook::verify` and the SDKs' `verify_webhook_payload`
    /// check.
    ///
    /// `secret` is the signing secret (`whsec_` and base64), or `None` to
    /// generate one; [`WebhookEndpoint::secret`] returns it either way.
    /// Deliveries run in the background and never hold up the RPC that
    /// recorded the event; a failed attempt (not `2xx`, no connection, a
    /// timeout) is retried on the builder's schedule
    /// ([`webhook_retry_delays`](crate::EmulatorBuilder::webhook_retry_delays)),
    /// then given up. Every attempt is logged:
    /// [`webhook_deliveries`](Self::webhook_deliveries).
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::{Duration, SystemTime};
    ///
    /// let emulator = scalekit_emulator::Emulator::builder().start().await?;
    /// // A receiver that answers 204; a real one verifies and handles.
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let url = format!("http://{}/webhooks", listener.local_addr()?);
    /// let app = axum::Router::new().route(
    ///     "/webhooks",
    ///     axum::routing::post(|| async { axum::http::StatusCode::NO_CONTENT }),
    /// );
    /// tokio::spawn(async move { axum::serve(listener, app).await });
    ///
    /// let endpoint = emulator.add_webhook_endpoint(&url, None, &["organization.created"])?;
    /// let client = emulator.client()?;
    /// client.organizations().create_organization("Acme", Default::default()).await?;
    ///
    /// let log = emulator.wait_for_webhook_deliveries(1, Duration::from_secs(10)).await?;
    /// assert_eq!(log[0].event_type, "organization.created");
    /// assert!(log[0].outcome.is_success());
    /// assert!(endpoint.secret().starts_with("whsec_"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`WebhookError::InvalidUrl`] unless `url` is an absolute `http` URL
    /// (the emulator does not deliver over TLS);
    /// [`WebhookError::InvalidSecret`] for a secret not shaped `whsec_…`.
    pub fn add_webhook_endpoint(
        &self,
        url: &str,
        secret: Option<&str>,
        event_types: &[&str],
    ) -> Result<WebhookEndpoint, WebhookError> {
        self.env
            .webhooks
            .add_endpoint(&self.env.store, url, secret, event_types)
    }

    /// Removes the webhook endpoint with this id: nothing more is delivered
    /// to it, and deliveries to it stop before their next retry. False
    /// when no endpoint has that id.
    pub fn remove_webhook_endpoint(&self, id: &str) -> bool {
        self.env.webhooks.remove_endpoint(id)
    }

    /// The registered webhook endpoints, oldest first.
    pub fn webhook_endpoints(&self) -> Vec<WebhookEndpoint> {
        self.env.webhooks.endpoints()
    }

    /// The most recent webhook delivery attempts, oldest first, at most
    /// [`WEBHOOK_LOG_CAPACITY`](crate::WEBHOOK_LOG_CAPACITY): one entry per
    /// attempt, so a delivery retried twice has three.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.env.webhooks.deliveries()
    }

    /// Waits until `attempts` webhook delivery attempts have been logged
    /// since the emulator started (successes and failures alike), then
    /// returns the log as [`webhook_deliveries`](Self::webhook_deliveries)
    /// does. For tests: no polling loop needed.
    ///
    /// # Errors
    /// [`WebhookError::Timeout`] when fewer were logged within `timeout`.
    pub async fn wait_for_webhook_deliveries(
        &self,
        attempts: u64,
        timeout: Duration,
    ) -> Result<Vec<WebhookDelivery>, WebhookError> {
        self.env
            .webhooks
            .wait_for_deliveries(attempts, timeout)
            .await
    }

    /// The `webhook-id`, `webhook-timestamp` and `webhook-signature`
    /// headers for `payload` sent now with a new id, signed with `secret`
    /// as Scalekit signs deliveries: for a test that posts its own payload
    /// to a webhook handler.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = scalekit_emulator::Emulator::builder().start().await?;
    /// let secret = "whsec_c2VjcmV0";
    /// let payload = br#"{"type":"user.created","data":{}}"#;
    /// let headers = emulator.sign_webhook(secret, payload)?;
    /// assert!(headers["webhook-signature"].to_str()?.starts_with("v1,"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`WebhookError::InvalidSecret`] for a secret not shaped `whsec_…`.
    pub fn sign_webhook(
        &self,
        secret: &str,
        payload: &[u8],
    ) -> Result<http::HeaderMap, WebhookError> {
        crate::webhooks::sign(secret, payload)
    }

    /// Test setup: signs a user in without a browser and returns their
    /// access and ID tokens, as the code exchange after `/oauth/authorize`
    /// would: a new session (`sid`), the organization (`oid`: the one
    /// given, else the user's only membership), their `roles` in it and
    /// the `permissions` those give. The same as
    /// `POST /_emulator/users/{user_id}/tokens`.
    ///
    /// ```
    /// # fn sample(emulator: &scalekit_emulator::EmulatorHandle) -> Result<(), tonic::Status> {
    /// let tokens = emulator.mint_user_token("usr_10000000000000004", Some("org_10000000000000003"))?;
    /// // Call your own app as this user.
    /// let authorization = format!("Bearer {}", tokens.access_token);
    /// # let _ = authorization;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown user or organization,
    /// `FAILED_PRECONDITION` when the user is not a member of the
    /// organization.
    pub fn mint_user_token(
        &self,
        user_id: &str,
        organization_id: Option<&str>,
    ) -> Result<MintedTokens, tonic::Status> {
        mint::mint(&self.env, user_id, organization_id)
    }

    /// Returns the emulator to the state start-up left it in, without a
    /// restart: the store holds what the fixtures created and nothing
    /// else, and ids start again where they started after seeding.
    ///
    /// Also forgets pending authorization codes and refresh tokens, clears
    /// every injected fault and zeroes the counters (`token_requests`,
    /// `rpc_counts`). The address, credentials, signing keys, token
    /// lifetime and the access tokens issued so far stay, so a client
    /// keeps working without a new token. Calls in progress finish on
    /// whichever state they started with.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = scalekit_emulator::Emulator::builder().start().await?;
    /// let client = emulator.client()?;
    /// client.organizations().create_organization("Acme", Default::default()).await?;
    /// emulator.reset().await?;
    /// let listed = client.organizations().list_organization(Default::default()).await?;
    /// assert_eq!(listed.total_size, 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`SeedError`] if the fixtures are refused this time (they were
    /// accepted at start-up, so only if an RPC's rules changed between).
    pub async fn reset(&self) -> Result<(), SeedError> {
        reset::reset(&self.env).await
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

/// The request journal and scripted replies.
impl EmulatorHandle {
    /// The calls of every method whose request message is an `M`, oldest
    /// first, each with its message decoded, its metadata (credentials
    /// replaced), when it arrived and how it was answered.
    ///
    /// For checking what code under test sent, against the real emulator
    /// rather than a mock:
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// use scalekit::proto::users::CreateUserAndMembershipRequest;
    /// use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
    ///
    /// let emulator = scalekit_emulator::Emulator::builder().start().await?;
    /// let client = emulator.client()?;
    /// let org = client.organizations().create_organization("Acme", Default::default()).await?;
    /// let user = CreateUser { email: "ada@acme.example".into(), ..Default::default() };
    /// let options = CreateUserAndMembershipOptions::default().with_send_invitation_email(false);
    /// client.users().create_user_and_membership(&org.id, user, options).await?;
    ///
    /// let sent = emulator.requests::<CreateUserAndMembershipRequest>();
    /// assert_eq!(sent.len(), 1);
    /// assert_eq!(sent[0].message.send_invitation_email, Some(false));
    /// let authorization = sent[0].metadata.get("authorization").and_then(|v| v.to_str().ok());
    /// assert_eq!(authorization, Some("Bearer <redacted>"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// `M` is one of the SDK's generated request messages
    /// (`scalekit::proto::…`, each implementing `prost::Name`), or `()` for
    /// the methods that take `google.protobuf.Empty`; the calls are those of
    /// the methods whose request is `M` (see `scalekit::proto::METHODS`). Calls refused
    /// before their handler are included (see [`Recorded::handled`]).
    /// Left out: calls whose message the journal did not keep whole
    /// (compressed, over [`JOURNAL_MESSAGE_LIMIT`](crate::JOURNAL_MESSAGE_LIMIT),
    /// malformed), which [`journal`](Self::journal) lists, and calls the
    /// journal dropped to stay within its bounds.
    pub fn requests<M: prost::Message + prost::Name + Default>(&self) -> Vec<Recorded<M>> {
        self.env.journal.requests::<M>()
    }

    /// Every call in the request journal, of every method (and of paths
    /// that name none), oldest first, with its message undecoded.
    ///
    /// The journal records each gRPC call as it arrives, before faults,
    /// the rate limit or the bearer check can refuse it, and notes the
    /// status it was answered with. It keeps the last
    /// [`journal_capacity`](crate::EmulatorBuilder::journal_capacity)
    /// calls, and at most
    /// [`journal_max_bytes`](crate::EmulatorBuilder::journal_max_bytes) of
    /// messages and metadata, each message up to
    /// [`JOURNAL_MESSAGE_LIMIT`](crate::JOURNAL_MESSAGE_LIMIT) and each
    /// call's metadata up to [`JOURNAL_METADATA_LIMIT`](crate::JOURNAL_METADATA_LIMIT);
    /// the oldest calls go first ([`journal_dropped`](Self::journal_dropped)
    /// counts them). So it never holds more than `capacity ×`
    /// [`JOURNAL_ENTRY_OVERHEAD`](crate::JOURNAL_ENTRY_OVERHEAD) `+
    /// max_bytes` bytes, about 19 MiB with the defaults, however many
    /// calls arrive.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.env.journal.entries()
    }

    /// How many calls the journal dropped to stay within its bounds since
    /// it was last cleared.
    pub fn journal_dropped(&self) -> u64 {
        self.env.journal.dropped()
    }

    /// Empties the request journal. Sequence numbers go on from where they
    /// were, so a test can tell calls before and after apart.
    pub fn clear_journal(&self) {
        self.env.journal.clear();
    }

    /// Scripts the answers to the next calls of the methods `method` names
    /// (a full path, `Service/Method` or a bare method name; `None` for
    /// every method): the first such call gets the first reply, the next
    /// call the next one, and so on; once the replies are used up, calls
    /// are answered as usual.
    ///
    /// A reply answers for the service: only calls that passed the bearer
    /// check (and [`fail_next`](Self::fail_next) and the rate limit, which
    /// come before it) use one up. Scripts apply oldest first, a call using
    /// a reply of the oldest script that names its method;
    /// [`clear_faults`](Self::clear_faults) removes them.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// use scalekit_emulator::{Code, Emulator, Reply};
    ///
    /// let emulator = Emulator::builder().start().await?;
    /// emulator.script("ListUsers", [
    ///     Reply::error(Code::Unavailable, "try again"),
    ///     Reply::pass(),
    /// ]);
    /// // The SDK retries the idempotent call once, and gets the real answer.
    /// let users = emulator.client()?.users().list_users(Default::default()).await?;
    /// assert!(users.items.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn script<'a>(
        &self,
        method: impl Into<Option<&'a str>>,
        replies: impl IntoIterator<Item = Reply>,
    ) {
        self.env.faults.scripts.add(method.into(), replies);
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.env.webhooks.stop();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}
