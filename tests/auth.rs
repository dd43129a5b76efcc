//! `client.auth()` against a real `scalekit-emulator`: reporting the user of
//! a "bring your own auth" login request stores it against that request
//! (read back with `EmulatorHandle::login_user_details`) and answers with
//! that request's auth request id, server errors map
//! to the right predicates, and invalid arguments fail without any I/O.

mod common;

use common::{api_error, organization, start};

use anyhow::{ensure, Context as _};
use scalekit::auth::User;
use scalekit::proto::connections::{
    ConnectionProvider, ConnectionType, CreateConnection, CreateConnectionRequest,
};
use scalekit::{Code, Error, ScalekitClient};

/// A new organization with an OIDC connection; returns the connection id.
async fn connection(client: &ScalekitClient) -> anyhow::Result<String> {
    let org = organization(client, "Acme").await?;
    let response = client
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
        .into_inner();
    Ok(response.connection.context("no connection")?.id)
}

fn ada() -> User {
    User {
        sub: "user-4711".to_owned(),
        email: "ada@example.com".to_owned(),
        given_name: "Ada".to_owned(),
        email_verified: true,
        groups: vec!["engineering".to_owned()],
        ..Default::default()
    }
}

#[tokio::test]
async fn update_login_user_details_stores_the_user_against_the_login_request() -> anyhow::Result<()>
{
    let (emulator, client) = start().await?;
    let conn = connection(&client).await?;
    let login = emulator.start_login_request(&conn)?;
    let other = emulator.start_login_request(&conn)?;
    ensure!(emulator.login_user_details(&login).is_none());

    let auth_request_id = client
        .auth()
        .update_login_user_details(&conn, &login, ada())
        .await?;
    ensure!(!auth_request_id.is_empty(), "no auth request id");

    ensure!(emulator.login_user_details(&login) == Some(ada()));
    ensure!(emulator.login_user_details(&other).is_none());
    // An update replaces what was reported before, within the same
    // authentication request.
    let corrected = User {
        given_name: "Augusta Ada".to_owned(),
        ..ada()
    };
    let again = client
        .auth()
        .update_login_user_details(&conn, &login, corrected.clone())
        .await?;
    ensure!(
        again == auth_request_id,
        "one login request, one auth request: {again} != {auth_request_id}"
    );
    ensure!(emulator.login_user_details(&login) == Some(corrected));
    Ok(())
}

#[tokio::test]
async fn update_login_user_details_returns_one_auth_request_id_per_login_request(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let conn = connection(&client).await?;
    let first = emulator.start_login_request(&conn)?;
    let second = emulator.start_login_request(&conn)?;
    let auth = client.auth();
    let first_id = auth.update_login_user_details(&conn, &first, ada()).await?;
    let second_id = auth
        .update_login_user_details(&conn, &second, ada())
        .await?;
    ensure!(!first_id.is_empty() && !second_id.is_empty());
    ensure!(
        first_id != second_id,
        "two login requests share the auth request {first_id}"
    );
    ensure!(auth.update_login_user_details(&conn, &first, ada()).await? == first_id);
    Ok(())
}

#[tokio::test]
async fn update_login_user_details_unknown_connection_or_request_is_not_found() -> anyhow::Result<()>
{
    let (emulator, client) = start().await?;
    let conn = connection(&client).await?;
    let other_conn = connection(&client).await?;
    let login = emulator.start_login_request(&conn)?;
    let auth = client.auth();

    let err = api_error(
        auth.update_login_user_details("conn_10000000000009999", &login, ada())
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    api_error(
        auth.update_login_user_details(&conn, "login_10000000000009999", ada())
            .await,
        Code::NotFound,
    )?;
    // The login request belongs to another connection.
    api_error(
        auth.update_login_user_details(&other_conn, &login, ada())
            .await,
        Code::NotFound,
    )?;
    ensure!(emulator.login_user_details(&login).is_none());
    Ok(())
}

#[tokio::test]
async fn update_login_user_details_user_without_email_or_sub_is_invalid_argument(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let conn = connection(&client).await?;
    let login = emulator.start_login_request(&conn)?;
    let nameless = User {
        given_name: "Ada".to_owned(),
        ..Default::default()
    };
    let err = api_error(
        client
            .auth()
            .update_login_user_details(&conn, &login, nameless)
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn update_login_user_details_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", "   ", " conn_1", "conn/1"] {
        let result = client
            .auth()
            .update_login_user_details(id, "login_1", ada())
            .await;
        ensure!(
            matches!(
                result,
                Err(Error::InvalidArgument {
                    field: "connection_id",
                    ..
                })
            ),
            "{result:?}"
        );
        let result = client
            .auth()
            .update_login_user_details("conn_1", id, ada())
            .await;
        ensure!(
            matches!(
                result,
                Err(Error::InvalidArgument {
                    field: "login_request_id",
                    ..
                })
            ),
            "{result:?}"
        );
    }
    ensure!(emulator.total_rpcs() == 0 && emulator.token_requests() == 0);
    Ok(())
}
