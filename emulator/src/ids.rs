//! Identifiers shaped like the real service's: a type prefix, an underscore
//! and 17 digits (`org_59615193906282635`). They are deterministic: the n-th
//! id an emulator hands out is the same on every run with the same seed.

/// Hands out increasing ids; one counter for all prefixes, so ids never
/// collide across types and sort in creation order.
#[derive(Debug)]
pub(crate) struct IdGenerator {
    next: u64,
}

/// Ids start here so they always have 17 digits.
const BASE: u64 = 10_000_000_000_000_000;

impl IdGenerator {
    pub(crate) fn new(seed: u64) -> Self {
        IdGenerator {
            next: BASE + (seed % 1_000_000) * 1_000_000_000,
        }
    }

    /// The next id with the given prefix (`"usr"` → `usr_1…`).
    pub(crate) fn next(&mut self, prefix: &str) -> String {
        let n = self.next;
        self.next += 1;
        format!("{prefix}_{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_17_digits_and_increase() {
        let mut ids = IdGenerator::new(0);
        let a = ids.next("usr");
        let b = ids.next("org");
        assert_eq!(a.len(), "usr_".len() + 17);
        assert!(a.starts_with("usr_") && b.starts_with("org_"));
        assert!(a[4..] < b[4..]);
    }

    #[test]
    fn same_seed_gives_same_ids() {
        let mut one = IdGenerator::new(7);
        let mut two = IdGenerator::new(7);
        assert_eq!(one.next("usr"), two.next("usr"));
        assert_ne!(
            IdGenerator::new(8).next("usr"),
            IdGenerator::new(7).next("usr")
        );
    }
}
