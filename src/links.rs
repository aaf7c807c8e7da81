//! What the link stage learns, as data: the index of names, every resolved
//! link, backlinks, citations, facts and comparisons ([`LinkGraph`]). The
//! stage itself is [`crate::graph`]; the types live here, beside [`Site`]
//! which holds them, so the site model needs nothing from the stage.
//!
//! [`Site`]: crate::site::Site

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::knowledge::facts::{Comparison, Fact};
use crate::markdown::LinkKind;
use crate::site::DocId;

/// Lookup tables from names to documents.
#[derive(Debug, Default)]
pub struct LinkIndex {
    /// `techniques/iastm.md`, `techniques/_index.md`
    pub by_rel: HashMap<String, DocId>,
    /// Lowercased names for wikilinks: path without `.md`, title, slug, synonyms.
    /// More than one document under one name makes the name ambiguous.
    pub by_name: HashMap<String, Vec<DocId>>,
    /// Lowercased file names without `.md` (`deep fascia` for
    /// `notes/Deep fascia.md`; a folder's name for its `_index.md` or
    /// `index.md`), as Obsidian links them; read when no name matches.
    pub by_file_name: HashMap<String, Vec<DocId>>,
    /// Anchors each document has (heading ids plus generated ones), by slot.
    pub anchors: Vec<HashSet<String>>,
}

/// Where a link goes after resolution.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedLink {
    /// The target document (internal links only).
    #[serde(skip)]
    pub target: Option<DocId>,
    /// The anchor on the target, if any.
    pub anchor: Option<String>,
    pub kind: LinkKind,
    /// For citations: the work's index in the bibliography.
    #[serde(skip)]
    pub work: Option<usize>,
}

/// A page that links here, and the sentence where it does.
#[derive(Debug, Clone, Serialize)]
pub struct Backlink {
    #[serde(skip)]
    pub source: DocId,
    pub sentence: String,
}

/// Everything the link stage learns, indexed by document slot.
#[derive(Debug, Default)]
pub struct LinkGraph {
    pub index: LinkIndex,
    pub resolved: Vec<Vec<ResolvedLink>>,
    pub backlinks: Vec<Vec<Backlink>>,
    /// Outgoing internal targets (deduplicated, in order).
    pub outgoing: Vec<Vec<DocId>>,
    /// Works cited, in order of first citation.
    pub references: Vec<Vec<usize>>,
    /// For each work: the documents citing it.
    pub cited_by: Vec<Vec<DocId>>,
    pub facts: Vec<Vec<Fact>>,
    /// `ratings` facts (contraindications by kind, certainty by condition).
    pub ratings: Vec<Vec<crate::knowledge::ratings::RatingSet>>,
    pub comparisons: Vec<Option<Comparison>>,
    /// The glossary and bibliography pages, when configured.
    pub glossary_page: Option<DocId>,
    pub bibliography_page: Option<DocId>,
    /// Every path the build writes, for links written as plain URLs (set
    /// before the link stage runs).
    pub paths: crate::site_paths::SitePaths,
}
