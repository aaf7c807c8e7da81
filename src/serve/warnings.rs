//! The warnings `fascia serve` prints in the terminal. The first build's
//! come all, as `fascia build` prints them, once the site is served; after
//! that, a warning is printed once, when a change first raises it, and a
//! full rebuild says how many of those printed before it no longer raises.
//! A full build's warnings include the knowledge-base checks `fascia
//! build` makes beside its render (orphan pages, unlinked mentions,
//! references cited nowhere, ...), made here after its pages are served so
//! that no page waits for them. An edit that only re-renders its pages
//! reports its pages' own warnings (Markdown and links); the site-wide
//! checks are made again at the next full rebuild.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::report::{Verbosity, plural, print_diagnostics};
use crate::site::Site;

/// The warnings printed so far (as their uncoloured text; `None` before
/// the first build's), and a full build's, waiting to be printed.
#[derive(Default)]
pub struct Printed {
    printed: Mutex<Option<HashSet<String>>>,
    due: Mutex<Option<Diagnostics>>,
}

impl Printed {
    /// Keep a full build's `diags` until [`Printed::report_due`].
    pub fn due(&self, diags: Diagnostics) {
        *self.due.lock().unwrap_or_else(PoisonError::into_inner) = Some(diags);
    }

    /// The full build's warnings kept by [`Printed::due`], if any, with
    /// the knowledge-base checks of its `site`: print those not printed
    /// before, then how many there are and (after the first build) how
    /// many are new and how many printed before are gone.
    pub fn report_due(&self, site: Option<&Site>, v: Verbosity) {
        let Some(mut diags) = self
            .due
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        if let Some(site) = site {
            diags.extend(crate::knowledge::health::check(site));
        }
        diags.sort();
        let now: HashSet<String> = warnings(&diags).map(|d| d.render(false)).collect();
        let mut printed = self.printed.lock().unwrap_or_else(PoisonError::into_inner);
        let before = printed.take();
        let first = before.is_none();
        let seen = before.unwrap_or_default();
        let new = print_new(&diags, &seen, v);
        let gone = seen.difference(&now).count();
        if !v.quiet() {
            let count = plural(now.len(), "warning", "warnings");
            match first {
                true if !now.is_empty() => eprintln!("{count}"),
                false if new + gone > 0 => {
                    eprintln!("{count} now: {new} new, {gone} no longer raised");
                }
                _ => {}
            }
        }
        *printed = Some(now);
    }

    /// An edit's `diags` (its pages' own): print the warnings not printed
    /// before; the others printed stay (only a full build tells they are gone).
    pub fn edit(&self, diags: &Diagnostics, v: Verbosity) {
        let mut printed = self.printed.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = printed.get_or_insert_with(HashSet::new);
        print_new(diags, seen, v);
        seen.extend(warnings(diags).map(|d| d.render(false)));
    }
}

fn warnings(diags: &Diagnostics) -> impl Iterator<Item = &Diagnostic> {
    diags.items.iter().filter(|d| !d.is_error())
}

/// Print the warnings of `diags` not `printed` before; how many.
fn print_new(diags: &Diagnostics, printed: &HashSet<String>, v: Verbosity) -> usize {
    let new = Diagnostics {
        items: warnings(diags)
            .filter(|d| !printed.contains(&d.render(false)))
            .cloned()
            .collect(),
    };
    print_diagnostics(&new, v);
    new.items.len()
}
