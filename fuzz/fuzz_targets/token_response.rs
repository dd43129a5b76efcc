//! Token-response parsing: the client-credentials JSON body as the token
//! source reads it, the `authorization` header made from its
//! `access_token`, and the refresh time made from its `expires_in`.
//!
//! Beyond "never panics" (`expires_in` of 2^63 or 1e300 once panicked in
//! the refresh arithmetic): a token is refreshed no earlier than half its
//! lifetime and no later than a day after it was fetched, a token without
//! `expires_in` has no refresh time, the header carries exactly the token,
//! and the token's `Debug` never shows it.

#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use scalekit::fuzzing::token_response::{parse, refresh_time, AccessToken, DEFAULT_REFRESH_MARGIN};
use serde_json::json;

/// The longest a token is trusted for, whatever `expires_in` says.
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Arbitrary, Debug)]
enum ExpiresIn<'a> {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Text(&'a str),
    Null,
    Absent,
}

#[derive(Arbitrary, Debug)]
enum Body<'a> {
    /// Any bytes as the response body.
    Raw(&'a [u8]),
    /// A JSON object of the expected shape, with arbitrary values.
    Shaped {
        access_token: Option<&'a str>,
        expires_in: ExpiresIn<'a>,
        token_type: Option<&'a str>,
        extra: Vec<(&'a str, &'a str)>,
    },
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    body: Body<'a>,
    /// A refresh margin in seconds, or the default.
    margin_secs: Option<u32>,
}

fn body_bytes(body: &Body<'_>) -> Vec<u8> {
    match body {
        Body::Raw(bytes) => bytes.to_vec(),
        Body::Shaped {
            access_token,
            expires_in,
            token_type,
            extra,
        } => {
            let mut object = serde_json::Map::new();
            for (name, value) in extra {
                object.insert((*name).into(), json!(value));
            }
            if let Some(token) = access_token {
                object.insert("access_token".into(), json!(token));
            }
            if let Some(kind) = token_type {
                object.insert("token_type".into(), json!(kind));
            }
            let expires_in = match expires_in {
                ExpiresIn::Unsigned(n) => Some(json!(n)),
                ExpiresIn::Signed(n) => Some(json!(n)),
                ExpiresIn::Float(f) => Some(json!(f)),
                ExpiresIn::Text(s) => Some(json!(s)),
                ExpiresIn::Null => Some(serde_json::Value::Null),
                ExpiresIn::Absent => None,
            };
            if let Some(value) = expires_in {
                object.insert("expires_in".into(), value);
            }
            serde_json::Value::Object(object).to_string().into_bytes()
        }
    }
}

/// `Debug` of a token known to be accepted.
fn redacted() -> &'static str {
    static SHOWN: OnceLock<String> = OnceLock::new();
    SHOWN.get_or_init(|| match AccessToken::new("a-known-token") {
        Ok(token) => format!("{token:?}"),
        Err(err) => panic!("a plain token was refused: {err}"),
    })
}

/// The error for a token known to be refused (a line break).
fn refused() -> &'static str {
    static SHOWN: OnceLock<String> = OnceLock::new();
    SHOWN.get_or_init(|| match AccessToken::new("a\nb") {
        Ok(_) => panic!("a token with a line break was accepted"),
        Err(err) => err.to_string(),
    })
}

fn requested_at() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

fuzz_target!(|input: Input<'_>| {
    let body = body_bytes(&input.body);
    let Ok((access_token, expires_in)) = parse(&body) else {
        return;
    };

    if let Some(token) = access_token.as_deref().filter(|t| !t.is_empty()) {
        match AccessToken::new(token) {
            Ok(access) => {
                assert_eq!(
                    access.secret(),
                    token,
                    "the header does not carry the token"
                );
                assert_eq!(
                    access.bearer().as_bytes(),
                    format!("Bearer {token}").as_bytes()
                );
                assert!(access.bearer().is_sensitive());
                // The redacted form is the same whatever the token.
                let shown = format!("{access:?}");
                assert_eq!(shown, redacted(), "Debug depends on the token");
            }
            Err(err) => {
                // One fixed message, never quoting the token.
                assert_eq!(err.to_string(), refused(), "the error depends on the token");
            }
        }
    }

    let margin = input.margin_secs.map_or(DEFAULT_REFRESH_MARGIN, |s| {
        Duration::from_secs(u64::from(s))
    });
    let start = requested_at();
    let refresh = refresh_time(start, expires_in, margin);
    match (expires_in, refresh) {
        (None, refresh) => assert!(refresh.is_none(), "no expires_in, yet a refresh time"),
        (Some(secs), Some(at)) => {
            let lifetime = Duration::from_secs(secs).min(DAY);
            let after = at.duration_since(start);
            assert!(
                after <= DAY,
                "refresh {after:?} after the fetch, past a day"
            );
            assert!(
                after >= lifetime / 2,
                "refresh {after:?} after the fetch, before half of {lifetime:?}"
            );
        }
        (Some(secs), None) => panic!("expires_in {secs} gave no refresh time"),
    }
});
