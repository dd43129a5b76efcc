//! Seed data: applied through the services at start, refused whole when an
//! item is invalid, and loadable by the binary's `--seed` flag.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use scalekit::proto::connections::{ConnectionProvider, ConnectionType};
use scalekit::roles::GetRoleOptions;
use scalekit::users::ListOrganizationUsersOptions;
use scalekit::ScalekitClient;
use scalekit_emulator::seed::{
    ConnectionFixture, OrganizationFixture, PermissionFixture, RoleFixture, UserFixture,
};
use scalekit_emulator::{Emulator, Fixtures, SeedError, StartError};

const FIXTURES: &str = r#"{
  "permissions": [
    { "name": "invoices:read", "description": "Read invoices" },
    { "name": "invoices:write" }
  ],
  "roles": [
    { "name": "billing_viewer", "display_name": "Billing viewer", "permissions": ["invoices:read"] },
    { "name": "billing_admin", "extends": "billing_viewer", "permissions": ["invoices:write"] }
  ],
  "organizations": [
    {
      "display_name": "Acme",
      "external_id": "acme",
      "metadata": { "plan": "gold" },
      "domains": ["acme.example"],
      "connections": [{ "type": "OIDC", "provider": "OKTA" }, { "type": "SAML", "provider": "GOOGLE", "enabled": false }],
      "users": [
        { "email": "ada@acme.example", "given_name": "Ada", "family_name": "Lovelace", "roles": ["admin"] },
        { "email": "bob@acme.example", "roles": ["billing_admin"] },
        { "email": "cy@acme.example" }
      ]
    },
    { "display_name": "Globex" }
  ]
}"#;

#[tokio::test]
async fn seed_creates_organizations_domains_members_roles_and_permissions() -> anyhow::Result<()> {
    let emulator = Emulator::builder()
        .seed(Fixtures::from_json(FIXTURES)?)
        .start()
        .await?;
    let client = emulator.client()?;

    let acme = client
        .organizations()
        .get_organization_by_external_id("acme")
        .await?;
    assert_eq!(acme.display_name, "Acme");
    assert_eq!(acme.metadata.get("plan").map(String::as_str), Some("gold"));
    let all = client
        .organizations()
        .list_organization(Default::default())
        .await?;
    assert_eq!(all.total_size, 2);

    let domains = client
        .domains()
        .list_domains(&acme.id, Default::default())
        .await?;
    assert_eq!(
        domains
            .iter()
            .map(|d| d.domain.as_str())
            .collect::<Vec<_>>(),
        ["acme.example"]
    );

    let connections = client.connections().list_connections(&acme.id).await?;
    assert_eq!(
        connections
            .iter()
            .map(|c| (c.r#type(), c.provider(), c.enabled))
            .collect::<Vec<_>>(),
        [
            (ConnectionType::Oidc, ConnectionProvider::Okta, true),
            (ConnectionType::Saml, ConnectionProvider::Google, false),
        ]
    );

    let members = client
        .users()
        .list_organization_users(&acme.id, ListOrganizationUsersOptions::default())
        .await?;
    let roles_of = |email: &str| -> Vec<String> {
        members
            .items
            .iter()
            .find(|u| u.email == email)
            .map(|u| {
                u.memberships
                    .iter()
                    .flat_map(|m| m.roles.iter().map(|r| r.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(members.total_size, 3);
    assert_eq!(roles_of("ada@acme.example"), ["admin"]);
    assert_eq!(roles_of("bob@acme.example"), ["billing_admin"]);
    assert_eq!(roles_of("cy@acme.example"), ["member"], "the default role");
    let ada = members.items.iter().find(|u| u.email == "ada@acme.example");
    assert_eq!(
        ada.and_then(|u| u.user_profile.as_ref())
            .map(|p| p.given_name.as_str()),
        Some("Ada")
    );

    let admin = client
        .roles()
        .get_role(
            "billing_admin",
            GetRoleOptions::default().with_include("permissions:all"),
        )
        .await?;
    let mut granted: Vec<_> = admin.permissions.iter().map(|p| p.name.as_str()).collect();
    granted.sort_unstable();
    assert_eq!(
        granted,
        ["invoices:read", "invoices:write"],
        "inherited and direct"
    );
    Ok(())
}

#[tokio::test]
async fn seed_with_an_invalid_item_refuses_to_start_and_names_it() -> anyhow::Result<()> {
    let fixtures = Fixtures::from_json(
        r#"{ "roles": [{ "name": "auditor", "permissions": ["reports:read"] }] }"#,
    )?;
    let err = Emulator::builder()
        .seed(fixtures)
        .start()
        .await
        .expect_err("unknown permission");
    match err {
        StartError::Seed(SeedError::Rejected { what, .. }) => assert_eq!(what, "role auditor"),
        other => panic!("unexpected error: {other:?}"),
    }

    let fixtures = Fixtures::from_json(
        r#"{ "organizations": [{ "display_name": "Acme", "users": [{ "email": "a@x.example" }, { "email": "a@x.example" }] }] }"#,
    )?;
    let err = Emulator::builder()
        .seed(fixtures)
        .start()
        .await
        .expect_err("duplicate member");
    assert!(
        matches!(err, StartError::Seed(SeedError::Rejected { ref what, .. }) if what == "user a@x.example"),
        "{err:?}"
    );

    let fixtures = Fixtures::from_json(
        r#"{ "organizations": [{ "display_name": "Acme", "connections": [{ "type": "OIDC", "provider": "NOPE" }] }] }"#,
    )?;
    let err = Emulator::builder()
        .seed(fixtures)
        .start()
        .await
        .expect_err("unknown provider");
    assert!(
        matches!(err, StartError::Seed(SeedError::Rejected { ref what, .. }) if what == "OIDC connection NOPE"),
        "{err:?}"
    );
    Ok(())
}

/// [`FIXTURES`], built in Rust.
fn typed_fixtures() -> Fixtures {
    Fixtures::new()
        .with_permission(PermissionFixture::new("invoices:read").with_description("Read invoices"))
        .with_permission(PermissionFixture::new("invoices:write"))
        .with_role(
            RoleFixture::new("billing_viewer")
                .with_display_name("Billing viewer")
                .with_permissions(["invoices:read"]),
        )
        .with_role(
            RoleFixture::new("billing_admin")
                .with_extends("billing_viewer")
                .with_permissions(["invoices:write"]),
        )
        .with_organization(
            OrganizationFixture::new("Acme")
                .with_external_id("acme")
                .with_metadata("plan", "gold")
                .with_domain("acme.example")
                .with_connection(ConnectionFixture::new(
                    ConnectionType::Oidc,
                    ConnectionProvider::Okta,
                ))
                .with_connection(
                    ConnectionFixture::new(ConnectionType::Saml, ConnectionProvider::Google)
                        .with_enabled(false),
                )
                .with_user(
                    UserFixture::new("ada@acme.example")
                        .with_given_name("Ada")
                        .with_family_name("Lovelace")
                        .with_roles(["admin"]),
                )
                .with_user(UserFixture::new("bob@acme.example").with_roles(["billing_admin"]))
                .with_user(UserFixture::new("cy@acme.example")),
        )
        .with_organization(OrganizationFixture::new("Globex"))
}

/// What identifies the seeded data: organizations, members with their
/// roles, connections, roles with their permissions.
async fn seeded_shape(fixtures: Fixtures) -> anyhow::Result<Vec<String>> {
    let emulator = Emulator::builder().seed(fixtures).start().await?;
    let client = emulator.client()?;
    let mut shape = Vec::new();
    for org in client
        .organizations()
        .list_organization(Default::default())
        .await?
        .items
    {
        shape.push(format!(
            "{} {} {:?} {:?}",
            org.id, org.display_name, org.external_id, org.metadata
        ));
        for user in client
            .users()
            .list_organization_users(&org.id, Default::default())
            .await?
            .items
        {
            let roles: Vec<_> = user
                .memberships
                .iter()
                .flat_map(|m| &m.roles)
                .map(|r| &r.name)
                .collect();
            shape.push(format!(
                "{} {} {roles:?} {:?}",
                user.id, user.email, user.user_profile
            ));
        }
        for connection in client.connections().list_connections(&org.id).await? {
            shape.push(format!(
                "{} {:?} {:?} {:?} {}",
                connection.id,
                connection.r#type(),
                connection.provider(),
                connection.status(),
                connection.enabled
            ));
        }
    }
    for role in client.roles().list_roles(Default::default()).await? {
        shape.push(format!(
            "{} {} {:?}",
            role.name, role.display_name, role.extends
        ));
    }
    Ok(shape)
}

#[tokio::test]
async fn typed_fixtures_seed_the_same_as_their_json() -> anyhow::Result<()> {
    let from_json = seeded_shape(Fixtures::from_json(FIXTURES)?).await?;
    let typed = seeded_shape(typed_fixtures()).await?;
    assert!(from_json.len() > 8, "{from_json:#?}");
    assert_eq!(typed, from_json);
    Ok(())
}

#[test]
fn fixtures_with_unknown_fields_or_bad_json_are_parse_errors() {
    for text in [
        r#"{ "organisations": [] }"#,
        r#"{ "organizations": [{ "name": "Acme" }] }"#,
        "{",
    ] {
        assert!(
            matches!(Fixtures::from_json(text), Err(SeedError::Parse(_))),
            "{text}"
        );
    }
    assert!(matches!(
        Fixtures::from_path("/nonexistent/fixtures.json"),
        Err(SeedError::Read { .. })
    ));
}

/// Stops the child on drop, so a failed assertion leaves no process behind.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_loads_fixtures_registers_redirect_uris_and_logs_plain_lines() -> anyhow::Result<()>
{
    let dir = std::env::temp_dir().join(format!("scalekit-emulator-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("fixtures.json");
    std::fs::write(&path, FIXTURES)?;

    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_scalekit-emulator"))
            .args([
                "--port",
                "0",
                "--redirect-uri",
                "https://app.example/callback",
                "--seed",
            ])
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?,
    );
    let stdout = child
        .0
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut vars = std::collections::HashMap::new();
    for line in BufReader::new(stdout).lines().take(3) {
        let line = line?;
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("line {line:?}"))?;
        vars.insert(key.to_string(), value.to_string());
    }
    let client = ScalekitClient::new(
        &vars["SCALEKIT_ENVIRONMENT_URL"],
        vars["SCALEKIT_CLIENT_ID"].as_str(),
        vars["SCALEKIT_CLIENT_SECRET"].as_str(),
    )?;
    let acme = client
        .organizations()
        .get_organization_by_external_id("acme")
        .await?;
    assert_eq!(acme.display_name, "Acme");

    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    for (redirect_uri, status) in [
        ("https://app.example/callback", 302),
        ("http://localhost:3000/callback", 400),
    ] {
        let response = browser
            .get(format!(
                "{}/oauth/authorize",
                vars["SCALEKIT_ENVIRONMENT_URL"]
            ))
            .query(&[
                ("client_id", vars["SCALEKIT_CLIENT_ID"].as_str()),
                ("response_type", "code"),
                ("redirect_uri", redirect_uri),
                ("login_hint", "ada@acme.example"),
            ])
            .send()
            .await?;
        assert_eq!(response.status().as_u16(), status, "{redirect_uri}");
    }

    // Ctrl-C stops it cleanly.
    let status = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()?;
    assert!(status.success());
    let exit = child.0.wait()?;
    assert!(exit.success(), "{exit:?}");
    // By default a line per request, without escape codes (stderr is a pipe).
    let mut log = String::new();
    if let Some(mut stderr) = child.0.stderr.take() {
        std::io::Read::read_to_string(&mut stderr, &mut log)?;
    }
    assert!(
        log.lines()
            .any(|l| l.contains("path=/oauth/authorize") && l.contains("status=400")),
        "{log}"
    );
    assert!(!log.contains('\x1b'), "escape codes in {log:?}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
