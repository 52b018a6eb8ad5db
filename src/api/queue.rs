//! Who runs CPU work, and in what order: a first-come-first-served queue in front of as many
//! workers as the machine has cores.
//!
//! Every `/v1` answer is CPU-bound (a forward pass, then ranking). Running more of them at once
//! than there are cores only shares the cores between them: each answer gets slower, and the
//! slowest much slower, since the OS interleaves threads with no notion of arrival order. So at
//! most `workers` requests compute at once and the others wait their turn in arrival order
//! (tokio's semaphore is fair). The wait is bounded: a request that cannot start within
//! `max_wait` is refused with 503 `overloaded` and `Retry-After`, which only happens when
//! requests arrive faster than the machine answers them for seconds on end.
//!
//! A batch takes its turns like everybody else, a few searches per turn
//! ([`BATCH_SEARCHES_PER_TURN`]), so a large batch never holds a worker while single searches
//! wait behind it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::{overloaded, ApiError};

/// Searches a batch runs per turn before queueing again: about the cost of a profile match,
/// so a batch delays the requests behind it no more than other requests do.
pub(crate) const BATCH_SEARCHES_PER_TURN: usize = 4;

/// The queue of CPU work.
#[derive(Debug)]
pub(crate) struct WorkQueue {
    workers: Arc<Semaphore>,
    max_wait: Duration,
}

/// The right to compute: one worker, given back when dropped.
pub(crate) struct Turn(#[allow(dead_code)] OwnedSemaphorePermit);

/// How long a turn may be waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// At most the queue's `max_wait`, then 503: a new request.
    Bounded,
    /// As long as it takes (the request's own timeout still applies): a batch that already
    /// computed part of its answer.
    UntilServed,
}

impl WorkQueue {
    /// A queue in front of `workers` workers (at least one), refusing after `max_wait`.
    pub(crate) fn new(workers: usize, max_wait: Duration) -> WorkQueue {
        let workers = workers.clamp(1, Semaphore::MAX_PERMITS);
        WorkQueue { workers: Arc::new(Semaphore::new(workers)), max_wait }
    }

    /// Waits for a free worker, in arrival order.
    pub(crate) async fn turn(&self, wait: Wait) -> Result<Turn, ApiError> {
        let acquire = self.workers.clone().acquire_owned();
        let permit = match wait {
            Wait::Bounded => tokio::time::timeout(self.max_wait, acquire).await.map_err(|_| overloaded())?,
            Wait::UntilServed => acquire.await,
        };
        // The semaphore is never closed.
        permit.map(Turn).map_err(|_| overloaded())
    }

    /// Workers computing right now.
    #[cfg(test)]
    fn busy(&self, workers: usize) -> usize {
        workers.saturating_sub(self.workers.available_permits())
    }
}

/// Workers to run when the configuration says 0: one per core the process may use.
pub(crate) fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_given_in_arrival_order_and_bounded() {
        let queue = Arc::new(WorkQueue::new(1, Duration::from_millis(50)));
        let first = queue.turn(Wait::Bounded).await.expect("a free worker");
        assert_eq!(queue.busy(1), 1);
        // The only worker is busy: a bounded wait ends in 503.
        let refused = queue.turn(Wait::Bounded).await.err().expect("refused after max_wait");
        assert_eq!(refused.status.as_u16(), 503);
        // Two waiters that arrive in order are served in that order.
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..2 {
            let (queue, order) = (queue.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let _turn = queue.turn(Wait::UntilServed).await.expect("served");
                order.lock().unwrap().push(i);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        drop(first);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1]);
        assert_eq!(queue.busy(1), 0);
    }
}
