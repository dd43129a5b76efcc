//! What the two shared caches that fetch in the background (the access
//! token, [`token`](super::token), and the JWKS, `oidc::jwks`) have in
//! common: the pause after failed fetches, and the error for a fetch that
//! never ran to an outcome.

use std::fmt;
use std::time::Duration;

use tower::util::rng::{HasherRng, Rng as _};

/// The pause after failed fetches in a row: `first` after one, doubling with
/// each further failure up to `max`, of which a random part is taken off
/// ("equal jitter": between half and all of it), so that many clients hit
/// by the same outage do not ask again in step. Not full jitter: a pause
/// near zero would let the callers right after a failure ask again at once,
/// which is what the pause is for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FailureBackoff {
    first: Duration,
    max: Duration,
}

impl FailureBackoff {
    pub(crate) const fn new(first: Duration, max: Duration) -> Self {
        FailureBackoff { first, max }
    }

    /// The pause after the `failures`th failure in a row (≥ 1).
    pub(crate) fn pause(&self, failures: u32) -> Duration {
        let half = self.ceiling(failures) / 2;
        half + half.mul_f64(HasherRng::default().next_f64())
    }

    /// The most [`pause`](Self::pause) waits after `failures` failures.
    pub(crate) fn ceiling(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(16);
        self.first.saturating_mul(1 << doublings).min(self.max)
    }
}

/// A background fetch that ended without an outcome of its own. An
/// ordinary, retryable failure: nothing came back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NotRun {
    /// What was being fetched, as in "the token request".
    pub(crate) what: &'static str,
    pub(crate) why: NotRunWhy,
}

/// Why a fetch never ran to its outcome.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NotRunWhy {
    /// Its task ended without a result: its runtime shut down, or it
    /// panicked.
    Aborted,
    /// There was no Tokio runtime to run it on.
    NoRuntime,
}

impl fmt::Display for NotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.why {
            NotRunWhy::Aborted => write!(
                f,
                "{} ended without an answer (its runtime shut down, or it panicked)",
                self.what
            ),
            NotRunWhy::NoRuntime => write!(f, "{} needs a Tokio runtime", self.what),
        }
    }
}

impl std::error::Error for NotRun {}
