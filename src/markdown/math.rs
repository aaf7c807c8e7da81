//! LaTeX maths -> `MathML` at build time (`pulldown-latex`): `$...$` inline,
//! `$$...$$` and ```` ```math ```` fences as display maths. Browsers draw
//! `MathML` themselves: no script, no web font.
//!
//! `style` attributes the renderer writes (colours, a few spacings) are
//! dropped: the site's content security policy forbids inline styles.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// `tex` as a `<math>` element, or the first LaTeX error.
pub fn to_mathml(tex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    if let Some(Err(e)) = Parser::new(tex, &storage).find(Result::is_err) {
        return Err(e
            .to_string()
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string());
    }
    let storage = Storage::new();
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(tex),
        ..RenderConfig::default()
    };
    let mut out = String::new();
    push_mathml(&mut out, Parser::new(tex, &storage), config).map_err(|e| e.to_string())?;
    Ok(without_style_attributes(&out))
}

/// `html` without its `style="..."` attributes.
fn without_style_attributes(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(" style=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " style=\"".len()..];
        rest = after.find('"').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_display_maths_become_mathml() {
        let m = to_mathml(r"E = mc^2", false).unwrap();
        assert!(m.starts_with("<math"), "{m}");
        assert!(m.contains("<msup>"), "{m}");
        let d = to_mathml(r"\frac{a}{b}", true).unwrap();
        assert!(d.contains("display=\"block\""), "{d}");
        assert!(d.contains("<mfrac>"), "{d}");
        assert!(!d.contains("style="), "{d}");
    }

    #[test]
    fn latex_errors_are_reported() {
        assert!(to_mathml(r"\frac{a}", false).is_err());
        assert!(to_mathml(r"\nosuchcommand", false).is_err());
    }
}
