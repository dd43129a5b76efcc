//! The emulator's AuthService semantics that the facade tests do not reach:
//! login requests opened over HTTP (`/_emulator/connections/{id}/login-requests`,
//! `/_emulator/login-requests/{id}`), and the hosted-login RPCs it leaves
//! UNIMPLEMENTED.

mod common;

use scalekit::proto::auth::{ListAuthMethodsRequest, UpdateLoginUserDetailsRequest, User};
use scalekit::proto::connections::{
    ConnectionProvider, ConnectionType, CreateConnection, CreateConnectionRequest,
};
use scalekit_emulator::Code;

#[tokio::test]
async fn login_requests_over_http_record_the_reported_user() -> anyhow::Result<()> {
    let (emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let conn = client
        .raw()
        .connections()
        .create_connection(CreateConnectionRequest {
            organization_id: org,
            connection: Some(CreateConnection {
                provider: ConnectionProvider::Custom as i32,
                r#type: ConnectionType::Oidc as i32,
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .connection
        .unwrap_or_default()
        .id;
    let http = reqwest::Client::new();
    let base = emulator.env_url();
    let creds = (emulator.client_id(), emulator.client_secret());

    let unknown = http
        .post(format!(
            "{base}/_emulator/connections/conn_10000000000009999/login-requests"
        ))
        .basic_auth(creds.0, Some(creds.1))
        .send()
        .await?;
    assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND);
    let opened: serde_json::Value = http
        .post(format!(
            "{base}/_emulator/connections/{conn}/login-requests"
        ))
        .basic_auth(creds.0, Some(creds.1))
        .send()
        .await?
        .json()
        .await?;
    let login = opened["login_request_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(login.starts_with("login_"), "{opened}");
    let before: serde_json::Value = http
        .get(format!("{base}/_emulator/login-requests/{login}"))
        .basic_auth(creds.0, Some(creds.1))
        .send()
        .await?
        .json()
        .await?;
    assert!(before["user"].is_null(), "{before}");

    let mut auth = client.raw().auth();
    let err = auth
        .update_login_user_details(UpdateLoginUserDetailsRequest {
            connection_id: conn.clone(),
            login_request_id: login.clone(),
            user: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let err = auth
        .update_login_user_details(UpdateLoginUserDetailsRequest {
            connection_id: conn.clone(),
            login_request_id: login.clone(),
            user: Some(User {
                email: "not an email".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    auth.update_login_user_details(UpdateLoginUserDetailsRequest {
        connection_id: conn.clone(),
        login_request_id: login.clone(),
        user: Some(User {
            sub: "user-4711".into(),
            ..Default::default()
        }),
    })
    .await?;
    let after: serde_json::Value = http
        .get(format!("{base}/_emulator/login-requests/{login}"))
        .basic_auth(creds.0, Some(creds.1))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(after["user"]["sub"], "user-4711");
    assert_eq!(after["connection_id"], conn.as_str());

    let err = auth
        .list_auth_methods(ListAuthMethodsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
    Ok(())
}
