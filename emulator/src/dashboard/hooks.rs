//! What the dashboard reads from parts of the emulator built apart from
//! it: the request journal and webhook deliveries, as the rows its pages
//! list.

use crate::env::Environment;
use crate::DeliveryOutcome;

/// One request of the journal, as the requests page lists it.
#[derive(Clone, Debug)]
pub(crate) struct RequestRow {
    /// When it arrived.
    pub(crate) at: Option<prost_types::Timestamp>,
    /// The full gRPC method (`scalekit.v1.users.UserService/GetUser`).
    pub(crate) method: String,
    /// The answer's gRPC status (`OK`, `NotFound`, …).
    pub(crate) status: String,
}

/// One webhook delivery attempt, as the deliveries page lists it.
#[derive(Clone, Debug)]
pub(crate) struct DeliveryRow {
    /// The event delivered (`evt_…`).
    pub(crate) event_id: String,
    /// Its type (`organization.created`).
    pub(crate) event_type: String,
    /// The endpoint's URL (never its secret).
    pub(crate) endpoint: String,
    /// The HTTP status the endpoint answered, or why it could not.
    pub(crate) outcome: String,
    /// Which attempt this was (1 for the first).
    pub(crate) attempt: u32,
}

/// How many of the journal's calls the requests page shows.
pub(crate) const RECENT_REQUESTS: usize = 200;

/// The most recent requests (at most [`RECENT_REQUESTS`]), newest first.
pub(crate) fn recent_requests(env: &Environment) -> Vec<RequestRow> {
    let entries = env.journal.entries();
    entries
        .into_iter()
        .rev()
        .take(RECENT_REQUESTS)
        .map(|entry| RequestRow {
            at: Some(entry.received_at.into()),
            method: entry.method,
            status: match entry.status {
                Some(code) => format!("{code:?}"),
                None => "no answer yet".to_string(),
            },
        })
        .collect()
}

/// Webhook delivery attempts, newest first.
pub(crate) fn webhook_deliveries(env: &Environment) -> Vec<DeliveryRow> {
    env.webhooks
        .deliveries()
        .into_iter()
        .rev()
        .map(|delivery| DeliveryRow {
            event_id: delivery.event_id,
            event_type: delivery.event_type,
            endpoint: delivery.url,
            outcome: match delivery.outcome {
                DeliveryOutcome::Status(status) => format!("HTTP {status}"),
                DeliveryOutcome::Error(error) => error,
            },
            attempt: delivery.attempt,
        })
        .collect()
}
