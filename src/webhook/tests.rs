//! Webhook and interceptor signature checks against known vectors and
//! tampered, stale and malformed deliveries.

use super::*;
use base64::engine::general_purpose::STANDARD;

const SECRET: &str = "whsec_c2VjcmV0LWtleS1ieXRlcw==";
const NOW: u64 = 1_700_000_000;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn sign(id: &str, ts: &str, payload: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(b"secret-key-bytes").unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(payload);
    STANDARD.encode(mac.finalize().into_bytes())
}

fn headers(ts: u64, sig: &str) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    h.insert("Webhook-Id", "msg_1".parse().unwrap());
    h.insert("webhook-timestamp", ts.to_string().parse().unwrap());
    h.insert("WEBHOOK-SIGNATURE", sig.parse().unwrap());
    h
}

fn reason(result: Result<()>) -> Reason {
    match result {
        Err(Error::WebhookSignature(reason)) => reason,
        other => panic!("expected a webhook error, got {other:?}"),
    }
}

#[test]
fn a_signed_payload_verifies_with_a_fixed_clock() {
    let body = br#"{"type":"user.created"}"#;
    let sig = sign("msg_1", &NOW.to_string(), body);
    verify(SECRET, &headers(NOW, &format!("v1,{sig}")), body, at(NOW)).unwrap();
}

#[test]
fn the_payload_is_raw_bytes_not_text() {
    let body = [0xff, 0x00, 0xfe];
    let sig = sign("msg_1", &NOW.to_string(), &body);
    verify(SECRET, &headers(NOW, &format!("v1,{sig}")), body, at(NOW)).unwrap();
}

#[test]
fn tolerance_is_five_minutes_each_way_inclusive() {
    let body = b"{}";
    for (ts, ok) in [
        (NOW - 300, true),
        (NOW - 301, false),
        (NOW + 300, true),
        (NOW + 301, false),
    ] {
        let sig = sign("msg_1", &ts.to_string(), body);
        let result = verify(SECRET, &headers(ts, &format!("v1,{sig}")), body, at(NOW));
        assert_eq!(result.is_ok(), ok, "{ts}");
    }
    let sig = sign("msg_1", &(NOW - 301).to_string(), body);
    assert_eq!(
        reason(verify(
            SECRET,
            &headers(NOW - 301, &format!("v1,{sig}")),
            body,
            at(NOW)
        )),
        Reason::TimestampTooOld
    );
    let sig = sign("msg_1", &(NOW + 301).to_string(), body);
    assert_eq!(
        reason(verify(
            SECRET,
            &headers(NOW + 301, &format!("v1,{sig}")),
            body,
            at(NOW)
        )),
        Reason::TimestampTooNew
    );
}

#[test]
fn malformed_entries_are_skipped() {
    let body = b"{}";
    let good = sign("msg_1", &NOW.to_string(), body);
    let header = format!("v1 v1,%%% v1,AAAA v2,{good}  v1,{good}");
    verify(SECRET, &headers(NOW, &header), body, at(NOW)).unwrap();
    let header = format!("v1,AAAA v2,{good}");
    assert_eq!(
        reason(verify(SECRET, &headers(NOW, &header), body, at(NOW))),
        Reason::InvalidSignature
    );
}

/// `count` entries: wrong `v1` signatures of the right length, then
/// `last`.
fn entries(count: usize, last: &str) -> String {
    let decoy = format!("v1,{}", STANDARD.encode([7u8; 32]));
    let mut all = vec![decoy; count - 1];
    all.push(last.to_string());
    all.join(" ")
}

#[test]
fn a_valid_signature_last_of_many_entries_verifies() {
    let body = b"{}";
    let good = format!("v1,{}", sign("msg_1", &NOW.to_string(), body));
    for count in [2, 10, MAX_SIGNATURES] {
        let header = entries(count, &good);
        verify(SECRET, &headers(NOW, &header), body, at(NOW))
            .unwrap_or_else(|e| panic!("{count} entries: {e}"));
    }
    let header = entries(MAX_SIGNATURES, "v1,AAAA");
    assert_eq!(
        reason(verify(SECRET, &headers(NOW, &header), body, at(NOW))),
        Reason::InvalidSignature
    );
}

#[test]
fn more_than_max_signatures_entries_are_refused_unchecked() {
    let body = b"{}";
    let good = format!("v1,{}", sign("msg_1", &NOW.to_string(), body));
    let header = entries(MAX_SIGNATURES + 1, &good);
    let err = verify(SECRET, &headers(NOW, &header), body, at(NOW)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::WebhookSignature(Reason::TooManySignatures { max: 32 })
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "webhook verification failed: too many signatures in the signature header (at most 32)"
    );
    // Every entry counts, not only well-formed `v1` ones.
    let header = format!("{} {good}", vec!["v2,x"; MAX_SIGNATURES].join(" "));
    assert_eq!(
        reason(verify(SECRET, &headers(NOW, &header), body, at(NOW))),
        Reason::TooManySignatures { max: 32 }
    );
}

#[test]
fn extra_spaces_are_not_entries() {
    let body = b"{}";
    let good = format!("v1,{}", sign("msg_1", &NOW.to_string(), body));
    let header = entries(MAX_SIGNATURES, &good).replace(' ', "   ");
    verify(SECRET, &headers(NOW, &header), body, at(NOW)).unwrap();
}

#[test]
fn an_entry_longer_than_a_tag_is_skipped() {
    let body = b"{}";
    let good = format!("v1,{}", sign("msg_1", &NOW.to_string(), body));
    let long = format!("v1,{}", STANDARD.encode([1u8; 200]));
    let short = format!("v1,{}", STANDARD.encode([1u8; 31]));
    verify(
        SECRET,
        &headers(NOW, &format!("{long} {short} {good}")),
        body,
        at(NOW),
    )
    .unwrap();
}

#[test]
fn each_failure_has_its_own_reason() {
    let body = b"{}";
    let sig = format!("v1,{}", sign("msg_1", &NOW.to_string(), body));
    let empty = http::HeaderMap::new();
    assert_eq!(
        reason(verify(SECRET, &empty, body, at(NOW))),
        Reason::MissingHeaders(WEBHOOK_HEADERS.to_vec())
    );
    for bad in ["nounderscore", "whsec_", "whsec_!!!"] {
        assert_eq!(
            reason(verify(bad, &headers(NOW, &sig), body, at(NOW))),
            Reason::InvalidSecret,
            "{bad}"
        );
    }
    let mut h = headers(NOW, &sig);
    h.insert("webhook-timestamp", "12abc".parse().unwrap());
    assert_eq!(
        reason(verify(SECRET, &h, body, at(NOW))),
        Reason::InvalidSignatureHeaders
    );
    assert_eq!(
        reason(verify(SECRET, &headers(NOW, &sig), b"{ }", at(NOW))),
        Reason::InvalidSignature
    );
}

#[test]
fn plain_maps_are_case_insensitive() {
    let body = b"{}";
    let sig = format!("v1,{}", sign("msg_1", &NOW.to_string(), body));
    let ts = NOW.to_string();
    let map: BTreeMap<&str, &str> = [
        ("WEBHOOK-ID", "msg_1"),
        ("Webhook-Timestamp", ts.as_str()),
        ("webhook-signature", sig.as_str()),
    ]
    .into_iter()
    .collect();
    verify(SECRET, &map, body, at(NOW)).unwrap();
}

#[test]
fn interceptor_prefers_its_headers_and_falls_back_to_webhook_ones() {
    let body = b"{}";
    let sig = format!("v1,{}", sign("msg_1", &NOW.to_string(), body));
    verify_interceptor(SECRET, &headers(NOW, &sig), body, at(NOW)).unwrap();
    let mut h = http::HeaderMap::new();
    h.insert("interceptor-id", "msg_1".parse().unwrap());
    h.insert("interceptor-timestamp", NOW.to_string().parse().unwrap());
    h.insert("interceptor-signature", sig.parse().unwrap());
    verify_interceptor(SECRET, &h, body, at(NOW)).unwrap();
    h.remove("interceptor-signature");
    assert_eq!(
        reason(verify_interceptor(SECRET, &h, body, at(NOW))),
        Reason::MissingHeaders(vec!["interceptor-signature"])
    );
}

#[test]
fn errors_never_show_the_secret() {
    let err = verify(SECRET, &http::HeaderMap::new(), b"", at(NOW)).unwrap_err();
    assert!(!err.to_string().contains("c2VjcmV0"));
    assert!(!format!("{err:?}").contains("c2VjcmV0"));
}

#[test]
fn a_clock_far_from_the_epoch_fails_the_age_check_without_overflow() {
    let headers = HashMap::from([
        ("webhook-id", "msg_1"),
        ("webhook-timestamp", "1700000000"),
        ("webhook-signature", "v1,bm90IHRoZSBzaWduYXR1cmU="),
    ]);
    let long_ago = UNIX_EPOCH
        .checked_sub(Duration::from_secs(1 << 63))
        .or_else(|| UNIX_EPOCH.checked_sub(Duration::from_secs(1 << 40)));
    if let Some(long_ago) = long_ago {
        assert!(matches!(
            verify("whsec_c2VjcmV0", &headers, b"{}", long_ago),
            Err(Error::WebhookSignature(Reason::TimestampTooNew))
        ));
    }
    let far_ahead = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
    assert!(matches!(
        verify("whsec_c2VjcmV0", &headers, b"{}", far_ahead),
        Err(Error::WebhookSignature(Reason::TimestampTooOld))
    ));
}
