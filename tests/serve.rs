//! `fascia serve` end to end: the real binary on a free loopback port over a
//! temporary copy of a fixture site.

mod harness;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use harness::Site;

struct Server {
    child: Child,
    port: u16,
    _site: Site,
    root: std::path::PathBuf,
    /// The lines the server printed after those [`Server::start_site`]
    /// returned.
    stderr: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(fixture: &str) -> Self {
        Self::start_site(Site::fixture(fixture), harness::free_port()).0
    }

    /// Serve `site` on `port`; the server and the lines it printed up to
    /// the "Serving ... at http://127.0.0.1:PORT/" line.
    fn start_site(site: Site, port: u16) -> (Self, Vec<String>) {
        let root = site.root();
        let mut child = Command::new(harness::bin())
            .args([
                "serve",
                "--root",
                root.to_str().unwrap(),
                "--port",
                &port.to_string(),
            ])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut printed = Vec::new();
        let port = loop {
            let line = rx
                .recv_timeout(deadline - Instant::now())
                .unwrap_or_else(|_| panic!("server starts; it printed:\n{}", printed.join("\n")));
            printed.push(line.clone());
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                break rest
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .split('/')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
            }
        };
        let server = Self {
            child,
            port,
            _site: site,
            root,
            stderr: rx,
        };
        (server, printed)
    }

    /// Send raw request bytes; return (status, headers+body text).
    fn raw(&self, request: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (status, text)
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        ))
    }

    /// Open the reload stream; messages arrive on the receiver.
    fn events(&self) -> Receiver<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET /__fascia/events HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            self.port
        )
        .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                if let Some(data) = line.strip_prefix("data: ") {
                    let _ = tx.send(data.to_string());
                }
            }
        });
        let first = rx
            .recv_timeout(Duration::from_secs(5))
            .expect("initial event");
        assert!(first.contains("\"initial\":true"), "{first}");
        rx
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn read_src(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }
}

/// Wait for an event satisfying `pred`.
fn wait_for(rx: &Receiver<String>, pred: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = rx
            .recv_timeout(left)
            .expect("expected reload event did not arrive");
        let v: serde_json::Value = serde_json::from_str(&msg).unwrap();
        if pred(&v) {
            return v;
        }
    }
}

fn changed(v: &serde_json::Value) -> Vec<String> {
    v["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn serves_pages_with_types_404_and_injected_reload() {
    let s = Server::start("basic");
    let (status, page) = s.get("/notes/alpha/");
    assert_eq!(status, 200);
    assert!(page.contains("Content-Type: text/html; charset=utf-8"));
    assert!(page.contains("Cache-Control: no-store"));
    assert!(page.contains("<script src=\"/__fascia/live.js?g=1\" defer></script></body>"));
    let (status, css) = s.get("/style.css");
    assert_eq!(status, 200);
    assert!(css.contains("text/css"));
    let (status, missing) = s.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(missing.contains("Not found"), "the site's 404 page");
    let (status, moved) = s.get("/notes/alpha");
    assert_eq!(status, 301);
    assert!(moved.contains("Location: /notes/alpha/"));
    // The script itself, and never in build output.
    assert_eq!(s.get("/__fascia/live.js").0, 200);

    // HEAD announces the length GET sends, and sends no body.
    let header = |text: &str, name: &str| -> Option<String> {
        text.split("\r\n\r\n")
            .next()
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string))
    };
    let (_, css) = s.get("/style.css");
    let body_len = css.split_once("\r\n\r\n").unwrap().1.len();
    assert_eq!(header(&css, "Content-Length"), Some(body_len.to_string()));
    let head = s.raw(&format!(
        "HEAD /style.css HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        s.port
    ));
    assert_eq!(head.0, 200);
    assert_eq!(
        header(&head.1, "Content-Length"),
        Some(body_len.to_string())
    );
    assert!(head.1.ends_with("\r\n\r\n"), "HEAD sent a body");
    // Conditional requests: an unchanged file is not sent again.
    let etag = header(&css, "ETag").expect("ETag");
    let again = s.raw(&format!(
        "GET /style.css HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n",
        s.port
    ));
    assert_eq!(again.0, 304);
    assert!(again.1.ends_with("\r\n\r\n"), "304 has no body");
}

#[test]
fn edits_reload_the_right_pages() {
    let s = Server::start("basic");
    let rx = s.events();
    // Edit in place.
    let text = s
        .read_src("content/notes/beta.md")
        .replace("Here are details.", "Here are fresh details.");
    s.write("content/notes/beta.md", &text);
    let v = wait_for(&rx, |v| changed(v).contains(&"/notes/beta/".to_string()));
    assert!(
        !changed(&v).contains(&"/notes/alpha/".to_string()),
        "unrelated page reported: {v}"
    );
    assert!(s.get("/notes/beta/").1.contains("Here are fresh details."));

    // Save by writing a temporary file and renaming it over the original (vim, JetBrains).
    let text = s
        .read_src("content/notes/beta.md")
        .replace("fresh details", "renamed-in details");
    s.write("content/notes/.beta.md.tmp", &text);
    std::fs::rename(
        s.root.join("content/notes/.beta.md.tmp"),
        s.root.join("content/notes/beta.md"),
    )
    .unwrap();
    wait_for(&rx, |v| changed(v).contains(&"/notes/beta/".to_string()));
    assert!(s.get("/notes/beta/").1.contains("renamed-in details"));

    // Delete and recreate.
    std::fs::remove_file(s.root.join("content/notes/beta.md")).ok();
    s.write(
        "content/notes/beta.md",
        &text.replace("renamed-in details", "recreated details"),
    );
    wait_for(&rx, |_| {
        s.get("/notes/beta/").1.contains("recreated details")
    });

    // A new page, then a renamed folder.
    s.write(
        "content/notes/delta.md",
        "+++\ntitle = \"Delta\"\n+++\n\nNew. See [Alpha](@/notes/alpha.md).\n",
    );
    wait_for(&rx, |v| changed(v).contains(&"/notes/delta/".to_string()));
    assert_eq!(s.get("/notes/delta/").0, 200);
    std::fs::rename(
        s.root.join("content/notes/bundle"),
        s.root.join("content/notes/gamma"),
    )
    .unwrap();
    wait_for(&rx, |v| changed(v).contains(&"/notes/gamma/".to_string()));
    assert_eq!(s.get("/notes/gamma/").0, 200);
    assert_eq!(s.get("/notes/gamma/square.svg").0, 200);
    assert_eq!(s.get("/notes/bundle/").0, 404);

    // A stylesheet edit changes only the stylesheet (swapped in place, no page reload).
    s.write("static/style.css", "body { color: navy; }\n");
    let v = wait_for(&rx, |v| changed(v).contains(&"/style.css".to_string()));
    assert_eq!(changed(&v), ["/style.css"]);
}

/// An editor that saves in place slowly (truncate, half the file, a pause,
/// the rest) never gets a page built from the half-written file served: the
/// rebuild waits for the file to be closed.
#[test]
fn slow_saves_in_place_never_serve_half_a_page() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let s = Server::start("basic");
    let rx = s.events();
    let path = s.root.join("content/notes/beta.md");
    let base = s.read_src("content/notes/beta.md");
    let version = |n: u32| {
        base.replacen("Beta sits first", &format!("zqv{n}zq Beta sits first"), 1)
            .replacen(
                "Here are details.",
                &format!("Here are details zqv{n}zq."),
                1,
            )
    };
    let done = std::sync::Arc::new(AtomicBool::new(false));
    let poller = {
        let (port, done) = (s.port, std::sync::Arc::clone(&done));
        std::thread::spawn(move || {
            let mut bad = Vec::new();
            let mut polls = 0;
            while !done.load(Ordering::SeqCst) {
                let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
                write!(
                    c,
                    "GET /notes/beta/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut page = String::new();
                c.read_to_string(&mut page).unwrap();
                polls += 1;
                let counters: Vec<&str> = page
                    .split("zqv")
                    .skip(1)
                    .map(|r| r.split("zq").next().unwrap())
                    .collect();
                if !counters.is_empty() && (counters.len() != 2 || counters[0] != counters[1]) {
                    bad.push(counters.join(","));
                }
            }
            (polls, bad)
        })
    };
    for n in 1..=12 {
        let text = version(n);
        // Split inside the body: the first half parses, and lacks the second counter.
        let (first, rest) = text.as_bytes().split_at(text.find("## Details").unwrap());
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(first).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
        file.write_all(rest).unwrap();
        drop(file);
        let marker = format!("zqv{n}zq");
        let v = wait_for(&rx, |v| {
            !v["errors"].as_array().unwrap().is_empty() || s.get("/notes/beta/").1.contains(&marker)
        });
        assert!(
            v["errors"].as_array().unwrap().is_empty(),
            "a half-written file was built: {v}"
        );
    }
    done.store(true, Ordering::SeqCst);
    let (polls, bad) = poller.join().unwrap();
    assert!(polls > 12, "only {polls} polls");
    assert!(bad.is_empty(), "half-written versions served: {bad:?}");
}

#[test]
fn broken_page_shows_overlay_and_keeps_last_good_build() {
    let s = Server::start("basic");
    let rx = s.events();
    let good = s.read_src("content/notes/alpha.md");
    s.write(
        "content/notes/alpha.md",
        &good.replace("weight = 2", "weight = = 2"),
    );
    let v = wait_for(&rx, |v| !v["errors"].as_array().unwrap().is_empty());
    let text = v["errors"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("content/notes/alpha.md:4:10: error:"),
        "{text}"
    );
    assert!(text.contains("weight = = 2"));
    assert!(
        !text.contains(s.root.to_str().unwrap()),
        "the stream must not reveal filesystem paths"
    );
    // The last good page is still served, whole.
    let (status, page) = s.get("/notes/alpha/");
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Alpha</h1>"));
    // Fixing it clears the overlay.
    s.write("content/notes/alpha.md", &good);
    wait_for(&rx, |v| v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn a_first_build_that_fails_shows_its_error_on_every_page_until_it_builds() {
    let site = Site::fixture("basic");
    site.edit("config.toml", "taxonomies", "theme = \"later\"\ntaxonomies");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().port();
    let (s, printed) = Server::start_site(site, busy);
    let said = printed.join("\n");
    // The terminal tells the truth: nothing good to serve yet.
    assert!(
        said.contains("there is no good build to serve yet"),
        "{said}"
    );
    assert!(!said.contains("serving the last good build"), "{said}");
    // The port was taken: it says so, and how to choose one.
    assert!(said.contains(&format!("Port {busy} is in use")), "{said}");
    assert!(said.contains("--port"), "{said}");
    assert_ne!(s.port, busy);
    for path in ["/", "/notes/alpha/", "/no/such/page/", "/notes/alpha"] {
        let (status, page) = s.get(path);
        assert_eq!(status, 500, "{path}");
        // File, line, column and the source line, and the reload script.
        assert!(
            page.contains("config.toml:4:1: error: theme `later` not found"),
            "{page}"
        );
        assert!(
            page.contains("4 | theme = &quot;later&quot;")
                || page.contains("4 | theme = \"later\""),
            "{page}"
        );
        assert!(page.contains("<script src=\"/__fascia/live.js?g=0\" defer>"));
    }
    assert_eq!(s.get("/style.css").0, 404, "only pages get the error page");
    // The missing theme folder, made after the start, is picked up without
    // touching config.toml.
    let rx = s.events();
    s.write("themes/later/static/later.css", "p { color: green }\n");
    wait_for(&rx, |v| v["generation"].as_u64() > Some(0));
    let (status, page) = s.get("/notes/alpha/");
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Alpha</h1>"));
    assert_eq!(s.get("/later.css").0, 200);
    drop(taken);
}

#[test]
fn refuses_traversal_bad_hosts_and_foreign_origins() {
    let s = Server::start("basic");
    let payloads = [
        "/../../etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%252e%252e/etc/passwd",
        "/..\\..\\etc\\passwd",
        "/notes/../../../etc/passwd",
        "/index.html%00.css",
        "//etc/passwd",
        "/%c0%ae%c0%ae/etc/passwd",
        "/..;/etc/passwd",
    ];
    for p in payloads {
        let (status, body) = s.get(p);
        assert!(status == 400 || status == 404, "{p} -> {status}");
        assert!(!body.contains("root:"), "{p} leaked a file");
    }
    let bad_host = s.raw("GET / HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
    assert_eq!(bad_host.0, 403);
    let rebinding = s.raw(&format!(
        "GET / HTTP/1.1\r\nHost: attacker.example:{}\r\nConnection: close\r\n\r\n",
        s.port
    ));
    assert_eq!(rebinding.0, 403);
    let origin = s.raw(&format!(
        "GET /__fascia/events HTTP/1.1\r\nHost: localhost:{}\r\nOrigin: http://attacker.example\r\nConnection: close\r\n\r\n",
        s.port
    ));
    assert_eq!(origin.0, 403);
    let post = s.raw(&format!(
        "POST / HTTP/1.1\r\nHost: localhost:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        s.port
    ));
    assert_eq!(post.0, 405);
    assert!(!s.get("/").1.contains("Access-Control-Allow-Origin"));
}

/// Incremental rebuilds equal full builds, byte for byte, after each edit of
/// a sequence that changes text, links, backlinks, citations and a comparison.
#[test]
fn incremental_rebuilds_equal_full_builds() {
    use fascia::pipeline::live::Live;
    use fascia::pipeline::{BuildOptions, ParseCache};

    let site = Site::fixture("basic");
    let opts = BuildOptions {
        root: site.root(),
        base_url: Some("http://127.0.0.1:1111".into()),
        drafts: false,
        serving: true,
    };
    let cache = ParseCache::default();
    let (mut live, _) = Live::build(&opts, &cache).unwrap_or_else(|d| panic!("{:?}", d.items));
    let edits: &[(&str, &str, &str)] = &[
        (
            "content/notes/alpha.md",
            "Alpha opens.",
            "Alpha opens, edited.",
        ),
        (
            "content/notes/beta.md",
            "Here are details.",
            "Here are details, and [Gamma](@/notes/bundle/index.md) too.",
        ),
        (
            "content/notes/beta.md",
            "Beta sits first by weight.",
            "Beta sits first ([Jones 2019](ref:jones2019)).",
        ),
        ("content/notes/alpha.md", ", then to [[Gamma]]", ""),
        (
            "content/tech/compare.md",
            "More about [Alpha](@/notes/alpha.md).",
            "More about [Beta](@/notes/beta.md).",
        ),
        ("content/notes/beta.md", "([Jones 2019](ref:jones2019))", ""),
    ];
    for (n, (rel, from, to)) in edits.iter().enumerate() {
        site.edit(rel, from, to);
        let rel_content = rel.trim_start_matches("content/").to_string();
        let changed = live
            .apply_body_edits(&[rel_content])
            .unwrap_or_else(|_| panic!("edit {n} left the fast path"));
        assert!(!changed.is_empty(), "edit {n} changed nothing");
        live.catch_up().unwrap_or_else(|d| panic!("{:?}", d.items));
        let (full, _) =
            Live::build(&opts, &ParseCache::default()).unwrap_or_else(|d| panic!("{:?}", d.items));
        let (inc, fresh) = (output_bytes(&live.output), output_bytes(&full.output));
        let differing: Vec<&String> = inc
            .iter()
            .zip(&fresh)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| &a.0)
            .collect();
        assert_eq!(inc.len(), fresh.len(), "edit {n}: file sets differ");
        assert!(
            differing.is_empty(),
            "edit {n}: incremental output differs from a full build in {differing:?}"
        );
    }
    // An edit's own warnings are kept for the terminal, and only its own.
    site.edit(
        "content/notes/alpha.md",
        "Alpha opens",
        "```zzlang\nx\n```\n\nAlpha opens",
    );
    live.apply_body_edits(&["notes/alpha.md".to_string()])
        .unwrap_or_else(|_| panic!("the code block left the fast path"));
    let warned: Vec<String> = live
        .edit_warnings
        .items
        .iter()
        .map(|d| d.render(false))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].starts_with("content/notes/alpha.md:"),
        "{warned:?}"
    );
    assert!(
        warned[0].contains("cannot highlight `zzlang`"),
        "{warned:?}"
    );
    site.edit("content/notes/alpha.md", "```zzlang\nx\n```\n\n", "");
    live.apply_body_edits(&["notes/alpha.md".to_string()])
        .unwrap_or_else(|_| panic!("removing the block left the fast path"));
    assert!(live.edit_warnings.items.is_empty());
    // A front matter edit is not a body edit: the fast path declines it.
    site.edit(
        "content/notes/alpha.md",
        "title = \"Alpha\"",
        "title = \"Alpha prime\"",
    );
    assert!(
        live.apply_body_edits(&["notes/alpha.md".to_string()])
            .is_err()
    );
}

/// A body edit remakes a feed only when the feed lists the edited page
/// (without a description, its entry's summary is the body's start), and
/// never the sitemap; the result equals a full build.
#[test]
fn a_body_edit_remakes_only_the_feeds_listing_the_page() {
    use fascia::pipeline::live::Live;
    use fascia::pipeline::{BuildOptions, ParseCache};

    let site = Site::fixture("basic");
    site.edit("config.toml", "[extra]", "[feed]\nlimit = 3\n\n[extra]");
    for (name, date) in [
        ("new", "2026-06-01"),
        ("newer", "2026-07-01"),
        ("old", "2001-01-01"),
    ] {
        site.write(
            &format!("content/notes/{name}.md"),
            &format!(
                "+++\ntitle = \"{name}\"\ndate = {date}\n+++\n\nThe {name} page opens here.\n"
            ),
        );
    }
    let opts = BuildOptions {
        root: site.root(),
        base_url: Some("http://127.0.0.1:1111".into()),
        drafts: false,
        serving: true,
    };
    let (mut live, _) =
        Live::build(&opts, &ParseCache::default()).unwrap_or_else(|d| panic!("{:?}", d.items));
    let feed = |live: &Live| {
        let (_, bytes) = output_bytes(&live.output)
            .into_iter()
            .find(|(k, _)| k == "atom.xml")
            .expect("a feed");
        String::from_utf8(bytes).unwrap()
    };
    assert!(feed(&live).contains("The new page opens here."));
    assert!(!feed(&live).contains("The old page"), "{}", feed(&live));
    for (name, listed) in [("old", false), ("new", true)] {
        let rel = format!("notes/{name}.md");
        site.edit(
            &format!("content/{rel}"),
            "opens here.",
            "opens here, edited.",
        );
        let changed = live
            .apply_body_edits(&[rel])
            .unwrap_or_else(|_| panic!("the edit of {name} left the fast path"));
        assert!(
            changed
                .iter()
                .any(|k| k == &format!("notes/{name}/index.html"))
        );
        assert_eq!(
            changed.iter().any(|k| k == "atom.xml"),
            listed,
            "{name}: {changed:?}"
        );
        assert!(
            !changed.iter().any(|k| k.starts_with("sitemap")),
            "{changed:?}"
        );
        assert_eq!(
            feed(&live).contains(&format!("The {name} page opens here, edited.")),
            listed
        );
        live.catch_up().unwrap_or_else(|d| panic!("{:?}", d.items));
        let (full, _) =
            Live::build(&opts, &ParseCache::default()).unwrap_or_else(|d| panic!("{:?}", d.items));
        assert_eq!(
            output_bytes(&live.output),
            output_bytes(&full.output),
            "after editing {name}"
        );
    }
}

/// Incremental rebuilds of the encyclopedia itself (its theme has a print
/// edition, taxonomies, search and feeds) equal full builds, byte for byte.
#[test]
fn incremental_rebuilds_of_the_encyclopedia_equal_full_builds() {
    use fascia::pipeline::live::PRINT_ON_EDIT_MAX;
    // An edit to a sentence with a link (shown on the linked page)...
    let link = (
        "a traditional scraping practice.",
        "a traditional scraping practice, edited.",
    );
    // ...and to one without (the linked pages stay as they were).
    let plain = (
        "Few trials have tested the Graston",
        "Few trials have yet tested the Graston",
    );
    // The print edition made with each edit, as on a small site...
    for edit in [link, plain] {
        let (on_edit, later) = edit_the_encyclopedia(edit, PRINT_ON_EDIT_MAX);
        assert!(on_edit.iter().any(|k| k == PRINT), "{on_edit:?}");
        assert!(!later.iter().any(|k| k == PRINT), "{later:?}");
        let gua_sha = on_edit.iter().any(|k| k == "techniques/gua-sha/index.html");
        assert_eq!(gua_sha, edit == link, "{on_edit:?}");
    }
    // ...and after the pause, as on a large one.
    let (on_edit, later) = edit_the_encyclopedia(link, 0);
    assert!(!on_edit.iter().any(|k| k == PRINT), "{on_edit:?}");
    assert!(later.iter().any(|k| k == PRINT), "{later:?}");
    // A page with a picture, edited around it, stays on the fast path.
    let (on_edit, _) = edit_encyclopedia_page(
        "comparisons/iastm-graston-astym.md",
        (
            "None of them pierces the skin",
            "None of the three pierces the skin",
        ),
        PRINT_ON_EDIT_MAX,
    );
    assert!(
        on_edit
            .iter()
            .any(|k| k == "comparisons/iastm-graston-astym/index.html"),
        "{on_edit:?}"
    );
}

const PRINT: &str = "print/index.html";

/// A site over the size limit is built without its search index and print
/// edition, so that its pages are served sooner; they follow, and the
/// result equals a full build.
#[test]
fn a_large_site_s_search_index_and_print_edition_follow_its_pages() {
    use fascia::pipeline::live::Live;
    use fascia::pipeline::{BuildOptions, ParseCache};

    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    harness::copy_dir(&repo.join("site"), &dir.path().join("site"));
    harness::copy_dir(&repo.join("themes"), &dir.path().join("themes"));
    let opts = BuildOptions {
        root: dir.path().join("site"),
        base_url: Some("http://127.0.0.1:1111".into()),
        drafts: false,
        serving: true,
    };
    // Every site is "large" with a limit of 0 pages.
    let (mut live, _) = Live::build_reusing(&opts, &ParseCache::default(), None, 0)
        .unwrap_or_else(|d| panic!("{:?}", d.items));
    // The index's files (the theme's search scripts are static files).
    let is_index = |k: &str| {
        k == "search/index.js" || k.starts_with("search/shards/") || k.starts_with("search/text/")
    };
    assert!(live.lagging());
    assert!(!live.output.files.contains_key(PRINT));
    assert!(!live.output.files.keys().any(|k| is_index(k)));
    assert!(
        live.output.files.contains_key("search/index.html"),
        "the search page is a page"
    );
    let made_later = live.made_later();
    assert!(made_later(PRINT) && made_later("search/index.js"));
    assert!(made_later("fr/search/index.js") && made_later("fr/print/index.html"));
    assert!(!made_later("techniques/gua-sha/index.html"));
    // An edit waiting: the work gives way, and is still to be done.
    let asked = std::sync::atomic::AtomicUsize::new(0);
    let edit_waiting = || {
        asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        true
    };
    let gave_way = live
        .catch_up_unless(&edit_waiting)
        .unwrap_or_else(|d| panic!("{:?}", d.items));
    assert!(gave_way.is_empty(), "{gave_way:?}");
    assert!(asked.into_inner() > 0);
    assert!(live.lagging());
    assert!(!live.output.files.contains_key("search/index.js"));
    let later = live.catch_up().unwrap_or_else(|d| panic!("{:?}", d.items));
    assert!(later.iter().any(|k| k == PRINT), "{later:?}");
    assert!(later.iter().any(|k| k == "search/index.js"), "{later:?}");
    assert!(!live.lagging());
    let (full, _) =
        Live::build(&opts, &ParseCache::default()).unwrap_or_else(|d| panic!("{:?}", d.items));
    let (inc, fresh) = (output_bytes(&live.output), output_bytes(&full.output));
    assert_eq!(inc.len(), fresh.len(), "file sets differ");
    assert!(
        inc == fresh,
        "the pages with what followed differ from a full build"
    );
}

/// Edit a page of a copy of the encyclopedia in memory (`from` -> `to`), with the print
/// edition made on the edit up to `print_on_edit_max` pages, then let the
/// server catch up; assert the result equals a full build. The paths the
/// edit changed, and those catching up changed.
fn edit_the_encyclopedia(
    edit: (&str, &str),
    print_on_edit_max: usize,
) -> (Vec<String>, Vec<String>) {
    edit_encyclopedia_page("techniques/graston-technique.md", edit, print_on_edit_max)
}

/// [`edit_the_encyclopedia`] for the page `rel`.
fn edit_encyclopedia_page(
    rel: &str,
    (from, to): (&str, &str),
    print_on_edit_max: usize,
) -> (Vec<String>, Vec<String>) {
    use fascia::pipeline::live::Live;
    use fascia::pipeline::{BuildOptions, ParseCache};

    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    harness::copy_dir(&repo.join("site"), &dir.path().join("site"));
    harness::copy_dir(&repo.join("themes"), &dir.path().join("themes"));
    let root = dir.path().join("site");
    let opts = BuildOptions {
        root: root.clone(),
        base_url: Some("http://127.0.0.1:1111".into()),
        drafts: false,
        serving: true,
    };
    let cache = ParseCache::default();
    let (mut live, _) = Live::build(&opts, &cache).unwrap_or_else(|d| panic!("{:?}", d.items));
    live.print_on_edit_max = print_on_edit_max;
    let path = root.join("content").join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen(from, to, 1);
    assert_ne!(text, edited);
    std::fs::write(&path, edited).unwrap();
    let on_edit = live
        .apply_body_edits(&[rel.to_string()])
        .unwrap_or_else(|_| panic!("the edit left the fast path"));
    assert!(!on_edit.is_empty());
    assert!(live.lagging());
    let later = live.catch_up().unwrap_or_else(|d| panic!("{:?}", d.items));
    assert!(!live.lagging());
    let (full, _) =
        Live::build(&opts, &ParseCache::default()).unwrap_or_else(|d| panic!("{:?}", d.items));
    let (inc, fresh) = (output_bytes(&live.output), output_bytes(&full.output));
    assert_eq!(inc.len(), fresh.len(), "file sets differ");
    let differing: Vec<&String> = inc
        .iter()
        .zip(&fresh)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| &a.0)
        .collect();
    assert!(
        differing.is_empty(),
        "incremental output differs from a full build in {differing:?} (changed: {on_edit:?}, then {later:?})"
    );
    (on_edit, later)
}

/// Every file of a build, read into memory, by output path.
fn output_bytes(out: &fascia::output::Output) -> Vec<(String, Vec<u8>)> {
    use fascia::output::OutputFile;
    out.files
        .iter()
        .map(|(k, f)| match f {
            OutputFile::Bytes(b) => (k.clone(), (**b).clone()),
            OutputFile::Copy(p) => (k.clone(), std::fs::read(p).unwrap()),
        })
        .collect()
}

#[test]
fn a_missing_page_below_a_language_folder_gets_that_language_404() {
    let site = Site::fixture("multilingual");
    site.write(
        "templates/404.html",
        "<p>{{ lang }}: {{ trans(key=\"read_more\", lang=lang) }}</p>",
    );
    let (s, _) = Server::start_site(site, harness::free_port());
    let (status, fr) = s.get("/fr/nulle/part/");
    assert_eq!(status, 404);
    assert!(fr.contains("<p>fr: Lire la suite</p>"), "{fr}");
    let (status, ar) = s.get("/ar/x/");
    assert_eq!(status, 404);
    assert!(ar.contains("<p>ar: اقرأ المزيد</p>"), "{ar}");
    // Anywhere else (a section's folder, the root): the default language's.
    for path in ["/nowhere/", "/notes/none/", "/fra/x/"] {
        let (status, en) = s.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(en.contains("<p>en: "), "{path}: {en}");
    }
}

#[test]
fn a_diagram_added_while_serving_brings_the_theme_s_diagram_library() {
    let site = Site::fixture("fibre-languages");
    let themes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    site.edit(
        "config.toml",
        "themes_dir = \"../../../themes\"",
        &format!("themes_dir = {:?}", themes.to_str().unwrap()),
    );
    let (s, _) = Server::start_site(site, harness::free_port());
    assert_eq!(s.get("/vendor/mermaid.min.js").0, 404, "no diagram yet");
    let rx = s.events();
    let page = "content/needles/cupping.md";
    let text = s.read_src(page);
    s.write(
        page,
        &format!("{text}\n```mermaid\ngraph TD\n  A --> B\n```\n"),
    );
    wait_for(&rx, |v| {
        changed(v).contains(&"/needles/cupping/".to_string())
    });
    assert_eq!(s.get("/vendor/mermaid.min.js").0, 200);
    assert!(
        s.get("/needles/cupping/")
            .1
            .contains("vendor/mermaid.min.js")
    );
}

/// `serve` watches the site only once its first build is done (a watch
/// during it would see every file opened); a file saved while that build
/// ran is found by the modification times taken before it, and built as
/// soon as serving starts. Here the section page, which the build reads
/// first, is saved 300 ms into the first build of 2,000 pages (seconds in
/// a test binary; sooner on a machine fast enough to be serving by then).
#[test]
fn a_save_during_the_first_build_is_built_once_serving_starts() {
    for delay in [300, 100, 30, 10] {
        if let Some(server) = save_during_first_build(Duration::from_millis(delay)) {
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let (status, page) = server.get("/notes/");
                assert_eq!(status, 200, "{page}");
                if page.contains("Saved while building.") {
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "the save made during the first build is never served"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    panic!("every save came after serving started, even 10 ms into the first build");
}

/// Serve a 2,000-page site, saving its section page `delay` after the
/// start; the server if the save came before it was serving.
fn save_during_first_build(delay: Duration) -> Option<Server> {
    let site = Site::fixture("basic");
    for i in 0..2000 {
        site.write(
            &format!("content/notes/bulk-{i:04}.md"),
            &format!("+++\ntitle = \"Bulk {i}\"\n+++\nPage {i} links [alpha](@/notes/alpha.md).\n"),
        );
    }
    let index = site.root().join("content/notes/_index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    let editor = std::thread::spawn(move || {
        std::thread::sleep(delay);
        std::fs::write(&index, format!("{text}\nSaved while building.\n")).unwrap();
        Instant::now()
    });
    let (server, _) = Server::start_site(site, harness::free_port());
    let serving_at = Instant::now();
    let save_at = editor.join().unwrap();
    (save_at < serving_at).then_some(server)
}

/// The server's terminal lines, until one has `until` (all of them, and
/// that one, in order).
fn lines_until(s: &Server, until: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut lines = Vec::new();
    loop {
        let line = s
            .stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no {until:?} line; printed:\n{}", lines.join("\n")));
        let done = line.contains(until);
        lines.push(line);
        if done {
            return lines;
        }
    }
}

/// The terminal shows the site's warnings: all at the first build, then
/// each once, when an edit or a rebuild first raises it, and a full
/// rebuild says how many are gone.
#[test]
fn serve_prints_each_warning_once_and_says_when_they_are_gone() {
    let (s, mut printed) = Server::start_site(Site::fixture("basic"), harness::free_port());
    // All of the first build's, once the site is served (with the checks
    // `fascia build` makes beside its render), and how many.
    printed.extend(lines_until(&s, "6 warnings"));
    let count = |lines: &[String], text: &str| lines.iter().filter(|l| l.contains(text)).count();
    assert_eq!(count(&printed, "warning:"), 6, "{printed:#?}");
    assert_eq!(count(&printed, "has no inbound links"), 3, "{printed:#?}");
    assert_eq!(count(&printed, "is cited nowhere"), 1, "{printed:#?}");
    // A body edit re-renders its page and reports that page's new warning
    // (incremental when the machine is quiet, or full when the save came
    // too soon after the start to tell from the first build).
    let good = s.read_src("content/notes/alpha.md");
    let code = format!("{good}\n```zzlang\nx\n```\n");
    s.write("content/notes/alpha.md", &code);
    let edit = lines_until(&s, "cannot highlight `zzlang`");
    assert!(
        edit[edit.len() - 1].starts_with("content/notes/alpha.md:"),
        "{edit:#?}"
    );
    assert_eq!(count(&edit, "warning:"), 1, "{edit:#?}");
    // A full rebuild prints none of the warnings printed already; without
    // the block, the next one says one of them is gone.
    s.write(
        "content/notes/alpha.md",
        &code.replace("weight = 2", "weight = 3"),
    );
    let mut full = lines_until(&s, "Rebuilt (full)");
    s.write(
        "content/notes/alpha.md",
        &good.replace("weight = 2", "weight = 4"),
    );
    full.extend(lines_until(&s, "no longer raised"));
    assert_eq!(count(&full, "warning:"), 0, "{full:#?}");
    assert_eq!(
        full.last().unwrap(),
        "6 warnings now: 0 new, 1 no longer raised",
        "{full:#?}"
    );
}
