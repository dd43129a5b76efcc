//! Where users come from: SSO connections (the organizations' and the
//! environment's own) and SCIM directories. Connection settings hold
//! client secrets and certificates, so only a connection's kind and state
//! are shown.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use scalekit::proto::connections::{
    Connection, ConnectionProvider, ConnectionStatus, ConnectionType,
};
use scalekit::proto::directories::{DirectoryProvider, DirectoryType};

use super::layout;
use super::{organization_href, when, Dashboard, PageNumber};
use crate::pages::html::{self, Html};

pub(super) async fn connections(
    State(dashboard): State<Arc<Dashboard>>,
    PageNumber(page): PageNumber,
) -> Response {
    let store = dashboard.env.store.lock();
    let all: Vec<&Connection> = store
        .connections
        .values()
        .chain(store.app_connections.values())
        .collect();
    let paged = layout::paged(all, page, "/_emulator/dashboard/connections", "page");
    let rows = paged.items.iter().map(|c| {
        let organization = match c.organization_id.as_deref() {
            Some(org) if !org.is_empty() => html::link(organization_href(org), org),
            _ => html::text("– (the environment's)"),
        };
        vec![
            html::code(&c.id),
            organization,
            html::text(ConnectionProvider::try_from(c.provider).map_or("–", |p| p.as_str_name())),
            html::text(ConnectionType::try_from(c.r#type).map_or("–", |t| t.as_str_name())),
            html::text(ConnectionStatus::try_from(c.status).map_or("–", |s| s.as_str_name())),
            html::text(if c.enabled { "yes" } else { "no" }),
            html::text(
                c.domains
                    .iter()
                    .map(|d| d.domain.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            html::text(when(c.create_time.as_ref())),
        ]
    });
    let mut body = html::table(
        &[
            "Id",
            "Organization",
            "Provider",
            "Type",
            "Status",
            "Enabled",
            "Domains",
            "Created",
        ],
        rows,
    );
    body.append(paged.pager);
    layout::page("Connections", body)
}

pub(super) async fn directories(
    State(dashboard): State<Arc<Dashboard>>,
    PageNumber(page): PageNumber,
) -> Response {
    let store = dashboard.env.store.lock();
    let all: Vec<_> = store.directories.values().collect();
    let paged = layout::paged(all, page, "/_emulator/dashboard/directories", "page");
    let rows = paged.items.iter().map(|record| {
        let d = &record.directory;
        vec![
            html::code(&d.id),
            html::text(&d.name),
            html::link(organization_href(&d.organization_id), &d.organization_id),
            html::text(DirectoryType::try_from(d.directory_type).map_or("–", |t| t.as_str_name())),
            html::text(
                DirectoryProvider::try_from(d.directory_provider)
                    .map_or("–", |p| p.as_str_name()),
            ),
            html::text(if d.enabled { "yes" } else { "no" }),
            html::text(record.users.len()),
            html::text(record.groups.len()),
        ]
    });
    let mut body: Html = html::table(
        &[
            "Id",
            "Name",
            "Organization",
            "Type",
            "Provider",
            "Enabled",
            "Users",
            "Groups",
        ],
        rows,
    );
    body.append(paged.pager);
    layout::page("Directories", body)
}
