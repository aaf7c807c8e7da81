//! The offline edition: the built site rewritten so it works from a folder or
//! a zip opened with `file://`, with no server and no network.
//!
//! Every internal URL in HTML (`href`, `src`, `srcset`, `action`, `poster`,
//! meta refresh, the content of `<noscript>` included) and CSS (`url(...)`)
//! becomes relative to the file holding it, with an explicit `index.html`.
//! Metadata that must name the public site
//! (`<link rel="canonical">`, feed links, `<meta>` content, JSON-LD) stays
//! absolute. [`check_links`] then proves every relative reference resolves to
//! a file of the output.
//!
//! Outside addresses (the site's [`outside_urls`]: references and full URLs
//! written in Markdown) stay as written even on the site's own host, unless
//! they name a file of the edition, which is then linked relatively.
//!
//! [`outside_urls`]: crate::site::Site::outside_urls

use std::cell::RefCell;
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::Arc;

use lol_html::{HtmlRewriter, RewriteStrSettings, Settings, element, rewrite_str};
use rayon::prelude::*;

use super::{Output, OutputFile};
use crate::diagnostics::Diagnostic;

mod scan;
mod stream;
mod streamed;
pub use stream::OfflineStream;

/// Attributes holding URLs.
const URL_ATTRS: &[&str] = &["href", "src", "action", "poster", "data-href"];

/// Rewrite `output` in place into the offline edition of a site whose
/// public address is `base_url`; `outside` are URLs written as outside
/// addresses, left as they are unless they name a file of the output. Each
/// file is replaced as soon as it is rewritten, so that (when nothing else
/// shares them) the public bytes are freed as they go rather than both
/// editions being held whole.
pub fn make_offline<S: BuildHasher + Sync>(
    output: &mut Output,
    base_url: &str,
    outside: &HashSet<String, S>,
) -> Result<(), Diagnostic> {
    // In order: a BTreeMap's keys are sorted.
    let keys: Vec<String> = output.files.keys().cloned().collect();
    let stays = |url: &str| {
        outside.contains(url)
            && site_key(url, base_url)
                .is_none_or(|(key, _)| keys.binary_search_by(|k| k.as_str().cmp(&key)).is_err())
    };
    output
        .files
        .par_iter_mut()
        .try_for_each(|(key, file)| -> Result<(), Diagnostic> {
            let kind = if key.ends_with(".html") {
                Kind::Html
            } else if key.ends_with(".css") {
                Kind::Css
            } else {
                return Ok(());
            };
            let out = {
                let read;
                let bytes: &[u8] = match &*file {
                    OutputFile::Bytes(b) => b.as_slice(),
                    OutputFile::Copy(p) => {
                        read = std::fs::read(p).map_err(|e| {
                            Diagnostic::error("io", format!("cannot read {}: {e}", p.display()))
                        })?;
                        &read
                    }
                };
                let text = String::from_utf8_lossy(bytes);
                match kind {
                    Kind::Html => rewrite_html(&text, key, base_url, &stays).map_err(|e| {
                        Diagnostic::error("offline", format!("cannot rewrite {key}: {e}"))
                    })?,
                    Kind::Css => rewrite_css(&text, key, base_url),
                }
            };
            *file = OutputFile::Bytes(Arc::new(out.into_bytes()));
            Ok(())
        })
}

enum Kind {
    Html,
    Css,
}

/// The folder of an output key (`a/b/index.html` -> `a/b/`).
fn dir_of(key: &str) -> &str {
    key.rfind('/').map_or("", |i| &key[..=i])
}

/// The output key `url` names and what follows its path (`?query#frag`),
/// when it points into the site (absolute under `base_url`, or
/// root-relative): `https://ex.org/a/#b` -> (`a/index.html`, `#b`).
fn site_key(url: &str, base_url: &str) -> Option<(String, String)> {
    let path = if let Some(rest) = url.strip_prefix(base_url) {
        if rest.is_empty() {
            "/"
        } else if rest.starts_with(['/', '?', '#']) {
            rest
        } else {
            return None; // a different host sharing a prefix
        }
    } else if url.starts_with('/') && !url.starts_with("//") {
        url
    } else {
        return None;
    };
    let split = path.find(['?', '#']).unwrap_or(path.len());
    let (path, suffix) = path.split_at(split);
    let path = if path.is_empty() { "/" } else { path };
    let mut target = path.trim_start_matches('/').to_string();
    let last = target.rsplit('/').next().unwrap_or("");
    if target.is_empty() || target.ends_with('/') {
        target.push_str("index.html");
    } else if !last.contains('.') {
        target.push_str("/index.html");
    }
    Some((target, suffix.to_string()))
}

/// `url` as a path relative to the file `from_key`, when it points into the
/// site (absolute under `base_url`, or root-relative); else unchanged.
pub fn relativize(url: &str, from_key: &str, base_url: &str) -> String {
    let Some((target, suffix)) = site_key(url, base_url) else {
        return with_index(url);
    };
    let rel = crate::url_path::relative_url(&format!("/{target}"), &format!("/{from_key}"));
    format!("{rel}{suffix}")
}

/// A relative link to a folder (`../a/`, `./#x`, `..`) with the folder's
/// `index.html` named, as a browser needs from `file://`; any other `url`
/// unchanged.
fn with_index(url: &str) -> String {
    let split = url.find(['?', '#']).unwrap_or(url.len());
    let (path, suffix) = url.split_at(split);
    if path.is_empty() || path.starts_with('/') || path.contains(':') {
        return url.to_string();
    }
    if path.ends_with('/') {
        format!("{path}index.html{suffix}")
    } else if path == "." || path == ".." || path.ends_with("/..") || path.ends_with("/.") {
        format!("{path}/index.html{suffix}")
    } else {
        url.to_string()
    }
}

/// A `<link rel="canonical">` or `rel="alternate"`: metadata whose
/// address stays absolute in the offline edition (and is not a reference
/// the edition must hold).
fn is_metadata_link(el: &lol_html::html_content::Element<'_, '_>) -> bool {
    is_metadata(&el.tag_name(), el.get_attribute("rel").as_deref())
}

/// [`is_metadata_link`] of a tag named `tag` (any case) with the `rel`
/// attribute `rel`.
fn is_metadata(tag: &str, rel: Option<&str>) -> bool {
    tag.eq_ignore_ascii_case("link")
        && rel.is_some_and(|r| {
            r.split_whitespace()
                .any(|t| t == "canonical" || t == "alternate")
        })
}

/// The `content` of a `<meta http-equiv>` with its address made `rel`,
/// when it is a refresh (`0; url=...`); else `None` (left as it is).
fn refresh_content(http_equiv: &str, content: &str, rel: scan::Rel<'_>) -> Option<String> {
    if !http_equiv.eq_ignore_ascii_case("refresh") {
        return None;
    }
    let (delay, url) = content.split_once("url=")?;
    Some(format!("{delay}url={}", rel(url.trim())))
}

/// The addresses of a `srcset` as the link check reads them.
fn srcset_urls(v: &str) -> impl Iterator<Item = &str> {
    v.split(',')
        .map(|part| part.split_whitespace().next().unwrap_or(""))
}

fn rewrite_html(
    html: &str,
    key: &str,
    base_url: &str,
    stays: &dyn Fn(&str) -> bool,
) -> Result<String, lol_html::errors::RewritingError> {
    rewrite_page(html, key, base_url, stays, None)
}

/// What the rewrite makes of the address `v` of the page `key`: relative,
/// unless it `stays` as written.
fn rel_in(v: &str, key: &str, base_url: &str, stays: &dyn Fn(&str) -> bool) -> String {
    if stays(v) {
        v.to_string()
    } else {
        relativize(v, key, base_url)
    }
}

/// A `srcset` with each of its addresses made `rel`.
fn rewrite_srcset(v: &str, rel: scan::Rel<'_>) -> String {
    let parts: Vec<String> = v
        .split(',')
        .map(|p| {
            let p = p.trim();
            let (u, d) = p.split_once(' ').unwrap_or((p, ""));
            format!("{} {d}", rel(u)).trim().to_string()
        })
        .collect();
    parts.join(", ")
}

/// [`rewrite_html`], and every reference the rewritten page makes (what
/// [`references`] finds in it), noted in the same pass.
fn rewrite_html_noting(
    html: &str,
    key: &str,
    base_url: &str,
    stays: &dyn Fn(&str) -> bool,
) -> Result<(String, Vec<Reference>), lol_html::errors::RewritingError> {
    let mut noted = Vec::new();
    let out = rewrite_page(html, key, base_url, stays, Some(&mut noted))?;
    Ok((out, noted))
}

/// A whole page rewritten (its references noted into `noted`): by the
/// fast path where it takes the page, else by `lol_html`.
fn rewrite_page(
    html: &str,
    key: &str,
    base_url: &str,
    stays: &dyn Fn(&str) -> bool,
    noted: Option<&mut Vec<Reference>>,
) -> Result<String, lol_html::errors::RewritingError> {
    let rel = |v: &str| rel_in(v, key, base_url, stays);
    let mut noted = noted;
    if let Some(out) = scan::rewrite(html, &rel, noted.as_deref_mut()) {
        return Ok(out);
    }
    let found = RefCell::new(Vec::new());
    let settings = rewrite_settings(key, base_url, stays, noted.is_some().then_some(&found));
    let out = rewrite_str(html, settings)?;
    if let Some(noted) = noted {
        noted.append(&mut found.into_inner());
    }
    Ok(out)
}

/// The offline rewrite of the page `html` (the file `key` of a site at
/// `base_url`, with no outside addresses) by each of its two paths: the
/// fast one (`None` where it leaves the page to `lol_html`) and `lol_html`'s,
/// each with the references it notes. For tests that compare them.
#[doc(hidden)]
pub fn rewrite_both(html: &str, key: &str, base_url: &str) -> (Option<Rewrite>, Rewrite) {
    (
        rewrite_fast(html, key, base_url),
        rewrite_lol_html(html, key, base_url),
    )
}

/// The fast path of [`rewrite_both`] alone (for the benchmark).
#[doc(hidden)]
pub fn rewrite_fast(html: &str, key: &str, base_url: &str) -> Option<Rewrite> {
    let stays = |_: &str| false;
    let rel = |v: &str| rel_in(v, key, base_url, &stays);
    let mut noted = Vec::new();
    scan::rewrite(html, &rel, Some(&mut noted)).map(|out| (out, noted))
}

/// The `lol_html` path of [`rewrite_both`] alone (for the benchmark).
#[doc(hidden)]
pub fn rewrite_lol_html(html: &str, key: &str, base_url: &str) -> Rewrite {
    let stays = |_: &str| false;
    let found = RefCell::new(Vec::new());
    let out = rewrite_str(html, rewrite_settings(key, base_url, &stays, Some(&found)))
        .unwrap_or_else(|e| format!("lol_html: {e}"));
    (out, found.into_inner())
}

/// A page rewritten, and the references it makes.
pub type Rewrite = (String, Vec<Reference>);

/// The rewriting [`rewrite_html`] does, as settings for a rewriter that
/// takes the page in pieces as well as whole; with `found`, every reference
/// of the rewritten page is noted there as well (see [`noting`]).
fn rewrite_settings<'h>(
    key: &'h str,
    base_url: &'h str,
    stays: &'h dyn Fn(&str) -> bool,
    found: Option<&'h RefCell<Vec<Reference>>>,
) -> RewriteStrSettings<'h, 'static> {
    let rel = move |v: &str| rel_in(v, key, base_url, stays);
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!(
            "[href], [src], [action], [poster], [data-href]",
            move |el| {
                if is_metadata_link(el) {
                    return Ok(());
                }
                for attr in URL_ATTRS {
                    if let Some(v) = el.get_attribute(attr) {
                        el.set_attribute(attr, &rel(&v))?;
                    }
                }
                Ok(())
            }
        ))
        .append_element_content_handler(element!("[srcset]", move |el| {
            if let Some(v) = el.get_attribute("srcset") {
                el.set_attribute("srcset", &rewrite_srcset(&v, &rel))?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("meta[http-equiv]", move |el| {
            if let (Some(equiv), Some(content)) =
                (el.get_attribute("http-equiv"), el.get_attribute("content"))
                && let Some(new) = refresh_content(&equiv, &content, &rel)
            {
                el.set_attribute("content", &new)?;
            }
            Ok(())
        }));
    let settings = settings.append_element_content_handler(noscript_text(rel, found));
    match found {
        Some(found) => settings.append_element_content_handler(noting(found, true)),
        None => settings,
    }
}

/// The handler rewriting the content of each `<noscript>` (raw text to
/// `lol_html`) as [`scan::noscript`] does, noting its references into
/// `found`.
fn noscript_text<'h>(
    rel: impl Fn(&str) -> String + 'h,
    found: Option<&'h RefCell<Vec<Reference>>>,
) -> (
    std::borrow::Cow<'static, lol_html::Selector>,
    lol_html::ElementContentHandlers<'h>,
) {
    let mut text = String::new();
    lol_html::text!("noscript", move |t| {
        text.push_str(t.as_str());
        if !t.last_in_text_node() {
            t.remove();
            return Ok(());
        }
        let mut noted = Vec::new();
        let inner = scan::noscript(&text, &rel, found.map(|_| &mut noted));
        if let Some(found) = found {
            found.borrow_mut().append(&mut noted);
        }
        t.replace(
            inner.as_deref().unwrap_or(&text),
            lol_html::html_content::ContentType::Html,
        );
        text.clear();
        Ok(())
    })
}

/// A rewriter that takes a page in pieces and hands its rewritten pieces
/// to `out`: what [`rewrite_html`] makes, never holding the page whole.
fn html_rewriter<'h, O: lol_html::OutputSink>(
    key: &'h str,
    base_url: &'h str,
    stays: &'h dyn Fn(&str) -> bool,
    found: Option<&'h RefCell<Vec<Reference>>>,
    out: O,
) -> HtmlRewriter<'h, O> {
    let settings: Settings<'h, 'static> = rewrite_settings(key, base_url, stays, found).into();
    HtmlRewriter::new(
        settings
            .with_adjust_charset_on_meta_tag(false)
            .with_encoding(lol_html::AsciiCompatibleEncoding::utf_8()),
        out,
    )
}

/// Rewrite `url(...)` references in a stylesheet.
fn rewrite_css(css: &str, key: &str, base_url: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("url(") {
        out.push_str(&rest[..i + 4]);
        let after = &rest[i + 4..];
        let end = after.find(')').unwrap_or(after.len());
        let raw = after[..end].trim();
        let quote = raw.chars().next().filter(|c| *c == '"' || *c == '\'');
        let inner = quote.map_or(raw, |q| raw.trim_matches(q));
        let new = relativize(inner, key, base_url);
        match quote {
            Some(q) => {
                out.push(q);
                out.push_str(&new);
                out.push(q);
            }
            None => out.push_str(&new),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every `href`/`src`/`srcset` in the HTML of `output` must resolve to a file
/// of the output, and no navigational link may point at the public site
/// except the outside addresses in `outside`.
pub fn check_links<S: BuildHasher + Sync>(
    output: &Output,
    base_url: &str,
    shown_dir: &str,
    outside: &HashSet<String, S>,
) -> Vec<Diagnostic> {
    let keys: Vec<&String> = output
        .files
        .keys()
        .filter(|k| k.ends_with(".html"))
        .collect();
    let results: Vec<Vec<Diagnostic>> = keys
        .par_iter()
        .map(|key| {
            let html = match &output.files[*key] {
                OutputFile::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                OutputFile::Copy(p) => std::fs::read_to_string(p).unwrap_or_default(),
            };
            let exists = |target: &str| output.files.contains_key(target);
            check_page(&exists, key, &html, base_url, shown_dir, outside)
        })
        .collect();
    results.into_iter().flatten().collect()
}

/// The broken references of one page: `exists` says whether an output key
/// is a file of the edition.
fn check_page<S: BuildHasher>(
    exists: &dyn Fn(&str) -> bool,
    key: &str,
    html: &str,
    base_url: &str,
    shown_dir: &str,
    outside: &HashSet<String, S>,
) -> Vec<Diagnostic> {
    judge(references(html), exists, key, base_url, shown_dir, outside)
}

/// Every reference `html` makes (see [`reference_reader`]).
fn references(html: &str) -> Vec<Reference> {
    let found: RefCell<Vec<Reference>> = RefCell::new(Vec::new());
    let mut reader = reference_reader(&found);
    let _ = reader.write(html.as_bytes()).and_then(|()| reader.end());
    found.into_inner()
}

/// A reference of a page: (tag, attribute, value).
pub type Reference = (String, String, String);

/// A reader of a page (taken whole or in pieces) noting every reference it
/// makes into `found`; its output is dropped as it comes (no copy of the
/// page is made).
fn reference_reader(found: &RefCell<Vec<Reference>>) -> HtmlRewriter<'_, impl FnMut(&[u8])> {
    HtmlRewriter::new(
        Settings::new()
            .append_element_content_handler(noting(found, false))
            .append_element_content_handler(noscript_text(str::to_string, Some(found))),
        |_: &[u8]| {},
    )
}

/// The handler noting each reference an element makes into `found`.
/// `rewritten`: it runs after the rewriting handlers of the same pass,
/// whose new values it reads as a reader of the written page would (they
/// are written with `"` as `&quot;`, which a reader gets as it is).
fn noting(
    found: &RefCell<Vec<Reference>>,
    rewritten: bool,
) -> (
    std::borrow::Cow<'static, lol_html::Selector>,
    lol_html::ElementContentHandlers<'_>,
) {
    let value = move |v: String| {
        if rewritten && v.contains('"') {
            v.replace('"', "&quot;")
        } else {
            v
        }
    };
    element!("[href], [src], [srcset]", move |el| {
        if is_metadata_link(el) {
            return Ok(());
        }
        let tag = el.tag_name();
        for attr in ["href", "src"] {
            if let Some(v) = el.get_attribute(attr) {
                found
                    .borrow_mut()
                    .push((tag.clone(), attr.to_string(), value(v)));
            }
        }
        if let Some(v) = el.get_attribute("srcset") {
            for u in srcset_urls(&value(v)) {
                found
                    .borrow_mut()
                    .push((tag.clone(), "srcset".into(), u.to_string()));
            }
        }
        Ok(())
    })
}

/// The broken references among those `found` in the page `key`.
fn judge<S: BuildHasher>(
    found: Vec<Reference>,
    exists: &dyn Fn(&str) -> bool,
    key: &str,
    base_url: &str,
    shown_dir: &str,
    outside: &HashSet<String, S>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let file = format!("{shown_dir}/{key}");
    for (tag, attr, value) in found {
        let problem = if outside.contains(&value) {
            None
        } else if value.starts_with(base_url) && !base_url.is_empty() {
            Some("points at the public site, not into the offline copy".to_string())
        } else {
            match resolve(key, &value) {
                Resolved::Skip => None,
                Resolved::File(target) if exists(&target) => None,
                Resolved::File(target) => {
                    Some(format!("points to `{target}`, which is not in the output"))
                }
            }
        };
        if let Some(p) = problem {
            out.push(
                Diagnostic::error("offline-broken-link", format!("<{tag} {attr}=\"{value}\"> {p}"))
                    .in_file(&file)
                    .with_help("link to pages with @/path.md and to files with get_url(), so fascia can make them relative"),
            );
        }
    }
    out
}

enum Resolved {
    Skip,
    File(String),
}

/// The output key a relative reference in `from_key` points to.
fn resolve(from_key: &str, value: &str) -> Resolved {
    let v = value.trim();
    if v.is_empty()
        || v.starts_with('#')
        || v.contains("://")
        || v.starts_with("//")
        || ["mailto:", "tel:", "data:", "javascript:", "blob:"]
            .iter()
            .any(|s| v.starts_with(s))
    {
        return Resolved::Skip;
    }
    let path = v.split(['?', '#']).next().unwrap_or("");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        dir_of(from_key)
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    };
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut key = parts.join("/");
    if path.ends_with('/') || key.is_empty() {
        key = if key.is_empty() {
            "index.html".into()
        } else {
            format!("{key}/index.html")
        };
    }
    Resolved::File(key)
}

/// The offline edition of a rendered site, with its manifest, checked:
/// every reference resolves to a file of the edition.
pub fn edition(
    output: &crate::output::Output,
    site: &crate::site::Site,
    dir: &std::path::Path,
) -> Result<crate::output::Output, Vec<crate::diagnostics::Diagnostic>> {
    edition_from(output.clone(), site, dir)
}

/// [`edition`] made from `output` itself: each page's public bytes are
/// freed as soon as its offline copy is made (when nothing else holds them).
pub fn edition_from(
    mut out: crate::output::Output,
    site: &crate::site::Site,
    dir: &std::path::Path,
) -> Result<crate::output::Output, Vec<crate::diagnostics::Diagnostic>> {
    let outside = site.outside_urls();
    make_offline(&mut out, &site.config.base_url, &outside).map_err(|d| vec![d])?;
    let errors = check_links(
        &out,
        &site.config.base_url,
        &dir.display().to_string(),
        &outside,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    let date = crate::output::archive::build_date(site);
    crate::output::archive::add_manifest(&mut out, date, site.pages.len() + site.sections.len())
        .map_err(|d| vec![d])?;
    Ok(out)
}

#[cfg(test)]
mod scan_tests;
#[cfg(test)]
mod tests;
