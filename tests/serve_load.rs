//! `fascia serve` under load, on loopback: 200 concurrent clients for 10 s of
//! mixed requests (pages of every kind, the 404, a redirect, stylesheets,
//! scripts, an image, the search index, HEAD and conditional requests, keep-alive,
//! fresh and pipelined connections) while a page is rewritten every 200 ms,
//! alternately in place (slowly, in two halves) and by atomic rename, with a
//! counter in its body and, every 25th edit, in its title. At the same time
//! the live-reload streams are held at their bound and probed beyond it,
//! connections that send nothing are left open, requests are sent one
//! header line every 500 ms ("slowloris"), and more clients than the server
//! ask for a 24 MB file and read nothing for 5 s.
//!
//! Asserted: zero connection errors, resets or timeouts; every status as
//! expected; every body whole (`Content-Length` matches, HTML ends with
//! `</html>`, static files byte for byte); every response showing the edited
//! page is exactly one version (all its counters agree, the body's counter
//! appears as often as a whole source gives it) and no client ever sees an
//! older version after a newer one; every build generation maps to one version
//! across all clients; extra live-reload streams are refused promptly with a
//! whole 503 and a freed slot is reusable; silent connections are closed by
//! the server after its read timeout; slowly sent requests get whole answers;
//! the stalled readers get the whole file and nobody waits on them (no
//! request takes 3 s or more); the server's threads stay bounded; afterwards
//! it answers promptly and serves the last edit. Throughput and latency are
//! printed (`--nocapture`).

mod harness;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 200;
/// The load runs this long...
const LOAD: Duration = Duration::from_secs(10);
/// ...and on, up to this long, until the server has published this many
/// rebuilds under it (on a crowded machine a debug build rebuilds slowly).
const LOAD_MAX: Duration = Duration::from_secs(20);
const MIN_REBUILDS: usize = 2;
const EDIT_EVERY: Duration = Duration::from_millis(200);
/// Every this many edits the title changes too (a full rebuild).
const TITLE_EVERY: u64 = 25;
/// `fascia::serve::MAX_RELOAD_CLIENTS`.
const RELOAD_BOUND: usize = fascia::serve::MAX_RELOAD_CLIENTS;
const EDITED: &str = "content/techniques/graston-technique.md";
const TITLE_LINE: &str = "title = \"Graston Technique\"";
const LINK_LINE: &str = "- [Gua sha](@/techniques/gua-sha.md), a traditional scraping practice.";
/// How often the body counter appears in a response built from a whole source:
/// twice in the page itself and in the print edition (opening paragraph and the
/// link to Gua Sha), once in Gua Sha's "pages that link here" sentence.
const WHOLE_COUNTS: &[(&str, usize)] = &[
    ("/techniques/graston-technique/", 2),
    ("/print/", 2),
    ("/techniques/gua-sha/", 1),
];
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Each client pauses up to this long (uniformly) between requests, as a
/// page's own requests would: the load stays high (thousands of requests a
/// second) without the 200 client threads, which run on the same two cores,
/// starving the server's rebuilds of CPU for the whole run.
const MAX_PAUSE_MS: u64 = 100;

// ---------------------------------------------------------------------------
// Versions of the edited page and the checks on what is served.

fn title_of(n: u64) -> u64 {
    n - n % TITLE_EVERY
}

/// The source of version `n`: a counter `zqb<n>zq` opens the body and ends the
/// sentence linking to Gua Sha (near the end of the file), and the title
/// carries `zqt<t>zq` for the last multiple of [`TITLE_EVERY`].
fn version(base: &str, n: u64) -> String {
    let end = base[3..].find("\n+++\n").expect("front matter") + 3 + 5;
    let (front, body) = base.split_at(end);
    let front = front.replacen(
        TITLE_LINE,
        &format!("title = \"Graston Technique zqt{}zq\"", title_of(n)),
        1,
    );
    let body = body.replacen(
        LINK_LINE,
        &format!("{} Load counter zqb{n}zq.", LINK_LINE.trim_end_matches('.')),
        1,
    );
    format!("{front}\nLoad counter zqb{n}zq opens this page.\n{body}")
}

/// Every counter `<tag><digits>zq` in `text`. (Found from each `z`, a rare
/// letter, with `str::find(char)`, which runs on the optimized `memchr` even
/// in a debug build, where a generic substring search is very slow.)
fn counters(text: &str, tag: &str) -> Result<Vec<u64>, String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find('z') {
        let at = from + i;
        from = at + 1;
        let rest = &text[at..];
        if !rest.starts_with(tag) {
            continue;
        }
        let rest = &rest[tag.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !rest[digits..].starts_with("zq") {
            return Err(format!("mangled counter at byte {at}"));
        }
        out.push(rest[..digits].parse().map_err(|e| format!("{e}"))?);
        from = at + tag.len() + digits + 2;
    }
    Ok(out)
}

/// The version a response shows, checked to be one whole version: `Some(b)`
/// for a body counter, `Some(t)` (title only) as a lower bound, else `None`.
fn version_of(
    path: &str,
    text: &str,
    whole: &[(&str, usize)],
) -> Result<Option<(u64, bool)>, String> {
    let b = counters(text, "zqb")?;
    let t = counters(text, "zqt")?;
    if b.windows(2).any(|w| w[0] != w[1]) {
        return Err(format!("torn page: body counters {b:?}"));
    }
    if t.windows(2).any(|w| w[0] != w[1]) {
        return Err(format!("torn page: title counters {t:?}"));
    }
    if let Some(&(_, n)) = whole.iter().find(|(p, _)| *p == path)
        && b.len() != n
    {
        return Err(format!(
            "partial page: body counter {} time(s), a whole source gives {n} ({b:?})",
            b.len()
        ));
    }
    match (b.first(), t.first()) {
        (Some(&b), Some(&t)) if t != title_of(b) => Err(format!(
            "torn page: title of version {t} with the body of version {b}"
        )),
        (Some(&b), _) => Ok(Some((b, true))),
        (None, Some(&t)) => Ok(Some((t, false))),
        (None, None) => Ok(None),
    }
}

// ---------------------------------------------------------------------------
// A strict HTTP/1.1 response reader.

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The server will close the connection after this response.
    close: bool,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Read one response; `head` for a HEAD request (no body follows). Requires
/// `Content-Length` (the server knows every length) and reads exactly that.
fn read_response(r: &mut impl BufRead, head: bool) -> Result<Resp, String> {
    let mut line = Vec::new();
    let n = r
        .read_until(b'\n', &mut line)
        .map_err(|e| format!("reading status line: {e}"))?;
    if n == 0 {
        return Err("connection closed before the response".into());
    }
    let status_line = String::from_utf8_lossy(&line).trim_end().to_string();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    if !version.starts_with("HTTP/1.") {
        return Err(format!("bad status line {status_line:?}"));
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        let n = r
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("reading headers: {e}"))?;
        if n == 0 {
            return Err("connection closed inside the headers".into());
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        if text.is_empty() {
            break;
        }
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| format!("bad header {text:?}"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut resp = Resp {
        status,
        headers,
        body: Vec::new(),
        close: version == "HTTP/1.0",
    };
    resp.close |= resp
        .header("Connection")
        .is_some_and(|v| v.eq_ignore_ascii_case("close"));
    if resp.header("Transfer-Encoding").is_some() {
        return Err(format!(
            "{status}: Transfer-Encoding {:?} instead of a Content-Length",
            resp.header("Transfer-Encoding")
        ));
    }
    let len: usize = match resp.header("Content-Length") {
        Some(v) => v.parse().map_err(|_| format!("bad Content-Length {v:?}"))?,
        None if status == 304 => 0,
        None => return Err(format!("{status} without Content-Length")),
    };
    if !head && status != 304 {
        resp.body = vec![0; len];
        r.read_exact(&mut resp.body)
            .map_err(|e| format!("truncated body: Content-Length {len}, reading it failed: {e}"))?;
    }
    Ok(resp)
}

// ---------------------------------------------------------------------------
// What is requested, and what must come back.

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// A whole HTML page with the live-reload script.
    Html,
    /// Exactly these bytes (index into `Assets`).
    Asset(usize),
    /// The search loader: made by the build, a manifest and then these
    /// bytes (index into `Assets`) whole.
    Loader(usize),
    /// A redirect to this location.
    Redirect(&'static str),
    /// Any short text (errors).
    Text,
}

#[derive(Clone, Copy, Debug)]
struct Req {
    method: &'static str,
    path: &'static str,
    status: u16,
    expect: Expect,
    /// Send `If-None-Match` with the last `ETag` seen for this path.
    conditional: bool,
    /// Send a foreign Host header.
    bad_host: bool,
    weight: u32,
}

const fn get(path: &'static str, status: u16, expect: Expect, weight: u32) -> Req {
    Req {
        method: "GET",
        path,
        status,
        expect,
        conditional: false,
        bad_host: false,
        weight,
    }
}

/// Static files served byte for byte: (URL path, file below the temporary root).
const ASSETS: &[(&str, &str)] = &[
    ("/fibre.css", "themes/fibre/static/fibre.css"),
    ("/fibre.js", "themes/fibre/static/fibre.js"),
    ("/theme-init.js", "themes/fibre/static/theme-init.js"),
    ("/search/search.js", "themes/fibre/static/search/search.js"),
    ("/favicon.svg", "themes/fibre/static/favicon.svg"),
    ("/load-test.png", "site/static/load-test.png"),
];

/// A file too large for the kernel to buffer whole on loopback (up to 4 MB
/// sent, a few MB received), asked for by clients that stop reading.
const LARGE: (&str, &str) = ("/load-test-large.bin", "site/static/load-test-large.bin");
const LARGE_LEN: usize = 24 << 20;
/// Clients that ask for it and read nothing for [`STALL`] (each holds only
/// its own connection's thread).
const STALLED_READERS: usize = 12;
const STALL: Duration = Duration::from_secs(5);
/// No request may wait longer than this (a request waiting behind a stalled
/// reader would wait up to the server's send timeout, 10 s).
const MAX_LATENCY: Duration = Duration::from_secs(3);

fn requests() -> Vec<Req> {
    use Expect::{Asset, Html, Loader, Redirect, Text};
    let mut r = vec![
        get("/techniques/graston-technique/", 200, Html, 14),
        get("/techniques/gua-sha/", 200, Html, 10),
        get("/", 200, Html, 5),
        get("/techniques/", 200, Html, 5),
        get("/conditions/low-back-pain/", 200, Html, 2),
        get("/comparisons/iastm-graston-astym/", 200, Html, 2),
        get("/glossary/", 200, Html, 2),
        get("/references/", 200, Html, 2),
        get("/tags/", 200, Html, 2),
        get("/about/", 200, Html, 2),
        get("/print/", 200, Html, 2),
        get("/no/such/page/", 404, Html, 4),
        get(
            "/techniques/gua-sha",
            301,
            Redirect("/techniques/gua-sha/"),
            3,
        ),
        get("/search/index.js", 200, Text, 2),
        get("/atom.xml", 200, Text, 2),
        get("/__fascia/live.js", 200, Text, 2),
        get("/fibre.css", 200, Asset(0), 6),
        get("/fibre.js", 200, Asset(1), 4),
        get("/theme-init.js", 200, Asset(2), 2),
        get("/search/search.js", 200, Loader(3), 2),
        get("/favicon.svg", 200, Asset(4), 2),
        get("/load-test.png", 200, Asset(5), 4),
    ];
    let head = |path, expect, weight| Req {
        method: "HEAD",
        ..get(path, 200, expect, weight)
    };
    r.push(head("/techniques/graston-technique/", Html, 3));
    r.push(head("/fibre.css", Asset(0), 2));
    r.push(head("/load-test.png", Asset(5), 2));
    let cond = |path, expect, weight| Req {
        conditional: true,
        ..get(path, 200, expect, weight)
    };
    r.push(cond("/fibre.css", Asset(0), 4));
    r.push(cond("/load-test.png", Asset(5), 2));
    r.push(cond("/techniques/graston-technique/", Html, 2));
    r.push(Req {
        bad_host: true,
        ..get("/", 403, Text, 1)
    });
    r.push(Req {
        method: "POST",
        ..get("/", 405, Text, 1)
    });
    r
}

/// What one client saw.
#[derive(Default)]
struct Seen {
    /// How often the body counter appears in a whole page, by URL path.
    whole: &'static [(&'static str, usize)],
    requests: u64,
    latencies_us: Vec<u32>,
    errors: Vec<String>,
    /// Build generation -> body counter, for every response showing one.
    versions: HashMap<u64, u64>,
    /// Highest version seen (body counter, or title counter as a bound).
    floor: u64,
    generation: u64,
    etags: HashMap<&'static str, String>,
    not_modified: u64,
    ended: Option<Instant>,
    reconnects: u64,
}

impl Seen {
    fn new(whole: &'static [(&'static str, usize)]) -> Self {
        Self {
            whole,
            ..Self::default()
        }
    }

    fn error(&mut self, what: String) {
        if self.errors.len() < 20 {
            self.errors.push(what);
        } else if self.errors.len() == 20 {
            self.errors.push("(more errors left out)".into());
        }
    }
}

struct Assets(Vec<Vec<u8>>);

/// Check one response to `req`; the error says what was wrong.
fn check(req: &Req, resp: &Resp, assets: &Assets, seen: &mut Seen) -> Result<(), String> {
    let expected_status = if req.conditional && resp.status == 304 {
        304
    } else {
        req.status
    };
    if resp.status != expected_status {
        return Err(format!("status {} (expected {})", resp.status, req.status));
    }
    if resp.status == 304 {
        if resp.header("ETag") != seen.etags.get(req.path).map(String::as_str) {
            return Err("304 with another ETag than the one sent".into());
        }
        seen.not_modified += 1;
        return Ok(());
    }
    if req.conditional
        && let Expect::Asset(_) = req.expect
        && seen.etags.contains_key(req.path)
    {
        return Err("unchanged file sent again despite If-None-Match".into());
    }
    if let Some(tag) = resp.header("ETag") {
        seen.etags.insert(req.path, tag.to_string());
    } else if resp.status == 200 && !matches!(req.expect, Expect::Text) {
        return Err("200 without an ETag".into());
    }
    let declared: usize = resp
        .header("Content-Length")
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    let head = req.method == "HEAD";
    match req.expect {
        Expect::Html => {
            let ctype = resp.header("Content-Type").unwrap_or("");
            if !ctype.starts_with("text/html") {
                return Err(format!("Content-Type {ctype:?}"));
            }
            if head {
                return if declared > 1000 {
                    Ok(())
                } else {
                    Err(format!("HEAD announces {declared} bytes"))
                };
            }
            check_html(req.path, &resp.body, seen)
        }
        Expect::Asset(i) => {
            let want = &assets.0[i];
            if declared != want.len() {
                return Err(format!(
                    "Content-Length {declared}, the file has {}",
                    want.len()
                ));
            }
            if !head && resp.body != *want {
                return Err("body differs from the file".into());
            }
            Ok(())
        }
        Expect::Loader(i) => {
            let tail = &assets.0[i];
            let whole = resp.body.starts_with(b"/* generated by `fascia build`")
                && resp.body.ends_with(tail);
            if head || whole {
                Ok(())
            } else {
                Err("the search loader is not whole".into())
            }
        }
        Expect::Redirect(to) => match resp.header("Location") {
            Some(l) if l == to => Ok(()),
            other => Err(format!("Location {other:?}")),
        },
        Expect::Text => {
            let text = std::str::from_utf8(&resp.body).map_err(|_| "not UTF-8".to_string())?;
            if req.path == "/search/index.js" && resp.status == 200 {
                if !text.trim_end().ends_with(");") {
                    return Err("search index does not end whole".into());
                }
                // The index holds the page text: one version only.
                version_of(req.path, text, seen.whole)?;
            }
            Ok(())
        }
    }
}

fn check_html(path: &str, body: &[u8], seen: &mut Seen) -> Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|_| "HTML is not UTF-8".to_string())?;
    if !text.trim_end().ends_with("</html>") {
        let tail: String = text
            .chars()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(format!("HTML does not end with </html>: …{tail:?}"));
    }
    // The script goes just before `</body>`: look in the tail only.
    let mut tail_at = text.len().saturating_sub(2048);
    while !text.is_char_boundary(tail_at) {
        tail_at -= 1;
    }
    let tail = &text[tail_at..];
    let script = "<script src=\"/__fascia/live.js?g=";
    let mut scripts = tail.match_indices(script);
    let Some((at, _)) = scripts.next() else {
        return Err("no live-reload script before </body>".into());
    };
    if scripts.next().is_some() {
        return Err("live-reload script twice".into());
    }
    let generation: u64 = tail[at + script.len()..]
        .split('"')
        .next()
        .and_then(|g| g.parse().ok())
        .ok_or("unreadable generation")?;
    if generation < seen.generation {
        return Err(format!(
            "build generation went back from {} to {generation}",
            seen.generation
        ));
    }
    seen.generation = generation;
    if let Some((n, is_body)) = version_of(path, text, seen.whole)? {
        let floor = if is_body {
            seen.floor
        } else {
            title_of(seen.floor)
        };
        if n < floor {
            return Err(format!("version went back from {} to {n}", seen.floor));
        }
        seen.floor = seen.floor.max(n);
        if is_body && let Some(&other) = seen.versions.get(&generation) {
            if other != n {
                return Err(format!(
                    "generation {generation} showed versions {other} and {n}"
                ));
            }
        } else if is_body {
            seen.versions.insert(generation, n);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The server.

/// The server process: killed when dropped, even when the test panics
/// while other threads still hold the [`Served`] handle.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Served {
    pid: u32,
    spawned: Instant,
    port: u16,
    log: Arc<Mutex<Vec<(Instant, String)>>>,
}

/// A copy of the encyclopedia (with its theme beside it, a 160 KB image
/// and version 0 of the edited page); the edited page's original source.
fn encyclopedia_copy() -> (tempfile::TempDir, String) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    harness::copy_dir(&repo.join("site"), &dir.path().join("site"));
    harness::copy_dir(&repo.join("themes"), &dir.path().join("themes"));
    let _ = std::fs::remove_dir_all(dir.path().join("site/public"));
    std::fs::create_dir_all(dir.path().join("site/static")).unwrap();
    let noise = |len: usize| {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut x: u32 = 0x9e37_79b9;
        while bytes.len() < len {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            bytes.push(x as u8);
        }
        bytes
    };
    std::fs::write(
        dir.path().join("site/static/load-test.png"),
        noise(160 * 1024),
    )
    .unwrap();
    std::fs::write(dir.path().join(LARGE.1), noise(LARGE_LEN)).unwrap();
    let edited = dir.path().join("site").join(EDITED);
    let base = std::fs::read_to_string(&edited).unwrap();
    assert!(base.contains(TITLE_LINE) && base.contains(LINK_LINE));
    std::fs::write(&edited, version(&base, 0)).unwrap();
    (dir, base)
}

impl Served {
    /// `fascia serve` on the site at `root`.
    fn start(root: &Path) -> (Self, Process) {
        Self::start_limited(root, None)
    }

    /// `fascia serve` on the site at `root`, allowed at most `files` open
    /// file descriptors when given.
    fn start_limited(root: &Path, files: Option<u32>) -> (Self, Process) {
        let spawned = Instant::now();
        let mut command = match files {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(harness::bin());
                c
            }
            None => Command::new(harness::bin()),
        };
        let child = command
            .args(["serve", "--root"])
            .arg(root)
            .args(["--port", &harness::free_port().to_string()])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut process = Process(child);
        let stderr = process.0.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                        let _ = tx.send(rest.split('/').next().unwrap_or("").to_string());
                    }
                    log.lock().unwrap().push((Instant::now(), line));
                }
            });
        }
        let port = rx
            .recv_timeout(Duration::from_secs(600))
            .expect("server starts")
            .parse()
            .unwrap();
        let served = Self {
            pid: process.0.id(),
            spawned,
            port,
            log,
        };
        (served, process)
    }

    fn connect(&self) -> std::io::Result<TcpStream> {
        let s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(REQUEST_TIMEOUT))?;
        s.set_write_timeout(Some(REQUEST_TIMEOUT))?;
        s.set_nodelay(true)?;
        Ok(s)
    }

    fn request_text(&self, req: &Req, seen: &Seen, close: bool) -> String {
        let host = if req.bad_host {
            "attacker.example".to_string()
        } else {
            format!("127.0.0.1:{}", self.port)
        };
        let mut text = format!("{} {} HTTP/1.1\r\nHost: {host}\r\n", req.method, req.path);
        if req.conditional
            && let Some(tag) = seen.etags.get(req.path)
        {
            let _ = write!(text, "If-None-Match: {tag}\r\n");
        }
        if req.method == "POST" {
            text.push_str("Content-Length: 0\r\n");
        }
        if close {
            text.push_str("Connection: close\r\n");
        }
        text.push_str("\r\n");
        text
    }

    /// A number from the server's `/proc/…/status` (`Threads`, `VmRSS`, `VmHWM`).
    fn status(&self, field: &str) -> Option<usize> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|n| n.split_whitespace().next()?.parse().ok())
    }

    fn threads(&self) -> Option<usize> {
        self.status("Threads")
    }

    /// The niceness of each of the server's threads, by thread name
    /// (`/proc/PID/task/TID/stat`: the name in parentheses, then the
    /// fields from the state on; niceness is the 19th field of the line).
    /// A thread just made carries its maker's name until it names itself
    /// (a connection thread shows as "fascia-accept" for its first
    /// instants), so a thread counts only once it shows the same name in
    /// two readings 200 ms apart.
    fn niceness_by_thread(&self) -> Vec<(String, i32)> {
        let first = self.thread_stats();
        std::thread::sleep(Duration::from_millis(200));
        self.thread_stats()
            .into_iter()
            .filter(|(tid, name, _)| first.iter().any(|(t, n, _)| t == tid && n == name))
            .map(|(_, name, nice)| (name, nice))
            .collect()
    }

    /// Each of the server's threads: its id, name and niceness.
    fn thread_stats(&self) -> Vec<(String, String, i32)> {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid)) else {
            return Vec::new();
        };
        tasks
            .flatten()
            .filter_map(|t| {
                let text = std::fs::read_to_string(t.path().join("stat")).ok()?;
                let (head, rest) = text.rsplit_once(')')?;
                let name = head.split_once('(')?.1.to_string();
                let nice = rest.split_whitespace().nth(16)?.parse().ok()?;
                Some((t.file_name().to_string_lossy().into_owned(), name, nice))
            })
            .collect()
    }

    /// CPU seconds the server used so far.
    fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(&format!("/proc/{}/stat", self.pid))
    }

    fn log_lines(&self, from: Instant, to: Instant, needle: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, l)| *t >= from && *t <= to && l.contains(needle))
            .count()
    }
}

/// User plus system CPU seconds of a process, from its `/proc/…/stat`.
fn cpu_seconds(stat: &str) -> Option<f64> {
    let text = std::fs::read_to_string(stat).ok()?;
    let fields: Vec<&str> = text.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

// ---------------------------------------------------------------------------
// Clients.

#[derive(Clone, Copy, Debug)]
enum Style {
    /// One connection, many requests.
    KeepAlive,
    /// A new connection per request, `Connection: close`.
    Fresh,
    /// Three requests written at once on one connection.
    Pipelined,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, reqs: &'a [Req], total: u32) -> &'a Req {
        let mut at = (self.next() % u64::from(total)) as u32;
        for r in reqs {
            if at < r.weight {
                return r;
            }
            at -= r.weight;
        }
        unreachable!()
    }
}

fn client(served: &Served, plan: &Plan, style: Style, seed_index: u64, stop: &AtomicBool) -> Seen {
    let (reqs, assets) = (&plan.reqs, &plan.assets);
    let total: u32 = reqs.iter().map(|r| r.weight).sum();
    let mut rng = Rng(seed_index.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut seen = Seen::new(plan.whole);
    let mut conn: Option<BufReader<TcpStream>> = None;
    while !stop.load(Ordering::SeqCst) {
        if plan.max_pause_ms > 0 {
            std::thread::sleep(Duration::from_millis(rng.next() % (plan.max_pause_ms + 1)));
        }
        let batch: Vec<&Req> = match style {
            Style::Pipelined => plan
                .pipeline
                .iter()
                .map(|p| {
                    reqs.iter()
                        .find(|r| r.path == *p && r.method == "GET")
                        .unwrap()
                })
                .collect(),
            _ => vec![rng.pick(reqs, total)],
        };
        let close = matches!(style, Style::Fresh);
        let reused = conn.is_some();
        let started = Instant::now();
        let stream = match conn.take() {
            Some(c) => c,
            None => match served.connect() {
                Ok(s) => BufReader::new(s),
                Err(e) => {
                    seen.error(format!("connect: {e}"));
                    continue;
                }
            },
        };
        let mut stream = stream;
        let text: String = batch
            .iter()
            .map(|r| served.request_text(r, &seen, close))
            .collect();
        if let Err(e) = stream.get_mut().write_all(text.as_bytes()) {
            seen.error(format!(
                "writing {:?} (reused {reused}): {e}",
                batch[0].path
            ));
            continue;
        }
        let mut keep = !close;
        for req in &batch {
            seen.requests += 1;
            match read_response(&mut stream, req.method == "HEAD") {
                Ok(resp) => {
                    if let Err(e) = check(req, &resp, assets, &mut seen) {
                        seen.error(format!("{} {}: {e}", req.method, req.path));
                    }
                    if resp.close {
                        keep = false;
                        if batch.len() > 1 && !std::ptr::eq(*req, *batch.last().unwrap()) {
                            seen.error(format!("{}: closed inside a pipeline", req.path));
                            break;
                        }
                    }
                }
                Err(e) => {
                    seen.error(format!(
                        "{} {} ({style:?}, reused {reused}): {e}",
                        req.method, req.path
                    ));
                    keep = false;
                    break;
                }
            }
        }
        let us = started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        seen.latencies_us
            .extend(std::iter::repeat_n(us, batch.len()));
        if keep {
            conn = Some(stream);
        } else {
            // The server said it closes: nothing more may follow the body.
            let mut rest = Vec::new();
            match stream.read_to_end(&mut rest) {
                Ok(_) if rest.is_empty() => {}
                Ok(_) => seen.error(format!("{} bytes after the last response", rest.len())),
                Err(e) => seen.error(format!("closing: {e}")),
            }
            if !close {
                seen.reconnects += 1;
            }
        }
    }
    seen.ended = Some(Instant::now());
    seen
}

/// A live-reload stream: the generations it was told, in order.
struct Stream {
    socket: TcpStream,
    reader: std::thread::JoinHandle<Result<Vec<u64>, String>>,
}

/// Open the event stream; `Err(status)` when the server refuses it.
fn open_stream(served: &Served) -> Result<Stream, u16> {
    let socket = served.connect().expect("connect");
    let mut w = socket.try_clone().unwrap();
    write!(
        w,
        "GET /__fascia/events HTTP/1.1\r\nHost: localhost:{}\r\nOrigin: http://localhost:{}\r\n\r\n",
        served.port, served.port
    )
    .unwrap();
    let mut r = BufReader::new(socket.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if status != 200 {
        // A refusal is a whole response with its length declared.
        let resp = read_response(&mut line.as_bytes().chain(&mut r), false)
            .unwrap_or_else(|e| panic!("refusal {status} not whole: {e}"));
        assert!(!resp.body.is_empty(), "refusal {status} without a message");
        return Err(status);
    }
    let reader = std::thread::spawn(move || {
        let mut gens = Vec::new();
        for line in r.lines() {
            let Ok(line) = line else { break };
            if let Some(data) = line.strip_prefix("data: ") {
                let v: serde_json::Value =
                    serde_json::from_str(data).map_err(|e| format!("bad event {data}: {e}"))?;
                let g = v["generation"].as_u64().ok_or("event without generation")?;
                if gens.last().is_some_and(|&last| g < last) {
                    return Err(format!("event generations went back: {gens:?} then {g}"));
                }
                gens.push(g);
            }
        }
        Ok(gens)
    });
    Ok(Stream { socket, reader })
}

/// A connection that never sends anything: how long until the server closes
/// it (`None`: not within `limit`).
fn idle_connection(served: &Served, limit: Duration) -> Option<Duration> {
    let mut s = served.connect().expect("connect");
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 512];
    while started.elapsed() < limit {
        match s.read(&mut buf) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            // A close or a reset.
            _ => return Some(started.elapsed()),
        }
    }
    None
}

/// A request whose head arrives one header line every 500 ms for `dribble`
/// (within the server's deadline for a whole head), then ends: the answer.
fn slow_request(served: &Served, req: &Req, dribble: Duration) -> Result<Resp, String> {
    let mut s = served.connect().map_err(|e| format!("connect: {e}"))?;
    let text = served.request_text(req, &Seen::default(), true);
    let (head, end) = text.split_at(text.len() - 2);
    let started = Instant::now();
    s.write_all(head.as_bytes())
        .map_err(|e| format!("writing: {e}"))?;
    while started.elapsed() < dribble {
        std::thread::sleep(Duration::from_millis(500));
        s.write_all(b"X-Slow: 1\r\n")
            .map_err(|e| format!("dribbling after {:?}: {e}", started.elapsed()))?;
    }
    s.write_all(end.as_bytes())
        .map_err(|e| format!("ending: {e}"))?;
    read_response(&mut BufReader::new(s), false)
}

/// Ask for the large file with a small receive buffer, read nothing for
/// `stall`, then read the answer: it must be whole.
fn stalled_reader(served: &Served, want: &[u8], stall: Duration) -> Result<(), String> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).map_err(|e| e.to_string())?;
    socket
        .set_recv_buffer_size(4096)
        .map_err(|e| e.to_string())?;
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], served.port).into();
    socket
        .connect(&addr.into())
        .map_err(|e| format!("connect: {e}"))?;
    let mut s: TcpStream = socket.into();
    s.set_read_timeout(Some(REQUEST_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let req = get(LARGE.0, 200, Expect::Text, 1);
    s.write_all(served.request_text(&req, &Seen::default(), true).as_bytes())
        .map_err(|e| format!("writing: {e}"))?;
    std::thread::sleep(stall);
    let resp = read_response(&mut BufReader::new(s), false)?;
    if resp.status != 200 || resp.body != want {
        return Err(format!(
            "status {}, {} of {} bytes, {}",
            resp.status,
            resp.body.len(),
            want.len(),
            if resp.body == want {
                "same"
            } else {
                "differing"
            }
        ));
    }
    Ok(())
}

/// The `per_mille`th latency of `sorted`, in ms.
fn percentile(sorted: &[u32], per_mille: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = (sorted.len() - 1) * per_mille / 1000;
    f64::from(sorted[i]) / 1000.0
}

/// What a load run asks for and edits.
struct Plan {
    reqs: Vec<Req>,
    assets: Assets,
    whole: &'static [(&'static str, usize)],
    /// The three paths a pipelined client asks for at once.
    pipeline: [&'static str; 3],
    /// The Markdown file rewritten every [`EDIT_EVERY`], and its versions.
    edited: PathBuf,
    version: Box<dyn Fn(u64) -> String + Send + Sync>,
    clients: usize,
    max_pause_ms: u64,
}

/// A load under way.
struct Load {
    started: Instant,
    stop: Arc<AtomicBool>,
    clients: Vec<std::thread::JoinHandle<Seen>>,
    editor: std::thread::JoinHandle<()>,
    last_written: Arc<AtomicU64>,
    cpu_before: (Option<f64>, Option<f64>),
}

/// What a load run showed.
struct Outcome {
    seen: Vec<Seen>,
    started: Instant,
    ended: Instant,
    /// The last version written.
    last: u64,
    /// CPU seconds of the server and of the clients during the load.
    cpu: (Option<f64>, Option<f64>),
}

/// Start the clients and the editor.
fn start_load(served: &Arc<Served>, plan: &Arc<Plan>) -> Load {
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let cpu_before = (served.cpu_seconds(), cpu_seconds("/proc/self/stat"));
    let last_written = Arc::new(AtomicU64::new(0));
    let editor = {
        let (last, plan, stop) = (
            Arc::clone(&last_written),
            Arc::clone(plan),
            Arc::clone(&stop),
        );
        std::thread::spawn(move || {
            let edited = &plan.edited;
            let tmp = edited.with_file_name(format!(
                ".{}.tmp",
                edited.file_name().unwrap().to_string_lossy()
            ));
            let mut n = 1;
            while !stop.load(Ordering::SeqCst) {
                let tick = Instant::now();
                let text = (plan.version)(n);
                if n % 2 == 0 {
                    // In place, slowly: truncate, half, a pause, the rest.
                    let mut file = std::fs::File::create(edited).unwrap();
                    let (first, rest) = text.as_bytes().split_at(text.len() / 2);
                    file.write_all(first).unwrap();
                    file.flush().unwrap();
                    std::thread::sleep(Duration::from_millis(20));
                    file.write_all(rest).unwrap();
                } else {
                    std::fs::write(&tmp, &text).unwrap();
                    std::fs::rename(&tmp, edited).unwrap();
                }
                last.store(n, Ordering::SeqCst);
                n += 1;
                std::thread::sleep(EDIT_EVERY.saturating_sub(tick.elapsed()));
            }
        })
    };
    let clients = (0..plan.clients)
        .map(|i| {
            let (served, plan, stop) = (Arc::clone(served), Arc::clone(plan), Arc::clone(&stop));
            let style = match i % 10 {
                0..=5 => Style::KeepAlive,
                6..=8 => Style::Fresh,
                _ => Style::Pipelined,
            };
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    like_a_connection_thread();
                    client(&served, &plan, style, i as u64 + 1, &stop)
                })
                .unwrap()
        })
        .collect();
    Load {
        started,
        stop,
        clients,
        editor,
        last_written,
        cpu_before,
    }
}

/// Run this client thread at the niceness of the server's connection
/// threads. The clients stand for browsers, which a desktop schedules in
/// sessions of their own, apart from the server; here they share its
/// session, and at full priority 200 of them would take the CPU from the
/// server's threads ten to one, and from its rebuilds.
fn like_a_connection_thread() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let now = getpriority_process(None).unwrap();
        setpriority_process(None, (now + fascia::serve::REQUEST_NICENESS).min(19)).unwrap();
    }
}

/// Let the load run `at_least`, and on (up to `at_most`) until the server
/// has published `rebuilds` rebuilds under it; then stop it.
fn finish_load(
    load: Load,
    served: &Served,
    at_least: Duration,
    at_most: Duration,
    rebuilds: usize,
) -> Outcome {
    let started = load.started;
    std::thread::sleep((started + at_least).saturating_duration_since(Instant::now()));
    while served.log_lines(started, Instant::now(), "Rebuilt (") < rebuilds
        && started.elapsed() < at_most
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    load.stop.store(true, Ordering::SeqCst);
    let seen: Vec<Seen> = load
        .clients
        .into_iter()
        .map(|c| c.join().unwrap())
        .collect();
    let ended = seen.iter().filter_map(|s| s.ended).max().unwrap();
    let used = |before: Option<f64>, now: Option<f64>| now.zip(before).map(|(a, b)| a - b);
    let cpu = (
        used(load.cpu_before.0, served.cpu_seconds()),
        used(load.cpu_before.1, cpu_seconds("/proc/self/stat")),
    );
    load.editor.join().unwrap();
    Outcome {
        seen,
        started,
        ended,
        last: load.last_written.load(Ordering::SeqCst),
        cpu,
    }
}

impl Outcome {
    fn requests(&self) -> u64 {
        self.seen.iter().map(|s| s.requests).sum()
    }

    fn secs(&self) -> f64 {
        self.ended.duration_since(self.started).as_secs_f64()
    }

    fn latencies(&self) -> Vec<u32> {
        let mut all: Vec<u32> = self
            .seen
            .iter()
            .flat_map(|s| s.latencies_us.iter().copied())
            .collect();
        all.sort_unstable();
        all
    }

    fn errors(&self) -> Vec<&String> {
        self.seen.iter().flat_map(|s| &s.errors).collect()
    }

    fn rebuilds(&self, served: &Served) -> usize {
        served.log_lines(self.started, self.ended, "Rebuilt (")
    }

    /// Generations that showed two versions of the edited page, across
    /// clients; and how many generations showed one.
    fn generations(&self) -> (usize, Vec<(u64, u64, u64)>) {
        let mut by_generation: HashMap<u64, u64> = HashMap::new();
        let mut conflicts = Vec::new();
        for s in &self.seen {
            for (&g, &v) in &s.versions {
                if let Some(&w) = by_generation.get(&g)
                    && w != v
                {
                    conflicts.push((g, w, v));
                }
                by_generation.insert(g, v);
            }
        }
        (by_generation.len(), conflicts)
    }

    /// One line of numbers, then the server's rebuilds and the errors by kind.
    fn report(&self, served: &Served, clients: usize) -> String {
        let lat = self.latencies();
        let requests = self.requests();
        let secs = self.secs();
        let mut out = format!(
            "load: {clients} clients, {requests} requests in {secs:.1} s = {:.0} req/s; \
             latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; errors {}; \
             {} edits, {} rebuilds, {} not-modified, {} reconnects; \
             CPU s: server {:.1?}, clients {:.1?}\n",
            requests as f64 / secs,
            percentile(&lat, 500),
            percentile(&lat, 990),
            percentile(&lat, 1000),
            self.errors().len(),
            self.last,
            self.rebuilds(served),
            self.seen.iter().map(|s| s.not_modified).sum::<u64>(),
            self.seen.iter().map(|s| s.reconnects).sum::<u64>(),
            self.cpu.0,
            self.cpu.1,
        );
        for (t, line) in served.log.lock().unwrap().iter() {
            if line.starts_with("Rebuil") || line.contains("panicked") || line.contains("error") {
                let at = t.saturating_duration_since(self.started).as_secs_f64();
                let _ = writeln!(out, "  server at {at:>6.2} s: {line}");
            }
        }
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for e in self.errors() {
            let kind: String = e
                .chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((kind, 1)),
            }
        }
        for (kind, n) in kinds.iter().take(40) {
            let _ = writeln!(out, "  {n} x error: {kind}");
        }
        out
    }
}

#[test]
fn serves_whole_pages_under_load_while_rebuilding() {
    let (dir, base) = encyclopedia_copy();
    let (served, _process) = Served::start(&dir.path().join("site"));
    let served = Arc::new(served);
    let plan = Arc::new(Plan {
        reqs: requests(),
        assets: Assets(
            ASSETS
                .iter()
                .map(|(_, f)| std::fs::read(dir.path().join(f)).unwrap())
                .collect(),
        ),
        whole: WHOLE_COUNTS,
        pipeline: [
            "/techniques/graston-technique/",
            "/fibre.css",
            "/load-test.png",
        ],
        edited: dir.path().join("site").join(EDITED),
        version: Box::new(move |n| version(&base, n)),
        clients: CLIENTS,
        max_pause_ms: MAX_PAUSE_MS,
    });

    // Live-reload streams at their bound.
    let mut streams: Vec<Stream> = (0..RELOAD_BOUND)
        .map(|_| open_stream(&served).expect("stream within the bound"))
        .collect();
    let load = start_load(&served, &plan);
    // Clients that stop reading a large answer, as the load starts.
    let large = Arc::new(std::fs::read(dir.path().join(LARGE.1)).unwrap());
    let stalled: Vec<_> = (0..STALLED_READERS)
        .map(|_| {
            let (served, large) = (Arc::clone(&served), Arc::clone(&large));
            std::thread::spawn(move || stalled_reader(&served, &large, STALL))
        })
        .collect();
    // Connections that send nothing, and requests sent a line at a time,
    // opened as the load starts.
    let idlers: Vec<_> = (0..8)
        .map(|_| {
            let served = Arc::clone(&served);
            std::thread::spawn(move || idle_connection(&served, LOAD_MAX + Duration::from_secs(2)))
        })
        .collect();
    let home = *plan.reqs.iter().find(|r| r.path == "/").unwrap();
    let dribblers: Vec<_> = (0..8)
        .map(|_| {
            let (served, plan) = (Arc::clone(&served), Arc::clone(&plan));
            std::thread::spawn(move || {
                let resp = slow_request(&served, &home, Duration::from_secs(6))?;
                check(&home, &resp, &plan.assets, &mut Seen::new(WHOLE_COUNTS))
            })
        })
        .collect();

    // Under load: beyond the bound, streams are refused promptly and cleanly.
    std::thread::sleep(Duration::from_secs(2));
    let mut refusals = Vec::new();
    for _ in 0..4 {
        let t = Instant::now();
        match open_stream(&served) {
            Err(status) => refusals.push((status, t.elapsed())),
            Ok(_) => panic!("a stream beyond the bound of {RELOAD_BOUND} was accepted"),
        }
    }
    let mid_threads = served.threads();
    let niceness = served.niceness_by_thread();
    // A freed slot is reusable: close two streams, open one.
    std::thread::sleep(Duration::from_secs(2));
    for s in streams.drain(..2) {
        let _ = s.socket.shutdown(Shutdown::Both);
        let _ = s.reader.join();
    }
    let t = Instant::now();
    let reopened = loop {
        match open_stream(&served) {
            Ok(s) => break Some((s, t.elapsed())),
            Err(_) if t.elapsed() < Duration::from_secs(4) => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(_) => break None,
        }
    };

    let outcome = finish_load(load, &served, LOAD, LOAD_MAX, MIN_REBUILDS);
    let last = outcome.last;

    // Afterwards: prompt, and the last edit is served.
    let graston = plan.reqs[0];
    let t = Instant::now();
    let mut after = Seen::new(WHOLE_COUNTS);
    let final_ok = loop {
        let mut s = BufReader::new(served.connect().unwrap());
        s.get_mut()
            .write_all(served.request_text(&graston, &after, true).as_bytes())
            .unwrap();
        let resp = read_response(&mut s, false);
        if after.requests == 0 {
            after.latencies_us.push(t.elapsed().as_micros() as u32);
        }
        after.requests += 1;
        if let Err(e) = resp.and_then(|r| check(&graston, &r, &plan.assets, &mut after)) {
            after.error(format!("after the load: {e}"));
            break false;
        }
        if after.floor == last {
            break true;
        }
        if t.elapsed() > Duration::from_secs(15) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let first_after_ms = f64::from(after.latencies_us[0]) / 1000.0;

    for s in &streams {
        let _ = s.socket.shutdown(Shutdown::Both);
    }
    let stream_results: Vec<_> = streams
        .into_iter()
        .map(|s| s.reader.join().unwrap())
        .collect();
    let idle_closed: Vec<Option<Duration>> =
        idlers.into_iter().map(|s| s.join().unwrap()).collect();
    let slow_answers: Vec<Result<(), String>> =
        dribblers.into_iter().map(|s| s.join().unwrap()).collect();
    let stalled_answers: Vec<Result<(), String>> =
        stalled.into_iter().map(|s| s.join().unwrap()).collect();
    let rest_threads = served.threads();

    eprint!("{}", outcome.report(&served, CLIENTS));
    eprintln!(
        "threads under load {mid_threads:?}, after {rest_threads:?}; first answer after the load {first_after_ms:.1} ms"
    );
    eprintln!(
        "stream refusals {refusals:?}; slot reused after {:?}",
        reopened.as_ref().map(|r| r.1)
    );
    eprintln!("idle connections closed after {idle_closed:?}");
    eprintln!("slow requests: {slow_answers:?}");
    eprintln!("stalled readers: {stalled_answers:?}");
    for e in &after.errors {
        eprintln!("  {e}");
    }

    let errors = outcome.errors();
    let (versions, conflicts) = outcome.generations();
    let requests = outcome.requests();
    let rebuilds = outcome.rebuilds(&served);
    let failed = served.log_lines(outcome.started, Instant::now(), "Rebuild failed");
    let panics = served.log_lines(served.spawned, Instant::now(), "panicked");
    assert!(errors.is_empty(), "{} error(s) under load", errors.len());
    assert!(after.errors.is_empty(), "errors after the load");
    assert!(
        conflicts.is_empty(),
        "generations with two versions: {conflicts:?}"
    );
    assert!(requests > 2_000, "only {requests} requests");
    // Rebuilds come first: connection threads run at a lower priority than
    // the thread that rebuilds and the one that accepts.
    #[cfg(target_os = "linux")]
    {
        let of = |name: &str| -> Vec<i32> {
            niceness
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| *v)
                .collect()
        };
        // "fascia": the main thread, which rebuilds, and its workers.
        let (main, accept, connections) =
            (of("fascia"), of("fascia-accept"), of("fascia-connecti"));
        assert!(
            !main.is_empty() && main.iter().all(|&n| n == main[0]),
            "{niceness:?}"
        );
        assert_eq!(accept, [main[0]], "the accept thread keeps the priority");
        assert!(connections.len() > 50, "connection threads: {niceness:?}");
        let lower = (main[0] + fascia::serve::REQUEST_NICENESS).min(19);
        // A thread lowers its own priority when it first runs: one just
        // started may not have yet.
        let lowered = connections.iter().filter(|&&n| n == lower).count();
        assert!(
            connections.iter().all(|&n| n == lower || n == main[0])
                && lowered * 10 >= connections.len() * 9,
            "connection threads not at niceness {lower}: {connections:?}"
        );
    }
    assert!(last >= 20, "only {last} edits");
    assert!(
        rebuilds >= MIN_REBUILDS,
        "only {rebuilds} rebuilds under load"
    );
    assert!(
        versions > MIN_REBUILDS,
        "clients saw only {versions} versions of the edited page"
    );
    assert_eq!(
        failed, 0,
        "a rebuild failed (a half-written file was read?)"
    );
    assert_eq!(panics, 0, "the server panicked");
    assert!(final_ok, "the last edit ({last}) was never served");
    assert!(
        first_after_ms < 2_000.0,
        "first answer after the load took {first_after_ms} ms"
    );
    for (status, took) in &refusals {
        assert_eq!(*status, 503);
        assert!(*took < Duration::from_secs(2), "refusal took {took:?}");
    }
    let (stream, _) = reopened.expect("a freed live-reload slot could not be reused");
    let _ = stream.socket.shutdown(Shutdown::Both);
    for r in stream_results {
        let gens = r.expect("a live-reload stream broke");
        assert!(
            gens.len() >= 3 && gens.last() > gens.first(),
            "a live-reload stream was told of too few rebuilds: {gens:?}"
        );
    }
    // Silent connections are closed once they have been silent for the
    // read timeout the listening socket hands them.
    let idle_limit = fascia::serve::listener::READ_TIMEOUT + Duration::from_secs(5);
    for (i, closed) in idle_closed.iter().enumerate() {
        assert!(
            closed.is_some_and(|t| t < idle_limit),
            "idle connection {i} was not closed by the server within {idle_limit:?}: {closed:?}"
        );
    }
    for (i, answer) in slow_answers.iter().enumerate() {
        assert!(answer.is_ok(), "slow request {i}: {answer:?}");
    }
    for (i, answer) in stalled_answers.iter().enumerate() {
        assert!(answer.is_ok(), "stalled reader {i}: {answer:?}");
    }
    let slowest = percentile(&outcome.latencies(), 1000);
    assert!(
        slowest < MAX_LATENCY.as_secs_f64() * 1000.0,
        "a request waited {slowest:.0} ms (behind a stalled reader?)"
    );
    if let (Some(mid), Some(rest)) = (mid_threads, rest_threads) {
        assert!(mid < CLIENTS + 150, "{mid} server threads under load");
        assert!(rest < mid, "threads not released after the load: {rest}");
    }
}

/// A flood of idle connections beyond the server's file descriptors (300
/// under a limit of 128; each connection takes one). The server bounds its
/// connections below the limit, and idle ones give way to newcomers, so it
/// answers during the flood, promptly, with its threads bounded, and never
/// runs out of descriptors. (With `tiny_http`'s accept thread it died, and
/// nothing was answered until 15 to 25 s after the flood ended.)
#[test]
fn keeps_answering_a_flood_of_connections_beyond_its_file_descriptors() {
    let (dir, _) = encyclopedia_copy();
    let (served, _process) = Served::start_limited(&dir.path().join("site"), Some(128));
    let home = get("/", 200, Expect::Html, 1);
    let ask = || -> Result<Duration, String> {
        let t = Instant::now();
        let s = TcpStream::connect(("127.0.0.1", served.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(3)))
            .map_err(|e| e.to_string())?;
        let mut s = BufReader::new(s);
        s.get_mut()
            .write_all(
                served
                    .request_text(&home, &Seen::default(), true)
                    .as_bytes(),
            )
            .map_err(|e| e.to_string())?;
        let resp = read_response(&mut s, false)?;
        check(
            &home,
            &resp,
            &Assets(Vec::new()),
            &mut Seen::new(WHOLE_COUNTS),
        )?;
        Ok(t.elapsed())
    };
    assert!(ask().is_ok(), "before the flood");
    let flood_started = Instant::now();
    let idle: Vec<TcpStream> = (0..300)
        .map_while(|_| TcpStream::connect(("127.0.0.1", served.port)).ok())
        .collect();
    let mut during = Vec::new();
    while flood_started.elapsed() < Duration::from_secs(3) {
        during.push(ask());
        std::thread::sleep(Duration::from_millis(200));
    }
    let threads = served.threads();
    let opened = idle.len();
    drop(idle);
    let warnings = served.log_lines(served.spawned, Instant::now(), "warning: cannot accept");
    eprintln!(
        "flood of {opened}: answers during it {during:?}; {threads:?} server threads; {warnings} warning(s)"
    );
    assert_eq!(opened, 300, "the flood could not connect");
    for answer in &during {
        let took = answer.as_ref().expect("answered during the flood");
        assert!(*took < Duration::from_secs(1), "answered after {took:?}");
    }
    assert!(
        threads.is_some_and(|t| t < 128),
        "{threads:?} server threads"
    );
    assert_eq!(warnings, 0, "the server ran out of file descriptors");
    assert!(ask().is_ok(), "after the flood");
}

/// The same load on any site, as a benchmark (`scripts/bench_serve.py
/// --load` runs it in release mode): `FASCIA_LOAD_SITE` is the site (one of
/// its pages is edited in place; use a copy), `FASCIA_LOAD_SECS` (10),
/// `FASCIA_LOAD_CLIENTS` (200) and `FASCIA_LOAD_PAUSE_MS` (0: no pause
/// between a client's requests). Requests: the home page, up to 300 pages
/// from the sitemap, the 404, a redirect, and the edited page (GET, HEAD,
/// conditional). Prints `BENCH {json}` and fails on any error.
#[test]
#[ignore = "a benchmark: run by scripts/bench_serve.py --load"]
fn load_benchmark() {
    let env = |name: &str, default: u64| -> u64 {
        std::env::var(name).map_or(default, |v| v.parse().expect(name))
    };
    let root = PathBuf::from(std::env::var("FASCIA_LOAD_SITE").expect("FASCIA_LOAD_SITE"));
    let secs = Duration::from_secs(env("FASCIA_LOAD_SECS", 10));
    let clients = usize::try_from(env("FASCIA_LOAD_CLIENTS", 200)).unwrap();
    // The edited page: the first page (not a section) in file order.
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .collect();
    pages.truncate(1);
    let edited = pages.pop().expect("a page to edit");
    let rel = edited.strip_prefix(root.join("content")).unwrap();
    let url: &'static str = format!(
        "/{}/",
        rel.with_extension("").to_string_lossy().replace('\\', "/")
    )
    .leak();
    let base = std::fs::read_to_string(&edited).unwrap();
    let front_end = base[3..].find("\n+++\n").expect("TOML front matter") + 3 + 5;
    let version = move |n: u64| {
        let (front, body) = base.split_at(front_end);
        format!(
            "{front}\nLoad counter zqb{n}zq opens this page.\n{body}\n\nLoad counter zqb{n}zq ends it.\n"
        )
    };
    std::fs::write(&edited, version(0)).unwrap();

    let started_at = Instant::now();
    let (served, _process) = Served::start(&root);
    let build_secs = started_at.elapsed().as_secs_f64();
    let served = Arc::new(served);
    let rss_idle = served.status("VmRSS");
    // Pages from the sitemap.
    let mut s = BufReader::new(served.connect().unwrap());
    let sitemap = get("/sitemap.xml", 200, Expect::Text, 1);
    s.get_mut()
        .write_all(
            served
                .request_text(&sitemap, &Seen::default(), true)
                .as_bytes(),
        )
        .unwrap();
    let sitemap = String::from_utf8(read_response(&mut s, false).unwrap().body).unwrap();
    let prefix = format!("http://127.0.0.1:{}", served.port);
    let mut locs: Vec<&'static str> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|l| l.split("</loc>").next()?.strip_prefix(&prefix))
        .filter(|p| p.ends_with('/') && *p != url)
        .map(|p| &*p.to_string().leak())
        .collect();
    let step = (locs.len() / 300).max(1);
    locs = locs.into_iter().step_by(step).take(300).collect();
    let mut reqs = vec![
        get(url, 200, Expect::Html, 40),
        get("/", 200, Expect::Html, 10),
        // The site's 404 page when it has one, else a text answer.
        get("/no/such/page/", 404, Expect::Text, 10),
        get(
            url.trim_end_matches('/').to_string().leak(),
            301,
            Expect::Redirect(url),
            5,
        ),
        Req {
            method: "HEAD",
            ..get(url, 200, Expect::Html, 10)
        },
        Req {
            conditional: true,
            ..get(url, 200, Expect::Html, 10)
        },
    ];
    reqs.extend(locs.iter().map(|p| get(p, 200, Expect::Html, 1)));
    let whole: &'static [(&'static str, usize)] = vec![(url, 2)].leak();
    let plan = Arc::new(Plan {
        pipeline: [url, "/", locs.first().copied().unwrap_or("/")],
        reqs,
        assets: Assets(Vec::new()),
        whole,
        edited,
        version: Box::new(version),
        clients,
        max_pause_ms: env("FASCIA_LOAD_PAUSE_MS", 0),
    });
    let load = start_load(&served, &plan);
    let outcome = finish_load(load, &served, secs, secs, 0);
    let rss_loaded = served.status("VmRSS");
    let rss_peak = served.status("VmHWM");
    eprint!("{}", outcome.report(&served, clients));
    let lat = outcome.latencies();
    let (versions, conflicts) = outcome.generations();
    println!(
        "BENCH {}",
        serde_json::json!({
            "clients": clients,
            "requests": outcome.requests(),
            "secs": outcome.secs(),
            "rps": outcome.requests() as f64 / outcome.secs(),
            "p50_ms": percentile(&lat, 500),
            "p99_ms": percentile(&lat, 990),
            "max_ms": percentile(&lat, 1000),
            "errors": outcome.errors().len(),
            "edits": outcome.last,
            "rebuilds": outcome.rebuilds(&served),
            "versions_seen": versions,
            "server_cpu_s": outcome.cpu.0,
            "initial_build_s": build_secs,
            "rss_idle_mb": rss_idle.map(|k| k / 1024),
            "rss_loaded_mb": rss_loaded.map(|k| k / 1024),
            "rss_peak_mb": rss_peak.map(|k| k / 1024),
        })
    );
    assert!(outcome.errors().is_empty(), "errors under load");
    assert!(
        conflicts.is_empty(),
        "generations with two versions: {conflicts:?}"
    );
}

/// The checks above can fail: a truncated body, a page cut short, a torn
/// version and a lost counter are each caught.
#[test]
fn checks_catch_partial_pages() {
    let page = |b: u64, t: u64, twice: bool| {
        let second = if twice {
            format!("<p>zqb{b}zq</p>")
        } else {
            String::new()
        };
        format!(
            "<!doctype html><html><head><title>Graston Technique zqt{t}zq</title></head><body>\
             <p>zqb{b}zq</p>{second}<script src=\"/__fascia/live.js?g=7\" defer></script></body>\n</html>\n"
        )
    };
    let path = "/techniques/graston-technique/";
    let ok = page(11, 0, true);
    assert!(check_html(path, ok.as_bytes(), &mut Seen::new(WHOLE_COUNTS)).is_ok());
    // The wire: a body shorter than Content-Length.
    let wire = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{}",
        ok.len(),
        &ok[..ok.len() - 9]
    );
    let err = read_response(&mut wire.as_bytes(), false).unwrap_err();
    assert!(err.contains("truncated body"), "{err}");
    // Chunked bodies are refused: lengths must be declared.
    let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert!(read_response(&mut chunked.as_bytes(), false).is_err());
    // A page cut short (whatever Content-Length said).
    let err = check_html(
        path,
        &ok.as_bytes()[..ok.len() - 12],
        &mut Seen::new(WHOLE_COUNTS),
    )
    .unwrap_err();
    assert!(err.contains("</html>"), "{err}");
    // Two versions in one page.
    let torn = ok.replacen("zqb11zq", "zqb12zq", 1);
    assert!(
        check_html(path, torn.as_bytes(), &mut Seen::new(WHOLE_COUNTS))
            .unwrap_err()
            .contains("torn")
    );
    let torn = page(31, 0, true);
    assert!(
        check_html(path, torn.as_bytes(), &mut Seen::new(WHOLE_COUNTS))
            .unwrap_err()
            .contains("torn")
    );
    // A page built from a half-written source loses its second counter.
    let half = page(11, 0, false);
    assert!(
        check_html(path, half.as_bytes(), &mut Seen::new(WHOLE_COUNTS))
            .unwrap_err()
            .contains("partial")
    );
    // Going back.
    let mut seen = Seen::new(WHOLE_COUNTS);
    check_html(path, page(12, 0, true).as_bytes(), &mut seen).unwrap();
    assert!(
        check_html(path, ok.as_bytes(), &mut seen)
            .unwrap_err()
            .contains("went back")
    );
}
