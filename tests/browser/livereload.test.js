// `fascia serve` live reload in headless Chromium (issue 7): a content edit
// reloads the page by itself and keeps the scroll position, a stylesheet edit
// is swapped in without a reload, and a broken build shows an overlay naming
// file and line until it is fixed. Works on a copy of site/ and themes/.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");
const lib = require("./lib");

const PAGE = "/techniques/iastm/";
const TOLERANCE = 30; // px the restored scroll position may differ by

let tmp;
let server; // { child, origin, log() }
let browser;
let page;
let problems;
let contentFile;
let cssFile;

/**
 * Start `fascia serve` on `root` and resolve with its origin, read from the
 * "Serving … at http://127.0.0.1:PORT/" line on stderr.
 */
async function startServe(root) {
  const port = await lib.freePort();
  const child = spawn(lib.fascia(), ["serve", "--root", root, "--port", String(port)], {
    cwd: path.dirname(root),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fascia serve did not start within 60 s:\n${output}`)), 60_000);
    const look = () => {
      const m = output.match(/Serving .* at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stderr.on("data", look);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`fascia serve exited (${code ?? signal}) before serving:\n${output}`));
    });
  });
  return { child, origin, log: () => output };
}

/** Stop the server this test started, by its PID; SIGKILL if it lingers. */
async function stopServe(s) {
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.once("exit", r));
  process.kill(s.child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (s.child.exitCode === null && s.child.signalCode === null) process.kill(s.child.pid, "SIGKILL");
  }, 3000);
  await exited;
  clearTimeout(timer);
}

// Never leave the server behind, even when the runner is interrupted.
process.on("exit", () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    try {
      process.kill(server.child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
});

before(async () => {
  tmp = lib.tempDir("fascia-live-");
  // Same layout as the repository: the generator finds the theme in ../themes.
  fs.cpSync(path.join(lib.ROOT, "site"), path.join(tmp, "site"), {
    recursive: true,
    filter: (src) => path.relative(path.join(lib.ROOT, "site"), src) !== "public",
  });
  fs.cpSync(path.join(lib.ROOT, "themes"), path.join(tmp, "themes"), { recursive: true });
  contentFile = path.join(tmp, "site", "content", "techniques", "iastm.md");
  cssFile = path.join(tmp, "themes", "fibre", "static", "fibre.css");
  server = await startServe(path.join(tmp, "site"));
  browser = await lib.launchBrowser();
  page = await browser.newPage();
  problems = lib.watchPage(page);
  await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
  const events = page.waitForResponse((r) => new URL(r.url()).pathname === "/__fascia/events", { timeout: 15_000 });
  const response = await page.goto(server.origin + PAGE, { waitUntil: "load" });
  assert.equal(response.status(), 200);
  await events; // the live-reload stream is open
});

after(async () => {
  try {
    if (browser) await browser.dispose();
  } finally {
    try {
      await stopServe(server);
    } finally {
      lib.removeDir(tmp);
    }
  }
});

/**
 * In the page: for each element of the error overlay that holds text, its
 * computed text colour and the colour behind it (its own background and its
 * ancestors', composited from the first opaque one up), and their WCAG 2
 * contrast ratio.
 */
function overlayContrast() {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) throw new Error(`unexpected colour ${c}`);
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, below) => ({
    r: top.r * top.a + below.r * (1 - top.a),
    g: top.g * top.a + below.g * (1 - top.a),
    b: top.b * top.a + below.b * (1 - top.a),
    a: 1,
  });
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    // The canvas under everything is white.
    let color = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const luminance = ({ r, g, b }) => {
    const lin = (v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const css = ({ r, g, b }) => `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
  const overlay = document.getElementById("fascia-error-overlay");
  const withText = [overlay, ...overlay.querySelectorAll("*")].filter((el) =>
    [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== ""),
  );
  return withText.map((el) => {
    const bg = behind(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return { tag: el.tagName.toLowerCase(), color: css(fg), background: css(bg), ratio: (hi + 0.05) / (lo + 0.05) };
  });
}

/** Wait for `fn` in the page; on timeout, fail with the server's output. */
async function waitInPage(fn, what, arg) {
  try {
    await page.waitForFunction(fn, { timeout: 20_000, polling: 50 }, arg);
  } catch (e) {
    throw new Error(`${what}: ${e.message}\n--- fascia serve output ---\n${server.log().slice(-4000)}`);
  }
}

test("live reload: a content edit shows up without reloading by hand, scroll position kept", async (t) => {
  const marker = `live-reload-marker-${process.pid}-${Date.now()}`;
  const y = await page.evaluate(() => {
    // fibre.css asks for smooth scrolling; the test's own scroll is instant.
    window.scrollTo({ top: Math.min(1500, document.documentElement.scrollHeight - innerHeight), behavior: "instant" });
    window.__marker = 1;
    // Leave the restoring to live.js, not to the browser's own history.
    history.scrollRestoration = "manual";
    return window.scrollY;
  });
  assert.ok(y > 300, `the page scrolls (scrollY ${y})`);
  // In the reloaded page: the position just after live.js's own load handler
  // has run. An instant restore is already there; a smooth one (fibre.css sets
  // scroll-behavior: smooth) would only have started to move.
  await page.evaluateOnNewDocument(() => {
    addEventListener("load", () => setTimeout(() => (window.__scrollAfterLoad = scrollY), 0));
  });

  fs.appendFileSync(contentFile, `\n\nA paragraph added by the live-reload test: ${marker}.\n`);
  await waitInPage((m) => document.body && document.body.innerText.includes(m), "the new paragraph appears", marker);
  assert.equal(await page.evaluate(() => window.__marker), undefined, "the page reloaded itself (its HTML changed)");

  // live.js restores the position on load; wait until it stops moving anyway.
  await waitInPage(() => document.readyState === "complete", "the reloaded page finishes loading");
  let restored = -1;
  let previous = -2;
  await lib.until(
    async () => {
      previous = restored;
      restored = await page.evaluate(() => window.scrollY);
      return restored === previous && restored > 0;
    },
    "the scroll position to settle",
    { timeout: 5000, interval: 250 },
  ).catch(() => {});
  const atLoad = await page.evaluate(() => window.__scrollAfterLoad);
  t.diagnostic(`scrollY ${y} before the edit, ${atLoad} right after load, ${restored} once settled`);
  assert.ok(Math.abs(restored - y) <= TOLERANCE, `scrollY after the reload is ${restored}, was ${y} (±${TOLERANCE})`);
  assert.ok(Math.abs(atLoad - y) <= TOLERANCE, `the position is restored at once, not animated: scrollY ${atLoad} right after load, want ${y}`);
});

test("live reload: a stylesheet edit is applied in place, without a reload", async () => {
  const outline = () => page.evaluate(() => getComputedStyle(document.body).outlineColor);
  assert.notEqual(await outline(), "rgb(1, 2, 3)");
  await page.evaluate(() => {
    window.__marker = 1;
  });
  fs.appendFileSync(cssFile, "\nbody{outline:3px solid rgb(1, 2, 3)}\n");
  await waitInPage(() => getComputedStyle(document.body).outlineColor === "rgb(1, 2, 3)", "the new CSS rule applies");
  assert.equal(await page.evaluate(() => window.__marker), 1, "the page was not reloaded (window.__marker survived)");
});

test("live reload: a front-matter error shows an overlay with file and line, gone once fixed", async (t) => {
  const good = fs.readFileSync(contentFile, "utf8");
  assert.match(good, /^weight = 10$/m);
  fs.writeFileSync(contentFile, good.replace(/^weight = 10$/m, "weight = = 1"));
  await waitInPage(() => !!document.getElementById("fascia-error-overlay"), "#fascia-error-overlay appears");
  const text = await page.$eval("#fascia-error-overlay", (el) => el.innerText);
  assert.match(text, /content\/techniques\/iastm\.md:\d+/, `the overlay names the file and line:\n${text}`);
  t.diagnostic(`overlay: ${text.replace(/\s+/g, " ").slice(0, 200)}`);

  // What a person sees, not just what the DOM holds: the WCAG contrast of
  // every piece of the overlay's text against the background actually
  // behind it, in both colour schemes of the theme.
  for (const scheme of ["light", "dark"]) {
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    const measured = await page.evaluate(overlayContrast);
    assert.ok(measured.length >= 2, `the title and at least one error are measured (${scheme})`);
    for (const m of measured) {
      t.diagnostic(`${scheme}: <${m.tag}> ${m.color} on ${m.background}: ${m.ratio.toFixed(2)}:1`);
      assert.ok(m.ratio >= 4.5, `${scheme} scheme: <${m.tag}> text ${m.color} on ${m.background} has contrast ${m.ratio.toFixed(2)}:1, under 4.5:1`);
    }
  }
  await page.emulateMediaFeatures([]);

  fs.writeFileSync(contentFile, good);
  await waitInPage(() => !document.getElementById("fascia-error-overlay"), "the overlay goes away after the fix");
  // The page is the last good build again.
  assert.match(await page.evaluate(() => document.body.innerText), /live-reload-marker-/);
});

test("live reload: the page logged no errors and no request failed", (t) => {
  // The reloads abort the event stream of the page they replace; that is expected.
  const real = problems.filter((p) => !(p.includes("/__fascia/events") && /ERR_ABORTED/.test(p)));
  if (real.length !== problems.length) t.diagnostic(`expected: ${problems.filter((p) => !real.includes(p)).join("; ")}`);
  assert.deepEqual(real, [], real.join("\n"));
});
