//! Figures a page states in its own words, compared with the structured
//! source it cites: `fascia check` warns when a sentence citing
//! `(ref:key)` says "12 randomized trials" while the figures file
//! (`[facts] figures`) gives that key "13 randomized trials", or calls the
//! evidence "moderate" when the key's certainty there is "low to moderate".
//!
//! A count is a number followed by words (`13 randomized trials`); it is
//! compared with the counts of the key's figures that share one of its
//! words. A certainty word is a value of an `enum` or `ratings` field of the
//! facts schema, next to "certainty", "quality", "evidence" or
//! "confidence"; it is compared with the key's figure whose value is in the
//! same field's values. Nothing is said where the source gives no count with
//! those words or no certainty.

use std::collections::HashMap;

use crate::config::{FactKind, FactsSchema};
use crate::diagnostics::Diagnostic;
use crate::site::Site;

/// Words that end the phrase after a number.
const STOP: &[&str] = &[
    "of", "them", "the", "a", "an", "and", "or", "with", "in", "to", "were", "was", "for", "by",
    "which", "that", "these", "those", "all", "each", "on", "at", "from", "per", "than", "is",
    "are",
];

/// Words that make a nearby rating word a certainty rating.
const QUALIFIERS: &[&str] = &["certainty", "quality", "evidence", "confidence"];

/// What the figures file says about one citation key.
#[derive(Debug, Default)]
pub struct KeyFigures {
    /// word -> (number, fact, the fact's text) for every counted phrase.
    counts: HashMap<String, Vec<(u64, String, String)>>,
    /// (fact, value, the vocabulary the value belongs to).
    certainty: Option<(String, String, Vec<String>)>,
}

/// Every key's figures.
pub type Figures = HashMap<String, KeyFigures>;

/// A stated figure that differs from its source: byte offset and message.
#[derive(Debug, PartialEq)]
pub struct Finding {
    pub offset: usize,
    pub message: String,
    pub help: String,
}

/// Read the figures file: `[table.key] fact = "text"` for any table name.
pub fn parse(src: &str, schema: &FactsSchema) -> Result<Figures, String> {
    let root: toml::Table = toml::from_str(src).map_err(|e| e.message().to_string())?;
    let mut out = Figures::new();
    for group in root.values().filter_map(toml::Value::as_table) {
        for (key, facts) in group {
            let Some(facts) = facts.as_table() else {
                continue;
            };
            let entry = out.entry(key.clone()).or_default();
            for (fact, value) in facts {
                let Some(text) = value.as_str() else { continue };
                if let Some(vocab) = vocabulary(schema, text) {
                    entry.certainty = Some((fact.clone(), text.to_string(), vocab));
                    continue;
                }
                for (offset, n) in numbers(text) {
                    for w in phrase_after(text, offset) {
                        entry.counts.entry(w).or_default().push((
                            n,
                            fact.clone(),
                            text.to_string(),
                        ));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The values of the schema field (enum or ratings) that has `text` among them.
fn vocabulary(schema: &FactsSchema, text: &str) -> Option<Vec<String>> {
    schema
        .fields
        .values()
        .filter(|f| matches!(f.kind, FactKind::Enum | FactKind::Ratings))
        .find(|f| f.values.iter().any(|v| v.eq_ignore_ascii_case(text)))
        .map(|f| f.values.clone())
}

/// Numbers standing alone (`13`, `3,096`), with the offset where each ends.
fn numbers(text: &str) -> Vec<(usize, u64)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit()
            && (i == 0
                || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.' || b[i - 1] == b','));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut n: u64 = 0;
        while j < b.len()
            && (b[j].is_ascii_digit()
                || (b[j] == b',' && b.get(j + 1).is_some_and(u8::is_ascii_digit)))
        {
            if b[j] != b',' {
                n = n.saturating_mul(10).saturating_add(u64::from(b[j] - b'0'));
            }
            j += 1;
        }
        if j == b.len()
            || !(b[j].is_ascii_alphanumeric()
                || b[j] == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit))
        {
            out.push((j, n));
        }
        i = j.max(i + 1);
    }
    out
}

/// The words after a number, up to three, stopping at punctuation or a
/// small word: `13 randomized trials, 12 of them` -> [randomized, trials].
fn phrase_after(text: &str, end: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = &text[end..];
    while out.len() < 3 {
        let Some(r) = rest.strip_prefix(' ') else {
            break;
        };
        let len = r
            .find(|c: char| !(c.is_alphabetic() || c == '-'))
            .unwrap_or(r.len());
        let word = r[..len].to_lowercase();
        if word.is_empty() || STOP.contains(&word.as_str()) {
            break;
        }
        out.push(word);
        rest = &r[len..];
    }
    out
}

/// Sentences of `text` from `start`: (start, end) byte ranges. A sentence
/// ends at `. ` `? ` `! ` before a capital or a link, at a blank line, or at
/// the end of a table row.
fn sentences(text: &str, start: usize) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = start;
    let mut i = start;
    while i < b.len() {
        let end_here = match b[i] {
            b'\n' => {
                b.get(i + 1) == Some(&b'\n')
                    || b.get(i + 1) == Some(&b'|')
                    || b.get(i + 1) == Some(&b'#')
                    || i > 0 && b[i - 1] == b'|'
            }
            b'.' | b'?' | b'!' => {
                matches!(b.get(i + 1), Some(b' ' | b'\n'))
                    && b.get(i + 2)
                        .is_some_and(|c| c.is_ascii_uppercase() || *c == b'[')
            }
            _ => false,
        };
        if end_here {
            out.push((from, i + 1));
            from = i + 1;
        }
        i += 1;
    }
    if from < b.len() {
        out.push((from, b.len()));
    }
    out
}

/// The keys a sentence cites with `(ref:key)`.
fn cited(sentence: &str) -> Vec<&str> {
    sentence
        .match_indices("(ref:")
        .map(|(i, m)| {
            let r = &sentence[i + m.len()..];
            &r[..r.find([')', '#', ' ']).unwrap_or(r.len())]
        })
        .collect()
}

/// Every stated figure of `text` (from byte `start`) that differs from the
/// figures of the key its sentence cites.
pub fn scan(text: &str, start: usize, figures: &Figures) -> Vec<Finding> {
    let mut out = Vec::new();
    for (s, e) in sentences(text, start) {
        let sentence = &text[s..e];
        let keys: Vec<(&str, &KeyFigures)> = cited(sentence)
            .into_iter()
            .filter_map(|k| figures.get(k).map(|f| (k, f)))
            .collect();
        if keys.is_empty() {
            continue;
        }
        counts(sentence, s, &keys, &mut out);
        certainty(sentence, s, &keys, &mut out);
    }
    out
}

fn counts(sentence: &str, base: usize, keys: &[(&str, &KeyFigures)], out: &mut Vec<Finding>) {
    for (end, n) in numbers(sentence) {
        let words = phrase_after(sentence, end);
        let mut known = None;
        let mut agrees = false;
        for (key, f) in keys {
            for w in &words {
                if let Some(list) = f.counts.get(w) {
                    agrees |= list.iter().any(|(m, _, _)| *m == n);
                    known.get_or_insert((*key, list[0].1.clone(), list[0].2.clone()));
                }
            }
        }
        if let (Some((key, fact, said)), false) = (known, agrees) {
            let phrase = words.join(" ");
            let digits = sentence[..end]
                .rfind(|c: char| !(c.is_ascii_digit() || c == ','))
                .map_or(0, |i| i + 1);
            out.push(Finding {
                offset: base + digits,
                message: format!("states {n} {phrase} for `{key}`, but its figures say \"{said}\""),
                help: format!("quote the figure from its one source: {{{{ review_figure(key=\"{key}\", fact=\"{fact}\") }}}}"),
            });
        }
    }
}

fn certainty(sentence: &str, base: usize, keys: &[(&str, &KeyFigures)], out: &mut Vec<Finding>) {
    let lower = sentence.to_lowercase().replace('-', " ");
    for (key, f) in keys {
        let Some((fact, value, vocab)) = &f.certainty else {
            continue;
        };
        let mut words: Vec<&String> = vocab.iter().collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for w in words {
            let w_l = w.to_lowercase();
            for (i, _) in lower.match_indices(&w_l) {
                let j = i + w_l.len();
                let bounded = (i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric())
                    && lower
                        .as_bytes()
                        .get(j)
                        .is_none_or(|c| !c.is_ascii_alphanumeric());
                if !bounded || taken.iter().any(|&(a, b)| i < b && a < j) {
                    continue;
                }
                taken.push((i, j));
                let before: Vec<&str> = lower[..i].split_whitespace().rev().take(3).collect();
                let after: Vec<&str> = lower[j..].split_whitespace().take(2).collect();
                let qualified = before.iter().chain(&after).any(|t| {
                    QUALIFIERS
                        .iter()
                        .any(|q| t.trim_matches(|c: char| !c.is_alphabetic()) == *q)
                });
                if qualified && !w_l.eq_ignore_ascii_case(value) {
                    out.push(Finding {
                        offset: base + i,
                        message: format!("calls the evidence of `{key}` \"{w}\", but its figures rate it \"{value}\""),
                        help: format!("quote the rating from its one source: {{{{ review_figure(key=\"{key}\", fact=\"{fact}\") }}}}"),
                    });
                }
            }
        }
    }
}

/// `fascia check`: every page's stated figures against the figures file.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let Some(rel) = &site.config.facts.figures else {
        return Vec::new();
    };
    let path = site.root.join(rel);
    let figures = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|s| parse(&s, &site.config.facts))
    {
        Ok(f) => f,
        Err(e) => {
            return vec![Diagnostic::error("figures-file", format!("cannot read the figures file `{rel}`: {e}"))
                .in_file(&path)
                .with_help("[facts] figures names a TOML file below the site folder: [table.citation_key] fact = \"text\"")];
        }
    };
    let mut out = Vec::new();
    for id in site.doc_ids() {
        let doc = site.doc(id);
        let source = site.source(doc);
        let text = &*source;
        let start = crate::content::front_matter::split(text, &doc.file.display)
            .map_or(0, |s| text.len() - s.body.len());
        for f in scan(text, start, &figures) {
            out.push(
                Diagnostic::warning("stated-figure", f.message)
                    .at_offset(&doc.file.display, text, f.offset)
                    .with_help(f.help),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FactField;

    fn figures() -> Figures {
        let mut schema = FactsSchema::default();
        schema.fields.insert(
            "level".into(),
            FactField {
                label: "Level".into(),
                kind: FactKind::Enum,
                values: ["very low", "low", "low to moderate", "moderate"]
                    .map(String::from)
                    .to_vec(),
                help: None,
                rows: indexmap::IndexMap::new(),
                rows_section: None,
                reverse_label: None,
                page: None,
            },
        );
        parse(
            "[reviews.s2019]\ntrials = \"13 randomized trials, 12 of them pooled\"\n[reviews.f2015]\ntrials = \"25 trials with 3,096 participants\"\ncertainty = \"low to moderate\"\n",
            &schema,
        )
        .unwrap()
    }

    #[test]
    fn a_count_that_differs_is_found_where_it_is_written() {
        let text = "A review of 12 randomized trials found gains ([S](ref:s2019)). Another counted 13 trials ([S](ref:s2019)).\n\nIt pooled 25 trials with 3,096 participants ([F](ref:f2015)).";
        let found = scan(text, 0, &figures());
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].offset, text.find("12").unwrap());
        assert!(found[0].message.contains("13 randomized trials"));
        assert!(
            found[0]
                .help
                .contains("review_figure(key=\"s2019\", fact=\"trials\")")
        );
    }

    #[test]
    fn numbers_near_other_keys_or_years_are_left_alone() {
        let text = "In 2019 a review of 12 trials ([S 2019](ref:other)). Of them, 12 of the trials ([S](ref:s2019)).";
        assert!(scan(text, 0, &figures()).is_empty());
        assert_eq!(numbers("3,096 people, s2019, 1.5 x"), vec![(5, 3096)]);
    }

    #[test]
    fn a_certainty_word_that_differs_is_found() {
        let text = "It found moderate-certainty evidence ([F](ref:f2015)). The evidence was low to moderate ([F](ref:f2015)). Moderate pressure was used ([F](ref:f2015)).";
        let found = scan(text, 0, &figures());
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].offset, text.find("moderate-certainty").unwrap());
        assert!(found[0].message.contains("\"low to moderate\""));
    }
}
