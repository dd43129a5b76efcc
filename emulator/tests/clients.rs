//! The organization-client RPCs of ClientService and the credentials they
//! make, through the generated client over real sockets (so that requests
//! the facade refuses locally reach the server), and `/oauth/token` for the
//! clients' secrets.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use scalekit::proto::clients::{
    ClientSecretStatus, ClientServiceClient, CreateOrganizationClientRequest,
    CreateOrganizationClientResponse, CreateOrganizationClientSecretRequest, CustomClaim,
    DeleteOrganizationClientRequest, DeleteOrganizationClientSecretRequest,
    GetOrganizationClientRequest, ListOrganizationClientsRequest, M2mClient, OrganizationClient,
    UpdateOrganizationClientRequest,
};
use scalekit::proto::organizations::DeleteOrganizationRequest;
use scalekit::proto::users::ListUsersRequest;
use scalekit_emulator::{Code, EmulatorHandle};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use common::{start, Bearer};

type Clients = ClientServiceClient<InterceptedService<Channel, Bearer>>;

/// A generated client that sends `token` as its bearer.
fn with_bearer(emulator: &EmulatorHandle, token: &str) -> anyhow::Result<Clients> {
    let channel =
        tonic::transport::Endpoint::from_shared(emulator.env_url().to_owned())?.connect_lazy();
    let bearer = Bearer(format!("Bearer {token}").parse()?);
    Ok(ClientServiceClient::with_interceptor(channel, bearer))
}

/// An emulator, a generated ClientService client authenticated as the
/// environment, and one organization.
async fn setup() -> anyhow::Result<(EmulatorHandle, scalekit::ScalekitClient, Clients, String)> {
    let (emulator, client) = start().await?;
    let token = client.get_client_access_token().await?;
    let clients = with_bearer(&emulator, &token)?;
    let org = common::organization(&client, "Acme").await?;
    Ok((emulator, client, clients, org))
}

fn billing() -> OrganizationClient {
    OrganizationClient {
        name: "Billing job".into(),
        description: "Nightly export".into(),
        scopes: vec!["invoices:read".into()],
        audience: vec!["https://api.acme.example".into()],
        custom_claims: vec![CustomClaim {
            key: "team".into(),
            value: "billing".into(),
        }],
        expiry: 600,
    }
}

async fn create(
    clients: &mut Clients,
    org: &str,
    fields: OrganizationClient,
) -> Result<CreateOrganizationClientResponse, tonic::Status> {
    clients
        .create_organization_client(CreateOrganizationClientRequest {
            organization_id: org.into(),
            client: Some(fields),
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn get(clients: &mut Clients, org: &str, id: &str) -> Result<M2mClient, tonic::Status> {
    let response = clients
        .get_organization_client(GetOrganizationClientRequest {
            organization_id: org.into(),
            client_id: id.into(),
        })
        .await?
        .into_inner();
    response
        .client
        .ok_or_else(|| tonic::Status::internal("no client"))
}

/// `POST /oauth/token` with client credentials; (status, body).
async fn token_for(
    emulator: &EmulatorHandle,
    id: &str,
    secret: &str,
    grant_type: &str,
) -> anyhow::Result<(u16, serde_json::Value)> {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/token", emulator.env_url()))
        .form(&[
            ("grant_type", grant_type),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await?;
    Ok((response.status().as_u16(), response.json().await?))
}

fn payload(token: &str) -> anyhow::Result<serde_json::Value> {
    let part = token.split('.').nth(1).unwrap_or_default();
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part)?)?)
}

fn code<T: std::fmt::Debug>(result: Result<T, tonic::Status>) -> Code {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(status) => status.code(),
    }
}

#[tokio::test]
async fn create_returns_the_client_with_its_secret_once() -> anyhow::Result<()> {
    let (_emulator, _client, mut clients, org) = setup().await?;
    let created = create(&mut clients, &org, billing()).await?;
    let client = created.client.clone().expect("a client");
    assert!(
        client.client_id.starts_with("m2morg_"),
        "{}",
        client.client_id
    );
    assert_eq!(client.organization_id, org);
    assert_eq!(
        (client.name.as_str(), client.description.as_str()),
        ("Billing job", "Nightly export")
    );
    assert_eq!(client.scopes, ["invoices:read"]);
    assert_eq!(client.audience, ["https://api.acme.example"]);
    assert_eq!(client.custom_claims, billing().custom_claims);
    assert_eq!(client.expiry, 600);
    assert!(client.create_time.is_some() && client.update_time.is_some());
    let [secret] = client.secrets.as_slice() else {
        panic!("one secret: {:?}", client.secrets)
    };
    assert!(secret.id.starts_with("sec_"));
    assert_eq!(secret.status, ClientSecretStatus::Active as i32);
    assert!(secret.plain_secret.is_none());
    assert!(!created.plain_secret.is_empty());
    assert!(created.plain_secret.ends_with(&secret.secret_suffix));
    assert!(!secret.secret_suffix.is_empty());

    let got = get(&mut clients, &org, &client.client_id).await?;
    assert_eq!(got, client, "a read returns what the creation did");
    Ok(())
}

#[tokio::test]
async fn create_checks_the_fields_then_the_organization() -> anyhow::Result<()> {
    let (_emulator, _client, mut clients, org) = setup().await?;
    let missing = clients
        .create_organization_client(CreateOrganizationClientRequest {
            organization_id: org.clone(),
            client: None,
        })
        .await;
    assert_eq!(code(missing), Code::InvalidArgument);
    let too_long = [
        OrganizationClient {
            name: "n".repeat(129),
            ..Default::default()
        },
        OrganizationClient {
            description: "d".repeat(513),
            ..Default::default()
        },
        OrganizationClient {
            custom_claims: vec![CustomClaim {
                key: String::new(),
                value: "v".into(),
            }],
            ..Default::default()
        },
        OrganizationClient {
            custom_claims: vec![CustomClaim {
                key: "k".repeat(129),
                value: "v".into(),
            }],
            ..Default::default()
        },
    ];
    for fields in too_long {
        let err = create(&mut clients, &org, fields).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
        assert!(err.message().contains("client."), "{}", err.message());
    }
    let at_limits = OrganizationClient {
        name: "n".repeat(128),
        description: "d".repeat(512),
        ..Default::default()
    };
    create(&mut clients, &org, at_limits).await?;

    for bad in ["", "acme", "usr_1", &format!("org_{}", "1".repeat(29))] {
        let err = create(&mut clients, bad, billing()).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{bad:?}");
    }
    let unknown = create(&mut clients, "org_10000000000009999", billing()).await;
    assert_eq!(code(unknown), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn get_finds_a_client_only_in_its_organization() -> anyhow::Result<()> {
    let (_emulator, client, mut clients, org) = setup().await?;
    let other = common::organization(&client, "Globex").await?;
    let id = create(&mut clients, &org, billing())
        .await?
        .client
        .expect("a client")
        .client_id;
    assert_eq!(code(get(&mut clients, &other, &id).await), Code::NotFound);
    assert_eq!(
        code(get(&mut clients, &org, "m2morg_10000000000009999").await),
        Code::NotFound
    );
    for bad in ["", "skc_1", &format!("m2morg_{}", "1".repeat(26))] {
        assert_eq!(
            code(get(&mut clients, &org, bad).await),
            Code::InvalidArgument,
            "{bad:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn update_replaces_what_it_sends_and_keeps_the_rest() -> anyhow::Result<()> {
    let (_emulator, _client, mut clients, org) = setup().await?;
    let created = create(&mut clients, &org, billing())
        .await?
        .client
        .expect("a client");
    let update = |fields: Option<OrganizationClient>, id: &str| UpdateOrganizationClientRequest {
        organization_id: org.clone(),
        client_id: id.into(),
        client: fields,
    };
    let changes = OrganizationClient {
        name: "Billing export".into(),
        scopes: vec!["invoices:write".into()],
        ..Default::default()
    };
    let updated = clients
        .update_organization_client(update(Some(changes), &created.client_id))
        .await?
        .into_inner()
        .client
        .expect("a client");
    assert_eq!(updated.name, "Billing export");
    assert_eq!(updated.scopes, ["invoices:write"]);
    assert_eq!(updated.description, "Nightly export");
    assert_eq!(updated.audience, created.audience);
    assert_eq!(updated.custom_claims, created.custom_claims);
    assert_eq!(updated.expiry, 600);
    assert_eq!(updated.secrets, created.secrets);
    assert_eq!(updated.create_time, created.create_time);
    let (before, after) = (
        created.update_time.expect("set"),
        updated.update_time.expect("set"),
    );
    assert!((after.seconds, after.nanos) > (before.seconds, before.nanos));
    assert_eq!(get(&mut clients, &org, &created.client_id).await?, updated);

    let missing = clients
        .update_organization_client(update(None, &created.client_id))
        .await;
    assert_eq!(code(missing), Code::InvalidArgument);
    let too_long = OrganizationClient {
        name: "n".repeat(129),
        ..Default::default()
    };
    let refused = clients
        .update_organization_client(update(Some(too_long), &created.client_id))
        .await;
    assert_eq!(code(refused), Code::InvalidArgument);
    let unknown = clients
        .update_organization_client(update(Some(billing()), "m2morg_10000000000009999"))
        .await;
    assert_eq!(code(unknown), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn list_pages_through_one_organizations_clients() -> anyhow::Result<()> {
    let (_emulator, client, mut clients, org) = setup().await?;
    let other = common::organization(&client, "Globex").await?;
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let fields = OrganizationClient {
            name: name.into(),
            ..Default::default()
        };
        ids.push(
            create(&mut clients, &org, fields)
                .await?
                .client
                .expect("a client")
                .client_id,
        );
    }
    create(&mut clients, &other, billing()).await?;
    let list = |token: String| ListOrganizationClientsRequest {
        organization_id: org.clone(),
        page_size: 2,
        page_token: token,
    };
    let first = clients
        .list_organization_clients(list(String::new()))
        .await?
        .into_inner();
    assert_eq!((first.clients.len(), first.total_size), (2, 3));
    assert!(first.prev_page_token.is_empty() && !first.next_page_token.is_empty());
    assert!(first
        .clients
        .iter()
        .flat_map(|c| &c.secrets)
        .all(|s| s.plain_secret.is_none()));
    let second = clients
        .list_organization_clients(list(first.next_page_token))
        .await?
        .into_inner();
    assert!(second.next_page_token.is_empty() && !second.prev_page_token.is_empty());
    let listed: Vec<String> = first
        .clients
        .iter()
        .chain(&second.clients)
        .map(|c| c.client_id.clone())
        .collect();
    assert_eq!(listed, ids, "creation order, this organization only");

    let empty_org = common::organization(&client, "Initech").await?;
    let empty = clients
        .list_organization_clients(ListOrganizationClientsRequest {
            organization_id: empty_org,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!((empty.clients.len(), empty.total_size), (0, 0));
    let bad = clients
        .list_organization_clients(ListOrganizationClientsRequest {
            organization_id: "acme".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(code(bad), Code::InvalidArgument);
    let unknown = clients
        .list_organization_clients(ListOrganizationClientsRequest {
            organization_id: "org_10000000000009999".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(code(unknown), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn a_client_token_carries_its_organization_scopes_audience_and_claims() -> anyhow::Result<()>
{
    let (emulator, _client, mut clients, org) = setup().await?;
    let created = create(&mut clients, &org, billing()).await?;
    let id = created.client.expect("a client").client_id;
    let (status, body) =
        token_for(&emulator, &id, &created.plain_secret, "client_credentials").await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 600, "the client's expiry");
    let token = body["access_token"].as_str().unwrap_or_default();
    let claims = payload(token)?;
    assert_eq!(claims["client_id"], id.as_str());
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["oid"], org.as_str());
    assert_eq!(claims["iss"], emulator.env_url());
    assert_eq!(
        claims["aud"],
        serde_json::json!(["https://api.acme.example"])
    );
    assert_eq!(claims["scopes"], serde_json::json!(["invoices:read"]));
    assert_eq!(
        claims["custom_claims"],
        serde_json::json!({ "team": "billing" })
    );
    let lifetime = claims["exp"].as_u64().unwrap_or(0) - claims["iat"].as_u64().unwrap_or(0);
    assert!((600..=601).contains(&lifetime), "{lifetime}");

    // The emulator's gate accepts it as a bearer (see
    // docs/emulator-deviations.md).
    let mut users = scalekit::proto::users::UserServiceClient::new(
        tonic::transport::Endpoint::from_shared(emulator.env_url().to_owned())?.connect_lazy(),
    );
    let mut request = tonic::Request::new(ListUsersRequest::default());
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    users.list_users(request).await?;

    // Only the client-credentials grant.
    let (status, body) = token_for(&emulator, &id, &created.plain_secret, "refresh_token").await?;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "unauthorized_client");
    let (status, body) = token_for(&emulator, &id, "not-the-secret", "client_credentials").await?;
    assert_eq!(
        (status, &body["error"]),
        (401, &serde_json::json!("invalid_client"))
    );
    Ok(())
}

#[tokio::test]
async fn every_live_secret_works_and_a_removed_one_stops() -> anyhow::Result<()> {
    let (emulator, _client, mut clients, org) = setup().await?;
    let created = create(&mut clients, &org, billing()).await?;
    let client = created.client.expect("a client");
    let id = client.client_id.clone();
    let first_id = client.secrets[0].id.clone();
    let added = clients
        .create_organization_client_secret(CreateOrganizationClientSecretRequest {
            organization_id: org.clone(),
            client_id: id.clone(),
        })
        .await?
        .into_inner();
    let second = added.secret.expect("a secret record");
    assert_ne!(second.id, first_id);
    assert!(second.plain_secret.is_none());
    assert!(added.plain_secret.ends_with(&second.secret_suffix));
    assert_ne!(added.plain_secret, created.plain_secret);
    let secrets: Vec<String> = get(&mut clients, &org, &id)
        .await?
        .secrets
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(secrets, [first_id.clone(), second.id.clone()]);
    for secret in [&created.plain_secret, &added.plain_secret] {
        let (status, body) = token_for(&emulator, &id, secret, "client_credentials").await?;
        assert_eq!(status, 200, "{body}");
    }

    let remove = |secret_id: &str| DeleteOrganizationClientSecretRequest {
        organization_id: org.clone(),
        client_id: id.clone(),
        secret_id: secret_id.into(),
    };
    clients
        .delete_organization_client_secret(remove(&first_id))
        .await?;
    let (status, body) =
        token_for(&emulator, &id, &created.plain_secret, "client_credentials").await?;
    assert_eq!(
        (status, &body["error"]),
        (401, &serde_json::json!("invalid_client"))
    );
    let (status, _) = token_for(&emulator, &id, &added.plain_secret, "client_credentials").await?;
    assert_eq!(status, 200);
    let after = get(&mut clients, &org, &id).await?;
    assert_eq!(after.secrets.len(), 1);
    assert!(
        after.secrets[0].last_used_time.is_some(),
        "the secret's use is recorded"
    );

    let again = clients
        .delete_organization_client_secret(remove(&first_id))
        .await;
    assert_eq!(code(again), Code::NotFound);
    let last = clients
        .delete_organization_client_secret(remove(&second.id))
        .await;
    assert_eq!(
        code(last),
        Code::FailedPrecondition,
        "a client keeps one secret"
    );
    for bad in ["", &"s".repeat(33)] {
        let refused = clients.delete_organization_client_secret(remove(bad)).await;
        assert_eq!(code(refused), Code::InvalidArgument, "{bad:?}");
    }
    let unknown_client = clients
        .create_organization_client_secret(CreateOrganizationClientSecretRequest {
            organization_id: org.clone(),
            client_id: "m2morg_10000000000009999".into(),
        })
        .await;
    assert_eq!(code(unknown_client), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn a_deleted_client_or_organization_takes_the_credentials_with_it() -> anyhow::Result<()> {
    let (emulator, client, mut clients, org) = setup().await?;
    let doomed = create(&mut clients, &org, billing()).await?;
    let doomed_id = doomed.client.expect("a client").client_id;
    let delete = |id: &str| DeleteOrganizationClientRequest {
        organization_id: org.clone(),
        client_id: id.into(),
    };
    clients
        .delete_organization_client(delete(&doomed_id))
        .await?;
    assert_eq!(
        code(get(&mut clients, &org, &doomed_id).await),
        Code::NotFound
    );
    assert_eq!(
        code(clients.delete_organization_client(delete(&doomed_id)).await),
        Code::NotFound
    );
    let (status, _) = token_for(
        &emulator,
        &doomed_id,
        &doomed.plain_secret,
        "client_credentials",
    )
    .await?;
    assert_eq!(status, 401);

    let kept = create(&mut clients, &org, billing()).await?;
    let kept_id = kept.client.expect("a client").client_id;
    client
        .raw()
        .organizations()
        .delete_organization(DeleteOrganizationRequest {
            identities: Some(
                scalekit::proto::organizations::delete_organization_request::Identities::Id(
                    org.clone(),
                ),
            ),
        })
        .await?;
    let (status, _) = token_for(
        &emulator,
        &kept_id,
        &kept.plain_secret,
        "client_credentials",
    )
    .await?;
    assert_eq!(status, 401, "the organization's clients went with it");
    Ok(())
}
