//! Are smaller `srcset` copies better made from the next larger copy or
//! each from the original? Resizes every JPEG of a folder to the default
//! widths both ways, several times, and prints the best resize time of each
//! way, the time of the WebP encoding that follows (the same either way),
//! and the PSNR of each cascaded copy against the direct one.
//!
//! Usage: `cargo run --release --example srcset_cascade -- DIR [RUNS]`
//! (`scripts/bench_images.sh` makes such a folder with `gen_photos`).

use std::time::{Duration, Instant};

use fascia::images::encode::{Format, encode};
use fascia::images::resize::{Op, Plan, apply, from_larger, plan, psnr};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: srcset_cascade DIR [RUNS]");
    let runs: usize = args.next().map_or(3, |r| r.parse().expect("RUNS"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("DIR")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    files.sort();
    let originals: Vec<image::DynamicImage> = files
        .iter()
        .map(|f| fascia::images::decode(f).expect("a JPEG"))
        .collect();
    let widths = [1440u32, 960, 480];
    let plans = |img: &image::DynamicImage| -> Vec<Plan> {
        std::iter::once(img.width())
            .chain(widths.iter().copied().filter(|&w| w < img.width()))
            .map(|w| plan(Op::FitWidth(w), img.width(), img.height()))
            .collect()
    };
    let (mut direct, mut cascade) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        let t = Instant::now();
        for img in &originals {
            for p in plans(img) {
                std::hint::black_box(apply(img, p).width());
            }
        }
        direct = direct.min(t.elapsed());
        let t = Instant::now();
        for img in &originals {
            let mut larger = None;
            for p in plans(img) {
                std::hint::black_box(from_larger(img, &mut larger, p).width());
            }
        }
        cascade = cascade.min(t.elapsed());
    }
    let mut worst = f64::INFINITY;
    let mut encoding = Duration::ZERO;
    let (mut bytes_direct, mut bytes_cascade) = (0usize, 0usize);
    for img in &originals {
        let mut larger = None;
        for p in plans(img) {
            let a = apply(img, p);
            let b = from_larger(img, &mut larger, p).into_owned();
            worst = worst.min(psnr(&a.to_rgb8(), &b.to_rgb8()));
            let t = Instant::now();
            bytes_direct += encode(&a, Format::Webp, Some(80)).unwrap().len();
            encoding += t.elapsed();
            bytes_cascade += encode(&b, Format::Webp, Some(80)).unwrap().len();
        }
    }
    let n = originals.len().max(1) as f64;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / n;
    println!(
        "images: {}, widths: original + {widths:?} below it",
        originals.len()
    );
    println!(
        "resize per image, each from the original: {:.1} ms",
        ms(direct)
    );
    println!(
        "resize per image, each from the next larger: {:.1} ms ({:.2}x)",
        ms(cascade),
        ms(direct) / ms(cascade)
    );
    println!(
        "WebP encoding per image (either way): {:.1} ms",
        ms(encoding)
    );
    println!("worst PSNR, cascaded against direct copy: {worst:.1} dB");
    println!("WebP bytes: direct {bytes_direct}, cascaded {bytes_cascade}");
}
