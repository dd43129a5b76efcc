//! The programs in `examples/`, driven end to end. Each example's source is
//! included as a module, so these tests run the very code that ships; only
//! its `main` goes unused here.
//!
//! One file for all of them: every test file is a separate binary to link.

#[cfg(feature = "oidc")]
#[allow(dead_code)]
#[path = "../examples/axum_sso.rs"]
mod axum_sso;

#[cfg(feature = "webhook")]
#[allow(dead_code)]
#[path = "../examples/webhooks.rs"]
mod webhooks;

#[allow(dead_code)]
#[path = "../examples/raw_grpc.rs"]
mod raw_grpc;

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

use scalekit::organizations::CreateOrganizationOptions;
use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
use scalekit::ScalekitClient;
use scalekit_emulator::{Emulator, EmulatorHandle};

async fn emulator() -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    Ok((emulator, client))
}

/// Creates an organization with a user for each email; returns their ids.
async fn create_users(client: &ScalekitClient, emails: &[&str]) -> anyhow::Result<Vec<String>> {
    let organization = client
        .organizations()
        .create_organization("Examples Inc", CreateOrganizationOptions::default())
        .await?;
    let mut ids = Vec::new();
    for email in emails {
        let user = client
            .users()
            .create_user_and_membership(
                &organization.id,
                CreateUser {
                    email: (*email).into(),
                    ..Default::default()
                },
                CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
            )
            .await?;
        ids.push(user.id);
    }
    Ok(ids)
}

/// Serves `router` on `127.0.0.1:0`; returns its origin (`http://127.0.0.1:port`).
#[cfg(any(feature = "oidc", feature = "webhook"))]
async fn serve_on_free_port(
    bind: impl FnOnce(&str) -> axum::Router,
) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    let router = bind(&origin);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((origin, server))
}

#[cfg(feature = "oidc")]
mod axum_sso_flow {
    use std::time::Duration;

    use anyhow::{ensure, Context as _};
    use axum_extra::extract::cookie::Key;
    use reqwest::StatusCode;
    use url::Url;

    use super::axum_sso::{app, Config, SignedInUser};
    use super::*;

    /// The `Location` of a redirect, resolved against the request's URL.
    fn location(response: &reqwest::Response) -> anyhow::Result<Url> {
        let value = response
            .headers()
            .get(reqwest::header::LOCATION)
            .context("no Location")?
            .to_str()?;
        Ok(response.url().join(value)?)
    }

    fn query_param(url: &Url, name: &str) -> Option<String> {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    struct Running {
        emulator: EmulatorHandle,
        client: ScalekitClient,
        origin: String,
        _server: tokio::task::JoinHandle<()>,
    }

    async fn start(session_ttl: Option<Duration>) -> anyhow::Result<Running> {
        let (emulator, client) = super::emulator().await?;
        let app_client = client.clone();
        let (origin, server) = serve_on_free_port(|origin| {
            let mut config = Config::new(origin, Key::generate());
            if let Some(ttl) = session_ttl {
                config.session_ttl = ttl;
            }
            app(app_client, config)
        })
        .await?;
        Ok(Running {
            emulator,
            client,
            origin,
            _server: server,
        })
    }

    /// A browser that keeps cookies and follows no redirect by itself, so
    /// that each hop can be checked.
    fn browser() -> anyhow::Result<reqwest::Client> {
        Ok(reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?)
    }

    fn set_cookies(response: &reqwest::Response) -> Vec<String> {
        response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    fn cookie<'a>(cookies: &'a [String], name: &str) -> Option<&'a str> {
        cookies
            .iter()
            .map(String::as_str)
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// `/login` (as `email`) and the emulator's authorize hop: returns the
    /// callback URL the emulator sends the browser to.
    async fn authorize(
        app: &Running,
        browser: &reqwest::Client,
        email: &str,
    ) -> anyhow::Result<Url> {
        let login = browser
            .get(format!("{}/login", app.origin))
            .query(&[("login_hint", email)])
            .send()
            .await?;
        ensure!(
            login.status() == StatusCode::SEE_OTHER,
            "{}",
            login.status()
        );
        let authorize = location(&login)?;
        ensure!(authorize
            .as_str()
            .starts_with(&format!("{}/oauth/authorize?", app.emulator.env_url())));
        let back = browser.get(authorize).send().await?;
        ensure!(back.status() == StatusCode::FOUND, "{}", back.status());
        location(&back)
    }

    #[tokio::test]
    async fn sign_in_me_logout_succeed_end_to_end() -> anyhow::Result<()> {
        let app = start(None).await?;
        let ids = create_users(&app.client, &["ada@examples.test"]).await?;
        let browser = browser()?;

        let me = browser.get(format!("{}/me", app.origin)).send().await?;
        ensure!(me.status() == StatusCode::UNAUTHORIZED, "{}", me.status());

        // /login: to the authorization URL, with PKCE, state and nonce, and
        // the sign-in secrets in an encrypted cookie.
        let login = browser
            .get(format!("{}/login", app.origin))
            .query(&[("login_hint", "ada@examples.test")])
            .send()
            .await?;
        ensure!(
            login.status() == StatusCode::SEE_OTHER,
            "{}",
            login.status()
        );
        let authorize = location(&login)?;
        ensure!(authorize
            .as_str()
            .starts_with(&format!("{}/oauth/authorize?", app.emulator.env_url())));
        let param = |name| query_param(&authorize, name);
        ensure!(param("redirect_uri") == Some(format!("{}/callback", app.origin)));
        ensure!(param("login_hint").as_deref() == Some("ada@examples.test"));
        ensure!(param("code_challenge_method").as_deref() == Some("S256"));
        ensure!(param("code_challenge").is_some_and(|c| c.len() == 43));
        ensure!(param("nonce").is_some());
        let state = param("state").context("no state")?;
        let cookies = set_cookies(&login);
        let login_cookie = cookie(&cookies, "sso_login").context("no sign-in cookie")?;
        ensure!(login_cookie.contains("HttpOnly"), "{login_cookie}");
        ensure!(login_cookie.contains("SameSite=Lax"), "{login_cookie}");
        ensure!(login_cookie.contains("Path=/"), "{login_cookie}");
        ensure!(
            !login_cookie.contains("Secure"),
            "plain http: {login_cookie}"
        );
        ensure!(!login_cookie.contains(&state), "encrypted: {login_cookie}");

        // The emulator signs Ada in and sends the browser back.
        let back = browser.get(authorize).send().await?;
        ensure!(back.status() == StatusCode::FOUND, "{}", back.status());
        let callback = location(&back)?;
        ensure!(callback
            .as_str()
            .starts_with(&format!("{}/callback?", app.origin)));
        ensure!(query_param(&callback, "state") == Some(state));

        // /callback: code exchanged, session set, sign-in cookie cleared.
        let signed_in = browser.get(callback.clone()).send().await?;
        ensure!(
            signed_in.status() == StatusCode::SEE_OTHER,
            "{}",
            signed_in.status()
        );
        ensure!(location(&signed_in)?.as_str() == format!("{}/me", app.origin));
        let cookies = set_cookies(&signed_in);
        let session = cookie(&cookies, "session").context("no session cookie")?;
        ensure!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
        ensure!(
            session.len() < 4096,
            "browsers drop {} bytes",
            session.len()
        );
        let cleared = cookie(&cookies, "sso_login").context("sign-in cookie kept")?;
        ensure!(cleared.contains("Max-Age=0"), "{cleared}");

        let me = browser.get(format!("{}/me", app.origin)).send().await?;
        ensure!(me.status() == StatusCode::OK, "{}", me.status());
        let user: SignedInUser = me.json().await?;
        ensure!(user.id == ids[0], "{user:?}");
        ensure!(
            user.email.as_deref() == Some("ada@examples.test"),
            "{user:?}"
        );

        // The callback is single-use.
        let again = browser.get(callback).send().await?;
        ensure!(
            again.status() == StatusCode::BAD_REQUEST,
            "{}",
            again.status()
        );

        // /logout: session cleared, off to Scalekit's logout, back home.
        let logout = browser.get(format!("{}/logout", app.origin)).send().await?;
        ensure!(
            logout.status() == StatusCode::SEE_OTHER,
            "{}",
            logout.status()
        );
        let end_session = location(&logout)?;
        ensure!(end_session
            .as_str()
            .starts_with(&format!("{}/oidc/logout?", app.emulator.env_url())));
        ensure!(
            query_param(&end_session, "post_logout_redirect_uri")
                == Some(format!("{}/", app.origin))
        );
        ensure!(query_param(&end_session, "id_token_hint").is_some());
        let home = browser.get(end_session).send().await?;
        ensure!(home.status() == StatusCode::FOUND, "{}", home.status());
        let home = location(&home)?;
        ensure!(home.as_str() == format!("{}/", app.origin), "{home}");
        let page = browser.get(home).send().await?;
        ensure!(page.status() == StatusCode::OK, "{}", page.status());

        let me = browser.get(format!("{}/me", app.origin)).send().await?;
        ensure!(me.status() == StatusCode::UNAUTHORIZED, "{}", me.status());
        Ok(())
    }

    #[tokio::test]
    async fn callback_with_forged_state_is_refused() -> anyhow::Result<()> {
        let app = start(None).await?;
        let browser = browser()?;
        let callback = authorize(&app, &browser, "eve@examples.test").await?;

        let mut forged = callback.clone();
        let code = query_param(&callback, "code").context("code")?;
        forged
            .query_pairs_mut()
            .clear()
            .append_pair("code", &code)
            .append_pair("state", "forged");
        let refused = browser.get(forged).send().await?;
        ensure!(
            refused.status() == StatusCode::BAD_REQUEST,
            "{}",
            refused.status()
        );
        ensure!(refused.text().await?.contains("state"));

        // The refusal ended the attempt: the genuine callback no longer
        // signs in either.
        let genuine = browser.get(callback).send().await?;
        ensure!(
            genuine.status() == StatusCode::BAD_REQUEST,
            "{}",
            genuine.status()
        );
        let me = browser.get(format!("{}/me", app.origin)).send().await?;
        ensure!(me.status() == StatusCode::UNAUTHORIZED, "{}", me.status());
        Ok(())
    }

    #[tokio::test]
    async fn callback_in_another_browser_is_refused() -> anyhow::Result<()> {
        // Login CSRF: an attacker starts a sign-in and gets a victim's
        // browser to open the callback. The victim has no sign-in cookie.
        let app = start(None).await?;
        let attacker = browser()?;
        let callback = authorize(&app, &attacker, "mallory@examples.test").await?;

        let victim = browser()?;
        let refused = victim.get(callback.clone()).send().await?;
        ensure!(
            refused.status() == StatusCode::BAD_REQUEST,
            "{}",
            refused.status()
        );
        let me = victim.get(format!("{}/me", app.origin)).send().await?;
        ensure!(me.status() == StatusCode::UNAUTHORIZED, "{}", me.status());

        // In the browser that started it, the same callback works.
        let signed_in = attacker.get(callback).send().await?;
        ensure!(
            signed_in.status() == StatusCode::SEE_OTHER,
            "{}",
            signed_in.status()
        );
        Ok(())
    }

    #[tokio::test]
    async fn me_after_session_expiry_is_unauthorized() -> anyhow::Result<()> {
        let app = start(Some(Duration::ZERO)).await?;
        let browser = browser()?;
        let callback = authorize(&app, &browser, "ada@examples.test").await?;
        let signed_in = browser.get(callback).send().await?;
        ensure!(
            signed_in.status() == StatusCode::SEE_OTHER,
            "{}",
            signed_in.status()
        );
        ensure!(cookie(&set_cookies(&signed_in), "session").is_some());
        let me = browser.get(format!("{}/me", app.origin)).send().await?;
        ensure!(me.status() == StatusCode::UNAUTHORIZED, "{}", me.status());
        Ok(())
    }
}

#[cfg(feature = "webhook")]
mod webhooks_endpoint {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use anyhow::ensure;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use hmac::{Hmac, Mac as _};
    use reqwest::StatusCode;

    use super::serve_on_free_port;
    use super::webhooks::{app, Receiver};

    const KEY: &[u8] = b"examples test signing key bytes!";
    const START: u64 = 1_700_000_000;
    const EVENT: &[u8] = br#"{"id":"evt_1","type":"organization.created","data":{"id":"org_1"}}"#;

    fn secret() -> String {
        format!("whsec_{}", STANDARD.encode(KEY))
    }

    /// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, as Scalekit
    /// signs, computed here independently of the SDK.
    fn sign(key: &[u8], id: &str, timestamp: u64, body: &[u8]) -> anyhow::Result<String> {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key)?;
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        Ok(format!(
            "v1,{}",
            STANDARD.encode(mac.finalize().into_bytes())
        ))
    }

    struct Endpoint {
        url: String,
        receiver: Arc<Receiver>,
        /// The receiver's clock, in seconds since the epoch.
        now: Arc<AtomicU64>,
        http: reqwest::Client,
        _server: tokio::task::JoinHandle<()>,
    }

    impl Endpoint {
        async fn start(capacity: Option<usize>) -> anyhow::Result<Endpoint> {
            let now = Arc::new(AtomicU64::new(START));
            let clock_now = now.clone();
            let mut receiver = Receiver::new(&secret()).with_clock(Arc::new(move || {
                UNIX_EPOCH + Duration::from_secs(clock_now.load(Ordering::SeqCst))
            }));
            if let Some(capacity) = capacity {
                receiver = receiver.with_capacity(capacity);
            }
            let receiver = Arc::new(receiver);
            let routes = receiver.clone();
            let (origin, server) = serve_on_free_port(|_| app(routes)).await?;
            Ok(Endpoint {
                url: format!("{origin}/webhooks"),
                receiver,
                now,
                http: reqwest::Client::new(),
                _server: server,
            })
        }

        fn now(&self) -> u64 {
            self.now.load(Ordering::SeqCst)
        }

        fn advance(&self, by: Duration) {
            self.now.fetch_add(by.as_secs(), Ordering::SeqCst);
        }

        /// Posts `body` with the given headers.
        async fn post(
            &self,
            id: &str,
            timestamp: u64,
            signature: &str,
            body: &[u8],
        ) -> anyhow::Result<reqwest::Response> {
            Ok(self
                .http
                .post(&self.url)
                .header("webhook-id", id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signature)
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await?)
        }

        /// Posts `body` signed correctly, with a timestamp of now.
        async fn deliver(&self, id: &str, body: &[u8]) -> anyhow::Result<StatusCode> {
            let signature = sign(KEY, id, self.now(), body)?;
            Ok(self.post(id, self.now(), &signature, body).await?.status())
        }
    }

    #[tokio::test]
    async fn signed_delivery_is_accepted_and_handled() -> anyhow::Result<()> {
        let endpoint = Endpoint::start(None).await?;
        ensure!(endpoint.deliver("msg_1", EVENT).await? == StatusCode::NO_CONTENT);
        ensure!(endpoint.receiver.handled() == 1);

        // Verified over the bytes as sent: spacing and key order that a
        // re-serialisation would change still verify.
        let odd = b"{ \"type\" : \"user.created\",\n  \"id\":\"evt_2\" }";
        ensure!(endpoint.deliver("msg_2", odd).await? == StatusCode::NO_CONTENT);
        ensure!(endpoint.receiver.handled() == 2);
        Ok(())
    }

    #[tokio::test]
    async fn tampered_or_unsigned_delivery_is_unauthorized() -> anyhow::Result<()> {
        let endpoint = Endpoint::start(None).await?;
        let now = endpoint.now();
        let signature = sign(KEY, "msg_1", now, EVENT)?;
        let tampered = br#"{"id":"evt_1","type":"organization.deleted","data":{"id":"org_1"}}"#;
        let response = endpoint.post("msg_1", now, &signature, tampered).await?;
        ensure!(response.status() == StatusCode::UNAUTHORIZED);

        // The id and timestamp are signed too.
        let response = endpoint.post("msg_2", now, &signature, EVENT).await?;
        ensure!(response.status() == StatusCode::UNAUTHORIZED);
        let response = endpoint.post("msg_1", now + 1, &signature, EVENT).await?;
        ensure!(response.status() == StatusCode::UNAUTHORIZED);

        let other_key = sign(b"some other endpoint's key bytes!", "msg_1", now, EVENT)?;
        let response = endpoint.post("msg_1", now, &other_key, EVENT).await?;
        ensure!(response.status() == StatusCode::UNAUTHORIZED);

        let bare = endpoint
            .http
            .post(&endpoint.url)
            .body(EVENT.to_vec())
            .send()
            .await?;
        ensure!(bare.status() == StatusCode::UNAUTHORIZED);
        ensure!(endpoint.receiver.handled() == 0);

        // None of those burned the id: the genuine delivery goes through.
        let response = endpoint.post("msg_1", now, &signature, EVENT).await?;
        ensure!(response.status() == StatusCode::NO_CONTENT);
        Ok(())
    }

    #[tokio::test]
    async fn stale_or_future_delivery_is_unauthorized() -> anyhow::Result<()> {
        let endpoint = Endpoint::start(None).await?;
        let now = endpoint.now();
        for (id, timestamp) in [("msg_old", now - 6 * 60), ("msg_future", now + 6 * 60)] {
            let signature = sign(KEY, id, timestamp, EVENT)?;
            let response = endpoint.post(id, timestamp, &signature, EVENT).await?;
            ensure!(
                response.status() == StatusCode::UNAUTHORIZED,
                "{id}: {}",
                response.status()
            );
        }
        // Within the five minutes either way: accepted.
        let timestamp = now - 4 * 60;
        let signature = sign(KEY, "msg_late", timestamp, EVENT)?;
        let response = endpoint
            .post("msg_late", timestamp, &signature, EVENT)
            .await?;
        ensure!(response.status() == StatusCode::NO_CONTENT);
        ensure!(endpoint.receiver.handled() == 1);
        Ok(())
    }

    #[tokio::test]
    async fn replayed_delivery_is_refused_and_not_handled_twice() -> anyhow::Result<()> {
        let endpoint = Endpoint::start(None).await?;
        let now = endpoint.now();
        let signature = sign(KEY, "msg_1", now, EVENT)?;
        let first = endpoint.post("msg_1", now, &signature, EVENT).await?;
        ensure!(first.status() == StatusCode::NO_CONTENT);

        // The captured copy, resent a minute later, still inside the
        // timestamp tolerance.
        endpoint.advance(Duration::from_secs(60));
        let copy = endpoint.post("msg_1", now, &signature, EVENT).await?;
        ensure!(copy.status() == StatusCode::CONFLICT, "{}", copy.status());

        // The id is the key, whatever the body and timestamp.
        let other = br#"{"id":"evt_9","type":"user.deleted"}"#;
        ensure!(endpoint.deliver("msg_1", other).await? == StatusCode::CONFLICT);
        ensure!(endpoint.receiver.handled() == 1);
        Ok(())
    }

    #[tokio::test]
    async fn full_set_answers_503_until_old_ids_expire() -> anyhow::Result<()> {
        let endpoint = Endpoint::start(Some(1)).await?;
        let start = endpoint.now();
        let first = sign(KEY, "msg_1", start, EVENT)?;
        let accepted = endpoint.post("msg_1", start, &first, EVENT).await?;
        ensure!(accepted.status() == StatusCode::NO_CONTENT);

        let second = sign(KEY, "msg_2", start, EVENT)?;
        let full = endpoint.post("msg_2", start, &second, EVENT).await?;
        ensure!(full.status() == StatusCode::SERVICE_UNAVAILABLE);
        ensure!(full.headers().get("retry-after").is_some());

        // Still inside msg_1's replay window: still full.
        endpoint.advance(Duration::from_secs(9 * 60));
        ensure!(endpoint.deliver("msg_2", EVENT).await? == StatusCode::SERVICE_UNAVAILABLE);

        // Past it, msg_1 is forgotten, which is safe: its copy is stale.
        endpoint.advance(Duration::from_secs(2 * 60));
        ensure!(endpoint.deliver("msg_2", EVENT).await? == StatusCode::NO_CONTENT);
        let copy = endpoint.post("msg_1", start, &first, EVENT).await?;
        ensure!(copy.status() == StatusCode::UNAUTHORIZED);
        ensure!(endpoint.receiver.handled() == 2);
        Ok(())
    }

    #[tokio::test]
    async fn unreadable_event_is_400_and_its_retry_is_handled() -> anyhow::Result<()> {
        let endpoint = Endpoint::start(None).await?;
        ensure!(endpoint.deliver("msg_1", b"not json").await? == StatusCode::BAD_REQUEST);
        ensure!(endpoint.receiver.handled() == 0);
        ensure!(endpoint.deliver("msg_1", EVENT).await? == StatusCode::NO_CONTENT);
        ensure!(endpoint.receiver.handled() == 1);
        Ok(())
    }

    #[tokio::test]
    async fn deliveries_from_the_emulator_are_verified_and_handled() -> anyhow::Result<()> {
        let run = super::webhooks::against_emulator();
        let mut handled = tokio::time::timeout(Duration::from_secs(60), run)
            .await?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        handled.sort_unstable();
        ensure!(
            handled
                == [
                    "organization.created",
                    "user.created",
                    "user.organization_membership_created"
                ],
            "{handled:?}"
        );
        Ok(())
    }

    #[test]
    fn demo_curl_command_is_signed_with_the_demo_secret() -> anyhow::Result<()> {
        // `main` prints this for people trying the example; check it
        // verifies, so the instructions work.
        let command = super::webhooks::demo::curl(3000).map_err(|e| anyhow::anyhow!("{e}"))?;
        let header = |name: &str| {
            command
                .split(&format!("-H '{name}: "))
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .map(str::to_string)
        };
        let body = command
            .split("--data-raw '")
            .nth(1)
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap_or_default();
        let headers = std::collections::HashMap::from([
            ("webhook-id", header("webhook-id").unwrap_or_default()),
            (
                "webhook-timestamp",
                header("webhook-timestamp").unwrap_or_default(),
            ),
            (
                "webhook-signature",
                header("webhook-signature").unwrap_or_default(),
            ),
        ]);
        scalekit::webhook::verify(
            super::webhooks::demo::SECRET,
            &headers,
            body,
            SystemTime::now(),
        )?;
        Ok(())
    }
}

mod raw_grpc_search {
    use anyhow::ensure;
    use scalekit::Code;

    use super::raw_grpc::search_users;
    use super::*;

    #[tokio::test]
    async fn search_users_finds_every_match_across_pages() -> anyhow::Result<()> {
        let (emulator, client) = emulator().await?;
        let matching = [
            "a@searchable.test",
            "b@searchable.test",
            "c@searchable.test",
            "d@searchable.test",
            "e@searchable.test",
        ];
        let mut expected = create_users(&client, &matching).await?;
        create_users(&client, &["x@elsewhere.test", "y@elsewhere.test"]).await?;

        let found = search_users(&client, "searchable.test", 2).await?;
        let mut ids: Vec<String> = found.iter().map(|u| u.id.clone()).collect();
        ids.sort();
        expected.sort();
        ensure!(ids == expected, "{ids:?}");
        ensure!(found.iter().all(|u| u.email.ends_with("@searchable.test")));
        // Five matches two at a time: three pages, over an authenticated channel.
        ensure!(emulator.rpc_count("SearchUsers") == 3);
        ensure!(emulator.token_requests() >= 1);
        Ok(())
    }

    #[tokio::test]
    async fn search_users_refusal_maps_to_its_code() -> anyhow::Result<()> {
        let (_emulator, client) = emulator().await?;
        // No facade check in front of a raw call: the server refuses.
        let err = search_users(&client, "ab", 10)
            .await
            .expect_err("a two-character query");
        ensure!(err.code() == Some(Code::InvalidArgument), "{err:?}");
        ensure!(err.is_invalid_argument());
        Ok(())
    }
}

mod quickstart_journey {
    use anyhow::ensure;
    use scalekit::Code;

    use super::*;

    /// What the quickstart creates and must delete again: organizations,
    /// users, permissions and environment roles, counted over the whole
    /// environment (the totals, not one page).
    #[derive(Debug, PartialEq, Eq)]
    struct Totals {
        organizations: u32,
        users: u32,
        permissions: u32,
        roles: usize,
    }

    async fn totals(client: &ScalekitClient) -> anyhow::Result<Totals> {
        Ok(Totals {
            organizations: client
                .organizations()
                .list_organization(Default::default())
                .await?
                .total_size,
            users: client
                .users()
                .list_users(Default::default())
                .await?
                .total_size,
            permissions: client
                .permissions()
                .list_permissions(Default::default())
                .await?
                .total_size,
            roles: client.roles().list_roles(Default::default()).await?.len(),
        })
    }

    #[tokio::test]
    async fn journey_leaves_nothing_behind() -> anyhow::Result<()> {
        let (emulator, client) = emulator().await?;
        let before = totals(&client).await?;

        super::quickstart::run(&client).await?;

        let after = totals(&client).await?;
        ensure!(before == after, "before {before:?}, after {after:?}");
        // It did create things, all the way to the last step.
        ensure!(emulator.rpc_count("CreateUserAndMembership") == 5);
        ensure!(emulator.rpc_count("GeneratePortalLink") == 1);
        ensure!(emulator.rpc_count("DeleteUser") == 5);
        ensure!(emulator.rpc_count("DeleteRole") == 2);
        ensure!(emulator.rpc_count("DeletePermission") == 2);
        Ok(())
    }

    #[tokio::test]
    async fn failure_midway_is_returned_and_still_cleaned_up() -> anyhow::Result<()> {
        let (emulator, client) = emulator().await?;
        let before = totals(&client).await?;
        // Step 5, after both roles exist and before the portal link.
        emulator.fail_next(
            Some("ListEffectiveRolePermissions"),
            1,
            Code::PermissionDenied,
        );

        let err = super::quickstart::run(&client)
            .await
            .expect_err("the injected failure");
        ensure!(err.code() == Some(Code::PermissionDenied), "{err:?}");

        let after = totals(&client).await?;
        ensure!(before == after, "before {before:?}, after {after:?}");
        ensure!(emulator.rpc_count("GeneratePortalLink") == 0);
        ensure!(emulator.rpc_count("DeleteUser") == 5);
        ensure!(emulator.rpc_count("DeleteRole") == 2);
        ensure!(emulator.rpc_count("DeletePermission") == 2);
        Ok(())
    }
}
