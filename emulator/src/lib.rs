//! `scalekit-emulator`: a local, stateful stand-in for a Scalekit environment.
//!
//! One port serves both what a Scalekit SDK talks to: the gRPC API (HTTP/2
//! cleartext) and the OAuth endpoints (`POST /oauth/token`, `GET /keys`).
//! State lives in memory; ids are deterministic; every RPC needs a bearer
//! token the emulator issued.
//!
//! ```
//! # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = scalekit_emulator::Emulator::builder().start().await?;
//! let client = scalekit::ScalekitClient::new(
//!     emulator.env_url(),
//!     emulator.client_id(),
//!     emulator.client_secret(),
//! )?;
//! let users = client.users().list_users(Default::default()).await?;
//! assert!(users.items.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! What is implemented: the client-credentials grant and the JWKS; the
//! organization and user services (memberships, invites, membership roles).
//! Every other RPC in `proto/` answers `UNIMPLEMENTED` with a message naming
//! the method.
#![deny(missing_docs)]

mod env;
mod gate;
mod ids;
mod keys;
mod oauth;
mod paging;
mod services;
mod status;
mod store;
mod tokens;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use rand::distributions::{Alphanumeric, DistString as _};
use scalekit::proto;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use tonic::Code;

use crate::env::{Environment, Failure};
use crate::services::organizations::Organizations;
use crate::services::users::Users;
use crate::services::NotYet;
use crate::store::{SharedStore, Store};
use crate::tokens::TokenIssuer;

/// Default lifetime of issued access tokens.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The signing key could not be made.
    #[error("cannot create the signing key: {0}")]
    Key(String),
}

/// Entry point: [`Emulator::builder`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// An emulator on `127.0.0.1` at a free port, with generated credentials.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id: None,
            client_secret: None,
            token_ttl: DEFAULT_TOKEN_TTL,
            id_seed: 0,
        }
    }
}

/// Settings for an emulator; [`start`](Self::start) runs it.
#[derive(Clone)]
pub struct EmulatorBuilder {
    addr: SocketAddr,
    client_id: Option<String>,
    client_secret: Option<String>,
    token_ttl: Duration,
    id_seed: u64,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("addr", &self.addr)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("token_ttl", &self.token_ttl)
            .field("id_seed", &self.id_seed)
            .finish()
    }
}

impl EmulatorBuilder {
    /// The port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// The address to listen on (default `127.0.0.1:0`).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The client id and secret the token endpoint accepts (generated when
    /// not given).
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self.client_secret = Some(secret.into());
        self
    }

    /// Lifetime of issued access tokens (default one hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Varies the generated ids between emulators (default 0). The same seed
    /// gives the same ids for the same sequence of calls.
    pub fn id_seed(mut self, seed: u64) -> Self {
        self.id_seed = seed;
        self
    }

    /// Binds the port and starts serving in the background.
    ///
    /// # Errors
    /// [`StartError`] when the port cannot be bound or the key cannot be made.
    pub async fn start(self) -> Result<EmulatorHandle, StartError> {
        let listener = TcpListener::bind(self.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.addr,
            source,
        })?;
        let env_url = format!("http://{addr}");
        let client_id = self
            .client_id
            .unwrap_or_else(|| format!("skc_{}", 10_000_000_000_000_000 + self.id_seed));
        let client_secret = self.client_secret.unwrap_or_else(|| {
            format!(
                "test_{}",
                Alphanumeric.sample_string(&mut rand::thread_rng(), 40)
            )
        });
        let key = keys::SigningKey::generate().map_err(StartError::Key)?;
        let env = Arc::new(Environment {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            tokens: TokenIssuer::new(key, env_url.clone(), self.token_ttl),
            store: Arc::new(SharedStore::new(Store::new(self.id_seed))),
            stats: Default::default(),
            faults: Default::default(),
        });

        let router = grpc_routes(&env)
            .route("/oauth/token", post(oauth::token))
            .route("/keys", get(oauth::keys))
            .layer(axum::middleware::from_fn_with_state(
                env.clone(),
                gate::gate,
            ))
            .with_state(env.clone());

        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "scalekit-emulator stopped serving");
            }
        });
        tracing::info!(%env_url, "scalekit-emulator listening");
        Ok(EmulatorHandle {
            addr,
            env_url,
            env,
            stop: Some(stop),
            task,
        })
    }
}

fn grpc_routes(env: &Arc<Environment>) -> axum::Router<Arc<Environment>> {
    let routes = tonic::service::Routes::new(proto::users::UserServiceServer::new(Users {
        store: env.store.clone(),
    }))
    .add_service(proto::organizations::OrganizationServiceServer::new(
        Organizations {
            store: env.store.clone(),
        },
    ))
    .add_service(proto::auditlogs::AuditLogsServiceServer::new(NotYet))
    .add_service(proto::auth::AuthServiceServer::new(NotYet))
    .add_service(proto::auth::passwordless::PasswordlessServiceServer::new(
        NotYet,
    ))
    .add_service(proto::auth::webauthn::WebAuthnServiceServer::new(NotYet))
    .add_service(proto::connections::ConnectionServiceServer::new(NotYet))
    .add_service(proto::directories::DirectoryServiceServer::new(NotYet))
    .add_service(proto::domains::DomainServiceServer::new(NotYet))
    .add_service(proto::roles::RolesServiceServer::new(NotYet))
    .add_service(proto::sessions::SessionServiceServer::new(NotYet));
    routes.into_axum_router().with_state(())
}

/// A running emulator. Dropping it stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    env_url: String,
    env: Arc<Environment>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("env_url", &self.env_url)
            .field("client_id", &self.env.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

impl EmulatorHandle {
    /// The environment URL to give an SDK (`http://127.0.0.1:PORT`).
    pub fn env_url(&self) -> &str {
        &self.env_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &str {
        &self.env.client_id
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &str {
        &self.env.client_secret
    }

    /// How many requests reached `POST /oauth/token`.
    pub fn token_requests(&self) -> u64 {
        self.env.stats.token_requests.load(Ordering::SeqCst)
    }

    /// How many calls reached each gRPC method, by full method path
    /// (`scalekit.v1.users.UserService/GetUser`), rejected ones included.
    pub fn rpc_counts(&self) -> BTreeMap<String, u64> {
        self.env.stats.rpc_counts()
    }

    /// How many calls reached the methods `filter` names: a full path,
    /// `Service/Method`, or a bare method name (`GetUser`).
    pub fn rpc_count(&self, filter: &str) -> u64 {
        self.rpc_counts()
            .iter()
            .filter(|(method, _)| env::method_matches(filter, method))
            .map(|(_, n)| n)
            .sum()
    }

    /// The total number of gRPC calls received.
    pub fn total_rpcs(&self) -> u64 {
        self.rpc_counts().values().sum()
    }

    /// Fails the next `times` calls of the methods `method` names (every
    /// method when `None`) with `code`, before authentication.
    pub fn fail_next(&self, method: Option<&str>, times: u32, code: Code) {
        self.env.faults.add_failure(Failure {
            method: method.map(str::to_string),
            remaining: times,
            code,
            message: format!("injected {code:?}"),
        });
    }

    /// Delays every gRPC call by `latency` (zero to stop).
    pub fn set_latency(&self, latency: Duration) {
        self.env.faults.set_latency(latency);
    }

    /// Removes every injected failure and the latency.
    pub fn clear_faults(&self) {
        self.env.faults.clear();
    }

    /// Revokes every access token issued so far: calls with them get
    /// UNAUTHENTICATED until the client fetches a new one.
    pub fn revoke_tokens(&self) {
        self.env.tokens.revoke_all();
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        self.env.tokens.set_ttl(ttl);
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        let _ = task.await;
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}
