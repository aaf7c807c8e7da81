//! The render stage: linked site -> [`Output`] (URL path -> bytes).
//!
//! 1. finish every body in parallel: link placeholders become URLs, shortcode
//!    placeholders become their templates' output;
//! 2. render every page, section, taxonomy page, alias and the 404 page in
//!    parallel with the compiled templates;
//! 3. add the sitemap, feed and robots.txt.

pub mod aliases;
pub mod context;
pub mod environment;
pub mod feeds;
pub mod print;
pub mod taxonomy;

use std::fmt::Write as _;
use std::sync::Arc;

use minijinja::Environment;
use minijinja::value::Value;
use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::graph::ResolvedLink;
use crate::markdown::{LINK_PLACEHOLDER, LinkKind, shortcodes};
use crate::output::Output;
use crate::site::{DocId, Site};
use crate::templates::{TemplateSet, template_error};
use context::{PageObj, SectionObj};
use jobs::{Job, render_job};

mod embeds;
mod jobs;
mod minify;
mod paginate;
mod plural;
mod special;
mod state;
mod style_ids;
pub(crate) mod toml_plain;
mod works;
pub use special::{SEARCH_PAGE, print_output_path, print_page, print_page_to};
pub use state::RenderState;

/// A template value from anything serialisable.
pub fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// Document `slot`'s body HTML with its links resolved and its images
/// sized (see [`crate::images`]); figures are numbered here unless
/// shortcodes may add more (then after they are rendered).
pub fn finish_html(html: &str, slot: usize, site: &Site) -> String {
    let html = substitute_links(html, &site.graph.resolved[slot], site);
    let images = site.images.of(slot);
    let html = if images.is_empty() {
        html
    } else {
        crate::images::html::substitute(&html, images)
    };
    if !html.contains(crate::images::html::FIGURE_NUMBER) {
        return html;
    }
    let id = if slot < site.pages.len() {
        DocId::Page(slot)
    } else {
        DocId::Section(slot - site.pages.len())
    };
    if site.doc(id).body.shortcodes.is_empty() {
        let words = figure_words(site, site.lang_of(id));
        crate::images::html::number_figures(&html, &words).into_owned()
    } else {
        html
    }
}

/// The words of figure captions in `lang` (the `figure`, `figure_credit`
/// and `figure_licence` strings of the site or its theme; English ones
/// when neither has them).
fn figure_words(site: &Site, lang: &str) -> crate::images::html::FigureWords {
    let mut words = crate::images::html::FigureWords::default();
    let config = &site.config;
    for (key, word) in [
        ("figure", &mut words.figure),
        ("figure_credit", &mut words.credit),
        ("figure_licence", &mut words.licence),
    ] {
        if let Some(t) = config
            .trans(key, lang)
            .or_else(|| config.trans(key, &config.default_language))
        {
            *word = t.to_string();
        }
    }
    words
}

/// Replace link placeholders in `html` (in `href` and `src` values) with
/// resolved URLs, and transclusion markers with what they show
/// ([`embeds`]).
pub fn substitute_links(html: &str, links: &[ResolvedLink], site: &Site) -> String {
    embeds::expand(
        substitute_only(html, links, site),
        links,
        site,
        &mut Vec::new(),
    )
}

/// [`substitute_links`] without the transclusions.
pub(crate) fn substitute_only(html: &str, links: &[ResolvedLink], site: &Site) -> String {
    let needle = format!("=\"{LINK_PLACEHOLDER}");
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(i) = finder.find(rest.as_bytes()) {
        out.push_str(&rest[..i]);
        let after = &rest[i + needle.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = after[..digits].parse().unwrap_or(usize::MAX);
        out.push_str("=\"");
        if let Some(link) = links.get(n) {
            write_href(&mut out, link, site);
        } else {
            out.push('#');
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

fn write_href(out: &mut String, link: &ResolvedLink, site: &Site) {
    match (&link.kind, link.target) {
        (LinkKind::Citation, _) => {
            let _ = write!(
                out,
                "#{}\" class=\"citation",
                link.anchor.as_deref().unwrap_or("")
            );
        }
        (LinkKind::File | LinkKind::Tag, _) => {
            out.push_str(&site.config.permalink(link.url.as_deref().unwrap_or("/")));
        }
        (LinkKind::SamePage, _) => {
            let _ = write!(out, "#{}", link.anchor.as_deref().unwrap_or(""));
        }
        (kind, Some(t)) => {
            out.push_str(&site.permalink_of(t));
            if let Some(a) = &link.anchor {
                out.push('#');
                out.push_str(a);
            }
            if let Some(lang) = &link.hreflang {
                let _ = write!(out, "\" hreflang=\"{lang}");
            }
            if *kind == LinkKind::Glossary {
                out.push_str("\" class=\"glossary-term");
            }
        }
        (_, None) => out.push('#'),
    }
}

/// Step 1: every body's final HTML.
/// One document's finished body.
pub fn finish_body(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
    id: DocId,
) -> (String, Vec<Diagnostic>) {
    let site = &state.site;
    let doc = site.doc(id);
    let html = finish_html(&doc.body.html(), site.slot(id), site);
    if doc.body.shortcodes.is_empty() {
        return (html, Vec::new());
    }
    render_shortcodes(state, env, set, id, html)
}

/// Render the given documents only (incremental rebuilds).
pub fn render_docs(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
    ids: &[DocId],
) -> (RenderedFiles, Vec<Diagnostic>) {
    let jobs: Vec<Job> = ids
        .iter()
        .map(|&id| match id {
            DocId::Page(i) => Job::Page(i),
            DocId::Section(i) => Job::Section(i),
        })
        .collect();
    let results: Vec<Result<RenderedFiles, Diagnostic>> = jobs
        .par_iter()
        .map(|job| render_job(state, env, set, job))
        .collect();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.extend(f),
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

fn finish_bodies(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
) -> (Vec<Option<String>>, Vec<Diagnostic>) {
    let site = &state.site;
    let ids: Vec<DocId> = site.doc_ids().collect();
    let results: Vec<(Option<String>, Vec<Diagnostic>)> = ids
        .par_iter()
        .map(|&id| {
            let doc = site.doc(id);
            // Finished in place, or when asked for (see `RenderState::content`).
            if doc.body.shortcodes.is_empty() {
                return (None, Vec::new());
            }
            let html = finish_html(&doc.body.html(), site.slot(id), site);
            let (html, diags) = render_shortcodes(state, env, set, id, html);
            (Some(html), diags)
        })
        .collect();
    let mut diags = Vec::new();
    let contents = results
        .into_iter()
        .map(|(h, d)| {
            diags.extend(d);
            h
        })
        .collect();
    (contents, diags)
}

fn render_shortcodes(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
    id: DocId,
    mut html: String,
) -> (String, Vec<Diagnostic>) {
    let doc = state.site.doc(id);
    let mut diags = Vec::new();
    let (page, section) = match id {
        DocId::Page(i) => (PageObj::value(state, i), Value::UNDEFINED),
        DocId::Section(i) => (Value::UNDEFINED, SectionObj::value(state, i)),
    };
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (n, call) in doc.body.shortcodes.iter().enumerate() {
        let nth = {
            let c = counts.entry(call.name.as_str()).or_insert(0);
            *c += 1;
            *c
        };
        let mut ctx: std::collections::BTreeMap<String, Value> = call
            .args
            .iter()
            .map(|(k, v)| (k.clone(), crate::render::ser(v)))
            .collect();
        // As in Zola, an argument named `body` stays when there is no body.
        if let Some(body) = &call.body {
            ctx.insert("body".into(), Value::from(body.as_str()));
        }
        ctx.insert("nth".into(), Value::from(nth));
        ctx.insert("page".into(), page.clone());
        ctx.insert("section".into(), section.clone());
        let lang = state.site.lang_of(id);
        ctx.insert("config".into(), state.config_for(lang));
        ctx.insert("lang".into(), Value::from(lang));
        if call.name == "figure" {
            ctx.insert("image".into(), figure_image(state, id, n));
        }
        let name = format!("shortcodes/{}.html", call.name);
        let rendered = env.get_template(&name).and_then(|t| t.render(&ctx));
        let output = match rendered {
            Ok(o) => o,
            Err(e) => {
                let line = call.line + doc.body_line_offset;
                let inner = template_error(&e, set, &state.site.root);
                diags.push(
                    Diagnostic::error(
                        "shortcode",
                        format!("shortcode `{}` failed: {}", call.name, inner.header()),
                    )
                    .at(
                        &doc.file.display,
                        &state.site.source(doc),
                        line,
                        call.column,
                    ),
                );
                String::new()
            }
        };
        let token = shortcodes::token(n);
        let para = format!("<p>{token}</p>\n");
        if call.block && html.contains(&para) {
            html = html.replacen(&para, &output, 1);
        } else {
            html = html.replacen(&token, &output, 1);
        }
    }
    let words = figure_words(&state.site, state.site.lang_of(id));
    let html = crate::images::html::number_figures(&html, &words).into_owned();
    (html, diags)
}

/// The sized image of `figure` shortcode call `n` of document `id`, as HTML
/// (undefined when fascia did not place it: a site's own `figure`).
fn figure_image(state: &RenderState, id: DocId, n: usize) -> Value {
    let site = &state.site;
    let slot = site.slot(id);
    site.doc(id)
        .body
        .images
        .iter()
        .position(|r| r.shortcode == Some(n))
        .and_then(|k| site.images.of(slot).get(k)?.as_ref())
        .map_or(Value::UNDEFINED, |p| {
            Value::from_safe_string(crate::images::html::picture(p))
        })
}

/// The bytes of a file as an earlier build made them, by output path.
pub type Earlier<'a> = &'a (dyn Fn(&str) -> Option<Arc<Vec<u8>>> + Sync);

/// Where rendered files go when they are not kept in memory: the writer of
/// the output folder implements it. Render itself knows no disk.
pub trait PageSink: Sync {
    /// Take one rendered file (`path` relative to the output folder).
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic>;
    /// Take one file that `write` writes in pieces, never held whole (the
    /// print edition: the whole site on one page, 88 MB at 10,000 pages).
    fn put_streamed(&self, path: &str, write: WriteWith<'_>) -> Result<(), Diagnostic>;
}

/// What writes a streamed file ([`PageSink::put_streamed`]) into the writer
/// it is given.
pub type WriteWith<'a> = &'a mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), Diagnostic>;

/// Where [`render_site_to`] puts the pages, sections and taxonomy pages.
#[derive(Clone, Copy)]
pub enum Destination<'a> {
    /// Into the returned [`Output`].
    Memory,
    /// Handed to a sink as they are rendered (a build streams them to disk,
    /// never holding them all in memory); the returned [`Output`] has the rest.
    Stream(&'a dyn PageSink),
    /// Into the returned [`Output`], sharing an earlier build's bytes where a
    /// file is unchanged (`serve`: a full rebuild then holds only the changed
    /// files twice while the earlier build is still served).
    MemoryReusing(Earlier<'a>),
}

/// The first half of rendering: the template environment, and every body
/// finished (shortcodes run, links filled in) into `state`. The search index
/// is built between this and [`render_site_to`], which links its loader.
pub fn prepare(
    state: &Arc<RenderState>,
    set: &TemplateSet,
    compiled: &Environment<'static>,
) -> (Environment<'static>, Vec<Diagnostic>) {
    let env = crate::render::environment::environment_from(compiled, state);
    let timing = crate::timing::Clock::new();
    if timing.on {
        eprintln!("timing: render starts{}", crate::timing::memory_note());
    }
    let (contents, diags) = finish_bodies(state, &env, set);
    if timing.on {
        eprintln!("timing: bodies finished{}", crate::timing::memory_note());
    }
    let _ = state.contents.set(contents);
    (env, diags)
}

/// Render every page, section, taxonomy page, the 404 and print pages,
/// aliases, feeds and the search page into `to` (see [`prepare`]). `first`
/// (the search index) runs before the pages, while the print edition is
/// rendered beside both; what it gives is handed back.
pub fn render_site_to<T: Send>(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
    to: Destination<'_>,
    first: impl FnOnce() -> T + Send,
) -> (Output, Vec<Diagnostic>, T) {
    let site = &state.site;
    let mut jobs: Vec<Job> = Vec::new();
    // A taxonomy's list page wins over a document at its URL, as in Zola
    // (the link stage warns). A taxonomy without terms writes nothing.
    let mut taken: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for t in state.taxonomies.iter().filter(|t| !t.terms.is_empty()) {
        if taxonomy::template(set, &t.name, "list").is_some() {
            taken.insert(&t.path);
        }
        if taxonomy::template(set, &t.name, "single").is_some() {
            taken.extend(t.terms.iter().map(|term| term.path.as_str()));
        }
    }
    jobs.extend(
        (0..site.pages.len())
            .filter(|&i| !taken.contains(site.pages[i].path.as_str()))
            .map(Job::Page),
    );
    jobs.extend(
        (0..site.sections.len())
            .filter(|&i| !taken.contains(site.sections[i].path.as_str()))
            .map(Job::Section),
    );
    for (t, tax) in state.taxonomies.iter().enumerate() {
        if tax.terms.is_empty() {
            continue;
        }
        jobs.push(Job::TaxonomyList(t));
        jobs.extend((0..tax.terms.len()).map(|i| Job::Term(t, i)));
    }
    let render_one = |job: &Job| -> Result<SharedFiles, Diagnostic> {
        let files = minify::files(site.config.minify_html, render_job(state, env, set, job)?);
        match to {
            Destination::Stream(sink) => {
                for (path, bytes) in files {
                    sink.put(&path, &bytes)?;
                }
                Ok(Vec::new())
            }
            Destination::Memory => Ok(files
                .into_iter()
                .map(|(path, bytes)| (path, crate::output::shared(bytes)))
                .collect()),
            Destination::MemoryReusing(earlier) => Ok(files
                .into_iter()
                .map(|(path, bytes)| {
                    let shared = earlier(&path)
                        .filter(|old| **old == bytes)
                        .unwrap_or_else(|| crate::output::shared(bytes));
                    (path, shared)
                })
                .collect()),
        }
    };
    // The lists (sections, taxonomy pages) are rendered first: each lists
    // many pages, and one left for last kept one thread busy while the
    // other had nothing left to do (0.7 s at 100,000 pages). Their files
    // are still merged in the jobs' order.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| matches!(jobs[i], Job::Page(_)));
    let render_all = || {
        let made_first = first();
        let mut results: Vec<(usize, Result<SharedFiles, Diagnostic>)> = order
            .par_iter()
            .map(|&i| (i, render_one(&jobs[i])))
            .collect();
        results.sort_unstable_by_key(|&(i, _)| i);
        (made_first, results)
    };
    // The print edition (the whole site on one page, on one thread) is
    // rendered beside the search index and the pages rather than after
    // them, where it kept one thread busy alone (about 1 s at 10,000 pages).
    let ((made_first, results), printed) =
        rayon::join(render_all, || print_editions(state, env, set, to));
    let mut output = Output::default();
    let mut diags = Vec::new();
    for (_, r) in results {
        match r {
            Ok(files) => {
                for (path, bytes) in files {
                    output.insert_shared(path, bytes);
                }
            }
            Err(d) => diags.push(d),
        }
    }
    diags.extend(special::not_found_pages(state, &mut output, env, set));
    for printed in printed {
        match printed {
            Ok(Some((path, html))) => output.insert_bytes(path, html),
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
    }
    diags.extend(aliases::add(site, &mut output, env, set));
    feeds::add(state, &mut output);
    diags.extend(special::robots_txt(state, &mut output, env, set));
    for lang in state.site.config.language_codes() {
        diags.extend(special::search_page(state, &mut output, env, set, lang));
    }
    (output, diags, made_first)
}

/// Every language's print edition: streamed into `to`'s sink (then
/// `Ok(None)`), or rendered into memory as (path, bytes).
fn print_editions(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
    to: Destination<'_>,
) -> Vec<Result<Option<RenderedFile>, Diagnostic>> {
    if !set.has("print.html") || state.site_wide_later {
        return Vec::new();
    }
    let root = &state.site.root;
    state
        .print_languages()
        .iter()
        .map(|lang| {
            if let Destination::Stream(sink) = to {
                // Written as it is rendered: the whole site on one page is
                // the largest file, and is never held whole.
                let path = out_path(&special::print_path(state, lang));
                let mut write = |w: &mut dyn std::io::Write| {
                    special::print_page_to(state, env, lang, w)
                        .map_err(|e| template_error(&e, set, root))
                };
                return sink.put_streamed(&path, &mut write).map(|()| None);
            }
            print_page(state, env, lang)
                .map(Some)
                .map_err(|e| template_error(&e, set, root))
        })
        .collect()
}

/// Output files of one render job: (path, bytes).
pub type RenderedFiles = Vec<RenderedFile>;

/// One output file: (path, bytes).
pub type RenderedFile = (String, Vec<u8>);

/// [`RenderedFiles`] with their bytes shared.
type SharedFiles = Vec<(String, Arc<Vec<u8>>)>;

pub use crate::site_paths::out_path;
