//! The sign-in helpers end to end against `scalekit_emulator`: authorization
//! URL → `/oauth/authorize` → code → `authenticate_with_code` (PKCE) →
//! token validation → refresh → logout, plus JWKS caching and rotation.

mod common;

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context as _};
use scalekit::oidc::{
    AccessTokenClaims, AuthenticationOptions, AuthorizationUrlOptions, IdTokenClaims,
    LogoutUrlOptions, Pkce, TokenValidationOptions,
};
use scalekit::{Error, InvalidTokenReason, ScalekitClient, TokenError};
use url::Url;

use scalekit_emulator::seed::{
    Fixtures, OrganizationFixture, PermissionFixture, RoleFixture, UserFixture,
};
use scalekit_emulator::{Emulator, EmulatorHandle};

const REDIRECT: &str = "https://app.example/callback";

/// A fresh emulator with [`REDIRECT`] registered, and a client for it.
async fn start() -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
    start_with(Fixtures::new()).await
}

/// [`start`] with `fixtures`.
async fn start_with(fixtures: Fixtures) -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
    let emulator = Emulator::builder()
        .redirect_uris([REDIRECT])
        .seed(fixtures)
        .start()
        .await?;
    let client = emulator.client()?;
    Ok((emulator, client))
}

/// One `GET` over plain HTTP/1.1 that does not follow redirects, the way a
/// browser's first hop looks to the server: returns the status and the
/// `Location` header.
async fn get_no_redirect(url: &str) -> anyhow::Result<(u16, Option<String>)> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let url = Url::parse(url)?;
    let host = url.host_str().context("host")?;
    let port = url.port_or_known_default().context("port")?;
    let mut path = url.path().to_string();
    if let Some(query) = url.query() {
        path = format!("{path}?{query}");
    }
    let mut stream = tokio::net::TcpStream::connect((host, port)).await?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let response = String::from_utf8_lossy(&response);
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .context("status line")?
        .parse()?;
    let location = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("location"))
        .map(|(_, value)| value.trim().to_string());
    Ok((status, location))
}

/// Follows the authorization URL one hop and returns the callback's query.
async fn callback(url: &Url) -> anyhow::Result<HashMap<String, String>> {
    let (status, location) = get_no_redirect(url.as_str()).await?;
    ensure!(status == 302, "status {status}");
    let location = Url::parse(&location.context("no Location")?)?;
    ensure!(location.as_str().starts_with(REDIRECT), "{location}");
    Ok(location.query_pairs().into_owned().collect())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn reason(err: Error) -> anyhow::Result<InvalidTokenReason> {
    match err {
        Error::InvalidToken(reason) => Ok(reason),
        other => anyhow::bail!("expected InvalidToken, got {other:?}"),
    }
}

#[tokio::test]
async fn sign_in_flow_with_pkce_succeeds_end_to_end() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let pkce = Pkce::generate()?;
    let state = scalekit::oidc::generate_state()?;
    let nonce = scalekit::oidc::generate_nonce()?;
    let url = client.get_authorization_url(
        REDIRECT,
        AuthorizationUrlOptions::default()
            .with_scopes(["openid", "profile", "email", "offline_access"])
            .with_login_hint("jane.doe@acme.example")
            .with_state(state.clone())
            .with_nonce(nonce.clone())
            .with_pkce(&pkce),
    )?;
    ensure!(url
        .as_str()
        .starts_with(&format!("{}/oauth/authorize?", emulator.env_url())));

    let query = callback(&url).await?;
    ensure!(query.get("state") == Some(&state), "state echoed");
    let code = query.get("code").context("no code")?;

    let auth = client
        .authenticate_with_code(
            code,
            REDIRECT,
            AuthenticationOptions::default()
                .with_code_verifier(pkce.verifier.clone())
                .with_nonce(nonce.clone()),
        )
        .await?;
    ensure!(auth.user.email.as_deref() == Some("jane.doe@acme.example"));
    ensure!(auth.user.id.starts_with("usr_"), "{}", auth.user.id);
    ensure!(auth.user.username.as_deref() == Some("jane.doe@acme.example"));
    ensure!(auth.user.email_verified == Some(true));
    ensure!(auth.expires_in == Some(3600));
    let refresh = auth
        .refresh_token
        .clone()
        .context("offline_access gives a refresh token")?;
    ensure!(!format!("{auth:?}").contains(&auth.access_token));

    // The user now exists in the environment.
    let user = client.users().get_user(&auth.user.id).await?;
    ensure!(user.email == "jane.doe@acme.example");

    // ID and access tokens validate.
    let id: IdTokenClaims = client
        .validate_token(
            &auth.id_token,
            TokenValidationOptions::default()
                .with_issuer(emulator.env_url())
                .with_audience([emulator.client_id()]),
        )
        .await?;
    ensure!(id.nonce.as_deref() == Some(nonce.as_str()));
    ensure!(id.sub == auth.user.id);

    // Signing in started a real session, named by the ID token's `sid`.
    let sessions = client
        .sessions()
        .get_user_sessions(&auth.user.id, Default::default())
        .await?;
    ensure!(
        sessions.items.len() == 1,
        "{} sessions",
        sessions.items.len()
    );
    ensure!(id.sid.as_deref() == Some(sessions.items[0].session_id.as_str()));
    let access: AccessTokenClaims = client
        .validate_token(
            &auth.access_token,
            TokenValidationOptions::default().with_required_scopes(["openid", "offline_access"]),
        )
        .await?;
    ensure!(access.sub == auth.user.id);
    ensure!(
        client
            .validate_access_token(&auth.access_token, Default::default())
            .await?
    );
    client.verify_scopes(&auth.access_token, ["email"]).await?;
    let missing = client
        .verify_scopes(&auth.access_token, ["email", "admin", "billing"])
        .await
        .expect_err("admin is not granted");
    ensure!(
        reason(missing)?
            == InvalidTokenReason::MissingScopes(vec!["admin".into(), "billing".into()])
    );
    ensure!(
        emulator.jwks_requests() == 1,
        "keys fetched {} times",
        emulator.jwks_requests()
    );

    // Codes are single-use.
    let reused = client
        .authenticate_with_code(
            code,
            REDIRECT,
            AuthenticationOptions::default().with_code_verifier(pkce.verifier.clone()),
        )
        .await
        .expect_err("a used code");
    ensure!(
        matches!(&reused, Error::Auth(TokenError::Status { status: 400, error: Some(e), .. }) if e == "invalid_grant"),
        "{reused:?}"
    );

    // Refresh rotates the refresh token.
    let refreshed = client.refresh_access_token(&refresh).await?;
    ensure!(refreshed.refresh_token != refresh);
    ensure!(
        client
            .validate_access_token(&refreshed.access_token, Default::default())
            .await?
    );
    let stale = client
        .refresh_access_token(&refresh)
        .await
        .expect_err("rotated");
    ensure!(matches!(
        stale,
        Error::Auth(TokenError::Status { status: 400, .. })
    ));

    // Logout redirects back with the state.
    let logout = client.get_logout_url(
        LogoutUrlOptions::default()
            .with_id_token_hint(auth.id_token.clone())
            .with_post_logout_redirect_uri(REDIRECT)
            .with_state("bye"),
    );
    let (status, location) = get_no_redirect(&logout).await?;
    ensure!(status == 302, "{status}");
    let location = location.context("Location")?;
    ensure!(location == format!("{REDIRECT}?state=bye"), "{location}");
    ensure!(
        client.get_logout_url(LogoutUrlOptions::default())
            == format!("{}/oidc/logout", emulator.env_url())
    );
    Ok(())
}

#[tokio::test]
async fn authenticate_with_code_wrong_verifier_is_refused() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let pkce = Pkce::generate()?;
    let url = client.get_authorization_url(
        REDIRECT,
        AuthorizationUrlOptions::default()
            .with_login_hint("a@b.example")
            .with_pkce(&pkce),
    )?;
    let query = callback(&url).await?;
    let code = query.get("code").context("code")?;
    let err = client
        .authenticate_with_code(
            code,
            REDIRECT,
            AuthenticationOptions::default().with_code_verifier(Pkce::generate()?.verifier),
        )
        .await
        .expect_err("wrong verifier");
    ensure!(
        matches!(err, Error::Auth(TokenError::Status { status: 400, .. })),
        "{err:?}"
    );
    ensure!(err.http_status() == Some(400));
    Ok(())
}

#[tokio::test]
async fn authenticate_with_code_wrong_nonce_is_an_invalid_token() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let url = client.get_authorization_url(
        REDIRECT,
        AuthorizationUrlOptions::default()
            .with_login_hint("a@b.example")
            .with_nonce("sent"),
    )?;
    let query = callback(&url).await?;
    let err = client
        .authenticate_with_code(
            query.get("code").context("code")?,
            REDIRECT,
            AuthenticationOptions::default().with_nonce("expected-other"),
        )
        .await
        .expect_err("nonce mismatch");
    ensure!(reason(err)? == InvalidTokenReason::WrongNonce);
    Ok(())
}

#[tokio::test]
async fn authenticate_with_code_rejects_empty_arguments() -> anyhow::Result<()> {
    let client = ScalekitClient::new("http://127.0.0.1:9", "skc_1", "secret")?;
    let err = client
        .authenticate_with_code("", REDIRECT, Default::default())
        .await
        .expect_err("empty code");
    ensure!(matches!(err, Error::InvalidArgument { field: "code", .. }));
    let err = client.refresh_access_token(" ").await.expect_err("empty");
    ensure!(matches!(
        err,
        Error::InvalidArgument {
            field: "refresh_token",
            ..
        }
    ));
    Ok(())
}

#[tokio::test]
async fn validate_token_warm_cache_makes_no_keys_requests_and_is_shared_by_clones(
) -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let token = emulator
        .sign_token(&serde_json::json!({"sub": "usr_1", "exp": now() + 600, "scopes": ["read"]}))
        .map_err(anyhow::Error::msg)?;
    let clone = client.clone();
    for i in 0..20 {
        let which = if i % 2 == 0 { &client } else { &clone };
        let claims: AccessTokenClaims = which.validate_token(&token, Default::default()).await?;
        ensure!(claims.sub == "usr_1");
    }
    ensure!(
        emulator.jwks_requests() == 1,
        "{}",
        emulator.jwks_requests()
    );
    Ok(())
}

#[tokio::test]
async fn validate_token_unknown_kid_after_rotation_refetches_once() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let claims = serde_json::json!({"sub": "usr_1", "exp": now() + 600});
    let before = emulator.sign_token(&claims).map_err(anyhow::Error::msg)?;
    ensure!(
        client
            .validate_access_token(&before, Default::default())
            .await?
    );
    ensure!(emulator.jwks_requests() == 1);

    emulator.rotate_signing_key()?;
    let after = emulator.sign_token(&claims).map_err(anyhow::Error::msg)?;
    ensure!(
        client
            .validate_access_token(&after, Default::default())
            .await?
    );
    ensure!(
        emulator.jwks_requests() == 2,
        "one refetch: {}",
        emulator.jwks_requests()
    );
    ensure!(
        client
            .validate_access_token(&after, Default::default())
            .await?
    );
    ensure!(
        client
            .validate_access_token(&before, Default::default())
            .await?
    );
    ensure!(emulator.jwks_requests() == 2);

    // A flood of unknown key ids within the cooldown causes no refetch.
    emulator.rotate_signing_key()?;
    let third = emulator.sign_token(&claims).map_err(anyhow::Error::msg)?;
    for _ in 0..5 {
        let err = client
            .validate_token::<serde_json::Value>(&third, Default::default())
            .await
            .expect_err("kid unknown and refetch rate-limited");
        ensure!(matches!(
            reason(err)?,
            InvalidTokenReason::UnknownKey(Some(_))
        ));
    }
    ensure!(
        emulator.jwks_requests() == 2,
        "{}",
        emulator.jwks_requests()
    );
    Ok(())
}

#[tokio::test]
async fn validate_token_checks_expiry_issuer_and_audience() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let expired = emulator
        .sign_token(&serde_json::json!({"sub": "u", "exp": now() - 3600}))
        .map_err(anyhow::Error::msg)?;
    let err = client
        .validate_token::<serde_json::Value>(&expired, Default::default())
        .await
        .expect_err("expired");
    ensure!(reason(err)? == InvalidTokenReason::Expired);
    ensure!(
        !client
            .validate_access_token(&expired, Default::default())
            .await?
    );

    let token = emulator
        .sign_token(&serde_json::json!({"sub": "u", "exp": now() + 60, "iss": emulator.env_url(), "aud": "skc_other"}))
        .map_err(anyhow::Error::msg)?;
    let opts = TokenValidationOptions::default().with_issuer("https://elsewhere.example");
    let err = client
        .validate_token::<serde_json::Value>(&token, opts)
        .await
        .expect_err("issuer");
    ensure!(reason(err)? == InvalidTokenReason::WrongIssuer);
    let opts = TokenValidationOptions::default().with_audience([emulator.client_id()]);
    let err = client
        .validate_token::<serde_json::Value>(&token, opts)
        .await
        .expect_err("audience");
    ensure!(reason(err)? == InvalidTokenReason::WrongAudience);
    Ok(())
}

#[tokio::test]
async fn validate_access_token_malformed_is_false_without_fetching_keys() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    for junk in ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        ensure!(
            !client
                .validate_access_token(junk, Default::default())
                .await?,
            "{junk}"
        );
    }
    ensure!(emulator.jwks_requests() == 0);
    Ok(())
}

#[tokio::test]
async fn validate_access_token_unreachable_jwks_is_an_error_not_false() -> anyhow::Result<()> {
    let (emulator, _) = start().await?;
    let token = emulator
        .sign_token(&serde_json::json!({"sub": "u", "exp": now() + 60}))
        .map_err(anyhow::Error::msg)?;
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.port()
    };
    let client = ScalekitClient::new(format!("http://127.0.0.1:{port}"), "skc_1", "secret")?;
    let err = client
        .validate_access_token(&token, Default::default())
        .await
        .expect_err("the JWKS cannot be fetched");
    ensure!(matches!(err, Error::Transport(_)), "{err:?}");
    ensure!(err.is_retryable());
    Ok(())
}

#[tokio::test]
async fn get_idp_initiated_login_claims_returns_the_claims() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let token = emulator
        .idp_initiated_login_token("conn_1", "org_1", "jane@acme.example", Some("relay-1"))
        .map_err(anyhow::Error::msg)?;
    let claims = client
        .get_idp_initiated_login_claims(
            &token,
            TokenValidationOptions::default()
                .with_issuer(emulator.env_url())
                .with_audience([emulator.client_id()]),
        )
        .await?;
    ensure!(claims.connection_id == "conn_1");
    ensure!(claims.organization_id == "org_1");
    ensure!(claims.login_hint.as_deref() == Some("jane@acme.example"));
    ensure!(claims.relay_state.as_deref() == Some("relay-1"));
    Ok(())
}

#[tokio::test]
async fn authorize_without_login_hint_serves_the_sign_in_page() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let url = client.get_authorization_url(
        REDIRECT,
        AuthorizationUrlOptions::default().with_state("s1"),
    )?;
    // A person picks who signs in there (emulator/tests/signin_page.rs
    // drives the page); nothing is redirected yet.
    let (status, location) = get_no_redirect(url.as_str()).await?;
    ensure!(status == 200, "status {status}");
    ensure!(location.is_none(), "redirected to {location:?}");
    Ok(())
}

#[tokio::test]
async fn authorize_with_domain_hint_signs_in_to_the_domains_organization() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = client
        .organizations()
        .create_organization("Acme", Default::default())
        .await?;
    client
        .domains()
        .create_domain(&org.id, "acme.example", Default::default())
        .await?;
    let url = client.get_authorization_url(
        REDIRECT,
        AuthorizationUrlOptions::default()
            .with_login_hint("ada@acme.example")
            .with_domain_hint("acme.example"),
    )?;
    let query = callback(&url).await?;
    let code = query.get("code").context("no code")?;
    let auth = client
        .authenticate_with_code(code, REDIRECT, Default::default())
        .await?;
    let sessions = client
        .sessions()
        .get_user_sessions(&auth.user.id, Default::default())
        .await?;
    ensure!(sessions.items.len() == 1);
    ensure!(
        sessions.items[0].organization_id == org.id,
        "the session belongs to {:?}",
        sessions.items[0].organization_id
    );
    Ok(())
}

#[tokio::test]
async fn sign_in_access_token_carries_roles_and_permissions_and_refresh_reads_them_again(
) -> anyhow::Result<()> {
    let fixtures = Fixtures::new()
        .with_permission(PermissionFixture::new("invoices:read"))
        .with_permission(PermissionFixture::new("invoices:write"))
        .with_role(RoleFixture::new("billing_viewer").with_permissions(["invoices:read"]))
        .with_role(
            RoleFixture::new("billing_admin")
                .with_extends("billing_viewer")
                .with_permissions(["invoices:write"]),
        )
        .with_organization(
            OrganizationFixture::new("Acme")
                .with_external_id("acme")
                .with_user(UserFixture::new("ada@acme.example").with_roles(["billing_admin"])),
        );
    let (emulator, client) = start_with(fixtures).await?;
    let acme = client
        .organizations()
        .get_organization_by_external_id("acme")
        .await?;
    // No organization_id: the user's only membership is the organization.
    let url = client.get_authorization_url(
        REDIRECT,
        AuthorizationUrlOptions::default()
            .with_scopes(["openid", "offline_access"])
            .with_login_hint("ada@acme.example"),
    )?;
    let query = callback(&url).await?;
    let code = query.get("code").context("no code")?;
    let auth = client
        .authenticate_with_code(code, REDIRECT, Default::default())
        .await?;
    let opts = TokenValidationOptions::default()
        .with_issuer(emulator.env_url())
        .with_audience([emulator.client_id()]);
    let claims: AccessTokenClaims = client
        .validate_token(&auth.access_token, opts.clone())
        .await?;
    ensure!(
        claims.oid.as_deref() == Some(acme.id.as_str()),
        "{claims:?}"
    );
    ensure!(claims.roles == ["billing_admin"], "{claims:?}");
    ensure!(
        claims.permissions == ["invoices:write", "invoices:read"],
        "its own, then inherited: {claims:?}"
    );
    ensure!(claims.sid.is_some() && claims.jti.is_some() && claims.nbf.is_some());
    ensure!(claims.client_id.as_deref() == Some(emulator.client_id()));

    // A refresh reads the roles again.
    client
        .users()
        .assign_user_roles(&acme.id, &auth.user.id, ["admin"])
        .await?;
    let refresh = auth.refresh_token.context("offline_access")?;
    let refreshed = client.refresh_access_token(&refresh).await?;
    let claims: AccessTokenClaims = client.validate_token(&refreshed.access_token, opts).await?;
    ensure!(claims.roles == ["billing_admin", "admin"], "{claims:?}");
    Ok(())
}

/// A token the emulator signs for this environment with `iss` set as given.
fn token_issued_by(
    emulator: &scalekit_emulator::EmulatorHandle,
    iss: &str,
) -> anyhow::Result<String> {
    emulator
        .sign_token(&serde_json::json!({"sub": "usr_1", "exp": now() + 600, "iss": iss}))
        .map_err(anyhow::Error::msg)
}

#[tokio::test]
async fn validate_token_with_two_issuers_accepts_either_and_refuses_a_third() -> anyhow::Result<()>
{
    let (emulator, client) = start().await?;
    let env = emulator.env_url().to_string();
    let resource = format!("{env}/resources/res_1");
    let opts = TokenValidationOptions::default()
        .with_issuer(env.clone())
        .with_issuer(resource.clone());
    for iss in [&env, &resource] {
        let token = token_issued_by(&emulator, iss)?;
        let claims: serde_json::Value = client.validate_token(&token, opts.clone()).await?;
        ensure!(claims["iss"] == iss.as_str(), "{claims}");
        ensure!(client.validate_access_token(&token, opts.clone()).await?);
    }
    let third = token_issued_by(&emulator, &format!("{env}/resources/res_2"))?;
    let err = client
        .validate_token::<serde_json::Value>(&third, opts.clone())
        .await
        .expect_err("a third issuer");
    ensure!(reason(err)? == InvalidTokenReason::WrongIssuer);
    ensure!(!client.validate_access_token(&third, opts).await?);
    Ok(())
}

#[tokio::test]
async fn validate_token_with_no_issuers_accepts_any_issuer() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let unchecked = TokenValidationOptions::default().with_issuers(Vec::<String>::new());
    for iss in [emulator.env_url(), "https://elsewhere.example"] {
        let token = token_issued_by(&emulator, iss)?;
        let claims: AccessTokenClaims = client.validate_token(&token, unchecked.clone()).await?;
        ensure!(claims.sub == "usr_1");
    }
    Ok(())
}

#[tokio::test]
async fn validate_token_blank_issuer_is_rejected_before_fetching_keys() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let token = token_issued_by(&emulator, emulator.env_url())?;
    let opts = TokenValidationOptions::default()
        .with_issuer(emulator.env_url())
        .with_issuer(" ");
    let err = client
        .validate_access_token(&token, opts)
        .await
        .expect_err("a blank issuer is a mistake, not a false");
    ensure!(
        matches!(
            err,
            Error::InvalidArgument {
                field: "issuers",
                ..
            }
        ),
        "{err:?}"
    );
    ensure!(emulator.jwks_requests() == 0);
    Ok(())
}
