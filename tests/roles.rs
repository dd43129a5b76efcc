//! `client.roles()` against a real `scalekit-emulator`: every facade method
//! succeeds with real round-trip semantics, maps a server error to the right
//! predicate, and rejects invalid arguments without any I/O.

mod common;

use common::{api_error, organization, rejected_locally, start};

use anyhow::{ensure, Context as _};
use scalekit::permissions::CreatePermission;
use scalekit::roles::{
    CreateOrganizationRole, CreateRole, DeleteOrganizationRoleOptions, DeleteRoleOptions,
    GetOrganizationRoleOptions, GetRoleOptions, ListOrganizationRolesOptions, ListRolesOptions,
    Role, UpdateDefaultRolesOptions, UpdateRole,
};
use scalekit::users::{CreateMembershipOptions, CreateUser, CreateUserAndMembershipOptions};
use scalekit::{Code, ScalekitClient};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

async fn permissions(client: &ScalekitClient, names: &[&str]) -> anyhow::Result<()> {
    for name in names {
        client
            .permissions()
            .create_permission(CreatePermission {
                name: (*name).to_owned(),
                description: format!("may {name}"),
            })
            .await?;
    }
    Ok(())
}

fn role(name: &str, extends: Option<&str>, permissions: &[&str]) -> CreateRole {
    CreateRole {
        name: name.to_owned(),
        display_name: name.replace('_', " "),
        description: Some(format!("the {name} role")),
        extends: extends.map(str::to_owned),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    }
}

fn org_role(name: &str, extends: Option<&str>, permissions: &[&str]) -> CreateOrganizationRole {
    CreateOrganizationRole {
        name: name.to_owned(),
        display_name: name.replace('_', " "),
        description: None,
        extends: extends.map(str::to_owned),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    }
}

/// Adds a new user to `org` with the given roles (the default role when
/// none); returns the user id.
async fn member(
    client: &ScalekitClient,
    org: &str,
    email: &str,
    roles: &[&str],
) -> anyhow::Result<String> {
    let user = client
        .users()
        .create_user_and_membership(
            org,
            CreateUser {
                email: email.to_owned(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .await?;
    if !roles.is_empty() {
        client
            .users()
            .update_membership(
                org,
                &user.id,
                scalekit::users::UpdateMembershipOptions::default().with_roles(roles.to_vec()),
            )
            .await?;
    }
    Ok(user.id)
}

/// The role names a user holds in `org`.
async fn roles_of(client: &ScalekitClient, org: &str, user: &str) -> anyhow::Result<Vec<String>> {
    let user = client.users().get_user(user).await?;
    let membership = user
        .memberships
        .iter()
        .find(|m| m.organization_id == org)
        .context("no membership")?;
    Ok(membership.roles.iter().map(|r| r.name.clone()).collect())
}

fn names(roles: &[Role]) -> Vec<&str> {
    roles.iter().map(|r| r.name.as_str()).collect()
}

fn permission_names(role: &Role) -> Vec<(&str, &str)> {
    role.permissions
        .iter()
        .map(|p| (p.name.as_str(), p.role_name.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------
// Environment roles
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_role_valid_returns_stored_role() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    permissions(&client, &["content:read", "content:write"]).await?;
    let created = client
        .roles()
        .create_role(role(
            "editor",
            Some("member"),
            &["content:read", "content:write"],
        ))
        .await?;
    ensure!(created.id.starts_with("role_") && created.id.len() == "role_".len() + 17);
    ensure!(created.name == "editor" && created.display_name == "editor");
    ensure!(created.description == "the editor role");
    ensure!(created.extends.as_deref() == Some("member"));
    ensure!(!created.is_org_role && !created.default_member && !created.default_creator);
    ensure!(
        permission_names(&created) == [("content:read", "editor"), ("content:write", "editor")]
    );

    let fetched = client
        .roles()
        .get_role("editor", GetRoleOptions::default())
        .await?;
    ensure!(fetched.id == created.id && fetched.extends.as_deref() == Some("member"));
    let member = client
        .roles()
        .get_role("member", GetRoleOptions::default())
        .await?;
    ensure!(member.dependent_roles_count == 1, "{member:?}");
    Ok(())
}

#[tokio::test]
async fn create_role_duplicate_name_is_conflict() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client.roles().create_role(role("admin", None, &[])).await,
        Code::AlreadyExists,
    )?;
    ensure!(err.is_conflict());
    Ok(())
}

#[tokio::test]
async fn create_role_unknown_permission_or_base_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = client
        .roles()
        .create_role(role("editor", None, &["nope:read"]))
        .await
        .expect_err("unknown permission");
    ensure!(err.is_not_found(), "{err:?}");
    let err = client
        .roles()
        .create_role(role("editor", Some("ghost"), &[]))
        .await
        .expect_err("unknown base");
    ensure!(err.is_not_found(), "{err:?}");
    // Nothing was stored by the failed calls.
    let roles = client
        .roles()
        .list_roles(ListRolesOptions::default())
        .await?;
    ensure!(names(&roles) == ["admin", "member"]);
    Ok(())
}

#[tokio::test]
async fn create_role_bad_name_is_server_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .roles()
            .create_role(role("has space", None, &[]))
            .await,
        Code::InvalidArgument,
    )?;
    let violated: Vec<_> = err
        .api()
        .context("api error")?
        .field_violations()
        .map(|v| v.field.clone())
        .collect();
    ensure!(violated == ["name"], "{violated:?}");
    Ok(())
}

#[tokio::test]
async fn get_role_include_selects_direct_or_inherited_permissions() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    permissions(&client, &["a:read", "a:write", "a:publish"]).await?;
    let roles = client.roles();
    roles.create_role(role("viewer", None, &["a:read"])).await?;
    roles
        .create_role(role("editor", Some("viewer"), &["a:write"]))
        .await?;
    roles
        .create_role(role("publisher", Some("editor"), &["a:publish", "a:read"]))
        .await?;

    let bare = roles
        .get_role("publisher", GetRoleOptions::default())
        .await?;
    ensure!(bare.permissions.is_empty(), "{bare:?}");
    let direct = roles
        .get_role(
            "publisher",
            GetRoleOptions::default().with_include("permissions"),
        )
        .await?;
    ensure!(permission_names(&direct) == [("a:publish", "publisher"), ("a:read", "publisher")]);
    let all = roles
        .get_role(
            "publisher",
            GetRoleOptions::default().with_include("permissions:all"),
        )
        .await?;
    ensure!(
        permission_names(&all)
            == [
                ("a:publish", "publisher"),
                ("a:read", "publisher"),
                ("a:write", "editor")
            ],
        "{:?}",
        permission_names(&all)
    );
    api_error(
        roles
            .get_role(
                "publisher",
                GetRoleOptions::default().with_include("everything"),
            )
            .await,
        Code::InvalidArgument,
    )?;
    Ok(())
}

#[tokio::test]
async fn get_role_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = client
        .roles()
        .get_role("ghost", GetRoleOptions::default())
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn list_roles_fresh_environment_has_default_admin_and_member() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let roles = client
        .roles()
        .list_roles(ListRolesOptions::default())
        .await?;
    ensure!(names(&roles) == ["admin", "member"], "{roles:?}");
    ensure!(roles[0].default_creator && !roles[0].default_member);
    ensure!(roles[1].default_member && !roles[1].default_creator);
    ensure!(roles
        .iter()
        .all(|r| r.id.starts_with("role_") && !r.is_org_role));

    permissions(&client, &["x:read"]).await?;
    client
        .roles()
        .create_role(role("auditor", None, &["x:read"]))
        .await?;
    let roles = client
        .roles()
        .list_roles(ListRolesOptions::default().with_include("permissions"))
        .await?;
    ensure!(names(&roles) == ["admin", "member", "auditor"]);
    ensure!(permission_names(&roles[2]) == [("x:read", "auditor")]);
    Ok(())
}

#[tokio::test]
async fn list_roles_bad_include_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .roles()
            .list_roles(ListRolesOptions::default().with_include("users"))
            .await,
        Code::InvalidArgument,
    )?;
    ensure!(err.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn update_role_changes_given_fields_and_replaces_permissions() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    permissions(&client, &["a:read", "a:write"]).await?;
    client
        .roles()
        .create_role(role("editor", None, &["a:read"]))
        .await?;
    let updated = client
        .roles()
        .update_role(
            "editor",
            UpdateRole {
                display_name: Some("Editor".to_owned()),
                extends: Some("member".to_owned()),
                permissions: vec!["a:write".to_owned()],
                ..Default::default()
            },
        )
        .await?;
    ensure!(updated.display_name == "Editor");
    ensure!(
        updated.description == "the editor role",
        "unset fields stay"
    );
    ensure!(updated.extends.as_deref() == Some("member"));
    ensure!(permission_names(&updated) == [("a:write", "editor")]);

    // An empty update changes nothing.
    let same = client
        .roles()
        .update_role("editor", UpdateRole::default())
        .await?;
    ensure!(same == updated, "{same:?} != {updated:?}");
    Ok(())
}

#[tokio::test]
async fn update_role_display_name_reaches_memberships() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    client
        .roles()
        .create_role(role("editor", None, &[]))
        .await?;
    let user = member(&client, &org, "ed@acme.test", &["editor"]).await?;
    client
        .roles()
        .update_role(
            "editor",
            UpdateRole {
                display_name: Some("Chief Editor".to_owned()),
                ..Default::default()
            },
        )
        .await?;
    let user = client.users().get_user(&user).await?;
    let held = &user.memberships[0].roles[0];
    ensure!(
        held.name == "editor" && held.display_name == "Chief Editor",
        "{held:?}"
    );
    Ok(())
}

#[tokio::test]
async fn update_role_cycle_is_invalid_argument_and_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let roles = client.roles();
    roles.create_role(role("base", None, &[])).await?;
    roles.create_role(role("child", Some("base"), &[])).await?;
    let cycle = UpdateRole {
        extends: Some("child".to_owned()),
        ..Default::default()
    };
    api_error(
        roles.update_role("base", cycle).await,
        Code::InvalidArgument,
    )?;
    let err = roles
        .update_role("ghost", UpdateRole::default())
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_role_unused_is_gone() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    client.roles().create_role(role("temp", None, &[])).await?;
    client
        .roles()
        .delete_role("temp", DeleteRoleOptions::default())
        .await?;
    let err = client
        .roles()
        .get_role("temp", GetRoleOptions::default())
        .await
        .expect_err("deleted");
    ensure!(err.is_not_found());
    let err = client
        .roles()
        .delete_role("temp", DeleteRoleOptions::default())
        .await
        .expect_err("already deleted");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_role_held_needs_reassign_then_moves_members() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    client
        .roles()
        .create_role(role("editor", None, &[]))
        .await?;
    let ada = member(&client, &acme, "ada@acme.test", &["editor"]).await?;
    let bob = member(&client, &globex, "bob@globex.test", &["editor", "member"]).await?;

    api_error(
        client
            .roles()
            .delete_role("editor", DeleteRoleOptions::default())
            .await,
        Code::FailedPrecondition,
    )?;
    ensure!(
        roles_of(&client, &acme, &ada).await? == ["editor"],
        "unchanged"
    );
    let err = client
        .roles()
        .delete_role(
            "editor",
            DeleteRoleOptions::default().with_reassign_role_name("ghost"),
        )
        .await
        .expect_err("unknown reassign role");
    ensure!(err.is_not_found());

    client
        .roles()
        .delete_role(
            "editor",
            DeleteRoleOptions::default().with_reassign_role_name("member"),
        )
        .await?;
    ensure!(roles_of(&client, &acme, &ada).await? == ["member"]);
    ensure!(
        roles_of(&client, &globex, &bob).await? == ["member"],
        "held twice collapses to one"
    );
    ensure!(client.roles().get_role_users_count("member").await? == 2);
    Ok(())
}

#[tokio::test]
async fn delete_role_default_or_extended_is_failed_precondition() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    api_error(
        client
            .roles()
            .delete_role(
                "member",
                DeleteRoleOptions::default().with_reassign_role_name("admin"),
            )
            .await,
        Code::FailedPrecondition,
    )?;
    let roles = client.roles();
    roles.create_role(role("base", None, &[])).await?;
    roles.create_role(role("child", Some("base"), &[])).await?;
    api_error(
        roles
            .delete_role("base", DeleteRoleOptions::default())
            .await,
        Code::FailedPrecondition,
    )?;
    // With a reassign role, dependents extend it instead.
    roles
        .delete_role(
            "base",
            DeleteRoleOptions::default().with_reassign_role_name("admin"),
        )
        .await?;
    let child = roles.get_role("child", GetRoleOptions::default()).await?;
    ensure!(child.extends.as_deref() == Some("admin"), "{child:?}");
    Ok(())
}

#[tokio::test]
async fn get_role_users_count_counts_users_across_organizations() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    ensure!(client.roles().get_role_users_count("member").await? == 0);
    let ada = member(&client, &acme, "ada@acme.test", &[]).await?;
    member(&client, &globex, "bob@globex.test", &[]).await?;
    member(&client, &globex, "eve@globex.test", &["admin"]).await?;
    // The same user in two organizations counts once.
    client
        .users()
        .create_membership(&globex, &ada, CreateMembershipOptions::default())
        .await?;
    ensure!(client.roles().get_role_users_count("member").await? == 2);
    ensure!(client.roles().get_role_users_count("admin").await? == 1);
    let err = client
        .roles()
        .get_role_users_count("ghost")
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// Organization roles
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_organization_role_valid_is_scoped_to_the_organization() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    permissions(&client, &["dept:read"]).await?;
    let created = client
        .roles()
        .create_organization_role(&acme, org_role("lead", Some("member"), &["dept:read"]))
        .await?;
    ensure!(created.id.starts_with("role_") && created.is_org_role);
    ensure!(created.extends.as_deref() == Some("member"));
    ensure!(permission_names(&created) == [("dept:read", "lead")]);

    // The same name is free in another organization, but not at the
    // environment level or in the same organization.
    client
        .roles()
        .create_organization_role(&globex, org_role("lead", None, &[]))
        .await?;
    let err = client
        .roles()
        .create_organization_role(&acme, org_role("lead", None, &[]))
        .await
        .expect_err("duplicate");
    ensure!(err.is_conflict());
    let err = client
        .roles()
        .create_organization_role(&acme, org_role("admin", None, &[]))
        .await
        .expect_err("environment name");
    ensure!(err.is_conflict());
    let err = client.roles().create_role(role("lead", None, &[])).await;
    ensure!(err.is_err_and(|e| e.is_conflict()));
    Ok(())
}

#[tokio::test]
async fn create_organization_role_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = client
        .roles()
        .create_organization_role("org_10000000000000999", org_role("lead", None, &[]))
        .await
        .expect_err("unknown organization");
    ensure!(err.is_not_found(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn get_organization_role_sees_own_and_environment_roles_only() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    permissions(&client, &["a:read", "a:lead"]).await?;
    client
        .roles()
        .update_role(
            "member",
            UpdateRole {
                permissions: vec!["a:read".to_owned()],
                ..Default::default()
            },
        )
        .await?;
    client
        .roles()
        .create_organization_role(&acme, org_role("lead", Some("member"), &["a:lead"]))
        .await?;
    let lead = client
        .roles()
        .get_organization_role(
            &acme,
            "lead",
            GetOrganizationRoleOptions::default().with_include("permissions:all"),
        )
        .await?;
    ensure!(lead.is_org_role);
    ensure!(permission_names(&lead) == [("a:lead", "lead"), ("a:read", "member")]);
    let member = client
        .roles()
        .get_organization_role(&acme, "member", GetOrganizationRoleOptions::default())
        .await?;
    ensure!(!member.is_org_role && member.default_member);
    let err = client
        .roles()
        .get_organization_role(&globex, "lead", GetOrganizationRoleOptions::default())
        .await
        .expect_err("another organization's role");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_organization_roles_lists_environment_then_own_roles() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    client
        .roles()
        .create_organization_role(&acme, org_role("lead", None, &[]))
        .await?;
    client
        .roles()
        .create_organization_role(&globex, org_role("intern", None, &[]))
        .await?;
    let roles = client
        .roles()
        .list_organization_roles(&acme, ListOrganizationRolesOptions::default())
        .await?;
    ensure!(names(&roles) == ["admin", "member", "lead"], "{roles:?}");
    ensure!(roles.iter().map(|r| r.is_org_role).eq([false, false, true]));
    let err = client
        .roles()
        .list_organization_roles(
            "org_10000000000000999",
            ListOrganizationRolesOptions::default(),
        )
        .await
        .expect_err("unknown organization");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn update_organization_role_changes_own_roles_only() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    client
        .roles()
        .create_organization_role(&acme, org_role("lead", None, &[]))
        .await?;
    let updated = client
        .roles()
        .update_organization_role(
            &acme,
            "lead",
            UpdateRole {
                display_name: Some("Team Lead".to_owned()),
                description: Some("leads".to_owned()),
                ..Default::default()
            },
        )
        .await?;
    ensure!(updated.display_name == "Team Lead" && updated.description == "leads");
    let err = client
        .roles()
        .update_organization_role(&acme, "admin", UpdateRole::default())
        .await
        .expect_err("environment role");
    ensure!(err.is_not_found(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn delete_organization_role_held_needs_reassign_then_moves_members() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let roles = client.roles();
    roles
        .create_organization_role(&acme, org_role("lead", None, &[]))
        .await?;
    roles
        .create_organization_role(&acme, org_role("senior", None, &[]))
        .await?;
    let ada = member(&client, &acme, "ada@acme.test", &["lead"]).await?;
    ensure!(
        roles
            .get_organization_role_users_count(&acme, "lead")
            .await?
            == 1
    );

    api_error(
        roles
            .delete_organization_role(&acme, "lead", DeleteOrganizationRoleOptions::default())
            .await,
        Code::FailedPrecondition,
    )?;
    roles
        .delete_organization_role(
            &acme,
            "lead",
            DeleteOrganizationRoleOptions::default().with_reassign_role_name("senior"),
        )
        .await?;
    ensure!(roles_of(&client, &acme, &ada).await? == ["senior"]);
    ensure!(
        roles
            .get_organization_role_users_count(&acme, "senior")
            .await?
            == 1
    );
    let err = roles
        .get_organization_role(&acme, "lead", GetOrganizationRoleOptions::default())
        .await
        .expect_err("deleted");
    ensure!(err.is_not_found());
    // A held role needs a reassign role; environment roles cannot be deleted
    // through an organization.
    api_error(
        roles
            .delete_organization_role(&acme, "senior", DeleteOrganizationRoleOptions::default())
            .await,
        Code::FailedPrecondition,
    )?;
    let err = roles
        .delete_organization_role(&acme, "member", DeleteOrganizationRoleOptions::default())
        .await
        .expect_err("environment role");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn get_organization_role_users_count_counts_that_organization_only() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    member(&client, &acme, "a@acme.test", &[]).await?;
    member(&client, &acme, "b@acme.test", &[]).await?;
    member(&client, &globex, "c@globex.test", &[]).await?;
    ensure!(
        client
            .roles()
            .get_organization_role_users_count(&acme, "member")
            .await?
            == 2
    );
    ensure!(
        client
            .roles()
            .get_organization_role_users_count(&globex, "admin")
            .await?
            == 0
    );
    let err = client
        .roles()
        .get_organization_role_users_count(&acme, "ghost")
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn update_default_organization_roles_drives_new_memberships() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    client
        .roles()
        .create_organization_role(&acme, org_role("trainee", None, &[]))
        .await?;
    let before = member(&client, &acme, "early@acme.test", &[]).await?;

    let default = client
        .roles()
        .update_default_organization_roles(&acme, "trainee")
        .await?;
    ensure!(default.name == "trainee" && default.default_member && default.is_org_role);

    let after = member(&client, &acme, "late@acme.test", &[]).await?;
    ensure!(roles_of(&client, &acme, &after).await? == ["trainee"]);
    ensure!(
        roles_of(&client, &acme, &before).await? == ["member"],
        "existing memberships keep their roles"
    );
    let elsewhere = member(&client, &globex, "x@globex.test", &[]).await?;
    ensure!(roles_of(&client, &globex, &elsewhere).await? == ["member"]);

    let listed = client
        .roles()
        .list_organization_roles(&acme, ListOrganizationRolesOptions::default())
        .await?;
    let defaults: Vec<&str> = listed
        .iter()
        .filter(|r| r.default_member)
        .map(|r| r.name.as_str())
        .collect();
    ensure!(defaults == ["trainee"], "{defaults:?}");

    let err = client
        .roles()
        .update_default_organization_roles(&acme, "ghost")
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_organization_role_base_drops_inherited_permissions() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    permissions(&client, &["a:read", "a:lead"]).await?;
    client
        .roles()
        .create_organization_role(&acme, org_role("base", None, &["a:read"]))
        .await?;
    client
        .roles()
        .create_organization_role(&acme, org_role("lead", Some("base"), &["a:lead"]))
        .await?;
    let all = GetOrganizationRoleOptions::default().with_include("permissions:all");
    let before = client
        .roles()
        .get_organization_role(&acme, "lead", all.clone())
        .await?;
    ensure!(before.permissions.len() == 2);

    client
        .roles()
        .delete_organization_role_base(&acme, "lead")
        .await?;
    let after = client
        .roles()
        .get_organization_role(&acme, "lead", all)
        .await?;
    ensure!(after.extends.is_none());
    ensure!(permission_names(&after) == [("a:lead", "lead")]);

    let err = client
        .roles()
        .delete_organization_role_base(&acme, "ghost")
        .await
        .expect_err("unknown role");
    ensure!(err.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// Validation before I/O
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_role_rejects_invalid_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(e, roles.create_role(role(" x", None, &[])).await, "name")?;
    Ok(())
}

#[tokio::test]
async fn get_role_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles.get_role("", GetRoleOptions::default()).await,
        "role_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn update_role_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles.update_role("a/b", UpdateRole::default()).await,
        "role_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn delete_role_rejects_invalid_role_name_or_reassign_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles.delete_role("  ", DeleteRoleOptions::default()).await,
        "role_name",
    )?;
    rejected_locally(
        e,
        roles
            .delete_role(
                "x",
                DeleteRoleOptions::default().with_reassign_role_name(""),
            )
            .await,
        "reassign_role_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn get_role_users_count_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(e, roles.get_role_users_count("x\n").await, "role_name")?;
    Ok(())
}

#[tokio::test]
async fn create_organization_role_rejects_invalid_organization_id_or_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles
            .create_organization_role("", org_role("x", None, &[]))
            .await,
        "organization_id",
    )?;
    rejected_locally(
        e,
        roles
            .create_organization_role("org_1", org_role("", None, &[]))
            .await,
        "name",
    )?;
    Ok(())
}

#[tokio::test]
async fn get_organization_role_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles
            .get_organization_role("org_1", "", GetOrganizationRoleOptions::default())
            .await,
        "role_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn list_organization_roles_rejects_invalid_organization_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles
            .list_organization_roles("org/1", ListOrganizationRolesOptions::default())
            .await,
        "organization_id",
    )?;
    Ok(())
}

#[tokio::test]
async fn update_organization_role_rejects_invalid_organization_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles
            .update_organization_role(" org_1", "x", UpdateRole::default())
            .await,
        "organization_id",
    )?;
    Ok(())
}

#[tokio::test]
async fn delete_organization_role_rejects_invalid_role_name_or_reassign_role_name(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles
            .delete_organization_role("org_1", "", DeleteOrganizationRoleOptions::default())
            .await,
        "role_name",
    )?;
    rejected_locally(
        e,
        roles
            .delete_organization_role(
                "org_1",
                "x",
                DeleteOrganizationRoleOptions::default().with_reassign_role_name("a/b"),
            )
            .await,
        "reassign_role_name",
    )?;
    Ok(())
}

#[tokio::test]
async fn get_organization_role_users_count_rejects_invalid_organization_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles.get_organization_role_users_count("", "x").await,
        "organization_id",
    )?;
    Ok(())
}

#[tokio::test]
async fn update_default_organization_roles_rejects_invalid_default_member_role(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles.update_default_organization_roles("org_1", " ").await,
        "default_member_role",
    )?;
    Ok(())
}

#[tokio::test]
async fn delete_organization_role_base_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let roles = client.roles();
    let e = &emulator;
    rejected_locally(
        e,
        roles.delete_organization_role_base("org_1", "").await,
        "role_name",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// delete_role_base
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_role_base_valid_drops_only_the_inherited_permissions() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    permissions(&client, &["docs:read", "docs:write"]).await?;
    let roles = client.roles();
    roles
        .create_role(role("reader", None, &["docs:read"]))
        .await?;
    roles
        .create_role(role("writer", Some("reader"), &["docs:write"]))
        .await?;

    roles.delete_role_base("writer").await?;

    let all = GetRoleOptions::default().with_include("permissions:all");
    let writer = roles.get_role("writer", all.clone()).await?;
    assert_eq!(writer.extends, None);
    assert_eq!(permission_names(&writer), [("docs:write", "writer")]);
    // The former base role is untouched and no longer has dependents.
    let reader = roles.get_role("reader", all).await?;
    assert_eq!(permission_names(&reader), [("docs:read", "reader")]);
    ensure!(roles.list_dependent_roles("reader").await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn delete_role_base_unknown_role_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client.roles().delete_role_base("no_such_role").await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_role_base_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for name in ["", " ", "writer ", "a/b"] {
        let result = client.roles().delete_role_base(name).await;
        rejected_locally(&emulator, result, "role_name")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// update_default_roles
// ---------------------------------------------------------------------------

#[tokio::test]
async fn update_default_roles_valid_applies_to_new_members() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let roles = client.roles();
    roles.create_role(role("viewer", None, &[])).await?;

    let defaults = roles
        .update_default_roles(
            UpdateDefaultRolesOptions::default().with_default_member_role("viewer"),
        )
        .await?;
    let default_member = defaults.default_member.context("no default member")?;
    assert_eq!(default_member.name, "viewer");
    // The creator role was not named, so it stays as it was.
    let creator = defaults.default_creator.context("no default creator")?;
    assert_eq!(creator.name, "admin");

    let listed = roles.list_roles(ListRolesOptions::default()).await?;
    let flagged: Vec<&str> = listed
        .iter()
        .filter(|r| r.default_member)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(flagged, ["viewer"]);

    let org = organization(&client, "Acme").await?;
    let user = member(&client, &org, "ada@acme.com", &[]).await?;
    assert_eq!(roles_of(&client, &org, &user).await?, ["viewer"]);
    Ok(())
}

#[tokio::test]
async fn update_default_roles_unknown_role_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .roles()
            .update_default_roles(
                UpdateDefaultRolesOptions::default().with_default_creator_role("no_such_role"),
            )
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn update_default_roles_rejects_empty_role_names() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let result = client
        .roles()
        .update_default_roles(UpdateDefaultRolesOptions::default().with_default_creator_role(""))
        .await;
    rejected_locally(&emulator, result, "default_creator_role")?;
    let result = client
        .roles()
        .update_default_roles(
            UpdateDefaultRolesOptions::default()
                .with_default_creator_role("admin")
                .with_default_member_role("member/x"),
        )
        .await;
    rejected_locally(&emulator, result, "default_member_role")?;
    Ok(())
}

// ---------------------------------------------------------------------------
// list_dependent_roles
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_dependent_roles_lists_the_roles_extending_it() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let roles = client.roles();
    roles.create_role(role("base", None, &[])).await?;
    roles
        .create_role(role("child_a", Some("base"), &[]))
        .await?;
    roles
        .create_role(role("child_b", Some("base"), &[]))
        .await?;
    roles
        .create_role(role("grandchild", Some("child_a"), &[]))
        .await?;
    roles.create_role(role("unrelated", None, &[])).await?;

    let mut dependents: Vec<String> = roles
        .list_dependent_roles("base")
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect();
    dependents.sort();
    assert_eq!(dependents, ["child_a", "child_b"]);
    ensure!(roles.list_dependent_roles("unrelated").await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn list_dependent_roles_unknown_role_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client.roles().list_dependent_roles("no_such_role").await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_dependent_roles_rejects_invalid_role_name() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for name in ["", "  ", " base", "base/x"] {
        let result = client.roles().list_dependent_roles(name).await;
        rejected_locally(&emulator, result, "role_name")?;
    }
    Ok(())
}
