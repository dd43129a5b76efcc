//! Helpers shared by the emulator's own integration tests. (A folder module,
//! so Cargo does not build it as a test of its own.)
//!
//! These tests drive the emulator mostly through the generated clients
//! (`client.raw()`), to reach requests the SDK's facade never sends; the
//! helpers here set up the state those tests start from.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use anyhow::Context as _;
use scalekit::proto::organizations::{CreateOrganization, CreateOrganizationRequest};
use scalekit::proto::users::{CreateUser, CreateUserAndMembershipRequest};
use scalekit::ScalekitClient;
use scalekit_emulator::{Emulator, EmulatorBuilder, EmulatorHandle};

/// A fresh emulator with default settings and a client for it.
pub async fn start() -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
    start_with(Emulator::builder()).await
}

/// An emulator started from `builder` and a client for it.
pub async fn start_with(
    builder: EmulatorBuilder,
) -> anyhow::Result<(EmulatorHandle, ScalekitClient)> {
    let emulator = builder.start().await?;
    let client = emulator.client()?;
    Ok((emulator, client))
}

/// Creates an organization named `name`; returns its id.
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
    let response = client
        .raw()
        .users()
        .create_user_and_membership(CreateUserAndMembershipRequest {
            organization_id: organization_id.to_owned(),
            user: Some(CreateUser {
                email: email.to_owned(),
                ..Default::default()
            }),
            send_invitation_email: Some(false),
        })
        .await?
        .into_inner();
    Ok(response.user.context("no user")?.id)
}

/// `POST /oauth/token` with the emulator's client credentials, as it
/// answered.
pub async fn token_request(emulator: &EmulatorHandle) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .post(format!("{}/oauth/token", emulator.env_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", emulator.client_id()),
            ("client_secret", emulator.client_secret()),
        ])
        .send()
        .await
}

/// A client-credentials access token from the emulator's token endpoint.
pub async fn access_token(emulator: &EmulatorHandle) -> anyhow::Result<String> {
    let body: serde_json::Value = token_request(emulator).await?.json().await?;
    body["access_token"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no access token in {body}"))
}

/// A tonic interceptor that sends one bearer token with every request, for
/// the generated clients on a plain channel (no SDK in between).
#[derive(Clone)]
pub struct Bearer(pub tonic::metadata::MetadataValue<tonic::metadata::Ascii>);

impl tonic::service::Interceptor for Bearer {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        request
            .metadata_mut()
            .insert("authorization", self.0.clone());
        Ok(request)
    }
}

/// A gRPC message as it goes on the wire: a compressed flag, the length
/// (32 bits, big-endian) and the message.
pub fn grpc_frame(flag: u8, message: &[u8]) -> Vec<u8> {
    let mut frame = vec![flag];
    let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(message);
    frame
}

/// Sends `body`, as is, as a gRPC request to `path` over a bare HTTP/2
/// connection (no client to fix up what it sends), and returns the
/// `grpc-status` the emulator answered, from the headers or the trailers.
/// Bounded in time: a hang is an error.
pub async fn raw_grpc_call(
    emulator: &EmulatorHandle,
    path: &str,
    token: &str,
    body: Vec<u8>,
) -> anyhow::Result<Option<String>> {
    let bound = std::time::Duration::from_secs(10);
    let tcp = tokio::net::TcpStream::connect(emulator.addr()).await?;
    let (mut h2, connection) = h2::client::handshake(tcp).await?;
    let connection = tokio::spawn(connection);
    let request = http::Request::post(format!("{}/{path}", emulator.env_url()))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {token}"))
        .body(())?;
    let (response, mut stream) = h2.send_request(request, false)?;
    stream.send_data(body.into(), true)?;
    let status = tokio::time::timeout(bound, async {
        let response = response.await?;
        let status = |headers: &http::HeaderMap| {
            headers
                .get("grpc-status")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if let Some(code) = status(response.headers()) {
            return anyhow::Ok(Some(code));
        }
        let mut body = response.into_body();
        while let Some(data) = body.data().await {
            let data = data?;
            let _ = body.flow_control().release_capacity(data.len());
        }
        Ok(body.trailers().await?.as_ref().and_then(status))
    })
    .await??;
    connection.abort();
    Ok(status)
}

/// Runs `test`, failing it if it takes longer than `limit`, so that a hang
/// fails instead of stalling the suite.
pub async fn within<F>(limit: std::time::Duration, test: F) -> anyhow::Result<()>
where
    F: std::future::Future<Output = anyhow::Result<()>>,
{
    tokio::time::timeout(limit, test)
        .await
        .map_err(|_| anyhow::anyhow!("the test took longer than {limit:?}"))?
}

/// The claims of a JWT, read without checking its signature (the tests
/// that need the check use the SDK's validation).
pub fn jwt_claims(token: &str) -> anyhow::Result<serde_json::Value> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).context("not a JWT")?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?;
    Ok(serde_json::from_slice(&json)?)
}

/// `GET /oauth/authorize` with `params` (and this emulator's client id),
/// without following the redirect.
pub async fn authorize(
    emulator: &EmulatorHandle,
    params: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut query = vec![
        ("client_id", emulator.client_id()),
        ("response_type", "code"),
    ];
    query.extend_from_slice(params);
    Ok(client
        .get(format!("{}/oauth/authorize", emulator.env_url()))
        .query(&query)
        .send()
        .await?)
}
