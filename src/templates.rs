//! Templates: found on disk (site `templates/` overrides the theme's, file by
//! file), compiled once per build into a minijinja [`Environment`] with the
//! Zola-compatible functions and filters.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

/// Shortcodes fascia provides when neither the site nor the theme has one.
pub const BUILTIN_SHORTCODES: &[(&str, &str)] =
    &[("comparison", include_str!("builtin/comparison.html"))];

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
                    let (l, c) = crate::diagnostics::line_col(src, range.start);
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
/// `crate::render::environment`). Errors name the template at `file:line`.
pub fn compile(set: &TemplateSet, root: &Path) -> Result<Environment<'static>, Vec<Diagnostic>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
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
    env.set_formatter(html_formatter);
    let mut errors = Vec::new();
    for (name, (_, src)) in &set.files {
        if let Err(e) = env.add_template_owned(name.clone(), src.clone()) {
            errors.push(template_error(&e, set, root));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    register_filters(&mut env);
    Ok(env)
}

fn register_filters(env: &mut Environment<'static>) {
    env.add_filter(
        "date",
        |value: Value, kwargs: Kwargs| -> Result<String, Error> {
            let format: Option<String> = kwargs.get("format")?;
            let _: Option<Value> = kwargs.get("locale")?;
            let _: Option<Value> = kwargs.get("timezone")?;
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            let date = crate::content::date::SiteDate::parse(&text)
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, e))?;
            Ok(date
                .datetime
                .strftime(format.as_deref().unwrap_or("%Y-%m-%d"))
                .to_string())
        },
    );
    env.add_filter("slugify", |s: String| crate::markdown::slugify(&s));
    env.add_filter(
        "truncate",
        |s: String, kwargs: Kwargs| -> Result<String, Error> {
            let length: Option<usize> = kwargs.get("length")?;
            let end: Option<String> = kwargs.get("end")?;
            let length = length.unwrap_or(255);
            if s.chars().count() <= length {
                return Ok(s);
            }
            Ok(s.chars().take(length).collect::<String>() + end.as_deref().unwrap_or("…"))
        },
    );
    env.add_filter("striptags", |s: String| strip_tags(&s));
    env.add_filter("wordcount", |s: String| s.split_whitespace().count());
    env.add_filter(
        "json_encode",
        |v: Value, kwargs: Kwargs| -> Result<Value, Error> {
            let pretty: Option<bool> = kwargs.get("pretty")?;
            let text = if pretty.unwrap_or(false) {
                serde_json::to_string_pretty(&v)
            } else {
                serde_json::to_string(&v)
            }
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
            Ok(Value::from_safe_string(text))
        },
    );
    env.add_filter("as_str", |v: Value| v.to_string());
}

/// Escape like minijinja, but leave `/` alone so URLs stay readable.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Html)
        && !value.is_safe()
        && let Some(s) = value.as_str()
    {
        let mut escaped = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                '"' => escaped.push_str("&quot;"),
                '\'' => escaped.push_str("&#39;"),
                _ => escaped.push(c),
            }
        }
        return out
            .write_str(&escaped)
            .map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()));
    }
    minijinja::escape_formatter(out, state, value)
}

/// Remove HTML tags, keeping text.
pub fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
