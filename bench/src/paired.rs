//! `scalekit-bench paired`: two Rust clients compared inside one client
//! process, in alternating time slices, against the canned server.
//!
//! The ordinary run gives each (client, cell, round) a process of its own,
//! so a round's figure carries everything that differs between processes
//! and between seconds: where the allocator and the code landed, what the
//! machine's other tenants were doing. On a shared machine that spreads
//! facade/raw ratios from 0.65× to 1.4× round by round, far wider than the
//! 5 % the call-path target asks about. Here both clients share one process,
//! one `ScalekitClient` (connection and token cache) and one runtime; they
//! take turns in short slices, in A B B A order so that a drift within the
//! run falls on both alike, and each side's figures are summed over all its
//! slices. Several processes are run per cell, and the report shows each
//! one's ratio and their median.
//!
//! The same mode with one client on both sides (`--pair raw,raw`) is the
//! control: what it shows beyond 1.00× is the method's own noise.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use scalekit::ScalekitClient;
use serde::{Deserialize, Serialize};

use crate::cell::{Job, ServerMode, Spec, Workload};
use crate::child::Child;
use crate::client::{
    current_thread_runtime, load_workers, seconds, tonic_users_from_env, RustClient,
};
use crate::driver::{run_phase, Bounds, Latencies};
use crate::machine::Machine;
use crate::processes::{Pinning, Role, Server};
use crate::stats::{median, percentile_sorted};
use crate::usage;

/// The flags of `scalekit-bench paired`.
#[derive(Clone, Debug, clap::Args)]
pub struct PairedArgs {
    /// The two clients, A then B; the report gives B / A.
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["raw", "facade"])]
    pub pair: Vec<RustClient>,
    /// Workloads (get-user, create-delete).
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["get-user", "create-delete"])]
    pub workloads: Vec<Workload>,
    /// Calls in flight.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 16, 64, 256])]
    pub concurrency: Vec<usize>,
    /// Slices each client gets in one process.
    #[arg(long, default_value_t = 20)]
    pub slices: u32,
    /// Length of one slice, in seconds.
    #[arg(long, default_value_t = 0.25)]
    pub slice_seconds: f64,
    /// Client processes per cell.
    #[arg(long, default_value_t = 3)]
    pub processes: u32,
    /// Do not pin the server and the client to separate cores.
    #[arg(long)]
    pub no_pin: bool,
    /// Where to write `paired.md` and `paired.json` (default
    /// `<target dir>/bench-report`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl PairedArgs {
    fn check(&self) -> anyhow::Result<()> {
        if self.pair.len() != 2 || self.pair.contains(&RustClient::Rust) {
            bail!("--pair takes two load clients (tonic, raw, facade), such as raw,facade");
        }
        if !(1..=1000).contains(&self.slices) || !(1..=50).contains(&self.processes) {
            bail!("--slices must be 1 to 1000 and --processes 1 to 50");
        }
        if !(0.01..=10.0).contains(&self.slice_seconds) {
            bail!("--slice-seconds must be between 0.01 and 10");
        }
        if self.concurrency.iter().any(|c| !(1..=4096).contains(c)) {
            bail!("--concurrency levels must be between 1 and 4096");
        }
        if self.workloads.contains(&Workload::LoginMix) {
            bail!("paired runs take get-user and create-delete");
        }
        Ok(())
    }
}

/// What one side of a pair did over all its slices.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Side {
    /// `tonic`, `raw` or `facade`.
    pub client: String,
    /// RPCs that succeeded.
    pub calls: u64,
    /// Iterations that failed.
    pub errors: u64,
    /// The first failure's message.
    pub first_error: Option<String>,
    /// The slices' lengths, summed.
    pub elapsed_s: f64,
    /// The process's CPU time during the slices, summed.
    pub cpu_s: f64,
    /// Median iteration latency over all slices.
    pub p50_ms: Option<f64>,
    /// 99th percentile iteration latency over all slices.
    pub p99_ms: Option<f64>,
}

impl Side {
    fn calls_per_s(&self) -> f64 {
        if self.elapsed_s > 0.0 {
            self.calls as f64 / self.elapsed_s
        } else {
            0.0
        }
    }

    fn cpu_per_call(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.cpu_s / self.calls as f64)
    }
}

/// What a paired client process prints: side A, then side B.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PairMeasured {
    /// Both sides, in `--pair` order.
    pub sides: [Side; 2],
}

/// One process's ratios, B over A.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Ratios {
    calls_per_s: f64,
    p99: Option<f64>,
    cpu_per_call: Option<f64>,
}

fn ratios(m: &PairMeasured) -> Ratios {
    let [a, b] = &m.sides;
    let over = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) if y > 0.0 => Some(x / y),
        _ => None,
    };
    Ratios {
        calls_per_s: b.calls_per_s() / a.calls_per_s().max(f64::MIN_POSITIVE),
        p99: over(b.p99_ms, a.p99_ms),
        cpu_per_call: over(b.cpu_per_call(), a.cpu_per_call()),
    }
}

/// One cell: every process's measurement.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct PairedCell {
    workload: Workload,
    concurrency: usize,
    runs: Vec<PairMeasured>,
}

/// The client side: runs the pair in alternating slices and prints one
/// [`PairMeasured`] line.
///
/// # Errors
/// A missing `SCALEKIT_*` variable, a client that cannot be built, or a
/// spec that is not a load job.
pub fn child(pair: [RustClient; 2], slices: u32, spec: &Spec) -> anyhow::Result<()> {
    let Job::Load(workload) = spec.job else {
        bail!("paired runs take load jobs");
    };
    let runtime = current_thread_runtime()?;
    let measured = runtime.block_on(async {
        let client = ScalekitClient::from_env().context("cannot build the client")?;
        let tonic = if pair.contains(&RustClient::Tonic) {
            Some(tonic_users_from_env().await?)
        } else {
            None
        };
        let mut workers =
            pair.map(|kind| Some(load_workers(kind, &client, tonic.as_ref(), spec, workload)));
        let mut sides = pair.map(|kind| Tally::new(kind, spec.max_iterations));
        let warmup = Bounds {
            max_iterations: spec.warmup_iterations,
            limit: seconds(spec.warmup_seconds),
            seq_base: 0,
        };
        for slot in &mut workers {
            let (back, _) = run_phase(slot.take().unwrap_or_default(), warmup, None, || {}).await;
            *slot = Some(back);
        }
        let mut seq_base = 1u64 << 40;
        for slice in 0..slices {
            // A B, then B A: a steady drift costs both sides the same.
            let order = if slice % 2 == 0 { [0, 1] } else { [1, 0] };
            for side in order {
                let bounds = Bounds {
                    max_iterations: spec.max_iterations,
                    limit: seconds(spec.seconds),
                    seq_base,
                };
                seq_base += spec.max_iterations;
                let tally = &mut sides[side];
                let mut start = None;
                let (back, outcome) = run_phase(
                    workers[side].take().unwrap_or_default(),
                    bounds,
                    Some(&tally.latencies),
                    || start = Some((Instant::now(), usage::now())),
                )
                .await;
                let (t1, u1) = (Instant::now(), usage::now());
                let (t0, u0) = start.unwrap_or((t1, u1));
                workers[side] = Some(back);
                tally.elapsed += t1.duration_since(t0);
                tally.cpu += u1.cpu.saturating_sub(u0.cpu);
                tally.calls += outcome.calls;
                tally.errors += outcome.errors;
                if tally.first_error.is_none() {
                    tally.first_error = outcome.first_error;
                }
                // Outside the timed part: keep this slice's latencies.
                tally.keep_latencies();
            }
        }
        anyhow::Ok(PairMeasured {
            sides: sides.map(Tally::finish),
        })
    })?;
    println!("{}", serde_json::to_string(&measured)?);
    Ok(())
}

/// One side's running sums.
struct Tally {
    kind: RustClient,
    latencies: Latencies,
    all: Vec<u64>,
    elapsed: Duration,
    cpu: Duration,
    calls: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Tally {
    fn new(kind: RustClient, per_slice: u64) -> Tally {
        Tally {
            kind,
            latencies: Latencies::with_capacity(per_slice),
            all: Vec::new(),
            elapsed: Duration::ZERO,
            cpu: Duration::ZERO,
            calls: 0,
            errors: 0,
            first_error: None,
        }
    }

    fn keep_latencies(&mut self) {
        self.all.extend(self.latencies.sorted());
        self.latencies.clear();
    }

    fn finish(mut self) -> Side {
        self.all.sort_unstable();
        let ms = |ns: u64| ns as f64 / 1e6;
        Side {
            client: self.kind.name().to_string(),
            calls: self.calls,
            errors: self.errors,
            first_error: self.first_error,
            elapsed_s: self.elapsed.as_secs_f64(),
            cpu_s: self.cpu.as_secs_f64(),
            p50_ms: percentile_sorted(&self.all, 50.0).map(ms),
            p99_ms: percentile_sorted(&self.all, 99.0).map(ms),
        }
    }
}

/// The orchestrator side: starts the canned server, runs every cell's
/// processes, prints the table and writes `paired.md` and `paired.json`.
///
/// # Errors
/// Bad flags, a process that cannot start, fails or times out, or a report
/// that cannot be written.
pub fn run(args: &PairedArgs) -> anyhow::Result<()> {
    args.check()?;
    let started = Instant::now();
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let cpus = Machine::detect(String::new()).cpus;
    let pin = Pinning::detect(!args.no_pin, cpus);
    let mut machine = Machine::detect(pin.describe(!args.no_pin));
    let pair = [args.pair[0], args.pair[1]];
    let server = Server::start(&exe, ServerMode::Canned, &pin)?;
    let mut cells = Vec::new();
    for &workload in &args.workloads {
        for &concurrency in &args.concurrency {
            let spec = spec(&server, args, workload, concurrency);
            let mut runs = Vec::new();
            for process in 0..args.processes {
                let measured = run_child(&exe, &pin, &server, pair, args.slices, &spec)
                    .with_context(|| {
                        format!(
                            "{} c={concurrency} process {}",
                            workload.name(),
                            process + 1
                        )
                    })?;
                let r = ratios(&measured);
                eprintln!(
                    "[{:>4.0}s] {} c={concurrency} p{}: {} / {} calls/s {:.3}×  p99 {}  CPU/call {}{}",
                    started.elapsed().as_secs_f64(),
                    workload.name(),
                    process + 1,
                    pair[1].name(),
                    pair[0].name(),
                    r.calls_per_s,
                    times(r.p99),
                    times(r.cpu_per_call),
                    errors(&measured),
                );
                runs.push(measured);
            }
            cells.push(PairedCell {
                workload,
                concurrency,
                runs,
            });
        }
    }
    server.stop()?;

    machine.load_average_end = crate::machine::load_average();
    let markdown = markdown(args, pair, &machine, &cells, started.elapsed());
    let out = match &args.out {
        Some(out) => out.clone(),
        None => crate::settings::default_out()?,
    };
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let md = out.join("paired.md");
    std::fs::write(&md, &markdown).with_context(|| format!("cannot write {}", md.display()))?;
    let json = out.join("paired.json");
    std::fs::write(&json, serde_json::to_string_pretty(&cells)?)
        .with_context(|| format!("cannot write {}", json.display()))?;
    println!("{markdown}");
    eprintln!("wrote {} and {}", md.display(), json.display());
    Ok(())
}

fn spec(server: &Server, args: &PairedArgs, workload: Workload, concurrency: usize) -> Spec {
    Spec {
        job: Job::Load(workload),
        concurrency,
        max_iterations: 200_000,
        seconds: args.slice_seconds,
        warmup_iterations: 20_000,
        warmup_seconds: 0.4,
        user_id: server.hello.user_id.clone(),
        org_id: server.hello.org_id.clone(),
        token: server.hello.token.clone(),
        issuer: server.hello.env_url.clone(),
        audience: server.hello.client_id.clone(),
        webhook: None,
    }
}

fn run_child(
    exe: &std::path::Path,
    pin: &Pinning,
    server: &Server,
    pair: [RustClient; 2],
    slices: u32,
    spec: &Spec,
) -> anyhow::Result<PairMeasured> {
    let hello = &server.hello;
    let mut command = pin.command(Role::Client, exe);
    command
        .args(["paired-child", "--pair"])
        .arg(format!("{},{}", pair[0].name(), pair[1].name()))
        .arg("--slices")
        .arg(slices.to_string())
        .arg("--spec")
        .arg(serde_json::to_string(spec)?)
        .env("SCALEKIT_ENVIRONMENT_URL", &hello.env_url)
        .env("SCALEKIT_CLIENT_ID", &hello.client_id)
        .env("SCALEKIT_CLIENT_SECRET", &hello.client_secret);
    let child = Child::spawn("the paired client", command)?;
    let budget = spec.warmup_seconds * 2.0 + spec.seconds * 2.0 * f64::from(slices) + 60.0;
    let deadline = Instant::now() + seconds(budget);
    let measured = loop {
        let line = child.next_line(deadline)?;
        if let Ok(measured) = serde_json::from_str::<PairMeasured>(&line) {
            break measured;
        }
    };
    child.finish(Duration::from_secs(15))?;
    Ok(measured)
}

fn times(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "–".into(), |r| format!("{r:.3}×"))
}

fn errors(m: &PairMeasured) -> String {
    let errors: u64 = m.sides.iter().map(|s| s.errors).sum();
    if errors == 0 {
        return String::new();
    }
    let first = m.sides.iter().find_map(|s| s.first_error.as_deref());
    format!("  {errors} ERRORS: {}", first.unwrap_or("?"))
}

fn markdown(
    args: &PairedArgs,
    pair: [RustClient; 2],
    machine: &Machine,
    cells: &[PairedCell],
    took: Duration,
) -> String {
    use std::fmt::Write as _;

    let (a, b) = (pair[0].name(), pair[1].name());
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Paired run: {b} against {a}, one process, alternating slices\n"
    );
    let _ = writeln!(
        md,
        "{}, commit {}, {} CPUs ({}). Canned server. {} slices of {} s per client per process, in A B B A order; {} processes per cell; {:.0} s in all. Client: one current-thread runtime, one `ScalekitClient` shared by both sides. Pinning: {}. Load average {} at the start, {} at the end.\n",
        machine.date,
        machine.commit.as_deref().unwrap_or("unknown"),
        machine.cpus,
        machine.cpu_model,
        args.slices,
        args.slice_seconds,
        args.processes,
        took.as_secs_f64(),
        machine.pinning,
        machine.load_average,
        machine.load_average_end,
    );
    let _ = writeln!(
        md,
        "Each process's figures are summed over its slices; the ratios are {b} / {a}, per process, and the last columns are their medians.\n"
    );
    let _ = writeln!(
        md,
        "| workload | c | {a} calls/s | {b} calls/s | calls/s ratio per process | p99 ratio per process | CPU/call ratio per process | median calls/s | median p99 | median CPU/call | errors |"
    );
    let _ = writeln!(md, "|---|--:|--:|--:|---|---|---|--:|--:|--:|--:|");
    for cell in cells {
        let all: Vec<Ratios> = cell.runs.iter().map(ratios).collect();
        let list = |f: &dyn Fn(&Ratios) -> Option<f64>| {
            all.iter()
                .map(|r| times(f(r)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mid = |f: &dyn Fn(&Ratios) -> Option<f64>| times(median(all.iter().filter_map(f)));
        let rate = |i: usize| median(cell.runs.iter().map(|m| m.sides[i].calls_per_s()));
        let errors: u64 = cell
            .runs
            .iter()
            .flat_map(|m| m.sides.iter().map(|s| s.errors))
            .sum();
        let _ = writeln!(
            md,
            "| {} | {} | {:.0} | {:.0} | {} | {} | {} | **{}** | **{}** | {} | {} |",
            cell.workload.name(),
            cell.concurrency,
            rate(0).unwrap_or(0.0),
            rate(1).unwrap_or(0.0),
            list(&|r| Some(r.calls_per_s)),
            list(&|r| r.p99),
            list(&|r| r.cpu_per_call),
            mid(&|r| Some(r.calls_per_s)),
            mid(&|r| r.p99),
            mid(&|r| r.cpu_per_call),
            errors,
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(client: &str, calls: u64, elapsed_s: f64, cpu_s: f64, p99_ms: f64) -> Side {
        Side {
            client: client.into(),
            calls,
            errors: 0,
            first_error: None,
            elapsed_s,
            cpu_s,
            p50_ms: Some(p99_ms / 2.0),
            p99_ms: Some(p99_ms),
        }
    }

    #[test]
    fn ratios_are_b_over_a() {
        let m = PairMeasured {
            sides: [
                side("raw", 1000, 1.0, 0.5, 2.0),
                side("facade", 900, 1.0, 0.54, 2.2),
            ],
        };
        let r = ratios(&m);
        assert!((r.calls_per_s - 0.9).abs() < 1e-9);
        assert!((r.p99.unwrap() - 1.1).abs() < 1e-9);
        // 0.54/900 over 0.5/1000.
        assert!((r.cpu_per_call.unwrap() - 1.2).abs() < 1e-9);
    }

    #[test]
    fn a_side_with_no_calls_has_no_cpu_per_call_and_no_rate() {
        let empty = side("raw", 0, 0.0, 0.1, 1.0);
        assert_eq!(empty.calls_per_s(), 0.0);
        assert_eq!(empty.cpu_per_call(), None);
    }

    #[test]
    fn bad_flags_are_refused() {
        let good = PairedArgs {
            pair: vec![RustClient::Raw, RustClient::Facade],
            workloads: vec![Workload::GetUser],
            concurrency: vec![1],
            slices: 2,
            slice_seconds: 0.1,
            processes: 1,
            no_pin: true,
            out: None,
        };
        assert!(good.check().is_ok());
        for bad in [
            PairedArgs {
                pair: vec![RustClient::Raw],
                ..good.clone()
            },
            PairedArgs {
                pair: vec![RustClient::Raw, RustClient::Rust],
                ..good.clone()
            },
            PairedArgs {
                slices: 0,
                ..good.clone()
            },
            PairedArgs {
                slice_seconds: 0.0,
                ..good.clone()
            },
            PairedArgs {
                workloads: vec![Workload::LoginMix],
                ..good.clone()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
