//! TLS for the two connections a client makes: gRPC (tonic) and the OAuth
//! token endpoint (reqwest). Both use rustls with the ring provider, trusting
//! the roots the enabled features name (`webpki-roots`, `native-roots`).

use crate::error::Error;

/// Whether this build can speak `https://` at all.
pub(crate) const TLS_ENABLED: bool = cfg!(feature = "tls-ring");

/// The HTTP client for the token endpoint (and the other OAuth endpoints)
/// and the JWKS.
///
/// It follows no redirect. Every request it makes either carries a
/// credential (the client secret, a code and its PKCE verifier, a refresh
/// token) or fetches the keys tokens are trusted by, and Scalekit serves
/// each from a fixed URL. A 307 or 308 would resend the form, secret
/// included, to whatever host `Location` names (`http://` too), and a
/// redirected JWKS would let that host choose the keys. A 3xx answer is
/// instead handed to the caller, which reports it as an error
/// ([`crate::transport::http_answer`]).
pub(crate) fn http_client() -> Result<reqwest::Client, Error> {
    // Scalekit closes idle connections (the official SDKs drop theirs after
    // 4 idle minutes); closing ours well before keeps a request from going
    // out on a connection the server is about to close.
    let builder = reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none());
    #[cfg(feature = "tls-ring")]
    let builder = builder.use_preconfigured_tls(rustls_config()?);
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

/// tonic's TLS settings for an `https://` environment.
#[cfg(feature = "tls-ring")]
pub(crate) fn grpc_tls() -> tonic::transport::ClientTlsConfig {
    tonic::transport::ClientTlsConfig::new().with_enabled_roots()
}

#[cfg(feature = "tls-ring")]
fn rustls_config() -> Result<rustls::ClientConfig, Error> {
    use std::sync::Arc;

    #[allow(unused_mut)]
    let mut roots = rustls::RootCertStore::empty();
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let native = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(native.certs);
        tracing::debug!(added, "loaded native root certificates");
    }
    if roots.is_empty() {
        return Err(Error::Config(
            "no TLS root certificates: enable the `webpki-roots` or `native-roots` feature".into(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}
