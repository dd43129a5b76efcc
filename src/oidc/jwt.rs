//! JWT validation: the token's shape, its algorithm against the key's, the
//! signature, then the claims (`exp`, `nbf`, `iss`, `aud`, `nonce`, scopes)
//! against an explicit clock. Pure: fetching keys is the caller's job.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::error::InvalidTokenReason as Reason;
use crate::oidc::jwks::{accepted_algorithm, Algorithm, KeySet};

/// Optional checks for [`validate_token`](crate::ScalekitClient::validate_token)
/// and the helpers built on it. The signature and `exp`/`nbf` are always
/// checked; these add issuer, audience and scope checks.
///
/// ```
/// use scalekit::oidc::TokenValidationOptions;
/// let opts = TokenValidationOptions::default()
///     .with_issuer("https://acme.scalekit.dev")
///     .with_audience(["skc_123"])
///     .with_required_scopes(["read:users"]);
/// assert_eq!(opts.issuers, ["https://acme.scalekit.dev"]);
/// assert_eq!(opts.audience, ["skc_123"]);
/// ```
///
/// # Several issuers
///
/// Scalekit can issue tokens under more than one `iss` for the same
/// environment (for example the environment URL and a resource URL under
/// it, while access tokens move from one form to the other). Name every
/// form you accept; a token passes when its `iss` equals any of them,
/// character for character (no trailing-slash or case folding):
///
/// ```
/// # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
/// use scalekit::oidc::{AccessTokenClaims, TokenValidationOptions};
/// # let bearer = "eyJ...";
/// let env = client.env_url();
/// let opts = TokenValidationOptions::default()
///     .with_issuers([env.to_string(), format!("{env}/resources/res_123")]);
/// let claims: AccessTokenClaims = client.validate_token(bearer, opts).await?;
/// # let _ = claims;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct TokenValidationOptions {
    /// Accepted issuers: `iss` must equal one of them exactly. Not checked
    /// when empty (the default). An empty string in the list is refused as
    /// an invalid argument rather than read as "any issuer".
    pub issuers: Vec<String>,
    /// Accepted audiences: `aud` must contain at least one. Not checked when
    /// empty.
    pub audience: Vec<String>,
    /// Scopes the token must carry, in its `scopes` array or its
    /// space-separated `scope` string. Not checked when empty.
    pub required_scopes: Vec<String>,
}

impl TokenValidationOptions {
    /// Adds one accepted issuer to [`issuers`](Self::issuers); call it again
    /// to accept another.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Sets [`issuers`](Self::issuers), replacing any added before; an
    /// empty iterator turns the issuer check off.
    pub fn with_issuers<I, S>(mut self, issuers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.issuers = issuers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`audience`](Self::audience).
    pub fn with_audience<I, S>(mut self, audience: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.audience = audience.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`required_scopes`](Self::required_scopes).
    pub fn with_required_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Refuses option values that can only be mistakes, before any I/O.
    pub(crate) fn validate(&self) -> crate::Result<()> {
        // A blank issuer would either match nothing or, if skipped, widen
        // the check; both hide a configuration bug, so say so instead.
        if self.issuers.iter().any(|i| i.trim().is_empty()) {
            return Err(crate::Error::invalid_argument(
                "issuers",
                "must not contain an empty issuer",
            ));
        }
        Ok(())
    }
}

/// Every claim check one validation runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Checks {
    /// Accepted `iss` values; empty: not checked.
    pub(crate) issuers: Vec<String>,
    /// Accepted audiences; empty: not checked.
    pub(crate) audiences: Vec<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) required_scopes: Vec<String>,
    pub(crate) leeway: Duration,
}

impl Checks {
    /// Takes the options by value: the caller owns them, so their lists
    /// move into the checks instead of being copied on every validation.
    pub(crate) fn from_options(opts: TokenValidationOptions, leeway: Duration) -> Checks {
        Checks {
            issuers: opts.issuers,
            audiences: opts.audience,
            nonce: None,
            required_scopes: opts.required_scopes,
            leeway,
        }
    }
}

/// A token split and decoded, not yet verified.
pub(crate) struct ParsedToken<'a> {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
    pub(crate) claims: Map<String, Value>,
    signing_input: &'a str,
    signature: Vec<u8>,
}

fn json_object(
    part: &str,
    not_b64: &'static str,
    not_json: &'static str,
) -> Result<Map<String, Value>, Reason> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| Reason::Malformed(not_b64))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Reason::Malformed(not_json)),
    }
}

impl<'a> ParsedToken<'a> {
    /// Splits and decodes `token`, and refuses algorithms never accepted.
    pub(crate) fn parse(token: &'a str) -> Result<Self, Reason> {
        let token = token.trim();
        if token.is_empty() {
            return Err(Reason::Malformed("the token is empty"));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Reason::Malformed("expected three dot-separated parts"));
        };
        let header = json_object(
            header,
            "the header is not base64url",
            "the header is not a JSON object",
        )?;
        let alg = match header.get("alg") {
            Some(Value::String(alg)) => {
                accepted_algorithm(alg).ok_or_else(|| Reason::UnsupportedAlgorithm(alg.clone()))?
            }
            _ => return Err(Reason::Malformed("the header has no alg")),
        };
        if header.contains_key("crit") {
            return Err(Reason::Malformed("the header has critical extensions"));
        }
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(Reason::Malformed("the header's kid is not a string")),
        };
        let claims = json_object(
            payload,
            "the payload is not base64url",
            "the payload is not a JSON object",
        )?;
        let signature = match URL_SAFE_NO_PAD.decode(signature) {
            Ok(bytes) if !bytes.is_empty() => bytes,
            _ => return Err(Reason::Malformed("the signature is not base64url")),
        };
        Ok(ParsedToken {
            alg,
            kid,
            claims,
            signing_input: &token[..header_payload_len(token)],
            signature,
        })
    }

    /// Verifies the signature with the key the token names, through ring
    /// (see `jwks/public_key.rs` for why not jsonwebtoken). The algorithm
    /// must be one the key allows. [`Reason::UnknownKey`] tells the caller to
    /// refetch the keys.
    pub(crate) fn verify_signature(&self, keys: &KeySet) -> Result<(), Reason> {
        let key = keys
            .find(self.kid.as_deref(), self.alg)
            .ok_or_else(|| Reason::UnknownKey(self.kid.clone()))?;
        if !key.algorithms.contains(&self.alg) {
            return Err(Reason::AlgorithmMismatch {
                token: self.alg.name().into(),
                key: key.description.clone(),
            });
        }
        key.key
            .verify(self.alg, self.signing_input.as_bytes(), &self.signature)
    }
}

/// The length of `header.payload`, the signed part of a compact JWS.
fn header_payload_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}

fn number(claims: &Map<String, Value>, name: &'static str) -> Result<Option<f64>, Reason> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => value.as_f64().map(Some).ok_or(Reason::MissingClaim(name)),
    }
}

/// The scopes a token carries: its `scopes` array (the reference SDK's
/// claim) and its space-separated `scope` string (other Scalekit SDKs').
pub(crate) fn token_scopes(claims: &Map<String, Value>) -> Vec<&str> {
    let listed = claims
        .get("scopes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::trim);
    let spaced = claims
        .get("scope")
        .and_then(Value::as_str)
        .into_iter()
        .flat_map(str::split_whitespace);
    listed.chain(spaced).filter(|s| !s.is_empty()).collect()
}

/// Runs the claim checks at `now` (seconds since the Unix epoch).
pub(crate) fn check_claims(
    claims: &Map<String, Value>,
    checks: &Checks,
    now: u64,
) -> Result<(), Reason> {
    let now = now as f64;
    let leeway = checks.leeway.as_secs_f64();
    let exp = number(claims, "exp")?.ok_or(Reason::MissingClaim("exp"))?;
    if exp + leeway <= now {
        return Err(Reason::Expired);
    }
    if let Some(nbf) = number(claims, "nbf")? {
        if nbf > now + leeway {
            return Err(Reason::NotYetValid);
        }
    }
    if !checks.issuers.is_empty() {
        let iss = claims
            .get("iss")
            .and_then(Value::as_str)
            .ok_or(Reason::MissingClaim("iss"))?;
        if !checks.issuers.iter().any(|i| i == iss) {
            return Err(Reason::WrongIssuer);
        }
    }
    if !checks.audiences.is_empty() {
        let aud: Vec<&str> = match claims.get("aud") {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => return Err(Reason::MissingClaim("aud")),
        };
        if !checks.audiences.iter().any(|a| aud.contains(&a.as_str())) {
            return Err(Reason::WrongAudience);
        }
    }
    if let Some(expected) = &checks.nonce {
        if claims.get("nonce").and_then(Value::as_str) != Some(expected.as_str()) {
            return Err(Reason::WrongNonce);
        }
    }
    check_scopes(claims, &checks.required_scopes)
}

/// Fails with the required scopes the token lacks, in the order asked.
pub(crate) fn check_scopes(claims: &Map<String, Value>, required: &[String]) -> Result<(), Reason> {
    if required.is_empty() {
        return Ok(());
    }
    let have = token_scopes(claims);
    let missing: Vec<String> = required
        .iter()
        .filter(|r| !have.contains(&r.as_str()))
        .cloned()
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Reason::MissingScopes(missing))
    }
}

/// Deserializes verified claims into the caller's type.
pub(crate) fn into_claims<C: serde::de::DeserializeOwned>(
    claims: Map<String, Value>,
) -> Result<C, Reason> {
    serde_json::from_value(Value::Object(claims)).map_err(|e| Reason::Claims(e.to_string()))
}

/// The whole pipeline against a fixed key set and clock (no refetch).
#[cfg(any(test, fuzzing))]
pub(crate) fn validate_at(
    token: &str,
    keys: &KeySet,
    checks: &Checks,
    now: u64,
) -> Result<Map<String, Value>, Reason> {
    let parsed = ParsedToken::parse(token)?;
    parsed.verify_signature(keys)?;
    check_claims(&parsed.claims, checks, now)?;
    Ok(parsed.claims)
}

#[cfg(test)]
mod tests;
