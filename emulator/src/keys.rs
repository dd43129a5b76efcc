//! The environment's RS256 signing key and the JWKS that publishes it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256};

/// One RSA key pair with its key id.
pub(crate) struct SigningKey {
    pub(crate) kid: String,
    pub(crate) encoding: EncodingKey,
    pub(crate) decoding: DecodingKey,
    /// The public half as a JWK (`kty`, `use`, `alg`, `kid`, `n`, `e`).
    pub(crate) jwk: serde_json::Value,
}

impl SigningKey {
    /// Generates a fresh 2048-bit key.
    pub(crate) fn generate() -> Result<Self, String> {
        let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
            .map_err(|e| format!("generating the signing key: {e}"))?;
        let der = private
            .to_pkcs1_der()
            .map_err(|e| format!("encoding the signing key: {e}"))?;
        let n = private.n().to_bytes_be();
        let e = private.e().to_bytes_be();
        let n64 = URL_SAFE_NO_PAD.encode(&n);
        let e64 = URL_SAFE_NO_PAD.encode(&e);
        // A stable id derived from the public key, in the service's `snk_` style.
        let digest = Sha256::digest(&n);
        let kid = format!(
            "snk_{}",
            digest[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let decoding = DecodingKey::from_rsa_components(&n64, &e64)
            .map_err(|e| format!("building the verification key: {e}"))?;
        Ok(SigningKey {
            jwk: serde_json::json!({
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": kid,
                "n": n64,
                "e": e64,
            }),
            kid,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
        })
    }
}
