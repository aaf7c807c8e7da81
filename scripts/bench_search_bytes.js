#!/usr/bin/env node
// Bytes a first query fetches, and time to first results, for fascia's
// search and Pagefind's on the same built site (issue 24), in headless
// Chromium, each query in a fresh browser context (nothing cached).
//
//   node scripts/bench_search_bytes.js OUT_DIR [--runs N] [--json FILE] [QUERY...]
//
// OUT_DIR is a site built by fascia with search on; when OUT_DIR/pagefind/
// exists (`npx pagefind --site OUT_DIR`), Pagefind is measured on it too.
// Served from 127.0.0.1 by a plain static server (no compression): bytes
// are counted as served and as gzip -6 would send them (computed here from
// each response's body), for every request below search/ (fascia: the
// loader, interface, library, index, shards and snippet texts) or
// pagefind/ (its script, WebAssembly, metadata, index chunks and page
// fragments) made from the moment the query starts.
//
// What is timed, from the start of the query on a page whose own loading
// is over:
//   - fascia, engine: `fasciaSearch.search(q, 10)` (everything loaded on the
//     way, the first 10 results with their snippets);
//   - fascia, box: "/" then the query typed, to the first option on screen
//     and to the last change of the list (the whole query's options with
//     their snippets), counted once nothing changed for 500 ms;
//   - Pagefind: `import("/pagefind/pagefind.js")`, `search(q)` and
//     `data()` of the first 10 results (its excerpts), as its UI does.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const zlib = require("node:zlib");
const lib = require(path.join(__dirname, "..", "tests", "browser", "lib.js"));

const args = process.argv.slice(2);
const out = path.resolve(args[0] || "");
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const runs = Number(opt("--runs", 3));
const jsonOut = opt("--json", null);
const queries = args.slice(1).filter((a, i, all) => !a.startsWith("--") && !(i > 0 && all[i - 1].startsWith("--")));
if (!queries.length) queries.push("monastery", "glacier estuary", "mo", "obsrvatory");
if (!args[0] || !fs.existsSync(path.join(out, "search"))) {
  console.error("usage: bench_search_bytes.js OUT_DIR [--runs N] [--json FILE] [QUERY...]");
  process.exit(2);
}
const hasPagefind = fs.existsSync(path.join(out, "pagefind", "pagefind.js"));

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml" };
function serve(dir) {
  const server = http.createServer((req, res) => {
    let file = path.join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
      const body = fs.readFileSync(file);
      res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Cache-Control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, server })));
}

function firstPage() {
  for (const d of fs.readdirSync(out, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!d.isDirectory() || ["search", "tags", "pagefind"].includes(d.name)) continue;
    for (const p of fs.readdirSync(path.join(out, d.name), { withFileTypes: true })) {
      if (p.isDirectory() && fs.existsSync(path.join(out, d.name, p.name, "index.html"))) return `/${d.name}/${p.name}/`;
    }
  }
  return "/";
}

/** Count the bodies of responses below `prefix` (a path) while `fn` runs. */
async function counted(page, prefix, fn) {
  const seen = [];
  const onResponse = (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith(prefix)) seen.push(r.buffer().then((b) => ({ path: u.pathname, raw: b.length, gz: zlib.gzipSync(b, { level: 6 }).length })).catch(() => null));
  };
  page.on("response", onResponse);
  const result = await fn();
  await new Promise((r) => setTimeout(r, 300));
  page.off("response", onResponse);
  const files = (await Promise.all(seen)).filter(Boolean);
  return {
    ...result,
    requests: files.length,
    bytes: files.reduce((a, f) => a + f.raw, 0),
    gzip_bytes: files.reduce((a, f) => a + f.gz, 0),
    files,
  };
}

async function fasciaEngine(page, q) {
  return counted(page, "/search/", () =>
    page.evaluate(async (q) => {
      const t0 = performance.now();
      const res = await window.fasciaSearch.search(q, 10);
      return { ms: performance.now() - t0, results: res.total, shown: res.items.length, snippets: res.items.filter((i) => i.snippet.length).length };
    }, q),
  );
}

async function fasciaBox(page, q) {
  return counted(page, "/search/", async () => {
    await page.evaluate(() => {
      window.__t = { start: performance.now(), first: null, last: null };
      const watch = () => {
        const list = document.querySelector("[role=listbox]");
        if (!list) return setTimeout(watch, 2);
        new MutationObserver(() => {
          const t = performance.now();
          if (window.__t.first === null && list.querySelector("[role=option]:not(.search-all)")) window.__t.first = t;
          window.__t.last = t;
        }).observe(list, { childList: true, subtree: true });
      };
      watch();
    });
    await page.keyboard.press("/");
    await page.keyboard.type(q);
    const settled = () => page.evaluate((q) => {
      const l = document.querySelector("[role=listbox]");
      return !!l && l.getAttribute("data-query") === q && l.getAttribute("data-state") === "complete" && window.__t.first !== null && performance.now() - window.__t.last > 500;
    }, q);
    await lib.until(settled, "the list of the whole query, settled", { timeout: 30_000, interval: 20 });
    return page.evaluate(() => ({ ms: window.__t.first - window.__t.start, final_ms: window.__t.last - window.__t.start }));
  });
}

async function pagefind(page, q) {
  return counted(page, "/pagefind/", () =>
    page.evaluate(async (q) => {
      const t0 = performance.now();
      const pf = await import("/pagefind/pagefind.js");
      const s = await pf.search(q);
      const data = await Promise.all(s.results.slice(0, 10).map((r) => r.data()));
      return { ms: performance.now() - t0, results: s.results.length, shown: data.length, snippets: data.filter((d) => d.excerpt).length };
    }, q),
  );
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
}

async function main() {
  const { origin, server } = await serve(out);
  const target = firstPage();
  const browser = await lib.launchBrowser();
  const kinds = [["fascia engine", fasciaEngine], ["fascia box", fasciaBox]];
  if (hasPagefind) kinds.push(["pagefind", pagefind]);
  const rows = [];
  try {
    // One warm-up of the freshly started browser.
    for (const run of [-1, ...Array.from({ length: runs }, (_, i) => i)]) {
      for (const q of run < 0 ? queries.slice(0, 1) : queries) {
        for (const [kind, fn] of kinds) {
          const ctx = await browser.createBrowserContext();
          const page = await ctx.newPage();
          await page.goto(origin + target, { waitUntil: "load" });
          await new Promise((r) => setTimeout(r, 100));
          const r = await fn(page, q);
          await ctx.close();
          if (run >= 0) rows.push({ kind, query: q, run, ...r });
        }
      }
    }
  } finally {
    await browser.dispose();
    server.close();
  }
  const summary = [];
  for (const [kind] of kinds) {
    for (const q of queries) {
      const rs = rows.filter((r) => r.kind === kind && r.query === q);
      const s = {
        kind,
        query: q,
        ms: +median(rs.map((r) => r.ms)).toFixed(1),
        final_ms: rs[0].final_ms === undefined ? undefined : +median(rs.map((r) => r.final_ms)).toFixed(1),
        requests: rs[0].requests,
        kb: +(rs[0].bytes / 1024).toFixed(1),
        gzip_kb: +(rs[0].gzip_bytes / 1024).toFixed(1),
        results: rs[0].results,
      };
      summary.push(s);
      console.log(`${kind.padEnd(14)} ${JSON.stringify(q).padEnd(18)} first results ${String(s.ms).padStart(7)} ms${s.final_ms !== undefined ? ` (final list ${s.final_ms} ms)` : ""}  ${s.requests} requests  ${s.kb} KB  (${s.gzip_kb} KB gzip)`);
    }
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ page: target, summary, rows }, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
