//! `client.domains()` against a real `scalekit-emulator`: every facade
//! method succeeds with real round-trip semantics, maps a server error to
//! the right predicate, and rejects invalid arguments without any I/O.

mod common;

use common::{api_error, organization, rejected_locally, start};

use anyhow::{ensure, Context as _};
use scalekit::domains::{CreateDomainOptions, DomainType, ListDomainsOptions, VerificationStatus};
use scalekit::{Code, Error};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn names(domains: &[scalekit::domains::Domain]) -> Vec<&str> {
    domains.iter().map(|d| d.domain.as_str()).collect()
}

// ---------------------------------------------------------------------------
// create_domain
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_domain_with_type_returns_a_pending_domain() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let domain = client
        .domains()
        .create_domain(
            &org,
            "Acme.com",
            CreateDomainOptions::default().with_domain_type(DomainType::AllowedEmailDomain),
        )
        .await?;
    ensure!(domain.id.starts_with("dom_"), "{domain:?}");
    ensure!(domain.domain == "acme.com", "{}", domain.domain);
    ensure!(domain.organization_id == org);
    ensure!(domain.domain_type() == DomainType::AllowedEmailDomain);
    ensure!(domain.verification_status() == VerificationStatus::Pending);
    ensure!(!domain.txt_record_key.is_empty() && !domain.txt_record_secret.is_empty());
    ensure!(domain.create_time.is_some() && domain.environment_id.starts_with("env_"));
    Ok(())
}

#[tokio::test]
async fn create_domain_without_type_is_an_organization_domain() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let domain = client
        .domains()
        .create_domain(&org, "acme.com", CreateDomainOptions::default())
        .await?;
    ensure!(domain.domain_type() == DomainType::OrganizationDomain);
    Ok(())
}

#[tokio::test]
async fn create_domain_duplicate_name_is_a_conflict() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let domains = client.domains();
    domains
        .create_domain(&acme, "acme.com", CreateDomainOptions::default())
        .await?;
    for org in [&acme, &globex] {
        let err = api_error(
            domains
                .create_domain(org, "ACME.com", CreateDomainOptions::default())
                .await,
            Code::AlreadyExists,
        )?;
        ensure!(err.is_conflict(), "{err:?}");
    }
    Ok(())
}

#[tokio::test]
async fn create_domain_public_or_malformed_domain_is_invalid() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    for name in ["gmail.com", "not a domain", "localhost"] {
        let err = api_error(
            client
                .domains()
                .create_domain(&org, name, CreateDomainOptions::default())
                .await,
            Code::InvalidArgument,
        )?;
        let field = err
            .api()
            .and_then(|a| a.field_violations().next().map(|v| v.field.clone()));
        ensure!(field.as_deref() == Some("domain.domain"), "{name}: {err:?}");
    }
    Ok(())
}

#[tokio::test]
async fn create_domain_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .domains()
            .create_domain(
                "org_10000000000009999",
                "acme.com",
                CreateDomainOptions::default(),
            )
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn create_domain_rejects_invalid_arguments() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let domains = client.domains();
    rejected_locally(
        &emulator,
        domains
            .create_domain("", "acme.com", CreateDomainOptions::default())
            .await,
        "organization_id",
    )?;
    rejected_locally(
        &emulator,
        domains
            .create_domain("org_1", " ", CreateDomainOptions::default())
            .await,
        "name",
    )?;
    rejected_locally(
        &emulator,
        domains
            .create_domain(
                "org_1",
                "acme.com",
                CreateDomainOptions::default().with_domain_type(3),
            )
            .await,
        "domain_type",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// get_domain
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_domain_existing_returns_what_was_created() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let created = client
        .domains()
        .create_domain(&org, "acme.com", CreateDomainOptions::default())
        .await?;
    let got = client.domains().get_domain(&org, &created.id).await?;
    ensure!(got == created, "{got:?} != {created:?}");
    Ok(())
}

#[tokio::test]
async fn get_domain_of_another_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let created = client
        .domains()
        .create_domain(&acme, "acme.com", CreateDomainOptions::default())
        .await?;
    let err = api_error(
        client.domains().get_domain(&globex, &created.id).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_domain_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    rejected_locally(
        &emulator,
        client.domains().get_domain("org_1", "").await,
        "domain_id",
    )?;
    rejected_locally(
        &emulator,
        client.domains().get_domain("org/1", "dom_1").await,
        "organization_id",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// list_domains
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_domains_filters_by_type() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let domains = client.domains();
    let allowed = CreateDomainOptions::default().with_domain_type(DomainType::AllowedEmailDomain);
    domains
        .create_domain(&acme, "acme.com", CreateDomainOptions::default())
        .await?;
    domains
        .create_domain(&acme, "acme.io", allowed.clone())
        .await?;
    domains
        .create_domain(&globex, "globex.com", allowed)
        .await?;

    let all = domains
        .list_domains(&acme, ListDomainsOptions::default())
        .await?;
    ensure!(names(&all) == ["acme.com", "acme.io"], "{:?}", names(&all));
    let only = |t: DomainType| ListDomainsOptions::default().with_domain_type(t);
    let routing = domains
        .list_domains(&acme, only(DomainType::OrganizationDomain))
        .await?;
    ensure!(names(&routing) == ["acme.com"], "{:?}", names(&routing));
    let allowed = domains
        .list_domains(&acme, only(DomainType::AllowedEmailDomain))
        .await?;
    ensure!(names(&allowed) == ["acme.io"], "{:?}", names(&allowed));
    let unspecified = domains
        .list_domains(&acme, only(DomainType::Unspecified))
        .await?;
    ensure!(unspecified.len() == 2);
    Ok(())
}

#[tokio::test]
async fn list_domains_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .domains()
            .list_domains("org_10000000000009999", ListDomainsOptions::default())
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_domains_unknown_type_fails_without_io() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    rejected_locally(
        &emulator,
        client
            .domains()
            .list_domains("org_1", ListDomainsOptions::default().with_domain_type(42))
            .await,
        "domain_type",
    )?;
    rejected_locally(
        &emulator,
        client
            .domains()
            .list_domains("", ListDomainsOptions::default())
            .await,
        "organization_id",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// delete_domain
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_domain_removes_it_and_frees_the_name() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let domains = client.domains();
    let created = domains
        .create_domain(&org, "acme.com", CreateDomainOptions::default())
        .await?;
    domains.delete_domain(&org, &created.id).await?;
    ensure!(domains
        .list_domains(&org, ListDomainsOptions::default())
        .await?
        .is_empty());
    api_error(domains.get_domain(&org, &created.id).await, Code::NotFound)?;
    let again = api_error(
        domains.delete_domain(&org, &created.id).await,
        Code::NotFound,
    )?;
    ensure!(again.is_not_found());
    domains
        .create_domain(&org, "acme.com", CreateDomainOptions::default())
        .await
        .context("the name is free again")?;
    Ok(())
}

#[tokio::test]
async fn delete_domain_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    rejected_locally(
        &emulator,
        client.domains().delete_domain("org_1", "dom/1").await,
        "domain_id",
    )?;
    rejected_locally(
        &emulator,
        client.domains().delete_domain("", "dom_1").await,
        "organization_id",
    )?;
    Ok(())
}

#[tokio::test]
async fn list_domains_stream_walks_every_page_lazily() -> anyhow::Result<()> {
    use futures::TryStreamExt as _;

    let (emulator, client) = start().await?;
    let org = organization(&client, "Many Domains").await?;
    for n in 0..7 {
        client
            .domains()
            .create_domain(
                &org,
                &format!("d{n}.many.example"),
                CreateDomainOptions::default(),
            )
            .await?;
    }
    let before = emulator.rpc_count("ListDomains");

    let page = client
        .domains()
        .list_domains(
            &org,
            ListDomainsOptions::default()
                .with_page_size(3)
                .with_page_number(3),
        )
        .await?;
    ensure!(
        page.len() == 1,
        "the third page of three holds the seventh domain"
    );

    let mut stream = Box::pin(
        client
            .domains()
            .list_domains_stream(&org, ListDomainsOptions::default().with_page_size(3)),
    );
    let first = stream.try_next().await?.context("a first domain")?;
    ensure!(first.domain == "d0.many.example", "{}", first.domain);
    ensure!(
        emulator.rpc_count("ListDomains") == before + 2,
        "one page fetched so far"
    );
    let rest: Vec<_> = stream.try_collect().await?;
    ensure!(rest.len() == 6, "{} more", rest.len());
    ensure!(
        emulator.rpc_count("ListDomains") == before + 4,
        "pages of 3, 3 and 1"
    );

    let invalid = client
        .domains()
        .list_domains_stream("", ListDomainsOptions::default())
        .try_collect::<Vec<_>>()
        .await;
    ensure!(matches!(
        invalid,
        Err(Error::InvalidArgument {
            field: "organization_id",
            ..
        })
    ));
    Ok(())
}
