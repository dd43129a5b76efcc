//! `client.tokens()`. The emulator does not serve `ApiTokenService` yet, so
//! the calls go to a small in-file stand-in (the token endpoint stays the
//! emulator's); the local argument checks run against the emulator, which
//! proves that nothing was sent.

mod common;

use std::sync::{Arc, Mutex};

use anyhow::{bail, ensure, Context as _};
use futures::TryStreamExt as _;
use scalekit::proto::tokens::{
    ApiTokenService, ApiTokenServiceServer, CreateTokenRequest, CreateTokenResponse,
    InvalidateTokenRequest, ListTokensRequest, ListTokensResponse, UpdateTokenRequest,
    UpdateTokenResponse, ValidateTokenRequest, ValidateTokenResponse,
};
use scalekit::tokens::{CreateTokenOptions, ListTokensOptions, Token, UpdateTokenOptions};
use scalekit::{Code, Error, ScalekitClient};
use scalekit_emulator::EmulatorHandle;
use tonic::{Request, Response, Status};

use common::{api_error, invalid_ids, rejected_locally, start};

/// The opaque token the stand-in issues. Distinctive, so that tests can
/// search printed values for it.
const ISSUED: &str = "skt-ISSUED-4d5e6f";

/// A stand-in `ApiTokenService`: knows one token (`ISSUED`, id `apit_1`)
/// and records every request it gets.
#[derive(Clone, Default)]
struct Tokens {
    seen: Arc<Mutex<Vec<String>>>,
    invalidated: Arc<Mutex<bool>>,
}

impl Tokens {
    fn record(&self, what: String) {
        self.seen.lock().unwrap().push(what);
    }

    fn info(organization_id: &str) -> Token {
        Token {
            token_id: "apit_1".to_owned(),
            organization_id: organization_id.to_owned(),
            token_suffix: "6f".to_owned(),
            ..Default::default()
        }
    }

    fn known(&self, token: &str) -> Result<(), Status> {
        if (token == ISSUED || token == "apit_1") && !*self.invalidated.lock().unwrap() {
            Ok(())
        } else {
            Err(Status::not_found("token not found"))
        }
    }
}

#[tonic::async_trait]
impl ApiTokenService for Tokens {
    async fn create_token(
        &self,
        request: Request<CreateTokenRequest>,
    ) -> Result<Response<CreateTokenResponse>, Status> {
        let token = request.into_inner().token.unwrap_or_default();
        self.record(format!(
            "create {} {:?}",
            token.organization_id, token.custom_claims
        ));
        let mut info = Tokens::info(&token.organization_id);
        info.custom_claims = token.custom_claims;
        Ok(Response::new(CreateTokenResponse {
            token: ISSUED.to_owned(),
            token_id: "apit_1".to_owned(),
            token_info: Some(info),
        }))
    }

    async fn validate_token(
        &self,
        request: Request<ValidateTokenRequest>,
    ) -> Result<Response<ValidateTokenResponse>, Status> {
        let token = request.into_inner().token;
        self.record("validate".to_owned());
        if token == "skt-revoked" {
            return Err(Status::unauthenticated("token is invalid"));
        }
        self.known(&token)?;
        Ok(Response::new(ValidateTokenResponse {
            token_info: Some(Tokens::info("org_1")),
        }))
    }

    async fn invalidate_token(
        &self,
        request: Request<InvalidateTokenRequest>,
    ) -> Result<Response<()>, Status> {
        let token = request.into_inner().token;
        self.record(format!("invalidate {token}"));
        // Invalidating twice succeeds, as the real service promises.
        *self.invalidated.lock().unwrap() = true;
        Ok(Response::new(()))
    }

    async fn list_tokens(
        &self,
        request: Request<ListTokensRequest>,
    ) -> Result<Response<ListTokensResponse>, Status> {
        let request = request.into_inner();
        self.record(format!(
            "list {} {} {:?}",
            request.page_size, request.page_token, request.user_id
        ));
        let (ids, next, prev) = match request.page_token.as_str() {
            "" => (["apit_1", "apit_2"].as_slice(), "p2", ""),
            "p2" => (["apit_3"].as_slice(), "", "p1"),
            _ => return Err(Status::invalid_argument("unknown page token")),
        };
        Ok(Response::new(ListTokensResponse {
            tokens: ids
                .iter()
                .map(|id| Token {
                    token_id: (*id).to_owned(),
                    organization_id: request.organization_id.clone(),
                    ..Default::default()
                })
                .collect(),
            total_count: 3,
            next_page_token: next.to_owned(),
            prev_page_token: prev.to_owned(),
        }))
    }

    async fn update_token(
        &self,
        request: Request<UpdateTokenRequest>,
    ) -> Result<Response<UpdateTokenResponse>, Status> {
        let request = request.into_inner();
        self.record(format!("update {:?}", request.description));
        if request.token == "apit_no_info" {
            return Ok(Response::new(UpdateTokenResponse { token_info: None }));
        }
        self.known(&request.token)?;
        let mut info = Tokens::info("org_1");
        info.description = request.description;
        info.custom_claims = request.custom_claims;
        Ok(Response::new(UpdateTokenResponse {
            token_info: Some(info),
        }))
    }
}

/// An emulator (for the token endpoint) and a client whose gRPC calls go to
/// a fresh stand-in.
async fn with_stand_in() -> anyhow::Result<(EmulatorHandle, ScalekitClient, Tokens)> {
    let emulator = scalekit_emulator::Emulator::builder().start().await?;
    let tokens = Tokens::default();
    let routes = tonic::service::Routes::new(ApiTokenServiceServer::new(tokens.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, routes.into_axum_router()).await;
    });
    let channel = tonic::transport::Endpoint::from_shared(url)?.connect_lazy();
    let client = emulator.client_builder().channel(channel).build()?;
    Ok((emulator, client, tokens))
}

#[tokio::test]
async fn create_token_returns_the_token_once_and_debug_hides_it() -> anyhow::Result<()> {
    let (_emulator, client, stand_in) = with_stand_in().await?;
    let opts = CreateTokenOptions::default().with_custom_claim("env", "prod");
    let created = client.tokens().create_token("org_1", opts).await?;
    ensure!(created.token == ISSUED && created.token_id == "apit_1");
    let info = created.token_info.as_ref().context("token info")?;
    ensure!(info.custom_claims.get("env").map(String::as_str) == Some("prod"));
    let shown = format!("{created:?}");
    ensure!(
        !shown.contains(ISSUED) && shown.contains("apit_1"),
        "{shown}"
    );
    let seen = stand_in.seen.lock().unwrap().clone();
    ensure!(seen == [r#"create org_1 {"env": "prod"}"#], "{seen:?}");
    Ok(())
}

#[tokio::test]
async fn validate_token_returns_what_the_token_stands_for() -> anyhow::Result<()> {
    let (_emulator, client, _) = with_stand_in().await?;
    let info = client.tokens().validate_token(ISSUED).await?;
    ensure!(info.token_id == "apit_1" && info.organization_id == "org_1");
    Ok(())
}

#[tokio::test]
async fn validate_token_of_an_unknown_token_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client, _) = with_stand_in().await?;
    let err = api_error(
        client.tokens().validate_token("skt-unknown").await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

/// UNAUTHENTICATED from ValidateToken is a verdict on the validated token,
/// but the call path cannot tell it from a refusal of the SDK's own bearer:
/// it fetches a new bearer and resends once (as the reference SDK, which
/// re-authenticates and retries), then returns the server's code.
#[tokio::test]
async fn validate_token_refused_as_unauthenticated_keeps_the_code_after_one_resend(
) -> anyhow::Result<()> {
    let (emulator, client, stand_in) = with_stand_in().await?;
    let err = api_error(
        client.tokens().validate_token("skt-revoked").await,
        Code::Unauthenticated,
    )?;
    ensure!(err.is_unauthenticated());
    let validations = stand_in.seen.lock().unwrap().len();
    ensure!(validations == 2, "sent {validations} times");
    ensure!(
        emulator.token_requests() == 2,
        "{}",
        emulator.token_requests()
    );
    Ok(())
}

#[tokio::test]
async fn invalidate_token_is_safe_to_repeat_and_the_token_stops_validating() -> anyhow::Result<()> {
    let (_emulator, client, _) = with_stand_in().await?;
    let tokens = client.tokens();
    tokens.invalidate_token("apit_1").await?;
    tokens.invalidate_token("apit_1").await?;
    api_error(tokens.validate_token(ISSUED).await, Code::NotFound)?;
    Ok(())
}

#[tokio::test]
async fn list_tokens_returns_a_page_and_the_stream_walks_every_page() -> anyhow::Result<()> {
    let (_emulator, client, stand_in) = with_stand_in().await?;
    let opts = ListTokensOptions::default()
        .with_page_size(2)
        .with_user_id("usr_1");
    let page = client.tokens().list_tokens("org_1", opts.clone()).await?;
    ensure!(page.items.len() == 2 && page.total_size == 3);
    ensure!(page.next_page_token.as_deref() == Some("p2") && page.prev_page_token.is_none());

    let all: Vec<Token> = client
        .tokens()
        .list_tokens_stream("org_1", opts)
        .try_collect()
        .await?;
    let ids: Vec<_> = all.iter().map(|t| t.token_id.as_str()).collect();
    ensure!(ids == ["apit_1", "apit_2", "apit_3"], "{ids:?}");
    let seen = stand_in.seen.lock().unwrap().clone();
    ensure!(
        seen[1..] == [r#"list 2  Some("usr_1")"#, r#"list 2 p2 Some("usr_1")"#],
        "the stream keeps the page size and filter: {seen:?}"
    );
    Ok(())
}

#[tokio::test]
async fn list_tokens_stream_yields_a_server_error_once() -> anyhow::Result<()> {
    let (_emulator, client, _) = with_stand_in().await?;
    let opts = ListTokensOptions::default().with_page_token("bogus");
    let mut stream = std::pin::pin!(client.tokens().list_tokens_stream("org_1", opts));
    match stream.try_next().await {
        Err(err) if err.code() == Some(Code::InvalidArgument) => {}
        other => bail!("expected INVALID_ARGUMENT, got {other:?}"),
    }
    ensure!(
        stream.try_next().await?.is_none(),
        "the stream ends after its error"
    );
    Ok(())
}

#[tokio::test]
async fn update_token_sends_the_changes_and_returns_the_token() -> anyhow::Result<()> {
    let (_emulator, client, stand_in) = with_stand_in().await?;
    let opts = UpdateTokenOptions::default()
        .with_custom_claim("scope", "read")
        .with_description("");
    let info = client.tokens().update_token("apit_1", opts).await?;
    ensure!(
        info.description.as_deref() == Some(""),
        "{:?}",
        info.description
    );
    ensure!(info.custom_claims.get("scope").map(String::as_str) == Some("read"));
    let seen = stand_in.seen.lock().unwrap().clone();
    ensure!(seen == [r#"update Some("")"#], "{seen:?}");
    Ok(())
}

#[tokio::test]
async fn update_token_without_token_info_is_malformed() -> anyhow::Result<()> {
    let (_emulator, client, _) = with_stand_in().await?;
    let result = client
        .tokens()
        .update_token("apit_no_info", UpdateTokenOptions::default())
        .await;
    ensure!(
        matches!(result, Err(Error::MalformedResponse("token_info"))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn token_methods_reject_bad_arguments_before_any_request() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let tokens = client.tokens();
    for id in invalid_ids("org") {
        let created = tokens
            .create_token(&id, CreateTokenOptions::default())
            .await;
        rejected_locally(&emulator, created, "organization_id")?;
        let listed = tokens.list_tokens(&id, ListTokensOptions::default()).await;
        rejected_locally(&emulator, listed, "organization_id")?;
    }
    // ListTokens' rules require the prefix; CreateToken's do not.
    let listed = tokens
        .list_tokens("usr_1", ListTokensOptions::default())
        .await;
    rejected_locally(&emulator, listed, "organization_id")?;
    let opts = CreateTokenOptions::default().with_user_id(" usr_1");
    rejected_locally(
        &emulator,
        tokens.create_token("org_1", opts).await,
        "user_id",
    )?;
    let opts = ListTokensOptions::default().with_page_size(u32::MAX);
    rejected_locally(
        &emulator,
        tokens.list_tokens("org_1", opts).await,
        "page_size",
    )?;
    for token in ["", "  "] {
        rejected_locally(&emulator, tokens.validate_token(token).await, "token")?;
        rejected_locally(&emulator, tokens.invalidate_token(token).await, "token")?;
        let updated = tokens
            .update_token(token, UpdateTokenOptions::default())
            .await;
        rejected_locally(&emulator, updated, "token")?;
    }
    Ok(())
}
