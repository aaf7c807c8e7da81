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

#[test]
fn first_minutes_messages_say_what_happened_and_what_next() {
    let dir = tempfile::tempdir().unwrap();
    let init = harness::run_in(dir.path(), &["init", "my notes"]);
    init.success();
    assert!(
        init.stdout.contains("Next: cd 'my notes' && fascia serve"),
        "{}",
        init.stdout
    );
    let site = dir.path().join("my notes");
    // `check` says what it checked, with thousands separators and plurals.
    harness::run_in(&site, &["check"])
        .success()
        .stderr_has("Checked 4 pages, 3 sections, ")
        .stderr_has(" links: no problems");
    // Quiet: errors only; verbose: stage timings.
    let quiet = harness::run_in(&site, &["build", "-q"]);
    quiet.success();
    assert_eq!(quiet.stderr, "", "-q printed more than errors");
    harness::run_in(&site, &["--verbose", "build"])
        .success()
        .stderr_has("timing: render");
    let note = site.join("content/notes/first.md");
    let text = std::fs::read_to_string(&note).unwrap();
    std::fs::write(&note, text.replace("[[Second note]]", "[[Secnod note]]")).unwrap();
    let broken = harness::run_in(&site, &["check", "--quiet"]);
    broken
        .failure()
        .stderr_has("did you mean `[[second note]]`?")
        .stderr_has(": 1 error")
        .stderr_lacks("1 errors");
    // Completions, generated by clap_complete.
    let bash = harness::run_in(dir.path(), &["completions", "bash"]);
    bash.success();
    assert!(
        bash.stdout.contains("complete -F _fascia"),
        "{}",
        bash.stdout
    );
    assert!(bash.stdout.contains("--offline"));
    harness::run_in(dir.path(), &["completions", "zsh"]).success();
}

#[test]
fn markdown_without_front_matter_is_a_page() {
    let s = Site::fixture("basic");
    s.write(
        "content/notes/plain.md",
        "# Plain heading\n\nNo front matter here.\n",
    );
    s.write(
        "content/notes/Loose Note.md",
        "Just text, linking [alpha](@/notes/alpha.md).\n",
    );
    // A blank line before the front matter is accepted, as Zola accepts it.
    s.write(
        "content/notes/blank.md",
        "\n+++\ntitle = \"Blank first\"\n+++\n\nA [broken](@/nope.md) link.\n",
    );
    s.build()
        .failure()
        .stderr_has("content/notes/blank.md:6:3: error: link to a page that does not exist");
    s.edit(
        "content/notes/blank.md",
        "[broken](@/nope.md)",
        "[fixed](@/notes/plain.md)",
    );
    s.build().success();
    assert!(
        s.read("notes/plain/index.html")
            .contains("<h1>Plain heading</h1>")
    );
    assert!(
        s.read("notes/loose-note/index.html")
            .contains("<h1>Loose Note</h1>")
    );
    assert!(
        s.read("notes/blank/index.html")
            .contains("<h1>Blank first</h1>")
    );
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
        // `compile_sass = false` is a setting fascia reads now: no warning.
        .stderr_lacks("compile_sass")
        .stderr_lacks("warning");
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
