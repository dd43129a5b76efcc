//! An SSO sign-in from start to finish: build the authorization URL (with
//! PKCE, state and nonce), exchange the code the callback receives, validate
//! the tokens, refresh, and build the logout URL.
//!
//! Without `SCALEKIT_ENVIRONMENT_URL` it runs against an embedded
//! `scalekit-emulator` and plays the browser itself. With an environment
//! configured it prints the URL to open and reads the callback's `code` from
//! standard input.
//!
//! ```text
//! cargo run --example sso_login
//! ```

use std::io::BufRead as _;

use scalekit::oidc::{
    generate_nonce, generate_state, AuthenticationOptions, AuthorizationUrlOptions, IdTokenClaims,
    LogoutUrlOptions, Pkce, TokenValidationOptions,
};
use scalekit::{ScalekitClient, ENV_ENVIRONMENT_URL};

const REDIRECT_URI: &str = "http://localhost:3000/auth/callback";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = if std::env::var_os(ENV_ENVIRONMENT_URL).is_some() {
        None
    } else {
        Some(scalekit_emulator::Emulator::builder().start().await?)
    };
    let client = match &emulator {
        None => ScalekitClient::from_env()?,
        Some(emulator) => emulator.client()?,
    };

    // 1. Where to send the browser. Keep `pkce.verifier`, `state` and `nonce`
    //    in the user's session until the callback arrives.
    let pkce = Pkce::generate()?;
    let state = generate_state()?;
    let nonce = generate_nonce()?;
    let url = client.get_authorization_url(
        REDIRECT_URI,
        AuthorizationUrlOptions::default()
            .with_scopes(["openid", "profile", "email", "offline_access"])
            .with_login_hint("ada@example.com")
            .with_state(state.clone())
            .with_nonce(nonce.clone())
            .with_pkce(&pkce),
    )?;
    println!("authorization URL: {url}");

    // 2. The callback: `?code=…&state=…`.
    let (code, returned_state) = match &emulator {
        Some(_) => browse(url.as_str()).await?,
        None => {
            println!("open it, sign in, then paste the `code` from the callback URL:");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            (line.trim().to_string(), state.clone())
        }
    };
    if returned_state != state {
        return Err("the callback's state does not match: possible CSRF".into());
    }

    // 3. Exchange the code; the ID token is verified before its claims are used.
    let auth = client
        .authenticate_with_code(
            &code,
            REDIRECT_URI,
            AuthenticationOptions::default()
                .with_code_verifier(pkce.verifier.clone())
                .with_nonce(nonce),
        )
        .await?;
    println!(
        "signed in: {} <{}>",
        auth.user.id,
        auth.user.email.as_deref().unwrap_or("?")
    );

    // 4. Later requests carry the access token; validate it on the way in.
    println!(
        "access token valid: {}",
        client
            .validate_access_token(&auth.access_token, Default::default())
            .await?
    );
    let claims: IdTokenClaims = client
        .validate_token(&auth.id_token, TokenValidationOptions::default())
        .await?;
    println!("session: {}", claims.sid.as_deref().unwrap_or("?"));

    // 5. Refresh before the access token expires.
    if let Some(refresh_token) = &auth.refresh_token {
        let refreshed = client.refresh_access_token(refresh_token).await?;
        println!(
            "refreshed: new access token valid: {}",
            client
                .validate_access_token(&refreshed.access_token, Default::default())
                .await?
        );
    }

    // 6. Sign out.
    let logout = client.get_logout_url(
        LogoutUrlOptions::default()
            .with_id_token_hint(auth.id_token.clone())
            .with_post_logout_redirect_uri("http://localhost:3000/"),
    );
    println!("logout URL: {logout}");
    Ok(())
}

/// Plays the browser against the emulator: follows the authorization URL
/// to the redirect and reads `code` and `state` off it.
async fn browse(url: &str) -> Result<(String, String), Box<dyn std::error::Error>> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = http.get(url).send().await?;
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("the authorization endpoint did not redirect")?;
    let callback = url::Url::parse(location)?;
    let find = |name: &str| {
        callback
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let code = find("code").ok_or("no code in the callback")?;
    Ok((code, find("state").unwrap_or_default()))
}
