//! Users' WebAuthn credentials (passkeys): list, rename, delete.
//!
//! [`WebAuthnClient`] wraps the credential-management RPCs of
//! `scalekit.v1.auth.webauthn.WebAuthnService` that the other Scalekit SDKs
//! call. Registration and authentication run in the browser against
//! Scalekit's hosted pages and are not part of this client.
//!
//! ```
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let webauthn = client.webauthn();
//!     let listed = webauthn.list_credentials("usr_123").await?;
//!     for credential in &listed.credentials {
//!         println!("{} {:?}", credential.id, credential.display_name);
//!     }
//!     Ok(())
//! }
//! ```

use crate::error::{Error, Result};
use crate::proto::auth::webauthn::{
    DeleteCredentialRequest, ListCredentialsRequest, UpdateCredentialRequest, WebAuthnServiceClient,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::auth::webauthn::{
    web_authn_credential, AllAcceptedCredentialsOptions, DeleteCredentialResponse,
    ListCredentialsResponse, UnknownCredentialOptions, WebAuthnCredential,
};

/// WebAuthn credentials; obtained from
/// [`ScalekitClient::webauthn`](crate::ScalekitClient::webauthn).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     client.webauthn().delete_credential("wac_123").await?;
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct WebAuthnClient {
    stub: Stub<WebAuthnServiceClient<AuthChannel>>,
}

impl WebAuthnClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        WebAuthnClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.auth.webauthn.WebAuthnService",
                WebAuthnServiceClient::new,
            ),
        }
    }

    /// Lists a user's credentials, with the options for the browser's
    /// `signalAllAcceptedCredentials`.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let listed = client.webauthn().list_credentials("usr_123").await?;
    ///     println!("{} passkeys", listed.credentials.len());
    ///     if let Some(signal) = &listed.all_accepted_credentials_options {
    ///         println!("accepted on {}: {:?}", signal.rp_id, signal.all_accepted_credential_ids);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The list is not paginated. The whole response is returned because
    /// `all_accepted_credentials_options` is what a page hands to the WebAuthn
    /// signal API to keep the user's authenticators in sync.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `user_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown user ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/webauthn>
    pub async fn list_credentials(&self, user_id: &str) -> Result<ListCredentialsResponse> {
        let request = list_credentials_request(user_id)?;
        let response = call!(self.stub, list_credentials(request)).await?;
        Ok(response)
    }

    /// Renames a credential (the name the user sees in their passkey list).
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let credential = client
    ///         .webauthn()
    ///         .update_credential("wac_123", "Work laptop")
    ///         .await?;
    ///     println!("{:?}", credential.display_name);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `credential_id` is empty, untrimmed or
    ///   contains `/`, or `display_name` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for a name too long.
    /// - [`Error::MalformedResponse`]`("credential")` if the response has no
    ///   credential.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/webauthn>
    pub async fn update_credential(
        &self,
        credential_id: &str,
        display_name: &str,
    ) -> Result<WebAuthnCredential> {
        let request = update_credential_request(credential_id, display_name)?;
        let response = call!(self.stub, update_credential(request)).await?;
        response
            .credential
            .ok_or(Error::MalformedResponse("credential"))
    }

    /// Deletes a credential; the user can no longer sign in with it.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let deleted = client.webauthn().delete_credential("wac_123").await?;
    ///     if let Some(signal) = &deleted.unknown_credential_options {
    ///         println!("signal {} as unknown on {}", signal.credential_id, signal.rp_id);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The whole response is returned because
    /// `unknown_credential_options` is what a page hands to the browser's
    /// `signalUnknownCredential` so the authenticator forgets the passkey too.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `credential_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/webauthn>
    pub async fn delete_credential(&self, credential_id: &str) -> Result<DeleteCredentialResponse> {
        let request = delete_credential_request(credential_id)?;
        let response = call!(self.stub, delete_credential(request)).await?;
        Ok(response)
    }
}

fn list_credentials_request(user_id: &str) -> Result<ListCredentialsRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(ListCredentialsRequest {
        user_id: user_id.to_owned(),
    })
}

fn update_credential_request(
    credential_id: &str,
    display_name: &str,
) -> Result<UpdateCredentialRequest> {
    validate::require_id("credential_id", credential_id)?;
    validate::require_non_empty("display_name", display_name)?;
    Ok(UpdateCredentialRequest {
        credential_id: credential_id.to_owned(),
        display_name: display_name.to_owned(),
    })
}

fn delete_credential_request(credential_id: &str) -> Result<DeleteCredentialRequest> {
    validate::require_id("credential_id", credential_id)?;
    Ok(DeleteCredentialRequest {
        credential_id: credential_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    //! Each `REF_*` is the request the reference Node SDK
    //! (`@scalekit-sdk/node` 2.2.2, `lib/webauthn.js`) encodes for the same
    //! call, captured by running its `WebAuthnClient` with a `createClient`
    //! stub that records `toBinary(method.input, create(method.input, req))`.

    use super::*;
    use crate::test_support::decode;

    const REF_LIST_CREDENTIALS: &str = "0a057573725f31";
    const REF_UPDATE_CREDENTIAL: &str = "0a057761635f3112034b6579";
    const REF_DELETE_CREDENTIAL: &str = "0a057761635f31";

    fn field<T: std::fmt::Debug>(result: Result<T>) -> &'static str {
        match result {
            Err(Error::InvalidArgument { field, .. }) => field,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn requests_match_reference() {
        assert_eq!(
            list_credentials_request("usr_1").unwrap(),
            decode::<ListCredentialsRequest>(REF_LIST_CREDENTIALS)
        );
        assert_eq!(
            update_credential_request("wac_1", "Key").unwrap(),
            decode::<UpdateCredentialRequest>(REF_UPDATE_CREDENTIAL)
        );
        assert_eq!(
            delete_credential_request("wac_1").unwrap(),
            decode::<DeleteCredentialRequest>(REF_DELETE_CREDENTIAL)
        );
    }

    #[test]
    fn requests_reject_invalid_arguments() {
        for id in ["", " ", " wac_1", "wac/1"] {
            assert_eq!(field(list_credentials_request(id)), "user_id");
            assert_eq!(field(update_credential_request(id, "Key")), "credential_id");
            assert_eq!(field(delete_credential_request(id)), "credential_id");
        }
        assert_eq!(
            field(update_credential_request("wac_1", "  ")),
            "display_name"
        );
    }
}
