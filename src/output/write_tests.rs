//! Tests of [`super::Sink`]: what the output folder holds after a build, a
//! failed build and a build that finds leftovers.

use super::*;

fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .flatten()
        .map(|e| {
            let rel = crate::content::rel_path(dir, e.path());
            let body = if e.file_type().is_dir() {
                "/".to_string()
            } else {
                std::fs::read_to_string(e.path()).unwrap()
            };
            (rel, body)
        })
        .collect();
    v.sort();
    v
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn build(out: &Path, files: &[(&str, &str)]) {
    let sink = Sink::new(out).unwrap();
    for (rel, body) in files {
        sink.put(rel, body.as_bytes()).unwrap();
    }
    sink.commit().unwrap();
}

#[cfg(unix)]
fn inode(p: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap())
}

#[test]
fn replaces_the_output_keeping_unchanged_files_and_dropping_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(
        &out,
        &[
            ("a/index.html", "A"),
            ("b/index.html", "B"),
            ("old/x/index.html", "X"),
            ("f", "file"),
        ],
    );
    assert!(out.join(MARKER).is_file());
    let a_time = std::fs::metadata(out.join("a/index.html"))
        .unwrap()
        .modified()
        .unwrap();
    #[cfg(unix)]
    let a_inode = inode(&out.join("a/index.html"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    // b changes, old/ goes, `f` (a file) becomes a folder, `a/index.html` is unchanged.
    build(
        &out,
        &[
            ("a/index.html", "A"),
            ("b/index.html", "B2"),
            ("f/index.html", "F"),
        ],
    );
    let t = tree(&out);
    let names: Vec<&str> = t.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        names,
        [
            MARKER,
            "a",
            "a/index.html",
            "b",
            "b/index.html",
            "f",
            "f/index.html"
        ]
    );
    assert_eq!(t[4].1, "B2");
    assert_eq!(t[6].1, "F");
    let a_after = std::fs::metadata(out.join("a/index.html"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(a_time, a_after, "an unchanged file is not rewritten");
    #[cfg(unix)]
    assert_eq!(a_inode, inode(&out.join("a/index.html")), "it is linked");
    // And back: a folder becomes a file.
    build(&out, &[("f", "file again")]);
    assert_eq!(
        tree(&out),
        [
            (MARKER.into(), MARKER_TEXT.into()),
            ("f".into(), "file again".into())
        ]
    );
    // No staging leftovers: the previous tree is kept as the standby.
    assert_eq!(names_in(tmp.path()), [".public.fascia-standby", "public"]);
}

#[test]
fn a_sink_dropped_before_commit_leaves_the_old_output_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "A"), ("b/index.html", "B")]);
    let before = tree(&out);
    {
        let sink = Sink::new(&out).unwrap();
        sink.put("a/index.html", b"changed").unwrap();
        sink.put("new/deep/index.html", b"N").unwrap();
        // dropped: the build failed
    }
    assert_eq!(tree(&out), before);
    // A first build that fails leaves nothing at all.
    let fresh = tmp.path().join("fresh");
    {
        let sink = Sink::new(&fresh).unwrap();
        sink.put("a/index.html", b"A").unwrap();
    }
    assert!(!fresh.exists());
    assert_eq!(names_in(tmp.path()), ["public"]);
}

#[test]
fn paths_that_leave_the_output_or_repeat_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let sink = Sink::new(&out).unwrap();
    for bad in [
        "../x/index.html",
        "/abs/index.html",
        "a/../../b",
        "a//b",
        MARKER,
        "",
    ] {
        let err = sink.put(bad, b"x").unwrap_err();
        assert_eq!(err.code, "unsafe-output-path", "{bad:?}");
    }
    sink.put("a/index.html", b"A").unwrap();
    let err = sink.put("a/index.html", b"again").unwrap_err();
    assert!(err.message.contains("a/index.html"), "{}", err.message);
    let src = tmp.path().join("static.html");
    std::fs::write(&src, "static").unwrap();
    let mut output = Output::default();
    output.put_copy("a/index.html".into(), src.clone());
    output.put_copy("s.html".into(), src);
    sink.put_output(&output).unwrap();
    sink.commit().unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("a/index.html")).unwrap(),
        "A"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("s.html")).unwrap(),
        "static"
    );
    assert_eq!(names_in(tmp.path()), ["public", "static.html"]);
}

#[cfg(unix)]
#[test]
fn a_link_in_the_previous_output_redirects_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("index.html"), "A").unwrap();
    build(&out, &[("a/index.html", "A")]);
    std::fs::remove_dir_all(out.join("a")).unwrap();
    std::os::unix::fs::symlink(&foreign, out.join("a")).unwrap();
    build(&out, &[("a/index.html", "A"), ("a/b/index.html", "B")]);
    assert_eq!(
        names_in(&foreign),
        ["index.html"],
        "nothing written through the link"
    );
    assert!(std::fs::symlink_metadata(out.join("a")).unwrap().is_dir());
    assert_eq!(
        std::fs::read_to_string(out.join("a/b/index.html")).unwrap(),
        "B"
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("index.html")).unwrap(),
        "A"
    );
}

#[test]
fn leftovers_of_dead_builds_are_removed_and_an_output_left_aside_is_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "A")]);
    // A build killed while staging (pid 0 is never a build), and one killed
    // between the two renames of the fallback swap.
    let stage = sibling(&out, "stage", 0);
    std::fs::create_dir_all(stage.join("x")).unwrap();
    std::fs::write(stage.join("x/index.html"), "half").unwrap();
    let old = sibling(&out, "old", 0);
    std::fs::rename(&out, &old).unwrap();
    let before = tree(&old);
    recover(&out).unwrap();
    assert_eq!(tree(&out), before, "the previous output is back");
    // The half-written stage is kept to be finished by the next update.
    assert_eq!(names_in(tmp.path()), [".public.fascia-standby", "public"]);
    build(&out, &[("b/index.html", "B")]);
    assert_eq!(
        tree(&out),
        [
            (MARKER.into(), MARKER_TEXT.into()),
            ("b".into(), "/".into()),
            ("b/index.html".into(), "B".into())
        ]
    );
}

#[test]
fn the_fallback_swap_gives_the_same_result() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "A")]);
    let stage = sibling(&out, "stage", std::process::id());
    std::fs::create_dir_all(stage.join("b")).unwrap();
    std::fs::write(stage.join("b/index.html"), "B").unwrap();
    swap_by_renames(&stage, &out).unwrap();
    assert_eq!(
        tree(&out),
        [
            ("b".into(), "/".into()),
            ("b/index.html".into(), "B".into())
        ]
    );
    assert_eq!(names_in(tmp.path()), ["public"]);
}

#[cfg(unix)]
#[test]
fn the_standby_is_updated_without_touching_the_live_output_or_following_links() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "A1"), ("b/index.html", "B")]);
    build(&out, &[("a/index.html", "A1"), ("b/index.html", "B")]); // b linked into the new tree
    let standby = standby(&out);
    assert!(standby.join("b/index.html").exists());
    // A link planted in the standby must not redirect the next update.
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::remove_dir_all(standby.join("a")).unwrap();
    std::os::unix::fs::symlink(&foreign, standby.join("a")).unwrap();
    let live_b = inode(&out.join("b/index.html"));
    build(&out, &[("a/index.html", "A2"), ("b/index.html", "B2")]);
    assert!(
        names_in(&foreign).is_empty(),
        "nothing written through the link"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("a/index.html")).unwrap(),
        "A2"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("b/index.html")).unwrap(),
        "B2"
    );
    // The old live file (shared by a hard link) was replaced, not rewritten.
    assert_eq!(
        std::fs::read_to_string(standby.join("b/index.html")).unwrap(),
        "B"
    );
    assert_eq!(inode(&standby.join("b/index.html")), live_b);
}
