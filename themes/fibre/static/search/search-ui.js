/* fibre search, loaded by search.js on first use: the engine over the
   index `fascia build` writes to search/ (MiniSearch, vendored), the header
   search box as an ARIA combobox, and the /search/ page. Everything is loaded
   with <script> tags, never fetch/XHR, so search works from file:// (a
   folder or an unzipped copy) exactly as over http. The index stores
   site-root-relative paths (/techniques/iastm/#evidence); they are resolved
   against the site root, learnt from this script's own address
   (<root>/search/search-ui.js). See docs/search.md. */
(function () {
  "use strict";
  var doc = document, me = doc.currentScript;
  if (!me || !window.URL || !window.Promise || !window.Map) return;
  var ROOT = new URL("../", me.src).href;
  var FILE = location.protocol === "file:";
  var LIB = "search/vendor/minisearch-7.2.0.min.js";
  var DROPDOWN = 8, PAGE = 50, MIN_CHARS = 2;
  /* MiniSearch's default weights for prefix and fuzzy matches; the most
     index entries one query may score (a bound on the work per keystroke). */
  var PREFIX_WEIGHT = 0.375, FUZZY_WEIGHT = 0.45, BUDGET = 8000, MAX_COMPLETIONS = 10;

  /* ---------- addresses ---------- */

  /* A site path ("/a/b/#x") as an address: under file:// folders get an
     explicit index.html, as in the offline edition. */
  function href(path, query) {
    var hash = "", i = path.indexOf("#");
    if (i >= 0) { hash = path.slice(i); path = path.slice(0, i); }
    if (FILE && path.charAt(path.length - 1) === "/") path += "index.html";
    return ROOT + path.replace(/^\/+/, "") + (query || "") + hash;
  }
  function searchPage(q) { return href("/search/", q ? "?q=" + encodeURIComponent(q) : ""); }

  /* ---------- loading ---------- */

  var scripts = {};
  function load(rel) {
    if (!scripts[rel]) {
      scripts[rel] = new Promise(function (resolve, reject) {
        var s = doc.createElement("script");
        s.src = ROOT + rel;
        s.async = true;
        s.onload = resolve;
        s.onerror = function () { delete scripts[rel]; reject(new Error("cannot load " + rel)); };
        doc.head.appendChild(s);
      });
    }
    return scripts[rel];
  }
  function data(key) { var d = window.fasciaSearchData; return d && d[key]; }
  function loadData(key, rel) { return load(rel).then(function () { return data(key); }); }

  var engine = null;
  function getEngine() {
    if (!engine) {
      engine = Promise.all([load(LIB), loadData("index", "search/index.js")]).then(function (r) {
        if (!window.MiniSearch || !r[1] || r[1].format !== 1) throw new Error("unusable search index");
        return new Engine(r[1]);
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  /* ---------- terms: the same rules as src/search.rs ---------- */

  var SPLIT = /[^\p{Alphabetic}\p{N}]+/u, WORD = /[\p{Alphabetic}\p{N}]+/gu, MARKS = /\p{M}/gu;
  function tokenize(text) { return text.split(SPLIT).filter(Boolean); }
  var PLAIN = /^[a-z0-9]*$/;
  function fold(t) {
    var l = t.toLowerCase();
    return PLAIN.test(l) ? l : l.normalize("NFD").replace(MARKS, "").normalize("NFC");
  }
  /* Strings in code point order, as fascia sorts terms. */
  function cmp(a, b) {
    for (var i = 0, j = 0; i < a.length && j < b.length;) {
      var x = a.codePointAt(i), y = b.codePointAt(j);
      if (x !== y) return x - y;
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    return (a.length - i) - (b.length - j);
  }

  /* ---------- the engine: MiniSearch over fascia's prebuilt index ---------- */

  function Engine(meta) {
    var self = this, n = meta.docs.length, ids = [], boost = {}, fieldIds = {};
    this.meta = meta;
    this.stop = new Set(meta.stop);
    this.texts = {};
    this.shards = {};
    this.words = new Map();
    for (var i = 0; i < n; i++) ids.push(i);
    meta.fields.forEach(function (f, j) { boost[f] = meta.boosts[j]; fieldIds[f] = j; });
    this.process = function (t) { var f = fold(t); return f && !self.stop.has(f) ? f : null; };
    this.options = {
      fields: meta.fields,
      tokenize: tokenize,
      processTerm: this.process,
      searchOptions: { boost: boost }
    };
    this.ms = window.MiniSearch.loadJS({
      documentCount: n, nextId: n, documentIds: ids, fieldIds: fieldIds,
      fieldLength: meta.lengths, averageFieldLength: meta.avg, storedFields: {},
      dirtCount: 0, serializationVersion: 2, index: []
    }, this.options);
    if (meta.terms) this.addTerms(meta.terms);
    if (meta.texts) meta.texts.forEach(function (t, k) { self.texts[k] = t; });
  }

  /* A term's entry as it arrives: [term, field, [doc delta, tf, ...],
     field, [...], ...], then -N when fascia kept only the pages where the
     term counts most out of N that have it. MiniSearch reads a term's value
     only through get(field), which must give a Map of page -> frequency;
     those Maps are made when a query first reaches the term. */
  function Postings(entry) {
    this.e = entry;
    this.m = null;
    this.cost = 0;
    for (var j = 2; j < entry.length; j += 2) this.cost += entry[j].length / 2;
    this.total = entry.length % 2 === 0 ? -entry[entry.length - 1] : 0;
  }
  Postings.prototype.get = function (field) {
    if (!this.m) {
      var e = this.e, m = new Map();
      for (var j = 1; j + 1 < e.length; j += 2) {
        var p = e[j + 1], docs = new Map(), d = 0;
        for (var k = 0; k < p.length; k += 2) { d += p[k]; docs.set(d, p[k + 1]); }
        m.set(e[j], docs);
      }
      this.m = m;
    }
    return this.m.get(field);
  };
  /* How many pages the entry keeps. */
  Postings.prototype.kept = function () {
    var pages = new Set(), e = this.e;
    for (var j = 2; j < e.length; j += 2) {
      for (var k = 0, d = 0; k < e[j].length; k += 2) { d += e[j][k]; pages.add(d); }
    }
    return pages.size;
  };

  Engine.prototype.addTerms = function (entries) {
    var index = this.ms._index;
    for (var i = 0; i < entries.length; i++) index.set(entries[i][0], new Postings(entries[i]));
  };

  /* How many index entries a term brings (the work it costs a query). */
  Engine.prototype.cost = function (term) {
    var p = this.ms._index.get(term);
    return p ? p.cost : 0;
  };

  /* MiniSearch weighs a term by how few pages have it; a pruned term would
     look rarer than it is, so its weight is brought back down. */
  Engine.prototype.rarity = function (term) {
    var p = this.ms._index.get(term), n = this.meta.docs.length;
    if (!p || !p.total) return 1;
    if (!p.keep) p.keep = p.kept();
    var idf = function (df) { return Math.log(1 + (n - df + 0.5) / (df + 0.5)); };
    return idf(p.total) / idf(p.keep);
  };

  /* The index terms one query term stands for, each as a MiniSearch query
     with its weight: the term itself, then completions (prefix search; the
     shorter, the closer), then near spellings (one edit from 4 letters, two
     from 8). MiniSearch's own weights for prefix and fuzzy matches are used;
     expansions stop when they would cost more than `budget` entries. */
  Engine.prototype.leaves = function (t, budget, kinds, prefixOnly) {
    var self = this, index = this.ms._index, out = [], seen = new Set(), used = 0;
    function add(term, weight, kind) {
      if (seen.has(term)) return;
      seen.add(term);
      var n = self.cost(term);
      if (!n || (out.length && used + n > budget)) return;
      used += n;
      var w = weight * self.rarity(term);
      if (kind !== "fuzzy" || !kinds.has(term)) kinds.set(term, kind);
      out.push({ queries: [term], prefix: false, fuzzy: false, boostTerm: function () { return w; } });
    }
    if (!prefixOnly) add(t, 1, "exact");
    if (t.length >= MIN_CHARS) {
      /* completions, the commonest first (the likeliest word being typed);
         SearchableMap.forEach passes (key, value), unlike Map */
      var more = [];
      index.atPrefix(t).forEach(function (term) { if (term !== t) more.push([term, self.cost(term)]); });
      more.sort(function (a, b) { return b[1] - a[1] || a[0].length - b[0].length; });
      more.slice(0, MAX_COMPLETIONS).forEach(function (x) {
        var term = x[0];
        add(term, PREFIX_WEIGHT * term.length / (term.length + 0.3 * (term.length - t.length)), "prefix");
      });
    }
    if (t.length >= 4 && !prefixOnly) {
      var near = [];
      index.fuzzyGet(t, t.length >= 8 ? 2 : 1).forEach(function (v, term) { near.push([term, v[1]]); });
      near.sort(function (a, b) { return a[1] - b[1]; });
      near.forEach(function (x) { add(x[0], FUZZY_WEIGHT * x[0].length / (x[0].length + x[1]), "fuzzy"); });
    }
    return out;
  };

  /* Term shards hold runs of terms in sorted order; meta.termShards lists
     the first term of each. A query term needs the shard holding it and, for
     prefix search, the following shards whose first term starts with it. */
  Engine.prototype.needShards = function (terms) {
    var firsts = this.meta.termShards, need = {};
    if (!firsts) return [];
    terms.forEach(function (t) {
      var lo = 0, hi = firsts.length - 1;
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (cmp(firsts[mid], t) <= 0) lo = mid; else hi = mid - 1; }
      need[lo] = true;
      if (t.length >= MIN_CHARS) {
        for (var i = lo + 1; i < firsts.length && firsts[i].lastIndexOf(t, 0) === 0; i++) need[i] = true;
      }
    });
    return Object.keys(need);
  };

  Engine.prototype.loadShards = function (keys) {
    var self = this;
    return Promise.all(keys.map(function (k) {
      if (!self.shards[k]) {
        var name = "t-" + k;
        self.shards[k] = loadData(name, "search/shards/" + name + ".js").then(function (entries) {
          if (entries) self.addTerms(entries);
        });
        self.shards[k].catch(function () { delete self.shards[k]; });
      }
      return self.shards[k];
    }));
  };

  Engine.prototype.loadTexts = function (ids) {
    var self = this, starts = this.meta.textShards, need = {};
    if (!starts) return Promise.resolve();
    ids.forEach(function (id) {
      if (self.texts[id]) return;
      var lo = 0, hi = starts.length - 1;
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (starts[mid] <= id) lo = mid; else hi = mid - 1; }
      need[lo] = true;
    });
    return Promise.all(Object.keys(need).map(function (n) {
      n = +n;
      return loadData("x-" + n, "search/shards/x-" + n + ".js").then(function (list) {
        (list || []).forEach(function (t, k) { self.texts[starts[n] + k] = t; });
      });
    }));
  };

  /* Search: resolves to {total, items: [{title, heading, section, href,
     snippet, titleParts}]}. When the text of some results is still to be
     loaded (a sharded index), `early` first gets the results without their
     snippets and heading links, so titles show at once. */
  Engine.prototype.search = function (query, limit, early) {
    var self = this, words = tokenize(query), terms = words.map(this.process).filter(Boolean);
    /* the word being typed counts as a prefix even when it is a stop word
       ("as" on the way to "astym") */
    var last = words.length && !/[^\p{Alphabetic}\p{N}]$/u.test(query) ? fold(words[words.length - 1]) : "";
    var partial = last.length >= MIN_CHARS && this.stop.has(last) ? last : null;
    if (partial) terms.push(partial);
    if (!terms.length) return Promise.resolve({ total: 0, items: [] });
    return this.loadShards(this.needShards(terms)).then(function () {
      var named = partial ? terms.slice(0, -1) : terms;
      var owners = self.meta.phrases[named.join(" ")], boosted = owners ? new Set(owners) : null;
      var opts = {}, budget = BUDGET / terms.length;
      if (boosted) opts.boostDocument = function (id) { return boosted.has(id) ? 3 : 1; };
      var kinds = new Map(), owner = new Map();
      var groups = terms.map(function (t, i) {
        var leaves = self.leaves(t, budget, kinds, partial !== null && i === terms.length - 1);
        leaves.forEach(function (l) { (owner.get(l.queries[0]) || owner.set(l.queries[0], []).get(l.queries[0])).push(i); });
        return { combineWith: "OR", queries: leaves };
      });
      var hits = self.ms.search({ combineWith: "AND", queries: groups }, opts);
      if (!hits.length && terms.length > 1) hits = self.ms.search({ combineWith: "OR", queries: groups }, opts);
      /* MiniSearch multiplies a score by the number of query terms matched;
         here each spelling of a term is a query of its own, so count the
         terms typed instead, and sort again. */
      hits.forEach(function (h) {
        var n = h.queryTerms.length || 1, typed = 1;
        if (terms.length > 1) {
          var mask = 0;
          h.queryTerms.forEach(function (q) { (owner.get(q) || []).forEach(function (i) { mask |= 1 << (i & 31); }); });
          for (typed = 0; mask; mask &= mask - 1) typed++;
        }
        h.score = h.score / n * (typed || 1);
      });
      hits.sort(function (a, b) { return b.score - a.score; });
      var top = hits.slice(0, limit);
      var missing = top.some(function (h) { return !self.texts[h.id]; });
      if (missing && early) early({ total: hits.length, items: top.map(function (h) { return self.describe(h, kinds, owner); }) });
      return self.loadTexts(top.map(function (h) { return h.id; })).then(function () {
        return { total: hits.length, items: top.map(function (h) { return self.describe(h, kinds, owner); }) };
      });
    });
  };

  /* Folded words of a text, cached per document section. */
  Engine.prototype.wordSet = function (key, text) {
    var s = this.words.get(key);
    if (!s) {
      s = new Set((text.match(WORD) || []).map(fold));
      this.words.set(key, s);
    }
    return s;
  };

  /* Where a hit points and what it shows. Terms the page's own names (title,
     synonyms) matched point at the page; the rest point at the heading that
     has most of them, else at the section whose text has most of them. The
     snippet comes from that section, else from the description. */
  Engine.prototype.describe = function (hit, kinds, owner) {
    var self = this, d = this.meta.docs[hit.id], rec = this.texts[hit.id] || ["", []];
    var matched = Object.keys(hit.match), fields = {}, rest = new Set(), named = {};
    /* a query term the page's names matched (in any of its spellings) points
       at the page; near spellings only point somewhere when nothing closer
       matched */
    var close = matched.filter(function (t) { return kinds.get(t) !== "fuzzy"; });
    matched.forEach(function (t) {
      var f = hit.match[t];
      f.forEach(function (x) { fields[x] = true; });
      if (f.indexOf("title") >= 0 || f.indexOf("synonyms") >= 0) {
        (owner.get(t) || []).forEach(function (i) { named[i] = true; });
      }
    });
    matched.forEach(function (t) {
      var groups = owner.get(t) || [];
      if (groups.some(function (i) { return named[i]; })) return;
      if (!close.length || kinds.get(t) !== "fuzzy") rest.add(t);
    });
    var terms = new Set(matched), sections = rec[1];
    function best(col, withIntro, wanted) {
      var top = null, most = 0;
      sections.forEach(function (s, i) {
        if (!s[col] || (!withIntro && !s[0])) return;
        var words = self.wordSet(hit.id + ":" + i + ":" + col, s[col]), n = 0;
        wanted.forEach(function (t) { if (words.has(t)) n++; });
        if (n > most) { most = n; top = s; }
      });
      return top;
    }
    var section = null;
    if (rest.size) section = best(1, false, rest) || best(2, true, rest);
    var text = section && section[2];
    if (!text) {
      var desc = rec[0], inDesc = desc && this.wordSet(hit.id + ":d", desc);
      var any = inDesc && matched.some(function (t) { return inDesc.has(t); });
      if (any || !fields.body) text = desc;
      else { var b = best(2, true, terms); text = (b && b[2]) || desc; }
    }
    var sec = d[2] >= 0 ? this.meta.sections[d[2]] : null;
    return {
      title: d[1],
      titleParts: mark(d[1], terms, 0),
      heading: section && section[0] ? section[1] : "",
      section: sec ? sec[0] : "",
      href: href(docPath(d, sec) + (section && section[0] ? "#" + section[0] : "")),
      snippet: mark(text || "", terms, 180)
    };
  };

  /* A document's site path: written out, relative to its section's path,
     or (0) the section's path and the title as a slug, as src/search.rs
     shortens them. */
  function docPath(d, sec) {
    var p = d[0];
    if (!sec) return p;
    if (p === 0) return sec[1] + d[1].toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") + "/";
    return p.charAt(0) === "/" ? p : sec[1] + p;
  }

  /* Split text into [{t, m}] parts, m for matched words; with a width, a
     window of about that many characters around the first match. */
  function mark(text, terms, width) {
    var spans = [], m, first = -1;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (terms.has(fold(m[0]))) {
        spans.push([m.index, m.index + m[0].length]);
        if (first < 0) first = m.index;
      }
    }
    var from = 0, to = text.length;
    if (width && text.length > width) {
      from = Math.max(0, (first < 0 ? 0 : first) - 50);
      if (from > 0) { var sp = text.indexOf(" ", from); from = sp >= 0 && sp < from + 20 ? sp + 1 : from; }
      to = Math.min(text.length, from + width);
      if (to < text.length) { var e = text.lastIndexOf(" ", to); if (e > from + width / 2) to = e; }
    }
    var parts = [], at = from;
    if (from > 0) parts.push({ t: "… " });
    spans.forEach(function (s) {
      if (s[0] < from || s[1] > to) return;
      if (s[0] > at) parts.push({ t: text.slice(at, s[0]) });
      parts.push({ t: text.slice(s[0], s[1]), m: true });
      at = s[1];
    });
    if (at < to) parts.push({ t: text.slice(at, to) });
    if (to < text.length) parts.push({ t: " …" });
    return parts;
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
  function count(n) { return n === 1 ? "1 result" : n + " results"; }
  function quoted(q) { return "\u201c" + q + "\u201d"; }

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
    this.listbox.setAttribute("aria-label", "Search results");
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
    var self = this, q = this.input.value.trim(), seq = ++this.seq;
    if (q.length < MIN_CHARS) { this.close(); this.status.textContent = ""; return; }
    var early = function (res) { if (seq === self.seq) self.render(q, res); };
    var raw = this.input.value;
    getEngine().then(function (eng) { return eng.search(raw, DROPDOWN, early); }).then(function (res) {
      if (seq === self.seq) self.render(q, res);
    }, function () {
      if (seq !== self.seq) return;
      self.render(q, null);
    });
  };

  Combobox.prototype.render = function (q, res) {
    var self = this, keep = q === this.shown ? this.active : -1;
    this.shown = q;
    this.listbox.textContent = "";
    this.options = [];
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    if (!res) {
      this.empty.textContent = "Search is not available: its index could not be loaded.";
      this.empty.hidden = false;
      this.status.textContent = this.empty.textContent;
    } else if (!res.total) {
      this.empty.textContent = "No results for " + quoted(q) + ".";
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
        "All " + count(res.total) + " for " + quoted(q) : "Open the search page for " + quoted(q));
      all.href = searchPage(q);
      this.addOption(all);
      var said = count(res.total) + " for " + quoted(q) + "; use the arrow keys to choose one.";
      if (this.status.textContent !== said) this.status.textContent = said;
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
    if (!this.input || !this.status || !this.list) return;
    var q = "";
    try { q = new URLSearchParams(location.search).get("q") || ""; } catch (e) { /* old browser */ }
    this.input.value = q;
    if (q) this.run(q); else getEngine();
    this.input.addEventListener("input", function () { self.run(self.input.value, true); });
    var form = this.input.form;
    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); self.run(self.input.value, true); });
  }

  SearchPage.prototype.run = function (raw, remember) {
    var self = this, seq = ++this.seq, q = raw.trim();
    if (remember) {
      try { history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname); } catch (e) { /* file:// in some browsers */ }
    }
    if (q.length < MIN_CHARS) {
      this.list.textContent = "";
      this.status.textContent = q ? "Type at least " + MIN_CHARS + " characters." : "";
      return;
    }
    this.status.textContent = "Searching\u2026";
    var early = function (res) { if (seq === self.seq) self.render(q, res); };
    getEngine().then(function (eng) { return eng.search(raw, PAGE, early); }).then(function (res) {
      if (seq === self.seq) self.render(q, res);
    }, function () {
      if (seq === self.seq) self.status.textContent = "Search is not available: its index could not be loaded.";
    });
  };

  SearchPage.prototype.render = function (q, res) {
    var list = this.list;
    list.textContent = "";
    if (!res.total) {
      this.status.textContent = "No results for " + quoted(q) + ". Check the spelling, try fewer or more general words, or browse the glossary.";
      return;
    }
    var said = count(res.total) + " for " + quoted(q) +
      (res.total > res.items.length ? "; showing the best " + res.items.length + "." : ".");
    if (this.status.textContent !== said) this.status.textContent = said;
    res.items.forEach(function (item) {
      var li = el("li", "search-result"), a = el("a", "search-result-link");
      a.href = item.href;
      a.appendChild(titleOf(item, "span", "search-result-title"));
      li.appendChild(a);
      if (item.section) li.appendChild(el("p", "search-result-section", item.section));
      if (item.snippet.length) li.appendChild(fill(el("p", "search-result-snippet"), item.snippet));
      list.appendChild(li);
    });
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
    search: function (q, n) { return getEngine().then(function (e) { return e.search(q, n || PAGE); }); }
  };
})();
