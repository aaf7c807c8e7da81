//! Fenced code -> highlighted HTML at build time, as CSS classes.
//!
//! `syntect` tokenises with the syntaxes of `two-face` (Sublime's defaults
//! plus bat's: TOML, TypeScript, Dockerfile...) and writes spans whose
//! classes are the scope's atoms prefixed with `hl-` (`hl-keyword
//! hl-control`). No inline style: the site runs under a content security
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
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The syntaxes, loaded on first use and read-only after (not mutable state:
/// a cache of data compiled into the binary).
static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();

fn syntaxes() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

/// The class prefix of highlighted spans.
const PREFIX: &str = "hl-";

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
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        syntaxes(),
        ClassStyle::SpacedPrefixed { prefix: PREFIX },
    );
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
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
