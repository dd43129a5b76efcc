//! `scalekit.v1.tokens.ApiTokenService`: organizations' API tokens.
//!
//! A token belongs to an organization and optionally to one of its members,
//! carries custom claims, an optional expiry and an optional description,
//! and is named by its id (`apit_…`) or by the opaque token itself, which
//! only CreateToken returns. A token is usable until it is invalidated or
//! its expiry passes; a token that is not usable neither validates, lists
//! nor updates, and each of those answers NOT_FOUND for it. (ValidateToken
//! does not answer UNAUTHENTICATED: a client cannot tell that from a
//! refusal of its own bearer token.) Invalidating is idempotent.
//!
//! The argument rules are the service's validation rules: at most 20
//! custom claims with keys of 1 to 30 and values of 1 to 256 characters, a
//! description of at most 255 characters, ListTokens' `org_` id of at most
//! 32 characters and pages of 0 (meaning 10) to 30.
//!
//! `FetchToken` keeps the generated UNIMPLEMENTED answer: the service blocks
//! it for every caller.
//!
//! No token value is ever put in an error message or a log line.

use std::collections::HashMap;
use std::sync::Arc;

use scalekit::proto::errdetails::ErrorInfo;
use scalekit::proto::tokens::*;
use tonic::{Code, Request, Response, Status};

use crate::paging::{paginate, MAX_SEARCH_PAGE_SIZE};
use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::api_tokens::{ApiTokenRecord, NewApiToken};
use crate::store::{now, Store};

/// The ApiTokenService of one emulated environment.
pub(crate) struct ApiTokens {
    pub(crate) ctx: Arc<Context>,
}

const MAX_CUSTOM_CLAIMS: usize = 20;
const CLAIM_KEY_CHARS: (usize, usize) = (1, 30);
const CLAIM_VALUE_CHARS: (usize, usize) = (1, 256);
const MAX_DESCRIPTION_CHARS: usize = 255;

/// The largest ListTokens page; the search bound has the same value.
const MAX_TOKENS_PAGE_SIZE: u32 = MAX_SEARCH_PAGE_SIZE;

/// INVALID_ARGUMENT naming `custom_claims` when there are too many claims
/// or a key or value has the wrong length.
fn custom_claims(claims: &HashMap<String, String>) -> Result<(), Status> {
    if claims.len() > MAX_CUSTOM_CLAIMS {
        return Err(status::invalid_argument(
            "custom_claims",
            format!("must have at most {MAX_CUSTOM_CLAIMS} entries"),
        ));
    }
    let within = |s: &str, (min, max): (usize, usize)| (min..=max).contains(&s.chars().count());
    for (key, value) in claims {
        if !within(key, CLAIM_KEY_CHARS) {
            return Err(status::invalid_argument(
                "custom_claims",
                format!("key {key:?} must be 1 to 30 characters"),
            ));
        }
        if !within(value, CLAIM_VALUE_CHARS) {
            // The value is not echoed: claims may carry anything.
            return Err(status::invalid_argument(
                "custom_claims",
                format!("the value of {key:?} must be 1 to 256 characters"),
            ));
        }
    }
    Ok(())
}

/// INVALID_ARGUMENT naming `description` when it is too long.
fn description(value: &str) -> Result<(), Status> {
    if value.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(status::invalid_argument(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(())
}

/// NOT_FOUND for a token. The message names an id but never a token value,
/// which is a credential.
fn token_not_found(token: &str) -> Status {
    let message = if token.starts_with("apit_") {
        format!("api token {token} not found")
    } else {
        "api token not found".to_string()
    };
    status::with_error_info(
        Code::NotFound,
        message,
        ErrorInfo {
            error_code: "API_TOKEN_NOT_FOUND".to_string(),
            ..Default::default()
        },
    )
}

/// The id of the token `token` (its id or the token) names: INVALID_ARGUMENT
/// when blank, NOT_FOUND when it was never issued or went with its owner.
fn issued(store: &Store, token: &str) -> Result<String, Status> {
    let token = required("token", token)?;
    store
        .api_token_id(token)
        .ok_or_else(|| token_not_found(token))
}

/// [`issued`], and also NOT_FOUND when the token is invalidated or expired.
fn usable(store: &Store, token: &str) -> Result<String, Status> {
    let id = issued(store, token)?;
    if store.api_tokens[&id].usable_at(&now()) {
        Ok(id)
    } else {
        Err(token_not_found(token.trim()))
    }
}

/// The user `user_id` as a member of `organization_id`: INVALID_ARGUMENT
/// when blank, NOT_FOUND when unknown or not a member.
fn member(store: &Store, organization_id: &str, user_id: &str) -> Result<String, Status> {
    let user_id = validate::user(store, "user_id", user_id)?;
    let is_member = store.users[&user_id]
        .memberships
        .iter()
        .any(|m| m.organization_id == organization_id);
    if is_member {
        Ok(user_id)
    } else {
        Err(status::not_found(
            "membership",
            &format!("{organization_id}/{user_id}"),
        ))
    }
}

/// What reads show of a token: the record with its owners' current
/// external ids, the user's email and role names in the organization.
fn token_info(store: &Store, record: &ApiTokenRecord) -> Token {
    let organization = store.organizations.get(&record.organization_id);
    let user = record.user_id.as_ref().and_then(|id| store.users.get(id));
    let roles = user
        .into_iter()
        .flat_map(|u| &u.memberships)
        .filter(|m| m.organization_id == record.organization_id)
        .flat_map(|m| m.roles.iter().map(|r| r.name.clone()))
        .collect();
    Token {
        token_id: record.id.clone(),
        organization_id: record.organization_id.clone(),
        organization_external_id: organization
            .and_then(|o| o.external_id.clone())
            .unwrap_or_default(),
        user_id: record.user_id.clone(),
        user_external_id: user.and_then(|u| u.external_id.clone()),
        custom_claims: record.custom_claims.clone(),
        expiry: record.expiry,
        created_at: Some(record.created_at),
        description: record.description.clone(),
        token_suffix: record.suffix(),
        email: user.map(|u| u.email.clone()),
        roles,
    }
}

#[tonic::async_trait]
impl ApiTokenService for ApiTokens {
    async fn create_token(
        &self,
        request: Request<CreateTokenRequest>,
    ) -> Result<Response<CreateTokenResponse>, Status> {
        let token = validate::present("token", request.into_inner().token)?;
        custom_claims(&token.custom_claims)?;
        description(&token.description)?;
        let mut store = self.ctx.lock();
        let organization_id =
            validate::organization(&store, "organization_id", &token.organization_id)?;
        let user_id = if token.user_id.is_empty() {
            None
        } else {
            Some(member(&store, &organization_id, &token.user_id)?)
        };
        let id = store.issue_api_token(NewApiToken {
            organization_id,
            user_id,
            custom_claims: token.custom_claims,
            expiry: token.expiry,
            description: Some(token.description).filter(|d| !d.is_empty()),
        });
        let record = &store.api_tokens[&id];
        Ok(Response::new(CreateTokenResponse {
            token: record.secret.clone(),
            token_id: id.clone(),
            token_info: Some(token_info(&store, record)),
        }))
    }

    async fn validate_token(
        &self,
        request: Request<ValidateTokenRequest>,
    ) -> Result<Response<ValidateTokenResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let id = usable(&store, &req.token)?;
        Ok(Response::new(ValidateTokenResponse {
            token_info: Some(token_info(&store, &store.api_tokens[&id])),
        }))
    }

    async fn invalidate_token(
        &self,
        request: Request<InvalidateTokenRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = issued(&store, &req.token)?;
        if let Some(record) = store.api_tokens.get_mut(&id) {
            record.invalidated = true;
        }
        Ok(Response::new(()))
    }

    async fn list_tokens(
        &self,
        request: Request<ListTokensRequest>,
    ) -> Result<Response<ListTokensResponse>, Status> {
        let req = request.into_inner();
        let page_size = u32::try_from(req.page_size)
            .ok()
            .filter(|size| *size <= MAX_TOKENS_PAGE_SIZE)
            .ok_or_else(|| {
                status::invalid_argument(
                    "page_size",
                    format!("must be between 0 and {MAX_TOKENS_PAGE_SIZE}"),
                )
            })?;
        let store = self.ctx.lock();
        let organization_id =
            validate::prefixed_organization(&store, "organization_id", &req.organization_id)?;
        // A filter, not a lookup: an unknown user has no tokens.
        let user_id = req
            .user_id
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let at = now();
        let matching: Vec<&ApiTokenRecord> = store
            .api_tokens
            .values()
            .filter(|t| t.organization_id == organization_id && t.usable_at(&at))
            .filter(|t| user_id.is_none_or(|u| t.user_id.as_deref() == Some(u)))
            .collect();
        let page = paginate(matching, page_size, &req.page_token, MAX_TOKENS_PAGE_SIZE)?;
        Ok(Response::new(ListTokensResponse {
            tokens: page
                .items
                .into_iter()
                .map(|t| token_info(&store, t))
                .collect(),
            total_count: i32::try_from(page.total_size).unwrap_or(i32::MAX),
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
        }))
    }

    async fn update_token(
        &self,
        request: Request<UpdateTokenRequest>,
    ) -> Result<Response<UpdateTokenResponse>, Status> {
        let req = request.into_inner();
        custom_claims(&req.custom_claims)?;
        if let Some(text) = &req.description {
            description(text)?;
        }
        let mut store = self.ctx.lock();
        let id = usable(&store, &req.token)?;
        if let Some(record) = store.api_tokens.get_mut(&id) {
            // Sent claims replace the stored ones; none sent keeps them.
            if !req.custom_claims.is_empty() {
                record.custom_claims = req.custom_claims;
            }
            match req.description {
                None => {}
                Some(text) if text.is_empty() => record.description = None,
                Some(text) => record.description = Some(text),
            }
        }
        Ok(Response::new(UpdateTokenResponse {
            token_info: Some(token_info(&store, &store.api_tokens[&id])),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(n: usize) -> HashMap<String, String> {
        (0..n).map(|i| (format!("k{i}"), "v".to_string())).collect()
    }

    #[test]
    fn custom_claims_bound_entries_keys_and_values() {
        assert!(custom_claims(&claims(20)).is_ok());
        assert!(custom_claims(&claims(21)).is_err());
        let long_key = HashMap::from([("k".repeat(31), "v".to_string())]);
        assert!(custom_claims(&long_key).is_err());
        let empty_key = HashMap::from([(String::new(), "v".to_string())]);
        assert!(custom_claims(&empty_key).is_err());
        let empty_value = HashMap::from([("k".to_string(), String::new())]);
        assert!(custom_claims(&empty_value).is_err());
        let longest = HashMap::from([("k".repeat(30), "é".repeat(256))]);
        assert!(custom_claims(&longest).is_ok());
    }

    #[test]
    fn description_counts_characters() {
        assert!(description(&"é".repeat(255)).is_ok());
        assert!(description(&"a".repeat(256)).is_err());
    }

    #[test]
    fn not_found_names_ids_but_never_token_values() {
        assert!(token_not_found("apit_1").message().contains("apit_1"));
        let err = token_not_found("SecretValue123");
        assert_eq!(err.code(), Code::NotFound);
        assert!(!err.message().contains("SecretValue123"), "{err:?}");
    }
}
