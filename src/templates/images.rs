//! Image template functions: Zola's `resize_image(path, width, height, op,
//! format, quality)` and fascia's `link_card(title, section, ...)`. Both
//! read the file's header now and queue the work ([`crate::images::JobQueue`]),
//! which the pipeline runs after rendering, through the image cache.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use minijinja::value::{Kwargs, Rest, Value};
use minijinja::{Environment, Error, ErrorKind, State};

use super::filters::Args;
use crate::images::card::{self, CardText, Colours};
use crate::images::{Format, JobQueue, OUT_DIR, Op, Source};

/// What the image functions need from the site.
pub struct ImageFunctions {
    /// Folders `resize_image` looks in, in order (Zola's: the site root,
    /// static/, content/, the theme's static/).
    pub dirs: Vec<PathBuf>,
    pub base_url: String,
    /// The image cache, where a copy made earlier in this build is read
    /// when a template resizes it again.
    pub cache_dir: PathBuf,
    pub site_title: String,
    /// `[images] link_cards`: `link_card` returns nothing when off.
    pub link_cards: bool,
    pub jobs: Arc<JobQueue>,
}

fn fail(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// Files already read by this build's templates (a logo resized on every
/// page is read once).
type Probed = Mutex<HashMap<PathBuf, Source>>;

pub fn register(env: &mut Environment<'static>, f: ImageFunctions) {
    let f = Arc::new(f);
    let probed: Arc<Probed> = Arc::default();
    let (g, p) = (Arc::clone(&f), Arc::clone(&probed));
    env.add_function(
        "resize_image",
        move |state: &State, rest: Rest<Value>, kw: Kwargs| resize_image(&g, &p, state, rest, kw),
    );
    env.add_function("link_card", move |rest: Rest<Value>, kw: Kwargs| {
        link_card(&f, rest, kw)
    });
}

/// Where `resize_image` looked, for the error that says so.
const LOOKED: &str =
    "looked in the site folder, static/, content/, the theme's static/ and the page's folder";

/// The image `path` names, as a theme may write it: a file below the site
/// root, `static/`, `content/` or the theme's `static/` (Zola's order);
/// `@/` for content/; the `url` or `static_path` of an earlier
/// `resize_image` (made first, then resized again); or, failing those, a
/// file in the folder of the page being rendered (`img.png` beside
/// `index.md`).
fn locate(f: &ImageFunctions, probed: &Probed, state: &State, path: &str) -> Result<Source, Error> {
    let path = path.trim();
    let local = path
        .strip_prefix(f.base_url.trim_end_matches('/'))
        .unwrap_or(path);
    let rel = match local.strip_prefix("@/") {
        Some(r) => format!("content/{r}"),
        None => local.trim_start_matches('/').to_string(),
    };
    if rel.is_empty() || rel.split(['/', '\\']).any(|c| c == "..") {
        return Err(fail(format!(
            "resize_image: `{path}` leaves the site folder; name an image below the site root, static/ or content/"
        )));
    }
    if let Some(name) = processed_name(&rel)
        && let Some(source) = f.jobs.planned_source(name, &f.cache_dir)
    {
        return Ok(source);
    }
    let page_dir = page_folder(state);
    let file = f
        .dirs
        .iter()
        .map(|d| d.join(&rel))
        .chain(page_dir.map(|d| f.dirs[0].join("content").join(d).join(&rel)))
        .chain(processed_name(&rel).map(|n| f.cache_dir.join(n)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            fail(format!(
                "resize_image: no image `{path}` ({LOOKED}); check the name, or give the path from the site root (`static/img/x.png`, `@/section/page/x.png`)"
            ))
        })?;
    let cached = probed.lock().ok().and_then(|m| m.get(&file).cloned());
    if let Some(s) = cached {
        return Ok(s);
    }
    let s = crate::images::probe(&file).map_err(|e| {
        fail(format!(
            "resize_image: cannot read `{path}` ({}): {e}; replace it with a PNG, JPEG, GIF or WebP image",
            file.display()
        ))
    })?;
    if let Ok(mut m) = probed.lock() {
        m.insert(file, s.clone());
    }
    Ok(s)
}

/// The name of a processed copy that `rel` (a `static_path`, or a URL's
/// path) names: `[static/]processed_images/NAME`.
fn processed_name(rel: &str) -> Option<&str> {
    let rel = rel.strip_prefix("static/").unwrap_or(rel);
    rel.strip_prefix(OUT_DIR)?
        .strip_prefix('/')
        .filter(|n| !n.is_empty() && !n.contains('/'))
}

/// The folder below content/ of the page or section being rendered.
fn page_folder(state: &State) -> Option<String> {
    ["page", "section"].iter().find_map(|var| {
        let doc = state
            .lookup(var)
            .filter(|v| !v.is_undefined() && !v.is_none())?;
        let rel = doc.get_attr("relative_path").ok()?;
        let rel = rel.as_str()?;
        Some(rel.rsplit_once('/').map_or("", |(dir, _)| dir).to_string())
    })
}

fn size_arg(args: &Args, at: usize, name: &str) -> Result<Option<u32>, Error> {
    match args.value(at, name)? {
        None => Ok(None),
        Some(v) if v.is_none() || v.is_undefined() => Ok(None),
        Some(v) => i64::try_from(v.clone())
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n <= 16_384)
            .map(Some)
            .ok_or_else(|| {
                fail(format!(
                    "resize_image: {name} must be a whole number of pixels, got {v}"
                ))
            }),
    }
}

/// `resize_image(path, width, height, op="fill", format="auto", quality)`:
/// `{url, static_path, width, height, orig_width, orig_height}`.
fn resize_image(
    f: &ImageFunctions,
    probed: &Probed,
    state: &State,
    rest: Rest<Value>,
    kw: Kwargs,
) -> Result<Value, Error> {
    let args = Args::new("resize_image", rest, kw);
    let path = args.required_string(0, "path")?;
    let width = size_arg(&args, 1, "width")?;
    let height = size_arg(&args, 2, "height")?;
    let op = args.string(3, "op")?.unwrap_or_else(|| "fill".into());
    let format = args.string(4, "format")?.unwrap_or_else(|| "auto".into());
    let quality = size_arg(&args, 5, "quality")?;
    let _ = args.value(6, "speed")?; // Zola's AVIF speed: fascia uses its own.
    let op = Op::parse(&op, width, height).map_err(|e| {
        fail(format!(
            "resize_image: {e}; the ops are listed in docs/templates.md"
        ))
    })?;
    let source = locate(f, probed, state, &path)?;
    if source.format.is_none() {
        return Err(fail(format!(
            "resize_image: `{path}` is an SVG, which scales by itself: use it as it is (an <img> with its width and height)"
        )));
    }
    let format =
        Format::parse(&format, source.lossy).map_err(|e| fail(format!("resize_image: {e}")))?;
    // Zola's ranges: WebP 0 to 100, JPEG and AVIF 1 to 100.
    let lowest = u32::from(format != Format::Webp);
    let quality = match quality {
        None => None,
        Some(q) if (lowest..=100).contains(&q) => Some(q as u8),
        Some(q) => {
            return Err(fail(format!(
                "resize_image: quality {q} is outside {lowest} to 100; leave it out for the default (JPEG 75, AVIF 80, WebP lossless)"
            )));
        }
    };
    let (job, plan) = source.copy(op, format, quality);
    // As Zola returns them: `static_path` is where Zola keeps the file in
    // the site (fascia keeps it in its cache; `get_image_metadata` knows it).
    let static_path = format!("static/{OUT_DIR}/{}", job.name);
    let url = format!("{}/{OUT_DIR}/{}", f.base_url, job.name);
    f.jobs.push(job);
    Ok(minijinja::context! {
        url => url,
        static_path => static_path,
        width => plan.width,
        height => plan.height,
        orig_width => source.width,
        orig_height => source.height,
    })
}

/// `link_card(title, section=none, background=, text=, accent=, muted=)`:
/// {url, width, height, alt} of the page's link card, or none when
/// `[images] link_cards` is off. Colours are `#rrggbb` (the theme's).
fn link_card(f: &ImageFunctions, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("link_card", rest, kw);
    let title = args.required_string(0, "title")?;
    let section = args.string(1, "section")?.filter(|s| !s.trim().is_empty());
    let mut colours = Colours::default();
    for (name, slot) in [
        ("background", &mut colours.background),
        ("text", &mut colours.text),
        ("accent", &mut colours.accent),
        ("muted", &mut colours.muted),
    ] {
        if let Some(c) = args.string(usize::MAX, name)? {
            if !card::is_colour(&c) {
                return Err(fail(format!(
                    "link_card: {name} `{c}` is not a #rrggbb colour"
                )));
            }
            *slot = c;
        }
    }
    if !f.link_cards {
        return Ok(Value::from(()));
    }
    let text = CardText {
        title: title.clone(),
        section: section.clone(),
        site: f.site_title.clone(),
    };
    let job = card::job(card::svg(&text, &colours));
    let url = format!("{}/{OUT_DIR}/{}", f.base_url, job.name);
    f.jobs.push(job);
    let alt = match section {
        Some(s) => format!("{title} ({s}), {}", f.site_title),
        None => format!("{title}, {}", f.site_title),
    };
    Ok(minijinja::context! {
        url => url,
        width => card::WIDTH,
        height => card::HEIGHT,
        alt => alt,
    })
}
