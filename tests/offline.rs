//! The offline edition: relative links, manifest, deterministic zip, link check.

mod harness;

use std::io::Read;

use harness::{Site, snapshot};
use sha2::{Digest, Sha256};

fn build_offline(s: &Site, extra: &[&str]) -> harness::Run {
    let root = s.root();
    let out = s.out();
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--offline",
    ];
    args.extend_from_slice(extra);
    s.run(&args)
}

#[test]
fn every_internal_url_is_relative_with_index_html() {
    let s = Site::fixture("basic");
    build_offline(&s, &[]).success();
    let alpha = s.read("notes/alpha/index.html");
    assert!(
        alpha.contains(r#"<a href="../beta/index.html#details">Beta’s details</a>"#),
        "{alpha}"
    );
    assert!(alpha.contains(r#"<a href="../bundle/index.html">Gamma</a>"#));
    assert!(alpha.contains(r#"href="../../style.css?h="#));
    assert!(alpha.contains(r#"<a href="../../glossary/index.html#fascia" class="glossary-term""#));
    for (path, bytes) in snapshot(&s.out()) {
        if path.ends_with(".html") {
            let text = String::from_utf8_lossy(&bytes)
                .replace("<link rel=\"canonical\" href=\"https://example.org", "");
            assert!(
                !text.contains("href=\"https://example.org"),
                "{path} links to the public site"
            );
            assert!(
                !text.contains("src=\"https://example.org"),
                "{path} loads from the public site"
            );
        }
    }
    // Alias redirects work from a folder too.
    assert!(
        s.read("old/alpha/index.html")
            .contains("url=../../notes/alpha/index.html")
    );
}

#[test]
fn manifest_lists_every_file_with_its_sha256() {
    let s = Site::fixture("basic");
    build_offline(&s, &[]).success();
    let manifest = s.read("MANIFEST.txt");
    assert!(manifest.contains(&format!("fascia-version: {}", env!("CARGO_PKG_VERSION"))));
    assert!(manifest.contains("build-date: 2026-11-01"));
    assert!(manifest.contains("pages: 10"), "{manifest}");
    let mut listed = 0;
    for line in manifest
        .lines()
        .filter(|l| l.len() > 66 && l.as_bytes()[64] == b' ')
    {
        let (hash, path) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(s.out().join(path)).unwrap();
        let actual = Sha256::digest(&bytes)
            .iter()
            .fold(String::new(), |mut s, b| {
                use std::fmt::Write as _;
                let _ = write!(s, "{b:02x}");
                s
            });
        assert_eq!(hash, actual, "{path}");
        listed += 1;
    }
    let files = snapshot(&s.out())
        .iter()
        .filter(|(p, _)| p != "MANIFEST.txt" && p != ".fascia-output")
        .count();
    assert_eq!(listed, files);
}

#[test]
fn zip_is_deterministic_and_equals_the_folder() {
    let s = Site::fixture("basic");
    let zip = s.dir.path().join("edition.zip");
    build_offline(&s, &["--zip", zip.to_str().unwrap()])
        .success()
        .stderr_has("Offline edition zipped");
    let first = std::fs::read(&zip).unwrap();
    build_offline(&s, &["--zip", zip.to_str().unwrap()]).success();
    assert_eq!(
        first,
        std::fs::read(&zip).unwrap(),
        "two builds gave different zips"
    );
    let from_zip = unzip(&first, "basic/");
    let folder: Vec<(String, Vec<u8>)> = snapshot(&s.out())
        .into_iter()
        .filter(|(p, _)| p != ".fascia-output")
        .collect();
    assert_eq!(from_zip, folder);
}

/// Every entry of a zip, which must all sit below `top`, with `top` cut off.
fn unzip(bytes: &[u8], top: &str) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().to_string();
        let Some(rel) = name.strip_prefix(top) else {
            panic!("zip entry {name} is not below {top}")
        };
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        files.push((rel.to_string(), bytes));
    }
    files.sort();
    files
}

#[test]
fn broken_asset_reference_fails_the_offline_build() {
    let s = Site::fixture("basic");
    build_offline(&s, &[]).success();
    // Written by a template, which the link stage does not read.
    s.edit(
        "templates/page.html",
        "{{ page.content | safe }}",
        "{{ page.content | safe }}{% if page.title == \"Beta\" %}<img src=\"/missing.png\" alt=\"a chart\">{% endif %}",
    );
    let before = snapshot(&s.out());
    build_offline(&s, &[])
        .failure()
        .stderr_has("/notes/beta/index.html: error: <img src=\"../../missing.png\"> points to `missing.png`, which is not in the output");
    assert_eq!(
        before,
        snapshot(&s.out()),
        "a failed offline build changed the output"
    );
    s.check(&["--offline"])
        .failure()
        .stderr_has("points to `missing.png`");
}

#[test]
fn offline_and_zip_never_write_over_the_public_edition() {
    let s = Site::fixture("basic");
    let root = s.root();
    let root = root.to_str().unwrap();
    s.run(&["build", "--root", root]).success();
    let public = s.root().join("public");
    let before = snapshot(&public);
    s.run(&["build", "--root", root, "--offline"])
        .success()
        .stderr_has("public-offline");
    assert_eq!(before, snapshot(&public), "--offline changed public/");
    let offline = s.root().join("public-offline");
    assert!(
        std::fs::read_to_string(offline.join("notes/alpha/index.html"))
            .unwrap()
            .contains(r#"href="../beta/index.html#details""#)
    );
    let zip = s.dir.path().join("x.zip");
    std::fs::remove_dir_all(&offline).unwrap();
    s.run(&["build", "--root", root, "--zip", zip.to_str().unwrap()])
        .success();
    assert_eq!(before, snapshot(&public), "--zip changed public/");
    assert!(!offline.exists(), "--zip alone wrote a folder");
    // One top folder, named after the site's title ("Basic").
    let files = unzip(&std::fs::read(&zip).unwrap(), "basic/");
    assert!(files.iter().any(|(p, _)| p == "index.html"));
    assert!(files.iter().any(|(p, _)| p == "MANIFEST.txt"));
}

#[test]
fn the_starter_site_builds_every_edition_and_keeps_references_outside() {
    let dir = tempfile::tempdir().unwrap();
    harness::run_in(dir.path(), &["init", "starter"]).success();
    let site = dir.path().join("starter");
    let all_editions = |site: &std::path::Path| {
        harness::run_in(site, &["build"]).success();
        harness::run_in(site, &["build", "--offline"]).success();
        harness::run_in(site, &["build", "--zip", "x.zip"]).success();
        harness::run_in(site, &["check", "--strict"]).success();
        harness::run_in(site, &["check", "--strict", "--offline"]).success();
    };
    all_editions(&site);
    // The general rule: a reference's URL, and a full URL written in
    // Markdown, are outside addresses even on the site's own host
    // (base_url is https://example.org).
    let refs = site.join("data/references.toml");
    let text = std::fs::read_to_string(&refs).unwrap();
    let url = text.lines().find(|l| l.starts_with("url = ")).unwrap();
    std::fs::write(
        &refs,
        text.replace(url, "url = \"https://example.org/work\""),
    )
    .unwrap();
    let note = site.join("content/notes/second.md");
    let mut md = std::fs::read_to_string(&note).unwrap();
    md.push_str(
        "\nThe publisher's [shop](https://example.org/shop/) is not part of these notes.\n",
    );
    std::fs::write(&note, md).unwrap();
    all_editions(&site);
    let offline = site.join("public-offline");
    let first = std::fs::read_to_string(offline.join("notes/first/index.html")).unwrap();
    assert!(
        first.contains(r#"href="https://example.org/work""#),
        "{first}"
    );
    let second = std::fs::read_to_string(offline.join("notes/second/index.html")).unwrap();
    assert!(second.contains(r#"href="https://example.org/shop/""#));
    // Links into the site written by fascia are still made relative.
    assert!(second.contains(r#"href="../first/index.html""#), "{second}");
}

#[test]
fn both_editions_streamed_together_equal_each_built_alone() {
    // `offline = true` writes the public edition and the offline one in the
    // same pass, each page rewritten as it is rendered: each must be what
    // a build of that edition alone makes.
    let s = Site::fixture("basic");
    let root = s.root();
    let root = root.to_str().unwrap();
    s.run(&["build", "--root", root]).success();
    let public_alone = snapshot(&s.root().join("public"));
    s.run(&["build", "--root", root, "--offline"]).success();
    let offline_alone = snapshot(&s.root().join("public-offline"));
    std::fs::remove_dir_all(s.root().join("public")).unwrap();
    std::fs::remove_dir_all(s.root().join("public-offline")).unwrap();
    s.edit(
        "config.toml",
        "base_url = \"https://example.org\"",
        "base_url = \"https://example.org\"\noffline = true",
    );
    s.run(&["build", "--root", root])
        .success()
        .stderr_has("public-offline");
    assert_eq!(public_alone, snapshot(&s.root().join("public")));
    assert_eq!(offline_alone, snapshot(&s.root().join("public-offline")));
    assert!(
        offline_alone.iter().any(|(p, _)| p == "MANIFEST.txt"),
        "the offline edition has its manifest"
    );
}

/// The offline rewrite's fast path writes what `lol_html` writes, and takes
/// every page, on the whole encyclopedia (its SVG icons, `<noscript>`,
/// scripts and styles) and the fixtures' themes.
#[test]
fn the_fast_rewrite_matches_lol_html_on_every_real_page() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pages: Vec<(String, String)> = Vec::new();
    let out = tmp.path().join("encyclopedia");
    for file in harness::encyclopedia_html(&out) {
        let key = file
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        pages.push((key, std::fs::read_to_string(&file).unwrap()));
    }
    let themes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    for fixture in ["basic", "fibre-languages"] {
        let s = Site::fixture(fixture);
        if fixture == "fibre-languages" {
            let dir = format!("themes_dir = {:?}", themes.to_str().unwrap());
            s.edit("config.toml", "themes_dir = \"../../../themes\"", &dir);
        }
        s.build().success();
        for (key, bytes) in snapshot(&s.out()) {
            if key.ends_with(".html") {
                pages.push((
                    format!("{fixture}:{key}"),
                    String::from_utf8(bytes).unwrap(),
                ));
            }
        }
    }
    assert!(pages.len() > 150, "only {} pages", pages.len());
    for (key, html) in &pages {
        let path = key.split_once(':').map_or(key.as_str(), |(_, k)| k);
        for base in ["https://encyclopedia.example.org", "https://example.org"] {
            let (fast, slow) = fascia::output::offline::rewrite_both(html, path, base);
            let fast = fast.unwrap_or_else(|| panic!("the fast path left {key} to lol_html"));
            assert_eq!(fast.0, slow.0, "{key}: the rewritten pages differ");
            assert_eq!(fast.1, slow.1, "{key}: the noted references differ");
        }
    }
}

/// The search page's `<noscript>` note (what a browser without scripts
/// shows) links to the glossary inside the offline edition, not to the
/// public site.
#[test]
fn noscript_links_of_the_offline_encyclopedia_stay_in_the_edition() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("offline");
    harness::build_encyclopedia(&out, &["--offline"]);
    let search = std::fs::read_to_string(out.join("search/index.html")).unwrap();
    let note = search
        .split("<noscript>")
        .nth(1)
        .and_then(|rest| rest.split("</noscript>").next())
        .expect("the search page has a <noscript> note");
    assert!(
        note.contains(r#"<a href="../glossary/index.html">"#),
        "{note}"
    );
    assert!(!note.contains("encyclopedia.example.org"), "{note}");
}
