//! What `ratings` facts point at, checked once the pages are known: a row
//! of a `rows_section` field is a page of that section, a cited work is in
//! the bibliography, a `see` link reaches a page and its anchor.

use crate::diagnostics::{Diagnostic, closest};
use crate::knowledge::ratings::RatingSet;
use crate::site::{DocId, Site};
use crate::toml_pos;

/// Every broken row, citation or link of the sites' ratings, located in the
/// rating page's front matter.
pub fn check(site: &Site, all: &[Vec<RatingSet>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, field) in crate::knowledge::ratings::fields(&site.config.facts) {
        let Some(page) = &field.page else { continue };
        if site.by_rel(page.trim_start_matches("@/")).is_none() {
            let file = site.root.join("config.toml");
            let src = std::fs::read_to_string(&file).unwrap_or_default();
            out.push(toml_pos::at_key(
                Diagnostic::error(
                    "missing-page",
                    format!("[facts.fields.{name}] page `{page}` does not exist"),
                )
                .with_help(
                    "name the page that shows the whole table, e.g. page = \"@/evidence/map.md\"",
                ),
                &file,
                &src,
                &src,
                0,
                &["facts", "fields", name, "page"],
            ));
        }
    }
    for id in site.doc_ids() {
        let sets = &all[site.slot(id)];
        if sets.is_empty() {
            continue;
        }
        let doc = site.doc(id);
        let source = site.source(doc);
        let Ok(split) = crate::content::front_matter::split(&source, &doc.file.display) else {
            continue;
        };
        let at = |d: Diagnostic, path: &[&str]| {
            toml_pos::at_key(
                d,
                &doc.file.display,
                &source,
                split.front,
                split.front_line_offset,
                path,
            )
        };
        for set in sets {
            let Some(field) = site.config.facts.fields.get(&set.field) else {
                continue;
            };
            for r in &set.ratings {
                let path = ["facts", set.field.as_str(), r.key.as_str()];
                if let Some(section) = &field.rows_section {
                    let rel = format!("{section}/{}.md", r.key);
                    if !site.graph.index.by_rel.contains_key(&rel) {
                        let prefix = format!("{section}/");
                        let names = site
                            .graph
                            .index
                            .by_rel
                            .keys()
                            .filter_map(|k| k.strip_prefix(&prefix)?.strip_suffix(".md"));
                        let hint = closest(&r.key, names);
                        out.push(at(
                            Diagnostic::error(
                                "missing-page",
                                format!("rated page `{rel}` does not exist"),
                            )
                            .with_help(match hint {
                                Some(h) => format!("did you mean `{h}`? Rows of `{}` are the pages of `{section}/`, by file name", set.field),
                                None => format!("rows of `{}` are the pages of `{section}/`, by file name", set.field),
                            }),
                            &path,
                        ));
                    }
                }
                for key in &r.cite {
                    if !site.bibliography.by_key.contains_key(key) {
                        let hint =
                            closest(key, site.bibliography.by_key.keys().map(String::as_str));
                        out.push(at(
                            Diagnostic::error(
                                "unknown-citation",
                                format!("rating cites `{key}`, which is not in the bibliography"),
                            )
                            .with_help_opt(hint.map(|h| format!("did you mean `{h}`?"))),
                            &["facts", set.field.as_str(), r.key.as_str(), "cite"],
                        ));
                    }
                }
                if let Some(see) = &r.see
                    && let Err(why) = resolve_see(site, id, see)
                {
                    out.push(at(
                        Diagnostic::error("broken-link", format!("`see` of rating `{}.{}`: {why}", set.field, r.key))
                            .with_help("write see = \"@/section/page.md#heading-id\" or \"#heading-id\" for this page"),
                        &["facts", set.field.as_str(), r.key.as_str(), "see"],
                    ));
                }
            }
        }
    }
    out
}

/// The page and anchor a `see` link names, or why it does not resolve.
pub fn resolve_see(site: &Site, from: DocId, see: &str) -> Result<(DocId, Option<String>), String> {
    let (page, anchor) = match see.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (see, None),
    };
    let target = if page.is_empty() {
        from
    } else {
        let rel = page
            .strip_prefix("@/")
            .ok_or_else(|| format!("`{see}` is not an internal link"))?;
        *site
            .graph
            .index
            .by_rel
            .get(rel)
            .ok_or_else(|| format!("page `{page}` does not exist"))?
    };
    if let Some(a) = &anchor
        && !site.graph.index.anchors[site.slot(target)].contains(a)
    {
        return Err(format!(
            "`{}` has no heading with id `{a}`",
            site.doc(target).file.rel
        ));
    }
    Ok((target, anchor))
}
