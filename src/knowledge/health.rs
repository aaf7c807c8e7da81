//! Link health and editorial checks for `fascia check`: orphan pages, dead
//! ends, review dates, works cited nowhere or missing a year or a link.

use crate::diagnostics::Diagnostic;
use crate::knowledge::references::Year;
use crate::site::{DocId, Site};

/// Every health diagnostic for a linked site.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    links(site, &mut out);
    if site.config.knowledge.unlinked_mentions {
        let clock = crate::pipeline::Clock::new();
        out.extend(unlinked_mentions(site));
        clock.lap("  unlinked mentions");
    }
    reviews(site, &mut out);
    works(site, &mut out);
    out
}

fn links(site: &Site, out: &mut Vec<Diagnostic>) {
    for (i, p) in site.pages.iter().enumerate() {
        let slot = site.slot(DocId::Page(i));
        let file = &p.doc.file.display;
        let inbound = site.graph.backlinks[slot]
            .iter()
            .filter(|b| b.source != DocId::Page(i))
            .count();
        if inbound == 0 {
            out.push(
                Diagnostic::warning(
                    "orphan-page",
                    format!(
                        "`{}` has no inbound links other than section listings",
                        p.title()
                    ),
                )
                .in_file(file)
                .with_help("link to it from a related page so readers can find it"),
            );
        }
        if site.graph.outgoing[slot].is_empty() {
            out.push(
                Diagnostic::warning(
                    "dead-end",
                    format!("`{}` links to no other page", p.title()),
                )
                .in_file(file)
                .with_help(
                    "add links to related pages, e.g. [Title](@/section/page.md) or [[Title]]",
                ),
            );
        }
    }
}

fn reviews(site: &Site, out: &mut Vec<Diagnostic>) {
    let today = jiff::Zoned::now().date();
    let cfg = &site.config.knowledge;
    for id in site.doc_ids() {
        let doc = site.doc(id);
        let top = doc.file.rel.split('/').next().unwrap_or("");
        let required =
            doc.file.rel.contains('/') && cfg.require_last_reviewed.iter().any(|s| s == top);
        match doc.fm.last_reviewed {
            None if required => out.push(
                Diagnostic::error("missing-review-date", format!("pages in {top}/ must carry `last_reviewed`"))
                    .at(&doc.file.display, &doc.file.text, 2, 1)
                    .with_help("add `last_reviewed = 2026-11-01` (the date of the last editorial review) to the front matter"),
            ),
            None => {}
            Some(d) => {
                let days = doc.fm.review_interval_days.unwrap_or(cfg.review_interval_days);
                let due = d.date().checked_add(jiff::Span::new().days(i64::from(days))).unwrap_or(today);
                if due < today {
                    let off = doc.file.text.find("last_reviewed").unwrap_or(0);
                    out.push(
                        Diagnostic::warning("review-overdue", format!("review overdue since {due} (last reviewed {d}, every {days} days)"))
                            .at_offset(&doc.file.display, &doc.file.text, off)
                            .with_help("review the page against its sources, then update `last_reviewed`"),
                    );
                }
            }
        }
    }
}

fn works(site: &Site, out: &mut Vec<Diagnostic>) {
    let file = std::path::Path::new("data/references.toml");
    for (i, w) in site.bibliography.works.iter().enumerate() {
        let line = site.bibliography.lines.get(i).copied().unwrap_or(0);
        let at = |d: Diagnostic| Diagnostic {
            file: Some(file.to_path_buf()),
            line,
            column: 1,
            ..d
        };
        if site.graph.cited_by[i].is_empty() {
            out.push(at(Diagnostic::warning(
                "uncited-work",
                format!("work `{}` is cited nowhere", w.key),
            )
            .with_help("cite it with [Author Year](ref:KEY) or remove it")));
        }
        if w.year.is_none() {
            out.push(at(Diagnostic::warning(
                "work-without-year",
                format!("work `{}` has no year", w.key),
            )
            .with_help(
                "add `year = 2019`, or `year = \"n.d.\"` when the work is undated",
            )));
        }
        if let Some(Year::Text(t)) = &w.year
            && t != "n.d."
        {
            out.push(at(Diagnostic::warning(
                "work-without-year",
                format!("work `{}` has year `{t}`", w.key),
            )
            .with_help("write the year as a number, or \"n.d.\" when undated")));
        }
        if w.doi.is_none() && w.url.is_none() && w.archived.is_none() {
            out.push(at(Diagnostic::warning(
                "work-without-link",
                format!("work `{}` has no DOI or URL", w.key),
            )
            .with_help(
                "add `doi` or `url`; for a work held offline, say where in `archived`",
            )));
        }
    }
}

/// Names a page can be mentioned by: its title and `[extra] synonyms`.
fn mention_names(site: &Site) -> (Vec<String>, Vec<DocId>) {
    let mut names = Vec::new();
    let mut owners = Vec::new();
    for (i, p) in site.pages.iter().enumerate() {
        let mut add = |n: &str| {
            let n = n.trim();
            if n.chars().count() >= 3 {
                names.push(n.to_string());
                owners.push(DocId::Page(i));
            }
        };
        add(p.title());
        if let Some(toml::Value::Array(syn)) = p.doc.fm.extra.get("synonyms") {
            for s in syn.iter().filter_map(toml::Value::as_str) {
                add(s);
            }
        }
    }
    (names, owners)
}

/// Append `line` to `out` with the Markdown that is not prose (links,
/// wikilinks, code, HTML) masked, keeping byte positions (ASCII bytes become
/// spaces, the bytes of other characters `_`), so mentions inside them are not
/// reported and what is appended is valid UTF-8 whenever `line` is.
fn mask_prose_into(line: &str, out: &mut Vec<u8>) {
    let bytes = line.as_bytes();
    let base = out.len();
    out.extend_from_slice(bytes);
    if !bytes.iter().any(|b| matches!(b, b'`' | b'<' | b'[')) {
        return;
    }
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[base + from..base + to.min(bytes.len())] {
            *b = if b.is_ascii() { b' ' } else { b'_' };
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => {
                let end = line[i + 1..]
                    .find('`')
                    .map_or(bytes.len(), |e| i + 1 + e + 1);
                blank(out, i, end);
                i = end;
            }
            b'<' => {
                let end = line[i..].find('>').map_or(bytes.len(), |e| i + e + 1);
                blank(out, i, end);
                i = end;
            }
            b'[' if line[i..].starts_with("[[") => {
                let end = line[i..].find("]]").map_or(bytes.len(), |e| i + e + 2);
                blank(out, i, end);
                i = end;
            }
            b'[' => {
                // [text](url): the whole link is not a mention.
                let close = line[i..].find("](").map(|e| i + e);
                let end = close.and_then(|c| line[c..].find(')').map(|e| c + e + 1));
                match end {
                    Some(end) => {
                        blank(out, i, end);
                        i = end;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
}

/// A page body as prose only, for finding mentions: every line keeps its
/// bytes' positions, but fenced code, headings and shortcode lines are blank
/// and the rest is masked by [`mask_prose_into`]. Also the byte offset where
/// each line starts.
fn prose_of(body: &str) -> (Vec<u8>, Vec<usize>) {
    let mut masked = Vec::with_capacity(body.len());
    let mut starts = Vec::new();
    let mut in_fence = false;
    for line in body.split_inclusive('\n') {
        starts.push(masked.len());
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let t = content.trim_start();
        let fence = t.starts_with("```") || t.starts_with("~~~");
        if fence {
            in_fence = !in_fence;
        }
        if fence || in_fence || t.starts_with('#') || t.starts_with("{{") || t.starts_with("{%") {
            masked.resize(masked.len() + content.len(), b' ');
        } else {
            mask_prose_into(content, &mut masked);
        }
        masked.extend_from_slice(&line.as_bytes()[content.len()..]);
    }
    (masked, starts)
}

/// Another page's title or synonym in prose, on a page that never links to it.
fn unlinked_mentions(site: &Site) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let (names, owners) = mention_names(site);
    if names.is_empty() {
        return Vec::new();
    }
    let matcher = super::mentions::NameMatcher::new(&names);
    let per_page: Vec<Vec<Diagnostic>> = (0..site.pages.len())
        .into_par_iter()
        .map_init(super::mentions::Scratch::default, |scratch, i| {
            let id = DocId::Page(i);
            let doc = &site.pages[i].doc;
            let linked = &site.graph.outgoing[site.slot(id)];
            let mut reported = std::collections::HashSet::new();
            let mut out = Vec::new();
            let text = &doc.file.text;
            let body_start: usize = text
                .split_inclusive('\n')
                .take(doc.body_line_offset)
                .map(str::len)
                .sum();
            let body = &text[body_start..];
            let (masked, starts) = prose_of(body);
            for m in matcher.find_all(&masked, scratch) {
                let target = owners[m.name];
                if target == id || linked.contains(&target) || reported.contains(&target) {
                    continue;
                }
                reported.insert(target);
                let n = starts.partition_point(|&s| s <= m.start) - 1;
                let line_start = starts[n];
                let col = body[line_start..m.start].chars().count() + 1;
                let name = &body[m.start..m.end];
                out.push(
                    Diagnostic::warning(
                        "unlinked-mention",
                        format!("`{name}` is mentioned but not linked"),
                    )
                    .at(&doc.file.display, text, doc.body_line_offset + n + 1, col)
                    .with_help(format!(
                        "link it: [{name}](@/{})",
                        site.doc(target).file.rel
                    )),
                );
            }
            out
        })
        .collect();
    per_page.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_keeps_positions_and_blanks_what_is_not_prose() {
        let body = "# Beta\n```\nBeta\n```\nSee `Beta`, <i a=\"Beta\">, [[Beta]], [Beta](x) and Beta.\r\n{{ x() }}\n";
        let (masked, starts) = prose_of(body);
        assert_eq!(masked.len(), body.len());
        let text = String::from_utf8(masked).unwrap();
        assert_eq!(text.matches("Beta").count(), 1, "{text:?}");
        assert_eq!(starts.len(), body.lines().count());
        assert!(text.contains("and Beta.\r\n"));
    }
}
