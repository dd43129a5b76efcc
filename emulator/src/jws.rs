//! Compact JWS with RS256, the one shape the emulator signs and checks.
//!
//! The signatures are `ring`'s; this module only frames them
//! (`base64url(header).base64url(claims).base64url(signature)`, RFC 7515).
//! A JWT library would bring its own RSA stack: `jsonwebtoken`'s pure-Rust
//! backend is the `rsa` crate this emulator dropped (see [`crate::keys`]).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::keys::SigningKey;

#[derive(Serialize)]
struct SignedHeader<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
}

#[derive(Deserialize)]
struct ReadHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// Why a compact JWS did not check out.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not three base64url parts, not JSON, or claims of another shape.
    Malformed,
    /// Another algorithm than RS256, an unknown `kid`, or a signature that
    /// does not verify.
    BadSignature,
}

/// Signs `claims` with `key`, naming it in the header's `kid`.
pub(crate) fn sign<T: Serialize + ?Sized>(key: &SigningKey, claims: &T) -> Result<String, String> {
    let header = serde_json::to_vec(&SignedHeader {
        alg: "RS256",
        typ: "JWT",
        kid: &key.kid,
    })
    .map_err(|e| format!("encoding a token header: {e}"))?;
    let claims = serde_json::to_vec(claims).map_err(|e| format!("encoding token claims: {e}"))?;
    let mut token = URL_SAFE_NO_PAD.encode(header);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut token);
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// The claims of `token` once its RS256 signature verifies with the key
/// `key_for` finds for its `kid`. Nothing of the claims is checked here.
pub(crate) fn verify<T, K>(
    token: &str,
    key_for: impl FnOnce(Option<&str>) -> Option<K>,
) -> Result<T, Refusal>
where
    T: DeserializeOwned,
    K: std::ops::Deref<Target = SigningKey>,
{
    let (signed, signature) = token.rsplit_once('.').ok_or(Refusal::Malformed)?;
    let (header, claims) = signed.split_once('.').ok_or(Refusal::Malformed)?;
    let header: ReadHeader = decode_json(header)?;
    if header.alg != "RS256" {
        return Err(Refusal::BadSignature);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| Refusal::Malformed)?;
    let key = key_for(header.kid.as_deref()).ok_or(Refusal::BadSignature)?;
    if !key.verifies(signed.as_bytes(), &signature) {
        return Err(Refusal::BadSignature);
    }
    decode_json(claims)
}

fn decode_json<T: DeserializeOwned>(part: &str) -> Result<T, Refusal> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| Refusal::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Refusal::Malformed)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn key() -> Arc<SigningKey> {
        Arc::new(SigningKey::first().expect("a key"))
    }

    #[test]
    fn a_signed_token_verifies_and_names_its_key() {
        let key = key();
        let token = sign(&key, &serde_json::json!({"sub": "usr_1"})).expect("signed");
        let header: serde_json::Value =
            decode_json(token.split('.').next().expect("header")).expect("a JSON header");
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], key.kid.as_str());
        let claims: serde_json::Value = verify(&token, |kid| {
            (kid == Some(key.kid.as_str())).then(|| key.clone())
        })
        .expect("verifies");
        assert_eq!(claims["sub"], "usr_1");
    }

    #[test]
    fn tampered_foreign_and_malformed_tokens_are_refused() {
        let key = key();
        let token = sign(&key, &serde_json::json!({"sub": "usr_1"})).expect("signed");
        let (signed, _) = token.rsplit_once('.').expect("three parts");
        let other = sign(&key, &serde_json::json!({"sub": "usr_2"})).expect("signed");
        let (_, other_signature) = other.rsplit_once('.').expect("three parts");
        let none_alg = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(br#"{"sub":"usr_1"}"#)
        );
        for (token, refusal) in [
            (format!("{signed}.{other_signature}"), Refusal::BadSignature),
            (none_alg, Refusal::BadSignature),
            ("a.b".to_string(), Refusal::Malformed),
            ("not a token".to_string(), Refusal::Malformed),
            (format!("{signed}.!!"), Refusal::Malformed),
            (String::new(), Refusal::Malformed),
        ] {
            let verified = verify::<serde_json::Value, _>(&token, |_| Some(key.clone()));
            assert_eq!(verified.err(), Some(refusal), "{token}");
        }
        let unknown_kid = verify::<serde_json::Value, Arc<SigningKey>>(&token, |_| None);
        assert_eq!(unknown_kid.err(), Some(Refusal::BadSignature));
    }
}
