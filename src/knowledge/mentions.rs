//! Finding thousands of page names in prose at the speed of reading it once.
//!
//! Names are phrases of words ("Coastal doctrine of Loter", "IMS / dry
//! needling"). A match always begins on a word, so the text is read once as a
//! sequence of words, each hashed as it is read (ASCII case folded), and at
//! every word the matcher walks forward through word-sequence prefixes that some
//! name has, probing a bitset. Only when a whole name's words are there are its
//! bytes compared. The cost is one pass over the bytes plus a few cache-resident
//! probes per word, whatever the number of names; an Aho-Corasick automaton over
//! 10,000 names instead walks a large automaton byte by byte.
//!
//! Matching rules: case-insensitive for ASCII, whole words only (no letter or
//! digit on either side), leftmost first, the longest name where several start
//! at the same place, and matches never overlap.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Characters that make up words: letters and digits, in any script.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// A word as read from a text: where it starts and its case-folded hash.
#[derive(Clone, Copy, Debug)]
struct Word {
    start: usize,
    hash: u64,
}

/// The words of `text[from..to]`, in order, appended to `out` with their
/// positions in `text`. ASCII is read eight bytes at a time, other characters
/// one by one.
fn words_into(text: &[u8], from: usize, to: usize, out: &mut Vec<Word>) {
    let n = to;
    let mut push = |start: usize, end: usize| {
        out.push(Word {
            start,
            hash: hash_word(&text[start..end]),
        });
    };
    // Where the word being read started, if one is.
    let mut start: Option<usize> = None;
    let mut i = from;
    while i < n {
        if i + 8 <= n {
            let x = crate::swar::load(text, i);
            if crate::swar::is_ascii(x) {
                let bits = u32::from(crate::swar::alnum(x));
                let mut pos = 0;
                loop {
                    if let Some(s) = start {
                        // The word runs through the ones from `pos`.
                        pos += (!(bits >> pos)).trailing_zeros();
                        if pos >= 8 {
                            break; // and on into the next eight bytes
                        }
                        push(s, i + pos as usize);
                        start = None;
                    } else {
                        let rest = bits >> pos;
                        if rest == 0 {
                            break;
                        }
                        pos += rest.trailing_zeros();
                        start = Some(i + pos as usize);
                    }
                }
                i += 8;
                continue;
            }
        }
        let b = text[i];
        let (is_word, len) = if b.is_ascii() {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            let (c, len) = char_at(&text[..n], i);
            (c.is_some_and(is_word_char), len)
        };
        match (start, is_word) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                push(s, i);
                start = None;
            }
            _ => {}
        }
        i += len;
    }
    if let Some(s) = start {
        push(s, n);
    }
}

/// A word's hash, eight bytes at a time. Every byte has bit 5 set first, which
/// folds ASCII letters to lower case and leaves digits alone (it merges some
/// other bytes too, which only costs a comparison that fails).
fn hash_word(word: &[u8]) -> u64 {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let mut h = SEED;
    let mut chunks = word.chunks_exact(8);
    for c in &mut chunks {
        h = mix(
            h,
            u64::from_le_bytes(c.try_into().expect("eight bytes")) | FOLD,
        );
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = mix(
            h,
            u64::from_le_bytes(buf) | (FOLD >> (8 * (8 - rest.len()))),
        );
    }
    h
}

/// The character starting at byte `i`, and its length in bytes (1 for a byte
/// that does not start a valid character).
fn char_at(text: &[u8], i: usize) -> (Option<char>, usize) {
    let to = (i + 4).min(text.len());
    let slice = &text[i..to];
    let valid = match std::str::from_utf8(slice) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&slice[..e.valid_up_to()]).unwrap_or_default(),
    };
    match valid.chars().next() {
        Some(c) => (Some(c), c.len_utf8()),
        None => (None, 1),
    }
}

/// The character that ends just before byte `i`.
fn char_before(text: &[u8], i: usize) -> Option<char> {
    let from = (i.saturating_sub(4)..i)
        .rev()
        .find(|&j| text[j] & 0xC0 != 0x80)?;
    std::str::from_utf8(&text[from..i])
        .ok()?
        .chars()
        .next_back()
}

/// A hasher for keys that are already hashes: one final mix, no `SipHash`.
#[derive(Default)]
struct Premixed(u64);

impl Hasher for Premixed {
    fn finish(&self) -> u64 {
        let x = self.0 ^ (self.0 >> 33);
        x.wrapping_mul(0xff51_afd7_ed55_8ccd) ^ (x >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A bitset keyed by hash, for "is this word sequence the start of a name".
struct Bits {
    words: Vec<u64>,
    mask: u64,
}

impl Bits {
    fn new(entries: usize) -> Self {
        // About 32 bits per entry: a probe for a sequence that no name starts
        // with answers "maybe" about 3% of the time.
        let bits = (entries.max(1) * 32).next_power_of_two().max(1024);
        Self {
            words: vec![0; bits / 64],
            mask: bits as u64 - 1,
        }
    }
    fn slot(&self, h: u64) -> (usize, u64) {
        // The high bits: the low ones of a multiplicative hash are weak.
        let bit = (h >> 20) & self.mask;
        ((bit / 64) as usize, 1 << (bit % 64))
    }
    fn insert(&mut self, h: u64) {
        let (w, b) = self.slot(h);
        self.words[w] |= b;
    }
    fn contains(&self, h: u64) -> bool {
        let (w, b) = self.slot(h);
        self.words[w] & b != 0
    }
}

/// A name as the matcher keeps it.
struct Name {
    bytes: Vec<u8>,
    /// Bytes before its first word (0 unless it starts with punctuation).
    lead: usize,
}

/// A compiled set of names.
pub struct NameMatcher {
    names: Vec<Name>,
    /// Hashes of every word-sequence prefix of every name.
    prefixes: Bits,
    /// Hashes of every name's whole word sequence, to skip most map lookups.
    whole_bits: Bits,
    /// Whole names by the hash of their word sequence.
    whole: HashMap<u64, Vec<u32>, BuildHasherDefault<Premixed>>,
    /// The most words in any name.
    max_words: usize,
}

/// One match: the byte span in the text and the index of the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub name: usize,
}

impl NameMatcher {
    /// Compile `names`. A name with no word in it can never match.
    pub fn new<S: AsRef<str>>(names: &[S]) -> Self {
        let mut words = Vec::new();
        let mut kept = Vec::with_capacity(names.len());
        let mut seqs = Vec::with_capacity(names.len());
        let mut max_words = 0;
        let mut prefix_count = 0;
        for n in names {
            let bytes = n.as_ref().as_bytes();
            words.clear();
            words_into(bytes, 0, bytes.len(), &mut words);
            let lead = words.first().map_or(usize::MAX, |w| w.start);
            let hashes: Vec<u64> = words.iter().map(|w| w.hash).collect();
            max_words = max_words.max(hashes.len());
            prefix_count += hashes.len();
            kept.push(Name {
                bytes: bytes.to_vec(),
                lead,
            });
            seqs.push(hashes);
        }
        let mut prefixes = Bits::new(prefix_count);
        let mut whole_bits = Bits::new(names.len());
        let mut whole: HashMap<u64, Vec<u32>, BuildHasherDefault<Premixed>> = HashMap::default();
        for (i, seq) in seqs.iter().enumerate() {
            if seq.is_empty() {
                continue;
            }
            let mut h = SEED;
            for &w in seq {
                h = mix(h, w);
                prefixes.insert(h);
            }
            whole_bits.insert(h);
            whole
                .entry(h)
                .or_default()
                .push(u32::try_from(i).expect("fewer than 4 billion names"));
        }
        Self {
            names: kept,
            prefixes,
            whole_bits,
            whole,
            max_words,
        }
    }

    /// Every match in `text` that lies within one of `spans` (ranges of
    /// `text`, in order), in order. `scratch` is reused between calls.
    pub fn find_all(
        &self,
        text: &[u8],
        spans: &[(usize, usize)],
        scratch: &mut Scratch,
    ) -> Vec<Match> {
        let mut out = Vec::new();
        if self.whole.is_empty() {
            return out;
        }
        for &(from, to) in spans {
            scratch.0.clear();
            words_into(text, from, to, &mut scratch.0);
            self.find_in(text, (from, to), &scratch.0, &mut out);
        }
        out
    }

    /// The matches among `words`, all of `text[span.0..span.1]`.
    fn find_in(&self, text: &[u8], span: (usize, usize), words: &[Word], out: &mut Vec<Match>) {
        let mut taken_to = span.0; // matches may not overlap
        let mut i = 0;
        while i < words.len() {
            let mut best: Option<Match> = None;
            let mut h = SEED;
            for w in words[i..].iter().take(self.max_words) {
                h = mix(h, w.hash);
                if !self.prefixes.contains(h) {
                    break;
                }
                if !self.whole_bits.contains(h) {
                    continue;
                }
                let Some(candidates) = self.whole.get(&h) else {
                    continue;
                };
                for &c in candidates {
                    let m = self.verify(text, words[i].start, c as usize, (taken_to, span.1));
                    if let Some(m) = m
                        && best.is_none_or(|b| {
                            (m.start, std::cmp::Reverse(m.end))
                                < (b.start, std::cmp::Reverse(b.end))
                        })
                    {
                        best = Some(m);
                    }
                }
            }
            match best {
                Some(m) => {
                    taken_to = m.end;
                    out.push(m);
                    while i < words.len() && words[i].start < m.end {
                        i += 1;
                    }
                }
                None => i += 1,
            }
        }
    }

    /// Name `c` at the word starting at byte `at`, if its bytes are there
    /// within `from..to` and it stands as whole words.
    fn verify(
        &self,
        text: &[u8],
        at: usize,
        c: usize,
        (from, to): (usize, usize),
    ) -> Option<Match> {
        let name = &self.names[c];
        let start = at.checked_sub(name.lead)?;
        let end = start + name.bytes.len();
        if start < from || end > to || !text[start..end].eq_ignore_ascii_case(&name.bytes) {
            return None;
        }
        if char_before(text, start).is_some_and(is_word_char)
            || (end < text.len() && char_at(text, end).0.is_some_and(is_word_char))
        {
            return None;
        }
        Some(Match {
            start,
            end,
            name: c,
        })
    }
}

/// Scratch space for [`NameMatcher::find_all`], reused between texts.
#[derive(Default)]
pub struct Scratch(Vec<Word>);

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules, by brute force: at each position from the left, the longest
    /// name that is there as whole words, never overlapping.
    fn reference(names: &[&str], text: &str) -> Vec<Match> {
        let t = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            if !text.is_char_boundary(i) {
                i += 1;
                continue;
            }
            let mut best: Option<Match> = None;
            for (c, n) in names.iter().enumerate() {
                let nb = n.as_bytes();
                let has_word = n.chars().any(is_word_char);
                let end = i + nb.len();
                if !has_word || end > t.len() || !t[i..end].eq_ignore_ascii_case(nb) {
                    continue;
                }
                if char_before(t, i).is_some_and(is_word_char)
                    || text[end..].chars().next().is_some_and(is_word_char)
                {
                    continue;
                }
                if best.is_none_or(|b| end > b.end) {
                    best = Some(Match {
                        start: i,
                        end,
                        name: c,
                    });
                }
            }
            if let Some(m) = best {
                out.push(m);
                i = m.end;
            } else {
                i += 1;
            }
        }
        out
    }

    fn found(names: &[&str], text: &str) -> Vec<Match> {
        NameMatcher::new(names).find_all(
            text.as_bytes(),
            &[(0, text.len())],
            &mut Scratch::default(),
        )
    }

    #[test]
    fn whole_words_case_insensitive_longest_first() {
        let names = [
            "Graston",
            "Graston technique",
            "IMS / dry needling",
            "dry needling",
        ];
        let text =
            "The graston Technique, not xGraston; IMS / Dry needling and dry needling. Graston's";
        let m = found(&names, text);
        let got: Vec<(&str, usize)> = m.iter().map(|m| (&text[m.start..m.end], m.name)).collect();
        assert_eq!(
            got,
            [
                ("graston Technique", 1),
                ("IMS / Dry needling", 2),
                ("dry needling", 3),
                ("Graston", 0)
            ]
        );
        assert_eq!(m, reference(&names, text));
    }

    #[test]
    fn separators_must_match_and_non_ascii_letters_join_words() {
        let names = ["IMS / dry needling", "Café", "naïve"];
        // Different separators, a letter run that continues in another script,
        // and an em dash (not a letter) next to a name.
        let text = "IMS dry needling; Caféx; naïve—yes; CAFé";
        let m = found(&names, text);
        let got: Vec<&str> = m.iter().map(|m| &text[m.start..m.end]).collect();
        assert_eq!(got, ["naïve", "CAFé"]);
        assert_eq!(m, reference(&names, text));
    }

    #[test]
    fn names_that_start_with_punctuation_and_overlapping_candidates() {
        let names = ["(IMS)", "ab cd", "cd ef", "ef"];
        let text = "see (IMS) and xab cd ef, then ab cd ef";
        let m = found(&names, text);
        let got: Vec<&str> = m.iter().map(|m| &text[m.start..m.end]).collect();
        assert_eq!(got, ["(IMS)", "cd ef", "ab cd", "ef"]);
        assert_eq!(m, reference(&names, text));
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_in_any_script() {
        let texts = [
            "",
            "a",
            "exactly8",
            "two words, then nine-digit 123456789 numbers",
            "cạo gió — naïve café; ΑΒΓ δ and 漢字 too, x\u{a0}y",
            "ends inside a loooooooooooooooooong word",
            "  leading and trailing spaces   ",
        ];
        for t in texts {
            let mut got = Vec::new();
            words_into(t.as_bytes(), 0, t.len(), &mut got);
            let mut want = Vec::new();
            let mut start = None;
            for (i, c) in t.char_indices().chain([(t.len(), ' ')]) {
                match (start, c.is_alphanumeric()) {
                    (None, true) => start = Some(i),
                    (Some(s), false) => {
                        want.push((s, hash_word(&t.as_bytes()[s..i])));
                        start = None;
                    }
                    _ => {}
                }
            }
            let got: Vec<(usize, u64)> = got.iter().map(|w| (w.start, w.hash)).collect();
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn matches_stay_inside_their_span() {
        let names = ["ab cd", "cd"];
        let text = "ab cd, ab`x`cd and ab cd";
        // Three spans: "ab cd, ab", "cd and ab", " cd" (the last one cut short).
        let spans = [(0, 9), (12, 21), (21, 24)];
        let m = NameMatcher::new(&names).find_all(text.as_bytes(), &spans, &mut Scratch::default());
        let got: Vec<(usize, &str)> = m.iter().map(|m| (m.start, &text[m.start..m.end])).collect();
        assert_eq!(got, [(0, "ab cd"), (12, "cd"), (22, "cd")]);
    }

    #[test]
    fn agrees_with_brute_force_on_random_prose() {
        // A small deterministic generator: no dependency for one test.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let vocab = ["ab", "Ab", "abc", "cd", "é", "x1", "of", "the"];
        let seps = [" ", " ", " ", ", ", "-", " / ", "—", "'"];
        let mut matched = 0;
        for round in 0..300 {
            let phrase = |len: usize, next: &mut dyn FnMut(usize) -> usize| {
                let mut s = String::new();
                for k in 0..len {
                    if k > 0 {
                        s.push_str(seps[next(seps.len())]);
                    }
                    s.push_str(vocab[next(vocab.len())]);
                }
                s
            };
            let names: Vec<String> = (0..=next(8))
                .map(|_| phrase(1 + next(3), &mut next))
                .collect();
            let text = phrase(5 + next(40), &mut next);
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let got = found(&refs, &text);
            assert_eq!(
                got,
                reference(&refs, &text),
                "round {round}: {names:?} in {text:?}"
            );
            matched += got.len();
        }
        // The generator must make the comparison mean something.
        assert!(matched > 300, "only {matched} matches in 300 rounds");
    }
}
