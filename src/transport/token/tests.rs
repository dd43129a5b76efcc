//! The token cache against a scripted endpoint.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// One scripted answer of [`FakeEndpoint`].
enum Reply {
    /// A token `tok_<n>` (n counts fetches from 1) after `delay`.
    Token {
        delay: Duration,
        expires_in: Option<u64>,
    },
    Fail(TokenError),
    Panic,
}

/// A token endpoint that answers from a script (the last entry repeats)
/// and counts its requests.
#[derive(Clone)]
struct FakeEndpoint {
    requests: Arc<AtomicUsize>,
    script: Arc<Mutex<VecDeque<Reply>>>,
}

impl fmt::Debug for FakeEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FakeEndpoint")
    }
}

impl FetchToken for FakeEndpoint {
    fn fetch(&self) -> BoxFuture<'static, Result<TokenGrant, TokenError>> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let mut script = self.script.lock().unwrap();
        let reply = if script.len() > 1 {
            script.pop_front().unwrap()
        } else {
            match script.front().unwrap() {
                Reply::Token { delay, expires_in } => Reply::Token {
                    delay: *delay,
                    expires_in: *expires_in,
                },
                Reply::Fail(error) => Reply::Fail(error.clone()),
                Reply::Panic => Reply::Panic,
            }
        };
        async move {
            let requested_at = Instant::now();
            match reply {
                Reply::Token { delay, expires_in } => {
                    tokio::time::sleep(delay).await;
                    Ok(TokenGrant {
                        token: AccessToken::new(&format!("tok_{n}")).unwrap(),
                        expires_in,
                        requested_at,
                    })
                }
                Reply::Fail(error) => Err(error),
                Reply::Panic => panic!("fetch panicked (on purpose)"),
            }
        }
        .boxed()
    }
}

fn token_reply() -> Reply {
    Reply::Token {
        delay: Duration::ZERO,
        expires_in: Some(3600),
    }
}

fn unavailable() -> TokenError {
    TokenError::Status {
        status: 503,
        error: None,
        error_description: None,
    }
}

fn fake(script: impl IntoIterator<Item = Reply>) -> (TokenSource, Arc<AtomicUsize>) {
    let endpoint = FakeEndpoint {
        requests: Arc::new(AtomicUsize::new(0)),
        script: Arc::new(Mutex::new(script.into_iter().collect())),
    };
    let requests = Arc::clone(&endpoint.requests);
    let source = TokenSource::with_fetcher(Box::new(endpoint), DEFAULT_REFRESH_MARGIN);
    (source, requests)
}

async fn secret(source: &TokenSource) -> Result<String, TokenError> {
    Ok(source.token().await?.secret().into_owned())
}

#[test]
fn access_token_debug_is_redacted() {
    let token = AccessToken::new("eyJ.secret.value").unwrap();
    assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
}

#[test]
fn expires_in_accepts_numbers_and_numeric_strings() {
    let parse = |json: &str| {
        serde_json::from_str::<TokenResponse>(json)
            .unwrap()
            .expires_in
    };
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":3600}"#),
        Some(3600)
    );
    assert_eq!(parse(r#"{"access_token":"a","expires_in":"90"}"#), Some(90));
    assert_eq!(parse(r#"{"access_token":"a","expires_in":12.5}"#), Some(12));
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":1e300}"#),
        Some(u64::MAX)
    );
    assert_eq!(parse(r#"{"access_token":"a","expires_in":null}"#), None);
    assert_eq!(parse(r#"{"access_token":"a","expires_in":"soon"}"#), None);
    assert_eq!(parse(r#"{"access_token":"a"}"#), None);
}

#[test]
fn refresh_time_clamps_huge_lifetimes_and_keeps_the_margin() {
    let now = Instant::now();
    let margin = DEFAULT_REFRESH_MARGIN;
    let a_day_less_margin = now + MAX_TOKEN_LIFETIME - margin;
    for huge in [u64::MAX, 1 << 63, 10 * 365 * 24 * 3600] {
        assert_eq!(
            refresh_time(now, Some(huge), margin),
            Some(a_day_less_margin),
            "{huge}"
        );
    }
    assert_eq!(
        refresh_time(now, Some(3600), margin),
        Some(now + Duration::from_secs(3540))
    );
    // Short lifetimes refresh at half-life.
    assert_eq!(
        refresh_time(now, Some(1), margin),
        Some(now + Duration::from_millis(500))
    );
    assert_eq!(refresh_time(now, Some(0), margin), Some(now));
    assert_eq!(refresh_time(now, None, margin), None);
}

#[test]
fn backoff_doubles_from_250ms_to_a_4s_cap_with_jitter() {
    let ceilings_ms = [250, 500, 1000, 2000, 4000, 4000, 4000];
    for (i, ceiling_ms) in ceilings_ms.into_iter().enumerate() {
        let failures = i as u32 + 1;
        let ceiling = Duration::from_millis(ceiling_ms);
        assert_eq!(BACKOFF.ceiling(failures), ceiling, "{failures}");
        let pauses: Vec<Duration> = (0..50).map(|_| BACKOFF.pause(failures)).collect();
        for pause in &pauses {
            assert!(
                ceiling / 2 <= *pause && *pause <= ceiling,
                "{failures} failures: {pause:?} outside [{:?}, {ceiling:?}]",
                ceiling / 2
            );
        }
        assert!(
            pauses.iter().any(|p| *p != pauses[0]),
            "{failures} failures: no jitter in {pauses:?}"
        );
    }
    assert_eq!(BACKOFF.ceiling(u32::MAX), BACKOFF_MAX);
}

#[tokio::test(start_paused = true)]
async fn token_huge_expires_in_is_cached_for_a_day() {
    let (source, requests) = fake([Reply::Token {
        delay: Duration::ZERO,
        expires_in: Some(u64::MAX),
    }]);
    assert_eq!(secret(&source).await.unwrap(), "tok_1");
    tokio::time::advance(MAX_TOKEN_LIFETIME - DEFAULT_REFRESH_MARGIN - Duration::from_secs(1))
        .await;
    assert_eq!(secret(&source).await.unwrap(), "tok_1");
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(secret(&source).await.unwrap(), "tok_2");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[test]
fn fresh_token_read_does_not_wait_for_the_slow_path_lock() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let (source, _) = fake([token_reply()]);
    let source = Arc::new(source);
    runtime.block_on(source.token()).unwrap();

    let guard = source.cache.slow();
    let (sent, received) = std::sync::mpsc::channel();
    let reader = Arc::clone(&source);
    std::thread::spawn(move || {
        // A hit completes without waiting, so no runtime drives it.
        let token = futures::executor::block_on(reader.token());
        let _ = sent.send(token.map(|t| t.secret().into_owned()));
    });
    let read = received.recv_timeout(Duration::from_secs(2));
    drop(guard);

    let token = read.expect("a cached-token hit waited for the slow path's lock");
    assert_eq!(token.unwrap(), "tok_1");
}

#[tokio::test(start_paused = true)]
async fn fetch_completes_when_its_only_caller_is_dropped() {
    let (source, requests) = fake([Reply::Token {
        delay: Duration::from_secs(1),
        expires_in: Some(3600),
    }]);
    let abandoned = tokio::time::timeout(Duration::from_millis(10), source.token()).await;
    assert!(abandoned.is_err(), "the caller should have given up");

    tokio::time::sleep(Duration::from_secs(2)).await;
    // Filled by the abandoned fetch: a hit, no second request.
    let token = source.cache.fresh(Instant::now()).expect("cached");
    assert_eq!(token.secret(), "tok_1");
    assert_eq!(secret(&source).await.unwrap(), "tok_1");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn failed_fetch_is_shared_until_its_backoff_passes() {
    let (source, requests) = fake([
        Reply::Fail(unavailable()),
        Reply::Fail(unavailable()),
        token_reply(),
    ]);
    for _ in 0..20 {
        let err = source.token().await.unwrap_err();
        assert!(
            matches!(err, TokenError::Status { status: 503, .. }),
            "{err:?}"
        );
    }
    assert_eq!(requests.load(Ordering::SeqCst), 1);

    // Within the shortest first pause: still the cached failure.
    tokio::time::advance(BACKOFF.ceiling(1) / 2 - Duration::from_millis(1)).await;
    source.token().await.unwrap_err();
    assert_eq!(requests.load(Ordering::SeqCst), 1);

    // Past the longest first pause: asked again, fails again, and the
    // second pause is longer.
    tokio::time::advance(BACKOFF.ceiling(1) / 2 + Duration::from_millis(2)).await;
    source.token().await.unwrap_err();
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    tokio::time::advance(BACKOFF.ceiling(2) / 2 - Duration::from_millis(1)).await;
    source.token().await.unwrap_err();
    assert_eq!(requests.load(Ordering::SeqCst), 2);

    tokio::time::advance(BACKOFF.ceiling(2) / 2 + Duration::from_millis(2)).await;
    assert_eq!(secret(&source).await.unwrap(), "tok_3");
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn success_resets_the_failure_backoff() {
    let (source, requests) = fake([
        Reply::Fail(unavailable()),
        Reply::Token {
            delay: Duration::ZERO,
            expires_in: Some(2),
        },
        Reply::Fail(unavailable()),
        token_reply(),
    ]);
    source.token().await.unwrap_err();
    tokio::time::advance(BACKOFF.ceiling(1)).await;
    assert_eq!(secret(&source).await.unwrap(), "tok_2");
    // tok_2 is due at half-life; the failure after it starts the
    // backoff from the first step again.
    tokio::time::advance(Duration::from_secs(1)).await;
    source.token().await.unwrap_err();
    tokio::time::advance(BACKOFF.ceiling(1)).await;
    assert_eq!(secret(&source).await.unwrap(), "tok_4");
    assert_eq!(requests.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn panicking_fetch_is_an_error_and_never_cached() {
    let (source, requests) = fake([
        Reply::Panic,
        Reply::Panic,
        Reply::Panic,
        Reply::Panic,
        token_reply(),
    ]);
    // The call retries an aborted fetch once, then reports it.
    let err = source.token().await.unwrap_err();
    assert!(matches!(err, TokenError::Transport(_)), "{err:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    // Not a cached failure: the next call asks at once (twice).
    let err = source.token().await.unwrap_err();
    assert!(matches!(err, TokenError::Transport(_)), "{err:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 4);
    assert_eq!(secret(&source).await.unwrap(), "tok_5");
}

#[test]
fn fetch_cut_off_by_runtime_shutdown_is_retried_in_the_next_runtime() {
    let (source, requests) = fake([
        Reply::Token {
            delay: Duration::from_secs(60),
            expires_in: Some(3600),
        },
        token_reply(),
    ]);
    let runtime = |()| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    };
    let first = runtime(());
    let gave_up = first
        .block_on(async { tokio::time::timeout(Duration::from_millis(20), source.token()).await });
    assert!(gave_up.is_err());
    // Shutting the runtime down cancels the fetch task mid-request.
    drop(first);

    let token = runtime(()).block_on(source.token()).unwrap();
    assert_eq!(token.secret(), "tok_2");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[test]
fn token_outside_a_runtime_is_an_error_not_a_panic() {
    let (source, requests) = fake([token_reply()]);
    let err = futures::executor::block_on(source.token()).unwrap_err();
    assert!(matches!(err, TokenError::Transport(_)), "{err:?}");
    assert!(
        std::error::Error::source(&err).is_some_and(|s| s.to_string().contains("Tokio runtime"))
    );
    assert_eq!(requests.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn invalidate_forgets_only_the_cached_token() {
    let (source, requests) = fake([token_reply()]);
    let first = source.token().await.unwrap();
    source.invalidate(&AccessToken::new("tok_someone_elses").unwrap());
    assert_eq!(secret(&source).await.unwrap(), "tok_1");
    assert_eq!(requests.load(Ordering::SeqCst), 1);

    source.invalidate(&first);
    // Concurrent 401s with the same token: one refresh.
    source.invalidate(&first);
    assert_eq!(secret(&source).await.unwrap(), "tok_2");
    source.invalidate(&first);
    assert_eq!(secret(&source).await.unwrap(), "tok_2");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn repeated_rejections_back_off_refetches_unless_a_token_was_accepted() {
    let (source, requests) = fake([token_reply()]);
    let count = || requests.load(Ordering::SeqCst);

    // The first refusal refetches at once.
    let tok_1 = source.token().await.unwrap();
    source.invalidate(&tok_1);
    let tok_2 = source.token().await.unwrap();
    assert_eq!(tok_2.secret(), "tok_2");
    assert_eq!(count(), 2);

    // Its replacement refused too: kept until the first pause passes.
    source.invalidate(&tok_2);
    for _ in 0..20 {
        assert_eq!(secret(&source).await.unwrap(), "tok_2");
        source.invalidate(&tok_2);
    }
    assert_eq!(count(), 2);
    tokio::time::advance(BACKOFF.ceiling(1)).await;
    let tok_3 = source.token().await.unwrap();
    assert_eq!(tok_3.secret(), "tok_3");

    // Refused again: a longer pause.
    source.invalidate(&tok_3);
    tokio::time::advance(BACKOFF.ceiling(2) / 2 - Duration::from_millis(1)).await;
    assert_eq!(secret(&source).await.unwrap(), "tok_3");
    tokio::time::advance(BACKOFF.ceiling(2) / 2 + Duration::from_millis(2)).await;
    let tok_4 = source.token().await.unwrap();
    assert_eq!(tok_4.secret(), "tok_4");
    assert_eq!(count(), 4);

    // After a quiet spell, a refusal is a fresh start: refetch at once.
    tokio::time::advance(REJECTION_STREAK_WINDOW).await;
    source.invalidate(&tok_4);
    assert_eq!(secret(&source).await.unwrap(), "tok_5");
    assert_eq!(count(), 5);

    // Revocations back to back: the token that replaced an accepted one is
    // refused before its first success, and refetched at once too. Only the
    // next refusal in a row starts the pause.
    let tok_5 = source.token().await.unwrap();
    tok_5.accepted_request_sent(Instant::now());
    source.invalidate(&tok_5);
    let tok_6 = source.token().await.unwrap();
    source.invalidate(&tok_6);
    let tok_7 = source.token().await.unwrap();
    assert_eq!(tok_7.secret(), "tok_7");
    source.invalidate(&tok_7);
    assert_eq!(secret(&source).await.unwrap(), "tok_7");
    assert_eq!(count(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_calls_share_one_fetch() {
    let (source, requests) = fake([Reply::Token {
        delay: Duration::from_millis(50),
        expires_in: Some(3600),
    }]);
    let source = Arc::new(source);
    let calls: Vec<_> = (0..64)
        .map(|_| {
            let source = Arc::clone(&source);
            tokio::spawn(async move { secret(&source).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), "tok_1");
    }
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}
