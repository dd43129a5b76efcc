//! The emulator's PasswordlessService semantics that the facade tests do not
//! reach, through the generated clients over real sockets: requests the
//! facade never sends, link tokens of other requests, and the HTTP
//! inspection endpoint `GET /_emulator/passwordless/{auth_request_id}`.

mod common;

use common::start;

use scalekit::proto::auth::passwordless::{
    verify_password_less_request::AuthCredential, SendPasswordlessRequest, TemplateType,
    VerifyPasswordLessRequest,
};
use scalekit_emulator::Code;

fn send(email: &str) -> SendPasswordlessRequest {
    SendPasswordlessRequest {
        email: email.into(),
        magiclink_auth_uri: Some("https://app.example.com/cb?from=mail".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn verify_without_a_credential_or_with_another_requests_token_fails() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let mut passwordless = client.raw().passwordless();
    let first = passwordless
        .send_passwordless_email(send("ada@example.com"))
        .await?
        .into_inner();
    let second = passwordless
        .send_passwordless_email(send("bob@example.com"))
        .await?
        .into_inner();

    let err = passwordless
        .verify_passwordless_email(VerifyPasswordLessRequest {
            auth_credential: None,
            auth_request_id: Some(first.auth_request_id.clone()),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);

    let bobs_token = emulator
        .passwordless_email(&second.auth_request_id)
        .and_then(|m| m.link_token)
        .expect("link token");
    let err = passwordless
        .verify_passwordless_email(VerifyPasswordLessRequest {
            auth_credential: Some(AuthCredential::LinkToken(bobs_token.clone())),
            auth_request_id: Some(first.auth_request_id.clone()),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");

    // Bob's own request is untouched and verifies with its token and id.
    let verified = passwordless
        .verify_passwordless_email(VerifyPasswordLessRequest {
            auth_credential: Some(AuthCredential::LinkToken(bobs_token)),
            auth_request_id: Some(second.auth_request_id),
        })
        .await?
        .into_inner();
    assert_eq!(verified.email, "bob@example.com");
    Ok(())
}

#[tokio::test]
async fn send_rejects_unknown_template_numbers_and_keeps_the_magic_link_query() -> anyhow::Result<()>
{
    let (emulator, client) = start().await?;
    let mut passwordless = client.raw().passwordless();
    let err = passwordless
        .send_passwordless_email(SendPasswordlessRequest {
            template: Some(42),
            ..send("ada@example.com")
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);

    let sent = passwordless
        .send_passwordless_email(SendPasswordlessRequest {
            template: Some(TemplateType::Unspecified as i32),
            ..send("ada@example.com")
        })
        .await?
        .into_inner();
    let email = emulator
        .passwordless_email(&sent.auth_request_id)
        .expect("email");
    assert_eq!(email.template, TemplateType::Signin);
    let token = email.link_token.expect("token");
    assert_eq!(
        email.magic_link.as_deref(),
        Some(format!("https://app.example.com/cb?from=mail&link_token={token}").as_str())
    );
    Ok(())
}

#[tokio::test]
async fn http_inspection_endpoint_shows_the_latest_email() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let mut passwordless = client.raw().passwordless();
    let sent = passwordless
        .send_passwordless_email(send("ada@example.com"))
        .await?
        .into_inner();
    passwordless
        .resend_passwordless_email(
            scalekit::proto::auth::passwordless::ResendPasswordlessRequest {
                auth_request_id: sent.auth_request_id.clone(),
            },
        )
        .await?;
    let latest = emulator
        .passwordless_email(&sent.auth_request_id)
        .expect("email");

    let http = reqwest::Client::new();
    let url = format!(
        "{}/_emulator/passwordless/{}",
        emulator.env_url(),
        sent.auth_request_id
    );
    assert_eq!(
        http.get(&url).send().await?.status(),
        reqwest::StatusCode::UNAUTHORIZED
    );
    let body: serde_json::Value = http
        .get(&url)
        .basic_auth(emulator.client_id(), Some(emulator.client_secret()))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(body["code"], latest.code.as_str());
    assert_eq!(
        body["link_token"],
        latest.link_token.as_deref().unwrap_or_default()
    );
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["template"], "SIGNIN");

    let missing = http
        .get(format!(
            "{}/_emulator/passwordless/authreq_1",
            emulator.env_url()
        ))
        .basic_auth(emulator.client_id(), Some(emulator.client_secret()))
        .send()
        .await?;
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    Ok(())
}
