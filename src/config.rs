//! `config.toml` -> [`Config`], validated.
//!
//! Unknown keys are errors with the closest known key, except keys Zola knows
//! and fascia does not implement, which are accepted with one warning each so
//! Zola sites build unchanged.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::toml_pos;

mod keys;
pub mod languages;
mod tables;
pub use languages::LanguageConfig;
pub use tables::*;

/// Zola switches fascia honours when its own table is absent: the key, and
/// the fascia table it switches on or off (`[search]`/`[feed]` `enabled`).
const ZOLA_SWITCHES: &[(&str, &str)] = &[
    ("build_search_index", "search"),
    ("generate_feeds", "feed"),
    ("generate_feed", "feed"),
];

/// At most this many type errors are reported from one `config.toml`.
const MAX_TYPE_ERRORS: usize = 20;

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
    /// `base_url` as written (with its trailing slash, if any), which
    /// templates see as `config.base_url`, as in Zola.
    #[serde(skip)]
    pub base_url_written: String,
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
    pub print: PrintConfig,
    pub facts: FactsSchema,
    /// Build the offline edition (relative links, explicit `index.html`).
    pub offline: bool,
    /// Compile `sass/` of the theme and the site to CSS (see `crate::sass`).
    pub compile_sass: bool,
    /// Zola's `minify_html`: every HTML page minified as Zola does it
    /// (minify-html, CSS minified, scripts kept).
    pub minify_html: bool,
    /// Zola's `author`: the site's author, for templates (`config.author`).
    pub author: Option<String>,
    /// Zola's globs of files below `content/` and `static/` to leave out.
    pub ignored_content: Vec<String>,
    pub ignored_static: Vec<String>,
    /// Zola's switches for `sitemap.xml` and `robots.txt` (both on).
    pub generate_sitemap: bool,
    pub generate_robots_txt: bool,
    /// Build an Obsidian vault as it is (see docs/authoring.md).
    pub obsidian: bool,
    /// Zola's switches as written (false when absent, as in Zola), for
    /// templates that read `config.build_search_index` or
    /// `config.generate_feeds`; what fascia builds is `[search]`/`[feed]`.
    pub build_search_index: bool,
    pub generate_feeds: bool,
    /// Zola's feed names (default `["atom.xml"]`); without a `[feed]` table
    /// the first names fascia's feed. Templates read `config.feed_filenames`.
    pub feed_filenames: Vec<String>,
    /// Zola's `[link_checker]`: `internal_level = "warn"` is honoured.
    pub link_checker: LinkCheckerConfig,
    /// `[images]`: responsive sizes of Markdown images and link cards.
    pub images: ImagesConfig,
    /// Every language of the site, the default first (see [`languages`]):
    /// `[languages.xx]`, and the default language made from the top-level
    /// title, description, taxonomies, `[translations]`, feed and search.
    pub languages: IndexMap<String, LanguageConfig>,
    /// `[translations]`: the default language's interface strings.
    pub translations: IndexMap<String, String>,
    pub extra: toml::Table,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            title: String::new(),
            base_url: "http://127.0.0.1:1111".into(),
            base_url_written: String::new(),
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
            print: PrintConfig::default(),
            facts: FactsSchema::default(),
            offline: false,
            compile_sass: false,
            minify_html: false,
            author: None,
            ignored_content: Vec::new(),
            ignored_static: Vec::new(),
            generate_sitemap: true,
            generate_robots_txt: true,
            obsidian: false,
            build_search_index: false,
            generate_feeds: false,
            feed_filenames: vec!["atom.xml".into()],
            link_checker: LinkCheckerConfig::default(),
            images: ImagesConfig::default(),
            languages: IndexMap::new(),
            translations: IndexMap::new(),
            extra: toml::Table::new(),
        }
    }
}

/// A parsed configuration plus the warnings it produced.
#[derive(Debug)]
pub struct LoadedConfig {
    pub config: Config,
    pub warnings: Vec<Diagnostic>,
}

impl Config {
    /// Parse and validate `config.toml` text. `file` names it in diagnostics.
    /// Every error is reported at once: unknown keys anywhere, values of the
    /// wrong type (each bad value is set aside and the rest read on), and
    /// the checks that need the whole configuration.
    pub fn parse(src: &str, file: &Path) -> Result<LoadedConfig, Vec<Diagnostic>> {
        let root = toml::de::DeTable::parse(src)
            .map_err(|e| vec![toml_pos::toml_error(file, src, src, 0, &e)])?;
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        keys::check(
            root.get_ref(),
            keys::TOP,
            "",
            file,
            src,
            &mut errors,
            &mut warnings,
        );
        let config = Self::read_typed(src, file, &mut errors);
        let Some(mut config) = config else {
            return Err(errors);
        };
        config.base_url_written.clone_from(&config.base_url);
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        config.markdown.obsidian = config.obsidian;
        if config.obsidian && config.taxonomy("tags").is_none() {
            // A vault's tags (properties and inline `#tags`) are a taxonomy.
            config.taxonomies.push(TaxonomyConfig {
                name: "tags".to_string(),
                paginate_by: None,
                paginate_path: None,
                feed: false,
                lang: None,
                render: None,
            });
        }
        let top = toml_pos::top_level_keys(src).unwrap_or_default();
        config.apply_zola_switches(src, &top, file, &mut warnings);
        config.zola_values(src, file, &mut warnings);
        config.add_default_language(src, file, &mut errors);
        if let Err(more) = config.validate(src, file) {
            errors.extend(more);
        }
        if !errors.is_empty() {
            errors.sort_by_key(|d| (d.line, d.column));
            return Err(errors);
        }
        Ok(LoadedConfig { config, warnings })
    }

    /// Deserialise, collecting each type error: the bad `key = value` is
    /// blanked out (offsets kept) and the text read again.
    fn read_typed(src: &str, file: &Path, errors: &mut Vec<Diagnostic>) -> Option<Self> {
        let mut text = src.to_string();
        for _ in 0..MAX_TYPE_ERRORS {
            match toml::from_str::<Self>(&text) {
                Ok(c) => return Some(c),
                Err(e) => {
                    errors.push(toml_pos::toml_error(file, src, src, 0, &e));
                    let blank = e
                        .span()
                        .and_then(|s| toml_pos::entry_span_at(&text, s.start));
                    let range = blank?;
                    let spaces: String = text[range.clone()]
                        .chars()
                        .map(|c| if c == '\n' { '\n' } else { ' ' })
                        .collect();
                    text.replace_range(range, &spaces);
                }
            }
        }
        None
    }

    /// Zola values fascia reads but cannot follow, warned at their key.
    fn zola_values(&self, src: &str, file: &Path, warnings: &mut Vec<Diagnostic>) {
        let md = &self.markdown;
        if let Some(style) = md.highlighting.as_ref().and_then(|h| h.style.as_deref())
            && style != "class"
        {
            warnings.push(keys::warn_at(
                src,
                file,
                &["markdown", "highlighting", "style"],
                format!("`style = \"{style}\"`: fascia highlights code with CSS classes"),
                "inline colours would need `unsafe-inline` in the content security policy; the theme's stylesheet colours the classes",
            ));
        }
        if self.search.include_title == Some(false) {
            warnings.push(keys::warn_at(
                src,
                file,
                &["search", "include_title"],
                "`include_title = false`: fascia's search always indexes titles".into(),
                "remove the key",
            ));
        }
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
            let explicit = table
                .get(*target)
                .and_then(toml::Value::as_table)
                .is_some_and(|t| t.contains_key("enabled"));
            if explicit {
                warnings.push(
                    Diagnostic::warning(
                        "unsupported-config-key",
                        format!("`{key}` is a Zola setting; [{target}] enabled takes precedence, so it is ignored"),
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
        if table.contains_key("feed") {
            if !table.contains_key("feed_filenames") {
                self.feed_filenames = vec![self.feed.filename.clone()];
            }
            return;
        }
        if let Some(first) = self.feed_filenames.first() {
            self.feed.filename.clone_from(first);
        }
        if self.feed_filenames.len() > 1
            && let Some((_, offset)) = keys.iter().find(|(k, _)| k == "feed_filenames")
        {
            warnings.push(
                Diagnostic::warning(
                    "unsupported-config-key",
                    format!(
                        "fascia writes one Atom feed, `{}`; the other `feed_filenames` are not written",
                        self.feed.filename
                    ),
                )
                .at_offset(file, src, *offset),
            );
        }
        if let Some(limit) = table
            .get("feed_limit")
            .and_then(toml::Value::as_integer)
            .and_then(|n| usize::try_from(n).ok())
        {
            self.feed.limit = limit;
        }
    }

    fn validate(&self, src: &str, file: &Path) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        for (key, patterns) in [
            ("ignored_content", &self.ignored_content),
            ("ignored_static", &self.ignored_static),
        ] {
            for p in patterns {
                if let Err(e) = globset::Glob::new(p) {
                    errors.push(toml_pos::at_key(
                        Diagnostic::error(
                            "invalid-glob",
                            format!("`{p}` in {key} is not a glob pattern: {}", e.kind()),
                        )
                        .with_help("write a glob such as \"*.xlsx\" or \"drafts/**\""),
                        file,
                        src,
                        src,
                        0,
                        &[key],
                    ));
                }
            }
        }
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
            let needs_rows = field.kind == FactKind::Ratings
                && (field.values.is_empty()
                    || field.rows.is_empty() == field.rows_section.is_none());
            if needs_rows {
                errors.push(toml_pos::at_key(
                    Diagnostic::error(
                        "invalid-facts-schema",
                        format!(
                            "facts field `{name}` is `ratings`: it needs `values` and either `rows` or `rows_section`"
                        ),
                    )
                    .with_help(
                        "values = [\"contraindicated\", \"precaution\"] and rows = { dvt = \"Known DVT\" }, or rows_section = \"conditions\"",
                    ),
                    file,
                    src,
                    src,
                    0,
                    &["facts", "fields", name],
                ));
            }
        }
        errors.extend(
            self.images
                .problems()
                .into_iter()
                .map(|(key, message, help)| {
                    toml_pos::at_key(
                        Diagnostic::error("invalid-images-config", message).with_help(help),
                        file,
                        src,
                        src,
                        0,
                        &["images", key],
                    )
                }),
        );
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

/// Zola's matcher of `ignored_content` or `ignored_static`: the globs are
/// matched against a file's whole path, as Zola matches them (`*` crosses
/// folders). Patterns were checked when the config was read.
pub fn ignore_globs(patterns: &[String]) -> globset::GlobSet {
    let mut set = globset::GlobSetBuilder::new();
    for glob in patterns.iter().filter_map(|p| globset::Glob::new(p).ok()) {
        set.add(glob);
    }
    set.build().unwrap_or_else(|_| globset::GlobSet::empty())
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
                .contains("[search] enabled takes precedence")
        );
    }

    #[test]
    fn zola_switch_applies_when_the_table_does_not_say_enabled() {
        let loaded =
            parse("build_search_index = false\n[search]\ninclude_content = false\n").unwrap();
        assert!(!loaded.config.search.enabled);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }

    #[test]
    fn zola_keys_warn() {
        let loaded = parse("title = \"x\"\npreserve_dotfiles_in_output = true\n").unwrap();
        assert_eq!(loaded.warnings.len(), 1);
        assert!(
            loaded.warnings[0]
                .message
                .contains("preserve_dotfiles_in_output")
        );
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
    fn every_zola_key_is_accepted_with_one_warning_each() {
        let src = "title = \"x\"\ncompile_sass = true\ntaxonomy_root = \"blog\"\ntaxonomies = [{ name = \"tags\", paginate_path = \"p\", slug = \"t\" }]\n\n[search]\nindex_format = \"elasticlunr_json\"\ninclude_path = true\ninclude_title = true\n\n[markdown]\nexternal_links_class = \"external\"\nbottom_footnotes = true\ngithub_alerts = true\nhighlight_theme = \"css\"\n\n[markdown.highlighting]\ntheme = \"catppuccin-mocha\"\nerror_on_missing_language = true\n\n[link_checker]\ninternal_level = \"warn\"\n[slugify]\nanchors = \"safe\"\n";
        let loaded = parse(src).unwrap();
        let at: Vec<(usize, &str)> = loaded
            .warnings
            .iter()
            .map(|w| (w.line, w.message.split(' ').next().unwrap_or("")))
            .collect();
        assert_eq!(
            at,
            [
                (3, "`taxonomy_root`"),
                (4, "`[taxonomies]"), // slug (paginate_path is used)
                (7, "`[search]"),
                (8, "`[search]"),
                (15, "`[markdown]"),
                (18, "`[markdown.highlighting]"),
                (23, "`slugify`"),
            ]
        );
        let md = &loaded.config.markdown;
        assert_eq!(md.external_links_class.as_deref(), Some("external"));
        assert!(md.error_on_missing_language());
        assert!(loaded.config.link_checker.internal_links_warn());
    }

    #[test]
    fn every_config_error_of_a_file_is_reported_at_once() {
        let src = "titel = \"x\"\nfeed_limit = 3\n[markdown]\nsmart_punctuation = \"yes\"\nexternal_link_class = \"e\"\n[search]\nshard_size = \"big\"\n";
        let errs = parse(src).unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 4, 5, 7], "{errs:#?}");
        assert!(errs[0].help.as_deref().unwrap().contains("`title`"));
        assert!(
            errs[2]
                .help
                .as_deref()
                .unwrap()
                .contains("external_links_class")
        );
    }

    #[test]
    fn zola_feed_limit_applies_without_a_feed_table() {
        let loaded = parse("feed_limit = 7\n").unwrap();
        assert_eq!(loaded.config.feed.limit, 7);
    }

    #[test]
    fn inline_highlighting_style_is_warned() {
        let loaded = parse("[markdown.highlighting]\nstyle = \"inline\"\n").unwrap();
        assert_eq!(loaded.warnings.len(), 1);
        assert_eq!(loaded.warnings[0].line, 2);
    }

    #[test]
    fn wrong_type_is_located() {
        let errs = parse("title = 3\n").unwrap_err();
        assert_eq!(errs[0].line, 1);
    }
}
