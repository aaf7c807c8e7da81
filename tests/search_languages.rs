//! Search per language: the terms the index makes of words in English,
//! French, Spanish and Arabic (stop words dropped, Snowball stems, accents
//! folded), checked against the lists in `tests/data/search-terms/`, which
//! `tests/browser/stemmers.test.js` checks the browser's term making against:
//! the index and the client make the same term of every word in them.
//!
//! `FASCIA_UPDATE_SEARCH_TERMS=1 cargo test --test search_languages` rewrites
//! the lists' terms (after a deliberate change of the rules; the words stay).

use std::path::PathBuf;

use fascia::search::Analyzer;

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
        out.push_str(&format!("{line}\t{}\n", terms.join(" ")));
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
