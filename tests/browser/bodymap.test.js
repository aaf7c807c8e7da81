// The body map (issue 22.4) in headless Chromium, under the strict CSP of
// lib.serveStatic: keyboard only (Tab reaches every region, head to feet,
// with a visible focus ring), hover highlight, a 390 px phone (no horizontal
// overflow, labels at least 24x24 px, readable label size), colour contrast
// of labels and lines in light and dark (computed colours), axe-core clean,
// and no JavaScript needed.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const lib = require("./lib");

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const URL_PATH = "/body-map/";

let site;
let browser;

before(async () => {
  site = await lib.buildAndServe();
  browser = await lib.launchBrowser();
});

after(async () => {
  if (browser) await browser.dispose();
  if (site) await site.close();
});

async function open({ scheme = "light", viewport = DESKTOP, javascript = true } = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const problems = lib.watchPage(page);
  await page.evaluateOnNewDocument(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.setJavaScriptEnabled(javascript);
  await page.setViewport({ ...viewport, deviceScaleFactor: 1 });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  const response = await page.goto(site.origin + URL_PATH, { waitUntil: "load" });
  assert.equal(response.status(), 200);
  return { page, problems, close: () => context.close() };
}

/** In the page: WCAG contrast of two computed colours `rgb(r, g, b)`. */
const CONTRAST_FN = `
  window.__rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  window.__lum = (c) => {
    const [r, g, b] = __rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  window.__contrast = (a, b) => { const [x, y] = [__lum(a), __lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
`;

function regionsInDomOrder(page) {
  return page.$$eval(".bm-region", (as) => as.map((a) => a.getAttribute("aria-label")));
}

test("keyboard: Tab reaches every region head to feet, each with a visible focus ring", async () => {
  const { page, problems, close } = await open();
  try {
    const regions = await regionsInDomOrder(page);
    assert.ok(regions.length >= 11, `regions: ${regions}`);
    assert.match(regions[0], /^Head: \d+ pages?$/);
    assert.match(regions.at(-1), /^Whole body: \d+ pages?$/);
    // Label rows go down the picture in the order of the regions.
    const ys = await page.$$eval(".bm-region .bm-pill", (ps) => ps.map((p) => p.getBoundingClientRect().top));
    assert.deepEqual([...ys].sort((a, b) => a - b), ys, "labels from head to feet");
    const unfocused = await page.$eval(".bm-region .bm-pill", (p) => {
      const s = getComputedStyle(p);
      return { stroke: s.stroke, width: parseFloat(s.strokeWidth) };
    });
    const reached = [];
    for (let i = 0; i < 200 && reached.length < regions.length; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const a = document.activeElement;
        if (!a || !a.classList.contains("bm-region")) return null;
        const pill = a.querySelector(".bm-pill");
        const s = getComputedStyle(pill);
        return {
          label: a.getAttribute("aria-label"),
          stroke: s.stroke,
          width: parseFloat(s.strokeWidth),
          focusColour: getComputedStyle(document.documentElement).getPropertyValue("--fibre-focus"),
          bg: getComputedStyle(document.body).backgroundColor,
        };
      });
      if (!focused) continue;
      reached.push(focused.label);
      assert.ok(focused.width >= unfocused.width + 2, `${focused.label}: ring ${focused.width}px against ${unfocused.width}px`);
      assert.notEqual(focused.stroke, unfocused.stroke, `${focused.label}: ring colour changes`);
      await page.evaluate(CONTRAST_FN);
      const c = await page.evaluate((f) => __contrast(f.stroke, f.bg), focused);
      assert.ok(c >= 3, `${focused.label}: focus ring contrast ${c.toFixed(2)}:1`);
    }
    assert.deepEqual(reached, regions, "Tab order is the order of the regions, every one reached once");
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], "no CSP violation");
    // Enter follows the focused region's link.
    const href = await page.evaluate(() => document.activeElement.getAttribute("href"));
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    assert.equal(page.url(), href);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("hover highlights a region's shapes and label", async () => {
  const { page, close } = await open();
  try {
    const before = await page.$eval(".bm-region .bm-shape", (g) => getComputedStyle(g).fill);
    await page.hover(".bm-region .bm-pill");
    const after = await page.$eval(".bm-region .bm-shape", (g) => getComputedStyle(g).fill);
    assert.notEqual(after, before, "the region's shapes change colour on hover");
  } finally {
    await close();
  }
});

test("phone, 390 px: no horizontal overflow, labels at least 24x24 px and readable", async () => {
  for (const scheme of ["light", "dark"]) {
    const { page, problems, close } = await open({ scheme, viewport: PHONE });
    try {
      const m = await page.evaluate(() => {
        const svg = document.querySelector(".bodymap-svg");
        const box = svg.getBoundingClientRect();
        const scale = box.width / svg.viewBox.baseVal.width;
        return {
          scrollWidth: document.documentElement.scrollWidth,
          svgRight: box.right,
          labelPx: parseFloat(getComputedStyle(document.querySelector(".bm-label")).fontSize) * scale,
          pills: [...document.querySelectorAll(".bm-region")].map((a) => {
            const r = a.querySelector(".bm-pill").getBoundingClientRect();
            return { label: a.getAttribute("aria-label"), w: r.width, h: r.height };
          }),
          hit: [...document.querySelectorAll(".bm-region")].map((a) => {
            a.querySelector(".bm-pill").scrollIntoView({ block: "center", behavior: "instant" });
            const r = a.querySelector(".bm-pill").getBoundingClientRect();
            const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return el && el.closest(".bm-region") === a;
          }),
        };
      });
      assert.ok(m.scrollWidth <= PHONE.width, `${scheme}: page is ${m.scrollWidth}px wide`);
      assert.ok(m.svgRight <= PHONE.width, `${scheme}: map ends at ${m.svgRight}px`);
      assert.ok(m.labelPx >= 11, `${scheme}: labels are ${m.labelPx.toFixed(1)}px`);
      for (const p of m.pills) assert.ok(p.w >= 24 && p.h >= 24, `${p.label}: ${p.w.toFixed(1)}x${p.h.toFixed(1)}px`);
      assert.ok(m.hit.every(Boolean), "a tap in the middle of each label lands on its link");
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});

test("contrast of labels, counts and lines in light and dark (computed colours)", async () => {
  for (const scheme of ["light", "dark"]) {
    const { page, close } = await open({ scheme });
    try {
      await page.evaluate(CONTRAST_FN);
      const r = await page.evaluate(() => {
        const fill = (sel) => getComputedStyle(document.querySelector(sel)).fill;
        const stroke = (sel) => getComputedStyle(document.querySelector(sel)).stroke;
        const bg = getComputedStyle(document.body).backgroundColor;
        return {
          bgLum: __lum(bg),
          label: __contrast(fill(".bm-label"), fill(".bm-pill")),
          count: __contrast(fill(".bm-count"), fill(".bm-badge")),
          view: __contrast(fill(".bm-view"), bg),
          pillEdge: __contrast(stroke(".bm-pill"), bg),
          outline: __contrast(stroke(".bm-body"), bg),
          shapeEdge: __contrast(stroke(".bm-shape"), fill(".bm-body")),
        };
      });
      assert.ok(scheme === "dark" ? r.bgLum < 0.05 : r.bgLum > 0.9, `${scheme}: page background luminance ${r.bgLum}`);
      for (const k of ["label", "count", "view"]) assert.ok(r[k] >= 4.5, `${scheme}: ${k} text ${r[k].toFixed(2)}:1`);
      for (const k of ["pillEdge", "outline", "shapeEdge"]) assert.ok(r[k] >= 3, `${scheme}: ${k} ${r[k].toFixed(2)}:1`);
      // Hovered: the label stays readable on the highlighted pill.
      await page.hover(".bm-region .bm-pill");
      const hovered = await page.evaluate(() =>
        __contrast(getComputedStyle(document.querySelector(".bm-label")).fill, getComputedStyle(document.querySelector(".bm-pill")).fill),
      );
      assert.ok(hovered >= 4.5, `${scheme}: hovered label ${hovered.toFixed(2)}:1`);
      const violations = await lib.runAxe(page);
      assert.equal(violations.length, 0, `${scheme}: axe\n${lib.formatViolations(violations)}`);
    } finally {
      await close();
    }
  }
});

test("without JavaScript: the regions are plain links, the list is there, no CSP violation", async () => {
  const { page, problems, close } = await open({ javascript: false });
  try {
    const hrefs = await page.$$eval(".bm-region", (as) => as.map((a) => a.getAttribute("href")));
    const listed = await page.$$eval(".bodymap-region h2 a", (as) => as.map((a) => a.getAttribute("href")));
    assert.deepEqual(hrefs, listed, "the list gives the same regions in the same order");
    const violations = await page.evaluate(() => window.__cspViolations);
    assert.deepEqual(violations, []);
    await Promise.all([page.waitForNavigation(), page.click(".bm-region .bm-pill")]);
    assert.equal(page.url(), hrefs[0]);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
