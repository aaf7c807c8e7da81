//! `ratings` facts: a page rates each row of a field (a contraindication
//! kind, a condition page) with one of the field's `values`, a note, the
//! works that support it and a link to the section that explains it. Many
//! pages' ratings make a matrix ([`matrix`]): the contraindications table,
//! the evidence map.
//!
//! ```toml
//! [facts.contraindications_by_kind.dvt]
//! rule = "contraindicated"
//! note = "Avoid the limb"
//! cite = ["vte2010"]
//! see = "@/safety/massage-and-blood-clots.md#what-to-do"
//! ```

use std::path::Path;

use serde::Serialize;

use crate::config::{FactField, FactKind, FactsSchema};
use crate::diagnostics::{Diagnostic, closest};
use crate::toml_pos;

/// The keys a rating may have.
const ENTRY_KEYS: &[&str] = &["rule", "note", "cite", "see"];

/// One row rated by one page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rating {
    /// The row: a key of the field's `rows`, or a page's file name (without
    /// `.md`) in `rows_section`.
    pub key: String,
    /// One of the field's `values`.
    pub rule: String,
    /// Its position in `values`.
    pub rank: usize,
    /// What the page says (defaults to the rule).
    pub note: String,
    /// Works supporting it (bibliography keys).
    pub cite: Vec<String>,
    /// `@/page.md#anchor` or `#anchor` (on the rating page).
    pub see: Option<String>,
}

/// Every rating of one `ratings` field on one page, in row order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RatingSet {
    pub field: String,
    pub ratings: Vec<Rating>,
}

/// Where errors go: the page's file and front matter.
pub struct Source<'a> {
    pub file: &'a Path,
    pub full: &'a str,
    pub front: &'a str,
    pub line_offset: usize,
}

impl Source<'_> {
    fn at(&self, d: Diagnostic, path: &[&str]) -> Diagnostic {
        toml_pos::at_key(d, self.file, self.full, self.front, self.line_offset, path)
    }
}

/// Check the value of the `ratings` field `name`.
pub fn validate(
    name: &str,
    field: &FactField,
    value: &toml::Value,
    src: &Source<'_>,
) -> Result<RatingSet, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Some(table) = value.as_table() else {
        return Err(vec![
            src.at(
                Diagnostic::error(
                    "invalid-fact",
                    format!(
                        "facts field `{name}` must be a table of ratings, found {}",
                        value.type_str()
                    ),
                )
                .with_help(format!(
                    "write [facts.{name}.ROW] with rule = \"{}\"",
                    field.values.first().map_or("", String::as_str)
                )),
                &["facts", name],
            ),
        ]);
    };
    let mut ratings = Vec::new();
    for (key, entry) in table {
        if field.rows_section.is_none() && !field.rows.contains_key(key) {
            let hint = closest(key, field.rows.keys().map(String::as_str));
            errors.push(
                src.at(
                    Diagnostic::error(
                        "invalid-fact",
                        format!("`{key}` is not a row of facts field `{name}`"),
                    )
                    .with_help(format!(
                        "{}rows: {} (declared under [facts.fields.{name}.rows] in config.toml)",
                        hint.map(|h| format!("did you mean `{h}`? "))
                            .unwrap_or_default(),
                        field.rows.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                    &["facts", name, key],
                ),
            );
            continue;
        }
        match entry_of(name, key, field, entry, src) {
            Ok(r) => ratings.push(r),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if field.rows_section.is_none() {
        ratings.sort_by_key(|r| field.rows.get_index_of(&r.key));
    }
    Ok(RatingSet {
        field: name.to_string(),
        ratings,
    })
}

fn entry_of(
    name: &str,
    key: &str,
    field: &FactField,
    entry: &toml::Value,
    src: &Source<'_>,
) -> Result<Rating, Vec<Diagnostic>> {
    let path = ["facts", name, key];
    let bad = |what: String, help: &str, at: &[&str]| {
        src.at(
            Diagnostic::error("invalid-fact", what).with_help(help.to_string()),
            at,
        )
    };
    let Some(t) = entry.as_table() else {
        return Err(vec![bad(
            format!(
                "rating `{name}.{key}` must be a table, found {}",
                entry.type_str()
            ),
            "write [facts.NAME.ROW] with rule = \"...\", note, cite and see",
            &path,
        )]);
    };
    let mut errors = Vec::new();
    for k in t.keys() {
        if !ENTRY_KEYS.contains(&k.as_str()) {
            let hint = closest(k, ENTRY_KEYS.iter().copied());
            errors.push(bad(
                format!("unknown key `{k}` in rating `{name}.{key}`"),
                &format!(
                    "{}a rating has: rule, note, cite, see",
                    hint.map(|h| format!("did you mean `{h}`? "))
                        .unwrap_or_default()
                ),
                &["facts", name, key, k],
            ));
        }
    }
    let string = |k: &str| t.get(k).and_then(toml::Value::as_str).map(str::to_string);
    for k in ["rule", "note", "see"] {
        if t.get(k).is_some_and(|v| !v.is_str()) {
            errors.push(bad(
                format!("`{k}` of rating `{name}.{key}` must be a string"),
                "quote it",
                &["facts", name, key, k],
            ));
        }
    }
    let rule = string("rule");
    let rank = match &rule {
        None => {
            errors.push(bad(
                format!("rating `{name}.{key}` has no `rule`"),
                &format!("allowed: {}", field.values.join(", ")),
                &path,
            ));
            None
        }
        Some(r) => {
            let rank = field.values.iter().position(|v| v == r);
            if rank.is_none() {
                let hint = closest(r, field.values.iter().map(String::as_str));
                errors.push(bad(
                    format!("`{r}` is not an allowed rule of facts field `{name}`"),
                    &format!(
                        "{}allowed: {}",
                        hint.map(|h| format!("did you mean `{h}`? "))
                            .unwrap_or_default(),
                        field.values.join(", ")
                    ),
                    &["facts", name, key, "rule"],
                ));
            }
            rank
        }
    };
    let cite = match t.get("cite") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) if a.iter().all(toml::Value::is_str) => a
            .iter()
            .filter_map(toml::Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(_) => {
            errors.push(bad(
                format!("`cite` of rating `{name}.{key}` must be a list of bibliography keys"),
                "cite = [\"smith2020\"]",
                &["facts", name, key, "cite"],
            ));
            Vec::new()
        }
    };
    match (rule, rank) {
        (Some(rule), Some(rank)) if errors.is_empty() => Ok(Rating {
            key: key.to_string(),
            note: string("note").unwrap_or_else(|| rule.clone()),
            rule,
            rank,
            cite,
            see: string("see"),
        }),
        _ => Err(errors),
    }
}

/// A matrix cell: the rating a page gives a row.
#[derive(Debug, Clone, Serialize)]
pub struct Cell<'a> {
    pub page: usize,
    pub row: usize,
    pub rating: &'a Rating,
}

/// The fields of `schema` that are `ratings`.
pub fn fields(schema: &FactsSchema) -> impl Iterator<Item = (&String, &FactField)> {
    schema
        .fields
        .iter()
        .filter(|(_, f)| f.kind == FactKind::Ratings)
}

/// The ratings of `field` across `pages` (each page's rating sets), as cells
/// indexed by page and by the row's position in `rows`.
pub fn matrix<'a>(field: &str, rows: &[String], pages: &[&'a [RatingSet]]) -> Vec<Cell<'a>> {
    let mut cells = Vec::new();
    for (p, sets) in pages.iter().enumerate() {
        for set in sets.iter().filter(|s| s.field == field) {
            for rating in &set.ratings {
                if let Some(row) = rows.iter().position(|r| r == &rating.key) {
                    cells.push(Cell {
                        page: p,
                        row,
                        rating,
                    });
                }
            }
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field() -> FactField {
        let mut rows = indexmap::IndexMap::new();
        rows.insert("dvt".to_string(), "Known DVT".to_string());
        rows.insert("pregnancy".to_string(), "Pregnancy".to_string());
        FactField {
            label: "Contraindications".into(),
            kind: FactKind::Ratings,
            values: vec!["contraindicated".into(), "precaution".into()],
            help: None,
            rows,
            rows_section: None,
            reverse_label: None,
            page: None,
        }
    }

    fn run(front: &str) -> Result<RatingSet, Vec<Diagnostic>> {
        let full = format!("+++\n{front}+++\n");
        let fm: toml::Table = toml::from_str(front).unwrap();
        let v = fm["facts"]["ci"].clone();
        let src = Source {
            file: Path::new("p.md"),
            full: &full,
            front,
            line_offset: 1,
        };
        validate("ci", &field(), &v, &src)
    }

    #[test]
    fn ratings_in_row_order_with_defaults() {
        let set = run(
            "[facts.ci.pregnancy]\nrule = \"precaution\"\n[facts.ci.dvt]\nrule = \"contraindicated\"\nnote = \"Avoid the limb\"\ncite = [\"a2020\"]\n",
        )
        .unwrap();
        let keys: Vec<_> = set.ratings.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["dvt", "pregnancy"]);
        assert_eq!(set.ratings[0].note, "Avoid the limb");
        assert_eq!(set.ratings[1].note, "precaution");
        assert_eq!(set.ratings[1].rank, 1);
    }

    #[test]
    fn errors_name_the_line_and_the_allowed_values() {
        let errs = run(
            "[facts.ci.dvtt]\nrule = \"precaution\"\n[facts.ci.pregnancy]\nrule = \"avoid\"\ncites = []\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:#?}");
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].help.as_deref().unwrap().contains("`dvt`"));
        assert_eq!(errs[1].line, 6);
        assert!(errs[1].help.as_deref().unwrap().contains("`cite`"));
        assert_eq!(errs[2].line, 5);
        assert!(
            errs[2]
                .help
                .as_deref()
                .unwrap()
                .contains("contraindicated, precaution")
        );
    }
}
