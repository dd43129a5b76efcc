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
use std::task::{Context, Poll};

use futures::future::{BoxFuture, Either, MapErr, MapOk};
use futures::TryFutureExt as _;
use http::{Request, Response};
use tokio::time::Instant;
use tonic::body::Body;
use tonic::transport::Channel;
use tower::util::Oneshot;
use tower::ServiceExt as _;

use crate::error::Error;
use crate::transport::context::{remaining, CallContext, CallPolicy, GRPC_TIMEOUT};
use crate::transport::sanitize::{sanitize, sanitize_until, ResponseBody};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

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
    context: CallContext,
}

impl fmt::Debug for AuthChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthChannel")
            .field("timeout", &self.context.policy().timeout)
            .field("retry", &self.context.policy().retry)
            .finish_non_exhaustive()
    }
}

impl AuthChannel {
    pub(crate) fn new(context: CallContext) -> Self {
        AuthChannel { context }
    }

    /// What the facade's call path works with.
    pub(crate) fn context(&self) -> &CallContext {
        &self.context
    }

    /// The same connection and token cache with another call policy.
    pub(crate) fn with_policy(&self, policy: CallPolicy) -> Self {
        AuthChannel::new(self.context.with_policy(policy))
    }

    pub(crate) fn policy(&self) -> CallPolicy {
        self.context.policy()
    }

    /// A request from a raw client: fetch the token, send once, and drop
    /// the token if the server refuses it. Unless the request carries its
    /// own `grpc-timeout`, the client's timeout covers both the fetch and
    /// the call: what the fetch left goes out as the call's deadline.
    async fn send_raw(
        self,
        mut request: Request<Body>,
    ) -> Result<Response<ResponseBody>, BoxError> {
        let started = Instant::now();
        let own_limit = request
            .headers()
            .get(&GRPC_TIMEOUT)
            .map(|value| parse_grpc_timeout(value.as_bytes()));
        let deadline = match own_limit {
            // A caller's own deadline that cannot be read is left to tonic
            // and the server, as it was given.
            Some(own) => own.map(|limit| started + limit),
            None => self.context.policy().timeout.map(|limit| started + limit),
        };
        let token = self
            .context
            .token_by(deadline)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        let left = match deadline.filter(|_| own_limit.is_none()) {
            None => None,
            Some(deadline) => {
                Some(remaining(deadline).ok_or_else(|| Box::new(Error::Timeout) as BoxError)?)
            }
        };
        self.context.stamp(request.headers_mut(), &token, left);
        // Every phase is inside the deadline: waiting for a connection, the
        // connect and TLS handshake, the headers (above), and the body and
        // trailers (the body's own timer).
        let sent = self.context.channel().oneshot(request);
        let response = match deadline {
            None => sanitize(sent.await?),
            Some(deadline) => match tokio::time::timeout_at(deadline, sent).await {
                Ok(response) => sanitize_until(response?, deadline),
                Err(_) => return Err(Box::new(Error::Timeout)),
            },
        };
        // A trailers-only answer carries its status in the headers; that is
        // how servers refuse a call before running it.
        if response
            .headers()
            .get(&GRPC_STATUS)
            .is_some_and(|status| status.as_bytes() == UNAUTHENTICATED)
        {
            self.context.reject_token(&token);
        }
        Ok(response)
    }
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
            let channel = self.context.channel();
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

/// A `grpc-timeout` value (at most eight digits and a unit, as the gRPC
/// HTTP/2 protocol defines it), or `None` when it is not one.
fn parse_grpc_timeout(value: &[u8]) -> Option<std::time::Duration> {
    use std::time::Duration;

    let (digits, unit) = value.split_last().map(|(unit, digits)| (digits, *unit))?;
    if digits.is_empty() || digits.len() > 8 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let amount: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(match unit {
        b'H' => Duration::from_secs(amount * 3600),
        b'M' => Duration::from_secs(amount * 60),
        b'S' => Duration::from_secs(amount),
        b'm' => Duration::from_millis(amount),
        b'u' => Duration::from_micros(amount),
        b'n' => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn grpc_timeout_values_parse_by_unit_and_junk_does_not() {
        let cases: &[(&[u8], Option<Duration>)] = &[
            (b"1500m", Some(Duration::from_millis(1500))),
            (b"2S", Some(Duration::from_secs(2))),
            (b"1H", Some(Duration::from_secs(3600))),
            (b"3M", Some(Duration::from_secs(180))),
            (b"10u", Some(Duration::from_micros(10))),
            (b"7n", Some(Duration::from_nanos(7))),
            (b"123456789m", None),
            (b"m", None),
            (b"", None),
            (b"12x", None),
            (b"-1S", None),
        ];
        for (value, expected) in cases {
            assert_eq!(
                parse_grpc_timeout(value),
                *expected,
                "{}",
                String::from_utf8_lossy(value)
            );
        }
    }
}
