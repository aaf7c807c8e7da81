// Search per language (issue 23) in headless Chromium, on a small site in
// English (the default) and French written here, built as the offline edition
// and opened both over http://127.0.0.1 (under the strict CSP of
// lib.serveStatic) and from file://: a French page searches the French index
// (stemmed the French way: "aiguille" finds the page that says "aiguilles")
// and never lists English pages; an English page searches the English index,
// where French-only words find nothing; each loads its own language's
// stemmer only; the French search page links the same query in English.
"use strict";

const { test, before, after, describe } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { pathToFileURL } = require("node:url");
const lib = require("./lib");

const FILES = {
  "config.toml": `title = "Handbook"
base_url = "https://example.org"
theme = "fibre"
themes_dir = ${JSON.stringify(path.join(lib.ROOT, "themes"))}
default_language = "en"

[languages.fr]
title = "Manuel"
`,
  "content/_index.md": `+++\ntitle = "Handbook"\n+++\nA small handbook about [[Dry needling]] and [[Cupping]].\n`,
  "content/_index.fr.md": `+++\ntitle = "Manuel"\n+++\nUn petit manuel sur la [puncture sèche](@/notes/needling.md) et le [raclage](@/notes/raclage.fr.md).\n`,
  "content/notes/_index.md": `+++\ntitle = "Notes"\n+++\n`,
  "content/notes/_index.fr.md": `+++\ntitle = "Notes"\n+++\n`,
  "content/notes/needling.md": `+++\ntitle = "Dry needling"\n+++\nDry needling treats a trigger point with thin needles, unlike [[Cupping]].\n\n## Safety\n\nA needle can reach the lung.\n`,
  "content/notes/needling.fr.md": `+++\ntitle = "Puncture sèche"\n+++\nLa puncture sèche traite un point gâchette avec des AIGUILLES fines, comme le [raclage](@/notes/raclage.fr.md) traite la peau.\n\n## Sécurité {#safety}\n\nUne aiguille peut atteindre le poumon.\n`,
  "content/notes/cupping.md": `+++\ntitle = "Cupping"\n+++\nCupping lifts the skin with glass cups, unlike [[Dry needling]].\n`,
  "content/notes/raclage.fr.md": `+++\ntitle = "Raclage"\n+++\nLe raclage frotte la peau avec un grattoir, puis la [puncture sèche](@/notes/needling.md) peut suivre.\n`,
};

let tmp, out, server, browser;

before(async () => {
  tmp = lib.tempDir("fascia-search-lang-");
  const root = path.join(tmp, "site");
  for (const [rel, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  out = path.join(tmp, "out");
  const args = ["build", "--root", root, "--output-dir", out, "--offline"];
  const r = spawnSync(lib.fascia(), args, { cwd: lib.ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`fascia ${args.join(" ")} failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
  for (const f of ["search/index.js", "fr/search/index.js", "fr/search/index.html", "search/index.html"]) {
    assert.ok(fs.existsSync(path.join(out, f)), `${f} is built`);
  }
  server = await lib.serveStatic(out);
  browser = await lib.launchBrowser();
});

after(async () => {
  if (browser) await browser.dispose();
  if (server) await server.close();
  lib.removeDir(tmp);
});

const MODES = {
  http: {
    url: (p, q = "") => server.origin + p + (p.endsWith("/") ? "index.html" : "") + q,
    sitePath: (href) => {
      const u = new URL(href);
      assert.equal(u.origin, server.origin, `${href} stays on the site`);
      return u.pathname.replace(/index\.html$/, "") + u.hash;
    },
  },
  file: {
    url: (p, q = "") => pathToFileURL(path.join(out, p, p.endsWith("/") ? "index.html" : "")).href + q,
    sitePath: (href) => {
      const u = new URL(href);
      const root = decodeURIComponent(pathToFileURL(out).pathname);
      const rel = decodeURIComponent(u.pathname);
      assert.ok(u.protocol === "file:" && rel.startsWith(root + "/"), `${href} is inside ${root}`);
      return rel.slice(root.length).replace(/index\.html$/, "") + u.hash;
    },
  },
};

async function open(mode, urlPath, query = "") {
  const page = await browser.newPage();
  const problems = lib.watchPage(page);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const response = await page.goto(MODES[mode].url(urlPath, query), { waitUntil: "load" });
  if (mode === "http") assert.equal(response.status(), 200);
  return { page, problems, requests, close: () => page.close() };
}

/** The site paths of the results for `q`, searched from the open page. */
async function search(page, mode, q) {
  const hrefs = await page.evaluate(async (q) => (await window.fasciaSearch.search(q, 20)).items.map((i) => i.href), q);
  return hrefs.map(MODES[mode].sitePath);
}

for (const mode of ["http", "file"]) {
  describe(`search per language over ${mode}`, () => {
    test("a French page searches the French index: aiguille finds the page that says aiguilles, and no English page", async () => {
      const { page, problems, requests, close } = await open(mode, "/fr/notes/raclage/");
      try {
        for (const q of ["aiguille", "aiguilles", "AIGUILLE", "Aiguilles"]) {
          const found = await search(page, mode, q);
          assert.equal(found[0], "/fr/notes/needling/", `${q}: ${found.join(", ")}`);
          assert.ok(found.every((p) => p.startsWith("/fr/")), `${q} lists French pages only: ${found.join(", ")}`);
        }
        // Accents as readers type them, or not; French stop words alone find nothing.
        assert.equal((await search(page, mode, "gachette"))[0], "/fr/notes/needling/");
        assert.equal((await search(page, mode, "sécurité"))[0], "/fr/notes/needling/#safety");
        assert.deepEqual(await search(page, mode, "les des"), []);
        // An English word of the English page only is not in the French index.
        assert.deepEqual(await search(page, mode, "cupping"), []);
        const stemmers = requests.filter((u) => /vendor\/snowball-/.test(u));
        assert.ok(stemmers.length === 1 && /snowball-french-3\.1\.1\.min\.js\?h=/.test(stemmers[0]), `the French stemmer only: ${stemmers}`);
        assert.ok(requests.some((u) => /\/fr\/search\/index\.js\?h=[0-9a-f]{8}$/.test(u)), "the French index, with its hash");
        assert.ok(!requests.some((u) => /\/search\/index\.js/.test(u) && !/\/fr\/search\//.test(u)), "not the English index");
        assert.deepEqual(problems, [], problems.join("\n"));
      } finally {
        await close();
      }
    });

    test("an English page searches the English index, where French-only words find nothing", async () => {
      const { page, problems, requests, close } = await open(mode, "/notes/cupping/");
      try {
        assert.deepEqual(await search(page, mode, "aiguille"), []);
        assert.deepEqual(await search(page, mode, "grattoir"), []);
        assert.deepEqual(await search(page, mode, "raclage"), []);
        const needles = await search(page, mode, "needle");
        assert.equal(needles[0], "/notes/needling/");
        assert.ok(needles.every((p) => !p.startsWith("/fr/")), needles.join(", "));
        const stemmers = requests.filter((u) => /vendor\/snowball-/.test(u));
        assert.ok(stemmers.length === 1 && /snowball-english/.test(stemmers[0]), `the English stemmer only: ${stemmers}`);
        assert.deepEqual(problems, [], problems.join("\n"));
      } finally {
        await close();
      }
    });

    test("the French search page lists French results and links the same query in English", async () => {
      const { page, problems, close } = await open(mode, "/fr/search/", "?q=aiguilles");
      try {
        await lib.until(() => page.evaluate(() => document.querySelectorAll(".search-results a").length > 0), "results");
        const results = await page.$$eval(".search-results a", (as) => as.map((a) => a.href));
        assert.equal(MODES[mode].sitePath(results[0]), "/fr/notes/needling/");
        const other = await page.$$eval("a[data-search-lang]", (as) => as.map((a) => [a.getAttribute("data-search-lang"), a.href]));
        assert.equal(other.length, 1, JSON.stringify(other));
        assert.equal(other[0][0], "en");
        const u = new URL(other[0][1]);
        assert.equal(u.search, "?q=aiguilles");
        assert.equal(MODES[mode].sitePath(u.origin === "null" || u.protocol === "file:" ? u.href.replace(/\?.*$/, "") : u.origin + u.pathname), "/search/");
        // Typing changes the query the link carries; following it searches
        // the English index, which has no French word.
        await page.click("#search-page-q", { clickCount: 3 });
        await page.keyboard.type("grattoir");
        await lib.until(() => page.evaluate(() => /q=grattoir/.test(document.querySelector("a[data-search-lang]").href)), "the link follows the query");
        await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("a[data-search-lang]")]);
        assert.equal(MODES[mode].sitePath(page.url().replace(/\?.*$/, "")), "/search/");
        await lib.until(() => page.evaluate(() => /grattoir/.test(document.querySelector(".search-status").textContent)), "the English page answers");
        const status = await page.$eval(".search-status", (p) => p.textContent);
        assert.match(status, /^No results for “grattoir”/);
        assert.deepEqual(problems, [], problems.join("\n"));
      } finally {
        await close();
      }
    });
  });
}
