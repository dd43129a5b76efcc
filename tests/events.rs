//! `client.events()` against a real `scalekit-emulator`, whose event log is
//! written by the changes the other sub-clients make: organizations, users
//! and memberships created, updated and deleted.

mod common;

use common::{api_error, start};

use anyhow::ensure;
use futures::TryStreamExt as _;
use scalekit::events::{
    EventFilter, ListEventsPaginatedOptions, ObjectType, ScalekitEvent, Source,
};
use scalekit::organizations::{CreateOrganizationOptions, UpdateOrganization};
use scalekit::users::{
    CreateUser, CreateUserAndMembershipOptions, UpdateMembershipOptions, UpdateUser,
};
use scalekit::{Code, ScalekitClient};

async fn organization(client: &ScalekitClient, name: &str) -> anyhow::Result<String> {
    let created = client
        .organizations()
        .create_organization(name, CreateOrganizationOptions::default())
        .await?;
    Ok(created.id)
}

async fn member(client: &ScalekitClient, org: &str, email: &str) -> anyhow::Result<String> {
    let user = client
        .users()
        .create_user_and_membership(
            org,
            CreateUser {
                email: email.to_owned(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .await?;
    Ok(user.id)
}

fn user_created_in(organization_id: &str) -> EventFilter {
    EventFilter {
        event_types: vec!["user.created".to_owned()],
        organization_id: organization_id.to_owned(),
        ..Default::default()
    }
}

/// The id of the user (or organization) an event is about.
fn subject_id(event: &ScalekitEvent) -> Option<&str> {
    let field = event.data.as_ref()?.fields.get("id")?;
    match field.kind.as_ref()? {
        prost_types::value::Kind::StringValue(id) => Some(id),
        _ => None,
    }
}

fn types(events: &[ScalekitEvent]) -> Vec<&str> {
    events.iter().map(|e| e.r#type.as_str()).collect()
}

/// An organization with three members (created in order) and another
/// organization with one.
async fn three_members(client: &ScalekitClient) -> anyhow::Result<(String, Vec<String>)> {
    let org = organization(client, "Acme").await?;
    let other = organization(client, "Elsewhere").await?;
    let mut members = Vec::new();
    for email in ["ada@acme.example", "bob@acme.example", "cy@acme.example"] {
        members.push(member(client, &org, email).await?);
    }
    member(client, &other, "dee@elsewhere.example").await?;
    Ok((org, members))
}

#[tokio::test]
async fn list_events_paginated_returns_one_page_with_its_tokens() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let (org, members) = three_members(&client).await?;
    let opts = ListEventsPaginatedOptions::default()
        .with_page_size(2)
        .with_filter(user_created_in(&org));
    let page = client.events().list_events_paginated(opts).await?;
    let subjects: Vec<_> = page.items.iter().map(subject_id).collect();
    ensure!(
        subjects == [Some(members[2].as_str()), Some(members[1].as_str())],
        "the two newest: {subjects:?}"
    );
    ensure!(page
        .items
        .iter()
        .all(|e| e.r#type == "user.created" && e.organization_id.as_deref() == Some(&org)));
    ensure!(page.items[0].object == ObjectType::User as i32);
    ensure!(page.next_page_token.is_some());
    ensure!(page.prev_page_token.is_none() && page.total_size == 0);
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_stream_walks_every_page_with_the_same_filter() -> anyhow::Result<()>
{
    let (emulator, client) = start().await?;
    let (org, members) = three_members(&client).await?;
    let opts = ListEventsPaginatedOptions::default()
        .with_page_size(2)
        .with_filter(user_created_in(&org));
    let all: Vec<ScalekitEvent> = client
        .events()
        .list_events_paginated_stream(opts)
        .try_collect()
        .await?;
    let subjects: Vec<_> = all.iter().filter_map(subject_id).collect();
    let newest_first: Vec<_> = members.iter().rev().map(String::as_str).collect();
    // The other organization's user would show on the second page if the
    // filter were lost on the way.
    ensure!(subjects == newest_first, "{subjects:?}");
    ensure!(
        emulator.rpc_count("ListEventsPaginated") == 2,
        "two pages of two"
    );
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_lists_a_lifecycle_newest_first() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let ada = member(&client, &org, "ada@acme.example").await?;
    let update = UpdateUser {
        external_id: Some("ada-1".to_owned()),
        ..Default::default()
    };
    client.users().update_user(&ada, update).await?;
    let seat = UpdateMembershipOptions::default().with_metadata("seat", "12");
    client.users().update_membership(&org, &ada, seat).await?;
    let rename = UpdateOrganization {
        display_name: Some("Acme Corp".to_owned()),
        ..Default::default()
    };
    client
        .organizations()
        .update_organization(&org, rename)
        .await?;
    client.users().delete_membership(&org, &ada).await?;
    client.users().delete_user(&ada).await?;
    client.organizations().delete_organization(&org).await?;

    let page = client
        .events()
        .list_events_paginated(ListEventsPaginatedOptions::default())
        .await?;
    let listed = types(&page.items);
    ensure!(
        listed
            == [
                "organization.deleted",
                "user.deleted",
                "user.organization_membership_deleted",
                "organization.updated",
                "user.organization_membership_updated",
                "user.updated",
                "user.organization_membership_created",
                "user.created",
                "organization.created",
            ],
        "{listed:?}"
    );
    ensure!(page.next_page_token.is_none() && page.prev_page_token.is_none());
    let times: Vec<_> = page
        .items
        .iter()
        .map(|e| e.occurred_at.map(|t| (t.seconds, t.nanos)))
        .collect();
    ensure!(times.windows(2).all(|w| w[0] >= w[1]), "most recent first");
    ensure!(page.items.iter().all(|e| e.id.starts_with("evt_")));
    ensure!(subject_id(&page.items[0]) == Some(org.as_str()));
    ensure!(subject_id(&page.items[1]) == Some(ada.as_str()));
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_filters_by_type_time_and_source() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let (org, _) = three_members(&client).await?;
    let events = client.events();
    let list = |filter: EventFilter| {
        let events = events.clone();
        async move {
            let opts = ListEventsPaginatedOptions::default()
                .with_page_size(100)
                .with_filter(filter);
            anyhow::Ok(events.list_events_paginated(opts).await?.items)
        }
    };

    let either = EventFilter {
        event_types: vec!["organization.created".to_owned(), "user.created".to_owned()],
        ..Default::default()
    };
    let listed = list(either).await?;
    ensure!(
        types(&listed)
            == [
                "user.created",
                "user.created",
                "user.created",
                "user.created",
                "organization.created",
                "organization.created",
            ],
        "{:?}",
        types(&listed)
    );

    // From the third user's creation on, its membership and the other
    // organization's user are left; before it, the rest.
    let acme_users = list(user_created_in(&org)).await?;
    let third = acme_users[0].occurred_at;
    let since = list(EventFilter {
        start_time: third,
        ..Default::default()
    })
    .await?;
    let before = list(EventFilter {
        end_time: third,
        ..Default::default()
    })
    .await?;
    ensure!(
        types(&since)
            == [
                "user.organization_membership_created",
                "user.created",
                "user.organization_membership_created",
                "user.created",
            ],
        "{:?}",
        types(&since)
    );
    let at = |t: Option<prost_types::Timestamp>| t.map(|t| (t.seconds, t.nanos));
    ensure!(before.len() == 6 && before.iter().all(|e| at(e.occurred_at) < at(third)));

    let from_api = list(EventFilter {
        source: Source::Scalekit as i32,
        ..Default::default()
    })
    .await?;
    ensure!(from_api.len() == 10, "{} events", from_api.len());
    let synced = list(EventFilter {
        source: Source::DirSync as i32,
        ..Default::default()
    })
    .await?;
    ensure!(synced.is_empty());
    ensure!(list(user_created_in("org_10000000000009999"))
        .await?
        .is_empty());
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_prev_page_token_leads_back() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    three_members(&client).await?;
    let events = client.events();
    let first = events
        .list_events_paginated(ListEventsPaginatedOptions::default().with_page_size(3))
        .await?;
    let next = first.next_page_token.clone().expect("a second page");
    let second = events
        .list_events_paginated(
            ListEventsPaginatedOptions::default()
                .with_page_size(3)
                .with_page_token(next),
        )
        .await?;
    let prev = second.prev_page_token.clone().expect("a way back");
    let back = events
        .list_events_paginated(
            ListEventsPaginatedOptions::default()
                .with_page_size(3)
                .with_page_token(prev),
        )
        .await?;
    let ids = |page: &scalekit::Page<ScalekitEvent>| {
        page.items.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
    };
    ensure!(ids(&back) == ids(&first));
    ensure!(ids(&second).iter().all(|id| !ids(&first).contains(id)));
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_defaults_to_ten_events() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    three_members(&client).await?;
    organization(&client, "One more").await?;
    // 11 events: 2 + 4 memberships × 2, and one more organization.
    let page = client
        .events()
        .list_events_paginated(ListEventsPaginatedOptions::default())
        .await?;
    ensure!(page.items.len() == 10, "{} events", page.items.len());
    ensure!(page.next_page_token.is_some());
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_maps_a_rejected_page_token() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let opts = ListEventsPaginatedOptions::default().with_page_token("bogus");
    let result = client.events().list_events_paginated(opts).await;
    let err = api_error(result, Code::InvalidArgument)?;
    ensure!(err.is_invalid_argument() && !err.is_retryable());
    Ok(())
}
