//! The emulator's ConnectionService semantics that the facade tests do not
//! reach, through the generated clients over real sockets: creation rules,
//! deletion, listing without a filter, and the environment's app
//! connections.

mod common;

use scalekit::proto::connections::{
    Connection, ConnectionProvider, ConnectionServiceClient, ConnectionStatus, ConnectionType,
    CreateConnection, CreateConnectionRequest, DeleteConnectionRequest, GetConnectionRequest,
    ListAppConnectionsRequest, ListAppConnectionsResponse, ListConnectionsRequest,
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

// ---------------------------------------------------------------------------
// App connections
// ---------------------------------------------------------------------------

impl Env {
    fn app(&self, provider: ConnectionProvider, key_id: Option<&str>) -> anyhow::Result<String> {
        Ok(self._emulator.add_app_connection(Connection {
            provider: provider as i32,
            r#type: ConnectionType::Oauth as i32,
            status: ConnectionStatus::Completed as i32,
            enabled: true,
            key_id: key_id.map(str::to_owned),
            ..Default::default()
        })?)
    }

    async fn list_apps(
        &mut self,
        request: ListAppConnectionsRequest,
    ) -> Result<ListAppConnectionsResponse, tonic::Status> {
        Ok(self
            .connections
            .list_app_connections(request)
            .await?
            .into_inner())
    }
}

fn ids(response: &ListAppConnectionsResponse) -> Vec<&str> {
    response.connections.iter().map(|c| c.id.as_str()).collect()
}

#[tokio::test]
async fn add_app_connection_is_listed_as_the_environments_not_an_organizations(
) -> anyhow::Result<()> {
    let mut env = start().await?;
    let empty = env.list_apps(ListAppConnectionsRequest::default()).await?;
    assert!(empty.connections.is_empty());
    assert_eq!(empty.total_size, 0);

    let acme = env.org("Acme").await?;
    let sso = env.create(&acme, saml(ConnectionProvider::Okta)).await?.id;
    let gmail = env.app(ConnectionProvider::Google, Some("gmail_work"))?;
    let listed = env.list_apps(ListAppConnectionsRequest::default()).await?;
    assert_eq!(ids(&listed), [gmail.as_str()]);
    assert_eq!(listed.total_size, 1);
    let app = &listed.connections[0];
    assert!(app.id.starts_with("conn_"));
    assert_eq!(app.key_id, "gmail_work");
    assert_eq!(app.provider_key, "google");
    assert_eq!(app.r#type(), ConnectionType::Oauth);
    assert!(app.enabled);
    assert_eq!(
        (app.organization_id.as_str(), app.organization_name.as_str()),
        ("", "")
    );
    assert!(app.created_at.is_some());

    // The organization's connections are not app connections, and the
    // other way round.
    let org_list = env
        .connections
        .list_connections(ListConnectionsRequest::default())
        .await?
        .into_inner();
    let org_ids: Vec<String> = org_list.connections.into_iter().map(|c| c.id).collect();
    assert_eq!(org_ids, [sso]);
    Ok(())
}

#[tokio::test]
async fn add_app_connection_defaults_names_and_refuses_duplicates() -> anyhow::Result<()> {
    let env = start().await?;
    env.app(ConnectionProvider::Github, None)?;
    let duplicate = env
        .app(ConnectionProvider::Github, Some("github"))
        .unwrap_err();
    let status = duplicate.downcast::<tonic::Status>()?;
    assert_eq!(status.code(), Code::AlreadyExists);
    let nameless = env
        ._emulator
        .add_app_connection(Connection::default())
        .unwrap_err();
    assert_eq!(nameless.code(), Code::InvalidArgument);
    let unknown = env
        ._emulator
        .add_app_connection(Connection {
            provider: 99,
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(unknown.code(), Code::InvalidArgument);
    Ok(())
}

#[tokio::test]
async fn list_app_connections_filters_by_provider_and_query() -> anyhow::Result<()> {
    let mut env = start().await?;
    let gmail = env.app(ConnectionProvider::Google, Some("gmail_work"))?;
    let drive = env.app(ConnectionProvider::Google, Some("drive_team"))?;
    let slack = env._emulator.add_app_connection(Connection {
        provider: ConnectionProvider::Custom as i32,
        provider_key: "slack".to_owned(),
        key_id: Some("slack_ops".to_owned()),
        ..Default::default()
    })?;
    let list = |provider: Option<&str>, query: Option<&str>| ListAppConnectionsRequest {
        provider: provider.map(str::to_owned),
        query: query.map(str::to_owned),
        ..Default::default()
    };

    // A provider filter matches the provider or the provider key, in any case.
    let google = env.list_apps(list(Some("GOOGLE"), None)).await?;
    assert_eq!(ids(&google), [gmail.as_str(), drive.as_str()]);
    assert_eq!(google.total_size, 2);
    let by_key = env.list_apps(list(Some("Slack"), None)).await?;
    assert_eq!(ids(&by_key), [slack.as_str()]);
    assert!(env
        .list_apps(list(Some("okta"), None))
        .await?
        .connections
        .is_empty());

    // A query is free text over the key id and the provider.
    let work = env.list_apps(list(None, Some("WORK"))).await?;
    assert_eq!(ids(&work), [gmail.as_str()]);
    let goo = env.list_apps(list(None, Some("goo"))).await?;
    assert_eq!(ids(&goo), [gmail.as_str(), drive.as_str()]);
    let both = env.list_apps(list(Some("google"), Some("team"))).await?;
    assert_eq!(ids(&both), [drive.as_str()]);
    assert_eq!(both.total_size, 1);
    Ok(())
}

#[tokio::test]
async fn list_app_connections_pages_with_tokens() -> anyhow::Result<()> {
    let mut env = start().await?;
    let mut all = Vec::new();
    for i in 0..5 {
        all.push(env.app(ConnectionProvider::Google, Some(&format!("gmail_{i}")))?);
    }
    let page = |token: &str| ListAppConnectionsRequest {
        page_size: 2,
        page_token: token.to_owned(),
        ..Default::default()
    };
    let first = env.list_apps(page("")).await?;
    assert_eq!(ids(&first), [all[0].as_str(), all[1].as_str()]);
    assert_eq!(first.total_size, 5);
    assert!(first.prev_page_token.is_empty());
    let second = env.list_apps(page(&first.next_page_token)).await?;
    assert_eq!(ids(&second), [all[2].as_str(), all[3].as_str()]);
    let third = env.list_apps(page(&second.next_page_token)).await?;
    assert_eq!(ids(&third), [all[4].as_str()]);
    assert!(third.next_page_token.is_empty());
    let back = env.list_apps(page(&third.prev_page_token)).await?;
    assert_eq!(ids(&back), ids(&second));
    Ok(())
}

#[tokio::test]
async fn list_app_connections_refuses_out_of_bounds_arguments() -> anyhow::Result<()> {
    let mut env = start().await?;
    let cases = [
        (
            ListAppConnectionsRequest {
                page_size: 31,
                ..Default::default()
            },
            "page_size",
        ),
        (
            ListAppConnectionsRequest {
                page_token: "not-a-token".to_owned(),
                ..Default::default()
            },
            "page_token",
        ),
        (
            ListAppConnectionsRequest {
                provider: Some(String::new()),
                ..Default::default()
            },
            "provider",
        ),
        (
            ListAppConnectionsRequest {
                provider: Some("p".repeat(51)),
                ..Default::default()
            },
            "provider",
        ),
        (
            ListAppConnectionsRequest {
                query: Some("ab".to_owned()),
                ..Default::default()
            },
            "query",
        ),
        (
            ListAppConnectionsRequest {
                query: Some("q".repeat(101)),
                ..Default::default()
            },
            "query",
        ),
    ];
    for (request, field) in cases {
        let err = env.list_apps(request).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}");
        assert!(err.message().contains(field), "{err:?}");
    }
    let widest = ListAppConnectionsRequest {
        page_size: 30,
        provider: Some("p".repeat(50)),
        query: Some("q".repeat(100)),
        ..Default::default()
    };
    assert!(env.list_apps(widest).await?.connections.is_empty());
    Ok(())
}
