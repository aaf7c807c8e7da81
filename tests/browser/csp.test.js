// The public site (issue: public site) behind the repository's own nginx
// configuration (deploy/nginx.conf + deploy/fascia-security-headers.conf),
// in headless Chromium: every page of the sitemap (and the few pages the
// sitemap leaves out on purpose) loads under the Content-Security-Policy the
// host sends, with no violation, no console error, no failed request and no
// request to any other origin. Search, the theme toggle and the phone menu
// are then exercised under that policy, and a missing URL gets the site's 404
// page with status 404.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const lib = require("./lib");

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

// HTML pages the build writes but leaves out of sitemap.xml, on purpose.
const NOT_IN_SITEMAP = new Map([
  ["/404.html", "the not-found page, served by nginx for missing URLs (checked below)"],
  ["/search/", "search results are not content for search engines"],
  ["/print/", "the print edition repeats every page on one page (a duplicate)"],
  ["/fr/search/", "the French search page, as /search/"],
  ["/fr/print/", "the French print edition, as /print/"],
  ["/fr/404.html", "the French not-found page, served by nginx for missing URLs below /fr/ (checked below)"],
]);

let tmp;
let out;
let nginx;
let origin;
let browser;

before(async () => {
  tmp = lib.tempDir("fascia-csp-");
  // Run as root, nginx's worker reads files as "nobody": let it through the 0700 temp folder.
  fs.chmodSync(tmp, 0o755);
  out = path.join(tmp, "public");
  const port = await lib.freePort();
  origin = `http://127.0.0.1:${port}`;
  const args = ["build", "--root", path.join(lib.ROOT, "site"), "-o", out, "--base-url", origin];
  const r = spawnSync(lib.fascia(), args, { cwd: lib.ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`fascia ${args.join(" ")} failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
  nginx = await lib.startNginx({ root: out, port });
  browser = await lib.launchBrowser();
});

after(async () => {
  if (browser) await browser.dispose();
  if (nginx) await nginx.stop();
  lib.removeDir(tmp);
});

/**
 * A tab that records, beside lib.watchPage's problems (console errors,
 * uncaught exceptions, failed requests, error statuses), every request to
 * another origin and every `securitypolicyviolation` event of every document
 * it loads (the listener is installed before any page script runs).
 */
async function newTab({ viewport = DESKTOP, context = browser, allow } = {}) {
  const page = await context.newPage();
  const problems = lib.watchPage(page, { allow });
  page.on("request", (r) => {
    const url = r.url();
    if (url.startsWith("data:")) {
      problems.push(`request for a data: URL (not allowed by default-src 'self'): ${url.slice(0, 80)}`);
    } else if (new URL(url).origin !== origin) {
      problems.push(`request to another origin: ${r.method()} ${url}`);
    }
  });
  await page.evaluateOnNewDocument(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
    });
  });
  await page.setViewport({ ...viewport, deviceScaleFactor: 1 });
  return { page, problems };
}

/** Violations seen by the current document, after late work has had a moment to run. */
async function violations(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  return page.evaluate(() => window.__cspViolations.slice());
}

function assertPolicy(response, what) {
  const csp = response.headers()["content-security-policy"] || "";
  assert.ok(csp.includes("default-src 'self'"), `${what}: Content-Security-Policy is "${csp}"`);
}

/** Site paths of sitemap.xml (absolute URLs on the server's origin). */
function sitemapPaths() {
  const xml = fs.readFileSync(path.join(out, "sitemap.xml"), "utf8");
  const locs = Array.from(xml.matchAll(/<loc>([^<]+)<\/loc>/g), (m) => m[1].replace(/&amp;/g, "&"));
  for (const loc of locs) assert.ok(loc.startsWith(origin + "/"), `sitemap entry ${loc} is on ${origin}`);
  return locs.map((l) => l.slice(origin.length));
}

/** Site paths of every HTML file on disk (folder/index.html as folder/). */
function diskPaths() {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".html")) found.push("/" + path.relative(out, p).split(path.sep).join("/").replace(/(^|\/)index\.html$/, "$1"));
    }
  };
  walk(out);
  return found.sort();
}

test("every page of the sitemap (and /search/, /print/) loads through nginx under its CSP with no violation, error, failed or foreign request", async () => {
  const inSitemap = sitemapPaths();
  assert.ok(inSitemap.length >= 70, `the sitemap lists ${inSitemap.length} pages`);
  const onDisk = diskPaths();
  const missing = inSitemap.filter((p) => !onDisk.includes(p));
  assert.deepEqual(missing, [], "sitemap entries with no page");
  const left = onDisk.filter((p) => !inSitemap.includes(p));
  assert.deepEqual(left, Array.from(NOT_IN_SITEMAP.keys()).sort(), "pages the sitemap leaves out");
  const paths = inSitemap.concat(left.filter((p) => !p.endsWith("/404.html")));

  const { page, problems } = await newTab();
  const failures = [];
  try {
    for (const p of paths) {
      const before = problems.length;
      try {
        const response = await page.goto(origin + p, { waitUntil: "load", timeout: 15_000 });
        if (response.status() !== 200) failures.push(`${p}: status ${response.status()}`);
        const csp = response.headers()["content-security-policy"] || "";
        if (!csp.includes("default-src 'self'")) failures.push(`${p}: Content-Security-Policy is "${csp}"`);
        for (const v of await violations(page)) failures.push(`${p}: CSP violation: ${v}`);
        const h1 = await page.$$eval("h1", (hs) => hs.map((h) => h.textContent.trim()));
        if (h1.length !== 1 || !h1[0]) failures.push(`${p}: expected one non-empty <h1>, found ${JSON.stringify(h1)}`);
      } catch (e) {
        failures.push(`${p}: did not load: ${e.message}`);
      }
      for (const x of problems.slice(before)) failures.push(`${p}: ${x}`);
    }
  } finally {
    await page.close();
  }
  assert.deepEqual(failures, [], `${failures.length} problem(s) on ${paths.length} pages:\n  ${failures.join("\n  ")}`);
});

test("search under CSP: typing in the header box loads the index and lists results; the search page works", async () => {
  const { page, problems } = await newTab();
  try {
    const response = await page.goto(origin + "/techniques/iastm/", { waitUntil: "load" });
    assertPolicy(response, "/techniques/iastm/");
    await page.click("#q");
    await page.keyboard.type("grastn");
    await lib.until(() => page.evaluate(() => document.querySelectorAll("#q-listbox [role=option]").length > 0), "search results");
    const first = await page.$eval("#q-listbox [role=option]", (a) => a.href);
    assert.equal(first, `${origin}/techniques/graston-technique/`);
    assert.equal(await page.$eval(".search-popup", (p) => p.hidden), false, "the list is shown");
    // The search stylesheet applied: the popup is positioned over the page.
    assert.equal(await page.$eval(".search-popup", (p) => getComputedStyle(p).position), "absolute");
    assert.deepEqual(await violations(page), []);

    const r2 = await page.goto(origin + "/search/?q=dry%20needling", { waitUntil: "load" });
    assertPolicy(r2, "/search/");
    await lib.until(() => page.evaluate(() => document.querySelectorAll(".search-results li").length > 0), "results on /search/");
    assert.equal(await page.$eval(".search-results a", (a) => a.href), `${origin}/techniques/dry-needling/`);
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(problems, [], problems.join("\n"));
  } finally {
    await page.close();
  }
});

test("theme toggle under CSP: dark on click, still dark after a reload", async () => {
  const context = await browser.createBrowserContext();
  try {
    const { page, problems } = await newTab({ context });
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
    await page.goto(origin + "/conditions/neck-pain/", { waitUntil: "load" });
    const read = () =>
      page.evaluate(() => ({
        theme: document.documentElement.getAttribute("data-theme"),
        pressed: document.querySelector(".theme-toggle").getAttribute("aria-pressed"),
        bg: getComputedStyle(document.body).backgroundColor,
      }));
    const lum = (rgb) => {
      const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    assert.ok(lum((await read()).bg) > 128, "light to start with");
    await page.click(".theme-toggle");
    const dark = await read();
    assert.deepEqual([dark.theme, dark.pressed], ["dark", "true"]);
    assert.ok(lum(dark.bg) < 80, `dark background, got ${dark.bg}`);
    await page.reload({ waitUntil: "load" });
    assert.deepEqual(await read(), dark, "the same after a reload");
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(problems, [], problems.join("\n"));
  } finally {
    await context.close();
  }
});

test("phone menu under CSP at 390 px: the button opens the sidebar and Esc closes it", async () => {
  const { page, problems } = await newTab({ viewport: PHONE });
  try {
    await page.goto(origin + "/techniques/astym/", { waitUntil: "load" });
    const state = () =>
      page.evaluate(() => {
        const nav = document.getElementById("site-nav");
        const r = nav.getBoundingClientRect();
        const cs = getComputedStyle(nav);
        return {
          expanded: document.querySelector(".menu-button").getAttribute("aria-expanded"),
          visible: cs.display !== "none" && cs.visibility !== "hidden" && r.width > 0 && r.height > 0 && r.left < innerWidth && r.right > 0,
        };
      });
    assert.deepEqual(await state(), { expanded: "false", visible: false });
    await page.click(".menu-button");
    await lib.until(async () => (await state()).expanded === "true", "the menu to open", { timeout: 3000 });
    assert.equal((await state()).visible, true, "the sidebar shows");
    // A link in the open menu is really clickable (on top, not under a backdrop).
    const onTop = await page.evaluate(() => {
      const a = document.querySelector('#site-nav a[href$="/techniques/iastm/"]');
      a.scrollIntoView({ block: "center", behavior: "instant" });
      const r = a.getBoundingClientRect();
      return a.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    });
    assert.equal(onTop, true);
    await page.keyboard.press("Escape");
    await lib.until(async () => (await state()).expanded === "false", "the menu to close", { timeout: 3000 });
    assert.equal((await state()).visible, false);
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(problems, [], problems.join("\n"));
  } finally {
    await page.close();
  }
});

test("a missing URL: status 404, the site's own 404 page (below /fr/, the French one), styled, under CSP, with no violation", async () => {
  const titleOf = (file) => fs.readFileSync(path.join(out, file), "utf8").match(/<title>([^<]*)<\/title>/)[1];
  const english = titleOf("404.html");
  const french = titleOf("fr/404.html");
  assert.notEqual(english, french);
  for (const p of ["/no-such-page/", "/techniques/no-such-technique/deeper/", "/missing.html", "/404.html", "/fr/nulle-part/", "/fr/techniques/x/"]) {
    const title = p.startsWith("/fr/") ? french : english;
    const url = origin + p;
    const { page, problems } = await newTab({ allow: (u, status) => u === url && status === 404 });
    try {
      const response = await page.goto(url, { waitUntil: "load" });
      assert.equal(response.status(), 404, `${p}: status`);
      assertPolicy(response, p);
      assert.equal(await page.title(), title.replace(/&#39;/g, "'").replace(/&amp;/g, "&"), `${p}: the site's 404 page`);
      const h1 = await page.$eval("h1", (h) => h.textContent.trim());
      assert.ok(h1.length > 0, `${p}: it has a heading`);
      // Its stylesheet and scripts load from any depth (absolute URLs): the header is styled, the toggle works.
      assert.equal(await page.$eval(".visually-hidden", (e) => getComputedStyle(e).position), "absolute", `${p}: fibre.css applies`);
      const pressed = () => page.$eval(".theme-toggle", (b) => b.getAttribute("aria-pressed"));
      const was = await pressed();
      await page.click(".theme-toggle");
      assert.notEqual(await pressed(), was, `${p}: fibre.js runs (the toggle answers)`);
      assert.deepEqual(await violations(page), [], `${p}: CSP violations`);
      assert.deepEqual(problems, [], `${p}:\n${problems.join("\n")}`);
    } finally {
      await page.close();
    }
  }
});
