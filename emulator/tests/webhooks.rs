//! Webhooks delivered: endpoints registered on the handle receive each
//! recorded event, signed as Scalekit signs deliveries (checked with the
//! SDK's own verifier), filtered by type, retried on failure, given up
//! after the schedule, and logged.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use scalekit_emulator::{DeliveryOutcome, Emulator, EmulatorBuilder, WebhookError};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Every wait in these tests; a hang fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(20);

/// Retries that keep these tests quick.
const QUICK: [Duration; 2] = [Duration::from_millis(10), Duration::from_millis(10)];

/// A given secret: `whsec_` and the base64 of 32 bytes.
const SECRET: &str = "whsec_VGhpcyBpcyBhIHRlc3Qgc2VjcmV0LCAzMiBieXRlcw==";

/// One request a receiver got.
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

/// A webhook receiver on `127.0.0.1:0`: hands over each request it gets
/// and answers the next scripted status, or `204` once the script is used
/// up.
struct Receiver {
    url: String,
    received: mpsc::UnboundedReceiver<Received>,
    _server: JoinHandle<()>,
}

type Shared = (mpsc::UnboundedSender<Received>, Arc<Mutex<VecDeque<u16>>>);

async fn receive(
    State((received, script)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let _ = received.send(Received { headers, body });
    let next = script.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
    next.and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::NO_CONTENT)
}

impl Receiver {
    async fn start(script: &[u16]) -> anyhow::Result<Receiver> {
        let (sender, received) = mpsc::unbounded_channel();
        let state: Shared = (
            sender,
            Arc::new(Mutex::new(script.iter().copied().collect())),
        );
        let app = axum::Router::new()
            .route("/webhooks", axum::routing::post(receive))
            .with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/webhooks", listener.local_addr()?);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Receiver {
            url,
            received,
            _server: server,
        })
    }

    /// The requests received so far.
    fn take(&mut self) -> Vec<Received> {
        let mut taken = Vec::new();
        while let Ok(request) = self.received.try_recv() {
            taken.push(request);
        }
        taken
    }

    /// The next request, waiting for it.
    async fn next(&mut self) -> anyhow::Result<Received> {
        tokio::time::timeout(PATIENCE, self.received.recv())
            .await
            .context("no request arrived")?
            .context("the receiver stopped")
    }
}

fn quick() -> EmulatorBuilder {
    Emulator::builder().webhook_retry_delays(QUICK)
}

#[tokio::test]
async fn delivery_is_signed_so_the_sdk_verifies_it() -> anyhow::Result<()> {
    // With the secret generated for the endpoint, and with one given.
    for given in [None, Some(SECRET)] {
        let (emulator, client) = common::start_with(quick()).await?;
        let mut receiver = Receiver::start(&[]).await?;
        let endpoint =
            emulator.add_webhook_endpoint(&receiver.url, given, &["organization.created"])?;
        if let Some(given) = given {
            assert_eq!(endpoint.secret(), given);
        }
        let organization = common::organization(&client, "Acme").await?;
        emulator.wait_for_webhook_deliveries(1, PATIENCE).await?;

        let received = receiver.take();
        let [delivery] = received.as_slice() else {
            anyhow::bail!("{} requests received, one expected", received.len());
        };
        client
            .verify_webhook_payload(endpoint.secret(), &delivery.headers, &delivery.body)
            .with_context(|| format!("secret given: {}", given.is_some()))?;
        let wrong = "whsec_c29tZSBvdGhlciBlbmRwb2ludCdzIHNlY3JldA==";
        assert!(client
            .verify_webhook_payload(wrong, &delivery.headers, &delivery.body)
            .is_err());

        let body: serde_json::Value = serde_json::from_slice(&delivery.body)?;
        assert_eq!(body["type"], "organization.created");
        assert_eq!(body["object"], "Organization");
        assert_eq!(body["spec_version"], "1");
        assert_eq!(body["organization_id"], organization.as_str());
        assert_eq!(body["data"]["id"], organization.as_str());
        assert_eq!(body["data"]["display_name"], "Acme");
        assert!(body["id"].as_str().is_some_and(|id| id.starts_with("evt_")));
        assert!(body["environment_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("env_")));
        assert!(body["occurred_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
        assert_eq!(
            delivery.headers["content-type"],
            "application/json",
            "secret given: {}",
            given.is_some()
        );
    }
    Ok(())
}

#[tokio::test]
async fn only_the_event_types_an_endpoint_asks_for_are_delivered_to_it() -> anyhow::Result<()> {
    let (emulator, client) = common::start_with(quick()).await?;
    let every = Receiver::start(&[]).await?;
    let mut users_only = Receiver::start(&[]).await?;
    let every_id = emulator
        .add_webhook_endpoint(&every.url, None, &[])?
        .id()
        .to_string();
    let users_id = emulator
        .add_webhook_endpoint(&users_only.url, None, &["user.created"])?
        .id()
        .to_string();

    let organization = common::organization(&client, "Acme").await?;
    common::member(&client, &organization, "ada@acme.example").await?;
    // organization.created, user.created and the membership to the first,
    // user.created alone to the second.
    let log = emulator.wait_for_webhook_deliveries(4, PATIENCE).await?;

    let mut to_every: Vec<_> = log
        .iter()
        .filter(|d| d.endpoint_id == every_id)
        .map(|d| d.event_type.as_str())
        .collect();
    to_every.sort_unstable();
    assert_eq!(
        to_every,
        [
            "organization.created",
            "user.created",
            "user.organization_membership_created"
        ]
    );
    let to_users: Vec<_> = log
        .iter()
        .filter(|d| d.endpoint_id == users_id)
        .map(|d| d.event_type.as_str())
        .collect();
    assert_eq!(to_users, ["user.created"]);
    let bodies = users_only.take();
    assert_eq!(bodies.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&bodies[0].body)?;
    assert_eq!(body["type"], "user.created");
    Ok(())
}

#[tokio::test]
async fn a_failed_delivery_is_retried_until_the_endpoint_takes_it() -> anyhow::Result<()> {
    let (emulator, client) = common::start_with(quick()).await?;
    let mut receiver = Receiver::start(&[500, 503]).await?;
    let endpoint = emulator.add_webhook_endpoint(&receiver.url, None, &["organization.created"])?;
    common::organization(&client, "Acme").await?;

    let log = emulator.wait_for_webhook_deliveries(3, PATIENCE).await?;
    let outcomes: Vec<_> = log.iter().map(|d| (d.attempt, d.outcome.clone())).collect();
    assert_eq!(
        outcomes,
        [
            (1, DeliveryOutcome::Status(500)),
            (2, DeliveryOutcome::Status(503)),
            (3, DeliveryOutcome::Status(204)),
        ]
    );
    let retries: Vec<_> = log.iter().map(|d| d.retry_in).collect();
    assert_eq!(retries, [Some(QUICK[0]), Some(QUICK[1]), None]);

    // Every attempt is the same delivery: one webhook id, one body; each
    // is signed anew.
    let received = receiver.take();
    assert_eq!(received.len(), 3);
    for request in &received {
        assert_eq!(request.headers["webhook-id"], log[0].webhook_id.as_str());
        assert_eq!(request.body, received[0].body);
        scalekit::webhook::verify(
            endpoint.secret(),
            &request.headers,
            &request.body,
            SystemTime::now(),
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn a_delivery_gives_up_after_the_retry_schedule() -> anyhow::Result<()> {
    // A port nothing listens on (bound, then released), and an endpoint
    // that always fails.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        format!("http://{}/webhooks", listener.local_addr()?)
    };
    let failing = Receiver::start(&[500; 10]).await?;
    for (url, refused) in [(closed.as_str(), true), (failing.url.as_str(), false)] {
        let (emulator, client) = common::start_with(quick()).await?;
        emulator.add_webhook_endpoint(url, None, &["organization.created"])?;
        common::organization(&client, "Acme").await?;

        let log = emulator.wait_for_webhook_deliveries(3, PATIENCE).await?;
        assert_eq!(log.len(), 3, "{url}");
        for (attempt, delivery) in log.iter().enumerate() {
            assert_eq!(delivery.attempt as usize, attempt + 1, "{url}");
            assert!(!delivery.outcome.is_success(), "{url}");
            if refused {
                assert!(
                    matches!(&delivery.outcome, DeliveryOutcome::Error(e) if e.contains("connect")),
                    "{url}: {:?}",
                    delivery.outcome
                );
            } else {
                assert_eq!(delivery.outcome, DeliveryOutcome::Status(500), "{url}");
            }
        }
        assert_eq!(log[2].retry_in, None, "{url}: the last attempt");

        // No fourth attempt follows; the wait ends at its timeout.
        let more = emulator
            .wait_for_webhook_deliveries(4, Duration::from_millis(300))
            .await;
        assert!(
            matches!(more, Err(WebhookError::Timeout { recorded: 3, .. })),
            "{url}: {more:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_log_names_the_event_endpoint_and_time_of_each_attempt() -> anyhow::Result<()> {
    let (emulator, client) = common::start_with(quick()).await?;
    let mut receiver = Receiver::start(&[]).await?;
    let endpoint = emulator.add_webhook_endpoint(&receiver.url, None, &[])?;
    assert!(emulator.webhook_deliveries().is_empty());
    let before = SystemTime::now();
    let organization = common::organization(&client, "Acme").await?;

    let log = emulator.wait_for_webhook_deliveries(1, PATIENCE).await?;
    let delivery = &log[0];
    let received = receiver.take();
    let body: serde_json::Value = serde_json::from_slice(&received[0].body)?;
    assert_eq!(body["id"], delivery.event_id.as_str());
    assert_eq!(body["organization_id"], organization.as_str());
    assert_eq!(delivery.event_type, "organization.created");
    assert_eq!(delivery.endpoint_id, endpoint.id());
    assert!(endpoint.id().starts_with("ep_"), "{}", endpoint.id());
    assert_eq!(delivery.url, receiver.url);
    assert_eq!(
        received[0].headers["webhook-id"],
        delivery.webhook_id.as_str()
    );
    assert_eq!(
        (delivery.attempt, &delivery.outcome, delivery.retry_in),
        (1, &DeliveryOutcome::Status(204), None)
    );
    assert!(delivery.at >= before && delivery.at <= SystemTime::now());
    assert_eq!(emulator.webhook_deliveries(), log);
    Ok(())
}

#[tokio::test]
async fn an_endpoint_shows_no_secret_in_debug() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let given = emulator.add_webhook_endpoint("http://127.0.0.1:9/hook", Some(SECRET), &[])?;
    let generated = emulator.add_webhook_endpoint("http://127.0.0.1:9/hook", None, &[])?;
    for endpoint in [&given, &generated] {
        let key = endpoint.secret().trim_start_matches("whsec_");
        let shown = format!("{endpoint:?} {:?}", emulator.webhook_endpoints());
        assert!(!shown.contains(key), "{shown}");
        assert!(shown.contains(endpoint.id()), "{shown}");
    }
    Ok(())
}

#[tokio::test]
async fn invalid_endpoints_are_refused() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    for (url, secret) in [
        ("/webhooks", None),
        ("https://127.0.0.1/webhooks", None),
        ("ftp://127.0.0.1/", None),
        ("http://127.0.0.1/webhooks", Some("not-a-secret")),
        ("http://127.0.0.1/webhooks", Some("whsec_")),
    ] {
        let refused = emulator.add_webhook_endpoint(url, secret, &[]);
        let expected = if secret.is_some() {
            matches!(refused, Err(WebhookError::InvalidSecret))
        } else {
            matches!(refused, Err(WebhookError::InvalidUrl(_)))
        };
        assert!(expected, "{url} {secret:?}: {refused:?}");
    }
    assert!(emulator.webhook_endpoints().is_empty());
    Ok(())
}

#[tokio::test]
async fn an_endpoint_that_never_answers_does_not_slow_rpcs() -> anyhow::Result<()> {
    // Connections to it complete (the kernel accepts them into the
    // backlog) but nothing ever answers: each attempt waits for its
    // timeout.
    let silent = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks", silent.local_addr()?);
    let builder = Emulator::builder().webhook_timeout(Duration::from_secs(600));
    let (emulator, client) = common::start_with(builder).await?;
    emulator.add_webhook_endpoint(&url, None, &[])?;

    let rpcs = async {
        for n in 0..20 {
            common::organization(&client, &format!("Org {n}")).await?;
        }
        anyhow::Ok(())
    };
    tokio::time::timeout(PATIENCE, rpcs)
        .await
        .context("RPCs waited for webhook deliveries")??;
    // Every RPC answered while no delivery had finished an attempt.
    assert!(emulator.webhook_deliveries().is_empty());
    Ok(())
}

#[tokio::test]
async fn shutting_down_drops_deliveries_in_progress() -> anyhow::Result<()> {
    let silent = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks", silent.local_addr()?);
    let builder = Emulator::builder().webhook_timeout(Duration::from_secs(600));
    let (emulator, client) = common::start_with(builder).await?;
    emulator.add_webhook_endpoint(&url, None, &["organization.created"])?;
    common::organization(&client, "Acme").await?;

    let (mut connection, _) = tokio::time::timeout(PATIENCE, silent.accept()).await??;
    drop(client);
    emulator.shutdown().await;
    // The delivery's connection closes: reading reaches its end (after
    // the request it sent).
    let mut rest = Vec::new();
    tokio::time::timeout(
        PATIENCE,
        tokio::io::AsyncReadExt::read_to_end(&mut connection, &mut rest),
    )
    .await
    .context("the delivery's connection stayed open after shutdown")??;
    assert!(rest.starts_with(b"POST /webhooks"));
    Ok(())
}

#[tokio::test]
async fn signed_payloads_verify_with_the_sdk_and_tampering_shows() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let payload = br#"{"id":"evt_1","type":"user.created","data":{}}"#;
    let headers = emulator.sign_webhook(SECRET, payload)?;
    scalekit::webhook::verify(SECRET, &headers, payload, SystemTime::now())?;

    let tampered = br#"{"id":"evt_1","type":"user.deleted","data":{}}"#;
    assert!(scalekit::webhook::verify(SECRET, &headers, tampered, SystemTime::now()).is_err());
    let other = emulator.sign_webhook(SECRET, payload)?;
    assert_ne!(other["webhook-id"], headers["webhook-id"], "a new id each");
    assert!(matches!(
        emulator.sign_webhook("whsec", payload),
        Err(WebhookError::InvalidSecret)
    ));
    Ok(())
}

/// Stops the child on drop, so a failed assertion leaves no process behind.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_webhook_flag_delivers_with_the_printed_secret() -> anyhow::Result<()> {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};

    let mut receiver = Receiver::start(&[]).await?;
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_scalekit-emulator"))
            .arg("--webhook")
            .arg(format!("{} events=user.created", receiver.url))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let stdout = child.0.stdout.take().context("no stdout")?;
    // Three lines of credentials, then the generated webhook secret.
    let lines = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .take(4)
            .collect::<Result<Vec<_>, _>>()
    });
    let lines = tokio::time::timeout(PATIENCE, lines).await???;
    let vars: std::collections::HashMap<_, _> = lines
        .iter()
        .filter_map(|line| line.split_once('='))
        .collect();
    let secret = vars
        .get("SCALEKIT_WEBHOOK_SECRET")
        .with_context(|| format!("{lines:?}"))?;
    let client = scalekit::ScalekitClient::new(
        vars["SCALEKIT_ENVIRONMENT_URL"],
        vars["SCALEKIT_CLIENT_ID"],
        vars["SCALEKIT_CLIENT_SECRET"],
    )?;
    let organization = common::organization(&client, "Acme").await?;
    common::member(&client, &organization, "ada@acme.example").await?;

    // Of the organization, the user and the membership, only the user is
    // delivered.
    let request = receiver.next().await?;
    client.verify_webhook_payload(secret, &request.headers, &request.body)?;
    let body: serde_json::Value = serde_json::from_slice(&request.body)?;
    assert_eq!(body["type"], "user.created", "the filter applies");
    Ok(())
}
