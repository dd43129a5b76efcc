//! The dashboard's frame around the shared page layout: the header of
//! links to every section, the page's heading, its error page and the pager
//! of its lists. The markup itself is built with [`crate::pages::html`].

use std::fmt;

use axum::http::StatusCode;
use axum::response::Response;

use crate::pages::html::{self, Html, Layout};

/// The dashboard's sections, in the order the header lists them.
const SECTIONS: &[(&str, &str)] = &[
    ("/_emulator", "Overview"),
    ("/_emulator/dashboard/organizations", "Organizations"),
    ("/_emulator/dashboard/users", "Users"),
    ("/_emulator/dashboard/roles", "Roles"),
    ("/_emulator/dashboard/connections", "Connections"),
    ("/_emulator/dashboard/directories", "Directories"),
    ("/_emulator/dashboard/sessions", "Sessions"),
    ("/_emulator/dashboard/credentials", "API tokens and clients"),
    ("/_emulator/dashboard/events", "Events"),
    ("/_emulator/dashboard/requests", "Requests"),
    ("/_emulator/dashboard/webhooks", "Webhook deliveries"),
];

/// A whole page: the dashboard's frame around `body`, titled `title`.
pub(super) fn page(title: &str, body: Html) -> Response {
    page_with_status(StatusCode::OK, title, body)
}

/// A whole page answered with `status`.
pub(super) fn page_with_status(status: StatusCode, title: &str, body: Html) -> Response {
    let mut header = Html::new();
    header.tag("<strong>scalekit-emulator</strong>");
    for (href, label) in SECTIONS {
        header.link(href, label);
    }
    let mut content = Html::new();
    content.tag("<h1>").text(title).tag("</h1>").append(body);
    html::page(status, title, Layout::Dashboard(header), content)
}

/// A page that says what went wrong, with `status`.
pub(super) fn error_page(status: StatusCode, message: impl fmt::Display) -> Response {
    let mut body = Html::new();
    body.tag("<p class=\"error\">")
        .text(message)
        .tag("</p><p><a href=\"/_emulator\">Back to the overview</a></p>");
    page_with_status(status, status.canonical_reason().unwrap_or("Error"), body)
}

/// How many records a list shows per page.
pub(super) const PAGE_SIZE: usize = 20;

/// One page of a list: its items and the links to its neighbours.
pub(super) struct Paged<T> {
    pub(super) items: Vec<T>,
    pub(super) pager: Html,
}

/// Cuts page `page` (1-based) out of `all`, with a pager whose links keep
/// `base` (a path, with its query if any) and set `param`.
pub(super) fn paged<T>(all: Vec<T>, page: usize, base: &str, param: &str) -> Paged<T> {
    let total = all.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let start = page.saturating_sub(1).saturating_mul(PAGE_SIZE);
    let items: Vec<T> = all.into_iter().skip(start).take(PAGE_SIZE).collect();
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut pager = Html::new();
    pager.tag("<nav class=\"pager\">");
    if page > 1 {
        pager.link(
            format_args!("{base}{separator}{param}={}", (page - 1).min(pages)),
            "‹ previous",
        );
    }
    pager
        .tag("<span>")
        .text(format_args!("page {page} of {pages} ({total} in all)"))
        .tag("</span>");
    if page < pages {
        pager.link(
            format_args!("{base}{separator}{param}={}", page + 1),
            "next ›",
        );
    }
    pager.tag("</nav>");
    Paged { items, pager }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cut_the_list_and_link_only_to_pages_that_exist() {
        let all: Vec<usize> = (0..45).collect();
        let first = paged(all.clone(), 1, "/x", "page");
        assert_eq!(first.items, (0..20).collect::<Vec<_>>());
        let pager = first.pager.into_string();
        assert!(pager.contains("href=\"/x?page=2\"") && !pager.contains("previous"));
        let last = paged(all.clone(), 3, "/x?a=1", "page");
        assert_eq!(last.items, (40..45).collect::<Vec<_>>());
        let pager = last.pager.into_string();
        assert!(pager.contains("href=\"/x?a=1&amp;page=2\"") && !pager.contains("next"));
        let beyond = paged(all, 9, "/x", "page");
        assert!(beyond.items.is_empty());
        assert!(beyond.pager.into_string().contains("page=3"));
    }
}
