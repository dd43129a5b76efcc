//! `client.webauthn()` against a real `scalekit-emulator`: listing, renaming
//! and deleting credentials round-trip, server errors map to the right
//! predicates, and invalid arguments fail without any I/O. Credentials are
//! registered with `EmulatorHandle::add_webauthn_credential` (registration is
//! a browser ceremony).

mod common;

use common::{api_error, invalid_ids, member, organization, rejected_locally, start};

use anyhow::{ensure, Context as _};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use scalekit::webauthn::WebAuthnCredential;
use scalekit::{Code, ScalekitClient};

/// A new organization with one member; returns the user's id.
async fn user(client: &ScalekitClient, email: &str) -> anyhow::Result<String> {
    let org = organization(client, &format!("Org of {email}")).await?;
    member(client, &org, email).await
}

fn passkey(name: &str, raw_id: &[u8]) -> WebAuthnCredential {
    WebAuthnCredential {
        display_name: Some(name.to_owned()),
        credential_id: raw_id.to_vec(),
        transports: vec!["usb".to_owned()],
        ..Default::default()
    }
}

#[tokio::test]
async fn list_credentials_returns_the_users_credentials_and_signal_options() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let ada = user(&client, "ada@example.com").await?;
    let bob = user(&client, "bob@example.com").await?;
    let key = emulator.add_webauthn_credential(&ada, passkey("YubiKey", b"raw-1"))?;
    let phone = emulator.add_webauthn_credential(&ada, passkey("Phone", b"raw-2"))?;
    emulator.add_webauthn_credential(&bob, passkey("Bob's key", b"raw-3"))?;

    let listed = client.webauthn().list_credentials(&ada).await?;

    let ids: Vec<&str> = listed.credentials.iter().map(|c| c.id.as_str()).collect();
    ensure!(ids == [key.as_str(), phone.as_str()], "{ids:?}");
    ensure!(key.starts_with("wac_"));
    let first = &listed.credentials[0];
    ensure!(first.user_id == ada && first.display_name.as_deref() == Some("YubiKey"));
    ensure!(first.credential_id == b"raw-1" && first.transports == ["usb"]);
    ensure!(first.created_at.is_some() && first.updated_at.is_some());
    let signal = listed
        .all_accepted_credentials_options
        .context("no signal options")?;
    ensure!(signal.rp_id == "127.0.0.1", "{}", signal.rp_id);
    ensure!(signal.user_id == URL_SAFE_NO_PAD.encode(&ada));
    ensure!(
        signal.all_accepted_credential_ids
            == [
                URL_SAFE_NO_PAD.encode(b"raw-1"),
                URL_SAFE_NO_PAD.encode(b"raw-2")
            ]
    );
    let none = client
        .webauthn()
        .list_credentials(&user(&client, "cy@example.com").await?)
        .await?;
    ensure!(none.credentials.is_empty());
    Ok(())
}

#[tokio::test]
async fn list_credentials_unknown_user_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .webauthn()
        .list_credentials("usr_10000000000009999")
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_credentials_rejects_invalid_user_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("wac") {
        rejected_locally(
            &emulator,
            client.webauthn().list_credentials(id).await,
            "user_id",
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn update_credential_renames_it() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let ada = user(&client, "ada@example.com").await?;
    let id = emulator.add_webauthn_credential(&ada, passkey("YubiKey", b"raw-1"))?;

    let updated = client.webauthn().update_credential(&id, "Work key").await?;

    ensure!(updated.id == id && updated.display_name.as_deref() == Some("Work key"));
    let listed = client.webauthn().list_credentials(&ada).await?;
    ensure!(listed.credentials[0].display_name.as_deref() == Some("Work key"));
    Ok(())
}

#[tokio::test]
async fn update_credential_unknown_is_not_found_and_long_name_invalid() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let ada = user(&client, "ada@example.com").await?;
    let id = emulator.add_webauthn_credential(&ada, passkey("YubiKey", b"raw-1"))?;
    let result = client
        .webauthn()
        .update_credential("wac_10000000000009999", "Key")
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    let long = "k".repeat(121);
    api_error(
        client.webauthn().update_credential(&id, &long).await,
        Code::InvalidArgument,
    )?;
    Ok(())
}

#[tokio::test]
async fn update_credential_rejects_invalid_arguments() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("wac") {
        rejected_locally(
            &emulator,
            client.webauthn().update_credential(id, "Key").await,
            "credential_id",
        )?;
    }
    for name in ["", "  "] {
        rejected_locally(
            &emulator,
            client.webauthn().update_credential("wac_1", name).await,
            "display_name",
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn delete_credential_removes_it_and_returns_unknown_credential_options() -> anyhow::Result<()>
{
    let (emulator, client) = start().await?;
    let ada = user(&client, "ada@example.com").await?;
    let gone = emulator.add_webauthn_credential(&ada, passkey("Old", b"raw-1"))?;
    let kept = emulator.add_webauthn_credential(&ada, passkey("New", b"raw-2"))?;

    let deleted = client.webauthn().delete_credential(&gone).await?;

    ensure!(deleted.success);
    let signal = deleted
        .unknown_credential_options
        .context("no unknown-credential options")?;
    ensure!(signal.credential_id == URL_SAFE_NO_PAD.encode(b"raw-1"));
    ensure!(signal.rp_id == "127.0.0.1");
    let listed = client.webauthn().list_credentials(&ada).await?;
    let ids: Vec<&str> = listed.credentials.iter().map(|c| c.id.as_str()).collect();
    ensure!(ids == [kept.as_str()], "{ids:?}");
    let again = client.webauthn().delete_credential(&gone).await;
    ensure!(api_error(again, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_credential_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("wac") {
        rejected_locally(
            &emulator,
            client.webauthn().delete_credential(id).await,
            "credential_id",
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn delete_user_removes_their_credentials() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let ada = user(&client, "ada@example.com").await?;
    let id = emulator.add_webauthn_credential(&ada, passkey("YubiKey", b"raw-1"))?;
    client.users().delete_user(&ada).await?;
    api_error(
        client.webauthn().delete_credential(&id).await,
        Code::NotFound,
    )?;
    Ok(())
}
