//! Tera's and Zola's filters on strings and numbers, with Tera's keyword
//! arguments (`replace(from=, to=)`, `default(value=)`, ...). Each also
//! takes its arguments by position, as minijinja's own do, so templates
//! written for minijinja keep working.

use minijinja::value::{Kwargs, Rest, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::printing::tera_text;

/// Arguments of a filter or function: Tera passes them by name, Jinja by
/// position.
pub struct Args {
    pos: Vec<Value>,
    kw: Kwargs,
    what: &'static str,
}

impl Args {
    pub fn new(what: &'static str, pos: Rest<Value>, kw: Kwargs) -> Self {
        Self {
            pos: pos.0,
            kw,
            what,
        }
    }

    /// How many arguments were passed by position.
    pub fn positional(&self) -> usize {
        self.pos.len()
    }

    /// The argument named `name`, else the `i`-th positional one.
    pub fn value(&self, i: usize, name: &str) -> Result<Option<Value>, Error> {
        if self.kw.has(name) {
            return self.kw.get::<Value>(name).map(Some);
        }
        Ok(self.pos.get(i).cloned())
    }

    pub fn string(&self, i: usize, name: &str) -> Result<Option<String>, Error> {
        Ok(self.value(i, name)?.map(|v| tera_text(&v)))
    }

    pub fn int(&self, i: usize, name: &str) -> Result<Option<i64>, Error> {
        self.value(i, name)?
            .map(|v| {
                i64::try_from(v.clone())
                    .or_else(|_| f64::try_from(v.clone()).map(|f| f as i64))
                    .map_err(|_| self.error(format!("`{name}` must be a number, not {v}")))
            })
            .transpose()
    }

    pub fn bool(&self, i: usize, name: &str) -> Result<Option<bool>, Error> {
        Ok(self.value(i, name)?.map(|v| v.is_true()))
    }

    pub fn required(&self, i: usize, name: &str) -> Result<Value, Error> {
        self.value(i, name)?
            .ok_or_else(|| self.error(format!("expected an argument `{name}`")))
    }

    pub fn required_string(&self, i: usize, name: &str) -> Result<String, Error> {
        self.required(i, name).map(|v| tera_text(&v))
    }

    pub fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("`{}`: {message}", self.what),
        )
    }
}

/// The text of a value a string filter was applied to.
fn text(v: &Value) -> String {
    tera_text(v)
}

/// Marks every keyword argument read, for a filter that returns early.
fn consume(kw: &Kwargs) {
    for k in kw.args() {
        let _ = kw.get::<Value>(k);
    }
}

/// A filter that leaves an undefined value undefined, so a `default`
/// later in the chain still applies: `x | trim | default(value="y")` is
/// `y` when `x` is undefined (Tera fails on it; minijinja alone gives "").
fn keep_undefined<R: Into<Value> + 'static>(
    f: fn(&Value, Rest<Value>, Kwargs) -> Result<R, Error>,
) -> impl Fn(&Value, Rest<Value>, Kwargs) -> Result<Value, Error> + Send + Sync + 'static {
    move |v, rest, kw| {
        if v.is_undefined() {
            consume(&kw);
            Ok(Value::UNDEFINED)
        } else {
            f(v, rest, kw).map(Into::into)
        }
    }
}

/// A string-to-string filter through [`keep_undefined`].
fn on_text(f: fn(&str) -> String) -> impl Fn(&Value) -> Value + Send + Sync + 'static {
    move |v| {
        if v.is_undefined() {
            Value::UNDEFINED
        } else {
            Value::from(f(&text(v)))
        }
    }
}

/// minijinja's own string filters, keeping an undefined value undefined.
fn register_builtin_text(env: &mut Environment<'static>) {
    use minijinja::State;
    use minijinja::filters as mj;
    use minijinja::value::StringInput;
    type Builtin = fn(StringInput<'_>) -> Value;
    for (name, f) in [
        ("upper", mj::upper as Builtin),
        ("lower", mj::lower),
        ("capitalize", mj::capitalize),
    ] {
        env.add_filter(name, move |state: &State, v: &Value| {
            if v.is_undefined() {
                return Ok(Value::UNDEFINED);
            }
            StringInput::new(state, v).map(f)
        });
    }
    env.add_filter("title", |v: &Value| {
        if v.is_undefined() {
            Value::UNDEFINED
        } else {
            Value::from(super::title_case::title(&text(v)))
        }
    });
    env.add_filter("trim", |state: &State, v: &Value, chars: Option<String>| {
        if v.is_undefined() {
            return Ok(Value::UNDEFINED);
        }
        StringInput::new(state, v).map(|s| mj::trim(s, chars.map(Into::into)))
    });
}

pub fn register(env: &mut Environment<'static>) {
    register_builtin_text(env);
    // A value already safe (a page's body) is passed on as it is:
    // minijinja's own `safe` copies it twice, and a body may be 50 MB.
    env.add_filter("safe", |v: Value| {
        if v.is_safe() {
            v
        } else {
            Value::from_safe_string(v.to_string())
        }
    });
    env.add_filter("default", default);
    env.add_filter("d", default);
    env.add_filter("replace", keep_undefined(replace));
    env.add_filter("split", split);
    env.add_filter("indent", indent);
    env.add_filter("truncate", keep_undefined(truncate));
    env.add_filter("round", round);
    env.add_filter("int", int);
    env.add_filter("float", float);
    env.add_filter("date", super::dates::date);
    env.add_filter("slugify", on_text(crate::markdown::slugify));
    env.add_filter("striptags", on_text(strip_tags));
    env.add_filter("wordcount", |s: Value| text(&s).split_whitespace().count());
    env.add_filter("json_encode", json_encode);
    env.add_filter("as_str", |v: Value| tera_text(&v));
    env.add_filter("trim_start", on_text(|s| s.trim_start().to_string()));
    env.add_filter("trim_end", on_text(|s| s.trim_end().to_string()));
    env.add_filter("trim_start_matches", keep_undefined(trim_start_matches));
    env.add_filter("trim_end_matches", keep_undefined(trim_end_matches));
    env.add_filter("linebreaksbr", |s: Value| {
        text(&s).replace("\r\n", "<br>").replace('\n', "<br>")
    });
    env.add_filter("spaceless", spaceless);
    env.add_filter("addslashes", |s: Value| {
        text(&s)
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\'', "\\'")
    });
    env.add_filter("escape_xml", on_text(escape_xml));
    env.add_filter("urlencode", |s: Value| {
        percent_encoding::utf8_percent_encode(&text(&s), TERA_URLENCODE).to_string()
    });
    env.add_filter("urlencode_strict", |s: Value| {
        percent_encoding::utf8_percent_encode(&text(&s), percent_encoding::NON_ALPHANUMERIC)
            .to_string()
    });
    env.add_filter("pluralize", pluralize);
    env.add_filter("filesizeformat", filesizeformat);
    env.add_filter("base64_encode", |s: Value| {
        base64_encode(text(&s).as_bytes())
    });
    env.add_filter("base64_decode", base64_decode);
    env.add_filter("regex_replace", regex_replace);
    env.add_filter("num_format", num_format);
    env.add_filter("relative_url", relative_url);
}

/// fascia's `relative_url(from=page.path)`: a path from the site's root
/// (a page's `path`) as a link relative to the page at `from`.
fn relative_url(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("relative_url", rest, kw);
    let from = args.required_string(0, "from")?;
    Ok(crate::url_path::relative_url(&text(v), &from))
}

/// Tera's `urlencode`: everything but unreserved characters and `/`.
const TERA_URLENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `default(value=x)`: `x` when the value is undefined (Tera keeps a
/// defined empty string or zero); `boolean=true` also replaces falsy values.
fn default(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("default", rest, kw);
    let fallback = args.value(0, "value")?.unwrap_or_else(|| Value::from(""));
    let falsy = args.bool(1, "boolean")?.unwrap_or(false);
    Ok(if v.is_undefined() || (falsy && !v.is_true()) {
        fallback
    } else {
        v.clone()
    })
}

fn replace(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("replace", rest, kw);
    let from = args.required_string(0, "from")?;
    let to = args.required_string(1, "to")?;
    Ok(Value::from(text(v).replace(&from, &to)))
}

/// Tera reads `\n` and `\t` in patterns as a newline and a tab.
fn pattern(p: &str) -> String {
    p.replace("\\n", "\n").replace("\\t", "\t")
}

fn split(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("split", rest, kw);
    let s = text(v);
    let parts: Vec<Value> = match args.string(0, "pat")? {
        Some(p) => s.split(&pattern(&p)).map(Value::from).collect(),
        None => s.split_whitespace().map(Value::from).collect(),
    };
    Ok(Value::from(parts))
}

fn trim_start_matches(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("trim_start_matches", rest, kw);
    let pat = pattern(&args.required_string(0, "pat")?);
    Ok(text(v).trim_start_matches(pat.as_str()).to_string())
}

fn trim_end_matches(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("trim_end_matches", rest, kw);
    let pat = pattern(&args.required_string(0, "pat")?);
    Ok(text(v).trim_end_matches(pat.as_str()).to_string())
}

/// `indent(prefix="    ", first=false, blank=false)`; a number as the
/// first positional argument is minijinja's width in spaces.
fn indent(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("indent", rest, kw);
    let prefix = match args.value(0, "prefix")? {
        Some(w) if w.kind() == ValueKind::Number => {
            " ".repeat(usize::try_from(args.int(0, "prefix")?.unwrap_or(4)).unwrap_or(0))
        }
        Some(p) => tera_text(&p),
        None => "    ".to_string(),
    };
    let first = args.bool(1, "first")?.unwrap_or(false);
    let blank = args.bool(2, "blank")?.unwrap_or(false);
    let s = text(v);
    let mut out = String::with_capacity(s.len() + prefix.len() * 4);
    for (n, line) in s.lines().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if (n > 0 || first) && (blank || !line.trim_start().is_empty()) {
            out.push_str(&prefix);
        }
        out.push_str(line);
    }
    Ok(out)
}

/// `truncate(length=255, end="…")`, counting characters.
fn truncate(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("truncate", rest, kw);
    let length = usize::try_from(args.int(0, "length")?.unwrap_or(255)).unwrap_or(0);
    let end = args.string(1, "end")?.unwrap_or_else(|| "…".to_string());
    let s = text(v);
    match s.char_indices().nth(length) {
        Some((at, _)) => Ok(s[..at].to_string() + &end),
        None => Ok(s),
    }
}

/// `round(method="common"|"ceil"|"floor", precision=0)`: a whole number
/// prints without a fraction, as in Tera.
fn round(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("round", rest, kw);
    let num = f64::try_from(v.clone()).map_err(|_| args.error(format!("{v} is not a number")))?;
    let precision = args.int(0, "precision")?.unwrap_or(0);
    let method = args.string(1, "method")?.unwrap_or_else(|| "common".into());
    let m = 10f64.powi(precision as i32);
    let r = match method.as_str() {
        "common" => (num * m).round() / m,
        "ceil" => (num * m).ceil() / m,
        "floor" => (num * m).floor() / m,
        other => {
            return Err(args.error(format!(
                "method `{other}` is not one of common, ceil and floor"
            )));
        }
    };
    Ok(Value::from(r))
}

/// `int(default=0, base=10)`: strings may carry `0b`, `0o`, `0x` for bases 2, 8, 16.
fn int(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("int", rest, kw);
    let default = args.int(0, "default")?.unwrap_or(0);
    let base = args.int(1, "base")?.unwrap_or(10);
    let n = match v.kind() {
        ValueKind::Number => i64::try_from(v.clone())
            .or_else(|_| f64::try_from(v.clone()).map(|f| f as i64))
            .unwrap_or(default),
        ValueKind::String => {
            let s = text(v);
            let s = s.trim();
            let digits = match base {
                2 => s.trim_start_matches("0b"),
                8 => s.trim_start_matches("0o"),
                16 => s.trim_start_matches("0x"),
                _ => s,
            };
            u32::try_from(base)
                .ok()
                .filter(|b| (2..=36).contains(b))
                .and_then(|b| i64::from_str_radix(digits, b).ok())
                .or_else(|| s.parse::<f64>().ok().map(|f| f as i64))
                .unwrap_or(default)
        }
        ValueKind::Bool => i64::from(v.is_true()),
        _ => default,
    };
    Ok(Value::from(n))
}

fn float(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("float", rest, kw);
    let default = match args.value(0, "default")? {
        Some(d) => f64::try_from(d).unwrap_or(0.0),
        None => 0.0,
    };
    let f = match v.kind() {
        ValueKind::Number => f64::try_from(v.clone()).unwrap_or(default),
        ValueKind::String => text(v).trim().parse().unwrap_or(default),
        _ => default,
    };
    Ok(Value::from(f))
}

fn json_encode(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("json_encode", rest, kw);
    let text = if args.bool(0, "pretty")?.unwrap_or(false) {
        serde_json::to_string_pretty(&v)
    } else {
        serde_json::to_string(&v)
    }
    .map_err(|e| args.error(e.to_string()))?;
    Ok(Value::from_safe_string(text))
}

/// Whitespace between tags removed (`>\s+<` -> `><`).
fn spaceless(v: &Value) -> String {
    let s = text(v);
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find('>') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let trimmed = rest.trim_start();
        if trimmed.len() < rest.len() && trimmed.starts_with('<') {
            rest = trimmed;
        }
    }
    out.push_str(rest);
    out
}

fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// `pluralize(singular="", plural="s")`: the plural unless the value is ±1.
fn pluralize(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("pluralize", rest, kw);
    let n = f64::try_from(v.clone()).map_err(|_| args.error(format!("{v} is not a number")))?;
    let singular = args.string(0, "singular")?.unwrap_or_default();
    let plural = args.string(1, "plural")?.unwrap_or_else(|| "s".into());
    Ok(if (n.abs() - 1.0).abs() > f64::EPSILON {
        plural
    } else {
        singular
    })
}

/// `filesizeformat(binary=false)`: `117.74 MB` (units of 1024, as Tera
/// does), or `117.74 MiB` with `binary=true`.
fn filesizeformat(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("filesizeformat", rest, kw);
    let n = f64::try_from(v.clone()).map_err(|_| args.error(format!("{v} is not a number")))?;
    let binary = args.bool(0, "binary")?.unwrap_or(false);
    let units: [&str; 7] = if binary {
        ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    } else {
        ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
    };
    let mut size = n.max(0.0);
    let mut unit = 0;
    while size >= 1024.0 && unit < units.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        return Ok(format!("{size} {}", units[0]));
    }
    let shown = format!("{size:.2}");
    let shown = shown.trim_end_matches('0').trim_end_matches('.');
    Ok(format!("{shown} {}", units[unit]))
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(BASE64[(n >> (18 - 6 * k)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(v: &Value) -> Result<String, Error> {
    let fail = |m: &str| Error::new(ErrorKind::InvalidOperation, format!("`base64_decode`: {m}"));
    let s = text(v);
    let s = s.trim_end_matches('=');
    let mut bytes = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let d = BASE64
            .iter()
            .position(|&x| x == c)
            .ok_or_else(|| fail(&format!("`{}` is not a base64 character", char::from(c))))?;
        acc = (acc << 6) | d as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    String::from_utf8(bytes).map_err(|e| fail(&format!("invalid UTF-8: {e}")))
}

/// `regex_replace(pattern=, rep=)`: every match replaced, `$name` and `$1`
/// naming groups (the `regex` crate's syntax).
fn regex_replace(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("regex_replace", rest, kw);
    let pattern = args.required_string(0, "pattern")?;
    let rep = args.required_string(1, "rep")?;
    let re = regex::Regex::new(&pattern)
        .map_err(|e| args.error(format!("failed to compile regex: {e}")))?;
    Ok(re.replace_all(&text(v), rep.as_str()).into_owned())
}

/// `num_format(locale=)`: digits grouped by thousands with the locale's
/// separator (`1,000,000`; `en-IN` groups lakhs: `10,00,000`).
fn num_format(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("num_format", rest, kw);
    let n = i64::try_from(v.clone()).map_err(|_| args.error(format!("{v} is not an integer")))?;
    let locale = args.string(0, "locale")?.unwrap_or_else(|| "en".into());
    let lang = locale.split(['-', '_']).next().unwrap_or("").to_lowercase();
    let sep = match lang.as_str() {
        "fr" | "nb" | "sv" | "fi" | "cs" | "sk" | "pl" | "uk" | "ru" => "\u{202f}",
        "de" | "es" | "it" | "nl" | "pt" | "da" | "id" | "tr" | "el" | "ro" | "sl" | "hr" => ".",
        _ => ",",
    };
    let digits = n.unsigned_abs().to_string();
    let indian = locale.eq_ignore_ascii_case("en-IN") || locale.eq_ignore_ascii_case("hi");
    let mut groups = Vec::new();
    let mut rest = digits.as_str();
    let mut size = 3;
    while rest.len() > size {
        let (head, tail) = rest.split_at(rest.len() - size);
        groups.push(tail);
        rest = head;
        if indian {
            size = 2;
        }
    }
    groups.push(rest);
    groups.reverse();
    let sign = if n < 0 { "-" } else { "" };
    Ok(format!("{sign}{}", groups.join(sep)))
}

/// Remove HTML tags and comments, keeping text.
pub fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tag = &rest[i..];
        let end = if tag.starts_with("<!--") {
            tag.find("-->").map(|e| e + 3)
        } else {
            tag.find('>').map(|e| e + 1)
        };
        if let Some(e) = end {
            rest = &tag[e..];
        } else {
            out.push_str(tag);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}
