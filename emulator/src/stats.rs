//! Request counters, for tests that assert how often a client called.
//!
//! Calls are counted as they arrive, before the bearer check, so refused
//! calls count too. A path is whatever a client sends, so only the methods
//! of the schema get a counter each; every other path adds to one shared
//! counter, [`UNKNOWN_METHOD`](crate::UNKNOWN_METHOD), and the map stays as
//! small as the schema however many distinct paths clients make up.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::tokens::lock;
use crate::UNKNOWN_METHOD;

#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) token_requests: AtomicU64,
    rpcs: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    pub(crate) fn count_token_request(&self) {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts one call of `method` (`scalekit.v1.users.UserService/GetUser`).
    pub(crate) fn count_rpc(&self, method: &str) {
        let mut rpcs = lock(&self.rpcs);
        // Allocate the key only for a method's first call (and the shared
        // key of unknown paths once).
        if let Some(count) = rpcs.get_mut(method) {
            *count += 1;
            return;
        }
        let key = if let Some(known) = scalekit::proto::method(method) {
            known.path
        } else {
            UNKNOWN_METHOD
        };
        match rpcs.get_mut(key) {
            Some(count) => *count += 1,
            None => {
                rpcs.insert(key.to_string(), 1);
            }
        }
    }

    pub(crate) fn rpc_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.rpcs).clone()
    }

    /// Zeroes every counter (a reset).
    pub(crate) fn clear(&self) {
        self.token_requests.store(0, Ordering::SeqCst);
        lock(&self.rpcs).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_schema_share_one_counter() {
        let stats = Stats::default();
        stats.count_rpc("scalekit.v1.users.UserService/GetUser");
        stats.count_rpc("scalekit.v1.users.UserService/GetUser");
        for i in 0..1000 {
            stats.count_rpc(&format!("made.up.Service/Method{i}"));
        }
        stats.count_rpc("scalekit.v1.users.UserService/NoSuchMethod");
        let counts = stats.rpc_counts();
        assert_eq!(counts.len(), 2, "{:?}", counts.keys().collect::<Vec<_>>());
        assert_eq!(counts["scalekit.v1.users.UserService/GetUser"], 2);
        assert_eq!(counts[UNKNOWN_METHOD], 1001);
    }
}
