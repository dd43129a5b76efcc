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
/// 1. rebuilds the store: the seeded records, nothing created since (the
///    webhook queue the old store fed moves over to it);
/// 2. forgets pending authorization codes and refresh tokens (their users
///    and sessions went with the store; access tokens stay valid), and the
///    sign-in page's open sign-ins;
/// 3. clears every injected fault ([`crate::env::Faults::clear`]);
/// 4. zeroes the request counters (token requests, RPC counts);
/// 5. empties the request journal.
///
/// Registered webhook endpoints stay, as configuration does, and so does
/// their delivery log: `wait_for_webhook_deliveries` counts attempts since
/// start-up.
pub(crate) async fn reset(env: &Environment) -> Result<(), SeedError> {
    let fresh = seeded(env).await?;
    {
        let mut current = env.store.lock();
        let mut seeded = fresh.lock();
        std::mem::swap(&mut *current, &mut *seeded);
        std::mem::swap(&mut current.event_sink, &mut seeded.event_sink);
    }
    env.tokens.forget_sign_ins();
    env.sign_in_pages.clear();
    env.faults.clear();
    env.stats.clear();
    env.journal.clear();
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
