//! The run's settings: the command-line flags with their defaults, checked
//! so that every loop stays bounded.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use serde::{Deserialize, Serialize};

use crate::cell::{ClientKind, ServerMode, Workload};

/// `scalekit-bench [flags]`: runs everything and writes the report.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct RunArgs {
    /// A short smoke run: c = 1 and 64, one round, short phases.
    #[arg(long)]
    pub quick: bool,
    /// The @scalekit-sdk/node version to install with npm.
    #[arg(long, default_value = "2.2.2")]
    pub node_version: String,
    /// Concurrency levels (default 1,16,64,256; --quick: 1,64).
    #[arg(long, value_delimiter = ',')]
    pub concurrency: Option<Vec<usize>>,
    /// Measured part of each cell: at most this many seconds (default 0.75).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Measured part of each cell: at most this many iterations (default 200000).
    #[arg(long)]
    pub calls: Option<u64>,
    /// Warm-up of each cell: at most this many seconds (default 0.4).
    #[arg(long)]
    pub warmup_seconds: Option<f64>,
    /// Rounds of every cell, interleaved; the report shows medians (default 3).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Workloads to run (default all).
    #[arg(long, value_delimiter = ',', value_enum)]
    pub workloads: Option<Vec<Workload>>,
    /// Servers to run against (default canned,emulator).
    #[arg(long, value_delimiter = ',', value_enum)]
    pub servers: Option<Vec<ServerMode>>,
    /// Clients to run (default tonic,raw,facade,node).
    #[arg(long, value_delimiter = ',', value_enum)]
    pub clients: Option<Vec<ClientKind>>,
    /// Each micro comparison run: at most this many seconds (default 1.0).
    #[arg(long)]
    pub micro_seconds: Option<f64>,
    /// Where to write the report (default `<target dir>/bench-report`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not pin the server and the clients to separate cores.
    #[arg(long)]
    pub no_pin: bool,
    /// TTF font for the chart's text (default: DejaVu Sans from fonts-dejavu-core).
    #[arg(long)]
    pub font: Option<PathBuf>,
}

/// The resolved settings of a run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    /// Whether `--quick` was given.
    pub quick: bool,
    /// Concurrency levels.
    pub concurrency: Vec<usize>,
    /// Measured part: seconds cap.
    pub seconds: f64,
    /// Measured part: iteration cap.
    pub max_iterations: u64,
    /// Warm-up: seconds cap.
    pub warmup_seconds: f64,
    /// Warm-up: iteration cap.
    pub warmup_iterations: u64,
    /// Interleaved rounds.
    pub rounds: usize,
    /// Workloads.
    pub workloads: Vec<Workload>,
    /// Servers.
    pub servers: Vec<ServerMode>,
    /// Clients.
    pub clients: Vec<ClientKind>,
    /// Micro runs: seconds cap.
    pub micro_seconds: f64,
    /// Micro runs: iteration cap.
    pub micro_iterations: u64,
    /// The Node SDK version asked for.
    pub node_version: String,
    /// The report folder.
    pub out: PathBuf,
    /// Whether to pin processes to cores.
    pub pin: bool,
    /// The chart font, if given.
    pub font: Option<PathBuf>,
}

fn within<T: PartialOrd + std::fmt::Display>(name: &str, v: T, lo: T, hi: T) -> anyhow::Result<T> {
    if v < lo || v > hi {
        bail!("--{name} must be between {lo} and {hi}, not {v}");
    }
    Ok(v)
}

fn dedup<T: Ord + Copy>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

/// The default report folder: `bench-report` in the target directory this
/// binary was built into (`target/release/scalekit-bench` → `target/`).
pub(crate) fn default_out() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let target = exe
        .parent()
        .and_then(|profile| profile.parent())
        .context("the executable is not inside a target directory")?;
    Ok(target.join("bench-report"))
}

impl Settings {
    /// Resolves defaults (`--quick` changes them) and checks the bounds.
    ///
    /// # Errors
    /// A value out of bounds or an empty list.
    pub fn from_args(args: &RunArgs) -> anyhow::Result<Settings> {
        let q = args.quick;
        let concurrency = dedup(args.concurrency.clone().unwrap_or_else(|| {
            if q {
                vec![1, 64]
            } else {
                vec![1, 16, 64, 256]
            }
        }));
        for &c in &concurrency {
            within("concurrency", c, 1, 4096)?;
        }
        let workloads = dedup(
            args.workloads
                .clone()
                .unwrap_or_else(|| Workload::ALL.to_vec()),
        );
        let servers = dedup(
            args.servers
                .clone()
                .unwrap_or_else(|| vec![ServerMode::Canned, ServerMode::Emulator]),
        );
        let clients = dedup(args.clients.clone().unwrap_or_else(|| {
            vec![
                ClientKind::Tonic,
                ClientKind::Raw,
                ClientKind::Facade,
                ClientKind::Node,
            ]
        }));
        if concurrency.is_empty()
            || workloads.is_empty()
            || servers.is_empty()
            || clients.is_empty()
        {
            bail!("--concurrency, --workloads, --servers and --clients must not be empty");
        }
        Ok(Settings {
            quick: q,
            concurrency,
            seconds: within(
                "seconds",
                args.seconds.unwrap_or(if q { 0.25 } else { 0.75 }),
                0.05,
                60.0,
            )?,
            max_iterations: within("calls", args.calls.unwrap_or(200_000), 1, 5_000_000)?,
            warmup_seconds: within(
                "warmup-seconds",
                args.warmup_seconds.unwrap_or(if q { 0.1 } else { 0.4 }),
                0.0,
                60.0,
            )?,
            warmup_iterations: 50_000,
            rounds: within(
                "rounds",
                args.rounds.unwrap_or(if q { 1 } else { 3 }),
                1,
                20,
            )?,
            workloads,
            servers,
            clients,
            micro_seconds: within(
                "micro-seconds",
                args.micro_seconds.unwrap_or(if q { 0.25 } else { 1.0 }),
                0.05,
                60.0,
            )?,
            micro_iterations: 2_000_000,
            node_version: args.node_version.clone(),
            out: match &args.out {
                Some(out) => out.clone(),
                None => default_out()?,
            },
            pin: !args.no_pin,
            font: args.font.clone(),
        })
    }

    /// The flags that reproduce this run, for the report's first line.
    pub fn command_args(&self) -> String {
        let list = |v: &[&str]| v.join(",");
        let mut out = format!(" --node-version {}", self.node_version);
        if self.quick {
            out.push_str(" --quick");
        }
        let c: Vec<String> = self.concurrency.iter().map(|c| c.to_string()).collect();
        out.push_str(&format!(
            " --concurrency {} --seconds {} --calls {} --warmup-seconds {} --rounds {} --micro-seconds {}",
            c.join(","),
            self.seconds,
            self.max_iterations,
            self.warmup_seconds,
            self.rounds,
            self.micro_seconds
        ));
        let w: Vec<&str> = self.workloads.iter().map(|w| w.name()).collect();
        let s: Vec<&str> = self.servers.iter().map(|s| s.name()).collect();
        let k: Vec<&str> = self.clients.iter().map(|k| k.name()).collect();
        out.push_str(&format!(
            " --workloads {} --servers {} --clients {}",
            list(&w),
            list(&s),
            list(&k)
        ));
        if !self.pin {
            out.push_str(" --no-pin");
        }
        out
    }

    /// Settings as a default full run resolves them, for unit tests.
    #[cfg(test)]
    pub fn for_tests() -> Settings {
        let args = RunArgs {
            node_version: "2.2.2".into(),
            out: Some(PathBuf::from("/tmp/unused")),
            ..Default::default()
        };
        Settings::from_args(&args).expect("defaults are in bounds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_shrinks_the_defaults_and_flags_override_them() -> anyhow::Result<()> {
        let full = Settings::for_tests();
        assert_eq!(full.concurrency, [1, 16, 64, 256]);
        assert_eq!(full.rounds, 3);
        let quick = Settings::from_args(&RunArgs {
            quick: true,
            concurrency: Some(vec![64, 1, 64]),
            out: Some(PathBuf::from("/tmp/unused")),
            ..Default::default()
        })?;
        assert_eq!(quick.concurrency, [1, 64]);
        assert_eq!(quick.rounds, 1);
        assert!(quick.seconds < full.seconds);
        Ok(())
    }

    #[test]
    fn unbounded_values_are_refused() {
        let too_long = RunArgs {
            seconds: Some(3600.0),
            out: Some(PathBuf::from("/tmp/unused")),
            ..Default::default()
        };
        assert!(Settings::from_args(&too_long).is_err());
        let no_tasks = RunArgs {
            concurrency: Some(vec![0]),
            out: Some(PathBuf::from("/tmp/unused")),
            ..Default::default()
        };
        assert!(Settings::from_args(&no_tasks).is_err());
    }
}
