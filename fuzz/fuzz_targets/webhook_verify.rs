//! Webhook and interceptor verification with arbitrary secrets, headers and
//! bodies, at a fixed clock. Beyond "never panics": a delivery this target
//! signs correctly must verify, the same delivery with one body byte
//! changed must not, and no error text may quote the signing key.

#![no_main]

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arbitrary::Arbitrary;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

/// The fixed clock: 2023-11-14T22:13:20Z.
const NOW_SECS: u64 = 1_700_000_000;

#[derive(Arbitrary, Debug)]
enum Secret<'a> {
    /// Taken as given: arbitrary prefixes, underscores and base64.
    Raw(&'a str),
    /// `whsec_` + base64 of these key bytes, so that this target can sign.
    Key(&'a [u8]),
}

#[derive(Arbitrary, Debug)]
enum Timestamp<'a> {
    Raw(&'a str),
    /// Seconds from the fixed clock (the tolerance is ±300).
    Offset(i16),
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    secret: Secret<'a>,
    interceptor: bool,
    id: &'a str,
    timestamp: Timestamp<'a>,
    /// Signature entries as sent; a correct `v1,` entry is inserted at
    /// `sign_at` (modulo the count) when `sign` is set.
    entries: Vec<&'a str>,
    sign: bool,
    sign_at: u8,
    /// More headers, which may repeat or shadow the ones above.
    extra_headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
    /// Whether to also run through an `http::HeaderMap` (multi-valued).
    via_header_map: bool,
}

fn signature(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

fn verify(
    interceptor: bool,
    secret: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
    now: SystemTime,
) -> scalekit::Result<()> {
    if interceptor {
        scalekit::webhook::verify_interceptor(secret, headers, body, now)
    } else {
        scalekit::webhook::verify(secret, headers, body, now)
    }
}

/// `secret` with `key` swapped for a key of the same length that shares no
/// character with it where it can help.
fn with_other_key(secret: &str, key: &str) -> String {
    let other = if key.starts_with('Z') { "Y" } else { "Z" }.repeat(key.len());
    secret.replacen(key, &other, 1)
}

/// The error text must not quote the key. `control` is the outcome of the
/// same delivery checked with a key of the same length made of other
/// characters: text the key merely happens to match (a header name the
/// error names, a header value the fuzzer chose) appears there as often,
/// while a quoted key would not.
fn check_error_text(
    result: &scalekit::Result<()>,
    control: Option<&scalekit::Result<()>>,
    key_b64: Option<&str>,
) {
    let text = |err: &scalekit::Error| format!("{err} {err:?}");
    if let (Err(err), Some(key)) = (result, key_b64.filter(|k| k.len() >= 16)) {
        let shown = text(err);
        let by_chance = control
            .and_then(|c| c.as_ref().err())
            .map_or(0, |e| text(e).matches(key).count());
        assert!(
            shown.matches(key).count() <= by_chance,
            "error text quotes the key: {shown}"
        );
    }
}

fuzz_target!(|input: Input<'_>| {
    let now = UNIX_EPOCH + Duration::from_secs(NOW_SECS);
    let (secret, key) = match input.secret {
        Secret::Raw(s) => (s.to_owned(), None),
        Secret::Key(k) => (format!("whsec_{}", STANDARD.encode(k)), Some(k)),
    };
    let key_b64 = secret.split_once('_').map(|(_, k)| k.to_owned());
    let (timestamp_text, timestamp) = match input.timestamp {
        Timestamp::Raw(s) => (s.to_owned(), s.trim().parse::<i64>().ok()),
        Timestamp::Offset(o) => {
            let t = NOW_SECS as i64 + i64::from(o);
            (t.to_string(), Some(t))
        }
    };
    let prefix = if input.interceptor && input.sign_at.is_multiple_of(2) {
        "interceptor"
    } else {
        "webhook"
    };

    let mut entries: Vec<String> = input.entries.iter().map(|e| (*e).to_owned()).collect();
    let signed = match (input.sign, key, timestamp) {
        (true, Some(key), Some(t)) => signature(key, input.id, t, input.body),
        _ => None,
    };
    if let Some(sig) = &signed {
        let at = usize::from(input.sign_at) % (entries.len() + 1);
        entries.insert(at, sig.clone());
    }

    let mut headers = HashMap::new();
    for (name, value) in &input.extra_headers {
        headers.insert((*name).to_owned(), (*value).to_owned());
    }
    headers.insert(format!("{prefix}-id"), input.id.to_owned());
    headers.insert(format!("{prefix}-timestamp"), timestamp_text);
    headers.insert(format!("{prefix}-signature"), entries.join(" "));

    let result = verify(input.interceptor, &secret, &headers, input.body, now);
    let control = key_b64.as_deref().map(|key| {
        verify(
            input.interceptor,
            &with_other_key(&secret, key),
            &headers,
            input.body,
            now,
        )
    });
    check_error_text(&result, control.as_ref(), key_b64.as_deref());

    // The oracle: a correctly signed, fresh, well-formed delivery verifies.
    // The conditions mirror what the verifier requires before the MAC.
    let id_ok = !input.id.trim().is_empty();
    let clean_extras = input
        .extra_headers
        .iter()
        .all(|(name, _)| !name.to_ascii_lowercase().starts_with(prefix));
    let fresh = timestamp.is_some_and(|t| (t - NOW_SECS as i64).abs() <= 300);
    let few_entries = entries.iter().filter(|e| !e.is_empty()).count() <= 32
        && entries.iter().all(|e| !e.contains(' '));
    let key_ok = key.is_some_and(|k| !k.is_empty());
    // An interceptor check with `webhook-*` headers falls back to them only
    // when no `interceptor-*` header is present.
    let prefix_ok = !input.interceptor
        || prefix == "interceptor"
        || input
            .extra_headers
            .iter()
            .all(|(name, _)| !name.to_ascii_lowercase().starts_with("interceptor-"));
    if signed.is_some() && id_ok && clean_extras && fresh && few_entries && key_ok && prefix_ok {
        assert!(
            result.is_ok(),
            "a correctly signed delivery was refused: {result:?}"
        );
        // One changed body byte (or one more) breaks the signature.
        let mut tampered = input.body.to_vec();
        match tampered.first_mut() {
            Some(b) => *b ^= 0x01,
            None => tampered.push(b'x'),
        }
        let refused = verify(input.interceptor, &secret, &headers, &tampered, now);
        assert!(refused.is_err(), "a tampered body verified");
    }

    if input.via_header_map {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers.iter() {
            let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) else {
                continue;
            };
            map.append(name, value);
        }
        let verify_map = |secret: &str| {
            if input.interceptor {
                scalekit::webhook::verify_interceptor(secret, &map, input.body, now)
            } else {
                scalekit::webhook::verify(secret, &map, input.body, now)
            }
        };
        let result = verify_map(&secret);
        let control = key_b64
            .as_deref()
            .map(|key| verify_map(&with_other_key(&secret, key)));
        check_error_text(&result, control.as_ref(), key_b64.as_deref());
    }
});
