//! The tables of `config.toml` below the top level: `[markdown]`,
//! `[link_checker]`, `[images]`, `[search]`, `[feed]`, taxonomies,
//! `[knowledge]` and `[facts]` (see [`super::Config`]).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::SEARCH_FIELDS;

/// `[markdown]`. Unknown keys are caught by [`keys`] (with a suggestion),
/// so the struct accepts the Zola keys it does not read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkdownConfig {
    /// Curly quotes, en and em dashes, ellipses (off unless the site or its
    /// theme's `theme.toml` `[markdown]` turns it on, as in Zola).
    pub smart_punctuation: Option<bool>,
    /// An image alone in its paragraph with a title (`![alt](a.png "Title")`)
    /// is a numbered `<figure>` captioned with the title (fascia's; off unless
    /// the site or its theme turns it on: Zola keeps it an `<img>`).
    pub image_figures: Option<bool>,
    /// Pass raw HTML through (authors are trusted).
    pub unsafe_html: bool,
    /// Open external links in a new tab (adds `rel="noopener"`).
    pub external_links_target_blank: bool,
    /// A class on every external link (Zola's `external_links_class`).
    pub external_links_class: Option<String>,
    /// `rel="nofollow"` on external links.
    pub external_links_no_follow: bool,
    /// `rel="noreferrer"` on external links.
    pub external_links_no_referrer: bool,
    /// `rel="external"` on external links (Zola 0.22 adds it by default;
    /// fascia only when asked, so existing sites keep their output).
    pub external_links_external: bool,
    /// `loading="lazy" decoding="async"` on every image.
    pub lazy_async_image: bool,
    /// Description lists (`Term` then `: definition`).
    pub definition_list: Option<bool>,
    /// `> [!NOTE]` callouts.
    pub github_alerts: Option<bool>,
    /// Zola's footnote placement: `true` puts them in one list at the
    /// bottom; off (Zola's default) leaves each where it is written.
    pub bottom_footnotes: Option<bool>,
    /// Where heading anchor links go: `right`, `left`, `heading` (the whole
    /// heading is the link) or `none` (the default, as in Zola).
    pub insert_anchor_links: Option<AnchorLinks>,
    /// The anchor link's HTML for headings of levels 1 to 6, rendered from
    /// the site's or theme's `anchor-link.html` with the id left as
    /// [`ANCHOR_ID`]; `None`: Zola's built-in `🔗` link.
    #[serde(skip)]
    pub anchor_link_html: Option<std::sync::Arc<Vec<String>>>,
    /// Zola <= 0.21: `highlight_code = true` turns highlighting on.
    pub highlight_code: Option<bool>,
    /// Zola 0.20-0.21 spelling of `[markdown.highlighting] error_on_missing_language`.
    pub error_on_missing_highlight: Option<bool>,
    /// Zola 0.22: the table's presence turns highlighting on.
    pub highlighting: Option<HighlightingConfig>,
    /// Obsidian vault syntax (`%%comments%%`, `==mark==`, unknown front
    /// matter kept in `extra`): the top-level `obsidian` switch, copied here.
    #[serde(skip)]
    pub obsidian: bool,
    /// `$...$` and `$$...$$` as `MathML` (fascia's own key; see `docs/authoring.md`).
    pub math: Option<bool>,
    pub render_emoji: Option<bool>,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        Self {
            smart_punctuation: None,
            image_figures: None,
            unsafe_html: true,
            external_links_target_blank: false,
            external_links_class: None,
            external_links_no_follow: false,
            external_links_no_referrer: false,
            external_links_external: false,
            lazy_async_image: false,
            definition_list: None,
            github_alerts: None,
            bottom_footnotes: None,
            insert_anchor_links: None,
            anchor_link_html: None,
            highlight_code: None,
            error_on_missing_highlight: None,
            highlighting: None,
            math: None,
            obsidian: false,
            render_emoji: None,
        }
    }
}

impl MarkdownConfig {
    /// Fenced code with a language is highlighted: on unless
    /// `highlight_code = false` (the stylesheet colours it, light and dark).
    pub fn highlight(&self) -> bool {
        self.highlight_code.unwrap_or(true)
    }

    /// Footnotes at the bottom, in one list: `bottom_footnotes`, else on in
    /// an Obsidian vault (as Obsidian shows them) and off as in Zola.
    pub fn footnotes_at_bottom(&self) -> bool {
        self.bottom_footnotes.unwrap_or(self.obsidian)
    }

    /// A fence naming a language fascia does not know is an error, not a warning.
    pub fn error_on_missing_language(&self) -> bool {
        self.highlighting
            .as_ref()
            .and_then(|h| h.error_on_missing_language)
            .or(self.error_on_missing_highlight)
            .unwrap_or(false)
    }
}

/// `[markdown.highlighting]` (Zola 0.22).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HighlightingConfig {
    pub error_on_missing_language: Option<bool>,
    /// `class` (what fascia always writes) or `inline` (warned: inline
    /// styles would break the site's content security policy).
    pub style: Option<String>,
}

/// `[link_checker]` (Zola). fascia checks internal links itself and fetches
/// no external ones, so only `internal_level` is read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkCheckerConfig {
    /// `error` (the default) or `warn`: how a link to a missing page or
    /// anchor is reported.
    pub internal_level: Option<LinkLevel>,
}

/// How a broken internal link is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkLevel {
    Error,
    Warn,
}

impl LinkCheckerConfig {
    pub fn internal_links_warn(&self) -> bool {
        self.internal_level == Some(LinkLevel::Warn)
    }

    /// Whether a link to a page that does not exist is only a warning: with
    /// `internal_level = "warn"`, and in an Obsidian vault unless
    /// `internal_level = "error"` is set (there a link to a missing note is
    /// a note not written yet, not a mistake).
    pub fn missing_page_warns(&self, obsidian: bool) -> bool {
        match self.internal_level {
            Some(LinkLevel::Warn) => true,
            Some(LinkLevel::Error) => false,
            None => obsidian,
        }
    }
}

/// `[images]` (fascia's own table): the widths and formats Markdown images
/// are offered at (`srcset`), and the per-page link cards (`og:image`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ImagesConfig {
    /// Widths, in pixels, of the smaller copies offered in `srcset` (only
    /// those below the image's own width are made).
    pub widths: Vec<u32>,
    /// Formats of those copies: `webp`, `avif` (with the `avif` feature;
    /// offered first), both, or none (`[]`: images get their sizes and lazy
    /// loading only). The original stays the fallback.
    pub formats: Vec<String>,
    /// Encoder quality of the copies, 1 to 100.
    pub quality: u8,
    /// A picture per page for link previews (`og:image`), drawn at build time.
    pub link_cards: bool,
}

impl ImagesConfig {
    /// What is wrong with the settings: (key, message, help).
    pub(super) fn problems(&self) -> Vec<(&'static str, String, &'static str)> {
        let mut out = Vec::new();
        for f in &self.formats {
            let known = f == "webp" || (f == "avif" && cfg!(feature = "avif"));
            if f == "avif" && !known {
                out.push((
                    "formats",
                    "this fascia was built without AVIF".to_string(),
                    "build fascia with `cargo install --features avif`, or use formats = [\"webp\"]",
                ));
            } else if !known {
                out.push((
                    "formats",
                    format!("fascia cannot make `{f}` copies of images"),
                    "use formats = [\"webp\"] (or [\"avif\", \"webp\"] with the avif feature), or [] for no copies",
                ));
            }
        }
        if !(1..=100).contains(&self.quality) {
            out.push((
                "quality",
                format!("quality {} is outside 1 to 100", self.quality),
                "80 is a good balance of size and sharpness",
            ));
        }
        if self.widths.iter().any(|&w| w == 0 || w > 8192) {
            out.push((
                "widths",
                "image widths must be between 1 and 8192 pixels".to_string(),
                "for example widths = [480, 960, 1440]",
            ));
        }
        out
    }
}

impl Default for ImagesConfig {
    fn default() -> Self {
        Self {
            widths: vec![480, 960, 1440],
            formats: vec!["webp".into()],
            quality: 80,
            link_cards: false,
        }
    }
}

/// Where a heading's anchor link goes (Zola's `insert_anchor_links`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnchorLinks {
    Right,
    Left,
    Heading,
    #[default]
    None,
}

/// Stands for the heading's id in [`MarkdownConfig::anchor_link_html`].
pub const ANCHOR_ID: &str = "\u{E000}";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchConfig {
    pub enabled: bool,
    /// Index the body text (headings and titles are always indexed).
    pub include_content: bool,
    /// Index at most this many characters of each page's body (0, the
    /// default: the whole body).
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
    /// Zola's switch; titles are always indexed (`false` is warned).
    pub include_title: Option<bool>,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            include_content: true,
            truncate_content_length: 0,
            include_description: true,
            fields: SEARCH_FIELDS.iter().map(|f| (*f).to_string()).collect(),
            split_index_above: 640 * 1024,
            shard_size: 24 * 1024,
            max_pages_per_term: 500,
            include_title: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
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
pub struct TaxonomyConfig {
    pub name: String,
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Zola's: the folder of a term's pagers after the first (`page`).
    #[serde(default)]
    pub paginate_path: Option<String>,
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
#[serde(default)]
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

/// `[print]`: the print edition (the whole site on one page, made when the
/// templates have `print.html`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrintConfig {
    /// A language's print edition is made when it has at most this many
    /// pages and sections; 0 makes none. Headless Chromium took about two
    /// minutes to print the edition of 1,000 generated pages (3,521
    /// sheets), twelve for 2,000, and did not finish 3,000 in ten.
    pub max_pages: usize,
}

impl Default for PrintConfig {
    fn default() -> Self {
        Self { max_pages: 1_000 }
    }
}

/// `[facts.fields.*]`: the structured facts a page may carry, in order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactsSchema {
    pub fields: IndexMap<String, FactField>,
    /// A data file (below the site root) of figures quoted by citation key:
    /// `[table.key] fact = "text"`. `fascia check` compares what a page
    /// states next to a citation with it.
    pub figures: Option<String>,
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
    /// For `ratings`: the rows a page rates, key -> label.
    #[serde(default)]
    pub rows: IndexMap<String, String>,
    /// For `ratings`: the rows are the pages of this section, by file name.
    #[serde(default)]
    pub rows_section: Option<String>,
    /// For `ratings` with `rows_section`: the heading over the list on a
    /// rated page (`Techniques studied for this condition`).
    #[serde(default)]
    pub reverse_label: Option<String>,
    /// For `ratings`: the page showing the whole matrix (`@/evidence/map.md`),
    /// linked from the lists on each page.
    #[serde(default)]
    pub page: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    Text,
    List,
    Bool,
    Enum,
    Url,
    /// A rating (one of `values`) per row, each with a note, citations and
    /// a link: contraindications by kind, certainty by condition.
    Ratings,
}
