//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/domain.js`) encodes for the
//! same call, captured by running its `DomainClient` with a `connectExec`
//! stub that records `toBinary(method.input, create(method.input, req))`.

use super::requests::*;
use super::*;
use crate::proto::domains::{
    create_domain_request, delete_domain_request, get_domain_request, list_domain_request,
    CreateDomain, CreateDomainRequest, DeleteDomainRequest, GetDomainRequest, ListDomainRequest,
};
use crate::test_support::{decode, invalid};

const REF_CREATE_DOMAIN_MIN: &str = "0a056f72675f31220a0a0861636d652e636f6d";
const REF_CREATE_DOMAIN_ORG: &str = "0a056f72675f31220c0a0861636d652e636f6d1002";
const REF_CREATE_DOMAIN_ALLOWED: &str = "0a056f72675f31220c0a0861636d652e636f6d1001";
const REF_CREATE_DOMAIN_UNSPECIFIED: &str = "0a056f72675f31220a0a0861636d652e636f6d";
const REF_GET_DOMAIN: &str = "0a056f72675f311a05646f6d5f31";
const REF_LIST_DOMAINS_NONE: &str = "0a056f72675f31";
const REF_LIST_DOMAINS_ALLOWED: &str = "0a056f72675f313801";
const REF_DELETE_DOMAIN: &str = "0a05646f6d5f3112056f72675f31";

fn org_arm() -> Option<create_domain_request::Identities> {
    Some(create_domain_request::Identities::OrganizationId(
        "org_1".to_owned(),
    ))
}

// createDomain('org_1', 'acme.com')
#[test]
fn create_domain_request_without_type_matches_reference() {
    let request =
        create_domain_request("org_1", "acme.com", &CreateDomainOptions::default()).unwrap();
    assert_eq!(
        request,
        CreateDomainRequest {
            identities: org_arm(),
            connection_id: None,
            domain: Some(CreateDomain {
                domain: "acme.com".to_owned(),
                domain_type: 0,
            }),
        }
    );
    assert_eq!(
        request,
        decode::<CreateDomainRequest>(REF_CREATE_DOMAIN_MIN)
    );
}

// createDomain('org_1', 'acme.com', { domainType: 'ORGANIZATION_DOMAIN' }),
// createDomain('org_1', 'acme.com', { domainType: 1 }),
// createDomain('org_1', 'acme.com', { domainType: 'DOMAIN_TYPE_UNSPECIFIED' })
#[test]
fn create_domain_request_with_type_matches_reference() {
    let with = |t: DomainType| {
        create_domain_request(
            "org_1",
            "acme.com",
            &CreateDomainOptions::default().with_domain_type(t),
        )
        .unwrap()
    };
    let org = with(DomainType::OrganizationDomain);
    assert_eq!(
        org.domain.as_ref().unwrap().domain_type,
        DomainType::OrganizationDomain as i32
    );
    assert_eq!(org, decode::<CreateDomainRequest>(REF_CREATE_DOMAIN_ORG));
    assert_eq!(
        with(DomainType::AllowedEmailDomain),
        decode::<CreateDomainRequest>(REF_CREATE_DOMAIN_ALLOWED)
    );
    assert_eq!(
        with(DomainType::Unspecified),
        decode::<CreateDomainRequest>(REF_CREATE_DOMAIN_UNSPECIFIED)
    );
}

#[test]
fn create_domain_request_rejects_unknown_types_and_bad_arguments() {
    for value in [3, -1, 99] {
        let (field, reason) = invalid(create_domain_request(
            "org_1",
            "acme.com",
            &CreateDomainOptions::default().with_domain_type(value),
        ));
        assert_eq!(field, "domain_type");
        assert!(reason.contains(&value.to_string()), "{reason}");
    }
    let opts = CreateDomainOptions::default;
    let (field, _) = invalid(create_domain_request("", "acme.com", &opts()));
    assert_eq!(field, "organization_id");
    for name in ["", "  "] {
        let (field, _) = invalid(create_domain_request("org_1", name, &opts()));
        assert_eq!(field, "name", "{name:?}");
    }
}

// getDomain('org_1', 'dom_1')
#[test]
fn get_domain_request_matches_reference() {
    let request = get_domain_request("org_1", "dom_1").unwrap();
    assert_eq!(
        request,
        GetDomainRequest {
            identities: Some(get_domain_request::Identities::OrganizationId(
                "org_1".to_owned()
            )),
            id: "dom_1".to_owned(),
        }
    );
    assert_eq!(request, decode::<GetDomainRequest>(REF_GET_DOMAIN));
    let (field, _) = invalid(get_domain_request("org_1", "dom/1"));
    assert_eq!(field, "domain_id");
    let (field, _) = invalid(get_domain_request(" ", "dom_1"));
    assert_eq!(field, "organization_id");
}

// listDomains('org_1'), listDomains('org_1', { domainType: 'ALLOWED_EMAIL_DOMAIN' })
#[test]
fn list_domains_request_matches_reference() {
    let none = list_domains_request("org_1", &ListDomainsOptions::default()).unwrap();
    assert_eq!(
        none,
        ListDomainRequest {
            identities: Some(list_domain_request::Identities::OrganizationId(
                "org_1".to_owned()
            )),
            ..Default::default()
        }
    );
    assert_eq!(none, decode::<ListDomainRequest>(REF_LIST_DOMAINS_NONE));

    let allowed = list_domains_request(
        "org_1",
        &ListDomainsOptions::default().with_domain_type(DomainType::AllowedEmailDomain),
    )
    .unwrap();
    assert_eq!(allowed.domain_type, DomainType::AllowedEmailDomain as i32);
    assert_eq!(allowed.page_size, None);
    assert_eq!(allowed.page_number, None);
    assert_eq!(
        allowed,
        decode::<ListDomainRequest>(REF_LIST_DOMAINS_ALLOWED)
    );

    let unspecified = list_domains_request(
        "org_1",
        &ListDomainsOptions::default().with_domain_type(DomainType::Unspecified),
    )
    .unwrap();
    assert_eq!(unspecified, none);
}

#[test]
fn list_domains_request_sends_page_fields_only_when_set() {
    let paged = list_domains_request(
        "org_1",
        &ListDomainsOptions::default()
            .with_page_size(0)
            .with_page_number(2),
    )
    .unwrap();
    assert_eq!((paged.page_size, paged.page_number), (Some(0), Some(2)));
    let (field, _) = invalid(list_domains_request(
        "org_1",
        &ListDomainsOptions::default().with_page_size(u32::MAX),
    ));
    assert_eq!(field, "page_size");
}

#[test]
fn list_domains_request_rejects_unknown_types() {
    let (field, reason) = invalid(list_domains_request(
        "org_1",
        &ListDomainsOptions::default().with_domain_type(7),
    ));
    assert_eq!(field, "domain_type");
    assert!(reason.contains("ORGANIZATION_DOMAIN"), "{reason}");
    let (field, _) = invalid(list_domains_request("", &ListDomainsOptions::default()));
    assert_eq!(field, "organization_id");
}

// deleteDomain('org_1', 'dom_1')
#[test]
fn delete_domain_request_matches_reference() {
    let request = delete_domain_request("org_1", "dom_1").unwrap();
    assert_eq!(
        request,
        DeleteDomainRequest {
            id: "dom_1".to_owned(),
            identities: Some(delete_domain_request::Identities::OrganizationId(
                "org_1".to_owned()
            )),
            connection_id: None,
        }
    );
    assert_eq!(request, decode::<DeleteDomainRequest>(REF_DELETE_DOMAIN));
    let (field, _) = invalid(delete_domain_request("org_1", ""));
    assert_eq!(field, "domain_id");
}
