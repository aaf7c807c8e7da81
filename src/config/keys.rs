//! Which `config.toml` keys fascia reads, which Zola keys it accepts without
//! using them (one warning each, at `file:line`), and which are mistakes (an
//! error with the closest known key). Zola's keys are those of Zola 0.19 to
//! 0.22 (`components/config/src/config/*.rs` in those releases).

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, closest};

/// How a key is treated.
#[derive(Clone, Copy)]
pub enum Rule {
    /// fascia reads it.
    Used,
    /// fascia reads it; its keys follow these rules.
    Table(&'static [(&'static str, Rule)]),
    /// An array of tables whose keys follow these rules (`taxonomies`).
    Items(&'static [(&'static str, Rule)]),
    /// A table of tables named freely (`[languages.fr]`), each with these keys.
    Map(&'static [(&'static str, Rule)]),
    /// Zola knows it and fascia does not use it: a warning saying why.
    Zola(&'static str),
}

use Rule::{Items, Map, Table, Used, Zola};

/// `[languages.xx]`.
const LANGUAGE: &[(&str, Rule)] = &[
    ("title", Used),
    ("description", Used),
    ("generate_feeds", Used),
    ("generate_feed", Used),
    ("feed_filenames", Used),
    ("build_search_index", Used),
    ("search", Table(SEARCH)),
    ("taxonomies", Items(TAXONOMY)),
    ("translations", Used),
    ("locale", Used),
    ("direction", Used),
];

const IGNORED: &str = "fascia does not use it";

/// The top level of `config.toml`.
pub const TOP: &[(&str, Rule)] = &[
    ("title", Used),
    ("base_url", Used),
    ("description", Used),
    ("theme", Used),
    ("themes_dir", Used),
    ("default_language", Used),
    ("output_dir", Used),
    ("markdown", Table(MARKDOWN)),
    ("search", Table(SEARCH)),
    ("feed", Table(FEED)),
    ("taxonomies", Items(TAXONOMY)),
    ("extra", Used),
    ("facts", Used),
    ("knowledge", Table(KNOWLEDGE)),
    ("print", Table(PRINT)),
    ("images", Table(IMAGES)),
    ("offline", Used),
    ("obsidian", Used),
    // Zola switches and feed settings, honoured when [search]/[feed] are absent.
    ("build_search_index", Used),
    ("generate_feeds", Used),
    ("generate_feed", Used),
    ("feed_limit", Used),
    ("feed_filenames", Used),
    (
        "feed_filename",
        Zola("fascia writes one Atom feed, named by [feed] filename"),
    ),
    ("compile_sass", Used),
    ("minify_html", Used),
    ("hard_link_static", Zola("fascia copies static files")),
    ("languages", Map(LANGUAGE)),
    ("translations", Used),
    ("ignored_content", Used),
    ("ignored_static", Used),
    ("author", Used),
    ("generate_sitemap", Used),
    ("generate_robots_txt", Used),
    ("preserve_dotfiles_in_output", Zola(IGNORED)),
    ("slugify", Zola(IGNORED)),
    ("link_checker", Table(LINK_CHECKER)),
    ("mode", Zola(IGNORED)),
    ("exclude_paginated_pages_in_sitemap", Zola(IGNORED)),
    ("taxonomy_root", Zola(IGNORED)),
];

const MARKDOWN: &[(&str, Rule)] = &[
    ("smart_punctuation", Used),
    ("image_figures", Used),
    ("unsafe_html", Used),
    ("external_links_target_blank", Used),
    ("external_links_class", Used),
    ("external_links_no_follow", Used),
    ("external_links_no_referrer", Used),
    ("external_links_external", Used),
    ("lazy_async_image", Used),
    ("definition_list", Used),
    ("github_alerts", Used),
    ("bottom_footnotes", Used),
    ("insert_anchor_links", Used),
    ("highlight_code", Used),
    ("error_on_missing_highlight", Used),
    ("highlighting", Table(HIGHLIGHTING)),
    ("math", Used),
    ("render_emoji", Used),
    (
        "highlight_theme",
        Zola("fascia colours code with the theme's stylesheet (light and dark)"),
    ),
    (
        "highlight_themes_css",
        Zola("fascia colours code with the theme's stylesheet (light and dark)"),
    ),
    (
        "extra_syntaxes_and_themes",
        Zola("fascia highlights the languages it ships"),
    ),
    // Zola 0.15's name for it, still in older themes' demo configs.
    (
        "extra_syntaxes",
        Zola("fascia highlights the languages it ships"),
    ),
];

const HIGHLIGHTING: &[(&str, Rule)] = &[
    ("error_on_missing_language", Used),
    ("style", Used),
    (
        "theme",
        Zola("fascia colours code with the theme's stylesheet (light and dark)"),
    ),
    (
        "light_theme",
        Zola("fascia colours code with the theme's stylesheet (light and dark)"),
    ),
    (
        "dark_theme",
        Zola("fascia colours code with the theme's stylesheet (light and dark)"),
    ),
    (
        "extra_grammars",
        Zola("fascia highlights the languages it ships"),
    ),
    (
        "extra_themes",
        Zola("fascia colours code with the theme's stylesheet"),
    ),
];

const SEARCH: &[(&str, Rule)] = &[
    ("enabled", Used),
    ("include_content", Used),
    ("truncate_content_length", Used),
    ("include_description", Used),
    ("fields", Used),
    ("split_index_above", Used),
    ("shard_size", Used),
    ("max_pages_per_term", Used),
    ("include_title", Used),
    ("include_path", Zola("fascia's index keeps each page's URL")),
    ("include_date", Zola(IGNORED)),
    (
        "index_format",
        Zola("fascia writes its own index, read by its own search page"),
    ),
];

const NO_EXTERNAL: &str = "fascia fetches no external links";

const IMAGES: &[(&str, Rule)] = &[
    ("widths", Used),
    ("formats", Used),
    ("quality", Used),
    ("link_cards", Used),
];

const LINK_CHECKER: &[(&str, Rule)] = &[
    ("internal_level", Used),
    ("external_level", Zola(NO_EXTERNAL)),
    ("skip_prefixes", Zola(NO_EXTERNAL)),
    ("skip_anchor_prefixes", Zola(NO_EXTERNAL)),
    ("ignored_files", Zola(IGNORED)),
];

const PRINT: &[(&str, Rule)] = &[("max_pages", Used)];

const FEED: &[(&str, Rule)] = &[("enabled", Used), ("filename", Used), ("limit", Used)];

const TAXONOMY: &[(&str, Rule)] = &[
    ("name", Used),
    ("paginate_by", Used),
    ("feed", Used),
    ("lang", Used),
    ("render", Used),
    ("paginate_path", Used),
    ("slug", Zola(IGNORED)),
];

const KNOWLEDGE: &[(&str, Rule)] = &[
    ("glossary_page", Used),
    ("bibliography_page", Used),
    ("glossary_links", Used),
    ("related_pages", Used),
    ("review_interval_days", Used),
    ("require_last_reviewed", Used),
    ("unlinked_mentions", Used),
];

/// Check every key of `root` against `rules`: errors for unknown keys,
/// warnings for Zola keys fascia does not use. `path` names the table.
pub fn check(
    root: &DeTable<'_>,
    rules: &'static [(&'static str, Rule)],
    path: &str,
    file: &Path,
    src: &str,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut keys: Vec<_> = root.iter().collect();
    keys.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in keys {
        let name: &str = key.get_ref();
        let offset = key.span().start;
        let shown = if path.is_empty() {
            format!("`{name}`")
        } else {
            format!("`[{path}] {name}`")
        };
        let Some((_, rule)) = rules.iter().find(|(k, _)| *k == name) else {
            let hint = closest(name, rules.iter().map(|(k, _)| *k));
            let place = if path.is_empty() {
                "config.toml".to_string()
            } else {
                format!("[{path}]")
            };
            errors.push(
                Diagnostic::error(
                    "unknown-config-key",
                    format!("unknown key `{name}` in {place}"),
                )
                .at_offset(file, src, offset)
                .with_help(match hint {
                    Some(h) => format!("did you mean `{h}`? (custom values belong under [extra])"),
                    None => "custom values belong under [extra]".to_string(),
                }),
            );
            continue;
        };
        let inner = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        match (rule, value.get_ref()) {
            (Zola(why), _) => warnings.push(
                Diagnostic::warning(
                    "unsupported-config-key",
                    format!("{shown} is a Zola setting that fascia does not use; it is ignored"),
                )
                .at_offset(file, src, offset)
                .with_help(format!("{why}; remove it to silence this warning")),
            ),
            (Table(sub), DeValue::Table(t)) => {
                check(t, sub, &inner, file, src, errors, warnings);
            }
            (Map(sub), DeValue::Table(t)) => {
                for (k, v) in t {
                    if let DeValue::Table(inner_t) = v.get_ref() {
                        let name: &str = k.get_ref();
                        let p = format!("{inner}.{name}");
                        check(inner_t, sub, &p, file, src, errors, warnings);
                    }
                }
            }
            (Items(sub), DeValue::Array(items)) => {
                for item in items {
                    if let DeValue::Table(t) = item.get_ref() {
                        check(t, sub, &inner, file, src, errors, warnings);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A warning at the key `path` of `src` (a Zola value fascia reads but
/// cannot follow, e.g. `style = "inline"`).
pub fn warn_at(src: &str, file: &Path, path: &[&str], message: String, help: &str) -> Diagnostic {
    let d = Diagnostic::warning("unsupported-config-value", message).with_help(help);
    match crate::toml_pos::key_offset(src, path) {
        Some(off) => d.at_offset(file, src, off),
        None => d.in_file(file),
    }
}
