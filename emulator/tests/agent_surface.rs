//! The services the emulator routes but does not model (the agent surface:
//! tools and connected accounts, and audit logs) answer every RPC with
//! UNIMPLEMENTED naming the method, rather than an empty UNIMPLEMENTED from
//! an unknown route.

mod common;

use scalekit::proto::auditlogs::{AuditLogsServiceClient, ListAuthLogRequest};
use scalekit::proto::connected_accounts::{
    ConnectedAccountServiceClient, ListConnectedAccountsRequest,
};
use scalekit::proto::tools::{ListToolsRequest, ToolServiceClient};
use scalekit_emulator::Code;

fn assert_names_the_method(status: tonic::Status, method: &str) {
    assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
    assert_eq!(
        status.message(),
        format!("scalekit-emulator does not implement {method} yet")
    );
}

#[tokio::test]
async fn tool_service_answers_unimplemented_naming_the_method() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let mut tools = ToolServiceClient::new(client.raw().channel());
    let status = tools
        .list_tools(ListToolsRequest::default())
        .await
        .expect_err("tools are not served");
    assert_names_the_method(status, "scalekit.v1.tools.ToolService/ListTools");
    Ok(())
}

#[tokio::test]
async fn connected_account_service_answers_unimplemented_naming_the_method() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let mut accounts = ConnectedAccountServiceClient::new(client.raw().channel());
    let status = accounts
        .list_connected_accounts(ListConnectedAccountsRequest::default())
        .await
        .expect_err("connected accounts are not served");
    assert_names_the_method(
        status,
        "scalekit.v1.connected_accounts.ConnectedAccountService/ListConnectedAccounts",
    );
    Ok(())
}

#[tokio::test]
async fn audit_logs_service_answers_unimplemented_naming_the_method() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let mut logs = AuditLogsServiceClient::new(client.raw().channel());
    let status = logs
        .list_auth_requests(ListAuthLogRequest::default())
        .await
        .expect_err("audit logs are not served");
    assert_names_the_method(
        status,
        "scalekit.v1.auditlogs.AuditLogsService/ListAuthRequests",
    );
    Ok(())
}
