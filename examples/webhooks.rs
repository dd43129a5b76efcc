//! A webhook endpoint, with axum: verify each delivery's signature over the
//! raw body, refuse replays, then handle the event.
//!
//! - The handler takes the body as `axum::body::Bytes` and verifies those
//!   exact bytes with [`scalekit::webhook::verify`]. Parsing the JSON first
//!   and verifying a re-serialisation would change the bytes (key order,
//!   whitespace, number formats) and break the signature.
//! - A bad signature, missing `webhook-*` headers, or a timestamp more than
//!   five minutes ([`webhook::TOLERANCE`]) from now: `401`. Why goes to the
//!   log, not to the sender.
//! - A delivery whose `webhook-id` was already received: `409`, and the
//!   event is not handled again. A genuine delivery signed a moment ago can
//!   be captured and resent within the tolerance; the id is what tells the
//!   copy apart. (If your sender retries a delivery whose `2xx` it never
//!   saw, answering such duplicates `2xx` instead stops the retries; the
//!   point is only never to handle one twice.)
//! - A good one: `204`.
//!
//! The seen ids live in memory, bounded twice. By time: a delivery received
//! at `t` carries a timestamp within `t ± 5 min`, so any copy of it fails
//! the timestamp check after `t + 10 min`; an id is forgotten then, never
//! sooner. By count: at most [`DEFAULT_CAPACITY`] ids (about a megabyte),
//! which is 16 deliveries a second sustained over those ten minutes. Only
//! verified deliveries are recorded, so only Scalekit can fill it; when it is
//! full the endpoint answers `503` with `Retry-After` (the sender retries
//! later) rather than forget an id that could still be replayed. A real app
//! keeps the ids in its database, in the transaction that handles the event,
//! so they survive restarts and are shared by every instance.
//!
//! ```text
//! cargo run --example webhooks
//! ```
//!
//! With no environment configured (`SCALEKIT_ENVIRONMENT_URL` unset) it runs
//! the whole path locally: it starts an embedded `scalekit-emulator`, serves
//! the endpoint on a free port, registers it with the emulator (which
//! generates its signing secret), creates an organization and a user through
//! the SDK, and waits until the emulator's signed deliveries of their events
//! were verified and handled ([`against_emulator`]). The endpoint verifies
//! with [`scalekit::webhook::verify`], the check behind
//! `ScalekitClient::verify_webhook_payload`, with its clock injected.
//!
//! With an environment configured, it listens on
//! `http://localhost:3000/webhooks` (`PORT` to change) for the deliveries
//! Scalekit sends, with the secret from `SCALEKIT_WEBHOOK_SECRET`; without
//! one it uses a demo secret and prints a `curl` command that posts a
//! correctly signed delivery.
//!
//! [`app`] builds the `Router`; `main` only reads the environment and binds
//! the port, so tests drive the same handler.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use scalekit::webhook::{self, WebhookHeaders as _};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

/// Most delivery ids remembered at once; see the module docs.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// How long after receipt a copy of a delivery could still pass the
/// timestamp check: its timestamp is within [`webhook::TOLERANCE`] of the
/// receipt, and a copy passes within [`webhook::TOLERANCE`] of the timestamp.
const REMEMBER_FOR: Duration = Duration::from_secs(2 * webhook::TOLERANCE.as_secs());

/// Any error, for `main` and the demo.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The current time; injected so that tests control it.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The endpoint's state: its secret, the ids seen, and what it handled.
pub struct Receiver {
    secret: SecretString,
    clock: Clock,
    seen: Mutex<SeenDeliveries>,
    handled: AtomicU64,
}

impl Receiver {
    /// A receiver for deliveries signed with `secret` (`whsec_…`), on the
    /// system clock, remembering up to [`DEFAULT_CAPACITY`] ids.
    pub fn new(secret: &str) -> Receiver {
        Receiver {
            secret: SecretString::from(secret),
            clock: Arc::new(SystemTime::now),
            seen: Mutex::new(SeenDeliveries::new(DEFAULT_CAPACITY)),
            handled: AtomicU64::new(0),
        }
    }

    /// Reads the time from `clock` instead of the system.
    pub fn with_clock(mut self, clock: Clock) -> Receiver {
        self.clock = clock;
        self
    }

    /// Remembers at most `capacity` ids instead of [`DEFAULT_CAPACITY`].
    pub fn with_capacity(mut self, capacity: usize) -> Receiver {
        self.seen = Mutex::new(SeenDeliveries::new(capacity));
        self
    }

    /// How many events were handled.
    pub fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, SeenDeliveries> {
        // The set stays consistent even if a holder panicked: every update
        // is a single insert or remove pair.
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The delivery ids received in the last [`REMEMBER_FOR`], oldest first.
struct SeenDeliveries {
    capacity: usize,
    order: VecDeque<(SystemTime, String)>,
    ids: HashSet<String>,
}

enum Claim {
    /// First sight: the caller handles the event.
    New,
    /// Already received.
    Seen,
    /// No room, and nothing old enough to forget.
    Full,
}

impl SeenDeliveries {
    fn new(capacity: usize) -> SeenDeliveries {
        SeenDeliveries {
            capacity,
            order: VecDeque::new(),
            ids: HashSet::new(),
        }
    }

    /// Records `id` as received at `now` unless it was already, in one step
    /// so that two concurrent copies cannot both be handled.
    fn claim(&mut self, id: &str, now: SystemTime) -> Claim {
        self.forget_expired(now);
        if self.ids.contains(id) {
            return Claim::Seen;
        }
        if self.ids.len() >= self.capacity {
            return Claim::Full;
        }
        self.ids.insert(id.to_string());
        self.order.push_back((now, id.to_string()));
        Claim::New
    }

    /// Forgets `id`, so that the sender's retry is handled.
    fn release(&mut self, id: &str) {
        self.ids.remove(id);
        self.order.retain(|(_, seen)| seen != id);
    }

    fn forget_expired(&mut self, now: SystemTime) {
        while let Some((received, _)) = self.order.front() {
            // A clock that went backwards makes the age an error: keep.
            let expired = now
                .duration_since(*received)
                .is_ok_and(|age| age > REMEMBER_FOR);
            if !expired {
                break;
            }
            if let Some((_, id)) = self.order.pop_front() {
                self.ids.remove(&id);
            }
        }
    }
}

/// The part of an event this endpoint reads.
#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: String,
}

/// The endpoint: `POST /webhooks`.
pub fn app(receiver: Arc<Receiver>) -> Router {
    Router::new()
        .route("/webhooks", post(receive))
        .with_state(receiver)
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = (receiver.clock)();
    if let Err(err) = webhook::verify(receiver.secret.expose_secret(), &headers, &body, now) {
        eprintln!("webhook refused: {err}");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    // The id as `verify` read it (several headers joined), which the
    // signature covers: only Scalekit can have chosen it.
    let Some(id) = headers.header("webhook-id").map(|id| id.into_owned()) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match receiver.seen().claim(&id, now) {
        Claim::New => {}
        Claim::Seen => {
            eprintln!("webhook {id}: already received");
            return (StatusCode::CONFLICT, "delivery already received").into_response();
        }
        Claim::Full => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "60")],
            )
                .into_response()
        }
    }
    match serde_json::from_slice::<Event>(&body) {
        Ok(event) => {
            // Hand the event to the application here (enqueue it, update
            // the database...). Answer quickly: the sender times out.
            println!("webhook {id}: {} {}", event.kind, event.id);
            receiver.handled.fetch_add(1, Ordering::Relaxed);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(err) => {
            // Signed but not an event we understand: nothing was handled,
            // so a corrected retry must not count as a replay.
            receiver.seen().release(&id);
            eprintln!("webhook {id}: unreadable event: {err}");
            (StatusCode::BAD_REQUEST, "unreadable event").into_response()
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    if std::env::var_os("SCALEKIT_ENVIRONMENT_URL").is_none() {
        let handled = against_emulator().await?;
        println!(
            "verified and handled {} deliveries from the emulator",
            handled.len()
        );
        return Ok(());
    }
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    let secret = match std::env::var("SCALEKIT_WEBHOOK_SECRET") {
        Ok(secret) => secret,
        Err(_) => {
            let secret = demo::SECRET.to_string();
            println!("no SCALEKIT_WEBHOOK_SECRET set: using the demo secret {secret}");
            println!("try a signed delivery (valid for five minutes):");
            println!("{}", demo::curl(port)?);
            secret
        }
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://localhost:{port}/webhooks");
    axum::serve(listener, app(Arc::new(Receiver::new(&secret)))).await?;
    Ok(())
}

/// The endpoint end to end against an embedded emulator: returns the event
/// types it verified and handled, oldest first.
pub async fn against_emulator() -> Result<Vec<String>, BoxError> {
    let emulator = scalekit_emulator::Emulator::builder().start().await?;
    // The port first: the endpoint is registered by URL, and the secret the
    // emulator generates for it is the receiver's.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}/webhooks", listener.local_addr()?);
    let endpoint = emulator.add_webhook_endpoint(&url, None, &[])?;
    let receiver = Arc::new(Receiver::new(endpoint.secret()));
    let routes = app(receiver.clone());
    let server = tokio::spawn(async move { axum::serve(listener, routes).await });
    println!("emulator at {}, endpoint {url}", emulator.env_url());

    let client = emulator.client()?;
    let organization = client
        .organizations()
        .create_organization("Webhooks Inc", Default::default())
        .await?;
    let user = scalekit::users::CreateUser {
        email: "ada@webhooks.example".into(),
        ..Default::default()
    };
    let options = scalekit::users::CreateUserAndMembershipOptions::default()
        .with_send_invitation_email(false);
    client
        .users()
        .create_user_and_membership(&organization.id, user, options)
        .await?;

    // organization.created, user.created, user.organization_membership_created
    let deliveries = emulator
        .wait_for_webhook_deliveries(3, Duration::from_secs(30))
        .await?;
    server.abort();
    let mut handled = Vec::new();
    for delivery in &deliveries {
        println!(
            "{} {} -> {:?}",
            delivery.event_type, delivery.event_id, delivery.outcome
        );
        if !delivery.outcome.is_success() {
            return Err(format!("the endpoint refused {}", delivery.event_id).into());
        }
        handled.push(delivery.event_type.clone());
    }
    if receiver.handled() != deliveries.len() as u64 {
        return Err("the endpoint handled a different number of events".into());
    }
    Ok(handled)
}

/// A delivery signed the way Scalekit signs one, for trying the endpoint.
pub mod demo {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use hmac::{Hmac, Mac as _};

    use super::*;

    /// `whsec_` + base64 of the key bytes, as the dashboard shows a secret.
    pub const SECRET: &str = "whsec_ZGVtbyBzZWNyZXQsIG5vdCBmb3IgcHJvZHVjdGlvbg==";

    /// A `curl` command posting a delivery signed with [`SECRET`] now.
    pub fn curl(port: u16) -> Result<String, BoxError> {
        let key = STANDARD.decode(SECRET.trim_start_matches("whsec_"))?;
        let id = format!(
            "msg_demo_{}",
            SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis()
        );
        let timestamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let body = r#"{"id":"evt_demo","type":"organization.created","data":{"id":"org_demo"}}"#;
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key)?;
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        let signature = STANDARD.encode(mac.finalize().into_bytes());
        Ok(format!(
            "  curl -i http://localhost:{port}/webhooks -H 'webhook-id: {id}' \
             -H 'webhook-timestamp: {timestamp}' -H 'webhook-signature: v1,{signature}' \
             --data-raw '{body}'"
        ))
    }
}
