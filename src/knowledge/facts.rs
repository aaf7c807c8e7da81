//! Structured facts: a page's `[facts]` checked against the schema in
//! config, and comparison tables built from several pages' facts.

use std::path::Path;

use serde::Serialize;

use crate::config::{FactKind, FactsSchema};
use crate::diagnostics::{Diagnostic, closest, line_col};
use crate::knowledge::ratings::{self, RatingSet};
use crate::toml_pos;

/// One fact of a page, in schema order, ready for an infobox.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fact {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FactKind,
    /// Text for text/enum/url/bool (`Yes`/`No`); items joined by `; ` for lists.
    pub text: String,
    /// List items (one item for other kinds).
    pub items: Vec<String>,
    /// Position in the enum's order (for enum fields).
    pub rank: Option<usize>,
}

/// Check `facts` (the front matter table) against `schema`.
/// `front` is the front matter text, `line_offset` the lines before it.
/// `ratings` fields come back apart: they are matrices, not infobox rows.
pub fn validate(
    facts: &toml::Table,
    schema: &FactsSchema,
    file: &Path,
    full: &str,
    front: &str,
    line_offset: usize,
) -> Result<(Vec<Fact>, Vec<RatingSet>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut sets = Vec::new();
    let locate = |d: Diagnostic, key: &str| {
        toml_pos::at_key(d, file, full, front, line_offset, &["facts", key])
    };
    for key in facts.keys() {
        if !schema.fields.contains_key(key) {
            let hint = closest(key, schema.fields.keys().map(String::as_str));
            errors.push(locate(
                Diagnostic::error("unknown-fact", format!("unknown facts field `{key}`")).with_help(match hint {
                    Some(h) => format!("did you mean `{h}`? Fields are declared under [facts.fields] in config.toml"),
                    None => "declare it under [facts.fields] in config.toml".into(),
                }),
                key,
            ));
        }
    }
    let mut out = Vec::new();
    for (key, field) in &schema.fields {
        let Some(value) = facts.get(key) else {
            continue;
        };
        let bad = |expected: &str| {
            locate(
                Diagnostic::error(
                    "invalid-fact",
                    format!(
                        "facts field `{key}` must be {expected}, found {}",
                        value.type_str()
                    ),
                ),
                key,
            )
        };
        if field.kind == FactKind::Ratings {
            let src = ratings::Source {
                file,
                full,
                front,
                line_offset,
            };
            match ratings::validate(key, field, value, &src) {
                Ok(set) => sets.push(set),
                Err(e) => errors.extend(e),
            }
            continue;
        }
        let (text, items, rank) = match (field.kind, value) {
            (FactKind::Text, toml::Value::String(s)) => (s.clone(), vec![s.clone()], None),
            (FactKind::Url, toml::Value::String(s)) => {
                if !(s.starts_with("https://") || s.starts_with("http://") || s.starts_with('/')) {
                    errors.push(locate(
                        Diagnostic::error(
                            "invalid-fact",
                            format!("facts field `{key}` must be a URL, found `{s}`"),
                        )
                        .with_help("write a full address starting with https://"),
                        key,
                    ));
                    continue;
                }
                (s.clone(), vec![s.clone()], None)
            }
            (FactKind::Bool, toml::Value::Boolean(b)) => {
                let t = if *b { "Yes" } else { "No" }.to_string();
                (t.clone(), vec![t], None)
            }
            (FactKind::List, toml::Value::Array(a)) => {
                let mut items = Vec::new();
                for v in a {
                    if let toml::Value::String(s) = v {
                        items.push(s.clone());
                    } else {
                        errors.push(bad("a list of strings"));
                        break;
                    }
                }
                (items.join("; "), items, None)
            }
            (FactKind::Enum, toml::Value::String(s)) => {
                let Some(r) = field.values.iter().position(|v| v == s) else {
                    let hint = closest(s, field.values.iter().map(String::as_str));
                    let mut d = locate(
                        Diagnostic::error(
                            "invalid-fact",
                            format!("`{s}` is not an allowed value of facts field `{key}`"),
                        ),
                        key,
                    );
                    d.help = Some(format!(
                        "{}allowed: {}",
                        hint.map(|h| format!("did you mean `{h}`? "))
                            .unwrap_or_default(),
                        field.values.join(", ")
                    ));
                    errors.push(d);
                    continue;
                };
                (s.clone(), vec![s.clone()], Some(r))
            }
            (FactKind::Text | FactKind::Url | FactKind::Enum, _) => {
                errors.push(bad("a string"));
                continue;
            }
            (FactKind::Bool, _) => {
                errors.push(bad("true or false"));
                continue;
            }
            (FactKind::List, _) => {
                errors.push(bad("a list of strings"));
                continue;
            }
            (FactKind::Ratings, _) => continue,
        };
        out.push(Fact {
            key: key.clone(),
            label: field.label.clone(),
            kind: field.kind,
            text,
            items,
            rank,
        });
    }
    if errors.is_empty() {
        Ok((out, sets))
    } else {
        Err(errors)
    }
}

/// A comparison column: one compared page.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonColumn {
    pub title: String,
    pub permalink: String,
    pub path: String,
}

/// A comparison row: one facts field across the compared pages.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    pub key: String,
    pub label: String,
    /// One cell per column; `None` when the page does not state it.
    pub cells: Vec<Option<Fact>>,
    /// True when the stated values are not all the same.
    pub differs: bool,
}

/// A side-by-side table of facts.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub columns: Vec<ComparisonColumn>,
    pub rows: Vec<ComparisonRow>,
}

/// Build the table: rows in schema order, a row only when some page states it.
pub fn compare(
    schema: &FactsSchema,
    columns: Vec<ComparisonColumn>,
    facts: &[&[Fact]],
) -> Comparison {
    let mut rows = Vec::new();
    for (key, field) in &schema.fields {
        let cells: Vec<Option<Fact>> = facts
            .iter()
            .map(|fs| fs.iter().find(|f| &f.key == key).cloned())
            .collect();
        if cells.iter().all(Option::is_none) {
            continue;
        }
        let first = cells[0].as_ref().map(|f| &f.items);
        let differs = cells.iter().any(|c| c.as_ref().map(|f| &f.items) != first);
        rows.push(ComparisonRow {
            key: key.clone(),
            label: field.label.clone(),
            cells,
            differs,
        });
    }
    Comparison { columns, rows }
}

/// Line and column of the `index`-th entry of `compare` in the front matter.
pub fn compare_entry_position(front: &str, index: usize) -> Option<(usize, usize)> {
    toml_pos::array_item_offset(front, &["compare"], index).map(|o| line_col(front, o))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FactField;

    fn schema() -> FactsSchema {
        let mut s = FactsSchema::default();
        let f = |label: &str, kind, values: &[&str]| FactField {
            label: label.into(),
            kind,
            values: values.iter().map(|v| (*v).to_string()).collect(),
            help: None,
            rows: indexmap::IndexMap::new(),
            rows_section: None,
            reverse_label: None,
            page: None,
        };
        s.fields
            .insert("tool".into(), f("Tool", FactKind::Text, &[]));
        s.fields
            .insert("invasive".into(), f("Invasive", FactKind::Bool, &[]));
        s.fields
            .insert("uses".into(), f("Uses", FactKind::List, &[]));
        s.fields.insert(
            "level".into(),
            f("Level", FactKind::Enum, &["low", "moderate"]),
        );
        s
    }

    fn run(front: &str) -> Result<Vec<Fact>, Vec<Diagnostic>> {
        run_all(front).map(|(facts, _)| facts)
    }

    fn run_all(front: &str) -> Result<(Vec<Fact>, Vec<RatingSet>), Vec<Diagnostic>> {
        let full = format!("+++\n{front}+++\n");
        let fm: toml::Table = toml::from_str(front).unwrap();
        let facts = fm
            .get("facts")
            .and_then(|v| v.as_table())
            .cloned()
            .unwrap_or_default();
        validate(&facts, &schema(), Path::new("p.md"), &full, front, 1)
    }

    #[test]
    fn valid_facts_in_schema_order() {
        let facts = run(
            "[facts]\nlevel = \"low\"\ntool = \"steel\"\nuses = [\"a\", \"b\"]\ninvasive = false\n",
        )
        .unwrap();
        let keys: Vec<_> = facts.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["tool", "invasive", "uses", "level"]);
        assert_eq!(facts[1].text, "No");
        assert_eq!(facts[3].rank, Some(0));
    }

    #[test]
    fn errors_are_located_with_suggestions() {
        let errs =
            run("title = \"x\"\n[facts]\ntol = \"steel\"\ninvasive = \"no\"\nlevel = \"hgh\"\n")
                .unwrap_err();
        assert_eq!(errs.len(), 3);
        assert_eq!(errs[0].line, 4);
        assert!(errs[0].help.as_deref().unwrap().contains("`tool`"));
        assert_eq!(errs[1].line, 5);
        assert!(errs[1].message.contains("true or false"));
        assert_eq!(errs[2].line, 6);
        assert!(
            errs[2]
                .help
                .as_deref()
                .unwrap()
                .contains("allowed: low, moderate")
        );
    }

    #[test]
    fn comparison_flags_differences() {
        let a = run("[facts]\ntool = \"steel\"\ninvasive = false\n").unwrap();
        let b = run("[facts]\ntool = \"plastic\"\ninvasive = false\n").unwrap();
        let col = |t: &str| ComparisonColumn {
            title: t.into(),
            permalink: String::new(),
            path: String::new(),
        };
        let c = compare(&schema(), vec![col("A"), col("B")], &[&a, &b]);
        assert_eq!(c.rows.len(), 2);
        assert!(c.rows[0].differs);
        assert!(!c.rows[1].differs);
    }
}
