//! The overview at `/_emulator`: the environment's facts, how many records
//! of each kind it holds (each linking to its list), and reset.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect, Response};

use super::guard::CSRF_FIELD;
use super::layout;
use super::Dashboard;
use crate::pages::html::{self, Html};

pub(super) async fn page(State(dashboard): State<Arc<Dashboard>>) -> Response {
    let env = &dashboard.env;
    let mut body = Html::new();
    let counts = {
        let store = env.store.lock();
        body.append(html::fields([
            ("Environment URL", html::code(&env.services.env_url)),
            ("Environment id", html::code(&store.environment_id)),
            ("Client id", html::code(&env.client_id)),
            (
                "Client secret",
                html::text("not shown (the emulator prints it on start)"),
            ),
        ]));
        let memberships: usize = store.users.values().map(|u| u.memberships.len()).sum();
        [
            (
                "/_emulator/dashboard/organizations",
                "Organizations",
                store.organizations.len(),
            ),
            ("/_emulator/dashboard/users", "Users", store.users.len()),
            ("/_emulator/dashboard/users", "Memberships", memberships),
            (
                "/_emulator/dashboard/roles",
                "Roles",
                store.roles.len() + store.organization_roles.len(),
            ),
            (
                "/_emulator/dashboard/roles",
                "Permissions",
                store.permissions.len(),
            ),
            (
                "/_emulator/dashboard/connections",
                "Connections",
                store.connections.len() + store.app_connections.len(),
            ),
            (
                "/_emulator/dashboard/directories",
                "Directories",
                store.directories.len(),
            ),
            (
                "/_emulator/dashboard/sessions",
                "Sessions",
                store.sessions.len(),
            ),
            (
                "/_emulator/dashboard/credentials",
                "API tokens",
                store.api_tokens.len(),
            ),
            (
                "/_emulator/dashboard/credentials",
                "Organization clients",
                store.organization_clients.len(),
            ),
            ("/_emulator/dashboard/events", "Events", store.events.len()),
        ]
    };
    body.tag("<h2>Records</h2>").append(html::table(
        &["Kind", "How many"],
        counts
            .iter()
            .map(|(href, label, n)| vec![html::link(href, label), html::text(n)]),
    ));
    body.tag("<h2>Reset</h2>");
    body.tag(
        "<form method=\"post\" action=\"/_emulator/dashboard/reset\">\
         <span>Return the environment to its seeded state (every change since start is lost).</span>",
    )
    .hidden(CSRF_FIELD, &dashboard.csrf_token)
    .tag("<button type=\"submit\">Reset</button></form>");
    layout::page("Environment", body)
}

pub(super) async fn reset(State(dashboard): State<Arc<Dashboard>>) -> Response {
    match crate::reset::reset(&dashboard.env).await {
        Ok(()) => Redirect::to("/_emulator").into_response(),
        Err(error) => layout::error_page(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
    }
}
