//! Measures how many calls a second a running emulator answers: a bounded
//! closed-loop load of `GetUser` calls over loopback.
//!
//! ```text
//! taskset -c 0 target/release/scalekit-emulator --port 7070 --client-id skc_1 --client-secret s [--canned] &
//! taskset -c 1 target/release/examples/throughput --url http://127.0.0.1:7070 --client-id skc_1 --client-secret s
//! ```
//!
//! In normal mode the user is created first (the emulator answers NOT_FOUND
//! otherwise); in canned mode any id is answered.

use std::time::{Duration, Instant};

use clap::Parser;
use scalekit::proto::users::{get_user_request, GetUserRequest};

/// Closed-loop load against a running emulator.
#[derive(Debug, Parser)]
struct Args {
    /// The emulator's environment URL.
    #[arg(long)]
    url: String,
    /// Client id the emulator accepts.
    #[arg(long)]
    client_id: String,
    /// Client secret the emulator accepts.
    #[arg(long)]
    client_secret: String,
    /// Calls in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Stop after this many seconds of load…
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// …or after this many calls, whichever comes first.
    #[arg(long, default_value_t = 2_000_000)]
    max_calls: u64,
    /// Create a user to get (normal mode); off for canned mode.
    #[arg(long)]
    create_user: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let client = scalekit::ScalekitClient::new(&args.url, &args.client_id, &args.client_secret)?;
    let user_id = if args.create_user {
        let org = client
            .organizations()
            .create_organization("Load", Default::default())
            .await?;
        client
            .users()
            .create_user_and_membership(
                &org.id,
                scalekit::users::CreateUser {
                    email: "load@acme.example".into(),
                    ..Default::default()
                },
                Default::default(),
            )
            .await?
            .id
    } else {
        "usr_10000000000000042".to_string()
    };
    let request = GetUserRequest {
        identities: Some(get_user_request::Identities::Id(user_id)),
    };
    // Warm up: token, connection.
    for _ in 0..100 {
        client.raw().users().get_user(request.clone()).await?;
    }

    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let per_task = args.max_calls / args.concurrency.max(1) as u64;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency.max(1) {
        let mut users = client.raw().users();
        let request = request.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0u64;
            while Instant::now() < deadline && (latencies.len() as u64) < per_task {
                let call = Instant::now();
                if users.get_user(request.clone()).await.is_err() {
                    failures += 1;
                }
                latencies.push(call.elapsed());
            }
            (latencies, failures)
        });
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    while let Some(done) = tasks.join_next().await {
        let (mine, failed) = done?;
        latencies.extend(mine);
        failures += failed;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "calls={} failures={failures} seconds={:.2} calls/s={:.0} p50={:?} p99={:?} max={:?}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    Ok(())
}
