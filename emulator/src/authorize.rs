//! The browser side of sign-in: `GET /oauth/authorize` signs in the user the
//! `login_hint` names (creating them on first sight) and redirects back with
//! a one-time code; `GET /oidc/logout` redirects to the post-logout URI.
//!
//! With `login_hint` there is no login page: the emulator trusts it, which
//! is what a test wants. Without it a person signs in on the sign-in page
//! ([`crate::pages::signin`]). Either way the `redirect_uri` must be
//! registered (see [`crate::redirects`]); an unregistered one gets an error
//! page, never a redirect.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use scalekit::proto::commons::UserProfile;
use scalekit::proto::users::User;
use url::Url;

use crate::env::Environment;
use crate::store::now;
use crate::tokens::{unix_now, PendingCode, SignIn, CODE_TTL_SECS};
use crate::{access, redirects};

fn bad_request(error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

pub(crate) fn redirect(mut to: Url, params: &[(&str, Option<&str>)]) -> Response {
    {
        let mut query = to.query_pairs_mut();
        for (name, value) in params {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    if to.query() == Some("") {
        to.set_query(None);
    }
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

/// The user with this email, created (with a verified email) if new.
pub(crate) fn sign_in_user(env: &Environment, email: &str) -> (String, String) {
    let mut store = env.store.lock();
    let existing = store.user_id_by_email(email);
    let id = match existing {
        Some(id) => id,
        None => {
            let id = store.ids.next("usr");
            let local = email.split('@').next().unwrap_or(email).to_string();
            let created = now();
            let user = User {
                id: id.clone(),
                environment_id: store.environment_id.clone(),
                create_time: Some(created),
                update_time: Some(created),
                email: email.to_string(),
                user_profile: Some(UserProfile {
                    id: id.clone(),
                    name: local,
                    email_verified: true,
                    ..Default::default()
                }),
                ..Default::default()
            };
            store.users.insert(id.clone(), user);
            id
        }
    };
    let name = match store.users.get_mut(&id) {
        Some(user) => {
            user.last_login_time = Some(now());
            user.user_profile
                .as_ref()
                .map(|p| p.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| user.email.clone())
        }
        None => email.to_string(),
    };
    (id, name)
}

/// `GET /oauth/authorize`.
pub(crate) async fn authorize(
    State(env): State<Arc<Environment>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |name: &str| q.get(name).map(String::as_str).filter(|v| !v.is_empty());
    // Without `login_hint` a person signs in on the sign-in page, which
    // refuses a bad request with a readable page instead of JSON.
    if get("login_hint").is_none() {
        if let Some(refusal) = crate::pages::signin::refuse(&env, &q) {
            return refusal;
        }
    }
    if get("client_id") != Some(env.client_id.as_str()) {
        return bad_request("invalid_client", "unknown client_id");
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return bad_request("invalid_request", "redirect_uri is required");
    };
    let Ok(target) = Url::parse(redirect_uri) else {
        return bad_request("invalid_request", "redirect_uri is not an absolute URL");
    };
    // Never redirect to a URI nobody registered: the error goes on a page.
    if !env.redirect_uris.allows(&target) {
        return redirects::refused_page(redirect_uri, &env.redirect_uris);
    }
    let state = get("state");
    let fail = |error: &str, description: &str| {
        redirect(
            target.clone(),
            &[
                ("error", Some(error)),
                ("error_description", Some(description)),
                ("state", state),
            ],
        )
    };
    if get("response_type") != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return fail(
                "invalid_request",
                "code_challenge_method without code_challenge",
            )
        }
        (Some(challenge), method) => match method.unwrap_or("plain") {
            m @ ("S256" | "plain") => Some((challenge.to_string(), m.to_string())),
            _ => {
                return fail(
                    "invalid_request",
                    "code_challenge_method must be S256 or plain",
                )
            }
        },
    };
    let organization_id = get("organization_id").map(str::to_string);
    if let Some(org) = &organization_id {
        if !env.store.lock().organizations.contains_key(org) {
            return fail("invalid_request", "no such organization");
        }
    }
    // Home-realm discovery: without an explicit organization, the domain
    // hint (the reference sends it as `domain_hint` and `domain`) picks the
    // organization that owns that domain, if any.
    let organization_id = organization_id.or_else(|| {
        let hint = get("domain_hint").or_else(|| get("domain"))?;
        let store = env.store.lock();
        store
            .domains
            .values()
            .find(|d| {
                d.domain.eq_ignore_ascii_case(hint)
                    && d.domain_type
                        == scalekit::proto::domains::DomainType::OrganizationDomain as i32
            })
            .map(|d| d.organization_id.clone())
    });
    let Some(email) = get("login_hint") else {
        return crate::pages::signin::show(
            &env,
            crate::pages::signin::Authorization {
                redirect_uri: redirect_uri.to_string(),
                state: state.map(str::to_string),
                challenge,
                organization_id,
                connection_id: get("connection_id").map(str::to_string),
                scope: get("scope").unwrap_or("openid").to_string(),
                nonce: get("nonce").map(str::to_string),
            },
        );
    };
    let (user_id, name) = sign_in_user(&env, email);
    let organization_id = access::organization_of(&env.store.lock(), &user_id, organization_id);
    // A real session, listable and revocable through SessionService.
    let session = crate::services::sessions::add_session(
        &mut env.store.lock(),
        &user_id,
        scalekit::proto::sessions::SessionDetails {
            organization_id: organization_id.clone().unwrap_or_default(),
            ..Default::default()
        },
    );
    let session_id = match session {
        Ok(id) => id,
        Err(status) => return fail("server_error", status.message()),
    };
    let code = env.tokens.store_code(PendingCode {
        client_id: env.client_id.clone(),
        redirect_uri: redirect_uri.to_string(),
        challenge,
        sign_in: SignIn {
            user_id,
            email: email.to_string(),
            name,
            organization_id,
            connection_id: get("connection_id").map(str::to_string),
            scope: get("scope").unwrap_or("openid").to_string(),
            nonce: get("nonce").map(str::to_string),
            session_id,
            asserted: None,
            // Read when the tokens are issued.
            roles: Vec::new(),
            permissions: Vec::new(),
        },
        expires_at: unix_now() + CODE_TTL_SECS,
    });
    redirect(target, &[("code", Some(&code)), ("state", state)])
}

/// `GET /oidc/logout`: redirects to `post_logout_redirect_uri` (with
/// `state`) when given, else answers that the session ended.
pub(crate) async fn logout(Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |name: &str| q.get(name).map(String::as_str).filter(|v| !v.is_empty());
    match get("post_logout_redirect_uri") {
        Some(uri) => match Url::parse(uri) {
            Ok(target) => redirect(target, &[("state", get("state"))]),
            Err(_) => bad_request(
                "invalid_request",
                "post_logout_redirect_uri is not an absolute URL",
            ),
        },
        None => (StatusCode::OK, "signed out").into_response(),
    }
}
