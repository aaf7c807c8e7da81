//! One render job: a page, a section (with its pagers), a taxonomy's
//! list or a term (with its pagers), rendered with its template; and the
//! errors that name the document being rendered.

use std::fmt::Write as _;
use std::sync::Arc;

use minijinja::value::Value;
use minijinja::{Environment, context};

use super::context::{PageObj, SectionObj};
use super::{RenderState, aliases, out_path, taxonomy};
use crate::content::Document;
use crate::diagnostics::Diagnostic;
use crate::site::{DocId, Site};
use crate::templates::{TemplateSet, template_error};

pub(super) enum Job {
    Page(usize),
    Section(usize),
    TaxonomyList(usize),
    Term(usize, usize),
}

pub(super) fn render_job(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    set: &TemplateSet,
    job: &Job,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let site = &state.site;
    let render = |name: &str, ctx: Value| -> Result<String, Diagnostic> {
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| template_error(&e, set, &site.root))
    };
    let with_base = |extra: Value, path: &str, lang: &str| -> Value {
        context! {
            config => state.config_for(lang),
            lang => lang,
            current_url => site.config.permalink(path),
            current_path => path,
            ..extra
        }
    };
    let missing = |template: &str, doc: &Document| missing_template(site, template, doc);
    match *job {
        Job::Page(i) => {
            let page = &site.pages[i];
            let template = page_template(site, i);
            if !set.has(&template) {
                return Err(missing(&template, &page.doc));
            }
            let html = render(
                &template,
                with_base(
                    context! { page => PageObj::value(state, i) },
                    &page.path,
                    site.lang_of(DocId::Page(i)),
                ),
            )
            .map_err(|d| while_rendering(d, &page.doc))?;
            Ok(vec![(out_path(&page.path), html.into_bytes())])
        }
        Job::Section(i) => {
            let section = &site.sections[i];
            // A section with `redirect_to` is a redirect page (render::aliases).
            if section.doc.fm.render == Some(false) || section.doc.fm.redirect_to.is_some() {
                return Ok(Vec::new());
            }
            let template = section.doc.fm.template.clone().unwrap_or_else(|| {
                if section.dir.is_empty() {
                    "index.html".into()
                } else {
                    "section.html".into()
                }
            });
            if !set.has(&template) {
                return Err(missing(&template, &section.doc));
            }
            let pagination = taxonomy::section_pagination(site, i);
            let lang = site.lang_of(DocId::Section(i));
            let ctx = |paginator: Option<Value>| {
                let section = SectionObj::value(state, i);
                if let Some(p) = paginator {
                    context! { section => section, paginator => p }
                } else {
                    context! { section => section }
                }
            };
            let mut files = taxonomy::render_pagers(
                state,
                (&section.path, lang),
                pagination.as_ref(),
                &ctx,
                (&template, &render, &with_base),
            )
            .map_err(|d| while_rendering(d, &section.doc))?;
            if let Some(p) = &pagination {
                let url = site.config.permalink(&section.path);
                let title = site.title_of(DocId::Section(i));
                let html = aliases::redirect_page(site, env, set, &url, title)?;
                files.push((out_path(&p.first_redirect_path()), html.into_bytes()));
            }
            Ok(files)
        }
        Job::TaxonomyList(t) => {
            let tax = &state.taxonomies[t];
            let ctx = context! {
                taxonomy => taxonomy::kind_value(state, tax),
                terms => tax.terms.iter().map(|term| taxonomy::term_value(state, tax, term)).collect::<Vec<_>>(),
            };
            let Some(template) = taxonomy::template(set, &tax.name, "list") else {
                return Ok(Vec::new());
            };
            let html = render(&template, with_base(ctx, &tax.path, &tax.lang))?;
            Ok(vec![(out_path(&tax.path), html.into_bytes())])
        }
        Job::Term(t, i) => {
            let tax = &state.taxonomies[t];
            let term = &tax.terms[i];
            let Some(template) = taxonomy::template(set, &tax.name, "single") else {
                return Ok(Vec::new());
            };
            let pagination = taxonomy::term_pagination(site, tax, term);
            let ctx = |paginator: Option<Value>| {
                let (kind, term) = (
                    taxonomy::kind_value(state, tax),
                    taxonomy::term_value(state, tax, term),
                );
                if let Some(p) = paginator {
                    context! { taxonomy => kind, term => term, paginator => p }
                } else {
                    context! { taxonomy => kind, term => term }
                }
            };
            let mut files = taxonomy::render_pagers(
                state,
                (&term.path, &tax.lang),
                pagination.as_ref(),
                &ctx,
                (&template, &render, &with_base),
            )?;
            if let Some(p) = &pagination {
                let url = site.config.permalink(&term.path);
                let html = aliases::redirect_page(site, env, set, &url, &term.name)?;
                files.push((out_path(&p.first_redirect_path()), html.into_bytes()));
            }
            Ok(files)
        }
    }
}

/// A template error while rendering `doc` names it: the same template
/// serves every page, and the page decides which branch runs.
fn while_rendering(mut d: Diagnostic, doc: &Document) -> Diagnostic {
    let _ = write!(d.message, " (rendering {})", doc.file.display.display());
    d
}

/// The template for page `i`: its own, else the nearest section's
/// `page_template`, else `page.html`.
/// A template that neither `templates/` nor the theme has. Named by a
/// `template` key (or a section's `page_template`), it most often belongs
/// to the theme the site used before: the error points at the key.
fn missing_template(site: &Site, template: &str, doc: &Document) -> Diagnostic {
    let theme = site
        .config
        .theme
        .as_deref()
        .map_or(String::new(), |t| format!(" or the theme `{t}`"));
    let d = Diagnostic::error(
        "missing-template",
        format!("template `{template}` is not in templates/{theme}"),
    );
    let text = &*site.source(doc);
    let key = ["template", "page_template"].iter().find_map(|key| {
        let mut offset = 0;
        for line in text.lines().take(doc.body_line_offset) {
            let rest = line.trim_start();
            if let Some(after) = rest.strip_prefix(key)
                && after.trim_start().starts_with('=')
                && after.contains(&format!("\"{template}\""))
            {
                return Some(offset + line.len() - rest.len());
            }
            offset += line.len() + 1;
        }
        None
    });
    match key {
        Some(at) => {
            let (line, col) = crate::diagnostics::line_col(text, at);
            d.at(&doc.file.display, text, line, col).with_help(format!(
                "it may belong to your previous theme: copy it to templates/{template}, \
                 or remove the `template` key to use the default"
            ))
        }
        None if !doc.is_section && doc.fm.template.is_none() && template != "page.html" => {
            d.in_file(&doc.file.display).with_help(format!(
                "a section's `page_template = \"{template}\"` names it; it may belong to your \
                 previous theme: copy it to templates/{template}, or remove that key"
            ))
        }
        None => d.in_file(&doc.file.display).with_help(format!(
            "create templates/{template}, set `theme` in config.toml, or choose another `template`"
        )),
    }
}

fn page_template(site: &Site, i: usize) -> String {
    let page = &site.pages[i];
    if let Some(t) = &page.doc.fm.template {
        return t.clone();
    }
    let mut cur = Some(page.section);
    while let Some(s) = cur {
        if let Some(t) = &site.sections[s].doc.fm.page_template {
            return t.clone();
        }
        cur = site.sections[s].parent;
    }
    "page.html".into()
}
