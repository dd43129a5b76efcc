//! [`CallContext`]: what every call of one client shares (the connection,
//! the token cache, the SDK's headers, the retry budget) together with the
//! call policy of one handle (deadline, retry rules, idempotency override).
//!
//! The facade's call path ([`call`](super::call)) works on it directly; the
//! raw clients' tower service ([`AuthChannel`](super::AuthChannel)) wraps
//! it. Both depend on this module and neither on the other's internals.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use http::HeaderValue;
use tokio::time::Instant;
use tonic::transport::{Channel, Endpoint};

use crate::error::Error;
use crate::transport::budget::RetryBudget;
use crate::transport::headers::SdkHeaders;
use crate::transport::probe::BearerProbe;
use crate::transport::retry::RetryConfig;
use crate::transport::token::{AccessToken, TokenSource};

// Names as constants, so that no call parses them again.
pub(crate) const GRPC_TIMEOUT: http::HeaderName = http::HeaderName::from_static("grpc-timeout");

/// The deadline and retry rules of calls made through one handle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CallPolicy {
    /// The whole call's budget: token fetch, attempts and backoff. `None`
    /// means no limit.
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryConfig,
    /// Overrides the contract's idempotency of every RPC made through this
    /// handle (see [`ScalekitClient::with_idempotency`](crate::ScalekitClient::with_idempotency)).
    pub(crate) idempotent: Option<bool>,
}

/// Where the gRPC channel comes from.
pub(crate) enum ChannelSource {
    /// A channel the caller built.
    Ready(Channel),
    /// Connected on first use. `Endpoint::connect_lazy` spawns the
    /// connection's worker task, so it needs a Tokio runtime; deferring it to
    /// the first call (which always runs inside one) lets a client be built
    /// anywhere. The worker dies with that runtime, so the channel is
    /// replaced when a call finds it closed.
    Lazy {
        endpoint: Box<Endpoint>,
        channel: ArcSwapOption<Channel>,
    },
}

impl ChannelSource {
    /// A lazily made source for `endpoint`.
    pub(crate) fn lazy(endpoint: Endpoint) -> Self {
        ChannelSource::Lazy {
            endpoint: Box::new(endpoint),
            channel: ArcSwapOption::empty(),
        }
    }

    pub(crate) fn channel(&self) -> Channel {
        match self {
            ChannelSource::Ready(channel) => channel.clone(),
            ChannelSource::Lazy { endpoint, channel } => {
                if let Some(ready) = channel.load().as_deref() {
                    return ready.clone();
                }
                // Two first calls may race here: the first channel stored
                // wins, and the other one is dropped unused.
                let fresh = Arc::new(endpoint.connect_lazy());
                let previous =
                    channel.compare_and_swap(&None::<Arc<Channel>>, Some(Arc::clone(&fresh)));
                match previous.as_deref() {
                    Some(existing) => existing.clone(),
                    None => Channel::clone(&fresh),
                }
            }
        }
    }

    /// Whether the SDK's user agent must be sent as a header. A channel made
    /// here has it set on its endpoint, where tonic joins it with its own
    /// once; set per request, tonic would join the two on every call.
    fn needs_user_agent(&self) -> bool {
        matches!(self, ChannelSource::Ready(_))
    }

    /// Replaces a lazily made channel whose worker has gone. Returns whether
    /// the next attempt will use a new channel.
    fn replace(&self) -> bool {
        match self {
            ChannelSource::Ready(_) => false,
            ChannelSource::Lazy { endpoint, channel } => {
                channel.store(Some(Arc::new(endpoint.connect_lazy())));
                true
            }
        }
    }
}

/// What every handle of one client shares.
pub(crate) struct Shared {
    pub(crate) channel: ChannelSource,
    pub(crate) tokens: TokenSource,
    pub(crate) headers: SdkHeaders,
    pub(crate) budget: RetryBudget,
    pub(crate) probe: BearerProbe,
}

impl Shared {
    pub(crate) fn new(channel: ChannelSource, tokens: TokenSource, headers: SdkHeaders) -> Self {
        Shared {
            channel,
            tokens,
            headers,
            budget: RetryBudget::default(),
            probe: BearerProbe::default(),
        }
    }
}

/// The shared state of a client and the call policy of one handle.
#[derive(Clone)]
pub(crate) struct CallContext {
    shared: Arc<Shared>,
    policy: CallPolicy,
}

impl std::fmt::Debug for CallContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallContext")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl CallContext {
    pub(crate) fn new(shared: Shared, policy: CallPolicy) -> Self {
        CallContext {
            shared: Arc::new(shared),
            policy,
        }
    }

    /// The same connection and token cache with another call policy.
    pub(crate) fn with_policy(&self, policy: CallPolicy) -> Self {
        CallContext {
            shared: Arc::clone(&self.shared),
            policy,
        }
    }

    pub(crate) fn policy(&self) -> CallPolicy {
        self.policy
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The gRPC channel to send on.
    pub(crate) fn channel(&self) -> Channel {
        self.shared.channel.channel()
    }

    /// The cached access token, fetched when there is none or it is due
    /// for refresh.
    pub(crate) async fn access_token(&self) -> Result<AccessToken, Error> {
        self.shared.tokens.token().await.map_err(Error::Auth)
    }

    /// The access token, by `deadline` if there is one. A fresh cached token
    /// comes back at once, with no fetch future and no timer: the path of
    /// nearly every call, facade and raw alike.
    pub(crate) async fn token_by(&self, deadline: Option<Instant>) -> Result<AccessToken, Error> {
        if let Some(token) = self.shared.tokens.fresh() {
            return Ok(token);
        }
        match deadline {
            None => self.access_token().await,
            Some(deadline) => tokio::time::timeout_at(deadline, self.access_token())
                .await
                .unwrap_or(Err(Error::Timeout)),
        }
    }

    /// The server refused `token`: forget it, unless a newer one already
    /// replaced it.
    pub(crate) fn reject_token(&self, token: &AccessToken) {
        self.shared.tokens.invalidate(token);
    }

    /// The server accepted a call made with `token`, sent at `sent`.
    pub(crate) fn accepted(&self, token: &AccessToken, sent: Instant) {
        token.accepted_request_sent(sent);
        self.shared.budget.succeeded();
    }

    /// When `status` says the channel's worker is gone (its runtime was
    /// shut down), swaps in a new channel and returns `true`: the request
    /// never left, so it may be sent again.
    pub(crate) fn replace_closed_channel(&self, status: &tonic::Status) -> bool {
        worker_closed(status) && {
            tracing::debug!("the gRPC channel's worker has gone; reconnecting");
            self.shared.channel.replace()
        }
    }

    /// The headers of one facade attempt: the bearer, the SDK's headers and
    /// `grpc-timeout` with what is left of the call's budget. Built here, in
    /// one map sized for everything tonic adds later, so that the request
    /// passes the channel's service untouched and no map grows on the way.
    pub(crate) fn rpc_metadata(
        &self,
        token: &AccessToken,
        left: Option<Duration>,
    ) -> tonic::metadata::MetadataMap {
        // Ours (4), plus tonic's `te`, `content-type` and `user-agent`.
        let mut headers = http::HeaderMap::with_capacity(8);
        self.stamp(&mut headers, token, left);
        tonic::metadata::MetadataMap::from_headers(headers)
    }

    /// Sets the bearer, the SDK's headers and, when given, `grpc-timeout`.
    pub(crate) fn stamp(
        &self,
        headers: &mut http::HeaderMap,
        token: &AccessToken,
        left: Option<Duration>,
    ) {
        headers.insert(http::header::AUTHORIZATION, token.bearer().clone());
        self.shared.headers.apply_rpc(headers);
        if self.shared.channel.needs_user_agent() {
            headers.insert(
                http::header::USER_AGENT,
                self.shared.headers.user_agent.clone(),
            );
        }
        if let Some(left) = left {
            headers.insert(GRPC_TIMEOUT, grpc_timeout_value(left));
        }
    }
}

/// What is left of the budget, or `None` when less than the millisecond
/// `grpc-timeout` can express is left.
pub(crate) fn remaining(deadline: Instant) -> Option<Duration> {
    remaining_at(deadline, Instant::now())
}

/// [`remaining`] as of `now`.
pub(crate) fn remaining_at(deadline: Instant, now: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(now)
        .filter(|left| *left >= Duration::from_millis(1))
}

/// Whether a failed attempt met a channel whose worker task has gone.
fn worker_closed(status: &tonic::Status) -> bool {
    use std::error::Error as _;

    let mut source = status.source();
    while let Some(err) = source {
        if err.is::<tower::buffer::error::Closed>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The `grpc-timeout` header value for `limit`, in milliseconds (the format
/// allows at most eight digits, so longer limits are sent in seconds).
pub(crate) fn grpc_timeout_value(limit: Duration) -> HeaderValue {
    let millis = limit.as_millis();
    let text = if millis < 100_000_000 {
        format!("{millis}m")
    } else {
        format!("{}S", limit.as_secs().min(99_999_999))
    };
    HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static("99999999S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_is_milliseconds_up_to_eight_digits() {
        assert_eq!(grpc_timeout_value(Duration::from_secs(30)), "30000m");
        assert_eq!(grpc_timeout_value(Duration::from_millis(1500)), "1500m");
        assert_eq!(grpc_timeout_value(Duration::from_secs(200_000)), "200000S");
    }
}
