//! Encoders: pixels -> WebP (lossy or lossless, libwebp), PNG, JPEG, or
//! AVIF (rav1e, in a fascia built with the `avif` feature) bytes.

use image::DynamicImage;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Webp,
    Png,
    Jpeg,
    /// Only in a fascia built with the `avif` feature.
    Avif,
}

impl Format {
    /// The `image` crate's name for this format.
    pub fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Webp => image::ImageFormat::WebP,
            Format::Png => image::ImageFormat::Png,
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Avif => image::ImageFormat::Avif,
        }
    }

    /// Whether a file of this format, made with `quality`, lost detail.
    pub fn lossy(self, quality: Option<u8>) -> bool {
        match self {
            Format::Webp => quality.is_some(),
            Format::Png => false,
            Format::Jpeg | Format::Avif => true,
        }
    }

    /// Zola's `format` argument; `auto` keeps lossy sources (JPEG, lossy
    /// WebP) lossy as JPEG and the rest lossless (PNG).
    pub fn parse(name: &str, lossy_source: bool) -> Result<Self, String> {
        Ok(match name {
            "auto" => {
                if lossy_source {
                    Format::Jpeg
                } else {
                    Format::Png
                }
            }
            "webp" => Format::Webp,
            "png" => Format::Png,
            "jpg" | "jpeg" => Format::Jpeg,
            "avif" if AVIF => Format::Avif,
            "avif" => return Err(NO_AVIF.into()),
            other => {
                return Err(format!(
                    "unknown format `{other}`: use auto, jpg, png, webp{}",
                    if AVIF { " or avif" } else { "" }
                ));
            }
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Avif => "avif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Avif => "image/avif",
        }
    }
}

/// Encode `img` as `format`. `quality` (1-100) applies to JPEG, WebP and
/// AVIF; WebP without a quality is lossless, as in Zola.
pub fn encode(img: &DynamicImage, format: Format, quality: Option<u8>) -> Result<Vec<u8>, String> {
    match format {
        Format::Webp => {
            // An opaque image goes in without an alpha channel to encode.
            let (rgb, rgba);
            let enc = if img.color().has_alpha() {
                rgba = img.to_rgba8();
                webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height())
            } else {
                rgb = match img.as_rgb8() {
                    Some(b) => std::borrow::Cow::Borrowed(b),
                    None => std::borrow::Cow::Owned(img.to_rgb8()),
                };
                webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
            };
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
        Format::Avif => avif(img, quality),
    }
}

/// Whether this fascia encodes AVIF (the `avif` cargo feature).
pub const AVIF: bool = cfg!(feature = "avif");

/// Why `avif` is refused by a fascia built without it.
pub const NO_AVIF: &str =
    "this fascia was built without AVIF (build it with `cargo install --features avif`); use webp";

/// AVIF speed, 1 (slowest, smallest) to 10 (Zola's default is 5). Even at
/// 8 the four copies of a 1600-pixel photograph took about 15 s of CPU.
#[cfg(feature = "avif")]
const AVIF_SPEED: u8 = 8;

/// `img` as AVIF (rav1e through ravif, pure Rust), at `quality` (default 80,
/// as Zola's).
#[cfg(feature = "avif")]
fn avif(img: &DynamicImage, quality: Option<u8>) -> Result<Vec<u8>, String> {
    let encoder = ravif::Encoder::new()
        .with_quality(f32::from(quality.unwrap_or(80).clamp(1, 100)))
        .with_speed(AVIF_SPEED)
        .with_num_threads(Some(1));
    let (w, h) = (img.width() as usize, img.height() as usize);
    let encoded = if img.color().has_alpha() {
        let px: Vec<ravif::RGBA8> = img
            .to_rgba8()
            .pixels()
            .map(|p| ravif::RGBA8::new(p[0], p[1], p[2], p[3]))
            .collect();
        encoder.encode_rgba(ravif::Img::new(&px[..], w, h))
    } else {
        let px: Vec<ravif::RGB8> = img
            .to_rgb8()
            .pixels()
            .map(|p| ravif::RGB8::new(p[0], p[1], p[2]))
            .collect();
        encoder.encode_rgb(ravif::Img::new(&px[..], w, h))
    };
    encoded
        .map(|e| e.avif_file)
        .map_err(|e| format!("AVIF encoding failed: {e}"))
}

#[cfg(not(feature = "avif"))]
fn avif(_: &DynamicImage, _: Option<u8>) -> Result<Vec<u8>, String> {
    Err(NO_AVIF.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::resize::{Op, apply, plan};

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
