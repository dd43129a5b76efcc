//! Webhook and interceptor verification against vectors signed by Node's
//! `crypto` (tests/fixtures/make_vectors.js), independently of this crate.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::{bail, ensure, Context as _};
use scalekit::{Error, WebhookSignatureReason};

#[derive(serde::Deserialize)]
struct Vectors {
    now: u64,
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    kind: String,
    secret: String,
    headers: HashMap<String, String>,
    payload: String,
    expect: String,
}

fn vectors() -> anyhow::Result<Vectors> {
    let text = include_str!("fixtures/webhook_vectors.json");
    serde_json::from_str(text).context("parsing webhook_vectors.json")
}

fn outcome(result: scalekit::Result<()>) -> anyhow::Result<&'static str> {
    Ok(match result {
        Ok(()) => "ok",
        Err(Error::WebhookSignature(reason)) => match reason {
            WebhookSignatureReason::MissingHeaders(_) => "missing_headers",
            WebhookSignatureReason::InvalidSecret => "invalid_secret",
            WebhookSignatureReason::InvalidSignatureHeaders => "invalid_signature_headers",
            WebhookSignatureReason::TimestampTooOld => "timestamp_too_old",
            WebhookSignatureReason::TimestampTooNew => "timestamp_too_new",
            WebhookSignatureReason::InvalidSignature => "invalid_signature",
            WebhookSignatureReason::TooManySignatures { .. } => "too_many_signatures",
            other => bail!("unexpected reason {other:?}"),
        },
        Err(other) => bail!("unexpected error {other:?}"),
    })
}

fn header_map(headers: &HashMap<String, String>) -> anyhow::Result<http::HeaderMap> {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        // Mixed case on the wire: HeaderMap lower-cases names.
        let name = http::HeaderName::from_bytes(name.to_uppercase().as_bytes())?;
        map.insert(name, value.parse()?);
    }
    Ok(map)
}

#[test]
fn verify_node_signed_vectors_each_yield_the_expected_outcome() -> anyhow::Result<()> {
    let all = vectors()?;
    ensure!(all.vectors.len() >= 15, "too few vectors");
    let now = UNIX_EPOCH + Duration::from_secs(all.now);
    for v in &all.vectors {
        let headers = header_map(&v.headers)?;
        let (as_map, as_header_map) = match v.kind.as_str() {
            "interceptor" => (
                scalekit::webhook::verify_interceptor(
                    &v.secret,
                    &v.headers,
                    v.payload.as_bytes(),
                    now,
                ),
                scalekit::webhook::verify_interceptor(
                    &v.secret,
                    &headers,
                    v.payload.as_bytes(),
                    now,
                ),
            ),
            _ => (
                scalekit::webhook::verify(&v.secret, &v.headers, v.payload.as_bytes(), now),
                scalekit::webhook::verify(&v.secret, &headers, v.payload.as_bytes(), now),
            ),
        };
        ensure!(
            outcome(as_map)? == v.expect,
            "{} (plain map): want {}",
            v.name,
            v.expect
        );
        ensure!(
            outcome(as_header_map)? == v.expect,
            "{} (HeaderMap): want {}",
            v.name,
            v.expect
        );
    }
    Ok(())
}

#[test]
fn verify_webhook_payload_uses_the_current_time() -> anyhow::Result<()> {
    // The vectors are from 2023: at the real current time they are too old.
    let client = scalekit::ScalekitClient::new("https://acme.scalekit.dev", "skc_1", "secret")?;
    let all = vectors()?;
    let v = all
        .vectors
        .iter()
        .find(|v| v.name == "valid")
        .context("valid vector")?;
    let err = client
        .verify_webhook_payload(&v.secret, &v.headers, &v.payload)
        .expect_err("a 2023 delivery must be refused today");
    ensure!(matches!(
        err,
        Error::WebhookSignature(WebhookSignatureReason::TimestampTooOld)
    ));
    let i = all
        .vectors
        .iter()
        .find(|v| v.name == "interceptor_headers")
        .context("interceptor vector")?;
    let err = client
        .verify_interceptor_payload(&i.secret, &i.headers, i.payload.as_bytes())
        .expect_err("too old");
    ensure!(matches!(
        err,
        Error::WebhookSignature(WebhookSignatureReason::TimestampTooOld)
    ));
    Ok(())
}

/// The `valid` vector's headers with `decoys` wrong `v1` entries put before
/// its real signature.
fn valid_behind_decoys(decoys: usize) -> anyhow::Result<(Vector, u64)> {
    let all = vectors()?;
    let mut v = all
        .vectors
        .into_iter()
        .find(|v| v.name == "valid")
        .context("valid vector")?;
    let real = v
        .headers
        .get("webhook-signature")
        .context("signature header")?
        .clone();
    let decoy = "v1,BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
    let mut entries = vec![decoy; decoys];
    entries.push(&real);
    v.headers
        .insert("webhook-signature".into(), entries.join(" "));
    Ok((v, all.now))
}

#[test]
fn verify_finds_a_valid_signature_behind_31_decoys() -> anyhow::Result<()> {
    let (v, now) = valid_behind_decoys(scalekit::webhook::MAX_SIGNATURES - 1)?;
    let now = UNIX_EPOCH + Duration::from_secs(now);
    scalekit::webhook::verify(&v.secret, &v.headers, v.payload.as_bytes(), now)?;
    scalekit::webhook::verify(
        &v.secret,
        &header_map(&v.headers)?,
        v.payload.as_bytes(),
        now,
    )?;
    Ok(())
}

#[test]
fn verify_refuses_a_header_of_33_entries_even_with_a_valid_one() -> anyhow::Result<()> {
    let (v, now) = valid_behind_decoys(scalekit::webhook::MAX_SIGNATURES)?;
    let now = UNIX_EPOCH + Duration::from_secs(now);
    let result = scalekit::webhook::verify(&v.secret, &v.headers, v.payload.as_bytes(), now);
    ensure!(outcome(result)? == "too_many_signatures");
    Ok(())
}

/// A delivery signed now with `key`, as `webhook-*` headers.
fn signed_now(key: &[u8], payload: &str) -> anyhow::Result<HashMap<String, String>> {
    use base64::Engine as _;
    use hmac::Mac as _;

    let now = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)?
        .as_secs();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key)?;
    mac.update(format!("msg_cache.{now}.{payload}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    Ok(HashMap::from([
        ("webhook-id".to_string(), "msg_cache".to_string()),
        ("webhook-timestamp".to_string(), now.to_string()),
        ("webhook-signature".to_string(), format!("v1,{signature}")),
    ]))
}

#[test]
fn verify_webhook_payload_keys_each_secret_it_is_given_whatever_was_cached() -> anyhow::Result<()> {
    use base64::Engine as _;

    let client = scalekit::ScalekitClient::new("https://acme.scalekit.dev", "skc_1", "secret")?;
    let secret = |key: &[u8]| {
        format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        )
    };
    let (a, b) = (
        b"first signing key".as_slice(),
        b"second signing key".as_slice(),
    );
    let body = r#"{"type":"user.created"}"#;
    let (from_a, from_b) = (signed_now(a, body)?, signed_now(b, body)?);
    let invalid = |r: scalekit::Result<()>| {
        matches!(
            r,
            Err(Error::WebhookSignature(
                WebhookSignatureReason::InvalidSignature
            ))
        )
    };

    client.verify_webhook_payload(&secret(a), &from_a, body)?;
    ensure!(invalid(client.verify_webhook_payload(
        &secret(b),
        &from_a,
        body
    )));
    client.verify_webhook_payload(&secret(b), &from_b, body)?;
    ensure!(invalid(client.verify_webhook_payload(
        &secret(a),
        &from_b,
        body
    )));
    client.verify_webhook_payload(&secret(a), &from_a, body)?;
    // A malformed secret is refused as such, not judged with the cached key.
    ensure!(matches!(
        client.verify_webhook_payload("whsec", &from_a, body),
        Err(Error::WebhookSignature(
            WebhookSignatureReason::InvalidSecret
        ))
    ));
    client.verify_webhook_payload(&secret(a), &from_a, body)?;
    Ok(())
}
