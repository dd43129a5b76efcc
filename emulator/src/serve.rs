//! The serving loop: accepts connections on the one port and serves each
//! with hyper's auto connection (HTTP/1.1 for the OAuth and test endpoints,
//! h2c for gRPC, told apart by the HTTP/2 preface), as `axum::serve` does.
//! It holds every connection itself, so that it can drain them all
//! gracefully on demand (GOAWAY) while the listener keeps accepting, and
//! reset a stream instead of answering when a fault asks for it.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use crate::after_handler::ResetStream;

/// Asks the serving loop to drain the connections open at the time; the
/// value counts the drains asked for.
pub(crate) type DrainSender = watch::Sender<u64>;

/// Serves `router` on `listener` until `stop` fires (or its sender is
/// dropped), then drains every connection and waits for them to close.
/// Each change of `drain` drains the connections open at the time.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    drain: watch::Receiver<u64>,
    stop: oneshot::Receiver<()>,
) {
    let builder = Arc::new(auto::Builder::new(TokioExecutor::new()));
    // Dropped on stop: every connection task sees its receiver close.
    let (stopping, stopped) = watch::channel(());
    let mut connections = JoinSet::new();
    let mut stop = stop;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            // Reap finished connections, so the set holds only live ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        wait_after_accept_error(error).await;
                        continue;
                    }
                };
                let mut drain = drain.clone();
                // Only drains asked for from now on concern this connection.
                drain.mark_unchanged();
                connections.spawn(serve_connection(
                    builder.clone(),
                    stream,
                    router.clone(),
                    drain,
                    stopped.clone(),
                ));
            }
        }
    }
    drop(listener);
    drop(stopping);
    while connections.join_next().await.is_some() {}
}

/// Serves one connection until it closes; drains it (GOAWAY on HTTP/2, no
/// keep-alive on HTTP/1.1) when `drain` changes or `stopped` closes.
async fn serve_connection(
    builder: Arc<auto::Builder<TokioExecutor>>,
    stream: TcpStream,
    router: Router,
    mut drain: watch::Receiver<u64>,
    mut stopped: watch::Receiver<()>,
) {
    // h2 writes a DATA frame over 256 bytes on its own and the trailers
    // after it in a second write. With Nagle's algorithm on, that second
    // write waits for the client's delayed ACK of the first: about 40 ms
    // per call on Linux.
    if let Err(error) = stream.set_nodelay(true) {
        tracing::warn!(%error, "cannot set TCP_NODELAY on an accepted connection");
    }
    let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
        let router = router.clone();
        async move {
            let response = router
                .oneshot(request.map(Body::new))
                .await
                .unwrap_or_else(|never: Infallible| match never {});
            refuse_if_reset(response)
        }
    });
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            _ = drain.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
            _ = stopped.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// A response marked [`ResetStream`] becomes a service error, on which
/// hyper resets the HTTP/2 stream (RST_STREAM with INTERNAL_ERROR) without
/// sending any of the response.
fn refuse_if_reset(response: Response) -> Result<Response, StreamReset> {
    if response.extensions().get::<ResetStream>().is_some() {
        return Err(StreamReset);
    }
    Ok(response)
}

/// The error that makes hyper reset a stream.
#[derive(Debug)]
struct StreamReset;

impl fmt::Display for StreamReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stream reset by an injected fault")
    }
}

impl std::error::Error for StreamReset {}

/// After a failed accept: a connection the peer gave up on is skipped at
/// once; anything else (out of file descriptors, say) is logged and waited
/// out, so the loop does not spin.
async fn wait_after_accept_error(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
