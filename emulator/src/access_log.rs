//! One `info` line per request, once its answer is ready: the method and
//! path (never the query, which carries codes, states and hints), the HTTP
//! status, the gRPC status of a gRPC call, and the time the emulator took
//! until the answer's headers (a streamed or delayed body is not counted).
//!
//! Nothing of a request's headers or body is logged, so no secret, token,
//! code or client secret reaches the log. The target is
//! `scalekit_emulator::requests`, so a filter can silence these lines
//! alone (`RUST_LOG=info,scalekit_emulator::requests=off`).

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Logs the request after the rest of the stack answered it. Outermost, so
/// it sees the gate's refusals too.
pub(crate) async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // A clone of the URI shares its bytes.
    let uri = request.uri().clone();
    let response = next.run(request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    let path = uri.path();
    if is_grpc(&response) {
        // A handler's error is a trailers-only answer with the status in
        // the headers; an answer with a message has it in the trailers,
        // which are OK unless a fault intervenes after this line.
        let grpc_status = response
            .headers()
            .get("grpc-status")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<i32>().ok())
            .map_or(tonic::Code::Ok, tonic::Code::from_i32);
        tracing::info!(
            target: "scalekit_emulator::requests",
            %method,
            path = %path,
            status,
            grpc_status = ?grpc_status,
            latency_ms,
            "rpc"
        );
    } else {
        tracing::info!(
            target: "scalekit_emulator::requests",
            %method,
            path = %path,
            status,
            latency_ms,
            "http"
        );
    }
    response
}

fn is_grpc(response: &Response) -> bool {
    response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"))
}
