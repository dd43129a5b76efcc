//! Request shapes and secret handling. Each `REF_*` constant is the request
//! the reference Node SDK (`@scalekit-sdk/node` 2.11.0, `lib/m2mclient.js`)
//! encodes for the same call, captured by running its `M2MClient` with a
//! `connectExec` stub that records `toBinary(method.input,
//! create(method.input, req))`.

use super::requests::*;
use super::secrets::take_plain_secrets;
use super::*;
use crate::proto::clients::{
    CreateOrganizationClientRequest, CreateOrganizationClientResponse,
    CreateOrganizationClientSecretRequest, CreateOrganizationClientSecretResponse,
    DeleteOrganizationClientRequest, DeleteOrganizationClientSecretRequest,
    GetOrganizationClientRequest, ListOrganizationClientsRequest, OrganizationClient,
    UpdateOrganizationClientRequest,
};
use crate::test_support::decode;

fn invalid<T: std::fmt::Debug>(result: Result<T>) -> &'static str {
    match result {
        Err(Error::InvalidArgument { field, .. }) => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// Organization ids every RPC refuses: bad shape, or no `org_` prefix.
const BAD_ORGANIZATION_IDS: [&str; 5] = ["", " ", " org_1", "org_1/x", "usr_1"];
/// Client ids every RPC refuses: bad shape, or no `m2morg_` prefix.
const BAD_CLIENT_IDS: [&str; 5] = ["", " m2morg_1", "m2morg_1/x", "skc_1", "m2m_1"];

const REF_CREATE_MIN: &str = "0a056f72675f311200";
const REF_CREATE_FULL: &str = "0a056f72675f3112310a0263691201641a04726561641a05777269746522036170692a0b0a03656e76120470726f642a090a047465616d120161";
const REF_GET: &str = "0a056f72675f3112086d326d6f72675f31";
const REF_UPDATE_MIN: &str = "0a056f72675f3112086d326d6f72675f311a00";
const REF_UPDATE_FULL: &str =
    "0a056f72675f3112086d326d6f72675f311a110a016e1a04726561642a060a016b120176";
const REF_DELETE: &str = "0a056f72675f3112086d326d6f72675f31";
const REF_ADD_SECRET: &str = "0a056f72675f3112086d326d6f72675f31";
const REF_REMOVE_SECRET: &str = "0a056f72675f3112086d326d6f72675f311a057365635f31";
const REF_LIST_MIN: &str = "0a056f72675f31";
const REF_LIST_FULL: &str = "0a056f72675f31101e1a027032";

// createOrganizationClient('org_1'); createOrganizationClient('org_1',
//   { name: 'ci', description: 'd', customClaims: { env: 'prod', team: 'a' },
//     audience: ['api'], scopes: ['read', 'write'] })
#[test]
fn create_organization_client_request_matches_reference() {
    let min =
        create_organization_client_request("org_1", CreateOrganizationClientOptions::default())
            .unwrap();
    assert_eq!(
        min,
        CreateOrganizationClientRequest {
            organization_id: "org_1".to_owned(),
            client: Some(OrganizationClient::default()),
        }
    );
    assert_eq!(
        min,
        decode::<CreateOrganizationClientRequest>(REF_CREATE_MIN)
    );

    let opts = CreateOrganizationClientOptions::default()
        .with_name("ci")
        .with_description("d")
        .with_custom_claim("env", "prod")
        .with_custom_claim("team", "a")
        .with_audience(["api"])
        .with_scopes(["read", "write"]);
    let full = create_organization_client_request("org_1", opts).unwrap();
    assert_eq!(
        full,
        decode::<CreateOrganizationClientRequest>(REF_CREATE_FULL)
    );
}

#[test]
fn create_organization_client_rejects_bad_organization_id() {
    for id in BAD_ORGANIZATION_IDS {
        let result =
            create_organization_client_request(id, CreateOrganizationClientOptions::default());
        assert_eq!(invalid(result), "organization_id", "{id:?}");
    }
}

#[test]
fn with_custom_claim_replaces_a_key_in_place() {
    let opts = CreateOrganizationClientOptions::default()
        .with_custom_claim("a", "1")
        .with_custom_claim("b", "2")
        .with_custom_claim("a", "3");
    let pairs: Vec<_> = opts
        .custom_claims
        .iter()
        .map(|c| (c.key.as_str(), c.value.as_str()))
        .collect();
    assert_eq!(pairs, [("a", "3"), ("b", "2")]);
}

// getOrganizationClient('org_1', 'm2morg_1'); deleteOrganizationClient(same)
#[test]
fn get_and_delete_organization_client_requests_match_reference() {
    let get = get_organization_client_request("org_1", "m2morg_1").unwrap();
    assert_eq!(
        get,
        GetOrganizationClientRequest {
            organization_id: "org_1".to_owned(),
            client_id: "m2morg_1".to_owned(),
        }
    );
    assert_eq!(get, decode::<GetOrganizationClientRequest>(REF_GET));
    let delete = delete_organization_client_request("org_1", "m2morg_1").unwrap();
    assert_eq!(
        delete,
        decode::<DeleteOrganizationClientRequest>(REF_DELETE)
    );
}

#[test]
fn get_organization_client_rejects_bad_ids() {
    for id in BAD_ORGANIZATION_IDS {
        let field = invalid(get_organization_client_request(id, "m2morg_1"));
        assert_eq!(field, "organization_id", "{id:?}");
    }
    for id in BAD_CLIENT_IDS {
        let field = invalid(get_organization_client_request("org_1", id));
        assert_eq!(field, "client_id", "{id:?}");
    }
}

#[test]
fn delete_organization_client_rejects_bad_ids() {
    for id in BAD_ORGANIZATION_IDS {
        let field = invalid(delete_organization_client_request(id, "m2morg_1"));
        assert_eq!(field, "organization_id", "{id:?}");
    }
    for id in BAD_CLIENT_IDS {
        let field = invalid(delete_organization_client_request("org_1", id));
        assert_eq!(field, "client_id", "{id:?}");
    }
}

// updateOrganizationClient('org_1', 'm2morg_1'); updateOrganizationClient(
//   'org_1', 'm2morg_1', { name: 'n', scopes: ['read'], customClaims: { k: 'v' } })
#[test]
fn update_organization_client_request_matches_reference() {
    let min = update_organization_client_request(
        "org_1",
        "m2morg_1",
        UpdateOrganizationClientOptions::default(),
    )
    .unwrap();
    assert_eq!(
        min,
        UpdateOrganizationClientRequest {
            organization_id: "org_1".to_owned(),
            client_id: "m2morg_1".to_owned(),
            client: Some(OrganizationClient::default()),
        }
    );
    assert_eq!(
        min,
        decode::<UpdateOrganizationClientRequest>(REF_UPDATE_MIN)
    );

    let opts = UpdateOrganizationClientOptions::default()
        .with_name("n")
        .with_scopes(["read"])
        .with_custom_claim("k", "v");
    let full = update_organization_client_request("org_1", "m2morg_1", opts).unwrap();
    assert_eq!(
        full,
        decode::<UpdateOrganizationClientRequest>(REF_UPDATE_FULL)
    );
}

#[test]
fn update_organization_client_rejects_bad_ids() {
    let opts = UpdateOrganizationClientOptions::default;
    for id in BAD_ORGANIZATION_IDS {
        let field = invalid(update_organization_client_request(id, "m2morg_1", opts()));
        assert_eq!(field, "organization_id", "{id:?}");
    }
    for id in BAD_CLIENT_IDS {
        let field = invalid(update_organization_client_request("org_1", id, opts()));
        assert_eq!(field, "client_id", "{id:?}");
    }
}

// listOrganizationClients('org_1'); listOrganizationClients('org_1',
//   { pageSize: 30, pageToken: 'p2' })
#[test]
fn list_organization_clients_request_matches_reference() {
    let min =
        list_organization_clients_request("org_1", &ListOrganizationClientsOptions::default())
            .unwrap();
    assert_eq!(
        min,
        ListOrganizationClientsRequest {
            organization_id: "org_1".to_owned(),
            page_size: 0,
            page_token: String::new(),
        }
    );
    assert_eq!(min, decode::<ListOrganizationClientsRequest>(REF_LIST_MIN));
    let opts = ListOrganizationClientsOptions::default()
        .with_page_size(30)
        .with_page_token("p2");
    let full = list_organization_clients_request("org_1", &opts).unwrap();
    assert_eq!(
        full,
        decode::<ListOrganizationClientsRequest>(REF_LIST_FULL)
    );
}

#[test]
fn list_organization_clients_rejects_bad_organization_id() {
    for id in BAD_ORGANIZATION_IDS {
        let result =
            list_organization_clients_request(id, &ListOrganizationClientsOptions::default());
        assert_eq!(invalid(result), "organization_id", "{id:?}");
    }
}

// addOrganizationClientSecret('org_1', 'm2morg_1');
// removeOrganizationClientSecret('org_1', 'm2morg_1', 'sec_1')
#[test]
fn secret_requests_match_reference() {
    let add = add_organization_client_secret_request("org_1", "m2morg_1").unwrap();
    assert_eq!(
        add,
        decode::<CreateOrganizationClientSecretRequest>(REF_ADD_SECRET)
    );
    let remove = remove_organization_client_secret_request("org_1", "m2morg_1", "sec_1").unwrap();
    assert_eq!(
        remove,
        DeleteOrganizationClientSecretRequest {
            organization_id: "org_1".to_owned(),
            client_id: "m2morg_1".to_owned(),
            secret_id: "sec_1".to_owned(),
        }
    );
    assert_eq!(
        remove,
        decode::<DeleteOrganizationClientSecretRequest>(REF_REMOVE_SECRET)
    );
}

#[test]
fn add_organization_client_secret_rejects_bad_ids() {
    for id in BAD_ORGANIZATION_IDS {
        let field = invalid(add_organization_client_secret_request(id, "m2morg_1"));
        assert_eq!(field, "organization_id", "{id:?}");
    }
    for id in BAD_CLIENT_IDS {
        let field = invalid(add_organization_client_secret_request("org_1", id));
        assert_eq!(field, "client_id", "{id:?}");
    }
}

#[test]
fn remove_organization_client_secret_rejects_bad_ids() {
    let remove = remove_organization_client_secret_request;
    assert_eq!(
        invalid(remove("usr_1", "m2morg_1", "sec_1")),
        "organization_id"
    );
    assert_eq!(invalid(remove("org_1", "skc_1", "sec_1")), "client_id");
    for id in ["", " sec_1", "sec/1"] {
        assert_eq!(
            invalid(remove("org_1", "m2morg_1", id)),
            "secret_id",
            "{id:?}"
        );
    }
}

const SECRET: &str = "m2m-SECRET-0a1b2c3d";

fn secret_record(id: &str, plain: Option<&str>) -> ClientSecret {
    ClientSecret {
        id: id.to_owned(),
        secret_suffix: "3d".to_owned(),
        plain_secret: plain.map(str::to_owned),
        ..Default::default()
    }
}

#[test]
fn created_organization_client_moves_the_secret_out_of_the_client() {
    let response = CreateOrganizationClientResponse {
        client: Some(M2mClient {
            client_id: "m2morg_1".to_owned(),
            secrets: vec![secret_record("sec_1", Some(SECRET))],
            ..Default::default()
        }),
        plain_secret: SECRET.to_owned(),
    };
    let created = CreatedOrganizationClient::try_from(response).unwrap();
    assert_eq!(created.plain_secret, SECRET);
    assert_eq!(created.client.secrets[0].plain_secret, None);
    let shown = format!("{created:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(
        shown.contains("m2morg_1") && shown.contains("sec_1"),
        "{shown}"
    );
}

#[test]
fn created_organization_client_falls_back_to_the_nested_secret() {
    let response = CreateOrganizationClientResponse {
        client: Some(M2mClient {
            secrets: vec![secret_record("sec_1", Some(SECRET))],
            ..Default::default()
        }),
        plain_secret: String::new(),
    };
    let created = CreatedOrganizationClient::try_from(response).unwrap();
    assert_eq!(created.plain_secret, SECRET);
    assert_eq!(created.client.secrets[0].plain_secret, None);
}

#[test]
fn created_organization_client_needs_client_and_secret() {
    let no_client = CreatedOrganizationClient::try_from(CreateOrganizationClientResponse {
        client: None,
        plain_secret: SECRET.to_owned(),
    });
    assert!(matches!(no_client, Err(Error::MalformedResponse("client"))));
    let no_secret = CreatedOrganizationClient::try_from(CreateOrganizationClientResponse {
        client: Some(M2mClient::default()),
        plain_secret: String::new(),
    });
    assert!(matches!(
        no_secret,
        Err(Error::MalformedResponse("plain_secret"))
    ));
}

#[test]
fn created_client_secret_redacts_and_clears_the_value() {
    let response = CreateOrganizationClientSecretResponse {
        plain_secret: SECRET.to_owned(),
        secret: Some(secret_record("sec_2", Some(SECRET))),
    };
    let created = CreatedClientSecret::try_from(response).unwrap();
    assert_eq!(created.plain_secret, SECRET);
    assert_eq!(created.secret.plain_secret, None);
    let shown = format!("{created:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("sec_2"), "{shown}");

    let missing = CreatedClientSecret::try_from(CreateOrganizationClientSecretResponse {
        plain_secret: SECRET.to_owned(),
        secret: None,
    });
    assert!(matches!(missing, Err(Error::MalformedResponse("secret"))));
}

#[test]
fn take_plain_secrets_clears_every_value_and_keeps_the_first() {
    let mut client = M2mClient {
        secrets: vec![
            secret_record("sec_1", Some("")),
            secret_record("sec_2", Some("first")),
            secret_record("sec_3", Some("second")),
            secret_record("sec_4", None),
        ],
        ..Default::default()
    };
    assert_eq!(take_plain_secrets(&mut client).as_deref(), Some("first"));
    assert!(client.secrets.iter().all(|s| s.plain_secret.is_none()));
    assert_eq!(client.secrets.len(), 4);
}
