//! The dashboard: server-rendered HTML pages at `/_emulator` that show one
//! environment's state and offer a few actions (create an organization or
//! a user, revoke a session, reset). A browser opening the environment URL
//! (`GET /` asking for HTML) is sent here; gRPC clients get what they got
//! before.
//!
//! Each list pages (`?page=N`, [`layout::PAGE_SIZE`] a page) and each record
//! links to its related ones. Pages read the store under its lock and show
//! no secret value: client secrets, API tokens, domain TXT secrets and
//! connection settings appear by id only. Actions go through the same
//! services the RPCs use, so they validate and record events the same way.
//!
//! [`guard`] decides who may use it; [`layout`] frames its pages, built
//! with [`crate::pages::html`] (which the sign-in pages share) so that every
//! value is escaped; [`hooks`] is where the request journal, the webhook
//! deliveries and reset plug in.

mod activity;
mod credentials;
mod guard;
pub(crate) mod hooks;
mod identity;
mod layout;
mod organizations;
mod overview;
mod roles;
mod sessions;
mod users;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use rand::distributions::{Alphanumeric, DistString as _};

use crate::env::Environment;

/// What every page and the guard share.
pub(crate) struct Dashboard {
    env: Arc<Environment>,
    /// The address the emulator listens on, from its environment URL
    /// (`None` only if that URL were not `http://ADDR`: then every request
    /// is refused).
    bound: Option<SocketAddr>,
    /// The token every form carries; made per emulator, never logged.
    csrf_token: String,
}

impl Dashboard {
    fn new(env: Arc<Environment>) -> Self {
        let bound = env
            .services
            .env_url
            .strip_prefix("http://")
            .and_then(|addr| addr.parse().ok());
        Dashboard {
            env,
            bound,
            csrf_token: Alphanumeric.sample_string(&mut rand::thread_rng(), 32),
        }
    }

    /// Whether `sent` is this dashboard's CSRF token, compared in time that
    /// does not depend on where they differ.
    fn csrf_matches(&self, sent: &str) -> bool {
        let expected = self.csrf_token.as_bytes();
        sent.len() == expected.len()
            && sent
                .bytes()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// The dashboard's routes, all behind [`guard::check`].
pub(crate) fn routes(env: &Arc<Environment>) -> Router<Arc<Environment>> {
    let dashboard = Arc::new(Dashboard::new(env.clone()));
    Router::new()
        .route("/_emulator", get(overview::page))
        .route("/_emulator/", get(overview::page))
        .route("/_emulator/dashboard/reset", post(overview::reset))
        .route(
            "/_emulator/dashboard/organizations",
            get(organizations::list).post(organizations::create),
        )
        .route(
            "/_emulator/dashboard/organizations/{organization_id}",
            get(organizations::detail),
        )
        .route(
            "/_emulator/dashboard/users",
            get(users::list).post(users::create),
        )
        .route("/_emulator/dashboard/users/{user_id}", get(users::detail))
        .route("/_emulator/dashboard/roles", get(roles::list))
        .route("/_emulator/dashboard/roles/{role_id}", get(roles::detail))
        .route(
            "/_emulator/dashboard/connections",
            get(identity::connections),
        )
        .route(
            "/_emulator/dashboard/directories",
            get(identity::directories),
        )
        .route("/_emulator/dashboard/sessions", get(sessions::list))
        .route(
            "/_emulator/dashboard/sessions/{session_id}/revoke",
            post(sessions::revoke),
        )
        .route("/_emulator/dashboard/credentials", get(credentials::list))
        .route("/_emulator/dashboard/events", get(activity::events))
        .route("/_emulator/dashboard/requests", get(activity::requests))
        .route("/_emulator/dashboard/webhooks", get(activity::webhooks))
        .layer(axum::middleware::from_fn_with_state(
            dashboard.clone(),
            guard::check,
        ))
        .with_state(dashboard)
}

/// `/`: a browser (a GET that accepts HTML and is not gRPC) is sent to the
/// dashboard; anything else gets the answer every path no service claims
/// gets, an empty gRPC `UNIMPLEMENTED`.
pub(crate) async fn root(request: Request) -> Response {
    let headers = request.headers();
    let grpc = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if request.method() == axum::http::Method::GET && wants_html && !grpc {
        return Redirect::to("/_emulator").into_response();
    }
    tonic::Status::unimplemented("").into_http::<axum::body::Body>()
}

/// The `?page=N` of a list (1 when absent), as the query carries it.
#[derive(Debug, serde::Deserialize)]
struct PageQuery {
    page: Option<String>,
}

impl PageQuery {
    /// The page asked for; `None` when it is not a positive whole number.
    fn number(&self) -> Option<usize> {
        match self.page.as_deref() {
            None | Some("") => Some(1),
            Some(text) => text.parse().ok().filter(|n| *n >= 1),
        }
    }
}

/// The page of a list a request asks for (1-based); a request for a page
/// that is not a positive whole number is answered with an error page.
struct PageNumber(usize);

impl<S: Send + Sync> FromRequestParts<S> for PageNumber {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        Query::<PageQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|Query(query)| query.number())
            .map(PageNumber)
            .ok_or_else(|| {
                layout::error_page(
                    StatusCode::BAD_REQUEST,
                    "The page must be a whole number from 1.",
                )
            })
    }
}

/// Where each kind of record is shown.
fn organization_href(id: &str) -> String {
    format!("/_emulator/dashboard/organizations/{id}")
}

fn user_href(id: &str) -> String {
    format!("/_emulator/dashboard/users/{id}")
}

fn role_href(id: &str) -> String {
    format!("/_emulator/dashboard/roles/{id}")
}

/// The page for an action the service refused, with the HTTP status that
/// matches its gRPC code and the service's message.
fn refused(status: &tonic::Status) -> Response {
    use tonic::Code;
    let http = match status.code() {
        Code::InvalidArgument => StatusCode::BAD_REQUEST,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists => StatusCode::CONFLICT,
        Code::FailedPrecondition => StatusCode::PRECONDITION_FAILED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    layout::error_page(http, status.message())
}

/// A page for a record that does not exist.
fn not_found(what: &str, id: &str) -> Response {
    layout::error_page(StatusCode::NOT_FOUND, format_args!("No {what} {id}."))
}

/// A timestamp as RFC 3339, or a dash.
fn when(t: Option<&prost_types::Timestamp>) -> String {
    t.map_or_else(|| "–".to_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_start_at_one_and_refuse_the_rest() {
        let page = |p: Option<&str>| {
            PageQuery {
                page: p.map(str::to_string),
            }
            .number()
        };
        assert_eq!(page(None), Some(1));
        assert_eq!(page(Some("")), Some(1));
        assert_eq!(page(Some("3")), Some(3));
        for bad in ["0", "-1", "x", "1.5"] {
            assert_eq!(page(Some(bad)), None, "{bad}");
        }
    }
}
