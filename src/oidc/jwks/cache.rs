//! The JWKS cache of one client, shared by its clones: the key lifetimes of
//! the [module docs](super) made concrete.
//!
//! A validation reads the cache under a `std` mutex that is never held
//! across an `.await`. A fetch runs as a Tokio task of its own and records
//! its own outcome, so a background refresh completes with nobody waiting
//! for it, and a fetch whose waiters all gave up still fills the cache. At
//! most one fetch is in flight; everyone who needs one joins it.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt as _, Shared};
use tokio::time::Instant;

use super::source::FetchError;
use super::{KeySet, BACKOFF_FIRST, BACKOFF_MAX};
use crate::error::Error;
use crate::transport::refetch::{FailureBackoff, NotRun, NotRunWhy};

/// Something that fetches the JWKS: the endpoint, or a fake in tests.
pub(crate) trait FetchKeys: Send + Sync + 'static {
    /// One fetch. The future must not borrow `self`: it runs as a task of
    /// its own.
    fn fetch(&self) -> BoxFuture<'static, Result<KeySet, FetchError>>;
}

/// How long keys are used (see the [module docs](super)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lifetimes {
    /// Keys are fresh for this long after their fetch.
    pub(crate) ttl: Duration,
    /// Past the TTL, keys are still used for this long while refreshes fail.
    pub(crate) max_stale: Duration,
    /// The least time between two refetches for unknown key ids.
    pub(crate) unknown_kid_cooldown: Duration,
}

/// Keys, and when they were fetched.
struct Held {
    keys: Arc<KeySet>,
    fetched_at: Instant,
}

/// A fetch that ended without keys.
#[derive(Clone, Debug)]
enum FlightError {
    /// The endpoint's answer, or the lack of one.
    Failed(FetchError),
    /// The task ended without a result: its runtime shut down, or it
    /// panicked. Never recorded: the next caller starts a new fetch.
    Aborted,
}

type FlightResult = Result<Arc<KeySet>, FlightError>;

/// The fetch in progress, tagged so that only its own outcome clears it.
#[derive(Clone)]
struct Flight {
    id: u64,
    result: Shared<BoxFuture<'static, FlightResult>>,
}

/// The last fetch failed: its error is what callers without usable keys
/// get until `retry_at`, and no fetch starts before then.
struct Failure {
    error: FetchError,
    retry_at: Instant,
}

#[derive(Default)]
struct State {
    held: Option<Held>,
    in_flight: Option<Flight>,
    failure: Option<Failure>,
    /// Failed fetches in a row; reset by a successful one.
    failures: u32,
    next_flight_id: u64,
    last_unknown_kid_fetch: Option<Instant>,
}

impl State {
    fn backing_off(&self, now: Instant) -> bool {
        self.failure.as_ref().is_some_and(|f| now < f.retry_at)
    }
}

/// The JWKS cache of one client, shared by its clones.
pub(crate) struct JwksCache {
    cache: Arc<Cache>,
}

/// What [`JwksCache`] shares with the fetch tasks it spawns.
struct Cache {
    fetcher: Box<dyn FetchKeys>,
    lifetimes: Lifetimes,
    state: Mutex<State>,
}

/// What a caller does next: use what it got, or wait for a fetch.
enum Step<T> {
    Ready(T),
    Wait(Flight),
}

impl JwksCache {
    pub(crate) fn new(fetcher: impl FetchKeys, lifetimes: Lifetimes) -> Self {
        JwksCache {
            cache: Arc::new(Cache {
                fetcher: Box::new(fetcher),
                lifetimes,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// Keys to verify with. Fresh or stale keys are returned at once (stale
    /// ones after starting a background refresh, unless one is running or
    /// the last one failed within its backoff). Without usable keys, the
    /// caller waits for the one fetch in flight (started here if there is
    /// none), or gets the last fetch's error while its backoff lasts.
    pub(crate) async fn keys(&self) -> Result<Arc<KeySet>, Error> {
        // A fetch that ended without a result (its runtime shut down under
        // it) is forgotten and started afresh, once.
        for _ in 0..2 {
            let flight = match self.cache.keys_step(Instant::now())? {
                Step::Ready(keys) => return Ok(keys),
                Step::Wait(flight) => flight,
            };
            if let Some(keys) = self.cache.outcome(flight).await? {
                return Ok(keys);
            }
        }
        Err(not_run(NotRunWhy::Aborted))
    }

    /// Called when `seen` lacks a token's key: newer keys if a fetch has
    /// replaced `seen` already, else the outcome of the fetch in flight, else
    /// a refetch unless one happened for an unknown key within the cooldown
    /// (then `None`). The caller waits, at most for the fetch's timeout.
    pub(crate) async fn refetch_for_unknown_kid(
        &self,
        seen: &Arc<KeySet>,
    ) -> Result<Option<Arc<KeySet>>, Error> {
        for _ in 0..2 {
            let flight = match self.cache.unknown_kid_step(seen, Instant::now())? {
                Step::Ready(found) => return Ok(found),
                Step::Wait(flight) => flight,
            };
            if let Some(keys) = self.cache.outcome(flight).await? {
                return Ok(Some(keys));
            }
        }
        Err(not_run(NotRunWhy::Aborted))
    }
}

impl Cache {
    fn state(&self) -> MutexGuard<'_, State> {
        // The lock guards plain data and no code panics while holding it,
        // but a poisoned lock must not take validation down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Under the lock: usable keys (starting a background refresh when they
    /// are stale), or the fetch to wait for, or the last failure.
    fn keys_step(self: &Arc<Self>, now: Instant) -> Result<Step<Arc<KeySet>>, Error> {
        let mut state = self.state();
        if let Some(held) = &state.held {
            let age = now.saturating_duration_since(held.fetched_at);
            let keys = held.keys.clone();
            if age < self.lifetimes.ttl {
                return Ok(Step::Ready(keys));
            }
            if age < self.lifetimes.ttl.saturating_add(self.lifetimes.max_stale) {
                if state.in_flight.is_none() && !state.backing_off(now) {
                    tracing::debug!("JWKS past its TTL: refreshing in the background");
                    if let Err(err) = self.start(&mut state) {
                        tracing::debug!(%err, "cannot refresh the JWKS; using the held keys");
                    }
                }
                return Ok(Step::Ready(keys));
            }
        }
        if let Some(flight) = &state.in_flight {
            return Ok(Step::Wait(flight.clone()));
        }
        if let Some(failure) = state.failure.as_ref().filter(|f| now < f.retry_at) {
            return Err(failure.error.clone().into());
        }
        self.start(&mut state).map(Step::Wait)
    }

    /// Under the lock: what [`JwksCache::refetch_for_unknown_kid`] does.
    fn unknown_kid_step(
        self: &Arc<Self>,
        seen: &Arc<KeySet>,
        now: Instant,
    ) -> Result<Step<Option<Arc<KeySet>>>, Error> {
        let mut state = self.state();
        if let Some(held) = state.held.as_ref().filter(|h| !Arc::ptr_eq(&h.keys, seen)) {
            return Ok(Step::Ready(Some(held.keys.clone())));
        }
        if let Some(flight) = &state.in_flight {
            return Ok(Step::Wait(flight.clone()));
        }
        let cooldown = self.lifetimes.unknown_kid_cooldown;
        // Tokens with made-up key ids are free to send: neither the cooldown
        // nor a failure's backoff gives way to them.
        if state.backing_off(now)
            || state
                .last_unknown_kid_fetch
                .is_some_and(|at| now.saturating_duration_since(at) < cooldown)
        {
            return Ok(Step::Ready(None));
        }
        state.last_unknown_kid_fetch = Some(now);
        tracing::debug!("unknown key id: refetching the JWKS");
        self.start(&mut state).map(Step::Wait)
    }

    /// Spawns a fetch on the caller's runtime. The task records its own
    /// outcome, so the cache fills (or the failure is kept) whoever waits.
    fn start(self: &Arc<Self>, state: &mut State) -> Result<Flight, Error> {
        // reqwest needs a Tokio runtime anyway; without one, say so rather
        // than panic inside it.
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| not_run(NotRunWhy::NoRuntime))?;
        let id = state.next_flight_id;
        state.next_flight_id += 1;
        let fetch = self.fetcher.fetch();
        let guard = FlightGuard {
            cache: Arc::clone(self),
            id,
        };
        let task = runtime.spawn(async move {
            let result = fetch.await.map(Arc::new);
            guard.settle(&result);
            result
        });
        let result = async move {
            match task.await {
                Ok(Ok(keys)) => Ok(keys),
                Ok(Err(error)) => Err(FlightError::Failed(error)),
                Err(_cancelled_or_panicked) => Err(FlightError::Aborted),
            }
        }
        .boxed()
        .shared();
        let flight = Flight { id, result };
        state.in_flight = Some(flight.clone());
        Ok(flight)
    }

    /// What `flight` gave: keys, its error, or `None` when it ended without
    /// a result (it is then forgotten, for the caller to start another).
    async fn outcome(&self, flight: Flight) -> Result<Option<Arc<KeySet>>, Error> {
        match flight.result.await {
            Ok(keys) => Ok(Some(keys)),
            Err(FlightError::Failed(error)) => Err(error.into()),
            Err(FlightError::Aborted) => {
                self.forget(flight.id);
                Ok(None)
            }
        }
    }

    /// Records the outcome of fetch `id`: the new keys, or the failure and
    /// when the next fetch may start. The keys held before stay in use
    /// through a failure, within their stale bound.
    fn settle(&self, id: u64, result: &Result<Arc<KeySet>, FetchError>) {
        let mut state = self.state();
        if state.in_flight.as_ref().is_none_or(|f| f.id != id) {
            return;
        }
        state.in_flight = None;
        let now = Instant::now();
        match result {
            Ok(keys) => {
                state.failures = 0;
                state.failure = None;
                state.held = Some(Held {
                    keys: keys.clone(),
                    fetched_at: now,
                });
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                let pause = BACKOFF.pause(state.failures);
                tracing::debug!(
                    failures = state.failures,
                    ?pause,
                    "JWKS fetch failed; backing off"
                );
                state.failure = Some(Failure {
                    error: error.clone(),
                    retry_at: now + pause,
                });
            }
        }
    }

    /// Clears fetch `id` after it ended without a result, recording nothing.
    fn forget(&self, id: u64) {
        let mut state = self.state();
        if state.in_flight.as_ref().is_some_and(|f| f.id == id) {
            state.in_flight = None;
        }
    }
}

/// Owned by a fetch task: settles the fetch when it ends, and forgets it
/// when the task is dropped first (its runtime shut down, or it panicked),
/// so that no one is left joining a fetch that will never end. A background
/// refresh has no waiter to notice that.
struct FlightGuard {
    cache: Arc<Cache>,
    id: u64,
}

impl FlightGuard {
    fn settle(&self, result: &Result<Arc<KeySet>, FetchError>) {
        self.cache.settle(self.id, result);
    }
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        // A no-op once settled: the fetch is no longer in flight.
        self.cache.forget(self.id);
    }
}

/// The pause after failed fetches in a row.
pub(super) const BACKOFF: FailureBackoff = FailureBackoff::new(BACKOFF_FIRST, BACKOFF_MAX);

/// An ordinary, retryable error: nothing was fetched.
fn not_run(why: NotRunWhy) -> Error {
    Error::Transport(Box::new(NotRun {
        what: "the JWKS fetch",
        why,
    }))
}

#[cfg(test)]
mod tests;
