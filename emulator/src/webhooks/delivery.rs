//! The dispatcher and the delivery log. Each event starts one delivery per
//! endpoint that takes its type; a delivery makes its attempts in order,
//! pausing between them as the retry policy says, and each attempt is one
//! entry of the log. Deliveries run side by side, so neither a slow
//! endpoint nor a long retry schedule holds up the others (the service does
//! not promise an order either).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use scalekit::proto::events::ScalekitEvent;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;

use super::{payload, unix_now, RetryPolicy, WebhookEndpoint, WebhookError, WEBHOOK_LOG_CAPACITY};
use crate::tokens::lock;

/// Events waiting for the dispatcher. Beyond it the store drops events
/// (with a warning) rather than hold up the RPC that recorded them.
pub(crate) const QUEUE_CAPACITY: usize = 4096;

/// Deliveries in progress at once; the dispatcher waits for one to finish
/// before starting more, and the queue fills meanwhile.
const MAX_IN_FLIGHT: usize = 256;

/// One attempt to deliver one event to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The event's id (`evt_…`).
    pub event_id: String,
    /// The event's type (`organization.created`).
    pub event_type: String,
    /// The endpoint's id (`ep_…`).
    pub endpoint_id: String,
    /// The endpoint's URL.
    pub url: String,
    /// The `webhook-id` header: the same for every attempt of a delivery,
    /// so a receiver can tell a retry from a new event.
    pub webhook_id: String,
    /// 1 for the first attempt, 2 for the first retry, and so on.
    pub attempt: u32,
    /// What the endpoint answered.
    pub outcome: DeliveryOutcome,
    /// When the next attempt follows; `None` when this one succeeded or
    /// was the last the retry schedule allows (the delivery gave up).
    pub retry_in: Option<Duration>,
    /// When the attempt started.
    pub at: SystemTime,
}

/// What an attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// The endpoint answered with this HTTP status; a `2xx` is a success,
    /// anything else is retried.
    Status(u16),
    /// No answer: the connection failed or the attempt timed out.
    Error(String),
}

impl DeliveryOutcome {
    /// Whether the endpoint took the delivery (answered `2xx`).
    pub fn is_success(&self) -> bool {
        matches!(self, DeliveryOutcome::Status(status) if (200..300).contains(status))
    }
}

/// The most recent attempts, and how many were ever recorded.
pub(crate) struct DeliveryLog {
    entries: Mutex<VecDeque<WebhookDelivery>>,
    recorded: watch::Sender<u64>,
}

impl Default for DeliveryLog {
    fn default() -> Self {
        DeliveryLog {
            entries: Mutex::new(VecDeque::new()),
            recorded: watch::Sender::new(0),
        }
    }
}

impl DeliveryLog {
    fn push(&self, delivery: WebhookDelivery) {
        let mut entries = lock(&self.entries);
        if entries.len() == WEBHOOK_LOG_CAPACITY {
            entries.pop_front();
        }
        entries.push_back(delivery);
        // Counted under the lock, so a waiter woken by the count finds the
        // entry in the log.
        self.recorded.send_modify(|n| *n += 1);
    }

    pub(crate) fn snapshot(&self) -> Vec<WebhookDelivery> {
        lock(&self.entries).iter().cloned().collect()
    }

    /// The log once `wanted` attempts have been recorded since the start.
    pub(crate) async fn wait_for(
        &self,
        wanted: u64,
        timeout: Duration,
    ) -> Result<Vec<WebhookDelivery>, WebhookError> {
        let mut recorded = self.recorded.subscribe();
        // The sender lives as long as `self`, so only the timeout ends the
        // wait early.
        let reached = tokio::time::timeout(timeout, recorded.wait_for(|&n| n >= wanted))
            .await
            .is_ok_and(|waited| waited.is_ok());
        if reached {
            return Ok(self.snapshot());
        }
        let recorded = *recorded.borrow();
        Err(WebhookError::Timeout {
            wanted,
            recorded,
            timeout,
        })
    }
}

/// Takes events off the queue and starts their deliveries.
pub(crate) struct Dispatcher {
    pub(crate) endpoints: Arc<Mutex<Vec<WebhookEndpoint>>>,
    pub(crate) log: Arc<DeliveryLog>,
    pub(crate) policy: RetryPolicy,
}

impl Dispatcher {
    /// Runs until the queue closes (the store is gone) or the task is
    /// aborted; either way the deliveries in progress are dropped with it.
    pub(crate) async fn run(self, mut events: mpsc::Receiver<ScalekitEvent>) {
        // Proxies from the environment are not used: endpoints are local
        // receivers, and a proxy would answer for them. A redirect is an
        // answer like any other non-2xx: a failure, not followed.
        let http = match reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.policy.timeout)
            .build()
        {
            Ok(http) => http,
            Err(error) => {
                tracing::error!(%error, "cannot build the webhook HTTP client; no webhooks will be delivered");
                return;
            }
        };
        let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        let mut deliveries = JoinSet::new();
        while let Some(event) = events.recv().await {
            // Reap finished deliveries, so the set holds only live ones.
            while deliveries.try_join_next().is_some() {}
            let targets: Vec<WebhookEndpoint> = lock(&self.endpoints)
                .iter()
                .filter(|e| e.takes(&event.r#type))
                .cloned()
                .collect();
            if targets.is_empty() {
                continue;
            }
            let event = Arc::new(Event::from(&event));
            for endpoint in targets {
                let Ok(permit) = in_flight.clone().acquire_owned().await else {
                    return;
                };
                let delivery = Delivery {
                    http: http.clone(),
                    endpoint,
                    event: event.clone(),
                    endpoints: self.endpoints.clone(),
                    log: self.log.clone(),
                    delays: self.policy.delays.clone(),
                };
                deliveries.spawn(async move {
                    delivery.run().await;
                    drop(permit);
                });
            }
        }
    }
}

/// What every delivery of one event shares.
struct Event {
    id: String,
    event_type: String,
    /// The `webhook-id` of its deliveries, the same for every endpoint and
    /// attempt: random, not derived from the event id, because ids start
    /// again after a reset and a receiver drops a `webhook-id` it has seen.
    webhook_id: String,
    body: Vec<u8>,
}

impl From<&ScalekitEvent> for Event {
    fn from(event: &ScalekitEvent) -> Self {
        Event {
            id: event.id.clone(),
            event_type: event.r#type.clone(),
            webhook_id: format!("msg_{}", super::random_suffix()),
            body: payload::render(event),
        }
    }
}

/// One event to one endpoint, with its retries.
struct Delivery {
    http: reqwest::Client,
    endpoint: WebhookEndpoint,
    event: Arc<Event>,
    endpoints: Arc<Mutex<Vec<WebhookEndpoint>>>,
    log: Arc<DeliveryLog>,
    delays: Vec<Duration>,
}

impl Delivery {
    async fn run(self) {
        let mut attempt = 1u32;
        loop {
            let at = SystemTime::now();
            let outcome = self.attempt().await;
            let retry_in = if outcome.is_success() {
                None
            } else {
                self.delays.get(attempt as usize - 1).copied()
            };
            self.report(attempt, &outcome, retry_in);
            self.log.push(WebhookDelivery {
                event_id: self.event.id.clone(),
                event_type: self.event.event_type.clone(),
                endpoint_id: self.endpoint.id.clone(),
                url: self.endpoint.url.to_string(),
                webhook_id: self.event.webhook_id.clone(),
                attempt,
                outcome,
                retry_in,
                at,
            });
            let Some(pause) = retry_in else {
                return;
            };
            tokio::time::sleep(pause).await;
            if !self.endpoint_still_registered() {
                return;
            }
            attempt += 1;
        }
    }

    /// One POST, signed at the time it is sent.
    async fn attempt(&self) -> DeliveryOutcome {
        let event = &self.event;
        let headers = self
            .endpoint
            .secret
            .headers(&event.webhook_id, unix_now(), &event.body);
        let sent = self
            .http
            .post(self.endpoint.url.clone())
            .headers(headers)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(event.body.clone())
            .send()
            .await;
        match sent {
            Ok(response) => DeliveryOutcome::Status(response.status().as_u16()),
            Err(error) => DeliveryOutcome::Error(describe(error)),
        }
    }

    fn endpoint_still_registered(&self) -> bool {
        lock(&self.endpoints)
            .iter()
            .any(|e| e.id == self.endpoint.id)
    }

    fn report(&self, attempt: u32, outcome: &DeliveryOutcome, retry_in: Option<Duration>) {
        let (endpoint, event) = (&self.endpoint.id, &self.event.id);
        let event_type = &self.event.event_type;
        match (outcome.is_success(), retry_in) {
            (true, _) => {
                tracing::info!(%endpoint, %event, %event_type, attempt, ?outcome, "webhook delivered")
            }
            (false, Some(retry_in)) => tracing::info!(
                %endpoint, %event, %event_type, attempt, ?outcome, ?retry_in,
                "webhook delivery failed; retrying"
            ),
            (false, None) => tracing::warn!(
                %endpoint, %event, %event_type, attempt, ?outcome,
                "webhook delivery failed; giving up"
            ),
        }
    }
}

/// A failed request, in words: what failed and its causes, without the
/// URL (the log has it already).
fn describe(error: reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let error = error.without_url();
    let mut text = what.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(attempt: u32) -> WebhookDelivery {
        WebhookDelivery {
            event_id: format!("evt_{attempt}"),
            event_type: "user.created".into(),
            endpoint_id: "ep_1".into(),
            url: "http://127.0.0.1/".into(),
            webhook_id: "msg_1".into(),
            attempt,
            outcome: DeliveryOutcome::Status(200),
            retry_in: None,
            at: SystemTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn only_2xx_is_a_success() {
        for (outcome, success) in [
            (DeliveryOutcome::Status(200), true),
            (DeliveryOutcome::Status(204), true),
            (DeliveryOutcome::Status(299), true),
            (DeliveryOutcome::Status(301), false),
            (DeliveryOutcome::Status(500), false),
            (DeliveryOutcome::Error("cannot connect".into()), false),
        ] {
            assert_eq!(outcome.is_success(), success, "{outcome:?}");
        }
    }

    #[test]
    fn the_log_keeps_the_most_recent_entries_and_counts_all() {
        let log = DeliveryLog::default();
        let total = WEBHOOK_LOG_CAPACITY as u32 + 5;
        for attempt in 1..=total {
            log.push(delivery(attempt));
        }
        let entries = log.snapshot();
        assert_eq!(entries.len(), WEBHOOK_LOG_CAPACITY);
        assert_eq!(entries.first().map(|d| d.attempt), Some(6));
        assert_eq!(entries.last().map(|d| d.attempt), Some(total));
        assert_eq!(*log.recorded.borrow(), u64::from(total));
    }

    #[tokio::test]
    async fn waiting_ends_at_the_count_or_the_timeout() {
        let log = Arc::new(DeliveryLog::default());
        let waiter = {
            let log = log.clone();
            tokio::spawn(async move { log.wait_for(2, Duration::from_secs(60)).await })
        };
        log.push(delivery(1));
        log.push(delivery(2));
        let entries = waiter.await.expect("joined").expect("reached");
        assert_eq!(entries.len(), 2);

        let err = log
            .wait_for(3, Duration::from_millis(50))
            .await
            .expect_err("only two recorded");
        assert!(matches!(
            err,
            WebhookError::Timeout {
                wanted: 3,
                recorded: 2,
                ..
            }
        ));
    }
}
