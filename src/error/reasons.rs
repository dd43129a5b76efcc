//! The reasons behind [`Error::InvalidToken`](super::Error::InvalidToken)
//! and [`Error::WebhookSignature`](super::Error::WebhookSignature): one
//! variant per check that can fail, never holding the token or the secret.

use super::one_line::OneLine;

/// Why a JWT was refused, in the order the checks run: shape, algorithm and
/// key, signature, then claims.
///
/// ```
/// use scalekit::{Error, InvalidTokenReason};
///
/// let err = Error::InvalidToken(InvalidTokenReason::Expired);
/// assert_eq!(err.to_string(), "invalid token: the token has expired");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidTokenReason {
    /// The token is not a well-formed JWS compact serialization; the text
    /// says which part (never quoting the token).
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// The header names an algorithm that is never accepted (`none`, the
    /// HMAC family, or one this SDK does not know).
    #[error("algorithm `{}` is not accepted", OneLine(.0))]
    UnsupportedAlgorithm(String),
    /// The header's algorithm does not fit the key it names.
    #[error(
        "algorithm `{}` does not match the key ({})",
        OneLine(token),
        OneLine(key)
    )]
    AlgorithmMismatch {
        /// The algorithm the token header claims.
        token: String,
        /// What the key allows (its `alg`, or its `kty`).
        key: String,
    },
    /// No key in the environment's JWKS has this `kid`, even after a
    /// refetch (`None`: the token has no `kid` and no single key fits).
    #[error("no signing key {} in the JWKS", .0.as_deref().map(|k| format!("`{}`", OneLine(k))).unwrap_or_else(|| "for a token without kid".into()))]
    UnknownKey(Option<String>),
    /// The key the token names is one this SDK refuses to verify with (an
    /// RSA key shorter than 2048 bits); the text says why.
    #[error("the signing key is not accepted: {0}")]
    UnsupportedKey(&'static str),
    /// The signature does not verify against the key.
    #[error("the signature does not verify")]
    InvalidSignature,
    /// `exp` is in the past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// A claim the check needs is absent or of the wrong type.
    #[error("missing or invalid `{0}` claim")]
    MissingClaim(&'static str),
    /// `iss` is not the expected issuer.
    #[error("the issuer is not the expected one")]
    WrongIssuer,
    /// `aud` contains none of the expected audiences.
    #[error("the audience is not the expected one")]
    WrongAudience,
    /// The ID token's `nonce` is not the one the sign-in request sent.
    #[error("the nonce is not the expected one")]
    WrongNonce,
    /// The token lacks these required scopes.
    #[error("token missing required scopes: {}", .0.join(", "))]
    MissingScopes(Vec<String>),
    /// The verified claims do not fit the requested claims type.
    #[error("the claims do not fit the requested type: {}", OneLine(.0))]
    Claims(String),
}

/// Why a webhook or interceptor payload was refused. The reference SDK's
/// messages, one variant each.
///
/// ```
/// use scalekit::{Error, WebhookSignatureReason};
///
/// let err = Error::WebhookSignature(WebhookSignatureReason::TimestampTooOld);
/// assert_eq!(err.to_string(), "webhook verification failed: message timestamp too old");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookSignatureReason {
    /// The id, timestamp or signature header is absent or empty; lists the
    /// names of the missing ones.
    #[error("missing required headers: {}", .0.join(", "))]
    MissingHeaders(Vec<&'static str>),
    /// The secret has no `_`, or the part after it is not base64.
    #[error("invalid secret")]
    InvalidSecret,
    /// The timestamp header is not an integer.
    #[error("invalid signature headers")]
    InvalidSignatureHeaders,
    /// The signature header has more entries than the SDK checks
    /// (`webhook::MAX_SIGNATURES`); the delivery is refused unchecked.
    #[error("too many signatures in the signature header (at most {max})")]
    TooManySignatures {
        /// The most entries accepted.
        max: usize,
    },
    /// The timestamp is more than the tolerance in the past.
    #[error("message timestamp too old")]
    TimestampTooOld,
    /// The timestamp is more than the tolerance in the future.
    #[error("message timestamp too new")]
    TimestampTooNew,
    /// No `v1` signature in the signature header matches.
    #[error("invalid signature")]
    InvalidSignature,
}
