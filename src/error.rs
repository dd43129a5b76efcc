//! The crate-wide [`Error`] type, the server's [`ApiError`] and the token
//! endpoint's [`TokenError`].
//!
//! Every fallible SDK call returns [`Result<T>`](Result), whose error is the
//! one [`Error`] enum. Branch on its predicates ([`Error::is_not_found`],
//! [`Error::is_retryable`], ...), on [`Error::code`] or on [`Error::kind`],
//! never on message text:
//!
//! ```
//! use scalekit::{Code, Error};
//!
//! fn describe(err: &Error) -> &'static str {
//!     if err.is_not_found() {
//!         "no such resource"
//!     } else if err.is_unauthenticated() {
//!         "check the client id and secret"
//!     } else if err.is_retryable() {
//!         "try again later"
//!     } else if err.code() == Some(Code::PermissionDenied) {
//!         "not allowed"
//!     } else {
//!         "something else went wrong"
//!     }
//! }
//!
//! let err = Error::from(tonic::Status::not_found("user usr_1 does not exist"));
//! assert_eq!(describe(&err), "no such resource");
//! ```
//!
//! The HTTP statuses and [`ErrorKind`]s follow the mapping of Scalekit's
//! Node SDK, so the same failure reads the same in every Scalekit SDK.

use std::fmt;

use prost::Message as _;

/// The gRPC status code of an API error (re-exported from `tonic`).
pub use tonic::Code;

/// A decoded `scalekit.v1.errdetails.ErrorInfo`, the detail Scalekit attaches
/// to its error statuses (re-exported from [`crate::proto::errdetails`]).
pub use crate::proto::errdetails::ErrorInfo;

/// One invalid request field named by the server (re-exported from
/// [`crate::proto::errdetails::validation_error_info`]).
pub use crate::proto::errdetails::validation_error_info::FieldViolation;

/// `Result` with this crate's [`Error`] as the default error type.
///
/// ```
/// fn parse_limit(raw: &str) -> scalekit::Result<u32> {
///     raw.parse()
///         .map_err(|_| scalekit::Error::Config(format!("`{raw}` is not a page size")))
/// }
///
/// assert!(parse_limit("ten").is_err());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in an SDK call.
///
/// The variants say which layer failed; the predicates ([`is_not_found`],
/// [`is_retryable`], ...) answer the usual questions without a `match`.
/// `Display` describes only its own layer, in one lowercase line; walk
/// [`source()`](std::error::Error::source) for the rest. No variant ever holds
/// a client secret or a token.
///
/// ```
/// use scalekit::Error;
///
/// let err = Error::from(tonic::Status::already_exists("organization exists"));
/// assert!(err.is_conflict());
/// assert_eq!(err.http_status(), Some(409));
/// match &err {
///     Error::Api(api) => assert_eq!(api.message(), "organization exists"),
///     other => panic!("unexpected error: {other}"),
/// }
/// ```
///
/// [`is_not_found`]: Error::is_not_found
/// [`is_retryable`]: Error::is_retryable
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied argument failed validation before any network I/O.
    #[error("invalid argument `{field}`: {}", OneLine(reason))]
    InvalidArgument {
        /// The name of the offending argument or request field.
        field: &'static str,
        /// Why the value was rejected.
        reason: String,
    },

    /// The Scalekit API answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The OAuth token endpoint failed: the client-credentials fetch, or a
    /// code exchange or refresh made by the sign-in helpers.
    #[error(transparent)]
    Auth(TokenError),

    /// The request could not be sent or its response not received
    /// (connection refused, TLS or HTTP/2 failure, ...). The source holds the
    /// underlying error.
    #[error("transport error")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// The per-request timeout elapsed. Its [`kind`](Error::kind) is
    /// [`ErrorKind::GatewayTimeout`] (HTTP 504).
    #[error("request timed out")]
    Timeout,

    /// The server's response lacked a field the SDK needs; the string names
    /// the field.
    #[error("malformed response: missing {0}")]
    MalformedResponse(&'static str),

    /// The client configuration is invalid (bad URL, empty client id, ...).
    #[error("invalid configuration: {}", OneLine(.0))]
    Config(String),

    /// A JWT (access, ID or IdP-initiated login token) failed validation; the
    /// reason names the check that failed. Never holds the token.
    #[error("invalid token: {0}")]
    InvalidToken(InvalidTokenReason),

    /// A webhook or interceptor payload failed signature verification; the
    /// reason names the check that failed. Never holds the secret.
    #[error("webhook verification failed: {0}")]
    WebhookSignature(WebhookSignatureReason),
}

impl Error {
    /// Creates [`Error::InvalidArgument`].
    // Unused until the facade's validators call it; drop the allow then.
    #[allow(dead_code)]
    pub(crate) fn invalid_argument(field: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidArgument {
            field,
            reason: reason.into(),
        }
    }

    /// The gRPC status code the server answered with.
    ///
    /// `Some` only for [`Error::Api`]. Client-side failures have no code: a
    /// [`Error::Timeout`] gives `None` (see [`is_timeout`](Error::is_timeout)),
    /// and so does a token-endpoint failure ([`Error::Auth`]), even a 401.
    ///
    /// ```
    /// use scalekit::{Code, Error};
    ///
    /// let err = Error::from(tonic::Status::permission_denied("no"));
    /// assert_eq!(err.code(), Some(Code::PermissionDenied));
    /// assert_eq!(Error::Timeout.code(), None);
    /// ```
    pub fn code(&self) -> Option<Code> {
        self.api().map(ApiError::code)
    }

    /// The server's error, if this is [`Error::Api`].
    ///
    /// ```
    /// let err = scalekit::Error::from(tonic::Status::not_found("gone"));
    /// assert_eq!(err.api().map(|api| api.message()), Some("gone"));
    /// ```
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The [`ErrorKind`] of an [`Error::Api`], and
    /// [`ErrorKind::GatewayTimeout`] for a client-side timeout
    /// ([`is_timeout`](Error::is_timeout): [`Error::Timeout`], or
    /// [`TokenError::Timeout`] when the token request was the part that ran
    /// out of time). `None` for every other variant.
    ///
    /// A timeout is reported like a server's `DEADLINE_EXCEEDED`, as the
    /// reference SDK does: whichever side gave up, the caller ran out of
    /// time, and code that maps errors to HTTP answers 504 either way.
    ///
    /// ```
    /// use scalekit::{Error, ErrorKind};
    ///
    /// let err = Error::from(tonic::Status::resource_exhausted("slow down"));
    /// assert_eq!(err.kind(), Some(ErrorKind::TooManyRequests));
    /// assert_eq!(Error::Timeout.kind(), Some(ErrorKind::GatewayTimeout));
    /// ```
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Error::Api(api) => Some(api.kind()),
            _ if self.is_timeout() => Some(ErrorKind::GatewayTimeout),
            _ => None,
        }
    }

    /// The HTTP status: the status of [`kind`](Error::kind) (so 504 for a
    /// timeout), or the status the token endpoint answered with
    /// ([`TokenError::Status`]). `None` otherwise.
    ///
    /// ```
    /// let err = scalekit::Error::from(tonic::Status::unimplemented("later"));
    /// assert_eq!(err.http_status(), Some(501));
    /// assert_eq!(scalekit::Error::Timeout.http_status(), Some(504));
    /// ```
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Auth(TokenError::Status { status, .. }) => Some(*status),
            _ => self.kind().map(ErrorKind::http_status),
        }
    }

    /// Whether the server answered `NOT_FOUND`.
    ///
    /// ```
    /// assert!(scalekit::Error::from(tonic::Status::not_found("gone")).is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(Code::NotFound)
    }

    /// Whether the credentials were rejected: the API answered
    /// `UNAUTHENTICATED`, or the token endpoint answered HTTP 401.
    ///
    /// ```
    /// use scalekit::{Error, TokenError};
    ///
    /// assert!(Error::from(tonic::Status::unauthenticated("expired")).is_unauthenticated());
    /// let rejected = Error::Auth(TokenError::Status {
    ///     status: 401,
    ///     error: Some("invalid_client".into()),
    ///     error_description: None,
    /// });
    /// assert!(rejected.is_unauthenticated());
    /// ```
    pub fn is_unauthenticated(&self) -> bool {
        match self {
            Error::Api(api) => api.code() == Code::Unauthenticated,
            Error::Auth(TokenError::Status { status, .. }) => *status == 401,
            _ => false,
        }
    }

    /// Whether the server reported a conflict: `ALREADY_EXISTS` or `ABORTED`
    /// (HTTP 409).
    ///
    /// ```
    /// assert!(scalekit::Error::from(tonic::Status::aborted("race")).is_conflict());
    /// ```
    pub fn is_conflict(&self) -> bool {
        matches!(self.code(), Some(Code::AlreadyExists | Code::Aborted))
    }

    /// Whether an argument was invalid: rejected by the SDK before sending
    /// ([`Error::InvalidArgument`]) or by the server (`INVALID_ARGUMENT`).
    ///
    /// ```
    /// let err = scalekit::Error::from(tonic::Status::invalid_argument("bad email"));
    /// assert!(err.is_invalid_argument());
    /// ```
    pub fn is_invalid_argument(&self) -> bool {
        match self {
            Error::InvalidArgument { .. } => true,
            Error::Api(api) => api.code() == Code::InvalidArgument,
            _ => false,
        }
    }

    /// Whether the request timed out on the client side: [`Error::Timeout`]
    /// or [`TokenError::Timeout`]. A server-side `DEADLINE_EXCEEDED` is an
    /// [`Error::Api`] and does not count.
    ///
    /// ```
    /// assert!(scalekit::Error::Timeout.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout | Error::Auth(TokenError::Timeout))
    }

    /// Whether trying the same call again may succeed: the API answered
    /// `UNAVAILABLE` or `RESOURCE_EXHAUSTED`; the request timed out or failed
    /// in transport; or the token endpoint timed out, was unreachable, or
    /// answered HTTP 429 or 5xx.
    ///
    /// ```
    /// assert!(scalekit::Error::from(tonic::Status::unavailable("down")).is_retryable());
    /// assert!(!scalekit::Error::from(tonic::Status::not_found("gone")).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => matches!(api.code(), Code::Unavailable | Code::ResourceExhausted),
            Error::Timeout | Error::Transport(_) => true,
            Error::Auth(token) => token.is_retryable(),
            Error::InvalidArgument { .. }
            | Error::MalformedResponse(_)
            | Error::Config(_)
            | Error::InvalidToken(_)
            | Error::WebhookSignature(_) => false,
        }
    }
}

/// Converts a status from a tonic call.
///
/// - If the status's source chain holds one of this crate's errors (the
///   transport layer fails calls with [`Error::Auth`], [`Error::Timeout`] or
///   [`Error::Transport`], and tonic wraps them in a status), that error is
///   rebuilt: `Auth` and `Timeout` as themselves, anything else as
///   [`Error::Transport`] holding the status.
/// - Else, if the status has any source, it was made on the client (connection
///   refused, HTTP/2 error): [`Error::Transport`].
/// - Else the server sent it: [`Error::Api`].
impl From<tonic::Status> for Error {
    fn from(status: tonic::Status) -> Error {
        use std::error::Error as _;

        let mut source = status.source();
        while let Some(err) = source {
            // tonic enforces `grpc-timeout` itself too; whichever timer
            // fires first, a timeout is a timeout.
            if err.is::<tonic::TimeoutExpired>() {
                return Error::Timeout;
            }
            if let Some(ours) = err.downcast_ref::<Error>() {
                return match ours {
                    Error::Auth(token) => Error::Auth(token.clone()),
                    Error::Timeout => Error::Timeout,
                    _ => Error::Transport(Box::new(status)),
                };
            }
            source = err.source();
        }
        if status.source().is_some() {
            Error::Transport(Box::new(status))
        } else {
            Error::Api(Box::new(ApiError::from_status(&status)))
        }
    }
}

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
    fn is_retryable(&self) -> bool {
        match self {
            TokenError::Status { status, .. } => *status == 429 || (500..600).contains(status),
            TokenError::Timeout | TokenError::Transport(_) => true,
            TokenError::MalformedResponse(_) => false,
        }
    }
}

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

/// An error status answered by the Scalekit API, with the Scalekit details
/// decoded from it.
///
/// `Display` reads like
/// `not found (NOT_FOUND, HTTP 404): user usr_1 does not exist [error code: USER_NOT_FOUND]`.
///
/// ```
/// use scalekit::{ApiError, Code, ErrorKind};
///
/// let api = ApiError::from_status(&tonic::Status::failed_precondition("domain unverified"));
/// assert_eq!(api.code(), Code::FailedPrecondition);
/// assert_eq!(api.http_status(), 400);
/// assert_eq!(api.kind(), ErrorKind::BadRequest);
/// assert_eq!(api.error_code(), None);
/// assert!(api.details().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    code: Code,
    message: String,
    details: Vec<ErrorInfo>,
}

impl ApiError {
    /// Reads the code, message and Scalekit [`ErrorInfo`] details of a
    /// status. Details that are missing, of another type or undecodable are
    /// skipped; this never fails.
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::internal("oops"));
    /// assert_eq!(api.message(), "oops");
    /// ```
    pub fn from_status(status: &tonic::Status) -> ApiError {
        ApiError {
            code: status.code(),
            message: status.message().to_owned(),
            details: decode_error_infos(status.details()),
        }
    }

    /// The gRPC status code.
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::not_found("gone"));
    /// assert_eq!(api.code(), scalekit::Code::NotFound);
    /// ```
    pub fn code(&self) -> Code {
        self.code
    }

    /// The HTTP status the code maps to (see [`ErrorKind::http_status`]).
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::cancelled("bye"));
    /// assert_eq!(api.http_status(), 499);
    /// ```
    pub fn http_status(&self) -> u16 {
        self.kind().http_status()
    }

    /// The [`ErrorKind`] the code maps to.
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::data_loss("lost"));
    /// assert_eq!(api.kind(), scalekit::ErrorKind::Internal);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code)
    }

    /// The server's message, as sent.
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::not_found("gone"));
    /// assert_eq!(api.message(), "gone");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Scalekit's machine-readable error code (such as `USER_NOT_FOUND`): the
    /// first non-empty `error_code` among the [`details`](ApiError::details).
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::not_found("gone"));
    /// assert_eq!(api.error_code(), None);
    /// ```
    pub fn error_code(&self) -> Option<&str> {
        self.details
            .iter()
            .map(|info| info.error_code.as_str())
            .find(|code| !code.is_empty())
    }

    /// Every `scalekit.v1.errdetails.ErrorInfo` decoded from the status
    /// details, in order.
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::not_found("gone"));
    /// assert!(api.details().is_empty());
    /// ```
    pub fn details(&self) -> &[ErrorInfo] {
        &self.details
    }

    /// The id the server gave this request: the first non-empty
    /// `request_info.request_id` among the [`details`](ApiError::details).
    /// Quote it when contacting Scalekit support.
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::internal("oops"));
    /// assert_eq!(api.request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.details
            .iter()
            .filter_map(|info| info.request_info.as_ref())
            .map(|request| request.request_id.as_str())
            .find(|id| !id.is_empty())
    }

    /// Every invalid field the server named, across all
    /// [`details`](ApiError::details).
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::invalid_argument("bad"));
    /// for violation in api.field_violations() {
    ///     println!("{}: {}", violation.field, violation.description);
    /// }
    /// ```
    pub fn field_violations(&self) -> impl Iterator<Item = &FieldViolation> {
        self.details
            .iter()
            .filter_map(|info| info.validation_error_info.as_ref())
            .flat_map(|validation| validation.field_violations.iter())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, HTTP {})",
            self.kind(),
            code_name(self.code),
            self.http_status()
        )?;
        let message = self.message.trim();
        if !message.is_empty() {
            write!(f, ": {}", OneLine(message))?;
        }
        if let Some(code) = self.error_code() {
            write!(f, " [error code: {}]", OneLine(code))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The broad class of an [`ApiError`], with the HTTP status it maps to.
///
/// ```
/// use scalekit::{Code, ErrorKind};
///
/// let kind = ErrorKind::from_code(Code::AlreadyExists);
/// assert_eq!(kind, ErrorKind::Conflict);
/// assert_eq!(kind.http_status(), 409);
/// assert_eq!(kind.to_string(), "conflict");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// HTTP 400: `INVALID_ARGUMENT`, `FAILED_PRECONDITION` or `OUT_OF_RANGE`.
    BadRequest,
    /// HTTP 401: `UNAUTHENTICATED`.
    Unauthorized,
    /// HTTP 403: `PERMISSION_DENIED`.
    Forbidden,
    /// HTTP 404: `NOT_FOUND`.
    NotFound,
    /// HTTP 409: `ALREADY_EXISTS` or `ABORTED`.
    Conflict,
    /// HTTP 429: `RESOURCE_EXHAUSTED`.
    TooManyRequests,
    /// HTTP 499: `CANCELLED`.
    Cancelled,
    /// HTTP 500: `INTERNAL`, `UNKNOWN` or `DATA_LOSS`.
    Internal,
    /// HTTP 501: `UNIMPLEMENTED`.
    NotImplemented,
    /// HTTP 503: `UNAVAILABLE`.
    ServiceUnavailable,
    /// HTTP 504: `DEADLINE_EXCEEDED`, and client-side timeouts ([`Error::kind`]).
    GatewayTimeout,
    /// HTTP 500: any other code (`OK` in an error).
    Unknown,
}

impl ErrorKind {
    /// The kind of a gRPC code, as Scalekit's Node SDK maps it.
    ///
    /// ```
    /// use scalekit::{Code, ErrorKind};
    ///
    /// assert_eq!(ErrorKind::from_code(Code::OutOfRange), ErrorKind::BadRequest);
    /// ```
    pub fn from_code(code: Code) -> ErrorKind {
        match code {
            Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
                ErrorKind::BadRequest
            }
            Code::Unauthenticated => ErrorKind::Unauthorized,
            Code::PermissionDenied => ErrorKind::Forbidden,
            Code::NotFound => ErrorKind::NotFound,
            Code::AlreadyExists | Code::Aborted => ErrorKind::Conflict,
            Code::ResourceExhausted => ErrorKind::TooManyRequests,
            Code::Cancelled => ErrorKind::Cancelled,
            Code::DataLoss | Code::Unknown | Code::Internal => ErrorKind::Internal,
            Code::Unimplemented => ErrorKind::NotImplemented,
            Code::Unavailable => ErrorKind::ServiceUnavailable,
            Code::DeadlineExceeded => ErrorKind::GatewayTimeout,
            Code::Ok => ErrorKind::Unknown,
        }
    }

    /// The HTTP status of this kind.
    ///
    /// ```
    /// assert_eq!(scalekit::ErrorKind::GatewayTimeout.http_status(), 504);
    /// ```
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::Cancelled => 499,
            ErrorKind::Internal | ErrorKind::Unknown => 500,
            ErrorKind::NotImplemented => 501,
            ErrorKind::ServiceUnavailable => 503,
            ErrorKind::GatewayTimeout => 504,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::TooManyRequests => "too many requests",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal error",
            ErrorKind::NotImplemented => "not implemented",
            ErrorKind::ServiceUnavailable => "service unavailable",
            ErrorKind::GatewayTimeout => "gateway timeout",
            ErrorKind::Unknown => "unknown error",
        }
    }
}

/// Lowercase words, such as `not found` or `too many requests`.
impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The canonical upper-snake name of a gRPC code.
pub(crate) fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// `google.rpc.Status`, the message carried in `grpc-status-details-bin`.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

const ERROR_INFO_TYPE: &str = "scalekit.v1.errdetails.ErrorInfo";

/// Decodes every Scalekit `ErrorInfo` in a serialized `google.rpc.Status`,
/// skipping other detail types and undecodable bytes.
fn decode_error_infos(details: &[u8]) -> Vec<ErrorInfo> {
    if details.is_empty() {
        return Vec::new();
    }
    let Ok(status) = RpcStatus::decode(details) else {
        return Vec::new();
    };
    status
        .details
        .iter()
        .filter(|any| is_error_info_type(&any.type_url))
        .filter_map(|any| ErrorInfo::decode(any.value.as_slice()).ok())
        .collect()
}

fn is_error_info_type(type_url: &str) -> bool {
    type_url == ERROR_INFO_TYPE
        || type_url
            .strip_suffix(ERROR_INFO_TYPE)
            .is_some_and(|prefix| prefix.ends_with('/'))
}

/// Displays text from the network or the caller on one line: line breaks and
/// other control characters become spaces.
struct OneLine<'a>(&'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in self.0.split(char::is_control).enumerate() {
            if part.0 > 0 {
                f.write_str(" ")?;
            }
            f.write_str(part.1)?;
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use std::error::Error as StdError;
    use std::sync::Arc;

    use anyhow::{bail, ensure, Context as _};
    use prost::Message as _;

    use super::*;
    use crate::proto::errdetails::{RequestInfo, ValidationErrorInfo};

    const ALL_CODES: usize = 17;

    #[test]
    fn error_kind_every_code_matches_node_sdk_table() -> anyhow::Result<()> {
        let table: [(Code, u16, ErrorKind); ALL_CODES] = [
            (Code::Ok, 500, ErrorKind::Unknown),
            (Code::Cancelled, 499, ErrorKind::Cancelled),
            (Code::Unknown, 500, ErrorKind::Internal),
            (Code::InvalidArgument, 400, ErrorKind::BadRequest),
            (Code::DeadlineExceeded, 504, ErrorKind::GatewayTimeout),
            (Code::NotFound, 404, ErrorKind::NotFound),
            (Code::AlreadyExists, 409, ErrorKind::Conflict),
            (Code::PermissionDenied, 403, ErrorKind::Forbidden),
            (Code::ResourceExhausted, 429, ErrorKind::TooManyRequests),
            (Code::FailedPrecondition, 400, ErrorKind::BadRequest),
            (Code::Aborted, 409, ErrorKind::Conflict),
            (Code::OutOfRange, 400, ErrorKind::BadRequest),
            (Code::Unimplemented, 501, ErrorKind::NotImplemented),
            (Code::Internal, 500, ErrorKind::Internal),
            (Code::Unavailable, 503, ErrorKind::ServiceUnavailable),
            (Code::DataLoss, 500, ErrorKind::Internal),
            (Code::Unauthenticated, 401, ErrorKind::Unauthorized),
        ];
        // Every code 0..=16 appears exactly once.
        let mut seen: Vec<i32> = table.iter().map(|(code, ..)| *code as i32).collect();
        seen.sort_unstable();
        ensure!(seen == (0..17).collect::<Vec<_>>(), "table misses a code");

        for (code, http, kind) in table {
            let err = Error::from(tonic::Status::new(code, "boom"));
            let api = err.api().with_context(|| format!("{code:?} is not Api"))?;
            ensure!(api.code() == code, "{code:?}: code {:?}", api.code());
            ensure!(
                api.http_status() == http,
                "{code:?}: http {}",
                api.http_status()
            );
            ensure!(api.kind() == kind, "{code:?}: kind {:?}", api.kind());
            ensure!(ErrorKind::from_code(code) == kind, "{code:?}: from_code");
            ensure!(
                err.http_status() == Some(http),
                "{code:?}: Error::http_status"
            );
            ensure!(err.kind() == Some(kind), "{code:?}: Error::kind");
            ensure!(err.code() == Some(code), "{code:?}: Error::code");
        }
        Ok(())
    }

    fn any(type_url: &str, value: Vec<u8>) -> prost_types::Any {
        prost_types::Any {
            type_url: type_url.to_owned(),
            value,
        }
    }

    fn violation(field: &str, description: &str, constraint: &str) -> FieldViolation {
        FieldViolation {
            field: field.to_owned(),
            description: description.to_owned(),
            constraint: constraint.to_owned(),
        }
    }

    fn sample_error_info() -> ErrorInfo {
        ErrorInfo {
            error_code: "ORGANIZATION_EXISTS".to_owned(),
            request_info: Some(RequestInfo {
                request_id: "req_123".to_owned(),
                serving_data: String::new(),
            }),
            validation_error_info: Some(ValidationErrorInfo {
                field_violations: vec![
                    violation("external_id", "already taken", "unique"),
                    violation("display_name", "too long", "max_len"),
                ],
            }),
            ..Default::default()
        }
    }

    fn status_with_details(code: Code, details: Vec<prost_types::Any>) -> tonic::Status {
        let rpc = RpcStatus {
            code: code as i32,
            message: "msg".to_owned(),
            details,
        };
        tonic::Status::with_details(code, "msg", rpc.encode_to_vec().into())
    }

    #[test]
    fn from_status_with_error_info_details_decodes_scalekit_fields() -> anyhow::Result<()> {
        let info = sample_error_info();
        let status = status_with_details(
            Code::AlreadyExists,
            vec![
                any(
                    "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",
                    info.encode_to_vec(),
                ),
                any(
                    "type.googleapis.com/google.rpc.RetryInfo",
                    vec![0x0a, 0x02, 0x08, 0x01],
                ),
            ],
        );

        let err = Error::from(status);
        let Error::Api(api) = &err else {
            bail!("expected Error::Api, got {err:?}");
        };
        ensure!(api.code() == Code::AlreadyExists);
        ensure!(api.http_status() == 409);
        ensure!(api.kind() == ErrorKind::Conflict);
        ensure!(api.message() == "msg");
        ensure!(api.error_code() == Some("ORGANIZATION_EXISTS"));
        ensure!(api.request_id() == Some("req_123"));
        ensure!(api.details().len() == 1, "details: {:?}", api.details());
        ensure!(api.details()[0] == info);
        let fields: Vec<(&str, &str, &str)> = api
            .field_violations()
            .map(|v| {
                (
                    v.field.as_str(),
                    v.description.as_str(),
                    v.constraint.as_str(),
                )
            })
            .collect();
        ensure!(
            fields
                == [
                    ("external_id", "already taken", "unique"),
                    ("display_name", "too long", "max_len"),
                ],
            "violations: {fields:?}"
        );
        ensure!(err.is_conflict());
        ensure!(!err.is_retryable());
        Ok(())
    }

    #[test]
    fn from_status_with_bare_type_url_decodes_error_info() -> anyhow::Result<()> {
        let status = status_with_details(
            Code::NotFound,
            vec![any(
                "scalekit.v1.errdetails.ErrorInfo",
                sample_error_info().encode_to_vec(),
            )],
        );
        let api = ApiError::from_status(&status);
        ensure!(api.details().len() == 1);
        ensure!(api.error_code() == Some("ORGANIZATION_EXISTS"));
        Ok(())
    }

    #[test]
    fn from_status_with_lookalike_type_url_skips_detail() -> anyhow::Result<()> {
        let status = status_with_details(
            Code::NotFound,
            vec![any(
                "type.googleapis.com/evil.scalekit.v1.errdetails.ErrorInfo",
                sample_error_info().encode_to_vec(),
            )],
        );
        ensure!(ApiError::from_status(&status).details().is_empty());
        Ok(())
    }

    #[test]
    fn from_status_with_several_error_infos_takes_first_non_empty_fields() -> anyhow::Result<()> {
        let first = ErrorInfo {
            validation_error_info: Some(ValidationErrorInfo {
                field_violations: vec![violation("email", "invalid", "email")],
            }),
            ..Default::default()
        };
        let second = sample_error_info();
        let url = "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo";
        let status = status_with_details(
            Code::InvalidArgument,
            vec![
                any(url, first.encode_to_vec()),
                any(url, second.encode_to_vec()),
            ],
        );
        let api = ApiError::from_status(&status);
        ensure!(api.details().len() == 2);
        ensure!(api.error_code() == Some("ORGANIZATION_EXISTS"));
        ensure!(api.request_id() == Some("req_123"));
        ensure!(api.field_violations().count() == 3);
        Ok(())
    }

    #[test]
    fn from_status_with_undecodable_error_info_skips_it() -> anyhow::Result<()> {
        let status = status_with_details(
            Code::Internal,
            vec![any(
                "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",
                vec![0xff, 0xff, 0xff],
            )],
        );
        let api = ApiError::from_status(&status);
        ensure!(api.details().is_empty());
        ensure!(api.error_code().is_none());
        ensure!(api.request_id().is_none());
        Ok(())
    }

    #[test]
    fn from_status_with_garbage_details_yields_empty_details() -> anyhow::Result<()> {
        for garbage in [
            &[0xff_u8, 0x00, 0x13, 0x37][..],
            &[0x1a, 0x7f][..],
            b"not a protobuf at all",
        ] {
            let status =
                tonic::Status::with_details(Code::Internal, "boom", garbage.to_vec().into());
            let err = Error::from(status);
            let api = err.api().context("expected Error::Api")?;
            ensure!(api.details().is_empty(), "details from {garbage:?}");
            ensure!(api.code() == Code::Internal);
            ensure!(api.message() == "boom");
        }
        Ok(())
    }

    #[test]
    fn from_status_with_empty_details_yields_empty_details() -> anyhow::Result<()> {
        let api = ApiError::from_status(&tonic::Status::not_found("gone"));
        ensure!(api.details().is_empty());
        ensure!(api.field_violations().next().is_none());
        Ok(())
    }

    #[test]
    fn from_status_with_auth_source_rebuilds_auth_error() -> anyhow::Result<()> {
        let status = tonic::Status::from_error(Box::new(Error::Auth(TokenError::Status {
            status: 401,
            error: Some("invalid_client".to_owned()),
            error_description: None,
        })));
        let err = Error::from(status);
        let Error::Auth(TokenError::Status { status, error, .. }) = &err else {
            bail!("expected Error::Auth(Status), got {err:?}");
        };
        ensure!(*status == 401);
        ensure!(error.as_deref() == Some("invalid_client"));
        ensure!(err.is_unauthenticated());
        ensure!(err.http_status() == Some(401));
        ensure!(err.code().is_none());
        ensure!(!err.is_retryable());
        Ok(())
    }

    #[test]
    fn from_status_with_timeout_source_rebuilds_timeout() -> anyhow::Result<()> {
        let err = Error::from(tonic::Status::from_error(Box::new(Error::Timeout)));
        ensure!(matches!(err, Error::Timeout), "got {err:?}");
        ensure!(err.is_timeout());
        ensure!(err.is_retryable());
        Ok(())
    }

    /// An error whose source is the wrapped error, as middleware layers do.
    #[derive(Debug)]
    struct Wrapper(Box<dyn StdError + Send + Sync>);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("wrapper")
        }
    }

    impl StdError for Wrapper {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&*self.0)
        }
    }

    #[test]
    fn from_status_with_nested_crate_error_finds_it_in_chain() -> anyhow::Result<()> {
        let status = tonic::Status::from_error(Box::new(Wrapper(Box::new(Error::Auth(
            TokenError::Timeout,
        )))));
        let err = Error::from(status);
        ensure!(
            matches!(err, Error::Auth(TokenError::Timeout)),
            "got {err:?}"
        );
        ensure!(err.is_timeout());
        Ok(())
    }

    #[test]
    fn from_status_with_io_source_becomes_transport() -> anyhow::Result<()> {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let err = Error::from(tonic::Status::from_error(Box::new(io)));
        let Error::Transport(source) = &err else {
            bail!("expected Error::Transport, got {err:?}");
        };
        ensure!(source.downcast_ref::<tonic::Status>().is_some());
        ensure!(err.source().is_some());
        ensure!(err.is_retryable());
        ensure!(err.code().is_none());
        Ok(())
    }

    #[test]
    fn from_status_with_crate_transport_source_becomes_transport() -> anyhow::Result<()> {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        let status = tonic::Status::from_error(Box::new(Error::Transport(Box::new(io))));
        let err = Error::from(status);
        ensure!(matches!(err, Error::Transport(_)), "got {err:?}");
        // The chain still reaches the original io::Error.
        let mut source = err.source();
        let mut found = false;
        while let Some(e) = source {
            found |= e.downcast_ref::<std::io::Error>().is_some();
            source = e.source();
        }
        ensure!(found, "io::Error missing from the source chain");
        Ok(())
    }

    #[test]
    fn from_status_without_source_becomes_api() -> anyhow::Result<()> {
        let err = Error::from(tonic::Status::unavailable("down"));
        ensure!(matches!(err, Error::Api(_)), "got {err:?}");
        ensure!(err.is_retryable());
        Ok(())
    }

    fn all_variants() -> Vec<Error> {
        vec![
            Error::invalid_argument("organization_id", "must not be empty"),
            Error::from(tonic::Status::not_found("user usr_1 does not exist")),
            Error::Auth(TokenError::Status {
                status: 401,
                error: Some("invalid_client".to_owned()),
                error_description: Some("client authentication failed".to_owned()),
            }),
            Error::Auth(TokenError::Status {
                status: 502,
                error: None,
                error_description: None,
            }),
            Error::Auth(TokenError::MalformedResponse(
                "missing access_token".to_owned(),
            )),
            Error::Auth(TokenError::Timeout),
            Error::Auth(TokenError::Transport(Arc::new(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "refused",
            )))),
            Error::Transport(Box::new(std::io::Error::other("socket closed"))),
            Error::Timeout,
            Error::MalformedResponse("organization"),
            Error::Config("environment URL has no host".to_owned()),
        ]
    }

    #[test]
    fn display_every_variant_is_one_lowercase_line() -> anyhow::Result<()> {
        for err in all_variants() {
            let text = err.to_string();
            ensure!(!text.contains('\n'), "multi-line: {text:?}");
            ensure!(!text.ends_with('.'), "trailing period: {text:?}");
            let first = text.chars().next().context("empty display")?;
            ensure!(first.is_lowercase(), "not lowercase: {text:?}");
            if let Some(source) = err.source() {
                let inner = source.to_string();
                ensure!(
                    !text.contains(&inner),
                    "{text:?} repeats its source {inner:?}"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn display_each_variant_matches_expected_text() -> anyhow::Result<()> {
        let expected = [
            "invalid argument `organization_id`: must not be empty",
            "not found (NOT_FOUND, HTTP 404): user usr_1 does not exist",
            "token endpoint answered HTTP 401: invalid_client (client authentication failed)",
            "token endpoint answered HTTP 502",
            "malformed token endpoint response: missing access_token",
            "token endpoint timed out",
            "could not reach the token endpoint",
            "transport error",
            "request timed out",
            "malformed response: missing organization",
            "invalid configuration: environment URL has no host",
        ];
        let variants = all_variants();
        ensure!(variants.len() == expected.len());
        for (err, want) in variants.iter().zip(expected) {
            ensure!(err.to_string() == want, "{:?} != {want:?}", err.to_string());
        }
        Ok(())
    }

    #[test]
    fn display_api_error_with_error_code_appends_it() -> anyhow::Result<()> {
        let info = ErrorInfo {
            error_code: "USER_NOT_FOUND".to_owned(),
            ..Default::default()
        };
        let status = tonic::Status::with_details(
            Code::NotFound,
            "user usr_1 does not exist",
            RpcStatus {
                code: Code::NotFound as i32,
                message: String::new(),
                details: vec![any(
                    "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",
                    info.encode_to_vec(),
                )],
            }
            .encode_to_vec()
            .into(),
        );
        let text = Error::from(status).to_string();
        ensure!(
            text == "not found (NOT_FOUND, HTTP 404): user usr_1 does not exist \
                     [error code: USER_NOT_FOUND]",
            "got {text:?}"
        );
        Ok(())
    }

    #[test]
    fn display_server_message_with_line_breaks_stays_one_line() -> anyhow::Result<()> {
        let text = Error::from(tonic::Status::internal("first\nsecond\r\nthird")).to_string();
        ensure!(
            text == "internal error (INTERNAL, HTTP 500): first second  third",
            "got {text:?}"
        );
        let text = Error::from(tonic::Status::internal("")).to_string();
        ensure!(
            text == "internal error (INTERNAL, HTTP 500)",
            "got {text:?}"
        );
        Ok(())
    }

    #[test]
    fn display_token_status_with_description_only_shows_it() -> anyhow::Result<()> {
        let err = TokenError::Status {
            status: 400,
            error: None,
            error_description: Some("bad\nrequest".to_owned()),
        };
        ensure!(err.to_string() == "token endpoint answered HTTP 400: bad request");
        Ok(())
    }

    #[test]
    fn predicates_each_variant_answer_as_documented() -> anyhow::Result<()> {
        // (error, not_found, unauthenticated, conflict, invalid_argument, retryable, timeout)
        let rows: Vec<(Error, [bool; 6])> = vec![
            (
                Error::invalid_argument("f", "r"),
                [false, false, false, true, false, false],
            ),
            (
                tonic::Status::not_found("x").into(),
                [true, false, false, false, false, false],
            ),
            (
                tonic::Status::unauthenticated("x").into(),
                [false, true, false, false, false, false],
            ),
            (
                tonic::Status::already_exists("x").into(),
                [false, false, true, false, false, false],
            ),
            (
                tonic::Status::aborted("x").into(),
                [false, false, true, false, false, false],
            ),
            (
                tonic::Status::invalid_argument("x").into(),
                [false, false, false, true, false, false],
            ),
            (
                tonic::Status::failed_precondition("x").into(),
                [false, false, false, false, false, false],
            ),
            (
                tonic::Status::unavailable("x").into(),
                [false, false, false, false, true, false],
            ),
            (
                tonic::Status::resource_exhausted("x").into(),
                [false, false, false, false, true, false],
            ),
            (
                tonic::Status::deadline_exceeded("x").into(),
                [false, false, false, false, false, false],
            ),
            (
                tonic::Status::internal("x").into(),
                [false, false, false, false, false, false],
            ),
            (
                Error::Auth(TokenError::Status {
                    status: 401,
                    error: None,
                    error_description: None,
                }),
                [false, true, false, false, false, false],
            ),
            (
                Error::Auth(TokenError::Status {
                    status: 400,
                    error: None,
                    error_description: None,
                }),
                [false, false, false, false, false, false],
            ),
            (
                Error::Auth(TokenError::Status {
                    status: 503,
                    error: None,
                    error_description: None,
                }),
                [false, false, false, false, true, false],
            ),
            (
                Error::Auth(TokenError::Status {
                    status: 429,
                    error: None,
                    error_description: None,
                }),
                [false, false, false, false, true, false],
            ),
            (
                Error::Auth(TokenError::MalformedResponse("x".to_owned())),
                [false, false, false, false, false, false],
            ),
            (
                Error::Auth(TokenError::Timeout),
                [false, false, false, false, true, true],
            ),
            (
                Error::Auth(TokenError::Transport(Arc::new(std::io::Error::other("x")))),
                [false, false, false, false, true, false],
            ),
            (
                Error::Transport(Box::new(std::io::Error::other("x"))),
                [false, false, false, false, true, false],
            ),
            (Error::Timeout, [false, false, false, false, true, true]),
            (
                Error::MalformedResponse("user"),
                [false, false, false, false, false, false],
            ),
            (
                Error::Config("x".to_owned()),
                [false, false, false, false, false, false],
            ),
        ];
        for (err, want) in rows {
            let got = [
                err.is_not_found(),
                err.is_unauthenticated(),
                err.is_conflict(),
                err.is_invalid_argument(),
                err.is_retryable(),
                err.is_timeout(),
            ];
            ensure!(got == want, "{err:?}: got {got:?}, want {want:?}");
        }
        Ok(())
    }

    #[test]
    fn accessors_non_api_variants_return_none() -> anyhow::Result<()> {
        for err in all_variants() {
            if matches!(err, Error::Api(_)) {
                continue;
            }
            ensure!(err.code().is_none(), "{err:?}");
            ensure!(err.api().is_none(), "{err:?}");
            // Client-side timeouts are the one non-API kind (see below).
            ensure!(err.kind().is_some() == err.is_timeout(), "{err:?}");
            let status_expected =
                matches!(err, Error::Auth(TokenError::Status { .. })) || err.is_timeout();
            ensure!(err.http_status().is_some() == status_expected, "{err:?}");
        }
        Ok(())
    }

    #[test]
    fn kind_timeouts_map_to_gateway_timeout_like_deadline_exceeded() -> anyhow::Result<()> {
        let token_status = |status| {
            Error::Auth(TokenError::Status {
                status,
                error: None,
                error_description: None,
            })
        };
        let rows: [(Error, Option<ErrorKind>, Option<u16>); 9] = [
            (Error::Timeout, Some(ErrorKind::GatewayTimeout), Some(504)),
            (
                Error::Auth(TokenError::Timeout),
                Some(ErrorKind::GatewayTimeout),
                Some(504),
            ),
            (
                Error::from(tonic::Status::deadline_exceeded("server gave up")),
                Some(ErrorKind::GatewayTimeout),
                Some(504),
            ),
            (
                Error::from(tonic::Status::unavailable("down")),
                Some(ErrorKind::ServiceUnavailable),
                Some(503),
            ),
            // The token endpoint's own answer keeps its HTTP status and has
            // no gRPC kind.
            (token_status(401), None, Some(401)),
            (token_status(504), None, Some(504)),
            (
                Error::Auth(TokenError::Transport(Arc::new(std::io::Error::other("x")))),
                None,
                None,
            ),
            (
                Error::Transport(Box::new(std::io::Error::other("x"))),
                None,
                None,
            ),
            (Error::Config("x".to_owned()), None, None),
        ];
        for (err, kind, status) in rows {
            ensure!(err.kind() == kind, "{err:?}: kind {:?}", err.kind());
            ensure!(
                err.http_status() == status,
                "{err:?}: http_status {:?}",
                err.http_status()
            );
            if let Some(kind) = kind {
                ensure!(Some(kind.http_status()) == status, "{err:?}");
            }
        }
        Ok(())
    }

    #[test]
    fn error_types_are_send_sync_static() {
        fn assert_bounds<T: StdError + Send + Sync + 'static>() {}
        assert_bounds::<Error>();
        assert_bounds::<TokenError>();
        assert_bounds::<ApiError>();
    }
}
