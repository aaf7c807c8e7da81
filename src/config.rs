//! `config.toml` -> [`Config`], validated.
//!
//! Unknown keys are errors with the closest known key, except keys Zola knows
//! and fascia does not implement, which are accepted with one warning each so
//! Zola sites build unchanged.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, closest};
use crate::toml_pos;

/// Top-level keys fascia implements.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "theme",
    "themes_dir",
    "default_language",
    "output_dir",
    "markdown",
    "search",
    "feed",
    "taxonomies",
    "extra",
    "facts",
    "knowledge",
    "offline",
    "compile_sass",
];

/// Zola switches fascia honours when its own table is absent: the key, and
/// the fascia table it switches on or off (`[search]`/`[feed]` `enabled`).
const ZOLA_SWITCHES: &[(&str, &str)] = &[
    ("build_search_index", "search"),
    ("generate_feeds", "feed"),
    ("generate_feed", "feed"),
];

/// Keys Zola knows that fascia accepts and ignores (with a warning).
const ZOLA_KEYS: &[&str] = &[
    "feed_filename",
    "feed_filenames",
    "feed_limit",
    "minify_html",
    "hard_link_static",
    "languages",
    "translations",
    "ignored_content",
    "ignored_static",
    "author",
    "generate_sitemap",
    "generate_robots_txt",
    "preserve_dotfiles_in_output",
    "slugify",
    "link_checker",
    "mode",
    "exclude_paginated_pages_in_sitemap",
];

/// Every field the search index can hold, in the order of their ids.
pub const SEARCH_FIELDS: &[&str] = &[
    "title",
    "synonyms",
    "headings",
    "description",
    "tags",
    "body",
    "links",
];

/// The whole site configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub title: String,
    pub base_url: String,
    pub description: String,
    pub theme: Option<String>,
    pub themes_dir: Option<PathBuf>,
    pub default_language: String,
    pub output_dir: String,
    pub markdown: MarkdownConfig,
    pub search: SearchConfig,
    pub feed: FeedConfig,
    pub taxonomies: Vec<TaxonomyConfig>,
    pub knowledge: KnowledgeConfig,
    pub facts: FactsSchema,
    /// Build the offline edition (relative links, explicit `index.html`).
    pub offline: bool,
    /// Compile `sass/` of the theme and the site to CSS (see `crate::sass`).
    pub compile_sass: bool,
    pub extra: toml::Table,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            title: String::new(),
            base_url: "http://127.0.0.1:1111".into(),
            description: String::new(),
            theme: None,
            themes_dir: None,
            default_language: "en".into(),
            output_dir: "public".into(),
            markdown: MarkdownConfig::default(),
            search: SearchConfig::default(),
            feed: FeedConfig::default(),
            taxonomies: Vec::new(),
            knowledge: KnowledgeConfig::default(),
            facts: FactsSchema::default(),
            offline: false,
            compile_sass: false,
            extra: toml::Table::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Curly quotes, en and em dashes, ellipses.
    pub smart_punctuation: bool,
    /// Pass raw HTML through (authors are trusted).
    pub unsafe_html: bool,
    /// Open external links in a new tab (adds `rel="noopener"`).
    pub external_links_target_blank: bool,
    /// Zola compatibility: accepted and ignored.
    pub highlight_code: Option<bool>,
    pub highlight_theme: Option<String>,
    pub render_emoji: Option<bool>,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        Self {
            smart_punctuation: true,
            unsafe_html: true,
            external_links_target_blank: false,
            highlight_code: None,
            highlight_theme: None,
            render_emoji: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    pub enabled: bool,
    /// Index the body text (headings and titles are always indexed).
    pub include_content: bool,
    /// Keep at most this many characters of each page's body.
    pub truncate_content_length: usize,
    /// Index each page's description.
    pub include_description: bool,
    /// Fields to index, from `title`, `synonyms`, `headings`, `description`,
    /// `tags`, `body`, `links` (see docs/search.md).
    pub fields: Vec<String>,
    /// Above this many bytes the index is split into shards loaded on demand.
    pub split_index_above: usize,
    /// The size each shard aims at, in bytes.
    pub shard_size: usize,
    /// A term keeps at most this many pages (those where it counts most).
    pub max_pages_per_term: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            include_content: true,
            truncate_content_length: 5000,
            include_description: true,
            fields: SEARCH_FIELDS.iter().map(|f| (*f).to_string()).collect(),
            split_index_above: 640 * 1024,
            shard_size: 96 * 1024,
            max_pages_per_term: 500,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedConfig {
    pub enabled: bool,
    pub filename: String,
    pub limit: usize,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            filename: "atom.xml".into(),
            limit: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    pub name: String,
    #[serde(default)]
    pub paginate_by: Option<usize>,
    #[serde(default)]
    pub feed: bool,
    /// Zola compatibility: accepted and ignored.
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub render: Option<bool>,
}

/// The knowledge-base layer's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnowledgeConfig {
    /// `@/` path of the page that shows the glossary.
    pub glossary_page: Option<String>,
    /// `@/` path of the page that shows the bibliography.
    pub bibliography_page: Option<String>,
    /// Link the first mention of each glossary term on a page.
    pub glossary_links: bool,
    /// How many related pages to offer.
    pub related_pages: usize,
    /// Days after `last_reviewed` when a page is due for review.
    pub review_interval_days: u32,
    /// Sections (first path component) whose pages must carry `last_reviewed`.
    pub require_last_reviewed: Vec<String>,
    /// Report unlinked mentions of other pages' titles in `check`.
    pub unlinked_mentions: bool,
}

impl Default for KnowledgeConfig {
    fn default() -> Self {
        Self {
            glossary_page: None,
            bibliography_page: None,
            glossary_links: true,
            related_pages: 5,
            review_interval_days: 365,
            require_last_reviewed: Vec::new(),
            unlinked_mentions: true,
        }
    }
}

/// `[facts.fields.*]`: the structured facts a page may carry, in order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactsSchema {
    pub fields: IndexMap<String, FactField>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactField {
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FactKind,
    /// Allowed values, in order, for `enum`.
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub help: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    Text,
    List,
    Bool,
    Enum,
    Url,
}

/// A parsed configuration plus the warnings it produced.
#[derive(Debug)]
pub struct LoadedConfig {
    pub config: Config,
    pub warnings: Vec<Diagnostic>,
}

impl Config {
    /// Parse and validate `config.toml` text. `file` names it in diagnostics.
    pub fn parse(src: &str, file: &Path) -> Result<LoadedConfig, Vec<Diagnostic>> {
        let keys = toml_pos::top_level_keys(src)
            .map_err(|e| vec![toml_pos::toml_error(file, src, src, 0, &e)])?;
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for (key, offset) in &keys {
            if KNOWN_KEYS.contains(&key.as_str()) || ZOLA_SWITCHES.iter().any(|(k, _)| k == key) {
                continue;
            }
            if ZOLA_KEYS.contains(&key.as_str()) {
                warnings.push(
                    Diagnostic::warning(
                        "unsupported-config-key",
                        format!(
                            "`{key}` is a Zola setting that fascia does not use; it is ignored"
                        ),
                    )
                    .at_offset(file, src, *offset),
                );
                continue;
            }
            let hint = closest(key, KNOWN_KEYS.iter().copied());
            errors.push(
                Diagnostic::error(
                    "unknown-config-key",
                    format!("unknown key `{key}` in config.toml"),
                )
                .at_offset(file, src, *offset)
                .with_help(match hint {
                    Some(h) => format!("did you mean `{h}`? (custom values belong under [extra])"),
                    None => "custom values belong under [extra]".to_string(),
                }),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut config: Self = match toml::from_str(src) {
            Ok(c) => c,
            Err(e) => return Err(vec![toml_pos::toml_error(file, src, src, 0, &e)]),
        };
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        config.apply_zola_switches(src, &keys, file, &mut warnings);
        config.validate(src, file)?;
        Ok(LoadedConfig { config, warnings })
    }

    /// `build_search_index = false` turns fascia's search off and
    /// `generate_feeds = false` its feed, unless `[search]`/`[feed]` say
    /// otherwise (then the Zola key is ignored with a warning).
    fn apply_zola_switches(
        &mut self,
        src: &str,
        keys: &[(String, usize)],
        file: &Path,
        warnings: &mut Vec<Diagnostic>,
    ) {
        let Ok(table) = toml::from_str::<toml::Table>(src) else {
            return;
        };
        for (key, offset) in keys {
            let Some((_, target)) = ZOLA_SWITCHES.iter().find(|(k, _)| k == key) else {
                continue;
            };
            let Some(on) = table.get(key.as_str()).and_then(toml::Value::as_bool) else {
                continue;
            };
            if table.contains_key(*target) {
                warnings.push(
                    Diagnostic::warning(
                        "unsupported-config-key",
                        format!("`{key}` is a Zola setting; [{target}] takes precedence, so it is ignored"),
                    )
                    .at_offset(file, src, *offset),
                );
                continue;
            }
            match *target {
                "search" => self.search.enabled = on,
                _ => self.feed.enabled = on,
            }
        }
    }

    fn validate(&self, src: &str, file: &Path) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        for (name, field) in &self.facts.fields {
            if field.kind == FactKind::Enum && field.values.is_empty() {
                errors.push(toml_pos::at_key(
                    Diagnostic::error(
                        "invalid-facts-schema",
                        format!("facts field `{name}` is an enum without `values`"),
                    )
                    .with_help(
                        "list the allowed values in order: values = [\"low\", \"moderate\"]",
                    ),
                    file,
                    src,
                    src,
                    0,
                    &["facts", "fields", name],
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for t in &self.taxonomies {
            if !seen.insert(t.name.as_str()) {
                errors.push(
                    Diagnostic::error(
                        "duplicate-taxonomy",
                        format!("taxonomy `{}` is declared twice", t.name),
                    )
                    .in_file(file),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The absolute URL of a site path such as `/techniques/iastm/`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub fn taxonomy(&self, name: &str) -> Option<&TaxonomyConfig> {
        self.taxonomies.iter().find(|t| t.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<LoadedConfig, Vec<Diagnostic>> {
        Config::parse(src, Path::new("config.toml"))
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let errs = parse("title = \"x\"\nbase_ulr = \"https://a\"\n").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].message.contains("base_ulr"));
        assert!(errs[0].help.as_deref().unwrap().contains("base_url"));
    }

    #[test]
    fn zola_switches_turn_search_and_feed_off_unless_fascia_says_otherwise() {
        let loaded =
            parse("title = \"x\"\nbuild_search_index = false\ngenerate_feeds = false\n").unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert!(!loaded.config.search.enabled);
        assert!(!loaded.config.feed.enabled);
        let loaded = parse("build_search_index = true\n").unwrap();
        assert!(loaded.config.search.enabled && loaded.config.feed.enabled);
        let loaded = parse("build_search_index = false\n\n[search]\nenabled = true\n").unwrap();
        assert!(loaded.config.search.enabled);
        assert_eq!(loaded.warnings.len(), 1);
        assert_eq!(loaded.warnings[0].line, 1);
        assert!(
            loaded.warnings[0]
                .message
                .contains("[search] takes precedence")
        );
    }

    #[test]
    fn zola_keys_warn() {
        let loaded = parse("title = \"x\"\nminify_html = false\n").unwrap();
        assert_eq!(loaded.warnings.len(), 1);
        assert!(loaded.warnings[0].message.contains("minify_html"));
    }

    #[test]
    fn facts_schema_keeps_declaration_order() {
        let cfg = parse(
            "[facts.fields.zeta]\nlabel = \"Z\"\ntype = \"text\"\n[facts.fields.alpha]\nlabel = \"A\"\ntype = \"bool\"\n",
        )
        .unwrap()
        .config;
        let names: Vec<_> = cfg.facts.fields.keys().collect();
        assert_eq!(names, ["zeta", "alpha"]);
    }

    #[test]
    fn wrong_type_is_located() {
        let errs = parse("title = 3\n").unwrap_err();
        assert_eq!(errs[0].line, 1);
    }
}
