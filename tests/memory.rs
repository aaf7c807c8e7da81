//! Memory bounded by design (issue 24): structural properties a build keeps,
//! checked on the encyclopedia, so that a change that holds the largest
//! things whole again fails here rather than only in a benchmark.

mod harness;

use std::collections::HashMap;
use std::sync::Mutex;

use fascia::diagnostics::Diagnostic;
use fascia::render::{Destination, PageSink, WriteWith};

/// A sink that keeps, for each file, how it came: whole, or in pieces (with
/// the largest piece and the total).
#[derive(Default)]
struct Recorder {
    whole: Mutex<HashMap<String, usize>>,
    /// path -> (largest single write, total bytes)
    pieces: Mutex<HashMap<String, (usize, usize)>>,
}

struct Counting {
    largest: usize,
    total: usize,
}

impl Counting {
    /// What a streamed file's writer wrote: its largest piece and total.
    fn of(write: WriteWith<'_>) -> Result<Self, Diagnostic> {
        let mut w = Counting {
            largest: 0,
            total: 0,
        };
        write(&mut w)?;
        Ok(w)
    }
}

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.largest = self.largest.max(buf.len());
        self.total += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl PageSink for Recorder {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.whole
            .lock()
            .unwrap()
            .insert(path.to_string(), bytes.len());
        Ok(())
    }

    fn put_streamed(&self, path: &str, write: WriteWith<'_>) -> Result<(), Diagnostic> {
        let w = Counting::of(write)?;
        self.pieces
            .lock()
            .unwrap()
            .insert(path.to_string(), (w.largest, w.total));
        Ok(())
    }
}

fn linked_encyclopedia() -> fascia::pipeline::Linked {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    fascia::pipeline::load_and_link(&fascia::pipeline::BuildOptions {
        root,
        ..Default::default()
    })
    .unwrap_or_else(|d| panic!("the encyclopedia does not load: {:#?}", d.items))
}

#[test]
fn a_streamed_build_holds_neither_the_print_edition_whole_nor_the_sources() {
    let linked = linked_encyclopedia();
    sources_were_dropped_when_parsed(&linked.site);
    let sink = Recorder::default();
    let (state, _output, _diags) =
        fascia::pipeline::render_into(linked, Destination::Stream(&sink))
            .unwrap_or_else(|d| panic!("render failed: {:#?}", d.items));
    print_edition_came_in_pieces(&sink, &state.site);
    sources_were_dropped(&state.site);
}

/// The print edition reached the sink in pieces, never whole.
fn print_edition_came_in_pieces(sink: &Recorder, site: &fascia::site::Site) {
    let whole = sink.whole.lock().unwrap();
    let pieces = sink.pieces.lock().unwrap();
    assert!(
        whole.contains_key("techniques/index.html"),
        "pages come whole: {:?}",
        whole.keys().take(5).collect::<Vec<_>>()
    );
    for lang in site.config.language_codes() {
        let prefix = site.config.lang_prefix(lang);
        let path = format!("{prefix}/print/index.html")
            .trim_start_matches('/')
            .to_string();
        assert!(!whole.contains_key(&path), "{path} was handed over whole");
        let &(largest, total) = pieces
            .get(&path)
            .unwrap_or_else(|| panic!("{path} was not streamed: {:?}", pieces.keys()));
        // The whole site on one page, written an article at a time: no
        // piece comes near the page.
        assert!(total > 200_000, "{path} is only {total} bytes");
        assert!(
            largest * 5 < total,
            "{path}: a piece of {largest} bytes of {total}: the page is held whole"
        );
    }
}

/// A one-shot build drops each source as soon as its file is parsed: the
/// linked site holds none, so the whole site's sources are never held at
/// once (`serve`, which compares an edit with the text it had, keeps them).
fn sources_were_dropped_when_parsed(site: &fascia::site::Site) {
    let docs = site
        .pages
        .iter()
        .map(|p| &p.doc)
        .chain(site.sections.iter().map(|s| &s.doc));
    for doc in docs {
        assert!(
            doc.file.text.is_empty(),
            "{}: the source is still held after parsing",
            doc.file.rel
        );
    }
}

/// A one-shot build drops the sources once linked, and reads one again
/// when asked.
fn sources_were_dropped(site: &fascia::site::Site) {
    assert!(site.pages.len() > 20);
    for page in &site.pages {
        assert!(
            page.doc.file.text.is_empty(),
            "{}: the source is still held while rendering",
            page.doc.file.rel
        );
    }
    // What needs a source later (diagnostics, the link health check) reads
    // the file again.
    let page = &site.pages[0];
    let on_disk = std::fs::read_to_string(site.root.join(&page.doc.file.display)).unwrap();
    assert!(!on_disk.is_empty());
    assert_eq!(site.source(&page.doc), on_disk);
}

/// A sink that keeps the order in which files arrive, with their sizes.
#[derive(Default)]
struct Arrivals(Mutex<Vec<(String, usize)>>);

impl PageSink for Arrivals {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.0.lock().unwrap().push((path.to_string(), bytes.len()));
        Ok(())
    }

    fn put_streamed(&self, path: &str, write: WriteWith<'_>) -> Result<(), Diagnostic> {
        let w = Counting::of(write)?;
        self.0.lock().unwrap().push((path.to_string(), w.total));
        Ok(())
    }
}

/// The pages' snippet files of a split search index reach the sink as they
/// are made, while the pages are tokenised: the index holds no more of them
/// at once than `split_index_above` (after which it knows it is split).
/// Those held arrive with the rest of the index, which is made once every
/// page is tokenised: after the first term shard or `search/index.js`.
#[test]
fn search_page_texts_are_handed_over_as_they_are_made() {
    let mut linked = linked_encyclopedia();
    let limit = 20_000;
    linked.site.config.search.split_index_above = limit;
    let sink = Arrivals::default();
    fascia::pipeline::render_into(linked, Destination::Stream(&sink))
        .unwrap_or_else(|d| panic!("render failed: {:#?}", d.items));
    let arrivals = sink.0.lock().unwrap();
    let is_text = |p: &str| p.starts_with("search/text/");
    let texts: usize = arrivals
        .iter()
        .filter(|(p, _)| is_text(p))
        .map(|(_, n)| n)
        .sum();
    let index_at = arrivals
        .iter()
        .position(|(p, _)| p == "search/index.js" || p.starts_with("search/shards/"))
        .expect("the index is written");
    let held: usize = arrivals[index_at..]
        .iter()
        .filter(|(p, _)| is_text(p))
        .map(|(_, n)| n)
        .sum();
    assert!(
        texts > 5 * limit,
        "too few page texts to tell: {texts} bytes"
    );
    // A file is a text's bytes plus its head (under 200 bytes).
    let pages = arrivals[index_at..]
        .iter()
        .filter(|(p, _)| is_text(p))
        .count();
    assert!(
        held <= limit + 200 * pages,
        "{held} bytes of page texts were held until the index was done (limit {limit})"
    );
}

/// The search index's postings (a term's pages and fields, the largest part
/// of a large site's index while it is made) are held packed: under 3 bytes
/// each on a site of common words (they were 8).
#[test]
fn search_postings_are_held_in_under_three_bytes_each() {
    // 2,000 pages of 300 words drawn from 800 made-up ones.
    let words: Vec<String> = (0..800u32)
        .map(|i| format!("q{}x{}", char::from(b'a' + (i % 26) as u8), i / 26))
        .collect();
    let mut seed = 12_345u64;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize
    };
    let docs: Vec<fascia::search::SearchDoc> = (0..2000)
        .map(|i| {
            let text: Vec<&str> = (0..300)
                .map(|_| words[next() % words.len()].as_str())
                .collect();
            fascia::search::SearchDoc {
                path: format!("/p{i}/"),
                title: format!("{} {}", words[i % 800], words[(i * 7) % 800]),
                sections: vec![fascia::search::DocSection {
                    text: text.join(" "),
                    ..Default::default()
                }],
                ..Default::default()
            }
        })
        .collect();
    let cfg = fascia::config::SearchConfig::default();
    let (bytes, postings) = fascia::search::postings_footprint(&docs, &cfg);
    assert!(postings > 500_000, "too few postings to tell: {postings}");
    assert!(
        bytes * 10 < postings * 30,
        "{bytes} bytes for {postings} postings: {:.2} bytes each",
        bytes as f64 / postings as f64
    );
}

/// A one-shot build holds each rendered body compressed from the moment it
/// is parsed (every body is held until its page is written), and reads it
/// back as it was.
#[test]
fn a_one_shot_build_holds_its_bodies_packed() {
    let linked = linked_encyclopedia();
    let site = &linked.site;
    let (mut held, mut whole) = (0, 0);
    for id in site.doc_ids() {
        let body = &site.doc(id).body;
        let html = body.html();
        if html.len() >= 1000 {
            assert!(body.packed.is_some(), "{id:?}: the body is not packed");
            assert!(!body.holds_plain(), "{id:?}: the body is held twice");
        }
        held += body.html_bytes();
        whole += html.len();
    }
    assert!(whole > 500_000, "only {whole} bytes of bodies");
    // LZ4 on pages of a few KB: a bit over half on the encyclopedia, under
    // half on the benchmark corpus's longer pages.
    assert!(
        held * 3 < whole * 2,
        "{held} bytes held for {whole} of HTML"
    );
    // `serve` keeps its bodies as they are: the same HTML.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    let served = fascia::pipeline::load_and_link(&fascia::pipeline::BuildOptions {
        root,
        serving: true,
        ..Default::default()
    })
    .unwrap_or_else(|d| panic!("the encyclopedia does not load: {:#?}", d.items));
    for id in site.doc_ids() {
        let kept = &served.site.doc(id).body;
        assert!(kept.packed.is_none(), "{id:?}: packed while serving");
        assert_eq!(kept.html(), site.doc(id).body.html(), "{id:?}");
    }
}
