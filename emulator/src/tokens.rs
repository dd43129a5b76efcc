//! Access tokens: RS256 JWTs signed with the environment key, remembered
//! until they expire or are revoked, so that only tokens this emulator issued
//! and still honours authenticate a call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::keys::SigningKey;

/// The claims of a client-credentials access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ClientClaims {
    pub(crate) iss: String,
    pub(crate) sub: String,
    pub(crate) aud: Vec<String>,
    pub(crate) client_id: String,
    pub(crate) iat: u64,
    pub(crate) nbf: u64,
    pub(crate) exp: u64,
    pub(crate) jti: String,
    pub(crate) scopes: Vec<String>,
}

/// An issued token, as the token endpoint returns it.
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) expires_in: u64,
}

/// Why a bearer token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    Malformed,
    BadSignature,
    Expired,
    WrongIssuer,
    Revoked,
}

impl Rejection {
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Rejection::Malformed => "the bearer token is not a JWT",
            Rejection::BadSignature => "the bearer token's signature does not verify",
            Rejection::Expired => "the bearer token has expired",
            Rejection::WrongIssuer => "the bearer token was issued for another environment",
            Rejection::Revoked => "the bearer token was revoked",
        }
    }
}

/// Issues and checks access tokens.
pub(crate) struct TokenIssuer {
    key: SigningKey,
    issuer: String,
    ttl: Mutex<Duration>,
    /// jti → expiry (unix seconds) of every live token.
    live: Mutex<HashMap<String, u64>>,
    counter: Mutex<u64>,
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl TokenIssuer {
    pub(crate) fn new(key: SigningKey, issuer: String, ttl: Duration) -> Self {
        TokenIssuer {
            key,
            issuer,
            ttl: Mutex::new(ttl),
            live: Mutex::new(HashMap::new()),
            counter: Mutex::new(0),
        }
    }

    pub(crate) fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.key.jwk.clone()] })
    }

    pub(crate) fn set_ttl(&self, ttl: Duration) {
        *lock(&self.ttl) = ttl;
    }

    /// A new client-credentials token for `client_id`.
    pub(crate) fn issue_client_token(&self, client_id: &str) -> Result<Issued, String> {
        let ttl = lock(&self.ttl).as_secs();
        let now = unix_now();
        let jti = {
            let mut counter = lock(&self.counter);
            *counter += 1;
            format!("tkn_{now}_{}", *counter)
        };
        let claims = ClientClaims {
            iss: self.issuer.clone(),
            sub: client_id.to_string(),
            aud: vec![client_id.to_string()],
            client_id: client_id.to_string(),
            iat: now,
            nbf: now,
            exp: now + ttl,
            jti: jti.clone(),
            scopes: Vec::new(),
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key.kid.clone());
        let access_token = jsonwebtoken::encode(&header, &claims, &self.key.encoding)
            .map_err(|e| format!("signing a token: {e}"))?;
        let mut live = lock(&self.live);
        live.retain(|_, exp| *exp > now);
        live.insert(jti, claims.exp);
        Ok(Issued {
            access_token,
            expires_in: ttl,
        })
    }

    /// Checks a bearer token: our signature, our issuer, not expired, not revoked.
    pub(crate) fn verify(&self, token: &str) -> Result<ClientClaims, Rejection> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.set_issuer(&[self.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let data = jsonwebtoken::decode::<ClientClaims>(token, &self.key.decoding, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => Rejection::Expired,
                jsonwebtoken::errors::ErrorKind::InvalidIssuer => Rejection::WrongIssuer,
                jsonwebtoken::errors::ErrorKind::InvalidSignature => Rejection::BadSignature,
                _ => Rejection::Malformed,
            })?;
        // jsonwebtoken compares `exp` against whole seconds; be exact.
        if data.claims.exp <= unix_now() {
            return Err(Rejection::Expired);
        }
        if !lock(&self.live).contains_key(&data.claims.jti) {
            return Err(Rejection::Revoked);
        }
        Ok(data.claims)
    }

    /// Revokes every token issued so far.
    pub(crate) fn revoke_all(&self) {
        lock(&self.live).clear();
    }
}

/// Locks a mutex whose data stays consistent even if a holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
