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
        let clock = crate::timing::Clock::new();
        out.extend(unlinked_mentions(site));
        clock.lap("  unlinked mentions");
    }
    reviews(site, &mut out);
    translations(site, &mut out);
    works(site, &mut out);
    out.extend(crate::knowledge::stated::check(site));
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
                    .at(&doc.file.display, &site.source(doc), 2, 1)
                    .with_help("add `last_reviewed = 2026-11-01` (the date of the last editorial review) to the front matter"),
            ),
            None => {}
            Some(d) => {
                let days = doc.fm.review_interval_days.unwrap_or(cfg.review_interval_days);
                let due = d.date().checked_add(jiff::Span::new().days(i64::from(days))).unwrap_or(today);
                if due < today {
                    let text = site.source(doc);
                    let off = text.find("last_reviewed").unwrap_or(0);
                    out.push(
                        Diagnostic::warning("review-overdue", format!("review overdue since {due} (last reviewed {d}, every {})", crate::diagnostics::plural(days as usize, "day", "days")))
                            .at_offset(&doc.file.display, &text, off)
                            .with_help("review the page against its sources, then update `last_reviewed`"),
                    );
                }
            }
        }
    }
}

/// A translation older than the page it translates: the original was
/// reviewed or updated after the translation's own review (or update).
fn translations(site: &Site, out: &mut Vec<Diagnostic>) {
    let default = site.config.default_language.as_str();
    for id in site.doc_ids() {
        let doc = site.doc(id);
        // A language's home made up where it has no `_index.xx.md` has no text.
        if doc.lang.is_none() {
            continue;
        }
        let Some(original) = site.in_language(id, default) else {
            continue;
        };
        let changed = |d: &crate::content::Document| {
            [d.fm.last_reviewed, d.fm.updated]
                .into_iter()
                .flatten()
                .max()
        };
        let (Some(theirs), mine) = (changed(site.doc(original)), changed(doc)) else {
            continue;
        };
        if mine.is_some_and(|m| m.date() >= theirs.date()) {
            continue;
        }
        let text = site.source(doc);
        if text.is_empty() {
            continue;
        }
        let at = ["last_reviewed", "updated"]
            .iter()
            .find_map(|k| text.find(k))
            .unwrap_or(0);
        let mine = mine.map_or("no review date".to_string(), |m| {
            format!("reviewed {}", m.date())
        });
        out.push(
            Diagnostic::warning(
                "stale-translation",
                format!(
                    "this translation ({mine}) is older than `{}`, changed {}",
                    site.doc(original).file.rel,
                    theirs.date()
                ),
            )
            .at_offset(&doc.file.display, &text, at)
            .with_help("bring the translation up to date with the original, then update its `last_reviewed`"),
        );
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

/// Add the prose of `line` (which starts at byte `at` of the body) to
/// `spans`: everything but links, wikilinks, inline code and HTML tags.
fn prose_spans_of_line(line: &str, at: usize, spans: &mut Vec<(usize, usize)>) {
    let bytes = line.as_bytes();
    let mut push = |from: usize, to: usize| {
        if from >= to {
            return;
        }
        match spans.last_mut() {
            // Continues the previous span (the line before had no markup at its end).
            Some(last) if last.1 == at + from => last.1 = at + to,
            _ => spans.push((at + from, at + to)),
        }
    };
    let mut prose_from = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr3(b'`', b'<', b'[', &bytes[i..]) {
        i += k;
        let end = match bytes[i] {
            b'`' => Some(
                line[i + 1..]
                    .find('`')
                    .map_or(bytes.len(), |e| i + 1 + e + 1),
            ),
            b'<' => Some(line[i..].find('>').map_or(bytes.len(), |e| i + e + 1)),
            _ if line[i..].starts_with("[[") => {
                Some(line[i..].find("]]").map_or(bytes.len(), |e| i + e + 2))
            }
            // [text](url): the whole link is not a mention.
            _ => line[i..]
                .find("](")
                .map(|e| i + e)
                .and_then(|c| line[c..].find(')').map(|e| c + e + 1)),
        };
        match end {
            Some(end) => {
                push(prose_from, i);
                prose_from = end;
                i = end;
            }
            None => i += 1,
        }
        if i >= bytes.len() {
            break;
        }
    }
    push(prose_from, bytes.len());
}

/// A page body's prose, for finding mentions: byte ranges of the body that
/// leave out fenced code, headings, shortcode lines, and the links, code and
/// HTML within lines. Ranges that touch are merged, so a gap between two
/// ranges always stands for something that is not prose.
fn prose_spans(body: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut in_fence = false;
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let t = line.trim_start();
        let fence = t.starts_with("```") || t.starts_with("~~~");
        if fence {
            in_fence = !in_fence;
        }
        if !(fence || in_fence || t.starts_with('#') || t.starts_with("{{") || t.starts_with("{%"))
        {
            prose_spans_of_line(line, at, &mut spans);
        }
        at += line.len();
    }
    spans
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
            let text = site.source(doc);
            let body_start: usize = text
                .split_inclusive('\n')
                .take(doc.body_line_offset)
                .map(str::len)
                .sum();
            let body = &text[body_start..];
            let spans = prose_spans(body);
            // Lines counted up to the last match reported (matches come in order).
            let (mut line, mut line_start, mut counted_to) = (0, 0, 0);
            for m in matcher.find_all(body.as_bytes(), &spans, scratch) {
                let target = owners[m.name];
                // Names are matched within a language: an English title in
                // French prose is a word, not a mention.
                if target == id
                    || linked.contains(&target)
                    || reported.contains(&target)
                    || site.lang_of(target) != site.lang_of(id)
                {
                    continue;
                }
                reported.insert(target);
                for nl in memchr::memchr_iter(b'\n', &body.as_bytes()[counted_to..m.start]) {
                    line += 1;
                    line_start = counted_to + nl + 1;
                }
                counted_to = m.start;
                let n = line;
                let col = body[line_start..m.start].chars().count() + 1;
                let name = &body[m.start..m.end];
                out.push(
                    Diagnostic::warning(
                        "unlinked-mention",
                        format!("`{name}` is mentioned but not linked"),
                    )
                    .at(&doc.file.display, &text, doc.body_line_offset + n + 1, col)
                    .with_help(format!(
                        "link it: [{name}](@/{})",
                        site.doc(target).base_rel()
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
    fn prose_leaves_out_what_is_not_prose() {
        let body = "# Beta\n```\nBeta\n```\nSee `Beta`, <i a=\"Beta\">, [[Beta]], [Beta](x) and Beta.\r\nA [bracket] Beta\nand `unclosed Beta\n{{ x() }}\nlast Beta";
        let spans = prose_spans(body);
        let prose: Vec<&str> = spans.iter().map(|&(a, b)| &body[a..b]).collect();
        assert_eq!(
            prose,
            [
                "See ",
                ", ",
                ", ",
                ", ",
                " and Beta.\r\nA [bracket] Beta\nand ",
                "last Beta"
            ]
        );
        // Touching ranges are merged: gaps mean markup.
        assert!(spans.windows(2).all(|w| w[0].1 < w[1].0));
    }
}
