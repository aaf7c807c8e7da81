//! The template environment of a render: [`crate::templates::compile`]'s
//! templates and site-free filters, plus the Zola-compatible functions and
//! filters that read the site (`get_page`, `get_section`, `get_url`,
//! `get_taxonomy_url`, `load_data`, the `markdown` filter...).

use std::sync::Arc;

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind};

use super::RenderState;
use super::context::{PageObj, SectionObj};
use crate::diagnostics::Diagnostic;
use crate::templates::TemplateSet;

/// Compile every template into an environment whose functions see `state`.
pub fn environment(
    set: &TemplateSet,
    state: &Arc<RenderState>,
) -> Result<Environment<'static>, Vec<Diagnostic>> {
    let mut env = crate::templates::compile(set, &state.site.root)?;
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
        kwargs.assert_all_used()?;
        st.get_url(&path, trailing.unwrap_or(false), cachebust.unwrap_or(false))
            .map(Value::from)
    });
    let st = Arc::clone(state);
    env.add_function("get_page", move |kwargs: Kwargs| -> Result<Value, Error> {
        let path: String = kwargs.get("path")?;
        let _: Option<Value> = kwargs.get("metadata_only")?;
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
    let st = Arc::clone(state);
    env.add_function(
        "get_taxonomy",
        move |kwargs: Kwargs| -> Result<Value, Error> {
            let kind: String = kwargs.get("kind")?;
            st.taxonomy_value(&kind).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("get_taxonomy: no taxonomy `{kind}`"),
                )
            })
        },
    );
    let st = Arc::clone(state);
    env.add_function(
        "get_taxonomy_url",
        move |kwargs: Kwargs| -> Result<Value, Error> {
            let kind: String = kwargs.get("kind")?;
            let name: String = kwargs.get("name")?;
            if st.site.config.taxonomy(&kind).is_none() {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("get_taxonomy_url: no taxonomy `{kind}`"),
                ));
            }
            Ok(Value::from(
                st.site
                    .config
                    .permalink(&super::taxonomy::term_path(&kind, &name)),
            ))
        },
    );
    let st = Arc::clone(state);
    env.add_function("load_data", move |kwargs: Kwargs| -> Result<Value, Error> {
        let path: String = kwargs.get("path")?;
        let format: Option<String> = kwargs.get("format")?;
        let _: Option<Value> = kwargs.get("required")?;
        st.load_data(&path, format.as_deref())
    });
    let st = Arc::clone(state);
    env.add_function("get_glossary", move || -> Value { st.glossary_value() });
    let st = Arc::clone(state);
    env.add_function("get_bibliography", move || -> Value {
        st.bibliography_value()
    });
    env.add_function("now", move |kwargs: Kwargs| -> Result<Value, Error> {
        let utc: Option<bool> = kwargs.get("utc")?;
        let _ = utc;
        let now = jiff::Timestamp::now();
        Ok(Value::from(now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
    });
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
