//! Front matter: TOML between `+++` lines or YAML between `---` lines,
//! split from the Markdown body and checked against the fields fascia knows.

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};

use crate::content::date::SiteDate;
use crate::diagnostics::{Diagnostic, closest, line_col};
use crate::toml_pos;

/// Fields a page may set.
const PAGE_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "path",
    "aliases",
    "template",
    "taxonomies",
    "extra",
    "in_search_index",
    "authors",
    "last_reviewed",
    "review_interval_days",
    "facts",
    "compare",
    "glossary",
];

/// Fields a section (`_index.md`) may set.
const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "sort_by",
    "paginate_by",
    "paginate_path",
    "paginate_reversed",
    "transparent",
    "render",
    "template",
    "page_template",
    "aliases",
    "extra",
    "in_search_index",
    "last_reviewed",
    "review_interval_days",
    "glossary",
    "taxonomies",
    "insert_anchor_links",
    "redirect_to",
    "generate_feeds",
];

/// Zola fields fascia accepts without acting on them.
const ZOLA_ONLY_KEYS: &[&str] = &["lang"];

/// Section fields a page may carry: Zola ignores them on a page (its page
/// front matter takes any key), so fascia warns instead of failing.
const SECTION_KEYS_IGNORED_ON_PAGES: &[&str] = &[
    "sort_by",
    "paginate_by",
    "paginate_path",
    "paginate_reversed",
    "transparent",
    "page_template",
    "insert_anchor_links",
    "redirect_to",
    "render",
    "generate_feeds",
];

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    #[default]
    None,
    Weight,
    Date,
    Title,
    Slug,
    #[serde(rename = "update_date")]
    UpdateDate,
}

/// Everything front matter can say, for pages and sections alike.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(deserialize_with = "de_date")]
    pub date: Option<SiteDate>,
    #[serde(deserialize_with = "de_date")]
    pub updated: Option<SiteDate>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub slug: Option<String>,
    pub path: Option<String>,
    /// A list, or one name alone (`aliases: Fold`, as Obsidian accepts).
    #[serde(deserialize_with = "de_one_or_many")]
    pub aliases: Vec<String>,
    pub template: Option<String>,
    pub taxonomies: indexmap::IndexMap<String, Vec<String>>,
    pub extra: toml::Table,
    pub in_search_index: Option<bool>,
    pub authors: Vec<String>,
    #[serde(deserialize_with = "de_date")]
    pub last_reviewed: Option<SiteDate>,
    pub review_interval_days: Option<u32>,
    pub facts: toml::Table,
    pub compare: Vec<String>,
    pub glossary: Option<bool>,
    // Section-only fields.
    pub sort_by: SortBy,
    pub paginate_by: Option<usize>,
    /// Zola's: the folder of the pagers after the first (`page`).
    pub paginate_path: Option<String>,
    /// Zola's: paginate the pages in reverse order.
    pub paginate_reversed: bool,
    pub transparent: bool,
    pub render: Option<bool>,
    pub page_template: Option<String>,
    /// Where heading anchors go on the section and its pages.
    pub insert_anchor_links: Option<crate::config::AnchorLinks>,
    /// The section's page redirects here (a site path or a full URL).
    pub redirect_to: Option<String>,
    /// Zola's: a feed of the section's pages beside its index.
    pub generate_feeds: bool,
}

impl FrontMatter {
    /// A page ignores the section fields it carries (warned at parse).
    fn clear_section_fields(&mut self) {
        self.sort_by = SortBy::None;
        self.paginate_by = None;
        self.paginate_path = None;
        self.paginate_reversed = false;
        self.transparent = false;
        self.page_template = None;
        self.insert_anchor_links = None;
        self.redirect_to = None;
        self.render = None;
        self.generate_feeds = false;
    }
}

fn de_one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
        None => Vec::new(),
    })
}

fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SiteDate>, D::Error> {
    SiteDate::deserialize(d).map(Some)
}

/// The format the front matter was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
    /// No front matter: the whole file is the body.
    None,
}

/// A file split into front matter and body.
#[derive(Debug)]
pub struct Split<'a> {
    pub format: Format,
    pub front: &'a str,
    pub body: &'a str,
    /// Lines before the front matter text (blank lines, the opening delimiter).
    pub front_line_offset: usize,
    /// Lines before the body: add to comrak's line numbers.
    pub body_line_offset: usize,
}

/// Split `text` into front matter and body. Blank lines before the opening
/// `+++` or `---` are allowed (as Zola allows them); a file that opens with
/// neither has no front matter, and is all body.
pub fn split<'a>(text: &'a str, file: &Path) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut blank_lines = 0;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if !line.trim().is_empty() || !line.ends_with('\n') {
            break;
        }
        blank_lines += 1;
        start += line.len();
    }
    let text_start = &text[start..];
    let (format, delim) = if text_start.starts_with("+++") {
        (Format::Toml, "+++")
    } else if text_start.starts_with("---") {
        (Format::Yaml, "---")
    } else {
        return Ok(Split {
            format: Format::None,
            front: "",
            body: text,
            front_line_offset: 0,
            body_line_offset: 0,
        });
    };
    let first_nl = text_start.find('\n').map_or(text_start.len(), |i| i + 1);
    let rest = &text_start[first_nl..];
    let mut pos = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == delim {
            let front = &rest[..pos];
            let body = &rest[pos + line.len()..];
            let front_line_offset = blank_lines + 1;
            let body_line_offset = front_line_offset + front.matches('\n').count() + 1;
            return Ok(Split {
                format,
                front,
                body,
                front_line_offset,
                body_line_offset,
            });
        }
        pos += line.len();
    }
    Err(Diagnostic::error(
        "unclosed-front-matter",
        format!("the front matter opened with `{delim}` is never closed"),
    )
    .at(file, text, blank_lines + 1, 1)
    .with_help(format!(
        "add a line with only `{delim}` after the front matter"
    )))
}

/// Parse and check front matter. `is_section` picks the allowed fields.
/// Returns the front matter and any warnings.
pub fn parse(
    split: &Split<'_>,
    full: &str,
    file: &Path,
    is_section: bool,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    parse_with(split, full, file, is_section, false)
}

/// [`parse`], for an Obsidian vault when `obsidian`: a key fascia does not
/// know is kept in `extra` (as a vault's `cssclasses` or `tags`) instead of
/// being an error, and `aliases` are other names of the note (wikilinks
/// reach it by them: `extra.synonyms`), not old URLs.
pub fn parse_with(
    split: &Split<'_>,
    full: &str,
    file: &Path,
    is_section: bool,
    obsidian: bool,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (mut fm, warnings) = match split.format {
        Format::Toml => parse_toml(split, full, file, is_section, obsidian)?,
        Format::Yaml => parse_yaml(split, full, file, is_section, obsidian)?,
        Format::None => (FrontMatter::default(), Vec::new()),
    };
    if obsidian {
        keep_unknown_in_extra(split, is_section, &mut fm);
    }
    Ok((fm, warnings))
}

/// Obsidian: unknown keys into `extra`, `aliases` into `extra.synonyms`.
fn keep_unknown_in_extra(split: &Split<'_>, is_section: bool, fm: &mut FrontMatter) {
    let raw: toml::Table = match split.format {
        Format::Toml => toml::from_str(split.front).unwrap_or_default(),
        Format::Yaml => serde_yaml::from_str::<serde_yaml::Value>(split.front)
            .ok()
            .and_then(|v| toml::Value::try_from(without_nulls(v)).ok())
            .and_then(|v| v.as_table().cloned())
            .unwrap_or_default(),
        Format::None => toml::Table::new(),
    };
    let known = if is_section { SECTION_KEYS } else { PAGE_KEYS };
    for (key, value) in raw {
        if !known.contains(&key.as_str()) && !ZOLA_ONLY_KEYS.contains(&key.as_str()) {
            fm.extra.entry(key).or_insert(value);
        }
    }
    if !fm.aliases.is_empty() {
        let names = std::mem::take(&mut fm.aliases);
        let synonyms = fm
            .extra
            .entry("synonyms")
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        if let toml::Value::Array(list) = synonyms {
            list.extend(names.into_iter().map(toml::Value::String));
        }
    }
}

/// YAML nulls (`key:` with no value) dropped: TOML has no null.
fn without_nulls(v: serde_yaml::Value) -> serde_yaml::Value {
    match v {
        serde_yaml::Value::Mapping(m) => serde_yaml::Value::Mapping(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        serde_yaml::Value::Sequence(s) => serde_yaml::Value::Sequence(
            s.into_iter()
                .filter(|v| !v.is_null())
                .map(without_nulls)
                .collect(),
        ),
        other => other,
    }
}

fn check_keys<'k>(
    keys: impl Iterator<Item = (&'k str, usize, usize)>,
    full: &str,
    file: &Path,
    is_section: bool,
    obsidian: bool,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let allowed = if is_section { SECTION_KEYS } else { PAGE_KEYS };
    let other = if is_section { PAGE_KEYS } else { SECTION_KEYS };
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for (key, line, col) in keys {
        if allowed.contains(&key) {
            continue;
        }
        if !is_section && SECTION_KEYS_IGNORED_ON_PAGES.contains(&key) {
            warnings.push(
                Diagnostic::warning(
                    "unsupported-front-matter",
                    format!(
                        "`{key}` is a section field; on a page it is ignored (as Zola ignores it)"
                    ),
                )
                .at(file, full, line, col)
                .with_help("move it to the section's _index.md, or remove it"),
            );
            continue;
        }
        if ZOLA_ONLY_KEYS.contains(&key) {
            warnings.push(
                Diagnostic::warning(
                    "unsupported-front-matter",
                    format!("`{key}` is a Zola field that fascia ignores"),
                )
                .at(file, full, line, col),
            );
            continue;
        }
        if obsidian && !other.contains(&key) {
            continue; // kept in `extra`
        }
        let (what, help) = if other.contains(&key) {
            let kind = if is_section {
                "pages"
            } else {
                "sections (_index.md)"
            };
            ("only applies to", format!("`{key}` is a field for {kind}"))
        } else {
            let hint = closest(key, allowed.iter().copied());
            (
                "is not a known",
                hint.map_or_else(
                    || "custom values belong under [extra]".to_string(),
                    |h| format!("did you mean `{h}`? (custom values belong under [extra])"),
                ),
            )
        };
        let kind = if is_section { "section" } else { "page" };
        let message = if what == "only applies to" {
            format!("front matter field `{key}` does not apply to a {kind}")
        } else {
            format!("unknown front matter field `{key}`")
        };
        errors.push(
            Diagnostic::error("unknown-front-matter", message)
                .at(file, full, line, col)
                .with_help(help),
        );
    }
    (errors, warnings)
}

fn parse_toml(
    split: &Split<'_>,
    full: &str,
    file: &Path,
    is_section: bool,
    obsidian: bool,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let off = split.front_line_offset;
    let toml_error =
        |e: &toml::de::Error| vec![toml_pos::toml_error(file, full, split.front, off, e)];
    // Parsed once: the keys' places are read from the parsed document, and
    // the same document is then deserialised.
    let root = toml::de::DeTable::parse(split.front).map_err(|e| toml_error(&e))?;
    let located = toml_pos::keys_of(&root).into_iter().map(|(k, o)| {
        let (l, c) = line_col(split.front, o);
        (k, l + off, c)
    });
    let (errors, warnings) = check_keys(located, full, file, is_section, obsidian);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut fm =
        FrontMatter::deserialize(toml::de::Deserializer::from(root)).map_err(|e| toml_error(&e))?;
    if !is_section {
        fm.clear_section_fields();
    }
    check_paths(&fm, file, full, |key, index| {
        let at = index
            .and_then(|i| toml_pos::array_item_offset(split.front, &[key], i))
            .or_else(|| toml_pos::key_offset(split.front, &[key]));
        at.map_or((off.max(1), 1), |o| {
            let (l, c) = line_col(split.front, o);
            (l + off, c)
        })
    })?;
    Ok((fm, warnings))
}

fn parse_yaml(
    split: &Split<'_>,
    full: &str,
    file: &Path,
    is_section: bool,
    obsidian: bool,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let off = split.front_line_offset;
    let yaml_err = |e: &serde_yaml::Error| {
        let d = Diagnostic::error("invalid-yaml", e.to_string());
        match e.location() {
            Some(loc) => d.at(file, full, loc.line() + off, loc.column()),
            None => d.in_file(file),
        }
    };
    if let Some(at) = flow_too_deep(split.front) {
        let (l, c) = line_col(split.front, at);
        return Err(vec![
            Diagnostic::error(
                "front-matter-too-deep",
                format!("front matter nested more than {MAX_FLOW_DEPTH} levels deep"),
            )
            .at(file, full, l + off, c)
            .with_help("flatten the value; front matter holds short fields"),
        ]);
    }
    let map: serde_yaml::Mapping = if split.front.trim().is_empty() {
        serde_yaml::Mapping::new()
    } else {
        serde_yaml::from_str(split.front).map_err(|e| vec![yaml_err(&e)])?
    };
    let keys: Vec<(String, usize, usize)> = map
        .keys()
        .filter_map(|k| k.as_str())
        .map(|k| {
            let line = split
                .front
                .lines()
                .position(|l| l.starts_with(k) && l[k.len()..].trim_start().starts_with(':'))
                .map_or(off + 1, |i| i + 1 + off);
            (k.to_string(), line, 1)
        })
        .collect();
    let (errors, warnings) = check_keys(
        keys.iter().map(|(k, l, c)| (k.as_str(), *l, *c)),
        full,
        file,
        is_section,
        obsidian,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    // From the text, not the parsed map: type errors then carry a location.
    let mut fm: FrontMatter = if map.is_empty() {
        FrontMatter::default()
    } else {
        serde_yaml::from_str(split.front).map_err(|e| vec![yaml_err(&e)])?
    };
    if !is_section {
        fm.clear_section_fields();
    }
    check_paths(&fm, file, full, |key, _| {
        let line = keys
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(off + 1, |(_, l, _)| *l);
        (line, 1)
    })?;
    Ok((fm, warnings))
}

/// Every output path of `fm` that could lead outside the output folder, as
/// an error at the place `locate` gives for its key (and array index): one
/// rule for TOML and YAML, which differ only in how a key is found.
fn check_paths(
    fm: &FrontMatter,
    file: &Path,
    full: &str,
    locate: impl Fn(&'static str, Option<usize>) -> (usize, usize),
) -> Result<(), Vec<Diagnostic>> {
    let errors: Vec<Diagnostic> = unsafe_paths(fm)
        .into_iter()
        .map(|(key, index, d)| {
            let (line, column) = locate(key, index);
            d.at(file, full, line, column)
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The deepest nesting of `[` and `{` accepted in YAML front matter (the YAML
/// parser's time grows steeply with it: 100,000 levels did not finish in 30 s).
const MAX_FLOW_DEPTH: usize = 64;

/// The byte offset where `[`/`{` nesting passes the limit. Quotes are not
/// followed: a quoted value with 64 unclosed brackets is refused too, which
/// no real title does, and no quote can hide a deep value from the check.
fn flow_too_deep(src: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in src.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The fields that choose output paths (`path`, `slug`, `aliases`) whose value
/// could lead outside the output folder: (key, array index, the error).
fn unsafe_paths(fm: &FrontMatter) -> Vec<(&'static str, Option<usize>, Diagnostic)> {
    let mut out = Vec::new();
    let mut check = |key: &'static str, index: Option<usize>, value: &str| {
        if let Err(e) = crate::url_path::output_path(value) {
            out.push((
                key,
                index,
                Diagnostic::error(
                    "unsafe-output-path",
                    format!(
                        "`{key}` = {value:?} cannot be an output path: {}",
                        e.explain()
                    ),
                )
                .with_help("write a path inside the site, such as \"/notes/my-page/\""),
            ));
        }
    };
    if let Some(p) = &fm.path {
        check("path", None, p);
    }
    if let Some(s) = &fm.slug {
        check("slug", None, s);
    }
    for (i, a) in fm.aliases.iter().enumerate() {
        check("aliases", Some(i), a);
    }
    out
}

#[cfg(test)]
#[path = "front_matter_tests.rs"]
mod tests;
