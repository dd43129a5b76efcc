//! `client.organization_clients()` against the emulator, and the
//! credentials the clients get: `generate_client_token` with a client's
//! secret, the token checked with `validate_token`, and a removed secret
//! refused at the token endpoint.

mod common;

use anyhow::{bail, ensure, Context as _};
use futures::TryStreamExt as _;
use scalekit::oidc::{AccessTokenClaims, TokenValidationOptions};
use scalekit::organization_clients::{
    CreateOrganizationClientOptions, ListOrganizationClientsOptions, M2mClient,
    UpdateOrganizationClientOptions,
};
use scalekit::{Code, Error, TokenError};

use common::{api_error, invalid_ids, organization, rejected_locally, start};

fn no_plain_secrets(client: &M2mClient) -> bool {
    client.secrets.iter().all(|s| s.plain_secret.is_none())
}

#[tokio::test]
async fn create_organization_client_returns_the_secret_once_and_debug_hides_it(
) -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let opts = CreateOrganizationClientOptions::default()
        .with_name("billing-sync")
        .with_description("Nightly invoice export")
        .with_custom_claim("team", "billing")
        .with_audience(["https://api.acme.example"])
        .with_scopes(["invoices:read"]);
    let created = client
        .organization_clients()
        .create_organization_client(&org, opts)
        .await?;
    ensure!(created.client.client_id.starts_with("m2morg_"));
    ensure!(created.client.organization_id == org);
    ensure!(created.client.name == "billing-sync");
    ensure!(created.client.description == "Nightly invoice export");
    ensure!(created.client.custom_claims[0].key == "team");
    ensure!(created.client.audience == ["https://api.acme.example"]);
    ensure!(created.client.scopes == ["invoices:read"]);
    ensure!(no_plain_secrets(&created.client), "{:?}", created.client);
    let secret = created.client.secrets.first().context("a first secret")?;
    ensure!(created.plain_secret.ends_with(&secret.secret_suffix));
    let shown = format!("{created:?}");
    ensure!(
        !shown.contains(&created.plain_secret) && shown.contains(&secret.id),
        "{shown}"
    );
    Ok(())
}

#[tokio::test]
async fn create_organization_client_for_an_unknown_organization_is_not_found() -> anyhow::Result<()>
{
    let (_emulator, client) = start().await?;
    let result = client
        .organization_clients()
        .create_organization_client(
            "org_10000000000009999",
            CreateOrganizationClientOptions::default(),
        )
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    let too_long = CreateOrganizationClientOptions::default().with_name("n".repeat(129));
    let org = organization(&client, "Acme").await?;
    let result = client
        .organization_clients()
        .create_organization_client(&org, too_long)
        .await;
    api_error(result, Code::InvalidArgument)?;
    Ok(())
}

#[tokio::test]
async fn get_update_and_list_return_clients_without_secret_values() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let clients = client.organization_clients();
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let opts = CreateOrganizationClientOptions::default().with_name(name);
        let created = clients.create_organization_client(&org, opts).await?;
        ids.push((created.client.client_id, created.plain_secret));
    }
    let (b_id, b_secret) = &ids[1];
    let got = clients.get_organization_client(&org, b_id).await?;
    ensure!(got.name == "b" && got.secrets.len() == 1 && no_plain_secrets(&got));
    ensure!(!format!("{got:?}").contains(b_secret.as_str()));

    let opts = UpdateOrganizationClientOptions::default().with_scopes(["x:read"]);
    let updated = clients.update_organization_client(&org, b_id, opts).await?;
    ensure!(updated.scopes == ["x:read"] && updated.name == "b" && no_plain_secrets(&updated));
    let reread = clients.get_organization_client(&org, b_id).await?;
    ensure!(reread.scopes == ["x:read"], "{reread:?}");

    let opts = ListOrganizationClientsOptions::default().with_page_size(2);
    let page = clients
        .list_organization_clients(&org, opts.clone())
        .await?;
    ensure!(page.items.len() == 2 && page.total_size == 3 && page.has_next());
    ensure!(page.items.iter().all(no_plain_secrets));
    let all: Vec<M2mClient> = clients
        .list_organization_clients_stream(&org, opts)
        .try_collect()
        .await?;
    let names: Vec<_> = all.iter().map(|c| c.name.as_str()).collect();
    ensure!(names == ["a", "b", "c"], "{names:?}");
    ensure!(all.iter().all(no_plain_secrets));
    Ok(())
}

#[tokio::test]
async fn secrets_can_be_added_and_removed() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let clients = client.organization_clients();
    let created = clients
        .create_organization_client(&org, CreateOrganizationClientOptions::default())
        .await?;
    let id = created.client.client_id.clone();
    let added = clients.add_organization_client_secret(&org, &id).await?;
    ensure!(!added.plain_secret.is_empty());
    ensure!(added.plain_secret != created.plain_secret);
    ensure!(added.plain_secret.ends_with(&added.secret.secret_suffix));
    ensure!(added.secret.plain_secret.is_none());
    ensure!(!format!("{added:?}").contains(&added.plain_secret));

    let first = created.client.secrets.first().context("a first secret")?;
    clients
        .remove_organization_client_secret(&org, &id, &first.id)
        .await?;
    let after = clients.get_organization_client(&org, &id).await?;
    let ids: Vec<_> = after.secrets.iter().map(|s| s.id.as_str()).collect();
    ensure!(ids == [added.secret.id.as_str()], "{ids:?}");
    let again = clients
        .remove_organization_client_secret(&org, &id, &first.id)
        .await;
    api_error(again, Code::NotFound)?;
    // A client keeps at least one secret.
    let last = clients
        .remove_organization_client_secret(&org, &id, &added.secret.id)
        .await;
    api_error(last, Code::FailedPrecondition)?;
    Ok(())
}

#[tokio::test]
async fn a_deleted_client_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let other = organization(&client, "Globex").await?;
    let clients = client.organization_clients();
    let created = clients
        .create_organization_client(&org, CreateOrganizationClientOptions::default())
        .await?;
    let id = created.client.client_id;
    // Another organization's id does not reach the client.
    api_error(
        clients.get_organization_client(&other, &id).await,
        Code::NotFound,
    )?;
    api_error(
        clients.delete_organization_client(&other, &id).await,
        Code::NotFound,
    )?;
    clients.delete_organization_client(&org, &id).await?;
    let err = api_error(
        clients.get_organization_client(&org, &id).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    api_error(
        clients.delete_organization_client(&org, &id).await,
        Code::NotFound,
    )?;
    Ok(())
}

/// The status and OAuth error of a token endpoint refusal.
fn token_refusal(result: scalekit::Result<String>) -> anyhow::Result<(u16, Option<String>)> {
    match result {
        Err(Error::Auth(TokenError::Status { status, error, .. })) => Ok((status, error)),
        Err(other) => bail!("expected a token endpoint refusal, got {other:?}"),
        Ok(_) => bail!("expected a token endpoint refusal, got a token"),
    }
}

#[tokio::test]
async fn a_client_secret_gets_a_token_that_validates_until_the_secret_is_removed(
) -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let clients = client.organization_clients();
    let opts = CreateOrganizationClientOptions::default()
        .with_name("billing-sync")
        .with_scopes(["invoices:read"])
        .with_audience(["https://api.acme.example"])
        .with_custom_claim("team", "billing");
    let created = clients.create_organization_client(&org, opts).await?;
    let id = created.client.client_id.clone();

    let token = client
        .generate_client_token(&id, &created.plain_secret)
        .await?;
    let checks = TokenValidationOptions::default()
        .with_issuer(client.env_url())
        .with_audience(["https://api.acme.example"])
        .with_required_scopes(["invoices:read"]);
    let claims: AccessTokenClaims = client.validate_token(&token, checks).await?;
    ensure!(
        claims.client_id.as_deref() == Some(id.as_str()),
        "{claims:?}"
    );
    ensure!(claims.oid.as_deref() == Some(org.as_str()), "{claims:?}");
    ensure!(claims.sub == id && claims.scopes == ["invoices:read"]);
    ensure!(
        claims.extra["custom_claims"] == serde_json::json!({ "team": "billing" }),
        "{:?}",
        claims.extra
    );

    // Rotate: a second secret, then the first one goes.
    let added = clients.add_organization_client_secret(&org, &id).await?;
    let first = created.client.secrets.first().context("a first secret")?;
    clients
        .remove_organization_client_secret(&org, &id, &first.id)
        .await?;
    let refused = client
        .generate_client_token(&id, &created.plain_secret)
        .await;
    let (status, error) = token_refusal(refused)?;
    ensure!(status == 401 && error.as_deref() == Some("invalid_client"));
    let fresh = client
        .generate_client_token(&id, &added.plain_secret)
        .await?;
    let _: AccessTokenClaims = client
        .validate_token(&fresh, TokenValidationOptions::default())
        .await?;

    // A deleted client's secrets stop working too.
    clients.delete_organization_client(&org, &id).await?;
    let (status, _) = token_refusal(client.generate_client_token(&id, &added.plain_secret).await)?;
    ensure!(status == 401, "{status}");
    Ok(())
}

#[tokio::test]
async fn organization_client_methods_reject_bad_ids_before_any_request() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let clients = client.organization_clients();
    let mut bad_orgs = invalid_ids("org").to_vec();
    bad_orgs.push("usr_1".to_owned());
    for org in &bad_orgs {
        let created = clients
            .create_organization_client(org, CreateOrganizationClientOptions::default())
            .await;
        rejected_locally(&emulator, created, "organization_id")?;
        let listed = clients
            .list_organization_clients(org, ListOrganizationClientsOptions::default())
            .await;
        rejected_locally(&emulator, listed, "organization_id")?;
        let got = clients.get_organization_client(org, "m2morg_1").await;
        rejected_locally(&emulator, got, "organization_id")?;
    }
    let mut bad_clients = invalid_ids("m2morg").to_vec();
    bad_clients.push("skc_1".to_owned());
    for id in &bad_clients {
        let got = clients.get_organization_client("org_1", id).await;
        rejected_locally(&emulator, got, "client_id")?;
        let opts = UpdateOrganizationClientOptions::default();
        let updated = clients.update_organization_client("org_1", id, opts).await;
        rejected_locally(&emulator, updated, "client_id")?;
        let deleted = clients.delete_organization_client("org_1", id).await;
        rejected_locally(&emulator, deleted, "client_id")?;
        let added = clients.add_organization_client_secret("org_1", id).await;
        rejected_locally(&emulator, added, "client_id")?;
    }
    for id in invalid_ids("sec") {
        let removed = clients
            .remove_organization_client_secret("org_1", "m2morg_1", &id)
            .await;
        rejected_locally(&emulator, removed, "secret_id")?;
    }
    Ok(())
}
