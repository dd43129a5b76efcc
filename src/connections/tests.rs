//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/connection.js`) encodes for
//! the same call, captured by running its `ConnectionClient` with a
//! `connectExec` stub that records
//! `toBinary(method.input, create(method.input, req))`.

use prost::Message;

use super::requests::*;
use super::*;
use crate::proto::connections::{
    CreateConnectionRequest, DeleteConnectionRequest, GetConnectionRequest,
    ListAppConnectionsRequest, ListConnectionsRequest, ToggleConnectionRequest,
};

fn decode<M: Message + Default>(hex: &str) -> M {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    M::decode(bytes.as_slice()).unwrap()
}

fn invalid<T: std::fmt::Debug>(result: Result<T>) -> (&'static str, String) {
    match result {
        Err(Error::InvalidArgument { field, reason }) => (field, reason),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

const REF_GET_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";
const REF_LIST_CONNECTIONS_BY_DOMAIN: &str = "1a0861636d652e636f6d";
const REF_LIST_CONNECTIONS: &str = "0a056f72675f31";
const REF_ENABLE_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";
const REF_DISABLE_CONNECTION: &str = "0a056f72675f311a06636f6e6e5f31";

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
