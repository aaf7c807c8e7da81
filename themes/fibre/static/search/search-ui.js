/* fibre search, loaded by search.js on first use: the engine over the
   index `fascia build` writes to search/ (MiniSearch, vendored), the header
   search box as an ARIA combobox, and the /search/ page. Everything is loaded
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
  var STEMMERS = "0.6.0";
  var DROPDOWN = 8, PAGE = 10, MIN_CHARS = 2;
  /* MiniSearch's default weights for prefix and fuzzy matches; the most
     index entries one query may score (a bound on the work per keystroke). */
  var PREFIX_WEIGHT = 0.375, FUZZY_WEIGHT = 0.45, BUDGET = 6000, MAX_COMPLETIONS = 10;

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
      engine = Promise.all([script(LIB), script(TERMS), loadData("index", "index.js")]).then(function (r) {
        var meta = r[2];
        if (!window.MiniSearch || !window.fasciaSearchTerms || !meta || meta.format !== FORMAT) throw new Error("unusable search index");
        /* the index's language's stemmer (search.js has asked for it already) */
        return meta.stemmer ? script("vendor/snowball-" + meta.stemmer + "-" + STEMMERS + ".min.js").then(function () { return meta; }) : meta;
      }).then(function (meta) {
        var stem = meta.stemmer ? (window.fasciaStemmers || {})[meta.stemmer] : null;
        if (meta.stemmer && !stem) throw new Error("no stemmer for " + meta.stemmer);
        ready = new Engine(meta, new window.fasciaSearchTerms.Terms(meta.stop, stem));
        if (LOADER) LOADER.ready = true;
        return ready;
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  /* ---------- terms: terms.js, the same rules as src/search/ ---------- */

  var SPLIT = /[^\p{Alphabetic}\p{N}]+/u, WORD = /[\p{Alphabetic}\p{N}]+/gu;
  function tokenize(text) { return text.split(SPLIT).filter(Boolean); }
  function fold(t) { return window.fasciaSearchTerms.fold(t); }
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
  function one(s) { return [s]; }
  function same(s) { return s; }

  /* Optimal string alignment distance between the term whose letters are
     in PEQ (m UTF-16 units, at most 31) and w: the edits are a letter
     added, dropped or changed, or two neighbours swapped. Gives max + 1 as
     soon as it must exceed max. Hyyrö's bit-parallel algorithm (2003). */
  var PEQ = new Int32Array(65536);
  function distance(m, w, max) {
    var last = 1 << (m - 1), vp = -1, vn = 0, d0 = 0, prev = 0, score = m, n = w.length;
    for (var j = 0; j < n; j++) {
      var eq = PEQ[w.charCodeAt(j)];
      var tr = ((~d0 & eq) << 1) & prev;
      d0 = (((eq & vp) + vp) ^ vp) | eq | vn | tr;
      var hp = vn | ~(d0 | vp), hn = vp & d0;
      if (hp & last) score++;
      else if (hn & last) score--;
      if (score - (n - j - 1) > max) return max + 1;
      hp = (hp << 1) | 1;
      hn <<= 1;
      vp = hn | ~(d0 | hp);
      vn = hp & d0;
      prev = eq;
    }
    return score;
  }

  /* ---------- the engine: MiniSearch over fascia's prebuilt index ---------- */

  var FORMAT = 4;
  /* the digits 0-9, a-z, A-Z of a string, as 0 to 61 */
  function digit(s, i) {
    var c = s.charCodeAt(i);
    return c <= 57 ? c - 48 : c <= 90 ? c - 29 : c - 87;
  }

  /* A term's entry as it arrives: [term, field, [doc delta, tf, ...],
     field, [...], ...], then -N when fascia kept only the pages where the
     term counts most out of N that have it. Frequencies are normalised for
     the field's length and scaled (meta.tf_scale). MiniSearch reads a
     term's value only through get(field), which must give a Map of page ->
     frequency; those Maps are made when a query first reaches the term. */
  function Postings(entry, scale) {
    this.e = entry;
    this.scale = scale;
    this.m = null;
    this.keep = 0;
    this.total = entry.length % 2 === 0 ? -entry[entry.length - 1] : 0;
  }
  Postings.prototype.get = function (field) {
    if (!this.m) {
      var e = this.e, m = new Map(), scale = this.scale;
      for (var j = 1; j + 1 < e.length; j += 2) {
        var p = e[j + 1], docs = new Map(), d = 0;
        for (var k = 0; k < p.length; k += 2) { d += p[k]; docs.set(d, p[k + 1] / scale); }
        m.set(e[j], docs);
      }
      this.m = m;
    }
    return this.m.get(field);
  };
  /* How many index entries the term brings (the work it costs a query). */
  Postings.prototype.cost = function () {
    for (var j = 2, n = 0; j < this.e.length; j += 2) n += this.e[j].length / 2;
    return n;
  };
  /* How many pages the entry keeps. */
  Postings.prototype.kept = function () {
    var pages = new Set(), e = this.e;
    for (var j = 2; j < e.length; j += 2) {
      for (var k = 0, d = 0; k < e[j].length; k += 2) { d += e[j][k]; pages.add(d); }
    }
    return pages.size;
  };

  /* The engine over the index `meta`, whose terms `an` makes (terms.js). */
  function Engine(meta, an) {
    var self = this, n = meta.docs ? meta.docs.length : meta.count, boost = {}, fieldIds = {}, avg = meta.avg;
    this.meta = meta;
    this.an = an;
    this.scale = meta.tf_scale || 1;
    this.stop = an.stop;
    this.texts = {};
    /* a sharded index has no page table: each page's address, title and
       snippet text come in its own small file, for the results shown */
    this.pages = meta.docs ? null : {};
    this.count = n;
    this.words = new Map();
    this.postings = new Map();
    this.shards = {};
    meta.fields.forEach(function (f, j) { boost[f] = meta.boosts[j]; fieldIds[f] = j; });
    this.names = fieldIds.synonyms;
    this.process = function (t) { return an.term(t); };
    this.ms = window.MiniSearch.loadJS({
      documentCount: n, nextId: n, documentIds: {}, fieldIds: fieldIds,
      fieldLength: {}, averageFieldLength: avg, storedFields: {},
      dirtCount: 0, serializationVersion: 2, index: []
    }, { fields: meta.fields, searchOptions: { boost: boost } });
    /* MiniSearch reads pages, field lengths and terms through these four
       (docs/search.md): pages are numbers; every page is scored with the
       average field lengths, as fascia normalised the frequencies; terms are
       those of the shards loaded so far. */
    this.ms._documentIds = { has: function (id) { return id >= 0 && id < n; }, get: function (id) { return id; } };
    this.ms._fieldLength = { get: function () { return avg; } };
    this.ms._storedFields = { get: function () { return undefined; } };
    this.ms._index = { get: function (term) { return self.postings.get(term); } };
    if (meta.terms) {
      /* one file: every term is here */
      this.vocab = meta.terms.map(function (e) { return e[0]; });
      this.costs = meta.terms.map(function (e) {
        var p = new Postings(e, self.scale);
        self.postings.set(e[0], p);
        return p.cost();
      });
    } else {
      /* a sharded index: the terms in order ("|" between them, split
         natively: no loop over the vocabulary while the first results are
         awaited) and one digit per term for the size of its postings */
      this.vocab = meta.vocab ? meta.vocab.split("|") : [];
      this.sizes = meta.sizes;
      this.termHashes = meta.termHashes.split(" ");
    }
    if (meta.texts) meta.texts.forEach(function (t, k) { self.texts[k] = t; });
  }

  /* How many index entries vocabulary term i brings (the work it costs a
     query): exact in a one-file index, 2^(digit/4) in a sharded one. */
  Engine.prototype.cost = function (i) {
    return this.costs ? this.costs[i] : Math.round(Math.pow(2, digit(this.sizes, i) / 4));
  };
  /* The term shard holding vocabulary term i (-1: one file). */
  Engine.prototype.shardOf = function (i) {
    var firsts = this.meta.termShards;
    if (!firsts) return -1;
    var t = this.vocab[i], lo = 0, hi = firsts.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (cmp(firsts[mid], t) <= 0) lo = mid; else hi = mid - 1; }
    return lo;
  };
  function isPhrase(t) { return t.indexOf(" ") >= 0; }

  /* The first vocabulary entry not before t. */
  Engine.prototype.lowerBound = function (t) {
    var lo = 0, hi = this.vocab.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (cmp(this.vocab[mid], t) < 0) lo = mid + 1; else hi = mid; }
    return lo;
  };
  Engine.prototype.find = function (t) {
    var i = this.lowerBound(t);
    return i < this.vocab.length && this.vocab[i] === t ? i : -1;
  };

  /* The longest word of at least three letters that w starts with (not w
     itself), or -1. */
  Engine.prototype.longestPrefixOf = function (w) {
    for (var k = w.length - 1; k >= 3; k--) {
      var i = this.find(w.slice(0, k));
      if (i >= 0) return i;
    }
    return -1;
  };

  /* Words that start with t (not t itself), the commonest first. */
  Engine.prototype.completions = function (t) {
    var self = this, v = this.vocab, out = [];
    for (var i = this.lowerBound(t); i < v.length && v[i].lastIndexOf(t, 0) === 0; i++) {
      if (v[i] !== t && !isPhrase(v[i])) out.push([i, this.cost(i)]);
    }
    out.sort(function (a, b) { return b[1] - a[1] || v[a[0]].length - v[b[0]].length; });
    return out.slice(0, MAX_COMPLETIONS).map(function (x) { return x[0]; });
  };

  /* Words within max edits of t, the closest first: [[vocabulary entry,
     distance], ...]. The whole vocabulary is always loaded, so a typo
     anywhere in a word (its first letter too) is found whichever shard
     holds the word. */
  Engine.prototype.near = function (t, max) {
    var m = t.length, v = this.vocab, out = [];
    if (m > 31) return out;
    for (var i = 0; i < m; i++) PEQ[t.charCodeAt(i)] |= 1 << i;
    for (var j = 0; j < v.length; j++) {
      var w = v[j], dl = w.length - m;
      if (dl > max || dl < -max || w === t || isPhrase(w)) continue;
      var d = distance(m, w, max);
      if (d <= max) out.push([j, d]);
    }
    for (i = 0; i < m; i++) PEQ[t.charCodeAt(i)] = 0;
    out.sort(function (a, b) { return a[1] - b[1] || a[0] - b[0]; });
    return out;
  };

  /* The index terms one query term stands for, with their weights: the term
     itself, then completions (prefix search; the shorter, the closer), then
     near spellings (one edit from 4 letters, two from 8). MiniSearch's own
     weights for prefix and fuzzy matches are used; expansions stop when they
     would cost more than `budget` index entries. */
  Engine.prototype.leaves = function (t, budget, prefixOnly, typed) {
    var self = this, out = [], seen = new Set(), used = 0;
    /* two letters say little yet: half the work */
    if (t.length < 3) budget /= 2;
    function add(i, weight, kind) {
      var term = self.vocab[i];
      if (seen.has(term)) return;
      seen.add(term);
      var n = self.cost(i);
      if (out.length && used + n > budget) return;
      used += n;
      out.push({ term: term, i: i, weight: weight, kind: kind });
    }
    if (!prefixOnly) {
      var e = this.find(t);
      if (e >= 0 && !isPhrase(t)) add(e, 1, "exact");
    }
    if (t.length >= MIN_CHARS) {
      this.completions(t).forEach(function (i) {
        var len = self.vocab[i].length;
        add(i, PREFIX_WEIGHT * len / (len + 0.3 * (len - t.length)), "prefix");
      });
    }
    /* a word still being typed may have gone past the stem of the word
       it is on its way to ("relaxat" for "relaxation", whose stem is
       "relax"): when its own stem neither is a term nor starts one, the
       longest term it starts with stands for it */
    if (typed && !out.length) {
      var p = this.longestPrefixOf(typed);
      if (p >= 0) add(p, PREFIX_WEIGHT, "prefix");
    }
    if (t.length >= 4 && !prefixOnly) {
      this.near(t, t.length >= 8 ? 2 : 1).forEach(function (x) {
        var len = self.vocab[x[0]].length;
        add(x[0], FUZZY_WEIGHT * len / (len + x[1]), "fuzzy");
      });
    }
    return out;
  };

  /* Names of several words (indexed whole, words joined by spaces) that a
     run of query terms spells: the first word is the query term or one of
     its expansions, each other word the query term at its place, a word it
     starts, or one of its near spellings. */
  Engine.prototype.phrases = function (terms, groups) {
    var self = this, v = this.vocab, found = [];
    function fits(word, t, leaves) {
      if (word === t || (t.length >= MIN_CHARS && word.lastIndexOf(t, 0) === 0)) return true;
      return leaves.some(function (l) { return l.term === word; });
    }
    terms.forEach(function (t, i) {
      if (i + 1 >= terms.length) return;
      var firsts = new Set([t]);
      groups[i].forEach(function (l) { firsts.add(l.term); });
      firsts.forEach(function (w) {
        for (var j = self.lowerBound(w + " "); j < v.length && v[j].lastIndexOf(w + " ", 0) === 0; j++) {
          var words = v[j].split(" "), ok = words.length <= terms.length - i, exact = w === t;
          for (var k = 1; ok && k < words.length; k++) {
            ok = fits(words[k], terms[i + k], groups[i + k]);
            exact = exact && words[k] === terms[i + k];
          }
          if (ok) found.push({ term: v[j], i: i, len: words.length, vi: j, weight: exact ? 1 : PREFIX_WEIGHT });
        }
      });
    });
    return found;
  };

  /* A query's plan: its terms, the index terms each stands for, the names
     it spells, and the shards those are in that are not loaded yet. */
  Engine.prototype.plan = function (query) {
    var self = this, words = tokenize(query), terms = words.map(this.process).filter(Boolean);
    /* the word being typed counts as a prefix even when it is a stop word
       ("as" on the way to "astym") */
    var typing = words.length && !/[^\p{Alphabetic}\p{N}]$/u.test(query);
    var last = typing ? fold(words[words.length - 1]) : "";
    var partial = last.length >= MIN_CHARS && this.stop.has(last) ? last : null;
    if (partial) terms.push(partial);
    var budget = BUDGET / Math.max(1, terms.length);
    /* the word being typed, when the last term is its */
    var typed = typing && !partial && this.process(words[words.length - 1]) ? last : null;
    var groups = terms.map(function (t, i) {
      var end = i === terms.length - 1;
      return self.leaves(t, budget, partial !== null && end, end ? typed : null);
    });
    var names = this.phrases(partial ? terms.slice(0, -1) : terms, groups);
    var missing = {};
    if (this.meta.termShards) {
      groups.forEach(function (g) { g.forEach(function (l) { if (!self.postings.has(l.term)) missing[self.shardOf(l.i)] = true; }); });
      names.forEach(function (p) { if (!self.postings.has(p.term)) missing[self.shardOf(p.vi)] = true; });
    }
    return { terms: terms, partial: partial, groups: groups, names: names, missing: Object.keys(missing).map(Number) };
  };

  Engine.prototype.loadShards = function (keys) {
    var self = this;
    return Promise.all(keys.map(function (k) {
      if (!self.shards[k]) {
        var name = "t-" + k;
        self.shards[k] = loadData(name, "shards/" + name + ".js", self.termHashes[k]).then(function (entries) {
          (entries || []).forEach(function (e) { self.postings.set(e[0], new Postings(e, self.scale)); });
        });
        self.shards[k].catch(function () { delete self.shards[k]; });
      }
      return self.shards[k];
    }));
  };

  /* Load the shards holding the likeliest words that start with the letter
     t: the commonest completion of each two-letter start, at most `most`
     shards (a word's first letter is typed; its second is next). */
  Engine.prototype.prefetch = function (t, most) {
    if (!this.meta.termShards || !t) return;
    var v = this.vocab, best = {}, keys = [];
    for (var i = this.lowerBound(t); i < v.length && v[i].lastIndexOf(t, 0) === 0; i++) {
      var two = v[i].slice(0, t.length + 1), c = this.cost(i);
      if (!isPhrase(v[i]) && (!(two in best) || c > best[two][1])) best[two] = [i, c];
    }
    var byCost = Object.keys(best).map(function (k) { return best[k]; });
    byCost.sort(function (a, b) { return b[1] - a[1]; });
    for (var j = 0; j < byCost.length && keys.length < most; j++) {
      var k = this.shardOf(byCost[j][0]);
      if (keys.indexOf(k) < 0) keys.push(k);
    }
    this.loadShards(keys);
  };

  /* MiniSearch weighs a term by how few pages have it; a pruned term would
     look rarer than it is, so its weight is brought back down. */
  Engine.prototype.rarity = function (term) {
    var p = this.postings.get(term), n = this.count;
    if (!p || !p.total) return 1;
    if (!p.keep) p.keep = p.kept();
    var idf = function (df) { return Math.log(1 + (n - df + 0.5) / (df + 0.5)); };
    return idf(p.total) / idf(p.keep);
  };

  /* Score a plan with what is loaded: {total, hits, kinds, owner,
     partial}. A query term whose index terms are all still in shards on
     their way is left out (partial), so results show at once and are
     completed when the shards arrive. */
  Engine.prototype.score = function (plan, limit) {
    var self = this, kinds = new Map(), owner = new Map(), queries = [], partial = false;
    function leaf(term, w, gi, kind) {
      if (kind !== "fuzzy" || !kinds.has(term)) kinds.set(term, kind);
      (owner.get(term) || owner.set(term, []).get(term)).push(gi);
      return { queries: [term], boostTerm: function () { return w; } };
    }
    plan.groups.forEach(function (leaves, gi) {
      var qs = [], waiting = false;
      leaves.forEach(function (l) {
        if (self.postings.has(l.term)) qs.push(leaf(l.term, l.weight * self.rarity(l.term), gi, l.kind));
        else waiting = true;
      });
      plan.names.forEach(function (p) {
        if (gi < p.i || gi >= p.i + p.len) return;
        if (self.postings.has(p.term)) qs.push(leaf(p.term, p.weight / p.len, gi, "name"));
        else waiting = true;
      });
      if (waiting) partial = true;
      if (qs.length || !waiting) queries.push({ combineWith: "OR", queries: qs });
    });
    var waitingShards = plan.missing.length > 0;
    if (!queries.length) return { total: 0, hits: [], kinds: kinds, owner: owner, partial: partial, waiting: waitingShards };
    /* a query that is exactly one of a page's names puts that page first */
    var named = (plan.partial ? plan.terms.slice(0, -1) : plan.terms).join(" ");
    var p = this.names !== undefined && this.postings.get(named), owners = p && p.get(this.names);
    var opts = { tokenize: one, processTerm: same };
    if (owners) opts.boostDocument = function (id) { return owners.has(id) ? 3 : 1; };
    var hits = this.ms.search({ combineWith: "AND", queries: queries }, opts);
    /* all query terms required; if that finds nothing, any term */
    if (!hits.length && queries.length > 1) hits = this.ms.search({ combineWith: "OR", queries: queries }, opts);
    return { total: hits.length, hits: hits.slice(0, limit), kinds: kinds, owner: owner, partial: partial, waiting: waitingShards };
  };

  /* Load the files of pages `ids` (a sharded index): search/text/<n>.js,
     one per page, [path, title, section, section path, [description,
     sections]], requested with the index's own content hash (they are
     rebuilt with it). */
  Engine.prototype.loadTexts = function (ids) {
    var self = this;
    if (!this.pages) return Promise.resolve();
    var hash = LOADER ? LOADER.indexHash : null;
    return Promise.all(ids.filter(function (id) { return !self.pages[id]; }).map(function (id) {
      var key = "p" + id;
      return loadData(key, "text/" + id + ".js", hash).then(function (rec) {
        if (!rec) throw new Error("no text for page " + id);
        self.pages[id] = rec;
        self.texts[id] = rec[4];
        delete window.fasciaSearchData[key];
      });
    }));
  };

  /* Search, at once, with what is loaded: {total, items: [{title, heading,
     section, href, snippet, titleParts, terms}], complete, texts, next}.
     When shards the query needs are still to come, `complete` is false and
     `next` resolves to the complete results. `texts` tells whether the
     snippet texts of the results are loaded (see withTexts). */
  Engine.prototype.searchNow = function (query, limit) {
    var self = this, plan = this.plan(query), res = this.results(this.score(plan, limit));
    res.next = null;
    if (!res.complete) {
      res.next = this.loadShards(plan.missing).then(function () {
        var done = self.results(self.score(self.plan(query), limit));
        done.next = null;
        return done;
      });
    }
    return res;
  };

  /* The same results with their snippets and heading links, once the
     snippet texts are loaded. */
  Engine.prototype.withTexts = function (res) {
    var self = this;
    if (res.texts) return Promise.resolve(res);
    return this.loadTexts(res.scored.hits.map(function (h) { return h.id; })).then(function () {
      var full = self.results(res.scored);
      full.next = null;
      return full;
    });
  };

  /* Search, complete, with snippets. */
  Engine.prototype.search = function (query, limit) {
    var self = this, r = this.searchNow(query, limit);
    return (r.complete ? Promise.resolve(r) : r.next).then(function (done) { return self.withTexts(done); });
  };

  Engine.prototype.results = function (scored) {
    var self = this;
    /* without a page table, a page is listed once its file is in */
    var known = this.pages ? scored.hits.filter(function (h) { return self.pages[h.id]; }) : scored.hits;
    return {
      total: scored.total,
      items: known.map(function (h) { return self.describe(h, scored.kinds, scored.owner); }),
      complete: !scored.partial && !scored.waiting,
      texts: scored.hits.every(function (h) { return self.texts[h.id]; }),
      scored: scored
    };
  };

  /* The terms of a text's words, cached per document section. */
  Engine.prototype.wordSet = function (key, text) {
    var s = this.words.get(key);
    if (!s) {
      s = new Set((text.match(WORD) || []).map(this.an.term, this.an));
      this.words.set(key, s);
    }
    return s;
  };

  /* Where a hit points and what it shows. Terms the page's own names (title,
     synonyms) matched point at the page; the rest point at the heading that
     has most of them, else at the section whose text has most of them. The
     snippet comes from that section, else from the description. Until the
     page's text is loaded, only its title is known. */
  Engine.prototype.describe = function (hit, kinds, owner) {
    var self = this, d = this.doc(hit.id), rec = this.texts[hit.id] || ["", []];
    var matched = [], fields = {}, rest = new Set(), named = {};
    /* a name of several words stands for its words */
    Object.keys(hit.match).forEach(function (t) {
      var f = hit.match[t];
      f.forEach(function (x) { fields[x] = true; });
      if (f.indexOf("title") >= 0 || f.indexOf("synonyms") >= 0) {
        (owner.get(t) || []).forEach(function (i) { named[i] = true; });
      }
      t.split(" ").forEach(function (w) { matched.push([w, t]); });
    });
    /* a query term the page's names matched (in any of its spellings) points
       at the page; near spellings only point somewhere when nothing closer
       matched */
    var close = matched.some(function (x) { return kinds.get(x[1]) !== "fuzzy"; });
    matched.forEach(function (x) {
      var groups = owner.get(x[1]) || [];
      if (groups.some(function (i) { return named[i]; })) return;
      if (!close || kinds.get(x[1]) !== "fuzzy") rest.add(x[0]);
    });
    var terms = new Set(matched.map(function (x) { return x[0]; })), sections = rec[1];
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
      var any = inDesc && matched.some(function (x) { return inDesc.has(x[0]); });
      if (any || !fields.body) text = desc;
      else { var b = best(2, true, terms); text = (b && b[2]) || desc; }
      /* no description: the page's first text */
      if (!text) sections.some(function (s) { text = s[2]; return !!text; });
    }
    var sec = d[2];
    return {
      title: d[1],
      titleParts: mark(d[1], terms, 0, this.an),
      heading: section && section[0] ? section[1] : "",
      section: sec ? sec[0] : "",
      href: href(docPath(d, sec) + (section && section[0] ? "#" + section[0] : "")),
      snippet: mark(text || "", terms, 180, this.an),
      /* the index terms that matched (a name of several words is one) */
      terms: Object.keys(hit.match)
    };
  };

  /* A page's [path, title, [section title, section path] or null]. */
  Engine.prototype.doc = function (id) {
    var p = this.pages && this.pages[id];
    if (p) return [p[0], p[1], p[2] ? [p[2], p[3]] : null];
    var d = this.meta.docs[id];
    return [d[0], d[1], d[2] >= 0 ? this.meta.sections[d[2]] : null];
  };

  /* A document's site path: written out, relative to its section's path,
     or (0) the section's path and the title as a slug, as src/search/
     shortens them. */
  function docPath(d, sec) {
    var p = d[0];
    if (!sec) return p;
    if (p === 0) return sec[1] + d[1].toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") + "/";
    return p.charAt(0) === "/" ? p : sec[1] + p;
  }

  /* Split text into [{t, m}] parts, m for matched words; with a width, a
     window of about that many characters around the first match. */
  function mark(text, terms, width, an) {
    var spans = [], m, first = -1;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (terms.has(an.term(m[0]))) {
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
    if (m) setTimeout(function () { eng.prefetch(fold(m[1]), 3); }, 0);
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
    /* for tests: the edit distance near spellings are measured with */
    distance: function (a, b, max) {
      for (var i = 0; i < a.length; i++) PEQ[a.charCodeAt(i)] |= 1 << i;
      var d = distance(a.length, b, max);
      for (i = 0; i < a.length; i++) PEQ[a.charCodeAt(i)] = 0;
      return d;
    }
  };
})();
