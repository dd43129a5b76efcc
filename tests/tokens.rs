//! `client.tokens()` against the emulator's `ApiTokenService`: what each
//! method returns, the local argument checks (nothing reaches the
//! emulator), the server's errors as predicates, and one token's whole
//! life.

mod common;

use std::time::{Duration, SystemTime};

use anyhow::{bail, ensure, Context as _};
use futures::TryStreamExt as _;
use scalekit::tokens::{CreateTokenOptions, ListTokensOptions, Token, UpdateTokenOptions};
use scalekit::{Code, ScalekitClient};

use common::{api_error, invalid_ids, member, organization, rejected_locally, start};

/// An organization id the emulator never issues.
const MISSING_ORG: &str = "org_10000000000009999";

/// A new organization with one member: (organization id, user id).
async fn org_with_member(client: &ScalekitClient) -> anyhow::Result<(String, String)> {
    let org = organization(client, "Acme").await?;
    let user = member(client, &org, "ada@example.com").await?;
    Ok((org, user))
}

#[tokio::test]
async fn create_token_returns_the_token_once_and_debug_hides_it() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let (org, user) = org_with_member(&client).await?;
    let opts = CreateTokenOptions::default()
        .with_user_id(&user)
        .with_custom_claim("env", "prod")
        .with_description("nightly export");
    let created = client.tokens().create_token(&org, opts).await?;
    ensure!(
        created.token_id.starts_with("apit_"),
        "{}",
        created.token_id
    );
    ensure!(!created.token.is_empty() && created.token != created.token_id);
    let info = created.token_info.as_ref().context("token info")?;
    ensure!(info.token_id == created.token_id && info.organization_id == org);
    ensure!(info.user_id.as_deref() == Some(user.as_str()));
    ensure!(info.email.as_deref() == Some("ada@example.com"));
    ensure!(info.custom_claims.get("env").map(String::as_str) == Some("prod"));
    ensure!(info.description.as_deref() == Some("nightly export"));
    ensure!(info.created_at.is_some() && info.expiry.is_none());
    ensure!(!info.token_suffix.is_empty() && created.token.ends_with(&info.token_suffix));
    let shown = format!("{created:?}");
    ensure!(
        !shown.contains(&created.token) && shown.contains(&created.token_id),
        "{shown}"
    );

    // Reads show the suffix, never the token.
    let listed = client
        .tokens()
        .list_tokens(&org, ListTokensOptions::default())
        .await?;
    ensure!(!format!("{listed:?}").contains(&created.token));
    Ok(())
}

#[tokio::test]
async fn create_token_for_an_unknown_organization_or_a_non_member_is_not_found(
) -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let (_, user) = org_with_member(&client).await?;
    let tokens = client.tokens();
    let err = api_error(
        tokens
            .create_token(MISSING_ORG, CreateTokenOptions::default())
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    let elsewhere = organization(&client, "Elsewhere").await?;
    let opts = CreateTokenOptions::default().with_user_id(&user);
    let err = api_error(tokens.create_token(&elsewhere, opts).await, Code::NotFound)?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn create_token_with_too_many_claims_or_a_long_description_is_invalid_argument(
) -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let tokens = client.tokens();
    let claims = (0..21).map(|i| (format!("k{i}"), "v"));
    let opts = CreateTokenOptions::default().with_custom_claims(claims);
    let err = api_error(tokens.create_token(&org, opts).await, Code::InvalidArgument)?;
    ensure!(err.is_invalid_argument());
    let opts = CreateTokenOptions::default().with_description("d".repeat(256));
    api_error(tokens.create_token(&org, opts).await, Code::InvalidArgument)?;
    Ok(())
}

#[tokio::test]
async fn validate_token_returns_what_the_token_stands_for() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let (org, user) = org_with_member(&client).await?;
    let opts = CreateTokenOptions::default()
        .with_user_id(&user)
        .with_custom_claim("scope", "read");
    let created = client.tokens().create_token(&org, opts).await?;
    // By the token itself and by its id alike.
    for presented in [&created.token, &created.token_id] {
        let info = client.tokens().validate_token(presented).await?;
        ensure!(info.token_id == created.token_id && info.organization_id == org);
        ensure!(info.user_id.as_deref() == Some(user.as_str()));
        ensure!(info.custom_claims.get("scope").map(String::as_str) == Some("read"));
    }
    Ok(())
}

#[tokio::test]
async fn validate_token_of_an_unknown_token_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    for presented in ["skt-unknown", "apit_10000000000009999"] {
        let err = api_error(
            client.tokens().validate_token(presented).await,
            Code::NotFound,
        )?;
        ensure!(err.is_not_found());
        ensure!(!err.to_string().contains("skt-unknown"), "{err}");
    }
    Ok(())
}

#[tokio::test]
async fn validate_token_past_its_expiry_is_not_found_and_not_listed() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let past = SystemTime::now() - Duration::from_secs(60);
    let opts = CreateTokenOptions::default().with_expiry(past);
    let expired = client.tokens().create_token(&org, opts).await?;
    api_error(
        client.tokens().validate_token(&expired.token).await,
        Code::NotFound,
    )?;
    let page = client
        .tokens()
        .list_tokens(&org, ListTokensOptions::default())
        .await?;
    ensure!(page.items.is_empty() && page.total_size == 0, "{page:?}");
    Ok(())
}

/// UNAUTHENTICATED from ValidateToken is a verdict on the validated token,
/// not on the SDK's own bearer: it comes back as the server's code, after
/// one send, and the client's token is kept: under load, no token request
/// is made, and unrelated calls go on working although the token endpoint
/// answers 429 meanwhile. (The emulator itself answers NOT_FOUND for a bad
/// token, so the refusals are injected.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_token_refused_as_unauthenticated_keeps_the_clients_token() -> anyhow::Result<()> {
    const JUNK: u32 = 200;
    let (emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let tokens_before = emulator.token_requests();
    emulator.fail_next(Some("ValidateToken"), JUNK, Code::Unauthenticated);
    emulator.refuse_token_requests(429, u32::MAX);
    let junk = (0..JUNK).map(|i| {
        let client = client.clone();
        async move {
            client
                .tokens()
                .validate_token(&format!("skt-junk-{i}"))
                .await
        }
    });
    let unrelated = (0..JUNK).map(|_| {
        let client = client.clone();
        let org = org.clone();
        async move {
            client
                .tokens()
                .list_tokens(&org, ListTokensOptions::default())
                .await
        }
    });
    let (junk, unrelated) = tokio::time::timeout(
        Duration::from_secs(30),
        futures::future::join(
            futures::future::join_all(junk),
            futures::future::join_all(unrelated),
        ),
    )
    .await?;
    emulator.clear_faults();
    for outcome in junk {
        api_error(outcome, Code::Unauthenticated)?;
    }
    let failed = unrelated.iter().filter(|r| r.is_err()).count();
    ensure!(failed == 0, "{failed} unrelated calls failed");
    let validations = emulator.rpc_count("ValidateToken");
    ensure!(validations == u64::from(JUNK), "sent {validations} times");
    let fetched = emulator.token_requests() - tokens_before;
    ensure!(fetched == 0, "{fetched} token requests");
    Ok(())
}

#[tokio::test]
async fn invalidate_token_is_safe_to_repeat_and_the_token_stops_validating() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let tokens = client.tokens();
    let created = tokens
        .create_token(&org, CreateTokenOptions::default())
        .await?;
    tokens.invalidate_token(&created.token_id).await?;
    tokens.invalidate_token(&created.token).await?;
    api_error(tokens.validate_token(&created.token).await, Code::NotFound)?;
    Ok(())
}

#[tokio::test]
async fn invalidate_token_never_issued_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let err = api_error(
        client
            .tokens()
            .invalidate_token("apit_10000000000009999")
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

#[tokio::test]
async fn list_tokens_returns_a_page_and_the_stream_walks_every_page() -> anyhow::Result<()> {
    let (emulator, client) = start().await?;
    let (org, user) = org_with_member(&client).await?;
    let tokens = client.tokens();
    let mut mine = Vec::new();
    for _ in 0..3 {
        let opts = CreateTokenOptions::default().with_user_id(&user);
        mine.push(tokens.create_token(&org, opts).await?.token_id);
    }
    // An organization-wide token, left out by the user filter.
    tokens
        .create_token(&org, CreateTokenOptions::default())
        .await?;

    let opts = ListTokensOptions::default()
        .with_page_size(2)
        .with_user_id(&user);
    let page = tokens.list_tokens(&org, opts.clone()).await?;
    ensure!(page.items.len() == 2 && page.total_size == 3, "{page:?}");
    ensure!(page.next_page_token.is_some() && page.prev_page_token.is_none());

    let before = emulator.rpc_count("ListTokens");
    let all: Vec<Token> = tokens.list_tokens_stream(&org, opts).try_collect().await?;
    let ids: Vec<_> = all.iter().map(|t| t.token_id.clone()).collect();
    ensure!(ids == mine, "{ids:?} != {mine:?}");
    let fetched = emulator.rpc_count("ListTokens") - before;
    ensure!(
        fetched == 2,
        "the stream keeps the page size: {fetched} pages"
    );

    let everyone = tokens
        .list_tokens(&org, ListTokensOptions::default())
        .await?;
    ensure!(everyone.total_size == 4 && everyone.next_page_token.is_none());
    Ok(())
}

#[tokio::test]
async fn list_tokens_of_an_unknown_organization_or_with_a_large_page_is_an_api_error(
) -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let tokens = client.tokens();
    let err = api_error(
        tokens
            .list_tokens(MISSING_ORG, ListTokensOptions::default())
            .await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    let opts = ListTokensOptions::default().with_page_size(31);
    let err = api_error(tokens.list_tokens(&org, opts).await, Code::InvalidArgument)?;
    ensure!(err.is_invalid_argument());
    Ok(())
}

#[tokio::test]
async fn list_tokens_stream_yields_a_server_error_once() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let opts = ListTokensOptions::default().with_page_token("bogus");
    let mut stream = std::pin::pin!(client.tokens().list_tokens_stream(&org, opts));
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
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let tokens = client.tokens();
    let opts = CreateTokenOptions::default()
        .with_custom_claim("plan", "pro")
        .with_description("CI token");
    let created = tokens.create_token(&org, opts).await?;

    // Nothing sent: claims and description are kept.
    let kept = tokens
        .update_token(&created.token_id, UpdateTokenOptions::default())
        .await?;
    ensure!(kept.description.as_deref() == Some("CI token"));
    ensure!(kept.custom_claims.get("plan").map(String::as_str) == Some("pro"));

    // Claims sent replace the stored ones; "" clears the description.
    let opts = UpdateTokenOptions::default()
        .with_custom_claim("scope", "read")
        .with_description("");
    let info = tokens.update_token(&created.token, opts).await?;
    ensure!(info.description.is_none(), "{:?}", info.description);
    ensure!(
        info.custom_claims.len() == 1
            && info.custom_claims.get("scope").map(String::as_str) == Some("read"),
        "{:?}",
        info.custom_claims
    );
    let read = tokens.validate_token(&created.token).await?;
    ensure!(read == info, "{read:?} != {info:?}");
    Ok(())
}

#[tokio::test]
async fn update_token_of_an_invalidated_token_is_not_found() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let org = organization(&client, "Acme").await?;
    let tokens = client.tokens();
    let created = tokens
        .create_token(&org, CreateTokenOptions::default())
        .await?;
    tokens.invalidate_token(&created.token_id).await?;
    let opts = UpdateTokenOptions::default().with_description("too late");
    let err = api_error(
        tokens.update_token(&created.token_id, opts).await,
        Code::NotFound,
    )?;
    ensure!(err.is_not_found());
    Ok(())
}

/// Create → validate → list → update → invalidate → validate fails.
#[tokio::test]
async fn token_lifecycle_ends_in_not_found_after_invalidation() -> anyhow::Result<()> {
    let (_emulator, client) = start().await?;
    let (org, user) = org_with_member(&client).await?;
    let tokens = client.tokens();
    let opts = CreateTokenOptions::default()
        .with_user_id(&user)
        .with_custom_claim("plan", "pro")
        .with_description("deploy bot");
    let created = tokens.create_token(&org, opts).await?;

    let validated = tokens.validate_token(&created.token).await?;
    ensure!(Some(&validated) == created.token_info.as_ref());

    let listed = tokens
        .list_tokens(&org, ListTokensOptions::default().with_user_id(&user))
        .await?;
    ensure!(listed.items == [validated.clone()], "{listed:?}");

    let opts = UpdateTokenOptions::default()
        .with_custom_claim("plan", "team")
        .with_description("deploy bot v2");
    let updated = tokens.update_token(&created.token_id, opts).await?;
    ensure!(updated.description.as_deref() == Some("deploy bot v2"));
    ensure!(updated.custom_claims.get("plan").map(String::as_str) == Some("team"));
    ensure!(updated.created_at == validated.created_at);

    tokens.invalidate_token(&created.token).await?;
    let err = api_error(tokens.validate_token(&created.token).await, Code::NotFound)?;
    ensure!(err.is_not_found());
    api_error(
        tokens.validate_token(&created.token_id).await,
        Code::NotFound,
    )?;
    let left = tokens
        .list_tokens(&org, ListTokensOptions::default())
        .await?;
    ensure!(left.items.is_empty() && left.total_size == 0, "{left:?}");
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
