//! Command-line interface: `build`, `check`, `init` (and `serve`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::Diagnostics;
use crate::pipeline::{self, BuildOptions};

const EXAMPLES: &str = "\
Examples:
  fascia build                      build ./site (or the current folder if it has config.toml)
  fascia build --root my-site -o out
  fascia check --strict             every problem in one run; warnings count as errors
  fascia check --format json        diagnostics for editors and CI
  fascia serve --open               preview with live reload at http://127.0.0.1:1111/
  fascia init my-notes              start a new site";

#[derive(Parser, Debug)]
#[command(name = "fascia", version, about = "A static site generator for cross-linked knowledge bases", after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the site into the output folder (atomically)
    #[command(
        after_help = "Example:\n  fascia build --root site --output-dir public --base-url https://example.org"
    )]
    Build(BuildArgs),
    /// Check the site (links, anchors, citations, facts) without writing anything
    #[command(after_help = "Example:\n  fascia check --strict --format json")]
    Check(CheckArgs),
    /// Serve the site from memory with live reload (127.0.0.1 only by default)
    #[command(after_help = "Example:\n  fascia serve --port 1111 --open")]
    Serve(ServeArgs),
    /// Create a new site that builds with the default theme
    #[command(after_help = "Example:\n  fascia init my-notes && fascia build --root my-notes")]
    Init(InitArgs),
}

#[derive(clap::Args, Debug)]
struct RootArg {
    /// Site folder (holds config.toml). Default: the current folder if it has
    /// config.toml, else ./site
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct BuildArgs {
    #[command(flatten)]
    root: RootArg,
    /// Output folder (default: `output_dir` from config.toml, relative to the site root)
    #[arg(short = 'o', long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Override `base_url` from config.toml
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Include pages marked draft = true
    #[arg(long)]
    drafts: bool,
    /// Replace an output folder that fascia did not create
    #[arg(long)]
    force: bool,
    /// Build the offline edition: relative links with explicit index.html, for
    /// reading from a folder or zip with no server
    #[arg(long)]
    offline: bool,
    /// Also write the offline edition as a zip (with MANIFEST.txt); implies --offline
    #[arg(long, value_name = "PATH")]
    zip: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    root: RootArg,
    /// Include pages marked draft = true
    #[arg(long)]
    drafts: bool,
    /// Treat warnings as errors
    #[arg(long)]
    strict: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also render the offline edition in memory and check that every
    /// href/src in it resolves to a file of the edition
    #[arg(long)]
    offline: bool,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    root: RootArg,
    /// Address to listen on; anything but loopback exposes the preview to your network
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    interface: String,
    /// Port to listen on (the next free one is used if it is taken)
    #[arg(short, long, default_value_t = 1111)]
    port: u16,
    /// Open the site in the default browser
    #[arg(long)]
    open: bool,
    /// Include pages marked draft = true
    #[arg(long)]
    drafts: bool,
}

#[derive(clap::Args, Debug)]
struct InitArgs {
    /// Folder to create (must not exist or be empty)
    dir: PathBuf,
}

/// Parse arguments and run; the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Check(args) => check(&args),
        Command::Serve(args) => {
            let opts = crate::serve::ServeOptions {
                root: find_root(args.root.root.as_deref()),
                interface: args.interface,
                port: args.port,
                open: args.open,
                drafts: args.drafts,
            };
            match crate::serve::run(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Init(args) => match crate::init::create(&args.dir) {
            Ok(()) => {
                println!(
                    "Created a new site in {}. Build it with: fascia build --root {}",
                    args.dir.display(),
                    args.dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprint!("{}", e.render(use_colour()));
                ExitCode::FAILURE
            }
        },
    }
}

/// Colour only on a terminal, and never when `NO_COLOR` is set.
pub fn use_colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `--root`, else the current folder when it has config.toml, else ./site.
pub fn find_root(root: Option<&Path>) -> PathBuf {
    if let Some(r) = root {
        return r.to_path_buf();
    }
    if Path::new("config.toml").is_file() {
        return PathBuf::from(".");
    }
    PathBuf::from("site")
}

/// Print diagnostics to stderr.
pub fn print_diagnostics(diags: &Diagnostics) {
    let colour = use_colour();
    for d in &diags.items {
        eprint!("{}", d.render(colour));
    }
}

/// A spinner that appears only on a terminal and only after a second.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn start() -> Self {
        if !std::io::stderr().is_terminal() {
            return Self { bar: None };
        }
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("valid template"),
        );
        let b = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(1));
            if !b.is_finished() {
                b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                b.enable_steady_tick(Duration::from_millis(100));
            }
        });
        Self { bar: Some(bar) }
    }

    fn stage(&self, msg: &'static str) {
        if let Some(b) = &self.bar {
            b.set_message(msg);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

fn build(args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let root = find_root(args.root.root.as_deref());
    let opts = BuildOptions {
        root: root.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        serving: false,
    };
    let progress = Progress::start();
    let timings = std::env::var_os("FASCIA_TIMINGS").is_some();
    progress.stage("loading and linking");
    let linked = match pipeline::load_and_link(&opts) {
        Ok(l) => l,
        Err(diags) => return failed(&progress, &diags, "build"),
    };
    let out_dir = args
        .output_dir
        .clone()
        .unwrap_or_else(|| root.join(&linked.site.config.output_dir));
    let protected = source_dirs(&linked.site);
    if let Err(d) = crate::output::write::check_output_dir(&out_dir, &root, &protected, args.force)
    {
        let mut diags = linked.diagnostics;
        diags.push(d);
        return failed(&progress, &diags, "build");
    }
    if timings {
        eprintln!(
            "timing: load+parse+link {:.3} s{}",
            started.elapsed().as_secs_f64(),
            pipeline::memory_note()
        );
    }
    progress.stage("rendering");
    let (pages, sections) = (linked.site.pages.len(), linked.site.sections.len());
    let also_offline = linked.site.config.offline;
    let offline_only = args.offline || args.zip.is_some();
    let pipeline::Linked {
        site,
        templates,
        diagnostics,
    } = linked;
    let state = std::sync::Arc::new(crate::render::RenderState::new(site));
    if timings {
        eprintln!("timing: state ready{}", pipeline::memory_note());
    }
    // A plain build streams its pages to disk as they are rendered; the
    // offline edition and the zip are made from the whole output in memory.
    let sink = if offline_only || also_offline {
        None
    } else {
        match crate::output::write::Sink::new(&out_dir) {
            Ok(s) => Some(s),
            Err(d) => {
                let mut diags = diagnostics;
                diags.push(d);
                return failed(&progress, &diags, "build");
            }
        }
    };
    // Link health (CPU) runs beside rendering.
    let (rendered, health) = std::thread::scope(|scope| {
        let health = scope.spawn(|| {
            let h = crate::knowledge::health::check(&state.site);
            if timings {
                eprintln!("timing: health done{}", pipeline::memory_note());
            }
            h
        });
        let to = sink.as_ref().map_or(
            crate::render::Destination::Memory,
            crate::render::Destination::Disk,
        );
        let rendered = pipeline::render_state(&state, &templates, diagnostics, to);
        (
            rendered,
            health.join().expect("health check does not panic"),
        )
    });
    let (output, mut diags) = match rendered {
        Ok(x) => x,
        Err(mut diags) => {
            diags.extend(health);
            diags.sort();
            return failed(&progress, &diags, "build");
        }
    };
    diags.extend(health);
    diags.sort();
    if diags.has_errors() {
        return failed(&progress, &diags, "build");
    }
    if timings {
        eprintln!(
            "timing: render {:.3} s{}",
            started.elapsed().as_secs_f64(),
            pipeline::memory_note()
        );
    }
    let mut editions: Vec<(PathBuf, crate::output::Output)> = Vec::new();
    let offline_dir = if offline_only {
        out_dir.clone()
    } else {
        PathBuf::from(format!("{}-offline", out_dir.display()))
    };
    if offline_only || also_offline {
        if !offline_only
            && let Err(d) =
                crate::output::write::check_output_dir(&offline_dir, &root, &protected, args.force)
        {
            diags.push(d);
            return failed(&progress, &diags, "build");
        }
        match offline_edition(&output, &state.site, &offline_dir) {
            Ok(o) => editions.push((offline_dir.clone(), o)),
            Err(e) => {
                diags.extend(e);
                return failed(&progress, &diags, "build");
            }
        }
    }
    progress.stage("writing");
    let mut written = Ok(());
    if let Some(sink) = sink {
        written = sink.put_output(&output).and_then(|()| sink.commit());
        editions.insert(0, (out_dir.clone(), output));
    } else {
        if !offline_only {
            editions.insert(0, (out_dir.clone(), output));
        }
        for (dir, out) in &editions {
            written = written.and_then(|()| crate::output::write::write_atomically(out, dir));
        }
        if let (Ok(()), Some(zip)) = (&written, &args.zip) {
            let date = crate::output::archive::build_date(&state.site);
            written = crate::output::archive::write_zip(&editions[0].1, zip, date);
        }
    }
    if let Err(d) = written {
        diags.push(d);
        return failed(&progress, &diags, "build");
    }
    if timings {
        eprintln!(
            "timing: written {:.3} s{}",
            started.elapsed().as_secs_f64(),
            pipeline::memory_note()
        );
    }
    progress.finish();
    print_diagnostics(&diags);
    let warn = match diags.warning_count() {
        0 => String::new(),
        1 => ", 1 warning".to_string(),
        n => format!(", {n} warnings"),
    };
    let dirs: Vec<String> = editions
        .iter()
        .map(|(d, _)| d.display().to_string())
        .collect();
    eprintln!(
        "Built {pages} pages, {sections} sections in {:.2} s{warn} -> {}",
        started.elapsed().as_secs_f64(),
        dirs.join(" and ")
    );
    if let Some(zip) = &args.zip {
        eprintln!("Offline edition zipped -> {}", zip.display());
    }
    crate::search::report(&editions[0].1);
    // The process ends here: freeing every document, body and output file one
    // by one would take longer (about 0.05 s at 10,000 pages) than letting the
    // system take the memory back.
    std::mem::forget(editions);
    std::mem::forget(state);
    ExitCode::SUCCESS
}

/// The folders a site is built from beyond the standard ones under its root:
/// the theme in use (the parent of each static folder) and `themes_dir`.
fn source_dirs(site: &crate::site::Site) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = site
        .static_dirs
        .iter()
        .filter_map(|d| d.parent().map(Path::to_path_buf))
        .filter(|d| d != &site.root)
        .collect();
    if let Some(d) = &site.config.themes_dir {
        dirs.push(site.root.join(d));
    }
    dirs
}

/// The offline edition of a rendered site, with its manifest, checked:
/// every reference resolves to a file of the edition.
pub fn offline_edition(
    output: &crate::output::Output,
    site: &crate::site::Site,
    dir: &Path,
) -> Result<crate::output::Output, Vec<crate::diagnostics::Diagnostic>> {
    let mut out = output.clone();
    crate::output::offline::make_offline(&mut out, &site.config.base_url).map_err(|d| vec![d])?;
    let errors = crate::output::offline::check_links(
        &out,
        &site.config.base_url,
        &dir.display().to_string(),
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    let date = crate::output::archive::build_date(site);
    crate::output::archive::add_manifest(&mut out, date, site.pages.len() + site.sections.len())
        .map_err(|d| vec![d])?;
    Ok(out)
}

fn failed(progress: &Progress, diags: &Diagnostics, what: &str) -> ExitCode {
    progress.finish();
    print_diagnostics(diags);
    let n = diags.error_count();
    eprintln!(
        "{what} failed: {n} error{}; nothing was written and the previous output is untouched",
        if n == 1 { "" } else { "s" }
    );
    ExitCode::FAILURE
}

fn check(args: &CheckArgs) -> ExitCode {
    let root = find_root(args.root.root.as_deref());
    let opts = BuildOptions {
        root,
        base_url: None,
        drafts: args.drafts,
        serving: false,
    };
    let mut diags = match pipeline::load_and_link(&opts) {
        Ok(linked) => {
            let mut d = linked.diagnostics.clone();
            d.extend(crate::knowledge::health::check(&linked.site));
            if args.offline {
                let shown = PathBuf::from(format!("{}-offline", linked.site.config.output_dir));
                match pipeline::render(linked) {
                    Ok((state, output, _)) => {
                        if let Err(e) = offline_edition(&output, &state.site, &shown) {
                            d.extend(e);
                        }
                    }
                    Err(e) => d.extend(
                        e.items
                            .into_iter()
                            .filter(crate::diagnostics::Diagnostic::is_error),
                    ),
                }
            }
            d.sort();
            d
        }
        Err(d) => d,
    };
    if args.strict {
        diags.make_strict();
    }
    match args.format {
        Format::Json => {
            let summary = serde_json::json!({
                "errors": diags.error_count(),
                "warnings": diags.warning_count(),
            });
            let doc = serde_json::json!({ "diagnostics": diags.items, "summary": summary });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("diagnostics serialise")
            );
        }
        Format::Text => {
            print_diagnostics(&diags);
            eprintln!(
                "check: {} errors, {} warnings",
                diags.error_count(),
                diags.warning_count()
            );
        }
    }
    if diags.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
