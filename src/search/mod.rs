//! The search index, built from every page and section before the pages
//! are rendered (so that pages can link the search loader with a content
//! hash) and written as script files below `search/` that the theme's
//! client (`themes/fibre/static/search/`) loads with `<script>` tags, so
//! search works from `file://` as well as over http (see `docs/search.md`).
//!
//! The index is an inverted index (term -> field -> document -> term
//! frequency) in the shape `MiniSearch` reads; the client hands it to the
//! vendored `MiniSearch` library, which does the BM25 ranking with field
//! boosts. Terms are made here exactly as the client makes query terms: split
//! on anything that is not a letter or digit, lowercased, the language's stop
//! words dropped, stemmed with its Snowball stemmer, accents removed
//! ([`lang`]). A page's other names (`[extra] synonyms`, glossary
//! terms and aliases) are indexed whole: a name of several words is one
//! term, its words joined by spaces, which a query matches as a phrase.
//!
//! This module gathers the documents ([`collect`]) and their text
//! ([`html_sections`]); [`index`] writes the files.

pub mod index;

use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;

use crate::config::SearchConfig;
use crate::diagnostics::Diagnostic;
use crate::output::{Output, OutputFile};
use crate::render::RenderState;
use crate::site::{DocId, Site};

mod lang;
mod text;
pub use lang::{Analyzer, fold};
pub use text::html_sections;

pub use index::{build, build_in, build_with_shards, postings_footprint, short_hash};

/// Every field the index can hold, in the order of their ids (the config
/// owns the list: it validates `[search] fields`).
pub use crate::config::SEARCH_FIELDS as FIELDS;

/// English stop words (each language has its own: [`Analyzer::stop_words`]).
pub const STOP_WORDS: &[&str] = lang::EN_STOP;

/// The index's entry file, relative to the output folder.
pub const INDEX_FILE: &str = "search/index.js";
/// Where term shards go.
pub const SHARD_DIR: &str = "search/shards/";
/// Where each page's snippet text goes (a sharded index): `search/text/<n>.js`.
pub const TEXT_DIR: &str = "search/text/";

/// One part of a document's body: the text before the first heading (empty
/// `anchor` and `heading`), then one per heading with an id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocSection {
    pub anchor: String,
    pub heading: String,
    pub text: String,
}

/// One page or section as the index sees it.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    /// Site-root-relative URL path (`/techniques/iastm/`).
    pub path: String,
    pub title: String,
    /// The parent section's title (none at the top level).
    pub section: Option<String>,
    /// The parent section's URL path (`/techniques/`), with `section`.
    pub section_path: Option<String>,
    pub description: String,
    /// Page `[extra] synonyms` and the glossary terms and aliases of terms
    /// whose `page` is this document.
    pub synonyms: Vec<String>,
    /// Every taxonomy term of the page.
    pub tags: Vec<String>,
    pub sections: Vec<DocSection>,
    /// The sentences in which other pages link here.
    pub links: Vec<String>,
}

/// Output files of the index: (path, bytes).
pub type IndexFiles = Vec<(String, Vec<u8>)>;

/// Where the search page goes, unless a content page already claims `/search/`.
pub const PAGE_FILE: &str = crate::render::SEARCH_PAGE;

/// Build the index files of `state`'s site (none when search is off or its
/// settings are wrong) and record their content hashes in `state`, so that
/// `get_url(path="search/search.js", cachebust=true)` names the generated
/// loader's hash. Called before the pages are rendered.
pub fn prepare(state: &RenderState) -> IndexFiles {
    let files = index_files(state);
    record_hashes(state, &files);
    files
}

/// Sizes of the files handed to a sink, by path (for [`summary`]).
pub type HandedOver = std::collections::BTreeMap<String, usize>;

/// [`prepare`] for a build that streams its output into `sink`: the pages'
/// snippet files of a split index are handed to `sink` as soon as each is
/// made, never held all at once. Returns the files left to hand over
/// ([`hand_over`]) and the sizes of those written, or the first error
/// writing them.
pub fn prepare_streamed(
    state: &RenderState,
    sink: &dyn crate::render::PageSink,
) -> (IndexFiles, Result<HandedOver, Diagnostic>) {
    let written: std::sync::Mutex<(HandedOver, Option<Diagnostic>)> = std::sync::Mutex::default();
    let out = |path: String, bytes: Vec<u8>| {
        let result = sink.put(&path, &bytes);
        if let Ok(mut w) = written.lock() {
            match result {
                Ok(()) => {
                    w.0.insert(path, bytes.len());
                }
                Err(d) => {
                    w.1.get_or_insert(d);
                }
            }
        }
    };
    let files = index_files_to(state, Some(&out), &|| false);
    record_hashes(state, &files);
    let (sizes, error) = written.into_inner().unwrap_or_default();
    (files, error.map_or(Ok(sizes), Err))
}

/// What a template may link with `cachebust=true`: the loader and the index.
fn record_hashes(state: &RenderState, files: &IndexFiles) {
    state.set_generated_hashes(
        files
            .iter()
            .filter(|(path, _)| path == index::LOADER_FILE || path == INDEX_FILE)
            .map(|(path, bytes)| (path.clone(), short_hash(bytes)))
            .collect(),
    );
}

/// Add the index `files` ([`prepare`]) to `output` (the search page itself
/// is render's work). Returns errors in the `[search]` settings.
pub fn add(state: &RenderState, output: &mut Output, files: IndexFiles) -> Vec<Diagnostic> {
    let cfg = &state.site.config.search;
    if !cfg.enabled {
        return Vec::new();
    }
    let config = &state.site.config;
    if let Some(d) = config
        .language_codes()
        .find_map(|l| check_config(config.search_for(l)).err())
    {
        return vec![d];
    }
    for (path, bytes) in files {
        output.insert_bytes(path, bytes);
    }
    Vec::new()
}

/// Hand the index `files` ([`prepare`]) to `sink` at once, in parallel,
/// leaving `files` empty: a streamed build does not hold the index while
/// the pages render. Returns their sizes by path (for [`summary`]); nothing
/// is handed over when search is off or its settings are wrong ([`add`]
/// reports those).
pub fn hand_over(
    state: &RenderState,
    sink: &dyn crate::render::PageSink,
    files: &mut IndexFiles,
) -> Result<HandedOver, Diagnostic> {
    let cfg = &state.site.config.search;
    if !cfg.enabled || check_config(cfg).is_err() {
        return Ok(HandedOver::default());
    }
    std::mem::take(files)
        .into_par_iter()
        .map(|(path, bytes)| {
            sink.put(&path, &bytes)?;
            Ok((path, bytes.len()))
        })
        .collect()
}

/// The index files of `state`'s site, without the search page (`serve`
/// refreshes them after an incremental rebuild): one index per language
/// (with its shards), the default language's below `search/`, another's
/// below `<lang>/search/`, each made of that language's pages with its
/// stemmer and stop words; and, when the theme has one, the loader
/// `search/search.js` with the manifest of content hashes. None when search
/// is off.
pub fn index_files(state: &RenderState) -> IndexFiles {
    index_files_to(state, None, &|| false)
}

/// [`index_files`], unless `give_way` says so while it is made (it is
/// asked once per page): then none. `serve` makes the index while no edit
/// waits, and gives way to the next edit.
pub fn index_files_unless(
    state: &RenderState,
    give_way: &(dyn Fn() -> bool + Sync),
) -> Option<IndexFiles> {
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let stop = || {
        use std::sync::atomic::Ordering::Relaxed;
        if stopped.load(Relaxed) {
            return true;
        }
        let stop = give_way();
        if stop {
            stopped.store(true, Relaxed);
        }
        stop
    };
    let files = index_files_to(state, None, &stop);
    (!stopped.into_inner()).then_some(files)
}

/// [`index_files`], the pages' snippet files of a split index going to
/// `texts` as they are made rather than among the files returned; once
/// `stop` says so, the pages left are indexed empty (the result is then
/// of no use, and is made at once).
fn index_files_to(
    state: &RenderState,
    texts: Option<index::TextOut<'_>>,
    stop: &(dyn Fn() -> bool + Sync),
) -> IndexFiles {
    let config = &state.site.config;
    let valid = |l: &str| check_config(config.search_for(l)).is_ok();
    if !config.search.enabled || !config.language_codes().all(valid) {
        return Vec::new();
    }
    let timer = std::time::Instant::now();
    let mut files = IndexFiles::new();
    let mut default = None;
    let mut others = Vec::new();
    for lang in config.language_codes().filter(|l| config.search_of(l)) {
        let (ids, names) = doc_ids(state, lang);
        let analyzer = Analyzer::new(lang);
        let dir = index_dir(config, lang);
        let to_dir = |path: String, bytes: Vec<u8>| {
            if let Some(out) = texts {
                out(relocate(&dir, &path), bytes);
            }
        };
        let (built, firsts) = index::build_streamed(
            ids.len(),
            &|i| {
                if stop() {
                    SearchDoc::default()
                } else {
                    doc_with_names(state, ids[i], &names)
                }
            },
            config.search_for(lang),
            &analyzer,
            texts.map(|_| &to_dir as index::TextOut<'_>),
            stop,
        );
        if stop() {
            return Vec::new();
        }
        let manifest = index::manifest_of(lang, &built, &firsts, &analyzer);
        if lang == config.default_language {
            default = Some(manifest);
            files.extend(built);
        } else {
            files.extend(
                built
                    .into_iter()
                    .map(|(path, bytes)| (relocate(&dir, &path), bytes)),
            );
            others.push((dir, manifest));
        }
    }
    if let Some(loader) = index::loader(&state.site.static_dirs, default.as_ref(), &others) {
        files.push(loader);
    }
    if std::env::var_os("FASCIA_TIMINGS").is_some() {
        eprintln!(
            "timing: search index {:.3} s{}",
            timer.elapsed().as_secs_f64(),
            crate::timing::memory_note()
        );
    }
    files
}

/// `path` of an index file (`search/text/3.js`) in the folder of its
/// language's index (`fr/search/`: `fr/search/text/3.js`).
fn relocate(dir: &str, path: &str) -> String {
    let below = path.strip_prefix("search/").unwrap_or(path);
    format!("{dir}{below}")
}

/// Where `lang`'s index goes: `search/` for the default language,
/// `fr/search/` for French (beside its pages, below `/fr/`).
pub fn index_dir(config: &crate::config::Config, lang: &str) -> String {
    let prefix = config.lang_prefix(lang);
    let prefix = prefix.trim_start_matches('/');
    if prefix.is_empty() {
        "search/".to_string()
    } else {
        format!("{prefix}/search/")
    }
}

fn check_config(cfg: &SearchConfig) -> Result<(), Diagnostic> {
    for f in &cfg.fields {
        if !FIELDS.contains(&f.as_str()) {
            let hint = crate::diagnostics::closest(f, FIELDS.iter().copied());
            return Err(Diagnostic::error(
                "search-config",
                format!("unknown search field `{f}` in [search] fields"),
            )
            .in_file("config.toml")
            .with_help(match hint {
                Some(h) => format!("did you mean `{h}`? fields are {}", FIELDS.join(", ")),
                None => format!("fields are {}", FIELDS.join(", ")),
            }));
        }
    }
    if cfg.shard_size == 0 {
        return Err(
            Diagnostic::error("search-config", "[search] shard_size must be more than 0")
                .in_file("config.toml"),
        );
    }
    Ok(())
}

/// The line `build` prints about the index, if the output has one:
/// `Search index: 1 file, 182 KB`.
pub fn summary(output: &Output) -> Option<String> {
    let mut lines = vec![index_summary(output, "search/", "Search index")?];
    // The other languages' indexes: `fr/search/index.js`, ...
    let others: Vec<&str> = output
        .files
        .keys()
        .chain(output.handed_over.keys())
        .filter_map(|k| k.strip_suffix("/search/index.js"))
        .filter(|lang| !lang.contains('/'))
        .collect();
    for lang in others {
        let dir = format!("{lang}/search/");
        if let Some(line) = index_summary(output, &dir, &format!("Search index ({lang})")) {
            lines.push(line);
        }
    }
    Some(lines.join("\n"))
}

/// `{label}: 1 file, 182 KB` for the index below `dir`, if there is one.
fn index_summary(output: &Output, dir: &str, label: &str) -> Option<String> {
    let size = |f: &OutputFile| match f {
        OutputFile::Bytes(b) => b.len(),
        OutputFile::Copy(p) => std::fs::metadata(p).map_or(0, |m| m.len() as usize),
    };
    let main_path = format!("{dir}index.js");
    let main = match output.files.get(&main_path) {
        Some(f) => size(f),
        None => *output.handed_over.get(&main_path)?,
    };
    let under = |sub: &str| -> Vec<usize> {
        let start = format!("{dir}{sub}");
        let kept = output
            .files
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .map(|(_, f)| size(f));
        let handed = output
            .handed_over
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .map(|(_, &n)| n);
        kept.chain(handed).collect()
    };
    let shards = under("shards/");
    let texts = under("text/");
    if shards.is_empty() && texts.is_empty() {
        return Some(format!("{label}: 1 file, {}", human(main)));
    }
    let total = main + shards.iter().sum::<usize>() + texts.iter().sum::<usize>();
    Some(format!(
        "{label}: 1 + {} + {}, {} in all (index.js {}, largest shard {}, page texts {} on average)",
        crate::diagnostics::plural(shards.len(), "shard file", "shard files"),
        crate::diagnostics::plural(texts.len(), "page file", "page files"),
        human(total),
        human(main),
        human(shards.iter().copied().max().unwrap_or(0)),
        human(texts.iter().sum::<usize>() / texts.len().max(1)),
    ))
}

/// Print [`summary`] to stderr.
pub fn report(output: &Output) {
    if let Some(line) = summary(output) {
        eprintln!("{line}");
    }
}

fn human(bytes: usize) -> String {
    if bytes < 1000 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Every page and section that goes in `lang`'s index, in URL order.
pub fn collect(state: &RenderState, lang: &str) -> Vec<SearchDoc> {
    let (ids, names) = doc_ids(state, lang);
    ids.par_iter()
        .map(|&id| doc_with_names(state, id, &names))
        .collect()
}

/// The glossary's terms and aliases, by the page they name.
type GlossaryNames = HashMap<DocId, Vec<String>>;

/// The documents of `lang` that go in its index, in URL order (a page's
/// number in the index), and the names `lang`'s glossary gives each.
fn doc_ids(state: &RenderState, lang: &str) -> (Vec<DocId>, GlossaryNames) {
    let site = &state.site;
    let mut glossary_names: GlossaryNames = HashMap::new();
    for t in &glossary_of(site, lang).terms {
        if let Some(id) = t
            .page
            .as_deref()
            .and_then(|p| site.by_rel(p.trim_start_matches("@/")))
            .and_then(|id| site.in_language(id, lang))
        {
            let names = glossary_names.entry(id).or_default();
            names.push(t.term.clone());
            names.extend(t.aliases.iter().cloned());
        }
    }
    let mut ids: Vec<DocId> = site
        .doc_ids()
        .filter(|&id| {
            let doc = site.doc(id);
            let hidden =
                matches!(id, DocId::Section(i) if site.sections[i].doc.fm.render == Some(false));
            !hidden && doc.fm.in_search_index != Some(false) && site.lang_of(id) == lang
        })
        .collect();
    ids.sort_by(|a, b| site.path_of(*a).cmp(site.path_of(*b)));
    (ids, glossary_names)
}

/// One document as the index reads it, with its glossary names.
fn doc_with_names(state: &RenderState, id: DocId, names: &GlossaryNames) -> SearchDoc {
    let mut d = one_doc(state, id);
    if let Some(names) = names.get(&id) {
        d.synonyms.extend(names.iter().cloned());
    }
    d
}

fn one_doc(state: &RenderState, id: DocId) -> SearchDoc {
    let site = &state.site;
    let cfg = site.config.search_for(site.lang_of(id));
    let doc = site.doc(id);
    let html = state
        .content(site.slot(id))
        .unwrap_or_else(|| doc.body.html());
    let mut sections = html_sections(&html);
    if cfg.include_content {
        if cfg.truncate_content_length > 0 {
            truncate_sections(&mut sections, cfg.truncate_content_length);
        }
        if let DocId::Page(i) = id {
            let facts: Vec<String> = site.graph.facts[site.slot(DocId::Page(i))]
                .iter()
                .map(|f| format!("{}: {}.", f.label, f.text))
                .collect();
            if !facts.is_empty() {
                let intro = &mut sections[0].text;
                if !intro.is_empty() {
                    intro.push(' ');
                }
                intro.push_str(&facts.join(" "));
            }
        }
    } else {
        for s in &mut sections {
            s.text.clear();
        }
    }
    let lang = site.lang_of(id);
    if site
        .graph
        .glossary_page
        .and_then(|g| site.in_language(g, lang))
        == Some(id)
    {
        let english = lang.starts_with("en");
        sections.extend(glossary_of(site, lang).terms.iter().map(|t| {
            let mut text = String::new();
            if cfg.include_content {
                if !t.aliases.is_empty() {
                    let also = if english { "Also: " } else { "" };
                    let _ = write!(text, "{also}{}. ", t.aliases.join(", "));
                }
                text.push_str(&t.definition);
            }
            DocSection {
                anchor: t.id.clone(),
                heading: t.term.clone(),
                text,
            }
        }));
    }
    let synonyms = match doc.fm.extra.get("synonyms") {
        Some(toml::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(toml::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    SearchDoc {
        path: site.path_of(id).to_string(),
        title: site.title_of(id).to_string(),
        section: section_label(site, id).map(|(label, _)| label),
        section_path: section_label(site, id).map(|(_, path)| path),
        description: if cfg.include_description {
            doc.fm.description.clone().unwrap_or_default()
        } else {
            String::new()
        },
        synonyms,
        tags: doc.fm.taxonomies.values().flatten().cloned().collect(),
        sections,
        links: site.graph.backlinks[site.slot(id)]
            .iter()
            .filter(|b| b.source != id)
            .map(|b| b.sentence(site).to_string())
            .collect(),
    }
}

/// `lang`'s glossary (`data/glossary.xx.toml`), or the default language's
/// when it has none (as `get_glossary()` gives it).
fn glossary_of<'a>(site: &'a Site, lang: &str) -> &'a crate::knowledge::glossary::Glossary {
    site.glossaries
        .iter()
        .find(|(l, g)| l == lang && !g.terms.is_empty())
        .map_or(&site.glossary, |(_, g)| g)
}

/// The title and path of the section a document sits in, below the home page.
fn section_label(site: &Site, id: DocId) -> Option<(String, String)> {
    let parent = match id {
        DocId::Page(i) => Some(site.pages[i].section),
        DocId::Section(i) => site.sections[i].parent,
    }?;
    let s = &site.sections[parent];
    if s.dir.is_empty() {
        return None;
    }
    let nav = s.doc.fm.extra.get("nav_title").and_then(|v| v.as_str());
    Some((nav.unwrap_or(s.title()).to_string(), s.path.clone()))
}

/// Keep at most `limit` characters of body text, in order; later sections
/// keep their heading.
fn truncate_sections(sections: &mut [DocSection], limit: usize) {
    let mut left = limit;
    for s in sections {
        let n = s.text.chars().count();
        if n <= left {
            left -= n;
            continue;
        }
        let cut = s
            .text
            .char_indices()
            .nth(left)
            .map_or(s.text.len(), |(i, _)| i);
        // End on a word boundary when one is near.
        let cut = match s.text[..cut].rfind(' ') {
            Some(sp) if cut - sp < 40 => sp,
            _ => cut,
        };
        s.text.truncate(cut);
        left = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_html_at_headings() {
        let html = "<p>Intro &amp; more.</p>\n<h2 id=\"evidence\">Evidence <a class=\"anchor\" href=\"#evidence\" aria-label=\"Link\">#</a></h2>\n<p>Small <em>effects</em>.<sup class=\"footnote-ref\"><a href=\"#fn-1\">1</a></sup></p><script>x()</script>";
        let s = html_sections(html);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "Intro & more.");
        assert_eq!(s[1].anchor, "evidence");
        assert_eq!(s[1].heading, "Evidence");
        assert_eq!(s[1].text, "Small effects.");
    }

    #[test]
    fn zola_anchor_symbols_are_left_out_and_anchored_heading_text_kept() {
        // Zola's anchor-link.html, to the left, then wrapping the heading.
        let html = "<h2 id=\"a\"><a class=\"zola-anchor\" href=\"#a\" aria-label=\"Anchor link for: a\">🔗</a>Alpha</h2><p>x</p><h2 id=\"b\"><a class=\"zola-anchor\" href=\"#b\">Beta words</a></h2><p>y <a href=\"/z/\">Zed</a></p>";
        let s = html_sections(html);
        assert_eq!(s[1].heading, "Alpha");
        assert_eq!(s[2].heading, "Beta words");
        assert_eq!(s[2].text, "y Zed");
    }

    #[test]
    fn truncates_across_sections() {
        let mut s = vec![
            DocSection {
                text: "one two three".into(),
                ..Default::default()
            },
            DocSection {
                anchor: "a".into(),
                heading: "A".into(),
                text: "four five six".into(),
            },
        ];
        truncate_sections(&mut s, 18);
        assert_eq!(s[0].text, "one two three");
        assert_eq!(s[1].text, "four");
        assert_eq!(s[1].heading, "A");
    }
}
