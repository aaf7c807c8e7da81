//! The template environment of a render: [`crate::templates::compile`]'s
//! templates and site-free filters, plus the Zola-compatible functions and
//! filters that read the site (`get_page`, `get_section`, `get_url`,
//! `get_taxonomy_url`, `get_taxonomy_term`, `get_hash`, `load_data`, the
//! `markdown` filter...), and clear errors for Zola's functions fascia does
//! not have yet (`trans`, `get_url(lang=)` for another language).

use std::sync::Arc;

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind};

use super::RenderState;
use super::context::{PageObj, SectionObj};
use crate::diagnostics::Diagnostic;
use crate::templates::TemplateSet;

// A file of its own beside this one (`render/zola_functions.rs`), kept a
// child of the environment that registers it.
#[path = "zola_functions.rs"]
mod zola_functions;
// `get_fact_matrix`, `get_fact_strips`: the `ratings` facts.
#[path = "fact_functions.rs"]
mod fact_functions;

/// Compile every template into an environment whose functions see `state`.
pub fn environment(
    set: &TemplateSet,
    state: &Arc<RenderState>,
) -> Result<Environment<'static>, Vec<Diagnostic>> {
    let mut env = crate::templates::compile(set, &state.site.root)?;
    // Zola gives every template the language being rendered; fascia builds one.
    env.add_global("lang", state.site.config.default_language.clone());
    register_functions(&mut env, state);
    register_site_filters(&mut env, state);
    Ok(env)
}

fn register_functions(env: &mut Environment<'static>, state: &Arc<RenderState>) {
    let st = Arc::clone(state);
    env.add_function("get_url", move |kwargs: Kwargs| -> Result<Value, Error> {
        let path: String = kwargs.get("path")?;
        let trailing: Option<bool> = kwargs.get("trailing_slash")?;
        let cachebust: Option<bool> = kwargs.get("cachebust")?;
        let lang: Option<String> = kwargs.get("lang")?;
        kwargs.assert_all_used()?;
        other_language("get_url", lang.as_deref(), &st)?;
        st.get_url(&path, trailing.unwrap_or(false), cachebust.unwrap_or(false))
            .map(Value::from)
    });
    let st = Arc::clone(state);
    env.add_function("get_page", move |kwargs: Kwargs| -> Result<Value, Error> {
        let path: String = kwargs.get("path")?;
        let _: Option<Value> = kwargs.get("metadata_only")?;
        let lang: Option<String> = kwargs.get("lang")?;
        other_language("get_page", lang.as_deref(), &st)?;
        let rel = path.trim_start_matches("@/");
        match st.site.by_rel(rel) {
            Some(crate::site::DocId::Page(i)) => Ok(PageObj::value(&st, i)),
            _ => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("get_page: no page at `{path}`"),
            )),
        }
    });
    let st = Arc::clone(state);
    env.add_function(
        "get_section",
        move |kwargs: Kwargs| -> Result<Value, Error> {
            let path: String = kwargs.get("path")?;
            let _: Option<Value> = kwargs.get("metadata_only")?;
            let lang: Option<String> = kwargs.get("lang")?;
            other_language("get_section", lang.as_deref(), &st)?;
            let rel = path.trim_start_matches("@/");
            match st.site.by_rel(rel) {
                Some(crate::site::DocId::Section(i)) => Ok(SectionObj::value(&st, i)),
                _ => Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("get_section: no section at `{path}`"),
                )),
            }
        },
    );
    zola_functions::register(env, state);
    fact_functions::register(env, state);
    let st = Arc::clone(state);
    env.add_function("get_glossary", move || -> Value { st.glossary_value() });
    let st = Arc::clone(state);
    env.add_function("get_bibliography", move || -> Value {
        st.bibliography_value()
    });
}

/// `lang=` naming a language other than the default: fascia builds one
/// language, so that is an error saying so.
pub(super) fn other_language(
    what: &str,
    lang: Option<&str>,
    st: &RenderState,
) -> Result<(), Error> {
    match lang {
        Some(l) if l != st.site.config.default_language => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{what}(lang=\"{l}\"): fascia builds one language (`{}`); multilingual sites are not built yet",
                st.site.config.default_language
            ),
        )),
        _ => Ok(()),
    }
}

fn register_site_filters(env: &mut Environment<'static>, state: &Arc<RenderState>) {
    let st = Arc::clone(state);
    env.add_filter(
        "markdown",
        move |text: String, kwargs: Kwargs| -> Result<Value, Error> {
            let inline: Option<bool> = kwargs.get("inline")?;
            kwargs.assert_all_used()?;
            let opts = crate::markdown::comrak_options(&st.site.config.markdown);
            let mut html = resolve_content_links(&comrak::markdown_to_html(&text, &opts), &st)?;
            if inline.unwrap_or(false) {
                html = html
                    .trim()
                    .trim_start_matches("<p>")
                    .trim_end_matches("</p>")
                    .to_string();
            }
            Ok(Value::from_safe_string(html))
        },
    );
}

/// `href="@/path.md#anchor"` in HTML made by the `markdown` filter (shortcode
/// bodies) becomes the page's URL; a missing page is a template error.
fn resolve_content_links(html: &str, st: &RenderState) -> Result<String, Error> {
    let needle = "href=\"@/";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(needle) {
        out.push_str(&rest[..i + "href=\"".len()]);
        let after = &rest[i + "href=\"".len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push_str(&st.get_url(&after[..end], false, false)?);
        rest = &after[end..];
    }
    out.push_str(rest);
    Ok(out)
}
