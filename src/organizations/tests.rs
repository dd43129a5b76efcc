//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.2.2, or 2.11.0 for the `REF_2_11_*`
//! ones and the methods it added; `lib/organization.js`) encodes for the
//! same call, captured by running its `OrganizationClient` with a
//! `connectExec` stub that records
//! `toBinary(method.input, create(method.input, req))`. Decoding it with
//! prost and comparing messages proves that the facade sends the same
//! fields, the same oneof arm and nothing else.

use std::collections::HashMap;

use super::requests::*;
use super::*;
use crate::pagination::PageOptions;
use crate::proto::organizations::{
    delete_organization_request, get_organization_request, update_organization_request,
    CreateOrganization, CreateOrganizationRequest, DeleteOrganizationRequest,
    GeneratePortalLinkRequest, GetOrganizationRequest, GetOrganizationSessionPolicyRequest,
    GetOrganizationUserManagementSettingsRequest, ListOrganizationsRequest,
    SearchOrganizationsRequest, UpdateOrganizationRequest, UpdateOrganizationSessionPolicyRequest,
    UpdateOrganizationSettingsRequest, UpsertUserManagementSettingsRequest,
};
use crate::test_support::{decode, invalid};

const REF_CREATE_MIN: &str = "0a06220441636d65";
const REF_CREATE_EXTERNAL_ID: &str = "0a0d220441636d6532056578745f31";
const REF_CREATE_EMPTY_EXTERNAL_ID: &str = "0a06220441636d65";
const REF_LIST_NONE: &str = "";
const REF_LIST_FULL: &str = "0814120174";
const REF_LIST_EXTERNAL_ID: &str = "1a056578745f31";
const REF_GET: &str = "0a056f72675f31";
const REF_GET_EXTERNAL_ID: &str = "12056578745f31";
const REF_UPDATE_FULL: &str = "0a056f72675f311a0e22014e3201653a060a016b120176";
const REF_UPDATE_EMPTY: &str = "0a056f72675f311a00";
const REF_UPDATE_EXTERNAL_ID: &str = "12056578745f311a0322014e";
const REF_DELETE: &str = "0a056f72675f31";
const REF_PORTAL_LINK: &str = "0a056f72675f31";
const REF_SETTINGS: &str = "0a056f72675f3112150a070a0373736f10010a0a0a086469725f73796e63";
const REF_SETTINGS_EMPTY: &str = "0a056f72675f311200";
const REF_USER_MANAGEMENT_100: &str = "0a056f72675f3112040a020864";
const REF_USER_MANAGEMENT_ZERO: &str = "0a056f72675f3112020a00";
const REF_USER_MANAGEMENT_NULL: &str = "0a056f72675f311200";
const REF_2_11_CREATE_SLUG_LOGO: &str = "0a2f220441636d6532056578745f314a0461636d65521a68747470733a2f2f61636d652e746573742f6c6f676f2e706e67";
const REF_2_11_CREATE_EMPTY_SLUG_LOGO: &str = "0a06220441636d65";
const REF_2_11_UPDATE_SLUG_LOGO: &str =
    "0a056f72675f311a224a0461636d65521a68747470733a2f2f61636d652e746573742f6c6f676f2e706e67";
const REF_2_11_UPDATE_EMPTY_SLUG: &str = "0a056f72675f311a024a00";
const REF_SEARCH: &str = "0a0461636d65";
const REF_SEARCH_FULL: &str = "0a0461636d6510141a0174";
const REF_GET_USER_MANAGEMENT_SETTING: &str = "0a056f72675f31";
const REF_GET_SESSION_POLICY: &str = "0a056f72675f31";
const REF_SESSION_POLICY_APPLICATION: &str = "0a056f72675f311001";
const REF_SESSION_POLICY_CUSTOM_MIN: &str = "0a056f72675f3110021a0308e8022001";
const REF_SESSION_POLICY_CUSTOM_FULL: &str = "0a056f72675f3110021a0308e80220012a020801320208543802";
const REF_SESSION_POLICY_CUSTOM_ZEROS: &str = "0a056f72675f3110021a0020032a003200";

// createOrganization('Acme'), createOrganization('Acme', { externalId: 'ext_1' }),
// createOrganization('Acme', { externalId: '' })
#[test]
fn create_organization_request_matches_reference() {
    let min = create_organization_request("Acme", CreateOrganizationOptions::default()).unwrap();
    assert_eq!(
        min,
        CreateOrganizationRequest {
            organization: Some(CreateOrganization {
                display_name: "Acme".to_owned(),
                ..Default::default()
            }),
        }
    );
    assert_eq!(min, decode::<CreateOrganizationRequest>(REF_CREATE_MIN));

    let ext = create_organization_request(
        "Acme",
        CreateOrganizationOptions::default().with_external_id("ext_1"),
    )
    .unwrap();
    assert_eq!(
        ext.organization.as_ref().unwrap().external_id.as_deref(),
        Some("ext_1")
    );
    assert_eq!(
        ext,
        decode::<CreateOrganizationRequest>(REF_CREATE_EXTERNAL_ID)
    );

    let empty = create_organization_request(
        "Acme",
        CreateOrganizationOptions::default().with_external_id(""),
    )
    .unwrap();
    assert_eq!(
        empty,
        decode::<CreateOrganizationRequest>(REF_CREATE_EMPTY_EXTERNAL_ID)
    );
}

#[test]
fn create_organization_request_sends_metadata_and_region() {
    let opts = CreateOrganizationOptions::default()
        .with_metadata("plan", "gold")
        .with_region_code(RegionCode::Eu);
    let request = create_organization_request("Acme", opts).unwrap();
    let organization = request.organization.unwrap();
    assert_eq!(organization.region_code, RegionCode::Eu as i32);
    assert_eq!(
        organization.metadata,
        HashMap::from([("plan".to_owned(), "gold".to_owned())])
    );
    assert_eq!(organization.external_id, None);
}

#[test]
fn create_organization_request_requires_a_name() {
    for name in ["", "  ", "\n"] {
        let (field, reason) = invalid(create_organization_request(
            name,
            CreateOrganizationOptions::default(),
        ));
        assert_eq!((field, reason.as_str()), ("name", "must not be empty"));
    }
}

// listOrganization(), listOrganization({ pageSize: 20, pageToken: 't' }),
// listOrganization({ externalId: 'ext_1' })
#[test]
fn list_organization_request_matches_reference() {
    let none = list_organization_request(&ListOrganizationOptions::default());
    assert_eq!(none, ListOrganizationsRequest::default());
    assert_eq!(none, decode::<ListOrganizationsRequest>(REF_LIST_NONE));

    let full = list_organization_request(
        &ListOrganizationOptions::default()
            .with_page_size(20)
            .with_page_token("t"),
    );
    assert_eq!(
        full,
        ListOrganizationsRequest {
            page_size: 20,
            page_token: "t".to_owned(),
            external_id: None,
        }
    );
    assert_eq!(full, decode::<ListOrganizationsRequest>(REF_LIST_FULL));

    let ext =
        list_organization_request(&ListOrganizationOptions::default().with_external_id("ext_1"));
    assert_eq!(ext.external_id.as_deref(), Some("ext_1"));
    assert_eq!(
        ext,
        decode::<ListOrganizationsRequest>(REF_LIST_EXTERNAL_ID)
    );
}

// getOrganization('org_1'), getOrganizationByExternalId('ext_1')
#[test]
fn get_organization_requests_match_reference() {
    let by_id = get_organization_request("org_1").unwrap();
    assert_eq!(
        by_id,
        GetOrganizationRequest {
            identities: Some(get_organization_request::Identities::Id("org_1".to_owned())),
        }
    );
    assert_eq!(by_id, decode::<GetOrganizationRequest>(REF_GET));

    let by_ext = get_organization_by_external_id_request("ext_1").unwrap();
    assert_eq!(
        by_ext,
        GetOrganizationRequest {
            identities: Some(get_organization_request::Identities::ExternalId(
                "ext_1".to_owned()
            )),
        }
    );
    assert_eq!(
        by_ext,
        decode::<GetOrganizationRequest>(REF_GET_EXTERNAL_ID)
    );
}

#[test]
fn get_organization_requests_validate_their_ids() {
    for id in ["", " ", " org_1", "org/1"] {
        let (field, _) = invalid(get_organization_request(id));
        assert_eq!(field, "organization_id", "{id:?}");
    }
    // External ids are the caller's: '/' and any prefix are fine.
    assert!(get_organization_by_external_id_request("tenant/42").is_ok());
    let (field, _) = invalid(get_organization_by_external_id_request(" "));
    assert_eq!(field, "external_id");
}

// updateOrganization('org_1', { displayName: 'N', externalId: 'e', metadata: { k: 'v' } }),
// updateOrganization('org_1', {}), updateOrganizationByExternalId('ext_1', { displayName: 'N' })
#[test]
fn update_organization_requests_match_reference() {
    let update = UpdateOrganization {
        display_name: Some("N".to_owned()),
        external_id: Some("e".to_owned()),
        metadata: HashMap::from([("k".to_owned(), "v".to_owned())]),
        ..Default::default()
    };
    let full = update_organization_request("org_1", update.clone()).unwrap();
    assert_eq!(
        full,
        UpdateOrganizationRequest {
            identities: Some(update_organization_request::Identities::Id(
                "org_1".to_owned()
            )),
            organization: Some(update),
            update_mask: None,
        }
    );
    assert_eq!(full, decode::<UpdateOrganizationRequest>(REF_UPDATE_FULL));

    let empty = update_organization_request("org_1", UpdateOrganization::default()).unwrap();
    assert_eq!(empty.organization, Some(UpdateOrganization::default()));
    assert_eq!(empty, decode::<UpdateOrganizationRequest>(REF_UPDATE_EMPTY));

    let by_ext = update_organization_by_external_id_request(
        "ext_1",
        UpdateOrganization {
            display_name: Some("N".to_owned()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        by_ext,
        decode::<UpdateOrganizationRequest>(REF_UPDATE_EXTERNAL_ID)
    );

    let (field, _) = invalid(update_organization_request(
        "",
        UpdateOrganization::default(),
    ));
    assert_eq!(field, "organization_id");
    let (field, _) = invalid(update_organization_by_external_id_request(
        "",
        UpdateOrganization::default(),
    ));
    assert_eq!(field, "external_id");
}

// deleteOrganization('org_1')
#[test]
fn delete_organization_request_matches_reference() {
    let request = delete_organization_request("org_1").unwrap();
    assert_eq!(
        request,
        DeleteOrganizationRequest {
            identities: Some(delete_organization_request::Identities::Id(
                "org_1".to_owned()
            )),
        }
    );
    assert_eq!(request, decode::<DeleteOrganizationRequest>(REF_DELETE));
    let (field, _) = invalid(delete_organization_request("org_1 "));
    assert_eq!(field, "organization_id");
}

// generatePortalLink('org_1'): only `id`, no features.
#[test]
fn generate_portal_link_request_matches_reference() {
    let request = generate_portal_link_request("org_1").unwrap();
    assert_eq!(
        request,
        GeneratePortalLinkRequest {
            id: "org_1".to_owned(),
            ..Default::default()
        }
    );
    assert_eq!(
        request,
        decode::<GeneratePortalLinkRequest>(REF_PORTAL_LINK)
    );
}

#[test]
fn org_prefixed_requests_reject_other_ids() {
    let (field, reason) = invalid(generate_portal_link_request("usr_1"));
    assert_eq!(
        (field, reason.as_str()),
        ("organization_id", "must start with \"org_\"")
    );
    let (field, _) = invalid(update_organization_settings_request(
        "acme",
        OrganizationSettings::default(),
    ));
    assert_eq!(field, "organization_id");
    let (field, _) = invalid(upsert_user_management_settings_request(
        "",
        OrganizationUserManagementSettings::default(),
    ));
    assert_eq!(field, "organization_id");
}

// updateOrganizationSettings('org_1', { features: [{ name: 'sso', enabled: true },
//   { name: 'dir_sync', enabled: false }] }), updateOrganizationSettings('org_1', { features: [] })
#[test]
fn update_organization_settings_request_matches_reference() {
    let feature = |name: &str, enabled| OrganizationSettingsFeature {
        name: name.to_owned(),
        enabled,
    };
    let settings = OrganizationSettings {
        features: vec![feature("sso", true), feature("dir_sync", false)],
    };
    let request = update_organization_settings_request("org_1", settings.clone()).unwrap();
    assert_eq!(
        request,
        UpdateOrganizationSettingsRequest {
            id: "org_1".to_owned(),
            settings: Some(settings),
        }
    );
    assert_eq!(
        request,
        decode::<UpdateOrganizationSettingsRequest>(REF_SETTINGS)
    );

    let empty =
        update_organization_settings_request("org_1", OrganizationSettings::default()).unwrap();
    assert_eq!(
        empty,
        decode::<UpdateOrganizationSettingsRequest>(REF_SETTINGS_EMPTY)
    );
}

// upsertUserManagementSettings('org_1', { maxAllowedUsers: 100 | 0 | null })
#[test]
fn upsert_user_management_settings_request_matches_reference() {
    let settings = |max| OrganizationUserManagementSettings {
        max_allowed_users: max,
    };
    for (max, reference) in [
        (Some(100), REF_USER_MANAGEMENT_100),
        (Some(0), REF_USER_MANAGEMENT_ZERO),
        (None, REF_USER_MANAGEMENT_NULL),
    ] {
        let request = upsert_user_management_settings_request("org_1", settings(max)).unwrap();
        assert_eq!(
            request,
            UpsertUserManagementSettingsRequest {
                organization_id: "org_1".to_owned(),
                settings: Some(settings(max)),
            }
        );
        assert_eq!(
            request,
            decode::<UpsertUserManagementSettingsRequest>(reference),
            "{max:?}"
        );
    }
}

#[test]
fn options_setters_and_page_options() {
    let opts = CreateOrganizationOptions::default()
        .with_metadata("a", "1")
        .with_metadata_map([("b", "2")])
        .with_metadata("c", "3");
    assert_eq!(opts.metadata.len(), 2);
    assert!(!opts.metadata.contains_key("a"));

    let mut opts = ListOrganizationOptions::default()
        .with_page_size(5)
        .with_external_id("x");
    assert_eq!(PageOptions::page_token(&opts), None);
    opts.set_page_token("n".to_owned());
    assert_eq!(
        opts,
        ListOrganizationOptions::default()
            .with_page_size(5)
            .with_external_id("x")
            .with_page_token("n")
    );
}

// 2.11.0: createOrganization('Acme', { externalId: 'ext_1', slug: 'acme',
//   logoUrl: 'https://acme.test/logo.png' }), createOrganization('Acme', { slug: '', logoUrl: '' })
#[test]
fn create_organization_slug_and_logo_match_reference() {
    let full = create_organization_request(
        "Acme",
        CreateOrganizationOptions::default()
            .with_external_id("ext_1")
            .with_slug("acme")
            .with_logo_url("https://acme.test/logo.png"),
    )
    .unwrap();
    let organization = full.organization.as_ref().unwrap();
    assert_eq!(organization.slug.as_deref(), Some("acme"));
    assert_eq!(
        organization.logo_url.as_deref(),
        Some("https://acme.test/logo.png")
    );
    assert_eq!(
        full,
        decode::<CreateOrganizationRequest>(REF_2_11_CREATE_SLUG_LOGO)
    );

    // Empty ones are left out, not sent as "".
    let empty = create_organization_request(
        "Acme",
        CreateOrganizationOptions::default()
            .with_slug("")
            .with_logo_url(""),
    )
    .unwrap();
    assert_eq!(empty.organization.as_ref().unwrap().slug, None);
    assert_eq!(
        empty,
        decode::<CreateOrganizationRequest>(REF_2_11_CREATE_EMPTY_SLUG_LOGO)
    );
}

// 2.11.0: updateOrganization('org_1', { slug: 'acme', logoUrl: 'https://acme.test/logo.png' }),
//   updateOrganization('org_1', { slug: '' })
#[test]
fn update_organization_slug_and_logo_match_reference() {
    let update = UpdateOrganization {
        slug: Some("acme".to_owned()),
        logo_url: Some("https://acme.test/logo.png".to_owned()),
        ..Default::default()
    };
    let full = update_organization_request("org_1", update).unwrap();
    assert_eq!(
        full,
        decode::<UpdateOrganizationRequest>(REF_2_11_UPDATE_SLUG_LOGO)
    );

    // An empty slug is sent (it clears the slug), unlike on create.
    let clear = UpdateOrganization {
        slug: Some(String::new()),
        ..Default::default()
    };
    let clear = update_organization_request("org_1", clear).unwrap();
    assert_eq!(
        clear.organization.as_ref().unwrap().slug.as_deref(),
        Some("")
    );
    assert_eq!(
        clear,
        decode::<UpdateOrganizationRequest>(REF_2_11_UPDATE_EMPTY_SLUG)
    );
}

// searchOrganization('acme'), searchOrganization('acme', 20, 't')
#[test]
fn search_organization_requests_match_reference() {
    let min = search_organization_request("acme", &SearchOrganizationOptions::default()).unwrap();
    assert_eq!(
        min,
        SearchOrganizationsRequest {
            query: "acme".to_owned(),
            page_size: 0,
            page_token: String::new(),
        }
    );
    assert_eq!(min, decode::<SearchOrganizationsRequest>(REF_SEARCH));

    let full = search_organization_request(
        "acme",
        &SearchOrganizationOptions::default()
            .with_page_size(20)
            .with_page_token("t"),
    )
    .unwrap();
    assert_eq!(
        full,
        SearchOrganizationsRequest {
            query: "acme".to_owned(),
            page_size: 20,
            page_token: "t".to_owned(),
        }
    );
    assert_eq!(full, decode::<SearchOrganizationsRequest>(REF_SEARCH_FULL));
}

// searchOrganization('') and searchOrganization('  ') throw 'query is required'.
#[test]
fn search_organization_rejects_blank_query() {
    for query in ["", "  ", "\t"] {
        let (field, reason) = invalid(search_organization_request(
            query,
            &SearchOrganizationOptions::default(),
        ));
        assert_eq!((field, reason.as_str()), ("query", "must not be empty"));
    }
    // Short or padded queries are the server's to judge, and sent as given.
    let padded = search_organization_request(" ac ", &SearchOrganizationOptions::default());
    assert_eq!(padded.unwrap().query, " ac ");
}

#[test]
fn search_organization_options_drive_pagination() {
    let mut opts = SearchOrganizationOptions::default().with_page_size(30);
    assert_eq!(PageOptions::page_token(&opts), None);
    opts.set_page_token("n".to_owned());
    assert_eq!(
        opts,
        SearchOrganizationOptions::default()
            .with_page_size(30)
            .with_page_token("n")
    );
}

// getOrganizationUserManagementSetting('org_1')
#[test]
fn get_organization_user_management_setting_request_matches_reference() {
    let request = get_organization_user_management_setting_request("org_1").unwrap();
    assert_eq!(
        request,
        GetOrganizationUserManagementSettingsRequest {
            organization_id: "org_1".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<GetOrganizationUserManagementSettingsRequest>(REF_GET_USER_MANAGEMENT_SETTING)
    );
}

#[test]
fn get_organization_user_management_setting_rejects_invalid_id() {
    for id in ["", " org_1", "org_1/x", "acme"] {
        let (field, _) = invalid(get_organization_user_management_setting_request(id));
        assert_eq!(field, "organization_id", "{id:?}");
    }
}

// getOrganizationSessionPolicy('org_1')
#[test]
fn get_organization_session_policy_request_matches_reference() {
    let request = get_organization_session_policy_request("org_1").unwrap();
    assert_eq!(
        request,
        GetOrganizationSessionPolicyRequest {
            organization_id: "org_1".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<GetOrganizationSessionPolicyRequest>(REF_GET_SESSION_POLICY)
    );
}

#[test]
fn get_organization_session_policy_rejects_invalid_id() {
    for id in ["", "org_1 ", "org/1", "usr_1"] {
        let (field, _) = invalid(get_organization_session_policy_request(id));
        assert_eq!(field, "organization_id", "{id:?}");
    }
}

fn policy(source: SessionPolicyType) -> OrganizationSessionPolicySettings {
    OrganizationSessionPolicySettings {
        policy_source: source as i32,
        ..Default::default()
    }
}

fn custom(absolute: i32, unit: TimeUnit) -> OrganizationSessionPolicySettings {
    OrganizationSessionPolicySettings {
        absolute_session_timeout: Some(absolute),
        absolute_session_timeout_unit: Some(unit as i32),
        ..policy(SessionPolicyType::Custom)
    }
}

// updateOrganizationSessionPolicy('org_1', { policySource: 'APPLICATION' });
// { policySource: 'CUSTOM', absoluteSessionTimeout: 360, absoluteSessionTimeoutUnit: 'MINUTES' };
// the same plus idleSessionTimeoutEnabled: true, idleSessionTimeout: 84, idleSessionTimeoutUnit: 'HOURS';
// { policySource: 'CUSTOM', absoluteSessionTimeout: 0, absoluteSessionTimeoutUnit: 'DAYS',
//   idleSessionTimeoutEnabled: false, idleSessionTimeout: 0 }
#[test]
fn update_organization_session_policy_requests_match_reference() {
    let application =
        update_organization_session_policy_request("org_1", policy(SessionPolicyType::Application))
            .unwrap();
    assert_eq!(
        application,
        UpdateOrganizationSessionPolicyRequest {
            organization_id: "org_1".to_owned(),
            policy_source: SessionPolicyType::Application as i32,
            ..Default::default()
        }
    );
    assert_eq!(
        application,
        decode::<UpdateOrganizationSessionPolicyRequest>(REF_SESSION_POLICY_APPLICATION)
    );

    let min = update_organization_session_policy_request("org_1", custom(360, TimeUnit::Minutes))
        .unwrap();
    assert_eq!(
        min,
        UpdateOrganizationSessionPolicyRequest {
            organization_id: "org_1".to_owned(),
            policy_source: SessionPolicyType::Custom as i32,
            absolute_session_timeout: Some(360),
            absolute_session_timeout_unit: Some(TimeUnit::Minutes as i32),
            ..Default::default()
        }
    );
    assert_eq!(
        min,
        decode::<UpdateOrganizationSessionPolicyRequest>(REF_SESSION_POLICY_CUSTOM_MIN)
    );

    let full = OrganizationSessionPolicySettings {
        idle_session_timeout_enabled: Some(true),
        idle_session_timeout: Some(84),
        idle_session_timeout_unit: Some(TimeUnit::Hours as i32),
        ..custom(360, TimeUnit::Minutes)
    };
    let full = update_organization_session_policy_request("org_1", full).unwrap();
    assert_eq!(full.idle_session_timeout_unit, Some(TimeUnit::Hours as i32));
    assert_eq!(
        full,
        decode::<UpdateOrganizationSessionPolicyRequest>(REF_SESSION_POLICY_CUSTOM_FULL)
    );

    // Zeros and `false` are sent, wrapped, not left out.
    let zeros = OrganizationSessionPolicySettings {
        idle_session_timeout_enabled: Some(false),
        idle_session_timeout: Some(0),
        ..custom(0, TimeUnit::Days)
    };
    let zeros = update_organization_session_policy_request("org_1", zeros).unwrap();
    assert_eq!(zeros.absolute_session_timeout, Some(0));
    assert_eq!(
        zeros,
        decode::<UpdateOrganizationSessionPolicyRequest>(REF_SESSION_POLICY_CUSTOM_ZEROS)
    );
}

#[test]
fn update_organization_session_policy_rejects_invalid_id() {
    for id in ["", " org_1", "org_1/x", "acme"] {
        let (field, _) = invalid(update_organization_session_policy_request(
            id,
            custom(1, TimeUnit::Hours),
        ));
        assert_eq!(field, "organization_id", "{id:?}");
    }
}

#[test]
fn update_organization_session_policy_rejects_unspecified_source() {
    for source in [0, 3, -1] {
        let unknown = OrganizationSessionPolicySettings {
            policy_source: source,
            ..custom(1, TimeUnit::Hours)
        };
        let (field, _) = invalid(update_organization_session_policy_request("org_1", unknown));
        assert_eq!(field, "policy_source", "{source}");
    }
}

#[test]
fn update_organization_session_policy_rejects_timeouts_on_application_policy() {
    let application = policy(SessionPolicyType::Application);
    let cases = [
        (
            "absolute_session_timeout",
            OrganizationSessionPolicySettings {
                absolute_session_timeout: Some(5),
                ..application
            },
        ),
        (
            "absolute_session_timeout_unit",
            OrganizationSessionPolicySettings {
                absolute_session_timeout_unit: Some(TimeUnit::Hours as i32),
                ..application
            },
        ),
        (
            "idle_session_timeout_enabled",
            OrganizationSessionPolicySettings {
                idle_session_timeout_enabled: Some(false),
                ..application
            },
        ),
        (
            "idle_session_timeout",
            OrganizationSessionPolicySettings {
                idle_session_timeout: Some(10),
                ..application
            },
        ),
        (
            "idle_session_timeout_unit",
            OrganizationSessionPolicySettings {
                idle_session_timeout_unit: Some(TimeUnit::Days as i32),
                ..application
            },
        ),
    ];
    for (expected, policy) in cases {
        let (field, reason) = invalid(update_organization_session_policy_request("org_1", policy));
        assert_eq!(field, expected);
        assert!(reason.contains("APPLICATION"), "{reason}");
    }
}

#[test]
fn update_organization_session_policy_rejects_custom_without_absolute_timeout() {
    let no_timeout = OrganizationSessionPolicySettings {
        absolute_session_timeout: None,
        ..custom(1, TimeUnit::Hours)
    };
    let (field, _) = invalid(update_organization_session_policy_request(
        "org_1", no_timeout,
    ));
    assert_eq!(field, "absolute_session_timeout");

    let no_unit = OrganizationSessionPolicySettings {
        absolute_session_timeout_unit: None,
        ..custom(1, TimeUnit::Hours)
    };
    let (field, _) = invalid(update_organization_session_policy_request("org_1", no_unit));
    assert_eq!(field, "absolute_session_timeout_unit");
}

#[test]
fn update_organization_session_policy_rejects_unknown_units() {
    for unit in [TimeUnit::SessionTimeUnitUnspecified as i32, 4, -2] {
        let absolute = OrganizationSessionPolicySettings {
            absolute_session_timeout_unit: Some(unit),
            ..custom(1, TimeUnit::Hours)
        };
        let (field, reason) = invalid(update_organization_session_policy_request(
            "org_1", absolute,
        ));
        assert_eq!(
            (field, reason.as_str()),
            (
                "absolute_session_timeout_unit",
                "must be MINUTES, HOURS or DAYS"
            )
        );
        let idle = OrganizationSessionPolicySettings {
            idle_session_timeout_unit: Some(unit),
            ..custom(1, TimeUnit::Hours)
        };
        let (field, _) = invalid(update_organization_session_policy_request("org_1", idle));
        assert_eq!(field, "idle_session_timeout_unit", "{unit}");
    }
}
