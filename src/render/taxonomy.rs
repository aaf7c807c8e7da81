//! Taxonomies (`tags`, `body_regions`, ...): terms with their pages, and
//! section pages with optional pagination.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::context;
use minijinja::value::Value;
use serde::Serialize;

use super::context::PageObj;
use super::paginate::Pagination;
use super::{RenderState, out_path};
use crate::diagnostics::Diagnostic;
use crate::markdown::slugify;
use crate::site::Site;

/// One term and the pages carrying it.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub path: String,
    pub pages: Vec<usize>,
}

/// One taxonomy with its terms, sorted by name.
#[derive(Debug, Clone, Serialize)]
pub struct Taxonomy {
    pub name: String,
    pub slug: String,
    /// The language whose pages it gathers.
    pub lang: String,
    /// URL path of its list page (`/tags/`, `/fr/tags/`).
    pub path: String,
    pub terms: Vec<Term>,
}

pub use crate::site_paths::term_path;

/// Gather the terms of every declared taxonomy, per language (a page's
/// terms go to its own language's taxonomy, under that language's URLs).
pub fn collect(site: &Site) -> Vec<Taxonomy> {
    let config = &site.config;
    let mut all = Vec::new();
    let langs: Vec<&str> = if config.multilingual() {
        config.language_codes().collect()
    } else {
        vec![config.default_language.as_str()]
    };
    for lang in langs {
        let prefix = config.lang_prefix(lang);
        for t in config.taxonomies_of(lang) {
            all.push(collect_one(site, lang, &prefix, &t.name));
        }
    }
    all
}

fn collect_one(site: &Site, lang: &str, prefix: &str, name: &str) -> Taxonomy {
    // As Zola does: pages gathered per term as written, each term's pages
    // sorted, then terms with the same slug (`Blog`, `blog`) merged into
    // the first by name, its pages first.
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in site.pages.iter().enumerate() {
        if site.lang_of(crate::site::DocId::Page(i)) != lang {
            continue;
        }
        for term in p.doc.fm.taxonomies.get(name).into_iter().flatten() {
            by_name.entry(term).or_default().push(i);
        }
    }
    let mut named: Vec<(String, &str, Vec<usize>)> = by_name
        .into_iter()
        .map(|(term, mut pages)| {
            sort_by_date(site, &mut pages);
            (slugify(term), term, pages)
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let mut terms: Vec<Term> = Vec::new();
    for (slug, term, pages) in named {
        match terms.last_mut() {
            Some(last) if last.slug == slug => last.pages.extend(pages),
            _ => terms.push(Term {
                name: term.to_string(),
                path: format!("{prefix}{}", term_path(name, term)),
                slug,
                pages,
            }),
        }
    }
    let slug = slugify(name);
    Taxonomy {
        name: name.to_string(),
        path: format!("{prefix}/{slug}/"),
        slug,
        lang: lang.to_string(),
        terms,
    }
}

/// Zola's order: newest first, ties by permalink, undated last.
fn sort_by_date(site: &Site, pages: &mut [usize]) {
    pages.sort_by(|&a, &b| {
        let (x, y) = (&site.pages[a], &site.pages[b]);
        y.doc
            .fm
            .date
            .cmp(&x.doc.fm.date)
            .then_with(|| x.path.cmp(&y.path))
    });
}

/// The template of a taxonomy's `kind` page (`list` or `single`): Zola's
/// `{taxonomy}/list.html`, else fascia's `taxonomy_list.html`; `None`
/// when there is neither (the pages are then not written).
pub fn template(set: &crate::templates::TemplateSet, taxonomy: &str, kind: &str) -> Option<String> {
    [
        format!("{taxonomy}/{kind}.html"),
        format!("taxonomy_{kind}.html"),
    ]
    .into_iter()
    .find(|t| set.has(t))
}

/// A term as templates see it.
pub fn term_value(st: &Arc<RenderState>, _tax: &Taxonomy, term: &Term) -> Value {
    context! {
        name => term.name.clone(),
        slug => term.slug.clone(),
        path => term.path.clone(),
        permalink => st.site.config.permalink(&term.path),
        pages => term.pages.iter().map(|&p| PageObj::value(st, p)).collect::<Vec<_>>(),
        page_count => term.pages.len(),
    }
}

/// `taxonomy` in a taxonomy's templates, and `kind` in what `get_taxonomy`
/// returns: Zola's taxonomy settings (`name`, `paginate_by`, `feed`,
/// `render`, `lang`) plus the list page's `permalink` and `path`.
pub fn kind_value(st: &RenderState, tax: &Taxonomy) -> Value {
    let config = &st.site.config;
    let settings = config
        .taxonomies_of(&tax.lang)
        .iter()
        .find(|t| t.name == tax.name);
    context! {
        name => tax.name.clone(),
        slug => tax.slug.clone(),
        lang => tax.lang.clone(),
        paginate_by => settings.and_then(|t| t.paginate_by),
        feed => settings.is_some_and(|t| t.feed),
        render => settings.and_then(|t| t.render).unwrap_or(true),
        path => tax.path.clone(),
        permalink => config.permalink(&tax.path),
    }
}

type RenderFn<'a> = dyn Fn(&str, Value) -> Result<String, Diagnostic> + 'a;
/// The base context of a page at a URL path, in a language.
type BaseFn<'a> = dyn Fn(Value, &str, &str) -> Value + 'a;

/// A section's pagination, when it has `paginate_by`.
pub fn section_pagination(site: &Site, i: usize) -> Option<Pagination<'_>> {
    let section = &site.sections[i];
    let per = section.doc.fm.paginate_by.filter(|&n| n > 0)?;
    let mut pages = section.pages.clone();
    if section.doc.fm.paginate_reversed {
        pages.reverse();
    }
    Some(Pagination {
        root: &section.path,
        paginate_path: section.doc.fm.paginate_path.as_deref().unwrap_or("page"),
        per,
        pages,
    })
}

/// A term's pagination, when its taxonomy has `paginate_by`.
pub fn term_pagination<'a>(
    site: &'a Site,
    tax: &Taxonomy,
    term: &'a Term,
) -> Option<Pagination<'a>> {
    let settings = site
        .config
        .taxonomies_of(&tax.lang)
        .iter()
        .find(|t| t.name == tax.name)?;
    Some(Pagination {
        root: &term.path,
        paginate_path: settings.paginate_path.as_deref().unwrap_or("page"),
        per: settings.paginate_by.filter(|&n| n > 0)?,
        pages: term.pages.clone(),
    })
}

/// Render a list (a section or a term) with `ctx`, once per pager when it
/// is paginated.
pub fn render_pagers(
    st: &Arc<RenderState>,
    (root, lang): (&str, &str),
    pagination: Option<&Pagination<'_>>,
    ctx: &dyn Fn(Option<Value>) -> Value,
    (template, render, with_base): (&str, &RenderFn<'_>, &BaseFn<'_>),
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let Some(p) = pagination else {
        let html = render(template, with_base(ctx(None), root, lang))?;
        return Ok(vec![(out_path(root), html.into_bytes())]);
    };
    let mut files = Vec::new();
    for n in 1..=p.count() {
        let url = p.path(n);
        let html = render(template, with_base(ctx(Some(p.value(st, n))), &url, lang))?;
        files.push((out_path(&url), html.into_bytes()));
    }
    Ok(files)
}
