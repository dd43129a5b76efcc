//! The emulator's ApiTokenService semantics that the facade tests do not
//! reach, through the generated client over real sockets: the requests the
//! facade never sends (no token message, negative page sizes, a blank user
//! filter), the rules the service validates, what a token's details show,
//! and tokens whose organization or user is deleted.

mod common;

use std::collections::HashMap;

use common::start;
use scalekit::proto::organizations::DeleteOrganizationRequest;
use scalekit::proto::tokens::{
    ApiTokenServiceClient, CreateToken, CreateTokenRequest, CreateTokenResponse, FetchTokenRequest,
    InvalidateTokenRequest, ListTokensRequest, UpdateTokenRequest, ValidateTokenRequest,
};
use scalekit::proto::users::{delete_user_request, DeleteUserRequest};
use scalekit::AuthChannel;
use scalekit::ScalekitClient;
use scalekit_emulator::Code;

type Tokens = ApiTokenServiceClient<AuthChannel>;

fn tokens(client: &ScalekitClient) -> Tokens {
    ApiTokenServiceClient::new(client.raw().channel())
}

/// Creates a token from `token`; the answer, or the refusal.
async fn create(tokens: &mut Tokens, token: CreateToken) -> Result<CreateTokenResponse, Code> {
    tokens
        .create_token(CreateTokenRequest { token: Some(token) })
        .await
        .map(|r| r.into_inner())
        .map_err(|s| s.code())
}

fn for_org(org: &str) -> CreateToken {
    CreateToken {
        organization_id: org.to_owned(),
        ..Default::default()
    }
}

async fn validate(tokens: &mut Tokens, token: &str) -> Result<(), tonic::Status> {
    tokens
        .validate_token(ValidateTokenRequest {
            token: token.to_owned(),
        })
        .await
        .map(|_| ())
}

async fn list(
    tokens: &mut Tokens,
    org: &str,
    page_size: i32,
    page_token: &str,
) -> Result<scalekit::proto::tokens::ListTokensResponse, Code> {
    tokens
        .list_tokens(ListTokensRequest {
            organization_id: org.to_owned(),
            user_id: None,
            page_size,
            page_token: page_token.to_owned(),
        })
        .await
        .map(|r| r.into_inner())
        .map_err(|s| s.code())
}

fn claims(n: usize) -> HashMap<String, String> {
    (0..n).map(|i| (format!("k{i}"), "v".to_owned())).collect()
}

#[tokio::test]
async fn create_token_needs_a_token_message_and_a_known_organization() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let mut tokens = tokens(&client);
    let err = tokens
        .create_token(CreateTokenRequest { token: None })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("token"), "{err:?}");
    assert_eq!(
        create(&mut tokens, for_org(" ")).await.unwrap_err(),
        Code::InvalidArgument
    );
    assert_eq!(
        create(&mut tokens, for_org("org_10000000000009999"))
            .await
            .unwrap_err(),
        Code::NotFound
    );
    Ok(())
}

#[tokio::test]
async fn create_token_for_a_user_needs_a_member_of_the_organization() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = common::organization(&client, "Acme").await?;
    let elsewhere = common::organization(&client, "Elsewhere").await?;
    let outsider = common::member(&client, &elsewhere, "out@example.com").await?;
    let mut tokens = tokens(&client);
    for user_id in [outsider.as_str(), "usr_10000000000009999"] {
        let token = CreateToken {
            user_id: user_id.to_owned(),
            ..for_org(&org)
        };
        assert_eq!(
            create(&mut tokens, token).await.unwrap_err(),
            Code::NotFound,
            "{user_id}"
        );
    }
    let blank = CreateToken {
        user_id: "  ".to_owned(),
        ..for_org(&org)
    };
    assert_eq!(
        create(&mut tokens, blank).await.unwrap_err(),
        Code::InvalidArgument
    );
    Ok(())
}

#[tokio::test]
async fn create_and_update_bound_claims_and_description_before_any_lookup() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = common::organization(&client, "Acme").await?;
    let mut tokens = tokens(&client);
    let bad_claims = [
        claims(21),
        HashMap::from([("k".repeat(31), "v".to_owned())]),
        HashMap::from([(String::new(), "v".to_owned())]),
        HashMap::from([("k".to_owned(), "v".repeat(257))]),
        HashMap::from([("k".to_owned(), String::new())]),
    ];
    for custom_claims in bad_claims.clone() {
        // Even for an unknown organization: the rules come first.
        let token = CreateToken {
            custom_claims,
            ..for_org("org_10000000000009999")
        };
        assert_eq!(
            create(&mut tokens, token).await.unwrap_err(),
            Code::InvalidArgument
        );
    }
    let long = CreateToken {
        description: "é".repeat(256),
        ..for_org(&org)
    };
    assert_eq!(
        create(&mut tokens, long).await.unwrap_err(),
        Code::InvalidArgument
    );
    let limits = CreateToken {
        custom_claims: claims(20),
        description: "é".repeat(255),
        ..for_org(&org)
    };
    let created = create(&mut tokens, limits).await.expect("at the limits");

    for custom_claims in bad_claims {
        let err = tokens
            .update_token(UpdateTokenRequest {
                token: created.token_id.clone(),
                custom_claims,
                description: None,
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("custom_claims"), "{err:?}");
    }
    let err = tokens
        .update_token(UpdateTokenRequest {
            token: created.token_id.clone(),
            custom_claims: HashMap::new(),
            description: Some("d".repeat(256)),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("description"), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn token_details_show_the_owners_and_never_the_token() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = client
        .raw()
        .organizations()
        .create_organization(scalekit::proto::organizations::CreateOrganizationRequest {
            organization: Some(scalekit::proto::organizations::CreateOrganization {
                display_name: "Acme".into(),
                external_id: Some("acme-ext".into()),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .organization
        .expect("organization")
        .id;
    let user = common::member(&client, &org, "ada@example.com").await?;
    let mut tokens = tokens(&client);
    let expiry = prost_types::Timestamp {
        seconds: 4_102_444_800, // 2100-01-01
        nanos: 0,
    };
    let created = create(
        &mut tokens,
        CreateToken {
            user_id: user.clone(),
            custom_claims: HashMap::from([("plan".to_owned(), "pro".to_owned())]),
            expiry: Some(expiry),
            ..for_org(&org)
        },
    )
    .await
    .expect("created");
    assert!(created.token.len() >= 32, "enough entropy");
    assert!(created.token.chars().all(|c| c.is_ascii_alphanumeric()));
    let info = created.token_info.expect("token info");
    assert_eq!(info.token_id, created.token_id);
    assert_eq!(info.organization_external_id, "acme-ext");
    assert_eq!(info.user_id.as_deref(), Some(user.as_str()));
    assert_eq!(info.email.as_deref(), Some("ada@example.com"));
    assert_eq!(info.expiry, Some(expiry));
    assert!(info.created_at.is_some());
    assert_eq!(info.description, None, "an empty description is unset");
    assert_eq!(info.token_suffix.len(), 4);
    assert!(created.token.ends_with(&info.token_suffix));
    assert!(!info.roles.is_empty(), "the member's roles: {info:?}");

    // An organization-wide token has no user details.
    let shared = create(&mut tokens, for_org(&org)).await.expect("created");
    let info = shared.token_info.expect("token info");
    assert_eq!((info.user_id, info.email), (None, None));
    assert!(info.roles.is_empty());
    assert_ne!(shared.token, created.token, "every token is new");

    // A refused token is not echoed back.
    let err = validate(&mut tokens, "NotAToken123").await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(!err.message().contains("NotAToken123"), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn expired_tokens_neither_validate_nor_update_but_invalidate() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = common::organization(&client, "Acme").await?;
    let mut tokens = tokens(&client);
    let created = create(
        &mut tokens,
        CreateToken {
            expiry: Some(prost_types::Timestamp {
                seconds: 1_000,
                nanos: 0,
            }),
            ..for_org(&org)
        },
    )
    .await
    .expect("created");
    assert_eq!(
        validate(&mut tokens, &created.token)
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
    let err = tokens
        .update_token(UpdateTokenRequest {
            token: created.token.clone(),
            custom_claims: HashMap::new(),
            description: Some("late".into()),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    tokens
        .invalidate_token(InvalidateTokenRequest {
            token: created.token_id.clone(),
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn blank_tokens_are_invalid_arguments() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let mut tokens = tokens(&client);
    assert_eq!(
        validate(&mut tokens, " ").await.unwrap_err().code(),
        Code::InvalidArgument
    );
    let err = tokens
        .invalidate_token(InvalidateTokenRequest { token: "".into() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let err = tokens
        .update_token(UpdateTokenRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    Ok(())
}

#[tokio::test]
async fn list_tokens_pages_in_creation_order_with_the_default_size() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = common::organization(&client, "Acme").await?;
    let other = common::organization(&client, "Other").await?;
    let mut tokens = tokens(&client);
    let mut ids = Vec::new();
    for _ in 0..12 {
        ids.push(
            create(&mut tokens, for_org(&org))
                .await
                .expect("created")
                .token_id,
        );
    }
    create(&mut tokens, for_org(&other)).await.expect("created");

    let first = list(&mut tokens, &org, 0, "").await.expect("first page");
    assert_eq!(first.tokens.len(), 10, "0 means 10");
    assert_eq!(first.total_count, 12);
    assert!(first.prev_page_token.is_empty());
    let second = list(&mut tokens, &org, 0, &first.next_page_token)
        .await
        .expect("second page");
    assert!(second.next_page_token.is_empty());
    let listed: Vec<_> = first
        .tokens
        .iter()
        .chain(&second.tokens)
        .map(|t| t.token_id.clone())
        .collect();
    assert_eq!(listed, ids);
    let back = list(&mut tokens, &org, 0, &second.prev_page_token)
        .await
        .expect("back");
    assert_eq!(back.tokens, first.tokens);

    assert!(list(&mut tokens, &org, 30, "").await.is_ok());
    for size in [-1, 31] {
        assert_eq!(
            list(&mut tokens, &org, size, "").await.unwrap_err(),
            Code::InvalidArgument,
            "{size}"
        );
    }
    assert_eq!(
        list(&mut tokens, &org, 10, "bogus").await.unwrap_err(),
        Code::InvalidArgument
    );
    let unprefixed = org.replacen("org_", "", 1);
    assert_eq!(
        list(&mut tokens, &unprefixed, 10, "").await.unwrap_err(),
        Code::InvalidArgument
    );
    assert_eq!(
        list(&mut tokens, "org_10000000000009999", 10, "")
            .await
            .unwrap_err(),
        Code::NotFound
    );
    Ok(())
}

#[tokio::test]
async fn list_tokens_filters_by_user_and_a_blank_filter_is_none() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = common::organization(&client, "Acme").await?;
    let user = common::member(&client, &org, "ada@example.com").await?;
    let mut tokens = tokens(&client);
    let mine = create(
        &mut tokens,
        CreateToken {
            user_id: user.clone(),
            ..for_org(&org)
        },
    )
    .await
    .expect("created");
    create(&mut tokens, for_org(&org)).await.expect("created");
    let by = |user_id: Option<&str>| ListTokensRequest {
        organization_id: org.clone(),
        user_id: user_id.map(str::to_owned),
        ..Default::default()
    };
    let only = tokens.list_tokens(by(Some(&user))).await?.into_inner();
    let ids: Vec<_> = only.tokens.iter().map(|t| t.token_id.as_str()).collect();
    assert_eq!(ids, [mine.token_id.as_str()]);
    assert_eq!(only.total_count, 1);
    let nobody = tokens
        .list_tokens(by(Some("usr_10000000000009999")))
        .await?
        .into_inner();
    assert!(nobody.tokens.is_empty());
    let blank = tokens.list_tokens(by(Some(""))).await?.into_inner();
    assert_eq!(blank.total_count, 2);
    Ok(())
}

#[tokio::test]
async fn update_token_replaces_claims_and_sets_keeps_or_clears_the_description(
) -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = common::organization(&client, "Acme").await?;
    let mut tokens = tokens(&client);
    let created = create(
        &mut tokens,
        CreateToken {
            custom_claims: HashMap::from([
                ("plan".to_owned(), "pro".to_owned()),
                ("env".to_owned(), "prod".to_owned()),
            ]),
            description: "first".into(),
            ..for_org(&org)
        },
    )
    .await
    .expect("created");
    let update = |custom_claims: HashMap<String, String>, description: Option<&str>| {
        let request = UpdateTokenRequest {
            token: created.token_id.clone(),
            custom_claims,
            description: description.map(str::to_owned),
        };
        let mut tokens = tokens.clone();
        async move {
            tokens
                .update_token(request)
                .await
                .map(|r| r.into_inner().token_info.expect("token info"))
        }
    };
    let renamed = update(HashMap::new(), Some("second")).await?;
    assert_eq!(renamed.description.as_deref(), Some("second"));
    assert_eq!(renamed.custom_claims.len(), 2, "no claims sent: kept");
    let replaced = update(HashMap::from([("plan".into(), "team".into())]), None).await?;
    assert_eq!(
        replaced.custom_claims,
        HashMap::from([("plan".to_owned(), "team".to_owned())])
    );
    assert_eq!(
        replaced.description.as_deref(),
        Some("second"),
        "unset: kept"
    );
    let cleared = update(HashMap::new(), Some("")).await?;
    assert_eq!(cleared.description, None);
    Ok(())
}

#[tokio::test]
async fn invalidated_tokens_stay_issued_and_unknown_ones_are_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = common::organization(&client, "Acme").await?;
    let mut tokens = tokens(&client);
    let created = create(&mut tokens, for_org(&org)).await.expect("created");
    for token in [&created.token, &created.token_id, &created.token] {
        tokens
            .invalidate_token(InvalidateTokenRequest {
                token: token.clone(),
            })
            .await?;
    }
    assert_eq!(
        validate(&mut tokens, &created.token_id)
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
    let err = tokens
        .invalidate_token(InvalidateTokenRequest {
            token: "apit_10000000000009999".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert_eq!(
        list(&mut tokens, &org, 0, "")
            .await
            .expect("list")
            .total_count,
        0
    );
    Ok(())
}

#[tokio::test]
async fn tokens_go_with_their_organization_or_user() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = common::organization(&client, "Acme").await?;
    let user = common::member(&client, &org, "ada@example.com").await?;
    let mut tokens = tokens(&client);
    let personal = create(
        &mut tokens,
        CreateToken {
            user_id: user.clone(),
            ..for_org(&org)
        },
    )
    .await
    .expect("created");
    let shared = create(&mut tokens, for_org(&org)).await.expect("created");

    client
        .raw()
        .users()
        .delete_user(DeleteUserRequest {
            identities: Some(delete_user_request::Identities::Id(user)),
        })
        .await?;
    assert_eq!(
        validate(&mut tokens, &personal.token)
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
    validate(&mut tokens, &shared.token).await?;
    assert_eq!(
        list(&mut tokens, &org, 0, "")
            .await
            .expect("list")
            .total_count,
        1
    );

    client
        .raw()
        .organizations()
        .delete_organization(DeleteOrganizationRequest {
            identities: Some(
                scalekit::proto::organizations::delete_organization_request::Identities::Id(
                    org.clone(),
                ),
            ),
        })
        .await?;
    assert_eq!(
        validate(&mut tokens, &shared.token)
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
    let err = tokens
        .invalidate_token(InvalidateTokenRequest {
            token: shared.token_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn fetch_token_stays_unimplemented() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = tokens(&client)
        .fetch_token(FetchTokenRequest {
            token_id: "apit_1".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
    assert!(err.message().contains("FetchToken"), "{err:?}");
    Ok(())
}
