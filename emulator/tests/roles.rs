//! The emulator's RolesService semantics that the facade tests do not reach,
//! through the generated clients over real sockets: organization roles in
//! memberships, cascades on organization deletion, environment default
//! roles, dependent roles, the deprecated request fields and permission
//! types.

mod common;

use scalekit::proto::commons::Role as RoleRef;
use scalekit::proto::organizations::{
    delete_organization_request, CreateOrganization, CreateOrganizationRequest,
    DeleteOrganizationRequest, OrganizationServiceClient,
};
use scalekit::proto::roles::{
    CreateOrganizationRole, CreateOrganizationRoleRequest, CreatePermission,
    CreatePermissionRequest, CreateRole, CreateRoleRequest, DeleteRoleBaseRequest,
    DeleteRoleRequest, GetOrganizationRoleRequest, GetRoleRequest, ListDependentRolesRequest,
    ListOrganizationRolesRequest, ListPermissionsRequest, ListRolesRequest, PermissionType,
    RolesServiceClient, UpdateDefaultOrganizationRolesRequest, UpdateDefaultRole,
    UpdateDefaultRolesRequest, UpdateRole, UpdateRoleRequest,
};
use scalekit::proto::users::{
    CreateMembership, CreateUser, CreateUserAndMembershipRequest, GetUserRequest, UserServiceClient,
};
use scalekit::AuthChannel;
use scalekit_emulator::{Code, EmulatorHandle};

struct Env {
    _emulator: EmulatorHandle,
    roles: RolesServiceClient<AuthChannel>,
    orgs: OrganizationServiceClient<AuthChannel>,
    users: UserServiceClient<AuthChannel>,
}

async fn start() -> anyhow::Result<Env> {
    let (emulator, client) = common::start().await?;
    Ok(Env {
        roles: client.raw().roles(),
        orgs: client.raw().organizations(),
        users: client.raw().users(),
        _emulator: emulator,
    })
}

impl Env {
    async fn org(&mut self, name: &str) -> anyhow::Result<String> {
        let response = self
            .orgs
            .create_organization(CreateOrganizationRequest {
                organization: Some(CreateOrganization {
                    display_name: name.to_owned(),
                    ..Default::default()
                }),
            })
            .await?
            .into_inner();
        Ok(response.organization.unwrap_or_default().id)
    }

    async fn role(&mut self, name: &str, extends: Option<&str>) -> anyhow::Result<()> {
        self.roles
            .create_role(CreateRoleRequest {
                role: Some(CreateRole {
                    name: name.to_owned(),
                    display_name: name.to_owned(),
                    extends: extends.map(str::to_owned),
                    ..Default::default()
                }),
            })
            .await?;
        Ok(())
    }

    async fn org_role(&mut self, org: &str, name: &str) -> Result<(), tonic::Status> {
        self.roles
            .create_organization_role(CreateOrganizationRoleRequest {
                org_id: org.to_owned(),
                role: Some(CreateOrganizationRole {
                    name: name.to_owned(),
                    display_name: name.to_owned(),
                    ..Default::default()
                }),
            })
            .await?;
        Ok(())
    }

    /// A new user in `org` with `roles` (by name); returns their role names.
    async fn join(
        &mut self,
        org: &str,
        email: &str,
        roles: &[&str],
    ) -> Result<Vec<String>, tonic::Status> {
        let user = self
            .users
            .create_user_and_membership(CreateUserAndMembershipRequest {
                organization_id: org.to_owned(),
                user: Some(CreateUser {
                    email: email.to_owned(),
                    membership: Some(CreateMembership {
                        roles: roles
                            .iter()
                            .map(|r| RoleRef {
                                name: (*r).to_owned(),
                                ..Default::default()
                            })
                            .collect(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                send_invitation_email: Some(false),
            })
            .await?
            .into_inner()
            .user
            .unwrap_or_default();
        Ok(user.memberships[0]
            .roles
            .iter()
            .map(|r| r.name.clone())
            .collect())
    }
}

#[tokio::test]
async fn memberships_can_hold_their_organizations_roles_only() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    let globex = env.org("Globex").await?;
    env.org_role(&acme, "lead").await?;
    assert_eq!(
        env.join(&acme, "a@acme.test", &["lead", "admin"]).await?,
        ["lead", "admin"]
    );
    let err = env
        .join(&globex, "b@globex.test", &["lead"])
        .await
        .expect_err("another organization's role");
    assert_eq!(err.code(), Code::InvalidArgument);
    Ok(())
}

#[tokio::test]
async fn deleting_an_organization_drops_its_roles_and_default() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    env.org_role(&acme, "lead").await?;
    env.roles
        .update_default_organization_roles(UpdateDefaultOrganizationRolesRequest {
            org_id: acme.clone(),
            default_member_role: "lead".to_owned(),
        })
        .await?;
    env.orgs
        .delete_organization(DeleteOrganizationRequest {
            identities: Some(delete_organization_request::Identities::Id(acme.clone())),
        })
        .await?;
    // The name is free again, for the environment and for a new organization.
    env.role("lead", None).await?;
    let err = env
        .roles
        .get_organization_role(GetOrganizationRoleRequest {
            org_id: acme,
            role_name: "lead".to_owned(),
            include: None,
        })
        .await
        .expect_err("organization gone");
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn organization_default_role_cannot_be_deleted_without_reassign() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    env.org_role(&acme, "trainee").await?;
    env.roles
        .update_default_organization_roles(UpdateDefaultOrganizationRolesRequest {
            org_id: acme.clone(),
            default_member_role: "trainee".to_owned(),
        })
        .await?;
    let delete = |reassign: Option<&str>| scalekit::proto::roles::DeleteOrganizationRoleRequest {
        org_id: acme.clone(),
        role_name: "trainee".to_owned(),
        reassign_role_name: reassign.map(str::to_owned),
    };
    let err = env
        .roles
        .delete_organization_role(delete(None))
        .await
        .expect_err("default role");
    assert_eq!(err.code(), Code::FailedPrecondition);
    env.roles
        .delete_organization_role(delete(Some("member")))
        .await?;
    // The default moved with the reassignment.
    assert_eq!(env.join(&acme, "n@acme.test", &[]).await?, ["member"]);
    Ok(())
}

#[tokio::test]
#[allow(deprecated)] // the deprecated UpdateDefaultRole messages must keep working
async fn environment_default_roles_move_and_drive_new_memberships() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    env.role("viewer", None).await?;
    env.role("owner", None).await?;
    let response = env
        .roles
        .update_default_roles(UpdateDefaultRolesRequest {
            default_member_role: Some("viewer".to_owned()),
            ..Default::default()
        })
        .await?
        .into_inner();
    let member = response.default_member.unwrap_or_default();
    assert_eq!(member.name, "viewer");
    assert!(member.default_member);
    assert_eq!(response.default_creator.unwrap_or_default().name, "admin");
    assert_eq!(env.join(&acme, "a@acme.test", &[]).await?, ["viewer"]);

    // The deprecated form names the role in a message.
    env.roles
        .update_default_roles(UpdateDefaultRolesRequest {
            default_creator: Some(UpdateDefaultRole {
                id: String::new(),
                name: Some("owner".to_owned()),
            }),
            ..Default::default()
        })
        .await?;
    let roles = env
        .roles
        .list_roles(ListRolesRequest::default())
        .await?
        .into_inner()
        .roles;
    let flags: Vec<(&str, bool, bool)> = roles
        .iter()
        .map(|r| (r.name.as_str(), r.default_creator, r.default_member))
        .collect();
    assert_eq!(
        flags,
        [
            ("admin", false, false),
            ("member", false, false),
            ("viewer", false, true),
            ("owner", true, false)
        ]
    );
    // `member` is no longer a default, so it can go.
    env.roles
        .delete_role(DeleteRoleRequest {
            role_name: "member".to_owned(),
            ..Default::default()
        })
        .await?;
    let err = env
        .roles
        .update_default_roles(UpdateDefaultRolesRequest {
            default_member_role: Some("ghost".to_owned()),
            ..Default::default()
        })
        .await
        .expect_err("unknown role");
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn dependent_roles_are_listed_and_bases_removed() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    env.role("base", None).await?;
    env.role("child", Some("base")).await?;
    env.roles
        .create_organization_role(CreateOrganizationRoleRequest {
            org_id: acme.clone(),
            role: Some(CreateOrganizationRole {
                name: "org_child".to_owned(),
                display_name: "Org child".to_owned(),
                extends: Some("base".to_owned()),
                ..Default::default()
            }),
        })
        .await?;
    let dependents = env
        .roles
        .list_dependent_roles(ListDependentRolesRequest {
            role_name: "base".to_owned(),
        })
        .await?
        .into_inner()
        .roles;
    let names: Vec<(&str, bool)> = dependents
        .iter()
        .map(|r| (r.name.as_str(), r.is_org_role))
        .collect();
    assert_eq!(names, [("child", false), ("org_child", true)]);
    let base = env
        .roles
        .get_role(GetRoleRequest {
            role_name: "base".to_owned(),
            include: None,
        })
        .await?
        .into_inner()
        .role
        .unwrap_or_default();
    assert_eq!(base.dependent_roles_count, 2);

    env.roles
        .delete_role_base(DeleteRoleBaseRequest {
            role_name: "child".to_owned(),
        })
        .await?;
    let child = env
        .roles
        .get_role(GetRoleRequest {
            role_name: "child".to_owned(),
            include: None,
        })
        .await?
        .into_inner()
        .role
        .unwrap_or_default();
    assert_eq!(child.extends, None);
    Ok(())
}

#[tokio::test]
#[allow(deprecated)] // reassign_role_id is deprecated but still honoured
async fn delete_role_deprecated_reassign_role_id_is_honoured() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    env.role("editor", None).await?;
    env.join(&acme, "a@acme.test", &["editor"]).await?;
    let admin = env
        .roles
        .get_role(GetRoleRequest {
            role_name: "admin".to_owned(),
            include: None,
        })
        .await?
        .into_inner()
        .role
        .unwrap_or_default();
    env.roles
        .delete_role(DeleteRoleRequest {
            role_name: "editor".to_owned(),
            reassign_role_id: Some(admin.id),
            reassign_role_name: None,
        })
        .await?;
    let users = env
        .users
        .list_users(scalekit::proto::users::ListUsersRequest::default())
        .await?
        .into_inner()
        .users;
    let user = env
        .users
        .get_user(GetUserRequest {
            identities: Some(scalekit::proto::users::get_user_request::Identities::Id(
                users[0].id.clone(),
            )),
        })
        .await?
        .into_inner()
        .user
        .unwrap_or_default();
    assert_eq!(user.memberships[0].roles[0].name, "admin");
    Ok(())
}

#[tokio::test]
async fn update_role_and_permissions_validate_names_and_types() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    env.roles
        .create_permission(CreatePermissionRequest {
            permission: Some(CreatePermission {
                name: "a:read".to_owned(),
                description: String::new(),
            }),
        })
        .await?;
    // Scalekit's own permissions are not emulated: the SCALEKIT type is
    // empty and ENVIRONMENT is everything created here.
    for (kind, expected) in [
        (PermissionType::All, 1),
        (PermissionType::Environment, 1),
        (PermissionType::Scalekit, 0),
    ] {
        let page = env
            .roles
            .list_permissions(ListPermissionsRequest {
                r#type: kind as i32,
                ..Default::default()
            })
            .await?
            .into_inner();
        assert_eq!(page.permissions.len(), expected, "{kind:?}");
    }
    let err = env
        .roles
        .update_role(UpdateRoleRequest {
            role_name: "member".to_owned(),
            role: Some(UpdateRole {
                extends: Some("member".to_owned()),
                ..Default::default()
            }),
        })
        .await
        .expect_err("extends itself");
    assert_eq!(err.code(), Code::InvalidArgument);
    let err = env
        .roles
        .update_role(UpdateRoleRequest {
            role_name: "member".to_owned(),
            role: None,
        })
        .await
        .expect_err("no update");
    assert_eq!(err.code(), Code::InvalidArgument);
    let err = env
        .roles
        .list_organization_roles(ListOrganizationRolesRequest {
            org_id: acme.clone(),
            include: Some("users".to_owned()),
        })
        .await
        .expect_err("bad include");
    assert_eq!(err.code(), Code::InvalidArgument);
    let err = env
        .org_role(&acme, &"x".repeat(65))
        .await
        .expect_err("name too long");
    assert_eq!(err.code(), Code::InvalidArgument);
    Ok(())
}
