//! [`RenderState`]: the site being rendered, and what rendering computes once
//! (finished bodies, taxonomies, related pages, the config as a template
//! value, generated assets' hashes), with the lookups templates make.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use minijinja::context;
use minijinja::value::Value;

use super::{finish_html, taxonomy};
use crate::content::Document;
use crate::site::{DocId, Site};

/// The site being rendered plus what rendering computes once.
/// Print-edition articles by slot: what each was made from, and the article.
pub(super) type PrintArticles =
    std::sync::Mutex<std::collections::HashMap<usize, (MadeFrom, Arc<str>)>>;

/// What a print-edition article was made from.
#[derive(Debug)]
pub(super) enum MadeFrom {
    /// A body without shortcodes: its document. Finishing such a body reads
    /// only the document, its resolved links and images, which a body edit
    /// changes only with a new document (held here, so that its address is
    /// not reused while it is compared).
    Document(Arc<Document>),
    /// A body with shortcodes, kept finished: a hash of that (a shortcode's
    /// output may read other pages).
    Finished(u64),
}

impl MadeFrom {
    pub(super) fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Document(a), Self::Document(b)) => Arc::ptr_eq(a, b),
            (Self::Finished(a), Self::Finished(b)) => a == b,
            _ => false,
        }
    }
}

#[derive(Debug)]
pub struct RenderState {
    pub site: Site,
    /// Finished body HTML per document slot (set after step 1), kept for
    /// bodies with shortcodes; `None` for the others (see
    /// [`RenderState::content`]).
    pub(super) contents: OnceLock<Vec<Option<String>>>,
    pub today: jiff::civil::Date,
    pub taxonomies: Vec<taxonomy::Taxonomy>,
    pub(super) related: Vec<Vec<DocId>>,
    pub config_value: Value,
    /// The configuration as each other language's templates see it.
    pub(super) config_values: Vec<(String, Value)>,
    /// Content hashes of generated assets (the search files), by output
    /// path, for `get_url(..., cachebust=true)`.
    pub(super) generated: OnceLock<std::collections::HashMap<String, String>>,
    /// `serve` only: each article as the print edition last wrote it, by
    /// slot, with a hash of the body it was made from. An edit then
    /// rewrites only the articles whose bodies changed (the rewrite of
    /// every article was half of an incremental rebuild of the
    /// encyclopedia). A one-shot build holds none: it writes each once.
    pub(super) print_articles: Option<PrintArticles>,
    /// The bibliography's works as templates see them.
    pub(super) works: super::works::Works,
    /// `serve` only: the pages of each taxonomy term, for ranking related
    /// pages again after an edit.
    term_index: Option<crate::knowledge::related::TermIndex>,
    /// `serve` on a large site: the search index and the print edition,
    /// each made from every page, are left out of the build, to be made
    /// once its pages are served (`pipeline::live::Live::catch_up`).
    pub site_wide_later: bool,
    /// The languages that get a print edition ([`Site::print_languages`]),
    /// for `get_language()`, which every page may ask.
    print_languages: Vec<String>,
}

impl RenderState {
    pub fn new(mut site: Site) -> Self {
        let serving = site.serving;
        // Bodies without shortcodes are finished (links filled in) each
        // time they are read ([`RenderState::content`]), not once for all:
        // finishing them all in place made a second copy of every body
        // while the first was freed, which the allocator kept (a third more
        // memory at 100,000 pages), for a step that costs little each time.
        if !site.serving {
            // Linked: what needs a source from here on (diagnostics, the
            // link health check) reads it again.
            site.drop_sources();
        }
        if std::env::var_os("FASCIA_TIMINGS").is_some() {
            eprintln!("timing: bodies linked{}", crate::timing::memory_note());
        }
        let clock = crate::timing::Clock::new();
        // Side by side: each starts with work on one thread (sorting the
        // terms' pages; the related pages' term index).
        let (taxonomies, (related, term_index)) = rayon::join(
            || taxonomy::collect(&site),
            || crate::knowledge::related::compute(&site),
        );
        // Kept only to rank again after `serve`'s edits.
        let term_index = site.serving.then_some(term_index);
        clock.lap("taxonomies and related pages");
        let config_value =
            crate::render::ser(site.config.for_language(&site.config.default_language));
        let config_values = site
            .config
            .language_codes()
            .skip(1)
            .map(|l| {
                (
                    l.to_string(),
                    crate::render::ser(site.config.for_language(l)),
                )
            })
            .collect();
        let works = super::works::Works::new(site.bibliography.works.len());
        let print_languages = site
            .print_languages()
            .into_iter()
            .map(str::to_string)
            .collect();
        Self {
            site,
            contents: OnceLock::new(),
            today: jiff::Zoned::now().date(),
            taxonomies,
            related,
            config_value,
            config_values,
            generated: OnceLock::new(),
            print_articles: serving.then(Default::default),
            works,
            term_index,
            site_wide_later: false,
            print_languages,
        }
    }

    /// The languages that get a print edition, as the site was when this
    /// state was made ([`Site::print_languages`]).
    pub fn print_languages(&self) -> &[String] {
        &self.print_languages
    }

    /// A document's finished body (after step 1 of rendering): kept (a
    /// body with shortcodes), or finished now.
    pub fn content(&self, slot: usize) -> Option<Cow<'_, str>> {
        if let Some(kept) = self.contents.get()?[slot].as_deref() {
            return Some(Cow::Borrowed(kept));
        }
        let doc = self.doc_at(slot);
        Some(Cow::Owned(finish_html(&doc.body.html(), slot, &self.site)))
    }

    /// Whether a document's finished body may hold a figure, known without
    /// finishing it: finishing fills in link addresses and places the
    /// images (which may make figures), so a body without images and
    /// without a figure as parsed has none when finished.
    pub fn may_have_figures(&self, slot: usize) -> bool {
        let open = crate::images::html::FIGURE_OPEN;
        match self.contents.get().and_then(|c| c[slot].as_deref()) {
            Some(kept) => kept.contains(open),
            None => {
                !self.site.images.of(slot).is_empty()
                    || self.doc_at(slot).body.html().contains(open)
            }
        }
    }

    /// What the print edition's article of `slot` is made from now.
    pub(super) fn made_from(&self, slot: usize) -> MadeFrom {
        if let Some(kept) = self.contents.get().and_then(|c| c[slot].as_deref()) {
            return MadeFrom::Finished(crate::hash::fnv1a(kept.as_bytes()));
        }
        MadeFrom::Document(Arc::clone(self.doc_arc_at(slot)))
    }

    /// `content` as templates get it: a safe string made from
    /// [`RenderState::content`].
    pub fn content_value(&self, slot: usize) -> Value {
        self.content(slot).map_or(Value::UNDEFINED, |c| {
            Value::from_safe_string(c.into_owned())
        })
    }

    fn doc_at(&self, slot: usize) -> &Document {
        self.doc_arc_at(slot)
    }

    /// The document of `slot`: pages first, then sections.
    fn doc_arc_at(&self, slot: usize) -> &Arc<Document> {
        let pages = self.site.pages.len();
        if slot < pages {
            &self.site.pages[slot].doc
        } else {
            &self.site.sections[slot - pages].doc
        }
    }

    /// The configuration as templates rendering `lang` see it.
    pub fn config_for(&self, lang: &str) -> Value {
        self.config_values
            .iter()
            .find(|(l, _)| l == lang)
            .map_or_else(|| self.config_value.clone(), |(_, v)| v.clone())
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
        let made;
        let by_term = if let Some(kept) = &self.term_index {
            kept
        } else {
            made = crate::knowledge::related::TermIndex::new(&self.site);
            &made
        };
        let limit = self.site.config.knowledge.related_pages;
        let mut scores = crate::knowledge::related::Scores::default();
        let lists: Vec<(usize, Vec<DocId>)> = pages
            .iter()
            .map(|&i| {
                (
                    self.site.slot(DocId::Page(i)),
                    crate::knowledge::related::for_page(&self.site, i, by_term, limit, &mut scores),
                )
            })
            .collect();
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
        self.get_url_in(path, trailing_slash, cachebust, None)
    }

    /// `get_url(path=, lang=)`: with a language other than the default, an
    /// `@/` path leads to its translation into it (the page itself when it
    /// has none) and another path gets the language's prefix, as in Zola.
    pub fn get_url_in(
        &self,
        path: &str,
        trailing_slash: bool,
        cachebust: bool,
        lang: Option<&str>,
    ) -> Result<String, minijinja::Error> {
        let cfg = &self.site.config;
        let other = lang.filter(|l| *l != cfg.default_language);
        if let Some(l) = other
            && !cfg.languages.contains_key(l)
        {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!(
                    "get_url: `lang=\"{l}\"` is not a language of the site (config.toml names {})",
                    cfg.language_codes().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if let Some(rel) = path.strip_prefix("@/") {
            let (p, anchor) = rel
                .split_once('#')
                .map_or((rel, None), |(p, a)| (p, Some(a)));
            let found = self.site.by_rel(p).map(|id| match other {
                Some(l) => self.site.in_language(id, l).unwrap_or(id),
                None => id,
            });
            let id = found.ok_or_else(|| {
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
        let mut url = match other {
            Some(l) => format!("{}/{l}/{}", cfg.base_url, clean),
            None => format!("{}/{}", cfg.base_url, clean),
        };
        // Zola's rule for a path that is not `@/`: no trailing slash (even
        // one written in the path) unless `trailing_slash=true` asks for it.
        let is_feed = cfg
            .feed_filenames
            .iter()
            .any(|f| clean.ends_with(f.as_str()));
        if trailing_slash && !url.ends_with('/') && !clean.contains('#') && !is_feed {
            url.push('/');
        } else if !trailing_slash && url.ends_with('/') {
            url.pop();
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

    /// A taxonomy of `lang` (the default language when `None`).
    pub fn taxonomy(&self, kind: &str, lang: Option<&str>) -> Option<&taxonomy::Taxonomy> {
        let lang = lang.unwrap_or(&self.site.config.default_language);
        self.taxonomies
            .iter()
            .find(|t| t.name == kind && t.lang == lang)
    }

    pub fn taxonomy_value(self: &Arc<Self>, kind: &str, lang: Option<&str>) -> Option<Value> {
        let t = self.taxonomy(kind, lang)?;
        Some(context! {
            kind => taxonomy::kind_value(self, t),
            lang => t.lang.clone(),
            permalink => self.site.config.permalink(&t.path),
            items => t.terms.iter().map(|term| taxonomy::term_value(self, t, term)).collect::<Vec<_>>(),
        })
    }

    /// `get_glossary()`: every term of `lang`'s glossary (the default
    /// language's when it has none) with its anchor and page (in `lang`
    /// where translated).
    pub fn glossary_value(&self, lang: &str) -> Value {
        let site = &self.site;
        let glossary = site
            .glossaries
            .iter()
            .find(|(l, g)| l == lang && !g.terms.is_empty())
            .map_or(&site.glossary, |(_, g)| g);
        let terms: Vec<Value> = glossary
            .terms
            .iter()
            .map(|t| {
                let page = t
                    .page
                    .as_deref()
                    .and_then(|p| site.by_rel(p.trim_start_matches("@/")))
                    .map(|id| site.in_language(id, lang).unwrap_or(id));
                let letter = crate::knowledge::glossary::sort_key(&t.term)
                    .chars()
                    .next()
                    .map(|c| c.to_uppercase().to_string());
                context! {
                    term => t.term.clone(),
                    letter => letter,
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
    /// Made once, and again after an edit changes which pages cite what
    /// ([`RenderState::forget_citing`]).
    pub fn bibliography_value(&self) -> Value {
        self.works.bibliography(|| {
            let site = &self.site;
            let all = &site.bibliography.works;
            let works: Vec<Value> = (0..all.len())
                .map(|i| {
                    let v = self.works.of(all, i);
                    context! {
                        key => v.key.clone(),
                        id => v.id.clone(),
                        citation => v.citation.clone(),
                        label => v.label.clone(),
                        href => v.href.clone(),
                        work => v.work.clone(),
                        cited_by => self.cited_by_value(&site.graph.cited_by[i]),
                    }
                })
                .collect();
            Value::from(works)
        })
    }

    /// Work `w` cited as the `number`th reference of a page.
    pub(super) fn cited_work(&self, w: usize, number: usize) -> Value {
        super::works::cited(self.works.of(&self.site.bibliography.works, w), number)
    }

    /// Which pages cite which works changed (`serve`, after an edit).
    pub fn forget_citing(&mut self) {
        self.works.forget_citing();
    }

    /// The pages citing a work, for `get_bibliography()`: each with the
    /// translations of it that cite the work too (`translations`), and
    /// those translations marked `translated`, so a theme can list a page
    /// once with its other languages beside it.
    fn cited_by_value(&self, citing: &[DocId]) -> Vec<Value> {
        let site = &self.site;
        let default = site.config.default_language.as_str();
        let original = |d: DocId| {
            (site.lang_of(d) != default)
                .then(|| site.in_language(d, default))
                .flatten()
                .filter(|o| citing.contains(o))
        };
        let item = |d: DocId| {
            context! { title => site.title_of(d), permalink => site.permalink_of(d), path => site.path_of(d), lang => site.lang_of(d) }
        };
        citing
            .iter()
            .map(|&d| {
                let translations: Vec<Value> = citing
                    .iter()
                    .filter(|&&t| t != d && original(t) == Some(d))
                    .map(|&t| item(t))
                    .collect();
                context! { ..item(d), ..context! { translations => translations, translated => original(d).is_some() } }
            })
            .collect()
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
