//! Image template functions: Zola's `resize_image(path, width, height, op,
//! format, quality)` and fascia's `link_card(title, section, ...)`. Both
//! read the file's header now and queue the work ([`crate::images::JobQueue`]),
//! which the pipeline runs after rendering, through the image cache.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use minijinja::value::{Kwargs, Rest, Value};
use minijinja::{Environment, Error, ErrorKind};

use super::filters::Args;
use crate::images::card::{self, CardText, Colours};
use crate::images::{Format, JobQueue, OUT_DIR, Op, Source};

/// What the image functions need from the site.
pub struct ImageFunctions {
    /// Folders `resize_image` looks in, in order (Zola's: the site root,
    /// static/, content/, the theme's static/).
    pub dirs: Vec<PathBuf>,
    pub base_url: String,
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
    env.add_function("resize_image", move |rest: Rest<Value>, kw: Kwargs| {
        resize_image(&g, &p, rest, kw)
    });
    env.add_function("link_card", move |rest: Rest<Value>, kw: Kwargs| {
        link_card(&f, rest, kw)
    });
}

fn find(f: &ImageFunctions, path: &str) -> Result<PathBuf, Error> {
    let rel = match path.strip_prefix("@/") {
        Some(r) => format!("content/{r}"),
        None => path.trim_start_matches('/').to_string(),
    };
    if rel.split(['/', '\\']).any(|c| c == "..") {
        return Err(fail(format!(
            "resize_image: `{path}` leaves the site folder"
        )));
    }
    f.dirs
        .iter()
        .map(|d| d.join(&rel))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            fail(format!(
                "resize_image: no image `{path}` (looked in the site folder, static/, content/ and the theme's static/)"
            ))
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
    rest: Rest<Value>,
    kw: Kwargs,
) -> Result<Value, Error> {
    let args = Args::new("resize_image", rest, kw);
    let path = args.required_string(0, "path")?;
    let width = size_arg(&args, 1, "width")?;
    let height = size_arg(&args, 2, "height")?;
    let op = args.string(3, "op")?.unwrap_or_else(|| "fill".into());
    let format = args.string(4, "format")?.unwrap_or_else(|| "auto".into());
    let quality = match size_arg(&args, 5, "quality")? {
        None => None,
        Some(q @ 1..=100) => Some(q as u8),
        Some(q) => {
            return Err(fail(format!(
                "resize_image: quality {q} is outside 1 to 100"
            )));
        }
    };
    let _ = args.value(6, "speed")?; // Zola's AVIF speed: fascia uses its own.
    let file = find(f, &path)?;
    let source = {
        let cached = probed.lock().ok().and_then(|m| m.get(&file).cloned());
        if let Some(s) = cached {
            s
        } else {
            let s = crate::images::probe(&file)
                .map_err(|e| fail(format!("resize_image: cannot read `{path}`: {e}")))?;
            if let Ok(mut m) = probed.lock() {
                m.insert(file.clone(), s.clone());
            }
            s
        }
    };
    let Some(src_format) = source.format else {
        return Err(fail(format!(
            "resize_image: `{path}` is an SVG, which scales by itself: use it as it is"
        )));
    };
    let op = Op::parse(&op, width, height).map_err(|e| fail(format!("resize_image: {e}")))?;
    let format =
        Format::parse(&format, src_format).map_err(|e| fail(format!("resize_image: {e}")))?;
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
