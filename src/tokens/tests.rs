//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.11.0, `lib/token.js`) encodes for the
//! same call, captured by running its `TokenClient` with a `connectExec`
//! stub that records `toBinary(method.input, create(method.input, req))`.
//! Comparing decoded messages proves the facade sends the same fields and
//! nothing else.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use super::requests::*;
use super::*;
use crate::proto::tokens::{
    CreateToken, CreateTokenRequest, InvalidateTokenRequest, ListTokensRequest, UpdateTokenRequest,
    ValidateTokenRequest,
};
use crate::test_support::decode;

fn invalid<T: std::fmt::Debug>(result: Result<T>) -> &'static str {
    match result {
        Err(Error::InvalidArgument { field, .. }) => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// 2026-01-01T00:00:00Z, the expiry of the captured full request.
fn new_year_2026() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

const REF_CREATE_TOKEN_MIN: &str = "0a070a056f72675f31";
const REF_CREATE_TOKEN_FULL: &str =
    "0a270a056f72675f3112057573725f321a0b0a03656e76120470726f6422060880f2d6ca062a026369";
const REF_VALIDATE_TOKEN: &str = "0a07746f6b5f616263";
const REF_INVALIDATE_TOKEN: &str = "0a06617069745f31";
const REF_LIST_TOKENS_MIN: &str = "0a056f72675f31";
const REF_LIST_TOKENS_FULL: &str = "0a056f72675f3112057573725f32181422027032";
const REF_LIST_TOKENS_ZERO: &str = "0a056f72675f31";
const REF_UPDATE_TOKEN_MIN: &str = "0a06617069745f31";
const REF_UPDATE_TOKEN_FULL: &str = "0a06617069745f311201781a0a0a03656e761203646576";
const REF_UPDATE_TOKEN_CLEAR: &str = "0a06617069745f311200";

// createToken('org_1'); createToken('org_1', { userId: 'usr_2',
//   customClaims: { env: 'prod' }, expiry: <2026-01-01>, description: 'ci' })
#[test]
fn create_token_request_matches_reference() {
    let min = create_token_request("org_1", CreateTokenOptions::default()).unwrap();
    assert_eq!(
        min,
        CreateTokenRequest {
            token: Some(CreateToken {
                organization_id: "org_1".to_owned(),
                ..Default::default()
            }),
        }
    );
    assert_eq!(min, decode::<CreateTokenRequest>(REF_CREATE_TOKEN_MIN));

    let opts = CreateTokenOptions::default()
        .with_user_id("usr_2")
        .with_custom_claim("env", "prod")
        .with_expiry(new_year_2026())
        .with_description("ci");
    let full = create_token_request("org_1", opts).unwrap();
    let token = full.token.as_ref().unwrap();
    assert_eq!(token.expiry.unwrap().seconds, 1_767_225_600);
    assert_eq!(token.custom_claims["env"], "prod");
    assert_eq!(full, decode::<CreateTokenRequest>(REF_CREATE_TOKEN_FULL));
}

#[test]
fn create_token_rejects_bad_organization_id() {
    for id in ["", "  ", " org_1", "org/1"] {
        let field = invalid(create_token_request(id, CreateTokenOptions::default()));
        assert_eq!(field, "organization_id", "{id:?}");
    }
    // No prefix rule on CreateToken: the server decides what an id is.
    assert!(create_token_request("o1", CreateTokenOptions::default()).is_ok());
}

#[test]
fn create_token_rejects_bad_user_id() {
    for id in ["", " usr_2", "usr/2"] {
        let opts = CreateTokenOptions::default().with_user_id(id);
        assert_eq!(invalid(create_token_request("org_1", opts)), "user_id");
    }
}

// validateToken('tok_abc'); invalidateToken('apit_1')
#[test]
fn validate_and_invalidate_token_requests_match_reference() {
    let validate = validate_token_request("tok_abc").unwrap();
    assert_eq!(
        validate,
        ValidateTokenRequest {
            token: "tok_abc".to_owned()
        }
    );
    assert_eq!(validate, decode::<ValidateTokenRequest>(REF_VALIDATE_TOKEN));
    let invalidate = invalidate_token_request("apit_1").unwrap();
    assert_eq!(
        invalidate,
        decode::<InvalidateTokenRequest>(REF_INVALIDATE_TOKEN)
    );
    // Opaque tokens may hold any character; only emptiness is refused.
    assert!(validate_token_request("a/b+c=").is_ok());
}

#[test]
fn validate_token_rejects_empty_token() {
    for token in ["", "   "] {
        assert_eq!(invalid(validate_token_request(token)), "token");
    }
}

#[test]
fn invalidate_token_rejects_empty_token() {
    for token in ["", "\n"] {
        assert_eq!(invalid(invalidate_token_request(token)), "token");
    }
}

// listTokens('org_1'); listTokens('org_1', { userId: 'usr_2', pageSize: 20,
//   pageToken: 'p2' }); listTokens('org_1', { pageSize: 0 })
#[test]
fn list_tokens_request_matches_reference() {
    let min = list_tokens_request("org_1", &ListTokensOptions::default()).unwrap();
    assert_eq!(
        min,
        ListTokensRequest {
            organization_id: "org_1".to_owned(),
            user_id: None,
            page_size: 0,
            page_token: String::new(),
        }
    );
    assert_eq!(min, decode::<ListTokensRequest>(REF_LIST_TOKENS_MIN));

    let opts = ListTokensOptions::default()
        .with_user_id("usr_2")
        .with_page_size(20)
        .with_page_token("p2");
    let full = list_tokens_request("org_1", &opts).unwrap();
    assert_eq!(full.user_id.as_deref(), Some("usr_2"));
    assert_eq!(full, decode::<ListTokensRequest>(REF_LIST_TOKENS_FULL));

    let zero = list_tokens_request("org_1", &ListTokensOptions::default().with_page_size(0));
    assert_eq!(
        zero.unwrap(),
        decode::<ListTokensRequest>(REF_LIST_TOKENS_ZERO)
    );
}

#[test]
fn list_tokens_rejects_organization_id_without_org_prefix() {
    for id in ["", "usr_1", " org_1", "org_1/x"] {
        let field = invalid(list_tokens_request(id, &ListTokensOptions::default()));
        assert_eq!(field, "organization_id", "{id:?}");
    }
}

#[test]
fn list_tokens_rejects_bad_user_id_and_huge_page_size() {
    let opts = ListTokensOptions::default().with_user_id("");
    assert_eq!(invalid(list_tokens_request("org_1", &opts)), "user_id");
    let opts = ListTokensOptions::default().with_page_size(u32::MAX);
    assert_eq!(invalid(list_tokens_request("org_1", &opts)), "page_size");
    let largest = ListTokensOptions::default().with_page_size(i32::MAX as u32);
    assert_eq!(
        list_tokens_request("org_1", &largest).unwrap().page_size,
        i32::MAX
    );
}

// updateToken('apit_1'); updateToken('apit_1', { customClaims: { env: 'dev' },
//   description: 'x' }); updateToken('apit_1', { description: '' })
#[test]
fn update_token_request_matches_reference() {
    let min = update_token_request("apit_1", UpdateTokenOptions::default()).unwrap();
    assert_eq!(
        min,
        UpdateTokenRequest {
            token: "apit_1".to_owned(),
            custom_claims: HashMap::new(),
            description: None,
        }
    );
    assert_eq!(min, decode::<UpdateTokenRequest>(REF_UPDATE_TOKEN_MIN));

    let opts = UpdateTokenOptions::default()
        .with_custom_claims([("env", "dev")])
        .with_description("x");
    let full = update_token_request("apit_1", opts).unwrap();
    assert_eq!(full, decode::<UpdateTokenRequest>(REF_UPDATE_TOKEN_FULL));

    let clear = update_token_request("apit_1", UpdateTokenOptions::default().with_description(""));
    let clear = clear.unwrap();
    assert_eq!(clear.description.as_deref(), Some(""));
    assert_eq!(clear, decode::<UpdateTokenRequest>(REF_UPDATE_TOKEN_CLEAR));
}

#[test]
fn update_token_rejects_empty_token() {
    assert_eq!(
        invalid(update_token_request("", UpdateTokenOptions::default())),
        "token"
    );
}

#[test]
fn created_token_needs_the_token_and_hides_it_from_debug() {
    let secret = "skt_live_9f8e7d6c5b4a";
    let created = CreatedToken::try_from(CreateTokenResponse {
        token: secret.to_owned(),
        token_id: "apit_1".to_owned(),
        token_info: Some(Token {
            token_id: "apit_1".to_owned(),
            ..Default::default()
        }),
    })
    .unwrap();
    assert_eq!(created.token, secret);
    let shown = format!("{created:?}");
    assert!(!shown.contains(secret), "{shown}");
    assert!(
        shown.contains("apit_1") && shown.contains("<redacted>"),
        "{shown}"
    );

    let missing = CreatedToken::try_from(CreateTokenResponse {
        token_id: "apit_1".to_owned(),
        ..Default::default()
    });
    assert!(matches!(missing, Err(Error::MalformedResponse("token"))));
}
