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

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use minijinja::value::Value;
use minijinja::{Environment, context};
use rayon::prelude::*;

use crate::content::Document;
use crate::diagnostics::Diagnostic;
use crate::graph::ResolvedLink;
use crate::markdown::{LINK_PLACEHOLDER, LinkKind, shortcodes};
use crate::output::Output;
use crate::site::{DocId, Site};
use crate::templates::{TemplateSet, template_error};
use context::{PageObj, SectionObj};

/// The site being rendered plus what rendering computes once.
#[derive(Debug)]
pub struct RenderState {
    pub site: Site,
    /// Finished body HTML per document slot (set after step 1), kept for
    /// bodies with shortcodes; `None` for the others (see
    /// [`RenderState::content`]).
    contents: OnceLock<Vec<Option<String>>>,
    /// Bodies without shortcodes had their links substituted in place by
    /// [`RenderState::new`] (one-shot builds, which never re-link). In
    /// `serve`, which re-links, they are finished when asked for instead:
    /// holding every finished body besides every linkable one would cost
    /// as much memory again as the bodies themselves.
    prefinished: bool,
    pub today: jiff::civil::Date,
    pub taxonomies: Vec<taxonomy::Taxonomy>,
    related: Vec<Vec<DocId>>,
    pub config_value: Value,
    /// Content hashes of generated assets (the search files), by output
    /// path, for `get_url(..., cachebust=true)`.
    generated: OnceLock<std::collections::HashMap<String, String>>,
}

impl RenderState {
    pub fn new(mut site: Site) -> Self {
        // A one-shot build never re-links, so a body without shortcodes is
        // finished where it is instead of being copied.
        let prefinished = !site.serving;
        if prefinished {
            // In chunks, so the old and new bodies never coexist in full.
            let ids: Vec<DocId> = site.doc_ids().collect();
            for chunk in ids.chunks(256) {
                let finished: Vec<(DocId, String)> = chunk
                    .par_iter()
                    .filter(|&&id| site.doc(id).body.shortcodes.is_empty())
                    .map(|&id| {
                        let html = substitute_links(
                            &site.doc(id).body.html,
                            &site.graph.resolved[site.slot(id)],
                            &site,
                        );
                        (id, html)
                    })
                    .collect();
                for (id, html) in finished {
                    match id {
                        // Unshared: one-shot builds keep no parse cache.
                        DocId::Page(i) => Arc::make_mut(&mut site.pages[i].doc).body.html = html,
                        DocId::Section(i) => {
                            Arc::make_mut(&mut site.sections[i].doc).body.html = html;
                        }
                    }
                }
            }
        }
        if std::env::var_os("FASCIA_TIMINGS").is_some() {
            eprintln!("timing: bodies linked{}", crate::timing::memory_note());
        }
        let clock = crate::timing::Clock::new();
        let taxonomies = taxonomy::collect(&site);
        clock.lap("taxonomies collected");
        let related = crate::knowledge::related::compute(&site);
        clock.lap("related computed");
        let config_value = crate::render::ser(&site.config);
        Self {
            site,
            contents: OnceLock::new(),
            prefinished,
            today: jiff::Zoned::now().date(),
            taxonomies,
            related,
            config_value,
            generated: OnceLock::new(),
        }
    }

    /// A document's finished body (after step 1 of rendering): kept, or
    /// its own `body.html` when finished in place, or finished now.
    pub fn content(&self, slot: usize) -> Option<Cow<'_, str>> {
        if let Some(kept) = self.contents.get()?[slot].as_deref() {
            return Some(Cow::Borrowed(kept));
        }
        let doc = self.doc_at(slot);
        Some(if self.prefinished {
            Cow::Borrowed(doc.body.html.as_str())
        } else {
            Cow::Owned(substitute_links(
                &doc.body.html,
                &self.site.graph.resolved[slot],
                &self.site,
            ))
        })
    }

    fn doc_at(&self, slot: usize) -> &Document {
        let pages = self.site.pages.len();
        if slot < pages {
            &self.site.pages[slot].doc
        } else {
            &self.site.sections[slot - pages].doc
        }
    }

    pub fn related(&self, slot: usize) -> &[DocId] {
        &self.related[slot]
    }

    /// The site, for changing between renders (`serve`'s incremental rebuilds).
    pub fn site_mut(&mut self) -> &mut Site {
        &mut self.site
    }

    /// Recompute the related pages of the given pages.
    pub fn refresh_related(&mut self, pages: &[usize]) {
        let by_term = crate::knowledge::related::term_index(&self.site);
        let limit = self.site.config.knowledge.related_pages;
        let mut scores = crate::knowledge::related::Scores::default();
        let lists: Vec<(usize, Vec<DocId>)> = pages
            .iter()
            .map(|&i| {
                (
                    self.site.slot(DocId::Page(i)),
                    crate::knowledge::related::for_page(
                        &self.site,
                        i,
                        &by_term,
                        limit,
                        &mut scores,
                    ),
                )
            })
            .collect();
        drop(by_term);
        for (slot, list) in lists {
            self.related[slot] = list;
        }
    }

    /// Replace one finished body: `None` for a body without shortcodes,
    /// which is finished when asked for (see [`RenderState::content`]).
    pub fn set_content(&mut self, slot: usize, html: Option<String>) {
        if let Some(contents) = self.contents.get_mut() {
            contents[slot] = html;
        }
    }

    pub fn review_due(&self, doc: &Document) -> Option<jiff::civil::Date> {
        let reviewed = doc.fm.last_reviewed?;
        let days = doc
            .fm
            .review_interval_days
            .unwrap_or(self.site.config.knowledge.review_interval_days);
        reviewed
            .date()
            .checked_add(jiff::Span::new().days(i64::from(days)))
            .ok()
    }

    pub fn graph_svg(&self, id: DocId) -> Option<String> {
        crate::knowledge::graph_svg::render(&self.site, id)
    }

    /// `get_url(path=...)`: `@/` content paths or files below static/.
    pub fn get_url(
        &self,
        path: &str,
        trailing_slash: bool,
        cachebust: bool,
    ) -> Result<String, minijinja::Error> {
        let cfg = &self.site.config;
        if let Some(rel) = path.strip_prefix("@/") {
            let (p, anchor) = rel
                .split_once('#')
                .map_or((rel, None), |(p, a)| (p, Some(a)));
            let id = self.site.by_rel(p).ok_or_else(|| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("get_url: no page at `{path}`"),
                )
            })?;
            let mut url = self.site.permalink_of(id);
            if let Some(a) = anchor {
                url.push('#');
                url.push_str(a);
            }
            return Ok(url);
        }
        let clean = path.trim_start_matches('/');
        let mut url = format!("{}/{}", cfg.base_url, clean);
        if trailing_slash && !url.ends_with('/') {
            url.push('/');
        }
        if cachebust
            && !self.site.serving
            && let Some(hash) = self.static_hash(clean)
        {
            let _ = write!(url, "?h={hash}");
        }
        Ok(url)
    }

    /// Record the content hashes of generated assets (once, before pages
    /// are rendered; later calls are ignored).
    pub fn set_generated_hashes(&self, hashes: std::collections::HashMap<String, String>) {
        let _ = self.generated.set(hashes);
    }

    fn static_hash(&self, rel: &str) -> Option<String> {
        if let Some(h) = self.generated.get().and_then(|g| g.get(rel)) {
            return Some(h.clone());
        }
        for dir in self.site.static_dirs.iter().rev() {
            if let Ok(bytes) = std::fs::read(dir.join(rel)) {
                return Some(format!("{:016x}", crate::hash::fnv1a(&bytes)));
            }
        }
        None
    }

    pub fn taxonomy_value(self: &Arc<Self>, kind: &str) -> Option<Value> {
        let t = self.taxonomies.iter().find(|t| t.name == kind)?;
        Some(context! {
            kind => context! { name => t.name.clone() },
            items => t.terms.iter().map(|term| taxonomy::term_value(self, t, term)).collect::<Vec<_>>(),
        })
    }

    /// `get_glossary()`: every term with its anchor and page.
    pub fn glossary_value(&self) -> Value {
        let site = &self.site;
        let terms: Vec<Value> = site
            .glossary
            .terms
            .iter()
            .map(|t| {
                let page = t.page.as_deref().and_then(|p| site.by_rel(p.trim_start_matches("@/")));
                context! {
                    term => t.term.clone(),
                    id => t.id.clone(),
                    aliases => t.aliases.clone(),
                    definition => t.definition.clone(),
                    page => page.map(|id| context! { title => site.title_of(id), permalink => site.permalink_of(id) }),
                }
            })
            .collect();
        Value::from(terms)
    }

    /// `get_bibliography()`: every work with the pages citing it.
    pub fn bibliography_value(&self) -> Value {
        let site = &self.site;
        let works: Vec<Value> = site
            .bibliography
            .works
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let cited_by: Vec<Value> = site.graph.cited_by[i]
                    .iter()
                    .map(|&d| context! { title => site.title_of(d), permalink => site.permalink_of(d), path => site.path_of(d) })
                    .collect();
                context! {
                    key => w.key.clone(),
                    id => format!("ref-{}", w.key),
                    citation => w.citation_text(),
                    href => w.href(),
                    work => ser(w),
                    cited_by => cited_by,
                }
            })
            .collect();
        Value::from(works)
    }

    /// `load_data(path=...)`: TOML, JSON or CSV below the site root or data/.
    pub fn load_data(&self, path: &str, format: Option<&str>) -> Result<Value, minijinja::Error> {
        let err = |m: String| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, m);
        let rel = path.trim_start_matches('/');
        if rel.split('/').any(|c| c == "..") {
            return Err(err(format!("load_data: `{path}` leaves the site folder")));
        }
        let root = &self.site.root;
        let file = [root.join(rel), root.join("data").join(rel)]
            .into_iter()
            .find(|p| p.is_file());
        let file =
            file.ok_or_else(|| err(format!("load_data: no file `{path}` in the site or data/")))?;
        let text = std::fs::read_to_string(&file)
            .map_err(|e| err(format!("load_data: {}: {e}", file.display())))?;
        let ext = format
            .map(str::to_string)
            .or_else(|| file.extension().map(|e| e.to_string_lossy().to_lowercase()));
        match ext.as_deref() {
            Some("toml") => toml::from_str::<toml::Value>(&text)
                .map(|v| crate::render::ser(&v))
                .map_err(|e| err(format!("load_data: {}: {e}", file.display()))),
            Some("json") => serde_json::from_str::<serde_json::Value>(&text)
                .map(|v| crate::render::ser(&v))
                .map_err(|e| err(format!("load_data: {}: {e}", file.display()))),
            Some("csv") => Ok(parse_csv(&text)),
            _ => Ok(Value::from(text)),
        }
    }
}

/// A template value from anything serialisable.
pub fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

fn parse_csv(text: &str) -> Value {
    let mut rows = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(split_csv_line);
    let headers = rows.next().unwrap_or_default();
    let records: Vec<Vec<String>> = rows.collect();
    context! { headers => headers, records => records }
}

fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Replace link placeholders in `html` with resolved URLs.
pub fn substitute_links(html: &str, links: &[ResolvedLink], site: &Site) -> String {
    let needle = format!("href=\"{LINK_PLACEHOLDER}");
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(i) = finder.find(rest.as_bytes()) {
        out.push_str(&rest[..i]);
        let after = &rest[i + needle.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = after[..digits].parse().unwrap_or(usize::MAX);
        out.push_str("href=\"");
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
        (LinkKind::SamePage, _) => {
            let _ = write!(out, "#{}", link.anchor.as_deref().unwrap_or(""));
        }
        (kind, Some(t)) => {
            out.push_str(&site.permalink_of(t));
            if let Some(a) = &link.anchor {
                out.push('#');
                out.push_str(a);
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
    let html = substitute_links(&doc.body.html, &site.graph.resolved[site.slot(id)], site);
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
            let html = substitute_links(&doc.body.html, &site.graph.resolved[site.slot(id)], site);
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
        ctx.insert(
            "body".into(),
            call.body.clone().map_or(Value::UNDEFINED, Value::from),
        );
        ctx.insert("nth".into(), Value::from(nth));
        ctx.insert("page".into(), page.clone());
        ctx.insert("section".into(), section.clone());
        ctx.insert("config".into(), state.config_value.clone());
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
                    .at(&doc.file.display, &doc.file.text, line, call.column),
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
    (html, diags)
}

/// The bytes of a file as an earlier build made them, by output path.
pub type Earlier<'a> = &'a (dyn Fn(&str) -> Option<Arc<Vec<u8>>> + Sync);

/// Where rendered files go when they are not kept in memory: the writer of
/// the output folder implements it. Render itself knows no disk.
pub trait PageSink: Sync {
    /// Take one rendered file (`path` relative to the output folder).
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic>;
}

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
) -> Result<(Environment<'static>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let env = crate::render::environment::environment(set, state)?;
    let timing = crate::timing::Clock::new();
    if timing.on {
        eprintln!("timing: render starts{}", crate::timing::memory_note());
    }
    let (contents, diags) = finish_bodies(state, &env, set);
    if timing.on {
        eprintln!("timing: bodies finished{}", crate::timing::memory_note());
    }
    let _ = state.contents.set(contents);
    Ok((env, diags))
}

/// Render every page, section, taxonomy page, the 404 and print pages,
/// aliases, feeds and the search page into `to` (see [`prepare`]).
pub fn render_site_to(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
    to: Destination<'_>,
) -> (Output, Vec<Diagnostic>) {
    let site = &state.site;
    let mut jobs: Vec<Job> = Vec::new();
    jobs.extend((0..site.pages.len()).map(Job::Page));
    jobs.extend((0..site.sections.len()).map(Job::Section));
    for (t, tax) in state.taxonomies.iter().enumerate() {
        jobs.push(Job::TaxonomyList(t));
        jobs.extend((0..tax.terms.len()).map(|i| Job::Term(t, i)));
    }
    let results: Vec<Result<SharedFiles, Diagnostic>> = jobs
        .par_iter()
        .map(|job| {
            let files = render_job(state, env, set, job)?;
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
        })
        .collect();
    let mut output = Output::default();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(files) => {
                for (path, bytes) in files {
                    output.insert_shared(path, bytes);
                }
            }
            Err(d) => diags.push(d),
        }
    }
    if set.has("404.html") {
        match env
            .get_template("404.html")
            .and_then(|t| t.render(base_context(state)))
        {
            Ok(html) => output.insert_bytes("404.html".into(), html.into_bytes()),
            Err(e) => diags.push(template_error(&e, set, &site.root)),
        }
    }
    if set.has("print.html") {
        let ctx = context! {
            articles => print::articles(state),
            config => state.config_value.clone(),
            current_url => site.config.permalink(print::PATH),
            current_path => print::PATH,
        };
        match env.get_template("print.html").and_then(|t| t.render(ctx)) {
            Ok(html) => output.insert_bytes(out_path(print::PATH), html.into_bytes()),
            Err(e) => diags.push(template_error(&e, set, &site.root)),
        }
    }
    diags.extend(aliases::add(site, &mut output, env, set));
    feeds::add(state, &mut output);
    diags.extend(search_page(state, &mut output, env, set));
    (output, diags)
}

/// Where the search page goes.
pub const SEARCH_PAGE: &str = "search/index.html";

/// The search page, from `search.html` when search is on, the templates have
/// one and no content page is at `/search/`.
fn search_page(
    state: &Arc<RenderState>,
    output: &mut Output,
    env: &Environment<'_>,
    set: &TemplateSet,
) -> Option<Diagnostic> {
    let site = &state.site;
    if !site.config.search.enabled
        || !set.has("search.html")
        || output.files.contains_key(SEARCH_PAGE)
    {
        return None;
    }
    let ctx = minijinja::context! {
        config => state.config_value.clone(),
        current_url => site.config.permalink("/search/"),
        current_path => "/search/",
        taxonomies => state.taxonomies.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
    };
    match env.get_template("search.html").and_then(|t| t.render(ctx)) {
        Ok(html) => {
            output.insert_bytes(SEARCH_PAGE.into(), html.into_bytes());
            None
        }
        Err(e) => Some(template_error(&e, set, &site.root)),
    }
}

/// Output files of one render job: (path, bytes).
pub type RenderedFiles = Vec<(String, Vec<u8>)>;

/// [`RenderedFiles`] with their bytes shared.
type SharedFiles = Vec<(String, Arc<Vec<u8>>)>;

enum Job {
    Page(usize),
    Section(usize),
    TaxonomyList(usize),
    Term(usize, usize),
}

fn base_context(state: &Arc<RenderState>) -> Value {
    context! {
        config => state.config_value.clone(),
        current_url => Value::UNDEFINED,
        current_path => Value::UNDEFINED,
        taxonomies => Value::from(state.taxonomies.iter().map(|t| t.name.clone()).collect::<Vec<_>>()),
    }
}

fn render_job(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
    job: &Job,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let site = &state.site;
    let render = |name: &str, ctx: Value| -> Result<String, Diagnostic> {
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| template_error(&e, set, &site.root))
    };
    let with_base = |extra: Value, path: &str| -> Value {
        context! {
            config => state.config_value.clone(),
            current_url => site.config.permalink(path),
            current_path => path,
            ..extra
        }
    };
    let missing = |template: &str, doc: &Document| {
        Diagnostic::error(
            "missing-template",
            format!("template `{template}` does not exist"),
        )
        .in_file(&doc.file.display)
        .with_help(format!(
            "create templates/{template}, set `theme` in config.toml, or choose another `template`"
        ))
    };
    match *job {
        Job::Page(i) => {
            let page = &site.pages[i];
            let template = page_template(site, i);
            if !set.has(&template) {
                return Err(missing(&template, &page.doc));
            }
            let html = render(
                &template,
                with_base(context! { page => PageObj::value(state, i) }, &page.path),
            )?;
            Ok(vec![(out_path(&page.path), html.into_bytes())])
        }
        Job::Section(i) => {
            let section = &site.sections[i];
            // A section with `redirect_to` is a redirect page (render::aliases).
            if section.doc.fm.render == Some(false) || section.doc.fm.redirect_to.is_some() {
                return Ok(Vec::new());
            }
            let template = section.doc.fm.template.clone().unwrap_or_else(|| {
                if section.dir.is_empty() {
                    "index.html".into()
                } else {
                    "section.html".into()
                }
            });
            if !set.has(&template) {
                return Err(missing(&template, &section.doc));
            }
            taxonomy::render_section_pages(state, i, &template, &render, &with_base)
        }
        Job::TaxonomyList(t) => {
            let tax = &state.taxonomies[t];
            let ctx = context! {
                taxonomy => context! { name => tax.name.clone() },
                terms => tax.terms.iter().map(|term| taxonomy::term_value(state, tax, term)).collect::<Vec<_>>(),
            };
            let path = format!("/{}/", tax.slug);
            if !set.has("taxonomy_list.html") {
                return Ok(Vec::new());
            }
            let html = render("taxonomy_list.html", with_base(ctx, &path))?;
            Ok(vec![(out_path(&path), html.into_bytes())])
        }
        Job::Term(t, i) => {
            let tax = &state.taxonomies[t];
            let term = &tax.terms[i];
            if !set.has("taxonomy_single.html") {
                return Ok(Vec::new());
            }
            let ctx = context! {
                taxonomy => context! { name => tax.name.clone() },
                term => taxonomy::term_value(state, tax, term),
            };
            let html = render("taxonomy_single.html", with_base(ctx, &term.path))?;
            Ok(vec![(out_path(&term.path), html.into_bytes())])
        }
    }
}

/// The template for page `i`: its own, else the nearest section's
/// `page_template`, else `page.html`.
fn page_template(site: &Site, i: usize) -> String {
    let page = &site.pages[i];
    if let Some(t) = &page.doc.fm.template {
        return t.clone();
    }
    let mut cur = Some(page.section);
    while let Some(s) = cur {
        if let Some(t) = &site.sections[s].doc.fm.page_template {
            return t.clone();
        }
        cur = site.sections[s].parent;
    }
    "page.html".into()
}

pub use crate::site_paths::out_path;
