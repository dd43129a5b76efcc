//! What a user's sign-in tokens say they may do: the organization signed
//! in to (`oid`), their roles in it (`roles`) and the permissions those
//! roles give, inherited ones included (`permissions`).
//!
//! The organization is fixed when the user signs in; roles and permissions
//! are read from the store each time tokens are issued (code exchange and
//! every refresh), so a refresh after a role change carries the new ones,
//! as the service's tokens do.

use crate::store::Store;
use crate::tokens::SignIn;

/// The organization a sign-in is for: the one the request named, else the
/// user's only membership (none when they have several or none).
pub(crate) fn organization_of(
    store: &Store,
    user_id: &str,
    requested: Option<String>,
) -> Option<String> {
    if requested.is_some() {
        return requested;
    }
    let memberships = &store.users.get(user_id)?.memberships;
    match memberships.as_slice() {
        [only] => Some(only.organization_id.clone()),
        _ => None,
    }
}

/// `sign_in` with the roles and permissions its user holds now in its
/// organization (none without an organization or a membership in it).
pub(crate) fn current(store: &Store, mut sign_in: SignIn) -> SignIn {
    let membership = sign_in.organization_id.as_deref().and_then(|org| {
        store
            .users
            .get(&sign_in.user_id)?
            .memberships
            .iter()
            .find(|m| m.organization_id == org)
    });
    (sign_in.roles, sign_in.permissions) = match membership {
        Some(membership) => {
            let roles: Vec<String> = membership.roles.iter().map(|r| r.name.clone()).collect();
            let permissions = store
                .membership_permissions(
                    &membership.organization_id,
                    roles.iter().map(String::as_str),
                )
                .into_iter()
                .map(|p| p.name)
                .collect();
            (roles, permissions)
        }
        None => (Vec::new(), Vec::new()),
    };
    sign_in
}
