//! gRPC errors shaped like the real service's: a status code, a message, and
//! a `scalekit.v1.errdetails.ErrorInfo` in `grpc-status-details-bin`.

use prost::Message as _;
use scalekit::proto::errdetails::{
    validation_error_info::FieldViolation, ErrorInfo, ValidationErrorInfo,
};
use tonic::{Code, Status};

const ERROR_INFO_TYPE_URL: &str = "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo";

/// `google.rpc.Status`, the envelope gRPC carries rich error details in.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// A status whose details carry one `ErrorInfo`.
pub(crate) fn with_error_info(code: Code, message: impl Into<String>, info: ErrorInfo) -> Status {
    let message = message.into();
    let envelope = RpcStatus {
        code: code as i32,
        message: message.clone(),
        details: vec![prost_types::Any {
            type_url: ERROR_INFO_TYPE_URL.to_string(),
            value: info.encode_to_vec(),
        }],
    };
    Status::with_details(code, message, envelope.encode_to_vec().into())
}

fn info(error_code: &str) -> ErrorInfo {
    ErrorInfo {
        error_code: error_code.to_string(),
        ..Default::default()
    }
}

/// INVALID_ARGUMENT naming the offending field.
pub(crate) fn invalid_argument(field: &str, description: impl Into<String>) -> Status {
    let description = description.into();
    let mut details = info("INVALID_ARGUMENT");
    details.validation_error_info = Some(ValidationErrorInfo {
        field_violations: vec![FieldViolation {
            field: field.to_string(),
            description: description.clone(),
            constraint: String::new(),
        }],
    });
    with_error_info(
        Code::InvalidArgument,
        format!("invalid {field}: {description}"),
        details,
    )
}

/// NOT_FOUND for a resource kind and the identifier that was asked for.
pub(crate) fn not_found(resource: &str, id: &str) -> Status {
    with_error_info(
        Code::NotFound,
        format!("{resource} {id} not found"),
        info(&format!(
            "{}_NOT_FOUND",
            resource.to_ascii_uppercase().replace(' ', "_")
        )),
    )
}

/// ALREADY_EXISTS with a message saying what collided.
pub(crate) fn already_exists(error_code: &str, message: impl Into<String>) -> Status {
    with_error_info(Code::AlreadyExists, message, info(error_code))
}

/// FAILED_PRECONDITION with a message saying what state is wrong.
pub(crate) fn failed_precondition(error_code: &str, message: impl Into<String>) -> Status {
    with_error_info(Code::FailedPrecondition, message, info(error_code))
}

/// UNAUTHENTICATED for a missing, unknown, expired or revoked bearer token.
pub(crate) fn unauthenticated(reason: &str) -> Status {
    with_error_info(
        Code::Unauthenticated,
        format!("unauthenticated: {reason}"),
        info("UNAUTHENTICATED"),
    )
}
