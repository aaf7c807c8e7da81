// The evidence map and the rating strips (issue 22, point 3) in headless
// Chromium at a phone's width (390 px), in both colour schemes: the page body
// never scrolls sideways (the table scrolls inside its own region), the table
// is a table to assistive technology (caption, th scope), every link in it is
// reached with the Tab key alone, every cell's text and links keep a contrast
// of at least 4.5:1 against the cell's computed background, and axe-core finds
// nothing. The same contrast holds for the strips on a technique page and a
// condition page, and in print the table is not clipped.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const lib = require("./lib");

const PHONE = { width: 390, height: 844 };
const MAP = "/evidence/evidence-map/";
const STRIPS = ["/techniques/dry-needling/", "/conditions/low-back-pain/"];

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

async function open(urlPath, scheme, media = null) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const problems = lib.watchPage(page);
  await page.setViewport({ ...PHONE, deviceScaleFactor: 1 });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  if (media) await page.emulateMediaType(media);
  const response = await page.goto(site.origin + urlPath, { waitUntil: "load" });
  assert.equal(response.status(), 200, urlPath);
  return { page, problems, close: () => context.close() };
}

/**
 * For every element matching `selector`: the contrast of its text colour, and
 * of each link's colour inside it, against the first opaque background found
 * from it upwards. Computed in the page (WCAG relative luminance).
 */
function contrasts(page, selector) {
  return page.evaluate((sel) => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.99) return c;
      }
      return parse(getComputedStyle(document.documentElement).backgroundColor) || { r: 255, g: 255, b: 255, a: 1 };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => {
      const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    const out = [];
    for (const el of document.querySelectorAll(sel)) {
      const bg = background(el);
      for (const t of [el, ...el.querySelectorAll("a, span")]) {
        const fg = parse(getComputedStyle(t).color);
        out.push({
          what: `${el.className} [${t.tagName.toLowerCase()}] "${t.textContent.trim().slice(0, 30)}"`,
          fg: getComputedStyle(t).color,
          bg: `rgb(${bg.r}, ${bg.g}, ${bg.b})`,
          ratio: ratio(fg, bg),
        });
      }
    }
    return out;
  }, selector);
}

for (const scheme of ["light", "dark"]) {
  test(`evidence map at 390 px (${scheme}): no page overflow, a real table, readable cells`, async () => {
    const { page, problems, close } = await open(MAP, scheme);
    try {
      const layout = await page.evaluate(() => {
        const scroll = document.querySelector(".matrix-scroll");
        const table = scroll.querySelector("table");
        return {
          pageWidth: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          bodyWidth: document.body.scrollWidth,
          scrollOverflow: getComputedStyle(scroll).overflowX,
          scrollClient: scroll.clientWidth,
          scrollInner: scroll.scrollWidth,
          scrollRight: scroll.getBoundingClientRect().right,
          caption: table.caption && table.caption.textContent.trim(),
          colHeads: [...table.tHead.querySelectorAll("th")].map((th) => th.getAttribute("scope")),
          rowHeads: [...table.tBodies[0].rows].map((tr) => tr.cells[0].tagName + ":" + tr.cells[0].getAttribute("scope")),
          cells: [...table.querySelectorAll("td")].map((td) => td.textContent.trim()),
        };
      });
      assert.ok(layout.pageWidth <= layout.viewport, `the page scrolls sideways: ${layout.pageWidth} > ${layout.viewport}`);
      assert.ok(layout.bodyWidth <= layout.viewport, `the body is ${layout.bodyWidth} px wide`);
      assert.ok(layout.scrollRight <= layout.viewport + 0.5, "the table's region fits the screen");
      assert.equal(layout.scrollOverflow, "auto");
      assert.ok(layout.scrollInner > layout.scrollClient, "the wide table scrolls inside its region");
      assert.match(layout.caption, /Certainty of the evidence/);
      assert.ok(layout.colHeads.length >= 13 && layout.colHeads.every((s) => s === "col"));
      assert.ok(layout.rowHeads.length >= 10 && layout.rowHeads.every((s) => s === "TH:row"));
      const words = /^(insufficient|very low|very low to low|low|low to moderate|moderate)\b|^not studied in the sources$/;
      for (const c of layout.cells) assert.match(c, words, `a cell without its certainty word: ${c}`);
      assert.ok(layout.cells.some((c) => c === "not studied in the sources"));

      const low = (await contrasts(page, ".fact-matrix td.rating, .fact-matrix th")).filter((c) => c.ratio < 4.5);
      assert.deepEqual(low, [], `cells under 4.5:1 (${scheme})`);
      const shaded = await page.evaluate(() => new Set([...document.querySelectorAll("td.rating[class*=shade-]")].map((td) => getComputedStyle(td).backgroundColor)).size);
      assert.ok(shaded >= 4, `only ${shaded} distinct cell colours`);

      const violations = await lib.runAxe(page);
      assert.deepEqual(violations.map((v) => v.id), [], lib.formatViolations(violations));
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
}

test("every link of the evidence map is reached with the keyboard, and shown when focused", async () => {
  const { page, close } = await open(MAP, "light");
  try {
    const links = await page.$$eval(".fact-matrix a[href]", (as) => as.length);
    assert.ok(links > 50, `only ${links} links`);
    const seen = new Set();
    let regionFocused = false;
    for (let i = 0; i < 600 && seen.size < links; i++) {
      await page.keyboard.press("Tab");
      const state = await page.evaluate(() => {
        const a = document.activeElement;
        const all = [...document.querySelectorAll(".fact-matrix a[href]")];
        const index = all.indexOf(a);
        if (index < 0) return { index, region: a && a.classList.contains("matrix-scroll") };
        // Visible: in the region and not under its sticky first column, in
        // part at least (Chromium scrolls a focused link into view only when
        // it is out of sight, so a link at the edge may stay partly hidden).
        const region = a.closest(".matrix-scroll");
        const scroll = region.getBoundingClientRect();
        const r = a.getBoundingClientRect();
        const sticky = a.closest("th[scope=row]") !== null;
        const first = region.querySelector("th[scope=row]").getBoundingClientRect();
        const left = sticky ? scroll.left : first.right;
        const shown = Math.min(r.right, scroll.right) - Math.max(r.left, left);
        return { index, visible: shown >= 8, at: [r.left, r.right, left, scroll.right, a.textContent] };
      });
      if (state.region) regionFocused = true;
      if (state.index >= 0) {
        assert.ok(state.visible, `link ${state.index} is focused out of view: ${JSON.stringify(state.at)}`);
        seen.add(state.index);
      }
    }
    assert.ok(regionFocused, "the scrolling region takes focus (keyboard scrolling)");
    assert.equal(seen.size, links, `reached ${seen.size} of ${links} links with Tab`);
  } finally {
    await close();
  }
});

for (const scheme of ["light", "dark"]) {
  for (const urlPath of STRIPS) {
    test(`rating strip on ${urlPath} (${scheme}): readable, within the page`, async () => {
      const { page, close } = await open(urlPath, scheme);
      try {
        const n = await page.$$eval(".rating-strip li.rating", (l) => l.length);
        assert.ok(n >= 3, `only ${n} items`);
        const low = (await contrasts(page, ".rating-strip li.rating")).filter((c) => c.ratio < 4.5);
        assert.deepEqual(low, []);
        const width = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
        assert.ok(width[0] <= width[1], `the page scrolls sideways: ${width}`);
      } finally {
        await close();
      }
    });
  }
}

test("in print the evidence map is not clipped", async () => {
  const { page, close } = await open(MAP, "light", "print");
  try {
    const overflow = await page.$eval(".matrix-scroll", (s) => getComputedStyle(s).overflowX);
    assert.equal(overflow, "visible");
  } finally {
    await close();
  }
});
