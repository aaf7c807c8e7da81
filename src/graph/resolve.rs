//! Resolving one link of a document: `@/` paths, relative URLs, wikilinks
//! (Obsidian's name matching), anchors by id or heading text, and the
//! same-language version of a target (see [`super::link`]).

use crate::diagnostics::{Diagnostic, closest};
use crate::markdown::{LinkKind, LinkRef};
use crate::site::{DocId, Site};

use super::ResolvedLink;

pub(super) fn split_anchor(s: &str) -> (&str, Option<&str>) {
    match s.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (s, None),
    }
}

pub(super) fn resolve_one(
    site: &Site,
    from: DocId,
    l: &LinkRef,
) -> Result<ResolvedLink, Diagnostic> {
    let index = &site.graph.index;
    let (target, anchor) = match l.kind {
        LinkKind::Internal => {
            let (path, anchor) = split_anchor(&l.target["@/".len()..]);
            let t = index
                .by_rel
                .get(path)
                .copied()
                .ok_or_else(|| missing_page(site, &l.target, path))?;
            (t, anchor)
        }
        LinkKind::Relative => {
            let (path, anchor) = split_anchor(&l.target);
            let base = crate::content::parent_dir(&site.doc(from).file.rel);
            let joined = normalize(base, path);
            let t = index
                .by_rel
                .get(&joined)
                .copied()
                .ok_or_else(|| missing_page(site, &l.target, &joined))?;
            (t, anchor)
        }
        LinkKind::File => {
            let base = crate::content::parent_dir(&site.doc(from).file.rel);
            let relative = normalize(base, &percent_decode(&l.target));
            return crate::links::resolve_file(site, &relative)
                .or_else(|_| crate::links::resolve_file(site, &l.target));
        }
        LinkKind::Tag => {
            return Ok(ResolvedLink {
                target: None,
                anchor: None,
                kind: LinkKind::Tag,
                work: None,
                url: Some(crate::site_paths::term_path("tags", &l.target)),
                hreflang: None,
            });
        }
        LinkKind::Wiki | LinkKind::Embed => {
            let (name, anchor) = split_anchor(&l.target);
            if name.trim().is_empty() {
                // `[[#Heading]]`: a heading of this page.
                (from, anchor)
            } else {
                (resolve_wiki(site, name, from)?, anchor)
            }
        }
        LinkKind::SamePage => (from, Some(&l.target[1..])),
        LinkKind::Url => match crate::site_paths::resolve(site, from, &l.target)? {
            (crate::site_paths::UrlTarget::Doc(t), anchor) => (t, anchor),
            (crate::site_paths::UrlTarget::File, _) => {
                return Ok(ResolvedLink {
                    target: None,
                    anchor: None,
                    kind: LinkKind::Url,
                    work: None,
                    url: None,
                    hreflang: None,
                });
            }
        },
        LinkKind::Citation => {
            let key = l.target.as_str();
            let Some(&w) = site.bibliography.by_key.get(key) else {
                let hint = closest(key, site.bibliography.works.iter().map(|w| w.key.as_str()));
                return Err(Diagnostic::error(
                    "unknown-citation",
                    format!("unknown reference `{key}`"),
                )
                .with_help(match hint {
                    Some(h) => {
                        format!("did you mean `ref:{h}`? Works are listed in data/references.toml")
                    }
                    None => "add the work to data/references.toml".to_string(),
                }));
            };
            return Ok(ResolvedLink {
                target: None,
                anchor: Some(format!("ref-{key}")),
                kind: l.kind.clone(),
                work: Some(w),
                url: None,
                hreflang: None,
            });
        }
        LinkKind::Glossary => {
            let t = site
                .graph
                .glossary_page
                .ok_or_else(|| Diagnostic::error("missing-page", "no glossary page"))?;
            return Ok(ResolvedLink {
                target: Some(same_language(site, from, t)),
                anchor: Some(l.target.clone()),
                kind: l.kind.clone(),
                work: None,
                url: None,
                hreflang: None,
            });
        }
        LinkKind::External => unreachable!("external links are not recorded"),
    };
    let target = same_language(site, from, target);
    let by_text = anchor.and_then(|a| anchor_by_text(site, target, a));
    let anchor = by_text.as_deref().or(anchor);
    if let Some(a) = anchor
        && !a.is_empty()
    {
        let anchors = &index.anchors[site.slot(target)];
        if !anchors.contains(a) {
            let hint = closest(a, anchors.iter().map(String::as_str));
            let what = if target == from {
                "this page".to_string()
            } else {
                format!("`{}`", site.doc(target).file.rel)
            };
            return Err(Diagnostic::error(
                "missing-anchor",
                format!("anchor `#{a}` does not exist on {what}"),
            )
            .with_help(match hint {
                Some(h) => format!("did you mean `#{h}`? Anchors are heading ids"),
                None if a.starts_with('^') => format!(
                    "block ids are written at the end of a paragraph or list item: `text ^{}`",
                    &a[1..]
                ),
                None => "anchors are heading ids: `## Evidence` is `#evidence`".to_string(),
            }));
        }
    }
    Ok(ResolvedLink {
        target: Some(target),
        anchor: anchor.filter(|a| !a.is_empty()).map(str::to_string),
        kind: l.kind.clone(),
        work: None,
        url: None,
        hreflang: None,
    })
}

/// A link written in a translation to a page of the default language
/// (`@/techniques/iastm.md` in `index.fr.md`) leads to that page's
/// translation into the same language when there is one.
pub(super) fn same_language(site: &Site, from: DocId, target: DocId) -> DocId {
    let lang = site.lang_of(from);
    let default = site.config.default_language.as_str();
    if lang == default || site.lang_of(target) != default {
        return target;
    }
    site.in_language(target, lang).unwrap_or(target)
}

/// The id of the heading of `target` that `anchor` names otherwise, when
/// `anchor` is not an id there: by its text (Obsidian's `[[Page#Deep
/// friction]]`, any case) or by its GitHub id (READMEs written for GitHub
/// link `## ✨ Features` as `#-features`, which fascia ids `features`) or
/// by Zola's transliterated id. The link then points at the id.
pub(super) fn anchor_by_text(site: &Site, target: DocId, anchor: &str) -> Option<String> {
    if anchor.is_empty() || site.graph.index.anchors[site.slot(target)].contains(anchor) {
        return None;
    }
    let wanted = percent_decode(anchor);
    // Obsidian's `[[Note#Heading#Subheading]]`: the last heading counts.
    let wanted = wanted.rsplit('#').next().unwrap_or(&wanted).trim();
    let lower = wanted.to_lowercase();
    let heads = &site.doc(target).body.headings;
    heads
        .iter()
        .find(|h| h.title.to_lowercase() == lower)
        .or_else(|| {
            heads.iter().find(|h| {
                crate::markdown::headings::github_id(&h.title) == wanted
                    // Zola's id, transliterated (`#privet-mir` for `## Привет, мир`).
                    || crate::markdown::slugify(&h.title) == wanted
            })
        })
        .or_else(|| {
            // Written without the heading's punctuation or code marks
            // (`[[Functions#hasTag]]` for `### \`hasTag()\``).
            let slug = crate::markdown::slugify(wanted);
            heads
                .iter()
                .find(|h| !slug.is_empty() && crate::markdown::slugify(&h.title) == slug)
        })
        .map(|h| h.id.clone())
}

pub(super) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

pub(super) fn missing_page(site: &Site, written: &str, path: &str) -> Diagnostic {
    let hint = closest(path, site.graph.index.by_rel.keys().map(String::as_str));
    Diagnostic::error(
        "missing-page",
        format!("link to a page that does not exist: `{written}`"),
    )
    .with_help(match hint {
        Some(h) => format!("did you mean `@/{h}`?"),
        None => "paths are relative to content/, e.g. @/techniques/iastm.md".to_string(),
    })
}

pub(super) fn resolve_wiki(site: &Site, name: &str, from: DocId) -> Result<DocId, Diagnostic> {
    let index = &site.graph.index;
    let key = name.trim().trim_end_matches(".md").to_lowercase();
    if let Some(&t) = index
        .by_rel
        .get(&format!("{key}.md"))
        .or_else(|| index.by_rel.get(&format!("{key}/_index.md")))
    {
        return Ok(t);
    }
    let found = index
        .by_name
        .get(&key)
        .or_else(|| index.by_file_name.get(&key))
        .map(|many| narrow_language(site, many, from));
    let found = found.as_deref();
    let preferred = found.and_then(|many| crate::links::preferred_of(site, many, from));
    match found {
        Some([one]) => Ok(*one),
        Some(_) if preferred.is_some() => Ok(preferred.unwrap_or(from)),
        Some(many) => {
            let names: Vec<String> = many
                .iter()
                .map(|&d| format!("`{}`", site.doc(d).file.rel))
                .collect();
            Err(Diagnostic::error(
                "ambiguous-wikilink",
                format!(
                    "wikilink `[[{name}]]` matches several pages: {}",
                    names.join(", ")
                ),
            )
            .with_help("write the path instead, e.g. [[techniques/iastm]]"))
        }
        None => {
            let hint = closest(&key, index.by_name.keys().map(String::as_str));
            Err(Diagnostic::error("missing-page", format!("wikilink `[[{name}]]` matches no page")).with_help(match hint {
                Some(h) => format!("did you mean `[[{h}]]`? Wikilinks match titles, paths, slugs and [extra] synonyms"),
                None => "wikilinks match titles, paths, slugs and [extra] synonyms".to_string(),
            }))
        }
    }
}

/// Of several documents a wikilink names, those in the linking page's
/// language, else those in the default language, else all.
pub(super) fn narrow_language(site: &Site, many: &[DocId], from: DocId) -> Vec<DocId> {
    if many.len() > 1 && site.config.multilingual() {
        for lang in [site.lang_of(from), site.config.default_language.as_str()] {
            let mine: Vec<DocId> = many
                .iter()
                .copied()
                .filter(|&d| site.lang_of(d) == lang)
                .collect();
            if !mine.is_empty() {
                return mine;
            }
        }
    }
    many.to_vec()
}

/// Join a relative path onto a folder, resolving `.` and `..`.
pub fn normalize(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if base.is_empty() {
        Vec::new()
    } else {
        base.split('/').collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    parts.join("/")
}
