//! Template functions over `ratings` facts: `get_fact_matrix(field,
//! section)` (the pages that rate a field, by row: the contraindications
//! table, the evidence map) and `get_fact_strips(path)` (one page's ratings,
//! or the pages rating it). Each cell carries its rule, rank and `shade`
//! (0 to 4 along the field's values, for colour scales), note, citations
//! and the URL of the section that explains it.

use std::sync::Arc;

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, context};

use super::super::RenderState;
use crate::config::FactField;
use crate::knowledge::ratings::{Rating, RatingSet};
use crate::site::{DocId, Site};

fn fail(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

pub fn register(env: &mut Environment<'static>, state: &Arc<RenderState>) {
    let st = Arc::clone(state);
    env.add_function(
        "get_fact_matrix",
        move |kwargs: Kwargs| -> Result<Value, Error> {
            let field: String = kwargs.get("field")?;
            let section: Option<String> = kwargs.get("section")?;
            kwargs.assert_all_used()?;
            matrix(&st.site, &field, section.as_deref())
        },
    );
    let st = Arc::clone(state);
    env.add_function(
        "get_fact_strips",
        move |kwargs: Kwargs| -> Result<Value, Error> {
            let path: String = kwargs.get("path")?;
            kwargs.assert_all_used()?;
            let rel = path.trim_start_matches("@/");
            let id = st
                .site
                .by_rel(rel)
                .ok_or_else(|| fail(format!("get_fact_strips: no page at `{path}`")))?;
            Ok(strips(&st.site, id))
        },
    );
}

fn ratings_field<'a>(site: &'a Site, name: &str) -> Result<&'a FactField, Error> {
    match site.config.facts.fields.get(name) {
        Some(f) if f.kind == crate::config::FactKind::Ratings => Ok(f),
        _ => Err(fail(format!(
            "get_fact_matrix: `{name}` is not a `ratings` field of [facts.fields] in config.toml"
        ))),
    }
}

/// The pages of the section in folder `dir`, in the section's order.
fn section_pages(site: &Site, dir: &str) -> Option<Vec<DocId>> {
    let s = site
        .sections
        .iter()
        .find(|s| s.dir == dir && s.doc.lang.is_none())?;
    Some(s.pages.iter().map(|&p| DocId::Page(p)).collect())
}

fn set_of<'a>(site: &'a Site, id: DocId, field: &str) -> Option<&'a RatingSet> {
    site.graph.ratings[site.slot(id)]
        .iter()
        .find(|s| s.field == field)
}

/// The rows of a field: (key, label, the row's page when rows are pages).
fn rows(site: &Site, field: &FactField) -> Vec<(String, String, Option<DocId>)> {
    match &field.rows_section {
        Some(dir) => section_pages(site, dir)
            .unwrap_or_default()
            .into_iter()
            .map(|id| {
                let name = site
                    .doc(id)
                    .file
                    .rel
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(".md")
                    .to_string();
                (name, site.title_of(id).to_string(), Some(id))
            })
            .collect(),
        None => field
            .rows
            .iter()
            .map(|(k, l)| (k.clone(), l.clone(), None))
            .collect(),
    }
}

fn cell(site: &Site, from: DocId, field: &FactField, r: &Rating) -> Value {
    let steps = field.values.len().saturating_sub(1).max(1);
    let shade = (r.rank * 4 + steps / 2) / steps;
    let see = r
        .see
        .as_deref()
        .and_then(|s| crate::graph::ratings::resolve_see(site, from, s).ok())
        .map_or_else(
            || site.permalink_of(from),
            |(id, a)| {
                let base = site.permalink_of(id);
                a.map_or(base.clone(), |a| format!("{base}#{a}"))
            },
        );
    let bib = site.graph.bibliography_page.map(|b| site.permalink_of(b));
    let cite: Vec<Value> = r
        .cite
        .iter()
        .filter_map(|k| {
            let w = &site.bibliography.works[*site.bibliography.by_key.get(k)?];
            let href = bib
                .as_ref()
                .map(|b| format!("{b}#ref-{k}"))
                .or_else(|| w.href());
            Some(context! { key => k, label => w.short_label(), href => href })
        })
        .collect();
    context! {
        rule => &r.rule, rank => r.rank, shade => shade, note => &r.note,
        cite => cite, see => see, key => &r.key,
        page => context! { title => site.title_of(from), permalink => site.permalink_of(from), path => site.path_of(from) },
    }
}

/// `get_fact_matrix(field, section)`.
fn matrix(site: &Site, name: &str, section: Option<&str>) -> Result<Value, Error> {
    let field = ratings_field(site, name)?;
    let candidates = match section {
        Some(dir) => section_pages(site, dir.trim_matches('/'))
            .ok_or_else(|| fail(format!("get_fact_matrix: no section `{dir}`")))?,
        None => site.doc_ids().collect(),
    };
    let rows = rows(site, field);
    let mut pages = Vec::new();
    let mut grid: Vec<Vec<Value>> = Vec::new();
    for id in candidates {
        let Some(set) = set_of(site, id, name) else {
            continue;
        };
        grid.push(
            rows.iter()
                .map(|(key, _, _)| {
                    set.ratings
                        .iter()
                        .find(|r| &r.key == key)
                        .map_or(Value::from(()), |r| cell(site, id, field, r))
                })
                .collect(),
        );
        pages.push(context! {
            label => site.title_of(id), permalink => site.permalink_of(id), path => site.path_of(id),
        });
    }
    let row_heads: Vec<Value> = rows
        .iter()
        .map(|(key, label, page)| {
            context! { key => key, label => label, permalink => page.map(|p| site.permalink_of(p)) }
        })
        .collect();
    // One table each way round: rows are the field's rows (`by_keys`) or the pages.
    let by_pages: Vec<Value> = pages
        .iter()
        .zip(&grid)
        .map(|(p, cells)| context! { head => p, cells => cells })
        .collect();
    let by_keys: Vec<Value> = row_heads
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells: Vec<Value> = grid.iter().map(|g| g[i].clone()).collect();
            context! { head => r, cells => cells }
        })
        .collect();
    Ok(context! {
        field => name, label => &field.label, values => &field.values,
        rows => row_heads.clone(), pages => pages.clone(),
        by_keys => context! { head => pages, body => by_keys },
        by_pages => context! { head => row_heads, body => by_pages },
    })
}

/// What every strip of a field says: its labels and the matrix page.
fn strip_head(site: &Site, name: &str, field: &FactField) -> Value {
    let map = field
        .page
        .as_deref()
        .and_then(|p| site.by_rel(p.trim_start_matches("@/")));
    context! {
        field => name,
        label => &field.label,
        reverse_label => field.reverse_label.as_ref().unwrap_or(&field.label),
        map => map.map(|id| format!("@/{}", site.doc(id).file.rel)),
        map_title => map.map(|id| site.title_of(id)),
    }
}

/// `get_fact_strips(path)`: for each `ratings` field whose rows are pages,
/// the rows this page rates, or the pages that rate this page.
fn strips(site: &Site, id: DocId) -> Value {
    let mut out = Vec::new();
    for (name, field) in crate::knowledge::ratings::fields(&site.config.facts) {
        if field.rows_section.is_none() {
            continue;
        }
        let rows = rows(site, field);
        if let Some(set) = set_of(site, id, name) {
            let items: Vec<Value> = rows
                .iter()
                .filter_map(|(key, title, row)| {
                    let r = set.ratings.iter().find(|r| &r.key == key)?;
                    let row =
                        row.map(|p| context! { title => title, permalink => site.permalink_of(p) });
                    Some(context! { row => row, cell => cell(site, id, field, r) })
                })
                .collect();
            out.push(
                context! { direction => "rates", items => items, ..strip_head(site, name, field) },
            );
        }
        let Some(key) = rows
            .iter()
            .find(|(_, _, p)| *p == Some(id))
            .map(|r| r.0.clone())
        else {
            continue;
        };
        let raters: Vec<DocId> = site
            .doc_ids()
            .filter(|&d| {
                set_of(site, d, name).is_some_and(|s| s.ratings.iter().any(|r| r.key == key))
            })
            .collect();
        let items: Vec<Value> = raters
            .into_iter()
            .filter_map(|d| {
                let r = set_of(site, d, name)?
                    .ratings
                    .iter()
                    .find(|r| r.key == key)?;
                let row = context! { title => site.title_of(d), permalink => site.permalink_of(d) };
                Some(context! { row => row, cell => cell(site, d, field, r) })
            })
            .collect();
        if !items.is_empty() {
            out.push(context! { direction => "rated_by", items => items, ..strip_head(site, name, field) });
        }
    }
    Value::from(out)
}
