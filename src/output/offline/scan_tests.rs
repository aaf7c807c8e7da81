//! The offline rewrite's fast path ([`super::scan`]) against `lol_html`'s:
//! wherever the fast path takes a page, both write the same bytes and note
//! the same references.

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use super::rewrite_both;

const BASE: &str = "https://ex.org";

/// Both paths on `html`: whether the fast one took it, after asserting
/// that it then agrees with `lol_html`.
fn agree(html: &str) -> bool {
    let (fast, slow) = rewrite_both(html, "a/b/index.html", BASE);
    match fast {
        Some(fast) => {
            assert_eq!(fast, slow, "the paths differ on {html:?}");
            true
        }
        None => false,
    }
}

#[test]
fn takes_and_matches_everyday_markup() {
    for html in [
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A <b> & </title>"#,
        r#"<link rel="canonical" href="https://ex.org/a/"><link rel="stylesheet" href="/s.css?h=1"><link REL="Canonical alternate" href="/feed.xml">"#,
        r#"<a href="https://ex.org/b/#x" class=c>b</a><A HREF=/c/ data-x>c</A><a href='/q"u/'>q</a><a href>e</a>"#,
        r#"<img src="/i.png" srcset="/i-1.png 1x, /i-2.png 2x" alt=""/><img src=/j.png /><br/><hr / >"#,
        r#"<a   href = "/sp/"   title = 'x' >s</a><a href="/x/"/title="y"><a/href=/z/>"#,
        r#"<form action="/search/"><video poster="/p.png" src="/v.mp4"></video></form><div data-href="/d/">"#,
        r#"<meta http-equiv="refresh" content="0; url=/b/"><meta http-equiv=Refresh content="5;url= /c/ "><meta http-equiv="x" content="url=/d/">"#,
        r#"<script>if (a < b && c) document.write("<a href='/no/'>")</script ><a href="/yes/">"#,
        r#"<SCRIPT src="/s.js"></SCRIPT><style>a::after{content:"<a href=/no/>"}</style><textarea><a href="/no/"></textarea>"#,
        r#"<noscript><a href="/inside/">x</a></noscript><iframe src="/f/"><a href="/no/"></iframe><title></titlex></title>"#,
        r#"<svg viewBox="0 0 1 1"><use href="/i.svg#a"/><title><a href="/t/">t</a></title><style><a href="/s/"></style></svg>"#,
        r#"<svg><desc/><p><a href="/after-breakout/"><style><a href="/raw/"></style>"#,
        r#"<svg><font color=red><style><a href="/raw/"></style></svg><svg/><style><a href="/x/"></style>"#,
        r#"<svg><![CDATA[ <a href="/no/"> ]]><a href="/yes/"></svg><![CDATA[ <a href="/bogus/"> ]]>"#,
        r#"<!-- <a href="/no/"> --><!--><a href="/1/"><!---><a href="/2/"><!-- a --!><a href="/3/"><!----!><a href="/4/">"#,
        r#"<? pi <a href="/no/"> ><a href="/yes/"></ x href="/no/"><a href="/y/"></></p title=">"><a href="/z/">"#,
        r#"1 < 2 <3 <-> <a href="/é/">é</a><a href="/x/?q=1&amp;r=2#f" src="/s/" action="/a/">"#,
        r#"<my-el href="/custom/"></my-el><a href="/b/" href="/dup/"><a x="1"y=2 href=/n/>"#,
    ] {
        assert!(agree(html), "the fast path left {html:?} to lol_html");
    }
}

/// What each start and end tag does to SVG content (which decides
/// whether a later `<style>` holds raw text or markup), tag by tag.
#[test]
fn follows_lol_html_in_and_out_of_svg_for_every_tag() {
    let tags = [
        "a",
        "abbr",
        "address",
        "area",
        "article",
        "aside",
        "audio",
        "b",
        "base",
        "bdi",
        "bdo",
        "big",
        "blockquote",
        "body",
        "br",
        "button",
        "canvas",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "data",
        "datalist",
        "dd",
        "del",
        "desc",
        "details",
        "dfn",
        "dialog",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "fieldset",
        "figcaption",
        "figure",
        "font",
        "footer",
        "foreignObject",
        "form",
        "g",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "i",
        "iframe",
        "img",
        "input",
        "ins",
        "kbd",
        "label",
        "legend",
        "li",
        "link",
        "listing",
        "main",
        "map",
        "mark",
        "menu",
        "meta",
        "meter",
        "nav",
        "nobr",
        "noscript",
        "object",
        "ol",
        "optgroup",
        "option",
        "output",
        "p",
        "path",
        "picture",
        "pre",
        "progress",
        "q",
        "rect",
        "ruby",
        "s",
        "samp",
        "section",
        "small",
        "source",
        "span",
        "strike",
        "strong",
        "sub",
        "summary",
        "sup",
        "svg",
        "table",
        "tbody",
        "td",
        "text",
        "tfoot",
        "th",
        "thead",
        "time",
        "title",
        "tr",
        "track",
        "tt",
        "u",
        "ul",
        "use",
        "var",
        "video",
        "wbr",
        "xmp",
    ];
    let inside = r#"<style><a href="/in/"></style><a href="/after/">"#;
    let (mut taken, mut all) = (0, 0);
    for t in tags {
        for open in [
            format!("<svg><{t}>{inside}"),
            format!("<svg><{t}/>{inside}"),
            format!("<svg><{t} color=red>{inside}"),
            format!("<svg><g></{t}>{inside}"),
            format!("<svg><title></{t}>{inside}"),
            format!("<{t}>{inside}"),
        ] {
            all += 1;
            taken += usize::from(agree(&open));
        }
    }
    // Only MathML, <select>, <frameset>, <plaintext> and <noscript> in SVG
    // go to `lol_html`.
    assert!(
        taken * 100 >= all * 95,
        "the fast path took {taken} of {all}"
    );
}

/// A `<noscript>` holds markup for a browser without scripts: its links
/// are rewritten by both paths (`lol_html` alone reads it as raw text).
#[test]
fn rewrites_the_links_of_noscript_content_on_both_paths() {
    let page = r#"<p><noscript><p>See the <a href="/glossary/">glossary</a>.</p></noscript><a href="/x/">"#;
    for (html, taken) in [
        (page.to_string(), true),
        (format!("<math></math>{page}"), false),
    ] {
        let (fast, (slow, noted)) = rewrite_both(&html, "a/b/index.html", BASE);
        assert_eq!(fast.is_some(), taken, "{html}");
        assert!(
            slow.contains(r#"<a href="../../glossary/index.html">glossary</a>"#),
            "{slow}"
        );
        let urls: Vec<&str> = noted.iter().map(|r| r.2.as_str()).collect();
        assert_eq!(urls, ["../../glossary/index.html", "../../x/index.html"]);
        if let Some(fast) = fast {
            assert_eq!(fast, (slow.clone(), noted.clone()));
        }
    }
    // Content that is not markup, or that the fast path does not read,
    // stays as it is.
    for inner in ["no tags here", "<a href=\"/open/"] {
        let html = format!("<noscript>{inner}</noscript>");
        assert!(agree(&html));
        let (_, (slow, _)) = rewrite_both(&html, "a/b/index.html", BASE);
        assert_eq!(slow, html);
    }
}

#[test]
fn leaves_to_lol_html_what_its_model_lacks() {
    for html in [
        "<math><mi><style><a href=\"/x/\"></style></mi></math>",
        "<select><style></style></select>",
        "<frameset><noframes></noframes></frameset>",
        "<plaintext><a href=\"/x/\">",
        "<script><!--<script></script><a href=\"/x/\">--></script>",
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD>\"><a href=\"/x/\">",
        "<a href=>x</a>",
        "<a href=\"/x/",
        "<!-- open",
        "<style>a{}",
        "<",
    ] {
        assert!(!agree(html), "the fast path took {html:?}");
    }
}

/// Pieces of markup, ordinary and odd, that generated pages are made of.
fn piece() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "a",
        "A",
        "link",
        "img",
        "script",
        "style",
        "title",
        "textarea",
        "noscript",
        "svg",
        "SVG",
        "desc",
        "foreignObject",
        "font",
        "p",
        "br",
        "div",
        "meta",
        "source",
        "iframe",
        "xmp",
        "math",
        "select",
        "span",
        "use",
        "my-el",
        "template",
        "noembed",
        "b",
    ]);
    let attr_name = prop::sample::select(vec![
        "href",
        "HREF",
        "src",
        "srcset",
        "rel",
        "action",
        "poster",
        "data-href",
        "http-equiv",
        "content",
        "class",
        "color",
        "x",
        "=x",
        "\"q\"",
        "'",
        "<a",
    ]);
    let value = prop::sample::select(vec![
        "/a/",
        "https://ex.org/b/#c",
        "x\"y",
        "/p.png 2x, /q.png 1x",
        "canonical",
        "alternate x",
        "refresh",
        "0; url=/z/",
        "",
        "a b",
        "'",
        ">",
        "/",
        "../u/",
        "é/",
        "x'y",
    ]);
    let quoting = prop::sample::select(vec!["", "=\"\"", "=''", "=", " = \"\""]);
    let sep = prop::sample::select(vec![" ", "\n", "  ", " / ", "/", "\t"]);
    let close = prop::sample::select(vec![">", "/>", " />", " >", ""]);
    let attr = (sep, attr_name, quoting, value).prop_map(|(s, n, q, v)| match q {
        "" => format!("{s}{n}"),
        "=\"\"" => format!("{s}{n}=\"{}\"", v.replace('"', "")),
        "=''" => format!("{s}{n}='{}'", v.replace('\'', "")),
        "=" => format!("{s}{n}={}", v.replace([' ', '>', '\n'], "")),
        _ => format!("{s}{n} = \"{}\"", v.replace('"', "")),
    });
    let start = (name.clone(), prop::collection::vec(attr, 0..4), close)
        .prop_map(|(n, a, c)| format!("<{n}{}{c}", a.concat()));
    let end = (
        name,
        prop::sample::select(vec![">", " x=\">\">", "/>", " >"]),
    )
        .prop_map(|(n, c)| format!("</{n}{c}"));
    let fixed = prop::sample::select(vec![
        "text",
        " ",
        "<",
        "< b",
        "&amp;",
        "x>y",
        "\n",
        "é",
        "<!-- c -->",
        "<!-->",
        "<!--->",
        "<!-- a --!> b",
        "<!-- <a href=/x/> -->",
        "<!---->",
        "<!DOCTYPE html>",
        "<!doctype html>",
        "<!DOCTYPE html PUBLIC \"x\">",
        "<![CDATA[ <a href=/x/> ]]>",
        "<![CDATA[x>",
        "<?x <a href=/y/>>",
        "</ x>",
        "<!x>",
        "</3>",
        "</>",
        "<!--",
        "]]>",
        "<!--<script>",
        "</script",
        "-->",
    ]);
    prop_oneof![3 => start, 2 => end, 2 => fixed.prop_map(String::from)]
}

proptest! {
    #![proptest_config(Config {
        cases: 3000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    /// Wherever the fast path takes a generated page (cut anywhere, so
    /// that it may end inside a tag, comment or raw text), it writes what
    /// `lol_html` writes and notes the same references.
    #[test]
    fn agrees_with_lol_html_on_generated_pages(
        pieces in prop::collection::vec(piece(), 1..24),
        cut in any::<prop::sample::Index>(),
    ) {
        let page = pieces.concat();
        let mut at = cut.index(page.len() + 1);
        while !page.is_char_boundary(at) {
            at -= 1;
        }
        agree(&page);
        agree(&page[..at]);
    }
}

/// Most generated pages are taken by the fast path (the cases it leaves
/// to `lol_html` are the rare ones its model lacks).
#[test]
fn takes_most_ordinary_generated_pages() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let pages = prop::collection::vec(piece(), 1..8);
    let (mut taken, mut all) = (0, 0);
    for _ in 0..2000 {
        let page = pages.new_tree(&mut runner).unwrap().current().concat();
        if [
            "math",
            "select",
            "frameset",
            "plaintext",
            "<!--",
            "DOCTYPE html P",
            "=>",
            "= >",
        ]
        .iter()
        .any(|w| page.contains(w))
        {
            continue;
        }
        all += 1;
        if agree(&page) {
            taken += 1;
        }
    }
    assert!(all > 300, "only {all} ordinary pages generated");
    assert!(
        taken * 10 >= all * 6,
        "the fast path took {taken} of {all} pages"
    );
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("SCAN_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(4000),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    /// On any text made of markup's characters (and others), the fast path
    /// never panics, and agrees with `lol_html` wherever it takes the text.
    #[test]
    fn agrees_with_lol_html_on_arbitrary_text(
        text in r#"([<>/="'!?\[\]a-zA-Z0-9 \n\t\x0Cé€-]|<a href=|<svg>|<style>|</style>|<noscript>|</noscript>|<script>|</script>|<title>|</title>|<!--|-->|<!\[CDATA\[|\]\]>){0,80}"#,
    ) {
        agree(&text);
    }
}
