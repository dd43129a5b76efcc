//! The HTTP side of an environment: the OAuth token endpoint and the JWKS.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use scalekit::proto::clients::M2mClient;
use sha2::{Digest as _, Sha256};

use crate::access;
use crate::env::Environment;
use crate::tokens::{ClientGrant, UserTokens};

/// An OAuth 2.0 error response (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// Client credentials from the form or from HTTP Basic (RFC 6749 §2.3.1).
fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<(String, String)> {
    if let (Some(id), Some(secret)) = (form.get("client_id"), form.get("client_secret")) {
        return Some((id.clone(), secret.clone()));
    }
    let basic = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(basic.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// `POST /oauth/token`.
pub(crate) async fn token(
    State(env): State<Arc<Environment>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    };
    let Some(grant_type) = form.get("grant_type") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is required",
        );
    };
    match grant_type.as_str() {
        "client_credentials" | "authorization_code" | "refresh_token" => {}
        other => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant_type {other} is not supported"),
            )
        }
    }
    let Some((id, secret)) = client_credentials(&headers, &form) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client credentials are required",
        );
    };
    let grant = match authenticate(&env, &id, &secret) {
        Some(Client::Environment) => ClientGrant::environment(&id),
        Some(Client::Organization(grant)) => {
            if grant_type != "client_credentials" {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unauthorized_client",
                    &format!("an organization client cannot use grant_type {grant_type}"),
                );
            }
            grant
        }
        None => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            )
        }
    };
    match grant_type.as_str() {
        "authorization_code" => return authorization_code(&env, &id, &form),
        "refresh_token" => return refresh_token(&env, &id, &form),
        _ => {}
    }
    match env.tokens.issue_grant(&grant) {
        Ok(issued) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(serde_json::json!({
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
            })),
        )
            .into_response(),
        Err(e) => oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e),
    }
}

/// Who presented the credentials of a token request.
enum Client {
    /// The environment's own client (every grant type).
    Environment,
    /// An organization's M2M client (client credentials only), with what
    /// its tokens carry.
    Organization(ClientGrant),
}

/// The client that `id` and `secret` authenticate: the environment's own,
/// or an organization client with any of its live secrets.
fn authenticate(env: &Environment, id: &str, secret: &str) -> Option<Client> {
    if env.credentials_match(id, secret) {
        return Some(Client::Environment);
    }
    let client = env
        .store
        .lock()
        .authenticate_organization_client(id, secret)?;
    Some(Client::Organization(organization_grant(client)))
}

/// The claims an organization client's token carries: its organization,
/// audience, scopes and custom claims; it lives the client's `expiry`
/// seconds when that is set. (A `scope` parameter in the request does not
/// narrow the scopes.)
fn organization_grant(client: M2mClient) -> ClientGrant {
    ClientGrant {
        ttl: u64::try_from(client.expiry).ok().filter(|secs| *secs > 0),
        organization_id: Some(client.organization_id),
        audience: client.audience,
        scopes: client.scopes,
        custom_claims: client
            .custom_claims
            .into_iter()
            .map(|claim| (claim.key, claim.value))
            .collect(),
        client_id: client.client_id,
    }
}

/// `GET /keys`: the JWKS with the environment's signing key.
pub(crate) async fn keys(State(env): State<Arc<Environment>>) -> Response {
    Json(env.tokens.jwks()).into_response()
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn user_tokens_response(issued: Result<UserTokens, String>) -> Response {
    match issued {
        Ok(tokens) => {
            let mut body = serde_json::json!({
                "access_token": tokens.access_token,
                "id_token": tokens.id_token,
                "token_type": "Bearer",
                "expires_in": tokens.expires_in,
            });
            if let (Some(refresh), Some(map)) = (tokens.refresh_token, body.as_object_mut()) {
                map.insert("refresh_token".into(), refresh.into());
            }
            ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
        }
        Err(e) => oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e),
    }
}

/// Whether `verifier` answers the PKCE `challenge` (RFC 7636 §4.6).
fn pkce_matches(challenge: &str, method: &str, verifier: &str) -> bool {
    match method {
        "S256" => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge,
        _ => verifier == challenge,
    }
}

/// The `authorization_code` grant: one-time codes, bound to the client and
/// redirect URI, with PKCE when the authorization request used it.
fn authorization_code(
    env: &Environment,
    client_id: &str,
    form: &HashMap<String, String>,
) -> Response {
    let Some(code) = form.get("code").filter(|c| !c.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code is required",
        );
    };
    let Some(pending) = env.tokens.take_code(code) else {
        return invalid_grant("the code is invalid, expired or already used");
    };
    if pending.client_id != client_id {
        return invalid_grant("the code was issued to another client");
    }
    if form.get("redirect_uri") != Some(&pending.redirect_uri) {
        return invalid_grant("redirect_uri does not match the authorization request");
    }
    let verifier = form.get("code_verifier").filter(|v| !v.is_empty());
    match (&pending.challenge, verifier) {
        (None, None) => {}
        (None, Some(_)) => {
            return invalid_grant("code_verifier sent, but the request had no code_challenge")
        }
        (Some(_), None) => return invalid_grant("code_verifier is required"),
        (Some((challenge, method)), Some(verifier)) => {
            if !pkce_matches(challenge, method, verifier) {
                return invalid_grant("code_verifier does not match the code_challenge");
            }
        }
    }
    let sign_in = access::current(&env.store.lock(), pending.sign_in);
    user_tokens_response(env.tokens.issue_user_tokens(client_id, &sign_in))
}

/// The `refresh_token` grant: rotates the refresh token.
fn refresh_token(env: &Environment, client_id: &str, form: &HashMap<String, String>) -> Response {
    let Some(token) = form.get("refresh_token").filter(|t| !t.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "refresh_token is required",
        );
    };
    let Some(grant) = env.tokens.take_refresh_token(token) else {
        return invalid_grant("the refresh token is invalid or already used");
    };
    if grant.client_id != client_id {
        return invalid_grant("the refresh token was issued to another client");
    }
    let sign_in = access::current(&env.store.lock(), grant.sign_in);
    user_tokens_response(env.tokens.issue_user_tokens(client_id, &sign_in))
}
