//! `client.sessions()` against a real `scalekit-emulator`: every facade
//! method succeeds with real round-trip semantics, maps a server error to
//! the right predicate, and rejects invalid arguments without any I/O.
//! Sessions are created with `EmulatorHandle::add_session` (the API has no
//! RPC that creates them).

mod common;

use common::{api_error, invalid_ids, member, organization, rejected_locally, start};
use std::time::{Duration, SystemTime};

use anyhow::{ensure, Context as _};
use futures::TryStreamExt as _;
use scalekit::sessions::{DeviceDetails, GetUserSessionsOptions, SessionDetails};
use scalekit::{Code, ScalekitClient};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A new organization with one member; returns (organization id, user id).
async fn user(client: &ScalekitClient, email: &str) -> anyhow::Result<(String, String)> {
    let org = organization(client, &format!("Org of {email}")).await?;
    let user = member(client, &org, email).await?;
    Ok((org, user))
}

fn session_on(browser: &str) -> SessionDetails {
    SessionDetails {
        device: Some(DeviceDetails {
            browser: browser.to_owned(),
            ip: "203.0.113.7".to_owned(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn ids(sessions: &[SessionDetails]) -> Vec<&str> {
    sessions.iter().map(|s| s.session_id.as_str()).collect()
}

// ---------------------------------------------------------------------------
// get_session
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_session_existing_returns_its_details() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (org, user_id) = user(&client, "ada@example.com").await?;
    let id = emulator.add_session(
        &user_id,
        SessionDetails {
            organization_id: org.clone(),
            ..session_on("Firefox")
        },
    )?;

    let session = client.sessions().get_session(&id).await?;

    ensure!(
        session.session_id == id && id.starts_with("ses_"),
        "{session:?}"
    );
    ensure!(session.user_id == user_id);
    ensure!(session.status == "active", "{}", session.status);
    ensure!(session.organization_id == org);
    ensure!(session.authenticated_organizations == [org]);
    ensure!(session.device.context("no device")?.browser == "Firefox");
    let created = session.created_at.context("no created_at")?;
    let idle = session.idle_expires_at.context("no idle expiry")?;
    let absolute = session.absolute_expires_at.context("no absolute expiry")?;
    ensure!(created.seconds < idle.seconds && idle.seconds < absolute.seconds);
    Ok(())
}

#[tokio::test]
async fn get_session_past_its_expiry_reads_as_expired() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, user_id) = user(&client, "ada@example.com").await?;
    let past = prost_types::Timestamp::from(SystemTime::now() - Duration::from_secs(60));
    let id = emulator.add_session(
        &user_id,
        SessionDetails {
            idle_expires_at: Some(past),
            ..Default::default()
        },
    )?;

    let session = client.sessions().get_session(&id).await?;

    ensure!(session.status == "expired", "{}", session.status);
    ensure!(session.expired_at == Some(past));
    Ok(())
}

#[tokio::test]
async fn get_session_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client.sessions().get_session("ses_10000000000009999").await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_session_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("ses") {
        rejected_locally(
            &emulator,
            client.sessions().get_session(id).await,
            "session_id",
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// get_user_sessions (+ stream)
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_user_sessions_pages_through_only_that_users_sessions() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, ada) = user(&client, "ada@example.com").await?;
    let (_, bob) = user(&client, "bob@example.com").await?;
    let mut mine = Vec::new();
    for browser in ["Firefox", "Safari", "Chrome"] {
        mine.push(emulator.add_session(&ada, session_on(browser))?);
    }
    emulator.add_session(&bob, session_on("Edge"))?;

    let sessions = client.sessions();
    let first = sessions
        .get_user_sessions(&ada, GetUserSessionsOptions::default().with_page_size(2))
        .await?;
    ensure!(first.total_size == 3, "total {}", first.total_size);
    ensure!(ids(&first.items) == mine[..2], "{:?}", ids(&first.items));
    let token = first.next_page_token.clone().context("no next page")?;
    let second = sessions
        .get_user_sessions(
            &ada,
            GetUserSessionsOptions::default()
                .with_page_size(2)
                .with_page_token(token),
        )
        .await?;
    ensure!(ids(&second.items) == mine[2..], "{:?}", ids(&second.items));
    ensure!(second.next_page_token.is_none());
    Ok(())
}

#[tokio::test]
async fn get_user_sessions_filters_by_status_and_creation_time() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, ada) = user(&client, "ada@example.com").await?;
    let now = SystemTime::now();
    let old = emulator.add_session(
        &ada,
        SessionDetails {
            created_at: Some((now - Duration::from_secs(3600)).into()),
            ..Default::default()
        },
    )?;
    let recent = emulator.add_session(&ada, SessionDetails::default())?;
    let revoked = emulator.add_session(&ada, SessionDetails::default())?;
    let sessions = client.sessions();
    sessions.revoke_session(&revoked).await?;

    let active = sessions
        .get_user_sessions(
            &ada,
            GetUserSessionsOptions::default().with_status(["active"]),
        )
        .await?;
    ensure!(ids(&active.items) == [old.as_str(), recent.as_str()]);
    let gone = sessions
        .get_user_sessions(
            &ada,
            GetUserSessionsOptions::default().with_status(["revoked", "expired"]),
        )
        .await?;
    ensure!(ids(&gone.items) == [revoked.as_str()]);
    let last_minute = sessions
        .get_user_sessions(
            &ada,
            GetUserSessionsOptions::default()
                .with_start_time(now - Duration::from_secs(60))
                .with_end_time(now + Duration::from_secs(60)),
        )
        .await?;
    ensure!(ids(&last_minute.items) == [recent.as_str(), revoked.as_str()]);
    Ok(())
}

#[tokio::test]
async fn get_user_sessions_end_before_start_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let (_, ada) = user(&client, "ada@example.com").await?;
    let now = SystemTime::now();
    let opts = GetUserSessionsOptions::default()
        .with_start_time(now)
        .with_end_time(now - Duration::from_secs(1));
    let err = api_error(
        client.sessions().get_user_sessions(&ada, opts).await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument());
    let bad_status = GetUserSessionsOptions::default().with_status(["sleeping"]);
    api_error(
        client.sessions().get_user_sessions(&ada, bad_status).await,
        Code::InvalidArgument,
    )?;
    Ok(())
}

#[tokio::test]
async fn get_user_sessions_unknown_user_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .sessions()
        .get_user_sessions("usr_10000000000009999", Default::default())
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_user_sessions_rejects_invalid_user_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("ses") {
        rejected_locally(
            &emulator,
            client
                .sessions()
                .get_user_sessions(id, Default::default())
                .await,
            "user_id",
        )?;
        let mut stream = std::pin::pin!(client
            .sessions()
            .get_user_sessions_stream(id, Default::default()));
        rejected_locally(&emulator, stream.try_next().await, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn get_user_sessions_stream_walks_every_page() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, ada) = user(&client, "ada@example.com").await?;
    let mut expected = Vec::new();
    for _ in 0..5 {
        expected.push(emulator.add_session(&ada, SessionDetails::default())?);
    }
    let before = emulator.rpc_count("GetUserSessions");

    let all: Vec<SessionDetails> = client
        .sessions()
        .get_user_sessions_stream(&ada, GetUserSessionsOptions::default().with_page_size(2))
        .try_collect()
        .await?;

    ensure!(ids(&all) == expected, "{:?}", ids(&all));
    let pages = emulator.rpc_count("GetUserSessions") - before;
    ensure!(pages == 3, "{pages} pages fetched");
    Ok(())
}

// ---------------------------------------------------------------------------
// revoke_session
// ---------------------------------------------------------------------------

#[tokio::test]
async fn revoke_session_active_revokes_it() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, ada) = user(&client, "ada@example.com").await?;
    let id = emulator.add_session(&ada, SessionDetails::default())?;

    let revoked = client.sessions().revoke_session(&id).await?;

    ensure!(revoked.session_id == id && revoked.user_id == ada);
    ensure!(revoked.status == "revoked", "{}", revoked.status);
    ensure!(revoked.expired_at.is_some());
    let read = client.sessions().get_session(&id).await?;
    ensure!(read.status == "revoked");
    Ok(())
}

#[tokio::test]
async fn revoke_session_twice_fails_precondition_and_unknown_is_not_found() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, ada) = user(&client, "ada@example.com").await?;
    let id = emulator.add_session(&ada, SessionDetails::default())?;
    client.sessions().revoke_session(&id).await?;

    api_error(
        client.sessions().revoke_session(&id).await,
        Code::FailedPrecondition,
    )?;
    let err = api_error(
        client
            .sessions()
            .revoke_session("ses_10000000000009999")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn revoke_session_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("ses") {
        rejected_locally(
            &emulator,
            client.sessions().revoke_session(id).await,
            "session_id",
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// revoke_all_user_sessions
// ---------------------------------------------------------------------------

#[tokio::test]
async fn revoke_all_user_sessions_revokes_only_that_users_active_sessions() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, ada) = user(&client, "ada@example.com").await?;
    let (_, bob) = user(&client, "bob@example.com").await?;
    let first = emulator.add_session(&ada, SessionDetails::default())?;
    let second = emulator.add_session(&ada, SessionDetails::default())?;
    let already = emulator.add_session(&ada, SessionDetails::default())?;
    let bobs = emulator.add_session(&bob, SessionDetails::default())?;
    let sessions = client.sessions();
    sessions.revoke_session(&already).await?;

    let revoked = sessions.revoke_all_user_sessions(&ada).await?;

    ensure!(revoked.total_revoked == 2, "{}", revoked.total_revoked);
    let revoked_ids: Vec<&str> = revoked
        .revoked_sessions
        .iter()
        .map(|s| s.session_id.as_str())
        .collect();
    ensure!(revoked_ids == [first.as_str(), second.as_str()]);
    ensure!(revoked
        .revoked_sessions
        .iter()
        .all(|s| s.status == "revoked"));
    ensure!(sessions.get_session(&bobs).await?.status == "active");
    let again = sessions.revoke_all_user_sessions(&ada).await?;
    ensure!(again.total_revoked == 0 && again.revoked_sessions.is_empty());
    Ok(())
}

#[tokio::test]
async fn revoke_all_user_sessions_unknown_user_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .sessions()
        .revoke_all_user_sessions("usr_10000000000009999")
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn revoke_all_user_sessions_rejects_invalid_user_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("ses") {
        rejected_locally(
            &emulator,
            client.sessions().revoke_all_user_sessions(id).await,
            "user_id",
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn delete_user_removes_their_sessions() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (_, ada) = user(&client, "ada@example.com").await?;
    let id = emulator.add_session(&ada, SessionDetails::default())?;
    client.users().delete_user(&ada).await?;
    api_error(client.sessions().get_session(&id).await, Code::NotFound)?;
    Ok(())
}
