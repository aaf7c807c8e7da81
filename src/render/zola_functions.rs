//! Zola's template functions over the site's taxonomies and files:
//! `get_taxonomy`, `get_taxonomy_url`, `get_taxonomy_term`, `load_data`,
//! `get_hash`, `get_image_metadata` (read from the file's header); the
//! image functions (`resize_image`, `link_card`: [`crate::templates::images`]);
//! and `trans`, which fails with a message naming what fascia does not build yet.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use minijinja::value::{Kwargs, Rest, Value};
use minijinja::{Environment, Error, ErrorKind};
use sha2::Digest;

use super::super::RenderState;
use super::super::taxonomy::{Taxonomy, Term, term_value};
use crate::templates::filters::{Args, base64_encode};

fn fail(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

pub fn register(env: &mut Environment<'static>, state: &Arc<RenderState>) {
    let st = Arc::clone(state);
    env.add_function(
        "get_taxonomy",
        move |kwargs: Kwargs| -> Result<Value, Error> {
            let kind: String = kwargs.get("kind")?;
            let required: Option<bool> = kwargs.get("required")?;
            let lang: Option<String> = kwargs.get("lang")?;
            match st.taxonomy_value(&kind, lang.as_deref()) {
                Some(v) => Ok(v),
                None if required == Some(false) => Ok(Value::from(())),
                None => Err(fail(format!("get_taxonomy: no taxonomy `{kind}`"))),
            }
        },
    );
    let st = Arc::clone(state);
    env.add_function("get_taxonomy_url", move |kwargs: Kwargs| {
        taxonomy_url(&st, &kwargs)
    });
    let st = Arc::clone(state);
    env.add_function("get_taxonomy_term", move |kwargs: Kwargs| {
        taxonomy_term(&st, &kwargs)
    });
    let st = Arc::clone(state);
    env.add_function("load_data", move |rest: Rest<Value>, kw: Kwargs| {
        load_data(&st, rest, kw)
    });
    let st = Arc::clone(state);
    env.add_function("get_hash", move |rest: Rest<Value>, kw: Kwargs| {
        get_hash(&st, rest, kw)
    });
    let st = Arc::clone(state);
    env.add_function(
        "get_image_metadata",
        move |rest: Rest<Value>, kw: Kwargs| -> Result<Value, Error> {
            let args = Args::new("get_image_metadata", rest, kw);
            let path = args.required_string(0, "path")?;
            let allow_missing = args.bool(1, "allow_missing")?.unwrap_or(false);
            if let Some((width, height, format)) = processed_copy(&st, &path) {
                let ext = format.extension();
                return Ok(minijinja::context! { width, height, format => ext, mime => format.mime() });
            }
            let Some(file) = find_file(&st, &path)? else {
                if allow_missing {
                    return Ok(Value::from(()));
                }
                return Err(fail(format!("get_image_metadata: no file `{path}` in the site")));
            };
            let bytes = std::fs::read(&file)
                .map_err(|e| fail(format!("get_image_metadata: {}: {e}", file.display())))?;
            let (format, mime, width, height) = image_size(&bytes).ok_or_else(|| {
                fail(format!(
                    "get_image_metadata: `{path}` is not a PNG, JPEG, GIF, WebP, BMP or SVG image fascia can read"
                ))
            })?;
            Ok(minijinja::context! { width => width, height => height, format => format, mime => mime })
        },
    );
    let site = &state.site;
    let root = &site.root;
    let mut dirs = vec![root.clone(), root.join("static"), root.join("content")];
    dirs.extend(site.static_dirs.iter().rev().cloned());
    crate::templates::images::register(
        env,
        crate::templates::images::ImageFunctions {
            dirs,
            base_url: site.config.base_url.clone(),
            cache_dir: root.join(crate::images::cache::DIR),
            site_title: site.config.title.clone(),
            link_cards: site.config.images.link_cards,
            jobs: Arc::clone(&site.images.jobs),
        },
    );
    let st = Arc::clone(state);
    env.add_function(
        "trans",
        move |rest: Rest<Value>, kw: Kwargs| -> Result<Value, Error> {
            let args = Args::new("trans", rest, kw);
            let key = args.required_string(0, "key")?;
            let lang = args.string(1, "lang")?;
            // fascia: `default=` for a key a language does not have yet.
            let default = args.string(2, "default")?;
            let config = &st.site.config;
            let lang = lang.unwrap_or_else(|| config.default_language.clone());
            if !config.languages.contains_key(&lang) {
                return Err(fail(format!(
                    "trans(key=\"{key}\", lang=\"{lang}\"): `{lang}` is not a language of the site (config.toml names {})",
                    config.language_codes().collect::<Vec<_>>().join(", ")
                )));
            }
            match config.trans(&key, &lang) {
                Some(text) => Ok(Value::from(text)),
                None if default.is_some() => Ok(Value::from(default)),
                None => Err(fail(format!(
                    "trans(): no translation of `{key}` for `{lang}`; add `{key} = \"...\"` under {} in config.toml (or the theme's translations/{lang}.toml)",
                    if lang == config.default_language {
                        "[translations]".to_string()
                    } else {
                        format!("[languages.{lang}.translations]")
                    }
                ))),
            }
        },
    );
}

fn find_term<'a>(
    st: &'a RenderState,
    kind: &str,
    name: &str,
    lang: Option<&str>,
) -> Option<(&'a Taxonomy, &'a Term)> {
    let tax = st.taxonomy(kind, lang)?;
    let slug = crate::markdown::slugify(name);
    let term = tax
        .terms
        .iter()
        .find(|t| t.name == name || t.slug == slug)?;
    Some((tax, term))
}

/// `get_taxonomy_url(kind=, name=, required=true)`: a term's URL; with
/// `required=false`, nothing when no page carries the term.
fn taxonomy_url(st: &RenderState, kwargs: &Kwargs) -> Result<Value, Error> {
    let kind: String = kwargs.get("kind")?;
    let name: String = kwargs.get("name")?;
    let required: Option<bool> = kwargs.get("required")?;
    let lang: Option<String> = kwargs.get("lang")?;
    let config = &st.site.config;
    let lang = lang.unwrap_or_else(|| config.default_language.clone());
    if !config.taxonomies_of(&lang).iter().any(|t| t.name == kind) {
        return if required == Some(false) {
            Ok(Value::from(()))
        } else {
            Err(fail(format!("get_taxonomy_url: no taxonomy `{kind}`")))
        };
    }
    if required == Some(false) && find_term(st, &kind, &name, Some(&lang)).is_none() {
        return Ok(Value::from(()));
    }
    Ok(Value::from(config.permalink(&format!(
        "{}{}",
        config.lang_prefix(&lang),
        super::super::taxonomy::term_path(&kind, &name)
    ))))
}

/// `get_taxonomy_term(kind=, term=, include_pages=true, required=true)`.
fn taxonomy_term(st: &Arc<RenderState>, kwargs: &Kwargs) -> Result<Value, Error> {
    let kind: String = kwargs.get("kind")?;
    let name: String = kwargs.get("term")?;
    let include_pages: Option<bool> = kwargs.get("include_pages")?;
    let required: Option<bool> = kwargs.get("required")?;
    let lang: Option<String> = kwargs.get("lang")?;
    let Some((tax, term)) = find_term(st, &kind, &name, lang.as_deref()) else {
        return if required == Some(false) {
            Ok(Value::from(()))
        } else {
            Err(fail(format!(
                "get_taxonomy_term: no term `{name}` in taxonomy `{kind}`"
            )))
        };
    };
    if include_pages == Some(false) {
        let empty = Term {
            pages: Vec::new(),
            ..term.clone()
        };
        let v = term_value(st, tax, &empty);
        return Ok(minijinja::context! { page_count => term.pages.len(), ..v });
    }
    Ok(term_value(st, tax, term))
}

/// Zola's file search: `@/x` is `content/x`; then the site root, `static/`,
/// `content/`, `data/` and the theme's `static/`. `None` when not found.
/// A copy `resize_image` queued, named by its `static_path`
/// (`static/processed_images/NAME`, as Zola gives it) or its output path.
fn processed_copy(st: &RenderState, path: &str) -> Option<(u32, u32, crate::images::Format)> {
    let path = path.trim_start_matches('/');
    let path = path.strip_prefix("static/").unwrap_or(path);
    let name = path
        .strip_prefix(crate::images::OUT_DIR)?
        .strip_prefix('/')?;
    st.site.images.jobs.planned(name)
}

fn find_file(st: &RenderState, path: &str) -> Result<Option<PathBuf>, Error> {
    let rel = match path.strip_prefix("@/") {
        Some(r) => format!("content/{r}"),
        None => path.trim_start_matches('/').to_string(),
    };
    if rel.split(['/', '\\']).any(|c| c == "..") {
        return Err(fail(format!("`{path}` leaves the site folder")));
    }
    let root = &st.site.root;
    let mut dirs = vec![
        root.clone(),
        root.join("static"),
        root.join("content"),
        root.join("data"),
    ];
    dirs.extend(st.site.static_dirs.iter().cloned());
    if let Some(found) = dirs.iter().map(|d| d.join(&rel)).find(|p| p.is_file()) {
        return Ok(Some(found));
    }
    Ok(in_output(st, &rel))
}

/// Zola also looks in the output folder, where a section's files are
/// copied before its template runs; so a theme may name a file by its
/// output path (`ca/archive/card.jpg` for `content/archive/card.jpg`,
/// beside `_index.ca.md`). fascia maps such a path back to the section's
/// folder in content/.
fn in_output(st: &RenderState, rel: &str) -> Option<PathBuf> {
    let site = &st.site;
    let wanted = format!("/{}", rel.trim_start_matches('/'));
    site.sections
        .iter()
        .filter(|s| wanted.starts_with(&s.path) && s.path.len() > 1)
        .max_by_key(|s| s.path.len())
        .and_then(|s| {
            let rest = wanted[s.path.len()..].trim_start_matches('/');
            let p = site.root.join("content").join(&s.dir).join(rest);
            p.is_file().then_some(p)
        })
}

/// `load_data(path= | literal=, format=, required=true)`; `url=` is refused.
fn load_data(st: &RenderState, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("load_data", rest, kw);
    let format = args.string(usize::MAX, "format")?;
    let required = args.bool(usize::MAX, "required")?.unwrap_or(true);
    let _ = args.value(usize::MAX, "method")?;
    if let Some(url) = args.string(usize::MAX, "url")? {
        return Err(fail(format!(
            "load_data(url=\"{url}\"): fascia does not fetch from the network at build time; download the file into the site and use path="
        )));
    }
    if let Some(text) = args.string(usize::MAX, "literal")? {
        return parse_literal(&text, format.as_deref().unwrap_or("plain"));
    }
    let path = args.required_string(0, "path")?;
    let Some(file) = find_file(st, &path)? else {
        if !required {
            return Ok(Value::from(()));
        }
        return Err(fail(format!(
            "load_data: no file `{path}` in the site (looked in the site folder, static/, content/ and data/)"
        )));
    };
    let root = &st.site.root;
    if let Ok(rel) = file.strip_prefix(root) {
        st.load_data(&rel.to_string_lossy(), format.as_deref())
    } else {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| fail(format!("load_data: {}: {e}", file.display())))?;
        let ext = file.extension().map(|e| e.to_string_lossy().to_lowercase());
        parse_literal(
            &text,
            format.as_deref().or(ext.as_deref()).unwrap_or("plain"),
        )
    }
}

fn parse_literal(text: &str, format: &str) -> Result<Value, Error> {
    match format {
        "toml" => toml::from_str::<toml::Value>(text)
            .map(|v| super::super::toml_plain::value(&v))
            .map_err(|e| fail(format!("load_data: {e}"))),
        "json" => serde_json::from_str::<serde_json::Value>(text)
            .map(|v| super::super::ser(&v))
            .map_err(|e| fail(format!("load_data: {e}"))),
        _ => Ok(Value::from(text)),
    }
}

/// `get_hash(path= | literal=, sha_type=384, base64=true)`: the SHA-2
/// digest of a file or a string, base64 or hex, as Zola gives it.
fn get_hash(st: &RenderState, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("get_hash", rest, kw);
    let bytes = if let Some(text) = args.string(usize::MAX, "literal")? {
        text.into_bytes()
    } else {
        let path = args.required_string(0, "path")?;
        let file = find_file(st, &path)?
            .ok_or_else(|| fail(format!("get_hash: no file `{path}` in the site")))?;
        std::fs::read(&file).map_err(|e| fail(format!("get_hash: {}: {e}", file.display())))?
    };
    let digest: Vec<u8> = match args.int(usize::MAX, "sha_type")?.unwrap_or(384) {
        256 => sha2::Sha256::digest(&bytes).to_vec(),
        384 => sha2::Sha384::digest(&bytes).to_vec(),
        512 => sha2::Sha512::digest(&bytes).to_vec(),
        other => {
            return Err(fail(format!(
                "get_hash: sha_type must be 256, 384 or 512, not {other}"
            )));
        }
    };
    if args.bool(usize::MAX, "base64")?.unwrap_or(true) {
        Ok(Value::from(base64_encode(&digest)))
    } else {
        Ok(Value::from(digest.iter().fold(
            String::new(),
            |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            },
        )))
    }
}

/// `(format, mime, width, height)` from an image's first bytes.
fn image_size(b: &[u8]) -> Option<(&'static str, &'static str, u32, u32)> {
    let be16 = |i: usize| Some(u32::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])));
    let le16 = |i: usize| Some(u32::from(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?])));
    let le24 = |i: usize| {
        Some(u32::from_le_bytes([
            *b.get(i)?,
            *b.get(i + 1)?,
            *b.get(i + 2)?,
            0,
        ]))
    };
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let le32 =
        |i: usize| Some(i32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?).unsigned_abs());
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(("png", "image/png", be32(16)?, be32(20)?));
    }
    if b.starts_with(b"GIF8") {
        return Some(("gif", "image/gif", le16(6)?, le16(8)?));
    }
    if b.starts_with(b"BM") {
        return Some(("bmp", "image/bmp", le32(18)?, le32(22)?));
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(&b"WEBP"[..]) {
        let (w, h) = match b.get(12..16)? {
            b"VP8 " => (le16(26)? & 0x3fff, le16(28)? & 0x3fff),
            b"VP8L" => {
                let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
                ((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1)
            }
            b"VP8X" => (le24(24)? + 1, le24(27)? + 1),
            _ => return None,
        };
        return Some(("webp", "image/webp", w, h));
    }
    if b.starts_with(&[0xff, 0xd8]) {
        let mut i = 2;
        while i + 9 < b.len() {
            if b[i] != 0xff {
                i += 1;
                continue;
            }
            let marker = b[i + 1];
            if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
                return Some(("jpg", "image/jpeg", be16(i + 7)?, be16(i + 5)?));
            }
            i += 2 + usize::try_from(be16(i + 2)?).ok()?;
        }
        return None;
    }
    svg_size(std::str::from_utf8(b).ok()?).map(|(w, h)| ("svg", "image/svg+xml", w, h))
}

/// An SVG's `width` and `height`, else its `viewBox`'s.
fn svg_size(text: &str) -> Option<(u32, u32)> {
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = |name: &str| -> Option<&str> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(&tag[at..at + tag[at..].find('"')?])
    };
    let number = |s: &str| -> Option<u32> {
        let digits: String = s
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        // Whole pixels: the digits before any fraction.
        let whole = digits.split('.').next().unwrap_or("");
        whole.parse::<u32>().ok()
    };
    if let (Some(w), Some(h)) = (
        attr("width").and_then(number),
        attr("height").and_then(number),
    ) {
        return Some((w, h));
    }
    let parts: Vec<u32> = attr("viewBox")?
        .split([' ', ','])
        .filter(|p| !p.is_empty())
        .filter_map(number)
        .collect();
    Some((*parts.get(2)?, *parts.get(3)?))
}
