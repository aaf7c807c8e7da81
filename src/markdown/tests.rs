//! Tests of the Markdown stage.

use super::*;

#[test]
fn sentences_of_several_links_in_one_block() {
    let b = md(
        "Intro here. First [a](@/a.md) link. Then [b](@/b.md) and [c](@/c.md) too! End.\n\nOther [d](@/d.md)\n",
    );
    let got: Vec<&str> = b.links.iter().map(|l| l.sentence.as_str()).collect();
    assert_eq!(
        got,
        [
            "First a link.",
            "Then b and c too!",
            "Then b and c too!",
            "Other d"
        ]
    );
}

fn md(src: &str) -> Body {
    let cfg = MarkdownConfig::default();
    render(
        src,
        &RenderOptions {
            markdown: &cfg,
            glossary: None,
            folder_depth: 1,
        },
    )
    .unwrap()
}

#[test]
fn headings_get_unique_ids_and_anchors() {
    let b = md("## History\n\ntext\n\n## History\n\n### Notes {#custom}\n");
    let ids: Vec<_> = b.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["history", "history-1", "custom"]);
    // No anchor link unless asked, as in Zola.
    assert!(
        b.html.contains("<h2 id=\"history\">History</h2>"),
        "{}",
        b.html
    );
    assert!(
        b.html.contains("<h3 id=\"custom\">Notes</h3>"),
        "{}",
        b.html
    );
    assert_eq!(b.headings[2].title, "Notes");
}

#[test]
fn anchor_links_are_zolas_unless_a_template_gives_them() {
    fn opts(cfg: &MarkdownConfig) -> RenderOptions<'_> {
        RenderOptions {
            markdown: cfg,
            glossary: None,
            folder_depth: 1,
        }
    }
    let mut cfg = MarkdownConfig {
        insert_anchor_links: Some(AnchorLinks::Right),
        ..MarkdownConfig::default()
    };
    let b = render("## It's here {#here}\n", &opts(&cfg)).unwrap();
    assert_eq!(
        b.html.trim(),
        "<h2 id=\"here\">It's here<a class=\"zola-anchor\" href=\"#here\" aria-label=\"Anchor link for: here\">🔗</a></h2>"
    );
    cfg.anchor_link_html = Some(std::sync::Arc::new(vec![
        format!(
            " <a href=\"#{}\">§</a>",
            crate::config::ANCHOR_ID
        );
        6
    ]));
    cfg.smart_punctuation = Some(true);
    let b = render("## It's here {#here}\n", &opts(&cfg)).unwrap();
    assert_eq!(
        b.html.trim(),
        "<h2 id=\"here\">It’s here <a href=\"#here\">§</a></h2>"
    );
}

#[test]
fn links_become_placeholders_with_positions_and_sentences() {
    let b = md(
        "First sentence. See [IASTM](@/techniques/iastm.md#history) for more. Last.\n\n[[Graston|GT]] and [S](ref:seffrin2019) and [x](../a.md) and [y](#top) and [e](https://e.org)\n",
    );
    let kinds: Vec<_> = b.links.iter().map(|l| l.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            LinkKind::Internal,
            LinkKind::Wiki,
            LinkKind::Citation,
            LinkKind::Relative,
            LinkKind::SamePage
        ]
    );
    assert_eq!(b.links[0].target, "@/techniques/iastm.md#history");
    assert_eq!((b.links[0].line, b.links[0].column), (1, 21));
    assert_eq!(b.links[0].sentence, "See IASTM for more.");
    assert_eq!(b.links[1].target, "Graston");
    assert_eq!(b.links[1].text, "GT");
    assert_eq!(b.links[2].target, "seffrin2019");
    assert!(b.html.contains("href=\"fascia:L0\""));
    assert!(b.html.contains("href=\"https://e.org\""));
}

#[test]
fn gfm_features_render() {
    let src = "> [!WARNING]\n> Careful.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ and a note[^1].\n\n[^1]: The note.\n";
    let cfg = MarkdownConfig {
        github_alerts: Some(true),
        ..MarkdownConfig::default()
    };
    let opts = RenderOptions {
        markdown: &cfg,
        glossary: None,
        folder_depth: 1,
    };
    let b = render(src, &opts).unwrap();
    assert!(b.html.contains("markdown-alert-warning"), "{}", b.html);
    // Without `github_alerts`, as in Zola, the alert stays a quote.
    let plain = md(src);
    assert!(
        plain.html.contains("<blockquote>\n<p>[!WARNING]"),
        "{}",
        plain.html
    );
    assert!(b.html.contains("<table>"));
    assert!(b.html.contains("<del>old</del>"));
    assert!(b.html.contains("footnote"));
    assert!(b.html.contains("checkbox"));
}

#[test]
fn relative_links_out_of_content_are_kept_as_written() {
    let b = md("[readme](../../README.md) and [sibling](../a.md)\n");
    assert_eq!(b.outside_links, [(1, 1, "../../README.md".to_string())]);
    assert_eq!(b.links.len(), 1);
    assert!(b.html.contains("href=\"../../README.md\""), "{}", b.html);
}

#[test]
fn gitlab_toc_marker_is_a_table_of_contents() {
    let b = md("[[_TOC_]]\n\n## One\n\n### Two\n");
    assert!(b.links.is_empty());
    assert!(
        b.html.starts_with("<nav class=\"toc\"><ul><li><a href=\"#one\">One</a><ul><li><a href=\"#two\">Two</a></li></ul></li></ul></nav>"),
        "{}",
        b.html
    );
}

#[test]
fn fenced_code_is_highlighted_with_classes_and_unknown_languages_noted() {
    let b = md("```rust,title=x\nfn main() {}\n```\n\n```nosuch\nx < y\n```\n\n```\nplain\n```\n");
    assert!(
        b.html
            .contains("<pre><code class=\"language-rust\"><span class=\"hl-"),
        "{}",
        b.html
    );
    assert!(
        b.html
            .contains("<pre><code class=\"language-nosuch\">x &lt; y\n</code></pre>"),
        "{}",
        b.html
    );
    assert!(
        b.html.contains("<pre><code>plain\n</code></pre>"),
        "{}",
        b.html
    );
    assert_eq!(b.unknown_languages, [(5, 1, "nosuch".to_string())]);
    let off = MarkdownConfig {
        highlight_code: Some(false),
        ..MarkdownConfig::default()
    };
    let b = render(
        "```rust\nfn main() {}\n```\n",
        &RenderOptions {
            markdown: &off,
            glossary: None,
            folder_depth: 0,
        },
    )
    .unwrap();
    assert_eq!(
        b.html,
        "<pre><code class=\"language-rust\">fn main() {}\n</code></pre>\n"
    );
}

#[test]
fn maths_become_mathml_when_switched_on() {
    let on = MarkdownConfig {
        math: Some(true),
        ..MarkdownConfig::default()
    };
    let opts = RenderOptions {
        markdown: &on,
        glossary: None,
        folder_depth: 0,
    };
    let b = render(
        "Energy $E = mc^2$ and\n\n$$\\frac{a}{b}$$\n\nbad $\\frac{a}$ here\n",
        &opts,
    )
    .unwrap();
    assert!(b.html.contains("Energy <math"), "{}", b.html);
    assert!(b.html.contains("display=\"block\""), "{}", b.html);
    assert!(
        b.html
            .contains("<code class=\"math-error\">\\frac{a}</code>"),
        "{}",
        b.html
    );
    assert_eq!(b.math_errors.len(), 1);
    assert_eq!(b.math_errors[0].0, 5);
    let off = md("Costs $5 or $E = mc^2$.\n");
    assert!(off.html.contains("$E = mc^2$"), "{}", off.html);
}

#[test]
fn counts_words_and_cuts_summary() {
    let b = md("One two three.\n\n<!-- more -->\n\nFour five.\n");
    // Zola counts the raw Markdown's words, the marker's `more` too.
    assert_eq!(b.word_count, 6);
    assert!(b.summary.unwrap().contains("One two three."));
    // Zola's anchor in place of the marker, which it reads in any case.
    assert!(
        b.html
            .contains("<span id=\"continue-reading\"></span>\n<p>Four five.</p>"),
        "{}",
        b.html
    );
    let upper = md("One.\n\n<!--MORE-->\n\nTwo.\n");
    assert_eq!(upper.summary.as_deref(), Some("<p>One.</p>"));
}

#[test]
fn heading_attributes_give_ids_and_classes_as_zola_does() {
    // What Zola 0.22 writes for the same headings.
    let b = md(
        "#### On GitHub {#gh .centered-text .wide data-x=1}\n\n## Sets {1, 2}\n\n## Plain {.c}\n\n\
         ## A {}\n\n## C {#}\n\n## D{.e}\n\n## E {#a #z .x.y}\n\n## F {.a} {.b}\n",
    );
    for h in [
        "<h4 id=\"gh\" class=\"centered-text wide\">On GitHub</h4>",
        "<h2 id=\"sets\">Sets</h2>",
        "<h2 id=\"plain\" class=\"c\">Plain</h2>",
        "<h2 id=\"a\">A</h2>",
        "<h2 id=\"c\">C</h2>",
        "<h2 id=\"d\" class=\"e\">D</h2>",
        "<h2 id=\"z\" class=\"x.y\">E</h2>",
        "<h2 id=\"f-a\" class=\"b\">F {.a}</h2>",
    ] {
        assert!(b.html.contains(h), "{h} in {}", b.html);
    }
    assert_eq!(b.headings[1].title, "Sets");
}

#[test]
fn the_summary_marker_is_zolas_in_any_spelling() {
    // As zola 0.22 writes it: the summary trimmed, the marker a span.
    for more in [
        "<!-- more -->",
        "<!--more-->",
        "<!-- MORE -->",
        "<!--\t MoRe \t-->",
    ] {
        let b = md(&format!("First para.\n\n{more}\n\nSecond para.\n"));
        assert_eq!(b.summary.as_deref(), Some("<p>First para.</p>"), "{more}");
        assert_eq!(
            b.html,
            "<p>First para.</p>\n<span id=\"continue-reading\"></span>\n<p>Second para.</p>\n",
            "{more}"
        );
    }
    assert_eq!(md("No marker.\n").summary, None);
}
