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
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryFile {
    #[serde(default)]
    terms: Vec<Term>,
}

/// All terms, sorted by name, with their ids.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    pub terms: Vec<Term>,
    pub by_id: HashMap<String, usize>,
}

impl Glossary {
    /// Parse `glossary.toml` text. Duplicate names and aliases are errors.
    pub fn parse(src: &str, file: &Path) -> Result<Self, Vec<Diagnostic>> {
        let parsed: GlossaryFile =
            toml::from_str(src).map_err(|e| vec![toml_pos::toml_error(file, src, src, 0, &e)])?;
        let mut terms = parsed.terms;
        terms.sort_by_key(|t| t.term.to_lowercase());
        let mut errors = Vec::new();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, t) in terms.iter_mut().enumerate() {
            t.id = slugify(&t.term);
            by_id.insert(t.id.clone(), i);
            for name in std::iter::once(&t.term).chain(&t.aliases) {
                let key = name.trim().to_lowercase();
                if let Some(other) = names.insert(key, t.term.clone())
                    && other != t.term
                {
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
            Ok(Self { terms, by_id })
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
