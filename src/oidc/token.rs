//! The user-facing grants of the token endpoint: `authorization_code` and
//! `refresh_token`, posted as forms through the client's HTTP client.

use std::fmt;

use secrecy::ExposeSecret as _;
use serde::Deserialize;

use crate::error::{Error, TokenError};
use crate::oidc::claims::User;
use crate::oidc::OidcContext;
use crate::transport::http_answer::{expires_in, token_answer, token_transport_error};

/// Optional parameters of
/// [`authenticate_with_code`](crate::ScalekitClient::authenticate_with_code).
///
/// ```
/// use scalekit::oidc::AuthenticationOptions;
/// let opts = AuthenticationOptions::default()
///     .with_code_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
///     .with_nonce("n-0S6_WzA2Mj");
/// assert!(opts.code_verifier.is_some());
/// ```
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AuthenticationOptions {
    /// The PKCE verifier whose challenge went into the authorization URL.
    pub code_verifier: Option<String>,
    /// The `nonce` that went into the authorization URL: the ID token must
    /// carry the same one. (Beyond the reference SDK, which does not check.)
    pub nonce: Option<String>,
}

impl fmt::Debug for AuthenticationOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticationOptions")
            .field(
                "code_verifier",
                &self.code_verifier.as_ref().map(|_| "<redacted>"),
            )
            .field("nonce", &self.nonce)
            .finish()
    }
}

impl AuthenticationOptions {
    /// Sets [`code_verifier`](Self::code_verifier).
    pub fn with_code_verifier(mut self, verifier: impl Into<String>) -> Self {
        self.code_verifier = Some(verifier.into());
        self
    }

    /// Sets [`nonce`](Self::nonce).
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }
}

/// The result of a code exchange. `Debug` redacts the tokens.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct AuthenticationResponse {
    /// The signed-in user, from the verified ID token's claims.
    pub user: User,
    /// The ID token (verified: signature, issuer, audience, expiry).
    pub id_token: String,
    /// The access token.
    pub access_token: String,
    /// The access token's lifetime in seconds, when the server sent it.
    pub expires_in: Option<u64>,
    /// The refresh token, when the server issued one (`offline_access`).
    pub refresh_token: Option<String>,
}

impl fmt::Debug for AuthenticationResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticationResponse")
            .field("user", &self.user)
            .field("id_token", &"<redacted>")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The result of [`refresh_access_token`](crate::ScalekitClient::refresh_access_token).
/// `Debug` redacts the tokens.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct RefreshTokenResponse {
    /// The new access token.
    pub access_token: String,
    /// The new refresh token; the old one is no longer valid.
    pub refresh_token: String,
    /// The new access token's lifetime in seconds, when the server sent it.
    pub expires_in: Option<u64>,
}

impl fmt::Debug for RefreshTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokenResponse")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The token endpoint's answer; absent and empty fields are `None`.
#[derive(Default, Deserialize)]
pub(crate) struct Tokens {
    #[serde(default)]
    pub(crate) access_token: Option<String>,
    #[serde(default)]
    pub(crate) id_token: Option<String>,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default, deserialize_with = "expires_in")]
    pub(crate) expires_in: Option<u64>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// Posts one grant with the client's credentials. The form and the body
/// never reach an error or a log; the answer is read by [`token_answer`]
/// (no redirect followed, the body capped).
pub(crate) async fn post_grant(ctx: &OidcContext, grant: &[(&str, &str)]) -> Result<Tokens, Error> {
    let mut headers = http::HeaderMap::new();
    ctx.headers.apply(&mut headers);
    let mut form: Vec<(&str, &str)> = grant.to_vec();
    form.push(("client_id", ctx.client_id.as_str()));
    form.push(("client_secret", ctx.client_secret.expose_secret()));
    // `timeout` bounds the whole exchange: connecting, the headers and the
    // body (reqwest's per-request timeout runs until the body is read).
    let response = ctx
        .http
        .post(ctx.token_url.clone())
        .headers(headers)
        .form(&form)
        .timeout(ctx.timeout)
        .send()
        .await
        .map_err(|e| Error::Auth(token_transport_error(e)))?;
    let body = token_answer(response).await.map_err(Error::Auth)?;
    let tokens: Tokens = serde_json::from_slice(&body).map_err(|_| {
        Error::Auth(TokenError::MalformedResponse(
            "invalid response from authentication server".into(),
        ))
    })?;
    Ok(Tokens {
        access_token: non_empty(tokens.access_token),
        id_token: non_empty(tokens.id_token),
        refresh_token: non_empty(tokens.refresh_token),
        expires_in: tokens.expires_in,
    })
}

/// A missing field of a 2xx answer, worded as the reference SDK words it.
pub(crate) fn missing(field: &str) -> Error {
    Error::Auth(TokenError::MalformedResponse(format!(
        "missing {field} in authentication response"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_every_token() {
        let response = AuthenticationResponse {
            user: User::default(),
            id_token: "id.SECRET.tok".into(),
            access_token: "at.SECRET.tok".into(),
            expires_in: Some(3600),
            refresh_token: Some("rt-SECRET".into()),
        };
        let refreshed = RefreshTokenResponse {
            access_token: "at.SECRET.tok".into(),
            refresh_token: "rt-SECRET".into(),
            expires_in: None,
        };
        let opts = AuthenticationOptions::default().with_code_verifier("SECRET-verifier");
        for shown in [
            format!("{response:?}"),
            format!("{refreshed:?}"),
            format!("{opts:?}"),
        ] {
            assert!(!shown.contains("SECRET"), "{shown}");
        }
    }

    #[test]
    fn token_fields_are_lenient_about_expires_in() {
        let t: Tokens = serde_json::from_str(r#"{"access_token":"a","expires_in":"60"}"#).unwrap();
        assert_eq!(t.expires_in, Some(60));
        assert!(t.refresh_token.is_none());
    }
}
