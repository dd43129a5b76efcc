//! Tokens for a user without a browser: what a sign-in through
//! `/oauth/authorize` and the code exchange would issue, minted directly,
//! for [`EmulatorHandle::mint_user_token`](crate::EmulatorHandle::mint_user_token)
//! and `POST /_emulator/users/{user_id}/tokens`.

use std::fmt;

use scalekit::proto::sessions::SessionDetails;
use tonic::Status;

use crate::env::Environment;
use crate::tokens::SignIn;
use crate::{access, services, status};

/// The scopes of a minted sign-in.
const SCOPE: &str = "openid profile email";

/// A user's access and ID tokens, minted by the emulator.
///
/// `Debug` shows neither token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MintedTokens {
    /// The access token (RS256 JWT) with `sub`, `sid`, `oid`, `roles`,
    /// `permissions` and the rest of the sign-in claims.
    pub access_token: String,
    /// The ID token (RS256 JWT) with the user's profile claims.
    pub id_token: String,
    /// The access token's lifetime, in seconds.
    pub expires_in: u64,
}

impl fmt::Debug for MintedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintedTokens")
            .field("access_token", &"<redacted>")
            .field("id_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Signs `user_id` in to `organization_id` (else to their only
/// membership), with a new session, and issues their tokens.
pub(crate) fn mint(
    env: &Environment,
    user_id: &str,
    organization_id: Option<&str>,
) -> Result<MintedTokens, Status> {
    let sign_in = {
        let mut store = env.store.lock();
        let Some(user) = store.users.get(user_id) else {
            return Err(status::not_found("user", user_id));
        };
        let email = user.email.clone();
        let name = user
            .user_profile
            .as_ref()
            .map(|p| p.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.clone());
        if let Some(org) = organization_id {
            if !store.organizations.contains_key(org) {
                return Err(status::not_found("organization", org));
            }
            if !user.memberships.iter().any(|m| m.organization_id == org) {
                return Err(status::failed_precondition(
                    "NOT_A_MEMBER",
                    format!("user {user_id} is not a member of organization {org}"),
                ));
            }
        }
        let organization_id =
            access::organization_of(&store, user_id, organization_id.map(str::to_string));
        let session_id = services::sessions::add_session(
            &mut store,
            user_id,
            SessionDetails {
                organization_id: organization_id.clone().unwrap_or_default(),
                ..Default::default()
            },
        )?;
        let sign_in = SignIn {
            user_id: user_id.to_string(),
            email,
            name,
            organization_id,
            connection_id: None,
            scope: SCOPE.to_string(),
            nonce: None,
            session_id,
            asserted: None,
            roles: Vec::new(),
            permissions: Vec::new(),
        };
        access::current(&store, sign_in)
    };
    let issued = env
        .tokens
        .issue_user_tokens(&env.client_id, &sign_in)
        .map_err(Status::internal)?;
    Ok(MintedTokens {
        access_token: issued.access_token,
        id_token: issued.id_token,
        expires_in: issued.expires_in,
    })
}
