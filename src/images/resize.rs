//! Resize operations with Zola's semantics (`resize_image(op=...)`), and the
//! encoders: (source size, operation) -> target size and crop; pixels ->
//! WebP (lossy, libwebp), PNG or JPEG bytes.

use image::DynamicImage;
use image::imageops::FilterType;

/// A resize operation, as `resize_image` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// Exactly `width` x `height`, the aspect ratio not kept.
    Scale(u32, u32),
    /// `width` wide, the height following the aspect ratio.
    FitWidth(u32),
    /// `height` high, the width following the aspect ratio.
    FitHeight(u32),
    /// Within `width` x `height`, aspect kept; never enlarged.
    Fit(u32, u32),
    /// Covers `width` x `height`, aspect kept, the overflow cropped from the centre.
    Fill(u32, u32),
}

impl Op {
    /// Zola's `op` argument with its `width` and `height`; the error names
    /// what is missing.
    pub fn parse(op: &str, width: Option<u32>, height: Option<u32>) -> Result<Self, String> {
        let need = |v: Option<u32>, name: &str| {
            v.filter(|&n| n > 0)
                .ok_or_else(|| format!("op `{op}` needs a {name} above 0"))
        };
        Ok(match op {
            "scale" => Op::Scale(need(width, "width")?, need(height, "height")?),
            "fit_width" => Op::FitWidth(need(width, "width")?),
            "fit_height" => Op::FitHeight(need(height, "height")?),
            "fit" => Op::Fit(need(width, "width")?, need(height, "height")?),
            "fill" => Op::Fill(need(width, "width")?, need(height, "height")?),
            other => {
                return Err(format!(
                    "unknown op `{other}`: use scale, fit_width, fit_height, fit or fill"
                ));
            }
        })
    }
}

/// What to do to a `w` x `h` image: an optional centre crop (x, y, w, h)
/// then a resize to the target size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub crop: Option<(u32, u32, u32, u32)>,
    pub width: u32,
    pub height: u32,
}

/// `n * num / den`, rounded down (as Zola does), at least 1.
fn ratio(n: u32, num: u32, den: u32) -> u32 {
    let v = u64::from(n) * u64::from(num) / u64::from(den.max(1));
    u32::try_from(v).unwrap_or(u32::MAX).max(1)
}

/// How far two scale factors may differ before `fill` crops (Zola's 0.1:
/// a near match is scaled, not cropped).
const FILL_SLACK: f64 = 0.1;

/// The plan for an image of `w` x `h`, with Zola's arithmetic (proportional
/// sides rounded down; `fill` crops only when the aspect ratios differ).
pub fn plan(op: Op, w: u32, h: u32) -> Plan {
    let (w, h) = (w.max(1), h.max(1));
    let sized = |width, height| Plan {
        crop: None,
        width,
        height,
    };
    match op {
        Op::Scale(tw, th) => sized(tw, th),
        Op::FitWidth(tw) => sized(tw, ratio(h, tw, w)),
        Op::FitHeight(th) => sized(ratio(w, th, h), th),
        Op::Fit(tw, th) => {
            if w <= tw && h <= th {
                sized(w, h)
            } else if u64::from(w) * u64::from(th) > u64::from(h) * u64::from(tw) {
                plan(Op::FitWidth(tw), w, h)
            } else {
                plan(Op::FitHeight(th), w, h)
            }
        }
        Op::Fill(tw, th) => {
            let fw = f64::from(w) / f64::from(tw.max(1));
            let fh = f64::from(h) / f64::from(th.max(1));
            if (fw - fh).abs() <= FILL_SLACK {
                return sized(tw, th);
            }
            // Crop the source to the target's aspect ratio, centred.
            // Both factors are positive: the product is a positive size.
            #[allow(clippy::cast_sign_loss)]
            let side = |f: f64, t: u32, max: u32| ((f * f64::from(t)).round() as u32).clamp(1, max);
            let crop = if fw < fh {
                let ch = side(fw, th, h);
                (0, (h - ch) / 2, w, ch)
            } else {
                let cw = side(fh, tw, w);
                ((w - cw) / 2, 0, cw, h)
            };
            Plan {
                crop: Some(crop),
                width: tw,
                height: th,
            }
        }
    }
}

/// Apply `plan` to `img`.
pub fn apply(img: &DynamicImage, plan: Plan) -> DynamicImage {
    let cropped;
    let src = match plan.crop {
        Some((x, y, cw, ch)) if (cw, ch) != (img.width(), img.height()) => {
            cropped = img.crop_imm(x, y, cw, ch);
            &cropped
        }
        _ => img,
    };
    if (src.width(), src.height()) == (plan.width, plan.height) {
        return src.clone();
    }
    src.resize_exact(plan.width, plan.height, FilterType::Lanczos3)
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Webp,
    Png,
    Jpeg,
}

impl Format {
    /// Zola's `format` argument; `auto` keeps lossy sources lossy
    /// (JPEG) and the rest lossless (PNG).
    pub fn parse(name: &str, source: image::ImageFormat) -> Result<Self, String> {
        Ok(match name {
            "auto" => {
                if matches!(source, image::ImageFormat::Jpeg) {
                    Format::Jpeg
                } else {
                    Format::Png
                }
            }
            "webp" => Format::Webp,
            "png" => Format::Png,
            "jpg" | "jpeg" => Format::Jpeg,
            "avif" => return Err("fascia does not encode AVIF; use format=\"webp\"".into()),
            other => {
                return Err(format!(
                    "unknown format `{other}`: use auto, jpg, png or webp"
                ));
            }
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Png => "png",
            Format::Jpeg => "jpg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
        }
    }
}

/// Encode `img` as `format`. `quality` (1-100) applies to JPEG and WebP;
/// WebP without a quality is lossless, as in Zola.
pub fn encode(img: &DynamicImage, format: Format, quality: Option<u8>) -> Result<Vec<u8>, String> {
    match format {
        Format::Webp => {
            let rgba = img.to_rgba8();
            let enc = webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height());
            let lossless = quality.is_none();
            let q = f32::from(quality.unwrap_or(75));
            enc.encode_simple(lossless, q)
                .map(|m| m.to_vec())
                .map_err(|e| format!("WebP encoding failed: {e:?}"))
        }
        Format::Png => {
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png)
                .map_err(|e| e.to_string())?;
            Ok(out.into_inner())
        }
        Format::Jpeg => {
            let mut out = Vec::new();
            let rgb = img.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.unwrap_or(75))
                .encode_image(&rgb)
                .map_err(|e| e.to_string())?;
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Zola's documentation uses a 300 x 380 image.
    #[test]
    fn zola_documented_sizes() {
        let p = |op| {
            let p = plan(op, 300, 380);
            (p.width, p.height)
        };
        assert_eq!(p(Op::Scale(150, 150)), (150, 150));
        assert_eq!(p(Op::FitWidth(100)), (100, 126));
        assert_eq!(p(Op::FitHeight(150)), (118, 150));
        assert_eq!(p(Op::Fit(150, 150)), (118, 150));
        assert_eq!(p(Op::Fit(400, 400)), (300, 380), "fit never enlarges");
        assert_eq!(p(Op::Fill(100, 200)), (100, 200));
        assert_eq!(
            plan(Op::Fill(100, 200), 300, 380).crop,
            Some((55, 0, 190, 380))
        );
        assert_eq!(
            plan(Op::Fill(200, 100), 300, 380).crop,
            Some((0, 115, 300, 150))
        );
    }

    #[test]
    fn ops_parse_with_zola_names() {
        assert_eq!(Op::parse("fit_width", Some(10), None), Ok(Op::FitWidth(10)));
        assert!(
            Op::parse("fill", Some(10), None)
                .unwrap_err()
                .contains("height")
        );
        assert!(
            Op::parse("crop", Some(1), Some(1))
                .unwrap_err()
                .contains("unknown op")
        );
    }

    #[test]
    fn encodes_each_format_at_its_size() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([x as u8 * 6, y as u8 * 8, 90])
        }));
        let small = apply(&img, plan(Op::FitWidth(20), 40, 30));
        for f in [Format::Webp, Format::Png, Format::Jpeg] {
            let bytes = encode(&small, f, Some(80)).unwrap();
            let back = image::load_from_memory(&bytes).unwrap();
            assert_eq!((back.width(), back.height()), (20, 15), "{f:?}");
        }
    }
}
