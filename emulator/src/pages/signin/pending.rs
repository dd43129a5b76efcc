//! Sign-ins in progress on the sign-in page: the authorization request a
//! page was opened for, kept server-side under a random token until the
//! person picks how to sign in, cancels, or takes too long.
//!
//! The token is the page's CSRF token: every form of the page sends it, and
//! a POST whose token was not handed out by a page visit (or was used up,
//! or expired) is refused. The authorization request's parameters (redirect
//! URI, state, nonce, PKCE challenge, scope) stay here rather than in the
//! forms, so that an edited form cannot change where the code goes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::distributions::{Alphanumeric, DistString as _};

use crate::tokens::lock;

/// How long a sign-in page stays usable after it was opened.
pub(crate) const PENDING_TTL: Duration = Duration::from_secs(15 * 60);

/// At most this many sign-ins are kept; opening one more forgets the oldest.
pub(crate) const MAX_PENDING: usize = 1024;

/// The validated parameters of `GET /oauth/authorize` that the sign-in
/// completes with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    /// (challenge, method) when the request used PKCE.
    pub(crate) challenge: Option<(String, String)>,
    pub(crate) organization_id: Option<String>,
    pub(crate) connection_id: Option<String>,
    pub(crate) scope: String,
    pub(crate) nonce: Option<String>,
}

/// One sign-in in progress.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub(crate) authorization: Authorization,
    /// The passwordless auth request (`authreq_…`) the page sent a code
    /// for, once it did.
    pub(crate) passwordless: Option<String>,
    opened: Instant,
}

/// The sign-ins in progress, by token.
#[derive(Default)]
pub(crate) struct PendingSignIns {
    entries: Mutex<HashMap<String, Pending>>,
}

impl PendingSignIns {
    /// Forgets every open sign-in (for `reset`).
    pub(crate) fn clear(&self) {
        lock(&self.entries).clear();
    }

    /// Keeps `authorization` and returns the new token that names it.
    pub(crate) fn open(&self, authorization: Authorization) -> String {
        self.open_at(authorization, Instant::now())
    }

    fn open_at(&self, authorization: Authorization, now: Instant) -> String {
        let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        let mut entries = lock(&self.entries);
        entries.retain(|_, p| live(p, now));
        if entries.len() >= MAX_PENDING {
            let oldest = entries
                .iter()
                .min_by_key(|(_, p)| p.opened)
                .map(|(token, _)| token.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            token.clone(),
            Pending {
                authorization,
                passwordless: None,
                opened: now,
            },
        );
        token
    }

    /// The sign-in `token` names, if it is still open.
    pub(crate) fn get(&self, token: &str) -> Option<Pending> {
        self.get_at(token, Instant::now())
    }

    fn get_at(&self, token: &str, now: Instant) -> Option<Pending> {
        lock(&self.entries)
            .get(token)
            .filter(|p| live(p, now))
            .cloned()
    }

    /// Ends the sign-in `token` names (it completed or was cancelled), so
    /// that its forms cannot be sent twice.
    pub(crate) fn take(&self, token: &str) -> Option<Pending> {
        let now = Instant::now();
        lock(&self.entries).remove(token).filter(|p| live(p, now))
    }

    /// Records the passwordless auth request the sign-in sent a code for.
    pub(crate) fn set_passwordless(&self, token: &str, auth_request_id: String) {
        if let Some(pending) = lock(&self.entries).get_mut(token) {
            pending.passwordless = Some(auth_request_id);
        }
    }

    /// Sends the sign-in through an SSO connection found after its page was
    /// opened (by the domain of a typed email): from then on only that
    /// connection's identity provider completes it, for its organization.
    pub(crate) fn set_connection(
        &self,
        token: &str,
        connection_id: String,
        organization_id: Option<String>,
    ) {
        if let Some(pending) = lock(&self.entries).get_mut(token) {
            pending.authorization.connection_id = Some(connection_id);
            pending.authorization.organization_id = organization_id;
        }
    }

    /// The token of the open sign-in waiting on this auth request.
    pub(crate) fn by_passwordless(&self, auth_request_id: &str) -> Option<String> {
        let now = Instant::now();
        lock(&self.entries)
            .iter()
            .find(|(_, p)| live(p, now) && p.passwordless.as_deref() == Some(auth_request_id))
            .map(|(token, _)| token.clone())
    }
}

fn live(pending: &Pending, now: Instant) -> bool {
    now.saturating_duration_since(pending.opened) < PENDING_TTL
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authorization(state: &str) -> Authorization {
        Authorization {
            redirect_uri: "http://127.0.0.1:3000/callback".into(),
            state: Some(state.into()),
            challenge: None,
            organization_id: None,
            connection_id: None,
            scope: "openid".into(),
            nonce: None,
        }
    }

    #[test]
    fn a_token_names_its_sign_in_until_taken() {
        let pending = PendingSignIns::default();
        let token = pending.open(authorization("s1"));
        assert_eq!(token.len(), 32);
        let state = |p: Option<Pending>| p.and_then(|p| p.authorization.state);
        assert_eq!(state(pending.get(&token)).as_deref(), Some("s1"));
        assert_eq!(state(pending.take(&token)).as_deref(), Some("s1"));
        assert!(pending.get(&token).is_none());
        assert!(pending.take(&token).is_none());
        assert!(pending.get("not-a-token").is_none());
    }

    #[test]
    fn a_sign_in_expires() {
        let pending = PendingSignIns::default();
        let start = Instant::now();
        let token = pending.open_at(authorization("s1"), start);
        assert!(pending.get_at(&token, start + PENDING_TTL / 2).is_some());
        assert!(pending.get_at(&token, start + PENDING_TTL).is_none());
    }

    #[test]
    fn opening_past_the_bound_forgets_the_oldest() {
        let pending = PendingSignIns::default();
        let start = Instant::now();
        let at = |ms: usize| start + Duration::from_millis(ms as u64);
        let first = pending.open_at(authorization("first"), at(0));
        let second = pending.open_at(authorization("second"), at(1));
        for n in 2..=MAX_PENDING {
            pending.open_at(authorization("more"), at(n));
        }
        let now = at(MAX_PENDING + 1);
        assert!(pending.get_at(&first, now).is_none());
        assert!(pending.get_at(&second, now).is_some());
        assert_eq!(lock(&pending.entries).len(), MAX_PENDING);
    }

    #[test]
    fn a_sign_in_is_found_by_its_passwordless_request() {
        let pending = PendingSignIns::default();
        let token = pending.open(authorization("s1"));
        assert!(pending.by_passwordless("authreq_1").is_none());
        pending.set_passwordless(&token, "authreq_1".into());
        assert_eq!(pending.by_passwordless("authreq_1"), Some(token));
    }
}
