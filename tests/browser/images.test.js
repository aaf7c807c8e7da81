// Images in headless Chromium (issue 22): a page of Markdown images does not
// move as its images arrive. Chromium's own measure, the layout-shift entries
// a PerformanceObserver reports (the sum is the page's CLS), stays close to 0
// with the width and height fascia writes; the same images written as raw
// HTML without a size (the control) shift the page, so the measure works.
// Image responses are held back so the text is laid out before they arrive.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { spawnSync } = require("node:child_process");
const lib = require("./lib");

const DESKTOP = { width: 1280, height: 900 };
const IMAGE_DELAY_MS = 600;

let tmp;
let server;
let browser;

/** CRC-32 of PNG chunks. */
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A `w` x `h` RGB PNG with a gradient. */
function png(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    for (let x = 0; x < w; x++) {
      raw[row + 1 + x * 3] = x & 255;
      raw[row + 2 + x * 3] = y & 255;
      raw[row + 3 + x * 3] = 120;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function write(root, rel, data) {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
}

const TEXT = "Soft tissue is the body's packing and pulley system. ".repeat(6);

before(async () => {
  tmp = lib.tempDir("fascia-images-");
  const root = path.join(tmp, "site");
  const themes = path.join(lib.ROOT, "themes");
  write(root, "config.toml", `title = "Pictures"\nbase_url = "http://127.0.0.1"\ntheme = "fibre"\nthemes_dir = ${JSON.stringify(themes)}\n`);
  write(root, "content/_index.md", "+++\ntitle = \"Home\"\n+++\n");
  write(root, "content/about/_index.md", "+++\ntitle = \"About\"\n+++\n");
  const body = (img) => `${TEXT}\n\n${img("wide", 1600, 900)}\n\n${TEXT}\n\n${img("tall", 600, 800)}\n\n${TEXT}\n\n${img("small", 320, 200)}\n\n${TEXT}\n`;
  const sized = (name) => `![A ${name} gradient](${name}.png)`;
  const unsized = (name) => `<img src="${name}.png" alt="A ${name} gradient">`;
  write(root, "content/sized/index.md", `+++\ntitle = "Sized"\n+++\n\n${body(sized)}`);
  write(root, "content/unsized/index.md", `+++\ntitle = "Unsized"\n+++\n\n${body(unsized)}`);
  for (const dir of ["sized", "unsized"]) {
    write(root, `content/${dir}/wide.png`, png(1600, 900));
    write(root, `content/${dir}/tall.png`, png(600, 800));
    write(root, `content/${dir}/small.png`, png(320, 200));
  }
  const out = path.join(tmp, "public");
  server = await lib.serveStatic(out);
  const args = ["build", "--root", root, "--output-dir", out, "--base-url", server.origin];
  const r = spawnSync(lib.fascia(), args, { cwd: tmp, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`fascia ${args.join(" ")} failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
  browser = await lib.launchBrowser();
});

after(async () => {
  if (browser) await browser.dispose();
  if (server) await server.close();
  if (tmp) lib.removeDir(tmp);
});

/** Load `urlPath` with images held back; the page's layout-shift total once every image is in. */
async function layoutShift(urlPath) {
  const page = await browser.newPage();
  try {
    await page.setViewport(DESKTOP);
    await page.evaluateOnNewDocument(() => {
      window.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
      }).observe({ type: "layout-shift", buffered: true });
    });
    await page.setRequestInterception(true);
    page.on("request", (req) => {
      if (req.resourceType() === "image") setTimeout(() => req.continue(), IMAGE_DELAY_MS);
      else req.continue();
    });
    await page.goto(server.origin + urlPath, { waitUntil: "domcontentloaded" });
    await lib.until(
      () => page.evaluate(() => [...document.images].slice(0, 2).every((i) => i.complete && i.naturalWidth > 0)),
      "the first images to load",
    );
    // Lazy images further down load as the page scrolls.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await lib.until(() => page.evaluate(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0)), "every image to load");
    await new Promise((r) => setTimeout(r, 200));
    const shifts = await page.evaluate(() => window.__shifts);
    const kinds = await page.evaluate(() => [...document.images].map((i) => [i.currentSrc.split(".").pop(), i.getAttribute("loading")]));
    return { cls: shifts.reduce((a, b) => a + b, 0), kinds };
  } finally {
    await page.close();
  }
}

test("images with fascia's sizes do not shift the page as they load", async (t) => {
  const { cls, kinds } = await layoutShift("/sized/");
  t.diagnostic(`CLS with sizes: ${cls}`);
  assert.ok(cls < 0.01, `CLS ${cls} with sized images`);
  // Chromium took the WebP copies; the first image is eager, the rest lazy.
  assert.deepEqual(kinds.map((k) => k[0]), ["webp", "webp", "webp"]);
  assert.deepEqual(kinds.map((k) => k[1]), [null, "lazy", "lazy"]);
});

test("the same images without a size do shift it (the measure works)", async (t) => {
  const { cls } = await layoutShift("/unsized/");
  t.diagnostic(`CLS without sizes: ${cls}`);
  assert.ok(cls > 0.05, `CLS ${cls} without sizes: the control should shift`);
});
