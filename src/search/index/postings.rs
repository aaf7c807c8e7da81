//! A term's postings, packed: the whole site's postings are held until the
//! index is written, and at 100,000 pages they were its largest part (8
//! bytes for each page and field a term is in, 320 MB).
//!
//! Each posting (document, field, frequency) is two LEB128 varints: the
//! document's distance from the previous posting's (0 for another field of
//! the same document) shifted left by [`FIELD_BITS`] with the field below,
//! then the frequency. A common word's postings are about two bytes each.

use super::tokens::{doc_of, field_of, pack, tf_of};

/// Bits of the field number in a posting's first varint.
const FIELD_BITS: u32 = 3;

// Every field number fits its bits.
const _: () = assert!(super::super::FIELDS.len() <= 1 << FIELD_BITS);

/// One term's postings, by document then field, packed (see the module).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Packed {
    bytes: Vec<u8>,
    /// The document of the last posting (0 when there is none): what the
    /// next posting's distance is counted from.
    last: u32,
}

impl Packed {
    /// `postings` (as [`pack`] makes them, documents ascending) packed.
    pub(super) fn of(postings: &[u64]) -> Self {
        let mut p = Self {
            bytes: Vec::with_capacity(postings.len() * 2),
            last: 0,
        };
        for &x in postings {
            p.push(doc_of(x), field_of(x), tf_of(x));
        }
        p
    }

    /// Add a posting of document `doc`, no earlier than the last one.
    fn push(&mut self, doc: u32, field: usize, tf: u32) {
        debug_assert!(doc >= self.last, "postings in document order");
        let gap = u64::from(doc.saturating_sub(self.last));
        push_varint(&mut self.bytes, (gap << FIELD_BITS) | field as u64);
        push_varint(&mut self.bytes, u64::from(tf));
        self.last = doc;
    }

    /// Append `more`, whose documents all come after (or are) this list's
    /// last: its first distance is counted again from this list's last
    /// document, the rest is copied as it is. Grows by a quarter at least
    /// rather than doubling: doubling left up to half of each list unused.
    pub(super) fn append(&mut self, more: &Self) {
        let Some((head, at)) = read_varint(&more.bytes, 0) else {
            return;
        };
        let first = (head >> FIELD_BITS) as u32;
        let field = head & ((1 << FIELD_BITS) - 1);
        let gap = u64::from(first.saturating_sub(self.last));
        let mut start = [0u8; 10];
        let n = varint_into(&mut start, (gap << FIELD_BITS) | field);
        let need = n + more.bytes.len() - at;
        if self.bytes.len() + need > self.bytes.capacity() {
            self.bytes.reserve_exact(need.max(self.bytes.len() / 4));
        }
        self.bytes.extend_from_slice(&start[..n]);
        self.bytes.extend_from_slice(&more.bytes[at..]);
        self.last = more.last;
    }

    /// Give back the unused capacity.
    pub(super) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }

    /// Bytes held (its capacity).
    pub(super) fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// The postings, as [`pack`] makes them.
    pub(super) fn unpack(&self) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.bytes.len() / 2);
        let mut at = 0;
        let mut doc = 0u32;
        while let Some((head, next)) = read_varint(&self.bytes, at) {
            let Some((tf, next)) = read_varint(&self.bytes, next) else {
                break;
            };
            doc = doc.saturating_add((head >> FIELD_BITS) as u32);
            let field = (head & ((1 << FIELD_BITS) - 1)) as usize;
            out.push(pack(doc as usize, field, tf as u32));
            at = next;
        }
        out
    }
}

/// Append `x` as a LEB128 varint.
fn push_varint(out: &mut Vec<u8>, x: u64) {
    let mut buf = [0u8; 10];
    let n = varint_into(&mut buf, x);
    out.extend_from_slice(&buf[..n]);
}

/// Write `x` as a LEB128 varint at the start of `buf`; its length.
fn varint_into(buf: &mut [u8; 10], mut x: u64) -> usize {
    let mut n = 0;
    while x >= 0x80 {
        buf[n] = (x as u8) | 0x80;
        x >>= 7;
        n += 1;
    }
    buf[n] = x as u8;
    n + 1
}

/// The varint at `at` in `bytes` and where the next one starts; none at
/// the end (or for a varint cut short).
fn read_varint(bytes: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut x = 0u64;
    let mut shift = 0;
    loop {
        let b = *bytes.get(at)?;
        at += 1;
        x |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some((x, at));
        }
        shift += 7;
        if shift >= 64 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn postings(list: &[(u32, usize, u32)]) -> Vec<u64> {
        list.iter()
            .map(|&(d, f, tf)| pack(d as usize, f, tf))
            .collect()
    }

    #[test]
    fn packs_and_unpacks_the_same_postings() {
        let list = postings(&[
            (0, 0, 1),
            (0, 5, 3),
            (1, 2, 1),
            (7, 6, 200),
            (7, 6, 0),
            (300, 1, 1),
            (70_000, 4, 0x00ff_ffff),
            (u32::MAX, 6, 5),
        ]);
        let p = Packed::of(&list);
        assert_eq!(p.unpack(), list);
        assert!(Packed::of(&[]).unpack().is_empty());
    }

    #[test]
    fn a_common_words_postings_take_two_bytes_each() {
        let list = postings(&(0..1000).map(|d| (d, 5, 3)).collect::<Vec<_>>());
        let p = Packed::of(&list);
        assert_eq!(p.bytes.len(), 2 * 1000);
        assert!(p.capacity() < 1000 * 8 / 3);
    }

    #[test]
    fn appended_lists_are_one_list() {
        let a = postings(&[(3, 0, 1), (3, 5, 2), (90, 5, 1)]);
        let b = postings(&[(90, 6, 4), (91, 5, 1), (200_000, 2, 9)]);
        let c = postings(&[(200_001, 0, 1)]);
        let mut p = Packed::default();
        for part in [&a, &b, &c] {
            p.append(&Packed::of(part));
        }
        p.append(&Packed::default());
        let all: Vec<u64> = [a, b, c].concat();
        assert_eq!(p.unpack(), all);
        assert_eq!(p, Packed::of(&all));
        let mut shrunk = p.clone();
        shrunk.shrink_to_fit();
        assert_eq!(shrunk.unpack(), all);
    }

    #[test]
    fn varints_round_trip_at_their_edges() {
        for x in [
            0,
            1,
            0x7f,
            0x80,
            0x3fff,
            0x4000,
            u64::from(u32::MAX) << 3,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            push_varint(&mut out, x);
            assert_eq!(read_varint(&out, 0), Some((x, out.len())), "{x}");
        }
        // Cut short: nothing, never a panic.
        assert_eq!(read_varint(&[0x80, 0x80], 0), None);
        assert_eq!(read_varint(&[], 0), None);
        assert_eq!(read_varint(&[0xff; 11], 0), None);
    }
}
