//! What templates see: `page` and `section` objects, read lazily from the
//! site (nothing is copied until a template asks for it). Every field is
//! listed here and documented in `docs/templates.md`.

use std::sync::{Arc, OnceLock};

use minijinja::value::{DynObject, Enumerator, Object, Value};
use serde::Serialize;

use crate::content::Document;
use crate::markdown::headings;
use crate::render::RenderState;
use crate::site::DocId;

/// Fields of `page`.
pub const PAGE_FIELDS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "year",
    "month",
    "day",
    "weight",
    "draft",
    "slug",
    "path",
    "permalink",
    "components",
    "relative_path",
    "content",
    "summary",
    "toc",
    "word_count",
    "reading_time",
    "taxonomies",
    "extra",
    "authors",
    "ancestors",
    "section",
    "lower",
    "higher",
    "assets",
    "colocated_path",
    "backlinks",
    "related",
    "facts",
    "comparison",
    "references",
    "last_reviewed",
    "review_due",
    "review_overdue",
    "graph_svg",
    "qr_svg",
    "kind",
    "lang",
    "translations",
];

/// Fields of `section`.
pub const SECTION_FIELDS: &[&str] = &[
    "title",
    "description",
    "path",
    "permalink",
    "components",
    "relative_path",
    "content",
    "toc",
    "word_count",
    "reading_time",
    "extra",
    "ancestors",
    "pages",
    "subsections",
    "subsection_objects",
    "backlinks",
    "references",
    "last_reviewed",
    "review_due",
    "review_overdue",
    "weight",
    "kind",
    "lang",
    "translations",
    "draft",
    "generate_feeds",
    "transparent",
    "paginate_by",
];

/// A page, as templates see it.
#[derive(Debug)]
pub struct PageObj {
    st: Arc<RenderState>,
    idx: usize,
    /// `content`, made once however often a template asks for it.
    content: OnceLock<Value>,
}

impl PageObj {
    pub fn value(st: &Arc<RenderState>, idx: usize) -> Value {
        Value::from_object(Self {
            st: Arc::clone(st),
            idx,
            content: OnceLock::new(),
        })
    }
}

/// A section, as templates see it.
#[derive(Debug)]
pub struct SectionObj {
    st: Arc<RenderState>,
    idx: usize,
    /// `content`, made once however often a template asks for it.
    content: OnceLock<Value>,
}

impl SectionObj {
    pub fn value(st: &Arc<RenderState>, idx: usize) -> Value {
        Value::from_object(Self {
            st: Arc::clone(st),
            idx,
            content: OnceLock::new(),
        })
    }
}

/// A link to another document, for backlinks, related pages, prev/next.
#[derive(Debug, Serialize)]
pub struct DocLink<'a> {
    pub title: &'a str,
    pub permalink: String,
    pub path: &'a str,
    pub description: Option<&'a str>,
    /// The sentence around the link (backlinks only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence: Option<&'a str>,
}

fn doc_link(st: &RenderState, id: DocId, sentence: Option<&str>) -> Value {
    let site = &st.site;
    let s = sentence.filter(|s| !s.is_empty());
    crate::render::ser(DocLink {
        title: site.title_of(id),
        permalink: site.permalink_of(id),
        path: site.path_of(id),
        description: site.doc(id).fm.description.as_deref(),
        sentence: s,
    })
}

/// A QR code of `url` as inline SVG (for printed handouts), from a small
/// cache of the latest ones: `serve` renders the same pages again on every
/// edit, and choosing a code's mask is most of the cost of a themed page.
/// Bounded (cleared when full), so a build of any size holds a few MB at most.
pub fn qr_svg(url: &str) -> Option<String> {
    const KEEP: usize = 512;
    static CACHE: std::sync::Mutex<Option<std::collections::HashMap<String, String>>> =
        std::sync::Mutex::new(None);
    let lock = || {
        CACHE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(svg) = lock().as_ref().and_then(|c| c.get(url)) {
        return Some(svg.clone());
    }
    let svg = make_qr_svg(url)?;
    let mut cache = lock();
    let cache = cache.get_or_insert_with(std::collections::HashMap::new);
    if cache.len() >= KEEP {
        cache.clear();
    }
    cache.insert(url.to_string(), svg.clone());
    Some(svg)
}

fn make_qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(96, 96)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    let start = svg.find("<svg")?;
    let label = url.replace('&', "&amp;").replace('"', "&quot;");
    Some(svg[start..].replacen(
        "<svg",
        &format!("<svg class=\"qr\" role=\"img\" aria-label=\"QR code for {label}\""),
        1,
    ))
}

/// `content`: the finished body as a safe string. Unless the state shares
/// it ([`RenderState::content_value`]) it is a copy (minijinja holds
/// strings as `Arc<str>`), so the objects keep it for all the template's
/// uses of the field.
fn content(st: &RenderState, slot: usize, cache: &OnceLock<Value>) -> Value {
    cache.get_or_init(|| st.content_value(slot)).clone()
}

/// Fields shared by pages and sections (but `content`).
fn common_field(st: &RenderState, id: DocId, doc: &Document, key: &str) -> Option<Value> {
    let site = &st.site;
    let slot = site.slot(id);
    Some(match key {
        "title" => Value::from(site.title_of(id)),
        "description" => doc
            .fm
            .description
            .clone()
            .map_or(Value::UNDEFINED, Value::from),
        "path" => Value::from(site.path_of(id)),
        "permalink" => Value::from(site.permalink_of(id)),
        "components" => Value::from(
            site.path_of(id)
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>(),
        ),
        "relative_path" => Value::from(doc.file.rel.as_str()),
        "lang" => Value::from(site.lang_of(id)),
        "translations" => Value::from(
            site.translations_of(id)
                .into_iter()
                .map(|t| {
                    minijinja::context! {
                        lang => site.lang_of(t),
                        title => site.doc(t).fm.title.clone(),
                        permalink => site.permalink_of(t),
                        path => site.doc(t).file.rel.clone(),
                        // fascia: the URL path and the language's own name.
                        url_path => site.path_of(t),
                        language_name => crate::config::languages::native_name(site.lang_of(t)),
                        current => t == id,
                    }
                })
                .collect::<Vec<_>>(),
        ),
        "toc" => {
            let mut toc = headings::toc(&doc.body.headings);
            headings::set_permalinks(&mut toc, &site.permalink_of(id));
            crate::render::ser(toc)
        }
        "word_count" => Value::from(doc.body.word_count),
        "reading_time" => Value::from(doc.body.word_count.div_ceil(200)),
        "extra" => crate::render::toml_plain::table(&doc.fm.extra),
        "weight" => doc.fm.weight.map_or(Value::UNDEFINED, Value::from),
        "backlinks" => Value::from(
            site.graph.backlinks[slot]
                .iter()
                .map(|b| doc_link(st, b.source, Some(b.sentence(site))))
                .collect::<Vec<_>>(),
        ),
        "references" => {
            let works: Vec<Value> = site.graph.references[slot]
                .iter()
                .enumerate()
                .map(|(n, &w)| st.cited_work(w, n + 1))
                .collect();
            Value::from(works)
        }
        "last_reviewed" => doc
            .fm
            .last_reviewed
            .map_or(Value::UNDEFINED, |d| Value::from(d.to_string())),
        "review_due" => st
            .review_due(doc)
            .map_or(Value::UNDEFINED, |d| Value::from(d.to_string())),
        "review_overdue" => Value::from(st.review_due(doc).is_some_and(|d| d < st.today)),
        "ancestors" => {
            let mut list = Vec::new();
            let mut cur = match id {
                DocId::Page(i) => Some(site.pages[i].section),
                DocId::Section(i) => site.sections[i].parent,
            };
            while let Some(s) = cur {
                list.push(site.sections[s].doc.file.rel.clone());
                cur = site.sections[s].parent;
            }
            list.reverse();
            Value::from(list)
        }
        _ => return None,
    })
}

impl Object for PageObj {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let st = &self.st;
        let site = &st.site;
        let page = &site.pages[self.idx];
        let id = DocId::Page(self.idx);
        let slot = site.slot(id);
        let fm = &page.doc.fm;
        let key = key.as_str()?;
        if key == "content" {
            return Some(content(st, slot, &self.content));
        }
        if let Some(v) = common_field(st, id, &page.doc, key) {
            return Some(v);
        }
        Some(match key {
            "kind" => Value::from("page"),
            "date" => fm
                .date
                .map_or(Value::UNDEFINED, |d| Value::from(d.to_string())),
            "updated" => fm
                .updated
                .map_or(Value::UNDEFINED, |d| Value::from(d.to_string())),
            // Zola's: the parts of `date`, as numbers (`group_by(attribute="year")`).
            "year" => fm
                .date
                .map_or(Value::UNDEFINED, |d| Value::from(d.date().year())),
            "month" => fm
                .date
                .map_or(Value::UNDEFINED, |d| Value::from(d.date().month())),
            "day" => fm
                .date
                .map_or(Value::UNDEFINED, |d| Value::from(d.date().day())),
            "draft" => Value::from(fm.draft),
            "slug" => Value::from(page.slug.as_str()),
            "summary" => page
                .doc
                .body
                .summary
                .clone()
                .map_or(Value::UNDEFINED, Value::from_safe_string),
            "taxonomies" => crate::render::ser(&fm.taxonomies),
            "authors" => crate::render::ser(&fm.authors),
            "section" => Value::from(site.sections[page.section].doc.file.rel.as_str()),
            // Zola links siblings only in a sorted, non-transparent section.
            "lower" | "higher" => {
                // Zola: a transparent section's pages are neighbours in the
                // first section up that is not transparent, and pages have
                // neighbours only in a sorted section.
                let mut s = page.section;
                while site.sections[s].doc.fm.transparent
                    && let Some(parent) = site.sections[s].parent
                {
                    s = parent;
                }
                if site.sections[s].doc.fm.sort_by == crate::content::SortBy::None {
                    return Some(Value::UNDEFINED);
                }
                let list = &site.sections[s].pages;
                let pos = list.iter().position(|&p| p == self.idx)?;
                let other = if key == "lower" {
                    pos.checked_sub(1)
                } else {
                    Some(pos + 1)
                };
                match other.and_then(|o| list.get(o)) {
                    Some(&o) => PageObj::value(st, o),
                    None => Value::UNDEFINED,
                }
            }
            // Zola's: the folder of a page written as `folder/index.md`.
            "colocated_path" => match page.doc.file.rel.rsplit_once('/') {
                Some((dir, file)) if file.starts_with("index.") => Value::from(format!("{dir}/")),
                _ => Value::UNDEFINED,
            },
            // Zola's: paths below content/, with a leading `/`, which
            // `get_url(path=)` and `resize_image(path=)` take as they are.
            "assets" => {
                let content = site.root.join("content");
                Value::from(
                    page.assets
                        .iter()
                        .map(|(abs, out)| match abs.strip_prefix(&content) {
                            Ok(rel) => format!("/{}", rel.to_string_lossy().replace('\\', "/")),
                            Err(_) => format!("/{out}"),
                        })
                        .collect::<Vec<_>>(),
                )
            }
            "related" => Value::from(
                st.related(slot)
                    .iter()
                    .map(|&t| doc_link(st, t, None))
                    .collect::<Vec<_>>(),
            ),
            "facts" => crate::render::ser(&site.graph.facts[slot]),
            "comparison" => site.graph.comparisons[slot]
                .as_ref()
                .map_or(Value::UNDEFINED, crate::render::ser),
            "graph_svg" => st
                .graph_svg(id)
                .map_or(Value::UNDEFINED, Value::from_safe_string),
            "qr_svg" => {
                qr_svg(&site.permalink_of(id)).map_or(Value::UNDEFINED, Value::from_safe_string)
            }
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(PAGE_FIELDS)
    }

    /// Two pages are equal when they are the same page (as Tera compares
    /// Zola's serialized pages); comparing field by field would follow
    /// `lower`/`higher` without end.
    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<std::cmp::Ordering> {
        other.downcast_ref::<Self>().map(|o| self.idx.cmp(&o.idx))
    }
}

impl Object for SectionObj {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let st = &self.st;
        let site = &st.site;
        let section = &site.sections[self.idx];
        let id = DocId::Section(self.idx);
        let key = key.as_str()?;
        if key == "content" {
            return Some(content(st, site.slot(id), &self.content));
        }
        if let Some(v) = common_field(st, id, &section.doc, key) {
            return Some(v);
        }
        Some(match key {
            "kind" => Value::from("section"),
            "draft" => Value::from(section.doc.fm.draft),
            "generate_feeds" => Value::from(section.doc.fm.generate_feeds),
            "transparent" => Value::from(section.doc.fm.transparent),
            "paginate_by" => section
                .doc
                .fm
                .paginate_by
                .map_or(Value::from(()), Value::from),
            "pages" => Value::from(
                section
                    .pages
                    .iter()
                    .map(|&p| PageObj::value(st, p))
                    .collect::<Vec<_>>(),
            ),
            "subsections" => Value::from(
                section
                    .subsections
                    .iter()
                    .map(|&s| site.sections[s].doc.file.rel.clone())
                    .collect::<Vec<_>>(),
            ),
            "subsection_objects" => Value::from(
                section
                    .subsections
                    .iter()
                    .map(|&s| SectionObj::value(st, s))
                    .collect::<Vec<_>>(),
            ),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(SECTION_FIELDS)
    }

    /// Two sections are equal when they are the same section (see
    /// [`PageObj`]'s).
    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<std::cmp::Ordering> {
        other.downcast_ref::<Self>().map(|o| self.idx.cmp(&o.idx))
    }
}
