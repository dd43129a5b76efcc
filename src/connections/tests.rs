//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.2.2, or 2.11.0 for the methods it
//! added; `lib/connection.js`) encodes for the same call, captured by running its `ConnectionClient` with a
//! `connectExec` stub that records
//! `toBinary(method.input, create(method.input, req))`.

use super::requests::*;
use super::*;
use crate::proto::connections::{
    CreateConnectionRequest, DeleteConnectionRequest, GetConnectionRequest,
    ListAppConnectionsRequest, ListConnectionsRequest, ToggleConnectionRequest,
};
use crate::test_support::{decode, invalid};

const REF_GET_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";
const REF_LIST_CONNECTIONS_BY_DOMAIN: &str = "1a0861636d652e636f6d";
const REF_LIST_CONNECTIONS: &str = "0a056f72675f31";
const REF_ENABLE_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";
const REF_DISABLE_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";
const REF_CREATE_CONNECTION: &str = "0a056f72675f311a0408011002";
const REF_CREATE_CONNECTION_FULL: &str =
    "0a056f72675f311a17080810011a0a637573746f6d5f69647022056b65795f31";
const REF_CREATE_CONNECTION_EMPTY: &str = "0a056f72675f311a00";
const REF_DELETE_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";
const REF_LIST_APP_CONNECTIONS_NONE: &str = "";
const REF_LIST_APP_CONNECTIONS_FULL: &str = "08141201741a06474f4f474c452205676d61696c";
const REF_LIST_APP_CONNECTIONS_EMPTY_FILTERS: &str = "1a002200";

// getConnection('org_1', 'conn_1')
#[test]
fn get_connection_request_matches_reference() {
    let request = get_connection_request("org_1", "conn_1").unwrap();
    assert_eq!(
        request,
        GetConnectionRequest {
            organization_id: "org_1".to_owned(),
            id: "conn_1".to_owned(),
        }
    );
    assert_eq!(request, decode::<GetConnectionRequest>(REF_GET_CONNECTION));
}

#[test]
fn get_connection_request_validates_org_then_connection() {
    let (field, _) = invalid(get_connection_request("", ""));
    assert_eq!(field, "organization_id");
    for id in ["", " ", "conn_1 ", "conn/1"] {
        let (field, _) = invalid(get_connection_request("org_1", id));
        assert_eq!(field, "connection_id", "{id:?}");
    }
}

// listConnectionsByDomain('acme.com'): only `domain` is set.
#[test]
fn list_connections_by_domain_request_matches_reference() {
    let request = list_connections_by_domain_request("acme.com").unwrap();
    assert_eq!(
        request,
        ListConnectionsRequest {
            organization_id: None,
            domain: Some("acme.com".to_owned()),
            include: None,
        }
    );
    assert_eq!(
        request,
        decode::<ListConnectionsRequest>(REF_LIST_CONNECTIONS_BY_DOMAIN)
    );
    for domain in ["", "  ", " acme.com", "acme.com/x"] {
        let (field, _) = invalid(list_connections_by_domain_request(domain));
        assert_eq!(field, "domain", "{domain:?}");
    }
}

// listConnections('org_1'): only `organization_id` is set.
#[test]
fn list_connections_request_matches_reference() {
    let request = list_connections_request("org_1").unwrap();
    assert_eq!(
        request,
        ListConnectionsRequest {
            organization_id: Some("org_1".to_owned()),
            domain: None,
            include: None,
        }
    );
    assert_eq!(
        request,
        decode::<ListConnectionsRequest>(REF_LIST_CONNECTIONS)
    );
    let (field, _) = invalid(list_connections_request(""));
    assert_eq!(field, "organization_id");
}

// enableConnection('org_1', 'conn_1'), disableConnection('org_1', 'conn_1')
#[test]
fn toggle_connection_request_matches_reference() {
    let request = toggle_connection_request("org_1", "conn_1").unwrap();
    assert_eq!(
        request,
        ToggleConnectionRequest {
            organization_id: "org_1".to_owned(),
            id: "conn_1".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<ToggleConnectionRequest>(REF_ENABLE_CONNECTION)
    );
    assert_eq!(
        request,
        decode::<ToggleConnectionRequest>(REF_DISABLE_CONNECTION)
    );
    let (field, _) = invalid(toggle_connection_request("org_1", ""));
    assert_eq!(field, "connection_id");
    let (field, _) = invalid(toggle_connection_request("org/1", "conn_1"));
    assert_eq!(field, "organization_id");
}

// createConnection('org_1', { provider: OKTA, type: SAML }),
// createConnection('org_1', { provider: CUSTOM, type: OIDC, providerKey: 'custom_idp', keyId: 'key_1' }),
// createConnection('org_1', {})
#[test]
fn create_connection_requests_match_reference() {
    let okta = CreateConnection {
        provider: ConnectionProvider::Okta as i32,
        r#type: ConnectionType::Saml as i32,
        ..Default::default()
    };
    let request = create_connection_request("org_1", okta.clone()).unwrap();
    assert_eq!(
        request,
        CreateConnectionRequest {
            organization_id: "org_1".to_owned(),
            connection: Some(okta),
        }
    );
    assert_eq!(
        request,
        decode::<CreateConnectionRequest>(REF_CREATE_CONNECTION)
    );

    let custom = CreateConnection {
        provider: ConnectionProvider::Custom as i32,
        r#type: ConnectionType::Oidc as i32,
        provider_key: "custom_idp".to_owned(),
        key_id: Some("key_1".to_owned()),
    };
    let request = create_connection_request("org_1", custom).unwrap();
    assert_eq!(
        request,
        decode::<CreateConnectionRequest>(REF_CREATE_CONNECTION_FULL)
    );

    // An empty connection is still sent as a present message: the server
    // names what is missing.
    let empty = create_connection_request("org_1", CreateConnection::default()).unwrap();
    assert_eq!(empty.connection, Some(CreateConnection::default()));
    assert_eq!(
        empty,
        decode::<CreateConnectionRequest>(REF_CREATE_CONNECTION_EMPTY)
    );
}

#[test]
fn create_connection_rejects_invalid_organization_id() {
    for id in ["", " ", "org_1 ", "org/1"] {
        let (field, _) = invalid(create_connection_request(id, CreateConnection::default()));
        assert_eq!(field, "organization_id", "{id:?}");
    }
}

// deleteConnection('org_1', 'conn_1')
#[test]
fn delete_connection_request_matches_reference() {
    let request = delete_connection_request("org_1", "conn_1").unwrap();
    assert_eq!(
        request,
        DeleteConnectionRequest {
            organization_id: "org_1".to_owned(),
            id: "conn_1".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<DeleteConnectionRequest>(REF_DELETE_CONNECTION)
    );
}

#[test]
fn delete_connection_rejects_invalid_ids() {
    let (field, _) = invalid(delete_connection_request("", "conn_1"));
    assert_eq!(field, "organization_id");
    for id in ["", " conn_1", "conn/1"] {
        let (field, _) = invalid(delete_connection_request("org_1", id));
        assert_eq!(field, "connection_id", "{id:?}");
    }
}

// listAppConnections(), listAppConnections({ pageSize: 20, pageToken: 't',
//   provider: 'GOOGLE', query: 'gmail' }), listAppConnections({ provider: '', query: '' })
#[test]
fn list_app_connections_requests_match_reference() {
    let none = list_app_connections_request(&ListAppConnectionsOptions::default());
    assert_eq!(none, ListAppConnectionsRequest::default());
    assert_eq!(
        none,
        decode::<ListAppConnectionsRequest>(REF_LIST_APP_CONNECTIONS_NONE)
    );

    let full = list_app_connections_request(
        &ListAppConnectionsOptions::default()
            .with_page_size(20)
            .with_page_token("t")
            .with_provider("GOOGLE")
            .with_query("gmail"),
    );
    assert_eq!(
        full,
        ListAppConnectionsRequest {
            page_size: 20,
            page_token: "t".to_owned(),
            provider: Some("GOOGLE".to_owned()),
            query: Some("gmail".to_owned()),
        }
    );
    assert_eq!(
        full,
        decode::<ListAppConnectionsRequest>(REF_LIST_APP_CONNECTIONS_FULL)
    );

    // Set but empty filters are sent as empty strings, as the reference does.
    let empty = list_app_connections_request(
        &ListAppConnectionsOptions::default()
            .with_provider("")
            .with_query(""),
    );
    assert_eq!(empty.provider.as_deref(), Some(""));
    assert_eq!(
        empty,
        decode::<ListAppConnectionsRequest>(REF_LIST_APP_CONNECTIONS_EMPTY_FILTERS)
    );
}

#[test]
fn list_app_connections_options_drive_pagination() {
    use crate::pagination::PageOptions;

    let mut opts = ListAppConnectionsOptions::default().with_provider("OKTA");
    assert_eq!(PageOptions::page_token(&opts), None);
    opts.set_page_token("n".to_owned());
    assert_eq!(
        opts,
        ListAppConnectionsOptions::default()
            .with_provider("OKTA")
            .with_page_token("n")
    );
}
