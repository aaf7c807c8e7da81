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

/// What a site's content uses that fascia read, by kind: the migration
/// report's `accepted` (shown for a site written for another tool).
fn accepted(site: &crate::site::Site) -> Vec<(&'static str, usize)> {
    use crate::markdown::LinkKind;
    let mut links = [0usize; 5];
    let (mut blocks, mut callouts, mut diagrams, mut maths, mut marks, mut shortcodes) =
        (0, 0, 0, 0, 0, 0);
    for id in site.doc_ids() {
        let body = &site.doc(id).body;
        for l in &body.links {
            let slot = match l.kind {
                LinkKind::Wiki => 0,
                LinkKind::Embed => 1,
                LinkKind::File => 2,
                LinkKind::Tag => 3,
                LinkKind::Glossary => continue,
                _ => 4,
            };
            links[slot] += 1;
        }
        blocks += body.block_ids.len();
        shortcodes += body.shortcodes.len();
        let html = body.html();
        let count = |needle: &str| html.matches(needle).count();
        callouts +=
            count("<div class=\"callout callout-") + count("<details class=\"callout callout-");
        diagrams += count("<pre class=\"mermaid\">");
        maths += count("<math");
        marks += count("<mark>");
    }
    vec![
        ("pages", site.pages.len()),
        ("sections", site.sections.len()),
        ("wikilinks", links[0]),
        ("other links", links[4]),
        ("note embeds", links[1]),
        ("files (embeds and links)", links[2]),
        ("inline tags", links[3]),
        ("block ids", blocks),
        ("callouts", callouts),
        ("mermaid diagrams", diagrams),
        ("maths", maths),
        ("highlights", marks),
        ("shortcodes", shortcodes),
    ]
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
    let mut foreign: Option<(bool, Vec<(&'static str, usize)>)> = None;
    // Every problem of the run together: link errors do not stop the
    // health checks, whose warnings are reported beside them.
    let mut diags = match pipeline::load_and_link_all(&opts) {
        Ok(linked) => {
            lap("load, parse and link");
            checked = Some(Checked::of(&linked.site));
            foreign = Some((linked.site.config.obsidian, accepted(&linked.site)));
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
    // A site written for another tool (an Obsidian vault, or settings of
    // another tool ignored) gets the migration report.
    let migration = foreign.and_then(|(obsidian, accepted)| {
        let m = crate::report::Migration::of(&diags, &accepted);
        (obsidian || !m.ignored.is_empty()).then_some(m)
    });
    match args.format {
        Format::Json => {
            let summary = serde_json::json!({
                "errors": diags.error_count(),
                "warnings": diags.warning_count(),
                "checked": checked,
            });
            let mut doc = serde_json::json!({ "diagnostics": diags.items, "summary": summary });
            if let Some(m) = &migration {
                doc["migration"] = serde_json::json!(m);
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("diagnostics serialise")
            );
        }
        Format::Text => {
            print_diagnostics(&diags, v);
            if let Some(m) = &migration
                && !v.quiet()
            {
                eprint!("{}", m.text());
            }
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
