//! Link health and editorial checks for `fascia check`: orphan pages, dead
//! ends, review dates, works cited nowhere or missing a year or a link.

use crate::diagnostics::Diagnostic;
use crate::knowledge::references::Year;
use crate::site::{DocId, Site};

/// Every health diagnostic for a linked site.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    links(site, &mut out);
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
                    "add links to related pages, e.g. [IASTM](@/techniques/iastm.md) or [[IASTM]]",
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
