//! Sessions: every user's sessions as they read now, each active one with
//! a form that revokes it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse as _, Redirect, Response};
use scalekit::proto::sessions::{RevokeSessionRequest, SessionDetails, SessionService as _};

use super::guard::CSRF_FIELD;
use super::layout;
use super::{organization_href, refused, user_href, when, Dashboard, PageNumber};
use crate::pages::html::{self, Html};
use crate::services::sessions::{current, Sessions};
use crate::store::Store;

pub(super) async fn list(
    State(dashboard): State<Arc<Dashboard>>,
    PageNumber(page): PageNumber,
) -> Response {
    let store = dashboard.env.store.lock();
    let all: Vec<_> = store.sessions.values().map(current).collect();
    let paged = layout::paged(all, page, "/_emulator/dashboard/sessions", "page");
    let mut body = table(&store, &paged.items, &dashboard.csrf_token);
    body.append(paged.pager);
    layout::page("Sessions", body)
}

/// A table of `sessions`, with a revoke form on each active one.
pub(super) fn table(store: &Store, sessions: &[SessionDetails], csrf_token: &str) -> Html {
    let rows = sessions.iter().map(|s| {
        let user = store
            .users
            .get(&s.user_id)
            .map_or(s.user_id.as_str(), |u| u.email.as_str());
        let organization = if s.organization_id.is_empty() {
            html::text("–")
        } else {
            html::link(organization_href(&s.organization_id), &s.organization_id)
        };
        let mut action = Html::new();
        if s.status == "active" {
            action
                .tag("<form class=\"inline\" method=\"post\" action=\"/_emulator/dashboard/sessions/")
                .text(&s.session_id)
                .tag("/revoke\">")
                .hidden(CSRF_FIELD, csrf_token)
                .tag("<button type=\"submit\">Revoke</button></form>");
        }
        vec![
            html::code(&s.session_id),
            html::link(user_href(&s.user_id), user),
            organization,
            html::text(&s.status),
            html::text(when(s.created_at.as_ref())),
            html::text(when(s.last_active_at.as_ref())),
            html::text(when(s.absolute_expires_at.as_ref())),
            action,
        ]
    });
    html::table(
        &[
            "Id",
            "User",
            "Organization",
            "Status",
            "Created",
            "Last active",
            "Expires",
            "",
        ],
        rows,
    )
}

pub(super) async fn revoke(
    State(dashboard): State<Arc<Dashboard>>,
    Path(session_id): Path<String>,
) -> Response {
    let service = Sessions {
        ctx: dashboard.env.services.clone(),
    };
    let request = RevokeSessionRequest {
        session_id: session_id.clone(),
    };
    match service.revoke_session(tonic::Request::new(request)).await {
        Ok(response) => {
            let user_id = response
                .into_inner()
                .revoked_session
                .map(|s| s.user_id)
                .unwrap_or_default();
            if user_id.is_empty() {
                Redirect::to("/_emulator/dashboard/sessions").into_response()
            } else {
                Redirect::to(&user_href(&user_id)).into_response()
            }
        }
        Err(status) => refused(&status),
    }
}
