//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.2.2, or 2.11.0 for the methods it
//! added; `lib/role.js`) encodes for the same call, captured by running its `RoleClient` with a `connectExec`
//! stub that records `toBinary(method.input, create(method.input, req))`.
//! Comparing decoded messages proves the facade sends the same fields and
//! nothing else.

use super::requests::*;
use super::*;
use crate::proto::roles::{
    CreateOrganizationRoleRequest, CreateRoleRequest, DeleteOrganizationRoleBaseRequest,
    DeleteOrganizationRoleRequest, DeleteRoleBaseRequest, DeleteRoleRequest,
    GetOrganizationRoleRequest, GetOrganizationRoleUsersCountRequest, GetRoleRequest,
    GetRoleUsersCountRequest, ListDependentRolesRequest, ListOrganizationRolesRequest,
    ListRolesRequest, UpdateDefaultOrganizationRolesRequest, UpdateDefaultRolesRequest,
    UpdateOrganizationRoleRequest, UpdateRoleRequest,
};
use crate::test_support::{decode, invalid};

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

const REF_CREATE_ROLE_FULL: &str =
    "122c1206656469746f721a06456469746f7222016442067669657765724a06726561643a614a0777726974653a61";
const REF_CREATE_ROLE_MIN: &str = "12101206656469746f721a06456469746f72";
const REF_GET_ROLE: &str = "1206656469746f72";
const REF_LIST_ROLES: &str = "";
const REF_UPDATE_ROLE_FULL: &str =
    "1206656469746f721a160a014512016432067669657765723a06726561643a61";
const REF_UPDATE_ROLE_EMPTY: &str = "1206656469746f721a00";
const REF_DELETE_ROLE: &str = "1206656469746f72";
const REF_DELETE_ROLE_REASSIGN: &str = "1206656469746f7222066d656d626572";
const REF_GET_ROLE_USERS_COUNT: &str = "1206656469746f72";
const REF_CREATE_ORG_ROLE: &str =
    "0a056f72675f31121f12046c6561641a044c65616422016442066d656d6265724a06726561643a61";
const REF_GET_ORG_ROLE: &str = "0a056f72675f3112046c656164";
const REF_LIST_ORG_ROLES: &str = "0a056f72675f31";
const REF_UPDATE_ORG_ROLE: &str = "0a056f72675f3112046c6561641a030a014c";
const REF_DELETE_ORG_ROLE: &str = "0a056f72675f3112046c656164";
const REF_DELETE_ORG_ROLE_REASSIGN: &str = "0a056f72675f3112046c6561641a066d656d626572";
const REF_GET_ORG_ROLE_USERS_COUNT: &str = "0a056f72675f3112046c656164";
const REF_UPDATE_DEFAULT_ORG_ROLES: &str = "0a056f72675f3112046c656164";
const REF_DELETE_ORG_ROLE_BASE: &str = "0a056f72675f3112046c656164";
const REF_DELETE_ROLE_BASE: &str = "0a06656469746f72";
const REF_UPDATE_DEFAULT_ROLES_NONE: &str = "";
const REF_UPDATE_DEFAULT_ROLES_BOTH: &str = "22056f776e65722a066d656d626572";
const REF_UPDATE_DEFAULT_ROLES_MEMBER: &str = "2a066d656d626572";
const REF_LIST_DEPENDENT_ROLES: &str = "0a09626173655f726f6c65";

// createRole({ name: 'editor', displayName: 'Editor', description: 'd',
//   extends: 'viewer', permissions: ['read:a', 'write:a'] })
#[test]
fn create_role_request_matches_reference() {
    let role = CreateRole {
        name: "editor".to_owned(),
        display_name: "Editor".to_owned(),
        description: Some("d".to_owned()),
        extends: Some("viewer".to_owned()),
        permissions: strings(&["read:a", "write:a"]),
    };
    let request = create_role_request(role.clone()).unwrap();
    assert_eq!(request, CreateRoleRequest { role: Some(role) });
    assert_eq!(request, decode::<CreateRoleRequest>(REF_CREATE_ROLE_FULL));

    let min = create_role_request(CreateRole {
        name: "editor".to_owned(),
        display_name: "Editor".to_owned(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(min, decode::<CreateRoleRequest>(REF_CREATE_ROLE_MIN));
}

#[test]
fn create_role_request_validates_name() {
    for name in ["", " ", " editor", "a/b"] {
        let role = CreateRole {
            name: name.to_owned(),
            ..Default::default()
        };
        let (field, _) = invalid(create_role_request(role));
        assert_eq!(field, "name", "{name:?}");
    }
}

// getRole('editor'); listRoles()
#[test]
fn get_and_list_roles_requests_match_reference() {
    let request = get_role_request("editor", GetRoleOptions::default()).unwrap();
    assert_eq!(
        request,
        GetRoleRequest {
            role_name: "editor".to_owned(),
            include: None,
        }
    );
    assert_eq!(request, decode::<GetRoleRequest>(REF_GET_ROLE));
    let with = get_role_request(
        "editor",
        GetRoleOptions::default().with_include("permissions"),
    )
    .unwrap();
    assert_eq!(with.include.as_deref(), Some("permissions"));
    let (field, _) = invalid(get_role_request("", GetRoleOptions::default()));
    assert_eq!(field, "role_name");

    let list = list_roles_request(ListRolesOptions::default());
    assert_eq!(list, ListRolesRequest { include: None });
    assert_eq!(list, decode::<ListRolesRequest>(REF_LIST_ROLES));
}

// updateRole('editor', { displayName: 'E', description: 'd', extends: 'viewer',
//   permissions: ['read:a'] }); updateRole('editor', {})
#[test]
fn update_role_request_matches_reference() {
    let role = UpdateRole {
        display_name: Some("E".to_owned()),
        description: Some("d".to_owned()),
        extends: Some("viewer".to_owned()),
        permissions: strings(&["read:a"]),
    };
    let request = update_role_request("editor", role.clone()).unwrap();
    assert_eq!(
        request,
        UpdateRoleRequest {
            role_name: "editor".to_owned(),
            role: Some(role),
        }
    );
    assert_eq!(request, decode::<UpdateRoleRequest>(REF_UPDATE_ROLE_FULL));
    let empty = update_role_request("editor", UpdateRole::default()).unwrap();
    assert_eq!(empty, decode::<UpdateRoleRequest>(REF_UPDATE_ROLE_EMPTY));
    let (field, _) = invalid(update_role_request("a/b", UpdateRole::default()));
    assert_eq!(field, "role_name");
}

// deleteRole('editor'); deleteRole('editor', 'member')
#[test]
#[allow(deprecated)]
fn delete_role_request_matches_reference() {
    let plain = delete_role_request("editor", DeleteRoleOptions::default()).unwrap();
    assert_eq!(plain.reassign_role_name, None);
    assert_eq!(plain.reassign_role_id, None);
    assert_eq!(plain, decode::<DeleteRoleRequest>(REF_DELETE_ROLE));
    let opts = DeleteRoleOptions::default().with_reassign_role_name("member");
    let reassign = delete_role_request("editor", opts).unwrap();
    assert_eq!(reassign.reassign_role_name.as_deref(), Some("member"));
    assert_eq!(
        reassign,
        decode::<DeleteRoleRequest>(REF_DELETE_ROLE_REASSIGN)
    );
    let opts = DeleteRoleOptions::default().with_reassign_role_name(" ");
    let (field, _) = invalid(delete_role_request("editor", opts));
    assert_eq!(field, "reassign_role_name");
}

// getRoleUsersCount('editor')
#[test]
fn get_role_users_count_request_matches_reference() {
    let request = get_role_users_count_request("editor").unwrap();
    assert_eq!(
        request,
        decode::<GetRoleUsersCountRequest>(REF_GET_ROLE_USERS_COUNT)
    );
    let (field, _) = invalid(get_role_users_count_request(""));
    assert_eq!(field, "role_name");
}

// createOrganizationRole('org_1', { name: 'lead', displayName: 'Lead', description: 'd',
//   extends: 'member', permissions: ['read:a'] })
#[test]
fn create_organization_role_request_matches_reference() {
    let role = CreateOrganizationRole {
        name: "lead".to_owned(),
        display_name: "Lead".to_owned(),
        description: Some("d".to_owned()),
        extends: Some("member".to_owned()),
        permissions: strings(&["read:a"]),
    };
    let request = create_organization_role_request("org_1", role.clone()).unwrap();
    assert_eq!(
        request,
        CreateOrganizationRoleRequest {
            org_id: "org_1".to_owned(),
            role: Some(role.clone()),
        }
    );
    assert_eq!(
        request,
        decode::<CreateOrganizationRoleRequest>(REF_CREATE_ORG_ROLE)
    );
    let (field, _) = invalid(create_organization_role_request("", role));
    assert_eq!(field, "organization_id");
    let (field, _) = invalid(create_organization_role_request(
        "org_1",
        CreateOrganizationRole::default(),
    ));
    assert_eq!(field, "name");
}

// getOrganizationRole('org_1', 'lead'); listOrganizationRoles('org_1')
#[test]
fn get_and_list_organization_roles_requests_match_reference() {
    let get = get_organization_role_request("org_1", "lead", GetOrganizationRoleOptions::default())
        .unwrap();
    assert_eq!(
        get,
        GetOrganizationRoleRequest {
            org_id: "org_1".to_owned(),
            role_name: "lead".to_owned(),
            include: None,
        }
    );
    assert_eq!(get, decode::<GetOrganizationRoleRequest>(REF_GET_ORG_ROLE));
    let list =
        list_organization_roles_request("org_1", ListOrganizationRolesOptions::default()).unwrap();
    assert_eq!(
        list,
        decode::<ListOrganizationRolesRequest>(REF_LIST_ORG_ROLES)
    );
    let (field, _) = invalid(get_organization_role_request(
        "org_1",
        "",
        GetOrganizationRoleOptions::default(),
    ));
    assert_eq!(field, "role_name");
    let (field, _) = invalid(list_organization_roles_request(
        " org_1",
        ListOrganizationRolesOptions::default(),
    ));
    assert_eq!(field, "organization_id");
}

// updateOrganizationRole('org_1', 'lead', { displayName: 'L' })
#[test]
fn update_organization_role_request_matches_reference() {
    let role = UpdateRole {
        display_name: Some("L".to_owned()),
        ..Default::default()
    };
    let request = update_organization_role_request("org_1", "lead", role).unwrap();
    assert_eq!(
        request,
        decode::<UpdateOrganizationRoleRequest>(REF_UPDATE_ORG_ROLE)
    );
    let (field, _) = invalid(update_organization_role_request(
        "org_1",
        "",
        UpdateRole::default(),
    ));
    assert_eq!(field, "role_name");
}

// deleteOrganizationRole('org_1', 'lead'); deleteOrganizationRole('org_1', 'lead', 'member')
#[test]
fn delete_organization_role_request_matches_reference() {
    let plain =
        delete_organization_role_request("org_1", "lead", DeleteOrganizationRoleOptions::default())
            .unwrap();
    assert_eq!(
        plain,
        DeleteOrganizationRoleRequest {
            org_id: "org_1".to_owned(),
            role_name: "lead".to_owned(),
            reassign_role_name: None,
        }
    );
    assert_eq!(
        plain,
        decode::<DeleteOrganizationRoleRequest>(REF_DELETE_ORG_ROLE)
    );
    let opts = DeleteOrganizationRoleOptions::default().with_reassign_role_name("member");
    let reassign = delete_organization_role_request("org_1", "lead", opts).unwrap();
    assert_eq!(
        reassign,
        decode::<DeleteOrganizationRoleRequest>(REF_DELETE_ORG_ROLE_REASSIGN)
    );
}

// getOrganizationRoleUsersCount('org_1', 'lead'); updateDefaultOrganizationRoles('org_1', 'lead');
// deleteOrganizationRoleBase('org_1', 'lead')
#[test]
fn organization_role_misc_requests_match_reference() {
    let count = get_organization_role_users_count_request("org_1", "lead").unwrap();
    assert_eq!(
        count,
        decode::<GetOrganizationRoleUsersCountRequest>(REF_GET_ORG_ROLE_USERS_COUNT)
    );
    let defaults = update_default_organization_roles_request("org_1", "lead").unwrap();
    assert_eq!(
        defaults,
        UpdateDefaultOrganizationRolesRequest {
            org_id: "org_1".to_owned(),
            default_member_role: "lead".to_owned(),
        }
    );
    assert_eq!(
        defaults,
        decode::<UpdateDefaultOrganizationRolesRequest>(REF_UPDATE_DEFAULT_ORG_ROLES)
    );
    let base = delete_organization_role_base_request("org_1", "lead").unwrap();
    assert_eq!(
        base,
        decode::<DeleteOrganizationRoleBaseRequest>(REF_DELETE_ORG_ROLE_BASE)
    );
    let (field, _) = invalid(update_default_organization_roles_request("org_1", ""));
    assert_eq!(field, "default_member_role");
    let (field, _) = invalid(delete_organization_role_base_request("org/1", "lead"));
    assert_eq!(field, "organization_id");
    let (field, _) = invalid(get_organization_role_users_count_request("org_1", "a/b"));
    assert_eq!(field, "role_name");
}

// deleteRoleBase('editor')
#[test]
fn delete_role_base_request_matches_reference() {
    let request = delete_role_base_request("editor").unwrap();
    assert_eq!(
        request,
        DeleteRoleBaseRequest {
            role_name: "editor".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<DeleteRoleBaseRequest>(REF_DELETE_ROLE_BASE)
    );
}

#[test]
fn delete_role_base_rejects_invalid_role_name() {
    for name in ["", " ", "editor ", "a/b"] {
        let (field, _) = invalid(delete_role_base_request(name));
        assert_eq!(field, "role_name", "{name:?}");
    }
}

// updateDefaultRoles(), updateDefaultRoles({ defaultCreatorRole: 'owner', defaultMemberRole: 'member' }),
// updateDefaultRoles({ defaultMemberRole: 'member' })
#[test]
fn update_default_roles_requests_match_reference() {
    let none = update_default_roles_request(UpdateDefaultRolesOptions::default()).unwrap();
    assert_eq!(none, UpdateDefaultRolesRequest::default());
    assert_eq!(
        none,
        decode::<UpdateDefaultRolesRequest>(REF_UPDATE_DEFAULT_ROLES_NONE)
    );

    let both = update_default_roles_request(
        UpdateDefaultRolesOptions::default()
            .with_default_creator_role("owner")
            .with_default_member_role("member"),
    )
    .unwrap();
    assert_eq!(both.default_creator_role.as_deref(), Some("owner"));
    assert_eq!(both.default_member_role.as_deref(), Some("member"));
    assert_eq!(
        both,
        decode::<UpdateDefaultRolesRequest>(REF_UPDATE_DEFAULT_ROLES_BOTH)
    );

    let member = update_default_roles_request(
        UpdateDefaultRolesOptions::default().with_default_member_role("member"),
    )
    .unwrap();
    assert_eq!(member.default_creator_role, None);
    assert_eq!(
        member,
        decode::<UpdateDefaultRolesRequest>(REF_UPDATE_DEFAULT_ROLES_MEMBER)
    );
    #[allow(deprecated)]
    {
        assert_eq!((both.default_creator, both.default_member), (None, None));
    }
}

// updateDefaultRoles({ defaultCreatorRole: '' }) and ({ defaultMemberRole: '' }) throw.
#[test]
fn update_default_roles_rejects_empty_role_names() {
    let (field, _) = invalid(update_default_roles_request(
        UpdateDefaultRolesOptions::default().with_default_creator_role(""),
    ));
    assert_eq!(field, "default_creator_role");
    let (field, _) = invalid(update_default_roles_request(
        UpdateDefaultRolesOptions::default()
            .with_default_creator_role("owner")
            .with_default_member_role(" member"),
    ));
    assert_eq!(field, "default_member_role");
}

// listDependentRoles('base_role')
#[test]
fn list_dependent_roles_request_matches_reference() {
    let request = list_dependent_roles_request("base_role").unwrap();
    assert_eq!(
        request,
        ListDependentRolesRequest {
            role_name: "base_role".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<ListDependentRolesRequest>(REF_LIST_DEPENDENT_ROLES)
    );
}

// listDependentRoles('') throws 'roleName is required'.
#[test]
fn list_dependent_roles_rejects_invalid_role_name() {
    for name in ["", "  ", "base/role"] {
        let (field, _) = invalid(list_dependent_roles_request(name));
        assert_eq!(field, "role_name", "{name:?}");
    }
}
