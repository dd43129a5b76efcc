//! Hostile and heavy input: malformed protobuf, oversized messages, garbage
//! HTTP, forged tokens and a thousand concurrent connections never crash the
//! emulator or corrupt its state.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use scalekit::proto::organizations::{
    CreateOrganization, CreateOrganizationRequest, ListOrganizationsRequest,
};
use scalekit_emulator::{Emulator, EmulatorHandle, UNKNOWN_METHOD};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use common::access_token;

const GET_USER: &str = "/scalekit.v1.users.UserService/GetUser";

/// Proves the emulator still works and its state is whole: creates one
/// organization and checks the count went up by exactly one.
async fn still_serving(emulator: &EmulatorHandle) -> anyhow::Result<()> {
    let client = emulator.client()?;
    let mut orgs = client.raw().organizations();
    let before = orgs
        .list_organization(ListOrganizationsRequest::default())
        .await?
        .into_inner()
        .total_size;
    orgs.create_organization(CreateOrganizationRequest {
        organization: Some(CreateOrganization {
            display_name: "Still here".into(),
            ..Default::default()
        }),
    })
    .await?;
    let after = orgs
        .list_organization(ListOrganizationsRequest::default())
        .await?
        .into_inner()
        .total_size;
    assert_eq!(after, before + 1);
    Ok(())
}

/// A unary gRPC call with `payload` as the message bytes, over HTTP/2.
async fn raw_grpc(
    emulator: &EmulatorHandle,
    path: &str,
    token: &str,
    payload: &[u8],
) -> anyhow::Result<(u16, Option<String>)> {
    let mut frame = Vec::with_capacity(payload.len() + 5);
    frame.push(0);
    frame.extend_from_slice(&u32::try_from(payload.len())?.to_be_bytes());
    frame.extend_from_slice(payload);
    let response = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()?
        .post(format!("{}{path}", emulator.env_url()))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {token}"))
        .body(frame)
        .send()
        .await?;
    let status = response.status().as_u16();
    let grpc_status = response
        .headers()
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Ok((status, grpc_status))
}

#[tokio::test]
async fn made_up_paths_share_one_counter() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let token = access_token(&emulator).await?;
    for i in 0..50 {
        let (http, grpc) = raw_grpc(
            &emulator,
            &format!("/made.up.Service{i}/Method"),
            &token,
            &[],
        )
        .await?;
        assert_eq!((http, grpc.as_deref()), (200, Some("12")), "path {i}");
    }
    raw_grpc(&emulator, GET_USER, &token, &[]).await?;
    let counts = emulator.rpc_counts();
    assert_eq!(
        counts.keys().map(String::as_str).collect::<Vec<_>>(),
        [UNKNOWN_METHOD, GET_USER.trim_start_matches('/')]
    );
    assert_eq!(counts[UNKNOWN_METHOD], 50);
    assert_eq!(emulator.total_rpcs(), 51);
    Ok(())
}

#[tokio::test]
async fn malformed_protobuf_is_refused_and_the_server_lives_on() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let token = access_token(&emulator).await?;
    // Field 1 declared as a 200-byte string with only three bytes following.
    let (http, grpc) = raw_grpc(
        &emulator,
        GET_USER,
        &token,
        &[0x0a, 0xc8, 0x01, b'a', b'b', b'c'],
    )
    .await?;
    assert_eq!(http, 200);
    assert_ne!(
        grpc.as_deref(),
        Some("0"),
        "a truncated message must not succeed"
    );
    assert!(grpc.is_some(), "the error is reported as a gRPC status");
    still_serving(&emulator).await
}

#[tokio::test]
async fn oversized_message_is_refused_and_the_server_lives_on() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let token = access_token(&emulator).await?;
    let huge = vec![0x0a; 5 * 1024 * 1024];
    let outcome = raw_grpc(&emulator, GET_USER, &token, &huge).await;
    if let Ok((_, grpc)) = outcome {
        assert_ne!(
            grpc.as_deref(),
            Some("0"),
            "a 5 MiB message must be refused"
        );
    }
    still_serving(&emulator).await
}

#[tokio::test]
async fn garbage_http_is_refused_and_the_server_lives_on() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"\x00\x01\x02\x03\xff\xfe\xfd",
        b"GET / HTTP/1.1\r\nHost: \xff\r\nContent-Length: -5\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\x00\x00\x00\x00\x00\x00",
    ] {
        let mut stream = tokio::net::TcpStream::connect(emulator.addr()).await?;
        stream.write_all(garbage).await?;
        let mut reply = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut reply)).await;
    }
    still_serving(&emulator).await
}

#[tokio::test]
async fn forged_tokens_are_unauthenticated() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let real = access_token(&emulator).await?;
    let mut parts = real.split('.').map(str::to_string).collect::<Vec<_>>();
    let claims = parts.get(1).cloned().unwrap_or_default();

    let unsigned = format!(
        "{}.{claims}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    );
    let hs256 = format!(
        "{}.{claims}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode([7u8; 32])
    );
    // The real header and signature over a payload that claims more.
    let mut payload: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&claims)?)?;
    payload["exp"] = serde_json::json!(4_000_000_000u64);
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload)?);
    let tampered = parts.join(".");

    for forged in [
        unsigned.as_str(),
        &hs256,
        &tampered,
        "",
        "a.b.c",
        "not-a-jwt",
    ] {
        let (http, grpc) = raw_grpc(&emulator, GET_USER, forged, &[]).await?;
        assert_eq!(
            (http, grpc.as_deref()),
            (200, Some("16")),
            "token {forged:?}"
        );
    }
    still_serving(&emulator).await
}

#[tokio::test]
async fn a_thousand_concurrent_connections_are_served() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let addr = emulator.addr();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        tasks.spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await?;
            stream
                .write_all(b"GET /keys HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n")
                .await?;
            let mut reply = Vec::new();
            stream.read_to_end(&mut reply).await?;
            Ok::<bool, std::io::Error>(reply.starts_with(b"HTTP/1.1 200"))
        });
    }
    let mut served = 0;
    while let Some(result) = tasks.join_next().await {
        if result?? {
            served += 1;
        }
    }
    assert_eq!(served, 1000);
    still_serving(&emulator).await
}
