//! Taking a call's request message for the journal without taking it from
//! the handler: the gate reads the start of the body, records what it
//! holds, and hands the handler a body that replays what was read and then
//! goes on with the rest.
//!
//! A unary gRPC body is one message behind a five-byte prefix (a
//! compressed flag and a big-endian length). Reading stops as soon as the
//! prefix declares a message over the journal's limit, or more than that
//! has arrived, so a large body is never buffered here; the handler reads
//! it as it would have.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body as _, Frame};
use tonic::Code;

use super::{Journal, RecordedBody};

/// The gRPC message prefix: a compressed flag and a 32-bit length.
const PREFIX: usize = 5;

/// Records the call `request` is (of `method`) in `journal`, if it is on;
/// gives back the request, whole, and the entry's sequence number.
pub(crate) async fn record(
    journal: &Journal,
    request: Request,
    method: &str,
) -> (Request, Option<u64>) {
    if !journal.is_on() {
        return (request, None);
    }
    let (parts, body) = request.into_parts();
    let read = Read::start(body, journal.message_limit()).await;
    let sequence = journal.record(method, &parts.headers, read.recorded());
    (
        Request::from_parts(parts, Body::new(read.replay)),
        Some(sequence),
    )
}

/// The status `response` carries in its headers (a trailers-only answer,
/// which every refusal and handler error is), or OK for an answer with a
/// message, whose status comes in the trailers.
pub(crate) fn status_of(response: &Response) -> Option<Code> {
    match response.headers().get("grpc-status") {
        Some(code) => Some(Code::from_bytes(code.as_bytes())),
        None if response.status().is_success() => Some(Code::Ok),
        None => None,
    }
}

/// The start of a request body, read.
struct Read {
    replay: Replay,
    /// The bytes read.
    received: usize,
    /// Whether the whole body was read.
    complete: bool,
    /// The largest message to keep.
    limit: usize,
}

impl Read {
    /// Reads `body` to its end, or until it is clearly more than one
    /// message of at most `limit` bytes, or fails.
    async fn start(mut body: Body, limit: usize) -> Read {
        let mut chunks = VecDeque::new();
        let mut trailers = None;
        let mut received = 0usize;
        loop {
            let over = received > limit.saturating_add(PREFIX)
                || declared_len(&chunks).is_some_and(|(_, len)| len > limit);
            if over {
                return Read {
                    replay: Replay {
                        chunks,
                        rest: Some(body),
                        trailers: None,
                    },
                    received,
                    complete: false,
                    limit,
                };
            }
            let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
            match frame {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => {
                        received += data.len();
                        chunks.push_back(data);
                    }
                    Err(frame) => {
                        if let Ok(more) = frame.into_trailers() {
                            trailers = Some(more);
                        }
                    }
                },
                // The client abandoned its request: the handler gets what
                // arrived, which tonic refuses as it would have.
                Some(Err(_)) | None => {
                    let complete = frame.is_none();
                    return Read {
                        replay: Replay {
                            chunks,
                            rest: None,
                            trailers,
                        },
                        received,
                        complete,
                        limit,
                    };
                }
            }
        }
    }

    /// What the journal keeps of the body.
    fn recorded(&self) -> RecordedBody {
        let malformed = RecordedBody::Malformed { len: self.received };
        let Some((flag, len)) = declared_len(&self.replay.chunks) else {
            return malformed;
        };
        if len > self.limit {
            return RecordedBody::TooLarge { len };
        }
        if !self.complete || self.received != PREFIX + len {
            return malformed;
        }
        match flag {
            0 => RecordedBody::Message(copy_out(&self.replay.chunks, PREFIX, len)),
            1 => RecordedBody::Compressed { len },
            _ => malformed,
        }
    }
}

/// The compressed flag and the declared length of the message `chunks`
/// begin with, once its prefix has arrived.
fn declared_len(chunks: &VecDeque<Bytes>) -> Option<(u8, usize)> {
    let mut prefix = [0u8; PREFIX];
    let mut filled = 0;
    for chunk in chunks {
        let take = (PREFIX - filled).min(chunk.len());
        prefix[filled..filled + take].copy_from_slice(&chunk[..take]);
        filled += take;
        if filled == PREFIX {
            let len = u32::from_be_bytes([prefix[1], prefix[2], prefix[3], prefix[4]]);
            return Some((prefix[0], usize::try_from(len).unwrap_or(usize::MAX)));
        }
    }
    None
}

/// A fresh copy of `len` bytes of `chunks` from `start`: the chunks may
/// share a connection's larger buffer, which the journal must not keep
/// alive.
fn copy_out(chunks: &VecDeque<Bytes>, start: usize, len: usize) -> Bytes {
    let mut copy = Vec::with_capacity(len);
    let mut skip = start;
    for chunk in chunks {
        if skip >= chunk.len() {
            skip -= chunk.len();
            continue;
        }
        let piece = &chunk[skip..];
        skip = 0;
        copy.extend_from_slice(&piece[..piece.len().min(len - copy.len())]);
        if copy.len() == len {
            break;
        }
    }
    Bytes::from(copy)
}

/// The request body as the handler gets it: the chunks already read, then
/// the rest of the original body, then its trailers.
struct Replay {
    chunks: VecDeque<Bytes>,
    rest: Option<Body>,
    trailers: Option<HeaderMap>,
}

impl http_body::Body for Replay {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if let Some(chunk) = this.chunks.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(rest) = this.rest.as_mut() {
            match Pin::new(rest).poll_frame(cx) {
                Poll::Ready(None) => this.rest = None,
                other => return other,
            }
        }
        Poll::Ready(this.trailers.take().map(|t| Ok(Frame::trailers(t))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
            && self.trailers.is_none()
            && self.rest.as_ref().is_none_or(|rest| rest.is_end_stream())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(flag: u8, message: &[u8]) -> Vec<u8> {
        let mut frame = vec![flag];
        let len = u32::try_from(message.len()).expect("a small message");
        frame.extend_from_slice(&len.to_be_bytes());
        frame.extend_from_slice(message);
        frame
    }

    /// A body that arrives in the given pieces.
    fn body_of(pieces: Vec<Vec<u8>>) -> Body {
        let frames = pieces
            .into_iter()
            .map(|p| Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from(p))));
        Body::new(StreamBody(frames.collect()))
    }

    struct StreamBody(VecDeque<Result<Frame<Bytes>, std::convert::Infallible>>);

    impl http_body::Body for StreamBody {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.get_mut().0.pop_front())
        }
    }

    async fn replayed(replay: Replay) -> Vec<u8> {
        let mut body = Body::new(replay);
        let mut all = Vec::new();
        while let Some(Ok(frame)) =
            std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            if let Ok(data) = frame.into_data() {
                all.extend_from_slice(&data);
            }
        }
        all
    }

    #[tokio::test]
    async fn every_body_is_recorded_as_what_it_is_and_replayed_whole() {
        let message = b"hello journal".to_vec();
        let whole = framed(0, &message);
        let big = framed(0, &[7u8; 100]);
        let cases: Vec<(&str, Vec<Vec<u8>>, RecordedBody)> = vec![
            (
                "one piece",
                vec![whole.clone()],
                RecordedBody::Message(Bytes::from(message.clone())),
            ),
            (
                "the prefix split",
                vec![
                    whole[..2].to_vec(),
                    whole[2..7].to_vec(),
                    whole[7..].to_vec(),
                ],
                RecordedBody::Message(Bytes::from(message.clone())),
            ),
            (
                "compressed",
                vec![framed(1, &message)],
                RecordedBody::Compressed { len: message.len() },
            ),
            ("empty", vec![], RecordedBody::Malformed { len: 0 }),
            (
                "cut short",
                vec![whole[..9].to_vec()],
                RecordedBody::Malformed { len: 9 },
            ),
            (
                "two messages",
                vec![whole.clone(), whole.clone()],
                RecordedBody::Malformed {
                    len: 2 * whole.len(),
                },
            ),
            (
                "an unknown flag",
                vec![framed(9, &message)],
                RecordedBody::Malformed { len: whole.len() },
            ),
            (
                "over the limit",
                vec![big[..50].to_vec(), big[50..].to_vec()],
                RecordedBody::TooLarge { len: 100 },
            ),
            (
                "a short prefix declaring a huge length",
                vec![vec![0, 0xff, 0xff, 0xff, 0xff]],
                RecordedBody::TooLarge {
                    len: 0xffff_ffff_usize,
                },
            ),
        ];
        for (name, pieces, want) in cases {
            let sent: Vec<u8> = pieces.concat();
            let read = Read::start(body_of(pieces), 64).await;
            assert_eq!(read.recorded(), want, "{name}");
            assert_eq!(replayed(read.replay).await, sent, "{name}: replayed");
        }
    }

    #[tokio::test]
    async fn a_large_body_is_not_read_past_the_limit() {
        let big = framed(0, &vec![1u8; 1000]);
        let pieces: Vec<Vec<u8>> = big.chunks(10).map(<[u8]>::to_vec).collect();
        // The prefix declares 1000 bytes: reading stops at the first piece.
        let read = Read::start(body_of(pieces), 64).await;
        assert_eq!(read.received, 10);
        assert_eq!(read.recorded(), RecordedBody::TooLarge { len: 1000 });
        assert_eq!(replayed(read.replay).await, big);
    }
}
