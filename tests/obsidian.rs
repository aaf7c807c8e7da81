//! An Obsidian vault builds as it is with `obsidian = true`: the miniature
//! vault in `tests/fixtures/obsidian/`, one assertion per thing a vault holds.

mod harness;

use std::sync::OnceLock;

use harness::{Run, Site};

fn built() -> &'static (Site, Run) {
    static BUILT: OnceLock<(Site, Run)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let site = Site::fixture("obsidian");
        let run = site.build();
        (site, run)
    })
}

fn page(rel: &str) -> String {
    let (site, run) = built();
    run.success();
    site.read(rel)
}

#[test]
fn the_vault_builds_without_warnings() {
    let (_, run) = built();
    run.success().stderr_lacks("warning").stderr_lacks("error");
}

#[test]
fn wikilink_by_file_name_reaches_a_note_in_a_folder() {
    assert!(
        page("index.html")
            .contains("<a href=\"https://vault.example/anatomy/deep-fascia/\">Deep fascia</a>")
    );
}

#[test]
fn wikilink_by_an_alias_reaches_the_note() {
    assert!(
        page("anatomy/myofascial-release/index.html").contains(
            "<a href=\"https://vault.example/anatomy/deep-fascia/\">Deep fascial layer</a>"
        )
    );
}

#[test]
fn wikilink_to_a_heading_by_its_text() {
    let html = page("anatomy/deep-fascia/index.html");
    assert!(html.contains(
        "<a href=\"https://vault.example/anatomy/myofascial-release/#technique-in-practice\">Myofascial release &gt; Technique in practice</a>"
    ), "{html}");
    // Any case, with a label.
    assert!(page("anatomy/myofascial-release/index.html").contains(
        "<a href=\"https://vault.example/anatomy/deep-fascia/#layers-and-thickness\">its layers</a>"
    ));
}

#[test]
fn wikilink_to_a_heading_of_the_same_note() {
    assert!(page("anatomy/deep-fascia/index.html").contains(
        "<a href=\"https://vault.example/anatomy/deep-fascia/#clinical-relevance\">Clinical relevance</a>"
    ));
}

#[test]
fn percent_comments_are_removed_outside_code() {
    let html = page("anatomy/deep-fascia/index.html");
    assert!(!html.contains("Stecco"), "{html}");
    assert!(!html.contains("private note"), "{html}");
    assert!(
        page("anatomy/myofascial-release/index.html")
            .contains("<code>%%not a comment in code%%</code>")
    );
}

#[test]
fn equals_marks_are_highlights() {
    assert!(page("anatomy/deep-fascia/index.html").contains("A <mark>dense layer</mark> of"));
}

#[test]
fn unknown_properties_are_kept_in_page_extra() {
    let html = page("anatomy/deep-fascia/index.html");
    assert!(html.contains("<body class=\"wide\">"), "{html}");
    assert!(html.contains("<ul class=\"tags\"><li>anatomy</li><li>connective-tissue</li></ul>"));
}

#[test]
fn a_note_without_a_title_property_takes_its_heading() {
    assert!(page("anatomy/deep-fascia/index.html").contains("<title>Deep fascia</title>"));
}

#[test]
fn without_the_switch_unknown_properties_are_errors() {
    let s = Site::fixture("obsidian");
    s.edit("config.toml", "obsidian = true", "obsidian = false");
    s.check(&[])
        .failure()
        .stderr_has("error: unknown front matter field `cssclasses`");
}

#[test]
fn every_callout_kind_has_its_family_icon_and_title() {
    let html = page("constructs/callouts/index.html");
    for (kind, family) in [
        ("note", "note"),
        ("abstract", "abstract"),
        ("summary", "abstract"),
        ("tldr", "abstract"),
        ("info", "info"),
        ("todo", "todo"),
        ("tip", "tip"),
        ("hint", "tip"),
        ("important", "tip"),
        ("success", "success"),
        ("check", "success"),
        ("done", "success"),
        ("question", "question"),
        ("help", "question"),
        ("faq", "question"),
        ("warning", "warning"),
        ("caution", "warning"),
        ("attention", "warning"),
        ("failure", "failure"),
        ("fail", "failure"),
        ("missing", "failure"),
        ("danger", "danger"),
        ("error", "danger"),
        ("bug", "bug"),
        ("example", "example"),
        ("quote", "quote"),
        ("cite", "quote"),
    ] {
        let open = format!(
            "<div class=\"callout callout-{family}\" data-callout=\"{kind}\">\n<p class=\"callout-title\"><svg class=\"callout-icon\""
        );
        assert!(html.contains(&open), "{kind}: {html}");
    }
    assert!(!html.contains("[!"), "{html}");
    // A custom title, and the default one: the kind, capitalised.
    assert!(html.contains("</svg>Summary of the page</p>"), "{html}");
    assert!(html.contains("</svg>Tldr</p>\n<div class=\"callout-content\">\n<p>So is tldr.</p>"));
    // The icons differ by family.
    let icon = |family: &str| {
        let at = html.find(&format!("callout-{family}\"")).unwrap();
        let svg = &html[at..];
        svg[svg.find("<svg").unwrap()..svg.find("</svg>").unwrap()].to_string()
    };
    assert_ne!(icon("tip"), icon("warning"));
    // A plain quote stays a quote.
    assert!(html.contains("<blockquote>\n<p>Just a quote, not a callout.</p>\n</blockquote>"));
}

#[test]
fn foldable_callouts_are_details_closed_or_open_and_callouts_nest() {
    let html = page("constructs/callouts/index.html");
    assert!(html.contains("<details class=\"callout callout-tip\" data-callout=\"tip\">\n<summary class=\"callout-title\">"), "{html}");
    assert!(html.contains("</svg>Closed by default</summary>\n<div class=\"callout-content\">\n<p>Folded content.</p>\n</div></details>"));
    assert!(
        html.contains("<details class=\"callout callout-question\" data-callout=\"faq\" open>")
    );
    assert!(html.contains("</svg>Can callouts nest?</p>\n<div class=\"callout-content\">\n<div class=\"callout callout-todo\" data-callout=\"todo\">"), "{html}");
    assert!(html.contains("</svg>Inner</p>\n<div class=\"callout-content\">\n<p>Yes, they can.</p>\n</div></div>\n</div></div>"));
    assert!(!html.contains("<script"), "folding needs no script");
}

#[test]
fn image_embeds_with_sizes_and_file_links() {
    let html = page("constructs/embeds/index.html");
    let src = "https://vault.example/Attachments/Fascia%20layers.png";
    assert!(
        html.contains(&format!("<p><img src=\"{src}\" alt=\"Fascia layers\"></p>")),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<img src=\"{src}\" alt=\"Fascia layers\" width=\"100\" height=\"145\">"
    )));
    assert!(html.contains(&format!(
        "<img src=\"{src}\" alt=\"Fascia layers\" width=\"100\">"
    )));
    // By its path, with a width.
    assert!(html.contains(&format!(
        "<img src=\"{src}\" alt=\"Fascia layers\" width=\"120\">"
    )));
    assert!(html.contains("Read the <a class=\"internal-file embed-file\" href=\"https://vault.example/Attachments/handout.pdf\">handout.pdf</a> and <a class=\"internal-file\" href=\"https://vault.example/Attachments/handout.pdf\">the handout</a>."));
    let (site, _) = built();
    assert!(site.exists("Attachments/Fascia layers.png"));
}

#[test]
fn notes_sections_and_blocks_are_transcluded() {
    let html = page("constructs/embeds/index.html");
    // The whole note, with a link to it, and its ids left to the host page.
    assert!(html.contains("<div class=\"transclusion\">\n<p class=\"transclusion-source\"><a class=\"internal\" href=\"https://vault.example/anatomy/myofascial-release/\">Myofascial release</a></p>\n<div class=\"transclusion-content\">\n<h1 data-id=\"myofascial-release\">"), "{html}");
    assert!(html.contains(
        "Works on the <a href=\"https://vault.example/anatomy/deep-fascia/\">Deep fascial layer</a>"
    ));
    // A heading's section: up to the next heading of its level.
    let at = html
        .find("Deep fascia &gt; Layers and thickness</a>")
        .expect(&html);
    let section = &html[at..at + html[at..].find("</div>").unwrap()];
    assert!(
        section.contains("<h2 data-id=\"layers-and-thickness\">Layers and thickness"),
        "{section}"
    );
    assert!(section.contains(
        "See <a href=\"https://vault.example/anatomy/deep-fascia/#clinical-relevance\">"
    ));
    assert!(
        !section.contains("Clinical relevance <a"),
        "the next heading ends the section: {section}"
    );
    // A block, by its id, without its marker.
    assert!(html.contains("<div class=\"transclusion-content\">\n<p><span class=\"block-id\" data-id=\"^key-finding\"></span>The key finding is that fascia is continuous.</p>\n</div>"), "{html}");
    // Inside a sentence, an embed is a link.
    assert!(html.contains("An inline <a class=\"internal\" href=\"https://vault.example/anatomy/myofascial-release/\">Myofascial release</a> is a link."));
}

#[test]
fn block_ids_are_anchors_with_the_marker_hidden() {
    let html = page("constructs/blocks/index.html");
    assert!(html.contains("<p><span class=\"block-id\" id=\"^key-finding\"></span>The key finding is that fascia is continuous.</p>"), "{html}");
    assert!(
        html.contains("<li><span class=\"block-id\" id=\"^second-item\"></span>Second item</li>")
    );
    assert!(
        !html.contains(" ^key-finding") && !html.contains(" ^second-item"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"https://vault.example/constructs/blocks/#^key-finding\">¶</a>"),
        "{html}"
    );
    assert!(html.contains(
        "<a href=\"https://vault.example/constructs/blocks/#^second-item\">the second item</a>"
    ));
}

#[test]
fn an_unknown_block_id_is_a_link_error_at_its_place() {
    let s = Site::fixture("obsidian");
    s.edit(
        "content/Constructs/Blocks.md",
        "[[#^key-finding]]",
        "[[#^no-such-block]]",
    );
    s.check(&[])
        .failure()
        .stderr_has("content/Constructs/Blocks.md:8:5: error: anchor `#^no-such-block` does not exist on this page")
        .stderr_has("block ids are written at the end of a paragraph or list item: `text ^no-such-block`");
}

#[test]
fn an_unknown_file_is_a_link_error_at_its_place() {
    let s = Site::fixture("obsidian");
    s.edit(
        "content/Constructs/Embeds.md",
        "![[handout.pdf]]",
        "![[handot.pdf]]",
    );
    s.check(&[])
        .failure()
        .stderr_has(
            "content/Constructs/Embeds.md:11:10: error: `handot.pdf` matches no file in content/",
        )
        .stderr_has("did you mean `handout.pdf`?");
}

#[test]
fn embeds_that_come_back_are_warned_about_and_stop() {
    let s = Site::fixture("obsidian");
    s.write("content/Loop/A.md", "# A\n\nText of A.\n\n![[B]]\n");
    s.write("content/Loop/B.md", "# B\n\nText of B.\n\n![[A]]\n");
    let run = s.build();
    run.success().stderr_has(
        "content/Loop/A.md:5:1: warning: `![[B]]` comes back to itself (Loop/A.md → Loop/B.md → Loop/A.md)",
    );
    let a = s.read("loop/a/index.html");
    assert_eq!(
        a.matches("Text of A.").count(),
        2,
        "A, B inside it, A once more, then a link: {a}"
    );
    assert_eq!(a.matches("Text of B.").count(), 1, "{a}");
    // A note that shows another part of itself is no circle.
    let s = Site::fixture("obsidian");
    s.write(
        "content/Self.md",
        "# Self\n\n## One\n\nFirst part.\n\n## Two\n\n![[Self#One]]\n",
    );
    s.build().success().stderr_lacks("comes back");
    assert_eq!(s.read("self/index.html").matches("First part.").count(), 2);
}

#[test]
fn inline_tags_are_links_to_the_tags_taxonomy() {
    let html = page("constructs/embeds/index.html");
    assert!(html.contains("Tagged <a class=\"tag\" href=\"https://vault.example/tags/anatomy-fascia/\">#anatomy/fascia</a> and <a class=\"tag\" href=\"https://vault.example/tags/manual-therapy/\">#manual-therapy</a>, not #1984, <code>#not-in-code</code>, see <a href=\"https://example.org/#frag\">link</a>."), "{html}");
    assert!(html.contains("<h2 id=\"tagged-heading-not-a-tag\">Tagged heading #not-a-tag"));
    let tag = page("tags/manual-therapy/index.html");
    assert!(
        tag.contains("<a href=\"https://vault.example/constructs/embeds/\">Embeds</a>"),
        "{tag}"
    );
    // The tags property joins the same taxonomy.
    let tag = page("tags/connective-tissue/index.html");
    assert!(
        tag.contains("<a href=\"https://vault.example/anatomy/deep-fascia/\">Deep fascia</a>"),
        "{tag}"
    );
}

#[test]
fn folders_without_an_index_are_sections() {
    let inbox = page("inbox/index.html");
    assert!(inbox.contains("<title>Inbox</title>"), "{inbox}");
    assert!(inbox.contains("<a href=\"https://vault.example/inbox/loose-note/\">Loose note</a>"));
    let deeper = page("inbox/deeper/index.html");
    assert!(
        deeper.contains("<a href=\"https://vault.example/inbox/deeper/deep-note/\">Deep note</a>"),
        "{deeper}"
    );
    let (site, _) = built();
    assert!(site.exists("constructs/index.html") && site.exists("anatomy/index.html"));
}

#[test]
fn mermaid_blocks_are_left_for_the_diagram_library_and_maths_render() {
    let html = page("constructs/embeds/index.html");
    assert!(
        html.contains("<pre class=\"mermaid\">graph TD\n  A[Fascia] --&gt; B[Muscle]\n</pre>"),
        "{html}"
    );
    assert!(page("inbox/loose-note/index.html").contains("maths: <math"));
}

#[test]
fn check_ends_with_a_migration_report() {
    let s = Site::fixture("obsidian");
    s.edit(
        "content/Constructs/Embeds.md",
        "![[handout.pdf]]",
        "![[handot.pdf]]",
    );
    let run = s.check(&[]);
    run.failure()
        .stderr_has("Migration report:\n  accepted: ")
        .stderr_has("  callouts\n")
        .stderr_has("  needs an edit: 1\n          1  missing-file\n");
    let json = s.check(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let m = &doc["migration"];
    let count = |list: &str, kind: &str| {
        m[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == kind)
            .map(|k| k["count"].as_u64().unwrap())
    };
    assert_eq!(count("accepted", "callouts"), Some(31));
    assert_eq!(count("accepted", "block ids"), Some(2));
    assert_eq!(count("accepted", "note embeds"), Some(3));
    assert_eq!(count("accepted", "inline tags"), Some(2));
    assert_eq!(count("accepted", "mermaid diagrams"), Some(1));
    assert_eq!(count("needs_edit", "missing-file"), Some(1));
}

#[test]
fn embeds_nested_too_deep_are_warned_about_and_linked() {
    let s = Site::fixture("obsidian");
    for n in 1..=6 {
        let next = if n < 6 {
            format!("![[N{}]]\n", n + 1)
        } else {
            String::new()
        };
        s.write(
            &format!("content/Chain/N{n}.md"),
            &format!("# N{n}\n\nLevel {n} text.\n\n{next}"),
        );
    }
    let run = s.build();
    run.success()
        .stderr_has("content/Chain/N1.md:5:1: warning: `![[N2]]` nests embeds 5 deep; fascia shows 4, and links the deeper ones")
        .stderr_lacks("Chain/N2.md:5:1: warning");
    let html = s.read("chain/n1/index.html");
    for n in 1..=5 {
        assert!(
            html.contains(&format!("Level {n} text.")),
            "level {n}: {html}"
        );
    }
    assert!(!html.contains("Level 6 text."), "{html}");
    assert!(html.contains("<a class=\"internal\" href=\"https://vault.example/chain/n6/\">N6</a>"));
}

#[test]
fn init_from_obsidian_builds_a_vault_without_touching_it() {
    let s = Site::fixture("obsidian");
    let before = harness::snapshot(&s.root().join("content"));
    harness::run_in(&s.root(), &["init", "--from-obsidian", "content", "site"]).success();
    let config = std::fs::read_to_string(s.root().join("site/config.toml")).unwrap();
    assert!(config.contains("obsidian = true\n"), "{config}");
    let out = s.root().join("out");
    let out_arg = out.to_str().unwrap();
    harness::run_in(&s.root(), &["build", "--root", "site", "-o", out_arg])
        .success()
        .stderr_lacks("error");
    let html = std::fs::read_to_string(out.join("constructs/callouts/index.html")).unwrap();
    assert!(html.contains("<div class=\"callout callout-note\" data-callout=\"note\">"));
    assert_eq!(
        harness::snapshot(&s.root().join("content")),
        before,
        "the vault is unchanged"
    );
    // Not over an existing site.
    harness::run_in(&s.root(), &["init", "--from-obsidian", "content", "site"])
        .failure()
        .stderr_has("already exists and is not empty");
}

#[test]
fn a_link_to_a_note_not_written_yet_is_a_warning_unless_links_are_strict() {
    let s = Site::fixture("obsidian");
    s.write(
        "content/Inbox/Idea.md",
        "Next: [[A note to write]] and [[Loose note#No such heading]].\n",
    );
    // As in Obsidian, a link to a missing note is a note still to write:
    // a warning at its place, and the build goes on. A missing heading in
    // a note that exists stays an error.
    s.build()
        .failure()
        .stderr_has("content/Inbox/Idea.md:1:")
        .stderr_has("A note to write")
        .stderr_has("No such heading");
    s.write("content/Inbox/Idea.md", "Next: [[A note to write]].\n");
    let run = s.build();
    run.success()
        .stderr_has("warning")
        .stderr_has("content/Inbox/Idea.md:1:7");
    assert!(s.read("inbox/idea/index.html").contains("A note to write"));
    // `internal_level = "error"` makes it an error again.
    let cfg = std::fs::read_to_string(s.root().join("config.toml")).unwrap();
    s.write(
        "config.toml",
        &format!("{cfg}\n[link_checker]\ninternal_level = \"error\"\n"),
    );
    s.build().failure().stderr_has("content/Inbox/Idea.md:1:7");
}
