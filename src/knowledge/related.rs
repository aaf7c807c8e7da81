//! Related pages: ranked by shared links (either direction, and shared
//! targets) and shared taxonomy terms.

use std::collections::HashMap;

use crate::site::{DocId, Site};

/// Up to `config.knowledge.related_pages` related pages per document slot.
pub fn compute(site: &Site) -> Vec<Vec<DocId>> {
    let n = site.doc_count();
    let limit = site.config.knowledge.related_pages;
    let mut out = vec![Vec::new(); n];
    if limit == 0 || site.graph.outgoing.len() != n {
        return out;
    }
    // Pages sharing a taxonomy term, indexed once (no all-pairs scan).
    let mut by_term: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, p) in site.pages.iter().enumerate() {
        for (tax, terms) in &p.doc.fm.taxonomies {
            for t in terms {
                by_term
                    .entry((tax.as_str(), t.as_str()))
                    .or_default()
                    .push(i);
            }
        }
    }
    for (i, p) in site.pages.iter().enumerate() {
        let id = DocId::Page(i);
        let slot = site.slot(id);
        let mut score: HashMap<DocId, u32> = HashMap::new();
        for &t in &site.graph.outgoing[slot] {
            *score.entry(t).or_default() += 3;
        }
        for b in &site.graph.backlinks[slot] {
            *score.entry(b.source).or_default() += 3;
        }
        for (tax, terms) in &p.doc.fm.taxonomies {
            for t in terms {
                let sharers = &by_term[&(tax.as_str(), t.as_str())];
                // Very common terms say little; skip them for large sites.
                if sharers.len() > 200 {
                    continue;
                }
                for &j in sharers {
                    *score.entry(DocId::Page(j)).or_default() += 1;
                }
            }
        }
        score.remove(&id);
        let mut ranked: Vec<(DocId, u32)> = score
            .into_iter()
            .filter(|(d, _)| matches!(d, DocId::Page(_)))
            .collect();
        ranked.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| site.title_of(a.0).cmp(site.title_of(b.0)))
        });
        out[slot] = ranked.into_iter().take(limit).map(|(d, _)| d).collect();
    }
    out
}
