//! Unit tests of the [`Error`] enum: how a tonic status becomes one, how
//! every variant displays, and what the predicates and accessors answer.
//! `ApiError`, detail decoding, `ErrorKind` and `DisplayChain` test
//! themselves in their own modules.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use anyhow::{bail, ensure, Context as _};
use prost::Message as _;

use super::details::test_support::any;
use super::details::RpcStatus;
use super::*;

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
        Error::ResponseTooLarge {
            size: 5_242_880,
            limit: 4_194_304,
        },
        Error::MalformedResponse("organization"),
        Error::Config("environment URL has no host".to_owned()),
        Error::maybe_applied(Error::Timeout),
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
        "response of 5242880 bytes is over the 4194304-byte message size limit",
        "malformed response: missing organization",
        "invalid configuration: environment URL has no host",
        "the request may have been applied",
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
            Error::ResponseTooLarge { size: 2, limit: 1 },
            [false, false, false, false, false, false],
        ),
        (
            Error::MalformedResponse("user"),
            [false, false, false, false, false, false],
        ),
        (
            Error::Config("x".to_owned()),
            [false, false, false, false, false, false],
        ),
        // A write that may have been applied answers for its cause, but is
        // never retryable.
        (
            Error::maybe_applied(Error::Timeout),
            [false, false, false, false, false, true],
        ),
        (
            Error::maybe_applied(tonic::Status::unauthenticated("x").into()),
            [false, true, false, false, false, false],
        ),
        (
            Error::maybe_applied(tonic::Status::unavailable("x").into()),
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
