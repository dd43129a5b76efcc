//! Properties of the parsers that take input from the network or the
//! caller, checked on generated input: webhook verification, status-detail
//! decoding and token validation. The cargo-fuzz targets in `fuzz/` run the
//! same code far longer; these keep a fast share of it in the normal suite.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context as _};
use axum::routing::get;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use proptest::prelude::*;
use scalekit::{Code, Error, ScalekitClient, WebhookSignatureReason};
use sha2::Sha256;

const NOW_SECS: u64 = 1_700_000_000;
const FIXTURE_JWKS: &str = include_str!("fixtures/jwt/jwks.json");
const FIXTURE_RSA_PRIVATE: &str = include_str!("fixtures/jwt/rsa_private.pem");

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn delivery(id: &str, timestamp: i64, signature: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for (name, value) in [
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature.to_owned()),
    ] {
        headers.insert(name, value.parse().expect("test header values are ASCII"));
    }
    headers
}

fn is_refused_signature(result: &scalekit::Result<()>) -> bool {
    matches!(
        result,
        Err(Error::WebhookSignature(
            WebhookSignatureReason::InvalidSignature
        ))
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn webhook_verify_accepts_a_correct_signature_and_refuses_any_changed_byte(
        key in proptest::collection::vec(any::<u8>(), 1..64),
        id in "[A-Za-z0-9_]{1,24}",
        offset in -300i64..=300,
        body in proptest::collection::vec(any::<u8>(), 0..256),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let secret = format!("whsec_{}", STANDARD.encode(&key));
        let timestamp = NOW_SECS as i64 + offset;
        let signature = sign(&key, &id, timestamp, &body);
        let headers = delivery(&id, timestamp, &signature);
        let verified = scalekit::webhook::verify(&secret, &headers, &body, now());
        prop_assert!(verified.is_ok(), "a correct signature was refused: {verified:?}");

        // One flipped bit anywhere in the body, or one byte more.
        let mut tampered = body.clone();
        if tampered.is_empty() {
            tampered.push(0);
        } else {
            tampered[flip.index(body.len())] ^= 1 << bit;
        }
        let refused = scalekit::webhook::verify(&secret, &headers, &tampered, now());
        prop_assert!(is_refused_signature(&refused), "a changed body: {refused:?}");

        // The same body signed with another key.
        let mut other_key = key.clone();
        other_key[flip.index(key.len())] ^= 1 << bit;
        let forged = delivery(&id, timestamp, &sign(&other_key, &id, timestamp, &body));
        let refused = scalekit::webhook::verify(&secret, &forged, &body, now());
        prop_assert!(is_refused_signature(&refused), "another key: {refused:?}");
    }

    #[test]
    fn webhook_verify_never_panics_and_refuses_unsigned_input(
        secret in "\\PC{0,40}",
        headers in proptest::collection::hash_map("\\PC{0,24}", "\\PC{0,80}", 0..6),
        id in "\\PC{0,24}",
        timestamp in prop_oneof![Just(NOW_SECS.to_string()), "\\PC{0,20}"],
        signature in "\\PC{0,120}",
        body in proptest::collection::vec(any::<u8>(), 0..128),
        interceptor in any::<bool>(),
    ) {
        let mut headers = headers;
        headers.insert("webhook-id".into(), id);
        headers.insert("webhook-timestamp".into(), timestamp);
        headers.insert("webhook-signature".into(), signature);
        let result = if interceptor {
            scalekit::webhook::verify_interceptor(&secret, &headers, &body, now())
        } else {
            scalekit::webhook::verify(&secret, &headers, &body, now())
        };
        // Nothing here knows the key, so nothing verifies.
        let err = result.err();
        prop_assert!(err.is_some(), "unsigned input verified");
        let shown = err.map(|e| e.to_string()).unwrap_or_default();
        prop_assert!(shown.starts_with("webhook verification failed"), "{shown}");
    }

    #[test]
    fn error_from_status_with_arbitrary_details_never_panics_and_displays_one_line(
        code in any::<i32>(),
        message in "\\PC{0,60}|[\\x00-\\x1f]{0,8}",
        details in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let status = tonic::Status::with_details(Code::from_i32(code), message, details.into());
        let err = Error::from(status);
        let shown = err.to_string();
        prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
        prop_assert!(err.code() == Some(Code::from_i32(code)));
        let api = err.api().context("a status without a source is an API error");
        prop_assert!(api.is_ok());
        if let Ok(api) = api {
            let _ = (api.error_code(), api.request_id(), api.field_violations().count());
        }
        let _ = format!("{err:?}");
    }
}

/// A loopback server publishing the fixture JWKS at `/keys`, and how many
/// times it was asked.
async fn jwks_server() -> anyhow::Result<(String, Arc<AtomicUsize>)> {
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let app = axum::Router::new().route(
        "/keys",
        get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                (
                    [(http::header::CONTENT_TYPE, "application/json")],
                    FIXTURE_JWKS,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("http://{addr}"), served))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn fixture_signed(claims: &serde_json::Value) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let key = EncodingKey::from_rsa_pem(FIXTURE_RSA_PRIVATE.as_bytes())?;
    Ok(jsonwebtoken::encode(&header, claims, &key)?)
}

/// Made-up tokens of the right shape: a header naming a published key, any
/// claims, and a signature of random bytes.
fn shaped_token() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("RS256"), Just("PS256"), Just("ES256"), Just("EdDSA")],
        prop_oneof![
            Just("rsa-1".to_owned()),
            Just("ec-1".to_owned()),
            "[a-z0-9-]{0,8}"
        ],
        proptest::collection::hash_map("[a-z]{1,6}", any::<i64>(), 0..4),
        proptest::collection::vec(any::<u8>(), 1..300),
    )
        .prop_map(|(alg, kid, mut claims, signature)| {
            claims.insert("exp".into(), (unix_now() + 600) as i64);
            let header = serde_json::json!({"alg": alg, "kid": kid});
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(serde_json::json!(claims).to_string()),
                URL_SAFE_NO_PAD.encode(signature)
            )
        })
}

#[test]
fn validate_token_of_arbitrary_strings_never_panics_and_never_succeeds() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (env_url, served) = runtime.block_on(jwks_server())?;
    let client = runtime.block_on(async { ScalekitClient::new(&env_url, "skc_1", "secret") })?;

    // The wiring is real: a token signed with the fixture key validates,
    // and the same token with its last signature character changed does not.
    let token = fixture_signed(&serde_json::json!({"sub": "usr_1", "exp": unix_now() + 600}))?;
    let claims: serde_json::Value =
        runtime.block_on(client.validate_token(&token, Default::default()))?;
    ensure!(claims["sub"] == "usr_1", "claims: {claims}");
    let mut tampered = token.clone();
    let last = tampered.pop().context("a token is not empty")?;
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let refused =
        runtime.block_on(client.validate_token::<serde_json::Value>(&tampered, Default::default()));
    ensure!(
        matches!(refused, Err(Error::InvalidToken(_))),
        "a tampered token: {refused:?}"
    );

    let mut runner = proptest::test_runner::TestRunner::new(config());
    let strategy = prop_oneof![
        any::<String>(),
        "\\PC{0,40}\\.\\PC{0,40}\\.\\PC{0,40}",
        shaped_token()
    ];
    runner
        .run(&strategy, |token| {
            let result = runtime
                .block_on(client.validate_token::<serde_json::Value>(&token, Default::default()));
            prop_assert!(
                matches!(result, Err(Error::InvalidToken(_))),
                "{token:?} gave {result:?}"
            );
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    // Shaped tokens reached the signature check, which needs the keys.
    ensure!(
        served.load(Ordering::SeqCst) >= 1,
        "the JWKS was never fetched"
    );
    Ok(())
}
