//! `client.permissions()` against a real `scalekit-emulator`: every facade
//! method succeeds with real round-trip semantics, maps a server error to
//! the right predicate, and rejects invalid arguments without any I/O.

mod common;

use common::{api_error, rejected_locally, start};

use anyhow::ensure;
use futures::{StreamExt as _, TryStreamExt as _};
use scalekit::permissions::{CreatePermission, ListPermissionsOptions, Permission};
use scalekit::roles::{CreateRole, GetRoleOptions};
use scalekit::{Code, ScalekitClient};

fn permission(name: &str) -> CreatePermission {
    CreatePermission {
        name: name.to_owned(),
        description: format!("may {name}"),
    }
}

async fn create_all(client: &ScalekitClient, names: &[&str]) -> anyhow::Result<()> {
    for name in names {
        client
            .permissions()
            .create_permission(permission(name))
            .await?;
    }
    Ok(())
}

async fn create_role(
    client: &ScalekitClient,
    name: &str,
    extends: Option<&str>,
    permissions: &[&str],
) -> anyhow::Result<()> {
    client
        .roles()
        .create_role(CreateRole {
            name: name.to_owned(),
            display_name: name.to_owned(),
            extends: extends.map(str::to_owned),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            ..Default::default()
        })
        .await?;
    Ok(())
}

fn names(permissions: &[Permission]) -> Vec<&str> {
    permissions.iter().map(|p| p.name.as_str()).collect()
}

#[tokio::test]
async fn create_permission_valid_returns_stored_permission() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let created = client
        .permissions()
        .create_permission(permission("read:invoices"))
        .await?;
    ensure!(created.id.starts_with("perm_") && created.id.len() == "perm_".len() + 17);
    ensure!(created.name == "read:invoices" && created.description == "may read:invoices");
    ensure!(created.create_time.is_some() && created.create_time == created.update_time);
    ensure!(!created.is_scalekit_permission);
    let fetched = client.permissions().get_permission("read:invoices").await?;
    ensure!(fetched == created, "{fetched:?}");
    Ok(())
}

#[tokio::test]
async fn create_permission_duplicate_is_conflict_and_bad_name_invalid() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create_all(&client, &["read:invoices"]).await?;
    let err = api_error(
        client
            .permissions()
            .create_permission(permission("read:invoices"))
            .await,
        Code::AlreadyExists,
    )?;
    ensure!(err.is_conflict());
    let err = api_error(
        client
            .permissions()
            .create_permission(permission("read invoices!"))
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn get_permission_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = client
        .permissions()
        .get_permission("read:nothing")
        .await
        .expect_err("unknown permission");
    ensure!(err.is_not_found(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn list_permissions_pages_in_creation_order() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create_all(&client, &["e:1", "d:2", "c:3", "b:4", "a:5"]).await?;
    let permissions = client.permissions();
    let first = permissions
        .list_permissions(ListPermissionsOptions::default().with_page_size(2))
        .await?;
    ensure!(names(&first.items) == ["e:1", "d:2"]);
    ensure!(first.total_size == 5 && first.prev_page_token.is_none());
    let token = first.next_page_token.clone().expect("a next page");
    let second = permissions
        .list_permissions(
            ListPermissionsOptions::default()
                .with_page_size(2)
                .with_page_token(token),
        )
        .await?;
    ensure!(names(&second.items) == ["c:3", "b:4"]);
    ensure!(second.prev_page_token.is_some());

    let all = permissions
        .list_permissions(ListPermissionsOptions::default())
        .await?;
    ensure!(all.items.len() == 5 && !all.has_next());
    Ok(())
}

#[tokio::test]
async fn list_permissions_oversized_page_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    api_error(
        client
            .permissions()
            .list_permissions(ListPermissionsOptions::default().with_page_size(101))
            .await,
        Code::InvalidArgument,
    )?;
    Ok(())
}

#[tokio::test]
async fn list_permissions_stream_walks_every_page_lazily() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let created: Vec<String> = (1..=7).map(|n| format!("p:{n}")).collect();
    for name in &created {
        client
            .permissions()
            .create_permission(permission(name))
            .await?;
    }
    let before = emulator.rpc_count("ListPermissions");
    let stream = client
        .permissions()
        .list_permissions_stream(ListPermissionsOptions::default().with_page_size(3));
    let streamed: Vec<String> = stream.map_ok(|p| p.name).try_collect().await?;
    ensure!(streamed == created, "{streamed:?}");
    ensure!(emulator.rpc_count("ListPermissions") - before == 3);

    // The first item needs one page only.
    let mut stream = std::pin::pin!(client
        .permissions()
        .list_permissions_stream(ListPermissionsOptions::default().with_page_size(3)));
    let first = stream.next().await.expect("an item")?;
    ensure!(first.name == "p:1");
    ensure!(emulator.rpc_count("ListPermissions") - before == 4);
    Ok(())
}

#[tokio::test]
async fn update_permission_changes_description_not_name() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create_all(&client, &["read:invoices"]).await?;
    let created = client.permissions().get_permission("read:invoices").await?;
    let updated = client
        .permissions()
        .update_permission(
            "read:invoices",
            CreatePermission {
                name: "read:invoices".to_owned(),
                description: "View invoices and history".to_owned(),
            },
        )
        .await?;
    ensure!(updated.id == created.id && updated.description == "View invoices and history");
    ensure!(updated.create_time == created.create_time);
    let seconds = |p: &Permission| p.update_time.as_ref().map(|t| (t.seconds, t.nanos));
    ensure!(seconds(&updated) >= seconds(&created));
    ensure!(
        client
            .permissions()
            .get_permission("read:invoices")
            .await?
            .description
            == "View invoices and history"
    );
    api_error(
        client
            .permissions()
            .update_permission("read:invoices", permission("read:bills"))
            .await,
        Code::InvalidArgument,
    )?;
    let err = client
        .permissions()
        .update_permission("read:nothing", permission(""))
        .await
        .expect_err("unknown permission");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_permission_unused_is_gone_and_used_is_failed_precondition() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create_all(&client, &["a:read", "a:write"]).await?;
    create_role(&client, "editor", None, &["a:write"]).await?;
    client.permissions().delete_permission("a:read").await?;
    let err = client
        .permissions()
        .get_permission("a:read")
        .await
        .expect_err("deleted");
    ensure!(err.is_not_found());
    api_error(
        client.permissions().delete_permission("a:write").await,
        Code::FailedPrecondition,
    )?;
    client
        .permissions()
        .remove_permission_from_role("editor", "a:write")
        .await?;
    client.permissions().delete_permission("a:write").await?;
    let err = client
        .permissions()
        .delete_permission("a:write")
        .await
        .expect_err("already deleted");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_role_permissions_lists_direct_permissions_only() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create_all(&client, &["a:read", "a:write"]).await?;
    create_role(&client, "viewer", None, &["a:read"]).await?;
    create_role(&client, "editor", Some("viewer"), &["a:write"]).await?;
    let direct = client.permissions().list_role_permissions("editor").await?;
    ensure!(names(&direct) == ["a:write"]);
    ensure!(direct[0].id.starts_with("perm_") && direct[0].description == "may a:write");
    ensure!(client
        .permissions()
        .list_role_permissions("member")
        .await?
        .is_empty());
    let err = client
        .permissions()
        .list_role_permissions("ghost")
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn add_permissions_to_role_adds_and_keeps_existing() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create_all(&client, &["a:read", "a:write", "a:delete"]).await?;
    create_role(&client, "editor", None, &["a:read"]).await?;
    let now = client
        .permissions()
        .add_permissions_to_role("editor", ["a:write", "a:read"])
        .await?;
    ensure!(names(&now) == ["a:read", "a:write"], "{:?}", names(&now));
    let again = client
        .permissions()
        .add_permissions_to_role("editor", vec!["a:delete".to_owned()])
        .await?;
    ensure!(names(&again) == ["a:read", "a:write", "a:delete"]);
    let role = client
        .roles()
        .get_role(
            "editor",
            GetRoleOptions::default().with_include("permissions"),
        )
        .await?;
    ensure!(role.permissions.len() == 3);

    let err = client
        .permissions()
        .add_permissions_to_role("editor", ["a:nothing"])
        .await
        .expect_err("unknown permission");
    ensure!(err.is_not_found());
    let err = client
        .permissions()
        .add_permissions_to_role("ghost", ["a:read"])
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found());
    ensure!(
        client
            .permissions()
            .list_role_permissions("editor")
            .await?
            .len()
            == 3
    );
    Ok(())
}

#[tokio::test]
async fn remove_permission_from_role_removes_direct_assignment() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create_all(&client, &["a:read", "a:write"]).await?;
    create_role(&client, "viewer", None, &["a:read"]).await?;
    create_role(&client, "editor", Some("viewer"), &["a:write"]).await?;
    client
        .permissions()
        .remove_permission_from_role("editor", "a:write")
        .await?;
    ensure!(client
        .permissions()
        .list_role_permissions("editor")
        .await?
        .is_empty());
    // Inherited permissions are not the role's to remove.
    let err = client
        .permissions()
        .remove_permission_from_role("editor", "a:read")
        .await
        .expect_err("inherited, not direct");
    ensure!(err.is_not_found());
    let effective = client
        .permissions()
        .list_effective_role_permissions("editor")
        .await?;
    ensure!(names(&effective) == ["a:read"]);
    Ok(())
}

#[tokio::test]
async fn list_effective_role_permissions_follows_the_inheritance_chain() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    create_all(&client, &["a:read", "a:write", "a:publish"]).await?;
    create_role(&client, "viewer", None, &["a:read"]).await?;
    create_role(&client, "editor", Some("viewer"), &["a:write", "a:read"]).await?;
    create_role(&client, "publisher", Some("editor"), &["a:publish"]).await?;
    let effective = client
        .permissions()
        .list_effective_role_permissions("publisher")
        .await?;
    ensure!(
        names(&effective) == ["a:publish", "a:write", "a:read"],
        "{:?}",
        names(&effective)
    );
    let direct = client
        .permissions()
        .list_role_permissions("publisher")
        .await?;
    ensure!(effective.len() - direct.len() == 2);
    let err = client
        .permissions()
        .list_effective_role_permissions("ghost")
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn create_permission_rejects_invalid_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let p = client.permissions();
    let e = &emulator;
    rejected_locally(e, p.create_permission(permission("")).await, "name")?;
    Ok(())
}

#[tokio::test]
async fn get_permission_rejects_invalid_permission_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let p = client.permissions();
    let e = &emulator;
    rejected_locally(e, p.get_permission(" read:a").await, "permission_name")?;
    Ok(())
}

#[tokio::test]
async fn update_permission_rejects_invalid_permission_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let p = client.permissions();
    let e = &emulator;
    rejected_locally(
        e,
        p.update_permission("a/b", permission("a")).await,
        "permission_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn delete_permission_rejects_invalid_permission_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let p = client.permissions();
    let e = &emulator;
    rejected_locally(e, p.delete_permission("").await, "permission_name")?;
    Ok(())
}

#[tokio::test]
async fn list_role_permissions_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let p = client.permissions();
    let e = &emulator;
    rejected_locally(e, p.list_role_permissions("  ").await, "role_name")?;
    Ok(())
}

#[tokio::test]
async fn add_permissions_to_role_rejects_invalid_permission_names_or_role_name(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let p = client.permissions();
    let e = &emulator;
    rejected_locally(
        e,
        p.add_permissions_to_role("editor", Vec::<String>::new())
            .await,
        "permission_names",
    )?;
    rejected_locally(
        e,
        p.add_permissions_to_role("editor", ["a:read", " "]).await,
        "permission_names",
    )?;
    rejected_locally(
        e,
        p.add_permissions_to_role("", ["a:read"]).await,
        "role_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn remove_permission_from_role_rejects_invalid_permission_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let p = client.permissions();
    let e = &emulator;
    rejected_locally(
        e,
        p.remove_permission_from_role("editor", "").await,
        "permission_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn list_effective_role_permissions_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let p = client.permissions();
    let e = &emulator;
    rejected_locally(
        e,
        p.list_effective_role_permissions("a/b").await,
        "role_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn list_permissions_stream_oversized_page_yields_one_server_error() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let p = client.permissions();
    // list_permissions has no client-side checks: the stream of an invalid
    // request is the server's error, once.
    let results: Vec<_> = p
        .list_permissions_stream(ListPermissionsOptions::default().with_page_size(500))
        .collect()
        .await;
    ensure!(results.len() == 1 && results[0].as_ref().is_err_and(|e| e.is_invalid_argument()));
    Ok(())
}
