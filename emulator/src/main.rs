//! `scalekit-emulator`: run a local Scalekit environment until Ctrl-C.

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use scalekit_emulator::Emulator;

/// A local, stateful stand-in for a Scalekit environment: gRPC and the OAuth
/// endpoints on one port.
#[derive(Debug, Parser)]
#[command(name = "scalekit-emulator", version, about)]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Client id the token endpoint accepts (generated if absent).
    #[arg(long, requires = "client_secret")]
    client_id: Option<String>,
    /// Client secret the token endpoint accepts (generated if absent).
    #[arg(long, requires = "client_id")]
    client_secret: Option<String>,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// Varies the generated ids; the same seed gives the same ids.
    #[arg(long, default_value_t = 0)]
    id_seed: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();

    let mut builder = Emulator::builder()
        .bind((args.host, args.port).into())
        .token_ttl(Duration::from_secs(args.token_ttl))
        .id_seed(args.id_seed);
    if let (Some(id), Some(secret)) = (args.client_id, args.client_secret) {
        builder = builder.client_credentials(id, secret);
    }
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("scalekit-emulator: {error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            return ExitCode::FAILURE;
        }
    };
    // The credentials are printed on purpose: they are the emulator's own,
    // made up for this run, and the caller needs them to connect.
    println!("SCALEKIT_ENVIRONMENT_URL={}", emulator.env_url());
    println!("SCALEKIT_CLIENT_ID={}", emulator.client_id());
    println!("SCALEKIT_CLIENT_SECRET={}", emulator.client_secret());
    eprintln!(
        "scalekit-emulator listening on {} (Ctrl-C stops it)",
        emulator.env_url()
    );

    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("scalekit-emulator: cannot wait for Ctrl-C: {error}");
    }
    emulator.shutdown().await;
    eprintln!("scalekit-emulator stopped");
    ExitCode::SUCCESS
}
