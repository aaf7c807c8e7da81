//! Search-engine and link-preview metadata on every page of the built
//! encyclopedia, with the JSON-LD parsed and checked structurally.

mod harness;

use serde_json::Value;

fn build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    harness::build_encyclopedia(&dir.path().join("out"), &[]);
    dir
}

fn attr_of<'a>(html: &'a str, tag_start: &str, attr: &str) -> Option<&'a str> {
    let i = html.find(tag_start)?;
    let tag = &html[i..i + html[i..].find('>')?];
    let a = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
    Some(&tag[a..a + tag[a..].find('"')?])
}

fn json_ld(html: &str) -> Value {
    let start = html
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD present")
        + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("JSON-LD parses")
}

fn node<'a>(ld: &'a Value, ty: &str) -> Option<&'a Value> {
    ld["@graph"].as_array()?.iter().find(|n| n["@type"] == ty)
}

#[test]
fn every_page_has_titles_descriptions_canonical_and_previews() {
    let dir = build();
    let out = dir.path().join("out");
    let mut checked = 0;
    for e in walkdir::WalkDir::new(&out).into_iter().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "html") || p.ends_with("404.html") {
            continue;
        }
        let rel = p.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        let html = std::fs::read_to_string(p).unwrap();
        // French pages sit under fr/ and are checked as the English ones.
        let (lang, bare) = match rel.strip_prefix("fr/") {
            Some(b) => ("fr", b.to_string()),
            None => ("en", rel.clone()),
        };
        if html.contains("http-equiv=\"refresh\"") || bare == "print/index.html" {
            continue; // alias redirects; the print edition is noindex and links to the site
        }
        assert!(
            html.contains(&format!("<html lang=\"{lang}\"")),
            "{rel}: lang"
        );
        let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
        assert!(!title.trim().is_empty(), "{rel}: title");
        assert!(
            attr_of(&html, "<meta name=\"description\"", "content").is_some_and(|d| !d.is_empty()),
            "{rel}: description"
        );
        let canonical = attr_of(&html, "<link rel=\"canonical\"", "href")
            .unwrap_or_else(|| panic!("{rel}: canonical"));
        assert!(
            canonical.starts_with("https://encyclopedia.example.org/"),
            "{rel}: {canonical}"
        );
        for prop in [
            "og:title",
            "og:description",
            "og:url",
            "og:site_name",
            "og:type",
        ] {
            assert!(
                html.contains(&format!("<meta property=\"{prop}\" content=\"")),
                "{rel}: {prop}"
            );
        }
        assert_eq!(
            attr_of(&html, "<meta property=\"og:url\"", "content"),
            Some(canonical),
            "{rel}"
        );
        assert!(
            html.contains("<meta name=\"twitter:card\""),
            "{rel}: twitter card"
        );
        let ld = json_ld(&html);
        assert_eq!(ld["@context"], "https://schema.org", "{rel}");
        let site = node(&ld, "WebSite").unwrap_or_else(|| panic!("{rel}: WebSite"));
        let target = site["potentialAction"]["target"]["urlTemplate"]
            .as_str()
            .unwrap();
        assert!(
            target.ends_with("/search/?q={search_term_string}"),
            "{rel}: {target}"
        );
        assert_eq!(site["potentialAction"]["@type"], "SearchAction");
        // Generated listings (taxonomies, search) are not medical pages.
        let generated = ["tags/", "body-regions/", "search/"]
            .iter()
            .any(|p| bare.starts_with(p));
        if generated {
            checked += 1;
            continue;
        }
        let page = node(&ld, "MedicalWebPage").unwrap_or_else(|| panic!("{rel}: MedicalWebPage"));
        assert_eq!(page["url"], canonical, "{rel}");
        if !bare.starts_with("tags/")
            && !bare.starts_with("body-regions/")
            && bare != "print/index.html"
        {
            assert!(
                page["lastReviewed"].as_str().is_some_and(|d| d.len() == 10),
                "{rel}: lastReviewed"
            );
        }
        if rel.starts_with("techniques/") && rel != "techniques/index.html" {
            assert_eq!(page["about"]["@type"], "MedicalTherapy", "{rel}");
        }
        if rel.starts_with("conditions/") && rel != "conditions/index.html" {
            assert_eq!(page["about"]["@type"], "MedicalCondition", "{rel}");
        }
        let crumbs = node(&ld, "BreadcrumbList").unwrap_or_else(|| panic!("{rel}: BreadcrumbList"));
        let items = crumbs["itemListElement"].as_array().unwrap();
        for (i, item) in items.iter().enumerate() {
            assert_eq!(item["position"], i + 1, "{rel}");
            assert!(item["name"].as_str().is_some_and(|n| !n.is_empty()));
        }
        assert_eq!(
            items.last().unwrap()["item"],
            canonical,
            "{rel}: last crumb is the page"
        );
        checked += 1;
    }
    assert!(checked > 60, "checked {checked} pages");
}

#[test]
fn comparison_pages_are_about_every_compared_therapy() {
    let dir = build();
    let html = std::fs::read_to_string(
        dir.path()
            .join("out/comparisons/iastm-graston-astym/index.html"),
    )
    .unwrap();
    let ld = json_ld(&html);
    let about = node(&ld, "MedicalWebPage").unwrap()["about"]
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<&str> = about.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3);
    assert!(about.iter().all(|a| a["@type"] == "MedicalTherapy"));
    assert!(
        names[1] == "Graston Technique" && names[2] == "Astym",
        "{names:?}"
    );
}
