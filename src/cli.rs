//! Command-line interface: `build`, `check`, `clean`, `init` (and `serve`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::Diagnostics;

mod build;
mod check;
mod clean;

pub use crate::report::{Verbosity, plural, print_diagnostics, thousands, use_colour};
use check::check;

const EXAMPLES: &str = "\
Examples:
  fascia build                      build ./site (or the current folder if it has config.toml)
  fascia build --root my-site -o out
  fascia check --strict             every problem in one run; warnings count as errors
  fascia check --format json        diagnostics for editors and CI
  fascia serve --open               preview with live reload at http://127.0.0.1:1111/
  fascia clean                      remove what builds leave beside the output folder
  fascia init my-notes              start a new site";

#[derive(Parser, Debug)]
#[command(name = "fascia", version, about = "A static site generator for cross-linked knowledge bases", after_help = EXAMPLES)]
struct Cli {
    /// Print errors only
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: stage timings and extra detail
    #[arg(short, long, global = true)]
    verbose: bool,
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
    /// Remove what builds leave beside the output folder (the standby tree,
    /// staging folders of killed builds) and, with --cache, the image cache
    #[command(
        after_help = "Examples:\n  fascia clean                      beside ./site's output folder\n  fascia clean --root my-site -o out --cache"
    )]
    Clean(CleanArgs),
    /// Create a new site that builds with the default theme
    #[command(after_help = "Example:\n  fascia init my-notes && cd my-notes && fascia serve")]
    Init(InitArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  fascia completions bash > ~/.local/share/bash-completion/completions/fascia\n  fascia completions zsh > ~/.zfunc/_fascia\n  fascia completions fish > ~/.config/fish/completions/fascia.fish"
    )]
    Completions(CompletionsArgs),
}

#[derive(clap::Args, Debug)]
struct CleanArgs {
    #[command(flatten)]
    root: RootArg,
    /// Output folder whose leftovers to remove (default: `output_dir` from
    /// config.toml, relative to the site root)
    #[arg(short = 'o', long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Also remove the image cache (`.fascia-cache/` under the site root);
    /// the next build makes its resized images again
    #[arg(long)]
    cache: bool,
}

#[derive(clap::Args, Debug)]
struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    shell: clap_complete::Shell,
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
    /// Build the offline edition (relative links with explicit index.html, for
    /// reading from a folder with no server) into `<output>-offline`, or into
    /// -o DIR; the public edition is left as it is
    #[arg(long)]
    offline: bool,
    /// Write the offline edition as a zip at PATH (everything under one
    /// folder named after the site, with MANIFEST.txt); writes no folder
    /// unless --offline is also given
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
    /// An Obsidian vault to build as it is: DIR gets a config.toml with
    /// `obsidian = true`, the default theme, and `content` as a link to the
    /// vault (its notes are not touched)
    #[arg(long, value_name = "VAULT")]
    from_obsidian: Option<PathBuf>,
}

/// Parse arguments and run; the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let v = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    match cli.command {
        Command::Build(args) => build::build(&args, v),
        Command::Check(args) => check(&args, v),
        Command::Clean(args) => clean::clean(&args, v),
        Command::Serve(args) => {
            let opts = crate::serve::ServeOptions {
                root: find_root(args.root.root.as_deref()),
                interface: args.interface,
                port: args.port,
                open: args.open,
                drafts: args.drafts,
                verbosity: v,
            };
            match crate::serve::run(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Init(args) => match &args.from_obsidian {
            Some(vault) => match crate::init::from_obsidian(vault, &args.dir) {
                Ok(()) => {
                    if !v.quiet() {
                        println!(
                            "Created {} for the vault {}: fascia check --root {} shows what it makes of it.",
                            args.dir.display(),
                            vault.display(),
                            args.dir.display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprint!("{}", d.render(crate::report::use_colour()));
                    ExitCode::FAILURE
                }
            },
            None => init(&args.dir, v),
        },
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "fascia", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

fn init(dir: &Path, v: Verbosity) -> ExitCode {
    match crate::init::create(dir) {
        Ok(()) => {
            if !v.quiet() {
                let shown = dir.display().to_string();
                // Quoted for the shell when it would split or expand it.
                let cd = if shown
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_./".contains(c))
                {
                    shown.clone()
                } else {
                    format!("'{}'", shown.replace('\'', "'\\''"))
                };
                println!("Created a new site in {shown}.");
                println!("Next: cd {cd} && fascia serve");
                println!(
                    "(then open http://127.0.0.1:1111/; `fascia build` writes it to {shown}/public/)"
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{}", e.render(use_colour()));
            ExitCode::FAILURE
        }
    }
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

/// A spinner that appears only on a terminal and only after a second.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    /// What the run prints (see [`failed`]).
    v: Verbosity,
}

impl Progress {
    fn start(v: Verbosity) -> Self {
        if !std::io::stderr().is_terminal() || v.quiet() {
            return Self { bar: None, v };
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
        Self { bar: Some(bar), v }
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

/// Where the offline edition goes, and whether it is written as a folder:
/// `-o DIR --offline` writes it to DIR; `--offline` alone (or `offline =
/// true` in config.toml, beside the public edition) to `<output>-offline`,
/// never over the public edition; `--zip` alone writes only the zip.
fn offline_target(args: &BuildArgs, out_dir: &Path, in_config: bool) -> (PathBuf, bool) {
    let dir = match (&args.output_dir, args.offline) {
        (Some(dir), true) => dir.clone(),
        _ => PathBuf::from(format!("{}-offline", out_dir.display())),
    };
    let folder = args.offline || (in_config && args.zip.is_none());
    (dir, folder)
}

fn failed(progress: &Progress, diags: &Diagnostics, what: &str) -> ExitCode {
    progress.finish();
    print_diagnostics(diags, progress.v);
    eprintln!(
        "{what} failed: {}{}; nothing was written and the previous output is untouched",
        plural(diags.error_count(), "error", "errors"),
        match diags.warning_count() {
            0 => String::new(),
            n if progress.v.quiet() => format!(" ({} not shown)", plural(n, "warning", "warnings")),
            n => format!(", {}", plural(n, "warning", "warnings")),
        }
    );
    ExitCode::FAILURE
}
