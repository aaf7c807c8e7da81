//! Zola-style shortcodes, found in Markdown before comrak sees it.
//!
//! `{{ name(key="v", n=3) }}` and `{% name(key="v") %}body{% end %}` are cut
//! out of the text and replaced by placeholder tokens (keeping line numbers);
//! the render stage turns each token into its template's output.
//!
//! As in Zola's grammar (`components/markdown/src/content.pest`), only a
//! call, a name followed by `(`, is a shortcode: `{{ page.permalink }}`,
//! `{% extends "base.html" %}` or `{{ x() | safe }}` are text. A call whose
//! arguments do not parse is an error (Zola would print it as text, and the
//! author would not know). `{{/* name() */}}` and `{%/* name() */%}` write
//! the braces without the comment marks, everywhere, code included (see
//! [`escapes`] for which ones Zola reads as escapes). Inside
//! fenced code and inline code nothing else is touched: a call there is text.

mod escapes;

use escapes::{escaped, unescape_into};
use indexmap::IndexMap;
use serde::Serialize;

/// One shortcode call found in a page.
#[derive(Debug, Clone, Serialize)]
pub struct ShortcodeCall {
    pub name: String,
    pub args: IndexMap<String, ArgValue>,
    pub body: Option<String>,
    /// 1-based line and column in the body text.
    pub line: usize,
    pub column: usize,
    /// Alone on its line(s): replaces the whole paragraph.
    pub block: bool,
}

/// A shortcode argument value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ArgValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<ArgValue>),
}

/// A body that could not be read: a shortcode, or nesting too deep.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortcodeError {
    /// The diagnostic's code (`shortcode-syntax`, `markdown-too-deep`).
    pub code: &'static str,
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub help: Option<String>,
}

/// A call whose arguments do not parse. Zola's grammar then reads the
/// braces as text, so such a call is shown as written, with a warning.
fn args_error(e: &ShortcodeError) -> bool {
    e.code == "shortcode-syntax" && e.message.starts_with("in shortcode `")
}

/// The placeholder written in place of call `n`.
pub fn token(n: usize) -> String {
    format!("FASCIASHORTCODE{n}X")
}

/// Text with shortcodes replaced by tokens, and the calls in order.
#[derive(Debug, Default)]
pub struct Extracted {
    pub text: String,
    pub calls: Vec<ShortcodeCall>,
    /// Calls shown as text because their arguments do not parse.
    pub as_text: Vec<ShortcodeError>,
}

/// Find the shortcodes in `src`. Cheap when there are none.
pub fn extract(src: &str) -> Result<Extracted, ShortcodeError> {
    if !src.contains("{{") && !src.contains("{%") {
        return Ok(Extracted {
            text: src.to_string(),
            calls: Vec::new(),
            as_text: Vec::new(),
        });
    }
    let mut out = String::with_capacity(src.len());
    let mut calls = Vec::new();
    let mut as_text = Vec::new();
    let mut fence: Option<(String, usize)> = None;
    // Where the open fenced block's text starts: unescaped whole when it
    // closes, as an escape may run over lines.
    let mut fenced = 0;
    let mut pos = 0;
    while pos < src.len() {
        let line_end = src[pos..].find('\n').map_or(src.len(), |i| pos + i + 1);
        let line = &src[pos..line_end];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some((f, fence_indent)) = &fence {
            // A fence in a list item ends with it: at a line indented less.
            if !trimmed.trim().is_empty() && indent < *fence_indent {
                fence = None;
                unescape_into(&src[fenced..pos], &mut out);
            } else {
                if closes_fence(trimmed, f) {
                    fence = None;
                    unescape_into(&src[fenced..line_end], &mut out);
                }
                pos = line_end;
                continue;
            }
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let ch = trimmed.chars().next().unwrap_or('`');
            let n = trimmed.chars().take_while(|c| *c == ch).count();
            fence = Some((ch.to_string().repeat(n), indent));
            out.push_str(line);
            pos = line_end;
            fenced = pos;
            continue;
        }
        pos = scan_line(src, pos, line_end, &mut out, (&mut calls, &mut as_text))?;
    }
    if fence.is_some() {
        unescape_into(&src[fenced..], &mut out);
    }
    Ok(Extracted {
        text: out,
        calls,
        as_text,
    })
}

/// Scan from `pos` to the end of its line, handling any shortcode that starts
/// there (a body shortcode or a code span may run over several lines).
/// Returns the new position.
fn scan_line(
    src: &str,
    mut pos: usize,
    mut line_end: usize,
    out: &mut String,
    (calls, as_text): (&mut Vec<ShortcodeCall>, &mut Vec<ShortcodeError>),
) -> Result<usize, ShortcodeError> {
    let line_start = pos;
    while pos < line_end {
        let rest = &src[pos..line_end];
        let Some(i) = rest.find(['{', '`']) else {
            out.push_str(rest);
            return Ok(line_end);
        };
        out.push_str(&rest[..i]);
        pos += i;
        let here = &src[pos..];
        if here.starts_with('`') {
            let run = here.bytes().take_while(|b| *b == b'`').count();
            if let Some(end) = code_span_end(src, pos, run) {
                unescape_into(&src[pos..end], out);
                if end > line_end {
                    line_end = src[end..].find('\n').map_or(src.len(), |j| end + j + 1);
                }
                pos = end;
            } else {
                out.push_str(&here[..run]);
                pos += run;
            }
            continue;
        }
        if let Some(lit) = escaped(here) {
            out.push_str(&lit.1);
            pos += lit.0;
            if pos > line_end {
                // The escape ran over lines: finish the line it ended on.
                line_end = src[pos..].find('\n').map_or(src.len(), |j| pos + j + 1);
            }
            continue;
        }
        if (here.starts_with("{{") || here.starts_with("{%")) && is_call(here) {
            let (line, column) = position(src, pos);
            let parsed = match parse_call(src, pos, line, column) {
                Err(e) if args_error(&e) => {
                    as_text.push(e);
                    None
                }
                other => other?,
            };
            let Some(parsed) = parsed else {
                out.push_str(&here[..2]);
                pos += 2;
                continue;
            };
            let before = src[line_start..pos].trim();
            let after_end = src[parsed.end..]
                .find('\n')
                .map_or(src.len(), |j| parsed.end + j);
            let after = src[parsed.end..after_end].trim();
            let block = before.is_empty() && after.is_empty();
            let n = calls.len();
            out.push_str(&token(n));
            let newlines = src[pos..parsed.end].matches('\n').count();
            for _ in 0..newlines {
                out.push('\n');
            }
            calls.push(ShortcodeCall {
                block,
                ..parsed.call
            });
            pos = parsed.end;
            if newlines > 0 {
                // The call ran over lines: finish the line it ended on.
                let end = src[pos..].find('\n').map_or(src.len(), |j| pos + j + 1);
                out.push_str(&src[pos..end]);
                return Ok(end);
            }
            continue;
        }
        out.push_str(&here[..1]);
        pos += 1;
    }
    Ok(line_end)
}

/// A line that closes the fence `f`: at least as many of its characters
/// and nothing else (as `CommonMark` has it: a fence with an info string in a
/// block is code).
fn closes_fence(trimmed: &str, f: &str) -> bool {
    let ch = f.chars().next().unwrap_or('`');
    let run = trimmed.chars().take_while(|c| *c == ch).count();
    run >= f.len() && trimmed[run..].trim().is_empty()
}

/// `{{` or `{%`, spaces, a name and `(`: the start of a call (Zola's `sc_def`).
fn is_call(s: &str) -> bool {
    let rest = s[2..].trim_start();
    let name = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    name > 0
        && rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && rest[name..].trim_start().starts_with('(')
}

/// The end of the code span opened by `run` backticks at `start`: after the
/// next run of exactly as many backticks in the same paragraph.
fn code_span_end(src: &str, start: usize, run: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = start + run;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => {
                let n = bytes[i..].iter().take_while(|b| **b == b'`').count();
                if n == run {
                    return Some(i + n);
                }
                i += n;
            }
            b'\n' => {
                let next = &src[i + 1..];
                let blank = next.split('\n').next().is_none_or(|l| l.trim().is_empty());
                if blank {
                    return None;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

fn position(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

struct Parsed {
    call: ShortcodeCall,
    end: usize,
}

/// Parse the call at `start`; `None` when it is text after all (something
/// other than the closing braces follows the arguments, as in
/// `{{ get_url(path="a") | safe }}`).
fn parse_call(
    src: &str,
    start: usize,
    line: usize,
    column: usize,
) -> Result<Option<Parsed>, ShortcodeError> {
    let err = |message: String, help: Option<&str>| ShortcodeError {
        code: "shortcode-syntax",
        message,
        line,
        column,
        help: help.map(str::to_string),
    };
    let with_body = src[start..].starts_with("{%");
    let close = if with_body { "%}" } else { "}}" };
    let Some(rel_end) = src[start + 2..].find(close) else {
        return Err(err(
            format!(
                "shortcode opened with `{}` is never closed",
                &src[start..start + 2]
            ),
            Some(&format!("close it with `{close}` on the same line")),
        ));
    };
    let inner = src[start + 2..start + 2 + rel_end].trim();
    let mut end = start + 2 + rel_end + 2;
    let mut p = ArgParser { s: inner, i: 0 };
    let name = p.ident().ok_or_else(|| {
        err(
            format!("expected a shortcode name after `{}`", &src[start..start + 2]),
            Some("write it as {{ name(key=\"value\") }}; to show braces literally, write {{/* ... */}}"),
        )
    })?;
    p.skip_ws();
    if !p.eat('(') {
        return Err(err(
            format!("shortcode `{name}` needs parentheses, even with no arguments"),
            Some(&format!("write `{name}()`")),
        ));
    }
    let args = p
        .args()
        .map_err(|m| err(format!("in shortcode `{name}`: {m}"), None))?;
    p.skip_ws();
    if p.i != p.s.len() {
        return Ok(None);
    }
    let mut body = None;
    if with_body {
        let rest = &src[end..];
        let Some((b_end, e_len)) = find_end_tag(rest) else {
            return Err(err(
                format!("shortcode `{name}` has a body but no `{{% end %}}`"),
                Some("close the body with {% end %}"),
            ));
        };
        body = Some(rest[..b_end].trim_matches('\n').to_string());
        end += b_end + e_len;
    }
    Ok(Some(Parsed {
        call: ShortcodeCall {
            name,
            args,
            body,
            line,
            column,
            block: false,
        },
        end,
    }))
}

fn find_end_tag(s: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = s[from..].find("{%") {
        let at = from + i;
        let rest = &s[at + 2..];
        if let Some(close) = rest.find("%}")
            && rest[..close].trim() == "end"
        {
            return Some((at, 2 + close + 2));
        }
        from = at + 2;
    }
    None
}

struct ArgParser<'a> {
    s: &'a str,
    i: usize,
}

impl ArgParser<'_> {
    fn skip_ws(&mut self) {
        while self.s[self.i..].starts_with(char::is_whitespace) {
            self.i += self.s[self.i..].chars().next().map_or(1, char::len_utf8);
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.s[self.i..].starts_with(c) {
            self.i += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let rest = &self.s[self.i..];
        let n = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if n == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        self.i += n;
        Some(rest[..n].to_string())
    }

    fn args(&mut self) -> Result<IndexMap<String, ArgValue>, String> {
        let mut args = IndexMap::new();
        if self.eat(')') {
            return Ok(args);
        }
        loop {
            let key = self
                .ident()
                .ok_or_else(|| format!("expected an argument name at `{}`", self.rest()))?;
            if !self.eat('=') {
                return Err(format!("expected `=` after argument `{key}`"));
            }
            let value = self.value()?;
            if matches!(value, ArgValue::Str(_))
                && self.s[self.i..].starts_with(char::is_alphanumeric)
            {
                return Err(format!(
                    "the string given to `{key}` ends before `{}`: a quote inside a string ends it; \
                     quote the value with another of \", ' or `",
                    self.rest()
                ));
            }
            if args.insert(key.clone(), value).is_some() {
                return Err(format!("argument `{key}` is given twice"));
            }
            if self.eat(')') {
                return Ok(args);
            }
            // Zola's grammar reads `a=1, b=2 c=3` (a comma may be left out
            // before the next argument name).
            if !self.eat(',')
                && !self.s[self.i..].starts_with(|c: char| c.is_alphabetic() || c == '_')
            {
                return Err(format!("expected `,` or `)` at `{}`", self.rest()));
            }
        }
    }

    fn rest(&self) -> &str {
        let r = &self.s[self.i..];
        // At most 20 bytes, ending on a character boundary.
        let mut end = r.len().min(20);
        while !r.is_char_boundary(end) {
            end -= 1;
        }
        &r[..end]
    }

    fn value(&mut self) -> Result<ArgValue, String> {
        self.skip_ws();
        let rest = &self.s[self.i..];
        if let Some(q) = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))
        {
            let body = &rest[1..];
            let end = body
                .find(q)
                .ok_or_else(|| format!("string starting at `{}` is not closed", self.rest()))?;
            self.i += end + 2;
            return Ok(ArgValue::Str(body[..end].to_string()));
        }
        if rest.starts_with('[') {
            self.i += 1;
            let mut items = Vec::new();
            if self.eat(']') {
                return Ok(ArgValue::List(items));
            }
            loop {
                items.push(self.value()?);
                if self.eat(']') {
                    return Ok(ArgValue::List(items));
                }
                if !self.eat(',') {
                    return Err("expected `,` or `]` in a list".into());
                }
            }
        }
        let n = rest.find([',', ')', ']']).unwrap_or(rest.len());
        let word = rest[..n].trim();
        self.i += n;
        match word {
            "true" => Ok(ArgValue::Bool(true)),
            "false" => Ok(ArgValue::Bool(false)),
            _ => word
                .parse::<i64>()
                .map(ArgValue::Int)
                .or_else(|_| word.parse::<f64>().map(ArgValue::Float))
                .map_err(|_| format!("`{word}` is not a value; quote strings: \"{word}\"")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_block_calls() {
        let src = "Intro {{ badge(text=\"new\", n=3) }} here.\n\n{{ comparison() }}\n";
        let ex = extract(src).unwrap();
        assert_eq!(ex.calls.len(), 2);
        assert_eq!(ex.calls[0].name, "badge");
        assert_eq!(ex.calls[0].args["text"], ArgValue::Str("new".into()));
        assert_eq!(ex.calls[0].args["n"], ArgValue::Int(3));
        assert!(!ex.calls[0].block);
        assert!(ex.calls[1].block);
        assert_eq!((ex.calls[1].line, ex.calls[1].column), (3, 1));
        assert!(ex.text.contains(&token(1)));
    }

    #[test]
    fn body_call_keeps_line_numbers() {
        let src = "a\n{% note(kind=\"warning\") %}\nBe careful.\n{% end %}\nlast line\n";
        let ex = extract(src).unwrap();
        assert_eq!(ex.calls[0].body.as_deref(), Some("Be careful."));
        assert_eq!(ex.text.lines().count(), src.lines().count());
        assert_eq!(ex.text.lines().nth(4), Some("last line"));
    }

    #[test]
    fn escapes_and_code_fences_are_literal() {
        let src = "{{/* x() */}}\n```\n{{ y() }}\n```\n";
        let ex = extract(src).unwrap();
        assert!(ex.calls.is_empty());
        assert!(ex.text.starts_with("{{ x() }}\n"), "{}", ex.text);
        assert!(ex.text.contains("{{ y() }}"));
    }

    #[test]
    fn only_calls_are_shortcodes() {
        let src = "{{ page.permalink }} and {% extends \"base.html\" %} and {% block x %}\n{{ get_url(path=\"a\") | safe }} {% end %} {{ __tera_context }}\n";
        let ex = extract(src).unwrap();
        assert!(ex.calls.is_empty());
        assert_eq!(ex.text, src);
    }

    #[test]
    fn code_is_text_and_escapes_open_everywhere() {
        let src = "Use `{{ page.title }}` or `{{/* youtube(id=\"a\") */}}` or ``{% x() %}``.\n\n```jinja\n{%/* note() */%}\n{% extends \"a\" %}\n```\n";
        let ex = extract(src).unwrap();
        assert!(ex.calls.is_empty());
        assert_eq!(
            ex.text,
            "Use `{{ page.title }}` or `{{ youtube(id=\"a\") }}` or ``{% x() %}``.\n\n```jinja\n{% note() %}\n{% extends \"a\" %}\n```\n"
        );
        // A lone backtick opens nothing.
        let ex = extract("a ` b {{ c() }}\n").unwrap();
        assert_eq!(ex.calls.len(), 1);
    }

    #[test]
    fn a_comma_may_be_left_out_between_arguments() {
        // Zola's grammar: `kwargs*`, so `a="x" b="y"` reads as two groups.
        let ex =
            extract("{{ img(src=\"a.png\", dark=\"b.png\" alt=\"c\", wide=true) }}\n").unwrap();
        let args = &ex.calls[0].args;
        assert_eq!(args["alt"], ArgValue::Str("c".into()));
        assert_eq!(args["wide"], ArgValue::Bool(true));
        // A quote inside a string: Zola reads the braces as text; so does
        // fascia, and says why.
        let ex = extract("{{ note(text='it's') }}\n").unwrap();
        assert!(ex.calls.is_empty());
        assert_eq!(ex.text, "{{ note(text='it's') }}\n");
        let e = &ex.as_text[0];
        assert!(e.message.contains("quote inside a string"), "{}", e.message);
    }

    #[test]
    fn errors_are_located() {
        let ex = extract("ok\n  {{ fig(src=oops) }}\n").unwrap();
        let e = &ex.as_text[0];
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("oops"));
        let e = extract("{{ fig(src=\"a\") \n").unwrap_err();
        assert!(e.message.contains("never closed"));
        let e = extract("{% note() %}\nno end\n").unwrap_err();
        assert!(e.message.contains("end"));
    }
}
