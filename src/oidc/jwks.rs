//! The environment's signing keys (`GET {env_url}/keys`): parsed into the
//! keys this SDK will verify with, cached per client with a TTL, and
//! refetched at most once per cooldown when a token names an unknown `kid`.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::time::Instant;
use url::Url;

use crate::error::Error;
use crate::transport::headers::SdkHeaders;

/// How long fetched keys are trusted before the next validation refetches
/// them.
pub(crate) const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(60 * 60);

/// The least time between two refetches caused by unknown `kid`s, so a flood
/// of tokens with made-up key ids cannot hammer the JWKS endpoint.
pub(crate) const UNKNOWN_KID_COOLDOWN: Duration = Duration::from_secs(30);

/// The asymmetric algorithms a token may use. HMAC is never accepted: a
/// JWKS publishes public keys, and a public key must never serve as an HMAC
/// secret.
pub(crate) fn accepted_algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        _ => return None,
    })
}

/// One usable verification key.
pub(crate) struct VerificationKey {
    pub(crate) kid: Option<String>,
    /// The algorithms the key may verify: its `alg` alone when the JWK names
    /// one, otherwise every accepted algorithm of its key type and curve.
    pub(crate) algorithms: Vec<Algorithm>,
    /// `alg` or `kty`, for error messages.
    pub(crate) description: String,
    pub(crate) key: DecodingKey,
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

fn usable_key(value: serde_json::Value) -> Option<VerificationKey> {
    let jwk: Jwk = serde_json::from_value(value).ok()?;
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    let by_type: Vec<Algorithm> = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => vec![
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ],
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => vec![Algorithm::ES256],
            EllipticCurve::P384 => vec![Algorithm::ES384],
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
            EllipticCurve::Ed25519 => vec![Algorithm::EdDSA],
            _ => return None,
        },
        // Symmetric keys and unknown key types never verify tokens.
        _ => return None,
    };
    let (algorithms, description) = match jwk.common.key_algorithm {
        Some(named) => {
            // An `alg` that is not an accepted signature algorithm for this
            // key type (HS256, RSA-OAEP, ...) makes the key unusable.
            let alg = accepted_algorithm(&named.to_string())?;
            if !by_type.contains(&alg) {
                return None;
            }
            (vec![alg], format!("{alg:?}"))
        }
        None => {
            let kty = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => "RSA",
                AlgorithmParameters::EllipticCurve(_) => "EC",
                _ => "OKP",
            };
            (by_type, format!("kty {kty}"))
        }
    };
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some(VerificationKey {
        kid: jwk.common.key_id,
        algorithms,
        description,
        key,
    })
}

/// Where and how to fetch the JWKS.
pub(crate) struct JwksSource {
    pub(crate) http: reqwest::Client,
    pub(crate) url: Url,
    pub(crate) headers: SdkHeaders,
    pub(crate) timeout: Duration,
}

/// A non-2xx answer from the JWKS endpoint (the source of an
/// [`Error::Transport`]).
#[derive(Debug, thiserror::Error)]
#[error("JWKS endpoint answered HTTP {0}")]
struct JwksStatus(u16);

impl JwksSource {
    async fn fetch(&self) -> Result<KeySet, Error> {
        let mut headers = http::HeaderMap::new();
        self.headers.apply(&mut headers);
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                Error::Timeout
            } else {
                Error::Transport(Box::new(e))
            }
        };
        let response = self
            .http
            .get(self.url.clone())
            .headers(headers)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(classify)?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::Transport(Box::new(JwksStatus(status.as_u16()))));
        }
        let body = response.bytes().await.map_err(classify)?;
        let keys = KeySet::from_json(&body).map_err(|_| Error::MalformedResponse("keys"))?;
        tracing::debug!(keys = keys.keys.len(), "fetched JWKS");
        Ok(keys)
    }
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    fetched_at: Option<Instant>,
    last_unknown_kid_fetch: Option<Instant>,
}

/// The JWKS cache of one client, shared by its clones.
pub(crate) struct JwksCache {
    source: JwksSource,
    ttl: Duration,
    cooldown: Duration,
    state: Mutex<State>,
    /// Held while fetching, so concurrent validations fetch once.
    fetching: tokio::sync::Mutex<()>,
}

impl JwksCache {
    pub(crate) fn new(source: JwksSource, ttl: Duration, cooldown: Duration) -> Self {
        JwksCache {
            source,
            ttl,
            cooldown,
            state: Mutex::new(State::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fresh(&self) -> Option<Arc<KeySet>> {
        let state = self.state();
        let at = state.fetched_at?;
        (Instant::now().duration_since(at) < self.ttl)
            .then(|| state.keys.clone())
            .flatten()
    }

    fn store(&self, keys: KeySet) -> Arc<KeySet> {
        let keys = Arc::new(keys);
        let mut state = self.state();
        state.keys = Some(keys.clone());
        state.fetched_at = Some(Instant::now());
        keys
    }

    /// The cached keys while fresh; otherwise fetched (once, however many
    /// callers wait).
    pub(crate) async fn keys(&self) -> Result<Arc<KeySet>, Error> {
        if let Some(keys) = self.fresh() {
            return Ok(keys);
        }
        let _fetching = self.fetching.lock().await;
        if let Some(keys) = self.fresh() {
            return Ok(keys);
        }
        Ok(self.store(self.source.fetch().await?))
    }

    /// Called when `seen` lacks a token's key: newer keys if another caller
    /// already refetched, else a refetch unless one happened for the same
    /// reason within the cooldown (then `None`).
    pub(crate) async fn refetch_for_unknown_kid(
        &self,
        seen: &Arc<KeySet>,
    ) -> Result<Option<Arc<KeySet>>, Error> {
        let _fetching = self.fetching.lock().await;
        {
            let mut state = self.state();
            if let Some(current) = &state.keys {
                if !Arc::ptr_eq(current, seen) {
                    return Ok(Some(current.clone()));
                }
            }
            let now = Instant::now();
            if state
                .last_unknown_kid_fetch
                .is_some_and(|at| now.duration_since(at) < self.cooldown)
            {
                return Ok(None);
            }
            state.last_unknown_kid_fetch = Some(now);
        }
        tracing::debug!("unknown key id: refetching the JWKS");
        Ok(Some(self.store(self.source.fetch().await?)))
    }
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
}
