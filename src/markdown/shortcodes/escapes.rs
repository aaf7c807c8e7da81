//! Zola's shortcode escapes: `{{/* name(args) */}}` is written as
//! `{{ name(args) }}`, and `{%/* name(args) */%}` … `{%/* end */%}` as
//! `{% name(args) %}` … `{% end %}`.
//!
//! As in Zola's grammar (`ignored_inline_shortcode`, `ignored_sc_body_start`
//! and `ignored_sc_body_end` in `components/markdown/src/content.pest`), only
//! a call (a name, `(`, keyword arguments with literal values, `)`) or `end`
//! between the marks is an escape: `{%/* extends "base.html" */%}` or
//! `{{/* get_url(path=some_variable) */}}` keep their comment marks, as Zola
//! prints them.

use super::ArgParser;

/// Copy `text`, writing each escape without its comment marks.
pub(super) fn unescape_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        if let Some((consumed, lit)) = escaped(&rest[i..]) {
            out.push_str(&lit);
            rest = &rest[i + consumed..];
        } else {
            out.push('{');
            rest = &rest[i + 1..];
        }
    }
    out.push_str(rest);
}

/// The escape `s` starts with: the bytes consumed and the literal text.
pub(super) fn escaped(s: &str) -> Option<(usize, String)> {
    for (open, close, lit_open, lit_close) in
        [("{{/*", "*/}}", "{{", "}}"), ("{%/*", "*/%}", "{%", "%}")]
    {
        if let Some(rest) = s.strip_prefix(open) {
            let end = rest.find(close)?;
            let inner = &rest[..end];
            let end_tag = lit_open == "{%" && inner.trim() == "end";
            if !end_tag && !is_call(inner) {
                return None;
            }
            let consumed = open.len() + end + close.len();
            return Some((consumed, format!("{lit_open}{inner}{lit_close}")));
        }
    }
    None
}

/// `name(key=literal, …)` and nothing else (Zola's `sc_def`).
fn is_call(inner: &str) -> bool {
    let mut p = ArgParser { s: inner, i: 0 };
    if p.ident().is_none() || !p.eat('(') || p.args().is_err() {
        return false;
    }
    p.skip_ws();
    p.i == p.s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(s: &str) -> String {
        let mut out = String::new();
        unescape_into(s, &mut out);
        out
    }

    #[test]
    fn calls_and_end_lose_their_comment_marks() {
        // Zola 0.22 writes these (its documentation's shortcodes page).
        assert_eq!(
            unescape("{{/* youtube(id=\"dQw4w9WgXcQ\", autoplay=true) */}}"),
            "{{ youtube(id=\"dQw4w9WgXcQ\", autoplay=true) }}"
        );
        assert_eq!(
            unescape("{%/* quote(author=\"Vincent\") */%}\nA quote\n{%/* end */%}"),
            "{% quote(author=\"Vincent\") %}\nA quote\n{% end %}"
        );
        assert_eq!(
            unescape("href=\"{{/* get_url(path=\"blog.css\") */}}\">"),
            "href=\"{{ get_url(path=\"blog.css\") }}\">"
        );
    }

    #[test]
    fn an_escape_in_a_code_block_may_run_over_lines() {
        // Zola 0.22 writes `{{ img(path="a.jpg",\n  alt="b") }}` here.
        let src = "```js\n{{/* img(path=\"a.jpg\",\n       alt=\"b\") */}}\n```\n";
        let ex = super::super::extract(src).unwrap();
        assert_eq!(
            ex.text,
            "```js\n{{ img(path=\"a.jpg\",\n       alt=\"b\") }}\n```\n"
        );
        // A block left open runs to the end, unescaped too.
        let ex = super::super::extract("```\n{{/* a() */}}\n").unwrap();
        assert_eq!(ex.text, "```\n{{ a() }}\n");
    }

    #[test]
    fn a_fence_in_a_list_item_ends_with_it() {
        // CommonMark: the item's code block ends at the heading below it,
        // so the next fence opens a block (Zola writes `{{ a() }}` there).
        let src = "1. Item\n\n   ```toml\n   x = 1\n\n## Next\n\n```\n{{/* a(\n) */}}\n```\n";
        let ex = super::super::extract(src).unwrap();
        assert!(ex.text.ends_with("```\n{{ a(\n) }}\n```\n"), "{}", ex.text);
        // Outside code too, an escape over lines is written once.
        let ex = super::super::extract("x {{/* a(b=1,\n c=2) */}} y\nz\n").unwrap();
        assert_eq!(ex.text, "x {{ a(b=1,\n c=2) }} y\nz\n");
    }

    #[test]
    fn a_fence_with_an_info_string_does_not_close_a_block() {
        // "```rust" inside a block is code (CommonMark), so the call after
        // the block's real end is a call (tabi's shortcodes page).
        let src = "```\n{{/* a() */}}\n```rust\n```\n\n{{ b() }}\n";
        let ex = super::super::extract(src).unwrap();
        assert_eq!(ex.calls.len(), 1, "{}", ex.text);
        assert!(
            ex.text.starts_with("```\n{{ a() }}\n```rust\n```\n"),
            "{}",
            ex.text
        );
    }

    #[test]
    fn anything_but_a_call_keeps_them() {
        // What Zola 0.22 prints for the same text in a code block: not a
        // call (a tag, a variable argument, an expression), so not an escape.
        for s in [
            "{%/* extends \"anatole-zola/templates/basic.html\" */%}",
            "{%/* block extra_head */%}",
            "{%/* endblock */%}",
            "{{/* get_url(path=rss_path, trailing_slash=false) */}}",
            "{{/* trans(key=\"title\", lang=lang) */}}",
            "{{/* page.title */}}",
            "{{/* end */}}",
        ] {
            assert_eq!(unescape(s), s);
        }
    }
}
