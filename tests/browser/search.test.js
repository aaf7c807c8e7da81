// Search (issue 6) in headless Chromium, on the built encyclopedia, both over
// http://127.0.0.1 (under the strict CSP of lib.serveStatic) and from file://
// (the offline edition, `fascia build --offline`, opened from its folder):
// the queries of the issue return the intended page first, names of several
// words match as phrases, keyboard navigation opens the right page, a query
// with no match says so, the /search/?q= page works as a link target, and
// nothing logs an error. The same queries, and typos in a word's first
// letters, are run on a copy of the encyclopedia whose index is split into
// shards (as a large site's is), where every search file must be requested
// with its content hash.
"use strict";

const { test, before, after, describe } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
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
  // Typos anywhere in a word, its first letters too: one edit (a letter
  // added, dropped, changed, or two neighbours swapped) from 4 letters.
  ["rgaston", "/techniques/graston-technique/", null],
  ["xraston", "/techniques/graston-technique/", null],
  ["gratson", "/techniques/graston-technique/", null],
  // A name of several words, matched as a phrase.
  ["trigger point release", "/techniques/trigger-point-therapy/", null],
];
const DESKTOP = { width: 1280, height: 900 };

let http; // { origin, out, close }
let offline; // folder of the offline edition
let sharded; // folder of the offline edition of a copy with a sharded index
let shardedServer; // { origin, close } serving `sharded`
let tmp;
let browser;

function build(root, out) {
  const args = ["build", "--root", root, "--output-dir", out, "--offline", "--force"];
  const r = spawnSync(lib.fascia(), args, { cwd: lib.ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`fascia ${args.join(" ")} failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
  return r.stderr;
}

before(async () => {
  http = await lib.buildAndServe();
  tmp = lib.tempDir("fascia-search-");
  offline = path.join(tmp, "offline");
  build(path.join(lib.ROOT, "site"), offline);
  // The encyclopedia with its index split into small shards (8 KB: its
  // stemmed vocabulary fits in a dozen shards of 16 KB, too few to tell
  // the shards a query needs from all of them).
  const copy = path.join(tmp, "site");
  fs.cpSync(path.join(lib.ROOT, "site"), copy, { recursive: true });
  const config = fs.readFileSync(path.join(copy, "config.toml"), "utf8");
  const changed = config
    .replace('theme = "fibre"', `theme = "fibre"\nthemes_dir = ${JSON.stringify(path.join(lib.ROOT, "themes"))}`)
    .replace("[search]\n", "[search]\nsplit_index_above = 1\nshard_size = 8192\n");
  assert.notEqual(changed, config);
  fs.writeFileSync(path.join(copy, "config.toml"), changed);
  sharded = path.join(tmp, "sharded");
  assert.match(build(copy, sharded), /Search index: 1 \+ \d+ shard files/);
  shardedServer = await lib.serveStatic(sharded);
  browser = await lib.launchBrowser();
});

after(async () => {
  if (browser) await browser.dispose();
  if (http) await http.close();
  if (shardedServer) await shardedServer.close();
  lib.removeDir(tmp);
});

/**
 * Addresses in an offline edition in folder `dir()` (its addresses are
 * relative), served at `server().origin` or opened from file://.
 */
function editionModes(dir, server) {
  const sitePath = (rel, hash) => rel.replace(/index\.html$/, "") + hash;
  return {
    http: {
      url: (p, q = "") => server().origin + p + (p.endsWith("/") ? "index.html" : "") + q,
      sitePath: (href) => {
        const u = new URL(href);
        assert.equal(u.origin, server().origin, `${href} stays on the site`);
        return sitePath(u.pathname, u.hash);
      },
    },
    file: {
      url: (p, q = "") => pathToFileURL(path.join(dir(), p, p.endsWith("/") ? "index.html" : "")).href + q,
      sitePath: (href) => {
        const u = new URL(href);
        const root = decodeURIComponent(pathToFileURL(dir()).pathname);
        const rel = decodeURIComponent(u.pathname);
        assert.ok(u.protocol === "file:" && rel.startsWith(root + "/"), `${href} is inside ${root}`);
        return sitePath(rel.slice(root.length), u.hash);
      },
    },
  };
}

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

async function open(mode, urlPath, query = "", modes = MODES) {
  const page = await browser.newPage();
  const problems = lib.watchPage(page);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.setViewport({ ...DESKTOP, deviceScaleFactor: 1 });
  const response = await page.goto(modes[mode].url(urlPath, query), { waitUntil: "load" });
  if (mode === "http") assert.equal(response.status(), 200);
  return { page, problems, requests, close: () => page.close() };
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
        assert.deepEqual(
          dry.slice(0, 2),
          ["/techniques/dry-needling/", "/techniques/ims/"],
          `dry needling puts the dry needling page, then IMS, first: ${dry.join(", ")}`,
        );
        assert.ok(
          dry.slice(0, 5).includes("/comparisons/dry-needling-vs-acupuncture/"),
          `dry needling puts "IMS and Dry Needling vs Acupuncture" near the top: ${dry.join(", ")}`,
        );
        assert.equal((await all("scraping")).map(MODES[mode].sitePath)[0], "/techniques/iastm/");
        assert.deepEqual(await all("ASTYM"), await all("astym"));
        assert.deepEqual(await all("Astym"), await all("astym"));
        // A word being typed counts as a prefix even when it is a stop word.
        assert.ok((await all("as")).length > 0, `"as" (on the way to "astym") lists results`);
        assert.ok((await all("astym as")).length > 0, `"astym as" lists results`);
      } finally {
        await close();
      }
    });

    test("forms of a word find the same pages and are all marked; a word typed past its stem still finds", async () => {
      const { page, close } = await open(mode, "/");
      try {
        const search = (q) =>
          page.evaluate(async (q) => {
            const r = await window.fasciaSearch.search(q, 50);
            return { total: r.total, items: r.items.map((i) => ({ href: i.href, marks: i.snippet.filter((p) => p.m).map((p) => p.t) })) };
          }, q);
        const hrefs = (r) => r.items.map((i) => MODES[mode].sitePath(i.href));
        const needles = await search("needles"), needling = await search("NEEDLING");
        assert.ok(needles.total > 10, `needles: ${needles.total} results`);
        assert.deepEqual(hrefs(needles), hrefs(needling), "needles and NEEDLING are one term");
        assert.ok(hrefs(needles).slice(0, 3).includes("/techniques/dry-needling/"), hrefs(needles).join(", "));
        const marked = new Set(needles.items.flatMap((i) => i.marks.map((m) => m.toLowerCase())));
        assert.ok(marked.has("needling") && [...marked].some((m) => m === "needle" || m === "needles"), `every form is marked: ${[...marked]}`);
        assert.deepEqual(hrefs(await search("stretches")).slice(0, 1), ["/techniques/stretching/"]);
        // "relaxat" (on the way to "relaxation", whose stem is "relax") is
        // neither a term nor the start of one: it stands for "relax".
        const typing = await search("relaxat"), done = await search("relaxation");
        assert.ok(typing.total > 0, "relaxat lists results while it is typed");
        assert.equal(hrefs(typing)[0], hrefs(done)[0]);
      } finally {
        await close();
      }
    });

    test("names of several words match as phrases, not word by word", async () => {
      const { page, close } = await open(mode, "/");
      try {
        const top = (q) =>
          page.evaluate(async (q) => (await window.fasciaSearch.search(q, 50)).items.map((i) => ({ href: i.href, terms: i.terms })), q);
        const phrase = (items) => items.filter((i) => i.terms.some((t) => t.includes(" ")));
        // A name's index term: its words' terms (stems) joined by spaces.
        const key = (name) => page.evaluate(async (name) => (await window.fasciaSearch.engine()).an.terms(name).join(" "), name);
        const release = await key("trigger point release");
        assert.equal(release.split(" ").length, 3, release);
        // "trigger point release" is a name of the trigger point therapy page.
        const named = await top("trigger point release");
        assert.equal(MODES[mode].sitePath(named[0].href), "/techniques/trigger-point-therapy/");
        assert.ok(named[0].terms.includes(release), `matched as one name: ${named[0].terms}`);
        // While its last word is typed, too.
        const typing = await top("trigger point rel");
        assert.ok(typing[0].terms.includes(release), `a name matches while typed: ${typing[0].terms}`);
        // The same words in another order, or words of two different names
        // of IMS ("Gunn IMS", "intramuscular stimulation"), are no name.
        assert.deepEqual(phrase(await top("release point trigger")), []);
        assert.deepEqual(phrase(await top("gunn stimulation")), []);
        // A typo in a word of a name still matches it.
        const typo = await top("dry needlng");
        const dryNeedling = await key("dry needling");
        assert.ok(phrase(typo).some((i) => i.terms.includes(dryNeedling)), "dry needlng matches the name dry needling");
      } finally {
        await close();
      }
    });

    test("near spellings: the edit distance is Levenshtein's plus swaps of neighbours", async () => {
      const { page, close } = await open(mode, "/");
      try {
        const got = await page.evaluate(async () => {
          await window.fasciaSearch.engine();
          const ui = window.fasciaSearchUI;
          // Reference: optimal string alignment distance, by dynamic programming.
          const ref = (a, b) => {
            const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i ? (j ? 0 : i) : j)));
            for (let i = 1; i <= a.length; i++) {
              for (let j = 1; j <= b.length; j++) {
                d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
              }
            }
            return d[a.length][b.length];
          };
          let seed = 7;
          const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
          const word = () => Array.from({ length: 1 + rand(12) }, () => "abcd"[rand(4)]).join("");
          const wrong = [];
          for (let k = 0; k < 3000; k++) {
            const a = word(), b = word(), max = 1 + rand(2), want = Math.min(ref(a, b), max + 1), d = Math.min(ui.distance(a, b, max), max + 1);
            if (d !== want) wrong.push([a, b, max, want, d]);
          }
          return { wrong, cases: [["rgaston", "graston"], ["xraston", "graston"], ["grastn", "graston"], ["acupunture", "acupuncture"]].map(([a, b]) => ui.distance(a, b, 2)) };
        });
        assert.deepEqual(got.wrong, []);
        assert.deepEqual(got.cases, [1, 1, 1, 1]);
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

const SHARDED = editionModes(() => sharded, () => shardedServer);

for (const mode of Object.keys(MODES)) {
  describe(`sharded index over ${mode}`, () => {
    test("the issue's queries and typos in first letters find the intended page; shards load as needed, each with its content hash", async () => {
      const { page, problems, requests, close } = await open(mode, "/techniques/iastm/", "", SHARDED);
      try {
        for (const [q, want] of FIRST) {
          await typeQuery(page, q);
          const opts = await options(page);
          const first = SHARDED[mode].sitePath(opts[0].href).replace(/#.*/, "");
          assert.equal(first, want, `"${q}" puts ${want} first (sharded); got ${opts.map((o) => o.href).join(", ")}`);
        }
        const dry = await page.evaluate(async () => (await window.fasciaSearch.search("dry needling", 5)).items.map((i) => i.href));
        assert.deepEqual(dry.slice(0, 2).map(SHARDED[mode].sitePath), ["/techniques/dry-needling/", "/techniques/ims/"]);
        const shards = await page.evaluate(() => ({
          listed: window.fasciaSearchFiles.terms.length,
          loaded: Object.keys(window.fasciaSearchData).filter((k) => k.startsWith("t-")).length,
        }));
        assert.ok(shards.listed > 5, `the index is split: ${JSON.stringify(shards)}`);
        assert.ok(shards.loaded > 0 && shards.loaded < shards.listed, `only the shards needed are loaded: ${JSON.stringify(shards)}`);
        // Cache busting: every file below search/ that the page, the loader
        // or search-ui.js asked for carries its content hash.
        const searchFiles = requests.filter((u) => /\/search\/[^?#]+\.(js|css)(\?|$)/.test(u));
        assert.ok(searchFiles.some((u) => /\/shards\/t-\d+\.js/.test(u)), `term shards were requested: ${searchFiles.join(", ")}`);
        assert.ok(searchFiles.some((u) => /\/search\/text\/\d+\.js/.test(u)), "the pages' own text files were requested");
        for (const u of ["search/search.js", "search/search-ui.js", "search/search.css", "search/index.js", "minisearch-7.2.0.min.js"]) {
          assert.ok(searchFiles.some((r) => r.includes(u)), `${u} was requested`);
        }
        const bare = searchFiles.filter((u) => !/\?h=[0-9a-f]{8,16}$/.test(u));
        assert.deepEqual(bare, [], "requested without a content hash");
        assert.deepEqual(problems, [], problems.join("\n"));
      } finally {
        await close();
      }
    });

    test("what typo tolerance does not forgive: a typo in a word still being typed, words under four letters", async () => {
      const { page, close } = await open(mode, "/", "", SHARDED);
      try {
        const first = (q) => page.evaluate(async (q) => ((await window.fasciaSearch.search(q, 8)).items[0] || {}).href || "", q);
        assert.match(await first("grast"), /graston-technique/, "a prefix finds the word");
        assert.doesNotMatch(await first("rgast"), /graston-technique/, "a typo in a prefix is not forgiven");
        assert.doesNotMatch(await first("gtm"), /graston-technique/, "words under four letters get no near spellings");
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
