//! Sign-in as the service does it: registered redirect URIs only, access
//! tokens that carry the organization, roles and permissions, and tokens
//! minted for a user without a browser.

mod common;

use std::time::Duration;

use anyhow::Context as _;
use scalekit_emulator::seed::{
    Fixtures, OrganizationFixture, PermissionFixture, RoleFixture, UserFixture,
};
use scalekit_emulator::{Emulator, EmulatorHandle};

use common::{authorize, jwt_claims, within};

const LIMIT: Duration = Duration::from_secs(60);
const APP: &str = "https://app.example/callback";

/// Two organizations; ada is a member of Acme only (as `billing_admin`,
/// which extends `billing_viewer`), bob of both.
fn fixtures() -> Fixtures {
    Fixtures::new()
        .with_permission(PermissionFixture::new("invoices:read"))
        .with_permission(PermissionFixture::new("invoices:write"))
        .with_role(RoleFixture::new("billing_viewer").with_permissions(["invoices:read"]))
        .with_role(
            RoleFixture::new("billing_admin")
                .with_extends("billing_viewer")
                .with_permissions(["invoices:write"]),
        )
        .with_organization(
            OrganizationFixture::new("Acme")
                .with_external_id("acme")
                .with_user(UserFixture::new("ada@acme.example").with_roles(["billing_admin"]))
                .with_user(UserFixture::new("bob@acme.example").with_roles(["admin"])),
        )
        .with_organization(
            OrganizationFixture::new("Globex")
                .with_external_id("globex")
                .with_user(UserFixture::new("bob@acme.example").with_roles(["member"])),
        )
}

/// The id of the organization with this external id.
async fn organization_id(emulator: &EmulatorHandle, external_id: &str) -> anyhow::Result<String> {
    let client = emulator.client()?;
    Ok(client
        .organizations()
        .get_organization_by_external_id(external_id)
        .await?
        .id)
}

#[tokio::test]
async fn authorize_redirects_only_to_registered_uris_else_answers_a_page() -> anyhow::Result<()> {
    within(LIMIT, async {
        let default = Emulator::builder().start().await?;
        let builder = Emulator::builder().redirect_uris([APP]).start().await?;
        let seeded = Emulator::builder()
            .seed(Fixtures::new().with_redirect_uri(APP))
            .start()
            .await?;
        let evil = "https://evil.example/cb?x=<script>alert(1)</script>";
        for (name, emulator, uri, redirected) in [
            ("default", &default, "http://localhost:3000/callback", true),
            ("default", &default, "http://127.0.0.1:8080/cb", true),
            ("default", &default, APP, false),
            ("default", &default, evil, false),
            ("builder", &builder, APP, true),
            ("builder", &builder, "http://localhost:3000/callback", false),
            (
                "builder",
                &builder,
                "https://app.example/callback/other",
                false,
            ),
            ("fixtures", &seeded, APP, true),
            ("fixtures", &seeded, evil, false),
        ] {
            let response = authorize(
                emulator,
                &[("redirect_uri", uri), ("login_hint", "ada@acme.example")],
            )
            .await?;
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if redirected {
                assert_eq!(status, 302, "{name} {uri}");
                assert!(
                    location.as_deref().is_some_and(|l| l.starts_with(uri)),
                    "{name} {uri}: {location:?}"
                );
                continue;
            }
            assert_eq!((status, location), (400, None), "{name} {uri}");
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            assert!(
                content_type.starts_with("text/html"),
                "{name} {uri}: {content_type}"
            );
            let page = response.text().await?;
            assert!(
                page.contains("--redirect-uri"),
                "{name} {uri}: how to register"
            );
            assert!(
                !page.contains("<script>"),
                "{name} {uri}: unescaped: {page}"
            );
            let shown = uri.replace('<', "&lt;").replace('>', "&gt;");
            assert!(
                page.contains(&shown),
                "{name} {uri}: the URI is named: {page}"
            );
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_redirect_uri_that_is_not_a_url_refuses_to_start() -> anyhow::Result<()> {
    for (name, builder) in [
        ("builder", Emulator::builder().redirect_uris(["/callback"])),
        (
            "fixtures",
            Emulator::builder().seed(Fixtures::new().with_redirect_uri("/callback")),
        ),
    ] {
        let err = builder.start().await.expect_err("not a URL");
        assert!(
            matches!(&err, scalekit_emulator::StartError::RedirectUri { uri, .. } if uri == "/callback"),
            "{name}: {err:?}"
        );
    }
    Ok(())
}

/// Signs in through `/oauth/authorize` and exchanges the code; returns the
/// access token's claims.
async fn signed_in_claims(
    emulator: &EmulatorHandle,
    email: &str,
    organization_id: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let redirect = "http://localhost:3000/callback";
    let mut params = vec![("redirect_uri", redirect), ("login_hint", email)];
    if let Some(org) = organization_id {
        params.push(("organization_id", org));
    }
    let response = authorize(emulator, &params).await?;
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("no redirect")?;
    let location = url::Url::parse(location)?;
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .with_context(|| format!("no code in {location}"))?;
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", emulator.env_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("client_id", emulator.client_id()),
            ("client_secret", emulator.client_secret()),
        ])
        .send()
        .await?
        .json()
        .await?;
    let token = body["access_token"]
        .as_str()
        .with_context(|| format!("no access token in {body}"))?;
    jwt_claims(token)
}

/// Who signs in, the organization asked for, and the `oid`, `roles` and
/// `permissions` their access token should carry.
type Row<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a [&'a str],
    &'a [&'a str],
);

#[tokio::test]
async fn sign_in_access_tokens_carry_the_organization_roles_and_permissions() -> anyhow::Result<()>
{
    within(LIMIT, async {
        let emulator = Emulator::builder().seed(fixtures()).start().await?;
        let acme = organization_id(&emulator, "acme").await?;
        let globex = organization_id(&emulator, "globex").await?;
        let rows: [Row; 5] = [
            (
                "ada@acme.example",
                None,
                Some(&acme),
                &["billing_admin"],
                &["invoices:write", "invoices:read"],
            ),
            (
                "ada@acme.example",
                Some(&acme),
                Some(&acme),
                &["billing_admin"],
                &["invoices:write", "invoices:read"],
            ),
            ("bob@acme.example", None, None, &[], &[]),
            (
                "bob@acme.example",
                Some(&globex),
                Some(&globex),
                &["member"],
                &[],
            ),
            ("new@elsewhere.example", None, None, &[], &[]),
        ];
        for (email, asked, oid, roles, permissions) in rows {
            let claims = signed_in_claims(&emulator, email, asked).await?;
            let row = format!("{email} asking for {asked:?}: {claims}");
            assert_eq!(claims["oid"].as_str(), oid, "{row}");
            assert_eq!(claims["roles"], serde_json::json!(roles), "{row}");
            assert_eq!(
                claims["permissions"],
                serde_json::json!(permissions),
                "{row}"
            );
            for claim in [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "nbf",
                "jti",
                "sid",
                "client_id",
            ] {
                assert!(!claims[claim].is_null(), "{row}: no {claim}");
            }
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn mint_endpoint_issues_a_members_sign_in_tokens() -> anyhow::Result<()> {
    within(LIMIT, async {
        let emulator = Emulator::builder().seed(fixtures()).start().await?;
        let acme = organization_id(&emulator, "acme").await?;
        let client = emulator.client()?;
        let members = client
            .users()
            .list_organization_users(&acme, Default::default())
            .await?;
        let ada = members
            .items
            .iter()
            .find(|u| u.email == "ada@acme.example")
            .context("ada")?
            .id
            .clone();

        let response = reqwest::Client::new()
            .post(format!(
                "{}/_emulator/users/{ada}/tokens",
                emulator.env_url()
            ))
            .basic_auth(emulator.client_id(), Some(emulator.client_secret()))
            .json(&serde_json::json!({ "organization_id": acme }))
            .send()
            .await?;
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value = response.json().await?;
        assert_eq!(body["token_type"], "Bearer");
        let access = jwt_claims(body["access_token"].as_str().context("access_token")?)?;
        assert_eq!(access["sub"].as_str(), Some(ada.as_str()));
        assert_eq!(access["oid"].as_str(), Some(acme.as_str()));
        assert_eq!(access["roles"], serde_json::json!(["billing_admin"]));
        assert_eq!(
            access["permissions"],
            serde_json::json!(["invoices:write", "invoices:read"])
        );
        let id = jwt_claims(body["id_token"].as_str().context("id_token")?)?;
        assert_eq!(id["email"], "ada@acme.example");

        // A real session, listable through the API, as a sign-in makes.
        let sid = access["sid"].as_str().context("sid")?;
        let session = client.sessions().get_session(sid).await?;
        assert_eq!(session.user_id, ada);

        // The handle mints the same way, and its Debug hides the tokens.
        let minted = emulator.mint_user_token(&ada, None)?;
        let claims = jwt_claims(&minted.access_token)?;
        assert_eq!(
            claims["oid"].as_str(),
            Some(acme.as_str()),
            "the only membership"
        );
        assert!(!format!("{minted:?}").contains(&minted.access_token));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn mint_endpoint_refuses_bad_credentials_users_and_organizations() -> anyhow::Result<()> {
    within(LIMIT, async {
        let emulator = Emulator::builder().seed(fixtures()).start().await?;
        let acme = organization_id(&emulator, "acme").await?;
        let globex = organization_id(&emulator, "globex").await?;
        let client = emulator.client()?;
        let ada = client
            .users()
            .list_organization_users(&acme, Default::default())
            .await?
            .items
            .into_iter()
            .find(|u| u.email == "ada@acme.example")
            .context("ada")?
            .id;
        let secret = emulator.client_secret().to_string();
        // (user, organization, secret, status)
        let rows = [
            (ada.as_str(), None, "wrong", 401),
            ("usr_unknown", None, secret.as_str(), 404),
            (ada.as_str(), Some("org_unknown"), secret.as_str(), 404),
            (ada.as_str(), Some(globex.as_str()), secret.as_str(), 412),
        ];
        for (user, org, secret, expected) in rows {
            let response = reqwest::Client::new()
                .post(format!(
                    "{}/_emulator/users/{user}/tokens",
                    emulator.env_url()
                ))
                .basic_auth(emulator.client_id(), Some(secret))
                .json(&serde_json::json!({ "organization_id": org }))
                .send()
                .await?;
            let status = response.status().as_u16();
            let body = response.text().await?;
            assert_eq!(status, expected, "{user} in {org:?}: {body}");
            assert!(!body.contains("access_token"), "{user} in {org:?}: {body}");
        }
        Ok(())
    })
    .await
}
