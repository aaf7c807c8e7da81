//! Resize operations with Zola's semantics (`resize_image(op=...)`):
//! (source size, operation) -> target size and crop -> resized pixels.

use fast_image_resize::{ResizeAlg, ResizeOptions, Resizer};
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

/// Apply `plan` to `img`: a Lanczos3 resize (of the crop, if any), with
/// SIMD (`fast_image_resize`: about ten times the speed of the `image`
/// crate's own resize, the same filter).
pub fn apply(img: &DynamicImage, plan: Plan) -> DynamicImage {
    let crop = plan
        .crop
        .filter(|&(_, _, cw, ch)| (cw, ch) != (img.width(), img.height()));
    if crop.is_none() && (img.width(), img.height()) == (plan.width, plan.height) {
        return img.clone();
    }
    let mut options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(
        fast_image_resize::FilterType::Lanczos3,
    ));
    if let Some((x, y, cw, ch)) = crop {
        options = options.crop(f64::from(x), f64::from(y), f64::from(cw), f64::from(ch));
    }
    let mut out = DynamicImage::new(plan.width, plan.height, img.color());
    match Resizer::new().resize(img, &mut out, &options) {
        Ok(()) => out,
        // A pixel type it does not take: the `image` crate's resize.
        Err(_) => slow_apply(img, crop, plan),
    }
}

/// Whether `plan` keeps the whole of a `w` x `h` picture at its aspect ratio
/// (no crop; the sides rounded down as `fit_width` and `fit_height` do).
pub fn is_whole(plan: Plan, w: u32, h: u32) -> bool {
    let diff =
        (u64::from(plan.width) * u64::from(h)).abs_diff(u64::from(plan.height) * u64::from(w));
    plan.crop.is_none() && diff < u64::from(w.max(h))
}

/// `plan` applied to `original`, or to the copy in `larger` (the last
/// whole copy made from it) when that is at least as large: a smaller
/// `srcset` copy made from the next larger one rather than from the
/// original, with less to resize and the same quality (measured by
/// `examples/srcset_cascade.rs`). Ask for the largest first; `larger`
/// then holds this copy.
pub fn from_larger<'a>(
    original: &'a DynamicImage,
    larger: &'a mut Option<(Plan, DynamicImage)>,
    plan: Plan,
) -> std::borrow::Cow<'a, DynamicImage> {
    use std::borrow::Cow;
    let (w, h) = (original.width(), original.height());
    if !is_whole(plan, w, h) {
        return Cow::Owned(apply(original, plan));
    }
    if (plan.width, plan.height) == (w, h) {
        return Cow::Borrowed(original);
    }
    let made = match larger.as_ref() {
        Some((p, _)) if *p == plan => None,
        Some((p, img)) if p.width >= plan.width && p.height >= plan.height => {
            Some(apply(img, Plan { crop: None, ..plan }))
        }
        _ => Some(apply(original, plan)),
    };
    if let Some(img) = made {
        *larger = Some((plan, img));
    }
    Cow::Borrowed(&larger.as_ref().expect("just made").1)
}

/// [`apply`] with the `image` crate alone.
fn slow_apply(img: &DynamicImage, crop: Option<(u32, u32, u32, u32)>, plan: Plan) -> DynamicImage {
    let cropped;
    let src = match crop {
        Some((x, y, cw, ch)) => {
            cropped = img.crop_imm(x, y, cw, ch);
            &cropped
        }
        None => img,
    };
    src.resize_exact(plan.width, plan.height, FilterType::Lanczos3)
}

/// Peak signal-to-noise ratio of `a` against `b`, in decibels: how close
/// two resizes of one picture are (the tests here, `examples/srcset_cascade`).
#[doc(hidden)]
pub fn psnr(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    let sum: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    let mse = sum / a.as_raw().len() as f64;
    10.0 * (255.0f64.powi(2) / mse.max(1e-9)).log10()
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
    fn the_simd_resize_matches_the_image_crates_lanczos3() {
        // Gradients, a sharp edge and fine stripes: what a photo or chart holds.
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(640, 427, |x, y| {
            let stripe = if (x / 3 + y / 5) % 2 == 0 { 40 } else { 0 };
            let edge = if x > 320 { 120 } else { 0 };
            image::Rgb([
                (x * 255 / 640) as u8,
                ((y * 255 / 427) as u8).saturating_add(stripe),
                (edge + (x + y) % 64) as u8,
            ])
        }));
        for op in [
            Op::FitWidth(480),
            Op::FitWidth(160),
            Op::Fill(100, 100),
            Op::Fit(333, 200),
        ] {
            let p = plan(op, 640, 427);
            let fast = apply(&img, p).to_rgb8();
            let slow = slow_apply(&img, p.crop, p).to_rgb8();
            assert_eq!(fast.dimensions(), (p.width, p.height), "{op:?}");
            assert_eq!(fast.dimensions(), slow.dimensions(), "{op:?}");
            let db = psnr(&fast, &slow);
            assert!(
                db > 40.0,
                "{op:?}: {db:.1} dB from the image crate's resize"
            );
        }
        let rgba = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            50,
            40,
            image::Rgba([9, 8, 7, 128]),
        ));
        let small = apply(&rgba, plan(Op::FitWidth(20), 50, 40));
        assert_eq!(small.color(), image::ColorType::Rgba8);
        // Alpha is premultiplied while resizing: a unit of rounding at most.
        let px = small.to_rgba8().get_pixel(10, 8).0;
        for (got, want) in px.iter().zip([9u8, 8, 7, 128]) {
            assert!(
                got.abs_diff(want) <= 1,
                "flat colour and alpha kept: {px:?}"
            );
        }
    }

    #[test]
    fn smaller_copies_from_the_next_larger_match_those_from_the_original() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(450, 300, |x, y| {
            let stripe = if (x / 4 + y / 7) % 2 == 0 { 30 } else { 0 };
            image::Rgb([
                (x * 255 / 450) as u8,
                ((y * 255 / 300) as u8).saturating_add(stripe),
                ((x + y) % 97) as u8,
            ])
        }));
        let mut larger = None;
        for w in [450, 320, 240, 80] {
            let p = plan(Op::FitWidth(w), 450, 300);
            let direct = apply(&img, p).to_rgb8();
            let cascaded = from_larger(&img, &mut larger, p).to_rgb8();
            assert_eq!(cascaded.dimensions(), (p.width, p.height));
            let db = psnr(&direct, &cascaded);
            assert!(db > 45.0, "{w}: {db:.1} dB from the direct copy");
        }
        assert_eq!(
            larger.as_ref().map(|(p, _)| p.width),
            Some(80),
            "each made from the last"
        );
        // A crop or a stretch is made from the original.
        let fill = plan(Op::Fill(100, 100), 450, 300);
        assert!(!is_whole(fill, 450, 300));
        assert_eq!(
            from_larger(&img, &mut larger, fill).to_rgb8().dimensions(),
            (100, 100)
        );
        assert!(!is_whole(plan(Op::Scale(300, 300), 450, 300), 450, 300));
        assert!(is_whole(plan(Op::FitHeight(101), 450, 300), 450, 300));
    }
}
