//! Registered redirect URIs: where `/oauth/authorize` may send a browser
//! back to, and the page it shows instead when a `redirect_uri` is not one
//! of them.
//!
//! The service refuses an unregistered redirect URI without redirecting to
//! it (a redirect there would hand an attacker the code), so a refusal here
//! is a page of its own, never a redirect. With nothing registered, the
//! emulator accepts loopback URIs (`http://localhost:…`, `http://127.0.0.1:…`,
//! `http://[::1]:…`, any port and path), which is what a local app and the
//! existing tests use; once any URI is registered, only the registered ones
//! are accepted.

use axum::http::StatusCode;
use axum::response::Response;
use url::{Host, Url};

use crate::pages::html::{self, Html, Layout};

/// The redirect URIs an environment accepts.
#[derive(Clone, Debug, Default)]
pub(crate) struct RedirectUris {
    registered: Vec<Url>,
}

/// A registered redirect URI that is not an absolute URL.
#[derive(Debug)]
pub(crate) struct NotAUrl {
    pub(crate) uri: String,
    pub(crate) source: url::ParseError,
}

impl RedirectUris {
    /// The URIs `uris` lists, each an absolute URL.
    pub(crate) fn new<'a>(uris: impl IntoIterator<Item = &'a str>) -> Result<Self, NotAUrl> {
        let registered = uris
            .into_iter()
            .map(|uri| {
                Url::parse(uri).map_err(|source| NotAUrl {
                    uri: uri.to_string(),
                    source,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(RedirectUris { registered })
    }

    /// Whether a browser may be sent back to `uri`: one of the registered
    /// URIs (compared as parsed URLs, so `HTTP://App.example` matches
    /// `http://app.example/`), or a loopback URI while none is registered.
    pub(crate) fn allows(&self, uri: &Url) -> bool {
        if self.registered.is_empty() {
            return is_loopback(uri);
        }
        self.registered.iter().any(|registered| registered == uri)
    }

    /// The registered URIs, in the order given.
    pub(crate) fn registered(&self) -> impl Iterator<Item = &str> {
        self.registered.iter().map(Url::as_str)
    }
}

/// An `http` or `https` URL on this machine's loopback interface.
fn is_loopback(uri: &Url) -> bool {
    if !matches!(uri.scheme(), "http" | "https") {
        return false;
    }
    match uri.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The page `/oauth/authorize` answers (400, `text/html`) for a
/// `redirect_uri` it may not redirect to: which URI, what is registered,
/// and the three ways to register it.
pub(crate) fn refused_page(uri: &str, allowed: &RedirectUris) -> Response {
    let mut body = Html::new();
    body.tag("<p>The redirect URI ").code(uri).tag(
        " is not registered for this environment, so scalekit-emulator does not \
             redirect there (as Scalekit refuses it).</p>",
    );
    let mut registered = allowed.registered().peekable();
    if registered.peek().is_none() {
        body.tag(
            "<p>None is registered, so only loopback URIs (<code>http://localhost:PORT/…</code>, \
             <code>http://127.0.0.1:PORT/…</code>) are accepted.</p>",
        );
    } else {
        body.tag("<p>The registered redirect URIs are:</p><ul>");
        for registered in registered {
            body.tag("<li>").code(registered).tag("</li>");
        }
        body.tag("</ul>");
    }
    body.tag("<p>Register it in one of these ways:</p><ul><li>Rust: ")
        .code(format_args!(
            "Emulator::builder().redirect_uris([\"{uri}\"])"
        ))
        .tag("</li><li>command line: ")
        .code(format_args!("scalekit-emulator --redirect-uri {uri}"))
        .tag("</li><li>fixtures: ")
        .code(format_args!("{{\"redirect_uris\": [\"{uri}\"]}}"))
        .tag(" in the <code>--seed</code> file</li></ul>");
    html::page(
        StatusCode::BAD_REQUEST,
        "Redirect URI not registered",
        Layout::SignIn,
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a URL")
    }

    #[test]
    fn loopback_uris_are_allowed_only_while_none_is_registered() {
        let none = RedirectUris::default();
        for (uri, allowed) in [
            ("http://localhost:3000/callback", true),
            ("http://LOCALHOST/cb", true),
            ("http://127.0.0.1:8080/cb", true),
            ("http://[::1]:8080/cb", true),
            ("https://localhost:8443/cb", true),
            ("https://evil.example/cb", false),
            ("http://localhost.evil.example/cb", false),
            ("http://10.0.0.1/cb", false),
            ("myapp://callback", false),
        ] {
            assert_eq!(none.allows(&url(uri)), allowed, "{uri}");
        }

        let some = RedirectUris::new(["https://app.example/callback"]).expect("valid");
        for (uri, allowed) in [
            ("https://app.example/callback", true),
            ("HTTPS://APP.example/callback", true),
            ("https://app.example/callback?x=1", false),
            ("https://app.example/callback/", false),
            ("http://localhost:3000/callback", false),
        ] {
            assert_eq!(some.allows(&url(uri)), allowed, "{uri}");
        }
    }

    #[test]
    fn a_registered_uri_must_be_an_absolute_url() {
        let err = RedirectUris::new(["/callback"]).expect_err("relative");
        assert_eq!(err.uri, "/callback");
    }
}
