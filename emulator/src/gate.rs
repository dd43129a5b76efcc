//! The front door of every gRPC call: counts it, applies injected latency and
//! failures, requires a bearer token this environment issued, makes the
//! generated "not implemented" answers name the method, and applies the
//! faults that act on the answer after the handler ran.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use tonic::{Code, Status};

use crate::env::Environment;
use crate::script::{self, Scripted};
use crate::{after_handler, journal, status};

fn grpc_response(status: Status) -> Response {
    status.into_http::<axum::body::Body>()
}

fn is_grpc(request: &Request) -> bool {
    request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"))
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The tonic default body for an RPC nobody implemented.
const GENERATED_UNIMPLEMENTED: &str = "Not yet implemented";

pub(crate) async fn gate(
    State(env): State<Arc<Environment>>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/oauth/token" {
        env.stats.count_token_request();
        if let Some(status) = env.faults.take_token_refusal() {
            return refused_token_request(status);
        }
    }
    if !is_grpc(&request) {
        return next.run(request).await;
    }
    // The request moves on below; a clone of its URI shares the bytes.
    let uri = request.uri().clone();
    let method = uri.path().trim_start_matches('/');
    env.stats.count_rpc(method);

    // Recorded as it arrives, so that calls refused below are in the
    // journal too.
    let (request, journaled) = journal::capture::record(&env.journal, request, method).await;
    let mut outcome = Outcome::default();
    let response = grpc_call(&env, request, next, method, &mut outcome).await;
    if let Some(sequence) = journaled {
        let status = if outcome.handled {
            outcome.status
        } else {
            journal::capture::status_of(&response)
        };
        env.journal.finish(sequence, status, outcome.handled);
    }
    response
}

/// How a call that reached its handler was answered, for the journal.
#[derive(Default)]
struct Outcome {
    handled: bool,
    /// The status the client gets (`None`: none, as for a reset stream).
    status: Option<Code>,
}

/// A gRPC call after it was counted and recorded: the faults, the bearer
/// check, the scripted replies, the handler and the faults after it.
async fn grpc_call(
    env: &Environment,
    request: Request,
    next: Next,
    method: &str,
    outcome: &mut Outcome,
) -> Response {
    let latency = env.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if !env.faults.admit() {
        return grpc_response(status::with_error_info(
            Code::ResourceExhausted,
            "rate limit exceeded",
            scalekit::proto::errdetails::ErrorInfo {
                error_code: "RATE_LIMIT_EXCEEDED".into(),
                ..Default::default()
            },
        ));
    }
    if let Some(failure) = env.faults.take(method) {
        return grpc_response(status::with_error_info(
            failure.code,
            failure.message,
            scalekit::proto::errdetails::ErrorInfo {
                error_code: "INJECTED_FAULT".into(),
                ..Default::default()
            },
        ));
    }
    match bearer(&request) {
        None => return grpc_response(status::unauthenticated("a bearer token is required")),
        Some(token) => {
            if let Err(rejection) = env.tokens.verify(token) {
                return grpc_response(status::unauthenticated(rejection.reason()));
            }
        }
    }

    // Taken before the handler runs, so that `times` concurrent calls get
    // the fault however their handlers interleave. A scripted reply
    // answers for the service, so only authenticated calls use one up.
    let after_handler = match script::next(&env.faults.scripts, method).await {
        Scripted::Answer(status) => return grpc_response(*status),
        Scripted::Run(Some(fault)) => Some(fault),
        Scripted::Run(None) => env.faults.take_after_handler(method),
    };
    let response = next.run(request).await;
    let response = name_unimplemented(response, method);
    outcome.handled = true;
    outcome.status = journal::capture::status_of(&response);
    match after_handler {
        Some(fault) => {
            outcome.status = fault.status_seen(outcome.status);
            after_handler::apply(fault, response, &env.faults.stalls).await
        }
        None => response,
    }
}

/// An injected failure of the token endpoint, in the OAuth error shape.
fn refused_token_request(status: u16) -> Response {
    let status =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::SERVICE_UNAVAILABLE);
    let body = serde_json::json!({
        "error": "temporarily_unavailable",
        "error_description": format!("injected HTTP {}", status.as_u16()),
    });
    (status, axum::Json(body)).into_response()
}

/// Makes tonic's generated answer for an RPC nobody implemented name the
/// method.
fn name_unimplemented(response: Response, method: &str) -> Response {
    let generated_stub = response
        .headers()
        .get("grpc-status")
        .is_some_and(|v| v.as_bytes() == b"12")
        && response.headers().get("grpc-message").is_some_and(|v| {
            v.as_bytes() == GENERATED_UNIMPLEMENTED.replace(' ', "%20").as_bytes()
        });
    if generated_stub {
        return grpc_response(Status::new(
            Code::Unimplemented,
            format!("scalekit-emulator does not implement {method} yet"),
        ));
    }
    response
}
