//! The one call path under faults: retries by idempotency, one deadline per
//! call, the resend after `UNAUTHENTICATED`, reconnection, and the span
//! every RPC records.

mod common;

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use futures::stream::{self, StreamExt as _, TryStreamExt as _};
use scalekit::users::{CreateUser, CreateUserAndMembershipOptions, ListUsersOptions};
use scalekit::{Code, Error, RetryConfig, ScalekitClient};
use scalekit_emulator::Emulator;
use tonic::Status;

use common::recording::TestServer;

/// How late a call may end after its deadline: scheduling slack on a busy
/// two-core machine, not a budget the SDK may spend.
const SLACK: Duration = Duration::from_millis(50);

async fn a_user(client: &ScalekitClient) -> anyhow::Result<String> {
    let organization = client
        .organizations()
        .create_organization("Acme", Default::default())
        .await?;
    let user = client
        .users()
        .create_user_and_membership(
            &organization.id,
            CreateUser {
                email: "ada@acme.example".into(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .await?;
    Ok(user.id)
}

#[tokio::test]
async fn get_user_unavailable_twice_succeeds_within_the_retry_budget() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    let user_id = a_user(&client).await?;

    emulator.fail_next(Some("GetUser"), 2, Code::Unavailable);
    let user = client.users().get_user(&user_id).await?;
    ensure!(user.id == user_id);
    ensure!(
        emulator.rpc_count("GetUser") == 3,
        "{} attempts",
        emulator.rpc_count("GetUser")
    );

    // A third failure is beyond the default three attempts.
    emulator.fail_next(Some("GetUser"), 3, Code::Unavailable);
    let err = client.users().get_user(&user_id).await.unwrap_err();
    ensure!(err.code() == Some(Code::Unavailable), "{err:?}");
    ensure!(emulator.rpc_count("GetUser") == 6);
    Ok(())
}

#[tokio::test]
async fn create_user_unavailable_surfaces_after_one_attempt() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    let organization = client
        .organizations()
        .create_organization("Acme", Default::default())
        .await?;

    emulator.fail_next(Some("CreateUserAndMembership"), 1, Code::Unavailable);
    let err = client
        .users()
        .create_user_and_membership(
            &organization.id,
            CreateUser {
                email: "ada@acme.example".into(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default(),
        )
        .await
        .unwrap_err();
    ensure!(err.code() == Some(Code::Unavailable), "{err:?}");
    ensure!(
        emulator.rpc_count("CreateUserAndMembership") == 1,
        "a create the server may have seen is never resent"
    );
    Ok(())
}

/// A create the server stored before the answer went wrong (a gateway's
/// UNAVAILABLE or UNAUTHENTICATED, a reset stream) is never sent again: it
/// is stored once, and the caller learns it may have been applied. The
/// UNAUTHENTICATED one is checked against the token first, which the server
/// still accepts, so the token is kept too.
#[tokio::test]
async fn create_failed_after_commit_is_stored_once_and_may_have_been_applied() -> anyhow::Result<()>
{
    #[derive(Debug, Clone, Copy)]
    enum Fault {
        Status(Code),
        Reset,
    }
    let (emulator, client) = with_accepted_token(Duration::ZERO).await?;
    let tokens = emulator.token_requests();
    let faults = [
        Fault::Status(Code::Unavailable),
        Fault::Status(Code::Unauthenticated),
        Fault::Status(Code::Internal),
        Fault::Reset,
    ];
    let mut failures = Vec::new();
    for (row, fault) in faults.into_iter().enumerate() {
        match fault {
            Fault::Status(code) => {
                emulator.fail_next_after_commit(Some("CreateOrganization"), 1, code)
            }
            Fault::Reset => emulator.reset_next_after_commit(Some("CreateOrganization"), 1),
        }
        let sent = emulator.rpc_count("CreateOrganization");
        let name = format!("After commit {row}");
        let outcome = client
            .organizations()
            .create_organization(&name, Default::default())
            .await;
        let resent = emulator.rpc_count("CreateOrganization") - sent;
        let stored = stored_named(&client, &name).await?;
        let ok = match &outcome {
            Err(err) => err.may_have_been_applied() && !err.is_retryable(),
            Ok(_) => false,
        };
        if !ok || resent != 1 || stored != 1 {
            failures.push(format!(
                "{fault:?}: outcome {outcome:?}, sent {resent} times, stored {stored} times"
            ));
        }
    }
    let refetched = emulator.token_requests() - tokens;
    if refetched != 0 {
        failures.push(format!(
            "{refetched} token requests for a token still accepted"
        ));
    }
    ensure!(failures.is_empty(), "{failures:#?}");
    Ok(())
}

/// The race the token check alone cannot see: a gateway stores a create and
/// answers UNAUTHENTICATED, and the token is revoked after that but before
/// the client asks whether the server refuses it. The answer is "refused",
/// yet a read sent after the create was accepted, so the token worked after
/// the create went out: the create is not sent again.
#[tokio::test]
async fn a_create_refused_after_commit_is_not_resent_when_its_token_is_revoked_later(
) -> anyhow::Result<()> {
    // Every call waits this long at the door, which spreads the steps out.
    let latency = Duration::from_millis(400);
    let (emulator, client) = with_accepted_token(latency).await?;
    emulator.fail_next_after_commit(Some("CreateOrganization"), 1, Code::Unauthenticated);
    let create = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .organizations()
                .create_organization("Revoked later", Default::default())
                .await
        }
    });
    until(|| emulator.rpc_count("CreateOrganization") == 1, latency).await;
    // Sent after the create, and let in after the create was stored, so it
    // ends after the create's answer reached the client.
    tokio::time::sleep(latency / 4).await;
    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;
    // The check on the token waits at the door now; revoke before it is let in.
    until(|| emulator.rpc_count("GetUser") == 1, latency).await;
    emulator.revoke_tokens();
    let outcome = create.await?;
    emulator.set_latency(Duration::ZERO);

    let sent = emulator.rpc_count("CreateOrganization");
    let stored = stored_named(&client, "Revoked later").await?;
    ensure!(
        sent == 1 && stored == 1,
        "sent {sent} times, stored {stored} times"
    );
    match outcome {
        Err(err) if err.may_have_been_applied() => Ok(()),
        other => anyhow::bail!("expected MaybeApplied, got {other:?}"),
    }
}

/// A token revoked, and then its successor revoked too, while one call
/// lasts: each refusal is of a new token, so the call fetches a third one
/// and succeeds, a read and a create alike (the create once).
#[tokio::test]
async fn a_call_outlives_two_revocations_back_to_back() -> anyhow::Result<()> {
    let latency = Duration::from_millis(300);
    let (emulator, client) = with_accepted_token(latency).await?;
    let mut failures = Vec::new();
    for rpc in ["ListUsers", "CreateOrganization"] {
        let tokens = emulator.token_requests();
        let base = emulator.rpc_count(rpc);
        let call = tokio::spawn({
            let client = client.clone();
            async move {
                match rpc {
                    "ListUsers" => client
                        .users()
                        .list_users(ListUsersOptions::default())
                        .await
                        .map(drop),
                    _ => client
                        .organizations()
                        .create_organization("Twice revoked", Default::default())
                        .await
                        .map(drop),
                }
            }
        });
        // Each attempt waits at the door; revoke its token meanwhile.
        for attempt in 1..=2 {
            until(|| emulator.rpc_count(rpc) == base + attempt, 4 * latency).await;
            emulator.revoke_tokens();
        }
        let outcome = call.await?;
        let sent = emulator.rpc_count(rpc) - base;
        let fetched = emulator.token_requests() - tokens;
        if outcome.is_err() || sent != 3 || fetched != 2 {
            failures.push(format!(
                "{rpc}: {outcome:?}, sent {sent} times, {fetched} token requests"
            ));
        }
    }
    emulator.set_latency(Duration::ZERO);
    let stored = stored_named(&client, "Twice revoked").await?;
    if stored != 1 {
        failures.push(format!("the create stored {stored} times"));
    }
    ensure!(failures.is_empty(), "{failures:#?}");
    Ok(())
}

/// An emulator that holds every call at its door for `latency` (none when
/// zero), and a client whose token it has accepted once already.
async fn with_accepted_token(
    latency: Duration,
) -> anyhow::Result<(scalekit_emulator::EmulatorHandle, ScalekitClient)> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;
    emulator.set_latency(latency);
    Ok((emulator, client))
}

/// How many organizations named `name` are stored.
async fn stored_named(client: &ScalekitClient, name: &str) -> anyhow::Result<usize> {
    let page = client
        .organizations()
        .list_organization(Default::default())
        .await?;
    Ok(page
        .items
        .iter()
        .filter(|org| org.display_name == name)
        .count())
}

/// Waits until `done` holds, but no longer than `limit`.
async fn until(done: impl Fn() -> bool, limit: Duration) {
    let give_up = Instant::now() + limit;
    while !done() && Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// A read whose stream was reset after the server ran it is sent again and
/// succeeds: reading twice changes nothing.
#[tokio::test]
async fn get_user_reset_after_commit_is_retried() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    let user = a_user(&client).await?;
    emulator.reset_next_after_commit(Some("GetUser"), 1);
    client.users().get_user(&user).await?;
    ensure!(emulator.rpc_count("GetUser") == 2);
    Ok(())
}

/// The server drains its connections (GOAWAY) again and again under load:
/// no call fails, and no create is stored twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_drains_under_load_fail_no_read_and_store_no_create_twice() -> anyhow::Result<()> {
    let emulator = Arc::new(Emulator::builder().start().await?);
    let client = emulator.client()?;
    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;
    let drains = {
        let emulator = Arc::clone(&emulator);
        tokio::spawn(async move {
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                emulator.drain_connections();
            }
        })
    };
    // (is a create, its name, the outcome)
    let outcomes: Vec<(bool, String, Result<(), Error>)> = stream::iter(0..2000u32)
        .map(|i| {
            let client = client.clone();
            async move {
                let name = format!("Drained {i}");
                if i.is_multiple_of(10) {
                    let created = client
                        .organizations()
                        .create_organization(&name, Default::default())
                        .await
                        .map(drop);
                    (true, name, created)
                } else {
                    let listed = client
                        .users()
                        .list_users(ListUsersOptions::default())
                        .await
                        .map(drop);
                    (false, name, listed)
                }
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    drains.await?;
    let wrong: Vec<String> = outcomes
        .iter()
        .filter_map(|(create, name, outcome)| match outcome {
            Err(err) if !*create || !err.may_have_been_applied() => {
                Some(format!("{name}: {}", err.display_chain()))
            }
            _ => None,
        })
        .collect();
    ensure!(
        wrong.is_empty(),
        "{} calls failed wrongly: {wrong:#?}",
        wrong.len()
    );
    let stored: Vec<String> = client
        .organizations()
        .list_organization_stream(Default::default())
        .map_ok(|org| org.display_name)
        .try_collect()
        .await?;
    for (create, name, outcome) in &outcomes {
        let copies = stored.iter().filter(|s| *s == name).count();
        if *create {
            ensure!(copies <= 1, "{name} stored {copies} times");
            ensure!(
                outcome.is_err() || copies == 1,
                "{name} acknowledged but not stored"
            );
        }
    }
    Ok(())
}

/// `with_idempotency` overrides the contract for one handle: a create made
/// idempotent is retried after UNAVAILABLE, a read made not idempotent is
/// not.
#[tokio::test]
async fn with_idempotency_overrides_the_contract_per_handle() -> anyhow::Result<()> {
    let (emulator, client) = with_accepted_token(Duration::ZERO).await?;

    emulator.fail_next(Some("CreateOrganization"), 1, Code::Unavailable);
    client
        .with_idempotency(true)
        .organizations()
        .create_organization("Retried", Default::default())
        .await?;
    ensure!(emulator.rpc_count("CreateOrganization") == 2);

    emulator.fail_next(Some("ListUsers"), 1, Code::Unavailable);
    let err = client
        .with_idempotency(false)
        .users()
        .list_users(ListUsersOptions::default())
        .await
        .unwrap_err();
    ensure!(err.code() == Some(Code::Unavailable), "{err:?}");
    ensure!(
        emulator.rpc_count("ListUsers") == 2,
        "the failed read was not resent"
    );
    Ok(())
}

/// When the server keeps failing, the client-wide retry budget runs out:
/// 100 reads in a row against a dying server make far fewer than the 300
/// attempts their retry settings would allow, and a recovered server is
/// used again at once.
#[tokio::test]
async fn a_dying_server_exhausts_the_retry_budget() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator
        .client_builder()
        .retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
        .build()?;
    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;
    emulator.fail_next(Some("ListUsers"), 10_000, Code::Unavailable);
    for _ in 0..100 {
        let err = client
            .users()
            .list_users(ListUsersOptions::default())
            .await
            .unwrap_err();
        ensure!(err.code() == Some(Code::Unavailable), "{err:?}");
    }
    let attempts = emulator.rpc_count("ListUsers") - 1;
    ensure!(attempts < 200, "{attempts} attempts for 100 calls");
    emulator.clear_faults();
    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;
    Ok(())
}

#[tokio::test]
async fn list_users_with_retries_disabled_surfaces_the_first_failure() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?.with_retry(RetryConfig::disabled());
    emulator.fail_next(Some("ListUsers"), 1, Code::Unavailable);
    let err = client
        .users()
        .list_users(ListUsersOptions::default())
        .await
        .unwrap_err();
    ensure!(err.code() == Some(Code::Unavailable), "{err:?}");
    ensure!(emulator.rpc_count("ListUsers") == 1);
    Ok(())
}

#[tokio::test]
async fn deadline_exceeded_and_resource_exhausted_are_not_retried() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    for (n, code) in [Code::DeadlineExceeded, Code::ResourceExhausted]
        .into_iter()
        .enumerate()
    {
        emulator.fail_next(Some("ListUsers"), 1, code);
        let err = client
            .users()
            .list_users(ListUsersOptions::default())
            .await
            .unwrap_err();
        ensure!(err.code() == Some(code), "{err:?}");
        ensure!(emulator.rpc_count("ListUsers") == n as u64 + 1, "{code:?}");
    }
    Ok(())
}

#[tokio::test]
async fn unauthenticated_refreshes_once_and_resends() -> anyhow::Result<()> {
    let (emulator, client) = with_accepted_token(Duration::ZERO).await?;
    ensure!(emulator.token_requests() == 1);

    emulator.revoke_tokens();
    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;
    ensure!(emulator.token_requests() == 2, "one refresh");
    ensure!(emulator.rpc_count("ListUsers") == 3, "one resend");
    Ok(())
}

#[tokio::test]
async fn a_slow_server_ends_the_call_at_its_deadline() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let client = server
        .builder()
        .timeout(Duration::from_millis(300))
        .build()?;
    client.users().get_user("usr_1").await?; // token cached, connected
    server.set_rpc_delay(Duration::from_secs(3));

    let started = Instant::now();
    let err = client.users().get_user("usr_1").await.unwrap_err();
    let took = started.elapsed();
    ensure!(matches!(err, Error::Timeout), "{err:?}");
    ensure!(err.is_timeout());
    ensure!(took < Duration::from_millis(300) + SLACK, "took {took:?}");
    Ok(())
}

#[tokio::test]
async fn a_stalled_token_endpoint_ends_the_call_at_its_deadline() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    // The token request alone may take 10 s; the call's budget is what counts.
    let client = server
        .builder()
        .timeout(Duration::from_millis(300))
        .token_timeout(Duration::from_secs(10))
        .build()?;
    server.set_token_delay(Duration::from_secs(5));

    let started = Instant::now();
    let err = client.users().get_user("usr_1").await.unwrap_err();
    let took = started.elapsed();
    ensure!(matches!(err, Error::Timeout), "{err:?}");
    ensure!(took < Duration::from_millis(300) + SLACK, "took {took:?}");
    ensure!(server.rpc_count() == 0, "no RPC without a token");
    Ok(())
}

/// A raw call (no facade method) spends one budget on the token fetch and
/// the call: what the fetch left is the call's deadline.
#[tokio::test]
async fn a_raw_call_spends_one_budget_on_token_and_call() -> anyhow::Result<()> {
    use scalekit::proto::users::{get_user_request, GetUserRequest};

    let server = TestServer::start().await;
    let client = server.builder().timeout(Duration::from_secs(1)).build()?;
    server.set_token_delay(Duration::from_millis(600));
    server.set_rpc_delay(Duration::from_secs(3));

    let started = Instant::now();
    let status = client
        .raw()
        .users()
        .get_user(GetUserRequest {
            identities: Some(get_user_request::Identities::Id("usr_1".into())),
        })
        .await
        .unwrap_err();
    let took = started.elapsed();
    // Before, the fetch had the whole second and the call another one.
    ensure!(
        took < Duration::from_secs(1) + SLACK,
        "took {took:?}: {status:?}"
    );
    ensure!(
        took >= Duration::from_millis(600),
        "took {took:?}: {status:?}"
    );
    ensure!(server.token_request_count() == 1);
    Ok(())
}

/// D3: the deadline covers the whole call — the token fetch, the refused
/// attempt and the resend after the refresh — not each part separately.
#[tokio::test]
async fn one_deadline_covers_token_fetches_and_the_resend() -> anyhow::Result<()> {
    let server = TestServer::start().await;
    let client = server.builder().timeout(Duration::from_secs(1)).build()?;
    server.set_token_delay(Duration::from_millis(600));
    server.fail_next(1, Status::unauthenticated("token revoked"));

    let started = Instant::now();
    let err = client.users().get_user("usr_1").await.unwrap_err();
    let took = started.elapsed();
    // 600 ms for the first token, the refused attempt, then a second
    // 600 ms fetch that the budget cannot cover.
    ensure!(matches!(err, Error::Timeout), "{err:?}");
    ensure!(took < Duration::from_secs(1) + SLACK, "took {took:?}");
    ensure!(server.token_request_count() == 2);
    Ok(())
}

/// D4: a client is not tied to the runtime of its first call.
#[test]
fn one_client_works_in_three_runtimes_one_after_another() -> anyhow::Result<()> {
    // The emulator gets a runtime of its own that outlives the three.
    let server_runtime = tokio::runtime::Runtime::new()?;
    let emulator = server_runtime.block_on(Emulator::builder().start())?;
    let client = emulator.client()?;

    for round in 0..3 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime
            .block_on(client.users().list_users(ListUsersOptions::default()))
            .with_context(|| format!("runtime {round}"))?;
        drop(runtime);
    }
    ensure!(emulator.rpc_count("ListUsers") == 3);
    server_runtime.block_on(emulator.shutdown());
    Ok(())
}

/// 1,000 calls at once, three times, each time across a token refresh:
/// exactly one token request per lifetime and no failed call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_across_token_expiry_make_one_token_request_each_time(
) -> anyhow::Result<()> {
    // Tokens live 2 s and are replaced at half their life.
    let emulator = Emulator::builder()
        .token_ttl(Duration::from_secs(2))
        .start()
        .await?;
    let client = emulator.client()?;

    for round in 1..=3u64 {
        let failures = stream::iter(0..1000)
            .map(|_| {
                let users = client.users();
                async move { users.list_users(ListUsersOptions::default()).await }
            })
            .buffer_unordered(1000)
            .filter(|result| std::future::ready(result.is_err()))
            .count()
            .await;
        ensure!(failures == 0, "round {round}: {failures} failed calls");
        ensure!(
            emulator.token_requests() == round,
            "round {round}: {} token requests",
            emulator.token_requests()
        );
        // Past the refresh point of this round's token.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    Ok(())
}

/// Tokens revoked under 1,000 concurrent calls, three times: each
/// revocation costs one token request and one check of the refused token,
/// and no call fails. A tenth of the calls are creates, which are resent
/// only once the token itself is known to be refused; each is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_across_three_revocations_fail_none() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    let before = client
        .organizations()
        .list_organization(Default::default())
        .await?
        .total_size;
    let mut creates = 0u64;
    for round in 1..=3u64 {
        emulator.revoke_tokens();
        let outcomes: Vec<Result<(), Error>> = stream::iter(0..1000u32)
            .map(|i| {
                let client = client.clone();
                async move {
                    if i.is_multiple_of(10) {
                        let name = format!("Org {round}-{i}");
                        client
                            .organizations()
                            .create_organization(&name, Default::default())
                            .await
                            .map(drop)
                    } else {
                        client
                            .users()
                            .list_users(ListUsersOptions::default())
                            .await
                            .map(drop)
                    }
                }
            })
            .buffer_unordered(1000)
            .collect()
            .await;
        creates += 100;
        let failed: Vec<_> = outcomes.iter().filter_map(|r| r.as_ref().err()).collect();
        ensure!(
            failed.is_empty(),
            "round {round}: {} failed calls, the first: {}",
            failed.len(),
            failed[0].display_chain()
        );
        ensure!(
            emulator.token_requests() == round + 1,
            "round {round}: {} token requests",
            emulator.token_requests()
        );
        let probes = emulator.rpc_count("GetUser");
        ensure!(probes <= round, "round {round}: {probes} token checks");
    }
    let stored = client
        .organizations()
        .list_organization(Default::default())
        .await?
        .total_size;
    let stored = u64::from(stored - before);
    ensure!(
        stored == creates,
        "{stored} organizations stored for {creates} creates"
    );
    Ok(())
}

/// The server goes away mid-load and comes back on the same port: calls
/// fail fast or succeed, none outlives its deadline, and the same client
/// works afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restarted_mid_load_is_reconnected() -> anyhow::Result<()> {
    const DEADLINE: Duration = Duration::from_secs(2);
    let first = Emulator::builder()
        .client_credentials("skc_restart", "test_restart_secret")
        .start()
        .await?;
    let addr = first.addr();
    let client = first.client_builder().timeout(DEADLINE).build()?;
    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;

    let load = {
        let client = client.clone();
        tokio::spawn(async move {
            let mut slowest = Duration::ZERO;
            let mut outcomes = (0u32, 0u32);
            for _ in 0..60 {
                let started = Instant::now();
                match client.users().list_users(ListUsersOptions::default()).await {
                    Ok(_) => outcomes.0 += 1,
                    Err(_) => outcomes.1 += 1,
                }
                slowest = slowest.max(started.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (slowest, outcomes)
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.shutdown().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = Emulator::builder()
        .bind(addr)
        .client_credentials("skc_restart", "test_restart_secret")
        .start()
        .await?;

    let (slowest, (ok, failed)) = load.await?;
    ensure!(slowest < DEADLINE + SLACK, "a call took {slowest:?}");
    ensure!(ok > 0, "{ok} succeeded, {failed} failed");
    // The new server has a new signing key: the old token is refused, and
    // the call path refreshes it and resends.
    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;
    ensure!(second.rpc_count("ListUsers") >= 1);
    Ok(())
}

/// Collects what a `tracing` fmt subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn every_rpc_records_one_span_with_its_outcome_and_no_secret() -> anyhow::Result<()> {
    use tracing_subscriber::fmt::format::FmtSpan;

    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Another test's thread, with no subscriber, may have registered the
    // span's callsite while this one registered its subscriber, and cached
    // it as of interest to nobody (tracing-core caches interest per
    // callsite, and that store can race a registration): ask again.
    tracing::callsite::rebuild_interest_cache();

    client
        .users()
        .list_users(ListUsersOptions::default())
        .await?;
    emulator.fail_next(Some("GetUser"), 1, Code::Unavailable);
    let err = client.users().get_user("usr_404").await.unwrap_err();
    ensure!(err.is_not_found(), "{err:?}");
    let token = client.get_client_access_token().await?;

    let mut out = Vec::new();
    out.write_all(&captured.0.lock().unwrap_or_else(|e| e.into_inner()))?;
    let text = String::from_utf8(out)?;
    let closes: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("scalekit::transport::call: close"))
        .collect();
    ensure!(closes.len() == 2, "one span per RPC:\n{text}");
    let list = closes
        .iter()
        .find(|line| line.contains("rpc.method=\"ListUsers\""))
        .context("ListUsers span")?;
    ensure!(list.contains("rpc.service=\"scalekit.v1.users.UserService\""));
    ensure!(list.contains("rpc.attempts=1"), "{list}");
    ensure!(list.contains("rpc.code=\"OK\""), "{list}");
    ensure!(list.contains("rpc.latency_ms="), "{list}");
    let get = closes
        .iter()
        .find(|line| line.contains("rpc.method=\"GetUser\""))
        .context("GetUser span")?;
    ensure!(get.contains("rpc.attempts=2"), "retried once: {get}");
    ensure!(get.contains("rpc.code=\"NOT_FOUND\""), "{get}");

    ensure!(
        !text.contains(emulator.client_secret()),
        "the client secret leaked"
    );
    ensure!(!text.contains(token.as_str()), "the access token leaked");
    Ok(())
}

/// A reply whose `grpc-status-details-bin` is not base64 makes tonic 0.14
/// panic while decoding it; the SDK drops the value first, so the caller
/// gets the server's code instead of a panic.
#[tokio::test]
async fn undecodable_error_details_do_not_panic_the_caller() -> anyhow::Result<()> {
    use axum::response::IntoResponse as _;

    async fn token() -> impl axum::response::IntoResponse {
        axum::Json(serde_json::json!({"access_token": "tkn_test", "expires_in": 3600}))
    }
    async fn refuse() -> axum::response::Response {
        let mut response = axum::body::Body::empty().into_response();
        let headers = response.headers_mut();
        headers.insert("content-type", "application/grpc".parse().unwrap());
        headers.insert("grpc-status", "5".parse().unwrap());
        headers.insert("grpc-message", "no%20such%20user".parse().unwrap());
        headers.insert(
            "grpc-status-details-bin",
            http::HeaderValue::from_bytes(&[0xff; 12]).unwrap(),
        );
        response
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = axum::Router::new()
        .route("/oauth/token", axum::routing::post(token))
        .route(
            "/scalekit.v1.users.UserService/GetUser",
            axum::routing::post(refuse),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = ScalekitClient::new(&url, "skc_1", "secret")?;
    let outcome = tokio::spawn(async move { client.users().get_user("usr_1").await }).await;
    let err = outcome
        .context("the call panicked")?
        .expect_err("the server refused");
    ensure!(err.is_not_found(), "{err:?}");
    Ok(())
}
