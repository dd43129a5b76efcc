//! The sign-in page of `GET /oauth/authorize` without `login_hint`, driven
//! the way a browser would drive it (plain HTTP, no redirects followed):
//! pick a user, a new email, the SSO identity provider, passwordless codes
//! and links, cancel, and the refusals (bad requests, forms without an open
//! sign-in, cross-site posts).

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use anyhow::{ensure, Context as _};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use scalekit::proto::connections::{
    ConnectionProvider, ConnectionType, CreateConnection, CreateConnectionRequest,
    ToggleConnectionRequest,
};
use scalekit::proto::domains::{
    create_domain_request, CreateDomain, CreateDomainRequest, DomainType,
};
use scalekit::proto::users::{
    CreateUser, CreateUserAndMembershipRequest, CreateUserProfile, GetUserRequest,
};
use scalekit::ScalekitClient;
use scalekit_emulator::EmulatorHandle;
use sha2::{Digest as _, Sha256};
use url::Url;

const REDIRECT: &str = "http://127.0.0.1:3000/callback";

/// Fails a test that takes longer than a minute instead of hanging.
async fn within<F: Future<Output = anyhow::Result<()>>>(test: F) -> anyhow::Result<()> {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .context("the test timed out")?
}

/// A browser stand-in: no redirects followed, every request bounded.
fn browser() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()?)
}

/// The authorization URL with the client, redirect URI, `response_type`,
/// `state=s1` and `extra`.
fn authorize_url(emulator: &EmulatorHandle, extra: &[(&str, &str)]) -> anyhow::Result<Url> {
    let mut url = Url::parse(&format!("{}/oauth/authorize", emulator.env_url()))?;
    url.query_pairs_mut()
        .append_pair("client_id", emulator.client_id())
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("response_type", "code")
        .append_pair("state", "s1")
        .extend_pairs(extra);
    Ok(url)
}

/// A page as the browser got it.
struct Page {
    status: u16,
    content_type: String,
    location: Option<String>,
    body: String,
}

impl Page {
    async fn from(response: reqwest::Response) -> anyhow::Result<Page> {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type").unwrap_or_default();
        let location = header("location");
        let status = response.status().as_u16();
        Ok(Page {
            status,
            content_type,
            location,
            body: response.text().await?,
        })
    }

    /// The form token (the pending sign-in) the page's forms carry.
    fn token(&self) -> anyhow::Result<String> {
        self.attribute_after(r#"name="request" value=""#)
            .context("no form token on the page")
    }

    /// The text from `marker` up to the next `"` or `<`.
    fn attribute_after(&self, marker: &str) -> Option<String> {
        let start = self.body.find(marker)? + marker.len();
        let rest = &self.body[start..];
        let end = rest.find(['"', '<'])?;
        Some(rest[..end].to_string())
    }

    /// The callback's query, when the page redirected to the redirect URI.
    fn callback(&self) -> anyhow::Result<HashMap<String, String>> {
        ensure!(self.status == 302, "status {}: {}", self.status, self.body);
        let location = Url::parse(self.location.as_deref().context("no Location")?)?;
        ensure!(location.as_str().starts_with(REDIRECT), "{location}");
        Ok(location.query_pairs().into_owned().collect())
    }

    fn is_html(&self) -> bool {
        self.content_type.starts_with("text/html")
    }
}

async fn get(url: &str) -> anyhow::Result<Page> {
    Page::from(browser()?.get(url).send().await?).await
}

/// A form post to a path of the emulator.
async fn post(
    emulator: &EmulatorHandle,
    path: &str,
    form: &[(&str, &str)],
) -> anyhow::Result<Page> {
    let url = format!("{}{path}", emulator.env_url());
    Page::from(browser()?.post(url).form(form).send().await?).await
}

/// The decoded payload of a JWT (its signature is checked by the SDK's own
/// tests; here only the claims matter).
fn claims(jwt: &str) -> anyhow::Result<serde_json::Value> {
    let payload = jwt.split('.').nth(1).context("not a JWT")?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload)?)?)
}

/// Exchanges a code; returns the ID token's and the access token's claims.
async fn exchange(
    emulator: &EmulatorHandle,
    code: &str,
    extra: &[(&str, &str)],
) -> anyhow::Result<(serde_json::Value, serde_json::Value)> {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", emulator.client_id()),
        ("client_secret", emulator.client_secret()),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    form.extend_from_slice(extra);
    let response = browser()?
        .post(format!("{}/oauth/token", emulator.env_url()))
        .form(&form)
        .send()
        .await?;
    ensure!(
        response.status() == 200,
        "token endpoint: {}",
        response.status()
    );
    let body: serde_json::Value = response.json().await?;
    let id = claims(body["id_token"].as_str().context("no id_token")?)?;
    let access = claims(body["access_token"].as_str().context("no access_token")?)?;
    Ok((id, access))
}

/// Adds a user with this email and given name to an organization; returns
/// the user's id.
async fn named_member(
    client: &ScalekitClient,
    organization_id: &str,
    email: &str,
    given_name: &str,
) -> anyhow::Result<String> {
    let response = client
        .raw()
        .users()
        .create_user_and_membership(CreateUserAndMembershipRequest {
            organization_id: organization_id.to_owned(),
            user: Some(CreateUser {
                email: email.to_owned(),
                user_profile: Some(CreateUserProfile {
                    given_name: given_name.to_owned(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            send_invitation_email: Some(false),
        })
        .await?
        .into_inner();
    Ok(response.user.context("no user")?.id)
}

/// An enabled SAML connection (Okta) of the organization; returns its id.
async fn sso_connection(client: &ScalekitClient, organization_id: &str) -> anyhow::Result<String> {
    let mut connections = client.raw().connections();
    let created = connections
        .create_connection(CreateConnectionRequest {
            organization_id: organization_id.to_owned(),
            connection: Some(CreateConnection {
                provider: ConnectionProvider::Okta as i32,
                r#type: ConnectionType::Saml as i32,
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .connection
        .context("no connection")?;
    connections
        .enable_connection(ToggleConnectionRequest {
            organization_id: organization_id.to_owned(),
            id: created.id.clone(),
        })
        .await?;
    Ok(created.id)
}

#[tokio::test]
async fn page_lists_users_escaped_a_page_at_a_time() -> anyhow::Result<()> {
    within(async {
        let (emulator, client) = common::start().await?;
        let org = common::organization(&client, "Acme").await?;
        named_member(
            &client,
            &org,
            "mallory@acme.example",
            "<script>alert(1)</script>",
        )
        .await?;
        for n in 1..=10 {
            common::member(&client, &org, &format!("user{n:02}@acme.example")).await?;
        }
        let page = get(authorize_url(&emulator, &[])?.as_str()).await?;
        ensure!(
            page.status == 200 && page.is_html(),
            "{} {}",
            page.status,
            page.content_type
        );
        ensure!(
            page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{}",
            page.body
        );
        ensure!(
            !page.body.contains("<script>"),
            "an unescaped name: {}",
            page.body
        );
        ensure!(page.body.contains("user09@acme.example"));
        ensure!(
            !page.body.contains("user10@acme.example"),
            "ten users a page"
        );

        let next = page
            .attribute_after(r#"<a href=""#)
            .context("no link to the next page")?
            .replace("&amp;", "&");
        let second = get(&format!("{}{next}", emulator.env_url())).await?;
        ensure!(second.status == 200, "{}", second.status);
        ensure!(
            second.body.contains("user10@acme.example"),
            "{}",
            second.body
        );
        ensure!(!second.body.contains("user09@acme.example"));
        ensure!(
            second.token()? == page.token()?,
            "one sign-in across its pages"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn page_for_an_organization_lists_only_its_members() -> anyhow::Result<()> {
    within(async {
        let (emulator, client) = common::start().await?;
        let acme = common::organization(&client, "Acme").await?;
        let other = common::organization(&client, "Other").await?;
        common::member(&client, &acme, "ada@acme.example").await?;
        common::member(&client, &other, "bob@other.example").await?;
        let page = get(authorize_url(&emulator, &[("organization_id", &acme)])?.as_str()).await?;
        ensure!(page.status == 200, "{}", page.status);
        ensure!(page.body.contains("ada@acme.example"));
        ensure!(!page.body.contains("bob@other.example"), "{}", page.body);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn picking_a_user_signs_them_in_with_the_requests_parameters() -> anyhow::Result<()> {
    within(async {
        let (emulator, client) = common::start().await?;
        let org = common::organization(&client, "Acme").await?;
        let ada = common::member(&client, &org, "ada@acme.example").await?;
        let verifier = "a-verifier-of-at-least-forty-three-characters-long";
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
        let url = authorize_url(
            &emulator,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("nonce", "n-1"),
                ("scope", "openid profile email"),
            ],
        )?;
        let page = get(url.as_str()).await?;
        let token = page.token()?;
        let done = post(
            &emulator,
            "/oauth/authorize/user",
            &[("request", &token), ("user_id", &ada)],
        )
        .await?;
        let query = done.callback()?;
        ensure!(
            query.get("state").map(String::as_str) == Some("s1"),
            "{query:?}"
        );
        let code = query.get("code").context("no code")?;
        ensure!(
            exchange(&emulator, code, &[]).await.is_err(),
            "the PKCE challenge applies"
        );
        // That code is used up: sign in again to exchange one with the verifier.
        let page = get(url.as_str()).await?;
        let done = post(
            &emulator,
            "/oauth/authorize/user",
            &[("request", &page.token()?), ("user_id", &ada)],
        )
        .await?;
        let code = done.callback()?.remove("code").context("no code")?;
        let (id, access) = exchange(&emulator, &code, &[("code_verifier", verifier)]).await?;
        ensure!(
            id["sub"] == ada.as_str() && access["sub"] == ada.as_str(),
            "{id}"
        );
        ensure!(id["email"] == "ada@acme.example", "{id}");
        ensure!(id["nonce"] == "n-1", "{id}");
        ensure!(
            access["scopes"] == serde_json::json!(["openid", "profile", "email"]),
            "{access}"
        );

        let again = post(
            &emulator,
            "/oauth/authorize/user",
            &[("request", &token), ("user_id", &ada)],
        )
        .await?;
        ensure!(
            again.status == 403 && again.is_html(),
            "a sign-in completes once: {}",
            again.status
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_new_email_creates_the_user() -> anyhow::Result<()> {
    within(async {
        let (emulator, client) = common::start().await?;
        let page = get(authorize_url(&emulator, &[])?.as_str()).await?;
        ensure!(page.body.contains("No users yet"), "{}", page.body);
        let done = post(
            &emulator,
            "/oauth/authorize/email",
            &[
                ("request", &page.token()?),
                ("email", "New.Person@Example.com"),
            ],
        )
        .await?;
        let code = done.callback()?.remove("code").context("no code")?;
        let (id, _) = exchange(&emulator, &code, &[]).await?;
        ensure!(id["email"] == "new.person@example.com", "{id}");
        let user_id = id["sub"].as_str().context("no sub")?;
        let user = client
            .raw()
            .users()
            .get_user(GetUserRequest {
                identities: Some(scalekit::proto::users::get_user_request::Identities::Id(
                    user_id.to_owned(),
                )),
            })
            .await?
            .into_inner()
            .user
            .context("no user")?;
        ensure!(user.email == "new.person@example.com", "{}", user.email);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn sso_sign_in_carries_what_the_identity_provider_asserted() -> anyhow::Result<()> {
    within(async {
        let (emulator, client) = common::start().await?;
        let org = common::organization(&client, "Acme").await?;
        let connection = sso_connection(&client, &org).await?;
        // The organization and the connection each ask for the identity provider.
        for asks in [
            ("organization_id", org.as_str()),
            ("connection_id", connection.as_str()),
        ] {
            let page = get(authorize_url(&emulator, &[asks])?.as_str()).await?;
            ensure!(page.status == 200, "{asks:?}: {}", page.status);
            ensure!(
                page.body.contains("Identity provider"),
                "{asks:?}: {}",
                page.body
            );
            ensure!(
                page.body.contains(&connection),
                "{asks:?}: names the connection"
            );
            let picked = post(
                &emulator,
                "/oauth/authorize/email",
                &[("request", &page.token()?), ("email", "x@acme.example")],
            )
            .await?;
            ensure!(
                picked.status == 400,
                "{asks:?}: SSO cannot be skipped: {}",
                picked.status
            );

            let done = post(
                &emulator,
                "/oauth/authorize/sso",
                &[
                    ("request", &page.token()?),
                    ("email", "grace@acme.example"),
                    ("given_name", "Grace"),
                    ("family_name", "Hopper"),
                    ("groups", "engineering, admins"),
                ],
            )
            .await?;
            let code = done.callback()?.remove("code").context("no code")?;
            let (id, access) = exchange(&emulator, &code, &[]).await?;
            ensure!(
                id["given_name"] == "Grace" && id["family_name"] == "Hopper",
                "{id}"
            );
            ensure!(
                id["oid"] == org.as_str() && access["oid"] == org.as_str(),
                "{id}"
            );
            let identity = &id["identities"][0];
            ensure!(
                identity["connection_id"] == connection.as_str(),
                "{identity}"
            );
            ensure!(
                identity["connection_type"] == "SAML" && identity["provider_name"] == "OKTA",
                "{identity}"
            );
            ensure!(
                identity["provider_raw_attributes"]["groups"]
                    == serde_json::json!(["engineering", "admins"]),
                "{identity}"
            );
            let user = client
                .raw()
                .users()
                .get_user(GetUserRequest {
                    identities: Some(scalekit::proto::users::get_user_request::Identities::Id(
                        id["sub"].as_str().context("no sub")?.to_owned(),
                    )),
                })
                .await?
                .into_inner()
                .user
                .context("no user")?;
            let profile = user.user_profile.context("no profile")?;
            ensure!(
                profile.given_name == "Grace" && profile.family_name == "Hopper",
                "{profile:?}"
            );
            ensure!(profile.groups == ["engineering", "admins"], "{profile:?}");
            ensure!(
                profile.external_identities.len() == 1,
                "one identity per connection: {profile:?}"
            );
            ensure!(profile.external_identities[0].connection_id == connection);
        }
        Ok(())
    })
    .await
}

/// Makes `domain` an `ORGANIZATION_DOMAIN` of the organization.
async fn organization_domain(
    client: &ScalekitClient,
    organization_id: &str,
    domain: &str,
) -> anyhow::Result<()> {
    client
        .raw()
        .domains()
        .create_domain(CreateDomainRequest {
            identities: Some(create_domain_request::Identities::OrganizationId(
                organization_id.to_owned(),
            )),
            connection_id: None,
            domain: Some(CreateDomain {
                domain: domain.to_owned(),
                domain_type: DomainType::OrganizationDomain as i32,
            }),
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_new_email_at_an_sso_organizations_domain_goes_to_its_identity_provider(
) -> anyhow::Result<()> {
    within(async {
        let (emulator, client) = common::start().await?;
        let acme = common::organization(&client, "Acme").await?;
        let connection = sso_connection(&client, &acme).await?;
        organization_domain(&client, &acme, "acme.example").await?;
        let other = common::organization(&client, "Other").await?;
        organization_domain(&client, &other, "other.example").await?;

        let page = get(authorize_url(&emulator, &[])?.as_str()).await?;
        let token = page.token()?;
        let typed = [("request", token.as_str()), ("email", "Grace@ACME.example")];
        let idp = post(&emulator, "/oauth/authorize/email", &typed).await?;
        ensure!(idp.status == 200, "status {}: {}", idp.status, idp.body);
        ensure!(
            idp.body.contains("Identity provider") && idp.body.contains(&connection),
            "{}",
            idp.body
        );
        ensure!(
            idp.body.contains(r#"value="grace@acme.example""#),
            "the typed email is filled in: {}",
            idp.body
        );
        // From here only the identity provider completes the sign-in.
        let skipped = [("request", token.as_str()), ("email", "x@other.example")];
        let skipped = post(&emulator, "/oauth/authorize/email", &skipped).await?;
        ensure!(skipped.status == 400, "SSO skipped: {}", skipped.status);
        let asserted = [
            ("request", token.as_str()),
            ("email", "grace@acme.example"),
            ("given_name", "Grace"),
        ];
        let done = post(&emulator, "/oauth/authorize/sso", &asserted).await?;
        let code = done.callback()?.remove("code").context("no code")?;
        let (id, _) = exchange(&emulator, &code, &[]).await?;
        ensure!(id["oid"] == acme.as_str(), "{id}");
        ensure!(
            id["identities"][0]["connection_id"] == connection.as_str(),
            "{id}"
        );

        // No SSO for a domain without a connection, an unknown domain, or a
        // request that names another organization.
        for (email, extra) in [
            ("bob@other.example", None),
            ("carol@nowhere.example", None),
            (
                "dave@acme.example",
                Some(("organization_id", other.as_str())),
            ),
        ] {
            let extra: Vec<_> = extra.into_iter().collect();
            let page = get(authorize_url(&emulator, &extra)?.as_str()).await?;
            let token = page.token()?;
            let done = post(
                &emulator,
                "/oauth/authorize/email",
                &[("request", token.as_str()), ("email", email)],
            )
            .await?;
            ensure!(done.callback()?.contains_key("code"), "{email}");
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn passwordless_shows_the_code_and_accepts_it() -> anyhow::Result<()> {
    within(async {
        let (emulator, _client) = common::start().await?;
        let page = get(authorize_url(&emulator, &[])?.as_str()).await?;
        let token = page.token()?;
        let sent = post(
            &emulator,
            "/oauth/authorize/passwordless",
            &[("request", &token), ("email", "ada@acme.example")],
        )
        .await?;
        ensure!(sent.status == 200, "{}: {}", sent.status, sent.body);
        let code = sent
            .attribute_after(r#"id="code">"#)
            .context("no code shown")?;
        let emailed = emulator
            .last_passwordless_email("ada@acme.example")
            .context("no email")?;
        ensure!(code == emailed.code, "the page shows the emailed code");

        let wrong = if code == "000000" { "111111" } else { "000000" };
        let refused = post(
            &emulator,
            "/oauth/authorize/passwordless/verify",
            &[("request", &token), ("code", wrong)],
        )
        .await?;
        ensure!(refused.status == 400, "{}", refused.status);
        ensure!(
            refused.body.contains("not the one sent"),
            "{}",
            refused.body
        );

        let done = post(
            &emulator,
            "/oauth/authorize/passwordless/verify",
            &[("request", &token), ("code", &code)],
        )
        .await?;
        let code = done.callback()?.remove("code").context("no code")?;
        let (id, _) = exchange(&emulator, &code, &[]).await?;
        ensure!(id["email"] == "ada@acme.example", "{id}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn passwordless_magic_link_completes_the_sign_in() -> anyhow::Result<()> {
    within(async {
        let (emulator, _client) = common::start().await?;
        let page = get(authorize_url(&emulator, &[])?.as_str()).await?;
        let sent = post(
            &emulator,
            "/oauth/authorize/passwordless",
            &[("request", &page.token()?), ("email", "ada@acme.example")],
        )
        .await?;
        let link = sent
            .attribute_after(r#"Magic link: <a href=""#)
            .context("no magic link")?
            .replace("&amp;", "&");
        let done = get(&format!("{}{link}", emulator.env_url())).await?;
        let code = done.callback()?.remove("code").context("no code")?;
        let (id, _) = exchange(&emulator, &code, &[]).await?;
        ensure!(id["email"] == "ada@acme.example", "{id}");
        let again = get(&format!("{}{link}", emulator.env_url())).await?;
        ensure!(
            again.status >= 400 && again.is_html(),
            "a link works once: {}",
            again.status
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn cancel_redirects_with_access_denied_and_state() -> anyhow::Result<()> {
    within(async {
        let (emulator, _client) = common::start().await?;
        let page = get(authorize_url(&emulator, &[])?.as_str()).await?;
        let done = post(
            &emulator,
            "/oauth/authorize/cancel",
            &[("request", &page.token()?)],
        )
        .await?;
        let query = done.callback()?;
        ensure!(
            query.get("error").map(String::as_str) == Some("access_denied"),
            "{query:?}"
        );
        ensure!(
            query.get("state").map(String::as_str) == Some("s1"),
            "{query:?}"
        );
        ensure!(!query.contains_key("code"));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn bad_authorization_requests_get_an_error_page() -> anyhow::Result<()> {
    within(async {
        let (emulator, client) = common::start().await?;
        let org = common::organization(&client, "Acme").await?;
        let disabled = client
            .raw()
            .connections()
            .create_connection(CreateConnectionRequest {
                organization_id: org.clone(),
                connection: Some(CreateConnection {
                    provider: ConnectionProvider::Okta as i32,
                    r#type: ConnectionType::Saml as i32,
                    ..Default::default()
                }),
            })
            .await?
            .into_inner()
            .connection
            .context("no connection")?
            .id;
        let base = format!("{}/oauth/authorize", emulator.env_url());
        let id = emulator.client_id();
        let valid = format!("client_id={id}&redirect_uri={REDIRECT}&response_type=code");
        let cases = [
            ("no client_id", format!("redirect_uri={REDIRECT}&response_type=code"), "no client_id"),
            ("another client", format!("client_id=skc_other&redirect_uri={REDIRECT}&response_type=code"), "skc_other"),
            ("no redirect_uri", format!("client_id={id}&response_type=code"), "no redirect_uri"),
            ("relative redirect_uri", format!("client_id={id}&redirect_uri=/cb&response_type=code"), "absolute"),
            ("no response_type", format!("client_id={id}&redirect_uri={REDIRECT}"), "response_type"),
            ("response_type token", format!("client_id={id}&redirect_uri={REDIRECT}&response_type=token"), "token"),
            ("unknown connection", format!("{valid}&connection_id=conn_404"), "conn_404"),
            ("disabled connection", format!("{valid}&connection_id={disabled}"), "disabled"),
            ("hostile client_id", format!("client_id=%3Cb%3Ex&redirect_uri={REDIRECT}&response_type=code"), "&lt;b&gt;x"),
        ];
        for (name, query, says) in cases {
            let page = get(&format!("{base}?{query}")).await?;
            ensure!(page.status == 400, "{name}: status {}", page.status);
            ensure!(page.location.is_none(), "{name}: redirected to {:?}", page.location);
            ensure!(page.is_html(), "{name}: {}", page.content_type);
            ensure!(page.body.contains(says), "{name}: {}", page.body);
        }
        // With login_hint, bad requests are answered as before: JSON.
        let page = get(&format!("{base}?client_id=skc_other&redirect_uri={REDIRECT}&response_type=code&login_hint=a@b.example")).await?;
        ensure!(page.status == 400 && page.content_type.starts_with("application/json"), "login_hint: {} {}", page.status, page.content_type);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn pages_allow_no_script_and_load_the_shared_stylesheet() -> anyhow::Result<()> {
    within(async {
        let (emulator, _client) = common::start().await?;
        let response = browser()?
            .get(authorize_url(&emulator, &[])?)
            .send()
            .await?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let policy = header("content-security-policy");
        ensure!(
            policy.contains("default-src 'none'") && policy.contains("style-src 'self'"),
            "{policy}"
        );
        // The forms end in a redirect to the application, which a
        // `form-action` policy would block.
        ensure!(!policy.contains("form-action"), "{policy}");
        ensure!(header("referrer-policy") == "same-origin");
        let page = Page::from(response).await?;
        let href = page
            .attribute_after(r#"<link rel="stylesheet" href=""#)
            .context("the page links no stylesheet")?;
        let stylesheet = browser()?
            .get(format!("{}{href}", emulator.env_url()))
            .send()
            .await?;
        ensure!(
            stylesheet.status() == 200,
            "{href}: {}",
            stylesheet.status()
        );
        let content_type = stylesheet.headers()["content-type"].to_str()?;
        ensure!(content_type.starts_with("text/css"), "{content_type}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn forms_without_an_open_sign_in_are_refused() -> anyhow::Result<()> {
    within(async {
        let (emulator, _client) = common::start().await?;
        let page = get(authorize_url(&emulator, &[])?.as_str()).await?;
        let token = page.token()?;
        let url = format!("{}/oauth/authorize/email", emulator.env_url());
        let email = ("email", "ada@acme.example");
        for (name, form, origin) in [
            ("no token", vec![email], None),
            ("a made-up token", vec![("request", "made-up"), email], None),
            (
                "another site",
                vec![("request", token.as_str()), email],
                Some("http://evil.example"),
            ),
        ] {
            let mut request = browser()?.post(&url).form(&form);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            let refused = Page::from(request.send().await?).await?;
            ensure!(refused.status == 403, "{name}: status {}", refused.status);
            ensure!(refused.is_html() && refused.location.is_none(), "{name}");
        }
        // The refusals left the page's own sign-in open.
        let done = post(
            &emulator,
            "/oauth/authorize/email",
            &[("request", &token), email],
        )
        .await?;
        ensure!(done.callback()?.contains_key("code"));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn login_hint_signs_in_without_a_page() -> anyhow::Result<()> {
    within(async {
        let (emulator, _client) = common::start().await?;
        let page =
            get(authorize_url(&emulator, &[("login_hint", "ada@acme.example")])?.as_str()).await?;
        let query = page.callback()?;
        ensure!(
            query.get("state").map(String::as_str) == Some("s1"),
            "{query:?}"
        );
        let (id, _) = exchange(&emulator, query.get("code").context("no code")?, &[]).await?;
        ensure!(id["email"] == "ada@acme.example", "{id}");
        Ok(())
    })
    .await
}
