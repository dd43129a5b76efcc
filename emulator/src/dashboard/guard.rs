//! Who may use the dashboard: every request must name the emulator's own
//! address in its `Host` (so a page on another site cannot reach it by
//! pointing a domain of its own at the emulator's address, the DNS
//! rebinding attack), and every POST must come from the dashboard itself
//! (`Sec-Fetch-Site`, `Origin` and the form's CSRF token). When the
//! emulator listens on an address other than loopback, the dashboard also
//! takes the environment's client credentials as HTTP Basic auth.
//!
//! Every answer carries the pages' security headers
//! ([`html::add_security_headers`]): a content security policy that allows
//! no script at all, and no framing by another site.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::layout::error_page;
use super::Dashboard;
use crate::pages::html::{self, FormTargets};

/// The largest form body the dashboard reads.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The name of the form field that carries the CSRF token.
pub(super) const CSRF_FIELD: &str = "csrf_token";

/// Checks a request to the dashboard before its page sees it, and adds the
/// security headers to the answer.
pub(super) async fn check(
    State(dashboard): State<Arc<Dashboard>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = match admit(&dashboard, request).await {
        Ok(request) => next.run(request).await,
        Err(refusal) => refusal,
    };
    html::add_security_headers(response.headers_mut(), FormTargets::OwnOrigin);
    response
}

/// The request, if it may reach its page (a POST's body read and put back),
/// or the answer that refuses it.
async fn admit(dashboard: &Dashboard, request: Request) -> Result<Request, Response> {
    let host = html::request_host(request.headers(), request.uri()).unwrap_or_default();
    if !dashboard
        .bound
        .is_some_and(|bound| host_is_own(&host, bound))
    {
        return Err(error_page(
            StatusCode::MISDIRECTED_REQUEST,
            "This dashboard answers only requests addressed to the emulator's own address \
             (the Host header names another).",
        ));
    }
    if dashboard.bound.is_some_and(needs_credentials)
        && !crate::testing::authorized(&dashboard.env, request.headers())
    {
        return Err(credentials_required());
    }
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return Ok(request);
    }
    if !html::from_own_origin(request.headers(), &host) {
        return Err(error_page(
            StatusCode::FORBIDDEN,
            "This form was sent from another site; the dashboard takes forms only from its own pages.",
        ));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| error_page(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large."))?;
    let token = url::form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if !dashboard.csrf_matches(&token) {
        return Err(error_page(
            StatusCode::FORBIDDEN,
            "The form's CSRF token is missing or stale: reload the page and send it again.",
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Whether `host` (`name:port`) names the emulator listening on `bound`:
/// the same port, and either an IP address it listens on or `localhost`
/// when it listens on loopback. A name other than `localhost` is refused
/// even if it resolves to the emulator: that is what a rebinding attacker's
/// domain looks like.
pub(super) fn host_is_own(host: &str, bound: SocketAddr) -> bool {
    let Ok(url) = url::Url::parse(&format!("http://{host}/")) else {
        return false;
    };
    let only_an_authority = url.path() == "/"
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !only_an_authority || url.port_or_known_default() != Some(bound.port()) {
        return false;
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(url::Host::Domain(name)) => {
            return name.eq_ignore_ascii_case("localhost")
                && (bound.ip().is_loopback() || bound.ip().is_unspecified());
        }
        None => return false,
    };
    ip == bound.ip() || bound.ip().is_unspecified()
}

/// Whether the dashboard asks for the client credentials: when the emulator
/// listens on more than loopback, other machines can reach it.
pub(super) fn needs_credentials(bound: SocketAddr) -> bool {
    !bound.ip().is_loopback()
}

fn credentials_required() -> Response {
    let mut response = error_page(
        StatusCode::UNAUTHORIZED,
        "The emulator listens beyond loopback, so its dashboard asks for the environment's \
         client id and secret (as user name and password).",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"scalekit-emulator dashboard\""),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_own_only_by_address_or_localhost_and_port() {
        let loopback: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:4000".parse().unwrap();
        let lan: SocketAddr = "192.168.1.5:4000".parse().unwrap();
        let v6: SocketAddr = "[::1]:4000".parse().unwrap();
        let cases = [
            ("127.0.0.1:4000", loopback, true),
            ("localhost:4000", loopback, true),
            ("LOCALHOST:4000", loopback, true),
            ("127.0.0.1:4001", loopback, false),
            ("127.0.0.1", loopback, false),
            ("127.0.0.2:4000", loopback, false),
            ("evil.example:4000", loopback, false),
            ("localhost.evil.example:4000", loopback, false),
            ("127.0.0.1:4000/x", loopback, false),
            ("user@127.0.0.1:4000", loopback, false),
            ("127.0.0.1:4000?x", loopback, false),
            ("", loopback, false),
            ("10.0.0.7:4000", any, true),
            ("localhost:4000", any, true),
            ("rebind.example:4000", any, false),
            ("192.168.1.5:4000", lan, true),
            ("localhost:4000", lan, false),
            ("127.0.0.1:4000", lan, false),
            ("[::1]:4000", v6, true),
            ("localhost:4000", v6, true),
        ];
        for (host, bound, own) in cases {
            assert_eq!(host_is_own(host, bound), own, "{host} on {bound}");
        }
    }

    #[test]
    fn credentials_are_needed_beyond_loopback_only() {
        for (addr, needed) in [
            ("127.0.0.1:1", false),
            ("[::1]:1", false),
            ("0.0.0.0:1", true),
            ("[::]:1", true),
            ("192.168.1.5:1", true),
        ] {
            let addr: SocketAddr = addr.parse().unwrap();
            assert_eq!(needs_credentials(addr), needed, "{addr}");
        }
    }
}
