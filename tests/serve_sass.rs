//! `fascia serve` recompiles Sass when a file under `sass/` of the site or
//! of its theme changes (a partial too), and the reload stream names the
//! stylesheet that changed. The real binary on a free loopback port over a
//! temporary copy of the `tera` fixture.

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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &Site) -> Server {
    let port = harness::free_port();
    let mut child = Command::new(harness::bin())
        .args(["serve", "--root", site.root().to_str().unwrap()])
        .args(["--port", &port.to_string()])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    // Owned by the server from here, so it is killed and waited for even
    // when the start fails.
    let server = Server { child, port };
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the server starts");
        if line.contains(&format!("http://127.0.0.1:{port}/")) {
            return server;
        }
    }
}

impl Server {
    fn get(&self, path: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    /// The reload stream's messages, after its first.
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
            .expect("first event");
        assert!(first.contains("\"initial\":true"), "{first}");
        rx
    }
}

/// Wait for a reload event naming `path` among the changed files.
fn wait_changed(rx: &Receiver<String>, path: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let msg = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no reload event naming {path}"));
        let v: serde_json::Value = serde_json::from_str(&msg).unwrap();
        let changed: Vec<String> = v["changed"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        if changed.iter().any(|c| c == path) {
            return changed;
        }
    }
}

#[test]
fn sass_edits_of_site_and_theme_recompile_and_reload() {
    let site = Site::fixture("tera");
    let server = start(&site);
    assert!(server.get("/css/site.css").contains("color: #336699"));
    let rx = server.events();

    // A partial of the site, imported by css/site.scss.
    site.edit("sass/_vars.scss", "#336699", "#aa0000");
    let changed = wait_changed(&rx, "/css/site.css");
    assert!(server.get("/css/site.css").contains("color: #aa0000"));
    assert!(
        changed.iter().all(|c| c.ends_with(".css")),
        "only stylesheets change: {changed:?}"
    );

    // A stylesheet of the theme.
    site.edit("themes/probe/sass/theme.scss", "padding: 0", "padding: 2px");
    wait_changed(&rx, "/theme.css");
    assert!(server.get("/theme.css").contains("padding: 2px"));

    // A broken edit keeps the last good stylesheet; the fix recompiles.
    site.write("sass/_vars.scss", "$accent: ;\n");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(server.get("/css/site.css").contains("color: #aa0000"));
    site.write("sass/_vars.scss", "$accent: #00aa00;\n");
    wait_changed(&rx, "/css/site.css");
    assert!(server.get("/css/site.css").contains("color: #00aa00"));
}
