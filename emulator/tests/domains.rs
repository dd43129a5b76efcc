//! The emulator's DomainService semantics that the facade tests do not
//! reach, through the generated clients over real sockets: the
//! `external_id` identity arm, the `connection_id` check, page parameters,
//! and deleting an organization taking its domains, connections and
//! directories with it.

mod common;

use scalekit::proto::connections::{
    ConnectionProvider, ConnectionServiceClient, ConnectionType, CreateConnection,
    CreateConnectionRequest, GetConnectionRequest, ListConnectionsRequest,
};
use scalekit::proto::directories::{
    CreateDirectory, CreateDirectoryRequest, DirectoryProvider, DirectoryServiceClient,
    DirectoryType, GetDirectoryRequest,
};
use scalekit::proto::domains::{
    create_domain_request, get_domain_request, list_domain_request, CreateDomain,
    CreateDomainRequest, DomainServiceClient, DomainType, GetDomainRequest, ListDomainRequest,
};
use scalekit::proto::organizations::{
    delete_organization_request, CreateOrganization, CreateOrganizationRequest,
    DeleteOrganizationRequest, OrganizationServiceClient,
};
use scalekit::AuthChannel;
use scalekit_emulator::{Code, EmulatorHandle};

struct Env {
    _emulator: EmulatorHandle,
    domains: DomainServiceClient<AuthChannel>,
    connections: ConnectionServiceClient<AuthChannel>,
    directories: DirectoryServiceClient<AuthChannel>,
    orgs: OrganizationServiceClient<AuthChannel>,
}

async fn start() -> anyhow::Result<Env> {
    let (emulator, client) = common::start().await?;
    Ok(Env {
        domains: client.raw().domains(),
        connections: client.raw().connections(),
        directories: client.raw().directories(),
        orgs: client.raw().organizations(),
        _emulator: emulator,
    })
}

impl Env {
    async fn org(&mut self, name: &str, external_id: Option<&str>) -> anyhow::Result<String> {
        let response = self
            .orgs
            .create_organization(CreateOrganizationRequest {
                organization: Some(CreateOrganization {
                    display_name: name.to_owned(),
                    external_id: external_id.map(str::to_owned),
                    ..Default::default()
                }),
            })
            .await?
            .into_inner();
        Ok(response.organization.unwrap_or_default().id)
    }

    async fn domain(
        &mut self,
        identities: create_domain_request::Identities,
        name: &str,
        connection_id: Option<&str>,
    ) -> Result<String, tonic::Status> {
        let response = self
            .domains
            .create_domain(CreateDomainRequest {
                identities: Some(identities),
                connection_id: connection_id.map(str::to_owned),
                domain: Some(CreateDomain {
                    domain: name.to_owned(),
                    domain_type: DomainType::OrganizationDomain as i32,
                }),
            })
            .await?
            .into_inner();
        Ok(response.domain.unwrap_or_default().id)
    }

    async fn connection(&mut self, org: &str) -> anyhow::Result<String> {
        let response = self
            .connections
            .create_connection(CreateConnectionRequest {
                organization_id: org.to_owned(),
                connection: Some(CreateConnection {
                    provider: ConnectionProvider::Okta as i32,
                    r#type: ConnectionType::Saml as i32,
                    ..Default::default()
                }),
            })
            .await?
            .into_inner();
        Ok(response.connection.unwrap_or_default().id)
    }

    async fn list(
        &mut self,
        org: &str,
        page_size: Option<i32>,
        page_number: Option<i32>,
    ) -> Result<(Vec<String>, i32, i32), tonic::Status> {
        let response = self
            .domains
            .list_domains(ListDomainRequest {
                identities: Some(list_domain_request::Identities::OrganizationId(
                    org.to_owned(),
                )),
                page_size,
                page_number,
                ..Default::default()
            })
            .await?
            .into_inner();
        let names = response.domains.into_iter().map(|d| d.domain).collect();
        Ok((names, response.page_size, response.page_number))
    }
}

fn org_arm(id: &str) -> create_domain_request::Identities {
    create_domain_request::Identities::OrganizationId(id.to_owned())
}

#[tokio::test]
async fn create_domain_by_external_id_resolves_the_organization() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.org("Acme", Some("crm-acme")).await?;
    let id = env
        .domain(
            create_domain_request::Identities::ExternalId("crm-acme".to_owned()),
            "acme.com",
            None,
        )
        .await?;
    let got = env
        .domains
        .get_domain(GetDomainRequest {
            identities: Some(get_domain_request::Identities::ExternalId(
                "crm-acme".to_owned(),
            )),
            id: id.clone(),
        })
        .await?
        .into_inner()
        .domain
        .unwrap_or_default();
    assert_eq!(
        (got.id.as_str(), got.organization_id.as_str()),
        (id.as_str(), org.as_str())
    );

    let err = env
        .domain(
            create_domain_request::Identities::ExternalId("nobody".to_owned()),
            "nobody.com",
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn create_domain_checks_the_connection_belongs_to_the_organization() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme", None).await?;
    let globex = env.org("Globex", None).await?;
    let acme_conn = env.connection(&acme).await?;
    let globex_conn = env.connection(&globex).await?;
    env.domain(org_arm(&acme), "acme.com", Some(&acme_conn))
        .await?;
    let err = env
        .domain(org_arm(&acme), "acme.io", Some(&globex_conn))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = env
        .domains
        .create_domain(CreateDomainRequest {
            identities: None,
            domain: Some(CreateDomain {
                domain: "x.com".to_owned(),
                domain_type: 0,
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    Ok(())
}

#[tokio::test]
async fn list_domains_pages_by_number_when_a_size_is_sent() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.org("Acme", None).await?;
    for name in ["a.acme.com", "b.acme.com", "c.acme.com"] {
        env.domain(org_arm(&org), name, None).await?;
    }
    let (all, size, number) = env.list(&org, None, None).await?;
    assert_eq!((all.len(), size, number), (3, 3, 1));
    let (second, size, number) = env.list(&org, Some(2), Some(2)).await?;
    assert_eq!(
        (second, size, number),
        (vec!["c.acme.com".to_owned()], 2, 2)
    );
    let (first, _, number) = env.list(&org, Some(2), None).await?;
    assert_eq!((first.len(), number), (2, 1));
    for (size, number) in [(Some(0), None), (Some(101), None), (Some(2), Some(-1))] {
        let err = env.list(&org, size, number).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{size:?} {number:?}");
    }
    Ok(())
}

#[tokio::test]
async fn delete_organization_removes_its_domains_connections_and_directories() -> anyhow::Result<()>
{
    let mut env = start().await?;
    let acme = env.org("Acme", None).await?;
    let domain = env.domain(org_arm(&acme), "acme.com", None).await?;
    let conn = env.connection(&acme).await?;
    let dir = env
        .directories
        .create_directory(CreateDirectoryRequest {
            organization_id: acme.clone(),
            directory: Some(CreateDirectory {
                directory_type: DirectoryType::Scim as i32,
                directory_provider: DirectoryProvider::Okta as i32,
            }),
        })
        .await?
        .into_inner()
        .directory
        .unwrap_or_default()
        .id;

    env.orgs
        .delete_organization(DeleteOrganizationRequest {
            identities: Some(delete_organization_request::Identities::Id(acme.clone())),
        })
        .await?;

    // The connection no longer answers for its domain, and the name is free.
    let by_domain = env
        .connections
        .list_connections(ListConnectionsRequest {
            domain: Some("acme.com".to_owned()),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(by_domain.connections.is_empty());
    let all = env
        .connections
        .list_connections(ListConnectionsRequest::default())
        .await?
        .into_inner();
    assert!(all.connections.iter().all(|c| c.id != conn));

    let globex = env.org("Globex", None).await?;
    env.domain(org_arm(&globex), "acme.com", None).await?;
    let err = env
        .domains
        .get_domain(GetDomainRequest {
            identities: Some(get_domain_request::Identities::OrganizationId(
                globex.clone(),
            )),
            id: domain,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = env
        .connections
        .get_connection(GetConnectionRequest {
            organization_id: globex.clone(),
            id: conn,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = env
        .directories
        .get_directory(GetDirectoryRequest {
            id: dir,
            organization_id: globex,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}
