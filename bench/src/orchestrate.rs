//! The orchestrator: starts the server processes, runs every cell in its
//! own client process, interleaving the clients round by round, and hands
//! the results to the report.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::cell::{ClientKind, Job, Measured, Micro, ServerMode, Spec, WebhookCase, READY_LINE};
use crate::child::Child;
use crate::machine::Machine;
use crate::node::NodeSdk;
use crate::processes::{Pinning, Role, Server};
use crate::report::{self, CellRecord, MicroRecord, Report};
use crate::settings::Settings;

/// What a cell's client process produced, with the server's view of it.
struct CellRun {
    measured: Measured,
    token_requests: u64,
    jwks_requests: u64,
    server_cpu: f64,
}

struct Runner<'a> {
    exe: PathBuf,
    pin: Pinning,
    node: Option<&'a NodeSdk>,
    settings: &'a Settings,
}

impl Runner<'_> {
    /// The command of a client process: `client` is a load client's name or
    /// `rust` (the micro jobs' Rust side); `node` runs the Node driver.
    fn client_command(&self, client: &str, spec: &str) -> anyhow::Result<Command> {
        let mut command = if client == ClientKind::Node.name() {
            let node = self.node.context("the Node SDK is not installed")?;
            let mut command = self.pin.command(Role::Client, "node");
            command.arg(node.driver()).current_dir(node.dir());
            command
        } else {
            let mut command = self.pin.command(Role::Client, &self.exe);
            command.args(["client", "--kind", client, "--spec"]);
            command
        };
        command.arg(spec);
        Ok(command)
    }

    fn run(&self, server: &mut Server, client: &str, spec: &Spec) -> anyhow::Result<CellRun> {
        let hello = &server.hello;
        let mut command = self.client_command(client, &serde_json::to_string(spec)?)?;
        command
            .env("SCALEKIT_ENVIRONMENT_URL", &hello.env_url)
            .env("SCALEKIT_CLIENT_ID", &hello.client_id)
            .env("SCALEKIT_CLIENT_SECRET", &hello.client_secret);

        let before = server.stats()?;
        let child = Child::spawn(&format!("the {client} client"), command)?;
        let limit = Duration::from_secs_f64(spec.warmup_seconds + spec.seconds + 60.0);
        let deadline = Instant::now() + limit;
        while child.next_line(deadline)? != READY_LINE {}
        let ready_at = Instant::now();
        let at_ready = server.stats()?;
        let measured = loop {
            let line = child.next_line(deadline)?;
            if let Ok(measured) = serde_json::from_str::<Measured>(&line) {
                break measured;
            }
        };
        let wall = ready_at.elapsed().as_secs_f64();
        let at_result = server.stats()?;
        child.finish(Duration::from_secs(15))?;
        let after = server.stats()?;
        Ok(CellRun {
            measured,
            token_requests: after.token_requests.saturating_sub(before.token_requests),
            jwks_requests: after.jwks_requests.saturating_sub(before.jwks_requests),
            server_cpu: if wall > 0.0 {
                (at_result.cpu_s - at_ready.cpu_s) / wall
            } else {
                0.0
            },
        })
    }

    fn spec(&self, server: &Server, job: Job, concurrency: usize) -> Spec {
        let s = self.settings;
        let micro = matches!(job, Job::Micro(_));
        Spec {
            job,
            concurrency,
            max_iterations: if micro {
                s.micro_iterations
            } else {
                s.max_iterations
            },
            seconds: if micro { s.micro_seconds } else { s.seconds },
            warmup_iterations: if micro { 2_000 } else { s.warmup_iterations },
            warmup_seconds: if micro {
                s.warmup_seconds.max(0.2)
            } else {
                s.warmup_seconds
            },
            user_id: server.hello.user_id.clone(),
            org_id: server.hello.org_id.clone(),
            token: server.hello.token.clone(),
            issuer: server.hello.env_url.clone(),
            audience: server.hello.client_id.clone(),
            webhook: None,
        }
    }
}

/// A 1 KiB webhook delivery signed as Scalekit signs one, timestamped now.
fn webhook_case() -> WebhookCase {
    let key: Vec<u8> = (0u8..32)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    let secret = format!("whsec_{}", STANDARD.encode(&key));
    let id = "msg_bench_0001".to_string();
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
        .to_string();
    let head = r#"{"id":"evt_bench_0001","type":"organization.created","environment_id":"env_1","object":"Organization","data":{"id":"org_1","display_name":"Bench Org","padding":""#;
    let tail = r#""}}"#;
    let padding = "x".repeat(1024 - head.len() - tail.len());
    let payload = format!("{head}{padding}{tail}");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.{payload}").as_bytes());
    let signature = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    WebhookCase {
        secret,
        id,
        timestamp,
        signature,
        payload,
    }
}

fn progress(done: usize, total: usize, started: Instant, what: &str, m: &Measured, extra: &str) {
    eprintln!(
        "[{done:>3}/{total} {:>4.0}s] {what:<44} {:>9.0} calls/s  p99 {:>7.3} ms{extra}{}",
        started.elapsed().as_secs_f64(),
        m.calls_per_s,
        m.p99_ms.unwrap_or(0.0),
        if m.errors > 0 {
            format!(
                "  {} ERRORS: {}",
                m.errors,
                m.first_error.as_deref().unwrap_or("?")
            )
        } else {
            String::new()
        }
    );
}

/// Runs everything the settings ask for and writes the report.
///
/// # Errors
/// When a process cannot be started, a cell fails or times out, or the
/// report cannot be written. Children are killed on the way out.
pub fn run(settings: &Settings) -> anyhow::Result<()> {
    let started = Instant::now();
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let cpus = Machine::detect(String::new()).cpus;
    let pin = Pinning::detect(settings.pin, cpus);
    let mut machine = Machine::detect(pin.describe(settings.pin));

    let node = if settings.clients.contains(&ClientKind::Node) {
        eprintln!(
            "installing @scalekit-sdk/node@{} with npm into a temporary folder…",
            settings.node_version
        );
        let sdk = NodeSdk::install(&settings.node_version)?;
        machine.node = Some(sdk.node_version.clone());
        machine.node_sdk = Some(sdk.version.clone());
        Some(sdk)
    } else {
        None
    };
    let runner = Runner {
        exe,
        pin,
        node: node.as_ref(),
        settings,
    };

    let micro_clients: Vec<&str> = ["rust", "node"]
        .into_iter()
        .filter(|c| *c != "node" || node.is_some())
        .collect();
    let load_cells = settings.servers.len()
        * settings.workloads.len()
        * settings.concurrency.len()
        * settings.rounds
        * settings.clients.len();
    let total = load_cells + Micro::ALL.len() * settings.rounds * micro_clients.len();
    let mut done = 0;
    let mut cells = Vec::new();
    let mut micro_runs = Vec::new();

    for (index, &mode) in settings.servers.iter().enumerate() {
        let mut server = Server::start(&runner.exe, mode, &runner.pin)?;
        if mode == ServerMode::Canned && !server.hello.canned {
            anyhow::bail!("the canned server says it is not canned");
        }
        for &workload in &settings.workloads {
            for &concurrency in &settings.concurrency {
                for round in 0..settings.rounds {
                    for &client in &settings.clients {
                        let spec = runner.spec(&server, Job::Load(workload), concurrency);
                        let what = format!(
                            "{} {} c={} {} r{}",
                            server.mode.name(),
                            workload.name(),
                            concurrency,
                            client.name(),
                            round + 1
                        );
                        let run = runner
                            .run(&mut server, client.name(), &spec)
                            .with_context(|| format!("cell {what}"))?;
                        done += 1;
                        let extra = format!(
                            "  server {:>3.0} %  tokens {}",
                            run.server_cpu * 100.0,
                            run.token_requests
                        );
                        progress(done, total, started, &what, &run.measured, &extra);
                        cells.push(CellRecord {
                            server: mode,
                            workload,
                            client,
                            concurrency,
                            round,
                            measured: run.measured,
                            token_requests: run.token_requests,
                            jwks_requests: run.jwks_requests,
                            server_cpu: run.server_cpu,
                        });
                    }
                }
            }
        }
        // The micro comparisons need a server only for the JWKS: run them
        // once, against the first server.
        if index == 0 {
            for micro in Micro::ALL {
                for round in 0..settings.rounds {
                    for &client in &micro_clients {
                        let mut spec = runner.spec(&server, Job::Micro(micro), 1);
                        if micro == Micro::Webhook {
                            spec.webhook = Some(webhook_case());
                        }
                        let what = format!("micro {} {client} r{}", micro.name(), round + 1);
                        let run = runner
                            .run(&mut server, client, &spec)
                            .with_context(|| what.clone())?;
                        done += 1;
                        progress(done, total, started, &what, &run.measured, "");
                        micro_runs.push(MicroRecord {
                            micro,
                            round,
                            measured: run.measured,
                        });
                    }
                }
            }
        }
        server.stop()?;
    }

    machine.load_average_end = crate::machine::load_average();
    let rows = report::rows(&cells);
    let report = Report {
        machine,
        settings: settings.clone(),
        duration_s: started.elapsed().as_secs_f64(),
        ratios: report::ratios(&rows),
        micro: report::micro_rows(&micro_runs),
        rows,
        cells,
        micro_runs,
    };
    write_outputs(&report, &settings.out, settings.font.as_deref(), true)?;
    eprintln!("done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Writes `report.md`, the chart and (with `json`) `report.json` into `out`.
///
/// # Errors
/// When a file cannot be written; a chart that cannot be drawn (no font)
/// is only reported.
pub fn write_outputs(
    report: &Report,
    out: &Path,
    font: Option<&Path>,
    json: bool,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let md = out.join("report.md");
    std::fs::write(&md, report::markdown(report))
        .with_context(|| format!("cannot write {}", md.display()))?;
    eprintln!("wrote {}", md.display());
    if json {
        let path = out.join("report.json");
        std::fs::write(&path, serde_json::to_string_pretty(report)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    let chart = out.join("calls_per_sec.png");
    match crate::chart::draw(report, &chart, font) {
        Ok(()) => eprintln!("wrote {}", chart.display()),
        Err(e) => eprintln!("no chart: {e:#}"),
    }
    Ok(())
}

/// Rewrites `report.md` and the chart from a `report.json`, beside it:
/// for changing the report's form without running the load again.
///
/// # Errors
/// When the JSON cannot be read or parsed, or the files cannot be written.
pub fn render(json: &Path, font: Option<&Path>) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(json).with_context(|| format!("cannot read {}", json.display()))?;
    let report: Report = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a scalekit-bench report", json.display()))?;
    let out = json.parent().unwrap_or(Path::new("."));
    write_outputs(&report, out, font, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_case_is_1_kib_and_verifies_with_the_sdk() -> anyhow::Result<()> {
        let case = webhook_case();
        assert_eq!(case.payload.len(), 1024);
        assert!(serde_json::from_str::<serde_json::Value>(&case.payload).is_ok());
        let headers = std::collections::HashMap::from([
            ("webhook-id", case.id.as_str()),
            ("webhook-timestamp", case.timestamp.as_str()),
            ("webhook-signature", case.signature.as_str()),
        ]);
        scalekit::webhook::verify(&case.secret, &headers, &case.payload, SystemTime::now())?;
        let tampered = case.payload.replacen('x', "y", 1);
        assert!(
            scalekit::webhook::verify(&case.secret, &headers, &tampered, SystemTime::now())
                .is_err()
        );
        Ok(())
    }
}
