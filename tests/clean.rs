//! `fascia clean`: removes what builds leave beside the output folder (the
//! standby tree, staging folders of killed builds) and, with `--cache`, the
//! image cache; says what it removed with sizes; obeys the output guard and
//! leaves folders fascia did not make and those of running builds.

mod harness;

use harness::Site;
use std::path::{Path, PathBuf};

fn clean(s: &Site, extra: &[&str]) -> harness::Run {
    let root = s.root();
    let out = s.out();
    let mut args = vec![
        "clean",
        "--root",
        root.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    s.run(&args)
}

fn beside(s: &Site, name: &str) -> PathBuf {
    s.dir.path().join(name)
}

/// The names in the folder holding the output, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[test]
fn removes_the_standby_tree_and_a_killed_build_s_stage_and_says_how_large() {
    let s = Site::fixture("basic");
    s.build().success();
    s.build().success(); // the second build leaves the first output as standby
    let standby = beside(&s, ".out.fascia-standby");
    assert!(
        standby.join(".fascia-output").is_file(),
        "{:?}",
        names(s.dir.path())
    );
    // A build killed before it wrote its marker: a dead process's stage.
    let stage = beside(&s, ".out.fascia-stage-999999999");
    std::fs::create_dir_all(stage.join("notes")).unwrap();
    std::fs::write(stage.join("notes/index.html"), "x".repeat(3000)).unwrap();
    let before = harness::snapshot(&s.out());

    let run = clean(&s, &[]);
    run.success();
    assert!(!standby.exists() && !stage.exists());
    assert!(
        run.stdout.contains(".out.fascia-standby: the standby tree"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2.9 KB in 1 file"), "{}", run.stdout);
    assert!(run.stdout.contains("removed 2 folders"), "{}", run.stdout);
    // The output itself is untouched, and the site folder too.
    assert_eq!(harness::snapshot(&s.out()), before);
    assert_eq!(names(s.dir.path()), ["out", "site"]);

    let again = clean(&s, &[]);
    again.success();
    assert!(
        again.stdout.contains("nothing to remove"),
        "{}",
        again.stdout
    );
    // A build after cleaning works as a first one.
    s.build().success();
    assert!(s.exists("notes/alpha/index.html"));
}

#[test]
fn leaves_what_fascia_did_not_make_and_the_folders_of_running_builds() {
    let s = Site::fixture("basic");
    s.build().success();
    // Under fascia's standby name but without its marker: someone else's.
    let foreign = beside(&s, ".out.fascia-standby");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
    // A link under a staging name, pointing at a folder to keep.
    let target = beside(&s, "precious");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("a.txt"), "a").unwrap();
    std::os::unix::fs::symlink(&target, beside(&s, ".out.fascia-stage-999999998")).unwrap();
    // The stage of a build that is still running (this test's process).
    let live = beside(&s, &format!(".out.fascia-stage-{}", std::process::id()));
    std::fs::create_dir_all(&live).unwrap();

    let run = clean(&s, &[]);
    run.success();
    assert!(foreign.join("keep.txt").is_file());
    assert!(target.join("a.txt").is_file());
    assert!(live.is_dir());
    run.stderr_has("fascia did not create it")
        .stderr_has("a running build");
    assert!(run.stdout.contains("nothing to remove"), "{}", run.stdout);
}

#[test]
fn the_cache_goes_only_when_asked() {
    let s = Site::fixture("basic");
    s.build().success();
    let cache = s.root().join(".fascia-cache/images");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("abc.webp"), vec![0u8; 2048]).unwrap();
    clean(&s, &[]).success();
    assert!(cache.join("abc.webp").is_file());
    let run = clean(&s, &["--cache"]);
    run.success();
    assert!(!s.root().join(".fascia-cache").exists());
    assert!(
        run.stdout.contains("the image cache (2.0 KB in 1 file)"),
        "{}",
        run.stdout
    );
}

#[test]
fn obeys_the_output_guard() {
    let s = Site::fixture("basic");
    s.build().success();
    let root = s.root();
    let content = root.join("content");
    for (out, why) in [
        ("/", "filesystem root"),
        (root.to_str().unwrap(), "site root"),
        (content.to_str().unwrap(), "content/"),
    ] {
        let run = s.run(&["clean", "--root", root.to_str().unwrap(), "-o", out]);
        run.failure()
            .stderr_has(why)
            .stderr_has("nothing was removed");
    }
    let home = std::env::var("HOME").unwrap();
    s.run(&["clean", "--root", root.to_str().unwrap(), "-o", &home])
        .failure()
        .stderr_has("home folder");
    // A folder fascia did not create, with a standby-named folder beside.
    let other = beside(&s, "other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let standby = beside(&s, ".other.fascia-standby");
    std::fs::create_dir_all(&standby).unwrap();
    std::fs::write(standby.join(".fascia-output"), "").unwrap();
    s.run(&[
        "clean",
        "--root",
        root.to_str().unwrap(),
        "-o",
        other.to_str().unwrap(),
    ])
    .failure()
    .stderr_has("fascia did not create it");
    assert!(standby.is_dir());
}

#[test]
fn puts_back_an_output_a_killed_swap_left_aside() {
    let s = Site::fixture("basic");
    s.build().success();
    let aside = beside(&s, ".out.fascia-old-999999997");
    std::fs::rename(s.out(), &aside).unwrap();
    let run = clean(&s, &[]);
    run.success();
    assert!(run.stdout.contains("put back"), "{}", run.stdout);
    assert!(s.exists("notes/alpha/index.html") && !aside.exists());
}

#[test]
fn is_in_the_help_and_the_completions() {
    let s = Site::fixture("basic");
    let help = s.run(&["--help"]);
    help.success();
    assert!(help.stdout.contains("clean"), "{}", help.stdout);
    let own = s.run(&["clean", "--help"]);
    assert!(own.stdout.contains("--cache") && own.stdout.contains("--output-dir"));
    let bash = s.run(&["completions", "bash"]);
    assert!(bash.stdout.contains("clean") && bash.stdout.contains("--cache"));
}
