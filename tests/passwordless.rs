//! `client.passwordless()` against a real `scalekit-emulator`: send, verify
//! (by code and by magic link) and resend round-trip, server errors map to
//! the right predicates, and invalid arguments fail without any I/O. The
//! code and link the emulator "emailed" are read with
//! `EmulatorHandle::passwordless_email`.

mod common;

use common::{api_error, rejected_locally, start};

use anyhow::{ensure, Context as _};
use scalekit::passwordless::{
    PasswordlessType, SendPasswordlessEmailOptions, TemplateType, VerifyCredential,
    VerifyPasswordlessEmailOptions,
};
use scalekit::Code;
use scalekit_emulator::PASSWORDLESS_MAX_ATTEMPTS;

fn with_id(id: &str) -> VerifyPasswordlessEmailOptions {
    VerifyPasswordlessEmailOptions::default().with_auth_request_id(id)
}

/// A code that is not `code`.
fn wrong(code: &str) -> String {
    if code == "000000" {
        "111111".to_owned()
    } else {
        "000000".to_owned()
    }
}

// ---------------------------------------------------------------------------
// send_passwordless_email
// ---------------------------------------------------------------------------

#[tokio::test]
async fn send_passwordless_email_with_magic_link_emails_code_and_link() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let opts = SendPasswordlessEmailOptions::default()
        .with_template(TemplateType::Signup)
        .with_magiclink_auth_uri("https://app.example.com/verify")
        .with_state("st-1")
        .with_expires_in(600)
        .with_template_variable("company", "Acme");

    let sent = client
        .passwordless()
        .send_passwordless_email("Ada@Example.com", opts)
        .await?;

    ensure!(sent.auth_request_id.starts_with("authreq_"), "{sent:?}");
    ensure!(sent.expires_in == 600);
    ensure!(sent.passwordless_type == PasswordlessType::LinkOtp as i32);
    let email = emulator
        .passwordless_email(&sent.auth_request_id)
        .context("no email sent")?;
    ensure!(email.email == "ada@example.com");
    ensure!(email.code.len() == 6 && email.code.bytes().all(|b| b.is_ascii_digit()));
    ensure!(email.expires_at == sent.expires_at);
    ensure!(email.template == TemplateType::Signup);
    ensure!(email.template_variables["company"] == "Acme");
    let token = email.link_token.context("no link token")?;
    let link = email.magic_link.context("no magic link")?;
    ensure!(
        link == format!("https://app.example.com/verify?link_token={token}"),
        "{link}"
    );
    Ok(())
}

#[tokio::test]
async fn send_passwordless_email_without_magic_link_is_otp_with_defaults() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let sent = client
        .passwordless()
        .send_passwordless_email("ada@example.com", Default::default())
        .await?;
    ensure!(sent.passwordless_type == PasswordlessType::Otp as i32);
    ensure!(sent.expires_in == 3600, "{}", sent.expires_in);
    let email = emulator
        .last_passwordless_email("ADA@example.com")
        .context("no email")?;
    ensure!(email.auth_request_id == sent.auth_request_id);
    ensure!(email.link_token.is_none() && email.magic_link.is_none());
    ensure!(email.template == TemplateType::Signin);
    Ok(())
}

#[tokio::test]
async fn send_passwordless_email_invalid_address_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .passwordless()
            .send_passwordless_email("not-an-address", Default::default())
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument());
    api_error(
        client
            .passwordless()
            .send_passwordless_email(
                "ada@example.com",
                SendPasswordlessEmailOptions::default().with_magiclink_auth_uri("not a url"),
            )
            .await,
        Code::InvalidArgument,
    )?;
    Ok(())
}

#[tokio::test]
async fn send_passwordless_email_rejects_invalid_arguments() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let passwordless = client.passwordless();
    for email in ["", "   "] {
        rejected_locally(
            &emulator,
            passwordless
                .send_passwordless_email(email, Default::default())
                .await,
            "email",
        )?;
    }
    let opts = SendPasswordlessEmailOptions::default().with_template_variable("", "x");
    rejected_locally(
        &emulator,
        passwordless
            .send_passwordless_email("ada@example.com", opts)
            .await,
        "template_variables",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// verify_passwordless_email
// ---------------------------------------------------------------------------

#[tokio::test]
async fn verify_passwordless_email_with_the_code_returns_email_and_state() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let passwordless = client.passwordless();
    let sent = passwordless
        .send_passwordless_email(
            "ada@example.com",
            SendPasswordlessEmailOptions::default().with_state("st-1"),
        )
        .await?;
    let code = emulator
        .passwordless_email(&sent.auth_request_id)
        .context("no email")?
        .code;

    let verified = passwordless
        .verify_passwordless_email(
            VerifyCredential::Code(code.clone()),
            with_id(&sent.auth_request_id),
        )
        .await?;

    ensure!(verified.email == "ada@example.com");
    ensure!(verified.state.as_deref() == Some("st-1"));
    ensure!(verified.template == Some(TemplateType::Signin as i32));
    ensure!(verified.passwordless_type == PasswordlessType::Otp as i32);
    // One use only.
    api_error(
        passwordless
            .verify_passwordless_email(VerifyCredential::Code(code), with_id(&sent.auth_request_id))
            .await,
        Code::FailedPrecondition,
    )?;
    Ok(())
}

#[tokio::test]
async fn verify_passwordless_email_with_the_link_token_alone_succeeds() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let passwordless = client.passwordless();
    let sent = passwordless
        .send_passwordless_email(
            "ada@example.com",
            SendPasswordlessEmailOptions::default()
                .with_magiclink_auth_uri("https://app.example.com/cb"),
        )
        .await?;
    let token = emulator
        .passwordless_email(&sent.auth_request_id)
        .and_then(|m| m.link_token)
        .context("no link token")?;

    let verified = passwordless
        .verify_passwordless_email(VerifyCredential::LinkToken(token), Default::default())
        .await?;

    ensure!(verified.email == "ada@example.com");
    ensure!(verified.passwordless_type == PasswordlessType::LinkOtp as i32);
    Ok(())
}

#[tokio::test]
async fn verify_passwordless_email_wrong_code_is_invalid_argument_until_too_many_attempts(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let passwordless = client.passwordless();
    let sent = passwordless
        .send_passwordless_email("ada@example.com", Default::default())
        .await?;
    let code = emulator
        .passwordless_email(&sent.auth_request_id)
        .context("no email")?
        .code;

    for _ in 0..PASSWORDLESS_MAX_ATTEMPTS {
        let err = api_error(
            passwordless
                .verify_passwordless_email(
                    VerifyCredential::Code(wrong(&code)),
                    with_id(&sent.auth_request_id),
                )
                .await,
            Code::InvalidArgument,
        )?;
        ensure!(err.is_invalid_argument());
    }
    // Locked: even the right code fails now.
    api_error(
        passwordless
            .verify_passwordless_email(VerifyCredential::Code(code), with_id(&sent.auth_request_id))
            .await,
        Code::FailedPrecondition,
    )?;
    Ok(())
}

#[tokio::test]
async fn verify_passwordless_email_expired_request_fails_precondition() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let passwordless = client.passwordless();
    let sent = passwordless
        .send_passwordless_email("ada@example.com", Default::default())
        .await?;
    let code = emulator
        .passwordless_email(&sent.auth_request_id)
        .context("no email")?
        .code;
    emulator.expire_passwordless_request(&sent.auth_request_id)?;

    api_error(
        passwordless
            .verify_passwordless_email(VerifyCredential::Code(code), with_id(&sent.auth_request_id))
            .await,
        Code::FailedPrecondition,
    )?;
    Ok(())
}

#[tokio::test]
async fn verify_passwordless_email_unknown_request_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .passwordless()
            .verify_passwordless_email(
                VerifyCredential::Code("123456".into()),
                with_id("authreq_10000000000009999"),
            )
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    // A code without its auth request cannot be checked.
    api_error(
        client
            .passwordless()
            .verify_passwordless_email(VerifyCredential::Code("123456".into()), Default::default())
            .await,
        Code::InvalidArgument,
    )?;
    Ok(())
}

#[tokio::test]
async fn verify_passwordless_email_rejects_invalid_arguments() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let passwordless = client.passwordless();
    rejected_locally(
        &emulator,
        passwordless
            .verify_passwordless_email(VerifyCredential::Code("  ".into()), with_id("authreq_1"))
            .await,
        "code",
    )?;
    rejected_locally(
        &emulator,
        passwordless
            .verify_passwordless_email(
                VerifyCredential::LinkToken(String::new()),
                Default::default(),
            )
            .await,
        "link_token",
    )?;
    for id in ["", " authreq_1", "a/b"] {
        rejected_locally(
            &emulator,
            passwordless
                .verify_passwordless_email(VerifyCredential::Code("123456".into()), with_id(id))
                .await,
            "auth_request_id",
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// resend_passwordless_email
// ---------------------------------------------------------------------------

#[tokio::test]
async fn resend_passwordless_email_issues_a_new_code_and_resets_attempts() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let passwordless = client.passwordless();
    let sent = passwordless
        .send_passwordless_email(
            "ada@example.com",
            SendPasswordlessEmailOptions::default()
                .with_magiclink_auth_uri("https://app.example.com/cb"),
        )
        .await?;
    let first = emulator
        .passwordless_email(&sent.auth_request_id)
        .context("no email")?;
    for _ in 0..PASSWORDLESS_MAX_ATTEMPTS {
        let _ = passwordless
            .verify_passwordless_email(
                VerifyCredential::Code(wrong(&first.code)),
                with_id(&sent.auth_request_id),
            )
            .await;
    }
    emulator.expire_passwordless_request(&sent.auth_request_id)?;

    let resent = passwordless
        .resend_passwordless_email(&sent.auth_request_id)
        .await?;

    ensure!(resent.auth_request_id == sent.auth_request_id);
    ensure!(resent.expires_in == sent.expires_in);
    let second = emulator
        .passwordless_email(&sent.auth_request_id)
        .context("no second email")?;
    ensure!(
        second.link_token != first.link_token,
        "the link token was reused"
    );
    // The old link no longer works, the new code does.
    api_error(
        passwordless
            .verify_passwordless_email(
                VerifyCredential::LinkToken(first.link_token.context("no link")?),
                Default::default(),
            )
            .await,
        Code::InvalidArgument,
    )?;
    let verified = passwordless
        .verify_passwordless_email(
            VerifyCredential::Code(second.code),
            with_id(&sent.auth_request_id),
        )
        .await?;
    ensure!(verified.email == "ada@example.com");
    // Nothing to resend once verified.
    api_error(
        passwordless
            .resend_passwordless_email(&sent.auth_request_id)
            .await,
        Code::FailedPrecondition,
    )?;
    Ok(())
}

#[tokio::test]
async fn resend_passwordless_email_unknown_request_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .passwordless()
        .resend_passwordless_email("authreq_10000000000009999")
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn resend_passwordless_email_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", "  ", " authreq_1", "a/b"] {
        rejected_locally(
            &emulator,
            client.passwordless().resend_passwordless_email(id).await,
            "auth_request_id",
        )?;
    }
    Ok(())
}
