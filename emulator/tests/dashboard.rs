//! The dashboard at `/_emulator` over plain HTTP: what it shows (escaped,
//! paged, linked, without secrets), what it refuses (other hosts, forms
//! from other sites or without the CSRF token) and its actions.

mod common;

use std::time::Duration;

use anyhow::Context as _;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, HOST, LOCATION, ORIGIN};
use reqwest::StatusCode;
use scalekit::proto::clients::{
    ClientServiceClient, CreateOrganizationClientRequest, OrganizationClient,
};
use scalekit::proto::sessions::SessionDetails;
use scalekit::proto::tokens::{ApiTokenServiceClient, CreateToken, CreateTokenRequest};
use scalekit_emulator::EmulatorHandle;

/// How long any one test may take.
const BOUND: Duration = Duration::from_secs(60);

/// Runs a test body within [`BOUND`], so a hang fails instead of hanging.
async fn bounded<F: std::future::Future<Output = anyhow::Result<()>>>(
    body: F,
) -> anyhow::Result<()> {
    tokio::time::timeout(BOUND, body)
        .await
        .context("the test did not finish in time")?
}

/// An HTTP client that shows redirects instead of following them.
fn http() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()?)
}

/// One answer: its status, headers and body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn answer(response: reqwest::Response) -> anyhow::Result<Answer> {
    Ok(Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await?,
    })
}

async fn get(emulator: &EmulatorHandle, path: &str) -> anyhow::Result<Answer> {
    answer(
        http()?
            .get(format!("{}{path}", emulator.env_url()))
            .send()
            .await?,
    )
    .await
}

/// POSTs `form` to `path` as the dashboard's own page would.
async fn post(
    emulator: &EmulatorHandle,
    path: &str,
    form: &[(&str, &str)],
    headers: HeaderMap,
) -> anyhow::Result<Answer> {
    answer(
        http()?
            .post(format!("{}{path}", emulator.env_url()))
            .headers(headers)
            .form(form)
            .send()
            .await?,
    )
    .await
}

/// The CSRF token the dashboard's forms carry.
async fn csrf_token(emulator: &EmulatorHandle) -> anyhow::Result<String> {
    let page = get(emulator, "/_emulator/dashboard/organizations").await?;
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.body.find(marker).context("no CSRF field")? + marker.len();
    let len = page.body[start..].find('"').context("unterminated")?;
    Ok(page.body[start..start + len].to_owned())
}

/// The `href`s of the page's links that start with `prefix`.
fn links(body: &str, prefix: &str) -> Vec<String> {
    let marker = format!("href=\"{prefix}");
    body.match_indices(&marker)
        .filter_map(|(at, _)| {
            let start = at + "href=\"".len();
            let len = body[start..].find('"')?;
            Some(body[start..start + len].replace("&amp;", "&"))
        })
        .collect()
}

#[tokio::test]
async fn a_hostile_organization_name_shows_as_text() -> anyhow::Result<()> {
    bounded(async {
        let (emulator, client) = common::start().await?;
        let hostile = "<script>alert(1)</script>\"'&";
        let org = common::organization(&client, hostile).await?;
        common::member(&client, &org, "mallory@evil.example").await?;
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;";
        for path in [
            "/_emulator/dashboard/organizations".to_owned(),
            format!("/_emulator/dashboard/organizations/{org}"),
            "/_emulator/dashboard/users".to_owned(),
        ] {
            let page = get(&emulator, &path).await?;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(page.body.contains(escaped), "{path} shows the name as text");
            assert!(!page.body.contains("<script"), "{path} has no script tag");
            let policy = page
                .headers
                .get("content-security-policy")
                .context("no content security policy")?;
            assert!(policy.to_str()?.contains("default-src 'none'"), "{path}");
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn forms_need_the_csrf_token_and_the_dashboards_own_origin() -> anyhow::Result<()> {
    bounded(async {
        let (emulator, client) = common::start().await?;
        let token = csrf_token(&emulator).await?;
        let own_origin = emulator.env_url().to_owned();
        let header = |name: &'static str, value: &str| -> anyhow::Result<HeaderMap> {
            let mut headers = HeaderMap::new();
            headers.insert(name, HeaderValue::from_str(value)?);
            Ok(headers)
        };
        let refused = [
            ("no token", None, HeaderMap::new()),
            (
                "a wrong token",
                Some("x".repeat(token.len())),
                HeaderMap::new(),
            ),
            (
                "another site's fetch",
                Some(token.clone()),
                header("sec-fetch-site", "cross-site")?,
            ),
            (
                "another origin",
                Some(token.clone()),
                header(ORIGIN.as_str(), "http://evil.example")?,
            ),
        ];
        for (case, sent, headers) in refused {
            let mut form = vec![("display_name", "Forged")];
            if let Some(sent) = &sent {
                form.push(("csrf_token", sent));
            }
            let answer = post(
                &emulator,
                "/_emulator/dashboard/organizations",
                &form,
                headers,
            )
            .await?;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{case}");
        }
        let listed = client
            .organizations()
            .list_organization(Default::default())
            .await?;
        assert!(listed.items.is_empty(), "no refused form created anything");

        let mut headers = header(ORIGIN.as_str(), &own_origin)?;
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        let created = post(
            &emulator,
            "/_emulator/dashboard/organizations",
            &[("display_name", "Acme"), ("csrf_token", &token)],
            headers,
        )
        .await?;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
        let location = created
            .headers
            .get(LOCATION)
            .context("no redirect")?
            .to_str()?;
        let listed = client
            .organizations()
            .list_organization(Default::default())
            .await?;
        let org = listed.items.first().context("the form created nothing")?;
        assert_eq!(org.display_name, "Acme");
        assert_eq!(
            location,
            format!("/_emulator/dashboard/organizations/{}", org.id)
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn requests_naming_another_host_are_refused() -> anyhow::Result<()> {
    bounded(async {
        let (emulator, _client) = common::start().await?;
        let port = emulator.addr().port();
        let cases = [
            (format!("127.0.0.1:{port}"), StatusCode::OK),
            (format!("localhost:{port}"), StatusCode::OK),
            (
                format!("rebound.evil.example:{port}"),
                StatusCode::MISDIRECTED_REQUEST,
            ),
            (
                format!("127.0.0.1:{}", port.wrapping_add(1)),
                StatusCode::MISDIRECTED_REQUEST,
            ),
        ];
        for (host, expected) in cases {
            let response = http()?
                .get(format!("{}/_emulator", emulator.env_url()))
                .header(HOST, &host)
                .send()
                .await?;
            assert_eq!(response.status(), expected, "Host: {host}");
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn lists_page_and_refuse_a_page_that_is_not_a_number() -> anyhow::Result<()> {
    bounded(async {
        let (emulator, client) = common::start().await?;
        for i in 0..23 {
            common::organization(&client, &format!("Org {i:02}")).await?;
        }
        let count = |body: &str| {
            links(body, "/_emulator/dashboard/organizations/org_")
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        let first = get(&emulator, "/_emulator/dashboard/organizations").await?;
        assert_eq!(count(&first.body), 20);
        assert!(first.body.contains("Org 00") && !first.body.contains("Org 20"));
        let next = links(&first.body, "/_emulator/dashboard/organizations?page=");
        assert_eq!(next, ["/_emulator/dashboard/organizations?page=2"]);
        let second = get(&emulator, &next[0]).await?;
        assert_eq!(count(&second.body), 3);
        assert!(second.body.contains("Org 22") && !second.body.contains("Org 19"));
        for bad in ["0", "x", "-1"] {
            let page = get(
                &emulator,
                &format!("/_emulator/dashboard/organizations?page={bad}"),
            )
            .await?;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "page={bad}");
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn records_link_to_their_related_ones() -> anyhow::Result<()> {
    bounded(async {
        let (emulator, client) = common::start().await?;
        let org = common::organization(&client, "Acme").await?;
        let user = common::member(&client, &org, "ada@acme.example").await?;
        let org_href = format!("/_emulator/dashboard/organizations/{org}");
        let user_href = format!("/_emulator/dashboard/users/{user}");

        let org_page = get(&emulator, &org_href).await?;
        assert!(
            !links(&org_page.body, &user_href).is_empty(),
            "org -> its user"
        );
        let user_page = get(&emulator, &user_href).await?;
        assert!(
            !links(&user_page.body, &org_href).is_empty(),
            "user -> their org"
        );
        let role_href = links(&user_page.body, "/_emulator/dashboard/roles/role_")
            .into_iter()
            .next()
            .context("user -> their role")?;
        let role_page = get(&emulator, &role_href).await?;
        assert_eq!(role_page.status, StatusCode::OK);
        assert!(role_page.body.contains("Role member"));
        assert!(
            !links(&role_page.body, &user_href).is_empty(),
            "role -> its members"
        );
        let events = get(
            &emulator,
            &format!("/_emulator/dashboard/events?organization_id={org}"),
        )
        .await?;
        assert!(events.body.contains("organization.created"));
        assert!(
            !links(&events.body, &user_href).is_empty(),
            "event -> its user"
        );

        let missing = get(&emulator, "/_emulator/dashboard/users/usr_missing").await?;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn no_page_shows_a_secret() -> anyhow::Result<()> {
    bounded(async {
        let (emulator, client) = common::start().await?;
        // Nothing listens on port 9 (discard): the attempt fails at once
        // and is logged with the endpoint's URL.
        let endpoint = emulator.add_webhook_endpoint("http://127.0.0.1:9/hook", None, &[])?;
        let org = common::organization(&client, "Acme").await?;
        emulator
            .wait_for_webhook_deliveries(1, Duration::from_secs(20))
            .await?;
        let user = common::member(&client, &org, "ada@acme.example").await?;
        let api_token = ApiTokenServiceClient::new(client.raw().channel())
            .create_token(CreateTokenRequest {
                token: Some(CreateToken {
                    organization_id: org.clone(),
                    user_id: user.clone(),
                    ..Default::default()
                }),
            })
            .await?
            .into_inner()
            .token;
        let client_secret = ClientServiceClient::new(client.raw().channel())
            .create_organization_client(CreateOrganizationClientRequest {
                organization_id: org.clone(),
                client: Some(OrganizationClient {
                    name: "Billing job".into(),
                    ..Default::default()
                }),
            })
            .await?
            .into_inner()
            .plain_secret;
        emulator.add_session(&user, SessionDetails::default())?;
        let secrets = [
            (
                "the environment's client secret",
                emulator.client_secret().to_owned(),
            ),
            ("an API token", api_token),
            ("an organization client's secret", client_secret),
            ("a webhook endpoint's secret", endpoint.secret().to_owned()),
        ];

        let mut pages = vec![
            "/_emulator".to_owned(),
            format!("/_emulator/dashboard/organizations/{org}"),
            format!("/_emulator/dashboard/users/{user}"),
        ];
        let overview = get(&emulator, "/_emulator").await?;
        pages.extend(links(&overview.body, "/_emulator/dashboard/"));
        for path in &pages {
            let page = get(&emulator, path).await?;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            for (what, secret) in &secrets {
                assert!(secret.len() >= 16, "{what} is a real secret");
                assert!(!page.body.contains(secret.as_str()), "{path} shows {what}");
            }
        }
        let webhooks = get(&emulator, "/_emulator/dashboard/webhooks").await?;
        assert!(
            webhooks.body.contains("organization.created")
                && webhooks.body.contains("http://127.0.0.1:9/hook"),
            "deliveries are listed by event and endpoint URL: {}",
            webhooks.body
        );
        let requests = get(&emulator, "/_emulator/dashboard/requests").await?;
        assert!(
            requests
                .body
                .contains("scalekit.v1.organizations.OrganizationService/CreateOrganization"),
            "the journal's calls are listed by method: {}",
            requests.body
        );
        let credentials = get(&emulator, "/_emulator/dashboard/credentials").await?;
        assert!(
            credentials.body.contains("apit_"),
            "tokens are listed by id"
        );
        assert!(
            credentials.body.contains("m2morg_"),
            "clients are listed by id"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn actions_create_users_revoke_sessions_and_reset() -> anyhow::Result<()> {
    bounded(async {
        let (emulator, client) = common::start().await?;
        let org = common::organization(&client, "Acme").await?;
        let token = csrf_token(&emulator).await?;
        let created = post(
            &emulator,
            "/_emulator/dashboard/users",
            &[
                ("organization_id", &org),
                ("email", "grace@acme.example"),
                ("given_name", "Grace"),
                ("csrf_token", &token),
            ],
            HeaderMap::new(),
        )
        .await?;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
        let members = client
            .users()
            .list_organization_users(&org, Default::default())
            .await?;
        let user = members.items.first().context("the form created no user")?;
        assert_eq!(user.email, "grace@acme.example");

        let again = post(
            &emulator,
            "/_emulator/dashboard/users",
            &[
                ("organization_id", &org),
                ("email", "grace@acme.example"),
                ("csrf_token", &token),
            ],
            HeaderMap::new(),
        )
        .await?;
        assert_eq!(
            again.status,
            StatusCode::CONFLICT,
            "the service's refusal shows"
        );

        let session = emulator.add_session(&user.id, SessionDetails::default())?;
        let revoke = format!("/_emulator/dashboard/sessions/{session}/revoke");
        let revoked = post(
            &emulator,
            &revoke,
            &[("csrf_token", &token)],
            HeaderMap::new(),
        )
        .await?;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
        let stored = client.sessions().get_session(&session).await?;
        assert_eq!(stored.status, "revoked");
        let twice = post(
            &emulator,
            &revoke,
            &[("csrf_token", &token)],
            HeaderMap::new(),
        )
        .await?;
        assert_eq!(twice.status, StatusCode::PRECONDITION_FAILED);

        let reset = post(
            &emulator,
            "/_emulator/dashboard/reset",
            &[("csrf_token", &token)],
            HeaderMap::new(),
        )
        .await?;
        assert_eq!(reset.status, StatusCode::SEE_OTHER, "back to the overview");
        assert!(
            client
                .users()
                .list_users(Default::default())
                .await?
                .items
                .is_empty(),
            "the reset form returned the environment to its seeded (empty) state"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_root_sends_browsers_to_the_dashboard_and_still_answers_grpc() -> anyhow::Result<()> {
    bounded(async {
        let (emulator, client) = common::start().await?;
        let browser = http()?
            .get(emulator.env_url())
            .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
            .await?;
        assert_eq!(browser.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            browser.headers().get(LOCATION).map(|v| v.as_bytes()),
            Some(&b"/_emulator"[..])
        );

        let program = http()?.get(emulator.env_url()).send().await?;
        assert_eq!(
            program.headers().get("grpc-status").map(|v| v.as_bytes()),
            Some(&b"12"[..])
        );

        // The gRPC API on the same port is untouched.
        client
            .organizations()
            .list_organization(Default::default())
            .await?;
        Ok(())
    })
    .await
}
