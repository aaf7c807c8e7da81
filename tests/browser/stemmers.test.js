// The browser makes the same search terms as the index (issue 23): the
// fibre theme's terms.js with each vendored Snowball stemmer
// (themes/fibre/static/search/vendor/snowball-<language>-3.1.1.min.js),
// run in a plain JavaScript context, must give every line of
// tests/data/search-terms/<lang>.tsv the terms fascia's index gives it
// (tests/search_languages.rs checks the Rust side against the same lists).
// No browser is needed: the files are plain scripts.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const ROOT = path.resolve(__dirname, "..", "..");
const SEARCH = path.join(ROOT, "themes", "fibre", "static", "search");
const LISTS = path.join(ROOT, "tests", "data", "search-terms");

/** A fresh context with terms.js and, if named, a stemmer loaded, as a page has them. */
function client(stemmer) {
  const ctx = {};
  ctx.self = ctx;
  vm.createContext(ctx);
  vm.runInContext(fs.readFileSync(path.join(SEARCH, "terms.js"), "utf8"), ctx, { filename: "terms.js" });
  if (stemmer !== "none") {
    const file = path.join(SEARCH, "vendor", `snowball-${stemmer}-3.1.1.min.js`);
    vm.runInContext(fs.readFileSync(file, "utf8"), ctx, { filename: file });
  }
  return ctx;
}

function readList(lang) {
  const lines = fs.readFileSync(path.join(LISTS, `${lang}.tsv`), "utf8").split("\n").filter(Boolean);
  const header = (key) => {
    const line = lines.find((l) => l.startsWith(`# ${key}: `));
    assert.ok(line, `${lang}.tsv has a "# ${key}:" line`);
    return line.slice(key.length + 4);
  };
  const rows = lines.filter((l) => !l.startsWith("#")).map((l) => {
    const tab = l.indexOf("\t");
    assert.ok(tab >= 0, `${lang}.tsv: no tab in ${JSON.stringify(l)}`);
    return [l.slice(0, tab), l.slice(tab + 1)];
  });
  return { stemmer: header("stemmer"), stop: header("stop").split(" ").filter(Boolean), rows };
}

for (const lang of ["en", "fr", "es", "ar"]) {
  test(`${lang}: the client's terms are the index's for every line of ${lang}.tsv`, () => {
    const { stemmer, stop, rows } = readList(lang);
    assert.notEqual(stemmer, "none", `${lang} is stemmed`);
    assert.ok(rows.length > 80, `${rows.length} lines`);
    const ctx = client(stemmer);
    const stem = ctx.fasciaStemmers[stemmer];
    assert.equal(typeof stem, "function", `the vendored file defines the ${stemmer} stemmer`);
    const terms = new ctx.fasciaSearchTerms.Terms(stop, stem);
    const wrong = rows.filter(([text, want]) => terms.terms(text).join(" ") !== want)
      .map(([text, want]) => `${text}: client ${JSON.stringify(terms.terms(text).join(" "))}, index ${JSON.stringify(want)}`);
    assert.deepEqual(wrong, [], `${wrong.length} of ${rows.length} lines differ`);
    // The stemmer does stem: most inflected words differ from their fold.
    const changed = rows.filter(([text]) => !/\s/.test(text) && stem(text.toLowerCase()) !== text.toLowerCase()).length;
    assert.ok(changed > rows.length / 5, `${changed} of ${rows.length} words stemmed`);
  });
}

test("without a stemmer, words are folded only, and stop words are the index's", () => {
  const ctx = client("none");
  const terms = new ctx.fasciaSearchTerms.Terms(["les"], null);
  assert.deepEqual(Array.from(terms.terms("Les Häuser, l'ŒUVRE et Straße")), ["hauser", "l", "oeuvre", "et", "strasse"]);
  assert.equal(ctx.fasciaSearchTerms.fold("كَتَبَ"), "كتب", "Arabic vowel marks dropped");
  assert.equal(ctx.fasciaSearchTerms.fold("हिन्दी"), "हिन्दी", "Devanagari vowel signs kept");
});

test("every vendored stemmer has its licence and names it", () => {
  const vendor = path.join(SEARCH, "vendor");
  const licence = fs.readFileSync(path.join(vendor, "LICENSE-snowball.txt"), "utf8");
  assert.match(licence, /BSD 3-Clause License/);
  // made from the algorithms of the rust-stemmers that Cargo.lock pins (a
  // new version of the crate means running scripts/vendor_stemmers.js again)
  const lock = fs.readFileSync(path.join(ROOT, "Cargo.lock"), "utf8");
  const pinned = (lock.match(/name = "rust-stemmers"\nversion = "([^"]+)"/) || [])[1];
  assert.ok(pinned, "Cargo.lock pins rust-stemmers");
  assert.ok(licence.includes(`rust-stemmers ${pinned} ships`), `LICENSE-snowball.txt names rust-stemmers ${pinned}`);
  assert.match(licence, /Redistribution and use in source and binary forms/);
  const files = fs.readdirSync(vendor).filter((f) => f.startsWith("snowball-"));
  assert.deepEqual(files.sort(), ["arabic", "english", "french", "spanish"].map((l) => `snowball-${l}-3.1.1.min.js`));
  for (const f of files) {
    assert.match(fs.readFileSync(path.join(vendor, f), "utf8").slice(0, 300), /LICENSE-snowball\.txt/, f);
  }
});
