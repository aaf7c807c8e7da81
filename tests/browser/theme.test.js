// The fibre theme in headless Chromium (issue 5): accessibility (axe-core,
// both colour schemes), the Content-Security-Policy the theme promises to
// run under, phone layout, keyboard menu, the dark toggle, print, and
// screenshots (target/screenshots/; FASCIA_UPDATE_SCREENSHOTS=1 also
// refreshes the ones in docs/screenshots/).
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const lib = require("./lib");

const PAGES = [
  ["home", "/"],
  ["technique", "/techniques/iastm/"],
  ["comparison", "/comparisons/iastm-graston-astym/"],
  ["condition", "/conditions/neck-pain/"],
  ["glossary", "/glossary/"],
  ["404", "/no-such-page/"],
];
const SCHEMES = ["light", "dark"];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let site;
let browser;
let shared; // one browser context for the tests that store nothing

before(async () => {
  site = await lib.buildAndServe();
  browser = await lib.launchBrowser();
  shared = await browser.createBrowserContext();
});

after(async () => {
  if (browser) await browser.dispose();
  if (site) await site.close();
});

/**
 * Open `urlPath` in a new tab; with `isolated`, in a new browser context
 * (its own localStorage). Returns `{ page, problems, response, close() }`.
 * A static site has nothing left to fetch after `load` (fibre.js is deferred).
 */
async function open(urlPath, { scheme = "light", viewport = DESKTOP, media = null, isolated = false } = {}) {
  const context = isolated ? await browser.createBrowserContext() : shared;
  const page = await context.newPage();
  const url = site.origin + urlPath;
  const expect404 = urlPath === "/no-such-page/";
  const problems = lib.watchPage(page, { allow: (u, status) => expect404 && status === 404 && u === url });
  await page.setViewport({ ...viewport, deviceScaleFactor: 1 });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  if (media) await page.emulateMediaType(media);
  const response = await page.goto(url, { waitUntil: "load" });
  assert.equal(response.status(), expect404 ? 404 : 200, `status of ${urlPath}`);
  return { page, problems, response, close: () => (isolated ? context.close() : page.close()) };
}

// --- axe-core: zero violations, both schemes, desktop and phone widths -----

for (const scheme of SCHEMES) {
  for (const [name, urlPath] of PAGES) {
    for (const [vname, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
      test(`axe: ${name} ${urlPath} (${scheme}, ${vname}) has no violations`, async () => {
        const { page, close } = await open(urlPath, { scheme, viewport });
        try {
          // The scheme really applies: the page background follows it.
          const dark = await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches);
          assert.equal(dark, scheme === "dark");
          const violations = await lib.runAxe(page);
          assert.deepEqual(
            violations.map((v) => v.id),
            [],
            `axe found ${violations.length} violation(s) on ${urlPath} (${scheme}, ${vname}):\n${lib.formatViolations(violations)}`,
          );
        } finally {
          await close();
        }
      });
    }
  }
}

// --- CSP: no console errors, no failed requests ----------------------------

for (const [name, urlPath] of PAGES) {
  test(`csp: ${name} ${urlPath} loads with no console error or failed request under "${lib.CSP}"`, async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const { page, problems, response, close } = await open(urlPath, { viewport });
      try {
        assert.equal(response.headers()["content-security-policy"], lib.CSP);
        // Give late work (deferred script, observers) a moment to complain.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100))));
        assert.deepEqual(problems, [], `problems on ${urlPath} at ${viewport.width}px:\n  ${problems.join("\n  ")}`);
      } finally {
        await close();
      }
    }
  });
}

// --- phone layout: nothing wider than the viewport -------------------------

/** In the page: what sticks out of the viewport horizontally. */
function overflowReport() {
  const docEl = document.documentElement;
  const W = docEl.clientWidth;
  const out = [];
  if (docEl.scrollWidth > docEl.clientWidth) {
    out.push(`document scrollWidth ${docEl.scrollWidth} > clientWidth ${docEl.clientWidth}`);
  }
  const insideScroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === "auto" || ox === "scroll") return true;
    }
    return false;
  };
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) s += "." + el.className.trim().split(/\s+/).join(".");
    return s;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    const wider = r.width > W + 0.5;
    const outside = r.right > W + 0.5 || r.left < -0.5;
    if ((wider || outside) && !insideScroller(el)) {
      out.push(`${describe(el)}: left ${Math.round(r.left)}, right ${Math.round(r.right)}, width ${Math.round(r.width)} (viewport ${W})`);
    }
  }
  return out;
}

for (const [name, urlPath] of PAGES) {
  test(`phone: ${name} ${urlPath} fits ${PHONE.width}px (no element wider than the viewport)`, async () => {
    const { page, close } = await open(urlPath, { viewport: PHONE });
    try {
      const report = await page.evaluate(overflowReport);
      assert.deepEqual(report, [], `too wide at ${PHONE.width}px on ${urlPath}:\n  ${report.slice(0, 20).join("\n  ")}`);
    } finally {
      await close();
    }
  });
}

// --- breadcrumbs on a small phone: one clean row ---------------------------

const SMALL_PHONE = { width: 360, height: 740 };
for (const urlPath of ["/techniques/iastm/", "/comparisons/dry-needling-vs-acupuncture/", "/conditions/post-surgical-scar-tissue/", "/tags/instrument-assisted/"]) {
  test(`breadcrumbs: ${urlPath} at ${SMALL_PHONE.width}px stay on one row, the current page ellipsized, no sideways scroll`, async () => {
    const { page, close } = await open(urlPath, { viewport: SMALL_PHONE });
    try {
      const r = await page.evaluate(() => {
        const ol = document.querySelector(".breadcrumbs ol");
        const box = ol.getBoundingClientRect();
        const items = Array.from(ol.children, (li) => {
          const b = li.getBoundingClientRect();
          return { text: li.textContent.trim(), mid: b.top + b.height / 2, left: b.left, right: b.right, lines: li.getClientRects().length };
        });
        const last = ol.lastElementChild.lastElementChild; // <span aria-current="page">
        const cs = getComputedStyle(last);
        return {
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          box: { left: box.left, right: box.right },
          items,
          truncated: last.scrollWidth > last.clientWidth,
          ellipsis: cs.textOverflow === "ellipsis" && cs.whiteSpace === "nowrap",
          links: Array.from(ol.querySelectorAll("a"), (a) => {
            const b = a.getBoundingClientRect();
            return { text: a.textContent, clipped: b.left < box.left - 0.5 || b.right > box.right + 0.5 };
          }),
        };
      });
      assert.ok(r.scrollWidth <= r.clientWidth, `no sideways scroll (${r.scrollWidth} > ${r.clientWidth})`);
      assert.ok(r.items.length >= 3, "Home, a section and the page");
      for (const it of r.items) {
        assert.ok(Math.abs(it.mid - r.items[0].mid) < 2, `"${it.text}" is on the same row as "Home": ${JSON.stringify(r.items)}`);
        assert.ok(it.left >= r.box.left - 0.5 && it.right <= r.box.right + 0.5, `"${it.text}" stays inside the breadcrumbs`);
      }
      assert.deepEqual(r.links.filter((l) => l.clipped), [], "the ancestor links are whole");
      if (r.truncated) assert.ok(r.ellipsis, "a current page title that does not fit ends with an ellipsis");
    } finally {
      await close();
    }
  });
}

// --- the phone menu, by keyboard -------------------------------------------

test("menu: opens with Tab+Enter and closes with Esc, focus back on the button (390x844)", async () => {
  const { page, close } = await open("/techniques/iastm/", { viewport: PHONE });
  try {
    const state = () =>
      page.evaluate(() => {
        const nav = document.getElementById("site-nav");
        const r = nav.getBoundingClientRect();
        const cs = getComputedStyle(nav);
        const active = document.activeElement;
        return {
          expanded: document.querySelector(".menu-button").getAttribute("aria-expanded"),
          visible: cs.display !== "none" && cs.visibility !== "hidden" && r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth,
          focusOnButton: active === document.querySelector(".menu-button"),
          focusInNav: nav.contains(active),
        };
      });
    let s = await state();
    assert.equal(s.expanded, "false", "menu button starts collapsed");
    assert.equal(s.visible, false, "the sidebar is hidden on a phone until the menu opens");

    // Tab from the top of the page until the menu button has focus.
    let tabs = 0;
    while (!(await state()).focusOnButton) {
      assert.ok(++tabs <= 6, "the menu button is among the first few tab stops");
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Enter");
    await lib.until(async () => (await state()).expanded === "true", "aria-expanded=true", { timeout: 3000 });
    s = await state();
    assert.equal(s.visible, true, "the sidebar is visible once the menu is open");
    assert.equal(s.focusInNav, true, "focus moves into the open menu");

    await page.keyboard.press("Escape");
    await lib.until(async () => (await state()).expanded === "false", "aria-expanded=false", { timeout: 3000 });
    s = await state();
    assert.equal(s.visible, false, "Esc hides the sidebar again");
    assert.equal(s.focusOnButton, true, "focus returns to the menu button");
  } finally {
    await close();
  }
});

// --- the light/dark toggle is remembered -----------------------------------

test("toggle: dark theme chosen with the toggle survives a reload", async () => {
  const { page, problems, close } = await open("/techniques/iastm/", { scheme: "light", isolated: true });
  try {
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
    const light = await read();
    assert.equal(light.pressed, "false");
    assert.ok(lum(light.bg) > 128, `light background to start with, got ${light.bg}`);

    await page.click(".theme-toggle");
    const clicked = await read();
    assert.equal(clicked.theme, "dark");
    assert.equal(clicked.pressed, "true");
    assert.ok(lum(clicked.bg) < 80, `dark background after the click, got ${clicked.bg}`);

    await page.reload({ waitUntil: "load" });
    const reloaded = await read();
    assert.equal(reloaded.theme, "dark", "data-theme is dark after the reload");
    assert.equal(reloaded.pressed, "true", "the toggle still reads pressed after the reload");
    assert.equal(reloaded.bg, clicked.bg, "the background stays dark after the reload");
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

// --- print hides the navigation --------------------------------------------

for (const [name, urlPath] of [["technique", "/techniques/iastm/"], ["comparison", "/comparisons/iastm-graston-astym/"]]) {
  test(`print: ${name} ${urlPath} hides header, sidebar and contents`, async () => {
    const { page, close } = await open(urlPath, { media: "print" });
    try {
      const shown = await page.evaluate(() =>
        [".site-header", "#site-nav", ".toc"].map((sel) => {
          const el = document.querySelector(sel);
          return [sel, el ? getComputedStyle(el).display : "absent"];
        }),
      );
      assert.deepEqual(shown, [
        [".site-header", "none"],
        ["#site-nav", "none"],
        [".toc", "none"],
      ]);
      const text = await page.evaluate(() => document.querySelector("main h1").innerText);
      assert.ok(text.length > 0, "the article itself still prints");
    } finally {
      await close();
    }
  });
}

// --- screenshots ------------------------------------------------------------

// [name, path, element scrolled to the top (under the sticky header) first]
const SHOTS = [
  ["home", "/", null],
  ["technique", "/techniques/iastm/", null],
  ["comparison", "/comparisons/iastm-graston-astym/", "#at-a-glance"],
];
const DOCS_SHOTS = {
  "home-phone.png": "home-390x844.png",
  "home-desktop.png": "home-1280x900.png",
  "comparison-phone.png": "comparison-390x844.png",
  "comparison-desktop.png": "comparison-1280x900.png",
};

test("screenshots: home, technique and comparison at 390x844 and 1280x900", async () => {
  fs.mkdirSync(lib.SCREENSHOTS, { recursive: true });
  for (const [name, urlPath, scrollTo] of SHOTS) {
    for (const viewport of [PHONE, DESKTOP]) {
      const { page, close } = await open(urlPath, { viewport });
      try {
        if (scrollTo) {
          await page.$eval(scrollTo, (el) => el.scrollIntoView({ block: "start", behavior: "instant" }));
        }
        const file = path.join(lib.SCREENSHOTS, `${name}-${viewport.width}x${viewport.height}.png`);
        await page.screenshot({ path: file, type: "png" });
        assert.ok(fs.statSync(file).size > 5000, `${file} looks empty`);
      } finally {
        await close();
      }
    }
  }
  if (process.env.FASCIA_UPDATE_SCREENSHOTS === "1") {
    const docs = path.join(lib.ROOT, "docs", "screenshots");
    fs.mkdirSync(docs, { recursive: true });
    for (const [to, from] of Object.entries(DOCS_SHOTS)) {
      fs.copyFileSync(path.join(lib.SCREENSHOTS, from), path.join(docs, to));
      const size = fs.statSync(path.join(docs, to)).size;
      assert.ok(size < 400 * 1024, `docs/screenshots/${to} is ${size} bytes, keep it under 400 KB`);
    }
  }
});
