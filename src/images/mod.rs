//! Images: source file -> its size, and resized copies (WebP, PNG, JPEG)
//! and link cards (SVG drawn to PNG) kept in a cache folder, keyed by the
//! source's content and the settings, so an unchanged image costs a hash.
//!
//! 1. the Markdown stage records each local image a body shows ([`ImageRef`]);
//! 2. the pipeline resolves it to a file and [`probe`]s it (its header only),
//!    queueing [`Job`]s for the copies `srcset` offers; template functions
//!    (`resize_image`, `link_card`) queue more while pages render;
//! 3. [`process`] makes what the [`Cache`] lacks, in parallel, and the
//!    pipeline copies the cached files into the output with everything else;
//! 4. [`html`] writes `<picture>`, `<img>` with its size, and `<figure>`.

pub mod cache;
pub mod card;
pub mod encode;
pub mod html;
pub mod resize;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

pub use cache::Cache;
pub use encode::Format;
pub use resize::{Op, Plan};

/// The output folder processed images are written to (Zola's name).
pub const OUT_DIR: &str = "processed_images";

/// An image on another site (`https://`, `http://`, `//`): shown as it is,
/// never fetched (builds stay offline and reproducible).
pub fn is_remote(url: &str) -> bool {
    let head = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    head.starts_with("https://") || head.starts_with("http://") || url.starts_with("//")
}

/// A local image a body shows, as the Markdown stage found it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImageRef {
    /// The address as written (`chart.png`, `/img/chart.png`).
    pub src: String,
    /// The alt text, plain.
    pub alt: String,
    /// 1-based line and column in the body.
    pub line: usize,
    pub column: usize,
    /// Shown as a numbered figure with this caption.
    pub figure: Option<FigureText>,
    /// The `figure` shortcode call it comes from (its index), if any.
    pub shortcode: Option<usize>,
}

/// A figure's words: caption, credit and licence, plain text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FigureText {
    pub caption: String,
    pub credit: Option<String>,
    pub licence: Option<String>,
}

/// What a source file is: its size, format and content hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    /// `None` for SVG (drawn, never resized).
    pub format: Option<image::ImageFormat>,
    /// Lossy (JPEG, lossy WebP, AVIF): Zola's `format="auto"` makes a JPEG.
    pub lossy: bool,
    pub hash: u64,
}

impl Source {
    /// The file name's stem, for readable output names.
    fn stem(&self) -> String {
        let mut stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A copy resized again keeps its source's name (`photo`, not
        // `photo.200x100.<hash>`).
        if let Some((head, hash)) = stem.rsplit_once('.')
            && hash.len() == 16
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && let Some((name, _size)) = head.rsplit_once('.')
        {
            stem = name.to_string();
        }
        let clean: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(40)
            .collect();
        if clean.is_empty() {
            "image".into()
        } else {
            clean
        }
    }

    /// A copy of this source resized by `op`: its job (output name and
    /// work) and its size.
    pub fn copy(&self, op: Op, format: Format, quality: Option<u8>) -> (Job, Plan) {
        let plan = resize::plan(op, self.width, self.height);
        let key =
            crate::hash::fnv1a(format!("{:x}{plan:?}{format:?}{quality:?}", self.hash).as_bytes());
        let name = format!(
            "{}.{}x{}.{key:016x}.{}",
            self.stem(),
            plan.width,
            plan.height,
            format.extension()
        );
        let job = Job {
            name,
            work: Work::Resize {
                source: self.path.clone(),
                plan,
                format,
                quality,
            },
        };
        (job, plan)
    }
}

/// Read `path` and its image header: size and format, no decoding.
pub fn probe(path: &Path) -> Result<Source, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let hash = crate::hash::fnv1a(&bytes);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
    {
        let tree = resvg::usvg::Tree::from_data(&bytes, &resvg::usvg::Options::default())
            .map_err(|e| format!("not an SVG fascia can read: {e}"))?;
        let size = tree.size().to_int_size();
        return Ok(Source {
            path: path.to_path_buf(),
            width: size.width(),
            height: size.height(),
            format: None,
            lossy: false,
            hash,
        });
    }
    let reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let Some(format) = reader.format() else {
        return Err(
            if bytes.starts_with(b"version https://git-lfs.github.com/spec/") {
                "a Git LFS pointer, not the image itself (run `git lfs pull` in the repository)"
                    .into()
            } else {
                "not a PNG, JPEG, GIF or WebP image".into()
            },
        );
    };
    let (width, height) = reader.into_dimensions().map_err(|e| e.to_string())?;
    if width == 0 || height == 0 {
        return Err("the image has no pixels".into());
    }
    Ok(Source {
        path: path.to_path_buf(),
        width,
        height,
        format: Some(format),
        lossy: is_lossy(format, &bytes),
        hash,
    })
}

/// Whether an image file of `format` is lossy: JPEG and AVIF are; a WebP is
/// when its image chunk is `VP8 ` (lossy), not `VP8L` (lossless).
fn is_lossy(format: image::ImageFormat, bytes: &[u8]) -> bool {
    match format {
        image::ImageFormat::Jpeg | image::ImageFormat::Avif => true,
        image::ImageFormat::WebP => {
            memchr::memmem::find(bytes, b"VP8 ").is_some()
                && memchr::memmem::find(bytes, b"VP8L").is_none()
        }
        _ => false,
    }
}

/// One file to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The file name, in the cache and below [`OUT_DIR`] in the output.
    pub name: String,
    pub work: Work,
}

/// What a job makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    Resize {
        source: PathBuf,
        plan: Plan,
        format: Format,
        quality: Option<u8>,
    },
    /// A link card: this SVG drawn to PNG.
    Card { svg: String },
}

/// The jobs of a build, by name (the same copy asked for twice is made once).
#[derive(Debug, Default)]
pub struct JobQueue {
    jobs: Mutex<BTreeMap<String, Job>>,
}

impl JobQueue {
    pub fn push(&self, job: Job) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.entry(job.name.clone()).or_insert(job);
        }
    }

    /// The size and format of queued copy `name`, which `static_path`
    /// (`static/processed_images/NAME`) or a URL may name before it is made.
    pub fn planned(&self, name: &str) -> Option<(u32, u32, Format)> {
        let jobs = self.jobs.lock().ok()?;
        Some(match &jobs.get(name)?.work {
            Work::Resize { plan, format, .. } => (plan.width, plan.height, *format),
            Work::Card { .. } => (card::WIDTH, card::HEIGHT, Format::Png),
        })
    }

    /// Queued copy `name` as a source to resize again (`resize_image` of
    /// an earlier result's `static_path`): read from `cache_dir`, where
    /// [`process`] makes it before anything made from it.
    pub fn planned_source(&self, name: &str, cache_dir: &Path) -> Option<Source> {
        let jobs = self.jobs.lock().ok()?;
        let Work::Resize {
            plan,
            format,
            quality,
            ..
        } = &jobs.get(name)?.work
        else {
            return None;
        };
        Some(Source {
            path: cache_dir.join(name),
            width: plan.width,
            height: plan.height,
            format: Some(format.image_format()),
            lossy: format.lossy(*quality),
            // The name holds the hash of the source and the settings.
            hash: crate::hash::fnv1a(name.as_bytes()),
        })
    }

    /// Every job queued so far, leaving the queue empty.
    pub fn take(&self) -> Vec<Job> {
        self.jobs
            .lock()
            .map(|mut j| std::mem::take(&mut *j).into_values().collect())
            .unwrap_or_default()
    }
}

/// A job that failed: its name, the source, and why.
#[derive(Debug, Clone)]
pub struct Failure {
    pub name: String,
    pub source: Option<PathBuf>,
    pub message: String,
}

/// Make every job the cache lacks, in parallel (one decode per source):
/// (name, cached file) for each job done, and the failures. A job whose
/// source is another job's copy (a template resizing an earlier result)
/// waits for that copy: the jobs run in rounds.
pub fn process(jobs: Vec<Job>, cache: &Cache) -> (Vec<(String, PathBuf)>, Vec<Failure>) {
    let mut done = Vec::new();
    let mut failed = Vec::new();
    let mut pending = jobs;
    while !pending.is_empty() {
        let names: std::collections::HashSet<String> =
            pending.iter().map(|j| j.name.clone()).collect();
        let waits = |job: &Job| match &job.work {
            Work::Resize { source, .. } => {
                source.parent() == Some(cache.dir())
                    && source
                        .file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n != job.name && names.contains(n))
            }
            Work::Card { .. } => false,
        };
        let (later, now): (Vec<Job>, Vec<Job>) = pending.into_iter().partition(|j| waits(j));
        if now.is_empty() {
            // Cannot happen (a name holds the hash of its source): run them anyway.
            process_round(later, cache, &mut done, &mut failed);
            break;
        }
        process_round(now, cache, &mut done, &mut failed);
        pending = later;
    }
    (done, failed)
}

fn process_round(
    jobs: Vec<Job>,
    cache: &Cache,
    done: &mut Vec<(String, PathBuf)>,
    failed: &mut Vec<Failure>,
) {
    let mut by_source: BTreeMap<Option<PathBuf>, Vec<Job>> = BTreeMap::new();
    for job in jobs {
        let key = match &job.work {
            Work::Resize { source, .. } => Some(source.clone()),
            Work::Card { .. } => None,
        };
        by_source.entry(key).or_default().push(job);
    }
    let groups: Vec<(Option<PathBuf>, Vec<Job>)> = by_source.into_iter().collect();
    let results: Vec<Vec<Result<(String, PathBuf), Failure>>> = groups
        .into_par_iter()
        .map(|(source, jobs)| match source {
            Some(src) => resize_group(&src, jobs, cache),
            None => jobs.par_iter().map(|j| draw_card(j, cache)).collect(),
        })
        .collect();
    for r in results.into_iter().flatten() {
        match r {
            Ok(d) => done.push(d),
            Err(f) => failed.push(f),
        }
    }
}

/// The copies of one source: decoded once, and only when one is missing.
fn resize_group(
    src: &Path,
    jobs: Vec<Job>,
    cache: &Cache,
) -> Vec<Result<(String, PathBuf), Failure>> {
    let mut jobs = jobs;
    // Largest first: each smaller whole copy is resized from the one before.
    jobs.sort_by_key(|j| match &j.work {
        Work::Resize { plan, .. } => {
            std::cmp::Reverse(u64::from(plan.width) * u64::from(plan.height))
        }
        Work::Card { .. } => std::cmp::Reverse(0),
    });
    let mut decoded: Option<Result<image::DynamicImage, String>> = None;
    let mut larger = None;
    jobs.into_iter()
        .map(|job| {
            let Work::Resize {
                plan,
                format,
                quality,
                ..
            } = job.work
            else {
                unreachable!("grouped by source")
            };
            let made = cache.get_or_make(&job.name, || {
                let img = decoded
                    .get_or_insert_with(|| decode(src))
                    .as_ref()
                    .map_err(String::clone)?;
                let pixels = resize::from_larger(img, &mut larger, plan);
                encode::encode(&pixels, format, quality)
            });
            made.map(|p| (job.name.clone(), p))
                .map_err(|message| Failure {
                    name: job.name,
                    source: Some(src.to_path_buf()),
                    message,
                })
        })
        .collect()
}

/// The pixels of image file `src`.
pub fn decode(src: &Path) -> Result<image::DynamicImage, String> {
    image::ImageReader::open(src)
        .map_err(|e| e.to_string())
        .and_then(|r| r.with_guessed_format().map_err(|e| e.to_string()))
        .and_then(|r| r.decode().map_err(|e| e.to_string()))
}

fn draw_card(job: &Job, cache: &Cache) -> Result<(String, PathBuf), Failure> {
    let Work::Card { svg } = &job.work else {
        unreachable!("cards only")
    };
    cache
        .get_or_make(&job.name, || card::rasterise(svg))
        .map(|p| (job.name.clone(), p))
        .map_err(|message| Failure {
            name: job.name.clone(),
            source: None,
            message,
        })
}

/// Where a queued copy was asked for: the document slot and the position
/// of the image in its body (for an error that names the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub slot: usize,
    pub line: usize,
    pub column: usize,
}

/// The images of a site: per document slot, each [`ImageRef`] of its body
/// placed (or `None`: an outside image, or one the link stage reports),
/// and the jobs the build must run.
#[derive(Debug, Default)]
pub struct SiteImages {
    pub placed: Vec<Vec<Option<html::Placed>>>,
    pub jobs: std::sync::Arc<JobQueue>,
    /// The first image that asked for each job, by job name.
    pub origins: std::collections::HashMap<String, Origin>,
}

impl SiteImages {
    /// The placed images of document `slot` (empty when it has none).
    pub fn of(&self, slot: usize) -> &[Option<html::Placed>] {
        self.placed.get(slot).map_or(&[], Vec::as_slice)
    }
}
