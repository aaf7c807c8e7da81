//! What real Zola themes rely on, in miniature: the site in
//! `tests/fixtures/zola-themes/`, each expected output being what
//! `zola build` 0.22 writes for the same files.

mod harness;

use std::sync::OnceLock;

use harness::Site;

/// The fixture, built once for every test that only reads the output.
fn built() -> &'static Site {
    static BUILT: OnceLock<Site> = OnceLock::new();
    BUILT.get_or_init(|| {
        let site = Site::fixture("zola-themes");
        site.build().success();
        site
    })
}

#[track_caller]
fn page(rel: &str) -> String {
    built().read(rel).trim().to_string()
}

#[test]
fn siblings_only_in_a_sorted_section() {
    // `sort_by` unset: Zola links no siblings (terminimal's "Thanks for
    // reading" footer is shown only when a page has one).
    assert_eq!(page("unsorted/a/index.html"), "A|lower=-|higher=-");
    assert_eq!(page("unsorted/b/index.html"), "B|lower=-|higher=-");
    // `sort_by = "date"`: newest first, `lower` is the newer page.
    assert_eq!(page("dated/old/index.html"), "Old|lower=New|higher=-");
    assert_eq!(page("dated/new/index.html"), "New|lower=-|higher=Old");
}

#[test]
fn a_shortcode_argument_named_body() {
    // apollo's `{{ note(header=..., body="...") }}`: without a `{% end %}`
    // body, the argument is what the template sees.
    assert_eq!(
        page("shortcodes/body-argument/index.html"),
        "<div class=\"note\">Inline: given as an argument</div>\n\
         <div class=\"note\">Block: from the body</div>"
    );
}

#[test]
fn equal_weights_are_ordered_by_permalink() {
    // apollo's projects: two cards of weight 1, Zola lists them by URL.
    assert_eq!(page("weighted/index.html"), "[First;Zed;Alpha;]");
}

#[test]
fn a_set_inside_a_block_is_seen_by_later_blocks_and_the_parent() {
    // adidoks: `base.html` sets `title_separator` in block `seo`, the page
    // template's `seo` calls `{{ super() }}` and then reads it; a child's
    // block sets `page_class`, which `base.html` reads after the block. A
    // `set` inside a `for` loop still lasts one iteration.
    // An included template sees it too, though its includer never names it.
    assert_eq!(
        page("templates/blocks/index.html"),
        "<title>Blocks | Zola themes</title><body class=\"page\">page[from a block]\n</body>"
    );
}

#[test]
fn a_section_with_generate_feeds_has_its_own_feed() {
    // serene links `section.path ~ config.feed_filenames.0` when the blog
    // section sets `generate_feeds = true`; the feed is written there.
    assert_eq!(
        page("dated/index.html"),
        "[New;Old;] https://example.org/dated/rss.xml"
    );
    let feed = built().read("dated/rss.xml");
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    assert!(feed.contains("https://example.org/dated/new/"), "{feed}");
    assert!(!built().exists("weighted/rss.xml"));
}

#[test]
fn the_more_marker_becomes_an_anchor_and_ends_the_summary() {
    // Themes link "Read more" to `#continue-reading`.
    assert_eq!(
        page("shortcodes/summary/index.html"),
        "[<p>Before the cut.</p>]\n<p>Before the cut.</p>\n\
         <span id=\"continue-reading\"></span>\n<p>After the cut.</p>"
    );
}

#[test]
fn get_url_of_a_plain_path_has_no_trailing_slash_unless_asked() {
    // serene's back link: `get_url(path=section.path)` is `.../posts`.
    assert_eq!(
        page("templates/urls/index.html"),
        "https://example.org|https://example.org|https://example.org/posts|\
         https://example.org/posts|https://example.org/posts/|https://example.org/app.css|\
         https://example.org/dated/|https://example.org/rss.xml"
    );
}

#[test]
fn config_base_url_is_as_written() {
    // apollo's `<meta name="base" content="{{ config.base_url }}">` keeps
    // the slash its config.toml ends the URL with.
    let site = Site::fixture("zola-themes");
    site.edit(
        "config.toml",
        "base_url = \"https://example.org\"",
        "base_url = \"https://example.org/sub/\"",
    );
    site.build().success();
    assert_eq!(
        site.read("templates/urls/index.html").trim(),
        "https://example.org/sub/|https://example.org/sub|https://example.org/sub/posts|\
         https://example.org/sub/posts|https://example.org/sub/posts/|\
         https://example.org/sub/app.css|https://example.org/sub/dated/|\
         https://example.org/sub/rss.xml"
    );
}

#[test]
fn toc_entries_have_their_permalink() {
    // adidoks' "On this page" links to `h.permalink`.
    assert_eq!(
        page("templates/toc/index.html"),
        "2 First part https://example.org/templates/toc/#first-part \
         / 3 A detail https://example.org/templates/toc/#a-detail;\
         2 Second part https://example.org/templates/toc/#second-part;"
    );
}

#[test]
fn dates_keep_the_offset_they_were_written_with() {
    // adidoks prints `page.updated` in its meta tags; `date` formats a time
    // in the offset written, as Tera does.
    assert_eq!(
        page("templates/dates/index.html"),
        "2021-05-01T23:19:42+08:00|2021-05-01T09:19:42Z|2021-05-01 23:19 +0800|09:19|\
         2021-05-01T09:19:42-05:30|09:19"
    );
}

#[test]
fn title_splits_words_as_tera_does() {
    // adidoks' breadcrumbs: `"404.html" | title` is `404.Html` in Tera.
    assert_eq!(
        page("templates/filters/index.html"),
        "404.Html|Foo's Bar-Baz|elan-vital-c-est-ca|hello-world-2-o"
    );
}
