//! The connection side of client construction: checking the environment
//! URL, and the gRPC endpoint (TLS, keepalive) that calls go through.

use std::net::IpAddr;
use std::time::Duration;

use tonic::transport::Endpoint;
use url::Url;

use crate::error::{Error, Result};
use crate::transport::tls;

/// Parses and checks the environment URL. The result ends in `/` so that
/// `join("oauth/token")` appends rather than replaces a path segment.
pub(super) fn parse_env_url(raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Error::Config("environment URL is empty".into()));
    }
    let mut url =
        Url::parse(raw).map_err(|e| Error::Config(format!("environment URL is invalid: {e}")))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::Config("environment URL has no host".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(
            "environment URL must not have a query or fragment".into(),
        ));
    }
    match url.scheme() {
        "https" if !tls::TLS_ENABLED => {
            return Err(Error::Config(
                "https:// needs TLS: enable the `tls-ring` feature".into(),
            ))
        }
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::Config(format!(
                "refusing plain http:// to {}: only loopback hosts may use it unless allow_insecure_http(true) is set",
                url.host_str().unwrap_or_default()
            )))
        }
        other => {
            return Err(Error::Config(format!(
                "environment URL scheme must be https or http, not {other}"
            )))
        }
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// HTTP/2 keepalive of the gRPC connection.
#[derive(Clone, Copy, Debug)]
pub(super) struct Keepalive {
    /// How often to send a PING, also while no call is open.
    pub(super) interval: Duration,
    /// How long to wait for the PING's answer before dropping the
    /// connection (the next call then reconnects).
    pub(super) timeout: Duration,
}

/// A PING every 60 s with 20 s to answer, as the official SDKs do. Load
/// balancers and NATs forget connections that stay silent, and a connection
/// lost that way is otherwise only noticed when a call times out on it;
/// with these values a dead connection is dropped within 80 s of going quiet.
pub(super) const KEEPALIVE: Keepalive = Keepalive {
    interval: Duration::from_secs(60),
    timeout: Duration::from_secs(20),
};

/// The gRPC endpoint for an environment; connected on the first call.
///
/// The official SDKs also close a connection after 4 idle minutes, before
/// Scalekit does. tonic's `Endpoint` (0.14) has no such setting: a
/// `Channel` is one connection, not a pool. The keepalive PINGs keep it
/// from looking dead to the network, and when the server closes it anyway
/// (GOAWAY or a reset), the next call reconnects.
pub(super) fn grpc_endpoint(
    env_url: &Url,
    connect_timeout: Duration,
    keepalive: Keepalive,
) -> Result<Endpoint> {
    // gRPC goes to the origin; a path on the environment URL would otherwise
    // be prefixed to every method path.
    let origin = env_url.origin().ascii_serialization();
    let endpoint = Endpoint::from_shared(origin)
        .map_err(|e| Error::Config(format!("environment URL is not a valid gRPC endpoint: {e}")))?
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true)
        .http2_keep_alive_interval(keepalive.interval)
        .keep_alive_timeout(keepalive.timeout)
        .keep_alive_while_idle(true);
    #[cfg(feature = "tls-ring")]
    let endpoint = if env_url.scheme() == "https" {
        endpoint
            .tls_config(tls::grpc_tls())
            .map_err(|e| Error::Config(format!("TLS setup: {e}")))?
    } else {
        endpoint
    };
    Ok(endpoint)
}
