/* fibre search loader, deferred on every page and kept small: nothing of
   search is loaded until the search box gets the focus or "/" is pressed
   (at once on the /search/ page). It then adds search.css and search-ui.js,
   which loads the index. Everything goes through <link> and <script> tags,
   never fetch/XHR, so search works from file:// as over http. The site root
   is learnt from this script's address (<root>/search/search.js), which
   pages give absolute on the public site and relative in the offline
   edition. See docs/search.md. */
(function () {
  "use strict";
  var doc = document, me = doc.currentScript;
  if (!me || !window.URL || !window.Promise || !window.Map) return;
  var ROOT = new URL("../", me.src).href, ui = null;

  function load() {
    if (!ui) {
      ui = new Promise(function (resolve, reject) {
        var css = doc.createElement("link");
        css.rel = "stylesheet";
        css.href = ROOT + "search/search.css";
        doc.head.appendChild(css);
        /* what search-ui.js will ask for next, fetched meanwhile */
        ["search/vendor/minisearch-7.2.0.min.js", "search/index.js"].forEach(function (f) {
          var l = doc.createElement("link");
          l.rel = "preload";
          l.as = "script";
          l.href = ROOT + f;
          doc.head.appendChild(l);
        });
        var s = doc.createElement("script");
        s.src = ROOT + "search/search-ui.js";
        s.async = true;
        s.onload = function () {
          if (window.fasciaSearchUI) resolve(window.fasciaSearchUI);
          else reject(new Error("search-ui.js did not start"));
        };
        s.onerror = function () { reject(new Error("cannot load search-ui.js")); };
        doc.head.appendChild(s);
      });
      ui.catch(function () { ui = null; });
    }
    return ui;
  }

  var input = doc.querySelector(".search-form input[name=q]");
  var page = doc.getElementById("search-page");
  var pageInput = page && page.querySelector("input[name=q]");
  if (input) input.addEventListener("focus", load);
  if (page) load();

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

  /* for tests and benchmarks: the root learnt, a search, the engine */
  window.fasciaSearch = {
    root: ROOT,
    load: load,
    engine: function () { return load().then(function (u) { return u.engine(); }); },
    search: function (q, n) { return load().then(function (u) { return u.search(q, n); }); }
  };
})();
