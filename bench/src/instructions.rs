//! `scalekit-bench instructions`: the per-call cost of each Rust client in
//! CPU instructions, counted by valgrind's callgrind.
//!
//! Calls per second on a shared two-core machine move by ±20 % between
//! rounds, which hides a difference of a few percent between the facade
//! and the raw client. An instruction count does not depend on what else
//! the machine is doing: it repeats to about 0.2 %. So this mode answers
//! "how much work does one call cost" exactly, and the load run answers
//! "how does that show under concurrency".
//!
//! Each client runs in a process of its own under callgrind, with the
//! canned emulator in the same process and on the same single-threaded
//! runtime, so that every instruction of a round trip (client, HTTP/2 both
//! ways, server) happens inside [`measured_calls`]. Collection is switched
//! on only inside that function (`--toggle-collect`), after a warm-up that
//! connects and fetches the token; the count divided by the calls is the
//! cost of one warm call.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, ensure, Context as _};
use scalekit_emulator::{Emulator, Fixtures};

use crate::cell::Workload;
use crate::client::{tonic_users, RustClient, Users};

/// The function whose instructions are counted; callgrind finds it by this
/// name, so it must not be inlined or renamed.
const MEASURED_FUNCTION: &str = "*instructions::measured_calls*";

/// Calls made before collection starts (at least two per task): the first
/// ones connect, fetch the token and fill the HPACK tables and allocator
/// caches.
const WARMUP_CALLS: u32 = 200;

const SEED: &str = r#"{
  "organizations": [{
    "display_name": "Bench Org",
    "users": [{ "email": "reader@bench.example", "given_name": "Bench", "family_name": "Reader" }]
  }]
}"#;

/// The clients compared, baseline first.
const CLIENTS: [RustClient; 3] = [RustClient::Tonic, RustClient::Raw, RustClient::Facade];

/// Runs every (workload, client) pair under callgrind and prints a table of
/// instructions per iteration with the facade's ratios.
pub fn run(workloads: &[Workload], concurrency: &[u32], calls: u32) -> anyhow::Result<()> {
    ensure!(calls > 0, "--calls must be at least 1");
    let valgrind = which("valgrind").context(
        "the instructions mode needs valgrind on the PATH (Debian: apt install valgrind)",
    )?;
    let me = std::env::current_exe().context("cannot find the bench binary")?;
    let dir = std::env::temp_dir().join(format!("scalekit-bench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("cannot make a temporary folder")?;
    let result = run_all(&valgrind, &me, &dir, workloads, concurrency, calls);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_all(
    valgrind: &Path,
    me: &Path,
    dir: &Path,
    workloads: &[Workload],
    concurrency: &[u32],
    calls: u32,
) -> anyhow::Result<()> {
    println!(
        "| workload | c | tonic | raw | facade | facade / raw | facade − raw | facade / tonic |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|");
    for &workload in workloads {
        for &c in concurrency {
            let mut counts = Vec::new();
            for kind in CLIENTS {
                let out = dir.join(format!("{}-{c}-{}.out", workload.name(), kind_name(kind)));
                let status = Command::new(valgrind)
                    .arg("--tool=callgrind")
                    .arg("--collect-atstart=no")
                    .arg(format!("--toggle-collect={MEASURED_FUNCTION}"))
                    .arg(format!("--callgrind-out-file={}", out.display()))
                    .arg(me)
                    .arg("instructions-child")
                    .args(["--kind", kind_name(kind)])
                    .args(["--workload", workload.name()])
                    .args(["--calls", &calls.to_string()])
                    .args(["--concurrency", &c.to_string()])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .output()
                    .context("cannot run valgrind")?;
                if !status.status.success() {
                    bail!(
                        "{} {} under callgrind failed: {}",
                        workload.name(),
                        kind_name(kind),
                        String::from_utf8_lossy(&status.stderr)
                    );
                }
                let total = total_instructions(&out)?;
                counts.push(total as f64 / f64::from(calls));
            }
            let [tonic, raw, facade] = [counts[0], counts[1], counts[2]];
            println!(
                "| {} | {c} | {:.1}k | {:.1}k | {:.1}k | {:.3}× | {:+.1}k | {:.3}× |",
                workload.name(),
                tonic / 1e3,
                raw / 1e3,
                facade / 1e3,
                facade / raw,
                (facade - raw) / 1e3,
                facade / tonic,
            );
        }
    }
    println!(
        "\nInstructions per iteration (create-delete: two RPCs), client and canned \
         server in one process, {calls} warm calls after {WARMUP_CALLS} of warm-up."
    );
    Ok(())
}

fn kind_name(kind: RustClient) -> &'static str {
    match kind {
        RustClient::Tonic => "tonic",
        RustClient::Raw => "raw",
        _ => "facade",
    }
}

/// The `summary:` (or `totals:`) line of a callgrind output file: the
/// instructions collected.
fn total_instructions(path: &Path) -> anyhow::Result<u64> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("callgrind wrote no {}", path.display()))?;
    text.lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no instruction total in {}", path.display()))
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|path| path.is_file())
}

/// The process callgrind runs: one client, one workload.
pub fn child(
    kind: RustClient,
    workload: Workload,
    calls: u32,
    concurrency: u32,
) -> anyhow::Result<()> {
    ensure!(concurrency > 0, "--concurrency must be at least 1");
    let runtime = crate::client::current_thread_runtime()?;
    let (workers, _emulator) = runtime.block_on(async {
        let fixtures = Fixtures::from_json(SEED).context("the seed is not valid")?;
        let emulator = Emulator::builder()
            .seed(fixtures)
            .canned(true)
            .start()
            .await
            .context("cannot start the emulator")?;
        let client = emulator.client().context("cannot build the client")?;
        let seeded = client
            .users()
            .list_users(Default::default())
            .await
            .context("cannot list the seeded users")?;
        let user = seeded.items.first().context("the seed made no user")?;
        let org_id = user
            .memberships
            .first()
            .map(|m| m.organization_id.clone())
            .context("the seeded user has no membership")?;
        let tonic = match kind {
            RustClient::Tonic => Some(
                tonic_users(
                    emulator.env_url(),
                    emulator.client_id(),
                    emulator.client_secret(),
                )
                .await?,
            ),
            _ => None,
        };
        let workers = (0..concurrency)
            .map(|i| Worker {
                users: Users::new(kind, &client, tonic.as_ref()),
                workload,
                user_id: user.id.clone(),
                org_id: org_id.clone(),
                name: format!("w{i}"),
                seq: 0,
            })
            .collect();
        anyhow::Ok((workers, emulator))
    })?;
    let workers = runtime.block_on(in_parallel(workers, WARMUP_CALLS.max(2 * concurrency)))?;
    measured_calls(&runtime, workers, calls).map(drop)
}

/// The measured part; see [`MEASURED_FUNCTION`].
#[inline(never)]
fn measured_calls(
    runtime: &tokio::runtime::Runtime,
    workers: Vec<Worker>,
    calls: u32,
) -> anyhow::Result<Vec<Worker>> {
    runtime.block_on(in_parallel(workers, calls))
}

/// One task's client and what it calls.
struct Worker {
    users: Users,
    workload: Workload,
    user_id: String,
    org_id: String,
    /// Keeps the emails of concurrent creates apart.
    name: String,
    seq: u64,
}

impl Worker {
    async fn iterate(mut self, calls: u32) -> anyhow::Result<Worker> {
        for _ in 0..calls {
            self.seq += 1;
            let result = match self.workload {
                Workload::GetUser => self.users.get_user(&self.user_id).await,
                Workload::CreateDelete => {
                    let email = format!("bench-{}-{}@bench.example", self.name, self.seq);
                    self.users.create_then_delete(&self.org_id, email).await
                }
                Workload::LoginMix => bail!("login-mix is not measured in instructions"),
            };
            result.map_err(anyhow::Error::msg)?;
        }
        Ok(self)
    }
}

/// Runs `calls` iterations spread over the workers, all in flight at once,
/// as tasks of the current (single-threaded) runtime.
async fn in_parallel(workers: Vec<Worker>, calls: u32) -> anyhow::Result<Vec<Worker>> {
    let n = u32::try_from(workers.len()).unwrap_or(u32::MAX).max(1);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, worker) in (0u32..).zip(workers) {
        // The first `calls % n` workers take one call more.
        let share = calls / n + u32::from(i < calls % n);
        tasks.spawn(worker.iterate(share));
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        done.push(joined.context("a worker panicked")??);
    }
    Ok(done)
}
