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
    /// Files of content/ that are not Markdown (an Obsidian vault's
    /// attachments), by lowercased file name and by lowercased path, with
    /// their paths: what `![[image.png]]` and `[[file.pdf]]` reach.
    pub files: HashMap<String, Vec<String>>,
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
    /// For files and tags: the URL path (`/Attachments/a%20b.png`, `/tags/x/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The target's language, when it is not the linking page's (a
    /// translation linking to a page not translated yet): written as
    /// `hreflang` so readers see where the link leads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hreflang: Option<String>,
}

/// A page that links here, and which of its links does: the sentence
/// around that link is read from the linking page ([`Backlink::sentence`])
/// rather than copied (a large site has a sentence per link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlink {
    pub source: DocId,
    /// The link's index in the source's `body.links`.
    pub link: u32,
}

impl Backlink {
    /// The sentence where the source links here (empty if the source's
    /// links changed since).
    pub fn sentence<'s>(&self, site: &'s crate::site::Site) -> &'s str {
        site.doc(self.source)
            .body
            .links
            .get(self.link as usize)
            .map_or("", |l| l.sentence.as_str())
    }
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

/// Of several documents one name matches, the one an Obsidian vault means:
/// the only note among folder sections, else the only one in the linking
/// note's folder.
pub fn preferred_of(site: &crate::site::Site, many: &[DocId], from: DocId) -> Option<DocId> {
    if !site.config.obsidian {
        return None;
    }
    let only = |keep: &dyn Fn(DocId) -> bool| -> Option<DocId> {
        let mut it = many.iter().copied().filter(|&d| keep(d));
        let first = it.next()?;
        it.next().is_none().then_some(first)
    };
    let folder = crate::content::parent_dir(&site.doc(from).file.rel);
    only(&|d| matches!(d, DocId::Page(_)))
        .or_else(|| only(&|d| crate::content::parent_dir(&site.doc(d).file.rel) == folder))
}

/// How deep transclusions nest (`![[A]]` showing a note that shows another,
/// ...) before the deeper ones are shown as links.
pub const MAX_EMBED_DEPTH: usize = 4;

/// Characters percent-encoded in a file's URL path.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The index of content's non-Markdown files for [`LinkIndex::files`]: by
/// lowercased file name and by lowercased path.
pub fn file_index(site: &crate::site::Site) -> HashMap<String, Vec<String>> {
    let mut files: HashMap<String, Vec<String>> = HashMap::new();
    let all = site
        .content_assets
        .iter()
        .chain(site.pages.iter().flat_map(|p| &p.assets))
        .map(|(_, rel)| rel);
    for rel in all {
        let lower = rel.to_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower).to_string();
        for key in [name, lower] {
            let list = files.entry(key).or_default();
            if !list.contains(rel) {
                list.push(rel.clone());
            }
        }
    }
    files
}

/// Resolve `![[image.png]]` or `[[file.pdf]]` (a name or a path below
/// content/) to the file's URL path.
pub fn resolve_file(
    site: &crate::site::Site,
    target: &str,
) -> Result<ResolvedLink, crate::diagnostics::Diagnostic> {
    let key = target.trim().trim_start_matches('/').to_lowercase();
    let files = &site.graph.index.files;
    let found = files.get(&key).or_else(|| {
        let name = key.rsplit('/').next().unwrap_or(&key);
        files.get(name)
    });
    let Some(rel) = found.and_then(|list| list.first()) else {
        let hint = crate::diagnostics::closest(
            &key,
            files
                .keys()
                .filter(|k| !k.contains('/'))
                .map(String::as_str),
        );
        return Err(crate::diagnostics::Diagnostic::error(
            "missing-file",
            format!("`{target}` matches no file in content/"),
        )
        .with_help(match hint {
            Some(h) => format!("did you mean `{h}`? Files are found by name in any folder"),
            None => "put the file in content/ (any folder), or correct its name".to_string(),
        }));
    };
    let url = format!("/{}", percent_encoding::utf8_percent_encode(rel, PATH));
    Ok(ResolvedLink {
        target: None,
        anchor: None,
        kind: LinkKind::File,
        work: None,
        url: Some(url),
        hreflang: None,
    })
}

/// What an embed shows: a note, or the part under an anchor of it.
type Part = (DocId, Option<String>);

/// The body lines a part spans: all, a heading's section, or none for a
/// block (a block holds no embeds of its own lines that matter here).
fn part_lines(site: &crate::site::Site, (id, anchor): &Part) -> (usize, usize) {
    let Some(a) = anchor else {
        return (0, usize::MAX);
    };
    let heads = &site.doc(*id).body.headings;
    let Some(i) = heads.iter().position(|h| &h.id == a) else {
        return (0, 0);
    };
    let end = heads[i + 1..]
        .iter()
        .find(|h| h.level <= heads[i].level)
        .map_or(usize::MAX, |h| h.line);
    (heads[i].line, end)
}

/// The embeds inside a part: (link index, what it shows).
fn embeds_in(site: &crate::site::Site, part: &Part) -> Vec<(usize, Part)> {
    let (from, to) = part_lines(site, part);
    let doc = site.doc(part.0);
    let resolved = &site.graph.resolved[site.slot(part.0)];
    doc.body
        .links
        .iter()
        .zip(resolved)
        .enumerate()
        .filter(|(_, (l, _))| l.kind == LinkKind::Embed && (from..to).contains(&l.line))
        .filter_map(|(i, (_, r))| r.target.map(|t| (i, (t, r.anchor.clone()))))
        .collect()
}

/// What embed `i` of `id` shows.
fn shown_of(site: &crate::site::Site, id: DocId, i: usize) -> Part {
    let r = &site.graph.resolved[site.slot(id)][i];
    (r.target.unwrap_or(id), r.anchor.clone())
}

/// How many embeds deep a part's content goes (0: none), counting each
/// part once on a path.
fn chain_depth(site: &crate::site::Site, part: &Part, path: &mut Vec<Part>) -> usize {
    if path.contains(part) || path.len() > MAX_EMBED_DEPTH {
        return 0;
    }
    path.push(part.clone());
    let deepest = embeds_in(site, part)
        .iter()
        .map(|(_, next)| 1 + chain_depth(site, next, path))
        .max()
        .unwrap_or(0);
    path.pop();
    deepest
}

/// Whether another note embeds `id` (then its own deep chain is reported
/// where the chain starts).
fn embedded_elsewhere(site: &crate::site::Site, id: DocId) -> bool {
    site.doc_ids().any(|other| {
        other != id
            && embeds_in(site, &(other, None))
                .iter()
                .any(|(_, (t, _))| *t == id)
    })
}

/// Transclusions that come back to where they started (`A` shows `B`,
/// which shows the part of `A` holding that embed): a warning at each embed
/// of the circle, which the render stage shows as a link where it closes.
pub fn embed_cycles(site: &crate::site::Site) -> Vec<crate::diagnostics::Diagnostic> {
    let mut diags = Vec::new();
    for id in site.doc_ids() {
        let doc = site.doc(id);
        let whole: Part = (id, None);
        for (i, shown) in embeds_in(site, &whole) {
            let line = doc.body.links[i].line;
            let mut seen = HashSet::from([shown.clone()]);
            let mut queue = std::collections::VecDeque::from([(shown, vec![])]);
            let mut circle: Option<Vec<DocId>> = None;
            while let Some((part, path)) = queue.pop_front() {
                let mut path: Vec<DocId> = path;
                path.push(part.0);
                let (from, to) = part_lines(site, &part);
                if part.0 == id && (from..to).contains(&line) {
                    circle = Some(path);
                    break;
                }
                for (_, next) in embeds_in(site, &part) {
                    if seen.insert(next.clone()) {
                        queue.push_back((next, path.clone()));
                    }
                }
            }
            let Some(path) = circle else {
                let depth = 1 + chain_depth(site, &shown_of(site, id, i), &mut Vec::new());
                if depth > MAX_EMBED_DEPTH && !embedded_elsewhere(site, id) {
                    let l = &doc.body.links[i];
                    diags.push(
                        crate::diagnostics::Diagnostic::warning(
                            "embed-too-deep",
                            format!(
                                "`![[{}]]` nests embeds {depth} deep; fascia shows {MAX_EMBED_DEPTH}, and links the deeper ones",
                                l.target
                            ),
                        )
                        .at(&doc.file.display, &site.source(doc), l.line + doc.body_line_offset, l.column)
                        .with_help("embed a part of the note, or link the deeper notes instead"),
                    );
                }
                continue;
            };
            let l = &doc.body.links[i];
            let names: Vec<&str> = std::iter::once(id)
                .chain(path)
                .map(|d| site.doc(d).file.rel.as_str())
                .collect();
            diags.push(
                crate::diagnostics::Diagnostic::warning(
                    "embed-cycle",
                    format!(
                        "`![[{}]]` comes back to itself ({}); it is shown as a link where the circle closes",
                        l.target,
                        names.join(" → ")
                    ),
                )
                .at(&doc.file.display, &site.source(doc), l.line + doc.body_line_offset, l.column)
                .with_help("embed another part of the note (![[Note#Heading]]) or link it ([[Note]])"),
            );
        }
    }
    diags
}
