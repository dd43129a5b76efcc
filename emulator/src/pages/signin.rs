//! The sign-in page: what `GET /oauth/authorize` shows when the request has
//! no `login_hint`, standing in for Scalekit's hosted login page.
//!
//! - The home page lists the environment's users (the organization's
//!   members when the request names an organization), a page at a time, to
//!   sign in as one; or takes a new email (the user is created); or sends a
//!   passwordless code, shown on the next page with its magic link instead
//!   of emailed.
//! - When the request names a connection, or an organization with an
//!   enabled SSO connection, a simulated identity provider asks for the
//!   attributes it would assert (email, names, groups); the sign-in then
//!   goes through that connection, and the ID token carries them.
//! - Cancel redirects back with `error=access_denied` (and `state`).
//!
//! Every form posts back to the emulator with the pending sign-in's token
//! (see [`pending`]); the authorization request's parameters stay on the
//! server. A sign-in completes as a `login_hint` one does: a session, a
//! one-time code bound to the client, redirect URI and PKCE challenge, and
//! a redirect to the redirect URI with `code` and `state`.

mod pending;
mod views;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use scalekit::proto::commons::{ExternalIdentity, IdentityProviderType};
use scalekit::proto::connections::{Connection, ConnectionType};
use scalekit::proto::domains::DomainType;
use url::Url;

use crate::authorize::{redirect, sign_in_user};
use crate::env::Environment;
use crate::pages::html::FromOwnOrigin;
use crate::services::validate;
use crate::store::passwordless::Credential;
use crate::store::{now, Store};
use crate::tokens::{unix_now, Asserted, PendingCode, SignIn, CODE_TTL_SECS};

pub(crate) use self::pending::{Authorization, PendingSignIns};
use self::views::{error_page, Home, IdentityProvider, PasswordlessSent, UserRow};

/// Users listed per page.
const USERS_PER_PAGE: usize = 10;

/// The routes the page's forms and links use, all under `/oauth/authorize/`.
pub(crate) fn routes() -> Router<Arc<Environment>> {
    Router::new()
        .route("/oauth/authorize/signin", get(more_users))
        .route("/oauth/authorize/user", post(pick_user))
        .route("/oauth/authorize/email", post(new_email))
        .route("/oauth/authorize/sso", post(sso))
        .route("/oauth/authorize/passwordless", post(send_code))
        .route("/oauth/authorize/passwordless/verify", post(verify_code))
        .route("/oauth/authorize/passwordless/link", get(magic_link))
        .route("/oauth/authorize/cancel", post(cancel))
}

fn bad_request(message: &str) -> Response {
    error_page(StatusCode::BAD_REQUEST, "Cannot sign in", message)
}

/// The page for a form whose sign-in is unknown: never opened, used up or
/// expired.
fn not_open() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "This sign-in is no longer open",
        "The form was not sent from a sign-in page the emulator opened, or that sign-in \
         completed, was cancelled or expired. Start again from the application.",
    )
}

/// A readable refusal of an authorization request the page cannot be shown
/// for: no or another client, no usable redirect URI, a response type other
/// than `code`. Nothing is redirected, as the redirect URI is not trusted.
pub(crate) fn refuse(env: &Environment, query: &HashMap<String, String>) -> Option<Response> {
    let get = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let problem = match get("client_id") {
        None => "The request has no client_id.".to_string(),
        Some(id) if id != env.client_id => {
            format!("client_id {id} is not this environment's client.")
        }
        Some(_) => match get("redirect_uri").map(Url::parse) {
            None => "The request has no redirect_uri.".to_string(),
            Some(Err(_)) => "redirect_uri is not an absolute URL.".to_string(),
            Some(Ok(_)) => match get("response_type") {
                Some("code") => return None,
                None => "The request has no response_type; it must be code.".to_string(),
                Some(other) => format!("response_type {other} is not supported; it must be code."),
            },
        },
    };
    Some(bad_request(&problem))
}

/// Opens a sign-in for a validated authorization request and shows its
/// first page: the identity provider when the request asks for an SSO
/// connection, else the home page.
pub(crate) fn show(env: &Environment, mut authorization: Authorization) -> Response {
    let connection = match sso_connection(&env.store.lock(), &authorization) {
        Ok(connection) => connection,
        Err(problem) => return bad_request(&problem),
    };
    if let Some(connection) = &connection {
        authorization.connection_id = Some(connection.id.clone());
        authorization.organization_id = connection.organization_id.clone();
    }
    let token = env.sign_in_pages.open(authorization.clone());
    match connection {
        Some(connection) => identity_provider(env, &token, &authorization, &connection, None, None),
        None => home(env, &token, &authorization, 1, None),
    }
}

/// The SSO connection the request asks for: the one `connection_id`
/// names (it must exist, be enabled and belong to the request's
/// organization), else the organization's first enabled OIDC or SAML
/// connection.
fn sso_connection(
    store: &Store,
    authorization: &Authorization,
) -> Result<Option<Connection>, String> {
    if let Some(id) = &authorization.connection_id {
        let connection = store
            .connections
            .get(id)
            .ok_or_else(|| format!("There is no SSO connection {id}."))?;
        if !connection.enabled {
            return Err(format!("Connection {id} is disabled."));
        }
        if let Some(org) = &authorization.organization_id {
            if connection.organization_id.as_deref() != Some(org) {
                return Err(format!(
                    "Connection {id} does not belong to organization {org}."
                ));
            }
        }
        return Ok(Some(connection.clone()));
    }
    let Some(org) = &authorization.organization_id else {
        return Ok(None);
    };
    Ok(organization_sso(store, org).cloned())
}

/// The organization's first enabled OIDC or SAML connection.
fn organization_sso<'a>(store: &'a Store, organization_id: &str) -> Option<&'a Connection> {
    store.connections.values().find(|c| {
        c.organization_id.as_deref() == Some(organization_id)
            && c.enabled
            && matches!(
                ConnectionType::try_from(c.r#type),
                Ok(ConnectionType::Oidc | ConnectionType::Saml)
            )
    })
}

/// Domain discovery, as the hosted page does it: the enabled SSO
/// connection of the organization whose domain `email` is at (an
/// `ORGANIZATION_DOMAIN`, as connections are listed by domain). Only for a
/// request that names no organization, or names that one.
fn discovered_sso(store: &Store, authorization: &Authorization, email: &str) -> Option<Connection> {
    let (_, domain) = email.rsplit_once('@')?;
    let owner = store.domains.values().find(|d| {
        d.domain.eq_ignore_ascii_case(domain)
            && d.domain_type == DomainType::OrganizationDomain as i32
    })?;
    let named = authorization.organization_id.as_deref();
    if named.is_some_and(|org| org != owner.organization_id) {
        return None;
    }
    organization_sso(store, &owner.organization_id).cloned()
}

/// The redirect URI's origin, to tell the person where they sign in to.
fn app(authorization: &Authorization) -> String {
    Url::parse(&authorization.redirect_uri)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

fn home(
    env: &Environment,
    token: &str,
    authorization: &Authorization,
    page: usize,
    notice: Option<&str>,
) -> Response {
    let store = env.store.lock();
    let org = authorization.organization_id.as_deref();
    let mut users = store
        .users
        .values()
        .filter(|u| org.is_none_or(|org| u.memberships.iter().any(|m| m.organization_id == org)))
        .skip((page - 1) * USERS_PER_PAGE)
        .map(|u| UserRow {
            id: u.id.clone(),
            name: display_name(u),
            email: u.email.clone(),
        })
        .take(USERS_PER_PAGE + 1)
        .collect::<Vec<_>>();
    let has_more = users.len() > USERS_PER_PAGE;
    users.truncate(USERS_PER_PAGE);
    let organization = org.and_then(|id| store.organizations.get(id));
    views::home(&Home {
        token,
        app: &app(authorization),
        organization: organization.map(|o| o.display_name.as_str()),
        users: &users,
        page,
        has_more,
        notice,
    })
}

fn display_name(user: &scalekit::proto::users::User) -> String {
    let Some(profile) = &user.user_profile else {
        return String::new();
    };
    if !profile.name.is_empty() {
        return profile.name.clone();
    }
    [profile.given_name.as_str(), profile.family_name.as_str()]
        .iter()
        .filter(|n| !n.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn identity_provider(
    env: &Environment,
    token: &str,
    authorization: &Authorization,
    connection: &Connection,
    email: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let store = env.store.lock();
    let organization = connection
        .organization_id
        .as_deref()
        .and_then(|id| store.organizations.get(id))
        .map(|o| o.display_name.clone())
        .unwrap_or_default();
    views::identity_provider(&IdentityProvider {
        token,
        app: &app(authorization),
        connection_id: &connection.id,
        connection_type: connection_type(connection),
        provider: provider(connection),
        organization: &organization,
        email,
        notice,
    })
}

fn connection_type(connection: &Connection) -> &'static str {
    ConnectionType::try_from(connection.r#type)
        .map(|t| t.as_str_name())
        .unwrap_or("OIDC")
}

fn provider(connection: &Connection) -> &'static str {
    scalekit::proto::connections::ConnectionProvider::try_from(connection.provider)
        .map(|p| p.as_str_name())
        .unwrap_or("CUSTOM")
}

/// The query of `GET /oauth/authorize/signin`.
#[derive(Debug, serde::Deserialize)]
struct MorePage {
    request: String,
    page: Option<usize>,
}

/// `GET /oauth/authorize/signin?request=…&page=N`: another page of users.
async fn more_users(
    State(env): State<Arc<Environment>>,
    query: Result<Query<MorePage>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_request("The link is missing its request or page.");
    };
    let Some(pending) = env.sign_in_pages.get(&query.request) else {
        return not_open();
    };
    // A sign-in through a connection has no list of users: its page is the
    // identity provider's.
    let connection = pending
        .authorization
        .connection_id
        .as_deref()
        .and_then(|id| env.store.lock().connections.get(id).cloned());
    if let Some(connection) = connection {
        return identity_provider(
            &env,
            &query.request,
            &pending.authorization,
            &connection,
            None,
            None,
        );
    }
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    home(&env, &query.request, &pending.authorization, page, None)
}

/// A form post of an open sign-in: its token, the sign-in and the fields.
struct Posted {
    token: String,
    pending: pending::Pending,
    fields: HashMap<String, String>,
}

impl Posted {
    fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(|v| v.trim()).unwrap_or_default()
    }
}

/// Why a form post was refused before it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refused {
    /// Sent by a page of another site.
    CrossSite,
    /// Not a form.
    Unreadable,
    /// No token of an open sign-in.
    NotOpen,
}

impl Refused {
    fn page(self) -> Response {
        match self {
            Refused::CrossSite => error_page(
                StatusCode::FORBIDDEN,
                "Refused",
                "The form was sent from another site.",
            ),
            Refused::Unreadable => bad_request("The form could not be read."),
            Refused::NotOpen => not_open(),
        }
    }
}

/// Checks a form post: from the emulator's own pages, well-formed, with
/// the token of an open sign-in.
fn posted(
    env: &Environment,
    own_origin: bool,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Posted, Refused> {
    if !own_origin {
        return Err(Refused::CrossSite);
    }
    let Ok(Form(fields)) = form else {
        return Err(Refused::Unreadable);
    };
    let token = fields.get("request").cloned().unwrap_or_default();
    let pending = env.sign_in_pages.get(&token).ok_or(Refused::NotOpen)?;
    Ok(Posted {
        token,
        pending,
        fields,
    })
}

/// [`posted`], refused also when the request asked for a connection, whose
/// identity provider must then be used: for the ways in without SSO.
fn posted_without_sso(
    env: &Environment,
    own_origin: bool,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Posted, Box<Response>> {
    let posted = posted(env, own_origin, form).map_err(|refused| Box::new(refused.page()))?;
    if let Some(connection) = posted.pending.authorization.connection_id.as_deref() {
        return Err(Box::new(bad_request(&format!(
            "This sign-in goes through connection {connection}'s identity provider."
        ))));
    }
    Ok(posted)
}

/// The form's `email`, or the home page again saying it is not one.
fn posted_email(env: &Environment, posted: &Posted) -> Result<String, Box<Response>> {
    validate::email("email", posted.field("email")).map_err(|_| {
        Box::new(home(
            env,
            &posted.token,
            &posted.pending.authorization,
            1,
            Some("Enter a valid email address."),
        ))
    })
}

/// Who signs in, and how.
struct Who {
    user_id: String,
    email: String,
    name: String,
    asserted: Option<Asserted>,
}

/// Ends the sign-in: a session, a one-time code, and the redirect back.
fn complete(env: &Environment, token: &str, who: Who) -> Response {
    let Some(pending) = env.sign_in_pages.take(token) else {
        return not_open();
    };
    let authorization = pending.authorization;
    let Ok(target) = Url::parse(&authorization.redirect_uri) else {
        return bad_request("redirect_uri is not an absolute URL.");
    };
    let session = crate::services::sessions::add_session(
        &mut env.store.lock(),
        &who.user_id,
        scalekit::proto::sessions::SessionDetails {
            organization_id: authorization.organization_id.clone().unwrap_or_default(),
            ..Default::default()
        },
    );
    let session_id = match session {
        Ok(id) => id,
        Err(status) => return bad_request(status.message()),
    };
    let code = env.tokens.store_code(PendingCode {
        client_id: env.client_id.clone(),
        redirect_uri: authorization.redirect_uri.clone(),
        challenge: authorization.challenge,
        sign_in: SignIn {
            // As with `login_hint`: the organization asked for, else the
            // user's only one.
            organization_id: crate::access::organization_of(
                &env.store.lock(),
                &who.user_id,
                authorization.organization_id,
            ),
            user_id: who.user_id,
            email: who.email,
            name: who.name,
            connection_id: authorization.connection_id,
            scope: authorization.scope,
            nonce: authorization.nonce,
            session_id,
            asserted: who.asserted,
            // Read when the tokens are issued.
            roles: Vec::new(),
            permissions: Vec::new(),
        },
        expires_at: unix_now() + CODE_TTL_SECS,
    });
    redirect(
        target,
        &[
            ("code", Some(&code)),
            ("state", authorization.state.as_deref()),
        ],
    )
}

/// Signs in (creating if new) the user with this email.
fn complete_by_email(env: &Environment, token: &str, email: &str) -> Response {
    let (user_id, name) = sign_in_user(env, email);
    complete(
        env,
        token,
        Who {
            user_id,
            email: email.to_string(),
            name,
            asserted: None,
        },
    )
}

/// `POST /oauth/authorize/user`: sign in as a listed user.
async fn pick_user(
    State(env): State<Arc<Environment>>,
    FromOwnOrigin(own_origin): FromOwnOrigin,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let posted = match posted_without_sso(&env, own_origin, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let email = env
        .store
        .lock()
        .users
        .get(posted.field("user_id"))
        .map(|u| u.email.clone());
    match email {
        Some(email) => complete_by_email(&env, &posted.token, &email),
        None => home(
            &env,
            &posted.token,
            &posted.pending.authorization,
            1,
            Some("That user no longer exists."),
        ),
    }
}

/// `POST /oauth/authorize/email`: sign in by email, creating the user; or,
/// when the email's domain belongs to an organization with SSO, on to its
/// identity provider.
async fn new_email(
    State(env): State<Arc<Environment>>,
    FromOwnOrigin(own_origin): FromOwnOrigin,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let posted = match posted_without_sso(&env, own_origin, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let email = match posted_email(&env, &posted) {
        Ok(email) => email,
        Err(home_again) => return *home_again,
    };
    let discovered = discovered_sso(&env.store.lock(), &posted.pending.authorization, &email);
    match discovered {
        Some(connection) => {
            env.sign_in_pages.set_connection(
                &posted.token,
                connection.id.clone(),
                connection.organization_id.clone(),
            );
            identity_provider(
                &env,
                &posted.token,
                &posted.pending.authorization,
                &connection,
                Some(&email),
                None,
            )
        }
        None => complete_by_email(&env, &posted.token, &email),
    }
}

/// `POST /oauth/authorize/sso`: what the identity provider asserted; signs
/// in (creating if new) the user with that email, whose profile takes the
/// asserted names and groups and records the connection's identity.
async fn sso(
    State(env): State<Arc<Environment>>,
    FromOwnOrigin(own_origin): FromOwnOrigin,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let posted = match posted(&env, own_origin, form) {
        Ok(posted) => posted,
        Err(refused) => return refused.page(),
    };
    let authorization = &posted.pending.authorization;
    let connection = authorization
        .connection_id
        .as_deref()
        .and_then(|id| env.store.lock().connections.get(id).cloned());
    let Some(connection) = connection else {
        return bad_request("This sign-in has no SSO connection.");
    };
    let Ok(email) = validate::email("email", posted.field("email")) else {
        return identity_provider(
            &env,
            &posted.token,
            authorization,
            &connection,
            None,
            Some("Enter a valid email address."),
        );
    };
    let given_name = posted.field("given_name").to_string();
    let family_name = posted.field("family_name").to_string();
    let groups: Vec<String> = posted
        .field("groups")
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect();
    let (user_id, _) = sign_in_user(&env, &email);
    let name = [given_name.as_str(), family_name.as_str()]
        .iter()
        .filter(|n| !n.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.is_empty() { email.clone() } else { name };
    record_identity(
        &mut env.store.lock(),
        &user_id,
        &connection,
        &given_name,
        &family_name,
        &name,
        &groups,
    );
    let asserted = Asserted {
        given_name: given_name.clone(),
        family_name: family_name.clone(),
        connection_type: connection_type(&connection).to_string(),
        provider_name: provider(&connection).to_string(),
        raw_attributes: serde_json::json!({
            "email": email, "given_name": given_name, "family_name": family_name,
            "groups": groups,
        }),
    };
    complete(
        &env,
        &posted.token,
        Who {
            user_id,
            email,
            name,
            asserted: Some(asserted),
        },
    )
}

/// Updates a user's profile with what an identity provider asserted, as
/// an SSO sign-in does: names and groups, and the connection's identity.
fn record_identity(
    store: &mut Store,
    user_id: &str,
    connection: &Connection,
    given_name: &str,
    family_name: &str,
    name: &str,
    groups: &[String],
) {
    let Some(user) = store.users.get_mut(user_id) else {
        return;
    };
    let profile = user.user_profile.get_or_insert_with(Default::default);
    if !given_name.is_empty() {
        profile.given_name = given_name.to_string();
    }
    if !family_name.is_empty() {
        profile.family_name = family_name.to_string();
    }
    profile.name = name.to_string();
    profile.groups = groups.to_vec();
    profile.email_verified = true;
    crate::store::align_name_aliases(profile);
    let login = now();
    let provider = IdentityProviderType::from_str_name(provider(connection))
        .unwrap_or(IdentityProviderType::IdentityProviderUnspecified);
    match profile
        .external_identities
        .iter_mut()
        .find(|i| i.connection_id == connection.id)
    {
        Some(identity) => identity.last_login_time = Some(login),
        None => profile.external_identities.push(ExternalIdentity {
            connection_id: connection.id.clone(),
            connection_type: connection_type(connection).to_string(),
            connection_provider: provider as i32,
            connection_user_id: user.email.clone(),
            is_social: false,
            last_login_time: Some(login),
            created_time: Some(login),
            last_synced_time: Some(login),
        }),
    }
    user.update_time = Some(login);
}

/// `POST /oauth/authorize/passwordless`: opens a passwordless auth request
/// for the email and shows its code and magic link.
async fn send_code(
    State(env): State<Arc<Environment>>,
    FromOwnOrigin(own_origin): FromOwnOrigin,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let posted = match posted_without_sso(&env, own_origin, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let email = match posted_email(&env, &posted) {
        Ok(email) => email,
        Err(home_again) => return *home_again,
    };
    let link_uri = format!("{}/oauth/authorize/passwordless/link", env.services.env_url);
    let sent = {
        let mut store = env.store.lock();
        let id = store.ids.next("authreq");
        store.passwordless.open(&id, email, Some(link_uri))
    };
    match sent {
        Ok(sent) => {
            env.sign_in_pages
                .set_passwordless(&posted.token, sent.auth_request_id.clone());
            passwordless_page(&posted.token, &sent, None)
        }
        Err(status) => bad_request(status.message()),
    }
}

fn passwordless_page(
    token: &str,
    sent: &crate::PasswordlessEmail,
    notice: Option<&str>,
) -> Response {
    // The link as a path, so that it works whatever host name the browser
    // reached the emulator by.
    let link = sent
        .magic_link
        .as_deref()
        .and_then(|l| Url::parse(l).ok())
        .map(|l| format!("{}?{}", l.path(), l.query().unwrap_or_default()));
    views::passwordless_sent(&PasswordlessSent {
        token,
        email: &sent.email,
        code: &sent.code,
        link: link.as_deref(),
        notice,
    })
}

/// `POST /oauth/authorize/passwordless/verify`: the code from the email.
async fn verify_code(
    State(env): State<Arc<Environment>>,
    FromOwnOrigin(own_origin): FromOwnOrigin,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let posted = match posted(&env, own_origin, form) {
        Ok(posted) => posted,
        Err(refused) => return refused.page(),
    };
    let Some(request_id) = posted.pending.passwordless.clone() else {
        return bad_request("No code was sent for this sign-in.");
    };
    let verified = env
        .store
        .lock()
        .passwordless
        .verify(&request_id, Credential::Code(posted.field("code")))
        .map(|request| request.email.clone());
    match verified {
        Ok(email) => complete_by_email(&env, &posted.token, &email),
        Err(refusal) => {
            let sent = env.store.lock().passwordless.email_for_request(&request_id);
            match sent {
                Some(sent) => passwordless_page(&posted.token, &sent, Some(refusal.reason())),
                None => bad_request(refusal.reason()),
            }
        }
    }
}

/// The query of the magic link.
#[derive(Debug, serde::Deserialize)]
struct MagicLink {
    link_token: String,
}

/// `GET /oauth/authorize/passwordless/link?link_token=…`: the magic link,
/// opened from the page (or any browser: a link from an email carries no
/// form token; the link token is the secret).
async fn magic_link(
    State(env): State<Arc<Environment>>,
    query: Result<Query<MagicLink>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_request("The link has no link_token.");
    };
    let request_id = env
        .store
        .lock()
        .passwordless
        .request_with_link_token(&query.link_token);
    let Some(request_id) = request_id else {
        return bad_request("The magic link is not valid.");
    };
    let Some(token) = env.sign_in_pages.by_passwordless(&request_id) else {
        return not_open();
    };
    let verified = env
        .store
        .lock()
        .passwordless
        .verify(&request_id, Credential::LinkToken(&query.link_token))
        .map(|request| request.email.clone());
    match verified {
        Ok(email) => complete_by_email(&env, &token, &email),
        Err(refusal) => bad_request(refusal.reason()),
    }
}

/// `POST /oauth/authorize/cancel`: back to the application with
/// `error=access_denied`.
async fn cancel(
    State(env): State<Arc<Environment>>,
    FromOwnOrigin(own_origin): FromOwnOrigin,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let posted = match posted(&env, own_origin, form) {
        Ok(posted) => posted,
        Err(refused) => return refused.page(),
    };
    let Some(pending) = env.sign_in_pages.take(&posted.token) else {
        return not_open();
    };
    let authorization = pending.authorization;
    let Ok(target) = Url::parse(&authorization.redirect_uri) else {
        return bad_request("redirect_uri is not an absolute URL.");
    };
    redirect(
        target,
        &[
            ("error", Some("access_denied")),
            ("error_description", Some("the user cancelled the sign-in")),
            ("state", authorization.state.as_deref()),
        ],
    )
}
