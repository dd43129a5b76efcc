//! The OAuth2 client-credentials token: fetched on first use, cached, shared
//! by every clone of a client, refreshed shortly before it expires, and
//! fetched by one request at a time however many calls are waiting.
//!
//! The reference SDKs keep no expiry and learn of it from a 401 on the next
//! call; tracking `expires_in` saves that round trip on every expiry.
//!
//! Every RPC starts by reading the cached token, so that read takes no lock:
//! the token sits in an [`ArcSwapOption`]. Everything else (starting a
//! fetch, recording its outcome, invalidating a rejected token) goes through
//! one `std` mutex that is never held across an `.await`.
//!
//! A fetch runs as its own Tokio task, so it finishes and fills the cache
//! even when every caller waiting for it has given up. A failed fetch is
//! handed to every caller until a short backoff has passed, and so is a
//! token the server keeps refusing: an outage costs a few token requests,
//! not one per call.

use std::fmt;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use arc_swap::ArcSwapOption;
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

/// The longest lifetime a token is trusted for, whatever `expires_in` says.
/// A day is longer than any token lifetime Scalekit is known to issue, so it
/// changes nothing for real tokens; it keeps the expiry arithmetic far from
/// overflow (`expires_in` of 2^63 or 1e300 once panicked there), and a
/// token claiming to last for years is still replaced daily.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The pause after the first failure in a row (a failed fetch, or a freshly
/// fetched token refused again). Each further failure doubles it, up to
/// [`BACKOFF_MAX`]. Short enough that a blip costs callers little, long
/// enough that a burst of calls during an outage makes one token request.
const BACKOFF_FIRST: Duration = Duration::from_millis(250);

/// The longest pause between two token requests while they keep failing:
/// an outage costs at most one request per 4 s, and recovery is noticed
/// within 4 s.
const BACKOFF_MAX: Duration = Duration::from_secs(4);

/// A token refused within this long of the previous refusal continues the
/// streak that lengthens the refetch backoff; after a quiet spell this long
/// a refusal refetches at once again.
const REJECTION_STREAK_WINDOW: Duration = Duration::from_secs(30);

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
        // Sensitive keeps the value out of `Debug` of any header map holding
        // it (ours, or a user's tower layer logging requests): it prints
        // "Sensitive". It costs nothing on the wire. h2 never adds an
        // `authorization` value to the HPACK table whatever the flag says
        // (`Header::skip_value_index`), so the ~0.8 KB literal is encoded
        // on every call either way, by this client and by a hand-written
        // tonic one alike; the flag only turns "without indexing" into
        // "never indexed", which also tells proxies not to index it.
        // Measured with callgrind, the flag on or off changes a GetUser
        // round trip by under 0.02 % of its instructions. Indexing itself
        // would be safe against compression oracles (HPACK matches whole
        // values, and a signed JWT has far too much entropy to guess, RFC
        // 7541 §7.1), but is not on offer, and would not be worth the
        // redaction.
        bearer.set_sensitive(true);
        Ok(AccessToken { bearer })
    }

    /// The token itself, without the `Bearer ` scheme. Header values may
    /// carry bytes that are not UTF-8; such a token could not be a JWT, and
    /// is shown with replacement characters.
    pub(crate) fn secret(&self) -> std::borrow::Cow<'_, str> {
        let bytes = self.bearer.as_bytes();
        String::from_utf8_lossy(bytes.strip_prefix(b"Bearer ").unwrap_or(bytes))
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

/// What one answer of the token endpoint gave.
struct TokenGrant {
    token: AccessToken,
    /// `expires_in`, in seconds, when the server sent one.
    expires_in: Option<u64>,
    /// When the request was sent: the lifetime counts from here, so the
    /// request's own latency is on the safe side.
    requested_at: Instant,
}

/// Something that obtains tokens: the token endpoint, or a fake in tests.
trait FetchToken: fmt::Debug + Send + Sync + 'static {
    /// One token request. The future must not borrow `self`: it runs as a
    /// task of its own.
    fn fetch(&self) -> BoxFuture<'static, Result<TokenGrant, TokenError>>;
}

#[derive(Clone, Debug)]
struct CachedToken {
    token: AccessToken,
    /// When to stop using it: expiry less the refresh margin, or the end of
    /// a refetch backoff. `None` when the server gave no `expires_in`; the
    /// 401 retry then catches expiry.
    refresh_at: Option<Instant>,
    /// The server refused it; a refetch is due at `refresh_at`.
    rejected: bool,
}

impl CachedToken {
    fn is_fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

/// A fetch that ended without an outcome of its own.
#[derive(Clone, Debug)]
enum FlightError {
    /// The endpoint's answer, or the lack of one.
    Failed(TokenError),
    /// The task ended without a result: its runtime shut down, or it
    /// panicked. Never cached: the next caller starts a new fetch.
    Aborted,
}

type FlightResult = Result<CachedToken, FlightError>;

/// The fetch in progress, tagged so that only its own outcome clears it.
#[derive(Clone)]
struct Flight {
    id: u64,
    result: Shared<BoxFuture<'static, FlightResult>>,
}

/// The last fetch failed: its error is the answer until `retry_at`.
struct Failure {
    error: TokenError,
    retry_at: Instant,
}

/// The slow path's state, behind the mutex.
#[derive(Default)]
struct SlowPath {
    in_flight: Option<Flight>,
    failure: Option<Failure>,
    /// Failed fetches in a row; reset by a successful one.
    failures: u32,
    /// Tokens refused in a row (see [`REJECTION_STREAK_WINDOW`]).
    rejections: u32,
    last_rejection: Option<Instant>,
    next_flight_id: u64,
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

/// The token endpoint, asked with the client-credentials grant.
struct ClientCredentials(Arc<TokenRequest>);

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

/// The shared token cache of one client and all its clones.
pub(crate) struct TokenSource {
    cache: Arc<Cache>,
}

/// What [`TokenSource`] shares with the fetch tasks it spawns.
struct Cache {
    fetcher: Box<dyn FetchToken>,
    refresh_margin: Duration,
    /// The token calls use: read without a lock, written only under `slow`.
    current: ArcSwapOption<CachedToken>,
    slow: Mutex<SlowPath>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("fetcher", &self.cache.fetcher)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub(crate) fn new(request: TokenRequest) -> Self {
        let refresh_margin = request.refresh_margin;
        Self::with_fetcher(
            Box::new(ClientCredentials(Arc::new(request))),
            refresh_margin,
        )
    }

    fn with_fetcher(fetcher: Box<dyn FetchToken>, refresh_margin: Duration) -> Self {
        TokenSource {
            cache: Arc::new(Cache {
                fetcher,
                refresh_margin,
                current: ArcSwapOption::empty(),
                slow: Mutex::new(SlowPath::default()),
            }),
        }
    }

    /// The cached token while it is fresh: the synchronous fast path that
    /// spares a call the future (and its timer) of [`token`](Self::token).
    pub(crate) fn fresh(&self) -> Option<AccessToken> {
        self.cache.fresh(Instant::now())
    }

    /// A valid token: the cached one while it is fresh, otherwise the result
    /// of the one fetch in flight (started here if there is none), or the
    /// last fetch's failure while its backoff lasts.
    pub(crate) async fn token(&self) -> Result<AccessToken, TokenError> {
        // The fast path of every RPC: no lock, no await.
        if let Some(token) = self.cache.fresh(Instant::now()) {
            return Ok(token);
        }
        // A fetch that ended without a result (its runtime shut down under
        // it) is forgotten and started afresh, once.
        for _ in 0..2 {
            let flight = match self.join_or_start()? {
                Step::Ready(token) => return Ok(token),
                Step::Wait(flight) => flight,
            };
            match flight.result.await {
                Ok(cached) => return Ok(cached.token),
                Err(FlightError::Failed(error)) => return Err(error),
                Err(FlightError::Aborted) => self.cache.forget(flight.id),
            }
        }
        Err(not_run(NotRun::Aborted))
    }

    /// Under the lock: a token another caller just stored, the fetch in
    /// flight, the last failure while it is fresh, or a new fetch.
    fn join_or_start(&self) -> Result<Step, TokenError> {
        let mut slow = self.cache.slow();
        let now = Instant::now();
        if let Some(token) = self.cache.fresh(now) {
            return Ok(Step::Ready(token));
        }
        if let Some(flight) = &slow.in_flight {
            return Ok(Step::Wait(flight.clone()));
        }
        if let Some(failure) = slow.failure.as_ref().filter(|f| now < f.retry_at) {
            return Err(failure.error.clone());
        }
        self.start(&mut slow).map(Step::Wait)
    }

    /// Spawns a fetch on the caller's runtime. The task records its own
    /// outcome, so the cache fills (or the failure is kept) whoever waits.
    fn start(&self, slow: &mut SlowPath) -> Result<Flight, TokenError> {
        // reqwest needs a Tokio runtime anyway; without one, say so rather
        // than panic inside it.
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| not_run(NotRun::NoRuntime))?;
        let id = slow.next_flight_id;
        slow.next_flight_id += 1;
        let cache = Arc::clone(&self.cache);
        let fetch = self.cache.fetcher.fetch();
        let task = runtime.spawn(async move {
            let result = fetch.await.map(|grant| cache.cached(grant));
            cache.settle(id, &result);
            result
        });
        let result = async move {
            match task.await {
                Ok(Ok(token)) => Ok(token),
                Ok(Err(error)) => Err(FlightError::Failed(error)),
                Err(_cancelled_or_panicked) => Err(FlightError::Aborted),
            }
        }
        .boxed()
        .shared();
        let flight = Flight { id, result };
        slow.in_flight = Some(flight.clone());
        Ok(flight)
    }

    /// Forgets `used` if it is still the cached token, so the next call
    /// fetches a new one. A token already replaced by another caller's
    /// refresh is left alone, so concurrent 401s cause a single refresh.
    ///
    /// The first refusal refetches at once (the token was revoked, or keys
    /// rotated). When the token that replaced it is refused too, within
    /// [`REJECTION_STREAK_WINDOW`], the server is refusing this client's
    /// tokens, and a new one would likely fare no better: the refused token
    /// stays in use until a backoff has passed, so calls fail with the
    /// server's own `UNAUTHENTICATED` instead of one token request each.
    pub(crate) fn invalidate(&self, used: &AccessToken) {
        let mut slow = self.cache.slow();
        let current = self.cache.current.load_full();
        let Some(cached) = current.filter(|c| c.token == *used && !c.rejected) else {
            return;
        };
        let now = Instant::now();
        let in_streak = slow
            .last_rejection
            .is_some_and(|at| now.saturating_duration_since(at) < REJECTION_STREAK_WINDOW);
        slow.rejections = if in_streak {
            slow.rejections.saturating_add(1)
        } else {
            1
        };
        slow.last_rejection = Some(now);
        let refetch_at = match slow.rejections {
            1 => now,
            streak => now + backoff(streak - 1),
        };
        self.cache.current.store(Some(Arc::new(CachedToken {
            token: cached.token.clone(),
            refresh_at: Some(refetch_at),
            rejected: true,
        })));
    }
}

enum Step {
    Ready(AccessToken),
    Wait(Flight),
}

impl Cache {
    fn slow(&self) -> MutexGuard<'_, SlowPath> {
        // The lock guards plain data and no code panics while holding it, but
        // a poisoned lock must not take the client down with it.
        self.slow.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached token if it is fresh at `now`.
    fn fresh(&self, now: Instant) -> Option<AccessToken> {
        let current = self.current.load();
        current
            .as_deref()
            .filter(|cached| cached.is_fresh(now))
            .map(|cached| cached.token.clone())
    }

    fn cached(&self, grant: TokenGrant) -> CachedToken {
        CachedToken {
            token: grant.token,
            refresh_at: refresh_time(grant.requested_at, grant.expires_in, self.refresh_margin),
            rejected: false,
        }
    }

    /// Records the outcome of fetch `id`: the new token, or the failure and
    /// when the next attempt may start.
    fn settle(&self, id: u64, result: &Result<CachedToken, TokenError>) {
        let mut slow = self.slow();
        if slow.in_flight.as_ref().is_none_or(|f| f.id != id) {
            return;
        }
        slow.in_flight = None;
        match result {
            Ok(fresh) => {
                slow.failures = 0;
                slow.failure = None;
                self.current.store(Some(Arc::new(fresh.clone())));
            }
            Err(error) => {
                slow.failures = slow.failures.saturating_add(1);
                let pause = backoff(slow.failures);
                tracing::debug!(
                    failures = slow.failures,
                    ?pause,
                    "token fetch failed; backing off"
                );
                slow.failure = Some(Failure {
                    error: error.clone(),
                    retry_at: Instant::now() + pause,
                });
            }
        }
    }

    /// Clears fetch `id` after it ended without a result, recording nothing.
    fn forget(&self, id: u64) {
        let mut slow = self.slow();
        if slow.in_flight.as_ref().is_some_and(|f| f.id == id) {
            slow.in_flight = None;
        }
    }
}

/// When a token requested at `requested_at` with `expires_in` stops being
/// used: expiry less the refresh margin (at most half the lifetime), with
/// the lifetime clamped to [`MAX_TOKEN_LIFETIME`].
pub(crate) fn refresh_time(
    requested_at: Instant,
    expires_in: Option<u64>,
    refresh_margin: Duration,
) -> Option<Instant> {
    let lifetime = Duration::from_secs(expires_in?).min(MAX_TOKEN_LIFETIME);
    let margin = refresh_margin.min(lifetime / 2);
    // Cannot overflow with a clamped lifetime; if it ever did, the token
    // would be kept until a 401, as one without `expires_in` is.
    requested_at.checked_add(lifetime - margin)
}

/// The pause before the next attempt after the `failures`th failure in a
/// row (≥ 1): [`BACKOFF_FIRST`] doubling to [`BACKOFF_MAX`], of which a
/// random part is taken off ("equal jitter", between half and all of it).
/// Not full jitter: a pause near zero would let the calls right after a
/// failure ask again, which is what the backoff is for.
fn backoff(failures: u32) -> Duration {
    let ceiling = backoff_ceiling(failures);
    let half = ceiling / 2;
    half + half.mul_f64(unit_random())
}

fn backoff_ceiling(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    BACKOFF_FIRST
        .saturating_mul(1 << doublings)
        .min(BACKOFF_MAX)
}

/// A number in [0, 1) that differs from call to call: enough to spread
/// clients' retries apart, with no cryptographic pretence. std's
/// `RandomState` is seeded randomly per thread and changes its keys on
/// every `new()`.
fn unit_random() -> f64 {
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Why no fetch ran to an outcome.
#[derive(Clone, Copy, Debug)]
enum NotRun {
    Aborted,
    NoRuntime,
}

impl fmt::Display for NotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotRun::Aborted => {
                "the token request ended without an answer (its runtime shut down, or it panicked)"
            }
            NotRun::NoRuntime => "requesting a token needs a Tokio runtime",
        })
    }
}

impl std::error::Error for NotRun {}

/// An ordinary, retryable error: nothing reached the token endpoint, or
/// nothing came back.
fn not_run(why: NotRun) -> TokenError {
    TokenError::Transport(Arc::new(why))
}

#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: Option<String>,
    #[serde(default, deserialize_with = "seconds")]
    pub(crate) expires_in: Option<u64>,
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

async fn fetch_token(request: Arc<TokenRequest>) -> Result<TokenGrant, TokenError> {
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
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// One scripted answer of [`FakeEndpoint`].
    enum Reply {
        /// A token `tok_<n>` (n counts fetches from 1) after `delay`.
        Token {
            delay: Duration,
            expires_in: Option<u64>,
        },
        Fail(TokenError),
        Panic,
    }

    /// A token endpoint that answers from a script (the last entry repeats)
    /// and counts its requests.
    #[derive(Clone)]
    struct FakeEndpoint {
        requests: Arc<AtomicUsize>,
        script: Arc<Mutex<VecDeque<Reply>>>,
    }

    impl fmt::Debug for FakeEndpoint {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("FakeEndpoint")
        }
    }

    impl FetchToken for FakeEndpoint {
        fn fetch(&self) -> BoxFuture<'static, Result<TokenGrant, TokenError>> {
            let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
            let mut script = self.script.lock().unwrap();
            let reply = if script.len() > 1 {
                script.pop_front().unwrap()
            } else {
                match script.front().unwrap() {
                    Reply::Token { delay, expires_in } => Reply::Token {
                        delay: *delay,
                        expires_in: *expires_in,
                    },
                    Reply::Fail(error) => Reply::Fail(error.clone()),
                    Reply::Panic => Reply::Panic,
                }
            };
            async move {
                let requested_at = Instant::now();
                match reply {
                    Reply::Token { delay, expires_in } => {
                        tokio::time::sleep(delay).await;
                        Ok(TokenGrant {
                            token: AccessToken::new(&format!("tok_{n}")).unwrap(),
                            expires_in,
                            requested_at,
                        })
                    }
                    Reply::Fail(error) => Err(error),
                    Reply::Panic => panic!("fetch panicked (on purpose)"),
                }
            }
            .boxed()
        }
    }

    fn token_reply() -> Reply {
        Reply::Token {
            delay: Duration::ZERO,
            expires_in: Some(3600),
        }
    }

    fn unavailable() -> TokenError {
        TokenError::Status {
            status: 503,
            error: None,
            error_description: None,
        }
    }

    fn fake(script: impl IntoIterator<Item = Reply>) -> (TokenSource, Arc<AtomicUsize>) {
        let endpoint = FakeEndpoint {
            requests: Arc::new(AtomicUsize::new(0)),
            script: Arc::new(Mutex::new(script.into_iter().collect())),
        };
        let requests = Arc::clone(&endpoint.requests);
        let source = TokenSource::with_fetcher(Box::new(endpoint), DEFAULT_REFRESH_MARGIN);
        (source, requests)
    }

    async fn secret(source: &TokenSource) -> Result<String, TokenError> {
        Ok(source.token().await?.secret().into_owned())
    }

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
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":1e300}"#),
            Some(u64::MAX)
        );
        assert_eq!(parse(r#"{"access_token":"a","expires_in":null}"#), None);
        assert_eq!(parse(r#"{"access_token":"a","expires_in":"soon"}"#), None);
        assert_eq!(parse(r#"{"access_token":"a"}"#), None);
    }

    #[test]
    fn refresh_time_clamps_huge_lifetimes_and_keeps_the_margin() {
        let now = Instant::now();
        let margin = DEFAULT_REFRESH_MARGIN;
        let a_day_less_margin = now + MAX_TOKEN_LIFETIME - margin;
        for huge in [u64::MAX, 1 << 63, 10 * 365 * 24 * 3600] {
            assert_eq!(
                refresh_time(now, Some(huge), margin),
                Some(a_day_less_margin),
                "{huge}"
            );
        }
        assert_eq!(
            refresh_time(now, Some(3600), margin),
            Some(now + Duration::from_secs(3540))
        );
        // Short lifetimes refresh at half-life.
        assert_eq!(
            refresh_time(now, Some(1), margin),
            Some(now + Duration::from_millis(500))
        );
        assert_eq!(refresh_time(now, Some(0), margin), Some(now));
        assert_eq!(refresh_time(now, None, margin), None);
    }

    #[test]
    fn backoff_doubles_from_250ms_to_a_4s_cap_with_jitter() {
        let ceilings_ms = [250, 500, 1000, 2000, 4000, 4000, 4000];
        for (i, ceiling_ms) in ceilings_ms.into_iter().enumerate() {
            let failures = i as u32 + 1;
            let ceiling = Duration::from_millis(ceiling_ms);
            assert_eq!(backoff_ceiling(failures), ceiling, "{failures}");
            let pauses: Vec<Duration> = (0..50).map(|_| backoff(failures)).collect();
            for pause in &pauses {
                assert!(
                    ceiling / 2 <= *pause && *pause <= ceiling,
                    "{failures} failures: {pause:?} outside [{:?}, {ceiling:?}]",
                    ceiling / 2
                );
            }
            assert!(
                pauses.iter().any(|p| *p != pauses[0]),
                "{failures} failures: no jitter in {pauses:?}"
            );
        }
        assert_eq!(backoff_ceiling(u32::MAX), BACKOFF_MAX);
    }

    #[tokio::test(start_paused = true)]
    async fn token_huge_expires_in_is_cached_for_a_day() {
        let (source, requests) = fake([Reply::Token {
            delay: Duration::ZERO,
            expires_in: Some(u64::MAX),
        }]);
        assert_eq!(secret(&source).await.unwrap(), "tok_1");
        tokio::time::advance(MAX_TOKEN_LIFETIME - DEFAULT_REFRESH_MARGIN - Duration::from_secs(1))
            .await;
        assert_eq!(secret(&source).await.unwrap(), "tok_1");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(secret(&source).await.unwrap(), "tok_2");
        assert_eq!(requests.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn fresh_token_read_does_not_wait_for_the_slow_path_lock() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let (source, _) = fake([token_reply()]);
        let source = Arc::new(source);
        runtime.block_on(source.token()).unwrap();

        let guard = source.cache.slow();
        let (sent, received) = std::sync::mpsc::channel();
        let reader = Arc::clone(&source);
        std::thread::spawn(move || {
            // A hit completes without waiting, so no runtime drives it.
            let token = futures::executor::block_on(reader.token());
            let _ = sent.send(token.map(|t| t.secret().into_owned()));
        });
        let read = received.recv_timeout(Duration::from_secs(2));
        drop(guard);

        let token = read.expect("a cached-token hit waited for the slow path's lock");
        assert_eq!(token.unwrap(), "tok_1");
    }

    #[tokio::test(start_paused = true)]
    async fn fetch_completes_when_its_only_caller_is_dropped() {
        let (source, requests) = fake([Reply::Token {
            delay: Duration::from_secs(1),
            expires_in: Some(3600),
        }]);
        let abandoned = tokio::time::timeout(Duration::from_millis(10), source.token()).await;
        assert!(abandoned.is_err(), "the caller should have given up");

        tokio::time::sleep(Duration::from_secs(2)).await;
        // Filled by the abandoned fetch: a hit, no second request.
        let token = source.cache.fresh(Instant::now()).expect("cached");
        assert_eq!(token.secret(), "tok_1");
        assert_eq!(secret(&source).await.unwrap(), "tok_1");
        assert_eq!(requests.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_fetch_is_shared_until_its_backoff_passes() {
        let (source, requests) = fake([
            Reply::Fail(unavailable()),
            Reply::Fail(unavailable()),
            token_reply(),
        ]);
        for _ in 0..20 {
            let err = source.token().await.unwrap_err();
            assert!(
                matches!(err, TokenError::Status { status: 503, .. }),
                "{err:?}"
            );
        }
        assert_eq!(requests.load(Ordering::SeqCst), 1);

        // Within the shortest first pause: still the cached failure.
        tokio::time::advance(backoff_ceiling(1) / 2 - Duration::from_millis(1)).await;
        source.token().await.unwrap_err();
        assert_eq!(requests.load(Ordering::SeqCst), 1);

        // Past the longest first pause: asked again, fails again, and the
        // second pause is longer.
        tokio::time::advance(backoff_ceiling(1) / 2 + Duration::from_millis(2)).await;
        source.token().await.unwrap_err();
        assert_eq!(requests.load(Ordering::SeqCst), 2);
        tokio::time::advance(backoff_ceiling(2) / 2 - Duration::from_millis(1)).await;
        source.token().await.unwrap_err();
        assert_eq!(requests.load(Ordering::SeqCst), 2);

        tokio::time::advance(backoff_ceiling(2) / 2 + Duration::from_millis(2)).await;
        assert_eq!(secret(&source).await.unwrap(), "tok_3");
        assert_eq!(requests.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn success_resets_the_failure_backoff() {
        let (source, requests) = fake([
            Reply::Fail(unavailable()),
            Reply::Token {
                delay: Duration::ZERO,
                expires_in: Some(2),
            },
            Reply::Fail(unavailable()),
            token_reply(),
        ]);
        source.token().await.unwrap_err();
        tokio::time::advance(backoff_ceiling(1)).await;
        assert_eq!(secret(&source).await.unwrap(), "tok_2");
        // tok_2 is due at half-life; the failure after it starts the
        // backoff from the first step again.
        tokio::time::advance(Duration::from_secs(1)).await;
        source.token().await.unwrap_err();
        tokio::time::advance(backoff_ceiling(1)).await;
        assert_eq!(secret(&source).await.unwrap(), "tok_4");
        assert_eq!(requests.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn panicking_fetch_is_an_error_and_never_cached() {
        let (source, requests) = fake([
            Reply::Panic,
            Reply::Panic,
            Reply::Panic,
            Reply::Panic,
            token_reply(),
        ]);
        // The call retries an aborted fetch once, then reports it.
        let err = source.token().await.unwrap_err();
        assert!(matches!(err, TokenError::Transport(_)), "{err:?}");
        assert_eq!(requests.load(Ordering::SeqCst), 2);
        // Not a cached failure: the next call asks at once (twice).
        let err = source.token().await.unwrap_err();
        assert!(matches!(err, TokenError::Transport(_)), "{err:?}");
        assert_eq!(requests.load(Ordering::SeqCst), 4);
        assert_eq!(secret(&source).await.unwrap(), "tok_5");
    }

    #[test]
    fn fetch_cut_off_by_runtime_shutdown_is_retried_in_the_next_runtime() {
        let (source, requests) = fake([
            Reply::Token {
                delay: Duration::from_secs(60),
                expires_in: Some(3600),
            },
            token_reply(),
        ]);
        let runtime = |()| {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap()
        };
        let first = runtime(());
        let gave_up = first.block_on(async {
            tokio::time::timeout(Duration::from_millis(20), source.token()).await
        });
        assert!(gave_up.is_err());
        // Shutting the runtime down cancels the fetch task mid-request.
        drop(first);

        let token = runtime(()).block_on(source.token()).unwrap();
        assert_eq!(token.secret(), "tok_2");
        assert_eq!(requests.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn token_outside_a_runtime_is_an_error_not_a_panic() {
        let (source, requests) = fake([token_reply()]);
        let err = futures::executor::block_on(source.token()).unwrap_err();
        assert!(matches!(err, TokenError::Transport(_)), "{err:?}");
        assert!(std::error::Error::source(&err)
            .is_some_and(|s| s.to_string().contains("Tokio runtime")));
        assert_eq!(requests.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn invalidate_forgets_only_the_cached_token() {
        let (source, requests) = fake([token_reply()]);
        let first = source.token().await.unwrap();
        source.invalidate(&AccessToken::new("tok_someone_elses").unwrap());
        assert_eq!(secret(&source).await.unwrap(), "tok_1");
        assert_eq!(requests.load(Ordering::SeqCst), 1);

        source.invalidate(&first);
        // Concurrent 401s with the same token: one refresh.
        source.invalidate(&first);
        assert_eq!(secret(&source).await.unwrap(), "tok_2");
        source.invalidate(&first);
        assert_eq!(secret(&source).await.unwrap(), "tok_2");
        assert_eq!(requests.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn repeated_rejections_back_off_refetches() {
        let (source, requests) = fake([token_reply()]);
        let count = || requests.load(Ordering::SeqCst);

        // The first refusal refetches at once.
        let tok_1 = source.token().await.unwrap();
        source.invalidate(&tok_1);
        let tok_2 = source.token().await.unwrap();
        assert_eq!(tok_2.secret(), "tok_2");
        assert_eq!(count(), 2);

        // Its replacement refused too: kept until the first pause passes.
        source.invalidate(&tok_2);
        for _ in 0..20 {
            assert_eq!(secret(&source).await.unwrap(), "tok_2");
            source.invalidate(&tok_2);
        }
        assert_eq!(count(), 2);
        tokio::time::advance(backoff_ceiling(1)).await;
        let tok_3 = source.token().await.unwrap();
        assert_eq!(tok_3.secret(), "tok_3");

        // Refused again: a longer pause.
        source.invalidate(&tok_3);
        tokio::time::advance(backoff_ceiling(2) / 2 - Duration::from_millis(1)).await;
        assert_eq!(secret(&source).await.unwrap(), "tok_3");
        tokio::time::advance(backoff_ceiling(2) / 2 + Duration::from_millis(2)).await;
        let tok_4 = source.token().await.unwrap();
        assert_eq!(tok_4.secret(), "tok_4");
        assert_eq!(count(), 4);

        // After a quiet spell, a refusal is a fresh start: refetch at once.
        tokio::time::advance(REJECTION_STREAK_WINDOW).await;
        source.invalidate(&tok_4);
        assert_eq!(secret(&source).await.unwrap(), "tok_5");
        assert_eq!(count(), 5);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_first_calls_share_one_fetch() {
        let (source, requests) = fake([Reply::Token {
            delay: Duration::from_millis(50),
            expires_in: Some(3600),
        }]);
        let source = Arc::new(source);
        let calls: Vec<_> = (0..64)
            .map(|_| {
                let source = Arc::clone(&source);
                tokio::spawn(async move { secret(&source).await })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap(), "tok_1");
        }
        assert_eq!(requests.load(Ordering::SeqCst), 1);
    }
}
