//! Zola content builds as it is: the miniature Zola site in
//! `tests/fixtures/zola/`, one assertion per thing a Zola user writes.

mod harness;

use std::sync::OnceLock;

use harness::{Run, Site};

/// The fixture, built once for every test that only reads the output.
fn built() -> &'static (Site, Run) {
    static BUILT: OnceLock<(Site, Run)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let site = Site::fixture("zola");
        let run = site.build();
        (site, run)
    })
}

fn page(rel: &str) -> String {
    built().0.read(rel)
}

fn stderr() -> &'static str {
    &built().1.stderr
}

/// The warnings printed for `file` (`config.toml:12:1: warning: ...` headers).
fn warnings_at(file: &str) -> Vec<String> {
    stderr()
        .lines()
        .filter(|l| l.starts_with(file) && l.contains(": warning: "))
        .map(str::to_string)
        .collect()
}

/// A site of its own, with no content yet: config.toml holds the base URL
/// and title, then `config`.
fn bare(config: &str) -> Site {
    let site = Site {
        dir: tempfile::tempdir().unwrap(),
    };
    site.write(
        "config.toml",
        &format!("base_url = \"https://example.org\"\ntitle = \"T\"\n{config}"),
    );
    site
}

// ------------------------------------------------------------ config.toml

#[test]
fn a_zola_config_builds_with_one_warning_per_unused_key() {
    built().1.success();
    let warned: Vec<String> = warnings_at("config.toml")
        .iter()
        .map(|l| l.split(": warning: ").next().unwrap().to_string())
        .collect();
    assert_eq!(
        warned,
        [
            "config.toml:11:1", // [search] index_format
            "config.toml:13:1", // [search] include_path
            "config.toml:24:1", // [markdown.highlighting] theme
            "config.toml:29:1", // [link_checker] skip_prefixes
            "config.toml:31:2", // [slugify]
        ],
        "{}",
        stderr()
    );
    assert!(
        stderr().contains("`[search] index_format` is a Zola setting that fascia does not use")
    );
}

#[test]
fn every_config_error_is_reported_in_one_run() {
    let s = Site::fixture("zola");
    s.edit("config.toml", "compile_sass = true", "compile_sas = true")
        .edit("config.toml", "external_links_class", "external_link_class")
        .edit(
            "config.toml",
            "include_title = true",
            "include_title = \"yes\"",
        );
    let run = s.check(&[]);
    run.failure()
        .stderr_has("config.toml:5:1: error: unknown key `compile_sas`")
        .stderr_has("did you mean `compile_sass`?")
        .stderr_has("config.toml:12:17: error")
        .stderr_has("config.toml:16:1: error: unknown key `external_link_class` in [markdown]")
        .stderr_has("did you mean `external_links_class`?");
}

#[test]
fn external_links_class_and_rel_are_written() {
    assert!(page("docs/overview/index.html").contains(
        "<a rel=\"nofollow\" class=\"external\" href=\"https://www.getzola.org\">Zola</a>"
    ));
}

// ------------------------------------------------------------ shortcodes

#[test]
fn tera_in_inline_code_is_text() {
    let html = page("docs/overview/index.html");
    assert!(html.contains("<code>{{ page.permalink }}</code>"), "{html}");
    assert!(html.contains("<code>{% extends &quot;base.html&quot; %}</code>"));
}

#[test]
fn escaped_shortcodes_show_as_calls_in_inline_code() {
    assert!(
        page("docs/overview/index.html").contains("<code>{{ youtube(id=&quot;abc&quot;) }}</code>")
    );
}

#[test]
fn escaped_shortcodes_show_as_calls_in_code_blocks() {
    let html = page("docs/overview/index.html");
    let block = &html[html.find("language-jinja").unwrap()..];
    let block = &block[..block.find("</pre>").unwrap()];
    let text = strip_tags(block);
    assert!(text.contains("{{ youtube(id=&quot;abc&quot;) }}"), "{text}");
    assert!(text.contains("{% note() %}Body{% end %}"), "{text}");
    assert!(
        text.contains("{% extends &quot;base.html&quot; %}"),
        "{text}"
    );
    assert!(!text.contains("/*"), "{text}");
}

#[test]
fn a_shortcode_call_renders_its_template() {
    assert!(
        page("docs/overview/index.html")
            .contains("<div class=\"video\" data-id=\"dQw4w9WgXcQ\"></div>")
    );
}

#[test]
fn tera_outside_code_is_text_not_an_error() {
    let s = Site::fixture("zola");
    s.write(
        "content/docs/tera.md",
        "+++\ntitle = \"Tera\"\n+++\n\nPrint {{ page.title }} with {% block content %} and {{ x() | safe }}.\n",
    );
    s.build().success();
    let html = s.read("docs/tera/index.html");
    assert!(
        html.contains("Print {{ page.title }} with {% block content %} and {{ x() | safe }}."),
        "{html}"
    );
}

// ------------------------------------------------------------ sections

#[test]
fn redirect_to_on_a_section_is_a_redirect_page() {
    let html = page("docs/index.html");
    assert!(
        html.contains(
            "<meta http-equiv=\"refresh\" content=\"0; url=https://zola.example/docs/overview/\">"
        ),
        "{html}"
    );
    assert!(!stderr().contains("redirect-target-missing"));
}

#[test]
fn insert_anchor_links_left_on_a_section_moves_its_pages_anchors() {
    // Zola's built-in anchor-link.html, as the fixture has none.
    assert!(page("docs/overview/index.html").contains(
        "<h2 id=\"getting-started\"><a class=\"zola-anchor\" href=\"#getting-started\" aria-label=\"Anchor link for: getting-started\">🔗</a>Getting started</h2>"
    ));
    // Pages of other sections keep the config's place (right).
    assert!(
        page("blog/unicode/index.html")
            .contains("<h2 id=\"привет-мир\">Привет, мир<a class=\"zola-anchor\"")
    );
}

#[test]
fn anchor_link_html_of_the_site_writes_the_anchors_and_smart_punctuation_stays_off() {
    let site = Site::fixture("zola");
    site.write(
        "templates/anchor-link.html",
        "<a class=\"h{{ level }}\" href=\"#{{ id }}\" lang=\"{{ lang }}\">§</a>",
    );
    site.build().success();
    let html = site.read("docs/overview/index.html");
    assert!(
        html.contains(
            "<h2 id=\"getting-started\"><a class=\"h2\" href=\"#getting-started\" lang=\"en\">§</a>Getting started</h2>"
        ),
        "{html}"
    );
    // Without `smart_punctuation = true`, quotes stay straight, as in Zola.
    let site = Site::fixture("zola");
    site.write(
        "content/quotes.md",
        "+++\ntitle = \"Q\"\n+++\nIt's \"here\" -- now...\n",
    );
    site.build().success();
    assert!(
        site.read("quotes/index.html")
            .contains("<p>It's &quot;here&quot; -- now...</p>")
    );
}

#[test]
fn sort_by_and_paginate_by_on_a_page_are_warnings() {
    let w = warnings_at("content/blog/unicode.md");
    assert!(
        w.iter()
            .any(|l| l
                .starts_with("content/blog/unicode.md:4:1: warning: `sort_by` is a section field")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|l| l.starts_with("content/blog/unicode.md:5:1: warning: `paginate_by`")),
        "{w:?}"
    );
}

// ------------------------------------------------------------ headings and links

#[test]
fn non_latin_headings_keep_their_letters_in_ids() {
    let html = page("blog/unicode/index.html");
    assert!(html.contains("<h2 id=\"привет-мир\">"), "{html}");
    assert!(html.contains("<h2 id=\"日本語の見出し\">"), "{html}");
}

#[test]
fn links_to_zola_transliterated_ids_reach_the_heading() {
    assert!(
        page("docs/overview/index.html")
            .contains("<a href=\"https://zola.example/blog/unicode/#привет-мир\">hello</a>")
    );
}

#[test]
fn links_to_github_heading_ids_reach_the_heading() {
    let html = page("docs/overview/index.html");
    assert!(
        html.contains("href=\"https://zola.example/blog/unicode/#привет-мир\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://zola.example/blog/unicode/#sparkles-features\""),
        "{html}"
    );
}

#[test]
fn a_relative_link_out_of_content_is_a_warning_and_kept() {
    assert!(stderr().contains(
        "content/docs/overview.md:43:5: warning: `../../README.md` leads outside content/"
    ));
    assert!(page("docs/overview/index.html").contains("<a href=\"../../README.md\">README</a>"));
}

#[test]
fn gitlab_toc_marker_is_a_table_of_contents() {
    let html = page("blog/unicode/index.html");
    assert!(
        html.contains("<nav class=\"toc\"><ul><li><a href=\"#привет-мир\">Привет, мир</a></li>"),
        "{html}"
    );
    assert!(!stderr().contains("_TOC_"));
}

// ------------------------------------------------------------ code and maths

#[test]
fn fenced_code_is_highlighted_with_classes_not_styles() {
    let html = page("docs/overview/index.html");
    for expected in [
        "<pre><code class=\"language-toml\"><span class=\"hl-tag\">title</span>",
        // `rust,linenos`: numbered lines.
        "<pre class=\"code-lines\"><code class=\"language-rust\" data-lang=\"rust\"><span class=\"code-line\"><span class=\"code-line-number\" aria-hidden=\"true\">1</span><span class=\"hl-keyword\">fn</span> <span class=\"hl-function\">main</span>",
        "<span class=\"hl-keyword\">extends</span>",
    ] {
        assert!(html.contains(expected), "{expected}\n{html}");
    }
    assert!(!html.contains("style="), "{html}");
}

#[test]
fn an_unknown_fence_language_is_shown_plain_with_a_warning() {
    assert!(
        page("docs/overview/index.html")
            .contains("<pre><code class=\"language-klingon\">nuqneH\n</code></pre>")
    );
    assert!(
        stderr()
            .contains("content/docs/overview.md:31:1: warning: fascia cannot highlight `klingon`")
    );
}

#[test]
fn error_on_missing_language_makes_it_an_error() {
    let s = Site::fixture("zola");
    s.edit(
        "config.toml",
        "style = \"class\"",
        "style = \"class\"\nerror_on_missing_language = true",
    );
    s.check(&[])
        .failure()
        .stderr_has("content/docs/overview.md:31:1: error: fascia cannot highlight `klingon`");
}

#[test]
fn highlight_code_false_leaves_code_plain() {
    let s = Site::fixture("zola");
    s.edit(
        "config.toml",
        "math = true",
        "math = true\nhighlight_code = false",
    );
    s.build().success();
    let html = s.read("docs/overview/index.html");
    assert!(
        html.contains("<pre><code class=\"language-toml\">title = &quot;Hello&quot;"),
        "{html}"
    );
    assert!(!html.contains("hl-"));
}

#[test]
fn dollar_maths_become_mathml() {
    let html = page("docs/overview/index.html");
    assert!(html.contains("Inline <math display=\"inline\">"), "{html}");
    assert!(html.contains("<math display=\"block\">"), "{html}");
    assert!(html.contains("<mfrac>"));
    assert!(!html.contains("<script"));
}

#[test]
fn maths_stay_text_unless_switched_on() {
    let s = Site::fixture("zola");
    s.edit("config.toml", "math = true", "math = false");
    s.build().success();
    let html = s.read("docs/overview/index.html");
    assert!(html.contains("Inline $E = mc^2$"), "{html}");
    assert!(!html.contains("<math"));
}

#[test]
fn the_default_theme_colours_highlighted_code_light_and_dark() {
    let css = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/fibre/static/fibre.css"),
    )
    .unwrap();
    for (_, class) in fascia::markdown::highlight::CLASSES {
        assert!(css.contains(&format!(".{class}")), "{class} has no colour");
    }
    assert!(css.contains("--fibre-code-keyword: light-dark("));
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

// ------------------------------------------------- the default theme on foreign content

/// A Zola blog moved to the default theme: no About section, and a page
/// naming a template of its previous theme.
fn foreign_site_on_fibre() -> Site {
    let site = Site {
        dir: tempfile::tempdir().unwrap(),
    };
    harness::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/fibre"),
        &site.root().join("themes/fibre"),
    );
    site.write(
        "config.toml",
        "title = \"A blog\"\nbase_url = \"https://blog.example.org\"\ntheme = \"fibre\"\n",
    )
    .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\n\nPosts: [hello](@/posts/hello.md).\n")
    .write("content/posts/_index.md", "+++\ntitle = \"Posts\"\n+++\n")
    .write(
        "content/posts/hello.md",
        "+++\ntitle = \"Hello\"\ndate = 2024-01-02\ntemplate = \"post-wide.html\"\n+++\n\nBack [home](@/_index.md).\n",
    );
    site
}

#[test]
fn a_template_of_the_previous_theme_is_an_error_with_a_hint() {
    let site = foreign_site_on_fibre();
    site.build()
        .failure()
        .stderr_has("content/posts/hello.md:4:1")
        .stderr_has("template `post-wide.html` is not in templates/ or the theme `fibre`")
        .stderr_has("it may belong to your previous theme: copy it to templates/post-wide.html");
}

#[test]
fn the_default_theme_builds_a_site_without_an_about_section() {
    let site = foreign_site_on_fibre();
    site.edit(
        "content/posts/hello.md",
        "template = \"post-wide.html\"\n",
        "",
    );
    site.build().success();
    let footer = |rel: &str| {
        let html = site.read(rel);
        html[html.find("<footer").unwrap()..].to_string()
    };
    assert!(!footer("posts/hello/index.html").contains(">About<"));
    assert!(!site.read("404.html").contains("About section"));
    // With an About section, both link to it.
    site.write(
        "content/about/_index.md",
        "+++\ntitle = \"About\"\n+++\n\nWho writes [the posts](@/posts/_index.md).\n",
    );
    site.build().success();
    assert!(
        footer("posts/hello/index.html")
            .contains("<a href=\"https://blog.example.org/about/\">About</a>")
    );
    assert!(
        site.read("404.html")
            .contains("/about/\">About section</a>")
    );
}

#[test]
fn a_paginated_section_redirects_its_page_1_to_itself_as_zola_does() {
    let site = Site::fixture("zola");
    site.edit(
        "content/blog/_index.md",
        "sort_by = \"date\"",
        "sort_by = \"date\"\npaginate_by = 1",
    );
    site.build().success();
    let html = site.read("blog/page/1/index.html");
    assert!(
        html.contains(
            "<meta http-equiv=\"refresh\" content=\"0; url=https://zola.example/blog/\">"
        ),
        "{html}"
    );
    // The text of Zola's redirect page.
    assert!(html.contains("<title>Redirect</title>"), "{html}");
    assert!(
        html.contains("<a href=\"https://zola.example/blog/\">Click here</a> to be redirected."),
        "{html}"
    );
    // A section without paginate_by has none.
    assert!(!site.exists("docs/page/1/index.html"));
}

#[test]
fn templates_read_zolas_switches_as_written() {
    let site = Site::fixture("zola");
    site.write(
        "templates/index.html",
        "search={{ config.build_search_index }} feeds={{ config.generate_feeds }}",
    );
    site.build().success();
    // The fixture sets build_search_index = true and no generate_feeds.
    assert_eq!(site.read("index.html"), "search=true feeds=false");
}

#[test]
fn a_site_without_a_404_template_gets_zolas() {
    let site = Site::fixture("zola");
    assert!(!site.root().join("templates/404.html").exists());
    site.build().success();
    assert_eq!(
        site.read("404.html"),
        "<!doctype html>\n<title>404 Not Found</title>\n<h1>404 Not Found</h1>\n"
    );
    // A site's own wins.
    site.write("templates/404.html", "<p>gone</p>");
    site.build().success();
    assert_eq!(site.read("404.html"), "<p>gone</p>");
}

#[test]
fn code_annotations_number_mark_and_hide_lines_as_zola_does() {
    let site = Site::fixture("zola");
    site.write(
        "content/code.md",
        "+++\ntitle = \"Code\"\n+++\n\n```rust,linenos,linenostart=5,hl_lines=2 3,hide_lines=4\nfn main() {\n    let x = 1;\n    let y = 2;\n    // hidden\n}\n```\n",
    );
    site.build().success();
    let html = site.read("code/index.html");
    let block = &html[html
        .find("<pre class=\"code-lines\">")
        .expect("an annotated block")..];
    let block = &block[..block.find("</pre>").unwrap()];
    let numbers: Vec<&str> = block
        .split("<span class=\"code-line-number\" aria-hidden=\"true\">")
        .skip(1)
        .map(|s| &s[..s.find('<').unwrap()])
        .collect();
    assert_eq!(numbers, ["5", "6", "7", "9"], "{block}");
    assert_eq!(
        block.matches("<mark class=\"code-line\">").count(),
        2,
        "{block}"
    );
    assert!(!block.contains("// hidden"), "{block}");
}

#[test]
fn minify_html_minifies_every_page_as_zola_does() {
    let site = Site::fixture("zola");
    site.edit("config.toml", "minify_html = false", "minify_html = true");
    site.write(
        "templates/404.html",
        "<!doctype html>\n<html>\n<head>\n  <title>Gone</title>\n</head>\n<body>\n\n  <p>Not   here</p>\n</body>\n</html>\n",
    );
    site.build().success().stderr_lacks("minify_html");
    assert_eq!(
        site.read("404.html"),
        "<!doctype html><html><head><title>Gone</title><body><p>Not here"
    );
    let page = site.read("index.html");
    assert!(!page.contains(">\n<"), "{page}");
}

// ------------------------------------------------------------ dated names

#[test]
fn a_dated_file_name_gives_the_date_and_the_slug() {
    // Zola: `2020-07-08-language-tests.md` is dated 2020-07-08 and
    // published at language-tests/.
    let html = page("blog/language-tests/index.html");
    assert!(html.contains("<time>2020-07-08</time>"), "{html}");
    assert!(
        !built()
            .0
            .exists("blog/2020-07-08-language-tests/index.html")
    );
}

#[test]
fn front_matter_dates_win_over_a_dated_bundle_folder() {
    let html = page("blog/trip/index.html");
    assert!(html.contains("<time>2022-02-02</time>"), "{html}");
}

// ------------------------------------------------------------ search page

#[test]
fn a_content_page_at_search_is_the_search_page() {
    // zola-theme-papermod ships content/search.md with `template =
    // "search.html"`: that page is the site's search page, and fascia's own
    // must not be written over it (it was a duplicate-output error).
    let site = Site::fixture("zola");
    site.write(
        "templates/search.html",
        "{% if page %}<main>{{ page.title }}: {{ page.content | safe }}</main>{% else %}<main>built-in</main>{% endif %}",
    )
    .write(
        "content/search.md",
        "+++\ntitle = \"Find\"\ntemplate = \"search.html\"\n+++\n\nType a word.\n",
    );
    site.build().success();
    let html = site.read("search/index.html");
    assert!(html.contains("<main>Find: <p>Type a word.</p>"), "{html}");
}

// ------------------------------------------------------------ emoji

#[test]
fn render_emoji_turns_github_names_into_emoji_outside_code() {
    let site = Site::fixture("zola");
    site.edit(
        "config.toml",
        "[markdown]\n",
        "[markdown]\nrender_emoji = true\n",
    )
    .write(
        "content/docs/emoji.md",
        "+++\ntitle = \"Emoji\"\n+++\n\nWell done :tada: and :+1: but :no_such_name: stays; `:tada:` in code stays.\n",
    );
    let run = site.build();
    run.success().stderr_lacks("render_emoji");
    let html = site.read("docs/emoji/index.html");
    assert!(
        html.contains("Well done 🎉 and 👍 but :no_such_name: stays"),
        "{html}"
    );
    assert!(html.contains("<code>:tada:</code>"), "{html}");
}

// ------------------------------------------------------------ transparent

#[test]
fn a_transparent_sections_pages_are_listed_and_neighbours_in_its_parent() {
    // Expected output as zola 0.22 writes it for this site.
    let list = "{% for p in section.pages %}[{{ p.title }}]{% endfor %}";
    let site = bare("");
    site
        .write("content/_index.md", "+++\nsort_by = \"date\"\n+++\n")
        .write(
            "content/posts/_index.md",
            "+++\ntitle = \"Posts\"\nsort_by = \"date\"\ntransparent = true\n+++\n",
        )
        .write("content/posts/old.md", "+++\ntitle = \"Old\"\ndate = 2020-01-01\n+++\n")
        .write("content/posts/new.md", "+++\ntitle = \"New\"\ndate = 2022-01-01\n+++\n")
        .write("content/middle.md", "+++\ntitle = \"Middle\"\ndate = 2021-01-01\n+++\n")
        .write("templates/index.html", list)
        .write("templates/section.html", list)
        .write(
            "templates/page.html",
            "{{ page.title }} lower={% if page.lower %}{{ page.lower.title }}{% endif %} higher={% if page.higher %}{{ page.higher.title }}{% endif %}",
        );
    site.build().success();
    let read = |rel: &str| site.read(rel).trim().to_string();
    assert_eq!(read("index.html"), "[New][Middle][Old]");
    assert_eq!(read("posts/index.html"), "[New][Old]");
    assert_eq!(read("posts/old/index.html"), "Old lower=Middle higher=");
    assert_eq!(read("middle/index.html"), "Middle lower=New higher=Old");
}

#[test]
fn config_author_reaches_templates() {
    let site = Site {
        dir: tempfile::tempdir().unwrap(),
    };
    site.write(
        "config.toml",
        "author = \"A. Writer\"\nbase_url = \"https://example.org\"\ntitle = \"T\"\n",
    )
    .write("content/_index.md", "+++\n+++\n")
    .write("templates/index.html", "by [{{ config.author }}]");
    site.build().success().stderr_lacks("author");
    assert_eq!(site.read("index.html"), "by [A. Writer]");
    // None prints nothing, as in Tera.
    site.write(
        "config.toml",
        "base_url = \"https://example.org\"\ntitle = \"T\"\n",
    );
    site.build().success();
    assert_eq!(site.read("index.html"), "by []");
}

#[test]
fn pages_of_the_same_date_are_ordered_by_permalink_as_in_zola() {
    let site = bare("");
    site.write("content/_index.md", "+++\nsort_by = \"date\"\n+++\n")
        .write(
            "content/apple.md",
            "+++\ntitle = \"Zebra\"\ndate = 2023-04-07\n+++\n",
        )
        .write(
            "content/banana.md",
            "+++\ntitle = \"Aardvark\"\ndate = 2023-04-07\n+++\n",
        )
        .write(
            "content/cherry.md",
            "+++\ntitle = \"Newer\"\ndate = 2023-04-08\n+++\n",
        )
        .write(
            "templates/index.html",
            "{% for p in section.pages %}[{{ p.title }}]{% endfor %}",
        )
        .write("templates/page.html", "");
    site.build().success();
    assert_eq!(site.read("index.html"), "[Newer][Zebra][Aardvark]");
}

#[test]
fn pages_group_by_year_and_month_as_in_zolas_archive_templates() {
    // zola-theme-papermod's archive; expected output as zola 0.22 writes it.
    let site = bare("");
    site
        .write("content/_index.md", "+++\n+++\n")
        .write("content/posts/_index.md", "+++\nsort_by = \"date\"\n+++\n")
        .write("content/posts/a.md", "+++\ntitle = \"A\"\ndate = 2023-04-07\n+++\n")
        .write("content/posts/b.md", "+++\ntitle = \"B\"\ndate = 2019-02-04\n+++\n")
        .write("content/posts/c.md", "+++\ntitle = \"C\"\ndate = 2023-02-04\n+++\n")
        .write(
            "templates/index.html",
            "{% set s = get_section(path=\"posts/_index.md\") %}{% set y = s.pages | group_by(attribute=\"year\") %}{% for year, posts in y %}[{{ year }}:{% set m = posts | group_by(attribute=\"month\") %}{% for month, ps in m %}{{ month }}={{ ps | length }}/{{ ps[0].date | date(format=\"%B\") }};{% endfor %}]{% endfor %}",
        )
        .write("templates/section.html", "")
        .write("templates/page.html", "{{ page.year }}-{{ page.month }}-{{ page.day }}");
    site.build().success();
    assert_eq!(
        site.read("index.html").trim(),
        "[2023:4=1/April;2=1/February;][2019:2=1/February;]"
    );
    assert_eq!(site.read("posts/a/index.html"), "2023-4-7");
}

#[test]
fn a_taxonomy_without_terms_writes_no_page_as_in_zola() {
    // anemone, blow: no French page has tags, and Zola writes no fr/tags/
    // (`render_taxonomy` skips a taxonomy without terms). Terms list
    // their pages newest first, ties by permalink, as in Zola.
    let list = "{% for t in terms %}{{ t.name }}:{% for p in t.pages %}[{{ p.title }}]{% endfor %}{% endfor %}";
    let site = bare("taxonomies = [{ name = \"tags\" }]\n\n[languages.fr]\ntitle = \"T\"\n");
    site.write("content/_index.md", "+++\n+++\n")
        .write("content/_index.fr.md", "+++\n+++\n")
        .write(
            "content/zed.md",
            "+++\ntitle = \"Zed\"\ndate = 2023-01-01\n[taxonomies]\ntags = [\"x\"]\n+++\n",
        )
        .write(
            "content/alpha.md",
            "+++\ntitle = \"Alpha\"\ndate = 2023-01-01\n[taxonomies]\ntags = [\"x\"]\n+++\n",
        )
        .write("content/alpha.fr.md", "+++\ntitle = \"Alpha FR\"\n+++\n")
        .write("templates/index.html", "")
        .write("templates/page.html", "")
        .write("templates/tags/list.html", list)
        .write(
            "templates/tags/single.html",
            "{% for p in term.pages %}[{{ p.title }}]{% endfor %}",
        );
    site.build().success();
    assert_eq!(site.read("tags/index.html"), "x:[Alpha][Zed]");
    assert!(!site.exists("fr/tags/index.html"));
    assert!(!site.read("sitemap.xml").contains("/fr/tags/"));
    // A French page with a tag: `[languages.fr]` names no taxonomies, and
    // fascia, more lenient than Zola, lists it under the site's.
    site.write(
        "content/alpha.fr.md",
        "+++\ntitle = \"Alpha FR\"\n[taxonomies]\ntags = [\"y\"]\n+++\n",
    );
    site.build().success();
    assert_eq!(site.read("fr/tags/index.html"), "y:[Alpha FR]");
}

// ------------------------------------------------------------ robots, sitemap

#[test]
fn robots_txt_is_zolas_or_the_sites_template_and_both_files_can_be_turned_off() {
    let site = bare("");
    site.write("content/_index.md", "+++\n+++\n")
        .write("templates/index.html", "home");
    site.build().success();
    // Zola's built-in robots.txt, as zola 0.22 writes it.
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nDisallow:\nAllow: /\nSitemap: https://example.org/sitemap.xml\n"
    );
    assert!(site.exists("sitemap.xml"));
    site.write(
        "templates/robots.txt",
        "User-agent: *\nDisallow: /private/\n# {{ config.title }}\n",
    );
    site.build().success();
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nDisallow: /private/\n# T\n"
    );
    site.write(
        "config.toml",
        "base_url = \"https://example.org\"\ntitle = \"T\"\ngenerate_sitemap = false\ngenerate_robots_txt = false\n",
    );
    site.build().success().stderr_lacks("generate_");
    assert!(!site.exists("robots.txt") && !site.exists("sitemap.xml"));
}

// ------------------------------------------------------------ pagination

#[test]
fn sections_and_terms_paginate_with_paginate_path_as_in_zola() {
    // Pagers, their pages and links as zola 0.22 writes them for this site.
    let pager = "{{ paginator.current_index }}/{{ paginator.number_pagers }} of {{ paginator.total_pages }}: {% for p in paginator.pages %}[{{ p.title }}]{% endfor %} prev={{ paginator.previous }} next={{ paginator.next }} base={{ paginator.base_url }}";
    let site = bare("taxonomies = [{ name = \"tags\", paginate_by = 2, paginate_path = \"p\" }]\n");
    site
    .write("content/_index.md", "+++\n+++\n")
    .write(
        "content/blog/_index.md",
        "+++\ntitle = \"Blog\"\nsort_by = \"date\"\npaginate_by = 2\npaginate_path = \"seite\"\npaginate_reversed = true\n+++\n",
    )
    .write("templates/index.html", "")
    .write("templates/page.html", "")
    .write("templates/section.html", pager)
    .write("templates/tags/list.html", "")
    .write("templates/tags/single.html", &format!("{{{{ term.name }}}} {pager}"));
    for i in 1..=3 {
        site.write(
            &format!("content/blog/p{i}.md"),
            &format!(
                "+++\ntitle = \"P{i}\"\ndate = 2020-01-0{i}\n[taxonomies]\ntags = [\"x\"]\n+++\n"
            ),
        );
    }
    site.build().success();
    let o = "https://example.org";
    assert_eq!(
        site.read("blog/index.html"),
        format!("1/2 of 3: [P1][P2] prev= next={o}/blog/seite/2/ base={o}/blog/seite/")
    );
    assert_eq!(
        site.read("blog/seite/2/index.html"),
        format!("2/2 of 3: [P3] prev={o}/blog/ next= base={o}/blog/seite/")
    );
    assert!(
        site.read("blog/seite/1/index.html")
            .contains(&format!("url={o}/blog/"))
    );
    assert_eq!(
        site.read("tags/x/index.html"),
        format!("x 1/2 of 3: [P3][P2] prev= next={o}/tags/x/p/2/ base={o}/tags/x/p/")
    );
    assert_eq!(
        site.read("tags/x/p/2/index.html"),
        format!("x 2/2 of 3: [P1] prev={o}/tags/x/ next= base={o}/tags/x/p/")
    );
    assert!(
        site.read("tags/x/p/1/index.html")
            .contains(&format!("url={o}/tags/x/"))
    );
    assert!(!site.exists("blog/page/2/index.html"));
}

#[test]
fn get_url_ignores_arguments_it_does_not_know_as_zola_does() {
    // zola-theme-papermod writes `trailingslash=false` (a typo Zola ignores).
    let site = bare("");
    site.write("content/_index.md", "+++\n+++\n").write(
        "templates/index.html",
        "{{ get_url(path=\"atom.xml\", trailingslash=false) }}",
    );
    site.build().success();
    assert_eq!(site.read("index.html"), "https://example.org/atom.xml");
}

// ------------------------------------------------------------ ignored files

#[test]
fn ignored_content_and_ignored_static_leave_files_out_as_in_zola() {
    let site =
        bare("ignored_content = [\"*.xlsx\", \"**/drafts/**\"]\nignored_static = [\"*.psd\"]\n");
    site.write("content/_index.md", "+++\n+++\n")
        .write("content/kept.md", "+++\ntitle = \"Kept\"\n+++\n")
        .write("content/drafts/secret.md", "+++\ntitle = \"Secret\"\n+++\n")
        .write("content/kept/sheet.xlsx", "not published")
        .write("static/logo.psd", "layers")
        .write("static/site.css", "body{}")
        .write(
            "templates/index.html",
            "{% for p in section.pages %}[{{ p.title }}]{% endfor %}",
        )
        .write("templates/page.html", "")
        .write("templates/section.html", "");
    site.build().success().stderr_lacks("ignored_");
    assert_eq!(site.read("index.html"), "[Kept]");
    assert!(!site.exists("drafts/secret/index.html"));
    assert!(!site.exists("kept/sheet.xlsx"));
    assert!(!site.exists("logo.psd") && site.exists("site.css"));
}

#[test]
fn a_bad_ignore_glob_is_an_error_at_its_key() {
    let site = bare("ignored_content = [\"a[b\"]\n");
    site.write("content/_index.md", "+++\n+++\n")
        .write("templates/index.html", "");
    site.build()
        .failure()
        .stderr_has("config.toml:3:1")
        .stderr_has("`a[b` in ignored_content is not a glob pattern")
        .stderr_has("help: write a glob");
}
