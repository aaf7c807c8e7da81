//! Benchmark input: photo-like JPEGs (smooth light, shapes, grain), each
//! different, for `scripts/bench_images.sh`.
//!
//! Usage: `cargo run --release --example gen_photos -- OUT_DIR COUNT [WIDTH]`

// Colour values are clamped to 0..=1 before scaling to a byte.
#![allow(clippy::cast_sign_loss)]

use image::{Rgb, RgbImage};

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f32 {
        (self.next() % 10_000) as f32 / 10_000.0
    }
}

fn photo(seed: u64, width: u32, height: u32) -> RgbImage {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let base = [rng.unit(), rng.unit(), rng.unit()];
    let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..12)
        .map(|_| {
            (
                rng.unit() * width as f32,
                rng.unit() * height as f32,
                (0.05 + rng.unit() * 0.25) * width as f32,
                [rng.unit(), rng.unit(), rng.unit()],
            )
        })
        .collect();
    let mut img = RgbImage::new(width, height);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let mut c = [
            base[0] * (0.6 + 0.4 * fy),
            base[1] * (0.6 + 0.4 * fx),
            base[2] * (0.8 + 0.2 * (fx * 9.0).sin()),
        ];
        for &(bx, by, r, col) in &blobs {
            let d = ((x as f32 - bx).powi(2) + (y as f32 - by).powi(2)).sqrt() / r;
            if d < 1.0 {
                let w = (1.0 - d) * (1.0 - d);
                for k in 0..3 {
                    c[k] = c[k] * (1.0 - w) + col[k] * w;
                }
            }
        }
        let grain = (rng.unit() - 0.5) * 0.06;
        *px = Rgb(c.map(|v| ((v + grain).clamp(0.0, 1.0) * 255.0) as u8));
    }
    img
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: gen_photos OUT_DIR COUNT [WIDTH]";
    let out = std::path::PathBuf::from(args.next().expect(usage));
    let count: u64 = args.next().expect(usage).parse().expect(usage);
    let width: u32 = args.next().map_or(1600, |w| w.parse().expect(usage));
    let height = width * 2 / 3;
    std::fs::create_dir_all(&out).expect("cannot create the output folder");
    for i in 0..count {
        let path = out.join(format!("photo-{i:04}.jpg"));
        let file = std::fs::File::create(&path).expect("cannot write a photo");
        let mut w = std::io::BufWriter::new(file);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut w, 88)
            .encode_image(&photo(i, width, height))
            .expect("cannot encode a photo");
    }
}
