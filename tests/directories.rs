//! `client.directories()` against a real `scalekit-emulator`: every facade
//! method succeeds with real round-trip semantics, maps a server error to
//! the right predicate, and rejects invalid arguments without any I/O.
//! Directories are created with the facade's `create_directory` (wrapped
//! since 2.11.0); their users and groups, which SCIM provisions in a real
//! environment, are added with the emulator's test-setup methods.

mod common;

use common::{api_error, organization, rejected_locally, start};
use std::time::{Duration, SystemTime};

use anyhow::{ensure, Context as _};
use futures::TryStreamExt as _;
use scalekit::directories::{
    CreateDirectory, DirectoryGroup, DirectoryProvider, DirectoryType, DirectoryUser,
    ListDirectoryGroupsOptions, ListDirectoryUsersOptions,
};
use scalekit::{Code, ScalekitClient};
use scalekit_emulator::EmulatorHandle;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

async fn directory(
    client: &ScalekitClient,
    organization_id: &str,
    provider: DirectoryProvider,
) -> anyhow::Result<String> {
    let directory = client
        .directories()
        .create_directory(organization_id, scim(provider))
        .await?;
    Ok(directory.id)
}

fn scim(provider: DirectoryProvider) -> CreateDirectory {
    CreateDirectory {
        directory_type: DirectoryType::Scim as i32,
        directory_provider: provider as i32,
    }
}

fn group(name: &str) -> DirectoryGroup {
    DirectoryGroup {
        display_name: name.to_owned(),
        ..Default::default()
    }
}

fn user(email: &str, groups: &[&str]) -> DirectoryUser {
    DirectoryUser {
        email: email.to_owned(),
        given_name: email.split('@').next().unwrap_or_default().to_owned(),
        groups: groups
            .iter()
            .map(|id| DirectoryGroup {
                id: (*id).to_owned(),
                ..Default::default()
            })
            .collect(),
        user_detail: Some(prost_types::Struct {
            fields: [(
                "title".to_owned(),
                prost_types::Value {
                    kind: Some(prost_types::value::Kind::StringValue("Engineer".to_owned())),
                },
            )]
            .into(),
        }),
        ..Default::default()
    }
}

/// An organization with an Okta directory holding two groups and three
/// users: ada and grace in engineering, grace also in admins, linus in none.
struct Fixture {
    org: String,
    dir: String,
    engineering: String,
    admins: String,
}

async fn fixture(emulator: &EmulatorHandle, client: &ScalekitClient) -> anyhow::Result<Fixture> {
    let org = organization(client, "Acme").await?;
    let dir = directory(client, &org, DirectoryProvider::Okta).await?;
    let engineering = emulator.add_directory_group(&org, &dir, group("Engineering"))?;
    let admins = emulator.add_directory_group(&org, &dir, group("Admins"))?;
    emulator.add_directory_user(&org, &dir, user("ada@acme.com", &[&engineering]))?;
    emulator.add_directory_user(&org, &dir, user("grace@acme.com", &[&engineering, &admins]))?;
    emulator.add_directory_user(&org, &dir, user("linus@acme.com", &[]))?;
    Ok(Fixture {
        org,
        dir,
        engineering,
        admins,
    })
}

fn emails(users: &[DirectoryUser]) -> Vec<&str> {
    users.iter().map(|u| u.email.as_str()).collect()
}

// ---------------------------------------------------------------------------
// list_directories / get_directory / get_primary_directory_by_organization_id
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_directories_returns_the_organizations_directories() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let okta = directory(&client, &acme, DirectoryProvider::Okta).await?;
    let google = directory(&client, &acme, DirectoryProvider::Google).await?;
    directory(&client, &globex, DirectoryProvider::Okta).await?;

    let listed = client.directories().list_directories(&acme).await?;
    let ids: Vec<&str> = listed.iter().map(|d| d.id.as_str()).collect();
    ensure!(ids == [okta.as_str(), google.as_str()], "{ids:?}");
    ensure!(listed
        .iter()
        .all(|d| d.organization_id == acme && !d.enabled));
    ensure!(listed[1].directory_provider() == DirectoryProvider::Google);
    ensure!(listed[0].directory_type() == DirectoryType::Scim);
    Ok(())
}

#[tokio::test]
async fn list_directories_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .directories()
            .list_directories("org_10000000000009999")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_directories_rejects_invalid_organization_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    rejected_locally(
        &emulator,
        client.directories().list_directories(" org_1").await,
        "organization_id",
    )
}

#[tokio::test]
async fn get_directory_counts_its_users_and_groups() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let got = client.directories().get_directory(&f.org, &f.dir).await?;
    ensure!(got.id == f.dir && got.id.starts_with("dir_"), "{got:?}");
    ensure!(got.organization_id == f.org);
    ensure!(got.directory_provider() == DirectoryProvider::Okta);
    ensure!(got.total_users == 3 && got.total_groups == 2, "{got:?}");
    let stats = got.stats.context("stats")?;
    ensure!(stats.total_users == 3 && stats.total_groups == 2);
    ensure!(got.last_synced_at.is_some());
    Ok(())
}

#[tokio::test]
async fn get_directory_of_another_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let dir = directory(&client, &acme, DirectoryProvider::Okta).await?;
    let err = api_error(
        client.directories().get_directory(&globex, &dir).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_directory_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    rejected_locally(
        &emulator,
        client.directories().get_directory("org_1", "").await,
        "directory_id",
    )?;
    rejected_locally(
        &emulator,
        client.directories().get_directory("", "dir_1").await,
        "organization_id",
    )?;
    Ok(())
}

#[tokio::test]
async fn get_primary_directory_by_organization_id_returns_the_first() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let first = directory(&client, &org, DirectoryProvider::Okta).await?;
    directory(&client, &org, DirectoryProvider::Google).await?;
    let primary = client
        .directories()
        .get_primary_directory_by_organization_id(&org)
        .await?;
    ensure!(primary.id == first, "{primary:?}");
    Ok(())
}

#[tokio::test]
async fn get_primary_directory_by_organization_id_without_directory_is_not_found(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let err = api_error(
        client
            .directories()
            .get_primary_directory_by_organization_id(&org)
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found(), "{err:?}");
    ensure!(emulator.rpc_count("ListDirectories") == 1);
    let err = api_error(
        client
            .directories()
            .get_primary_directory_by_organization_id("org_10000000000009999")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_primary_directory_by_organization_id_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    rejected_locally(
        &emulator,
        client
            .directories()
            .get_primary_directory_by_organization_id("")
            .await,
        "organization_id",
    )
}

// ---------------------------------------------------------------------------
// list_directory_users
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_directory_users_returns_users_with_their_groups() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let page = client
        .directories()
        .list_directory_users(&f.org, &f.dir, ListDirectoryUsersOptions::default())
        .await?;
    ensure!(
        emails(&page.items) == ["ada@acme.com", "grace@acme.com", "linus@acme.com"],
        "{:?}",
        emails(&page.items)
    );
    ensure!(page.total_size == 3 && page.next_page_token.is_none());
    let grace = &page.items[1];
    ensure!(grace.id.starts_with("diruser_"), "{grace:?}");
    ensure!(grace.given_name == "grace" && grace.emails == ["grace@acme.com"]);
    let groups: Vec<&str> = grace.groups.iter().map(|g| g.id.as_str()).collect();
    ensure!(
        groups == [f.engineering.as_str(), f.admins.as_str()],
        "{groups:?}"
    );
    ensure!(grace.user_detail.is_none(), "no detail unless asked for");
    Ok(())
}

#[tokio::test]
async fn list_directory_users_filters_and_includes_detail() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let directories = client.directories();

    let admins = directories
        .list_directory_users(
            &f.org,
            &f.dir,
            ListDirectoryUsersOptions::default()
                .with_directory_group_id(&f.admins)
                .with_include_detail(true),
        )
        .await?;
    ensure!(
        emails(&admins.items) == ["grace@acme.com"],
        "{:?}",
        emails(&admins.items)
    );
    ensure!(admins.items[0].user_detail.is_some());

    let future = SystemTime::now() + Duration::from_secs(3600);
    let none = directories
        .list_directory_users(
            &f.org,
            &f.dir,
            ListDirectoryUsersOptions::default().with_updated_after(future),
        )
        .await?;
    ensure!(none.items.is_empty() && none.total_size == 0);
    let past = SystemTime::now() - Duration::from_secs(3600);
    let all = directories
        .list_directory_users(
            &f.org,
            &f.dir,
            ListDirectoryUsersOptions::default().with_updated_after(past),
        )
        .await?;
    ensure!(all.total_size == 3);
    Ok(())
}

#[tokio::test]
async fn list_directory_users_stream_walks_every_page() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let directories = client.directories();
    let first = directories
        .list_directory_users(
            &f.org,
            &f.dir,
            ListDirectoryUsersOptions::default().with_page_size(2),
        )
        .await?;
    ensure!(first.items.len() == 2 && first.has_next());

    let users: Vec<DirectoryUser> = directories
        .list_directory_users_stream(
            &f.org,
            &f.dir,
            ListDirectoryUsersOptions::default().with_page_size(1),
        )
        .try_collect()
        .await?;
    ensure!(
        emails(&users) == ["ada@acme.com", "grace@acme.com", "linus@acme.com"],
        "{:?}",
        emails(&users)
    );
    ensure!(emulator.rpc_count("ListDirectoryUsers") == 1 + 3);
    Ok(())
}

#[tokio::test]
async fn list_directory_users_unknown_group_or_directory_is_not_found() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let directories = client.directories();
    let err = api_error(
        directories
            .list_directory_users(
                &f.org,
                &f.dir,
                ListDirectoryUsersOptions::default().with_directory_group_id("dirgroup_1"),
            )
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    let err = api_error(
        directories
            .list_directory_users(
                &f.org,
                "dir_10000000000009999",
                ListDirectoryUsersOptions::default(),
            )
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_directory_users_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let directories = client.directories();
    rejected_locally(
        &emulator,
        directories
            .list_directory_users("org_1", "", ListDirectoryUsersOptions::default())
            .await,
        "directory_id",
    )?;
    let streamed: scalekit::Result<Vec<DirectoryUser>> = directories
        .list_directory_users_stream("", "dir_1", ListDirectoryUsersOptions::default())
        .try_collect()
        .await;
    rejected_locally(&emulator, streamed, "organization_id")?;
    Ok(())
}

// ---------------------------------------------------------------------------
// list_directory_groups
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_directory_groups_counts_members_and_includes_detail() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let page = client
        .directories()
        .list_directory_groups(&f.org, &f.dir, ListDirectoryGroupsOptions::default())
        .await?;
    let groups: Vec<(&str, i32)> = page
        .items
        .iter()
        .map(|g| (g.display_name.as_str(), g.total_users))
        .collect();
    ensure!(groups == [("Engineering", 2), ("Admins", 1)], "{groups:?}");
    ensure!(page.total_size == 2 && page.items[0].id == f.engineering);

    let future = SystemTime::now() + Duration::from_secs(3600);
    let none = client
        .directories()
        .list_directory_groups(
            &f.org,
            &f.dir,
            ListDirectoryGroupsOptions::default()
                .with_updated_after(future)
                .with_include_detail(true),
        )
        .await?;
    ensure!(none.items.is_empty());
    Ok(())
}

#[tokio::test]
async fn list_directory_groups_stream_walks_every_page() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let groups: Vec<DirectoryGroup> = client
        .directories()
        .list_directory_groups_stream(
            &f.org,
            &f.dir,
            ListDirectoryGroupsOptions::default().with_page_size(1),
        )
        .try_collect()
        .await?;
    let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
    ensure!(
        ids == [f.engineering.as_str(), f.admins.as_str()],
        "{ids:?}"
    );
    ensure!(emulator.rpc_count("ListDirectoryGroups") == 2);
    Ok(())
}

#[tokio::test]
async fn list_directory_groups_oversized_page_is_invalid() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let err = api_error(
        client
            .directories()
            .list_directory_groups(
                &f.org,
                &f.dir,
                ListDirectoryGroupsOptions::default().with_page_size(31),
            )
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn list_directory_groups_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    rejected_locally(
        &emulator,
        client
            .directories()
            .list_directory_groups("org_1", "dir/1", ListDirectoryGroupsOptions::default())
            .await,
        "directory_id",
    )
}

// ---------------------------------------------------------------------------
// enable_directory / disable_directory
// ---------------------------------------------------------------------------

#[tokio::test]
async fn enable_and_disable_directory_flip_the_flag_and_keep_users() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let directories = client.directories();

    let enabled = directories.enable_directory(&f.org, &f.dir).await?;
    ensure!(
        enabled.enabled && enabled.error_message.is_none(),
        "{enabled:?}"
    );
    ensure!(directories.get_directory(&f.org, &f.dir).await?.enabled);

    let disabled = directories.disable_directory(&f.org, &f.dir).await?;
    ensure!(!disabled.enabled);
    let got = directories.get_directory(&f.org, &f.dir).await?;
    ensure!(!got.enabled && got.total_users == 3, "{got:?}");
    Ok(())
}

#[tokio::test]
async fn enable_directory_unknown_directory_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let err = api_error(
        client
            .directories()
            .enable_directory(&org, "dir_10000000000009999")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn disable_directory_of_another_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let dir = directory(&client, &acme, DirectoryProvider::Okta).await?;
    let err = api_error(
        client.directories().disable_directory(&globex, &dir).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn enable_directory_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let directories = client.directories();
    rejected_locally(
        &emulator,
        directories.enable_directory("org_1", " ").await,
        "directory_id",
    )?;
    Ok(())
}

#[tokio::test]
async fn disable_directory_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let directories = client.directories();
    rejected_locally(
        &emulator,
        directories.disable_directory("org 1 ", "dir_1").await,
        "organization_id",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// create_directory
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_directory_valid_returns_a_disabled_draft() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let created = client
        .directories()
        .create_directory(&org, scim(DirectoryProvider::Okta))
        .await?;
    ensure!(created.id.starts_with("dir_"), "{created:?}");
    assert_eq!(created.organization_id, org);
    assert_eq!(created.directory_type(), DirectoryType::Scim);
    assert_eq!(created.directory_provider(), DirectoryProvider::Okta);
    ensure!(!created.enabled && created.total_users == 0, "{created:?}");

    let listed = client.directories().list_directories(&org).await?;
    assert_eq!(
        listed.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        [created.id.as_str()]
    );
    Ok(())
}

#[tokio::test]
async fn create_directory_without_provider_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let err = api_error(
        client
            .directories()
            .create_directory(&org, scim(DirectoryProvider::Unspecified))
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument(), "{err:?}");
    ensure!(client
        .directories()
        .list_directories(&org)
        .await?
        .is_empty());
    Ok(())
}

#[tokio::test]
async fn create_directory_without_type_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let untyped = CreateDirectory {
        directory_type: DirectoryType::Unspecified as i32,
        directory_provider: DirectoryProvider::Okta as i32,
    };
    let err = api_error(
        client.directories().create_directory(&org, untyped).await,
        Code::InvalidArgument,
    )?;
    ensure!(
        err.api()
            .is_some_and(|api| api.message().contains("directory_type")),
        "{err:?}"
    );
    ensure!(client
        .directories()
        .list_directories(&org)
        .await?
        .is_empty());
    Ok(())
}

#[tokio::test]
async fn create_directory_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .directories()
            .create_directory("org_404", scim(DirectoryProvider::Okta))
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn create_directory_rejects_invalid_organization_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", " org_1", "org/1"] {
        let result = client
            .directories()
            .create_directory(id, scim(DirectoryProvider::Okta))
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// delete_directory
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_directory_valid_removes_it_and_its_users() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let directories = client.directories();
    directories.delete_directory(&f.org, &f.dir).await?;

    api_error(
        directories.get_directory(&f.org, &f.dir).await,
        Code::NotFound,
    )?;
    api_error(
        directories
            .list_directory_users(&f.org, &f.dir, ListDirectoryUsersOptions::default())
            .await,
        Code::NotFound,
    )?;
    ensure!(directories.list_directories(&f.org).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn delete_directory_of_another_organization_is_not_found() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let f = fixture(&emulator, &client).await?;
    let other = organization(&client, "Other").await?;
    let err = api_error(
        client.directories().delete_directory(&other, &f.dir).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    // The directory is still there for its own organization.
    client.directories().get_directory(&f.org, &f.dir).await?;
    Ok(())
}

#[tokio::test]
async fn delete_directory_rejects_unprefixed_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for (org, dir, field) in [
        ("", "dir_1", "organization_id"),
        ("acme", "dir_1", "organization_id"),
        ("org_1", "", "directory_id"),
        ("org_1", "conn_1", "directory_id"),
        ("org_1", "dir/1", "directory_id"),
    ] {
        let result = client.directories().delete_directory(org, dir).await;
        rejected_locally(&emulator, result, field)?;
    }
    Ok(())
}
