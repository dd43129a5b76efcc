//! What one client process is asked to run ([`Spec`]) and what it answers
//! ([`Measured`]): the JSON contract between the orchestrator, the Rust
//! client mode and the Node driver (`node/driver.js` reads and writes the
//! same fields).

use serde::{Deserialize, Serialize};

/// A load workload: calls against the server at some concurrency.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// `GetUser` of one seeded user.
    GetUser,
    /// `CreateUserAndMembership` then `DeleteUser` of the user just made.
    CreateDelete,
    /// Validate an access token against the JWKS, then `GetUser`: what a
    /// backend does on a signed-in request.
    LoginMix,
}

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Workload; 3] = [
        Workload::GetUser,
        Workload::CreateDelete,
        Workload::LoginMix,
    ];

    /// The name used on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Workload::GetUser => "get-user",
            Workload::CreateDelete => "create-delete",
            Workload::LoginMix => "login-mix",
        }
    }

    /// RPCs one iteration makes.
    pub fn rpcs_per_iteration(self) -> u32 {
        match self {
            Workload::CreateDelete => 2,
            Workload::GetUser | Workload::LoginMix => 1,
        }
    }
}

/// A single-threaded local operation compared with Node's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Micro {
    /// Warm `validate_token` (same token, JWKS cached) vs `validateToken`.
    ValidateToken,
    /// `verify_webhook_payload` vs `verifyWebhookPayload`, 1 KiB payload.
    Webhook,
}

impl Micro {
    /// Both, in report order.
    pub const ALL: [Micro; 2] = [Micro::ValidateToken, Micro::Webhook];

    /// The name used in the report.
    pub fn name(self) -> &'static str {
        match self {
            Micro::ValidateToken => "validate-token",
            Micro::Webhook => "webhook",
        }
    }
}

/// What a client process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "name")]
pub enum Job {
    /// A load workload.
    Load(Workload),
    /// A micro comparison.
    Micro(Micro),
}

/// Which client drives the load.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum ClientKind {
    /// The generated tonic client over a plain tonic channel, with a bearer
    /// token fetched once and set by an interceptor: the baseline, what a
    /// hand-written tonic integration costs.
    Tonic,
    /// The generated tonic client from `client.raw()`, over the SDK's
    /// authenticated channel.
    Raw,
    /// The handwritten facade (`client.users()`).
    Facade,
    /// The official `@scalekit-sdk/node`.
    Node,
}

impl ClientKind {
    /// The name used on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            ClientKind::Tonic => "tonic",
            ClientKind::Raw => "raw",
            ClientKind::Facade => "facade",
            ClientKind::Node => "node",
        }
    }
}

/// Which server answers.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum ServerMode {
    /// The emulator with canned user-service answers: cannot be the bottleneck.
    Canned,
    /// The ordinary, stateful emulator.
    Emulator,
}

impl ServerMode {
    /// The name used on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            ServerMode::Canned => "canned",
            ServerMode::Emulator => "emulator",
        }
    }
}

/// A webhook delivery every verifier checks: the same secret, headers and body.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookCase {
    /// `whsec_…`.
    pub secret: String,
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp` (unix seconds).
    pub timestamp: String,
    /// `webhook-signature` (`v1,<base64>`).
    pub signature: String,
    /// The raw body (ASCII JSON).
    pub payload: String,
}

/// One client process's task. The client credentials travel in the
/// `SCALEKIT_*` environment variables, not here.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Spec {
    /// What to run.
    pub job: Job,
    /// Calls in flight at once (tasks or promises each running a loop).
    pub concurrency: usize,
    /// Measured part: at most this many iterations…
    pub max_iterations: u64,
    /// …and at most this long, whichever ends first.
    pub seconds: f64,
    /// Warm-up, not measured: at most this many iterations…
    pub warmup_iterations: u64,
    /// …and at most this long.
    pub warmup_seconds: f64,
    /// The seeded user `GetUser` reads.
    pub user_id: String,
    /// The seeded organization users are created in.
    pub org_id: String,
    /// An access token the server signed, for validation.
    pub token: String,
    /// The token's expected issuer.
    pub issuer: String,
    /// The token's expected audience.
    pub audience: String,
    /// The delivery for [`Micro::Webhook`].
    pub webhook: Option<WebhookCase>,
}

/// What a client process measured. Latencies are per iteration; `calls`
/// counts RPCs (two per create-delete iteration) or, for micro jobs,
/// operations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// `raw`, `facade`, `node` (loads) or `rust`, `node` (micro).
    pub client: String,
    /// Iterations that succeeded in the measured part.
    pub iterations: u64,
    /// RPCs (or operations) that succeeded in the measured part.
    pub calls: u64,
    /// Iterations that failed.
    pub errors: u64,
    /// The first failure's message, if any.
    pub first_error: Option<String>,
    /// Length of the measured part.
    pub elapsed_s: f64,
    /// `calls / elapsed_s`.
    pub calls_per_s: f64,
    /// Median iteration latency.
    pub p50_ms: Option<f64>,
    /// 99th percentile iteration latency.
    pub p99_ms: Option<f64>,
    /// Slowest iteration.
    pub max_ms: Option<f64>,
    /// User + system CPU time of the process during the measured part.
    pub cpu_s: f64,
    /// Peak resident set size of the process over its life, KiB.
    pub peak_rss_kib: u64,
    /// Heap allocations during the measured part (Rust clients only).
    pub allocations: Option<u64>,
}

impl Measured {
    /// Allocations per successful call, when counted.
    pub fn allocs_per_call(&self) -> Option<f64> {
        let allocations = self.allocations?;
        (self.calls > 0).then(|| allocations as f64 / self.calls as f64)
    }

    /// CPU seconds per 1,000 successful calls.
    pub fn cpu_s_per_1k(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.cpu_s * 1000.0 / self.calls as f64)
    }
}

/// The line a client prints just before its measured part starts, so the
/// orchestrator can read the server's CPU clock at that moment.
pub const READY_LINE: &str = r#"{"event":"ready"}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_and_enums_serialize_as_the_node_driver_expects() -> anyhow::Result<()> {
        let load = serde_json::to_string(&Job::Load(Workload::CreateDelete))?;
        assert_eq!(load, r#"{"kind":"load","name":"create-delete"}"#);
        let micro = serde_json::to_string(&Job::Micro(Micro::ValidateToken))?;
        assert_eq!(micro, r#"{"kind":"micro","name":"validate-token"}"#);
        Ok(())
    }

    #[test]
    fn per_call_figures_divide_by_successful_calls() {
        let m = Measured {
            client: "raw".into(),
            iterations: 500,
            calls: 1000,
            errors: 0,
            first_error: None,
            elapsed_s: 1.0,
            calls_per_s: 1000.0,
            p50_ms: None,
            p99_ms: None,
            max_ms: None,
            cpu_s: 0.25,
            peak_rss_kib: 1,
            allocations: Some(49_000),
        };
        assert_eq!(m.allocs_per_call(), Some(49.0));
        assert_eq!(m.cpu_s_per_1k(), Some(0.25));
        let none = Measured { calls: 0, ..m };
        assert_eq!(none.allocs_per_call(), None);
        assert_eq!(none.cpu_s_per_1k(), None);
    }
}
