//! Which RPCs may be sent twice, from the contract: the HTTP verb of each
//! RPC's `google.api.http` binding, plus a short table of exceptions,
//! decided at compile time. Beside it, the one other thing the call path
//! needs to know per RPC: whether its `UNAUTHENTICATED` is about its
//! argument rather than the caller's bearer.
//!
//! A retry after a lost response may repeat a call the server already
//! carried out. As in google-cloud-rust, an RPC bound to GET, PUT or DELETE
//! is idempotent: repeating it finds the state the first call left. One
//! bound to POST or PATCH is not (two users, two emails, a newer update
//! overwritten by a replayed older one), so it is retried only when the
//! request provably never left (see [`retry::never_sent`](super::retry)).
//!
//! `cargo xtask sync-protos` writes every binding to `proto/http_bindings.tsv`
//! (the rendered `.proto` files carry no google.api options), and `build.rs`
//! turns the table into one struct per service (`proto::users::UserServiceRpcs`)
//! with a `const fn` per RPC, named like the generated client's method. The
//! `call!` macro picks the struct from the client's type and calls the
//! method of the same name, so an RPC without a binding does not compile.

/// The verb of an RPC's HTTP binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Put,
    Delete,
    Post,
    Patch,
}

impl Verb {
    /// GET, PUT and DELETE are idempotent; POST and PATCH are not.
    pub(crate) const fn is_idempotent(self) -> bool {
        matches!(self, Verb::Get | Verb::Put | Verb::Delete)
    }
}

/// One RPC's contract, as the call path needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rpc {
    /// The proto name (`GetUser`), for the tracing span.
    pub(crate) name: &'static str,
    /// Whether a response lost in transit may be answered by resending.
    pub(crate) idempotent: bool,
    /// Whether its `UNAUTHENTICATED` is about the token it was asked to
    /// judge, not about the caller's bearer (see [`REFUSE_THEIR_ARGUMENT`]).
    pub(crate) refuses_its_argument: bool,
}

impl Rpc {
    /// The contract of `service`'s RPC `name` bound to `verb`: the verb
    /// decides, unless [`EXCEPTIONS`] overrides it.
    pub(crate) const fn new(service: &str, name: &'static str, verb: Verb) -> Rpc {
        let mut idempotent = verb.is_idempotent();
        let mut i = 0;
        while i < EXCEPTIONS.len() {
            let (s, n, exception) = EXCEPTIONS[i];
            if same(s, service) && same(n, name) {
                idempotent = exception;
            }
            i += 1;
        }
        let mut refuses_its_argument = false;
        let mut i = 0;
        while i < REFUSE_THEIR_ARGUMENT.len() {
            let (s, n) = REFUSE_THEIR_ARGUMENT[i];
            refuses_its_argument |= same(s, service) && same(n, name);
            i += 1;
        }
        Rpc {
            name,
            idempotent,
            refuses_its_argument,
        }
    }
}

/// A generated client that has a table of its RPCs (build.rs implements it
/// for every one).
pub(crate) trait Rpcs {
    /// The table: one `const fn` per RPC returning its [`Rpc`], named like
    /// the client's method.
    type Table: Copy;
    /// The table's (only) value.
    const TABLE: Self::Table;
}

/// RPCs whose HTTP verb misleads about what a replay does: (service, RPC,
/// idempotent). Every row must name an RPC and change its verb's answer,
/// or the crate does not compile.
const EXCEPTIONS: &[(&str, &str, bool)] = &[
    // POST only because the filter travels in a body: both only read.
    ("scalekit.v1.events.EventsService", "ListEvents", true),
    (
        "scalekit.v1.events.EventsService",
        "ListEventsPaginated",
        true,
    ),
    // POST `tokens:validate` reads: it checks a token and changes nothing.
    ("scalekit.v1.tokens.ApiTokenService", "ValidateToken", true),
    // POST actions that only ever move a record one way, like a DELETE: a
    // replay finds the session revoked or the token invalidated already,
    // and nothing undoes either in between. Retrying them matters more
    // than for most writes: a revocation lost to a transient failure
    // leaves a credential alive.
    ("scalekit.v1.sessions.SessionService", "RevokeSession", true),
    (
        "scalekit.v1.sessions.SessionService",
        "RevokeAllUserSessions",
        true,
    ),
    (
        "scalekit.v1.tokens.ApiTokenService",
        "InvalidateToken",
        true,
    ),
    // PUT, but every call mints a new admin-portal link: a replay leaves a
    // second live link (a credential) that the caller never saw.
    (
        "scalekit.v1.organizations.OrganizationService",
        "GeneratePortalLink",
        false,
    ),
];

/// RPCs that answer `UNAUTHENTICATED` about their *argument*, not about the
/// caller's bearer: (service, RPC). `ApiTokenService/ValidateToken` says so
/// of an API token that is unknown, expired or invalidated. Such an answer
/// must not drop the client's own token (anyone able to make an application
/// validate junk would otherwise force a token request per junk token), and
/// resending cannot change it.
const REFUSE_THEIR_ARGUMENT: &[(&str, &str)] =
    &[("scalekit.v1.tokens.ApiTokenService", "ValidateToken")];

// A typo or a removed RPC would make a row silently do nothing.
const _: () = {
    if let Some(problem) = stale_exception(EXCEPTIONS, crate::proto::HTTP_BINDINGS) {
        panic!("{}", problem);
    }
    let mut i = 0;
    while i < REFUSE_THEIR_ARGUMENT.len() {
        let (service, name) = REFUSE_THEIR_ARGUMENT[i];
        if binding_of(service, name, crate::proto::HTTP_BINDINGS).is_none() {
            panic!("a row of REFUSE_THEIR_ARGUMENT names an RPC that proto/ lacks");
        }
        i += 1;
    }
};

/// The verb `bindings` give `service`'s RPC `name`, if they have it.
const fn binding_of(service: &str, name: &str, bindings: &[(&str, &str, Verb)]) -> Option<Verb> {
    let mut found = None;
    let mut j = 0;
    while j < bindings.len() {
        let (s, n, verb) = bindings[j];
        if same(s, service) && same(n, name) {
            found = Some(verb);
        }
        j += 1;
    }
    found
}

/// The first row of `exceptions` that names no RPC of `bindings`, or that
/// agrees with its RPC's verb (and so is not an exception).
const fn stale_exception(
    exceptions: &[(&str, &str, bool)],
    bindings: &[(&str, &str, Verb)],
) -> Option<&'static str> {
    let mut i = 0;
    while i < exceptions.len() {
        let (service, name, idempotent) = exceptions[i];
        match binding_of(service, name, bindings) {
            None => return Some("an idempotency exception names an RPC that proto/ lacks"),
            Some(verb) if verb.is_idempotent() == idempotent => {
                return Some("an idempotency exception agrees with its RPC's HTTP verb")
            }
            Some(_) => {}
        }
        i += 1;
    }
    None
}

/// `a == b`, usable in constants.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{events, organizations, roles, sessions, tokens, users};

    #[test]
    fn reads_puts_and_deletes_are_idempotent_posts_and_patches_are_not() {
        let users = users::UserServiceRpcs;
        let cases = [
            // GET
            (users.get_user(), true),
            (users.list_organization_users(), true),
            (users.search_users(), true),
            // DELETE
            (users.delete_membership(), true),
            (users.remove_user_role(), true),
            // PUT
            (roles::RolesServiceRpcs.update_role(), true),
            // POST
            (users.create_user_and_membership(), false),
            (users.assign_user_roles(), false),
            (tokens::ApiTokenServiceRpcs.create_token(), false),
            // PATCH, including the upsert and the enable/disable switches
            (users.update_user(), false),
            (users.resend_invite(), false),
            (
                organizations::OrganizationServiceRpcs.upsert_user_management_settings(),
                false,
            ),
        ];
        for (rpc, idempotent) in cases {
            assert_eq!(rpc.idempotent, idempotent, "{}", rpc.name);
        }
    }

    #[test]
    fn every_exception_overrides_its_verb() {
        let cases = [
            (events::EventsServiceRpcs.list_events(), true),
            (events::EventsServiceRpcs.list_events_paginated(), true),
            (tokens::ApiTokenServiceRpcs.validate_token(), true),
            (sessions::SessionServiceRpcs.revoke_session(), true),
            (
                sessions::SessionServiceRpcs.revoke_all_user_sessions(),
                true,
            ),
            (tokens::ApiTokenServiceRpcs.invalidate_token(), true),
            (
                organizations::OrganizationServiceRpcs.generate_portal_link(),
                false,
            ),
        ];
        assert_eq!(cases.len(), EXCEPTIONS.len(), "one case per exception");
        for (rpc, idempotent) in cases {
            assert_eq!(rpc.idempotent, idempotent, "{}", rpc.name);
        }
    }

    #[test]
    fn each_method_carries_its_proto_name() {
        let cases = [
            (users::UserServiceRpcs.get_user(), "GetUser"),
            (
                users::UserServiceRpcs.create_user_and_membership(),
                "CreateUserAndMembership",
            ),
            // Acronyms: the generated client's `delete_portal_link_by_id`.
            (
                organizations::OrganizationServiceRpcs.delete_portal_link_by_id(),
                "DeletePortalLinkByID",
            ),
        ];
        for (rpc, name) in cases {
            assert_eq!(rpc.name, name);
        }
    }

    #[test]
    fn only_validate_token_refuses_its_argument() {
        let tokens = tokens::ApiTokenServiceRpcs;
        assert!(tokens.validate_token().refuses_its_argument);
        assert!(!tokens.create_token().refuses_its_argument);
        assert!(!tokens.invalidate_token().refuses_its_argument);
        assert!(!users::UserServiceRpcs.get_user().refuses_its_argument);
    }

    #[test]
    fn a_stale_exception_is_refused() {
        let bindings = [("s.S", "Get", Verb::Get), ("s.S", "Create", Verb::Post)];
        let cases = [
            (("s.S", "Gone", false), Some("lacks")),
            (("s.S", "Get", true), Some("agrees")),
            (("s.S", "Get", false), None),
            (("s.S", "Create", true), None),
        ];
        for (exception, problem) in cases {
            let found = stale_exception(&[exception], &bindings);
            assert_eq!(
                found.map(|p| p.contains(problem.unwrap_or("-"))),
                problem.map(|_| true),
                "{exception:?}: {found:?}"
            );
        }
    }
}
