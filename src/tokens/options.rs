//! The options structs of [`TokensClient`]'s methods: one per RPC with
//! optional parameters, each a plain value with chainable `with_*` setters.

use std::collections::HashMap;
use std::time::SystemTime;

#[cfg(doc)]
use super::TokensClient;
use crate::pagination::token_page_options;
#[cfg(doc)]
use crate::pagination::Page;

/// Optional parameters of [`TokensClient::create_token`].
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use scalekit::tokens::CreateTokenOptions;
///
/// let opts = CreateTokenOptions::default()
///     .with_user_id("usr_123")
///     .with_custom_claim("env", "production")
///     .with_expiry(SystemTime::now() + Duration::from_secs(30 * 24 * 3600))
///     .with_description("CI pipeline");
/// assert_eq!(opts.custom_claims["env"], "production");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateTokenOptions {
    /// Scopes the token to one user of the organization as well; unset, the
    /// token speaks for the organization only.
    pub user_id: Option<String>,
    /// Key-value pairs handed back with the token whenever it is validated.
    /// The server limits their number and lengths.
    pub custom_claims: HashMap<String, String>,
    /// When the token stops being valid; unset, it does not expire.
    pub expiry: Option<SystemTime>,
    /// A label for people, e.g. what the token is for.
    pub description: Option<String>,
}

impl CreateTokenOptions {
    /// Sets [`user_id`](Self::user_id).
    #[must_use]
    pub fn with_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Adds one pair to [`custom_claims`](Self::custom_claims), replacing
    /// an earlier value of the same key.
    #[must_use]
    pub fn with_custom_claim(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom_claims.insert(key.into(), value.into());
        self
    }

    /// Adds every pair of `claims` to [`custom_claims`](Self::custom_claims).
    #[must_use]
    pub fn with_custom_claims<K, V>(mut self, claims: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.custom_claims
            .extend(claims.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sets [`expiry`](Self::expiry).
    #[must_use]
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// Sets [`description`](Self::description).
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Optional parameters of [`TokensClient::list_tokens`] and
/// [`TokensClient::list_tokens_stream`].
///
/// ```
/// use scalekit::tokens::ListTokensOptions;
///
/// let opts = ListTokensOptions::default().with_user_id("usr_123").with_page_size(30);
/// assert_eq!(opts.page_size, Some(30));
/// assert_eq!(opts.page_token, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListTokensOptions {
    /// Lists only the tokens scoped to this user.
    pub user_id: Option<String>,
    /// Tokens per page; unset, the server's default (10). Sent as given: the
    /// server enforces its range (at most 30).
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl ListTokensOptions {
    /// Sets [`user_id`](Self::user_id).
    #[must_use]
    pub fn with_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Sets [`page_size`](Self::page_size).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Sets [`page_token`](field@Self::page_token).
    #[must_use]
    pub fn with_page_token(mut self, page_token: impl Into<String>) -> Self {
        self.page_token = Some(page_token.into());
        self
    }
}

token_page_options!(ListTokensOptions);

/// Optional parameters of [`TokensClient::update_token`]: the fields to
/// change.
///
/// ```
/// use scalekit::tokens::UpdateTokenOptions;
///
/// let opts = UpdateTokenOptions::default()
///     .with_custom_claim("scope", "read")
///     .with_description("");
/// assert_eq!(opts.description.as_deref(), Some(""));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct UpdateTokenOptions {
    /// The token's new custom claims. An empty map changes nothing: on the
    /// wire it cannot be told apart from no map at all.
    pub custom_claims: HashMap<String, String>,
    /// The new description; `Some("")` clears it, unset keeps it.
    pub description: Option<String>,
}

impl UpdateTokenOptions {
    /// Adds one pair to [`custom_claims`](Self::custom_claims), replacing
    /// an earlier value of the same key.
    #[must_use]
    pub fn with_custom_claim(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom_claims.insert(key.into(), value.into());
        self
    }

    /// Adds every pair of `claims` to [`custom_claims`](Self::custom_claims).
    #[must_use]
    pub fn with_custom_claims<K, V>(mut self, claims: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.custom_claims
            .extend(claims.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sets [`description`](Self::description).
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}
