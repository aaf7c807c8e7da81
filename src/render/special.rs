//! The pages a site gets besides its content: the not-found page of each
//! language, the print edition and the search page.

use std::sync::Arc;

use minijinja::{Environment, context};

use super::{RenderState, print};
use crate::diagnostics::Diagnostic;
use crate::output::Output;
use crate::site_paths::out_path;
use crate::templates::{TemplateSet, template_error};

/// The not-found page (`404.html`) of every language: the default
/// language's at `404.html`, the others' below their prefix
/// (`fr/404.html`), each rendered with its `lang` and `config` as that
/// language sees it. (Zola renders one, in the default language; a reader
/// who mistypes a French address is better answered in French.)
pub(super) fn not_found_pages(
    state: &Arc<RenderState>,
    output: &mut Output,
    env: &Environment<'_>,
    set: &TemplateSet,
) -> Vec<Diagnostic> {
    if !set.has("404.html") {
        return Vec::new();
    }
    let site = &state.site;
    let mut diags = Vec::new();
    for lang in site.config.language_codes() {
        let path = format!("{}/404.html", site.config.lang_prefix(lang));
        let ctx = context! {
            config => state.config_for(lang),
            lang => lang,
            current_url => site.config.permalink(&path),
            current_path => path.clone(),
            taxonomies => default_taxonomies(state),
        };
        match env.get_template("404.html").and_then(|t| t.render(ctx)) {
            Ok(html) => {
                let file = path.trim_start_matches('/').to_string();
                let bytes =
                    super::minify::files(site.config.minify_html, vec![(file, html.into_bytes())]);
                for (file, bytes) in bytes {
                    output.insert_bytes(file, bytes);
                }
            }
            Err(e) => diags.push(template_error(&e, set, &site.root)),
        }
    }
    diags
}

/// The print edition (`print.html`) of `lang`: its output path and bytes.
pub fn print_page(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    lang: &str,
) -> Result<(String, Vec<u8>), minijinja::Error> {
    let mut html = Vec::new();
    print_page_to(state, env, lang, &mut html)?;
    Ok((print_output_path(state, lang), html))
}

/// The output path of `lang`'s print edition (`print/index.html`).
pub fn print_output_path(state: &RenderState, lang: &str) -> String {
    out_path(&print_path(state, lang))
}

/// The URL path of `lang`'s print edition (`/print/`, `/fr/print/`).
pub(super) fn print_path(state: &RenderState, lang: &str) -> String {
    crate::site_paths::print_path(&state.site.config, lang)
}

/// The print edition of `lang` written into `w` as it is rendered: each
/// article's HTML is made when the template writes it and handed on at once.
pub fn print_page_to(
    state: &Arc<RenderState>,
    env: &Environment<'_>,
    lang: &str,
    w: &mut dyn std::io::Write,
) -> Result<(), minijinja::Error> {
    let path = print_path(state, lang);
    let ctx = context! {
        articles => print::articles(state, lang),
        config => state.config_for(lang),
        lang => lang,
        current_url => state.site.config.permalink(&path),
        current_path => path,
    };
    env.get_template("print.html")?
        .render_captured_to(ctx, w)
        .map(drop)
}

/// Where the search page goes.
pub const SEARCH_PAGE: &str = "search/index.html";

/// `lang`'s search page (`search/index.html`, `fr/search/index.html`), from
/// `search.html` with `lang` set, when `lang` has a search index, the
/// templates have one and no content page is there.
pub(super) fn search_page(
    state: &Arc<RenderState>,
    output: &mut Output,
    env: &Environment<'_>,
    set: &TemplateSet,
    lang: &str,
) -> Option<Diagnostic> {
    let site = &state.site;
    let path = format!("{}/search/", site.config.lang_prefix(lang));
    let file = format!("{}index.html", path.trim_start_matches('/'));
    // A content page or section at that address is the site's own search
    // page (its pages may already be on their way to disk, so they are
    // looked up in the site, not in `output`).
    let taken = output.files.contains_key(&file)
        || site.pages.iter().any(|p| p.path == path)
        || site.sections.iter().any(|s| s.path == path);
    if !site.config.search_of(lang) || !set.has("search.html") || taken {
        return None;
    }
    let ctx = minijinja::context! {
        config => state.config_for(lang),
        lang => lang,
        current_url => site.config.permalink(&path),
        current_path => path,
        taxonomies => default_taxonomies(state),
    };
    match env.get_template("search.html").and_then(|t| t.render(ctx)) {
        Ok(html) => {
            output.insert_bytes(file, html.into_bytes());
            None
        }
        Err(e) => Some(template_error(&e, set, &site.root)),
    }
}

/// The names of the default language's taxonomies.
fn default_taxonomies(state: &RenderState) -> Vec<String> {
    let lang = &state.site.config.default_language;
    state
        .taxonomies
        .iter()
        .filter(|t| &t.lang == lang)
        .map(|t| t.name.clone())
        .collect()
}

/// `robots.txt` from the template of that name (the site's, the theme's or
/// Zola's built-in one), unless `generate_robots_txt = false` or a static
/// file is there.
pub(super) fn robots_txt(
    state: &Arc<RenderState>,
    output: &mut Output,
    env: &Environment<'_>,
    set: &TemplateSet,
) -> Option<Diagnostic> {
    let config = &state.site.config;
    if !config.generate_robots_txt || output.files.contains_key("robots.txt") {
        return None;
    }
    let lang = config.default_language.as_str();
    let ctx = context! { config => state.config_for(lang), lang => lang };
    match env.get_template("robots.txt").and_then(|t| t.render(ctx)) {
        Ok(text) => {
            output.insert_bytes("robots.txt".into(), text.into_bytes());
            None
        }
        Err(e) => Some(template_error(&e, set, &state.site.root)),
    }
}
