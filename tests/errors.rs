//! Error statuses sent by a server arrive as the right [`scalekit::Error`]:
//! code, HTTP status, kind, message, decoded Scalekit details and the
//! response metadata; and `display_chain` prints a real failure's causes.

mod common;

use anyhow::{ensure, Context as _};
use common::TestServer;
use prost::bytes::Bytes;
use prost::Message as _;
use scalekit::error::{DisplayChain, REQUEST_ID_HEADER};
use scalekit::proto::errdetails::validation_error_info::FieldViolation;
use scalekit::proto::errdetails::{ErrorInfo, RequestInfo, ValidationErrorInfo};
use scalekit::proto::users::{get_user_request, GetUserRequest};
use scalekit::{Code, Error, ErrorKind, ScalekitClient};
use tonic::metadata::MetadataValue;
use tonic::Status;

/// Every non-OK gRPC code with the HTTP status and kind Scalekit's Node SDK
/// maps it to.
const TABLE: [(Code, u16, ErrorKind); 16] = [
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

fn get_user_request(id: &str) -> GetUserRequest {
    GetUserRequest {
        identities: Some(get_user_request::Identities::Id(id.to_owned())),
    }
}

#[tokio::test]
async fn api_error_every_code_maps_to_http_status_and_kind() -> anyhow::Result<()> {
    let mut codes: Vec<i32> = TABLE.iter().map(|(code, ..)| *code as i32).collect();
    codes.sort_unstable();
    ensure!(
        codes == (1..=16).collect::<Vec<_>>(),
        "the table misses a code"
    );

    let server = TestServer::start().await;
    let client = server.client();
    for (code, http, kind) in TABLE {
        // Raw calls are sent once, with no retry or resend: every injected
        // code reaches the caller as it is.
        let attempts = 1;
        let message = format!("injected {code:?}");
        server.fail_next(attempts, Status::new(code, message.clone()));
        let before = server.rpc_count();

        // The raw client: the mapping under test is the wire → Error one,
        // independent of any facade retry policy.
        let status = client
            .raw()
            .users()
            .get_user(get_user_request("usr_1"))
            .await
            .expect_err("injected failure");
        let err = Error::from(status);

        let api = err
            .api()
            .with_context(|| format!("{code:?}: not Error::Api: {err:?}"))?;
        ensure!(err.code() == Some(code), "{code:?}: code {:?}", err.code());
        ensure!(
            err.http_status() == Some(http),
            "{code:?}: HTTP {:?}",
            err.http_status()
        );
        ensure!(err.kind() == Some(kind), "{code:?}: kind {:?}", err.kind());
        ensure!(api.code() == code && api.http_status() == http && api.kind() == kind);
        ensure!(
            api.message() == message,
            "{code:?}: message {:?}",
            api.message()
        );
        ensure!(api.details().is_empty(), "{code:?}: unexpected details");
        ensure!(
            server.pending_faults() == 0,
            "{code:?}: not every injected failure was served"
        );
        ensure!(
            server.rpc_count() - before == attempts,
            "{code:?}: {} attempts",
            server.rpc_count() - before
        );
    }
    Ok(())
}

#[tokio::test]
async fn api_error_predicates_match_codes_from_the_server() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    let call = |status: Status| {
        server.fail_next(1, status);
        let users = users.clone();
        async move { users.get_user("usr_1").await.expect_err("injected failure") }
    };

    let err = call(Status::not_found("gone")).await;
    ensure!(err.is_not_found() && !err.is_conflict() && !err.is_retryable());
    let err = call(Status::already_exists("taken")).await;
    ensure!(err.is_conflict() && !err.is_not_found());
    let err = call(Status::aborted("race")).await;
    ensure!(err.is_conflict());
    let err = call(Status::invalid_argument("bad")).await;
    ensure!(err.is_invalid_argument() && !matches!(err, Error::InvalidArgument { .. }));
    let err = call(Status::permission_denied("no")).await;
    ensure!(!err.is_unauthenticated() && err.code() == Some(Code::PermissionDenied));
    Ok(())
}

#[tokio::test]
async fn api_error_status_details_decoded_into_error_info() -> anyhow::Result<()> {
    let info = ErrorInfo {
        error_code: "INVALID_USER_FIELDS".to_owned(),
        request_info: Some(RequestInfo {
            request_id: "req_8f2c1".to_owned(),
            serving_data: String::new(),
        }),
        validation_error_info: Some(ValidationErrorInfo {
            field_violations: vec![
                FieldViolation {
                    field: "user.email".to_owned(),
                    description: "must be a valid email".to_owned(),
                    constraint: "string.email".to_owned(),
                },
                FieldViolation {
                    field: "organization_id".to_owned(),
                    description: "must start with org_".to_owned(),
                    constraint: "string.prefix".to_owned(),
                },
            ],
        }),
        ..Default::default()
    };
    let details = RpcStatus {
        code: Code::InvalidArgument as i32,
        message: "request has invalid fields".to_owned(),
        details: vec![
            // A detail of another type comes first and must be skipped.
            prost_types::Any {
                type_url: "type.googleapis.com/google.rpc.RetryInfo".to_owned(),
                value: vec![0x0a, 0x02, 0x08, 0x01],
            },
            prost_types::Any {
                type_url: "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo".to_owned(),
                value: info.encode_to_vec(),
            },
        ],
    };
    let server = TestServer::start().await;
    server.fail_next(
        1,
        Status::with_details(
            Code::InvalidArgument,
            "request has invalid fields",
            Bytes::from(details.encode_to_vec()),
        ),
    );

    let err = server
        .client()
        .users()
        .get_user("usr_1")
        .await
        .expect_err("injected failure");

    let api = err
        .api()
        .with_context(|| format!("not Error::Api: {err:?}"))?;
    ensure!(api.code() == Code::InvalidArgument);
    ensure!(api.message() == "request has invalid fields");
    ensure!(
        api.error_code() == Some("INVALID_USER_FIELDS"),
        "error_code {:?}",
        api.error_code()
    );
    ensure!(
        api.request_id() == Some("req_8f2c1"),
        "request_id {:?}",
        api.request_id()
    );
    let violations: Vec<(&str, &str)> = api
        .field_violations()
        .map(|v| (v.field.as_str(), v.description.as_str()))
        .collect();
    ensure!(
        violations
            == [
                ("user.email", "must be a valid email"),
                ("organization_id", "must start with org_"),
            ],
        "violations {violations:?}"
    );
    ensure!(api.details() == [info], "details {:?}", api.details());
    let shown = err.to_string();
    ensure!(shown.contains("INVALID_USER_FIELDS"), "display {shown:?}");
    Ok(())
}

#[tokio::test]
async fn api_error_undecodable_details_are_ignored() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(
        1,
        Status::with_details(
            Code::NotFound,
            "gone",
            Bytes::from_static(b"\xff\xff not a google.rpc.Status"),
        ),
    );

    let err = server
        .client()
        .users()
        .get_user("usr_1")
        .await
        .expect_err("injected failure");

    ensure!(err.is_not_found(), "{err:?}");
    let api = err.api().context("not Error::Api")?;
    ensure!(api.message() == "gone");
    ensure!(api.details().is_empty() && api.error_code().is_none() && api.request_id().is_none());
    Ok(())
}

/// `status` with `headers` added to the metadata the server answers with.
fn with_metadata(mut status: Status, headers: &[(&'static str, &str)]) -> anyhow::Result<Status> {
    for (name, value) in headers {
        let value: MetadataValue<_> = value.parse()?;
        status.metadata_mut().insert(*name, value);
    }
    Ok(status)
}

/// A `NOT_FOUND` whose `ErrorInfo` detail names `request_id`.
fn not_found_with_request_id_detail(request_id: &str) -> Status {
    let info = ErrorInfo {
        error_code: "USER_NOT_FOUND".to_owned(),
        request_info: Some(RequestInfo {
            request_id: request_id.to_owned(),
            serving_data: String::new(),
        }),
        ..Default::default()
    };
    let details = RpcStatus {
        code: Code::NotFound as i32,
        message: "gone".to_owned(),
        details: vec![prost_types::Any {
            type_url: "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo".to_owned(),
            value: info.encode_to_vec(),
        }],
    };
    Status::with_details(Code::NotFound, "gone", Bytes::from(details.encode_to_vec()))
}

/// Fails the next call on `server` with `status` and returns what
/// `get_user` reports.
async fn get_user_failing_with(server: &TestServer, status: Status) -> Error {
    server.fail_next(1, status);
    server
        .client()
        .users()
        .get_user("usr_1")
        .await
        .expect_err("injected failure")
}

#[tokio::test]
async fn api_error_response_metadata_is_kept() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let status = with_metadata(
        Status::not_found("gone"),
        &[("x-served-by", "edge-7"), ("retry-after", "2")],
    )?;

    let err = get_user_failing_with(&server, status).await;

    let api = err
        .api()
        .with_context(|| format!("not Error::Api: {err:?}"))?;
    let header = |name: &str| api.metadata().get(name).and_then(|v| v.to_str().ok());
    ensure!(
        header("x-served-by") == Some("edge-7"),
        "{:?}",
        api.metadata()
    );
    ensure!(header("retry-after") == Some("2"), "{:?}", api.metadata());
    // What tonic already decoded is not repeated in the metadata.
    ensure!(header("grpc-status").is_none() && header("grpc-message").is_none());
    Ok(())
}

#[tokio::test]
async fn api_error_request_id_header_wins_over_detail() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let status = with_metadata(
        not_found_with_request_id_detail("req_from_detail"),
        &[(REQUEST_ID_HEADER, "req_from_header")],
    )?;

    let err = get_user_failing_with(&server, status).await;

    let api = err.api().context("not Error::Api")?;
    ensure!(
        api.request_id() == Some("req_from_header"),
        "request_id {:?}",
        api.request_id()
    );
    // The detail is still there for whoever wants it.
    let detail_id = api.details()[0]
        .request_info
        .as_ref()
        .map(|r| r.request_id.as_str());
    ensure!(detail_id == Some("req_from_detail"));
    Ok(())
}

#[tokio::test]
async fn api_error_request_id_without_header_falls_back_to_detail() -> anyhow::Result<()> {
    let server = TestServer::start().await;

    let err =
        get_user_failing_with(&server, not_found_with_request_id_detail("req_from_detail")).await;

    let api = err.api().context("not Error::Api")?;
    ensure!(api.metadata().get(REQUEST_ID_HEADER).is_none());
    ensure!(
        api.request_id() == Some("req_from_detail"),
        "request_id {:?}",
        api.request_id()
    );
    Ok(())
}

#[tokio::test]
async fn api_error_debug_shows_header_names_but_not_values() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let status = with_metadata(
        Status::permission_denied("no"),
        &[
            ("set-cookie", "session=s3cr3t-cookie"),
            ("x-upstream-token", "tok_s3cr3t"),
        ],
    )?;

    let err = get_user_failing_with(&server, status).await;

    for shown in [format!("{err:?}"), format!("{err:#?}"), err.to_string()] {
        ensure!(
            !shown.contains("s3cr3t"),
            "a metadata value leaked: {shown}"
        );
    }
    let debug = format!("{err:?}");
    ensure!(
        debug.contains("set-cookie") && debug.contains("x-upstream-token"),
        "header names missing: {debug}"
    );
    Ok(())
}

/// tonic's default limit on a response message: 4 MiB.
const DECODING_LIMIT: usize = 4 * 1024 * 1024;

#[tokio::test]
async fn get_user_response_over_message_limit_returns_response_too_large() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    // Just under the limit the same answer arrives, so the failure below is
    // the size and nothing else.
    server.pad_users(DECODING_LIMIT - 64 * 1024);
    users
        .get_user("usr_1")
        .await
        .context("an answer under the limit")?;

    server.pad_users(DECODING_LIMIT + 1);
    let err = users
        .get_user("usr_1")
        .await
        .expect_err("an answer over the limit");

    let Error::ResponseTooLarge { size, limit } = err else {
        anyhow::bail!("expected Error::ResponseTooLarge, got {err:?}");
    };
    ensure!(limit == DECODING_LIMIT, "limit {limit}");
    ensure!(size > DECODING_LIMIT, "size {size}");
    ensure!(err.code().is_none() && err.api().is_none(), "{err:?}");
    ensure!(!err.is_retryable(), "resending brings the same answer");
    ensure!(
        server.rpc_count() == 2,
        "not retried: {} RPCs",
        server.rpc_count()
    );
    Ok(())
}

#[tokio::test]
async fn display_chain_of_unreachable_server_prints_every_cause_once() -> anyhow::Result<()> {
    // A port that was just free: nothing listens on it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.port()
    };
    let client = ScalekitClient::builder(format!("http://127.0.0.1:{port}"), "client", "secret")
        .timeout(std::time::Duration::from_secs(5))
        .build()?;

    let err = client
        .users()
        .get_user("usr_1")
        .await
        .expect_err("nothing listens on the port");

    let own = err.to_string();
    let chain = err.display_chain().to_string();
    ensure!(
        chain.starts_with(&format!("{own}: ")),
        "{chain:?} does not start with {own:?}"
    );
    ensure!(!chain.contains('\n'), "not one line: {chain:?}");
    // No cause repeats the one before it.
    let parts: Vec<&str> = chain.split(": ").collect();
    ensure!(
        parts.windows(2).all(|pair| pair[0] != pair[1]),
        "repeated cause in {chain:?}"
    );
    // The wrapper type reads the same through `&dyn Error`.
    let dynamic: &(dyn std::error::Error + 'static) = &err;
    ensure!(DisplayChain::new(dynamic).to_string() == chain);
    Ok(())
}
