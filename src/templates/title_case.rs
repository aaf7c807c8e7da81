//! Tera's `title` filter: each word (letters, digits, `_` and `'`, between
//! word boundaries) gets its first character upper-cased and the rest
//! lower-cased, so `404.html` is `404.Html` and `foo's bar` is `Foo's Bar`
//! (minijinja's own `title` splits words differently).

use std::sync::LazyLock;

use regex::{Captures, Regex};

static WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?P<first>[\w'])(?P<rest>[\w']*)\b").expect("valid regex"));

/// `text` in Tera's title case.
pub fn title(text: &str) -> String {
    WORDS
        .replace_all(text, |caps: &Captures| {
            format!(
                "{}{}",
                caps["first"].to_uppercase(),
                caps["rest"].to_lowercase()
            )
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::title;

    #[test]
    fn words_as_tera_splits_them() {
        for (input, expected) in [
            ("foo bar", "Foo Bar"),
            ("foo\tbar", "Foo\tBar"),
            ("FOO\tBAR", "Foo\tBar"),
            ("foo-bar", "Foo-Bar"),
            ("foo (bar)", "Foo (Bar)"),
            ("foo {bar}", "Foo {Bar}"),
            ("foo <bar>", "Foo <Bar>"),
            ("  foo  bar  ", "  Foo  Bar  "),
            ("foo's bar", "Foo's Bar"),
            ("404.html", "404.Html"),
            ("élan vital", "Élan Vital"),
        ] {
            assert_eq!(title(input), expected, "{input:?}");
        }
    }
}
