//! Faults that act after the handler ran, so whatever it wrote is committed:
//! the client gets another status instead of the answer, a reset stream, or
//! the real answer in a broken shape (stalled, trickled, trailers withheld).
//! These are what a proxy, a gateway or a dying server do to a call the
//! service has already processed.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Response;
use http::HeaderMap;
use http_body::{Body as _, Frame};
use tokio::time::Sleep;
use tonic::Code;

use crate::script::ErrorReply;
use crate::status;

/// What happens to a call's answer once the handler has run.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AfterHandler {
    /// The answer is dropped; the client gets this status instead.
    Status(Code),
    /// The answer is dropped; the client gets this scripted error, details
    /// and all, instead.
    Error(Box<ErrorReply>),
    /// The answer is dropped; the stream is reset (RST_STREAM) before any
    /// of it is sent.
    Reset,
    /// The response headers are sent, then nothing until the client goes
    /// away.
    StallAfterHeaders,
    /// The headers and the message are sent, then nothing: the trailers
    /// (with the gRPC status) never come.
    StallBeforeTrailers,
    /// The whole answer is sent in small pieces spread over at least this
    /// long.
    Trickle(Duration),
}

impl AfterHandler {
    /// The status the client gets when the handler answered `handler`:
    /// `None` when it gets none (a reset stream, a stall).
    pub(crate) fn status_seen(&self, handler: Option<Code>) -> Option<Code> {
        match self {
            AfterHandler::Status(code) => Some(*code),
            AfterHandler::Error(error) => Some(error.code()),
            AfterHandler::Reset
            | AfterHandler::StallAfterHeaders
            | AfterHandler::StallBeforeTrailers => None,
            AfterHandler::Trickle(_) => handler,
        }
    }
}

/// Marks a response the server must not send: the serving loop resets the
/// stream instead (see `crate::serve`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResetStream;

/// How many stalled responses are still held open. Each stall holds a
/// [`StallGuard`] in its body, which the server drops when the client
/// resets the stream or the connection ends.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpenStalls(Arc<AtomicUsize>);

impl OpenStalls {
    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn hold(&self) -> StallGuard {
        self.0.fetch_add(1, Ordering::SeqCst);
        StallGuard(self.0.clone())
    }
}

/// One open stall; counted while it lives.
#[derive(Debug)]
struct StallGuard(Arc<AtomicUsize>);

impl Drop for StallGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A trickled answer is cut into at most this many pieces, each sent after
/// its share of the delay: small enough to split the 5-byte gRPC message
/// prefix of a small answer, few enough that timer granularity does not
/// stretch the whole far beyond what was asked.
const TRICKLE_PIECES: usize = 32;

/// The headers that carry a gRPC status.
const STATUS_HEADERS: [&str; 3] = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// Applies `fault` to `response`, the answer the handler gave.
pub(crate) async fn apply(
    fault: AfterHandler,
    response: Response,
    stalls: &OpenStalls,
) -> Response {
    match fault {
        AfterHandler::Status(code) => status::with_error_info(
            code,
            format!("injected {code:?} after the handler ran"),
            scalekit::proto::errdetails::ErrorInfo {
                error_code: "INJECTED_FAULT".into(),
                ..Default::default()
            },
        )
        .into_http::<Body>(),
        AfterHandler::Error(error) => error.status().into_http::<Body>(),
        AfterHandler::Reset => {
            let mut reset = Response::new(Body::empty());
            reset.extensions_mut().insert(ResetStream);
            reset
        }
        AfterHandler::StallAfterHeaders => {
            let (mut parts, _answer) = response.into_parts();
            take_status_headers(&mut parts.headers);
            let body = ScriptedBody::new(
                VecDeque::new(),
                End::Stall {
                    _open: stalls.hold(),
                },
            );
            Response::from_parts(parts, Body::new(body))
        }
        AfterHandler::StallBeforeTrailers => {
            let (parts, answer) = match read_answer(response).await {
                Ok(read) => read,
                Err(broken) => return broken,
            };
            let frames = answer
                .data
                .into_iter()
                .map(|data| (Duration::ZERO, Frame::data(data)))
                .collect();
            let body = ScriptedBody::new(
                frames,
                End::Stall {
                    _open: stalls.hold(),
                },
            );
            Response::from_parts(parts, Body::new(body))
        }
        AfterHandler::Trickle(at_least) => {
            let (parts, answer) = match read_answer(response).await {
                Ok(read) => read,
                Err(broken) => return broken,
            };
            let body = ScriptedBody::new(trickle(answer, at_least), End::Finish);
            Response::from_parts(parts, Body::new(body))
        }
    }
}

/// A response body read to its end.
struct Answer {
    /// All the data frames, joined (`None` for a trailers-only response).
    data: Option<Bytes>,
    trailers: HeaderMap,
}

/// Reads the whole body of `response` (an emulator answer is unary and
/// already computed). A trailers-only response (an error the handler gave
/// in the headers alone) becomes headers without the status plus the
/// status as trailers, so every fault has a body phase to act on. On a body
/// error, the error answer to send instead.
async fn read_answer(response: Response) -> Result<(http::response::Parts, Answer), Response> {
    let (mut parts, mut body) = response.into_parts();
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let mut data: Vec<u8> = Vec::new();
    let mut trailers = take_status_headers(&mut parts.headers);
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(error) => {
                return Err(
                    tonic::Status::internal(format!("reading the answer: {error}"))
                        .into_http::<Body>(),
                )
            }
        };
        match frame.into_data() {
            Ok(chunk) => data.extend_from_slice(&chunk),
            Err(frame) => {
                if let Ok(more) = frame.into_trailers() {
                    trailers.extend(more);
                }
            }
        }
    }
    let data = (!data.is_empty()).then(|| Bytes::from(data));
    Ok((parts, Answer { data, trailers }))
}

/// Moves the gRPC status headers out of `headers`.
fn take_status_headers(headers: &mut HeaderMap) -> HeaderMap {
    let mut status = HeaderMap::new();
    for name in STATUS_HEADERS {
        if let Some(value) = headers.remove(name) {
            status.insert(name, value);
        }
    }
    status
}

/// The frames of a trickled answer: the data in pieces, each after an equal
/// share of `at_least`, then the trailers at once. A trailers-only answer
/// sends its trailers after the whole delay.
fn trickle(answer: Answer, at_least: Duration) -> VecDeque<(Duration, Frame<Bytes>)> {
    let mut frames = VecDeque::new();
    match answer.data {
        Some(data) => {
            let size = data.len().div_ceil(TRICKLE_PIECES).max(1);
            // Counted from the size: 33 bytes in pieces of 2 make 17.
            let pieces = data.len().div_ceil(size);
            let pause = at_least / u32::try_from(pieces).unwrap_or(u32::MAX);
            let mut rest = data;
            while !rest.is_empty() {
                let piece = rest.split_to(size.min(rest.len()));
                frames.push_back((pause, Frame::data(piece)));
            }
            frames.push_back((Duration::ZERO, Frame::trailers(answer.trailers)));
        }
        None => frames.push_back((at_least, Frame::trailers(answer.trailers))),
    }
    frames
}

/// How a [`ScriptedBody`] ends once its frames are sent.
#[derive(Debug)]
enum End {
    /// The stream ends.
    Finish,
    /// Nothing more, ever: the body stays pending until the server drops
    /// it (the client reset the stream or the connection closed). The
    /// guard counts the stall while the body lives.
    Stall { _open: StallGuard },
}

/// A response body that sends given frames, each after its own pause, and
/// then ends or stalls.
#[derive(Debug)]
struct ScriptedBody {
    frames: VecDeque<(Duration, Frame<Bytes>)>,
    /// The pause before the front frame, once started.
    pause: Option<Pin<Box<Sleep>>>,
    end: End,
}

impl ScriptedBody {
    fn new(frames: VecDeque<(Duration, Frame<Bytes>)>, end: End) -> Self {
        ScriptedBody {
            frames,
            pause: None,
            end,
        }
    }
}

impl http_body::Body for ScriptedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let Some(&(delay, _)) = this.frames.front() else {
            return match this.end {
                End::Finish => Poll::Ready(None),
                // No waker is kept: nothing will ever wake this body. The
                // server polls the stream for a reset alongside it, and
                // drops the body on a reset or when the connection ends.
                End::Stall { .. } => Poll::Pending,
            };
        };
        if !delay.is_zero() {
            let pause = this
                .pause
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
            ready!(pause.as_mut().poll(cx));
            this.pause = None;
        }
        Poll::Ready(this.frames.pop_front().map(|(_, frame)| Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty() && matches!(self.end, End::Finish)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_of(frames: &VecDeque<(Duration, Frame<Bytes>)>) -> Vec<u8> {
        frames
            .iter()
            .filter_map(|(_, f)| f.data_ref())
            .flat_map(|d| d.iter().copied())
            .collect()
    }

    #[test]
    fn a_trickle_keeps_every_byte_in_order_and_spreads_the_whole_delay() {
        let at_least = Duration::from_millis(320);
        for len in [1usize, 5, 31, 32, 33, 600] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let frames = trickle(
                Answer {
                    data: Some(Bytes::from(data.clone())),
                    trailers: HeaderMap::new(),
                },
                at_least,
            );
            assert_eq!(data_of(&frames), data, "{len} bytes");
            let pieces = frames.len() - 1;
            assert!(
                pieces <= TRICKLE_PIECES && pieces >= len.min(2),
                "{len} bytes: {pieces} pieces"
            );
            let total: Duration = frames.iter().map(|(pause, _)| *pause).sum();
            // Each piece's share rounds down by under a nanosecond.
            assert!(
                total + Duration::from_nanos(pieces as u64) >= at_least,
                "{len} bytes: {total:?}"
            );
            assert!(total <= at_least, "{len} bytes: {total:?}");
            assert!(frames.back().is_some_and(|(_, f)| f.is_trailers()));
        }
    }

    #[test]
    fn a_trailers_only_answer_trickles_its_trailers_after_the_whole_delay() {
        let frames = trickle(
            Answer {
                data: None,
                trailers: HeaderMap::new(),
            },
            Duration::from_millis(50),
        );
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].0, Duration::from_millis(50));
        assert!(frames[0].1.is_trailers());
    }

    #[test]
    fn the_status_headers_move_out_and_the_rest_stay() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/grpc".parse().expect("a value"));
        headers.insert("grpc-status", "5".parse().expect("a value"));
        headers.insert("grpc-message", "gone".parse().expect("a value"));
        let status = take_status_headers(&mut headers);
        assert_eq!(headers.len(), 1);
        assert!(headers.contains_key("content-type"));
        assert_eq!(status.len(), 2);
        assert_eq!(status["grpc-status"], "5");
    }

    #[test]
    fn a_stall_is_counted_until_its_body_is_dropped() {
        let stalls = OpenStalls::default();
        let body = ScriptedBody::new(
            VecDeque::new(),
            End::Stall {
                _open: stalls.hold(),
            },
        );
        let other = ScriptedBody::new(
            VecDeque::new(),
            End::Stall {
                _open: stalls.hold(),
            },
        );
        assert!(!body.is_end_stream());
        assert_eq!(stalls.count(), 2);
        drop(body);
        assert_eq!(stalls.count(), 1);
        drop(other);
        assert_eq!(stalls.count(), 0);
    }
}
