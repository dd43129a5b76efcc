//! [`ScalekitClient`] and its [`ClientBuilder`].

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tonic::transport::{Channel, Endpoint};
use url::Url;

use crate::auth::AuthClient;
use crate::connections::ConnectionsClient;
use crate::directories::DirectoriesClient;
use crate::domains::DomainsClient;
use crate::error::{Error, Result};
use crate::organizations::OrganizationsClient;
use crate::passwordless::PasswordlessClient;
use crate::permissions::PermissionsClient;
use crate::raw::RawClients;
use crate::roles::RolesClient;
use crate::sessions::SessionsClient;
use crate::transport::auth_channel::{AuthChannel, CallPolicy, ChannelSource, Shared};
use crate::transport::headers::SdkHeaders;
use crate::transport::retry::RetryConfig;
use crate::transport::tls;
use crate::transport::token::{TokenRequest, TokenSource, DEFAULT_REFRESH_MARGIN};
use crate::users::UsersClient;
use crate::webauthn::WebAuthnClient;

/// Environment variable read by [`ScalekitClient::from_env`]: the environment URL.
pub const ENV_ENVIRONMENT_URL: &str = "SCALEKIT_ENVIRONMENT_URL";
/// Environment variable read by [`ScalekitClient::from_env`]: the client id.
pub const ENV_CLIENT_ID: &str = "SCALEKIT_CLIENT_ID";
/// Environment variable read by [`ScalekitClient::from_env`]: the client secret.
pub const ENV_CLIENT_SECRET: &str = "SCALEKIT_CLIENT_SECRET";

/// The whole call's budget, as the official SDKs set it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for one Scalekit environment.
///
/// Build one per environment and share it: it is cheap to clone, and clones
/// share one connection and one access-token cache. Construction does no
/// network I/O; the first call connects and fetches a token.
///
/// ```
/// # fn main() -> scalekit::Result<()> {
/// let client = scalekit::ScalekitClient::new(
///     "https://acme.scalekit.dev",
///     "skc_123",
///     "test_secret",
/// )?;
/// let users = client.users();
/// # let _ = users;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ScalekitClient {
    inner: Arc<Inner>,
    /// The shared channel with this handle's call policy (see
    /// [`with_timeout`](ScalekitClient::with_timeout)).
    channel: AuthChannel,
}

struct Inner {
    env_url: Url,
    client_id: String,
    #[cfg(feature = "webhook")]
    webhook_keys: crate::webhook::KeyCache,
    #[cfg(feature = "oidc")]
    oidc: crate::oidc::OidcContext,
}

impl fmt::Debug for ScalekitClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScalekitClient")
            .field("env_url", &self.inner.env_url.as_str())
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

impl ScalekitClient {
    /// A client with default settings: the same three arguments as the other
    /// Scalekit SDKs.
    ///
    /// # Errors
    /// [`Error::Config`] when the URL is not an `http(s)` URL, `http://` names
    /// a host other than a loopback address, or the id or secret is empty.
    pub fn new(
        env_url: impl AsRef<str>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<Self> {
        Self::builder(env_url, client_id, client_secret).build()
    }

    /// A client configured from `SCALEKIT_ENVIRONMENT_URL`,
    /// `SCALEKIT_CLIENT_ID` and `SCALEKIT_CLIENT_SECRET`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first variable that is unset, or as
    /// [`ScalekitClient::new`].
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| {
            std::env::var(name)
                .map_err(|_| Error::Config(format!("environment variable {name} is not set")))
        };
        Self::new(
            var(ENV_ENVIRONMENT_URL)?,
            var(ENV_CLIENT_ID)?,
            var(ENV_CLIENT_SECRET)?,
        )
    }

    /// A builder for the settings [`ScalekitClient::new`] leaves at their
    /// defaults.
    pub fn builder(
        env_url: impl AsRef<str>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> ClientBuilder {
        ClientBuilder {
            env_url: env_url.as_ref().to_string(),
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            token_timeout: DEFAULT_TOKEN_TIMEOUT,
            retry: RetryConfig::default(),
            user_agent_suffix: None,
            channel: None,
            allow_insecure_http: false,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            #[cfg(feature = "oidc")]
            jwks_ttl: crate::oidc::jwks::DEFAULT_JWKS_TTL,
            #[cfg(feature = "oidc")]
            jwt_leeway: crate::oidc::DEFAULT_LEEWAY,
        }
    }

    /// The keyed MAC of the last webhook secret verified with.
    #[cfg(feature = "webhook")]
    pub(crate) fn webhook_keys(&self) -> &crate::webhook::KeyCache {
        &self.inner.webhook_keys
    }

    /// The state of the sign-in helpers (`crate::oidc`).
    #[cfg(feature = "oidc")]
    pub(crate) fn oidc(&self) -> &crate::oidc::OidcContext {
        &self.inner.oidc
    }

    /// This client with another deadline for the calls made through it; the
    /// connection and token cache stay shared.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     // A lookup on a login path: fail fast rather than hold the user.
    ///     let user = client
    ///         .with_timeout(Duration::from_secs(2))
    ///         .users()
    ///         .get_user("usr_123")
    ///         .await?;
    ///     # let _ = user;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The budget covers the token fetch, every attempt and every backoff,
    /// as [`ClientBuilder::timeout`] does for the client's default. A zero
    /// duration makes every call fail with [`Error::Timeout`].
    pub fn with_timeout(&self, timeout: Duration) -> ScalekitClient {
        let mut policy = self.channel.policy();
        policy.timeout = Some(timeout);
        self.with_policy(policy)
    }

    /// This client with other retry rules for the calls made through it.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     // The caller retries this whole job itself.
    ///     let users = client.with_retry(scalekit::RetryConfig::disabled()).users();
    ///     users.delete_user("usr_123").await?;
    ///     Ok(())
    /// }
    /// ```
    pub fn with_retry(&self, retry: RetryConfig) -> ScalekitClient {
        let mut policy = self.channel.policy();
        policy.retry = retry;
        self.with_policy(policy)
    }

    fn with_policy(&self, policy: CallPolicy) -> ScalekitClient {
        ScalekitClient {
            inner: Arc::clone(&self.inner),
            channel: self.channel.with_policy(policy),
        }
    }

    /// The environment URL, without a trailing slash.
    pub fn env_url(&self) -> &str {
        self.inner.env_url.as_str().trim_end_matches('/')
    }

    /// The client id this client authenticates as.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// Organizations (tenants), their settings and admin-portal links.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let organization = client.organizations().get_organization("org_123").await?;
    ///     println!("{}", organization.display_name);
    ///     Ok(())
    /// }
    /// ```
    pub fn organizations(&self) -> OrganizationsClient {
        OrganizationsClient::new(self.channel.clone())
    }

    /// Users and their organization memberships.
    pub fn users(&self) -> UsersClient {
        UsersClient::new(self.channel.clone())
    }

    /// Roles of the environment and of single organizations.
    pub fn roles(&self) -> RolesClient {
        RolesClient::new(self.channel.clone())
    }

    /// Permissions and their assignment to roles.
    pub fn permissions(&self) -> PermissionsClient {
        PermissionsClient::new(self.channel.clone())
    }

    /// Enterprise SSO connections of organizations.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let connections = client.connections().list_connections("org_123").await?;
    ///     println!("{} connections", connections.len());
    ///     Ok(())
    /// }
    /// ```
    pub fn connections(&self) -> ConnectionsClient {
        ConnectionsClient::new(self.channel.clone())
    }

    /// Email domains of organizations.
    ///
    /// ```
    /// use scalekit::domains::ListDomainsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let domains = client.domains().list_domains("org_123", ListDomainsOptions::default()).await?;
    ///     println!("{} domains", domains.len());
    ///     Ok(())
    /// }
    /// ```
    pub fn domains(&self) -> DomainsClient {
        DomainsClient::new(self.channel.clone())
    }

    /// SCIM directories of organizations, with their users and groups.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let directories = client.directories().list_directories("org_123").await?;
    ///     println!("{} directories", directories.len());
    ///     Ok(())
    /// }
    /// ```
    pub fn directories(&self) -> DirectoriesClient {
        DirectoriesClient::new(self.channel.clone())
    }

    /// Users' sign-in sessions: look them up, list them, revoke them.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let revoked = client.sessions().revoke_all_user_sessions("usr_123").await?;
    ///     println!("signed out of {} sessions", revoked.total_revoked);
    ///     Ok(())
    /// }
    /// ```
    pub fn sessions(&self) -> SessionsClient {
        SessionsClient::new(self.channel.clone())
    }

    /// Passwordless sign-in by email: one-time codes and magic links.
    ///
    /// ```
    /// use scalekit::passwordless::SendPasswordlessEmailOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let sent = client
    ///         .passwordless()
    ///         .send_passwordless_email("ada@example.com", SendPasswordlessEmailOptions::default())
    ///         .await?;
    ///     println!("auth request {}", sent.auth_request_id);
    ///     Ok(())
    /// }
    /// ```
    pub fn passwordless(&self) -> PasswordlessClient {
        PasswordlessClient::new(self.channel.clone())
    }

    /// "Bring your own auth": report the user your login page signed in.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let user = scalekit::auth::User { email: "ada@example.com".to_owned(), ..Default::default() };
    ///     client.auth().update_login_user_details("conn_123", "login_456", user).await
    /// }
    /// ```
    pub fn auth(&self) -> AuthClient {
        AuthClient::new(self.channel.clone())
    }

    /// Users' WebAuthn credentials (passkeys): list, rename, delete.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let listed = client.webauthn().list_credentials("usr_123").await?;
    ///     println!("{} passkeys", listed.credentials.len());
    ///     Ok(())
    /// }
    /// ```
    pub fn webauthn(&self) -> WebAuthnClient {
        WebAuthnClient::new(self.channel.clone())
    }

    /// Authenticated generated clients for every service in `proto/`, for
    /// RPCs the facade does not wrap. They send through the same
    /// [`AuthChannel`] as the facade: same token cache, headers, timeout and
    /// retry on `UNAUTHENTICATED`.
    pub fn raw(&self) -> RawClients {
        RawClients::new(self.channel.clone())
    }

    /// The access token this client sends with every RPC: the cached one
    /// while it is fresh, otherwise a new one from the client-credentials
    /// grant at `{env_url}/oauth/token`.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// // For an HTTP call to a Scalekit endpoint this SDK does not wrap.
    /// let bearer = format!("Bearer {}", client.get_client_access_token().await?);
    /// # let _ = bearer;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// The reference SDK's `getClientAccessToken` requests a new token on
    /// every call; this one shares the cache (and its single-flight refresh)
    /// with the RPCs, so calling it often costs no token requests. The value
    /// is a bearer credential: keep it out of logs.
    ///
    /// # Errors
    /// [`Error::Auth`] when the token endpoint refuses the credentials or
    /// cannot be reached.
    pub async fn get_client_access_token(&self) -> Result<String> {
        let token = self.channel.access_token().await?;
        Ok(token.secret().into_owned())
    }
}

/// Settings for a [`ScalekitClient`]; made by [`ScalekitClient::builder`].
///
/// ```
/// # fn main() -> scalekit::Result<()> {
/// use std::time::Duration;
/// let client = scalekit::ScalekitClient::builder("https://acme.scalekit.dev", "skc_123", "secret")
///     .timeout(Duration::from_secs(10))
///     .connect_timeout(Duration::from_secs(3))
///     .user_agent_suffix("billing-service/4.1")
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
pub struct ClientBuilder {
    env_url: String,
    client_id: String,
    client_secret: SecretString,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    token_timeout: Duration,
    retry: RetryConfig,
    user_agent_suffix: Option<String>,
    channel: Option<Channel>,
    allow_insecure_http: bool,
    refresh_margin: Duration,
    #[cfg(feature = "oidc")]
    jwks_ttl: Duration,
    #[cfg(feature = "oidc")]
    jwt_leeway: Duration,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("env_url", &self.env_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("token_timeout", &self.token_timeout)
            .field("retry", &self.retry)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("custom_channel", &self.channel.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientBuilder {
    /// How long one call may take in all (default 20 s): the token fetch if
    /// one is needed, every attempt and every backoff between them. Each
    /// attempt sends what is left as `grpc-timeout`; past it the call fails
    /// with [`Error::Timeout`]. One call can be given another budget with
    /// [`ScalekitClient::with_timeout`].
    /// [`build`](Self::build) refuses zero.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Removes the call deadline: calls wait as long as the server takes.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// How failed calls are retried (default [`RetryConfig::default`]: up
    /// to 3 attempts for `UNAVAILABLE` on idempotent calls, with jittered
    /// exponential backoff); [`RetryConfig::disabled`] turns retries off.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How long establishing the gRPC connection may take (default 10 s).
    /// [`build`](Self::build) refuses zero.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one request to the token endpoint may take (default 10 s).
    /// [`build`](Self::build) refuses zero.
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.token_timeout = timeout;
        self
    }

    /// Appends a product token (e.g. `my-app/1.2`) to the SDK's user agent.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Sends gRPC through `channel` instead of connecting to the environment
    /// URL: for tests (an in-memory transport) or custom connection settings.
    /// The token endpoint is still `{env_url}/oauth/token`.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = Some(channel);
        self
    }

    /// Accepts `http://` for hosts that are not loopback addresses. Plain
    /// HTTP sends the client secret and tokens unencrypted: only for
    /// networks you control.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How long before expiry a cached token is replaced (default 60 s,
    /// capped at half the token's lifetime).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How long the environment's signing keys (JWKS) are cached before the
    /// next token validation refetches them (default one hour). A token
    /// naming an unknown key id refetches sooner, at most once per 30 s.
    #[cfg(feature = "oidc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
    pub fn jwks_ttl(mut self, ttl: Duration) -> Self {
        self.jwks_ttl = ttl;
        self
    }

    /// The clock-skew leeway for a JWT's `exp` and `nbf` (default 60 s).
    #[cfg(feature = "oidc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
    pub fn jwt_leeway(mut self, leeway: Duration) -> Self {
        self.jwt_leeway = leeway;
        self
    }

    /// Validates the settings and builds the client. No network I/O.
    ///
    /// # Errors
    /// [`Error::Config`] for an unusable URL, an empty client id or secret,
    /// `http://` to a non-loopback host without
    /// [`allow_insecure_http`](Self::allow_insecure_http), `https://` in a
    /// build without TLS, a user-agent suffix that is not a valid header, or
    /// a zero [`timeout`](Self::timeout), [`connect_timeout`](Self::connect_timeout)
    /// or [`token_timeout`](Self::token_timeout) (every call would fail; use
    /// [`no_timeout`](Self::no_timeout) for no limit).
    pub fn build(self) -> Result<ScalekitClient> {
        use secrecy::ExposeSecret as _;

        for (setting, value) in [
            ("timeout", self.timeout),
            ("connect_timeout", Some(self.connect_timeout)),
            ("token_timeout", Some(self.token_timeout)),
        ] {
            if value.is_some_and(|limit| limit.is_zero()) {
                return Err(Error::Config(format!(
                    "{setting} is zero, so every call would fail; give it a positive duration"
                )));
            }
        }
        let env_url = parse_env_url(&self.env_url, self.allow_insecure_http)?;
        if self.client_id.trim().is_empty() {
            return Err(Error::Config("client id is empty".into()));
        }
        if self.client_secret.expose_secret().trim().is_empty() {
            return Err(Error::Config("client secret is empty".into()));
        }
        let headers = SdkHeaders::new(self.user_agent_suffix.as_deref())
            .map_err(|_| Error::Config("user-agent suffix is not a valid header value".into()))?;

        let channel = match self.channel {
            Some(channel) => ChannelSource::Ready(channel),
            None => ChannelSource::lazy(
                grpc_endpoint(&env_url, self.connect_timeout, KEEPALIVE)?
                    .user_agent(headers.user_agent.clone())
                    .map_err(|_| Error::Config("user agent is not a valid header value".into()))?,
            ),
        };
        let token_url = env_url
            .join("oauth/token")
            .map_err(|e| Error::Config(format!("cannot derive the token URL: {e}")))?;
        let http = tls::http_client()?;
        #[cfg(feature = "oidc")]
        let oidc = crate::oidc::OidcContext::new(crate::oidc::OidcSettings {
            env_url: env_url.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            http: http.clone(),
            headers: headers.clone(),
            timeout: self.token_timeout,
            leeway: self.jwt_leeway,
            jwks_ttl: self.jwks_ttl,
        })?;
        let tokens = TokenSource::new(TokenRequest {
            http,
            token_url,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret,
            headers: headers.clone(),
            timeout: self.token_timeout,
            refresh_margin: self.refresh_margin,
        });
        let channel = AuthChannel::new(
            Shared {
                channel,
                tokens,
                headers,
            },
            CallPolicy {
                timeout: self.timeout,
                retry: self.retry,
            },
        );
        Ok(ScalekitClient {
            inner: Arc::new(Inner {
                env_url,
                client_id: self.client_id,
                #[cfg(feature = "webhook")]
                webhook_keys: Default::default(),
                #[cfg(feature = "oidc")]
                oidc,
            }),
            channel,
        })
    }
}

/// Parses and checks the environment URL. The result ends in `/` so that
/// `join("oauth/token")` appends rather than replaces a path segment.
fn parse_env_url(raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Error::Config("environment URL is empty".into()));
    }
    let mut url =
        Url::parse(raw).map_err(|e| Error::Config(format!("environment URL is invalid: {e}")))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::Config("environment URL has no host".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(
            "environment URL must not have a query or fragment".into(),
        ));
    }
    match url.scheme() {
        "https" if !tls::TLS_ENABLED => {
            return Err(Error::Config(
                "https:// needs TLS: enable the `tls-ring` feature".into(),
            ))
        }
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::Config(format!(
                "refusing plain http:// to {}: only loopback hosts may use it unless allow_insecure_http(true) is set",
                url.host_str().unwrap_or_default()
            )))
        }
        other => {
            return Err(Error::Config(format!(
                "environment URL scheme must be https or http, not {other}"
            )))
        }
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// HTTP/2 keepalive of the gRPC connection.
#[derive(Clone, Copy, Debug)]
struct Keepalive {
    /// How often to send a PING, also while no call is open.
    interval: Duration,
    /// How long to wait for the PING's answer before dropping the
    /// connection (the next call then reconnects).
    timeout: Duration,
}

/// A PING every 60 s with 20 s to answer, as the official SDKs do. Load
/// balancers and NATs forget connections that stay silent, and a connection
/// lost that way is otherwise only noticed when a call times out on it;
/// with these values a dead connection is dropped within 80 s of going quiet.
const KEEPALIVE: Keepalive = Keepalive {
    interval: Duration::from_secs(60),
    timeout: Duration::from_secs(20),
};

/// The gRPC endpoint for an environment; connected on the first call.
///
/// The official SDKs also close a connection after 4 idle minutes, before
/// Scalekit does. tonic's `Endpoint` (0.14) has no such setting: a
/// `Channel` is one connection, not a pool. The keepalive PINGs keep it
/// from looking dead to the network, and when the server closes it anyway
/// (GOAWAY or a reset), the next call reconnects.
fn grpc_endpoint(
    env_url: &Url,
    connect_timeout: Duration,
    keepalive: Keepalive,
) -> Result<Endpoint> {
    // gRPC goes to the origin; a path on the environment URL would otherwise
    // be prefixed to every method path.
    let origin = env_url.origin().ascii_serialization();
    let endpoint = Endpoint::from_shared(origin)
        .map_err(|e| Error::Config(format!("environment URL is not a valid gRPC endpoint: {e}")))?
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true)
        .http2_keep_alive_interval(keepalive.interval)
        .keep_alive_timeout(keepalive.timeout)
        .keep_alive_while_idle(true);
    #[cfg(feature = "tls-ring")]
    let endpoint = if env_url.scheme() == "https" {
        endpoint
            .tls_config(tls::grpc_tls())
            .map_err(|e| Error::Config(format!("TLS setup: {e}")))?
    } else {
        endpoint
    };
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_error(result: Result<ScalekitClient>) -> String {
        match result {
            Err(Error::Config(message)) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn new_accepts_https_and_loopback_http() {
        for url in [
            "https://acme.scalekit.dev",
            "https://acme.scalekit.dev/",
            "http://localhost:8080",
            "http://127.0.0.1:9000",
            "http://[::1]:9000",
        ] {
            let client = ScalekitClient::new(url, "id", "secret").unwrap();
            assert!(!client.env_url().ends_with('/'), "{url}");
        }
    }

    #[tokio::test]
    async fn new_refuses_http_to_remote_hosts_unless_allowed() {
        let message = config_error(ScalekitClient::new("http://acme.example.com", "id", "s"));
        assert!(message.contains("allow_insecure_http"), "{message}");
        ScalekitClient::builder("http://acme.example.com", "id", "s")
            .allow_insecure_http(true)
            .build()
            .unwrap();
    }

    #[tokio::test]
    async fn new_rejects_bad_urls_and_empty_credentials() {
        assert!(config_error(ScalekitClient::new("", "id", "s")).contains("empty"));
        assert!(config_error(ScalekitClient::new("not a url", "id", "s")).contains("invalid"));
        assert!(config_error(ScalekitClient::new("ftp://x.dev", "id", "s")).contains("scheme"));
        assert!(
            config_error(ScalekitClient::new("https://x.dev?a=1", "id", "s")).contains("query")
        );
        assert!(config_error(ScalekitClient::new("https://x.dev", " ", "s")).contains("client id"));
        assert!(
            config_error(ScalekitClient::new("https://x.dev", "id", "")).contains("client secret")
        );
    }

    #[tokio::test]
    async fn debug_never_shows_the_secret() {
        let secret = "super-secret-value-123";
        let builder = ScalekitClient::builder("https://x.dev", "id", secret);
        assert!(!format!("{builder:?}").contains(secret));
        let client = builder.build().unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains(secret));
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn build_outside_a_runtime_does_not_panic() {
        let client = ScalekitClient::new("https://acme.scalekit.dev", "id", "secret").unwrap();
        let _ = client.users();
        let _ = client.raw().users();
    }

    #[test]
    fn build_rejects_zero_timeouts_naming_the_setting() {
        type Setting = fn(ClientBuilder) -> ClientBuilder;
        let cases: [(&str, Setting); 3] = [
            ("timeout", |b| b.timeout(Duration::ZERO)),
            ("connect_timeout", |b| b.connect_timeout(Duration::ZERO)),
            ("token_timeout", |b| b.token_timeout(Duration::ZERO)),
        ];
        for (name, zero) in cases {
            let builder = ScalekitClient::builder("https://x.dev", "id", "secret");
            let message = config_error(zero(builder).build());
            assert!(
                message.starts_with(&format!("{name} ")),
                "{name}: the error must name the setting, got {message:?}"
            );
            assert!(message.contains("zero"), "{name}: {message:?}");
        }
        // The smallest non-zero values and `no_timeout` are fine.
        ScalekitClient::builder("https://x.dev", "id", "secret")
            .timeout(Duration::from_nanos(1))
            .connect_timeout(Duration::from_nanos(1))
            .token_timeout(Duration::from_nanos(1))
            .build()
            .unwrap();
        ScalekitClient::builder("https://x.dev", "id", "secret")
            .no_timeout()
            .build()
            .unwrap();
    }

    /// A loopback proxy for one connection: counts the bytes the client
    /// sends, and once `mute` is set stops passing the server's bytes back.
    /// `closed` fires when the client ends the connection.
    struct Proxy {
        addr: std::net::SocketAddr,
        client_bytes: Arc<std::sync::atomic::AtomicUsize>,
        mute: Arc<std::sync::atomic::AtomicBool>,
        closed: tokio::sync::oneshot::Receiver<()>,
    }

    async fn proxy_to(upstream: std::net::SocketAddr) -> Proxy {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client_bytes = Arc::new(AtomicUsize::new(0));
        let mute = Arc::new(AtomicBool::new(false));
        let (closed_tx, closed) = tokio::sync::oneshot::channel();
        let (counted, muted) = (Arc::clone(&client_bytes), Arc::clone(&mute));
        tokio::spawn(async move {
            let (client, _) = listener.accept().await.unwrap();
            let server = tokio::net::TcpStream::connect(upstream).await.unwrap();
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = server_read.read(&mut buf).await {
                    if !muted.load(Ordering::SeqCst)
                        && client_write.write_all(&buf[..n]).await.is_err()
                    {
                        break;
                    }
                }
            });
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = client_read.read(&mut buf).await {
                counted.fetch_add(n, Ordering::SeqCst);
                if server_write.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
            let _ = closed_tx.send(());
        });
        Proxy {
            addr,
            client_bytes,
            mute,
            closed,
        }
    }

    #[tokio::test]
    async fn grpc_endpoint_pings_while_idle_and_drops_an_unanswering_connection() {
        use std::sync::atomic::Ordering;

        // An HTTP/2 (prior knowledge) server with no routes is enough: only
        // the connection matters.
        let server = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server_addr = server.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(server, axum::Router::new()).await });
        let proxy = proxy_to(server_addr).await;

        let url = Url::parse(&format!("http://{}/", proxy.addr)).unwrap();
        let keepalive = Keepalive {
            interval: Duration::from_millis(100),
            timeout: Duration::from_millis(300),
        };
        let channel = grpc_endpoint(&url, Duration::from_secs(2), keepalive)
            .unwrap()
            .connect()
            .await
            .unwrap();

        // No call is open: whatever the client sends now is keepalive.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let before = proxy.client_bytes.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(600)).await;
        let idle_bytes = proxy.client_bytes.load(Ordering::SeqCst) - before;
        // An HTTP/2 PING frame is 17 bytes.
        assert!(
            idle_bytes >= 2 * 17,
            "{idle_bytes} bytes sent while idle; expected PINGs every 100 ms"
        );

        // The server stops answering: the client gives the connection up
        // within interval + timeout, well before this test's limit.
        proxy.mute.store(true, Ordering::SeqCst);
        tokio::time::timeout(Duration::from_secs(3), proxy.closed)
            .await
            .expect("the client should drop a connection whose PINGs go unanswered")
            .unwrap();
        drop(channel);
    }

    #[test]
    fn env_url_keeps_a_path_prefix_for_the_token_endpoint() {
        let url = parse_env_url("https://x.dev/tenant", false).unwrap();
        assert_eq!(
            url.join("oauth/token").unwrap().as_str(),
            "https://x.dev/tenant/oauth/token"
        );
    }
}
