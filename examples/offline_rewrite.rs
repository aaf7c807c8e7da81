//! The offline rewrite's two paths timed on the same pages in one run: the
//! fast path of its own (`src/output/offline/scan.rs`) against `lol_html`,
//! its baseline, over every HTML file of a built site (a public edition),
//! on one thread. Prints pages, bytes, the seconds of each (best of 3), the
//! ratio, and how many pages the fast path left to `lol_html`.
//! Usage: `offline_rewrite DIR [BASE_URL]` (`cargo run --release --example offline_rewrite -- public`)
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: offline_rewrite DIR [BASE_URL]"));
    let base = args.next().unwrap_or_else(|| "https://example.org".into());
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "html") {
            let key = path
                .strip_prefix(&dir)
                .expect("below DIR")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(path).expect("a UTF-8 page");
            pages.push((key, text));
        }
    }
    let bytes: usize = pages.iter().map(|(_, t)| t.len()).sum();
    let best = |f: &dyn Fn() -> usize| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                let n = f();
                (t.elapsed().as_secs_f64(), n)
            })
            .fold((f64::MAX, 0), |a, b| if b.0 < a.0 { b } else { a })
    };
    let (fast_s, left) = best(&|| {
        pages
            .iter()
            .filter(|(k, t)| fascia::output::offline::rewrite_fast(t, k, &base).is_none())
            .count()
    });
    let (lol_s, _) = best(&|| {
        pages
            .iter()
            .map(|(k, t)| {
                fascia::output::offline::rewrite_lol_html(t, k, &base)
                    .0
                    .len()
            })
            .sum()
    });
    println!(
        "pages={} html_MB={:.1} fast_s={fast_s:.3} lol_html_s={lol_s:.3} ratio={:.1} left_to_lol_html={left}",
        pages.len(),
        bytes as f64 / 1e6,
        lol_s / fast_s
    );
}
