//! Request construction: the argument checks of each [`TokensClient`]
//! method and the exact proto message it sends, kept apart from the calls
//! so that the unit tests can compare them with the reference SDK's
//! requests.

#[cfg(doc)]
use super::TokensClient;
use super::{CreateTokenOptions, ListTokensOptions, UpdateTokenOptions};
use crate::error::{Error, Result};
use crate::proto::tokens::{
    CreateToken, CreateTokenRequest, InvalidateTokenRequest, ListTokensRequest, UpdateTokenRequest,
    ValidateTokenRequest,
};
use crate::validate;

pub(super) fn create_token_request(
    organization_id: &str,
    opts: CreateTokenOptions,
) -> Result<CreateTokenRequest> {
    // CreateToken's rules only require the id; ListTokens' also want `org_`.
    validate::require_id("organization_id", organization_id)?;
    if let Some(user_id) = &opts.user_id {
        validate::require_id("user_id", user_id)?;
    }
    Ok(CreateTokenRequest {
        token: Some(CreateToken {
            organization_id: organization_id.to_owned(),
            user_id: opts.user_id.unwrap_or_default(),
            custom_claims: opts.custom_claims,
            expiry: opts.expiry.map(prost_types::Timestamp::from),
            description: opts.description.unwrap_or_default(),
        }),
    })
}

/// `token` is the opaque token or its id (`apit_…`). An opaque token is not
/// an id, so only emptiness is checked.
pub(super) fn validate_token_request(token: &str) -> Result<ValidateTokenRequest> {
    validate::require_non_empty("token", token)?;
    Ok(ValidateTokenRequest {
        token: token.to_owned(),
    })
}

pub(super) fn invalidate_token_request(token: &str) -> Result<InvalidateTokenRequest> {
    validate::require_non_empty("token", token)?;
    Ok(InvalidateTokenRequest {
        token: token.to_owned(),
    })
}

pub(super) fn list_tokens_request(
    organization_id: &str,
    opts: &ListTokensOptions,
) -> Result<ListTokensRequest> {
    validate::require_prefixed_id("organization_id", organization_id, "org_")?;
    if let Some(user_id) = &opts.user_id {
        validate::require_id("user_id", user_id)?;
    }
    let page_size = opts
        .page_size
        .map(|n| i32::try_from(n).map_err(|_| Error::invalid_argument("page_size", "is too large")))
        .transpose()?;
    Ok(ListTokensRequest {
        organization_id: organization_id.to_owned(),
        user_id: opts.user_id.clone(),
        page_size: page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    })
}

pub(super) fn update_token_request(
    token: &str,
    opts: UpdateTokenOptions,
) -> Result<UpdateTokenRequest> {
    validate::require_non_empty("token", token)?;
    Ok(UpdateTokenRequest {
        token: token.to_owned(),
        custom_claims: opts.custom_claims,
        // Sent even when empty: `Some("")` is how a description is cleared.
        description: opts.description,
    })
}
