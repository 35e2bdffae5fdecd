// Client-side search: the header search box (an ARIA combobox) and the search page.
// The index (built by `guidance`, see src/search/) is a set of classic scripts that call
// guidanceSearch.register(); this file loads the ones a query needs by adding <script> tags, so
// search works from file:// as well as from any web server. No fetch, modules, WASM or workers.
// Everything from the index is put in the page as text (textContent), never as HTML.
(function () {
  "use strict";
  if (window.guidanceSearch) return;
  var self = document.currentScript;
  // This file is static/search.js: the site root is one folder up, wherever the site lives.
  var siteRoot = new URL("../", self ? self.src : location.href).href;
  var store = {};
  var waiting = {};
  var api = { register: function (kind, key, data) { store[kind + " " + key] = data; } };
  window.guidanceSearch = api;

  // ---- Loading index files -------------------------------------------------------------------

  function load(path, kind, key) {
    var id = kind + " " + key;
    if (store[id] !== undefined) return Promise.resolve(store[id]);
    if (!waiting[id]) {
      waiting[id] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = siteRoot + path;
        s.charset = "utf-8";
        // A query waits for this file: do not let the browser queue it behind other requests.
        s.fetchPriority = "high";
        s.onload = function () {
          s.remove();
          if (store[id] !== undefined) resolve(store[id]);
          else reject(new Error("no data in " + path));
        };
        s.onerror = function () {
          s.remove();
          delete waiting[id];
          reject(new Error("cannot load " + path));
        };
        document.head.appendChild(s);
      });
    }
    return waiting[id];
  }

  // ---- Tokenizer: the same rules as src/search/tokenize.rs --------------------------------------

  var BIGRAM = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u2E80-\u2FDF\u3005-\u3007\u3021-\u3029\u3038-\u303B\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F\u{20000}-\u{323AF}]/u;
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]/u;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var NUM = /\p{N}/u;
  var LONE_NUMBER = /(?:(?!\p{Alphabetic})\p{No})/gu;
  var IGNORABLE = /[\u00AD\u200C-\u200F\u2060-\u2064\uFEFF]/u;
  var DROP = /[\p{M}\u00AD\u200C-\u200F\u2060-\u2064\uFEFF\u0640]/gu;
  var ASCII = /^[\x00-\x7F]*$/;
  var HYPHEN = /^[-\u2010\u2011]$/;
  var LETTER = /\p{Alphabetic}/u;
  var segmenter = null;
  try {
    if (typeof Intl === "object" && Intl.Segmenter) segmenter = new Intl.Segmenter("und", { granularity: "word" });
  } catch (e) {
    segmenter = null;
  }

  // The Arabic article, alone or after و ب ك ف (its alef then second), or لل; two letters must
  // follow it.
  var ARTICLE = /^(?:([\u0648\u0628\u0643\u0641]?)\u0627\u0644|\u0644\u0644)(?=..)/u;

  function normalize(word) {
    if (ASCII.test(word)) return word.toLowerCase();
    var folded = word.normalize("NFKD").toLowerCase().replace(DROP, "")
      .replace(/\u03C2/g, "\u03C3").replace(/\u0671/g, "\u0627").replace(/\u0649/g, "\u064A")
      .normalize("NFC");
    var m = ARTICLE.exec(folded);
    return m && (m[1] === undefined || bareAlef(word, m[1].length)) ? folded.slice(m[0].length) : folded;
  }

  // Whether letter k of a word (not counting marks, tatweel, invisible characters) is an alef
  // without hamza or madda, as the article's is.
  function bareAlef(word, k) {
    return new RegExp("^(?:\\P{M}\\p{M}*){" + k + "}[\u0627\u0671](?![\u0653-\u0655])", "u")
      .test(word.normalize("NFKD").replace(/[\u00AD\u200C-\u200F\u2060-\u2064\uFEFF\u0640]|(?![\u0653-\u0655])\p{M}/gu, ""));
  }

  function inBigramRun(c) {
    return BIGRAM.test(c) && WORD.test(c);
  }

  // Terms of `text` with their UTF-16 offsets: [{t, s, e}].
  function tokenize(text) {
    var out = [], span = 0, i = 0;
    while (i < text.length) {
      var c = String.fromCodePoint(text.codePointAt(i));
      if (!inBigramRun(c)) {
        i += c.length;
        continue;
      }
      if (span < i) words(text, span, i, out);
      var units = [];
      while (i < text.length) {
        c = String.fromCodePoint(text.codePointAt(i));
        if (!inBigramRun(c)) break;
        var u = normalize(c);
        if (u) units.push({ t: u, s: i, e: i + c.length });
        i += c.length;
      }
      if (units.length === 1) out.push(units[0]);
      for (var k = 0; k + 1 < units.length; k++) {
        out.push({ t: units[k].t + units[k + 1].t, s: units[k].s, e: units[k + 1].e });
      }
      span = i;
    }
    if (span < text.length) words(text, span, text.length, out);
    return out;
  }

  function words(text, from, to, out) {
    var span = text.slice(from, to), first = out.length;
    if (!segmenter || api.noSegmenter) {
      // Without Intl.Segmenter: word segmentation keeps letters and digits together but sets
      // apart other numerals (², ½), which it treats as words of their own.
      var at = 0;
      span.replace(LONE_NUMBER, function (c, i) {
        split(span.slice(at, i), from + at, out);
        split(c, from + i, out);
        at = i + c.length;
        return c;
      });
      split(span.slice(at), from + at, out);
    } else {
      for (var seg of segmenter.segment(span)) {
        if (ALNUM.test(seg.segment)) split(seg.segment, from + seg.index, out);
      }
    }
    joinHyphenated(text, out, first);
  }

  // Words joined by single hyphens are also one term, before their parts: e-government gives
  // egovernment, e, government (when the whole holds a letter).
  function joinHyphenated(text, out, first) {
    var toks = out.splice(first), k = 0;
    while (k < toks.length) {
      var j = k;
      while (j + 1 < toks.length && HYPHEN.test(text.slice(toks[j].e, toks[j + 1].s))) j++;
      if (j > k) {
        var whole = toks.slice(k, j + 1).map(function (t) { return t.t; }).join("");
        if (LETTER.test(whole)) out.push({ t: whole, s: toks[k].s, e: toks[j].e });
      }
      while (k <= j) out.push(toks[k++]);
    }
  }

  // Splits a segment at anything but letters, digits and marks (keeping `.` `,` between digits).
  function split(seg, offset, out) {
    var chars = Array.from(seg), pos = offset, word = "", start = 0, end = 0, lastNum = false;
    function flush() {
      if (word) {
        var t = normalize(word);
        if (t) out.push({ t: t, s: start, e: end });
      }
      word = "";
    }
    for (var k = 0; k < chars.length; k++) {
      var c = chars[k];
      if (IGNORABLE.test(c)) {
        pos += c.length;
        continue;
      }
      if (WORD.test(c)) {
        if (!word) start = pos;
        word += c;
        end = pos + c.length;
        lastNum = NUM.test(c);
      } else if ((c === "." || c === ",") && lastNum && nextIsNumber(chars, k + 1)) {
        word += c;
        lastNum = false;
      } else {
        flush();
        lastNum = false;
      }
      pos += c.length;
    }
    flush();
  }

  function nextIsNumber(chars, k) {
    while (k < chars.length && IGNORABLE.test(chars[k])) k++;
    return k < chars.length && NUM.test(chars[k]);
  }

  api.terms = function (text) {
    return tokenize(text).map(function (t) { return t.t; });
  };

  // ---- Decoding (src/search/encode.rs) --------------------------------------------------------

  var B64 = new Int8Array(128);
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("").forEach(function (c, i) {
    B64[c.charCodeAt(0)] = i;
  });

  function Reader(s) {
    this.s = s;
    this.i = 0;
    // A term's entry in another language's index starts with `~` and how many documents its
    // reader searches hold the term, when some are outside the index: what its idf counts
    // (src/search/collection.rs). Its own count follows, as in any entry.
    if (s[0] === "~") {
      this.i = 1;
      this.total = this.num();
    }
  }
  Reader.prototype.num = function () {
    var v = 0, scale = 1, c;
    do {
      c = B64[this.s.charCodeAt(this.i++)];
      v += (c & 31) * scale;
      scale *= 32;
    } while (c & 32);
    return v;
  };
  Reader.prototype.six = function () { return B64[this.s.charCodeAt(this.i++)]; };
  Reader.prototype.mask = function () {
    var k = this.num(), from = this.i;
    this.i += k;
    return this.s.slice(from, this.i);
  };
  // A set of `count` documents among `n`, as flags.
  Reader.prototype.set = function (count, n) {
    var flags = new Uint8Array(n), mode = this.s[this.i++], d = -1, k;
    if (mode === "L") {
      for (k = 0; k < count; k++) flags[d += this.num() + 1] = 1;
    } else if (mode === "C") {
      flags.fill(1);
      var missing = this.num();
      for (k = 0; k < missing; k++) flags[d += this.num() + 1] = 0;
    } else {
      for (var g = 0; g * 6 < n; g++) {
        var v = this.six();
        for (var b = 0; b < 6; b++) if (v & (1 << b)) flags[g * 6 + b] = 1;
      }
    }
    return flags;
  };

  function maskSections(mask) {
    var out = [];
    for (var g = 0; g < mask.length; g++) {
      var v = B64[mask.charCodeAt(g)];
      for (var b = 0; b < 6; b++) if (v & (1 << b)) out.push(g * 6 + b);
    }
    return out;
  }

  // A term's postings: flags (every document holding it), impacts (0 where unknown), masks.
  function decodeTerm(s, n) {
    var r = new Reader(s), df = r.num(), mode = s[r.i++];
    var rec = { df: df, imp: new Uint8Array(n), masks: new Map(), floor: 0, flags: null };
    if (mode === "F") {
      rec.flags = new Uint8Array(n);
      for (var k = 0, d = -1; k < df; k++) {
        d += r.num() + 1;
        rec.flags[d] = 1;
        rec.imp[d] = r.six();
        rec.masks.set(d, r.mask());
      }
    } else {
      rec.flags = r.set(df, n);
      var head = r.num();
      for (var h = 0; h < head; h++) {
        var doc = r.num();
        rec.imp[doc] = rec.floor = r.six();
        rec.masks.set(doc, r.mask());
      }
    }
    return rec;
  }

  // ---- One language's index -------------------------------------------------------------------

  var indexes = {};

  function Index(lang, manifest) {
    this.lang = lang;
    this.m = manifest;
    this.n = manifest.n;
    this.dir = "search/" + lang + "/";
    this.vocabs = {};
    this.recs = {};
    this.impact = [];
    for (var q = 0; q < 64; q++) this.impact.push(Math.exp(q / manifest.scale) - 1);
    // Where each term shard starts (front-coded, see src/search/index.rs): a term's shard is
    // known without loading anything else.
    this.bounds = [""];
    var prev = "";
    (manifest.shards ? manifest.shards.split(" ") : []).forEach(function (e) {
      prev = prev.slice(0, B64[e.charCodeAt(0)]) + e.slice(1);
      this.bounds.push(prev);
    }, this);
    this.typoFiles = {};
    // Another language's index numbers its documents apart; `global` maps them to the site's.
    this.global = null;
    if (manifest.g) {
      var r = new Reader(manifest.g), count = r.num();
      this.owned = r.set(count, manifest.N);
      this.global = [];
      for (var g = 0; g < manifest.N; g++) if (this.owned[g]) this.global.push(g);
    }
  }

  function openIndex(lang) {
    if (!indexes[lang]) {
      indexes[lang] = load("search/" + lang + "/manifest.js", "manifest", lang).then(function (m) {
        return new Index(lang, m);
      });
      indexes[lang].catch(function () { delete indexes[lang]; });
    }
    return indexes[lang];
  }

  // The last of the sorted `starts` that is <= term.
  function fileOf(starts, term) {
    var lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  Index.prototype.vocabFile = function (term) { return fileOf(this.m.vocab, term); };
  Index.prototype.shardOf = function (term) { return fileOf(this.bounds, term); };

  Index.prototype.shard = function (i) {
    return load(this.dir + "t" + i + ".js", "terms", this.lang + "/" + i);
  };

  // Entries lo <= term < hi of shards first..last: [{t, df, shard}].
  Index.prototype.shardRange = function (first, last, lo, hi) {
    var files = [];
    for (var i = first; i <= last; i++) files.push(this.shard(i));
    return Promise.all(files).then(function (shards) {
      var out = [];
      shards.forEach(function (sh, k) {
        for (var t in sh) {
          var r = new Reader(sh[t]);
          if (t >= lo && t < hi) out.push({ t: t, df: r.total || r.num(), shard: first + k });
        }
      });
      return out;
    });
  };

  // Typo file entries whose key (a term from its third character on) is lo <= key < hi:
  // [{t, df, shard}].
  Index.prototype.typoRange = function (lo, hi, maxFiles) {
    var self = this, starts = this.m.typo || [];
    if (!starts.length) return Promise.resolve([]);
    var first = fileOf(starts, lo), last = Math.min(fileOf(starts, hi), first + maxFiles - 1), files = [];
    for (var i = first; i <= last; i++) files.push(this.typoFile(i));
    return Promise.all(files).then(function (lists) {
      var out = [];
      lists.forEach(function (l) {
        for (var k = 0; k < l.keys.length; k++) {
          var key = l.keys[k];
          if (key >= lo && key < hi) {
            var t = l.heads[k] + key;
            out.push({ t: t, df: parseInt(l.dfs[k], 36), shard: self.shardOf(t) });
          }
        }
      });
      return out;
    });
  };

  Index.prototype.typoFile = function (i) {
    var self = this;
    if (!this.typoFiles[i]) {
      this.typoFiles[i] = load(this.dir + "w" + i + ".js", "typo", this.lang + "/" + i).then(function (d) {
        return { keys: d[0].split(" "), heads: d[1].split(" "), dfs: d[2].split(" ") };
      });
      this.typoFiles[i].catch(function () { delete self.typoFiles[i]; });
    }
    return this.typoFiles[i];
  };

  // Index terms one typo away from `term` (5 characters or more), wherever the typo is: the
  // vocabulary holds the terms sharing its first two characters (a typo further on) or its first
  // and third (the second and third swapped); the typo files, the terms whose rest after two
  // characters is the query's after one, two or three (a missing, wrong or swapped, or extra
  // character among the first two).
  Index.prototype.typos = function (term, prefix) {
    var a = Array.from(term), lookups = [];
    [a[0] + a[1], a[0] + a[2]].forEach(function (p, k) {
      if (k === 0 || a[2] !== a[1]) lookups.push(this.range(p, p + "\uFFFF", 2));
    }, this);
    [1, 2, 3].forEach(function (k) {
      var key = a.slice(k).join("");
      lookups.push(this.typoRange(key, key + (prefix ? "\uFFFF" : "\u0000"), 2));
    }, this);
    return Promise.all(lookups).then(function (lists) {
      var seen = {}, out = [];
      lists.forEach(function (l) {
        l.forEach(function (e) {
          if (!seen[e.t] && e.t !== term && oneTypo(term, e.t, prefix)) {
            seen[e.t] = true;
            out.push(e);
          }
        });
      });
      return out;
    });
  };

  Index.prototype.vocab = function (i) {
    var self = this;
    if (!this.vocabs[i]) {
      this.vocabs[i] = load(this.dir + "v" + i + ".js", "vocab", this.lang + "/" + i).then(function (groups) {
        var list = { terms: [], dfs: [], shards: [] };
        groups.forEach(function (g) {
          var ts = g[1].split(" "), ds = g[2].split(" ");
          for (var k = 0; k < ts.length; k++) {
            list.terms.push(ts[k]);
            list.dfs.push(parseInt(ds[k], 36));
            list.shards.push(g[0]);
          }
        });
        return list;
      });
      this.vocabs[i].catch(function () { delete self.vocabs[i]; });
    }
    return this.vocabs[i];
  };

  // Vocabulary entries with lo <= term < hi: [{t, df, shard}].
  Index.prototype.range = function (lo, hi, maxFiles) {
    if (!this.m.vocab.length) return Promise.resolve([]);
    var first = this.vocabFile(lo), last = Math.min(this.vocabFile(hi), first + (maxFiles || 1e9) - 1);
    var files = [];
    for (var i = first; i <= last; i++) files.push(this.vocab(i));
    return Promise.all(files).then(function (lists) {
      var out = [];
      lists.forEach(function (l) {
        for (var k = 0; k < l.terms.length; k++) {
          var t = l.terms[k];
          if (t >= lo && t < hi) out.push({ t: t, df: l.dfs[k], shard: l.shards[k] });
        }
      });
      return out;
    });
  };

  Index.prototype.postings = function (entry) {
    var self = this;
    if (!this.recs[entry.t]) {
      this.recs[entry.t] = this.shard(entry.shard)
        .then(function (shard) { return decodeTerm(shard[entry.t], self.n); });
    }
    return this.recs[entry.t];
  };

  // The index terms a query term stands for, with weights: the term itself, completions of a
  // prefix, or (failing both) terms one typo away.
  Index.prototype.resolve = function (qt) {
    var self = this, term = qt.t, len = Array.from(term).length;
    var wantPrefix = qt.prefix && (len >= 2 || BIGRAM.test(term));
    var forms = qt.phrase ? [] : numberForms(term), lo = term;
    var hi = wantPrefix ? term + "\uFFFF" : term + "\u0000";
    forms.forEach(function (f) {
      if (f < lo) lo = f;
      if (f + "\u0000" > hi) hi = f + "\u0000";
    });
    var first = this.shardOf(lo), last = this.shardOf(hi), found;
    if (!this.m.vocab.length) {
      found = Promise.resolve([]);
    } else if (last - first <= 1) {
      // The term and its completions lie in one or two shards: load them straight away.
      found = this.shardRange(first, last, lo, hi);
    } else {
      // Many completions: choose among them by their document counts in the vocabulary, while
      // the term's own shard loads.
      this.shard(first).catch(function () {});
      found = this.range(lo, hi, 4);
    }
    return found.then(function (found) {
      var alts = [];
      found = found.filter(function (e) {
        var same = e.t === term || forms.indexOf(e.t) >= 0;
        if (same) alts.push({ e: e, w: 1 });
        return !same && e.t.lastIndexOf(term, 0) === 0;
      });
      // A form or completion weighs no more than the word's most common form for being rarer
      // (idf as in src/search/index.rs, over every document the reader searches): "budgets"
      // and "budgeting" rank by where and how often they are said, like "budget".
      var idf = function (e) { return Math.log(1 + ((self.m.N || self.n) - e.df + 0.5) / (e.df + 0.5)); };
      alts.sort(function (x, y) { return y.e.df - x.e.df; }).forEach(function (a) { a.w = idf(alts[0].e) / idf(a.e); });
      if (wantPrefix) {
        alts = alts.concat(likely(found, 6, 0.8).map(function (a) {
          if (alts.length) a.w *= Math.min(1, idf(alts[0].e) / idf(a.e));
          return a;
        }));
      }
      if (alts.length || len < 5 || qt.phrase) return alts;
      return self.typos(term, qt.prefix).then(function (all) { return likely(all, 5, 0.6); });
    }).then(function (alts) {
      return Promise.all(alts.map(function (a) { return self.postings(a.e); })).then(function (recs) {
        alts.forEach(function (a, k) { a.rec = recs[k]; a.t = a.e.t; });
        return alts;
      });
    });
  };

  // The word's other number, found as the word itself: "budgets" finds "budget", "policy"
  // "policies", "naciones" "nacion". Forms that are no word are in no index, and cost nothing.
  function numberForms(t) {
    if (!/^[a-z]{4,}$/.test(t) || /[ui]s$/.test(t)) return [];
    if (!/[^s]s$/.test(t)) return [t + "s", t + "es"].concat(/[^aeiou]y$/.test(t) ? t.slice(0, -1) + "ies" : []);
    return [t.slice(0, -1)].concat(/es$/.test(t) ? t.slice(0, -2) : [], /ies$/.test(t) ? t.slice(0, -3) + "y" : []);
  }

  // The most common of several candidate terms (completions of a prefix, corrections of a typo),
  // weighted by how common each is next to the most common: a rare completion has a high impact
  // (it is rare) but is seldom what the reader is typing.
  function likely(entries, max, weight) {
    entries = entries.slice().sort(function (a, b) { return b.df - a.df || (a.t < b.t ? -1 : 1); }).slice(0, max);
    return entries.map(function (e) { return { e: e, w: weight * Math.sqrt(e.df / entries[0].df) }; });
  }

  // At most one insertion, deletion, substitution or swap of neighbours (optimal string alignment).
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < best) best = v;
      }
      if (best > max) return max + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  function oneTypo(query, term, prefix) {
    var a = Array.from(query), b = Array.from(term);
    if (distance(a, b, 1) <= 1) return true;
    if (!prefix) return false;
    for (var k = a.length - 1; k <= a.length + 1; k++) {
      if (k > 0 && k < b.length && distance(a, b.slice(0, k), 1) <= 1) return true;
    }
    return false;
  }

  // ---- Queries --------------------------------------------------------------------------------

  // "quoted phrases" match exactly; the last word, still being typed, matches as a prefix. Outside
  // quotes, the stop words of the page's language (`stop`, from its manifest) are left out unless
  // the query has nothing else: they would match nearly every page (src/search/stopwords.rs).
  // A term is marked in results on its own (`mark`) when it was typed outside quotes or quoted
  // alone; the words of a phrase are marked where the whole phrase stands.
  function parse(q, stop) {
    var parts = q.replace(/[\u201C\u201D\u201E\u00AB\u00BB]/g, '"').split('"');
    var terms = [], phrases = [], seen = {};
    function add(t, prefix, phrase, mark) {
      var key = t.t + (prefix ? "*" : ""), known = seen[key];
      if (known) known.mark = known.mark || mark;
      else terms.push(seen[key] = { t: t.t, prefix: prefix, phrase: phrase, mark: mark });
    }
    parts.forEach(function (part, i) {
      var toks = tokenize(part);
      var quoted = i % 2 === 1;
      if (quoted && toks.length > 1) phrases.push(toks.map(function (t) { return t.t; }));
      toks.forEach(function (t, k) {
        var last = i === parts.length - 1 && k === toks.length - 1 && t.e === part.length;
        add(t, !quoted && last, quoted, !quoted || toks.length === 1);
      });
    });
    var kept = terms.filter(function (t) { return t.phrase || !stop.has(t.t); });
    return { terms: kept.length ? kept : terms, phrases: phrases };
  }

  // Runs a query: every term must match (each through any of its alternatives); documents are
  // ranked by the sum of their terms' impacts. With `partial`, a document may miss terms: each
  // hit counts the terms it has (m), for a query that no document answers whole.
  Index.prototype.search = function (parsed, partial) {
    var self = this;
    if (!parsed.terms.length) return Promise.resolve({ parsed: parsed, groups: [], hits: [] });
    return Promise.all(parsed.terms.map(function (t) { return self.resolve(t); })).then(function (groups) {
      var hits = [];
      if (partial || groups.every(function (g) { return g.length; })) {
        var n = self.n, imp = self.impact;
        for (var d = 0; d < n; d++) {
          var total = 0, matched = 0;
          for (var g = 0; g < groups.length; g++) {
            var best = -1, alts = groups[g];
            for (var a = 0; a < alts.length; a++) {
              var rec = alts[a].rec;
              if (rec.flags[d]) {
                var v = alts[a].w * imp[rec.imp[d] || rec.floor];
                if (v > best) best = v;
              }
            }
            if (best >= 0) { total += best; matched++; }
            else if (!partial) break;
          }
          if (matched === groups.length || (partial && matched)) hits.push({ d: d, s: total, m: matched });
        }
        hits.sort(function (x, y) { return y.s - x.s || x.d - y.d; });
      }
      return { parsed: parsed, groups: groups, hits: hits };
    });
  };

  // The sections of document d that hold the most query terms, best first (null when unknown).
  function sectionsOf(groups, d) {
    var counts = new Map(), known = false;
    groups.forEach(function (alts) {
      var seen = new Set();
      alts.forEach(function (a) {
        var m = a.rec.masks.get(d);
        if (m !== undefined) {
          known = true;
          maskSections(m).forEach(function (s) { seen.add(s); });
        }
      });
      seen.forEach(function (s) { counts.set(s, (counts.get(s) || 0) + 1); });
    });
    if (!known) return null;
    return Array.from(counts).sort(function (x, y) { return y[1] - x[1] || x[0] - y[0]; })
      .map(function (x) { return x[0]; });
  }

  Index.prototype.chunk = function (d, c) {
    var tail = this.m.tail;
    if (tail !== undefined && d >= tail) {
      // Documents with only a title (country pages) share one file.
      return load(this.dir + "c/tail.js", "chunk", this.lang + "/tail").then(function (all) { return all[d - tail]; });
    }
    return load(this.dir + "c/" + (d >> 8) + "/" + d + "-" + c + ".js", "chunk", this.lang + "/" + d + "-" + c);
  };

  // Everything a result shows: title, address, kind and its best sections with their text.
  // For a query with phrases, resolves to null when the document does not contain them.
  // The sections of document d that can hold every word of each phrase, by the section masks of
  // the words whose sections are known: [] when some phrase cannot be in the document, null when
  // no word of a phrase has its sections known.
  function phraseSections(result, d) {
    var groups = result.groups, terms = result.parsed.terms, union = new Set();
    for (var p = 0; p < result.parsed.phrases.length; p++) {
      var common = null;
      for (var w = 0; w < result.parsed.phrases[p].length; w++) {
        var k = -1;
        for (var j = 0; j < terms.length; j++) if (terms[j].phrase && terms[j].t === result.parsed.phrases[p][w]) k = j;
        var alts = k >= 0 ? groups[k] : [], here = new Set(), known = false;
        alts.forEach(function (a) {
          var m = a.rec.masks.get(d);
          if (m !== undefined) {
            known = true;
            maskSections(m).forEach(function (s) { here.add(s); });
          }
        });
        if (!known) continue;
        common = common ? new Set(Array.from(common).filter(function (s) { return here.has(s); })) : here;
      }
      if (!common) return null;
      if (!common.size) return [];
      common.forEach(function (s) { union.add(s); });
    }
    return Array.from(union);
  }

  Index.prototype.present = function (result, hit, maxSections, quick) {
    var self = this, per = this.m.chunk, d = hit.d, phrases = result.parsed.phrases;
    var order = sectionsOf(result.groups, d), wanted;
    if (phrases.length) {
      var candidates = phraseSections(result, d);
      if (candidates && !candidates.length) return Promise.resolve(null);
      wanted = candidates || [0];
      if (candidates && order) order = order.filter(function (s) { return candidates.indexOf(s) >= 0; });
      else if (!candidates) order = null;
    } else {
      wanted = order ? order.slice(0, maxSections) : [0];
    }
    var chunks = {};
    wanted.forEach(function (s) { chunks[Math.floor(s / per)] = true; });
    var list = Object.keys(chunks);
    // For a phrase, the search box (`quick`, with more candidates than it checks, so that its
    // count is a lower bound) reads only the first run of sections that may hold it, and passes
    // over a document whose phrase is further on.
    var quickPhrase = quick && phrases.length;
    if (quickPhrase) list = [Math.min.apply(null, list.map(Number))];
    return this.loadChunks(d, list).then(function (data) {
      if (quickPhrase && !hasPhrases(data, phrases)) return null;
      if (phrases.length && !order && !hasPhrases(data, phrases)) {
        // Sections unknown and the phrases not in the first ones: check all of them.
        var more = [];
        for (var c = 1; c * per < data.z; c++) more.push(c);
        return self.loadChunks(d, more).then(function (rest) {
          rest.sections.forEach(function (s, k) { data.sections[k] = data.sections[k] || s; });
          return data;
        });
      }
      return data;
    }).then(function (data) {
      if (!data) return null;
      var sections = data.sections.filter(Boolean);
      var ranked = order ? order.map(function (i) { return data.sections[i]; }).filter(Boolean) : sections;
      if (phrases.length) {
        if (!hasPhrases(data, phrases)) return null;
        ranked = ranked.filter(function (s) {
          var ts = api.terms(s[2] + " " + s[3]);
          return phrases.some(function (p) { return contains(ts, p); });
        });
        if (!ranked.length) ranked = [data.sections[0] || sections[0]];
      } else if (!order) {
        // Sections unknown (a frequent term): the lead, or a loaded section naming the terms.
        var best = bestByText(result, sections);
        ranked = best ? [best] : [sections[0]];
      }
      return {
        d: d, title: data.t, path: data.u, kind: data.k, lang: data.l, every: data.e,
        sections: ranked.slice(0, maxSections).map(function (s) {
          return { index: s[0], anchor: s[1], heading: s[2], text: s[3] };
        })
      };
    });
  };

  Index.prototype.loadChunks = function (d, list) {
    var self = this;
    return Promise.all(list.map(function (c) { return self.chunk(d, +c); })).then(function (chunks) {
      var out = { sections: [], z: 0 };
      chunks.forEach(function (ch) {
        out.t = ch.t; out.u = ch.u; out.k = ch.k; out.l = ch.l; out.z = ch.z; out.e = ch.e;
        ch.s.forEach(function (s) { out.sections[s[0]] = s; });
      });
      return out;
    });
  };

  // Whether every phrase is in the title or a loaded section of a document.
  function hasPhrases(data, phrases) {
    var title = api.terms(data.t), texts = [];
    data.sections.forEach(function (s) { if (s) texts.push(api.terms(s[2] + " " + s[3])); });
    return phrases.every(function (p) {
      return contains(title, p) || texts.some(function (ts) { return contains(ts, p); });
    });
  }

  function contains(terms, phrase) {
    outer: for (var i = 0; i + phrase.length <= terms.length; i++) {
      for (var k = 0; k < phrase.length; k++) if (terms[i + k] !== phrase[k]) continue outer;
      return true;
    }
    return false;
  }

  // What results mark, as a function of a text giving the stretches to mark, in order: each phrase
  // where it stands whole, and the index terms that matched the words marked on their own (any
  // word starting with the one being typed). `highlight` skips a stretch inside another.
  function marker(result) {
    var exact = new Set(), prefixes = [], terms = result.parsed.terms;
    (result.results || [result]).forEach(function (r) {
      r.groups.forEach(function (alts, g) {
        if (terms[g].mark) alts.forEach(function (a) { exact.add(a.t); });
      });
    });
    terms.forEach(function (t) { if (t.prefix) prefixes.push(t.t); });
    return function (text) {
      var toks = tokenize(text), spans = [];
      toks.forEach(function (t, i) {
        result.parsed.phrases.forEach(function (p) {
          if (p.every(function (w, k) { return (toks[i + k] || {}).t === w; })) spans.push({ s: t.s, e: toks[i + p.length - 1].e });
        });
        if (exact.has(t.t) || prefixes.some(function (p) { return t.t.indexOf(p) === 0; })) spans.push(t);
      });
      return spans;
    };
  }

  function bestByText(result, sections) {
    var marks = marker(result), best = null, bestCount = 0;
    sections.forEach(function (s) {
      var count = marks(s[2] + " " + s[3]).length;
      if (count > bestCount) { best = s; bestCount = count; }
    });
    return best;
  }

  // ---- Facets ---------------------------------------------------------------------------------

  Index.prototype.facets = function () {
    var self = this;
    if (!this.facetData) {
      this.facetData = load(this.dir + "facets.js", "facets", this.lang).then(function (raw) {
        var out = {};
        Object.keys(raw).forEach(function (name) {
          out[name] = raw[name].map(function (v) {
            var code = v[v.length - 1], r = new Reader(code), count = r.num();
            return { value: v[0], label: name === "principle" || name === "country" ? v[1] : v[0],
              pillar: name === "principle" ? v[2] : null, flags: r.set(count, self.m.N || self.n) };
          });
        });
        return out;
      });
    }
    return this.facetData;
  };

  // ---- A language's search: its own index, and the default language's for the rest ----------

  var searches = {};

  function openSearch(lang) {
    if (!searches[lang]) {
      searches[lang] = openIndex(lang).then(function (own) {
        if (!own.m.base) return new Search(own, null);
        return openIndex(own.m.base).then(function (base) { return new Search(own, base); });
      });
      searches[lang].catch(function () { delete searches[lang]; });
    }
    return searches[lang];
  }

  function Search(own, base) {
    this.own = own;
    this.base = base;
    this.n = own.m.N || own.n;
    // Queries are read in the page's language, for both indexes.
    this.stop = new Set((own.m.stop || "").split(" "));
  }

  Search.prototype.indexes = function () { return this.base ? [this.own, this.base] : [this.own]; };

  Search.prototype.hit = function (ix, r, d, s) {
    return { ix: ix, r: r, d: d, g: ix.global ? ix.global[d] : d, s: s };
  };

  // Results of both indexes, merged by score; a document the page's language has is taken from
  // its index only. When no document has every word of a query of several words (and no
  // phrase), the results are those with the most of its words, marked `partial`.
  Search.prototype.search = function (q, partial) {
    var self = this, list = this.indexes(), parsed = parse(q, this.stop);
    return Promise.all(list.map(function (ix) { return ix.search(parsed, partial); })).then(function (results) {
      var hits = [], most = 0;
      results.forEach(function (r, k) {
        r.hits.forEach(function (h) {
          var hit = self.hit(list[k], r, h.d, h.s);
          if (k === 0 || !self.own.owned[hit.g]) {
            hit.m = h.m;
            hits.push(hit);
            if (h.m > most) most = h.m;
          }
        });
      });
      if (!partial && !hits.length && parsed.terms.length > 1 && !parsed.phrases.length) return self.search(q, true);
      if (partial) hits = hits.filter(function (h) { return h.m === most; });
      hits.sort(function (x, y) { return y.s - x.s || x.g - y.g; });
      return { q: q, parsed: parsed, results: results, hits: hits, partial: !!partial };
    });
  };

  // Every document in site order (filters without words).
  Search.prototype.everything = function () {
    var empty = { parsed: { terms: [], phrases: [] }, groups: [], hits: [] }, hits = [], local = {};
    if (this.own.global) this.own.global.forEach(function (g, d) { local[g] = d; });
    for (var g = 0; g < this.n; g++) {
      if (!this.base) hits.push(this.hit(this.own, empty, g, 0));
      else if (this.own.owned[g]) hits.push(this.hit(this.own, empty, local[g], 0));
      else hits.push(this.hit(this.base, empty, g, 0));
    }
    return { q: "", parsed: empty.parsed, results: [empty], hits: hits };
  };

  Search.prototype.present = function (hit, maxSections, quick) {
    var own = this.own;
    return hit.ix.present(hit.r, hit, maxSections, quick).then(function (item) {
      if (item && hit.ix !== own) {
        item.lang = item.lang || hit.ix.lang;
        // A page generated in every language: link to the reader's.
        if (item.every) item.path = own.lang + "/" + item.path;
      }
      return item;
    });
  };

  // Applies the selected filters (values within a facet: any; across facets: all) and counts, for
  // every value, the results it would give with the other facets' filters kept.
  function filterHits(hits, facets, selected) {
    var names = Object.keys(facets), active = [];
    names.forEach(function (name) {
      var chosen = facets[name].filter(function (v) { return (selected[name] || []).indexOf(v.value) >= 0; });
      if (chosen.length) active.push({ name: name, values: chosen });
    });
    var counts = {};
    names.forEach(function (name) { counts[name] = facets[name].map(function () { return 0; }); });
    var kept = [];
    hits.forEach(function (hit) {
      var failed = [];
      active.forEach(function (f) {
        if (!f.values.some(function (v) { return v.flags[hit.g]; })) failed.push(f.name);
      });
      if (!failed.length) kept.push(hit);
      if (failed.length > 1) return;
      names.forEach(function (name) {
        if (failed.length && failed[0] !== name) return;
        facets[name].forEach(function (v, k) { if (v.flags[hit.g]) counts[name][k]++; });
      });
    });
    return { hits: kept, counts: counts };
  }

  // ---- Shared UI pieces -----------------------------------------------------------------------

  var headerForm = document.querySelector("form[data-search-box]");
  var strings = {};
  try {
    strings = JSON.parse((headerForm && headerForm.getAttribute("data-strings")) || "{}");
  } catch (e) {
    strings = {};
  }
  var lang = (headerForm && headerForm.getAttribute("data-lang")) || document.documentElement.lang || "en";
  // Pages built for file:// name their files; so must result links.
  var fileStyle = location.protocol === "file:" ||
    /index\.html$/.test((headerForm && headerForm.getAttribute("action")) || "");

  function pageUrl(path, anchor) {
    var url = siteRoot + path + (fileStyle ? "index.html" : "");
    return anchor ? url + "#" + anchor : url;
  }

  function plural(n) {
    var forms = strings.plural.split("|"), index = 0;
    try {
      var order = ["zero", "one", "two", "few", "many", "other"];
      var rules = new Intl.PluralRules(lang);
      var cats = rules.resolvedOptions().pluralCategories.slice().sort(function (a, b) {
        return order.indexOf(a) - order.indexOf(b);
      });
      index = cats.indexOf(rules.select(n));
    } catch (e) {
      index = n === 1 ? 0 : 1;
    }
    return forms[Math.min(Math.max(index, 0), forms.length - 1)];
  }

  // "12 results"; a lower bound reads "at least 12 results".
  function countText(n, atLeast) {
    if (!n && !atLeast) return strings.none;
    var text = strings.count.replace("{count}", n.toLocaleString(lang)).replace("{results}", plural(n));
    return atLeast ? strings.at_least.replace("{text}", text) : text;
  }

  // On a page in another language than the default, the link (in `box`) to the default
  // language's search page, where much of the content is, for `query` there.
  function originalSearch(box, query) {
    var a = box.querySelector("[data-search-original]");
    if (a) a.search = query;
  }

  // What the status says of a query's results: their count, after a note when they hold only
  // some of its words.
  function statusText(result, n, atLeast) {
    var count = countText(n, atLeast);
    if (!result || !result.partial) return count;
    // A full-width stop ("。") holds its own space.
    return strings.partial + (/[\u3000-\u303f\uff00-\uffef]$/.test(strings.partial) ? "" : " ") + count;
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Marks a result's own text when it is in another language than the page's, with the direction
  // of its text: an English title on an Arabic page reads left to right, its full stop at its end.
  // The interface's labels around it are left unmarked, in the page's language.
  function inLang(e, item) {
    if (item.lang) {
      e.lang = item.lang;
      e.dir = "auto";
    }
    return e;
  }

  // Appends `text` to `parent` with what the query matched wrapped in <mark> (see `marker`). With
  // `window`, only a stretch around the densest matches, with ellipses where the text is cut: half
  // as many characters of a script written without spaces, each as wide as two and saying more.
  function highlight(parent, text, marks, window) {
    var hits = marks(text);
    if (BIGRAM.test(text)) window >>= 1;
    var from = 0, to = text.length;
    if (window && text.length > window) {
      var bestStart = 0, bestCount = -1;
      hits.forEach(function (h, k) {
        var count = 0;
        for (var j = k; j < hits.length && hits[j].e - h.s <= window * 0.8; j++) count++;
        if (count > bestCount) { bestCount = count; bestStart = h.s; }
      });
      from = Math.max(0, bestStart - Math.floor(window * 0.2));
      to = Math.min(text.length, from + window);
      if (from > 0) {
        var space = text.indexOf(" ", from);
        if (space >= 0 && space < bestStart) from = space + 1;
      }
      if (to < text.length) {
        var back = text.lastIndexOf(" ", to);
        if (back > from) to = back;
      }
    }
    if (from > 0) parent.appendChild(document.createTextNode("\u2026 "));
    var pos = from;
    hits.forEach(function (h) {
      if (h.s < pos || h.e > to) return;
      parent.appendChild(document.createTextNode(text.slice(pos, h.s)));
      parent.appendChild(el("mark", null, text.slice(h.s, h.e)));
      pos = h.e;
    });
    parent.appendChild(document.createTextNode(text.slice(pos, to)));
    if (to < text.length) parent.appendChild(document.createTextNode(" \u2026"));
  }

  // Presents hits in order until `want` are shown; phrase queries skip documents whose text does
  // not hold the phrase, checking at most `budget` documents (`quick`: reading only the first
  // sections of a document where the phrase's words are not known to share a section).
  // Resolves to {shown, next}.
  function presentSome(search, hits, start, want, maxSections, budget, quick) {
    var shown = [], next = start, end = Math.min(hits.length, start + (budget || Infinity));
    function step() {
      if (shown.length >= want || next >= end) return Promise.resolve({ shown: shown, next: next });
      var batch = hits.slice(next, Math.min(end, next + (want - shown.length)));
      next += batch.length;
      return Promise.all(batch.map(function (h) { return search.present(h, maxSections, quick); })).then(function (items) {
        items.forEach(function (item) { if (item) shown.push(item); });
        return step();
      });
    }
    return step();
  }

  // A phrase query's candidates (documents with all its words) are checked against their text:
  // all of them when there are at most `limit`, for an exact count; otherwise as they are shown,
  // and the count is a lower bound.
  var PHRASE_CHECKS = 6;

  function finalHits(search, result, hits, limit) {
    if (!result.parsed.phrases.length) return Promise.resolve({ hits: hits, approximate: false });
    if (hits.length > (limit || PHRASE_CHECKS)) return Promise.resolve({ hits: hits, approximate: true });
    return Promise.all(hits.map(function (h) { return search.present(h, 1); })).then(function (items) {
      return { hits: hits.filter(function (h, k) { return items[k]; }), approximate: false };
    });
  }

  // The first `want` results of a query as the search box shows them, with their total ("at
  // least" when phrases are checked only as results are shown).
  function firstResults(q, want, maxSections) {
    return openSearch(lang).then(function (search) {
      return search.search(q).then(function (result) {
        return finalHits(search, result, result.hits).then(function (f) {
          return presentSome(search, f.hits, 0, want, maxSections, PHRASE_CHECKS, f.approximate).then(function (p) {
            return { result: result, results: p.shown, total: f.approximate ? p.shown.length : f.hits.length,
              atLeast: f.approximate && p.next < f.hits.length, partial: result.partial };
          });
        });
      });
    });
  }

  // ---- The header search box (ARIA combobox) ---------------------------------------------------

  function Combobox(form) {
    var input = form.querySelector("input[type=search]");
    var listbox = form.querySelector("[data-search-listbox]");
    var status = form.querySelector("[data-search-status]");
    // What the box shows when a query finds nothing: the count, and on a page in another language
    // than the default, a link to the default language's search (templates/search-box.html).
    var none = form.querySelector("[data-search-none]");
    if (!none) {
      // A project's search-box.html from before this box: add it.
      none = el("div", "search-listbox search-none");
      none.setAttribute("data-search-none", "");
      none.hidden = true;
      none.appendChild(el("p"));
      listbox.parentNode.appendChild(none);
    }
    var options = [], active = -1, seq = 0, timer = 0, shown = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    listbox.setAttribute("role", "listbox");

    // The list opens when there are options; otherwise the "no results" box, which is no list.
    function open(yes) {
      listbox.hidden = !(yes && options.length);
      none.hidden = !(yes && !options.length);
      input.setAttribute("aria-expanded", !listbox.hidden);
      if (!yes) setActive(-1);
    }
    function setActive(k) {
      if (options[active]) options[active].setAttribute("aria-selected", "false");
      active = k;
      if (options[k]) {
        options[k].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[k].id);
        if (options[k].scrollIntoView) options[k].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function go(option) {
      location.href = option.getAttribute("data-href");
    }
    function searchPageUrl(q) {
      return new URL(form.getAttribute("action"), location.href).href.split("?")[0] + "?q=" + encodeURIComponent(q);
    }
    function option(id, href) {
      var o = el("div", "search-option");
      o.id = id;
      o.setAttribute("role", "option");
      o.setAttribute("aria-selected", "false");
      o.setAttribute("data-href", href);
      options.push(o);
      return o;
    }
    function render(q, result, items, total, approximate) {
      listbox.textContent = "";
      options = [];
      active = -1;
      var marks = marker(result);
      items.forEach(function (item, g) {
        var group = el("div", "search-group");
        group.setAttribute("role", "group");
        var label = inLang(el("div", "search-group-title"), item);
        label.id = listbox.id + "-g" + g;
        label.setAttribute("role", "presentation");
        highlight(label, item.title, marks);
        group.setAttribute("aria-labelledby", label.id);
        group.appendChild(label);
        item.sections.forEach(function (s, k) {
          var o = option(listbox.id + "-o" + g + "-" + k, pageUrl(item.path, s.anchor));
          // Without a heading, the lead section is named by the kind of page, in the page's language.
          var heading = el("span", "search-option-heading", s.heading || strings["kind_" + item.kind]);
          o.appendChild(s.heading ? inLang(heading, item) : heading);
          var snippet = inLang(el("span", "search-option-snippet"), item);
          highlight(snippet, s.text, marks, 140);
          o.appendChild(snippet);
          group.appendChild(o);
        });
        listbox.appendChild(group);
      });
      if (total || approximate) {
        var all = option(listbox.id + "-all", searchPageUrl(q));
        all.classList.add("search-option-all");
        all.textContent = strings.all.replace("{count}", countText(total, approximate));
        listbox.appendChild(all);
      }
      none.firstChild.textContent = status.textContent = statusText(result, total, approximate);
      originalSearch(none, "q=" + encodeURIComponent(q));
      shown = true;
      open(true);
      listbox.setAttribute("data-query", q);
    }
    function clear(text) {
      listbox.textContent = "";
      options = [];
      shown = false;
      open(false);
      status.textContent = text;
    }
    function run() {
      var q = input.value, mine = ++seq;
      if (!q.trim()) return clear("");
      firstResults(q, 5, 1).then(function (r) {
        if (mine === seq) render(q, r.result, r.results, r.total, r.atLeast);
      }).catch(function (e) {
        if (mine !== seq) return;
        clear(strings.error);
        listbox.setAttribute("data-query", q);
        api.error = String(e && e.stack || e);
        if (window.console) console.error(e);
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
    });
    input.addEventListener("focus", function () {
      openSearch(lang).catch(function () {});
      if (shown && input.value.trim()) open(true);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!options.length) return;
        e.preventDefault();
        if (listbox.hidden) open(true);
        var k = e.key === "ArrowDown" ? active + 1 : active - 1;
        if (k >= options.length) k = 0;
        if (k < 0) k = options.length - 1;
        setActive(k);
      } else if (e.key === "Enter") {
        if (!listbox.hidden && options[active]) {
          e.preventDefault();
          go(options[active]);
        }
      } else if (e.key === "Tab") {
        // Tab leaves the list for the button (the list itself is out of the tab order); a link in
        // the "no results" box stays reachable.
        if (options.length) open(false);
      } else if (e.key === "Escape") {
        if (!listbox.hidden || !none.hidden) {
          e.preventDefault();
          open(false);
        } else if (input.value) {
          input.value = "";
          run();
        }
      }
    });
    listbox.addEventListener("mousedown", function (e) { e.preventDefault(); });
    listbox.addEventListener("click", function (e) {
      var o = e.target.closest ? e.target.closest("[role=option]") : null;
      if (o) go(o);
    });
    form.addEventListener("focusout", function (e) {
      if (!form.contains(e.relatedTarget)) open(false);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      var t = e.target, tag = t && t.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
  }

  // ---- The search page ------------------------------------------------------------------------

  var FACETS = ["principle", "pillar", "country", "sdg"];
  var PAGE = 10;

  function SearchPage(root) {
    var pageStrings = {};
    try {
      pageStrings = JSON.parse(root.getAttribute("data-strings") || "{}");
    } catch (e) {
      pageStrings = {};
    }
    var form = root.querySelector("form");
    var input = form.querySelector("input[type=search]");
    var filtersBox = root.querySelector("[data-search-filters]");
    var active = root.querySelector("[data-search-active]");
    var notice = root.querySelector("[data-search-notice]");
    var status = root.querySelector("[data-search-status]");
    var empty = root.querySelector("[data-search-empty]");
    var list = root.querySelector("[data-search-results]");
    var more = root.querySelector("[data-search-more]");
    var elsewhere = root.querySelector("[data-search-elsewhere]") || {};
    var params = new URLSearchParams(location.search);
    var selected = {};
    FACETS.forEach(function (f) { selected[f] = params.getAll(f); });
    input.value = params.get("q") || "";
    root.hidden = false;
    var seq = 0, timer = 0, state = null, boxes = {}, sets = {};

    // Values from the address are matched to the options without regard to case; the rest are
    // left out, and the page says so.
    function checkSelected(facets) {
      var dropped = [];
      FACETS.forEach(function (name) {
        selected[name] = selected[name].reduce(function (kept, v) {
          var o = (facets[name] || []).find(function (o) { return o.value.toLowerCase() === v.toLowerCase(); });
          if (!o) dropped.push(name + "=" + v);
          else if (kept.indexOf(o.value) < 0) kept.push(o.value);
          return kept;
        }, []);
      });
      notice.hidden = !dropped.length;
      notice.textContent = (pageStrings.dropped || "{values}").replace("{values}", dropped.join(", "));
    }

    function buildFilters(facets) {
      filtersBox.textContent = "";
      FACETS.forEach(function (name) {
        if (!facets[name] || !facets[name].length) return;
        var fs = el("fieldset", "search-facet");
        fs.appendChild(el("legend", null, pageStrings["facet_" + name] || name));
        var ul = el("ul");
        // A long list scrolls rather than push the other filters far down.
        if (facets[name].length > 20) fs.classList.add("search-facet-long");
        boxes[name] = [];
        facets[name].forEach(function (v, k) {
          var li = el("li"), label = el("label"), box = el("input");
          box.type = "checkbox";
          box.name = name;
          box.value = v.value;
          box.checked = selected[name].indexOf(v.value) >= 0;
          box.addEventListener("change", function () {
            selected[name] = boxes[name].filter(function (b) { return b.box.checked; }).map(function (b) { return b.box.value; });
            update();
          });
          var text = name === "pillar" ? pageStrings["pillar_" + v.value] || v.label : v.label;
          var count = el("span", "search-facet-count");
          var shown = el("span", "search-facet-name", text + "\u00A0");
          shown.appendChild(count);
          label.appendChild(box);
          label.appendChild(shown);
          li.appendChild(label);
          ul.appendChild(li);
          boxes[name].push({ box: box, count: count, li: li, k: k });
        });
        fs.appendChild(ul);
        filtersBox.appendChild(fs);
        sets[name] = fs;
      });
    }

    // Counts, and no dead ends: a value that would leave no result is turned off (hidden in the
    // long lists) unless it is ticked, so that it can be unticked; a box with nothing to offer is
    // not drawn.
    function showCounts(counts) {
      var ticked = 0;
      Object.keys(boxes).forEach(function (name) {
        var shown = 0;
        boxes[name].forEach(function (b) {
          var n = counts[name][b.k], off = !n && !b.box.checked;
          b.count.textContent = "(" + n + ")";
          b.li.hidden = off && (name === "country" || name === "sdg");
          // (Not the box just unticked: the keyboard would lose its place.)
          b.box.disabled = off && b.box !== document.activeElement;
          b.li.classList.toggle("search-facet-none", off);
          if (!b.li.hidden) shown++;
          if (b.box.checked) ticked++;
        });
        sets[name].hidden = !shown;
      });
      active.textContent = ticked ? (pageStrings.active || "{count}").replace("{count}", ticked.toLocaleString(lang)) : "";
    }

    function writeUrl() {
      var p = new URLSearchParams();
      if (input.value) p.set("q", input.value);
      FACETS.forEach(function (f) { selected[f].forEach(function (v) { p.append(f, v); }); });
      var text = p.toString();
      // The language switcher and the link to the default language's search keep the query and
      // filters: the same search in another language.
      document.querySelectorAll(".languages a").forEach(function (a) { a.search = text; });
      originalSearch(root, text);
      try {
        history.replaceState(null, "", location.pathname + (text ? "?" + text : "") + location.hash);
      } catch (e) {
        // Some browsers refuse to change a file:// address; the search still works.
      }
    }

    function renderItems(items, marks) {
      items.forEach(function (item) {
        var li = el("li", "search-result");
        var h = inLang(el("h3", "search-result-title"), item), a = el("a");
        a.href = pageUrl(item.path);
        highlight(a, item.title, marks);
        h.appendChild(a);
        li.appendChild(h);
        li.appendChild(el("p", "search-result-kind", pageStrings["kind_" + item.kind]));
        var ul = inLang(el("ul", "search-result-sections"), item);
        item.sections.forEach(function (s) {
          var sli = el("li");
          if (s.index > 0) {
            var sa = el("a", "search-result-heading");
            sa.href = pageUrl(item.path, s.anchor);
            highlight(sa, s.heading, marks);
            sli.appendChild(sa);
          }
          var p = el("p", "search-result-snippet");
          highlight(p, s.text, marks, 220);
          sli.appendChild(p);
          ul.appendChild(sli);
        });
        li.appendChild(ul);
        list.appendChild(li);
      });
    }

    function showMore() {
      if (!state) return Promise.resolve();
      var mine = state;
      return presentSome(mine.search, mine.hits, mine.next, PAGE, 3, 40).then(function (p) {
        if (mine !== state) return;
        mine.next = p.next;
        mine.shown += p.shown.length;
        renderItems(p.shown, marker(mine.result));
        more.hidden = mine.next >= mine.hits.length;
        if (mine.approximate) status.textContent = statusText(mine.result, mine.shown, mine.next < mine.hits.length);
      });
    }

    function update() {
      var q = input.value, mine = ++seq;
      writeUrl();
      return openSearch(lang).then(function (search) {
        var words = q.trim() ? search.search(q) : null;
        return Promise.all([search.own.facets(), words]).then(function (r) {
          var facets = r[0], result = r[1];
          if (!filtersBox.childNodes.length) {
            checkSelected(facets);
            buildFilters(facets);
            writeUrl();
          }
          var anyFilter = FACETS.some(function (f) { return selected[f].length; });
          // No words: with filters, list what they select; without, count every document.
          if (!result) result = search.everything();
          return finalHits(search, result, result.hits, 100).then(function (f) {
            if (mine !== seq) return;
            var filtered = filterHits(f.hits, facets, selected);
            showCounts(filtered.counts);
            list.textContent = "";
            // Filters can be cleared in one go whenever some are ticked.
            empty.hidden = !anyFilter;
            elsewhere.hidden = !q.trim() || filtered.hits.length > 0;
            state = { search: search, result: result, hits: filtered.hits, next: 0, shown: 0, approximate: f.approximate };
            if (!q.trim() && !anyFilter) {
              state = null;
              status.textContent = pageStrings.prompt || "";
              more.hidden = true;
              root.setAttribute("data-done", mine);
              return;
            }
            if (!f.approximate) status.textContent = statusText(result, filtered.hits.length, false);
            return showMore().then(function () { root.setAttribute("data-done", mine); });
          });
        });
      }).catch(function (e) {
        if (mine !== seq) return;
        status.textContent = strings.error;
        if (window.console) console.error(e);
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      update();
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { update(); }, 120);
    });
    more.addEventListener("click", function () { showMore(); });
    root.querySelector("[data-search-clear]").addEventListener("click", function () {
      FACETS.forEach(function (f) { selected[f] = []; });
      Object.keys(boxes).forEach(function (name) { boxes[name].forEach(function (b) { b.box.checked = false; }); });
      input.focus();
      update();
    });
    api.ready = update();
  }

  // ---- Start ----------------------------------------------------------------------------------

  // For tests and benchmarks: the page's language, its search, and a query's results as the
  // search box would show them (`api.ready` is the search page's first update, `api.error` the
  // last failure, `api.noSegmenter` forces the tokenizer's fallback without Intl.Segmenter).
  api.lang = lang;
  api.open = openSearch;
  api.query = function (q, want, maxSections) {
    return firstResults(q, want || 5, maxSections || 3).then(function (r) {
      return { total: r.total, atLeast: r.atLeast, results: r.results, partial: r.partial };
    });
  };

  function start() {
    if (headerForm) Combobox(headerForm);
    var page = document.querySelector("[data-search-page]");
    if (page) SearchPage(page);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
