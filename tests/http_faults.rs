//! The SDK's plain HTTP requests (the token endpoint's client-credentials,
//! code-exchange and refresh grants, and the JWKS fetch) against local
//! servers that misbehave: redirects towards another host, bodies past the
//! size caps, bodies that stall, and a JWKS endpoint that stalls, fails and
//! rotates its keys.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context as _};
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scalekit::oidc::AuthenticationOptions;
use scalekit::{Error, InvalidTokenReason, ScalekitClient, TokenError};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const FIXTURE_JWKS: &str = include_str!("fixtures/jwt/jwks.json");
const FIXTURE_RSA_PRIVATE: &str = include_str!("fixtures/jwt/rsa_private.pem");
const FIXTURE_EC_PRIVATE: &str = include_str!("fixtures/jwt/ec_private.pem");

/// Every credential a request carries contains this, so one search of an
/// error's text finds any of them.
const SECRET: &str = "SECRET";
const CLIENT_SECRET: &str = "SECRET-client-secret";
const OTHER_CLIENT_SECRET: &str = "SECRET-m2m-secret";
const CODE: &str = "SECRET-code";
const VERIFIER: &str = "SECRET-verifier";
const REFRESH_TOKEN: &str = "SECRET-refresh-token";
/// In the query of every redirect's `Location`.
const LOCATION_MARKER: &str = "LOCATION-QUERY-MARKER";
const REDIRECT_URI: &str = "https://app.example/callback";

/// The token endpoint answer cap and the JWKS cap, as the SDK documents them.
const TOKEN_ANSWER_LIMIT: usize = 64 * 1024;
const JWKS_BODY_LIMIT: usize = 1024 * 1024;

/// Bounds every call of a test, so that a hang fails instead of hanging.
const CALL_BOUND: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// The requests, one per row of each table

/// One HTTP request the SDK makes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Call {
    /// The client's own client-credentials token.
    ClientCredentials,
    /// `generate_client_token`: client credentials for another client.
    ClientToken,
    CodeExchange,
    Refresh,
    /// The JWKS fetch of a token validation.
    Jwks,
}

const CALLS: [Call; 5] = [
    Call::ClientCredentials,
    Call::ClientToken,
    Call::CodeExchange,
    Call::Refresh,
    Call::Jwks,
];

impl Call {
    /// Makes the request through `client`; `token` is validated for the JWKS.
    async fn run(self, client: &ScalekitClient, token: &str) -> Result<(), Error> {
        match self {
            Call::ClientCredentials => client.get_client_access_token().await.map(drop),
            Call::ClientToken => client
                .generate_client_token("m2morg_1", OTHER_CLIENT_SECRET)
                .await
                .map(drop),
            Call::CodeExchange => client
                .authenticate_with_code(
                    CODE,
                    REDIRECT_URI,
                    AuthenticationOptions::default().with_code_verifier(VERIFIER),
                )
                .await
                .map(drop),
            Call::Refresh => client.refresh_access_token(REFRESH_TOKEN).await.map(drop),
            Call::Jwks => client
                .validate_token::<serde_json::Value>(token, Default::default())
                .await
                .map(drop),
        }
    }

    /// Runs the request, bounded by [`CALL_BOUND`]; the error and how long
    /// it took, or why the row failed already.
    async fn fail(self, client: &ScalekitClient, token: &str) -> Result<(Error, Duration), String> {
        let started = Instant::now();
        match tokio::time::timeout(CALL_BOUND, self.run(client, token)).await {
            Err(_) => Err(format!("still running after {CALL_BOUND:?}")),
            Ok(Ok(())) => Err("succeeded".into()),
            Ok(Err(err)) => Ok((err, started.elapsed())),
        }
    }
}

/// A client for `base` with the given bound on each HTTP request.
fn client(base: &str, token_timeout: Duration) -> anyhow::Result<ScalekitClient> {
    Ok(ScalekitClient::builder(base, "skc_1", CLIENT_SECRET)
        .token_timeout(token_timeout)
        .build()?)
}

/// The `Display` and `Debug` of an error and of each of its sources.
fn texts(err: &Error) -> Vec<String> {
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        texts.push(inner.to_string());
        texts.push(format!("{inner:?}"));
        source = inner.source();
    }
    texts
}

/// Whether any of the error's texts contains `needle`.
fn mentions(err: &Error, needle: &str) -> bool {
    texts(err).iter().any(|t| t.contains(needle))
}

/// Fails with every failed row, one per line.
fn report(failures: Vec<String>) -> anyhow::Result<()> {
    ensure!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Tokens

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A valid token signed by the fixture key `kid` (`rsa-1` or `ec-1`).
fn signed_token(kid: &str) -> anyhow::Result<String> {
    let (algorithm, key) = match kid {
        "rsa-1" => (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(FIXTURE_RSA_PRIVATE.as_bytes())?,
        ),
        "ec-1" => (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(FIXTURE_EC_PRIVATE.as_bytes())?,
        ),
        other => anyhow::bail!("no fixture key {other}"),
    };
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.into());
    let claims = serde_json::json!({"sub": "usr_1", "exp": unix_now() + 600});
    Ok(jsonwebtoken::encode(&header, &claims, &key)?)
}

/// The fixture JWKS with only the key `kid`.
fn jwks_with(kid: &str) -> anyhow::Result<String> {
    let mut doc: serde_json::Value = serde_json::from_str(FIXTURE_JWKS)?;
    let keys = doc["keys"].as_array_mut().context("keys")?;
    keys.retain(|key| key["kid"] == kid);
    ensure!(keys.len() == 1, "fixture key {kid}");
    Ok(doc.to_string())
}

// ---------------------------------------------------------------------------
// Scripted servers

/// What a scripted server answers to every request, whatever its path.
#[derive(Clone, Debug)]
enum Script {
    /// A redirect with this status to `location`.
    Redirect { status: u16, location: String },
    /// 200 and a chunked body that never ends.
    EndlessBody,
    /// 200 declaring a body of a terabyte, then silence.
    HugeContentLength,
    /// 200, a `Content-Length` of 100 and the body's first byte, then
    /// silence.
    StalledBody,
}

/// A loopback HTTP/1.1 server playing `script`; returns its base URL.
async fn scripted_server(script: Script) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, script.clone()));
        }
    });
    Ok(format!("http://{addr}"))
}

async fn serve(mut stream: TcpStream, script: Script) {
    // The request head; a form body, if any, is left unread.
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    const OK_JSON: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
    match script {
        Script::Redirect { status, location } => {
            let answer = format!(
                "HTTP/1.1 {status} Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
        Script::EndlessBody => {
            let head = format!("{OK_JSON}Transfer-Encoding: chunked\r\n\r\n");
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            // 16 KiB chunks until the client hangs up (bounded all the same).
            let chunk = format!("4000\r\n{}\r\n", " ".repeat(0x4000));
            for _ in 0..16_384 {
                if stream.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        Script::HugeContentLength => {
            let head = format!("{OK_JSON}Content-Length: 1000000000000\r\n\r\n");
            if stream.write_all(head.as_bytes()).await.is_ok() {
                hold(stream).await;
            }
        }
        Script::StalledBody => {
            let head = format!("{OK_JSON}Content-Length: 100\r\n\r\n{{");
            if stream.write_all(head.as_bytes()).await.is_ok() {
                hold(stream).await;
            }
        }
    }
}

/// Keeps the connection open, sending nothing, until the client closes it
/// (or a minute has passed).
async fn hold(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// A loopback listener that counts the connections made to it; returns its
/// base URL and the count.
async fn catcher() -> anyhow::Result<(String, Arc<AtomicUsize>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let caught = Arc::new(AtomicUsize::new(0));
    let counter = caught.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    Ok((format!("http://{addr}"), caught))
}

// ---------------------------------------------------------------------------
// Redirects

/// Why `err` is not the refusal of a redirect with `status`, if it is not.
fn check_redirect_refused(call: Call, status: u16, err: &Error) -> Result<(), String> {
    match (call, err) {
        (Call::Jwks, Error::Transport(_)) => {
            let expected = format!("HTTP {status}, a redirect, which is not followed");
            if !mentions(err, &expected) {
                return Err(format!("no {expected:?} in {:?}", texts(err)));
            }
        }
        (Call::Jwks, other) => return Err(format!("expected Error::Transport, got {other:?}")),
        (_, Error::Auth(TokenError::MalformedResponse(message))) => {
            let expected = format!("HTTP {status} is a redirect, and redirects are not followed");
            if message != &expected {
                return Err(format!("message {message:?}, expected {expected:?}"));
            }
        }
        (_, other) => {
            return Err(format!(
                "expected Error::Auth(TokenError::MalformedResponse), got {other:?}"
            ))
        }
    }
    if err.is_retryable() && call != Call::Jwks {
        return Err("a redirect is reported as retryable".into());
    }
    Ok(())
}

#[tokio::test]
async fn http_request_redirected_elsewhere_is_refused_and_nothing_reaches_the_target(
) -> anyhow::Result<()> {
    let (catcher_url, caught) = catcher().await?;
    let catcher_port = catcher_url.rsplit(':').next().context("port")?.to_owned();
    let token = signed_token("rsa-1")?;
    let mut failures = Vec::new();
    for status in [307, 308, 302] {
        let location = format!("{catcher_url}/oauth/token?{LOCATION_MARKER}=1");
        let base = scripted_server(Script::Redirect { status, location }).await?;
        let client = client(&base, Duration::from_secs(5))?;
        for call in CALLS {
            let row = format!("HTTP {status}, {call:?}");
            let before = caught.load(Ordering::SeqCst);
            match call.fail(&client, &token).await {
                Err(why) => failures.push(format!("{row}: {why}")),
                Ok((err, _)) => {
                    if let Err(why) = check_redirect_refused(call, status, &err) {
                        failures.push(format!("{row}: {why}"));
                    }
                    for needle in [SECRET, LOCATION_MARKER, catcher_port.as_str()] {
                        if mentions(&err, needle) {
                            failures.push(format!("{row}: the error shows {needle:?}: {err:?}"));
                        }
                    }
                }
            }
            let reached = caught.load(Ordering::SeqCst) - before;
            if reached != 0 {
                failures.push(format!("{row}: {reached} connections reached the target"));
            }
        }
    }
    // A redirect followed late would arrive now.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let total = caught.load(Ordering::SeqCst);
    if total != 0 {
        failures.push(format!("{total} connections reached the target in all"));
    }
    report(failures)
}

// ---------------------------------------------------------------------------
// Body caps

#[tokio::test]
async fn http_answer_larger_than_its_cap_is_refused() -> anyhow::Result<()> {
    let token = signed_token("rsa-1")?;
    let mut failures = Vec::new();
    for script in [Script::EndlessBody, Script::HugeContentLength] {
        let base = scripted_server(script.clone()).await?;
        // A bound longer than CALL_BOUND: reading on instead of refusing
        // shows up as a hang, not as a timeout error.
        let client = client(&base, Duration::from_secs(60))?;
        for call in CALLS {
            let row = format!("{script:?}, {call:?}");
            let err = match call.fail(&client, &token).await {
                Ok((err, _)) => err,
                Err(why) => {
                    failures.push(format!("{row}: {why}"));
                    continue;
                }
            };
            let expected = match call {
                Call::Jwks => "-byte message size limit".to_string(),
                _ => format!("body is larger than {TOKEN_ANSWER_LIMIT} bytes"),
            };
            let kind_ok = match call {
                Call::Jwks => matches!(
                    err,
                    Error::ResponseTooLarge { size, limit }
                        if limit == JWKS_BODY_LIMIT && size > limit
                ),
                _ => matches!(err, Error::Auth(TokenError::MalformedResponse(_))),
            };
            if !kind_ok || err.is_retryable() || !mentions(&err, &expected) {
                failures.push(format!("{row}: expected {expected:?}, got {err:?}"));
            }
            if err.code().is_some() {
                failures.push(format!("{row}: reported as the server's error: {err:?}"));
            }
        }
    }
    report(failures)
}

// ---------------------------------------------------------------------------
// Per-request bounds

#[tokio::test]
async fn http_answer_whose_body_stalls_ends_by_the_request_bound() -> anyhow::Result<()> {
    let bound = Duration::from_millis(500);
    // Generous for a busy machine, and far below the stall (a minute).
    let slack = Duration::from_secs(5);
    let token = signed_token("rsa-1")?;
    let base = scripted_server(Script::StalledBody).await?;
    let client = client(&base, bound)?;
    let mut failures = Vec::new();
    for call in CALLS {
        let row = format!("{call:?}");
        match call.fail(&client, &token).await {
            Err(why) => failures.push(format!("{row}: {why}")),
            Ok((err, took)) => {
                if !err.is_timeout() {
                    failures.push(format!("{row}: expected a timeout, got {err:?}"));
                }
                if took < bound || took > bound + slack {
                    failures.push(format!("{row}: ended after {took:?}, bound {bound:?}"));
                }
            }
        }
    }
    report(failures)
}

// ---------------------------------------------------------------------------
// JWKS outages

const SERVE: u8 = 0;
const STALL: u8 = 1;
const UNAVAILABLE: u8 = 2;

/// How long the JWKS endpoint stalls in [`STALL`] mode.
const STALL_FOR: Duration = Duration::from_secs(10);

/// A JWKS endpoint whose answer a test switches: serve `body`, stall, or
/// answer 503. Counts the requests it gets.
struct JwksServer {
    base: String,
    mode: AtomicU8,
    body: Mutex<String>,
    requests: AtomicUsize,
}

impl JwksServer {
    async fn start(body: String) -> anyhow::Result<Arc<JwksServer>> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let server = Arc::new(JwksServer {
            base: format!("http://{}", listener.local_addr()?),
            mode: AtomicU8::new(SERVE),
            body: Mutex::new(body),
            requests: AtomicUsize::new(0),
        });
        let shared = server.clone();
        let app = axum::Router::new().route(
            "/keys",
            get(move || {
                let server = shared.clone();
                async move { server.answer().await }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(server)
    }

    async fn answer(&self) -> (http::StatusCode, String) {
        self.requests.fetch_add(1, Ordering::SeqCst);
        match self.mode.load(Ordering::SeqCst) {
            UNAVAILABLE => return (http::StatusCode::SERVICE_UNAVAILABLE, String::new()),
            STALL => tokio::time::sleep(STALL_FOR).await,
            _ => {}
        }
        let body = self.body.lock().map(|b| b.clone()).unwrap_or_default();
        (http::StatusCode::OK, body)
    }

    fn set_mode(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }

    fn publish(&self, body: String) {
        if let Ok(mut current) = self.body.lock() {
            *current = body;
        }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The request count once it reaches `n`, or after `within`.
    async fn requests_after(&self, n: usize, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        while self.requests() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.requests()
    }
}

/// Short, so that tests can wait it out.
const JWKS_TTL: Duration = Duration::from_millis(300);

/// A client of `server` with a [`JWKS_TTL`] key cache, and a token of
/// `kid` it has validated once (so it holds the keys).
async fn client_holding_keys(
    server: &JwksServer,
    kid: &str,
) -> anyhow::Result<(ScalekitClient, String)> {
    let client = ScalekitClient::builder(&server.base, "skc_1", CLIENT_SECRET)
        .jwks_ttl(JWKS_TTL)
        .build()?;
    let token = signed_token(kid)?;
    ensure!(
        client
            .validate_access_token(&token, Default::default())
            .await?
    );
    ensure!(
        server.requests() == 1,
        "{} JWKS requests",
        server.requests()
    );
    Ok((client, token))
}

/// `n` validations of `token`, concurrently on the runtime's workers; each
/// one's outcome and how long it took.
async fn validate_concurrently(
    client: &ScalekitClient,
    token: &str,
    n: usize,
) -> anyhow::Result<Vec<(scalekit::Result<bool>, Duration)>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            let token = token.to_owned();
            tokio::spawn(async move {
                let started = Instant::now();
                let valid = client
                    .validate_access_token(&token, Default::default())
                    .await;
                (valid, started.elapsed())
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(n);
    for task in tasks {
        outcomes.push(tokio::time::timeout(CALL_BOUND, task).await??);
    }
    Ok(outcomes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_token_first_concurrent_validations_share_one_jwks_fetch() -> anyhow::Result<()> {
    let server = JwksServer::start(jwks_with("rsa-1")?).await?;
    let client = ScalekitClient::new(&server.base, "skc_1", CLIENT_SECRET)?;
    let token = signed_token("rsa-1")?;
    for (i, (valid, _)) in validate_concurrently(&client, &token, 32)
        .await?
        .into_iter()
        .enumerate()
    {
        ensure!(valid?, "validation {i} refused a valid token");
    }
    ensure!(
        server.requests() == 1,
        "{} JWKS requests",
        server.requests()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_token_jwks_stalled_after_ttl_uses_the_held_keys() -> anyhow::Result<()> {
    let server = JwksServer::start(jwks_with("rsa-1")?).await?;
    let (client, token) = client_holding_keys(&server, "rsa-1").await?;
    server.set_mode(STALL);
    tokio::time::sleep(JWKS_TTL * 2).await;

    // Well under the stall, with room for a busy machine.
    let prompt = Duration::from_secs(2);
    let started = Instant::now();
    let outcomes = validate_concurrently(&client, &token, 32).await?;
    let all_done = started.elapsed();
    let mut failures = Vec::new();
    for (i, (valid, took)) in outcomes.into_iter().enumerate() {
        match valid {
            Ok(true) if took < prompt => {}
            other => failures.push(format!("validation {i}: {other:?} after {took:?}")),
        }
    }
    if all_done >= prompt {
        failures.push(format!("all 32 took {all_done:?}"));
    }
    // The background refresh may still be on its way to the server.
    let requests = server.requests_after(2, Duration::from_secs(5)).await;
    if requests != 2 {
        failures.push(format!(
            "{requests} JWKS requests: expected the first fetch and one refresh"
        ));
    }
    report(failures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_token_jwks_unavailable_after_ttl_uses_the_held_keys_with_few_requests(
) -> anyhow::Result<()> {
    let server = JwksServer::start(jwks_with("rsa-1")?).await?;
    let (client, token) = client_holding_keys(&server, "rsa-1").await?;
    server.set_mode(UNAVAILABLE);
    tokio::time::sleep(JWKS_TTL * 2).await;

    let started = Instant::now();
    let mut refused = 0;
    for chunk in 0..10 {
        for (valid, _) in validate_concurrently(&client, &token, 100).await? {
            if !matches!(valid, Ok(true)) {
                refused += 1;
                ensure!(refused < 5, "chunk {chunk}: {valid:?}");
            }
        }
    }
    let took = started.elapsed();
    ensure!(refused == 0, "{refused} of 1000 validations failed");
    // No validation runs while waiting, so no refresh starts meanwhile.
    let refreshes = server.requests_after(2, Duration::from_secs(5)).await - 1;
    let allowed = max_refreshes_within(took);
    ensure!(
        (1..=allowed).contains(&refreshes),
        "{refreshes} refreshes for 1000 validations in {took:?}; the backoff allows {allowed}"
    );
    Ok(())
}

/// The most refreshes a backoff of at least half of 1 s doubling to 60 s
/// (the SDK's jittered backoff at its shortest) allows in `elapsed`: the
/// first at once, each later one only after the pause its predecessors'
/// failures earned. Under half a second that is one, and a handful takes
/// seconds: one per validation would be 1,000.
fn max_refreshes_within(elapsed: Duration) -> usize {
    let min_pause = |failures: u32| {
        let ceiling = Duration::from_secs(1)
            .saturating_mul(1 << (failures - 1).min(16))
            .min(Duration::from_secs(60));
        ceiling / 2
    };
    let mut waited = Duration::ZERO;
    let mut refreshes = 1;
    while waited + min_pause(refreshes as u32) <= elapsed {
        waited += min_pause(refreshes as u32);
        refreshes += 1;
    }
    refreshes
}

#[tokio::test]
async fn validate_token_after_jwks_recovery_with_rotated_keys_follows_the_new_set(
) -> anyhow::Result<()> {
    let server = JwksServer::start(jwks_with("rsa-1")?).await?;
    let (client, old) = client_holding_keys(&server, "rsa-1").await?;
    let new = signed_token("ec-1")?;

    // An outage past the TTL: the held key still verifies.
    server.set_mode(UNAVAILABLE);
    tokio::time::sleep(JWKS_TTL * 2).await;
    ensure!(
        client
            .validate_access_token(&old, Default::default())
            .await?,
        "the held key during the outage"
    );

    // Recovery with the key rotated: the new key verifies, and the removed
    // one no longer does once the keys are refreshed.
    server.publish(jwks_with("ec-1")?);
    server.set_mode(SERVE);
    ensure!(
        client
            .validate_access_token(&new, Default::default())
            .await?,
        "a token of the newly published key"
    );
    let err = client
        .validate_token::<serde_json::Value>(&old, Default::default())
        .await
        .expect_err("the removed key");
    ensure!(
        matches!(
            &err,
            Error::InvalidToken(InvalidTokenReason::UnknownKey(Some(kid))) if kid == "rsa-1"
        ),
        "{err:?}"
    );
    Ok(())
}
