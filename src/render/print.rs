//! The print edition: the whole site on one page, in reading order (home,
//! then each section followed by its pages, depth first), for a clean PDF
//! from the browser's print dialog. Rendered with the theme's `print.html`
//! when it has one, at `/print/`.
//!
//! Each article's ids are prefixed with the article's anchor so they stay
//! unique, and every link to a page in the edition becomes an in-page anchor.
//! A relative URL in an article (`![chart](chart.png)` beside its page,
//! `../other/`) is resolved against the article's own URL, since the edition
//! is served from `/print/`, not from the page's folder.

use std::collections::HashMap;
use std::sync::Arc;

use lol_html::{RewriteStrSettings, element, rewrite_str, text};
use minijinja::value::{Enumerator, Object, ObjectRepr, Value};

use super::RenderState;
use super::context::{PageObj, SectionObj};
use crate::site::{DocId, Site};

pub use crate::site_paths::PRINT_PATH as PATH;

/// The anchor of a document in the print edition (`/techniques/iastm/` -> `p-techniques-iastm`).
pub fn anchor(path: &str) -> String {
    let slug = crate::markdown::slugify(path.trim_matches('/'));
    if path.trim_matches('/').is_empty() {
        "p-home".into()
    } else {
        format!("p-{slug}")
    }
}

/// Documents in reading order: the home section, then each section and its
/// pages, depth first, in the sections' own order.
pub fn reading_order(site: &Site, lang: &str) -> Vec<DocId> {
    fn visit(site: &Site, s: usize, out: &mut Vec<DocId>) {
        let section = &site.sections[s];
        if section.doc.fm.render != Some(false) {
            out.push(DocId::Section(s));
        }
        // A transparent section's pages are listed in its parent too: each
        // is printed once, with its own section.
        out.extend(
            section
                .pages
                .iter()
                .filter(|&&p| site.pages[p].section == s)
                .map(|&p| DocId::Page(p)),
        );
        for &sub in &section.subsections {
            visit(site, sub, out);
        }
    }
    let mut out = Vec::new();
    let root = (0..site.sections.len())
        .find(|&s| site.sections[s].dir.is_empty() && site.lang_of(DocId::Section(s)) == lang);
    if let Some(root) = root {
        visit(site, root, &mut out);
    }
    out
}

/// An article's content, rewritten for the edition only when the template
/// writes it: the edition never holds every article's HTML at once (at
/// 10,000 pages that is 88 MB besides the page itself).
#[derive(Debug)]
struct Content {
    state: Arc<RenderState>,
    id: DocId,
    anchors: Arc<HashMap<String, String>>,
}

impl minijinja::value::Object for Content {
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let site = &self.state.site;
        let path = site.path_of(self.id);
        let prefix = anchor(path);
        let slot = site.slot(self.id);
        let at = ArticleAt {
            prefix: &prefix,
            path,
        };
        let rewrite = || {
            let html = self.state.content(slot).unwrap_or_default();
            rewrite_article(&html, &at, &site.config.base_url, &self.anchors)
        };
        let Some(memo) = &self.state.print_articles else {
            return f.write_str(&rewrite());
        };
        // The anchors and the base URL stay as they are for the state's
        // life (a change to either is a full rebuild, with a new state).
        let from = self.state.made_from(slot);
        let lock = || {
            memo.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let known = lock()
            .get(&slot)
            .filter(|(made, _)| made.same(&from))
            .map(|(_, text)| Arc::clone(text));
        let text = known.unwrap_or_else(|| {
            let text: Arc<str> = rewrite().into();
            lock().insert(slot, (from, Arc::clone(&text)));
            text
        });
        f.write_str(&text)
    }
}

/// Where one article is: its anchor (the prefix of its ids) and its URL path.
struct ArticleAt<'a> {
    prefix: &'a str,
    path: &'a str,
}

/// A root-relative or relative URL of an article resolved against the
/// article's URL path, as a full URL: `square.svg` in `/notes/b/` ->
/// `https://ex.org/notes/b/square.svg`. `None` for full URLs, `#anchors`
/// and other schemes.
fn absolute(url: &str, page_path: &str, base_url: &str) -> Option<String> {
    if url.is_empty()
        || url.starts_with('#')
        || url.starts_with("//")
        || crate::markdown::classify(url) == crate::markdown::LinkKind::External
    {
        return None;
    }
    let split = url.find(['?', '#']).unwrap_or(url.len());
    let (path, suffix) = url.split_at(split);
    let base_path = crate::site_paths::base_path(base_url);
    let resolved = crate::site_paths::site_path(path, page_path, base_path)?;
    Some(format!("{base_url}{resolved}{suffix}"))
}

/// Rewrite one article's HTML: prefix ids, resolve relative URLs against
/// the article's own URL, turn links into in-page anchors.
fn rewrite_article(
    html: &str,
    at: &ArticleAt<'_>,
    base_url: &str,
    anchors: &HashMap<String, String>,
) -> String {
    let prefix = at.prefix;
    let map_href = |href: &str| -> Option<String> {
        if let Some(frag) = href.strip_prefix('#') {
            return Some(format!("#{prefix}--{frag}"));
        }
        let full = absolute(href, at.path, base_url);
        let href = full.as_deref().unwrap_or(href);
        let Some(rest) = href.strip_prefix(base_url) else {
            return full;
        };
        let (path, frag) = rest
            .split_once('#')
            .map_or((rest, None), |(p, f)| (p, Some(f)));
        let path = if path.is_empty() { "/" } else { path };
        let Some(target) = anchors.get(path) else {
            return full;
        };
        Some(match frag {
            Some(f) if !f.is_empty() => format!("#{target}--{f}"),
            _ => format!("#{target}"),
        })
    };
    let ids = IdRewriter::new(prefix);
    let style_text = std::cell::RefCell::new(String::new());
    rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("*", |el| {
                let is_link = el.tag_name() == "a";
                let attrs: Vec<(String, String)> = el
                    .attributes()
                    .iter()
                    .map(|a| (a.name(), a.value()))
                    .collect();
                for (name, value) in attrs {
                    let new = ids.attribute(&name, &value, is_link);
                    if let Some(new) = new.filter(|n| *n != value) {
                        el.set_attribute(&name, &new)?;
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(text!("style", |t| {
                let mut buf = style_text.borrow_mut();
                buf.push_str(t.as_str());
                if t.last_in_text_node() {
                    let css = super::style_ids::rename_selector_ids(&buf, &|id| ids.reference(id));
                    let css = ids.urls(&css).into_owned();
                    t.replace(&css, lol_html::html_content::ContentType::Html);
                    buf.clear();
                } else {
                    t.remove();
                }
                Ok(())
            }))
            .append_element_content_handler(element!("a[href]", |el| {
                if let Some(new) = el.get_attribute("href").as_deref().and_then(map_href) {
                    el.set_attribute("href", &new)?;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("[src]", |el| {
                let src = el.get_attribute("src").unwrap_or_default();
                if let Some(new) = absolute(&src, at.path, base_url) {
                    el.set_attribute("src", &new)?;
                }
                Ok(())
            })),
    )
    .unwrap_or_else(|_| html.to_string())
}

/// Attributes whose value is a list of ids: ARIA relations, a label's
/// `for`, a cell's `headers`, an input's `list` and `form`, popovers.
const ID_LIST_ATTRIBUTES: &[&str] = &[
    "aria-labelledby",
    "aria-describedby",
    "aria-controls",
    "aria-owns",
    "aria-flowto",
    "aria-details",
    "aria-errormessage",
    "aria-activedescendant",
    "for",
    "headers",
    "list",
    "form",
    "popovertarget",
    "commandfor",
];

/// Renames the ids of one article (`x` -> `PREFIX--x`; a second `x` in the
/// same article -> `PREFIX--x-2`) and every reference to them: id lists,
/// `href="#x"` and `xlink:href="#x"` (SVG `<use>`, `<textPath>`...), and
/// `url(#x)` in attributes and styles (gradients, clip paths, markers).
struct IdRewriter<'a> {
    prefix: &'a str,
    seen: std::cell::RefCell<HashMap<String, usize>>,
}

impl<'a> IdRewriter<'a> {
    fn new(prefix: &'a str) -> Self {
        Self {
            prefix,
            seen: std::cell::RefCell::default(),
        }
    }

    fn reference(&self, id: &str) -> String {
        format!("{}--{id}", self.prefix)
    }

    /// The new value of attribute `name`, if it refers to ids. Links of
    /// `<a href>` are left to the link rewriter (`is_link`).
    fn attribute(&self, name: &str, value: &str, is_link: bool) -> Option<String> {
        if name == "id" {
            let id = self.reference(value);
            let mut seen = self.seen.borrow_mut();
            let n = seen.entry(id.clone()).or_insert(0);
            *n += 1;
            return Some(if *n == 1 { id } else { format!("{id}-{n}") });
        }
        if ID_LIST_ATTRIBUTES.contains(&name) {
            let ids: Vec<String> = value
                .split_whitespace()
                .map(|id| self.reference(id))
                .collect();
            return Some(ids.join(" "));
        }
        if (name == "xlink:href" || (name == "href" && !is_link))
            && let Some(frag) = value.strip_prefix('#')
        {
            return Some(format!("#{}", self.reference(frag)));
        }
        match self.urls(value) {
            std::borrow::Cow::Owned(v) => Some(v),
            std::borrow::Cow::Borrowed(_) => None,
        }
    }

    /// `css` with every `url(#x)` (quoted or not) pointing at the renamed id.
    fn urls<'s>(&self, css: &'s str) -> std::borrow::Cow<'s, str> {
        if !css.contains("url(") {
            return std::borrow::Cow::Borrowed(css);
        }
        let mut out = String::with_capacity(css.len() + 32);
        let mut rest = css;
        let mut changed = false;
        while let Some(at) = rest.find("url(") {
            let (head, tail) = rest.split_at(at + 4);
            out.push_str(head);
            let inner = tail.trim_start();
            let quote = inner.chars().next().filter(|c| *c == '"' || *c == '\'');
            let body = quote.map_or(inner, |q| &inner[q.len_utf8()..]);
            if let Some(frag) = body.strip_prefix('#') {
                let end = frag
                    .find(|c: char| c == ')' || Some(c) == quote || c.is_whitespace())
                    .unwrap_or(frag.len());
                out.push_str(&tail[..tail.len() - inner.len()]);
                if let Some(q) = quote {
                    out.push(q);
                }
                out.push('#');
                out.push_str(&self.reference(&frag[..end]));
                rest = &frag[end..];
                changed = true;
            } else {
                rest = tail;
            }
        }
        out.push_str(rest);
        if changed {
            std::borrow::Cow::Owned(out)
        } else {
            std::borrow::Cow::Borrowed(css)
        }
    }
}

/// The template value of every article, in reading order: a sequence
/// whose articles are made when the template reads them, and each field of
/// an article when it is asked for (the edition never holds every
/// article's values at once: at 100,000 pages they were 250 MB).
pub fn articles(state: &Arc<RenderState>, lang: &str) -> Value {
    let site = &state.site;
    let order = reading_order(site, lang);
    let anchors: Arc<HashMap<String, String>> = Arc::new(
        order
            .iter()
            .map(|&id| (site.path_of(id).to_string(), anchor(site.path_of(id))))
            .collect(),
    );
    Value::from_object(Articles {
        state: Arc::clone(state),
        order,
        anchors,
    })
}

/// The articles of the edition, as a sequence made on demand.
#[derive(Debug)]
struct Articles {
    state: Arc<RenderState>,
    order: Vec<DocId>,
    anchors: Arc<HashMap<String, String>>,
}

impl Object for Articles {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let id = *self.order.get(key.as_usize()?)?;
        Some(Value::from_object(Article {
            list: Arc::clone(self),
            id,
        }))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.order.len())
    }
}

/// One article of the print edition: its fields are made when read (its
/// content is a [`Content`], rendered when written).
#[derive(Debug)]
struct Article {
    list: Arc<Articles>,
    id: DocId,
}

const ARTICLE_FIELDS: &[&str] = &[
    "anchor",
    "kind",
    "depth",
    "title",
    "template",
    "references_prefix",
    "figures",
    "doc",
    "content",
];

impl Object for Article {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let state = &self.list.state;
        let site = &state.site;
        let id = self.id;
        let path = site.path_of(id);
        Some(match key.as_str()? {
            "anchor" => Value::from(anchor(path)),
            "kind" => Value::from(if matches!(id, DocId::Page(_)) {
                "page"
            } else {
                "section"
            }),
            "depth" => Value::from(
                path.trim_matches('/')
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .count(),
            ),
            "title" => Value::from(site.title_of(id)),
            "template" => super::ser(&site.doc(id).fm.template),
            "references_prefix" => Value::from(format!("{}--", anchor(path))),
            "figures" => {
                // Every id of the article is prefixed (see `rewrite_article`).
                let prefix = anchor(path);
                // Finishing a body (its links filled in) costs far more
                // than looking for a figure in it unfinished: most have
                // none, and filling links in makes none.
                if !state.may_have_figures(site.slot(id)) {
                    return Some(Value::from(Vec::<Value>::new()));
                }
                let html = state.content(site.slot(id)).unwrap_or_default();
                let mut figures = crate::images::html::figure_list(&html);
                for f in &mut figures {
                    f.id = format!("{prefix}--{}", f.id);
                }
                super::ser(&figures)
            }
            "doc" => match id {
                DocId::Page(i) => PageObj::value(state, i),
                DocId::Section(i) => SectionObj::value(state, i),
            },
            "content" => Value::from_object(Content {
                state: Arc::clone(state),
                id,
                anchors: Arc::clone(&self.list.anchors),
            }),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(ARTICLE_FIELDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_and_links() {
        assert_eq!(anchor("/"), "p-home");
        assert_eq!(anchor("/techniques/iastm/"), "p-techniques-iastm");
        let mut anchors = HashMap::new();
        anchors.insert("/b/".to_string(), "p-b".to_string());
        let html = r##"<h2 id="evidence">E</h2><a href="#evidence">here</a> <a href="https://x.org/b/#safety">b</a> <a href="https://x.org/c/">c</a> <a href="https://y.org/">y</a> <img src="chart.png" alt="c"> <a href="../b/#risks">rel</a> <a href="/c/">root</a>"##;
        let at = ArticleAt {
            prefix: "p-a",
            path: "/a/",
        };
        let out = rewrite_article(html, &at, "https://x.org", &anchors);
        assert!(
            out.contains(r#"<img src="https://x.org/a/chart.png" alt="c">"#),
            "a page's own image resolves against the page's URL: {out}"
        );
        assert!(out.contains(r##"<a href="#p-b--risks">rel</a>"##), "{out}");
        assert!(
            out.contains(r#"<a href="https://x.org/c/">root</a>"#),
            "{out}"
        );
        assert!(out.contains(r#"<h2 id="p-a--evidence">"#));
        assert!(out.contains(r##"<a href="#p-a--evidence">here</a>"##));
        assert!(out.contains(r##"<a href="#p-b--safety">b</a>"##));
        assert!(
            out.contains(r#"<a href="https://x.org/c/">c</a>"#),
            "pages outside the edition keep their URL"
        );
        assert!(out.contains(r#"<a href="https://y.org/">y</a>"#));
    }

    #[test]
    fn svg_references_follow_their_renamed_ids() {
        let html = r##"<svg><defs><path id="outline" d="M0 0"/><linearGradient id="g"/><clipPath id="c"/></defs><use href="#outline" transform="translate(1 0)"/><use xlink:href="#outline"/><rect fill="url(#g)" clip-path="url('#c')" style="stroke: url( #g )"/><style>.a { fill: url(#g); } #outline:hover, li:not(#c) { color: #fff }</style></svg><p id="outline">again</p><td headers="h1 h2"></td><label for="q"></label>"##;
        let at = ArticleAt {
            prefix: "p-a",
            path: "/a/",
        };
        let out = rewrite_article(html, &at, "https://x.org", &HashMap::new());
        for want in [
            r#"<path id="p-a--outline""#,
            r##"<use href="#p-a--outline" transform"##,
            r##"<use xlink:href="#p-a--outline" />"##,
            r#"fill="url(#p-a--g)""#,
            r#"clip-path="url('#p-a--c')""#,
            ".a { fill: url(#p-a--g); } #p-a--outline:hover, li:not(#p-a--c) { color: #fff }",
            r#"<p id="p-a--outline-2">"#,
            r#"headers="p-a--h1 p-a--h2""#,
            r#"for="p-a--q""#,
        ] {
            assert!(out.contains(want), "{want} missing from {out}");
        }
        assert!(out.contains(r#"style="stroke: url( #p-a--g )""#), "{out}");
        assert!(!out.contains("url(#g)"), "{out}");
    }
}
