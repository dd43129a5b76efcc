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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use futures::future::{BoxFuture, FutureExt as _, Shared};
use http::HeaderValue;
use tokio::time::Instant;

use crate::error::TokenError;
use crate::transport::refetch::{FailureBackoff, NotRun, NotRunWhy};

mod endpoint;

use endpoint::ClientCredentials;
pub(crate) use endpoint::TokenRequest;
#[cfg(any(test, fuzzing))]
pub(crate) use endpoint::TokenResponse;

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

/// The pause after failed fetches (or refused fresh tokens) in a row.
pub(crate) const BACKOFF: FailureBackoff = FailureBackoff::new(BACKOFF_FIRST, BACKOFF_MAX);

/// A token refused within this long of the previous refusal continues the
/// streak that lengthens the refetch backoff; after a quiet spell this long
/// a refusal refetches at once again.
const REJECTION_STREAK_WINDOW: Duration = Duration::from_secs(30);

/// How long callers wait on one token request before another is started
/// beside it. A request that hangs (an endpoint that accepted the connection
/// and went silent) would otherwise hold every call for the whole token
/// timeout, even after the endpoint recovered; a second request after this
/// long costs one more request while the endpoint is slow, and nothing when
/// it is healthy (its answers take milliseconds).
const HEDGE_AFTER: Duration = Duration::from_secs(1);

/// A bearer token, kept as the ready `authorization` header value so that
/// the per-call path only clones it (no formatting or validation per RPC).
/// Its `Debug` never shows the value, and the header value is marked
/// sensitive. Clones share one record of what the server accepted.
#[derive(Clone)]
pub(crate) struct AccessToken(Arc<TokenInner>);

struct TokenInner {
    /// Which fetch of its cache brought it (0 for a token made elsewhere),
    /// so that tokens compare by a number before their bytes are compared.
    generation: u64,
    bearer: HeaderValue,
    /// When the token arrived: the zero of `accepted_sent`.
    arrived: Instant,
    /// When the latest request the server accepted with this token was
    /// sent, as nanoseconds after `arrived` plus one; 0 while none was.
    accepted_sent: AtomicU64,
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.generation == other.0.generation && self.0.bearer == other.0.bearer)
    }
}

impl Eq for AccessToken {}

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
        Ok(Self::with_generation(0, bearer))
    }

    fn with_generation(generation: u64, bearer: HeaderValue) -> Self {
        AccessToken(Arc::new(TokenInner {
            generation,
            bearer,
            arrived: Instant::now(),
            accepted_sent: AtomicU64::new(0),
        }))
    }

    fn generation(&self) -> u64 {
        self.0.generation
    }

    /// The token itself, without the `Bearer ` scheme. Header values may
    /// carry bytes that are not UTF-8; such a token could not be a JWT, and
    /// is shown with replacement characters.
    pub(crate) fn secret(&self) -> std::borrow::Cow<'_, str> {
        let bytes = self.0.bearer.as_bytes();
        String::from_utf8_lossy(bytes.strip_prefix(b"Bearer ").unwrap_or(bytes))
    }

    /// The `authorization` header value: `Bearer <token>`.
    pub(crate) fn bearer(&self) -> &HeaderValue {
        &self.0.bearer
    }

    /// The server accepted a request sent with this token at `sent`.
    pub(crate) fn accepted_request_sent(&self, sent: Instant) {
        let stamp = self.stamp(sent);
        let latest = &self.0.accepted_sent;
        // Requests mostly end in the order they were sent: one load, and a
        // write only when this one is the newest.
        if latest.load(Ordering::Relaxed) < stamp {
            latest.fetch_max(stamp, Ordering::Relaxed);
        }
    }

    /// Whether the server accepted any request sent with this token.
    pub(crate) fn was_accepted(&self) -> bool {
        self.0.accepted_sent.load(Ordering::Relaxed) > 0
    }

    /// Whether the server accepted a request sent with this token at or
    /// after `sent`: proof that the token still worked after then.
    pub(crate) fn accepted_request_sent_since(&self, sent: Instant) -> bool {
        self.0.accepted_sent.load(Ordering::Relaxed) >= self.stamp(sent)
    }

    fn stamp(&self, at: Instant) -> u64 {
        let after = at.saturating_duration_since(self.0.arrived).as_nanos();
        u64::try_from(after).unwrap_or(u64::MAX - 1) + 1
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
    /// The token it replaced was accepted by the server.
    follows_accepted: bool,
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
    started: Instant,
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
        let mut aborted = 0;
        loop {
            let flight = match self.join_or_start()? {
                Step::Ready(token) => return Ok(token),
                Step::Wait(flight) => flight,
            };
            // Wait for it, but not past the moment a request beside it is
            // due (see HEDGE_AFTER); the caller's own deadline bounds all.
            let hedge_at = flight.started + HEDGE_AFTER;
            let outcome = tokio::select! {
                outcome = flight.result.clone() => outcome,
                () = tokio::time::sleep_until(hedge_at) => continue,
            };
            match outcome {
                Ok(cached) => return Ok(cached.token),
                Err(FlightError::Failed(error)) => return Err(error),
                Err(FlightError::Aborted) => {
                    self.cache.forget(flight.id);
                    aborted += 1;
                    if aborted == 2 {
                        return Err(not_run(NotRunWhy::Aborted));
                    }
                }
            }
        }
    }

    /// Under the lock: a token another caller just stored, the fetch in
    /// flight, the last failure while it is fresh, or a new fetch.
    fn join_or_start(&self) -> Result<Step, TokenError> {
        let mut slow = self.cache.slow();
        let now = Instant::now();
        if let Some(token) = self.cache.fresh(now) {
            return Ok(Step::Ready(token));
        }
        if let Some(flight) = slow
            .in_flight
            .as_ref()
            .filter(|flight| now < flight.started + HEDGE_AFTER)
        {
            return Ok(Step::Wait(flight.clone()));
        }
        if slow.in_flight.is_some() {
            tracing::debug!("the token request in flight is slow; starting another beside it");
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
            tokio::runtime::Handle::try_current().map_err(|_| not_run(NotRunWhy::NoRuntime))?;
        let id = slow.next_flight_id;
        slow.next_flight_id += 1;
        let cache = Arc::clone(&self.cache);
        let fetch = self.cache.fetcher.fetch();
        let task = runtime.spawn(async move {
            let result = fetch.await.map(|grant| cache.cached(id, grant));
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
        let flight = Flight {
            id,
            started: Instant::now(),
            result,
        };
        slow.in_flight = Some(flight.clone());
        Ok(flight)
    }

    /// Forgets `used` if it is still the cached token, so the next call
    /// fetches a new one. A token already replaced by another caller's
    /// refresh is left alone, so concurrent 401s cause a single refresh.
    ///
    /// The first refusal refetches at once (the token was revoked, or keys
    /// rotated), and so does the refusal of the token that replaced an
    /// accepted one: a second revocation may follow the first closely. When
    /// tokens go on being refused from their first use, within
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
        // A token the server accepted before was revoked (or its keys
        // rotated): that starts a new streak, however recent the last
        // refusal. Only tokens refused from their first use in a row mean
        // the server refuses this client's tokens.
        let in_streak = !cached.token.was_accepted()
            && !cached.follows_accepted
            && slow
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
            streak => now + BACKOFF.pause(streak - 1),
        };
        self.cache.current.store(Some(Arc::new(CachedToken {
            token: cached.token.clone(),
            refresh_at: Some(refetch_at),
            rejected: true,
            follows_accepted: cached.follows_accepted,
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

    /// The cache entry for what fetch `id` brought; its generation is
    /// `id + 1`, so that 0 stays for tokens made elsewhere.
    fn cached(&self, id: u64, grant: TokenGrant) -> CachedToken {
        CachedToken {
            token: AccessToken::with_generation(id + 1, grant.token.bearer().clone()),
            refresh_at: refresh_time(grant.requested_at, grant.expires_in, self.refresh_margin),
            rejected: false,
            follows_accepted: false,
        }
    }

    /// Records the outcome of fetch `id`: the new token, or the failure and
    /// when the next attempt may start.
    fn settle(&self, id: u64, result: &Result<CachedToken, TokenError>) {
        let mut slow = self.slow();
        if slow.in_flight.as_ref().is_none_or(|f| f.id != id) {
            // Superseded by a request started beside it. Its token is still
            // good when nothing newer arrived first; its failure says
            // nothing the newer request will not say.
            if let Ok(fresh) = result {
                let newer_known =
                    self.current.load().as_deref().is_some_and(|current| {
                        current.token.generation() > fresh.token.generation()
                    });
                if !newer_known {
                    self.store_fresh(fresh);
                }
            }
            return;
        }
        slow.in_flight = None;
        match result {
            Ok(fresh) => {
                slow.failures = 0;
                slow.failure = None;
                self.store_fresh(fresh);
            }
            Err(error) => {
                slow.failures = slow.failures.saturating_add(1);
                let pause = BACKOFF.pause(slow.failures);
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

    /// Makes `fresh` the token calls use, noting whether the server
    /// accepted the one it replaces.
    fn store_fresh(&self, fresh: &CachedToken) {
        let follows_accepted = self
            .current
            .load()
            .as_deref()
            .is_some_and(|replaced| replaced.token.was_accepted());
        self.current.store(Some(Arc::new(CachedToken {
            follows_accepted,
            ..fresh.clone()
        })));
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

/// An ordinary, retryable error: nothing reached the token endpoint, or
/// nothing came back.
fn not_run(why: NotRunWhy) -> TokenError {
    TokenError::Transport(Arc::new(NotRun {
        what: "the token request",
        why,
    }))
}

#[cfg(test)]
mod tests;
