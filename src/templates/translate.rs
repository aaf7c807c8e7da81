//! Tera source -> minijinja source, applied to every template when it is
//! compiled, so Zola themes load unchanged.
//!
//! Only the inside of `{{ }}` and `{% %}` tags is rewritten; text, comments
//! and `{% raw %}` blocks are copied as they are. No line is added or
//! removed, and a [`Translated`] maps every offset of its source back to
//! the original, so errors point into the file the user wrote.
//!
//! | Tera | minijinja |
//! |---|---|
//! | `macros::name(a=1)` | `__tera_macro(macros.name, a=1)` (undeclared arguments dropped) |
//! | `self::name(...)` | `__tera_macro(name, ...)` |
//! | `ns::name(...)` where `ns` is imported elsewhere, not here | an import of `ns` added, or `name` when `ns` is this file |
//! | `{% endmacro name %}` | `{% endmacro %}` |
//! | `` `text` ``, `"a\b"` (Tera strings have no escapes) | `"text"`, `"a\\b"` |
//! | `{% for k, v in map %}` | `{% for k, v in map \| __tera_pairs %}` |
//! | `{% set_global x = e %}` | `{% set x = __tera_put("x", e) %}`, reads of `x` as `__tera_get("x", x)` |
//! | `{% include "x" %}` | the same in `{% with %}` and a `set_global` frame: what it sets stays in it |
//!
//! `set_global` (see [`super::set_global`]): Tera's assignments inside a
//! `for` loop last one iteration, `set_global` writes the template's (or
//! macro's) top-level frame. In a template that uses `set_global x`, every
//! top-level write of `x` goes to a render-local store and every read of
//! `x` that no loop variable or loop-local `set` shadows reads the store
//! (falling back to the ordinary variable while the store has none).
//! Macros in such templates open and close a frame of their own. A name
//! `set` inside a `{% block %}` anywhere in the theme is handled the same
//! way, as Tera's blocks have no scope of their own ([`super::block_sets`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::block_sets::shared_names;
use super::tera_lex::{Tag, TagKind, Tok, Token, scan};

/// minijinja source plus the way back to the original offsets.
#[derive(Debug, Clone)]
pub struct Translated {
    pub source: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    out: usize,
    orig: usize,
    verbatim: bool,
}

impl Translated {
    /// The offset in the original source of offset `out` of [`Self::source`]
    /// (text the translation inserted maps to where it was inserted).
    pub fn original_offset(&self, out: usize) -> usize {
        let i = self.segments.partition_point(|s| s.out <= out);
        let Some(s) = i.checked_sub(1).map(|i| self.segments[i]) else {
            return out;
        };
        if s.verbatim {
            s.orig + (out - s.out)
        } else {
            s.orig
        }
    }
}

/// Which file each macro namespace is imported from, across all templates.
/// Tera looks a namespace up in the template whose block is rendering, so a
/// macro may call `ns::x` with `ns` imported only by its caller's template.
#[derive(Debug, Default)]
pub struct Imports {
    by_namespace: BTreeMap<String, String>,
    /// Names `set` inside a block and read outside it ([`super::block_sets`]).
    block_sets: BTreeSet<String>,
}

impl Imports {
    /// The `{% import "file" as ns %}` of every source (the first file wins).
    pub fn gather<'a>(sources: impl IntoIterator<Item = &'a str>) -> Self {
        let mut by_namespace = BTreeMap::new();
        let scanned: Vec<(&str, Vec<Tag>)> = sources.into_iter().map(|s| (s, scan(s))).collect();
        for (src, tags) in &scanned {
            for (file, ns) in imports_of(src, tags) {
                by_namespace.entry(ns).or_insert(file);
            }
        }
        let block_sets = shared_names(scanned.iter().map(|(s, t)| (*s, t.as_slice())));
        Self {
            by_namespace,
            block_sets,
        }
    }
}

/// `(file, namespace)` of each `{% import "file" as ns %}` tag.
fn imports_of(src: &str, tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .filter(|t| t.keyword(src) == Some("import") && t.toks.len() >= 4)
        .filter(|t| t.toks[1].kind == Tok::Str && &src[t.toks[2].range()] == "as")
        .map(|t| {
            let lit = &src[t.toks[1].range()];
            (
                lit[1..lit.len().saturating_sub(1).max(1)].to_string(),
                src[t.toks[3].range()].to_string(),
            )
        })
        .collect()
}

/// Translate one template's Tera source, on its own.
pub fn translate(src: &str) -> Translated {
    translate_in(src, "", &Imports::gather([src]))
}

/// Translate template `name`, resolving namespaces it does not import
/// itself through `imports`.
pub fn translate_in(src: &str, name: &str, imports: &Imports) -> Translated {
    let tags = scan(src);
    let local: BTreeSet<String> = imports_of(src, &tags)
        .into_iter()
        .map(|(_, ns)| ns)
        .collect();
    let mut borrowed: BTreeMap<&str, &str> = BTreeMap::new();
    for tag in &tags {
        for w in tag.toks.windows(2) {
            let ns = &src[w[0].range()];
            if w[0].kind == Tok::Ident
                && &src[w[1].range()] == "::"
                && ns != "self"
                && !local.contains(ns)
                && let Some(file) = imports.by_namespace.get(ns)
            {
                borrowed.insert(ns, if file == name { "self" } else { file.as_str() });
            }
        }
    }
    // Names set in other templates' blocks matter here only where this
    // template uses them (else its macros need no frame of their own).
    let idents: BTreeSet<&str> = tags
        .iter()
        .flat_map(|t| t.toks.iter())
        .filter(|x| x.kind == Tok::Ident)
        .map(|x| &src[x.range()])
        .collect();
    let globals: BTreeSet<&str> = tags
        .iter()
        .filter(|t| t.kind == TagKind::Stmt && t.keyword(src) == Some("set_global"))
        .filter_map(|t| t.toks.get(1).filter(|x| x.kind == Tok::Ident))
        .map(|x| &src[x.range()])
        .chain(
            imports
                .block_sets
                .iter()
                .map(String::as_str)
                .filter(|n| idents.contains(n)),
        )
        .collect();
    let mut w = Writer {
        src,
        out: String::with_capacity(src.len() + src.len() / 16),
        segments: Vec::new(),
    };
    for (ns, file) in &borrowed {
        if *file != "self" {
            w.insert(0, &format!("{{% import \"{file}\" as {ns} %}}"));
        }
    }
    let mut scopes = Scopes::default();
    let mut pos = 0;
    for tag in &tags {
        w.copy(pos..tag.start);
        pos = tag.end;
        if matches!(tag.kind, TagKind::Verbatim) {
            w.copy(tag.start..tag.end);
            continue;
        }
        let keyword = tag.keyword(src);
        if !globals.is_empty() && keyword == Some("endmacro") {
            w.insert(tag.start, frame_call("__tera_pop", tag.trim_left));
        }
        // Tera renders an include in a frame of its own, so what it sets,
        // even with `set_global`, stays there (minijinja's `set` would land
        // in the includer's); it sees the includer's `set_global` values.
        let include = keyword == Some("include");
        if include {
            let seen: Vec<String> = globals
                .iter()
                .map(|g| format!("{g} = __tera_get(\"{g}\", {g})"))
                .collect();
            let dash = if tag.trim_left { "-" } else { "" };
            w.insert(
                tag.start,
                &format!(
                    "{{%{dash} with {} %}}{{{{ __tera_push_inherit() }}}}",
                    seen.join(", ")
                ),
            );
        }
        let edits = rewrite(src, tag, &globals, &borrowed, &mut scopes);
        let mut at = tag.start;
        for e in edits {
            w.copy(at..e.range.start);
            w.insert(e.range.start, &e.text);
            at = e.range.end;
        }
        w.copy(at..tag.end);
        if include {
            w.insert(
                tag.end,
                if tag.trim_right {
                    "{{ __tera_pop() }}{% endwith -%}"
                } else {
                    "{{ __tera_pop() }}{% endwith %}"
                },
            );
        }
        if !globals.is_empty() && keyword == Some("macro") {
            w.insert(tag.end, frame_call("__tera_push", tag.trim_right));
        }
    }
    w.copy(pos..src.len());
    Translated {
        source: w.out,
        segments: w.segments,
    }
}

/// `{{ f() }}`, trimming like the tag it stands beside.
fn frame_call(name: &str, trim: bool) -> &'static str {
    match (name, trim) {
        ("__tera_push", false) => "{{ __tera_push() }}",
        ("__tera_push", true) => "{{- __tera_push() -}}",
        (_, false) => "{{ __tera_pop() }}",
        (_, true) => "{{- __tera_pop() -}}",
    }
}

struct Writer<'a> {
    src: &'a str,
    out: String,
    segments: Vec<Segment>,
}

impl Writer<'_> {
    fn copy(&mut self, r: Range<usize>) {
        if r.is_empty() {
            return;
        }
        let contiguous = self
            .segments
            .last()
            .is_some_and(|s| s.verbatim && s.orig + (self.out.len() - s.out) == r.start);
        if !contiguous {
            self.segments.push(Segment {
                out: self.out.len(),
                orig: r.start,
                verbatim: true,
            });
        }
        self.out.push_str(&self.src[r]);
    }

    fn insert(&mut self, at: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        self.segments.push(Segment {
            out: self.out.len(),
            orig: at,
            verbatim: false,
        });
        self.out.push_str(text);
    }
}

struct Edit {
    range: Range<usize>,
    text: String,
}

/// Where a tag sits: inside which `for` loops (with the names they bind)
/// and macros.
#[derive(Default)]
struct Scopes {
    stack: Vec<Scope>,
}

enum Scope {
    For(BTreeSet<String>),
    Macro,
}

impl Scopes {
    /// The `for` loops around the current position, innermost first, up to
    /// the enclosing macro.
    fn loops(&mut self) -> impl Iterator<Item = &mut BTreeSet<String>> {
        self.stack.iter_mut().rev().map_while(|s| match s {
            Scope::For(names) => Some(names),
            Scope::Macro => None,
        })
    }

    fn in_loop(&mut self) -> bool {
        self.loops().next().is_some()
    }

    fn bound(&mut self, name: &str) -> bool {
        self.loops().any(|names| names.contains(name))
    }

    fn pop(&mut self, macro_end: bool) {
        match self.stack.last() {
            Some(Scope::Macro) if macro_end => {
                self.stack.pop();
            }
            Some(Scope::For(_)) if !macro_end => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Statements whose words are names, not expressions reading variables.
const NO_READS: &[&str] = &[
    "import", "from", "extends", "include", "block", "endblock", "filter", "raw", "endraw",
];

/// The edits inside one tag, sorted by position.
fn rewrite(
    src: &str,
    tag: &Tag,
    globals: &BTreeSet<&str>,
    borrowed: &BTreeMap<&str, &str>,
    scopes: &mut Scopes,
) -> Vec<Edit> {
    let toks = &tag.toks;
    let text = |t: &Token| &src[t.range()];
    let mut edits = Vec::new();
    for t in toks.iter().filter(|t| t.kind == Tok::Str) {
        if let Some(q) = requote(text(t)) {
            edits.push(Edit {
                range: t.range(),
                text: q,
            });
        }
    }
    for (i, w) in toks.windows(3).enumerate() {
        if w[0].kind == Tok::Ident && text(&w[1]) == "::" && w[2].kind == Tok::Ident {
            let ns = text(&w[0]);
            let target = if ns == "self" || borrowed.get(ns) == Some(&"self") {
                text(&w[2]).to_string()
            } else {
                format!("{ns}.{}", text(&w[2]))
            };
            // A call goes through `__tera_macro`, which drops the keyword
            // arguments the macro does not declare (see `macro_call`).
            let (range, text) = match (toks.get(i + 3), toks.get(i + 4)) {
                (Some(open), next) if text(open) == "(" => {
                    let sep = if next.is_some_and(|t| text(t) == ")") {
                        ""
                    } else {
                        ", "
                    };
                    (w[0].start..open.end, format!("__tera_macro({target}{sep}"))
                }
                _ => (w[0].start..w[2].end, target),
            };
            edits.push(Edit { range, text });
        }
    }
    edits.extend(filter_operands(src, toks));
    // Tokens whose reads of `set_global` names are rewritten.
    let mut reads = 0..0;
    match tag.keyword(src) {
        None if tag.kind == TagKind::Expr => reads = 0..toks.len(),
        Some("endmacro") => {
            if toks.len() > 1 {
                edits.push(Edit {
                    range: toks[1].start..toks[toks.len() - 1].end,
                    text: String::new(),
                });
            }
            scopes.pop(true);
        }
        Some("macro") => scopes.stack.push(Scope::Macro),
        Some("endfor") => scopes.pop(false),
        Some("for") => {
            let pair = toks.get(2).is_some_and(|t| text(t) == ",");
            let bound: BTreeSet<String> = toks[1..]
                .iter()
                .take(if pair { 3 } else { 1 })
                .filter(|t| t.kind == Tok::Ident)
                .map(|t| text(t).to_string())
                .collect();
            let iter_from = if pair { 5 } else { 3 };
            reads = iter_from.min(toks.len())..toks.len();
            if pair && let Some(last) = toks.last() {
                edits.push(Edit {
                    range: last.end..last.end,
                    text: " | __tera_pairs".into(),
                });
            }
            edits.extend(read_edits(src, toks, reads, globals, scopes));
            scopes.stack.push(Scope::For(bound));
            reads = 0..0;
        }
        Some(kw @ ("set" | "set_global")) if toks.len() > 3 && text(&toks[2]) == "=" => {
            let target = text(&toks[1]);
            if kw == "set_global" {
                edits.push(Edit {
                    range: toks[0].range(),
                    text: "set".into(),
                });
            }
            edits.extend(read_edits(src, toks, 3..toks.len(), globals, scopes));
            if globals.contains(target) {
                if kw == "set_global" || !scopes.in_loop() {
                    // First at its offset: it wraps the whole value,
                    // parentheses `filter_operands` adds included.
                    edits.insert(
                        0,
                        Edit {
                            range: toks[3].start..toks[3].start,
                            text: format!("__tera_put(\"{target}\", "),
                        },
                    );
                    let end = toks[toks.len() - 1].end;
                    edits.push(Edit {
                        range: end..end,
                        text: ")".into(),
                    });
                } else if let Some(names) = scopes.loops().next() {
                    names.insert(target.to_string());
                }
            }
        }
        Some(kw) if !NO_READS.contains(&kw) => reads = 1..toks.len(),
        _ => {}
    }
    edits.extend(read_edits(src, toks, reads, globals, scopes));
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits
}

/// Words that end the operand a filter applies to, read leftwards.
const OPERAND_STOPS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "elif",
    "else",
    "set",
    "set_global",
    "for",
    "filter",
    "include",
    "import",
    "as",
    "macro",
    "with",
    "block",
    "extends",
    "return",
];

/// Tera's filters bind looser than `~` and arithmetic (`a ~ b | upper` is
/// `(a ~ b) | upper`; minijinja reads `a ~ (b | upper)`): the operand of
/// the first filter of each chain is put in parentheses when it holds such
/// an operator.
fn filter_operands(src: &str, toks: &[Token]) -> Vec<Edit> {
    let text = |i: usize| &src[toks[i].range()];
    let mut edits = Vec::new();
    for pipe in (1..toks.len()).filter(|&j| text(j) == "|") {
        let (mut k, mut has_op) = (pipe, false);
        while k > 0 {
            let t = text(k - 1);
            match t {
                ")" | "]" | "}" => match opener(src, toks, k - 1) {
                    Some(o) => k = o,
                    None => break,
                },
                "~" | "+" | "-" | "*" | "/" | "%" | "//" | "**" => {
                    has_op = true;
                    k -= 1;
                }
                "|" => {
                    // A later filter of a chain: the first one wraps.
                    has_op = false;
                    break;
                }
                "(" | "[" | "{" | "," | ":" | "=" | "==" | "!=" | "<" | ">" | "<=" | ">=" => break,
                _ if toks[k - 1].kind == Tok::Ident && OPERAND_STOPS.contains(&t) => break,
                _ => k -= 1,
            }
        }
        if has_op && k + 1 < pipe {
            let (first, last) = (toks[k].start, toks[pipe - 1].end);
            edits.push(Edit {
                range: first..first,
                text: "(".into(),
            });
            edits.push(Edit {
                range: last..last,
                text: ")".into(),
            });
        }
    }
    edits
}

/// The index of the bracket that `toks[close]` closes.
fn opener(src: &str, toks: &[Token], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for i in (0..=close).rev() {
        match &src[toks[i].range()] {
            ")" | "]" | "}" => depth += 1,
            "(" | "[" | "{" => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `x` -> `__tera_get("x", x)` for reads of `set_global` names in `range`.
fn read_edits(
    src: &str,
    toks: &[Token],
    range: Range<usize>,
    globals: &BTreeSet<&str>,
    scopes: &mut Scopes,
) -> Vec<Edit> {
    if globals.is_empty() {
        return Vec::new();
    }
    let text = |i: usize| toks.get(i).map_or("", |t| &src[t.range()]);
    let mut out = Vec::new();
    for i in range {
        let name = text(i);
        if toks[i].kind != Tok::Ident || !globals.contains(name) {
            continue;
        }
        let prev = if i == 0 { "" } else { text(i - 1) };
        let is_test = prev == "is" || (prev == "not" && i >= 2 && text(i - 2) == "is");
        if matches!(prev, "." | "|" | "::") || is_test || matches!(text(i + 1), "(" | "=") {
            continue;
        }
        if scopes.bound(name) {
            continue;
        }
        out.push(Edit {
            range: toks[i].range(),
            text: format!("__tera_get(\"{name}\", {name})"),
        });
    }
    out
}

/// A Tera string literal as minijinja reads it, when it must change:
/// backquoted, or holding a backslash (Tera strings have no escapes).
fn requote(lit: &str) -> Option<String> {
    let quote = lit.chars().next()?;
    let closed = lit.len() >= 2 && lit.ends_with(quote);
    if !closed || (quote != '`' && !lit.contains('\\')) {
        return None;
    }
    let inner = &lit[1..lit.len() - 1];
    let mut out = String::with_capacity(lit.len() + 4);
    out.push('"');
    for c in inner.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Some(out)
}

#[cfg(test)]
#[path = "translate_tests.rs"]
mod tests;
