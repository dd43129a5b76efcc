//! API tokens: opaque credentials scoped to an organization and optionally
//! to one of its users, found by their id (`apit_…`) or by the token itself.
//!
//! A token goes with its owners: deleting its organization, or the user it
//! is scoped to, removes it (see `Store::remove_organization` and
//! `Store::remove_user`), so every token in the map has both.

use std::collections::HashMap;
use std::fmt;

use prost_types::Timestamp;
use rand::distributions::{Alphanumeric, DistString as _};

use super::Store;

/// Length of an opaque token: 40 Base62 characters carry about 238 bits.
const TOKEN_CHARS: usize = 40;

/// How many of a token's last characters identify it in reads.
const SUFFIX_CHARS: usize = 4;

/// One issued API token.
#[derive(Clone)]
pub(crate) struct ApiTokenRecord {
    pub(crate) id: String,
    /// The opaque token: a credential, never printed (see the `Debug` impl).
    pub(crate) secret: String,
    pub(crate) organization_id: String,
    pub(crate) user_id: Option<String>,
    pub(crate) custom_claims: HashMap<String, String>,
    pub(crate) expiry: Option<Timestamp>,
    pub(crate) created_at: Timestamp,
    pub(crate) description: Option<String>,
    /// Set by InvalidateToken; the record stays, so repeating it succeeds.
    pub(crate) invalidated: bool,
}

impl ApiTokenRecord {
    /// The token's last characters, which reads show in place of it.
    pub(crate) fn suffix(&self) -> String {
        let skip = self.secret.chars().count().saturating_sub(SUFFIX_CHARS);
        self.secret.chars().skip(skip).collect()
    }

    /// Whether the token's expiry, if it has one, is at or before `now`.
    pub(crate) fn expired_at(&self, now: &Timestamp) -> bool {
        self.expiry
            .is_some_and(|e| (e.seconds, e.nanos) <= (now.seconds, now.nanos))
    }

    /// Not invalidated and not expired at `now`.
    pub(crate) fn usable_at(&self, now: &Timestamp) -> bool {
        !self.invalidated && !self.expired_at(now)
    }
}

impl fmt::Debug for ApiTokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiTokenRecord")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("organization_id", &self.organization_id)
            .field("user_id", &self.user_id)
            .field("custom_claims", &self.custom_claims)
            .field("expiry", &self.expiry)
            .field("created_at", &self.created_at)
            .field("description", &self.description)
            .field("invalidated", &self.invalidated)
            .finish()
    }
}

/// What a new token is issued for; the store adds the id, the secret and
/// the creation time.
pub(crate) struct NewApiToken {
    pub(crate) organization_id: String,
    pub(crate) user_id: Option<String>,
    pub(crate) custom_claims: HashMap<String, String>,
    pub(crate) expiry: Option<Timestamp>,
    pub(crate) description: Option<String>,
}

impl Store {
    /// Issues a token and returns its id. The caller has checked that the
    /// organization exists and the user is one of its members.
    pub(crate) fn issue_api_token(&mut self, new: NewApiToken) -> String {
        let id = self.ids.next("apit");
        let secret = loop {
            let candidate = Alphanumeric.sample_string(&mut rand::thread_rng(), TOKEN_CHARS);
            // A collision is all but impossible; never hand out a duplicate.
            if !self.api_tokens.values().any(|t| t.secret == candidate) {
                break candidate;
            }
        };
        let record = ApiTokenRecord {
            id: id.clone(),
            secret,
            organization_id: new.organization_id,
            user_id: new.user_id,
            custom_claims: new.custom_claims,
            expiry: new.expiry,
            created_at: super::now(),
            description: new.description,
            invalidated: false,
        };
        self.api_tokens.insert(id.clone(), record);
        id
    }

    /// The id of the issued token that `token` names, as its id or as the
    /// token itself; `None` if it names none.
    pub(crate) fn api_token_id(&self, token: &str) -> Option<String> {
        let record = match self.api_tokens.get(token) {
            Some(record) => record,
            None => self.api_tokens.values().find(|t| t.secret == token)?,
        };
        Some(record.id.clone())
    }

    /// Removes the tokens for which `belongs` holds: part of the delete
    /// cascades of organizations and users.
    pub(crate) fn remove_api_tokens(&mut self, belongs: impl Fn(&ApiTokenRecord) -> bool) {
        self.api_tokens.retain(|_, t| !belongs(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(store: &mut Store, org: &str) -> String {
        store.issue_api_token(NewApiToken {
            organization_id: org.to_string(),
            user_id: None,
            custom_claims: HashMap::new(),
            expiry: None,
            description: None,
        })
    }

    #[test]
    fn tokens_are_found_by_id_or_secret_and_debug_hides_the_secret() {
        let mut store = Store::new(0);
        store
            .organizations
            .insert("org_1".to_string(), Default::default());
        let id = issue(&mut store, "org_1");
        let record = store.api_tokens[&id].clone();
        assert!(id.starts_with("apit_"));
        assert_eq!(record.secret.len(), TOKEN_CHARS);
        assert!(record.secret.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(record.secret.ends_with(&record.suffix()));
        assert_eq!(record.suffix().len(), SUFFIX_CHARS);
        assert_eq!(store.api_token_id(&id), Some(id.clone()));
        assert_eq!(store.api_token_id(&record.secret), Some(id.clone()));
        assert_eq!(store.api_token_id("apit_0"), None);
        let shown = format!("{record:?}");
        assert!(!shown.contains(&record.secret), "{shown}");
    }

    #[test]
    fn secrets_differ_and_tokens_go_with_their_organization() {
        let mut store = Store::new(0);
        store
            .organizations
            .insert("org_1".to_string(), Default::default());
        let one = issue(&mut store, "org_1");
        let two = issue(&mut store, "org_1");
        assert_ne!(store.api_tokens[&one].secret, store.api_tokens[&two].secret);
        store.remove_organization("org_1");
        assert_eq!(store.api_token_id(&one), None);
        assert!(
            store.api_tokens.is_empty(),
            "the records left with their organization"
        );
    }

    #[test]
    fn a_user_scoped_token_goes_with_its_user_and_the_others_stay() {
        let mut store = Store::new(0);
        store
            .organizations
            .insert("org_1".to_string(), Default::default());
        let shared = issue(&mut store, "org_1");
        let scoped = store.issue_api_token(NewApiToken {
            organization_id: "org_1".to_string(),
            user_id: Some("usr_1".to_string()),
            custom_claims: HashMap::new(),
            expiry: None,
            description: None,
        });
        store.remove_user("usr_2");
        assert_eq!(store.api_tokens.len(), 2, "another user's removal");
        store.remove_user("usr_1");
        assert_eq!(store.api_token_id(&scoped), None);
        assert_eq!(store.api_token_id(&shared), Some(shared.clone()));
    }

    #[test]
    fn expiry_is_inclusive_and_invalidation_ends_use() {
        let mut store = Store::new(0);
        store
            .organizations
            .insert("org_1".to_string(), Default::default());
        let id = issue(&mut store, "org_1");
        let at = Timestamp {
            seconds: 100,
            nanos: 0,
        };
        let record = store.api_tokens.get_mut(&id).unwrap();
        assert!(record.usable_at(&at));
        record.expiry = Some(at);
        assert!(record.expired_at(&at) && !record.usable_at(&at));
        record.expiry = None;
        record.invalidated = true;
        assert!(!record.usable_at(&at));
    }
}
