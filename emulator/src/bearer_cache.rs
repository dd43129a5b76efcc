//! Bearer tokens that already passed the full check, remembered until they
//! expire, so that a call with a known token skips the RS256 signature check
//! (about 0.3 ms of CPU, which otherwise caps the emulator near 3k calls/s).
//!
//! Entries are keyed by the SHA-256 of the token: 32 bytes each whatever the
//! token's length, and no bearer is kept in memory. Only tokens that verified
//! get in, so the number of entries is bounded by the tokens this emulator
//! issued; [`CAPACITY`] bounds it anyway, evicting expired entries first and
//! then the one closest to expiry.
//!
//! Revocation clears the cache and starts a new *generation*. A check that
//! began before a revocation carries the old generation and cannot insert
//! its result afterwards, so a revoked token is never re-admitted by a check
//! that raced with [`BearerCache::clear`].

use std::collections::HashMap;
use std::sync::RwLock;

use sha2::{Digest as _, Sha256};

/// Most entries kept at once.
pub(crate) const CAPACITY: usize = 4096;

/// The cache key of a bearer token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub(crate) fn of(token: &str) -> Self {
        Fingerprint(Sha256::digest(token.as_bytes()).into())
    }
}

/// A revocation epoch: results verified in an older one are not cached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Generation(u64);

/// What a cache lookup says about a token.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Verified before and not expired at `now`.
    Valid,
    /// Verified before, but its `exp` is not after `now`.
    Expired,
    /// Not in the cache: check it in full.
    Unknown,
}

#[derive(Default)]
struct Entries {
    generation: u64,
    /// Fingerprint → `exp` (unix seconds).
    expiries: HashMap<Fingerprint, u64>,
}

/// Verified bearers and their expiry; see the module docs.
#[derive(Default)]
pub(crate) struct BearerCache {
    entries: RwLock<Entries>,
}

impl BearerCache {
    /// Whether `token` verified before and is still valid at `now` (unix
    /// seconds). A token is valid while `now < exp`, as in the full check.
    pub(crate) fn lookup(&self, token: &Fingerprint, now: u64) -> Lookup {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        match entries.expiries.get(token) {
            Some(&exp) if exp > now => Lookup::Valid,
            Some(_) => Lookup::Expired,
            None => Lookup::Unknown,
        }
    }

    /// The current generation; read it *before* a full check whose result
    /// is then [`insert`](Self::insert)ed.
    pub(crate) fn generation(&self) -> Generation {
        Generation(
            self.entries
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .generation,
        )
    }

    /// Remembers a token that verified in `generation`, valid until `exp`;
    /// does nothing if the cache was cleared since.
    pub(crate) fn insert(&self, token: Fingerprint, exp: u64, generation: Generation, now: u64) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.generation != generation.0 {
            return;
        }
        if entries.expiries.len() >= CAPACITY && !entries.expiries.contains_key(&token) {
            entries.expiries.retain(|_, exp| *exp > now);
            if entries.expiries.len() >= CAPACITY {
                let soonest = entries
                    .expiries
                    .iter()
                    .min_by_key(|(_, exp)| **exp)
                    .map(|(key, _)| *key);
                if let Some(soonest) = soonest {
                    entries.expiries.remove(&soonest);
                }
            }
        }
        entries.expiries.insert(token, exp);
    }

    /// Forgets every token and starts a new generation.
    pub(crate) fn clear(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.expiries.clear();
        entries.generation += 1;
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .expiries
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: usize) -> Fingerprint {
        Fingerprint::of(&format!("token-{n}"))
    }

    #[test]
    fn a_verified_token_is_valid_until_its_expiry() {
        let cache = BearerCache::default();
        assert_eq!(cache.lookup(&key(1), 100), Lookup::Unknown);
        cache.insert(key(1), 110, cache.generation(), 100);
        assert_eq!(cache.lookup(&key(1), 100), Lookup::Valid);
        assert_eq!(cache.lookup(&key(1), 109), Lookup::Valid);
        assert_eq!(cache.lookup(&key(1), 110), Lookup::Expired);
        assert_eq!(cache.lookup(&key(2), 100), Lookup::Unknown);
    }

    #[test]
    fn clearing_forgets_tokens_and_refuses_results_of_older_checks() {
        let cache = BearerCache::default();
        let before = cache.generation();
        cache.insert(key(1), 110, before, 100);
        cache.clear();
        assert_eq!(cache.lookup(&key(1), 100), Lookup::Unknown);
        // A check that started before the clear finishes after it.
        cache.insert(key(2), 110, before, 100);
        assert_eq!(cache.lookup(&key(2), 100), Lookup::Unknown);
        cache.insert(key(2), 110, cache.generation(), 100);
        assert_eq!(cache.lookup(&key(2), 100), Lookup::Valid);
    }

    #[test]
    fn a_full_cache_drops_expired_entries_then_the_soonest_to_expire() {
        let cache = BearerCache::default();
        let generation = cache.generation();
        // Half expire at 50 (before now = 100), half later.
        for n in 0..CAPACITY {
            let exp = if n % 2 == 0 { 50 } else { 1_000 + n as u64 };
            cache.insert(key(n), exp, generation, 10);
        }
        assert_eq!(cache.len(), CAPACITY);
        cache.insert(key(CAPACITY), 5_000, generation, 100);
        assert_eq!(cache.len(), CAPACITY / 2 + 1, "expired entries went first");

        for n in CAPACITY + 1..2 * CAPACITY {
            cache.insert(key(n), 5_000 + n as u64, generation, 100);
        }
        assert_eq!(cache.len(), CAPACITY, "never more than the capacity");
        assert_eq!(
            cache.lookup(&key(1), 100),
            Lookup::Unknown,
            "the soonest to expire was evicted"
        );
        assert_eq!(cache.lookup(&key(2 * CAPACITY - 1), 100), Lookup::Valid);
    }

    #[test]
    fn a_fingerprint_tells_tokens_apart() {
        assert!(Fingerprint::of("a.b.c") == Fingerprint::of("a.b.c"));
        assert!(Fingerprint::of("a.b.c") != Fingerprint::of("a.b.d"));
    }
}
