//! An application that installs its own jsonwebtoken `CryptoProvider` as the
//! process default keeps it: the SDK's token validation works beside it and
//! never goes through it, and the application's own `jsonwebtoken::decode`
//! still uses it.
//!
//! A test binary of its own, with one test: the provider slot is
//! process-wide and can be filled once, so no other test may run first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context as _};
use jsonwebtoken::crypto::{rust_crypto, CryptoProvider, JwtSigner, JwtVerifier};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use scalekit::oidc::{AccessTokenClaims, TokenValidationOptions};
use scalekit::{Error, InvalidTokenReason};
use scalekit_emulator::Emulator;

/// How many signers and verifiers the application's provider has built:
/// every jsonwebtoken sign or verify in the process that reaches it.
static SIGNERS_MADE: AtomicUsize = AtomicUsize::new(0);
static VERIFIERS_MADE: AtomicUsize = AtomicUsize::new(0);

fn counting_signer(
    alg: &Algorithm,
    key: &EncodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    SIGNERS_MADE.fetch_add(1, Ordering::SeqCst);
    (rust_crypto::DEFAULT_PROVIDER.signer_factory)(alg, key)
}

fn counting_verifier(
    alg: &Algorithm,
    key: &DecodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    VERIFIERS_MADE.fetch_add(1, Ordering::SeqCst);
    (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(alg, key)
}

/// The application's own provider: RustCrypto, counted.
static APP_PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    signer_factory: counting_signer,
    verifier_factory: counting_verifier,
    key_utils: rust_crypto::DEFAULT_PROVIDER.key_utils.clone(),
});

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_application_provider_stays_installed_and_both_verifiers_work() -> anyhow::Result<()> {
    // The application installs its provider first thing, as jsonwebtoken
    // asks; nothing in the SDK has taken the slot.
    ensure!(
        APP_PROVIDER.install_default().is_ok(),
        "the provider slot was already taken"
    );

    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    // The in-process emulator signs with ring, not through the
    // application's provider either.
    let signers_before = SIGNERS_MADE.load(Ordering::SeqCst);
    let token = emulator
        .sign_token(&serde_json::json!({"sub": "usr_1", "exp": now() + 600, "scopes": ["read"]}))
        .map_err(anyhow::Error::msg)?;
    ensure!(SIGNERS_MADE.load(Ordering::SeqCst) == signers_before);

    // The SDK validates (cold, then warm) and refuses a forged token, all
    // without building a single jsonwebtoken verifier.
    let verifiers_before = VERIFIERS_MADE.load(Ordering::SeqCst);
    for _ in 0..3 {
        let claims: AccessTokenClaims = client
            .validate_token(&token, TokenValidationOptions::default())
            .await?;
        ensure!(claims.sub == "usr_1", "{claims:?}");
    }
    let (signed, signature) = token.rsplit_once('.').context("a compact JWS")?;
    let forged_signature = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{signed}.{forged_signature}{}", &signature[1..]);
    match client
        .validate_token::<AccessTokenClaims>(&forged, TokenValidationOptions::default())
        .await
    {
        Err(Error::InvalidToken(InvalidTokenReason::InvalidSignature)) => {}
        other => anyhow::bail!("a forged signature gave {other:?}"),
    }
    ensure!(
        VERIFIERS_MADE.load(Ordering::SeqCst) == verifiers_before,
        "the SDK went through jsonwebtoken's provider"
    );

    // The application's own jsonwebtoken verifies the same token with the
    // same JWKS, through its provider: the slot still holds it.
    let jwks: JwkSet = reqwest::get(format!("{}/keys", emulator.env_url().trim_end_matches('/')))
        .await?
        .error_for_status()?
        .json()
        .await?;
    let kid = jsonwebtoken::decode_header(&token)?
        .kid
        .context("the emulator's tokens carry a kid")?;
    let key = DecodingKey::from_jwk(jwks.find(&kid).context("the kid is in the JWKS")?)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    let decoded = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation)?;
    ensure!(decoded.claims["sub"] == "usr_1", "{:?}", decoded.claims);
    ensure!(VERIFIERS_MADE.load(Ordering::SeqCst) == verifiers_before + 1);
    ensure!(
        jsonwebtoken::decode::<serde_json::Value>(&forged, &key, &validation).is_err(),
        "the application's decode refuses the forged token too"
    );

    // Nobody replaced the application's choice in the meantime.
    ensure!(rust_crypto::DEFAULT_PROVIDER.install_default().is_err());
    Ok(())
}
