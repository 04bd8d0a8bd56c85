//! The bounded per-client outgoing queue: when a client reads slower than messages arrive, the
//! oldest queued message is dropped (and counted) so a slow client holds at most `capacity`
//! messages of memory.

use prometheus::IntCounter;
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use tokio::sync::Notify;

/// A bounded FIFO of encoded messages shared by a client's producer and its writer.
#[derive(Debug)]
pub struct ClientQueue {
    messages: Mutex<VecDeque<String>>,
    capacity: usize,
    ready: Notify,
    dropped: IntCounter,
}

impl ClientQueue {
    /// An empty queue holding at most `capacity` messages (at least one), counting drops in
    /// `dropped`.
    pub fn new(capacity: usize, dropped: IntCounter) -> Self {
        Self {
            messages: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            ready: Notify::new(),
            dropped,
        }
    }

    /// Appends `message`, dropping the oldest one when the queue is full.
    pub fn push(&self, message: String) {
        let mut messages = self.messages.lock().unwrap_or_else(PoisonError::into_inner);
        if messages.len() >= self.capacity {
            messages.pop_front();
            self.dropped.inc();
        }
        messages.push_back(message);
        drop(messages);
        self.ready.notify_one();
    }

    /// Counts `count` messages lost before they reached the queue (a lagging broadcast).
    pub fn count_lost(&self, count: u64) {
        self.dropped.inc_by(count);
    }

    /// Takes every queued message, oldest first.
    pub fn drain(&self) -> Vec<String> {
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect()
    }

    /// Queued messages.
    pub fn len(&self) -> usize {
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Resolves once a message was pushed since the last call (or is pending).
    pub async fn ready(&self) {
        self.ready.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_the_oldest_and_counts_it() {
        let dropped = IntCounter::new("dropped", "d").unwrap();
        let queue = ClientQueue::new(2, dropped.clone());
        for message in ["a", "b", "c", "d"] {
            queue.push(message.to_owned());
        }
        assert_eq!(queue.len(), 2);
        assert_eq!(dropped.get(), 2);
        assert_eq!(queue.drain(), vec!["c".to_owned(), "d".to_owned()]);
        assert!(queue.is_empty());
        queue.count_lost(5);
        assert_eq!(dropped.get(), 7);
    }
}
