//! Sign-in helpers: the authorization URL, the code exchange, refresh,
//! logout, and JWT validation against the environment's JWKS.
//!
//! These are methods of [`ScalekitClient`], named as in the other Scalekit
//! SDKs; this module holds their option, response and claim types.
//!
//! ```
//! # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//! use scalekit::oidc::{AuthenticationOptions, AuthorizationUrlOptions, Pkce};
//!
//! // 1. Send the browser to Scalekit.
//! let pkce = Pkce::generate()?;
//! let state = scalekit::oidc::generate_state()?;
//! let url = client.get_authorization_url(
//!     "https://app.example/callback",
//!     AuthorizationUrlOptions::default()
//!         .with_organization_id("org_123")
//!         .with_state(state.clone())
//!         .with_pkce(&pkce),
//! )?;
//! println!("redirect to {url}");
//!
//! // 2. On the callback (after checking `state`), trade the code for tokens.
//! # let code = "code-from-the-callback";
//! let auth = client
//!     .authenticate_with_code(
//!         code,
//!         "https://app.example/callback",
//!         AuthenticationOptions::default().with_code_verifier(pkce.verifier.clone()),
//!     )
//!     .await?;
//! println!("signed in {:?}", auth.user.email);
//! # Ok(())
//! # }
//! ```
//!
//! Validation takes the algorithm from the key, never from the token alone:
//! `alg: none`, HMAC algorithms and algorithms that do not fit the key are
//! refused.
//!
//! # The key cache
//!
//! Keys are cached per client (shared by clones) and used without asking
//! the JWKS endpoint for their TTL
//! ([`ClientBuilder::jwks_ttl`](crate::ClientBuilder::jwks_ttl), default one
//! hour). Past it they are still used while one background refresh runs,
//! so no validation waits for the endpoint while usable keys are held.
//! When refreshes fail, the held keys stay in use for up to **24 hours
//! past the TTL**, and refreshes are retried with a backoff (1 s doubling
//! to 60 s, jittered), so an outage costs about one JWKS request a minute
//! rather than one per validation.
//!
//! Why a bound of a day: the official Node, Python and Go SDKs never expire
//! keys they fetched, and expiry is not what retires a key here either, as
//! every successful refresh replaces the whole set, so a key Scalekit
//! removed stops verifying as soon as the endpoint answers again. The bound
//! only decides how long an unbroken JWKS outage is ridden out: a day
//! covers any ordinary one, and a client cut off for longer stops trusting
//! keys it has been unable to confirm since.
//!
//! Without usable keys (the first validation, or past that bound),
//! validations wait for one shared fetch, and its failure is handed to all
//! of them and to later ones until the backoff passes. A token naming an
//! unknown `kid` causes one refetch, which it waits for, at most one per 30
//! seconds.
//!
//! # HTTP requests
//!
//! No request these helpers make (code exchange, refresh, the JWKS)
//! follows a redirect, each is bounded by
//! [`ClientBuilder::token_timeout`](crate::ClientBuilder::token_timeout)
//! from connecting to the last byte of the body, and their answers are read
//! up to a size cap (64 KiB from the token endpoint, 1 MiB of JWKS).

mod authorization_url;
mod claims;
pub(crate) mod jwks;
pub(crate) mod jwt;
mod token;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use serde::de::DeserializeOwned;
use url::Url;

pub use authorization_url::{
    generate_nonce, generate_state, AuthorizationUrlOptions, LogoutUrlOptions, Pkce, DEFAULT_SCOPES,
};
pub use claims::{
    AccessTokenClaims, Audience, ExtraClaims, IdTokenClaims, Identity, IdpInitiatedLoginClaims,
    User,
};
pub use jwt::TokenValidationOptions;
pub use token::{AuthenticationOptions, AuthenticationResponse, RefreshTokenResponse};

use crate::error::{Error, InvalidTokenReason, Result};
use crate::transport::headers::SdkHeaders;
use crate::ScalekitClient;
use jwks::{JwksCache, JwksSource, Lifetimes};
use jwt::{Checks, ParsedToken};

/// The default clock-skew leeway for `exp` and `nbf`.
pub(crate) const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// What the sign-in helpers need from a client; one per client, shared by
/// its clones.
pub(crate) struct OidcContext {
    pub(crate) env_url: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) http: reqwest::Client,
    pub(crate) headers: SdkHeaders,
    pub(crate) token_url: Url,
    pub(crate) timeout: Duration,
    pub(crate) leeway: Duration,
    pub(crate) jwks: JwksCache,
}

/// The settings [`OidcContext::new`] takes from the builder.
pub(crate) struct OidcSettings {
    pub(crate) env_url: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) http: reqwest::Client,
    pub(crate) headers: SdkHeaders,
    pub(crate) timeout: Duration,
    pub(crate) leeway: Duration,
    pub(crate) jwks_ttl: Duration,
}

impl OidcContext {
    pub(crate) fn new(s: OidcSettings) -> Result<OidcContext> {
        let join = |path: &str| {
            s.env_url
                .join(path)
                .map_err(|e| Error::Config(format!("cannot derive the {path} URL: {e}")))
        };
        let jwks = JwksCache::new(
            JwksSource {
                http: s.http.clone(),
                url: join("keys")?,
                headers: s.headers.clone(),
                timeout: s.timeout,
            },
            Lifetimes {
                ttl: s.jwks_ttl,
                max_stale: jwks::MAX_STALE,
                unknown_kid_cooldown: jwks::UNKNOWN_KID_COOLDOWN,
            },
        );
        Ok(OidcContext {
            token_url: join("oauth/token")?,
            env_url: s.env_url,
            client_id: s.client_id,
            client_secret: s.client_secret,
            http: s.http,
            headers: s.headers,
            timeout: s.timeout,
            leeway: s.leeway,
            jwks,
        })
    }

    fn env_url_str(&self) -> &str {
        self.env_url.as_str().trim_end_matches('/')
    }

    /// Verifies the signature (refetching the keys once for an unknown
    /// `kid`) and runs `checks`; returns the verified claims.
    async fn verified_claims(
        &self,
        token: &str,
        checks: &Checks,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let parsed = ParsedToken::parse(token).map_err(Error::InvalidToken)?;
        let keys = self.jwks.keys().await?;
        match parsed.verify_signature(&keys) {
            Ok(()) => {}
            Err(InvalidTokenReason::UnknownKey(kid)) => {
                match self.jwks.refetch_for_unknown_kid(&keys).await? {
                    Some(fresh) => parsed
                        .verify_signature(&fresh)
                        .map_err(Error::InvalidToken)?,
                    None => return Err(Error::InvalidToken(InvalidTokenReason::UnknownKey(kid))),
                }
            }
            Err(other) => return Err(Error::InvalidToken(other)),
        }
        jwt::check_claims(&parsed.claims, checks, unix_now()).map_err(Error::InvalidToken)?;
        Ok(parsed.claims)
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn require(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid_argument(field, "must not be empty"))
    } else {
        Ok(())
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
impl ScalekitClient {
    /// The URL to send a browser to for sign-in: `{env_url}/oauth/authorize`
    /// with `response_type=code`, the client id, `redirect_uri`, `scope`
    /// (default `openid profile email`) and the options that are set.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// use scalekit::oidc::AuthorizationUrlOptions;
    /// let url = client.get_authorization_url(
    ///     "https://app.example/callback",
    ///     AuthorizationUrlOptions::default()
    ///         .with_connection_id("conn_123")
    ///         .with_login_hint("jane@acme.example"),
    /// )?;
    /// assert!(url.as_str().contains("/oauth/authorize?response_type=code"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Pure: no network I/O. `domain_hint` is sent as both `domain_hint` and
    /// `domain`, as the reference SDK sends it. Empty option strings are
    /// left out.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `redirect_uri` is empty.
    ///
    /// See <https://docs.scalekit.com/apis/#tag/api%20auth>.
    pub fn get_authorization_url(
        &self,
        redirect_uri: &str,
        opts: AuthorizationUrlOptions,
    ) -> Result<Url> {
        let ctx = self.oidc();
        authorization_url::authorization_url(&ctx.env_url, &ctx.client_id, redirect_uri, &opts)
    }

    /// Trades the authorization code from the sign-in callback for tokens,
    /// and returns them with the signed-in [`User`].
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// use scalekit::oidc::AuthenticationOptions;
    /// let auth = client
    ///     .authenticate_with_code(
    ///         "code-from-the-callback",
    ///         "https://app.example/callback",
    ///         AuthenticationOptions::default().with_code_verifier("verifier-kept-in-the-session"),
    ///     )
    ///     .await?;
    /// println!("{} ({:?})", auth.user.id, auth.user.email);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Posts `grant_type=authorization_code` to `{env_url}/oauth/token`.
    /// Unlike the reference SDK, which only decodes the ID token, this
    /// verifies its signature against the JWKS, its issuer (the environment
    /// URL), its audience (the client id), its expiry and, when
    /// [`AuthenticationOptions::nonce`] is set, its nonce, before building
    /// [`AuthenticationResponse::user`] from it.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] when `code` or `redirect_uri` is empty.
    /// - [`Error::Auth`] when the token endpoint refuses (an invalid, used or
    ///   expired code, a wrong verifier: [`TokenError::Status`](crate::TokenError::Status)
    ///   with the OAuth `error`) or answers without an access or ID token.
    /// - [`Error::InvalidToken`] when the ID token does not verify.
    /// - [`Error::Transport`] / [`Error::Timeout`] when the JWKS cannot be fetched.
    pub async fn authenticate_with_code(
        &self,
        code: &str,
        redirect_uri: &str,
        opts: AuthenticationOptions,
    ) -> Result<AuthenticationResponse> {
        require("code", code)?;
        require("redirect_uri", redirect_uri)?;
        let ctx = self.oidc();
        let mut grant = vec![
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("grant_type", "authorization_code"),
        ];
        if let Some(verifier) = opts.code_verifier.as_deref().filter(|v| !v.is_empty()) {
            grant.push(("code_verifier", verifier));
        }
        let tokens = token::post_grant(ctx, &grant).await?;
        let access_token = tokens
            .access_token
            .ok_or_else(|| token::missing("access_token"))?;
        let id_token = tokens.id_token.ok_or_else(|| token::missing("id_token"))?;
        let issuer = ctx.env_url_str().to_string();
        let checks = Checks {
            issuers: vec![format!("{issuer}/"), issuer],
            audiences: vec![ctx.client_id.clone()],
            nonce: opts.nonce.filter(|n| !n.is_empty()),
            required_scopes: Vec::new(),
            leeway: ctx.leeway,
        };
        let claims = ctx.verified_claims(&id_token, &checks).await?;
        let claims: IdTokenClaims = jwt::into_claims(claims).map_err(Error::InvalidToken)?;
        Ok(AuthenticationResponse {
            user: User::from(claims),
            id_token,
            access_token,
            expires_in: tokens.expires_in,
            refresh_token: tokens.refresh_token,
        })
    }

    /// Trades a refresh token for a new access token and a new refresh token.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// let refreshed = client.refresh_access_token("refresh-token-from-sign-in").await?;
    /// // Store both: the old refresh token is no longer valid.
    /// let (_access, _refresh) = (refreshed.access_token, refreshed.refresh_token);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] when `refresh_token` is empty ("refresh
    ///   token is required").
    /// - [`Error::Auth`]: the endpoint refused ([`TokenError::Status`](crate::TokenError::Status)),
    ///   or its answer lacks `access_token` or `refresh_token`
    ///   ([`TokenError::MalformedResponse`](crate::TokenError::MalformedResponse)
    ///   naming the field), or it could not be reached.
    pub async fn refresh_access_token(&self, refresh_token: &str) -> Result<RefreshTokenResponse> {
        if refresh_token.trim().is_empty() {
            return Err(Error::invalid_argument(
                "refresh_token",
                "refresh token is required",
            ));
        }
        let grant = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        let tokens = token::post_grant(self.oidc(), &grant).await?;
        Ok(RefreshTokenResponse {
            access_token: tokens
                .access_token
                .ok_or_else(|| token::missing("access_token"))?,
            refresh_token: tokens
                .refresh_token
                .ok_or_else(|| token::missing("refresh_token"))?,
            expires_in: tokens.expires_in,
        })
    }

    /// The URL that ends the user's Scalekit session: `{env_url}/oidc/logout`
    /// with only the given parameters (no `?` when none).
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// use scalekit::oidc::LogoutUrlOptions;
    /// let url = client.get_logout_url(
    ///     LogoutUrlOptions::default().with_post_logout_redirect_uri("https://app.example/"),
    /// );
    /// assert!(url.contains("/oidc/logout?post_logout_redirect_uri="));
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_logout_url(&self, opts: LogoutUrlOptions) -> String {
        authorization_url::logout_url(self.oidc().env_url_str(), &opts)
    }

    /// Validates a JWT issued by this environment and returns its claims as
    /// `C` ([`AccessTokenClaims`], [`IdTokenClaims`],
    /// [`IdpInitiatedLoginClaims`], `serde_json::Value` or your own type).
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// use scalekit::oidc::{AccessTokenClaims, TokenValidationOptions};
    /// # let bearer = "eyJ...";
    /// let claims: AccessTokenClaims = client
    ///     .validate_token(
    ///         bearer,
    ///         TokenValidationOptions::default()
    ///             .with_issuer(client.env_url())
    ///             .with_required_scopes(["read:projects"]),
    ///     )
    ///     .await?;
    /// println!("request by {}", claims.sub);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Always checks the signature against the JWKS at `{env_url}/keys`
    /// (cached; see the [module docs](crate::oidc)) and `exp` (required) and
    /// `nbf` with the client's leeway; checks the issuers, audience and
    /// scopes the options name. With several
    /// [`issuers`](TokenValidationOptions::issuers) a token from any one of
    /// them passes (see [`TokenValidationOptions`] for an example).
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] on `issuers` when an issuer is empty,
    ///   before any I/O.
    /// - [`Error::InvalidToken`] with the [`InvalidTokenReason`]
    ///   ([`WrongIssuer`](InvalidTokenReason::WrongIssuer) when `iss` is none
    ///   of the accepted issuers).
    /// - [`Error::Transport`] / [`Error::Timeout`] /
    ///   [`Error::MalformedResponse`] when the JWKS cannot be fetched.
    pub async fn validate_token<C: DeserializeOwned>(
        &self,
        token: &str,
        opts: TokenValidationOptions,
    ) -> Result<C> {
        opts.validate()?;
        let ctx = self.oidc();
        let checks = Checks::from_options(opts, ctx.leeway);
        let claims = ctx.verified_claims(token, &checks).await?;
        jwt::into_claims(claims).map_err(Error::InvalidToken)
    }

    /// Whether `token` is valid, as [`validate_token`](Self::validate_token)
    /// judges it.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// # let bearer = "eyJ...";
    /// if !client.validate_access_token(bearer, Default::default()).await? {
    ///     println!("401");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// An invalid token is `Ok(false)`, but failing to fetch the JWKS is an
    /// error ([`Error::Transport`], [`Error::Timeout`],
    /// [`Error::MalformedResponse`]), never a silent `false`; so are
    /// options that cannot be right ([`Error::InvalidArgument`]).
    pub async fn validate_access_token(
        &self,
        token: &str,
        opts: TokenValidationOptions,
    ) -> Result<bool> {
        match self.validate_token::<serde_json::Value>(token, opts).await {
            Ok(_) => Ok(true),
            Err(Error::InvalidToken(reason)) => {
                tracing::debug!(%reason, "access token refused");
                Ok(false)
            }
            Err(other) => Err(other),
        }
    }

    /// Validates the token of an IdP-initiated sign-in (the
    /// `idp_initiated_login` query parameter) and returns its claims, to
    /// start an ordinary sign-in with.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// use scalekit::oidc::AuthorizationUrlOptions;
    /// # let idp_initiated_login = "eyJ...";
    /// let claims = client
    ///     .get_idp_initiated_login_claims(idp_initiated_login, Default::default())
    ///     .await?;
    /// let mut opts = AuthorizationUrlOptions::default()
    ///     .with_connection_id(claims.connection_id)
    ///     .with_organization_id(claims.organization_id);
    /// opts.login_hint = claims.login_hint;
    /// opts.state = claims.relay_state;
    /// let url = client.get_authorization_url("https://app.example/callback", opts)?;
    /// # let _ = url;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`validate_token`](Self::validate_token).
    pub async fn get_idp_initiated_login_claims(
        &self,
        token: &str,
        opts: TokenValidationOptions,
    ) -> Result<IdpInitiatedLoginClaims> {
        self.validate_token(token, opts).await
    }

    /// Checks that a valid token carries every scope in `required`.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// # let bearer = "eyJ...";
    /// client.verify_scopes(bearer, ["read:users", "write:users"]).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Scopes come from the `scopes` array claim (which the reference SDK
    /// reads) and the space-separated `scope` claim (which other Scalekit
    /// SDKs read). Unlike the reference SDK, which reads the scopes of an
    /// unverified token, this validates the token first, as
    /// [`validate_token`](Self::validate_token) does.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] with [`InvalidTokenReason::MissingScopes`]
    /// naming the missing scopes, or any error of `validate_token`.
    pub async fn verify_scopes<I, S>(&self, token: &str, required: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let opts = TokenValidationOptions::default().with_required_scopes(required);
        self.validate_token::<serde_json::Value>(token, opts)
            .await
            .map(|_| ())
    }
}
