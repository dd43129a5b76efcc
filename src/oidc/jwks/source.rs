//! One fetch of the JWKS over HTTP, and what its failures mean.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt as _};
use url::Url;

use super::cache::FetchKeys;
use super::KeySet;
use crate::error::Error;
use crate::transport::headers::SdkHeaders;
use crate::transport::http_answer::{read_capped, BodyError};

/// The largest JWKS body read: 1 MiB. An RSA-2048 JWK takes about 0.5 KiB
/// and an EC one about 0.2 KiB, so even an environment in the middle of
/// rotating several keys publishes a few KiB. The cap leaves room for
/// hundreds of keys while bounding what a broken or hostile endpoint can
/// make every refresh buffer.
pub(crate) const JWKS_BODY_LIMIT: usize = 1024 * 1024;

/// Where and how to fetch the JWKS.
#[derive(Clone)]
pub(crate) struct JwksSource {
    pub(crate) http: reqwest::Client,
    pub(crate) url: Url,
    pub(crate) headers: SdkHeaders,
    /// Bounds the whole fetch: connecting, the headers and the body.
    pub(crate) timeout: Duration,
}

impl fmt::Debug for JwksSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksSource")
            .field("url", &self.url.as_str())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Why a fetch gave no keys. Cloneable, so one failure can be handed to
/// every validation waiting for the fetch; [`Error`] is made from it for
/// each of them.
#[derive(Clone, Debug)]
pub(crate) enum FetchError {
    /// The fetch did not finish within its timeout: [`Error::Timeout`].
    Timeout,
    /// The endpoint could not be reached or answered a non-2xx status (a
    /// redirect included): an [`Error::Transport`] with this source.
    Transport(Arc<dyn std::error::Error + Send + Sync>),
    /// The body is over [`JWKS_BODY_LIMIT`]: [`Error::ResponseTooLarge`],
    /// which is not retryable (a key set that large is not a key set).
    TooLarge { size: usize, limit: usize },
    /// The body is not a JWKS: [`Error::MalformedResponse`].
    Malformed,
}

impl From<FetchError> for Error {
    fn from(err: FetchError) -> Self {
        match err {
            FetchError::Timeout => Error::Timeout,
            FetchError::Transport(source) => Error::Transport(Box::new(source)),
            FetchError::Malformed => Error::MalformedResponse("keys"),
            FetchError::TooLarge { size, limit } => Error::ResponseTooLarge { size, limit },
        }
    }
}

impl FetchError {
    fn from_reqwest(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            FetchError::Timeout
        } else {
            FetchError::Transport(Arc::new(err))
        }
    }
}

/// A non-2xx answer from the JWKS endpoint. A redirect is named as one:
/// it is never followed (see [`crate::transport::tls::http_client`]).
#[derive(Debug)]
pub(crate) struct JwksStatus {
    pub(crate) status: u16,
}

impl fmt::Display for JwksStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JWKS endpoint answered HTTP {}", self.status)?;
        if (300..400).contains(&self.status) {
            // The `Location` is never read, so it cannot leak here.
            f.write_str(", a redirect, which is not followed")?;
        }
        Ok(())
    }
}

impl std::error::Error for JwksStatus {}

impl JwksSource {
    /// One `GET` of the JWKS.
    pub(crate) async fn fetch(&self) -> Result<KeySet, FetchError> {
        let mut headers = http::HeaderMap::new();
        self.headers.apply(&mut headers);
        // `timeout` bounds the whole fetch, body included (reqwest's
        // per-request timeout runs until the body is read).
        let response = self
            .http
            .get(self.url.clone())
            .headers(headers)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(FetchError::from_reqwest)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Transport(Arc::new(JwksStatus {
                status: status.as_u16(),
            })));
        }
        let body = read_capped(response, "JWKS body", JWKS_BODY_LIMIT)
            .await
            .map_err(|err| match err {
                BodyError::TooLarge(too_large) => FetchError::TooLarge {
                    size: too_large.size,
                    limit: too_large.limit,
                },
                BodyError::Read(err) => FetchError::from_reqwest(err),
            })?;
        let keys = KeySet::from_json(&body).map_err(|_| FetchError::Malformed)?;
        tracing::debug!(keys = keys.keys.len(), "fetched JWKS");
        Ok(keys)
    }
}

impl FetchKeys for JwksSource {
    fn fetch(&self) -> BoxFuture<'static, Result<KeySet, FetchError>> {
        let source = self.clone();
        async move { JwksSource::fetch(&source).await }.boxed()
    }
}
