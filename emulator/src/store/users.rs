//! Users: lookups by email and external id, the cascade of a user's
//! deletion, and the profile's name aliases.

use scalekit::proto::commons::UserProfile;

use super::Store;

impl Store {
    /// The user with this email, compared case-insensitively.
    pub(crate) fn user_id_by_email(&self, email: &str) -> Option<String> {
        self.users
            .values()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .map(|u| u.id.clone())
    }

    pub(crate) fn user_id_by_external_id(&self, external_id: &str) -> Option<String> {
        self.users
            .values()
            .find(|u| u.external_id.as_deref() == Some(external_id))
            .map(|u| u.id.clone())
    }

    /// Removes a user with everything that belongs to them: invites,
    /// sessions, WebAuthn credentials and the API tokens scoped to them.
    pub(crate) fn remove_user(&mut self, user_id: &str) {
        self.users.remove(user_id);
        self.invites.retain(|(_, user), _| user != user_id);
        self.sessions.retain(|_, s| s.user_id != user_id);
        self.webauthn_credentials
            .retain(|_, c| c.user_id != user_id);
        self.remove_api_tokens(|t| t.user_id.as_deref() == Some(user_id));
    }
}

/// Keeps a profile's deprecated `first_name`/`last_name` equal to their
/// replacements `given_name`/`family_name`, as the service does for clients
/// that still read or write the old fields (the Node SDK 2.2.2 uses only
/// them). The replacement is the source of truth: an alias only fills in a
/// replacement that is empty. Writers resolve a conflict before calling
/// this (see the user service), so both fields of a stored profile always
/// hold the same name.
#[allow(deprecated)]
pub(crate) fn align_name_aliases(profile: &mut UserProfile) {
    if profile.given_name.is_empty() {
        profile.given_name = profile.first_name.clone();
    }
    if profile.family_name.is_empty() {
        profile.family_name = profile.last_name.clone();
    }
    profile.first_name.clone_from(&profile.given_name);
    profile.last_name.clone_from(&profile.family_name);
}
