//! Integration tests: the real binary over fixture sites.

mod harness;

use harness::{Site, snapshot};

// ---------------------------------------------------------------- features

#[test]
fn builds_pages_sections_and_pretty_urls() {
    let s = Site::fixture("basic");
    s.build().success().stderr_has("Built 7 pages, 3 sections");
    for f in [
        "index.html",
        "notes/index.html",
        "notes/alpha/index.html",
        "notes/beta/index.html",
        "tech/compare/index.html",
    ] {
        assert!(s.exists(f), "{f} missing");
    }
    assert!(s.exists(".fascia-output"));
    // Drafts are left out without --drafts.
    assert!(!s.exists("notes/draft/index.html"));
    // Section order follows weights: Beta (1), Alpha (2), Gamma (3).
    let notes = s.read("notes/index.html");
    let order: Vec<usize> = ["Beta", "Alpha", "Gamma"]
        .iter()
        .map(|t| notes.find(&format!(">{t}</a>")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{notes}");
}

#[test]
fn drafts_flag_includes_drafts() {
    let s = Site::fixture("basic");
    let root = s.root();
    let out = s.out();
    s.run(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--drafts",
    ])
    .success();
    assert!(s.read("notes/draft/index.html").contains("Unfinished"));
}

#[test]
fn resolves_every_kind_of_internal_link() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    assert!(
        alpha.contains(r#"<a href="https://example.org/notes/beta/#details">Beta’s details</a>"#),
        "@/ with anchor"
    );
    assert!(
        alpha.contains(r#"<a href="https://example.org/notes/bundle/">Gamma</a>"#),
        "wikilink by title"
    );
    assert!(
        alpha.contains(r#"<a href="https://example.org/notes/alpha/">itself</a>"#),
        "wikilink by synonym with label"
    );
    assert!(
        alpha.contains(r#"<a href="https://example.org/notes/beta/">beta</a>"#),
        "relative .md link"
    );
    assert!(alpha.contains(r##"<a href="#evidence-1">anchor on this page</a>"##));
    let bundle = s.read("notes/bundle/index.html");
    assert!(
        bundle.contains(r#"href="https://example.org/notes/beta/#details""#),
        "relative ../ link with anchor"
    );
    assert!(!alpha.contains("fascia:L"));
}

#[test]
fn headings_get_ids_anchors_and_toc() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    assert!(alpha.contains(r##"<h2 id="evidence">Evidence <a class="anchor" href="#evidence""##));
    assert!(alpha.contains(r#"<h2 id="evidence-1">"#));
    assert!(alpha.contains(r#"<ul class="toc"><li>evidence</li><li>evidence-1</li></ul>"#));
}

#[test]
fn markdown_extensions_render() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    for needle in [
        "<table>",
        "markdown-alert-warning",
        "task-list-item-checkbox",
        "footnote-ref",
        "Beta’s",
    ] {
        assert!(alpha.contains(needle), "{needle} missing");
    }
}

#[test]
fn shortcodes_inline_and_with_body() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    assert!(alpha.contains(r#"<span class="badge">new</span>"#));
    assert!(alpha.contains(
        "<aside class=\"note note-tip\"><p>Body of the <strong>note</strong>, see <a href=\"https://example.org/notes/beta/\">Beta</a>.</p>"
    ));
}

#[test]
fn citations_number_by_first_use_and_bibliography_links_back() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    assert!(alpha.contains(r##"<a href="#ref-smith2020" class="citation">Smith 2020</a>"##));
    assert!(alpha.contains(r#"<li id="ref-smith2020" value="1">Smith A (2020). A study. J Studies.</li><li id="ref-jones2019" value="2">"#));
    let refs = s.read("references/index.html");
    assert!(refs.contains(r#"<li id="ref-smith2020">Smith A (2020). A study. J Studies. Cited by: <a href="https://example.org/notes/alpha/">Alpha</a>"#), "{refs}");
}

#[test]
fn backlinks_carry_their_sentences() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    assert!(
        alpha
            .contains(r#"<li><a href="https://example.org/notes/beta/">Beta</a>: See Alpha.</li>"#)
    );
    assert!(
        alpha.contains(r#"<li><a href="https://example.org/">Home</a>: Read Alpha first.</li>"#)
    );
}

#[test]
fn glossary_links_first_plain_mention_only() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    assert_eq!(alpha.matches("class=\"glossary-term\"").count(), 1);
    assert!(alpha.contains(r#"<a href="https://example.org/glossary/#fascia" class="glossary-term" title="Connective tissue that wraps muscles.">Fascia</a>"#));
}

#[test]
fn facts_and_comparison_table() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    assert!(alpha.contains("<dt>Tool</dt><dd>steel</dd><dt>Pierces the skin</dt><dd>No</dd><dt>Evidence</dt><dd>low</dd>"));
    let cmp = s.read("tech/compare/index.html");
    assert!(cmp.contains(r#"<th scope="col"><a href="https://example.org/notes/alpha/">Alpha</a></th><th scope="col"><a href="https://example.org/tech/other/">Other</a></th>"#));
    // Tool differs (steel vs plastic); invasive does not; level is stated by one page only.
    let tool = cmp
        .find("<tr class=\"differs\"><th scope=\"row\">Tool")
        .expect("tool row flagged");
    assert!(cmp[tool..].contains("<td>steel</td><td>plastic</td>"));
    assert!(cmp.contains("<tr><th scope=\"row\">Pierces the skin</th>"));
    assert!(cmp.contains("<span class=\"not-stated\">not stated</span>"));
}

#[test]
fn taxonomies_aliases_assets_static_404() {
    let s = Site::fixture("basic");
    s.build().success();
    assert!(
        s.read("tags/index.html")
            .contains(r#"<a href="https://example.org/tags/deep-work/">Deep Work</a> (1)"#)
    );
    assert!(s.read("tags/deep-work/index.html").contains(">Alpha</a>"));
    let alias = s.read("old/alpha/index.html");
    assert!(alias.contains(
        r#"<meta http-equiv="refresh" content="0; url=https://example.org/notes/alpha/">"#
    ));
    assert!(s.exists("notes/bundle/square.svg"));
    assert!(s.read("style.css").contains("color: black"));
    assert!(s.read("notes/alpha/index.html").contains("style.css?h="));
    assert!(s.read("404.html").contains("Not found"));
}

#[test]
fn sitemap_feed_and_robots() {
    let s = Site::fixture("basic");
    s.build().success();
    let sitemap = s.read("sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://example.org/notes/alpha/</loc>\n    <lastmod>2026-11-01</lastmod>"
        ),
        "{sitemap}"
    );
    assert!(!sitemap.contains("draft"));
    let feed = s.read("atom.xml");
    assert!(
        feed.starts_with("<?xml") && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
    assert!(feed.contains("<title>Alpha</title>"));
    assert!(
        s.read("robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
}

#[test]
fn builds_are_byte_for_byte_deterministic() {
    let s = Site::fixture("basic");
    s.build().success();
    let first = snapshot(&s.out());
    s.build().success();
    assert_eq!(first, snapshot(&s.out()));
}

#[test]
fn root_discovery_from_site_folder_and_parent() {
    let s = Site::fixture("basic");
    // From the parent folder: ./site is used.
    harness::run_in(s.dir.path(), &["check"]).success();
    // From inside the site folder: config.toml there is used.
    harness::run_in(&s.root(), &["check"]).success();
}

#[test]
fn init_creates_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    harness::run_in(dir.path(), &["init", "notes"]).success();
    harness::run_in(dir.path(), &["build", "--root", "notes"])
        .success()
        .stderr_has("Built 4 pages, 3 sections");
    let first =
        std::fs::read_to_string(dir.path().join("notes/public/notes/first/index.html")).unwrap();
    assert!(first.contains("second"));
    harness::run_in(dir.path(), &["init", "notes"])
        .failure()
        .stderr_has("already exists");
}

// ---------------------------------------------------------------- knowledge base

#[test]
fn related_pages_rank_by_shared_links() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    let start = alpha.find("<ol class=\"related\">").unwrap();
    let related = &alpha[start..alpha[start..].find("</ol>").unwrap() + start];
    // Beta links both ways (highest score); Gamma and the comparison one way each.
    assert!(
        related.starts_with(
            "<ol class=\"related\"><li><a href=\"https://example.org/notes/beta/\">Beta</a>"
        ),
        "{related}"
    );
    assert!(related.contains(">Gamma</a>") && related.contains(">Alpha vs Beta</a>"));
    assert!(
        !related.contains(">Alpha</a>"),
        "a page is not related to itself"
    );
}

#[test]
fn link_graph_svg_is_well_formed_with_one_link_per_neighbour() {
    let s = Site::fixture("basic");
    s.build().success();
    let alpha = s.read("notes/alpha/index.html");
    let start = alpha.find("<svg").unwrap();
    let end = alpha.find("</svg>").unwrap() + "</svg>".len();
    let svg = &alpha[start..end];
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses as XML");
    let hrefs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|n| n.attribute("href"))
        .collect();
    // Neighbours: Beta (both ways), Gamma (out), Home and the comparison (in).
    let mut sorted = hrefs.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "https://example.org/",
            "https://example.org/notes/beta/",
            "https://example.org/notes/bundle/",
            "https://example.org/tech/compare/"
        ]
    );
    // Labels never share a row.
    let ys: Vec<(&str, &str)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| Some((n.attribute("x")?, n.attribute("y")?)))
        .collect();
    let mut unique = ys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ys.len(), "overlapping labels: {ys:?}");
}

#[test]
fn health_reports_orphans_dead_ends_mentions_and_reviews() {
    let s = Site::fixture("basic");
    s.write("content/notes/lonely.md", "+++\ntitle = \"Lonely\"\nlast_reviewed = 2020-01-01\n+++\n\nNobody links here and I mention Beta by name.\n");
    let run = s.check(&[]);
    run.success()
        .stderr_has("content/notes/lonely.md: warning: `Lonely` has no inbound links other than section listings")
        .stderr_has("content/notes/lonely.md: warning: `Lonely` links to no other page")
        .stderr_has("content/notes/lonely.md:6:33: warning: `Beta` is mentioned but not linked")
        .stderr_has("help: link it: [Beta](@/notes/beta.md)")
        .stderr_has("content/notes/lonely.md:3:1: warning: review overdue since 2020-12-31");
    // Alpha links Beta already: its plain mentions are not reported.
    run.stderr_lacks("alpha.md:21:1: warning: `Beta`");
    s.check(&["--strict"])
        .failure()
        .stderr_has("error: review overdue");
    // Builds print the same health warnings.
    s.build()
        .success()
        .stderr_has("`Lonely` links to no other page");
}

#[test]
fn mentions_in_code_links_headings_and_words_are_not_reported() {
    let s = Site::fixture("basic");
    s.write(
        "content/notes/masked.md",
        "+++\ntitle = \"Masked\"\n+++\n\n# Beta in a heading\n\n```text\nBeta in a fence\n```\n\n\
         Alphabeta and Betamax are words; `Beta` is code; <b title=\"Beta\">tag</b>.\n\n\
         Ünïcode—then Beta here, and Beta again.\n",
    );
    let run = s.check(&[]);
    run.success()
        .stderr_has("content/notes/masked.md:13:14: warning: `Beta` is mentioned but not linked");
    // Reported once per page, at the first plain mention only.
    let reported = run
        .stderr
        .lines()
        .filter(|l| l.contains("masked.md:") && l.contains("is mentioned"))
        .count();
    assert_eq!(reported, 1, "{}", run.stderr);
    run.stderr_lacks("masked.md:5:")
        .stderr_lacks("masked.md:8:")
        .stderr_lacks("masked.md:11:")
        .stderr_lacks("`Alpha` is mentioned");
}

// ---------------------------------------------------------------- errors

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
        .stderr_has("check: 2 errors");
    let json = s.check(&["--format", "json"]);
    json.failure();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 2);
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
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

// ---------------------------------------------------------------- compatibility

#[test]
fn builds_a_zola_corpus_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let gen_script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen_corpus.py");
    let status = std::process::Command::new("python3")
        .args([
            gen_script.to_str().unwrap(),
            "--pages",
            "200",
            "--out",
            corpus.to_str().unwrap(),
            "--layout",
            "zola",
        ])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let run = harness::run_in(dir.path(), &["build", "--root", "corpus"]);
    run.success()
        .stderr_has("Built 200 pages, 21 sections")
        .stderr_has("`compile_sass` is a Zola setting");
    let out = corpus.join("public");
    let mut pages = 0;
    let mut links = 0;
    for e in walkdir::WalkDir::new(&out)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
    {
        let html = std::fs::read_to_string(e.path()).unwrap();
        assert!(
            !html.contains("@/") && !html.contains("fascia:L"),
            "unresolved link in {}",
            e.path().display()
        );
        links += html.matches("href=\"https://example.org/").count();
        pages += 1;
    }
    assert!(pages > 200);
    assert!(links > 2000, "only {links} links");
    assert!(
        std::fs::read_to_string(out.join("tags/index.html"))
            .unwrap()
            .contains("/tags/")
    );
}
