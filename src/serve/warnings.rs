//! The warnings `fascia serve` prints in the terminal. The first build's
//! come all, as `fascia build` prints them; after that, a warning is
//! printed once, when a change first raises it, and a full rebuild says how
//! many of those printed before it no longer raises. An edit that only
//! re-renders its pages reports its pages' own warnings (Markdown and
//! links); the site-wide checks (orphan pages, unlinked mentions, ...) are
//! made again at the next full rebuild.

use std::collections::HashSet;
use std::sync::Mutex;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::report::{Verbosity, plural, print_diagnostics};

/// The warnings printed so far (as their uncoloured text).
#[derive(Default)]
pub struct Printed(Mutex<HashSet<String>>);

impl Printed {
    /// A full build's `diags`: print its warnings not printed before, and
    /// how many printed before are gone; they are the site's warnings now.
    pub fn full(&self, diags: &Diagnostics, v: Verbosity) {
        let now: HashSet<String> = warnings(diags).map(|d| d.render(false)).collect();
        let mut printed = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        print_new(diags, &printed, v);
        let gone = printed.difference(&now).count();
        if gone > 0 && !v.quiet() {
            eprintln!(
                "{} printed before no longer raised",
                plural(gone, "warning", "warnings")
            );
        }
        *printed = now;
    }

    /// An edit's `diags` (its pages' own): print the warnings not printed
    /// before; the others printed stay (only a full build tells they are gone).
    pub fn edit(&self, diags: &Diagnostics, v: Verbosity) {
        let mut printed = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        print_new(diags, &printed, v);
        printed.extend(warnings(diags).map(|d| d.render(false)));
    }
}

fn warnings(diags: &Diagnostics) -> impl Iterator<Item = &Diagnostic> {
    diags.items.iter().filter(|d| !d.is_error())
}

fn print_new(diags: &Diagnostics, printed: &HashSet<String>, v: Verbosity) {
    let new = Diagnostics {
        items: warnings(diags)
            .filter(|d| !printed.contains(&d.render(false)))
            .cloned()
            .collect(),
    };
    print_diagnostics(&new, v);
}
