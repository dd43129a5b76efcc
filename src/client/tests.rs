//! Construction checks, settings and endpoint behaviour of the client.

use super::endpoint::*;
use super::*;

fn config_error(result: Result<ScalekitClient>) -> String {
    match result {
        Err(Error::Config(message)) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[tokio::test]
async fn new_accepts_https_and_loopback_http() {
    for url in [
        "https://acme.scalekit.dev",
        "https://acme.scalekit.dev/",
        "http://localhost:8080",
        "http://127.0.0.1:9000",
        "http://[::1]:9000",
    ] {
        let client = ScalekitClient::new(url, "id", "secret").unwrap();
        assert!(!client.env_url().ends_with('/'), "{url}");
    }
}

#[tokio::test]
async fn new_refuses_http_to_remote_hosts_unless_allowed() {
    let message = config_error(ScalekitClient::new("http://acme.example.com", "id", "s"));
    assert!(message.contains("allow_insecure_http"), "{message}");
    ScalekitClient::builder("http://acme.example.com", "id", "s")
        .allow_insecure_http(true)
        .build()
        .unwrap();
}

#[tokio::test]
async fn new_rejects_bad_urls_and_empty_credentials() {
    assert!(config_error(ScalekitClient::new("", "id", "s")).contains("empty"));
    assert!(config_error(ScalekitClient::new("not a url", "id", "s")).contains("invalid"));
    assert!(config_error(ScalekitClient::new("ftp://x.dev", "id", "s")).contains("scheme"));
    assert!(config_error(ScalekitClient::new("https://x.dev?a=1", "id", "s")).contains("query"));
    assert!(config_error(ScalekitClient::new("https://x.dev", " ", "s")).contains("client id"));
    assert!(config_error(ScalekitClient::new("https://x.dev", "id", "")).contains("client secret"));
}

#[tokio::test]
async fn debug_never_shows_the_secret() {
    let secret = "super-secret-value-123";
    let builder = ScalekitClient::builder("https://x.dev", "id", secret);
    assert!(!format!("{builder:?}").contains(secret));
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains(secret));
    assert!(shown.contains("<redacted>"));
}

#[test]
fn build_outside_a_runtime_does_not_panic() {
    let client = ScalekitClient::new("https://acme.scalekit.dev", "id", "secret").unwrap();
    let _ = client.users();
    let _ = client.raw().users();
}

#[test]
fn build_rejects_zero_timeouts_naming_the_setting() {
    type Setting = fn(ClientBuilder) -> ClientBuilder;
    let cases: [(&str, Setting); 3] = [
        ("timeout", |b| b.timeout(Duration::ZERO)),
        ("connect_timeout", |b| b.connect_timeout(Duration::ZERO)),
        ("token_timeout", |b| b.token_timeout(Duration::ZERO)),
    ];
    for (name, zero) in cases {
        let builder = ScalekitClient::builder("https://x.dev", "id", "secret");
        let message = config_error(zero(builder).build());
        assert!(
            message.starts_with(&format!("{name} ")),
            "{name}: the error must name the setting, got {message:?}"
        );
        assert!(message.contains("zero"), "{name}: {message:?}");
    }
    // The smallest non-zero values and `no_timeout` are fine.
    ScalekitClient::builder("https://x.dev", "id", "secret")
        .timeout(Duration::from_nanos(1))
        .connect_timeout(Duration::from_nanos(1))
        .token_timeout(Duration::from_nanos(1))
        .build()
        .unwrap();
    ScalekitClient::builder("https://x.dev", "id", "secret")
        .no_timeout()
        .build()
        .unwrap();
}

/// A loopback proxy for one connection: counts the bytes the client
/// sends, and once `mute` is set stops passing the server's bytes back.
/// `closed` fires when the client ends the connection.
struct Proxy {
    addr: std::net::SocketAddr,
    client_bytes: Arc<std::sync::atomic::AtomicUsize>,
    mute: Arc<std::sync::atomic::AtomicBool>,
    closed: tokio::sync::oneshot::Receiver<()>,
}

async fn proxy_to(upstream: std::net::SocketAddr) -> Proxy {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client_bytes = Arc::new(AtomicUsize::new(0));
    let mute = Arc::new(AtomicBool::new(false));
    let (closed_tx, closed) = tokio::sync::oneshot::channel();
    let (counted, muted) = (Arc::clone(&client_bytes), Arc::clone(&mute));
    tokio::spawn(async move {
        let (client, _) = listener.accept().await.unwrap();
        let server = tokio::net::TcpStream::connect(upstream).await.unwrap();
        let (mut client_read, mut client_write) = client.into_split();
        let (mut server_read, mut server_write) = server.into_split();
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = server_read.read(&mut buf).await {
                if !muted.load(Ordering::SeqCst) && client_write.write_all(&buf[..n]).await.is_err()
                {
                    break;
                }
            }
        });
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = client_read.read(&mut buf).await {
            counted.fetch_add(n, Ordering::SeqCst);
            if server_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = closed_tx.send(());
    });
    Proxy {
        addr,
        client_bytes,
        mute,
        closed,
    }
}

#[tokio::test]
async fn grpc_endpoint_pings_while_idle_and_drops_an_unanswering_connection() {
    use std::sync::atomic::Ordering;

    // An HTTP/2 (prior knowledge) server with no routes is enough: only
    // the connection matters.
    let server = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server_addr = server.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(server, axum::Router::new()).await });
    let proxy = proxy_to(server_addr).await;

    let url = Url::parse(&format!("http://{}/", proxy.addr)).unwrap();
    let keepalive = Keepalive {
        interval: Duration::from_millis(100),
        timeout: Duration::from_millis(300),
    };
    let channel = grpc_endpoint(&url, Duration::from_secs(2), keepalive)
        .unwrap()
        .connect()
        .await
        .unwrap();

    // No call is open: whatever the client sends now is keepalive.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let before = proxy.client_bytes.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let idle_bytes = proxy.client_bytes.load(Ordering::SeqCst) - before;
    // An HTTP/2 PING frame is 17 bytes.
    assert!(
        idle_bytes >= 2 * 17,
        "{idle_bytes} bytes sent while idle; expected PINGs every 100 ms"
    );

    // The server stops answering: the client gives the connection up
    // within interval + timeout, well before this test's limit.
    proxy.mute.store(true, Ordering::SeqCst);
    tokio::time::timeout(Duration::from_secs(3), proxy.closed)
        .await
        .expect("the client should drop a connection whose PINGs go unanswered")
        .unwrap();
    drop(channel);
}

#[test]
fn env_url_keeps_a_path_prefix_for_the_token_endpoint() {
    let url = parse_env_url("https://x.dev/tenant", false).unwrap();
    assert_eq!(
        url.join("oauth/token").unwrap().as_str(),
        "https://x.dev/tenant/oauth/token"
    );
}
