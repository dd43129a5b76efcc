//! Decoding Scalekit's [`ErrorInfo`] details out of a status's
//! `grpc-status-details-bin` (a serialized `google.rpc.Status`). Nothing here
//! fails: whatever does not decode is skipped.

use prost::Message as _;

use super::ErrorInfo;

/// `google.rpc.Status`, the message carried in `grpc-status-details-bin`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct RpcStatus {
    #[prost(int32, tag = "1")]
    pub(crate) code: i32,
    #[prost(string, tag = "2")]
    pub(crate) message: String,
    #[prost(message, repeated, tag = "3")]
    pub(crate) details: Vec<prost_types::Any>,
}

const ERROR_INFO_TYPE: &str = "scalekit.v1.errdetails.ErrorInfo";

/// Decodes every Scalekit `ErrorInfo` in a serialized `google.rpc.Status`,
/// skipping other detail types and undecodable bytes.
pub(crate) fn decode_error_infos(details: &[u8]) -> Vec<ErrorInfo> {
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

/// Builders of status details for the unit tests of this module and its
/// siblings.
#[cfg(test)]
pub(crate) mod test_support {
    use prost::Message as _;
    use tonic::Code;

    use super::RpcStatus;
    use crate::error::{ErrorInfo, FieldViolation};
    use crate::proto::errdetails::{RequestInfo, ValidationErrorInfo};

    /// The type URL Scalekit's server puts on its `ErrorInfo` details.
    pub(crate) const ERROR_INFO_URL: &str = "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo";

    pub(crate) fn any(type_url: &str, value: Vec<u8>) -> prost_types::Any {
        prost_types::Any {
            type_url: type_url.to_owned(),
            value,
        }
    }

    pub(crate) fn violation(field: &str, description: &str, constraint: &str) -> FieldViolation {
        FieldViolation {
            field: field.to_owned(),
            description: description.to_owned(),
            constraint: constraint.to_owned(),
        }
    }

    pub(crate) fn sample_error_info() -> ErrorInfo {
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

    pub(crate) fn status_with_details(code: Code, details: Vec<prost_types::Any>) -> tonic::Status {
        let rpc = RpcStatus {
            code: code as i32,
            message: "msg".to_owned(),
            details,
        };
        tonic::Status::with_details(code, "msg", rpc.encode_to_vec().into())
    }
}

#[cfg(test)]
mod tests {
    use anyhow::{bail, ensure, Context as _};
    use prost::Message as _;
    use tonic::Code;

    use super::test_support::{
        any, sample_error_info, status_with_details, violation, ERROR_INFO_URL,
    };
    use crate::error::{ApiError, Error, ErrorInfo, ErrorKind};
    use crate::proto::errdetails::ValidationErrorInfo;

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
    fn from_status_with_several_error_infos_takes_first_non_empty_fields() -> anyhow::Result<()> {
        let first = ErrorInfo {
            validation_error_info: Some(ValidationErrorInfo {
                field_violations: vec![violation("email", "invalid", "email")],
            }),
            ..Default::default()
        };
        let second = sample_error_info();
        let url = ERROR_INFO_URL;
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
}
