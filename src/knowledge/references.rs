//! `data/references.toml` -> [`Bibliography`]: the works pages cite with
//! `[Author Year](ref:key)`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::toml_pos;

/// A year, or `"n.d."` for an undated work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Year {
    Number(i64),
    Text(String),
}

/// One work.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Work {
    pub key: String,
    #[serde(rename = "type", default = "default_type")]
    pub kind: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub year: Option<Year>,
    pub title: String,
    #[serde(default)]
    pub container: Option<String>,
    #[serde(default)]
    pub volume: Option<String>,
    #[serde(default)]
    pub issue: Option<String>,
    #[serde(default)]
    pub pages: Option<String>,
    #[serde(default)]
    pub doi: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// Where a copy is held, for works with neither DOI nor URL.
    #[serde(default)]
    pub archived: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub accessed: Option<crate::content::date::SiteDate>,
    /// The short label pages cite it by (`Kalichman 2010`), for tables
    /// generated from facts; made from the authors and year when absent.
    #[serde(default)]
    pub label: Option<String>,
}

fn default_type() -> String {
    "article".into()
}

impl Work {
    /// `Seffrin CB, Cattano NM, et al. (2019). Title. Journal 54(7):808–821.`
    pub fn citation_text(&self) -> String {
        let mut s = String::new();
        let title_first = self.authors.is_empty();
        if title_first {
            s.push_str(self.title.trim_end_matches('.'));
            s.push(' ');
        }
        if !self.authors.is_empty() {
            if self.authors.len() > 3 {
                let _ = write!(
                    s,
                    "{}, {}, {}, et al.",
                    self.authors[0], self.authors[1], self.authors[2]
                );
            } else {
                s.push_str(&self.authors.join(", "));
            }
            s.push(' ');
        }
        match &self.year {
            Some(Year::Number(y)) => {
                let _ = write!(s, "({y}). ");
            }
            Some(Year::Text(t)) => {
                let _ = write!(s, "({t}). ");
            }
            None => s.push_str("(n.d.). "),
        }
        if !title_first {
            s.push_str(self.title.trim_end_matches('.'));
            s.push('.');
        } else if s.ends_with(". ") {
            s.pop();
        }
        if let Some(c) = &self.container {
            s.push(' ');
            s.push_str(c);
            if let Some(v) = &self.volume {
                let _ = write!(s, " {v}");
            }
            if let Some(i) = &self.issue {
                let _ = write!(s, "({i})");
            }
            if let Some(p) = &self.pages {
                let _ = write!(s, ":{p}");
            }
            s.push('.');
        }
        s
    }

    /// A short label for a table cell: `Kalichman 2010`, or for an undated
    /// work by an organisation `NHS: Acupuncture`.
    pub fn short_label(&self) -> String {
        if let Some(l) = &self.label {
            return l.clone();
        }
        let name = self.authors.first().map(|a| {
            if let Some((_, abbr)) = a.split_once('(') {
                return abbr.trim_end_matches(')').to_string();
            }
            let parts: Vec<&str> = a.split_whitespace().collect();
            match parts.as_slice() {
                [rest @ .., initials]
                    if !rest.is_empty()
                        && initials.len() <= 3
                        && initials.chars().all(|c| c.is_ascii_uppercase()) =>
                {
                    rest.join(" ")
                }
                _ => a.clone(),
            }
        });
        match (name, &self.year) {
            (Some(n), Some(Year::Number(y))) => format!("{n} {y}"),
            (Some(n), _) => format!("{n}: {}", self.title),
            (None, Some(Year::Number(y))) => format!("{} {y}", self.title),
            (None, _) => self.title.clone(),
        }
    }

    /// The link a reader can follow: the DOI, else the URL.
    pub fn href(&self) -> Option<String> {
        self.doi
            .as_ref()
            .map(|d| {
                format!(
                    "https://doi.org/{}",
                    d.trim_start_matches("https://doi.org/")
                )
            })
            .or_else(|| self.url.clone())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferencesFile {
    #[serde(default)]
    works: Vec<Work>,
}

/// Every work, in file order, by key.
#[derive(Debug, Clone, Default)]
pub struct Bibliography {
    pub works: Vec<Work>,
    pub by_key: HashMap<String, usize>,
    /// Line of each work's `key = …` in the file, for diagnostics.
    pub lines: Vec<usize>,
}

impl Bibliography {
    pub fn parse(src: &str, file: &Path) -> Result<Self, Vec<Diagnostic>> {
        let parsed: ReferencesFile =
            toml::from_str(src).map_err(|e| vec![toml_pos::toml_error(file, src, src, 0, &e)])?;
        let mut by_key = HashMap::new();
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        for (i, w) in parsed.works.iter().enumerate() {
            let off = src.find(&format!("key = \"{}\"", w.key)).unwrap_or(0);
            lines.push(crate::diagnostics::line_col(src, off).0);
            if by_key.insert(w.key.clone(), i).is_some() {
                errors.push(
                    Diagnostic::error(
                        "duplicate-reference",
                        format!("reference key `{}` is used twice", w.key),
                    )
                    .at_offset(
                        file,
                        src,
                        src.rfind(&format!("key = \"{}\"", w.key)).unwrap_or(0),
                    ),
                );
            }
        }
        if errors.is_empty() {
            Ok(Self {
                works: parsed.works,
                by_key,
                lines,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_citation() {
        let b = Bibliography::parse(
            "[[works]]\nkey = \"a2019\"\nauthors = [\"A X\", \"B Y\"]\nyear = 2019\ntitle = \"On things\"\ncontainer = \"J Things\"\nvolume = \"5\"\nissue = \"2\"\npages = \"1-9\"\ndoi = \"10.1/x\"\n",
            Path::new("r.toml"),
        )
        .unwrap();
        let w = &b.works[0];
        assert_eq!(
            w.citation_text(),
            "A X, B Y (2019). On things. J Things 5(2):1-9."
        );
        assert_eq!(w.href().unwrap(), "https://doi.org/10.1/x");
        let anon = Bibliography::parse(
            "[[works]]\nkey = \"x\"\nyear = 2021\ntitle = \"A web page.\"\ncontainer = \"Site\"\naccessed = 2026-11-01\n",
            Path::new("r.toml"),
        )
        .unwrap();
        assert_eq!(anon.works[0].citation_text(), "A web page (2021). Site.");
        assert_eq!(anon.works[0].accessed.unwrap().to_string(), "2026-11-01");
    }
}
