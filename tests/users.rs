//! `client.users()`: every facade method against the recording test server
//! and against `scalekit-emulator`.
//!
//! Against the test server, for each method: it succeeds; the server
//! receives exactly the request the reference Node SDK (`@scalekit-sdk/node`
//! 2.2.2, `lib/user.js`) builds for the same arguments; invalid arguments fail
//! before any I/O (no token request, no RPC); and a server error maps to the
//! right predicate. Against the emulator (the `emulator` module at the end),
//! the methods round-trip real state.

mod common;

use std::collections::HashMap;
use std::fmt::Debug;

use anyhow::{bail, ensure, Context as _};
use common::{listed_user_id, RecordedRequest, TestServer, TOTAL_USERS};
use futures::{StreamExt as _, TryStreamExt as _};
use scalekit::proto::users::{
    create_membership_request, delete_membership_request, delete_user_request, get_user_request,
    update_membership_request, update_user_request, CreateMembershipRequest,
    CreateUserAndMembershipRequest, DeleteMembershipRequest, DeleteUserRequest, GetUserRequest,
    ListOrganizationUsersRequest, ListUsersRequest, ResendInviteRequest, UpdateMembership,
    UpdateMembershipRequest, UpdateUserRequest,
};
use scalekit::users::{
    CreateMembership, CreateMembershipOptions, CreateUser, CreateUserAndMembershipOptions,
    CreateUserProfile, ListOrganizationUsersOptions, ListUsersOptions, Role,
    UpdateMembershipOptions, UpdateUser, UpdateUserProfile,
};
use scalekit::{Code, Error, ErrorKind};
use tonic::Status;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

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

/// `result` is `Error::InvalidArgument` naming `field`, and nothing reached
/// the server: no token request, no RPC.
fn check_rejected_before_io<T: Debug>(
    server: &TestServer,
    result: scalekit::Result<T>,
    field: &str,
) -> anyhow::Result<()> {
    match &result {
        Err(Error::InvalidArgument { field: named, .. }) => {
            ensure!(*named == field, "named field {named:?}, expected {field:?}")
        }
        other => bail!("expected InvalidArgument for {field:?}, got {other:?}"),
    }
    let err = result.expect_err("checked above");
    ensure!(err.is_invalid_argument() && err.code().is_none());
    ensure!(
        server.token_request_count() == 0,
        "{field}: {} token requests",
        server.token_request_count()
    );
    ensure!(
        server.rpc_count() == 0,
        "{field}: {} RPCs",
        server.rpc_count()
    );
    Ok(())
}

/// `result` is the server's error `code`.
fn api_error<T: Debug>(result: scalekit::Result<T>, code: Code) -> anyhow::Result<Error> {
    let err = match result {
        Err(err) => err,
        Ok(value) => bail!("expected {code:?}, got {value:?}"),
    };
    ensure!(err.code() == Some(code), "expected {code:?}, got {err:?}");
    Ok(err)
}

/// The ids a page or stream of the canned list users carries.
fn listed(numbers: impl IntoIterator<Item = u32>) -> Vec<String> {
    numbers.into_iter().map(listed_user_id).collect()
}

const INVALID_IDS: [&str; 4] = ["", "   ", " usr_1", "usr/1"];

// ---------------------------------------------------------------------------
// create_user_and_membership
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
async fn create_user_and_membership_default_options_leave_invitation_unset() -> anyhow::Result<()> {
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
async fn create_user_and_membership_invalid_arguments_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for org in INVALID_IDS {
        let result = users
            .create_user_and_membership(org, node_create_user(), Default::default())
            .await;
        check_rejected_before_io(&server, result, "organization_id")?;
    }
    for email in ["", "  "] {
        let user = CreateUser {
            email: email.to_owned(),
            ..Default::default()
        };
        let result = users
            .create_user_and_membership("org_123", user, Default::default())
            .await;
        check_rejected_before_io(&server, result, "email")?;
    }
    Ok(())
}

#[tokio::test]
async fn create_user_and_membership_already_exists_is_conflict() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::already_exists("email already in use"));

    let result = server
        .client()
        .users()
        .create_user_and_membership("org_123", node_create_user(), Default::default())
        .await;

    let err = api_error(result, Code::AlreadyExists)?;
    ensure!(err.is_conflict() && err.http_status() == Some(409));
    Ok(())
}

// ---------------------------------------------------------------------------
// get_user
// ---------------------------------------------------------------------------

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
async fn get_user_invalid_id_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for id in INVALID_IDS {
        check_rejected_before_io(&server, users.get_user(id).await, "user_id")?;
    }
    for id in ["", " \t"] {
        let result = users.get_user_by_external_id(id).await;
        check_rejected_before_io(&server, result, "external_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn get_user_not_found_is_not_found() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::not_found("user usr_404 does not exist"));

    let result = server.client().users().get_user("usr_404").await;

    let err = api_error(result, Code::NotFound)?;
    ensure!(err.is_not_found() && err.kind() == Some(ErrorKind::NotFound));
    Ok(())
}

// ---------------------------------------------------------------------------
// list_users and list_users_stream
// ---------------------------------------------------------------------------

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
async fn list_users_permission_denied_is_forbidden() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::permission_denied("no access"));

    let result = server.client().users().list_users(Default::default()).await;

    let err = api_error(result, Code::PermissionDenied)?;
    ensure!(err.kind() == Some(ErrorKind::Forbidden) && err.http_status() == Some(403));
    ensure!(!err.is_unauthenticated());
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

// ---------------------------------------------------------------------------
// update_user
// ---------------------------------------------------------------------------

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
async fn update_user_invalid_id_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for id in INVALID_IDS {
        let result = users.update_user(id, node_update_user()).await;
        check_rejected_before_io(&server, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn update_user_not_found_is_not_found() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::not_found("no such user"));

    let result = server
        .client()
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
async fn delete_user_invalid_id_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for id in INVALID_IDS {
        check_rejected_before_io(&server, users.delete_user(id).await, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn delete_user_not_found_is_not_found() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::not_found("no such user"));

    let result = server.client().users().delete_user("usr_404").await;

    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// create_membership
// ---------------------------------------------------------------------------

fn role(name: &str) -> Role {
    Role {
        name: name.to_owned(),
        ..Default::default()
    }
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
async fn create_membership_invalid_ids_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for id in INVALID_IDS {
        let result = users
            .create_membership(id, "usr_456", Default::default())
            .await;
        check_rejected_before_io(&server, result, "organization_id")?;
        let result = users
            .create_membership("org_123", id, Default::default())
            .await;
        check_rejected_before_io(&server, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn create_membership_already_member_is_conflict() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::already_exists("already a member"));

    let result = server
        .client()
        .users()
        .create_membership("org_123", "usr_456", Default::default())
        .await;

    ensure!(api_error(result, Code::AlreadyExists)?.is_conflict());
    Ok(())
}

// ---------------------------------------------------------------------------
// delete_membership
// ---------------------------------------------------------------------------

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
async fn delete_membership_invalid_ids_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for id in INVALID_IDS {
        let result = users.delete_membership(id, "usr_456").await;
        check_rejected_before_io(&server, result, "organization_id")?;
        let result = users.delete_membership("org_123", id).await;
        check_rejected_before_io(&server, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn delete_membership_not_found_is_not_found() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::not_found("no such membership"));

    let result = server
        .client()
        .users()
        .delete_membership("org_123", "usr_456")
        .await;

    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

// ---------------------------------------------------------------------------
// update_membership
// ---------------------------------------------------------------------------

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
async fn update_membership_invalid_ids_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for id in INVALID_IDS {
        let result = users
            .update_membership(id, "usr_456", Default::default())
            .await;
        check_rejected_before_io(&server, result, "organization_id")?;
        let result = users
            .update_membership("org_123", id, Default::default())
            .await;
        check_rejected_before_io(&server, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn update_membership_unknown_role_is_invalid_argument() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::invalid_argument("unknown role"));

    let result = server
        .client()
        .users()
        .update_membership(
            "org_123",
            "usr_456",
            UpdateMembershipOptions::default().with_roles(["nope"]),
        )
        .await;

    let err = api_error(result, Code::InvalidArgument)?;
    ensure!(err.is_invalid_argument() && err.http_status() == Some(400));
    ensure!(
        !matches!(err, Error::InvalidArgument { .. }),
        "a server error is Error::Api"
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// list_organization_users and list_organization_users_stream
// ---------------------------------------------------------------------------

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
async fn list_organization_users_invalid_id_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for id in INVALID_IDS {
        let result = users.list_organization_users(id, Default::default()).await;
        check_rejected_before_io(&server, result, "organization_id")?;

        let items: Vec<_> = users
            .list_organization_users_stream(id, Default::default())
            .collect()
            .await;
        ensure!(items.len() == 1, "{id:?}: {} stream items", items.len());
        let result = items.into_iter().next().context("no item")?;
        check_rejected_before_io(&server, result, "organization_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn list_organization_users_unknown_org_is_not_found() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::not_found("no such organization"));

    let result = server
        .client()
        .users()
        .list_organization_users("org_404", Default::default())
        .await;

    ensure!(api_error(result, Code::NotFound)?.is_not_found());
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

// ---------------------------------------------------------------------------
// resend_invite
// ---------------------------------------------------------------------------

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

#[tokio::test]
async fn resend_invite_invalid_ids_rejected_before_io() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let users = server.client().users();
    for id in INVALID_IDS {
        let result = users.resend_invite(id, "usr_456").await;
        check_rejected_before_io(&server, result, "organization_id")?;
        let result = users.resend_invite("org_123", id).await;
        check_rejected_before_io(&server, result, "user_id")?;
    }
    Ok(())
}

#[tokio::test]
async fn resend_invite_no_pending_invite_is_not_found() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    server.fail_next(1, Status::not_found("no pending invite"));

    let result = server
        .client()
        .users()
        .resend_invite("org_123", "usr_456")
        .await;

    ensure!(api_error(result, Code::NotFound)?.is_not_found());
    Ok(())
}

/// The same methods against a stateful `scalekit-emulator`: what one call
/// writes, the next reads back.
mod emulator {
    use anyhow::{ensure, Context as _};
    use futures::TryStreamExt as _;
    use scalekit::organizations::CreateOrganizationOptions;
    use scalekit::users::{
        CreateMembershipOptions, CreateUser, CreateUserAndMembershipOptions, CreateUserProfile,
        ListOrganizationUsersOptions, ListUsersOptions, MembershipStatus, UpdateMembershipOptions,
        UpdateUser, UpdateUserProfile,
    };
    use scalekit::ScalekitClient;
    use scalekit_emulator::{Emulator, EmulatorHandle};

    async fn start() -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
        let emulator = Emulator::builder().start().await?;
        let client = ScalekitClient::new(
            emulator.env_url(),
            emulator.client_id(),
            emulator.client_secret(),
        )?;
        Ok((emulator, client))
    }

    fn roles(user: &scalekit::users::User, org: &str) -> Vec<String> {
        user.memberships
            .iter()
            .filter(|m| m.organization_id == org)
            .flat_map(|m| m.roles.iter().map(|r| r.name.clone()))
            .collect()
    }

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

    #[tokio::test]
    async fn users_lists_and_streams_page_through_real_state() -> anyhow::Result<()> {
        let (emulator, client) = start().await?;
        let org = client
            .organizations()
            .create_organization("Many", CreateOrganizationOptions::default())
            .await?;
        for n in 0..25 {
            client
                .users()
                .create_user_and_membership(
                    &org.id,
                    CreateUser {
                        email: format!("user{n:02}@many.example"),
                        ..Default::default()
                    },
                    CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
                )
                .await?;
        }
        let first = client
            .users()
            .list_users(ListUsersOptions::default().with_page_size(10))
            .await?;
        ensure!(first.items.len() == 10 && first.total_size == 25);
        let token = first.next_page_token.clone().context("more pages")?;
        let second = client
            .users()
            .list_users(
                ListUsersOptions::default()
                    .with_page_size(10)
                    .with_page_token(token),
            )
            .await?;
        ensure!(second.items[0].email == "user10@many.example");

        let before = emulator.rpc_count("ListOrganizationUsers");
        let members: Vec<_> = client
            .users()
            .list_organization_users_stream(
                &org.id,
                ListOrganizationUsersOptions::default().with_page_size(10),
            )
            .try_collect()
            .await?;
        ensure!(members.len() == 25);
        ensure!(
            emulator.rpc_count("ListOrganizationUsers") == before + 3,
            "pages of 10, 10, 5"
        );
        let everyone: Vec<_> = client
            .users()
            .list_users_stream(ListUsersOptions::default().with_page_size(7))
            .try_collect()
            .await?;
        ensure!(everyone.len() == 25);
        Ok(())
    }
}
