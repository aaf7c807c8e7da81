//! Tests of the offline rewrite and link check.

use super::*;

const BASE: &str = "https://ex.org";

#[test]
fn names_the_index_of_relative_folder_links() {
    let from = "references/index.html";
    for (url, want) in [
        ("../techniques/iastm/", "../techniques/iastm/index.html"),
        ("./#ref-a", "./index.html#ref-a"),
        ("..", "../index.html"),
        ("../a/..", "../a/../index.html"),
        ("a/b/?q=1", "a/b/index.html?q=1"),
        ("pic.png", "pic.png"),
        ("../style.css", "../style.css"),
        ("#top", "#top"),
        ("mailto:a@b.c", "mailto:a@b.c"),
        ("https://other.org/a/", "https://other.org/a/"),
        ("//other.org/a/", "//other.org/a/"),
        ("", ""),
    ] {
        assert_eq!(relativize(url, from, BASE), want, "{url}");
    }
}

#[test]
fn relativizes_site_urls() {
    let from = "techniques/iastm/index.html";
    assert_eq!(
        relativize("https://ex.org/", from, BASE),
        "../../index.html"
    );
    assert_eq!(relativize("https://ex.org", from, BASE), "../../index.html");
    assert_eq!(
        relativize("https://ex.org/conditions/neck-pain/#evidence", from, BASE),
        "../../conditions/neck-pain/index.html#evidence"
    );
    assert_eq!(
        relativize("https://ex.org/techniques/iastm/#x", from, BASE),
        "index.html#x"
    );
    assert_eq!(
        relativize("https://ex.org/fibre.css?h=1", from, BASE),
        "../../fibre.css?h=1"
    );
    assert_eq!(
        relativize("/search/?q=a", from, BASE),
        "../../search/index.html?q=a"
    );
    assert_eq!(
        relativize("https://ex.org/techniques", from, BASE),
        "../index.html"
    );
    assert_eq!(
        relativize("https://ex.org.evil/x", from, BASE),
        "https://ex.org.evil/x"
    );
    assert_eq!(
        relativize("https://other.org/x", from, BASE),
        "https://other.org/x"
    );
    assert_eq!(relativize("#top", from, BASE), "#top");
    assert_eq!(relativize("pic.png", from, BASE), "pic.png");
    assert_eq!(
        relativize("https://ex.org/404.html", "index.html", BASE),
        "404.html"
    );
}

#[test]
fn rewrites_html_but_keeps_metadata_absolute() {
    let html = r#"<link rel="canonical" href="https://ex.org/a/"><link rel="stylesheet" href="https://ex.org/s.css"><a href="https://ex.org/b/">b</a><img src="/i.png" srcset="/i.png 1x, /i2.png 2x"><meta http-equiv="refresh" content="0; url=https://ex.org/b/">"#;
    let out = rewrite_html(html, "a/index.html", BASE, &|_| false).unwrap();
    assert!(out.contains(r#"<link rel="canonical" href="https://ex.org/a/">"#));
    assert!(out.contains(r#"href="../s.css""#));
    assert!(out.contains(r#"<a href="../b/index.html">"#));
    assert!(out.contains(r#"src="../i.png" srcset="../i.png 1x, ../i2.png 2x""#));
    assert!(out.contains(r#"content="0; url=../b/index.html""#));
}

#[test]
fn outside_addresses_stay_unless_they_name_a_file() {
    let mut o = Output::default();
    o.insert_bytes(
        "index.html".into(),
        br#"<a href="https://ex.org/work">ref</a><a href="https://ex.org/a/">own page written in full</a><a href="https://ex.org/a/">nav</a>"#.to_vec(),
    );
    o.insert_bytes("a/index.html".into(), b"a".to_vec());
    let outside: HashSet<String> = ["https://ex.org/work", "https://ex.org/a/"]
        .map(String::from)
        .into();
    make_offline(&mut o, BASE, &outside).unwrap();
    let OutputFile::Bytes(b) = &o.files["index.html"] else {
        panic!("bytes")
    };
    let html = String::from_utf8_lossy(b);
    assert!(
        html.contains(r#"<a href="https://ex.org/work">ref</a>"#),
        "{html}"
    );
    assert!(!html.contains(r#"href="https://ex.org/a/""#), "{html}");
    assert!(check_links(&o, BASE, "out", &outside).is_empty());
    assert_eq!(check_links(&o, BASE, "out", &HashSet::new()).len(), 1);
}

#[test]
fn css_urls() {
    let css = "a{background:url(\"https://ex.org/img/x.svg\")} b{background:url(/y.png)} c{background:url(data:image/png;base64,AA)}";
    let out = rewrite_css(css, "fibre.css", BASE);
    assert_eq!(
        out,
        "a{background:url(\"img/x.svg\")} b{background:url(y.png)} c{background:url(data:image/png;base64,AA)}"
    );
}

#[test]
fn link_check_finds_missing_targets() {
    let mut o = Output::default();
    o.insert_bytes("index.html".into(), br#"<a href="a/index.html">a</a><img src="missing.png"><a href="https://ex.org/a/">x</a><a href="https://else.org">e</a>"#.to_vec());
    o.insert_bytes(
        "a/index.html".into(),
        br#"<a href="../index.html#top">home</a>"#.to_vec(),
    );
    let d = check_links(&o, BASE, "out", &HashSet::new());
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(
        d[0].message
            .contains("<img src=\"missing.png\"> points to `missing.png`")
    );
    assert!(d[1].message.contains("points at the public site"));
    assert_eq!(
        d[0].file.as_deref(),
        Some(std::path::Path::new("out/index.html"))
    );
}

/// The references noted while a page is rewritten are those a reader of
/// the rewritten page finds (the streamed build notes them in one pass).
#[test]
fn references_noted_while_rewriting_are_those_of_the_page_written() {
    let page = r##"<!doctype html><html><head>
<link rel="canonical" href="https://ex.org/a/"><link rel="stylesheet" href="/style.css?h=1">
<meta http-equiv="refresh" content="0; url=/b/"></head><body>
<a href="https://ex.org/b/#x">b</a> <a href='/q"uote/'>odd</a> <a href="&quot;/x">ent</a>
<img src="/i.png" srcset="/i-1.png 1x, /i-2.png 2x"><a href="https://other.org/">o</a>
<form action="/search/"><video poster="/p.png" src="/v.mp4"></video></form>
<a href="#top">top</a><a href="mailto:a@b.c">m</a><template><a href="/t/">t</a></template>
<svg><a href="/s/">s</a></svg><script src="/s.js"></script>
<noscript><a href="/n/">n</a> <img src='/n.png'></noscript></body></html>"##;
    for stays in [&(|_: &str| false) as &dyn Fn(&str) -> bool, &|u: &str| {
        u.contains("b/")
    }] {
        let (out, noted) = rewrite_html_noting(page, "a/index.html", BASE, stays).unwrap();
        assert_eq!(
            out,
            rewrite_html(page, "a/index.html", BASE, stays).unwrap()
        );
        let read = references(&out);
        assert!(read.len() >= 10, "{read:?}");
        assert_eq!(noted, read);
    }
}

/// A page the fast path starts and then leaves to `lol_html` is noted once:
/// what the fast path noted before it gave up is dropped.
#[test]
fn a_page_left_to_lol_html_half_way_is_noted_once() {
    let page = r#"<a href="/a/">a</a><img src="/i.png"><math><mi>x</mi></math><a href="/b/">b</a>"#;
    let (out, noted) = rewrite_html_noting(page, "a/index.html", BASE, &|_| false).unwrap();
    assert_eq!(noted.len(), 3, "{noted:?}");
    assert_eq!(noted, references(&out));
}
