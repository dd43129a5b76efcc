//! The emulator's HTTP side and its gatekeeping of gRPC calls, exercised
//! over real sockets.

use std::time::Instant;

use scalekit::proto::auditlogs::ListAuthLogRequest;
use scalekit::proto::organizations::{CreateOrganization, CreateOrganizationRequest};
use scalekit_emulator::{Code, Emulator};

async fn post_token(url: &str, form: &[(&str, &str)]) -> anyhow::Result<(u16, serde_json::Value)> {
    let response = reqwest::Client::new()
        .post(format!("{url}/oauth/token"))
        .form(form)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

#[tokio::test]
async fn start_binds_a_free_port_quickly() -> anyhow::Result<()> {
    let started = Instant::now();
    let emulator = Emulator::builder().start().await?;
    // Generous: the acceptance bound is one second for the binary.
    assert!(
        started.elapsed().as_secs_f64() < 5.0,
        "took {:?}",
        started.elapsed()
    );
    assert!(emulator.env_url().starts_with("http://127.0.0.1:"));
    assert_ne!(emulator.addr().port(), 0);
    Ok(())
}

#[tokio::test]
async fn token_client_credentials_returns_a_bearer_jwt() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let (status, body) = post_token(
        emulator.env_url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", emulator.client_id()),
            ("client_secret", emulator.client_secret()),
        ],
    )
    .await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap_or_default();
    assert_eq!(token.split('.').count(), 3, "a JWT has three parts");
    assert_eq!(emulator.token_requests(), 1);
    Ok(())
}

#[tokio::test]
async fn token_errors_use_oauth_error_json() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let url = emulator.env_url();
    let id = emulator.client_id();

    let (status, body) = post_token(
        url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", "wrong"),
        ],
    )
    .await?;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    let (status, body) = post_token(url, &[("grant_type", "password")]).await?;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let (status, body) = post_token(url, &[("client_id", id)]).await?;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    let response = reqwest::Client::new()
        .post(format!("{url}/oauth/token"))
        .body("{}")
        .header("content-type", "application/json")
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 400);
    Ok(())
}

#[tokio::test]
async fn keys_publishes_one_rs256_key() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let jwks: serde_json::Value = reqwest::get(format!("{}/keys", emulator.env_url()))
        .await?
        .json()
        .await?;
    let keys = jwks["keys"].as_array().cloned().unwrap_or_default();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["alg"], "RS256");
    assert!(keys[0]["kid"]
        .as_str()
        .is_some_and(|k| k.starts_with("snk_")));
    assert!(keys[0]["n"].as_str().is_some_and(|n| n.len() > 300));
    Ok(())
}

#[tokio::test]
async fn rpc_without_a_valid_token_is_unauthenticated() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let channel = tonic::transport::Endpoint::from_shared(emulator.env_url().to_string())?
        .connect()
        .await?;
    let mut raw = scalekit::proto::organizations::OrganizationServiceClient::new(channel);
    let status = raw
        .create_organization(CreateOrganizationRequest::default())
        .await
        .expect_err("no token");
    assert_eq!(status.code(), Code::Unauthenticated);

    let mut request = tonic::Request::new(CreateOrganizationRequest::default());
    request
        .metadata_mut()
        .insert("authorization", "Bearer not.a.token".parse()?);
    let status = raw
        .create_organization(request)
        .await
        .expect_err("bad token");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(emulator.rpc_count("CreateOrganization"), 2);
    Ok(())
}

#[tokio::test]
async fn revoked_tokens_are_refused_and_the_sdk_recovers() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    // The facade resends a call refused with UNAUTHENTICATED once, with a
    // fresh token (raw clients send once and only drop the token).
    let orgs = client.organizations();
    orgs.create_organization("Acme", Default::default()).await?;
    emulator.revoke_tokens();
    orgs.create_organization("Acme", Default::default()).await?;
    assert_eq!(emulator.token_requests(), 2);
    assert_eq!(emulator.rpc_count("CreateOrganization"), 3);
    Ok(())
}

#[tokio::test]
async fn unwritten_rpcs_are_unimplemented_naming_the_method() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    let status = client
        .raw()
        .audit_logs()
        .list_auth_requests(ListAuthLogRequest::default())
        .await
        .expect_err("not implemented yet");
    assert_eq!(status.code(), Code::Unimplemented);
    assert!(
        status
            .message()
            .contains("scalekit.v1.auditlogs.AuditLogsService/ListAuthRequests"),
        "{}",
        status.message()
    );
    Ok(())
}

#[tokio::test]
async fn injected_failures_hit_the_named_method_only() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    emulator.fail_next(Some("CreateOrganization"), 1, Code::Unavailable);
    let request = CreateOrganizationRequest {
        organization: Some(CreateOrganization {
            display_name: "Acme".into(),
            ..Default::default()
        }),
    };
    let status = client
        .raw()
        .organizations()
        .create_organization(request.clone())
        .await
        .expect_err("injected");
    assert_eq!(status.code(), Code::Unavailable);
    client
        .raw()
        .organizations()
        .create_organization(request)
        .await?;
    Ok(())
}
