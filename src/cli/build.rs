//! `fascia build`: the conductor of a build, as its stages.
//!
//! link -> plan the output folders -> render (pages streamed to disk, the
//! offline edition rewritten as they come, link health beside) -> write the
//! rest and commit -> report. Each stage is a function; an error at any of
//! them ends the run with every diagnostic found so far, and nothing written
//! (see `output::write`). Only the zip is made from a whole edition in memory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use super::{BuildArgs, Progress, Verbosity, failed, plural, print_diagnostics};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::Output;
use crate::output::offline::OfflineStream;
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
    /// The folders written, in order.
    editions: Vec<PathBuf>,
    /// The files built in memory (render streams the pages to disk): what
    /// the search summary reads.
    output: Output,
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
        let built = if args.zip.is_some() {
            in_memory(args, &targets, linked, &clock, &progress)?
        } else {
            streamed(&targets, linked, &clock, &progress)?
        };
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

/// The folders a streamed build writes into: the public edition's, the
/// offline edition's (each when asked for).
struct Sinks {
    public: Option<Sink>,
    offline: Option<Sink>,
}

fn open_sinks(targets: &Targets, diags: &Diagnostics) -> Result<Sinks, Diagnostics> {
    let open = |on: bool, dir: &PathBuf| -> Result<Option<Sink>, Diagnostics> {
        on.then(|| Sink::new(dir).map_err(|d| with(diags.clone(), [d])))
            .transpose()
    };
    Ok(Sinks {
        public: open(targets.public, &targets.out_dir)?,
        offline: open(targets.offline_folder, &targets.offline_dir)?,
    })
}

/// A build into folders: every page written as it is rendered, into the
/// public edition and, rewritten, into the offline one; then the files
/// render kept (search index, feeds, static files), the offline edition's
/// link check and manifest, and each folder swapped in.
fn streamed(
    targets: &Targets,
    linked: Linked,
    clock: &Clock,
    progress: &Progress,
) -> Result<Built, Diagnostics> {
    let sinks = open_sinks(targets, &linked.diagnostics)?;
    let stream = sinks.offline.as_ref().map(|offline| {
        OfflineStream::new(
            offline,
            sinks.public.as_ref(),
            &linked.site,
            &targets.offline_dir,
        )
    });
    let to = match (&stream, &sinks.public) {
        (Some(s), _) => Destination::Stream(s),
        (None, Some(p)) => Destination::Stream(p),
        (None, None) => Destination::Memory,
    };
    let (state, output, diags) = render(linked, to, clock)?;
    clock.lap("render");
    progress.stage("writing");
    let failed = |d| with(diags.clone(), d);
    if let Some(stream) = stream {
        stream.put_output(&output).map_err(|d| failed(vec![d]))?;
        clock.lap("rest of the output written");
        let site = &state.site;
        let date = crate::output::archive::build_date(site);
        stream
            .finish(date, site.pages.len() + site.sections.len())
            .map_err(failed)?;
    } else if let Some(public) = &sinks.public {
        public.put_output(&output).map_err(|d| failed(vec![d]))?;
    }
    let mut editions = Vec::new();
    for (sink, dir) in [
        (sinks.public, &targets.out_dir),
        (sinks.offline, &targets.offline_dir),
    ] {
        if let Some(sink) = sink {
            sink.commit().map_err(|d| failed(vec![d]))?;
            editions.push(dir.clone());
        }
    }
    Ok(Built {
        state,
        editions,
        output,
        diags,
    })
}

/// A build with a zip: the offline edition made from the whole output in
/// memory (the zip is written from it), the folders beside.
fn in_memory(
    args: &BuildArgs,
    targets: &Targets,
    linked: Linked,
    clock: &Clock,
    progress: &Progress,
) -> Result<Built, Diagnostics> {
    let (state, output, diags) = render(linked, Destination::Memory, clock)?;
    clock.lap("render");
    let (output, offline) = offline_edition(targets, output, &state, &diags)?;
    progress.stage("writing");
    write(args, targets, output, offline, state, diags)
}

/// Render (into the sink when there is one), with the link health check
/// running beside it on another thread.
fn render(
    linked: Linked,
    to: Destination<'_>,
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

/// Write every edition held in memory (each swapped in whole) and the zip.
fn write(
    args: &BuildArgs,
    targets: &Targets,
    output: Output,
    offline: Option<Output>,
    state: Arc<RenderState>,
    diags: Diagnostics,
) -> Result<Built, Diagnostics> {
    let mut editions: Vec<(&PathBuf, &Output)> = Vec::new();
    if targets.public {
        editions.push((&targets.out_dir, &output));
    }
    if let (true, Some(o)) = (targets.offline_folder, &offline) {
        editions.push((&targets.offline_dir, o));
    }
    let mut written = Ok(());
    for (dir, out) in &editions {
        written = written.and_then(|()| crate::output::write::write_atomically(out, dir));
    }
    if let (Ok(()), Some(zip), Some(o)) = (&written, &args.zip, &offline) {
        let date = crate::output::archive::build_date(&state.site);
        let top = crate::output::archive::top_folder(&state.site.config.title, &targets.out_dir);
        written = crate::output::archive::write_zip(o, zip, date, &top);
    }
    if let Err(d) = written {
        return Err(with(diags, [d]));
    }
    let editions = editions.into_iter().map(|(d, _)| d.clone()).collect();
    let output = if targets.public {
        output
    } else {
        offline.unwrap_or_default()
    };
    Ok(Built {
        state,
        editions,
        output,
        diags,
    })
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
        output,
        diags,
    } = built;
    print_diagnostics(&diags, v);
    if v.quiet() {
        return ExitCode::SUCCESS;
    }
    let mut written_to: Vec<String> = editions.iter().map(|d| d.display().to_string()).collect();
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
    crate::search::report(&output);
    // The process ends here: freeing every document, body and output file one
    // by one would take longer (about 0.05 s at 10,000 pages) than letting the
    // system take the memory back.
    std::mem::forget(output);
    std::mem::forget(state);
    ExitCode::SUCCESS
}
