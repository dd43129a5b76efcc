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
//!
//! To log an error with its causes on one line, use
//! [`Error::display_chain`] (or [`DisplayChain`] for any other error).
//!
//! The module is split by what each part owns: the [`Error`] enum and its
//! predicates here; [`ApiError`] and its response metadata in `api`; status
//! detail decoding in `details`; the code-to-HTTP mapping ([`ErrorKind`]) in
//! `kind`; [`TokenError`] in `token`; the [`InvalidTokenReason`] and
//! [`WebhookSignatureReason`] enums in `reasons`; [`DisplayChain`] in
//! `chain`. Every public item is re-exported here.

mod api;
mod chain;
mod details;
mod kind;
mod one_line;
mod oversize;
mod reasons;
mod token;

#[cfg(test)]
mod tests;

pub use api::{ApiError, REQUEST_ID_HEADER};
pub use chain::DisplayChain;
pub use kind::ErrorKind;
pub use reasons::{InvalidTokenReason, WebhookSignatureReason};
pub use token::TokenError;

pub(crate) use kind::code_name;
use one_line::OneLine;

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

    /// The response was larger than the client accepts, so the client
    /// dropped it unread: a gRPC message over tonic's decoding limit (4 MiB
    /// by default), or a JWKS over 1 MiB. (An oversized token endpoint
    /// answer is an [`Error::Auth`] of its own.)
    ///
    /// The limit is the client's, not an error the server sent:
    /// [`code`](Error::code) is `None`. Sending the same call again brings
    /// the same answer, so this is not [retryable](Error::is_retryable); ask
    /// for less instead, such as a smaller page size.
    #[error("response of {size} bytes is over the {limit}-byte message size limit")]
    ResponseTooLarge {
        /// The size of the response, in bytes; for a body without a
        /// declared length, the bytes read before it passed the limit.
        size: usize,
        /// The largest response message the client accepts, in bytes.
        limit: usize,
    },

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

    /// A call that is not idempotent (a create, an update, a send) failed
    /// after its request went out, in a way that leaves open whether the
    /// server applied it: a timeout, a broken connection, `UNAVAILABLE` or
    /// `INTERNAL` from somewhere on the way, or `UNAUTHENTICATED` although
    /// the server still accepts the client's token. The inner error says
    /// what happened; the predicates ([`code`](Error::code),
    /// [`kind`](Error::kind), [`is_timeout`](Error::is_timeout), ...) answer
    /// for it, except [`is_retryable`](Error::is_retryable), which is
    /// `false`: sending the same request again may apply it twice. Look the
    /// record up first (by the external id or unique field you sent), or
    /// make the retry safe some other way.
    #[error("the request may have been applied")]
    MaybeApplied(#[source] Box<Error>),
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

    /// Wraps `err` as [`Error::MaybeApplied`], once.
    pub(crate) fn maybe_applied(err: Error) -> Error {
        match err {
            Error::MaybeApplied(_) => err,
            err => Error::MaybeApplied(Box::new(err)),
        }
    }

    /// The error itself, or for [`Error::MaybeApplied`] the one it wraps.
    fn cause(&self) -> &Error {
        match self {
            Error::MaybeApplied(inner) => inner.cause(),
            other => other,
        }
    }

    /// Whether the request may have been applied although the call failed
    /// ([`Error::MaybeApplied`]): do not resend it blindly.
    ///
    /// ```
    /// use scalekit::Error;
    ///
    /// assert!(!Error::Timeout.may_have_been_applied());
    /// ```
    pub fn may_have_been_applied(&self) -> bool {
        matches!(self, Error::MaybeApplied(_))
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
        match self.cause() {
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
        match self.cause() {
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
        match self.cause() {
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
        match self.cause() {
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
        match self.cause() {
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
        matches!(
            self.cause(),
            Error::Timeout | Error::Auth(TokenError::Timeout)
        )
    }

    /// Whether sending the same call again is safe and may succeed: the API
    /// answered `UNAVAILABLE` or `RESOURCE_EXHAUSTED`; the request timed out
    /// or failed in transport; or the token endpoint timed out, was
    /// unreachable, or answered HTTP 429 or 5xx. Never for
    /// [`Error::MaybeApplied`]: the facade wraps such failures of a create,
    /// an update or a send in it, since the server may have applied the
    /// request, and a resend could apply it twice.
    ///
    /// The facade has already retried what it safely could (see
    /// [`RetryConfig`](crate::RetryConfig)); a retryable error reaching the
    /// caller has used up those attempts.
    ///
    /// ```
    /// use scalekit::Error;
    ///
    /// assert!(Error::from(tonic::Status::unavailable("down")).is_retryable());
    /// assert!(!Error::from(tonic::Status::not_found("gone")).is_retryable());
    /// // A create that timed out may have been stored: not safe to resend.
    /// let unsure = Error::MaybeApplied(Box::new(Error::Timeout));
    /// assert!(unsure.is_timeout() && !unsure.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::MaybeApplied(_) => false,
            Error::Api(api) => matches!(api.code(), Code::Unavailable | Code::ResourceExhausted),
            Error::Timeout | Error::Transport(_) => true,
            Error::Auth(token) => token.is_retryable(),
            Error::InvalidArgument { .. }
            | Error::ResponseTooLarge { .. }
            | Error::MalformedResponse(_)
            | Error::Config(_)
            | Error::InvalidToken(_)
            | Error::WebhookSignature(_) => false,
        }
    }

    /// This error and its [`source()`](std::error::Error::source) chain on
    /// one line, as `outer: cause: root cause`, for logs. A cause whose text
    /// its parent already includes is left out. See [`DisplayChain`].
    ///
    /// ```
    /// use scalekit::Error;
    ///
    /// let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
    /// let err = Error::Transport(Box::new(refused));
    /// assert_eq!(err.to_string(), "transport error");
    /// assert_eq!(err.display_chain().to_string(), "transport error: connection refused");
    ///
    /// // In a log line:
    /// let line = format!("users.get_user failed: {}", err.display_chain());
    /// assert_eq!(line, "users.get_user failed: transport error: connection refused");
    /// ```
    pub fn display_chain(&self) -> DisplayChain<&Error> {
        DisplayChain::new(self)
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
/// - Else, if it is the status tonic makes for a response over the decoding
///   limit: [`Error::ResponseTooLarge`].
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
        } else if let Some((size, limit)) = oversize::decoded_too_large(&status) {
            Error::ResponseTooLarge { size, limit }
        } else {
            Error::Api(Box::new(ApiError::from_owned_status(status)))
        }
    }
}
