//! Token validation against signed, tampered, expired and malformed JWTs.

use super::*;
use hmac::Mac as _;
use jsonwebtoken::{Algorithm as Signing, EncodingKey, Header};
use ring::rand::SystemRandom;
use ring::signature::{self as ring_sig, KeyPair as _};
use serde_json::json;

const RSA_PRIVATE: &str = include_str!("../../../tests/fixtures/jwt/rsa_private.pem");
const RSA_PUBLIC_PEM: &str = include_str!("../../../tests/fixtures/jwt/rsa_public.pem");
const EC_PRIVATE: &str = include_str!("../../../tests/fixtures/jwt/ec_private.pem");
const JWKS: &str = include_str!("../../../tests/fixtures/jwt/jwks.json");
const NOW: u64 = 1_700_000_000;

fn keys() -> KeySet {
    KeySet::from_json(JWKS.as_bytes()).unwrap()
}

fn claims() -> Value {
    json!({
        "iss": "https://acme.scalekit.dev", "sub": "usr_1", "aud": ["skc_1"],
        "exp": NOW + 300, "nbf": NOW - 10, "iat": NOW - 10, "scopes": ["read"],
        "scope": "write"
    })
}

fn rsa_token(kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Signing::RS256);
    header.kid = Some(kid.into());
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn checks() -> Checks {
    Checks {
        issuers: vec!["https://acme.scalekit.dev".into()],
        audiences: vec!["skc_1".into()],
        leeway: Duration::from_secs(5),
        ..Checks::default()
    }
}

fn reason(token: &str, checks: &Checks) -> Reason {
    validate_at(token, &keys(), checks, NOW).unwrap_err()
}

#[test]
fn a_valid_rs256_token_validates() {
    let token = rsa_token("rsa-1", &claims());
    let got = validate_at(&token, &keys(), &checks(), NOW).unwrap();
    assert_eq!(got["sub"], "usr_1");
}

#[test]
fn a_valid_es256_token_validates() {
    let mut header = Header::new(Signing::ES256);
    header.kid = Some("ec-1".into());
    let key = EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap();
    let token = jsonwebtoken::encode(&header, &claims(), &key).unwrap();
    validate_at(&token, &keys(), &checks(), NOW).unwrap();
}

#[test]
fn expiry_and_not_before_respect_the_leeway() {
    let mut c = claims();
    c["exp"] = json!(NOW - 4);
    validate_at(&rsa_token("rsa-1", &c), &keys(), &checks(), NOW).unwrap();
    c["exp"] = json!(NOW - 5);
    assert_eq!(reason(&rsa_token("rsa-1", &c), &checks()), Reason::Expired);
    let mut c = claims();
    c["nbf"] = json!(NOW + 5);
    validate_at(&rsa_token("rsa-1", &c), &keys(), &checks(), NOW).unwrap();
    c["nbf"] = json!(NOW + 6);
    assert_eq!(
        reason(&rsa_token("rsa-1", &c), &checks()),
        Reason::NotYetValid
    );
}

#[test]
fn exp_is_required_and_must_be_a_number() {
    let mut c = claims();
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        reason(&rsa_token("rsa-1", &c), &checks()),
        Reason::MissingClaim("exp")
    );
    c["exp"] = json!("tomorrow");
    assert_eq!(
        reason(&rsa_token("rsa-1", &c), &checks()),
        Reason::MissingClaim("exp")
    );
}

#[test]
fn issuer_and_audience_are_checked_when_asked() {
    let mut c = claims();
    c["iss"] = json!("https://evil.example");
    assert_eq!(
        reason(&rsa_token("rsa-1", &c), &checks()),
        Reason::WrongIssuer
    );
    let mut c = claims();
    c["aud"] = json!("skc_other");
    assert_eq!(
        reason(&rsa_token("rsa-1", &c), &checks()),
        Reason::WrongAudience
    );
    c["aud"] = json!("skc_1");
    validate_at(&rsa_token("rsa-1", &c), &keys(), &checks(), NOW).unwrap();
    let lax = Checks::default();
    let mut c = claims();
    c["iss"] = json!("anything");
    c["aud"] = json!(["x"]);
    validate_at(&rsa_token("rsa-1", &c), &keys(), &lax, NOW).unwrap();
}

#[test]
fn scopes_come_from_the_array_and_the_string_and_missing_ones_are_named() {
    let mut checks = checks();
    checks.required_scopes = vec!["read".into(), "write".into()];
    validate_at(&rsa_token("rsa-1", &claims()), &keys(), &checks, NOW).unwrap();
    checks.required_scopes = vec!["admin".into(), "read".into(), "delete".into()];
    assert_eq!(
        reason(&rsa_token("rsa-1", &claims()), &checks),
        Reason::MissingScopes(vec!["admin".into(), "delete".into()])
    );
}

#[test]
fn nonce_must_match_when_expected() {
    let mut checks = checks();
    checks.nonce = Some("n-1".into());
    assert_eq!(
        reason(&rsa_token("rsa-1", &claims()), &checks),
        Reason::WrongNonce
    );
    let mut c = claims();
    c["nonce"] = json!("n-1");
    validate_at(&rsa_token("rsa-1", &c), &keys(), &checks, NOW).unwrap();
}

#[test]
fn tampered_payload_and_signature_fail() {
    let token = rsa_token("rsa-1", &claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut evil = claims();
    evil["sub"] = json!("usr_admin");
    let tampered = format!("{}.{}.{}", parts[0], b64(&evil), parts[2]);
    assert_eq!(reason(&tampered, &checks()), Reason::InvalidSignature);
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    sig[10] ^= 1;
    let tampered = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig));
    assert_eq!(reason(&tampered, &checks()), Reason::InvalidSignature);
}

#[test]
fn alg_none_is_refused() {
    let header = json!({"alg": "none", "kid": "rsa-1"});
    let token = format!("{}.{}.", b64(&header), b64(&claims()));
    assert_eq!(
        reason(&token, &checks()),
        Reason::UnsupportedAlgorithm("none".into())
    );
    let token = format!("{}.{}.c2ln", b64(&header), b64(&claims()));
    assert_eq!(
        reason(&token, &checks()),
        Reason::UnsupportedAlgorithm("none".into())
    );
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    let header = json!({"alg": "HS256", "kid": "rsa-1", "typ": "JWT"});
    let input = format!("{}.{}", b64(&header), b64(&claims()));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(RSA_PUBLIC_PEM.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    let token = format!("{input}.{sig}");
    assert_eq!(
        reason(&token, &checks()),
        Reason::UnsupportedAlgorithm("HS256".into())
    );
}

#[test]
fn an_algorithm_the_key_does_not_allow_is_refused() {
    // rsa-1 publishes alg RS256; a PS256 token naming it is a mismatch.
    let mut header = Header::new(Signing::PS256);
    header.kid = Some("rsa-1".into());
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap();
    let token = jsonwebtoken::encode(&header, &claims(), &key).unwrap();
    assert_eq!(
        reason(&token, &checks()),
        Reason::AlgorithmMismatch {
            token: "PS256".into(),
            key: "RS256".into()
        }
    );
    // ES256 naming an RSA key.
    let header = json!({"alg": "ES256", "kid": "rsa-1"});
    let token = format!("{}.{}.c2ln", b64(&header), b64(&claims()));
    assert!(matches!(
        reason(&token, &checks()),
        Reason::AlgorithmMismatch { .. }
    ));
}

#[test]
fn an_unknown_kid_is_reported_as_such() {
    let token = rsa_token("rsa-rotated", &claims());
    assert_eq!(
        reason(&token, &checks()),
        Reason::UnknownKey(Some("rsa-rotated".into()))
    );
}

#[test]
fn malformed_tokens_fail_with_a_reason_and_never_panic() {
    let good = rsa_token("rsa-1", &claims());
    let parts: Vec<&str> = good.split('.').collect();
    let cases = [
        ("", "the token is empty"),
        ("abc", "expected three dot-separated parts"),
        ("a.b", "expected three dot-separated parts"),
        ("a.b.c.d", "expected three dot-separated parts"),
        ("!!!.b.c", "the header is not base64url"),
        (
            &*format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode("not json"),
                parts[1],
                parts[2]
            ),
            "the header is not a JSON object",
        ),
        (
            &*format!("{}.{}.{}", b64(&json!({"kid": "x"})), parts[1], parts[2]),
            "the header has no alg",
        ),
        (
            &*format!("{}.%%%.{}", parts[0], parts[2]),
            "the payload is not base64url",
        ),
        (
            &*format!(
                "{}.{}.{}",
                parts[0],
                URL_SAFE_NO_PAD.encode("[1,2]"),
                parts[2]
            ),
            "the payload is not a JSON object",
        ),
        (
            &*format!("{}.{}.***", parts[0], parts[1]),
            "the signature is not base64url",
        ),
        (
            &*format!("{}.{}.", parts[0], parts[1]),
            "the signature is not base64url",
        ),
    ];
    for (token, why) in cases {
        assert_eq!(reason(token, &checks()), Reason::Malformed(why), "{token}");
    }
    // Arbitrary bytes never panic.
    for junk in ["...", "..", ".", "a..b", "é.é.é", "\u{0}.\u{0}.\u{0}"] {
        assert!(validate_at(junk, &keys(), &checks(), NOW).is_err());
    }
}

#[test]
fn display_never_contains_the_token() {
    let token = rsa_token("rsa-1", &claims());
    let mut c = claims();
    c["exp"] = json!(1);
    let err = crate::Error::InvalidToken(reason(&rsa_token("rsa-1", &c), &checks()));
    assert!(!err.to_string().contains(&token[..20]));
    assert!(!format!("{err:?}").contains(&token[..20]));
}

/// Signs `claims` with jsonwebtoken's RustCrypto backend: an
/// implementation independent of the ring verifier under test.
fn signed(alg: Signing, kid: &str, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, &claims(), key).unwrap()
}

fn key_set(keys: Value) -> KeySet {
    KeySet::from_json(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

/// The fixture's RSA public key under `kid`, without `alg`, so that it
/// verifies every RSA algorithm.
fn rsa_jwk(kid: &str) -> Value {
    let fixture: Value = serde_json::from_str(JWKS).unwrap();
    let rsa = &fixture["keys"][0];
    json!({"kty": "RSA", "kid": kid, "n": rsa["n"], "e": rsa["e"]})
}

/// The token validates, and fails with a changed payload or signature.
fn assert_verifies_and_resists_tampering(token: &str, keys: &KeySet) {
    let got = validate_at(token, keys, &checks(), NOW).unwrap();
    assert_eq!(got["sub"], "usr_1");
    let parts: Vec<&str> = token.split('.').collect();
    let mut evil = claims();
    evil["sub"] = json!("usr_admin");
    let payload = format!("{}.{}.{}", parts[0], b64(&evil), parts[2]);
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let last = sig.len() - 1;
    sig[last] ^= 0x40;
    let signature = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(&sig));
    let truncated = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(&sig[..last])
    );
    for tampered in [payload, signature, truncated] {
        assert_eq!(
            validate_at(&tampered, keys, &checks(), NOW).unwrap_err(),
            Reason::InvalidSignature,
            "{tampered}"
        );
    }
}

#[test]
fn every_rsa_algorithm_validates_and_tampering_fails() {
    let keys = key_set(json!([rsa_jwk("rsa-any")]));
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap();
    for alg in [
        Signing::RS256,
        Signing::RS384,
        Signing::RS512,
        Signing::PS256,
        Signing::PS384,
        Signing::PS512,
    ] {
        assert_verifies_and_resists_tampering(&signed(alg, "rsa-any", &key), &keys);
    }
}

#[test]
fn a_signature_of_another_rsa_algorithm_does_not_verify() {
    // Same key, same bytes signed; only the header's alg is changed.
    let keys = key_set(json!([rsa_jwk("rsa-any")]));
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap();
    let rs256 = signed(Signing::RS256, "rsa-any", &key);
    let parts: Vec<&str> = rs256.split('.').collect();
    for alg in ["RS384", "PS256"] {
        let header = json!({"alg": alg, "kid": "rsa-any", "typ": "JWT"});
        let token = format!("{}.{}.{}", b64(&header), parts[1], parts[2]);
        assert_eq!(
            validate_at(&token, &keys, &checks(), NOW).unwrap_err(),
            Reason::InvalidSignature,
            "{alg}"
        );
    }
}

#[test]
fn a_valid_es384_token_validates_and_tampering_fails() {
    let rng = SystemRandom::new();
    let pkcs8 =
        ring_sig::EcdsaKeyPair::generate_pkcs8(&ring_sig::ECDSA_P384_SHA384_FIXED_SIGNING, &rng)
            .unwrap();
    let pair = ring_sig::EcdsaKeyPair::from_pkcs8(
        &ring_sig::ECDSA_P384_SHA384_FIXED_SIGNING,
        pkcs8.as_ref(),
        &rng,
    )
    .unwrap();
    let point = pair.public_key().as_ref();
    assert_eq!(point.len(), 97);
    let keys = key_set(json!([{
        "kty": "EC", "crv": "P-384", "kid": "ec-384", "alg": "ES384",
        "x": URL_SAFE_NO_PAD.encode(&point[1..49]),
        "y": URL_SAFE_NO_PAD.encode(&point[49..]),
    }]));
    let key = EncodingKey::from_ec_der(pkcs8.as_ref());
    assert_verifies_and_resists_tampering(&signed(Signing::ES384, "ec-384", &key), &keys);
    // The P-384 key does not take an ES256 token.
    let p256 = EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap();
    assert!(matches!(
        validate_at(
            &signed(Signing::ES256, "ec-384", &p256),
            &keys,
            &checks(),
            NOW
        ),
        Err(Reason::AlgorithmMismatch { .. })
    ));
}

#[test]
fn a_valid_es256_token_resists_tampering() {
    let key = EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap();
    assert_verifies_and_resists_tampering(&signed(Signing::ES256, "ec-1", &key), &keys());
}

#[test]
fn a_valid_eddsa_token_validates_and_tampering_fails() {
    let pkcs8 = ring_sig::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let pair = ring_sig::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let keys = key_set(json!([{
        "kty": "OKP", "crv": "Ed25519", "kid": "ed-1",
        "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
    }]));
    let key = EncodingKey::from_ed_der(pkcs8.as_ref());
    assert_verifies_and_resists_tampering(&signed(Signing::EdDSA, "ed-1", &key), &keys);
}

#[test]
fn unlisted_algorithms_are_refused_by_name() {
    for alg in [
        "ES512", "HS384", "HS512", "RSA-OAEP", "ES256K", "Ed25519", "rs256",
    ] {
        let header = json!({"alg": alg, "kid": "rsa-1"});
        let token = format!("{}.{}.c2ln", b64(&header), b64(&claims()));
        assert_eq!(
            reason(&token, &checks()),
            Reason::UnsupportedAlgorithm(alg.into())
        );
    }
}

#[test]
fn an_rsa_key_shorter_than_2048_bits_is_refused_as_unsupported() {
    let short = URL_SAFE_NO_PAD.encode([0xc5; 128]);
    let keys = key_set(json!([{"kty": "RSA", "kid": "rsa-1024", "n": short, "e": "AQAB"}]));
    let header = json!({"alg": "RS256", "kid": "rsa-1024"});
    let token = format!(
        "{}.{}.{}",
        b64(&header),
        b64(&claims()),
        URL_SAFE_NO_PAD.encode([7; 128])
    );
    let err = validate_at(&token, &keys, &checks(), NOW).unwrap_err();
    assert!(matches!(err, Reason::UnsupportedKey(_)), "{err:?}");
    assert!(err.to_string().contains("2048"), "{err}");
}

const ENV: &str = "https://acme.scalekit.dev";
const RESOURCE: &str = "https://acme.scalekit.dev/resources/res_1";

fn token_from(iss: &str) -> String {
    let mut c = claims();
    c["iss"] = json!(iss);
    rsa_token("rsa-1", &c)
}

fn with_options(opts: &TokenValidationOptions) -> Checks {
    Checks::from_options(opts.clone(), Duration::from_secs(5))
}

#[test]
fn a_token_from_either_accepted_issuer_validates() {
    let opts = TokenValidationOptions::default().with_issuers([ENV, RESOURCE]);
    for iss in [ENV, RESOURCE] {
        let got = validate_at(&token_from(iss), &keys(), &with_options(&opts), NOW).unwrap();
        assert_eq!(got["iss"], iss);
    }
}

#[test]
fn a_third_issuer_is_refused_as_wrong_issuer() {
    let opts = TokenValidationOptions::default().with_issuers([ENV, RESOURCE]);
    for iss in [
        "https://evil.example",
        "https://acme.scalekit.dev/",
        "https://acme.scalekit.dev/resources/res_2",
        "HTTPS://ACME.SCALEKIT.DEV",
    ] {
        assert_eq!(
            reason(&token_from(iss), &with_options(&opts)),
            Reason::WrongIssuer,
            "{iss}"
        );
    }
}

#[test]
fn a_token_without_iss_is_refused_when_issuers_are_named() {
    let mut c = claims();
    c.as_object_mut().unwrap().remove("iss");
    let opts = TokenValidationOptions::default().with_issuers([ENV, RESOURCE]);
    assert_eq!(
        reason(&rsa_token("rsa-1", &c), &with_options(&opts)),
        Reason::MissingClaim("iss")
    );
    // Without named issuers the claim is not needed.
    validate_at(
        &rsa_token("rsa-1", &c),
        &keys(),
        &with_options(&TokenValidationOptions::default()),
        NOW,
    )
    .unwrap();
}

#[test]
fn an_empty_issuer_list_accepts_any_issuer() {
    let unchecked = TokenValidationOptions::default().with_issuers(Vec::<String>::new());
    assert!(unchecked.issuers.is_empty());
    for iss in [ENV, RESOURCE, "https://evil.example"] {
        validate_at(&token_from(iss), &keys(), &with_options(&unchecked), NOW).unwrap();
    }
}

#[test]
fn with_issuer_adds_and_with_issuers_replaces() {
    let opts = TokenValidationOptions::default()
        .with_issuer(ENV)
        .with_issuer(RESOURCE);
    assert_eq!(opts.issuers, [ENV, RESOURCE]);
    validate_at(&token_from(RESOURCE), &keys(), &with_options(&opts), NOW).unwrap();
    let replaced = opts.with_issuers(["https://other.example"]);
    assert_eq!(replaced.issuers, ["https://other.example"]);
    assert_eq!(
        reason(&token_from(ENV), &with_options(&replaced)),
        Reason::WrongIssuer
    );
}

#[test]
fn a_blank_issuer_is_an_invalid_argument() {
    for blank in ["", "  "] {
        let opts = TokenValidationOptions::default()
            .with_issuer(ENV)
            .with_issuer(blank);
        match opts.validate() {
            Err(crate::Error::InvalidArgument { field, .. }) => assert_eq!(field, "issuers"),
            other => panic!("expected InvalidArgument on issuers, got {other:?}"),
        }
    }
    TokenValidationOptions::default().validate().unwrap();
    TokenValidationOptions::default()
        .with_issuers([ENV, RESOURCE])
        .validate()
        .unwrap();
}

mod issuer_properties {
    use super::*;
    use proptest::prelude::*;

    fn issuer() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(ENV.to_string()),
            Just(RESOURCE.to_string()),
            "https://[a-z]{1,6}\\.example(/resources/res_[0-9]{1,3})?/?",
        ]
    }

    proptest! {
        /// The claims check passes exactly when the list is empty or names
        /// the token's `iss`, whatever the list's order and duplicates.
        #[test]
        fn iss_passes_iff_the_list_is_empty_or_contains_it(
            accepted in proptest::collection::vec(issuer(), 0..4),
            iss in issuer(),
        ) {
            let mut c = claims();
            c["iss"] = json!(iss);
            let Value::Object(c) = c else { unreachable!() };
            let opts = TokenValidationOptions::default().with_issuers(accepted.clone());
            let got = check_claims(&c, &with_options(&opts), NOW);
            if accepted.is_empty() || accepted.contains(&iss) {
                prop_assert_eq!(got, Ok(()));
            } else {
                prop_assert_eq!(got, Err(Reason::WrongIssuer));
            }
        }
    }
}
