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
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(first)).unwrap();
    let mut from_zip = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        from_zip.push((f.name().to_string(), bytes));
    }
    from_zip.sort();
    let folder: Vec<(String, Vec<u8>)> = snapshot(&s.out())
        .into_iter()
        .filter(|(p, _)| p != ".fascia-output")
        .collect();
    assert_eq!(from_zip, folder);
}

#[test]
fn broken_asset_reference_fails_the_offline_build() {
    let s = Site::fixture("basic");
    build_offline(&s, &[]).success();
    s.edit(
        "content/notes/beta.md",
        "Here are details.",
        "Here are details. <img src=\"/missing.png\" alt=\"a chart\">",
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
