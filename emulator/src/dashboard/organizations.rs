//! Organizations: the list (with the create form), and one organization
//! with everything that belongs to it, each linking on.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::Form;
use scalekit::proto::commons::MembershipStatus;
use scalekit::proto::connections::{ConnectionProvider, ConnectionType};
use scalekit::proto::domains::VerificationStatus;
use scalekit::proto::organizations::{
    CreateOrganization, CreateOrganizationRequest, OrganizationService as _,
};
use serde::Deserialize;

use super::guard::CSRF_FIELD;
use super::layout;
use super::{organization_href, refused, role_href, user_href, when, Dashboard, PageNumber};
use crate::pages::html::{self, Html};
use crate::services::organizations::Organizations;

pub(super) async fn list(
    State(dashboard): State<Arc<Dashboard>>,
    PageNumber(page): PageNumber,
) -> Response {
    let mut body = Html::new();
    body.tag(
        "<form method=\"post\" action=\"/_emulator/dashboard/organizations\">\
         <label>Name<input name=\"display_name\" required></label>\
         <label>External id (optional)<input name=\"external_id\"></label>",
    )
    .hidden(CSRF_FIELD, &dashboard.csrf_token)
    .tag("<button type=\"submit\">Create organization</button></form>");
    let store = dashboard.env.store.lock();
    let all: Vec<_> = store.organizations.values().collect();
    let paged = layout::paged(all, page, "/_emulator/dashboard/organizations", "page");
    let rows = paged.items.iter().map(|org| {
        let members = store
            .users
            .values()
            .filter(|u| u.memberships.iter().any(|m| m.organization_id == org.id))
            .count();
        vec![
            html::link(organization_href(&org.id), &org.display_name),
            html::code(&org.id),
            html::text(org.external_id.as_deref().unwrap_or("–")),
            html::text(members),
            html::text(when(org.create_time.as_ref())),
        ]
    });
    body.append(html::table(
        &["Name", "Id", "External id", "Members", "Created"],
        rows,
    ))
    .append(paged.pager);
    layout::page("Organizations", body)
}

pub(super) async fn detail(
    State(dashboard): State<Arc<Dashboard>>,
    Path(organization_id): Path<String>,
    PageNumber(page): PageNumber,
) -> Response {
    let store = dashboard.env.store.lock();
    let Some(org) = store.organizations.get(&organization_id) else {
        return super::not_found("organization", &organization_id);
    };
    let id = org.id.as_str();
    let mut body = Html::new();
    let mut metadata: Vec<_> = org.metadata.iter().collect();
    metadata.sort();
    body.append(html::fields([
        ("Id", html::code(id)),
        ("Name", html::text(&org.display_name)),
        (
            "External id",
            html::text(org.external_id.as_deref().unwrap_or("–")),
        ),
        ("Slug", html::text(org.slug.as_deref().unwrap_or("–"))),
        (
            "Metadata",
            html::text(
                metadata
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        ("Created", html::text(when(org.create_time.as_ref()))),
        (
            "Events",
            html::link(
                format_args!("/_emulator/dashboard/events?organization_id={id}"),
                "this organization's events",
            ),
        ),
    ]));

    body.tag("<h2>Members</h2>")
        .tag(
            "<form method=\"post\" action=\"/_emulator/dashboard/users\">\
             <input type=\"hidden\" name=\"organization_id\" value=\"",
        )
        .text(id)
        .tag(
            "\"><label>Email<input name=\"email\" type=\"email\" required></label>\
             <label>Given name<input name=\"given_name\"></label>\
             <label>Family name<input name=\"family_name\"></label>",
        )
        .hidden(CSRF_FIELD, &dashboard.csrf_token)
        .tag("<button type=\"submit\">Add user</button></form>");
    let members: Vec<_> = store
        .users
        .values()
        .filter_map(|u| {
            u.memberships
                .iter()
                .find(|m| m.organization_id == id)
                .map(|m| (u, m))
        })
        .collect();
    let paged = layout::paged(members, page, &organization_href(id), "page");
    let rows = paged.items.iter().map(|(user, membership)| {
        let status = MembershipStatus::try_from(membership.membership_status)
            .map_or("–", |s| s.as_str_name());
        vec![
            html::link(user_href(&user.id), &user.email),
            html::code(&user.id),
            html::text(status),
            html::links(membership.roles.iter().map(|r| (role_href(&r.id), &r.name))),
            html::text(when(
                membership
                    .created_at
                    .as_ref()
                    .or(membership.join_time.as_ref()),
            )),
        ]
    });
    body.append(html::table(
        &["Email", "Id", "Status", "Roles", "Joined"],
        rows,
    ))
    .append(paged.pager);

    body.tag("<h2>Roles of this organization</h2>");
    let roles = store
        .organization_roles
        .iter()
        .filter(|((org, _), _)| org == id)
        .map(|(_, role)| {
            vec![
                html::link(role_href(&role.id), &role.name),
                html::text(&role.display_name),
                html::text(role.permissions.len()),
            ]
        });
    body.append(html::table(&["Name", "Display name", "Permissions"], roles));
    if let Some(default) = store.organization_default_roles.get(id) {
        body.tag("<p>Default member role: ")
            .text(default)
            .tag("</p>");
    }

    body.tag("<h2>Domains</h2>");
    let domains = store
        .domains
        .values()
        .filter(|d| d.organization_id == id)
        .map(|d| {
            let status = VerificationStatus::try_from(d.verification_status)
                .map_or("–", |s| s.as_str_name());
            vec![html::text(&d.domain), html::code(&d.id), html::text(status)]
        });
    body.append(html::table(&["Domain", "Id", "Verification"], domains));

    body.tag("<h2>Connections</h2>");
    let connections = store
        .connections
        .values()
        .filter(|c| c.organization_id.as_deref() == Some(id))
        .map(|c| {
            vec![
                html::code(&c.id),
                html::text(
                    ConnectionProvider::try_from(c.provider).map_or("–", |p| p.as_str_name()),
                ),
                html::text(ConnectionType::try_from(c.r#type).map_or("–", |t| t.as_str_name())),
                html::text(if c.enabled { "yes" } else { "no" }),
            ]
        });
    body.append(html::table(
        &["Id", "Provider", "Type", "Enabled"],
        connections,
    ));

    body.tag("<h2>Directories</h2>");
    let directories = store
        .directories
        .values()
        .filter(|d| d.directory.organization_id == id)
        .map(|d| {
            vec![
                html::code(&d.directory.id),
                html::text(&d.directory.name),
                html::text(d.users.len()),
                html::text(d.groups.len()),
            ]
        });
    body.append(html::table(&["Id", "Name", "Users", "Groups"], directories));

    body.tag("<h2>API tokens</h2>");
    let now = crate::store::now();
    let tokens = store
        .api_tokens
        .values()
        .filter(|t| t.organization_id == id)
        .map(|t| {
            vec![
                html::code(&t.id),
                t.user_id
                    .as_deref()
                    .map_or_else(|| html::text("–"), |u| html::link(user_href(u), u)),
                html::text(super::credentials::token_state(t, &now)),
            ]
        });
    body.append(html::table(&["Id", "User", "State"], tokens));

    body.tag("<h2>Clients</h2>");
    let clients = store.organization_clients_of(id).into_iter().map(|c| {
        vec![
            html::code(&c.client_id),
            html::text(&c.name),
            html::text(
                c.secrets
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ]
    });
    body.append(html::table(&["Client id", "Name", "Secret ids"], clients));
    let title = format!("Organization {}", org.display_name);
    layout::page(&title, body)
}

/// The create-organization form.
#[derive(Debug, Deserialize)]
pub(super) struct NewOrganization {
    display_name: String,
    #[serde(default)]
    external_id: String,
}

pub(super) async fn create(
    State(dashboard): State<Arc<Dashboard>>,
    Form(form): Form<NewOrganization>,
) -> Response {
    let service = Organizations {
        ctx: dashboard.env.services.clone(),
    };
    let external_id = form.external_id.trim();
    let request = CreateOrganizationRequest {
        organization: Some(CreateOrganization {
            display_name: form.display_name,
            external_id: (!external_id.is_empty()).then(|| external_id.to_string()),
            ..Default::default()
        }),
    };
    match service
        .create_organization(tonic::Request::new(request))
        .await
    {
        Ok(response) => match response.into_inner().organization {
            Some(org) => Redirect::to(&organization_href(&org.id)).into_response(),
            None => Redirect::to("/_emulator/dashboard/organizations").into_response(),
        },
        Err(status) => refused(&status),
    }
}
