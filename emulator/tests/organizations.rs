//! The emulator's OrganizationService semantics, through the generated
//! clients over real sockets: pagination, external-id uniqueness, update
//! masks, cascading deletes, portal links, user-management settings and
//! session policies.

mod common;

use std::collections::HashMap;

use prost_types::FieldMask;
use scalekit::proto::commons::TimeUnit;
use scalekit::proto::organizations::{
    delete_organization_request, get_organization_request, update_organization_request,
    CreateOrganization, CreateOrganizationRequest, DeleteOrganizationRequest,
    DeletePortalLinkByIdRequest, DeletePortalLinkRequest, GeneratePortalLinkRequest,
    GetOrganizationRequest, GetOrganizationUserManagementSettingsRequest, GetPortalLinkRequest,
    ListOrganizationsRequest, Organization, OrganizationServiceClient,
    OrganizationUserManagementSettings, UpdateOrganization, UpdateOrganizationRequest,
    UpsertUserManagementSettingsRequest,
};
use scalekit::proto::organizations::{
    GetApplicationSessionPolicyRequest, GetOrganizationSessionPolicyRequest,
    OrganizationSessionPolicySettings, SessionPolicyType, UpdateOrganizationSessionPolicyRequest,
};
use scalekit::proto::users::{
    create_membership_request, CreateMembership, CreateMembershipRequest, CreateUser,
    CreateUserAndMembershipRequest, GetUserRequest, ListOrganizationUsersRequest,
    ResendInviteRequest, User, UserServiceClient,
};
use scalekit::AuthChannel;
use scalekit_emulator::{Code, EmulatorHandle};
use tonic::Status;

struct Env {
    _emulator: EmulatorHandle,
    orgs: OrganizationServiceClient<AuthChannel>,
    users: UserServiceClient<AuthChannel>,
}

async fn start() -> anyhow::Result<Env> {
    let (emulator, client) = common::start().await?;
    Ok(Env {
        orgs: client.raw().organizations(),
        users: client.raw().users(),
        _emulator: emulator,
    })
}

impl Env {
    async fn create(
        &mut self,
        name: &str,
        external_id: Option<&str>,
    ) -> Result<Organization, Status> {
        let request = CreateOrganizationRequest {
            organization: Some(CreateOrganization {
                display_name: name.to_owned(),
                external_id: external_id.map(str::to_owned),
                ..Default::default()
            }),
        };
        Ok(self
            .orgs
            .create_organization(request)
            .await?
            .into_inner()
            .organization
            .expect("an organization"))
    }

    async fn get(&mut self, id: &str) -> Result<Organization, Status> {
        let request = GetOrganizationRequest {
            identities: Some(get_organization_request::Identities::Id(id.to_owned())),
        };
        Ok(self
            .orgs
            .get_organization(request)
            .await?
            .into_inner()
            .organization
            .expect("an organization"))
    }

    async fn update(
        &mut self,
        id: &str,
        update: UpdateOrganization,
        mask: &[&str],
    ) -> Result<Organization, Status> {
        let request = UpdateOrganizationRequest {
            identities: Some(update_organization_request::Identities::Id(id.to_owned())),
            organization: Some(update),
            update_mask: (!mask.is_empty()).then(|| FieldMask {
                paths: mask.iter().map(|p| (*p).to_owned()).collect(),
            }),
        };
        Ok(self
            .orgs
            .update_organization(request)
            .await?
            .into_inner()
            .organization
            .expect("an organization"))
    }

    async fn delete(&mut self, id: &str) -> Result<(), Status> {
        let request = DeleteOrganizationRequest {
            identities: Some(delete_organization_request::Identities::Id(id.to_owned())),
        };
        self.orgs.delete_organization(request).await?;
        Ok(())
    }

    async fn add_user(&mut self, org: &str, email: &str) -> Result<User, Status> {
        let request = CreateUserAndMembershipRequest {
            organization_id: org.to_owned(),
            user: Some(CreateUser {
                email: email.to_owned(),
                ..Default::default()
            }),
            send_invitation_email: Some(true),
        };
        Ok(self
            .users
            .create_user_and_membership(request)
            .await?
            .into_inner()
            .user
            .expect("a user"))
    }

    async fn add_member(&mut self, org: &str, user_id: &str) -> Result<User, Status> {
        let request = CreateMembershipRequest {
            organization_id: org.to_owned(),
            membership: Some(CreateMembership::default()),
            identities: Some(create_membership_request::Identities::Id(
                user_id.to_owned(),
            )),
            send_invitation_email: Some(false),
        };
        Ok(self
            .users
            .create_membership(request)
            .await?
            .into_inner()
            .user
            .expect("a user"))
    }

    async fn set_limit(&mut self, org: &str, max: Option<i32>) -> Result<(), Status> {
        self.orgs
            .upsert_user_management_settings(UpsertUserManagementSettingsRequest {
                organization_id: org.to_owned(),
                settings: Some(OrganizationUserManagementSettings {
                    max_allowed_users: max,
                }),
            })
            .await?;
        Ok(())
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, Status>) -> Code {
    result.expect_err("expected an error").code()
}

/// The status is INVALID_ARGUMENT and its message names `field`.
fn invalid<T: std::fmt::Debug>(result: Result<T, Status>, field: &str) {
    let status = result.expect_err("expected INVALID_ARGUMENT");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().contains(field), "{}", status.message());
}

// ---------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_organization_pages_forward_and_back_over_several_pages() -> anyhow::Result<()> {
    let mut env = start().await?;
    let mut ids = Vec::new();
    for n in 0..7 {
        ids.push(env.create(&format!("Org {n}"), None).await?.id);
    }
    let list = |token: &str| ListOrganizationsRequest {
        page_size: 3,
        page_token: token.to_owned(),
        external_id: None,
    };
    let ids_of = |orgs: &[Organization]| orgs.iter().map(|o| o.id.clone()).collect::<Vec<_>>();

    let first = env.orgs.list_organization(list("")).await?.into_inner();
    assert_eq!(ids_of(&first.organizations), ids[0..3]);
    assert_eq!(first.total_size, 7);
    assert!(first.prev_page_token.is_empty());
    let second = env
        .orgs
        .list_organization(list(&first.next_page_token))
        .await?
        .into_inner();
    assert_eq!(ids_of(&second.organizations), ids[3..6]);
    let third = env
        .orgs
        .list_organization(list(&second.next_page_token))
        .await?
        .into_inner();
    assert_eq!(ids_of(&third.organizations), ids[6..]);
    assert!(third.next_page_token.is_empty());
    let back = env
        .orgs
        .list_organization(list(&third.prev_page_token))
        .await?
        .into_inner();
    assert_eq!(ids_of(&back.organizations), ids[3..6]);

    // Page size 0 is the default of 10: everything at once here.
    let all = env
        .orgs
        .list_organization(ListOrganizationsRequest::default())
        .await?
        .into_inner();
    assert_eq!(ids_of(&all.organizations), ids);
    assert!(all.next_page_token.is_empty());
    Ok(())
}

#[tokio::test]
async fn list_organization_foreign_token_and_big_page_are_invalid() -> anyhow::Result<()> {
    let mut env = start().await?;
    let result = env
        .orgs
        .list_organization(ListOrganizationsRequest {
            page_token: "not-ours".to_owned(),
            ..Default::default()
        })
        .await;
    invalid(result, "page_token");
    let result = env
        .orgs
        .list_organization(ListOrganizationsRequest {
            page_size: 101,
            ..Default::default()
        })
        .await;
    invalid(result, "page_size");
    Ok(())
}

// ---------------------------------------------------------------------------
// Create and update rules
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_organization_external_ids_are_unique() -> anyhow::Result<()> {
    let mut env = start().await?;
    env.create("A", Some("ext-1")).await?;
    assert_eq!(
        code(env.create("B", Some("ext-1")).await),
        Code::AlreadyExists
    );
    // Organizations without an external id do not collide.
    env.create("C", None).await?;
    env.create("D", None).await?;
    Ok(())
}

#[tokio::test]
async fn create_organization_checks_name_and_metadata() -> anyhow::Result<()> {
    let mut env = start().await?;
    invalid(env.create("   ", None).await, "display_name");
    invalid(env.create(&"x".repeat(201), None).await, "display_name");
    let with_metadata = |metadata: HashMap<String, String>| CreateOrganizationRequest {
        organization: Some(CreateOrganization {
            display_name: "Acme".to_owned(),
            metadata,
            ..Default::default()
        }),
    };
    let pair = |k: &str, v: &str| HashMap::from([(k.to_owned(), v.to_owned())]);
    let too_many: HashMap<String, String> = (0..11)
        .map(|n| (format!("key{n}"), "v".to_owned()))
        .collect();
    for metadata in [
        pair("ab", "v"),
        pair("key", ""),
        pair("key", &"v".repeat(257)),
        too_many,
    ] {
        let result = env.orgs.create_organization(with_metadata(metadata)).await;
        invalid(result, "metadata");
    }
    env.orgs
        .create_organization(with_metadata(pair("abc", "v")))
        .await?;
    Ok(())
}

#[tokio::test]
async fn update_organization_external_id_taken_by_another_is_conflict() -> anyhow::Result<()> {
    let mut env = start().await?;
    let a = env.create("A", Some("a")).await?;
    env.create("B", Some("b")).await?;
    let to = |ext: &str| UpdateOrganization {
        external_id: Some(ext.to_owned()),
        ..Default::default()
    };
    assert_eq!(
        code(env.update(&a.id, to("b"), &[]).await),
        Code::AlreadyExists
    );
    // Keeping its own external id is not a conflict.
    let same = env.update(&a.id, to("a"), &[]).await?;
    assert_eq!(same.external_id.as_deref(), Some("a"));
    Ok(())
}

#[tokio::test]
async fn update_organization_mask_limits_the_change_to_named_fields() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", Some("ext-1")).await?;
    let update = UpdateOrganization {
        display_name: Some("Renamed".to_owned()),
        external_id: Some("ext-2".to_owned()),
        metadata: HashMap::from([("tier".to_owned(), "gold".to_owned())]),
        ..Default::default()
    };
    let updated = env
        .update(&org.id, update.clone(), &["display_name"])
        .await?;
    assert_eq!(updated.display_name, "Renamed");
    assert_eq!(updated.external_id.as_deref(), Some("ext-1"));
    assert!(updated.metadata.is_empty());

    let updated = env.update(&org.id, update, &["metadata"]).await?;
    assert_eq!(updated.metadata["tier"], "gold");
    assert_eq!(updated.external_id.as_deref(), Some("ext-1"));

    // A masked metadata path with an empty map clears the metadata; without
    // a mask an empty map leaves it alone.
    let cleared = env
        .update(&org.id, UpdateOrganization::default(), &[])
        .await?;
    assert_eq!(cleared.metadata["tier"], "gold");
    let cleared = env
        .update(&org.id, UpdateOrganization::default(), &["metadata"])
        .await?;
    assert!(cleared.metadata.is_empty());
    assert_eq!(cleared.display_name, "Renamed");
    ensure_later(&org, &cleared);
    Ok(())
}

fn ensure_later(before: &Organization, after: &Organization) {
    assert_eq!(after.create_time, before.create_time);
    let (b, a) = (
        before.update_time.expect("update time"),
        after.update_time.expect("update time"),
    );
    assert!((a.seconds, a.nanos) >= (b.seconds, b.nanos));
}

#[tokio::test]
async fn update_organization_unknown_mask_path_is_invalid() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let result = env
        .update(&org.id, UpdateOrganization::default(), &["region_code"])
        .await;
    invalid(result, "update_mask");
    let result = env
        .update(
            &org.id,
            UpdateOrganization {
                display_name: Some(" ".to_owned()),
                ..Default::default()
            },
            &[],
        )
        .await;
    invalid(result, "display_name");
    Ok(())
}

// ---------------------------------------------------------------------------
// Delete cascades
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delete_organization_cascades_memberships_invites_links_and_settings() -> anyhow::Result<()>
{
    let mut env = start().await?;
    let doomed = env.create("Doomed", None).await?;
    let kept = env.create("Kept", None).await?;
    let user = env.add_user(&doomed.id, "ada@example.com").await?;
    env.add_member(&kept.id, &user.id).await?;
    env.set_limit(&doomed.id, Some(5)).await?;
    env.orgs
        .generate_portal_link(GeneratePortalLinkRequest {
            id: doomed.id.clone(),
            ..Default::default()
        })
        .await?;

    env.delete(&doomed.id).await?;
    assert_eq!(code(env.get(&doomed.id).await), Code::NotFound);
    assert_eq!(code(env.delete(&doomed.id).await), Code::NotFound);

    let user = env
        .users
        .get_user(GetUserRequest {
            identities: Some(scalekit::proto::users::get_user_request::Identities::Id(
                user.id.clone(),
            )),
        })
        .await?
        .into_inner()
        .user
        .expect("a user");
    let orgs: Vec<&str> = user
        .memberships
        .iter()
        .map(|m| m.organization_id.as_str())
        .collect();
    assert_eq!(orgs, [kept.id.as_str()]);
    let resend = env
        .users
        .resend_invite(ResendInviteRequest {
            organization_id: doomed.id.clone(),
            id: user.id.clone(),
        })
        .await;
    assert_eq!(code(resend), Code::NotFound);
    let links = env
        .orgs
        .get_portal_links(GetPortalLinkRequest {
            id: doomed.id.clone(),
        })
        .await;
    assert_eq!(code(links), Code::NotFound);
    Ok(())
}

// ---------------------------------------------------------------------------
// Portal links
// ---------------------------------------------------------------------------

#[tokio::test]
async fn portal_links_are_listed_and_deleted_one_or_all() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let other = env.create("Other", None).await?;
    let mut links = Vec::new();
    for _ in 0..3 {
        let link = env
            .orgs
            .generate_portal_link(GeneratePortalLinkRequest {
                id: org.id.clone(),
                ..Default::default()
            })
            .await?
            .into_inner()
            .link
            .expect("a link");
        links.push(link);
    }
    let list = |id: &str| GetPortalLinkRequest { id: id.to_owned() };
    let listed = env.orgs.get_portal_links(list(&org.id)).await?.into_inner();
    assert_eq!(listed.links, links);
    let none = env
        .orgs
        .get_portal_links(list(&other.id))
        .await?
        .into_inner();
    assert!(none.links.is_empty());

    let by_id = |org: &str, link: &str| DeletePortalLinkByIdRequest {
        id: org.to_owned(),
        link_id: link.to_owned(),
    };
    env.orgs
        .delete_portal_link_by_id(by_id(&org.id, &links[1].id))
        .await?;
    let listed = env.orgs.get_portal_links(list(&org.id)).await?.into_inner();
    assert_eq!(listed.links, [links[0].clone(), links[2].clone()]);
    // Gone, or another organization's: not found.
    let again = env
        .orgs
        .delete_portal_link_by_id(by_id(&org.id, &links[1].id))
        .await;
    assert_eq!(code(again), Code::NotFound);
    let foreign = env
        .orgs
        .delete_portal_link_by_id(by_id(&other.id, &links[0].id))
        .await;
    assert_eq!(code(foreign), Code::NotFound);
    invalid(
        env.orgs
            .delete_portal_link_by_id(by_id(&org.id, "xyz"))
            .await,
        "link_id",
    );

    env.orgs
        .delete_portal_link(DeletePortalLinkRequest { id: org.id.clone() })
        .await?;
    let listed = env.orgs.get_portal_links(list(&org.id)).await?.into_inner();
    assert!(listed.links.is_empty());
    Ok(())
}

#[tokio::test]
async fn portal_link_rpcs_require_an_org_id() -> anyhow::Result<()> {
    let mut env = start().await?;
    let result = env
        .orgs
        .generate_portal_link(GeneratePortalLinkRequest {
            id: "acme".to_owned(),
            ..Default::default()
        })
        .await;
    invalid(result, "id");
    let result = env
        .orgs
        .get_portal_links(GetPortalLinkRequest {
            id: "org_10000000000000099".to_owned(),
        })
        .await;
    assert_eq!(code(result), Code::NotFound);
    Ok(())
}

// ---------------------------------------------------------------------------
// User-management settings
// ---------------------------------------------------------------------------

#[tokio::test]
async fn user_management_settings_round_trip_and_default_to_no_limit() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let get = |id: &str| GetOrganizationUserManagementSettingsRequest {
        organization_id: id.to_owned(),
    };
    let settings = env
        .orgs
        .get_organization_user_management_setting(get(&org.id))
        .await?
        .into_inner()
        .settings
        .expect("settings");
    assert_eq!(settings.max_allowed_users, None);

    env.set_limit(&org.id, Some(7)).await?;
    let settings = env
        .orgs
        .get_organization_user_management_setting(get(&org.id))
        .await?
        .into_inner()
        .settings
        .expect("settings");
    assert_eq!(settings.max_allowed_users, Some(7));

    let missing = env
        .orgs
        .upsert_user_management_settings(UpsertUserManagementSettingsRequest {
            organization_id: org.id.clone(),
            settings: None,
        })
        .await;
    invalid(missing, "settings");
    let unknown = env
        .orgs
        .get_organization_user_management_setting(get("org_10000000000000099"))
        .await;
    assert_eq!(code(unknown), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn member_limit_blocks_create_membership_and_counts_per_organization() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Small", None).await?;
    let other = env.create("Other", None).await?;
    let ada = env.add_user(&org.id, "ada@example.com").await?;
    let bob = env.add_user(&other.id, "bob@example.com").await?;
    env.add_user(&other.id, "cy@example.com").await?;

    // Lowering the limit below the current count evicts nobody.
    env.set_limit(&org.id, Some(0)).await?;
    let members = env
        .users
        .list_organization_users(ListOrganizationUsersRequest {
            organization_id: org.id.clone(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(members.total_size, 1);
    assert_eq!(
        code(env.add_member(&org.id, &bob.id).await),
        Code::FailedPrecondition
    );
    env.set_limit(&org.id, Some(2)).await?;
    env.add_member(&org.id, &bob.id).await?;
    assert_eq!(
        code(env.add_user(&org.id, "dee@example.com").await),
        Code::FailedPrecondition
    );
    // The other organization has no limit.
    env.add_member(&other.id, &ada.id).await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Session policies
// ---------------------------------------------------------------------------

impl Env {
    async fn session_policy(
        &mut self,
        id: &str,
    ) -> Result<OrganizationSessionPolicySettings, Status> {
        let request = GetOrganizationSessionPolicyRequest {
            organization_id: id.to_owned(),
        };
        Ok(self
            .orgs
            .get_organization_session_policy(request)
            .await?
            .into_inner()
            .policy
            .expect("a policy"))
    }

    async fn set_session_policy(
        &mut self,
        request: UpdateOrganizationSessionPolicyRequest,
    ) -> Result<OrganizationSessionPolicySettings, Status> {
        Ok(self
            .orgs
            .update_organization_session_policy(request)
            .await?
            .into_inner()
            .policy
            .expect("a policy"))
    }
}

/// A CUSTOM policy update for `id` with an absolute timeout of `value` in
/// `unit`, no idle timeout.
fn custom(id: &str, value: i32, unit: Option<TimeUnit>) -> UpdateOrganizationSessionPolicyRequest {
    UpdateOrganizationSessionPolicyRequest {
        organization_id: id.to_owned(),
        policy_source: SessionPolicyType::Custom as i32,
        absolute_session_timeout: Some(value),
        absolute_session_timeout_unit: unit.map(|u| u as i32),
        ..Default::default()
    }
}

const MINUTES: Option<i32> = Some(TimeUnit::Minutes as i32);

#[tokio::test]
async fn session_policy_follows_the_application_until_set() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let policy = env.session_policy(&org.id).await?;
    assert_eq!(
        policy,
        OrganizationSessionPolicySettings {
            policy_source: SessionPolicyType::Application as i32,
            ..Default::default()
        }
    );
    Ok(())
}

#[tokio::test]
async fn custom_session_policy_is_stored_and_answered_in_minutes() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let other = env.create("Other", None).await?;
    let set = env
        .set_session_policy(UpdateOrganizationSessionPolicyRequest {
            idle_session_timeout_enabled: Some(true),
            idle_session_timeout: Some(2),
            idle_session_timeout_unit: Some(TimeUnit::Hours as i32),
            ..custom(&org.id, 12, Some(TimeUnit::Hours))
        })
        .await?;
    let expected = OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Custom as i32,
        absolute_session_timeout: Some(720),
        absolute_session_timeout_unit: MINUTES,
        idle_session_timeout_enabled: Some(true),
        idle_session_timeout: Some(120),
        idle_session_timeout_unit: MINUTES,
    };
    assert_eq!(set, expected);
    assert_eq!(env.session_policy(&org.id).await?, expected);
    assert_eq!(
        env.session_policy(&other.id).await?.policy_source(),
        SessionPolicyType::Application,
        "one organization's policy is its own"
    );

    // Days convert too; an unset unit is minutes; idle timeout stays off
    // unless enabled, and keeps no value while off.
    let days = env
        .set_session_policy(custom(&org.id, 7, Some(TimeUnit::Days)))
        .await?;
    assert_eq!(days.absolute_session_timeout, Some(7 * 24 * 60));
    assert_eq!(days.idle_session_timeout_enabled, Some(false));
    assert_eq!(days.idle_session_timeout, None);
    let unitless = env
        .set_session_policy(UpdateOrganizationSessionPolicyRequest {
            idle_session_timeout_enabled: Some(false),
            idle_session_timeout: Some(30),
            ..custom(&org.id, 90, None)
        })
        .await?;
    assert_eq!(unitless.absolute_session_timeout, Some(90));
    assert_eq!(unitless.absolute_session_timeout_unit, MINUTES);
    assert_eq!(unitless.idle_session_timeout, None);
    assert_eq!(env.session_policy(&org.id).await?, unitless);
    Ok(())
}

#[tokio::test]
async fn application_session_policy_clears_the_custom_values() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    env.set_session_policy(custom(&org.id, 600, None)).await?;
    let back = env
        .set_session_policy(UpdateOrganizationSessionPolicyRequest {
            organization_id: org.id.clone(),
            policy_source: SessionPolicyType::Application as i32,
            // Sent along, but an APPLICATION policy has no timeouts.
            absolute_session_timeout: Some(600),
            ..Default::default()
        })
        .await?;
    let application = OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Application as i32,
        ..Default::default()
    };
    assert_eq!(back, application);
    assert_eq!(env.session_policy(&org.id).await?, application);
    Ok(())
}

#[tokio::test]
async fn session_policy_updates_refuse_malformed_policies_and_keep_the_old_one(
) -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let before = env.set_session_policy(custom(&org.id, 600, None)).await?;
    let cases = [
        (
            UpdateOrganizationSessionPolicyRequest {
                organization_id: org.id.clone(),
                ..Default::default()
            },
            "policy_source",
        ),
        (
            UpdateOrganizationSessionPolicyRequest {
                policy_source: 7,
                ..custom(&org.id, 600, None)
            },
            "policy_source",
        ),
        (
            UpdateOrganizationSessionPolicyRequest {
                absolute_session_timeout: None,
                ..custom(&org.id, 600, None)
            },
            "absolute_session_timeout",
        ),
        (
            custom(&org.id, 5, Some(TimeUnit::Minutes)),
            "absolute_session_timeout",
        ),
        (
            custom(&org.id, -1, Some(TimeUnit::Days)),
            "absolute_session_timeout",
        ),
        (
            custom(&org.id, i32::MAX, Some(TimeUnit::Days)),
            "absolute_session_timeout",
        ),
        (
            UpdateOrganizationSessionPolicyRequest {
                absolute_session_timeout_unit: Some(9),
                ..custom(&org.id, 600, None)
            },
            "absolute_session_timeout_unit",
        ),
        (
            UpdateOrganizationSessionPolicyRequest {
                idle_session_timeout_enabled: Some(true),
                ..custom(&org.id, 600, None)
            },
            "idle_session_timeout",
        ),
        (
            UpdateOrganizationSessionPolicyRequest {
                idle_session_timeout_enabled: Some(true),
                idle_session_timeout: Some(1),
                ..custom(&org.id, 600, None)
            },
            "idle_session_timeout",
        ),
    ];
    for (request, field) in cases {
        invalid(env.set_session_policy(request).await, field);
    }
    assert_eq!(env.session_policy(&org.id).await?, before);
    Ok(())
}

#[tokio::test]
async fn session_policy_rpcs_check_the_organization_id() -> anyhow::Result<()> {
    let mut env = start().await?;
    let too_long = format!("org_{}", "1".repeat(29));
    for malformed in ["", "acme", "usr_10000000000000001", too_long.as_str()] {
        invalid(env.session_policy(malformed).await, "organization_id");
        invalid(
            env.set_session_policy(custom(malformed, 600, None)).await,
            "organization_id",
        );
        let application = env
            .orgs
            .get_application_session_policy(GetApplicationSessionPolicyRequest {
                organization_id: malformed.to_owned(),
            })
            .await;
        invalid(application, "organization_id");
    }
    let unknown = "org_10000000000000099";
    assert_eq!(code(env.session_policy(unknown).await), Code::NotFound);
    assert_eq!(
        code(env.set_session_policy(custom(unknown, 600, None)).await),
        Code::NotFound
    );
    Ok(())
}

#[tokio::test]
async fn deleting_an_organization_drops_its_session_policy() -> anyhow::Result<()> {
    let mut env = start().await?;
    let doomed = env.create("Doomed", None).await?;
    env.set_session_policy(custom(&doomed.id, 600, None))
        .await?;
    env.delete(&doomed.id).await?;
    assert_eq!(code(env.session_policy(&doomed.id).await), Code::NotFound);
    assert_eq!(
        code(env.set_session_policy(custom(&doomed.id, 600, None)).await),
        Code::NotFound
    );
    Ok(())
}

#[tokio::test]
async fn application_session_policy_is_the_environments_fixed_default() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let other = env.create("Other", None).await?;
    let get = |id: &str| GetApplicationSessionPolicyRequest {
        organization_id: id.to_owned(),
    };
    // An organization's own policy does not change the application's.
    env.set_session_policy(custom(&org.id, 600, None)).await?;
    let policy = env
        .orgs
        .get_application_session_policy(get(&org.id))
        .await?
        .into_inner()
        .application_policy
        .expect("an application policy");
    assert_eq!(policy.absolute_session_timeout, 7 * 24 * 60);
    assert!(policy.idle_session_timeout_enabled);
    assert_eq!(policy.idle_session_timeout, 24 * 60);
    assert_eq!(policy.access_token_expiry, 5);
    assert_eq!(policy.absolute_session_timeout_unit, MINUTES);
    assert_eq!(policy.idle_session_timeout_unit, MINUTES);
    let for_other = env
        .orgs
        .get_application_session_policy(get(&other.id))
        .await?
        .into_inner()
        .application_policy;
    assert_eq!(for_other, Some(policy));
    let unknown = env
        .orgs
        .get_application_session_policy(get("org_10000000000000099"))
        .await;
    assert_eq!(code(unknown), Code::NotFound);
    Ok(())
}

// ---------------------------------------------------------------------------
// Slug and logo URL (UpdateOrganization, 2.11.0)
// ---------------------------------------------------------------------------

fn slug_and_logo(slug: Option<&str>, logo_url: Option<&str>) -> UpdateOrganization {
    UpdateOrganization {
        slug: slug.map(str::to_owned),
        logo_url: logo_url.map(str::to_owned),
        ..Default::default()
    }
}

#[tokio::test]
async fn update_organization_sets_keeps_and_clears_slug_and_logo_url() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let logo = "https://cdn.example.com/acme.png";
    let set = env
        .update(
            &org.id,
            slug_and_logo(Some("oauth.acme.io"), Some(logo)),
            &[],
        )
        .await?;
    assert_eq!(set.slug.as_deref(), Some("oauth.acme.io"));
    assert_eq!(set.logo_url.as_deref(), Some(logo));
    assert_eq!(env.get(&org.id).await?, set, "the change is stored");

    // Fields the request leaves out are kept.
    let renamed = env
        .update(
            &org.id,
            UpdateOrganization {
                display_name: Some("Acme Corp".to_owned()),
                ..Default::default()
            },
            &[],
        )
        .await?;
    assert_eq!(
        (renamed.slug.as_deref(), renamed.logo_url.as_deref()),
        (Some("oauth.acme.io"), Some(logo))
    );

    // An empty value clears the field.
    let cleared = env
        .update(&org.id, slug_and_logo(Some(""), Some("")), &[])
        .await?;
    assert_eq!((cleared.slug, cleared.logo_url), (None, None));
    Ok(())
}

#[tokio::test]
async fn update_organization_mask_names_slug_and_logo_url() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let logo = "https://cdn.example.com/acme.png";
    // Only the named field changes, though the request sets both.
    let slug_only = env
        .update(&org.id, slug_and_logo(Some("acme"), Some(logo)), &["slug"])
        .await?;
    assert_eq!(
        (slug_only.slug.as_deref(), slug_only.logo_url.as_deref()),
        (Some("acme"), None)
    );
    let logo_only = env
        .update(&org.id, slug_and_logo(None, Some(logo)), &["logo_url"])
        .await?;
    assert_eq!(
        (logo_only.slug.as_deref(), logo_only.logo_url.as_deref()),
        (Some("acme"), Some(logo))
    );
    // A masked field the request leaves out is cleared.
    let unslugged = env
        .update(&org.id, UpdateOrganization::default(), &["slug"])
        .await?;
    assert_eq!(
        (unslugged.slug, unslugged.logo_url.as_deref()),
        (None, Some(logo))
    );
    Ok(())
}

#[tokio::test]
async fn update_organization_malformed_slug_or_logo_url_is_invalid() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.create("Acme", None).await?;
    let long_label = "a".repeat(64);
    let long_name = ["abc"; 64].join(".");
    for slug in [
        "Acme",
        "-acme",
        "acme-",
        "ac_me",
        "acme..io",
        ".acme",
        long_label.as_str(),
        long_name.as_str(),
    ] {
        let result = env
            .update(&org.id, slug_and_logo(Some(slug), None), &[])
            .await;
        invalid(result, "slug");
    }
    let long_url = format!("https://cdn.example.com/{}", "a".repeat(1024));
    for logo in [
        "http://cdn.example.com/a.png",
        "cdn.example.com/a.png",
        long_url.as_str(),
    ] {
        let result = env
            .update(&org.id, slug_and_logo(None, Some(logo)), &[])
            .await;
        invalid(result, "logo_url");
    }
    // Nothing was changed by the refused calls.
    let stored = env.get(&org.id).await?;
    assert_eq!((stored.slug, stored.logo_url), (None, None));
    Ok(())
}

#[tokio::test]
async fn slugs_are_unique_in_the_environment() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.create("Acme", None).await?;
    let other = env.create("Other", None).await?;
    env.update(&acme.id, slug_and_logo(Some("acme"), None), &[])
        .await?;
    let taken = env
        .update(&other.id, slug_and_logo(Some("acme"), None), &[])
        .await;
    assert_eq!(code(taken), Code::AlreadyExists);
    // The holder may send its own slug again.
    env.update(&acme.id, slug_and_logo(Some("acme"), None), &[])
        .await?;
    let created = env
        .orgs
        .create_organization(CreateOrganizationRequest {
            organization: Some(CreateOrganization {
                display_name: "Copycat".to_owned(),
                slug: Some("acme".to_owned()),
                ..Default::default()
            }),
        })
        .await;
    assert_eq!(code(created), Code::AlreadyExists);
    // Once cleared, the slug is free again.
    env.update(&acme.id, slug_and_logo(Some(""), None), &[])
        .await?;
    let moved = env
        .update(&other.id, slug_and_logo(Some("acme"), None), &[])
        .await?;
    assert_eq!(moved.slug.as_deref(), Some("acme"));
    Ok(())
}
