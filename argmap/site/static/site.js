/* Search from every page: the index (static/search-index.js, written at build time) is loaded the first
   time the search box is used; results are ranked by relevance (a word of the title beats a word of the
   text, a whole word beats a prefix, every word typed must match), shown below the header so they never
   cover a control, and closed by Enter (which opens the first or the chosen result) or Escape.
   Text from the data only ever reaches the page through textContent. */
(function () {
  "use strict";
  var box = document.querySelector(".site-search");
  var input = document.getElementById("site-search");
  var panel = document.getElementById("site-search-results-box");
  var list = document.getElementById("site-search-results");
  var count = document.getElementById("site-search-count");
  if (!box || !input || !panel || !list) { return; }
  var root = document.body.getAttribute("data-root") || "";
  var entries = null;
  var waiting = null;  // callbacks for when the index has loaded
  var MAX = 12;

  function words(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().match(/[\p{L}\p{N}_]+/gu) || [];
  }

  function load(then) {
    if (entries) { then(); return; }
    if (waiting) { waiting.push(then); return; }
    waiting = [then];
    var script = document.createElement("script");
    script.src = root + "static/search-index.js";
    script.onload = function () {
      entries = (window.ARGMAP_SEARCH || []).map(function (e) {
        return { url: e[0], title: e[1], kind: e[2], titleWords: e[3].split(" "), textWords: e[4] ? e[4].split(" ") : [] };
      });
      var calls = waiting;
      waiting = [];
      calls.forEach(function (call) { call(); });
    };
    document.head.appendChild(script);
  }

  function termScore(term, titleWords, textWords) {
    var best = 0;
    for (var i = 0; i < titleWords.length; i++) {
      if (titleWords[i] === term) { return 8; }
      if (best < 5 && titleWords[i].indexOf(term) === 0) { best = 5; }
    }
    if (best) { return best; }
    for (var j = 0; j < textWords.length; j++) {
      if (textWords[j] === term) { return 2; }
      if (best < 1 && textWords[j].indexOf(term) === 0) { best = 1; }
    }
    return best;
  }

  function rank(query) {
    var terms = words(query);
    if (!terms.length) { return []; }
    var phrase = terms.join(" ");
    var found = [];
    entries.forEach(function (e, index) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var s = termScore(terms[i], e.titleWords, e.textWords);
        if (!s) { return; }
        score += s;
      }
      if (terms.length > 1 && (" " + e.titleWords.join(" ") + " ").indexOf(" " + phrase) >= 0) { score += 6; }
      found.push({ e: e, score: score, index: index });
    });
    found.sort(function (a, b) {
      return b.score - a.score || a.e.titleWords.length - b.e.titleWords.length || a.index - b.index;
    });
    return found;
  }

  function close() {
    panel.hidden = true;
    list.textContent = "";
  }

  function go(url) {
    close();
    window.location.href = root + url;
  }

  function show() {
    if (!entries) { load(show); return; }
    var found = rank(input.value);
    list.textContent = "";
    if (!input.value.trim()) { close(); return; }
    found.slice(0, MAX).forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + hit.e.url;
      var kind = document.createElement("span");
      kind.className = "result-kind";
      kind.textContent = hit.e.kind;
      a.appendChild(kind);
      a.appendChild(document.createTextNode(" " + hit.e.title));
      li.appendChild(a);
      list.appendChild(li);
    });
    count.textContent = found.length
      ? (found.length > MAX ? "The best " + MAX + " of " + found.length + " matches" : found.length + (found.length === 1 ? " match" : " matches"))
      : "No page matches “" + input.value.trim() + "”";
    panel.hidden = false;
  }

  input.addEventListener("focus", function () { load(function () {}); });
  input.addEventListener("input", show);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      if (!entries) { load(function () { var f = rank(input.value); if (f.length) { go(f[0].e.url); } }); return; }
      var found = rank(input.value);
      if (found.length) { go(found[0].e.url); } else { close(); }
    } else if (event.key === "Escape") {
      close();
    } else if (event.key === "ArrowDown") {
      var first = list.querySelector("a");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  list.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var at = links.indexOf(document.activeElement);
    if (event.key === "Escape") { close(); input.focus(); }
    else if (event.key === "ArrowDown" && at < links.length - 1) { event.preventDefault(); links[at + 1].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
  });
  list.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a")) { panel.hidden = true; }
  });
  box.hidden = false;
  window.argmapSearch = { rank: function (q) { return entries ? rank(q).map(function (h) { return h.e.url; }) : null; }, load: load };
}());
