//! The Rust client process: one (client, job, concurrency) cell. It warms
//! up (the first calls connect and fetch the token), prints [`READY_LINE`],
//! runs the bounded measured part, and prints one [`Measured`] JSON line.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use scalekit::oidc::TokenValidationOptions;
use scalekit::proto::users::{
    delete_user_request, get_user_request, CreateUser, CreateUserAndMembershipRequest,
    DeleteUserRequest, GetUserRequest, UserServiceClient,
};
use scalekit::users::{CreateUserAndMembershipOptions, UsersClient};
use scalekit::ScalekitClient;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::{interceptor::InterceptedService, Interceptor};
use tonic::transport::{Channel, Endpoint};
use tonic::Status;

use crate::alloc_count;
use crate::cell::{Job, Measured, Micro, Spec, Workload, READY_LINE};
use crate::driver::{run_phase, Bounds, Latencies, Worker};
use crate::stats::percentile_sorted;
use crate::usage;

/// The generated client as `client.raw().users()` hands it out.
type RawUsers = UserServiceClient<scalekit::AuthChannel>;

/// The generated client over a plain tonic channel.
pub(crate) type TonicUsers = UserServiceClient<InterceptedService<Channel, Bearer>>;

/// Sets one fixed `authorization: Bearer …` header: the baseline does no
/// token management at all, which is the least any client can do.
#[derive(Clone)]
pub(crate) struct Bearer(MetadataValue<Ascii>);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        request
            .metadata_mut()
            .insert("authorization", self.0.clone());
        Ok(request)
    }
}

/// What the client-credentials grant answers (the part we read).
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
}

/// A plain tonic channel and a bearer fetched once from the token endpoint.
pub(crate) async fn tonic_users(
    env_url: &str,
    client_id: &str,
    secret: &str,
) -> anyhow::Result<TonicUsers> {
    let http = reqwest::Client::builder()
        .build()
        .context("cannot build the HTTP client")?;
    let token: TokenResponse = http
        .post(format!("{}/oauth/token", env_url.trim_end_matches('/')))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .context("the token request failed")?
        .json()
        .await
        .context("the token response is not JSON with an access_token")?;
    let bearer = MetadataValue::try_from(format!("Bearer {}", token.access_token))
        .context("the access token is not a valid header value")?;
    let channel = Endpoint::from_shared(env_url.to_string())
        .context("the environment URL is not a valid endpoint")?
        .connect()
        .await
        .context("cannot connect")?;
    Ok(UserServiceClient::with_interceptor(channel, Bearer(bearer)))
}

/// [`tonic_users`] with the `SCALEKIT_*` variables the orchestrator sets.
pub(crate) async fn tonic_users_from_env() -> anyhow::Result<TonicUsers> {
    let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    tonic_users(
        &var("SCALEKIT_ENVIRONMENT_URL")?,
        &var("SCALEKIT_CLIENT_ID")?,
        &var("SCALEKIT_CLIENT_SECRET")?,
    )
    .await
}

/// Which Rust client a process drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RustClient {
    /// The generated client over a plain tonic channel.
    Tonic,
    /// `client.raw()`, the generated tonic clients.
    Raw,
    /// `client.users()`, the facade.
    Facade,
    /// Micro jobs: the SDK's local helpers.
    Rust,
}

impl RustClient {
    /// The name used on the command line and in reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RustClient::Tonic => "tonic",
            RustClient::Raw => "raw",
            RustClient::Facade => "facade",
            RustClient::Rust => "rust",
        }
    }
}

/// The user service through one of the clients, behind one interface.
pub(crate) enum Users {
    Tonic(TonicUsers),
    Raw(RawUsers),
    Facade(UsersClient),
}

/// The body both generated clients share; `$users` is either type.
macro_rules! generated_get_user {
    ($users:expr, $user_id:expr) => {{
        let request = GetUserRequest {
            identities: Some(get_user_request::Identities::Id($user_id.to_owned())),
        };
        $users
            .get_user(request)
            .await
            .map(drop)
            .map_err(|s| s.to_string())
    }};
}

macro_rules! generated_create_then_delete {
    ($users:expr, $org_id:expr, $email:expr) => {{
        let request = CreateUserAndMembershipRequest {
            organization_id: $org_id.to_owned(),
            user: Some(CreateUser {
                email: $email,
                ..Default::default()
            }),
            send_invitation_email: Some(false),
        };
        let created = $users
            .create_user_and_membership(request)
            .await
            .map_err(|s| s.to_string())?
            .into_inner();
        let id = created
            .user
            .map(|u| u.id)
            .ok_or("CreateUserAndMembership answered no user")?;
        let request = DeleteUserRequest {
            identities: Some(delete_user_request::Identities::Id(id)),
        };
        $users
            .delete_user(request)
            .await
            .map(drop)
            .map_err(|s| s.to_string())
    }};
}

impl Users {
    pub(crate) fn new(
        kind: RustClient,
        client: &ScalekitClient,
        tonic: Option<&TonicUsers>,
    ) -> Users {
        match (kind, tonic) {
            (RustClient::Tonic, Some(users)) => Users::Tonic(users.clone()),
            (RustClient::Raw, _) => Users::Raw(client.raw().users()),
            _ => Users::Facade(client.users()),
        }
    }

    pub(crate) async fn get_user(&mut self, user_id: &str) -> Result<(), String> {
        match self {
            Users::Tonic(users) => generated_get_user!(users, user_id),
            Users::Raw(users) => generated_get_user!(users, user_id),
            Users::Facade(users) => users
                .get_user(user_id)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        }
    }

    pub(crate) async fn create_then_delete(
        &mut self,
        org_id: &str,
        email: String,
    ) -> Result<(), String> {
        match self {
            Users::Tonic(users) => generated_create_then_delete!(users, org_id, email),
            Users::Raw(users) => generated_create_then_delete!(users, org_id, email),
            Users::Facade(users) => {
                let user = CreateUser {
                    email,
                    ..Default::default()
                };
                let opts =
                    CreateUserAndMembershipOptions::default().with_send_invitation_email(false);
                // Only the id is kept, and the rest of the user is dropped
                // now, as the generated clients' body does with its response.
                let id = users
                    .create_user_and_membership(org_id, user, opts)
                    .await
                    .map_err(|e| e.to_string())?
                    .id;
                users.delete_user(&id).await.map_err(|e| e.to_string())
            }
        }
    }
}

/// A load worker: one task's handle on the service and what it calls.
pub(crate) struct LoadWorker {
    workload: Workload,
    users: Users,
    client: ScalekitClient,
    user_id: String,
    org_id: String,
    token: String,
    validation: TokenValidationOptions,
    pid: u32,
}

impl Worker for LoadWorker {
    async fn run_once(&mut self, seq: u64) -> Result<u32, String> {
        match self.workload {
            Workload::GetUser => self.users.get_user(&self.user_id).await?,
            Workload::CreateDelete => {
                let email = format!("bench-{}-{seq}@bench.example", self.pid);
                self.users.create_then_delete(&self.org_id, email).await?;
            }
            Workload::LoginMix => {
                validate(&self.client, &self.token, &self.validation).await?;
                self.users.get_user(&self.user_id).await?;
            }
        }
        Ok(self.workload.rpcs_per_iteration())
    }
}

async fn validate(
    client: &ScalekitClient,
    token: &str,
    opts: &TokenValidationOptions,
) -> Result<(), String> {
    client
        .validate_token::<serde_json::Value>(token, opts.clone())
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// A micro worker: a local SDK operation, single-threaded.
enum MicroWorker {
    Validate {
        client: ScalekitClient,
        token: String,
        validation: TokenValidationOptions,
    },
    Webhook {
        client: ScalekitClient,
        secret: String,
        headers: HashMap<String, String>,
        payload: Vec<u8>,
    },
}

impl Worker for MicroWorker {
    async fn run_once(&mut self, _seq: u64) -> Result<u32, String> {
        match self {
            MicroWorker::Validate {
                client,
                token,
                validation,
            } => validate(client, token, validation).await?,
            MicroWorker::Webhook {
                client,
                secret,
                headers,
                payload,
            } => client
                .verify_webhook_payload(secret, headers, payload.as_slice())
                .map_err(|e| e.to_string())?,
        }
        Ok(1)
    }
}

/// `s` seconds as a `Duration` (negative: zero; unrepresentable: a minute).
pub(crate) fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::from_secs(60))
}

/// `spec.concurrency` workers of `kind` running `workload`, all over
/// `client` (its connection and token cache).
pub(crate) fn load_workers(
    kind: RustClient,
    client: &ScalekitClient,
    tonic: Option<&TonicUsers>,
    spec: &Spec,
    workload: Workload,
) -> Vec<LoadWorker> {
    let validation = TokenValidationOptions::default()
        .with_issuer(spec.issuer.clone())
        .with_audience([spec.audience.clone()]);
    (0..spec.concurrency.max(1))
        .map(|_| LoadWorker {
            workload,
            users: Users::new(kind, client, tonic),
            client: client.clone(),
            user_id: spec.user_id.clone(),
            org_id: spec.org_id.clone(),
            token: spec.token.clone(),
            validation: validation.clone(),
            pid: std::process::id(),
        })
        .collect()
}

/// Warm-up, then the measured part; returns what it measured.
async fn measure<W: Worker>(kind: RustClient, spec: &Spec, workers: Vec<W>) -> Measured {
    let warmup = Bounds {
        max_iterations: spec.warmup_iterations,
        limit: seconds(spec.warmup_seconds),
        seq_base: 0,
    };
    let (workers, _) = run_phase(workers, warmup, None, || {}).await;

    let latencies = Latencies::with_capacity(spec.max_iterations);
    let bounds = Bounds {
        max_iterations: spec.max_iterations,
        limit: seconds(spec.seconds),
        seq_base: 1 << 40,
    };
    println!("{READY_LINE}");
    let mut start = None;
    let (workers, outcome) = run_phase(workers, bounds, Some(&latencies), || {
        start = Some((Instant::now(), usage::now(), alloc_count::allocations()));
    })
    .await;
    let end = (Instant::now(), usage::now(), alloc_count::allocations());
    drop(workers);
    let (t0, u0, a0) = start.unwrap_or(end);

    let elapsed_s = end.0.duration_since(t0).as_secs_f64();
    let sorted = latencies.sorted();
    let ms = |ns: u64| ns as f64 / 1e6;
    Measured {
        client: kind.name().to_string(),
        iterations: outcome.iterations,
        calls: outcome.calls,
        errors: outcome.errors,
        first_error: outcome.first_error,
        elapsed_s,
        calls_per_s: if elapsed_s > 0.0 {
            outcome.calls as f64 / elapsed_s
        } else {
            0.0
        },
        p50_ms: percentile_sorted(&sorted, 50.0).map(ms),
        p99_ms: percentile_sorted(&sorted, 99.0).map(ms),
        max_ms: (outcome.iterations > 0).then_some(outcome.max.as_secs_f64() * 1e3),
        cpu_s: end.1.cpu.saturating_sub(u0.cpu).as_secs_f64(),
        peak_rss_kib: end.1.max_rss_kib,
        allocations: Some(end.2.saturating_sub(a0)),
    }
}

/// The single-threaded runtime every bench process runs on: each process
/// is pinned to one core, and one thread is what one core can do without
/// handing work between threads.
pub(crate) fn current_thread_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")
}

/// Runs one cell in this process and prints its result line.
///
/// # Errors
/// A missing `SCALEKIT_*` variable or a client that cannot be built.
pub fn run(kind: RustClient, spec: &Spec) -> anyhow::Result<()> {
    let runtime = current_thread_runtime()?;
    let measured = runtime.block_on(async {
        let client = ScalekitClient::from_env().context("cannot build the client")?;
        let tonic = match (kind, spec.job) {
            (RustClient::Tonic, Job::Load(_)) => Some(tonic_users_from_env().await?),
            _ => None,
        };
        let validation = TokenValidationOptions::default()
            .with_issuer(spec.issuer.clone())
            .with_audience([spec.audience.clone()]);
        let measured = match spec.job {
            Job::Load(workload) => {
                let workers = load_workers(kind, &client, tonic.as_ref(), spec, workload);
                measure(kind, spec, workers).await
            }
            Job::Micro(Micro::ValidateToken) => {
                let worker = MicroWorker::Validate {
                    client: client.clone(),
                    token: spec.token.clone(),
                    validation,
                };
                measure(kind, spec, vec![worker]).await
            }
            Job::Micro(Micro::Webhook) => {
                let case = spec
                    .webhook
                    .as_ref()
                    .context("the webhook job needs a webhook case")?;
                let headers = HashMap::from([
                    ("webhook-id".to_string(), case.id.clone()),
                    ("webhook-timestamp".to_string(), case.timestamp.clone()),
                    ("webhook-signature".to_string(), case.signature.clone()),
                ]);
                let worker = MicroWorker::Webhook {
                    client: client.clone(),
                    secret: case.secret.clone(),
                    headers,
                    payload: case.payload.clone().into_bytes(),
                };
                measure(kind, spec, vec![worker]).await
            }
        };
        anyhow::Ok(measured)
    })?;
    println!("{}", serde_json::to_string(&measured)?);
    Ok(())
}
