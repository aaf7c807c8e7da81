//! A body parsed in pieces ([`fascia::markdown::chunk`]) renders exactly as
//! a single parse does: HTML, heading ids, links and their lines, footnotes,
//! word count, everything in the `Body`. Small cuts stand in for the 1 MB
//! threshold: every safe blank line becomes a cut.

use fascia::config::MarkdownConfig;
use fascia::markdown::glossary_linker::MatcherTerm;
use fascia::markdown::{
    Body, GlossaryMatcher, LINK_PLACEHOLDER, RenderOptions, ShortcodeError, chunk, render,
    render_in_pieces,
};
use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// Blocks that meet at cuts in every way that matters: duplicate headings,
/// reference links and their definitions, code fences and HTML blocks with
/// blank lines inside, open fences, lists loose and tight, description
/// lists, footnotes, glossary terms, maths, CRLF lines.
const BLOCKS: &[&str] = &[
    "## Same\n",
    "## Same\n\nText under the same heading.\n",
    "### Notes {#custom}\n",
    "Setext head\n===\n",
    "Para with [a ref][guide] and [[Wiki page]], [x](@/a.md), [y](#same) and <https://e.org>.\n",
    "[guide]: https://example.org/g \"Guide\"\n",
    "[GUIDE]: /second\n",
    "[other]:\n  /multi-line\n  'Title'\n",
    "Uses [other] and [guide][] and [missing][nope].\n",
    "```rust\nfn a() {\n\n    b();\n}\n```\n",
    "```\nan open fence\n\nruns on\n",
    "~~~~\n```\n\nstill code\n~~~~\n",
    "- a\n- b\n\n  continued [x](@/b.md)\n",
    "- loose\n\n- list\n",
    "1. one\n2. two\n",
    "- ```js\n  let x;\n\n  ```\n",
    "- ```\n  open in a list\n",
    "> quote\n>\n> more [[Quoted]]\n",
    "> [!NOTE]\n> Careful.\n",
    "| a | b |\n|---|---|\n| 1 | [c](@/c.md) |\n",
    "<!--\n\ncomment\n\n-->\n",
    "<div>\nhtml <a href=\"/x/\">x</a>\n</div>\n",
    "<pre>\n\nkept\n\n</pre>\n",
    "Term\n: details\n",
    "Term two\n\n: loose details\n",
    "A note[^1] and another[^n].\n",
    "[^1]: The note.\n",
    "[^n]: Another.\n\n    Second paragraph.\n",
    "    indented code\n\n    more code\n",
    "Fascia and deep friction, then fascia again.\n",
    "Energy $E = mc^2$ and $$\\frac{a}{b}$$ here.\n",
    "![](img.png) ![alt](/a.png) [[Page#Head]]\n",
    "<!-- more -->\n",
    "***\n",
    "Smart \"quotes\" -- dashes... and %%hidden%% ==marked==.\n",
    "CRLF line\r\nand another\r\n",
    "[def]: /u\ntext after a definition\n",
    "    [indented]: /x\n",
    "Text\n[late]: /late\n",
    "[[_TOC_]]\n",
    "Plain words in a paragraph. Another sentence here!\n",
];

fn glossary() -> GlossaryMatcher {
    let terms = vec![
        MatcherTerm {
            id: "fascia".into(),
            definition: "Connective tissue.".into(),
            page: None,
        },
        MatcherTerm {
            id: "dtf".into(),
            definition: "A technique.".into(),
            page: None,
        },
    ];
    GlossaryMatcher::new(
        terms,
        &[vec!["fascia".into()], vec!["deep friction".into()]],
    )
}

/// fascia's footnotes at the bottom (fibre's setting): the placement
/// whose numbering the pieces must carry on.
fn bottom() -> MarkdownConfig {
    MarkdownConfig {
        bottom_footnotes: Some(true),
        ..MarkdownConfig::default()
    }
}

fn configs() -> Vec<MarkdownConfig> {
    // GitHub alerts on, as fibre has them (Zola's default is off).
    let plain = MarkdownConfig {
        github_alerts: Some(true),
        ..bottom()
    };
    let mut rich = MarkdownConfig {
        math: Some(true),
        lazy_async_image: true,
        external_links_target_blank: true,
        ..bottom()
    };
    rich.obsidian = true;
    // Zola's default: footnotes left where they are written.
    vec![plain, rich, MarkdownConfig::default()]
}

/// The two renders of `src`, as text (`Body` is `Debug`).
fn both(src: &str, cfg: &MarkdownConfig, glossary: Option<&GlossaryMatcher>) -> (String, String) {
    let opts = RenderOptions {
        markdown: cfg,
        glossary,
        folder_depth: 1,
    };
    let whole = normal(render(src, &opts));
    let pieces = normal(render_in_pieces(src, &opts, 0, 1));
    (whole, pieces)
}

/// A body as text, its link placeholders replaced by what they stand for
/// and its links in order of place. Glossary links are numbered before a
/// piece's other links, so in pieces they interleave with them; which number
/// stands for a link is not part of the page.
fn normal(body: Result<Body, ShortcodeError>) -> String {
    let Ok(mut body) = body else {
        return format!("{body:?}");
    };
    let mut html = String::new();
    let source = body.html().into_owned();
    let mut rest = source.as_str();
    while let Some(at) = rest.find(LINK_PLACEHOLDER) {
        let digits = rest[at + LINK_PLACEHOLDER.len()..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let n: usize = rest[at + LINK_PLACEHOLDER.len()..][..digits]
            .parse()
            .unwrap();
        let l = &body.links[n];
        html.push_str(&rest[..at]);
        let _ = write!(html, "{:?}:{}@{}:{}", l.kind, l.target, l.line, l.column);
        rest = &rest[at + LINK_PLACEHOLDER.len() + digits..];
    }
    html.push_str(rest);
    body.set_html(html);
    body.summary = None; // cut from the HTML, compared there
    body.links.sort_by_key(|l| {
        (
            l.line,
            l.column,
            format!("{:?}{}{}", l.kind, l.target, l.text),
        )
    });
    format!("{body:?}")
}

fn doc(parts: &[(usize, bool)]) -> String {
    let mut s = String::new();
    for &(i, blank) in parts {
        s.push_str(BLOCKS[i % BLOCKS.len()]);
        if blank {
            s.push('\n');
        }
    }
    s
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("CHUNK_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(400),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    #[test]
    fn pieces_render_as_one_parse(
        parts in proptest::collection::vec((0..BLOCKS.len(), prop::bool::weighted(0.8)), 1..40),
        rich in any::<bool>(),
        with_glossary in any::<bool>(),
    ) {
        let src = doc(&parts);
        let cfg = &configs()[usize::from(rich)];
        let g = glossary();
        let (whole, pieces) = both(&src, cfg, with_glossary.then_some(&g));
        prop_assert_eq!(whole, pieces, "{:?}", src);
    }
}

#[test]
fn a_long_body_is_cut_in_many_pieces_and_renders_the_same() {
    // Every block but those that make a body parse whole, many times over.
    let whole_only = [
        "[^",
        "]: /u\ntext",
        "Text\n[late]",
        "_TOC_",
        "    [ind",
        "\r",
    ];
    let blocks: Vec<&str> = BLOCKS
        .iter()
        .copied()
        .filter(|b| !whole_only.iter().any(|w| b.contains(w)) && !b.starts_with("```\nan open"))
        .filter(|b| !b.starts_with("- ```\n  open"))
        .collect();
    let mut src = String::new();
    for round in 0..20 {
        for (i, b) in blocks.iter().enumerate() {
            if (i + round) % 3 == 0 {
                let _ = write!(src, "## Round {round}\n\n");
            }
            src.push_str(b);
            src.push('\n');
        }
    }
    let cfg = bottom();
    let options = fascia::markdown::comrak_options(&cfg);
    let plan = chunk::plan(&src, 1, &options).expect("nothing here needs one parse");
    assert!(plan.pieces.len() > 200, "{} pieces", plan.pieces.len());
    assert!(plan.preamble.contains("[guide]:") && plan.preamble.contains("[other]:"));
    let g = glossary();
    for cfg in configs() {
        let (whole, pieces) = both(&src, &cfg, Some(&g));
        assert_eq!(whole, pieces);
    }
    // The links of the last piece carry their lines in the whole body.
    let opts = RenderOptions {
        markdown: &cfg,
        glossary: None,
        folder_depth: 1,
    };
    let body = render_in_pieces(&src, &opts, 0, 1).unwrap();
    let last = body.links.last().unwrap();
    let line = src.lines().nth(last.line - 1).unwrap();
    assert!(
        line.contains(&last.target) || line.contains("[["),
        "{line:?} {last:?}"
    );
}

#[test]
fn a_toc_marker_makes_a_body_parse_whole() {
    let options = fascia::markdown::comrak_options(&bottom());
    let src = "[[_TOC_]]\n\n## A\n\nText.\n";
    assert!(chunk::plan(src, 1, &options).is_none(), "{src:?}");
    let (whole, pieces) = both(src, &bottom(), None);
    assert_eq!(whole, pieces);
}

/// Blocks with footnotes, `{k}` and `{j}` standing for labels: references
/// repeated and in another case, definitions with continuation lines,
/// references inside definitions, unreferenced and undefined labels.
/// ([`notes_doc`] defines each label once: a label defined twice, or in a
/// container, makes the body parse whole, tested below.)
const NOTE_BLOCKS: &[&str] = &[
    "A claim[^n{k}] here.\n",
    "Twice[^n{k}] and in capitals[^N{k}].\n",
    "## Heading[^n{k}]\n",
    "- item[^n{k}]\n- other\n",
    "> quoted[^n{k}]\n",
    "Fascia, cited[^n{k}], and [a link](@/a.md).\n",
    "Missing[^nowhere] note.\n",
    "[^n{k}]: The note {k}.\n",
    "[^n{k}]: Note {k} cites[^n{j}] another.\n",
    "[^n{k}]: Note {k}.\n\n    Its second paragraph, with [[Wiki]].\n",
    "[^n{k}]: Note {k} runs\nlazily on.\n",
    "[^n{k}]: # A heading in a note\n",
    "[^n{k}]:\n",
    "[^n{k}]: With code:\n\n    ```\n    x\n\n    ```\n",
    "[^n{k}]: First.\n[^n{j}]: Right after.\n",
    "[^n{k}]: Outer.\n\n    [^n{j}]: Nested in it.\n",
    "[^n{k}]: ```\n    fenced\n\n    ```\n",
    "[^n{k}]: Shadowed [guide] definition.\n",
    "[guide]: https://example.org/g\n",
    "Plain words, deep friction and fascia.\n",
    "```\n[^n{k}]: in code\n```\n",
];

fn notes_doc(parts: &[(usize, usize, usize, bool)]) -> String {
    let mut s = String::new();
    let mut labels_defined = std::collections::HashSet::new();
    for &(b, k, j, blank) in parts {
        let template = NOTE_BLOCKS[b % NOTE_BLOCKS.len()];
        let defines: Vec<usize> = [("[^n{k}]:", k), ("[^n{j}]:", j)]
            .into_iter()
            .filter(|(d, _)| template.contains(d) && !template.starts_with("```"))
            .map(|(_, n)| n)
            .collect();
        if defines.iter().any(|n| labels_defined.contains(n)) || (defines.len() == 2 && k == j) {
            continue;
        }
        labels_defined.extend(defines);
        let block = template
            .replace("{k}", &k.to_string())
            .replace("{j}", &j.to_string());
        s.push_str(&block);
        if blank {
            s.push('\n');
        }
    }
    s
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("CHUNK_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(400),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    #[test]
    fn footnotes_in_pieces_render_as_one_parse(
        parts in proptest::collection::vec(
            (0..NOTE_BLOCKS.len(), 0..8usize, 0..8usize, prop::bool::weighted(0.85)),
            1..40,
        ),
        rich in any::<bool>(),
        with_glossary in any::<bool>(),
    ) {
        let src = notes_doc(&parts);
        let cfg = &configs()[usize::from(rich)];
        let g = glossary();
        let (whole, pieces) = both(&src, cfg, with_glossary.then_some(&g));
        prop_assert_eq!(whole, pieces, "{:?}", src);
    }
}

#[test]
fn a_long_body_with_footnotes_is_cut_in_pieces_and_renders_the_same() {
    // Each label defined once, at the top level; references before and
    // after their definitions, repeated, in capitals, inside notes.
    let mut src = String::new();
    for i in 0..300 {
        let _ = write!(src, "## Part {i}\n\nA claim[^n{i}] about fascia.\n\n");
        if i % 7 == 0 {
            let _ = write!(src, "Again[^N{i}] and an earlier one[^n{}].\n\n", i / 2);
        }
        if i % 5 == 4 {
            for k in i - 4..=i {
                let _ = write!(src, "[^n{k}]: Note {k}");
                if k % 3 == 0 {
                    let _ = write!(src, " cites[^n{}]", k + 10);
                }
                src.push_str(".\n\n");
                if k % 4 == 0 {
                    src.push_str("    A second paragraph.\n\n");
                }
            }
        }
    }
    src.push_str("[^unused]: Never referred to.\n\nUndefined[^nope].\n");
    let g = glossary();
    for cfg in configs() {
        let opts = RenderOptions {
            markdown: &cfg,
            glossary: Some(&g),
            folder_depth: 1,
        };
        let pieces = fascia::markdown::render_only_in_pieces(&src, &opts, 1)
            .unwrap()
            .expect("cut in pieces, not parsed whole");
        let whole = render(&src, &opts).unwrap();
        if cfg.footnotes_at_bottom() {
            assert!(whole.html().contains("fnref-n0-2") && whole.html().contains("id=\"fn-n299\""));
            assert!(!whole.html().contains("unused"));
        } else {
            // In place, as Zola: unreferenced definitions are kept too.
            assert!(
                whole
                    .html()
                    .contains("class=\"footnote-definition\" id=\"n299\"")
            );
            assert!(whole.html().contains("id=\"unused\""));
        }
        assert!(whole.html().contains("[^nope]"));
        assert_eq!(normal(Ok(whole)), normal(Ok(pieces)));
    }
}

#[test]
fn footnote_definitions_the_plan_cannot_follow_make_a_body_parse_whole() {
    let cfg = bottom();
    let opts = RenderOptions {
        markdown: &cfg,
        glossary: None,
        folder_depth: 1,
    };
    for src in [
        // Defined twice: which one comrak keeps is left to one parse.
        "A[^a].\n\n[^a]: One.\n\n[^A]: Two.\n",
        // In a container.
        "A[^a].\n\n> [^a]: Quoted.\n",
        // A label that inline parsing could change.
        "A[^a.b].\n\n[^a.b]: Dotted.\n",
        // Inside an HTML block that runs to a blank line: not a definition.
        "A[^a].\n\n<div>\n[^a]: In HTML.\n</div>\n",
    ] {
        let pieces = fascia::markdown::render_only_in_pieces(src, &opts, 1).unwrap();
        assert!(pieces.is_none(), "{src:?}");
        let (whole, pieces) = both(src, &cfg, None);
        assert_eq!(whole, pieces, "{src:?}");
    }
}

#[test]
fn many_footnoted_bodies_of_the_property_test_are_cut_in_pieces() {
    // The property test above must exercise the pieces, not only the
    // fallback to one parse: of bodies drawn as it draws them (fixed seed),
    // many must be cut (those with a definition nested in another are not).
    let mut seed = 11u64;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        usize::try_from(seed >> 33).unwrap() % n
    };
    let cfg = bottom();
    let opts = RenderOptions {
        markdown: &cfg,
        glossary: None,
        folder_depth: 1,
    };
    let (mut cut, mut with_notes, total) = (0, 0, 300);
    for _ in 0..total {
        let parts: Vec<_> = (0..=next(39))
            .map(|_| (next(NOTE_BLOCKS.len()), next(8), next(8), next(100) < 85))
            .collect();
        let src = notes_doc(&parts);
        if let Some(body) = fascia::markdown::render_only_in_pieces(&src, &opts, 1).unwrap() {
            cut += 1;
            with_notes += usize::from(body.html().contains("footnote-backref"));
        }
    }
    eprintln!("{cut} of {total} cut in pieces, {with_notes} of them with a footnote list");
    assert!(
        cut * 3 > total && with_notes * 4 > total,
        "{cut} cut, {with_notes} with notes"
    );
}

#[test]
fn footnotes_left_in_place_are_numbered_across_pieces() {
    // Zola's placement: each definition where it is written, numbered in
    // order of first appearance through the whole body, pieces or not.
    let cfg = MarkdownConfig::default();
    let opts = RenderOptions {
        markdown: &cfg,
        glossary: None,
        folder_depth: 1,
    };
    let mut src = String::new();
    for i in 0..200 {
        let _ = write!(
            src,
            "Para {i} with a note[^n{i}] and an early one[^n{}].\n\n[^n{i}]: Note {i}.\n\n",
            (i + 7) % 200
        );
    }
    let pieces = fascia::markdown::render_only_in_pieces(&src, &opts, 1)
        .unwrap()
        .expect("cut in pieces, not parsed whole");
    let whole = render(&src, &opts).unwrap();
    assert!(whole.html().contains(
        "<div class=\"footnote-definition\" id=\"n150\"><sup class=\"footnote-definition-label\">"
    ), "{}", whole.html());
    assert!(!whole.html().contains("footnote-backref"));
    assert_eq!(normal(Ok(whole)), normal(Ok(pieces)));
}
