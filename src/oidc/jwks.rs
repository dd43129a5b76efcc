//! The environment's signing keys (`GET {env_url}/keys`): parsed here into
//! the keys this SDK will verify with ([`KeySet`]), fetched by
//! [`JwksSource`] and cached per client, shared by its clones, by
//! [`JwksCache`].
//!
//! How long keys are used, and why, is told to users in the
//! [`oidc`](crate::oidc) module docs: fresh for the TTL; stale past it and
//! still used while one background refresh runs (stale-while-revalidate),
//! and through failed refreshes, backed off, for up to [`MAX_STALE`]
//! (stale-if-error); waited for only when no usable keys are held, then by
//! one shared fetch. The constants below are that policy's numbers.
//!
//! Every fetch is bounded by the client's
//! [`token_timeout`](crate::ClientBuilder::token_timeout) (connecting, the
//! headers and the body), follows no redirect, and reads at most
//! [`JWKS_BODY_LIMIT`](source::JWKS_BODY_LIMIT) bytes.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

mod cache;
mod public_key;
mod source;

pub(crate) use cache::{JwksCache, Lifetimes};
pub(crate) use public_key::Algorithm;
use public_key::{Curve, PublicKey};
pub(crate) use source::JwksSource;

/// How long fetched keys are used before a validation starts a refresh.
pub(crate) const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(60 * 60);

/// How long past the TTL keys are still used when every refresh fails. The
/// official SDKs never expire fetched keys, and a successful refresh
/// retires removed keys whatever this says, so this only bounds how long a
/// JWKS outage is ridden out (see the [`oidc`](crate::oidc) docs).
pub(crate) const MAX_STALE: Duration = Duration::from_secs(24 * 60 * 60);

/// The least time between two refetches caused by unknown `kid`s, so a flood
/// of tokens with made-up key ids cannot hammer the JWKS endpoint.
pub(crate) const UNKNOWN_KID_COOLDOWN: Duration = Duration::from_secs(30);

/// The pause after a failed fetch before the next one may start. Each
/// further failure in a row doubles it, up to [`BACKOFF_MAX`]. A second is
/// short enough that a blip goes unnoticed (stale keys are used meanwhile)
/// and long enough that a burst of validations makes one request.
pub(crate) const BACKOFF_FIRST: Duration = Duration::from_secs(1);

/// The longest pause between two fetches while they keep failing: an outage
/// costs about one request a minute, and recovery is noticed within one.
pub(crate) const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// The asymmetric algorithm a token's `alg` names, if accepted (see
/// [`Algorithm::from_name`]).
pub(crate) fn accepted_algorithm(name: &str) -> Option<Algorithm> {
    Algorithm::from_name(name)
}

/// One usable verification key.
pub(crate) struct VerificationKey {
    pub(crate) kid: Option<String>,
    /// The algorithms the key may verify: its `alg` alone when the JWK names
    /// one, otherwise every accepted algorithm of its key type and curve.
    pub(crate) algorithms: Vec<Algorithm>,
    /// `alg` or `kty`, for error messages.
    pub(crate) description: String,
    pub(crate) key: PublicKey,
}

/// The usable keys of one JWKS document.
#[derive(Default)]
pub(crate) struct KeySet {
    pub(crate) keys: Vec<VerificationKey>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| (&k.kid, &k.description)))
            .finish()
    }
}

impl KeySet {
    /// Parses a JWKS document. Keys that cannot verify signatures here
    /// (symmetric, encryption-only, unknown type or curve, unparsable) are
    /// skipped; a document without a `keys` array is an error.
    pub(crate) fn from_json(body: &[u8]) -> Result<KeySet, &'static str> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let doc: Document =
            serde_json::from_slice(body).map_err(|_| "JWKS is not a JSON object with keys")?;
        let keys = doc.keys.into_iter().filter_map(usable_key).collect();
        Ok(KeySet { keys })
    }

    /// The key for a token with this `kid` (or, without one, the single key
    /// that fits `alg`).
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&VerificationKey> {
        match kid {
            Some(kid) => self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
            None => {
                let mut fitting = self.keys.iter().filter(|k| k.algorithms.contains(&alg));
                let first = fitting.next()?;
                fitting.next().is_none().then_some(first)
            }
        }
    }
}

/// The members of a JWK (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2) this SDK
/// reads; the others are ignored.
#[derive(serde::Deserialize)]
struct Jwk {
    kty: String,
    #[serde(rename = "use")]
    public_key_use: Option<String>,
    alg: Option<String>,
    kid: Option<String>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// A base64url member of a JWK, decoded; `None` if absent or not base64url.
/// Padding is tolerated: some issuers add it against RFC 7515 §2.
fn member(value: &Option<String>) -> Option<Vec<u8>> {
    let text = value.as_deref()?.trim_end_matches('=');
    URL_SAFE_NO_PAD.decode(text).ok()
}

fn public_key(jwk: &Jwk) -> Option<PublicKey> {
    match jwk.kty.as_str() {
        "RSA" => PublicKey::rsa(&member(&jwk.n)?, &member(&jwk.e)?),
        "EC" => {
            let curve = Curve::from_name(jwk.crv.as_deref()?)?;
            PublicKey::ec(curve, &member(&jwk.x)?, &member(&jwk.y)?)
        }
        "OKP" if jwk.crv.as_deref() == Some("Ed25519") => PublicKey::ed25519(&member(&jwk.x)?),
        // Symmetric keys, other curves and unknown key types never verify
        // tokens.
        _ => None,
    }
}

fn usable_key(value: serde_json::Value) -> Option<VerificationKey> {
    let jwk: Jwk = serde_json::from_value(value).ok()?;
    if jwk.public_key_use.as_deref().is_some_and(|u| u != "sig") {
        return None;
    }
    let key = public_key(&jwk)?;
    let by_type = key.algorithms();
    let (algorithms, description) = match &jwk.alg {
        Some(named) => {
            // An `alg` that is not an accepted signature algorithm for this
            // key type (HS256, RSA-OAEP, ...) makes the key unusable.
            let alg = accepted_algorithm(named)?;
            if !by_type.contains(&alg) {
                return None;
            }
            (vec![alg], alg.name().to_string())
        }
        None => (by_type, format!("kty {}", key.kty())),
    };
    Some(VerificationKey {
        kid: jwk.kid,
        algorithms,
        description,
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_N: &str = "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw";

    fn jwk(extra: serde_json::Value) -> serde_json::Value {
        let mut key = serde_json::json!({"kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": "k1"});
        if let (Some(key), Some(extra)) = (key.as_object_mut(), extra.as_object()) {
            key.extend(extra.clone());
        }
        key
    }

    fn set(keys: Vec<serde_json::Value>) -> KeySet {
        KeySet::from_json(serde_json::json!({ "keys": keys }).to_string().as_bytes()).unwrap()
    }

    #[test]
    fn keys_without_alg_allow_their_type_family() {
        let keys = set(vec![jwk(serde_json::json!({}))]);
        let key = keys.find(Some("k1"), Algorithm::RS256).unwrap();
        assert!(key.algorithms.contains(&Algorithm::PS256));
        assert!(!key.algorithms.contains(&Algorithm::ES256));
    }

    #[test]
    fn keys_with_alg_allow_only_it() {
        let keys = set(vec![jwk(serde_json::json!({"alg": "RS256"}))]);
        assert_eq!(keys.keys[0].algorithms, [Algorithm::RS256]);
    }

    #[test]
    fn symmetric_encryption_and_mismatched_keys_are_skipped() {
        let keys = set(vec![
            serde_json::json!({"kty": "oct", "k": "c2VjcmV0", "kid": "h"}),
            jwk(serde_json::json!({"kid": "enc", "use": "enc"})),
            jwk(serde_json::json!({"kid": "hs", "alg": "HS256"})),
            jwk(serde_json::json!({"kid": "es", "alg": "ES256"})),
            serde_json::json!({"kty": "weird", "kid": "w"}),
        ]);
        assert!(keys.keys.is_empty(), "{keys:?}");
    }

    #[test]
    fn a_document_without_keys_is_malformed() {
        assert!(KeySet::from_json(b"{}").is_err());
        assert!(KeySet::from_json(b"not json").is_err());
    }

    #[test]
    fn tokens_without_kid_use_the_single_fitting_key() {
        let one = set(vec![jwk(serde_json::json!({}))]);
        assert!(one.find(None, Algorithm::RS256).is_some());
        assert!(one.find(None, Algorithm::ES256).is_none());
        let two = set(vec![
            jwk(serde_json::json!({})),
            jwk(serde_json::json!({"kid": "k2"})),
        ]);
        assert!(two.find(None, Algorithm::RS256).is_none());
    }

    #[test]
    fn ec_and_okp_keys_need_an_accepted_curve_and_exact_lengths() {
        let b64 = |len: usize| URL_SAFE_NO_PAD.encode(vec![7u8; len]);
        let keys = set(vec![
            serde_json::json!({"kty": "EC", "crv": "P-256", "kid": "p256", "x": b64(32), "y": b64(32)}),
            serde_json::json!({"kty": "EC", "crv": "P-384", "kid": "p384", "x": b64(48), "y": b64(48)}),
            serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": b64(32)}),
            // Skipped: P-521, short coordinates, Ed448, X25519, no crv, no y.
            serde_json::json!({"kty": "EC", "crv": "P-521", "kid": "p521", "x": b64(66), "y": b64(66)}),
            serde_json::json!({"kty": "EC", "crv": "P-256", "kid": "short", "x": b64(31), "y": b64(32)}),
            serde_json::json!({"kty": "OKP", "crv": "Ed448", "kid": "ed448", "x": b64(57)}),
            serde_json::json!({"kty": "OKP", "crv": "X25519", "kid": "x25519", "x": b64(32)}),
            serde_json::json!({"kty": "EC", "kid": "nocrv", "x": b64(32), "y": b64(32)}),
            serde_json::json!({"kty": "EC", "crv": "P-256", "kid": "noy", "x": b64(32)}),
        ]);
        let found: Vec<_> = keys
            .keys
            .iter()
            .map(|k| (k.kid.as_deref().unwrap_or_default(), k.algorithms.clone()))
            .collect();
        assert_eq!(
            found,
            [
                ("p256", vec![Algorithm::ES256]),
                ("p384", vec![Algorithm::ES384]),
                ("ed", vec![Algorithm::EdDSA]),
            ]
        );
    }

    #[test]
    fn malformed_members_skip_the_key_and_padding_is_tolerated() {
        let keys = set(vec![
            jwk(serde_json::json!({"kid": "padded", "e": "AQAB=="})),
            jwk(serde_json::json!({"kid": "bad-n", "n": "***"})),
            jwk(serde_json::json!({"kid": "zero-e", "e": "AA"})),
            jwk(serde_json::json!({"kid": 7})),
            serde_json::json!({"kty": "RSA", "kid": "no-n", "e": "AQAB"}),
        ]);
        let kids: Vec<_> = keys.keys.iter().map(|k| k.kid.as_deref()).collect();
        assert_eq!(kids, [Some("padded")]);
        assert_eq!(keys.keys[0].description, "kty RSA");
    }
}
