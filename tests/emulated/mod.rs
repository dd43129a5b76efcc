//! Helpers shared by the test files that run the SDK against an in-process
//! `scalekit-emulator`. (A folder module, so Cargo does not build it as a
//! test of its own.)

#![allow(dead_code)]

use std::fmt::Debug;

use anyhow::{bail, ensure};
use scalekit::{Code, Error, ScalekitClient};
use scalekit_emulator::{Emulator, EmulatorHandle};

/// A fresh emulator and a client for it.
pub async fn start() -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
    let emulator = Emulator::builder().start().await?;
    let client = ScalekitClient::new(
        emulator.env_url(),
        emulator.client_id(),
        emulator.client_secret(),
    )?;
    Ok((emulator, client))
}

/// `result` failed client-side on `field`, and nothing reached the emulator:
/// no RPC and no token request.
pub fn rejected_locally<T: Debug>(
    emulator: &EmulatorHandle,
    result: scalekit::Result<T>,
    field: &str,
) -> anyhow::Result<()> {
    match result {
        Err(Error::InvalidArgument { field: got, .. }) if got == field => {}
        other => bail!("expected InvalidArgument on {field}, got {other:?}"),
    }
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
