//! Fenced code -> highlighted HTML at build time, as CSS classes.
//!
//! `syntect` tokenises with the syntaxes of `two-face` (Sublime's defaults
//! plus bat's: TOML, TypeScript, Dockerfile...). Each run of text gets one
//! class for what it is, taken from its innermost scope that has one
//! ([`CLASSES`]: `hl-comment`, `hl-string`, `hl-keyword`...), and runs of
//! the same class are merged: a few spans per line instead of a nest of
//! every scope. No inline style: the site runs under a content security
//! policy without `unsafe-inline`, and the theme's stylesheet colours the
//! classes, light and dark.
//!
//! Loading the syntaxes takes tens of milliseconds, so it happens once, on
//! the first fenced block that names a language, never for a site without one.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use comrak::adapters::SyntaxHighlighterAdapter;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The syntaxes, loaded on first use and read-only after (not mutable state:
/// a cache of data compiled into the binary).
static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();

fn syntaxes() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

/// Scope prefixes and the class they give, most specific first: a run of
/// text takes the class of its innermost scope found here.
pub const CLASSES: &[(&str, &str)] = &[
    ("comment", "hl-comment"),
    ("punctuation.definition.comment", "hl-comment"),
    ("string", "hl-string"),
    ("markup.raw", "hl-string"),
    ("constant", "hl-constant"),
    ("support.constant", "hl-constant"),
    ("variable.other.constant", "hl-constant"),
    ("entity.other.attribute-name", "hl-attribute"),
    ("entity.name.function", "hl-function"),
    ("support.function", "hl-function"),
    ("variable.function", "hl-function"),
    ("support.macro", "hl-function"),
    ("storage.type.function", "hl-keyword"),
    ("storage.modifier", "hl-keyword"),
    ("entity.name.type", "hl-type"),
    ("entity.name.class", "hl-type"),
    ("entity.name.struct", "hl-type"),
    ("entity.name.enum", "hl-type"),
    ("entity.name.trait", "hl-type"),
    ("entity.other.inherited-class", "hl-type"),
    ("support.type", "hl-type"),
    ("support.class", "hl-type"),
    ("storage.type", "hl-type"),
    ("entity.name.tag", "hl-tag"),
    ("entity.name.section", "hl-tag"),
    ("markup.heading", "hl-tag"),
    ("variable.parameter", "hl-variable"),
    ("variable.language", "hl-variable"),
    ("keyword", "hl-keyword"),
    ("storage", "hl-keyword"),
    ("markup.bold", "hl-bold"),
    ("markup.italic", "hl-italic"),
    ("markup.inserted", "hl-inserted"),
    ("markup.deleted", "hl-deleted"),
    ("invalid", "hl-invalid"),
];

/// [`CLASSES`] as scopes, parsed once.
fn class_scopes() -> &'static [(Scope, &'static str)] {
    static SCOPES: OnceLock<Vec<(Scope, &'static str)>> = OnceLock::new();
    SCOPES.get_or_init(|| {
        CLASSES
            .iter()
            .filter_map(|(prefix, class)| Scope::new(prefix).ok().map(|s| (s, *class)))
            .collect()
    })
}

/// The language a fence's info string names: `rust` in `rust`,
/// `rust,linenos` (Zola's options) or `rust title="x"`.
pub fn fence_language(info: &str) -> &str {
    let first = info.split_whitespace().next().unwrap_or("");
    first.split(',').next().unwrap_or("").trim()
}

/// Names Zola sites use that the syntaxes spell otherwise.
fn alias(lang: &str) -> &str {
    match lang.to_ascii_lowercase().as_str() {
        // Tera is Jinja2's syntax: Zola templates in Zola's own docs.
        "jinja" | "jinja2" | "tera" | "j2" => "html.j2",
        "liquid" => "html",
        "shell" | "console" | "shell-session" => "bash",
        "yml" => "yaml",
        "docker" => "Dockerfile",
        "python3" => "py",
        "text" | "plain" | "plaintext" | "none" => "txt",
        _ => lang,
    }
}

fn find(lang: &str) -> Option<&'static SyntaxReference> {
    let set = syntaxes();
    let name = alias(lang);
    set.find_syntax_by_token(name)
        .or_else(|| set.find_syntax_by_token(&name.to_ascii_lowercase()))
}

/// Whether fascia can highlight `lang` (loads the syntaxes).
pub fn knows(lang: &str) -> bool {
    lang.eq_ignore_ascii_case("math") || find(lang).is_some()
}

/// `code` in `lang` as HTML spans, or `None` when the language is unknown
/// or the highlighter fails on the text.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let syntax = find(lang)?;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = Spans::default();
    let mut known: HashMap<Scope, Option<&'static str>> = HashMap::new();
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, syntaxes()).ok()?;
        let mut pos = 0;
        for (at, op) in ops {
            if at > pos {
                out.push(&line[pos..at], class_of(&stack, &mut known));
                pos = at;
            }
            stack.apply(&op).ok()?;
        }
        out.push(&line[pos..], class_of(&stack, &mut known));
    }
    Some(out.finish())
}

/// `code` in `lang` as HTML, one string per line (without its line end),
/// each closing the spans it opened; `None` as for [`highlight`].
pub fn highlight_lines(lang: &str, code: &str) -> Option<Vec<String>> {
    let syntax = find(lang)?;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut known: HashMap<Scope, Option<&'static str>> = HashMap::new();
    let mut lines = Vec::new();
    for line in LinesWithEndings::from(code) {
        let mut out = Spans::default();
        let ops = state.parse_line(line, syntaxes()).ok()?;
        let text = line.trim_end_matches(['\n', '\r']);
        let mut pos = 0;
        for (at, op) in ops {
            if at > pos {
                out.push(
                    &text[pos.min(text.len())..at.min(text.len())],
                    class_of(&stack, &mut known),
                );
                pos = at;
            }
            stack.apply(&op).ok()?;
        }
        out.push(&text[pos.min(text.len())..], class_of(&stack, &mut known));
        lines.push(out.finish());
    }
    Some(lines)
}

/// The class of the innermost scope of `stack` that has one.
fn class_of(
    stack: &ScopeStack,
    known: &mut HashMap<Scope, Option<&'static str>>,
) -> Option<&'static str> {
    stack.as_slice().iter().rev().find_map(|scope| {
        *known.entry(*scope).or_insert_with(|| {
            class_scopes()
                .iter()
                .find(|(prefix, _)| prefix.is_prefix_of(*scope))
                .map(|(_, class)| *class)
        })
    })
}

/// HTML of runs of text, a span for each run of one class.
#[derive(Default)]
struct Spans {
    html: String,
    open: Option<&'static str>,
}

impl Spans {
    fn push(&mut self, text: &str, class: Option<&'static str>) {
        if text.is_empty() {
            return;
        }
        if class != self.open {
            if self.open.is_some() {
                self.html.push_str("</span>");
            }
            if let Some(c) = class {
                self.html.push_str("<span class=\"");
                self.html.push_str(c);
                self.html.push_str("\">");
            }
            self.open = class;
        }
        for ch in text.chars() {
            match ch {
                '&' => self.html.push_str("&amp;"),
                '<' => self.html.push_str("&lt;"),
                '>' => self.html.push_str("&gt;"),
                '"' => self.html.push_str("&quot;"),
                _ => self.html.push(ch),
            }
        }
    }

    fn finish(mut self) -> String {
        if self.open.is_some() {
            self.html.push_str("</span>");
        }
        self.html
    }
}

/// The comrak plugin: `<pre><code class="language-x">` as comrak writes it,
/// then the highlighted spans (or the escaped text for unknown languages).
pub struct Highlighter;

impl SyntaxHighlighterAdapter for Highlighter {
    fn write_highlighted(
        &self,
        output: &mut dyn fmt::Write,
        lang: Option<&str>,
        code: &str,
    ) -> fmt::Result {
        let lang = fence_language(lang.unwrap_or(""));
        match (!lang.is_empty()).then(|| highlight(lang, code)).flatten() {
            Some(html) => output.write_str(&html),
            None => comrak::html::escape(output, code),
        }
    }

    fn write_pre_tag(
        &self,
        output: &mut dyn fmt::Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        comrak::html::write_opening_tag(output, "pre", attributes)
    }

    fn write_code_tag(
        &self,
        output: &mut dyn fmt::Write,
        mut attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        // `language-rust,linenos` -> `language-rust`.
        if let Some(class) = attributes.get_mut("class")
            && let Some(i) = class.find(',')
        {
            *class = Cow::Owned(class[..i].to_string());
        }
        comrak::html::write_opening_tag(output, "code", attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_zola_sites_use_are_known() {
        for lang in [
            "rust",
            "toml",
            "TOML",
            "bash",
            "sh",
            "jinja",
            "html",
            "md",
            "ts",
            "json",
            "yaml",
            "Dockerfile",
            "python",
            "css",
            "scss",
            "js",
        ] {
            assert!(knows(lang), "{lang}");
        }
        assert!(knows("text"));
        assert!(!knows("no-such-language"));
    }

    #[test]
    fn highlights_with_classes_only() {
        let html = highlight("rust", "fn main() { let x = 1; }\n").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(
            html.contains("hl-keyword") || html.contains("hl-storage"),
            "{html}"
        );
    }

    #[test]
    fn fence_options_are_not_the_language() {
        assert_eq!(fence_language("rust,linenos,hl_lines=2"), "rust");
        assert_eq!(fence_language("toml title=\"x\""), "toml");
        assert_eq!(fence_language(""), "");
    }
}
