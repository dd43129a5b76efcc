//! When a failed attempt is tried again, and how long to wait first.
//!
//! The rules follow what the official Scalekit SDKs settled on after trying
//! more: only `UNAVAILABLE` (the server or the path to it is briefly gone)
//! and failures that provably never reached the server are retried.
//! `DEADLINE_EXCEEDED` is not, and neither is `RESOURCE_EXHAUSTED` unless
//! asked for: a retried write may be applied twice, and retried 429s
//! multiply the load that caused them.

use std::time::Duration;

use tonic::{Code, Status};
use tower::util::rng::{HasherRng, Rng as _};

/// How a [`ScalekitClient`](crate::ScalekitClient) retries failed RPCs.
///
/// Every retry stays within the call's deadline
/// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)): a backoff
/// that would outlast it ends the call with the last error instead.
/// Requests that are not idempotent (creates, updates, sends) are retried
/// only when the request provably never left this process (the connection
/// was refused, or the server refused the stream before reading it).
///
/// ```
/// use std::time::Duration;
/// use scalekit::RetryConfig;
///
/// # fn main() -> scalekit::Result<()> {
/// let client = scalekit::ScalekitClient::builder("https://acme.scalekit.dev", "skc_1", "secret")
///     .retry(RetryConfig::default().with_max_attempts(5).with_max_backoff(Duration::from_secs(1)))
///     .build()?;
/// let no_retries = scalekit::ScalekitClient::builder("https://acme.scalekit.dev", "skc_1", "secret")
///     .retry(RetryConfig::disabled())
///     .build()?;
/// # let _ = (client, no_retries);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts per call, the first included (default 3; 1 disables
    /// retries). The single refresh-and-resend after `UNAUTHENTICATED`
    /// does not count against it, and neither do up to four resends of a
    /// request that provably never reached the server (a drained or
    /// refused connection) while retries are enabled.
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry (default 100 ms); it
    /// doubles with each retry up to [`max_backoff`](Self::max_backoff).
    /// The actual wait is drawn uniformly below the ceiling ("full jitter"),
    /// so that many clients failing together do not retry together.
    pub initial_backoff: Duration,
    /// The largest backoff ceiling (default 2 s).
    pub max_backoff: Duration,
    /// Also retry `RESOURCE_EXHAUSTED` (rate limited), waiting at least as
    /// long as the server's `retry-after` says when it says (default off).
    pub retry_resource_exhausted: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            retry_resource_exhausted: false,
        }
    }
}

impl RetryConfig {
    /// One attempt per call: nothing is retried except the token refresh
    /// after `UNAUTHENTICATED`.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }

    /// Sets [`max_attempts`](Self::max_attempts) (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets [`initial_backoff`](Self::initial_backoff).
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets [`max_backoff`](Self::max_backoff).
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets [`retry_resource_exhausted`](Self::retry_resource_exhausted).
    pub fn with_retry_resource_exhausted(mut self, retry: bool) -> Self {
        self.retry_resource_exhausted = retry;
        self
    }

    /// The ceiling of the wait before retry number `retry` (1 = the first).
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.initial_backoff
            .checked_mul(1 << doublings)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The wait before retry number `retry`: uniform in `[0, ceiling]`, but
    /// never less than what the server asked for.
    pub(crate) fn backoff(&self, retry: u32, server_asked: Option<Duration>) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let jittered = ceiling.mul_f64(HasherRng::default().next_f64());
        server_asked.map_or(jittered, |asked| asked.max(jittered))
    }
}

/// Whether the request behind a failed attempt may be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Do not retry: surface the error.
    Fail,
    /// Retry after the backoff, at least this long when the server said so.
    Retry(Option<Duration>),
}

/// Judges one failed attempt (`UNAUTHENTICATED` is the call loop's own
/// business and never reaches this).
pub(crate) fn verdict(status: &Status, idempotent: bool, config: &RetryConfig) -> Verdict {
    if never_sent(status) || (idempotent && broken_in_transit(status)) {
        return Verdict::Retry(None);
    }
    match status.code() {
        Code::Unavailable if idempotent => Verdict::Retry(None),
        Code::ResourceExhausted if idempotent && config.retry_resource_exhausted => {
            Verdict::Retry(retry_after(status))
        }
        _ => Verdict::Fail,
    }
}

/// The request provably never reached the server: the connection could not
/// be made, hyper cancelled it before sending (its connection closed while
/// it waited), or HTTP/2 refused the stream (`REFUSED_STREAM` promises the
/// server did not process it). Safe to resend even when not idempotent.
///
/// A graceful GOAWAY (`NO_ERROR`) is not enough: h2 fails the streams above
/// its last stream id with it, which the server never processed, but also,
/// when the connection then closes, every stream still open below that id,
/// which the server may have run. The error does not say which, so such a
/// failure counts as broken in transit: resent only when idempotent.
pub(crate) fn never_sent(status: &Status) -> bool {
    use std::error::Error as _;

    let mut source = status.source();
    while let Some(err) = source {
        if err.is::<tonic::ConnectError>() {
            return true;
        }
        // hyper cancels the requests still queued for a connection that
        // closes (a drained or broken one) before writing any of them.
        if err
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            return true;
        }
        if let Some(h2) = err.downcast_ref::<h2::Error>() {
            return h2.reason() == Some(h2::Reason::REFUSED_STREAM) && !h2.is_go_away();
        }
        source = err.source();
    }
    false
}

/// The stream or its connection broke on the way: an HTTP/2 reset or an
/// abrupt GOAWAY, or an I/O failure (a reset connection, a broken pipe, an
/// early end of stream). The server may or may not have run the request, so
/// only an idempotent one is sent again.
fn broken_in_transit(status: &Status) -> bool {
    use std::error::Error as _;

    let mut source = status.source();
    while let Some(err) = source {
        if err.is::<h2::Error>() || err.is::<std::io::Error>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The server's `retry-after` (whole seconds), capped at a minute so that a
/// confused header cannot park a call.
fn retry_after(status: &Status) -> Option<Duration> {
    let seconds: u64 = status
        .metadata()
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.min(60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_ceiling_doubles_up_to_the_maximum() {
        let config = RetryConfig::default();
        assert_eq!(config.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(config.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(config.backoff_ceiling(3), Duration::from_millis(400));
        assert_eq!(config.backoff_ceiling(10), Duration::from_secs(2));
        assert_eq!(config.backoff_ceiling(u32::MAX), Duration::from_secs(2));
    }

    #[test]
    fn backoff_is_jittered_below_the_ceiling_and_honours_the_server() {
        let config = RetryConfig::default();
        let waits: Vec<_> = (0..50).map(|_| config.backoff(2, None)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(200)));
        assert!(
            waits.iter().any(|w| *w != waits[0]),
            "full jitter varies the wait"
        );
        let asked = Duration::from_secs(3);
        assert!(config.backoff(1, Some(asked)) >= asked);
    }

    #[test]
    fn only_unavailable_is_retried_and_only_when_idempotent() {
        let config = RetryConfig::default();
        let cases = [
            (Code::Unavailable, true, Verdict::Retry(None)),
            (Code::Unavailable, false, Verdict::Fail),
            (Code::DeadlineExceeded, true, Verdict::Fail),
            (Code::ResourceExhausted, true, Verdict::Fail),
            (Code::Internal, true, Verdict::Fail),
            (Code::NotFound, true, Verdict::Fail),
            (Code::Aborted, true, Verdict::Fail),
        ];
        for (code, idempotent, expected) in cases {
            let status = Status::new(code, "x");
            assert_eq!(
                verdict(&status, idempotent, &config),
                expected,
                "{code:?} idempotent={idempotent}"
            );
        }
    }

    #[test]
    fn resource_exhausted_is_retried_when_opted_in_with_the_servers_delay() {
        let config = RetryConfig::default().with_retry_resource_exhausted(true);
        let mut status = Status::resource_exhausted("slow down");
        status
            .metadata_mut()
            .insert("retry-after", "2".parse().unwrap());
        assert_eq!(
            verdict(&status, true, &config),
            Verdict::Retry(Some(Duration::from_secs(2)))
        );
        assert_eq!(verdict(&status, false, &config), Verdict::Fail);
    }

    #[test]
    fn a_refused_connection_is_retried_even_when_not_idempotent() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let mut status = Status::unavailable("connect failed");
        status.set_source(std::sync::Arc::new(tonic::ConnectError(Box::new(refused))));
        assert!(never_sent(&status));
        assert_eq!(
            verdict(&status, false, &RetryConfig::default()),
            Verdict::Retry(None)
        );
        assert!(!never_sent(&Status::unavailable("reset after sending")));
    }

    #[test]
    fn disabled_means_one_attempt() {
        assert_eq!(RetryConfig::disabled().max_attempts, 1);
        assert_eq!(RetryConfig::default().with_max_attempts(0).max_attempts, 1);
    }
}
