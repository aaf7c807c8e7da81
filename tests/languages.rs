//! A site in several languages (issue 23): Zola's model (`[languages.xx]`,
//! `name.xx.md` beside `name.md`, URLs under `/xx/`) and what a knowledge
//! base adds per language. The fixture (tests/fixtures/multilingual) has an
//! English default, French and Arabic, with its own small templates so that
//! what is asserted here is the engine, not a theme.

mod harness;

use harness::Site;

fn built() -> Site {
    let site = Site::fixture("multilingual");
    site.build().success();
    site
}

#[test]
fn translations_are_published_under_their_language() {
    let site = built();
    let fr = site.read("fr/needles/dry-needling/index.html");
    assert!(fr.contains("<html lang=\"fr\" dir=\"ltr\">"), "{fr}");
    assert!(fr.contains("<h1>Puncture sèche</h1>"));
    let en = site.read("needles/dry-needling/index.html");
    assert!(en.contains("<html lang=\"en\" dir=\"ltr\">"));
    // Never the old behaviour: a page of its own at /needles/dry-needling-fr/.
    assert!(!site.exists("needles/dry-needling-fr/index.html"));
    // Sections and home pages per language; a language without its own
    // home page gets one.
    assert!(site.read("fr/index.html").contains("Commencez par"));
    assert!(
        site.read("fr/needles/index.html")
            .contains("<h1>Aiguilles</h1>")
    );
    let ar = site.read("ar/needles/dry-needling/index.html");
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">"), "{ar}");
    assert!(site.exists("ar/index.html"));
}

#[test]
fn sections_list_the_pages_of_their_own_language() {
    let site = built();
    let fr = site.read("fr/needles/index.html");
    assert!(fr.contains("Puncture sèche</a> (fr)"), "{fr}");
    assert!(fr.contains("Sécurité</a> (fr)"));
    assert!(
        !fr.contains("(en)"),
        "an English page in a French section: {fr}"
    );
    let en = site.read("needles/index.html");
    assert!(en.contains("Dry needling</a> (en)") && en.contains("Cupping</a> (en)"));
    assert!(!en.contains("(fr)"));
}

#[test]
fn hreflang_alternates_and_the_switcher_name_every_version() {
    let site = built();
    let en = site.read("needles/dry-needling/index.html");
    for (lang, url) in [
        ("en", "https://example.org/needles/dry-needling/"),
        ("fr", "https://example.org/fr/needles/dry-needling/"),
        ("ar", "https://example.org/ar/needles/dry-needling/"),
    ] {
        let link = format!("<link rel=\"alternate\" hreflang=\"{lang}\" href=\"{url}\">");
        assert!(en.contains(&link), "missing {link} in {en}");
    }
    assert!(en.contains("<a lang=\"fr\" hreflang=\"fr\" href=\"https://example.org/fr/needles/dry-needling/\">Français</a>"));
    // A page with no translation lists none (Zola: only itself).
    let cupping = site.read("needles/cupping/index.html");
    assert!(!cupping.contains("hreflang=\"fr\""), "{cupping}");
    assert!(
        site.read("fr/needles/dry-needling/index.html")
            .contains("<meta property=\"og:locale\" content=\"fr_CA\">")
    );
}

#[test]
fn links_stay_in_the_readers_language_and_fall_back_visibly() {
    let site = built();
    let fr = site.read("fr/needles/dry-needling/index.html");
    // `@/needles/safety.md#risks` written in French leads to the French page,
    // whose heading keeps the anchor with `{#risks}`.
    assert!(
        fr.contains("href=\"https://example.org/fr/needles/safety/#risks\""),
        "{fr}"
    );
    // Cupping has no French version: the English page, marked as English.
    assert!(
        fr.contains("href=\"https://example.org/needles/cupping/\" hreflang=\"en\""),
        "{fr}"
    );
    // The wikilink finds the French page by its French title.
    assert!(fr.contains("href=\"https://example.org/fr/needles/safety/\""));
    // Zola's get_url(lang=) and trans().
    assert!(fr.contains("<p class=\"safety-url\">https://example.org/fr/needles/safety/</p>"));
    assert!(fr.contains("<p class=\"more\">Lire la suite</p>"));
    let ar = site.read("ar/needles/dry-needling/index.html");
    assert!(ar.contains("<p class=\"more\">اقرأ المزيد</p>"));
    // Arabic has no safety page: get_url falls back to the page itself.
    assert!(ar.contains("<p class=\"safety-url\">https://example.org/needles/safety/</p>"));
    let en = site.read("needles/dry-needling/index.html");
    assert!(en.contains("href=\"https://example.org/needles/safety/#risks\""));
    assert!(!en.contains("/\" hreflang="), "{en}");
}

#[test]
fn backlinks_come_from_pages_in_the_same_language() {
    let site = built();
    let cupping = site.read("needles/cupping/index.html");
    let backlinks = cupping.split("class=\"backlinks\"").nth(1).unwrap();
    let backlinks = backlinks.split("</section>").next().unwrap();
    assert!(backlinks.contains("Dry needling"), "{backlinks}");
    assert!(
        !backlinks.contains("Puncture"),
        "a French page in English backlinks: {backlinks}"
    );
    let fr_safety = site.read("fr/needles/safety/index.html");
    let fr_back = fr_safety.split("class=\"backlinks\"").nth(1).unwrap();
    assert!(fr_back.contains("/fr/needles/dry-needling/"), "{fr_back}");
}

#[test]
fn glossary_terms_link_in_each_language_to_that_languages_glossary() {
    let site = built();
    let fr = site.read("fr/needles/dry-needling/index.html");
    assert!(
        fr.contains(
            "href=\"https://example.org/fr/glossary/#point-gachette\" class=\"glossary-term\""
        ),
        "{fr}"
    );
    let en = site.read("needles/dry-needling/index.html");
    assert!(
        en.contains("href=\"https://example.org/glossary/#trigger-point\" class=\"glossary-term\"")
    );
    let glossary_fr = site.read("fr/glossary/index.html");
    assert!(glossary_fr.contains("<dt id=\"point-gachette\">Point gâchette</dt>"));
    assert!(!glossary_fr.contains("Trigger point"));
}

#[test]
fn taxonomies_feeds_and_sitemap_per_language() {
    let site = built();
    assert!(
        site.read("tags/needling/index.html")
            .contains("Dry needling")
    );
    let fr_term = site.read("fr/tags/needling/index.html");
    assert!(fr_term.contains("Puncture sèche") && !fr_term.contains("Dry needling"));
    let fr_page = site.read("fr/needles/dry-needling/index.html");
    assert!(fr_page.contains("href=\"https://example.org/fr/tags/needling/\""));
    // One feed per language that has one (Arabic turns its own off).
    let feed_fr = site.read("fr/atom.xml");
    assert!(feed_fr.contains("xml:lang=\"fr\"") && feed_fr.contains("<title>Manuel</title>"));
    assert!(feed_fr.contains("Puncture sèche") && !feed_fr.contains("Dry needling"));
    assert!(!site.read("atom.xml").contains("Puncture"));
    assert!(!site.exists("ar/atom.xml"));
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    assert!(sitemap.contains(
        "<xhtml:link rel=\"alternate\" hreflang=\"fr\" href=\"https://example.org/fr/needles/dry-needling/\"/>"
    ));
}

#[test]
fn check_warns_about_stale_translations_and_unknown_language_codes() {
    let site = Site::fixture("multilingual");
    site.write(
        "content/needles/cupping.de.md",
        "+++\ntitle = \"Schröpfen\"\n+++\nText.\n",
    );
    let run = site.check(&[]);
    run.stderr_has("content/needles/dry-needling.fr.md:4:1")
        .stderr_has("older than `needles/dry-needling.md`, changed 2026-11-01");
    // The French safety page was reviewed after the English one: not stale.
    run.stderr_lacks("safety.fr.md:4:1");
    run.stderr_has("`needles/cupping.de.md` looks like a translation into `de`")
        .stderr_has("add [languages.de] to config.toml");
}

#[test]
fn bad_language_codes_and_missing_translations_are_errors_that_say_where() {
    let site = Site::fixture("multilingual");
    site.edit("config.toml", "[languages.ar]", "[languages.\"a/r\"]");
    site.build()
        .failure()
        .stderr_has("config.toml:")
        .stderr_has("`a/r` is not a language code");
    let site = Site::fixture("multilingual");
    site.edit(
        "templates/base.html",
        "trans(key=\"read_more\"",
        "trans(key=\"nope\"",
    );
    site.build()
        .failure()
        .stderr_has("no translation of `nope` for `en`")
        .stderr_has("[translations]");
}

#[test]
fn a_single_language_site_is_unchanged() {
    // No [languages]: `page.translations` is empty, `lang` is the default,
    // and a file named like a translation stays a page of its own.
    let site = Site::fixture("multilingual");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    let mono = config.split("[languages.fr]").next().unwrap().to_string();
    site.write("config.toml", &mono);
    site.remove("content/_index.fr.md")
        .remove("content/needles/_index.fr.md")
        .remove("content/needles/dry-needling.fr.md")
        .remove("content/needles/dry-needling.ar.md")
        .remove("content/needles/safety.fr.md")
        .remove("content/glossary.fr.md");
    site.edit(
        "templates/base.html",
        "trans(key=\"read_more\", lang=lang)",
        "trans(key=\"read_more\")",
    );
    site.build().success();
    let en = site.read("needles/dry-needling/index.html");
    assert!(en.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(!en.contains("rel=\"alternate\" hreflang"), "{en}");
    assert!(!site.read("sitemap.xml").contains("xhtml:link"));
}

#[test]
fn a_section_at_a_taxonomys_url_gives_way_with_a_warning_naming_both() {
    // A Zola theme's demo site with an `authors/` section beside an
    // `authors` taxonomy: Zola writes the taxonomy's page over the
    // section's silently; fascia does the same and says so.
    let site = Site::fixture("multilingual");
    site.write(
        "content/tags/_index.md",
        "+++\ntitle = \"Tag notes\"\n+++\nA section where the taxonomy lives.\n",
    );
    site.build()
        .success()
        .stderr_has("content/tags/_index.md and the taxonomy `tags` both write the URL /tags/; the taxonomy's page is written");
    let list = site.read("tags/index.html");
    assert!(list.contains("class=\"terms\""), "{list}");
    assert!(!list.contains("Tag notes"));
    // A page at a term's URL (adidoks' `authors/aaran-xu.md` beside the
    // `authors` term `aaran-xu`) gives way the same way, instead of failing
    // the build on two writers of one file.
    site.write(
        "content/tags/needling.md",
        "+++\ntitle = \"About needling tags\"\n+++\nText.\n",
    );
    site.build().success().stderr_has(
        "content/tags/needling.md and the taxonomy `tags` both write the URL /tags/needling/",
    );
    let term = site.read("tags/needling/index.html");
    assert!(term.contains("class=\"term\"") && !term.contains("About needling tags"));
}

#[test]
fn a_template_error_names_the_page_being_rendered() {
    let site = Site::fixture("multilingual");
    site.edit(
        "templates/page.html",
        "<h1>{{ page.title }}</h1>",
        "<h1>{{ page.title }}</h1>{% if page.lang == \"fr\" %}{{ 1 / 0 }}{% endif %}",
    );
    site.build()
        .failure()
        .stderr_has("templates/page.html:2:")
        .stderr_has("(rendering content/needles/");
}

#[test]
fn a_sections_files_are_found_and_published_under_each_language() {
    // Zola copies a section's files into its output folder before its
    // template runs, and looks there too: tabi names its cards by output
    // path (`ca/archive/ca_archive.jpg`).
    let site = Site::fixture("multilingual");
    site.write(
        "content/needles/card.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"20\"></svg>\n",
    );
    site.edit(
        "templates/section.html",
        "<h1>{{ section.title }}</h1>",
        "<h1>{{ section.title }}</h1><p class=\"card\">{{ get_image_metadata(path=section.path ~ \"card.svg\").height }}</p>",
    );
    site.build().success();
    assert!(
        site.read("fr/needles/index.html")
            .contains("<p class=\"card\">20</p>")
    );
    assert!(
        site.read("needles/index.html")
            .contains("<p class=\"card\">20</p>")
    );
    assert!(site.exists("fr/needles/card.svg") && site.exists("needles/card.svg"));
}

#[test]
fn a_shortcode_whose_arguments_do_not_parse_is_text_with_a_warning() {
    let site = Site::fixture("multilingual");
    site.write(
        "content/needles/cupping.md",
        "+++\ntitle = \"Cupping\"\nweight = 3\n+++\nCups; see [dry needling](@/needles/dry-needling.md).\n\n{{ note(text='it's') }}\n",
    );
    site.build()
        .success()
        .stderr_has("content/needles/cupping.md:7:1: warning")
        .stderr_has("the call is shown as text, as Zola shows it");
    // Shown as written (no smart punctuation: Zola's default).
    let html = site.read("needles/cupping/index.html");
    assert!(html.contains("<p>{{ note(text='it's') }}</p>"), "{html}");
}

#[test]
fn plural_gives_the_cldr_category_of_a_count_in_the_page_language() {
    let site = Site::fixture("multilingual");
    site.write(
        "templates/page.html",
        "<p>{% for n in [0, 1, 2, 3, 11, 100] %}{{ plural(n=n, lang=lang) }} {% endfor %}</p>",
    );
    site.build().success();
    let p = |file: &str| {
        let html = site.read(file);
        html[html.find("<p>").unwrap() + 3..html.find("</p>").unwrap()].to_string()
    };
    assert_eq!(
        p("needles/dry-needling/index.html"),
        "other one other other other other "
    );
    assert_eq!(
        p("fr/needles/dry-needling/index.html"),
        "one one other other other other "
    );
    assert_eq!(
        p("ar/needles/dry-needling/index.html"),
        "zero one two few many other "
    );
}
