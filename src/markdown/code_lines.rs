//! Zola's code block annotations: ```` ```rust,linenos,linenostart=10,hl_lines=2 4-5,hide_lines=3 ````.
//! A fenced block that has any of them is written line by line, each line a
//! `<span class="code-line">` (a `<mark class="code-line">` when
//! highlighted), with its number in `<span class="code-line-number"
//! aria-hidden="true">` when numbered, and hidden lines left out. Numbers
//! and marks sit in the text as in Zola 0.22's output, so the page reads
//! the same; the classes are fascia's, styled by the theme. Blocks without
//! annotations are left to the usual highlighter, unchanged.

use std::fmt::Write as _;

use comrak::nodes::{AstNode, NodeValue};

use super::highlight;

/// The annotations of one fence.
#[derive(Debug, Default, PartialEq)]
struct Annotations {
    linenos: bool,
    start: usize,
    marked: Vec<(usize, usize)>,
    hidden: Vec<(usize, usize)>,
}

/// Inclusive 1-based ranges from `1 3-5 9`.
fn ranges(text: &str) -> Vec<(usize, usize)> {
    text.split_whitespace()
        .filter_map(|r| match r.split_once('-') {
            Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
            None => r.trim().parse().ok().map(|n| (n, n)),
        })
        .collect()
}

/// The annotations of a fence's info string (`rust,linenos, hl_lines=1 3-5`),
/// or `None` when it has none.
fn annotations(info: &str) -> Option<Annotations> {
    let mut a = Annotations {
        start: 1,
        ..Annotations::default()
    };
    let mut any = false;
    // `hl_lines=1 3-5`: values run on, spaces included, to the next comma.
    for part in info.split(',').skip(1) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key.trim() {
            "linenos" => a.linenos = true,
            "linenostart" => a.start = value.trim().parse().unwrap_or(1),
            "hl_lines" => a.marked = ranges(value),
            "hide_lines" => a.hidden = ranges(value),
            _ => continue,
        }
        any = true;
    }
    any.then_some(a)
}

fn within(ranges: &[(usize, usize)], n: usize) -> bool {
    ranges.iter().any(|&(a, b)| a <= n && n <= b)
}

/// Fenced blocks with annotations become their HTML.
pub fn annotate<'a>(root: &'a AstNode<'a>, highlighting: bool) {
    for node in root.descendants() {
        let mut data = node.data.borrow_mut();
        let NodeValue::CodeBlock(cb) = &data.value else {
            continue;
        };
        if !cb.fenced {
            continue;
        }
        let Some(a) = annotations(&cb.info) else {
            continue;
        };
        let lang = highlight::fence_language(&cb.info);
        let html = block(lang, &cb.literal, &a, highlighting);
        data.value = NodeValue::Raw(html);
    }
}

fn block(lang: &str, code: &str, a: &Annotations, highlighting: bool) -> String {
    let lines = (highlighting && !lang.is_empty())
        .then(|| highlight::highlight_lines(lang, code))
        .flatten()
        .unwrap_or_else(|| code.lines().map(comrak_escape).collect::<Vec<_>>());
    let mut out = String::from("<pre class=\"code-lines\"><code");
    if !lang.is_empty() {
        let lang = comrak_escape(lang);
        let _ = write!(out, " class=\"language-{lang}\" data-lang=\"{lang}\"");
    }
    out.push('>');
    let shown: Vec<(usize, &String)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(n, _)| !within(&a.hidden, *n))
        .collect();
    for (i, (n, line)) in shown.iter().enumerate() {
        let tag = if within(&a.marked, *n) {
            "mark"
        } else {
            "span"
        };
        let _ = write!(out, "<{tag} class=\"code-line\">");
        if a.linenos {
            let _ = write!(
                out,
                "<span class=\"code-line-number\" aria-hidden=\"true\">{}</span>",
                a.start.saturating_add(n - 1)
            );
        }
        out.push_str(line);
        let _ = write!(out, "</{tag}>");
        if i + 1 < shown.len() {
            out.push('\n');
        }
    }
    out.push_str("</code></pre>\n");
    out
}

fn comrak_escape(text: &str) -> String {
    let mut out = String::new();
    let _ = comrak::html::escape(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_are_read_as_zola_writes_them() {
        assert_eq!(annotations("rust"), None);
        assert_eq!(annotations("rust,title=x"), None);
        let a =
            annotations("scss, linenos, linenostart=10, hl_lines=3-4 8-9, hide_lines=2 7").unwrap();
        assert!(a.linenos);
        assert_eq!(a.start, 10);
        assert_eq!(a.marked, [(3, 4), (8, 9)]);
        assert_eq!(a.hidden, [(2, 2), (7, 7)]);
    }

    #[test]
    fn lines_are_numbered_marked_and_hidden() {
        let a = annotations("txt,linenos,linenostart=10,hl_lines=2,hide_lines=3").unwrap();
        let html = block("", "a < b\nsecond\nhidden\nlast\n", &a, false);
        assert_eq!(
            html,
            "<pre class=\"code-lines\"><code><span class=\"code-line\"><span class=\"code-line-number\" aria-hidden=\"true\">10</span>a &lt; b</span>\n<mark class=\"code-line\"><span class=\"code-line-number\" aria-hidden=\"true\">11</span>second</mark>\n<span class=\"code-line\"><span class=\"code-line-number\" aria-hidden=\"true\">13</span>last</span></code></pre>\n"
        );
    }

    #[test]
    fn highlighted_lines_close_their_spans() {
        let a = annotations("rust,linenos").unwrap();
        let html = block("rust", "/* one\ntwo */\nfn main() {}\n", &a, true);
        assert_eq!(
            html.matches("<span class=\"code-line\">").count(),
            3,
            "{html}"
        );
        for line in html.lines() {
            assert_eq!(
                line.matches("<span").count(),
                line.matches("</span>").count(),
                "{line}"
            );
        }
        assert!(html.contains("hl-comment"), "{html}");
    }

    #[test]
    fn a_huge_start_does_not_overflow() {
        let a = annotations("txt,linenos,linenostart=18446744073709551615").unwrap();
        let html = block("", "a\nb\n", &a, false);
        assert_eq!(html.matches("18446744073709551615").count(), 2, "{html}");
    }
}
