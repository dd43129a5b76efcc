use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use super::*;

/// Counts the bytes the current thread holds: what it allocated less what
/// it freed. Per thread, so that the other tests running alongside do not
/// blur the measure.
struct Counting;

thread_local! {
    static HELD: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: during a thread's teardown the counter may be gone.
    let _ = HELD.try_with(|held| held.set(held.get() + delta));
}

fn signed(size: usize) -> isize {
    isize::try_from(size).unwrap_or(isize::MAX)
}

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(signed(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-signed(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(signed(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(signed(new_size) - signed(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn held() -> isize {
    HELD.with(Cell::get)
}

const GET_USER: &str = "scalekit.v1.users.UserService/GetUser";

fn headers(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/grpc"));
    headers.insert("te", HeaderValue::from_static("trailers"));
    headers.insert(
        "user-agent",
        HeaderValue::from_static("scalekit-rust/0.1.0 tonic/0.14"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) {
        headers.insert("authorization", value);
    }
    headers
}

fn message(len: usize) -> RecordedBody {
    RecordedBody::Message(Bytes::from(vec![0x2a; len]))
}

/// A million calls through a journal with the default bounds: it keeps
/// its count and byte bounds, and the memory it holds, measured at the
/// allocator, stays under `capacity × JOURNAL_ENTRY_OVERHEAD + max_bytes`.
#[test]
fn a_million_calls_stay_within_the_stated_memory_bound() {
    let limits = Limits::default();
    let before = held();
    let journal = Journal::new(limits);
    let headers = headers("token");
    let mut calls = 0u64;
    for i in 0..1_000_000usize {
        // Small messages mostly, a large one now and then, and calls of
        // unknown paths, whose paths the journal keeps.
        let body = match i % 1000 {
            0 => message(JOURNAL_MESSAGE_LIMIT),
            n if n % 10 == 0 => message(2000),
            n => message(n % 300),
        };
        let sequence = if i % 97 == 0 {
            journal.record(&format!("made.up.Service/Method{i}"), &headers, body)
        } else {
            journal.record(GET_USER, &headers, body)
        };
        journal.finish(sequence, Some(Code::Ok), true);
        calls += 1;
        if i % 250_000 == 0 {
            // Reading shares the messages with the snapshot; the snapshot
            // goes, the journal's share stays.
            drop(journal.entries());
        }
    }
    let grown = usize::try_from(held() - before).unwrap_or(0);
    let ring = lock(&journal.ring);
    assert!(
        ring.entries.len() <= limits.capacity,
        "{}",
        ring.entries.len()
    );
    assert!(ring.bytes_held <= limits.max_bytes, "{}", ring.bytes_held);
    assert_eq!(
        ring.dropped + ring.entries.len() as u64,
        calls,
        "every call kept or counted as dropped"
    );
    let bound = limits.capacity * JOURNAL_ENTRY_OVERHEAD + limits.max_bytes;
    eprintln!(
        "1,000,000 calls: {} kept, {} bytes of contents, {grown} bytes in all (bound {bound})",
        ring.entries.len(),
        ring.bytes_held
    );
    assert!(
        grown <= bound,
        "{grown} bytes held, over the bound of {bound}"
    );
    // And what one entry's bookkeeping costs is within the stated overhead.
    let bookkeeping = grown.saturating_sub(ring.bytes_held) / ring.entries.len().max(1);
    assert!(
        bookkeeping <= JOURNAL_ENTRY_OVERHEAD,
        "{bookkeeping} bytes per entry"
    );
}

#[test]
fn the_oldest_calls_go_first_by_count_and_by_bytes() {
    let journal = Journal::new(Limits {
        capacity: 3,
        max_bytes: 1000,
    });
    let none = HeaderMap::new();
    for _ in 0..5 {
        journal.record(GET_USER, &none, message(10));
    }
    let kept: Vec<u64> = journal.entries().iter().map(|e| e.sequence).collect();
    assert_eq!(kept, [2, 3, 4], "by count");
    assert_eq!(journal.dropped(), 2);

    journal.record(GET_USER, &none, message(600));
    journal.record(GET_USER, &none, message(600));
    let kept: Vec<u64> = journal.entries().iter().map(|e| e.sequence).collect();
    assert_eq!(kept, [6], "by bytes: 600 + 600 is over 1000");

    journal.record(GET_USER, &none, message(1001));
    let last = journal.entries().pop().map(|e| (e.sequence, e.body));
    assert_eq!(
        last,
        Some((7, RecordedBody::TooLarge { len: 1001 })),
        "alone over the budget: kept without its message"
    );

    journal.clear();
    assert!(journal.entries().is_empty());
    assert_eq!(journal.dropped(), 0);
    assert_eq!(journal.record(GET_USER, &none, message(1)), 8);
}

#[test]
fn credentials_are_replaced_and_the_rest_of_the_metadata_kept() {
    let journal = Journal::new(Limits::default());
    let mut headers = headers("s3cr3t-token");
    headers.insert("cookie", HeaderValue::from_static("session=s3cr3t-token"));
    headers.insert(
        "proxy-authorization",
        HeaderValue::from_static("s3cr3t-token"),
    );
    headers.append("x-custom", HeaderValue::from_static("a:b"));
    headers.append("x-custom", HeaderValue::from_static("c"));
    journal.record(GET_USER, &headers, message(1));
    let entry = journal.entries().remove(0);
    let seen = format!("{entry:?}");
    assert!(!seen.contains("s3cr3t"), "{seen}");
    let value = |name: &str| entry.metadata.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(value("authorization"), Some("Bearer <redacted>"));
    assert_eq!(value("proxy-authorization"), Some("<redacted>"));
    assert_eq!(value("cookie"), Some("<redacted>"));
    assert_eq!(value("user-agent"), Some("scalekit-rust/0.1.0 tonic/0.14"));
    let custom: Vec<_> = entry
        .metadata
        .get_all("x-custom")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(custom, ["a:b", "c"]);
    assert!(!entry.metadata_truncated);
}

#[test]
fn metadata_and_unknown_paths_are_cut_to_their_limits() {
    let journal = Journal::new(Limits::default());
    let mut headers = HeaderMap::new();
    let long = HeaderValue::from_str(&"v".repeat(1000)).expect("a valid value");
    for i in 0..20 {
        let name = HeaderName::from_bytes(format!("x-h{i}").as_bytes()).expect("a valid name");
        headers.insert(name, long.clone());
    }
    let path = format!("made.up.Service/{}", "M".repeat(1000));
    journal.record(&path, &headers, message(1));
    let entry = journal.entries().remove(0);
    assert!(entry.metadata_truncated);
    let kept: usize = entry
        .metadata
        .clone()
        .into_headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 2)
        .sum();
    assert!(kept <= JOURNAL_METADATA_LIMIT && kept > 0, "{kept}");
    assert_eq!(entry.method.len(), UNKNOWN_PATH_LIMIT);
    assert!(path.starts_with(&entry.method));
}

#[test]
fn requests_decode_only_the_methods_taking_that_message() {
    use prost::Message as _;
    use scalekit::proto::users::{GetUserRequest, ListUsersRequest};

    let journal = Journal::new(Limits::default());
    let none = HeaderMap::new();
    let get = GetUserRequest {
        identities: Some(scalekit::proto::users::get_user_request::Identities::Id(
            "usr_1".into(),
        )),
    };
    let first = journal.record(
        GET_USER,
        &none,
        RecordedBody::Message(get.encode_to_vec().into()),
    );
    journal.finish(first, Some(Code::NotFound), true);
    journal.record(
        "scalekit.v1.users.UserService/ListUsers",
        &none,
        RecordedBody::Message(ListUsersRequest::default().encode_to_vec().into()),
    );
    journal.record(GET_USER, &none, RecordedBody::Compressed { len: 3 });
    journal.record(
        GET_USER,
        &none,
        RecordedBody::Message(Bytes::from_static(&[0xff, 0xff])),
    );

    let gets = journal.requests::<GetUserRequest>();
    assert_eq!(gets.len(), 1, "{gets:?}");
    assert_eq!(gets[0].message, get);
    assert_eq!(
        (gets[0].status, gets[0].handled),
        (Some(Code::NotFound), true)
    );
    assert_eq!(journal.requests::<ListUsersRequest>().len(), 1);
    assert!(journal.requests::<String>().is_empty());
    assert_eq!(journal.entries().len(), 4);
}
