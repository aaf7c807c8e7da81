/* fibre search loader, deferred on every page and kept small: nothing of
   search is loaded until the search box gets the focus or "/" is pressed
   (at once on the /search/ page). It then adds search.css, search-ui.js
   and search-engine.js, the search library and the index, and, as words
   are typed, the index shards they need, all at once. Everything goes through <link> and
   <script> tags, never fetch/XHR, so search works from file:// as over
   http. The site root is learnt from this script's address
   (<root>/search/search.js), which pages give absolute on the public site
   and relative in the offline edition. `fascia build` writes the manifest
   self.fasciaSearchFiles in front of this file: the content hash of every
   file below search/ (each is requested as name?h=hash, so a host can cache
   them for a year), the first term of each term shard and the stemmer
   the index's language needs. See
   docs/search.md. */
(function () {
  "use strict";
  var doc = document, me = doc.currentScript;
  if (!me || !window.URL || !window.Promise || !window.Map) return;
  var ROOT = new URL("../", me.src).href, ui = null;
  var FILES = window.fasciaSearchFiles || { files: {}, terms: [] };
  var MIN_CHARS = 2, PREFETCH = 1;

  /* The reader's language (the script's data-lang, else <html lang>) picks
     the index: the default language's below search/, another's below its
     own folder (fr/search/), as the manifest lists them. An unknown
     language searches the default one's. */
  var LANGS = FILES.languages || {};
  function pick(code) {
    code = (code || "").toLowerCase();
    var keys = Object.keys(LANGS), primary = code.split(/[-_]/)[0];
    return keys.filter(function (k) { return k.toLowerCase() === code; })[0] ||
      keys.filter(function (k) { return k.toLowerCase().split(/[-_]/)[0] === primary; })[0] || null;
  }
  var LANG = pick(me.getAttribute("data-lang") || doc.documentElement.getAttribute("lang"));
  var INDEX = LANG ? LANGS[LANG] : { dir: "search/", index: FILES.files["index.js"], terms: FILES.terms, stemmer: FILES.stemmer };
  /* every language with an index: code -> its folder */
  var DIRS = {};
  if (FILES.lang) DIRS[FILES.lang] = "search/";
  Object.keys(LANGS).forEach(function (k) { DIRS[k] = LANGS[k].dir; });

  /* The address of a file below search/ (the theme's), or below the
     index's folder (`data`: the index, its shards and page texts), with its
     content hash. */
  function url(rel, hash, data) {
    var h = hash || (data ? null : FILES.files[rel]);
    return ROOT + (data ? INDEX.dir : "search/") + rel + (h ? "?h=" + h : "");
  }

  /* Scripts by path below search/ (or, for `data`, below the index's
     folder): one request each, shared with search-ui.js. */
  var scripts = {};
  function script(rel, hash, data) {
    var key = (data ? "data:" : "") + rel;
    if (!scripts[key]) {
      scripts[key] = new Promise(function (resolve, reject) {
        var s = doc.createElement("script");
        s.src = url(rel, hash, data);
        s.async = true;
        s.onload = resolve;
        s.onerror = function () { delete scripts[key]; reject(new Error("cannot load " + rel)); };
        doc.head.appendChild(s);
      });
    }
    return scripts[key];
  }
  function data(rel, hash) { return script(rel, hash, true); }

  function load() {
    if (!ui) {
      var css = doc.createElement("link");
      css.rel = "stylesheet";
      css.href = url("search.css");
      doc.head.appendChild(css);
      /* all at once; search-ui.js waits for the others (the term rules
         and the stemmer of the index's language, when it has one) */
      script("vendor/minisearch-7.2.0.min.js");
      script("terms.js");
      script("search-engine.js");
      if (INDEX.stemmer) script(INDEX.stemmer);
      data("index.js", INDEX.index);
      ui = script("search-ui.js").then(function () {
        if (window.fasciaSearchUI) return window.fasciaSearchUI;
        throw new Error("search-ui.js did not start");
      });
      ui.catch(function () { ui = null; });
    }
    return ui;
  }

  /* Term shards hold runs of terms in sorted order; FILES.terms lists the
     first term of each. While the index loads, the words typed fetch the
     shard holding them (PREFETCH: one; the engine fetches the rest a
     query needs, with fewer bytes than guessing). */
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function prefetch(q) {
    var firsts = INDEX.terms;
    if (!firsts || !firsts.length || api.ready) return;
    q.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").split(/[^\p{Alphabetic}\p{N}]+/u).forEach(function (w) {
      if (w.length < MIN_CHARS) return;
      var lo = 0, hi = firsts.length - 1;
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (cmp(firsts[mid][0], w) <= 0) lo = mid; else hi = mid - 1; }
      for (var k = lo, n = 0; k < firsts.length && n < PREFETCH && (k === lo || firsts[k][0].lastIndexOf(w, 0) === 0); k++, n++) {
        data("shards/t-" + k + ".js", firsts[k][1]);
      }
    });
  }

  var input = doc.querySelector(".search-form input[name=q]");
  var page = doc.getElementById("search-page");
  var pageInput = page && page.querySelector("input[name=q]");
  if (input) {
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { prefetch(input.value); });
  }
  if (page) {
    try { prefetch(new URLSearchParams(location.search).get("q") || ""); } catch (e) { /* old browser */ }
    load();
  }

  /* "/" anywhere but in a field focuses the search box */
  doc.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target, tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    var target = pageInput || input;
    if (!target) return;
    e.preventDefault();
    target.focus();
    target.select();
  });

  /* for search-ui.js (the root, the manifest, the index's language and
     folder, script loading), tests and benchmarks (a search, the engine) */
  var api = window.fasciaSearch = {
    /* set by search-ui.js once its engine is up (it fetches shards itself) */
    ready: false,
    root: ROOT,
    files: FILES,
    /* the index searched: its language (null: the default one), folder
       below the root and content hash of its index.js */
    lang: LANG || FILES.lang || null,
    dir: INDEX.dir,
    indexHash: INDEX.index,
    /* every language with an index: code -> folder (fr/search/) */
    dirs: DIRS,
    url: url,
    script: script,
    data: data,
    load: load,
    engine: function () { return load().then(function (u) { return u.engine(); }); },
    search: function (q, n) { return load().then(function (u) { return u.search(q, n); }); }
  };
})();
