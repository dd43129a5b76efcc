//! Micro-benchmarks of the per-call path: one `GetUser` through the facade
//! and through the raw generated client (plain tonic, a static bearer
//! header), over the same connection, against the emulator's canned mode (fixed responses, no store),
//! so that the client side is what is measured. Also the cached-token read
//! that every call starts with, from eight threads at once.
//!
//! `cargo bench --bench call_path`

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use futures::stream::{self, StreamExt as _};
use scalekit::proto::users::{get_user_request, GetUserRequest, UserServiceClient};
use scalekit::ScalekitClient;
use scalekit_emulator::{Emulator, EmulatorHandle};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::{interceptor::InterceptedService, Interceptor};
use tonic::transport::{Channel, Endpoint};

const USER_ID: &str = "usr_24752512012812435";

fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The raw generated client as a hand-rolled tonic user would have it: a
/// static bearer header added by an interceptor, no SDK layer at all.
type RawUsers = UserServiceClient<InterceptedService<Channel, Bearer>>;

#[derive(Clone)]
struct Bearer(MetadataValue<Ascii>);

impl Interceptor for Bearer {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        request
            .metadata_mut()
            .insert("authorization", self.0.clone());
        Ok(request)
    }
}

/// A canned emulator, a warm SDK client, and a raw client over the same
/// connection (one tonic `Channel`, handed to the SDK's builder).
fn setup(rt: &tokio::runtime::Runtime) -> (EmulatorHandle, ScalekitClient, RawUsers) {
    rt.block_on(async {
        let emulator = Emulator::builder().canned(true).start().await?;
        let channel = Endpoint::from_shared(emulator.env_url().to_owned())?
            .connect()
            .await?;
        let client = emulator.client_builder().channel(channel.clone()).build()?;
        client.users().get_user(USER_ID).await?;
        let bearer = format!("Bearer {}", client.get_client_access_token().await?);
        let raw = UserServiceClient::with_interceptor(channel, Bearer(bearer.parse()?));
        raw.clone().get_user(raw_request()).await?;
        anyhow::Ok((emulator, client, raw))
    })
    .expect("setup")
}

fn raw_request() -> GetUserRequest {
    GetUserRequest {
        identities: Some(get_user_request::Identities::Id(USER_ID.to_owned())),
    }
}

/// Runs `iters` calls of `call`, `concurrency` in flight at a time, and
/// returns the wall time they took.
async fn drive<F, Fut>(iters: u64, concurrency: usize, call: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    stream::iter(0..iters)
        .map(|_| call())
        .buffer_unordered(concurrency)
        .for_each(|()| async {})
        .await;
    started.elapsed()
}

fn get_user(c: &mut Criterion) {
    let rt = runtime(2);
    let (emulator, client, raw) = setup(&rt);
    let users = client.users();

    let mut group = c.benchmark_group("get_user");
    for concurrency in [1usize, 16, 64, 256] {
        group.bench_with_input(
            BenchmarkId::new("raw", concurrency),
            &concurrency,
            |b, &concurrency| {
                b.to_async(&rt).iter_custom(|iters| {
                    let raw = raw.clone();
                    async move {
                        drive(iters, concurrency, || {
                            let mut raw = raw.clone();
                            async move {
                                raw.get_user(raw_request()).await.expect("raw get_user");
                            }
                        })
                        .await
                    }
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("facade", concurrency),
            &concurrency,
            |b, &concurrency| {
                b.to_async(&rt).iter_custom(|iters| {
                    let users = users.clone();
                    async move {
                        drive(iters, concurrency, || {
                            let users = users.clone();
                            async move {
                                users.get_user(USER_ID).await.expect("facade get_user");
                            }
                        })
                        .await
                    }
                })
            },
        );
    }
    group.finish();
    // One token for the whole run: the cache held.
    assert_eq!(emulator.token_requests(), 1, "token requests");
}

/// The token read every call starts with, from eight threads at once: a hit
/// must not serialise the threads on a lock.
fn cached_token(c: &mut Criterion) {
    const THREADS: u64 = 8;
    let rt = runtime(1);
    let (_emulator, client, _raw) = setup(&rt);
    let client = Arc::new(client);

    c.bench_function("cached_token/8_threads", |b| {
        b.iter_custom(|iters| {
            let per_thread = iters.div_ceil(THREADS);
            let started = Instant::now();
            std::thread::scope(|scope| {
                for _ in 0..THREADS {
                    let client = Arc::clone(&client);
                    scope.spawn(move || {
                        for _ in 0..per_thread {
                            // A hit completes without waiting, so no runtime
                            // is needed to drive it.
                            let token =
                                futures::executor::block_on(client.get_client_access_token());
                            std::hint::black_box(token.expect("cached token"));
                        }
                    });
                }
            });
            started.elapsed()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = get_user, cached_token
}
criterion_main!(benches);
