//! Roles and permissions: the environment's and organizations' roles with
//! the permissions of each, and one role with its base, its effective
//! permissions and the users who hold it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;

use super::layout;
use super::{organization_href, role_href, user_href, Dashboard};
use crate::pages::html::{self, Html};
use crate::store::{RoleRecord, Store};

pub(super) async fn list(State(dashboard): State<Arc<Dashboard>>) -> Response {
    let store = dashboard.env.store.lock();
    let mut body = Html::new();
    body.tag("<h2>Environment roles</h2>").append(html::table(
        &[
            "Name",
            "Display name",
            "Extends",
            "Permissions",
            "Default for",
        ],
        store.roles.values().map(|role| {
            let mut defaults = Vec::new();
            if role.name == store.default_member_role {
                defaults.push("new members");
            }
            if role.name == store.default_creator_role {
                defaults.push("organization creators");
            }
            vec![
                html::link(role_href(&role.id), &role.name),
                html::text(&role.display_name),
                base_link(&store, role),
                html::text(role.permissions.join(", ")),
                html::text(defaults.join(", ")),
            ]
        }),
    ));
    body.tag("<h2>Organization roles</h2>").append(html::table(
        &[
            "Name",
            "Organization",
            "Display name",
            "Extends",
            "Permissions",
        ],
        store.organization_roles.values().map(|role| {
            let org = role.organization_id.as_deref().unwrap_or_default();
            vec![
                html::link(role_href(&role.id), &role.name),
                html::link(organization_href(org), org),
                html::text(&role.display_name),
                base_link(&store, role),
                html::text(role.permissions.join(", ")),
            ]
        }),
    ));
    body.tag("<h2>Permissions</h2>").append(html::table(
        &["Name", "Id", "Description", "Roles that grant it directly"],
        store.permissions.values().map(|p| {
            let holders = store
                .roles
                .values()
                .chain(store.organization_roles.values())
                .filter(|r| r.permissions.contains(&p.name))
                .map(|r| (role_href(&r.id), r.name.as_str()));
            vec![
                html::text(&p.name),
                html::code(&p.id),
                html::text(&p.description),
                html::links(holders),
            ]
        }),
    ));
    layout::page("Roles and permissions", body)
}

/// A link to the role `role` extends, as resolved from its organization.
fn base_link(store: &Store, role: &RoleRecord) -> Html {
    match role.extends.as_deref() {
        None => html::text("–"),
        Some(base) => match store.role_in(role.organization_id.as_deref(), base) {
            Some(found) => html::link(role_href(&found.id), base),
            None => html::text(base),
        },
    }
}

pub(super) async fn detail(
    State(dashboard): State<Arc<Dashboard>>,
    Path(role_id): Path<String>,
) -> Response {
    let store = dashboard.env.store.lock();
    let Some(role) = store
        .roles
        .values()
        .chain(store.organization_roles.values())
        .find(|r| r.id == role_id)
    else {
        return super::not_found("role", &role_id);
    };
    let organization = match role.organization_id.as_deref() {
        Some(org) => html::link(organization_href(org), org),
        None => html::text("– (an environment role)"),
    };
    let mut body = Html::new();
    body.append(html::fields([
        ("Id", html::code(&role.id)),
        ("Name", html::text(&role.name)),
        ("Display name", html::text(&role.display_name)),
        ("Description", html::text(&role.description)),
        ("Organization", organization),
        ("Extends", base_link(&store, role)),
    ]));
    body.tag("<h2>Effective permissions</h2>")
        .append(html::table(
            &["Permission", "Description", "From role"],
            store.effective_permissions(role).into_iter().map(|p| {
                vec![
                    html::text(&p.name),
                    html::text(&p.description),
                    html::text(&p.role_name),
                ]
            }),
        ));
    body.tag("<h2>Members holding it</h2>").append(html::table(
        &["User", "Organization"],
        store.users.values().flat_map(|user| {
            user.memberships
                .iter()
                .filter(|m| m.roles.iter().any(|r| r.id == role.id))
                .map(move |m| {
                    vec![
                        html::link(user_href(&user.id), &user.email),
                        html::link(organization_href(&m.organization_id), &m.organization_id),
                    ]
                })
        }),
    ));
    let title = format!("Role {}", role.name);
    layout::page(&title, body)
}
