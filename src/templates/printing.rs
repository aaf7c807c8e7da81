//! How `{{ value }}` prints, as in Tera: booleans `true`/`false`, none and
//! undefined nothing, floats as Rust prints them (`3`, `2.5`), arrays as
//! `[a, b]`, maps as `[object]`. HTML is escaped like minijinja does, but
//! `/` is left alone so URLs stay readable.

use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Error, ErrorKind, Output, State};

/// The environment's formatter (see the module doc).
pub fn tera_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    let html = matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe();
    let text = match value.kind() {
        ValueKind::Undefined | ValueKind::None => return Ok(()),
        // Written as it is, not copied first: a page's body may be 50 MB.
        ValueKind::String if value.as_str().is_some() => {
            let s = value.as_str().unwrap_or_default();
            let written = if html {
                out.write_str(&escape_html(s))
            } else {
                out.write_str(s)
            };
            return written.map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()));
        }
        ValueKind::String => value.to_string(),
        ValueKind::Bool | ValueKind::Number | ValueKind::Seq | ValueKind::Map => tera_text(value),
        _ => return minijinja::escape_formatter(out, state, value),
    };
    let written = if html {
        out.write_str(&escape_html(&text))
    } else {
        out.write_str(&text)
    };
    written.map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
}

/// A value as Tera prints it (strings unquoted, also inside arrays).
pub fn tera_text(value: &Value) -> String {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::Bool => value.is_true().to_string(),
        ValueKind::Number if !value.is_integer() => {
            f64::try_from(value.clone()).map_or_else(|_| value.to_string(), |f| f.to_string())
        }
        ValueKind::Seq => {
            let items: Vec<String> = value
                .try_iter()
                .map(|it| it.map(|v| tera_text(&v)).collect())
                .unwrap_or_default();
            format!("[{}]", items.join(", "))
        }
        ValueKind::Map => "[object]".to_string(),
        _ => value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string),
    }
}

/// `& < > " '` as entities (not `/`).
pub fn escape_html(s: &str) -> String {
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
    escaped
}
