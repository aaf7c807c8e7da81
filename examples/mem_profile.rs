//! Memory profile of a build (issue 24): resident memory after each stage
//! and its peak, and what the linked site holds, field by field (the sum
//! of the capacities). Pages are rendered into a sink that drops them (no
//! disk). Run with `FASCIA_TIMINGS=1` for the stages inside.
//!
//! Usage: `cargo run --release --example mem_profile -- SITE_DIR`

use fascia::diagnostics::Diagnostic;
use fascia::render::{Destination, PageSink, WriteWith};

fn mb(n: usize) -> String {
    format!("{:.1} MB", n as f64 / 1_048_576.0)
}

fn note(stage: &str) {
    eprintln!("{stage:<12}{}", fascia::timing::memory_note());
}

struct Drop;

impl PageSink for Drop {
    fn put(&self, _: &str, _: &[u8]) -> Result<(), Diagnostic> {
        Ok(())
    }
    fn put_streamed(&self, _: &str, write: WriteWith<'_>) -> Result<(), Diagnostic> {
        write(&mut std::io::sink())
    }
}

fn s(x: &String) -> usize {
    x.capacity()
}

fn fields(site: &fascia::site::Site) {
    let mut t = std::collections::BTreeMap::<&str, usize>::new();
    let docs = site
        .pages
        .iter()
        .map(|p| &*p.doc)
        .chain(site.sections.iter().map(|s| &*s.doc));
    for d in docs {
        *t.entry("file.text").or_default() += s(&d.file.text);
        *t.entry("file.rel+display").or_default() +=
            s(&d.file.rel) + d.file.display.as_os_str().len();
        *t.entry("body.html (as held)").or_default() += d.body.html_bytes();
        *t.entry("body.text_start").or_default() += s(&d.body.text_start);
        *t.entry("body.summary").or_default() += d.body.summary.as_ref().map_or(0, s);
        *t.entry("body.headings").or_default() += d.body.headings.capacity()
            * std::mem::size_of::<fascia::markdown::Heading>()
            + d.body
                .headings
                .iter()
                .map(|h| s(&h.id) + s(&h.title))
                .sum::<usize>();
        *t.entry("body.links (structs)").or_default() +=
            d.body.links.capacity() * std::mem::size_of::<fascia::markdown::LinkRef>();
        *t.entry("body.links target+text").or_default() += d
            .body
            .links
            .iter()
            .map(|l| s(&l.target) + s(&l.text))
            .sum::<usize>();
        *t.entry("body.links sentence").or_default() +=
            d.body.links.iter().map(|l| s(&l.sentence)).sum::<usize>();
        *t.entry("fm.taxonomies").or_default() +=
            d.fm.taxonomies
                .values()
                .flatten()
                .map(|x| s(x) + 24)
                .sum::<usize>();
        *t.entry("Document struct").or_default() +=
            std::mem::size_of::<fascia::content::Document>();
    }
    let g = &site.graph;
    t.insert(
        "graph.resolved",
        g.resolved
            .iter()
            .map(|v| v.capacity() * std::mem::size_of::<fascia::links::ResolvedLink>())
            .sum(),
    );
    t.insert(
        "graph.backlinks",
        g.backlinks
            .iter()
            .flatten()
            .map(|_| std::mem::size_of::<fascia::links::Backlink>())
            .sum(),
    );
    t.insert(
        "graph.outgoing",
        g.outgoing.iter().map(|v| v.capacity() * 16).sum(),
    );
    t.insert(
        "graph.index.anchors",
        g.index
            .anchors
            .iter()
            .map(|h| h.capacity() * 32 + h.iter().map(s).sum::<usize>())
            .sum(),
    );
    t.insert(
        "graph.index.by_name",
        g.index
            .by_name
            .iter()
            .map(|(k, v)| s(k) + 24 + v.capacity() * 16 + 8)
            .sum(),
    );
    eprintln!(
        "  sizes: Document {} FrontMatter {} Body {} LinkRef {} ResolvedLink {} Heading {}",
        std::mem::size_of::<fascia::content::Document>(),
        std::mem::size_of::<fascia::content::FrontMatter>(),
        std::mem::size_of::<fascia::markdown::Body>(),
        std::mem::size_of::<fascia::markdown::LinkRef>(),
        std::mem::size_of::<fascia::links::ResolvedLink>(),
        std::mem::size_of::<fascia::markdown::Heading>(),
    );
    for (k, v) in t {
        eprintln!("  {k:<28} {:>10}", mb(v));
    }
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: mem_profile SITE_DIR");
    let opts = fascia::pipeline::BuildOptions {
        root: dir.into(),
        ..Default::default()
    };
    note("start");
    let linked = match fascia::pipeline::load_and_link_all(&opts) {
        Ok(l) => l,
        Err(d) => panic!("{:#?}", d.items.first()),
    };
    note("linked");
    fields(&linked.site);
    let sink = Drop;
    let (state, output, _) = match fascia::pipeline::render_into(linked, Destination::Stream(&sink))
    {
        Ok(x) => x,
        Err(d) => panic!("{:#?}", d.items.first()),
    };
    note("rendered");
    fields(&state.site);
    drop((state, output));
    note("end");
}
