//! The process's own CPU time and peak resident set size, from
//! `getrusage(RUSAGE_SELF)`: every thread of the process, as Node's
//! `process.cpuUsage()` and `process.resourceUsage()` report them.

use std::time::Duration;

/// One `getrusage` reading.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// User plus system CPU time so far.
    pub cpu: Duration,
    /// Peak resident set size so far, in KiB (Linux reports `ru_maxrss` in KiB).
    pub max_rss_kib: u64,
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec.max(0) as u64) + Duration::from_micros(tv.tv_usec.max(0) as u64)
}

/// Reads the process's resource usage (zeroes if the call fails, which it
/// does not for `RUSAGE_SELF` with a valid buffer).
pub fn now() -> Usage {
    // SAFETY: `rusage` is plain data, so all zeroes is a valid value, and
    // getrusage only writes into the buffer it is given.
    let mut raw: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a pointer to a live, writable rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut raw) } != 0 {
        return Usage::default();
    }
    Usage {
        cpu: timeval(raw.ru_utime) + timeval(raw.ru_stime),
        max_rss_kib: raw.ru_maxrss.max(0) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_work_shows_up_as_cpu_time_and_rss_is_nonzero() {
        let before = now();
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let after = now();
        assert!(after.cpu > before.cpu);
        assert!(after.max_rss_kib > 0);
    }
}
