//! `fascia clean`: remove what builds leave beside the output folder (see
//! `output::clean`), and say what went, with sizes.

use std::process::ExitCode;

use super::{CleanArgs, Verbosity, plural, print_diagnostics};
use crate::diagnostics::Diagnostics;

pub(super) fn clean(args: &CleanArgs, v: Verbosity) -> ExitCode {
    let root = super::find_root(args.root.root.as_deref());
    let (configured, sources) = match crate::pipeline::output_and_sources(&root) {
        Ok(found) => found,
        Err(diags) => {
            print_diagnostics(&diags, v);
            return ExitCode::FAILURE;
        }
    };
    let out = args.output_dir.clone().unwrap_or(configured);
    let report = match crate::output::clean::clean(&out, &root, &sources, args.cache) {
        Ok(r) => r,
        Err(d) => {
            let mut diags = Diagnostics::default();
            diags.push(d);
            print_diagnostics(&diags, v);
            eprintln!("clean failed: nothing was removed");
            return ExitCode::FAILURE;
        }
    };
    if let Some(from) = &report.restored {
        println!(
            "put back the output a killed build had set aside: {} -> {}",
            from.display(),
            out.display()
        );
    }
    let mut total = 0;
    for r in &report.removed {
        total += r.bytes;
        if !v.quiet() {
            println!(
                "removed {}: {} ({} in {})",
                r.path.display(),
                r.what,
                size(r.bytes),
                plural(
                    usize::try_from(r.files).unwrap_or(usize::MAX),
                    "file",
                    "files"
                )
            );
        }
    }
    for (path, why) in &report.left {
        eprintln!("left {}: {why}", path.display());
    }
    if !v.quiet() {
        if report.removed.is_empty() {
            println!("nothing to remove beside {}", out.display());
        } else {
            println!(
                "removed {} ({})",
                plural(report.removed.len(), "folder", "folders"),
                size(total)
            );
        }
    }
    ExitCode::SUCCESS
}

/// Bytes as people read them: `512 B`, `3.4 KB`, `12.0 MB`, `1.2 GB`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    #[allow(clippy::cast_precision_loss)]
    let mut n = bytes as f64 / 1024.0;
    let mut unit = 0;
    while n >= 1024.0 && unit < UNITS.len() - 1 {
        n /= 1024.0;
        unit += 1;
    }
    format!("{n:.1} {}", UNITS[unit])
}
