//! The request journal through the library handle: what the SDK sent, in
//! order, with its metadata and without its bearer token; calls refused
//! before their handler; bodies that are not one message; the bounds.

mod common;

use std::time::Duration;

use prost::Message as _;
use scalekit::proto::organizations::{
    CreateOrganization, CreateOrganizationRequest, OrganizationServiceClient,
};
use scalekit::proto::users::{CreateUserAndMembershipRequest, ListUsersRequest};
use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
use scalekit_emulator::{Code, Emulator, EmulatorHandle, RecordedBody, Reply};

use common::{access_token, grpc_frame, raw_grpc_call, start, Bearer};

/// Bounds every call, so that a hang fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(10);

const CREATE_ORGANIZATION: &str =
    "scalekit.v1.organizations.OrganizationService/CreateOrganization";

fn create_request(name: &str) -> CreateOrganizationRequest {
    CreateOrganizationRequest {
        organization: Some(CreateOrganization {
            display_name: name.to_string(),
            ..Default::default()
        }),
    }
}

#[tokio::test]
async fn requests_show_what_the_sdk_sent_in_order_without_the_bearer() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let org = client
        .organizations()
        .create_organization("Acme", Default::default())
        .await?;
    for (email, send) in [("ada@acme.example", false), ("bob@acme.example", true)] {
        let user = CreateUser {
            email: email.into(),
            ..Default::default()
        };
        let options = CreateUserAndMembershipOptions::default().with_send_invitation_email(send);
        tokio::time::timeout(
            BOUND,
            client
                .users()
                .create_user_and_membership(&org.id, user, options),
        )
        .await??;
    }

    let sent = emulator.requests::<CreateUserAndMembershipRequest>();
    let seen: Vec<_> = sent
        .iter()
        .map(|r| {
            (
                r.message.organization_id.as_str(),
                r.message.user.as_ref().map(|u| u.email.as_str()),
                r.message.send_invitation_email,
                r.status,
                r.handled,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                org.id.as_str(),
                Some("ada@acme.example"),
                Some(false),
                Some(Code::Ok),
                true
            ),
            (
                org.id.as_str(),
                Some("bob@acme.example"),
                Some(true),
                Some(Code::Ok),
                true
            ),
        ]
    );
    assert!(sent[0].sequence < sent[1].sequence);
    assert_eq!(
        sent[0].method,
        "scalekit.v1.users.UserService/CreateUserAndMembership"
    );
    let header = |name: &str| {
        sent[0]
            .metadata
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some("Bearer <redacted>")
    );
    assert!(
        header("user-agent").is_some_and(|ua| ua.starts_with("Scalekit-Rust/")),
        "{:?}",
        header("user-agent")
    );
    // Every access token the emulator issues is a JWT, and every JWT
    // starts `eyJ`: none is anywhere in the journal.
    let journal = format!("{:?}", emulator.journal());
    assert!(
        !journal.contains("eyJ"),
        "a token in the journal: {journal}"
    );

    assert_eq!(emulator.journal().len(), 3, "the organization, two users");
    assert!(emulator.requests::<ListUsersRequest>().is_empty());
    assert_eq!(emulator.requests::<CreateOrganizationRequest>().len(), 1);
    Ok(())
}

/// How one call of `CreateOrganization` is answered, and what the journal
/// says of it.
struct Row {
    name: &'static str,
    setup: fn(&EmulatorHandle),
    with_token: bool,
    status: Option<Code>,
    handled: bool,
}

#[tokio::test]
async fn every_call_is_recorded_with_its_status_refused_or_not() -> anyhow::Result<()> {
    let rows = [
        Row {
            name: "answered",
            setup: |_| {},
            with_token: true,
            status: Some(Code::Ok),
            handled: true,
        },
        Row {
            name: "no bearer token",
            setup: |_| {},
            with_token: false,
            status: Some(Code::Unauthenticated),
            handled: false,
        },
        Row {
            name: "fail_next",
            setup: |e| e.fail_next(Some("CreateOrganization"), 1, Code::Unavailable),
            with_token: true,
            status: Some(Code::Unavailable),
            handled: false,
        },
        Row {
            name: "rate limited",
            setup: |e| e.set_rate_limit(0, Duration::from_secs(3600)),
            with_token: true,
            status: Some(Code::ResourceExhausted),
            handled: false,
        },
        Row {
            name: "scripted error",
            setup: |e| {
                e.script(
                    "CreateOrganization",
                    [Reply::error(Code::PermissionDenied, "no")],
                )
            },
            with_token: true,
            status: Some(Code::PermissionDenied),
            handled: false,
        },
        Row {
            name: "failed after commit",
            setup: |e| e.fail_next_after_commit(Some("CreateOrganization"), 1, Code::Internal),
            with_token: true,
            status: Some(Code::Internal),
            handled: true,
        },
        Row {
            name: "scripted error after commit",
            setup: |e| {
                e.script(
                    "CreateOrganization",
                    [Reply::error_after_commit(Code::Aborted, "gone")],
                )
            },
            with_token: true,
            status: Some(Code::Aborted),
            handled: true,
        },
        Row {
            name: "scripted reset after commit",
            setup: |e| e.script("CreateOrganization", [Reply::reset_after_commit()]),
            with_token: true,
            status: None,
            handled: true,
        },
    ];
    let emulator = Emulator::builder().start().await?;
    let channel = tonic::transport::Endpoint::from_shared(emulator.env_url().to_string())?
        .connect()
        .await?;
    let bearer = Bearer(format!("Bearer {}", access_token(&emulator).await?).parse()?);
    let mut with_token = OrganizationServiceClient::with_interceptor(channel.clone(), bearer);
    let mut without_token = OrganizationServiceClient::new(channel);
    for row in rows {
        (row.setup)(&emulator);
        let request = create_request(row.name);
        let answer = if row.with_token {
            tokio::time::timeout(BOUND, with_token.create_organization(request)).await?
        } else {
            tokio::time::timeout(BOUND, without_token.create_organization(request)).await?
        };
        emulator.clear_faults();
        let recorded = emulator.requests::<CreateOrganizationRequest>().pop();
        let recorded = recorded.ok_or_else(|| anyhow::anyhow!("{}: not recorded", row.name))?;
        let name = recorded.message.organization.map(|o| o.display_name);
        assert_eq!(name.as_deref(), Some(row.name), "{}: the message", row.name);
        assert_eq!(
            (recorded.status, recorded.handled),
            (row.status, row.handled),
            "{}: answered {:?}",
            row.name,
            answer.as_ref().map_err(tonic::Status::code).map(|_| ())
        );
        if let Some(code) = row.status {
            let got = answer.map(|_| Code::Ok).unwrap_or_else(|s| s.code());
            assert_eq!(got, code, "{}: the client got what was recorded", row.name);
        }
    }
    Ok(())
}

#[tokio::test]
async fn bodies_that_are_not_one_message_are_recorded_as_such_and_answered() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let token = access_token(&emulator).await?;
    let message = create_request("Acme").encode_to_vec();
    let large = create_request(&"x".repeat(70_000)).encode_to_vec();
    let rows: [(&str, &str, Vec<u8>, RecordedBody); 5] = [
        (
            "compressed",
            CREATE_ORGANIZATION,
            grpc_frame(1, &message),
            RecordedBody::Compressed { len: message.len() },
        ),
        (
            "cut short",
            CREATE_ORGANIZATION,
            grpc_frame(0, &message)[..8].to_vec(),
            RecordedBody::Malformed { len: 8 },
        ),
        (
            "over the journal's limit",
            CREATE_ORGANIZATION,
            grpc_frame(0, &large),
            RecordedBody::TooLarge { len: large.len() },
        ),
        (
            "an unknown method",
            "made.up.Service/Method",
            grpc_frame(0, &message),
            RecordedBody::Message(message.clone().into()),
        ),
        (
            "whole",
            CREATE_ORGANIZATION,
            grpc_frame(0, &message),
            RecordedBody::Message(message.clone().into()),
        ),
    ];
    for (name, path, body, recorded) in rows {
        let answered = raw_grpc_call(&emulator, path, &token, body).await?;
        let entry = emulator
            .journal()
            .pop()
            .ok_or_else(|| anyhow::anyhow!("{name}: not recorded"))?;
        assert_eq!(entry.body, recorded, "{name}");
        assert_eq!(entry.method, path, "{name}");
        let answered = answered.map(|code| Code::from_bytes(code.as_bytes()));
        assert_eq!(entry.status, answered, "{name}: the status the client got");
    }
    // The handler read the whole large message, past what the journal
    // kept: it refused the name, not the bytes.
    let statuses: Vec<_> = emulator.journal().iter().map(|e| e.status).collect();
    assert_eq!(
        statuses[2..],
        [
            Some(Code::InvalidArgument),
            Some(Code::Unimplemented),
            Some(Code::Ok)
        ]
    );
    Ok(())
}

#[tokio::test]
async fn the_journal_keeps_its_capacity_counts_what_it_dropped_and_clears() -> anyhow::Result<()> {
    let (emulator, client) = common::start_with(Emulator::builder().journal_capacity(2)).await?;
    for _ in 0..3 {
        tokio::time::timeout(BOUND, client.users().list_users(Default::default())).await??;
    }
    let kept: Vec<u64> = emulator.journal().iter().map(|e| e.sequence).collect();
    assert_eq!(kept, [1, 2]);
    assert_eq!(emulator.journal_dropped(), 1);

    emulator.clear_journal();
    assert!(emulator.journal().is_empty());
    assert_eq!(emulator.journal_dropped(), 0);
    tokio::time::timeout(BOUND, client.users().list_users(Default::default())).await??;
    let kept: Vec<u64> = emulator.journal().iter().map(|e| e.sequence).collect();
    assert_eq!(kept, [3], "sequence numbers go on after a clear");

    let (off, client) = common::start_with(Emulator::builder().journal_capacity(0)).await?;
    tokio::time::timeout(BOUND, client.users().list_users(Default::default())).await??;
    assert!(off.journal().is_empty(), "a journal of capacity 0 is off");
    assert_eq!(off.rpc_count("ListUsers"), 1);
    Ok(())
}
