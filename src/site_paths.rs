//! Every path the build will write, known before anything is rendered, and
//! the resolution of a link written as a plain URL (`/notes/a/`, `../b/`,
//! `chart.png`) against them.
//!
//! Input: the assembled [`Site`] and which templates exist. Output: a
//! [`SitePaths`] that `graph::link` uses to check [`LinkKind::Url`] links in
//! every `build`, `check` and `serve`, with the same rule a browser uses:
//! a root-relative URL starts at the site's root, a relative one at the
//! page's own URL (a page at `/notes/a/` is a folder: `../b/` is `/notes/b/`).
//!
//! Architecture invariant: every file the render stage emits is one
//! [`SitePaths::contains`] accepts (tested in `tests/errors.rs`), so a link
//! check never rejects a file the build writes.
//!
//! [`LinkKind::Url`]: crate::markdown::LinkKind::Url

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, closest};
use crate::site::{DocId, Site};

/// The URL path of the print edition.
pub const PRINT_PATH: &str = "/print/";

/// The URL path of `lang`'s print edition (`/print/`, `/fr/print/`).
pub fn print_path(cfg: &crate::config::Config, lang: &str) -> String {
    format!("{}{PRINT_PATH}", cfg.lang_prefix(lang))
}

/// `/a/b/` -> `a/b/index.html`.
pub fn out_path(url_path: &str) -> String {
    let p = url_path.trim_start_matches('/');
    format!("{p}index.html")
}

/// `/tags/deep-tissue/`
pub fn term_path(kind: &str, name: &str) -> String {
    use crate::markdown::slugify;
    format!("/{}/{}/", slugify(kind), slugify(name))
}

/// Output keys (`notes/a/index.html`, `atom.xml`) the build will write.
#[derive(Debug, Default)]
pub struct SitePaths {
    /// Pages, sections and pagination pages of a section, by output key,
    /// with the document they show.
    docs: HashMap<String, DocId>,
    /// Alias redirect pages, by output key, with the document they lead to.
    aliases: HashMap<String, DocId>,
    /// Generated files and content assets.
    files: HashSet<String>,
    /// Folders whose every file is generated (`search/`).
    generated_dirs: Vec<&'static str>,
}

/// Where a plain URL leads.
#[derive(Debug, PartialEq, Eq)]
pub enum UrlTarget {
    /// A page or section (or one of its pagination pages or aliases).
    Doc(DocId),
    /// Any other file of the output: static, asset, feed, taxonomy page...
    File,
}

impl SitePaths {
    /// The paths of `site`; `has_template` says which templates exist
    /// (the 404 page, the print edition and the search page need theirs).
    pub fn build(site: &Site, has_template: &dyn Fn(&str) -> bool) -> Self {
        let mut paths = Self::default();
        for id in site.doc_ids() {
            let doc = site.doc(id);
            if let DocId::Section(i) = id {
                let section = &site.sections[i];
                if doc.fm.render == Some(false) {
                    continue;
                }
                if let Some(per) = doc.fm.paginate_by.filter(|&n| n > 0) {
                    let pp = doc.fm.paginate_path.as_deref().unwrap_or("page");
                    let pager = |n: usize| match pp {
                        "" => format!("{}{n}/", section.path),
                        _ => format!("{}{pp}/{n}/", section.path),
                    };
                    for n in 1..=section.pages.len().div_ceil(per) {
                        paths.docs.insert(key_of(&pager(n)), id);
                    }
                }
            }
            paths.docs.insert(key_of(site.path_of(id)), id);
            for alias in &doc.fm.aliases {
                let clean = alias.trim_matches('/');
                let key = if clean.ends_with(".html") {
                    clean.to_string()
                } else {
                    format!("{clean}/index.html")
                };
                paths.aliases.entry(key).or_insert(id);
            }
        }
        let cfg = &site.config;
        for lang in cfg.language_codes() {
            let prefix = cfg.lang_prefix(lang);
            for t in cfg.taxonomies_of(lang) {
                let slug = crate::markdown::slugify(&t.name);
                let mut any_term = false;
                for (i, p) in site.pages.iter().enumerate() {
                    if site.lang_of(DocId::Page(i)) != lang {
                        continue;
                    }
                    for term in p.doc.fm.taxonomies.get(&t.name).into_iter().flatten() {
                        let path = format!("{prefix}{}", term_path(&t.name, term));
                        paths.files.insert(key_of(&path));
                        any_term = true;
                    }
                }
                // As in Zola, a taxonomy without terms has no page.
                if any_term {
                    paths.files.insert(key_of(&format!("{prefix}/{slug}/")));
                }
            }
            if cfg.feed_of(lang) {
                let feed = format!("{prefix}/{}", cfg.feed.filename);
                paths.files.insert(feed.trim_start_matches('/').to_string());
            }
            if has_template("print.html") && site.prints(lang) {
                paths.files.insert(key_of(&print_path(cfg, lang)));
            }
            if has_template("404.html") {
                let file = format!("{prefix}/404.html");
                paths.files.insert(file.trim_start_matches('/').to_string());
            }
        }
        if cfg.generate_sitemap {
            paths.files.insert("sitemap.xml".into());
        }
        if cfg.generate_robots_txt {
            paths.files.insert("robots.txt".into());
        }
        if cfg.search.enabled {
            paths.generated_dirs.push("search/");
        }
        for p in &site.pages {
            paths
                .files
                .extend(p.assets.iter().map(|(_, out)| out.clone()));
        }
        paths
            .files
            .extend(site.content_assets.iter().map(|(_, rel)| rel.clone()));
        paths
    }

    /// Whether the build writes `key` (static files are looked up on disk
    /// by [`resolve`], not here).
    pub fn contains(&self, key: &str) -> bool {
        self.rendered(key)
            || self.aliases.contains_key(key)
            || self.generated_dirs.iter().any(|d| key.starts_with(d))
    }

    /// Whether a page, section, pagination or taxonomy page, or a generated
    /// file or asset is written at `key` (aliases left out: they must not
    /// take the place of any of these).
    pub fn rendered(&self, key: &str) -> bool {
        self.docs.contains_key(key) || self.files.contains(key)
    }
}

/// `/a/b/` -> `a/b/index.html`.
fn key_of(url_path: &str) -> String {
    out_path(url_path)
}

/// A plain URL's path below the site root (`/notes/a/`), resolved from the
/// document at `from_path` (its URL path): `None` when it climbs above the
/// root.
pub fn site_path(url_path: &str, from_path: &str, base_path: &str) -> Option<String> {
    let (mut parts, rest): (Vec<&str>, &str) = if let Some(abs) = url_path.strip_prefix('/') {
        let abs = if base_path.is_empty() {
            abs
        } else {
            url_path
                .strip_prefix(base_path)
                .filter(|r| r.is_empty() || r.starts_with('/'))
                .map_or(abs, |r| r.trim_start_matches('/'))
        };
        (Vec::new(), abs)
    } else {
        let base = from_path.trim_matches('/');
        let parts = base.split('/').filter(|s| !s.is_empty()).collect();
        (parts, url_path)
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {}
            "" if i != last => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut path = format!("/{}", parts.join("/"));
    let folder =
        rest.is_empty() || rest.ends_with('/') || segments[last] == ".." || segments[last] == ".";
    if folder && !path.ends_with('/') {
        path.push('/');
    }
    Some(path.replace("//", "/"))
}

/// Resolve the plain URL `url` written in document `from`: the target and
/// the anchor it names, or an error naming the closest page.
pub fn resolve<'u>(
    site: &Site,
    from: DocId,
    url: &'u str,
) -> Result<(UrlTarget, Option<&'u str>), Diagnostic> {
    let (before_anchor, anchor) = match url.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (url, None),
    };
    let raw_path = before_anchor.split('?').next().unwrap_or("");
    if raw_path.is_empty() {
        return Ok((UrlTarget::Doc(from), anchor));
    }
    let decoded = percent_encoding::percent_decode_str(raw_path).decode_utf8_lossy();
    let base_path = base_path(&site.config.base_url);
    let Some(path) = site_path(&decoded, site.path_of(from), base_path) else {
        return Err(Diagnostic::error(
            "missing-page",
            format!("link `{url}` climbs above the site's root"),
        )
        .with_help("remove a `../`, or link pages with @/path.md"));
    };
    let paths = &site.graph.paths;
    let key = key_of_path(&path);
    let found = |key: &str| -> Option<UrlTarget> {
        if let Some(&id) = paths.docs.get(key).or_else(|| paths.aliases.get(key)) {
            return Some(UrlTarget::Doc(id));
        }
        (paths.contains(key) || is_static_file(site, key)).then_some(UrlTarget::File)
    };
    // `/notes/a` is served as `/notes/a/` (a redirect to the folder).
    let target = found(&key).or_else(|| {
        (!path.ends_with('/') && !key.ends_with(".html"))
            .then(|| found(&format!("{key}/index.html")))
            .flatten()
    });
    match target {
        Some(t) => Ok((t, anchor)),
        None => Err(missing(site, url, &path)),
    }
}

/// The output key of a site path: `/a/` -> `a/index.html`, `/a.png` -> `a.png`.
fn key_of_path(path: &str) -> String {
    if path.ends_with('/') {
        key_of(path)
    } else {
        path.trim_start_matches('/').to_string()
    }
}

/// The path part of `base_url` (`https://example.org/wiki` -> `/wiki`).
pub fn base_path(base_url: &str) -> &str {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    after_scheme
        .find('/')
        .map_or("", |i| after_scheme[i..].trim_end_matches('/'))
}

fn is_static_file(site: &Site, key: &str) -> bool {
    !key.split('/').any(|s| s == "..") && site.static_dirs.iter().any(|d| d.join(key).is_file())
}

fn missing(site: &Site, written: &str, path: &str) -> Diagnostic {
    let urls: Vec<&str> = site.doc_ids().map(|id| site.path_of(id)).collect();
    let hint = closest(path, urls.iter().copied()).and_then(|h| {
        let id = site.doc_ids().find(|&id| site.path_of(id) == h)?;
        Some(format!("did you mean `{h}` (@/{})?", site.doc(id).file.rel))
    });
    let shown = if written.trim_end_matches('/') == path.trim_end_matches('/') {
        String::new()
    } else {
        format!(" (it leads to {path})")
    };
    Diagnostic::error(
        "missing-page",
        format!("link to a page or file that does not exist: `{written}`{shown}"),
    )
    .with_help(hint.unwrap_or_else(|| {
        "a relative URL starts at the page's own URL (a page at /a/b/ links to /a/c/ as ../c/); link pages with @/path.md".to_string()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_follow_the_browser() {
        assert_eq!(site_path("/a/b/", "/x/", "").unwrap(), "/a/b/");
        assert_eq!(site_path("../b/", "/notes/a/", "").unwrap(), "/notes/b/");
        assert_eq!(
            site_path("red.png", "/notes/a/", "").unwrap(),
            "/notes/a/red.png"
        );
        assert_eq!(site_path("./", "/notes/a/", "").unwrap(), "/notes/a/");
        assert_eq!(site_path("..", "/notes/a/", "").unwrap(), "/notes/");
        assert_eq!(site_path("b", "/", "").unwrap(), "/b");
        assert_eq!(site_path("/wiki/a/", "/", "/wiki").unwrap(), "/a/");
        assert_eq!(site_path("/a/", "/", "/wiki").unwrap(), "/a/");
        assert_eq!(site_path("../../..", "/a/", ""), None);
    }

    #[test]
    fn base_path_of_base_url() {
        assert_eq!(base_path("https://example.org"), "");
        assert_eq!(base_path("https://example.org/"), "");
        assert_eq!(base_path("https://example.org/wiki/"), "/wiki");
    }
}
