//! The link stage: one index of every document, then every link of every
//! body resolved against it (`@/` paths, relative `.md` paths, wikilinks,
//! anchors, citations, glossary terms), backlinks with their sentences,
//! facts checked against the schema, and comparison tables.
//!
//! Input: the parsed [`Site`]. Output: a [`LinkGraph`] and diagnostics.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, byte_col_to_char_col, closest};
use crate::knowledge::facts::{self, Comparison, ComparisonColumn, Fact};
use crate::markdown::{LinkKind, LinkRef};
use crate::site::{DocId, Site};

pub mod ratings;
mod resolve;
pub use resolve::normalize;
use resolve::resolve_one;

pub use crate::links::{Backlink, LinkGraph, LinkIndex, ResolvedLink};

/// What one document's resolved links contribute to the graph.
struct Edges {
    outgoing: Vec<DocId>,
    /// (target, index of the first link to it) for each distinct target.
    backlinks: Vec<(DocId, u32)>,
    references: Vec<usize>,
}

fn edges(id: DocId, resolved: &[ResolvedLink], links: &[LinkRef]) -> Edges {
    let mut e = Edges {
        outgoing: Vec::new(),
        backlinks: Vec::new(),
        references: Vec::new(),
    };
    let mut seen_targets = HashSet::new();
    let mut seen_works = HashSet::new();
    for (i, r) in resolved.iter().enumerate().take(links.len()) {
        if let Some(w) = r.work
            && seen_works.insert(w)
        {
            e.references.push(w);
        }
        let Some(t) = r.target else { continue };
        if t == id || r.kind == LinkKind::Glossary || !seen_targets.insert(t) {
            continue;
        }
        e.outgoing.push(t);
        // A page in another language lists no backlink from here: each
        // language's pages list their own (see `same_language`).
        if r.hreflang.is_none() {
            e.backlinks.push((t, u32::try_from(i).unwrap_or(u32::MAX)));
        }
    }
    e
}

/// After `site.graph.resolved[slot]` of `id` changed: recompute its outgoing
/// links and references, and the backlinks and citations they feed, in the
/// same order a full link stage gives.
pub fn relink_doc(site: &mut Site, id: DocId, old_out: &[DocId], old_refs: &[usize]) {
    let slot = site.slot(id);
    let e = edges(id, &site.graph.resolved[slot], &site.doc(id).body.links);
    for &t in old_out {
        let ts = site.slot(t);
        site.graph.backlinks[ts].retain(|b| b.source != id);
    }
    for &w in old_refs {
        site.graph.cited_by[w].retain(|&d| d != id);
    }
    for (t, link) in e.backlinks {
        let ts = site.slot(t);
        site.graph.backlinks[ts].push(Backlink { source: id, link });
        let mut list = std::mem::take(&mut site.graph.backlinks[ts]);
        list.sort_by_key(|b| site.slot(b.source));
        site.graph.backlinks[ts] = list;
    }
    for &w in &e.references {
        site.graph.cited_by[w].push(id);
        let mut list = std::mem::take(&mut site.graph.cited_by[w]);
        list.sort_by_key(|&d| site.slot(d));
        site.graph.cited_by[w] = list;
    }
    let mut outgoing = e.outgoing;
    // A comparison also links to what it compares (as the full link stage adds).
    for c in &site.doc(id).fm.compare {
        if let Some(&t) = site.graph.index.by_rel.get(c.trim_start_matches("@/"))
            && t != id
            && !outgoing.contains(&t)
        {
            outgoing.push(t);
        }
    }
    site.graph.outgoing[slot] = outgoing;
    site.graph.references[slot] = e.references;
}

/// `notes/Deep fascia.md` -> `deep fascia`; `notes/_index.md` and
/// `notes/index.md` -> `notes`.
fn file_name_key(rel: &str) -> String {
    let mut parts = rel.rsplit('/');
    let file = parts.next().unwrap_or(rel);
    let name = if file == "_index.md" || file == "index.md" {
        parts.next().unwrap_or("")
    } else {
        file.strip_suffix(".md").unwrap_or(file)
    };
    name.to_lowercase()
}

/// Build the index of every document. The names and anchors of each
/// document are made in parallel; only the map inserts are serial.
pub fn build_index(site: &Site) -> LinkIndex {
    let ids: Vec<DocId> = site.doc_ids().collect();
    let per_doc: Vec<(Vec<String>, HashSet<String>)> = ids
        .par_iter()
        .map(|&id| {
            let doc = site.doc(id);
            let mut names = Vec::with_capacity(4);
            let mut add = |name: &str| {
                let key = name.trim().to_lowercase();
                if !key.is_empty() {
                    names.push(key);
                }
            };
            add(doc.file.rel.trim_end_matches(".md"));
            if let Some(t) = &doc.fm.title {
                add(t);
            }
            if let DocId::Page(i) = id {
                add(&site.pages[i].slug);
            }
            if let Some(toml::Value::Array(syn)) = doc.fm.extra.get("synonyms") {
                for s in syn.iter().filter_map(toml::Value::as_str) {
                    add(s);
                }
            }
            let anchors = doc
                .body
                .headings
                .iter()
                .map(|h| h.id.clone())
                .chain(doc.body.block_ids.iter().map(|b| format!("^{b}")))
                .collect();
            (names, anchors)
        })
        .collect();
    let mut index = LinkIndex {
        by_rel: HashMap::with_capacity(ids.len()),
        by_name: HashMap::with_capacity(ids.len() * 3),
        by_file_name: HashMap::with_capacity(ids.len()),
        files: crate::links::file_index(site),
        anchors: Vec::with_capacity(ids.len()),
    };
    for (&id, (names, anchors)) in ids.iter().zip(per_doc) {
        let rel = &site.doc(id).file.rel;
        index.by_rel.insert(rel.clone(), id);
        index
            .by_file_name
            .entry(file_name_key(rel))
            .or_default()
            .push(id);
        for key in names {
            let list = index.by_name.entry(key).or_default();
            if !list.contains(&id) {
                list.push(id);
            }
        }
        index.anchors.push(anchors);
    }
    index
}

/// Resolve every link in the site.
pub fn link(site: &mut Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let clock = crate::timing::Clock::new();
    site.graph.index = build_index(site);
    clock.lap("  index");
    let (glossary_page, bibliography_page) = special_pages(site, &mut diags);
    diags.extend(glossary_targets(site));
    site.graph.glossary_page = glossary_page;
    site.graph.bibliography_page = bibliography_page;
    if let Some(g) = glossary_page {
        let slot = site.slot(g);
        let ids: Vec<String> = site.glossary.terms.iter().map(|t| t.id.clone()).collect();
        site.graph.index.anchors[slot].extend(ids);
    }
    if let Some(b) = bibliography_page {
        let slot = site.slot(b);
        let ids: Vec<String> = site
            .bibliography
            .works
            .iter()
            .map(|w| format!("ref-{}", w.key))
            .collect();
        site.graph.index.anchors[slot].extend(ids);
    }
    let ids: Vec<DocId> = site.doc_ids().collect();
    let site_ref: &Site = site;
    let results: Vec<(Vec<ResolvedLink>, Vec<Diagnostic>)> = ids
        .par_iter()
        .map(|&id| resolve_doc(site_ref, id))
        .collect();
    clock.lap("  resolve");
    let mut resolved = Vec::with_capacity(results.len());
    for (r, d) in results {
        resolved.push(r);
        diags.extend(d);
    }
    let n = site.doc_count();
    let mut backlinks: Vec<Vec<Backlink>> = vec![Vec::new(); n];
    let mut outgoing: Vec<Vec<DocId>> = vec![Vec::new(); n];
    let mut references: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut cited_by: Vec<Vec<DocId>> = vec![Vec::new(); site.bibliography.works.len()];
    let all_edges: Vec<Edges> = ids
        .par_iter()
        .map(|&id| edges(id, &resolved[site.slot(id)], &site.doc(id).body.links))
        .collect();
    for (&id, e) in ids.iter().zip(all_edges) {
        let slot = site.slot(id);
        for &w in &e.references {
            cited_by[w].push(id);
        }
        for (t, link) in e.backlinks {
            backlinks[site.slot(t)].push(Backlink { source: id, link });
        }
        outgoing[slot] = e.outgoing;
        references[slot] = e.references;
    }
    site.graph.resolved = resolved;
    site.graph.backlinks = backlinks;
    site.graph.outgoing = outgoing;
    site.graph.references = references;
    site.graph.cited_by = cited_by;
    clock.lap("  edges");
    diags.extend(crate::links::embed_cycles(site));
    diags.extend(knowledge(site));
    clock.lap("  knowledge");
    diags
}

fn special_pages(site: &Site, diags: &mut Vec<Diagnostic>) -> (Option<DocId>, Option<DocId>) {
    let find = |setting: &Option<String>, key: &str, diags: &mut Vec<Diagnostic>| {
        let at = setting.as_deref()?;
        let rel = at.trim_start_matches("@/");
        let found = site.graph.index.by_rel.get(rel).copied();
        if found.is_none() {
            diags.push(
                Diagnostic::error(
                    "missing-page",
                    format!("[knowledge] {key} names `{at}`, which does not exist"),
                )
                .in_file("config.toml")
                .with_help(format!("create content/{rel} or change {key}")),
            );
        }
        found
    };
    let k = &site.config.knowledge;
    (
        find(&k.glossary_page, "glossary_page", diags),
        find(&k.bibliography_page, "bibliography_page", diags),
    )
}

/// Every glossary entry's `page` names a page of the site.
fn glossary_targets(site: &Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for t in &site.glossary.terms {
        let (Some(page), Some(at)) = (&t.page, t.page_at) else {
            continue;
        };
        let rel = page.trim_start_matches("@/");
        let rel = rel.split('#').next().unwrap_or(rel);
        if site.graph.index.by_rel.contains_key(rel) {
            continue;
        }
        let hint = closest(rel, site.graph.index.by_rel.keys().map(String::as_str));
        diags.push(
            Diagnostic::error(
                "missing-page",
                format!(
                    "glossary term `{}` points at `{page}`, which does not exist",
                    t.term
                ),
            )
            .at_offset("data/glossary.toml", &site.glossary.source, at)
            .with_help(hint.map_or_else(
                || "write the `@/` path of a page below content/".to_string(),
                |h| format!("did you mean `@/{h}`?"),
            )),
        );
    }
    diags
}

/// Resolve the links of one document.
fn resolve_doc(site: &Site, id: DocId) -> (Vec<ResolvedLink>, Vec<Diagnostic>) {
    resolve_doc_with(site, id, site.doc(id))
}

/// Resolve the links of `doc`, a new version of document `id`, against the site.
pub fn resolve_doc_with(
    site: &Site,
    id: DocId,
    doc: &crate::content::Document,
) -> (Vec<ResolvedLink>, Vec<Diagnostic>) {
    let mut out = Vec::with_capacity(doc.body.links.len());
    let mut diags = Vec::new();
    for l in &doc.body.links {
        match resolve_one(site, id, l) {
            Ok(mut r) => {
                if let Some(t) = r.target
                    && l.kind != LinkKind::Embed
                    && site.lang_of(t) != site.lang_of(id)
                {
                    r.hreflang = Some(site.lang_of(t).to_string());
                }
                out.push(r);
            }
            Err(mut d) => {
                let checker = &site.config.link_checker;
                if (checker.internal_links_warn()
                    && matches!(d.code, "missing-anchor" | "missing-file"))
                    || (d.code == "missing-page"
                        && checker.missing_page_warns(site.config.obsidian))
                {
                    d.severity = crate::diagnostics::Severity::Warning;
                }
                let line = l.line + doc.body_line_offset;
                let source = site.source(doc);
                let col = byte_col_to_char_col(&source, line, l.column);
                diags.push(d.at(&doc.file.display, &source, line, col));
                out.push(ResolvedLink {
                    target: None,
                    anchor: None,
                    kind: LinkKind::External,
                    work: None,
                    url: None,
                    hreflang: None,
                });
            }
        }
    }
    (out, diags)
}

/// Facts and comparisons, per document.
fn knowledge(site: &mut Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let n = site.doc_count();
    let mut all_facts: Vec<Vec<Fact>> = vec![Vec::new(); n];
    let mut all_ratings = vec![Vec::new(); n];
    for id in site.doc_ids().collect::<Vec<_>>() {
        let doc = site.doc(id);
        if doc.fm.facts.is_empty() {
            continue;
        }
        let source = site.source(doc);
        let Ok(split) = crate::content::front_matter::split(&source, &doc.file.display) else {
            continue;
        };
        match facts::validate(
            &doc.fm.facts,
            &site.config.facts,
            &doc.file.display,
            &source,
            split.front,
            split.front_line_offset,
        ) {
            Ok((f, r)) => {
                all_facts[site.slot(id)] = f;
                all_ratings[site.slot(id)] = r;
            }
            Err(e) => diags.extend(e),
        }
    }
    let mut comparisons: Vec<Option<Comparison>> = vec![None; n];
    for id in site.doc_ids().collect::<Vec<_>>() {
        let doc = site.doc(id);
        if doc.fm.compare.is_empty() {
            continue;
        }
        let mut targets = Vec::new();
        for (i, c) in doc.fm.compare.iter().enumerate() {
            let rel = c.trim_start_matches("@/");
            if let Some(&t) = site.graph.index.by_rel.get(rel) {
                targets.push(t);
                continue;
            }
            let source = site.source(doc);
            let Ok(split) = crate::content::front_matter::split(&source, &doc.file.display) else {
                continue;
            };
            let (line, col) = facts::compare_entry_position(split.front, i).unwrap_or((1, 1));
            let hint = closest(rel, site.graph.index.by_rel.keys().map(String::as_str));
            diags.push(
                Diagnostic::error(
                    "missing-page",
                    format!("compared page `{c}` does not exist"),
                )
                .at(
                    &doc.file.display,
                    &source,
                    line + split.front_line_offset,
                    col,
                )
                .with_help_opt(hint.map(|h| format!("did you mean `@/{h}`?"))),
            );
        }
        if targets.len() != doc.fm.compare.len() {
            continue;
        }
        let columns = targets
            .iter()
            .map(|&t| ComparisonColumn {
                title: site.title_of(t).to_string(),
                permalink: site.permalink_of(t),
                path: site.path_of(t).to_string(),
            })
            .collect();
        let fs: Vec<&[Fact]> = targets
            .iter()
            .map(|&t| all_facts[site.slot(t)].as_slice())
            .collect();
        comparisons[site.slot(id)] = Some(facts::compare(&site.config.facts, columns, &fs));
        // A comparison links to what it compares.
        for &t in &targets {
            let slot = site.slot(id);
            if !site.graph.outgoing[slot].contains(&t) && t != id {
                site.graph.outgoing[slot].push(t);
            }
        }
    }
    diags.extend(ratings::check(site, &all_ratings));
    site.graph.facts = all_facts;
    site.graph.ratings = all_ratings;
    site.graph.comparisons = comparisons;
    diags
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes_relative_paths() {
        assert_eq!(
            normalize("techniques", "../conditions/neck-pain.md"),
            "conditions/neck-pain.md"
        );
        assert_eq!(normalize("", "./a.md"), "a.md");
        assert_eq!(normalize("a/b", "c.md"), "a/b/c.md");
    }
}
