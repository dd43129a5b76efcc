//! [`TokenError`]: a failure of a request to the OAuth token endpoint, and
//! how its HTTP status and OAuth fields read in one line.

use std::fmt;

use super::one_line::OneLine;

/// A failure of the OAuth client-credentials request to the token endpoint.
///
/// It never holds the response body, which could contain a token.
///
/// ```
/// use scalekit::{Error, TokenError};
///
/// let err = Error::Auth(TokenError::Status {
///     status: 401,
///     error: Some("invalid_client".into()),
///     error_description: Some("client authentication failed".into()),
/// });
/// assert!(err.is_unauthenticated());
/// assert_eq!(
///     err.to_string(),
///     "token endpoint answered HTTP 401: invalid_client (client authentication failed)"
/// );
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The endpoint answered with a non-2xx status.
    #[error(
        "token endpoint answered HTTP {status}{}",
        OAuthSuffix::new(.error, .error_description)
    )]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The OAuth `error` field of the JSON body, when present.
        error: Option<String>,
        /// The OAuth `error_description` field of the JSON body, when present.
        error_description: Option<String>,
    },

    /// The endpoint answered 2xx, but the body was not the expected JSON or
    /// lacked `access_token`. The string says what was wrong; it never
    /// includes the body.
    #[error("malformed token endpoint response: {}", OneLine(.0))]
    MalformedResponse(String),

    /// The token endpoint did not answer in time.
    #[error("token endpoint timed out")]
    Timeout,

    /// The token endpoint could not be reached (connection-level failure).
    /// The source holds the underlying error.
    #[error("could not reach the token endpoint")]
    Transport(#[source] std::sync::Arc<dyn std::error::Error + Send + Sync>),
}

impl TokenError {
    /// Whether a later attempt may succeed: timeouts, transport failures and
    /// HTTP 429 or 5xx answers.
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            TokenError::Status { status, .. } => *status == 429 || (500..600).contains(status),
            TokenError::Timeout | TokenError::Transport(_) => true,
            TokenError::MalformedResponse(_) => false,
        }
    }
}

/// `: error (description)` after a token endpoint's HTTP status, for the
/// OAuth fields that are present.
struct OAuthSuffix<'a> {
    error: Option<&'a str>,
    description: Option<&'a str>,
}

impl<'a> OAuthSuffix<'a> {
    fn new(error: &'a Option<String>, description: &'a Option<String>) -> Self {
        OAuthSuffix {
            error: error.as_deref(),
            description: description.as_deref(),
        }
    }
}

impl fmt::Display for OAuthSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = self.error.map(str::trim).filter(|s| !s.is_empty());
        let description = self.description.map(str::trim).filter(|s| !s.is_empty());
        match (error, description) {
            (Some(error), Some(description)) => {
                write!(f, ": {} ({})", OneLine(error), OneLine(description))
            }
            (Some(text), None) | (None, Some(text)) => write!(f, ": {}", OneLine(text)),
            (None, None) => Ok(()),
        }
    }
}
