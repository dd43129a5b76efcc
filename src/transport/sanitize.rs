//! Keeps a malformed error detail from panicking the caller.
//!
//! tonic 0.14 decodes `grpc-status-details-bin` with an `expect`: a server
//! (or anything in between) that sends it as something other than base64
//! panics the task that made the call, in the headers of a trailers-only
//! answer and in the trailers alike. Input from the network must not panic
//! this SDK, so an undecodable value is dropped before tonic reads it: the
//! call still fails with the server's code and message, without details.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine as _};
use bytes::Bytes;
use http::{HeaderMap, Response};
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};
use tonic::body::Body;

const GRPC_STATUS_DETAILS: http::HeaderName =
    http::HeaderName::from_static("grpc-status-details-bin");

/// The alphabet and padding rules tonic decodes the header with.
const DETAILS_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Drops an undecodable `grpc-status-details-bin` from `headers`.
pub(crate) fn drop_undecodable_details(headers: &mut HeaderMap) {
    let undecodable = headers
        .get(&GRPC_STATUS_DETAILS)
        .is_some_and(|value| DETAILS_BASE64.decode(value.as_bytes()).is_err());
    if undecodable {
        tracing::debug!("dropping a grpc-status-details-bin that is not base64");
        headers.remove(&GRPC_STATUS_DETAILS);
    }
}

/// `response` with its headers and, when they come, its trailers checked.
pub(crate) fn sanitize(response: Response<Body>) -> Response<ResponseBody> {
    let (mut parts, body) = response.into_parts();
    drop_undecodable_details(&mut parts.headers);
    Response::from_parts(
        parts,
        ResponseBody {
            inner: body,
            deadline: None,
        },
    )
}

/// [`sanitize`], and the body fails with `DEADLINE_EXCEEDED` once
/// `deadline` passes: tonic's own timer stops at the response headers, so
/// without this a raw call whose server stalls the body or never sends
/// trailers would wait forever. The facade needs none of it, since its call
/// path bounds the whole attempt.
pub(crate) fn sanitize_until(
    response: Response<Body>,
    deadline: Instant,
) -> Response<ResponseBody> {
    let mut response = sanitize(response);
    response.body_mut().deadline = Some(Box::pin(tokio::time::sleep_until(deadline)));
    response
}

/// The response body of an [`AuthChannel`](crate::AuthChannel): the
/// connection's body, with an undecodable `grpc-status-details-bin` dropped
/// from its trailers (tonic would panic on it).
///
/// The generated clients read it like any other body. It is a type of its
/// own rather than a boxed [`tonic::body::Body`], which would cost an
/// allocation per call.
pub struct ResponseBody {
    inner: Body,
    /// When a raw call's budget runs out (see [`sanitize_until`]).
    deadline: Option<Pin<Box<Sleep>>>,
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody").finish_non_exhaustive()
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, tonic::Status>>> {
        if let Some(deadline) = self.deadline.as_mut() {
            if deadline.as_mut().poll(cx).is_ready() {
                self.deadline = None;
                self.inner = Body::empty();
                let mut status = tonic::Status::deadline_exceeded(
                    "the call's deadline passed before the response was complete",
                );
                // Marks it as the client's own timeout (`Error::Timeout`),
                // not a server's DEADLINE_EXCEEDED.
                status.set_source(std::sync::Arc::new(crate::Error::Timeout));
                return Poll::Ready(Some(Err(status)));
            }
        }
        Pin::new(&mut self.inner).poll_frame(cx).map(|frame| {
            frame.map(|frame| {
                frame.map(|frame| match frame.into_trailers() {
                    Ok(mut trailers) => {
                        drop_undecodable_details(&mut trailers);
                        Frame::trailers(trailers)
                    }
                    Err(data) => data,
                })
            })
        })
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undecodable_details_are_dropped_and_decodable_ones_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(&GRPC_STATUS_DETAILS, "!!!".parse().unwrap());
        drop_undecodable_details(&mut headers);
        assert!(headers.get(GRPC_STATUS_DETAILS).is_none());

        for kept in ["CAUSBG5vcGU", "CAUSBG5vcGU="] {
            headers.insert(&GRPC_STATUS_DETAILS, kept.parse().unwrap());
            drop_undecodable_details(&mut headers);
            assert_eq!(headers.get(&GRPC_STATUS_DETAILS).unwrap(), kept);
        }
    }

    #[test]
    fn tonic_reads_a_sanitized_map_without_panicking() {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-status", "5".parse().unwrap());
        // The bytes the fuzzer found: not base64 at all.
        let undecodable = http::HeaderValue::from_bytes(&[0xff; 9]).unwrap();
        headers.insert(&GRPC_STATUS_DETAILS, undecodable);
        drop_undecodable_details(&mut headers);
        let status = tonic::Status::from_header_map(&headers).expect("a status");
        assert_eq!(status.code(), tonic::Code::NotFound);
        assert!(status.details().is_empty());
    }
}
