//! Local images of a body -> marked `<img>` tags and [`ImageRef`]s, which
//! the pipeline sizes once it knows the files (see [`crate::images`]);
//! images on other sites -> `<img>` loaded lazily, with the size their
//! author wrote (`![alt|800x600](https://...)`): they are never fetched.
//! An image alone in its paragraph with a title (`![alt](a.png "Caption")`)
//! becomes a numbered figure; `figure` shortcode calls are recorded too.

use comrak::nodes::{AstNode, NodeValue};

use super::shortcodes::{ArgValue, ShortcodeCall};
use super::{LinkKind, classify, collect_plain};
use crate::images::html::{figure, marked_img, remote_img};
use crate::images::{FigureText, ImageRef, is_remote};

/// Mark every local image below `root` and record it in `images` (after
/// those of earlier pieces of the body: numbers run on).
pub(super) fn mark<'a>(root: &'a AstNode<'a>, images: &mut Vec<ImageRef>, figures: bool) {
    let nodes: Vec<&'a AstNode<'a>> = root
        .descendants()
        .filter(|n| matches!(n.data.borrow().value, NodeValue::Image(_)))
        .collect();
    for node in nodes {
        let (url, title, pos) = {
            let data = node.data.borrow();
            let NodeValue::Image(link) = &data.value else {
                continue;
            };
            (link.url.clone(), link.title.clone(), data.sourcepos)
        };
        let para = node
            .parent()
            .filter(|p| matches!(p.data.borrow().value, NodeValue::Paragraph))
            .filter(|p| p.children().count() == 1);
        let remote = is_remote(&url);
        if !remote && !matches!(classify(&url), LinkKind::Url | LinkKind::Relative) {
            continue;
        }
        let alt = collect_plain(node).trim().to_string();
        let (img, alt) = if remote {
            let (alt, size) = author_size(&alt);
            let inline_title = if para.is_some() { "" } else { title.trim() };
            (remote_img(&url, alt, size, inline_title), alt.to_string())
        } else {
            (marked_img(images.len(), &url, &alt), alt)
        };
        let caption = title.trim();
        let fig = (figures && !caption.is_empty() && para.is_some()).then(|| FigureText {
            caption: caption.to_string(),
            credit: None,
            licence: None,
        });
        while let Some(c) = node.first_child() {
            c.detach();
        }
        match (&fig, para) {
            (Some(text), Some(p)) => {
                node.detach();
                p.data.borrow_mut().value = NodeValue::Raw(figure(&img, text));
            }
            _ => node.data.borrow_mut().value = NodeValue::Raw(img),
        }
        if remote {
            continue;
        }
        images.push(ImageRef {
            src: url,
            alt,
            line: pos.start.line,
            column: pos.start.column,
            figure: fig,
            shortcode: None,
        });
    }
}

/// The size an author gave at the end of the alt text, as Obsidian writes
/// it: `Chart|800x600` (width and height) or `Chart|800` (width).
fn author_size(alt: &str) -> (&str, Option<(u32, Option<u32>)>) {
    let Some((text, size)) = alt.rsplit_once('|') else {
        return (alt, None);
    };
    let number = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=16_384).contains(n))
    };
    let parsed = match size.split_once('x') {
        Some((w, h)) => number(w).zip(number(h)).map(|(w, h)| (w, Some(h))),
        None => number(size).map(|w| (w, None)),
    };
    match parsed {
        Some(s) => (text.trim_end(), Some(s)),
        None => (alt, None),
    }
}

/// Record the `figure` shortcode calls among `calls`, after the body's images.
pub(super) fn mark_calls(calls: &[ShortcodeCall], images: &mut Vec<ImageRef>) {
    for (n, call) in calls.iter().enumerate() {
        if call.name != "figure" {
            continue;
        }
        let text = |key: &str| match call.args.get(key) {
            Some(ArgValue::Str(s)) => Some(s.trim().to_string()),
            _ => None,
        };
        images.push(ImageRef {
            src: text("src").unwrap_or_default(),
            alt: text("alt").unwrap_or_default(),
            line: call.line,
            column: call.column,
            figure: Some(FigureText {
                caption: text("caption").unwrap_or_default(),
                credit: text("credit"),
                licence: text("licence").or_else(|| text("license")),
            }),
            shortcode: Some(n),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::config::MarkdownConfig;
    use crate::markdown::{RenderOptions, render};

    fn body(src: &str) -> crate::markdown::Body {
        let cfg = MarkdownConfig {
            image_figures: Some(true),
            ..MarkdownConfig::default()
        };
        let opts = RenderOptions {
            markdown: &cfg,
            glossary: None,
            folder_depth: 0,
        };
        render(src, &opts).unwrap()
    }

    #[test]
    fn local_images_are_marked_and_outside_ones_left() {
        let b = body("Text ![A chart](chart.png) and ![](https://ex.org/x.png)\n");
        assert_eq!(b.images.len(), 1);
        assert_eq!(b.images[0].src, "chart.png");
        assert_eq!(b.images[0].alt, "A chart");
        assert_eq!((b.images[0].line, b.images[0].column), (1, 6));
        assert!(
            b.html
                .contains("<img src=\"chart.png\" alt=\"A chart\" data-fascia-image=\"0\">"),
            "{}",
            b.html
        );
        assert!(b.html.contains("src=\"https://ex.org/x.png\""));
    }

    #[test]
    fn an_image_alone_with_a_title_is_a_figure() {
        let b = body(
            "![Hands](/img/hands.jpg \"Effleurage strokes\")\n\nText ![x](a.png \"not alone\")\n",
        );
        let fig = b.images[0].figure.as_ref().unwrap();
        assert_eq!(fig.caption, "Effleurage strokes");
        assert!(b.images[1].figure.is_none());
        assert!(b.html.starts_with("<figure class=\"figure\""), "{}", b.html);
        assert!(!b.html.contains("<p><figure"));
    }

    #[test]
    fn without_image_figures_a_titled_image_stays_an_image_as_in_zola() {
        let cfg = MarkdownConfig::default();
        let opts = RenderOptions {
            markdown: &cfg,
            glossary: None,
            folder_depth: 0,
        };
        let b = render("![Hands](/img/hands.jpg \"Effleurage strokes\")\n", &opts).unwrap();
        assert!(b.images[0].figure.is_none());
        assert!(!b.html.contains("<figure"), "{}", b.html);
    }

    #[test]
    fn figure_shortcodes_are_recorded() {
        let b = body(
            "{{ figure(src=\"a.png\", alt=\"A\", caption=\"C\", credit=\"Me\", licence=\"CC0\") }}\n",
        );
        let r = &b.images[0];
        assert_eq!((r.src.as_str(), r.shortcode), ("a.png", Some(0)));
        assert_eq!(r.figure.as_ref().unwrap().licence.as_deref(), Some("CC0"));
    }

    #[test]
    fn remote_images_load_lazily_with_the_size_their_author_gave() {
        let b = body(
            "See ![A map|800x600](https://ex.org/map.png \"Where\") and ![Logo|120](//cdn.ex.org/l.svg).\n\n![Chart](https://ex.org/c.png \"Trials by year\")\n\n![A|b](https://ex.org/p.png)\n",
        );
        assert!(
            b.images.is_empty(),
            "remote images are never fetched: {:?}",
            b.images
        );
        assert!(
            b.html.contains(r#"<img loading="lazy" decoding="async" src="https://ex.org/map.png" alt="A map" width="800" height="600" title="Where">"#),
            "{}",
            b.html
        );
        assert!(b.html.contains(r#"<img loading="lazy" decoding="async" src="//cdn.ex.org/l.svg" alt="Logo" width="120">"#), "{}", b.html);
        assert!(b.html.contains(r#"<figure class="figure" id="figure-fascia:figure-number"><img loading="lazy" decoding="async" src="https://ex.org/c.png" alt="Chart">"#), "{}", b.html);
        assert!(
            b.html.contains(r#"alt="A|b">"#),
            "not a size: the alt text stays whole"
        );
    }
}
