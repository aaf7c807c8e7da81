//! Finished body HTML to plain text sections, split at headings with an id:
//! what the index and the snippets are made from.

use super::DocSection;

/// Split finished body HTML into text sections at headings that have an id.
/// The symbol of a heading's anchor link (`<a class="anchor">#</a>`,
/// Zola's `<a class="zola-anchor">🔗</a>`), footnote markers, scripts,
/// styles and SVG are left out; words inside an anchor link (Zola's
/// `insert_anchor_links = "heading"` wraps the heading's text in one) stay. Whitespace is collapsed to single spaces as
/// the text is copied (one pass, no allocation per tag).
pub fn html_sections(html: &str) -> Vec<DocSection> {
    let mut out = vec![DocSection::default()];
    // The heading being read: its id and text.
    let mut heading: Option<(String, Text)> = None;
    let mut body = Text {
        s: String::with_capacity(html.len() / 2),
        pending: false,
    };
    // An element whose content is left out, and how deep in it we are.
    let mut skip: Option<(&'static str, usize)> = None;
    // Inside a heading's anchor link: text without a letter or digit is its
    // symbol, left out.
    let mut in_anchor = false;
    let kept = |text: &str, in_anchor: bool| !in_anchor || text.chars().any(char::is_alphanumeric);
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) else {
            if skip.is_none() && kept(rest, in_anchor) {
                target(&mut heading, &mut body).push_html(rest);
            }
            break;
        };
        if skip.is_none() && kept(&rest[..lt], in_anchor) {
            target(&mut heading, &mut body).push_html(&rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[1..end.saturating_sub(1).max(1)];
        rest = &rest[end..];
        let closing = tag.starts_with('/');
        let inner = tag.trim_start_matches('/');
        let name_len = inner
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(inner.len());
        let mut lower = [0u8; 10];
        let name: &[u8] = if name_len <= lower.len() {
            lower[..name_len].copy_from_slice(&inner.as_bytes()[..name_len]);
            lower[..name_len].make_ascii_lowercase();
            &lower[..name_len]
        } else {
            b""
        };
        let attrs = &inner[name_len..];
        if let Some((skip_name, depth)) = &mut skip {
            if name == skip_name.as_bytes() {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skip = None;
                    }
                } else if !attrs.trim_end().ends_with('/') {
                    *depth += 1;
                }
            }
            continue;
        }
        if !closing {
            let left_out: Option<&'static str> = match name {
                b"script" => Some("script"),
                b"style" => Some("style"),
                b"svg" => Some("svg"),
                b"template" => Some("template"),
                b"math" => Some("math"),
                b"sup" if has_class(attrs, "footnote-ref") => Some("sup"),
                _ => None,
            };
            if let Some(n) = left_out {
                skip = Some((n, 1));
                continue;
            }
        }
        if name == b"a" {
            in_anchor = !closing && (has_class(attrs, "anchor") || has_class(attrs, "zola-anchor"));
            continue;
        }
        let is_heading = name.len() == 2 && name[0] == b'h' && matches!(name[1], b'1'..=b'6');
        if is_heading {
            if closing {
                if let Some((anchor, text)) = heading.take() {
                    // The body text so far belongs to the section before.
                    let last = out.len() - 1;
                    out[last].text = std::mem::take(&mut body).s;
                    out.push(DocSection {
                        anchor,
                        heading: text.s,
                        text: String::new(),
                    });
                }
            } else if let Some(id) = attr(attrs, "id") {
                heading = Some((id, Text::default()));
            }
            target(&mut heading, &mut body).space();
        } else if is_block(name) {
            target(&mut heading, &mut body).space();
        }
    }
    let last = out.len() - 1;
    out[last].text = body.s;
    out
}

/// Where text goes: the heading being read, else the body.
fn target<'a>(heading: &'a mut Option<(String, Text)>, body: &'a mut Text) -> &'a mut Text {
    match heading {
        Some((_, t)) => t,
        None => body,
    }
}

/// Elements that separate words.
fn is_block(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"div"
            | b"li"
            | b"ul"
            | b"ol"
            | b"dl"
            | b"dt"
            | b"dd"
            | b"tr"
            | b"td"
            | b"th"
            | b"table"
            | b"thead"
            | b"tbody"
            | b"blockquote"
            | b"pre"
            | b"section"
            | b"figure"
            | b"figcaption"
            | b"details"
            | b"summary"
            | b"br"
            | b"hr"
            | b"aside"
            | b"caption"
            | b"nav"
            | b"header"
            | b"footer"
            | b"main"
            | b"article"
    )
}

fn has_class(attrs: &str, class: &str) -> bool {
    attr_raw(attrs, "class").is_some_and(|c| c.split_ascii_whitespace().any(|x| x == class))
}

/// Text with whitespace collapsed as it is added: no space at either end,
/// one space for any run of whitespace (as `split_whitespace` and a join).
#[derive(Default)]
struct Text {
    s: String,
    pending: bool,
}

impl Text {
    /// A word boundary.
    fn space(&mut self) {
        self.pending = true;
    }

    /// Append `text`, collapsing whitespace. Runs that need no change
    /// (words with single spaces between them) are copied whole.
    fn push_plain(&mut self, text: &str) {
        /// ASCII whitespace, as `char::is_whitespace` has it.
        const WHITE: [bool; 128] = {
            let mut t = [false; 128];
            t[b' ' as usize] = true;
            t[b'\t' as usize] = true;
            t[b'\n' as usize] = true;
            t[b'\r' as usize] = true;
            t[0x0b] = true;
            t[0x0c] = true;
            t
        };
        let plain = |b: u8| b < 0x80 && !WHITE[b as usize];
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            let b = bytes[i];
            let white_len = if b < 0x80 {
                usize::from(WHITE[b as usize])
            } else {
                let c = text[i..].chars().next().expect("a character");
                if c.is_whitespace() { c.len_utf8() } else { 0 }
            };
            if white_len > 0 {
                self.pending = true;
                i += white_len;
                continue;
            }
            let start = i;
            loop {
                while i < n && plain(bytes[i]) {
                    i += 1;
                }
                if i >= n {
                    break;
                }
                if bytes[i] == b' ' && i + 1 < n && plain(bytes[i + 1]) {
                    i += 1;
                    continue;
                }
                if bytes[i] >= 0x80 {
                    let c = text[i..].chars().next().expect("a character");
                    if !c.is_whitespace() {
                        i += c.len_utf8();
                        continue;
                    }
                }
                break;
            }
            self.push_word(&text[start..i]);
        }
    }

    fn push_word(&mut self, word: &str) {
        if self.pending && !self.s.is_empty() {
            self.s.push(' ');
        }
        self.pending = false;
        self.s.push_str(word);
    }

    /// Text of the HTML source, character references decoded.
    fn push_html(&mut self, raw: &str) {
        if memchr::memchr(b'&', raw.as_bytes()).is_none() {
            self.push_plain(raw);
            return;
        }
        let mut decoded = String::with_capacity(raw.len());
        decode_entities(raw, &mut decoded);
        self.push_plain(&decoded);
    }
}

/// Byte index just past the `>` that ends the tag at the start of `s`.
fn tag_end(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 1;
    while let Some(at) = memchr::memchr3(b'>', b'"', b'\'', &bytes[i.min(bytes.len())..]) {
        let at = i + at;
        let q = bytes[at];
        if q == b'>' {
            return at + 1;
        }
        // Skip the quoted value.
        match memchr::memchr(q, &bytes[at + 1..]) {
            Some(close) => i = at + 1 + close + 1,
            None => return s.len(),
        }
    }
    s.len()
}

/// The value of attribute `name` in a tag's attribute text.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let value = attr_raw(attrs, name)?;
    let mut out = String::new();
    decode_entities(value, &mut out);
    Some(out)
}

/// The value of attribute `name` as written (character references left).
fn attr_raw<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_len = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let value = if let Some(v) = rest.strip_prefix('=') {
            let v = v.trim_start();
            let (val, after) = if let Some(q @ ('"' | '\'')) = v.chars().next() {
                let body = &v[1..];
                let e = body.find(q).unwrap_or(body.len());
                (&body[..e], body.get(e + 1..).unwrap_or(""))
            } else {
                let e = v.find(char::is_whitespace).unwrap_or(v.len());
                (&v[..e], &v[e..])
            };
            rest = after;
            val
        } else {
            ""
        };
        if key.eq_ignore_ascii_case(name) {
            return Some(value);
        }
    }
}

/// Append `s` to `out` with HTML character references decoded.
fn decode_entities(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Bytes, not a string cut: the twelfth byte may fall inside a character.
        let semi = memchr::memchr(b';', &rest.as_bytes()[..rest.len().min(12)]);
        let decoded = semi.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "hellip" => Some('…'),
                "lsquo" => Some('‘'),
                "rsquo" => Some('’'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let n = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(n)
                }
            }?;
            Some((c, e + 1))
        });
        if let Some((c, len)) = decoded {
            out.push(c);
            rest = &rest[len..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
}
