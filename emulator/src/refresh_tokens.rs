//! The refresh tokens the OAuth endpoints issued and not yet used, bounded:
//! a token leaves when it is used (they rotate), when it expires, or when
//! the store is full and it is the oldest. Without the bound, every sign-in
//! with `offline_access` whose refresh token is never used would stay for
//! the emulator's whole life.

use std::collections::HashMap;

use crate::tokens::RefreshGrant;

/// How long a refresh token is honoured: an emulator choice (the service's
/// lifetime is not published), long enough for any test run.
pub(crate) const REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 60 * 60;

/// At most this many unused refresh tokens are kept; past it the oldest is
/// dropped, and a client that presents it gets `invalid_grant`, as for a
/// revoked token.
pub(crate) const MAX_REFRESH_TOKENS: usize = 10_000;

struct Entry {
    grant: RefreshGrant,
    expires_at: u64,
    /// Issue order, to find the oldest.
    issued: u64,
}

/// Unused refresh tokens and what each stands for.
pub(crate) struct RefreshTokens {
    by_token: HashMap<String, Entry>,
    issued: u64,
    limit: usize,
}

impl Default for RefreshTokens {
    fn default() -> Self {
        RefreshTokens::with_limit(MAX_REFRESH_TOKENS)
    }
}

impl RefreshTokens {
    fn with_limit(limit: usize) -> Self {
        RefreshTokens {
            by_token: HashMap::new(),
            issued: 0,
            limit,
        }
    }

    /// Remembers `token`, issued at `now` (unix seconds). Makes room first:
    /// drops the expired tokens, then, if still full, the oldest.
    pub(crate) fn insert(&mut self, token: String, grant: RefreshGrant, now: u64) {
        if self.by_token.len() >= self.limit {
            self.by_token.retain(|_, entry| entry.expires_at > now);
        }
        while self.by_token.len() >= self.limit.max(1) {
            let Some(oldest) = self
                .by_token
                .iter()
                .min_by_key(|(_, entry)| entry.issued)
                .map(|(token, _)| token.clone())
            else {
                break;
            };
            self.by_token.remove(&oldest);
        }
        self.issued += 1;
        self.by_token.insert(
            token,
            Entry {
                grant,
                expires_at: now.saturating_add(REFRESH_TOKEN_TTL_SECS),
                issued: self.issued,
            },
        );
    }

    /// Takes `token` out (it is single-use), if it is known and unexpired
    /// at `now`.
    pub(crate) fn take(&mut self, token: &str, now: u64) -> Option<RefreshGrant> {
        self.by_token
            .remove(token)
            .filter(|entry| entry.expires_at > now)
            .map(|entry| entry.grant)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_token.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::SignIn;

    fn grant(user_id: &str) -> RefreshGrant {
        RefreshGrant {
            client_id: "skc_1".into(),
            sign_in: SignIn {
                user_id: user_id.into(),
                email: format!("{user_id}@acme.example"),
                name: "Ada Lovelace".into(),
                organization_id: None,
                connection_id: None,
                scope: "openid offline_access".into(),
                nonce: None,
                session_id: "ses_1".into(),
                asserted: None,
                roles: Vec::new(),
                permissions: Vec::new(),
            },
        }
    }

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn a_refresh_token_is_taken_once() {
        let mut tokens = RefreshTokens::default();
        tokens.insert("rt_a".into(), grant("usr_a"), NOW);
        let taken = tokens.take("rt_a", NOW + 1).map(|g| g.sign_in.user_id);
        assert_eq!(taken.as_deref(), Some("usr_a"));
        assert!(tokens.take("rt_a", NOW + 1).is_none(), "used");
        assert_eq!(tokens.len(), 0);
    }

    #[test]
    fn an_expired_refresh_token_is_refused_and_forgotten() {
        let mut tokens = RefreshTokens::default();
        tokens.insert("rt_a".into(), grant("usr_a"), NOW);
        assert!(tokens.take("rt_a", NOW + REFRESH_TOKEN_TTL_SECS).is_none());
        assert_eq!(tokens.len(), 0);
    }

    #[test]
    fn a_full_store_drops_expired_tokens_before_live_ones() {
        let mut tokens = RefreshTokens::with_limit(3);
        tokens.insert("rt_old_1".into(), grant("usr_1"), NOW);
        tokens.insert("rt_old_2".into(), grant("usr_2"), NOW);
        let later = NOW + REFRESH_TOKEN_TTL_SECS - 10;
        tokens.insert("rt_live".into(), grant("usr_3"), later);
        // Full; the two oldest expire by now, so both go and the live one stays.
        let now = NOW + REFRESH_TOKEN_TTL_SECS;
        tokens.insert("rt_new".into(), grant("usr_4"), now);
        assert_eq!(tokens.len(), 2);
        assert!(tokens.take("rt_live", now).is_some());
        assert!(tokens.take("rt_new", now).is_some());
    }

    #[test]
    fn a_full_store_of_live_tokens_drops_the_oldest() {
        let mut tokens = RefreshTokens::with_limit(3);
        for i in 0..10 {
            tokens.insert(format!("rt_{i}"), grant(&format!("usr_{i}")), NOW + i);
            assert!(tokens.len() <= 3, "after {i}: {}", tokens.len());
        }
        for i in 0..7 {
            assert!(
                tokens.take(&format!("rt_{i}"), NOW + 10).is_none(),
                "rt_{i} kept"
            );
        }
        for i in 7..10 {
            assert!(
                tokens.take(&format!("rt_{i}"), NOW + 10).is_some(),
                "rt_{i} dropped"
            );
        }
    }
}
