//! Ready-made claim types for [`validate_token`](crate::ScalekitClient::validate_token),
//! and the [`User`] that [`authenticate_with_code`](crate::ScalekitClient::authenticate_with_code)
//! builds from an ID token.

use serde::{Deserialize, Deserializer, Serialize};

/// Free-form JSON claims: everything a claims type does not name.
pub type ExtraClaims = serde_json::Map<String, serde_json::Value>;

/// The `aud` claim: one string or an array of strings (RFC 7519 §4.1.3),
/// always held as a list.
///
/// ```
/// let aud: scalekit::oidc::Audience = serde_json::from_str(r#""skc_1""#)?;
/// assert!(aud.contains("skc_1"));
/// let aud: scalekit::oidc::Audience = serde_json::from_str(r#"["a","b"]"#)?;
/// assert_eq!(aud.iter().collect::<Vec<_>>(), ["a", "b"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Audience(pub Vec<String>);

impl Audience {
    /// Whether `audience` is one of the values.
    pub fn contains(&self, audience: &str) -> bool {
        self.0.iter().any(|a| a == audience)
    }

    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(one) => Audience(vec![one]),
            OneOrMany::Many(many) => Audience(many),
        })
    }
}

/// A string claim that some issuers send as a number (`updated_at`).
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// The claims of a Scalekit access token.
///
/// ```
/// # async fn sample(client: &scalekit::ScalekitClient, token: &str) -> scalekit::Result<()> {
/// use scalekit::oidc::{AccessTokenClaims, TokenValidationOptions};
/// let claims: AccessTokenClaims =
///     client.validate_token(token, TokenValidationOptions::default()).await?;
/// println!("{} may {:?}", claims.sub, claims.all_scopes());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccessTokenClaims {
    /// Issuer: the environment URL.
    #[serde(default)]
    pub iss: String,
    /// Subject: the user id (or the client id for client-credentials tokens).
    #[serde(default)]
    pub sub: String,
    /// Audience.
    #[serde(default)]
    pub aud: Audience,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: u64,
    /// Issued at, in seconds since the Unix epoch.
    #[serde(default)]
    pub iat: Option<u64>,
    /// Not before, in seconds since the Unix epoch.
    #[serde(default)]
    pub nbf: Option<u64>,
    /// Token id.
    #[serde(default)]
    pub jti: Option<String>,
    /// The client the token was issued to.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Session id.
    #[serde(default)]
    pub sid: Option<String>,
    /// Organization id.
    #[serde(default)]
    pub oid: Option<String>,
    /// Scopes as an array (what Scalekit's Node SDK reads).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Scopes as one space-separated string (RFC 8693 `scope`).
    #[serde(default)]
    pub scope: Option<String>,
    /// Role names.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Permission names.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Every other claim.
    #[serde(flatten)]
    pub extra: ExtraClaims,
}

impl AccessTokenClaims {
    /// The scopes of both the `scopes` array and the `scope` string, without
    /// blanks or duplicates, in order.
    pub fn all_scopes(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        let listed = self.scopes.iter().map(|s| s.trim());
        let spaced = self.scope.iter().flat_map(|s| s.split_whitespace());
        for scope in listed.chain(spaced) {
            if !scope.is_empty() && !all.contains(&scope) {
                all.push(scope);
            }
        }
        all
    }
}

/// One linked identity in an ID token's `identities` claim.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Identity {
    /// The connection the user signed in through.
    #[serde(default)]
    pub connection_id: Option<String>,
    /// The organization of that connection.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// `OIDC`, `SAML`, `OAUTH`, ...
    #[serde(default)]
    pub connection_type: Option<String>,
    /// The identity provider (`OKTA`, `GOOGLE`, ...).
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Whether this is a social login.
    #[serde(default)]
    pub social: Option<bool>,
    /// The identity provider's raw attributes, as sent.
    #[serde(default)]
    pub provider_raw_attributes: Option<serde_json::Value>,
}

/// The claims of a Scalekit ID token (OpenID Connect Core §2 and §5.1).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// Issuer: the environment URL.
    #[serde(default)]
    pub iss: String,
    /// Subject: the user id.
    pub sub: String,
    /// Audience: the client id.
    #[serde(default)]
    pub aud: Audience,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: u64,
    /// Issued at, in seconds since the Unix epoch.
    #[serde(default)]
    pub iat: Option<u64>,
    /// The nonce of the authorization request.
    #[serde(default)]
    pub nonce: Option<String>,
    /// Authorized party.
    #[serde(default)]
    pub azp: Option<String>,
    /// Session id.
    #[serde(default)]
    pub sid: Option<String>,
    /// Organization id.
    #[serde(default)]
    pub oid: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Preferred username.
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Given name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub family_name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the email address is verified.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Whether the phone number is verified.
    #[serde(default)]
    pub phone_number_verified: Option<bool>,
    /// Profile page URL.
    #[serde(default)]
    pub profile: Option<String>,
    /// Picture URL.
    #[serde(default)]
    pub picture: Option<String>,
    /// Gender.
    #[serde(default)]
    pub gender: Option<String>,
    /// Birth date.
    #[serde(default)]
    pub birthdate: Option<String>,
    /// Time zone.
    #[serde(default)]
    pub zoneinfo: Option<String>,
    /// Locale.
    #[serde(default)]
    pub locale: Option<String>,
    /// Last profile update (a number or a string, kept as text).
    #[serde(default, deserialize_with = "string_or_number")]
    pub updated_at: Option<String>,
    /// Linked identities.
    #[serde(default)]
    pub identities: Vec<Identity>,
    /// Custom metadata, as sent.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// Every other claim.
    #[serde(flatten)]
    pub extra: ExtraClaims,
}

/// The user an [`AuthenticationResponse`](crate::oidc::AuthenticationResponse)
/// names, built from the verified ID token with the reference SDK's
/// claim→field mapping (`sub`→`id`, `preferred_username`→`username`,
/// `birthdate`→`birth_date`, `zoneinfo`→`zone_info`, the rest by name).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// `sub`.
    pub id: String,
    /// `preferred_username`.
    pub username: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `given_name`.
    pub given_name: Option<String>,
    /// `family_name`.
    pub family_name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: Option<bool>,
    /// `phone_number`.
    pub phone_number: Option<String>,
    /// `phone_number_verified`.
    pub phone_number_verified: Option<bool>,
    /// `profile`.
    pub profile: Option<String>,
    /// `picture`.
    pub picture: Option<String>,
    /// `gender`.
    pub gender: Option<String>,
    /// `birthdate`.
    pub birth_date: Option<String>,
    /// `zoneinfo`.
    pub zone_info: Option<String>,
    /// `locale`.
    pub locale: Option<String>,
    /// `updated_at`.
    pub updated_at: Option<String>,
    /// `identities`.
    pub identities: Vec<Identity>,
    /// `metadata`.
    pub metadata: Option<serde_json::Value>,
}

impl From<IdTokenClaims> for User {
    fn from(c: IdTokenClaims) -> Self {
        User {
            id: c.sub,
            username: c.preferred_username,
            name: c.name,
            given_name: c.given_name,
            family_name: c.family_name,
            email: c.email,
            email_verified: c.email_verified,
            phone_number: c.phone_number,
            phone_number_verified: c.phone_number_verified,
            profile: c.profile,
            picture: c.picture,
            gender: c.gender,
            birth_date: c.birthdate,
            zone_info: c.zoneinfo,
            locale: c.locale,
            updated_at: c.updated_at,
            identities: c.identities,
            metadata: c.metadata,
        }
    }
}

/// The claims of an IdP-initiated login token (the `idp_initiated_login`
/// query parameter of a redirect), from
/// [`get_idp_initiated_login_claims`](crate::ScalekitClient::get_idp_initiated_login_claims).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IdpInitiatedLoginClaims {
    /// The SSO connection to sign in through.
    pub connection_id: String,
    /// The organization of that connection.
    pub organization_id: String,
    /// The user's email or login identifier, when the IdP sent one.
    #[serde(default)]
    pub login_hint: Option<String>,
    /// The IdP's relay state, to pass on as `state`.
    #[serde(default)]
    pub relay_state: Option<String>,
    /// Every other claim (`iss`, `aud`, `exp`, ...).
    #[serde(flatten)]
    pub extra: ExtraClaims,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_follows_the_reference_claim_mapping() {
        let claims: IdTokenClaims = serde_json::from_value(serde_json::json!({
            "sub": "usr_1", "exp": 10, "preferred_username": "jdoe", "given_name": "J",
            "birthdate": "2000-01-01", "zoneinfo": "Europe/Paris", "updated_at": 1700000000,
            "identities": [{"connection_id": "conn_1", "social": false}],
            "metadata": {"k": "v"}, "custom": 1
        }))
        .unwrap();
        assert_eq!(claims.extra.get("custom"), Some(&serde_json::json!(1)));
        let user = User::from(claims);
        assert_eq!(user.id, "usr_1");
        assert_eq!(user.username.as_deref(), Some("jdoe"));
        assert_eq!(user.given_name.as_deref(), Some("J"));
        assert_eq!(user.birth_date.as_deref(), Some("2000-01-01"));
        assert_eq!(user.zone_info.as_deref(), Some("Europe/Paris"));
        assert_eq!(user.updated_at.as_deref(), Some("1700000000"));
        assert_eq!(user.identities[0].connection_id.as_deref(), Some("conn_1"));
        assert_eq!(user.metadata, Some(serde_json::json!({"k": "v"})));
    }

    #[test]
    fn access_token_scopes_merge_array_and_string() {
        let claims: AccessTokenClaims = serde_json::from_value(serde_json::json!({
            "exp": 1, "scopes": ["read", " ", "write"], "scope": "write admin", "aud": "skc_1"
        }))
        .unwrap();
        assert_eq!(claims.all_scopes(), ["read", "write", "admin"]);
        assert!(claims.aud.contains("skc_1"));
    }
}
