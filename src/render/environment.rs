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

// A file of its own beside this one (`render/zola_functions.rs`), kept a
// child of the environment that registers it.
#[path = "zola_functions.rs"]
mod zola_functions;
// `get_fact_matrix`, `get_fact_strips`: the `ratings` facts.
#[path = "fact_functions.rs"]
mod fact_functions;

/// The environment whose functions see `state`, from templates compiled
/// before (by [`crate::templates::compile`]): a clone shares the compiled templates,
/// so `serve` compiles them once per full build, not on every edit (a
/// tenth of an incremental rebuild of the encyclopedia).
pub fn environment_from(
    compiled: &Environment<'static>,
    state: &Arc<RenderState>,
) -> Environment<'static> {
    let mut env = compiled.clone();
    // Zola gives every template the language being rendered: each render's
    // context sets `lang`; this is what templates rendered without one see.
    env.add_global("lang", state.site.config.default_language.clone());
    register_functions(&mut env, state);
    register_site_filters(&mut env, state);
    env
}

fn register_functions(env: &mut Environment<'static>, state: &Arc<RenderState>) {
    let st = Arc::clone(state);
    env.add_function("get_url", move |kwargs: Kwargs| -> Result<Value, Error> {
        let path: String = kwargs.get("path")?;
        let trailing: Option<bool> = kwargs.get("trailing_slash")?;
        let cachebust: Option<bool> = kwargs.get("cachebust")?;
        let lang: Option<String> = kwargs.get("lang")?;
        // Zola reads the arguments it knows and ignores others (themes
        // carry typos such as `trailingslash=false`), so does fascia.
        for key in kwargs.args() {
            let _: Value = kwargs.get(key)?;
        }
        st.get_url_in(
            &path,
            trailing.unwrap_or(false),
            cachebust.unwrap_or(false),
            lang.as_deref(),
        )
        .map(Value::from)
    });
    let st = Arc::clone(state);
    env.add_function("get_page", move |kwargs: Kwargs| -> Result<Value, Error> {
        let path: String = kwargs.get("path")?;
        let _: Option<Value> = kwargs.get("metadata_only")?;
        let lang: Option<String> = kwargs.get("lang")?;
        let rel = path.trim_start_matches("@/");
        match in_lang(&st, st.site.by_rel(rel), lang.as_deref()) {
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
            let rel = path.trim_start_matches("@/");
            match in_lang(&st, st.site.by_rel(rel), lang.as_deref()) {
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
    env.add_function("get_glossary", move |state: &minijinja::State| -> Value {
        let lang = state.lookup("lang");
        let lang = lang
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or(&st.site.config.default_language);
        st.glossary_value(lang)
    });
    let st = Arc::clone(state);
    env.add_function(
        "get_language",
        move |kwargs: Kwargs| -> Result<Value, Error> {
            let code: String = kwargs.get("code")?;
            kwargs.assert_all_used()?;
            language_value(&st, &code)
        },
    );
    let st = Arc::clone(state);
    env.add_function("get_language_list", move || -> Value {
        let codes: Vec<String> = st
            .site
            .config
            .language_codes()
            .map(str::to_string)
            .collect();
        Value::from(
            codes
                .iter()
                .filter_map(|c| language_value(&st, c).ok())
                .collect::<Vec<_>>(),
        )
    });
    let st = Arc::clone(state);
    env.add_function("plural", move |kwargs: Kwargs| -> Result<Value, Error> {
        let n: f64 = kwargs.get("n")?;
        let lang: Option<String> = kwargs.get("lang")?;
        kwargs.assert_all_used()?;
        let lang = lang.unwrap_or_else(|| st.site.config.default_language.clone());
        Ok(Value::from(super::plural::category(n, &lang)))
    });
    let st = Arc::clone(state);
    env.add_function("get_bibliography", move || -> Value {
        st.bibliography_value()
    });
}

/// `get_language(code=)` (fascia): a language of the site as a theme needs
/// it: its code, its own name, its writing direction (`ltr`/`rtl`), its
/// Open Graph locale, whether it is the default, its home page, and its
/// print edition's address (`print`: none when the language has more pages
/// than `[print] max_pages`).
fn language_value(st: &RenderState, code: &str) -> Result<Value, Error> {
    let config = &st.site.config;
    let Some(lang) = config.language(code) else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "get_language: `{code}` is not a language of the site (config.toml names {})",
                config.language_codes().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let name = crate::config::languages::native_name(code);
    Ok(minijinja::context! {
        code => code,
        name => if name.is_empty() { code } else { name },
        dir => if config.rtl(code) { "rtl" } else { "ltr" },
        locale => config.og_locale(code),
        default => code == config.default_language,
        title => lang.title.clone().unwrap_or_else(|| config.title.clone()),
        home => config.permalink(&format!("{}/", config.lang_prefix(code))),
        print => st.print_languages().iter().any(|l| l == code)
            .then(|| config.permalink(&super::special::print_path(st, code))),
    })
}

/// `id` in `lang` (Zola's `get_page(path=, lang=)`): its translation, or
/// itself where it has none.
fn in_lang(
    st: &RenderState,
    id: Option<crate::site::DocId>,
    lang: Option<&str>,
) -> Option<crate::site::DocId> {
    let id = id?;
    Some(lang.and_then(|l| st.site.in_language(id, l)).unwrap_or(id))
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
