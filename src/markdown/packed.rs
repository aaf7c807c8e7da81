//! A body's HTML held compressed: a one-shot build holds every rendered
//! body from parsing until its page is written (7 KB a page on the
//! benchmark corpus, 720 MB at 100,000 pages), and reads each only a few
//! times (the search index, its page, the print edition). LZ4 makes HTML
//! about a third of its size and reads it back at gigabytes a second.

use std::borrow::Cow;

use super::Body;

/// Bodies shorter than this stay as they are (nothing to gain).
const PACK_FROM: usize = 64;

impl Body {
    /// The HTML, with its link placeholders: `html`, or unpacked.
    pub fn html(&self) -> Cow<'_, str> {
        match &self.packed {
            Some(bytes) => Cow::Owned(unpack(bytes)),
            None => Cow::Borrowed(&self.html),
        }
    }

    /// Replace the HTML, packed again if it was.
    pub fn set_html(&mut self, html: String) {
        let was_packed = self.packed.take().is_some();
        self.html = html;
        if was_packed {
            self.pack();
        }
    }

    /// Hold the HTML compressed from now on ([`Body::html`] unpacks it).
    pub fn pack(&mut self) {
        if self.packed.is_some() || self.html.len() < PACK_FROM {
            return;
        }
        let bytes = lz4_flex::compress_prepend_size(self.html.as_bytes());
        self.packed = Some(bytes.into_boxed_slice());
        self.html = String::new();
    }

    /// Whether the plain HTML is held (a packed body holds none).
    pub fn holds_plain(&self) -> bool {
        !self.html.is_empty()
    }

    /// Bytes the HTML takes as held (packed or not).
    pub fn html_bytes(&self) -> usize {
        self.packed
            .as_ref()
            .map_or(self.html.capacity(), |p| p.len())
    }
}

/// What [`Body::pack`] made, unpacked. Only this module packs, always
/// from a `String`: anything else is a bug, not an input.
fn unpack(bytes: &[u8]) -> String {
    let raw = lz4_flex::decompress_size_prepended(bytes).expect("a packed body unpacks");
    String::from_utf8(raw).expect("a packed body is the UTF-8 it was")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(html: &str) -> Body {
        Body {
            html: html.to_string(),
            ..Body::default()
        }
    }

    #[test]
    fn a_packed_body_reads_as_it_was() {
        let long =
            "<p>Fascia <em>links</em> every muscle — «ça», 日本語, \u{1F600}.</p>\n".repeat(200);
        for html in ["", "<p>short</p>", long.as_str()] {
            let mut b = body(html);
            b.pack();
            assert_eq!(b.html(), html);
            // Packing twice changes nothing.
            b.pack();
            assert_eq!(b.html(), html);
        }
    }

    #[test]
    fn packing_holds_less_and_leaves_html_empty() {
        let html =
            "<p>A paragraph of <a href=\"\u{1}3\u{2}\">links</a> and text.</p>\n".repeat(100);
        let mut b = body(&html);
        b.pack();
        assert!(b.html.is_empty());
        assert!(b.packed.is_some());
        assert!(
            b.html_bytes() * 4 < html.len(),
            "{} of {}",
            b.html_bytes(),
            html.len()
        );
        // A short body is left as it is.
        let mut s = body("<p>a</p>");
        s.pack();
        assert!(s.packed.is_none());
        assert_eq!(s.html, "<p>a</p>");
    }

    #[test]
    fn set_html_keeps_a_body_packed_or_not() {
        let html = "<h2 id=\"a\">A</h2><p>text text text text text text text text</p>".repeat(4);
        let mut packed = body(&html);
        packed.pack();
        packed.set_html(html.replace("text", "word"));
        assert!(packed.packed.is_some());
        assert_eq!(packed.html(), html.replace("text", "word"));
        let mut plain = body(&html);
        plain.set_html("<p>new</p>".to_string());
        assert!(plain.packed.is_none());
        assert_eq!(plain.html(), "<p>new</p>");
    }
}
