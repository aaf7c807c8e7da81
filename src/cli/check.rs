//! `fascia check`: every problem of the site in one run, errors and
//! warnings together, and a line saying what was checked.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::{CheckArgs, Format, Verbosity, find_root, plural, print_diagnostics};
use crate::pipeline::{self, BuildOptions};

/// What `check` looked at, for its summary line.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
struct Checked {
    pages: usize,
    sections: usize,
    links: usize,
}

impl Checked {
    fn of(site: &crate::site::Site) -> Self {
        let links = site
            .doc_ids()
            .map(|id| {
                let links = &site.doc(id).body.links;
                links
                    .iter()
                    .filter(|l| l.kind != crate::markdown::LinkKind::Glossary)
                    .count()
            })
            .sum();
        Self {
            pages: site.pages.len(),
            sections: site.sections.len(),
            links,
        }
    }
}

pub(super) fn check(args: &CheckArgs, v: Verbosity) -> ExitCode {
    let started = Instant::now();
    let lap = |what: &str| {
        if v.verbose() {
            eprintln!(
                "timing: {what} done at {:.3} s",
                started.elapsed().as_secs_f64()
            );
        }
    };
    let root = find_root(args.root.root.as_deref());
    let opts = BuildOptions {
        root,
        base_url: None,
        drafts: args.drafts,
        serving: false,
    };
    let mut checked = None;
    // Every problem of the run together: link errors do not stop the
    // health checks, whose warnings are reported beside them.
    let mut diags = match pipeline::load_and_link_all(&opts) {
        Ok(linked) => {
            lap("load, parse and link");
            checked = Some(Checked::of(&linked.site));
            let mut d = linked.diagnostics.clone();
            // Every template compiled, so syntax errors show without a build.
            if let Err(errors) = crate::templates::compile(&linked.templates, &linked.site.root) {
                d.extend(errors);
            }
            d.extend(crate::knowledge::health::check(&linked.site));
            lap("link health");
            if args.offline && !d.has_errors() {
                let shown = PathBuf::from(format!("{}-offline", linked.site.config.output_dir));
                match pipeline::render(linked) {
                    Ok((state, output, _)) => {
                        if let Err(e) =
                            crate::output::offline::edition(&output, &state.site, &shown)
                        {
                            d.extend(e);
                        }
                    }
                    Err(e) => d.extend(
                        e.items
                            .into_iter()
                            .filter(crate::diagnostics::Diagnostic::is_error),
                    ),
                }
                lap("offline edition");
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
                "checked": checked,
            });
            let doc = serde_json::json!({ "diagnostics": diags.items, "summary": summary });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("diagnostics serialise")
            );
        }
        Format::Text => {
            print_diagnostics(&diags, v);
            let problems = match (diags.error_count(), diags.warning_count()) {
                (0, 0) => "no problems".to_string(),
                (e, 0) => plural(e, "error", "errors"),
                (0, w) => plural(w, "warning", "warnings"),
                (e, w) => format!(
                    "{}, {}",
                    plural(e, "error", "errors"),
                    plural(w, "warning", "warnings")
                ),
            };
            if !v.quiet() || diags.has_errors() {
                match checked {
                    Some(c) => eprintln!(
                        "Checked {}, {}, {}: {problems}",
                        plural(c.pages, "page", "pages"),
                        plural(c.sections, "section", "sections"),
                        plural(c.links, "link", "links"),
                    ),
                    None => eprintln!(
                        "check: {problems} (the site could not be read whole, so links were not checked)"
                    ),
                }
            }
        }
    }
    if diags.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
