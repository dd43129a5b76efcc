//! Helpers shared by the SDK's integration tests. (A folder module, so Cargo
//! does not build it as a test of its own.)
//!
//! There are two harnesses, and a test picks the one that can show what it
//! asserts:
//!
//! - The emulator, through [`start`]: a stateful `scalekit-emulator`. What a
//!   facade method does (it succeeds, it rejects bad arguments before any
//!   I/O, a real server condition maps to the right predicate) is tested
//!   here, one file per sub-client.
//! - The recording double, [`recording::TestServer`]: for what only a double
//!   can show, namely the exact request messages and headers the SDK sends,
//!   the transport's handling of tokens, retries and deadlines, and the
//!   mapping of server errors no real condition produces.
//!
//! Both speak the same words: `start`, `.client()`, `rpc_count`,
//! [`rejected_locally`], [`api_error`].

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod recording;

/// The double under its short name, for the test files that only use it.
#[allow(unused_imports)]
pub use recording::TestServer;

use std::fmt::Debug;

use anyhow::{bail, ensure, Context as _};
use scalekit::proto::organizations::{CreateOrganization, CreateOrganizationRequest};
use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
use scalekit::{Code, Error, ScalekitClient};
use scalekit_emulator::{Emulator, EmulatorHandle};

/// A fresh emulator and a client for it.
pub async fn start() -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    Ok((emulator, client))
}

/// `result` failed client-side with `Error::InvalidArgument` on `field`, and
/// nothing reached the emulator: no RPC and no token request.
pub fn rejected_locally<T: Debug>(
    emulator: &EmulatorHandle,
    result: scalekit::Result<T>,
    field: &str,
) -> anyhow::Result<()> {
    let err = match result {
        Err(err @ Error::InvalidArgument { field: got, .. }) if got == field => err,
        other => bail!("expected InvalidArgument on {field}, got {other:?}"),
    };
    ensure!(
        err.is_invalid_argument() && err.code().is_none(),
        "{field}: a local rejection has no server code: {err:?}"
    );
    ensure!(
        emulator.total_rpcs() == 0,
        "{field}: {} RPCs",
        emulator.total_rpcs()
    );
    ensure!(
        emulator.token_requests() == 0,
        "{field}: {} token requests",
        emulator.token_requests()
    );
    Ok(())
}

/// `result` is the server's error `code`; returns the error for more checks.
pub fn api_error<T: Debug>(result: scalekit::Result<T>, code: Code) -> anyhow::Result<Error> {
    let err = match result {
        Err(err) => err,
        Ok(value) => bail!("expected {code:?}, got {value:?}"),
    };
    ensure!(err.code() == Some(code), "expected {code:?}, got {err:?}");
    Ok(err)
}

/// Ids that fail the SDK's shape check (empty, blank, untrimmed, with a
/// `/`), built on `prefix` (`"usr"`, `"ses"`, …) so that only the shape is
/// wrong.
pub fn invalid_ids(prefix: &str) -> [String; 4] {
    [
        String::new(),
        "   ".to_owned(),
        format!(" {prefix}_1"),
        format!("{prefix}/1"),
    ]
}

/// Creates an organization through the raw gRPC client (so that a test of
/// another sub-client does not depend on `client.organizations()`); returns
/// its id.
pub async fn organization(client: &ScalekitClient, name: &str) -> anyhow::Result<String> {
    let response = client
        .raw()
        .organizations()
        .create_organization(CreateOrganizationRequest {
            organization: Some(CreateOrganization {
                display_name: name.to_owned(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    Ok(response.organization.context("no organization")?.id)
}

/// Adds a user with `email` to `organization_id` without an invitation
/// email; returns the user's id.
pub async fn member(
    client: &ScalekitClient,
    organization_id: &str,
    email: &str,
) -> anyhow::Result<String> {
    let user = client
        .users()
        .create_user_and_membership(
            organization_id,
            CreateUser {
                email: email.to_owned(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .await?;
    Ok(user.id)
}
