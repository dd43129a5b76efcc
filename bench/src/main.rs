//! `scalekit-bench`: the load tool. One command starts the servers, runs
//! the raw generated client, the facade and the official Node SDK side by
//! side, and writes `target/bench-report/report.md`, `report.json` and
//! `calls_per_sec.png`:
//!
//! ```text
//! cargo run --release -p scalekit-bench -- --node-version 2.2.2
//! ```
//!
//! The same binary is also the server (`serve`) and the Rust client
//! (`client`) processes the orchestrator starts; see `bench/README.md`.

mod alloc_count;
mod cell;
mod chart;
mod child;
mod client;
mod driver;
mod instructions;
mod machine;
mod node;
mod orchestrate;
mod paired;
mod processes;
mod report;
mod serve;
mod settings;
mod soak;
mod stats;
mod usage;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: alloc_count::CountingAllocator = alloc_count::CountingAllocator;

/// Load tool: the facade, the raw generated client and the official Node
/// SDK against the emulator, side by side.
#[derive(Debug, Parser)]
#[command(name = "scalekit-bench", about)]
struct Cli {
    #[command(subcommand)]
    mode: Option<Mode>,
    #[command(flatten)]
    run: settings::RunArgs,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Internal: the server process.
    #[command(hide = true)]
    Serve {
        /// Canned user-service answers.
        #[arg(long)]
        canned: bool,
    },
    /// Rewrites report.md and calls_per_sec.png from a report.json, without
    /// running the load again.
    Render {
        /// The report.json of an earlier run.
        #[arg(long)]
        report: std::path::PathBuf,
        /// TTF font for the chart's text.
        #[arg(long)]
        font: Option<std::path::PathBuf>,
    },
    /// Instructions per call of the tonic, raw and facade clients, counted
    /// by valgrind's callgrind: a measure that machine noise does not move.
    Instructions {
        /// Workloads (get-user, create-delete).
        #[arg(long, value_enum, value_delimiter = ',', default_values = ["get-user", "create-delete"])]
        workloads: Vec<cell::Workload>,
        /// Calls in flight.
        #[arg(long, value_delimiter = ',', default_values_t = [1, 16, 64, 256])]
        concurrency: Vec<u32>,
        /// Measured calls per client.
        #[arg(long, default_value_t = 2000)]
        calls: u32,
    },
    /// Two Rust clients (default raw and facade) in one client process,
    /// taking turns in short slices against the canned server: a
    /// side-by-side wall-clock comparison that machine drift and process
    /// layout do not skew.
    Paired(paired::PairedArgs),
    /// The facade under a bounded storm of faults (latency, UNAVAILABLE,
    /// revocations, failures after commit, resets, freezes, drains and
    /// restarts), checking that every promise holds; see `bench/README.md`.
    Soak(soak::SoakArgs),
    /// Internal: one paired client process.
    #[command(hide = true)]
    PairedChild {
        /// The two clients, A then B.
        #[arg(long, value_enum, value_delimiter = ',', num_args = 1)]
        pair: Vec<client::RustClient>,
        /// Slices per client.
        #[arg(long)]
        slices: u32,
        /// The cell, as JSON.
        #[arg(long)]
        spec: String,
    },
    /// Internal: one client under callgrind.
    #[command(hide = true)]
    InstructionsChild {
        /// Which Rust client.
        #[arg(long, value_enum)]
        kind: client::RustClient,
        /// The workload.
        #[arg(long, value_enum)]
        workload: cell::Workload,
        /// Measured calls.
        #[arg(long)]
        calls: u32,
        /// Calls in flight.
        #[arg(long)]
        concurrency: u32,
    },
    /// Internal: one Rust client cell.
    #[command(hide = true)]
    Client {
        /// Which Rust client.
        #[arg(long, value_enum)]
        kind: client::RustClient,
        /// The cell, as JSON.
        #[arg(long)]
        spec: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.mode {
        Some(Mode::Serve { canned }) => serve::run(canned),
        Some(Mode::Render { report, font }) => orchestrate::render(&report, font.as_deref()),
        Some(Mode::Client { kind, spec }) => serde_json::from_str(&spec)
            .map_err(anyhow::Error::from)
            .and_then(|spec| client::run(kind, &spec)),
        Some(Mode::Instructions {
            workloads,
            concurrency,
            calls,
        }) => instructions::run(&workloads, &concurrency, calls),
        Some(Mode::InstructionsChild {
            kind,
            workload,
            calls,
            concurrency,
        }) => instructions::child(kind, workload, calls, concurrency),
        Some(Mode::Paired(args)) => paired::run(&args),
        Some(Mode::Soak(args)) => soak::run(&args),
        Some(Mode::PairedChild { pair, slices, spec }) => match pair.as_slice() {
            &[a, b] => serde_json::from_str(&spec)
                .map_err(anyhow::Error::from)
                .and_then(|spec| paired::child([a, b], slices, &spec)),
            _ => Err(anyhow::anyhow!("--pair takes two clients")),
        },
        None => settings::Settings::from_args(&cli.run).and_then(|s| orchestrate::run(&s)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("scalekit-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}
