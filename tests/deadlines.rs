//! One deadline over every phase of a call, under peers that stall: a
//! response that stops after its headers, trickles its body or never sends
//! its trailers; a connection that is never made (a TLS handshake nobody
//! answers, a connector that never completes or fails late); a token request
//! that hangs. tonic's own timer, armed from `grpc-timeout`, runs only from
//! dispatch to the response headers, so each of these once outlived the
//! call's deadline by seconds, or forever (issue 18). One row, an
//! environment whose token endpoint is the silent listener, was already
//! bounded then; it keeps the token phase inside the deadline.
//!
//! Every peer here is a small local server on `127.0.0.1:0`: a hand-rolled
//! HTTP/2 server (the `h2` crate) for the stalled responses, raw TCP
//! listeners and custom connectors for the connects, and the recording
//! double for tokens.

mod common;

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::ensure;
use bytes::Bytes;
use futures::future::join_all;
use prost::Message as _;
use scalekit::proto::users::{get_user_request, GetUserRequest, GetUserResponse, User};
use scalekit::{Error, ScalekitClient};
use tokio::net::{TcpListener, TcpStream};
use tonic::transport::{Channel, Endpoint};

use common::recording::TestServer;

/// How late a call may end after its deadline: scheduling slack on a busy
/// two-core machine. The failures these tests catch are seconds late.
const SLACK: Duration = Duration::from_millis(250);

/// How long past its deadline a call is awaited before it counts as hung.
const HANG: Duration = Duration::from_secs(3);

/// Awaits `call`, giving up `HANG` after `deadline`: how long it took, and
/// its outcome unless it hung.
async fn timed<T>(deadline: Duration, call: impl Future<Output = T>) -> (Duration, Option<T>) {
    let started = Instant::now();
    let outcome = tokio::time::timeout(deadline + HANG, call).await.ok();
    (started.elapsed(), outcome)
}

/// What a facade or raw call ended with, or why that is wrong: it must
/// fail, by `deadline` + [`SLACK`], and (when `timeout`) as a timeout.
fn judge<T: std::fmt::Debug>(
    deadline: Duration,
    took: Duration,
    outcome: Option<Result<T, Error>>,
    timeout: bool,
) -> Result<(), String> {
    let err = match outcome {
        None => return Err(format!("still running after {took:?}")),
        Some(Ok(value)) => return Err(format!("succeeded after {took:?}: {value:?}")),
        Some(Err(err)) => err,
    };
    if took > deadline + SLACK {
        return Err(format!("ended after {took:?} with {err:?}"));
    }
    if timeout && !err.is_timeout() {
        return Err(format!("ended after {took:?} with {err:?}, not a timeout"));
    }
    Ok(())
}

/// Fails with every row's complaint when any row has one.
fn report(failures: Vec<String>) -> anyhow::Result<()> {
    ensure!(
        failures.is_empty(),
        "{} failing rows:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}

fn get_user_request(id: &str) -> GetUserRequest {
    GetUserRequest {
        identities: Some(get_user_request::Identities::Id(id.into())),
    }
}

/// A facade `GetUser`, or the same RPC through the raw client, with its
/// status converted as `?` would.
#[derive(Clone, Copy, Debug)]
enum Path {
    Facade,
    Raw,
}

impl Path {
    async fn get_user(self, client: &ScalekitClient) -> Result<User, Error> {
        match self {
            Path::Facade => client.users().get_user("usr_1").await,
            Path::Raw => client
                .raw()
                .users()
                .get_user(get_user_request("usr_1"))
                .await
                .map(|response| response.into_inner().user.unwrap_or_default())
                .map_err(Error::from),
        }
    }
}

// ---------------------------------------------------------------------------
// Stalled responses
// ---------------------------------------------------------------------------

/// How the HTTP/2 server below answers every call, after sending `200` and
/// `content-type: application/grpc`.
#[derive(Clone, Copy, Debug)]
enum Stall {
    /// Nothing more: no message, no trailers.
    AfterHeaders,
    /// A valid message, one byte every 100 ms (seconds for all of it).
    Trickle,
    /// The whole message, then no trailers.
    NoTrailers,
}

/// A length-prefixed `GetUserResponse`, long enough that trickling it takes
/// several seconds.
fn grpc_message() -> Vec<u8> {
    let response = GetUserResponse {
        user: Some(User {
            id: "usr_1".into(),
            email: format!("{}@example.com", "a".repeat(40)),
            ..Default::default()
        }),
    };
    let message = response.encode_to_vec();
    let mut framed = vec![0u8];
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(&message);
    framed
}

/// An HTTP/2 (prior knowledge) server on `127.0.0.1:0` answering every
/// call as `stall` says; its tasks end with the test's runtime.
async fn stalling_server(stall: Stall) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve_stalling(socket, stall));
        }
    });
    Ok(addr)
}

async fn serve_stalling(socket: TcpStream, stall: Stall) {
    let Ok(mut connection) = h2::server::handshake(socket).await else {
        return;
    };
    // Accepting drives the connection, so it goes on while streams stall.
    while let Some(Ok((_request, respond))) = connection.accept().await {
        tokio::spawn(async move {
            let open = answer_stalling(respond, stall).await;
            // Hold the stream open: dropping it would reset the stream.
            std::future::pending::<()>().await;
            drop(open);
        });
    }
}

async fn answer_stalling(
    mut respond: h2::server::SendResponse<Bytes>,
    stall: Stall,
) -> Result<h2::SendStream<Bytes>, h2::Error> {
    let headers = http::Response::builder()
        .status(200)
        .header("content-type", "application/grpc")
        .body(())
        .expect("static response head");
    let mut body = respond.send_response(headers, false)?;
    match stall {
        Stall::AfterHeaders => {}
        Stall::Trickle => {
            for byte in grpc_message() {
                body.send_data(Bytes::copy_from_slice(&[byte]), false)?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Stall::NoTrailers => body.send_data(grpc_message().into(), false)?,
    }
    Ok(body)
}

/// A response that stalls after its headers (no body, a trickled body, or
/// no trailers) ends the call with a timeout by its deadline, whether the
/// call came through the facade or a raw client. The token is fetched from
/// the recording double beforehand, so only the response is timed.
#[tokio::test]
async fn get_user_with_a_response_stalled_after_its_headers_times_out_by_the_deadline(
) -> anyhow::Result<()> {
    const DEADLINE: Duration = Duration::from_millis(500);
    let tokens = TestServer::start().await;
    let mut failures = Vec::new();
    for stall in [Stall::AfterHeaders, Stall::Trickle, Stall::NoTrailers] {
        let addr = stalling_server(stall).await?;
        for path in [Path::Facade, Path::Raw] {
            let channel = Endpoint::from_shared(format!("http://{addr}"))?.connect_lazy();
            let client = tokens.builder().channel(channel).build()?;
            client.get_client_access_token().await?;
            let client = client.with_timeout(DEADLINE);
            let (took, outcome) = timed(DEADLINE, path.get_user(&client)).await;
            if let Err(why) = judge(DEADLINE, took, outcome, true) {
                failures.push(format!("{stall:?}, {path:?}: {why}"));
            }
        }
    }
    report(failures)
}

// ---------------------------------------------------------------------------
// Connections that are never made
// ---------------------------------------------------------------------------

/// A TCP listener on `127.0.0.1:0` that accepts every connection and never
/// writes a byte, holding each one open: a TLS handshake with it never
/// completes.
async fn silent_listener() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    Ok(addr)
}

/// A channel whose every connect takes `delay` and then fails, or never
/// ends when `delay` is `None`.
fn failing_connector_channel(delay: Option<Duration>) -> anyhow::Result<Channel> {
    use hyper_util::rt::TokioIo;

    let connector = tower::service_fn(move |_: http::Uri| async move {
        match delay {
            None => std::future::pending().await,
            Some(delay) => tokio::time::sleep(delay).await,
        }
        Err::<TokioIo<TcpStream>, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "the test connector refuses",
        ))
    });
    // The address is never dialled: the connector decides.
    Ok(Endpoint::from_static("http://127.0.0.1:9").connect_with_connector_lazy(connector))
}

/// How a row's client fails to connect.
enum Unreachable {
    /// gRPC over `https://` to a [`silent_listener`]; tokens from the
    /// recording double.
    #[cfg(feature = "tls-ring")]
    SilentTls,
    /// The environment URL itself is `https://` to a [`silent_listener`],
    /// so the token request meets it first.
    #[cfg(feature = "tls-ring")]
    SilentTlsEnvironment,
    /// A connector that never completes; tokens from the recording double.
    ConnectorNeverCompletes,
    /// A connector that fails after 800 ms; tokens from the recording
    /// double. tonic's channel makes one connect at a time and fails one
    /// waiting call per failed connect.
    ConnectorFailsLate,
}

impl Unreachable {
    /// A client that meets this failure, its token fetched beforehand when
    /// the token endpoint is elsewhere, and with [`deadline`](Self::deadline).
    async fn client(&self, tokens: &TestServer) -> anyhow::Result<ScalekitClient> {
        let custom = |channel: Channel| tokens.builder().channel(channel).build();
        let client = match self {
            #[cfg(feature = "tls-ring")]
            Unreachable::SilentTls => {
                let addr = silent_listener().await?;
                let channel = Endpoint::from_shared(format!("https://{addr}"))?
                    .tls_config(tonic::transport::ClientTlsConfig::new().with_enabled_roots())?
                    .connect_lazy();
                custom(channel)?
            }
            #[cfg(feature = "tls-ring")]
            Unreachable::SilentTlsEnvironment => {
                let url = format!("https://{}", silent_listener().await?);
                let (id, secret) = (tokens.client_id(), tokens.client_secret());
                let client = ScalekitClient::builder(url, id, secret).build()?;
                return Ok(client.with_timeout(self.deadline()));
            }
            Unreachable::ConnectorNeverCompletes => custom(failing_connector_channel(None)?)?,
            Unreachable::ConnectorFailsLate => {
                custom(failing_connector_channel(Some(Duration::from_millis(800)))?)?
            }
        };
        client.get_client_access_token().await?;
        Ok(client.with_timeout(self.deadline()))
    }

    /// Each call's deadline: past the late connect failure for that row, so
    /// that a second connect would end past it.
    fn deadline(&self) -> Duration {
        match self {
            Unreachable::ConnectorFailsLate => Duration::from_secs(1),
            _ => Duration::from_millis(500),
        }
    }

    /// Whether every call must end as a timeout. A late connect failure
    /// may end a call as a transport error before its deadline.
    fn only_timeouts(&self) -> bool {
        !matches!(self, Unreachable::ConnectorFailsLate)
    }

    fn name(&self) -> &'static str {
        match self {
            #[cfg(feature = "tls-ring")]
            Unreachable::SilentTls => "silent TLS listener",
            #[cfg(feature = "tls-ring")]
            Unreachable::SilentTlsEnvironment => "silent TLS listener as the environment",
            Unreachable::ConnectorNeverCompletes => "connector that never completes",
            Unreachable::ConnectorFailsLate => "connector failing after 800 ms",
        }
    }
}

/// 16 concurrent calls on a connection that is never made each end by
/// their own deadline: not at the connect timeout, and not one after
/// another as connects fail one at a time. Half go through the facade,
/// half through a raw client.
#[tokio::test]
async fn get_user_on_a_connection_never_made_ends_each_call_by_its_deadline() -> anyhow::Result<()>
{
    const CALLS: usize = 16;
    let tokens = TestServer::start().await;
    let rows = [
        #[cfg(feature = "tls-ring")]
        Unreachable::SilentTls,
        #[cfg(feature = "tls-ring")]
        Unreachable::SilentTlsEnvironment,
        Unreachable::ConnectorNeverCompletes,
        Unreachable::ConnectorFailsLate,
    ];
    let mut failures = Vec::new();
    for row in rows {
        let client = row.client(&tokens).await?;
        let (deadline, timeout) = (row.deadline(), row.only_timeouts());
        let calls = (0..CALLS).map(|i| {
            let client = client.clone();
            let path = if i % 2 == 0 { Path::Facade } else { Path::Raw };
            async move {
                let (took, outcome) = timed(deadline, path.get_user(&client)).await;
                judge(deadline, took, outcome, timeout).map_err(|why| format!("{path:?}: {why}"))
            }
        });
        let late: Vec<String> = join_all(calls)
            .await
            .into_iter()
            .filter_map(Result::err)
            .collect();
        if !late.is_empty() {
            failures.push(format!(
                "{}: {} of {CALLS} calls, the first: {}",
                row.name(),
                late.len(),
                late[0]
            ));
        }
    }
    report(failures)
}

// ---------------------------------------------------------------------------
// A token request that hangs
// ---------------------------------------------------------------------------

/// The token endpoint accepts a request and never answers it, then
/// recovers. The call caught by the hung request times out by its
/// deadline; the next call does not wait for the hung request (which may
/// take the whole 10 s token timeout) but starts another beside it once it
/// has hung for a second, and succeeds within its own 1 s deadline.
#[tokio::test]
async fn get_user_after_a_hung_token_request_succeeds_once_the_endpoint_recovers(
) -> anyhow::Result<()> {
    const DEADLINE: Duration = Duration::from_secs(1);
    let server = TestServer::start().await;
    let client = server
        .builder()
        .token_timeout(Duration::from_secs(10))
        .build()?
        .with_timeout(DEADLINE);
    server.set_token_delay(Duration::from_secs(60));

    let (took, outcome) = timed(DEADLINE, client.users().get_user("usr_1")).await;
    judge(DEADLINE, took, outcome, true).map_err(|why| anyhow::anyhow!("stalled: {why}"))?;

    server.set_token_delay(Duration::ZERO);
    let (took, outcome) = timed(DEADLINE, client.users().get_user("usr_1")).await;
    match outcome {
        Some(Ok(user)) => ensure!(user.id == "usr_1", "{user:?}"),
        Some(Err(err)) => anyhow::bail!("recovered: failed after {took:?}: {err:?}"),
        None => anyhow::bail!("recovered: still running after {took:?}"),
    }
    ensure!(
        took < DEADLINE + SLACK,
        "recovered: succeeded after {took:?}"
    );
    let requests = server.token_request_count();
    ensure!(
        requests == 2,
        "{requests} token requests: the hung one and one beside it"
    );
    Ok(())
}
