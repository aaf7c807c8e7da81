//! Nothing a page, a crash or a full disk can do may damage the site or the
//! disk: attacks on the output folder, each reproduced on the real binary.

mod harness;

use std::path::Path;
use std::process::Command;

use harness::Site;

/// `file:line:col` of the first diagnostic line naming `file`.
fn located(stderr: &str, file: &str) -> Option<(usize, usize)> {
    stderr.lines().find_map(|l| {
        let at = l.find(file)?;
        let mut parts = l[at + file.len()..].strip_prefix(':')?.split(':');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    })
}

#[test]
fn no_front_matter_path_can_write_outside_the_output() {
    let s = Site::fixture("basic");
    let escape = s.dir.path().join("escape");
    let cases = [
        ("path", "path = \"../../../../../../escape/x\"", 3, 1),
        ("slug", "slug = \"..\"", 3, 1),
        ("slug", "slug = \"a\\\\..\"", 3, 1),
        (
            "aliases",
            "aliases = [\"/fine/\", \"/../../escape/y/\"]",
            3,
            22,
        ),
        ("path", "path = \"a/\\u0000/b\"", 3, 1),
    ];
    for (key, line, l, c) in cases {
        s.write(
            "content/notes/evil.md",
            &format!("+++\ntitle = \"Evil\"\n{line}\n+++\nBody.\n"),
        );
        for cmd in ["build", "check"] {
            let run = if cmd == "build" {
                s.build()
            } else {
                s.check(&[])
            };
            run.failure()
                .stderr_has("cannot be an output path")
                .stderr_has(&format!("`{key}`"));
            assert_eq!(
                located(&run.stderr, "evil.md"),
                Some((l, c)),
                "{cmd} {line}:\n{}",
                run.stderr
            );
        }
        assert!(!escape.exists(), "{line} wrote outside the output");
    }
    // YAML front matter goes through the same rule.
    s.write(
        "content/notes/evil.md",
        "---\ntitle: Evil\npath: ../../escape/z\n---\nBody.\n",
    );
    let run = s.build();
    run.failure().stderr_has("cannot be an output path");
    assert_eq!(located(&run.stderr, "evil.md").map(|x| x.0), Some(3));
    assert!(!escape.exists());
}

#[test]
fn text_in_any_script_builds_with_search() {
    let s = Site::fixture("basic");
    s.write(
        "content/notes/polish.md",
        "+++\ntitle = \"Cześć\"\n+++\nSay `\"Cześć\"` to everyone &amp; ząb&nbsp;ł.\n\n\
         Ελληνικά, العربية, 日本語 and 👋🏽 e\u{301} in one line &#x1F600; &bogus;ż\n",
    );
    s.build().success();
    assert!(s.read("notes/polish/index.html").contains("Cześć"));
    s.check(&[]).success();
}

#[test]
fn the_output_guard_holds_even_with_force() {
    let s = Site::fixture("basic");
    let root = s.root();
    // A theme beside the site, as in this repository.
    let themes = s.dir.path().join("themes");
    std::fs::create_dir_all(themes.join("plain/templates")).unwrap();
    std::fs::write(themes.join("plain/theme.toml"), "name = \"plain\"\n").unwrap();
    s.edit(
        "config.toml",
        "title = \"Basic\"",
        "title = \"Basic\"\ntheme = \"plain\"",
    );
    let r = root.to_str().unwrap();
    let home = s.dir.path().join("home/user");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("thesis.txt"), "years of work").unwrap();
    for (out, why) in [
        (themes.clone(), "which the site is built from"),
        (themes.join("plain"), "which the site is built from"),
        (s.dir.path().join("home"), "home folder"),
        (home.clone(), "home folder"),
        (root.join("content"), "content/"),
        (root.clone(), "site root"),
        (s.dir.path().to_path_buf(), "refusing to use"),
    ] {
        let run = Command::new(harness::bin())
            .args(["build", "--root", r, "--force", "-o"])
            .arg(&out)
            .env("HOME", &home)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{}: {stderr}", out.display());
        assert!(stderr.contains(why), "{}: {stderr}", out.display());
    }
    assert_eq!(
        std::fs::read_to_string(home.join("thesis.txt")).unwrap(),
        "years of work"
    );
    assert!(themes.join("plain/theme.toml").exists());
    s.build().success();
}

/// Every regular file under `dir` and its bytes, hashed into one value.
fn tree_hash(dir: &Path) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (rel, bytes) in harness::snapshot(dir) {
        rel.hash(&mut h);
        bytes.hash(&mut h);
    }
    h.finish()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn gen_corpus(pages: usize, out: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen_corpus.py");
    let run = Command::new("python3")
        .arg(script)
        .args(["--pages", &pages.to_string(), "--layout", "zola", "--out"])
        .arg(out)
        .output()
        .expect("python3 runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Switch every page of the generated corpus between two versions (the base
/// template says which), so that a rebuild changes every page.
fn set_version(corpus: &Path, v: u32) {
    let base = corpus.join("templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    let start = text.find("<!--v").map_or(text.len(), |i| i);
    let kept = &text[..start];
    std::fs::write(&base, format!("{kept}<!--v{v}-->\n")).unwrap();
}

#[test]
fn a_build_killed_at_any_instant_leaves_the_old_site_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    // Large enough for a build to take a while (about 0.6 s in a debug
    // build); the kill instants are spread over it whatever its length.
    gen_corpus(500, &corpus);
    let out = dir.path().join("out");
    let build = || {
        let mut c = Command::new(harness::bin());
        c.args(["build", "--root"])
            .arg(&corpus)
            .arg("-o")
            .arg(&out)
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::null());
        c
    };
    let mut hashes = [0; 2];
    let mut full = std::time::Duration::ZERO;
    for v in [1, 0] {
        set_version(&corpus, v);
        let started = std::time::Instant::now();
        assert!(build().status().unwrap().success());
        full = full.max(started.elapsed());
        hashes[v as usize] = tree_hash(&out);
    }
    assert_ne!(hashes[0], hashes[1]);
    // Kill instants spread over the whole build, from a deterministic sequence.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut outcomes = [0; 3];
    let tries = 24;
    for i in 0..tries {
        let now = tree_hash(&out);
        let current = hashes.iter().position(|h| *h == now).expect("a whole site");
        set_version(&corpus, 1 - current as u32);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = full.mul_f64((seed % 1000) as f64 / 1000.0 * 1.1);
        let mut child = build().spawn().unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let after = tree_hash(&out);
        let which = hashes.iter().position(|h| *h == after);
        assert!(
            which.is_some(),
            "try {i}: killed after {at:?} ({status}), the output is neither the old site nor the new"
        );
        // 0: the new site, 1: the old site, 2: the build finished before the kill.
        let outcome = if status.success() {
            2
        } else {
            usize::from(which == Some(current))
        };
        outcomes[outcome] += 1;
    }
    eprintln!("kill -9 over {tries} tries: [new site, old site, build finished] = {outcomes:?}");
    assert!(
        outcomes[1] > 0,
        "no kill landed before the swap: {outcomes:?}"
    );
    // A build after the kills removes every leftover.
    assert!(build().status().unwrap().success());
    // (the previous tree is kept as the standby the next build updates)
    assert_eq!(
        names_in(dir.path()),
        [".out.fascia-standby", "corpus", "out"]
    );
}

fn chattr(flag: &str, path: &Path) -> bool {
    Command::new("chattr")
        .arg(flag)
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn an_output_that_cannot_be_replaced_stays_whole_and_the_message_says_so() {
    let s = Site::fixture("basic");
    s.build().success();
    let before = harness::snapshot(&s.out());
    if !chattr("+i", &s.out()) {
        eprintln!(
            "skipped: chattr +i is not available here (not root, or the file system has no immutable flag)"
        );
        return;
    }
    s.edit(
        "content/notes/alpha.md",
        "The first note.",
        "The first note, changed.",
    );
    s.write("content/notes/new.md", "+++\ntitle = \"New\"\n+++\nNew.\n");
    let run = s.build();
    chattr("-i", &s.out());
    run.failure().stderr_has("the previous output is whole");
    assert_eq!(harness::snapshot(&s.out()), before);
    assert!(
        !names_in(s.dir.path())
            .iter()
            .any(|n| n.contains("fascia-stage"))
    );
    // A file of the old output that cannot be removed does not stop the new one.
    let stuck = s.out().join("notes/alpha/index.html");
    assert!(chattr("+i", &stuck));
    s.build().success();
    chattr("-i", &stuck);
    assert!(s.exists("notes/new/index.html"));
}

#[test]
fn a_full_disk_leaves_the_previous_output_whole() {
    let mnt = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(mnt.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let s = Site::fixture("basic");
    let out = mnt.path().join("public");
    let build = || {
        s.run(&[
            "build",
            "--root",
            s.root().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
    };
    build().success();
    let before = harness::snapshot(&out);
    // A page too big for what is left of the disk.
    let para = "Words that fill the disk of this test. ".repeat(30);
    s.write(
        "content/notes/huge.md",
        &format!(
            "+++\ntitle = \"Huge\"\n+++\n{}\n",
            format!("{para}\n\n").repeat(4000)
        ),
    );
    let run = build();
    let leftovers = names_in(mnt.path());
    let after = harness::snapshot(&out);
    let _ = Command::new("umount").arg(mnt.path()).status();
    run.failure().stderr_has("disk is full");
    assert_eq!(after, before);
    assert_eq!(leftovers, ["public"]);
}

/// A page with `n` of one kind of item (links to itself, same-page anchors,
/// wikilinks, identical headings, citations), built; the wall time.
fn build_page_of(kind: &str, n: usize) -> std::time::Duration {
    let s = Site::fixture("basic");
    let body: String = match kind {
        "self-links" => "[me](@/notes/many.md) ".repeat(n),
        "anchors" => format!("## Top\n\n{}", "[top](#top) ".repeat(n)),
        "wikilinks" => "[[notes/alpha]] ".repeat(n),
        "headings" => "## Same\n\nText.\n\n".repeat(n),
        _ => "[Smith 2020](ref:smith2020) ".repeat(n),
    };
    s.write(
        "content/notes/many.md",
        &format!("+++\ntitle = \"Many\"\n+++\n[[notes/alpha]]\n\n{body}\n"),
    );
    let started = std::time::Instant::now();
    s.build().success();
    started.elapsed()
}

#[test]
fn work_grows_linearly_with_the_items_of_one_page() {
    // Each of these took quadratic time: 10^5 of them ran past 60 s. Ten
    // times the items must take well under the hundred times a quadratic
    // stage would (fixed costs make the ratio for a linear one smaller still).
    for kind in [
        "self-links",
        "anchors",
        "wikilinks",
        "headings",
        "citations",
    ] {
        let small = build_page_of(kind, 2_000);
        let large = build_page_of(kind, 20_000);
        let ratio = large.as_secs_f64() / small.as_secs_f64();
        eprintln!("{kind}: 2,000 in {small:?}, 20,000 in {large:?} (x{ratio:.1})");
        assert!(ratio < 25.0, "{kind}: x{ratio:.1} for ten times the items");
    }
}

/// About `bytes` of Markdown as an encyclopedia page has it: headings (some
/// alike), paragraphs with every kind of link, lists, code with blank
/// lines, tables, quotes and a reference definition used throughout.
fn large_page(bytes: usize) -> String {
    let words = [
        "fascia",
        "tissue",
        "release",
        "pressure",
        "stretch",
        "glide",
        "collagen",
        "layer",
        "therapy",
        "tension",
        "stiffness",
        "friction",
        "motion",
        "evidence",
        "trial",
        "muscle",
    ];
    let mut seed = 7u64;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        usize::try_from(seed >> 33).unwrap() % n
    };
    let mut s = String::from("+++\ntitle = \"Large\"\n+++\n[guide]: https://example.org/guide\n\n");
    let mut i = 0;
    while s.len() < bytes {
        let title = if next(3) == 0 {
            "Same".to_string()
        } else {
            format!("Part {i}")
        };
        let level = "#".repeat(2 + next(3));
        s.push_str(&level);
        s.push(' ');
        s.push_str(&title);
        s.push_str("\n\n");
        for _ in 0..=next(3) {
            for _ in 0..3 + next(4) {
                for _ in 0..6 + next(12) {
                    s.push_str(words[next(words.len())]);
                    s.push(' ');
                }
                s.push_str(match next(28) {
                    0 => "as [alpha](@/notes/alpha.md) says. ",
                    1 => "see [[notes/beta]]. ",
                    2 => "([Smith 2020](ref:smith2020)). ",
                    3 => "per [the guide][guide]. ",
                    4 => "at <https://example.com/x>. ",
                    5 => "back to [the top](#same). ",
                    6 => "*so* **it** `is`. ",
                    _ => "and so on. ",
                });
            }
            s.push_str("\n\n");
        }
        s.push_str(match next(6) {
            0 => "- one item\n- two [[notes/alpha|alpha]]\n\n  more of two\n\n",
            1 => "```rust\nfn main() {\n\n    run();\n}\n```\n\n",
            2 => "| Tool | Effect |\n|---|---|\n| a | b |\n| c | d |\n\n",
            3 => "> A quote.\n>\n> More.\n\n",
            _ => "",
        });
        i += 1;
    }
    s
}

/// The highest resident memory of `child` until it exits, read from
/// `/proc` (`VmHWM` only grows), and whether it succeeded.
fn peak_memory(mut child: std::process::Child) -> (u64, bool) {
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb * 1024);
        }
        if let Some(done) = child.try_wait().unwrap() {
            return (peak, done.success());
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn a_large_page_builds_in_memory_bounded_by_its_size() {
    // A 50 MB page peaked at 1.5 GB: comrak's tree of the whole body was
    // held while it was walked and written. Parsed in pieces, the build's
    // memory grows by less than 13 times the page (a 50 MB page: about 8).
    if !Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc to read the build's memory from");
        return;
    }
    let build = |s: &Site| {
        let child = Command::new(harness::bin())
            .args(["build", "--root"])
            .arg(s.root())
            .arg("-o")
            .arg(s.out())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (peak, ok) = peak_memory(child);
        assert!(ok && peak > 0, "the build failed, or no memory was read");
        peak
    };
    // What the program and a small site take, without the page.
    let s = Site::fixture("basic");
    let base = build(&s);
    let page = large_page(6 << 20);
    s.write("content/notes/large.md", &page);
    let started = std::time::Instant::now();
    let peak = build(&s);
    let size = page.len() as u64;
    let grew = peak.saturating_sub(base);
    eprintln!(
        "{} MB page: peak {} MB, {} MB over the site without it ({:.1}x the page) in {:?}",
        size >> 20,
        peak >> 20,
        grew >> 20,
        grew as f64 / size as f64,
        started.elapsed()
    );
    // One parse of the whole body took 15 to 17 times the page (release);
    // in pieces the parse takes under 8, and the render stage, which holds
    // the body HTML several times over, makes about 11.
    assert!(
        grew < 13 * size,
        "{} MB more for a {} MB page",
        grew >> 20,
        size >> 20
    );
    let html = s.read("notes/large/index.html");
    assert!(html.contains("id=\"same-1\"") && html.contains("href=\"https://example.org/guide\""));
}
