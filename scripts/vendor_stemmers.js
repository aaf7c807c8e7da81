#!/usr/bin/env node
// Vendor Snowball stemmers for the search client (docs/search.md, "Languages").
//
//   git clone https://github.com/snowballstem/snowball && make -C snowball snowball
//   node scripts/vendor_stemmers.js snowball english french spanish arabic
//
// Each language's algorithm is the very .sbl file the Rust crate fascia
// indexes with ships (rust-stemmers, found with `cargo metadata`, or the
// folder given as ALGORITHMS=...), compiled to JavaScript by the Snowball
// compiler of the checkout given (its -js backend and its runtime,
// javascript/base-stemmer.js). The module the compiler writes is made a
// plain script (the runtime inlined, no import or export) that defines
// self.fasciaStemmers["<language>"] = function (word) { return stem; },
// minified with terser 5 (npx) into
// themes/fibre/static/search/vendor/snowball-<language>-<compiler version>.min.js.
// Nothing of the algorithms is changed: tests/browser/stemmers.test.js checks
// that the files stem exactly as the Rust crate does.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const ROOT = path.join(__dirname, "..");
const [snowball, ...langs] = process.argv.slice(2);
if (!snowball || !langs.length) {
  console.error("usage: node scripts/vendor_stemmers.js SNOWBALL_CHECKOUT LANGUAGE...");
  process.exit(2);
}
const compiler = path.join(snowball, "snowball");
const runtimeFile = path.join(snowball, "javascript", "base-stemmer.js");
for (const f of [compiler, runtimeFile]) {
  if (!fs.existsSync(f)) throw new Error(`${f} not found: build the compiler first (make -C ${snowball} snowball)`);
}

/** rust-stemmers' own algorithms folder, as Cargo.lock pins it. */
function algorithms() {
  if (process.env.ALGORITHMS) return process.env.ALGORITHMS;
  const meta = JSON.parse(execFileSync("cargo", ["metadata", "--format-version", "1", "--manifest-path", path.join(ROOT, "Cargo.toml")], { maxBuffer: 1 << 28 }));
  const pkg = meta.packages.find((p) => p.name === "rust-stemmers");
  if (!pkg) throw new Error("rust-stemmers is not among fascia's dependencies");
  return path.join(path.dirname(pkg.manifest_path), "algorithms");
}

// The runtime as a class declaration of the script's own scope.
const runtime = fs.readFileSync(runtimeFile, "utf8").replace(/^export default class BaseStemmer\b/m, "class BaseStemmer");
if (/^\s*(import|export)\b/m.test(runtime)) throw new Error(`${runtimeFile}: unexpected import or export`);
const algs = algorithms();
const out = path.join(ROOT, "themes", "fibre", "static", "search", "vendor");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fascia-stemmers-"));

for (const lang of langs) {
  const sbl = path.join(algs, `${lang}.sbl`);
  const js = path.join(tmp, `${lang}-stemmer.js`);
  execFileSync(compiler, [sbl, "-js", "-o", js], { stdio: ["ignore", "ignore", "inherit"] });
  let module = fs.readFileSync(js, "utf8");
  const version = (module.match(/^\/\/ Generated from \S+ by Snowball (\d+\.\d+\.\d+)/m) || [])[1];
  if (!version) throw new Error(`${js}: no "Generated ... by Snowball X.Y.Z" line`);
  const imports = /^import (\w+) from '\.\/base-stemmer\.js';?$/m;
  const base = (module.match(imports) || [])[1];
  if (!base) throw new Error(`${js}: no import of base-stemmer.js`);
  module = module.replace(imports, `const ${base} = BaseStemmer;`).replace(/^export default class\b/m, "const Stemmer = class");
  if (/^\s*(import|export)\b/m.test(module)) throw new Error(`${js}: unexpected import or export`);
  const file = `(function () {
'use strict';
${runtime}
${module}
const stemmer = new Stemmer();
(self.fasciaStemmers = self.fasciaStemmers || {})[${JSON.stringify(lang)}] = function (word) {
    return stemmer.stemWord(word);
};
})();
`;
  const plain = path.join(tmp, `snowball-${lang}.js`);
  const min = path.join(out, `snowball-${lang}-${version}.min.js`);
  fs.writeFileSync(plain, file);
  execFileSync("npx", ["--yes", "terser@5", plain, "-c", "-m", "--ecma", "2022", "--comments", "false", "-o", min], { stdio: "inherit" });
  const banner = `/*! Snowball ${lang} stemmer: ${lang}.sbl of rust-stemmers compiled by Snowball ${version} (BSD-3-Clause); see LICENSE-snowball.txt */\n`;
  fs.writeFileSync(min, banner + fs.readFileSync(min, "utf8") + "\n");
  console.log(`${path.relative(process.cwd(), min)}: ${fs.statSync(min).size} bytes`);
}
fs.rmSync(tmp, { recursive: true, force: true });
