//! Encoding the index: postings pruned and scaled by BM25 norms, numbers in
//! base 62, JSON strings quoted for a single-quoted JavaScript string, and
//! the text shards' snippet files.

use super::super::SearchDoc;
use super::tokens::{doc_of, field_of, tf_of};
use super::{BM25_B, BM25_D, BM25_K, JsonOut, TF_SCALE};
use std::fmt::Write as _;

// ---------------------------------------------------------------------------
// Postings

/// What the index knows of the documents' fields.
pub(super) struct Norms<'a> {
    pub(super) fields: usize,
    pub(super) lengths: &'a [u32],
    pub(super) avg: &'a [f64],
    pub(super) boosts: &'a [f64],
}

impl Norms<'_> {
    /// BM25's length norm of a document's field.
    fn norm(&self, doc: u32, field: usize) -> f64 {
        let len = f64::from(self.lengths[doc as usize * self.fields + field]);
        1.0 - BM25_B + BM25_B * len / self.avg[field].max(1e-9)
    }
}

/// One term's entry as the client reads it, and the number of
/// (page, field) postings it keeps.
pub(super) fn entry(
    term: &str,
    mut list: Vec<u64>,
    limit: usize,
    norms: &Norms<'_>,
) -> (Vec<u8>, usize) {
    let mut pages = 0;
    let mut prev = u32::MAX;
    for &p in &list {
        if doc_of(p) != prev {
            pages += 1;
            prev = doc_of(p);
        }
    }
    let pruned = pages > limit;
    if pruned {
        // Keep the pages where the term counts most: its BM25 weight in each
        // field times the field's boost.
        let mut scores: Vec<(u32, f64)> = Vec::with_capacity(pages);
        for &p in &list {
            let (doc, f) = (doc_of(p), field_of(p));
            let tf = f64::from(tf_of(p));
            let s = norms.boosts[f]
                * (BM25_D + tf * (BM25_K + 1.0) / (tf + BM25_K * norms.norm(doc, f)));
            match scores.last_mut() {
                Some(top) if top.0 == doc => top.1 += s,
                _ => scores.push((doc, s)),
            }
        }
        scores.select_nth_unstable_by(limit - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut keep: Vec<u32> = scores[..limit].iter().map(|s| s.0).collect();
        keep.sort_unstable();
        // Both in document order: one merge pass.
        let mut k = 0;
        list.retain(|&p| {
            let doc = doc_of(p);
            while k < keep.len() && keep[k] < doc {
                k += 1;
            }
            k < keep.len() && keep[k] == doc
        });
    }
    // By field, documents ascending within each (the sort is stable).
    list.sort_by_key(|&p| field_of(p));
    let mut s: Vec<u8> = Vec::with_capacity(16 + term.len() + list.len() * 5);
    debug_assert!(!term.contains(['"', '\\', '\'']));
    s.extend_from_slice(b"[\"");
    s.extend_from_slice(term.as_bytes());
    s.push(b'"');
    let mut field = usize::MAX;
    let mut prev_doc = 0;
    for &p in &list {
        let (doc, f) = (doc_of(p), field_of(p));
        if f == field {
            s.push(b',');
        } else {
            if field != usize::MAX {
                s.push(b']');
            }
            s.push(b',');
            push_num(&mut s, f as u32);
            s.extend_from_slice(b",[");
            field = f;
            prev_doc = 0;
        }
        push_num(&mut s, doc - prev_doc);
        s.push(b',');
        push_num(&mut s, scaled_tf(tf_of(p), norms.norm(doc, f)));
        prev_doc = doc;
    }
    if field != usize::MAX {
        s.push(b']');
    }
    if pruned {
        // How many pages really have the term, for its weight.
        s.extend_from_slice(b",-");
        push_num(&mut s, pages as u32);
    }
    s.push(b']');
    (s, list.len())
}

/// A term frequency divided by its field's length norm, times [`TF_SCALE`],
/// rounded (at least 1).
pub(super) fn scaled_tf(tf: u32, norm: f64) -> u32 {
    // tf < 2^24 and norm >= 1 - b: far inside i64.
    let q = (f64::from(tf) / norm * TF_SCALE).round() as i64;
    u32::try_from(q.max(1)).unwrap_or(u32::MAX)
}

/// Append the decimal digits of `n`.
pub(super) fn push_num(out: &mut Vec<u8>, mut n: u32) {
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

// ---------------------------------------------------------------------------
// Writing

/// Append `json` (JSON text, as `serde_json` and [`entry`] write it: no raw
/// line breaks) to `out` as the content of a JavaScript single-quoted string.
pub(super) fn push_js_quoted(out: &mut Vec<u8>, json: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    while let Some(at) = memchr::memchr3(b'\\', b'\'', 0xE2, &json[i..]) {
        i += at;
        let (esc, len): (&[u8], usize) = match (json[i], json.get(i + 1), json.get(i + 2)) {
            (b'\\', ..) => (b"\\\\", 1),
            (b'\'', ..) => (b"\\'", 1),
            // U+2028 and U+2029, line ends to older JavaScript engines.
            (0xE2, Some(0x80), Some(0xA8)) => (b"\\u2028", 3),
            (0xE2, Some(0x80), Some(0xA9)) => (b"\\u2029", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&json[start..i]);
        out.extend_from_slice(esc);
        i += len;
        start = i;
    }
    debug_assert!(!json.contains(&b'\n') && !json.contains(&b'\r'));
    out.extend_from_slice(&json[start..]);
}

pub(super) const HEADER: &str =
    "/* fascia search index: generated by `fascia build`, do not edit */\n";
pub(super) const DATA_TAIL: &[u8] = b"');\n";

/// The start of a data file that registers a JSON value under `key` in
/// `self.fasciaSearchData`, up to the opening quote of the string that
/// `JSON.parse` reads (browsers parse a JSON string several times faster
/// than the same data written as a JavaScript literal). The JSON follows,
/// quoted for a single-quoted string, then [`DATA_TAIL`].
pub(super) fn data_head(key: &str, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity + capacity / 64 + 128);
    out.extend_from_slice(HEADER.as_bytes());
    out.extend_from_slice(b"(self.fasciaSearchData=self.fasciaSearchData||{})[\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\"]=JSON.parse('");
    out
}

/// A data file of JSON text (quoted here).
pub(super) fn data_file(key: &str, json: &[u8]) -> Vec<u8> {
    let mut out = data_head(key, json.len());
    push_js_quoted(&mut out, json);
    out.extend_from_slice(DATA_TAIL);
    out
}

/// Bytes [`push_js_json_str`] must look at.
pub(super) const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\'' as usize] = true;
    t[0xE2] = true;
    t
};

/// Append `s` to `out` as a JSON string inside a JavaScript single-quoted
/// string: the JSON escapes and then the JavaScript ones, in one pass.
pub(super) fn push_js_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !SPECIAL[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let b = bytes[i];
        let esc: &[u8] = match b {
            b'"' => b"\\\\\"",
            b'\\' => b"\\\\\\\\",
            b'\'' => b"\\'",
            b'\n' => b"\\\\n",
            b'\r' => b"\\\\r",
            b'\t' => b"\\\\t",
            // U+2028 and U+2029, line ends to older JavaScript engines.
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(if bytes[i + 2] == 0xA8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                i += 3;
                start = i;
                continue;
            }
            0xE2 => {
                i += 1;
                continue;
            }
            _ => {
                out.extend_from_slice(&bytes[start..i]);
                let _ = write!(JsonOut(out), "\\\\u{b:04x}");
                i += 1;
                start = i;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Characters of each section's text kept for snippets (the whole text is
/// indexed; a snippet shows the start of the section that matched when the
/// match is further in).
pub(super) const SECTION_EXCERPT: usize = 400;
/// Characters of a page's text kept for snippets, all sections together.
pub(super) const PAGE_EXCERPT: usize = 4000;

/// What the index keeps of a document once it is tokenised: where it is,
/// and its snippet text.
pub(crate) struct Page {
    pub(super) path: String,
    pub(super) title: String,
    pub(super) section: Option<String>,
    pub(super) section_path: Option<String>,
    /// `[description, [[anchor, heading, excerpt], ...]]`, quoted for a
    /// data file (see [`text_json`]).
    pub(super) text: Vec<u8>,
    /// Its file was written as soon as it was made (a streamed build of a
    /// split index): nothing of it is kept.
    pub(super) written: bool,
}

impl Page {
    /// `d` without its text, which is dropped: its excerpts are kept.
    pub(super) fn of(d: SearchDoc) -> Self {
        let mut text = Vec::with_capacity(d.description.len() + 64);
        text_json(&d, &mut text);
        Self {
            path: d.path,
            title: d.title,
            section: d.section,
            section_path: d.section_path,
            text,
            written: false,
        }
    }

    /// What is kept of a page whose file was written at once.
    pub(super) fn written() -> Self {
        Self {
            path: String::new(),
            title: String::new(),
            section: None,
            section_path: None,
            text: Vec::new(),
            written: true,
        }
    }

    /// The page's own file in a sharded index, `search/text/<k>.js`:
    /// `[path, title, section title, section path, text]` registered as
    /// `p<k>` (an empty string for no section).
    pub(super) fn file(&self, k: usize) -> Vec<u8> {
        let key = format!("p{k}");
        let mut out = data_head(
            &key,
            self.text.len() + self.path.len() + self.title.len() + 64,
        );
        out.push(b'[');
        for s in [
            self.path.as_str(),
            self.title.as_str(),
            self.section.as_deref().unwrap_or(""),
            self.section_path.as_deref().unwrap_or(""),
        ] {
            push_js_json_str(&mut out, s);
            out.push(b',');
        }
        out.extend_from_slice(&self.text);
        out.push(b']');
        out.extend_from_slice(DATA_TAIL);
        out
    }
}

/// At most `max` characters of `s`, ending on a word boundary when one is
/// near, and the characters left.
fn excerpt(s: &str, max: usize) -> &str {
    let Some((cut, _)) = s.char_indices().nth(max) else {
        return s;
    };
    match s[..cut].rfind(' ') {
        Some(sp) if cut - sp < 40 => &s[..sp],
        _ => &s[..cut],
    }
}

/// A document's snippet text, `[description, [[anchor, heading, excerpt],
/// ...]]`, quoted for a data file: each section's text cut to
/// [`SECTION_EXCERPT`] characters, [`PAGE_EXCERPT`] in all (later sections
/// keep their heading).
pub(super) fn text_json(d: &SearchDoc, out: &mut Vec<u8>) {
    out.push(b'[');
    push_js_json_str(out, &d.description);
    out.extend_from_slice(b",[");
    let mut left = PAGE_EXCERPT;
    for (i, s) in d.sections.iter().enumerate() {
        out.extend_from_slice(if i > 0 { b",[" } else { b"[" });
        push_js_json_str(out, &s.anchor);
        out.push(b',');
        push_js_json_str(out, &s.heading);
        out.push(b',');
        let text = excerpt(&s.text, SECTION_EXCERPT.min(left));
        left -= text.chars().count().min(left);
        push_js_json_str(out, text);
        out.push(b']');
    }
    out.extend_from_slice(b"]]");
}

/// Split `sizes` into runs of about `target` bytes: the index where each
/// run starts.
pub(super) fn runs(sizes: impl Iterator<Item = usize>, target: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut size = 0;
    for (i, n) in sizes.enumerate() {
        if i == 0 || (size > 0 && size + n > target) {
            starts.push(i);
            size = 0;
        }
        size += n + 1;
    }
    starts
}
