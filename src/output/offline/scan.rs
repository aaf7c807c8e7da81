//! The offline rewrite's fast path: the pass `lol_html` makes over a page
//! (see `rewrite_settings`), made by a tokenizer of its own that finds the
//! few tags with an address and copies everything else as it is.
//!
//! `lol_html` lexes every attribute of every tag to match the rewrite's
//! attribute selectors: about 145 MB/s here, a fifth of a 10,000-page
//! offline build's CPU. This tokenizer follows `lol_html`'s own state
//! machine (its tag, attribute, comment, raw-text and CDATA states and its
//! tree-builder simulation of SVG) and writes what `lol_html` writes, byte
//! for byte: an untouched tag as it came, a rewritten one as
//! `<name attr="value">` with every untouched attribute as it came.
//!
//! Where `lol_html`'s model is richer than this one, it gives up (returns
//! `None`) and the caller runs `lol_html`: `MathML`, `<select>` and
//! `<frameset>` (`lol_html`'s ambiguity guard), `<plaintext>`, `<!--` in a
//! script (escaped script data), a doctype with quotes, `<noscript>` in
//! SVG, `attr=>`, and a page that ends inside a tag, comment or raw text. The
//! content of a `<noscript>` is rewritten as a page of its own by both
//! paths (see [`noscript`]). The unit tests compare both on hand-made and
//! generated pages, and `tests/offline.rs` on every page of the
//! encyclopedia and two fixtures.

use memchr::{memchr, memmem};

use super::Reference;

/// What the rewrite does to an address (see `rewrite_settings`).
pub(super) type Rel<'r> = &'r dyn Fn(&str) -> String;

#[derive(Clone, Copy, PartialEq)]
enum Ns {
    Html,
    Svg,
}

/// An attribute of a start tag: byte ranges of the page.
#[derive(Clone, Copy)]
struct Attr {
    name: (usize, usize),
    value: Option<(usize, usize)>,
    raw: (usize, usize),
}

/// A lexed tag: its name's range, whether it ends in `/>`, and the index
/// just past its `>`.
struct Tag {
    name: (usize, usize),
    self_closing: bool,
    end: usize,
}

/// How the text after a start tag is read (`lol_html`'s text types).
enum Text {
    Data,
    Raw,
    Script,
}

/// The page `html` rewritten as `lol_html` rewrites it with `rel` (each
/// reference of the rewritten page noted into `found`), or `None` where
/// `lol_html` must do it (see the module's note; `found` is then as it was).
pub(super) fn rewrite(
    html: &str,
    rel: Rel<'_>,
    mut found: Option<&mut Vec<Reference>>,
) -> Option<String> {
    let had = found.as_deref().map(Vec::len);
    let out = rewrite_noting(html, rel, found.as_deref_mut());
    if let (None, Some(found), Some(had)) = (&out, found, had) {
        found.truncate(had);
    }
    out
}

fn rewrite_noting(
    html: &str,
    rel: Rel<'_>,
    mut found: Option<&mut Vec<Reference>>,
) -> Option<String> {
    let s = html.as_bytes();
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut copied = 0;
    let mut pos = 0;
    let mut ns = vec![Ns::Html];
    let mut attrs = Vec::new();
    while let Some(i) = memchr(b'<', &s[pos..]) {
        let lt = pos + i;
        match *s.get(lt + 1)? {
            c if c.is_ascii_alphabetic() => {
                let tag = lex_tag(s, lt + 1, Some(&mut attrs))?;
                pos = tag.end;
                let name = &html[tag.name.0..tag.name.1];
                if let Some(new) = rewrite_tag(html, name, &tag, &attrs, rel, found.as_deref_mut())
                {
                    out.push_str(&html[copied..lt]);
                    out.push_str(&new);
                    copied = tag.end;
                }
                match start_feedback(html, name, &tag, &attrs, &mut ns)? {
                    Text::Data => {}
                    mode => {
                        let (text_end, end) = raw_text_end(html, pos, name, &mode, &mut ns)?;
                        if name.eq_ignore_ascii_case("noscript")
                            && let Some(inner) =
                                noscript(&html[pos..text_end], rel, found.as_deref_mut())
                        {
                            out.push_str(&html[copied..pos]);
                            out.push_str(&inner);
                            copied = text_end;
                        }
                        pos = end;
                    }
                }
            }
            b'/' => pos = end_tag_or_comment(html, lt, &mut ns)?,
            b'!' => pos = markup_declaration(s, lt, &ns)?,
            b'?' => pos = lt + 1 + memchr(b'>', &s[lt + 1..])? + 1,
            _ => pos = lt + 1,
        }
    }
    out.push_str(&html[copied..]);
    Some(out)
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b'\x0C')
}

/// A tag lexed from `p` (the first byte of its name), as `lol_html`'s tag and
/// attribute states do; a start tag's attributes are kept in `attrs`.
fn lex_tag(s: &[u8], mut p: usize, mut attrs: Option<&mut Vec<Attr>>) -> Option<Tag> {
    if let Some(a) = attrs.as_deref_mut() {
        a.clear();
    }
    let start = p;
    loop {
        match *s.get(p)? {
            c if is_space(c) || c == b'/' => break,
            b'>' => {
                return Some(Tag {
                    name: (start, p),
                    self_closing: false,
                    end: p + 1,
                });
            }
            _ => p += 1,
        }
    }
    let name = (start, p);
    let mut push = |a: Attr| {
        if let Some(v) = attrs.as_deref_mut() {
            v.push(a);
        }
    };
    let done = |end: usize, self_closing: bool| Tag {
        name,
        self_closing,
        end,
    };
    // Before an attribute's name (after the tag's name, a value or `/`).
    loop {
        let byte = *s.get(p)?;
        if is_space(byte) {
            p += 1;
            continue;
        }
        match byte {
            b'/' => {
                p += 1;
                if *s.get(p)? == b'>' {
                    return Some(done(p + 1, true));
                }
                continue;
            }
            b'>' => return Some(done(p + 1, false)),
            _ => {}
        }
        // An attribute's name: its first byte is taken whatever it is.
        let n0 = p;
        p += 1;
        while !matches!(*s.get(p)?, b'=' | b'/' | b'>') && !is_space(s[p]) {
            p += 1;
        }
        let attr_name = (n0, p);
        while is_space(*s.get(p)?) {
            p += 1;
        }
        if s[p] != b'=' {
            push(Attr {
                name: attr_name,
                value: None,
                raw: attr_name,
            });
            continue; // `/`, `>` or the next attribute's name
        }
        p += 1;
        while is_space(*s.get(p)?) {
            p += 1;
        }
        match s[p] {
            b'>' => return None, // lol_html reads on in the data state
            quote @ (b'"' | b'\'') => {
                let v0 = p + 1;
                let v1 = v0 + memchr(quote, s.get(v0..)?)?;
                push(Attr {
                    name: attr_name,
                    value: Some((v0, v1)),
                    raw: (n0, v1 + 1),
                });
                p = v1 + 1;
            }
            _ => {
                let v0 = p;
                while !is_space(*s.get(p)?) && s[p] != b'>' {
                    p += 1;
                }
                push(Attr {
                    name: attr_name,
                    value: Some((v0, p)),
                    raw: (n0, p),
                });
            }
        }
    }
}

fn is(html: &str, range: (usize, usize), name: &str) -> bool {
    html[range.0..range.1].eq_ignore_ascii_case(name)
}

/// Whether the tag `name` is one of `names` (any case).
fn named(name: &str, names: &[&str]) -> bool {
    names.iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// SVG's HTML integration points (`lol_html`'s list).
const INTEGRATION: &[&str] = &["desc", "title", "foreignobject"];

/// Start tags whose text is raw (`lol_html`'s text types, scripting on).
const RAW_TEXT: &[&str] = &[
    "title", "textarea", "style", "iframe", "xmp", "noembed", "noframes", "noscript",
];

fn find(html: &str, attrs: &[Attr], name: &str) -> Option<usize> {
    attrs.iter().position(|a| is(html, a.name, name))
}

/// What the tree builder does after the start tag `name` (`lol_html`'s
/// simulation of it, and its ambiguity guard): the namespace entered or
/// left, and how the text after it is read; `None` where `lol_html` must go.
fn start_feedback(
    html: &str,
    name: &str,
    tag: &Tag,
    attrs: &[Attr],
    ns: &mut Vec<Ns>,
) -> Option<Text> {
    let one_of = |names: &[&str]| named(name, names);
    if one_of(&["select", "frameset", "math", "plaintext"]) {
        return None;
    }
    if one_of(&["svg"]) {
        ns.push(Ns::Svg);
    } else if ns.last() == Some(&Ns::Svg) {
        if one_of(&["noscript"]) {
            // Not raw text in SVG, but the `lol_html` path's handler reads
            // the text inside it as markup all the same.
            return None;
        } else if one_of(BREAKOUT) {
            ns.pop();
        } else if one_of(INTEGRATION) {
            if !tag.self_closing {
                ns.push(Ns::Html);
            }
        } else if one_of(&["font"])
            && ["color", "size", "face"]
                .iter()
                .any(|a| find(html, attrs, a).is_some())
        {
            ns.pop();
        }
    } else if one_of(RAW_TEXT) {
        return Some(Text::Raw);
    } else if one_of(&["script"]) {
        return Some(Text::Script);
    }
    Some(Text::Data)
}

/// Start tags that end SVG content (`lol_html`'s list).
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// What the tree builder does after the end tag `name`.
fn end_feedback(name: &str, ns: &mut Vec<Ns>) {
    match ns.last() {
        Some(Ns::Svg) if named(name, &["svg", "p", "br"]) => {
            ns.pop();
        }
        Some(Ns::Html)
            if ns.len() >= 2 && ns[ns.len() - 2] == Ns::Svg && named(name, INTEGRATION) =>
        {
            ns.pop();
        }
        _ => {}
    }
}

/// The end of the raw text (or script) after the start tag `name`, from
/// `pos`: past the end tag that closes it.
fn raw_text_end(
    html: &str,
    pos: usize,
    name: &str,
    mode: &Text,
    ns: &mut Vec<Ns>,
) -> Option<(usize, usize)> {
    let s = html.as_bytes();
    let mut p = pos;
    loop {
        let lt = p + memmem::find(&s[p..], b"</")?;
        let n0 = lt + 2;
        let n1 = n0
            + s[n0..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
        let after = *s.get(n1)?;
        if html[n0..n1].eq_ignore_ascii_case(name)
            && (is_space(after) || matches!(after, b'/' | b'>'))
        {
            if matches!(mode, Text::Script) && memmem::find(&s[pos..lt], b"<!--").is_some() {
                return None; // escaped script data
            }
            let tag = lex_tag(s, n0, None)?;
            end_feedback(name, ns);
            return Some((lt, tag.end));
        }
        p = lt + 2;
    }
}

/// The content of a `<noscript>` rewritten as a page of its own, with its
/// references noted into `found`; `None` when that is left as it is (it
/// has nothing to rewrite, or it is more than [`rewrite`] reads).
///
/// A browser that runs scripts never shows it, and `lol_html` reads it as
/// raw text (as such a browser does); a browser without scripts (the
/// reader it is written for) reads it as markup, whose links must then
/// work from a folder too. Both paths of the rewrite do this the same way.
pub(super) fn noscript(
    text: &str,
    rel: Rel<'_>,
    found: Option<&mut Vec<Reference>>,
) -> Option<String> {
    if !text.contains('<') {
        return None;
    }
    rewrite(text, rel, found)
}

/// Past `</...`: an end tag, `</>` or a bogus comment.
fn end_tag_or_comment(html: &str, lt: usize, ns: &mut Vec<Ns>) -> Option<usize> {
    let s = html.as_bytes();
    match *s.get(lt + 2)? {
        c if c.is_ascii_alphabetic() => {
            let tag = lex_tag(s, lt + 2, None)?;
            end_feedback(&html[tag.name.0..tag.name.1], ns);
            Some(tag.end)
        }
        b'>' => Some(lt + 3),
        _ => Some(lt + 2 + memchr(b'>', &s[lt + 2..])? + 1),
    }
}

/// Past `<!...`: a comment, a doctype, CDATA (in SVG) or a bogus comment.
fn markup_declaration(s: &[u8], lt: usize, ns: &[Ns]) -> Option<usize> {
    let rest = &s[lt + 2..];
    if let Some(body) = rest.strip_prefix(b"--") {
        let from = lt + 4;
        if body.first() == Some(&b'>') {
            return Some(from + 1);
        }
        if body.starts_with(b"->") {
            return Some(from + 2);
        }
        let close = memmem::find(body, b"-->").map(|i| i + 3);
        let bang = memmem::find(body, b"--!>").map(|i| i + 4);
        let end = match (close, bang) {
            (Some(c), Some(b)) => c.min(b),
            (c, b) => c.or(b)?,
        };
        return Some(from + end);
    }
    if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"doctype") {
        let end = memchr(b'>', rest)?;
        if rest[..end].iter().any(|c| matches!(c, b'"' | b'\'')) {
            return None;
        }
        return Some(lt + 2 + end + 1);
    }
    if ns.last() == Some(&Ns::Svg) && rest.starts_with(b"[CDATA[") {
        return Some(lt + 2 + memmem::find(rest, b"]]>")? + 3);
    }
    Some(lt + 2 + memchr(b'>', rest)? + 1)
}

/// The start tag rewritten, when the rewrite changes it (and its
/// references noted into `found`, whether it changes or not).
fn rewrite_tag(
    html: &str,
    name: &str,
    tag: &Tag,
    attrs: &[Attr],
    rel: Rel<'_>,
    found: Option<&mut Vec<Reference>>,
) -> Option<String> {
    let at = |n: &str| find(html, attrs, n);
    let url = super::URL_ATTRS.iter().any(|a| at(a).is_some());
    let srcset = at("srcset");
    let meta = name.eq_ignore_ascii_case("meta") && at("http-equiv").is_some();
    if !url && srcset.is_none() && !meta {
        return None;
    }
    let mut new: Vec<Option<String>> = vec![None; attrs.len()];
    let value = |new: &[Option<String>], i: usize| -> String {
        new[i].clone().unwrap_or_else(|| {
            attrs[i]
                .value
                .map_or_else(String::new, |v| html[v.0..v.1].to_string())
        })
    };
    let metadata = super::is_metadata(name, at("rel").map(|i| value(&new, i)).as_deref());
    if url && !metadata {
        for a in super::URL_ATTRS {
            if let Some(i) = at(a) {
                new[i] = Some(rel(&value(&new, i)));
            }
        }
    }
    if let Some(i) = srcset {
        new[i] = Some(super::rewrite_srcset(&value(&new, i), rel));
    }
    if meta
        && let (Some(i), Some(c)) = (at("http-equiv"), at("content"))
        && let Some(content) = super::refresh_content(&value(&new, i), &value(&new, c), rel)
    {
        new[c] = Some(content);
    }
    if let Some(found) = found
        && (at("href").is_some() || at("src").is_some() || srcset.is_some())
        && !metadata
    {
        let tag_name = name.to_ascii_lowercase();
        let quoted = |v: String| v.replace('"', "&quot;");
        for a in ["href", "src"] {
            if let Some(i) = at(a) {
                found.push((tag_name.clone(), a.to_string(), quoted(value(&new, i))));
            }
        }
        if let Some(i) = srcset {
            for u in super::srcset_urls(&quoted(value(&new, i))) {
                found.push((tag_name.clone(), "srcset".into(), u.to_string()));
            }
        }
    }
    if new.iter().all(Option::is_none) {
        return None;
    }
    let mut t = String::with_capacity(tag.end - tag.name.0 + 32);
    t.push('<');
    t.push_str(name);
    for (a, v) in attrs.iter().zip(&new) {
        t.push(' ');
        match v {
            Some(v) => {
                t.push_str(&html[a.name.0..a.name.1]);
                t.push_str("=\"");
                t.push_str(&v.replace('"', "&quot;"));
                t.push('"');
            }
            None => t.push_str(&html[a.raw.0..a.raw.1]),
        }
    }
    if tag.self_closing {
        if !attrs.is_empty() {
            t.push(' ');
        }
        t.push_str("/>");
    } else {
        t.push('>');
    }
    Some(t)
}
