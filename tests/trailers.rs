//! A server may report a failed call's status in the trailers after sending
//! headers, rather than in a trailers-only response. `UNAUTHENTICATED` there
//! must trigger the same one refresh and one retry.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::routing::post;
use axum::Router;
use http_body::Frame;
use http_body_util::StreamBody;
use prost::Message as _;
use scalekit::proto::users::{GetUserResponse, User};

#[derive(Default)]
struct Counters {
    tokens: AtomicUsize,
    calls: AtomicUsize,
}

/// A gRPC response with headers first, then (optionally) one message, then
/// trailers carrying `grpc_status`.
fn grpc_response(message: Option<Vec<u8>>, grpc_status: &'static str) -> http::Response<Body> {
    let mut frames: Vec<Result<Frame<bytes::Bytes>, Infallible>> = Vec::new();
    if let Some(message) = message {
        let mut data = vec![0u8];
        data.extend_from_slice(
            &u32::try_from(message.len())
                .unwrap_or_default()
                .to_be_bytes(),
        );
        data.extend_from_slice(&message);
        frames.push(Ok(Frame::data(data.into())));
    }
    let mut trailers = http::HeaderMap::new();
    trailers.insert("grpc-status", http::HeaderValue::from_static(grpc_status));
    frames.push(Ok(Frame::trailers(trailers)));
    http::Response::builder()
        .header("content-type", "application/grpc")
        .body(Body::new(StreamBody::new(futures::stream::iter(frames))))
        .unwrap_or_default()
}

#[tokio::test]
async fn unauthenticated_in_trailers_refreshes_and_retries_once() -> anyhow::Result<()> {
    let counters = Arc::new(Counters::default());
    let (tokens, calls) = (counters.clone(), counters.clone());
    let app = Router::new()
        .route(
            "/oauth/token",
            post(move || {
                let n = tokens.tokens.fetch_add(1, Ordering::SeqCst) + 1;
                async move {
                    axum::Json(serde_json::json!({ "access_token": format!("token-{n}"), "expires_in": 3600 }))
                }
            }),
        )
        .route(
            "/scalekit.v1.users.UserService/GetUser",
            post(move |headers: http::HeaderMap| {
                calls.calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
                    if bearer == Some("Bearer token-2") {
                        let user = GetUserResponse {
                            user: Some(User { id: "usr_1".into(), ..Default::default() }),
                        };
                        grpc_response(Some(user.encode_to_vec()), "0")
                    } else {
                        grpc_response(None, "16")
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let client = scalekit::ScalekitClient::new(&url, "id", "secret")?;
    let user = client.users().get_user("usr_1").await?;
    assert_eq!(user.id, "usr_1");
    assert_eq!(counters.tokens.load(Ordering::SeqCst), 2, "one refresh");
    assert_eq!(counters.calls.load(Ordering::SeqCst), 2, "one retry");
    server.abort();
    Ok(())
}
