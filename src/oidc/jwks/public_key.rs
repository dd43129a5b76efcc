//! Signature checks: the JWS algorithms this SDK accepts, one JWK's public
//! key held in the form ring verifies with, and the ring call itself.
//!
//! Why ring, called directly, and not jsonwebtoken's `CryptoProvider`:
//! - jsonwebtoken (10 and later) finds its crypto backend in one
//!   process-wide slot: `crypto::verify` and `decode` read it, and
//!   `install_default` fills it once. A library that fills the slot picks
//!   the backend of the whole application and makes the application's own
//!   `install_default` fail; a library that leaves the pick to crate
//!   features shares one jsonwebtoken with the application, so when Cargo
//!   unifies the features to both backends (or to none) the first JWT
//!   operation panics, ours and the application's alike.
//! - The provider's fields are public, so the SDK could call a ring-backed
//!   `verifier_factory` without installing it. jsonwebtoken would then only
//!   carry key types from our parser to ring: the SDK already splits the
//!   token, matches the algorithm to the key and checks the claims itself.
//! - So the SDK does not depend on jsonwebtoken at all: it takes no part in
//!   the slot or in feature unification with the application's copy, and
//!   it leaves the `rsa` crate (RUSTSEC-2023-0071, and several times slower
//!   than ring) out of the tree. ring is linked already, for rustls.
//!
//! RSA keys must be 2048 to 8192 bits long, the range ring's verifiers
//! take. Shorter keys are refused on purpose (NIST SP 800-131A has
//! disallowed 1024-bit RSA signatures since 2013), and a token signed by
//! one fails with [`Reason::UnsupportedKey`], not as a bad signature, so the
//! cause is plain.

use ring::signature::{self as ring_sig, RsaParameters, RsaPublicKeyComponents, UnparsedPublicKey};

use crate::error::InvalidTokenReason as Reason;

/// A JWS signature algorithm this SDK verifies (RFC 7518 §3, RFC 8037 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Algorithm {
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    EdDSA,
}

impl Algorithm {
    /// Every algorithm an RSA key can verify.
    pub(crate) const RSA: [Algorithm; 6] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ];

    /// The accepted algorithm called `name` in a header or JWK. HMAC is
    /// never accepted: a JWKS publishes public keys, and a public key must
    /// never serve as an HMAC secret. `none` and ES512 (P-521, which ring
    /// does not verify) are refused too.
    pub(crate) fn from_name(name: &str) -> Option<Algorithm> {
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

    /// The JOSE name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// ring's parameters for the RSA algorithms; `None` for the others.
    fn rsa_parameters(self) -> Option<&'static RsaParameters> {
        Some(match self {
            Algorithm::RS256 => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &ring_sig::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &ring_sig::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &ring_sig::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &ring_sig::RSA_PSS_2048_8192_SHA512,
            _ => return None,
        })
    }
}

/// The curves ECDSA keys may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
}

impl Curve {
    /// The curve a JWK's `crv` names, if accepted.
    pub(crate) fn from_name(crv: &str) -> Option<Curve> {
        match crv {
            "P-256" => Some(Curve::P256),
            "P-384" => Some(Curve::P384),
            _ => None,
        }
    }

    /// The one algorithm a key on this curve verifies.
    fn algorithm(self) -> Algorithm {
        match self {
            Curve::P256 => Algorithm::ES256,
            Curve::P384 => Algorithm::ES384,
        }
    }

    /// The byte length of one coordinate.
    fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }

    fn verification(self) -> &'static ring_sig::EcdsaVerificationAlgorithm {
        match self {
            Curve::P256 => &ring_sig::ECDSA_P256_SHA256_FIXED,
            Curve::P384 => &ring_sig::ECDSA_P384_SHA384_FIXED,
        }
    }
}

/// The shortest and longest RSA modulus accepted, in bits (ring's range).
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// One public key, ready for ring.
pub(crate) enum PublicKey {
    /// Modulus and exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8>, bits: usize },
    /// The uncompressed SEC1 point, `0x04 ‖ x ‖ y`.
    Ec { curve: Curve, point: Vec<u8> },
    /// The 32-byte public key.
    Ed25519(Vec<u8>),
}

fn without_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

impl PublicKey {
    /// An RSA key from a JWK's decoded `n` and `e`; `None` if either is zero.
    /// The modulus length is checked when verifying, to name the problem.
    pub(crate) fn rsa(n: &[u8], e: &[u8]) -> Option<PublicKey> {
        let (n, e) = (without_leading_zeros(n), without_leading_zeros(e));
        let first = *n.first()?;
        e.first()?;
        let bits = n.len() * 8 - first.leading_zeros() as usize;
        Some(PublicKey::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
            bits,
        })
    }

    /// An ECDSA key from a JWK's decoded `x` and `y`; `None` unless both are
    /// exactly as long as the curve needs. Whether the point lies on the
    /// curve, ring checks when verifying.
    pub(crate) fn ec(curve: Curve, x: &[u8], y: &[u8]) -> Option<PublicKey> {
        let len = curve.coordinate_len();
        if x.len() != len || y.len() != len {
            return None;
        }
        let mut point = Vec::with_capacity(1 + 2 * len);
        point.push(0x04);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        Some(PublicKey::Ec { curve, point })
    }

    /// An Ed25519 key from a JWK's decoded `x`; `None` unless 32 bytes.
    pub(crate) fn ed25519(x: &[u8]) -> Option<PublicKey> {
        (x.len() == 32).then(|| PublicKey::Ed25519(x.to_vec()))
    }

    /// Every algorithm this kind of key can verify.
    pub(crate) fn algorithms(&self) -> Vec<Algorithm> {
        match self {
            PublicKey::Rsa { .. } => Algorithm::RSA.to_vec(),
            PublicKey::Ec { curve, .. } => vec![curve.algorithm()],
            PublicKey::Ed25519(_) => vec![Algorithm::EdDSA],
        }
    }

    /// The JWK key type, for error messages.
    pub(crate) fn kty(&self) -> &'static str {
        match self {
            PublicKey::Rsa { .. } => "RSA",
            PublicKey::Ec { .. } => "EC",
            PublicKey::Ed25519(_) => "OKP",
        }
    }

    /// Checks `signature` over `message` with `alg`. An algorithm this kind
    /// of key cannot verify is a mismatch; an RSA key outside 2048–8192 bits
    /// is [`Reason::UnsupportedKey`].
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Reason> {
        let mismatch = || Reason::AlgorithmMismatch {
            token: alg.name().into(),
            key: format!("kty {}", self.kty()),
        };
        let checked = match self {
            PublicKey::Rsa { n, e, bits } => {
                let parameters = alg.rsa_parameters().ok_or_else(mismatch)?;
                if *bits < *RSA_BITS.start() {
                    return Err(Reason::UnsupportedKey(
                        "RSA keys shorter than 2048 bits are refused",
                    ));
                }
                if *bits > *RSA_BITS.end() {
                    return Err(Reason::UnsupportedKey(
                        "RSA keys longer than 8192 bits are refused",
                    ));
                }
                RsaPublicKeyComponents { n, e }.verify(parameters, message, signature)
            }
            PublicKey::Ec { curve, point } if curve.algorithm() == alg => {
                UnparsedPublicKey::new(curve.verification(), point).verify(message, signature)
            }
            PublicKey::Ed25519(x) if alg == Algorithm::EdDSA => {
                UnparsedPublicKey::new(&ring_sig::ED25519, x).verify(message, signature)
            }
            _ => return Err(mismatch()),
        };
        checked.map_err(|_| Reason::InvalidSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_others_are_refused() {
        for alg in
            Algorithm::RSA
                .into_iter()
                .chain([Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA])
        {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
        for refused in [
            "none", "HS256", "HS384", "HS512", "ES512", "rs256", "", "Ed25519",
        ] {
            assert_eq!(Algorithm::from_name(refused), None, "{refused}");
        }
    }

    #[test]
    fn rsa_modulus_length_ignores_leading_zeros() {
        let mut n = vec![0, 0, 0x01];
        n.extend([0xff; 255]);
        let Some(PublicKey::Rsa { n, bits, .. }) = PublicKey::rsa(&n, &[1, 0, 1]) else {
            panic!("an RSA key");
        };
        assert_eq!((n.len(), bits), (256, 2041));
        assert!(PublicKey::rsa(&[0, 0], &[1]).is_none());
        assert!(PublicKey::rsa(&[1], &[]).is_none());
    }

    #[test]
    fn rsa_keys_outside_2048_to_8192_bits_are_unsupported() {
        for (len, why) in [(128, "shorter"), (255, "shorter"), (1025, "longer")] {
            let key = PublicKey::rsa(&vec![0xc5; len], &[1, 0, 1]).unwrap();
            match key.verify(Algorithm::RS256, b"m", &[0; 16]) {
                Err(Reason::UnsupportedKey(text)) => assert!(text.contains(why), "{text}"),
                other => panic!("{len} bytes: {other:?}"),
            }
        }
        // 2048 bits passes the length check and fails on the signature.
        let key = PublicKey::rsa(&[0xc5; 256], &[1, 0, 1]).unwrap();
        assert_eq!(
            key.verify(Algorithm::RS256, b"m", &[0; 256]),
            Err(Reason::InvalidSignature)
        );
    }

    #[test]
    fn coordinates_of_the_wrong_length_make_no_key() {
        assert!(PublicKey::ec(Curve::P256, &[1; 32], &[1; 32]).is_some());
        assert!(PublicKey::ec(Curve::P256, &[1; 48], &[1; 48]).is_none());
        assert!(PublicKey::ec(Curve::P384, &[1; 48], &[1; 47]).is_none());
        assert!(PublicKey::ed25519(&[1; 32]).is_some());
        assert!(PublicKey::ed25519(&[1; 31]).is_none());
    }

    #[test]
    fn an_algorithm_of_another_key_type_is_a_mismatch() {
        let ec = PublicKey::ec(Curve::P256, &[1; 32], &[1; 32]).unwrap();
        let ed = PublicKey::ed25519(&[1; 32]).unwrap();
        let rsa = PublicKey::rsa(&[0xc5; 256], &[1, 0, 1]).unwrap();
        for (key, alg) in [
            (&ec, Algorithm::ES384),
            (&ec, Algorithm::RS256),
            (&ed, Algorithm::ES256),
            (&rsa, Algorithm::EdDSA),
            (&rsa, Algorithm::ES256),
        ] {
            assert!(
                matches!(
                    key.verify(alg, b"m", &[0; 64]),
                    Err(Reason::AlgorithmMismatch { .. })
                ),
                "{alg:?} with kty {}",
                key.kty()
            );
        }
    }

    #[test]
    fn a_point_off_the_curve_fails_as_a_bad_signature_without_panicking() {
        let key = PublicKey::ec(Curve::P256, &[0xff; 32], &[0xff; 32]).unwrap();
        assert_eq!(
            key.verify(Algorithm::ES256, b"m", &[1; 64]),
            Err(Reason::InvalidSignature)
        );
        assert_eq!(
            key.verify(Algorithm::ES256, b"m", &[]),
            Err(Reason::InvalidSignature)
        );
    }
}
