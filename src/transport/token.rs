//! The OAuth2 client-credentials token: fetched on first use, cached, shared
//! by every clone of a client, refreshed shortly before it expires, and
//! fetched by one request at a time however many calls are waiting.
//!
//! The reference SDKs keep no expiry and learn of it from a 401 on the next
//! call; tracking `expires_in` saves that round trip on every expiry.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt as _, Shared};
use http::HeaderValue;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use tokio::time::Instant;
use url::Url;

use crate::error::TokenError;
use crate::transport::headers::SdkHeaders;

/// The longest head start a refresh takes on expiry. Short-lived tokens
/// refresh at half their lifetime instead.
pub(crate) const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// A bearer token, kept as the ready `authorization` header value so that
/// the per-call path only clones it (no formatting or validation per RPC).
/// Its `Debug` never shows the value, and the header value is marked
/// sensitive.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AccessToken {
    bearer: HeaderValue,
}

impl AccessToken {
    /// Checks once, when the token arrives, that it can travel in a header.
    pub(crate) fn new(token: &str) -> Result<Self, TokenError> {
        let mut bearer = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
            TokenError::MalformedResponse("access_token is not a valid header value".into())
        })?;
        bearer.set_sensitive(true);
        Ok(AccessToken { bearer })
    }

    /// The `authorization` header value: `Bearer <token>`.
    pub(crate) fn bearer(&self) -> &HeaderValue {
        &self.bearer
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

#[derive(Clone, Debug)]
struct CachedToken {
    token: AccessToken,
    /// When to stop using it: expiry less the refresh margin. `None` when the
    /// server gave no `expires_in`; the 401 retry then catches expiry.
    refresh_at: Option<Instant>,
}

type Fetch = Shared<BoxFuture<'static, Result<CachedToken, TokenError>>>;

#[derive(Default)]
struct State {
    current: Option<CachedToken>,
    /// The fetch in progress, tagged so that only its own waiters clear it.
    in_flight: Option<(u64, Fetch)>,
    next_fetch_id: u64,
}

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

/// The shared token cache of one client and all its clones.
pub(crate) struct TokenSource {
    request: Arc<TokenRequest>,
    state: Mutex<State>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.request.token_url.as_str())
            .field("client_id", &self.request.client_id)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub(crate) fn new(request: TokenRequest) -> Self {
        TokenSource {
            request: Arc::new(request),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The lock guards plain data and no code panics while holding it, but
        // a poisoned lock must not take the client down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A valid token: the cached one while it is fresh, otherwise the result
    /// of the one fetch in flight (started here if there is none).
    pub(crate) async fn token(&self) -> Result<AccessToken, TokenError> {
        let (id, fetch) = {
            let mut state = self.state();
            if let Some(cached) = &state.current {
                if cached.refresh_at.is_none_or(|at| Instant::now() < at) {
                    return Ok(cached.token.clone());
                }
            }
            match &state.in_flight {
                // A finished fetch that failed is not reused: the next call
                // after a failure tries again.
                Some((id, fetch)) if !matches!(fetch.peek(), Some(Err(_))) => (*id, fetch.clone()),
                _ => {
                    let id = state.next_fetch_id;
                    state.next_fetch_id += 1;
                    let fetch = fetch_token(Arc::clone(&self.request)).boxed().shared();
                    state.in_flight = Some((id, fetch.clone()));
                    (id, fetch)
                }
            }
        };

        let result = fetch.await;
        let mut state = self.state();
        if state.in_flight.as_ref().is_some_and(|(i, _)| *i == id) {
            state.in_flight = None;
            if let Ok(fresh) = &result {
                state.current = Some(fresh.clone());
            }
        }
        result.map(|cached| cached.token)
    }

    /// Forgets `used` if it is still the cached token, so the next call
    /// fetches a new one. A token already replaced by another caller's
    /// refresh is left alone, so concurrent 401s cause a single refresh.
    pub(crate) fn invalidate(&self, used: &AccessToken) {
        let mut state = self.state();
        if state.current.as_ref().is_some_and(|c| &c.token == used) {
            state.current = None;
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    #[serde(default, deserialize_with = "seconds")]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// `expires_in` as a JSON number or a numeric string; anything else is
/// treated as absent rather than failing the whole token response.
fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

async fn fetch_token(request: Arc<TokenRequest>) -> Result<CachedToken, TokenError> {
    let mut headers = http::HeaderMap::new();
    request.headers.apply(&mut headers);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", request.client_id.as_str()),
        ("client_secret", request.client_secret.expose_secret()),
    ];
    let started = Instant::now();
    let response = request
        .http
        .post(request.token_url.clone())
        .headers(headers)
        .form(&form)
        .timeout(request.timeout)
        .send()
        .await
        .map_err(classify)?;

    let status = response.status();
    let body = response.bytes().await.map_err(classify)?;
    if !status.is_success() {
        let parsed: Option<OAuthErrorBody> = serde_json::from_slice(&body).ok();
        let (error, error_description) = parsed
            .map(|b| (b.error, b.error_description))
            .unwrap_or_default();
        tracing::debug!(status = status.as_u16(), ?error, "token endpoint refused");
        return Err(TokenError::Status {
            status: status.as_u16(),
            error,
            error_description,
        });
    }
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
    let refresh_at = parsed.expires_in.map(|secs| {
        let lifetime = Duration::from_secs(secs);
        let margin = request.refresh_margin.min(lifetime / 2);
        started + (lifetime - margin)
    });
    tracing::debug!(expires_in = parsed.expires_in, "fetched access token");
    Ok(CachedToken {
        token: AccessToken::new(&token)?,
        refresh_at,
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

fn classify(err: reqwest::Error) -> TokenError {
    if err.is_timeout() {
        TokenError::Timeout
    } else {
        // reqwest's Display names the URL, never the form body.
        TokenError::Transport(Arc::new(err.without_url()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_token_debug_is_redacted() {
        let token = AccessToken::new("eyJ.secret.value").unwrap();
        assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
    }

    #[test]
    fn expires_in_accepts_numbers_and_numeric_strings() {
        let parse = |json: &str| {
            serde_json::from_str::<TokenResponse>(json)
                .unwrap()
                .expires_in
        };
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":3600}"#),
            Some(3600)
        );
        assert_eq!(parse(r#"{"access_token":"a","expires_in":"90"}"#), Some(90));
        assert_eq!(parse(r#"{"access_token":"a","expires_in":12.5}"#), Some(12));
        assert_eq!(parse(r#"{"access_token":"a","expires_in":null}"#), None);
        assert_eq!(parse(r#"{"access_token":"a","expires_in":"soon"}"#), None);
        assert_eq!(parse(r#"{"access_token":"a"}"#), None);
    }
}
