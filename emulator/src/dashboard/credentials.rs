//! API tokens and organization clients, by id only: a token's value and a
//! client's secrets are credentials, so neither is shown, nor any part of
//! them (a secret's id stands for it).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use prost_types::Timestamp;
use scalekit::proto::clients::ClientSecretStatus;

use super::layout;
use super::{organization_href, user_href, when, Dashboard, PageNumber};
use crate::pages::html::{self, Html};
use crate::store::api_tokens::ApiTokenRecord;

/// Whether a token can be used at `now`, in a word.
pub(super) fn token_state(token: &ApiTokenRecord, now: &Timestamp) -> &'static str {
    if token.invalidated {
        "invalidated"
    } else if token.expired_at(now) {
        "expired"
    } else {
        "active"
    }
}

pub(super) async fn list(
    State(dashboard): State<Arc<Dashboard>>,
    PageNumber(page): PageNumber,
) -> Response {
    let store = dashboard.env.store.lock();
    let now = crate::store::now();
    let mut body = Html::new();
    body.tag("<h2>API tokens</h2>");
    let tokens: Vec<_> = store.api_tokens.values().collect();
    let paged = layout::paged(tokens, page, "/_emulator/dashboard/credentials", "page");
    body.append(html::table(
        &[
            "Id",
            "Organization",
            "User",
            "Description",
            "State",
            "Expires",
            "Created",
        ],
        paged.items.iter().map(|t| {
            vec![
                html::code(&t.id),
                html::link(organization_href(&t.organization_id), &t.organization_id),
                t.user_id
                    .as_deref()
                    .map_or_else(|| html::text("–"), |u| html::link(user_href(u), u)),
                html::text(t.description.as_deref().unwrap_or_default()),
                html::text(token_state(t, &now)),
                html::text(when(t.expiry.as_ref())),
                html::text(when(Some(&t.created_at))),
            ]
        }),
    ))
    .append(paged.pager);

    // Clients are few per organization; their list pages with the tokens'.
    body.tag("<h2>Organization clients</h2>");
    let clients: Vec<_> = store
        .organization_clients
        .values()
        .map(|r| &r.client)
        .collect();
    let paged = layout::paged(clients, page, "/_emulator/dashboard/credentials", "page");
    body.append(html::table(
        &[
            "Client id",
            "Name",
            "Organization",
            "Secrets (ids)",
            "Created",
        ],
        paged.items.iter().map(|c| {
            let secrets = c
                .secrets
                .iter()
                .map(|s| {
                    let status =
                        ClientSecretStatus::try_from(s.status).map_or("–", |s| s.as_str_name());
                    format!("{} ({status})", s.id)
                })
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                html::code(&c.client_id),
                html::text(&c.name),
                html::link(organization_href(&c.organization_id), &c.organization_id),
                html::text(secrets),
                html::text(when(c.create_time.as_ref())),
            ]
        }),
    ))
    .append(paged.pager);
    layout::page("API tokens and clients", body)
}
