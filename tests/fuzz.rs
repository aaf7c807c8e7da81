//! Fuzzing in the test suite, for a bounded time: arbitrary Unicode (every
//! plane, combining marks, right-to-left marks, NUL, invalid UTF-8) through
//! front matter, Markdown, shortcodes, wikilinks, data files and config, through
//! `check` and a full build (search index and offline edition included).
//! Every input must either build or be rejected with errors that name a file,
//! and a line and column when the problem is inside the fuzzed file; no
//! input may panic or hang. Generated with proptest (shrinking finds the
//! smallest failing input); `FUZZ_CASES` raises the number of cases.

mod harness;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use fascia::pipeline::{BuildOptions, load_and_link, render};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// Pieces that mean something to some parser of fascia's, or to Unicode.
const TOKENS: &[&str] = &[
    "[[",
    "]]",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "+++",
    "---",
    "@/",
    "#",
    "|",
    "`",
    "```",
    "&",
    ";",
    "&amp;",
    "&#x1F600;",
    "&#0;",
    "&#xD800;",
    "&#99999999;",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "\u{202e}",
    "\u{200f}",
    "\u{0301}",
    "\u{0338}",
    "\u{1F600}",
    "\u{1F3FD}",
    "\u{10FFFF}",
    "\u{FEFF}",
    "\u{FFFD}",
    "ref:",
    "](",
    ")",
    "[",
    "]",
    "(",
    "<a href=\"",
    "\">",
    "<",
    ">",
    "\"",
    "'",
    "\\",
    "*",
    "**",
    "_",
    "~~",
    "> [!WARNING]",
    "..",
    "/",
    "é",
    "Cześć",
    "ß",
    "İ",
    "ﬃ",
    "日本語",
    "العربية",
    "<!--",
    "-->",
    "<script>",
    "[^1]",
    "[^1]: x",
    "- ",
    "1. ",
    "| a | b |\n|---|---|",
    "$$",
    "{{ badge(text=\"",
    "\") }}",
    "{% note() %}",
    "{% end %}",
    "notes/alpha",
    "@/notes/alpha.md",
    "#section",
    " {#id}",
    "\u{3000}",
    "\u{0085}",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(TOKENS).prop_map(String::from),
        2 => any::<String>(),
        1 => "[a-zA-Z ]{1,12}",
        1 => prop::collection::vec(any::<char>(), 0..6).prop_map(|v| v.into_iter().collect()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..16).prop_map(|v| v.concat())
}

/// Bytes that are not UTF-8: lone surrogates, overlong forms, stray bytes.
fn bad_utf8() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        vec![0xED, 0xA0, 0x80],
        vec![0xED, 0xBF, 0xBF],
        vec![0xC0, 0x80],
        vec![0xFF],
        vec![0xF4, 0x90, 0x80, 0x80],
        vec![0xE2, 0x82],
    ])
}

/// A TOML basic string holding `s`.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where the fuzzed text goes: (file below the site, its new bytes).
fn place(kind: u8, t: &str, bad: &[u8]) -> (&'static str, Vec<u8>) {
    let page = |front: &str, body: &str| format!("+++\n{front}\n+++\n{body}\n").into_bytes();
    let f = "content/notes/fuzz.md";
    match kind % 12 {
        0 => (f, page("title = \"F\"", t)),
        1 => (
            f,
            page(&format!("title = {}", toml_str(t)), "[[notes/alpha]]"),
        ),
        2 => (f, page(&format!("title = \"F\"\n{t}"), "Body.")),
        3 => (f, format!("---\ntitle: {t}\n---\nBody.\n").into_bytes()),
        4 => (
            f,
            page(
                "title = \"F\"",
                &format!(
                    "{{{{ badge(text={}) }}}}\n\n{{% note() %}}\n{t}\n{{% end %}}",
                    toml_str(t)
                ),
            ),
        ),
        5 => (
            f,
            page(
                "title = \"F\"",
                &format!("[[{t}]] [[notes/alpha|{t}]] [x](@/{t}) [y]({t})"),
            ),
        ),
        6 => (
            f,
            page(
                "title = \"F\"",
                &format!("# {t} {{#{t}}}\n\n[^{t}]\n\n[^{t}]: {t}\n\n| {t} |\n|---|\n"),
            ),
        ),
        7 => {
            let mut b = page("title = \"F\"", "Before ")
                .into_iter()
                .collect::<Vec<u8>>();
            b.truncate(b.len() - 1);
            b.extend_from_slice(bad);
            b.extend_from_slice(t.as_bytes());
            (f, b)
        }
        8 => (
            "data/glossary.toml",
            format!(
                "[[terms]]\nterm = {}\ndefinition = {}\n",
                toml_str(t),
                toml_str(t)
            )
            .into_bytes(),
        ),
        9 => (
            "data/glossary.toml",
            format!("[[terms]]\nterm = \"x\"\n{t}\n").into_bytes(),
        ),
        10 => (
            "config.toml",
            format!(
                "title = {}\nbase_url = \"https://example.org\"\ndescription = {}\n",
                toml_str(t),
                toml_str(t)
            )
            .into_bytes(),
        ),
        _ => (
            "config.toml",
            format!("title = \"T\"\nbase_url = \"https://example.org\"\n{t}\n").into_bytes(),
        ),
    }
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic")
}

/// `check` and a full build of the fixture with one file replaced. Returns a
/// description of what is wrong, if anything.
fn build_once(file: &str, bytes: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = dir.path().join("site");
    harness::copy_dir(&fixture(), &root);
    std::fs::write(root.join(file), bytes).map_err(|e| e.to_string())?;
    let opts = BuildOptions {
        root: root.clone(),
        base_url: None,
        drafts: false,
        serving: false,
    };
    let errors = match load_and_link(&opts) {
        Err(d) => d.items,
        Ok(linked) => {
            let site_errors: Vec<_> = linked
                .diagnostics
                .items
                .iter()
                .filter(|d| d.severity == fascia::diagnostics::Severity::Error)
                .cloned()
                .collect();
            match render(linked) {
                Err(d) => d.items,
                Ok((state, output, _)) => {
                    let offline = fascia::output::offline::edition(
                        &output,
                        &state.site,
                        &root.join("public-offline"),
                    );
                    let mut all = site_errors;
                    if let Err(e) = offline {
                        all.extend(e);
                    }
                    all
                }
            }
        }
    };
    for d in errors
        .iter()
        .filter(|d| d.severity == fascia::diagnostics::Severity::Error)
    {
        let Some(f) = &d.file else {
            return Err(format!("an error without a file: {d:?}"));
        };
        if f.ends_with(file) && (d.line == 0 || d.column == 0) {
            return Err(format!("an error in {file} without line and column: {d:?}"));
        }
    }
    Ok(())
}

/// [`build_once`] on a thread of its own, failing past `limit` (a hang).
fn build_within(file: &'static str, bytes: Vec<u8>, limit: Duration) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| build_once(file, &bytes));
        let _ = tx.send(r.unwrap_or_else(|p| {
            Err(format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| p.downcast_ref::<&str>().copied())
                    .unwrap_or("?")
            ))
        }));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| Err(format!("no answer within {limit:?}: a hang")))
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(160)
}

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    #[test]
    fn any_text_in_any_place_builds_or_is_located(kind in 0u8..12, t in text(), bad in bad_utf8()) {
        let (file, bytes) = place(kind, &t, &bad);
        let outcome = build_within(file, bytes, Duration::from_secs(30));
        prop_assert!(outcome.is_ok(), "{file} with {t:?}: {}", outcome.unwrap_err());
    }
}

#[test]
fn deep_nesting_is_refused_with_a_location_not_a_crash() {
    let mut deep_list = String::new();
    for i in 0..5000 {
        deep_list.push_str(&"  ".repeat(i));
        deep_list.push_str("- a\n");
    }
    let deep_quote = ">".repeat(100_000) + " a\n";
    let deep_yaml = format!(
        "---\ntitle: {}x{}\n---\nBody.\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let deep_toml = format!(
        "+++\ntitle = \"F\"\n[extra]\nx = {}1{}\n+++\nBody.\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    for (what, bytes) in [
        ("list", format!("+++\ntitle = \"F\"\n+++\n{deep_list}")),
        ("quote", format!("+++\ntitle = \"F\"\n+++\n{deep_quote}")),
        ("yaml", deep_yaml),
        ("toml", deep_toml),
    ] {
        let outcome = build_within(
            "content/notes/fuzz.md",
            bytes.into_bytes(),
            Duration::from_secs(30),
        );
        assert!(outcome.is_ok(), "deep {what}: {}", outcome.unwrap_err());
    }
}
