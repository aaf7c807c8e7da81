//! Alias redirect pages: each `aliases = ["/old/path/"]` becomes a small page
//! that redirects to the current URL (template `alias.html` when the site or
//! theme has one). A section's `redirect_to` (Zola) makes the section's own
//! page such a redirect.

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
            let text = site.source(doc);
            let at = text.find(alias.as_str()).unwrap_or(0);
            let clean = crate::url_path::output_path(alias).unwrap_or_default();
            if clean.is_empty() {
                diags.push(
                    Diagnostic::error(
                        "invalid-alias",
                        format!("alias `{alias}` is not a path inside the site"),
                    )
                    .at_offset(&doc.file.display, &text, at),
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
                    .at_offset(&doc.file.display, &text, at)
                    .with_help("remove the alias or move the page it collides with"),
                );
                continue;
            }
            let url = site.permalink_of(id);
            let html = match redirect_page(site, env, set, &url, site.title_of(id)) {
                Ok(h) => h,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            output.insert_bytes(path, html.into_bytes());
        }
    }
    diags.extend(section_redirects(site, output, env, set));
    diags
}

/// Replace the page of each section with `redirect_to` by a redirect.
fn section_redirects(
    site: &Site,
    output: &mut Output,
    env: &Environment<'_>,
    set: &TemplateSet,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (i, section) in site.sections.iter().enumerate() {
        let Some(target) = section.doc.fm.redirect_to.as_deref() else {
            continue;
        };
        let (url, local) = redirect_url(&site.config, target);
        if let Some(local) = local
            && !builds(site, output, &local)
        {
            diags.push(
                Diagnostic::warning(
                    "redirect-target-missing",
                    format!(
                        "`redirect_to = \"{target}\"` points at a page this site does not build"
                    ),
                )
                .in_file(&section.doc.file.display)
                .with_help("write the target's URL path below the site root, e.g. \"docs/intro/\""),
            );
        }
        let title = site.title_of(DocId::Section(i));
        let html = match redirect_page(site, env, set, &url, title) {
            Ok(h) => h,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let path = crate::site_paths::out_path(&section.path);
        output.files.insert(
            path,
            crate::output::OutputFile::Bytes(crate::output::shared(html.into_bytes())),
        );
    }
    diags
}

/// Whether the output key `local` is a page, a section or a file of the build.
fn builds(site: &Site, output: &Output, local: &str) -> bool {
    let out = crate::site_paths::out_path;
    output.files.contains_key(local)
        || site.pages.iter().any(|p| out(&p.path) == local)
        || site.sections.iter().any(|s| out(&s.path) == local)
}

/// The URL a `redirect_to` names, and the output file it should find when it
/// is a path of this site. A full URL is kept; anything else is a path below
/// the site root (`docs/intro` -> `{base_url}/docs/intro/`), as in Zola.
fn redirect_url(config: &crate::config::Config, target: &str) -> (String, Option<String>) {
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || target.starts_with("//") {
        return (target.to_string(), None);
    }
    let mut path = format!("/{}", target.trim_start_matches('/'));
    let cut = path.find(['#', '?']).unwrap_or(path.len());
    let last = path[..cut].rsplit('/').next().unwrap_or("");
    if !path[..cut].ends_with('/') && !last.contains('.') {
        path.insert(cut, '/');
    }
    let file_path = &path[..path.find(['#', '?']).unwrap_or(path.len())];
    let local = if file_path.ends_with('/') {
        crate::site_paths::out_path(file_path)
    } else {
        file_path.trim_start_matches('/').to_string()
    };
    (config.permalink(&path), Some(local))
}

/// A page that sends readers to `url`: the site's or theme's `alias.html`,
/// else one with the text of Zola's (no script: a meta refresh).
pub(super) fn redirect_page(
    site: &Site,
    env: &Environment<'_>,
    set: &TemplateSet,
    url: &str,
    title: &str,
) -> Result<String, Diagnostic> {
    if !set.has("alias.html") {
        return Ok(default_alias(url, title));
    }
    env.get_template("alias.html")
        .and_then(|t| {
            t.render(context! {
                url => url,
                title => title,
                config => crate::render::ser(&site.config),
            })
        })
        .map_err(|e| template_error(&e, set, &site.root))
}

fn default_alias(url: &str, _title: &str) -> String {
    let url = url.replace('"', "&quot;");
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Redirect</title><link rel=\"canonical\" href=\"{url}\"><meta name=\"robots\" content=\"noindex\"><meta http-equiv=\"refresh\" content=\"0; url={url}\"></head><body><p><a href=\"{url}\">Click here</a> to be redirected.</p></body></html>\n"
    )
}
