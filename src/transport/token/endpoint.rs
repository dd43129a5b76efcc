//! The token endpoint: the client-credentials request, and what its JSON
//! answer and its failures mean. The answer is read as
//! [`token_answer`] reads every token endpoint answer: no redirect
//! followed, the body capped.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt as _};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use tokio::time::Instant;
use url::Url;

use super::{AccessToken, FetchToken, TokenGrant};
use crate::error::TokenError;
use crate::transport::headers::SdkHeaders;
use crate::transport::http_answer::{expires_in, token_answer, token_transport_error};

/// Where and how to ask for tokens.
pub(crate) struct TokenRequest {
    pub(crate) http: reqwest::Client,
    pub(crate) token_url: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) headers: SdkHeaders,
    pub(crate) timeout: Duration,
    pub(crate) refresh_margin: Duration,
}

/// The token endpoint, asked with the client-credentials grant.
pub(super) struct ClientCredentials(pub(super) Arc<TokenRequest>);

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.0.token_url.as_str())
            .field("client_id", &self.0.client_id)
            .finish_non_exhaustive()
    }
}

impl FetchToken for ClientCredentials {
    fn fetch(&self) -> BoxFuture<'static, Result<TokenGrant, TokenError>> {
        fetch_token(Arc::clone(&self.0)).boxed()
    }
}

#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: Option<String>,
    #[serde(default, deserialize_with = "expires_in")]
    pub(crate) expires_in: Option<u64>,
}

async fn fetch_token(request: Arc<TokenRequest>) -> Result<TokenGrant, TokenError> {
    let mut headers = http::HeaderMap::new();
    request.headers.apply(&mut headers);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", request.client_id.as_str()),
        ("client_secret", request.client_secret.expose_secret()),
    ];
    let started = Instant::now();
    // `timeout` bounds the whole exchange: connecting, the headers and the
    // body (reqwest's per-request timeout runs until the body is read).
    let response = request
        .http
        .post(request.token_url.clone())
        .headers(headers)
        .form(&form)
        .timeout(request.timeout)
        .send()
        .await
        .map_err(token_transport_error)?;
    let body = token_answer(response).await?;
    let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
        // The error names a position and an expectation, never the body.
        TokenError::MalformedResponse(format!(
            "token response is not JSON of the expected shape ({})",
            json_error_kind(&e)
        ))
    })?;
    let token = parsed
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            TokenError::MalformedResponse("token response has no access_token".into())
        })?;
    tracing::debug!(expires_in = parsed.expires_in, "fetched access token");
    Ok(TokenGrant {
        token: AccessToken::new(&token)?,
        expires_in: parsed.expires_in,
        requested_at: started,
    })
}

/// What kind of JSON problem this was, without quoting any of the input.
fn json_error_kind(err: &serde_json::Error) -> &'static str {
    match err.classify() {
        serde_json::error::Category::Io => "i/o",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected field type",
        serde_json::error::Category::Eof => "truncated",
    }
}
