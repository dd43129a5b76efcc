//! What every HTML page of the emulator shares, the sign-in pages' and the
//! dashboard's: markup that escapes every value it is handed, one
//! stylesheet, the page layout, the security headers, and the check that
//! refuses form posts from other sites.
//!
//! [`Html`] takes markup only as `&'static str` (written in this crate) and
//! everything else through [`Html::text`], which escapes it: a value from
//! the store or a request (an organization named `<script>…`, an email, an
//! error message) cannot become markup, whichever page shows it.

use std::fmt::{self, Write as _};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// Markup under construction.
#[derive(Debug, Default)]
pub(crate) struct Html(String);

impl Html {
    pub(crate) fn new() -> Self {
        Html::default()
    }

    /// Appends markup written in this crate.
    pub(crate) fn tag(&mut self, markup: &'static str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Appends `value` as text, escaped.
    pub(crate) fn text(&mut self, value: impl fmt::Display) -> &mut Self {
        // Writing to a String cannot fail.
        let _ = write!(Escaping(&mut self.0), "{value}");
        self
    }

    /// Appends a link to `href` reading `label`, both escaped.
    pub(crate) fn link(&mut self, href: impl fmt::Display, label: impl fmt::Display) -> &mut Self {
        self.tag("<a href=\"")
            .text(href)
            .tag("\">")
            .text(label)
            .tag("</a>")
    }

    /// Appends `value` escaped, in `<code>`.
    pub(crate) fn code(&mut self, value: impl fmt::Display) -> &mut Self {
        self.tag("<code>").text(value).tag("</code>")
    }

    /// Appends a hidden form field; its value is escaped.
    pub(crate) fn hidden(&mut self, name: &'static str, value: impl fmt::Display) -> &mut Self {
        self.tag("<input type=\"hidden\" name=\"")
            .tag(name)
            .tag("\" value=\"")
            .text(value)
            .tag("\">")
    }

    /// Appends markup built elsewhere.
    pub(crate) fn append(&mut self, other: Html) -> &mut Self {
        self.0.push_str(&other.0);
        self
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

/// Writes into a String, escaping the five characters that are special in
/// HTML text and in quoted attribute values.
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

/// A cell of escaped text.
pub(crate) fn text(value: impl fmt::Display) -> Html {
    let mut html = Html::new();
    html.text(value);
    html
}

/// A cell holding one link.
pub(crate) fn link(href: impl fmt::Display, label: impl fmt::Display) -> Html {
    let mut html = Html::new();
    html.link(href, label);
    html
}

/// A cell of escaped text in `<code>`.
pub(crate) fn code(value: impl fmt::Display) -> Html {
    let mut html = Html::new();
    html.code(value);
    html
}

/// A cell of several links, comma-separated.
pub(crate) fn links<H, L>(items: impl IntoIterator<Item = (H, L)>) -> Html
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
pub(crate) fn table(headers: &[&'static str], rows: impl IntoIterator<Item = Vec<Html>>) -> Html {
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
pub(crate) fn fields(pairs: impl IntoIterator<Item = (&'static str, Html)>) -> Html {
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

/// Where the stylesheet is served: a file of its own, so that the pages'
/// content security policy can forbid inline styles as well as scripts. It
/// is outside the dashboard's guard, as the sign-in pages use it too.
pub(crate) const STYLESHEET_PATH: &str = "/_emulator/style.css";

/// The stylesheet of every page: readable without being a design. The
/// sign-in pages (`body.signin`) are a narrow column of cards, as a hosted
/// login page is; the dashboard's (`body.dashboard`) are wide, for tables.
const STYLESHEET: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}\
code{font-family:ui-monospace,monospace;font-size:.9em}\
.note{color:#6b7280}p.error{color:#b91c1c}\
input,select,button{font:inherit;padding:.2rem .4rem}\
body>header{background:#1f2937;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;flex-wrap:wrap;align-items:baseline}\
header a{color:#d1d5db;text-decoration:none}header a:hover{color:#fff}\
.dashboard main{padding:1rem 1.2rem;max-width:80rem}\
table{border-collapse:collapse;width:100%;background:#fff;margin:.4rem 0}\
th,td{border:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f3f4f6;font-weight:600}\
.dashboard form{background:#fff;border:1px solid #e5e7eb;padding:.6rem;margin:.6rem 0;display:flex;gap:.6rem;flex-wrap:wrap;align-items:end}\
.dashboard form.inline{border:0;padding:0;margin:0;background:none}\
.dashboard label{display:flex;flex-direction:column;font-size:.85rem}\
nav.pager{margin:.4rem 0;display:flex;gap:1rem}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}\
.signin{max-width:40rem;margin:2rem auto;padding:0 1rem}\
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}\
.card.error{border-color:#d33;background:#fff5f5}\
.signin label{display:block;margin:.5rem 0 .2rem}\
.signin input[type=email],.signin input[type=text]{width:100%;padding:.4rem;box-sizing:border-box}\
.signin button{padding:.4rem .9rem;margin:.5rem .5rem 0 0;cursor:pointer}\
ul.users{list-style:none;padding:0}ul.users li{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #eee;padding:.3rem 0}\
.signin code,.secret{font-family:ui-monospace,monospace;background:#f0f0f0;padding:.1rem .3rem;border-radius:4px}\
.banner{font-size:.8rem;color:#fff;background:#6a4ca5;padding:.3rem .6rem;border-radius:4px;display:inline-block}";

/// `GET` [`STYLESHEET_PATH`].
pub(crate) async fn stylesheet() -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response();
    add_security_headers(response.headers_mut(), FormTargets::OwnOrigin);
    response
}

/// Where the forms of a page may be sent, for its content security policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FormTargets {
    /// The emulator only (`form-action 'self'`): the dashboard's forms.
    OwnOrigin,
    /// The emulator, whose answer then redirects to the application: the
    /// sign-in forms end in a redirect to the request's redirect URI, and
    /// browsers apply `form-action` to the redirects after a form post too,
    /// so these pages leave it out.
    ThenRedirect,
}

/// Adds the headers every page carries: no script, no plugin, no framing,
/// nothing cached (pages carry one-time form tokens and passwordless
/// codes), no sniffing, and no referrer to other sites (the sign-in page's
/// URL carries the request's `state`). `same-origin` rather than
/// `no-referrer`: with `no-referrer` a browser sends `Origin: null` with the
/// pages' own forms, which [`from_own_origin`] refuses.
pub(crate) fn add_security_headers(headers: &mut HeaderMap, forms: FormTargets) {
    let policy = match forms {
        FormTargets::OwnOrigin => {
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'"
        }
        FormTargets::ThenRedirect => {
            "default-src 'none'; style-src 'self'; img-src 'self'; \
             frame-ancestors 'none'; base-uri 'none'"
        }
    };
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// The frame around a page's content.
pub(crate) enum Layout {
    /// A narrow column under the emulator's banner, for a person signing in
    /// to an application; its forms end in redirects to the application.
    SignIn,
    /// A wide page under a header of links (markup built by the caller);
    /// its forms stay on the emulator.
    Dashboard(Html),
}

/// A whole page answered with `status`: `title` is escaped here; `content`
/// is markup built with [`Html`].
pub(crate) fn page(status: StatusCode, title: &str, layout: Layout, content: Html) -> Response {
    let mut html = Html::new();
    html.tag("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .tag("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .tag("<title>")
        .text(title)
        .tag(" · scalekit-emulator</title><link rel=\"stylesheet\" href=\"")
        .tag(STYLESHEET_PATH)
        .tag("\"></head>");
    let forms = match layout {
        Layout::SignIn => {
            html.tag("<body class=\"signin\"><span class=\"banner\">scalekit-emulator</span>");
            FormTargets::ThenRedirect
        }
        Layout::Dashboard(header) => {
            html.tag("<body class=\"dashboard\"><header>")
                .append(header)
                .tag("</header>");
            FormTargets::OwnOrigin
        }
    };
    html.tag("<main>")
        .append(content)
        .tag("</main></body></html>\n");
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html.into_string(),
    )
        .into_response();
    add_security_headers(response.headers_mut(), forms);
    response
}

/// Whether a request's form post comes from a page of the emulator itself
/// (see [`from_own_origin`]), for handlers that read the form themselves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FromOwnOrigin(pub(crate) bool);

impl<S: Send + Sync> FromRequestParts<S> for FromOwnOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let host = request_host(&parts.headers, &parts.uri).unwrap_or_default();
        Ok(FromOwnOrigin(from_own_origin(&parts.headers, &host)))
    }
}

/// The authority a request is addressed to: the `Host` header (HTTP/1.1)
/// or the URI's authority (HTTP/2).
pub(crate) fn request_host(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.authority().map(|a| a.to_string()))
}

/// Whether a form post comes from a page of the emulator itself, addressed
/// to `host` (the request's `Host`): the browser's `Sec-Fetch-Site`, when
/// sent, says `same-origin`, and its `Origin`, when sent, names `host`.
/// Clients that send neither (tests, curl) are not browsers being steered
/// by another site; the form's token still applies.
pub(crate) fn from_own_origin(headers: &HeaderMap, host: &str) -> bool {
    let fetch_site_ok = headers
        .get(HeaderName::from_static("sec-fetch-site"))
        .is_none_or(|v| v.as_bytes() == b"same-origin");
    let origin_ok = headers
        .get(header::ORIGIN)
        .is_none_or(|v| v.to_str().is_ok_and(|origin| origin_names(origin, host)));
    fetch_site_ok && origin_ok
}

/// Whether the origin `http://name[:port]` is the authority `host`
/// (`name[:port]`), names compared without case and ports with their
/// defaults.
fn origin_names(origin: &str, host: &str) -> bool {
    let authority = |url: &str| {
        let url = url::Url::parse(url).ok()?;
        let name = url.host_str()?.to_ascii_lowercase();
        Some((name, url.port_or_known_default()))
    };
    let origin = authority(origin).filter(|_| origin.starts_with("http://"));
    origin.is_some() && origin == authority(&format!("http://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_links_escape_markup_and_quotes() {
        let mut html = Html::new();
        html.text("<script>alert('x')</script> & \"q\"")
            .link("/a?b=\"c\"&d", "<b>")
            .text("plain ünïcode")
            .hidden("state", "a\"><b>");
        assert_eq!(
            html.into_string(),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;\
             <a href=\"/a?b=&quot;c&quot;&amp;d\">&lt;b&gt;</a>plain ünïcode\
             <input type=\"hidden\" name=\"state\" value=\"a&quot;&gt;&lt;b&gt;\">"
        );
    }

    #[test]
    fn layouts_differ_only_in_where_forms_may_lead() {
        for (layout, form_action) in [
            (Layout::SignIn, false),
            (Layout::Dashboard(Html::new()), true),
        ] {
            let response = page(StatusCode::OK, "T", layout, Html::new());
            let headers = response.headers();
            let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(policy.starts_with("default-src 'none'; style-src 'self';"));
            assert_eq!(policy.contains("form-action 'self'"), form_action);
            assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
            assert_eq!(headers[header::CACHE_CONTROL], "no-store");
            assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        }
    }

    #[test]
    fn forms_from_other_sites_are_refused() {
        /// The headers sent, the host addressed, whether it is accepted.
        type Case = (&'static [(&'static str, &'static str)], &'static str, bool);
        let host = "127.0.0.1:4000";
        let cases: &[Case] = &[
            (&[], host, true),
            (&[("sec-fetch-site", "same-origin")], host, true),
            (&[("origin", "http://127.0.0.1:4000")], host, true),
            (&[("origin", "http://LOCALHOST")], "localhost", true),
            (&[("origin", "http://localhost")], "localhost:80", true),
            (&[("origin", "http://[::1]:4000")], "[::1]:4000", true),
            (&[("sec-fetch-site", "none")], host, false),
            (&[("sec-fetch-site", "cross-site")], host, false),
            (&[("sec-fetch-site", "same-site")], host, false),
            (&[("origin", "http://127.0.0.1:3000")], host, false),
            (&[("origin", "https://127.0.0.1:4000")], host, false),
            (&[("origin", "http://evil.example")], host, false),
            (&[("origin", "null")], host, false),
            (&[("origin", "http://127.0.0.1:4000")], "", false),
            (
                &[
                    ("sec-fetch-site", "same-origin"),
                    ("origin", "http://localhost:4000"),
                ],
                host,
                false,
            ),
        ];
        for (headers, host, own) in cases {
            let mut map = HeaderMap::new();
            for (name, value) in *headers {
                map.insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            assert_eq!(from_own_origin(&map, host), *own, "{headers:?} to {host}");
        }
    }
}
