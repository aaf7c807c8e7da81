//! Templates: found on disk (site `templates/` overrides the theme's, file by
//! file), compiled once per build into a minijinja [`Environment`] with the
//! Zola-compatible functions and filters.
//!
//! Templates are written in Tera's syntax, as Zola's are: each is
//! translated to minijinja's ([`translate`]) as it is compiled, and Tera's
//! filters, tests and functions ([`filters`], [`collections`], [`testers`],
//! [`functions`]) and its way of printing values ([`printing`]) replace
//! minijinja's where they differ.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Error, UndefinedBehavior};
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

pub mod block_sets;
pub mod collections;
mod date_locales;
pub mod dates;
pub mod filters;
pub mod functions;
pub mod images;
pub mod macro_call;
pub mod printing;
pub mod set_global;
pub mod tera_lex;
pub mod testers;
pub mod theme;
pub mod title_case;
pub mod translate;

/// Shortcodes fascia provides when neither the site nor the theme has one.
pub const BUILTIN_SHORTCODES: &[(&str, &str)] = &[
    ("comparison", include_str!("../builtin/comparison.html")),
    ("fact_matrix", include_str!("../builtin/fact_matrix.html")),
    ("figure", include_str!("../builtin/figure.html")),
];

/// Template sources, by name (`page.html`, `shortcodes/note.html`).
#[derive(Debug, Clone, Default)]
pub struct TemplateSet {
    /// name -> (file on disk, source)
    pub files: BTreeMap<String, (PathBuf, String)>,
}

impl TemplateSet {
    /// Read every template under `dirs`, earlier folders winning.
    pub fn load(dirs: &[PathBuf]) -> Result<Self, Diagnostic> {
        let mut files = BTreeMap::new();
        for dir in dirs {
            if !dir.is_dir() {
                continue;
            }
            for entry in WalkDir::new(dir).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    Diagnostic::error("io", format!("cannot read {}: {e}", dir.display()))
                })?;
                let name_os = entry.file_name().to_string_lossy();
                if !entry.file_type().is_file() || crate::content::is_editor_junk(&name_os) {
                    continue;
                }
                let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                if files.contains_key(&name) {
                    continue;
                }
                let src = std::fs::read_to_string(entry.path()).map_err(|e| {
                    Diagnostic::error("io", format!("cannot read {}: {e}", entry.path().display()))
                        .in_file(entry.path())
                })?;
                files.insert(name, (entry.path().to_path_buf(), src));
            }
        }
        for (name, src) in BUILTIN_SHORTCODES {
            files
                .entry(format!("shortcodes/{name}.html"))
                .or_insert_with(|| {
                    (
                        PathBuf::from(format!("<built-in shortcodes/{name}.html>")),
                        (*src).to_string(),
                    )
                });
        }
        // As Zola: a site whose templates have no not-found page gets Zola's.
        files.entry("404.html".to_string()).or_insert_with(|| {
            (
                PathBuf::from("<built-in 404.html>"),
                include_str!("../builtin/404.html").to_string(),
            )
        });
        // And Zola's robots.txt, unless the site or theme has its own.
        files.entry("robots.txt".to_string()).or_insert_with(|| {
            (
                PathBuf::from("<built-in robots.txt>"),
                include_str!("../builtin/robots.txt").to_string(),
            )
        });
        Ok(Self { files })
    }

    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    pub fn has_shortcode(&self, name: &str) -> bool {
        self.files.contains_key(&format!("shortcodes/{name}.html"))
    }

    /// Where a template came from, for diagnostics.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.files
            .get(name)
            .map_or_else(|| PathBuf::from(name), |(p, _)| p.clone())
    }
}

/// A minijinja error as a diagnostic naming the template file and line.
pub fn template_error(err: &Error, set: &TemplateSet, root: &Path) -> Diagnostic {
    let mut detail = err.to_string();
    let mut source: Option<&Error> =
        std::error::Error::source(err).and_then(|s| s.downcast_ref::<Error>());
    while let Some(inner) = source {
        let _ = write!(detail, ": {inner}");
        source = std::error::Error::source(inner).and_then(|s| s.downcast_ref::<Error>());
    }
    let d = Diagnostic::error("template", detail);
    // An error inside an include or a macro is located where it happened:
    // the innermost error that names a template and a line.
    let mut err = err;
    let mut inner = std::error::Error::source(err).and_then(|s| s.downcast_ref::<Error>());
    while let Some(e) = inner {
        if e.name().is_some() && e.line().is_some() {
            err = e;
        }
        inner = std::error::Error::source(e).and_then(|s| s.downcast_ref::<Error>());
    }
    match err.name() {
        Some(name) => {
            let path = set.path_of(name);
            let shown = path
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or(path);
            let src = set.files.get(name).map_or("", |(_, s)| s.as_str());
            match (err.line(), err.range()) {
                (Some(line), Some(range)) => {
                    let imports =
                        translate::Imports::gather(set.files.values().map(|(_, s)| s.as_str()));
                    let at =
                        translate::translate_in(src, name, &imports).original_offset(range.start);
                    let (l, c) = crate::diagnostics::line_col(src, at);
                    d.at(
                        shown,
                        src,
                        if l == line { l } else { line },
                        if l == line { c } else { 1 },
                    )
                }
                (Some(line), None) => d.at(shown, src, line, 1),
                _ => d.in_file(shown),
            }
        }
        None => d,
    }
}

/// Compile every template into an environment with the filters that need
/// no site (render adds the functions and filters that read the site:
/// `crate::render::environment`). Errors name the template, line and column.
pub fn compile(set: &TemplateSet, root: &Path) -> Result<Environment<'static>, Vec<Diagnostic>> {
    let mut env = base_env();
    let mut errors = Vec::new();
    let imports = translate::Imports::gather(set.files.values().map(|(_, s)| s.as_str()));
    for (name, (_, src)) in &set.files {
        let source = translate::translate_in(src, name, &imports).source;
        if let Err(e) = env.add_template_owned(name.clone(), source) {
            errors.push(template_error(&e, set, root));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    register_all(&mut env);
    Ok(env)
}

/// Zola's `anchor-link.html` of the site or its theme, rendered for heading
/// levels 1 to 6 with the id left as [`crate::config::ANCHOR_ID`] (Zola
/// gives it `id`, `level` and `lang`); `None` when there is no such template.
pub fn anchor_link_html(
    set: &TemplateSet,
    root: &Path,
    lang: &str,
) -> Result<Option<Vec<String>>, Diagnostic> {
    const NAME: &str = "anchor-link.html";
    let Some((_, src)) = set.files.get(NAME) else {
        return Ok(None);
    };
    let mut env = base_env();
    register_all(&mut env);
    let source = translate::translate(src).source;
    env.add_template_owned(NAME, source)
        .map_err(|e| template_error(&e, set, root))?;
    let tmpl = env
        .get_template(NAME)
        .map_err(|e| template_error(&e, set, root))?;
    (1..=6)
        .map(|level| {
            let ctx = minijinja::context! { id => crate::config::ANCHOR_ID, level, lang };
            tmpl.render(ctx).map_err(|e| template_error(&e, set, root))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn register_all(env: &mut Environment<'static>) {
    filters::register(env);
    collections::register(env);
    testers::register(env);
    functions::register(env);
    set_global::register(env);
    macro_call::register(env);
}

/// An environment with Tera's undefined, escaping, syntax and printing.
fn base_env() -> Environment<'static> {
    let mut env = Environment::new();
    // Tera reads an attribute of something undefined as undefined (falsy).
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".svg") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("default syntax is valid"),
    );
    env.set_formatter(printing::tera_formatter);
    env
}

pub use filters::strip_tags;

#[cfg(test)]
#[path = "compat_tests.rs"]
mod compat_tests;
