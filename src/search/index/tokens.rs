//! Tokenising documents for the index: terms, stop words, and per-chunk
//! term tables with packed postings (document, field, frequency).

use std::hash::{BuildHasherDefault, Hasher};

use super::super::{Analyzer, SearchDoc};
use super::postings::Packed;

// ---------------------------------------------------------------------------
// Hashing

/// The multiplier of rustc's `FxHash`.
pub(super) const FX: u64 = 0x517c_c1b7_2722_0a95;

/// A fast non-cryptographic hasher (rustc's `FxHash`) for the term tables:
/// `SipHash` costs several times more on short strings, and a static site's
/// own words are no denial-of-service threat.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = 0u64;
            for (i, &b) in rest.iter().enumerate() {
                word |= u64::from(b) << (8 * i);
            }
            self.add(word);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

pub(super) type FxMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A content hash of a generated file for its `?h=` (8 hex digits: enough to
/// tell two versions of one file apart).
pub fn short_hash(bytes: &[u8]) -> String {
    let mut h = FxHasher(bytes.len() as u64);
    h.write(bytes);
    let x = h.0;
    // Fold the high bits in: FxHash's low bits mix poorly.
    format!("{:08x}", ((x >> 32) ^ (x & 0xffff_ffff)) as u32)
}

// ---------------------------------------------------------------------------
// Terms

/// ASCII bytes: 0 for a separator, 1 for a lowercase letter or a digit, 2
/// for an uppercase letter.
pub(super) const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_uppercase() {
            2
        } else if b.is_ascii_alphanumeric() {
            1
        } else {
            0
        };
        c += 1;
    }
    t
};

/// Call `emit` with each word of `text`, lowercased: split on anything that
/// is not a letter or digit (without allocating per word; a word in
/// lowercase ASCII is passed as it is).
pub fn each_word(text: &str, buf: &mut String, mut emit: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut at = 0;
    while at < len {
        // Between words.
        let byte = bytes[at];
        if byte < 0x80 {
            if ASCII_CLASS[byte as usize] == 0 {
                at += 1;
                continue;
            }
        } else {
            let c = text[at..].chars().next().expect("a character");
            if !c.is_alphanumeric() {
                at += c.len_utf8();
                continue;
            }
        }
        // A word: 1 when it is lowercase ASCII, 2 with uppercase, 4 with
        // other characters.
        let start = at;
        let mut kind = 0u8;
        while at < len {
            let byte = bytes[at];
            if byte < 0x80 {
                let class = ASCII_CLASS[byte as usize];
                if class == 0 {
                    break;
                }
                kind |= class;
                at += 1;
            } else {
                let c = text[at..].chars().next().expect("a character");
                if !c.is_alphanumeric() {
                    break;
                }
                kind |= 4;
                at += c.len_utf8();
            }
        }
        let word = &text[start..at];
        let lower: &str = if kind == 1 {
            word
        } else if kind & 4 == 0 {
            buf.clear();
            buf.push_str(word);
            buf.make_ascii_lowercase();
            buf
        } else {
            buf.clear();
            buf.push_str(&word.to_lowercase());
            buf
        };
        emit(lower);
    }
}

/// Call `emit` with each index term of `text`, as [`Analyzer::terms`]
/// makes them.
pub fn each_term(text: &str, analyzer: &Analyzer, buf: &mut String, mut emit: impl FnMut(&str)) {
    each_word(text, buf, |w| {
        if let Some(t) = analyzer.term_of_lower(w) {
            emit(&t);
        }
    });
}

pub(super) fn field_texts<'a>(d: &'a SearchDoc, field: &str) -> Vec<&'a str> {
    match field {
        "title" => vec![d.title.as_str()],
        "headings" => d.sections.iter().map(|s| s.heading.as_str()).collect(),
        "description" => vec![d.description.as_str()],
        "tags" => d.tags.iter().map(String::as_str).collect(),
        "body" => d.sections.iter().map(|s| s.text.as_str()).collect(),
        "links" => d.links.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Postings packed in a `u64`: document (high 32 bits), field (8 bits),
/// term frequency (24 bits).
pub(super) fn pack(doc: usize, field: usize, tf: u32) -> u64 {
    ((doc as u64) << 32) | ((field as u64) << 24) | u64::from(tf.min(0x00ff_ffff))
}
pub(super) fn doc_of(p: u64) -> u32 {
    (p >> 32) as u32
}
pub(super) fn field_of(p: u64) -> usize {
    ((p >> 24) & 0xff) as usize
}
pub(super) fn tf_of(p: u64) -> u32 {
    (p & 0x00ff_ffff) as u32
}

/// The terms of a run of documents, with their own term table.
pub(super) struct Chunk {
    pub(super) terms: Vec<Box<str>>,
    /// Per term of `terms`: its postings, by document then field.
    pub(super) postings: Vec<Vec<u64>>,
    /// Unique terms per document and field (`fields` numbers per document).
    pub(super) lengths: Vec<u32>,
}

/// A term table for a chunk: open addressing over (hash, number + 1), the
/// terms themselves kept in the chunk's list. Cheaper per word than a
/// `HashMap<Box<str>, u32>` (no rehashing of stored keys, no byte compare
/// unless the hashes agree).
pub(super) struct Interner {
    pub(super) slots: Vec<(u64, u32)>,
}

impl Interner {
    fn new() -> Self {
        Self {
            slots: vec![(0, 0); 4096],
        }
    }

    /// The number of `term` in `terms`, added at the end when new (then
    /// `is_new` is set).
    fn id(&mut self, term: &str, terms: &mut Vec<Box<str>>, is_new: &mut bool) -> u32 {
        let mut h = FxHasher(term.len() as u64);
        h.write(term.as_bytes());
        let hash = h.finish();
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let (stored, id1) = self.slots[i];
            if id1 == 0 {
                let id = terms.len() as u32;
                terms.push(term.into());
                self.slots[i] = (hash, id + 1);
                *is_new = true;
                if terms.len() * 2 > self.slots.len() {
                    self.grow();
                }
                return id;
            }
            if stored == hash && &*terms[id1 as usize - 1] == term {
                return id1 - 1;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); size]);
        let mask = self.slots.len() - 1;
        for (hash, id1) in old {
            if id1 == 0 {
                continue;
            }
            let mut i = (hash as usize) & mask;
            while self.slots[i].1 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (hash, id1);
        }
    }
}

/// A word's entry in [`ChunkBuilder::word_term`] when it is a stop word.
const NO_TERM: u32 = u32::MAX;

/// The index term of each lowercase word met so far, shared by the chunks
/// of one index: a chunk meets most of the vocabulary again, and stemming
/// and folding each word once per chunk was a sixth of the tokenising. It
/// lives as long as the index is being made and holds each distinct word
/// once (its words and terms about twice the vocabulary the index keeps).
/// Two threads missing the same word both make its term, which is the same.
#[derive(Default)]
pub(super) struct TermCache(std::sync::RwLock<FxMap<Box<str>, Option<Box<str>>>>);

impl TermCache {
    /// The term of `lower` ([`Analyzer::term_of_lower`]), or `None` for a
    /// stop word.
    fn term(&self, analyzer: &Analyzer, lower: &str) -> Option<Box<str>> {
        let read = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(term) = read.get(lower) {
            return term.clone();
        }
        drop(read);
        let term: Option<Box<str>> = analyzer.term_of_lower(lower).map(String::into_boxed_str);
        self.0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(lower.into(), term.clone());
        term
    }
}

pub(super) struct ChunkBuilder<'a> {
    pub(super) analyzer: &'a Analyzer,
    pub(super) cache: &'a TermCache,
    pub(super) ids: Interner,
    pub(super) chunk: Chunk,
    /// The chunk's words (lowercase, as written) and the term each makes:
    /// a word is stemmed and folded once per chunk, however often it occurs.
    pub(super) words: Interner,
    pub(super) word_keys: Vec<Box<str>>,
    pub(super) word_term: Vec<u32>,
    pub(super) tf: Vec<u32>,
    pub(super) touched: Vec<u32>,
}

impl ChunkBuilder<'_> {
    /// The number of index term `term` in the chunk.
    fn term_id(&mut self, term: &str) -> u32 {
        let mut is_new = false;
        let id = self.ids.id(term, &mut self.chunk.terms, &mut is_new);
        if is_new {
            self.chunk.postings.push(Vec::new());
            self.tf.push(0);
        }
        id
    }

    /// Count a lowercase word of the text.
    fn add_word(&mut self, lower: &str) {
        let mut is_new = false;
        let w = self.words.id(lower, &mut self.word_keys, &mut is_new);
        if is_new {
            let id = match self.cache.term(self.analyzer, lower) {
                Some(term) => self.term_id(&term),
                None => NO_TERM,
            };
            self.word_term.push(id);
        }
        let id = self.word_term[w as usize];
        if id != NO_TERM {
            self.count(id);
        }
    }

    /// Count an index term made already (a name of several words).
    fn add(&mut self, term: &str) {
        let id = self.term_id(term);
        self.count(id);
    }

    fn count(&mut self, id: u32) {
        let n = &mut self.tf[id as usize];
        if *n == 0 {
            self.touched.push(id);
        }
        *n += 1;
    }

    fn end_field(&mut self, doc: usize, field: usize) {
        self.chunk.lengths.push(self.touched.len() as u32);
        for &id in &self.touched {
            let n = std::mem::take(&mut self.tf[id as usize]);
            self.chunk.postings[id as usize].push(pack(doc, field, n));
        }
        self.touched.clear();
    }
}

/// Tokenise `docs` (the documents from number `first` on).
pub(super) fn tokenize(
    docs: &[SearchDoc],
    first: usize,
    fields: &[&str],
    analyzer: &Analyzer,
    cache: &TermCache,
) -> Chunk {
    let mut b = ChunkBuilder {
        analyzer,
        cache,
        ids: Interner::new(),
        words: Interner::new(),
        word_keys: Vec::new(),
        word_term: Vec::new(),
        chunk: Chunk {
            terms: Vec::new(),
            postings: Vec::new(),
            lengths: Vec::with_capacity(docs.len() * fields.len()),
        },
        tf: Vec::new(),
        touched: Vec::new(),
    };
    let mut buf = String::new();
    let mut phrase = String::new();
    for (k, d) in docs.iter().enumerate() {
        for (f, field) in fields.iter().enumerate() {
            if *field == "synonyms" {
                // A name is one term, its words joined by spaces: a name of
                // several words matches only as a phrase.
                for name in &d.synonyms {
                    phrase.clear();
                    each_term(name, analyzer, &mut buf, |t| {
                        if !phrase.is_empty() {
                            phrase.push(' ');
                        }
                        phrase.push_str(t);
                    });
                    if !phrase.is_empty() {
                        b.add(&phrase);
                    }
                }
            } else {
                for text in field_texts(d, field) {
                    each_word(text, &mut buf, |w| b.add_word(w));
                }
            }
            b.end_field(first + k, f);
        }
    }
    b.chunk
}

/// The whole index's terms, merged from chunks as they are tokenised: each
/// term's postings (documents ascending), the field lengths of every
/// document, and what each chunk kept of its documents (see
/// [`tokenize_streamed`]).
pub(super) struct Merged<T> {
    /// Terms in sorted order.
    pub(super) vocab: Vec<Box<str>>,
    /// Per term of `vocab`: its postings, by document then field.
    pub(super) postings: Vec<Packed>,
    /// Unique terms per document and field (`fields` numbers per document).
    pub(super) lengths: Vec<u32>,
    /// What `keep` made of each document, in order.
    pub(super) kept: Vec<T>,
}

/// Documents per chunk: the most whose whole text is held at once per
/// thread (the rest of the build holds only the postings and what `keep`
/// returns).
const CHUNK: usize = 128;

/// Tokenise documents `0..n`, made one at a time by `make`, in parallel
/// chunks of [`CHUNK`] documents, and merge each batch of chunks into one
/// term table as soon as it is done, so that only a batch of documents'
/// text is held at once. `keep` turns each document into what the index
/// needs of it afterwards (its snippet text), before its text is dropped;
/// it is given each document's number.
pub(super) fn tokenize_streamed<T: Send>(
    n: usize,
    fields: &[&str],
    make: &(dyn Fn(usize) -> SearchDoc + Sync),
    keep: &(dyn Fn(usize, SearchDoc) -> T + Sync),
    analyzer: &Analyzer,
    stop: &(dyn Fn() -> bool + Sync),
) -> Merged<T> {
    use rayon::prelude::*;
    let mut ids: FxMap<Box<str>, u32> = FxMap::default();
    let mut terms: Vec<Box<str>> = Vec::new();
    let mut postings: Vec<Packed> = Vec::new();
    let mut lengths: Vec<u32> = Vec::with_capacity(n * fields.len());
    let mut kept: Vec<T> = Vec::with_capacity(n);
    let batch = CHUNK * rayon::current_num_threads().max(1) * 2;
    let cache = TermCache::default();
    let mut start = 0;
    while start < n && !stop() {
        let end = (start + batch).min(n);
        let chunks: Vec<(Chunk, Vec<Packed>, Vec<T>)> = (start..end)
            .step_by(CHUNK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|lo| {
                let hi = (lo + CHUNK).min(end);
                let docs: Vec<SearchDoc> = (lo..hi).map(make).collect();
                let mut chunk = tokenize(&docs, lo, fields, analyzer, &cache);
                let kept = (lo..).zip(docs).map(|(k, d)| keep(k, d)).collect();
                let packed = std::mem::take(&mut chunk.postings)
                    .iter()
                    .map(|list| Packed::of(list))
                    .collect();
                (chunk, packed, kept)
            })
            .collect();
        for (chunk, packed, k) in chunks {
            kept.extend(k);
            lengths.extend_from_slice(&chunk.lengths);
            for (term, mut list) in chunk.terms.into_iter().zip(packed) {
                if let Some(&id) = ids.get(&term) {
                    postings[id as usize].append(&list);
                } else {
                    let id = u32::try_from(terms.len()).unwrap_or(u32::MAX);
                    ids.insert(term.clone(), id);
                    terms.push(term);
                    list.shrink_to_fit();
                    postings.push(list);
                }
            }
        }
        start = end;
    }
    drop(ids);
    let mut order: Vec<u32> = (0..u32::try_from(terms.len()).unwrap_or(u32::MAX)).collect();
    order.par_sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));
    let mut terms: Vec<Option<Box<str>>> = terms.into_iter().map(Some).collect();
    let mut lists: Vec<Option<Packed>> = postings.into_iter().map(Some).collect();
    let vocab = order
        .iter()
        .map(|&i| terms[i as usize].take().unwrap_or_default())
        .collect();
    let postings = order
        .iter()
        .map(|&i| lists[i as usize].take().unwrap_or_default())
        .collect();
    Merged {
        vocab,
        postings,
        lengths,
        kept,
    }
}
