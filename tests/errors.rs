//! Integration tests of mistakes: every user error is located (file, line,
//! column, the source line), explained with a hint, fails with a non-zero
//! exit, and leaves the previous output untouched.

mod harness;

use std::fmt::Write as _;

use harness::{Site, snapshot};

/// Build once, break the site, build again: the error is located and the
/// previous output is untouched.
#[track_caller]
fn assert_error_keeps_output(s: &Site, expected_location: &str, expected_message: &str) {
    let before = snapshot(&s.out());
    assert!(!before.is_empty(), "first build wrote nothing");
    let run = s.build();
    run.failure()
        .stderr_has(expected_location)
        .stderr_has(expected_message)
        .stderr_has("previous output is untouched");
    assert_eq!(
        before,
        snapshot(&s.out()),
        "output changed after a failed build"
    );
}

fn built() -> Site {
    let s = Site::fixture("basic");
    s.build().success();
    s
}

#[test]
fn error_bad_toml_front_matter() {
    let s = built();
    s.edit("content/notes/beta.md", "title: Beta", "title: [Beta");
    assert_error_keeps_output(&s, "content/notes/beta.md:3:", "error:");
    let s = built();
    s.edit("content/notes/alpha.md", "weight = 2", "weight = = 2");
    assert_error_keeps_output(&s, "content/notes/alpha.md:4:10: error: extra `=`", "");
}

#[test]
fn error_missing_required_review_date_fails_the_build() {
    let s = built();
    s.edit(
        "config.toml",
        "[knowledge]\n",
        "[knowledge]\nrequire_last_reviewed = [\"tech\"]\n",
    );
    assert_error_keeps_output(
        &s,
        "content/tech/other.md:2:1: error: pages in tech/ must carry `last_reviewed`",
        "add `last_reviewed = ",
    );
}

#[test]
fn error_unknown_config_key() {
    let s = built();
    s.edit("config.toml", "description =", "descripton =");
    assert_error_keeps_output(
        &s,
        "config.toml:3:1: error: unknown key `descripton` in config.toml",
        "did you mean `description`?",
    );
}

#[test]
fn error_missing_page() {
    let s = built();
    s.edit(
        "content/notes/alpha.md",
        "(@/notes/beta.md#details)",
        "(@/notes/betta.md#details)",
    );
    assert_error_keeps_output(
        &s,
        "content/notes/alpha.md:21:26: error: link to a page that does not exist: `@/notes/betta.md#details`",
        "did you mean `@/notes/beta.md`?",
    );
    // The snippet shows the source line with a caret under the link.
    let run = s.build();
    run.stderr_has("21 | Alpha opens. It links to [Beta's details]")
        .stderr_has("   |                          ^");
}

#[test]
fn error_missing_anchor() {
    let s = built();
    s.edit(
        "content/notes/alpha.md",
        "beta.md#details",
        "beta.md#detials",
    );
    assert_error_keeps_output(
        &s,
        "content/notes/alpha.md:21:26: error: anchor `#detials` does not exist on `notes/beta.md`",
        "did you mean `#details`?",
    );
}

#[test]
fn error_bad_wikilink() {
    let s = built();
    s.edit("content/notes/alpha.md", "[[Gamma]]", "[[Gama]]");
    assert_error_keeps_output(
        &s,
        "content/notes/alpha.md:21:77:",
        "wikilink `[[Gama]]` matches no page",
    );
    s.run(&["check", "--root", s.root().to_str().unwrap()])
        .failure()
        .stderr_has("did you mean `[[gamma]]`?");
}

#[test]
fn error_unknown_shortcode() {
    let s = built();
    s.edit("content/notes/alpha.md", "{{ badge(", "{{ badger(");
    assert_error_keeps_output(
        &s,
        "content/notes/alpha.md:23:1: error: unknown shortcode `badger`",
        "templates/shortcodes/badger.html",
    );
}

#[test]
fn error_template() {
    let s = built();
    s.write("templates/section.html", "{% extends \"base.html\" %}{% block content %}\n{{ section.title | nosuchfilter }}{% endblock %}\n");
    assert_error_keeps_output(&s, "templates/section.html:2:", "unknown filter");
}

#[test]
fn error_duplicate_output_path() {
    let s = built();
    s.write(
        "content/notes/copy.md",
        "+++\ntitle = \"Copy\"\nslug = \"alpha\"\n+++\nx\n",
    );
    assert_error_keeps_output(&s, "content/notes/", "both write the URL /notes/alpha/");
}

#[test]
fn error_page_at_the_print_editions_url() {
    // Without a print edition, a page may have the URL /print/.
    let s = built();
    s.write(
        "content/print.md",
        "+++\ntitle = \"Printing\"\n+++\nOn [alpha](@/notes/alpha.md).\n",
    );
    s.build().success();
    assert!(s.out().join("print/index.html").is_file());
    // With one, that page is an error naming it, before anything is written.
    s.write(
        "templates/print.html",
        "<h1>All</h1>{% for a in articles %}{{ a.title }}{% endfor %}\n",
    );
    assert_error_keeps_output(
        &s,
        "content/print.md: error: content/print.md writes the URL /print/, where the print edition goes",
        "give it a different `slug` or `path`",
    );
}

#[test]
fn error_unknown_citation_and_facts() {
    let s = built();
    s.edit("content/notes/alpha.md", "ref:jones2019", "ref:jones2018");
    assert_error_keeps_output(
        &s,
        "content/notes/alpha.md:31:88:",
        "unknown reference `jones2018`",
    );
    let s = built();
    s.edit(
        "content/notes/alpha.md",
        "level = \"low\"",
        "level = \"lw\"",
    );
    assert_error_keeps_output(
        &s,
        "content/notes/alpha.md:18:1: error: `lw` is not an allowed value of facts field `level`",
        "did you mean `low`?",
    );
    let s = built();
    s.edit(
        "content/notes/alpha.md",
        "tool = \"steel\"",
        "tol = \"steel\"",
    );
    assert_error_keeps_output(
        &s,
        "content/notes/alpha.md:16:1: error: unknown facts field `tol`",
        "did you mean `tool`?",
    );
    let s = built();
    s.edit(
        "content/tech/compare.md",
        "@/tech/other.md",
        "@/tech/otter.md",
    );
    assert_error_keeps_output(
        &s,
        "content/tech/compare.md:3:",
        "compared page `@/tech/otter.md` does not exist",
    );
}

#[test]
fn check_reports_every_error_in_one_run() {
    let s = Site::fixture("basic");
    s.edit("content/notes/alpha.md", "[[Gamma]]", "[[Gama]]");
    s.edit(
        "content/notes/beta.md",
        "@/notes/alpha.md",
        "@/notes/alfa.md",
    );
    let run = s.check(&[]);
    run.failure()
        .stderr_has("alpha.md:21:")
        .stderr_has("beta.md:8:32:")
        .stderr_has(": 2 errors");
    let json = s.check(&["--format", "json"]);
    json.failure();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 2);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap();
    assert!(d["file"].as_str().unwrap().ends_with("alpha.md"));
    assert_eq!(d["line"], 21);
}

#[test]
fn check_warns_and_strict_fails() {
    let s = Site::fixture("basic");
    let run = s.check(&[]);
    run.success()
        .stderr_has("work `unused2000` is cited nowhere")
        .stderr_has("work `unused2000` has no year");
    s.check(&["--strict"]).failure();
}

#[test]
fn refuses_dangerous_output_folders() {
    let s = Site::fixture("basic");
    let root = s.root();
    let r = root.to_str().unwrap();
    s.run(&["build", "--root", r, "-o", r])
        .failure()
        .stderr_has("it is the site root or contains it");
    s.run(&["build", "--root", r, "-o", s.dir.path().to_str().unwrap()])
        .failure()
        .stderr_has("contains it");
    let content = root.join("content");
    s.run(&["build", "--root", r, "-o", content.to_str().unwrap()])
        .failure()
        .stderr_has("inside the site's content/");
    let precious = s.dir.path().join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("thesis.txt"), "years of work").unwrap();
    let p = precious.to_str().unwrap();
    s.run(&["build", "--root", r, "-o", p])
        .failure()
        .stderr_has("fascia did not create it");
    assert_eq!(
        std::fs::read_to_string(precious.join("thesis.txt")).unwrap(),
        "years of work"
    );
    s.run(&["build", "--root", r, "-o", "/"])
        .failure()
        .stderr_has("filesystem root");
    // --force replaces it.
    s.run(&["build", "--root", r, "-o", p, "--force"]).success();
    assert!(!precious.join("thesis.txt").exists());
    assert!(precious.join(".fascia-output").exists());
}

#[test]
fn links_written_as_plain_urls_are_checked_like_at_links() {
    let s = Site::fixture("basic");
    // Every form that leads somewhere real: pages (with and without the
    // trailing slash or with index.html), anchors, static files, bundle
    // assets, feeds, the sitemap, taxonomy pages, aliases and the 404 page.
    s.edit(
        "content/notes/alpha.md",
        "Fascia is tissue.",
        "Fascia is tissue. [a](/notes/beta/#details) [b](../beta/) [c](/notes/beta) \
         [d](/notes/beta/index.html) [e](/style.css?v=2) [f](../bundle/square.svg) \
         [g](/atom.xml) [h](/sitemap.xml) [i](/tags/) [j](/tags/deep-work/) \
         [k](/old/alpha/) [l](/404.html) [m](./#evidence) <a href=\"/tech/\">raw</a> \
         [n](/tech/other/)",
    );
    s.build().success();
    // Plain links are links of the graph too: `Other` is no orphan now.
    s.check(&[])
        .success()
        .stderr_lacks("`Other` has no inbound links");
    let broken = [
        (
            "[b](../beta/)",
            "[b](../betta/)",
            ":21:",
            "`../betta/` (it leads to /notes/betta/)",
            Some("did you mean `/notes/beta/` (@/notes/beta.md)?"),
        ),
        (
            "[c](/notes/beta)",
            "[c](/notes/missing/)",
            ":21:",
            "`/notes/missing/`",
            None,
        ),
        (
            "href=\"/tech/\"",
            "href=\"/tech/nope/\"",
            ":21:",
            "`/tech/nope/`",
            None,
        ),
        (
            "[f](../bundle/square.svg)",
            "[f](../bundle/circle.svg)",
            ":21:",
            "`../bundle/circle.svg`",
            None,
        ),
        (
            "[a](/notes/beta/#details)",
            "[a](/notes/beta/#detail)",
            ":21:",
            "anchor `#detail` does not exist on `notes/beta.md`",
            Some("did you mean `#details`?"),
        ),
    ];
    for (from, to, line, message, help) in broken {
        s.edit("content/notes/alpha.md", from, to);
        let text = std::fs::read_to_string(s.root().join("content/notes/alpha.md")).unwrap();
        let col = text.lines().nth(20).unwrap().find(to).unwrap() + 1;
        let run = s.build();
        run.failure()
            .stderr_has(&format!("content/notes/alpha.md{line}{col}: error:"))
            .stderr_has(message);
        match help {
            Some(h) => run.stderr_has(h),
            None => run.stderr_lacks("did you mean"),
        };
        s.check(&[]).failure().stderr_has(message);
        s.edit("content/notes/alpha.md", to, from);
    }
    s.build().success();
}

#[test]
fn every_file_a_build_writes_is_a_valid_plain_link() {
    // The link stage knows every path the render stage emits: a page linking
    // to every file of a build (pages, assets, feeds, taxonomy, search) passes.
    let s = Site::fixture("basic");
    s.build().success();
    let mut links = String::new();
    for (p, _) in snapshot(&s.out()) {
        if p != ".fascia-output" {
            writeln!(links, "[{p}](/{p})").unwrap();
        }
    }
    assert!(
        links.contains("(/search/"),
        "the fixture has a search index"
    );
    s.write(
        "content/every-file.md",
        &format!("+++\ntitle = \"Every file\"\n+++\n\n{links}"),
    );
    s.check(&[]).success();
}

#[test]
fn did_you_mean_suggests_only_close_names() {
    let s = built();
    s.edit(
        "content/notes/alpha.md",
        "(@/notes/beta.md#details)",
        "(@/notes/btea.md#details)",
    );
    s.build()
        .failure()
        .stderr_has("did you mean `@/notes/beta.md`?");
    s.edit(
        "content/notes/alpha.md",
        "(@/notes/btea.md#details)",
        "(@/nonexistent.md)",
    );
    s.build()
        .failure()
        .stderr_has("link to a page that does not exist: `@/nonexistent.md`")
        .stderr_lacks("did you mean");
}

#[test]
fn check_reports_warnings_beside_a_single_error() {
    let s = Site::fixture("basic");
    let clean = s.check(&[]);
    clean
        .success()
        .stderr_has("warning: work `unused2000` is cited nowhere");
    s.edit("content/notes/alpha.md", "[[Gamma]]", "[[Gama]]");
    let run = s.check(&[]);
    run.failure()
        .stderr_has("error: wikilink `[[Gama]]` matches no page")
        // The health warnings of the same run are not dropped.
        .stderr_has("warning: work `unused2000` is cited nowhere")
        .stderr_has(": 1 error, ")
        .stderr_lacks("1 errors");
    let build = s.build();
    build
        .failure()
        .stderr_has("warning: work `unused2000` is cited nowhere")
        .stderr_has("build failed: 1 error, ");
}

#[test]
fn glossary_mistakes_are_located_in_the_data_file() {
    let s = built();
    let good = std::fs::read_to_string(s.root().join("data/glossary.toml")).unwrap();
    // A term pointing at a page that does not exist.
    s.write(
        "data/glossary.toml",
        &format!("{good}\n[[terms]]\nterm = \"Graston\"\ndefinition = \"A brand.\"\npage = \"@/tech/gone.md\"\n"),
    );
    let line = good.lines().count() + 5;
    assert_error_keeps_output(
        &s,
        &format!("data/glossary.toml:{line}:8"),
        "glossary term `Graston` points at `@/tech/gone.md`, which does not exist",
    );
    // The same term twice, and an empty term.
    s.write(
        "data/glossary.toml",
        &format!("{good}\n[[terms]]\nterm = \"Fascia\"\ndefinition = \"Again.\"\n\n[[terms]]\nterm = \" \"\ndefinition = \"Nameless.\"\n"),
    );
    let run = s.check(&[]);
    run.failure()
        .stderr_has("glossary name `Fascia` is used by both")
        .stderr_has(&format!(
            "data/glossary.toml:{}:8: error: a glossary entry has an empty `term`",
            good.lines().count() + 7
        ));
}

#[test]
fn an_alias_over_a_page_is_located_at_the_alias() {
    let s = built();
    s.edit(
        "content/notes/beta.md",
        "---\n",
        "---\naliases: [\"/notes/alpha/\"]\n",
    );
    assert_error_keeps_output(
        &s,
        "content/notes/beta.md:2:12",
        "alias `/notes/alpha/` would overwrite `notes/alpha/index.html`",
    );
}
