//! The emulator's ConnectionService semantics that the facade tests do not
//! reach, through the generated clients over real sockets: creation rules,
//! deletion, and listing without a filter.

mod common;

use scalekit::proto::connections::{
    ConnectionProvider, ConnectionServiceClient, ConnectionType, CreateConnection,
    CreateConnectionRequest, DeleteConnectionRequest, GetConnectionRequest, ListConnectionsRequest,
};
use scalekit::AuthChannel;
use scalekit_emulator::{Code, EmulatorHandle};

struct Env {
    _emulator: EmulatorHandle,
    client: scalekit::ScalekitClient,
    connections: ConnectionServiceClient<AuthChannel>,
}

async fn start() -> anyhow::Result<Env> {
    let (emulator, client) = common::start().await?;
    Ok(Env {
        connections: client.raw().connections(),
        client,
        _emulator: emulator,
    })
}

impl Env {
    async fn org(&self, name: &str) -> anyhow::Result<String> {
        common::organization(&self.client, name).await
    }

    async fn create(
        &mut self,
        org: &str,
        connection: CreateConnection,
    ) -> Result<scalekit::proto::connections::Connection, tonic::Status> {
        let response = self
            .connections
            .create_connection(CreateConnectionRequest {
                organization_id: org.to_owned(),
                connection: Some(connection),
            })
            .await?
            .into_inner();
        Ok(response.connection.unwrap_or_default())
    }
}

fn saml(provider: ConnectionProvider) -> CreateConnection {
    CreateConnection {
        provider: provider as i32,
        r#type: ConnectionType::Saml as i32,
        ..Default::default()
    }
}

#[tokio::test]
async fn create_connection_is_a_disabled_draft_with_a_provider_key() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.org("Acme").await?;
    let okta = env.create(&org, saml(ConnectionProvider::Okta)).await?;
    assert!(okta.id.starts_with("conn_"));
    assert!(!okta.enabled);
    assert_eq!(okta.provider_key, "okta");
    assert!(okta.settings.is_some());
    let custom = env
        .create(
            &org,
            CreateConnection {
                provider_key: "my-idp".to_owned(),
                key_id: Some("key-1".to_owned()),
                ..saml(ConnectionProvider::Unspecified)
            },
        )
        .await?;
    assert_eq!(
        (custom.provider_key.as_str(), custom.key_id.as_deref()),
        ("my-idp", Some("key-1"))
    );
    Ok(())
}

#[tokio::test]
async fn create_connection_rejects_non_sso_types_and_missing_providers() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.org("Acme").await?;
    for kind in [
        ConnectionType::Invalid,
        ConnectionType::Password,
        ConnectionType::Oauth,
    ] {
        let err = env
            .create(
                &org,
                CreateConnection {
                    r#type: kind as i32,
                    ..saml(ConnectionProvider::Okta)
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{kind:?}");
    }
    let err = env
        .create(&org, saml(ConnectionProvider::Unspecified))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let err = env
        .create("org_10000000000009999", saml(ConnectionProvider::Okta))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn delete_connection_removes_it_from_its_organization_only() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    let globex = env.org("Globex").await?;
    let id = env.create(&acme, saml(ConnectionProvider::Okta)).await?.id;
    let err = env
        .connections
        .delete_connection(DeleteConnectionRequest {
            organization_id: globex,
            id: id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    env.connections
        .delete_connection(DeleteConnectionRequest {
            organization_id: acme.clone(),
            id: id.clone(),
        })
        .await?;
    let err = env
        .connections
        .get_connection(GetConnectionRequest {
            organization_id: acme,
            id,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn list_connections_without_filter_lists_every_organization() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    let globex = env.org("Globex").await?;
    let a = env.create(&acme, saml(ConnectionProvider::Okta)).await?.id;
    let g = env
        .create(&globex, saml(ConnectionProvider::Google))
        .await?
        .id;
    let all = env
        .connections
        .list_connections(ListConnectionsRequest::default())
        .await?
        .into_inner();
    let ids: Vec<String> = all.connections.into_iter().map(|c| c.id).collect();
    assert_eq!(ids, [a, g]);

    let err = env
        .connections
        .list_connections(ListConnectionsRequest {
            domain: Some(" ".to_owned()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    Ok(())
}
