//! The bounded load loop a Rust client process runs: `concurrency` tokio
//! tasks, each calling its [`Worker`] until the shared iteration budget or
//! the deadline runs out, whichever comes first.
//!
//! Nothing allocates per iteration here, so the allocation count of the
//! measured part is the client's own: latencies go into slots allocated
//! before the clock starts, one per possible iteration.

use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One client's unit of work, owned by one task.
pub trait Worker: Send + 'static {
    /// Runs iteration `seq` (unique within the process); `Ok(n)` when it
    /// succeeded after making `n` RPCs (or operations).
    fn run_once(&mut self, seq: u64) -> impl Future<Output = Result<u32, String>> + Send;
}

/// The bounds of one phase.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// At most this many iterations in total…
    pub max_iterations: u64,
    /// …and none started after this long.
    pub limit: Duration,
    /// Added to every `seq`, so that phases never reuse one.
    pub seq_base: u64,
}

/// What one phase did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Iterations that succeeded.
    pub iterations: u64,
    /// RPCs of the successful iterations.
    pub calls: u64,
    /// Iterations that failed.
    pub errors: u64,
    /// The first failure's message.
    pub first_error: Option<String>,
    /// Slowest successful iteration.
    pub max: Duration,
}

/// Per-iteration latencies in nanoseconds (saturating at `u32::MAX`,
/// about 4.3 s); 0 marks an iteration that failed or never ran.
pub struct Latencies(Arc<Vec<AtomicU32>>);

impl Latencies {
    /// Room for `n` iterations, allocated now. The memory comes zeroed from
    /// the allocator, so pages no iteration writes to never become resident
    /// and do not inflate the peak RSS (as with the Node driver's typed array).
    pub fn with_capacity(n: u64) -> Latencies {
        const _: () = assert!(
            std::mem::size_of::<u32>() == std::mem::size_of::<AtomicU32>()
                && std::mem::align_of::<u32>() == std::mem::align_of::<AtomicU32>()
        );
        // `vec![0; n]` asks the allocator for zeroed memory (no writes).
        let mut zeroed = std::mem::ManuallyDrop::new(vec![0u32; usize::try_from(n).unwrap_or(0)]);
        // SAFETY: `AtomicU32` has the size, alignment and bit validity of
        // `u32` (asserted above), so the buffer, its length and capacity
        // describe a valid `Vec<AtomicU32>` with the same layout; the
        // original `Vec` is never used or dropped again.
        let slots = unsafe {
            Vec::from_raw_parts(
                zeroed.as_mut_ptr().cast::<AtomicU32>(),
                zeroed.len(),
                zeroed.capacity(),
            )
        };
        Latencies(Arc::new(slots))
    }

    /// Empties every slot, so that the next phase records afresh.
    pub fn clear(&self) {
        for slot in self.0.iter() {
            slot.store(0, Ordering::Relaxed);
        }
    }

    /// The recorded latencies, sorted, in nanoseconds.
    pub fn sorted(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self
            .0
            .iter()
            .map(|slot| u64::from(slot.load(Ordering::Relaxed)))
            .filter(|&ns| ns > 0)
            .collect();
        v.sort_unstable();
        v
    }
}

struct TaskTally {
    iterations: u64,
    calls: u64,
    errors: u64,
    first_error: Option<String>,
    max: Duration,
}

/// Runs one phase with every worker in its own task and returns the workers
/// for the next phase. With `latencies`, iteration `seq - seq_base` records
/// into slot `seq - seq_base` (the budget never exceeds the slots: callers
/// size them to `max_iterations`).
///
/// The tasks are spawned before `on_start` runs, so a caller that reads its
/// counters there leaves the spawning out of the measurement.
pub async fn run_phase<W: Worker>(
    workers: Vec<W>,
    bounds: Bounds,
    latencies: Option<&Latencies>,
    on_start: impl FnOnce(),
) -> (Vec<W>, Outcome) {
    let budget = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + bounds.limit;
    let slots = latencies.map(|l| l.0.clone());
    let handles: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            let budget = budget.clone();
            let slots = slots.clone();
            tokio::spawn(async move {
                let mut tally = TaskTally {
                    iterations: 0,
                    calls: 0,
                    errors: 0,
                    first_error: None,
                    max: Duration::ZERO,
                };
                loop {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let index = budget.fetch_add(1, Ordering::Relaxed);
                    if index >= bounds.max_iterations {
                        break;
                    }
                    let started = Instant::now();
                    match worker.run_once(bounds.seq_base + index).await {
                        Ok(calls) => {
                            let took = started.elapsed();
                            tally.iterations += 1;
                            tally.calls += u64::from(calls);
                            tally.max = tally.max.max(took);
                            if let Some(slot) = slots.as_ref().and_then(|s| s.get(index as usize)) {
                                let ns = u32::try_from(took.as_nanos()).unwrap_or(u32::MAX);
                                slot.store(ns.max(1), Ordering::Relaxed);
                            }
                        }
                        Err(message) => {
                            tally.errors += 1;
                            if tally.first_error.is_none() {
                                tally.first_error = Some(message);
                            }
                        }
                    }
                }
                (worker, tally)
            })
        })
        .collect();
    on_start();

    let mut workers = Vec::with_capacity(handles.len());
    let mut outcome = Outcome::default();
    for handle in handles {
        match handle.await {
            Ok((worker, tally)) => {
                workers.push(worker);
                outcome.iterations += tally.iterations;
                outcome.calls += tally.calls;
                outcome.errors += tally.errors;
                outcome.max = outcome.max.max(tally.max);
                if outcome.first_error.is_none() {
                    outcome.first_error = tally.first_error;
                }
            }
            Err(join_error) => {
                outcome.errors += 1;
                outcome
                    .first_error
                    .get_or_insert_with(|| format!("a worker task failed: {join_error}"));
            }
        }
    }
    (workers, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails every third iteration, sleeps 1 ms otherwise.
    struct Flaky;

    impl Worker for Flaky {
        async fn run_once(&mut self, seq: u64) -> Result<u32, String> {
            if seq % 3 == 2 {
                return Err(format!("iteration {seq} failed"));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok(2)
        }
    }

    #[tokio::test]
    async fn the_iteration_budget_bounds_the_phase_across_tasks() {
        let latencies = Latencies::with_capacity(30);
        let bounds = Bounds {
            max_iterations: 30,
            limit: Duration::from_secs(30),
            seq_base: 0,
        };
        let (workers, outcome) = run_phase(
            (0..4).map(|_| Flaky).collect(),
            bounds,
            Some(&latencies),
            || {},
        )
        .await;
        assert_eq!(workers.len(), 4);
        assert_eq!(outcome.iterations + outcome.errors, 30);
        assert_eq!(outcome.errors, 10);
        assert_eq!(outcome.calls, 40);
        assert_eq!(latencies.sorted().len(), 20);
        assert!(outcome.first_error.is_some());
        assert!(outcome.max >= Duration::from_millis(1));
    }

    #[tokio::test]
    async fn the_deadline_bounds_the_phase() {
        let bounds = Bounds {
            max_iterations: u64::MAX,
            limit: Duration::from_millis(30),
            seq_base: 0,
        };
        let started = Instant::now();
        let (_, outcome) = run_phase(vec![Flaky], bounds, None, || {}).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(outcome.iterations > 0);
    }
}
