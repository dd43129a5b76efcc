//! The emulator's SessionService semantics that the facade tests do not
//! reach, through the generated clients over real sockets: the test-setup
//! method and its HTTP twin (`POST /_emulator/users/{id}/sessions`), and the
//! requests the facade never sends.

mod common;

use common::start;

use scalekit::proto::sessions::{
    SessionDetails, SessionDetailsRequest, UserSessionDetailsRequest, UserSessionFilter,
};
use scalekit_emulator::Code;

/// A new organization with one member; returns (organization id, user id).
async fn member(client: &scalekit::ScalekitClient) -> anyhow::Result<(String, String)> {
    let org = common::organization(client, "Acme").await?;
    let user = common::member(client, &org, "ada@example.com").await?;
    Ok((org, user))
}

#[tokio::test]
async fn add_session_checks_the_user_and_the_organization() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, user) = member(&client).await?;
    let err = emulator
        .add_session("usr_10000000000009999", SessionDetails::default())
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = emulator
        .add_session(
            &user,
            SessionDetails {
                organization_id: "org_10000000000009999".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert_eq!(
        emulator
            .add_session(" ", SessionDetails::default())
            .unwrap_err()
            .code(),
        Code::InvalidArgument
    );
    Ok(())
}

#[tokio::test]
async fn session_past_its_absolute_expiry_cannot_be_revoked() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, user) = member(&client).await?;
    let past = prost_types::Timestamp {
        seconds: 1_000,
        nanos: 0,
    };
    let id = emulator.add_session(
        &user,
        SessionDetails {
            created_at: Some(prost_types::Timestamp {
                seconds: 500,
                nanos: 0,
            }),
            absolute_expires_at: Some(past),
            ..Default::default()
        },
    )?;
    let mut sessions = client.raw().sessions();
    let err = sessions
        .revoke_session(scalekit::proto::sessions::RevokeSessionRequest {
            session_id: id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let expired = sessions
        .get_user_sessions(UserSessionDetailsRequest {
            user_id: user,
            filter: Some(UserSessionFilter {
                status: vec!["EXPIRED".into()],
                ..Default::default()
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(expired.sessions.len(), 1);
    assert_eq!(expired.sessions[0].expired_at, Some(past));
    Ok(())
}

#[tokio::test]
async fn blank_ids_and_oversized_pages_are_invalid_arguments() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let (_, user) = member(&client).await?;
    let mut sessions = client.raw().sessions();
    let err = sessions
        .get_session(SessionDetailsRequest {
            session_id: " ".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let err = sessions
        .get_user_sessions(UserSessionDetailsRequest {
            user_id: user,
            page_size: 101,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    Ok(())
}

#[tokio::test]
async fn http_setup_endpoint_adds_a_session_with_client_credentials_only() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (org, user) = member(&client).await?;
    let http = reqwest::Client::new();
    let url = format!("{}/_emulator/users/{user}/sessions", emulator.env_url());

    let anonymous = http.post(&url).send().await?;
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);
    let wrong = http
        .post(&url)
        .basic_auth(emulator.client_id(), Some("wrong"))
        .send()
        .await?;
    assert_eq!(wrong.status(), reqwest::StatusCode::UNAUTHORIZED);

    let created = http
        .post(&url)
        .basic_auth(emulator.client_id(), Some(emulator.client_secret()))
        .json(&serde_json::json!({ "organization_id": org, "ip": "203.0.113.7" }))
        .send()
        .await?;
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let body: serde_json::Value = created.json().await?;
    let id = body["session_id"].as_str().unwrap_or_default().to_owned();
    assert!(id.starts_with("ses_"), "{body}");
    let session = client
        .raw()
        .sessions()
        .get_session(SessionDetailsRequest { session_id: id })
        .await?
        .into_inner();
    assert_eq!(session.user_id, user);
    assert_eq!(session.organization_id, org);
    assert_eq!(session.device.unwrap_or_default().ip, "203.0.113.7");

    let unknown = http
        .post(format!(
            "{}/_emulator/users/usr_10000000000009999/sessions",
            emulator.env_url()
        ))
        .basic_auth(emulator.client_id(), Some(emulator.client_secret()))
        .send()
        .await?;
    assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND);
    // The setup endpoint is not a gRPC call.
    assert_eq!(emulator.rpc_count("CreateSession"), 0);
    Ok(())
}
