//! Access tokens: RS256 JWTs signed with the environment key, remembered
//! until they expire or are revoked, so that only tokens this emulator issued
//! and still honours authenticate a call. A token that passed the full check
//! is cached (see [`crate::bearer_cache`]) until it expires or is revoked.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::distributions::{Alphanumeric, DistString as _};

use serde::{Deserialize, Serialize};

use crate::bearer_cache::{BearerCache, Fingerprint, Lookup};
use crate::jws;
use crate::keys::SigningKey;
use crate::refresh_tokens::RefreshTokens;

/// The claims of a client-credentials access token. An organization
/// client's token adds its organization (`oid`) and its custom claims,
/// which the service nests under `custom_claims` as a key → value object.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ClientClaims {
    pub(crate) iss: String,
    pub(crate) sub: String,
    pub(crate) aud: Vec<String>,
    pub(crate) client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) oid: Option<String>,
    pub(crate) iat: u64,
    pub(crate) nbf: u64,
    pub(crate) exp: u64,
    pub(crate) jti: String,
    pub(crate) scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) custom_claims: BTreeMap<String, String>,
}

/// Whom a client-credentials token is issued to, and what it carries.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClientGrant {
    pub(crate) client_id: String,
    /// The organization of an organization client.
    pub(crate) organization_id: Option<String>,
    /// `aud`; the client's own id when empty.
    pub(crate) audience: Vec<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) custom_claims: BTreeMap<String, String>,
    /// The token's lifetime; the issuer's when `None`.
    pub(crate) ttl: Option<u64>,
}

impl ClientGrant {
    /// The grant of the environment's own client: no organization, no
    /// scopes, the issuer's lifetime.
    pub(crate) fn environment(client_id: &str) -> Self {
        ClientGrant {
            client_id: client_id.to_string(),
            ..Default::default()
        }
    }
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

/// Who signed in through `/oauth/authorize`, and what for.
#[derive(Clone, Debug)]
pub(crate) struct SignIn {
    pub(crate) user_id: String,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) organization_id: Option<String>,
    pub(crate) connection_id: Option<String>,
    pub(crate) scope: String,
    pub(crate) nonce: Option<String>,
    pub(crate) session_id: String,
    /// What the identity provider asserted, for an SSO sign-in through the
    /// sign-in page.
    pub(crate) asserted: Option<Asserted>,
    /// The user's role names in the organization, as of issuance (see
    /// [`crate::access`]).
    pub(crate) roles: Vec<String>,
    /// The permissions those roles give, inherited ones included.
    pub(crate) permissions: Vec<String>,
}

/// What the sign-in page's simulated identity provider asserted in an SSO
/// sign-in. The ID token's names and identity come from it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Asserted {
    pub(crate) given_name: String,
    pub(crate) family_name: String,
    /// The connection's type (`OIDC`, `SAML`) and provider (`OKTA`, …).
    pub(crate) connection_type: String,
    pub(crate) provider_name: String,
    /// Every attribute as the identity provider sent it, groups included.
    pub(crate) raw_attributes: serde_json::Value,
}

impl Asserted {
    /// Puts the asserted names and the identity into ID token claims.
    fn apply(&self, sign_in: &SignIn, id_claims: &mut serde_json::Value) {
        let Some(map) = id_claims.as_object_mut() else {
            return;
        };
        map.insert("given_name".into(), self.given_name.clone().into());
        map.insert("family_name".into(), self.family_name.clone().into());
        map.insert(
            "identities".into(),
            serde_json::json!([{
                "connection_id": sign_in.connection_id, "organization_id": sign_in.organization_id,
                "connection_type": self.connection_type, "provider_name": self.provider_name,
                "social": false, "provider_raw_attributes": self.raw_attributes,
            }]),
        );
    }
}

/// An authorization code waiting to be exchanged (once).
#[derive(Clone, Debug)]
pub(crate) struct PendingCode {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    /// (challenge, method) when the request used PKCE.
    pub(crate) challenge: Option<(String, String)>,
    pub(crate) sign_in: SignIn,
    pub(crate) expires_at: u64,
}

/// What a refresh token stands for.
#[derive(Clone, Debug)]
pub(crate) struct RefreshGrant {
    pub(crate) client_id: String,
    pub(crate) sign_in: SignIn,
}

/// The tokens of a user sign-in.
pub(crate) struct UserTokens {
    pub(crate) access_token: String,
    pub(crate) id_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_in: u64,
}

/// How long an authorization code stays valid.
pub(crate) const CODE_TTL_SECS: u64 = 600;

/// Issues and checks access tokens.
pub(crate) struct TokenIssuer {
    /// Every signing key, oldest first; the last one signs. All are published.
    keys: RwLock<Vec<Arc<SigningKey>>>,
    issuer: String,
    ttl: Mutex<Duration>,
    /// jti → expiry (unix seconds) of every live token.
    live: Mutex<HashMap<String, u64>>,
    counter: Mutex<u64>,
    codes: Mutex<HashMap<String, PendingCode>>,
    refresh_tokens: Mutex<RefreshTokens>,
    jwks_served: AtomicU64,
    /// Tokens that passed [`verify`](TokenIssuer::verify) in full.
    verified: BearerCache,
}

pub(crate) fn unix_now() -> u64 {
    unix_time().as_secs()
}

/// The time since the Unix epoch, to the nanosecond.
fn unix_time() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// `(iat, exp)` of a token issued at `now` that the token response says
/// lives `ttl` seconds (`expires_in`). `iat` is `now` rounded down, as JWT
/// times are whole seconds; `exp` is rounded *up*, so that the token is
/// honoured for at least the `expires_in` the client was told, never up to
/// a second less.
fn lifetime(now: Duration, ttl: u64) -> (u64, u64) {
    let issued = now.as_secs();
    let exp = if now.subsec_nanos() == 0 {
        issued
    } else {
        issued.saturating_add(1)
    };
    (issued, exp.saturating_add(ttl))
}

impl TokenIssuer {
    pub(crate) fn new(key: SigningKey, issuer: String, ttl: Duration) -> Self {
        TokenIssuer {
            keys: RwLock::new(vec![Arc::new(key)]),
            issuer,
            ttl: Mutex::new(ttl),
            live: Mutex::new(HashMap::new()),
            counter: Mutex::new(0),
            codes: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(RefreshTokens::default()),
            jwks_served: AtomicU64::new(0),
            verified: BearerCache::default(),
        }
    }

    /// How many times [`jwks`](Self::jwks) was served.
    pub(crate) fn jwks_served(&self) -> u64 {
        self.jwks_served.load(Ordering::SeqCst)
    }

    /// The published keys, newest first (counted as one JWKS request).
    pub(crate) fn jwks(&self) -> serde_json::Value {
        self.jwks_served.fetch_add(1, Ordering::SeqCst);
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let jwks: Vec<serde_json::Value> = keys.iter().rev().map(|k| k.jwk.clone()).collect();
        serde_json::json!({ "keys": jwks })
    }

    fn current_key(&self) -> Option<Arc<SigningKey>> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        keys.last().cloned()
    }

    fn key_by_id(&self, kid: Option<&str>) -> Option<Arc<SigningKey>> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        match kid {
            Some(kid) => keys.iter().find(|k| k.kid == kid).cloned(),
            None => keys.last().cloned(),
        }
    }

    /// Signs with the next key from now on; earlier keys stay published and
    /// valid. Returns the new key's id.
    pub(crate) fn rotate(&self) -> Result<String, String> {
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        let next = match keys.last() {
            Some(current) => current.next()?,
            None => SigningKey::first()?,
        };
        let kid = next.kid.clone();
        keys.push(Arc::new(next));
        Ok(kid)
    }

    /// Signs any claims with the current key (RS256, with its `kid`).
    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> Result<String, String> {
        let key = self.current_key().ok_or("the issuer has no signing key")?;
        jws::sign(&key, claims)
    }

    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Remembers an authorization code; returns it.
    pub(crate) fn store_code(&self, pending: PendingCode) -> String {
        let code = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        let now = unix_now();
        let mut codes = lock(&self.codes);
        codes.retain(|_, c| c.expires_at > now);
        codes.insert(code.clone(), pending);
        code
    }

    /// Takes a code out (codes are single-use), if it exists and is unexpired.
    pub(crate) fn take_code(&self, code: &str) -> Option<PendingCode> {
        lock(&self.codes)
            .remove(code)
            .filter(|c| c.expires_at > unix_now())
    }

    /// Takes a refresh token out (refresh tokens rotate on use), if it
    /// exists and is unexpired.
    pub(crate) fn take_refresh_token(&self, token: &str) -> Option<RefreshGrant> {
        lock(&self.refresh_tokens).take(token, unix_now())
    }

    /// The access token, ID token and (with `offline_access`) refresh
    /// token of a user sign-in.
    pub(crate) fn issue_user_tokens(
        &self,
        client_id: &str,
        sign_in: &SignIn,
    ) -> Result<UserTokens, String> {
        let ttl = lock(&self.ttl).as_secs();
        let (now, exp) = lifetime(unix_time(), ttl);
        let jti = {
            let mut counter = lock(&self.counter);
            *counter += 1;
            format!("tkn_{now}_{}", *counter)
        };
        let scopes: Vec<&str> = sign_in.scope.split_whitespace().collect();
        let access = serde_json::json!({
            "iss": self.issuer, "sub": sign_in.user_id, "aud": [client_id],
            "client_id": client_id, "iat": now, "nbf": now, "exp": exp, "jti": jti,
            "sid": sign_in.session_id, "oid": sign_in.organization_id, "scopes": scopes,
            "roles": sign_in.roles, "permissions": sign_in.permissions,
        });
        let (given, family) = sign_in
            .name
            .split_once(' ')
            .map(|(g, f)| (g.to_string(), f.to_string()))
            .unwrap_or_else(|| (sign_in.name.clone(), String::new()));
        let mut id = serde_json::json!({
            "iss": self.issuer, "sub": sign_in.user_id, "aud": [client_id], "azp": client_id,
            "iat": now, "exp": exp, "sid": sign_in.session_id,
            "email": sign_in.email, "email_verified": true, "name": sign_in.name,
            "given_name": given, "family_name": family, "preferred_username": sign_in.email,
            "oid": sign_in.organization_id,
            "amr": [sign_in.connection_id.clone().unwrap_or_else(|| "emulator".into())],
            "identities": [{
                "connection_id": sign_in.connection_id, "organization_id": sign_in.organization_id,
                "connection_type": "OIDC", "provider_name": "SCALEKIT_EMULATOR", "social": false,
            }],
        });
        if let (Some(nonce), Some(map)) = (&sign_in.nonce, id.as_object_mut()) {
            map.insert("nonce".into(), nonce.clone().into());
        }
        if let Some(asserted) = &sign_in.asserted {
            asserted.apply(sign_in, &mut id);
        }
        let refresh_token = scopes.contains(&"offline_access").then(|| {
            let token = format!(
                "rt_{}",
                Alphanumeric.sample_string(&mut rand::thread_rng(), 40)
            );
            lock(&self.refresh_tokens).insert(
                token.clone(),
                RefreshGrant {
                    client_id: client_id.to_string(),
                    sign_in: sign_in.clone(),
                },
                now,
            );
            token
        });
        Ok(UserTokens {
            access_token: self.sign(&access)?,
            id_token: self.sign(&id)?,
            refresh_token,
            expires_in: ttl,
        })
    }

    /// Forgets every pending authorization code and refresh token (a reset:
    /// the users and sessions they name are gone). Access tokens stay valid.
    pub(crate) fn forget_sign_ins(&self) {
        lock(&self.codes).clear();
        *lock(&self.refresh_tokens) = RefreshTokens::default();
    }

    pub(crate) fn set_ttl(&self, ttl: Duration) {
        *lock(&self.ttl) = ttl;
    }

    /// A new client-credentials token for the environment's own client
    /// (the unit tests' shorthand; the token endpoint builds its grant).
    #[cfg(test)]
    fn issue_client_token(&self, client_id: &str) -> Result<Issued, String> {
        self.issue_client_token_at(client_id, unix_time())
    }

    /// [`issue_client_token`](Self::issue_client_token) at time `now`
    /// (since the Unix epoch).
    #[cfg(test)]
    fn issue_client_token_at(&self, client_id: &str, now: Duration) -> Result<Issued, String> {
        self.issue_grant_at(&ClientGrant::environment(client_id), now)
    }

    /// A new client-credentials token for `grant` (an organization
    /// client's, say). It authenticates calls here like any token this
    /// issuer made, until it expires.
    pub(crate) fn issue_grant(&self, grant: &ClientGrant) -> Result<Issued, String> {
        self.issue_grant_at(grant, unix_time())
    }

    fn issue_grant_at(&self, grant: &ClientGrant, now: Duration) -> Result<Issued, String> {
        let ttl = grant.ttl.unwrap_or_else(|| lock(&self.ttl).as_secs());
        let (now, exp) = lifetime(now, ttl);
        let jti = {
            let mut counter = lock(&self.counter);
            *counter += 1;
            format!("tkn_{now}_{}", *counter)
        };
        let audience = if grant.audience.is_empty() {
            vec![grant.client_id.clone()]
        } else {
            grant.audience.clone()
        };
        let claims = ClientClaims {
            iss: self.issuer.clone(),
            sub: grant.client_id.clone(),
            aud: audience,
            client_id: grant.client_id.clone(),
            oid: grant.organization_id.clone(),
            iat: now,
            nbf: now,
            exp,
            jti: jti.clone(),
            scopes: grant.scopes.clone(),
            custom_claims: grant.custom_claims.clone(),
        };
        let access_token = self.sign(&claims)?;
        let mut live = lock(&self.live);
        live.retain(|_, exp| *exp > now);
        live.insert(jti, claims.exp);
        Ok(Issued {
            access_token,
            expires_in: ttl,
        })
    }

    /// Checks a bearer token: our signature, our issuer, not expired, not
    /// revoked. A token that passed once is then only checked for expiry
    /// until it expires or [`revoke_all`](Self::revoke_all) runs.
    pub(crate) fn verify(&self, token: &str) -> Result<(), Rejection> {
        self.verify_at(token, unix_now())
    }

    /// [`verify`](Self::verify) at `now` (unix seconds).
    fn verify_at(&self, token: &str, now: u64) -> Result<(), Rejection> {
        let fingerprint = Fingerprint::of(token);
        match self.verified.lookup(&fingerprint, now) {
            Lookup::Valid => return Ok(()),
            Lookup::Expired => return Err(Rejection::Expired),
            Lookup::Unknown => {}
        }
        // Read before the revocation check inside, so that a revocation
        // racing with this check keeps its result out of the cache.
        let generation = self.verified.generation();
        let claims = self.verify_in_full(token, now)?;
        self.verified
            .insert(fingerprint, claims.exp, generation, now);
        Ok(())
    }

    /// The full check: signature, expiry, issuer, revocation.
    fn verify_in_full(&self, token: &str, now: u64) -> Result<ClientClaims, Rejection> {
        let claims: ClientClaims =
            jws::verify(token, |kid| self.key_by_id(kid)).map_err(|refusal| match refusal {
                jws::Refusal::Malformed => Rejection::Malformed,
                jws::Refusal::BadSignature => Rejection::BadSignature,
            })?;
        // Exact to the second: the token lives until `exp`, not through it.
        if claims.exp <= now {
            return Err(Rejection::Expired);
        }
        if claims.iss != self.issuer {
            return Err(Rejection::WrongIssuer);
        }
        if !lock(&self.live).contains_key(&claims.jti) {
            return Err(Rejection::Revoked);
        }
        Ok(claims)
    }

    /// Revokes every token issued so far, cached ones included.
    pub(crate) fn revoke_all(&self) {
        // The order matters: a check that saw the token still live read the
        // cache generation before this clear, so it cannot cache it.
        lock(&self.live).clear();
        self.verified.clear();
    }
}

/// Locks a mutex whose data stays consistent even if a holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: u64 = 10;

    fn issuer() -> TokenIssuer {
        let key = SigningKey::first().expect("a test key");
        TokenIssuer::new(key, "http://127.0.0.1:1".into(), Duration::from_secs(TTL))
    }

    fn claims_of(token: &str) -> ClientClaims {
        let payload = token.split('.').nth(1).expect("a JWT");
        let json =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .expect("base64url");
        serde_json::from_slice(&json).expect("client claims")
    }

    #[test]
    fn exp_is_never_before_now_plus_expires_in() {
        for (secs, nanos) in [(100, 0), (100, 1), (100, 500_000_000), (100, 999_999_999)] {
            let now = Duration::new(secs, nanos);
            let (iat, exp) = lifetime(now, TTL);
            assert_eq!(iat, secs, "iat is now rounded down");
            assert!(
                Duration::from_secs(exp) >= now + Duration::from_secs(TTL),
                "{now:?}: exp {exp} is before now + {TTL}s"
            );
            assert!(
                Duration::from_secs(exp) < now + Duration::from_secs(TTL + 1),
                "{now:?}: exp {exp} outlives expires_in by a second or more"
            );
        }
        assert_eq!(lifetime(Duration::new(u64::MAX, 1), TTL).1, u64::MAX);
    }

    #[test]
    fn a_client_token_issued_late_in_a_second_lives_its_whole_expires_in() {
        let issuer = issuer();
        let now = Duration::new(1_700_000_000, 900_000_000);
        let issued = issuer.issue_client_token_at("skc_1", now).expect("issued");
        let claims = claims_of(&issued.access_token);
        assert_eq!(issued.expires_in, TTL);
        // Before the fix exp was 1_700_000_010: 0.9 s short of expires_in.
        assert_eq!(claims.exp, 1_700_000_011);
        assert_eq!((claims.iat, claims.nbf), (1_700_000_000, 1_700_000_000));
    }

    #[test]
    fn an_organization_grant_carries_its_organization_audience_scopes_and_claims() {
        let issuer = issuer();
        let grant = ClientGrant {
            client_id: "m2morg_1".into(),
            organization_id: Some("org_1".into()),
            audience: vec!["https://api.example".into()],
            scopes: vec!["read".into()],
            custom_claims: BTreeMap::from([("team".into(), "billing".into())]),
            ttl: Some(60),
        };
        let issued = issuer.issue_grant(&grant).expect("issued");
        assert_eq!(issued.expires_in, 60);
        let claims = claims_of(&issued.access_token);
        assert_eq!(
            (claims.sub.as_str(), claims.client_id.as_str()),
            ("m2morg_1", "m2morg_1")
        );
        assert_eq!(claims.oid.as_deref(), Some("org_1"));
        assert_eq!(claims.aud, ["https://api.example"]);
        assert_eq!(claims.scopes, ["read"]);
        assert_eq!(claims.custom_claims["team"], "billing");
        assert!(claims.exp - claims.iat <= 61);
        assert_eq!(issuer.verify(&issued.access_token), Ok(()));

        let own = claims_of(
            &issuer
                .issue_client_token("skc_1")
                .expect("issued")
                .access_token,
        );
        assert_eq!((own.oid, own.aud), (None, vec!["skc_1".to_string()]));
        assert!(own.custom_claims.is_empty());
    }

    #[test]
    fn a_cached_token_is_refused_at_its_expiry() {
        let issuer = issuer();
        let issued = issuer.issue_client_token("skc_1").expect("issued");
        let exp = claims_of(&issued.access_token).exp;
        assert_eq!(issuer.verify_at(&issued.access_token, exp - 1), Ok(()));
        assert_eq!(issuer.verified.len(), 1, "the verified token is cached");
        assert_eq!(
            issuer.verify_at(&issued.access_token, exp),
            Err(Rejection::Expired)
        );
    }

    #[test]
    fn a_cached_token_is_refused_once_revoked() {
        let issuer = issuer();
        let issued = issuer.issue_client_token("skc_1").expect("issued");
        issuer
            .verify(&issued.access_token)
            .expect("a fresh token verifies");
        issuer
            .verify(&issued.access_token)
            .expect("and again, from the cache");
        issuer.revoke_all();
        assert_eq!(issuer.verify(&issued.access_token), Err(Rejection::Revoked));
        let fresh = issuer.issue_client_token("skc_1").expect("issued");
        assert_eq!(issuer.verify(&fresh.access_token), Ok(()));
    }

    #[test]
    fn refused_tokens_are_not_cached() {
        let issuer = issuer();
        let issued = issuer.issue_client_token("skc_1").expect("issued");
        let mut tampered = issued.access_token.clone();
        tampered.push('x');
        assert!(issuer.verify(&tampered).is_err());
        assert_eq!(issuer.verified.len(), 0);
    }
}
