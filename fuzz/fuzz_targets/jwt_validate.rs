//! JWT parsing and validation at a fixed clock, against the fixture JWKS
//! (`tests/fixtures/jwt/jwks.json`) plus an Ed25519 key this target signs
//! with, and `KeySet::from_json` on arbitrary bytes.
//!
//! Beyond "never panics": a token not signed by a published key never
//! validates; a token this target signs fails, if at all, on its claims
//! only; an accepted token is unexpired at the clock.

#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use scalekit::fuzzing::jwt::{validate_at, Checks, KeySet};
use scalekit::InvalidTokenReason as Reason;
use serde_json::{json, Map, Value};

const FIXTURE_JWKS: &str = include_str!("../../tests/fixtures/jwt/jwks.json");
/// The fixed clock, in Unix seconds.
const NOW: u64 = 1_700_000_000;
const SIGNING_KID: &str = "fuzz-ed";

struct Fixture {
    signer: Ed25519KeyPair,
    keys: KeySet,
}

/// The fixture keys plus this target's Ed25519 key (a fixed seed, so runs
/// are reproducible).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let signer = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).expect("a valid seed");
        let mut jwks: Value = serde_json::from_str(FIXTURE_JWKS).expect("fixture JWKS");
        jwks["keys"]
            .as_array_mut()
            .expect("fixture JWKS has keys")
            .push(json!({
                "kty": "OKP", "crv": "Ed25519", "kid": SIGNING_KID, "alg": "EdDSA",
                "x": URL_SAFE_NO_PAD.encode(signer.public_key().as_ref()),
            }));
        let keys = KeySet::from_json(jwks.to_string().as_bytes()).expect("fixture keys parse");
        assert!(keys.len() >= 3, "every fixture key is usable");
        Fixture { signer, keys }
    })
}

#[derive(Arbitrary, Debug)]
enum Number<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
    Absent,
}

impl Number<'_> {
    fn value(&self) -> Option<Value> {
        match self {
            Number::Int(n) => Some(json!(n)),
            // NaN and infinities are not JSON; serde_json writes them as null.
            Number::Float(f) => Some(json!(f)),
            Number::Text(s) => Some(json!(s)),
            Number::Absent => None,
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Audience<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
    Absent,
}

#[derive(Arbitrary, Debug)]
struct Claims<'a> {
    /// Seconds from the clock, or an arbitrary value.
    exp_offset: Option<i32>,
    exp: Number<'a>,
    nbf: Number<'a>,
    iss: Option<&'a str>,
    aud: Audience<'a>,
    nonce: Option<&'a str>,
    scope: Option<&'a str>,
    scopes: Option<Vec<&'a str>>,
    extra: Vec<(&'a str, &'a str)>,
}

impl Claims<'_> {
    fn to_json(&self) -> Value {
        let mut claims = Map::new();
        for (name, value) in &self.extra {
            claims.insert((*name).into(), json!(value));
        }
        let exp = match self.exp_offset {
            Some(offset) => Some(json!(NOW as i64 + i64::from(offset))),
            None => self.exp.value(),
        };
        let fields = [
            ("exp", exp),
            ("nbf", self.nbf.value()),
            ("iss", self.iss.map(|s| json!(s))),
            (
                "aud",
                match &self.aud {
                    Audience::One(a) => Some(json!(a)),
                    Audience::Many(many) => Some(json!(many)),
                    Audience::Absent => None,
                },
            ),
            ("nonce", self.nonce.map(|s| json!(s))),
            ("scope", self.scope.map(|s| json!(s))),
            ("scopes", self.scopes.as_ref().map(|s| json!(s))),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                claims.insert(name.into(), value);
            }
        }
        Value::Object(claims)
    }
}

#[derive(Arbitrary, Debug)]
enum Alg<'a> {
    EdDsa,
    Rs256,
    Ps256,
    Es256,
    Es384,
    Hs256,
    None,
    Other(&'a str),
    Absent,
}

#[derive(Arbitrary, Debug)]
enum Kid<'a> {
    Signing,
    Rsa,
    Ec,
    Other(&'a str),
    NotAString(i64),
    Absent,
}

#[derive(Arbitrary, Debug)]
struct Header<'a> {
    alg: Alg<'a>,
    kid: Kid<'a>,
    crit: bool,
    typ: Option<&'a str>,
}

impl Header<'_> {
    fn to_json(&self) -> Value {
        let mut header = Map::new();
        let alg = match &self.alg {
            Alg::EdDsa => Some("EdDSA"),
            Alg::Rs256 => Some("RS256"),
            Alg::Ps256 => Some("PS256"),
            Alg::Es256 => Some("ES256"),
            Alg::Es384 => Some("ES384"),
            Alg::Hs256 => Some("HS256"),
            Alg::None => Some("none"),
            Alg::Other(s) => Some(*s),
            Alg::Absent => None,
        };
        if let Some(alg) = alg {
            header.insert("alg".into(), json!(alg));
        }
        let kid = match &self.kid {
            Kid::Signing => Some(json!(SIGNING_KID)),
            Kid::Rsa => Some(json!("rsa-1")),
            Kid::Ec => Some(json!("ec-1")),
            Kid::Other(s) => Some(json!(s)),
            Kid::NotAString(n) => Some(json!(n)),
            Kid::Absent => None,
        };
        if let Some(kid) = kid {
            header.insert("kid".into(), kid);
        }
        if self.crit {
            header.insert("crit".into(), json!(["exp"]));
        }
        if let Some(typ) = self.typ {
            header.insert("typ".into(), json!(typ));
        }
        Value::Object(header)
    }

    /// Whether the header asks for EdDSA: this target's key is the only
    /// EdDSA key, so only such a token can verify.
    fn asks_for_eddsa(json: &Value) -> bool {
        json.get("alg").and_then(Value::as_str) == Some("EdDSA")
    }

    /// Whether the header names this target's key and algorithm exactly,
    /// with nothing that makes a parser refuse it.
    fn names_the_signing_key(json: &Value) -> bool {
        Header::asks_for_eddsa(json)
            && json.get("kid").and_then(Value::as_str) == Some(SIGNING_KID)
            && json.get("crit").is_none()
    }
}

#[derive(Arbitrary, Debug)]
struct Expected<'a> {
    issuers: Vec<&'a str>,
    audiences: Vec<&'a str>,
    nonce: Option<&'a str>,
    required_scopes: Vec<&'a str>,
    leeway_secs: u16,
}

impl Expected<'_> {
    fn checks(&self) -> Checks {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        Checks::new(
            owned(&self.issuers),
            owned(&self.audiences),
            self.nonce.map(str::to_owned),
            owned(&self.required_scopes),
            Duration::from_secs(u64::from(self.leeway_secs)),
        )
    }
}

// One input per run, decoded once: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Arbitrary, Debug)]
enum Input<'a> {
    /// Any text as a token.
    Raw(&'a str, Expected<'a>),
    /// A token assembled from parts; signed by this target when `sign`,
    /// otherwise carrying `signature` as its signature bytes.
    Built {
        header: Header<'a>,
        claims: Claims<'a>,
        sign: bool,
        signature: &'a [u8],
        expected: Expected<'a>,
    },
    /// Arbitrary bytes as a JWKS document, then a token checked against it.
    Jwks(&'a [u8], &'a str),
}

fn claim_failure(reason: &Reason) -> bool {
    matches!(
        reason,
        Reason::Expired
            | Reason::NotYetValid
            | Reason::MissingClaim(_)
            | Reason::WrongIssuer
            | Reason::WrongAudience
            | Reason::WrongNonce
            | Reason::MissingScopes(_)
    )
}

fn exercise_text(result: &Result<Map<String, Value>, Reason>) {
    if let Err(reason) = result {
        let _ = format!("{reason} {reason:?}");
        let _ = scalekit::Error::InvalidToken(reason.clone()).to_string();
    }
}

/// An accepted token has a numeric `exp` not yet past (with the leeway).
fn assert_unexpired(claims: &Map<String, Value>, leeway: u16) {
    let exp = claims.get("exp").and_then(Value::as_f64);
    assert!(
        exp.is_some_and(|exp| exp + f64::from(leeway) > NOW as f64),
        "accepted a token with exp {exp:?}"
    );
}

fuzz_target!(|input: Input<'_>| {
    let fixture = fixture();
    match input {
        Input::Raw(token, expected) => {
            let result = validate_at(token, &fixture.keys, &expected.checks(), NOW);
            exercise_text(&result);
            // Nothing here was signed by a key whose private half this
            // target knows, except by reusing no signature at all.
            assert!(result.is_err(), "an arbitrary string validated: {token:?}");
        }
        Input::Built {
            header,
            claims,
            sign,
            signature,
            expected,
        } => {
            let header = header.to_json();
            let signing_input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_json().to_string())
            );
            let signature = if sign {
                fixture
                    .signer
                    .sign(signing_input.as_bytes())
                    .as_ref()
                    .to_vec()
            } else {
                signature.to_vec()
            };
            let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(&signature));
            let result = validate_at(&token, &fixture.keys, &expected.checks(), NOW);
            exercise_text(&result);
            match &result {
                Ok(verified) => {
                    assert!(sign, "a token with a made-up signature validated");
                    assert!(Header::asks_for_eddsa(&header), "{header} validated");
                    assert_unexpired(verified, expected.leeway_secs);
                }
                Err(reason) if sign && Header::names_the_signing_key(&header) => {
                    assert!(
                        claim_failure(reason),
                        "a correctly signed token failed before its claims: {reason:?}"
                    );
                }
                Err(_) => {}
            }
        }
        Input::Jwks(body, token) => {
            let Ok(keys) = KeySet::from_json(body) else {
                return;
            };
            let _ = keys.is_empty();
            let result = validate_at(token, &keys, &Expected::empty().checks(), NOW);
            exercise_text(&result);
        }
    }
});

impl Expected<'static> {
    fn empty() -> Self {
        Expected {
            issuers: Vec::new(),
            audiences: Vec::new(),
            nonce: None,
            required_scopes: Vec::new(),
            leeway_secs: 60,
        }
    }
}
