//! The emulator's EventsService: the event log that changes to
//! organizations, users and memberships write, listed newest first with
//! filters and cursor paging, through the generated client.

mod common;

use std::collections::HashMap;

use prost_types::value::Kind;
use prost_types::{Struct, Timestamp};
use scalekit::proto::events::{
    EventFilter, EventsServiceClient, ListEventsPaginatedRequest, ListEventsPaginatedResponse,
    ListEventsRequest, ObjectType, ScalekitEvent, SendCustomEventRequest, Source,
};
use scalekit::proto::organizations::{
    delete_organization_request, update_organization_request, DeleteOrganizationRequest,
    UpdateOrganization, UpdateOrganizationRequest,
};
use scalekit::proto::users::{
    delete_membership_request, delete_user_request, update_membership_request, update_user_request,
    DeleteMembershipRequest, DeleteUserRequest, UpdateMembership, UpdateMembershipRequest,
    UpdateUser, UpdateUserRequest,
};
use scalekit::{AuthChannel, ScalekitClient};
use scalekit_emulator::{Code, EmulatorHandle};

struct Env {
    _emulator: EmulatorHandle,
    client: ScalekitClient,
    events: EventsServiceClient<AuthChannel>,
}

async fn start() -> anyhow::Result<Env> {
    let (emulator, client) = common::start().await?;
    Ok(Env {
        events: EventsServiceClient::new(client.raw().channel()),
        client,
        _emulator: emulator,
    })
}

impl Env {
    async fn list(
        &mut self,
        filter: Option<EventFilter>,
        page_size: u32,
        page_token: &str,
    ) -> Result<ListEventsPaginatedResponse, tonic::Status> {
        let request = ListEventsPaginatedRequest {
            filter,
            page_size,
            page_token: page_token.to_owned(),
        };
        Ok(self
            .events
            .list_events_paginated(request)
            .await?
            .into_inner())
    }

    /// The types of every event that matches, newest first.
    async fn types(&mut self, filter: EventFilter) -> anyhow::Result<Vec<String>> {
        let page = self.list(Some(filter), 100, "").await?;
        Ok(page.events.into_iter().map(|e| e.r#type).collect())
    }

    async fn update_organization(&mut self, id: &str, name: &str) -> anyhow::Result<()> {
        self.client
            .raw()
            .organizations()
            .update_organization(UpdateOrganizationRequest {
                identities: Some(update_organization_request::Identities::Id(id.to_owned())),
                organization: Some(UpdateOrganization {
                    display_name: Some(name.to_owned()),
                    ..Default::default()
                }),
                update_mask: None,
            })
            .await?;
        Ok(())
    }

    async fn delete_organization(&mut self, id: &str) -> anyhow::Result<()> {
        self.client
            .raw()
            .organizations()
            .delete_organization(DeleteOrganizationRequest {
                identities: Some(delete_organization_request::Identities::Id(id.to_owned())),
            })
            .await?;
        Ok(())
    }
}

/// A string field of a struct, `None` when absent or not a string.
fn text<'s>(data: &'s Struct, key: &str) -> Option<&'s str> {
    match data.fields.get(key)?.kind.as_ref()? {
        Kind::StringValue(s) => Some(s),
        _ => None,
    }
}

fn nested<'s>(data: &'s Struct, key: &str) -> Option<&'s Struct> {
    match data.fields.get(key)?.kind.as_ref()? {
        Kind::StructValue(s) => Some(s),
        _ => None,
    }
}

fn data(event: &ScalekitEvent) -> &Struct {
    event.data.as_ref().expect("every event carries its data")
}

fn of_types(types: &[&str]) -> EventFilter {
    EventFilter {
        event_types: types.iter().map(|t| (*t).to_owned()).collect(),
        ..Default::default()
    }
}

fn ids(page: &ListEventsPaginatedResponse) -> Vec<String> {
    page.events.iter().map(|e| e.id.clone()).collect()
}

#[tokio::test]
async fn every_change_is_listed_newest_first_with_its_subject() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = common::organization(&env.client, "Acme").await?;
    let ada = common::member(&env.client, &org, "ada@acme.example").await?;
    let users = env.client.raw().users();
    users
        .clone()
        .update_user(UpdateUserRequest {
            identities: Some(update_user_request::Identities::Id(ada.clone())),
            user: Some(UpdateUser {
                metadata: HashMap::from([("team".to_owned(), "core".to_owned())]),
                ..Default::default()
            }),
        })
        .await?;
    users
        .clone()
        .update_membership(UpdateMembershipRequest {
            organization_id: org.clone(),
            identities: Some(update_membership_request::Identities::Id(ada.clone())),
            membership: Some(UpdateMembership {
                metadata: HashMap::from([("seat".to_owned(), "12".to_owned())]),
                ..Default::default()
            }),
        })
        .await?;
    env.update_organization(&org, "Acme Corp").await?;
    users
        .clone()
        .delete_membership(DeleteMembershipRequest {
            organization_id: org.clone(),
            identities: Some(delete_membership_request::Identities::Id(ada.clone())),
            cascade: Some(false),
        })
        .await?;
    users
        .clone()
        .delete_user(DeleteUserRequest {
            identities: Some(delete_user_request::Identities::Id(ada.clone())),
        })
        .await?;
    env.delete_organization(&org).await?;

    let page = env.list(None, 0, "").await?;
    let types: Vec<_> = page.events.iter().map(|e| e.r#type.as_str()).collect();
    assert_eq!(
        types,
        [
            "organization.deleted",
            "user.deleted",
            "user.organization_membership_deleted",
            "organization.updated",
            "user.organization_membership_updated",
            "user.updated",
            "user.organization_membership_created",
            "user.created",
            "organization.created",
        ]
    );
    assert!(page.next_page_token.is_empty() && page.prev_page_token.is_empty());

    let environment = &page.events[0].environment_id;
    assert!(environment.starts_with("env_"), "{environment}");
    let mut seen = std::collections::HashSet::new();
    for event in &page.events {
        assert!(event.id.starts_with("evt_"), "{}", event.id);
        assert!(seen.insert(event.id.clone()), "ids are unique");
        assert_eq!(&event.environment_id, environment);
        assert_eq!(event.spec_version, "1");
        assert!(event.occurred_at.is_some() && !event.display_name.is_empty());
    }
    let times: Vec<_> = page
        .events
        .iter()
        .map(|e| e.occurred_at.map(|t| (t.seconds, t.nanos)))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let by_type = |t: &str| page.events.iter().find(|e| e.r#type == t).unwrap();
    // The organization as it was when deleted: still with its new name.
    let deleted = by_type("organization.deleted");
    assert_eq!(deleted.object, ObjectType::Organization as i32);
    assert_eq!(deleted.organization_id.as_deref(), Some(org.as_str()));
    assert_eq!(text(data(deleted), "id"), Some(org.as_str()));
    assert_eq!(text(data(deleted), "display_name"), Some("Acme Corp"));
    let created = by_type("organization.created");
    assert_eq!(text(data(created), "display_name"), Some("Acme"));

    let user_created = by_type("user.created");
    assert_eq!(user_created.object, ObjectType::User as i32);
    assert_eq!(user_created.organization_id.as_deref(), Some(org.as_str()));
    assert_eq!(text(data(user_created), "id"), Some(ada.as_str()));
    assert_eq!(text(data(user_created), "email"), Some("ada@acme.example"));
    let user_updated = by_type("user.updated");
    let metadata = nested(data(user_updated), "metadata").unwrap();
    assert_eq!(text(metadata, "team"), Some("core"));
    // Neither UpdateUser nor DeleteUser names an organization.
    assert_eq!(user_updated.organization_id, None);
    assert_eq!(by_type("user.deleted").organization_id, None);

    let joined = by_type("user.organization_membership_created");
    assert_eq!(joined.object, ObjectType::OrgMembershipEvent as i32);
    assert_eq!(joined.organization_id.as_deref(), Some(org.as_str()));
    let organization = nested(data(joined), "organization").unwrap();
    assert_eq!(text(organization, "id"), Some(org.as_str()));
    let user = nested(data(joined), "user").unwrap();
    assert_eq!(text(user, "id"), Some(ada.as_str()));
    let membership = nested(user, "membership").unwrap();
    assert_eq!(text(membership, "organization_id"), Some(org.as_str()));
    assert_eq!(text(membership, "membership_status"), Some("ACTIVE"));
    let updated = by_type("user.organization_membership_updated");
    let membership = nested(nested(data(updated), "user").unwrap(), "membership").unwrap();
    assert_eq!(
        text(nested(membership, "metadata").unwrap(), "seat"),
        Some("12")
    );
    Ok(())
}

#[tokio::test]
async fn a_cascading_membership_delete_also_records_the_user_deletion() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = common::organization(&env.client, "Acme").await?;
    let ada = common::member(&env.client, &org, "ada@acme.example").await?;
    env.client
        .raw()
        .users()
        .delete_membership(DeleteMembershipRequest {
            organization_id: org.clone(),
            identities: Some(delete_membership_request::Identities::Id(ada.clone())),
            cascade: Some(true),
        })
        .await?;
    let page = env
        .list(
            Some(of_types(&[
                "user.deleted",
                "user.organization_membership_deleted",
            ])),
            0,
            "",
        )
        .await?;
    let listed: Vec<_> = page
        .events
        .iter()
        .map(|e| (e.r#type.as_str(), e.organization_id.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            ("user.deleted", Some(org.as_str())),
            ("user.organization_membership_deleted", Some(org.as_str())),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn filters_select_by_type_organization_time_and_source() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = common::organization(&env.client, "Acme").await?;
    let globex = common::organization(&env.client, "Globex").await?;
    common::member(&env.client, &acme, "ada@acme.example").await?;
    common::member(&env.client, &globex, "bob@globex.example").await?;
    env.update_organization(&acme, "Acme Corp").await?;

    // Event types: any of those listed.
    assert_eq!(
        env.types(of_types(&["organization.updated", "user.created"]))
            .await?,
        ["organization.updated", "user.created", "user.created"]
    );
    assert!(env.types(of_types(&["no.such.type"])).await?.is_empty());

    // One organization's events.
    let acme_only = EventFilter {
        organization_id: acme.clone(),
        ..Default::default()
    };
    assert_eq!(
        env.types(acme_only).await?,
        [
            "organization.updated",
            "user.organization_membership_created",
            "user.created",
            "organization.created",
        ]
    );

    // A time window includes its start and excludes its end.
    let all = env.list(None, 100, "").await?;
    let at = |i: usize| all.events[i].occurred_at;
    let window = |start: Option<Timestamp>, end: Option<Timestamp>| EventFilter {
        start_time: start,
        end_time: end,
        ..Default::default()
    };
    let newest = at(0).unwrap();
    let from_newest = env.list(Some(window(Some(newest), None)), 100, "").await?;
    assert!(from_newest.events.iter().any(|e| e.id == all.events[0].id));
    let before_newest = env.list(Some(window(None, Some(newest))), 100, "").await?;
    assert!(before_newest
        .events
        .iter()
        .all(|e| e.id != all.events[0].id));
    assert_eq!(
        from_newest.events.len() + before_newest.events.len(),
        all.events.len(),
        "the two halves cover the log once"
    );
    let oldest = at(all.events.len() - 1).unwrap();
    let inverted = env
        .list(Some(window(Some(newest), Some(oldest))), 100, "")
        .await?;
    assert!(inverted.events.is_empty() || newest == oldest);

    // Source: every change here came through the API.
    let source = |source: Source| EventFilter {
        source: source as i32,
        ..Default::default()
    };
    let scalekit = env.list(Some(source(Source::Scalekit)), 100, "").await?;
    assert_eq!(ids(&scalekit), ids(&all));
    let synced = env.list(Some(source(Source::DirSync)), 100, "").await?;
    assert!(synced.events.is_empty());

    // The emulator records no connection or connected-account events.
    let by_connection = EventFilter {
        connection_id: Some("conn_10000000000009999".to_owned()),
        ..Default::default()
    };
    assert!(env.types(by_connection).await?.is_empty());
    // An empty optional filter value filters nothing.
    let blank = EventFilter {
        connection_id: Some(String::new()),
        ..Default::default()
    };
    assert_eq!(env.types(blank).await?.len(), all.events.len());
    Ok(())
}

#[tokio::test]
async fn pages_walk_forward_and_back_with_the_same_filter() -> anyhow::Result<()> {
    let mut env = start().await?;
    for name in ["A", "B", "C", "D", "E"] {
        common::organization(&env.client, name).await?;
    }
    let created = Some(of_types(&["organization.created"]));
    let all = env.list(created.clone(), 0, "").await?;
    assert_eq!(all.events.len(), 5);

    let first = env.list(created.clone(), 2, "").await?;
    assert_eq!(ids(&first), ids(&all)[..2]);
    assert!(first.prev_page_token.is_empty());
    let second = env.list(created.clone(), 2, &first.next_page_token).await?;
    assert_eq!(ids(&second), ids(&all)[2..4]);
    let third = env
        .list(created.clone(), 2, &second.next_page_token)
        .await?;
    assert_eq!(ids(&third), ids(&all)[4..]);
    assert!(third.next_page_token.is_empty(), "the last page");

    // Back from the last page: the same pages again.
    let back = env.list(created.clone(), 2, &third.prev_page_token).await?;
    assert_eq!(ids(&back), ids(&second));
    let front = env.list(created.clone(), 2, &back.prev_page_token).await?;
    assert_eq!(ids(&front), ids(&first));
    assert!(front.prev_page_token.is_empty());
    Ok(())
}

#[tokio::test]
async fn new_events_do_not_shift_the_pages_being_walked() -> anyhow::Result<()> {
    let mut env = start().await?;
    for name in ["A", "B", "C"] {
        common::organization(&env.client, name).await?;
    }
    let first = env.list(None, 2, "").await?;
    common::organization(&env.client, "Late").await?;
    let second = env.list(None, 2, &first.next_page_token).await?;
    assert_eq!(second.events.len(), 1, "only the oldest event is left");
    assert!(second.events.iter().all(|e| !ids(&first).contains(&e.id)));
    // Back from the second page: the first page as it was cut, and from
    // there the newer event.
    let back = env.list(None, 2, &second.prev_page_token).await?;
    assert_eq!(ids(&back), ids(&first));
    let newest = env.list(None, 2, &back.prev_page_token).await?;
    assert_eq!(newest.events.len(), 1);
    assert_eq!(text(data(&newest.events[0]), "display_name"), Some("Late"));
    assert!(newest.prev_page_token.is_empty() && !newest.next_page_token.is_empty());
    Ok(())
}

#[tokio::test]
async fn page_size_defaults_to_ten_and_is_clamped_to_a_hundred() -> anyhow::Result<()> {
    let mut env = start().await?;
    for i in 0..101 {
        common::organization(&env.client, &format!("Org {i}")).await?;
    }
    let default = env.list(None, 0, "").await?;
    assert_eq!(default.events.len(), 10);
    assert!(!default.next_page_token.is_empty());
    let clamped = env.list(None, 1000, "").await?;
    assert_eq!(clamped.events.len(), 100);
    let rest = env.list(None, 1000, &clamped.next_page_token).await?;
    assert_eq!(rest.events.len(), 1);
    assert!(rest.next_page_token.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_page_token_this_server_did_not_issue_is_invalid() -> anyhow::Result<()> {
    let mut env = start().await?;
    common::organization(&env.client, "Acme").await?;
    for token in ["bogus", "b2xkZXI6OTk"] {
        let err = env.list(None, 0, token).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{token}");
        assert!(err.message().contains("page_token"), "{}", err.message());
    }
    Ok(())
}

#[tokio::test]
async fn an_empty_environment_lists_no_events() -> anyhow::Result<()> {
    let mut env = start().await?;
    let page = env.list(None, 0, "").await?;
    assert!(page.events.is_empty());
    assert!(page.next_page_token.is_empty() && page.prev_page_token.is_empty());
    Ok(())
}

#[tokio::test]
async fn the_other_event_rpcs_answer_unimplemented_naming_the_method() -> anyhow::Result<()> {
    let mut env = start().await?;
    let listed = env.events.list_events(ListEventsRequest::default()).await;
    let sent = env
        .events
        .send_custom_event(SendCustomEventRequest::default())
        .await;
    for (status, method) in [
        (listed.unwrap_err(), "ListEvents"),
        (sent.unwrap_err(), "SendCustomEvent"),
    ] {
        assert_eq!(status.code(), Code::Unimplemented);
        assert_eq!(
            status.message(),
            format!("scalekit-emulator does not implement scalekit.v1.events.EventsService/{method} yet")
        );
    }
    Ok(())
}
