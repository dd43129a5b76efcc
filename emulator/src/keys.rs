//! The environment's RS256 signing keys and the JWKS entry of each.
//!
//! The keys are not generated. `ring` signs and verifies RSA but cannot make
//! an RSA key, and making one with a pure-Rust bignum crate took seconds per
//! start in a user's debug build (their profile, not ours, compiles it). So
//! the crate ships a few 2048-bit key pairs made for the emulator
//! (`emulator/keys/`, PKCS#1 DER). They are **test-only**: being published,
//! they prove nothing outside a test, and no real environment uses them.
//!
//! Each emulator in a process takes the next key of the set, so emulators
//! side by side sign with different keys until the set wraps. Whatever the
//! key, every key an emulator publishes gets a random `kid` of its own, so a
//! token one emulator signed never matches a `kid` another publishes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rsa::PublicKeyComponents;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};

/// The shipped key pairs (see the module docs: test-only).
const TEST_ONLY_KEYS: [&[u8]; 8] = [
    include_bytes!("../keys/test-only-rsa-1.der"),
    include_bytes!("../keys/test-only-rsa-2.der"),
    include_bytes!("../keys/test-only-rsa-3.der"),
    include_bytes!("../keys/test-only-rsa-4.der"),
    include_bytes!("../keys/test-only-rsa-5.der"),
    include_bytes!("../keys/test-only-rsa-6.der"),
    include_bytes!("../keys/test-only-rsa-7.der"),
    include_bytes!("../keys/test-only-rsa-8.der"),
];

/// Which shipped key the next emulator of this process starts with.
static NEXT_KEY: AtomicUsize = AtomicUsize::new(0);

/// A shipped key, parsed once per process (parsing checks the key, which
/// is the slow part in a debug build).
fn shipped(index: usize) -> Result<Arc<RsaKeyPair>, String> {
    static PARSED: [OnceLock<Result<Arc<RsaKeyPair>, String>>; TEST_ONLY_KEYS.len()] =
        [const { OnceLock::new() }; TEST_ONLY_KEYS.len()];
    let index = index % TEST_ONLY_KEYS.len();
    PARSED[index]
        .get_or_init(|| {
            RsaKeyPair::from_der(TEST_ONLY_KEYS[index])
                .map(Arc::new)
                .map_err(|e| format!("reading shipped key {}: {e}", index + 1))
        })
        .clone()
}

/// One RSA key pair with its key id.
pub(crate) struct SigningKey {
    pub(crate) kid: String,
    /// Which shipped key this is, so that a rotation takes the next one.
    index: usize,
    pair: Arc<RsaKeyPair>,
    /// The public half as a JWK (`kty`, `use`, `alg`, `kid`, `n`, `e`).
    pub(crate) jwk: serde_json::Value,
}

impl SigningKey {
    /// The first key of a new emulator: the next shipped key of the process.
    pub(crate) fn first() -> Result<Self, String> {
        Self::shipped(NEXT_KEY.fetch_add(1, Ordering::Relaxed))
    }

    /// The key a rotation moves to: the shipped key after this one, under a
    /// new `kid`.
    pub(crate) fn next(&self) -> Result<Self, String> {
        Self::shipped(self.index + 1)
    }

    fn shipped(index: usize) -> Result<Self, String> {
        let index = index % TEST_ONLY_KEYS.len();
        let pair = shipped(index)?;
        let public = PublicKeyComponents::<Vec<u8>>::from(pair.public());
        let kid = format!("snk_{:016x}", rand::random::<u64>());
        Ok(SigningKey {
            jwk: serde_json::json!({
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": kid,
                "n": URL_SAFE_NO_PAD.encode(&public.n),
                "e": URL_SAFE_NO_PAD.encode(&public.e),
            }),
            kid,
            index,
            pair,
        })
    }

    /// The RS256 (PKCS#1 v1.5, SHA-256) signature of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| "signing a token failed".to_string())?;
        Ok(signature)
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            self.pair.public().as_ref(),
        )
        .verify(message, signature)
        .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_key_parses_signs_and_verifies() {
        for index in 0..TEST_ONLY_KEYS.len() {
            let key = SigningKey::shipped(index).expect("a shipped key");
            let signature = key.sign(b"header.payload").expect("signed");
            assert!(key.verifies(b"header.payload", &signature), "key {index}");
            assert!(!key.verifies(b"header.payloaX", &signature), "key {index}");
        }
    }

    #[test]
    fn a_rotation_moves_to_another_key_under_a_new_kid() {
        let first = SigningKey::shipped(TEST_ONLY_KEYS.len() - 1).expect("a key");
        let next = first.next().expect("the next key");
        assert_eq!(next.index, 0, "the set wraps");
        assert_ne!(first.kid, next.kid);
        assert_ne!(first.jwk["n"], next.jwk["n"]);
        let signature = first.sign(b"m").expect("signed");
        assert!(!next.verifies(b"m", &signature));
        let again = SigningKey::shipped(first.index).expect("a key");
        assert_ne!(first.kid, again.kid, "the same key is published anew");
    }
}
