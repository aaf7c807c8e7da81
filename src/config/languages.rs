//! Languages, as Zola has them: `default_language`, `[languages.xx]` with a
//! title, description, taxonomies, feeds, search and `[languages.xx.translations]`,
//! and `[translations]` for the default language. A page `name.xx.md` beside
//! `name.md` is its translation into `xx`, published under `/xx/`.
//!
//! fascia adds two optional keys a language may set: `locale` (the
//! Open Graph form, `fr_CA`; derived from the code when absent) and
//! `direction` (`"rtl"` or `"ltr"`; right to left by default for the
//! languages written that way).

use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{Config, SearchConfig, TaxonomyConfig};
use crate::diagnostics::Diagnostic;

/// `[languages.xx]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LanguageConfig {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Zola's switch for this language's feed (on when absent and the
    /// site's feed is on).
    #[serde(alias = "generate_feed")]
    pub generate_feeds: Option<bool>,
    pub feed_filenames: Vec<String>,
    /// Zola's switch for this language's search index (on when absent and
    /// the site's search is on).
    pub build_search_index: Option<bool>,
    /// Zola's per-language search settings (`[languages.xx.search]`): any
    /// key of `[search]`, over the site's values.
    pub search: Option<toml::Table>,
    /// `search` merged over the site's `[search]` (set when loading).
    #[serde(skip)]
    pub search_settings: Option<SearchConfig>,
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Interface strings for `trans(key=...)`.
    pub translations: IndexMap<String, String>,
    /// Open Graph locale (`fr_CA`).
    pub locale: Option<String>,
    /// `rtl` or `ltr`.
    pub direction: Option<String>,
}

/// Languages written right to left (ISO 639-1 and a few 639-3 codes).
const RTL: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "syr", "ug", "ur", "yi",
];

/// True for a language code of the form fascia accepts: letters, then
/// optional `-`/`_` subtags of letters or digits (`fr`, `pt-BR`, `zh-Hans`).
pub fn valid_code(code: &str) -> bool {
    let mut parts = code.split(['-', '_']);
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `right to left` for `code` unless `direction` says otherwise.
pub fn is_rtl(code: &str, direction: Option<&str>) -> bool {
    if let Some(d) = direction {
        d.eq_ignore_ascii_case("rtl")
    } else {
        let primary = code.split(['-', '_']).next().unwrap_or(code);
        RTL.contains(&primary.to_ascii_lowercase().as_str())
    }
}

/// The Open Graph locale of `code` (`en` -> `en_US`, `fr` -> `fr_FR`,
/// `pt-BR` -> `pt_BR`) unless `locale` is set.
pub fn og_locale(code: &str, locale: Option<&str>) -> String {
    if let Some(l) = locale {
        return l.replace('-', "_");
    }
    let mut parts = code.split(['-', '_']);
    let lang = parts.next().unwrap_or(code).to_ascii_lowercase();
    if let Some(region) = parts.find(|p| p.len() == 2) {
        return format!("{lang}_{}", region.to_ascii_uppercase());
    }
    let region = match lang.as_str() {
        "en" => "US",
        "ar" => "AR",
        "he" => "IL",
        "ja" => "JP",
        "zh" => "CN",
        "ko" => "KR",
        "el" => "GR",
        "da" => "DK",
        "sv" => "SE",
        "nb" | "nn" | "no" => "NO",
        "cs" => "CZ",
        "uk" => "UA",
        "fa" => "IR",
        "hi" => "IN",
        "vi" => "VN",
        "ur" => "PK",
        "sl" => "SI",
        "et" => "EE",
        "ca" | "eu" | "gl" => "ES",
        _ => "",
    };
    if region.is_empty() {
        format!("{lang}_{}", lang.to_ascii_uppercase())
    } else {
        format!("{lang}_{region}")
    }
}

/// A language's name in that language, for language switchers.
pub fn native_name(code: &str) -> &'static str {
    let primary = code.split(['-', '_']).next().unwrap_or(code);
    match primary.to_ascii_lowercase().as_str() {
        "en" => "English",
        "fr" => "Français",
        "es" => "Español",
        "de" => "Deutsch",
        "it" => "Italiano",
        "pt" => "Português",
        "nl" => "Nederlands",
        "ar" => "العربية",
        "he" => "עברית",
        "fa" => "فارسی",
        "zh" => "中文",
        "ja" => "日本語",
        "ko" => "한국어",
        "ru" => "Русский",
        "uk" => "Українська",
        "pl" => "Polski",
        "sv" => "Svenska",
        "da" => "Dansk",
        "nb" | "no" => "Norsk",
        "fi" => "Suomi",
        "tr" => "Türkçe",
        "el" => "Ελληνικά",
        "hi" => "हिन्दी",
        "vi" => "Tiếng Việt",
        "cs" => "Čeština",
        "ro" => "Română",
        "hu" => "Magyar",
        "ca" => "Català",
        _ => "",
    }
}

impl Config {
    /// Check the language codes and put the default language first in
    /// [`Config::languages`], made from the top-level settings and any
    /// `[languages.<default>]` table (whose values fill what the top level
    /// leaves unset, as Zola merges them).
    pub(super) fn add_default_language(
        &mut self,
        src: &str,
        file: &Path,
        errors: &mut Vec<Diagnostic>,
    ) {
        let bad_code = |code: &str, path: &[&str]| {
            crate::toml_pos::at_key(
                Diagnostic::error(
                    "invalid-language-code",
                    format!("`{code}` is not a language code"),
                )
                .with_help("use an ISO 639 code, optionally with a region: `fr`, `pt-BR`"),
                file,
                src,
                src,
                0,
                path,
            )
        };
        if !valid_code(&self.default_language) {
            errors.push(bad_code(&self.default_language, &["default_language"]));
        }
        for code in self.languages.keys() {
            if !valid_code(code) {
                errors.push(bad_code(code, &["languages", code]));
            }
        }
        let mut default = self
            .languages
            .shift_remove(&self.default_language)
            .unwrap_or_default();
        if self.title.is_empty() {
            self.title = default.title.take().unwrap_or_default();
        }
        if self.description.is_empty() {
            self.description = default.description.take().unwrap_or_default();
        }
        for (k, v) in std::mem::take(&mut default.translations) {
            self.translations.entry(k).or_insert(v);
        }
        if self.taxonomies.is_empty() {
            self.taxonomies = std::mem::take(&mut default.taxonomies);
        }
        default.title = Some(self.title.clone());
        default.description = Some(self.description.clone());
        default.taxonomies.clone_from(&self.taxonomies);
        default.translations.clone_from(&self.translations);
        default.generate_feeds = Some(self.feed.enabled);
        default.build_search_index = Some(self.search.enabled);
        let others = std::mem::take(&mut self.languages);
        self.languages
            .insert(self.default_language.clone(), default);
        for (code, mut lang) in others {
            if lang.taxonomies.is_empty() {
                // fascia's choice where Zola has none: a language that
                // names no taxonomies shares the site's.
                lang.taxonomies.clone_from(&self.taxonomies);
            }
            self.languages.insert(code, lang);
        }
        self.merge_language_search(src, file, errors);
    }

    /// Each `[languages.xx.search]` over the site's `[search]`; an unknown
    /// key or a wrong type is an error at that key.
    fn merge_language_search(&mut self, src: &str, file: &Path, errors: &mut Vec<Diagnostic>) {
        let Ok(site) = toml::Table::try_from(&self.search) else {
            return;
        };
        for (code, lang) in &mut self.languages {
            let Some(own) = &lang.search else { continue };
            let mut merged = site.clone();
            merged.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
            match merged.try_into::<SearchConfig>() {
                Ok(settings) => lang.search_settings = Some(settings),
                Err(e) => {
                    // Point at the key whose value is wrong when one alone is.
                    let bad = own.iter().find(|(k, v)| {
                        let mut one = site.clone();
                        one.insert((*k).clone(), (*v).clone());
                        one.try_into::<SearchConfig>().is_err()
                    });
                    let mut path = vec!["languages", code.as_str(), "search"];
                    path.extend(bad.map(|(k, _)| k.as_str()));
                    errors.push(crate::toml_pos::at_key(
                        Diagnostic::error(
                            "invalid-language-search",
                            format!("`[languages.{code}.search]`: {}", e.message()),
                        )
                        .with_help("it takes the keys of `[search]` (see docs/search.md)"),
                        file,
                        src,
                        src,
                        0,
                        &path,
                    ));
                }
            }
        }
    }

    /// The search settings of `lang`: its `[languages.xx.search]` over the
    /// site's `[search]`.
    pub fn search_for(&self, lang: &str) -> &SearchConfig {
        self.languages
            .get(lang)
            .and_then(|l| l.search_settings.as_ref())
            .unwrap_or(&self.search)
    }

    /// True when the site has more than its default language.
    pub fn multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// The site's languages, the default first.
    pub fn language_codes(&self) -> impl Iterator<Item = &str> {
        self.languages.keys().map(String::as_str)
    }

    /// True for a language of the site other than the default.
    pub fn is_translation_language(&self, code: &str) -> bool {
        code != self.default_language && self.languages.contains_key(code)
    }

    /// The URL prefix of `lang`'s pages: empty for the default, `/fr` else.
    pub fn lang_prefix(&self, lang: &str) -> String {
        if lang == self.default_language || lang.is_empty() {
            String::new()
        } else {
            format!("/{lang}")
        }
    }

    /// `lang`'s settings (the default language's for an unknown code).
    pub fn language(&self, lang: &str) -> Option<&LanguageConfig> {
        self.languages.get(lang)
    }

    /// `trans(key=, lang=)`: the string for `key` in `lang`.
    pub fn trans(&self, key: &str, lang: &str) -> Option<&str> {
        self.languages
            .get(lang)
            .and_then(|l| l.translations.get(key))
            .map(String::as_str)
    }

    /// The taxonomies of `lang`.
    pub fn taxonomies_of(&self, lang: &str) -> &[TaxonomyConfig] {
        self.languages
            .get(lang)
            .map_or(&self.taxonomies[..], |l| &l.taxonomies[..])
    }

    /// Whether `lang` has a feed.
    pub fn feed_of(&self, lang: &str) -> bool {
        self.feed.enabled
            && self
                .languages
                .get(lang)
                .and_then(|l| l.generate_feeds)
                .unwrap_or(true)
    }

    /// Whether `lang` has a search index.
    pub fn search_of(&self, lang: &str) -> bool {
        self.search.enabled
            && self
                .languages
                .get(lang)
                .and_then(|l| l.build_search_index)
                .unwrap_or(true)
    }

    /// True when `lang` is written right to left.
    pub fn rtl(&self, lang: &str) -> bool {
        is_rtl(
            lang,
            self.languages
                .get(lang)
                .and_then(|l| l.direction.as_deref()),
        )
    }

    /// The Open Graph locale of `lang`.
    pub fn og_locale(&self, lang: &str) -> String {
        og_locale(
            lang,
            self.languages.get(lang).and_then(|l| l.locale.as_deref()),
        )
    }

    /// The configuration as templates rendering `lang` see it (as Zola's
    /// `Config::serialize(lang)`): that language's title, description,
    /// taxonomies and switches, and `languages` without it.
    #[must_use]
    pub fn for_language(&self, lang: &str) -> Config {
        let mut c = self.clone();
        if !self.base_url_written.is_empty() {
            c.base_url.clone_from(&self.base_url_written);
        }
        if let Some(l) = self.languages.get(lang) {
            if let Some(t) = &l.title {
                c.title.clone_from(t);
            }
            if let Some(d) = &l.description {
                c.description.clone_from(d);
            }
            c.taxonomies.clone_from(&l.taxonomies);
            c.translations.clone_from(&l.translations);
            if lang != self.default_language {
                // Zola's switches of another language are its own
                // (`[languages.xx] build_search_index`), false unless set.
                c.build_search_index = l.build_search_index.unwrap_or(false);
                c.generate_feeds = l.generate_feeds.unwrap_or(false);
            }
        }
        // A theme reads `config.feed.enabled` to link the language's feed.
        c.feed.enabled = self.feed_of(lang);
        c.languages.shift_remove(lang);
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_directions_and_locales() {
        assert!(valid_code("fr") && valid_code("pt-BR") && valid_code("zh-Hans"));
        assert!(!valid_code("f") && !valid_code("fr-") && !valid_code("../x") && !valid_code(""));
        assert!(is_rtl("ar", None) && is_rtl("he-IL", None) && !is_rtl("fr", None));
        assert!(is_rtl("xx", Some("rtl")) && !is_rtl("ar", Some("ltr")));
        assert_eq!(og_locale("en", None), "en_US");
        assert_eq!(og_locale("fr", None), "fr_FR");
        assert_eq!(og_locale("pt-BR", None), "pt_BR");
        assert_eq!(og_locale("fr", Some("fr-CA")), "fr_CA");
    }
}
