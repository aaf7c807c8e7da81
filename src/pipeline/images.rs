//! The image stage, in two halves around rendering.
//!
//! [`survey`] (after linking, in `check` too): every local image of every
//! body -> its file, size and the WebP copies `srcset` offers (queued), or an
//! error at the image's `file:line:col` when the file cannot be read.
//! [`produce`] (after rendering, which queues `resize_image` copies and link
//! cards): every queued job made through the cache, in parallel, and copied
//! into the output with the rest of the site.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::images::html::Placed;
use crate::images::{Cache, Format, ImageRef, Op, Origin, SiteImages, Source};
use crate::output::Output;
use crate::site::{DocId, Site};

/// Whether the `figure` shortcode is fascia's own (a site's or theme's
/// `figure` shortcode gets its arguments as they are).
pub fn builtin_figure(templates: &crate::templates::TemplateSet) -> bool {
    templates
        .files
        .get("shortcodes/figure.html")
        .is_some_and(|(path, _)| path.to_string_lossy().starts_with("<built-in"))
}

/// Every file the site serves that an image may name, by output path.
fn served_files(site: &Site) -> HashMap<&str, &PathBuf> {
    let mut files = HashMap::new();
    for (abs, rel) in &site.content_assets {
        files.insert(rel.trim_start_matches('/'), abs);
    }
    for page in &site.pages {
        for (abs, out) in &page.assets {
            files.insert(out.trim_start_matches('/'), abs);
        }
    }
    files
}

/// The file an image address names from document `id`, if the site serves one.
fn source_file(
    site: &Site,
    served: &HashMap<&str, &PathBuf>,
    id: DocId,
    src: &str,
) -> Option<PathBuf> {
    let raw = src.split(['#', '?']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    let base = crate::site_paths::base_path(&site.config.base_url);
    let path = crate::site_paths::site_path(&decoded, site.path_of(id), base)?;
    let key = path.trim_start_matches('/');
    if key.is_empty() || key.split('/').any(|s| s == "..") {
        return None;
    }
    if let Some(abs) = served.get(key) {
        return Some((*abs).clone());
    }
    // Site static files override the theme's: look at the site's first.
    site.static_dirs
        .iter()
        .rev()
        .map(|d| d.join(key))
        .find(|p| p.is_file())
}

/// The error for an image that cannot be read.
fn unreadable(
    site: &Site,
    id: DocId,
    r: &ImageRef,
    path: &std::path::Path,
    why: &str,
) -> Diagnostic {
    let doc = site.doc(id);
    Diagnostic::error(
        "unreadable-image",
        format!("cannot read image `{}` ({}): {why}", r.src, path.display()),
    )
    .at(
        &doc.file.display,
        &site.source(doc),
        r.line + doc.body_line_offset,
        r.column,
    )
    .with_help("replace the file with a PNG, JPEG, GIF, WebP or SVG image, or fix the address")
}

/// Place every local image of the site (see the module doc).
pub fn survey(site: &Site, builtin_figure: bool) -> (SiteImages, Vec<Diagnostic>) {
    let served = served_files(site);
    let ids: Vec<DocId> = site.doc_ids().collect();
    // Each file probed once, however many pages show it.
    let mut files: Vec<PathBuf> = Vec::new();
    let wanted: Vec<Vec<Option<PathBuf>>> = ids
        .iter()
        .map(|&id| {
            site.doc(id)
                .body
                .images
                .iter()
                .map(|r| {
                    if r.shortcode.is_some() && !builtin_figure {
                        return None;
                    }
                    let file = source_file(site, &served, id, &r.src)?;
                    files.push(file.clone());
                    Some(file)
                })
                .collect()
        })
        .collect();
    files.sort();
    files.dedup();
    let probed: HashMap<PathBuf, Result<Source, String>> = files
        .into_par_iter()
        .map(|f| {
            let p = crate::images::probe(&f);
            (f, p)
        })
        .collect();
    let mut images = SiteImages::default();
    let mut diags = Vec::new();
    for (&id, files) in ids.iter().zip(wanted) {
        let slot = site.slot(id);
        let refs = &site.doc(id).body.images;
        let first = refs
            .iter()
            .zip(&files)
            .filter(|(_, f)| f.is_some())
            .map(|(r, _)| (r.line, r.column))
            .min();
        let mut placed = Vec::with_capacity(refs.len());
        for (r, file) in refs.iter().zip(files) {
            let Some(file) = file else {
                if r.shortcode.is_some() && builtin_figure && !crate::images::is_remote(&r.src) {
                    diags.push(missing_figure(site, id, r));
                }
                placed.push(None);
                continue;
            };
            match &probed[&file] {
                Ok(source) => {
                    let eager = first == Some((r.line, r.column));
                    let origin = Origin {
                        slot,
                        line: r.line,
                        column: r.column,
                    };
                    placed.push(Some(place(site, &mut images, source, r, eager, origin)));
                }
                Err(why) => {
                    diags.push(unreadable(site, id, r, &file, why));
                    placed.push(None);
                }
            }
        }
        if images.placed.len() <= slot {
            images.placed.resize_with(slot + 1, Vec::new);
        }
        images.placed[slot] = placed;
    }
    (images, diags)
}

fn missing_figure(site: &Site, id: DocId, r: &ImageRef) -> Diagnostic {
    let doc = site.doc(id);
    let what = if r.src.is_empty() {
        "the figure has no `src`".to_string()
    } else {
        format!("no image `{}` in the site", r.src)
    };
    Diagnostic::error("missing-image", what)
        .at(
            &doc.file.display,
            &site.source(doc),
            r.line + doc.body_line_offset,
            r.column,
        )
        .with_help("give src= the image's address, relative to the page or from the site root")
}

/// An image's size and its copies (AVIF, WebP), queued.
fn place(
    site: &Site,
    images: &mut SiteImages,
    source: &Source,
    r: &ImageRef,
    eager: bool,
    origin: Origin,
) -> Placed {
    let cfg = &site.config.images;
    let mut copies = Vec::new();
    // GIFs may move and SVGs scale: both are served as they are.
    let copyable = source.format.is_some_and(|f| f != image::ImageFormat::Gif);
    let mut widths: Vec<u32> = cfg
        .widths
        .iter()
        .copied()
        .filter(|&w| w < source.width)
        .collect();
    widths.push(source.width);
    widths.sort_unstable();
    widths.dedup();
    // AVIF first: a browser takes the first `<source>` it can show.
    for (name, format) in [("avif", Format::Avif), ("webp", Format::Webp)] {
        if !copyable || !cfg.formats.iter().any(|f| f == name) {
            continue;
        }
        let mut set = Vec::with_capacity(widths.len());
        for &w in &widths {
            let (job, plan) = source.copy(Op::FitWidth(w), format, Some(cfg.quality));
            let url = site
                .config
                .permalink(&format!("/{}/{}", crate::images::OUT_DIR, job.name));
            images.origins.entry(job.name.clone()).or_insert(origin);
            images.jobs.push(job);
            set.push((url, plan.width));
        }
        copies.push((format, set));
    }
    Placed {
        src: r.src.clone(),
        alt: r.alt.clone(),
        width: source.width,
        height: source.height,
        copies,
        eager,
    }
}

/// Make every queued job and copy the results into `output`; a job that
/// fails is an error at the image that asked for it (or, for a template's
/// copy, naming the file).
pub fn produce(site: &Site, output: &mut Output) -> Vec<Diagnostic> {
    let jobs = site.images.jobs.take();
    if jobs.is_empty() {
        return Vec::new();
    }
    let cache = Cache::for_site(&site.root);
    let (done, failed) = crate::images::process(jobs, &cache);
    for (name, file) in done {
        output.insert_copy(format!("{}/{name}", crate::images::OUT_DIR), file);
    }
    if crate::timing::Clock::new().on {
        let (reused, made) = cache.counts();
        eprintln!("images: {reused} from the cache, {made} made");
    }
    failed
        .into_iter()
        .map(|f| {
            let what = f
                .source
                .as_ref()
                .map_or_else(|| f.name.clone(), |p| p.display().to_string());
            let d = Diagnostic::error(
                "unreadable-image",
                format!("cannot make `{}` from {what}: {}", f.name, f.message),
            );
            match site.images.origins.get(&f.name) {
                Some(o) => {
                    let id = if o.slot < site.pages.len() {
                        DocId::Page(o.slot)
                    } else {
                        DocId::Section(o.slot - site.pages.len())
                    };
                    let doc = site.doc(id);
                    d.at(
                        &doc.file.display,
                        &site.source(doc),
                        o.line + doc.body_line_offset,
                        o.column,
                    )
                }
                None => d,
            }
        })
        .collect()
}
