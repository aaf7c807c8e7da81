//! The fibre theme in several languages (issue 23): every interface string
//! of its templates (and of fascia's built-in shortcodes) has a text in each
//! translation file the theme ships, and a site in English, French and
//! Arabic (tests/fixtures/fibre-languages) comes out with the language, the
//! direction, the alternates, the switcher and the fallback notes a reader
//! and a search engine need. The browser side is tests/browser/languages.test.js.

mod harness;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use harness::Site;

const SHIPPED: &[&str] = &["en", "fr", "es", "ar"];

/// The plural forms a language may add to a `KEY_one`/`KEY_other` pair of
/// en.toml (CLDR categories English does not use).
const EXTRA_PLURALS: &[&str] = &["zero", "two", "few", "many"];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A translation file of the theme, key by key.
fn strings(code: &str) -> BTreeMap<String, String> {
    let path = repo().join(format!("themes/fibre/translations/{code}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every .html file below `dir`.
fn templates(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().to_path_buf())
        .collect()
}

/// The text of a call starting at `from` (just after its `(`) up to its
/// closing parenthesis.
fn call_args(text: &str, from: usize) -> &str {
    let mut depth = 1;
    let mut in_string: Option<char> = None;
    for (i, c) in text[from..].char_indices() {
        match (in_string, c) {
            (Some(q), c) if c == q => in_string = None,
            (None, '"' | '\'') => in_string = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return &text[from..from + i];
                }
            }
            // Inside a string, or any other character.
            _ => {}
        }
    }
    &text[from..]
}

/// The string literals of the `key=` argument of a `trans(...)` call (both
/// sides of `"a" if x else "b"`; a literal followed by `~` is a prefix and
/// is left out) and whether the call gives a `default=`.
fn keys_of_call(args: &str) -> (Vec<String>, bool) {
    let key_expr = args
        .strip_prefix("key=")
        .unwrap_or("")
        .split(", lang=")
        .next()
        .unwrap_or("");
    // Literals outside parentheses only: `"value_" ~ (v | replace("-", "_"))`
    // names no key but the prefix, and `key ~ "_other"` none.
    let bytes = key_expr.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'"' => {
                let end = key_expr[i + 1..]
                    .find('"')
                    .map_or(key_expr.len(), |e| i + 1 + e);
                let after = key_expr.get(end + 1..).unwrap_or("");
                let before = key_expr[..i].trim_end();
                let joined = after.trim_start().starts_with('~') || before.ends_with('~');
                if depth == 0 && !joined {
                    keys.push(key_expr[i + 1..end].to_string());
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    (keys, args.contains("default="))
}

/// Keys the templates under `dir` use: `(key, file, has_default)`.
fn used_keys(dir: &Path) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for file in templates(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(repo()).unwrap().display().to_string();
        for (at, _) in text.match_indices("trans(") {
            let (keys, has_default) = keys_of_call(call_args(&text, at + "trans(".len()));
            for k in keys {
                out.push((k, shown.clone(), has_default));
            }
        }
        // fibre's count_text("key", n) reads key_one and key_other.
        for (at, _) in text.match_indices("count_text(\"") {
            let rest = &text[at + "count_text(\"".len()..];
            let key = &rest[..rest.find('"').unwrap()];
            for form in ["one", "other"] {
                out.push((format!("{key}_{form}"), shown.clone(), false));
            }
        }
        // Dates: month_1 ... month_12.
        if text.contains("\"month_\" ~") {
            for m in 1..=12 {
                out.push((format!("month_{m}"), shown.clone(), false));
            }
        }
    }
    out
}

#[test]
fn every_interface_string_has_a_text_in_every_shipped_language() {
    let files: Vec<(&str, BTreeMap<String, String>)> =
        SHIPPED.iter().map(|c| (*c, strings(c))).collect();
    let mut missing = Vec::new();
    // The theme's own templates: every key without a default= (those with
    // one are the site's to give, like `disclaimer` or `fact_<field>`).
    let theme = used_keys(&repo().join("themes/fibre/templates"));
    // fascia's built-in shortcodes carry English defaults for sites without
    // the theme, but the theme translates them all.
    let builtin = used_keys(&repo().join("src/builtin"));
    assert!(
        theme.len() > 120,
        "only {} keys found in the theme's templates",
        theme.len()
    );
    assert!(
        builtin.len() >= 8,
        "only {} keys found in src/builtin",
        builtin.len()
    );
    for (key, file, has_default) in theme.iter().chain(&builtin) {
        let builtin_file = file.starts_with("src/");
        if *has_default && !builtin_file {
            continue;
        }
        for (code, table) in &files {
            if !table.contains_key(key) {
                missing.push(format!(
                    "{file}: `{key}` is missing from translations/{code}.toml"
                ));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The `{names}` a text fills in.
fn placeholders(s: &str) -> BTreeSet<String> {
    s.split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// `KEY_other` when `key` is `KEY_zero`, `KEY_two`, `KEY_few` or `KEY_many`.
fn other_form_of(key: &str) -> Option<String> {
    let (stem, form) = key.rsplit_once('_')?;
    EXTRA_PLURALS
        .contains(&form)
        .then(|| format!("{stem}_other"))
}

#[test]
fn the_shipped_languages_have_the_same_keys_and_placeholders() {
    let en = strings("en");
    for code in &SHIPPED[1..] {
        let other = strings(code);
        let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "{code}.toml lacks keys of en.toml: {missing:?}"
        );
        for (key, text) in &other {
            assert!(!text.trim().is_empty(), "`{key}` is empty in {code}.toml");
            // A key of en.toml: the same placeholders. Any other key must be
            // an extra plural form of a count en.toml has, with the
            // placeholders of its `_other` form.
            let model = match (en.get(key), other_form_of(key)) {
                (Some(model), _) => model,
                (None, Some(other_key)) if en.contains_key(&other_key) => &en[&other_key],
                _ => panic!(
                    "{code}.toml has `{key}`, which en.toml has not (only `_zero`, `_two`, `_few` and `_many` forms of a `KEY_other` may be added)"
                ),
            };
            assert_eq!(
                placeholders(model),
                placeholders(text),
                "`{key}`: {code}.toml has other {{placeholders}} than en.toml"
            );
        }
    }
}

#[test]
fn arabic_gives_all_six_plural_forms_of_every_count() {
    let en = strings("en");
    let ar = strings("ar");
    let counts: Vec<&str> = en
        .keys()
        .filter_map(|k| k.strip_suffix("_other"))
        .filter(|stem| en.contains_key(&format!("{stem}_one")))
        .collect();
    assert!(counts.len() >= 7, "only {} counts in en.toml", counts.len());
    for stem in counts {
        for form in ["zero", "one", "two", "few", "many", "other"] {
            assert!(
                ar.contains_key(&format!("{stem}_{form}")),
                "ar.toml lacks `{stem}_{form}`"
            );
        }
        // The dual and the plural of 3-10 are forms of their own.
        let two = &ar[&format!("{stem}_two")];
        let few = &ar[&format!("{stem}_few")];
        assert_ne!(two, few, "`{stem}`");
        assert_ne!(few, &ar[&format!("{stem}_other")], "`{stem}`");
    }
}

#[test]
fn medical_certainty_words_are_the_usual_ones() {
    let fr = strings("fr");
    let es = strings("es");
    let ar = strings("ar");
    for (key, french, spanish, arabic) in [
        ("value_very_low", "très faible", "muy baja", "منخفضة جدًا"),
        ("value_low", "faible", "baja", "منخفضة"),
        ("value_moderate", "modérée", "moderada", "متوسطة"),
        ("value_high", "élevée", "alta", "عالية"),
    ] {
        assert_eq!(fr[key], french);
        assert_eq!(es[key], spanish);
        assert_eq!(ar[key], arabic);
    }
}

/// A copy of the fixture that finds the repository's fibre theme.
fn fixture() -> Site {
    let site = Site::fixture("fibre-languages");
    let themes = repo().join("themes");
    site.edit(
        "config.toml",
        "themes_dir = \"../../../themes\"",
        &format!("themes_dir = {:?}", themes.to_str().unwrap()),
    );
    site
}

/// The fixture, built.
fn built() -> Site {
    let site = fixture();
    site.build().success();
    site
}

#[test]
fn a_home_page_fascia_makes_up_is_titled_with_the_language_site_title() {
    let site = fixture();
    site.remove("content/_index.ar.md");
    site.build().success();
    let ar = site.read("ar/index.html");
    assert!(ar.contains("<h1>دليل الإبر</h1>"), "{ar}");
    assert!(ar.contains("<title>دليل الإبر</title>"));
}

#[test]
fn pages_say_their_language_direction_and_alternates() {
    let site = built();
    let fr = site.read("fr/needles/dry-needling/index.html");
    assert!(fr.contains("<html lang=\"fr\" dir=\"ltr\""), "{fr}");
    for (lang, path) in [
        ("en", "/needles/dry-needling/"),
        ("fr", "/fr/needles/dry-needling/"),
        ("ar", "/ar/needles/dry-needling/"),
        ("x-default", "/needles/dry-needling/"),
    ] {
        let link = format!(
            "<link rel=\"alternate\" hreflang=\"{lang}\" href=\"https://example.org{path}\">"
        );
        assert!(fr.contains(&link), "missing {link}");
    }
    assert!(fr.contains("<meta property=\"og:locale\" content=\"fr_FR\">"));
    assert!(fr.contains("<meta property=\"og:locale:alternate\" content=\"en_US\">"));
    assert!(fr.contains("<meta property=\"og:locale:alternate\" content=\"ar_AR\">"));
    assert!(fr.contains("\"inLanguage\": \"fr\""));
    assert!(fr.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" hreflang=\"fr\" title=\"Manuel des aiguilles\" href=\"https://example.org/fr/atom.xml\">"
    ));
    assert!(site.exists("fr/atom.xml"));
    let ar = site.read("ar/needles/dry-needling/index.html");
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\""));
    // A page in one language only: no alternates.
    let cupping = site.read("needles/cupping/index.html");
    assert!(!cupping.contains("hreflang=\"x-default\""));
}

#[test]
fn the_interface_is_in_the_page_language() {
    let site = built();
    let fr = site.read("fr/needles/dry-needling/index.html");
    for text in [
        ">Aller au contenu</a>",
        "Dernière révision le <time datetime=\"2026-11-01\">1er novembre 2026</time>",
        "<th scope=\"row\">Certitude globale des preuves</th><td>faible</td>",
        "<span class=\"bool\">Oui</span>",
        ">Sur cette page</h2>",
        "<strong>Avertissement.</strong> Informations générales à visée éducative, et non un avis médical.",
    ] {
        assert!(fr.contains(text), "French page lacks {text}");
    }
    let en = site.read("needles/dry-needling/index.html");
    assert!(en.contains("Last reviewed <time datetime=\"2026-11-01\">1 November 2026</time>"));
    assert!(en.contains("<th scope=\"row\">Overall certainty of evidence</th><td>low</td>"));
    // Arabic: the theme's translations/ar.toml, under the site's own
    // strings (its `browse` has no shadda, the theme's has).
    let ar = site.read("ar/needles/dry-needling/index.html");
    assert!(ar.contains(">تصفح</h2>") && ar.contains("معلومات عامة لأغراض تعليمية"));
    assert!(!ar.contains(">تصفّح</h2>"));
    for text in [
        ">انتقل إلى المحتوى</a>",
        "روجعت آخر مرة في <time datetime=\"2026-11-01\">1 نوفمبر 2026</time>",
        "<td>منخفضة</td>",
        "<span class=\"bool\">نعم</span>",
        ">في هذه الصفحة</h2>",
        "<strong>إخلاء مسؤولية:</strong>",
    ] {
        assert!(ar.contains(text), "Arabic page lacks {text}");
    }
    for english in [">On this page</h2>", "Last reviewed", ">Skip to content<"] {
        assert!(!ar.contains(english), "Arabic page has {english}");
    }
    // The print edition of each language.
    let print = site.read("fr/print/index.html");
    assert!(print.contains("<html lang=\"fr\" dir=\"ltr\">"));
    assert!(print.contains("<title>Manuel des aiguilles\u{a0}: édition imprimable</title>"));
}

#[test]
fn the_switcher_keeps_the_reader_on_the_same_page() {
    let site = built();
    let en = site.read("needles/dry-needling/index.html");
    assert!(en.contains("<a href=\"https://example.org/fr/needles/dry-needling/\" hreflang=\"fr\" lang=\"fr\" dir=\"ltr\" rel=\"alternate\">Français</a>"), "{en}");
    assert!(en.contains("<a href=\"https://example.org/needles/dry-needling/\" aria-current=\"true\" lang=\"en\" dir=\"ltr\">English</a>"));
    // No French version: the French home page, said in French.
    let cupping = site.read("needles/cupping/index.html");
    assert!(cupping.contains("<a class=\"lang-untranslated\" href=\"https://example.org/fr/\" hreflang=\"fr\" lang=\"fr\" dir=\"ltr\">Français <span class=\"lang-note\">(page non traduite\u{a0}: page d’accueil)</span></a>"), "{cupping}");
    // A taxonomy's page leads to the same taxonomy in the other language.
    let tags = site.read("tags/index.html");
    assert!(tags.contains("<a href=\"https://example.org/fr/tags/\" hreflang=\"fr\" lang=\"fr\" dir=\"ltr\" rel=\"alternate\">Français</a>"), "{tags}");
    assert!(tags.contains("<a href=\"https://example.org/ar/tags/\" hreflang=\"ar\""));
    // A term only one language uses: that language's home page, as for a page.
    let term = site.read("fr/tags/aiguilles/index.html");
    assert!(
        term.contains(
            "<a class=\"lang-untranslated\" href=\"https://example.org/\" hreflang=\"en\""
        ),
        "{term}"
    );
}

#[test]
fn a_link_to_another_language_carries_a_note_in_the_reader_language() {
    let site = built();
    let fr = site.read("fr/needles/dry-needling/index.html");
    assert!(
        fr.contains("<a href=\"https://example.org/needles/cupping/\" hreflang=\"en\" data-lang-note=\"en anglais\">ventouses</a>"),
        "{fr}"
    );
    let ar = site.read("ar/needles/dry-needling/index.html");
    assert!(ar.contains("hreflang=\"en\" data-lang-note=\"بالإنجليزية\""));
    // Links within the language have none.
    assert!(!fr.contains("safety/\" hreflang"));
}

#[test]
fn a_one_language_site_has_no_switcher_and_no_alternates() {
    let site = fixture();
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    let cut = config.find("[languages.fr]").unwrap();
    site.write("config.toml", &config[..cut]);
    for f in [
        "_index.fr.md",
        "_index.ar.md",
        "needles/_index.fr.md",
        "needles/_index.ar.md",
        "needles/dry-needling.fr.md",
        "needles/dry-needling.ar.md",
        "needles/safety.fr.md",
        "needles/safety.ar.md",
        "glossary.fr.md",
    ] {
        site.remove(&format!("content/{f}"));
    }
    site.build().success();
    let en = site.read("needles/dry-needling/index.html");
    assert!(en.contains("<html lang=\"en\" dir=\"ltr\""));
    assert!(!en.contains("lang-switch"), "a switcher with one language");
    assert!(!en.contains("hreflang=\"x-default\""));
    assert!(!en.contains("og:locale:alternate"));
}

#[test]
fn figure_captions_are_worded_in_the_page_language() {
    let site = fixture();
    let png = site.root().join("static/needle.png");
    std::fs::create_dir_all(png.parent().unwrap()).unwrap();
    image::RgbImage::from_pixel(8, 6, image::Rgb([40, 90, 160]))
        .save(&png)
        .unwrap();
    let figure = "\n\n{{ figure(src=\"/needle.png\", alt=\"A needle\", caption=\"A needle\", credit=\"The authors\", licence=\"CC0\") }}\n\n![A needle](/needle.png \"A needle\")\n";
    for file in [
        "content/needles/dry-needling.md",
        "content/needles/dry-needling.fr.md",
    ] {
        let text = std::fs::read_to_string(site.root().join(file)).unwrap();
        site.write(file, &format!("{text}{figure}"));
    }
    site.build().success();
    let en = site.read("needles/dry-needling/index.html");
    assert!(
        en.contains("<span class=\"figure-credit\">Credit: The authors.</span>"),
        "{en}"
    );
    assert!(en.contains("<span class=\"figure-label\">Figure 2.</span>"));
    assert!(!en.contains("Figure 3."));
    let fr = site.read("fr/needles/dry-needling/index.html");
    assert!(fr.contains("Crédit\u{a0}: The authors."), "{fr}");
    assert!(fr.contains("Licence\u{a0}: CC0."));
    assert!(
        !fr.contains("Credit:") && !fr.contains("fascia:figure"),
        "{fr}"
    );
}

#[test]
fn the_diagram_library_is_copied_only_for_a_site_with_a_diagram() {
    let site = fixture();
    site.build().success();
    for file in [
        "vendor/mermaid.min.js",
        "vendor/LICENSE-mermaid.txt",
        "mermaid-init.js",
    ] {
        assert!(!site.exists(file), "{file} without a diagram");
    }
    // Other static files of the theme are there.
    assert!(site.exists("fibre.js"));
    let page = "content/needles/cupping.md";
    let text = std::fs::read_to_string(site.root().join(page)).unwrap();
    site.write(
        page,
        &format!("{text}\n```mermaid\ngraph TD\n  A --> B\n```\n"),
    );
    site.build().success();
    for file in [
        "vendor/mermaid.min.js",
        "vendor/LICENSE-mermaid.txt",
        "mermaid-init.js",
    ] {
        assert!(site.exists(file), "{file} with a diagram");
    }
}

/// The lead of the Arabic page of tag `name`, found from the tags page's
/// link to it (the term's address is fascia's slug of the Arabic name).
fn arabic_term_lead(site: &Site, tags: &str, name: &str) -> String {
    let chip = format!("\">{name}<span class=\"pill\">");
    let end = tags
        .find(&chip)
        .unwrap_or_else(|| panic!("no {name} in {tags}"));
    let start = tags[..end].rfind("href=\"").unwrap() + "href=\"".len();
    let path = tags[start..end].trim_start_matches("https://example.org/");
    let page = site.read(&format!("{path}index.html"));
    let lead = page.find("<p class=\"lead\">").expect("a lead");
    let rest = &page[lead..];
    rest[..rest.find("</p>").unwrap()].to_string()
}

#[test]
fn arabic_counts_take_the_dual_and_the_plural_forms() {
    let site = fixture();
    // Eleven Arabic pages: all filed under جماعي, the first three under
    // ثلاثي, the first two under ثنائي.
    for i in 1..=11 {
        let mut tags = vec!["\"جماعي\""];
        if i <= 3 {
            tags.push("\"ثلاثي\"");
        }
        if i <= 2 {
            tags.push("\"ثنائي\"");
        }
        site.write(
            &format!("content/needles/n{i}.ar.md"),
            &format!(
                "+++\ntitle = \"صفحة {i}\"\nweight = {}\n[taxonomies]\ntags = [{}]\n+++\nنص الصفحة {i}.\n",
                10 + i,
                tags.join(", ")
            ),
        );
    }
    site.build().success();
    let tags = site.read("ar/tags/index.html");
    assert_eq!(
        arabic_term_lead(&site, &tags, "ثنائي"),
        "<p class=\"lead\">2 صفحتان مصنفتان تحت «ثنائي».",
        "two: the dual"
    );
    assert_eq!(
        arabic_term_lead(&site, &tags, "ثلاثي"),
        "<p class=\"lead\">3 صفحات مصنفة تحت «ثلاثي».",
        "three: the plural of 3-10"
    );
    assert_eq!(
        arabic_term_lead(&site, &tags, "جماعي"),
        "<p class=\"lead\">11 صفحة مصنفة تحت «جماعي».",
        "eleven: the singular of 11-99"
    );
    assert_eq!(
        arabic_term_lead(&site, &tags, "إبر"),
        "<p class=\"lead\">1 صفحة مصنفة تحت «إبر»."
    );
    // The list of tags: four terms (few), and each chip's hidden word.
    assert!(
        tags.contains("<p class=\"lead\">4 مصطلحات، لكلٍّ منها الصفحات المصنفة تحته.</p>"),
        "{tags}"
    );
    assert!(tags.contains(
        "ثنائي<span class=\"pill\"><span class=\"visually-hidden\">, </span>2<span class=\"visually-hidden\"> صفحتان</span>"
    ));
    assert!(tags.contains(
        "ثلاثي<span class=\"pill\"><span class=\"visually-hidden\">, </span>3<span class=\"visually-hidden\"> صفحات</span>"
    ));
    // The Arabic section now holds 13 pages: "13 صفحة" on the home page.
    let home = site.read("ar/index.html");
    assert!(home.contains("class=\"count\">13 صفحة<"), "{home}");
    // A comparison of two Arabic pages that differ on both facts: the
    // legend's count in the dual.
    site.write(
        "content/needles/compare.ar.md",
        "+++\ntitle = \"مقارنة\"\nweight = 30\ncompare = [\"@/needles/dry-needling.md\", \"@/needles/safety.md\"]\n+++\n{{ comparison() }}\n",
    );
    site.build().success();
    let compare = site.read("ar/needles/compare/index.html");
    assert!(
        compare.contains("عدد الصفحات المقارنة: 2، وعدد البنود: 2؛ 2 بندان مختلفان (في الصفوف المظللة الموسومة بـ«<span class=\"differs-flag\">مختلف</span>»)."),
        "{compare}"
    );
    // English keeps its two forms on the same site.
    let en_tags = site.read("tags/index.html");
    assert!(en_tags.contains("<p class=\"lead\">1 term, listing the pages filed under it.</p>"));
}

/// `[print] max_pages`: a language with more pages and sections gets no
/// print edition, a warning naming the setting, and no link to it from its
/// home page; the others keep theirs. 0 makes none and says nothing.
#[test]
fn a_language_over_print_max_pages_has_no_print_edition_and_says_why() {
    let site = fixture();
    // English has 6 pages and sections, French 5, Arabic 4.
    site.edit(
        "config.toml",
        "[search]\n",
        "[print]\nmax_pages = 5\n\n[search]\n",
    );
    // Without an English edition, a page may have its URL.
    site.write(
        "content/print.md",
        "+++\ntitle = \"Printing\"\n+++\nHow to print.\n",
    );
    let run = site.build();
    run.success().stderr_has(
        "config.toml: warning: the print edition (/print/) is not made: the site has 7 pages and sections in `en`, more than `[print] max_pages` (5)",
    );
    run.stderr_has("raise `max_pages` under `[print]` in config.toml")
        .stderr_lacks("(/fr/print/) is not made")
        .stderr_lacks("(/ar/print/) is not made");
    assert!(!site.read("print/index.html").contains("print-edition"));
    assert!(site.read("print/index.html").contains("How to print."));
    for lang in ["fr", "ar"] {
        let edition = site.read(&format!("{lang}/print/index.html"));
        assert!(edition.contains("class=\"print-edition\""), "{lang}");
        let home = site.read(&format!("{lang}/index.html"));
        assert!(
            home.contains(&format!("href=\"https://example.org/{lang}/print/\"")),
            "{lang} home lacks its print link"
        );
    }
    let home = site.read("index.html");
    assert!(!home.contains("class=\"home-print\""), "{home}");
    assert!(site.read("fr/index.html").contains("class=\"home-print\""));

    site.edit("config.toml", "max_pages = 5", "max_pages = 0");
    site.build().success().stderr_lacks("print edition");
    for lang in ["", "fr/", "ar/"] {
        assert!(
            !site
                .read(&format!("{lang}index.html"))
                .contains("home-print")
        );
    }
    assert!(!site.exists("fr/print/index.html"));
    assert!(!site.exists("ar/print/index.html"));

    // The default (1,000) makes every language's edition.
    site.edit("config.toml", "[print]\nmax_pages = 0\n", "");
    site.remove("content/print.md");
    site.build().success().stderr_lacks("print edition");
    for lang in ["", "fr/", "ar/"] {
        assert!(
            site.read(&format!("{lang}print/index.html"))
                .contains("class=\"print-edition\"")
        );
        assert!(
            site.read(&format!("{lang}index.html"))
                .contains("class=\"home-print\"")
        );
    }
}
