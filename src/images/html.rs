//! The HTML of images: what the Markdown stage writes (a plain `<img>`
//! marked with its index), what replaces it once the file is known
//! (`<picture>` with WebP copies, `<img>` with its size), figures, and
//! their numbers.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::{FigureText, Format};

/// The attribute that marks an image the Markdown stage wrote.
const MARK: &str = " data-fascia-image=\"";

/// Stands for a figure's number until the body is finished.
pub const FIGURE_NUMBER: &str = "fascia:figure-number";
/// Stand for the words of a caption until the page's language is known.
const FIGURE_WORD: &str = "fascia:figure-word";
const CREDIT_WORD: &str = "fascia:figure-credit";
const LICENCE_WORD: &str = "fascia:figure-licence";

/// The words of a caption in a page's language (`trans` keys `figure`,
/// `figure_credit` and `figure_licence`).
#[derive(Debug, Clone)]
pub struct FigureWords {
    /// "Figure", before the number.
    pub figure: String,
    /// "Credit:", before the credit.
    pub credit: String,
    /// "Licence:", before the licence.
    pub licence: String,
}

impl Default for FigureWords {
    fn default() -> Self {
        Self {
            figure: "Figure".into(),
            credit: "Credit:".into(),
            licence: "Licence:".into(),
        }
    }
}

/// An image ready to write: its size and the copies `srcset` offers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Placed {
    /// The address as written (the original, the fallback).
    pub src: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    /// The copies `<source>` offers, by format in the order offered (AVIF
    /// before WebP): (URL, width) each, narrowest first.
    pub copies: Vec<(Format, Vec<(String, u32)>)>,
    /// The first image of its page: loaded at once, not lazily.
    pub eager: bool,
}

/// Text for an attribute or element: `&`, `<`, `>` and `"` escaped.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The `<img>` the Markdown stage writes for image `index` of a body: valid
/// as it stands, replaced by [`substitute`] when the file is known.
pub fn marked_img(index: usize, src: &str, alt: &str) -> String {
    format!(
        "<img src=\"{}\" alt=\"{}\"{MARK}{index}\">",
        escape(src),
        escape(alt)
    )
}

/// An image on another site, which fascia does not fetch (builds stay
/// offline and reproducible): loaded lazily, with the size its author
/// gave (`![alt|800x600](https://...)`), if any.
pub fn remote_img(src: &str, alt: &str, size: Option<(u32, Option<u32>)>, title: &str) -> String {
    // The loading hints first: `lazy_async_image` adds them to `<img src=`.
    let mut img = format!(
        "<img loading=\"lazy\" decoding=\"async\" src=\"{}\" alt=\"{}\"",
        escape(src),
        escape(alt)
    );
    if let Some((w, h)) = size {
        let _ = write!(img, " width=\"{w}\"");
        if let Some(h) = h {
            let _ = write!(img, " height=\"{h}\"");
        }
    }
    if !title.is_empty() {
        let _ = write!(img, " title=\"{}\"", escape(title));
    }
    img.push('>');
    img
}

/// `<img>` with its size and loading hints, in a `<picture>` offering the
/// copies (AVIF, WebP) when there are any.
pub fn picture(p: &Placed) -> String {
    let mut img = format!(
        "<img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\"",
        escape(&p.src),
        escape(&p.alt),
        p.width,
        p.height
    );
    if !p.eager {
        img.push_str(" loading=\"lazy\" decoding=\"async\"");
    }
    img.push('>');
    if p.copies.is_empty() {
        return img;
    }
    let mut out = String::from("<picture>");
    for (format, copies) in &p.copies {
        let srcset: Vec<String> = copies
            .iter()
            .map(|(url, w)| format!("{} {w}w", escape(url)))
            .collect();
        let _ = write!(
            out,
            "<source type=\"{}\" srcset=\"{}\" sizes=\"(max-width: {w}px) 100vw, {w}px\">",
            format.mime(),
            srcset.join(", "),
            w = p.width
        );
    }
    out.push_str(&img);
    out.push_str("</picture>");
    out
}

/// A numbered figure around `inner` (numbers are filled by [`number_figures`]).
pub fn figure(inner: &str, text: &FigureText) -> String {
    let mut out = format!(
        "<figure class=\"figure\" id=\"figure-{FIGURE_NUMBER}\">{inner}<figcaption><span class=\"figure-label\">{FIGURE_WORD} {FIGURE_NUMBER}.</span>"
    );
    if !text.caption.is_empty() {
        let _ = write!(out, " {}", escape(&text.caption));
    }
    if let Some(credit) = text.credit.as_deref().filter(|c| !c.is_empty()) {
        let _ = write!(
            out,
            " <span class=\"figure-credit\">{CREDIT_WORD} {}.</span>",
            escape(credit.trim_end_matches('.'))
        );
    }
    if let Some(licence) = text.licence.as_deref().filter(|c| !c.is_empty()) {
        let _ = write!(
            out,
            " <span class=\"figure-licence\">{LICENCE_WORD} {}.</span>",
            escape(licence.trim_end_matches('.'))
        );
    }
    out.push_str("</figcaption></figure>\n");
    out
}

/// Replace each marked `<img>` whose image is placed with its final HTML.
pub fn substitute(html: &str, placed: &[Option<Placed>]) -> String {
    if placed.iter().all(Option::is_none) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + placed.len() * 200);
    let mut rest = html;
    while let Some(at) = rest.find(MARK) {
        let Some(start) = rest[..at].rfind("<img ") else {
            break;
        };
        let after = &rest[at + MARK.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let index: Option<usize> = after[..digits].parse().ok();
        let Some(end) = after.find('>').map(|e| at + MARK.len() + e + 1) else {
            break;
        };
        out.push_str(&rest[..start]);
        match index.and_then(|i| placed.get(i)).and_then(Option::as_ref) {
            Some(p) => out.push_str(&picture(p)),
            None => out.push_str(&rest[start..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Number the figures of a finished body in order (1, 2, 3) and write
/// their captions' words in the page's language.
pub fn number_figures<'a>(html: &'a str, words: &FigureWords) -> Cow<'a, str> {
    if !html.contains(FIGURE_NUMBER) {
        return Cow::Borrowed(html);
    }
    let escaped = |w: &str| escape(w).into_owned();
    let (figure, credit, licence) = (
        escaped(&words.figure),
        escaped(&words.credit),
        escaped(&words.licence),
    );
    let mut out = String::with_capacity(html.len());
    let mut n = 0;
    for (i, part) in html.split("<figure").enumerate() {
        if i > 0 {
            out.push_str("<figure");
            if part.contains(FIGURE_NUMBER) {
                n += 1;
            }
        }
        if !part.contains("fascia:figure-") {
            out.push_str(part);
            continue;
        }
        out.push_str(
            &part
                .replace(FIGURE_NUMBER, &n.to_string())
                .replace(FIGURE_WORD, &figure)
                .replace(CREDIT_WORD, &credit)
                .replace(LICENCE_WORD, &licence),
        );
    }
    Cow::Owned(out)
}

/// One figure of a finished body: its id and its caption as plain text
/// (`Figure 2. Strokes Credit: A.`), for lists of figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FigureEntry {
    pub id: String,
    pub label: String,
}

/// The numbered figures of finished `html`, in order.
/// How [`figure_list`] finds a figure: the markup the figure template
/// writes. A body without it has no figure to list.
pub const FIGURE_OPEN: &str = "<figure class=\"figure\" id=\"";

pub fn figure_list(html: &str) -> Vec<FigureEntry> {
    const OPEN: &str = FIGURE_OPEN;
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        rest = &rest[at + OPEN.len()..];
        let Some(end) = rest.find('"') else { break };
        let id = rest[..end].to_string();
        let caption = rest
            .find("<figcaption>")
            .zip(rest.find("</figcaption>"))
            .filter(|(a, b)| a < b)
            .map(|(a, b)| plain(&rest[a + "<figcaption>".len()..b]))
            .unwrap_or_default();
        out.push(FigureEntry { id, label: caption });
    }
    out
}

/// Text without tags, entities of [`escape`] undone, spaces collapsed.
fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(eager: bool) -> Placed {
        Placed {
            src: "a.png".into(),
            alt: "A \"chart\"".into(),
            width: 1200,
            height: 800,
            copies: vec![
                (Format::Avif, vec![("/p/a.480.avif".into(), 480)]),
                (
                    Format::Webp,
                    vec![("/p/a.480.webp".into(), 480), ("/p/a.webp".into(), 1200)],
                ),
            ],
            eager,
        }
    }

    #[test]
    fn marked_images_become_pictures() {
        let html = format!(
            "<p>{} and {}</p>",
            marked_img(0, "a.png", "x"),
            marked_img(1, "b.png", "y")
        );
        let out = substitute(&html, &[Some(placed(false)), None]);
        assert!(out.contains("<picture><source type=\"image/avif\" srcset=\"/p/a.480.avif 480w\" sizes=\"(max-width: 1200px) 100vw, 1200px\"><source type=\"image/webp\" srcset=\"/p/a.480.webp 480w, /p/a.webp 1200w\""), "{out}");
        assert!(out.contains("alt=\"A &quot;chart&quot;\" width=\"1200\" height=\"800\" loading=\"lazy\" decoding=\"async\"></picture>"));
        assert!(
            out.contains("<img src=\"b.png\" alt=\"y\" data-fascia-image=\"1\">"),
            "unplaced kept: {out}"
        );
        let eager = picture(&placed(true));
        assert!(!eager.contains("loading"));
    }

    #[test]
    fn figures_are_numbered_in_order() {
        let text = FigureText {
            caption: "Strokes".into(),
            credit: Some("A. Author".into()),
            licence: Some("CC BY 4.0".into()),
        };
        let html = format!(
            "{}<p>x</p>{}",
            figure("<img>", &text),
            figure("<img>", &text)
        );
        let out = number_figures(&html, &FigureWords::default());
        assert!(out.contains("<figure class=\"figure\" id=\"figure-1\"><img><figcaption><span class=\"figure-label\">Figure 1.</span> Strokes <span class=\"figure-credit\">Credit: A. Author.</span> <span class=\"figure-licence\">Licence: CC BY 4.0.</span>"), "{out}");
        assert!(out.contains("id=\"figure-2\""));
        let list = figure_list(&out);
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].id, "figure-2");
        assert_eq!(
            list[0].label,
            "Figure 1. Strokes Credit: A. Author. Licence: CC BY 4.0."
        );
        assert!(!out.contains("fascia:"));
        let french = FigureWords {
            figure: "Figure".into(),
            credit: "Crédit\u{a0}:".into(),
            licence: "Licence\u{a0}:".into(),
        };
        let fr = number_figures(&html, &french);
        assert!(
            fr.contains("<span class=\"figure-credit\">Crédit\u{a0}: A. Author.</span>"),
            "{fr}"
        );
    }
}
