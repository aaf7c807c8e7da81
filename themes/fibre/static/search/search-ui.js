/* fibre search, loaded by search.js on first use: the header search box
   as an ARIA combobox and the /search/ page, over the engine of
   search-engine.js (MiniSearch, vendored, over the index `fascia build`
   writes to search/). Everything is loaded
   with <script> tags, never fetch/XHR, so search works from file:// (a
   folder or an unzipped copy) exactly as over http. The index stores
   site-root-relative paths (/techniques/iastm/#evidence); they are resolved
   against the site root, learnt from this script's own address
   (<root>/search/search-ui.js). A keystroke is answered at once from what
   is loaded; when it needs a shard still on its way, the list is completed
   when the shard arrives. See docs/search.md. */
(function () {
  "use strict";
  var doc = document, me = doc.currentScript;
  if (!me || !window.URL || !window.Promise || !window.Map) return;
  var ROOT = new URL("../", me.src).href;
  var FILE = location.protocol === "file:";
  var LIB = "vendor/minisearch-7.2.0.min.js", TERMS = "terms.js";
  /* the vendored Snowball stemmers: vendor/snowball-<language>-<this>.min.js */
  var STEMMERS = "3.1.1";
  var DROPDOWN = 8, PAGE = 10, MIN_CHARS = 2;
  /* the engine (search-engine.js), made once it has loaded */
  var ENGINE = "search-engine.js", E = null;

  /* ---------- addresses ---------- */

  /* A site path ("/a/b/#x") as an address: under file:// folders get an
     explicit index.html, as in the offline edition. */
  function href(path, query) {
    var hash = "", i = path.indexOf("#");
    if (i >= 0) { hash = path.slice(i); path = path.slice(0, i); }
    if (FILE && path.charAt(path.length - 1) === "/") path += "index.html";
    return ROOT + path.replace(/^\/+/, "") + (query || "") + hash;
  }
  /* the search page of the index's language (/search/, /fr/search/) */
  function searchPage(q) { return href("/" + DIR, q ? "?q=" + encodeURIComponent(q) : ""); }

  /* ---------- loading ---------- */

  /* Files below search/ load through search.js (one request each, with the
     content hash of the manifest fascia wrote into it); on its own, this
     file loads them itself. */
  var LOADER = window.fasciaSearch && window.fasciaSearch.script ? window.fasciaSearch : null;
  /* the index's folder below the root: the reader's language's (search.js
     picks it), search/ on its own */
  var DIR = LOADER && LOADER.dir ? LOADER.dir : "search/";
  var own = {};
  function script(rel, hash) {
    if (LOADER) return LOADER.script(rel, hash);
    if (!own[rel]) {
      own[rel] = new Promise(function (resolve, reject) {
        var s = doc.createElement("script");
        s.src = ROOT + "search/" + rel + (hash ? "?h=" + hash : "");
        s.async = true;
        s.onload = resolve;
        s.onerror = function () { delete own[rel]; reject(new Error("cannot load " + rel)); };
        doc.head.appendChild(s);
      });
    }
    return own[rel];
  }
  function data(key) { var d = window.fasciaSearchData; return d && d[key]; }
  /* a file of the index (index.js, a shard, a page's text), below its folder */
  function loadData(key, rel, hash) {
    var loaded = LOADER && LOADER.data ? LOADER.data(rel, hash) : script(rel, hash);
    return loaded.then(function () { return data(key); });
  }

  var engine = null, ready = null;
  function getEngine() {
    if (!engine) {
      engine = Promise.all([script(LIB), script(TERMS), script(ENGINE), loadData("index", "index.js")]).then(function (r) {
        var meta = r[3];
        if (!window.fasciaSearchEngine) throw new Error("cannot load " + ENGINE);
        E = E || window.fasciaSearchEngine({ loadData: loadData, href: href, loader: LOADER, minChars: MIN_CHARS });
        if (!window.MiniSearch || !window.fasciaSearchTerms || !meta || meta.format !== E.FORMAT) throw new Error("unusable search index");
        /* the index's language's stemmer (search.js has asked for it already) */
        return meta.stemmer ? script("vendor/snowball-" + meta.stemmer + "-" + STEMMERS + ".min.js").then(function () { return meta; }) : meta;
      }).then(function (meta) {
        var stem = meta.stemmer ? (window.fasciaStemmers || {})[meta.stemmer] : null;
        if (meta.stemmer && !stem) throw new Error("no stemmer for " + meta.stemmer);
        ready = new E.Engine(meta, new window.fasciaSearchTerms.Terms(meta.stop, stem));
        if (LOADER) LOADER.ready = true;
        return ready;
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  /* ---------- rendering ---------- */

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function fill(parent, parts) {
    parts.forEach(function (p) {
      parent.appendChild(p.m ? el("mark", "", p.t) : doc.createTextNode(p.t));
    });
    return parent;
  }
  function titleOf(item, tag, cls) {
    var t = fill(el(tag, cls), item.titleParts);
    if (item.heading) {
      t.appendChild(el("span", "search-heading", item.heading));
    }
    return t;
  }
  /* Interface strings: the page's <script type="application/json"
     id="search-strings"> (the theme writes it in the page's language), else
     these English ones. {name} is filled in by say(). */
  var STRINGS = {
    result_one: "1 result", result_other: "{count} results", quoted: "\u201c{q}\u201d",
    results: "Search results", unavailable: "Search is not available: its index could not be loaded.",
    no_results: "No results for {q}.", all_results: "All {count} for {q}", open_page: "Open the search page for {q}",
    box_status: "{count} for {q}; use the arrow keys to choose one.", show_more: "Show more results",
    min_chars: "Type at least {n} characters.", searching: "Searching\u2026",
    no_results_page: "No results for {q}. Check the spelling, try fewer or more general words, or browse the glossary.",
    page_status_all: "{count} for {q}.", page_status_best: "{count} for {q}; showing the best {n}."
  };
  try {
    var given = JSON.parse((doc.getElementById("search-strings") || {}).textContent || "{}");
    Object.keys(given).forEach(function (k) { if (typeof given[k] === "string" && given[k]) STRINGS[k] = given[k]; });
  } catch (e) { /* keep English */ }
  function say(key, vars) {
    return STRINGS[key].replace(/\{(\w+)\}/g, function (m, v) { return vars && v in vars ? String(vars[v]) : m; });
  }
  /* "3 results": result_<CLDR category of n in the page's language> when
     the page gives that form (Arabic has zero, two, few and many), else
     result_one for 1 and result_other for the rest. */
  var PLURAL = null;
  try { PLURAL = new Intl.PluralRules(doc.documentElement.lang || "en"); } catch (e) { /* one/other */ }
  function count(n) {
    var form = n === 1 ? "result_one" : "result_" + (PLURAL ? PLURAL.select(n) : "other");
    if (!STRINGS[form] || (form === "result_one" && n !== 1)) form = "result_other";
    return say(form, { count: n });
  }
  function quoted(q) { return say("quoted", { q: q }); }

  /* ---------- answering a keystroke ---------- */

  /* Show the results of `raw` at once from what is loaded, then, when a
     shard it needs arrives, the complete results, then their snippets.
     Results that are not complete and empty are not shown (the previous
     list stays until the shard arrives). Snippet texts are fetched at once
     for the first query after a pause, else once typing pauses
     (SNIPPET_DELAY), so that fast typing does not fetch and parse the text
     of every intermediate list. */
  var SNIPPET_DELAY = 150, QUIET = 400, lastInput = 0, lastTexts = 0;
  /* `owner` (the box or the page) remembers its latest query: an older one
     whose shards arrive late neither fetches texts nor cancels the
     latest's fetch. */
  function answer(eng, raw, limit, show, owner) {
    var res, now = Date.now(), quiet = now - lastInput > QUIET && now - lastTexts > QUIET;
    var mine = owner.answers = (owner.answers || 0) + 1;
    lastInput = now;
    /* a sharded index lists a page once its small file is in: results whose
       pages are not all in are not shown (the previous list stays) */
    var ok = function (r) { return (r.complete || r.total) && (r.texts || !eng.pages || !r.total); };
    try { res = eng.searchNow(raw, limit); } catch (e) { show(null); throw e; }
    if (ok(res)) show(res);
    (res.complete ? Promise.resolve(res) : res.next).then(function (done) {
      if (done !== res && ok(done)) show(done);
      if (done.texts || mine !== owner.answers) return;
      clearTimeout(owner.textTimer);
      owner.textTimer = setTimeout(function () {
        lastTexts = Date.now();
        eng.withTexts(done).then(show, function () { show(null); });
      }, quiet ? 0 : SNIPPET_DELAY);
    }, function () { show(null); });
  }

  /* When a word's first letter is typed, fetch the shards its likeliest
     continuations are in. */
  function prefetchWord(eng, raw) {
    var m = /(?:^|[^\p{Alphabetic}\p{N}])([\p{Alphabetic}\p{N}])$/u.exec(raw);
    /* after the keystroke's handler, which it need not slow down */
    if (m) setTimeout(function () { eng.prefetch(E.fold(m[1]), 3); }, 0);
  }

  /* ---------- the header combobox ---------- */

  function Combobox(input) {
    var form = input.form || input.parentNode, self = this;
    this.input = input;
    this.seq = 0;
    this.active = -1;
    this.options = [];
    this.popup = el("div", "search-popup");
    this.popup.hidden = true;
    this.listbox = el("div", "search-listbox");
    this.listbox.id = input.id + "-listbox";
    this.listbox.setAttribute("role", "listbox");
    this.listbox.setAttribute("aria-label", say("results"));
    this.empty = el("p", "search-empty");
    this.empty.hidden = true;
    this.popup.appendChild(this.listbox);
    this.popup.appendChild(this.empty);
    this.status = el("div", "visually-hidden");
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.status.setAttribute("aria-atomic", "true");
    form.appendChild(this.popup);
    form.appendChild(this.status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.listbox.id);
    input.setAttribute("aria-keyshortcuts", "/");
    input.addEventListener("focus", function () { getEngine(); });
    input.addEventListener("input", function () { self.update(); });
    input.addEventListener("keydown", function (e) { self.key(e); });
    form.addEventListener("focusout", function (e) {
      if (!e.relatedTarget || !form.contains(e.relatedTarget)) self.close();
    });
    /* keep the focus in the box while an option is clicked */
    this.popup.addEventListener("mousedown", function (e) { e.preventDefault(); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = input.value.trim();
      if (q) location.href = searchPage(q);
    });
  }

  Combobox.prototype.update = function () {
    var self = this, raw = this.input.value, q = raw.trim(), seq = ++this.seq;
    if (ready) prefetchWord(ready, raw);
    if (q.length < MIN_CHARS) { this.close(); this.status.textContent = ""; return; }
    var show = function (res) { if (seq === self.seq) self.render(q, res); };
    if (ready) return answer(ready, raw, DROPDOWN, show, this);
    getEngine().then(function (eng) {
      if (seq === self.seq) answer(eng, raw, DROPDOWN, show, self);
    }, function () { show(null); });
  };

  Combobox.prototype.render = function (q, res) {
    var self = this, keep = q === this.shown ? this.active : -1;
    this.shown = q;
    this.listbox.setAttribute("data-query", q);
    this.listbox.setAttribute("data-state", res && !res.complete ? "partial" : "complete");
    this.listbox.textContent = "";
    this.options = [];
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    if (!res) {
      this.empty.textContent = say("unavailable");
      this.empty.hidden = false;
      this.status.textContent = this.empty.textContent;
    } else if (!res.total) {
      this.empty.textContent = say("no_results", { q: quoted(q) });
      this.empty.hidden = false;
      this.status.textContent = this.empty.textContent;
    } else {
      this.empty.hidden = true;
      res.items.forEach(function (item) {
        var a = el("a", "search-option");
        a.href = item.href;
        a.appendChild(titleOf(item, "span", "search-option-title"));
        if (item.section) a.appendChild(el("span", "search-option-section", item.section));
        if (item.snippet.length) a.appendChild(fill(el("span", "search-option-snippet"), item.snippet));
        self.addOption(a);
      });
      var all = el("a", "search-option search-all", res.total > res.items.length ?
        say("all_results", { count: count(res.total), q: quoted(q) }) : say("open_page", { q: quoted(q) }));
      all.href = searchPage(q);
      this.addOption(all);
      var said = say("box_status", { count: count(res.total), q: quoted(q) });
      /* announced once the list is complete */
      if (res.complete && this.status.textContent !== said) this.status.textContent = said;
    }
    this.open();
    if (keep >= 0 && keep < this.options.length) this.select(keep);
  };

  Combobox.prototype.addOption = function (a) {
    var n = this.options.length;
    a.id = this.listbox.id + "-" + n;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.tabIndex = -1;
    this.listbox.appendChild(a);
    this.options.push(a);
  };

  Combobox.prototype.open = function () {
    this.popup.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Combobox.prototype.close = function () {
    this.shown = null;
    this.popup.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.select(-1);
  };

  Combobox.prototype.isOpen = function () { return !this.popup.hidden; };

  Combobox.prototype.select = function (i) {
    if (this.active >= 0 && this.options[this.active]) {
      this.options[this.active].setAttribute("aria-selected", "false");
      this.options[this.active].classList.remove("is-active");
    }
    this.active = i;
    var o = this.options[i];
    if (!o) { this.input.removeAttribute("aria-activedescendant"); return; }
    o.setAttribute("aria-selected", "true");
    o.classList.add("is-active");
    this.input.setAttribute("aria-activedescendant", o.id);
    if (o.scrollIntoView) o.scrollIntoView({ block: "nearest" });
  };

  Combobox.prototype.key = function (e) {
    var n = this.options.length;
    switch (e.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (!this.isOpen()) { if (this.input.value.trim().length >= MIN_CHARS) this.update(); return; }
        if (!n) return;
        e.preventDefault();
        var step = e.key === "ArrowDown" ? 1 : -1;
        this.select(this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n);
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) {
          e.preventDefault();
          location.href = this.options[this.active].href;
        }
        break;
      case "Escape":
      case "Esc":
        if (this.isOpen()) { e.preventDefault(); this.close(); }
        else if (this.input.value) { e.preventDefault(); this.input.value = ""; this.status.textContent = ""; }
        break;
      case "Tab":
        this.close();
        break;
    }
  };

  /* ---------- the /search/ page ---------- */

  function SearchPage(root) {
    var self = this;
    this.input = root.querySelector("input[name=q]");
    this.status = root.querySelector(".search-status");
    this.list = root.querySelector(".search-results");
    this.seq = 0;
    this.limit = PAGE;
    if (!this.input || !this.status || !this.list) return;
    /* results come PAGE at a time: "Show more results" asks for the next */
    this.more = el("button", "button search-more", say("show_more"));
    this.more.type = "button";
    this.more.hidden = true;
    this.list.parentNode.insertBefore(this.more, this.list.nextSibling);
    this.more.addEventListener("click", function () {
      self.limit += PAGE;
      self.focusFrom = self.list.children.length;
      self.run(self.input.value, false, true);
    });
    /* links to the same query on the other languages' search pages (the
       template lists the site's languages; those without an index go) */
    var dirs = LOADER && LOADER.dirs ? LOADER.dirs : {};
    this.others = [];
    Array.prototype.forEach.call(root.querySelectorAll("a[data-search-lang]"), function (a) {
      var code = a.getAttribute("data-search-lang");
      var item = a.parentNode.tagName === "LI" ? a.parentNode : a;
      if (!(code in dirs) || code === (LOADER && LOADER.lang)) { item.parentNode.removeChild(item); return; }
      self.others.push([a, a.getAttribute("href").replace(/[?#].*$/, "")]);
    });
    var nav = root.querySelector(".search-languages");
    if (nav && !this.others.length) nav.hidden = true;
    var q = "";
    try { q = new URLSearchParams(location.search).get("q") || ""; } catch (e) { /* old browser */ }
    this.input.value = q;
    if (q) this.run(q); else getEngine();
    this.input.addEventListener("input", function () { self.run(self.input.value, true); });
    var form = this.input.form;
    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); self.run(self.input.value, true); });
  }

  SearchPage.prototype.run = function (raw, remember, more) {
    var self = this, seq = ++this.seq, q = raw.trim();
    this.others.forEach(function (o) { o[0].href = o[1] + (q ? "?q=" + encodeURIComponent(q) : ""); });
    if (!more) { this.limit = PAGE; this.focusFrom = -1; }
    var limit = this.limit;
    if (remember) {
      try { history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname); } catch (e) { /* file:// in some browsers */ }
    }
    if (q.length < MIN_CHARS) {
      this.list.textContent = "";
      this.more.hidden = true;
      this.status.textContent = q ? say("min_chars", { n: MIN_CHARS }) : "";
      return;
    }
    var show = function (res) {
      if (seq !== self.seq) return;
      if (res) self.render(q, res);
      else self.status.textContent = say("unavailable");
    };
    if (ready) return answer(ready, raw, limit, show, this);
    this.status.textContent = say("searching");
    getEngine().then(function (eng) {
      if (seq === self.seq) answer(eng, raw, limit, show, self);
    }, function () { show(null); });
  };

  SearchPage.prototype.render = function (q, res) {
    var list = this.list;
    list.textContent = "";
    list.setAttribute("data-query", q);
    list.setAttribute("data-state", res.complete ? "complete" : "partial");
    this.more.hidden = !(res.total > res.items.length);
    if (!res.total) {
      this.status.textContent = say("no_results_page", { q: quoted(q) });
      return;
    }
    var said = res.total > res.items.length ?
      say("page_status_best", { count: count(res.total), q: quoted(q), n: res.items.length }) :
      say("page_status_all", { count: count(res.total), q: quoted(q) });
    if (res.complete && this.status.textContent !== said) this.status.textContent = said;
    res.items.forEach(function (item) {
      var li = el("li", "search-result"), a = el("a", "search-result-link");
      a.href = item.href;
      a.appendChild(titleOf(item, "span", "search-result-title"));
      li.appendChild(a);
      if (item.section) li.appendChild(el("p", "search-result-section", item.section));
      if (item.snippet.length) li.appendChild(fill(el("p", "search-result-snippet"), item.snippet));
      list.appendChild(li);
    });
    /* after "Show more results", the focus goes to the first new result */
    var first = this.focusFrom >= 0 && list.children[this.focusFrom];
    if (first && res.texts) { this.focusFrom = -1; first.querySelector("a").focus(); }
  };

  /* ---------- start ---------- */

  var page = doc.getElementById("search-page");
  var input = doc.querySelector(".search-form input[name=q]");
  if (input) {
    var box = new Combobox(input);
    /* the focus that loaded this script, and what was typed meanwhile */
    if (doc.activeElement === input) {
      getEngine();
      if (input.value.trim().length >= MIN_CHARS) box.update();
    }
  }
  if (page) new SearchPage(page);
  window.fasciaSearchUI = {
    engine: getEngine,
    search: function (q, n) { return getEngine().then(function (e) { return e.search(q, n || PAGE); }); },
    /* for tests: the edit distance near spellings are measured with
       (once the engine is up) */
    distance: function (a, b, max) { return E.distance(a, b, max); }
  };
})();
