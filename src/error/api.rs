//! [`ApiError`]: an error status answered by the Scalekit API, with the
//! Scalekit details decoded from it and the response metadata it arrived
//! with.

use std::fmt;

use tonic::metadata::MetadataMap;
use tonic::Code;

use super::details::decode_error_infos;
use super::kind::{code_name, ErrorKind};
use super::one_line::OneLine;
use super::{ErrorInfo, FieldViolation};

/// The response header [`ApiError::request_id`] reads first: `x-request-id`.
///
/// Why this name: none of Scalekit's official SDKs reads a request-id header
/// from responses. `@scalekit-sdk/node` 2.11.0 (`lib/core.js`,
/// `lib/errors/base-exception.js`) and `scalekit-sdk-go` (`connect.go`) only
/// *send* `user-agent`, `x-sdk-version`, `x-api-version` and `authorization`;
/// their errors carry the request id solely in the `ErrorInfo.request_info`
/// detail, and the Python and Java SDKs read no such header either. So the
/// name is the de-facto convention (the one proxies such as Envoy generate),
/// and the detail stays the fallback.
///
/// ```
/// let mut status = tonic::Status::internal("oops");
/// status
///     .metadata_mut()
///     .insert(scalekit::error::REQUEST_ID_HEADER, "req_42".parse().expect("ascii"));
/// assert_eq!(scalekit::ApiError::from_status(&status).request_id(), Some("req_42"));
/// ```
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// An error status answered by the Scalekit API, with the Scalekit details
/// decoded from it and the [`metadata`](ApiError::metadata) (response headers
/// or trailers) it arrived with.
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
///
/// `Debug` lists the metadata's header names but never their values, which
/// could be anything a proxy added (cookies, tokens).
#[derive(Clone)]
pub struct ApiError {
    code: Code,
    message: String,
    details: Vec<ErrorInfo>,
    // Inline rather than boxed: an `ApiError` only exists on the error path,
    // and `Error` already boxes the whole `ApiError`.
    metadata: MetadataMap,
}

impl ApiError {
    /// Reads the code, message, Scalekit [`ErrorInfo`] details and metadata
    /// of a status. Details that are missing, of another type or undecodable
    /// are skipped; this never fails.
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
            metadata: status.metadata().clone(),
        }
    }

    /// [`from_status`](ApiError::from_status) for an owned status: moves the
    /// metadata instead of copying it.
    pub(crate) fn from_owned_status(mut status: tonic::Status) -> ApiError {
        let metadata = std::mem::take(status.metadata_mut());
        ApiError {
            metadata,
            ..ApiError::from_status(&status)
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

    /// The id of this request, to quote when contacting Scalekit support: the
    /// [`REQUEST_ID_HEADER`] (`x-request-id`) response header when it is
    /// present, non-empty and printable, else the first non-empty
    /// `request_info.request_id` among the [`details`](ApiError::details).
    ///
    /// ```
    /// let api = scalekit::ApiError::from_status(&tonic::Status::internal("oops"));
    /// assert_eq!(api.request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.metadata
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .or_else(|| self.request_id_detail())
    }

    /// The first non-empty `request_info.request_id` among the details.
    fn request_id_detail(&self) -> Option<&str> {
        self.details
            .iter()
            .filter_map(|info| info.request_info.as_ref())
            .map(|request| request.request_id.as_str())
            .find(|id| !id.is_empty())
    }

    /// The metadata the status arrived with: the response headers or trailers
    /// that tonic collected, minus the `grpc-status`, `grpc-message` and
    /// `grpc-status-details-bin` it already decoded. Empty for a status made
    /// by hand.
    ///
    /// The values come from the server or from any proxy on the way; treat
    /// them as untrusted.
    ///
    /// ```
    /// let mut status = tonic::Status::unavailable("busy");
    /// status.metadata_mut().insert("retry-after", "3".parse().expect("ascii"));
    /// let api = scalekit::ApiError::from_status(&status);
    /// let retry_after = api.metadata().get("retry-after").and_then(|v| v.to_str().ok());
    /// assert_eq!(retry_after, Some("3"));
    /// ```
    pub fn metadata(&self) -> &MetadataMap {
        &self.metadata
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

/// Field by field, the metadata included (names and values).
impl PartialEq for ApiError {
    fn eq(&self, other: &ApiError) -> bool {
        self.code == other.code
            && self.message == other.message
            && self.details == other.details
            && self.metadata.as_ref() == other.metadata.as_ref()
    }
}

/// Like a derived `Debug`, except that the metadata shows only its header
/// names: a value could be a cookie or a token.
impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("details", &self.details)
            .field("request_id", &self.request_id())
            .field("metadata", &HeaderNames(&self.metadata))
            .finish()
    }
}

/// Debugs as the list of a metadata map's header names, without values.
struct HeaderNames<'a>(&'a MetadataMap);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.as_ref().keys().map(|name| name.as_str()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use anyhow::{ensure, Context as _};
    use prost::Message as _;
    use tonic::metadata::MetadataValue;

    use super::*;
    use crate::error::details::test_support::{any, status_with_details, ERROR_INFO_URL};
    use crate::error::Error;
    use crate::proto::errdetails::RequestInfo;

    /// `status` with `headers` added to its metadata.
    fn with_metadata(mut status: tonic::Status, headers: &[(&'static str, &str)]) -> tonic::Status {
        for (name, value) in headers {
            let value: MetadataValue<_> = value.parse().expect("test header values are ASCII");
            status.metadata_mut().append(*name, value);
        }
        status
    }

    /// A status whose `ErrorInfo` detail names `request_id`.
    fn status_with_request_id_detail(request_id: &str) -> tonic::Status {
        let info = ErrorInfo {
            request_info: Some(RequestInfo {
                request_id: request_id.to_owned(),
                serving_data: String::new(),
            }),
            ..Default::default()
        };
        status_with_details(
            Code::Internal,
            vec![any(ERROR_INFO_URL, info.encode_to_vec())],
        )
    }

    #[test]
    fn from_status_with_metadata_keeps_every_header() -> anyhow::Result<()> {
        let status = with_metadata(
            tonic::Status::unavailable("busy"),
            &[("retry-after", "3"), ("x-trace", "a"), ("x-trace", "b")],
        );
        for api in [
            ApiError::from_status(&status),
            Error::from(status.clone())
                .api()
                .context("not Api")?
                .clone(),
        ] {
            let metadata = api.metadata();
            ensure!(metadata.get("retry-after").and_then(|v| v.to_str().ok()) == Some("3"));
            let traces: Vec<_> = metadata
                .get_all("x-trace")
                .iter()
                .map(|v| v.to_str().unwrap_or("?").to_owned())
                .collect();
            ensure!(traces == ["a", "b"], "x-trace: {traces:?}");
            ensure!(metadata.len() == 3, "len {}", metadata.len());
        }
        Ok(())
    }

    #[test]
    fn from_status_without_metadata_has_empty_metadata() {
        assert!(ApiError::from_status(&tonic::Status::not_found("gone"))
            .metadata()
            .is_empty());
    }

    #[test]
    fn request_id_with_header_and_detail_prefers_header() {
        let status = with_metadata(
            status_with_request_id_detail("req_detail"),
            &[(REQUEST_ID_HEADER, "req_header")],
        );
        assert_eq!(
            ApiError::from_status(&status).request_id(),
            Some("req_header")
        );
    }

    #[test]
    fn request_id_with_only_header_reads_it_trimmed() {
        let status = with_metadata(
            tonic::Status::internal("oops"),
            &[(REQUEST_ID_HEADER, "  req_7  ")],
        );
        assert_eq!(ApiError::from_status(&status).request_id(), Some("req_7"));
    }

    #[test]
    fn request_id_with_blank_or_unprintable_header_falls_back_to_detail() -> anyhow::Result<()> {
        let blank = with_metadata(
            status_with_request_id_detail("req_detail"),
            &[(REQUEST_ID_HEADER, "   ")],
        );
        ensure!(ApiError::from_status(&blank).request_id() == Some("req_detail"));

        // A header value with a byte outside visible ASCII has no `&str` view.
        let mut unprintable = status_with_request_id_detail("req_detail");
        let value = MetadataValue::try_from(&b"req\xff"[..]).context("opaque value")?;
        unprintable.metadata_mut().insert(REQUEST_ID_HEADER, value);
        ensure!(ApiError::from_status(&unprintable).request_id() == Some("req_detail"));
        Ok(())
    }

    #[test]
    fn request_id_with_neither_is_none() {
        let status = with_metadata(tonic::Status::internal("oops"), &[("x-other-id", "req_1")]);
        assert_eq!(ApiError::from_status(&status).request_id(), None);
    }

    #[test]
    fn debug_with_secret_metadata_shows_names_only() -> anyhow::Result<()> {
        let status = with_metadata(
            tonic::Status::permission_denied("no"),
            &[
                ("authorization", "Bearer sk_live_secret_token"),
                ("set-cookie", "session=cookie_secret_value"),
                (REQUEST_ID_HEADER, "req_visible"),
            ],
        );
        let api = ApiError::from_status(&status);
        for shown in [
            format!("{api:?}"),
            format!("{api:#?}"),
            format!("{:?}", Error::from(status)),
        ] {
            for secret in [
                "sk_live_secret_token",
                "cookie_secret_value",
                "Bearer",
                "session=",
            ] {
                ensure!(!shown.contains(secret), "{secret:?} leaked: {shown}");
            }
            for name in ["authorization", "set-cookie", "x-request-id"] {
                ensure!(shown.contains(name), "{name} missing: {shown}");
            }
            // The request id is not a secret, and it is what support asks for.
            ensure!(shown.contains("req_visible"), "request id missing: {shown}");
        }
        Ok(())
    }

    #[test]
    fn display_with_metadata_is_unchanged() {
        let status = with_metadata(
            tonic::Status::not_found("gone"),
            &[("authorization", "Bearer sk_live_secret_token")],
        );
        assert_eq!(
            ApiError::from_status(&status).to_string(),
            "not found (NOT_FOUND, HTTP 404): gone"
        );
    }

    #[test]
    fn eq_compares_metadata_too() {
        let plain = tonic::Status::not_found("gone");
        let tagged = with_metadata(plain.clone(), &[(REQUEST_ID_HEADER, "req_1")]);
        let api = ApiError::from_status(&tagged);
        assert_eq!(api, ApiError::from_status(&tagged));
        assert_eq!(api, ApiError::from_owned_status(tagged));
        assert_ne!(api, ApiError::from_status(&plain));
    }
}
