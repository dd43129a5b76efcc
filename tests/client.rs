//! The client-level token methods against the emulator:
//! `generate_client_token` (a token for any client's credentials, never
//! cached) and `get_client_access_token` (the SDK's own cached token).

mod common;

use anyhow::{bail, ensure};
use scalekit::{Error, TokenError};

use common::{rejected_locally, start};

#[tokio::test]
async fn generate_client_token_with_valid_credentials_returns_a_token_that_authenticates(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let token = client
        .generate_client_token(emulator.client_id(), emulator.client_secret())
        .await?;
    ensure!(
        token.split('.').count() == 3,
        "a JWT, got {} parts",
        token.split('.').count()
    );
    ensure!(emulator.token_requests() == 1);

    // The emulator accepts it as a bearer on a plain gRPC call.
    let mut users = scalekit::proto::users::UserServiceClient::new(
        tonic::transport::Endpoint::from_shared(emulator.env_url().to_owned())?.connect_lazy(),
    );
    let mut request = tonic::Request::new(scalekit::proto::users::ListUsersRequest::default());
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    users.list_users(request).await?;
    Ok(())
}

#[tokio::test]
async fn generate_client_token_on_every_call_requests_a_new_token_and_leaves_the_cache_alone(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (id, secret) = (emulator.client_id(), emulator.client_secret());
    client.generate_client_token(id, secret).await?;
    client.generate_client_token(id, secret).await?;
    ensure!(
        emulator.token_requests() == 2,
        "{}",
        emulator.token_requests()
    );
    // The client's own token was never fetched by those calls.
    client.get_client_access_token().await?;
    ensure!(
        emulator.token_requests() == 3,
        "{}",
        emulator.token_requests()
    );
    Ok(())
}

#[tokio::test]
async fn generate_client_token_with_a_wrong_secret_is_an_auth_error_without_the_secret(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let wrong = "wrong-SECRET-5e6f7a";
    let result = client
        .generate_client_token(emulator.client_id(), wrong)
        .await;
    let err = match result {
        Err(err) => err,
        Ok(_) => bail!("a wrong secret must be refused"),
    };
    match &err {
        Error::Auth(TokenError::Status { status, error, .. }) => {
            ensure!(*status == 401, "status {status}");
            ensure!(error.as_deref() == Some("invalid_client"), "{error:?}");
        }
        other => bail!("expected a token endpoint refusal, got {other:?}"),
    }
    for shown in [
        format!("{err:?}"),
        err.to_string(),
        err.display_chain().to_string(),
    ] {
        ensure!(!shown.contains(wrong), "the secret leaked: {shown}");
    }
    // The refusal did not poison the client's own token.
    client.get_client_access_token().await?;
    Ok(())
}

#[tokio::test]
async fn generate_client_token_rejects_missing_credentials_before_any_request() -> anyhow::Result<()>
{
    let (emulator, client) = start().await?;
    for id in common::invalid_ids("m2morg") {
        let result = client.generate_client_token(&id, "secret").await;
        rejected_locally(&emulator, result, "client_id")?;
    }
    for secret in ["", "   "] {
        let result = client.generate_client_token("m2morg_1", secret).await;
        rejected_locally(&emulator, result, "client_secret")?;
    }
    Ok(())
}

#[tokio::test]
async fn get_client_access_token_is_the_cached_token_the_rpcs_use() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let first = client.get_client_access_token().await?;
    let second = client.get_client_access_token().await?;
    ensure!(first == second && !first.is_empty());
    client.users().list_users(Default::default()).await?;
    ensure!(
        emulator.token_requests() == 1,
        "one token for both reads and the RPC, got {}",
        emulator.token_requests()
    );
    Ok(())
}

#[tokio::test]
async fn get_client_access_token_with_wrong_credentials_is_an_auth_error() -> anyhow::Result<()> {
    let (emulator, _) = start().await?;
    let client =
        scalekit::ScalekitClient::builder(emulator.env_url(), emulator.client_id(), "nope")
            .allow_insecure_http(true)
            .build()?;
    match client.get_client_access_token().await {
        Err(Error::Auth(TokenError::Status { status: 401, .. })) => Ok(()),
        other => bail!("expected a 401 from the token endpoint, got {other:?}"),
    }
}
