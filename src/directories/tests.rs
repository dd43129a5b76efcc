//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.2.2, or 2.11.0 for the methods it
//! added; `lib/directory.js`) encodes for the same call, captured by running its `DirectoryClient` with a
//! `connectExec` stub that records
//! `toBinary(method.input, create(method.input, req))`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::requests::*;
use super::*;
use crate::pagination::PageOptions;
use crate::proto::directories::{
    CreateDirectoryRequest, DeleteDirectoryRequest, GetDirectoryRequest, ListDirectoriesRequest,
    ListDirectoryGroupsRequest, ListDirectoryUsersRequest, ToggleDirectoryRequest,
};
use crate::test_support::{decode, invalid};

const REF_LIST_DIRECTORIES: &str = "0a056f72675f31";
const REF_CREATE_DIRECTORY: &str = "0a056f72675f31120408011001";
const REF_CREATE_DIRECTORY_EMPTY: &str = "0a056f72675f311200";
const REF_DELETE_DIRECTORY: &str = "0a056f72675f311a056469725f31";
const REF_GET_DIRECTORY: &str = "0a056469725f3112056f72675f31";
const REF_LIST_DIRECTORY_USERS_NONE: &str = "0a056f72675f3112056469725f31";
const REF_LIST_DIRECTORY_USERS_FULL: &str =
    "0a056f72675f3112056469725f3118142201742800320a64697267726f75705f313a0b08a5facdac0610809bee02";
const REF_LIST_DIRECTORY_GROUPS_NONE: &str = "0a056f72675f3112056469725f31";
const REF_LIST_DIRECTORY_GROUPS_FULL: &str =
    "0a056f72675f3112056469725f3118142201742a0b08a5facdac0610809bee023001";
const REF_ENABLE_DIRECTORY: &str = "0a056f72675f311a056469725f31";
const REF_DISABLE_DIRECTORY: &str = "0a056f72675f311a056469725f31";

/// `new Date("2024-01-02T03:04:05.006Z")`, as the reference's
/// `updatedAfter` option.
fn updated_after() -> SystemTime {
    UNIX_EPOCH + Duration::new(1_704_164_645, 6_000_000)
}

// listDirectories('org_1')
#[test]
fn list_directories_request_matches_reference() {
    let request = list_directories_request("org_1").unwrap();
    assert_eq!(
        request,
        ListDirectoriesRequest {
            organization_id: "org_1".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<ListDirectoriesRequest>(REF_LIST_DIRECTORIES)
    );
    let (field, _) = invalid(list_directories_request(" "));
    assert_eq!(field, "organization_id");
}

// getDirectory('org_1', 'dir_1')
#[test]
fn get_directory_request_matches_reference() {
    let request = get_directory_request("org_1", "dir_1").unwrap();
    assert_eq!(
        request,
        GetDirectoryRequest {
            id: "dir_1".to_owned(),
            organization_id: "org_1".to_owned(),
        }
    );
    assert_eq!(request, decode::<GetDirectoryRequest>(REF_GET_DIRECTORY));
    let (field, _) = invalid(get_directory_request("org_1", "dir/1"));
    assert_eq!(field, "directory_id");
    let (field, _) = invalid(get_directory_request("", "dir_1"));
    assert_eq!(field, "organization_id");
}

#[test]
fn primary_directory_is_the_first_listed_or_not_found() {
    let directory = |id: &str| Directory {
        id: id.to_owned(),
        ..Default::default()
    };
    let first = primary_directory("org_1", vec![directory("dir_1"), directory("dir_2")]);
    assert_eq!(first.unwrap().id, "dir_1");

    let err = primary_directory("org_1", Vec::new()).unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.api().unwrap().message().contains("org_1"));
}

// listDirectoryUsers('org_1', 'dir_1')
#[test]
fn list_directory_users_request_without_options_matches_reference() {
    let request =
        list_directory_users_request("org_1", "dir_1", &ListDirectoryUsersOptions::default())
            .unwrap();
    assert_eq!(
        request,
        ListDirectoryUsersRequest {
            organization_id: "org_1".to_owned(),
            directory_id: "dir_1".to_owned(),
            ..Default::default()
        }
    );
    assert_eq!(
        request,
        decode::<ListDirectoryUsersRequest>(REF_LIST_DIRECTORY_USERS_NONE)
    );
}

// listDirectoryUsers('org_1', 'dir_1', { pageSize: 20, pageToken: 't', includeDetail: false,
//   directoryGroupId: 'dirgroup_1', updatedAfter: '2024-01-02T03:04:05.006Z' })
#[test]
fn list_directory_users_request_with_options_matches_reference() {
    let opts = ListDirectoryUsersOptions::default()
        .with_page_size(20)
        .with_page_token("t")
        .with_include_detail(false)
        .with_directory_group_id("dirgroup_1")
        .with_updated_after(updated_after());
    let request = list_directory_users_request("org_1", "dir_1", &opts).unwrap();
    assert_eq!(
        request,
        ListDirectoryUsersRequest {
            organization_id: "org_1".to_owned(),
            directory_id: "dir_1".to_owned(),
            page_size: 20,
            page_token: "t".to_owned(),
            include_detail: Some(false),
            directory_group_id: Some("dirgroup_1".to_owned()),
            updated_after: Some(prost_types::Timestamp {
                seconds: 1_704_164_645,
                nanos: 6_000_000,
            }),
        }
    );
    assert_eq!(
        request,
        decode::<ListDirectoryUsersRequest>(REF_LIST_DIRECTORY_USERS_FULL)
    );
    let (field, _) = invalid(list_directory_users_request("org_1", "", &opts));
    assert_eq!(field, "directory_id");
}

// listDirectoryGroups('org_1', 'dir_1')
#[test]
fn list_directory_groups_request_without_options_matches_reference() {
    let request =
        list_directory_groups_request("org_1", "dir_1", &ListDirectoryGroupsOptions::default())
            .unwrap();
    assert_eq!(
        request,
        ListDirectoryGroupsRequest {
            organization_id: "org_1".to_owned(),
            directory_id: "dir_1".to_owned(),
            ..Default::default()
        }
    );
    assert_eq!(
        request,
        decode::<ListDirectoryGroupsRequest>(REF_LIST_DIRECTORY_GROUPS_NONE)
    );
}

// listDirectoryGroups('org_1', 'dir_1', { pageSize: 20, pageToken: 't', includeDetail: true,
//   updatedAfter: '2024-01-02T03:04:05.006Z' })
#[test]
fn list_directory_groups_request_with_options_matches_reference() {
    let opts = ListDirectoryGroupsOptions::default()
        .with_page_size(20)
        .with_page_token("t")
        .with_include_detail(true)
        .with_updated_after(updated_after());
    let request = list_directory_groups_request("org_1", "dir_1", &opts).unwrap();
    assert_eq!(request.include_detail, Some(true));
    assert_eq!(request.include_external_groups, None);
    assert_eq!(
        request,
        decode::<ListDirectoryGroupsRequest>(REF_LIST_DIRECTORY_GROUPS_FULL)
    );
    let (field, _) = invalid(list_directory_groups_request("org 1 ", "dir_1", &opts));
    assert_eq!(field, "organization_id");
}

// enableDirectory('org_1', 'dir_1'), disableDirectory('org_1', 'dir_1')
#[test]
fn toggle_directory_request_matches_reference() {
    let request = toggle_directory_request("org_1", "dir_1").unwrap();
    assert_eq!(
        request,
        ToggleDirectoryRequest {
            organization_id: "org_1".to_owned(),
            id: "dir_1".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<ToggleDirectoryRequest>(REF_ENABLE_DIRECTORY)
    );
    assert_eq!(
        request,
        decode::<ToggleDirectoryRequest>(REF_DISABLE_DIRECTORY)
    );
    let (field, _) = invalid(toggle_directory_request("org_1", "\tdir_1"));
    assert_eq!(field, "directory_id");
}

#[test]
fn list_options_implement_page_options() {
    let mut opts = ListDirectoryUsersOptions::default().with_directory_group_id("g");
    assert_eq!(PageOptions::page_token(&opts), None);
    opts.set_page_token("n".to_owned());
    assert_eq!(opts.page_token.as_deref(), Some("n"));
    assert_eq!(opts.directory_group_id.as_deref(), Some("g"));

    let mut opts = ListDirectoryGroupsOptions::default().with_page_token("a");
    assert_eq!(PageOptions::page_token(&opts), Some("a"));
    opts.set_page_token("b".to_owned());
    assert_eq!(opts.page_token.as_deref(), Some("b"));
}

#[tokio::test]
async fn list_directory_users_stream_yields_a_validation_error_once() {
    use futures::StreamExt as _;

    // Validation fails before any I/O, so the unroutable address is never dialled.
    let client = crate::ScalekitClient::new("https://127.0.0.1:1", "client", "secret").unwrap();
    let stream = client.directories().list_directory_users_stream(
        "org_1",
        "",
        ListDirectoryUsersOptions::default(),
    );
    let results: Vec<Result<DirectoryUser>> = stream.collect().await;
    assert_eq!(results.len(), 1);
    let (field, _) = invalid(results.into_iter().next().unwrap());
    assert_eq!(field, "directory_id");
}

// createDirectory('org_1', { directoryType: SCIM, directoryProvider: OKTA }),
// createDirectory('org_1', {})
#[test]
fn create_directory_requests_match_reference() {
    let scim = CreateDirectory {
        directory_type: DirectoryType::Scim as i32,
        directory_provider: DirectoryProvider::Okta as i32,
    };
    let request = create_directory_request("org_1", scim).unwrap();
    assert_eq!(
        request,
        CreateDirectoryRequest {
            organization_id: "org_1".to_owned(),
            directory: Some(scim),
        }
    );
    assert_eq!(
        request,
        decode::<CreateDirectoryRequest>(REF_CREATE_DIRECTORY)
    );

    // An empty directory is still sent as a present message.
    let empty = create_directory_request("org_1", CreateDirectory::default()).unwrap();
    assert_eq!(empty.directory, Some(CreateDirectory::default()));
    assert_eq!(
        empty,
        decode::<CreateDirectoryRequest>(REF_CREATE_DIRECTORY_EMPTY)
    );
}

#[test]
fn create_directory_rejects_invalid_organization_id() {
    for id in ["", "  ", " org_1", "org/1"] {
        let (field, _) = invalid(create_directory_request(id, CreateDirectory::default()));
        assert_eq!(field, "organization_id", "{id:?}");
    }
}

// deleteDirectory('org_1', 'dir_1')
#[test]
fn delete_directory_request_matches_reference() {
    let request = delete_directory_request("org_1", "dir_1").unwrap();
    assert_eq!(
        request,
        DeleteDirectoryRequest {
            organization_id: "org_1".to_owned(),
            id: "dir_1".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<DeleteDirectoryRequest>(REF_DELETE_DIRECTORY)
    );
}

#[test]
fn delete_directory_rejects_unprefixed_ids() {
    for id in ["", "org_1 ", "org/1", "acme"] {
        let (field, _) = invalid(delete_directory_request(id, "dir_1"));
        assert_eq!(field, "organization_id", "{id:?}");
    }
    let (field, reason) = invalid(delete_directory_request("org_1", "conn_1"));
    assert_eq!(
        (field, reason.as_str()),
        ("directory_id", "must start with \"dir_\"")
    );
    let (field, _) = invalid(delete_directory_request("org_1", "dir/1"));
    assert_eq!(field, "directory_id");
}
