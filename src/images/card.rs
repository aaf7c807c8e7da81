//! Link cards: a page's title, section and site name on a 1200 x 630
//! picture in the theme's colours (what chat apps and social sites show
//! for a shared link), written as SVG and drawn to PNG with resvg.
//! The words are set in Inter, compiled into fascia (`src/images/fonts/`,
//! SIL Open Font License), and in no other font: a card is drawn the same
//! on every machine, whatever fonts it has or lacks.

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

/// Split `text` into at most `max_lines` lines of about `width` characters,
/// the last ending in an ellipsis when words are left over.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = line.chars().count() + word.chars().count() + 1;
        if !line.is_empty() && len > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            let keep: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{}…", keep.trim_end());
        }
    }
    lines
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
    let mut title = String::new();
    for (i, line) in lines.iter().enumerate() {
        let y = 250 + i * (size * 6 / 5);
        let _ = write!(
            title,
            "<text x=\"96\" y=\"{y}\" font-size=\"{size}\" font-weight=\"bold\" fill=\"{}\">{}</text>",
            colours.text,
            escape(line)
        );
    }
    let section = text.section.as_deref().map_or(String::new(), |s| {
        format!(
            "<text x=\"96\" y=\"150\" font-size=\"36\" fill=\"{}\">{}</text>",
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
            "<text x=\"96\" y=\"578\" font-size=\"34\" fill=\"{muted}\">{site}</text>",
            "</svg>"
        ),
        w = WIDTH,
        h = HEIGHT,
        font = FONT_FAMILY,
        bg = colours.background,
        accent = colours.accent,
        muted = colours.muted,
        site = escape(&wrap(&text.site, 56, 1).concat()),
        section = section,
        title = title,
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

/// The family of the vendored fonts.
const FONT_FAMILY: &str = "Inter";

/// Inter regular and bold, Latin subsets (`src/images/fonts/README.md`).
const FONT_FILES: [&[u8]; 2] = [
    include_bytes!("fonts/Inter-Regular.subset.otf"),
    include_bytes!("fonts/Inter-Bold.subset.otf"),
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
    pixmap.encode_png().map_err(|e| e.to_string())
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
        assert_eq!(families, ["Inter", "Inter"], "no system font is read");
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
}
