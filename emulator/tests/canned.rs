//! Canned mode (`EmulatorBuilder::canned`): fixed answers for GetUser,
//! CreateUserAndMembership and DeleteUser that leave the state alone, behind
//! the same token endpoint and bearer check as normal mode.

mod common;

use scalekit::proto::users::{GetUserRequest, UserServiceClient};
use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
use scalekit_emulator::{Code, Emulator, EmulatorHandle};

async fn canned() -> anyhow::Result<(EmulatorHandle, scalekit::ScalekitClient)> {
    common::start_with(Emulator::builder().canned(true)).await
}

#[tokio::test]
async fn get_user_in_canned_mode_echoes_the_id_of_a_full_user() -> anyhow::Result<()> {
    let (emulator, client) = canned().await?;
    let user = client.users().get_user("usr_123").await?;
    assert_eq!(user.id, "usr_123");
    assert!(user.email.contains('@'), "{user:?}");
    let profile = user.user_profile.clone().unwrap_or_default();
    assert!(!profile.given_name.is_empty(), "{user:?}");
    assert_eq!(user.memberships.len(), 1, "{user:?}");
    assert!(user.memberships[0].organization_id.starts_with("org_"));

    let other = client.users().get_user("usr_456").await?;
    assert_eq!(other.id, "usr_456");
    assert_eq!(
        (other.email, other.memberships),
        (user.email, user.memberships),
        "everything but the id is fixed"
    );
    assert_eq!(emulator.rpc_count("GetUser"), 2);
    assert_eq!(emulator.token_requests(), 1);
    Ok(())
}

#[tokio::test]
async fn create_and_delete_in_canned_mode_leave_the_state_untouched() -> anyhow::Result<()> {
    let (emulator, client) = canned().await?;
    let users = client.users();
    let created = users
        .create_user_and_membership(
            "org_1",
            CreateUser {
                email: "grace@navy.example".into(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default(),
        )
        .await?;
    assert!(created.id.starts_with("usr_"), "{created:?}");
    assert_ne!(created.email, "grace@navy.example", "the answer is fixed");
    assert_eq!(created.memberships.len(), 1);

    // Normal mode would answer NOT_FOUND for a user that never existed.
    users.delete_user("usr_never_created").await?;

    // ListUsers is not canned: it reads the store, which stayed empty.
    let listed = users.list_users(Default::default()).await?;
    assert!(listed.items.is_empty(), "{:?}", listed.items);
    assert_eq!(emulator.rpc_count("CreateUserAndMembership"), 1);
    assert_eq!(emulator.rpc_count("DeleteUser"), 1);
    Ok(())
}

#[tokio::test]
async fn canned_rpcs_still_refuse_a_missing_or_unknown_bearer() -> anyhow::Result<()> {
    let (emulator, _client) = canned().await?;
    let channel = tonic::transport::Endpoint::from_shared(emulator.env_url().to_string())?
        .connect()
        .await?;
    let mut raw = UserServiceClient::new(channel);
    let status = raw
        .get_user(GetUserRequest::default())
        .await
        .expect_err("no token");
    assert_eq!(status.code(), Code::Unauthenticated);

    let mut request = tonic::Request::new(GetUserRequest::default());
    request
        .metadata_mut()
        .insert("authorization", "Bearer not.a.token".parse()?);
    let status = raw.get_user(request).await.expect_err("unknown token");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(emulator.rpc_count("GetUser"), 2, "refused calls count too");
    Ok(())
}

#[tokio::test]
async fn normal_mode_is_not_canned() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    let err = client
        .users()
        .get_user("usr_123")
        .await
        .expect_err("no such user");
    assert!(err.is_not_found(), "{err:?}");
    Ok(())
}
