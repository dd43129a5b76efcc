//! Sign-in for a web app, with axum: the pieces a real application needs
//! around the SDK's sign-in helpers.
//!
//! - `GET /login` sends the browser to Scalekit's authorization URL with
//!   PKCE, `state` and `nonce`. Those three are kept for the callback in an
//!   *encrypted* cookie (axum-extra's `PrivateCookieJar`, AES-GCM), so the
//!   app needs no server-side store and the browser never sees the PKCE
//!   verifier. `?login_hint=<email>` is passed on, as a sign-in form would,
//!   and `?organization_id=<id>` too, as an app's "sign in with SSO" for one
//!   organization would (its identity provider then asks who signs in).
//! - `GET /callback` refuses (400) a callback whose `state` does not match
//!   the cookie's, or that arrives without the cookie (login CSRF), then
//!   exchanges the code with the verifier (the ID token is verified, nonce
//!   included) and sets an encrypted session cookie. The sign-in cookie is
//!   single-use: it is cleared whatever the outcome.
//! - `GET /me` answers the signed-in user as JSON, 401 without a session.
//! - `GET /logout` clears the session and redirects to Scalekit's logout URL,
//!   which comes back to `/`.
//!
//! Both cookies are `HttpOnly`, `SameSite=Lax` (the callback is a top-level
//! navigation from another site, which `Strict` would strip them from),
//! `Secure` when the app is served over https, and carry their own expiry,
//! checked on every request. A cookie-only session cannot be revoked before
//! it expires: an app that needs that keeps sessions server-side (for
//! example with tower-sessions) and puts only the session id in the cookie.
//!
//! ```text
//! cargo run --example axum_sso
//! ```
//!
//! Without `SCALEKIT_ENVIRONMENT_URL` (and `_CLIENT_ID`, `_CLIENT_SECRET`) it
//! starts an embedded `scalekit-emulator`, which signs in whoever
//! `login_hint` names, and otherwise shows its sign-in page (pick a user, a
//! new email, passwordless); the program prints the URL to open. With them set it
//! runs against that environment: register `http://localhost:3000/callback`
//! as a redirect URI there first. `PORT` changes the port (default 3000).
//!
//! [`app`] builds the whole `Router`; `main` only reads the environment and
//! binds the port, so tests drive the same routes.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRef, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar, SameSite};
use scalekit::oidc::{
    generate_nonce, generate_state, AuthenticationOptions, AuthorizationUrlOptions,
    LogoutUrlOptions, Pkce,
};
use scalekit::{Error, ScalekitClient, TokenError, ENV_ENVIRONMENT_URL};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq as _;

/// The cookie holding an in-progress sign-in (`state`, PKCE verifier, nonce).
const LOGIN_COOKIE: &str = "sso_login";
/// The cookie holding the signed-in session.
const SESSION_COOKIE: &str = "session";
/// How long a user may take between `/login` and `/callback`.
const LOGIN_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a session lasts unless [`Config::session_ttl`] says otherwise.
const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(8 * 60 * 60);

/// What the app needs besides the SDK client.
#[derive(Clone)]
pub struct Config {
    /// Where browsers reach the app, without a trailing slash
    /// (`http://localhost:3000`). The redirect URI is `{public_url}/callback`.
    public_url: String,
    /// Encrypts and authenticates the cookies. Load it from configuration in
    /// a real app, so that sessions survive a restart.
    cookie_key: Key,
    /// How long a session stays valid after sign-in.
    pub session_ttl: Duration,
}

impl Config {
    /// A configuration for an app reachable at `public_url`.
    pub fn new(public_url: &str, cookie_key: Key) -> Config {
        Config {
            public_url: public_url.trim_end_matches('/').to_string(),
            cookie_key,
            session_ttl: DEFAULT_SESSION_TTL,
        }
    }

    fn redirect_uri(&self) -> String {
        format!("{}/callback", self.public_url)
    }

    fn home(&self) -> String {
        format!("{}/", self.public_url)
    }

    /// A cookie with the attributes both of ours share.
    fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.public_url.starts_with("https://"))
            .build()
    }

    /// What removes cookie `name`: the same name and path, expired.
    fn removal(&self, name: &'static str) -> Cookie<'static> {
        Cookie::build(name).path("/").build()
    }
}

#[derive(Clone)]
struct AppState {
    client: ScalekitClient,
    config: Arc<Config>,
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.config.cookie_key.clone()
    }
}

/// The sign-in in progress, between `/login` and `/callback`.
#[derive(Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    verifier: String,
    nonce: String,
    expires_at: u64,
}

/// What `/me` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedInUser {
    /// The Scalekit user id (`sub`).
    pub id: String,
    /// The user's email, when the ID token carries it.
    pub email: Option<String>,
    /// The user's display name, when the ID token carries it.
    pub name: Option<String>,
}

/// The session cookie's content.
#[derive(Serialize, Deserialize)]
struct Session {
    user: SignedInUser,
    /// Sent back as `id_token_hint` on logout, so Scalekit knows whose
    /// session to end.
    id_token: String,
    expires_at: u64,
}

/// The app: `/`, `/login`, `/callback`, `/me` and `/logout`.
pub fn app(client: ScalekitClient, config: Config) -> Router {
    let state = AppState {
        client,
        config: Arc::new(config),
    };
    Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/me", get(me))
        .route("/logout", get(logout))
        .with_state(state)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A plain-text refusal (never HTML: messages may echo the query).
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, message.into()).into_response()
}

/// Reads and decrypts cookie `name` as JSON. `None` when absent, forged,
/// encrypted with another key, or not what we wrote.
fn read<T: serde::de::DeserializeOwned>(jar: &PrivateCookieJar, name: &str) -> Option<T> {
    serde_json::from_str(jar.get(name)?.value()).ok()
}

async fn home() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<title>Scalekit SSO example</title>
<form action="/login"><input name="login_hint" type="email" placeholder="you@company.com">
<button>Sign in</button></form>
<p><a href="/me">/me</a> · <a href="/logout">sign out</a></p>"#,
    )
}

#[derive(Deserialize)]
struct LoginParams {
    login_hint: Option<String>,
    organization_id: Option<String>,
}

async fn login(
    State(app): State<AppState>,
    jar: PrivateCookieJar,
    Query(params): Query<LoginParams>,
) -> Response {
    let secrets =
        Pkce::generate().and_then(|pkce| Ok((pkce, generate_state()?, generate_nonce()?)));
    let Ok((pkce, state, nonce)) = secrets else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "no random source");
    };
    let mut opts = AuthorizationUrlOptions::default()
        .with_scopes(["openid", "profile", "email"])
        .with_state(state.clone())
        .with_nonce(nonce.clone())
        .with_pkce(&pkce);
    if let Some(hint) = params.login_hint.filter(|h| !h.trim().is_empty()) {
        opts = opts.with_login_hint(hint.trim());
    }
    if let Some(organization) = params.organization_id.filter(|o| !o.trim().is_empty()) {
        opts = opts.with_organization_id(organization.trim());
    }
    let url = match app
        .client
        .get_authorization_url(&app.config.redirect_uri(), opts)
    {
        Ok(url) => url,
        Err(err) => {
            eprintln!("authorization URL: {err}");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "sign-in is misconfigured",
            );
        }
    };
    let pending = PendingLogin {
        state,
        verifier: pkce.verifier,
        nonce,
        expires_at: unix_now() + LOGIN_TTL.as_secs(),
    };
    let Ok(value) = serde_json::to_string(&pending) else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "could not start sign-in");
    };
    let jar = jar.add(app.config.cookie(LOGIN_COOKIE, value));
    (jar, Redirect::to(url.as_str())).into_response()
}

#[derive(Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(app): State<AppState>,
    jar: PrivateCookieJar,
    Query(params): Query<CallbackParams>,
) -> Response {
    // Single use: whatever happens next, this sign-in attempt is over.
    let pending: Option<PendingLogin> = read(&jar, LOGIN_COOKIE);
    let jar = jar.remove(app.config.removal(LOGIN_COOKIE));
    let refused = |status, message: String| (jar.clone(), refuse(status, message)).into_response();

    let Some(pending) = pending.filter(|p| unix_now() < p.expires_at) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "no sign-in in progress in this browser (or it expired): start again at /login".into(),
        );
    };
    let returned = params.state.unwrap_or_default();
    if !bool::from(returned.as_bytes().ct_eq(pending.state.as_bytes())) {
        return refused(StatusCode::BAD_REQUEST, "state does not match".into());
    }
    if let Some(error) = params.error {
        let detail = params.error_description.unwrap_or_default();
        return refused(
            StatusCode::BAD_REQUEST,
            format!("sign-in failed: {error} {detail}"),
        );
    }
    let Some(code) = params.code.filter(|c| !c.is_empty()) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "the callback carries no code".into(),
        );
    };

    let auth = match app
        .client
        .authenticate_with_code(
            &code,
            &app.config.redirect_uri(),
            AuthenticationOptions::default()
                .with_code_verifier(pending.verifier)
                .with_nonce(pending.nonce),
        )
        .await
    {
        Ok(auth) => auth,
        Err(err) => {
            eprintln!("code exchange: {err}");
            // A refused or replayed code is the caller's problem; an
            // unreachable or misbehaving Scalekit is ours.
            let status = match &err {
                Error::Auth(TokenError::Status { status, .. }) if *status < 500 => {
                    StatusCode::BAD_REQUEST
                }
                Error::InvalidToken(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::BAD_GATEWAY,
            };
            return refused(status, "sign-in could not be completed".into());
        }
    };
    let session = Session {
        user: SignedInUser {
            id: auth.user.id,
            email: auth.user.email,
            name: auth.user.name,
        },
        id_token: auth.id_token,
        expires_at: unix_now() + app.config.session_ttl.as_secs(),
    };
    let Ok(value) = serde_json::to_string(&session) else {
        return refused(StatusCode::INTERNAL_SERVER_ERROR, "no session".into());
    };
    let jar = jar.add(app.config.cookie(SESSION_COOKIE, value));
    (jar, Redirect::to("/me")).into_response()
}

async fn me(jar: PrivateCookieJar) -> Response {
    let session: Option<Session> = read(&jar, SESSION_COOKIE);
    match session.filter(|s| unix_now() < s.expires_at) {
        Some(session) => Json(session.user).into_response(),
        None => refuse(StatusCode::UNAUTHORIZED, "not signed in"),
    }
}

async fn logout(State(app): State<AppState>, jar: PrivateCookieJar) -> Response {
    let session: Option<Session> = read(&jar, SESSION_COOKIE);
    let jar = jar.remove(app.config.removal(SESSION_COOKIE));
    let mut opts = LogoutUrlOptions::default().with_post_logout_redirect_uri(app.config.home());
    if let Some(session) = session {
        opts = opts.with_id_token_hint(session.id_token);
    }
    (jar, Redirect::to(&app.client.get_logout_url(opts))).into_response()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    // Keep the emulator alive for the whole run when we start one.
    let (client, emulator) = if std::env::var_os(ENV_ENVIRONMENT_URL).is_some() {
        (ScalekitClient::from_env()?, None)
    } else {
        let emulator = scalekit_emulator::Emulator::builder().start().await?;
        let client = emulator.client()?;
        (client, Some(emulator))
    };

    let public_url = format!("http://localhost:{port}");
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    match &emulator {
        Some(emulator) => {
            println!(
                "no {ENV_ENVIRONMENT_URL} set: using an embedded scalekit-emulator at {}",
                emulator.env_url()
            );
            println!("the emulator signs in whoever login_hint names; open");
            println!("  {public_url}/login?login_hint=ada%40example.com");
            println!(
                "to sign in as ada@example.com, then {public_url}/me and {public_url}/logout;"
            );
            println!("or {public_url}/login for the emulator's sign-in page");
        }
        None => println!("open {public_url}/ and sign in"),
    }
    axum::serve(
        listener,
        app(client, Config::new(&public_url, Key::generate())),
    )
    .await?;
    Ok(())
}
