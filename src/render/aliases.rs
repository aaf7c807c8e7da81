//! Alias redirect pages: each `aliases = ["/old/path/"]` becomes a small page
//! that redirects to the current URL (template `alias.html` when the site or
//! theme has one).

use minijinja::{Environment, context};

use crate::diagnostics::Diagnostic;
use crate::output::Output;
use crate::site::{DocId, Site};
use crate::templates::{TemplateSet, template_error};

/// Add a redirect page for every alias.
pub fn add(
    site: &Site,
    output: &mut Output,
    env: &Environment<'_>,
    set: &TemplateSet,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for id in site.doc_ids() {
        let doc = site.doc(id);
        for alias in &doc.fm.aliases {
            // The alias as written in the front matter, for the error's location.
            let at = doc.file.text.find(alias.as_str()).unwrap_or(0);
            let clean = crate::url_path::output_path(alias).unwrap_or_default();
            if clean.is_empty() {
                diags.push(
                    Diagnostic::error(
                        "invalid-alias",
                        format!("alias `{alias}` is not a path inside the site"),
                    )
                    .at_offset(&doc.file.display, &doc.file.text, at),
                );
                continue;
            }
            let path = if clean.ends_with(".html") {
                clean.clone()
            } else {
                format!("{clean}/index.html")
            };
            // Pages may already be on their way to disk: ask the site's paths too.
            if output.files.contains_key(&path) || site.graph.paths.rendered(&path) {
                diags.push(
                    Diagnostic::error(
                        "duplicate-output",
                        format!("alias `{alias}` would overwrite `{path}`"),
                    )
                    .at_offset(&doc.file.display, &doc.file.text, at)
                    .with_help("remove the alias or move the page it collides with"),
                );
                continue;
            }
            let url = site.permalink_of(id);
            let html = if set.has("alias.html") {
                match env.get_template("alias.html").and_then(|t| {
                    t.render(context! {
                        url => url.clone(),
                        title => site.title_of(id),
                        config => crate::render::ser(&site.config),
                    })
                }) {
                    Ok(h) => h,
                    Err(e) => {
                        diags.push(template_error(&e, set, &site.root));
                        continue;
                    }
                }
            } else {
                default_alias(&url, site.title_of(id))
            };
            output.insert_bytes(path, html.into_bytes());
        }
    }
    let _ = DocId::Page(0);
    diags
}

fn default_alias(url: &str, title: &str) -> String {
    let url = url.replace('"', "&quot;");
    let title = title.replace('<', "&lt;");
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Moved: {title}</title><link rel=\"canonical\" href=\"{url}\"><meta name=\"robots\" content=\"noindex\"><meta http-equiv=\"refresh\" content=\"0; url={url}\"></head><body><p>This page has moved to <a href=\"{url}\">{title}</a>.</p></body></html>\n"
    )
}
