//! Users: the list (with the create form), and one user with their
//! memberships, sessions and API tokens.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::Form;
use scalekit::proto::commons::MembershipStatus;
use scalekit::proto::users::{
    CreateUser, CreateUserAndMembershipRequest, CreateUserProfile, UserService as _,
};
use serde::Deserialize;

use super::guard::CSRF_FIELD;
use super::layout;
use super::{organization_href, refused, role_href, user_href, when, Dashboard, PageNumber};
use crate::pages::html::{self, Html};
use crate::services::users::Users;
use crate::store::Store;

pub(super) async fn list(
    State(dashboard): State<Arc<Dashboard>>,
    PageNumber(page): PageNumber,
) -> Response {
    let store = dashboard.env.store.lock();
    let mut body = Html::new();
    body.append(create_form(&store, &dashboard.csrf_token));
    let all: Vec<_> = store.users.values().collect();
    let paged = layout::paged(all, page, "/_emulator/dashboard/users", "page");
    let rows = paged.items.iter().map(|user| {
        let name = user
            .user_profile
            .as_ref()
            .map(|p| p.name.as_str())
            .unwrap_or_default();
        vec![
            html::link(user_href(&user.id), &user.email),
            html::code(&user.id),
            html::text(name),
            html::links(user.memberships.iter().map(|m| {
                (
                    organization_href(&m.organization_id),
                    organization_name(&store, &m.organization_id),
                )
            })),
            html::text(when(user.create_time.as_ref())),
        ]
    });
    body.append(html::table(
        &["Email", "Id", "Name", "Organizations", "Created"],
        rows,
    ))
    .append(paged.pager);
    layout::page("Users", body)
}

/// The form that creates a user in a chosen organization (or says to
/// create an organization first).
fn create_form(store: &Store, csrf_token: &str) -> Html {
    let mut form = Html::new();
    if store.organizations.is_empty() {
        form.tag("<p class=\"note\">Create an organization first to add users to it.</p>");
        return form;
    }
    form.tag(
        "<form method=\"post\" action=\"/_emulator/dashboard/users\">\
         <label>Organization<select name=\"organization_id\" required>",
    );
    for org in store.organizations.values() {
        form.tag("<option value=\"")
            .text(&org.id)
            .tag("\">")
            .text(&org.display_name)
            .tag("</option>");
    }
    form.tag(
        "</select></label>\
         <label>Email<input name=\"email\" type=\"email\" required></label>\
         <label>Given name<input name=\"given_name\"></label>\
         <label>Family name<input name=\"family_name\"></label>",
    )
    .hidden(CSRF_FIELD, csrf_token)
    .tag("<button type=\"submit\">Create user</button></form>");
    form
}

/// An organization's name, or its id once it is gone.
fn organization_name(store: &Store, id: &str) -> String {
    store
        .organizations
        .get(id)
        .map_or_else(|| id.to_string(), |o| o.display_name.clone())
}

pub(super) async fn detail(
    State(dashboard): State<Arc<Dashboard>>,
    Path(user_id): Path<String>,
) -> Response {
    let store = dashboard.env.store.lock();
    let Some(user) = store.users.get(&user_id) else {
        return super::not_found("user", &user_id);
    };
    let profile = user.user_profile.clone().unwrap_or_default();
    let mut body = Html::new();
    body.append(html::fields([
        ("Id", html::code(&user.id)),
        ("Email", html::text(&user.email)),
        ("Name", html::text(&profile.name)),
        ("Given name", html::text(&profile.given_name)),
        ("Family name", html::text(&profile.family_name)),
        (
            "External id",
            html::text(user.external_id.as_deref().unwrap_or("–")),
        ),
        ("Created", html::text(when(user.create_time.as_ref()))),
        (
            "Last sign-in",
            html::text(when(user.last_login_time.as_ref())),
        ),
    ]));

    body.tag("<h2>Memberships</h2>");
    let memberships = user.memberships.iter().map(|m| {
        let status =
            MembershipStatus::try_from(m.membership_status).map_or("–", |s| s.as_str_name());
        vec![
            html::link(
                organization_href(&m.organization_id),
                organization_name(&store, &m.organization_id),
            ),
            html::text(status),
            html::links(m.roles.iter().map(|r| (role_href(&r.id), &r.name))),
            html::text(when(m.created_at.as_ref().or(m.join_time.as_ref()))),
        ]
    });
    body.append(html::table(
        &["Organization", "Status", "Roles", "Joined"],
        memberships,
    ));

    body.tag("<h2>Sessions</h2>");
    let sessions: Vec<_> = store
        .sessions
        .values()
        .filter(|s| s.user_id == user.id)
        .map(crate::services::sessions::current)
        .collect();
    body.append(super::sessions::table(
        &store,
        &sessions,
        &dashboard.csrf_token,
    ));

    body.tag("<h2>API tokens</h2>");
    let now = crate::store::now();
    let tokens = store
        .api_tokens
        .values()
        .filter(|t| t.user_id.as_deref() == Some(user.id.as_str()))
        .map(|t| {
            vec![
                html::code(&t.id),
                html::link(
                    organization_href(&t.organization_id),
                    organization_name(&store, &t.organization_id),
                ),
                html::text(super::credentials::token_state(t, &now)),
            ]
        });
    body.append(html::table(&["Id", "Organization", "State"], tokens));
    let title = format!("User {}", user.email);
    layout::page(&title, body)
}

/// The create-user form.
#[derive(Debug, Deserialize)]
pub(super) struct NewUser {
    organization_id: String,
    email: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
}

pub(super) async fn create(
    State(dashboard): State<Arc<Dashboard>>,
    Form(form): Form<NewUser>,
) -> Response {
    let service = Users {
        ctx: dashboard.env.services.clone(),
    };
    #[allow(deprecated)] // the deprecated name aliases stay at their defaults
    let profile = CreateUserProfile {
        given_name: form.given_name,
        family_name: form.family_name,
        ..Default::default()
    };
    let request = CreateUserAndMembershipRequest {
        organization_id: form.organization_id,
        user: Some(CreateUser {
            email: form.email,
            user_profile: Some(profile),
            ..Default::default()
        }),
        // Nobody would receive it: the emulator sends no email.
        send_invitation_email: Some(false),
    };
    match service
        .create_user_and_membership(tonic::Request::new(request))
        .await
    {
        Ok(response) => match response.into_inner().user {
            Some(user) => Redirect::to(&user_href(&user.id)).into_response(),
            None => Redirect::to("/_emulator/dashboard/users").into_response(),
        },
        Err(status) => refused(&status),
    }
}
