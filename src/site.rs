//! [`Site`]: everything loaded and parsed, the value the pipeline passes from
//! stage to stage.

use std::path::PathBuf;

use crate::config::Config;
use crate::content::{Document, Page, Section};
use crate::knowledge::glossary::Glossary;
use crate::knowledge::references::Bibliography;
use crate::links::LinkGraph;

/// A page or a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocId {
    Page(usize),
    Section(usize),
}

/// A whole site after `load` and `parse`, and after `link` its graph.
#[derive(Debug)]
pub struct Site {
    /// The site root (holds config.toml).
    pub root: PathBuf,
    pub config: Config,
    pub sections: Vec<Section>,
    pub pages: Vec<Page>,
    pub glossary: Glossary,
    /// The glossaries of the other languages (`data/glossary.xx.toml`).
    pub glossaries: Vec<(String, Glossary)>,
    pub bibliography: Bibliography,
    /// Template folders, highest priority first (site, then theme).
    pub template_dirs: Vec<PathBuf>,
    /// Static folders copied to the output, lowest priority first (theme, then site).
    pub static_dirs: Vec<PathBuf>,
    /// Non-Markdown files below content/ outside page bundles.
    pub content_assets: Vec<(PathBuf, String)>,
    /// Filled by the link stage.
    pub graph: LinkGraph,
    /// Filled by the image stage after linking (see [`crate::images`]).
    pub images: crate::images::SiteImages,
    /// Built for `fascia serve`: no cache-busting hashes, so a stylesheet edit
    /// changes only the stylesheet.
    pub serving: bool,
}

impl Site {
    /// The source text of `doc`: as read, or read again from disk when a
    /// one-shot build has dropped it ([`Site::drop_sources`]). Empty for a
    /// document with no file (a language's home made up).
    pub fn source<'d>(&self, doc: &'d Document) -> std::borrow::Cow<'d, str> {
        if !doc.file.text.is_empty() {
            return std::borrow::Cow::Borrowed(&doc.file.text);
        }
        std::fs::read_to_string(self.root.join(&doc.file.display))
            .map_or(std::borrow::Cow::Borrowed(""), std::borrow::Cow::Owned)
    }

    /// Drop every document's source text (a one-shot build, once linked:
    /// what needs it later reads it again with [`Site::source`]). The
    /// sources are as large as the rendered bodies; `serve` keeps them, to
    /// tell what an edit changed.
    pub fn drop_sources(&mut self) {
        let docs = self
            .pages
            .iter_mut()
            .map(|p| &mut p.doc)
            .chain(self.sections.iter_mut().map(|s| &mut s.doc));
        for doc in docs {
            if let Some(doc) = std::sync::Arc::get_mut(doc) {
                doc.file.text = String::new();
            }
        }
    }

    pub fn doc(&self, id: DocId) -> &Document {
        match id {
            DocId::Page(i) => &self.pages[i].doc,
            DocId::Section(i) => &self.sections[i].doc,
        }
    }

    /// URL path (`/techniques/iastm/`).
    pub fn path_of(&self, id: DocId) -> &str {
        match id {
            DocId::Page(i) => &self.pages[i].path,
            DocId::Section(i) => &self.sections[i].path,
        }
    }

    pub fn title_of(&self, id: DocId) -> &str {
        match id {
            DocId::Page(i) => self.pages[i].title(),
            DocId::Section(i) => self.sections[i].title(),
        }
    }

    pub fn permalink_of(&self, id: DocId) -> String {
        self.config.permalink(self.path_of(id))
    }

    /// Every document: pages first, then sections.
    pub fn doc_ids(&self) -> impl Iterator<Item = DocId> + '_ {
        (0..self.pages.len())
            .map(DocId::Page)
            .chain((0..self.sections.len()).map(DocId::Section))
    }

    /// Index into per-document vectors (pages first, then sections).
    pub fn slot(&self, id: DocId) -> usize {
        match id {
            DocId::Page(i) => i,
            DocId::Section(i) => self.pages.len() + i,
        }
    }

    pub fn doc_count(&self) -> usize {
        self.pages.len() + self.sections.len()
    }

    /// Full URLs written as outside addresses: every work's link in the
    /// bibliography (its `url` and its DOI link) and every `http(s)://` URL
    /// written in a body. A reference is outside the site by nature, and a
    /// full URL in Markdown is an outside address even on the site's own
    /// host (links into the site are `@/` paths or plain paths): neither is
    /// ever taken for a page of the site, nor reported as a broken one.
    pub fn outside_urls(&self) -> std::collections::HashSet<String> {
        let mut urls: std::collections::HashSet<String> = self
            .bibliography
            .works
            .iter()
            .flat_map(|w| [w.href(), w.url.clone()])
            .flatten()
            .collect();
        for id in self.doc_ids() {
            urls.extend(self.doc(id).body.outside_urls.iter().cloned());
        }
        urls
    }

    /// The language of a document (its code; the default language's for
    /// files without one).
    pub fn lang_of(&self, id: DocId) -> &str {
        self.doc(id)
            .lang
            .as_deref()
            .unwrap_or(&self.config.default_language)
    }

    /// Whether `lang` gets a print edition (when the templates have
    /// `print.html`): it has at most `[print] max_pages` pages and sections.
    pub fn prints(&self, lang: &str) -> bool {
        let max = self.config.print.max_pages;
        max > 0 && self.docs_in(lang, max.saturating_add(1)) <= max
    }

    /// The languages that get a print edition (see [`Site::prints`]).
    pub fn print_languages(&self) -> Vec<&str> {
        self.config
            .language_codes()
            .filter(|l| self.prints(l))
            .collect()
    }

    /// How many pages and sections `lang` has, counted up to `limit`.
    pub fn docs_in(&self, lang: &str, limit: usize) -> usize {
        self.doc_ids()
            .filter(|&id| self.lang_of(id) == lang)
            .take(limit)
            .count()
    }

    /// The version of `id` in `lang`: itself, its translation, or the
    /// original it translates. None when that language has no version.
    pub fn in_language(&self, id: DocId, lang: &str) -> Option<DocId> {
        if self.lang_of(id) == lang {
            return Some(id);
        }
        let doc = self.doc(id);
        let base = doc.base_rel();
        let rel = if lang == self.config.default_language {
            base.into_owned()
        } else {
            crate::content::translated_rel(&base, lang)
        };
        let found = self.by_rel(&rel)?;
        // Pages pair with pages and sections with sections.
        (std::mem::discriminant(&found) == std::mem::discriminant(&id)).then_some(found)
    }

    /// Every version of `id` (itself included), in the order of the
    /// site's languages; empty for a site of one language (as Zola).
    pub fn translations_of(&self, id: DocId) -> Vec<DocId> {
        if !self.config.multilingual() {
            return Vec::new();
        }
        self.config
            .language_codes()
            .filter_map(|l| self.in_language(id, l))
            .collect()
    }

    /// The section whose `_index.md` is `rel`, or the page at `rel`.
    pub fn by_rel(&self, rel: &str) -> Option<DocId> {
        self.graph.index.by_rel.get(rel).copied()
    }
}
