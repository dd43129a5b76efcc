//! What every HTML page of the emulator shares: escaping, one layout with
//! an inline stylesheet, the headers that keep the pages out of frames and
//! caches, and the check that refuses form posts from other sites.
//!
//! Every value that did not come from this crate's own string literals goes
//! through [`Escaped`] before it is put into a page: names, emails, ids,
//! error messages.

use std::fmt;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Displays its text with the five characters that are special in HTML text
/// and in quoted attribute values replaced by character references, for
/// `format!` without an intermediate `String`:
/// `format!("<td>{}</td>", Escaped(&user.email))`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// A hidden form field.
pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        r#"<input type="hidden" name="{}" value="{}">"#,
        Escaped(name),
        Escaped(value)
    )
}

/// The stylesheet of every page: readable without being a design.
const STYLE: &str = "\
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;background:#fafafa}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}\
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}\
.note{color:#555;font-size:.9rem}.error{border-color:#d33;background:#fff5f5}\
label{display:block;margin:.5rem 0 .2rem}input[type=email],input[type=text]{width:100%;padding:.4rem;box-sizing:border-box}\
button{padding:.4rem .9rem;margin:.5rem .5rem 0 0;cursor:pointer}\
ul.users{list-style:none;padding:0}ul.users li{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #eee;padding:.3rem 0}\
code,.secret{font-family:ui-monospace,monospace;background:#f0f0f0;padding:.1rem .3rem;border-radius:4px}\
.banner{font-size:.8rem;color:#fff;background:#6a4ca5;padding:.3rem .6rem;border-radius:4px;display:inline-block}";

/// A whole page: `title` is escaped here; `body` is HTML the caller built
/// from escaped values.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · scalekit-emulator</title><style>{STYLE}</style></head>\
         <body><span class=\"banner\">scalekit-emulator</span>\n{body}\n</body></html>\n",
        title = Escaped(title),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        // Pages carry one-time form tokens and the codes of passwordless
        // sign-ins: never kept by a cache.
        (header::CACHE_CONTROL, "no-store"),
        // No scripts, no frames, no outside resources; inline styles only.
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // The page's own URL carries the authorization request's `state`
        // and the pending sign-in: no other site is told it.
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A page that says what went wrong, for a person at a browser.
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><div class=\"card error\"><p>{}</p></div>",
        Escaped(title),
        Escaped(message)
    );
    page(status, title, &body)
}

/// Whether a form POST was sent by a page of another site: the browser says
/// so in `Sec-Fetch-Site`, or in an `Origin` whose host is not the one the
/// request was sent to. Clients that send neither (tests, curl) are not
/// browsers being steered by another site; the form's token still applies.
pub(crate) fn is_cross_site(headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return !matches!(site, "same-origin" | "none");
    }
    match text(header::ORIGIN) {
        None => false,
        Some(origin) => {
            let origin_host = url::Url::parse(origin).ok().and_then(|u| {
                let host = u.host_str()?.trim_matches(['[', ']']).to_string();
                Some((host, u.port_or_known_default()))
            });
            let host = text(header::HOST);
            match (origin_host, host) {
                (Some((origin_host, origin_port)), Some(host)) => {
                    let (host_name, host_port) = split_host(host);
                    !(origin_host.eq_ignore_ascii_case(host_name)
                        && origin_port == host_port.or(Some(80)))
                }
                _ => true,
            }
        }
    }
}

/// `host[:port]` (an IPv6 host in brackets) into its host and port.
fn split_host(host: &str) -> (&str, Option<u16>) {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => (name, port.parse().ok()),
        _ => (host, None),
    };
    (name.trim_start_matches('[').trim_end_matches(']'), port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_replaces_every_special_character() {
        let escape = |text: &str| Escaped(text).to_string();
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn hidden_escapes_its_value() {
        assert_eq!(
            hidden("state", "a\"><b>"),
            r#"<input type="hidden" name="state" value="a&quot;&gt;&lt;b&gt;">"#
        );
    }

    #[test]
    fn is_cross_site_follows_fetch_metadata_then_origin() {
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[], false),
            (&[("sec-fetch-site", "same-origin")], false),
            (&[("sec-fetch-site", "none")], false),
            (&[("sec-fetch-site", "cross-site")], true),
            (&[("sec-fetch-site", "same-site")], true),
            (
                &[
                    ("origin", "http://127.0.0.1:4000"),
                    ("host", "127.0.0.1:4000"),
                ],
                false,
            ),
            (
                &[("origin", "http://localhost"), ("host", "localhost")],
                false,
            ),
            (
                &[("origin", "http://[::1]:4000"), ("host", "[::1]:4000")],
                false,
            ),
            (
                &[
                    ("origin", "http://127.0.0.1:3000"),
                    ("host", "127.0.0.1:4000"),
                ],
                true,
            ),
            (
                &[
                    ("origin", "https://evil.example"),
                    ("host", "127.0.0.1:4000"),
                ],
                true,
            ),
            (&[("origin", "null"), ("host", "127.0.0.1:4000")], true),
        ];
        for (headers, cross) in cases {
            let mut map = HeaderMap::new();
            for (name, value) in *headers {
                map.insert(
                    header::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            assert_eq!(is_cross_site(&map), *cross, "{headers:?}");
        }
    }
}
