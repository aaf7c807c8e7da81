// The offline edition (issue: offline edition) in headless Chromium, opened
// the way a student opens it: `fascia build --offline --zip site.zip`, the zip
// unpacked into a folder, and that folder's index.html opened from file://,
// with no server and no network. Every page reachable from the home page is
// crawled; then search, the dark toggle, the contents links and a comparison
// table are exercised from file://.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { pathToFileURL, fileURLToPath } = require("node:url");
const lib = require("./lib");

const DESKTOP = { width: 1280, height: 900 };

// HTML files in the output that no page links to, on purpose. Keep this list
// short and say why for each one.
const UNLINKED = new Map([
  // A host serves it for a missing URL; offline there is no host, and a link
  // to a "not found" page from the encyclopedia would make no sense.
  ["404.html", "the host's not-found page"],
  ["fr/404.html", "the host's not-found page for addresses below /fr/"],
]);

let tmp;
let built; // the folder `fascia build` wrote
let dir; // the folder the zip was unpacked into: everything below uses this copy
let rootUrl; // file:///.../unzipped/<site>/ (with the trailing slash)
let browser;

/** Every file below `base`, as sorted relative paths with "/" separators. */
function listFiles(base) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(base, p).split(path.sep).join("/"));
    }
  };
  walk(base);
  return out.sort();
}

/** file:// URL of a file of the unpacked edition, from its relative path. */
const fileUrl = (rel) => pathToFileURL(path.join(dir, rel)).href;

/** Relative path inside the unpacked edition of a file:// URL, or null if outside it. */
function relPath(url) {
  const u = new URL(url);
  if (u.protocol !== "file:") return null;
  u.hash = "";
  u.search = "";
  const p = fileURLToPath(u.href);
  if (p !== dir && !p.startsWith(dir + path.sep)) return null;
  return path.relative(dir, p).split(path.sep).join("/");
}

before(async () => {
  tmp = lib.tempDir("fascia-offline-");
  built = path.join(tmp, "out");
  const zip = path.join(tmp, "site.zip");
  const args = ["build", "--offline", "--zip", zip, "-o", built, "--root", path.join(lib.ROOT, "site")];
  const r = spawnSync(lib.fascia(), args, { cwd: lib.ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`fascia ${args.join(" ")} failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
  // Python's zipfile (python3 is installed by scripts/test.sh) unpacks it:
  // an independent reader, not the code that wrote it.
  const unzipped = path.join(tmp, "unzipped");
  const u = spawnSync("python3", ["-m", "zipfile", "-e", zip, unzipped], { encoding: "utf8" });
  if (u.error || u.status !== 0) throw new Error(`unzip failed:\n${u.error || ""}${u.stdout}${u.stderr}`);
  // Everything sits in one folder named after the site, not loose in the
  // folder it is unpacked into.
  const top = fs.readdirSync(unzipped);
  assert.equal(top.length, 1, `the zip unpacks into one folder, not ${top.length} entries: ${top.join(", ")}`);
  assert.ok(fs.statSync(path.join(unzipped, top[0])).isDirectory(), `${top[0]} is a folder`);
  dir = fs.realpathSync(path.join(unzipped, top[0]));
  rootUrl = pathToFileURL(dir).href + "/";
  browser = await lib.launchBrowser();
});

after(async () => {
  if (browser) await browser.dispose();
  lib.removeDir(tmp);
});

/**
 * A new tab (in `context`, default the shared one) that records problems:
 * lib.watchPage's console errors, uncaught exceptions and failed requests,
 * plus any request that leaves the unpacked folder (the network, or a file
 * outside the edition).
 */
async function newTab(context = browser) {
  const page = await context.newPage();
  const problems = lib.watchPage(page);
  page.on("request", (r) => {
    const url = r.url();
    if (url.startsWith("data:") || url === "about:blank") return;
    if (!url.startsWith(rootUrl)) problems.push(`request outside the offline folder: ${r.method()} ${url}`);
  });
  await page.setViewport({ ...DESKTOP, deviceScaleFactor: 1 });
  return { page, problems };
}

/** Let deferred work (fibre.js, observers, late requests) run and complain. */
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));

test("the zip holds exactly the files of the built folder, byte for byte", () => {
  // .fascia-output marks a folder fascia wrote (so it may replace it); it is not part of the edition.
  const a = listFiles(built).filter((f) => f !== ".fascia-output");
  const b = listFiles(dir);
  assert.deepEqual(b, a, "same file list");
  for (const rel of a) {
    assert.ok(fs.readFileSync(path.join(built, rel)).equals(fs.readFileSync(path.join(dir, rel))), `${rel} is identical`);
  }
});

test("crawl from file://index.html: every reachable page loads cleanly, has an <h1>, every #fragment exists, every page is reached", async () => {
  const { page, problems } = await newTab();
  const failures = [];
  const queue = ["index.html"];
  const seen = new Set(queue);
  const ids = new Map(); // page -> Set of ids (and a[name]) on it
  const fragments = []; // [from page, target page, id]
  const files = new Set(); // non-HTML files linked with <a href>
  try {
    while (queue.length) {
      const rel = queue.shift();
      const url = fileUrl(rel);
      const before = problems.length;
      let info;
      try {
        await page.goto(url, { waitUntil: "load", timeout: 15_000 });
        await settle(page);
        info = await page.evaluate(() => ({
          url: location.href,
          h1: Array.from(document.querySelectorAll("h1"), (h) => h.textContent.trim()),
          title: document.title,
          ids: Array.from(document.querySelectorAll("[id], a[name]"), (e) => e.id || e.getAttribute("name")),
          // getAttribute + baseURI, not a.href: the link map's <a> elements are SVG ones.
          links: Array.from(document.querySelectorAll("a[href]"), (a) => {
            const raw = a.getAttribute("href");
            let href = null;
            try {
              href = new URL(raw, document.baseURI).href;
            } catch {
              /* reported below */
            }
            return { raw, href };
          }),
          // GET forms navigate too: the header search box submits to the offline search page.
          forms: Array.from(document.querySelectorAll("form[action]"), (f) => ({ raw: f.getAttribute("action"), href: f.action })),
          // What the page loads (stylesheets, scripts, images, icons): all must be in the folder.
          assets: Array.from(document.querySelectorAll("link[href], script[src], img[src], source[src], iframe[src]"), (e) => e.href || e.src),
        }));
      } catch (e) {
        failures.push(`${rel}: did not load: ${e.message}`);
        continue;
      }
      for (const p of problems.slice(before)) failures.push(`${rel}: ${p}`);
      if (info.url !== url) failures.push(`${rel}: ended up at ${info.url}`);
      if (info.h1.length !== 1 || !info.h1[0]) failures.push(`${rel}: expected one non-empty <h1>, found ${JSON.stringify(info.h1)}`);
      if (!info.title) failures.push(`${rel}: empty <title>`);
      ids.set(rel, new Set(info.ids));
      for (const asset of info.assets) {
        if (!/^file:/.test(asset)) {
          // The canonical and alternate links name the public site on purpose; nothing else may.
          continue;
        }
        const a = relPath(asset);
        if (a === null) failures.push(`${rel}: loads ${asset}, outside the offline folder`);
        else if (!fs.existsSync(path.join(dir, a)) || !fs.statSync(path.join(dir, a)).isFile()) failures.push(`${rel}: loads missing ${a}`);
      }
      for (const { raw, href } of info.links.concat(info.forms)) {
        if (href === null) {
          failures.push(`${rel}: link ${JSON.stringify(raw)} is not a valid URL`);
          continue;
        }
        const u = new URL(href);
        if (u.protocol !== "file:") continue; // http(s) links leave the encyclopedia; mailto: etc.
        const target = relPath(href);
        if (target === null) {
          failures.push(`${rel}: link ${raw} leads outside the offline folder (${href})`);
          continue;
        }
        const abs = path.join(dir, target);
        if (!fs.existsSync(abs)) {
          failures.push(`${rel}: broken link ${raw} (no ${target})`);
          continue;
        }
        if (fs.statSync(abs).isDirectory()) {
          failures.push(`${rel}: link ${raw} names a folder; from file:// it must name index.html`);
          continue;
        }
        if (u.hash.length > 1) fragments.push([rel, target, decodeURIComponent(u.hash.slice(1)), raw]);
        if (/\.html$/.test(target)) {
          if (!seen.has(target)) {
            seen.add(target);
            queue.push(target);
          }
        } else {
          files.add(target);
        }
      }
    }

    for (const [from, target, id, raw] of fragments) {
      const have = ids.get(target);
      if (have && !have.has(id)) failures.push(`${from}: link ${raw}: no id "${id}" on ${target}`);
    }

    const onDisk = listFiles(dir).filter((f) => f.endsWith(".html"));
    const missed = onDisk.filter((f) => !seen.has(f) && !UNLINKED.has(f));
    if (missed.length) failures.push(`pages not reachable from index.html: ${missed.join(", ")}`);
    for (const f of UNLINKED.keys()) {
      if (!onDisk.includes(f)) failures.push(`UNLINKED names ${f}, which the build no longer writes`);
      if (seen.has(f)) failures.push(`UNLINKED names ${f}, but it is linked: take it off the list`);
    }

    assert.deepEqual(failures, [], `${failures.length} problem(s) crawling ${seen.size} pages:\n  ${failures.join("\n  ")}`);
    // Sanity: the crawl did real work.
    assert.ok(seen.size >= 60, `crawled ${seen.size} pages`);
    assert.ok(fragments.length > 100, `checked ${fragments.length} links with a #fragment`);
  } finally {
    await page.close();
  }
});

/** Type into the header search box and wait until the list answers. */
async function typeQuery(page, q) {
  await page.click("#q", { clickCount: 3 });
  await page.keyboard.type(q);
  await lib.until(
    () =>
      page.evaluate((q) => {
        const status = document.querySelector(".search-form [role=status]");
        return !!status && status.textContent.includes(`\u201c${q}\u201d`) && document.querySelectorAll("#q-listbox [role=option]").length > 0;
      }, q),
    `results for "${q}"`,
  );
}

test("search from file://: a misspelt query finds Graston first; ArrowDown+Enter opens it; Enter alone opens the search page", async () => {
  const { page, problems } = await newTab();
  try {
    await page.goto(fileUrl("index.html"), { waitUntil: "load" });
    await typeQuery(page, "grastn");
    const hrefs = await page.$$eval("#q-listbox [role=option]", (els) => els.map((a) => a.href));
    assert.equal(hrefs[0], fileUrl("techniques/graston-technique/index.html"), `first result; got ${hrefs.join(", ")}`);
    await page.keyboard.press("ArrowDown");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
    assert.equal(page.url(), fileUrl("techniques/graston-technique/index.html"));
    assert.match(await page.$eval("h1", (h) => h.textContent), /Graston/);

    // Without choosing a result, Enter submits the form: the offline search page, with the query.
    await typeQuery(page, "grastn");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
    assert.equal(page.url(), fileUrl("search/index.html") + "?q=grastn");
    await lib.until(() => page.evaluate(() => document.querySelectorAll(".search-results li a").length > 0), "results on the search page");
    const first = await page.$eval(".search-results li a", (a) => a.href);
    assert.equal(first, fileUrl("techniques/graston-technique/index.html"));
    await settle(page);
    assert.deepEqual(problems, [], problems.join("\n"));
  } finally {
    await page.close();
  }
});

test("dark toggle from file://: the choice survives following a link to another page", async () => {
  const context = await browser.createBrowserContext(); // its own, empty, localStorage
  try {
    const { page, problems } = await newTab(context);
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
    await page.goto(fileUrl("techniques/iastm/index.html"), { waitUntil: "load" });
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
    const start = await read();
    assert.equal(start.pressed, "false");
    assert.ok(lum(start.bg) > 128, `light to start with, got ${start.bg}`);
    await page.click(".theme-toggle");
    const dark = await read();
    assert.equal(dark.theme, "dark");
    assert.ok(lum(dark.bg) < 80, `dark after the click, got ${dark.bg}`);

    // Follow a real link (the site title, back to the home page).
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(".site-title")]);
    assert.equal(page.url(), fileUrl("index.html"));
    const after = await read();
    assert.equal(after.theme, "dark", "data-theme is still dark on the next page");
    assert.equal(after.pressed, "true");
    assert.equal(after.bg, dark.bg);

    // And back to light, remembered too.
    await page.click(".theme-toggle");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click('.card a[href="techniques/index.html"]')]);
    const light = await read();
    assert.equal(light.theme, "light");
    assert.ok(lum(light.bg) > 128, `light again, got ${light.bg}`);
    assert.deepEqual(problems, [], problems.join("\n"));
  } finally {
    await context.close();
  }
});

test("contents from file://: every link of a technique page's table of contents scrolls its heading into view", async () => {
  const { page, problems } = await newTab();
  try {
    const url = fileUrl("techniques/iastm/index.html");
    await page.goto(url, { waitUntil: "load" });
    const targets = await page.$$eval(".toc a[href^='#']", (as) => as.map((a) => a.getAttribute("href").slice(1)));
    assert.ok(targets.length >= 8, `the contents list ${targets.length} links`);
    // Go through them bottom-up so every click really has to scroll.
    for (const id of targets.reverse()) {
      await page.click(`.toc a[href="#${id}"]`);
      await lib.until(
        () =>
          page.evaluate((id) => {
            const el = document.getElementById(id);
            if (!el || location.hash !== "#" + id) return false;
            const top = el.getBoundingClientRect().top;
            const header = document.querySelector(".site-header").getBoundingClientRect().bottom;
            const atEnd = innerHeight + scrollY >= document.documentElement.scrollHeight - 2;
            // Just below the sticky header (html's scroll-padding-top is its height + 1rem),
            // or as far down as the page can scroll, and on screen either way.
            return top >= header - 1 && top < innerHeight - 40 && (top < header + 40 || atEnd);
          }, id),
        `#${id} scrolled into view`,
        { timeout: 5000 },
      );
      assert.equal(page.url(), `${url}#${id}`);
    }
    assert.deepEqual(problems, [], problems.join("\n"));
  } finally {
    await page.close();
  }
});

test("comparison from file://: the side-by-side table renders with a column per compared technique", async () => {
  const { page, problems } = await newTab();
  try {
    await page.goto(fileUrl("comparisons/iastm-graston-astym/index.html"), { waitUntil: "load" });
    const t = await page.$eval("table.comparison", (table) => {
      const r = table.getBoundingClientRect();
      const scroller = table.closest(".comparison-scroll");
      return {
        width: r.width,
        height: r.height,
        heads: Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim()),
        headLinks: Array.from(table.querySelectorAll("thead th a"), (a) => a.href),
        rows: Array.from(table.querySelectorAll("tbody tr"), (tr) => ({
          fact: tr.querySelector("th").textContent.trim(),
          cells: Array.from(tr.querySelectorAll("td"), (td) => td.textContent.trim()),
        })),
        // The theme's stylesheet applies (the wrapper scrolls sideways, cells have padding).
        overflowX: scroller && getComputedStyle(scroller).overflowX,
        padding: parseFloat(getComputedStyle(table.querySelector("td")).paddingLeft),
      };
    });
    assert.equal(t.heads.length, 4, `a fact column and three techniques: ${t.heads.join(" | ")}`);
    assert.match(t.heads[1], /IASTM/);
    assert.match(t.heads[2], /Graston/);
    assert.match(t.heads[3], /Astym/);
    assert.deepEqual(t.headLinks, [
      fileUrl("techniques/iastm/index.html"),
      fileUrl("techniques/graston-technique/index.html"),
      fileUrl("techniques/astym/index.html"),
    ]);
    assert.ok(t.rows.length >= 10, `${t.rows.length} facts compared`);
    for (const row of t.rows) {
      assert.equal(row.cells.length, 3, `row "${row.fact}" has a cell per technique`);
      assert.ok(row.cells.every((c) => c.length > 0), `row "${row.fact}" has no empty cell`);
    }
    assert.ok(t.width > 600 && t.height > 300, `the table is laid out (${t.width}x${t.height})`);
    assert.equal(t.overflowX, "auto");
    assert.ok(t.padding > 0);
    assert.deepEqual(problems, [], problems.join("\n"));
  } finally {
    await page.close();
  }
});
