//! Link cards: a page's title, section and site name on a 1200 x 630
//! picture in the theme's colours (what chat apps and social sites show
//! for a shared link), written as SVG and drawn to PNG with resvg.
//! The words are set in fonts compiled into fascia (`src/images/fonts/`:
//! Inter for Latin, Greek and Cyrillic, Noto Sans Arabic, Droid Sans
//! Fallback for Chinese and Japanese, Noto Sans CJK KR for Korean), and in no other font: a card
//! is drawn the same on every machine, whatever fonts it has or lacks.
//! resvg picks the font that has each character, shapes it (Arabic letters
//! joined) and orders right-to-left runs; a right-to-left title is set
//! against the right margin.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::{Job, Work};
use crate::images::html::escape;

/// The size Open Graph consumers expect (1.91:1).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// The words on a card.
#[derive(Debug, Clone, Default)]
pub struct CardText {
    pub title: String,
    pub section: Option<String>,
    pub site: String,
}

/// A card's colours, as `#rrggbb`.
#[derive(Debug, Clone)]
pub struct Colours {
    pub background: String,
    pub text: String,
    pub accent: String,
    pub muted: String,
}

impl Default for Colours {
    /// fibre's light scheme.
    fn default() -> Self {
        Self {
            background: "#ffffff".into(),
            text: "#1a1f24".into(),
            accent: "#0d6b73".into(),
            muted: "#4f5a64".into(),
        }
    }
}

/// `#rgb` or `#rrggbb`; anything else is refused (it goes into SVG).
pub fn is_colour(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|h| (h.len() == 3 || h.len() == 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A character set a full em wide (CJK ideographs, kana, hangul,
/// full-width forms), where a line may also break.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x303F | 0x3040..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFF60)
}

/// Whether `text` reads right to left: its first letter is Arabic or Hebrew.
fn is_rtl(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF))
}

/// The width of `c` in half "average characters": 2 for a Latin letter
/// (about 0.65 em in bold), 3 for a wide one (1 em).
fn units(c: char) -> usize {
    if is_wide(c) { 3 } else { 2 }
}

/// Split `text` into at most `max_lines` lines of about `width` average
/// characters, between words (and between wide characters, which need no
/// spaces), the last ending in an ellipsis when words are left over.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let budget = width * 2;
    // (piece, whether a space comes before it)
    let mut pieces: Vec<(String, bool)> = Vec::new();
    for word in text.split_whitespace() {
        let mut spaced = true;
        let mut run = String::new();
        for c in word.chars() {
            if is_wide(c) {
                if !run.is_empty() {
                    pieces.push((std::mem::take(&mut run), spaced));
                    spaced = false;
                }
                pieces.push((c.to_string(), spaced));
                spaced = false;
            } else {
                run.push(c);
            }
        }
        if !run.is_empty() {
            pieces.push((run, spaced));
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for (piece, spaced) in pieces {
        let gap = if spaced && !line.is_empty() { 2 } else { 0 };
        let size: usize = piece.chars().map(units).sum();
        if !line.is_empty() && used + gap + size > budget {
            lines.push(std::mem::take(&mut line));
            used = 0;
        } else if gap > 0 {
            line.push(' ');
            used += gap;
        }
        line.push_str(&piece);
        used += size;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            let mut used = 0;
            let keep: String = last
                .chars()
                .take_while(|&c| {
                    used += units(c);
                    used <= budget.saturating_sub(2)
                })
                .collect();
            *last = format!("{}…", keep.trim_end());
        }
    }
    lines
}

/// Where a line of `text` starts: at the left margin, or, right to left,
/// at the right margin (x, and the attributes that say so).
fn align(text: &str) -> (u32, &'static str) {
    if is_rtl(text) {
        (1104, " text-anchor=\"end\" direction=\"rtl\"")
    } else {
        (96, "")
    }
}

/// The card as SVG.
pub fn svg(text: &CardText, colours: &Colours) -> String {
    // About 0.65 em a character in bold: lines stay inside the margins.
    let (size, width, max_lines) = if text.title.chars().count() <= 60 {
        (64, 24, 3)
    } else {
        (52, 30, 4)
    };
    let lines = wrap(&text.title, width, max_lines);
    let (x, anchor) = align(&text.title);
    let mut title = String::new();
    for (i, line) in lines.iter().enumerate() {
        let y = 250 + i * (size * 6 / 5);
        let _ = write!(
            title,
            "<text x=\"{x}\" y=\"{y}\"{anchor} font-size=\"{size}\" font-weight=\"bold\" fill=\"{}\">{}</text>",
            colours.text,
            escape(line)
        );
    }
    let section = text.section.as_deref().map_or(String::new(), |s| {
        let (x, anchor) = align(s);
        format!(
            "<text x=\"{x}\" y=\"150\"{anchor} font-size=\"36\" fill=\"{}\">{}</text>",
            colours.accent,
            escape(&wrap(s, 48, 1).concat())
        )
    });
    format!(
        concat!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{font}\">",
            "<rect width=\"{w}\" height=\"{h}\" fill=\"{bg}\"/>",
            "<rect width=\"24\" height=\"{h}\" fill=\"{accent}\"/>",
            "{section}{title}",
            "<rect x=\"96\" y=\"520\" width=\"1008\" height=\"3\" fill=\"{accent}\"/>",
            "<text x=\"{site_x}\" y=\"578\"{site_anchor} font-size=\"34\" fill=\"{muted}\">{site}</text>",
            "</svg>"
        ),
        w = WIDTH,
        h = HEIGHT,
        font = FAMILIES,
        bg = colours.background,
        accent = colours.accent,
        muted = colours.muted,
        site = escape(&wrap(&text.site, 56, 1).concat()),
        section = section,
        title = title,
        site_x = align(&text.site).0,
        site_anchor = align(&text.site).1,
    )
}

/// The job that draws `svg`, named by its hash.
pub fn job(svg: String) -> Job {
    let name = format!("card.{:016x}.png", crate::hash::fnv1a(svg.as_bytes()));
    Job {
        name,
        work: Work::Card { svg },
    }
}

/// The main family of the vendored fonts (the others are fallbacks, for
/// the characters it lacks).
const FONT_FAMILY: &str = "Inter";

/// The families, in the order a character is looked for (the `font-family`
/// of the card).
const FAMILIES: &str = "Inter, 'Noto Sans Arabic', 'Droid Sans Fallback', 'Noto Sans CJK KR'";

/// Subsets (`src/images/fonts/README.md`): Inter regular and bold (Latin,
/// Greek, Cyrillic), Noto Sans Arabic, Droid Sans Fallback (Chinese,
/// Japanese), Noto Sans CJK KR (hangul).
const FONT_FILES: [&[u8]; 5] = [
    include_bytes!("fonts/Inter-Regular.subset.otf"),
    include_bytes!("fonts/Inter-Bold.subset.otf"),
    include_bytes!("fonts/NotoSansArabic-Regular.subset.ttf"),
    include_bytes!("fonts/DroidSansFallback.subset.ttf"),
    include_bytes!("fonts/NotoSansCJKkr-Hangul.subset.otf"),
];

/// The card fonts, and only they (the system's are never read), once per
/// process.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    Arc::clone(FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for data in FONT_FILES {
            db.load_font_data(data.to_vec());
        }
        // A generic family names Inter too: there is nothing else.
        db.set_sans_serif_family(FONT_FAMILY);
        db.set_serif_family(FONT_FAMILY);
        db.set_monospace_family(FONT_FAMILY);
        db.set_cursive_family(FONT_FAMILY);
        db.set_fantasy_family(FONT_FAMILY);
        Arc::new(db)
    }))
}

/// Draw `svg` to PNG bytes.
pub fn rasterise(svg: &str) -> Result<Vec<u8>, String> {
    draw_pixels(svg)?.encode_png().map_err(|e| e.to_string())
}

/// Draw `svg` with the card fonts.
fn draw_pixels(svg: &str) -> Result<tiny_skia::Pixmap, String> {
    let opt = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the card has no pixels")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_wrap_and_end_in_an_ellipsis() {
        let lines = wrap("one two three four five six seven eight nine ten", 10, 2);
        assert_eq!(lines, ["one two", "three fou…"]);
        assert_eq!(wrap("short", 10, 3), ["short"]);
    }

    #[test]
    fn a_card_is_a_png_of_the_stated_size_with_escaped_words() {
        let text = CardText {
            title: "Fascia & <friends>".into(),
            section: Some("Techniques".into()),
            site: "Site".into(),
        };
        let svg = svg(&text, &Colours::default());
        assert!(svg.contains("Fascia &amp; &lt;friends&gt;"));
        let png = rasterise(&svg).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT));
        assert!(is_colour("#0d6b73") && !is_colour("red\"/><script"));
    }

    #[test]
    fn the_card_fonts_are_the_vendored_ones_and_draw_the_words() {
        let db = fonts();
        let families: Vec<String> = db
            .faces()
            .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
            .collect();
        assert_eq!(
            families,
            [
                "Inter",
                "Inter",
                "Noto Sans Arabic",
                "Droid Sans Fallback",
                "Noto Sans CJK KR"
            ],
            "no system font is read"
        );
        assert!(db.faces().any(|f| f.weight == usvg::fontdb::Weight::BOLD));
        // The title area (x 96..1104, y 190..420) of a card with and without
        // a title: the words are drawn, as pixels unlike the background.
        let draw = |title: &str| {
            let text = CardText {
                title: title.into(),
                section: None,
                site: String::new(),
            };
            let png = rasterise(&svg(&text, &Colours::default())).unwrap();
            image::load_from_memory(&png).unwrap().to_rgb8()
        };
        let inked = |img: &image::RgbImage| {
            (190..420)
                .flat_map(|y| (96..1104).map(move |x| (x, y)))
                .filter(|&(x, y)| img.get_pixel(x, y).0 != [255, 255, 255])
                .count()
        };
        assert_eq!(inked(&draw("")), 0, "an empty title leaves the area blank");
        let inked_title = inked(&draw("Instrument-assisted soft tissue mobilisation"));
        assert!(inked_title > 5_000, "only {inked_title} pixels of title");
    }

    /// The card of `title`, as pixels (no PNG to encode and decode).
    fn draw(title: &str) -> image::RgbaImage {
        let text = CardText {
            title: title.into(),
            section: None,
            site: String::new(),
        };
        let pixmap = draw_pixels(&svg(&text, &Colours::default())).unwrap();
        image::RgbaImage::from_raw(pixmap.width(), pixmap.height(), pixmap.take()).unwrap()
    }

    /// The inked columns (x) and pixel count of the title area.
    fn ink(img: &image::RgbaImage) -> (std::ops::RangeInclusive<u32>, usize) {
        let (mut lo, mut hi, mut n) = (u32::MAX, 0, 0);
        for y in 150..420 {
            for x in 30..1190 {
                if img.get_pixel(x, y).0 != [255, 255, 255, 255] {
                    (lo, hi, n) = (lo.min(x), hi.max(x), n + 1);
                }
            }
        }
        (lo..=hi, n)
    }

    #[test]
    fn titles_in_other_scripts_are_drawn_in_their_glyphs() {
        // Characters no font has (tofu, if anything is drawn for them).
        let (_, tofu) = ink(&draw(&"\u{E000}".repeat(12)));
        for title in [
            "Μυοπεριτονιακή απελευθέρωση",
            "Миофасциальный релиз",
            "تحرير اللفافة العضلية",
            "筋膜放松疗法",
            "筋膜リリースの効果",
            "근막 이완 요법",
        ] {
            let (_, inked) = ink(&draw(title));
            assert!(
                inked > 3_000 && inked > tofu * 2,
                "{title}: {inked} pixels drawn, against {tofu} for missing glyphs"
            );
        }
    }

    #[test]
    fn arabic_is_joined_and_set_from_the_right() {
        let (span, _) = ink(&draw("تحرير اللفافة"));
        assert!(
            *span.end() > 1080 && *span.start() > 500,
            "a short right-to-left title ends at the right margin: {span:?}"
        );
        // Joined letters take their narrow medial forms: three behs in a
        // word are much narrower than three alone.
        let width = |t: &str| {
            let (s, _) = ink(&draw(t));
            s.end() - s.start()
        };
        let (alone, joined) = (width("ب"), width("ببب"));
        assert!(
            joined * 10 < alone * 3 * 8,
            "joined {joined} px against {alone} px for one letter alone"
        );
    }

    #[test]
    fn wide_characters_wrap_without_spaces() {
        let lines = wrap("筋膜放松疗法筋膜放松疗法筋膜放松疗法", 10, 3);
        assert!(lines.len() > 1, "{lines:?}");
        for l in &lines {
            assert!(l.chars().count() <= 7, "{lines:?}");
        }
        assert!(is_rtl("تحرير") && !is_rtl("12 Fascia"));
    }
}
