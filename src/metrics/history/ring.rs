//! `Ring`: one series' recent samples, packed to 12 bytes each (u32 ms offset + f64 value).
//!
//! Timestamps are stored as offsets from a per-ring base, rebased when an offset would not fit
//! in 32 bits (about 49 days). The ring grows by a quarter when full and every sample is still
//! inside the retention, and shrinks back to a few slots of slack once samples expire, so at
//! steady state its capacity is close to the samples it holds.

/// One packed sample; `packed(4)` keeps it at 12 bytes. Fields are only ever copied out.
#[derive(Clone, Copy, Default)]
#[repr(C, packed(4))]
struct Slot {
    offset_ms: u32,
    value: f64,
}

/// Bytes one stored sample occupies in a ring.
pub(crate) const SLOT_BYTES: usize = std::mem::size_of::<Slot>();

/// A ring buffer of time-ordered samples.
#[derive(Default)]
pub(crate) struct Ring {
    base_ms: i64,
    slots: Vec<Slot>,
    head: u32,
    len: u32,
}

impl Ring {
    /// Number of samples held.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Slots allocated (for memory accounting).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn at(&self, i: usize) -> (i64, f64) {
        let slot = self.slots[(self.head as usize + i) % self.slots.len()];
        let offset = slot.offset_ms;
        let value = slot.value;
        (self.base_ms + i64::from(offset), value)
    }

    /// The newest sample.
    pub fn newest(&self) -> Option<(i64, f64)> {
        (self.len > 0).then(|| self.at(self.len() - 1))
    }

    /// Samples oldest first (two contiguous runs of the ring, no per-sample modulo).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, f64)> + '_ {
        let head = self.head as usize;
        let first_end = (head + self.len()).min(self.slots.len());
        let wrapped = self.len() - (first_end - head);
        let base = self.base_ms;
        self.slots[head..first_end]
            .iter()
            .chain(&self.slots[..wrapped])
            .map(move |slot| {
                let (offset, value) = (slot.offset_ms, slot.value);
                (base + i64::from(offset), value)
            })
    }

    /// Drops samples at or before `cutoff_ms`.
    pub fn expire(&mut self, cutoff_ms: i64) {
        while self.len > 0 && self.at(0).0 <= cutoff_ms {
            self.head = ((self.head as usize + 1) % self.slots.len()) as u32;
            self.len -= 1;
        }
    }

    /// Appends a sample newer than every held one, first dropping those at or before
    /// `cutoff_ms`. Returns false (and stores nothing) for an out-of-order or duplicate time.
    pub fn push(&mut self, at_ms: i64, value: f64, cutoff_ms: i64) -> bool {
        if self.newest().is_some_and(|(t, _)| at_ms <= t) {
            return false;
        }
        let held = self.len;
        self.expire(cutoff_ms);
        if self.len < held && self.slots.len() > self.len() + 3 + self.len() / 8 {
            self.resize(self.len() + 3);
        }
        if self.len == 0 {
            self.base_ms = at_ms;
        }
        if at_ms - self.base_ms > i64::from(u32::MAX) {
            self.rebase(at_ms);
        }
        if self.len() == self.slots.len() {
            self.grow();
        }
        let index = (self.head as usize + self.len()) % self.slots.len();
        self.slots[index] = Slot {
            offset_ms: (at_ms - self.base_ms) as u32,
            value,
        };
        self.len += 1;
        true
    }

    /// Moves the base to the oldest sample; if `at_ms` still does not fit, forgets everything.
    fn rebase(&mut self, at_ms: i64) {
        let samples: Vec<(i64, f64)> = self.iter().collect();
        let new_base = samples.first().map_or(at_ms, |&(t, _)| t);
        if at_ms - new_base > i64::from(u32::MAX) {
            self.len = 0;
            self.base_ms = at_ms;
            return;
        }
        self.base_ms = new_base;
        self.head = 0;
        for (i, (t, value)) in samples.into_iter().enumerate() {
            self.slots[i] = Slot {
                offset_ms: (t - new_base) as u32,
                value,
            };
        }
    }

    /// Grows by a quarter (at least 4 slots).
    fn grow(&mut self) {
        let capacity = self.slots.len();
        self.resize(capacity + (capacity / 4).max(4));
    }

    /// Reallocates to exactly `new_capacity` slots (at least `len`), linearising the ring.
    fn resize(&mut self, new_capacity: usize) {
        let capacity = self.slots.len();
        let mut slots = Vec::with_capacity(new_capacity);
        for i in 0..self.len() {
            slots.push(self.slots[(self.head as usize + i) % capacity]);
        }
        slots.resize(new_capacity, Slot::default());
        self.slots = slots;
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_twelve_bytes() {
        assert_eq!(SLOT_BYTES, 12);
    }

    #[test]
    fn keeps_order_and_expires_old_samples() {
        let mut ring = Ring::default();
        for i in 0..10 {
            assert!(ring.push(i * 1000, i as f64, (i - 5) * 1000));
        }
        let times: Vec<i64> = ring.iter().map(|(t, _)| t).collect();
        assert_eq!(times, vec![5000, 6000, 7000, 8000, 9000]);
        assert_eq!(ring.newest(), Some((9000, 9.0)));
        assert!(ring.capacity() <= 8, "capacity {}", ring.capacity());
    }

    #[test]
    fn shrinks_after_a_burst_once_samples_expire() {
        let mut ring = Ring::default();
        for i in 0..100 {
            ring.push(i, i as f64, i64::MIN);
        }
        assert!(ring.capacity() >= 100);
        for i in 100..110 {
            ring.push(i * 10, i as f64, i * 10 - 50);
        }
        assert!(ring.len() <= 5);
        assert!(ring.capacity() <= 8, "capacity {}", ring.capacity());
        let values: Vec<f64> = ring.iter().map(|(_, v)| v).collect();
        assert_eq!(values.last(), Some(&109.0));
    }

    #[test]
    fn refuses_out_of_order_and_duplicates() {
        let mut ring = Ring::default();
        assert!(ring.push(2000, 1.0, i64::MIN));
        assert!(!ring.push(2000, 2.0, i64::MIN));
        assert!(!ring.push(1000, 2.0, i64::MIN));
        assert_eq!(ring.len(), 1);
    }

    #[test]
    fn rebases_when_offsets_overflow() {
        let mut ring = Ring::default();
        let day = 86_400_000;
        for i in 0..60 {
            ring.push(i * day, i as f64, (i - 2) * day);
        }
        let samples: Vec<(i64, f64)> = ring.iter().collect();
        assert_eq!(samples, vec![(58 * day, 58.0), (59 * day, 59.0)]);
    }

    #[test]
    fn grows_past_wraparound_without_losing_samples() {
        let mut ring = Ring::default();
        for i in 0..6 {
            ring.push(i, i as f64, 1);
        }
        for i in 6..20 {
            ring.push(i, i as f64, i64::MIN);
        }
        let values: Vec<f64> = ring.iter().map(|(_, v)| v).collect();
        assert_eq!(values, (2..20).map(|v| v as f64).collect::<Vec<_>>());
    }
}
