//! Building the dashboard's pages: markup that escapes every value it is
//! handed, the layout around each page, tables and the pager.
//!
//! [`Html`] takes markup only as `&'static str` (written in this crate)
//! and everything else through [`Html::text`], which escapes it: a value
//! from the store (an organization named `<script>…`) cannot become markup,
//! whichever page shows it.

use std::fmt::{self, Write as _};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Where the stylesheet is served (a file of its own, so the pages' content
/// security policy can forbid inline styles as well as scripts).
pub(super) const STYLESHEET_PATH: &str = "/_emulator/dashboard/style.css";

/// The stylesheet: small, and enough to read tables.
pub(super) const STYLESHEET: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}\
header{background:#1f2937;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;flex-wrap:wrap;align-items:baseline}\
header a{color:#d1d5db;text-decoration:none}header a:hover{color:#fff}\
main{padding:1rem 1.2rem;max-width:80rem}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}\
table{border-collapse:collapse;width:100%;background:#fff;margin:.4rem 0}\
th,td{border:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f3f4f6;font-weight:600}\
code{font-size:.9em}\
form{background:#fff;border:1px solid #e5e7eb;padding:.6rem;margin:.6rem 0;display:flex;gap:.6rem;flex-wrap:wrap;align-items:end}\
form.inline{border:0;padding:0;margin:0;background:none}\
label{display:flex;flex-direction:column;font-size:.85rem}\
input,select,button{font:inherit;padding:.2rem .4rem}\
.note{color:#6b7280}.error{color:#b91c1c}\
nav.pager{margin:.4rem 0;display:flex;gap:1rem}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}\
";

/// Markup under construction.
#[derive(Debug, Default)]
pub(super) struct Html(String);

impl Html {
    pub(super) fn new() -> Self {
        Html::default()
    }

    /// Appends markup written in this crate.
    pub(super) fn tag(&mut self, markup: &'static str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Appends `value` as text, escaped.
    pub(super) fn text(&mut self, value: impl fmt::Display) -> &mut Self {
        // Writing to a String cannot fail.
        let _ = write!(Escaping(&mut self.0), "{value}");
        self
    }

    /// Appends a link to `href` reading `label`, both escaped.
    pub(super) fn link(&mut self, href: impl fmt::Display, label: impl fmt::Display) -> &mut Self {
        self.tag("<a href=\"")
            .text(href)
            .tag("\">")
            .text(label)
            .tag("</a>")
    }

    /// Appends `value` escaped, in `<code>`.
    pub(super) fn code(&mut self, value: impl fmt::Display) -> &mut Self {
        self.tag("<code>").text(value).tag("</code>")
    }

    /// Appends markup built elsewhere.
    pub(super) fn append(&mut self, other: Html) -> &mut Self {
        self.0.push_str(&other.0);
        self
    }

    /// One hidden form field carrying the dashboard's CSRF token.
    pub(super) fn csrf_field(&mut self, token: &str) -> &mut Self {
        self.tag("<input type=\"hidden\" name=\"csrf_token\" value=\"")
            .text(token)
            .tag("\">")
    }

    pub(super) fn into_string(self) -> String {
        self.0
    }
}

/// A cell of escaped text.
pub(super) fn text(value: impl fmt::Display) -> Html {
    let mut html = Html::new();
    html.text(value);
    html
}

/// A cell holding one link.
pub(super) fn link(href: impl fmt::Display, label: impl fmt::Display) -> Html {
    let mut html = Html::new();
    html.link(href, label);
    html
}

/// A cell of escaped text in `<code>`.
pub(super) fn code(value: impl fmt::Display) -> Html {
    let mut html = Html::new();
    html.code(value);
    html
}

/// A cell of several links, comma-separated.
pub(super) fn links<H, L>(items: impl IntoIterator<Item = (H, L)>) -> Html
where
    H: fmt::Display,
    L: fmt::Display,
{
    let mut html = Html::new();
    for (i, (href, label)) in items.into_iter().enumerate() {
        if i > 0 {
            html.tag(", ");
        }
        html.link(href, label);
    }
    html
}

/// A table with `headers`, one row per item (or a note when there is none).
pub(super) fn table(headers: &[&'static str], rows: impl IntoIterator<Item = Vec<Html>>) -> Html {
    let mut body = Html::new();
    let mut any = false;
    for row in rows {
        any = true;
        body.tag("<tr>");
        for cell in row {
            body.tag("<td>").append(cell).tag("</td>");
        }
        body.tag("</tr>");
    }
    let mut html = Html::new();
    if !any {
        html.tag("<p class=\"note\">None.</p>");
        return html;
    }
    html.tag("<table><thead><tr>");
    for header in headers {
        html.tag("<th>").tag(header).tag("</th>");
    }
    html.tag("</tr></thead><tbody>")
        .append(body)
        .tag("</tbody></table>");
    html
}

/// Fields of one record, as a definition list of (label, value) pairs.
pub(super) fn fields(pairs: impl IntoIterator<Item = (&'static str, Html)>) -> Html {
    let mut html = Html::new();
    html.tag("<dl>");
    for (label, value) in pairs {
        html.tag("<dt>")
            .tag(label)
            .tag("</dt><dd>")
            .append(value)
            .tag("</dd>");
    }
    html.tag("</dl>");
    html
}

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

/// A whole page: the layout around `body`, titled `title`.
pub(super) fn page(title: &str, body: Html) -> Response {
    page_with_status(StatusCode::OK, title, body)
}

/// A whole page answered with `status`.
pub(super) fn page_with_status(status: StatusCode, title: &str, body: Html) -> Response {
    let mut html = Html::new();
    html.tag("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .tag("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .tag("<title>")
        .text(title)
        .tag(" · scalekit-emulator</title><link rel=\"stylesheet\" href=\"")
        .tag(STYLESHEET_PATH)
        .tag("\"></head><body><header><strong>scalekit-emulator</strong>");
    for (href, label) in SECTIONS {
        html.link(href, label);
    }
    html.tag("</header><main><h1>")
        .text(title)
        .tag("</h1>")
        .append(body)
        .tag("</main></body></html>");
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html.into_string(),
    )
        .into_response()
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

/// Writes into a String, escaping what HTML would read as markup.
struct Escaping<'a>(&'a mut String);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&#39;"),
                c => self.0.push(c),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_links_escape_markup_and_quotes() {
        let mut html = Html::new();
        html.text("<script>alert('x')</script> & \"q\"")
            .link("/a?b=\"c\"&d", "<b>");
        assert_eq!(
            html.into_string(),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;\
             <a href=\"/a?b=&quot;c&quot;&amp;d\">&lt;b&gt;</a>"
        );
    }

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
