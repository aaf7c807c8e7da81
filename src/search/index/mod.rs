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

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

mod encode;
mod manifest;
mod postings;
mod tokens;

pub use manifest::{IndexManifest, loader, manifest_of};

use encode::{DATA_TAIL, Norms, Page, data_file, data_head, entry, push_js_quoted, runs};
use postings::Packed;
use tokens::{FxMap, Merged, tokenize_streamed};
pub use tokens::{each_term, each_word, short_hash};

use super::{Analyzer, FIELDS, INDEX_FILE, IndexFiles, SHARD_DIR, SearchDoc, TEXT_DIR};
use crate::config::SearchConfig;

/// Bumped when the data layout or the making of terms changes (the client
/// checks it). 4: terms are stemmed per language (`lang`, `stemmer`).
pub const FORMAT: u32 = 4;

/// How much a match in each field of [`FIELDS`] counts: title > synonyms >
/// headings > description, tags > body.
const BOOSTS: &[f64] = &[8.0, 6.0, 3.0, 2.0, 2.0, 1.0, 1.0];

/// `MiniSearch`'s BM25 parameters (k, b, d), which the client uses.
pub(super) const BM25_K: f64 = 1.2;
pub(super) const BM25_B: f64 = 0.7;
pub(super) const BM25_D: f64 = 0.5;

/// Normalised term frequencies are written as integers: `tf / norm` times this.
pub const TF_SCALE: f64 = 8.0;

/// The loader file fascia completes with the manifest of hashes.
pub const LOADER_FILE: &str = "search/search.js";

/// Takes a page's snippet file (path, bytes) as soon as the index is known
/// to be split: a streamed build writes each at once rather than hold them
/// all until the index is done (they are most of its bytes).
pub type TextOut<'a> = &'a (dyn Fn(String, Vec<u8>) + Sync);

/// What tokenising keeps of each page: its snippet text, or nothing once
/// its file is handed to [`TextOut`]. The texts kept so far are counted: when
/// they alone pass `split_index_above`, the index is certain to be split
/// and every later page's file goes out as soon as it is made (the few kept
/// before are written with the term shards).
struct TextKeeper<'a> {
    out: Option<TextOut<'a>>,
    limit: usize,
    /// Bytes of texts made so far, each counted as the index counts it.
    made: AtomicUsize,
    /// Bytes of texts handed out, likewise.
    written: AtomicUsize,
}

impl TextKeeper<'_> {
    fn keep(&self, k: usize, d: SearchDoc) -> Page {
        let page = Page::of(d);
        let Some(out) = self.out else {
            return page;
        };
        let size = page.text.len() + 1;
        if self.made.fetch_add(size, Ordering::Relaxed) + size <= self.limit {
            return page;
        }
        out(format!("{TEXT_DIR}{k}.js"), page.file(k));
        self.written.fetch_add(size, Ordering::Relaxed);
        Page::written()
    }
}

/// The index files for `docs`, in English.
pub fn build(docs: &[SearchDoc], cfg: &SearchConfig) -> IndexFiles {
    build_with_shards(docs, cfg).0
}

/// The index files for `docs`, in English, and the first term of each term
/// shard (none for a single-file index).
pub fn build_with_shards(docs: &[SearchDoc], cfg: &SearchConfig) -> (IndexFiles, Vec<String>) {
    build_in(&Analyzer::new("en"), docs, cfg)
}

/// The index files for `docs`, whose terms `analyzer` makes (their
/// language's), and the first term of each term shard.
pub fn build_in(
    analyzer: &Analyzer,
    docs: &[SearchDoc],
    cfg: &SearchConfig,
) -> (IndexFiles, Vec<String>) {
    build_streamed(
        docs.len(),
        &|i| docs[i].clone(),
        cfg,
        analyzer,
        None,
        &|| false,
    )
}

/// The index files for documents `0..n`, each made by `make` when its chunk
/// is tokenised and dropped right after (only its snippet excerpt is kept),
/// so that the whole text of every page is indexed without all of it being
/// held at once; and the first term of each term shard. With `texts`, the
/// pages' snippet files of a split index go there as they are made (see
/// [`TextKeeper`]) and are not among the files returned.
pub fn build_streamed(
    n: usize,
    make: &(dyn Fn(usize) -> SearchDoc + Sync),
    cfg: &SearchConfig,
    analyzer: &Analyzer,
    texts: Option<TextOut<'_>>,
    stop: &(dyn Fn() -> bool + Sync),
) -> (IndexFiles, Vec<String>) {
    let fields = fields_of(cfg);
    let nf = fields.len();
    let clock = crate::timing::Clock::new();
    let written_size;
    let Merged {
        vocab,
        postings,
        lengths,
        kept: pages,
    } = {
        let keeper = TextKeeper {
            out: texts,
            limit: cfg.split_index_above,
            made: AtomicUsize::new(0),
            written: AtomicUsize::new(0),
        };
        let merged = tokenize_streamed(n, &fields, make, &|k, d| keeper.keep(k, d), analyzer, stop);
        written_size = keeper.written.into_inner();
        merged
    };
    if stop() {
        // Stopped part-way (see `search::index_files_unless`): of no use.
        return (Vec::new(), Vec::new());
    }
    let held: usize = postings.iter().map(Packed::capacity).sum();
    clock.lap(&format!(
        "  search tokenise ({} MB of postings)",
        held >> 20
    ));
    let vocab: Vec<&str> = vocab.iter().map(|t| &**t).collect();
    let n = pages.len().max(1) as f64;
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
        .map(|(list, term)| entry(term, list.unpack(), limit, &norms))
        .collect();
    clock.lap("  search postings");
    let terms_size: usize = entries.iter().map(|(e, _)| e.len() + 1).sum();
    let texts_size: usize = written_size
        + pages
            .iter()
            .filter(|p| !p.written)
            .map(|p| p.text.len() + 1)
            .sum::<usize>();
    let meta = Meta::new(&pages, &fields, &boosts, &avg, analyzer);
    if meta.size_hint() + terms_size + texts_size <= cfg.split_index_above {
        return (vec![one_file(&meta, &entries, &pages)], Vec::new());
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
    let hashes = term_files
        .par_iter()
        .map(|(_, b)| short_hash(b))
        .collect::<Vec<_>>()
        .join(" ");
    let meta = Meta {
        docs: Vec::new(),
        sections: Vec::new(),
        ..meta
    };
    let mut json = meta.open();
    drop(meta);
    let firsts: Vec<&str> = term_starts.iter().map(|&s| vocab[s]).collect();
    let (terms, sizes) = vocabulary(&vocab, &entries);
    let _ = write!(
        JsonOut(&mut json),
        ",\"vocab\":{},\"sizes\":\"{sizes}\",\"termShards\":{},\"termHashes\":\"{hashes}\"}}",
        serde_json::to_string(&terms).expect("vocabulary serialises"),
        serde_json::to_string(&firsts).expect("terms serialise"),
    );
    // One small file per page: its address, title, section and snippet
    // text, fetched for the results shown only.
    let text_files: Vec<(String, Vec<u8>)> = pages
        .into_par_iter()
        .enumerate()
        .filter(|(_, p)| !p.written)
        .map(|(k, p)| (format!("{TEXT_DIR}{k}.js"), p.file(k)))
        .collect();
    clock.lap("  search text files");
    let firsts = firsts.into_iter().map(str::to_string).collect();
    let mut files = term_files;
    files.extend(text_files);
    files.push((INDEX_FILE.to_string(), data_file("index", &json)));
    (files, firsts)
}

/// The fields `cfg` indexes, in the order of their ids.
fn fields_of(cfg: &SearchConfig) -> Vec<&'static str> {
    FIELDS
        .iter()
        .copied()
        .filter(|f| cfg.fields.iter().any(|g| g == f))
        .filter(|f| *f != "body" || cfg.include_content)
        .filter(|f| *f != "description" || cfg.include_description)
        .collect()
}

/// What the postings of `docs` (in English) take while their index is
/// made: the bytes held, and how many postings (page and field of a term)
/// they are. For `tests/memory.rs`: the largest part of a large site's index.
pub fn postings_footprint(docs: &[SearchDoc], cfg: &SearchConfig) -> (usize, usize) {
    let fields = fields_of(cfg);
    let merged = tokenize_streamed(
        docs.len(),
        &fields,
        &|i| docs[i].clone(),
        &|_, _| (),
        &Analyzer::new("en"),
        &|| false,
    );
    let bytes = merged.postings.iter().map(Packed::capacity).sum();
    let count = merged.postings.iter().map(|p| p.unpack().len()).sum();
    (bytes, count)
}

/// A small site's index in one file: pages, terms and snippet texts.
fn one_file(meta: &Meta<'_>, entries: &[(Vec<u8>, usize)], pages: &[Page]) -> (String, Vec<u8>) {
    let terms_size: usize = entries.iter().map(|(e, _)| e.len() + 1).sum();
    let texts_size: usize = pages.iter().map(|p| p.text.len() + 1).sum();
    // Terms are letters, digits and spaces, and texts are quoted as they
    // are written: only the meta data needs quoting here.
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
    for (i, p) in pages.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&p.text);
    }
    out.extend_from_slice(b"]}");
    out.extend_from_slice(DATA_TAIL);
    (INDEX_FILE.to_string(), out)
}

/// What `search/index.js` always holds.
#[derive(serde::Serialize)]
struct Meta<'a> {
    format: u32,
    fields: &'a [&'a str],
    boosts: &'a [f64],
    /// The stop words of the index's language, folded.
    stop: &'static [&'static str],
    /// The client's name of the language's stemmer (its file is
    /// `vendor/snowball-<name>-3.1.1.min.js`); none: terms are not stemmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    stemmer: Option<&'static str>,
    /// How many pages the index has.
    count: usize,
    /// `[title, path]` of sections, referenced by number from `docs` (in a
    /// one-file index; a sharded one has each page's in its text file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sections: Vec<(&'a str, &'a str)>,
    /// `[path, title, section number or -1]` per document. The path is
    /// shortened when it can be: relative to the section's path, or `0` for
    /// the section's path plus the title made a slug (see [`simple_slug`]).
    /// Only in a one-file index.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    docs: Vec<(serde_json::Value, &'a str, i64)>,
    /// Average unique terms per field (every page is scored with these
    /// lengths: the frequencies are normalised at build time).
    avg: &'a [f64],
    /// How the frequencies are scaled.
    tf_scale: f64,
}

impl<'a> Meta<'a> {
    fn new(
        docs: &'a [Page],
        fields: &'a [&'a str],
        boosts: &'a [f64],
        avg: &'a [f64],
        analyzer: &Analyzer,
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
            stop: analyzer.stop_words(),
            stemmer: analyzer.stemmer_name(),
            count: docs.len(),
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
pub(super) struct JsonOut<'a>(&'a mut Vec<u8>);

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

#[cfg(test)]
mod tests {
    use super::encode::push_js_json_str;
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
    fn the_chunk_tokeniser_makes_the_analyzers_terms() {
        for lang in ["en", "fr", "es", "ar", "de"] {
            let analyzer = Analyzer::new(lang);
            let text = "The Gió-ASTYM, of cạo 12x! Les aiguilles, l'aiguille; Œdème et CŒUR. \
                        las agujas y la aguja. الإبر في العلاج. Straße Running runs";
            let mut buf = String::new();
            let mut got = Vec::new();
            each_term(text, &analyzer, &mut buf, |t| got.push(t.to_string()));
            let want: Vec<String> = analyzer.terms(text).collect();
            assert_eq!(got, want, "{lang}");
            // The chunk tokeniser, which stems each word once per chunk,
            // indexes the same terms.
            let doc = SearchDoc {
                title: text.to_string(),
                ..SearchDoc::default()
            };
            let mut unique = want.clone();
            unique.sort();
            unique.dedup();
            // Each word's term is remembered across chunks: a chunk made
            // after another has met the words (the stop words among them)
            // gets the same terms.
            let cache = tokens::TermCache::default();
            for _ in 0..2 {
                let chunk =
                    tokens::tokenize(std::slice::from_ref(&doc), 0, &["title"], &analyzer, &cache);
                let mut indexed: Vec<String> =
                    chunk.terms.iter().map(ToString::to_string).collect();
                indexed.sort();
                assert_eq!(indexed, unique, "{lang}");
            }
        }
        let en = Analyzer::new("en");
        let mut buf = String::new();
        let mut got = Vec::new();
        each_term("The Gió-ASTYM, of cạo 12x!", &en, &mut buf, |t| {
            got.push(t.to_string());
        });
        assert_eq!(got, ["gio", "astym", "cao", "12x"]);
    }

    #[test]
    fn runs_split_by_size() {
        assert_eq!(runs([5, 5, 5, 5].into_iter(), 12), vec![0, 2]);
        assert_eq!(runs([50, 1].into_iter(), 10), vec![0, 1]);
    }
}
