//! Webhooks delivered: endpoints registered on the handle (or with
//! `--webhook`), each recorded event POSTed to every endpoint whose filter
//! takes its type, signed as Scalekit signs deliveries, retried on failure,
//! and logged for tests to read.
//!
//! The store hands each event to a bounded queue as it records it (see
//! [`crate::store::events::EventSink`]); one background task per emulator
//! takes them from there and starts a delivery per endpoint, so an RPC
//! never waits for an endpoint. Nothing runs, and nothing is queued, until
//! the first endpoint is registered: events recorded before then are not
//! delivered, as the service delivers only to endpoints that exist.

mod delivery;
mod payload;
mod signing;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use tokio::task::JoinHandle;

use crate::ids::IdGenerator;
use crate::store::SharedStore;
use crate::tokens::lock;

use self::delivery::{DeliveryLog, Dispatcher};
pub use self::delivery::{DeliveryOutcome, WebhookDelivery};
use self::signing::Secret;

/// Most deliveries [`EmulatorHandle::webhook_deliveries`] keeps: the oldest
/// are dropped beyond it.
///
/// [`EmulatorHandle::webhook_deliveries`]: crate::EmulatorHandle::webhook_deliveries
pub const WEBHOOK_LOG_CAPACITY: usize = 1000;

/// The pauses between attempts of a delivery by default: four attempts in
/// under three seconds, so a test sees retries and a give-up quickly. (The
/// service retries over hours.)
pub const DEFAULT_WEBHOOK_RETRY_DELAYS: [Duration; 3] = [
    Duration::from_millis(100),
    Duration::from_millis(500),
    Duration::from_secs(2),
];

/// How long one attempt may take by default, from connecting to the
/// response's status, before it counts as failed.
pub const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a webhook call of the handle failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The endpoint URL is not an absolute `http` URL with a host.
    #[error("invalid webhook endpoint URL: {0}")]
    InvalidUrl(&'static str),
    /// The secret is not `whsec_` followed by base64 key bytes.
    #[error("invalid webhook secret: expected `whsec_` followed by base64")]
    InvalidSecret,
    /// [`wait_for_webhook_deliveries`] timed out.
    ///
    /// [`wait_for_webhook_deliveries`]: crate::EmulatorHandle::wait_for_webhook_deliveries
    #[error("{recorded} webhook deliveries recorded within {timeout:?}, {wanted} awaited")]
    Timeout {
        /// How many deliveries were awaited.
        wanted: u64,
        /// How many had been recorded when the time ran out.
        recorded: u64,
        /// How long the caller waited.
        timeout: Duration,
    },
}

/// A registered webhook endpoint: where deliveries go, which event types it
/// takes, and the secret they are signed with. `Debug` leaves the secret
/// out.
#[derive(Clone)]
pub struct WebhookEndpoint {
    id: String,
    url: url::Url,
    event_types: Vec<String>,
    secret: Secret,
}

impl fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("id", &self.id)
            .field("url", &self.url.as_str())
            .field("event_types", &self.event_types)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl WebhookEndpoint {
    /// The endpoint's id (`ep_…`), which the delivery log names.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Where deliveries are POSTed.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The event types delivered to it; empty means every type.
    pub fn event_types(&self) -> &[String] {
        &self.event_types
    }

    /// The signing secret (`whsec_…`) its receiver verifies deliveries
    /// with: the one given at registration, or the one generated.
    pub fn secret(&self) -> &str {
        self.secret.expose()
    }

    /// Whether events of `event_type` are delivered to it.
    fn takes(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

/// How a delivery is retried: the pause before each retry (so one attempt
/// more than there are delays), and how long each attempt may take.
#[derive(Clone, Debug)]
pub(crate) struct RetryPolicy {
    pub(crate) delays: Vec<Duration>,
    pub(crate) timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            delays: DEFAULT_WEBHOOK_RETRY_DELAYS.to_vec(),
            timeout: DEFAULT_WEBHOOK_TIMEOUT,
        }
    }
}

/// The webhook state of one environment.
pub(crate) struct Webhooks {
    policy: RetryPolicy,
    endpoints: Arc<Mutex<Vec<WebhookEndpoint>>>,
    log: Arc<DeliveryLog>,
    ids: Mutex<IdGenerator>,
    /// The runtime the emulator started on, where the dispatcher runs (the
    /// handle's methods may be called from outside it).
    runtime: tokio::runtime::Handle,
    /// The dispatcher, once the first endpoint is registered.
    dispatcher: Mutex<Option<JoinHandle<()>>>,
}

impl Webhooks {
    /// Called on the emulator's runtime, at start.
    pub(crate) fn new(policy: RetryPolicy, id_seed: u64) -> Self {
        Webhooks {
            policy,
            endpoints: Default::default(),
            log: Default::default(),
            ids: Mutex::new(IdGenerator::new(id_seed)),
            runtime: tokio::runtime::Handle::current(),
            dispatcher: Mutex::new(None),
        }
    }

    /// Registers an endpoint; starts delivering to it the events recorded
    /// from now on.
    pub(crate) fn add_endpoint(
        &self,
        store: &SharedStore,
        url: &str,
        secret: Option<&str>,
        event_types: &[&str],
    ) -> Result<WebhookEndpoint, WebhookError> {
        let url = endpoint_url(url)?;
        let secret = match secret {
            Some(secret) => Secret::parse(secret)?,
            None => Secret::generate()?,
        };
        let endpoint = WebhookEndpoint {
            id: lock(&self.ids).next("ep"),
            url,
            event_types: event_types.iter().map(|t| t.to_string()).collect(),
            secret,
        };
        lock(&self.endpoints).push(endpoint.clone());
        self.start_dispatcher(store);
        tracing::info!(endpoint = %endpoint.id, "webhook endpoint registered");
        Ok(endpoint)
    }

    /// Removes an endpoint; deliveries to it in progress stop before their
    /// next retry. False when no endpoint has that id.
    pub(crate) fn remove_endpoint(&self, id: &str) -> bool {
        let mut endpoints = lock(&self.endpoints);
        let before = endpoints.len();
        endpoints.retain(|e| e.id != id);
        endpoints.len() < before
    }

    pub(crate) fn endpoints(&self) -> Vec<WebhookEndpoint> {
        lock(&self.endpoints).clone()
    }

    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.log.snapshot()
    }

    pub(crate) async fn wait_for_deliveries(
        &self,
        wanted: u64,
        timeout: Duration,
    ) -> Result<Vec<WebhookDelivery>, WebhookError> {
        self.log.wait_for(wanted, timeout).await
    }

    /// Stops delivering: deliveries in progress are dropped.
    pub(crate) fn stop(&self) {
        if let Some(task) = lock(&self.dispatcher).take() {
            task.abort();
        }
    }

    /// Starts the dispatcher and connects the store to it, once.
    fn start_dispatcher(&self, store: &SharedStore) {
        let mut dispatcher = lock(&self.dispatcher);
        if dispatcher.is_some() {
            return;
        }
        let (sink, events) = tokio::sync::mpsc::channel(delivery::QUEUE_CAPACITY);
        let task = Dispatcher {
            endpoints: self.endpoints.clone(),
            log: self.log.clone(),
            policy: self.policy.clone(),
        };
        *dispatcher = Some(self.runtime.spawn(task.run(events)));
        store.lock().event_sink.connect(sink);
    }
}

impl Drop for Webhooks {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The endpoint URL, if it is one the emulator can deliver to.
fn endpoint_url(text: &str) -> Result<url::Url, WebhookError> {
    let url = url::Url::parse(text).map_err(|_| WebhookError::InvalidUrl("not an absolute URL"))?;
    match url.scheme() {
        "http" => {}
        "https" => {
            return Err(WebhookError::InvalidUrl(
                "the emulator delivers over plain http only",
            ))
        }
        _ => return Err(WebhookError::InvalidUrl("not an http URL")),
    }
    if url.host().is_none() {
        return Err(WebhookError::InvalidUrl("no host"));
    }
    Ok(url)
}

/// The `webhook-*` headers for `payload`, signed with `secret` as a
/// delivery with a new id, sent now.
pub(crate) fn sign(secret: &str, payload: &[u8]) -> Result<HeaderMap, WebhookError> {
    let secret = Secret::parse(secret)?;
    let id = format!("msg_{}", random_suffix());
    Ok(secret.headers(&id, unix_now(), payload))
}

fn random_suffix() -> String {
    use rand::distributions::{Alphanumeric, DistString as _};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
}

/// Seconds since the Unix epoch (0 for a clock before it).
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_must_be_absolute_http_with_a_host() {
        assert!(endpoint_url("http://127.0.0.1:3000/webhooks").is_ok());
        for text in [
            "/webhooks",
            "localhost:3000",
            "https://example.com/webhooks",
            "ftp://example.com/",
            "http://",
        ] {
            assert!(endpoint_url(text).is_err(), "{text}");
        }
    }

    #[test]
    fn an_endpoint_without_types_takes_every_type() {
        let endpoint = |types: &[&str]| WebhookEndpoint {
            id: "ep_1".into(),
            url: endpoint_url("http://127.0.0.1/").expect("valid"),
            event_types: types.iter().map(|t| t.to_string()).collect(),
            secret: Secret::generate().expect("a secret"),
        };
        assert!(endpoint(&[]).takes("user.created"));
        assert!(endpoint(&["user.created"]).takes("user.created"));
        assert!(!endpoint(&["user.created"]).takes("user.deleted"));
    }
}
