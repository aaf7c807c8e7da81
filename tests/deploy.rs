//! The production deploy: nginx with `deploy/nginx.conf` serving the built
//! encyclopedia on a free loopback port, crawled from the home page.
//! nginx is installed by scripts/test.sh.

mod harness;

use std::collections::{BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Nginx {
    child: Child,
    port: u16,
    /// The built site nginx serves.
    out: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    /// SIGTERM, so that nginx's master stops its worker: `Child::kill` sends
    /// SIGKILL, which left the worker running (as an orphan) after the test.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_bin() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("nginx is required (scripts/test.sh installs it)")
}

impl Nginx {
    /// Build the site for `http://127.0.0.1:PORT` and serve it with the
    /// repository's nginx configuration.
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = harness::free_port();
        let out = dir.path().join("public");
        harness::build_encyclopedia(&out, &["--base-url", &format!("http://127.0.0.1:{port}")]);
        let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
        let headers = dir.path().join("fascia-security-headers.conf");
        std::fs::copy(deploy.join("fascia-security-headers.conf"), &headers).unwrap();
        let server = std::fs::read_to_string(deploy.join("nginx.conf"))
            .unwrap()
            .replace("listen 8080;", &format!("listen 127.0.0.1:{port};"))
            .replace(
                "root /var/www/fascia/public;",
                &format!("root {};", out.display()),
            )
            .replace(
                "/etc/nginx/fascia-security-headers.conf",
                headers.to_str().unwrap(),
            );
        let t = dir.path().display().to_string();
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {t}/nginx.pid;\nerror_log {t}/error.log;\nevents {{}}\nhttp {{\n\
             include /etc/nginx/mime.types;\ndefault_type application/octet-stream;\naccess_log off;\n\
             client_body_temp_path {t}/body;\nproxy_temp_path {t}/proxy;\nfastcgi_temp_path {t}/fastcgi;\n\
             uwsgi_temp_path {t}/uwsgi;\nscgi_temp_path {t}/scgi;\n{server}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new(nginx_bin())
            .args(["-p", &t, "-c", &format!("{t}/nginx.conf")])
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(format!("{t}/error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            out,
            _dir: dir,
        }
    }

    fn get(&self, path: &str, extra_headers: &str) -> Response {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{extra_headers}Connection: close\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        Response::parse(&raw)
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Self {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("HTTP response");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        let chunked =
            matches!(Self::find(&headers, "transfer-encoding"), Some(v) if v.contains("chunked"));
        if chunked {
            body = dechunk(&body);
        }
        Self {
            status,
            headers,
            body,
        }
    }

    fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        Self::find(&self.headers, name)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = body.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&body[..nl]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[nl + 2..nl + 2 + size]);
        body = &body[nl + 2 + size + 2..];
    }
    out
}

fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            if let Some(end) = part.find('"') {
                out.push(part[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}

fn expected_type(path: &str) -> &'static str {
    let p = path.split(['?', '#']).next().unwrap_or("");
    match p.rsplit('.').next() {
        _ if p.ends_with('/') => "text/html",
        Some("css") => "text/css",
        Some("js") => "javascript",
        Some("svg") => "image/svg+xml",
        Some("xml") => "xml",
        Some("html") => "text/html",
        _ => "",
    }
}

const SECURITY: &[(&str, &str)] = &[
    ("content-security-policy", "default-src 'self'"),
    ("content-security-policy", "base-uri 'self'"),
    ("content-security-policy", "form-action 'self'"),
    ("strict-transport-security", "max-age=31536000"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("permissions-policy", "camera=()"),
];

#[test]
fn nginx_serves_every_internal_link_with_types_headers_and_caching() {
    let nginx = Nginx::start();
    let base = format!("http://127.0.0.1:{}", nginx.port);
    let mut seen = BTreeSet::new();
    // The crawl starts at the home page, plus the scripts that other scripts
    // load (no HTML links them, and they have no hash: they must revalidate).
    let mut queue = VecDeque::from([
        "/".to_string(),
        "/search/search-ui.js".to_string(),
        "/search/search-engine.js".to_string(),
        "/search/index.js".to_string(),
    ]);
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let r = nginx.get(&path, "");
        assert_eq!(r.status, 200, "{path}");
        let ctype = r.header("content-type").unwrap_or("");
        assert!(
            ctype.contains(expected_type(&path)),
            "{path}: content type {ctype}"
        );
        for (h, v) in SECURITY {
            assert!(
                r.header(h).is_some_and(|x| x.contains(v)),
                "{path}: header {h} missing or wrong"
            );
        }
        let cache = r.header("cache-control").unwrap_or("");
        if path.contains("?h=") {
            assert!(
                cache.contains("max-age=31536000"),
                "{path}: hashed asset not cacheable ({cache})"
            );
        } else if !ctype.contains("text/html") {
            // Unhashed assets (the search index changes with every edit)
            // must be revalidated, never served stale from a browser cache.
            assert!(
                cache.contains("no-cache"),
                "{path}: unhashed asset may be served stale ({cache})"
            );
        }
        if ctype.contains("text/html") {
            assert!(cache.contains("no-cache"), "{path}: HTML cached ({cache})");
            pages += 1;
            for link in links(&r.text()) {
                let Some(rest) = link.strip_prefix(&base) else {
                    continue;
                };
                let target = rest.split('#').next().unwrap_or("").to_string();
                let target = if target.is_empty() {
                    "/".to_string()
                } else {
                    target
                };
                if !seen.contains(&target) {
                    queue.push_back(target);
                }
            }
        }
    }
    assert!(pages > 60, "crawled only {pages} pages");
}

#[test]
fn nginx_missing_pages_redirects_and_gzip() {
    let nginx = Nginx::start();
    let missing = nginx.get("/no/such/page/", "");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found") || missing.text().contains("not found"),
        "the site's 404 page"
    );
    assert!(missing.header("content-security-policy").is_some());
    assert!(missing.text().contains("<html lang=\"en\""), "English 404");
    // Below a language's folder, that language's not-found page.
    let french = nginx.get("/fr/pas/de/page/", "");
    assert_eq!(french.status, 404);
    assert!(french.text().contains("<html lang=\"fr\""), "French 404");
    assert!(french.text().contains("/fr/search/"), "French search form");
    assert!(french.header("content-security-policy").is_some());
    assert_eq!(french.header("cache-control"), Some("no-cache"));
    let slashless = nginx.get("/techniques/iastm", "");
    assert_eq!(slashless.status, 301);
    assert!(
        slashless
            .header("location")
            .unwrap()
            .ends_with("/techniques/iastm/")
    );
    let css = nginx.get("/fibre.css", "Accept-Encoding: gzip\r\n");
    assert_eq!(css.header("content-encoding"), Some("gzip"));
    let traversal = nginx.get("/../../etc/passwd", "");
    assert!(traversal.status == 400 || traversal.status == 404);
}

/// No path with a segment starting with a dot is served (the build's
/// marker, files a stopped build left staged, a stray `.git`), however it
/// is spelled, except below `/.well-known/`; the answer is the site's 404
/// page, with the security headers.
#[test]
fn nginx_hides_dotfiles_but_serves_well_known() {
    let nginx = Nginx::start();
    let write = |rel: &str, text: &str| {
        let path = nginx.out.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    assert!(
        nginx.out.join(".fascia-output").exists(),
        "the build's marker"
    );
    write("techniques/.index.html.fascia-tmp", "staged");
    write(".git/config", "[core]");
    write(".hidden/page.html", "<p>hidden</p>");
    write("offline.zip.fascia-tmp", "staged");
    write(".well-known/security.txt", "Contact: mailto:a@example.org");
    write(".well-known/.secret", "hidden");
    for path in [
        "/.fascia-output",
        "/techniques/.index.html.fascia-tmp",
        "/.git/config",
        "/.git/",
        "/.hidden/page.html",
        "/%2efascia-output",
        "/techniques/%2Eindex.html.fascia-tmp",
        "/offline.zip.fascia-tmp",
        "/.well-known/.secret",
    ] {
        let r = nginx.get(path, "");
        assert_eq!(r.status, 404, "{path}");
        assert!(
            r.text().contains("not found") || r.text().contains("Page not found"),
            "{path}: the site's 404 page"
        );
        assert!(!r.text().contains("staged") && !r.text().contains("[core]"));
        for (h, v) in SECURITY {
            assert!(
                r.header(h).is_some_and(|x| x.contains(v)),
                "{path}: header {h} missing or wrong"
            );
        }
    }
    let well_known = nginx.get("/.well-known/security.txt", "");
    assert_eq!(well_known.status, 200);
    assert!(well_known.text().contains("Contact:"));
    // Names with dots inside them are served as before.
    assert_eq!(nginx.get("/fibre.css", "").status, 200);
}

/// Cache busting reaches the files search loads by script: the page names
/// the loader with its hash, the loader's manifest names every other search
/// file with its hash, and nginx caches each of those for a year.
#[test]
fn nginx_caches_every_search_file_the_loader_names_for_a_year() {
    let nginx = Nginx::start();
    let page = nginx.get("/techniques/iastm/", "").text();
    let start = page
        .find("/search/search.js?h=")
        .expect("the page links the loader with its hash");
    let end = start + page[start..].find('"').unwrap();
    let loader_path = page[start..end].replace("&amp;", "&");
    let loader = nginx.get(&loader_path, "");
    assert_eq!(loader.status, 200, "{loader_path}");
    let hashed = |r: &Response, what: &str| {
        let cache = r.header("cache-control").unwrap_or("");
        assert!(
            cache.contains("max-age=31536000") && cache.contains("immutable"),
            "{what}: {cache}"
        );
    };
    hashed(&loader, &loader_path);
    let src = loader.text();
    let at = src
        .find("self.fasciaSearchFiles=")
        .expect("the loader starts with its manifest")
        + "self.fasciaSearchFiles=".len();
    let manifest: serde_json::Value =
        serde_json::from_str(&src[at..at + src[at..].find(";\n").unwrap()]).unwrap();
    let files = manifest["files"].as_object().unwrap();
    for name in [
        "search-ui.js",
        "search-engine.js",
        "search.css",
        "index.js",
        "vendor/minisearch-7.2.0.min.js",
    ] {
        assert!(files.contains_key(name), "the manifest names {name}");
    }
    for (name, hash) in files {
        let path = format!("/search/{name}?h={}", hash.as_str().unwrap());
        let r = nginx.get(&path, "");
        assert_eq!(r.status, 200, "{path}");
        hashed(&r, &path);
    }
    // Without its hash, a search file revalidates.
    let bare = nginx.get("/search/index.js", "");
    assert!(
        !bare
            .header("cache-control")
            .unwrap_or("")
            .contains("immutable")
    );
}
