//! Fault injection through the library handle: rate limits and latency.

use std::time::Duration;

use scalekit::proto::organizations::ListOrganizationsRequest;
use scalekit_emulator::{Code, Emulator};

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

#[tokio::test]
async fn latency_beyond_the_client_timeout_is_a_timeout() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator
        .client_builder()
        .timeout(Duration::from_millis(100))
        .build()?;
    emulator.set_latency(Duration::from_millis(600));
    let err = client
        .users()
        .list_users(Default::default())
        .await
        .expect_err("slower than the timeout");
    assert!(matches!(err, scalekit::Error::Timeout), "{err:?}");

    emulator.clear_faults();
    client.users().list_users(Default::default()).await?;
    Ok(())
}
