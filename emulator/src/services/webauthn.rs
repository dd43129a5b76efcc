//! `scalekit.v1.auth.webauthn.WebAuthnService`: users' passkeys.
//!
//! Credentials (`wac_…`) belong to users. Registering one takes a browser
//! ceremony the emulator does not perform (`BeginRegistration` and the other
//! ceremony RPCs stay UNIMPLEMENTED), so tests add credentials with
//! [`EmulatorHandle::add_webauthn_credential`](crate::EmulatorHandle::add_webauthn_credential),
//! which calls [`add_credential`]. Listing, renaming and deleting them are
//! implemented. Options for the WebAuthn signal API name the relying party
//! by the environment's host and credentials by the base64url of their raw
//! credential id.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use scalekit::proto::auth::webauthn::*;
use tonic::{Request, Response, Status};

use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::{now, Store};

/// The longest display name a credential may have.
const MAX_DISPLAY_NAME: usize = 120;

/// The WebAuthnService of one emulated environment.
pub(crate) struct WebAuthn {
    pub(crate) ctx: Arc<Context>,
}

/// Test setup: stores a credential for a user, as a finished registration
/// would. Fields of `template` that are set are kept; `id`, `user_id` and the
/// timestamps are the emulator's; an empty raw `credential_id` becomes the
/// bytes of the new id. Returns the credential's id (`wac_…`).
pub(crate) fn add_credential(
    store: &mut Store,
    user_id: &str,
    template: WebAuthnCredential,
) -> Result<String, Status> {
    let user_id = validate::user(store, "user_id", user_id)?;
    let display_name = match template.display_name.as_deref() {
        Some(name) => Some(validate::display_name(name, MAX_DISPLAY_NAME)?),
        None => None,
    };
    let id = store.ids.next("wac");
    let credential_id = if template.credential_id.is_empty() {
        id.as_bytes().to_vec()
    } else {
        template.credential_id
    };
    if store
        .webauthn_credentials
        .values()
        .any(|c| c.credential_id == credential_id)
    {
        return Err(status::already_exists(
            "CREDENTIAL_EXISTS",
            "a credential with this credential_id is already registered",
        ));
    }
    let created = now();
    let credential = WebAuthnCredential {
        id: id.clone(),
        user_id,
        credential_id,
        display_name,
        created_at: Some(created),
        updated_at: Some(created),
        ..template
    };
    store.webauthn_credentials.insert(id.clone(), credential);
    Ok(id)
}

#[tonic::async_trait]
impl WebAuthnService for WebAuthn {
    async fn list_credentials(
        &self,
        request: Request<ListCredentialsRequest>,
    ) -> Result<Response<ListCredentialsResponse>, Status> {
        let req = request.into_inner();
        let user_id = required("user_id", &req.user_id)?;
        let store = self.ctx.lock();
        if !store.users.contains_key(user_id) {
            return Err(status::not_found("user", user_id));
        }
        let credentials: Vec<WebAuthnCredential> = store
            .webauthn_credentials
            .values()
            .filter(|c| c.user_id == user_id)
            .cloned()
            .collect();
        let all_accepted_credential_ids = credentials
            .iter()
            .map(|c| URL_SAFE_NO_PAD.encode(&c.credential_id))
            .collect();
        Ok(Response::new(ListCredentialsResponse {
            credentials,
            all_accepted_credentials_options: Some(AllAcceptedCredentialsOptions {
                rp_id: self.ctx.rp_id.clone(),
                user_id: URL_SAFE_NO_PAD.encode(user_id),
                all_accepted_credential_ids,
            }),
        }))
    }

    async fn update_credential(
        &self,
        request: Request<UpdateCredentialRequest>,
    ) -> Result<Response<UpdateCredentialResponse>, Status> {
        let req = request.into_inner();
        let id = required("credential_id", &req.credential_id)?;
        let name = validate::display_name(&req.display_name, MAX_DISPLAY_NAME)?;
        let mut store = self.ctx.lock();
        let credential = store
            .webauthn_credentials
            .get_mut(id)
            .ok_or_else(|| status::not_found("credential", id))?;
        credential.display_name = Some(name);
        credential.updated_at = Some(now());
        Ok(Response::new(UpdateCredentialResponse {
            credential: Some(credential.clone()),
        }))
    }

    async fn delete_credential(
        &self,
        request: Request<DeleteCredentialRequest>,
    ) -> Result<Response<DeleteCredentialResponse>, Status> {
        let req = request.into_inner();
        let id = required("credential_id", &req.credential_id)?;
        let mut store = self.ctx.lock();
        let credential = store
            .webauthn_credentials
            .remove(id)
            .ok_or_else(|| status::not_found("credential", id))?;
        Ok(Response::new(DeleteCredentialResponse {
            success: true,
            unknown_credential_options: Some(UnknownCredentialOptions {
                rp_id: self.ctx.rp_id.clone(),
                credential_id: URL_SAFE_NO_PAD.encode(&credential.credential_id),
            }),
        }))
    }
}
