//! Benchmark baseline: the write floor. Writes the files of a built site
//! (same paths, same bytes, read into memory first and not timed) into a new
//! folder the plainest way: each folder made once (parents first, a level at
//! a time, in parallel), then each file created and written with one
//! `write` call, THREADS threads taking files in turn. Prints seconds.
//!
//! Usage: `cargo run --release --example write_floor -- BUILT_DIR NEW_DIR [THREADS]`

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: write_floor BUILT_DIR NEW_DIR [THREADS]";
    let src = PathBuf::from(args.next().expect(usage));
    let dest = PathBuf::from(args.next().expect(usage));
    let threads: usize = args.next().map_or(4, |t| t.parse().expect(usage));
    assert!(
        !dest.exists(),
        "{} exists: give a new folder",
        dest.display()
    );
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for e in walkdir::WalkDir::new(&src)
        .min_depth(1)
        .into_iter()
        .flatten()
    {
        let rel = e
            .path()
            .strip_prefix(&src)
            .expect("below src")
            .to_path_buf();
        if e.file_type().is_dir() {
            dirs.push(rel);
        } else if e.file_type().is_file() {
            files.push((rel, std::fs::read(e.path()).expect("readable file")));
        }
    }
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let start = Instant::now();
    std::fs::create_dir(&dest).expect("new folder");
    // Folders, parents first: one level at a time, each level in parallel.
    let depth = |p: &Path| p.components().count();
    let deepest = dirs.iter().map(|d| depth(d)).max().unwrap_or(0);
    for level in 1..=deepest {
        let these: Vec<&PathBuf> = dirs.iter().filter(|d| depth(d) == level).collect();
        in_parallel(threads, these.len(), |i| {
            std::fs::create_dir(dest.join(these[i])).expect("mkdir");
        });
    }
    in_parallel(threads, files.len(), |i| {
        let (rel, b) = &files[i];
        let mut f = std::fs::File::create(dest.join(rel)).expect("create");
        f.write_all(b).expect("write");
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "files={} dirs={} bytes={bytes} threads={threads} seconds={secs:.3}",
        files.len(),
        dirs.len()
    );
}

/// `job(0..n)` on `threads` threads, each taking the next index.
fn in_parallel(threads: usize, n: usize, job: impl Fn(usize) + Sync) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    job(i);
                }
            });
        }
    });
}
