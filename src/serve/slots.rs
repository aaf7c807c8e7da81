//! How many connections may be open at once, in total and per client
//! address, and which one gives way to a newcomer at a bound: pure
//! bookkeeping over handles of any type (the listener's are sockets, which
//! it shuts down when told to).
//!
//! A connection is *waiting* while no request of it is being answered: it
//! has not sent a whole head yet, or it is an idle keep-alive. A waiting
//! connection costs the server nothing but its slot, and closing it loses no
//! answer (a browser opens another for its next request). So at a bound the
//! newcomer takes the slot of a waiting connection: the longest-waiting of
//! its own address, or at the total bound, of the address holding most
//! connections. Only when every connection concerned is busy answering is
//! the newcomer refused.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

/// Which connection a slot belongs to.
pub type SlotId = u64;

/// What became of a new connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission<H> {
    Admitted(SlotId),
    /// Admitted in place of a waiting connection, removed here: close it.
    Replacing(SlotId, H),
    Refused,
}

#[derive(Debug)]
struct Slot<H> {
    address: IpAddr,
    /// Since when no request of it has been answered; `None` while busy.
    waiting_since: Option<Instant>,
    handle: H,
}

/// The open connections.
#[derive(Debug)]
pub struct Slots<H> {
    total: usize,
    per_address: usize,
    open: HashMap<SlotId, Slot<H>>,
    by_address: HashMap<IpAddr, usize>,
    next: SlotId,
    /// Connections that gave way but whose thread has not yet seen it and
    /// released them: their descriptors are still open.
    closing: usize,
}

impl<H> Slots<H> {
    /// At most `total` connections, `per_address` from any one address.
    pub fn new(total: usize, per_address: usize) -> Self {
        Self {
            total: total.max(1),
            per_address: per_address.clamp(1, total.max(1)),
            open: HashMap::new(),
            by_address: HashMap::new(),
            next: 0,
            closing: 0,
        }
    }

    pub fn open(&self) -> usize {
        self.open.len()
    }

    /// Whether the descriptors are all in use, by open connections and by
    /// connections still closing: a new one should wait in the kernel's
    /// queue until a closing one is gone.
    pub fn saturated(&self) -> bool {
        self.open.len() + self.closing >= 2 * self.total
    }

    pub fn bounds(&self) -> (usize, usize) {
        (self.total, self.per_address)
    }

    fn count(&self, address: IpAddr) -> usize {
        self.by_address.get(&address).copied().unwrap_or(0)
    }

    /// A new connection from `address`, waiting from `now`. Descriptors in
    /// use (open connections and those still closing) stay within twice
    /// `total`: a connection that gives way holds its descriptor until its
    /// thread runs, which on a busy machine can be a while.
    pub fn admit(&mut self, address: IpAddr, handle: H, now: Instant) -> Admission<H> {
        if self.saturated() {
            return Admission::Refused;
        }
        let victim = if self.count(address) >= self.per_address {
            match self.longest_waiting(|s| s.address == address) {
                Some(v) => Some(v),
                None => return Admission::Refused,
            }
        } else if self.open.len() >= self.total {
            match self.longest_waiting_of_largest() {
                Some(v) => Some(v),
                None => return Admission::Refused,
            }
        } else {
            None
        };
        let replaced = victim.and_then(|v| self.remove(v));
        if replaced.is_some() {
            self.closing += 1;
        }
        let id = self.next;
        self.next += 1;
        self.open.insert(
            id,
            Slot {
                address,
                waiting_since: Some(now),
                handle,
            },
        );
        *self.by_address.entry(address).or_insert(0) += 1;
        match replaced {
            Some(h) => Admission::Replacing(id, h),
            None => Admission::Admitted(id),
        }
    }

    fn longest_waiting(&self, of: impl Fn(&Slot<H>) -> bool) -> Option<SlotId> {
        self.open
            .iter()
            .filter(|(_, s)| of(s))
            .filter_map(|(id, s)| Some((s.waiting_since?, *id)))
            .min()
            .map(|(_, id)| id)
    }

    /// The longest-waiting connection of the address with most connections
    /// that has a waiting one.
    fn longest_waiting_of_largest(&self) -> Option<SlotId> {
        self.open
            .iter()
            .filter_map(|(id, s)| {
                let since = s.waiting_since?;
                Some((std::cmp::Reverse(self.count(s.address)), since, *id))
            })
            .min()
            .map(|(_, _, id)| id)
    }

    fn remove(&mut self, id: SlotId) -> Option<H> {
        let slot = self.open.remove(&id)?;
        if let Some(n) = self.by_address.get_mut(&slot.address) {
            *n -= 1;
            if *n == 0 {
                self.by_address.remove(&slot.address);
            }
        }
        Some(slot.handle)
    }

    /// The connection is answering a request: it cannot give way.
    pub fn busy(&mut self, id: SlotId) {
        if let Some(s) = self.open.get_mut(&id) {
            s.waiting_since = None;
        }
    }

    /// The connection waits for its next request, from `now`.
    pub fn waiting(&mut self, id: SlotId, now: Instant) {
        if let Some(s) = self.open.get_mut(&id) {
            s.waiting_since = Some(now);
        }
    }

    /// The connection is closed (if it gave way already, it is no longer
    /// closing).
    pub fn release(&mut self, id: SlotId) {
        if self.remove(id).is_none() {
            self.closing = self.closing.saturating_sub(1);
        }
    }

    /// Whether the connection still has its slot (it has not given way).
    pub fn holds(&self, id: SlotId) -> bool {
        self.open.contains_key(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    fn id<H>(admission: &Admission<H>) -> SlotId {
        match admission {
            Admission::Admitted(id) | Admission::Replacing(id, _) => *id,
            Admission::Refused => panic!("refused"),
        }
    }

    #[test]
    fn a_newcomer_takes_the_longest_waiting_slot_of_its_address() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut slots = Slots::new(10, 3);
        let first = id(&slots.admit(ip(1), "a", at(0)));
        let second = id(&slots.admit(ip(1), "b", at(1)));
        let third = id(&slots.admit(ip(1), "c", at(2)));
        // The first is busy: the second has waited longest.
        slots.busy(first);
        let Admission::Replacing(fourth, victim) = slots.admit(ip(1), "d", at(3)) else {
            panic!("not replacing");
        };
        assert_eq!(victim, "b");
        assert!(!slots.holds(second) && slots.holds(first));
        assert!(slots.holds(third) && slots.holds(fourth));
        // Another address is not touched by this one's bound.
        assert!(matches!(
            slots.admit(ip(2), "x", at(4)),
            Admission::Admitted(_)
        ));
        // All of the address busy: refused.
        slots.busy(third);
        slots.busy(fourth);
        assert_eq!(slots.admit(ip(1), "e", at(5)), Admission::Refused);
        // A freed slot is taken again; releasing a replaced one changes nothing.
        slots.release(second);
        slots.release(third);
        assert!(matches!(
            slots.admit(ip(1), "f", at(6)),
            Admission::Admitted(_)
        ));
        assert_eq!(slots.open(), 4);
    }

    #[test]
    fn connections_still_closing_count_against_the_descriptors() {
        let mut slots: Slots<u8> = Slots::new(2, 2);
        let a = id(&slots.admit(ip(1), 0, Instant::now()));
        let _b = id(&slots.admit(ip(1), 1, Instant::now()));
        // Two give way and their threads have not run: four descriptors.
        let c = slots.admit(ip(1), 2, Instant::now());
        assert!(matches!(c, Admission::Replacing(_, 0)), "{c:?}");
        let d = slots.admit(ip(1), 3, Instant::now());
        assert!(matches!(d, Admission::Replacing(_, 1)), "{d:?}");
        assert_eq!(slots.admit(ip(1), 4, Instant::now()), Admission::Refused);
        // One thread sees its connection end: room for one more.
        slots.release(a);
        assert!(matches!(
            slots.admit(ip(1), 5, Instant::now()),
            Admission::Replacing(..)
        ));
        assert_eq!(slots.open(), 2);
    }

    #[test]
    fn at_the_total_bound_the_largest_address_gives_way() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut slots = Slots::new(4, 3);
        // A quiet keep-alive of one address, waiting longest...
        id(&slots.admit(ip(9), "browser", at(0)));
        // ...and a flood from another.
        for (i, name) in ["f1", "f2", "f3"].into_iter().enumerate() {
            id(&slots.admit(ip(1), name, at(10 + i as u64)));
        }
        let Admission::Replacing(_, victim) = slots.admit(ip(2), "new", at(20)) else {
            panic!("not replacing");
        };
        assert_eq!(victim, "f1", "the flood gives way, not the browser");
        // Once waiting again after an answer, a connection counts from then.
        let mut slots = Slots::new(2, 2);
        let first = id(&slots.admit(ip(1), "a", at(0)));
        id(&slots.admit(ip(1), "b", at(1)));
        slots.busy(first);
        slots.waiting(first, at(5));
        let Admission::Replacing(_, victim) = slots.admit(ip(1), "c", at(6)) else {
            panic!("not replacing");
        };
        assert_eq!(victim, "b");
        assert_eq!(slots.bounds(), (2, 2));
    }
}
