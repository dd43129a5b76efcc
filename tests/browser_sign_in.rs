//! `examples/axum_sso.rs` signed in through the emulator's sign-in page, in
//! headless Chromium: the app's own router against an in-process emulator,
//! a real browser carrying the app's cookies across both origins. Each
//! journey starts at the app's `/login` and ends on the app's page:
//!
//! - pick a listed user: `/me` shows them;
//! - SSO (an organization with an enabled OIDC connection): fill in the
//!   simulated identity provider's form, `/me` shows the asserted name;
//! - passwordless: the code shown on the page, typed in, `/me` shows them;
//! - cancel: the app shows the `access_denied` error.
//!
//! Every page visited (the emulator's and the app's) is saved as a
//! screenshot under `target/tmp/browser-screenshots/axum_sso/`. Skipped
//! with a note when Chromium or chromedriver is missing, unless
//! `SCALEKIT_BROWSER_TESTS=1` (the emulator's harness decides).

#![cfg(feature = "oidc")]

mod common;

#[allow(dead_code)]
#[path = "../examples/axum_sso.rs"]
mod axum_sso;

#[allow(dead_code)]
#[path = "../emulator/tests/common/browser.rs"]
mod browser;

use std::time::Duration;

use anyhow::{ensure, Context as _};
use axum_extra::extract::cookie::Key;
use fantoccini::Locator;
use scalekit::connections::{ConnectionProvider, ConnectionType, CreateConnection};
use scalekit::ScalekitClient;

use axum_sso::{app, Config, SignedInUser};
use browser::Browser;

/// How long the whole test may take, browser start included.
const BOUND: Duration = Duration::from_secs(180);

#[tokio::test]
async fn axum_sso_signs_in_through_the_emulators_pages() -> anyhow::Result<()> {
    tokio::time::timeout(BOUND, async {
        let (_emulator, client) = common::start().await?;
        let acme = common::organization(&client, "Acme").await?;
        common::member(&client, &acme, "ada@acme.example").await?;
        let globex = common::organization(&client, "Globex").await?;
        let connection = oidc_connection(&client, &globex).await?;
        let app = serve_app(client).await?;

        let Some(browser) = browser::start("axum_sso").await? else {
            return Ok(());
        };
        let journeys = async {
            pick_a_user(&browser, &app)
                .await
                .context("picking a user")?;
            single_sign_on(&browser, &app, &globex, &connection)
                .await
                .context("SSO")?;
            passwordless(&browser, &app).await.context("passwordless")?;
            cancel(&browser, &app).await.context("cancel")?;
            println!("screenshots in {}", browser.screenshots().display());
            anyhow::Ok(())
        }
        .await;
        browser.close().await;
        journeys
    })
    .await
    .context("the browser test did not finish in time")?
}

/// From the app's home page, through its sign-in form, to the emulator's
/// page; a listed user picked there is who `/me` shows.
async fn pick_a_user(browser: &Browser, app: &str) -> anyhow::Result<()> {
    browser.goto(&format!("{app}/")).await?;
    browser.screenshot("app-home").await?;
    // The app's form with no email: its `/login` then asks for no user.
    browser.click("form[action='/login'] button").await?;
    browser
        .wait_for_url("the emulator's sign-in page", |url| {
            url.path() == "/oauth/authorize"
        })
        .await?;
    ensure!(
        browser.text("h1").await? == "Sign in",
        "the app's sign-in led to the emulator's page"
    );
    browser.screenshot("signin-home").await?;
    browser
        .client
        .find(Locator::XPath(
            "//li[contains(., 'ada@acme.example')]//button",
        ))
        .await?
        .click()
        .await?;
    let user = signed_in(browser, app, "app-signed-in-as-picked-user").await?;
    ensure!(
        user.email.as_deref() == Some("ada@acme.example"),
        "/me: {user:?}"
    );
    Ok(())
}

/// `organization_id` of an organization with an enabled OIDC connection:
/// its identity provider's page asks who signs in, and the app gets the
/// name asserted there.
async fn single_sign_on(
    browser: &Browser,
    app: &str,
    organization: &str,
    connection: &str,
) -> anyhow::Result<()> {
    browser
        .goto(&format!("{app}/login?organization_id={organization}"))
        .await?;
    ensure!(
        browser.text("h1").await? == "Identity provider",
        "the organization's sign-in goes to its identity provider"
    );
    let text = browser.text("main").await?;
    ensure!(text.contains(connection), "the page names the connection");
    browser.fill("#email", "grace@globex.example").await?;
    browser.fill("#given_name", "Grace").await?;
    browser.fill("#family_name", "Hopper").await?;
    browser.screenshot("identity-provider").await?;
    browser
        .click("form[action='/oauth/authorize/sso'] button")
        .await?;
    let user = signed_in(browser, app, "app-signed-in-by-sso").await?;
    ensure!(
        user.email.as_deref() == Some("grace@globex.example")
            && user.name.as_deref() == Some("Grace Hopper"),
        "/me: {user:?}"
    );
    Ok(())
}

/// A passwordless sign-in: the page shows the code the email would carry,
/// and typing it in signs the person in.
async fn passwordless(browser: &Browser, app: &str) -> anyhow::Result<()> {
    browser.goto(&format!("{app}/login")).await?;
    browser.fill("#pl-email", "lin@initech.example").await?;
    browser
        .click("form[action='/oauth/authorize/passwordless'] button")
        .await?;
    browser
        .wait_for_url("the code's page", |url| {
            url.path() == "/oauth/authorize/passwordless"
        })
        .await?;
    ensure!(
        browser.text("h1").await? == "Check your email",
        "the code's page"
    );
    let code = browser.text("#code").await?;
    ensure!(!code.trim().is_empty(), "the page shows a code");
    browser.fill("#code-input", code.trim()).await?;
    browser.screenshot("passwordless-code").await?;
    browser
        .click("form[action='/oauth/authorize/passwordless/verify'] button")
        .await?;
    let user = signed_in(browser, app, "app-signed-in-passwordless").await?;
    ensure!(
        user.email.as_deref() == Some("lin@initech.example"),
        "/me: {user:?}"
    );
    Ok(())
}

/// Cancel on the emulator's page: the app's callback shows the error the
/// emulator sent back.
async fn cancel(browser: &Browser, app: &str) -> anyhow::Result<()> {
    browser.goto(&format!("{app}/login")).await?;
    browser
        .click("form[action='/oauth/authorize/cancel'] button")
        .await?;
    let url = browser
        .wait_for_url("the app's callback", |url| url.path() == "/callback")
        .await?;
    ensure!(
        url.as_str().starts_with(&format!("{app}/callback?")),
        "cancel led to {url}"
    );
    let text = browser.text("body").await?;
    ensure!(
        text.contains("sign-in failed: access_denied"),
        "the app's page: {text}"
    );
    browser.screenshot("app-cancelled").await?;
    Ok(())
}

/// The user the app's `/me` shows, once the browser is back on it; saves
/// its screenshot as `shot`.
async fn signed_in(browser: &Browser, app: &str, shot: &str) -> anyhow::Result<SignedInUser> {
    let url = browser
        .wait_for_url("the app's /me", |url| url.path() == "/me")
        .await?;
    ensure!(
        url.as_str() == format!("{app}/me"),
        "the sign-in ended on {url}, not /me"
    );
    browser.screenshot(shot).await?;
    // Chromium shows a JSON answer as text in a `pre`.
    let json = browser.text("pre").await?;
    serde_json::from_str(&json).with_context(|| format!("/me is not a user: {json}"))
}

/// Serves the example's router on `127.0.0.1:0`; returns its origin.
async fn serve_app(client: ScalekitClient) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    let router = app(client, Config::new(&origin, Key::generate()));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(origin)
}

/// An enabled OIDC connection of the organization; returns its id.
async fn oidc_connection(client: &ScalekitClient, organization: &str) -> anyhow::Result<String> {
    let connection = client
        .connections()
        .create_connection(
            organization,
            CreateConnection {
                provider: ConnectionProvider::Okta as i32,
                r#type: ConnectionType::Oidc as i32,
                ..Default::default()
            },
        )
        .await?;
    client
        .connections()
        .enable_connection(organization, &connection.id)
        .await?;
    Ok(connection.id)
}
