//! Error-detail decoding: `scalekit::Error::from(tonic::Status)` with
//! arbitrary codes, messages and `grpc-status-details-bin` bytes, built
//! directly or read from response headers as tonic reads them.
//!
//! Beyond "never panics": `Display` stays on one line with no control
//! characters, every accessor answers, and a well-formed Scalekit
//! `ErrorInfo` in the details is decoded, whatever surrounds it.

#![no_main]

use arbitrary::Arbitrary;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use prost::Message as _;
use scalekit::proto::errdetails::{ErrorInfo, RequestInfo};
use scalekit::{ApiError, Code, Error};

/// `google.rpc.Status`, as the server serializes it into the details.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

#[derive(Arbitrary, Debug)]
enum TypeUrl<'a> {
    Full,
    Bare,
    Lookalike,
    Other(&'a str),
}

#[derive(Arbitrary, Debug)]
enum Value<'a> {
    Bytes(&'a [u8]),
    ErrorInfo {
        error_code: &'a str,
        request_id: Option<&'a str>,
    },
}

#[derive(Arbitrary, Debug)]
struct Detail<'a> {
    type_url: TypeUrl<'a>,
    value: Value<'a>,
}

#[derive(Arbitrary, Debug)]
enum Details<'a> {
    Bytes(&'a [u8]),
    Status {
        code: i32,
        message: &'a str,
        details: Vec<Detail<'a>>,
    },
}

#[derive(Arbitrary, Debug)]
enum Source<'a> {
    /// `Status::with_details`.
    Direct { code: i32, message: &'a str },
    /// `Status::from_header_map`: what tonic does with response trailers.
    Headers {
        grpc_status: &'a [u8],
        grpc_message: &'a [u8],
        /// Base64 of the details (as sent), or these raw header bytes.
        raw_details: Option<&'a [u8]>,
        extra: Vec<(&'a str, &'a [u8])>,
    },
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    source: Source<'a>,
    details: Details<'a>,
}

const ERROR_INFO: &str = "scalekit.v1.errdetails.ErrorInfo";

/// The base64 tonic reads `grpc-status-details-bin` with: standard
/// alphabet, padding optional.
const TONIC_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn encode(details: &Details<'_>) -> (Vec<u8>, bool) {
    match details {
        Details::Bytes(bytes) => (bytes.to_vec(), false),
        Details::Status {
            code,
            message,
            details,
        } => {
            let mut well_formed_info = false;
            let details = details
                .iter()
                .map(|d| {
                    let type_url = match d.type_url {
                        TypeUrl::Full => format!("type.googleapis.com/{ERROR_INFO}"),
                        TypeUrl::Bare => ERROR_INFO.to_owned(),
                        TypeUrl::Lookalike => format!("type.googleapis.com/evil.{ERROR_INFO}"),
                        TypeUrl::Other(s) => s.to_owned(),
                    };
                    let value = match d.value {
                        Value::Bytes(b) => b.to_vec(),
                        Value::ErrorInfo {
                            error_code,
                            request_id,
                        } => {
                            well_formed_info |= matches!(d.type_url, TypeUrl::Full | TypeUrl::Bare);
                            ErrorInfo {
                                error_code: error_code.to_owned(),
                                request_info: request_id.map(|id| RequestInfo {
                                    request_id: id.to_owned(),
                                    ..Default::default()
                                }),
                                ..Default::default()
                            }
                            .encode_to_vec()
                        }
                    };
                    prost_types::Any { type_url, value }
                })
                .collect();
            let status = RpcStatus {
                code: *code,
                message: (*message).to_owned(),
                details,
            };
            (status.encode_to_vec(), well_formed_info)
        }
    }
}

fn exercise(status: tonic::Status, expect_info: bool) {
    let api = ApiError::from_status(&status);
    if expect_info {
        assert!(
            !api.details().is_empty(),
            "a well-formed ErrorInfo was not decoded"
        );
    }
    let _ = (
        api.error_code(),
        api.request_id(),
        api.field_violations().count(),
    );
    let err = Error::from(status);
    let shown = err.to_string();
    assert!(
        !shown.chars().any(char::is_control),
        "Display is not one clean line: {shown:?}"
    );
    let _ = format!("{err:?}");
    let _ = (
        err.code(),
        err.kind(),
        err.http_status(),
        err.is_not_found(),
        err.is_unauthenticated(),
        err.is_conflict(),
        err.is_invalid_argument(),
        err.is_timeout(),
        err.is_retryable(),
    );
    if let Some(api) = err.api() {
        let _ = (api.code(), api.http_status(), api.kind(), api.message());
        let _ = format!("{api} {api:?}");
    }
}

fuzz_target!(|input: Input<'_>| {
    let (details, expect_info) = encode(&input.details);
    match input.source {
        Source::Direct { code, message } => {
            let status = tonic::Status::with_details(Code::from_i32(code), message, details.into());
            exercise(status, expect_info);
        }
        Source::Headers {
            grpc_status,
            grpc_message,
            raw_details,
            extra,
        } => {
            let mut map = http::HeaderMap::new();
            for (name, value) in extra {
                if let (Ok(name), Ok(value)) = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_bytes(value),
                ) {
                    map.append(name, value);
                }
            }
            let mut put = |name: &'static str, value: &[u8]| {
                if let Ok(value) = http::HeaderValue::from_bytes(value) {
                    map.insert(name, value);
                }
            };
            put("grpc-status", grpc_status);
            put("grpc-message", grpc_message);
            // tonic 0.14.9's `from_header_map` panics on details that are
            // not base64 (an `expect` in status.rs; an open upstream fix is
            // grpc/grpc-rust#2618), so raw bytes go in only when they decode.
            // The first run of this target found that; it is reported, and
            // skipped here so that the run goes on to the SDK's own code.
            let sent = match raw_details {
                Some(raw) if TONIC_BASE64.decode(raw).is_ok() => raw.to_vec(),
                Some(_) => return,
                None => STANDARD_NO_PAD.encode(&details).into_bytes(),
            };
            put("grpc-status-details-bin", &sent);
            if let Some(status) = tonic::Status::from_header_map(&map) {
                exercise(status, false);
            }
        }
    }
});
