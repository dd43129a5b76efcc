//! Emulator-only HTTP endpoints under `/_emulator/`: test setup and
//! inspection for programs that cannot call [`EmulatorHandle`] methods
//! because they run in another process (the Node SDK compatibility suite).
//! A real Scalekit environment has none of them.
//!
//! Every endpoint takes the environment's client credentials as HTTP Basic
//! auth and answers JSON. Errors are `{"code": "NotFound", "message": …}`
//! with the matching HTTP status.
//!
//! | method and path | does | as |
//! |---|---|---|
//! | `POST /_emulator/users/{user_id}/sessions` | adds an active session, body `{"organization_id"?, "user_agent"?, "ip"?}` | [`EmulatorHandle::add_session`] |
//! | `POST /_emulator/users/{user_id}/webauthn-credentials` | adds a passkey, body `{"display_name"?}` | [`EmulatorHandle::add_webauthn_credential`] |
//! | `GET /_emulator/passwordless/{auth_request_id}` | the latest email sent for the request | [`EmulatorHandle::passwordless_email`] |
//! | `POST /_emulator/connections/{connection_id}/login-requests` | opens a login request | [`EmulatorHandle::start_login_request`] |
//! | `GET /_emulator/login-requests/{login_request_id}` | the user reported for it (`null` if none yet) | [`EmulatorHandle::login_user_details`] |
//! | `POST /_emulator/idp-initiated-login-token` | mints an IdP-initiated sign-in token, body `{"connection_id", "organization_id", "login_hint", "relay_state"?}` | [`EmulatorHandle::idp_initiated_login_token`] |
//! | `POST /_emulator/users/{user_id}/tokens` | signs the user in and answers `{"access_token", "id_token", "token_type", "expires_in"}`, body `{"organization_id"?}` | [`EmulatorHandle::mint_user_token`] |
//!
//! [`EmulatorHandle`]: crate::EmulatorHandle
//! [`EmulatorHandle::add_session`]: crate::EmulatorHandle::add_session
//! [`EmulatorHandle::add_webauthn_credential`]: crate::EmulatorHandle::add_webauthn_credential
//! [`EmulatorHandle::passwordless_email`]: crate::EmulatorHandle::passwordless_email
//! [`EmulatorHandle::start_login_request`]: crate::EmulatorHandle::start_login_request
//! [`EmulatorHandle::login_user_details`]: crate::EmulatorHandle::login_user_details
//! [`EmulatorHandle::idp_initiated_login_token`]: crate::EmulatorHandle::idp_initiated_login_token
//! [`EmulatorHandle::mint_user_token`]: crate::EmulatorHandle::mint_user_token

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use scalekit::proto::auth::webauthn::WebAuthnCredential;
use scalekit::proto::sessions::{DeviceDetails, SessionDetails};
use serde::Deserialize;
use tonic::{Code, Status};

use crate::env::Environment;
use crate::services;

/// The `/_emulator/…` routes.
pub(crate) fn routes() -> Router<Arc<Environment>> {
    Router::new()
        .route("/_emulator/users/{user_id}/sessions", post(add_session))
        .route(
            "/_emulator/users/{user_id}/webauthn-credentials",
            post(add_credential),
        )
        .route(
            "/_emulator/passwordless/{auth_request_id}",
            get(passwordless_email),
        )
        .route(
            "/_emulator/connections/{connection_id}/login-requests",
            post(start_login_request),
        )
        .route(
            "/_emulator/login-requests/{login_request_id}",
            get(login_request),
        )
        .route(
            "/_emulator/idp-initiated-login-token",
            post(idp_initiated_login_token),
        )
        .route("/_emulator/users/{user_id}/tokens", post(mint_user_token))
}

#[derive(Debug, Default, Deserialize)]
struct MintBody {
    organization_id: Option<String>,
}

async fn mint_user_token(
    State(env): State<Arc<Environment>>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<MintBody>>,
) -> Response {
    if !authorized(&env, &headers) {
        return unauthorized();
    }
    let body = body.map(|Json(b)| b).unwrap_or_default();
    match crate::mint::mint(&env, &user_id, body.organization_id.as_deref()) {
        Ok(tokens) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(serde_json::json!({
                "access_token": tokens.access_token,
                "id_token": tokens.id_token,
                "token_type": "Bearer",
                "expires_in": tokens.expires_in,
            })),
        )
            .into_response(),
        Err(status) => from_status(&status),
    }
}

#[derive(Debug, Deserialize)]
struct IdpInitiatedBody {
    connection_id: String,
    organization_id: String,
    login_hint: String,
    relay_state: Option<String>,
}

async fn idp_initiated_login_token(
    State(env): State<Arc<Environment>>,
    headers: HeaderMap,
    body: Option<Json<IdpInitiatedBody>>,
) -> Response {
    if !authorized(&env, &headers) {
        return unauthorized();
    }
    let Some(Json(body)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "body must be JSON with connection_id, organization_id and login_hint",
        );
    };
    match env.idp_initiated_login_token(
        &body.connection_id,
        &body.organization_id,
        &body.login_hint,
        body.relay_state.as_deref(),
    ) {
        Ok(token) => Json(serde_json::json!({ "token": token })).into_response(),
        Err(message) => error(StatusCode::INTERNAL_SERVER_ERROR, "Internal", &message),
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": message });
    (status, Json(body)).into_response()
}

fn from_status(status: &Status) -> Response {
    let http = match status.code() {
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::InvalidArgument => StatusCode::BAD_REQUEST,
        Code::AlreadyExists => StatusCode::CONFLICT,
        Code::FailedPrecondition => StatusCode::PRECONDITION_FAILED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let code = format!("{:?}", status.code());
    error(http, &code, status.message())
}

/// Whether the request carries the environment's client credentials as
/// HTTP Basic auth.
pub(crate) fn authorized(env: &Environment, headers: &HeaderMap) -> bool {
    let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Some(decoded) = STANDARD
        .decode(basic.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return false;
    };
    decoded
        .split_once(':')
        .is_some_and(|(id, secret)| env.credentials_match(id, secret))
}

fn unauthorized() -> Response {
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
        "the environment's client credentials are required as HTTP Basic auth",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Basic realm=\"scalekit-emulator\""),
    );
    response
}

#[derive(Debug, Default, Deserialize)]
struct SessionBody {
    organization_id: Option<String>,
    user_agent: Option<String>,
    ip: Option<String>,
}

async fn add_session(
    State(env): State<Arc<Environment>>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<SessionBody>>,
) -> Response {
    if !authorized(&env, &headers) {
        return unauthorized();
    }
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let device = (body.user_agent.is_some() || body.ip.is_some()).then(|| DeviceDetails {
        user_agent: body.user_agent.unwrap_or_default(),
        ip: body.ip.unwrap_or_default(),
        ..Default::default()
    });
    let template = SessionDetails {
        organization_id: body.organization_id.unwrap_or_default(),
        device,
        ..Default::default()
    };
    let mut store = env.store.lock();
    match services::sessions::add_session(&mut store, &user_id, template) {
        Ok(id) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "session_id": id })),
        )
            .into_response(),
        Err(status) => from_status(&status),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CredentialBody {
    display_name: Option<String>,
}

async fn add_credential(
    State(env): State<Arc<Environment>>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<CredentialBody>>,
) -> Response {
    if !authorized(&env, &headers) {
        return unauthorized();
    }
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let template = WebAuthnCredential {
        display_name: body.display_name,
        ..Default::default()
    };
    let mut store = env.store.lock();
    match services::webauthn::add_credential(&mut store, &user_id, template) {
        Ok(id) => (StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response(),
        Err(status) => from_status(&status),
    }
}

async fn passwordless_email(
    State(env): State<Arc<Environment>>,
    Path(auth_request_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&env, &headers) {
        return unauthorized();
    }
    let email = env
        .store
        .lock()
        .passwordless
        .email_for_request(&auth_request_id);
    match email {
        Some(m) => Json(serde_json::json!({
            "auth_request_id": m.auth_request_id,
            "email": m.email,
            "code": m.code,
            "link_token": m.link_token,
            "magic_link": m.magic_link,
            "template": m.template.as_str_name(),
            "template_variables": m.template_variables,
            "expires_at": m.expires_at,
        }))
        .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("no email was sent for auth request {auth_request_id}"),
        ),
    }
}

async fn start_login_request(
    State(env): State<Arc<Environment>>,
    Path(connection_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&env, &headers) {
        return unauthorized();
    }
    let mut store = env.store.lock();
    match services::auth::start_login_request(&mut store, &connection_id) {
        Ok(id) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "login_request_id": id })),
        )
            .into_response(),
        Err(status) => from_status(&status),
    }
}

async fn login_request(
    State(env): State<Arc<Environment>>,
    Path(login_request_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&env, &headers) {
        return unauthorized();
    }
    let store = env.store.lock();
    let Some(login) = store.login_requests.get(&login_request_id) else {
        return error(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("login request {login_request_id} not found"),
        );
    };
    let user = login.user.as_ref().map(|u| {
        serde_json::json!({
            "sub": u.sub,
            "email": u.email,
            "given_name": u.given_name,
            "family_name": u.family_name,
            "email_verified": u.email_verified,
            "name": u.name,
            "groups": u.groups,
        })
    });
    Json(serde_json::json!({
        "login_request_id": login_request_id,
        "connection_id": login.connection_id,
        "user": user,
    }))
    .into_response()
}
