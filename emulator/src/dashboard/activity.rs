//! What happened: the event log (newest first, optionally one
//! organization's), the recent requests of the journal, and webhook
//! deliveries; the last two through [`hooks`], which say when their part is
//! not in this build.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use prost_types::value::Kind;
use prost_types::Struct;
use serde::Deserialize;

use super::layout;
use super::{hooks, organization_href, user_href, when, Dashboard, PageNumber};
use crate::pages::html::{self, Html};

/// The events page's filter: optionally one organization.
#[derive(Debug, Deserialize)]
pub(super) struct EventsFilter {
    organization_id: Option<String>,
}

pub(super) async fn events(
    State(dashboard): State<Arc<Dashboard>>,
    PageNumber(page): PageNumber,
    Query(filter): Query<EventsFilter>,
) -> Response {
    let organization = filter.organization_id.filter(|o| !o.is_empty());
    let store = dashboard.env.store.lock();
    let all: Vec<_> = store
        .events
        .iter()
        .rev()
        .map(|r| &r.event)
        .filter(|e| organization.is_none() || e.organization_id == organization)
        .collect();
    let mut body = Html::new();
    let base = match &organization {
        Some(org) => {
            body.tag("<p>Events of organization ")
                .link(organization_href(org), org)
                .tag(" only; ")
                .link("/_emulator/dashboard/events", "all events")
                .tag(".</p>");
            let encoded: String = url::form_urlencoded::byte_serialize(org.as_bytes()).collect();
            format!("/_emulator/dashboard/events?organization_id={encoded}")
        }
        None => "/_emulator/dashboard/events".to_string(),
    };
    let paged = layout::paged(all, page, &base, "page");
    body.append(html::table(
        &["Id", "Type", "Occurred", "Organization", "Subject"],
        paged.items.iter().map(|e| {
            let organization = match e.organization_id.as_deref() {
                Some(org) => html::link(organization_href(org), org),
                None => html::text("–"),
            };
            vec![
                html::code(&e.id),
                html::text(&e.r#type),
                html::text(when(e.occurred_at.as_ref())),
                organization,
                subject(e.r#type.as_str(), e.data.as_ref()),
            ]
        }),
    ))
    .append(paged.pager);
    layout::page("Events", body)
}

/// A link to what an event is about: the organization or the user its data
/// carries.
fn subject(event_type: &str, data: Option<&Struct>) -> Html {
    let string = |s: &Struct, key: &str| match s.fields.get(key).and_then(|v| v.kind.as_ref()) {
        Some(Kind::StringValue(text)) => Some(text.clone()),
        _ => None,
    };
    let nested = |s: &Struct, key: &str| match s.fields.get(key).and_then(|v| v.kind.as_ref()) {
        Some(Kind::StructValue(inner)) => Some(inner.clone()),
        _ => None,
    };
    let Some(data) = data else {
        return html::text("–");
    };
    if event_type.starts_with("organization.") {
        if let Some(id) = string(data, "id") {
            return html::link(organization_href(&id), &id);
        }
    }
    let user = nested(data, "user").unwrap_or_else(|| data.clone());
    match (string(&user, "id"), string(&user, "email")) {
        (Some(id), email) => html::link(user_href(&id), email.unwrap_or(id.clone())),
        _ => html::text("–"),
    }
}

pub(super) async fn requests(State(dashboard): State<Arc<Dashboard>>) -> Response {
    let body = html::table(
        &["At", "Method", "Status"],
        hooks::recent_requests(&dashboard.env).into_iter().map(|r| {
            vec![
                html::text(when(r.at.as_ref())),
                html::code(r.method),
                html::text(r.status),
            ]
        }),
    );
    layout::page("Recent requests", body)
}

pub(super) async fn webhooks(State(dashboard): State<Arc<Dashboard>>) -> Response {
    let body = html::table(
        &["Event", "Type", "Endpoint", "Attempt", "Outcome"],
        hooks::webhook_deliveries(&dashboard.env)
            .into_iter()
            .map(|d| {
                vec![
                    html::code(d.event_id),
                    html::text(d.event_type),
                    html::text(d.endpoint),
                    html::text(d.attempt),
                    html::text(d.outcome),
                ]
            }),
    );
    layout::page("Webhook deliveries", body)
}
