//! `client.users()`: every facade method against `scalekit-emulator`, and
//! what only the recording double can show in the `wire` module.
//!
//! Against the emulator, for each method: it succeeds with real round-trip
//! semantics; invalid arguments fail before any I/O (`<rpc>_rejects_…`: no
//! token request, no RPC); and a real server condition (an unknown user, a
//! duplicate member, an unknown role) maps to the right predicate.
//!
//! Against the recording double (`wire`): the server receives exactly the
//! request the reference Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/user.js`)
//! builds for the same arguments, the streams fetch one page at a time, and
//! each gRPC code maps to its predicates, kind and HTTP status.

mod common;

use std::collections::HashMap;

use anyhow::{ensure, Context as _};
use common::{api_error, invalid_ids, member, rejected_locally, start};
use futures::{StreamExt as _, TryStreamExt as _};
use scalekit::organizations::CreateOrganizationOptions;
use scalekit::permissions::CreatePermission;
use scalekit::roles::CreateRole;
use scalekit::users::{
    CreateMembershipOptions, CreateUser, CreateUserAndMembershipOptions, CreateUserProfile,
    ListOrganizationUsersOptions, ListUsersOptions, MembershipStatus, Role,
    SearchOrganizationUsersOptions, SearchUsersOptions, UpdateMembershipOptions, UpdateUser,
    UpdateUserProfile, User,
};
use scalekit::{Code, Error, ErrorKind, ScalekitClient};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The `CreateUser` lib/user.js builds for
/// `{email, userProfile: {firstName, lastName}, metadata}`.
#[allow(deprecated)]
fn node_create_user() -> CreateUser {
    CreateUser {
        email: "john.doe@acme.com".to_owned(),
        user_profile: Some(CreateUserProfile {
            first_name: "John".to_owned(),
            last_name: "Doe".to_owned(),
            ..Default::default()
        }),
        metadata: HashMap::from([("department".to_owned(), "Engineering".to_owned())]),
        ..Default::default()
    }
}

/// The `UpdateUser` lib/user.js builds for
/// `{userProfile: {firstName, lastName}, metadata}`.
#[allow(deprecated)]
fn node_update_user() -> UpdateUser {
    UpdateUser {
        user_profile: Some(UpdateUserProfile {
            first_name: Some("Jane".to_owned()),
            last_name: Some("Doe".to_owned()),
            ..Default::default()
        }),
        metadata: HashMap::from([("title".to_owned(), "Staff Engineer".to_owned())]),
        ..Default::default()
    }
}

fn role(name: &str) -> Role {
    Role {
        name: name.to_owned(),
        ..Default::default()
    }
}

/// A new organization named `name`, through the facade.
async fn organization(client: &ScalekitClient, name: &str) -> anyhow::Result<String> {
    Ok(client
        .organizations()
        .create_organization(name, CreateOrganizationOptions::default())
        .await?
        .id)
}

/// The names of `user`'s roles in `organization_id`.
fn roles(user: &User, organization_id: &str) -> Vec<String> {
    user.memberships
        .iter()
        .filter(|m| m.organization_id == organization_id)
        .flat_map(|m| m.roles.iter().map(|r| r.name.clone()))
        .collect()
}

fn ids(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.id.clone()).collect()
}

// ---------------------------------------------------------------------------
// create_user_and_membership
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_user_and_membership_valid_returns_the_member() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;

    let user = client
        .users()
        .create_user_and_membership(
            &org,
            node_create_user(),
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .await?;

    ensure!(user.id.starts_with("usr_") && user.email == "john.doe@acme.com");
    ensure!(user.memberships.len() == 1 && user.memberships[0].organization_id == org);
    ensure!(
        user.memberships[0].membership_status == MembershipStatus::Active as i32,
        "no invitation, so active at once"
    );
    let profile = user.user_profile.as_ref().context("a profile")?;
    ensure!(
        profile.given_name == "John" && profile.family_name == "Doe",
        "the deprecated name fields fill the current ones: {profile:?}"
    );
    ensure!(user.metadata.get("department").map(String::as_str) == Some("Engineering"));
    Ok(())
}

#[tokio::test]
async fn create_user_and_membership_rejects_invalid_organization_id_or_blank_email(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for org in &invalid_ids("org") {
        let result = users
            .create_user_and_membership(org, node_create_user(), Default::default())
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    for email in ["", "  "] {
        let user = CreateUser {
            email: email.to_owned(),
            ..Default::default()
        };
        let result = users
            .create_user_and_membership("org_123", user, Default::default())
            .await;
        rejected_locally(&emulator, result, "email")?;
    }
    Ok(())
}

#[tokio::test]
async fn create_user_and_membership_existing_member_is_conflict() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    member(&client, &org, "john.doe@acme.com").await?;

    let result = client
        .users()
        .create_user_and_membership(&org, node_create_user(), Default::default())
        .await;

    let err = api_error(result, Code::AlreadyExists)?;
    ensure!(err.is_conflict() && err.http_status() == Some(409));
    Ok(())
}

// ---------------------------------------------------------------------------
// get_user, get_user_by_external_id
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_user_valid_returns_the_stored_user() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;

    let user = client.users().get_user(&id).await?;

    ensure!(user.id == id && user.email == "ada@acme.example");
    ensure!(user.memberships.len() == 1 && user.memberships[0].organization_id == org);
    Ok(())
}

#[tokio::test]
async fn get_user_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("usr") {
        rejected_locally(&emulator, client.users().get_user(id).await, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn get_user_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;

    let result = client.users().get_user("usr_404").await;

    let err = api_error(result, Code::NotFound)?;
    ensure!(err.is_not_found() && err.kind() == Some(ErrorKind::NotFound));
    Ok(())
}

#[tokio::test]
async fn get_user_by_external_id_valid_returns_that_user() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let created = client
        .users()
        .create_user_and_membership(
            &org,
            CreateUser {
                email: "ada@acme.example".to_owned(),
                external_id: Some("crm-4711".to_owned()),
                ..Default::default()
            },
            Default::default(),
        )
        .await?;

    let user = client.users().get_user_by_external_id("crm-4711").await?;

    ensure!(user.id == created.id);
    ensure!(user.external_id.as_deref() == Some("crm-4711"));
    Ok(())
}

#[tokio::test]
async fn get_user_by_external_id_rejects_blank_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", " \t"] {
        let result = client.users().get_user_by_external_id(id).await;
        rejected_locally(&emulator, result, "external_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn get_user_by_external_id_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client.users().get_user_by_external_id("crm-0000").await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// list_users, list_users_stream
// ---------------------------------------------------------------------------

/// An organization with `n` members, `user00@many.example`, … in order;
/// returns the organization id.
async fn many_members(client: &ScalekitClient, n: usize) -> anyhow::Result<String> {
    let org = organization(client, "Many").await?;
    for i in 0..n {
        member(client, &org, &format!("user{i:02}@many.example")).await?;
    }
    Ok(org)
}

#[tokio::test]
async fn list_users_valid_walks_pages_in_creation_order() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    many_members(&client, 25).await?;
    let users = client.users();

    let first = users
        .list_users(ListUsersOptions::default().with_page_size(10))
        .await?;
    ensure!(first.items.len() == 10 && first.total_size == 25);
    ensure!(
        first.prev_page_token.is_none(),
        "the first page has no previous one"
    );
    let token = first.next_page_token.clone().context("more pages")?;
    let second = users
        .list_users(
            ListUsersOptions::default()
                .with_page_size(10)
                .with_page_token(token),
        )
        .await?;
    ensure!(second.items[0].email == "user10@many.example");
    let token = second.next_page_token.clone().context("a third page")?;
    let last = users
        .list_users(
            ListUsersOptions::default()
                .with_page_size(10)
                .with_page_token(token),
        )
        .await?;
    ensure!(last.items.len() == 5);
    ensure!(
        last.next_page_token.is_none(),
        "the last page ends the list"
    );
    ensure!(last.prev_page_token.is_some());
    Ok(())
}

#[tokio::test]
async fn list_users_oversized_page_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .users()
        .list_users(ListUsersOptions::default().with_page_size(101))
        .await;
    ensure!(api_error(result, Code::InvalidArgument)?.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn list_users_stream_yields_every_user_one_page_at_a_time() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    many_members(&client, 6).await?;
    let mut stream = std::pin::pin!(client
        .users()
        .list_users_stream(ListUsersOptions::default().with_page_size(2)));
    ensure!(
        emulator.rpc_count("ListUsers") == 0,
        "nothing is fetched before polling"
    );

    let mut emails = Vec::new();
    for _ in 0..2 {
        emails.push(stream.try_next().await?.context("page 1")?.email);
    }
    ensure!(
        emulator.rpc_count("ListUsers") == 1,
        "page 2 fetched too early"
    );
    while let Some(user) = stream.try_next().await? {
        emails.push(user.email);
    }
    ensure!(stream.next().await.is_none(), "the stream stays ended");

    let expected: Vec<String> = (0..6).map(|i| format!("user{i:02}@many.example")).collect();
    ensure!(emails == expected, "emails {emails:?}");
    ensure!(emulator.rpc_count("ListUsers") == 3, "pages of 2, 2, 2");
    ensure!(emulator.token_requests() == 1, "one token for everything");
    Ok(())
}

// ---------------------------------------------------------------------------
// update_user
// ---------------------------------------------------------------------------

#[tokio::test]
async fn update_user_valid_changes_only_the_given_fields() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let created = client
        .users()
        .create_user_and_membership(&org, node_create_user(), Default::default())
        .await?;

    let user = client
        .users()
        .update_user(&created.id, node_update_user())
        .await?;

    ensure!(user.id == created.id && user.email == "john.doe@acme.com");
    ensure!(user.metadata.get("title").map(String::as_str) == Some("Staff Engineer"));
    let profile = user.user_profile.context("a profile")?;
    ensure!(profile.given_name == "Jane" && profile.family_name == "Doe");
    let fetched = client.users().get_user(&created.id).await?;
    ensure!(
        fetched.user_profile == Some(profile),
        "the update is stored"
    );
    Ok(())
}

#[tokio::test]
async fn update_user_modern_profile_fields_are_applied() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "jane@acme.example").await?;
    let update = UpdateUser {
        user_profile: Some(UpdateUserProfile {
            given_name: Some("Jane".to_owned()),
            family_name: Some("Doe".to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    };

    let user = client.users().update_user(&id, update).await?;

    let profile = user.user_profile.context("no profile")?;
    ensure!(profile.given_name == "Jane" && profile.family_name == "Doe");
    Ok(())
}

#[tokio::test]
async fn update_user_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("usr") {
        let result = client.users().update_user(id, node_update_user()).await;
        rejected_locally(&emulator, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn update_user_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .users()
        .update_user("usr_404", UpdateUser::default())
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// delete_user
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_user_valid_removes_the_user() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;

    client.users().delete_user(&id).await?;

    let gone = client.users().get_user(&id).await;
    ensure!(api_error(gone, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_user_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in &invalid_ids("usr") {
        rejected_locally(&emulator, client.users().delete_user(id).await, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn delete_user_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client.users().delete_user("usr_404").await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// create_membership
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_membership_valid_adds_a_membership_with_roles_and_metadata() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let id = member(&client, &acme, "ada@acme.example").await?;
    let opts = CreateMembershipOptions::default()
        .with_roles(["admin"])
        .with_metadata("department", "Finance")
        .with_send_invitation_email(true);

    let user = client.users().create_membership(&globex, &id, opts).await?;

    ensure!(user.id == id && user.memberships.len() == 2);
    ensure!(roles(&user, &globex) == ["admin"]);
    let joined = user
        .memberships
        .iter()
        .find(|m| m.organization_id == globex)
        .context("no membership in Globex")?;
    ensure!(joined.metadata.get("department").map(String::as_str) == Some("Finance"));
    ensure!(joined.membership_status == MembershipStatus::PendingInvite as i32);
    Ok(())
}

#[tokio::test]
async fn create_membership_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for id in &invalid_ids("usr") {
        let result = users
            .create_membership(id, "usr_456", Default::default())
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
        let result = users
            .create_membership("org_123", id, Default::default())
            .await;
        rejected_locally(&emulator, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn create_membership_existing_member_is_conflict() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;

    let result = client
        .users()
        .create_membership(&org, &id, Default::default())
        .await;

    ensure!(api_error(result, Code::AlreadyExists)?.is_conflict());
    Ok(())
}

// ---------------------------------------------------------------------------
// delete_membership
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_membership_valid_leaves_the_other_memberships() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let id = member(&client, &acme, "ada@acme.example").await?;
    client
        .users()
        .create_membership(&globex, &id, Default::default())
        .await?;

    client.users().delete_membership(&globex, &id).await?;

    let user = client.users().get_user(&id).await?;
    ensure!(user.memberships.len() == 1 && user.memberships[0].organization_id == acme);
    Ok(())
}

#[tokio::test]
async fn delete_membership_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for id in &invalid_ids("usr") {
        let result = users.delete_membership(id, "usr_456").await;
        rejected_locally(&emulator, result, "organization_id")?;
        let result = users.delete_membership("org_123", id).await;
        rejected_locally(&emulator, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn delete_membership_not_a_member_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let id = member(&client, &acme, "ada@acme.example").await?;

    let result = client.users().delete_membership(&globex, &id).await;

    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// update_membership
// ---------------------------------------------------------------------------

#[tokio::test]
async fn update_membership_valid_replaces_roles_and_metadata() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;
    let opts = UpdateMembershipOptions::default()
        .with_roles(["admin"])
        .with_metadata_map([("team", "Backend"), ("level", "senior")]);

    let user = client.users().update_membership(&org, &id, opts).await?;

    ensure!(user.id == id);
    ensure!(roles(&user, &org) == ["admin"], "{:?}", roles(&user, &org));
    let membership = user.memberships.first().context("no membership")?;
    ensure!(membership.metadata.get("team").map(String::as_str) == Some("Backend"));
    ensure!(membership.metadata.get("level").map(String::as_str) == Some("senior"));
    Ok(())
}

#[tokio::test]
async fn update_membership_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for id in &invalid_ids("usr") {
        let result = users
            .update_membership(id, "usr_456", Default::default())
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
        let result = users
            .update_membership("org_123", id, Default::default())
            .await;
        rejected_locally(&emulator, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn update_membership_unknown_role_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;

    let result = client
        .users()
        .update_membership(
            &org,
            &id,
            UpdateMembershipOptions::default().with_roles(["no-such-role"]),
        )
        .await;

    let err = api_error(result, Code::InvalidArgument)?;
    ensure!(err.is_invalid_argument() && err.http_status() == Some(400));
    ensure!(
        !matches!(err, Error::InvalidArgument { .. }),
        "a server error is Error::Api"
    );
    let user = client.users().get_user(&id).await?;
    ensure!(roles(&user, &org) == ["member"], "the roles are unchanged");
    Ok(())
}

// ---------------------------------------------------------------------------
// list_organization_users, list_organization_users_stream
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_organization_users_valid_lists_only_that_organizations_members() -> anyhow::Result<()>
{
    let (_emulator, client) = start().await?;
    let org = many_members(&client, 5).await?;
    let other = organization(&client, "Other").await?;
    member(&client, &other, "outsider@other.example").await?;
    let users = client.users();

    let first = users
        .list_organization_users(
            &org,
            ListOrganizationUsersOptions::default().with_page_size(2),
        )
        .await?;
    let token = first.next_page_token.clone().context("a second page")?;
    let second = users
        .list_organization_users(
            &org,
            ListOrganizationUsersOptions::default()
                .with_page_size(2)
                .with_page_token(token),
        )
        .await?;

    ensure!(first.total_size == 5 && second.total_size == 5);
    let emails: Vec<&str> = second.items.iter().map(|u| u.email.as_str()).collect();
    ensure!(
        emails == ["user02@many.example", "user03@many.example"],
        "{emails:?}"
    );
    ensure!(second
        .items
        .iter()
        .all(|u| u.memberships.iter().any(|m| m.organization_id == org)));
    ensure!(second.next_page_token.is_some(), "one more page");
    Ok(())
}

#[tokio::test]
async fn list_organization_users_rejects_invalid_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for id in &invalid_ids("org") {
        let result = users.list_organization_users(id, Default::default()).await;
        rejected_locally(&emulator, result, "organization_id")?;

        let items: Vec<_> = users
            .list_organization_users_stream(id, Default::default())
            .collect()
            .await;
        ensure!(items.len() == 1, "{id:?}: {} stream items", items.len());
        let result = items.into_iter().next().context("no item")?;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn list_organization_users_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .users()
        .list_organization_users("org_404", Default::default())
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_organization_users_stream_yields_every_member_page_by_page() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let org = many_members(&client, 25).await?;

    let members: Vec<_> = client
        .users()
        .list_organization_users_stream(
            &org,
            ListOrganizationUsersOptions::default().with_page_size(10),
        )
        .try_collect()
        .await?;

    ensure!(members.len() == 25);
    ensure!(
        emulator.rpc_count("ListOrganizationUsers") == 3,
        "pages of 10, 10, 5"
    );
    let everyone: Vec<_> = client
        .users()
        .list_users_stream(ListUsersOptions::default().with_page_size(7))
        .try_collect()
        .await?;
    ensure!(ids(&everyone) == ids(&members), "the same users, in order");
    Ok(())
}

// ---------------------------------------------------------------------------
// resend_invite
// ---------------------------------------------------------------------------

#[tokio::test]
async fn resend_invite_valid_counts_the_resend() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let invited = client
        .users()
        .create_user_and_membership(&org, node_create_user(), Default::default())
        .await?;
    ensure!(
        invited.memberships[0].membership_status == MembershipStatus::PendingInvite as i32,
        "invited by default"
    );

    let invite = client.users().resend_invite(&org, &invited.id).await?;

    ensure!(invite.organization_id == org && invite.user_id == invited.id);
    ensure!(invite.resent_count == 1, "{invite:?}");
    ensure!(
        client
            .users()
            .resend_invite(&org, &invited.id)
            .await?
            .resent_count
            == 2
    );
    Ok(())
}

#[tokio::test]
async fn resend_invite_rejects_invalid_ids() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for id in &invalid_ids("usr") {
        let result = users.resend_invite(id, "usr_456").await;
        rejected_locally(&emulator, result, "organization_id")?;
        let result = users.resend_invite("org_123", id).await;
        rejected_locally(&emulator, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn resend_invite_unknown_user_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let result = client.users().resend_invite(&org, "usr_404").await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn resend_invite_active_member_is_failed_precondition() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;
    let result = client.users().resend_invite(&org, &id).await;
    let err = api_error(result, Code::FailedPrecondition)?;
    ensure!(!err.is_not_found() && !err.is_retryable(), "{err:?}");
    Ok(())
}

// ---------------------------------------------------------------------------
// Every method, end to end
// ---------------------------------------------------------------------------

/// What one call writes, the next reads back, across every method.
#[tokio::test]
async fn users_round_trip_create_get_update_membership_and_delete() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let orgs = client.organizations();
    let acme = orgs
        .create_organization("Acme", CreateOrganizationOptions::default())
        .await?;
    let globex = orgs
        .create_organization("Globex", CreateOrganizationOptions::default())
        .await?;
    let users = client.users();

    let created = users
        .create_user_and_membership(
            &acme.id,
            CreateUser {
                email: "ada@acme.example".into(),
                external_id: Some("ada-1".into()),
                user_profile: Some(CreateUserProfile {
                    given_name: "Ada".into(),
                    family_name: "Lovelace".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default(),
        )
        .await?;
    ensure!(created.id.starts_with("usr_"));
    ensure!(roles(&created, &acme.id) == ["member"], "the default role");
    let pending = created.memberships[0].membership_status;
    ensure!(
        pending == MembershipStatus::PendingInvite as i32,
        "invited by default"
    );

    let fetched = users.get_user(&created.id).await?;
    ensure!(fetched.email == "ada@acme.example");
    ensure!(users.get_user_by_external_id("ada-1").await?.id == created.id);

    let invite = users.resend_invite(&acme.id, &created.id).await?;
    ensure!(invite.resent_count == 1, "{invite:?}");

    let updated = users
        .update_user(
            &created.id,
            UpdateUser {
                user_profile: Some(UpdateUserProfile {
                    given_name: Some("Augusta Ada".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await?;
    let profile = updated.user_profile.context("a profile")?;
    ensure!(profile.given_name == "Augusta Ada" && profile.family_name == "Lovelace");

    let promoted = users
        .update_membership(
            &acme.id,
            &created.id,
            UpdateMembershipOptions::default().with_roles(["admin"]),
        )
        .await?;
    ensure!(roles(&promoted, &acme.id) == ["admin"]);

    let joined = users
        .create_membership(
            &globex.id,
            &created.id,
            CreateMembershipOptions::default()
                .with_roles(["admin"])
                .with_send_invitation_email(false),
        )
        .await?;
    ensure!(roles(&joined, &globex.id) == ["admin"]);
    ensure!(joined.memberships.len() == 2);

    users.delete_membership(&globex.id, &created.id).await?;
    ensure!(users.get_user(&created.id).await?.memberships.len() == 1);
    let err = users
        .delete_membership(&globex.id, &created.id)
        .await
        .expect_err("already left");
    ensure!(err.is_not_found(), "{err:?}");

    let duplicate = users
        .create_user_and_membership(
            &acme.id,
            CreateUser {
                email: "ada@acme.example".into(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default(),
        )
        .await
        .expect_err("already a member");
    ensure!(duplicate.is_conflict(), "{duplicate:?}");

    users.delete_user(&created.id).await?;
    let gone = users.get_user(&created.id).await.expect_err("deleted");
    ensure!(gone.is_not_found(), "{gone:?}");
    Ok(())
}

// ---------------------------------------------------------------------------
// external ids on create_user_and_membership and update_user
// ---------------------------------------------------------------------------

#[tokio::test]
async fn update_user_external_id_is_forwarded_and_replaces_the_old_one() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let users = client.users();
    let created = users
        .create_user_and_membership(
            &org,
            CreateUser {
                email: "ada@acme.example".to_owned(),
                external_id: Some("crm-1".to_owned()),
                ..Default::default()
            },
            Default::default(),
        )
        .await?;
    ensure!(created.external_id.as_deref() == Some("crm-1"));

    let update = UpdateUser {
        external_id: Some("crm-2".to_owned()),
        ..Default::default()
    };
    let updated = users.update_user(&created.id, update).await?;

    ensure!(updated.external_id.as_deref() == Some("crm-2"));
    ensure!(users.get_user_by_external_id("crm-2").await?.id == created.id);
    let old = users.get_user_by_external_id("crm-1").await;
    ensure!(api_error(old, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn update_user_external_id_of_another_user_is_conflict() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    with_external_id(&client, &org, "ada@acme.example", "crm-1").await?;
    let grace = member(&client, &org, "grace@acme.example").await?;

    let update = UpdateUser {
        external_id: Some("crm-1".to_owned()),
        ..Default::default()
    };
    let result = client.users().update_user(&grace, update).await;

    ensure!(api_error(result, Code::AlreadyExists)?.is_conflict());
    Ok(())
}

// ---------------------------------------------------------------------------
// update_user_by_external_id, delete_user_by_external_id
// ---------------------------------------------------------------------------

/// A member of `org` with `email` and `external_id`; returns the user id.
async fn with_external_id(
    client: &ScalekitClient,
    org: &str,
    email: &str,
    external_id: &str,
) -> anyhow::Result<String> {
    let user = client
        .users()
        .create_user_and_membership(
            org,
            CreateUser {
                email: email.to_owned(),
                external_id: Some(external_id.to_owned()),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .await?;
    Ok(user.id)
}

#[tokio::test]
async fn update_user_by_external_id_valid_changes_that_user() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = with_external_id(&client, &org, "jane@acme.example", "crm-7").await?;
    let other = member(&client, &org, "john@acme.example").await?;

    let user = client
        .users()
        .update_user_by_external_id("crm-7", node_update_user())
        .await?;

    ensure!(user.id == id && user.external_id.as_deref() == Some("crm-7"));
    let profile = user.user_profile.as_ref().context("a profile")?;
    ensure!(profile.given_name == "Jane" && profile.family_name == "Doe");
    ensure!(user.metadata.get("title").map(String::as_str) == Some("Staff Engineer"));
    let untouched = client.users().get_user(&other).await?;
    ensure!(untouched.metadata.is_empty(), "{untouched:?}");
    Ok(())
}

#[tokio::test]
async fn update_user_by_external_id_rejects_blank_or_new_external_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", "  "] {
        let result = client
            .users()
            .update_user_by_external_id(id, node_update_user())
            .await;
        rejected_locally(&emulator, result, "external_id")?;
    }
    let renamed = UpdateUser {
        external_id: Some("crm-8".to_owned()),
        ..Default::default()
    };
    let result = client
        .users()
        .update_user_by_external_id("crm-7", renamed)
        .await;
    rejected_locally(&emulator, result, "user.external_id")
}

#[tokio::test]
async fn update_user_by_external_id_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .users()
        .update_user_by_external_id("crm-404", node_update_user())
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn delete_user_by_external_id_valid_removes_only_that_user() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = with_external_id(&client, &org, "ada@acme.example", "crm-1").await?;
    let other = member(&client, &org, "grace@acme.example").await?;

    client.users().delete_user_by_external_id("crm-1").await?;

    let gone = client.users().get_user(&id).await;
    ensure!(api_error(gone, Code::NotFound)?.is_not_found());
    ensure!(client.users().get_user(&other).await?.id == other);
    Ok(())
}

#[tokio::test]
async fn delete_user_by_external_id_rejects_blank_id() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for id in ["", "\t"] {
        let result = client.users().delete_user_by_external_id(id).await;
        rejected_locally(&emulator, result, "external_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn delete_user_by_external_id_unknown_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client.users().delete_user_by_external_id("crm-404").await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// create_, update_, delete_membership_by_external_id
// ---------------------------------------------------------------------------

#[tokio::test]
async fn membership_by_external_id_valid_creates_updates_and_deletes() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let id = with_external_id(&client, &acme, "ada@acme.example", "crm-1").await?;
    let users = client.users();

    let joined = users
        .create_membership_by_external_id(
            &globex,
            "crm-1",
            CreateMembershipOptions::default()
                .with_roles(["admin"])
                .with_metadata("team", "Ops")
                .with_send_invitation_email(false),
        )
        .await?;
    ensure!(joined.id == id && joined.memberships.len() == 2);
    ensure!(roles(&joined, &globex) == ["admin"]);

    let updated = users
        .update_membership_by_external_id(
            &globex,
            "crm-1",
            UpdateMembershipOptions::default().with_roles(["member"]),
        )
        .await?;
    ensure!(roles(&updated, &globex) == ["member"]);
    ensure!(
        roles(&updated, &acme) == ["member"],
        "the other membership stays"
    );

    users
        .delete_membership_by_external_id(&globex, "crm-1")
        .await?;
    let user = users.get_user(&id).await?;
    ensure!(user.memberships.len() == 1 && user.memberships[0].organization_id == acme);
    Ok(())
}

#[tokio::test]
async fn membership_by_external_id_rejects_invalid_organization_or_blank_external_id(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for org in &invalid_ids("org") {
        let result = users
            .create_membership_by_external_id(org, "crm-1", Default::default())
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
        let result = users
            .update_membership_by_external_id(org, "crm-1", Default::default())
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
        let result = users.delete_membership_by_external_id(org, "crm-1").await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    for id in ["", " "] {
        let result = users
            .create_membership_by_external_id("org_1", id, Default::default())
            .await;
        rejected_locally(&emulator, result, "external_id")?;
        let result = users
            .update_membership_by_external_id("org_1", id, Default::default())
            .await;
        rejected_locally(&emulator, result, "external_id")?;
        let result = users.delete_membership_by_external_id("org_1", id).await;
        rejected_locally(&emulator, result, "external_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn membership_by_external_id_errors_map_to_predicates() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    with_external_id(&client, &org, "ada@acme.example", "crm-1").await?;
    let users = client.users();

    let twice = users
        .create_membership_by_external_id(&org, "crm-1", Default::default())
        .await;
    ensure!(api_error(twice, Code::AlreadyExists)?.is_conflict());
    let unknown = users
        .create_membership_by_external_id(&org, "crm-404", Default::default())
        .await;
    ensure!(api_error(unknown, Code::NotFound)?.is_not_found());
    let bad_role = users
        .update_membership_by_external_id(
            &org,
            "crm-1",
            UpdateMembershipOptions::default().with_roles(["no-such-role"]),
        )
        .await;
    ensure!(api_error(bad_role, Code::InvalidArgument)?.is_invalid_argument());
    let other = organization(&client, "Globex").await?;
    let not_member = users
        .delete_membership_by_external_id(&other, "crm-1")
        .await;
    ensure!(api_error(not_member, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// list_user_roles, assign_user_roles, remove_user_role, list_user_permissions
// ---------------------------------------------------------------------------

fn role_names(roles: &[Role]) -> Vec<&str> {
    roles.iter().map(|r| r.name.as_str()).collect()
}

#[tokio::test]
async fn user_roles_valid_assign_list_and_remove() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;
    let users = client.users();
    ensure!(role_names(&users.list_user_roles(&org, &id).await?) == ["member"]);

    let now = users.assign_user_roles(&org, &id, ["admin"]).await?;
    ensure!(
        role_names(&now) == ["member", "admin"],
        "kept and added: {now:?}"
    );
    let again = users.assign_user_roles(&org, &id, ["admin"]).await?;
    ensure!(role_names(&again) == ["member", "admin"], "no duplicate");
    ensure!(role_names(&users.list_user_roles(&org, &id).await?) == ["member", "admin"]);

    users.remove_user_role(&org, &id, "member").await?;
    ensure!(role_names(&users.list_user_roles(&org, &id).await?) == ["admin"]);
    let user = users.get_user(&id).await?;
    ensure!(roles(&user, &org) == ["admin"], "the membership shows it");
    Ok(())
}

#[tokio::test]
async fn user_roles_reject_invalid_arguments() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for org in &invalid_ids("org") {
        rejected_locally(
            &emulator,
            users.list_user_roles(org, "usr_1").await,
            "organization_id",
        )?;
        let result = users.list_user_permissions(org, "usr_1").await;
        rejected_locally(&emulator, result, "organization_id")?;
        let result = users.assign_user_roles(org, "usr_1", ["admin"]).await;
        rejected_locally(&emulator, result, "organization_id")?;
        let result = users.remove_user_role(org, "usr_1", "admin").await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    for user in &invalid_ids("usr") {
        rejected_locally(
            &emulator,
            users.list_user_roles("org_1", user).await,
            "user_id",
        )?;
        let result = users.list_user_permissions("org_1", user).await;
        rejected_locally(&emulator, result, "user_id")?;
        let result = users.assign_user_roles("org_1", user, ["admin"]).await;
        rejected_locally(&emulator, result, "user_id")?;
        let result = users.remove_user_role("org_1", user, "admin").await;
        rejected_locally(&emulator, result, "user_id")?;
    }
    let none: Vec<String> = Vec::new();
    let result = users.assign_user_roles("org_1", "usr_1", none).await;
    rejected_locally(&emulator, result, "roles")?;
    let result = users
        .assign_user_roles("org_1", "usr_1", ["admin", " "])
        .await;
    rejected_locally(&emulator, result, "roles")?;
    let result = users.remove_user_role("org_1", "usr_1", "").await;
    rejected_locally(&emulator, result, "role_name")
}

#[tokio::test]
async fn user_roles_server_errors_map_to_predicates() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;
    let other = organization(&client, "Globex").await?;
    let users = client.users();

    let not_member = users.list_user_roles(&other, &id).await;
    ensure!(api_error(not_member, Code::NotFound)?.is_not_found());
    let unknown_user = users.list_user_permissions(&org, "usr_404").await;
    ensure!(api_error(unknown_user, Code::NotFound)?.is_not_found());
    let unknown_role = users.assign_user_roles(&org, &id, ["no-such-role"]).await;
    ensure!(api_error(unknown_role, Code::InvalidArgument)?.is_invalid_argument());
    let not_held = users.remove_user_role(&org, &id, "admin").await;
    ensure!(api_error(not_held, Code::NotFound)?.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_user_permissions_valid_includes_inherited_ones_once() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    for name in ["read:reports", "export:reports"] {
        client
            .permissions()
            .create_permission(CreatePermission {
                name: name.to_owned(),
                description: format!("may {name}"),
            })
            .await?;
    }
    let role = |name: &str, extends: Option<&str>, permissions: &[&str]| CreateRole {
        name: name.to_owned(),
        display_name: name.to_owned(),
        extends: extends.map(str::to_owned),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        ..Default::default()
    };
    let roles = client.roles();
    roles
        .create_role(role("viewer", None, &["read:reports"]))
        .await?;
    roles
        .create_role(role("analyst", Some("viewer"), &["export:reports"]))
        .await?;
    let org = organization(&client, "Acme").await?;
    let id = member(&client, &org, "ada@acme.example").await?;
    let users = client.users();
    let before = users.list_user_permissions(&org, &id).await?;
    ensure!(
        !before.iter().any(|p| p.name.ends_with(":reports")),
        "{before:?}"
    );

    users
        .assign_user_roles(&org, &id, ["analyst", "viewer"])
        .await?;
    let permissions = users.list_user_permissions(&org, &id).await?;

    let mut names: Vec<&str> = permissions
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| n.ends_with(":reports"))
        .collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    ensure!(
        count == names.len(),
        "each permission once: {permissions:?}"
    );
    ensure!(
        names == ["export:reports", "read:reports"],
        "{permissions:?}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// search_users, search_organization_users and their streams
// ---------------------------------------------------------------------------

#[tokio::test]
async fn search_users_valid_matches_across_organizations() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let ada = member(&client, &acme, "ada.lovelace@acme.example").await?;
    let ada2 = member(&client, &globex, "ada.byron@globex.example").await?;
    member(&client, &acme, "grace@acme.example").await?;

    let page = client
        .users()
        .search_users("ada.", SearchUsersOptions::default())
        .await?;

    ensure!(ids(&page.items) == [ada, ada2], "{:?}", page.items);
    ensure!(page.total_size == 2 && page.next_page_token.is_none());
    Ok(())
}

#[tokio::test]
async fn search_users_stream_yields_every_match_one_page_at_a_time() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let org = many_members(&client, 5).await?;
    member(&client, &org, "someone@else.example").await?;
    let before = emulator.total_rpcs();

    let opts = SearchUsersOptions::default().with_page_size(2);
    let found: Vec<User> = client
        .users()
        .search_users_stream("@many.example", opts)
        .try_collect()
        .await?;

    let emails: Vec<&str> = found.iter().map(|u| u.email.as_str()).collect();
    ensure!(
        emails
            == [
                "user00@many.example",
                "user01@many.example",
                "user02@many.example",
                "user03@many.example",
                "user04@many.example"
            ],
        "{emails:?}"
    );
    ensure!(emulator.total_rpcs() - before == 3, "three pages of two");
    Ok(())
}

#[tokio::test]
async fn search_users_rejects_blank_query() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for query in ["", "   "] {
        let result = client.users().search_users(query, Default::default()).await;
        rejected_locally(&emulator, result, "query")?;
        let items: Vec<_> = client
            .users()
            .search_users_stream(query, Default::default())
            .collect()
            .await;
        ensure!(items.len() == 1, "one item: {items:?}");
        let first = items.into_iter().next().context("one item")?;
        rejected_locally(&emulator, first, "query")?;
    }
    Ok(())
}

#[tokio::test]
async fn search_users_oversized_page_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let opts = SearchUsersOptions::default().with_page_size(31);
    let result = client.users().search_users("ada", opts).await;
    let err = api_error(result, Code::InvalidArgument)?;
    ensure!(err.is_invalid_argument() && err.kind() == Some(ErrorKind::BadRequest));
    Ok(())
}

#[tokio::test]
async fn search_organization_users_valid_matches_only_members() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let acme = organization(&client, "Acme").await?;
    let globex = organization(&client, "Globex").await?;
    let ada = member(&client, &acme, "ada@acme.example").await?;
    member(&client, &globex, "ada@globex.example").await?;
    member(&client, &acme, "grace@acme.example").await?;

    let page = client
        .users()
        .search_organization_users(&acme, "ada", SearchOrganizationUsersOptions::default())
        .await?;

    ensure!(ids(&page.items) == [ada], "{:?}", page.items);
    ensure!(page.total_size == 1);
    Ok(())
}

#[tokio::test]
async fn search_organization_users_stream_yields_every_match() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = many_members(&client, 3).await?;

    let opts = SearchOrganizationUsersOptions::default().with_page_size(1);
    let found: Vec<User> = client
        .users()
        .search_organization_users_stream(&org, "many", opts)
        .try_collect()
        .await?;

    ensure!(found.len() == 3, "{found:?}");
    Ok(())
}

#[tokio::test]
async fn search_organization_users_rejects_invalid_id_or_blank_query() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let users = client.users();
    for org in &invalid_ids("org") {
        let result = users
            .search_organization_users(org, "ada", Default::default())
            .await;
        rejected_locally(&emulator, result, "organization_id")?;
    }
    let result = users
        .search_organization_users("org_1", " ", Default::default())
        .await;
    rejected_locally(&emulator, result, "query")
}

#[tokio::test]
async fn search_organization_users_unknown_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let result = client
        .users()
        .search_organization_users("org_404", "ada", Default::default())
        .await;
    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// What the SDK sends, and how each code maps: the recording double
// ---------------------------------------------------------------------------

/// Against [`common::recording::TestServer`], which records every request
/// message: the SDK sends what the reference Node SDK sends, the streams
/// fetch lazily, and every gRPC code maps to its predicates.
mod wire {
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    use anyhow::{bail, ensure, Context as _};
    use futures::{StreamExt as _, TryStreamExt as _};
    use scalekit::proto::users::{
        create_membership_request, delete_membership_request, delete_user_request,
        get_user_request, update_membership_request, update_user_request, CreateMembershipRequest,
        CreateUserAndMembershipRequest, DeleteMembershipRequest, DeleteUserRequest, GetUserRequest,
        ListOrganizationUsersRequest, ListUsersRequest, ResendInviteRequest, UpdateMembership,
        UpdateMembershipRequest, UpdateUserRequest,
    };
    use scalekit::users::{
        CreateMembership, CreateMembershipOptions, CreateUser, CreateUserAndMembershipOptions,
        ListOrganizationUsersOptions, ListUsersOptions, UpdateMembershipOptions, UpdateUser,
        UpdateUserProfile, UsersClient,
    };
    use scalekit::{Error, ErrorKind};
    use tonic::Status;

    use super::common::recording::{listed_user_id, RecordedRequest, TestServer, TOTAL_USERS};
    use super::{node_create_user, node_update_user, role};

    /// The request of the one RPC the server received.
    fn only_request(server: &TestServer) -> anyhow::Result<RecordedRequest> {
        let requests = server.requests();
        ensure!(requests.len() == 1, "expected one RPC, got {requests:?}");
        ensure!(
            server.token_request_count() == 1,
            "{} token requests",
            server.token_request_count()
        );
        requests.into_iter().next().context("no request")
    }

    /// The ids a page or stream of the canned list users carries.
    fn listed(numbers: impl IntoIterator<Item = u32>) -> Vec<String> {
        numbers.into_iter().map(listed_user_id).collect()
    }

    #[tokio::test]
    async fn create_user_and_membership_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let opts = CreateUserAndMembershipOptions::default().with_send_invitation_email(false);

        let user = server
            .client()
            .users()
            .create_user_and_membership("org_123", node_create_user(), opts)
            .await?;

        ensure!(user.id == "usr_new" && user.email == "john.doe@acme.com");
        ensure!(user.memberships.len() == 1 && user.memberships[0].organization_id == "org_123");
        let expected = CreateUserAndMembershipRequest {
            organization_id: "org_123".to_owned(),
            user: Some(node_create_user()),
            send_invitation_email: Some(false),
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::CreateUserAndMembership(expected),
            "got {got:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn create_user_and_membership_default_options_leave_invitation_unset(
    ) -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let user = CreateUser {
            email: "jane.smith@acme.com".to_owned(),
            ..Default::default()
        };

        server
            .client()
            .users()
            .create_user_and_membership("org_123", user.clone(), Default::default())
            .await?;

        // Node: `sendInvitationEmail: undefined` leaves the optional field unset.
        let expected = CreateUserAndMembershipRequest {
            organization_id: "org_123".to_owned(),
            user: Some(user),
            send_invitation_email: None,
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::CreateUserAndMembership(expected),
            "got {got:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn get_user_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        let user = server.client().users().get_user("usr_123").await?;

        ensure!(user.id == "usr_123" && user.email == "usr_123@example.com");
        let expected = GetUserRequest {
            identities: Some(get_user_request::Identities::Id("usr_123".to_owned())),
        };
        let got = only_request(&server)?;
        ensure!(got == RecordedRequest::GetUser(expected), "got {got:?}");
        Ok(())
    }

    #[tokio::test]
    async fn get_user_by_external_id_valid_selects_external_id() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        let user = server
            .client()
            .users()
            .get_user_by_external_id("crm-4711")
            .await?;

        ensure!(user.external_id.as_deref() == Some("crm-4711"));
        let expected = GetUserRequest {
            identities: Some(get_user_request::Identities::ExternalId(
                "crm-4711".to_owned(),
            )),
        };
        let got = only_request(&server)?;
        ensure!(got == RecordedRequest::GetUser(expected), "got {got:?}");
        Ok(())
    }

    #[tokio::test]
    async fn list_users_valid_sends_reference_request_and_returns_page() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        let page = server
            .client()
            .users()
            .list_users(ListUsersOptions::default().with_page_size(2))
            .await?;

        let ids: Vec<String> = page.items.iter().map(|u| u.id.clone()).collect();
        ensure!(ids == listed([1, 2]), "ids {ids:?}");
        ensure!(page.next_page_token.as_deref() == Some("p2"));
        ensure!(page.prev_page_token.is_none());
        ensure!(page.total_size == TOTAL_USERS);
        let expected = ListUsersRequest {
            page_size: 2,
            page_token: String::new(),
        };
        let got = only_request(&server)?;
        ensure!(got == RecordedRequest::ListUsers(expected), "got {got:?}");
        Ok(())
    }

    #[tokio::test]
    async fn list_users_page_token_and_defaults_sent_as_reference() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let users = server.client().users();

        // Node: `{pageSize: undefined, pageToken: undefined}` → proto defaults.
        users.list_users(ListUsersOptions::default()).await?;
        let last = users
            .list_users(ListUsersOptions::default().with_page_token("p3"))
            .await?;

        ensure!(last.next_page_token.is_none());
        ensure!(last.prev_page_token.as_deref() == Some("p2"));
        let expected = [
            RecordedRequest::ListUsers(ListUsersRequest::default()),
            RecordedRequest::ListUsers(ListUsersRequest {
                page_size: 0,
                page_token: "p3".to_owned(),
            }),
        ];
        ensure!(server.requests() == expected, "got {:?}", server.requests());
        Ok(())
    }

    #[tokio::test]
    async fn list_users_stream_walks_three_pages_lazily() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let opts = ListUsersOptions::default().with_page_size(2);
        let mut stream = std::pin::pin!(server.client().users().list_users_stream(opts));
        ensure!(server.rpc_count() == 0, "nothing is fetched before polling");

        let mut ids = Vec::new();
        for _ in 0..2 {
            ids.push(stream.try_next().await?.context("page 1")?.id);
        }
        ensure!(server.rpc_count() == 1, "page 2 fetched too early");
        ids.push(stream.try_next().await?.context("page 2")?.id);
        ensure!(
            server.rpc_count() == 2,
            "{} RPCs after page 2",
            server.rpc_count()
        );
        while let Some(user) = stream.try_next().await? {
            ids.push(user.id);
        }
        ensure!(stream.next().await.is_none(), "the stream stays ended");

        ensure!(ids == listed(1..=6), "ids {ids:?}");
        let expected: Vec<_> = ["", "p2", "p3"]
            .into_iter()
            .map(|token| {
                RecordedRequest::ListUsers(ListUsersRequest {
                    page_size: 2,
                    page_token: token.to_owned(),
                })
            })
            .collect();
        ensure!(server.requests() == expected, "got {:?}", server.requests());
        ensure!(server.token_request_count() == 1);
        Ok(())
    }

    #[tokio::test]
    async fn list_users_stream_server_error_yields_once_then_ends() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let mut stream = std::pin::pin!(server
            .client()
            .users()
            .list_users_stream(Default::default()));
        stream.try_next().await?.context("first user")?;
        stream.try_next().await?.context("second user")?;

        server.fail_next(1, Status::not_found("page expired"));
        let err = match stream.next().await {
            Some(Err(err)) => err,
            other => bail!("expected an error, got {other:?}"),
        };
        ensure!(err.is_not_found(), "{err:?}");
        ensure!(
            stream.next().await.is_none(),
            "the stream ends after an error"
        );
        ensure!(server.rpc_count() == 2);
        Ok(())
    }

    /// The bound of `pagination::MAX_CONSECUTIVE_EMPTY_PAGES`.
    const MAX_CONSECUTIVE_EMPTY_PAGES: usize = 16;

    #[tokio::test]
    async fn list_users_stream_endless_empty_pages_ends_with_malformed_response(
    ) -> anyhow::Result<()> {
        let server = TestServer::start().await;
        server.serve_endless_empty_pages();
        let stream = server
            .client()
            .users()
            .list_users_stream(ListUsersOptions::default());

        // Without the bound this stream never ends: the timeout fails it.
        let results: Vec<_> = tokio::time::timeout(Duration::from_secs(20), stream.collect())
            .await
            .context("the stream did not end")?;

        let [Err(err)] = results.as_slice() else {
            bail!("expected one error and nothing else, got {results:?}");
        };
        ensure!(
            matches!(err, Error::MalformedResponse("next_page_token")),
            "{err:?}"
        );
        ensure!(err.code().is_none() && !err.is_retryable(), "{err:?}");
        let fetched = server.rpc_count_for("ListUsers");
        ensure!(
            fetched == MAX_CONSECUTIVE_EMPTY_PAGES,
            "{fetched} pages fetched"
        );
        Ok(())
    }

    #[tokio::test]
    async fn list_users_stream_slow_page_ends_by_the_client_timeout() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let timeout = Duration::from_millis(300);
        let client = server.builder().timeout(timeout).build()?;
        let mut stream = std::pin::pin!(client
            .users()
            .list_users_stream(ListUsersOptions::default()));
        stream.try_next().await?.context("first user")?;
        stream.try_next().await?.context("second user")?;

        // The next page stalls far beyond the timeout; the page fetch must
        // give up by the client's own deadline.
        server.set_rpc_delay(Duration::from_secs(60));
        let started = Instant::now();
        let next = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .context("the page fetch hung")?;
        let elapsed = started.elapsed();

        let Some(Err(err)) = next else {
            bail!("expected an error, got {next:?}");
        };
        ensure!(matches!(err, Error::Timeout), "{err:?}");
        // Generous slack for a busy machine, far below the server's delay.
        ensure!(
            elapsed < timeout + Duration::from_secs(3),
            "ended after {elapsed:?}"
        );
        ensure!(
            stream.next().await.is_none(),
            "the stream ends after the timeout"
        );
        ensure!(
            server.rpc_count_for("ListUsers") == 2,
            "a timed-out page is not retried"
        );
        Ok(())
    }

    #[tokio::test]
    async fn update_user_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        let user = server
            .client()
            .users()
            .update_user("usr_123", node_update_user())
            .await?;

        ensure!(user.id == "usr_123");
        ensure!(user.metadata.get("title").map(String::as_str) == Some("Staff Engineer"));
        let expected = UpdateUserRequest {
            identities: Some(update_user_request::Identities::Id("usr_123".to_owned())),
            user: Some(node_update_user()),
        };
        let got = only_request(&server)?;
        ensure!(got == RecordedRequest::UpdateUser(expected), "got {got:?}");
        Ok(())
    }

    #[tokio::test]
    async fn update_user_modern_profile_fields_sent_as_given() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let update = UpdateUser {
            user_profile: Some(UpdateUserProfile {
                given_name: Some("Jane".to_owned()),
                family_name: Some("Doe".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        };

        let user = server
            .client()
            .users()
            .update_user("usr_123", update.clone())
            .await?;

        let profile = user.user_profile.context("no profile")?;
        ensure!(profile.given_name == "Jane" && profile.family_name == "Doe");
        let expected = UpdateUserRequest {
            identities: Some(update_user_request::Identities::Id("usr_123".to_owned())),
            user: Some(update),
        };
        let got = only_request(&server)?;
        ensure!(got == RecordedRequest::UpdateUser(expected), "got {got:?}");
        Ok(())
    }

    #[tokio::test]
    async fn delete_user_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        server.client().users().delete_user("usr_123").await?;

        let expected = DeleteUserRequest {
            identities: Some(delete_user_request::Identities::Id("usr_123".to_owned())),
        };
        let got = only_request(&server)?;
        ensure!(got == RecordedRequest::DeleteUser(expected), "got {got:?}");
        Ok(())
    }

    #[tokio::test]
    async fn create_membership_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let opts = CreateMembershipOptions::default()
            .with_roles(["admin", "billing"])
            .with_metadata("department", "Finance")
            .with_send_invitation_email(true);

        let user = server
            .client()
            .users()
            .create_membership("org_123", "usr_456", opts)
            .await?;

        ensure!(user.id == "usr_456");
        let membership = user.memberships.first().context("no membership")?;
        ensure!(membership.organization_id == "org_123");
        ensure!(membership.roles == [role("admin"), role("billing")]);
        // Node: roles as `{name}` only, metadata as given, no inviter email.
        let expected = CreateMembershipRequest {
            organization_id: "org_123".to_owned(),
            membership: Some(CreateMembership {
                roles: vec![role("admin"), role("billing")],
                metadata: HashMap::from([("department".to_owned(), "Finance".to_owned())]),
                inviter_email: None,
            }),
            identities: Some(create_membership_request::Identities::Id(
                "usr_456".to_owned(),
            )),
            send_invitation_email: Some(true),
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::CreateMembership(expected),
            "got {got:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn create_membership_default_options_send_empty_membership() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        server
            .client()
            .users()
            .create_membership("org_123", "usr_456", Default::default())
            .await?;

        // Node: `roles: []`, `metadata: {}`, `sendInvitationEmail: undefined`.
        let expected = CreateMembershipRequest {
            organization_id: "org_123".to_owned(),
            membership: Some(CreateMembership::default()),
            identities: Some(create_membership_request::Identities::Id(
                "usr_456".to_owned(),
            )),
            send_invitation_email: None,
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::CreateMembership(expected),
            "got {got:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn delete_membership_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        server
            .client()
            .users()
            .delete_membership("org_123", "usr_456")
            .await?;

        let expected = DeleteMembershipRequest {
            organization_id: "org_123".to_owned(),
            identities: Some(delete_membership_request::Identities::Id(
                "usr_456".to_owned(),
            )),
            cascade: None,
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::DeleteMembership(expected),
            "got {got:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn update_membership_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let opts = UpdateMembershipOptions::default()
            .with_roles(["member"])
            .with_metadata_map([("team", "Backend"), ("level", "senior")]);

        let user = server
            .client()
            .users()
            .update_membership("org_123", "usr_456", opts)
            .await?;

        ensure!(user.id == "usr_456");
        ensure!(user.memberships.first().map(|m| m.roles.clone()) == Some(vec![role("member")]));
        let expected = UpdateMembershipRequest {
            organization_id: "org_123".to_owned(),
            identities: Some(update_membership_request::Identities::Id(
                "usr_456".to_owned(),
            )),
            membership: Some(UpdateMembership {
                roles: vec![role("member")],
                metadata: HashMap::from([
                    ("team".to_owned(), "Backend".to_owned()),
                    ("level".to_owned(), "senior".to_owned()),
                ]),
            }),
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::UpdateMembership(expected),
            "got {got:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn update_membership_default_options_send_empty_membership() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        server
            .client()
            .users()
            .update_membership("org_123", "usr_456", Default::default())
            .await?;

        // Node: `roles: []`, `metadata: {}`; the membership is always present.
        let expected = UpdateMembershipRequest {
            organization_id: "org_123".to_owned(),
            identities: Some(update_membership_request::Identities::Id(
                "usr_456".to_owned(),
            )),
            membership: Some(UpdateMembership::default()),
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::UpdateMembership(expected),
            "got {got:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn list_organization_users_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let opts = ListOrganizationUsersOptions::default()
            .with_page_size(2)
            .with_page_token("p2");

        let page = server
            .client()
            .users()
            .list_organization_users("org_123", opts)
            .await?;

        let ids: Vec<String> = page.items.iter().map(|u| u.id.clone()).collect();
        ensure!(ids == listed([3, 4]), "ids {ids:?}");
        ensure!(page
            .items
            .iter()
            .all(|u| u.memberships.iter().any(|m| m.organization_id == "org_123")));
        ensure!(page.next_page_token.as_deref() == Some("p3"));
        ensure!(page.total_size == TOTAL_USERS);
        let expected = ListOrganizationUsersRequest {
            organization_id: "org_123".to_owned(),
            page_size: 2,
            page_token: "p2".to_owned(),
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::ListOrganizationUsers(expected),
            "got {got:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn list_organization_users_stream_walks_three_pages_lazily() -> anyhow::Result<()> {
        let server = TestServer::start().await;
        let opts = ListOrganizationUsersOptions::default().with_page_size(2);
        let stream = server
            .client()
            .users()
            .list_organization_users_stream("org_123", opts);
        let mut stream = std::pin::pin!(stream);
        ensure!(server.rpc_count() == 0, "nothing is fetched before polling");

        let mut ids = Vec::new();
        for _ in 0..2 {
            ids.push(stream.try_next().await?.context("page 1")?.id);
        }
        ensure!(server.rpc_count() == 1, "page 2 fetched too early");
        while let Some(user) = stream.try_next().await? {
            ensure!(user
                .memberships
                .iter()
                .any(|m| m.organization_id == "org_123"));
            ids.push(user.id);
        }

        ensure!(ids == listed(1..=6), "ids {ids:?}");
        let expected: Vec<_> = ["", "p2", "p3"]
            .into_iter()
            .map(|token| {
                RecordedRequest::ListOrganizationUsers(ListOrganizationUsersRequest {
                    organization_id: "org_123".to_owned(),
                    page_size: 2,
                    page_token: token.to_owned(),
                })
            })
            .collect();
        ensure!(server.requests() == expected, "got {:?}", server.requests());
        Ok(())
    }

    #[tokio::test]
    async fn resend_invite_valid_sends_reference_request() -> anyhow::Result<()> {
        let server = TestServer::start().await;

        let invite = server
            .client()
            .users()
            .resend_invite("org_123", "usr_456")
            .await?;

        ensure!(invite.organization_id == "org_123" && invite.user_id == "usr_456");
        ensure!(invite.status == "pending_invite" && invite.resent_count == 1);
        let expected = ResendInviteRequest {
            organization_id: "org_123".to_owned(),
            id: "usr_456".to_owned(),
        };
        let got = only_request(&server)?;
        ensure!(
            got == RecordedRequest::ResendInvite(expected),
            "got {got:?}"
        );
        Ok(())
    }

    /// Calls `method` with well-formed arguments, keeping only the outcome.
    async fn call(users: &UsersClient, method: &str) -> anyhow::Result<scalekit::Result<()>> {
        Ok(match method {
            "CreateUserAndMembership" => users
                .create_user_and_membership("org_123", node_create_user(), Default::default())
                .await
                .map(drop),
            "GetUser" => users.get_user("usr_404").await.map(drop),
            "ListUsers" => users.list_users(Default::default()).await.map(drop),
            "UpdateUser" => users
                .update_user("usr_404", UpdateUser::default())
                .await
                .map(drop),
            "DeleteUser" => users.delete_user("usr_404").await,
            "CreateMembership" => users
                .create_membership("org_123", "usr_456", Default::default())
                .await
                .map(drop),
            "DeleteMembership" => users.delete_membership("org_123", "usr_456").await,
            "UpdateMembership" => users
                .update_membership(
                    "org_123",
                    "usr_456",
                    UpdateMembershipOptions::default().with_roles(["nope"]),
                )
                .await
                .map(drop),
            "ListOrganizationUsers" => users
                .list_organization_users("org_404", Default::default())
                .await
                .map(drop),
            "ResendInvite" => users.resend_invite("org_123", "usr_456").await.map(drop),
            other => bail!("no call for {other}"),
        })
    }

    /// Each gRPC code the server answers maps to its predicates, kind and
    /// HTTP status, whichever method it answers. The codes are injected:
    /// the point is the mapping, not a server condition (the emulator tests
    /// above produce real ones).
    #[tokio::test]
    async fn server_errors_map_to_predicates_kind_and_http_status() -> anyhow::Result<()> {
        type Check = fn(&Error) -> bool;
        let table: [(&str, Status, Check); 10] = [
            (
                "CreateUserAndMembership",
                Status::already_exists("email already in use"),
                |e| e.is_conflict() && e.http_status() == Some(409),
            ),
            (
                "GetUser",
                Status::not_found("user usr_404 does not exist"),
                |e| e.is_not_found() && e.kind() == Some(ErrorKind::NotFound),
            ),
            ("ListUsers", Status::permission_denied("no access"), |e| {
                e.kind() == Some(ErrorKind::Forbidden)
                    && e.http_status() == Some(403)
                    && !e.is_unauthenticated()
            }),
            (
                "UpdateUser",
                Status::not_found("no such user"),
                Error::is_not_found,
            ),
            (
                "DeleteUser",
                Status::not_found("no such user"),
                Error::is_not_found,
            ),
            (
                "CreateMembership",
                Status::already_exists("already a member"),
                Error::is_conflict,
            ),
            (
                "DeleteMembership",
                Status::not_found("no such membership"),
                Error::is_not_found,
            ),
            (
                "UpdateMembership",
                Status::invalid_argument("unknown role"),
                |e| {
                    e.is_invalid_argument()
                        && e.http_status() == Some(400)
                        && !matches!(e, Error::InvalidArgument { .. })
                },
            ),
            (
                "ListOrganizationUsers",
                Status::not_found("no such organization"),
                Error::is_not_found,
            ),
            (
                "ResendInvite",
                Status::not_found("no pending invite"),
                Error::is_not_found,
            ),
        ];
        let server = TestServer::start().await;
        let users = server.client().users();
        for (method, status, check) in table {
            let code = status.code();
            server.fail_next(1, status);
            let err = match call(&users, method).await? {
                Err(err) => err,
                Ok(()) => bail!("{method}: expected {code:?}, got a success"),
            };
            ensure!(
                err.code() == Some(code),
                "{method}: expected {code:?}, got {err:?}"
            );
            ensure!(check(&err), "{method}: {code:?} mapped to {err:?}");
            ensure!(
                server.rpc_count_for(method) == 1,
                "{method}: {} calls",
                server.rpc_count_for(method)
            );
        }
        ensure!(
            server.pending_faults() == 0,
            "every injected error was served"
        );
        Ok(())
    }
}
