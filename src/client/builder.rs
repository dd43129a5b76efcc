//! [`ClientBuilder`]: the settings a [`ScalekitClient`] is made with, their
//! checks, and the assembly of the channel, token source and caches in
//! [`ClientBuilder::build`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tonic::transport::Channel;

use super::client_token::ClientTokenEndpoint;
use super::endpoint::{grpc_endpoint, parse_env_url, KEEPALIVE};
use super::{Inner, ScalekitClient};
use crate::error::{Error, Result};
use crate::transport::auth_channel::AuthChannel;
use crate::transport::context::{CallContext, CallPolicy, ChannelSource, Shared};
use crate::transport::headers::SdkHeaders;
use crate::transport::retry::RetryConfig;
use crate::transport::tls;
use crate::transport::token::{TokenRequest, TokenSource};

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
    pub(super) env_url: String,
    pub(super) client_id: String,
    pub(super) client_secret: SecretString,
    pub(super) timeout: Option<Duration>,
    pub(super) connect_timeout: Duration,
    pub(super) token_timeout: Duration,
    pub(super) retry: RetryConfig,
    pub(super) user_agent_suffix: Option<String>,
    pub(super) channel: Option<Channel>,
    pub(super) allow_insecure_http: bool,
    pub(super) refresh_margin: Duration,
    #[cfg(feature = "oidc")]
    pub(super) jwks_ttl: Duration,
    #[cfg(feature = "oidc")]
    pub(super) jwt_leeway: Duration,
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

    /// How long one plain HTTP request may take (default 10 s): a token
    /// request (the client's own, [`generate_client_token`](ScalekitClient::generate_client_token),
    /// a code exchange, a refresh) or a JWKS fetch. The bound covers the
    /// whole request, from connecting to the last byte of the answer's
    /// body. [`build`](Self::build) refuses zero.
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

    /// How long the environment's signing keys (JWKS) are used before a
    /// token validation refreshes them (default one hour). The refresh runs
    /// in the background while validations go on with the keys held; if it
    /// fails, they keep being used, for up to 24 hours past the TTL, and
    /// the refresh is retried with a backoff (1 s doubling to 60 s). A
    /// token naming an unknown key id refetches sooner, at most once per
    /// 30 s. See [`oidc`](crate::oidc) for why.
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
        let client_tokens = ClientTokenEndpoint {
            http: http.clone(),
            token_url: token_url.clone(),
            headers: headers.clone(),
            timeout: self.token_timeout,
        };
        let tokens = TokenSource::new(TokenRequest {
            http,
            token_url,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret,
            headers: headers.clone(),
            timeout: self.token_timeout,
            refresh_margin: self.refresh_margin,
        });
        let channel = AuthChannel::new(CallContext::new(
            Shared::new(channel, tokens, headers),
            CallPolicy {
                timeout: self.timeout,
                retry: self.retry,
                idempotent: None,
            },
        ));
        Ok(ScalekitClient {
            inner: Arc::new(Inner {
                env_url,
                client_id: self.client_id,
                client_tokens,
                #[cfg(feature = "webhook")]
                webhook_keys: Default::default(),
                #[cfg(feature = "oidc")]
                oidc,
            }),
            channel,
        })
    }
}
