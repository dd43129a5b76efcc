//! The bearer check caches a verified token until it expires, but a cached
//! token is still refused the moment it is revoked or expires. The calls use
//! one fixed token (no SDK), so nothing refreshes it behind the test's back.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use scalekit::proto::users::{ListUsersRequest, UserServiceClient};
use scalekit_emulator::{Code, Emulator, EmulatorHandle};
use tonic::transport::Channel;

/// A client-credentials token and its `exp` claim.
async fn token_and_expiry(emulator: &EmulatorHandle) -> anyhow::Result<(String, u64)> {
    let token = common::access_token(emulator).await?;
    let payload = token.split('.').nth(1).unwrap_or_default();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload)?)?;
    let exp = claims["exp"].as_u64().unwrap_or_default();
    Ok((token, exp))
}

async fn list_users(
    users: &mut UserServiceClient<Channel>,
    token: &str,
) -> Result<(), tonic::Status> {
    let mut request = tonic::Request::new(ListUsersRequest::default());
    let bearer = format!("Bearer {token}")
        .parse()
        .map_err(|_| tonic::Status::internal("token is not a header value"))?;
    request.metadata_mut().insert("authorization", bearer);
    users.list_users(request).await.map(drop)
}

async fn users(emulator: &EmulatorHandle) -> anyhow::Result<UserServiceClient<Channel>> {
    let channel = tonic::transport::Endpoint::from_shared(emulator.env_url().to_string())?
        .connect()
        .await?;
    Ok(UserServiceClient::new(channel))
}

#[tokio::test]
async fn a_cached_bearer_is_refused_as_soon_as_it_is_revoked() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let (token, _) = token_and_expiry(&emulator).await?;
    let mut users = users(&emulator).await?;
    list_users(&mut users, &token).await?;
    list_users(&mut users, &token).await?; // answered from the cache

    emulator.revoke_tokens();
    let status = list_users(&mut users, &token).await.expect_err("revoked");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().contains("revoked"), "{}", status.message());

    let (fresh, _) = token_and_expiry(&emulator).await?;
    list_users(&mut users, &fresh).await?;
    Ok(())
}

#[tokio::test]
async fn a_cached_bearer_is_refused_from_its_expiry() -> anyhow::Result<()> {
    let emulator = Emulator::builder()
        .token_ttl(Duration::from_secs(1))
        .start()
        .await?;
    let (token, exp) = token_and_expiry(&emulator).await?;
    let mut users = users(&emulator).await?;
    list_users(&mut users, &token).await?;
    list_users(&mut users, &token).await?; // answered from the cache

    let expiry = UNIX_EPOCH + Duration::from_secs(exp);
    let wait = expiry.duration_since(SystemTime::now()).unwrap_or_default();
    assert!(wait <= Duration::from_secs(2), "exp {exp} is too far away");
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
    let status = list_users(&mut users, &token).await.expect_err("expired");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().contains("expired"), "{}", status.message());
    Ok(())
}

#[tokio::test]
async fn a_token_lives_at_least_as_long_as_expires_in_says() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let asked = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let body: serde_json::Value = common::token_request(&emulator).await?.json().await?;
    let expires_in = body["expires_in"].as_u64().unwrap_or_default();
    let token = body["access_token"].as_str().unwrap_or_default();
    let payload = token.split('.').nth(1).unwrap_or_default();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload)?)?;
    let exp = Duration::from_secs(claims["exp"].as_u64().unwrap_or_default());
    assert_eq!(expires_in, 3600);
    // Issued no earlier than `asked`, so it must live until asked + expires_in.
    assert!(
        exp >= asked + Duration::from_secs(expires_in),
        "exp {exp:?} is before {asked:?} + {expires_in}s"
    );
    Ok(())
}
