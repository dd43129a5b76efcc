//! One emulated environment: its credentials, token issuer, state, counters
//! and injected faults, shared by the HTTP handlers and the gRPC services.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tonic::Code;

use crate::after_handler::{AfterHandler, OpenStalls};
use crate::journal::Journal;
use crate::redirects::RedirectUris;
use crate::reset::Baseline;
use crate::script::Scripts;
use crate::services::Context;
use crate::stats::Stats;
use crate::store::SharedStore;
use crate::tokens::{lock, TokenIssuer};
use crate::webhooks::Webhooks;

/// Shared by everything that serves one environment.
pub(crate) struct Environment {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) tokens: TokenIssuer,
    pub(crate) store: Arc<SharedStore>,
    /// What the gRPC services share: the same store, and the environment URL
    /// (`http://ADDR`) where SDKs reach this environment.
    pub(crate) services: Arc<Context>,
    pub(crate) stats: Stats,
    pub(crate) faults: Faults,
    /// Sign-ins open on the sign-in page.
    pub(crate) sign_in_pages: crate::pages::signin::PendingSignIns,
    /// Registered webhook endpoints, their deliveries and the log.
    pub(crate) webhooks: Webhooks,
    /// The gRPC calls received (see `journal`).
    pub(crate) journal: Journal,
    /// Where `/oauth/authorize` may send a browser back to.
    pub(crate) redirect_uris: RedirectUris,
    /// The state [`crate::reset`] returns the store to.
    pub(crate) baseline: Baseline,
}

impl Environment {
    pub(crate) fn credentials_match(&self, id: &str, secret: &str) -> bool {
        id == self.client_id && secret == self.client_secret
    }

    /// The token of an IdP-initiated sign-in, valid for five minutes.
    pub(crate) fn idp_initiated_login_token(
        &self,
        connection_id: &str,
        organization_id: &str,
        login_hint: &str,
        relay_state: Option<&str>,
    ) -> Result<String, String> {
        let now = crate::tokens::unix_now();
        let mut claims = serde_json::json!({
            "iss": self.tokens.issuer(),
            "aud": [self.client_id.as_str()],
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "connection_id": connection_id,
            "organization_id": organization_id,
            "login_hint": login_hint,
        });
        if let (Some(state), Some(map)) = (relay_state, claims.as_object_mut()) {
            map.insert("relay_state".into(), state.into());
        }
        self.tokens.sign(&claims)
    }
}

/// A fault scripted for the next `remaining` calls of `method` (of every
/// method when `None`).
#[derive(Clone, Debug)]
pub(crate) struct Scripted<F> {
    pub(crate) method: Option<String>,
    pub(crate) remaining: u32,
    pub(crate) fault: F,
}

/// A refusal before the handler: the call fails with `code`.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    pub(crate) code: Code,
    pub(crate) message: String,
}

/// Faults injected into gRPC calls.
#[derive(Default)]
pub(crate) struct Faults {
    latency: Mutex<Duration>,
    failures: Mutex<Vec<Scripted<Failure>>>,
    after_handler: Mutex<Vec<Scripted<AfterHandler>>>,
    rate_limit: Mutex<Option<RateWindow>>,
    /// The HTTP status the next token requests get, and how many get it.
    token_refusals: Mutex<Option<(u16, u32)>>,
    /// The stalled responses still held open.
    pub(crate) stalls: OpenStalls,
    /// Replies scripted per method (see `script`).
    pub(crate) scripts: Scripts,
}

/// A fixed-window rate limit: at most `limit` calls per `window`.
struct RateWindow {
    limit: u32,
    window: Duration,
    started: Instant,
    used: u32,
}

/// Whether `filter` (a full method path, `Service/Method`, or a bare method
/// name) names `method` (`scalekit.v1.users.UserService/GetUser`).
pub(crate) fn method_matches(filter: &str, method: &str) -> bool {
    let filter = filter.trim_start_matches('/');
    method == filter
        || method
            .strip_suffix(filter)
            .is_some_and(|package| package.ends_with('.'))
        || method.rsplit('/').next() == Some(filter)
}

impl Faults {
    pub(crate) fn set_latency(&self, latency: Duration) {
        *lock(&self.latency) = latency;
    }

    pub(crate) fn latency(&self) -> Duration {
        *lock(&self.latency)
    }

    pub(crate) fn add_failure(&self, failure: Scripted<Failure>) {
        if failure.remaining > 0 {
            lock(&self.failures).push(failure);
        }
    }

    pub(crate) fn add_after_handler(&self, fault: Scripted<AfterHandler>) {
        if fault.remaining > 0 {
            lock(&self.after_handler).push(fault);
        }
    }

    pub(crate) fn clear(&self) {
        lock(&self.failures).clear();
        lock(&self.after_handler).clear();
        *lock(&self.latency) = Duration::ZERO;
        *lock(&self.rate_limit) = None;
        *lock(&self.token_refusals) = None;
        self.scripts.clear();
    }

    /// Makes the next `times` token requests fail with HTTP `status`.
    pub(crate) fn refuse_token_requests(&self, status: u16, times: u32) {
        *lock(&self.token_refusals) = (times > 0).then_some((status, times));
    }

    /// The status this token request fails with, if one is due.
    pub(crate) fn take_token_refusal(&self) -> Option<u16> {
        let mut refusals = lock(&self.token_refusals);
        let (status, left) = refusals.as_mut()?;
        let status = *status;
        *left -= 1;
        if *left == 0 {
            *refusals = None;
        }
        Some(status)
    }

    /// Limits gRPC calls to `limit` per `window` (None lifts the limit).
    pub(crate) fn set_rate_limit(&self, limit: Option<(u32, Duration)>) {
        *lock(&self.rate_limit) = limit.map(|(limit, window)| RateWindow {
            limit,
            window,
            started: Instant::now(),
            used: 0,
        });
    }

    /// Counts one call against the rate limit; false when it is over.
    pub(crate) fn admit(&self) -> bool {
        let mut guard = lock(&self.rate_limit);
        let Some(rate) = guard.as_mut() else {
            return true;
        };
        if rate.started.elapsed() >= rate.window {
            rate.started = Instant::now();
            rate.used = 0;
        }
        if rate.used >= rate.limit {
            return false;
        }
        rate.used += 1;
        true
    }

    /// Consumes one scripted failure that applies to `method`, if any.
    pub(crate) fn take(&self, method: &str) -> Option<Failure> {
        take_next(&self.failures, method)
    }

    /// Consumes one scripted after-the-handler fault that applies to
    /// `method`, if any.
    pub(crate) fn take_after_handler(&self, method: &str) -> Option<AfterHandler> {
        take_next(&self.after_handler, method)
    }
}

/// Consumes one use of the first fault in `scripted` that applies to
/// `method`; a fault is dropped with its last use.
fn take_next<F: Clone>(scripted: &Mutex<Vec<Scripted<F>>>, method: &str) -> Option<F> {
    let mut scripted = lock(scripted);
    let index = scripted.iter().position(|s| {
        s.remaining > 0
            && s.method
                .as_deref()
                .is_none_or(|m| method_matches(m, method))
    })?;
    let entry = &mut scripted[index];
    entry.remaining -= 1;
    let taken = entry.fault.clone();
    if entry.remaining == 0 {
        scripted.remove(index);
    }
    Some(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_filters_match_full_service_and_bare_names() {
        let m = "scalekit.v1.users.UserService/GetUser";
        for filter in [
            m,
            "/scalekit.v1.users.UserService/GetUser",
            "UserService/GetUser",
            "GetUser",
        ] {
            assert!(method_matches(filter, m), "{filter}");
        }
        assert!(!method_matches("ListUsers", m));
        assert!(!method_matches("User", m));
    }

    #[test]
    fn rate_limit_admits_up_to_the_limit_per_window() {
        let faults = Faults::default();
        assert!(faults.admit());
        faults.set_rate_limit(Some((2, Duration::from_secs(3600))));
        assert!(faults.admit());
        assert!(faults.admit());
        assert!(!faults.admit());
        faults.set_rate_limit(Some((1, Duration::ZERO)));
        assert!(
            faults.admit() && faults.admit(),
            "a zero window resets every call"
        );
        faults.clear();
        assert!(faults.admit());
    }

    #[test]
    fn failures_are_consumed_in_order_and_only_for_their_method() {
        let faults = Faults::default();
        faults.add_failure(Scripted {
            method: Some("GetUser".into()),
            remaining: 2,
            fault: Failure {
                code: Code::Unavailable,
                message: "down".into(),
            },
        });
        assert!(faults
            .take("scalekit.v1.users.UserService/ListUsers")
            .is_none());
        let m = "scalekit.v1.users.UserService/GetUser";
        assert_eq!(faults.take(m).map(|f| f.code), Some(Code::Unavailable));
        assert_eq!(faults.take(m).map(|f| f.code), Some(Code::Unavailable));
        assert!(faults.take(m).is_none());
    }

    #[test]
    fn after_handler_faults_are_apart_from_refusals_and_cleared() {
        let faults = Faults::default();
        let m = "scalekit.v1.users.UserService/GetUser";
        faults.add_after_handler(Scripted {
            method: None,
            remaining: 3,
            fault: AfterHandler::Reset,
        });
        assert!(faults.take(m).is_none(), "not a refusal");
        assert_eq!(faults.take_after_handler(m), Some(AfterHandler::Reset));
        faults.clear();
        assert!(faults.take_after_handler(m).is_none());
    }
}
