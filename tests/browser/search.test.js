// Search (issue 6) in headless Chromium, on the built encyclopedia, both over
// http://127.0.0.1 (under the strict CSP of lib.serveStatic) and from file://
// (the offline edition, `fascia build --offline`, opened from its folder):
// the queries of the issue return the intended page first, keyboard
// navigation opens the right page, a query with no match says so, the
// /search/?q= page works as a link target, and nothing logs an error.
"use strict";

const { test, before, after, describe } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { pathToFileURL } = require("node:url");
const lib = require("./lib");

// [query, path of the page that must come first, anchor it must link to or null]
const FIRST = [
  ["grastn", "/techniques/graston-technique/", null],
  ["acupunture", "/techniques/acupuncture/", null],
  ["dry needling", "/techniques/dry-needling/", null],
  ["scraping", "/techniques/iastm/", null],
  ["ASTYM", "/techniques/astym/", null],
  ["Astym", "/techniques/astym/", null],
  ["IMS", "/techniques/ims/", null],
  ["graston evidence", "/techniques/graston-technique/", "evidence"],
];
const DESKTOP = { width: 1280, height: 900 };

let http; // { origin, out, close }
let offline; // folder of the offline edition
let tmp;
let browser;

before(async () => {
  http = await lib.buildAndServe();
  tmp = lib.tempDir("fascia-search-");
  offline = path.join(tmp, "offline");
  const args = ["build", "--root", path.join(lib.ROOT, "site"), "--output-dir", offline, "--offline", "--force"];
  const r = spawnSync(lib.fascia(), args, { cwd: lib.ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`fascia ${args.join(" ")} failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
  browser = await lib.launchBrowser();
});

after(async () => {
  if (browser) await browser.dispose();
  if (http) await http.close();
  lib.removeDir(tmp);
});

const MODES = {
  http: {
    url: (p, q = "") => http.origin + p + q,
    /** An href the client wrote, as a site path with its anchor. */
    sitePath: (href) => {
      const u = new URL(href);
      assert.equal(u.origin, http.origin, `${href} stays on the site`);
      return u.pathname + u.hash;
    },
  },
  file: {
    url: (p, q = "") => pathToFileURL(path.join(offline, p, p.endsWith("/") ? "index.html" : "")).href + q,
    sitePath: (href) => {
      const root = pathToFileURL(offline).href + "/";
      assert.ok(href.startsWith(root), `${href} is inside the offline folder ${root}`);
      const u = new URL(href);
      const rel = decodeURIComponent(u.pathname).slice(decodeURIComponent(new URL(root).pathname).length - 1);
      assert.ok(rel.endsWith("/index.html"), `${href} names index.html explicitly, as file:// needs`);
      return rel.replace(/index\.html$/, "") + u.hash;
    },
  },
};

async function open(mode, urlPath, query = "") {
  const page = await browser.newPage();
  const problems = lib.watchPage(page);
  await page.setViewport({ ...DESKTOP, deviceScaleFactor: 1 });
  const response = await page.goto(MODES[mode].url(urlPath, query), { waitUntil: "load" });
  if (mode === "http") assert.equal(response.status(), 200);
  return { page, problems, close: () => page.close() };
}

/** Type a query into the header box and wait until the list answers it. */
async function typeQuery(page, q) {
  await page.click("#q", { clickCount: 3 });
  await page.keyboard.type(q);
  await lib.until(
    () =>
      page.evaluate((q) => {
        const status = document.querySelector(".search-form [role=status]");
        return !!status && status.textContent.includes(`\u201c${q}\u201d`);
      }, q),
    `results for "${q}"`,
  );
}

/** The options shown: [{ href, title, section, snippet, marks }]. */
function options(page) {
  return page.$$eval("#q-listbox [role=option]", (els) =>
    els.map((a) => ({
      href: a.href,
      title: (a.querySelector(".search-option-title") || a).textContent,
      section: (a.querySelector(".search-option-section") || {}).textContent || "",
      snippet: (a.querySelector(".search-option-snippet") || {}).textContent || "",
      marks: Array.from(a.querySelectorAll("mark"), (m) => m.textContent),
    })),
  );
}

for (const mode of Object.keys(MODES)) {
  describe(`search over ${mode}`, () => {
    test("the issue's queries return the intended page first, with title, section and a highlighted snippet", async () => {
      const { page, problems, close } = await open(mode, "/techniques/iastm/");
      try {
        // The index is not loaded until the box is used.
        assert.equal(await page.evaluate(() => !!(window.fasciaSearchData && window.fasciaSearchData.index)), false);
        for (const [q, want, anchor] of FIRST) {
          await typeQuery(page, q);
          const opts = await options(page);
          assert.ok(opts.length > 1, `"${q}" lists results`);
          const first = MODES[mode].sitePath(opts[0].href);
          assert.equal(first.replace(/#.*/, ""), want, `"${q}" puts ${want} first; got ${opts.map((o) => o.href).join(", ")}`);
          if (anchor) assert.equal(first, `${want}#${anchor}`, `"${q}" links to the heading that matched`);
          else assert.equal(first, want, `"${q}" links to the page itself (its name matched)`);
          assert.ok(opts[0].section.length > 0, `"${q}": the first result names its section`);
          assert.ok(opts[0].marks.length > 0, `"${q}": matched words are highlighted`);
        }
        assert.deepEqual(problems, [], problems.join("\n"));
      } finally {
        await close();
      }
    });

    test("synonyms: dry needling finds IMS; scraping finds IASTM; ASTYM and Astym give the same list; prefixes", async () => {
      const { page, close } = await open(mode, "/");
      try {
        const all = (q) =>
          page.evaluate(async (q) => (await window.fasciaSearch.search(q, 50)).items.map((i) => i.href), q);
        const dry = (await all("dry needling")).map(MODES[mode].sitePath);
        assert.ok(dry.some((h) => h.startsWith("/techniques/ims/")), `dry needling finds IMS: ${dry.join(", ")}`);
        assert.ok(
          dry.slice(0, 3).includes("/comparisons/dry-needling-vs-acupuncture/"),
          `dry needling puts "IMS and Dry Needling vs Acupuncture" near the top: ${dry.join(", ")}`,
        );
        assert.equal((await all("scraping")).map(MODES[mode].sitePath)[0], "/techniques/iastm/");
        assert.deepEqual(await all("ASTYM"), await all("astym"));
        // A word being typed counts as a prefix even when it is a stop word.
        assert.ok((await all("as")).length > 0, `"as" (on the way to "astym") lists results`);
        assert.ok((await all("astym as")).length > 0, `"astym as" lists results`);
      } finally {
        await close();
      }
    });

    test("keyboard: / focuses the box, arrows move, Enter opens the chosen page, Esc closes", async () => {
      const { page, problems, close } = await open(mode, "/conditions/neck-pain/");
      try {
        await page.keyboard.press("/");
        assert.equal(await page.evaluate(() => document.activeElement.id), "q", "/ focuses the search box");
        await page.keyboard.type("astym");
        await lib.until(() => page.evaluate(() => document.querySelectorAll("#q-listbox [role=option]").length > 2), "options");
        const state = () =>
          page.evaluate(() => {
            const q = document.getElementById("q");
            return {
              expanded: q.getAttribute("aria-expanded"),
              active: q.getAttribute("aria-activedescendant"),
              selected: Array.from(document.querySelectorAll("#q-listbox [aria-selected=true]"), (o) => o.id),
            };
          });
        assert.equal((await state()).expanded, "true");
        await page.keyboard.press("ArrowDown");
        await page.keyboard.press("ArrowDown");
        let s = await state();
        assert.equal(s.active, "q-listbox-1", "two ArrowDowns select the second option");
        assert.deepEqual(s.selected, ["q-listbox-1"]);
        await page.keyboard.press("ArrowUp");
        s = await state();
        assert.equal(s.active, "q-listbox-0");
        await page.keyboard.press("Escape");
        s = await state();
        assert.equal(s.expanded, "false", "Esc closes the list");
        assert.equal(await page.$eval(".search-popup", (p) => p.hidden), true);
        // Reopen, choose the second result and open it with Enter.
        await page.keyboard.press("ArrowDown");
        await lib.until(async () => (await state()).expanded === "true", "the list to reopen");
        await page.keyboard.press("ArrowDown");
        await page.keyboard.press("ArrowDown");
        const want = await page.$eval("#q-listbox-1", (a) => a.href);
        await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
        assert.equal(page.url(), want, "Enter opens the selected result");
        assert.equal(MODES[mode].sitePath(page.url()).replace(/#.*/, ""), "/comparisons/iastm-graston-astym/");
        assert.deepEqual(problems, [], problems.join("\n"));
      } finally {
        await close();
      }
    });

    test("a query with no match says so, on screen and to screen readers", async () => {
      const { page, close } = await open(mode, "/");
      try {
        await typeQuery(page, "zqxwvy");
        const r = await page.evaluate(() => ({
          empty: document.querySelector(".search-empty").textContent,
          visible: !document.querySelector(".search-empty").hidden && !document.querySelector(".search-popup").hidden,
          status: document.querySelector(".search-form [role=status]").textContent,
          options: document.querySelectorAll("#q-listbox [role=option]").length,
        }));
        assert.ok(r.visible, "the message is shown");
        assert.match(r.empty, /No results for “zqxwvy”/);
        assert.match(r.status, /No results/);
        assert.equal(r.options, 0);
      } finally {
        await close();
      }
    });

    test("the search page works from a URL with ?q=", async () => {
      const { page, problems, close } = await open(mode, "/search/", "?q=dry%20needling");
      try {
        await lib.until(() => page.evaluate(() => document.querySelectorAll(".search-results li").length > 0), "results on the page");
        const r = await page.evaluate(() => ({
          value: document.getElementById("search-page-q").value,
          status: document.querySelector(".search-status").textContent,
          first: document.querySelector(".search-results a").href,
          count: document.querySelectorAll(".search-results li").length,
        }));
        assert.equal(r.value, "dry needling", "the box shows the query");
        assert.match(r.status, /^\d+ results for “dry needling”/);
        assert.equal(MODES[mode].sitePath(r.first), "/techniques/dry-needling/");
        // Typing refines the list in place.
        await page.click("#search-page-q", { clickCount: 3 });
        await page.keyboard.type("pneumothorax");
        await lib.until(() => page.evaluate(() => /pneumothorax/.test(document.querySelector(".search-status").textContent)), "new results");
        const marks = await page.$$eval(".search-results mark", (m) => m.map((x) => x.textContent.toLowerCase()));
        assert.ok(marks.includes("pneumothorax"));
        assert.deepEqual(problems, [], problems.join("\n"));
      } finally {
        await close();
      }
    });
  });
}

test("axe: the open results list and the search page have no violations (light and dark)", async () => {
  for (const scheme of ["light", "dark"]) {
    const { page, close } = await open("http", "/techniques/iastm/");
    try {
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      await typeQuery(page, "graston evidence");
      await page.keyboard.press("ArrowDown");
      const violations = await lib.runAxe(page);
      assert.deepEqual(violations.map((v) => v.id), [], `open list (${scheme}):\n${lib.formatViolations(violations)}`);
    } finally {
      await close();
    }
    const p = await open("http", "/search/", "?q=massage");
    try {
      await p.page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      await lib.until(() => p.page.evaluate(() => document.querySelectorAll(".search-results li").length > 0), "results");
      const violations = await lib.runAxe(p.page);
      assert.deepEqual(violations.map((v) => v.id), [], `search page (${scheme}):\n${lib.formatViolations(violations)}`);
    } finally {
      await p.close();
    }
  }
});
