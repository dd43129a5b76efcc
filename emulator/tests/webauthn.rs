//! The emulator's WebAuthnService semantics that the facade tests do not
//! reach: the test-setup method and its HTTP twin, and the ceremony RPCs it
//! leaves UNIMPLEMENTED.

mod common;

use scalekit::proto::auth::webauthn::{
    BeginRegistrationRequest, ListCredentialsRequest, WebAuthnCredential,
};
use scalekit_emulator::{Code, EmulatorHandle};

/// An emulator, a client and a user (in a new organization) to register
/// credentials for.
async fn start() -> anyhow::Result<(EmulatorHandle, scalekit::ScalekitClient, String)> {
    let (emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let user = common::member(&client, &org, "ada@example.com").await?;
    Ok((emulator, client, user))
}

#[tokio::test]
async fn add_webauthn_credential_rejects_unknown_users_and_duplicate_raw_ids() -> anyhow::Result<()>
{
    let (emulator, client, user) = start().await?;
    let key = |raw: &[u8]| WebAuthnCredential {
        credential_id: raw.to_vec(),
        ..Default::default()
    };
    let err = emulator
        .add_webauthn_credential("usr_10000000000009999", key(b"a"))
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    emulator.add_webauthn_credential(&user, key(b"a"))?;
    let err = emulator
        .add_webauthn_credential(&user, key(b"a"))
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    let blank = WebAuthnCredential {
        display_name: Some(" ".into()),
        ..Default::default()
    };
    let err = emulator.add_webauthn_credential(&user, blank).unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    // Without a raw id, the new id's bytes are used.
    let id = emulator.add_webauthn_credential(&user, WebAuthnCredential::default())?;
    let listed = client
        .raw()
        .webauthn()
        .list_credentials(ListCredentialsRequest {
            user_id: user.clone(),
        })
        .await?
        .into_inner();
    let added = listed
        .credentials
        .iter()
        .find(|c| c.id == id)
        .expect("listed");
    assert_eq!(added.credential_id, id.as_bytes());
    Ok(())
}

#[tokio::test]
async fn ceremony_rpcs_stay_unimplemented() -> anyhow::Result<()> {
    let (_emulator, client, _user) = start().await?;
    let err = client
        .raw()
        .webauthn()
        .begin_registration(BeginRegistrationRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
    assert!(
        err.message().contains("BeginRegistration"),
        "{}",
        err.message()
    );
    Ok(())
}

#[tokio::test]
async fn http_setup_endpoint_adds_a_credential() -> anyhow::Result<()> {
    let (emulator, client, user) = start().await?;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/_emulator/users/{user}/webauthn-credentials",
            emulator.env_url()
        ))
        .basic_auth(emulator.client_id(), Some(emulator.client_secret()))
        .json(&serde_json::json!({ "display_name": "YubiKey" }))
        .send()
        .await?;
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let body: serde_json::Value = response.json().await?;
    let listed = client
        .raw()
        .webauthn()
        .list_credentials(ListCredentialsRequest { user_id: user })
        .await?
        .into_inner();
    assert_eq!(listed.credentials.len(), 1);
    assert_eq!(
        listed.credentials[0].id,
        body["id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        listed.credentials[0].display_name.as_deref(),
        Some("YubiKey")
    );
    Ok(())
}
