//! Signing secrets and signatures, as Scalekit makes them: a secret is
//! `whsec_` and the base64 of its key bytes, and a delivery carries
//! `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
//! (`v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the
//! key), which is what the SDKs' `verify_webhook_payload` checks.

use std::fmt;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use http::{HeaderMap, HeaderValue};
use rand::RngCore as _;
use sha2::Sha256;

use super::WebhookError;

/// What a secret starts with.
const PREFIX: &str = "whsec_";

/// Key bytes in a generated secret: the length of the secrets Scalekit's
/// dashboard shows (44 base64 characters).
const KEY_LEN: usize = 32;

/// Standard base64, padded or not, as the SDKs' verifiers read a secret.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = Hmac<Sha256>;

/// An endpoint's signing secret: the text handed out, and the MAC keyed
/// with the bytes it stands for. Never printed: `Debug` shows neither.
#[derive(Clone)]
pub(crate) struct Secret {
    text: String,
    mac: HmacSha256,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// A new random secret.
    pub(crate) fn generate() -> Result<Secret, WebhookError> {
        let mut key = [0; KEY_LEN];
        rand::thread_rng().fill_bytes(&mut key);
        Secret::parse(&format!("{PREFIX}{}", STANDARD.encode(key)))
    }

    /// Reads a secret given by a caller: `whsec_` and non-empty base64.
    pub(crate) fn parse(text: &str) -> Result<Secret, WebhookError> {
        let key = text
            .strip_prefix(PREFIX)
            .and_then(|encoded| LENIENT.decode(encoded).ok())
            .filter(|key| !key.is_empty())
            .ok_or(WebhookError::InvalidSecret)?;
        // HMAC takes a key of any length; the error is unreachable.
        let mac = HmacSha256::new_from_slice(&key).map_err(|_| WebhookError::InvalidSecret)?;
        Ok(Secret {
            text: text.to_string(),
            mac,
        })
    }

    /// The secret as handed out (`whsec_…`).
    pub(crate) fn expose(&self) -> &str {
        &self.text
    }

    /// The three `webhook-*` headers of `body` sent as delivery `id` at
    /// `timestamp` (Unix seconds).
    pub(crate) fn headers(&self, id: &str, timestamp: u64, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", header_value(id));
        headers.insert("webhook-timestamp", HeaderValue::from(timestamp));
        headers.insert(
            "webhook-signature",
            header_value(&format!("v1,{}", self.signature(id, timestamp, body))),
        );
        headers
    }

    /// The base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
    fn signature(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        STANDARD.encode(mac.finalize().into_bytes())
    }
}

/// A header value for text the emulator made (ids, base64), which is
/// always visible ASCII.
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_have_the_dashboard_shape_and_differ() {
        let one = Secret::generate().expect("a secret");
        let two = Secret::generate().expect("a secret");
        assert!(one.expose().starts_with("whsec_"));
        assert_eq!(one.expose().len(), "whsec_".len() + 44);
        assert_ne!(one.expose(), two.expose());
        let parsed = Secret::parse(one.expose()).expect("a generated secret parses");
        assert_eq!(
            parsed.headers("msg_1", 1, b"{}"),
            one.headers("msg_1", 1, b"{}")
        );
    }

    #[test]
    fn secrets_without_the_prefix_or_key_are_refused() {
        for text in ["", "whsec_", "c2VjcmV0", "whsec_not base64!", "wh_c2VjcmV0"] {
            assert!(Secret::parse(text).is_err(), "{text:?}");
        }
        assert!(Secret::parse("whsec_c2VjcmV0").is_ok(), "unpadded base64");
    }

    #[test]
    fn signature_matches_an_independently_computed_vector() {
        // HMAC-SHA256 with key "secret" over "msg_1.1700000000.{}", as
        // computed by `printf '%s' 'msg_1.1700000000.{}' | openssl dgst
        // -sha256 -hmac secret -binary | base64`.
        let secret = Secret::parse("whsec_c2VjcmV0").expect("valid");
        let headers = secret.headers("msg_1", 1_700_000_000, b"{}");
        assert_eq!(headers["webhook-id"], "msg_1");
        assert_eq!(headers["webhook-timestamp"], "1700000000");
        assert_eq!(
            headers["webhook-signature"],
            "v1,A5oIrJxXPB/PkULSoVu0e4khvPiqpF9vljmhkSKg0FI="
        );
        assert!(!format!("{secret:?}").contains("c2VjcmV0"));
    }
}
