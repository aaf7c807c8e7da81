//! Search per language: the terms the index makes of words in English,
//! French, Spanish and Arabic (stop words dropped, Snowball stems, accents
//! folded), checked against the lists in `tests/data/search-terms/`, which
//! `tests/browser/stemmers.test.js` checks the browser's term making against:
//! the index and the client make the same term of every word in them.
//!
//! `FASCIA_UPDATE_SEARCH_TERMS=1 cargo test --test search_languages` rewrites
//! the lists' terms (after a deliberate change of the rules; the words stay).
//!
//! A site in several languages (the multilingual fixture: English, French,
//! Arabic) gets one index per language, each of its own pages with its own
//! stemmer and stop words, the default language's below `search/` and the
//! others' below `<lang>/search/`, named in the loader's manifest, and one
//! search page per language.

mod harness;
mod search_files;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use fascia::search::{self, Analyzer};
use search_files::{data, full_path, manifest};
use serde_json::Value;

const LANGUAGES: &[(&str, &str)] = &[
    ("en", "english"),
    ("fr", "french"),
    ("es", "spanish"),
    ("ar", "arabic"),
];

fn list_path(lang: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/data/search-terms/{lang}.tsv"))
}

/// The list for `lang` as the index makes it: a header with the stemmer's
/// name and the stop words, then each line's text and its terms.
fn expected_list(lang: &str, lines: &[&str]) -> String {
    let analyzer = Analyzer::new(lang);
    let mut out = format!(
        "# stemmer: {}\n# stop: {}\n",
        analyzer.stemmer_name().unwrap_or("none"),
        analyzer.stop_words().join(" ")
    );
    for line in lines {
        let terms: Vec<String> = analyzer.terms(line).collect();
        let _ = writeln!(out, "{line}\t{}", terms.join(" "));
    }
    out
}

#[test]
fn index_terms_are_those_of_the_lists_the_client_is_checked_against() {
    let update = std::env::var_os("FASCIA_UPDATE_SEARCH_TERMS").is_some();
    for &(lang, stemmer) in LANGUAGES {
        let path = list_path(lang);
        let text = std::fs::read_to_string(&path).expect("the list of words");
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| l.split('\t').next().unwrap_or(l))
            .collect();
        assert!(lines.len() > 80, "{lang}: {} lines", lines.len());
        let want = expected_list(lang, &lines);
        assert!(
            want.starts_with(&format!("# stemmer: {stemmer}\n")),
            "{lang}"
        );
        if update {
            std::fs::write(&path, &want).expect("write the list");
            continue;
        }
        for (got, want) in text.lines().zip(want.lines()) {
            assert_eq!(got, want, "{}", path.display());
        }
        assert_eq!(
            text.lines().count(),
            want.lines().count(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn inflections_case_and_accents_make_one_term_per_language() {
    let same = |lang: &str, words: &[&str]| {
        let a = Analyzer::new(lang);
        let first = a.term(words[0]);
        assert!(first.is_some(), "{lang}: {}", words[0]);
        for w in &words[1..] {
            assert_eq!(a.term(w), first, "{lang}: {w} and {}", words[0]);
        }
    };
    same("fr", &["aiguille", "aiguilles", "AIGUILLE", "Aiguilles"]);
    same(
        "fr",
        &["étirement", "étirements", "ÉTIREMENT", "etirements"],
    );
    same("fr", &["cœur", "coeur", "CŒUR", "cœurs"]);
    same("es", &["aguja", "agujas", "AGUJA"]);
    same("es", &["músculo", "músculos", "musculo"]);
    same("en", &["needle", "needles", "NEEDLES"]);
    same("en", &["stretching", "stretches", "stretched", "stretch"]);
    same("ar", &["العلاج", "العِلاجُ", "علاج"]);
    // Stop words of each language, and only of it.
    assert_eq!(Analyzer::new("fr").term("les"), None);
    assert_eq!(Analyzer::new("fr").term("à"), None);
    assert_eq!(Analyzer::new("es").term("él"), None);
    assert_eq!(Analyzer::new("ar").term("في"), None);
    assert_eq!(Analyzer::new("ar").term("إلى"), None);
    assert!(Analyzer::new("en").term("les").is_some());
    assert!(Analyzer::new("fr").term("the").is_some());
}

/// The multilingual fixture with the fibre theme's search (its loader,
/// client files and search page), built.
fn multilingual(extra_config: &str) -> harness::Site {
    let site = harness::Site::fixture("multilingual");
    let themes = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes");
    site.edit(
        "config.toml",
        "default_language = \"en\"\n",
        &format!(
            "default_language = \"en\"\ntheme = \"fibre\"\nthemes_dir = {:?}\n{extra_config}",
            themes.to_str().unwrap()
        ),
    );
    site.build().success();
    site
}

/// One language's index: its meta data and its documents by path.
struct LangIndex {
    meta: Value,
    docs: HashMap<String, usize>,
}

impl LangIndex {
    fn read(site: &harness::Site, file: &str) -> Self {
        let (key, meta) = data(&site.read(file));
        assert_eq!(key, "index");
        let docs = meta["docs"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, d)| (full_path(&meta, d), i))
            .collect();
        Self { meta, docs }
    }

    /// The documents whose `field` has the term `lang` makes of `word`.
    fn pages_with(&self, lang: &str, word: &str, field: &str) -> Vec<String> {
        let term = Analyzer::new(lang).term(word).expect("a term");
        let f = self.meta["fields"]
            .as_array()
            .unwrap()
            .iter()
            .position(|x| x == field)
            .unwrap() as u64;
        let Some(entry) = self.meta["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e[0] == term.as_str())
        else {
            return Vec::new();
        };
        let by_number: HashMap<usize, &String> = self.docs.iter().map(|(p, &i)| (i, p)).collect();
        let parts = entry.as_array().unwrap();
        let mut out = Vec::new();
        for pair in parts[1..].chunks(2) {
            if pair[0].as_u64() != Some(f) {
                continue;
            }
            let mut doc = 0;
            for p in pair[1].as_array().unwrap().chunks(2) {
                doc += p[0].as_u64().unwrap() as usize;
                out.push(by_number[&doc].clone());
            }
        }
        out
    }
}

#[test]
fn each_language_has_an_index_of_its_own_pages_stemmed_its_way() {
    let site = multilingual("");
    let en = LangIndex::read(&site, "search/index.js");
    let fr = LangIndex::read(&site, "fr/search/index.js");
    let ar = LangIndex::read(&site, "ar/search/index.js");
    assert_eq!(en.meta["stemmer"], "english");
    assert_eq!(fr.meta["stemmer"], "french");
    assert_eq!(ar.meta["stemmer"], "arabic");
    assert!(
        fr.meta["stop"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "les")
    );
    assert!(
        !en.meta["stop"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "les")
    );
    // Each index holds its language's pages, and only them.
    assert!(en.docs.contains_key("/needles/dry-needling/"));
    assert!(fr.docs.contains_key("/fr/needles/dry-needling/"));
    assert!(ar.docs.contains_key("/ar/needles/dry-needling/"));
    assert!(
        en.docs
            .keys()
            .all(|p| !p.starts_with("/fr/") && !p.starts_with("/ar/")),
        "{:?}",
        en.docs.keys()
    );
    assert!(
        fr.docs.keys().all(|p| p.starts_with("/fr/")),
        "{:?}",
        fr.docs.keys()
    );
    assert!(
        ar.docs.keys().all(|p| p.starts_with("/ar/")),
        "{:?}",
        ar.docs.keys()
    );
    // The French page says "aiguilles"; a French query for "aiguille" (or
    // "AIGUILLE", or "aiguilles") makes the same term and finds it; the
    // English index has no such word.
    let page = |pages: Vec<String>, path: &str| pages.iter().any(|p| p == path);
    for word in ["aiguille", "aiguilles", "AIGUILLE"] {
        assert!(
            page(
                fr.pages_with("fr", word, "body"),
                "/fr/needles/dry-needling/"
            ),
            "{word}"
        );
        assert!(
            page(fr.pages_with("fr", word, "title"), "/fr/needles/"),
            "{word}: the section Aiguilles"
        );
        assert!(en.pages_with("fr", word, "body").is_empty(), "{word}");
        assert!(en.pages_with("fr", word, "title").is_empty(), "{word}");
    }
    // English words are in the English index only: "needles" finds the
    // page that says "needle".
    assert!(page(
        en.pages_with("en", "needles", "body"),
        "/needles/dry-needling/"
    ));
    assert!(fr.pages_with("en", "needles", "body").is_empty());
    // Arabic, stemmed and without its vowel marks: "الإبر" finds the page
    // that says "بالإبر".
    assert!(page(
        ar.pages_with("ar", "الإبر", "body"),
        "/ar/needles/dry-needling/"
    ));
    assert!(page(
        ar.pages_with("ar", "الإبرِ", "body"),
        "/ar/needles/dry-needling/"
    ));
}

#[test]
fn the_loader_names_every_language_s_index_and_each_has_a_search_page() {
    let site = multilingual("");
    let loader = site.read("search/search.js");
    let m = manifest(loader.as_bytes());
    assert_eq!(m["lang"], "en");
    assert_eq!(m["stemmer"], "vendor/snowball-english-3.1.1.min.js");
    assert_eq!(
        m["files"]["index.js"],
        search::short_hash(site.read("search/index.js").as_bytes())
    );
    let fr = &m["languages"]["fr"];
    assert_eq!(fr["dir"], "fr/search/");
    assert_eq!(fr["stemmer"], "vendor/snowball-french-3.1.1.min.js");
    assert_eq!(
        fr["index"],
        search::short_hash(site.read("fr/search/index.js").as_bytes())
    );
    assert_eq!(m["languages"]["ar"]["dir"], "ar/search/");
    assert!(
        m["languages"].get("en").is_none(),
        "the default language is the top level"
    );
    // A search page per language, searching its own index: its form goes to
    // its own search page, and it links the same query in the others.
    for (file, action, others) in [
        (
            "search/index.html",
            "https://example.org/search/",
            ["fr", "ar"],
        ),
        (
            "fr/search/index.html",
            "https://example.org/fr/search/",
            ["en", "ar"],
        ),
        (
            "ar/search/index.html",
            "https://example.org/ar/search/",
            ["en", "fr"],
        ),
    ] {
        let html = site.read(file);
        assert!(
            html.contains(&format!("action=\"{action}\"")),
            "{file}: {html}"
        );
        for code in others {
            assert!(
                html.contains(&format!("data-search-lang=\"{code}\"")),
                "{file} links {code}"
            );
        }
    }
    assert!(
        site.read("fr/search/index.html")
            .contains("href=\"https://example.org/search/\"")
    );
}

#[test]
fn a_language_without_a_search_index_has_none_and_no_search_page() {
    let site = multilingual("");
    site.edit(
        "config.toml",
        "[languages.ar]\n",
        "[languages.ar]\nbuild_search_index = false\n",
    );
    site.build()
        .success()
        .stderr_has("Search index: 1 file")
        .stderr_has("Search index (fr): 1 file")
        .stderr_lacks("Search index (ar)");
    assert!(!site.exists("ar/search/index.js"));
    assert!(!site.exists("ar/search/index.html"));
    assert!(site.exists("fr/search/index.js"));
    let m = manifest(site.read("search/search.js").as_bytes());
    assert!(m["languages"].get("ar").is_none());
    assert!(m["languages"].get("fr").is_some());
}

/// The multilingual fixture with `extra` appended to its config.toml.
fn multilingual_with(extra: &str) -> harness::Site {
    let site = harness::Site::fixture("multilingual");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write("config.toml", &format!("{config}\n{extra}"));
    site
}

#[test]
fn a_language_s_search_settings_apply_to_its_index_only() {
    let site = multilingual_with(
        "[search]\nenabled = true\n\n[languages.fr.search]\nfields = [\"title\", \"headings\"]\n",
    );
    site.build().success();
    let en = LangIndex::read(&site, "search/index.js");
    let fr = LangIndex::read(&site, "fr/search/index.js");
    let fields = |i: &LangIndex| -> Vec<String> {
        i.meta["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(fields(&fr), ["title", "headings"]);
    assert!(
        fields(&en).contains(&"body".to_string()),
        "{:?}",
        fields(&en)
    );
    // The French body is not indexed; the title still is.
    assert!(page_in(
        &fr.pages_with("fr", "aiguilles", "title"),
        "/fr/needles/"
    ));
    assert!(page_in(
        &en.pages_with("en", "needles", "body"),
        "/needles/dry-needling/"
    ));
}

fn page_in(pages: &[String], path: &str) -> bool {
    pages.iter().any(|p| p == path)
}

#[test]
fn a_wrong_language_search_setting_is_an_error_at_its_key() {
    let site = multilingual_with("[languages.fr.search]\nshard_size = \"big\"\n");
    site.build()
        .failure()
        .stderr_has("config.toml:30:1")
        .stderr_has("`[languages.fr.search]`")
        .stderr_has("takes the keys of `[search]`");
}
