//! `fascia build`: the conductor of a build, as its stages.
//!
//! link -> plan the output folders -> render (pages streamed to disk, link
//! health beside) -> the offline edition -> write -> report. Each stage is a
//! function; an error at any of them ends the run with every diagnostic
//! found so far, and nothing written (see `output::write`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use super::{BuildArgs, Progress, Verbosity, failed, plural, print_diagnostics};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::Output;
use crate::output::write::Sink;
use crate::pipeline::{self, BuildOptions, Linked};
use crate::render::{Destination, RenderState};

/// Where a build writes: the public edition, the offline one, the zip.
struct Targets {
    out_dir: PathBuf,
    offline_dir: PathBuf,
    /// The public edition is written (not `--offline` or `--zip` alone).
    public: bool,
    /// The offline edition is made (for its folder or the zip).
    offline: bool,
    /// The offline edition is written as a folder.
    offline_folder: bool,
}

/// What a successful build leaves to report.
struct Built {
    state: Arc<RenderState>,
    editions: Vec<(PathBuf, Output)>,
    offline: Option<Output>,
    diags: Diagnostics,
}

pub(super) fn build(args: &BuildArgs, v: Verbosity) -> ExitCode {
    let started = Instant::now();
    let progress = Progress::start(v);
    let clock = Clock {
        started,
        on: v.verbose() || std::env::var_os("FASCIA_TIMINGS").is_some(),
    };
    let run = || -> Result<Built, Diagnostics> {
        progress.stage("loading and linking");
        let (linked, targets) = link_and_plan(args)?;
        clock.lap("load+parse+link");
        progress.stage("rendering");
        let sink = open_sink(&targets, &linked.diagnostics)?;
        let (state, output, diags) = render(linked, sink.as_ref(), &clock)?;
        clock.lap("render");
        let (output, offline) = offline_edition(&targets, output, &state, &diags)?;
        progress.stage("writing");
        let built = write(args, &targets, sink, output, offline, state, diags)?;
        clock.lap("written");
        Ok(built)
    };
    match run() {
        Ok(built) => report(args, &progress, v, started, built),
        Err(diags) => failed(&progress, &diags, "build"),
    }
}

/// `timing: ...` lines for `-v` and `FASCIA_TIMINGS`.
struct Clock {
    started: Instant,
    on: bool,
}

impl Clock {
    fn lap(&self, what: &str) {
        if self.on {
            eprintln!(
                "timing: {what} {:.3} s{}",
                self.started.elapsed().as_secs_f64(),
                crate::timing::memory_note()
            );
        }
    }
}

/// `diags` with `d` added: how a later stage's error ends the run.
fn with(mut diags: Diagnostics, d: impl IntoIterator<Item = Diagnostic>) -> Diagnostics {
    diags.extend(d);
    diags.sort();
    diags
}

/// Load, parse and link; then decide the output folders and check them
/// against the guard.
fn link_and_plan(args: &BuildArgs) -> Result<(Linked, Targets), Diagnostics> {
    let root = super::find_root(args.root.root.as_deref());
    let opts = BuildOptions {
        root: root.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        serving: false,
    };
    let linked = match pipeline::load_and_link_all(&opts)? {
        l if l.diagnostics.has_errors() => {
            let health = crate::knowledge::health::check(&l.site);
            return Err(with(l.diagnostics, health));
        }
        l => l,
    };
    let out_dir = args
        .output_dir
        .clone()
        .unwrap_or_else(|| root.join(&linked.site.config.output_dir));
    let offline_only = args.offline || args.zip.is_some();
    let (offline_dir, offline_folder) =
        super::offline_target(args, &out_dir, linked.site.config.offline);
    let targets = Targets {
        public: !offline_only,
        offline: offline_only || linked.site.config.offline,
        offline_folder,
        out_dir,
        offline_dir,
    };
    let protected = super::source_dirs(&linked.site);
    let folders = [
        targets.public.then_some(&targets.out_dir),
        offline_folder.then_some(&targets.offline_dir),
    ];
    for dir in folders.into_iter().flatten() {
        if let Err(d) = crate::output::write::check_output_dir(dir, &root, &protected, args.force) {
            return Err(with(linked.diagnostics, [d]));
        }
    }
    Ok((linked, targets))
}

/// A plain build streams its pages to disk as they are rendered; the offline
/// edition and the zip are made from the whole output in memory.
fn open_sink(targets: &Targets, diags: &Diagnostics) -> Result<Option<Sink>, Diagnostics> {
    if targets.offline {
        return Ok(None);
    }
    Sink::new(&targets.out_dir)
        .map(Some)
        .map_err(|d| with(diags.clone(), [d]))
}

/// Render (into the sink when there is one), with the link health check
/// running beside it on another thread.
fn render(
    linked: Linked,
    sink: Option<&Sink>,
    clock: &Clock,
) -> Result<(Arc<RenderState>, Output, Diagnostics), Diagnostics> {
    let Linked {
        site,
        templates,
        diagnostics,
    } = linked;
    let state = Arc::new(RenderState::new(site));
    clock.lap("state ready");
    let (rendered, health) = std::thread::scope(|scope| {
        let health = scope.spawn(|| crate::knowledge::health::check(&state.site));
        let to = sink.map_or(Destination::Memory, |s| Destination::Stream(s));
        let rendered = pipeline::render_state(&state, &templates, diagnostics, to);
        (
            rendered,
            health.join().expect("health check does not panic"),
        )
    });
    let (output, diags) = match rendered {
        Ok(x) => x,
        Err(diags) => return Err(with(diags, health)),
    };
    let diags = with(diags, health);
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((state, output, diags))
}

/// The offline edition, when one is asked for. Without the public
/// edition, it is made from the output itself (each public page freed as its
/// offline copy is made: one edition in memory, not two), and the output
/// given back is empty.
fn offline_edition(
    targets: &Targets,
    output: Output,
    state: &RenderState,
    diags: &Diagnostics,
) -> Result<(Output, Option<Output>), Diagnostics> {
    if !targets.offline {
        return Ok((output, None));
    }
    let (public, from) = if targets.public {
        (output.clone(), output)
    } else {
        (Output::default(), output)
    };
    crate::output::offline::edition_from(from, &state.site, &targets.offline_dir)
        .map(|o| (public, Some(o)))
        .map_err(|e| with(diags.clone(), e))
}

/// Write every edition (each swapped in whole) and the zip.
fn write(
    args: &BuildArgs,
    targets: &Targets,
    sink: Option<Sink>,
    output: Output,
    offline: Option<Output>,
    state: Arc<RenderState>,
    diags: Diagnostics,
) -> Result<Built, Diagnostics> {
    let mut editions: Vec<(PathBuf, Output)> = Vec::new();
    let mut written = Ok(());
    if let Some(sink) = sink {
        written = sink.put_output(&output).and_then(|()| sink.commit());
        editions.push((targets.out_dir.clone(), output));
    } else {
        if targets.public {
            editions.push((targets.out_dir.clone(), output));
        }
        if let (true, Some(o)) = (targets.offline_folder, &offline) {
            editions.push((targets.offline_dir.clone(), o.clone()));
        }
        for (dir, out) in &editions {
            written = written.and_then(|()| crate::output::write::write_atomically(out, dir));
        }
        if let (Ok(()), Some(zip), Some(o)) = (&written, &args.zip, &offline) {
            let date = crate::output::archive::build_date(&state.site);
            let top =
                crate::output::archive::top_folder(&state.site.config.title, &targets.out_dir);
            written = crate::output::archive::write_zip(o, zip, date, &top);
        }
    }
    match written {
        Ok(()) => Ok(Built {
            state,
            editions,
            offline,
            diags,
        }),
        Err(d) => Err(with(diags, [d])),
    }
}

/// What was built, where, and the warnings.
fn report(
    args: &BuildArgs,
    progress: &Progress,
    v: Verbosity,
    started: Instant,
    built: Built,
) -> ExitCode {
    progress.finish();
    let Built {
        state,
        editions,
        offline,
        diags,
    } = built;
    print_diagnostics(&diags, v);
    if v.quiet() {
        return ExitCode::SUCCESS;
    }
    let mut written_to: Vec<String> = editions
        .iter()
        .map(|(d, _)| d.display().to_string())
        .collect();
    written_to.extend(args.zip.iter().map(|z| z.display().to_string()));
    eprintln!(
        "Built {}, {} in {:.2} s{} -> {}",
        plural(state.site.pages.len(), "page", "pages"),
        plural(state.site.sections.len(), "section", "sections"),
        started.elapsed().as_secs_f64(),
        match diags.warning_count() {
            0 => String::new(),
            n => format!(", {}", plural(n, "warning", "warnings")),
        },
        written_to.join(" and ")
    );
    if let Some(zip) = &args.zip {
        eprintln!("Offline edition zipped -> {}", zip.display());
    }
    if let Some(out) = editions.first().map(|(_, o)| o).or(offline.as_ref()) {
        crate::search::report(out);
    }
    // The process ends here: freeing every document, body and output file one
    // by one would take longer (about 0.05 s at 10,000 pages) than letting the
    // system take the memory back.
    std::mem::forget(editions);
    std::mem::forget(state);
    ExitCode::SUCCESS
}
