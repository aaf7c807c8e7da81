//! The print edition and patient handouts, printed to PDF by headless Chromium
//! (installed by scripts/test.sh) and read back with poppler's pdfinfo/pdftotext.

mod harness;

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    let p = PathBuf::from("/usr/bin/chromium");
    assert!(
        p.exists(),
        "Chromium is required (scripts/test.sh installs it)"
    );
    p
}

/// Build the encyclopedia's offline edition into a temporary folder.
fn offline_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    harness::build_encyclopedia(&dir.path().join("out"), &["--offline"]);
    dir
}

fn print_pdf(html: &Path, pdf: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", html.display()),
        ])
        .output()
        .unwrap();
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn pdf_pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&out.stdout);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

#[test]
fn print_edition_holds_every_article_in_a_sensible_pdf() {
    let dir = offline_site();
    let out = dir.path().join("out");
    let html = std::fs::read_to_string(out.join("print/index.html")).unwrap();
    // Internal links became in-page anchors; every anchor target exists.
    let hrefs: Vec<&str> = html
        .split("href=\"#")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!(hrefs.len() > 500, "only {} in-page links", hrefs.len());
    for h in &hrefs {
        assert!(
            html.contains(&format!("id=\"{h}\"")),
            "in-page link #{h} has no target"
        );
    }
    assert!(
        !html.contains("href=\"../techniques/"),
        "links to other files remain"
    );
    // The home page links to it.
    assert!(
        std::fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("href=\"print/index.html\"")
    );

    let pdf = dir.path().join("print.pdf");
    print_pdf(&out.join("print/index.html"), &pdf);
    let pages = pdf_pages(&pdf);
    assert!((60..=900).contains(&pages), "{pages} pages");
    let text = pdf_text(&pdf);
    let titles: Vec<String> = html
        .split("<h2 class=\"print-title\"")
        .skip(1)
        .map(|s| {
            let t = &s[s.find('>').unwrap() + 1..s.find("</h2>").unwrap()];
            t.replace("&amp;", "&")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
        })
        .collect();
    assert!(titles.len() > 50);
    for t in titles {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains(&t),
            "article title {t:?} missing from the PDF text"
        );
    }
}

#[test]
fn a_printed_page_is_a_handout_with_url_review_date_version_and_qr() {
    let dir = offline_site();
    let out = dir.path().join("out");
    let page = out.join("techniques/iastm/index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let start = html.find("<svg class=\"qr\"").expect("QR code in the page");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap() + 6];
    roxmltree::Document::parse(svg).expect("QR SVG is well-formed");
    let pdf = dir.path().join("handout.pdf");
    print_pdf(&page, &pdf);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("https://encyclopedia.example.org/techniques/iastm/"),
        "public URL missing"
    );
    assert!(text.contains("Last reviewed 1 November 2026"));
    assert!(text.contains("version 2026.11"));
    // Navigation is not printed.
    assert!(!text.contains("Search the encyclopedia"));
}

#[test]
fn page_bundle_images_and_relative_links_resolve_in_the_print_edition() {
    let s = harness::Site::fixture("basic");
    s.write(
        "templates/print.html",
        "<!doctype html><title>Print</title>{% for a in articles %}<article id=\"{{ a.anchor }}\">{{ a.content | safe }}</article>{% endfor %}",
    );
    s.edit(
        "content/notes/bundle/index.md",
        "Back to",
        "And [beta, relatively](../beta/#details). Back to",
    );
    s.build().success();
    let print = s.read("print/index.html");
    assert!(
        print.contains(
            r#"<img src="https://example.org/notes/bundle/square.svg" alt="a small square""#
        ),
        "the bundle's image, from /print/: {print}"
    );
    assert!(s.exists("notes/bundle/square.svg"));
    assert!(print.contains(r##"<a href="#p-notes-beta--details">beta, relatively</a>"##));
    // A reference to a file that is not beside the page fails the build,
    // located, instead of only `check --offline` seeing it.
    s.edit("content/notes/bundle/index.md", "(square.svg)", "(red.png)");
    s.build()
        .failure()
        .stderr_has("content/notes/bundle/index.md:")
        .stderr_has("link to a page or file that does not exist: `red.png` (it leads to /notes/bundle/red.png)");
}

/// The values of attribute `name` in `html` (double-quoted, as fascia and
/// fibre write them), each with its byte offset.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<(usize, &'a str)> {
    let needle = format!("{name}=\"");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find(&needle).map(|i| i + from) {
        from = at + needle.len();
        let before = html[..at].chars().next_back();
        if !before.is_some_and(char::is_whitespace) {
            continue; // data-id=, aria-id=... or text
        }
        let end = html[from..].find('"').unwrap() + from;
        out.push((at, &html[from..end]));
    }
    out
}

#[test]
fn print_edition_ids_are_unique_and_every_id_reference_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    harness::build_encyclopedia(&out, &[]);
    let html = std::fs::read_to_string(out.join("print/index.html")).unwrap();
    let mut ids = std::collections::HashMap::new();
    for (at, id) in attribute_values(&html, "id") {
        if let Some(first) = ids.insert(id, at) {
            panic!(
                "id {id:?} twice in the print edition, at bytes {first} and {at}: {}",
                &html[at.saturating_sub(200)..at + 50]
            );
        }
    }
    assert!(ids.len() > 1000, "only {} ids", ids.len());
    // Every reference to an id: fragment links (SVG <use> too), ARIA and
    // label relations, table headers, url(#...) in attributes and styles.
    let mut refs: Vec<(String, &str)> = Vec::new();
    for attr in ["href", "xlink:href"] {
        for (_, v) in attribute_values(&html, attr) {
            if let Some(frag) = v.strip_prefix('#') {
                refs.push((frag.to_string(), attr));
            }
        }
    }
    for attr in [
        "aria-labelledby",
        "aria-describedby",
        "aria-controls",
        "aria-owns",
        "for",
        "headers",
    ] {
        for (_, v) in attribute_values(&html, attr) {
            refs.extend(v.split_whitespace().map(|id| (id.to_string(), attr)));
        }
    }
    for part in html.split("url(#").skip(1) {
        let end = part.find([')', '"', '\'']).unwrap();
        refs.push((part[..end].to_string(), "url()"));
    }
    assert!(refs.len() > 500, "only {} references", refs.len());
    for (id, attr) in &refs {
        assert!(
            ids.contains_key(id.as_str()),
            "{attr} refers to #{id}, which is not in the print edition"
        );
    }
    // The body map draws its outline once and shows it in both views with
    // <use>: both uses point at the renamed outline.
    assert!(
        ids.contains_key("p-body-map--bm-outline"),
        "the body map's outline lost its id"
    );
    assert_eq!(
        html.matches("href=\"#p-body-map--bm-outline\"").count(),
        2,
        "front and back views use the outline"
    );
}
