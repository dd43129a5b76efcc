//! The cache against a scripted fetcher, on Tokio's paused clock: single
//! flight, stale-while-revalidate, stale-if-error with backoff, the stale
//! bound, and fetches whose runtime went away.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::join_all;

use super::*;
use crate::oidc::jwks::{MAX_STALE, UNKNOWN_KID_COOLDOWN};

const TTL: Duration = Duration::from_secs(60);

const RSA_N: &str = "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw";

/// What one fetch of the script does.
enum Outcome {
    /// Keys with this `kid`, after this long.
    Keys(&'static str, Duration),
    /// An error at once, as a 503 would give.
    Fail,
    /// Never finishes.
    Hang,
}

use Outcome::{Fail, Hang};

fn keys(kid: &'static str) -> Outcome {
    Outcome::Keys(kid, Duration::ZERO)
}

/// A fetcher that plays `outcomes` in order (then hangs), counting fetches.
struct Script {
    outcomes: Mutex<VecDeque<Outcome>>,
    fetches: Arc<AtomicUsize>,
}

impl FetchKeys for Script {
    fn fetch(&self) -> BoxFuture<'static, Result<KeySet, FetchError>> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let next = self
            .outcomes
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Outcome::Hang);
        match next {
            Outcome::Keys(kid, after) if after.is_zero() => {
                futures::future::ready(Ok(key_set(kid))).boxed()
            }
            Outcome::Keys(kid, after) => async move {
                tokio::time::sleep(after).await;
                Ok(key_set(kid))
            }
            .boxed(),
            Outcome::Fail => {
                let error = std::io::Error::other("HTTP 503");
                futures::future::ready(Err(FetchError::Transport(Arc::new(error)))).boxed()
            }
            Outcome::Hang => futures::future::pending().boxed(),
        }
    }
}

fn key_set(kid: &str) -> KeySet {
    let doc = serde_json::json!({"keys": [{"kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": kid}]});
    KeySet::from_json(doc.to_string().as_bytes()).unwrap()
}

/// A cache with the default lifetimes (and a one-minute TTL) over
/// `outcomes`, and its fetch counter.
fn cache(outcomes: impl IntoIterator<Item = Outcome>) -> (JwksCache, Arc<AtomicUsize>) {
    cache_with_ttl(TTL, outcomes)
}

fn cache_with_ttl(
    ttl: Duration,
    outcomes: impl IntoIterator<Item = Outcome>,
) -> (JwksCache, Arc<AtomicUsize>) {
    cache_with(
        Lifetimes {
            ttl,
            max_stale: MAX_STALE,
            unknown_kid_cooldown: UNKNOWN_KID_COOLDOWN,
        },
        outcomes,
    )
}

fn cache_with(
    lifetimes: Lifetimes,
    outcomes: impl IntoIterator<Item = Outcome>,
) -> (JwksCache, Arc<AtomicUsize>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let script = Script {
        outcomes: Mutex::new(outcomes.into_iter().collect()),
        fetches: fetches.clone(),
    };
    (JwksCache::new(script, lifetimes), fetches)
}

fn kid(keys: &KeySet) -> &str {
    keys.keys[0].kid.as_deref().unwrap_or_default()
}

/// `keys()` answers without waiting on the (paused) clock: a call that
/// would wait for a fetch hits the 1 ms timeout first.
async fn keys_now(cache: &JwksCache) -> Result<Arc<KeySet>, Error> {
    tokio::time::timeout(Duration::from_millis(1), cache.keys())
        .await
        .expect("keys() waited although it had an answer")
}

/// Lets spawned fetch tasks that can finish do so.
async fn settle_tasks() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

fn fetches(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::SeqCst)
}

#[tokio::test(start_paused = true)]
async fn first_callers_share_one_fetch() {
    let (cache, counter) = cache([Outcome::Keys("k1", Duration::from_secs(1))]);
    let results = join_all((0..32).map(|_| cache.keys())).await;
    for result in results {
        assert_eq!(kid(&result.unwrap()), "k1");
    }
    assert_eq!(fetches(&counter), 1);
}

#[tokio::test(start_paused = true)]
async fn first_fetch_failure_is_shared_and_backed_off() {
    let (cache, counter) = cache([Fail, keys("k1")]);
    let results = join_all((0..8).map(|_| cache.keys())).await;
    assert!(results
        .iter()
        .all(|r| matches!(r, Err(Error::Transport(_)))));
    assert_eq!(fetches(&counter), 1, "one fetch for every waiter");
    assert!(
        keys_now(&cache).await.is_err(),
        "the failure, while backing off"
    );
    assert_eq!(fetches(&counter), 1, "no fetch during the backoff");

    tokio::time::advance(BACKOFF.ceiling(1)).await;
    assert_eq!(kid(&cache.keys().await.unwrap()), "k1");
    assert_eq!(fetches(&counter), 2);
}

#[tokio::test(start_paused = true)]
async fn stale_keys_are_used_at_once_while_one_refresh_runs() {
    let (cache, counter) = cache([keys("k1"), Hang]);
    assert_eq!(kid(&cache.keys().await.unwrap()), "k1");
    tokio::time::advance(TTL + Duration::from_secs(1)).await;

    for _ in 0..32 {
        assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k1");
    }
    assert_eq!(
        fetches(&counter),
        2,
        "one background refresh, still hanging"
    );
}

#[tokio::test(start_paused = true)]
async fn stale_keys_are_replaced_when_the_refresh_lands() {
    let (cache, counter) = cache([keys("k1"), keys("k2")]);
    cache.keys().await.unwrap();
    tokio::time::advance(TTL).await;
    assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k1", "stale");
    settle_tasks().await;
    assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k2", "refreshed");
    assert_eq!(fetches(&counter), 2);
}

#[tokio::test(start_paused = true)]
async fn failed_refreshes_keep_the_stale_keys_and_back_off() {
    let (cache, counter) = cache([keys("k1"), Fail, Fail, keys("k2")]);
    cache.keys().await.unwrap();
    tokio::time::advance(TTL).await;

    // The first stale read starts a refresh, which fails: the next reads
    // keep the held keys and start nothing until the backoff has passed.
    for _ in 0..100 {
        assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k1");
        settle_tasks().await;
    }
    assert_eq!(fetches(&counter), 2);

    // The pause after the first failure is at most its ceiling; the second
    // failure's pause is at least half of its own.
    tokio::time::advance(BACKOFF.ceiling(1)).await;
    assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k1");
    settle_tasks().await;
    assert_eq!(fetches(&counter), 3);
    tokio::time::advance(BACKOFF.ceiling(2) / 2 - Duration::from_millis(10)).await;
    assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k1");
    assert_eq!(fetches(&counter), 3, "still backing off");

    tokio::time::advance(BACKOFF.ceiling(2)).await;
    assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k1");
    settle_tasks().await;
    assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k2", "recovered");
    assert_eq!(fetches(&counter), 4);
}

#[tokio::test(start_paused = true)]
async fn keys_past_the_stale_bound_are_not_used() {
    let (cache, counter) = cache([keys("k1"), Fail]);
    cache.keys().await.unwrap();
    tokio::time::advance(TTL + MAX_STALE).await;

    let err = cache.keys().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(
        keys_now(&cache).await.is_err(),
        "still refused, from memory"
    );
    assert_eq!(fetches(&counter), 2);
}

#[tokio::test(start_paused = true)]
async fn unknown_kid_refetches_once_per_cooldown_and_joins_a_running_refresh() {
    let (cache, counter) = cache([
        keys("k1"),
        keys("k2"),
        Outcome::Keys("k3", Duration::from_secs(1)),
    ]);
    let first = cache.keys().await.unwrap();
    let second = cache
        .refetch_for_unknown_kid(&first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kid(&second), "k2");
    // A caller still holding the old set gets the new one without a fetch.
    let again = cache
        .refetch_for_unknown_kid(&first)
        .await
        .unwrap()
        .unwrap();
    assert!(Arc::ptr_eq(&again, &second));
    // Within the cooldown: no refetch.
    assert!(cache
        .refetch_for_unknown_kid(&second)
        .await
        .unwrap()
        .is_none());
    assert_eq!(fetches(&counter), 2);

    // A background refresh in flight is joined, not doubled.
    tokio::time::advance(TTL).await;
    assert_eq!(kid(&keys_now(&cache).await.unwrap()), "k2");
    let joined = cache
        .refetch_for_unknown_kid(&second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kid(&joined), "k3");
    assert_eq!(fetches(&counter), 3);
}

/// An unknown key id does not cut a failure's backoff short, even with no
/// cooldown of its own.
#[tokio::test(start_paused = true)]
async fn unknown_kid_refetch_waits_out_a_failure_backoff() {
    let lifetimes = Lifetimes {
        ttl: TTL,
        max_stale: MAX_STALE,
        unknown_kid_cooldown: Duration::ZERO,
    };
    let (cache, counter) = cache_with(lifetimes, [keys("k1"), Fail, keys("k2")]);
    let first = cache.keys().await.unwrap();
    assert!(cache.refetch_for_unknown_kid(&first).await.is_err());
    assert_eq!(fetches(&counter), 2);
    let during = cache.refetch_for_unknown_kid(&first).await.unwrap();
    assert!(during.is_none(), "no key, and no fetch, while backing off");
    assert_eq!(fetches(&counter), 2);

    tokio::time::advance(BACKOFF.ceiling(1)).await;
    let after = cache.refetch_for_unknown_kid(&first).await.unwrap();
    assert_eq!(after.as_deref().map(kid), Some("k2"));
    assert_eq!(fetches(&counter), 3);
}

#[test]
fn a_refresh_whose_runtime_shut_down_is_started_again() {
    // A zero TTL makes every read after the first stale.
    let (cache, counter) = cache_with_ttl(Duration::ZERO, [keys("k1"), Hang, keys("k2")]);
    let first = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    first.block_on(async {
        cache.keys().await.unwrap();
        // Starts a background refresh that never ends...
        assert_eq!(kid(&cache.keys().await.unwrap()), "k1");
    });
    // ...until its runtime goes, taking the task with it.
    drop(first);
    assert_eq!(fetches(&counter), 2);

    let second = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    second.block_on(async {
        assert_eq!(kid(&cache.keys().await.unwrap()), "k1");
        // The new refresh lands once its task has run.
        let refreshed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                tokio::task::yield_now().await;
                if kid(&cache.keys().await.unwrap()) == "k2" {
                    break;
                }
            }
        });
        refreshed
            .await
            .expect("no new refresh after the old runtime went");
    });
    // The hanging refresh was forgotten and a new one fetched k2; the read
    // that saw k2 (stale at once, with a zero TTL) started a fourth.
    assert_eq!(fetches(&counter), 4);
}

#[test]
fn backoff_doubles_from_1s_to_a_60s_cap_with_jitter() {
    let ceilings: Vec<u64> = (1..=9).map(|n| BACKOFF.ceiling(n).as_secs()).collect();
    assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    assert_eq!(BACKOFF.ceiling(u32::MAX), BACKOFF_MAX);
    for failures in [1, 3, 7, 40] {
        let ceiling = BACKOFF.ceiling(failures);
        let pauses: Vec<Duration> = (0..64).map(|_| BACKOFF.pause(failures)).collect();
        assert!(
            pauses.iter().all(|p| *p >= ceiling / 2 && *p <= ceiling),
            "{failures} failures: {pauses:?} outside [{:?}, {ceiling:?}]",
            ceiling / 2
        );
        assert!(
            pauses.iter().any(|p| *p != pauses[0]),
            "{failures} failures: no jitter in {pauses:?}"
        );
    }
}
