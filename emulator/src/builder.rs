//! Starting an emulator: [`Emulator::builder`], its settings, and
//! [`EmulatorBuilder::start`], which binds the port, builds the environment
//! and serves it in the background.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rand::distributions::{Alphanumeric, DistString as _};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use crate::env::Environment;
use crate::journal::{self, Journal};
use crate::redirects::RedirectUris;
use crate::reset::Baseline;
use crate::store::{SharedStore, Store};
use crate::tokens::TokenIssuer;
use crate::webhooks::{RetryPolicy, Webhooks};
use crate::{keys, routes, seed, serve, services};
use crate::{EmulatorHandle, Fixtures, StartError, DEFAULT_TOKEN_TTL};

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
            fixtures: None,
            canned: false,
            webhook_policy: RetryPolicy::default(),
            journal: journal::Limits::default(),
            redirect_uris: Vec::new(),
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
    fixtures: Option<Fixtures>,
    canned: bool,
    webhook_policy: RetryPolicy,
    journal: journal::Limits,
    redirect_uris: Vec<String>,
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
            .field("canned", &self.canned)
            .field("webhook_policy", &self.webhook_policy)
            .field("journal", &self.journal)
            .field("redirect_uris", &self.redirect_uris)
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

    /// Starts the environment with this data (see [`seed`]), created
    /// through the same services the RPCs use.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// let fixtures = scalekit_emulator::Fixtures::from_json(
    ///     r#"{ "organizations": [{ "display_name": "Acme", "users": [{ "email": "ada@acme.example" }] }] }"#,
    /// )?;
    /// let emulator = scalekit_emulator::Emulator::builder().seed(fixtures).start().await?;
    /// # let _ = emulator;
    /// # Ok(())
    /// # }
    /// ```
    pub fn seed(mut self, fixtures: Fixtures) -> Self {
        self.fixtures = Some(fixtures);
        self
    }

    /// Canned mode (default off): a server that cannot be the bottleneck of
    /// a benchmark.
    ///
    /// `scalekit.v1.users.UserService`'s `GetUser`, `CreateUserAndMembership`
    /// and `DeleteUser` then answer fixed responses built once at start-up,
    /// without reading or changing the store: `GetUser` returns one realistic
    /// user (email, profile, one membership) whose `id` echoes the request's
    /// id, `CreateUserAndMembership` returns that user, `DeleteUser` returns
    /// nothing. Everything else is unchanged: the OAuth and JWKS endpoints
    /// issue and publish real keys, every RPC still needs a valid bearer
    /// token, the counters count, faults apply, and the other RPCs keep
    /// their state.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = scalekit_emulator::Emulator::builder().canned(true).start().await?;
    /// let client = emulator.client()?;
    /// let user = client.users().get_user("usr_123").await?;
    /// assert_eq!(user.id, "usr_123");
    /// # Ok(())
    /// # }
    /// ```
    pub fn canned(mut self, on: bool) -> Self {
        self.canned = on;
        self
    }

    /// The pauses before each retry of a webhook delivery that failed (a
    /// non-`2xx` answer, no connection, or a timeout); after the last, the
    /// delivery gives up. Default [`DEFAULT_WEBHOOK_RETRY_DELAYS`]
    /// (`100 ms, 500 ms, 2 s`); empty means no retries.
    ///
    /// [`DEFAULT_WEBHOOK_RETRY_DELAYS`]: crate::DEFAULT_WEBHOOK_RETRY_DELAYS
    pub fn webhook_retry_delays(mut self, delays: impl IntoIterator<Item = Duration>) -> Self {
        self.webhook_policy.delays = delays.into_iter().collect();
        self
    }

    /// How long one webhook delivery attempt may take, from connecting to
    /// the response's status, before it counts as failed (default
    /// [`DEFAULT_WEBHOOK_TIMEOUT`](crate::DEFAULT_WEBHOOK_TIMEOUT), 5 s).
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_policy.timeout = timeout;
        self
    }

    /// How many gRPC calls the request journal keeps (default
    /// [`DEFAULT_JOURNAL_CAPACITY`](crate::DEFAULT_JOURNAL_CAPACITY)); the
    /// oldest go first. 0 turns the journal off, and with it the reading
    /// of each request's message before the handler.
    pub fn journal_capacity(mut self, entries: usize) -> Self {
        self.journal.capacity = entries;
        self
    }

    /// How many bytes of request messages and metadata the request journal
    /// holds at most, all entries together (default
    /// [`DEFAULT_JOURNAL_MAX_BYTES`](crate::DEFAULT_JOURNAL_MAX_BYTES)); the
    /// oldest entries go first. With the capacity, this bounds the
    /// journal's memory: see [`EmulatorHandle::journal`].
    pub fn journal_max_bytes(mut self, bytes: usize) -> Self {
        self.journal.max_bytes = bytes;
        self
    }

    /// Registers redirect URIs: `/oauth/authorize` then redirects only to
    /// these (and to those the fixtures' `redirect_uris` list), and answers
    /// any other `redirect_uri` with an error page instead of a redirect,
    /// as Scalekit does. Repeated calls add to the list.
    ///
    /// Without any, loopback URIs (`http://localhost:PORT/…`,
    /// `http://127.0.0.1:PORT/…`, `http://[::1]:PORT/…`) are accepted and
    /// nothing else. URIs are compared as parsed URLs, path and query
    /// included.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = scalekit_emulator::Emulator::builder()
    ///     .redirect_uris(["https://app.example/callback"])
    ///     .start()
    ///     .await?;
    /// # let _ = emulator;
    /// # Ok(())
    /// # }
    /// ```
    pub fn redirect_uris<I, S>(mut self, uris: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.redirect_uris.extend(uris.into_iter().map(Into::into));
        self
    }

    /// Binds the port and starts serving in the background.
    ///
    /// # Errors
    /// [`StartError`] when the port cannot be bound, the key cannot be made,
    /// a redirect URI is not an absolute URL or the fixtures are refused.
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
        let fixtures = self.fixtures.unwrap_or_default();
        let redirect_uris = RedirectUris::new(
            self.redirect_uris
                .iter()
                .chain(&fixtures.redirect_uris)
                .map(String::as_str),
        )
        .map_err(|e| StartError::RedirectUri {
            uri: e.uri,
            source: Box::new(e.source),
        })?;
        let key = keys::SigningKey::first().map_err(StartError::Key)?;
        let store = Arc::new(SharedStore::new(Store::new(self.id_seed)));
        let env = Arc::new(Environment {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            tokens: TokenIssuer::new(key, env_url.clone(), self.token_ttl),
            services: services::Context::new(store.clone(), &env_url),
            store,
            stats: Default::default(),
            faults: Default::default(),
            sign_in_pages: Default::default(),
            webhooks: Webhooks::new(self.webhook_policy.clone(), self.id_seed),
            journal: Journal::new(self.journal),
            redirect_uris,
            baseline: Baseline {
                id_seed: self.id_seed,
                fixtures,
            },
        });
        seed::apply(&env.services, &env.baseline.fixtures).await?;

        let router = routes::router(&env, self.canned);

        let (stop, stopped) = oneshot::channel::<()>();
        let (drain, drain_requests) = watch::channel(0);
        let task = tokio::spawn(serve::serve(listener, router, drain_requests, stopped));
        tracing::info!(%env_url, "scalekit-emulator listening");
        Ok(EmulatorHandle::new(addr, env_url, env, stop, drain, task))
    }
}
