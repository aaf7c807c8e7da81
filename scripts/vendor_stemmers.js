#!/usr/bin/env node
// Vendor Snowball stemmers for the search client (docs/search.md, "Languages").
//
//   npm pack snowball-stemmers@0.6.0 && tar xzf snowball-stemmers-0.6.0.tgz
//   node scripts/vendor_stemmers.js package/snowball-stemmers.js english french spanish arabic
//
// The package (jssnowball, ISC) is one file with every language; this cuts out
// the shared runtime and each named language's class, and writes one file per
// language, themes/fibre/static/search/vendor/snowball-<language>-0.6.0.min.js,
// minified with terser 5 (npx), that defines
// self.fasciaStemmers["<language>"] = function (word) { return stem; }.
// Nothing of the algorithms is changed: tests/browser/stemmers.test.js checks
// that the files stem exactly as the Rust crate fascia indexes with.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const VERSION = "0.6.0";
const [src, ...langs] = process.argv.slice(2);
if (!src || !langs.length) {
  console.error("usage: node scripts/vendor_stemmers.js PATH/snowball-stemmers.js LANGUAGE...");
  process.exit(2);
}
const lines = fs.readFileSync(src, "utf8").split("\n");
const find = (re, from = 0) => {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i])) return i;
  throw new Error(`${src}: no line matches ${re}`);
};
// The runtime: from the first helper to the end of SnowballStemmer.
const typeOf = lines[find(/^var _typeof = /)];
const runStart = find(/^    function _possibleConstructorReturn/);
const runEnd = find(/^    }\(SnowballProgram\);$/, runStart);
const runtime = lines.slice(runStart, runEnd + 1).join("\n");
const out = path.join(__dirname, "..", "themes", "fibre", "static", "search", "vendor");

for (const lang of langs) {
  const start = find(new RegExp(`^    var ${lang}Stemmer = function \\(_SnowballStemmer\\d*\\) {$`));
  const end = find(/^    }\(SnowballStemmer\);$/, start);
  const cls = lines.slice(start, end + 1).join("\n").replace(/_SnowballStemmer\d+\b/g, "_SnowballStemmer");
  const file = `(function () {
'use strict';
${typeOf}
${runtime}
${cls}
var stemmer = new ${lang}Stemmer();
(self.fasciaStemmers = self.fasciaStemmers || {})[${JSON.stringify(lang)}] = function (word) {
    stemmer.setCurrent(word);
    stemmer.stem();
    return stemmer.getCurrent();
};
})();
`;
  const plain = path.join(out, `snowball-${lang}-${VERSION}.js`);
  const min = path.join(out, `snowball-${lang}-${VERSION}.min.js`);
  fs.writeFileSync(plain, file);
  execFileSync("npx", ["--yes", "terser@5", plain, "-c", "-m", "--comments", "false", "-o", min], { stdio: "inherit" });
  fs.unlinkSync(plain);
  const banner = `/*! Snowball ${lang} stemmer: snowball-stemmers ${VERSION} (jssnowball, ISC), from the Snowball project's algorithms (BSD-3-Clause); see LICENSE-snowball.txt */\n`;
  fs.writeFileSync(min, banner + fs.readFileSync(min, "utf8") + "\n");
  console.log(`${path.relative(process.cwd(), min)}: ${fs.statSync(min).size} bytes`);
}
