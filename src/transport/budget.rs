//! A retry budget shared by every call of one client: when most recent
//! attempts failed, retries stop, so a dying server gets one attempt per
//! call instead of several.
//!
//! The scheme is gRPC's retry throttling (the `retryThrottling` service
//! config), which google-cloud-rust's throttler and the AWS SDKs' retry
//! quota resemble: a bucket of tokens, full at the start. Each failed
//! attempt takes one token, each successful call gives back a tenth of one,
//! and a retry is allowed only while the bucket is more than half full. A
//! healthy client never notices it; one whose calls keep failing stops
//! retrying after about [`CAPACITY`] / 2 failures in a row, and needs about
//! ten successes per failure to earn retries back.

use std::sync::atomic::{AtomicU32, Ordering};

/// Tokens are counted in thousandths, so a success's tenth is an integer.
const SCALE: u32 = 1000;
/// The bucket's size, in tokens.
const CAPACITY: u32 = 100;
const FULL: u32 = CAPACITY * SCALE;
/// What a failed attempt costs.
const FAILURE_COST: u32 = SCALE;
/// What a successful call gives back.
const SUCCESS_REFUND: u32 = SCALE / 10;

/// The shared bucket; see the module docs.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: AtomicU32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            tokens: AtomicU32::new(FULL),
        }
    }
}

impl RetryBudget {
    /// A call succeeded. With a full bucket (nearly always) this is one
    /// relaxed load and no write, so the hot path does not bounce the
    /// cache line between cores.
    pub(crate) fn succeeded(&self) {
        if self.tokens.load(Ordering::Relaxed) < FULL {
            let _ = self
                .tokens
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |tokens| {
                    Some((tokens + SUCCESS_REFUND).min(FULL))
                });
        }
    }

    /// An attempt failed in a way that may be retried. Returns whether the
    /// budget still allows the retry.
    pub(crate) fn failed(&self) -> bool {
        let before = self
            .tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |tokens| {
                Some(tokens.saturating_sub(FAILURE_COST))
            })
            .unwrap_or(0);
        before.saturating_sub(FAILURE_COST) > FULL / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_stop_after_half_the_bucket_fails_and_successes_earn_them_back() {
        let budget = RetryBudget::default();
        let allowed = (0..CAPACITY).take_while(|_| budget.failed()).count();
        assert_eq!(allowed as u32, CAPACITY / 2 - 1, "retries allowed in a row");
        assert!(!budget.failed(), "an exhausted budget stays closed");
        // Ten successes per failure refill it.
        for _ in 0..10 * CAPACITY {
            budget.succeeded();
        }
        assert!(budget.failed(), "successes reopen the budget");
    }

    #[test]
    fn the_bucket_never_overflows_or_underflows() {
        let budget = RetryBudget::default();
        for _ in 0..1000 {
            budget.succeeded();
        }
        assert_eq!(budget.tokens.load(Ordering::Relaxed), FULL);
        for _ in 0..1000 {
            budget.failed();
        }
        assert_eq!(budget.tokens.load(Ordering::Relaxed), 0);
    }
}
