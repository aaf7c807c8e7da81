/* fibre search: how words become index terms, by the rules fascia indexes
   with (src/search/lang.rs): split on anything that is not a letter or a
   digit, lowercased, the language's stop words dropped (compared folded),
   stemmed with its Snowball stemmer (vendor/snowball-<language>-3.1.1.min.js,
   the algorithms of the Rust crate fascia uses), then folded: accents,
   Hebrew points and Arabic vowel marks dropped, ligatures spelled out
   (œ -> oe). The index names its stop words and its stemmer.
   tests/browser/stemmers.test.js checks these rules against the terms
   fascia makes of the same words (tests/data/search-terms/). */
(function () {
  "use strict";
  var SPLIT = /[^\p{Alphabetic}\p{N}]+/u, PLAIN = /^[a-z0-9]*$/;
  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed]/g;
  var LIGATURES = /[\u0153\u00e6\u00df\ufb00-\ufb04]/g;
  var SPELLED = { "\u0153": "oe", "\u00e6": "ae", "\u00df": "ss", "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl" };
  function spelled(c) { return SPELLED[c]; }

  /* lowercase, without accents */
  function fold(t) {
    var l = t.toLowerCase();
    return PLAIN.test(l) ? l : l.normalize("NFD").replace(MARKS, "").normalize("NFC").replace(LIGATURES, spelled);
  }

  /* The terms of one language: its stop words (folded) and its stemmer
     (a function of a lowercase word, or null). */
  function Terms(stop, stem) {
    this.stop = new Set(stop || []);
    this.stem = stem || null;
    this.cache = new Map();
  }
  /* The index term of a word, or null for a stop word. */
  Terms.prototype.term = function (word) {
    var t = this.cache.get(word);
    if (t !== undefined) return t;
    var lower = word.toLowerCase(), f = fold(lower);
    t = null;
    if (f && !this.stop.has(f)) {
      t = f;
      if (this.stem) t = fold(this.stem(lower)) || f;
    }
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(word, t);
    return t;
  };
  /* The index terms of a text. */
  Terms.prototype.terms = function (text) {
    var self = this, out = [];
    text.split(SPLIT).forEach(function (w) {
      var t = w && self.term(w);
      if (t) out.push(t);
    });
    return out;
  };

  self.fasciaSearchTerms = { fold: fold, split: SPLIT, Terms: Terms };
})();
