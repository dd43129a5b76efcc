//! [`ErrorKind`]: the mapping of gRPC codes to the broad error classes and
//! HTTP statuses of Scalekit's Node SDK, and the canonical names of codes.

use std::fmt;

use tonic::Code;

/// The broad class of an [`ApiError`](crate::ApiError), with the HTTP status it maps to.
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
    /// HTTP 504: `DEADLINE_EXCEEDED`, and client-side timeouts ([`Error::kind`](crate::Error::kind)).
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

#[cfg(test)]
mod tests {
    use anyhow::{ensure, Context as _};

    use super::*;
    use crate::error::Error;

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
}
