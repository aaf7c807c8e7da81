//! Giving documents their places: sections by folder and language, pages
//! under their section, URLs and sorted page lists (see [`assemble`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Body, Document, FrontMatter, Page, Section, SortBy, SourceFile, markdown, parent_dir};

fn url_of_dir(dir: &str) -> String {
    if dir.is_empty() {
        "/".to_string()
    } else {
        let parts: Vec<String> = dir.split('/').map(slug_component).collect();
        format!("/{}/", parts.join("/"))
    }
}

/// A slug for one URL component: `slug::slugify`, or where that leaves
/// nothing (only punctuation), the text itself made safe as one component.
fn slug_component(s: &str) -> String {
    let out = slug::slugify(s);
    if !out.is_empty() {
        return out;
    }
    let safe = crate::url_path::output_path(s)
        .unwrap_or_default()
        .replace('/', "-");
    if safe.is_empty() {
        "-".to_string()
    } else {
        safe
    }
}

/// Give documents their places: sections by folder and language, pages
/// under the nearest section of their language, URLs (`/xx/...` for a
/// language of `languages`, the site's languages other than the default),
/// sorted page lists. Drafts are dropped unless `drafts`.
pub fn assemble(
    docs: Vec<Arc<Document>>,
    assets: &[(PathBuf, String)],
    drafts: bool,
    languages: &[String],
) -> (Vec<Section>, Vec<Page>) {
    let (mut section_docs, page_docs): (Vec<Arc<Document>>, Vec<Arc<Document>>) =
        docs.into_iter().partition(|d| d.is_section);
    for lang in std::iter::once(None).chain(languages.iter().map(|l| Some(l.as_str()))) {
        let is_root = |d: &Arc<Document>| d.lang.as_deref() == lang && d.base_rel() == "_index.md";
        if !section_docs.iter().any(is_root) {
            section_docs.push(Arc::new(synthetic_root(lang)));
        }
    }
    section_docs.sort_by(|a, b| a.file.rel.cmp(&b.file.rel));
    let mut sections: Vec<Section> = section_docs
        .into_iter()
        .filter(|d| drafts || !d.fm.draft || d.base_rel() == "_index.md")
        .map(|doc| {
            let dir = parent_dir(&doc.file.rel).to_string();
            Section {
                path: format!("{}{}", lang_prefix(doc.lang.as_deref()), url_of_dir(&dir)),
                doc,
                parent: None,
                pages: Vec::new(),
                subsections: Vec::new(),
                dir,
            }
        })
        .collect();
    let by_dir: HashMap<(String, Option<String>), usize> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| ((s.dir.clone(), s.doc.lang.clone()), i))
        .collect();
    let nearest = |mut dir: &str, lang: Option<&str>| -> usize {
        let lang = lang.map(str::to_string);
        loop {
            if let Some(&i) = by_dir.get(&(dir.to_string(), lang.clone())) {
                return i;
            }
            if dir.is_empty() {
                return by_dir[&(String::new(), None)];
            }
            dir = parent_dir(dir);
        }
    };
    for i in 0..sections.len() {
        if !sections[i].dir.is_empty() {
            let p = nearest(
                parent_dir(&sections[i].dir),
                sections[i].doc.lang.as_deref(),
            );
            sections[i].parent = Some(p);
            sections[p].subsections.push(i);
        }
    }
    let mut pages: Vec<Page> = page_docs
        .into_iter()
        .filter(|d| drafts || !d.fm.draft)
        .map(|doc| page_from_doc(doc, &nearest, assets))
        .collect();
    pages.sort_by(|a, b| a.doc.file.rel.cmp(&b.doc.file.rel));
    for (i, p) in pages.iter().enumerate() {
        sections[p.section].pages.push(i);
        // Zola's `transparent = true`: the section's pages are also listed
        // (and paginated, and sorted) in its parent, and on up while that
        // one is transparent too.
        let mut s = p.section;
        while sections[s].doc.fm.transparent
            && let Some(parent) = sections[s].parent
        {
            sections[parent].pages.push(i);
            s = parent;
        }
    }
    section_anchor_links(&mut sections, &mut pages);
    for s in 0..sections.len() {
        let sort_by = sections[s].doc.fm.sort_by;
        let mut list = std::mem::take(&mut sections[s].pages);
        sort_pages(&mut list, &pages, sort_by);
        sections[s].pages = list;
        let mut subs = std::mem::take(&mut sections[s].subsections);
        subs.sort_by(|&a, &b| {
            let (x, y) = (&sections[a], &sections[b]);
            (x.doc.fm.weight.unwrap_or(i64::MAX), x.title())
                .cmp(&(y.doc.fm.weight.unwrap_or(i64::MAX), y.title()))
        });
        sections[s].subsections = subs;
    }
    (sections, pages)
}

/// The URL prefix of a language's pages (`/fr`), empty for the default.
fn lang_prefix(lang: Option<&str>) -> String {
    lang.map_or(String::new(), |l| format!("/{l}"))
}

/// A section's `insert_anchor_links` moves the heading anchors of the
/// section and of its own pages (as in Zola; subsections set their own).
fn section_anchor_links(sections: &mut [Section], pages: &mut [Page]) {
    fn restyle(doc: &mut Arc<Document>, to: crate::config::AnchorLinks) {
        let from = doc.body.anchor_links;
        if from == to {
            return;
        }
        let d = Arc::make_mut(doc);
        let html = d.body.anchor_html.clone();
        let html = html.as_deref().map(Vec::as_slice);
        let from = markdown::headings::AnchorStyle { mode: from, html };
        let to = markdown::headings::AnchorStyle { mode: to, html };
        let heads = &d.body.headings;
        let html = markdown::headings::restyle_anchors(&d.body.html(), heads, from, to);
        let summary = d
            .body
            .summary
            .as_ref()
            .map(|s| markdown::headings::restyle_anchors(s, heads, from, to));
        d.body.set_html(html);
        if summary.is_some() {
            d.body.summary = summary;
        }
        d.body.anchor_links = to.mode;
    }
    for s in sections.iter_mut() {
        if let Some(to) = s.doc.fm.insert_anchor_links {
            restyle(&mut s.doc, to);
        }
    }
    for p in pages.iter_mut() {
        if let Some(to) = sections[p.section].doc.fm.insert_anchor_links {
            restyle(&mut p.doc, to);
        }
    }
}

fn page_from_doc(
    doc: Arc<Document>,
    nearest: &dyn Fn(&str, Option<&str>) -> usize,
    assets: &[(PathBuf, String)],
) -> Page {
    let rel = doc.base_rel().into_owned();
    let is_bundle = rel.ends_with("/index.md") || rel == "index.md";
    let (dir, stem) = if is_bundle {
        let d = parent_dir(&rel);
        (
            parent_dir(d).to_string(),
            d.rsplit('/').next().unwrap_or(d).to_string(),
        )
    } else {
        let file = rel.rsplit('/').next().unwrap_or(&rel);
        (
            parent_dir(&rel).to_string(),
            file.trim_end_matches(".md").to_string(),
        )
    };
    let section = nearest(&dir, doc.lang.as_deref());
    let slug = doc.fm.slug.clone().map_or_else(
        // Zola's dated names: `2024-01-05-first-post.md` is `first-post/`.
        || match super::date::from_file_name(&stem) {
            Some((_, Some(rest))) => slug_component(rest),
            _ => slug_component(&stem),
        },
        |s| slug_component(&s),
    );
    // Front matter paths were checked when parsed (`url_path::output_path`).
    let path = match doc.fm.path.as_deref().map(crate::url_path::output_path) {
        Some(Ok(p)) if p.is_empty() => "/".to_string(),
        Some(Ok(p)) => format!("/{p}/"),
        _ => format!(
            "{}{}{}/",
            lang_prefix(doc.lang.as_deref()),
            url_of_dir(&dir),
            slug
        ),
    };
    let own_assets = if is_bundle {
        let bundle_dir = format!("{}/", parent_dir(&rel));
        assets
            .iter()
            .filter(|(_, r)| r.starts_with(&bundle_dir))
            .map(|(abs, r)| {
                (
                    abs.clone(),
                    format!("{}{}", path.trim_start_matches('/'), &r[bundle_dir.len()..]),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Page {
        doc,
        slug,
        path,
        section,
        assets: own_assets,
    }
}

/// Zola's order; ties are broken by path, as Zola breaks them by permalink.
/// Pages Zola cannot sort (no weight, no date) come last, by path.
fn sort_pages(list: &mut [usize], pages: &[Page], by: SortBy) {
    let title = |i: usize| pages[i].title().to_lowercase();
    let path = |a: usize, b: usize| pages[a].path.cmp(&pages[b].path);
    match by {
        SortBy::Weight => list.sort_by(|&a, &b| {
            let w = |i: usize| pages[i].doc.fm.weight.unwrap_or(i64::MAX);
            w(a).cmp(&w(b)).then_with(|| path(a, b))
        }),
        SortBy::Date => list.sort_by(|&a, &b| {
            let (x, y) = (&pages[a].doc.fm.date, &pages[b].doc.fm.date);
            y.cmp(x).then_with(|| path(a, b))
        }),
        SortBy::UpdateDate => list.sort_by(|&a, &b| {
            let key = |p: &Page| p.doc.fm.updated.max(p.doc.fm.date);
            key(&pages[b]).cmp(&key(&pages[a])).then_with(|| path(a, b))
        }),
        SortBy::Title => list.sort_by(|&a, &b| title(a).cmp(&title(b)).then_with(|| path(a, b))),
        SortBy::Slug => {
            list.sort_by(|&a, &b| pages[a].slug.cmp(&pages[b].slug).then_with(|| path(a, b)));
        }
        SortBy::None => {}
    }
}

/// The home section of a language without its own `_index.md`.
fn synthetic_root(lang: Option<&str>) -> Document {
    let rel = lang.map_or("_index.md".to_string(), |l| format!("_index.{l}.md"));
    Document {
        file: SourceFile {
            display: PathBuf::from("content").join(&rel),
            rel,
            text: String::new(),
        },
        fm: FrontMatter::default(),
        body: Body::default(),
        body_line_offset: 0,
        is_section: true,
        lang: lang.map(str::to_string),
    }
}
