//! [`AuthChannel`]: the tower service every generated client of a
//! [`ScalekitClient`](crate::ScalekitClient) sends through.
//!
//! tonic's `Interceptor` is synchronous and cannot wait for a token fetch, so
//! authentication is a service around the `Channel` instead (the pattern of
//! tonic's tower example). It sits below the generated clients, so the raw
//! clients of [`ScalekitClient::raw`](crate::ScalekitClient::raw) get the
//! same headers and token handling as the facade.
//!
//! Facade calls arrive from the call path ([`call`](super::call)) with every
//! header already set (bearer, SDK headers, the remaining budget as
//! `grpc-timeout`); they pass straight through, with no buffering and no
//! boxing. Requests
//! from raw clients fetch the token here, get the client's default deadline
//! when they carry none, and are sent once: retries and the resend after
//! `UNAUTHENTICATED` need the request message, which only the call path
//! has. A raw call that the server answers with `UNAUTHENTICATED` still
//! drops the cached token, so the next call fetches a fresh one.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use futures::future::{BoxFuture, Either, MapErr, MapOk};
use futures::TryFutureExt as _;
use http::{HeaderValue, Request, Response};
use tokio::time::Instant;
use tonic::body::Body;
use tonic::transport::{Channel, Endpoint};
use tower::util::Oneshot;
use tower::ServiceExt as _;

use crate::error::Error;
use crate::transport::call::remaining;
use crate::transport::headers::SdkHeaders;
use crate::transport::retry::RetryConfig;
use crate::transport::sanitize::{sanitize, ResponseBody};
use crate::transport::token::{AccessToken, TokenSource};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

// Names as constants, so that no call parses them again.
const GRPC_TIMEOUT: http::HeaderName = http::HeaderName::from_static("grpc-timeout");
const GRPC_STATUS: http::HeaderName = http::HeaderName::from_static("grpc-status");

/// gRPC status code 16, `UNAUTHENTICATED`.
const UNAUTHENTICATED: &[u8] = b"16";

/// An authenticated gRPC channel to a Scalekit environment.
///
/// Every request gets `authorization: Bearer <token>` from the client's shared
/// token cache, the SDK's `user-agent`, `x-sdk-version` and `x-api-version`
/// headers, and, unless it carries one, the client's deadline as
/// `grpc-timeout` (which tonic also enforces locally). Raw calls are sent
/// once; the facade's methods add retries and the resend after
/// `UNAUTHENTICATED` on top.
///
/// Cloning is cheap: clones share the connection and the token cache.
/// Obtain one through [`ScalekitClient::raw`](crate::ScalekitClient::raw).
#[derive(Clone)]
pub struct AuthChannel {
    shared: Arc<Shared>,
    policy: CallPolicy,
}

/// The deadline and retry rules of calls made through one handle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CallPolicy {
    /// The whole call's budget: token fetch, attempts and backoff. `None`
    /// means no limit.
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryConfig,
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

    fn channel(&self) -> Channel {
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

pub(crate) struct Shared {
    pub(crate) channel: ChannelSource,
    pub(crate) tokens: TokenSource,
    pub(crate) headers: SdkHeaders,
}

impl fmt::Debug for AuthChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthChannel")
            .field("timeout", &self.policy.timeout)
            .field("retry", &self.policy.retry)
            .finish_non_exhaustive()
    }
}

impl AuthChannel {
    pub(crate) fn new(shared: Shared, policy: CallPolicy) -> Self {
        AuthChannel {
            shared: Arc::new(shared),
            policy,
        }
    }

    /// The same connection and token cache with another call policy.
    pub(crate) fn with_policy(&self, policy: CallPolicy) -> Self {
        AuthChannel {
            shared: Arc::clone(&self.shared),
            policy,
        }
    }

    pub(crate) fn policy(&self) -> CallPolicy {
        self.policy
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
    /// passes this service untouched and no map grows on the way.
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

    fn stamp(&self, headers: &mut http::HeaderMap, token: &AccessToken, left: Option<Duration>) {
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

    /// A request from a raw client: fetch the token, send once, and drop
    /// the token if the server refuses it. Unless the request carries its
    /// own `grpc-timeout`, the client's timeout covers both the fetch and
    /// the call: what the fetch left goes out as the call's deadline.
    async fn send_raw(
        self,
        mut request: Request<Body>,
    ) -> Result<Response<ResponseBody>, BoxError> {
        let own_deadline = request.headers().contains_key(&GRPC_TIMEOUT);
        let deadline = self.policy.timeout.map(|limit| Instant::now() + limit);
        let token = self
            .token_by(deadline)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        let left = match deadline.filter(|_| !own_deadline) {
            None => None,
            Some(deadline) => {
                Some(remaining(deadline).ok_or_else(|| Box::new(Error::Timeout) as BoxError)?)
            }
        };
        self.stamp(request.headers_mut(), &token, left);
        let response = sanitize(self.shared.channel.channel().oneshot(request).await?);
        // A trailers-only answer carries its status in the headers; that is
        // how servers refuse a call before running it.
        if response
            .headers()
            .get(&GRPC_STATUS)
            .is_some_and(|status| status.as_bytes() == UNAUTHENTICATED)
        {
            self.shared.tokens.invalidate(&token);
        }
        Ok(response)
    }
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

type Direct = MapOk<
    MapErr<Oneshot<Channel, Request<Body>>, fn(tonic::transport::Error) -> BoxError>,
    fn(Response<Body>) -> Response<ResponseBody>,
>;

impl tower::Service<Request<Body>> for AuthChannel {
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = Either<Direct, BoxFuture<'static, Result<Response<ResponseBody>, BoxError>>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The channel's own readiness is awaited per request (`oneshot`),
        // since the raw path must fetch a token before it sends.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if request.headers().contains_key(http::header::AUTHORIZATION) {
            // From the call path, with every header set (see
            // `rpc_metadata`); or a raw request carrying credentials of its
            // caller's choosing, which go out as given.
            let channel = self.shared.channel.channel();
            Either::Left(
                channel
                    .oneshot(request)
                    .map_err(into_box as fn(_) -> _)
                    .map_ok(sanitize as fn(_) -> _),
            )
        } else {
            Either::Right(Box::pin(self.clone().send_raw(request)))
        }
    }
}

fn into_box(err: tonic::transport::Error) -> BoxError {
    Box::new(err)
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
