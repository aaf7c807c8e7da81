//! What a run prints besides its output: how much (`-q`, `-v`), its
//! diagnostics, and counts in words (`1 error`, `2,310 links`).

use std::io::IsTerminal;

use crate::diagnostics::Diagnostics;
pub use crate::diagnostics::{plural, thousands};

/// How much fascia prints besides errors (`-q`, `-v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    #[default]
    Normal,
    /// Stage timings and extra detail.
    Verbose,
}

impl Verbosity {
    pub fn quiet(self) -> bool {
        self == Self::Quiet
    }

    pub fn verbose(self) -> bool {
        self == Self::Verbose
    }
}

/// Colour only on a terminal, and never when `NO_COLOR` is set.
pub fn use_colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Print diagnostics to stderr (errors only when quiet).
pub fn print_diagnostics(diags: &Diagnostics, v: Verbosity) {
    let colour = use_colour();
    for d in diags.items.iter().filter(|d| d.is_error() || !v.quiet()) {
        eprint!("{}", d.render(colour));
    }
}

/// What fascia made of a site written for another tool (an Obsidian vault,
/// a Zola site): what it accepted, what it ignored and what needs an edit,
/// each grouped by kind with counts. `fascia check` prints it at the end
/// and carries it in `--format json` as `migration`.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Migration {
    pub accepted: Vec<KindCount>,
    pub ignored: Vec<KindCount>,
    pub needs_edit: Vec<KindCount>,
}

/// One kind and how many of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KindCount {
    pub kind: String,
    pub count: usize,
}

/// Warnings about settings and constructs fascia reads but does not use:
/// the site builds, and the thing has no effect.
const IGNORED: &[&str] = &[
    "unsupported-config-key",
    "unsupported-config-value",
    "unsupported-front-matter",
    "link-outside-content",
    "unknown-code-language",
];

/// Warnings about a knowledge base's health (suggestions for any site,
/// not part of a migration).
const HEALTH: &[&str] = &[
    "unlinked-mention",
    "orphan-page",
    "dead-end",
    "review-overdue",
    "uncited-work",
    "work-without-link",
    "work-without-year",
];

impl Migration {
    /// The report from a run's diagnostics and the constructs the site's
    /// content uses (`accepted`: kind and count; kinds with none are left
    /// out).
    pub fn of(diags: &Diagnostics, accepted: &[(&str, usize)]) -> Self {
        let mut ignored: Vec<KindCount> = Vec::new();
        let mut needs_edit: Vec<KindCount> = Vec::new();
        for d in &diags.items {
            let bucket = if !d.is_error() && IGNORED.contains(&d.code) {
                &mut ignored
            } else if !d.is_error() && HEALTH.contains(&d.code) {
                continue;
            } else {
                &mut needs_edit
            };
            match bucket.iter_mut().find(|k| k.kind == d.code) {
                Some(k) => k.count += 1,
                None => bucket.push(KindCount {
                    kind: d.code.to_string(),
                    count: 1,
                }),
            }
        }
        for list in [&mut ignored, &mut needs_edit] {
            list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
        }
        Self {
            accepted: accepted
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| KindCount {
                    kind: (*k).to_string(),
                    count: *n,
                })
                .collect(),
            ignored,
            needs_edit,
        }
    }

    /// The report as text, one kind a line under its heading.
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::from("Migration report:\n");
        for (title, list) in [
            ("accepted", &self.accepted),
            ("ignored (no effect)", &self.ignored),
            ("needs an edit", &self.needs_edit),
        ] {
            let total: usize = list.iter().map(|k| k.count).sum();
            let _ = writeln!(out, "  {title}: {}", thousands(total));
            for k in list {
                let _ = writeln!(out, "    {:>7}  {}", thousands(k.count), k.kind);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostic;

    #[test]
    fn diagnostics_are_grouped_by_kind() {
        let diags = Diagnostics {
            items: vec![
                Diagnostic::warning("unsupported-config-key", "a"),
                Diagnostic::warning("unsupported-config-key", "b"),
                Diagnostic::warning("orphan-page", "c"),
                Diagnostic::error("missing-page", "d"),
                Diagnostic::warning("image-without-alt", "e"),
                Diagnostic::error("missing-page", "f"),
            ],
        };
        let m = Migration::of(&diags, &[("wikilinks", 3), ("callouts", 0)]);
        let kc = |kind: &str, count| KindCount {
            kind: kind.to_string(),
            count,
        };
        assert_eq!(m.accepted, [kc("wikilinks", 3)]);
        assert_eq!(m.ignored, [kc("unsupported-config-key", 2)]);
        assert_eq!(
            m.needs_edit,
            [kc("missing-page", 2), kc("image-without-alt", 1)]
        );
        let text = m.text();
        assert!(
            text.contains("  needs an edit: 3\n          2  missing-page\n"),
            "{text}"
        );
    }
}
