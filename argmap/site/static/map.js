/* The argument map: draws window.ARGMAP_GRAPH (static/graph.js) with vis-network at the positions
   computed at build time (no physics: the map is still), and wires the search box, the filters and the
   side panel. Text from the data only ever reaches the page through textContent, never as HTML. */
(function () {
  "use strict";
  var data = window.ARGMAP_GRAPH;
  var container = document.getElementById("map");
  if (!data || !container || !window.vis) { return; }

  var root = document.body.getAttribute("data-root") || "";
  var byId = {};
  var kinds = {};
  var relations = {};
  data.kinds.forEach(function (k) { kinds[k.id] = k; });
  data.relations.forEach(function (r) { relations[r.id] = r; });
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var outgoing = {};
  var incoming = {};
  data.edges.forEach(function (e) {
    (outgoing[e.from] = outgoing[e.from] || []).push(e);
    (incoming[e.to] = incoming[e.to] || []).push(e);
  });

  function plain(text) { return String(text == null ? "" : text); }

  function groups() {
    var result = {};
    data.kinds.forEach(function (k) {
      var g = {
        shape: k.shape,
        color: { background: k.color, border: k.border,
                 highlight: { background: k.color, border: "#111827" },
                 hover: { background: k.color, border: "#111827" } },
        borderWidth: 1.5,
        borderWidthSelected: 3,
        font: { color: "#111827", size: 14, face: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif" }
      };
      if (k.size) { g.size = k.size; }
      if (k.dashed) { g.shapeProperties = { borderDashes: [5, 3] }; }
      if (k.shape === "box" || k.shape === "ellipse") {
        g.margin = 8;
        g.widthConstraint = { maximum: 190 };
      } else {
        g.widthConstraint = { maximum: 160 };
        g.font.size = k.font || 12;
      }
      result[k.id] = g;
    });
    return result;
  }

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var item = {
      id: n.id, label: plain(n.label), group: n.kind, x: n.x, y: n.y,
      title: plain(n.label) + "\n" + plain(n.kindLabel) + (n.outline ? " " + plain(n.outline) : "")
    };
    if (n.thesis) {
      item.font = { size: 22, color: "#0b1f4d" };
      item.borderWidth = 3;
      item.widthConstraint = { maximum: 320 };
      item.margin = 14;
    }
    return item;
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    var style = relations[e.relation] || {};
    return {
      id: "e" + i, from: e.from, to: e.to,
      color: { color: style.color, highlight: "#111827", hover: "#111827", opacity: 0.85 },
      width: style.width || 1, dashes: style.dashes || false,
      title: e.relations.map(function (r) { return relations[r] ? relations[r].label : r; }).join(", "),
      arrows: { to: { enabled: true, scaleFactor: e.relation === "cites" ? 0.4 : 0.7 } }
    };
  }));

  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false, randomSeed: 1 },
    groups: groups(),
    edges: { smooth: { enabled: true, type: "cubicBezier", forceDirection: "vertical", roundness: 0.45 },
             selectionWidth: 2, hoverWidth: 1 },
    interaction: { hover: true, tooltipDelay: 250, dragNodes: false, keyboard: { enabled: true, bindToWindow: false, autoFocus: false },
                   multiselect: false, zoomView: true, navigationButtons: false }
  });

  /* ---------------------------------------------------------------- filters */
  var kindBoxes = Array.prototype.slice.call(document.querySelectorAll(".kind-filter"));
  var sectionSelect = document.getElementById("map-section");
  var viewSelect = document.getElementById("map-view");

  function visibleIds() {
    var shownKinds = {};
    kindBoxes.forEach(function (box) { shownKinds[box.value] = box.checked; });
    var section = sectionSelect ? sectionSelect.value : "";
    var view = viewSelect ? viewSelect.value : "";
    return data.nodes.filter(function (n) {
      if (shownKinds[n.kind] === false) { return false; }
      if (section && n.sections.indexOf(section) < 0) { return false; }
      if (view && n.views.indexOf(view) < 0) { return false; }
      return true;
    }).map(function (n) { return n.id; });
  }

  function applyFilters(fit) {
    var shown = {};
    visibleIds().forEach(function (id) { shown[id] = true; });
    nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: !shown[n.id] }; }));
    var status = document.getElementById("map-status");
    if (status) { status.textContent = Object.keys(shown).length + " of " + data.nodes.length + " nodes shown"; }
    if (fit) { fitVisible(); }
  }

  /* Open on the top of the argument: the thesis and the rows just below it, at a scale where labels
     can be read; "Fit to screen" shows everything. */
  function startView() {
    var rows = [];
    data.nodes.forEach(function (n) { if (rows.indexOf(n.y) < 0) { rows.push(n.y); } });
    rows.sort(function (a, b) { return a - b; });
    var top = rows.slice(0, 3);
    var ids = data.nodes.filter(function (n) { return top.indexOf(n.y) >= 0; }).map(function (n) { return n.id; });
    network.fit({ nodes: ids, animation: false });
    var minimum = container.clientWidth < 600 ? 0.55 : 0.75;
    if (network.getScale() < minimum) {
      var thesis = data.nodes.filter(function (n) { return n.thesis; })[0] || data.nodes[0];
      var lowest = top[top.length - 1];
      var height = container.clientHeight / minimum;
      network.moveTo({ position: { x: thesis.x, y: Math.min(thesis.y + height / 2 - 60, (thesis.y + lowest) / 2 + height / 4) },
                       scale: minimum, animation: false });
    }
  }

  function fitVisible() {
    var ids = visibleIds();
    network.fit({ nodes: ids.length ? ids : undefined, animation: false });
  }

  kindBoxes.forEach(function (box) { box.addEventListener("change", function () { applyFilters(false); }); });
  if (sectionSelect) { sectionSelect.addEventListener("change", function () { applyFilters(true); }); }
  if (viewSelect) { viewSelect.addEventListener("change", function () { applyFilters(true); }); }

  function resetFilters() {
    kindBoxes.forEach(function (box) { box.checked = true; });
    if (sectionSelect) { sectionSelect.value = ""; }
    if (viewSelect) { viewSelect.value = ""; }
    applyFilters(true);
  }
  var resetButton = document.getElementById("map-reset");
  if (resetButton) { resetButton.addEventListener("click", resetFilters); }
  var fitButton = document.getElementById("map-fit");
  if (fitButton) { fitButton.addEventListener("click", fitVisible); }

  /* ---------------------------------------------------------------- the side panel */
  var panel = document.getElementById("map-panel");
  var panelKind = document.getElementById("map-panel-kind");
  var panelTitle = document.getElementById("map-panel-title");
  var panelBody = document.getElementById("map-panel-body");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = plain(text); }
    return node;
  }

  function nodeButton(id) {
    var n = byId[id];
    var button = el("button", "link-button", n ? n.label : id);
    button.type = "button";
    button.setAttribute("data-node", id);
    button.addEventListener("click", function () { select(id, true); });
    return button;
  }

  var OUT_WORDS = { supports: "Supports", attacks: "Attacks", undercuts: "Undercuts", qualifies: "Qualifies",
    "responds-to": "Responds to", instantiates: "Instance of", "in-category": "In category",
    premise: "Premise of", concludes: "Concludes", cites: "Cites", retracts: "Retracts", supersedes: "Supersedes" };
  var IN_WORDS = { supports: "Supported by", attacks: "Attacked by", undercuts: "Undercut by",
    qualifies: "Qualified by", "responds-to": "Responses", instantiates: "Instances",
    "in-category": "Claims in it", premise: "Premise", concludes: "Inferences to it", cites: "Cited by",
    retracts: "Retracted by", supersedes: "Superseded by" };

  function relationList(title, groups) {
    var keys = Object.keys(groups);
    if (!keys.length) { return null; }
    var wrap = el("div", "panel-relations");
    keys.forEach(function (rel) {
      wrap.appendChild(el("h4", "rel rel-" + rel, title[rel] || rel));
      var list = el("ul", "nodes");
      groups[rel].forEach(function (id) {
        var item = el("li");
        item.appendChild(nodeButton(id));
        list.appendChild(item);
      });
      wrap.appendChild(list);
    });
    return wrap;
  }

  function showPanel(id) {
    var n = byId[id];
    if (!n || !panel) { return; }
    panelKind.textContent = plain(n.kindLabel) + (n.outline ? " · " + plain(n.outline) : "") +
      (n.section ? " · " + plain(n.section) : "");
    panelTitle.textContent = plain(n.label);
    while (panelBody.firstChild) { panelBody.removeChild(panelBody.firstChild); }
    if (n.figure) {
      var fig = el("p", "figure-value");
      fig.appendChild(el("strong", null, n.figure));
      if (n.asOf) { fig.appendChild(document.createTextNode(" (as of " + plain(n.asOf) + ")")); }
      panelBody.appendChild(fig);
    }
    if (n.text) { panelBody.appendChild(el("p", "panel-text", n.text)); }
    if (n.quote) {
      var quote = el("blockquote", "quote");
      quote.appendChild(el("p", null, n.quote));
      panelBody.appendChild(quote);
    }
    if (n.source) {
      panelBody.appendChild(el("p", "small", "Source: " + plain(n.source) + (n.locator ? ", " + plain(n.locator) : "")));
    }
    /* evidence bearing on it, with figures */
    var evidence = (incoming[id] || []).filter(function (e) {
      return byId[e.from] && byId[e.from].kind === "evidence";
    });
    if (evidence.length) {
      panelBody.appendChild(el("h4", null, "Evidence"));
      var list = el("ul", "panel-evidence");
      evidence.forEach(function (e) {
        var ev = byId[e.from];
        var item = el("li");
        item.appendChild(el("span", "rel rel-" + e.relation, (OUT_WORDS[e.relation] || e.relation).toLowerCase() + ": "));
        item.appendChild(nodeButton(ev.id));
        if (ev.figure) { item.appendChild(el("span", "figure-inline", " " + plain(ev.figure) + (ev.asOf ? ", as of " + plain(ev.asOf) : ""))); }
        list.appendChild(item);
      });
      panelBody.appendChild(list);
    }
    var outGroups = {};
    (outgoing[id] || []).forEach(function (e) {
      (outGroups[e.relation] = outGroups[e.relation] || []).push(e.to);
    });
    var inGroups = {};
    (incoming[id] || []).forEach(function (e) {
      if (byId[e.from] && byId[e.from].kind === "evidence") { return; }
      (inGroups[e.relation] = inGroups[e.relation] || []).push(e.from);
    });
    var outList = relationList(OUT_WORDS, outGroups);
    if (outList) { panelBody.appendChild(outList); }
    var inList = relationList(IN_WORDS, inGroups);
    if (inList) { panelBody.appendChild(inList); }
    if (n.page) {
      var more = el("p", "panel-more");
      var link = el("a", null, "Open the page for this " + plain(n.kindLabel).toLowerCase() + " →");
      link.href = root + n.page;
      link.id = "map-panel-link";
      more.appendChild(link);
      panelBody.appendChild(more);
    }
    panel.hidden = false;
    panel.setAttribute("data-node", id);
  }

  function hidePanel() {
    if (panel) { panel.hidden = true; panel.removeAttribute("data-node"); }
  }
  var closeButton = document.getElementById("map-panel-close");
  if (closeButton) {
    closeButton.addEventListener("click", function () { hidePanel(); network.unselectAll(); frame.focus(); });
  }

  function select(id, moveFocus) {
    if (!byId[id]) { return; }
    var current = nodes.get(id);
    if (current && current.hidden) { resetFilters(); }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    showPanel(id);
    if (moveFocus && panel) { panel.focus(); }
  }

  /* A click on a canvas that sticks out of the window would focus it and scroll the page mid-click, so
     the click would land on the wrong spot: focus it without scrolling instead. */
  var frame = container.querySelector(".vis-network") || container;
  frame.setAttribute("aria-label", "Argument map canvas: arrow keys pan, + and - zoom; use the search box to reach a node");
  container.addEventListener("mousedown", function (event) {
    event.preventDefault();
    if (frame.focus) { frame.focus({ preventScroll: true }); }
  });

  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) { showPanel(params.nodes[0]); } else { hidePanel(); }
  });

  /* ---------------------------------------------------------------- search */
  var search = document.getElementById("map-search");
  var results = document.getElementById("map-search-results");

  function fold(text) {
    var s = plain(text).toLowerCase();
    if (s.normalize) { s = s.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }
    return s;
  }

  function matches(query) {
    var words = fold(query).split(/[^\w]+/).filter(Boolean);
    if (!words.length) { return []; }
    var found = data.nodes.filter(function (n) {
      return words.every(function (w) { return n.search.indexOf(w) >= 0; });
    });
    found.sort(function (a, b) {
      var la = words.every(function (w) { return fold(a.label).indexOf(w) >= 0; }) ? 0 : 1;
      var lb = words.every(function (w) { return fold(b.label).indexOf(w) >= 0; }) ? 0 : 1;
      if (la !== lb) { return la - lb; }
      return fold(a.label) < fold(b.label) ? -1 : fold(a.label) > fold(b.label) ? 1 : 0;
    });
    return found;
  }

  function showResults() {
    var query = search.value;
    while (results.firstChild) { results.removeChild(results.firstChild); }
    var found = matches(query);
    if (!query.trim()) { results.hidden = true; return; }
    if (!found.length) {
      results.appendChild(el("li", "none", "No node mentions “" + plain(query) + "”."));
    }
    found.slice(0, 20).forEach(function (n) {
      var item = el("li");
      var button = el("button", "result", null);
      button.type = "button";
      button.setAttribute("data-node", n.id);
      button.appendChild(el("span", "result-kind", n.kindLabel));
      button.appendChild(document.createTextNode(" " + plain(n.label)));
      button.addEventListener("click", function () { select(n.id, true); });
      item.appendChild(button);
      results.appendChild(item);
    });
    if (found.length > 20) { results.appendChild(el("li", "none", (found.length - 20) + " more: add a word.")); }
    results.hidden = false;
  }

  if (search && results) {
    search.addEventListener("input", showResults);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var found = matches(search.value);
        if (found.length) { select(found[0].id, false); }
      } else if (event.key === "ArrowDown") {
        var first = results.querySelector("button");
        if (first) { event.preventDefault(); first.focus(); }
      } else if (event.key === "Escape") {
        search.value = "";
        showResults();
      }
    });
  }

  /* ---------------------------------------------------------------- start */
  Array.prototype.slice.call(document.querySelectorAll(".js-only")).forEach(function (node) { node.hidden = false; });
  var status = el("p", "map-status");
  status.id = "map-status";
  status.setAttribute("role", "status");
  var body = container.parentNode;
  body.parentNode.insertBefore(status, body);
  applyFilters(false);
  startView();
  network.once("afterDrawing", function () { container.setAttribute("data-ready", "true"); });
  network.redraw();

  var hash = window.location.hash.replace(/^#node=/, "");
  if (hash && hash !== window.location.hash && byId[decodeURIComponent(hash)]) {
    select(decodeURIComponent(hash), false);
  }

  window.argmap = { network: network, nodes: nodes, edges: edges, data: data, select: select, search: matches };
}());
