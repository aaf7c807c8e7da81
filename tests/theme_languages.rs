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

const SHIPPED: &[&str] = &["en", "fr", "es"];

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

#[test]
fn the_shipped_languages_have_the_same_keys_and_placeholders() {
    let en = strings("en");
    for code in &SHIPPED[1..] {
        let other = strings(code);
        let a: BTreeSet<_> = en.keys().collect();
        let b: BTreeSet<_> = other.keys().collect();
        assert_eq!(
            a.symmetric_difference(&b).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "en.toml and {code}.toml differ in their keys"
        );
        let placeholders = |s: &str| -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_string()))
                .collect()
        };
        for (key, text) in &en {
            assert_eq!(
                placeholders(text),
                placeholders(&other[key]),
                "`{key}`: {code}.toml has other {{placeholders}} than en.toml"
            );
            assert!(
                !other[key].trim().is_empty(),
                "`{key}` is empty in {code}.toml"
            );
        }
    }
}

#[test]
fn medical_certainty_words_are_the_usual_ones() {
    let fr = strings("fr");
    let es = strings("es");
    for (key, french, spanish) in [
        ("value_very_low", "très faible", "muy baja"),
        ("value_low", "faible", "baja"),
        ("value_moderate", "modérée", "moderada"),
        ("value_high", "élevée", "alta"),
    ] {
        assert_eq!(fr[key], french);
        assert_eq!(es[key], spanish);
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
    // Arabic: no theme file, so the site's own strings and the theme's
    // English for the rest.
    let ar = site.read("ar/needles/dry-needling/index.html");
    assert!(ar.contains(">تصفح</h2>") && ar.contains("معلومات عامة لأغراض تعليمية"));
    assert!(ar.contains(">On this page</h2>"));
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
