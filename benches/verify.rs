//! Micro-benchmarks of the SDK's local checks: warm token validation (the
//! JWKS already cached), webhook signature verification and building an
//! authorization URL. None of them should touch the network once warm, so
//! they measure the SDK's own CPU cost.
//!
//! `cargo bench --bench verify`

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scalekit::oidc::{AuthorizationUrlOptions, Pkce, TokenValidationOptions};
use scalekit::ScalekitClient;
use sha2::Sha256;

const JWKS: &str = include_str!("../tests/fixtures/jwt/jwks.json");
const RSA_PRIVATE: &str = include_str!("../tests/fixtures/jwt/rsa_private.pem");
const EC_PRIVATE: &str = include_str!("../tests/fixtures/jwt/ec_private.pem");

/// Serves the fixture JWKS at `/keys` on a loopback port; the client fetches
/// it once and then validates from its cache.
async fn jwks_server() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = axum::Router::new().route(
        "/keys",
        axum::routing::get(|| async { ([("content-type", "application/json")], JWKS) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

fn signed(issuer: &str, alg: Algorithm, kid: &str, pem: &str) -> anyhow::Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let claims = serde_json::json!({
        "iss": issuer, "sub": "usr_1", "aud": ["skc_bench"], "iat": now,
        "nbf": now, "exp": now + 3_600, "scopes": ["read", "write"],
        "client_id": "skc_bench", "jti": "tkn_bench"
    });
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes())?,
        _ => EncodingKey::from_rsa_pem(pem.as_bytes())?,
    };
    Ok(jsonwebtoken::encode(&header, &claims, &key)?)
}

fn validate_token(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (client, tokens) = rt
        .block_on(async {
            let url = jwks_server().await?;
            let client = ScalekitClient::new(&url, "skc_bench", "bench-secret")?;
            let tokens = [
                (
                    "RS256",
                    signed(&url, Algorithm::RS256, "rsa-1", RSA_PRIVATE)?,
                ),
                ("ES256", signed(&url, Algorithm::ES256, "ec-1", EC_PRIVATE)?),
            ];
            let opts = TokenValidationOptions::default().with_issuer(url.clone());
            for (_, token) in &tokens {
                // Warm the JWKS cache, and fail loudly if the fixture drifts.
                client
                    .validate_token::<serde_json::Value>(token, opts.clone())
                    .await?;
            }
            anyhow::Ok((client, tokens))
        })
        .expect("setup");

    let mut group = c.benchmark_group("validate_token");
    for (alg, token) in &tokens {
        group.bench_with_input(BenchmarkId::from_parameter(alg), token, |b, token| {
            b.to_async(&rt).iter(|| async {
                client
                    .validate_token::<serde_json::Value>(token, TokenValidationOptions::default())
                    .await
                    .expect("valid token")
            })
        });
    }
    group.finish();
}

/// A signed delivery: the `webhook-*` headers for `payload` at `now`.
fn delivery(secret_key: &[u8], payload: &[u8], now: u64) -> HashMap<&'static str, String> {
    let id = "evt_bench_1";
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key).expect("any key length");
    mac.update(format!("{id}.{now}.").as_bytes());
    mac.update(payload);
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    HashMap::from([
        ("webhook-id", id.to_string()),
        ("webhook-timestamp", now.to_string()),
        ("webhook-signature", format!("v1,{signature}")),
    ])
}

fn webhook(c: &mut Criterion) {
    let key = b"bench webhook signing key, 32 b.";
    let secret = format!("whsec_{}", STANDARD.encode(key));
    let now = SystemTime::now();
    let unix = now.duration_since(UNIX_EPOCH).expect("clock").as_secs();

    let mut group = c.benchmark_group("webhook_verify");
    for size in [1024usize, 64 * 1024] {
        let payload: Vec<u8> = br#"{"type":"user.created","data":{"id":"usr_1"}}"#
            .iter()
            .copied()
            .cycle()
            .take(size)
            .collect();
        let headers = delivery(key, &payload, unix);
        scalekit::webhook::verify(&secret, &headers, &payload, now).expect("valid delivery");
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{}KiB", size / 1024)),
            &payload,
            |b, payload| b.iter(|| scalekit::webhook::verify(&secret, &headers, payload, now)),
        );
    }
    group.finish();
}

fn authorization_url(c: &mut Criterion) {
    let client = ScalekitClient::new("https://acme.scalekit.dev", "skc_bench", "bench-secret")
        .expect("client");
    let pkce = Pkce::generate().expect("pkce");
    let opts = AuthorizationUrlOptions::default()
        .with_state("af0ifjsldkj")
        .with_pkce(&pkce)
        .with_organization_id("org_59615193906282635")
        .with_scopes(["openid", "profile", "email", "offline_access"]);
    c.bench_function("authorization_url", |b| {
        b.iter(|| {
            client
                .get_authorization_url("https://app.example.com/auth/callback", opts.clone())
                .expect("url")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = validate_token, webhook, authorization_url
}
criterion_main!(benches);
