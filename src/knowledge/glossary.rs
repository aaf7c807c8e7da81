//! `data/glossary.toml` -> [`Glossary`]: terms, aliases, short definitions.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::markdown::glossary_linker::{GlossaryMatcher, MatcherTerm};
use crate::markdown::slugify;
use crate::toml_pos;

/// One glossary entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub term: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub definition: String,
    /// `@/…` path of the page that covers the term.
    #[serde(default)]
    pub page: Option<String>,
    /// Anchor id on the glossary page (derived from `term`).
    #[serde(default, skip_deserializing)]
    pub id: String,
    /// Byte offset of the `page` value in `data/glossary.toml`.
    #[serde(skip)]
    pub page_at: Option<usize>,
}

/// Where each entry's `term` and `page` values are in the file.
#[derive(Deserialize)]
struct SpanFile {
    #[serde(default)]
    terms: Vec<SpanTerm>,
}

#[derive(Deserialize)]
struct SpanTerm {
    term: toml::Spanned<String>,
    #[serde(default)]
    page: Option<toml::Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryFile {
    #[serde(default)]
    terms: Vec<Term>,
}

/// The key a term sorts and is grouped by: lower case without accents.
pub fn sort_key(term: &str) -> String {
    let slug = slug::slugify(term);
    if slug.is_empty() {
        term.to_lowercase()
    } else {
        slug
    }
}

/// All terms, sorted by name, with their ids.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    pub terms: Vec<Term>,
    pub by_id: HashMap<String, usize>,
    /// The text of `data/glossary.toml`, for locating errors found later.
    pub source: String,
}

impl Glossary {
    /// Parse `glossary.toml` text. Duplicate names and aliases are errors.
    pub fn parse(src: &str, file: &Path) -> Result<Self, Vec<Diagnostic>> {
        let parsed: GlossaryFile =
            toml::from_str(src).map_err(|e| vec![toml_pos::toml_error(file, src, src, 0, &e)])?;
        let mut terms = parsed.terms;
        let spans: SpanFile = toml::from_str(src).unwrap_or(SpanFile { terms: Vec::new() });
        let mut errors = Vec::new();
        for (t, span) in terms.iter_mut().zip(&spans.terms) {
            t.page_at = span.page.as_ref().map(|p| p.span().start);
            if t.term.trim().is_empty() {
                errors.push(
                    Diagnostic::error(
                        "empty-glossary-term",
                        "a glossary entry has an empty `term`",
                    )
                    .at_offset(file, src, span.term.span().start)
                    .with_help("give the entry its name, or remove it"),
                );
            }
        }
        // By the name without accents (`Élongation` among the E's), then as written.
        terms.sort_by_key(|t| (sort_key(&t.term), t.term.to_lowercase()));
        // name -> (entry index, term) of the entry that has it.
        let mut names: HashMap<String, (usize, String)> = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, t) in terms.iter_mut().enumerate() {
            t.id = slugify(&t.term);
            by_id.insert(t.id.clone(), i);
            let mut own = std::collections::HashSet::new();
            for name in std::iter::once(&t.term).chain(&t.aliases) {
                let key = name.trim().to_lowercase();
                if !own.insert(key.clone()) {
                    continue; // an entry may repeat its own name
                }
                if let Some((_, other)) = names.insert(key, (i, t.term.clone())) {
                    let quoted = format!("\"{name}\"");
                    let off = src
                        .match_indices(&quoted)
                        .map(|(o, _)| o)
                        .find(|&o| {
                            let line_start = src[..o].rfind('\n').map_or(0, |l| l + 1);
                            let line = &src[line_start..o];
                            line.contains("aliases") || line.contains("term")
                        })
                        .unwrap_or(0);
                    errors.push(
                        Diagnostic::error(
                            "duplicate-glossary-name",
                            format!(
                                "glossary name `{name}` is used by both `{other}` and `{}`",
                                t.term
                            ),
                        )
                        .at_offset(file, src, off)
                        .with_help("each term and alias must name one entry only"),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(Self {
                terms,
                by_id,
                source: src.to_string(),
            })
        } else {
            Err(errors)
        }
    }

    /// A matcher for linking first mentions in page bodies.
    pub fn matcher(&self) -> GlossaryMatcher {
        let terms = self
            .terms
            .iter()
            .map(|t| MatcherTerm {
                id: t.id.clone(),
                definition: t.definition.clone(),
                page: t.page.clone(),
            })
            .collect();
        let names: Vec<Vec<String>> = self
            .terms
            .iter()
            .map(|t| {
                std::iter::once(t.term.clone())
                    .chain(t.aliases.clone())
                    .collect()
            })
            .collect();
        GlossaryMatcher::new(terms, &names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sorts_and_rejects_duplicates() {
        let g = Glossary::parse(
            "[[terms]]\nterm = \"Zeta\"\ndefinition = \"z\"\n[[terms]]\nterm = \"Alpha beta\"\naliases = [\"AB\"]\ndefinition = \"a\"\n",
            Path::new("g.toml"),
        )
        .unwrap();
        assert_eq!(g.terms[0].id, "alpha-beta");
        let errs = Glossary::parse(
            "[[terms]]\nterm = \"A\"\ndefinition = \"a\"\n[[terms]]\nterm = \"B\"\naliases = [\"a\"]\ndefinition = \"b\"\n",
            Path::new("g.toml"),
        )
        .unwrap_err();
        assert_eq!(errs[0].line, 6);
    }
}
