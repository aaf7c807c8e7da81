//! Tera source read as tags and tokens, for [`super::translate`]: text is
//! skipped, `{{ }}` and `{% %}` tags are split into tokens (names, strings,
//! numbers, punctuation), comments and `{% raw %}` blocks are one verbatim
//! tag each.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    /// `{{ ... }}`
    Expr,
    /// `{% ... %}`
    Stmt,
    /// a comment or a `{% raw %}` block, copied as it is
    Verbatim,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Ident,
    Str,
    Num,
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

#[derive(Debug)]
pub struct Tag {
    pub kind: TagKind,
    pub start: usize,
    pub end: usize,
    pub trim_left: bool,
    pub trim_right: bool,
    pub toks: Vec<Token>,
}

impl Tag {
    pub fn keyword<'s>(&self, src: &'s str) -> Option<&'s str> {
        (self.kind == TagKind::Stmt)
            .then(|| self.toks.first())
            .flatten()
            .filter(|t| t.kind == Tok::Ident)
            .map(|t| &src[t.range()])
    }
}

/// Every tag of `src`, in order; `{% raw %}...{% endraw %}` is one verbatim tag.
pub fn scan(src: &str) -> Vec<Tag> {
    let bytes = src.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'{', &bytes[i..]) {
        let start = i + off;
        let Some(&next) = bytes.get(start + 1) else {
            break;
        };
        match next {
            b'#' => {
                let end = find(src, start + 2, "#}").map_or(src.len(), |e| e + 2);
                tags.push(verbatim(start, end));
                i = end;
            }
            b'{' | b'%' => {
                let tag = read_tag(src, start, next == b'%');
                i = tag.end;
                if tag.keyword(src) == Some("raw") {
                    let end = raw_end(src, tag.end);
                    tags.push(verbatim(start, end));
                    i = end;
                } else {
                    tags.push(tag);
                }
            }
            _ => i = start + 1,
        }
    }
    tags
}

fn verbatim(start: usize, end: usize) -> Tag {
    Tag {
        kind: TagKind::Verbatim,
        start,
        end,
        trim_left: false,
        trim_right: false,
        toks: Vec::new(),
    }
}

fn find(src: &str, from: usize, needle: &str) -> Option<usize> {
    src.get(from..)?.find(needle).map(|i| from + i)
}

/// The end of the `{% endraw %}` tag after `from` (the end of `src` if none).
fn raw_end(src: &str, mut from: usize) -> usize {
    while let Some(at) = find(src, from, "{%") {
        let tag = read_tag(src, at, true);
        if tag.keyword(src) == Some("endraw") {
            return tag.end;
        }
        from = at + 2;
    }
    src.len()
}

/// The tag opening at `start` (`{{` or `{%`), read up to its closing
/// delimiter outside strings (to the end of `src` when unclosed).
fn read_tag(src: &str, start: usize, stmt: bool) -> Tag {
    let bytes = src.as_bytes();
    let close = if stmt { b'%' } else { b'}' };
    let mut body_start = start + 2;
    let trim_left = matches!(bytes.get(body_start), Some(b'-' | b'+'));
    if trim_left {
        body_start += 1;
    }
    let mut i = body_start;
    let (mut body_end, mut end) = (src.len(), src.len());
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i = memchr::memchr(q, &bytes[i + 1..]).map_or(bytes.len(), |e| i + 1 + e + 1);
            }
            c if c == close && bytes.get(i + 1) == Some(&b'}') => {
                body_end = i;
                end = i + 2;
                break;
            }
            _ => i += 1,
        }
    }
    let trim_right = body_end > body_start && matches!(bytes[body_end - 1], b'-' | b'+');
    if trim_right {
        body_end -= 1;
    }
    Tag {
        kind: if stmt { TagKind::Stmt } else { TagKind::Expr },
        start,
        end,
        trim_left,
        trim_right,
        toks: tokens(src, body_start..body_end.max(body_start)),
    }
}

fn tokens(src: &str, body: Range<usize>) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = body.start;
    while i < body.end {
        let c = bytes[i];
        let start = i;
        let kind = if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if c == b'"' || c == b'\'' || c == b'`' {
            i = memchr::memchr(c, &bytes[i + 1..body.end]).map_or(body.end, |e| i + 1 + e + 1);
            Tok::Str
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < body.end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            Tok::Ident
        } else if c.is_ascii_digit() {
            while i < body.end && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < body.end && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
                i += 1;
                while i < body.end && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
            Tok::Num
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            i += if matches!(two, "::" | "==" | "!=" | "<=" | ">=" | "//" | "**") {
                2
            } else {
                src[i..].chars().next().map_or(1, char::len_utf8)
            };
            Tok::Punct
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}
