//! The request log: one `info` line per token request, authorization and
//! RPC, with the method, path and status, and no secret. (A test binary of
//! its own: it installs the process-wide tracing subscriber.)

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use scalekit_emulator::Emulator;

use common::{authorize, within};

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

#[tokio::test]
async fn each_token_request_authorization_and_rpc_is_logged_without_secrets() -> anyhow::Result<()>
{
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)?;

    within(Duration::from_secs(60), async {
        let emulator = Emulator::builder().start().await?;
        let client = emulator.client()?;
        client
            .organizations()
            .list_organization(Default::default())
            .await?;
        let missing = client
            .users()
            .get_user("usr_10000000000000404")
            .await
            .expect_err("no such user");
        assert!(missing.is_not_found(), "{missing:?}");
        let signed_in = authorize(
            &emulator,
            &[
                ("redirect_uri", "http://localhost:3000/callback"),
                ("login_hint", "ada@acme.example"),
            ],
        )
        .await?;
        let location = signed_in
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .context("redirected")?
            .to_string();
        let code = url::Url::parse(&location)?
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .context("a code")?;
        let token = common::access_token(&emulator).await?;

        let log = capture.text();
        let line = |needles: &[&str]| {
            log.lines()
                .find(|l| needles.iter().all(|n| l.contains(n)))
                .map(str::to_string)
        };
        for needles in [
            &[
                "INFO",
                "method=POST",
                "path=/oauth/token",
                "status=200",
                "latency_ms=",
            ][..],
            &["method=GET", "path=/oauth/authorize", "status=302"],
            &[
                "method=POST",
                "path=/scalekit.v1.organizations.OrganizationService/ListOrganization",
                "status=200",
                "grpc_status=Ok",
            ],
            &[
                "path=/scalekit.v1.users.UserService/GetUser",
                "grpc_status=NotFound",
            ],
        ] {
            assert!(
                line(needles).is_some(),
                "no line with {needles:?} in:\n{log}"
            );
        }
        for secret in [emulator.client_secret(), &code, &token, "ada@acme.example"] {
            assert!(!log.contains(secret), "a secret in the log:\n{log}");
        }
        Ok(())
    })
    .await
}
