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
use scalekit::proto::connections::{
    ConnectionProvider, ConnectionType, CreateConnection, CreateConnectionRequest,
    ToggleConnectionRequest,
};
use scalekit::proto::organizations::{CreateOrganization, CreateOrganizationRequest};
use scalekit::proto::users::{CreateUser, CreateUserAndMembershipRequest, CreateUserProfile};
use scalekit::ScalekitClient;
use scalekit_emulator::Emulator;

use axum_sso::{app, Config, SignedInUser};
use browser::Browser;

/// How long the whole test may take, browser start included.
const BOUND: Duration = Duration::from_secs(180);

#[tokio::test]
async fn axum_sso_signs_in_through_the_emulators_pages() -> anyhow::Result<()> {
    tokio::time::timeout(BOUND, async {
        let emulator = Emulator::builder().start().await?;
        let client = emulator.client()?;
        let acme = organization(&client, "Acme").await?;
        member(&client, &acme, "ada@acme.example", "Ada").await?;
        let globex = organization(&client, "Globex").await?;
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
    let page = &browser.client;
    browser.goto(&format!("{app}/")).await?;
    browser.screenshot("app-home").await?;
    // The app's form with no email: its `/login` then asks for no user.
    page.find(Locator::Css("form[action='/login'] button"))
        .await?
        .click()
        .await?;
    ensure!(
        heading(browser).await? == "Sign in",
        "the app's sign-in led to the emulator's page"
    );
    browser.screenshot("signin-home").await?;

    page.find(Locator::XPath(
        "//li[contains(., 'ada@acme.example')]//button",
    ))
    .await?
    .click()
    .await?;
    let user = signed_in(browser, app).await?;
    ensure!(
        user.email.as_deref() == Some("ada@acme.example"),
        "/me: {user:?}"
    );
    browser.screenshot("app-signed-in-as-picked-user").await?;
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
    let page = &browser.client;
    browser
        .goto(&format!("{app}/login?organization_id={organization}"))
        .await?;
    ensure!(
        heading(browser).await? == "Identity provider",
        "the organization's sign-in goes to its identity provider"
    );
    let main = page.find(Locator::Css("body")).await?.text().await?;
    ensure!(main.contains(connection), "the page names the connection");
    for (field, value) in [
        ("email", "grace@globex.example"),
        ("given_name", "Grace"),
        ("family_name", "Hopper"),
    ] {
        page.find(Locator::Id(field))
            .await?
            .send_keys(value)
            .await?;
    }
    browser.screenshot("identity-provider").await?;
    page.find(Locator::Css(
        "form[action='/oauth/authorize/sso'] button[type=submit]",
    ))
    .await?
    .click()
    .await?;
    let user = signed_in(browser, app).await?;
    ensure!(
        user.email.as_deref() == Some("grace@globex.example")
            && user.name.as_deref() == Some("Grace Hopper"),
        "/me: {user:?}"
    );
    browser.screenshot("app-signed-in-by-sso").await?;
    Ok(())
}

/// A passwordless sign-in: the page shows the code the email would carry,
/// and typing it in signs the person in.
async fn passwordless(browser: &Browser, app: &str) -> anyhow::Result<()> {
    let page = &browser.client;
    browser.goto(&format!("{app}/login")).await?;
    page.find(Locator::Id("pl-email"))
        .await?
        .send_keys("lin@initech.example")
        .await?;
    page.find(Locator::Css(
        "form[action='/oauth/authorize/passwordless'] button",
    ))
    .await?
    .click()
    .await?;
    ensure!(
        heading(browser).await? == "Check your email",
        "the code's page"
    );
    let code = page.find(Locator::Id("code")).await?.text().await?;
    ensure!(!code.trim().is_empty(), "the page shows a code");
    page.find(Locator::Id("code-input"))
        .await?
        .send_keys(code.trim())
        .await?;
    browser.screenshot("passwordless-code").await?;
    page.find(Locator::Css(
        "form[action='/oauth/authorize/passwordless/verify'] button",
    ))
    .await?
    .click()
    .await?;
    let user = signed_in(browser, app).await?;
    ensure!(
        user.email.as_deref() == Some("lin@initech.example"),
        "/me: {user:?}"
    );
    browser.screenshot("app-signed-in-passwordless").await?;
    Ok(())
}

/// Cancel on the emulator's page: the app's callback shows the error the
/// emulator sent back.
async fn cancel(browser: &Browser, app: &str) -> anyhow::Result<()> {
    let page = &browser.client;
    browser.goto(&format!("{app}/login")).await?;
    page.find(Locator::Css(
        "form[action='/oauth/authorize/cancel'] button",
    ))
    .await?
    .click()
    .await?;
    let url = page.current_url().await?;
    ensure!(
        url.as_str().starts_with(&format!("{app}/callback?")),
        "cancel led to {url}"
    );
    let text = page.find(Locator::Css("body")).await?.text().await?;
    ensure!(
        text.contains("sign-in failed: access_denied"),
        "the app's page: {text}"
    );
    browser.screenshot("app-cancelled").await?;
    Ok(())
}

/// The current page's `h1`.
async fn heading(browser: &Browser) -> anyhow::Result<String> {
    Ok(browser
        .client
        .find(Locator::Css("h1"))
        .await
        .context("the page has no heading")?
        .text()
        .await?)
}

/// The user the app's `/me` shows, once the browser is back on it.
async fn signed_in(browser: &Browser, app: &str) -> anyhow::Result<SignedInUser> {
    let page = &browser.client;
    let url = page.current_url().await?;
    ensure!(
        url.as_str() == format!("{app}/me"),
        "the sign-in ended on {url}, not /me"
    );
    // Chromium shows a JSON answer as text in a `pre`.
    let json = page.find(Locator::Css("pre")).await?.text().await?;
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

async fn organization(client: &ScalekitClient, name: &str) -> anyhow::Result<String> {
    let response = client
        .raw()
        .organizations()
        .create_organization(CreateOrganizationRequest {
            organization: Some(CreateOrganization {
                display_name: name.to_owned(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    Ok(response.organization.context("no organization")?.id)
}

async fn member(
    client: &ScalekitClient,
    organization: &str,
    email: &str,
    given_name: &str,
) -> anyhow::Result<()> {
    client
        .raw()
        .users()
        .create_user_and_membership(CreateUserAndMembershipRequest {
            organization_id: organization.to_owned(),
            user: Some(CreateUser {
                email: email.to_owned(),
                user_profile: Some(CreateUserProfile {
                    given_name: given_name.to_owned(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            send_invitation_email: Some(false),
        })
        .await?;
    Ok(())
}

/// An enabled OIDC connection of the organization; returns its id.
async fn oidc_connection(client: &ScalekitClient, organization: &str) -> anyhow::Result<String> {
    let mut connections = client.raw().connections();
    let created = connections
        .create_connection(CreateConnectionRequest {
            organization_id: organization.to_owned(),
            connection: Some(CreateConnection {
                provider: ConnectionProvider::Okta as i32,
                r#type: ConnectionType::Oidc as i32,
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .connection
        .context("no connection")?;
    connections
        .enable_connection(ToggleConnectionRequest {
            organization_id: organization.to_owned(),
            id: created.id.clone(),
        })
        .await?;
    Ok(created.id)
}
