//! Zola sites' pages as Zola writes them: the miniature site in
//! `tests/fixtures/zola-pages/`, and what Zola 0.22 writes for each thing
//! (each difference found comparing real Zola sites with `zola build`).

mod harness;

use std::sync::OnceLock;

use harness::Site;

/// The fixture, built once.
fn built() -> &'static Site {
    static BUILT: OnceLock<Site> = OnceLock::new();
    BUILT.get_or_init(|| {
        let site = Site::fixture("zola-pages");
        site.build().success();
        site
    })
}

fn page(rel: &str) -> String {
    built().read(rel)
}

#[test]
fn toml_dates_in_extra_print_as_written() {
    let html = page("a/index.html");
    assert!(
        html.contains("|2026-01-21T18:04:10+08:00|2024-05-01|10:30:00"),
        "{html}"
    );
}

#[test]
fn a_page_has_the_year_month_and_day_of_its_date() {
    assert!(page("a/index.html").starts_with("2024/1/1|"));
}

#[test]
fn terms_with_one_slug_merge_into_the_first_by_name_with_its_pages_first() {
    // `Blog` on A (January) and C (February), `blog` on B (March).
    assert_eq!(page("tags/blog/index.html").trim(), "Blog:C,A,B,");
    assert_eq!(page("tags/index.html").trim(), "Blog=3;");
}

#[test]
fn zolas_switches_of_another_language_are_its_own() {
    assert_eq!(page("index.html").trim(), "search=true feeds=false");
    // fr sets neither (Zola: false), de sets both.
    assert_eq!(page("fr/index.html").trim(), "search=false feeds=false");
    assert_eq!(page("de/index.html").trim(), "search=true feeds=true");
}

#[test]
fn github_alerts_stay_quotes_unless_asked() {
    let html = page("a/index.html");
    assert!(
        html.contains("<blockquote>\n<p>[!NOTE]\nCareful.</p>\n</blockquote>"),
        "{html}"
    );
    let site = Site::fixture("zola-pages");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}\n[markdown]\ngithub_alerts = true\n"),
    );
    site.build().success();
    assert!(site.read("a/index.html").contains("markdown-alert-note"));
}

#[test]
fn only_calls_are_shortcode_escapes_and_they_may_run_over_lines() {
    let html = page("a/index.html");
    assert!(
        html.contains(
            "<pre><code>{{ img(path=&quot;a.jpg&quot;,\n  alt=&quot;b&quot;) }}\n\
             {%/* extends &quot;base.html&quot; */%}\n\
             {{/* get_url(path=p) */}}\n</code></pre>"
        ),
        "{html}"
    );
}
