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
