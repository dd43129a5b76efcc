//! Tokens for other clients: the client-credentials grant at the
//! environment's token endpoint, for credentials the caller names (an
//! organization client's, say) rather than the SDK's own.
//!
//! The request and the reading of its answer are the SDK's own token
//! code's ([`TokenSource`]): a source made for one request fetches exactly
//! once and is then dropped, so the caller's token never enters the
//! client's cache.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::error::{Error, Result};
use crate::transport::headers::SdkHeaders;
use crate::transport::token::{TokenRequest, TokenSource, DEFAULT_REFRESH_MARGIN};
use crate::validate;

/// Where and how [`ScalekitClient::generate_client_token`](super::ScalekitClient::generate_client_token)
/// asks for tokens: the settings of the client's own token requests.
#[derive(Clone)]
pub(super) struct ClientTokenEndpoint {
    pub(super) http: reqwest::Client,
    pub(super) token_url: Url,
    pub(super) headers: SdkHeaders,
    pub(super) timeout: Duration,
}

impl fmt::Debug for ClientTokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTokenEndpoint")
            .field("token_url", &self.token_url.as_str())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientTokenEndpoint {
    /// One client-credentials token for `client_id` and `client_secret`.
    pub(super) async fn fetch(&self, client_id: &str, client_secret: &str) -> Result<String> {
        let request = client_token_request(self, client_id, client_secret)?;
        let token = TokenSource::new(request)
            .token()
            .await
            .map_err(Error::Auth)?;
        Ok(token.secret().into_owned())
    }
}

/// The checks and the request: both credentials must be given, and the id
/// must be one (the secret is opaque, so only its presence is checked).
fn client_token_request(
    endpoint: &ClientTokenEndpoint,
    client_id: &str,
    client_secret: &str,
) -> Result<TokenRequest> {
    validate::require_id("client_id", client_id)?;
    validate::require_non_empty("client_secret", client_secret)?;
    Ok(TokenRequest {
        http: endpoint.http.clone(),
        token_url: endpoint.token_url.clone(),
        client_id: client_id.to_owned(),
        client_secret: SecretString::from(client_secret.to_owned()),
        headers: endpoint.headers.clone(),
        timeout: endpoint.timeout,
        // Unused: the source is dropped after its one fetch.
        refresh_margin: DEFAULT_REFRESH_MARGIN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> ClientTokenEndpoint {
        ClientTokenEndpoint {
            http: reqwest::Client::new(),
            token_url: Url::parse("https://acme.scalekit.dev/oauth/token").unwrap(),
            headers: SdkHeaders::new(None).unwrap(),
            timeout: Duration::from_secs(3),
        }
    }

    fn invalid(result: Result<TokenRequest>) -> &'static str {
        match result {
            Err(Error::InvalidArgument { field, .. }) => field,
            Err(other) => panic!("expected InvalidArgument, got {other:?}"),
            Ok(_) => panic!("expected InvalidArgument, got a request"),
        }
    }

    #[test]
    fn generate_client_token_rejects_bad_client_id() {
        for id in ["", "  ", " m2morg_1", "m2morg/1"] {
            assert_eq!(
                invalid(client_token_request(&endpoint(), id, "secret")),
                "client_id",
                "{id:?}"
            );
        }
    }

    #[test]
    fn generate_client_token_rejects_empty_client_secret() {
        for secret in ["", " \t"] {
            assert_eq!(
                invalid(client_token_request(&endpoint(), "m2morg_1", secret)),
                "client_secret"
            );
        }
    }

    #[test]
    fn the_request_carries_the_given_credentials_to_the_client_endpoint() {
        use secrecy::ExposeSecret as _;

        let request = client_token_request(&endpoint(), "m2morg_1", "s3cr3t/+=").unwrap();
        assert_eq!(request.client_id, "m2morg_1");
        assert_eq!(request.client_secret.expose_secret(), "s3cr3t/+=");
        assert_eq!(
            request.token_url.as_str(),
            "https://acme.scalekit.dev/oauth/token"
        );
        assert_eq!(request.timeout, Duration::from_secs(3));
    }
}
