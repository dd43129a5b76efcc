//! [`ScalekitClient`] and its [`ClientBuilder`].

mod builder;
mod client_token;
mod endpoint;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::auth::AuthClient;
use crate::connections::ConnectionsClient;
use crate::directories::DirectoriesClient;
use crate::domains::DomainsClient;
use crate::error::{Error, Result};
use crate::events::EventsClient;
use crate::organization_clients::OrganizationClientsClient;
use crate::organizations::OrganizationsClient;
use crate::passwordless::PasswordlessClient;
use crate::permissions::PermissionsClient;
use crate::raw::RawClients;
use crate::roles::RolesClient;
use crate::sessions::SessionsClient;
use crate::tokens::TokensClient;
use crate::transport::auth_channel::AuthChannel;
use crate::transport::context::CallPolicy;
use crate::transport::retry::RetryConfig;
use crate::transport::token::DEFAULT_REFRESH_MARGIN;
use crate::users::UsersClient;
use crate::webauthn::WebAuthnClient;

pub use builder::ClientBuilder;
use client_token::ClientTokenEndpoint;

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
    /// For [`ScalekitClient::generate_client_token`].
    client_tokens: ClientTokenEndpoint,
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

    /// This client with every RPC made through it treated as idempotent
    /// (`true`: retried after a failure that may have reached the server,
    /// resent after `UNAUTHENTICATED` without first checking the token) or
    /// not (`false`: only resent when it provably never ran), whatever the
    /// contract says of it.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     use scalekit::users::UpdateUser;
    ///
    ///     // Setting the same values twice leaves the same user: safe to retry.
    ///     let update = UpdateUser {
    ///         metadata: [("plan".to_string(), "pro".to_string())].into(),
    ///         ..Default::default()
    ///     };
    ///     client
    ///         .with_idempotency(true)
    ///         .users()
    ///         .update_user("usr_123", update)
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The contract binds each RPC to an HTTP verb, and the SDK derives its
    /// idempotency from it (GET, PUT and DELETE are, POST is not). Override
    /// it only when you know better for your use: an update that sets
    /// absolute values may be resent; a call you make idempotent yourself
    /// (by checking first) may be too.
    pub fn with_idempotency(&self, idempotent: bool) -> ScalekitClient {
        let mut policy = self.channel.policy();
        policy.idempotent = Some(idempotent);
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
    ///     let auth = client.auth();
    ///     let auth_request_id = auth.update_login_user_details("conn_123", "login_456", user).await?;
    ///     println!("auth request {auth_request_id}");
    ///     Ok(())
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

    /// API tokens of organizations and their users: create, validate,
    /// list, update, invalidate.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let token = client.tokens().validate_token("opaque-token").await?;
    ///     println!("token of {}", token.organization_id);
    ///     Ok(())
    /// }
    /// ```
    pub fn tokens(&self) -> TokensClient {
        TokensClient::new(self.channel.clone())
    }

    /// Machine-to-machine clients of organizations, and their secrets.
    ///
    /// ```
    /// use scalekit::organization_clients::ListOrganizationClientsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .organization_clients()
    ///         .list_organization_clients("org_123", ListOrganizationClientsOptions::default())
    ///         .await?;
    ///     println!("{} clients", page.items.len());
    ///     Ok(())
    /// }
    /// ```
    pub fn organization_clients(&self) -> OrganizationClientsClient {
        OrganizationClientsClient::new(self.channel.clone())
    }

    /// The environment's event log.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client.events().list_events_paginated(Default::default()).await?;
    ///     println!("{} recent events", page.items.len());
    ///     Ok(())
    /// }
    /// ```
    pub fn events(&self) -> EventsClient {
        EventsClient::new(self.channel.clone())
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
        let token = self.channel.context().access_token().await?;
        Ok(token.secret().into_owned())
    }

    /// An access token for another client, by the client-credentials grant
    /// at `{env_url}/oauth/token`: for example for an organization client
    /// ([`organization_clients`](Self::organization_clients)), to call an
    /// API as that client or to test its credentials.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// let token = client.generate_client_token("m2morg_123", "the-client-secret").await?;
    /// let bearer = format!("Bearer {token}");
    /// # let _ = bearer;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Every call requests a new token; nothing is cached, and the token is
    /// never used by this client. The request goes out with this client's
    /// token settings ([`ClientBuilder::token_timeout`], user agent). The
    /// value is a bearer credential: keep it out of logs.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] if `client_id` is empty, untrimmed or
    ///   contains `/`, or `client_secret` is empty; nothing is sent.
    /// - [`Error::Auth`] when the token endpoint refuses the credentials
    ///   ([`TokenError::Status`](crate::TokenError::Status) with the HTTP
    ///   status and OAuth error, e.g. 401 `invalid_client`), cannot be
    ///   reached or times out, or answers without an access token.
    pub async fn generate_client_token(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<String> {
        self.inner
            .client_tokens
            .fetch(client_id, client_secret)
            .await
    }
}
