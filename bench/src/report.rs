//! Turns the cells of a run into the report: medians over rounds, the
//! ratios the targets are stated in, `report.md` and `report.json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::cell::{ClientKind, Measured, Micro, ServerMode, Workload};
use crate::machine::Machine;
use crate::settings::Settings;
use crate::stats::median;

/// One load cell as run: which server, workload, client, concurrency and
/// round, what the client measured and what the server counted.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CellRecord {
    /// The server mode.
    pub server: ServerMode,
    /// The workload.
    pub workload: Workload,
    /// The client.
    pub client: ClientKind,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Which round (0-based).
    pub round: usize,
    /// The client's own measurements.
    pub measured: Measured,
    /// `POST /oauth/token` requests during the client's whole life.
    pub token_requests: u64,
    /// `GET /keys` requests during the client's whole life.
    pub jwks_requests: u64,
    /// Server CPU time over wall time during the measured part (1.0 = one
    /// core fully busy).
    pub server_cpu: f64,
}

/// One micro comparison run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MicroRecord {
    /// Which operation.
    pub micro: Micro,
    /// Which round (0-based).
    pub round: usize,
    /// `rust` or `node`, with what it measured.
    pub measured: Measured,
}

/// Medians over rounds for one (server, workload, client, concurrency).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Row {
    /// The server mode.
    pub server: ServerMode,
    /// The workload.
    pub workload: Workload,
    /// The client.
    pub client: ClientKind,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// How many rounds the medians are over.
    pub rounds: usize,
    /// Successful RPCs per second.
    pub calls_per_s: f64,
    /// Median iteration latency.
    pub p50_ms: Option<f64>,
    /// 99th percentile iteration latency.
    pub p99_ms: Option<f64>,
    /// Slowest iteration.
    pub max_ms: Option<f64>,
    /// Client CPU seconds per 1,000 RPCs.
    pub cpu_s_per_1k: Option<f64>,
    /// Client CPU time over wall time (1.0 = one core).
    pub client_cpu: f64,
    /// Server CPU time over wall time.
    pub server_cpu: f64,
    /// Peak RSS of the client process, MiB.
    pub peak_rss_mib: f64,
    /// Heap allocations per RPC (Rust clients).
    pub allocs_per_call: Option<f64>,
    /// Fewest token requests a round made.
    pub token_requests_min: u64,
    /// Most token requests a round made.
    pub token_requests_max: u64,
    /// Failed iterations, summed over rounds.
    pub errors: u64,
    /// The first failure seen, if any.
    pub first_error: Option<String>,
}

/// The facade against another client, for one (server, workload,
/// concurrency); `None` where either was not run.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Versus {
    /// Facade calls/s over theirs.
    pub calls: Option<f64>,
    /// Facade p99 over theirs.
    pub p99: Option<f64>,
    /// Facade CPU per call over theirs.
    pub cpu: Option<f64>,
    /// Facade peak RSS over theirs.
    pub rss: Option<f64>,
    /// Facade allocations per call minus theirs.
    pub allocs_diff: Option<f64>,
}

/// The facade against each other client for one (server, workload,
/// concurrency).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Ratios {
    /// The server mode.
    pub server: ServerMode,
    /// The workload.
    pub workload: Workload,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Against the plain generated client (no SDK transport).
    pub vs_tonic: Versus,
    /// Against the generated client over the SDK's channel (`client.raw()`).
    pub vs_raw: Versus,
    /// Against the official Node SDK.
    pub vs_node: Versus,
}

/// A micro comparison: medians over rounds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MicroRow {
    /// Which operation.
    pub micro: Micro,
    /// Rust operations per second.
    pub rust_ops_per_s: Option<f64>,
    /// Node operations per second.
    pub node_ops_per_s: Option<f64>,
    /// Rust over Node.
    pub ratio: Option<f64>,
    /// Rust CPU microseconds per operation.
    pub rust_cpu_us: Option<f64>,
    /// Node CPU microseconds per operation.
    pub node_cpu_us: Option<f64>,
}

/// Everything a run produced.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    /// The machine and software.
    pub machine: Machine,
    /// The run's settings.
    pub settings: Settings,
    /// Wall time of the whole run, seconds.
    pub duration_s: f64,
    /// Medians per cell.
    pub rows: Vec<Row>,
    /// Ratios per (server, workload, concurrency).
    pub ratios: Vec<Ratios>,
    /// The micro comparisons.
    pub micro: Vec<MicroRow>,
    /// Every load cell as run.
    pub cells: Vec<CellRecord>,
    /// Every micro run.
    pub micro_runs: Vec<MicroRecord>,
}

fn med(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    median(values.into_iter().flatten())
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// Medians over the rounds of each (server, workload, client, concurrency).
pub fn rows(cells: &[CellRecord]) -> Vec<Row> {
    let mut groups: BTreeMap<(ServerMode, Workload, usize, ClientKind), Vec<&CellRecord>> =
        BTreeMap::new();
    for cell in cells {
        groups
            .entry((cell.server, cell.workload, cell.concurrency, cell.client))
            .or_default()
            .push(cell);
    }
    groups
        .into_iter()
        .map(|((server, workload, concurrency, client), group)| {
            let m = |f: fn(&CellRecord) -> Option<f64>| med(group.iter().map(|c| f(c)));
            let tokens = group.iter().map(|c| c.token_requests);
            Row {
                server,
                workload,
                client,
                concurrency,
                rounds: group.len(),
                calls_per_s: m(|c| Some(c.measured.calls_per_s)).unwrap_or(0.0),
                p50_ms: m(|c| c.measured.p50_ms),
                p99_ms: m(|c| c.measured.p99_ms),
                max_ms: m(|c| c.measured.max_ms),
                cpu_s_per_1k: m(|c| c.measured.cpu_s_per_1k()),
                client_cpu: m(|c| {
                    (c.measured.elapsed_s > 0.0).then(|| c.measured.cpu_s / c.measured.elapsed_s)
                })
                .unwrap_or(0.0),
                server_cpu: m(|c| Some(c.server_cpu)).unwrap_or(0.0),
                peak_rss_mib: m(|c| Some(c.measured.peak_rss_kib as f64 / 1024.0)).unwrap_or(0.0),
                allocs_per_call: m(|c| c.measured.allocs_per_call()),
                token_requests_min: tokens.clone().min().unwrap_or(0),
                token_requests_max: tokens.max().unwrap_or(0),
                errors: group.iter().map(|c| c.measured.errors).sum(),
                first_error: group.iter().find_map(|c| c.measured.first_error.clone()),
            }
        })
        .collect()
}

fn versus(facade: Option<&Row>, other: Option<&Row>) -> Versus {
    let (Some(f), Some(o)) = (facade, other) else {
        return Versus::default();
    };
    Versus {
        calls: ratio(Some(f.calls_per_s), Some(o.calls_per_s)),
        p99: ratio(f.p99_ms, o.p99_ms),
        cpu: ratio(f.cpu_s_per_1k, o.cpu_s_per_1k),
        rss: ratio(Some(f.peak_rss_mib), Some(o.peak_rss_mib)),
        allocs_diff: match (f.allocs_per_call, o.allocs_per_call) {
            (Some(f), Some(o)) => Some(f - o),
            _ => None,
        },
    }
}

/// The facade against every other client, per (server, workload, concurrency).
pub fn ratios(rows: &[Row]) -> Vec<Ratios> {
    let mut by_key: BTreeMap<(ServerMode, Workload, usize), BTreeMap<ClientKind, &Row>> =
        BTreeMap::new();
    for row in rows {
        by_key
            .entry((row.server, row.workload, row.concurrency))
            .or_default()
            .insert(row.client, row);
    }
    by_key
        .into_iter()
        .map(|((server, workload, concurrency), clients)| {
            let facade = clients.get(&ClientKind::Facade).copied();
            let other = |k: ClientKind| versus(facade, clients.get(&k).copied());
            Ratios {
                server,
                workload,
                concurrency,
                vs_tonic: other(ClientKind::Tonic),
                vs_raw: other(ClientKind::Raw),
                vs_node: other(ClientKind::Node),
            }
        })
        .collect()
}

/// Medians over rounds of each micro comparison.
pub fn micro_rows(runs: &[MicroRecord]) -> Vec<MicroRow> {
    Micro::ALL
        .iter()
        .filter(|micro| runs.iter().any(|r| r.micro == **micro))
        .map(|&micro| {
            let of = |client: &str, f: fn(&Measured) -> Option<f64>| {
                med(runs
                    .iter()
                    .filter(|r| r.micro == micro && r.measured.client == client)
                    .map(|r| f(&r.measured)))
            };
            let ops = |m: &Measured| Some(m.calls_per_s);
            let cpu_us = |m: &Measured| m.cpu_s_per_1k().map(|ms| ms * 1000.0);
            let rust = of("rust", ops);
            let node = of("node", ops);
            MicroRow {
                micro,
                rust_ops_per_s: rust,
                node_ops_per_s: node,
                ratio: ratio(rust, node),
                rust_cpu_us: of("rust", cpu_us),
                node_cpu_us: of("node", cpu_us),
            }
        })
        .collect()
}

/// `x` with three significant digits (no exponent).
pub fn sig3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.digits$}")
}

/// An integer with thousands separators: `12,345`.
pub fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn opt(x: Option<f64>, f: fn(f64) -> String) -> String {
    x.map(f).unwrap_or_else(|| "–".into())
}

fn times(x: f64) -> String {
    format!("{x:.2}×")
}

fn percent(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

fn one_decimal(x: f64) -> String {
    format!("{x:.1}")
}

fn signed_one_decimal(x: f64) -> String {
    format!("{x:+.1}")
}

fn tokens(row: &Row) -> String {
    if row.token_requests_min == row.token_requests_max {
        row.token_requests_min.to_string()
    } else {
        format!("{}–{}", row.token_requests_min, row.token_requests_max)
    }
}

/// A target line: what is measured, the bound, whether it is met.
struct Target {
    what: String,
    bound: &'static str,
    measured: String,
    met: Option<bool>,
}

fn worst<'a>(
    items: impl Iterator<Item = (&'a Ratios, Option<f64>)>,
    pick_max: bool,
) -> Option<(&'a Ratios, f64)> {
    items.filter_map(|(r, v)| v.map(|v| (r, v))).reduce(|a, b| {
        let b_worse = if pick_max { b.1 > a.1 } else { b.1 < a.1 };
        if b_worse {
            b
        } else {
            a
        }
    })
}

fn where_(r: &Ratios) -> String {
    format!("{} c={}", r.workload.name(), r.concurrency)
}

fn targets(report: &Report) -> Vec<Target> {
    let canned: Vec<&Ratios> = report
        .ratios
        .iter()
        .filter(|r| r.server == ServerMode::Canned)
        .collect();
    // The "raw" is the generated client without the SDK's
    // transport: `tonic` here. Fall back to `raw` when it was not run.
    let tonic_run = canned.iter().any(|r| r.vs_tonic.calls.is_some());
    let (base, base_name): (fn(&Ratios) -> &Versus, &str) = if tonic_run {
        (|r| &r.vs_tonic, "tonic")
    } else {
        (|r| &r.vs_raw, "raw")
    };
    let mut out = Vec::new();
    let mut check = |what: String, bound, found: Option<(&Ratios, f64)>, ok: fn(f64) -> bool| {
        out.push(Target {
            what,
            bound,
            measured: found
                .map(|(r, v)| format!("worst {} ({})", times(v), where_(r)))
                .unwrap_or_else(|| "not measured".into()),
            met: found.map(|(_, v)| ok(v)),
        });
    };
    check(
        format!("facade vs {base_name} calls/s, canned server"),
        "≥ 0.95× (call-path issue)",
        worst(canned.iter().map(|r| (*r, base(r).calls)), false),
        |v| v >= 0.95,
    );
    check(
        format!("facade vs {base_name} p99, canned server"),
        "≤ 1.10× (call-path issue)",
        worst(canned.iter().map(|r| (*r, base(r).p99)), true),
        |v| v <= 1.10,
    );
    check(
        "facade client CPU per call vs Node, canned server".into(),
        "≤ 0.2×",
        worst(canned.iter().map(|r| (*r, r.vs_node.cpu)), true),
        |v| v <= 0.2,
    );
    check(
        "facade calls/s vs Node at c = 64, canned server".into(),
        "≥ 5×",
        worst(
            canned
                .iter()
                .filter(|r| r.concurrency == 64)
                .map(|r| (*r, r.vs_node.calls)),
            false,
        ),
        |v| v >= 5.0,
    );
    check(
        "facade peak RSS vs Node, canned server".into(),
        "≤ 0.25×",
        worst(canned.iter().map(|r| (*r, r.vs_node.rss)), true),
        |v| v <= 0.25,
    );
    let allocs = worst(canned.iter().map(|r| (*r, base(r).allocs_diff)), true);
    out.push(Target {
        what: format!("facade allocations per call minus {base_name}'s, canned server"),
        bound: "≤ 10 (call-path issue)",
        measured: allocs
            .map(|(r, v)| format!("worst {} ({})", signed_one_decimal(v), where_(r)))
            .unwrap_or_else(|| "not measured".into()),
        met: allocs.map(|(_, v)| v <= 10.0),
    });
    for micro in &report.micro {
        let what = match micro.micro {
            Micro::ValidateToken => "warm validate_token vs Node's validateToken",
            Micro::Webhook => "webhook verify (1 KiB) vs Node's verifyWebhookPayload",
        };
        out.push(Target {
            what: what.into(),
            bound: "≥ 5×",
            measured: opt(micro.ratio, times),
            met: micro.ratio.map(|v| v >= 5.0),
        });
    }
    for client in [ClientKind::Raw, ClientKind::Facade, ClientKind::Node] {
        let mine: Vec<&Row> = report.rows.iter().filter(|r| r.client == client).collect();
        if mine.is_empty() {
            continue;
        }
        let max = mine.iter().map(|r| r.token_requests_max).max().unwrap_or(0);
        let min = mine.iter().map(|r| r.token_requests_min).min().unwrap_or(0);
        let worst_c = mine
            .iter()
            .max_by_key(|r| r.token_requests_max)
            .map(|r| r.concurrency)
            .unwrap_or(0);
        let comparison = if client == ClientKind::Node {
            ", for comparison"
        } else {
            ""
        };
        out.push(Target {
            what: format!(
                "token requests per client run ({}{comparison})",
                client.name()
            ),
            bound: "exactly 1 per token lifetime",
            measured: if min == max {
                format!("{max} in every run")
            } else {
                format!("{min}–{max} (most at c={worst_c})")
            },
            met: (client != ClientKind::Node).then_some(min == 1 && max == 1),
        });
    }
    out
}

/// `report.md`.
pub fn markdown(report: &Report) -> String {
    let mut md = String::new();
    let s = &report.settings;
    let m = &report.machine;
    let _ = writeln!(md, "# scalekit-bench report\n");
    let _ = writeln!(
        md,
        "Generated by `cargo run --release -p scalekit-bench --{}` on {} in {:.0} s.\n",
        s.command_args(),
        m.date,
        report.duration_s
    );

    let _ = writeln!(md, "## Machine\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| CPUs (`nproc`) | {} |", m.cpus);
    let _ = writeln!(md, "| CPU model | {} |", m.cpu_model);
    let _ = writeln!(md, "| kernel | {} |", m.kernel);
    let _ = writeln!(md, "| rustc | {} |", m.rustc);
    if let Some(node) = &m.node {
        let _ = writeln!(md, "| node | {node} |");
    }
    if let Some(sdk) = &m.node_sdk {
        let _ = writeln!(md, "| @scalekit-sdk/node | {sdk} |");
    }
    if let Some(commit) = &m.commit {
        let _ = writeln!(md, "| commit | {commit} |");
    }
    let _ = writeln!(
        md,
        "| load average (1, 5, 15 min) at start / end | {} / {} |",
        m.load_average, m.load_average_end
    );
    let _ = writeln!(md, "| pinning | {} |", m.pinning);
    let _ = writeln!(md, "| date | {} |\n", m.date);

    let _ = writeln!(md, "## Method\n");
    let _ = writeln!(
        md,
        "- The server and every client run in separate processes, so each client's CPU time and \
         peak RSS are its own. One client process runs one cell (client, workload, concurrency): \
         a warm-up of at most {:.2} s / {} iterations at full concurrency from a cold start (the \
         first calls connect and fetch the token; not measured), then a measured part of at most \
         {:.2} s / {} iterations.",
        s.warmup_seconds, s.warmup_iterations, s.seconds, s.max_iterations
    );
    let _ = writeln!(
        md,
        "- Concurrency = calls in flight: that many tokio tasks (Rust, single-threaded runtime) or \
         promise loops (Node) sharing one iteration budget."
    );
    let _ = writeln!(
        md,
        "- Clients: `tonic` is the generated client over a plain tonic `Channel`, with a bearer \
         token fetched once before the cell and set by an interceptor — the baseline, with no \
         token management or retries (the issue's \"raw\"); `raw` is `client.raw().users()`, the \
         generated client over the SDK's authenticated channel; `facade` is `client.users()`; \
         `node` is `@scalekit-sdk/node`. The Rust clients of a cell share one `ScalekitClient` \
         (`tonic`: one `Channel`)."
    );
    let _ = writeln!(
        md,
        "- Servers: `canned` is the emulator whose user service answers fixed responses without \
         the store (tokens and JWKS as normal), so the client is the bottleneck; `emulator` is the \
         ordinary emulator. Both run on a single-threaded runtime."
    );
    let _ = writeln!(
        md,
        "- Rounds are interleaved (raw, facade, node, raw, facade, node, …) for each workload and \
         concurrency so that drift hits every client alike; every figure below is the **median \
         over {} round(s)**, taken metric by metric.",
        s.rounds
    );
    let _ = writeln!(
        md,
        "- `calls/s` counts successful RPCs (create-delete makes 2 per iteration, the others 1); \
         latencies are per iteration (create-delete: both RPCs; login-mix: validation + GetUser). \
         CPU is user + system of the client process during the measured part (`getrusage`, Node: \
         `process.cpuUsage()`); `client CPU`/`server CPU` are CPU time over wall time (100 % = one \
         core busy). Peak RSS is `ru_maxrss` / `process.resourceUsage().maxRSS` over the client's \
         life. Allocations count `alloc`/`alloc_zeroed`/`realloc` calls of a counting global \
         allocator during the measured part, per RPC. Token requests are `POST /oauth/token` \
         requests the server saw during the client's whole life, cold start included."
    );
    let _ = writeln!(
        md,
        "- Login mix: `validate_token` (Rust, both clients; the raw client has no validation of \
         its own) / `validateToken` (Node) of an access token signed by the server, checking \
         issuer and audience against the cached JWKS, then GetUser.\n"
    );

    let _ = writeln!(md, "## Targets (issue 8)\n");
    let _ = writeln!(md, "| what | target | measured | |\n|---|---|---|---|");
    for t in targets(report) {
        let verdict = match t.met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "–",
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            t.what, t.bound, t.measured, verdict
        );
    }
    let _ = writeln!(md);

    if !report.micro.is_empty() {
        let _ = writeln!(md, "## Micro comparisons (single-threaded, vs Node)\n");
        let _ = writeln!(
            md,
            "| operation | Rust ops/s | Node ops/s | Rust / Node | Rust CPU µs/op | Node CPU µs/op |\n|---|---|---|---|---|---|"
        );
        for r in &report.micro {
            let what = match r.micro {
                Micro::ValidateToken => {
                    "warm `validate_token` / `validateToken` (RS256, JWKS cached, same token)"
                }
                Micro::Webhook => {
                    "`verify_webhook_payload` / `verifyWebhookPayload` (1 KiB, same delivery)"
                }
            };
            let _ = writeln!(
                md,
                "| {what} | {} | {} | {} | {} | {} |",
                opt(r.rust_ops_per_s, thousands),
                opt(r.node_ops_per_s, thousands),
                opt(r.ratio, times),
                opt(r.rust_cpu_us, sig3),
                opt(r.node_cpu_us, sig3),
            );
        }
        let _ = writeln!(md);
    }

    for server in &s.servers {
        for workload in &s.workloads {
            let rows: Vec<&Row> = report
                .rows
                .iter()
                .filter(|r| r.server == *server && r.workload == *workload)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(md, "## {} · {} server\n", workload.name(), server.name());
            let _ = writeln!(
                md,
                "| client | c | calls/s | p50 ms | p99 ms | max ms | CPU s / 1k calls | client CPU | server CPU | peak RSS MiB | allocs/call | token req | errors |"
            );
            let _ = writeln!(md, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            for r in &rows {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    r.client.name(),
                    r.concurrency,
                    thousands(r.calls_per_s),
                    opt(r.p50_ms, sig3),
                    opt(r.p99_ms, sig3),
                    opt(r.max_ms, sig3),
                    opt(r.cpu_s_per_1k, sig3),
                    percent(r.client_cpu),
                    percent(r.server_cpu),
                    one_decimal(r.peak_rss_mib),
                    opt(r.allocs_per_call, one_decimal),
                    tokens(r),
                    r.errors,
                );
            }
            let _ = writeln!(md);
            let _ = writeln!(
                md,
                "| c | facade / tonic calls/s | facade / tonic p99 | allocs/call facade − tonic | facade / raw calls/s | facade / raw p99 | facade / node calls/s | facade / node CPU per call | facade / node peak RSS |"
            );
            let _ = writeln!(md, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            for r in report
                .ratios
                .iter()
                .filter(|r| r.server == *server && r.workload == *workload)
            {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    r.concurrency,
                    opt(r.vs_tonic.calls, times),
                    opt(r.vs_tonic.p99, times),
                    opt(r.vs_tonic.allocs_diff, signed_one_decimal),
                    opt(r.vs_raw.calls, times),
                    opt(r.vs_raw.p99, times),
                    opt(r.vs_node.calls, times),
                    opt(r.vs_node.cpu, times),
                    opt(r.vs_node.rss, times),
                );
            }
            let _ = writeln!(md);
        }
    }

    let failures: Vec<&Row> = report.rows.iter().filter(|r| r.errors > 0).collect();
    if !failures.is_empty() {
        let _ = writeln!(md, "## Errors\n");
        for r in failures {
            let _ = writeln!(
                md,
                "- {} · {} · {} c={}: {} failed iterations; first: {}",
                r.server.name(),
                r.workload.name(),
                r.client.name(),
                r.concurrency,
                r.errors,
                r.first_error.as_deref().unwrap_or("?")
            );
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(
        md,
        "Chart: `calls_per_sec.png`. Every cell and round: `report.json`."
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(
        client: &str,
        calls_per_s: f64,
        p99: f64,
        cpu_s: f64,
        rss_kib: u64,
        allocs: Option<u64>,
    ) -> Measured {
        Measured {
            client: client.into(),
            iterations: 1000,
            calls: 1000,
            errors: 0,
            first_error: None,
            elapsed_s: 1.0,
            calls_per_s,
            p50_ms: Some(p99 / 2.0),
            p99_ms: Some(p99),
            max_ms: Some(p99 * 2.0),
            cpu_s,
            peak_rss_kib: rss_kib,
            allocations: allocs,
        }
    }

    fn cell(client: ClientKind, round: usize, m: Measured, tokens: u64) -> CellRecord {
        CellRecord {
            server: ServerMode::Canned,
            workload: Workload::GetUser,
            client,
            concurrency: 64,
            round,
            measured: m,
            token_requests: tokens,
            jwks_requests: 0,
            server_cpu: 0.5,
        }
    }

    fn sample_cells() -> Vec<CellRecord> {
        vec![
            // raw: medians 10,000 calls/s, p99 1.0 ms, 50 allocs/call.
            cell(
                ClientKind::Raw,
                0,
                measured("raw", 9_000.0, 1.0, 0.1, 8192, Some(50_000)),
                1,
            ),
            cell(
                ClientKind::Raw,
                1,
                measured("raw", 10_000.0, 1.0, 0.1, 8192, Some(50_000)),
                1,
            ),
            cell(
                ClientKind::Raw,
                2,
                measured("raw", 30_000.0, 5.0, 0.1, 8192, Some(50_000)),
                1,
            ),
            // facade: 9,000 calls/s, p99 1.2 ms, 80 allocs/call, CPU 0.2 s/1k.
            cell(
                ClientKind::Facade,
                0,
                measured("facade", 9_000.0, 1.2, 0.2, 10240, Some(80_000)),
                1,
            ),
            cell(
                ClientKind::Facade,
                1,
                measured("facade", 9_000.0, 1.2, 0.2, 10240, Some(80_000)),
                1,
            ),
            cell(
                ClientKind::Facade,
                2,
                measured("facade", 8_000.0, 1.1, 0.2, 10240, Some(80_000)),
                1,
            ),
            // node: 1,000 calls/s, CPU 1.0 s/1k, 100 MiB; token stampede.
            cell(
                ClientKind::Node,
                0,
                measured("node", 1_000.0, 9.0, 1.0, 102_400, None),
                64,
            ),
            cell(
                ClientKind::Node,
                1,
                measured("node", 1_000.0, 9.0, 1.0, 102_400, None),
                64,
            ),
            cell(
                ClientKind::Node,
                2,
                measured("node", 1_000.0, 9.0, 1.0, 102_400, None),
                1,
            ),
        ]
    }

    #[test]
    fn rows_are_medians_over_rounds() {
        let rows = rows(&sample_cells());
        assert_eq!(rows.len(), 3);
        let raw = rows
            .iter()
            .find(|r| r.client == ClientKind::Raw)
            .expect("raw row");
        assert_eq!(raw.rounds, 3);
        assert_eq!(raw.calls_per_s, 10_000.0);
        assert_eq!(raw.p99_ms, Some(1.0));
        assert_eq!(raw.allocs_per_call, Some(50.0));
        let node = rows
            .iter()
            .find(|r| r.client == ClientKind::Node)
            .expect("node row");
        assert_eq!((node.token_requests_min, node.token_requests_max), (1, 64));
        assert_eq!(node.allocs_per_call, None);
    }

    #[test]
    fn ratios_compare_the_medians() {
        let ratios = ratios(&rows(&sample_cells()));
        assert_eq!(ratios.len(), 1);
        let r = &ratios[0];
        assert_eq!(r.vs_raw.calls, Some(0.9));
        assert!((r.vs_raw.p99.unwrap_or(0.0) - 1.2).abs() < 1e-9);
        assert_eq!(r.vs_raw.allocs_diff, Some(30.0));
        assert_eq!(r.vs_node.calls, Some(9.0));
        assert!((r.vs_node.cpu.unwrap_or(0.0) - 0.2).abs() < 1e-9);
        assert!((r.vs_node.rss.unwrap_or(0.0) - 0.1).abs() < 1e-9);
        assert_eq!(r.vs_node.allocs_diff, None, "Node counts no allocations");
        assert_eq!(r.vs_tonic, Versus::default(), "tonic was not run");
    }

    #[test]
    fn a_missing_client_gives_no_ratio() {
        let cells: Vec<CellRecord> = sample_cells()
            .into_iter()
            .filter(|c| c.client != ClientKind::Node)
            .collect();
        let r = &ratios(&rows(&cells))[0];
        assert_eq!(r.vs_node.calls, None);
        assert_eq!(r.vs_raw.calls, Some(0.9));
    }

    fn report_of(cells: Vec<CellRecord>) -> Report {
        let rows = rows(&cells);
        Report {
            machine: Machine::default(),
            settings: Settings::for_tests(),
            duration_s: 1.0,
            ratios: ratios(&rows),
            rows,
            micro: micro_rows(&[]),
            cells,
            micro_runs: vec![],
        }
    }

    #[test]
    fn targets_compare_against_tonic_when_it_ran() {
        let mut cells = sample_cells();
        for round in 0..3 {
            let m = measured("tonic", 12_000.0, 0.8, 0.08, 8192, Some(40_000));
            cells.push(cell(ClientKind::Tonic, round, m, 1));
        }
        let md = markdown(&report_of(cells));
        assert!(
            md.contains("| facade vs tonic calls/s, canned server | ≥ 0.95× (call-path issue) | worst 0.75× (get-user c=64) | **missed** |"),
            "{md}"
        );
        assert!(
            md.contains("| facade allocations per call minus tonic's, canned server | ≤ 10 (call-path issue) | worst +40.0 (get-user c=64) | **missed** |"),
            "{md}"
        );
        assert!(
            md.contains("| 64 | 0.75× | 1.50× | +40.0 | 0.90× | 1.20× | 9.00× | 0.20× | 0.10× |"),
            "{md}"
        );
    }

    #[test]
    fn number_formats() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(sig3(0.012345), "0.0123");
        assert_eq!(sig3(1.23456), "1.23");
        assert_eq!(sig3(123.456), "123");
        assert_eq!(sig3(4567.8), "4568");
        assert_eq!(times(0.954), "0.95×");
    }

    #[test]
    fn markdown_has_the_table_rows_ratios_and_verdicts() {
        let md = markdown(&report_of(sample_cells()));
        assert!(md.contains("## get-user · canned server"), "{md}");
        assert!(
            md.contains("| raw | 64 | 10,000 | 0.500 | 1.00 | 2.00 | 0.100 |"),
            "{md}"
        );
        assert!(md.contains("| node | 64 | 1,000 |"), "{md}");
        assert!(md.contains("| 1–64 | 0 |"), "{md}");
        assert!(
            md.contains("| 64 | – | – | – | 0.90× | 1.20× | 9.00× | 0.20× | 0.10× |"),
            "{md}"
        );
        assert!(
            md.contains("| facade vs raw calls/s, canned server | ≥ 0.95× (call-path issue) | worst 0.90× (get-user c=64) | **missed** |"),
            "{md}"
        );
        assert!(md.contains("| facade client CPU per call vs Node, canned server | ≤ 0.2× | worst 0.20× (get-user c=64) | met |"), "{md}");
        assert!(md.contains("token requests per client run (facade) | exactly 1 per token lifetime | 1 in every run | met |"), "{md}");
    }

    #[test]
    fn a_report_read_back_from_json_renders_the_same_markdown() -> anyhow::Result<()> {
        let report = report_of(sample_cells());
        let json = serde_json::to_string(&report)?;
        let back: Report = serde_json::from_str(&json)?;
        assert_eq!(markdown(&back), markdown(&report));
        Ok(())
    }
}
