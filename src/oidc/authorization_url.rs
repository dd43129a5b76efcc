//! The authorization and logout URLs, and the PKCE, state and nonce values
//! that go into them. Pure: no network.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::error::{Error, Result};

/// The scopes requested when [`AuthorizationUrlOptions::scopes`] is `None`.
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// Optional parameters of
/// [`get_authorization_url`](crate::ScalekitClient::get_authorization_url).
/// Empty strings are left out, as the reference SDK leaves out falsy values.
///
/// ```
/// use scalekit::oidc::AuthorizationUrlOptions;
/// let opts = AuthorizationUrlOptions::default()
///     .with_organization_id("org_123")
///     .with_state("af0ifjsldkj")
///     .with_scopes(["openid", "email", "offline_access"]);
/// assert_eq!(opts.organization_id.as_deref(), Some("org_123"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AuthorizationUrlOptions {
    /// `scope`, space-joined; `None` requests `openid profile email`.
    pub scopes: Option<Vec<String>>,
    /// `state`: an opaque value echoed back to the redirect URI (CSRF defence).
    pub state: Option<String>,
    /// `nonce`: bound into the ID token.
    pub nonce: Option<String>,
    /// `login_hint`: the user's email or login name.
    pub login_hint: Option<String>,
    /// `domain_hint`, sent also as `domain` (as the reference SDK does).
    pub domain_hint: Option<String>,
    /// `connection_id`: sign in through this SSO connection.
    pub connection_id: Option<String>,
    /// `organization_id`: sign in through this organization's SSO.
    pub organization_id: Option<String>,
    /// `code_challenge` (PKCE).
    pub code_challenge: Option<String>,
    /// `code_challenge_method` (PKCE): `S256`.
    pub code_challenge_method: Option<String>,
    /// `provider`: a social login provider (`google`, `github`, ...).
    pub provider: Option<String>,
    /// `prompt`: `login`, `consent`, `create`, ...
    pub prompt: Option<String>,
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }
    )*};
}

impl AuthorizationUrlOptions {
    /// Sets [`scopes`](Self::scopes).
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Sets [`code_challenge`](Self::code_challenge) and
    /// [`code_challenge_method`](Self::code_challenge_method) from a [`Pkce`].
    pub fn with_pkce(mut self, pkce: &Pkce) -> Self {
        self.code_challenge = Some(pkce.challenge.clone());
        self.code_challenge_method = Some(Pkce::METHOD.into());
        self
    }

    setters! {
        /// Sets [`state`](Self::state).
        with_state => state;
        /// Sets [`nonce`](Self::nonce).
        with_nonce => nonce;
        /// Sets [`login_hint`](Self::login_hint).
        with_login_hint => login_hint;
        /// Sets [`domain_hint`](Self::domain_hint).
        with_domain_hint => domain_hint;
        /// Sets [`connection_id`](Self::connection_id).
        with_connection_id => connection_id;
        /// Sets [`organization_id`](Self::organization_id).
        with_organization_id => organization_id;
        /// Sets [`code_challenge`](Self::code_challenge).
        with_code_challenge => code_challenge;
        /// Sets [`code_challenge_method`](Self::code_challenge_method).
        with_code_challenge_method => code_challenge_method;
        /// Sets [`provider`](Self::provider).
        with_provider => provider;
        /// Sets [`prompt`](Self::prompt).
        with_prompt => prompt;
    }
}

/// Optional parameters of [`get_logout_url`](crate::ScalekitClient::get_logout_url).
///
/// ```
/// use scalekit::oidc::LogoutUrlOptions;
/// let opts = LogoutUrlOptions::default().with_post_logout_redirect_uri("https://app.example/bye");
/// assert!(opts.state.is_none());
/// ```
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct LogoutUrlOptions {
    /// `id_token_hint`: the ID token issued at sign-in.
    pub id_token_hint: Option<String>,
    /// `post_logout_redirect_uri`: where to send the browser afterwards.
    pub post_logout_redirect_uri: Option<String>,
    /// `state`: echoed back to the post-logout redirect URI.
    pub state: Option<String>,
}

impl std::fmt::Debug for LogoutUrlOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogoutUrlOptions")
            .field(
                "id_token_hint",
                &self.id_token_hint.as_ref().map(|_| "<redacted>"),
            )
            .field("post_logout_redirect_uri", &self.post_logout_redirect_uri)
            .field("state", &self.state)
            .finish()
    }
}

impl LogoutUrlOptions {
    setters! {
        /// Sets [`id_token_hint`](Self::id_token_hint).
        with_id_token_hint => id_token_hint;
        /// Sets [`post_logout_redirect_uri`](Self::post_logout_redirect_uri).
        with_post_logout_redirect_uri => post_logout_redirect_uri;
        /// Sets [`state`](Self::state).
        with_state => state;
    }
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// `{env_url}/oauth/authorize?…` with the reference SDK's parameters, in its
/// order.
pub(crate) fn authorization_url(
    env_url: &Url,
    client_id: &str,
    redirect_uri: &str,
    opts: &AuthorizationUrlOptions,
) -> Result<Url> {
    if redirect_uri.trim().is_empty() {
        return Err(Error::invalid_argument("redirect_uri", "must not be empty"));
    }
    let mut url = env_url
        .join("oauth/authorize")
        .map_err(|e| Error::Config(format!("cannot derive the authorization URL: {e}")))?;
    let scope = match &opts.scopes {
        Some(scopes) => scopes.join(" "),
        None => DEFAULT_SCOPES.join(" "),
    };
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &scope);
        let optional = [
            ("state", given(&opts.state)),
            ("nonce", given(&opts.nonce)),
            ("login_hint", given(&opts.login_hint)),
            ("domain_hint", given(&opts.domain_hint)),
            ("domain", given(&opts.domain_hint)),
            ("connection_id", given(&opts.connection_id)),
            ("organization_id", given(&opts.organization_id)),
            ("code_challenge", given(&opts.code_challenge)),
            ("code_challenge_method", given(&opts.code_challenge_method)),
            ("provider", given(&opts.provider)),
            ("prompt", given(&opts.prompt)),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    Ok(url)
}

/// `{env_url}/oidc/logout`, with a query only when a parameter is given.
pub(crate) fn logout_url(env_url: &str, opts: &LogoutUrlOptions) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (name, value) in [
        ("id_token_hint", given(&opts.id_token_hint)),
        (
            "post_logout_redirect_uri",
            given(&opts.post_logout_redirect_uri),
        ),
        ("state", given(&opts.state)),
    ] {
        if let Some(value) = value {
            query.append_pair(name, value);
            any = true;
        }
    }
    let base = format!("{}/oidc/logout", env_url.trim_end_matches('/'));
    if any {
        format!("{base}?{}", query.finish())
    } else {
        base
    }
}

fn random_b64(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).map_err(|e| {
        Error::Config(format!(
            "the operating system's random number generator failed: {e}"
        ))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// A PKCE (RFC 7636) verifier and its `S256` challenge.
///
/// Send the challenge with the authorization request
/// ([`AuthorizationUrlOptions::with_pkce`]); keep the verifier (in the
/// user's session) and pass it to
/// [`authenticate_with_code`](crate::ScalekitClient::authenticate_with_code).
///
/// ```
/// # fn main() -> scalekit::Result<()> {
/// let pkce = scalekit::oidc::Pkce::generate()?;
/// assert_eq!(pkce.verifier.len(), 43);
/// assert_eq!(scalekit::oidc::Pkce::from_verifier(&pkce.verifier).challenge, pkce.challenge);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pkce {
    /// The secret verifier: 43 characters of base64url (32 random bytes).
    pub verifier: String,
    /// `BASE64URL(SHA256(verifier))`.
    pub challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"<redacted>")
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl Pkce {
    /// The challenge method: `S256`.
    pub const METHOD: &'static str = "S256";

    /// A fresh random verifier and its challenge.
    ///
    /// # Errors
    /// [`Error::Config`] if the operating system's random source fails.
    pub fn generate() -> Result<Pkce> {
        Ok(Pkce::from_verifier(&random_b64(32)?))
    }

    /// The challenge of a verifier you already have.
    pub fn from_verifier(verifier: &str) -> Pkce {
        Pkce {
            verifier: verifier.to_string(),
            challenge: URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        }
    }
}

/// A random `state` value: 32 bytes of the OS random source, base64url.
///
/// ```
/// # fn main() -> scalekit::Result<()> {
/// let state = scalekit::oidc::generate_state()?;
/// assert_eq!(state.len(), 43);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`Error::Config`] if the operating system's random source fails.
pub fn generate_state() -> Result<String> {
    random_b64(32)
}

/// A random `nonce` value: 32 bytes of the OS random source, base64url.
///
/// ```
/// # fn main() -> scalekit::Result<()> {
/// let nonce = scalekit::oidc::generate_nonce()?;
/// assert_ne!(nonce, scalekit::oidc::generate_nonce()?);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`Error::Config`] if the operating system's random source fails.
pub fn generate_nonce() -> Result<String> {
    random_b64(32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn env() -> Url {
        Url::parse("https://acme.scalekit.dev/").unwrap()
    }

    fn pairs(url: &Url) -> Vec<(String, String)> {
        url.query_pairs().into_owned().collect()
    }

    #[test]
    fn defaults_match_the_reference() {
        let url =
            authorization_url(&env(), "skc_1", "https://app/cb", &Default::default()).unwrap();
        assert_eq!(
            url.as_str(),
            "https://acme.scalekit.dev/oauth/authorize?response_type=code&client_id=skc_1&redirect_uri=https%3A%2F%2Fapp%2Fcb&scope=openid+profile+email"
        );
    }

    #[test]
    fn every_option_is_emitted_in_reference_order_and_domain_hint_twice() {
        let opts = AuthorizationUrlOptions::default()
            .with_scopes(["openid", "offline_access"])
            .with_state("s")
            .with_nonce("n")
            .with_login_hint("a@b.c")
            .with_domain_hint("b.c")
            .with_connection_id("conn_1")
            .with_organization_id("org_1")
            .with_code_challenge("ch")
            .with_code_challenge_method("S256")
            .with_provider("google")
            .with_prompt("login");
        let url = authorization_url(&env(), "skc_1", "https://app/cb", &opts).unwrap();
        let names: Vec<String> = pairs(&url).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "state",
                "nonce",
                "login_hint",
                "domain_hint",
                "domain",
                "connection_id",
                "organization_id",
                "code_challenge",
                "code_challenge_method",
                "provider",
                "prompt"
            ]
        );
        assert!(pairs(&url).contains(&("scope".into(), "openid offline_access".into())));
        assert!(pairs(&url).contains(&("domain".into(), "b.c".into())));
    }

    #[test]
    fn empty_options_are_left_out_and_empty_redirect_is_refused() {
        let opts = AuthorizationUrlOptions::default().with_state("");
        let url = authorization_url(&env(), "skc_1", "x:/cb", &opts).unwrap();
        assert!(!pairs(&url).iter().any(|(k, _)| k == "state"));
        assert!(matches!(
            authorization_url(&env(), "skc_1", " ", &opts),
            Err(Error::InvalidArgument {
                field: "redirect_uri",
                ..
            })
        ));
    }

    #[test]
    fn an_env_url_path_prefix_is_kept() {
        let env = Url::parse("https://x.dev/tenant/").unwrap();
        let url = authorization_url(&env, "c", "https://app/cb", &Default::default()).unwrap();
        assert!(url
            .as_str()
            .starts_with("https://x.dev/tenant/oauth/authorize?"));
    }

    #[test]
    fn logout_url_has_only_given_parameters() {
        assert_eq!(
            logout_url("https://x.dev", &Default::default()),
            "https://x.dev/oidc/logout"
        );
        let opts = LogoutUrlOptions::default()
            .with_post_logout_redirect_uri("https://app/bye?x=1")
            .with_state("s 1");
        assert_eq!(
            logout_url("https://x.dev", &opts),
            "https://x.dev/oidc/logout?post_logout_redirect_uri=https%3A%2F%2Fapp%2Fbye%3Fx%3D1&state=s+1"
        );
        let hint = LogoutUrlOptions::default().with_id_token_hint("eyJ.secret.token");
        assert!(!format!("{hint:?}").contains("eyJ"));
    }

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(!format!("{pkce:?}").contains("dBjft"));
        let generated = Pkce::generate().unwrap();
        assert!(generated
            .verifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    proptest! {
        #[test]
        fn any_option_strings_round_trip(
            redirect in "\\PC{1,40}",
            state in "\\PC{0,40}",
            login_hint in "\\PC{0,40}",
            domain in "\\PC{0,40}",
            scopes in proptest::collection::vec("[^ ]{1,12}", 0..4),
            id_token_hint in "\\PC{0,40}",
        ) {
            prop_assume!(!redirect.trim().is_empty());
            let opts = AuthorizationUrlOptions::default()
                .with_scopes(scopes.clone())
                .with_state(state.clone())
                .with_login_hint(login_hint.clone())
                .with_domain_hint(domain.clone());
            let url = authorization_url(&env(), "skc_1", &redirect, &opts).unwrap();
            let reparsed = Url::parse(url.as_str()).unwrap();
            let got = pairs(&reparsed);
            let mut want: Vec<(String, String)> = vec![
                ("response_type".into(), "code".into()),
                ("client_id".into(), "skc_1".into()),
                ("redirect_uri".into(), redirect.clone()),
                ("scope".into(), scopes.join(" ")),
            ];
            for (name, value) in [("state", &state), ("login_hint", &login_hint), ("domain_hint", &domain), ("domain", &domain)] {
                if !value.is_empty() {
                    want.push((name.into(), value.clone()));
                }
            }
            prop_assert_eq!(got, want);

            let logout = logout_url("https://x.dev", &LogoutUrlOptions::default()
                .with_id_token_hint(id_token_hint.clone())
                .with_state(state.clone()));
            let logout = Url::parse(&logout).unwrap();
            let mut want = Vec::new();
            if !id_token_hint.is_empty() { want.push(("id_token_hint".to_string(), id_token_hint.clone())); }
            if !state.is_empty() { want.push(("state".to_string(), state.clone())); }
            prop_assert_eq!(pairs(&logout), want);
        }
    }
}
