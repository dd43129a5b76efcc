//! The emulator behaves as the reference documents: deprecated alias fields
//! stay in step with their replacements, and the RPCs the reference's users
//! call keep state. Every call goes through the generated clients
//! (`client.raw()`), so the deprecated fields the facade never sends are
//! reachable.
//!
//! Alias pairs (from `[deprecated = true]` in `proto/`):
//! - `CreateUserProfile`/`UpdateUserProfile`/`commons.UserProfile`:
//!   `first_name` ↔ `given_name`, `last_name` ↔ `family_name`;
//! - `AssignRoleRequest.id` ↔ `role_name`;
//! - `DeleteRoleRequest.reassign_role_id` ↔ `reassign_role_name`;
//! - `UpdateDefaultRolesRequest.default_creator`/`default_member` ↔
//!   `default_creator_role`/`default_member_role`;
//! - `GeneratePortalLinkRequest.sso`/`directory_sync` ↔ `features`.

// The point of these tests is to send and read the deprecated fields.
#![allow(deprecated)]

mod common;

use anyhow::Context as _;
use scalekit::proto::commons::{Role as RoleRef, UserProfile};
use scalekit::proto::connections::{
    ConnectionProvider, ConnectionType, CreateConnection, CreateConnectionRequest,
};
use scalekit::proto::domains::{
    create_domain_request, get_domain_request, update_domain_request, verify_domain_request,
    CreateDomain, CreateDomainRequest, DomainType, GetDomainRequest, UpdateDomain,
    UpdateDomainRequest, VerificationStatus, VerifyDomainRequest,
};
use scalekit::proto::organizations::{
    CreateOrganization, CreateOrganizationRequest, Feature, GeneratePortalLinkRequest,
    SearchOrganizationsRequest,
};
use scalekit::proto::roles::{
    CreatePermission, CreatePermissionRequest, CreateRole, CreateRoleRequest, DeleteRoleRequest,
    UpdateDefaultRole, UpdateDefaultRolesRequest,
};
use scalekit::proto::users::{
    get_user_request, update_user_request, AssignRoleRequest, AssignUserRolesRequest,
    CreateMembership, CreateUser, CreateUserAndMembershipRequest, CreateUserProfile,
    GetUserRequest, ListUserPermissionsRequest, ListUserRolesRequest, UpdateUser,
    UpdateUserProfile, UpdateUserRequest,
};
use scalekit::ScalekitClient;
use tonic::Code;

// ---------------------------------------------------------------------------
// Helpers

/// Creates a user in `org` with `profile`; returns the profile the create
/// call answered with and the user's id.
async fn create_with_profile(
    client: &ScalekitClient,
    org: &str,
    email: &str,
    profile: CreateUserProfile,
) -> anyhow::Result<(String, UserProfile)> {
    let user = client
        .raw()
        .users()
        .create_user_and_membership(CreateUserAndMembershipRequest {
            organization_id: org.to_owned(),
            user: Some(CreateUser {
                email: email.to_owned(),
                user_profile: Some(profile),
                ..Default::default()
            }),
            send_invitation_email: Some(false),
        })
        .await?
        .into_inner()
        .user
        .context("no user")?;
    Ok((user.id, user.user_profile.context("no profile")?))
}

/// The stored profile of user `id`, as GetUser reads it.
async fn read_profile(client: &ScalekitClient, id: &str) -> anyhow::Result<UserProfile> {
    client
        .raw()
        .users()
        .get_user(GetUserRequest {
            identities: Some(get_user_request::Identities::Id(id.to_owned())),
        })
        .await?
        .into_inner()
        .user
        .and_then(|u| u.user_profile)
        .context("no profile")
}

/// Updates user `id`'s profile; returns the profile the update answered with.
async fn update_profile(
    client: &ScalekitClient,
    id: &str,
    profile: UpdateUserProfile,
) -> anyhow::Result<UserProfile> {
    client
        .raw()
        .users()
        .update_user(UpdateUserRequest {
            identities: Some(update_user_request::Identities::Id(id.to_owned())),
            user: Some(UpdateUser {
                user_profile: Some(profile),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .user
        .and_then(|u| u.user_profile)
        .context("no profile")
}

/// (given_name, first_name, family_name, last_name) of a profile.
fn names(p: &UserProfile) -> (&str, &str, &str, &str) {
    (&p.given_name, &p.first_name, &p.family_name, &p.last_name)
}

/// Creates an environment role `name` holding `permissions` (created here
/// unless they exist);
/// returns the role's id.
async fn role_with(
    client: &ScalekitClient,
    name: &str,
    extends: Option<&str>,
    permissions: &[&str],
) -> anyhow::Result<String> {
    let mut roles = client.raw().roles();
    for permission in permissions {
        let created = roles
            .create_permission(CreatePermissionRequest {
                permission: Some(CreatePermission {
                    name: (*permission).to_owned(),
                    description: format!("may {permission}"),
                }),
            })
            .await;
        match created {
            Err(e) if e.code() != Code::AlreadyExists => return Err(e.into()),
            _ => {}
        }
    }
    let role = roles
        .create_role(CreateRoleRequest {
            role: Some(CreateRole {
                name: name.to_owned(),
                display_name: name.to_owned(),
                extends: extends.map(str::to_owned),
                permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .role
        .context("no role")?;
    Ok(role.id)
}

/// Adds a user with `roles` (by name) to `org`; returns the user's id.
async fn member_with_roles(
    client: &ScalekitClient,
    org: &str,
    email: &str,
    roles: &[&str],
) -> anyhow::Result<String> {
    let user = client
        .raw()
        .users()
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
        .context("no user")?;
    Ok(user.id)
}

/// The role names user `user` holds in `org`.
async fn role_names(client: &ScalekitClient, org: &str, user: &str) -> anyhow::Result<Vec<String>> {
    let roles = client
        .raw()
        .users()
        .list_user_roles(ListUserRolesRequest {
            organization_id: org.to_owned(),
            user_id: user.to_owned(),
        })
        .await?
        .into_inner()
        .roles;
    Ok(roles.into_iter().map(|r| r.name).collect())
}

/// The id of environment role `name`.
async fn role_id(client: &ScalekitClient, name: &str) -> anyhow::Result<String> {
    let role = client
        .raw()
        .roles()
        .get_role(scalekit::proto::roles::GetRoleRequest {
            role_name: name.to_owned(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .role
        .context("no role")?;
    Ok(role.id)
}

// ---------------------------------------------------------------------------
// Alias pair: first_name/last_name ↔ given_name/family_name

#[tokio::test]
async fn create_user_and_membership_with_first_name_reads_back_both_names() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    // What the Node SDK 2.2.2 sends: only the deprecated fields.
    let (id, created) = create_with_profile(
        &client,
        &org,
        "john@acme.example",
        CreateUserProfile {
            first_name: "John".into(),
            last_name: "Doe".into(),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(names(&created), ("John", "John", "Doe", "Doe"));
    let stored = read_profile(&client, &id).await?;
    assert_eq!(names(&stored), ("John", "John", "Doe", "Doe"));
    assert_eq!(stored.name, "John Doe");
    Ok(())
}

#[tokio::test]
async fn create_user_and_membership_with_given_name_fills_first_name() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let (id, created) = create_with_profile(
        &client,
        &org,
        "ada@acme.example",
        CreateUserProfile {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(names(&created), ("Ada", "Ada", "Lovelace", "Lovelace"));
    let stored = read_profile(&client, &id).await?;
    assert_eq!(names(&stored), ("Ada", "Ada", "Lovelace", "Lovelace"));
    Ok(())
}

#[tokio::test]
async fn create_user_and_membership_with_conflicting_names_keeps_the_replacement(
) -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let (id, _) = create_with_profile(
        &client,
        &org,
        "grace@acme.example",
        CreateUserProfile {
            given_name: "Grace".into(),
            first_name: "Amazing".into(),
            family_name: "Hopper".into(),
            last_name: "Admiral".into(),
            ..Default::default()
        },
    )
    .await?;
    let stored = read_profile(&client, &id).await?;
    assert_eq!(names(&stored), ("Grace", "Grace", "Hopper", "Hopper"));
    Ok(())
}

#[tokio::test]
async fn update_user_through_either_name_field_changes_both() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let (id, _) = create_with_profile(
        &client,
        &org,
        "john@acme.example",
        CreateUserProfile {
            given_name: "John".into(),
            family_name: "Doe".into(),
            ..Default::default()
        },
    )
    .await?;

    // The deprecated field alone (the Node SDK's updateUser), and only the
    // first name: the family name is left as it was.
    let updated = update_profile(
        &client,
        &id,
        UpdateUserProfile {
            first_name: Some("Jane".into()),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(names(&updated), ("Jane", "Jane", "Doe", "Doe"));
    assert_eq!(
        names(&read_profile(&client, &id).await?),
        ("Jane", "Jane", "Doe", "Doe")
    );

    // The replacement alone.
    update_profile(
        &client,
        &id,
        UpdateUserProfile {
            family_name: Some("Smith".into()),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(
        names(&read_profile(&client, &id).await?),
        ("Jane", "Jane", "Smith", "Smith")
    );

    // Both, disagreeing: the replacement wins.
    update_profile(
        &client,
        &id,
        UpdateUserProfile {
            given_name: Some("Joan".into()),
            first_name: Some("Ignored".into()),
            last_name: Some("Clarke".into()),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(
        names(&read_profile(&client, &id).await?),
        ("Joan", "Joan", "Clarke", "Clarke")
    );

    // An explicit empty name clears both fields.
    update_profile(
        &client,
        &id,
        UpdateUserProfile {
            first_name: Some(String::new()),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(
        names(&read_profile(&client, &id).await?),
        ("", "", "Clarke", "Clarke")
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Alias pair: AssignRoleRequest.id ↔ role_name

#[tokio::test]
async fn assign_user_roles_by_deprecated_id_assigns_that_role_and_the_name_wins(
) -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let user = common::member(&client, &org, "john@acme.example").await?;
    let viewer = role_with(&client, "viewer", None, &[]).await?;
    role_with(&client, "editor", None, &[]).await?;

    client
        .raw()
        .users()
        .assign_user_roles(AssignUserRolesRequest {
            organization_id: org.clone(),
            user_id: user.clone(),
            roles: vec![AssignRoleRequest {
                id: viewer.clone(),
                role_name: String::new(),
            }],
        })
        .await?;
    assert_eq!(
        role_names(&client, &org, &user).await?,
        ["member", "viewer"]
    );

    // Both sent and naming different roles: role_name decides.
    let other = common::member(&client, &org, "jane@acme.example").await?;
    client
        .raw()
        .users()
        .assign_user_roles(AssignUserRolesRequest {
            organization_id: org.clone(),
            user_id: other.clone(),
            roles: vec![AssignRoleRequest {
                id: viewer,
                role_name: "editor".into(),
            }],
        })
        .await?;
    assert_eq!(
        role_names(&client, &org, &other).await?,
        ["member", "editor"]
    );

    let unknown = client
        .raw()
        .users()
        .assign_user_roles(AssignUserRolesRequest {
            organization_id: org,
            user_id: other,
            roles: vec![AssignRoleRequest {
                id: "role_missing".into(),
                role_name: String::new(),
            }],
        })
        .await
        .err()
        .context("an unknown role id was accepted")?;
    assert_eq!(unknown.code(), Code::InvalidArgument);
    Ok(())
}

// ---------------------------------------------------------------------------
// Alias pair: DeleteRoleRequest.reassign_role_id ↔ reassign_role_name

#[tokio::test]
async fn delete_role_with_deprecated_reassign_role_id_moves_holders_there() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    role_with(&client, "viewer", None, &[]).await?;
    role_with(&client, "editor", None, &[]).await?;
    let user = member_with_roles(&client, &org, "john@acme.example", &["viewer"]).await?;
    let editor = role_id(&client, "editor").await?;

    let unknown = client
        .raw()
        .roles()
        .delete_role(DeleteRoleRequest {
            role_name: "viewer".into(),
            reassign_role_id: Some("role_missing".into()),
            reassign_role_name: None,
        })
        .await
        .err()
        .context("an unknown reassign_role_id was accepted")?;
    assert_eq!(unknown.code(), Code::NotFound);

    client
        .raw()
        .roles()
        .delete_role(DeleteRoleRequest {
            role_name: "viewer".into(),
            reassign_role_id: Some(editor.clone()),
            reassign_role_name: None,
        })
        .await?;
    assert_eq!(role_names(&client, &org, &user).await?, ["editor"]);

    // Both sent: reassign_role_name decides.
    role_with(&client, "auditor", None, &[]).await?;
    let other = member_with_roles(&client, &org, "jane@acme.example", &["auditor"]).await?;
    client
        .raw()
        .roles()
        .delete_role(DeleteRoleRequest {
            role_name: "auditor".into(),
            reassign_role_id: Some(editor),
            reassign_role_name: Some("member".into()),
        })
        .await?;
    assert_eq!(role_names(&client, &org, &other).await?, ["member"]);
    Ok(())
}

// ---------------------------------------------------------------------------
// Alias pairs: UpdateDefaultRolesRequest.default_creator/default_member ↔
// default_creator_role/default_member_role

#[tokio::test]
async fn update_default_roles_with_deprecated_messages_sets_the_defaults() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let viewer = role_with(&client, "viewer", None, &[]).await?;
    role_with(&client, "editor", None, &[]).await?;
    let mut roles = client.raw().roles();

    // The deprecated messages, naming one role by id and one by name.
    let response = roles
        .update_default_roles(UpdateDefaultRolesRequest {
            default_member: Some(UpdateDefaultRole {
                id: viewer,
                name: None,
            }),
            default_creator: Some(UpdateDefaultRole {
                id: String::new(),
                name: Some("editor".into()),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    let name = |r: &Option<scalekit::proto::roles::Role>| r.as_ref().map(|r| r.name.clone());
    assert_eq!(name(&response.default_member).as_deref(), Some("viewer"));
    assert_eq!(name(&response.default_creator).as_deref(), Some("editor"));

    // New members now get the default set through the deprecated field.
    let org = common::organization(&client, "Acme").await?;
    let user = common::member(&client, &org, "john@acme.example").await?;
    assert_eq!(role_names(&client, &org, &user).await?, ["viewer"]);

    // Both sent: the replacement decides.
    let response = roles
        .update_default_roles(UpdateDefaultRolesRequest {
            default_member: Some(UpdateDefaultRole {
                id: String::new(),
                name: Some("editor".into()),
            }),
            default_member_role: Some("member".into()),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(name(&response.default_member).as_deref(), Some("member"));
    Ok(())
}

// ---------------------------------------------------------------------------
// Alias pair: GeneratePortalLinkRequest.sso/directory_sync ↔ features

#[tokio::test]
async fn generate_portal_link_accepts_the_deprecated_flags_like_features() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let mut organizations = client.raw().organizations();
    let deprecated = organizations
        .generate_portal_link(GeneratePortalLinkRequest {
            id: org.clone(),
            sso: Some(true),
            directory_sync: Some(true),
            features: Vec::new(),
        })
        .await?
        .into_inner()
        .link
        .context("no link")?;
    let current = organizations
        .generate_portal_link(GeneratePortalLinkRequest {
            id: org.clone(),
            sso: None,
            directory_sync: None,
            features: vec![Feature::Sso as i32, Feature::DirSync as i32],
        })
        .await?
        .into_inner()
        .link
        .context("no link")?;
    // Both are ordinary links of the organization, listed side by side.
    let links = organizations
        .get_portal_links(scalekit::proto::organizations::GetPortalLinkRequest { id: org })
        .await?
        .into_inner()
        .links;
    let ids: Vec<&str> = links.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, [deprecated.id.as_str(), current.id.as_str()]);
    Ok(())
}

// ---------------------------------------------------------------------------
// SearchOrganization

async fn organization_with_external_id(
    client: &ScalekitClient,
    name: &str,
    external_id: &str,
) -> anyhow::Result<String> {
    let organization = client
        .raw()
        .organizations()
        .create_organization(CreateOrganizationRequest {
            organization: Some(CreateOrganization {
                display_name: name.to_owned(),
                external_id: Some(external_id.to_owned()),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .organization
        .context("no organization")?;
    Ok(organization.id)
}

async fn search(
    client: &ScalekitClient,
    query: &str,
    page_size: u32,
    page_token: &str,
) -> Result<scalekit::proto::organizations::SearchOrganizationsResponse, tonic::Status> {
    Ok(client
        .raw()
        .organizations()
        .search_organization(SearchOrganizationsRequest {
            query: query.to_owned(),
            page_size,
            page_token: page_token.to_owned(),
        })
        .await?
        .into_inner())
}

#[tokio::test]
async fn search_organization_matches_names_ids_and_external_ids_ignoring_case() -> anyhow::Result<()>
{
    let (_emulator, client) = common::start().await?;
    let acme = organization_with_external_id(&client, "Acme Corp", "tenant-001").await?;
    let globex = organization_with_external_id(&client, "Globex", "tenant-acme-2").await?;
    let initech = organization_with_external_id(&client, "Initech", "tenant-003").await?;
    let ids = |r: &scalekit::proto::organizations::SearchOrganizationsResponse| {
        r.organizations
            .iter()
            .map(|o| o.id.clone())
            .collect::<Vec<_>>()
    };

    // "ACME" is in Acme's name and in Globex's external id.
    let by_name = search(&client, "ACME", 0, "").await?;
    assert_eq!(ids(&by_name), [acme.clone(), globex.clone()]);
    assert_eq!(by_name.total_size, 2);
    assert_eq!(
        ids(&search(&client, "tenant-003", 0, "").await?),
        std::slice::from_ref(&initech)
    );
    assert_eq!(ids(&search(&client, &initech, 0, "").await?), [initech]);
    assert!(search(&client, "umbrella", 0, "")
        .await?
        .organizations
        .is_empty());

    // Pages of the matches.
    let first = search(&client, "acme", 1, "").await?;
    assert_eq!(ids(&first), [acme]);
    assert!(!first.next_page_token.is_empty());
    let second = search(&client, "acme", 1, &first.next_page_token).await?;
    assert_eq!(ids(&second), [globex]);
    assert!(second.next_page_token.is_empty());
    Ok(())
}

#[tokio::test]
async fn search_organization_short_query_or_large_page_is_invalid_argument() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    common::organization(&client, "Acme").await?;
    for (query, page_size) in [("ac", 0), ("  ", 0), ("acme", 31)] {
        let err = search(&client, query, page_size, "")
            .await
            .err()
            .with_context(|| format!("{query:?}/{page_size} was accepted"))?;
        assert_eq!(err.code(), Code::InvalidArgument, "{query:?}/{page_size}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// VerifyDomain and UpdateDomain

async fn domain(client: &ScalekitClient, org: &str, name: &str) -> anyhow::Result<String> {
    let domain = client
        .raw()
        .domains()
        .create_domain(CreateDomainRequest {
            identities: Some(create_domain_request::Identities::OrganizationId(
                org.to_owned(),
            )),
            connection_id: None,
            domain: Some(CreateDomain {
                domain: name.to_owned(),
                domain_type: DomainType::OrganizationDomain as i32,
            }),
        })
        .await?
        .into_inner()
        .domain
        .context("no domain")?;
    Ok(domain.id)
}

async fn get_domain(
    client: &ScalekitClient,
    org: &str,
    id: &str,
) -> anyhow::Result<scalekit::proto::domains::Domain> {
    client
        .raw()
        .domains()
        .get_domain(GetDomainRequest {
            identities: Some(get_domain_request::Identities::OrganizationId(
                org.to_owned(),
            )),
            id: id.to_owned(),
        })
        .await?
        .into_inner()
        .domain
        .context("no domain")
}

async fn verify(client: &ScalekitClient, org: &str, id: &str) -> Result<bool, tonic::Status> {
    Ok(client
        .raw()
        .domains()
        .verify_domain(VerifyDomainRequest {
            identities: Some(verify_domain_request::Identities::OrganizationId(
                org.to_owned(),
            )),
            id: id.to_owned(),
        })
        .await?
        .into_inner()
        .verified)
}

#[tokio::test]
async fn verify_domain_pending_domain_becomes_verified() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let id = domain(&client, &org, "acme.example").await?;
    assert_eq!(
        get_domain(&client, &org, &id).await?.verification_status,
        VerificationStatus::Pending as i32
    );
    assert!(verify(&client, &org, &id).await?);
    assert_eq!(
        get_domain(&client, &org, &id).await?.verification_status,
        VerificationStatus::Verified as i32
    );
    // Verifying again is still true.
    assert!(verify(&client, &org, &id).await?);
    Ok(())
}

#[tokio::test]
async fn verify_domain_without_txt_record_answers_false_and_stays_pending() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let id = domain(&client, &org, "acme.invalid").await?;
    assert!(!verify(&client, &org, &id).await?);
    assert_eq!(
        get_domain(&client, &org, &id).await?.verification_status,
        VerificationStatus::Pending as i32
    );
    Ok(())
}

#[tokio::test]
async fn verify_domain_of_another_organization_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let acme = common::organization(&client, "Acme").await?;
    let globex = common::organization(&client, "Globex").await?;
    let id = domain(&client, &acme, "acme.example").await?;
    let err = verify(&client, &globex, &id)
        .await
        .err()
        .context("another organization's domain was verified")?;
    assert_eq!(err.code(), Code::NotFound);
    assert_eq!(
        get_domain(&client, &acme, &id).await?.verification_status,
        VerificationStatus::Pending as i32
    );
    Ok(())
}

async fn update_domain(
    client: &ScalekitClient,
    org: &str,
    id: &str,
    connection_id: Option<&str>,
) -> Result<scalekit::proto::domains::Domain, tonic::Status> {
    client
        .raw()
        .domains()
        .update_domain(UpdateDomainRequest {
            identities: Some(update_domain_request::Identities::OrganizationId(
                org.to_owned(),
            )),
            connection_id: connection_id.map(str::to_owned),
            id: id.to_owned(),
            domain: Some(UpdateDomain {}),
        })
        .await?
        .into_inner()
        .domain
        .ok_or_else(|| tonic::Status::internal("no domain"))
}

#[tokio::test]
async fn update_domain_stamps_update_time_and_keeps_the_domain() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let id = domain(&client, &org, "acme.example").await?;
    let before = get_domain(&client, &org, &id).await?;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let updated = update_domain(&client, &org, &id, None).await?;
    assert_eq!(
        (updated.id.as_str(), updated.domain.as_str()),
        (id.as_str(), "acme.example")
    );
    let stamp =
        |d: &scalekit::proto::domains::Domain| d.update_time.as_ref().map(|t| (t.seconds, t.nanos));
    assert!(stamp(&updated) > stamp(&before));
    assert_eq!(
        stamp(&get_domain(&client, &org, &id).await?),
        stamp(&updated)
    );
    Ok(())
}

#[tokio::test]
async fn update_domain_unknown_domain_or_foreign_connection_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = common::start().await?;
    let acme = common::organization(&client, "Acme").await?;
    let globex = common::organization(&client, "Globex").await?;
    let id = domain(&client, &acme, "acme.example").await?;
    let foreign = client
        .raw()
        .connections()
        .create_connection(CreateConnectionRequest {
            organization_id: globex,
            connection: Some(CreateConnection {
                provider: ConnectionProvider::Okta as i32,
                r#type: ConnectionType::Saml as i32,
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .connection
        .context("no connection")?
        .id;
    for (domain_id, connection) in [("dom_missing", None), (id.as_str(), Some(foreign.as_str()))] {
        let err = update_domain(&client, &acme, domain_id, connection)
            .await
            .err()
            .with_context(|| format!("{domain_id}/{connection:?} was updated"))?;
        assert_eq!(err.code(), Code::NotFound, "{domain_id}/{connection:?}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// ListUserPermissions

#[tokio::test]
async fn list_user_permissions_unions_the_roles_own_and_inherited_permissions() -> anyhow::Result<()>
{
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    role_with(&client, "reader", None, &["docs_read"]).await?;
    role_with(&client, "writer", Some("reader"), &["docs_write"]).await?;
    role_with(&client, "billing", None, &["invoices_read", "docs_read"]).await?;
    let user =
        member_with_roles(&client, &org, "john@acme.example", &["writer", "billing"]).await?;
    let permissions = client
        .raw()
        .users()
        .list_user_permissions(ListUserPermissionsRequest {
            organization_id: org.clone(),
            user_id: user,
        })
        .await?
        .into_inner()
        .permissions;
    let names: Vec<&str> = permissions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["docs_write", "docs_read", "invoices_read"]);
    assert_eq!(permissions[1].description, "may docs_read");

    // Someone holding no role with permissions holds none.
    let plain = common::member(&client, &org, "jane@acme.example").await?;
    let none = client
        .raw()
        .users()
        .list_user_permissions(ListUserPermissionsRequest {
            organization_id: org,
            user_id: plain,
        })
        .await?
        .into_inner()
        .permissions;
    assert!(none.is_empty(), "{none:?}");
    Ok(())
}

// ---------------------------------------------------------------------------
// The reference's updateOrganizationSettings example

#[tokio::test]
async fn update_organization_settings_directory_sync_names_the_dir_sync_feature(
) -> anyhow::Result<()> {
    use scalekit::proto::organizations::{
        OrganizationSettings, OrganizationSettingsFeature, UpdateOrganizationSettingsRequest,
    };
    let (_emulator, client) = common::start().await?;
    let org = common::organization(&client, "Acme").await?;
    let feature = |name: &str| OrganizationSettingsFeature {
        name: name.to_owned(),
        enabled: true,
    };
    // As the reference writes it.
    let organization = client
        .raw()
        .organizations()
        .update_organization_settings(UpdateOrganizationSettingsRequest {
            id: org,
            settings: Some(OrganizationSettings {
                features: vec![feature("sso"), feature("directory_sync")],
            }),
        })
        .await?
        .into_inner()
        .organization
        .context("no organization")?;
    let mut features: Vec<(String, bool)> = organization
        .settings
        .context("no settings")?
        .features
        .into_iter()
        .map(|f| (f.name, f.enabled))
        .collect();
    features.sort();
    assert_eq!(
        features,
        [("dir_sync".to_owned(), true), ("sso".to_owned(), true)]
    );
    Ok(())
}
