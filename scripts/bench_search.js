#!/usr/bin/env node
// Search benchmark in headless Chromium (issue 6), run by scripts/bench_search.sh.
// Serves a built site from 127.0.0.1 (or opens it from file://) and measures:
//   - the index: entry file, shards, total;
//   - first results: from the keystroke that focuses the box ("/") and the
//     first characters typed right after it, to the first result on screen,
//     with the search library, the index and its shards loaded on the way;
//   - per keystroke: from each keydown to the list showing that query (from
//     what is loaded: a shard still on its way completes it later), to the
//     list complete (every shard the query needs in), and to the list with
//     its snippets in place, once the index is loaded; and the keystrokes
//     whose event handlers ran for more than 16 ms (Event Timing: the
//     processing time of the key's keydown, input and keyup handlers);
//   - engine only: fasciaSearch.search() per prefix, warm.
// OUT_DIR is an offline edition (`fascia build --offline`): its addresses are
// relative, so it works both from file:// and from any http origin.
// Usage: node scripts/bench_search.js OUT_DIR [--file] [--page /path/] [--json FILE]
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const lib = require(path.join(__dirname, "..", "tests", "browser", "lib.js"));

const args = process.argv.slice(2);
const out = path.resolve(args[0] || "");
const useFile = args.includes("--file");
const pageArg = args.includes("--page") ? args[args.indexOf("--page") + 1] : null;
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : null;
if (!args[0] || !fs.existsSync(path.join(out, "search", "index.js"))) {
  console.error("usage: bench_search.js OUT_DIR (a built site with search/index.js) [--file] [--page /path/] [--json FILE]");
  process.exit(2);
}

// Queries typed key by key: words of the corpus, prefixes, a typo, two words.
const QUERIES = ["monastery", "glacier estuary", "spectrum", "protein enzyme", "obsrvatory", "coastal settlement", "ledger"];
// First-result runs: what is typed right after "/" (the first run, "ka",
// warms up the freshly started browser and is reported apart).
const FIRST = ["ka", "mo", "gl", "sp", "pr", "ob", "ca", "ve"];

function sizes() {
  const dir = path.join(out, "search");
  const entry = fs.statSync(path.join(dir, "index.js")).size;
  const shardDir = path.join(dir, "shards");
  const shards = fs.existsSync(shardDir) ? fs.readdirSync(shardDir).map((f) => fs.statSync(path.join(shardDir, f)).size) : [];
  const terms = fs.existsSync(shardDir) ? fs.readdirSync(shardDir).filter((f) => f.startsWith("t-")).length : 0;
  const textDir = path.join(dir, "text");
  const texts = fs.existsSync(textDir) ? fs.readdirSync(textDir).map((f) => fs.statSync(path.join(textDir, f)).size) : [];
  return {
    entry_bytes: entry,
    shard_files: shards.length,
    term_shards: terms,
    page_text_files: texts.length,
    largest_shard_bytes: shards.length ? Math.max(...shards) : 0,
    total_bytes: entry + shards.reduce((a, b) => a + b, 0) + texts.reduce((a, b) => a + b, 0),
  };
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: +q(0.5).toFixed(2), p95: +q(0.95).toFixed(2), max: +s[s.length - 1].toFixed(2) };
}

/** In the page: time keydowns and the list updates that answer them. */
function instrument() {
  window.__bench = { keys: [], shown: [], complete: [], changed: [], slow: [], firstOption: null, firstComplete: null, firstSnippet: null, slash: null };
  document.addEventListener("keydown", (e) => {
    const t = performance.now();
    if (e.key === "/") window.__bench.slash = t;
    else window.__bench.keys.push(t);
  }, true);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.interactionId) window.__bench.slow.push([e.interactionId, e.processingEnd - e.processingStart]);
      }
    }).observe({ type: "event", durationThreshold: 16, buffered: true });
  } catch {
    /* no Event Timing */
  }
  const watch = () => {
    const list = document.querySelector("[role=listbox]");
    if (!list) return setTimeout(watch, 5);
    new MutationObserver(() => {
      const t = performance.now();
      const b = window.__bench;
      const q = list.getAttribute("data-query");
      const complete = list.getAttribute("data-state") === "complete";
      b.changed.push(t);
      b.shown.push([t, q]);
      if (complete) b.complete.push([t, q]);
      if (b.firstOption === null && list.querySelector("[role=option]")) b.firstOption = t;
      if (b.firstComplete === null && complete && list.querySelector("[role=option]")) b.firstComplete = t;
      if (b.firstSnippet === null && list.querySelector(".search-option-snippet")) b.firstSnippet = t;
    }).observe(list, { childList: true });
  };
  watch();
}

async function main() {
  let server = null;
  let base;
  if (useFile) base = (p) => pathToFileURL(path.join(out, p, p.endsWith("/") ? "index.html" : "")).href;
  else {
    // The offline edition has relative addresses, so any origin serves it.
    server = await lib.serveStatic(out);
    base = (p) => server.origin + p + (p.endsWith("/") ? "index.html" : "");
  }
  const target = pageArg || firstPage();
  const browser = await lib.launchBrowser();
  const result = { mode: useFile ? "file" : "http", page: target, index: sizes(), first_results_ms: [], first_complete_ms: [], first_snippets_ms: [], index_ready_ms: [], per_keystroke_ms: null, engine_ms: null };
  try {
    // First results, each run in a fresh browser context (nothing cached).
    for (const typed of FIRST) {
      const ctx = await browser.createBrowserContext();
      const page = await ctx.newPage();
      const problems = lib.watchPage(page, { allow: (u) => u.endsWith("/favicon.ico") });
      await page.evaluateOnNewDocument(instrument);
      await page.goto(base(target), { waitUntil: "load" });
      await page.keyboard.press("/");
      await page.keyboard.type(typed);
      await lib.until(() => page.evaluate(() => window.__bench.firstSnippet !== null), `first results for "${typed}"`, { timeout: 30_000 });
      const b = await page.evaluate(() => window.__bench);
      result.first_results_ms.push(+(b.firstOption - b.slash).toFixed(1));
      result.first_complete_ms.push(+(b.firstComplete - b.slash).toFixed(1));
      result.first_snippets_ms.push(+(b.firstSnippet - b.slash).toFixed(1));
      if (problems.length) throw new Error(problems.join("\n"));
      await ctx.close();
    }
    // Per keystroke, index loaded: type each query at a brisk 120 ms a key.
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.evaluateOnNewDocument(instrument);
    await page.goto(base(target), { waitUntil: "load" });
    await page.focus("#q");
    const t0 = Date.now();
    await page.evaluate(() => window.fasciaSearch.engine());
    result.index_ready_ms.push(Date.now() - t0);
    const perKey = [];
    const completeKey = [];
    const complete = [];
    const slow = [];
    let keys = 0;
    for (const q of QUERIES) {
      await page.click("#q", { clickCount: 3 });
      await page.keyboard.press("Backspace");
      await page.evaluate(() => { Object.assign(window.__bench, { keys: [], shown: [], complete: [], changed: [], slow: [] }); });
      await page.keyboard.type(q, { delay: 120 });
      await new Promise((r) => setTimeout(r, 400));
      const b = await page.evaluate(() => window.__bench);
      keys += b.keys.length;
      // One entry per interaction (a key's keydown, input and keyup), their sum.
      const byKey = new Map();
      for (const [id, d] of b.slow) byKey.set(id, (byKey.get(id) || 0) + d);
      slow.push(...byKey.values());
      // Pair each keydown with the first list update after it that shows its query.
      for (let i = 0; i < b.keys.length; i++) {
        const typed = q.slice(0, i + 1).trim();
        if (typed.length < 2) continue;
        const hit = b.shown.find(([t, shown]) => t >= b.keys[i] && shown === typed);
        if (hit) perKey.push(hit[0] - b.keys[i]);
        const done = b.complete.find(([t, shown]) => t >= b.keys[i] && shown === typed);
        if (done) completeKey.push(done[0] - b.keys[i]);
        // The list is complete (snippets too) at its last change before the next key.
        const next = i + 1 < b.keys.length ? b.keys[i + 1] : Infinity;
        const last = b.changed.filter((t) => t >= b.keys[i] && t < next).pop();
        if (hit && last) complete.push(last - b.keys[i]);
      }
    }
    result.per_keystroke_ms = stats(perKey);
    result.per_keystroke_all_shards_ms = stats(completeKey);
    result.per_keystroke_complete_ms = stats(complete);
    result.keystrokes = keys;
    const over = slow.filter((d) => d > 16);
    result.slow_handlers = { over_16ms: over.length, max_ms: slow.length ? +Math.max(...slow).toFixed(1) : 0 };
    // Engine only, warm: every prefix of every query, five times.
    const engine = await page.evaluate(async (queries) => {
      const times = [];
      for (let round = 0; round < 6; round++) {
        for (const q of queries) {
          for (let i = 2; i <= q.length; i++) {
            const t = performance.now();
            await window.fasciaSearch.search(q.slice(0, i), 8);
            if (round > 0) times.push(performance.now() - t);
          }
        }
      }
      return times;
    }, QUERIES);
    result.engine_ms = stats(engine);
    await ctx.close();
  } finally {
    await browser.dispose();
    if (server) await server.close();
  }
  result.first_results_warmup_ms = result.first_results_ms.shift();
  result.first_complete_ms.shift();
  result.first_snippets_ms.shift();
  result.first_results = stats(result.first_results_ms);
  result.first_complete = stats(result.first_complete_ms);
  result.first_snippets = stats(result.first_snippets_ms);
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  console.log(`search benchmark (${result.mode}, ${target})`);
  console.log(`  index: entry ${kb(result.index.entry_bytes)}, ${result.index.term_shards} term + ${result.index.text_shards} text shards (largest ${kb(result.index.largest_shard_bytes)}), ${(result.index.total_bytes / 1048576).toFixed(1)} MB in all`);
  console.log(`  first results after "/" + 2 keys: ${result.first_results_ms.join(", ")} ms (median ${result.first_results.median}, max ${result.first_results.max}; browser warm-up run ${result.first_results_warmup_ms})`);
  console.log(`  ... complete (all shards in): ${result.first_complete_ms.join(", ")} ms (median ${result.first_complete.median}, max ${result.first_complete.max})`);
  console.log(`  ... with snippets in place: ${result.first_snippets_ms.join(", ")} ms (median ${result.first_snippets.median}, max ${result.first_snippets.max})`);
  console.log(`  per keystroke, keydown to list: median ${result.per_keystroke_ms.median} ms, p95 ${result.per_keystroke_ms.p95}, max ${result.per_keystroke_ms.max} (n=${result.per_keystroke_ms.n})`);
  console.log(`  per keystroke, keydown to complete list: median ${result.per_keystroke_all_shards_ms.median} ms, p95 ${result.per_keystroke_all_shards_ms.p95}, max ${result.per_keystroke_all_shards_ms.max}`);
  console.log(`  per keystroke, keydown to snippets in place: median ${result.per_keystroke_complete_ms.median} ms, p95 ${result.per_keystroke_complete_ms.p95}, max ${result.per_keystroke_complete_ms.max}`);
  console.log(`  keystrokes whose handlers ran more than 16 ms (Event Timing): ${result.slow_handlers.over_16ms} of ${result.keystrokes} (longest ${result.slow_handlers.max_ms} ms)`);
  console.log(`  engine only (warm): median ${result.engine_ms.median} ms, p95 ${result.engine_ms.p95}, max ${result.engine_ms.max} (n=${result.engine_ms.n})`);
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(result, null, 2) + "\n");
}

/** The first page below the first section folder, as a site path. */
function firstPage() {
  for (const d of fs.readdirSync(out, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name === "search" || d.name === "tags") continue;
    for (const p of fs.readdirSync(path.join(out, d.name), { withFileTypes: true })) {
      if (p.isDirectory() && fs.existsSync(path.join(out, d.name, p.name, "index.html"))) return `/${d.name}/${p.name}/`;
    }
  }
  return "/";
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
