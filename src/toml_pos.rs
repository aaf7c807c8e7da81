//! Positions inside TOML text: where a key is, and TOML errors as diagnostics.
//!
//! Typed deserialisation loses positions once values are checked, so when a
//! check fails we parse the text again with spans (errors are rare; this keeps
//! the common path to one parse).

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, line_col};

/// Byte offset of the key at `path` (e.g. `["facts", "tool"]`) in `src`.
pub fn key_offset(src: &str, path: &[&str]) -> Option<usize> {
    let root = DeTable::parse(src).ok()?;
    let mut table = root.get_ref();
    for (i, part) in path.iter().enumerate() {
        let (key, value) = table.get_key_value(*part)?;
        if i + 1 == path.len() {
            return Some(key.span().start);
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => return Some(key.span().start),
        }
    }
    None
}

/// Byte offset of the `index`-th element of the array at `path`.
pub fn array_item_offset(src: &str, path: &[&str], index: usize) -> Option<usize> {
    let root = DeTable::parse(src).ok()?;
    let mut table = root.get_ref();
    for (i, part) in path.iter().enumerate() {
        let value = table.get(*part)?;
        if i + 1 == path.len() {
            return match value.get_ref() {
                DeValue::Array(items) => items.get(index).map(|v| v.span().start),
                _ => Some(value.span().start),
            };
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => return None,
        }
    }
    None
}

/// Top-level keys of a TOML document with their byte offsets, in source order.
pub fn top_level_keys(src: &str) -> Result<Vec<(String, usize)>, toml::de::Error> {
    let root = DeTable::parse(src)?;
    Ok(keys_of(&root)
        .into_iter()
        .map(|(k, o)| (k.to_string(), o))
        .collect())
}

/// Top-level keys of a parsed TOML document ([`DeTable::parse`]) with their
/// byte offsets, in source order: the document can then be deserialised
/// without being parsed again (`toml::de::Deserializer::from`).
pub fn keys_of<'t>(root: &'t toml::Spanned<DeTable<'_>>) -> Vec<(&'t str, usize)> {
    let mut keys: Vec<(&str, usize)> = root
        .get_ref()
        .iter()
        .map(|(k, _)| (k.get_ref().as_ref(), k.span().start))
        .collect();
    keys.sort_by_key(|(_, o)| *o);
    keys
}

/// Keys of the table at `path`, with offsets.
pub fn table_keys(src: &str, path: &[&str]) -> Vec<(String, usize)> {
    let Ok(root) = DeTable::parse(src) else {
        return Vec::new();
    };
    let mut table = root.get_ref();
    for part in path {
        match table.get(*part).map(toml::Spanned::get_ref) {
            Some(DeValue::Table(t)) => table = t,
            _ => return Vec::new(),
        }
    }
    let mut keys: Vec<(String, usize)> = table
        .iter()
        .map(|(k, _)| (k.get_ref().to_string(), k.span().start))
        .collect();
    keys.sort_by_key(|(_, o)| *o);
    keys
}

/// The text of the `key = value` entry whose value holds byte `offset` (the
/// innermost one): used to blank out a bad value and read on, so that one run
/// reports every error of a file.
pub fn entry_span_at(src: &str, offset: usize) -> Option<std::ops::Range<usize>> {
    fn in_table(t: &DeTable<'_>, offset: usize) -> Option<std::ops::Range<usize>> {
        t.iter()
            .find_map(|(k, v)| in_entry(k.span().start, v, offset))
    }
    fn in_entry(
        key_start: usize,
        v: &toml::Spanned<DeValue<'_>>,
        offset: usize,
    ) -> Option<std::ops::Range<usize>> {
        match v.get_ref() {
            DeValue::Table(t) => in_table(t, offset),
            DeValue::Array(items) => items
                .iter()
                .find_map(|item| match item.get_ref() {
                    DeValue::Table(t) => in_table(t, offset),
                    _ => None,
                })
                .or_else(|| {
                    let span = v.span();
                    (span.start <= offset && offset < span.end.max(span.start + 1))
                        .then_some(key_start..span.end)
                }),
            _ => {
                let span = v.span();
                (span.start <= offset && offset < span.end.max(span.start + 1))
                    .then_some(key_start..span.end)
            }
        }
    }
    let root = DeTable::parse(src).ok()?;
    in_table(root.get_ref(), offset)
}

/// A TOML error as a diagnostic. `src` is the TOML text and `line_offset`
/// the number of lines before it in `full` (the whole file, for snippets).
pub fn toml_error(
    file: &Path,
    full: &str,
    src: &str,
    line_offset: usize,
    err: &toml::de::Error,
) -> Diagnostic {
    let message = err.message().trim().to_string();
    let d = Diagnostic::error("invalid-toml", message);
    match err.span() {
        Some(span) => {
            let (line, col) = line_col(src, span.start);
            d.at(file, full, line + line_offset, col)
        }
        None => d.in_file(file),
    }
}

/// A diagnostic at the key `path` of the TOML text `src`, which starts after
/// `line_offset` lines of `full`.
pub fn at_key(
    d: Diagnostic,
    file: &Path,
    full: &str,
    src: &str,
    line_offset: usize,
    path: &[&str],
) -> Diagnostic {
    match key_offset(src, path) {
        Some(off) => {
            let (line, col) = line_col(src, off);
            d.at(file, full, line + line_offset, col)
        }
        None => d.at(file, full, line_offset.max(1), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_key() {
        let src = "title = \"x\"\n\n[facts]\ntool = \"steel\"\n";
        let off = key_offset(src, &["facts", "tool"]).unwrap();
        assert_eq!(line_col(src, off), (4, 1));
    }

    #[test]
    fn lists_top_level_keys_in_order() {
        let keys = top_level_keys("b = 1\na = 2\n[c]\nd = 1\n").unwrap();
        let names: Vec<_> = keys.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
    }
}
