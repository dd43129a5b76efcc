//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node`, `lib/user.js`) encodes for the same
//! call, captured by running its `UserClient` with a `connectExec` stub
//! that records `toBinary(method.input, create(method.input, req))`. The
//! constants of the methods 2.2.2 already had come out the same from 2.2.2
//! and 2.11.0; the others (roles, search, the `*_by_external_id` variants,
//! external ids on create and update) are from 2.11.0.
//! Decoding it with prost and comparing messages (not bytes: the two
//! encoders order oneof fields differently) proves that the facade sends
//! the same fields, the same oneof arm and nothing else.

use std::collections::HashMap;

use super::requests::*;
use super::*;
use crate::pagination::PageOptions;
use crate::proto::users::{
    create_membership_request, delete_membership_request, delete_user_request, get_user_request,
    update_membership_request, update_user_request, AssignRoleRequest, AssignUserRolesRequest,
    CreateMembershipRequest, CreateUserAndMembershipRequest, DeleteMembershipRequest,
    DeleteUserRequest, GetUserRequest, ListOrganizationUsersRequest, ListUserPermissionsRequest,
    ListUserRolesRequest, ListUsersRequest, RemoveUserRoleRequest, ResendInviteRequest,
    SearchOrganizationUsersRequest, SearchUsersRequest, UpdateMembership, UpdateMembershipRequest,
    UpdateUserRequest,
};
use crate::test_support::{decode, invalid};

fn metadata() -> HashMap<String, String> {
    HashMap::from([("k".to_owned(), "v".to_owned())])
}

const REF_CREATE_USER_AND_MEMBERSHIP_FULL: &str =
    "0a056f72675f31121a2a066140622e636f4208aa010141b20101424a060a016b1201761800";
const REF_CREATE_USER_AND_MEMBERSHIP_MIN: &str = "0a056f72675f3112082a066140622e636f";
const REF_GET_USER: &str = "0a057573725f31";
const REF_LIST_USERS_NONE: &str = "";
const REF_LIST_USERS_ZERO: &str = "";
const REF_LIST_USERS_FULL: &str = "0814120174";
const REF_UPDATE_USER_FULL: &str = "0a057573725f311a124208aa010141b20101424a060a016b120176";
const REF_UPDATE_USER_EMPTY: &str = "0a057573725f311a00";
const REF_DELETE_USER: &str = "0a057573725f31";
const REF_CREATE_MEMBERSHIP_MIN: &str = "0a056f72675f3112001a057573725f31";
const REF_CREATE_MEMBERSHIP_FULL: &str =
    "0a056f72675f31121b2207120561646d696e220812066d656d6265723a060a016b1201761a057573725f312801";
const REF_DELETE_MEMBERSHIP: &str = "0a056f72675f3112057573725f31";
const REF_UPDATE_MEMBERSHIP_MIN: &str = "0a056f72675f3112057573725f312a00";
const REF_UPDATE_MEMBERSHIP_FULL: &str =
    "0a056f72675f3112057573725f312a112207120561646d696e3a060a016b120176";
const REF_LIST_ORGANIZATION_USERS_NONE: &str = "0a056f72675f31";
const REF_LIST_ORGANIZATION_USERS_FULL: &str = "0a056f72675f3110191a0174";
const REF_RESEND_INVITE: &str = "0a056f72675f3112057573725f31";
const REF_CREATE_USER_AND_MEMBERSHIP_EXTERNAL_ID: &str =
    "0a056f72675f31120f2a066140622e636f32056578745f31";
const REF_UPDATE_USER_EXTERNAL_ID: &str = "0a057573725f311a0732056578745f32";
const REF_UPDATE_USER_EXTERNAL_ID_FULL: &str =
    "0a057573725f311a1932056578745f324208aa010141b20101424a060a016b120176";
const REF_LIST_USER_ROLES: &str = "0a056f72675f3112057573725f31";
const REF_LIST_USER_PERMISSIONS: &str = "0a056f72675f3112057573725f31";
const REF_SEARCH_USERS_MIN: &str = "0a03616461";
const REF_SEARCH_USERS_FULL: &str = "0a0361646110141a0174";
const REF_SEARCH_USERS_PADDED_ZERO: &str = "0a052061646120";
const REF_SEARCH_ORGANIZATION_USERS_MIN: &str = "0a056f72675f311203616461";
const REF_SEARCH_ORGANIZATION_USERS_FULL: &str = "0a056f72675f3112036164611819220174";
const REF_ASSIGN_USER_ROLES: &str =
    "0a056f72675f3112057573725f311a07120561646d696e1a0812066d656d626572";
const REF_REMOVE_USER_ROLE: &str = "0a056f72675f3112057573725f311a0561646d696e";
const REF_GET_USER_BY_EXTERNAL_ID: &str = "12056578745f31";
const REF_UPDATE_USER_BY_EXTERNAL_ID_FULL: &str =
    "12056578745f311a124208aa010141b20101424a060a016b120176";
const REF_UPDATE_USER_BY_EXTERNAL_ID_EMPTY: &str = "12056578745f311a00";
const REF_DELETE_USER_BY_EXTERNAL_ID: &str = "12056578745f31";
const REF_CREATE_MEMBERSHIP_BY_EXTERNAL_ID_MIN: &str = "0a056f72675f31120022056578745f31";
const REF_CREATE_MEMBERSHIP_BY_EXTERNAL_ID_FULL: &str =
    "0a056f72675f31121b2207120561646d696e220812066d656d6265723a060a016b12017622056578745f312801";
const REF_UPDATE_MEMBERSHIP_BY_EXTERNAL_ID_MIN: &str = "0a056f72675f311a056578745f312a00";
const REF_UPDATE_MEMBERSHIP_BY_EXTERNAL_ID_FULL: &str =
    "0a056f72675f311a056578745f312a112207120561646d696e3a060a016b120176";
const REF_DELETE_MEMBERSHIP_BY_EXTERNAL_ID: &str = "0a056f72675f311a056578745f31";

// createUserAndMembership('org_1', { email, userProfile: { firstName, lastName },
//   metadata: { k: 'v' }, sendInvitationEmail: false })
#[test]
#[allow(deprecated)] // the reference sends the deprecated first_name/last_name
fn create_user_and_membership_request_matches_reference() {
    let user = CreateUser {
        email: "a@b.co".to_owned(),
        user_profile: Some(CreateUserProfile {
            first_name: "A".to_owned(),
            last_name: "B".to_owned(),
            ..Default::default()
        }),
        metadata: metadata(),
        ..Default::default()
    };
    let request = create_user_and_membership_request(
        "org_1",
        user.clone(),
        CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
    )
    .unwrap();
    let expected = CreateUserAndMembershipRequest {
        organization_id: "org_1".to_owned(),
        user: Some(user),
        send_invitation_email: Some(false),
    };
    assert_eq!(request, expected);
    assert_eq!(
        request,
        decode::<CreateUserAndMembershipRequest>(REF_CREATE_USER_AND_MEMBERSHIP_FULL)
    );
}

// createUserAndMembership('org_1', { email })
#[test]
fn create_user_and_membership_request_without_options_matches_reference() {
    let user = CreateUser {
        email: "a@b.co".to_owned(),
        ..Default::default()
    };
    let request = create_user_and_membership_request(
        "org_1",
        user,
        CreateUserAndMembershipOptions::default(),
    )
    .unwrap();
    assert_eq!(request.send_invitation_email, None);
    assert_eq!(
        request,
        decode::<CreateUserAndMembershipRequest>(REF_CREATE_USER_AND_MEMBERSHIP_MIN)
    );
}

#[test]
fn create_user_and_membership_request_validates_org_then_email() {
    let user = |email: &str| CreateUser {
        email: email.to_owned(),
        ..Default::default()
    };
    let opts = CreateUserAndMembershipOptions::default;
    let (field, _) = invalid(create_user_and_membership_request("", user(""), opts()));
    assert_eq!(field, "organization_id");
    let (field, _) = invalid(create_user_and_membership_request(
        "org/1",
        user("a@b.co"),
        opts(),
    ));
    assert_eq!(field, "organization_id");
    for email in ["", "  "] {
        let (field, reason) = invalid(create_user_and_membership_request(
            "org_1",
            user(email),
            opts(),
        ));
        assert_eq!((field, reason.as_str()), ("email", "must not be empty"));
    }
}

// getUser('usr_1')
#[test]
fn get_user_request_matches_reference() {
    let request = get_user_request("usr_1").unwrap();
    assert_eq!(
        request,
        GetUserRequest {
            identities: Some(get_user_request::Identities::Id("usr_1".to_owned())),
        }
    );
    assert_eq!(request, decode::<GetUserRequest>(REF_GET_USER));
}

#[test]
fn get_user_by_external_id_request_uses_the_external_id_arm() {
    let request = get_user_by_external_id_request("tenant/42").unwrap();
    assert_eq!(
        request,
        GetUserRequest {
            identities: Some(get_user_request::Identities::ExternalId(
                "tenant/42".to_owned()
            )),
        }
    );
    let (field, _) = invalid(get_user_by_external_id_request(" "));
    assert_eq!(field, "external_id");
}

#[test]
fn get_user_request_validates_user_id() {
    for id in ["", " ", " usr_1", "usr/1"] {
        let (field, _) = invalid(get_user_request(id));
        assert_eq!(field, "user_id", "{id:?}");
    }
}

// listUsers(), listUsers({ pageSize: 0 }), listUsers({ pageSize: 20, pageToken: 't' })
#[test]
fn list_users_request_matches_reference() {
    let none = list_users_request(&ListUsersOptions::default());
    assert_eq!(none, ListUsersRequest::default());
    assert_eq!(none, decode::<ListUsersRequest>(REF_LIST_USERS_NONE));

    let zero = list_users_request(&ListUsersOptions::default().with_page_size(0));
    assert_eq!(zero.page_size, 0);
    assert_eq!(zero, decode::<ListUsersRequest>(REF_LIST_USERS_ZERO));

    let full = list_users_request(
        &ListUsersOptions::default()
            .with_page_size(20)
            .with_page_token("t"),
    );
    assert_eq!(
        full,
        ListUsersRequest {
            page_size: 20,
            page_token: "t".to_owned(),
        }
    );
    assert_eq!(full, decode::<ListUsersRequest>(REF_LIST_USERS_FULL));
}

#[test]
fn list_users_request_sends_out_of_range_page_sizes_as_given() {
    let request = list_users_request(&ListUsersOptions::default().with_page_size(10_000));
    assert_eq!(request.page_size, 10_000);
}

// updateUser('usr_1', { userProfile: { firstName, lastName }, metadata: { k: 'v' } })
#[test]
#[allow(deprecated)] // the reference sends the deprecated first_name/last_name
fn update_user_request_matches_reference() {
    let user = UpdateUser {
        user_profile: Some(UpdateUserProfile {
            first_name: Some("A".to_owned()),
            last_name: Some("B".to_owned()),
            ..Default::default()
        }),
        metadata: metadata(),
        ..Default::default()
    };
    let request = update_user_request("usr_1", user.clone()).unwrap();
    assert_eq!(
        request,
        UpdateUserRequest {
            identities: Some(update_user_request::Identities::Id("usr_1".to_owned())),
            user: Some(user),
        }
    );
    assert_eq!(request, decode::<UpdateUserRequest>(REF_UPDATE_USER_FULL));
}

// updateUser('usr_1', {}): an empty `user` message is still sent.
#[test]
fn update_user_request_with_empty_update_matches_reference() {
    let request = update_user_request("usr_1", UpdateUser::default()).unwrap();
    assert_eq!(request.user, Some(UpdateUser::default()));
    assert_eq!(request, decode::<UpdateUserRequest>(REF_UPDATE_USER_EMPTY));
    let (field, _) = invalid(update_user_request("", UpdateUser::default()));
    assert_eq!(field, "user_id");
}

// deleteUser('usr_1')
#[test]
fn delete_user_request_matches_reference() {
    let request = delete_user_request("usr_1").unwrap();
    assert_eq!(
        request,
        DeleteUserRequest {
            identities: Some(delete_user_request::Identities::Id("usr_1".to_owned())),
        }
    );
    assert_eq!(request, decode::<DeleteUserRequest>(REF_DELETE_USER));
    let (field, _) = invalid(delete_user_request("usr_1\n"));
    assert_eq!(field, "user_id");
}

// createMembership('org_1', 'usr_1')
#[test]
fn create_membership_request_without_options_matches_reference() {
    let request =
        create_membership_request("org_1", "usr_1", CreateMembershipOptions::default()).unwrap();
    assert_eq!(
        request,
        CreateMembershipRequest {
            organization_id: "org_1".to_owned(),
            membership: Some(CreateMembership::default()),
            identities: Some(create_membership_request::Identities::Id(
                "usr_1".to_owned()
            )),
            send_invitation_email: None,
        }
    );
    assert_eq!(
        request,
        decode::<CreateMembershipRequest>(REF_CREATE_MEMBERSHIP_MIN)
    );
}

// createMembership('org_1', 'usr_1', { roles: ['admin', 'member'], metadata: { k: 'v' },
//   sendInvitationEmail: true })
#[test]
fn create_membership_request_matches_reference() {
    let opts = CreateMembershipOptions::default()
        .with_roles(["admin", "member"])
        .with_metadata("k", "v")
        .with_send_invitation_email(true);
    let request = create_membership_request("org_1", "usr_1", opts).unwrap();
    let role = |name: &str| Role {
        name: name.to_owned(),
        ..Default::default()
    };
    assert_eq!(
        request,
        CreateMembershipRequest {
            organization_id: "org_1".to_owned(),
            membership: Some(CreateMembership {
                roles: vec![role("admin"), role("member")],
                metadata: metadata(),
                inviter_email: None,
            }),
            identities: Some(create_membership_request::Identities::Id(
                "usr_1".to_owned()
            )),
            send_invitation_email: Some(true),
        }
    );
    assert_eq!(
        request,
        decode::<CreateMembershipRequest>(REF_CREATE_MEMBERSHIP_FULL)
    );
}

#[test]
fn create_membership_request_sends_inviter_email() {
    let opts = CreateMembershipOptions::default().with_inviter_email("owner@acme.com");
    let request = create_membership_request("org_1", "usr_1", opts).unwrap();
    let membership = request.membership.unwrap();
    assert_eq!(membership.inviter_email.as_deref(), Some("owner@acme.com"));
    assert!(membership.roles.is_empty());
    assert!(membership.metadata.is_empty());
}

#[test]
fn create_membership_request_validates_org_then_user() {
    let opts = CreateMembershipOptions::default;
    let (field, _) = invalid(create_membership_request("", "", opts()));
    assert_eq!(field, "organization_id");
    let (field, _) = invalid(create_membership_request("org_1", "", opts()));
    assert_eq!(field, "user_id");
}

// deleteMembership('org_1', 'usr_1'): no `cascade`.
#[test]
fn delete_membership_request_matches_reference() {
    let request = delete_membership_request("org_1", "usr_1").unwrap();
    assert_eq!(
        request,
        DeleteMembershipRequest {
            organization_id: "org_1".to_owned(),
            identities: Some(delete_membership_request::Identities::Id(
                "usr_1".to_owned()
            )),
            cascade: None,
        }
    );
    assert_eq!(
        request,
        decode::<DeleteMembershipRequest>(REF_DELETE_MEMBERSHIP)
    );
    let (field, _) = invalid(delete_membership_request("org_1", "usr/1"));
    assert_eq!(field, "user_id");
    let (field, _) = invalid(delete_membership_request(" org_1", "usr_1"));
    assert_eq!(field, "organization_id");
}

// updateMembership('org_1', 'usr_1'): an empty membership is still sent.
#[test]
fn update_membership_request_without_options_matches_reference() {
    let request =
        update_membership_request("org_1", "usr_1", UpdateMembershipOptions::default()).unwrap();
    assert_eq!(request.membership, Some(UpdateMembership::default()));
    assert_eq!(
        request,
        decode::<UpdateMembershipRequest>(REF_UPDATE_MEMBERSHIP_MIN)
    );
}

// updateMembership('org_1', 'usr_1', { roles: ['admin'], metadata: { k: 'v' } })
#[test]
fn update_membership_request_matches_reference() {
    let opts = UpdateMembershipOptions::default()
        .with_roles(["admin"])
        .with_metadata_map([("k", "v")]);
    let request = update_membership_request("org_1", "usr_1", opts).unwrap();
    assert_eq!(
        request,
        UpdateMembershipRequest {
            organization_id: "org_1".to_owned(),
            identities: Some(update_membership_request::Identities::Id(
                "usr_1".to_owned()
            )),
            membership: Some(UpdateMembership {
                roles: vec![Role {
                    name: "admin".to_owned(),
                    ..Default::default()
                }],
                metadata: metadata(),
            }),
        }
    );
    assert_eq!(
        request,
        decode::<UpdateMembershipRequest>(REF_UPDATE_MEMBERSHIP_FULL)
    );
    let (field, _) = invalid(update_membership_request(
        "org_1",
        "",
        UpdateMembershipOptions::default(),
    ));
    assert_eq!(field, "user_id");
}

// listOrganizationUsers('org_1'), listOrganizationUsers('org_1', { pageSize: 25, pageToken: 't' })
#[test]
fn list_organization_users_request_matches_reference() {
    let none =
        list_organization_users_request("org_1", &ListOrganizationUsersOptions::default()).unwrap();
    assert_eq!(
        none,
        ListOrganizationUsersRequest {
            organization_id: "org_1".to_owned(),
            ..Default::default()
        }
    );
    assert_eq!(
        none,
        decode::<ListOrganizationUsersRequest>(REF_LIST_ORGANIZATION_USERS_NONE)
    );

    let opts = ListOrganizationUsersOptions::default()
        .with_page_size(25)
        .with_page_token("t");
    let full = list_organization_users_request("org_1", &opts).unwrap();
    assert_eq!(
        full,
        ListOrganizationUsersRequest {
            organization_id: "org_1".to_owned(),
            page_size: 25,
            page_token: "t".to_owned(),
        }
    );
    assert_eq!(
        full,
        decode::<ListOrganizationUsersRequest>(REF_LIST_ORGANIZATION_USERS_FULL)
    );

    let zero = list_organization_users_request(
        "org_1",
        &ListOrganizationUsersOptions::default().with_page_size(0),
    )
    .unwrap();
    assert_eq!(zero.page_size, 0);

    let (field, _) = invalid(list_organization_users_request(
        "",
        &ListOrganizationUsersOptions::default(),
    ));
    assert_eq!(field, "organization_id");
}

// resendInvite('org_1', 'usr_1')
#[test]
fn resend_invite_request_matches_reference() {
    let request = resend_invite_request("org_1", "usr_1").unwrap();
    assert_eq!(
        request,
        ResendInviteRequest {
            organization_id: "org_1".to_owned(),
            id: "usr_1".to_owned(),
        }
    );
    assert_eq!(request, decode::<ResendInviteRequest>(REF_RESEND_INVITE));
    let (field, _) = invalid(resend_invite_request("org_1", " "));
    assert_eq!(field, "user_id");
    let (field, _) = invalid(resend_invite_request("", "usr_1"));
    assert_eq!(field, "organization_id");
}

#[test]
fn role_setters_replace_and_metadata_setters_add_or_replace() {
    let opts = CreateMembershipOptions::default()
        .with_roles(["a", "b"])
        .with_roles(vec!["c".to_owned()])
        .with_metadata("x", "1")
        .with_metadata("y", "2");
    assert_eq!(opts.roles, ["c"]);
    assert_eq!(opts.metadata.len(), 2);

    let opts = opts.with_metadata_map([("z", "3")]);
    assert_eq!(
        opts.metadata,
        HashMap::from([("z".to_owned(), "3".to_owned())])
    );

    let opts = UpdateMembershipOptions::default()
        .with_metadata("x", "1")
        .with_metadata_map(HashMap::from([("y".to_owned(), "2".to_owned())]))
        .with_metadata("z", "3");
    assert_eq!(opts.metadata.len(), 2);
    assert!(!opts.metadata.contains_key("x"));
}

#[test]
fn list_options_implement_page_options() {
    let mut opts = ListUsersOptions::default().with_page_size(5);
    assert_eq!(PageOptions::page_token(&opts), None);
    opts.set_page_token("n".to_owned());
    assert_eq!(
        opts,
        ListUsersOptions::default()
            .with_page_size(5)
            .with_page_token("n")
    );

    let mut opts = ListOrganizationUsersOptions::default().with_page_token("a");
    assert_eq!(PageOptions::page_token(&opts), Some("a"));
    opts.set_page_token("b".to_owned());
    assert_eq!(opts.page_token.as_deref(), Some("b"));
}

#[tokio::test]
async fn list_organization_users_stream_yields_a_validation_error_once() {
    use futures::StreamExt as _;

    // Validation fails before any I/O, so the unroutable address is never dialled.
    let client = crate::ScalekitClient::new("https://127.0.0.1:1", "client", "secret").unwrap();
    let stream = client
        .users()
        .list_organization_users_stream("", ListOrganizationUsersOptions::default());
    let results: Vec<Result<User>> = stream.collect().await;
    assert_eq!(results.len(), 1);
    let (field, _) = invalid(results.into_iter().next().unwrap());
    assert_eq!(field, "organization_id");
}

// ---------------------------------------------------------------------------
// Added in 2.11.0
// ---------------------------------------------------------------------------

/// A client whose every network attempt fails (nothing listens on port 1):
/// a call that reaches the network ends in an auth or transport error, so
/// an `InvalidArgument` from it shows that the check ran before any I/O.
fn offline() -> UsersClient {
    crate::ScalekitClient::new("https://127.0.0.1:1", "client", "secret")
        .unwrap()
        .users()
}

/// Ids `require_id` refuses.
const BAD_IDS: [&str; 4] = ["", "  ", " x_1", "x/1"];

// createUserAndMembership('org_1', { email: 'a@b.co', externalId: 'ext_1' })
#[test]
fn create_user_and_membership_request_with_external_id_matches_reference() {
    let user = CreateUser {
        email: "a@b.co".to_owned(),
        external_id: Some("ext_1".to_owned()),
        ..Default::default()
    };
    let request = create_user_and_membership_request("org_1", user, Default::default()).unwrap();
    assert_eq!(
        request.user.as_ref().and_then(|u| u.external_id.as_deref()),
        Some("ext_1")
    );
    assert_eq!(
        request,
        decode::<CreateUserAndMembershipRequest>(REF_CREATE_USER_AND_MEMBERSHIP_EXTERNAL_ID)
    );
}

// updateUser('usr_1', { externalId: 'ext_2' }) and with a profile and metadata
#[test]
#[allow(deprecated)] // the reference sends the deprecated first_name/last_name
fn update_user_request_with_external_id_matches_reference() {
    let only = UpdateUser {
        external_id: Some("ext_2".to_owned()),
        ..Default::default()
    };
    let request = update_user_request("usr_1", only).unwrap();
    assert_eq!(
        request,
        UpdateUserRequest {
            identities: Some(update_user_request::Identities::Id("usr_1".to_owned())),
            user: Some(UpdateUser {
                external_id: Some("ext_2".to_owned()),
                ..Default::default()
            }),
        }
    );
    assert_eq!(
        request,
        decode::<UpdateUserRequest>(REF_UPDATE_USER_EXTERNAL_ID)
    );

    let full = UpdateUser {
        external_id: Some("ext_2".to_owned()),
        user_profile: Some(UpdateUserProfile {
            first_name: Some("A".to_owned()),
            last_name: Some("B".to_owned()),
            ..Default::default()
        }),
        metadata: metadata(),
    };
    let request = update_user_request("usr_1", full).unwrap();
    assert_eq!(
        request,
        decode::<UpdateUserRequest>(REF_UPDATE_USER_EXTERNAL_ID_FULL)
    );
}

// listUserRoles('org_1', 'usr_1')
#[test]
fn list_user_roles_request_matches_reference() {
    let request = list_user_roles_request("org_1", "usr_1").unwrap();
    assert_eq!(
        request,
        ListUserRolesRequest {
            organization_id: "org_1".to_owned(),
            user_id: "usr_1".to_owned(),
        }
    );
    assert_eq!(request, decode::<ListUserRolesRequest>(REF_LIST_USER_ROLES));
}

#[tokio::test]
async fn list_user_roles_rejects_invalid_ids() {
    for id in BAD_IDS {
        let (field, _) = invalid(list_user_roles_request(id, "usr_1"));
        assert_eq!(field, "organization_id", "{id:?}");
        let (field, _) = invalid(offline().list_user_roles(id, "usr_1").await);
        assert_eq!(field, "organization_id", "{id:?}");
        let (field, _) = invalid(offline().list_user_roles("org_1", id).await);
        assert_eq!(field, "user_id", "{id:?}");
    }
}

// listUserPermissions('org_1', 'usr_1')
#[test]
fn list_user_permissions_request_matches_reference() {
    let request = list_user_permissions_request("org_1", "usr_1").unwrap();
    assert_eq!(
        request,
        ListUserPermissionsRequest {
            organization_id: "org_1".to_owned(),
            user_id: "usr_1".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<ListUserPermissionsRequest>(REF_LIST_USER_PERMISSIONS)
    );
}

#[tokio::test]
async fn list_user_permissions_rejects_invalid_ids() {
    for id in BAD_IDS {
        let (field, _) = invalid(offline().list_user_permissions(id, "usr_1").await);
        assert_eq!(field, "organization_id", "{id:?}");
        let (field, _) = invalid(offline().list_user_permissions("org_1", id).await);
        assert_eq!(field, "user_id", "{id:?}");
    }
}

// searchUsers('ada'), searchUsers('ada', 20, 't'), searchUsers(' ada ', 0)
#[test]
fn search_users_request_matches_reference() {
    let min = search_users_request("ada", &SearchUsersOptions::default()).unwrap();
    assert_eq!(
        min,
        SearchUsersRequest {
            query: "ada".to_owned(),
            ..Default::default()
        }
    );
    assert_eq!(min, decode::<SearchUsersRequest>(REF_SEARCH_USERS_MIN));

    let opts = SearchUsersOptions::default()
        .with_page_size(20)
        .with_page_token("t");
    let full = search_users_request("ada", &opts).unwrap();
    assert_eq!(
        full,
        SearchUsersRequest {
            query: "ada".to_owned(),
            page_size: 20,
            page_token: "t".to_owned(),
        }
    );
    assert_eq!(full, decode::<SearchUsersRequest>(REF_SEARCH_USERS_FULL));

    // The query goes out untrimmed; a zero page size is the field's default.
    let padded =
        search_users_request(" ada ", &SearchUsersOptions::default().with_page_size(0)).unwrap();
    assert_eq!(padded.query, " ada ");
    assert_eq!(
        padded,
        decode::<SearchUsersRequest>(REF_SEARCH_USERS_PADDED_ZERO)
    );
}

#[tokio::test]
async fn search_users_rejects_blank_query() {
    for query in ["", " ", "\t\n"] {
        let (field, reason) = invalid(search_users_request(query, &Default::default()));
        assert_eq!((field, reason.as_str()), ("query", "must not be empty"));
        let (field, _) = invalid(offline().search_users(query, Default::default()).await);
        assert_eq!(field, "query", "{query:?}");
    }
}

// searchOrganizationUsers('org_1', 'ada'), searchOrganizationUsers('org_1', 'ada', 25, 't')
#[test]
fn search_organization_users_request_matches_reference() {
    let min = search_organization_users_request("org_1", "ada", &Default::default()).unwrap();
    assert_eq!(
        min,
        SearchOrganizationUsersRequest {
            organization_id: "org_1".to_owned(),
            query: "ada".to_owned(),
            ..Default::default()
        }
    );
    assert_eq!(
        min,
        decode::<SearchOrganizationUsersRequest>(REF_SEARCH_ORGANIZATION_USERS_MIN)
    );

    let opts = SearchOrganizationUsersOptions::default()
        .with_page_size(25)
        .with_page_token("t");
    let full = search_organization_users_request("org_1", "ada", &opts).unwrap();
    assert_eq!(
        full,
        SearchOrganizationUsersRequest {
            organization_id: "org_1".to_owned(),
            query: "ada".to_owned(),
            page_size: 25,
            page_token: "t".to_owned(),
        }
    );
    assert_eq!(
        full,
        decode::<SearchOrganizationUsersRequest>(REF_SEARCH_ORGANIZATION_USERS_FULL)
    );
}

#[tokio::test]
async fn search_organization_users_rejects_invalid_id_or_blank_query() {
    let users = offline();
    for id in BAD_IDS {
        // The organization is checked first, as in the reference.
        let result = users
            .search_organization_users(id, "", Default::default())
            .await;
        let (field, _) = invalid(result);
        assert_eq!(field, "organization_id", "{id:?}");
    }
    for query in ["", "  "] {
        let result = users
            .search_organization_users("org_1", query, Default::default())
            .await;
        let (field, _) = invalid(result);
        assert_eq!(field, "query");
    }
}

#[tokio::test]
async fn search_streams_yield_a_validation_error_once() {
    use futures::StreamExt as _;

    let users = offline();
    let results: Vec<Result<User>> = users
        .search_users_stream(" ", SearchUsersOptions::default())
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    let (field, _) = invalid(results.into_iter().next().unwrap());
    assert_eq!(field, "query");

    let results: Vec<Result<User>> = users
        .search_organization_users_stream("org/1", "ada", Default::default())
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    let (field, _) = invalid(results.into_iter().next().unwrap());
    assert_eq!(field, "organization_id");
}

#[test]
fn search_options_implement_page_options() {
    let mut opts = SearchUsersOptions::default().with_page_size(5);
    assert_eq!(PageOptions::page_token(&opts), None);
    opts.set_page_token("n".to_owned());
    assert_eq!(
        opts,
        SearchUsersOptions::default()
            .with_page_size(5)
            .with_page_token("n")
    );

    let mut opts = SearchOrganizationUsersOptions::default().with_page_token("a");
    assert_eq!(PageOptions::page_token(&opts), Some("a"));
    opts.set_page_token("b".to_owned());
    assert_eq!(opts.page_token.as_deref(), Some("b"));
}

// assignUserRoles('org_1', 'usr_1', ['admin', 'member'])
#[test]
fn assign_user_roles_request_matches_reference() {
    let request = assign_user_roles_request("org_1", "usr_1", ["admin", "member"]).unwrap();
    let role = |name: &str| AssignRoleRequest {
        role_name: name.to_owned(),
        ..Default::default()
    };
    assert_eq!(
        request,
        AssignUserRolesRequest {
            organization_id: "org_1".to_owned(),
            user_id: "usr_1".to_owned(),
            roles: vec![role("admin"), role("member")],
        }
    );
    assert_eq!(
        request,
        decode::<AssignUserRolesRequest>(REF_ASSIGN_USER_ROLES)
    );
}

#[tokio::test]
async fn assign_user_roles_rejects_invalid_ids_and_roles() {
    let users = offline();
    for id in BAD_IDS {
        let (field, _) = invalid(users.assign_user_roles(id, "usr_1", ["admin"]).await);
        assert_eq!(field, "organization_id", "{id:?}");
        let (field, _) = invalid(users.assign_user_roles("org_1", id, ["admin"]).await);
        assert_eq!(field, "user_id", "{id:?}");
        let (field, _) = invalid(
            users
                .assign_user_roles("org_1", "usr_1", ["admin", id])
                .await,
        );
        assert_eq!(field, "roles", "{id:?}");
    }
    // The server requires at least one role; the reference would send none.
    let none: [&str; 0] = [];
    let (field, reason) = invalid(users.assign_user_roles("org_1", "usr_1", none).await);
    assert_eq!(
        (field, reason.as_str()),
        ("roles", "must name at least one role")
    );
}

// removeUserRole('org_1', 'usr_1', 'admin')
#[test]
fn remove_user_role_request_matches_reference() {
    let request = remove_user_role_request("org_1", "usr_1", "admin").unwrap();
    assert_eq!(
        request,
        RemoveUserRoleRequest {
            organization_id: "org_1".to_owned(),
            user_id: "usr_1".to_owned(),
            role_name: "admin".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<RemoveUserRoleRequest>(REF_REMOVE_USER_ROLE)
    );
}

#[tokio::test]
async fn remove_user_role_rejects_invalid_ids_and_role_name() {
    let users = offline();
    for id in BAD_IDS {
        let (field, _) = invalid(users.remove_user_role(id, "usr_1", "admin").await);
        assert_eq!(field, "organization_id", "{id:?}");
        let (field, _) = invalid(users.remove_user_role("org_1", id, "admin").await);
        assert_eq!(field, "user_id", "{id:?}");
        let (field, _) = invalid(users.remove_user_role("org_1", "usr_1", id).await);
        assert_eq!(field, "role_name", "{id:?}");
    }
}

// getUserByExternalId('ext_1'): unchanged in 2.11.0
#[test]
fn get_user_by_external_id_request_matches_reference() {
    let request = get_user_by_external_id_request("ext_1").unwrap();
    assert_eq!(
        request,
        decode::<GetUserRequest>(REF_GET_USER_BY_EXTERNAL_ID)
    );
}

// updateUserByExternalId('ext_1', { userProfile: { firstName, lastName }, metadata: { k: 'v' } }),
// updateUserByExternalId('ext_1', {})
#[test]
#[allow(deprecated)] // the reference sends the deprecated first_name/last_name
fn update_user_by_external_id_request_matches_reference() {
    let user = UpdateUser {
        user_profile: Some(UpdateUserProfile {
            first_name: Some("A".to_owned()),
            last_name: Some("B".to_owned()),
            ..Default::default()
        }),
        metadata: metadata(),
        ..Default::default()
    };
    let request = update_user_by_external_id_request("ext_1", user.clone()).unwrap();
    assert_eq!(
        request,
        UpdateUserRequest {
            identities: Some(update_user_request::Identities::ExternalId(
                "ext_1".to_owned()
            )),
            user: Some(user),
        }
    );
    assert_eq!(
        request,
        decode::<UpdateUserRequest>(REF_UPDATE_USER_BY_EXTERNAL_ID_FULL)
    );

    let empty = update_user_by_external_id_request("ext_1", UpdateUser::default()).unwrap();
    assert_eq!(
        empty,
        decode::<UpdateUserRequest>(REF_UPDATE_USER_BY_EXTERNAL_ID_EMPTY)
    );
}

#[tokio::test]
async fn update_user_rejects_blank_external_id_or_a_new_one() {
    let users = offline();
    for id in ["", " \t"] {
        let result = users
            .update_user_by_external_id(id, UpdateUser::default())
            .await;
        let (field, _) = invalid(result);
        assert_eq!(field, "external_id", "{id:?}");
    }
    // The reference never sends an external id in this variant (its type
    // leaves it out), so one set here is refused instead of dropped.
    let renamed = UpdateUser {
        external_id: Some("ext_2".to_owned()),
        ..Default::default()
    };
    let (field, _) = invalid(users.update_user_by_external_id("ext_1", renamed).await);
    assert_eq!(field, "user.external_id");
}

// deleteUserByExternalId('ext_1')
#[test]
fn delete_user_by_external_id_request_matches_reference() {
    let request = delete_user_by_external_id_request("ext_1").unwrap();
    assert_eq!(
        request,
        DeleteUserRequest {
            identities: Some(delete_user_request::Identities::ExternalId(
                "ext_1".to_owned()
            )),
        }
    );
    assert_eq!(
        request,
        decode::<DeleteUserRequest>(REF_DELETE_USER_BY_EXTERNAL_ID)
    );
}

#[tokio::test]
async fn delete_user_rejects_blank_external_id() {
    for id in ["", "   "] {
        let (field, _) = invalid(offline().delete_user_by_external_id(id).await);
        assert_eq!(field, "external_id", "{id:?}");
    }
}

// createMembershipByExternalId('org_1', 'ext_1'), and with
// { roles: ['admin', 'member'], metadata: { k: 'v' }, sendInvitationEmail: true }
#[test]
fn create_membership_by_external_id_request_matches_reference() {
    let min =
        create_membership_by_external_id_request("org_1", "ext_1", Default::default()).unwrap();
    assert_eq!(
        min,
        CreateMembershipRequest {
            organization_id: "org_1".to_owned(),
            membership: Some(CreateMembership::default()),
            identities: Some(create_membership_request::Identities::ExternalId(
                "ext_1".to_owned()
            )),
            send_invitation_email: None,
        }
    );
    assert_eq!(
        min,
        decode::<CreateMembershipRequest>(REF_CREATE_MEMBERSHIP_BY_EXTERNAL_ID_MIN)
    );

    let opts = CreateMembershipOptions::default()
        .with_roles(["admin", "member"])
        .with_metadata("k", "v")
        .with_send_invitation_email(true);
    let full = create_membership_by_external_id_request("org_1", "ext_1", opts).unwrap();
    assert_eq!(
        full,
        decode::<CreateMembershipRequest>(REF_CREATE_MEMBERSHIP_BY_EXTERNAL_ID_FULL)
    );
}

#[tokio::test]
async fn create_membership_rejects_invalid_organization_or_blank_external_id() {
    let users = offline();
    for id in BAD_IDS {
        let result = users
            .create_membership_by_external_id(id, "ext_1", Default::default())
            .await;
        let (field, _) = invalid(result);
        assert_eq!(field, "organization_id", "{id:?}");
    }
    for id in ["", " "] {
        let result = users
            .create_membership_by_external_id("org_1", id, Default::default())
            .await;
        let (field, _) = invalid(result);
        assert_eq!(field, "external_id", "{id:?}");
    }
}

// updateMembershipByExternalId('org_1', 'ext_1'), and with { roles: ['admin'], metadata: { k: 'v' } }
#[test]
fn update_membership_by_external_id_request_matches_reference() {
    let min =
        update_membership_by_external_id_request("org_1", "ext_1", Default::default()).unwrap();
    assert_eq!(
        min,
        UpdateMembershipRequest {
            organization_id: "org_1".to_owned(),
            identities: Some(update_membership_request::Identities::ExternalId(
                "ext_1".to_owned()
            )),
            membership: Some(UpdateMembership::default()),
        }
    );
    assert_eq!(
        min,
        decode::<UpdateMembershipRequest>(REF_UPDATE_MEMBERSHIP_BY_EXTERNAL_ID_MIN)
    );

    let opts = UpdateMembershipOptions::default()
        .with_roles(["admin"])
        .with_metadata("k", "v");
    let full = update_membership_by_external_id_request("org_1", "ext_1", opts).unwrap();
    assert_eq!(
        full,
        decode::<UpdateMembershipRequest>(REF_UPDATE_MEMBERSHIP_BY_EXTERNAL_ID_FULL)
    );
}

#[tokio::test]
async fn update_membership_rejects_invalid_organization_or_blank_external_id() {
    let users = offline();
    for id in BAD_IDS {
        let result = users
            .update_membership_by_external_id(id, "ext_1", Default::default())
            .await;
        let (field, _) = invalid(result);
        assert_eq!(field, "organization_id", "{id:?}");
    }
    let result = users
        .update_membership_by_external_id("org_1", "", Default::default())
        .await;
    let (field, _) = invalid(result);
    assert_eq!(field, "external_id");
}

// deleteMembershipByExternalId('org_1', 'ext_1'): no `cascade`.
#[test]
fn delete_membership_by_external_id_request_matches_reference() {
    let request = delete_membership_by_external_id_request("org_1", "ext_1").unwrap();
    assert_eq!(
        request,
        DeleteMembershipRequest {
            organization_id: "org_1".to_owned(),
            identities: Some(delete_membership_request::Identities::ExternalId(
                "ext_1".to_owned()
            )),
            cascade: None,
        }
    );
    assert_eq!(
        request,
        decode::<DeleteMembershipRequest>(REF_DELETE_MEMBERSHIP_BY_EXTERNAL_ID)
    );
}

#[tokio::test]
async fn delete_membership_rejects_invalid_organization_or_blank_external_id() {
    let users = offline();
    for id in BAD_IDS {
        let result = users.delete_membership_by_external_id(id, "ext_1").await;
        let (field, _) = invalid(result);
        assert_eq!(field, "organization_id", "{id:?}");
    }
    let (field, _) = invalid(users.delete_membership_by_external_id("org_1", "\n").await);
    assert_eq!(field, "external_id");
}
