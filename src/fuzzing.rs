//! Hooks for the cargo-fuzz targets in `fuzz/`: thin wrappers that reach
//! crate-internal parsers without making them public.
//!
//! Compiled only under `--cfg fuzzing` (which cargo-fuzz sets), hidden from
//! the docs, and not part of the API: nothing here carries logic of its
//! own, so a crash found through it is a crash of the wrapped code.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant};

use crate::error::TokenError;
use crate::transport::token;

/// The client-credentials token response (`src/transport/token.rs`).
pub mod token_response {
    use super::*;

    /// The head start a refresh takes on expiry by default.
    pub const DEFAULT_REFRESH_MARGIN: Duration = token::DEFAULT_REFRESH_MARGIN;

    /// A token endpoint's JSON body, read as the token source reads it:
    /// `(access_token, expires_in)`.
    pub fn parse(body: &[u8]) -> Result<(Option<String>, Option<u64>), serde_json::Error> {
        let parsed: token::TokenResponse = serde_json::from_slice(body)?;
        Ok((parsed.access_token, parsed.expires_in))
    }

    /// When a token requested at `requested_at` stops being used (in std's
    /// `Instant`, which tokio's converts to and from without loss).
    pub fn refresh_time(
        requested_at: Instant,
        expires_in: Option<u64>,
        refresh_margin: Duration,
    ) -> Option<Instant> {
        token::refresh_time(requested_at.into(), expires_in, refresh_margin).map(Into::into)
    }

    /// A fetched token as the cache keeps it (its `Debug` redacts it).
    pub struct AccessToken(token::AccessToken);

    impl AccessToken {
        /// Checks that `token` can travel in an `authorization` header.
        pub fn new(token: &str) -> Result<AccessToken, TokenError> {
            token::AccessToken::new(token).map(AccessToken)
        }

        /// The token without the `Bearer ` scheme.
        pub fn secret(&self) -> Cow<'_, str> {
            self.0.secret()
        }

        /// The `authorization` header value.
        pub fn bearer(&self) -> &http::HeaderValue {
            self.0.bearer()
        }
    }

    impl fmt::Debug for AccessToken {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Debug::fmt(&self.0, f)
        }
    }
}

/// JWT parsing and validation (`src/oidc/jwt.rs`, `src/oidc/jwks.rs`).
#[cfg(feature = "oidc")]
pub mod jwt {
    use serde_json::{Map, Value};

    use super::*;
    use crate::error::InvalidTokenReason;
    use crate::oidc::{jwks, jwt};

    /// A parsed JWKS document.
    pub struct KeySet(jwks::KeySet);

    impl KeySet {
        /// Parses a JWKS document, skipping keys that cannot verify here.
        pub fn from_json(body: &[u8]) -> Result<KeySet, &'static str> {
            jwks::KeySet::from_json(body).map(KeySet)
        }

        /// How many usable keys the document held.
        pub fn len(&self) -> usize {
            self.0.keys.len()
        }

        /// Whether the document held no usable key.
        pub fn is_empty(&self) -> bool {
            self.0.keys.is_empty()
        }
    }

    /// The claim checks one validation runs.
    pub struct Checks(jwt::Checks);

    impl Checks {
        /// Checks as the crate builds them; empty lists are not checked.
        pub fn new(
            issuers: Vec<String>,
            audiences: Vec<String>,
            nonce: Option<String>,
            required_scopes: Vec<String>,
            leeway: Duration,
        ) -> Checks {
            Checks(jwt::Checks {
                issuers,
                audiences,
                nonce,
                required_scopes,
                leeway,
            })
        }
    }

    /// Parse, signature check and claim checks at `now` (Unix seconds).
    pub fn validate_at(
        token: &str,
        keys: &KeySet,
        checks: &Checks,
        now: u64,
    ) -> Result<Map<String, Value>, InvalidTokenReason> {
        jwt::validate_at(token, &keys.0, &checks.0, now)
    }
}
