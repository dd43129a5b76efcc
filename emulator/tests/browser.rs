//! The dashboard in headless Chromium: a record created through the SDK
//! shows, links lead on, the create-organization form works from the page
//! (the browser's own `Origin` and `Sec-Fetch-Site` pass the guard), and a
//! hostile name stays text. Every page visited is saved as a screenshot.
//!
//! Skipped with a note when Chromium or chromedriver is missing, unless
//! `SCALEKIT_BROWSER_TESTS=1` (see `common/browser.rs`).

mod common;

#[path = "common/browser.rs"]
mod browser;

use std::time::Duration;

use anyhow::{ensure, Context as _};
use fantoccini::Locator;
use scalekit_emulator::EmulatorHandle;

/// How long the whole test may take, browser start included.
const BOUND: Duration = Duration::from_secs(180);

#[tokio::test]
async fn the_dashboard_shows_sdk_records_and_creates_organizations() -> anyhow::Result<()> {
    tokio::time::timeout(BOUND, async {
        let (emulator, client) = common::start().await?;
        let org = common::organization(&client, "Acme").await?;
        common::member(&client, &org, "ada@acme.example").await?;
        let Some(browser) = browser::start("dashboard").await? else {
            return Ok(());
        };
        let result = drive_dashboard(&browser, &emulator, &org).await;
        browser.close().await;
        result
    })
    .await
    .context("the browser test did not finish in time")?
}

async fn drive_dashboard(
    browser: &browser::Browser,
    emulator: &EmulatorHandle,
    org: &str,
) -> anyhow::Result<()> {
    let page = &browser.client;
    // The environment URL itself, as a person would open it.
    browser.goto(emulator.env_url()).await?;
    let url = page.current_url().await?;
    ensure!(url.path() == "/_emulator", "/ sent the browser to {url}");
    browser.screenshot("overview").await?;

    page.find(Locator::LinkText("Organizations"))
        .await?
        .click()
        .await?;
    browser.screenshot("organizations").await?;
    page.find(Locator::LinkText("Acme")).await?.click().await?;
    let url = page.current_url().await?;
    ensure!(url.path().ends_with(org), "Acme's link led to {url}");
    let text = browser.text("main").await?;
    ensure!(
        text.contains("ada@acme.example"),
        "Acme's page lists its member"
    );
    browser.screenshot("organization").await?;

    page.find(Locator::LinkText("ada@acme.example"))
        .await?
        .click()
        .await?;
    let heading = browser.text("h1").await?;
    ensure!(
        heading == "User ada@acme.example",
        "the user's page: {heading}"
    );
    browser.screenshot("user").await?;

    // The create form, with a name that would run if it were not escaped.
    let hostile = "<script>alert(1)</script>";
    page.find(Locator::LinkText("Organizations"))
        .await?
        .click()
        .await?;
    browser.fill("input[name=display_name]", hostile).await?;
    browser
        .click("form[action='/_emulator/dashboard/organizations'] button")
        .await?;
    browser
        .wait_for_url("the new organization's page", |url| {
            url.path()
                .starts_with("/_emulator/dashboard/organizations/")
        })
        .await?;
    let heading = browser.text("h1").await?;
    ensure!(
        heading == format!("Organization {hostile}"),
        "the new organization's page shows its name as text: {heading}"
    );
    ensure!(
        page.get_alert_text().await.is_err(),
        "no script ran (an alert is open)"
    );
    let scripts = page.find_all(Locator::Css("script")).await?;
    ensure!(scripts.is_empty(), "the page holds no script element");
    browser.screenshot("created-organization").await?;

    // Every other section, for the record.
    for (link, shot) in [
        ("Users", "users"),
        ("Roles", "roles"),
        ("Connections", "connections"),
        ("Directories", "directories"),
        ("Sessions", "sessions"),
        ("API tokens and clients", "credentials"),
        ("Events", "events"),
        ("Requests", "requests"),
        ("Webhook deliveries", "webhooks"),
    ] {
        page.find(Locator::LinkText(link)).await?.click().await?;
        let heading = page
            .find(Locator::Css("h1"))
            .await
            .with_context(|| link.to_string())?;
        ensure!(!heading.text().await?.is_empty(), "{link} has a heading");
        browser.screenshot(shot).await?;
    }
    println!("screenshots in {}", browser.screenshots().display());
    Ok(())
}
