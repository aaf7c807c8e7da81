// Shared helpers of the browser tests: build the encyclopedia, serve it the
// way a strict host would, drive Debian's Chromium, and collect what went
// wrong in a page (console errors, uncaught exceptions, failed requests).
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");
const puppeteer = require("puppeteer-core");

const ROOT = path.resolve(__dirname, "..", "..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const CSP = "default-src 'self'";
const AXE_SOURCE = path.join(__dirname, "vendor", "axe-core", "axe.min.js");
const SCREENSHOTS = path.join(ROOT, "target", "screenshots");

// Temporary folders not yet removed, and servers this process started and
// has not stopped yet; an interrupted run cleans both up on exit.
const pending = new Set();
const children = new Set();
process.on("exit", () => {
  for (const child of children) {
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  for (const dir of pending) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      /* best effort */
    }
  }
});

/** A fresh temporary directory (removed by the caller with `removeDir`). */
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  pending.add(dir);
  return dir;
}

function removeDir(dir) {
  if (!dir) return;
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  pending.delete(dir);
}

let fasciaPath = null;
/**
 * Path of the release binary. `cargo build --release` runs once per test
 * process (a no-op when it is up to date); set FASCIA_BIN to skip it.
 */
function fascia() {
  if (fasciaPath) return fasciaPath;
  if (process.env.FASCIA_BIN) {
    fasciaPath = path.resolve(process.env.FASCIA_BIN);
    return fasciaPath;
  }
  const r = spawnSync("cargo", ["build", "--release", "--quiet"], { cwd: ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(`cargo build --release failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
  }
  fasciaPath = path.join(ROOT, "target", "release", "fascia");
  return fasciaPath;
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
};

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Serve `dir` on a free 127.0.0.1 port like a strict static host: every
 * response carries `Content-Security-Policy: default-src 'self'`, folders
 * answer with their index.html, and a missing file gets 404.html with
 * status 404. Files are read per request, so the folder may be filled later.
 */
function serveStatic(dir) {
  const server = http.createServer((req, res) => {
    const headers = { "Content-Security-Policy": CSP, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      res.writeHead(400, headers);
      return res.end("bad request");
    }
    let file = path.join(dir, rel);
    if (file !== dir && !file.startsWith(dir + path.sep)) {
      res.writeHead(403, headers);
      return res.end("forbidden");
    }
    if (isDir(file)) {
      if (!rel.endsWith("/")) {
        res.writeHead(301, { ...headers, Location: rel + "/" });
        return res.end();
      }
      file = path.join(file, "index.html");
    }
    if (!isFile(file)) {
      const notFound = path.join(dir, "404.html");
      res.writeHead(404, { ...headers, "Content-Type": TYPES[".html"] });
      return res.end(isFile(notFound) ? fs.readFileSync(notFound) : "not found");
    }
    res.writeHead(200, { ...headers, "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
    res.end(req.method === "HEAD" ? undefined : fs.readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({
        origin,
        close: () =>
          new Promise((r) => {
            if (server.closeAllConnections) server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/**
 * Build site/ (or the site at `root`) into a temporary folder with the base
 * URL of a static server started on it. Returns `{ origin, out, close() }`.
 */
async function buildAndServe({ root = path.join(ROOT, "site") } = {}) {
  const tmp = tempDir("fascia-site-");
  const out = path.join(tmp, "public");
  let server;
  try {
    server = await serveStatic(out);
    const args = ["build", "--root", root, "--output-dir", out, "--base-url", server.origin, "--force"];
    const r = spawnSync(fascia(), args, { cwd: ROOT, encoding: "utf8" });
    if (r.error || r.status !== 0) {
      throw new Error(`fascia ${args.join(" ")} failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
    }
  } catch (e) {
    if (server) await server.close();
    removeDir(tmp);
    throw e;
  }
  return {
    origin: server.origin,
    out,
    close: async () => {
      await server.close();
      removeDir(tmp);
    },
  };
}

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find(isFile) || "/usr/sbin/nginx";

/**
 * Run nginx (installed by scripts/test.sh) in the foreground with the
 * repository's deploy/nginx.conf serving `root` on 127.0.0.1:`port`. The
 * server block is rewritten the way tests/deploy.rs does it (listen, root, the
 * path of fascia-security-headers.conf) and wrapped in a minimal main config;
 * config, pid file, logs and temp paths all live in a new temporary folder.
 * Returns `{ origin, pid, errorLog(), stop() }`; `stop()` ends nginx by its PID.
 * Started by root, nginx's worker runs as "nobody": `root` and the folders
 * above it must then be readable by everyone (a fresh tempDir is 0700).
 */
async function startNginx({ root, port }) {
  if (!isFile(NGINX)) throw new Error(`${NGINX} not found: install nginx-light (scripts/test.sh does)`);
  const t = tempDir("fascia-nginx-");
  const deploy = path.join(ROOT, "deploy");
  const headers = path.join(t, "fascia-security-headers.conf");
  fs.copyFileSync(path.join(deploy, "fascia-security-headers.conf"), headers);
  const original = fs.readFileSync(path.join(deploy, "nginx.conf"), "utf8");
  const server = original
    .replace("listen 8080;", `listen 127.0.0.1:${port};`)
    .replace("root /var/www/fascia/public;", `root ${root};`)
    .replaceAll("/etc/nginx/fascia-security-headers.conf", headers);
  for (const [what, re] of [["listen", /listen 8080;/], ["root", /root \/var\/www\/fascia\/public;/], ["include", /\/etc\/nginx\/fascia-security-headers\.conf/]]) {
    if (!re.test(original)) throw new Error(`deploy/nginx.conf changed: no ${what} line to rewrite`);
  }
  const conf = [
    "daemon off;",
    "worker_processes 1;",
    `pid ${t}/nginx.pid;`,
    `error_log ${t}/error.log;`,
    "events {}",
    "http {",
    "include /etc/nginx/mime.types;",
    "default_type application/octet-stream;",
    `access_log ${t}/access.log;`,
    `client_body_temp_path ${t}/body;`,
    `proxy_temp_path ${t}/proxy;`,
    `fastcgi_temp_path ${t}/fastcgi;`,
    `uwsgi_temp_path ${t}/uwsgi;`,
    `scgi_temp_path ${t}/scgi;`,
    server,
    "}",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(t, "nginx.conf"), conf);
  const errorLog = () => {
    try {
      return fs.readFileSync(path.join(t, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  const child = spawn(NGINX, ["-p", t, "-c", path.join(t, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, "SIGTERM"); // nginx's fast shutdown; its master stops its worker
      await exited;
    }
    children.delete(child);
    removeDir(t);
  };
  try {
    await until(
      () =>
        new Promise((resolve, reject) => {
          if (child.exitCode !== null) return reject(new Error(`nginx exited with ${child.exitCode}: ${stderr}${errorLog()}`));
          const s = net.connect(port, "127.0.0.1");
          s.once("connect", () => (s.destroy(), resolve(true)));
          s.once("error", () => resolve(false));
        }),
      `nginx to listen on 127.0.0.1:${port}`,
    );
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n${stderr}${errorLog()}`);
  }
  return { origin: `http://127.0.0.1:${port}`, pid: child.pid, errorLog, stop };
}

/**
 * Debian's Chromium, headless, with a fresh profile that is removed on close.
 * Returns the puppeteer Browser with an extra `dispose()`.
 */
async function launchBrowser() {
  if (!isFile(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/test.sh does) or set CHROMIUM`);
  }
  const profile = tempDir("fascia-chromium-");
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true, // --headless=new: the only headless mode Chromium >= 132 has
      userDataDir: profile,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--font-render-hinting=none",
      ],
      protocolTimeout: 60_000,
    });
  } catch (e) {
    removeDir(profile);
    throw e;
  }
  browser.dispose = async () => {
    try {
      await browser.close();
    } finally {
      removeDir(profile);
    }
  };
  return browser;
}

/**
 * Record a page's console errors, uncaught exceptions, failed requests and
 * error responses. `allow(url, status)` returns true for an error response
 * that is expected (the 404 page's own status).
 */
function watchPage(page, { allow = () => false } = {}) {
  const problems = [];
  const allowedUrls = new Set();
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const loc = m.location() || {};
    // Chromium logs the expected 404 of the page itself as a console error too.
    if (loc.url && allowedUrls.has(loc.url) && /status of 404/.test(m.text())) return;
    problems.push(`console error: ${m.text()}${loc.url ? ` (${loc.url}:${loc.lineNumber ?? ""})` : ""}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught exception: ${e.message || e}`));
  page.on("requestfailed", (r) => {
    const why = r.failure() ? r.failure().errorText : "failed";
    problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on("response", (r) => {
    const status = r.status();
    if (status < 400) return;
    if (allow(r.url(), status)) {
      allowedUrls.add(r.url());
      return;
    }
    problems.push(`HTTP ${status}: ${r.url()}`);
  });
  return problems;
}

let axeSource = null;
/** Run the vendored axe-core in the page; returns the violations. */
async function runAxe(page, options = {}) {
  if (axeSource === null) axeSource = fs.readFileSync(AXE_SOURCE, "utf8");
  // Runtime.evaluate is not subject to the page's CSP, a <script> tag would be.
  await page.evaluate(axeSource);
  return page.evaluate(async (opts) => {
    const r = await window.axe.run(document, opts);
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html, summary: n.failureSummary })),
    }));
  }, options);
}

/** Human-readable list of axe violations, for assertion messages. */
function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 6)
        .map((n) => `    - ${n.target}\n      ${n.html.slice(0, 200)}\n      ${(n.summary || "").replace(/\n/g, "\n      ")}`)
        .join("\n");
      const more = v.nodes.length > 6 ? `\n    … and ${v.nodes.length - 6} more` : "";
      return `  ${v.id} (${v.impact}): ${v.help} [${v.nodes.length} node(s)]\n${nodes}${more}`;
    })
    .join("\n");
}

/** Wait until `predicate()` is true, polling; throws with `what` on timeout. */
async function until(predicate, what, { timeout = 10_000, interval = 50 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

module.exports = {
  ROOT,
  CHROMIUM,
  CSP,
  SCREENSHOTS,
  tempDir,
  removeDir,
  fascia,
  freePort,
  serveStatic,
  buildAndServe,
  startNginx,
  launchBrowser,
  watchPage,
  runAxe,
  formatViolations,
  until,
};
