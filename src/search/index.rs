//! Writing the index files (see `docs/search.md`, "How it works").
//!
//! Documents are tokenised in parallel chunks, each with its own term table;
//! the tables are merged into one sorted vocabulary, and each term's postings
//! (document, field, frequency) are pruned to the pages where it counts most
//! and written out in parallel. Term frequencies are written divided by the
//! field's BM25 length norm, so the client needs no per-page field lengths:
//! it scores every page as if its fields had the average length, which gives
//! the same BM25 score (`tf·(k+1) / (tf + k·norm)` equals
//! `(tf/norm)·(k+1) / (tf/norm + k)`).
//!
//! A small site gets one `search/index.js`. A larger one gets
//! `index.js` (pages, the whole vocabulary with the size of each term's
//! postings, and the list of shards with their content hashes), term shards
//! (runs of terms in sorted order) and text shards (runs of pages' snippet
//! text). When the theme has a `search/search.js` loader, fascia writes it
//! with a manifest in front: the content hash of every file below `search/`
//! it will load, so that every one of them is requested as `name?h=hash`.

use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;

use rayon::prelude::*;

use super::{FIELDS, INDEX_FILE, IndexFiles, SHARD_DIR, STOP_WORDS, SearchDoc};
use crate::config::SearchConfig;

/// Bumped when the data layout changes (the client checks it).
pub const FORMAT: u32 = 2;

/// How much a match in each field of [`FIELDS`] counts: title > synonyms >
/// headings > description, tags > body.
const BOOSTS: &[f64] = &[8.0, 6.0, 3.0, 2.0, 2.0, 1.0, 1.0];

/// `MiniSearch`'s BM25 parameters (k, b, d), which the client uses.
const BM25_K: f64 = 1.2;
const BM25_B: f64 = 0.7;
const BM25_D: f64 = 0.5;

/// Normalised term frequencies are written as integers: `tf / norm` times this.
pub const TF_SCALE: f64 = 8.0;

/// The loader file fascia completes with the manifest of hashes.
pub const LOADER_FILE: &str = "search/search.js";

// ---------------------------------------------------------------------------
// Hashing

/// The multiplier of rustc's `FxHash`.
const FX: u64 = 0x517c_c1b7_2722_0a95;

/// A fast non-cryptographic hasher (rustc's `FxHash`) for the term tables:
/// `SipHash` costs several times more on short strings, and a static site's
/// own words are no denial-of-service threat.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

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

type FxMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

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
const ASCII_CLASS: [u8; 128] = {
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

/// Call `f` with each index term of `text`: split on anything that is not a
/// letter or digit, folded, stop words dropped (as [`super::terms`], without
/// allocating per word; a word in lowercase ASCII is passed as it is).
pub fn each_term(text: &str, buf: &mut String, mut emit: impl FnMut(&str)) {
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
        let term: &str = if kind == 1 {
            word
        } else if kind & 4 == 0 {
            buf.clear();
            buf.push_str(word);
            buf.make_ascii_lowercase();
            buf
        } else {
            buf.clear();
            buf.push_str(&super::fold(word));
            buf
        };
        if !term.is_empty() && !is_stop_word(term) {
            emit(term);
        }
    }
}

/// One of [`STOP_WORDS`].
fn is_stop_word(t: &str) -> bool {
    t.len() <= 5
        && matches!(
            t,
            "a" | "an"
                | "and"
                | "are"
                | "as"
                | "at"
                | "be"
                | "by"
                | "for"
                | "from"
                | "in"
                | "into"
                | "is"
                | "it"
                | "its"
                | "of"
                | "on"
                | "or"
                | "s"
                | "t"
                | "that"
                | "the"
                | "their"
                | "this"
                | "to"
                | "was"
                | "were"
                | "which"
                | "with"
        )
}

fn field_texts<'a>(d: &'a SearchDoc, field: &str) -> Vec<&'a str> {
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
fn pack(doc: usize, field: usize, tf: u32) -> u64 {
    ((doc as u64) << 32) | ((field as u64) << 24) | u64::from(tf.min(0x00ff_ffff))
}
fn doc_of(p: u64) -> u32 {
    (p >> 32) as u32
}
fn field_of(p: u64) -> usize {
    ((p >> 24) & 0xff) as usize
}
fn tf_of(p: u64) -> u32 {
    (p & 0x00ff_ffff) as u32
}

/// A chunk's postings per term and its field lengths (see [`Chunk`]).
type ChunkPostings = (Vec<Vec<u64>>, Vec<u32>);

/// The terms of a run of documents, with their own term table.
struct Chunk {
    terms: Vec<Box<str>>,
    /// Per term of `terms`: its postings, by document then field.
    postings: Vec<Vec<u64>>,
    /// Unique terms per document and field (`fields` numbers per document).
    lengths: Vec<u32>,
}

/// A term table for a chunk: open addressing over (hash, number + 1), the
/// terms themselves kept in the chunk's list. Cheaper per word than a
/// `HashMap<Box<str>, u32>` (no rehashing of stored keys, no byte compare
/// unless the hashes agree).
struct Interner {
    slots: Vec<(u64, u32)>,
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

struct ChunkBuilder {
    ids: Interner,
    chunk: Chunk,
    tf: Vec<u32>,
    touched: Vec<u32>,
}

impl ChunkBuilder {
    fn add(&mut self, term: &str) {
        let mut is_new = false;
        let id = self.ids.id(term, &mut self.chunk.terms, &mut is_new);
        if is_new {
            self.chunk.postings.push(Vec::new());
            self.tf.push(0);
        }
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
fn tokenize(docs: &[SearchDoc], first: usize, fields: &[&str]) -> Chunk {
    let mut b = ChunkBuilder {
        ids: Interner::new(),
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
                    each_term(name, &mut buf, |t| {
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
                    each_term(text, &mut buf, |t| b.add(t));
                }
            }
            b.end_field(first + k, f);
        }
    }
    b.chunk
}

// ---------------------------------------------------------------------------
// Postings

/// What the index knows of the documents' fields.
struct Norms<'a> {
    fields: usize,
    lengths: &'a [u32],
    avg: &'a [f64],
    boosts: &'a [f64],
}

impl Norms<'_> {
    /// BM25's length norm of a document's field.
    fn norm(&self, doc: u32, field: usize) -> f64 {
        let len = f64::from(self.lengths[doc as usize * self.fields + field]);
        1.0 - BM25_B + BM25_B * len / self.avg[field].max(1e-9)
    }
}

/// One term's entry as the client reads it, and the number of
/// (page, field) postings it keeps.
fn entry(term: &str, mut list: Vec<u64>, limit: usize, norms: &Norms<'_>) -> (Vec<u8>, usize) {
    let mut pages = 0;
    let mut prev = u32::MAX;
    for &p in &list {
        if doc_of(p) != prev {
            pages += 1;
            prev = doc_of(p);
        }
    }
    let pruned = pages > limit;
    if pruned {
        // Keep the pages where the term counts most: its BM25 weight in each
        // field times the field's boost.
        let mut scores: Vec<(u32, f64)> = Vec::with_capacity(pages);
        for &p in &list {
            let (doc, f) = (doc_of(p), field_of(p));
            let tf = f64::from(tf_of(p));
            let s = norms.boosts[f]
                * (BM25_D + tf * (BM25_K + 1.0) / (tf + BM25_K * norms.norm(doc, f)));
            match scores.last_mut() {
                Some(top) if top.0 == doc => top.1 += s,
                _ => scores.push((doc, s)),
            }
        }
        scores.select_nth_unstable_by(limit - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut keep: Vec<u32> = scores[..limit].iter().map(|s| s.0).collect();
        keep.sort_unstable();
        // Both in document order: one merge pass.
        let mut k = 0;
        list.retain(|&p| {
            let doc = doc_of(p);
            while k < keep.len() && keep[k] < doc {
                k += 1;
            }
            k < keep.len() && keep[k] == doc
        });
    }
    // By field, documents ascending within each (the sort is stable).
    list.sort_by_key(|&p| field_of(p));
    let mut s: Vec<u8> = Vec::with_capacity(16 + term.len() + list.len() * 5);
    debug_assert!(!term.contains(['"', '\\', '\'']));
    s.extend_from_slice(b"[\"");
    s.extend_from_slice(term.as_bytes());
    s.push(b'"');
    let mut field = usize::MAX;
    let mut prev_doc = 0;
    for &p in &list {
        let (doc, f) = (doc_of(p), field_of(p));
        if f == field {
            s.push(b',');
        } else {
            if field != usize::MAX {
                s.push(b']');
            }
            s.push(b',');
            push_num(&mut s, f as u32);
            s.extend_from_slice(b",[");
            field = f;
            prev_doc = 0;
        }
        push_num(&mut s, doc - prev_doc);
        s.push(b',');
        push_num(&mut s, scaled_tf(tf_of(p), norms.norm(doc, f)));
        prev_doc = doc;
    }
    if field != usize::MAX {
        s.push(b']');
    }
    if pruned {
        // How many pages really have the term, for its weight.
        s.extend_from_slice(b",-");
        push_num(&mut s, pages as u32);
    }
    s.push(b']');
    (s, list.len())
}

/// A term frequency divided by its field's length norm, times [`TF_SCALE`],
/// rounded (at least 1).
fn scaled_tf(tf: u32, norm: f64) -> u32 {
    // tf < 2^24 and norm >= 1 - b: far inside i64.
    let q = (f64::from(tf) / norm * TF_SCALE).round() as i64;
    u32::try_from(q.max(1)).unwrap_or(u32::MAX)
}

/// Append the decimal digits of `n`.
fn push_num(out: &mut Vec<u8>, mut n: u32) {
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

// ---------------------------------------------------------------------------
// Writing

/// Append `json` (JSON text, as `serde_json` and [`entry`] write it: no raw
/// line breaks) to `out` as the content of a JavaScript single-quoted string.
fn push_js_quoted(out: &mut Vec<u8>, json: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    while let Some(at) = memchr::memchr3(b'\\', b'\'', 0xE2, &json[i..]) {
        i += at;
        let (esc, len): (&[u8], usize) = match (json[i], json.get(i + 1), json.get(i + 2)) {
            (b'\\', ..) => (b"\\\\", 1),
            (b'\'', ..) => (b"\\'", 1),
            // U+2028 and U+2029, line ends to older JavaScript engines.
            (0xE2, Some(0x80), Some(0xA8)) => (b"\\u2028", 3),
            (0xE2, Some(0x80), Some(0xA9)) => (b"\\u2029", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&json[start..i]);
        out.extend_from_slice(esc);
        i += len;
        start = i;
    }
    debug_assert!(!json.contains(&b'\n') && !json.contains(&b'\r'));
    out.extend_from_slice(&json[start..]);
}

const HEADER: &str = "/* fascia search index: generated by `fascia build`, do not edit */\n";
const DATA_TAIL: &[u8] = b"');\n";

/// The start of a data file that registers a JSON value under `key` in
/// `self.fasciaSearchData`, up to the opening quote of the string that
/// `JSON.parse` reads (browsers parse a JSON string several times faster
/// than the same data written as a JavaScript literal). The JSON follows,
/// quoted for a single-quoted string, then [`DATA_TAIL`].
fn data_head(key: &str, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity + capacity / 64 + 128);
    out.extend_from_slice(HEADER.as_bytes());
    out.extend_from_slice(b"(self.fasciaSearchData=self.fasciaSearchData||{})[\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\"]=JSON.parse('");
    out
}

/// A data file of JSON text (quoted here).
fn data_file(key: &str, json: &[u8]) -> Vec<u8> {
    let mut out = data_head(key, json.len());
    push_js_quoted(&mut out, json);
    out.extend_from_slice(DATA_TAIL);
    out
}

/// Bytes [`push_js_json_str`] must look at.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\'' as usize] = true;
    t[0xE2] = true;
    t
};

/// Append `s` to `out` as a JSON string inside a JavaScript single-quoted
/// string: the JSON escapes and then the JavaScript ones, in one pass.
fn push_js_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !SPECIAL[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let b = bytes[i];
        let esc: &[u8] = match b {
            b'"' => b"\\\\\"",
            b'\\' => b"\\\\\\\\",
            b'\'' => b"\\'",
            b'\n' => b"\\\\n",
            b'\r' => b"\\\\r",
            b'\t' => b"\\\\t",
            // U+2028 and U+2029, line ends to older JavaScript engines.
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(if bytes[i + 2] == 0xA8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                i += 3;
                start = i;
                continue;
            }
            0xE2 => {
                i += 1;
                continue;
            }
            _ => {
                out.extend_from_slice(&bytes[start..i]);
                let _ = write!(JsonOut(out), "\\\\u{b:04x}");
                i += 1;
                start = i;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A document's snippet text, `[description, [[anchor, heading, text], ...]]`,
/// quoted for a data file.
fn text_json(d: &SearchDoc, out: &mut Vec<u8>) {
    out.push(b'[');
    push_js_json_str(out, &d.description);
    out.extend_from_slice(b",[");
    for (i, s) in d.sections.iter().enumerate() {
        out.extend_from_slice(if i > 0 { b",[" } else { b"[" });
        push_js_json_str(out, &s.anchor);
        out.push(b',');
        push_js_json_str(out, &s.heading);
        out.push(b',');
        push_js_json_str(out, &s.text);
        out.push(b']');
    }
    out.extend_from_slice(b"]]");
}

/// About how many bytes [`text_json`] writes for `d`.
fn text_size(d: &SearchDoc) -> usize {
    d.description.len()
        + 8
        + d.sections
            .iter()
            .map(|s| s.anchor.len() + s.heading.len() + s.text.len() + 12)
            .sum::<usize>()
}

/// A JSON array of the texts of `docs`, as a data file.
fn text_file(key: &str, docs: &[SearchDoc]) -> Vec<u8> {
    let size: usize = docs.iter().map(text_size).sum();
    let mut out = data_head(key, size + 16);
    out.push(b'[');
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        text_json(d, &mut out);
    }
    out.push(b']');
    out.extend_from_slice(DATA_TAIL);
    out
}

/// Split `sizes` into runs of about `target` bytes: the index where each
/// run starts.
fn runs(sizes: impl Iterator<Item = usize>, target: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut size = 0;
    for (i, n) in sizes.enumerate() {
        if i == 0 || (size > 0 && size + n > target) {
            starts.push(i);
            size = 0;
        }
        size += n + 1;
    }
    starts
}

/// The index files for `docs`.
pub fn build(docs: &[SearchDoc], cfg: &SearchConfig) -> IndexFiles {
    build_with_shards(docs, cfg).0
}

/// The index files for `docs`, and the first term of each term shard (none
/// for a single-file index).
pub fn build_with_shards(docs: &[SearchDoc], cfg: &SearchConfig) -> (IndexFiles, Vec<String>) {
    let fields: Vec<&str> = FIELDS
        .iter()
        .copied()
        .filter(|f| cfg.fields.iter().any(|g| g == f))
        .filter(|f| *f != "body" || cfg.include_content)
        .filter(|f| *f != "description" || cfg.include_description)
        .collect();
    let nf = fields.len();
    let clock = crate::timing::Clock::new();
    // Tokenise: a few chunks per thread, each with its own term table.
    let per_chunk = docs
        .len()
        .div_ceil(rayon::current_num_threads() * 2)
        .max(64);
    let (chunk_terms, mut chunks): (Vec<Vec<Box<str>>>, Vec<ChunkPostings>) = docs
        .par_chunks(per_chunk)
        .enumerate()
        .map(|(i, part)| {
            let c = tokenize(part, i * per_chunk, &fields);
            (c.terms, (c.postings, c.lengths))
        })
        .unzip();
    clock.lap("  search tokenise");
    // One sorted vocabulary.
    let mut ids: FxMap<&str, u32> = FxMap::default();
    let mut vocab: Vec<&str> = Vec::new();
    let mut to_global: Vec<Vec<u32>> = chunk_terms
        .iter()
        .map(|c| {
            c.iter()
                .map(|t| {
                    *ids.entry(&**t).or_insert_with(|| {
                        vocab.push(t);
                        vocab.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    drop(ids);
    let mut order: Vec<u32> = (0..vocab.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| vocab[a as usize].cmp(vocab[b as usize]));
    let mut rank = vec![0u32; vocab.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    let vocab: Vec<&str> = order.iter().map(|&id| vocab[id as usize]).collect();
    for map in &mut to_global {
        for g in map.iter_mut() {
            *g = rank[*g as usize];
        }
    }
    let mut lengths: Vec<u32> = Vec::with_capacity(docs.len() * nf);
    let mut postings: Vec<Vec<u64>> = vec![Vec::new(); vocab.len()];
    for ((chunk_postings, chunk_lengths), map) in chunks.iter_mut().zip(&to_global) {
        lengths.append(chunk_lengths);
        for (local, list) in chunk_postings.iter_mut().enumerate() {
            let global = &mut postings[map[local] as usize];
            if global.is_empty() {
                *global = std::mem::take(list);
            } else {
                global.append(list);
            }
        }
    }
    clock.lap("  search merge");
    let n = docs.len().max(1) as f64;
    let avg: Vec<f64> = (0..nf)
        .map(|f| {
            let total: u64 = lengths
                .iter()
                .skip(f)
                .step_by(nf.max(1))
                .map(|&l| u64::from(l))
                .sum();
            (total as f64 / n * 1000.0).round() / 1000.0
        })
        .collect();
    let boosts: Vec<f64> = fields.iter().map(|f| boost_of(f)).collect();
    let norms = Norms {
        fields: nf,
        lengths: &lengths,
        avg: &avg,
        boosts: &boosts,
    };
    let limit = cfg.max_pages_per_term.max(1);
    let entries: Vec<(Vec<u8>, usize)> = postings
        .into_par_iter()
        .zip(vocab.par_iter())
        .map(|(list, term)| entry(term, list, limit, &norms))
        .collect();
    drop(chunks);
    clock.lap("  search postings");
    let meta = Meta::new(docs, &fields, &boosts, &avg);
    let terms_size: usize = entries.iter().map(|(e, _)| e.len() + 1).sum();
    let texts_size: usize = docs.iter().map(text_size).sum();
    if meta.size_hint() + terms_size + texts_size <= cfg.split_index_above {
        // Terms are letters, digits and spaces, and texts are quoted as
        // they are written: only the meta data needs quoting here.
        let mut out = data_head("index", meta.size_hint() + terms_size + texts_size);
        push_js_quoted(&mut out, &meta.open());
        out.extend_from_slice(b",\"terms\":[");
        for (i, (e, _)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(e);
        }
        out.extend_from_slice(b"],\"texts\":[");
        for (i, d) in docs.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            text_json(d, &mut out);
        }
        out.extend_from_slice(b"]}");
        out.extend_from_slice(DATA_TAIL);
        let index = out;
        return (vec![(INDEX_FILE.to_string(), index)], Vec::new());
    }
    // Term shards: runs of terms in sorted order, each about `shard_size`.
    let term_starts = runs(entries.iter().map(|(e, _)| e.len()), cfg.shard_size);
    let term_files: Vec<(String, Vec<u8>)> = term_starts
        .par_iter()
        .enumerate()
        .map(|(k, &s)| {
            let e = term_starts.get(k + 1).copied().unwrap_or(entries.len());
            let name = format!("t-{k}");
            let run = &entries[s..e];
            let size = run.iter().map(|(e, _)| e.len() + 1).sum::<usize>() + 2;
            let mut bytes = data_head(&name, size);
            bytes.push(b'[');
            for (i, (e, _)) in run.iter().enumerate() {
                if i > 0 {
                    bytes.push(b',');
                }
                bytes.extend_from_slice(e);
            }
            bytes.push(b']');
            bytes.extend_from_slice(DATA_TAIL);
            (format!("{SHARD_DIR}{name}.js"), bytes)
        })
        .collect();
    clock.lap("  search term shards");
    // Text shards by runs of documents (neighbours by URL).
    let text_starts = runs(docs.iter().map(text_size), cfg.shard_size);
    let text_files: Vec<(String, Vec<u8>)> = text_starts
        .par_iter()
        .enumerate()
        .map(|(k, &s)| {
            let e = text_starts.get(k + 1).copied().unwrap_or(docs.len());
            let name = format!("x-{k}");
            (
                format!("{SHARD_DIR}{name}.js"),
                text_file(&name, &docs[s..e]),
            )
        })
        .collect();
    let hashes = |files: &[(String, Vec<u8>)]| -> String {
        files
            .par_iter()
            .map(|(_, b)| short_hash(b))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut json = meta.open();
    let firsts: Vec<&str> = term_starts.iter().map(|&s| vocab[s]).collect();
    let (terms, sizes) = vocabulary(&vocab, &entries);
    let _ = write!(
        JsonOut(&mut json),
        ",\"vocab\":{},\"sizes\":\"{sizes}\",\"termShards\":{},\"termHashes\":\"{}\",\"textShards\":{},\"textHashes\":\"{}\"}}",
        serde_json::to_string(&terms).expect("vocabulary serialises"),
        serde_json::to_string(&firsts).expect("terms serialise"),
        hashes(&term_files),
        serde_json::to_string(&text_starts).expect("numbers serialise"),
        hashes(&text_files),
    );
    clock.lap("  search text shards");
    let firsts = firsts.into_iter().map(str::to_string).collect();
    let mut files = term_files;
    files.extend(text_files);
    files.push((INDEX_FILE.to_string(), data_file("index", &json)));
    (files, firsts)
}

/// What `search/index.js` always holds.
#[derive(serde::Serialize)]
struct Meta<'a> {
    format: u32,
    fields: &'a [&'a str],
    boosts: &'a [f64],
    stop: &'static [&'static str],
    /// `[title, path]` of sections, referenced by number from `docs`.
    sections: Vec<(&'a str, &'a str)>,
    /// `[path, title, section number or -1]` per document. The path is
    /// shortened when it can be: relative to the section's path, or `0` for
    /// the section's path plus the title made a slug (see [`simple_slug`]).
    docs: Vec<(serde_json::Value, &'a str, i64)>,
    /// Average unique terms per field (every page is scored with these
    /// lengths: the frequencies are normalised at build time).
    avg: &'a [f64],
    /// How the frequencies are scaled.
    tf_scale: f64,
}

impl<'a> Meta<'a> {
    fn new(
        docs: &'a [SearchDoc],
        fields: &'a [&'a str],
        boosts: &'a [f64],
        avg: &'a [f64],
    ) -> Self {
        let mut sections: Vec<(&str, &str)> = Vec::new();
        let mut section_ids: FxMap<(&str, &str), i64> = FxMap::default();
        let docs_meta = docs
            .iter()
            .map(|d| {
                let section = d.section.as_deref().zip(d.section_path.as_deref());
                let sec = section.map_or(-1, |key| {
                    *section_ids.entry(key).or_insert_with(|| {
                        sections.push(key);
                        i64::try_from(sections.len()).unwrap_or(i64::MAX) - 1
                    })
                });
                let rest = section
                    .and_then(|(_, base)| d.path.strip_prefix(base).filter(|r| !r.is_empty()));
                let path = match rest {
                    Some(r) if r.strip_suffix('/') == Some(simple_slug(&d.title).as_str()) => {
                        serde_json::Value::from(0)
                    }
                    Some(r) => serde_json::Value::from(r),
                    None => serde_json::Value::from(d.path.as_str()),
                };
                (path, d.title.as_str(), sec)
            })
            .collect();
        Self {
            format: FORMAT,
            fields,
            boosts,
            stop: STOP_WORDS,
            sections,
            docs: docs_meta,
            avg,
            tf_scale: TF_SCALE,
        }
    }

    /// The JSON object without its closing brace, for more keys to follow.
    fn open(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec(self).expect("index data serialises");
        json.pop();
        json
    }

    /// About how many bytes [`Meta::open`] writes.
    fn size_hint(&self) -> usize {
        self.docs.len() * 48 + self.sections.len() * 64 + 512
    }
}

/// An ASCII title as a slug the client can make too (`Gua Sha` -> `gua-sha`);
/// empty for other titles.
fn simple_slug(title: &str) -> String {
    if !title.is_ascii() {
        return String::new();
    }
    let mut s = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    s
}

/// `write!` into a byte buffer.
struct JsonOut<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for JsonOut<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Digits of the vocabulary's encoding.
const DIGITS: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The vocabulary as two strings: the terms in order with `|` between them
/// (the browser splits that natively, with no loop over the terms when the
/// index loads), and one digit of [`DIGITS`] per term for the size of its
/// postings, `round(4·log2(n))`.
fn vocabulary(vocab: &[&str], entries: &[(Vec<u8>, usize)]) -> (String, String) {
    let terms = vocab.join("|");
    let sizes = entries
        .iter()
        .map(|(_, cost)| {
            // log2 of a count >= 1 is >= 0; at most 61 fits a digit.
            let size = (((*cost).max(1) as f64).log2() * 4.0).round() as i64;
            char::from(DIGITS[usize::try_from(size.clamp(0, 61)).unwrap_or(0)])
        })
        .collect();
    (terms, sizes)
}

pub fn boost_of(field: &str) -> f64 {
    BOOSTS[FIELDS.iter().position(|g| *g == field).unwrap_or(0)]
}

/// `search/search.js` with the manifest in front: the content hashes of the
/// theme's other files below `search/` and of the index files, and the first
/// term of each term shard (so the loader can fetch the shard a query needs
/// while the index loads). `None` when no static folder has the loader.
pub fn loader(
    static_dirs: &[PathBuf],
    files: &IndexFiles,
    firsts: &[String],
) -> Option<(String, Vec<u8>)> {
    let mut found: Option<Vec<u8>> = None;
    let mut hashes: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    // Later static folders override earlier ones (the site's own over the theme's).
    for dir in static_dirs {
        let base = dir.join("search");
        if !base.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&base).into_iter().flatten() {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&base).unwrap_or(entry.path());
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            if rel == "search.js" {
                found = Some(bytes);
            } else if rel.ends_with(".js") || rel.ends_with(".css") {
                hashes.insert(rel, format!("{:016x}", crate::hash::fnv1a(&bytes)));
            }
        }
    }
    let src = found?;
    if let Some((_, index)) = files.iter().find(|(p, _)| p == INDEX_FILE) {
        hashes.insert("index.js".to_string(), short_hash(index));
    }
    let terms: Vec<(&str, String)> = firsts
        .iter()
        .enumerate()
        .filter_map(|(k, first)| {
            let name = format!("{SHARD_DIR}t-{k}.js");
            let (_, bytes) = files.iter().rev().find(|(p, _)| *p == name)?;
            Some((first.as_str(), short_hash(bytes)))
        })
        .collect();
    let manifest = serde_json::json!({ "files": hashes, "terms": terms });
    let mut out = Vec::with_capacity(src.len() + 256 + terms.len() * 24);
    out.extend_from_slice(
        b"/* generated by `fascia build`: content hashes of the search files (docs/search.md) */\n",
    );
    out.extend_from_slice(b"self.fasciaSearchFiles=");
    out.extend_from_slice(manifest.to_string().as_bytes());
    out.extend_from_slice(b";\n");
    out.extend_from_slice(&src);
    Some((LOADER_FILE.to_string(), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_quoting_escapes_what_a_single_quoted_string_needs() {
        let mut out = Vec::new();
        push_js_quoted(&mut out, "a'b\\c\u{2028}e\u{2029}f é\u{2027}".as_bytes());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\\'b\\\\c\\u2028e\\u2029f é\u{2027}"
        );
    }

    #[test]
    fn json_strings_are_quoted_for_a_single_quoted_string() {
        let mut out = Vec::new();
        push_js_json_str(&mut out, "a\"b\\c'd\ne\u{1}f\u{2028}é");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""a\\"b\\\\c\'d\\ne\\u0001f\u2028é""#
        );
    }

    #[test]
    fn vocabulary_with_postings_sizes() {
        let vocab = ["glacier", "glaciers", "glade"];
        let entries: Vec<(Vec<u8>, usize)> =
            vec![(Vec::new(), 1), (Vec::new(), 16), (Vec::new(), 3)];
        // 1 -> size 0; 16 -> 4*4 = 16 ("g"); 3 -> round(4*1.585) = 6.
        assert_eq!(
            vocabulary(&vocab, &entries),
            ("glacier|glaciers|glade".to_string(), "0g6".to_string())
        );
    }

    #[test]
    fn stop_words_agree() {
        for w in STOP_WORDS {
            assert!(is_stop_word(w), "{w}");
        }
        assert!(!is_stop_word("graston") && !is_stop_word("thee"));
        let mut buf = String::new();
        let mut got = Vec::new();
        each_term("The Gió-ASTYM, of cạo 12x!", &mut buf, |t| {
            got.push(t.to_string());
        });
        assert_eq!(got, ["gio", "astym", "cao", "12x"]);
        let want: Vec<String> = super::super::terms("The Gió-ASTYM, of cạo 12x!").collect();
        assert_eq!(got, want);
    }

    #[test]
    fn runs_split_by_size() {
        assert_eq!(runs([5, 5, 5, 5].into_iter(), 12), vec![0, 2]);
        assert_eq!(runs([50, 1].into_iter(), 10), vec![0, 1]);
    }
}
