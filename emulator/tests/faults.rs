//! Fault injection through the library handle: rate limits, latency, token
//! endpoint refusals, faults after the handler (a status instead of the answer, a reset stream),
//! stalled and trickled answers, and connection drains (GOAWAY).

mod common;

use std::time::Duration;

use scalekit::proto::organizations::ListOrganizationsRequest;
use scalekit_emulator::{Code, Emulator, Reply};

use common::{access_token, token_request, Bearer};

#[tokio::test]
async fn rate_limit_answers_resource_exhausted_past_the_limit() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    emulator.set_rate_limit(2, Duration::from_secs(3600));
    let mut orgs = client.raw().organizations();
    orgs.list_organization(ListOrganizationsRequest::default())
        .await?;
    orgs.list_organization(ListOrganizationsRequest::default())
        .await?;
    let status = orgs
        .list_organization(ListOrganizationsRequest::default())
        .await
        .expect_err("over the limit");
    assert_eq!(status.code(), Code::ResourceExhausted);
    let err = scalekit::Error::from(status);
    assert!(err.is_retryable());
    assert_eq!(err.http_status(), Some(429));

    emulator.clear_rate_limit();
    orgs.list_organization(ListOrganizationsRequest::default())
        .await?;
    Ok(())
}

/// A way of delaying the next `ListUsers` call: its name, how to ask for
/// it, and whether the delay outlives the call (and must be cleared).
type Delay = (
    &'static str,
    fn(&scalekit_emulator::EmulatorHandle, Duration),
    bool,
);

#[tokio::test]
async fn latency_beyond_the_client_timeout_is_a_timeout() -> anyhow::Result<()> {
    let delays: [Delay; 2] = [
        ("set_latency", |e, d| e.set_latency(d), true),
        (
            "a scripted reply's latency",
            |e, d| e.script("ListUsers", [Reply::pass().after(d)]),
            false,
        ),
    ];
    let emulator = Emulator::builder().start().await?;
    let client = emulator
        .client_builder()
        .timeout(Duration::from_millis(100))
        .build()?;
    for (name, delay, lasting) in delays {
        delay(&emulator, Duration::from_millis(600));
        let err = client
            .users()
            .list_users(Default::default())
            .await
            .expect_err("slower than the timeout");
        assert!(matches!(err, scalekit::Error::Timeout), "{name}: {err:?}");

        if lasting {
            emulator.clear_faults();
        }
        client
            .users()
            .list_users(Default::default())
            .await
            .map_err(|e| anyhow::anyhow!("{name}: the next call: {e:?}"))?;
    }
    Ok(())
}

// Faults after the handler and on the connection, seen from a plain tonic
// client (no SDK retries or token handling in between), or from a bare h2
// client where what matters is exactly which frames arrived.

/// Bounds every step, so that a hang fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(10);

type Organizations = scalekit::proto::organizations::OrganizationServiceClient<
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, Bearer>,
>;

/// The token endpoint answers the injected status, in the OAuth error
/// shape, as many times as asked, and then issues tokens again.
#[tokio::test]
async fn refused_token_requests_get_the_status_then_tokens_again() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    emulator.refuse_token_requests(429, 2);
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let answer = token_request(&emulator).await?;
        statuses.push(answer.status().as_u16());
        let body: serde_json::Value = answer.json().await?;
        anyhow::ensure!(body["error"].is_string(), "not an OAuth error: {body}");
    }
    anyhow::ensure!(statuses == [429, 429], "{statuses:?}");
    access_token(&emulator).await?;
    anyhow::ensure!(emulator.token_requests() == 3);
    Ok(())
}

/// A plain tonic client of the organization service, on one connection
/// opened now.
async fn organizations(
    emulator: &scalekit_emulator::EmulatorHandle,
) -> anyhow::Result<Organizations> {
    let bearer = Bearer(format!("Bearer {}", access_token(emulator).await?).parse()?);
    let channel = tonic::transport::Endpoint::from_shared(emulator.env_url().to_string())?
        .connect()
        .await?;
    Ok(
        scalekit::proto::organizations::OrganizationServiceClient::with_interceptor(
            channel, bearer,
        ),
    )
}

fn create_request(name: &str) -> scalekit::proto::organizations::CreateOrganizationRequest {
    scalekit::proto::organizations::CreateOrganizationRequest {
        organization: Some(scalekit::proto::organizations::CreateOrganization {
            display_name: name.to_string(),
            ..Default::default()
        }),
    }
}

/// The display names of every stored organization.
async fn stored_names(orgs: &mut Organizations) -> anyhow::Result<Vec<String>> {
    let listed = tokio::time::timeout(
        BOUND,
        orgs.list_organization(ListOrganizationsRequest {
            page_size: 100,
            ..Default::default()
        }),
    )
    .await??
    .into_inner();
    Ok(listed
        .organizations
        .into_iter()
        .map(|o| o.display_name)
        .collect())
}

/// Waits, within [`BOUND`], until `ready` holds.
async fn until(what: &str, ready: impl Fn() -> bool) -> anyhow::Result<()> {
    tokio::time::timeout(BOUND, async {
        while !ready() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .map_err(|_| anyhow::anyhow!("waited {BOUND:?} for {what}"))
}

/// A way of injecting a fault with a parameter: its name, and how.
type Way<P> = (&'static str, fn(&scalekit_emulator::EmulatorHandle, P));

#[tokio::test]
async fn create_failed_after_commit_is_stored_once_and_the_client_sees_the_code(
) -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let mut orgs = organizations(&emulator).await?;
    let ways: [Way<Code>; 2] = [
        ("fail_next_after_commit", |e, code| {
            e.fail_next_after_commit(Some("CreateOrganization"), 1, code)
        }),
        ("a scripted reply", |e, code| {
            e.script(
                "CreateOrganization",
                [Reply::error_after_commit(code, "injected")],
            )
        }),
    ];
    let cases = ways.into_iter().flat_map(|way| {
        [Code::Unavailable, Code::Unauthenticated, Code::Internal].map(|code| (way, code))
    });
    for ((way, fail), code) in cases {
        let name = format!("Acme {code:?} by {way}");
        fail(&emulator, code);
        let outcome =
            tokio::time::timeout(BOUND, orgs.create_organization(create_request(&name))).await?;
        let status = outcome.expect_err("the injected status, not the answer");
        assert_eq!(status.code(), code, "{status:?}");
        let stored = stored_names(&mut orgs).await?;
        assert_eq!(
            stored.iter().filter(|n| **n == name).count(),
            1,
            "{code:?}: stored {stored:?}"
        );
        // The fault was used up: the next create answers normally.
        tokio::time::timeout(
            BOUND,
            orgs.create_organization(create_request(&format!("{name} 2"))),
        )
        .await??;
    }
    Ok(())
}

#[tokio::test]
async fn after_commit_faults_are_not_used_up_by_refused_calls() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let mut orgs = organizations(&emulator).await?;
    emulator.fail_next_after_commit(Some("CreateOrganization"), 1, Code::Unavailable);
    emulator.fail_next(Some("CreateOrganization"), 1, Code::ResourceExhausted);
    let refused = orgs
        .create_organization(create_request("Refused"))
        .await
        .expect_err("refused before the handler");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    let after = orgs
        .create_organization(create_request("Committed"))
        .await
        .expect_err("failed after the handler");
    assert_eq!(after.code(), Code::Unavailable);
    assert_eq!(stored_names(&mut orgs).await?, ["Committed"]);
    Ok(())
}

#[tokio::test]
async fn reset_after_commit_sends_nothing_but_rst_stream_and_the_record_exists(
) -> anyhow::Result<()> {
    use prost::Message as _;

    let emulator = Emulator::builder().start().await?;
    let token = access_token(&emulator).await?;
    emulator.reset_next_after_commit(Some("CreateOrganization"), 1);

    // A bare h2 client: the response future fails with the reset itself,
    // which proves that not even the response headers were sent.
    let tcp = tokio::net::TcpStream::connect(emulator.addr()).await?;
    let (mut h2, connection) = h2::client::handshake(tcp).await?;
    let connection = tokio::spawn(connection);
    let request = http::Request::post(format!(
        "{}/scalekit.v1.organizations.OrganizationService/CreateOrganization",
        emulator.env_url()
    ))
    .header("content-type", "application/grpc")
    .header("te", "trailers")
    .header("authorization", format!("Bearer {token}"))
    .body(())?;
    let message = create_request("Reset").encode_to_vec();
    let mut frame = vec![0];
    frame.extend_from_slice(&u32::try_from(message.len())?.to_be_bytes());
    frame.extend_from_slice(&message);
    let (response, mut body) = h2.send_request(request, false)?;
    body.send_data(frame.into(), true)?;
    let error = tokio::time::timeout(BOUND, response)
        .await?
        .expect_err("a reset, not a response");
    assert_eq!(
        error.reason(),
        Some(h2::Reason::INTERNAL_ERROR),
        "{error:?}"
    );
    assert!(error.is_reset(), "{error:?}");
    connection.abort();

    // And from tonic: an error from the transport, not an answered status.
    // The connection stays usable.
    emulator.reset_next_after_commit(Some("CreateOrganization"), 1);
    let mut orgs = organizations(&emulator).await?;
    let status = tokio::time::timeout(BOUND, orgs.create_organization(create_request("Reset 2")))
        .await?
        .expect_err("a stream error");
    assert!(
        std::error::Error::source(&status).is_some(),
        "a transport error carries its cause: {status:?}"
    );
    assert_eq!(stored_names(&mut orgs).await?, ["Reset", "Reset 2"]);
    Ok(())
}

/// One way of stalling a response: the name, and how to ask for it.
type Stall = (&'static str, fn(&scalekit_emulator::EmulatorHandle));

#[tokio::test]
async fn a_stalled_call_times_out_while_a_concurrent_call_succeeds() -> anyhow::Result<()> {
    let stalls: [Stall; 4] = [
        ("after headers", |e| {
            e.stall_next_after_headers(Some("ListOrganization"), 1)
        }),
        ("before trailers", |e| {
            e.stall_next_before_trailers(Some("ListOrganization"), 1)
        }),
        ("scripted after headers", |e| {
            e.script("ListOrganization", [Reply::stall_after_headers()])
        }),
        ("scripted before trailers", |e| {
            e.script("ListOrganization", [Reply::stall_before_trailers()])
        }),
    ];
    let emulator = Emulator::builder().start().await?;
    let mut orgs = organizations(&emulator).await?;
    orgs.create_organization(create_request("Acme")).await?;
    for (shape, stall) in stalls {
        stall(&emulator);
        // Both calls share the client's one HTTP/2 connection.
        let mut stalled_client = orgs.clone();
        let stalled = tokio::time::timeout(
            Duration::from_millis(300),
            stalled_client.list_organization(ListOrganizationsRequest::default()),
        );
        let other = async {
            until("the stall", || emulator.open_stalls() == 1).await?;
            let answer = tokio::time::timeout(
                BOUND,
                orgs.clone()
                    .get_organization(scalekit::proto::organizations::GetOrganizationRequest {
                    identities: Some(
                        scalekit::proto::organizations::get_organization_request::Identities::Id(
                            "org_unknown".into(),
                        ),
                    ),
                }),
            )
            .await?;
            anyhow::Ok(answer)
        };
        let (stalled, other) = tokio::join!(stalled, other);
        assert!(
            stalled.is_err(),
            "{shape}: the stalled call ended: {stalled:?}"
        );
        let other = other?;
        assert_eq!(
            other.map(|_| ()).map_err(|s| s.code()),
            Err(Code::NotFound),
            "{shape}: the concurrent call got its real answer"
        );
        until("the stall to end with its call", || {
            emulator.open_stalls() == 0
        })
        .await
        .map_err(|e| e.context(shape))?;
        // The connection is still good.
        assert_eq!(stored_names(&mut orgs).await?, ["Acme"], "{shape}");
    }
    Ok(())
}

#[tokio::test]
async fn a_trickled_answer_arrives_whole_after_the_delay() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let mut orgs = organizations(&emulator).await?;
    for i in 0..5 {
        orgs.create_organization(create_request(&format!("Organization {i}")))
            .await?;
    }
    let expected = orgs
        .list_organization(ListOrganizationsRequest::default())
        .await?
        .into_inner();
    let at_least = Duration::from_millis(400);
    let ways: [Way<Duration>; 2] = [
        ("trickle_next", |e, d| {
            e.trickle_next(Some("ListOrganization"), 1, d)
        }),
        ("a scripted reply", |e, d| {
            e.script("ListOrganization", [Reply::trickle(d)])
        }),
    ];
    for (way, trickle) in ways {
        trickle(&emulator, at_least);
        let started = std::time::Instant::now();
        let trickled = tokio::time::timeout(
            BOUND,
            orgs.list_organization(ListOrganizationsRequest::default()),
        )
        .await??
        .into_inner();
        let took = started.elapsed();
        assert_eq!(trickled, expected, "{way}");
        assert!(took >= at_least, "{way}: the answer came after {took:?}");
    }
    Ok(())
}

#[tokio::test]
async fn drained_connections_get_goaway_finish_their_calls_and_clients_reconnect(
) -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let mut orgs = organizations(&emulator).await?;
    orgs.create_organization(create_request("Acme")).await?;

    // A bare h2 connection, idle when the drain comes: the server ends it
    // gracefully (GOAWAY with no error), and new streams are refused.
    let tcp = tokio::net::TcpStream::connect(emulator.addr()).await?;
    let (idle, connection) = h2::client::handshake(tcp).await?;
    let connection = tokio::spawn(connection);

    // A call in progress when the drain comes: its answer is trickled.
    let slow = Duration::from_millis(800);
    emulator.trickle_next(Some("ListOrganization"), 1, slow);
    let before = emulator.rpc_count("ListOrganization");
    let mut slow_client = orgs.clone();
    let in_flight = tokio::spawn(async move {
        tokio::time::timeout(
            BOUND,
            slow_client.list_organization(ListOrganizationsRequest::default()),
        )
        .await
    });
    until("the slow call to reach the server", || {
        emulator.rpc_count("ListOrganization") > before
    })
    .await?;
    emulator.drain_connections();

    let closed = tokio::time::timeout(BOUND, connection).await??;
    assert!(closed.is_ok(), "a graceful close, not an error: {closed:?}");
    assert!(
        !takes_a_stream(idle, emulator.env_url()).await?,
        "a drained connection takes no new stream"
    );

    let answer = in_flight.await??;
    assert_eq!(
        answer?.into_inner().organizations.len(),
        1,
        "the call in progress finished"
    );
    // The client that was connected before the drain keeps calling: its
    // connection closes once idle and it opens a new one.
    for i in 0..5 {
        tokio::time::timeout(
            BOUND,
            orgs.create_organization(create_request(&format!("After {i}"))),
        )
        .await?
        .map_err(|status| anyhow::anyhow!("call {i} after the drain: {status:?}"))?;
    }
    assert_eq!(stored_names(&mut orgs).await?.len(), 6);
    // New connections are still accepted and served, HTTP/1.1 too.
    access_token(&emulator).await?;
    Ok(())
}

/// Whether an h2 connection still takes a stream: sends a request and
/// waits, within [`BOUND`], for its response headers.
async fn takes_a_stream(
    mut client: h2::client::SendRequest<axum::body::Bytes>,
    env_url: &str,
) -> anyhow::Result<bool> {
    let request = http::Request::get(format!("{env_url}/keys")).body(())?;
    let Ok((response, _)) = client.send_request(request, true) else {
        return Ok(false);
    };
    Ok(tokio::time::timeout(BOUND, response).await?.is_ok())
}

// Scripted replies: the service's errors with their details, and
// sequences of answers.

#[tokio::test]
async fn scripted_error_details_reach_the_sdk_error() -> anyhow::Result<()> {
    use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};

    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    let org = client
        .organizations()
        .create_organization("Acme", Default::default())
        .await?;
    emulator.script(
        "CreateUserAndMembership",
        [Reply::error(Code::InvalidArgument, "the user is not valid")
            .with_error_code("INVALID_USER")
            .with_field_violation("user.email", "not an email address")
            .with_field_violation("user.user_profile.given_name", "too long")],
    );
    let user = CreateUser {
        email: "not-an-email".into(),
        ..Default::default()
    };
    let err = tokio::time::timeout(
        BOUND,
        client.users().create_user_and_membership(
            &org.id,
            user,
            CreateUserAndMembershipOptions::default(),
        ),
    )
    .await?
    .expect_err("the scripted error");
    let api = err
        .api()
        .ok_or_else(|| anyhow::anyhow!("not an API error: {err:?}"))?;
    assert_eq!(api.code(), Code::InvalidArgument);
    assert_eq!(api.message(), "the user is not valid");
    assert_eq!(api.error_code(), Some("INVALID_USER"));
    let violations: Vec<_> = api
        .field_violations()
        .map(|v| (v.field.as_str(), v.description.as_str()))
        .collect();
    assert_eq!(
        violations,
        [
            ("user.email", "not an email address"),
            ("user.user_profile.given_name", "too long"),
        ]
    );
    let users = client.users().list_users(Default::default()).await?;
    assert!(users.items.is_empty(), "the handler did not run");
    Ok(())
}

#[tokio::test]
async fn a_script_answers_its_replies_in_order_then_the_handler_answers() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let mut orgs = organizations(&emulator).await?;
    orgs.create_organization(create_request("Acme")).await?;
    // A call refused before the bearer check does not use up a reply.
    emulator.fail_next(Some("ListOrganization"), 1, Code::ResourceExhausted);
    emulator.script(
        "ListOrganization",
        [
            Reply::error(Code::Unavailable, "try again"),
            Reply::error(Code::NotFound, "gone").after(Duration::from_millis(20)),
            Reply::pass(),
        ],
    );
    // Another method's script is not used by these calls.
    emulator.script("GetOrganization", [Reply::error(Code::Internal, "no")]);
    let mut answers = Vec::new();
    for _ in 0..5 {
        let answer = tokio::time::timeout(
            BOUND,
            orgs.list_organization(ListOrganizationsRequest::default()),
        )
        .await?;
        answers.push(
            answer
                .map(|r| r.into_inner().total_size)
                .map_err(|s| s.code()),
        );
    }
    assert_eq!(
        answers,
        [
            Err(Code::ResourceExhausted),
            Err(Code::Unavailable),
            Err(Code::NotFound),
            Ok(1),
            Ok(1),
        ]
    );
    let get = orgs
        .get_organization(scalekit::proto::organizations::GetOrganizationRequest::default())
        .await
        .expect_err("its own script");
    assert_eq!(get.code(), Code::Internal);
    Ok(())
}

#[tokio::test]
async fn the_sdk_retries_through_a_scripted_sequence() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    emulator.script(
        "ListUsers",
        [
            Reply::error(Code::Unavailable, "one"),
            Reply::error(Code::Unavailable, "two"),
            Reply::pass(),
        ],
    );
    tokio::time::timeout(BOUND, client.users().list_users(Default::default())).await??;
    let statuses: Vec<_> = emulator
        .requests::<scalekit::proto::users::ListUsersRequest>()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [
            Some(Code::Unavailable),
            Some(Code::Unavailable),
            Some(Code::Ok)
        ]
    );
    Ok(())
}
