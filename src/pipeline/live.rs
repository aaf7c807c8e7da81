//! Incremental rebuilds, the interface the pipeline offers `serve`.
//!
//! `serve` decides from the changed paths how much must be redone
//! (`serve::incremental::plan`). For the common case, an edit to the body of existing
//! pages, [`Live::apply_body_edits`] re-parses only those pages, re-resolves
//! their links, updates the backlinks, references and related pages of the
//! pages they touch, and re-renders only the pages whose output can change:
//! the edited pages, the pages they linked to before or link to now, their
//! sections, the bibliography and the print edition (with the feeds); the
//! search index, made from every page, follows in [`Live::catch_up`], as
//! does the print edition of a site over [`PRINT_ON_EDIT_MAX`] pages.
//! Anything else is a full rebuild (which still re-parses only files whose
//! text changed).
//! Every incremental result equals a full build; `tests/serve.rs` compares
//! them byte for byte after a sequence of edits, on a fixture and on the
//! encyclopedia.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::content::{self, Document, ParseContext, SourceFile, front_matter};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{Output, OutputFile};
use crate::pipeline::{self, BuildOptions, ParseCache};
use crate::render::{Destination, Earlier, RenderState};
use crate::site::DocId;
use crate::templates::TemplateSet;

/// The last good build, kept to be updated in place.
pub struct Live {
    /// Shared only while rendering; uniquely owned between rebuilds.
    pub state: Arc<RenderState>,
    pub templates: TemplateSet,
    /// The templates compiled, for every incremental render until the next
    /// full build (template changes are full builds).
    compiled: minijinja::Environment<'static>,
    pub output: Output,
    /// Set when an incremental update failed half-way: rebuild fully next time.
    pub dirty: bool,
    /// Set when pages changed since the search index was made: see
    /// [`Live::catch_up`].
    search_stale: bool,
    /// Set when pages changed since the print edition was made, on a site
    /// too large to make it again on every edit (see [`PRINT_ON_EDIT_MAX`]).
    print_stale: bool,
    /// [`PRINT_ON_EDIT_MAX`], unless changed (tests).
    pub print_on_edit_max: usize,
    /// The glossary matcher, built once per full build.
    matcher: Option<crate::markdown::GlossaryMatcher>,
    /// The other languages with their glossaries' matchers.
    translations: Vec<(String, Option<crate::markdown::GlossaryMatcher>)>,
    /// The warnings the last [`Live::apply_body_edits`] raised: its pages'
    /// own (Markdown and links), not the site-wide checks a full build makes.
    pub edit_warnings: Diagnostics,
}

/// Up to this many pages, an edit makes the print edition again before its
/// pages are served (every page served is of one version of the site). On a
/// larger site the print edition, which holds every page, follows with the
/// search index once the editing pauses: at 10,000 pages it is 88 MB of
/// HTML, seconds to make, which no edit should wait for.
pub const PRINT_ON_EDIT_MAX: usize = 2_000;

/// Why the fast path could not be taken, or the errors it found.
pub enum Fallback {
    /// Rebuild everything.
    Full,
    /// The edit is broken: keep the last good build and report.
    Errors(Diagnostics),
}

impl Live {
    /// A full build into memory.
    pub fn build(
        opts: &BuildOptions,
        cache: &ParseCache,
    ) -> Result<(Self, Diagnostics), Diagnostics> {
        Self::build_reusing(opts, cache, None, PRINT_ON_EDIT_MAX)
    }

    /// A full build into memory that shares the bytes of `earlier` (the
    /// build being served) for every file that comes out the same: while
    /// both are held, only the changed files are held twice. A site over
    /// `site_wide_max` pages is built without its search index and print
    /// edition, which follow in [`Live::catch_up`] (at 100,000 pages they
    /// were 30 of the 55 seconds before the first page could be served);
    /// that size is also the largest whose print edition is made again on
    /// every edit ([`Live::print_on_edit_max`]).
    pub fn build_reusing(
        opts: &BuildOptions,
        cache: &ParseCache,
        earlier: Option<Earlier<'_>>,
        site_wide_max: usize,
    ) -> Result<(Self, Diagnostics), Diagnostics> {
        let linked = pipeline::load_and_link_cached(opts, cache)?;
        let later = linked.site.pages.len() > site_wide_max;
        let templates = linked.templates.clone();
        let to = earlier.map_or(Destination::Memory, Destination::MemoryReusing);
        let (state, mut output, diags, compiled) = pipeline::render_keeping(linked, to, later)?;
        // The rest (feeds, search index, print edition, 404) likewise.
        if let Some(earlier) = earlier {
            for (path, file) in &mut output.files {
                if let OutputFile::Bytes(bytes) = file
                    && let Some(old) = earlier(path)
                    && !Arc::ptr_eq(&old, bytes)
                    && old == *bytes
                {
                    *bytes = old;
                }
            }
        }
        let print_stale =
            later && templates.has("print.html") && !state.print_languages().is_empty();
        let config = &state.site.config;
        let search_stale = later && config.language_codes().any(|l| config.search_of(l));
        let site = &state.site;
        let matcher = super::stages::glossary_matcher(&site.config, &site.glossary);
        let translations = super::stages::translation_matchers(&site.config, &site.glossaries);
        Ok((
            Self {
                state,
                templates,
                compiled,
                output,
                dirty: false,
                search_stale,
                print_stale,
                print_on_edit_max: site_wide_max,
                matcher,
                translations,
                edit_warnings: Diagnostics::default(),
            },
            diags,
        ))
    }

    /// Apply body-only edits of existing pages. Returns the output paths
    /// that changed.
    pub fn apply_body_edits(&mut self, rels: &[String]) -> Result<Vec<String>, Fallback> {
        let clock = crate::timing::Clock::new();
        self.edit_warnings = Diagnostics::default();
        let mut edits: Vec<(DocId, Document)> = Vec::new();
        for rel in rels {
            let site = &self.state.site;
            let id = site.by_rel(rel).ok_or(Fallback::Full)?;
            let old = site.doc(id);
            let path = site.root.join("content").join(rel);
            let text = std::fs::read_to_string(&path).map_err(|_| Fallback::Full)?;
            if text == old.file.text {
                continue;
            }
            let new_front = front_matter::split(&text, &old.file.display)
                .map_err(|_| Fallback::Full)?
                .front;
            let old_front = front_matter::split(&old.file.text, &old.file.display)
                .map_err(|_| Fallback::Full)?
                .front;
            if new_front != old_front {
                return Err(Fallback::Full);
            }
            let (doc, warnings) = self.reparse(old, text)?;
            self.edit_warnings.extend(warnings);
            let ids = |d: &Document| {
                d.body
                    .headings
                    .iter()
                    .map(|h| h.id.clone())
                    .collect::<Vec<_>>()
            };
            if ids(&doc) != ids(old) {
                return Err(Fallback::Full); // anchors others link to may have changed
            }
            // Images are placed by a full build (cached): an edit keeps the
            // placements only if it keeps the images, in order, as they were
            // (where they stand in the text does not matter).
            if !same_images(&doc.body.images, &old.body.images) {
                return Err(Fallback::Full);
            }
            // A theme's on-demand static file may now be needed, or not.
            let on_demand = site
                .static_dirs
                .iter()
                .filter_map(|d| d.parent())
                .flat_map(crate::templates::theme::on_demand);
            for (_, marker) in on_demand {
                if doc.body.html().contains(&marker) != old.body.html().contains(&marker) {
                    return Err(Fallback::Full);
                }
            }
            edits.push((id, doc));
        }
        if edits.is_empty() {
            return Ok(Vec::new());
        }
        clock.lap("edit: parsed");
        self.check_links(&edits)?;
        let affected = self.apply(edits)?;
        clock.lap("edit: links and graph updated");
        let changed = self.rerender(&affected, &clock).map_err(|_| {
            self.dirty = true;
            Fallback::Full
        });
        clock.lap("edit: changed files taken");
        changed
    }

    fn reparse(
        &self,
        old: &Document,
        text: String,
    ) -> Result<(Document, Vec<Diagnostic>), Fallback> {
        let site = &self.state.site;
        let cfg = &site.config;
        let has = |name: &str| self.templates.has_shortcode(name);
        let cx = ParseContext {
            markdown: &cfg.markdown,
            glossary: self.matcher.as_ref(),
            shortcodes: &has,
            translations: &self.translations,
        };
        let file = SourceFile {
            rel: old.file.rel.clone(),
            display: old.file.display.clone(),
            text,
        };
        match content::parse_file(file, &cx) {
            Ok(parsed) => Ok(parsed),
            Err(e) => Err(Fallback::Errors(Diagnostics { items: e })),
        }
    }

    fn check_links(&mut self, edits: &[(DocId, Document)]) -> Result<(), Fallback> {
        let mut diags = Diagnostics::default();
        for (id, doc) in edits {
            let (_, d) = crate::graph::resolve_doc_with(&self.state.site, *id, doc);
            diags.extend(d);
        }
        diags.sort();
        if diags.has_errors() {
            return Err(Fallback::Errors(diags));
        }
        self.edit_warnings.extend(diags.items);
        Ok(())
    }

    /// Install the new documents and update the graph; the documents whose
    /// output may change.
    fn apply(&mut self, edits: Vec<(DocId, Document)>) -> Result<BTreeSet<DocId>, Fallback> {
        let state = Arc::get_mut(&mut self.state).ok_or(Fallback::Full)?;
        let mut affected = BTreeSet::new();
        let mut refs_changed = false;
        for (id, doc) in edits {
            let site = state.site_mut();
            let (resolved, _) = crate::graph::resolve_doc_with(site, id, &doc);
            let shown_before = shown_on_targets(site, id);
            match id {
                DocId::Page(i) => site.pages[i].doc = Arc::new(doc),
                DocId::Section(i) => site.sections[i].doc = Arc::new(doc),
            }
            let slot = site.slot(id);
            let old_out = std::mem::take(&mut site.graph.outgoing[slot]);
            let old_refs = std::mem::take(&mut site.graph.references[slot]);
            site.graph.resolved[slot] = resolved;
            crate::graph::relink_doc(site, id, &old_out, &old_refs);
            let new_out = site.graph.outgoing[slot].clone();
            refs_changed |= old_refs != site.graph.references[slot];
            affected.insert(id);
            if old_out == new_out {
                // The same pages linked: of them, only those whose
                // backlinks from this page now read differently change.
                let shown_after = shown_on_targets(site, id);
                affected.extend(
                    shown_after
                        .into_iter()
                        .filter(|t| !shown_before.contains(t))
                        .map(|(t, _)| t),
                );
            } else {
                affected.extend(old_out.iter().chain(&new_out).copied());
            }
            if let DocId::Page(i) = id {
                affected.insert(DocId::Section(site.pages[i].section));
            }
        }
        if refs_changed {
            state.forget_citing();
            if let Some(b) = state.site.graph.bibliography_page {
                affected.insert(b);
            }
        }
        let pages: Vec<usize> = affected
            .iter()
            .filter_map(|id| {
                if let DocId::Page(i) = *id {
                    Some(i)
                } else {
                    None
                }
            })
            .collect();
        state.refresh_related(&pages);
        Ok(affected)
    }

    fn rerender(
        &mut self,
        affected: &BTreeSet<DocId>,
        clock: &crate::timing::Clock,
    ) -> Result<Vec<String>, Fallback> {
        let ids: Vec<DocId> = affected.iter().copied().collect();
        let errors = |items| Fallback::Errors(Diagnostics { items });
        // Finished bodies with shortcodes first (other pages' templates may
        // read them; the rest are finished when read)...
        // The environment is made only when a body has shortcodes to run.
        let mut bodies = Vec::new();
        {
            let mut env = None;
            for &id in &ids {
                let slot = self.state.site.slot(id);
                if self.state.site.doc(id).body.shortcodes.is_empty() {
                    bodies.push((slot, None));
                    continue;
                }
                if env.is_none() {
                    env = Some(crate::render::environment::environment_from(
                        &self.compiled,
                        &self.state,
                    ));
                }
                let Some(env) = env.as_ref() else { continue };
                let (html, d) = crate::render::finish_body(&self.state, env, &self.templates, id);
                if d.iter().any(crate::diagnostics::Diagnostic::is_error) {
                    return Err(errors(d));
                }
                bodies.push((slot, Some(html)));
            }
        }
        let state = Arc::get_mut(&mut self.state).ok_or(Fallback::Full)?;
        for (slot, html) in bodies {
            state.set_content(slot, html);
        }
        // ...then the pages that show them.
        let (files, feeds) = {
            let env = crate::render::environment::environment_from(&self.compiled, &self.state);
            // The print edition holds every page's body; it is made beside
            // the pages (the larger part of an edit of the encyclopedia).
            let print =
                self.templates.has("print.html") && !self.state.print_languages().is_empty();
            let print_now = print && self.state.site.pages.len() <= self.print_on_edit_max;
            let ((mut files, diags), editions) = rayon::join(
                || crate::render::render_docs(&self.state, &env, &self.templates, &ids),
                || print_now.then(|| self.print_editions(&env)),
            );
            if diags.iter().any(crate::diagnostics::Diagnostic::is_error) {
                return Err(errors(diags));
            }
            if let Some(editions) = editions {
                files.extend(editions?);
            }
            self.print_stale |= print && !print_now;
            if clock.on {
                let lap = format!("edit: {} pages and the print edition rendered", ids.len());
                clock.lap(&lap);
            }
            // The sitemap is made from front matter: only a feed listing
            // an edited page can change.
            let mut feeds = Output::default();
            let pages: Vec<usize> = ids
                .iter()
                .filter_map(|id| match *id {
                    DocId::Page(i) => Some(i),
                    DocId::Section(_) => None,
                })
                .collect();
            crate::render::feeds::add_feeds(&self.state, &mut feeds, Some(&pages));
            clock.lap("edit: feeds");
            (files, feeds)
        };
        let feed_files = feeds.files.into_iter().filter_map(|(k, f)| match f {
            crate::output::OutputFile::Bytes(b) => Some((k, (*b).clone())),
            crate::output::OutputFile::Copy(_) => None,
        });
        // Copies templates asked for (`resize_image` in a shortcode).
        let image_errors = super::images::produce(&self.state.site, &mut self.output);
        if !image_errors.is_empty() {
            return Err(errors(image_errors));
        }
        self.search_stale = true;
        Ok(self.take_changed(files.into_iter().chain(feed_files)))
    }

    /// Put `files` into the output; the paths whose bytes changed, sorted.
    fn take_changed(&mut self, files: impl Iterator<Item = (String, Vec<u8>)>) -> Vec<String> {
        let mut changed = Vec::new();
        for (path, bytes) in files {
            let same = matches!(self.output.files.get(&path), Some(crate::output::OutputFile::Bytes(old)) if **old == bytes);
            if !same {
                changed.push(path.clone());
                self.output.files.insert(
                    path,
                    crate::output::OutputFile::Bytes(crate::output::shared(bytes)),
                );
            }
        }
        changed.sort();
        changed
    }

    /// Whether `key` is a file of the search index or the print edition
    /// while they lag behind the pages: a full build of a large site
    /// leaves them out (see [`Live::build_reusing`]), and `serve` keeps
    /// serving the last ones made meanwhile.
    pub fn made_later(&self) -> impl Fn(&str) -> bool + use<> {
        let config = &self.state.site.config;
        let search: Vec<String> = config
            .language_codes()
            .filter(|l| self.search_stale && config.search_of(l))
            .map(|l| crate::search::index_dir(config, l))
            .collect();
        let print: Vec<String> = (self.state.print_languages().iter())
            .filter(|_| self.print_stale)
            .map(|l| crate::render::print_output_path(&self.state, l))
            .collect();
        move |key| {
            search.iter().any(|d| key.starts_with(d.as_str())) || print.iter().any(|p| p == key)
        }
    }

    /// Whether the search index (or, on a large site, the print edition)
    /// lags behind the pages.
    pub fn lagging(&self) -> bool {
        self.search_stale || self.print_stale
    }

    /// Make the search index again after body edits (and, on a large site,
    /// the print edition); the paths that changed. Both are made from every
    /// page, so on a large site they cost far more than re-rendering the
    /// edited pages: `serve` publishes the pages first and calls this once
    /// the editing pauses.
    ///
    /// A print edition that fails to render is an error like any other
    /// (it may be the first time it is made since its template changed):
    /// the pages already served stay, and the next change rebuilds in full.
    pub fn catch_up(&mut self) -> Result<Vec<String>, Diagnostics> {
        self.catch_up_unless(&|| false)
    }

    /// [`Live::catch_up`], giving way as soon as `give_way` says so (an
    /// edit is waiting): what was not finished then stays to be made
    /// ([`Live::lagging`]), and what was is returned.
    pub fn catch_up_unless(
        &mut self,
        give_way: &(dyn Fn() -> bool + Sync),
    ) -> Result<Vec<String>, Diagnostics> {
        let mut files = Vec::new();
        if self.search_stale
            && let Some(index) = crate::search::index_files_unless(&self.state, give_way)
        {
            self.search_stale = false;
            files.extend(index);
        }
        if self.print_stale && !self.search_stale {
            match self.print_editions_unless(give_way) {
                Ok(Some(editions)) => {
                    self.print_stale = false;
                    files.extend(editions);
                }
                Ok(None) => {}
                Err(d) => {
                    self.dirty = true;
                    self.print_stale = false;
                    return Err(Diagnostics { items: vec![d] });
                }
            }
        }
        Ok(self.take_changed(files.into_iter()))
    }

    /// The print edition of each language, unless `give_way` stops it
    /// (`None`), or the error rendering it.
    fn print_editions_unless(
        &self,
        give_way: &(dyn Fn() -> bool + Sync),
    ) -> Result<Option<crate::render::RenderedFiles>, crate::diagnostics::Diagnostic> {
        let env = crate::render::environment::environment_from(&self.compiled, &self.state);
        let site = &self.state.site;
        let mut editions = Vec::new();
        for lang in self.state.print_languages() {
            let mut out = EditionOut::new(give_way);
            match crate::render::print_page_to(&self.state, &env, lang, &mut out) {
                Ok(()) => {
                    editions.push((
                        crate::render::print_output_path(&self.state, lang),
                        out.bytes,
                    ));
                }
                Err(_) if out.gave_way => return Ok(None),
                Err(e) => {
                    return Err(crate::templates::template_error(
                        &e,
                        &self.templates,
                        &site.root,
                    ));
                }
            }
        }
        Ok(Some(editions))
    }
}

/// A print edition being written, which fails (ending the template's run)
/// once `give_way` says so; asked every 64 KB.
struct EditionOut<'a> {
    bytes: Vec<u8>,
    give_way: &'a (dyn Fn() -> bool + Sync),
    ask_at: usize,
    gave_way: bool,
}

impl<'a> EditionOut<'a> {
    fn new(give_way: &'a (dyn Fn() -> bool + Sync)) -> Self {
        Self {
            bytes: Vec::new(),
            give_way,
            ask_at: 0,
            gave_way: false,
        }
    }
}

impl std::io::Write for EditionOut<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() >= self.ask_at {
            if (self.give_way)() {
                self.gave_way = true;
                return Err(std::io::Error::other("an edit is waiting"));
            }
            self.ask_at = self.bytes.len() + (64 << 10);
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether two bodies' images are placed alike: the same sources, alt
/// texts, figures and shortcodes, in the same order.
fn same_images(a: &[crate::images::ImageRef], b: &[crate::images::ImageRef]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.src == y.src && x.alt == y.alt && x.figure == y.figure && x.shortcode == y.shortcode
        })
}

/// What each page `id` links to shows of it: the sentences of its
/// backlinks from `id` (the rest a backlink shows, title and description,
/// is front matter, which a body edit leaves as it was).
fn shown_on_targets(site: &crate::site::Site, id: DocId) -> Vec<(DocId, Vec<String>)> {
    site.graph.outgoing[site.slot(id)]
        .iter()
        .map(|&t| {
            let sentences = site.graph.backlinks[site.slot(t)]
                .iter()
                .filter(|b| b.source == id)
                .map(|b| b.sentence(site).to_string())
                .collect();
            (t, sentences)
        })
        .collect()
}

impl Live {
    /// The print edition of each language, rendered as a full build renders
    /// it (on an error, a full build reports it properly).
    fn print_editions(
        &self,
        env: &minijinja::Environment<'_>,
    ) -> Result<Vec<(String, Vec<u8>)>, Fallback> {
        use rayon::prelude::*;
        self.state
            .print_languages()
            .par_iter()
            .map(|lang| {
                crate::render::print_page(&self.state, env, lang).map_err(|_| Fallback::Full)
            })
            .collect()
    }
}
