//! Verifying webhook and interceptor payloads from Scalekit.
//!
//! Scalekit signs each delivery with HMAC-SHA256 over
//! `{id}.{timestamp}.{payload}`, keyed with the base64 part of your signing
//! secret (after `whsec_`), and sends `v1,<base64 signature>` entries in the
//! signature header. A delivery is accepted when any entry matches and the
//! timestamp is within five minutes of now, either way. A header with more
//! than [`MAX_SIGNATURES`] entries is refused outright.
//!
//! ```
//! # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//! # let headers = http::HeaderMap::new();
//! # let body: &[u8] = b"{}";
//! let secret = std::env::var("SCALEKIT_WEBHOOK_SECRET").unwrap_or_default();
//! match client.verify_webhook_payload(&secret, &headers, body) {
//!     Ok(()) => println!("genuine"),
//!     Err(err) => println!("refused: {err}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Pass the body exactly as received: bytes, not re-serialized JSON. The MAC
//! is computed once per delivery and compared with each entry in constant
//! time. [`verify`] and [`verify_interceptor`] take
//! the current time as an argument, for tests.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine as _};
use hmac::digest::{CtOutput, Output};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::error::{Error, Result, WebhookSignatureReason as Reason};
use crate::ScalekitClient;

/// How far a timestamp may be from now, in either direction.
pub const TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Most entries a signature header may carry. Each entry costs a base64
/// decode and a comparison, so an unbounded header would let a sender make
/// verification arbitrarily slow; a key rotation needs only a few.
pub const MAX_SIGNATURES: usize = 32;

/// The signature version this SDK verifies.
const VERSION: &str = "v1";

type HmacSha256 = Hmac<Sha256>;

/// Room for a decoded entry: an HMAC-SHA256 tag is 32 bytes, and base64
/// decoding wants a little slack for its length estimate. A longer entry
/// cannot match, so it is skipped.
const ENTRY_BUFFER: usize = 64;

/// Standard base64 that accepts input with or without padding (as Node's
/// `Buffer.from(…, "base64")` does).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const LENIENT_URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn decode_b64(text: &str) -> Option<Vec<u8>> {
    LENIENT
        .decode(text)
        .or_else(|_| LENIENT_URL.decode(text))
        .ok()
}

/// Request headers, looked up by name without regard to case. Implemented
/// for [`http::HeaderMap`] and for `HashMap`/`BTreeMap` of strings.
///
/// ```
/// use scalekit::webhook::WebhookHeaders;
/// let mut map = std::collections::HashMap::new();
/// map.insert("Webhook-Id".to_string(), "msg_1".to_string());
/// assert_eq!(map.header("webhook-id").as_deref(), Some("msg_1"));
/// ```
pub trait WebhookHeaders {
    /// The value of header `name` (lowercase), if present and text. Several
    /// values of one header are joined with spaces.
    fn header(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl WebhookHeaders for http::HeaderMap {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut values = self.get_all(name).iter().filter_map(|v| v.to_str().ok());
        let first = values.next()?;
        let rest: Vec<&str> = values.collect();
        if rest.is_empty() {
            Some(Cow::Borrowed(first))
        } else {
            Some(Cow::Owned(
                std::iter::once(first)
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join(" "),
            ))
        }
    }
}

fn find_in<'a, K, V>(
    entries: impl IntoIterator<Item = (&'a K, &'a V)>,
    name: &str,
) -> Option<Cow<'a, str>>
where
    K: AsRef<str> + 'a + ?Sized,
    V: AsRef<str> + 'a + ?Sized,
{
    entries
        .into_iter()
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| Cow::Borrowed(v.as_ref()))
}

impl<K: AsRef<str>, V: AsRef<str>, S: BuildHasher> WebhookHeaders for HashMap<K, V, S> {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        find_in(self.iter(), name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> WebhookHeaders for BTreeMap<K, V> {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        find_in(self.iter(), name)
    }
}

impl<T: WebhookHeaders + ?Sized> WebhookHeaders for &T {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        (**self).header(name)
    }
}

/// Verifies a webhook delivery (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`) at time `now`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use scalekit::{Error, WebhookSignatureReason};
///
/// let headers = std::collections::HashMap::from([
///     ("webhook-id", "msg_1"),
///     ("webhook-timestamp", "1700000000"),
///     ("webhook-signature", "v1,bm90IHRoZSBzaWduYXR1cmU="),
/// ]);
/// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let result = scalekit::webhook::verify("whsec_c2VjcmV0", &headers, b"{}", now);
/// assert!(matches!(result, Err(Error::WebhookSignature(WebhookSignatureReason::InvalidSignature))));
/// ```
///
/// # Errors
/// [`Error::WebhookSignature`] with the [`WebhookSignatureReason`](crate::WebhookSignatureReason):
/// missing headers, invalid secret, a timestamp that is not a number, more
/// than [`MAX_SIGNATURES`] signature entries, too old, too new, or no
/// matching signature.
pub fn verify(
    secret: &str,
    headers: &(impl WebhookHeaders + ?Sized),
    payload: impl AsRef<[u8]>,
    now: SystemTime,
) -> Result<()> {
    verify_with_prefix(
        Key::Secret(secret),
        headers,
        "webhook",
        payload.as_ref(),
        now,
    )
}

/// Verifies an interceptor request at time `now`: the `interceptor-id`,
/// `interceptor-timestamp` and `interceptor-signature` headers, or the
/// `webhook-*` ones when no `interceptor-*` header is present (the official
/// SDKs disagree on which the server sends).
///
/// ```
/// use std::time::SystemTime;
/// let headers = http::HeaderMap::new();
/// let err = scalekit::webhook::verify_interceptor("whsec_c2VjcmV0", &headers, b"{}", SystemTime::now())
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "webhook verification failed: missing required headers: webhook-id, webhook-timestamp, webhook-signature"
/// );
/// ```
///
/// # Errors
/// As [`verify`].
pub fn verify_interceptor(
    secret: &str,
    headers: &(impl WebhookHeaders + ?Sized),
    payload: impl AsRef<[u8]>,
    now: SystemTime,
) -> Result<()> {
    verify_with_prefix(
        Key::Secret(secret),
        headers,
        interceptor_prefix(headers),
        payload.as_ref(),
        now,
    )
}

/// `interceptor-*` when any such header is present, else `webhook-*`.
fn interceptor_prefix(headers: &(impl WebhookHeaders + ?Sized)) -> &'static str {
    if INTERCEPTOR_HEADERS
        .iter()
        .any(|h| headers.header(h).is_some())
    {
        "interceptor"
    } else {
        "webhook"
    }
}

/// The keyed MAC of the last secret a client verified with.
///
/// Keying HMAC-SHA256 hashes two blocks and the secret is base64 to decode
/// first: for a 1 KiB delivery that is about a fifth of the work. An
/// application verifies with one secret (or a few, across a rotation), so
/// one entry is enough; a different secret replaces it. The secret is the
/// application's own argument, never the sender's, so comparing it with
/// the cached one in ordinary time reveals nothing to a sender.
#[derive(Default)]
pub(crate) struct KeyCache {
    last: arc_swap::ArcSwapOption<CachedKey>,
}

struct CachedKey {
    secret: secrecy::SecretString,
    mac: HmacSha256,
}

impl KeyCache {
    fn verify(
        &self,
        secret: &str,
        headers: &(impl WebhookHeaders + ?Sized),
        prefix: &str,
        payload: &[u8],
        now: SystemTime,
    ) -> Result<()> {
        use secrecy::ExposeSecret as _;

        if let Some(cached) = self.last.load().as_deref() {
            if cached.secret.expose_secret() == secret {
                return verify_with_prefix(Key::Keyed(&cached.mac), headers, prefix, payload, now);
            }
        }
        let mac = keyed_mac(secret)?;
        let result = verify_with_prefix(Key::Keyed(&mac), headers, prefix, payload, now);
        self.last.store(Some(std::sync::Arc::new(CachedKey {
            secret: secret.into(),
            mac,
        })));
        result
    }
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyCache(<redacted>)")
    }
}

const WEBHOOK_HEADERS: [&str; 3] = ["webhook-id", "webhook-timestamp", "webhook-signature"];
const INTERCEPTOR_HEADERS: [&str; 3] = [
    "interceptor-id",
    "interceptor-timestamp",
    "interceptor-signature",
];

fn fail(reason: Reason) -> Error {
    Error::WebhookSignature(reason)
}

/// The HMAC keyed with a signing secret (`whsec_<base64 key>`).
fn keyed_mac(secret: &str) -> Result<HmacSha256> {
    let key = secret
        .split_once('_')
        .map(|(_, key)| key)
        .filter(|key| !key.is_empty())
        .and_then(decode_b64)
        .filter(|key| !key.is_empty())
        .ok_or_else(|| fail(Reason::InvalidSecret))?;
    HmacSha256::new_from_slice(&key).map_err(|_| fail(Reason::InvalidSecret))
}

/// Where the keyed MAC of a verification comes from.
enum Key<'a> {
    /// Decode and key it now.
    Secret(&'a str),
    /// Keyed before, from the same secret.
    Keyed(&'a HmacSha256),
}

fn verify_with_prefix(
    key: Key<'_>,
    headers: &(impl WebhookHeaders + ?Sized),
    prefix: &str,
    payload: &[u8],
    now: SystemTime,
) -> Result<()> {
    let names = if prefix == "interceptor" {
        INTERCEPTOR_HEADERS
    } else {
        WEBHOOK_HEADERS
    };
    let values = names.map(|name| headers.header(name).filter(|v| !v.trim().is_empty()));
    let [Some(id), Some(timestamp), Some(signatures)] = &values else {
        let missing = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        return Err(fail(Reason::MissingHeaders(missing)));
    };

    let mut mac = match key {
        Key::Secret(secret) => keyed_mac(secret)?,
        Key::Keyed(mac) => mac.clone(),
    };

    // The signed content holds the timestamp as the header spells it, so
    // the text is kept for the MAC and the number only for the age check.
    let timestamp_text = timestamp.trim();
    let timestamp: i64 = timestamp_text
        .parse()
        .map_err(|_| fail(Reason::InvalidSignatureHeaders))?;
    if signature_entries(signatures).nth(MAX_SIGNATURES).is_some() {
        return Err(fail(Reason::TooManySignatures {
            max: MAX_SIGNATURES,
        }));
    }
    // Saturating: a clock centuries off must fail the age check, not
    // overflow.
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => 0i64.saturating_sub_unsigned(e.duration().as_secs()),
    };
    let tolerance = TOLERANCE.as_secs() as i64;
    if now.saturating_sub(timestamp) > tolerance {
        return Err(fail(Reason::TimestampTooOld));
    }
    if timestamp > now.saturating_add(tolerance) {
        return Err(fail(Reason::TimestampTooNew));
    }

    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(payload);
    // One MAC per delivery, whatever the number of entries.
    let expected = mac.finalize();

    for entry in signature_entries(signatures) {
        let Some((version, signature)) = entry.split_once(',') else {
            continue;
        };
        if version != VERSION {
            continue;
        }
        // A malformed or wrong-length entry is skipped, not fatal to the rest.
        // `CtOutput`'s equality is constant-time (`subtle`).
        if decode_tag(signature).is_some_and(|signature| signature == expected) {
            return Ok(());
        }
    }
    Err(fail(Reason::InvalidSignature))
}

/// The space-separated entries of a signature header (`v1,<base64>`).
fn signature_entries(header: &str) -> impl Iterator<Item = &str> {
    header.split(' ').filter(|entry| !entry.is_empty())
}

/// An entry's signature as an HMAC-SHA256 tag, decoded on the stack; `None`
/// when it is not base64 or not the length of a tag.
fn decode_tag(text: &str) -> Option<CtOutput<HmacSha256>> {
    let mut buffer = [0u8; ENTRY_BUFFER];
    let len = LENIENT
        .decode_slice(text, &mut buffer)
        .or_else(|_| LENIENT_URL.decode_slice(text, &mut buffer))
        .ok()?;
    let mut tag = Output::<HmacSha256>::default();
    if len != tag.len() {
        return None;
    }
    tag.copy_from_slice(buffer.get(..len)?);
    Some(CtOutput::new(tag))
}

#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
impl ScalekitClient {
    /// Verifies that a webhook delivery came from Scalekit, unaltered and
    /// recent: [`webhook::verify`](verify) at the current time.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// # let (headers, body) = (http::HeaderMap::new(), Vec::<u8>::new());
    /// client.verify_webhook_payload("whsec_…", &headers, &body)?;
    /// let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    /// # let _ = event;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// `headers` is an [`http::HeaderMap`] or a map of strings (names
    /// compared without regard to case); `payload` the raw body.
    ///
    /// # Errors
    /// [`Error::WebhookSignature`] with the reason.
    ///
    /// See <https://docs.scalekit.com/reference/webhooks/overview/>.
    pub fn verify_webhook_payload(
        &self,
        secret: &str,
        headers: &(impl WebhookHeaders + ?Sized),
        payload: impl AsRef<[u8]>,
    ) -> Result<()> {
        self.webhook_keys().verify(
            secret,
            headers,
            "webhook",
            payload.as_ref(),
            SystemTime::now(),
        )
    }

    /// Verifies that an interceptor request came from Scalekit:
    /// [`webhook::verify_interceptor`](verify_interceptor) at the current time.
    ///
    /// ```
    /// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    /// # let (headers, body) = (http::HeaderMap::new(), b"{}".to_vec());
    /// client.verify_interceptor_payload("whsec_…", &headers, &body)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::WebhookSignature`] with the reason.
    pub fn verify_interceptor_payload(
        &self,
        secret: &str,
        headers: &(impl WebhookHeaders + ?Sized),
        payload: impl AsRef<[u8]>,
    ) -> Result<()> {
        let prefix = interceptor_prefix(headers);
        self.webhook_keys()
            .verify(secret, headers, prefix, payload.as_ref(), SystemTime::now())
    }
}

#[cfg(test)]
mod tests;
