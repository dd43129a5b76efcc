//! The request journal: the gRPC calls the emulator received, in order of
//! arrival, each with its metadata (the credentials blanked out), its
//! request message as sent, and the status it was answered with, so that a
//! test can check what its code sent.
//!
//! The gate records a call as it arrives, before anything can refuse it
//! (see `capture`), and notes the answer once there is one. Recording
//! takes one lock, copies the message once and decodes nothing: messages
//! are decoded only when a test asks for them, by type
//! ([`EmulatorHandle::requests`](crate::EmulatorHandle::requests)).
//!
//! The journal is bounded three ways: at most `capacity` entries, at most
//! `max_bytes` of messages, metadata and unknown method paths held in all,
//! and each message and each entry's metadata under a cap of its own. The
//! oldest entries go first, and are counted. Every entry also costs a
//! fixed amount of bookkeeping, at most [`JOURNAL_ENTRY_OVERHEAD`] bytes,
//! so the journal never holds more than
//! `capacity × JOURNAL_ENTRY_OVERHEAD + max_bytes` bytes (about 19 MiB with
//! the defaults), however many calls arrive.

pub(crate) mod capture;

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use tonic::metadata::MetadataMap;
use tonic::Code;

use crate::tokens::lock;

/// How many calls the journal keeps by default (see
/// [`EmulatorBuilder::journal_capacity`](crate::EmulatorBuilder::journal_capacity)).
pub const DEFAULT_JOURNAL_CAPACITY: usize = 10_000;

/// How many bytes of messages, metadata and unknown method paths the
/// journal holds at most by default (see
/// [`EmulatorBuilder::journal_max_bytes`](crate::EmulatorBuilder::journal_max_bytes)).
pub const DEFAULT_JOURNAL_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The largest request message the journal keeps; a larger one is recorded
/// as [`RecordedBody::TooLarge`], with its length only.
pub const JOURNAL_MESSAGE_LIMIT: usize = 64 * 1024;

/// The most metadata (header names and values) the journal keeps of one
/// call; the headers past it are left out and the entry says so.
pub const JOURNAL_METADATA_LIMIT: usize = 8 * 1024;

/// An upper bound on what one entry costs beyond the bytes it holds: its
/// slot, and the allocator's and reference counts' share of its message
/// and metadata.
pub const JOURNAL_ENTRY_OVERHEAD: usize = 256;

/// The longest path of an unknown method the journal keeps; the rest is cut
/// off. (A method of the schema costs nothing to keep.)
const UNKNOWN_PATH_LIMIT: usize = 256;

/// Headers whose values are credentials: recorded with the value replaced.
const SECRET_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

/// What replaces a credential in the recorded metadata.
const REDACTED: &str = "<redacted>";

/// What the journal kept of a call's request body.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordedBody {
    /// One uncompressed message, whole: its encoded bytes (without the
    /// five-byte gRPC prefix).
    Message(Bytes),
    /// One message sent compressed: not kept (the emulator takes no
    /// compressed requests).
    Compressed {
        /// The compressed length the prefix declared.
        len: usize,
    },
    /// A message over [`JOURNAL_MESSAGE_LIMIT`] (or over the journal's
    /// whole byte budget): not kept.
    TooLarge {
        /// The length the prefix declared.
        len: usize,
    },
    /// A body that is not one gRPC message (empty, cut short, several
    /// messages, or a body the client abandoned): not kept.
    Malformed {
        /// The bytes received.
        len: usize,
    },
}

impl RecordedBody {
    /// The length of the message (or what the body declared or sent).
    pub fn len(&self) -> usize {
        match self {
            RecordedBody::Message(bytes) => bytes.len(),
            RecordedBody::Compressed { len }
            | RecordedBody::TooLarge { len }
            | RecordedBody::Malformed { len } => *len,
        }
    }

    /// Whether the length is zero.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes the journal holds for this body.
    fn held(&self) -> usize {
        match self {
            RecordedBody::Message(bytes) => bytes.len(),
            _ => 0,
        }
    }
}

impl fmt::Debug for RecordedBody {
    // The bytes of a message stay out: a request can carry a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordedBody::Message(bytes) => write!(f, "Message({} bytes)", bytes.len()),
            RecordedBody::Compressed { len } => write!(f, "Compressed({len} bytes)"),
            RecordedBody::TooLarge { len } => write!(f, "TooLarge({len} bytes)"),
            RecordedBody::Malformed { len } => write!(f, "Malformed({len} bytes)"),
        }
    }
}

/// One gRPC call in the journal, whatever its method
/// ([`EmulatorHandle::journal`](crate::EmulatorHandle::journal)).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JournalEntry {
    /// The call's place in the order of arrival: 0 for the first call the
    /// emulator received, one more for each call after it. Gaps show
    /// entries that were dropped or cleared.
    pub sequence: u64,
    /// When the call arrived.
    pub received_at: SystemTime,
    /// The method path (`scalekit.v1.users.UserService/GetUser`), as sent.
    /// A path outside the schema is cut to 256 bytes.
    pub method: String,
    /// The request's headers. The values of `authorization`,
    /// `proxy-authorization` and `cookie` are replaced
    /// (`Bearer <redacted>`), so no credential is kept.
    pub metadata: MetadataMap,
    /// Whether headers were left out because they passed
    /// [`JOURNAL_METADATA_LIMIT`].
    pub metadata_truncated: bool,
    /// The request message.
    pub body: RecordedBody,
    /// The gRPC status the call was answered with: `None` while it is in
    /// progress, or when it got no status (a reset stream, a stall).
    pub status: Option<Code>,
    /// Whether the call reached its handler. `false` for a call refused
    /// before it: by a fault, the rate limit, the bearer check or a
    /// scripted error.
    pub handled: bool,
}

/// One call of a method whose request message is an `M`, with the message
/// decoded ([`EmulatorHandle::requests`](crate::EmulatorHandle::requests)).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Recorded<M> {
    /// The call's place in the order of arrival (see
    /// [`JournalEntry::sequence`]).
    pub sequence: u64,
    /// When the call arrived.
    pub received_at: SystemTime,
    /// The method path (`scalekit.v1.users.UserService/CreateUser`).
    pub method: String,
    /// The request's headers, credentials replaced (see
    /// [`JournalEntry::metadata`]).
    pub metadata: MetadataMap,
    /// Whether headers were left out (see
    /// [`JournalEntry::metadata_truncated`]).
    pub metadata_truncated: bool,
    /// The request message.
    pub message: M,
    /// The gRPC status the call was answered with (see
    /// [`JournalEntry::status`]).
    pub status: Option<Code>,
    /// Whether the call reached its handler (see [`JournalEntry::handled`]).
    pub handled: bool,
}

/// The journal's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The most entries kept; 0 turns the journal off.
    pub(crate) capacity: usize,
    /// The most bytes held by all entries together.
    pub(crate) max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            capacity: DEFAULT_JOURNAL_CAPACITY,
            max_bytes: DEFAULT_JOURNAL_MAX_BYTES,
        }
    }
}

/// The journal of one environment.
pub(crate) struct Journal {
    limits: Limits,
    ring: Mutex<Ring>,
}

#[derive(Default)]
struct Ring {
    /// Oldest first; sequences increase from front to back.
    entries: VecDeque<Entry>,
    next_sequence: u64,
    /// What the entries hold: messages, packed metadata, unknown paths.
    bytes_held: usize,
    dropped: u64,
}

#[derive(Clone)]
struct Entry {
    sequence: u64,
    received_at: SystemTime,
    method: Cow<'static, str>,
    /// `name:value\n` for each header kept: one allocation, easy to
    /// count. (Names have no `:`, values no newline.)
    metadata: Box<[u8]>,
    metadata_truncated: bool,
    body: RecordedBody,
    status: Option<Code>,
    handled: bool,
}

impl Entry {
    fn held(&self) -> usize {
        let method = match &self.method {
            Cow::Borrowed(_) => 0,
            Cow::Owned(path) => path.len(),
        };
        method + self.metadata.len() + self.body.held()
    }
}

impl Journal {
    pub(crate) fn new(limits: Limits) -> Self {
        Journal {
            limits,
            ring: Mutex::new(Ring::default()),
        }
    }

    pub(crate) fn is_on(&self) -> bool {
        self.limits.capacity > 0
    }

    /// The largest message this journal keeps.
    pub(crate) fn message_limit(&self) -> usize {
        JOURNAL_MESSAGE_LIMIT.min(self.limits.max_bytes)
    }

    /// Records a call that arrived now; returns its sequence number, for
    /// [`finish`](Self::finish).
    pub(crate) fn record(&self, method: &str, headers: &HeaderMap, body: RecordedBody) -> u64 {
        let method = match scalekit::proto::method(method) {
            Some(known) => Cow::Borrowed(known.path),
            None => Cow::Owned(cut(method, UNKNOWN_PATH_LIMIT).to_string()),
        };
        let (metadata, metadata_truncated) = pack(headers);
        let mut entry = Entry {
            sequence: 0,
            received_at: SystemTime::now(),
            method,
            metadata,
            metadata_truncated,
            body,
            status: None,
            handled: false,
        };
        if entry.held() > self.limits.max_bytes {
            // Alone over the budget: keep the call, not its contents.
            entry.metadata = Box::default();
            entry.metadata_truncated = true;
            if let RecordedBody::Message(bytes) = &entry.body {
                entry.body = RecordedBody::TooLarge { len: bytes.len() };
            }
        }
        let mut ring = lock(&self.ring);
        let sequence = ring.next_sequence;
        ring.next_sequence += 1;
        entry.sequence = sequence;
        if entry.held() > self.limits.max_bytes || self.limits.capacity == 0 {
            ring.dropped += 1;
            return sequence;
        }
        while ring.entries.len() >= self.limits.capacity
            || ring.bytes_held + entry.held() > self.limits.max_bytes
        {
            let Some(oldest) = ring.entries.pop_front() else {
                break;
            };
            ring.bytes_held -= oldest.held();
            ring.dropped += 1;
        }
        if ring.entries.capacity() == 0 {
            // Once, to the full capacity: the ring never grows (or
            // doubles) after this.
            ring.entries.reserve_exact(self.limits.capacity);
        }
        ring.bytes_held += entry.held();
        ring.entries.push_back(entry);
        sequence
    }

    /// Notes how the call `sequence` was answered, if it is still kept.
    pub(crate) fn finish(&self, sequence: u64, status: Option<Code>, handled: bool) {
        let mut ring = lock(&self.ring);
        let Some(first) = ring.entries.front().map(|e| e.sequence) else {
            return;
        };
        let Some(index) = sequence
            .checked_sub(first)
            .and_then(|i| usize::try_from(i).ok())
        else {
            return;
        };
        if let Some(entry) = ring.entries.get_mut(index) {
            if entry.sequence == sequence {
                entry.status = status;
                entry.handled = handled;
            }
        }
    }

    /// Forgets every entry (the sequence numbers go on).
    pub(crate) fn clear(&self) {
        let mut ring = lock(&self.ring);
        ring.entries.clear();
        ring.bytes_held = 0;
        ring.dropped = 0;
    }

    /// How many entries were dropped to stay within the bounds since the
    /// journal was last cleared.
    pub(crate) fn dropped(&self) -> u64 {
        lock(&self.ring).dropped
    }

    /// Every entry, oldest first.
    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        // Copied out under the lock (messages are shared, not copied),
        // unpacked after it.
        let kept: Vec<Entry> = lock(&self.ring).entries.iter().cloned().collect();
        kept.into_iter()
            .map(|entry| JournalEntry {
                sequence: entry.sequence,
                received_at: entry.received_at,
                method: entry.method.into_owned(),
                metadata: unpack(&entry.metadata),
                metadata_truncated: entry.metadata_truncated,
                body: entry.body,
                status: entry.status,
                handled: entry.handled,
            })
            .collect()
    }

    /// The calls of the methods whose input type is `M`, oldest first,
    /// with their messages decoded. A call whose message was not kept
    /// whole, or does not decode, is left out ([`entries`](Self::entries)
    /// has it).
    pub(crate) fn requests<M: prost::Message + prost::Name + Default>(&self) -> Vec<Recorded<M>> {
        let input = M::full_name();
        let kept: Vec<Entry> = lock(&self.ring)
            .entries
            .iter()
            .filter(|entry| {
                scalekit::proto::method(&entry.method).map(|m| m.input_type) == Some(input.as_str())
            })
            .filter(|entry| matches!(entry.body, RecordedBody::Message(_)))
            .cloned()
            .collect();
        kept.into_iter()
            .filter_map(|entry| {
                let RecordedBody::Message(bytes) = entry.body else {
                    return None;
                };
                Some(Recorded {
                    sequence: entry.sequence,
                    received_at: entry.received_at,
                    method: entry.method.into_owned(),
                    metadata: unpack(&entry.metadata),
                    metadata_truncated: entry.metadata_truncated,
                    message: M::decode(bytes).ok()?,
                    status: entry.status,
                    handled: entry.handled,
                })
            })
            .collect()
    }
}

/// `text` cut to at most `limit` bytes, at a character boundary.
fn cut(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Packs `headers` as `name:value\n` lines, credentials replaced, up to
/// [`JOURNAL_METADATA_LIMIT`] bytes; says whether headers were left out.
fn pack(headers: &HeaderMap) -> (Box<[u8]>, bool) {
    let mut packed = Vec::new();
    let mut truncated = false;
    for (name, value) in headers {
        let redacted;
        let value = if SECRET_HEADERS.contains(&name.as_str()) {
            redacted = redact(value.as_bytes());
            redacted.as_slice()
        } else {
            value.as_bytes()
        };
        let line = name.as_str().len() + 1 + value.len() + 1;
        if packed.len() + line > JOURNAL_METADATA_LIMIT {
            truncated = true;
            continue;
        }
        packed.extend_from_slice(name.as_str().as_bytes());
        packed.push(b':');
        packed.extend_from_slice(value);
        packed.push(b'\n');
    }
    (packed.into_boxed_slice(), truncated)
}

/// A credential's value replaced, keeping its scheme (`Bearer <redacted>`)
/// when it has one.
fn redact(value: &[u8]) -> Vec<u8> {
    let mut redacted = match value.iter().position(|b| *b == b' ') {
        Some(space) if space > 0 => value[..=space].to_vec(),
        _ => Vec::new(),
    };
    redacted.extend_from_slice(REDACTED.as_bytes());
    redacted
}

/// The headers [`pack`] packed.
fn unpack(packed: &[u8]) -> MetadataMap {
    let mut headers = HeaderMap::new();
    for line in packed.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    MetadataMap::from_headers(headers)
}

#[cfg(test)]
mod tests;
