//! `client.organizations()` against a real `scalekit-emulator`: every facade
//! method succeeds with real round-trip semantics, maps a server error to
//! the right predicate, and rejects invalid arguments without any I/O.

mod common;

use common::{api_error, rejected_locally, start};
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use anyhow::ensure;
use futures::TryStreamExt as _;
use scalekit::organizations::{
    CreateOrganizationOptions, ListOrganizationOptions, Organization,
    OrganizationSessionPolicySettings, OrganizationSettings, OrganizationSettingsFeature,
    OrganizationUserManagementSettings, RegionCode, SearchOrganizationOptions, SessionPolicyType,
    TimeUnit, UpdateOrganization,
};
use scalekit::proto::organizations::GetPortalLinkRequest;
use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
use scalekit::{Code, ScalekitClient};

async fn create(client: &ScalekitClient, name: &str) -> anyhow::Result<Organization> {
    Ok(client
        .organizations()
        .create_organization(name, CreateOrganizationOptions::default())
        .await?)
}

fn user(email: &str) -> CreateUser {
    CreateUser {
        email: email.to_owned(),
        ..Default::default()
    }
}

fn no_invite() -> CreateUserAndMembershipOptions {
    CreateUserAndMembershipOptions::default().with_send_invitation_email(false)
}

// ---------------------------------------------------------------------------
// create_organization
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_organization_valid_round_trips_every_option() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let opts = CreateOrganizationOptions::default()
        .with_external_id("customer_12345")
        .with_metadata("plan", "enterprise")
        .with_region_code(RegionCode::Eu);
    let created = client
        .organizations()
        .create_organization("Acme Corp", opts)
        .await?;
    ensure!(created.id.starts_with("org_") && created.id.len() == 21);
    assert_eq!(created.display_name, "Acme Corp");
    assert_eq!(created.external_id.as_deref(), Some("customer_12345"));
    assert_eq!(created.metadata["plan"], "enterprise");
    assert_eq!(created.region_code, RegionCode::Eu as i32);
    ensure!(created.create_time.is_some() && created.update_time.is_some());

    let fetched = client.organizations().get_organization(&created.id).await?;
    assert_eq!(fetched, created);
    Ok(())
}

#[tokio::test]
async fn create_organization_empty_external_id_is_left_out() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let created = client
        .organizations()
        .create_organization(
            "Acme",
            CreateOrganizationOptions::default().with_external_id(""),
        )
        .await?;
    assert_eq!(created.external_id, None);
    Ok(())
}

#[tokio::test]
async fn create_organization_taken_external_id_is_conflict() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let opts = CreateOrganizationOptions::default().with_external_id("ext-1");
    client
        .organizations()
        .create_organization("First", opts.clone())
        .await?;
    let err = api_error(
        client
            .organizations()
            .create_organization("Second", opts)
            .await,
        Code::AlreadyExists,
    )?;
    ensure!(err.is_conflict());
    Ok(())
}

#[tokio::test]
async fn create_organization_rejects_blank_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for name in ["", "   "] {
        let result = client
            .organizations()
            .create_organization(name, CreateOrganizationOptions::default())
            .await;
        rejected_locally(&emulator, result, "name")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// list_organization, list_organization_stream
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_organization_pages_walk_every_organization_in_order() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(create(&client, &format!("Org {n}")).await?.id);
    }
    let organizations = client.organizations();
    let mut opts = ListOrganizationOptions::default().with_page_size(2);
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = organizations.list_organization(opts.clone()).await?;
        pages += 1;
        assert_eq!(page.total_size, 5);
        ensure!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|o| o.id.clone()));
        match page.next_page_token {
            Some(token) => opts = opts.with_page_token(token),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);
    Ok(())
}

#[tokio::test]
async fn list_organization_external_id_lists_only_that_organization() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create(&client, "Other").await?;
    let wanted = client
        .organizations()
        .create_organization(
            "Wanted",
            CreateOrganizationOptions::default().with_external_id("ext-w"),
        )
        .await?;
    let page = client
        .organizations()
        .list_organization(ListOrganizationOptions::default().with_external_id("ext-w"))
        .await?;
    assert_eq!(page.items, [wanted]);
    assert_eq!(page.total_size, 1);
    Ok(())
}

#[tokio::test]
async fn list_organization_oversized_page_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .organizations()
        .list_organization(ListOrganizationOptions::default().with_page_size(101))
        .await;
    let err = api_error(result, Code::InvalidArgument)?;
    ensure!(err.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn list_organization_stream_yields_every_organization_lazily() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let mut ids = Vec::new();
    for n in 0..25 {
        ids.push(create(&client, &format!("Org {n}")).await?.id);
    }
    let stream = client
        .organizations()
        .list_organization_stream(ListOrganizationOptions::default().with_page_size(10));
    assert_eq!(
        emulator.rpc_count("ListOrganization"),
        0,
        "nothing before polling"
    );
    let all: Vec<Organization> = stream.try_collect().await?;
    let streamed: Vec<String> = all.into_iter().map(|o| o.id).collect();
    assert_eq!(streamed, ids);
    assert_eq!(emulator.rpc_count("ListOrganization"), 3);
    Ok(())
}

#[tokio::test]
async fn list_organization_stream_bad_token_yields_one_error() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let results: Vec<scalekit::Result<Organization>> = futures::StreamExt::collect(
        client
            .organizations()
            .list_organization_stream(ListOrganizationOptions::default().with_page_token("nope!")),
    )
    .await;
    assert_eq!(results.len(), 1);
    let err = results.into_iter().next().expect("one item").unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidArgument));
    Ok(())
}

// ---------------------------------------------------------------------------
// get_organization, get_organization_by_external_id
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_organization_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .organizations()
            .get_organization("org_10000000000000099")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_organization_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", " ", " org_1", "org/1"] {
        let result = client.organizations().get_organization(id).await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn get_organization_by_external_id_valid_returns_it() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let created = client
        .organizations()
        .create_organization(
            "Acme",
            CreateOrganizationOptions::default().with_external_id("tenant/42"),
        )
        .await?;
    let fetched = client
        .organizations()
        .get_organization_by_external_id("tenant/42")
        .await?;
    assert_eq!(fetched.id, created.id);
    Ok(())
}

#[tokio::test]
async fn get_organization_by_external_id_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .organizations()
        .get_organization_by_external_id("nobody")
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_organization_by_external_id_rejects_blank_external_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let result = client
        .organizations()
        .get_organization_by_external_id("  ")
        .await;
    rejected_locally(&emulator, result, "external_id")
}

// ---------------------------------------------------------------------------
// update_organization, update_organization_by_external_id
// ---------------------------------------------------------------------------

#[tokio::test]
async fn update_organization_valid_changes_only_the_set_fields() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let created = client
        .organizations()
        .create_organization(
            "Acme",
            CreateOrganizationOptions::default()
                .with_external_id("ext-1")
                .with_metadata("plan", "free"),
        )
        .await?;
    let updated = client
        .organizations()
        .update_organization(
            &created.id,
            UpdateOrganization {
                display_name: Some("Acme Corp".to_owned()),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(updated.display_name, "Acme Corp");
    assert_eq!(updated.external_id.as_deref(), Some("ext-1"));
    assert_eq!(updated.metadata, created.metadata);
    assert_eq!(updated.create_time, created.create_time);

    let updated = client
        .organizations()
        .update_organization(
            &created.id,
            UpdateOrganization {
                metadata: HashMap::from([("tier".to_owned(), "gold".to_owned())]),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(updated.display_name, "Acme Corp");
    assert_eq!(
        updated.metadata,
        HashMap::from([("tier".to_owned(), "gold".to_owned())])
    );
    let fetched = client.organizations().get_organization(&created.id).await?;
    assert_eq!(fetched, updated);
    Ok(())
}

#[tokio::test]
async fn update_organization_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .organizations()
        .update_organization("org_10000000000000099", UpdateOrganization::default())
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn update_organization_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let result = client
        .organizations()
        .update_organization("org_1/x", UpdateOrganization::default())
        .await;
    rejected_locally(&emulator, result, "organization_id")
}

#[tokio::test]
async fn update_organization_by_external_id_valid_moves_the_external_id() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let created = client
        .organizations()
        .create_organization(
            "Acme",
            CreateOrganizationOptions::default().with_external_id("old"),
        )
        .await?;
    let updated = client
        .organizations()
        .update_organization_by_external_id(
            "old",
            UpdateOrganization {
                external_id: Some("new".to_owned()),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.external_id.as_deref(), Some("new"));
    let by_new = client
        .organizations()
        .get_organization_by_external_id("new")
        .await?;
    assert_eq!(by_new.id, created.id);
    let by_old = client
        .organizations()
        .get_organization_by_external_id("old")
        .await;
    ensure!(api_error(by_old, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn update_organization_by_external_id_taken_external_id_is_conflict() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    for ext in ["a", "b"] {
        client
            .organizations()
            .create_organization(
                ext,
                CreateOrganizationOptions::default().with_external_id(ext),
            )
            .await?;
    }
    let result = client
        .organizations()
        .update_organization_by_external_id(
            "a",
            UpdateOrganization {
                external_id: Some("b".to_owned()),
                ..Default::default()
            },
        )
        .await;
    ensure!(api_error(result, Code::AlreadyExists)?.is_conflict());
    Ok(())
}

#[tokio::test]
async fn update_organization_by_external_id_rejects_blank_external_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let result = client
        .organizations()
        .update_organization_by_external_id("", UpdateOrganization::default())
        .await;
    rejected_locally(&emulator, result, "external_id")
}

// ---------------------------------------------------------------------------
// delete_organization
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_organization_valid_removes_it_and_its_memberships() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let organization = create(&client, "Doomed").await?;
    let member = client
        .users()
        .create_user_and_membership(&organization.id, user("ada@example.com"), no_invite())
        .await?;
    client
        .organizations()
        .delete_organization(&organization.id)
        .await?;

    let result = client
        .organizations()
        .get_organization(&organization.id)
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    let member = client.users().get_user(&member.id).await?;
    ensure!(member.memberships.is_empty(), "{:?}", member.memberships);
    Ok(())
}

#[tokio::test]
async fn delete_organization_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .organizations()
        .delete_organization("org_10000000000000099")
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_organization_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let result = client.organizations().delete_organization("\t").await;
    rejected_locally(&emulator, result, "organization_id")
}

// ---------------------------------------------------------------------------
// generate_portal_link
// ---------------------------------------------------------------------------

#[tokio::test]
async fn generate_portal_link_valid_returns_a_one_minute_link() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let organization = create(&client, "Acme").await?;
    let link = client
        .organizations()
        .generate_portal_link(&organization.id)
        .await?;
    ensure!(link.id.starts_with("lnk_"), "{}", link.id);
    let prefix = format!("{}/magicLink/", emulator.env_url());
    ensure!(link.location.starts_with(&prefix), "{}", link.location);
    ensure!(link.location.len() > prefix.len());

    let expiry = SystemTime::try_from(link.expire_time.expect("an expiry"))?;
    let left = expiry.duration_since(SystemTime::now())?;
    ensure!(
        left > Duration::from_secs(50) && left <= Duration::from_secs(60),
        "{left:?}"
    );

    let second = client
        .organizations()
        .generate_portal_link(&organization.id)
        .await?;
    assert_ne!(second.id, link.id);
    assert_ne!(second.location, link.location);
    let links = client
        .raw()
        .organizations()
        .get_portal_links(GetPortalLinkRequest {
            id: organization.id.clone(),
        })
        .await?
        .into_inner()
        .links;
    assert_eq!(links, [link, second]);
    Ok(())
}

#[tokio::test]
async fn generate_portal_link_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .organizations()
        .generate_portal_link("org_10000000000000099")
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn generate_portal_link_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", "acme", "usr_1", "org_1/"] {
        let result = client.organizations().generate_portal_link(id).await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// update_organization_settings
// ---------------------------------------------------------------------------

fn feature(name: &str, enabled: bool) -> OrganizationSettingsFeature {
    OrganizationSettingsFeature {
        name: name.to_owned(),
        enabled,
    }
}

fn enabled(organization: &Organization, name: &str) -> Option<bool> {
    organization
        .settings
        .as_ref()?
        .features
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.enabled)
}

#[tokio::test]
async fn update_organization_settings_valid_switches_only_named_features() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let organization = create(&client, "Acme").await?;
    assert_eq!(enabled(&organization, "sso"), Some(false));
    let updated = client
        .organizations()
        .update_organization_settings(
            &organization.id,
            OrganizationSettings {
                features: vec![feature("sso", true)],
            },
        )
        .await?;
    assert_eq!(enabled(&updated, "sso"), Some(true));
    assert_eq!(enabled(&updated, "dir_sync"), Some(false));
    let fetched = client
        .organizations()
        .get_organization(&organization.id)
        .await?;
    assert_eq!(enabled(&fetched, "sso"), Some(true));
    Ok(())
}

#[tokio::test]
async fn update_organization_settings_unknown_feature_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let organization = create(&client, "Acme").await?;
    let result = client
        .organizations()
        .update_organization_settings(
            &organization.id,
            OrganizationSettings {
                features: vec![feature("teleport", true)],
            },
        )
        .await;
    ensure!(api_error(result, Code::InvalidArgument)?.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn update_organization_settings_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .organizations()
        .update_organization_settings("org_10000000000000099", OrganizationSettings::default())
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn update_organization_settings_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let result = client
        .organizations()
        .update_organization_settings("acme", OrganizationSettings::default())
        .await;
    rejected_locally(&emulator, result, "organization_id")
}

// ---------------------------------------------------------------------------
// upsert_user_management_settings
// ---------------------------------------------------------------------------

fn limit(max: Option<i32>) -> OrganizationUserManagementSettings {
    OrganizationUserManagementSettings {
        max_allowed_users: max,
    }
}

#[tokio::test]
async fn upsert_user_management_settings_valid_limits_members() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let organization = create(&client, "Small").await?;
    let settings = client
        .organizations()
        .upsert_user_management_settings(&organization.id, limit(Some(1)))
        .await?;
    assert_eq!(settings, limit(Some(1)));

    client
        .users()
        .create_user_and_membership(&organization.id, user("one@example.com"), no_invite())
        .await?;
    let result = client
        .users()
        .create_user_and_membership(&organization.id, user("two@example.com"), no_invite())
        .await;
    api_error(result, Code::FailedPrecondition)?;

    // An unset limit removes it.
    let settings = client
        .organizations()
        .upsert_user_management_settings(&organization.id, limit(None))
        .await?;
    assert_eq!(settings, limit(None));
    client
        .users()
        .create_user_and_membership(&organization.id, user("two@example.com"), no_invite())
        .await?;
    Ok(())
}

#[tokio::test]
async fn upsert_user_management_settings_negative_limit_is_invalid_argument() -> anyhow::Result<()>
{
    let (_emulator, client) = start().await?;
    let organization = create(&client, "Acme").await?;
    let result = client
        .organizations()
        .upsert_user_management_settings(&organization.id, limit(Some(-1)))
        .await;
    ensure!(api_error(result, Code::InvalidArgument)?.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn upsert_user_management_settings_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .organizations()
        .upsert_user_management_settings("org_10000000000000099", limit(Some(5)))
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn upsert_user_management_settings_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let result = client
        .organizations()
        .upsert_user_management_settings(" org_1", limit(Some(5)))
        .await;
    rejected_locally(&emulator, result, "organization_id")
}

// ---------------------------------------------------------------------------
// create_organization: slug and logo URL (2.11.0)
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_organization_slug_and_logo_url_round_trip() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let opts = CreateOrganizationOptions::default()
        .with_slug("acme")
        .with_logo_url("https://cdn.example.com/acme.png");
    let created = client
        .organizations()
        .create_organization("Acme", opts)
        .await?;
    assert_eq!(created.slug.as_deref(), Some("acme"));
    assert_eq!(
        created.logo_url.as_deref(),
        Some("https://cdn.example.com/acme.png")
    );
    let fetched = client.organizations().get_organization(&created.id).await?;
    assert_eq!(fetched, created);

    // Empty ones are not sent, so the organization has none.
    let plain = client
        .organizations()
        .create_organization(
            "Plain",
            CreateOrganizationOptions::default()
                .with_slug("")
                .with_logo_url(""),
        )
        .await?;
    assert_eq!((plain.slug, plain.logo_url), (None, None));
    Ok(())
}

// ---------------------------------------------------------------------------
// search_organization, search_organization_stream
// ---------------------------------------------------------------------------

#[tokio::test]
async fn search_organization_matches_name_id_and_external_id() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = create(&client, "Acme Corp").await?;
    let tagged = client
        .organizations()
        .create_organization(
            "Globex",
            CreateOrganizationOptions::default().with_external_id("ACME-partner"),
        )
        .await?;
    let other = create(&client, "Initech").await?;

    let page = client
        .organizations()
        .search_organization("acme", SearchOrganizationOptions::default())
        .await?;
    let ids: Vec<&str> = page.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [acme.id.as_str(), tagged.id.as_str()]);
    assert_eq!(page.total_size, 2);
    assert_eq!(page.next_page_token, None);

    let by_id = client
        .organizations()
        .search_organization(&other.id, SearchOrganizationOptions::default())
        .await?;
    assert_eq!(by_id.items, [other]);
    Ok(())
}

#[tokio::test]
async fn search_organization_stream_walks_every_page() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let mut expected = Vec::new();
    for n in 0..5 {
        expected.push(create(&client, &format!("Acme {n}")).await?.id);
    }
    create(&client, "Globex").await?;
    let before = emulator.rpc_count("SearchOrganization");

    let found: Vec<String> = client
        .organizations()
        .search_organization_stream(
            "acme",
            SearchOrganizationOptions::default().with_page_size(2),
        )
        .map_ok(|o| o.id)
        .try_collect()
        .await?;
    assert_eq!(found, expected);
    assert_eq!(emulator.rpc_count("SearchOrganization") - before, 3);
    Ok(())
}

#[tokio::test]
async fn search_organization_short_query_is_invalid_argument() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    create(&client, "Acme").await?;
    let err = api_error(
        client
            .organizations()
            .search_organization("ac", SearchOrganizationOptions::default())
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument());
    // The server, not the SDK, refused it.
    assert_eq!(emulator.rpc_count("SearchOrganization"), 1);
    Ok(())
}

#[tokio::test]
async fn search_organization_rejects_blank_query() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for query in ["", "   "] {
        let result = client
            .organizations()
            .search_organization(query, SearchOrganizationOptions::default())
            .await;
        rejected_locally(&emulator, result, "query")?;
    }
    let mut stream = std::pin::pin!(client
        .organizations()
        .search_organization_stream(" ", SearchOrganizationOptions::default()));
    let first = stream.try_next().await;
    rejected_locally(&emulator, first, "query")?;
    ensure!(stream.try_next().await?.is_none());
    Ok(())
}

// ---------------------------------------------------------------------------
// get_organization_user_management_setting
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_organization_user_management_setting_returns_the_upserted_limit() -> anyhow::Result<()>
{
    let (_emulator, client) = start().await?;
    let org = create(&client, "Acme").await?;
    let organizations = client.organizations();

    let unset = organizations
        .get_organization_user_management_setting(&org.id)
        .await?;
    assert_eq!(unset, limit(None));

    organizations
        .upsert_user_management_settings(&org.id, limit(Some(25)))
        .await?;
    let set = organizations
        .get_organization_user_management_setting(&org.id)
        .await?;
    assert_eq!(set, limit(Some(25)));
    Ok(())
}

#[tokio::test]
async fn get_organization_user_management_setting_unknown_organization_is_not_found(
) -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .organizations()
            .get_organization_user_management_setting("org_404")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_organization_user_management_setting_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", " org_1", "org_1/x", "acme"] {
        let result = client
            .organizations()
            .get_organization_user_management_setting(id)
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// get_organization_session_policy, update_organization_session_policy
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_organization_session_policy_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", "org_1 ", "org/1", "usr_1"] {
        let result = client
            .organizations()
            .get_organization_session_policy(id)
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn update_organization_session_policy_rejects_invalid_policy() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let custom = OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Custom as i32,
        absolute_session_timeout: Some(8),
        absolute_session_timeout_unit: Some(TimeUnit::Hours as i32),
        ..Default::default()
    };
    let application = OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Application as i32,
        ..Default::default()
    };
    let cases = [
        ("acme", custom, "organization_id"),
        (
            "org_1",
            OrganizationSessionPolicySettings {
                policy_source: SessionPolicyType::Unspecified as i32,
                ..custom
            },
            "policy_source",
        ),
        (
            "org_1",
            OrganizationSessionPolicySettings {
                absolute_session_timeout: None,
                ..custom
            },
            "absolute_session_timeout",
        ),
        (
            "org_1",
            OrganizationSessionPolicySettings {
                idle_session_timeout_unit: Some(TimeUnit::SessionTimeUnitUnspecified as i32),
                ..custom
            },
            "idle_session_timeout_unit",
        ),
        (
            "org_1",
            OrganizationSessionPolicySettings {
                idle_session_timeout: Some(30),
                ..application
            },
            "idle_session_timeout",
        ),
    ];
    for (org, policy, field) in cases {
        let result = client
            .organizations()
            .update_organization_session_policy(org, policy)
            .await;
        rejected_locally(&emulator, result, field)?;
    }
    Ok(())
}

/// A CUSTOM session policy with an absolute timeout of `value` in `unit`.
fn custom_session_policy(value: i32, unit: TimeUnit) -> OrganizationSessionPolicySettings {
    OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Custom as i32,
        absolute_session_timeout: Some(value),
        absolute_session_timeout_unit: Some(unit as i32),
        ..Default::default()
    }
}

#[tokio::test]
async fn get_organization_session_policy_new_organization_follows_application() -> anyhow::Result<()>
{
    let (_emulator, client) = start().await?;
    let org = create(&client, "Acme").await?;
    let policy = client
        .organizations()
        .get_organization_session_policy(&org.id)
        .await?;
    assert_eq!(policy.policy_source(), SessionPolicyType::Application);
    assert_eq!(policy.absolute_session_timeout, None);
    assert_eq!(policy.idle_session_timeout_enabled, None);
    assert_eq!(policy.idle_session_timeout, None);
    Ok(())
}

#[tokio::test]
async fn update_organization_session_policy_custom_is_kept_in_minutes() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = create(&client, "Acme").await?;
    let custom = OrganizationSessionPolicySettings {
        idle_session_timeout_enabled: Some(true),
        idle_session_timeout: Some(30),
        idle_session_timeout_unit: Some(TimeUnit::Minutes as i32),
        ..custom_session_policy(8, TimeUnit::Hours)
    };
    let updated = client
        .organizations()
        .update_organization_session_policy(&org.id, custom)
        .await?;
    let expected = OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Custom as i32,
        absolute_session_timeout: Some(480),
        absolute_session_timeout_unit: Some(TimeUnit::Minutes as i32),
        idle_session_timeout_enabled: Some(true),
        idle_session_timeout: Some(30),
        idle_session_timeout_unit: Some(TimeUnit::Minutes as i32),
    };
    assert_eq!(updated, expected);
    let read = client
        .organizations()
        .get_organization_session_policy(&org.id)
        .await?;
    assert_eq!(read, expected);
    Ok(())
}

#[tokio::test]
async fn update_organization_session_policy_application_reverts_a_custom_one() -> anyhow::Result<()>
{
    let (_emulator, client) = start().await?;
    let org = create(&client, "Acme").await?;
    let organizations = client.organizations();
    organizations
        .update_organization_session_policy(&org.id, custom_session_policy(2, TimeUnit::Days))
        .await?;
    let application = OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Application as i32,
        ..Default::default()
    };
    let reverted = organizations
        .update_organization_session_policy(&org.id, application)
        .await?;
    assert_eq!(reverted, application);
    assert_eq!(
        organizations
            .get_organization_session_policy(&org.id)
            .await?,
        application
    );
    Ok(())
}

#[tokio::test]
async fn update_organization_session_policy_too_short_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = create(&client, "Acme").await?;
    // Not longer than an access token lives: the server refuses it.
    let err = api_error(
        client
            .organizations()
            .update_organization_session_policy(
                &org.id,
                custom_session_policy(5, TimeUnit::Minutes),
            )
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument(), "{err:?}");
    let policy = client
        .organizations()
        .get_organization_session_policy(&org.id)
        .await?;
    assert_eq!(policy.policy_source(), SessionPolicyType::Application);
    Ok(())
}

#[tokio::test]
async fn organization_session_policy_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let missing = "org_10000000000009999";
    let err = api_error(
        client
            .organizations()
            .get_organization_session_policy(missing)
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found(), "{err:?}");
    let err = api_error(
        client
            .organizations()
            .update_organization_session_policy(missing, custom_session_policy(8, TimeUnit::Hours))
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn organization_session_policy_is_dropped_with_its_organization() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = create(&client, "Doomed").await?;
    let organizations = client.organizations();
    organizations
        .update_organization_session_policy(&org.id, custom_session_policy(8, TimeUnit::Hours))
        .await?;
    organizations.delete_organization(&org.id).await?;
    let err = api_error(
        organizations.get_organization_session_policy(&org.id).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found(), "{err:?}");
    Ok(())
}

// ---------------------------------------------------------------------------
// update_organization: slug and logo URL (2.11.0)
// ---------------------------------------------------------------------------

#[tokio::test]
async fn update_organization_slug_and_logo_url_set_and_clear() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = create(&client, "Acme").await?;
    let logo = "https://cdn.example.com/acme.png";
    let set = client
        .organizations()
        .update_organization(
            &org.id,
            UpdateOrganization {
                slug: Some("acme".to_owned()),
                logo_url: Some(logo.to_owned()),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(set.slug.as_deref(), Some("acme"));
    assert_eq!(set.logo_url.as_deref(), Some(logo));
    assert_eq!(client.organizations().get_organization(&org.id).await?, set);

    // The facade sends an empty slug, and the server clears it; the logo
    // URL, not sent, stays.
    let cleared = client
        .organizations()
        .update_organization(
            &org.id,
            UpdateOrganization {
                slug: Some(String::new()),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(cleared.slug, None);
    assert_eq!(cleared.logo_url.as_deref(), Some(logo));
    Ok(())
}

#[tokio::test]
async fn update_organization_rejected_slug_or_logo_url_maps_to_invalid_argument(
) -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = create(&client, "Acme").await?;
    let bad_slug = UpdateOrganization {
        slug: Some("Not A Hostname".to_owned()),
        ..Default::default()
    };
    let result = client
        .organizations()
        .update_organization(&org.id, bad_slug)
        .await;
    let err = api_error(result, Code::InvalidArgument)?;
    let field = err
        .api()
        .and_then(|a| a.field_violations().next().map(|v| v.field.clone()));
    ensure!(field.as_deref() == Some("slug"), "{err:?}");
    let plain_http = UpdateOrganization {
        logo_url: Some("http://cdn.example.com/acme.png".to_owned()),
        ..Default::default()
    };
    let result = client
        .organizations()
        .update_organization(&org.id, plain_http)
        .await;
    let err = api_error(result, Code::InvalidArgument)?;
    let field = err
        .api()
        .and_then(|a| a.field_violations().next().map(|v| v.field.clone()));
    ensure!(field.as_deref() == Some("logo_url"), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn update_organization_slug_of_another_organization_is_conflict() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let opts = CreateOrganizationOptions::default().with_slug("acme");
    client
        .organizations()
        .create_organization("Acme", opts)
        .await?;
    let other = create(&client, "Other").await?;
    let result = client
        .organizations()
        .update_organization(
            &other.id,
            UpdateOrganization {
                slug: Some("acme".to_owned()),
                ..Default::default()
            },
        )
        .await;
    let err = api_error(result, Code::AlreadyExists)?;
    ensure!(err.is_conflict(), "{err:?}");
    Ok(())
}
