//! Which RPCs may be sent twice: declared once, by the verb that starts the
//! method name, and decided at compile time.
//!
//! A retry after a lost response may repeat a call the server already
//! carried out. For reads that is harmless, and so it is for deletes,
//! revocations and enable/disable of one record by id: the second call
//! finds the state the first one left. Creates, updates, sends and resends
//! could be applied twice (two users, two emails, a newer update
//! overwritten by a replayed older one), so they are retried only when the
//! request provably never left (see [`retry::never_sent`](super::retry)).

/// Every verb a facade method starts with, and whether calls with it are
/// idempotent. A method with a verb missing here does not compile.
const VERBS: &[(&str, bool)] = &[
    ("get", true),
    ("list", true),
    ("search", true),
    ("validate", true),
    ("delete", true),
    ("remove", true),
    ("revoke", true),
    ("invalidate", true),
    ("enable", true),
    ("disable", true),
    ("create", false),
    ("add", false),
    ("assign", false),
    ("update", false),
    ("upsert", false),
    ("generate", false),
    ("send", false),
    ("resend", false),
    ("verify", false),
];

/// Whether `method` (a generated client's snake_case method name) is
/// idempotent. Meant for constant evaluation, so that an unlisted verb is
/// a build error rather than a silent default.
pub(crate) const fn is_idempotent(method: &str) -> bool {
    let method = method.as_bytes();
    let mut i = 0;
    while i < VERBS.len() {
        let (verb, idempotent) = VERBS[i];
        if starts_with_verb(method, verb.as_bytes()) {
            return idempotent;
        }
        i += 1;
    }
    panic!("this RPC's verb is not in the idempotency table (src/transport/idempotency.rs)")
}

/// `method` is `verb` or starts with `verb_`.
const fn starts_with_verb(method: &[u8], verb: &[u8]) -> bool {
    if method.len() < verb.len() {
        return false;
    }
    let mut i = 0;
    while i < verb.len() {
        if method[i] != verb[i] {
            return false;
        }
        i += 1;
    }
    method.len() == verb.len() || method[verb.len()] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_deletes_are_idempotent_writes_are_not() {
        for method in [
            "get_user",
            "list_organization_users",
            "delete_membership",
            "revoke_all_user_sessions",
            "remove_permission_from_role",
            "enable_connection",
            "disable_directory",
            "validate_token",
            "invalidate_token",
            "list_events_paginated",
            "delete_organization_client_secret",
        ] {
            assert!(is_idempotent(method), "{method}");
        }
        for method in [
            "create_user_and_membership",
            "update_user",
            "upsert_user_management_settings",
            "add_permissions_to_role",
            "generate_portal_link",
            "send_passwordless_email",
            "resend_invite",
            "verify_passwordless_email",
            "create_token",
            "update_token",
            "create_organization_client_secret",
        ] {
            assert!(!is_idempotent(method), "{method}");
        }
    }

    #[test]
    fn a_verb_matches_whole_words_only() {
        // `send` must not claim `sender_…`, nor `get` claim `getaway_…`.
        assert!(starts_with_verb(b"send_email", b"send"));
        assert!(!starts_with_verb(b"sender_x", b"send"));
        assert!(!starts_with_verb(b"getaway", b"get"));
        assert!(starts_with_verb(b"get", b"get"));
    }

    #[test]
    #[should_panic(expected = "idempotency table")]
    fn an_unlisted_verb_is_refused() {
        is_idempotent("frobnicate_user");
    }
}
