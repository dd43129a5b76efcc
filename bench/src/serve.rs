//! The server process: the emulator (normal or canned) on `127.0.0.1:0`,
//! seeded with one organization and one user.
//!
//! It prints one [`Hello`] JSON line, then answers commands read from
//! stdin, one per line: `stats` prints a [`ServerStats`] line; `quit` or
//! the end of stdin (the orchestrator exited) shuts it down.

use std::io::BufRead as _;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use scalekit_emulator::{Emulator, Fixtures};
use serde::{Deserialize, Serialize};

use crate::usage;

/// The seed: one organization with one member, whom `GetUser` reads.
const SEED: &str = r#"{
  "organizations": [{
    "display_name": "Bench Org",
    "external_id": "bench-org",
    "users": [{ "email": "reader@bench.example", "given_name": "Bench", "family_name": "Reader" }]
  }]
}"#;

/// What the server tells the orchestrator once it listens.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Hello {
    /// `http://127.0.0.1:PORT`.
    pub env_url: String,
    /// The accepted client id.
    pub client_id: String,
    /// The accepted client secret (passed on to clients in their
    /// environment; never written to the report).
    pub client_secret: String,
    /// The seeded user.
    pub user_id: String,
    /// The seeded organization.
    pub org_id: String,
    /// An access token signed with the environment's key, valid for an hour.
    pub token: String,
    /// Whether the user service answers canned responses.
    pub canned: bool,
}

/// The server's counters, read on `stats`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct ServerStats {
    /// Requests that reached `POST /oauth/token`.
    pub token_requests: u64,
    /// Requests that reached `GET /keys`.
    pub jwks_requests: u64,
    /// gRPC calls received, rejected ones included.
    pub rpcs: u64,
    /// The server process's user + system CPU seconds so far.
    pub cpu_s: f64,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Runs the server until told to stop.
///
/// # Errors
/// When the emulator cannot start or the seeded data cannot be read back.
pub fn run(canned: bool) -> anyhow::Result<()> {
    let runtime = crate::client::current_thread_runtime()?;
    runtime.block_on(serve(canned))
}

async fn serve(canned: bool) -> anyhow::Result<()> {
    let fixtures = Fixtures::from_json(SEED).context("the seed is not valid")?;
    let emulator = Emulator::builder()
        .seed(fixtures)
        .canned(canned)
        .start()
        .await
        .context("cannot start the emulator")?;

    // The seeded ids, read back through the API (ListUsers is never canned).
    let setup = emulator.client().context("cannot build the setup client")?;
    let users = setup
        .users()
        .list_users(Default::default())
        .await
        .context("cannot list the seeded users")?;
    let user = users.items.first().context("the seed made no user")?;
    let org_id = user
        .memberships
        .first()
        .map(|m| m.organization_id.clone())
        .context("the seeded user has no membership")?;
    drop(setup);

    let now = unix_now();
    let claims = serde_json::json!({
        "iss": emulator.env_url(),
        "sub": user.id,
        "aud": [emulator.client_id()],
        "client_id": emulator.client_id(),
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "jti": "bench-token",
        "scopes": ["openid"],
    });
    let token = emulator
        .sign_token(&claims)
        .map_err(anyhow::Error::msg)
        .context("cannot sign the access token")?;
    let hello = Hello {
        env_url: emulator.env_url().to_string(),
        client_id: emulator.client_id().to_string(),
        client_secret: emulator.client_secret().to_string(),
        user_id: user.id.clone(),
        org_id,
        token,
        canned,
    };
    println!("{}", serde_json::to_string(&hello)?);

    let (tx, mut commands) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
        // Dropping `tx` ends the loop below: the orchestrator is gone.
    });
    while let Some(command) = commands.recv().await {
        match command.trim() {
            "stats" => {
                let stats = ServerStats {
                    token_requests: emulator.token_requests(),
                    jwks_requests: emulator.jwks_requests(),
                    rpcs: emulator.total_rpcs(),
                    cpu_s: usage::now().cpu.as_secs_f64(),
                };
                println!("{}", serde_json::to_string(&stats)?);
            }
            "quit" => break,
            other => eprintln!("scalekit-bench serve: unknown command {other:?}"),
        }
    }
    emulator.shutdown().await;
    Ok(())
}
