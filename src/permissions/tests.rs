//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/permission.js`) encodes for
//! the same call, captured by running its `PermissionClient` with a
//! `connectExec` stub that records
//! `toBinary(method.input, create(method.input, req))`.

use super::requests::*;
use super::*;
use crate::pagination::PageOptions;
use crate::proto::roles::{
    AddPermissionsToRoleRequest, CreatePermissionRequest, DeletePermissionRequest,
    GetPermissionRequest, ListEffectiveRolePermissionsRequest, ListPermissionsRequest,
    ListRolePermissionsRequest, RemovePermissionFromRoleRequest, UpdatePermissionRequest,
};
use crate::test_support::{decode, invalid};

const REF_CREATE_PERMISSION: &str = "0a0b0a06726561643a61120164";
const REF_CREATE_PERMISSION_MIN: &str = "0a080a06726561643a61";
const REF_GET_PERMISSION: &str = "0a06726561643a61";
const REF_LIST_PERMISSIONS_NONE: &str = "";
const REF_LIST_PERMISSIONS_ZERO: &str = "1000";
const REF_LIST_PERMISSIONS_FULL: &str = "0a01741014";
const REF_UPDATE_PERMISSION: &str = "0a06726561643a611a0c0a06726561643a6112026432";
const REF_DELETE_PERMISSION: &str = "0a06726561643a61";
const REF_LIST_ROLE_PERMISSIONS: &str = "0a06656469746f72";
const REF_ADD_PERMISSIONS_TO_ROLE: &str = "0a06656469746f721206726561643a61120777726974653a61";
const REF_REMOVE_PERMISSION_FROM_ROLE: &str = "0a06656469746f721206726561643a61";
const REF_LIST_EFFECTIVE_ROLE_PERMISSIONS: &str = "0a06656469746f72";

fn permission(name: &str, description: &str) -> CreatePermission {
    CreatePermission {
        name: name.to_owned(),
        description: description.to_owned(),
    }
}

// createPermission({ name: 'read:a', description: 'd' }); createPermission({ name: 'read:a' })
#[test]
fn create_permission_request_matches_reference() {
    let request = create_permission_request(permission("read:a", "d")).unwrap();
    assert_eq!(
        request,
        CreatePermissionRequest {
            permission: Some(permission("read:a", "d")),
        }
    );
    assert_eq!(
        request,
        decode::<CreatePermissionRequest>(REF_CREATE_PERMISSION)
    );
    let min = create_permission_request(permission("read:a", "")).unwrap();
    assert_eq!(
        min,
        decode::<CreatePermissionRequest>(REF_CREATE_PERMISSION_MIN)
    );
    for name in ["", " ", "read:a ", "a/b"] {
        let (field, _) = invalid(create_permission_request(permission(name, "")));
        assert_eq!(field, "name", "{name:?}");
    }
}

// getPermission('read:a'); deletePermission('read:a')
#[test]
fn get_and_delete_permission_requests_match_reference() {
    let get = get_permission_request("read:a").unwrap();
    assert_eq!(get, decode::<GetPermissionRequest>(REF_GET_PERMISSION));
    let delete = delete_permission_request("read:a").unwrap();
    assert_eq!(
        delete,
        decode::<DeletePermissionRequest>(REF_DELETE_PERMISSION)
    );
    let (field, _) = invalid(get_permission_request(""));
    assert_eq!(field, "permission_name");
    let (field, _) = invalid(delete_permission_request("a/b"));
    assert_eq!(field, "permission_name");
}

// listPermissions(); listPermissions(undefined, 0); listPermissions('t', 20)
#[test]
fn list_permissions_request_matches_reference() {
    let none = list_permissions_request(&ListPermissionsOptions::default());
    assert_eq!(none, ListPermissionsRequest::default());
    assert_eq!(
        none,
        decode::<ListPermissionsRequest>(REF_LIST_PERMISSIONS_NONE)
    );
    let zero = list_permissions_request(&ListPermissionsOptions::default().with_page_size(0));
    assert_eq!(zero.page_size, Some(0));
    assert_eq!(
        zero,
        decode::<ListPermissionsRequest>(REF_LIST_PERMISSIONS_ZERO)
    );
    let full = list_permissions_request(
        &ListPermissionsOptions::default()
            .with_page_size(20)
            .with_page_token("t"),
    );
    assert_eq!(
        full,
        ListPermissionsRequest {
            page_token: Some("t".to_owned()),
            page_size: Some(20),
            r#type: 0,
        }
    );
    assert_eq!(
        full,
        decode::<ListPermissionsRequest>(REF_LIST_PERMISSIONS_FULL)
    );
}

// updatePermission('read:a', { name: 'read:a', description: 'd2' })
#[test]
fn update_permission_request_matches_reference() {
    let request = update_permission_request("read:a", permission("read:a", "d2")).unwrap();
    assert_eq!(
        request,
        UpdatePermissionRequest {
            permission_name: "read:a".to_owned(),
            permission: Some(permission("read:a", "d2")),
        }
    );
    assert_eq!(
        request,
        decode::<UpdatePermissionRequest>(REF_UPDATE_PERMISSION)
    );
    let (field, _) = invalid(update_permission_request(" ", permission("", "")));
    assert_eq!(field, "permission_name");
}

// listRolePermissions('editor'); listEffectiveRolePermissions('editor')
#[test]
fn role_permission_list_requests_match_reference() {
    let direct = list_role_permissions_request("editor").unwrap();
    assert_eq!(
        direct,
        decode::<ListRolePermissionsRequest>(REF_LIST_ROLE_PERMISSIONS)
    );
    let effective = list_effective_role_permissions_request("editor").unwrap();
    assert_eq!(
        effective,
        decode::<ListEffectiveRolePermissionsRequest>(REF_LIST_EFFECTIVE_ROLE_PERMISSIONS)
    );
    let (field, _) = invalid(list_role_permissions_request(""));
    assert_eq!(field, "role_name");
    let (field, _) = invalid(list_effective_role_permissions_request("a/b"));
    assert_eq!(field, "role_name");
}

// addPermissionsToRole('editor', ['read:a', 'write:a'])
#[test]
fn add_permissions_to_role_request_matches_reference() {
    let request = add_permissions_to_role_request("editor", ["read:a", "write:a"]).unwrap();
    assert_eq!(
        request,
        AddPermissionsToRoleRequest {
            role_name: "editor".to_owned(),
            permission_names: vec!["read:a".to_owned(), "write:a".to_owned()],
        }
    );
    assert_eq!(
        request,
        decode::<AddPermissionsToRoleRequest>(REF_ADD_PERMISSIONS_TO_ROLE)
    );
    let (field, _) = invalid(add_permissions_to_role_request(
        "editor",
        Vec::<String>::new(),
    ));
    assert_eq!(field, "permission_names");
    let (field, _) = invalid(add_permissions_to_role_request("editor", ["read:a", ""]));
    assert_eq!(field, "permission_names");
    let (field, _) = invalid(add_permissions_to_role_request("", ["read:a"]));
    assert_eq!(field, "role_name");
}

// removePermissionFromRole('editor', 'read:a')
#[test]
fn remove_permission_from_role_request_matches_reference() {
    let request = remove_permission_from_role_request("editor", "read:a").unwrap();
    assert_eq!(
        request,
        decode::<RemovePermissionFromRoleRequest>(REF_REMOVE_PERMISSION_FROM_ROLE)
    );
    let (field, _) = invalid(remove_permission_from_role_request("editor", ""));
    assert_eq!(field, "permission_name");
    let (field, _) = invalid(remove_permission_from_role_request(" editor", "read:a"));
    assert_eq!(field, "role_name");
}

#[test]
fn list_permissions_options_implement_page_options() {
    let mut opts = ListPermissionsOptions::default().with_page_size(5);
    assert_eq!(PageOptions::page_token(&opts), None);
    opts.set_page_token("n".to_owned());
    assert_eq!(
        opts,
        ListPermissionsOptions::default()
            .with_page_size(5)
            .with_page_token("n")
    );
}
