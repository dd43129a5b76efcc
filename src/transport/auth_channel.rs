//! [`AuthChannel`]: the tower service every generated client of a
//! [`ScalekitClient`](crate::ScalekitClient) sends through.
//!
//! tonic's `Interceptor` is synchronous and cannot wait for a token fetch, so
//! authentication is a service around the `Channel` instead (the pattern of
//! tonic's tower example). Because it sits below the generated clients, the
//! raw clients of [`ScalekitClient::raw`](crate::ScalekitClient::raw) get the
//! same headers, token handling and retry as the facade.

use std::convert::Infallible;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use http::{HeaderValue, Request, Response};
use http_body::Frame;
use http_body_util::{BodyExt as _, Full, StreamBody};
use tonic::body::Body;
use tonic::transport::{Channel, Endpoint};
use tower::ServiceExt as _;

use crate::error::Error;
use crate::transport::headers::SdkHeaders;
use crate::transport::token::{AccessToken, TokenSource};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const GRPC_TIMEOUT: &str = "grpc-timeout";
const GRPC_STATUS: &str = "grpc-status";

/// gRPC status code 16, `UNAUTHENTICATED`.
const UNAUTHENTICATED: &str = "16";

/// An authenticated gRPC channel to a Scalekit environment.
///
/// Every request gets `authorization: Bearer <token>` from the client's shared
/// token cache, the SDK's `user-agent`, `x-sdk-version` and `x-api-version`
/// headers, and the client's per-request timeout (also sent to the server as
/// `grpc-timeout`). A call answered with `UNAUTHENTICATED` is retried once with
/// a freshly fetched token.
///
/// Cloning is cheap: clones share the connection and the token cache.
/// Obtain one through [`ScalekitClient::raw`](crate::ScalekitClient::raw).
#[derive(Clone)]
pub struct AuthChannel {
    shared: Arc<Shared>,
}

/// Where the gRPC channel comes from.
pub(crate) enum ChannelSource {
    /// A channel the caller built.
    Ready(Channel),
    /// Connected on first use. `Endpoint::connect_lazy` spawns a task, so it
    /// needs a Tokio runtime; deferring it to the first call (which always
    /// runs inside one) lets a client be built anywhere, runtime or not.
    Lazy {
        endpoint: Box<Endpoint>,
        channel: OnceLock<Channel>,
    },
}

impl ChannelSource {
    fn channel(&self) -> Channel {
        match self {
            ChannelSource::Ready(channel) => channel.clone(),
            ChannelSource::Lazy { endpoint, channel } => {
                channel.get_or_init(|| endpoint.connect_lazy()).clone()
            }
        }
    }
}

pub(crate) struct Shared {
    pub(crate) channel: ChannelSource,
    pub(crate) tokens: TokenSource,
    pub(crate) headers: SdkHeaders,
    pub(crate) timeout: Option<Duration>,
}

impl fmt::Debug for AuthChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthChannel")
            .field("timeout", &self.shared.timeout)
            .finish_non_exhaustive()
    }
}

impl AuthChannel {
    pub(crate) fn new(shared: Shared) -> Self {
        AuthChannel {
            shared: Arc::new(shared),
        }
    }

    async fn send(self, request: Request<Body>) -> Result<Response<Body>, BoxError> {
        // The body is buffered so that it can be sent a second time. Every
        // Scalekit RPC is unary, so this is one small protobuf message.
        let (parts, body) = request.into_parts();
        let body = body.collect().await?.to_bytes();

        let token = self.token().await?;
        let first = self.attempt(&parts, body.clone(), &token).await?;
        if !first.is_unauthenticated() {
            return Ok(first.response);
        }
        tracing::debug!(uri = %parts.uri, "UNAUTHENTICATED; refreshing the token and retrying once");
        self.shared.tokens.invalidate(&token);
        let token = self.token().await?;
        Ok(self.attempt(&parts, body, &token).await?.response)
    }

    async fn token(&self) -> Result<AccessToken, BoxError> {
        self.shared
            .tokens
            .token()
            .await
            .map_err(|e| Box::new(Error::Auth(e)) as BoxError)
    }

    async fn attempt(
        &self,
        parts: &http::request::Parts,
        body: Bytes,
        token: &AccessToken,
    ) -> Result<Buffered, BoxError> {
        let mut request = Request::new(Body::new(Full::new(body)));
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = parts.uri.clone();
        *request.version_mut() = parts.version;
        *request.headers_mut() = parts.headers.clone();
        *request.extensions_mut() = parts.extensions.clone();

        let headers = request.headers_mut();
        self.shared.headers.apply(headers);
        headers.insert(http::header::AUTHORIZATION, token.bearer().clone());

        if let Some(limit) = self.shared.timeout {
            // Tell the server how long we will wait, unless the caller did.
            if !headers.contains_key(GRPC_TIMEOUT) {
                headers.insert(GRPC_TIMEOUT, grpc_timeout_value(limit));
            }
        }

        let channel = self.shared.channel.channel();
        let call = async move { buffer_response(channel.oneshot(request).await?).await };
        match self.shared.timeout {
            None => Ok(call.await?),
            Some(limit) => match tokio::time::timeout(limit, call).await {
                Ok(result) => Ok(result?),
                Err(_) => Err(Box::new(Error::Timeout)),
            },
        }
    }
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

/// A response read to its end, with the gRPC status it carried.
struct Buffered {
    response: Response<Body>,
    grpc_status: Option<HeaderValue>,
}

impl Buffered {
    fn is_unauthenticated(&self) -> bool {
        self.grpc_status
            .as_ref()
            .is_some_and(|v| v.as_bytes() == UNAUTHENTICATED.as_bytes())
    }
}

/// Reads the whole response so that its status can be seen wherever the
/// server put it: in the headers of a trailers-only response (how servers
/// usually fail a call before any message) or in the trailers. Every
/// Scalekit RPC is unary, so the body is one small message.
async fn buffer_response(response: Response<Body>) -> Result<Buffered, BoxError> {
    let (parts, body) = response.into_parts();
    let collected = body.collect().await?;
    let trailers = collected.trailers().cloned();
    let grpc_status = parts
        .headers
        .get(GRPC_STATUS)
        .or_else(|| trailers.as_ref().and_then(|t| t.get(GRPC_STATUS)))
        .cloned();
    let mut frames = vec![Ok::<_, Infallible>(Frame::data(collected.to_bytes()))];
    if let Some(trailers) = trailers {
        frames.push(Ok(Frame::trailers(trailers)));
    }
    let body = Body::new(StreamBody::new(futures::stream::iter(frames)));
    Ok(Buffered {
        response: Response::from_parts(parts, body),
        grpc_status,
    })
}

impl tower::Service<Request<Body>> for AuthChannel {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<Body>, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Readiness of the underlying channel is awaited per attempt
        // (`oneshot`), because a retry needs it again.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        Box::pin(self.clone().send(request))
    }
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
