//! `client.connections()` against a real `scalekit-emulator`: every facade
//! method succeeds with real round-trip semantics, maps a server error to
//! the right predicate, and rejects invalid arguments without any I/O.
//! Connections are created with the facade's `create_connection` (wrapped
//! since 2.11.0). App connections belong to the environment and have no
//! create RPC the emulator serves: the tests add them through the
//! emulator's handle. `list_app_connections` checks nothing before sending,
//! so its tests cover success and the server's refusals.

mod common;

use common::{api_error, organization, rejected_locally, start};

use anyhow::ensure;
use scalekit::connections::{
    ConnectionProvider, ConnectionStatus, ConnectionType, CreateConnection,
    ListAppConnectionsOptions,
};
use scalekit::domains::{CreateDomainOptions, DomainType};
use scalekit::{Code, ScalekitClient};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

async fn connection(
    client: &ScalekitClient,
    organization_id: &str,
    provider: ConnectionProvider,
    kind: ConnectionType,
) -> anyhow::Result<String> {
    let connection = client
        .connections()
        .create_connection(organization_id, new_connection(provider, kind))
        .await?;
    Ok(connection.id)
}

fn new_connection(provider: ConnectionProvider, kind: ConnectionType) -> CreateConnection {
    CreateConnection {
        provider: provider as i32,
        r#type: kind as i32,
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// get_connection
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_connection_existing_returns_it_with_the_organization_domains() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = connection(
        &client,
        &org,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    client
        .domains()
        .create_domain(&org, "acme.com", CreateDomainOptions::default())
        .await?;
    client
        .domains()
        .create_domain(
            &org,
            "acme-partners.com",
            CreateDomainOptions::default().with_domain_type(DomainType::AllowedEmailDomain),
        )
        .await?;

    let got = client.connections().get_connection(&org, &id).await?;
    ensure!(got.id == id && got.id.starts_with("conn_"), "{got:?}");
    ensure!(got.organization_id.as_deref() == Some(org.as_str()));
    ensure!(got.provider() == ConnectionProvider::Okta);
    ensure!(got.r#type() == ConnectionType::Saml);
    ensure!(got.status() == ConnectionStatus::Draft);
    ensure!(!got.enabled);
    ensure!(got.create_time.is_some());
    let domains: Vec<&str> = got.domains.iter().map(|d| d.domain.as_str()).collect();
    ensure!(domains == ["acme.com"], "only routing domains: {domains:?}");
    Ok(())
}

#[tokio::test]
async fn get_connection_of_another_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let id = connection(
        &client,
        &acme,
        ConnectionProvider::Okta,
        ConnectionType::Oidc,
    )
    .await?;
    let err = api_error(
        client.connections().get_connection(&globex, &id).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    let err = api_error(
        client
            .connections()
            .get_connection("org_10000000000009999", &id)
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_connection_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let connections = client.connections();
    rejected_locally(
        &emulator,
        connections.get_connection("", "conn_1").await,
        "organization_id",
    )?;
    rejected_locally(
        &emulator,
        connections.get_connection("org_1", " conn_1").await,
        "connection_id",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// list_connections / list_connections_by_domain
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_connections_returns_only_the_organizations_connections() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let saml = connection(
        &client,
        &acme,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    let oidc = connection(
        &client,
        &acme,
        ConnectionProvider::Google,
        ConnectionType::Oidc,
    )
    .await?;
    connection(
        &client,
        &globex,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;

    let listed = client.connections().list_connections(&acme).await?;
    let ids: Vec<&str> = listed.iter().map(|c| c.id.as_str()).collect();
    ensure!(ids == [saml.as_str(), oidc.as_str()], "{ids:?}");
    ensure!(listed.iter().all(|c| c.organization_id == acme));
    ensure!(listed.iter().all(|c| c.organization_name == "Acme"));
    ensure!(listed[1].provider() == ConnectionProvider::Google);

    let empty = organization(&client, "Empty").await?;
    ensure!(client
        .connections()
        .list_connections(&empty)
        .await?
        .is_empty());
    Ok(())
}

#[tokio::test]
async fn list_connections_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .connections()
            .list_connections("org_10000000000009999")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_connections_rejects_invalid_organization_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    rejected_locally(
        &emulator,
        client.connections().list_connections("org/1").await,
        "organization_id",
    )
}

#[tokio::test]
async fn list_connections_by_domain_resolves_through_organization_domains() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let id = connection(
        &client,
        &acme,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    connection(
        &client,
        &globex,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    client
        .domains()
        .create_domain(&acme, "acme.com", CreateDomainOptions::default())
        .await?;
    client
        .domains()
        .create_domain(
            &globex,
            "globex.com",
            CreateDomainOptions::default().with_domain_type(DomainType::AllowedEmailDomain),
        )
        .await?;

    let connections = client.connections();
    let found = connections.list_connections_by_domain("ACME.com").await?;
    let ids: Vec<&str> = found.iter().map(|c| c.id.as_str()).collect();
    ensure!(ids == [id.as_str()], "{ids:?}");
    ensure!(found[0].domains == ["acme.com"], "{:?}", found[0].domains);
    ensure!(found[0].organization_id == acme);

    // An allowed-email domain does not route to SSO; an unknown one finds nothing.
    ensure!(connections
        .list_connections_by_domain("globex.com")
        .await?
        .is_empty());
    ensure!(connections
        .list_connections_by_domain("initech.com")
        .await?
        .is_empty());
    Ok(())
}

#[tokio::test]
async fn list_connections_by_domain_server_error_maps_to_predicate() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    emulator.fail_next(Some("ListConnections"), 1, Code::PermissionDenied);
    let err = api_error(
        client
            .connections()
            .list_connections_by_domain("acme.com")
            .await,
        Code::PermissionDenied,
    )?;
    ensure!(!err.is_not_found() && !err.is_retryable(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn list_connections_by_domain_rejects_invalid_domain() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for domain in ["", "  ", "acme.com "] {
        rejected_locally(
            &emulator,
            client
                .connections()
                .list_connections_by_domain(domain)
                .await,
            "domain",
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// enable_connection / disable_connection
// ---------------------------------------------------------------------------

#[tokio::test]
async fn enable_and_disable_connection_flip_the_enabled_flag() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = connection(
        &client,
        &org,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    let connections = client.connections();

    let enabled = connections.enable_connection(&org, &id).await?;
    ensure!(
        enabled.enabled && enabled.error_message.is_none(),
        "{enabled:?}"
    );
    ensure!(connections.get_connection(&org, &id).await?.enabled);
    ensure!(connections.list_connections(&org).await?[0].enabled);
    // Idempotent.
    ensure!(connections.enable_connection(&org, &id).await?.enabled);

    let disabled = connections.disable_connection(&org, &id).await?;
    ensure!(!disabled.enabled, "{disabled:?}");
    ensure!(!connections.get_connection(&org, &id).await?.enabled);
    ensure!(!connections.disable_connection(&org, &id).await?.enabled);
    Ok(())
}

#[tokio::test]
async fn enable_connection_unknown_connection_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let err = api_error(
        client
            .connections()
            .enable_connection(&org, "conn_10000000000009999")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn disable_connection_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = connection(
        &client,
        &org,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    let err = api_error(
        client
            .connections()
            .disable_connection("org_10000000000009999", &id)
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn enable_connection_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let connections = client.connections();
    rejected_locally(
        &emulator,
        connections.enable_connection("org_1", "").await,
        "connection_id",
    )?;
    rejected_locally(
        &emulator,
        connections.enable_connection(" ", "conn_1").await,
        "organization_id",
    )?;
    Ok(())
}

#[tokio::test]
async fn disable_connection_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let connections = client.connections();
    rejected_locally(
        &emulator,
        connections.disable_connection("org_1", "conn/1").await,
        "connection_id",
    )?;
    rejected_locally(
        &emulator,
        connections.disable_connection("", "conn_1").await,
        "organization_id",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// create_connection
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_connection_valid_returns_a_disabled_draft() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let created = client
        .connections()
        .create_connection(
            &org,
            new_connection(ConnectionProvider::Okta, ConnectionType::Oidc),
        )
        .await?;
    ensure!(created.id.starts_with("conn_"), "{created:?}");
    assert_eq!(created.organization_id.as_deref(), Some(org.as_str()));
    assert_eq!(created.provider(), ConnectionProvider::Okta);
    assert_eq!(created.r#type(), ConnectionType::Oidc);
    assert_eq!(created.status(), ConnectionStatus::Draft);
    ensure!(!created.enabled, "{created:?}");

    let fetched = client
        .connections()
        .get_connection(&org, &created.id)
        .await?;
    assert_eq!(fetched.id, created.id);
    Ok(())
}

#[tokio::test]
async fn create_connection_without_provider_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let err = api_error(
        client
            .connections()
            .create_connection(
                &org,
                new_connection(ConnectionProvider::Unspecified, ConnectionType::Saml),
            )
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument(), "{err:?}");
    ensure!(client
        .connections()
        .list_connections(&org)
        .await?
        .is_empty());
    Ok(())
}

#[tokio::test]
async fn create_connection_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .connections()
            .create_connection(
                "org_404",
                new_connection(ConnectionProvider::Okta, ConnectionType::Saml),
            )
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn create_connection_rejects_invalid_organization_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", "  ", "org_1 ", "org/1"] {
        let result = client
            .connections()
            .create_connection(
                id,
                new_connection(ConnectionProvider::Okta, ConnectionType::Saml),
            )
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// delete_connection
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_connection_valid_removes_only_that_connection() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let doomed = connection(
        &client,
        &org,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    let kept = connection(
        &client,
        &org,
        ConnectionProvider::Google,
        ConnectionType::Oidc,
    )
    .await?;
    client
        .connections()
        .delete_connection(&org, &doomed)
        .await?;

    api_error(
        client.connections().get_connection(&org, &doomed).await,
        Code::NotFound,
    )?;
    let listed = client.connections().list_connections(&org).await?;
    assert_eq!(
        listed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [kept.as_str()]
    );
    Ok(())
}

#[tokio::test]
async fn delete_connection_of_another_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let other = organization(&client, "Other").await?;
    let id = connection(
        &client,
        &org,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    let err = api_error(
        client.connections().delete_connection(&other, &id).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    client.connections().get_connection(&org, &id).await?;
    Ok(())
}

#[tokio::test]
async fn delete_connection_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for (org, id, field) in [
        ("", "conn_1", "organization_id"),
        ("org/1", "conn_1", "organization_id"),
        ("org_1", "", "connection_id"),
        ("org_1", " conn_1", "connection_id"),
    ] {
        let result = client.connections().delete_connection(org, id).await;
        rejected_locally(&emulator, result, field)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// list_app_connections, list_app_connections_stream
// ---------------------------------------------------------------------------

/// Adds an app connection named `key_id` for `provider` to the emulator's
/// environment; returns its id.
fn app_connection(
    emulator: &scalekit_emulator::EmulatorHandle,
    provider: ConnectionProvider,
    key_id: &str,
) -> anyhow::Result<String> {
    Ok(
        emulator.add_app_connection(scalekit::proto::connections::Connection {
            provider: provider as i32,
            r#type: ConnectionType::Oauth as i32,
            key_id: Some(key_id.to_owned()),
            ..Default::default()
        })?,
    )
}

#[tokio::test]
async fn list_app_connections_lists_the_environments_not_organizations() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let sso = connection(
        &client,
        &org,
        ConnectionProvider::Okta,
        ConnectionType::Saml,
    )
    .await?;
    let gmail = app_connection(&emulator, ConnectionProvider::Google, "gmail_work")?;
    let slack = app_connection(&emulator, ConnectionProvider::Custom, "slack_ops")?;

    let page = client
        .connections()
        .list_app_connections(ListAppConnectionsOptions::default())
        .await?;
    let ids: Vec<&str> = page.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [gmail.as_str(), slack.as_str()]);
    ensure!(!ids.contains(&sso.as_str()));
    assert_eq!(page.total_size, 2);
    assert_eq!(page.next_page_token, None);
    assert_eq!(page.items[0].key_id, "gmail_work");
    assert_eq!(page.items[0].organization_id, "");

    let google = client
        .connections()
        .list_app_connections(ListAppConnectionsOptions::default().with_provider("google"))
        .await?;
    let ids: Vec<&str> = google.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [gmail.as_str()]);
    let slack_query = client
        .connections()
        .list_app_connections(ListAppConnectionsOptions::default().with_query("slack"))
        .await?;
    let ids: Vec<&str> = slack_query.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [slack.as_str()]);
    Ok(())
}

#[tokio::test]
async fn list_app_connections_pages_and_streams_every_page() -> anyhow::Result<()> {
    use futures::TryStreamExt as _;

    let (emulator, client) = start().await?;
    let mut all = Vec::new();
    for i in 0..5 {
        all.push(app_connection(
            &emulator,
            ConnectionProvider::Google,
            &format!("gmail_{i}"),
        )?);
    }
    let opts = ListAppConnectionsOptions::default().with_page_size(2);
    let first = client
        .connections()
        .list_app_connections(opts.clone())
        .await?;
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.total_size, 5);
    let token = first.next_page_token.clone().unwrap_or_default();
    ensure!(!token.is_empty(), "a second page");
    let second = client
        .connections()
        .list_app_connections(opts.clone().with_page_token(token))
        .await?;
    assert_eq!(second.items[0].id, all[2]);
    ensure!(second.prev_page_token.is_some());

    let before = emulator.rpc_count("ListAppConnections");
    let streamed: Vec<String> = client
        .connections()
        .list_app_connections_stream(opts)
        .map_ok(|c| c.id)
        .try_collect()
        .await?;
    assert_eq!(streamed, all);
    assert_eq!(
        emulator.rpc_count("ListAppConnections") - before,
        3,
        "pages of 2, 2 and 1"
    );
    Ok(())
}

#[tokio::test]
async fn list_app_connections_out_of_bounds_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let cases = [
        ListAppConnectionsOptions::default().with_page_size(31),
        ListAppConnectionsOptions::default().with_provider(""),
        ListAppConnectionsOptions::default().with_provider("p".repeat(51)),
        ListAppConnectionsOptions::default().with_query("ab"),
        ListAppConnectionsOptions::default().with_query("q".repeat(101)),
        ListAppConnectionsOptions::default().with_page_token("not-a-token"),
    ];
    for opts in cases {
        let err = api_error(
            client
                .connections()
                .list_app_connections(opts.clone())
                .await,
            Code::InvalidArgument,
        )?;
        ensure!(err.is_invalid_argument(), "{opts:?}: {err:?}");
    }
    Ok(())
}
