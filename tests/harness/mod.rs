//! A small fluent harness: copy a fixture site to a temporary folder, edit it,
//! run the real `fascia` binary on it, and look at what came out.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod pictures;

/// A fixture site copied into a temporary folder.
pub struct Site {
    pub dir: tempfile::TempDir,
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstderr:\n{}\nstdout:\n{}",
            self.stderr, self.stdout
        );
        self
    }

    #[track_caller]
    pub fn failure(&self) -> &Self {
        assert_eq!(
            self.code, 1,
            "expected exit 1\nstderr:\n{}\nstdout:\n{}",
            self.stderr, self.stdout
        );
        self
    }

    /// Assert stderr holds `text`.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.stderr.contains(text),
            "stderr has {text:?}:\n{}",
            self.stderr
        );
        self
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fascia"))
}

/// A loopback port free at the time of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Site {
    /// A copy of `tests/fixtures/<name>` (the site is at `root()`).
    pub fn fixture(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture_dir(name), &dir.path().join("site"));
        Self { dir }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Write (or replace) a file below the site root.
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// Replace `from` with `to` in a file; the text must be there.
    #[track_caller]
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let p = self.root().join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} lacks {from:?}");
        std::fs::write(p, text.replacen(from, to, 1)).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.root().join(rel)).unwrap();
        self
    }

    /// Run fascia with `args`, from the temporary folder.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }

    /// `fascia build --root site -o out`.
    pub fn build(&self) -> Run {
        let root = self.root();
        let out = self.out();
        self.run(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
    }

    /// `fascia check --root site` with extra args.
    pub fn check(&self, extra: &[&str]) -> Run {
        let root = self.root();
        let mut args = vec!["check", "--root", root.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// The text of an output file.
    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        let p = self.out().join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out().join(rel).exists()
    }
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file below `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Build the repository's encyclopedia (`site/`) into `out` with extra
/// arguments (for example `--offline` or `--base-url`), and assert success.
pub fn build_encyclopedia(out: &Path, extra: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    let run = Command::new(bin())
        .args(["build", "--root"])
        .arg(&root)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "building the encyclopedia failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The encyclopedia in `site/`, loaded and linked in this process.
/// The encyclopedia built into `out` (public edition): its HTML files.
pub fn encyclopedia_html(out: &Path) -> Vec<PathBuf> {
    build_encyclopedia(out, &[]);
    let files: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(files.len() > 40, "only {} HTML pages built", files.len());
    files
}

pub fn encyclopedia() -> fascia::site::Site {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    match fascia::pipeline::load_and_link(&fascia::pipeline::BuildOptions {
        root,
        base_url: None,
        drafts: false,
        serving: false,
    }) {
        Ok(linked) => linked.site,
        Err(d) => panic!("the encyclopedia does not load: {:#?}", d.items),
    }
}
