// The fibre theme in several languages (issue 23), on a small English,
// French and Arabic site (tests/fixtures/fibre-languages): the language
// switcher over http and from file:// (the offline edition), by mouse and by
// keyboard, keeping the reader on the same page; a page with no French
// version offering the French home page, marked as not translated; links to
// a page in another language marked in words; axe-core on French and Arabic
// pages in both colour schemes; the right-to-left layout measured; the
// search box's count of results in Arabic's plural forms.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { pathToFileURL } = require("node:url");
const lib = require("./lib");

const FIXTURE = path.join(lib.ROOT, "tests", "fixtures", "fibre-languages");
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let site; // served over http
let offlineDir; // the offline edition, opened from file://
let tmp;
let browser;

before(async () => {
  site = await lib.buildAndServe({ root: FIXTURE });
  tmp = lib.tempDir("fascia-languages-");
  offlineDir = path.join(tmp, "offline");
  const args = ["build", "--offline", "-o", offlineDir, "--root", FIXTURE];
  const r = spawnSync(lib.fascia(), args, { cwd: lib.ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`fascia ${args.join(" ")} failed:\n${r.error || ""}${r.stdout}${r.stderr}`);
  browser = await lib.launchBrowser();
});

after(async () => {
  if (browser) await browser.dispose();
  if (site) await site.close();
  lib.removeDir(tmp);
});

/** Open `url` in a new tab; returns `{ page, problems, close() }`. */
async function open(url, { scheme = "light", viewport = DESKTOP } = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const problems = lib.watchPage(page);
  await page.setViewport({ ...viewport, deviceScaleFactor: 1 });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  await page.goto(url, { waitUntil: "load" });
  return { page, problems, close: () => context.close() };
}

const http = (p) => site.origin + p;
const file = (rel) => pathToFileURL(path.join(offlineDir, rel)).href;

/** The switcher's links: `{ lang, href, text, current, untranslated }`. */
function switcherLinks(page) {
  return page.$$eval(".lang-switch-list a", (as) =>
    as.map((a) => ({
      lang: a.lang,
      href: a.href,
      text: a.textContent.trim(),
      current: a.getAttribute("aria-current") === "true",
      untranslated: a.classList.contains("lang-untranslated"),
    })),
  );
}

/** Open the switcher by keyboard, move to the link in `lang` and follow it. */
async function switchByKeyboard(page, lang) {
  await page.focus(".lang-switch > summary");
  await page.keyboard.press("Enter");
  assert.equal(await page.$eval(".lang-switch", (d) => d.open), true, "Enter on the switcher opens it");
  const visible = await page.$eval(".lang-switch-list", (ul) => ul.getBoundingClientRect().height > 0);
  assert.ok(visible, "the open list is visible");
  // Tab through the list until the wanted link has the focus.
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.lang);
    if (focused === lang) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement.lang), lang, `Tab reaches the ${lang} link`);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
}

/** Open the switcher with the mouse and click the link in `lang`. */
async function switchByMouse(page, lang) {
  await page.click(".lang-switch > summary");
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(`.lang-switch-list a[lang="${lang}"]`)]);
}

const htmlLang = (page) => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);
const h1 = (page) => page.$eval("h1", (h) => h.textContent.trim());

test("http: the switcher leads to the French version of the same page and back", async () => {
  const { page, problems, close } = await open(http("/needles/dry-needling/"));
  try {
    const links = await switcherLinks(page);
    assert.deepEqual(
      links.map((l) => [l.lang, new URL(l.href).pathname, l.current, l.untranslated]),
      [
        ["en", "/needles/dry-needling/", true, false],
        ["fr", "/fr/needles/dry-needling/", false, false],
        ["ar", "/ar/needles/dry-needling/", false, false],
      ],
    );
    await switchByKeyboard(page, "fr");
    assert.equal(new URL(page.url()).pathname, "/fr/needles/dry-needling/");
    assert.deepEqual(await htmlLang(page), ["fr", "ltr"]);
    assert.equal(await h1(page), "Puncture sèche");
    // The interface is French too.
    assert.equal(await page.$eval(".skip-link", (a) => a.textContent), "Aller au contenu");
    assert.match(await page.$eval(".article-meta", (p) => p.textContent), /Dernière révision le 1er novembre 2026/);
    // Esc folds the open list again and gives the focus back to its button.
    await page.click(".lang-switch > summary");
    await page.keyboard.press("Escape");
    assert.equal(await page.$eval(".lang-switch", (d) => d.open), false, "Esc folds the switcher");
    await switchByMouse(page, "en");
    assert.equal(new URL(page.url()).pathname, "/needles/dry-needling/");
    assert.deepEqual(await htmlLang(page), ["en", "ltr"]);
    assert.equal(await h1(page), "Dry needling");
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("http: a page with no French version offers the French home page, marked as not translated", async () => {
  const { page, problems, close } = await open(http("/needles/cupping/"));
  try {
    const fr = (await switcherLinks(page)).find((l) => l.lang === "fr");
    assert.equal(new URL(fr.href).pathname, "/fr/");
    assert.ok(fr.untranslated, "the link is marked as leading to the home page");
    assert.match(fr.text, /page non traduite/, "the note is in French, the language it leads to");
    await switchByMouse(page, "fr");
    assert.equal(new URL(page.url()).pathname, "/fr/");
    assert.deepEqual(await htmlLang(page), ["fr", "ltr"]);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("file://: the switcher of the offline edition stays in the edition, on the same page", async () => {
  const { page, problems, close } = await open(file("needles/dry-needling/index.html"));
  try {
    for (const l of await switcherLinks(page)) {
      assert.ok(l.href.startsWith(pathToFileURL(offlineDir).href + "/"), `${l.lang} link stays in the edition: ${l.href}`);
      assert.match(l.href, /index\.html$/, `${l.lang} link names index.html: ${l.href}`);
    }
    await switchByKeyboard(page, "fr");
    assert.equal(page.url(), file("fr/needles/dry-needling/index.html"));
    assert.equal(await h1(page), "Puncture sèche");
    await switchByMouse(page, "en");
    assert.equal(page.url(), file("needles/dry-needling/index.html"));
    assert.equal(await h1(page), "Dry needling");
    // The untranslated page from file:// too.
    await page.goto(file("needles/cupping/index.html"), { waitUntil: "load" });
    await switchByMouse(page, "fr");
    assert.equal(page.url(), file("fr/index.html"));
    assert.deepEqual(await htmlLang(page), ["fr", "ltr"]);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("a link to a page in another language says so in words, in the reader's language", async () => {
  const { page, close } = await open(http("/fr/needles/dry-needling/"));
  try {
    const link = await page.$eval('.prose a[href$="/needles/cupping/"]', (a) => ({
      hreflang: a.getAttribute("hreflang"),
      after: getComputedStyle(a, "::after").content,
    }));
    assert.equal(link.hreflang, "en");
    assert.match(link.after, /en anglais/);
    // A link inside the reader's language carries no note.
    const own = await page.$eval('.prose a[href$="/fr/needles/safety/"]', (a) => getComputedStyle(a, "::after").content);
    assert.equal(own, "none");
  } finally {
    await close();
  }
});

for (const scheme of ["light", "dark"]) {
  for (const urlPath of ["/fr/needles/dry-needling/", "/ar/needles/dry-needling/", "/needles/cupping/"]) {
    test(`axe: ${urlPath} (${scheme}), switcher closed and open, has no violations`, async () => {
      const { page, problems, close } = await open(http(urlPath), { scheme });
      try {
        const closed = await lib.runAxe(page);
        assert.deepEqual(closed.map((v) => v.id), [], `${urlPath} (${scheme}):\n${lib.formatViolations(closed)}`);
        await page.click(".lang-switch > summary");
        const opened = await lib.runAxe(page);
        assert.deepEqual(opened.map((v) => v.id), [], `${urlPath} (${scheme}), switcher open:\n${lib.formatViolations(opened)}`);
        assert.deepEqual(problems, []);
      } finally {
        await close();
      }
    });
  }
}

test("right to left: on an Arabic page the navigation sits on the right and the text is right-aligned", async () => {
  const { page, close } = await open(http("/ar/needles/dry-needling/"));
  try {
    assert.deepEqual(await htmlLang(page), ["ar", "rtl"]);
    const m = await page.evaluate(() => {
      // DOMRects do not cross into Node: copy the edges.
      const edges = (r) => ({ left: r.left, right: r.right, width: r.width });
      const box = (sel) => edges(document.querySelector(sel).getBoundingClientRect());
      const p = document.querySelector(".prose p");
      // The last line of a paragraph shows the alignment: its text ends at
      // the paragraph's right edge in right-to-left text.
      const range = document.createRange();
      range.selectNodeContents(p);
      const lines = [...range.getClientRects()];
      const first = edges(lines[0]);
      const title = document.querySelector(".site-title").getBoundingClientRect();
      const toggle = document.querySelector(".theme-toggle").getBoundingClientRect();
      return {
        sidebar: box(".sidebar"),
        main: box(".main"),
        para: edges(p.getBoundingClientRect()),
        first,
        lineCount: lines.length,
        align: getComputedStyle(p).textAlign,
        direction: getComputedStyle(p).direction,
        // The section tree's guide line runs on the side the text starts.
        navRule: (() => {
          const cs = getComputedStyle(document.querySelector(".nav-tree ul"));
          return [cs.borderLeftWidth, cs.borderRightWidth];
        })(),
        titleLeft: title.left,
        toggleLeft: toggle.left,
      };
    });
    assert.ok(m.sidebar.left > m.main.left, `sidebar (left ${m.sidebar.left}) is right of the main column (left ${m.main.left})`);
    assert.ok(m.sidebar.right >= 1280 - 20, `sidebar reaches the right edge (${m.sidebar.right})`);
    assert.equal(m.direction, "rtl");
    assert.ok(Math.abs(m.first.right - m.para.right) < 2, `first line ends at the right edge (${m.first.right} vs ${m.para.right})`);
    assert.ok(m.first.left > m.para.left + 20 || m.lineCount > 1, "the text starts from the right");
    assert.deepEqual(m.navRule, ["0px", "1px"], "the tree's rule is on the right");
    assert.ok(m.titleLeft > m.toggleLeft, "the site title is on the right of the header, the toggle on the left");
  } finally {
    await close();
  }
});

test("right to left: nothing wider than a 390 px phone on an Arabic page", async () => {
  const { page, close } = await open(http("/ar/needles/dry-needling/"), { viewport: PHONE });
  try {
    const m = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      overflowing: [...document.querySelectorAll("body *")]
        .filter((el) => !el.closest(".graph-scroll, .comparison-scroll, .matrix-scroll, .visually-hidden, .lang-switch-list"))
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.left < -1 || r.right > document.documentElement.clientWidth + 1);
        })
        .map((el) => el.tagName + "." + el.className),
    }));
    assert.equal(m.scroll, m.client, `page scrolls sideways: ${m.scroll} > ${m.client}`);
    assert.deepEqual(m.overflowing, []);
    // The switcher's list opens inside the screen.
    await page.click(".lang-switch > summary");
    const list = await page.$eval(".lang-switch-list", (ul) => {
      const r = ul.getBoundingClientRect();
      return { left: r.left, right: r.right };
    });
    assert.ok(list.left >= 0 && list.right <= 390, `switcher list inside the screen: ${JSON.stringify(list)}`);
  } finally {
    await close();
  }
});

test("the search box speaks the page's language", async () => {
  const { page, problems, close } = await open(http("/fr/needles/dry-needling/"));
  try {
    await page.click("#q");
    await page.keyboard.type("zqxwvy");
    await lib.until(
      () => page.evaluate(() => !!document.querySelector(".search-empty") && document.querySelector(".search-empty").textContent.length > 0),
      "the no-match message",
    );
    const r = await page.evaluate(() => ({
      empty: document.querySelector(".search-empty").textContent,
      status: document.querySelector(".search-form [role=status]").textContent,
      label: document.querySelector("#q-listbox").getAttribute("aria-label"),
    }));
    assert.equal(r.empty, "Aucun résultat pour «\u00a0zqxwvy\u00a0».");
    assert.equal(r.status, r.empty);
    assert.equal(r.label, "Résultats de la recherche");
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

/** Type `q` into the search box of `urlPath`; the status it then reads out. */
async function boxStatus(urlPath, q) {
  const { page, problems, close } = await open(http(urlPath));
  try {
    await page.click("#q");
    await page.keyboard.type(q);
    // The status element comes with search-ui.js, loaded on the first focus.
    const status = () => page.evaluate(() => (document.querySelector(".search-form [role=status]") || {}).textContent || "");
    await lib.until(async () => /[;؛]/.test(await status()), `the status of the results for ${q}`);
    assert.deepEqual(problems, []);
    return await status();
  } finally {
    await close();
  }
}

test("the search box counts results in Arabic's forms (one, two, few), English in its two", async () => {
  const arrows = "استخدم مفاتيح الأسهم لاختيار إحداها.";
  // The fixture's Arabic pages: نقطة is on one, الوخز on two, الإبر on four.
  assert.equal(await boxStatus("/ar/needles/dry-needling/", "نقطة"), `نتيجة واحدة عن «نقطة»؛ ${arrows}`);
  assert.equal(await boxStatus("/ar/needles/dry-needling/", "الوخز"), `2 نتيجتان عن «الوخز»؛ ${arrows}`);
  assert.equal(await boxStatus("/ar/needles/dry-needling/", "الإبر"), `4 نتائج عن «الإبر»؛ ${arrows}`);
  assert.match(await boxStatus("/needles/dry-needling/", "needles"), /^[2-9] results for “needles”; use the arrow keys/);
});
