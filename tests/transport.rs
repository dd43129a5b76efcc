//! The authenticated transport: SDK headers, the client-credentials token
//! cache (single flight, refresh, retry on `UNAUTHENTICATED`), token endpoint
//! failures, timeouts and the raw clients.

mod common;

use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use common::recording::{RecordedRpc, TestServer, CLIENT_ID, CLIENT_SECRET};
use scalekit::proto::users::SearchUsersRequest;
use scalekit::{Code, Error, TokenError};

const SDK_VERSION: &str = concat!("Scalekit-Rust/", env!("CARGO_PKG_VERSION"));
const API_VERSION: &str = "20260727";

/// `Scalekit-Rust/<version> Rust/<rustc> (<os>; <arch>)`.
fn expected_user_agent() -> String {
    format!(
        "{SDK_VERSION} Rust/{} ({}; {})",
        env!("SCALEKIT_RUSTC_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// Checks the SDK headers and the bearer token of one RPC attempt.
fn check_rpc_headers(rpc: &RecordedRpc, token: &str) -> anyhow::Result<()> {
    let method = rpc.method;
    let bearer = format!("Bearer {token}");
    ensure!(
        rpc.header("authorization") == Some(bearer.as_str()),
        "{method}: authorization {:?}",
        rpc.header("authorization")
    );
    let ua = rpc.header("user-agent").unwrap_or_default();
    ensure!(
        ua.starts_with(&expected_user_agent()),
        "{method}: user-agent {ua:?}, expected it to start with {:?}",
        expected_user_agent()
    );
    ensure!(
        rpc.header("x-sdk-version") == Some(SDK_VERSION),
        "{method}: x-sdk-version {:?}",
        rpc.header("x-sdk-version")
    );
    ensure!(
        rpc.header("x-api-version") == Some(API_VERSION),
        "{method}: x-api-version {:?}",
        rpc.header("x-api-version")
    );
    ensure!(rpc.authorized, "{method}: the server rejected the token");
    Ok(())
}

/// Fails if the client secret appears anywhere in the error's `Display` or
/// `Debug`, or in those of its sources.
fn check_secret_hidden(err: &Error) -> anyhow::Result<()> {
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        texts.push(inner.to_string());
        texts.push(format!("{inner:?}"));
        source = inner.source();
    }
    for text in texts {
        ensure!(!text.contains(CLIENT_SECRET), "secret leaked in {text:?}");
    }
    Ok(())
}

fn token_error(err: &Error) -> anyhow::Result<&TokenError> {
    match err {
        Error::Auth(token) => Ok(token),
        other => anyhow::bail!("expected Error::Auth, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rpc_headers_every_call_carries_sdk_headers_bearer_and_grpc_timeout() -> anyhow::Result<()>
{
    let server = TestServer::start().await;
    let client = server
        .builder()
        .timeout(Duration::from_millis(1500))
        .build()?;

    client.users().get_user("usr_1").await?;
    client
        .users()
        .list_users(Default::default())
        .await
        .context("list_users")?;
    client
        .raw()
        .users()
        .search_users(SearchUsersRequest {
            query: "a@b.c".into(),
            ..Default::default()
        })
        .await?;

    let token = server
        .issued_tokens()
        .first()
        .cloned()
        .context("no token issued")?;
    let rpcs = server.rpcs();
    ensure!(rpcs.len() == 3, "{} RPCs", rpcs.len());
    for rpc in &rpcs {
        check_rpc_headers(rpc, &token)?;
        // What is left of the call's 1.5 s budget when the attempt leaves.
        let sent = grpc_timeout(rpc).with_context(|| format!("{}: grpc-timeout", rpc.method))?;
        ensure!(
            sent <= Duration::from_millis(1500) && sent > Duration::from_millis(1000),
            "{}: grpc-timeout {sent:?}",
            rpc.method
        );
    }
    Ok(())
}

/// The `grpc-timeout` an RPC carried, decoded (`<digits><unit>`).
fn grpc_timeout(rpc: &RecordedRpc) -> Option<Duration> {
    let value = rpc.header("grpc-timeout")?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount * 3600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[tokio::test]
async fn rpc_headers_without_timeout_omit_grpc_timeout() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let client = server.builder().no_timeout().build()?;

    client.users().get_user("usr_1").await?;

    let rpc = server.last_rpc().context("no RPC")?;
    check_rpc_headers(&rpc, &server.issued_tokens()[0])?;
    ensure!(
        rpc.header("grpc-timeout").is_none(),
        "grpc-timeout {:?}",
        rpc.header("grpc-timeout")
    );
    Ok(())
}

#[tokio::test]
async fn token_request_carries_sdk_headers_and_form_without_authorization() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.client().users().get_user("usr_1").await?;

    let requests = server.token_requests();
    ensure!(requests.len() == 1, "{} token requests", requests.len());
    let request = &requests[0];
    ensure!(
        request.header("user-agent") == Some(expected_user_agent().as_str()),
        "user-agent {:?}",
        request.header("user-agent")
    );
    ensure!(request.header("x-sdk-version") == Some(SDK_VERSION));
    ensure!(request.header("x-api-version") == Some(API_VERSION));
    ensure!(
        request
            .header("content-type")
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded")),
        "content-type {:?}",
        request.header("content-type")
    );
    ensure!(
        request.header("authorization").is_none(),
        "the token request must not carry an authorization header"
    );
    let mut form = request.form.clone().context("body is not a form")?;
    form.sort();
    let mut expected = vec![
        ("client_id".to_owned(), CLIENT_ID.to_owned()),
        ("client_secret".to_owned(), CLIENT_SECRET.to_owned()),
        ("grant_type".to_owned(), "client_credentials".to_owned()),
    ];
    expected.sort();
    ensure!(form == expected, "form {form:?}");
    Ok(())
}

// ---------------------------------------------------------------------------
// Token cache
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn token_fetch_100_concurrent_first_calls_makes_one_request() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    // A slow token endpoint keeps every caller waiting on the same fetch.
    server.set_token_delay(Duration::from_millis(100));
    let client = server.client();

    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.users().get_user(&format!("usr_{i}")).await })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let user = task.await?.with_context(|| format!("call {i}"))?;
        ensure!(user.id == format!("usr_{i}"), "call {i} got {}", user.id);
    }

    ensure!(
        server.token_request_count() == 1,
        "{} token requests",
        server.token_request_count()
    );
    ensure!(server.rpc_count() == 100, "{} RPCs", server.rpc_count());
    ensure!(server.rpcs().iter().all(|rpc| rpc.authorized));
    Ok(())
}

#[tokio::test]
async fn token_revoked_refreshes_once_and_retries_once() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let client = server.client();
    client.users().get_user("usr_1").await?;
    ensure!(server.token_request_count() == 1 && server.rpc_count() == 1);

    server.revoke_tokens();
    let user = client.users().get_user("usr_2").await?;
    ensure!(user.id == "usr_2");

    ensure!(
        server.token_request_count() == 2,
        "{} token requests",
        server.token_request_count()
    );
    let rpcs = server.rpcs();
    ensure!(rpcs.len() == 3, "{} RPC attempts", rpcs.len());
    let tokens = server.issued_tokens();
    let bearer = |i: usize| format!("Bearer {}", tokens[i]);
    ensure!(!rpcs[1].authorized && rpcs[1].header("authorization") == Some(&bearer(0)));
    ensure!(rpcs[2].authorized && rpcs[2].header("authorization") == Some(&bearer(1)));
    ensure!(
        rpcs[1].request == rpcs[2].request,
        "the retry must resend the same request"
    );
    Ok(())
}

#[tokio::test]
async fn token_rejected_persistently_retries_once_then_unauthenticated() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.reject_all_tokens(true);

    let err = server
        .client()
        .users()
        .get_user("usr_1")
        .await
        .expect_err("every token is rejected");

    ensure!(err.is_unauthenticated(), "{err:?}");
    ensure!(err.code() == Some(Code::Unauthenticated), "{err:?}");
    ensure!(
        server.rpc_count() == 2,
        "{} RPC attempts, expected one retry",
        server.rpc_count()
    );
    ensure!(
        server.token_request_count() == 2,
        "{} token requests",
        server.token_request_count()
    );
    Ok(())
}

#[tokio::test]
async fn token_short_expiry_refreshes_before_expiry_without_unauthenticated() -> anyhow::Result<()>
{
    let server = TestServer::start().await;
    // 1 s tokens are refreshed at half-life, 500 ms after the fetch started.
    server.set_expires_in(Some(1));
    let client = server.client();

    client.users().get_user("usr_1").await?;
    client.users().get_user("usr_2").await?;
    ensure!(
        server.token_request_count() == 1,
        "a fresh token must be reused"
    );

    tokio::time::sleep(Duration::from_millis(600)).await;
    client.users().get_user("usr_3").await?;

    ensure!(
        server.token_request_count() == 2,
        "{} token requests",
        server.token_request_count()
    );
    ensure!(
        server.rpc_count() == 3,
        "{} RPC attempts for 3 calls",
        server.rpc_count()
    );
    ensure!(
        server.rpcs().iter().all(|rpc| rpc.authorized),
        "no call may be rejected"
    );
    Ok(())
}

#[tokio::test]
async fn token_cache_shared_by_client_clones() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let first = server.client();
    let second = first.clone();

    first.users().get_user("usr_1").await?;
    second.users().get_user("usr_2").await?;
    second
        .raw()
        .users()
        .search_users(SearchUsersRequest::default())
        .await?;

    ensure!(
        server.token_request_count() == 1,
        "{} token requests",
        server.token_request_count()
    );
    ensure!(server.rpc_count() == 3);
    Ok(())
}

// ---------------------------------------------------------------------------
// Token endpoint failures
// ---------------------------------------------------------------------------

const INVALID_CLIENT: &str =
    r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#;

#[tokio::test]
async fn token_endpoint_401_returns_auth_status_error() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.set_token_reply(401, INVALID_CLIENT);

    let err = server
        .client()
        .users()
        .get_user("usr_1")
        .await
        .expect_err("token endpoint refuses");

    match token_error(&err)? {
        TokenError::Status {
            status,
            error,
            error_description,
        } => {
            ensure!(*status == 401);
            ensure!(error.as_deref() == Some("invalid_client"), "{error:?}");
            ensure!(
                error_description.as_deref() == Some("Client authentication failed"),
                "{error_description:?}"
            );
        }
        other => anyhow::bail!("expected TokenError::Status, got {other:?}"),
    }
    ensure!(err.is_unauthenticated());
    ensure!(err.http_status() == Some(401));
    ensure!(!err.is_retryable());
    check_secret_hidden(&err)?;
    ensure!(server.rpc_count() == 0, "no RPC without a token");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn token_endpoint_failure_shared_by_100_waiters_then_retried() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.set_token_reply(401, INVALID_CLIENT);
    server.set_token_delay(Duration::from_millis(200));
    let client = server.client();

    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.users().get_user("usr_1").await })
        })
        .collect();
    for task in tasks {
        let err = task.await?.expect_err("token endpoint refuses");
        ensure!(
            matches!(
                token_error(&err)?,
                TokenError::Status { status: 401, error: Some(e), .. } if e == "invalid_client"
            ),
            "{err:?}"
        );
    }
    ensure!(
        server.token_request_count() == 1,
        "{} token requests for one failing fetch",
        server.token_request_count()
    );

    // The failure is also shared by the calls right after it...
    server.set_token_delay(Duration::ZERO);
    let err = client
        .users()
        .get_user("usr_1")
        .await
        .expect_err("still refused");
    ensure!(err.is_unauthenticated(), "{err:?}");
    ensure!(
        server.token_request_count() == 1,
        "{} token requests: a call right after a failure must not ask again",
        server.token_request_count()
    );

    // ...and is not kept past its backoff: then the next call asks again.
    tokio::time::sleep(max_backoff(1) + Duration::from_millis(50)).await;
    let err = client
        .users()
        .get_user("usr_1")
        .await
        .expect_err("still refused");
    ensure!(err.is_unauthenticated(), "{err:?}");
    ensure!(server.token_request_count() == 2);

    server.clear_token_reply();
    tokio::time::sleep(max_backoff(2) + Duration::from_millis(50)).await;
    client.users().get_user("usr_1").await?;
    ensure!(server.token_request_count() == 3);
    ensure!(server.rpc_count() == 1);
    Ok(())
}

#[tokio::test]
async fn token_endpoint_malformed_json_returns_malformed_response() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    // Truncated JSON that echoes the secret: the error must not quote it.
    server.set_token_reply(200, format!(r#"{{"access_token":"{CLIENT_SECRET}"#));

    let err = server
        .client()
        .users()
        .get_user("usr_1")
        .await
        .expect_err("unparsable token response");

    ensure!(
        matches!(token_error(&err)?, TokenError::MalformedResponse(_)),
        "{err:?}"
    );
    check_secret_hidden(&err)?;
    ensure!(server.rpc_count() == 0);
    Ok(())
}

#[tokio::test]
async fn token_endpoint_200_without_access_token_returns_malformed_response() -> anyhow::Result<()>
{
    let server = TestServer::start().await;
    server.set_token_reply(200, r#"{"token_type":"Bearer","expires_in":3600}"#);

    let err = server
        .client()
        .users()
        .get_user("usr_1")
        .await
        .expect_err("no access_token");

    ensure!(
        matches!(token_error(&err)?, TokenError::MalformedResponse(_)),
        "{err:?}"
    );
    check_secret_hidden(&err)?;
    ensure!(server.rpc_count() == 0);
    Ok(())
}

#[tokio::test]
async fn token_endpoint_slower_than_token_timeout_returns_timeout() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.set_token_delay(Duration::from_secs(2));
    let client = server
        .builder()
        .token_timeout(Duration::from_millis(200))
        .build()?;

    let started = Instant::now();
    let err = client
        .users()
        .get_user("usr_1")
        .await
        .expect_err("token endpoint too slow");

    ensure!(matches!(token_error(&err)?, TokenError::Timeout), "{err:?}");
    ensure!(err.is_timeout());
    ensure!(
        started.elapsed() < Duration::from_millis(1500),
        "gave up after {:?}",
        started.elapsed()
    );
    check_secret_hidden(&err)?;
    ensure!(server.token_request_count() == 1);
    ensure!(server.rpc_count() == 0);
    Ok(())
}

// ---------------------------------------------------------------------------
// Raw clients and timeouts
// ---------------------------------------------------------------------------

#[tokio::test]
async fn raw_search_users_is_authenticated() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let client = server.client();

    let response = client
        .raw()
        .users()
        .search_users(SearchUsersRequest {
            query: "jane@acme.com".into(),
            page_size: 10,
            ..Default::default()
        })
        .await?
        .into_inner();

    ensure!(response.users.len() == 1);
    ensure!(response.users[0].email == "jane@acme.com");
    let rpc = server.last_rpc().context("no RPC")?;
    ensure!(rpc.method == "SearchUsers");
    check_rpc_headers(&rpc, &server.issued_tokens()[0])?;
    ensure!(server.token_request_count() == 1);
    Ok(())
}

#[tokio::test]
async fn raw_status_converts_into_api_error() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, tonic::Status::not_found("no such user"));

    let status = server
        .client()
        .raw()
        .users()
        .search_users(SearchUsersRequest::default())
        .await
        .expect_err("injected NOT_FOUND");
    let err = Error::from(status);

    ensure!(err.is_not_found(), "{err:?}");
    ensure!(err.api().map(|api| api.message()) == Some("no such user"));
    Ok(())
}

#[tokio::test]
async fn rpc_slower_than_timeout_returns_timeout() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.set_rpc_delay(Duration::from_secs(2));
    let client = server
        .builder()
        .timeout(Duration::from_millis(200))
        .build()?;

    let started = Instant::now();
    let err = client
        .users()
        .get_user("usr_1")
        .await
        .expect_err("server too slow");

    ensure!(matches!(err, Error::Timeout), "{err:?}");
    ensure!(err.is_timeout());
    ensure!(err.code().is_none());
    ensure!(
        started.elapsed() < Duration::from_millis(1500),
        "gave up after {:?}",
        started.elapsed()
    );
    ensure!(server.rpc_count() == 1, "a timed-out call is not retried");
    let rpc = server.last_rpc().context("no RPC")?;
    let sent = grpc_timeout(&rpc).context("grpc-timeout")?;
    ensure!(
        sent <= Duration::from_millis(200) && sent > Duration::from_millis(100),
        "{sent:?}"
    );
    Ok(())
}

#[tokio::test]
async fn raw_request_timeout_shorter_than_client_timeout_returns_timeout() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.set_rpc_delay(Duration::from_secs(2));
    // The client allows 5 s; the caller's own deadline of 100 ms is the one
    // that expires (tonic's channel enforces the `grpc-timeout` it sets).
    let client = server.client();
    let mut request = tonic::Request::new(SearchUsersRequest::default());
    request.set_timeout(Duration::from_millis(100));

    let started = Instant::now();
    let status = client
        .raw()
        .users()
        .search_users(request)
        .await
        .expect_err("server too slow");
    let err = Error::from(status);

    ensure!(matches!(err, Error::Timeout), "{err:?}");
    ensure!(
        started.elapsed() < Duration::from_millis(1500),
        "gave up after {:?}",
        started.elapsed()
    );
    let rpc = server.last_rpc().context("no RPC")?;
    // tonic writes 100 ms as `100000u`; the client's 5 s must not replace it.
    let sent = rpc.header("grpc-timeout");
    ensure!(
        matches!(sent, Some("100000u" | "100m")),
        "the caller's deadline is kept, got {sent:?}"
    );
    Ok(())
}

#[tokio::test]
async fn token_endpoint_unreachable_returns_transport_error() -> anyhow::Result<()> {
    // A port that was just free: nothing listens on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    let client =
        scalekit::ScalekitClient::builder(format!("http://{addr}"), CLIENT_ID, CLIENT_SECRET)
            .token_timeout(Duration::from_secs(2))
            .build()?;

    let err = client
        .users()
        .get_user("usr_1")
        .await
        .expect_err("nothing listens");

    ensure!(
        matches!(token_error(&err)?, TokenError::Transport(_)),
        "{err:?}"
    );
    ensure!(err.is_retryable() && !err.is_unauthenticated());
    check_secret_hidden(&err)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Token source under faults (issue 9: D1, D2, D5)
// ---------------------------------------------------------------------------

/// The shortest pause the token source takes after its `n`th consecutive
/// failure (n ≥ 1): 250 ms doubling to a 4 s cap, jittered down to no less
/// than half. Mirrors `token::backoff` so the tests can bound request counts.
fn min_backoff(n: u32) -> Duration {
    let ceiling = Duration::from_millis(250)
        .saturating_mul(1 << (n - 1).min(16))
        .min(Duration::from_secs(4));
    ceiling / 2
}

/// The longest pause after the `n`th consecutive failure.
fn max_backoff(n: u32) -> Duration {
    min_backoff(n) * 2
}

/// The most fetches a backoff that never waits less than [`min_backoff`]
/// allows in `elapsed`: the first at once, each later one only after the
/// pause earned by all failures before it.
fn max_fetches_within(elapsed: Duration) -> usize {
    let mut waited = Duration::ZERO;
    let mut fetches = 1;
    while waited + min_backoff(fetches as u32) <= elapsed {
        waited += min_backoff(fetches as u32);
        fetches += 1;
    }
    fetches
}

#[tokio::test]
async fn token_huge_expires_in_does_not_panic_and_later_calls_work() -> anyhow::Result<()> {
    for expires_in in ["1e300", "9223372036854775808", "18446744073709551615"] {
        let server = TestServer::start().await;
        server.set_token_reply(
            200,
            format!(
                r#"{{"access_token":"tok_huge","token_type":"Bearer","expires_in":{expires_in}}}"#
            ),
        );
        let client = server.client();

        // Each call in its own task, so that a panic shows up as a failed
        // join instead of ending the test before the second call.
        for call in 0..2 {
            let client = client.clone();
            let token = tokio::spawn(async move { client.get_client_access_token().await })
                .await
                .with_context(|| format!("expires_in {expires_in}: call {call} panicked"))?
                .with_context(|| format!("expires_in {expires_in}: call {call}"))?;
            ensure!(
                token == "tok_huge",
                "expires_in {expires_in}: got {token:?}"
            );
        }
        ensure!(
            server.token_request_count() == 1,
            "expires_in {expires_in}: {} token requests; the token must be cached",
            server.token_request_count()
        );
    }
    Ok(())
}

#[tokio::test]
async fn token_fetch_whose_only_caller_is_dropped_still_completes() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.set_token_delay(Duration::from_millis(300));
    let token_timeout = Duration::from_millis(600);
    let client = server.builder().token_timeout(token_timeout).build()?;

    // The only caller gives up while the token endpoint is still thinking.
    let abandoned =
        tokio::time::timeout(Duration::from_millis(50), client.users().get_user("usr_1")).await;
    ensure!(
        abandoned.is_err(),
        "the first call should have been cut short"
    );

    // Past the token request's own timeout: a fetch nobody drove would now
    // report a timeout at once.
    tokio::time::sleep(token_timeout + Duration::from_millis(200)).await;
    let user = client.users().get_user("usr_2").await?;
    ensure!(user.id == "usr_2");
    ensure!(
        server.token_request_count() == 1,
        "{} token requests: the abandoned fetch should have filled the cache",
        server.token_request_count()
    );
    Ok(())
}

const UNAVAILABLE_BODY: &str = r#"{"error":"temporarily_unavailable"}"#;

#[tokio::test]
async fn token_endpoint_outage_20_sequential_calls_share_failures_then_recover(
) -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.set_token_reply(503, UNAVAILABLE_BODY);
    let client = server.client();

    let started = Instant::now();
    for call in 0..20 {
        let err = client
            .users()
            .get_user("usr_1")
            .await
            .expect_err("the token endpoint is down");
        ensure!(
            matches!(
                token_error(&err)?,
                TokenError::Status { status: 503, error: Some(e), .. } if e == "temporarily_unavailable"
            ),
            "call {call}: {err:?}"
        );
        ensure!(err.is_retryable(), "call {call}: {err:?}");
    }
    let elapsed = started.elapsed();
    let requests = server.token_request_count();
    let bound = max_fetches_within(elapsed);
    ensure!(
        (1..=bound).contains(&requests),
        "{requests} token requests for 20 calls in {elapsed:?}; the backoff allows at most {bound}"
    );
    ensure!(server.rpc_count() == 0, "no RPC without a token");

    // Recovered: once the pause earned by the failures so far has passed,
    // the next call asks again and succeeds.
    server.clear_token_reply();
    tokio::time::sleep(max_backoff(requests as u32) + Duration::from_millis(50)).await;
    let user = client.users().get_user("usr_2").await?;
    ensure!(user.id == "usr_2");
    ensure!(server.token_request_count() == requests + 1);
    Ok(())
}

#[tokio::test]
async fn token_rejected_persistently_backs_off_refetches() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.reject_all_tokens(true);
    let client = server.client();

    let started = Instant::now();
    for call in 0..20 {
        let err = client
            .users()
            .get_user("usr_1")
            .await
            .expect_err("every token is rejected");
        ensure!(
            err.code() == Some(Code::Unauthenticated),
            "call {call}: {err:?}"
        );
    }
    let elapsed = started.elapsed();
    let requests = server.token_request_count();
    // The first rejection refetches at once (a revoked token); only a
    // freshly fetched token rejected again starts the backoff.
    let bound = 1 + max_fetches_within(elapsed);
    ensure!(
        (2..=bound).contains(&requests),
        "{requests} token requests for 20 rejected calls in {elapsed:?}; at most {bound} allowed"
    );

    // The server accepts tokens again: after the backoff, calls succeed.
    server.reject_all_tokens(false);
    tokio::time::sleep(max_backoff(requests as u32) + Duration::from_millis(50)).await;
    let user = client.users().get_user("usr_2").await?;
    ensure!(user.id == "usr_2");
    Ok(())
}
