//! `scalekit-bench soak`: the facade under a bounded storm of faults, and
//! the promises that must hold through it.
//!
//! An in-process emulator serves 64 (by default) concurrent callers that
//! read and create for a fixed time, while a chaos driver injects, one after
//! another and at random: latency, `UNAVAILABLE` before the handler, token
//! revocations, failures after the handler committed (`UNAVAILABLE`,
//! `UNAUTHENTICATED`, a reset stream), frozen responses, connection drains
//! (GOAWAY) and server restarts. Afterwards, and before every restart (the
//! emulator keeps its data in memory), it checks:
//!
//! - no call ended later than its deadline plus [`LATE_SLACK`];
//! - no organization was stored twice (every create names a fresh one);
//! - every create the client saw succeed is stored;
//! - token requests stayed within one per revocation, restart and expiry,
//!   plus a few for hedged slow requests;
//! - resident memory stayed bounded: the run fails when the memory held
//!   with an empty store (measured after each restart) after the last
//!   restart is over twice what it was after the first. The peaks of each
//!   server's life are reported beside it; they follow the store, which
//!   grows by design.
//!
//! Traffic stays on 127.0.0.1, and the run stops by itself.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use clap::Args;
use futures::TryStreamExt as _;
use scalekit::organizations::ListOrganizationOptions;
use scalekit::users::ListUsersOptions;
use scalekit::{Code, ScalekitClient};
use scalekit_emulator::{Emulator, EmulatorHandle};

/// How late a call may end after its deadline: scheduling on a busy
/// two-core machine, not time the SDK may spend.
const LATE_SLACK: Duration = Duration::from_millis(50);

const CLIENT_ID: &str = "skc_soak";
const CLIENT_SECRET: &str = "soak_secret_value";

/// What to run.
#[derive(Debug, Args)]
pub struct SoakArgs {
    /// How long the storm lasts, in seconds.
    #[arg(long, default_value_t = 600)]
    seconds: u64,
    /// Concurrent callers.
    #[arg(long, default_value_t = 64)]
    callers: u32,
    /// Each call's deadline, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    deadline_ms: u64,
    /// Seconds between server restarts.
    #[arg(long, default_value_t = 60)]
    restart_every: u64,
    /// Access-token lifetime the emulator grants, in seconds (expiries are
    /// part of the storm).
    #[arg(long, default_value_t = 20)]
    token_ttl: u64,
    /// Seed of the chaos driver's choices.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// What the callers saw.
#[derive(Default)]
struct Ledger {
    calls: AtomicU64,
    failed: AtomicU64,
    /// Calls that ended late: when they began (since the start), how
    /// late, what they were, how they ended, and whether the data of a
    /// server was being checked meanwhile.
    late: Mutex<Vec<Late>>,
    /// Set while the driver checks a server's data before a restart.
    checking: AtomicBool,
    /// Creates the client saw succeed, by name, with their id.
    acknowledged: Mutex<BTreeMap<String, String>>,
    /// Creates that failed as `MaybeApplied`: stored or not, never twice.
    unsure: AtomicU64,
    /// Those of the current server, by name, with the code they failed
    /// with; checked against the store before each restart.
    unsure_names: Mutex<BTreeMap<String, String>>,
    /// How the unsure creates turned out, by code: (stored, not stored).
    /// A create refused at the door but reported `MaybeApplied` is a call
    /// failed for nothing.
    unsure_outcomes: Mutex<BTreeMap<String, (u64, u64)>>,
    errors: Mutex<BTreeMap<String, u64>>,
}

impl Ledger {
    fn record_error(&self, err: &scalekit::Error) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        let cause = match err {
            scalekit::Error::MaybeApplied(inner) => inner.as_ref(),
            other => other,
        };
        let label = match cause.code() {
            Some(code) => format!("{code:?}"),
            None => cause.to_string(),
        };
        let label = if err.may_have_been_applied() {
            format!("{label} (may have been applied)")
        } else {
            label
        };
        *lock(&self.errors).entry(label).or_default() += 1;
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the driver stops callers with around a restart; callers hold them
/// shared, the driver takes them whole, `creates` first.
#[derive(Default)]
struct Pauses {
    /// Held by creates, taken for a restart, so that no create is in flight
    /// while one server's data is checked and the next starts.
    creates: tokio::sync::RwLock<()>,
    /// Held by every call, taken while a server's data is checked. The
    /// check lists tens of thousands of records from the in-process
    /// emulator, which holds both runtime threads for a while: a call
    /// beside it would measure the harness, not the SDK.
    calls: tokio::sync::RwLock<()>,
}

/// One call that ended more than [`LATE_SLACK`] past its deadline.
#[derive(Clone, Debug)]
#[allow(dead_code)] // read through `Debug`
struct Late {
    began_s: f64,
    late_ms: f64,
    call: &'static str,
    outcome: String,
    during_check: bool,
}

/// What the chaos driver did, for the token-request bound.
#[derive(Default, Debug)]
struct Storm {
    revocations: u64,
    restarts: u64,
    faults: BTreeMap<&'static str, u64>,
}

/// A small deterministic generator (xorshift64*): the storm is the same for
/// the same seed, and nothing here needs more.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Runs the soak; fails when a promise broke.
pub fn run(args: &SoakArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(soak(args))
}

async fn start(addr: Option<SocketAddr>, ttl: Duration) -> anyhow::Result<EmulatorHandle> {
    let mut builder = Emulator::builder()
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_ttl(ttl);
    if let Some(addr) = addr {
        builder = builder.bind(addr);
    }
    // The port may take a moment to be free again after a shutdown.
    for _ in 0..50 {
        match builder.clone().start().await {
            Ok(emulator) => return Ok(emulator),
            Err(_) if addr.is_some() => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(err) => return Err(err.into()),
        }
    }
    anyhow::bail!("the emulator could not bind {addr:?} again")
}

async fn soak(args: &SoakArgs) -> anyhow::Result<()> {
    let deadline = Duration::from_millis(args.deadline_ms);
    let ttl = Duration::from_secs(args.token_ttl);
    let mut emulator = start(None, ttl).await?;
    let addr = emulator.addr();
    let client = emulator.client_builder().timeout(deadline).build()?;
    let ledger = Arc::new(Ledger::default());
    let stop = Arc::new(AtomicBool::new(false));
    let pauses = Arc::new(Pauses::default());
    let started = Instant::now();
    // Each server's peak, and what is held right after a restart, when the
    // new server's store is empty.
    let mut peaks = vec![resident_kib()];
    let mut floors = Vec::new();

    let callers: Vec<_> = (0..args.callers)
        .map(|caller| {
            tokio::spawn(call_loop(
                caller,
                client.clone(),
                started,
                Arc::clone(&ledger),
                Arc::clone(&stop),
                Arc::clone(&pauses),
                deadline,
            ))
        })
        .collect();

    let mut dice = Dice(args.seed.max(1));
    let mut storm = Storm::default();
    let mut token_requests = 0u64;
    let end = started + Duration::from_secs(args.seconds);
    let mut next_restart = started + Duration::from_secs(args.restart_every);
    let mut violations = Vec::new();
    while Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(200 + dice.below(300))).await;
        if let Some(peak) = peaks.last_mut() {
            *peak = (*peak).max(resident_kib());
        }
        if Instant::now() >= next_restart {
            next_restart += Duration::from_secs(args.restart_every);
            let _no_creates = pauses.creates.write().await;
            ledger.checking.store(true, Ordering::Relaxed);
            // Check this server's data before it goes: creates acknowledged
            // so far must be here, once each.
            let no_calls = pauses.calls.write().await;
            violations.extend(check_stored(&emulator, &ledger).await?);
            drop(no_calls);
            token_requests += emulator.token_requests();
            emulator.shutdown().await;
            tokio::time::sleep(Duration::from_millis(100 + dice.below(400))).await;
            emulator = start(Some(addr), ttl).await?;
            floors.push(resident_kib());
            peaks.push(0);
            lock(&ledger.acknowledged).clear();
            lock(&ledger.unsure_names).clear();
            ledger.checking.store(false, Ordering::Relaxed);
            storm.restarts += 1;
            continue;
        }
        let fault = inject(&emulator, &mut dice);
        if fault == "revocation" {
            storm.revocations += 1;
        }
        *storm.faults.entry(fault).or_default() += 1;
    }
    let storm_lasted = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await?;
    }
    emulator.clear_faults();
    violations.extend(check_stored(&emulator, &ledger).await?);
    token_requests += emulator.token_requests();

    let elapsed = started.elapsed();
    let expiries = elapsed.as_secs() / (args.token_ttl / 2).max(1) + 1;
    // One per revocation and expiry, and the first fetch. A restart costs
    // one (the new server's keys refuse the old token) and up to two more
    // while the port is closed. Ten spare for requests started beside a
    // slow one.
    let token_bound = storm.revocations + 3 * storm.restarts + expiries + 1 + 10;
    if token_requests > token_bound {
        violations.push(format!(
            "{token_requests} token requests, more than the bound {token_bound}"
        ));
    }
    let late = lock(&ledger.late).clone();
    if !late.is_empty() {
        violations.push(format!(
            "{} calls ended later than deadline + {LATE_SLACK:?}; the latest by {:.1} ms",
            late.len(),
            late.iter().map(|l| l.late_ms).fold(0.0, f64::max)
        ));
    }
    for call in late.iter().take(20) {
        println!("late: {call:?}");
    }
    if let (Some(first), Some(last)) = (floors.first(), floors.last()) {
        if floors.len() > 1 && *last > 2 * *first {
            violations.push(format!(
                "resident memory with an empty store grew from {first} KiB (after the first restart) to {last} KiB (after the last)"
            ));
        }
    }

    println!(
        "soak: {:.0} s of storm ({:.0} s with the checks), {} callers, deadline {deadline:?}",
        storm_lasted.as_secs_f64(),
        elapsed.as_secs_f64(),
        args.callers
    );
    println!(
        "calls: {} ({} failed), creates unsure: {}",
        ledger.calls.load(Ordering::Relaxed),
        ledger.failed.load(Ordering::Relaxed),
        ledger.unsure.load(Ordering::Relaxed)
    );
    println!("errors: {:?}", lock(&ledger.errors));
    println!(
        "creates that may have been applied, by code: (stored, not stored) {:?}",
        lock(&ledger.unsure_outcomes)
    );
    println!("storm: {storm:?}");
    println!("token requests: {token_requests} (bound {token_bound})");
    println!("resident memory (KiB) after each restart: {floors:?}");
    println!("resident memory (KiB), each server's peak: {peaks:?}");
    for violation in &violations {
        println!("VIOLATION: {violation}");
    }
    ensure!(
        violations.is_empty(),
        "{} promises broken",
        violations.len()
    );
    println!("every promise held");
    Ok(())
}

/// One caller: reads and creates until told to stop, timing every call.
async fn call_loop(
    caller: u32,
    client: ScalekitClient,
    started: Instant,
    ledger: Arc<Ledger>,
    stop: Arc<AtomicBool>,
    pauses: Arc<Pauses>,
    deadline: Duration,
) {
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let create = n.is_multiple_of(20);
        // In this order, as the driver takes them.
        let _creates_allowed = if create {
            Some(pauses.creates.read().await)
        } else {
            None
        };
        let _calls_allowed = pauses.calls.read().await;
        let began = Instant::now();
        let checking_then = ledger.checking.load(Ordering::Relaxed);
        let outcome = if create {
            let name = format!("soak-{caller}-{n}");
            let created = client
                .organizations()
                .create_organization(&name, Default::default())
                .await;
            match created {
                Ok(org) => {
                    lock(&ledger.acknowledged).insert(name, org.id);
                    Ok(())
                }
                Err(err) => {
                    if err.may_have_been_applied() {
                        ledger.unsure.fetch_add(1, Ordering::Relaxed);
                        let code = err
                            .code()
                            .map_or_else(|| err.to_string(), |c| format!("{c:?}"));
                        lock(&ledger.unsure_names).insert(name, code);
                    }
                    Err(err)
                }
            }
        } else {
            client
                .users()
                .list_users(ListUsersOptions::default().with_page_size(5))
                .await
                .map(drop)
        };
        let took = began.elapsed();
        ledger.calls.fetch_add(1, Ordering::Relaxed);
        if took > deadline + LATE_SLACK {
            lock(&ledger.late).push(Late {
                began_s: began.duration_since(started).as_secs_f64(),
                late_ms: (took - deadline).as_secs_f64() * 1e3,
                call: if create { "create" } else { "read" },
                outcome: match &outcome {
                    Ok(()) => "ok".into(),
                    Err(err) => err.display_chain().to_string(),
                },
                during_check: checking_then || ledger.checking.load(Ordering::Relaxed),
            });
        }
        if let Err(err) = outcome {
            ledger.record_error(&err);
        }
    }
}

/// The organizations stored, checked against what the callers were told:
/// each name at most once, and every acknowledged one present.
async fn check_stored(emulator: &EmulatorHandle, ledger: &Ledger) -> anyhow::Result<Vec<String>> {
    emulator.clear_faults();
    // A client of its own, with no deadline to race the storm's leftovers.
    let checker = emulator.client()?;
    let stored: Vec<(String, String)> = checker
        .organizations()
        .list_organization_stream(ListOrganizationOptions::default().with_page_size(100))
        .map_ok(|org| (org.display_name, org.id))
        .try_collect()
        .await
        .context("listing the stored organizations")?;
    let mut seen = BTreeSet::new();
    let mut violations = Vec::new();
    for (name, _) in &stored {
        if !seen.insert(name.as_str()) {
            violations.push(format!("organization {name} stored twice"));
        }
    }
    let ids: BTreeSet<&str> = stored.iter().map(|(_, id)| id.as_str()).collect();
    let names: BTreeSet<&str> = stored.iter().map(|(name, _)| name.as_str()).collect();
    for (name, code) in lock(&ledger.unsure_names).iter() {
        let mut outcomes = lock(&ledger.unsure_outcomes);
        let counts = outcomes.entry(code.clone()).or_default();
        if names.contains(name.as_str()) {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }
    for (name, id) in lock(&ledger.acknowledged).iter() {
        if !ids.contains(id.as_str()) {
            violations.push(format!(
                "acknowledged organization {name} ({id}) is missing"
            ));
        }
    }
    Ok(violations)
}

/// One fault, chosen at random; returns its name.
fn inject(emulator: &EmulatorHandle, dice: &mut Dice) -> &'static str {
    const CREATE: Option<&str> = Some("CreateOrganization");
    let times = 1 + dice.below(4) as u32;
    match dice.below(10) {
        0 => {
            emulator.set_latency(Duration::from_millis(dice.below(400)));
            "latency"
        }
        1 => {
            emulator.fail_next(None, times, Code::Unavailable);
            "unavailable"
        }
        2 => {
            emulator.revoke_tokens();
            "revocation"
        }
        3 => {
            emulator.fail_next_after_commit(CREATE, times, Code::Unavailable);
            "unavailable after commit"
        }
        4 => {
            emulator.fail_next_after_commit(CREATE, times, Code::Unauthenticated);
            "unauthenticated after commit"
        }
        5 => {
            emulator.reset_next_after_commit(None, times);
            "reset after commit"
        }
        6 => {
            emulator.stall_next_after_headers(None, times);
            "freeze after headers"
        }
        7 => {
            emulator.trickle_next(None, times, Duration::from_millis(dice.below(1500)));
            "trickle"
        }
        8 => {
            emulator.drain_connections();
            "drain (GOAWAY)"
        }
        _ => {
            emulator.clear_faults();
            "calm"
        }
    }
}

/// This process's resident set, in KiB (0 where /proc is not there).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
