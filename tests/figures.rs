//! The encyclopedia's pictures (issue 22, points 4 and 5): the body map built
//! from the `body_regions` taxonomy, and the SVG diagrams under `site/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fascia::site::Site;

mod harness;

const BASE: &str = "http://figures.test";

fn site() -> Site {
    harness::encyclopedia()
}

/// Term name -> URL paths of the pages filed under it, from the front matter.
fn body_regions(site: &Site) -> BTreeMap<String, BTreeSet<String>> {
    let mut terms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // The (English) body map shows the English taxonomy; translations
    // have their own, under /fr/.
    for p in site
        .pages
        .iter()
        .filter(|p| !p.doc.fm.draft && p.doc.lang.is_none())
    {
        for term in p
            .doc
            .fm
            .taxonomies
            .get("body_regions")
            .into_iter()
            .flatten()
        {
            terms
                .entry(term.clone())
                .or_default()
                .insert(p.path.clone());
        }
    }
    terms
}

fn slug(term: &str) -> String {
    term.to_lowercase().replace(' ', "-")
}

fn capitalized(term: &str) -> String {
    let mut c = term.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn pages_word(n: usize) -> String {
    format!("{n} {}", if n == 1 { "page" } else { "pages" })
}

/// The built file of a URL of the site, if there is one.
fn built_file(out: &Path, href: &str) -> Option<PathBuf> {
    let path = href.strip_prefix(BASE)?.split('#').next()?;
    let file = if path.ends_with('/') {
        out.join(path.trim_start_matches('/')).join("index.html")
    } else {
        out.join(path.trim_start_matches('/'))
    };
    file.is_file().then_some(file)
}

/// The element of `tag` starting at the first occurrence of `start` in
/// `html`, through its matching end tag (nested elements of the same tag
/// counted).
fn element<'a>(html: &'a str, start: &str, tag: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in the page"));
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let (mut depth, mut pos) = (0usize, from);
    loop {
        let o = html[pos..].find(&open).map(|k| k + pos);
        let c = pos
            + html[pos..]
                .find(&close)
                .unwrap_or_else(|| panic!("`{start}` is never closed"));
        match o {
            Some(o) if o < c => {
                depth += 1;
                pos = o + open.len();
            }
            _ => {
                depth -= 1;
                pos = c + close.len();
                if depth == 0 {
                    return &html[from..pos];
                }
            }
        }
    }
}

fn has_class(n: roxmltree::Node<'_, '_>, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.descendants()
        .filter(roxmltree::Node::is_text)
        .filter_map(|t| t.text())
        .collect::<String>()
        .trim()
        .to_string()
}

fn build() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    harness::build_encyclopedia(&out, &["--base-url", BASE]);
    let html = std::fs::read_to_string(out.join("body-map/index.html")).unwrap();
    (dir, out, html)
}

#[test]
fn every_body_map_region_links_to_a_built_term_page_with_the_taxonomy_count() {
    let (_dir, out, html) = build();
    let terms = body_regions(&site());
    assert!(
        terms.len() >= 10,
        "the encyclopedia files pages under {terms:?}"
    );
    let svg = element(&html, "<svg class=\"bodymap-svg\"", "svg");
    let doc = roxmltree::Document::parse(svg).expect("the body map is well-formed SVG");
    let links: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("a") && has_class(*n, "bm-region"))
        .collect();
    let mut seen = BTreeSet::new();
    let mut last_y = f64::MIN;
    for a in &links {
        let href = a.attribute("href").expect("a region without href");
        let file = built_file(&out, href).unwrap_or_else(|| panic!("{href} was not built"));
        let term_slug = href
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        assert!(
            href.starts_with(&format!("{BASE}/body-regions/")),
            "{href} is not a body-region page"
        );
        let (name, pages) = terms
            .iter()
            .find(|(t, _)| slug(t) == term_slug)
            .unwrap_or_else(|| panic!("{href}: no such term in the front matter"));
        let label = a.attribute("aria-label").unwrap_or_default();
        assert_eq!(
            label,
            format!("{}: {}", capitalized(name), pages_word(pages.len()))
        );
        // The term page lists exactly these pages.
        let term_html = std::fs::read_to_string(file).unwrap();
        for p in pages {
            assert!(
                term_html.contains(&format!("href=\"{BASE}{p}\"")),
                "{href} lacks {p}"
            );
        }
        // The visible label and count, and head-to-feet order (label rows go down).
        let texts: Vec<String> = a
            .children()
            .filter(|c| c.has_tag_name("text"))
            .map(text_of)
            .collect();
        assert_eq!(
            texts,
            [capitalized(name), pages.len().to_string()],
            "{href}"
        );
        let pill = a
            .children()
            .find(|c| has_class(*c, "bm-pill"))
            .expect("a region without its label");
        let y: f64 = pill.attribute("y").unwrap().parse().unwrap();
        assert!(y > last_y, "{name} is not below the region before it");
        last_y = y;
        assert!(seen.insert(name.clone()), "{name} drawn twice");
    }
    let all: BTreeSet<String> = terms.keys().cloned().collect();
    assert_eq!(
        seen, all,
        "every body region is on the map, and nothing else"
    );
    assert_eq!(
        links
            .last()
            .and_then(|a| a.attribute("aria-label"))
            .map(|l| l.starts_with("Whole body")),
        Some(true),
        "whole body comes last"
    );
}

#[test]
fn the_body_map_lists_for_each_region_exactly_the_pages_of_the_taxonomy() {
    let (_dir, out, html) = build();
    let s = site();
    let terms = body_regions(&s);
    let list = element(&html, "<div class=\"bodymap-list\"", "div");
    let doc = roxmltree::Document::parse(list).expect("the region list is well-formed");
    let mut listed = BTreeMap::new();
    for region in doc
        .descendants()
        .filter(|n| has_class(*n, "bodymap-region"))
    {
        let h2 = region.descendants().find(|n| n.has_tag_name("h2")).unwrap();
        let term_href = h2
            .descendants()
            .find(|n| n.has_tag_name("a"))
            .and_then(|a| a.attribute("href"))
            .unwrap();
        assert!(
            built_file(&out, term_href).is_some(),
            "{term_href} was not built"
        );
        let name = terms
            .keys()
            .find(|t| term_href == format!("{BASE}/body-regions/{}/", slug(t)))
            .unwrap_or_else(|| panic!("{term_href}: not a term"));
        let mut pages = BTreeSet::new();
        for group in region.descendants().filter(|n| n.has_tag_name("dt")) {
            let heading = text_of(group);
            let dd = group
                .next_sibling_element()
                .expect("a group heading without its pages");
            for a in dd.descendants().filter(|n| n.has_tag_name("a")) {
                let href = a.attribute("href").unwrap();
                assert!(built_file(&out, href).is_some(), "{href} was not built");
                let path = href.strip_prefix(BASE).unwrap().to_string();
                let page = s.pages.iter().find(|p| p.path == path).unwrap();
                let section = &s.sections[page.section];
                assert_eq!(
                    section.doc.fm.title.as_deref(),
                    Some(heading.as_str()),
                    "{path} listed under {heading}"
                );
                assert!(pages.insert(path), "{href} listed twice under {name}");
            }
        }
        let count = text_of(h2.children().find(|n| has_class(*n, "pill")).unwrap());
        assert_eq!(count, pages_word(pages.len()));
        listed.insert(name.clone(), pages);
    }
    assert_eq!(listed, terms, "the list equals the taxonomy");
}

/// `#rrggbb` as relative luminance (WCAG 2).
fn luminance(hex: &str) -> Option<f64> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let channel = |i: usize| -> Option<f64> {
        let c = f64::from(u8::from_str_radix(&h[i..i + 2], 16).ok()?) / 255.0;
        Some(if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a).unwrap(), luminance(b).unwrap());
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

fn svg_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && p.file_name().is_some_and(|n| n != "public") {
            svg_files(&p, found);
        } else if p.extension().is_some_and(|x| x == "svg") {
            found.push(p);
        }
    }
}

fn number(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("`{s}` is not a number"))
}

#[test]
fn every_svg_under_site_is_xml_with_a_viewbox_size_title_and_readable_text() {
    let mut files = Vec::new();
    svg_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("site"),
        &mut files,
    );
    assert!(files.len() >= 3, "the diagrams are there: {files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{}: not XML: {e}", f.display()));
        let svg = doc.root_element();
        let name = f.display();
        assert!(svg.has_tag_name("svg"), "{name}");
        let vb: Vec<f64> = svg
            .attribute("viewBox")
            .unwrap_or_else(|| panic!("{name}: no viewBox"))
            .split([' ', ','])
            .filter(|x| !x.is_empty())
            .map(number)
            .collect();
        assert_eq!(vb.len(), 4, "{name}: viewBox");
        let (w, h) = (
            number(svg.attribute("width").expect("width")),
            number(svg.attribute("height").expect("height")),
        );
        assert!(
            w > 0.0 && (w / h - vb[2] / vb[3]).abs() < 0.01,
            "{name}: size"
        );
        let title = svg
            .children()
            .find(|n| n.has_tag_name("title"))
            .map(text_of)
            .unwrap_or_default();
        assert!(!title.is_empty(), "{name}: no <title>");
        for n in svg.descendants() {
            assert!(
                !n.has_tag_name("script")
                    && !n.has_tag_name("style")
                    && n.attribute("style").is_none(),
                "{name}: scripts and inline styles break the site's content security policy"
            );
            let external = n
                .attributes()
                .any(|a| a.name() == "href" && !a.value().starts_with('#'));
            assert!(!external, "{name}: refers to another file");
        }
        // Text over any large background (a tenth of the picture or more):
        // contrast of at least 4.5:1 (the SVG is shown as an image, the
        // same in light and dark mode).
        let area = vb[2] * vb[3];
        let backgrounds: Vec<&str> = svg
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter(|n| {
                let size = |k| n.attribute(k).map_or(0.0, number);
                size("width") * size("height") >= area / 10.0
            })
            .filter_map(|n| {
                n.attribute("fill")
                    .or_else(|| n.parent_element()?.attribute("fill"))
            })
            .filter(|f| f.starts_with('#'))
            .collect();
        assert!(!backgrounds.is_empty(), "{name}: no background panel");
        for t in svg.descendants().filter(|n| n.has_tag_name("text")) {
            let fill = t
                .ancestors()
                .find_map(|a| a.attribute("fill"))
                .unwrap_or("#000000");
            for bg in &backgrounds {
                let c = contrast(fill, bg);
                assert!(
                    c >= 4.5,
                    "{name}: `{}` in {fill} on {bg}: {c:.2}:1",
                    text_of(t)
                );
            }
        }
    }
}

#[test]
fn every_image_in_the_content_has_alt_text() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("site/content");
    let mut images = 0;
    for e in walk(&content) {
        let text = std::fs::read_to_string(&e).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("![") {
            let after = &rest[i + 2..];
            let Some(end) = after.find("](") else { break };
            let alt = &after[..end];
            if !alt.contains('\n') {
                images += 1;
                assert!(
                    !alt.trim().is_empty(),
                    "{}: an image without alt text",
                    e.display()
                );
            }
            rest = &after[end..];
        }
    }
    assert!(images >= 3, "the diagrams are embedded");
    let (_dir, out, _) = build();
    for e in walk(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
    {
        let html = std::fs::read_to_string(&e).unwrap();
        for tag in html.split("<img ").skip(1) {
            let tag = &tag[..tag.find('>').unwrap()];
            let alt = tag
                .split(" alt=\"")
                .nth(1)
                .map(|a| &a[..a.find('"').unwrap()]);
            assert!(
                alt.is_some_and(|a| !a.trim().is_empty()),
                "{}: <img {tag}> has no alt text",
                e.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "md" || x == "html") {
            files.push(p);
        }
    }
    files
}
