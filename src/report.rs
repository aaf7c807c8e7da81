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
