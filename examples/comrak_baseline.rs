//! Benchmark baseline: render every Markdown file of a site with comrak alone,
//! on one thread, with the same extensions fascia enables. Prints seconds.
//!
//! Usage: `cargo run --release --example comrak_baseline -- SITE_DIR`

use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: comrak_baseline SITE_DIR");
    let mut texts = Vec::new();
    for e in walkdir::WalkDir::new(std::path::Path::new(&dir).join("content"))
        .into_iter()
        .flatten()
    {
        if e.path().extension().is_some_and(|x| x == "md") {
            let t = std::fs::read_to_string(e.path()).expect("readable file");
            // Skip TOML front matter.
            let body = t.splitn(3, "+++").nth(2).map_or(t.clone(), str::to_string);
            texts.push(body);
        }
    }
    let opts = fascia::markdown::comrak_options(&fascia::config::MarkdownConfig::default());
    let start = Instant::now();
    let mut bytes = 0usize;
    for t in &texts {
        bytes += comrak::markdown_to_html(t, &opts).len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!("files={} html_bytes={bytes} seconds={secs:.3}", texts.len());
}
