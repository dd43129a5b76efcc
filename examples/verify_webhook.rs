//! Verifying a webhook delivery the way a receiving endpoint must: over the
//! raw body bytes, with the `webhook-*` headers, against the endpoint's
//! signing secret.
//!
//! Here the delivery is signed locally (with the `hmac` crate, as Scalekit
//! signs it) so the program runs anywhere; in a web handler the headers and
//! bytes come from the request.
//!
//! ```text
//! cargo run --example verify_webhook
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use scalekit::webhook;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The endpoint's secret, as the Scalekit dashboard shows it.
    let key = b"an example signing key, 32 bytes";
    let secret = format!("whsec_{}", STANDARD.encode(key));

    // A delivery: id, timestamp, raw body, and `v1,<base64 HMAC-SHA256>` of
    // "{id}.{timestamp}.{body}".
    let id = "evt_123";
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)?
        .as_secs()
        .to_string();
    let body = br#"{"type":"organization.created","data":{"id":"org_123"}}"#;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key)?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let signature = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));

    let mut headers = http::HeaderMap::new();
    headers.insert("webhook-id", id.parse()?);
    headers.insert("webhook-timestamp", timestamp.parse()?);
    headers.insert("webhook-signature", signature.parse()?);

    webhook::verify(&secret, &headers, body, SystemTime::now())?;
    println!("genuine delivery: verified");

    let tampered = br#"{"type":"organization.deleted","data":{"id":"org_123"}}"#;
    match webhook::verify(&secret, &headers, tampered, SystemTime::now()) {
        Err(err) => println!("tampered body: refused ({err})"),
        Ok(()) => return Err("a tampered body must not verify".into()),
    }
    Ok(())
}
