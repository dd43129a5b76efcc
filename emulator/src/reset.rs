//! [`EmulatorHandle::reset`](crate::EmulatorHandle::reset): the
//! environment back to the state start-up left it in, without a restart.
//!
//! The store is rebuilt from what made it (the id seed and the fixtures) on
//! a fresh `Store`, then swapped in behind the same lock, so every service,
//! handler and handle keeps working on it; ids restart where start-up's
//! left off. What identifies the environment itself stays: its address,
//! client credentials, signing keys and the access tokens issued so far, so
//! a client that holds a token keeps working without fetching a new one.

use std::sync::Arc;

use crate::env::Environment;
use crate::seed::{self, Fixtures, SeedError};
use crate::services::Context;
use crate::store::{SharedStore, Store};

/// What start-up built the store from.
pub(crate) struct Baseline {
    /// The builder's `id_seed`.
    pub(crate) id_seed: u64,
    /// The builder's fixtures (empty when none were given).
    pub(crate) fixtures: Fixtures,
}

/// Returns `env` to its seeded state.
///
/// What it does, in order (add a line here for every new piece of state a
/// test can leave behind):
/// 1. rebuilds the store: the seeded records, nothing created since;
/// 2. forgets pending authorization codes and refresh tokens (their users
///    and sessions went with the store; access tokens stay valid);
/// 3. clears every injected fault ([`crate::env::Faults::clear`]);
/// 4. zeroes the request counters (token requests, RPC counts).
///
/// The request journal and the webhook deliveries join this list when they
/// exist: each clears itself from a `pub(crate) fn` called here.
pub(crate) async fn reset(env: &Environment) -> Result<(), SeedError> {
    let fresh = seeded(env).await?;
    std::mem::swap(&mut *env.store.lock(), &mut *fresh.lock());
    env.tokens.forget_sign_ins();
    env.faults.clear();
    env.stats.clear();
    // Every other record a test can read back is cleared here too, each by
    // a `pub(crate) fn` of its own module (the request journal, webhook
    // deliveries, …).
    Ok(())
}

/// A store built as start-up built `env`'s: the id seed, then the fixtures
/// applied through services of its own.
async fn seeded(env: &Environment) -> Result<Arc<SharedStore>, SeedError> {
    let store = Arc::new(SharedStore::new(Store::new(env.baseline.id_seed)));
    let ctx = Context::new(store.clone(), &env.services.env_url);
    seed::apply(&ctx, &env.baseline.fixtures).await?;
    Ok(store)
}
