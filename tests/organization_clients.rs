//! `client.organization_clients()`. The emulator does not serve the
//! organization-client RPCs of `ClientService` yet, so the calls go to a
//! small in-file stand-in (the token endpoint stays the emulator's); the
//! local argument checks run against the emulator, which proves that
//! nothing was sent.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use anyhow::{ensure, Context as _};
use futures::TryStreamExt as _;
use scalekit::organization_clients::{
    ClientSecret, CreateOrganizationClientOptions, ListOrganizationClientsOptions, M2mClient,
    UpdateOrganizationClientOptions,
};
use scalekit::proto::clients::{
    ClientService, ClientServiceServer, CreateOrganizationClientRequest,
    CreateOrganizationClientResponse, CreateOrganizationClientSecretRequest,
    CreateOrganizationClientSecretResponse, DeleteOrganizationClientRequest,
    DeleteOrganizationClientSecretRequest, GetOrganizationClientRequest,
    GetOrganizationClientResponse, ListOrganizationClientsRequest, ListOrganizationClientsResponse,
    UpdateOrganizationClientRequest, UpdateOrganizationClientResponse,
};
use scalekit::{Code, ScalekitClient};
use scalekit_emulator::EmulatorHandle;
use tonic::{Request, Response, Status};

use common::{api_error, invalid_ids, rejected_locally};

/// Every secret value the stand-in hands out starts with this, so that
/// tests can search printed values for it.
const SECRET_MARK: &str = "m2m-SECRET-";

/// A stand-in for the organization-client RPCs, keeping clients in memory.
/// Like a careless server, it leaves the plain secret in the client's
/// secret records too, so the tests show the facade clears them.
#[derive(Clone, Default)]
struct Clients {
    clients: Arc<Mutex<BTreeMap<String, M2mClient>>>,
}

impl Clients {
    fn secret(n: usize) -> (String, ClientSecret) {
        let plain = format!("{SECRET_MARK}{n}");
        let record = ClientSecret {
            id: format!("sec_{n}"),
            secret_suffix: format!("{n}"),
            plain_secret: Some(plain.clone()),
            ..Default::default()
        };
        (plain, record)
    }

    fn find(&self, organization_id: &str, client_id: &str) -> Result<M2mClient, Status> {
        self.clients
            .lock()
            .unwrap()
            .get(client_id)
            .filter(|c| c.organization_id == organization_id)
            .cloned()
            .ok_or_else(|| Status::not_found("client not found"))
    }
}

#[tonic::async_trait]
impl ClientService for Clients {
    async fn create_organization_client(
        &self,
        request: Request<CreateOrganizationClientRequest>,
    ) -> Result<Response<CreateOrganizationClientResponse>, Status> {
        let request = request.into_inner();
        let fields = request
            .client
            .ok_or_else(|| Status::invalid_argument("client is required"))?;
        let mut clients = self.clients.lock().unwrap();
        let n = clients.len() + 1;
        let (plain, record) = Clients::secret(n);
        let client = M2mClient {
            client_id: format!("m2morg_{n}"),
            organization_id: request.organization_id,
            name: fields.name,
            scopes: fields.scopes,
            custom_claims: fields.custom_claims,
            secrets: vec![record],
            ..Default::default()
        };
        clients.insert(client.client_id.clone(), client.clone());
        Ok(Response::new(CreateOrganizationClientResponse {
            client: Some(client),
            plain_secret: plain,
        }))
    }

    async fn get_organization_client(
        &self,
        request: Request<GetOrganizationClientRequest>,
    ) -> Result<Response<GetOrganizationClientResponse>, Status> {
        let request = request.into_inner();
        let client = self.find(&request.organization_id, &request.client_id)?;
        Ok(Response::new(GetOrganizationClientResponse {
            client: Some(client),
        }))
    }

    async fn update_organization_client(
        &self,
        request: Request<UpdateOrganizationClientRequest>,
    ) -> Result<Response<UpdateOrganizationClientResponse>, Status> {
        let request = request.into_inner();
        let mut client = self.find(&request.organization_id, &request.client_id)?;
        let fields = request.client.unwrap_or_default();
        if !fields.name.is_empty() {
            client.name = fields.name;
        }
        if !fields.scopes.is_empty() {
            client.scopes = fields.scopes;
        }
        self.clients
            .lock()
            .unwrap()
            .insert(client.client_id.clone(), client.clone());
        Ok(Response::new(UpdateOrganizationClientResponse {
            client: Some(client),
        }))
    }

    async fn delete_organization_client(
        &self,
        request: Request<DeleteOrganizationClientRequest>,
    ) -> Result<Response<()>, Status> {
        let request = request.into_inner();
        self.find(&request.organization_id, &request.client_id)?;
        self.clients.lock().unwrap().remove(&request.client_id);
        Ok(Response::new(()))
    }

    async fn list_organization_clients(
        &self,
        request: Request<ListOrganizationClientsRequest>,
    ) -> Result<Response<ListOrganizationClientsResponse>, Status> {
        let request = request.into_inner();
        let all: Vec<M2mClient> = self
            .clients
            .lock()
            .unwrap()
            .values()
            .filter(|c| c.organization_id == request.organization_id)
            .cloned()
            .collect();
        let size = request.page_size.max(1) as usize;
        let start: usize = match request.page_token.as_str() {
            "" => 0,
            token => token
                .parse()
                .map_err(|_| Status::invalid_argument("bad page token"))?,
        };
        let end = (start + size).min(all.len());
        let next = if end < all.len() {
            end.to_string()
        } else {
            String::new()
        };
        Ok(Response::new(ListOrganizationClientsResponse {
            clients: all.get(start..end).unwrap_or_default().to_vec(),
            next_page_token: next,
            prev_page_token: String::new(),
            total_size: all.len() as u32,
        }))
    }

    async fn create_organization_client_secret(
        &self,
        request: Request<CreateOrganizationClientSecretRequest>,
    ) -> Result<Response<CreateOrganizationClientSecretResponse>, Status> {
        let request = request.into_inner();
        let mut client = self.find(&request.organization_id, &request.client_id)?;
        let (plain, record) = Clients::secret(10 + client.secrets.len());
        client.secrets.push(record.clone());
        self.clients
            .lock()
            .unwrap()
            .insert(client.client_id.clone(), client);
        Ok(Response::new(CreateOrganizationClientSecretResponse {
            plain_secret: plain,
            secret: Some(record),
        }))
    }

    async fn delete_organization_client_secret(
        &self,
        request: Request<DeleteOrganizationClientSecretRequest>,
    ) -> Result<Response<()>, Status> {
        let request = request.into_inner();
        let mut client = self.find(&request.organization_id, &request.client_id)?;
        let before = client.secrets.len();
        client.secrets.retain(|s| s.id != request.secret_id);
        if client.secrets.len() == before {
            return Err(Status::not_found("secret not found"));
        }
        self.clients
            .lock()
            .unwrap()
            .insert(client.client_id.clone(), client);
        Ok(Response::new(()))
    }
}

async fn with_stand_in() -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
    let emulator = scalekit_emulator::Emulator::builder().start().await?;
    let routes = tonic::service::Routes::new(ClientServiceServer::new(Clients::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, routes.into_axum_router()).await;
    });
    let channel = tonic::transport::Endpoint::from_shared(url)?.connect_lazy();
    let client = emulator.client_builder().channel(channel).build()?;
    Ok((emulator, client))
}

fn no_plain_secrets(client: &M2mClient) -> bool {
    client.secrets.iter().all(|s| s.plain_secret.is_none())
}

#[tokio::test]
async fn create_organization_client_returns_the_secret_once_and_debug_hides_it(
) -> anyhow::Result<()> {
    let (_emulator, client) = with_stand_in().await?;
    let opts = CreateOrganizationClientOptions::default()
        .with_name("billing-sync")
        .with_custom_claim("team", "billing")
        .with_scopes(["invoices:read"]);
    let created = client
        .organization_clients()
        .create_organization_client("org_1", opts)
        .await?;
    ensure!(created.plain_secret.starts_with(SECRET_MARK));
    ensure!(created.client.client_id == "m2morg_1" && created.client.name == "billing-sync");
    ensure!(created.client.custom_claims[0].key == "team");
    ensure!(no_plain_secrets(&created.client), "{:?}", created.client);
    let shown = format!("{created:?}");
    ensure!(
        !shown.contains(SECRET_MARK) && shown.contains("sec_1"),
        "{shown}"
    );
    Ok(())
}

#[tokio::test]
async fn get_update_and_list_return_clients_without_secret_values() -> anyhow::Result<()> {
    let (_emulator, client) = with_stand_in().await?;
    let clients = client.organization_clients();
    for name in ["a", "b", "c"] {
        let opts = CreateOrganizationClientOptions::default().with_name(name);
        clients.create_organization_client("org_1", opts).await?;
    }
    let got = clients.get_organization_client("org_1", "m2morg_2").await?;
    ensure!(got.name == "b" && got.secrets.len() == 1 && no_plain_secrets(&got));
    ensure!(!format!("{got:?}").contains(SECRET_MARK));

    let opts = UpdateOrganizationClientOptions::default().with_scopes(["x:read"]);
    let updated = clients
        .update_organization_client("org_1", "m2morg_2", opts)
        .await?;
    ensure!(updated.scopes == ["x:read"] && updated.name == "b" && no_plain_secrets(&updated));

    let opts = ListOrganizationClientsOptions::default().with_page_size(2);
    let page = clients
        .list_organization_clients("org_1", opts.clone())
        .await?;
    ensure!(page.items.len() == 2 && page.total_size == 3 && page.has_next());
    ensure!(page.items.iter().all(no_plain_secrets));
    let all: Vec<M2mClient> = clients
        .list_organization_clients_stream("org_1", opts)
        .try_collect()
        .await?;
    let names: Vec<_> = all.iter().map(|c| c.name.as_str()).collect();
    ensure!(names == ["a", "b", "c"], "{names:?}");
    ensure!(all.iter().all(no_plain_secrets));
    Ok(())
}

#[tokio::test]
async fn secrets_can_be_added_and_removed() -> anyhow::Result<()> {
    let (_emulator, client) = with_stand_in().await?;
    let clients = client.organization_clients();
    let created = clients
        .create_organization_client("org_1", CreateOrganizationClientOptions::default())
        .await?;
    let id = created.client.client_id.clone();
    let added = clients.add_organization_client_secret("org_1", &id).await?;
    ensure!(added.plain_secret.starts_with(SECRET_MARK));
    ensure!(added.plain_secret != created.plain_secret);
    ensure!(added.secret.plain_secret.is_none());
    ensure!(!format!("{added:?}").contains(SECRET_MARK));

    let first = created.client.secrets.first().context("a first secret")?;
    clients
        .remove_organization_client_secret("org_1", &id, &first.id)
        .await?;
    let after = clients.get_organization_client("org_1", &id).await?;
    let ids: Vec<_> = after.secrets.iter().map(|s| s.id.as_str()).collect();
    ensure!(ids == [added.secret.id.as_str()], "{ids:?}");
    let again = clients
        .remove_organization_client_secret("org_1", &id, &first.id)
        .await;
    api_error(again, Code::NotFound)?;
    Ok(())
}

#[tokio::test]
async fn a_deleted_client_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = with_stand_in().await?;
    let clients = client.organization_clients();
    let created = clients
        .create_organization_client("org_1", CreateOrganizationClientOptions::default())
        .await?;
    let id = created.client.client_id;
    clients.delete_organization_client("org_1", &id).await?;
    let err = api_error(
        clients.get_organization_client("org_1", &id).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    // Another organization's id does not reach the client either.
    api_error(
        clients.delete_organization_client("org_2", &id).await,
        Code::NotFound,
    )?;
    Ok(())
}

#[tokio::test]
async fn organization_client_methods_reject_bad_ids_before_any_request() -> anyhow::Result<()> {
    let (emulator, client) = common::start().await?;
    let clients = client.organization_clients();
    let mut bad_orgs = invalid_ids("org").to_vec();
    bad_orgs.push("usr_1".to_owned());
    for org in &bad_orgs {
        let created = clients
            .create_organization_client(org, CreateOrganizationClientOptions::default())
            .await;
        rejected_locally(&emulator, created, "organization_id")?;
        let listed = clients
            .list_organization_clients(org, ListOrganizationClientsOptions::default())
            .await;
        rejected_locally(&emulator, listed, "organization_id")?;
        let got = clients.get_organization_client(org, "m2morg_1").await;
        rejected_locally(&emulator, got, "organization_id")?;
    }
    let mut bad_clients = invalid_ids("m2morg").to_vec();
    bad_clients.push("skc_1".to_owned());
    for id in &bad_clients {
        let got = clients.get_organization_client("org_1", id).await;
        rejected_locally(&emulator, got, "client_id")?;
        let opts = UpdateOrganizationClientOptions::default();
        let updated = clients.update_organization_client("org_1", id, opts).await;
        rejected_locally(&emulator, updated, "client_id")?;
        let deleted = clients.delete_organization_client("org_1", id).await;
        rejected_locally(&emulator, deleted, "client_id")?;
        let added = clients.add_organization_client_secret("org_1", id).await;
        rejected_locally(&emulator, added, "client_id")?;
    }
    for id in invalid_ids("sec") {
        let removed = clients
            .remove_organization_client_secret("org_1", "m2morg_1", &id)
            .await;
        rejected_locally(&emulator, removed, "secret_id")?;
    }
    Ok(())
}
