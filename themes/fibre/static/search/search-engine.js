/* fibre search's engine, loaded beside search-ui.js (by search.js, or by
   search-ui.js on its own) with a <script> tag like every search file, so
   search works from file:// as over http: the terms (terms.js's rules, the
   same as src/search/), MiniSearch over fascia's prebuilt index, the term
   shards and page texts it loads as a query needs them, and the snippets.
   search-ui.js makes one with what it shares (how files load, how a site
   path becomes an address, the shortest query); see docs/search.md. */
(function () {
  "use strict";
  /* env: {loadData(key, rel, hash), href(path), loader: search.js's API or
     null, minChars} */
  window.fasciaSearchEngine = function (env) {
    var loadData = env.loadData, href = env.href, LOADER = env.loader, MIN_CHARS = env.minChars;
    /* MiniSearch's default weights for prefix and fuzzy matches; the most
       index entries one query may score (a bound on the work per keystroke). */
    var PREFIX_WEIGHT = 0.375, FUZZY_WEIGHT = 0.45, BUDGET = 6000, MAX_COMPLETIONS = 10;

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
          self.prepare(id);
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

    /* The word sets describe() reads for page id, made as soon as its text
       is in: the other pages' texts are still on their way meanwhile, so
       stemming their words costs a first query (every word cold) next to
       nothing. */
    Engine.prototype.prepare = function (id) {
      var self = this, rec = this.texts[id];
      if (!rec) return;
      if (rec[0]) this.wordSet(id + ":d", rec[0]);
      rec[1].forEach(function (s, i) {
        if (s[1]) self.wordSet(id + ":" + i + ":1", s[1]);
        if (s[2]) self.wordSet(id + ":" + i + ":2", s[2]);
      });
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

    return {
      Engine: Engine,
      FORMAT: FORMAT,
      fold: fold,
      /* for tests: the edit distance near spellings are measured with */
      distance: function (a, b, max) {
        for (var i = 0; i < a.length; i++) PEQ[a.charCodeAt(i)] |= 1 << i;
        var d = distance(a.length, b, max);
        for (i = 0; i < a.length; i++) PEQ[a.charCodeAt(i)] = 0;
        return d;
      }
    };
  };
})();
