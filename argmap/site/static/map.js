/* The argument map: draws window.ARGMAP_GRAPH (static/graph.js) with vis-network, in levels of detail.

   It opens on the argument's skeleton (the tiers the build chose to fit the first view: thesis and
   conclusions, challenges, principles, views, responses); every other node is folded into its nearest drawn
   ancestor along the fold links the build computed and counted there ("+ 3 claims · 12 evidence"), until the
   reader opens it. Focusing a node draws its neighbourhood (what it bears on, what bears on it, its evidence
   and their sources) laid out as a block around it and dims the rest. Positions come from the layout computed
   at build time (its layers and the order within them); a drawn set is reflowed into rows here by the same
   rule as argmap.analyse.compact_layout, so the same state always gives the same picture. No physics.
   What is focused, opened and filtered lives in the address (#node=…&open=…&view=…&section=…&hide=…).
   Text from the data only ever reaches the page through textContent or vis-network's plain-text labels and
   tooltips, never as HTML. */
(function () {
  "use strict";
  var data = window.ARGMAP_GRAPH;
  var container = document.getElementById("map");
  if (!data || !container || !window.vis) { return; }

  var root = document.body.getAttribute("data-root") || "";
  var levels = data.levels;
  var X_STEP = levels.xStep, ROW_STEP = levels.rowStep, LAYER_STEP = levels.layerStep;
  var READABLE = 0.9; /* the scale at which the smallest label (14 px) is drawn at 12.6 px */
  var FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
  var LABEL_BACKGROUND = "rgba(252, 252, 253, 0.85)"; /* labels stay legible over the lines behind them */

  var byId = {};
  var kinds = {};
  var relations = {};
  var statuses = {};
  data.kinds.forEach(function (k) { kinds[k.id] = k; });
  data.relations.forEach(function (r) { relations[r.id] = r; });
  (data.statuses || []).forEach(function (s) { statuses[s.id] = s; });
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var outgoing = {};
  var incoming = {};
  data.edges.forEach(function (e) {
    (outgoing[e.from] = outgoing[e.from] || []).push(e);
    (incoming[e.to] = incoming[e.to] || []).push(e);
  });
  function byPlace(a, b) {
    var na = byId[a], nb = byId[b];
    return na.layer - nb.layer || na.x - nb.x || (a < b ? -1 : a > b ? 1 : 0);
  }
  var children = {};
  data.nodes.forEach(function (n) {
    if (n.parent && byId[n.parent]) { (children[n.parent] = children[n.parent] || []).push(n.id); }
  });
  Object.keys(children).forEach(function (id) { children[id].sort(byPlace); });

  /* The nodes' texts (static/graph-details.js) come after the first drawing: the panel and the search
     fill in what they have and again when the texts arrive. */
  var details = false;
  var detailsWaiting = [];
  var detailsAsked = false;
  function withDetails(then) {
    if (details) { if (then) { then(); } return; }
    if (then) { detailsWaiting.push(then); }
    if (detailsAsked) { return; }
    detailsAsked = true;
    var script = document.createElement("script");
    script.src = root + "static/graph-details.js";
    script.onload = function () {
      var found = window.ARGMAP_DETAILS || {};
      Object.keys(found).forEach(function (id) {
        var n = byId[id];
        if (!n) { return; }
        Object.keys(found[id]).forEach(function (k) { n[k] = found[id][k]; });
      });
      details = true;
      container.setAttribute("data-details", "true");
      detailsWaiting.splice(0).forEach(function (f) { f(); });
    };
    document.body.appendChild(script);
  }

  function plain(text) { return String(text == null ? "" : text); }
  function keys(set) { return Object.keys(set); }

  /* ---------------------------------------------------------------- state (mirrored in the address) */
  var state = { focus: "", open: [], view: "", section: "", hide: [] };

  function readHash() {
    var fresh = { focus: "", open: [], view: "", section: "", hide: [] };
    var hash = window.location.hash.replace(/^#/, "");
    hash.split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at < 0) { return; }
      var key = part.slice(0, at);
      var value;
      try { value = decodeURIComponent(part.slice(at + 1)); } catch (e) { return; }
      if (key === "node" && byId[value]) { fresh.focus = value; }
      if (key === "view" && data.views.some(function (v) { return v.id === value; })) { fresh.view = value; }
      if (key === "section" && data.sections.some(function (s) { return s.id === value; })) { fresh.section = value; }
      if (key === "open") { fresh.open = value.split(",").filter(function (id) { return byId[id]; }); }
      if (key === "hide") { fresh.hide = value.split(",").filter(function (k) { return kinds[k]; }); }
    });
    return fresh;
  }

  function hashOf(s) {
    var parts = [];
    if (s.focus) { parts.push("node=" + encodeURIComponent(s.focus)); }
    if (s.open.length) { parts.push("open=" + s.open.map(encodeURIComponent).join(",")); }
    if (s.view) { parts.push("view=" + encodeURIComponent(s.view)); }
    if (s.section) { parts.push("section=" + encodeURIComponent(s.section)); }
    if (s.hide.length) { parts.push("hide=" + s.hide.join(",")); }
    return parts.length ? "#" + parts.join("&") : "";
  }

  /* Change the state from a reader's action: a new history entry, so back and forward step through it. */
  function change(patch, camera) {
    var next = { focus: state.focus, open: state.open.slice(), view: state.view, section: state.section, hide: state.hide.slice() };
    Object.keys(patch).forEach(function (k) { next[k] = patch[k]; });
    var hash = hashOf(next);
    if (hash !== window.location.hash && !(hash === "" && window.location.hash === "#")) {
      window.history.pushState(null, "", hash || window.location.pathname + window.location.search);
    }
    state = next;
    render(camera || "auto");
  }

  /* ---------------------------------------------------------------- what is drawn */
  function withAncestors(set, id) {
    var seen = 0;
    while (id && byId[id] && seen < 1000) {
      set[id] = true;
      id = byId[id].parent;
      seen += 1;
    }
  }

  function neighbourhood(id) {
    var hood = {};
    hood[id] = true;
    (outgoing[id] || []).forEach(function (e) { hood[e.to] = true; });
    (incoming[id] || []).forEach(function (e) {
      hood[e.from] = true;
      if (byId[e.from].kind === "evidence") {
        (outgoing[e.from] || []).forEach(function (f) { if (f.relation === "cites") { hood[f.to] = true; } });
      }
    });
    (children[id] || []).forEach(function (c) { hood[c] = true; });
    return hood;
  }

  function drawnSet() {
    var set = {};
    if (state.view || state.section) {
      data.nodes.forEach(function (n) {
        if (n.tier === 0) { set[n.id] = true; }
        if (n.kind === "evidence" || n.kind === "source" || n.kind === "inference") { return; }
        if (state.view && n.views.indexOf(state.view) < 0) { return; }
        if (state.section && n.sections.indexOf(state.section) < 0) { return; }
        withAncestors(set, n.id);
      });
    } else {
      data.nodes.forEach(function (n) {
        if (n.tier < levels.firstTiers || !n.parent) { set[n.id] = true; }
      });
    }
    var grew = true;
    while (grew) { /* opened clusters, nested ones once their parent is drawn */
      grew = false;
      state.open.forEach(function (id) {
        if (!set[id]) { return; }
        (children[id] || []).forEach(function (c) { if (!set[c]) { set[c] = true; grew = true; } });
      });
    }
    if (state.focus) {
      withAncestors(set, state.focus);
      keys(neighbourhood(state.focus)).forEach(function (id) { set[id] = true; });
    }
    if (state.hide.length) {
      keys(set).forEach(function (id) {
        if (id !== state.focus && state.hide.indexOf(byId[id].kind) >= 0) { delete set[id]; }
      });
    }
    return set;
  }

  /* The nearest drawn ancestor of every node that is not drawn, along the fold links. */
  function owners(set) {
    var owner = {};
    data.nodes.forEach(function (n) {
      if (set[n.id] || owner[n.id] !== undefined) { return; }
      var path = [];
      var id = n.id;
      while (id && byId[id] && !set[id] && owner[id] === undefined && path.length < 1000) {
        path.push(id);
        id = byId[id].parent;
      }
      var found = id && set[id] ? id : (id && owner[id] !== undefined ? owner[id] : null);
      path.forEach(function (p) { owner[p] = found; });
    });
    return owner;
  }

  function countsText(counts) { /* every kind, for the panel */
    if (!counts) { return ""; }
    var parts = [];
    data.kinds.forEach(function (k) {
      var n = counts[k.id];
      if (n) { parts.push(n + " " + (n === 1 ? k.label : k.plural).toLowerCase()); }
    });
    return parts.length ? "+ " + parts.join(" · ") : "";
  }

  function shortCounts(counts) { /* at most three parts, for a label on the map */
    if (!counts) { return ""; }
    var others = Object.keys(counts).filter(function (k) { return k !== "evidence" && k !== "source"; });
    var statements = 0;
    others.forEach(function (k) { statements += counts[k]; });
    var parts = [];
    if (others.length === 1) {
      var k = kinds[others[0]];
      parts.push(statements + " " + (statements === 1 ? k.label : k.plural).toLowerCase());
    } else if (statements) {
      parts.push(statements + " statements");
    }
    if (counts.evidence) { parts.push(counts.evidence + " evidence"); }
    if (counts.source) { parts.push(counts.source + (counts.source === 1 ? " source" : " sources")); }
    return parts.length ? "+ " + parts.join(" · ") : "";
  }

  /* ---------------------------------------------------------------- layout: rows by layer, as the build */
  function perRow() {
    var width = container.clientWidth || 800;
    return Math.max(2, Math.min(levels.perRow, Math.floor(width / (X_STEP * READABLE))));
  }

  /* Lay `ids` out from y0 down: one row per layer, global order within it, long rows wrapped and staggered,
     centred on x = 0 (argmap.analyse.compact_layout). Returns the next free y. */
  function compact(ids, width, y0, pos) {
    var rows = {};
    ids.forEach(function (id) { (rows[byId[id].layer] = rows[byId[id].layer] || []).push(id); });
    var layerKeys = Object.keys(rows).map(Number).sort(function (a, b) { return a - b; });
    var y = y0;
    layerKeys.forEach(function (k) {
      var row = rows[k].sort(byPlace);
      var count = Math.ceil(row.length / width);
      var size = Math.ceil(row.length / count);
      for (var r = 0; r < count; r++) {
        var chunk = row.slice(r * size, (r + 1) * size);
        var offset = (chunk.length - 1) * X_STEP / 2;
        var stagger = (r % 2 && count > 1) ? Math.floor(X_STEP / 2) : 0;
        chunk.forEach(function (id, i) { pos[id] = { x: Math.round(i * X_STEP - offset + stagger), y: y }; });
        y += ROW_STEP;
      }
      y += LAYER_STEP - ROW_STEP;
    });
    return y;
  }

  /* With a focus: the rest above it, then the neighbourhood as one block (what the focused node bears on,
     the node, what bears on it, their evidence and sources), the rest of its layer beside it, the rest below. */
  function layoutFocus(set, focus, width) {
    var pos = {};
    var hood = neighbourhood(focus);
    var layer = byId[focus].layer;
    var above = [], same = [], below = [], block = [];
    keys(set).forEach(function (id) {
      if (hood[id]) { block.push(id); } else if (byId[id].layer < layer) { above.push(id); }
      else if (byId[id].layer === layer) { same.push(id); } else { below.push(id); }
    });
    var y = compact(above, width, 0, pos);
    var local = {};
    var end = compact(block, width, 0, local);
    var minX = 0, maxX = 0;
    block.forEach(function (id) {
      pos[id] = { x: local[id].x, y: local[id].y + y };
      minX = Math.min(minX, local[id].x);
      maxX = Math.max(maxX, local[id].x);
    });
    var focusY = pos[focus].y;
    var left = same.filter(function (id) { return byPlace(id, focus) < 0; }).sort(byPlace).reverse();
    var right = same.filter(function (id) { return byPlace(id, focus) > 0; }).sort(byPlace);
    left.forEach(function (id, i) { pos[id] = { x: minX - (i + 1) * X_STEP, y: focusY }; });
    right.forEach(function (id, i) { pos[id] = { x: maxX + (i + 1) * X_STEP, y: focusY }; });
    compact(below, width, y + end, pos);
    return { pos: pos, hood: hood };
  }

  /* ---------------------------------------------------------------- drawing */
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
        font: { color: "#111827", size: 14, face: FONT }
      };
      if (k.size) { g.size = k.size; }
      if (k.dashed) { g.shapeProperties = { borderDashes: [5, 3] }; }
      if (k.shape === "box" || k.shape === "ellipse") {
        g.margin = 8;
        g.widthConstraint = { maximum: 190 };
      } else {
        g.widthConstraint = { maximum: 170 };
      }
      result[k.id] = g;
    });
    return result;
  }

  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false, randomSeed: 1 },
    groups: groups(),
    nodes: { scaling: { label: { drawThreshold: 11 } } }, /* a label smaller than 10 px on screen is not drawn */
    edges: { smooth: { enabled: true, type: "cubicBezier", forceDirection: "vertical", roundness: 0.45 },
             selectionWidth: 2, hoverWidth: 1 },
    interaction: { hover: true, tooltipDelay: 250, dragNodes: false,
                   keyboard: { enabled: true, bindToWindow: false, autoFocus: false },
                   multiselect: false, zoomView: false, navigationButtons: false }
  });

  function nodeItem(n, counts, dim) {
    var extra = shortCounts(counts);
    var item = {
      id: n.id, group: n.kind, x: 0, y: 0,
      label: plain(n.label) + (extra ? "\n" + extra : ""),
      title: plain(n.label) + "\n" + plain(n.kindLabel) + (n.outline ? " " + plain(n.outline) : "") +
        (n.status ? "\nStatus: " + plain(n.status) : "") + (counts ? "\n" + countsText(counts) + " folded here" : ""),
      opacity: dim ? 0.22 : 1,
      font: { color: dim ? "#9ca3af" : "#111827", size: 14, face: FONT }
    };
    var inside = kinds[n.kind] && (kinds[n.kind].shape === "box" || kinds[n.kind].shape === "ellipse");
    if (!inside && !dim) { item.font.background = LABEL_BACKGROUND; } /* a label under its shape, over the lines */
    if (n.thesis) {
      item.font = { size: 15, color: dim ? "#9ca3af" : "#0b1f4d", face: FONT };
      item.borderWidth = 3;
      item.widthConstraint = { maximum: X_STEP - 16 };
      item.margin = 10;
    }
    if (n.status && statuses[n.status]) {
      var k = kinds[n.kind];
      item.color = { background: k.color, border: statuses[n.status].color,
                     highlight: { background: k.color, border: "#111827" }, hover: { background: k.color, border: "#111827" } };
      item.borderWidth = 3;
    }
    return item;
  }

  function edgeItem(id, e, dim) {
    var style = relations[e.relation] || {};
    return {
      id: id, from: e.from, to: e.to,
      color: { color: style.color, highlight: "#111827", hover: "#111827", opacity: dim ? 0.15 : 0.85 },
      width: style.width || 1, dashes: style.dashes || false,
      title: e.relations.map(function (r) { return relations[r] ? relations[r].label : r; }).join(", "),
      arrows: { to: { enabled: true, scaleFactor: e.relation === "cites" ? 0.4 : 0.7 } }
    };
  }

  var current = { set: {}, hood: null, pos: {} };

  function render(camera) {
    /* the panel takes its room first: vis-network rescales the view when its canvas changes width */
    if (panel) { panel.hidden = !state.focus; }
    network.setSize("100%", "100%");
    var set = drawnSet();
    var width = perRow();
    var hood = null;
    var pos = {};
    if (state.focus && set[state.focus]) {
      var laid = layoutFocus(set, state.focus, width);
      pos = laid.pos;
      hood = laid.hood;
    } else {
      compact(keys(set), width, 0, pos);
    }
    var owner = owners(set);
    var counts = {};
    keys(owner).forEach(function (id) {
      var o = owner[id];
      if (!o) { return; }
      var c = counts[o] = counts[o] || {};
      c[byId[id].kind] = (c[byId[id].kind] || 0) + 1;
    });
    var items = keys(set).sort(byPlace).map(function (id) {
      var item = nodeItem(byId[id], counts[id], hood && !hood[id]);
      item.x = pos[id].x;
      item.y = pos[id].y;
      return item;
    });
    var edgeItems = [];
    var linked = {};
    keys(set).sort(byPlace).forEach(function (id) {
      (outgoing[id] || []).forEach(function (e) {
        if (!set[e.to]) { return; }
        linked[id + " " + e.to] = true;
        var dim = hood && !(hood[e.from] && hood[e.to] && (e.from === state.focus || e.to === state.focus || byId[e.from].kind === "evidence"));
        edgeItems.push(edgeItem(e.from + ">" + e.to, e, dim));
      });
    });
    keys(set).sort(byPlace).forEach(function (id) { /* a dashed line through what is folded */
      var parent = byId[id].parent;
      if (!parent || set[parent]) { return; }
      var up = owner[parent];
      if (!up || linked[id + " " + up]) { return; }
      edgeItems.push({ id: "fold:" + id, from: id, to: up, dashes: [4, 4], width: 1.5,
        color: { color: "#9ca3af", highlight: "#111827", hover: "#111827", opacity: hood ? 0.3 : 0.9 },
        title: "through folded statements", arrows: { to: { enabled: true, scaleFactor: 0.5 } } });
    });
    var keepNodes = {};
    items.forEach(function (it) { keepNodes[it.id] = true; });
    nodes.remove(nodes.getIds().filter(function (id) { return !keepNodes[id]; }));
    var keepEdges = {};
    edgeItems.forEach(function (it) { keepEdges[it.id] = true; });
    edges.remove(edges.getIds().filter(function (id) { return !keepEdges[id]; }));
    nodes.update(items);
    edges.update(edgeItems);
    current = { set: set, hood: hood, pos: pos, counts: counts };
    syncControls();
    var shown = items.length;
    var folded = data.nodes.length - shown;
    var words = shown + " of " + data.nodes.length + " nodes drawn" + (folded ? ", " + folded + " folded into counts" : "");
    if (state.focus) { words += "; focused on “" + plain(byId[state.focus].label) + "”"; }
    if (status) { status.textContent = words + "."; }
    if (state.focus) {
      network.selectNodes([state.focus]);
      showPanel(state.focus);
    } else {
      network.unselectAll();
      hidePanel();
    }
    if (camera !== "keep") { place(camera); }
  }

  /* The camera: a focus shows its neighbourhood at a readable scale; otherwise the top of what is drawn. */
  function place(camera) {
    if (state.focus && current.hood) {
      var ids = keys(current.hood).filter(function (id) { return current.set[id]; });
      network.fit({ nodes: ids, animation: false });
      var scale = Math.min(1.2, Math.max(READABLE, network.getScale()));
      network.moveTo({ position: current.pos[state.focus], scale: scale, animation: false });
      return;
    }
    if (camera === "fit") { network.fit({ animation: false }); return; }
    network.fit({ animation: false });
    if (network.getScale() < READABLE) {
      /* the top row at a readable scale, centred on it */
      var top = Infinity, left = Infinity, right = -Infinity;
      keys(current.pos).forEach(function (id) { top = Math.min(top, current.pos[id].y); });
      keys(current.pos).forEach(function (id) {
        if (current.pos[id].y !== top) { return; }
        left = Math.min(left, current.pos[id].x);
        right = Math.max(right, current.pos[id].x);
      });
      var height = (container.clientHeight || 500) / READABLE;
      network.moveTo({ position: { x: (left + right) / 2, y: top - 75 + height / 2 }, scale: READABLE, animation: false });
    } else if (network.getScale() > 1.1) {
      network.moveTo({ scale: 1.1, animation: false });
    }
  }

  /* ---------------------------------------------------------------- controls */
  var kindBoxes = Array.prototype.slice.call(container.closest(".map-widget").querySelectorAll(".kind-filter"));
  var sectionSelect = document.getElementById("map-section");
  var viewSelect = document.getElementById("map-view");
  var status = document.getElementById("map-status");

  function syncControls() {
    kindBoxes.forEach(function (box) { box.checked = state.hide.indexOf(box.value) < 0; });
    if (sectionSelect) { sectionSelect.value = state.section; }
    if (viewSelect) { viewSelect.value = state.view; }
  }

  kindBoxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var hide = kindBoxes.filter(function (b) { return !b.checked; }).map(function (b) { return b.value; });
      change({ hide: hide }, "keep");
    });
  });
  if (sectionSelect) {
    sectionSelect.addEventListener("change", function () { change({ section: sectionSelect.value, focus: "", open: [] }); });
  }
  if (viewSelect) {
    viewSelect.addEventListener("change", function () { change({ view: viewSelect.value, focus: "", open: [] }); });
  }
  function overview() { change({ focus: "", open: [], view: "", section: "", hide: [] }); }
  var overviewButton = document.getElementById("map-overview");
  if (overviewButton) { overviewButton.addEventListener("click", overview); }
  var fitButton = document.getElementById("map-fit");
  if (fitButton) { fitButton.addEventListener("click", function () { network.fit({ animation: false }); }); }

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
    var names = Object.keys(groups);
    if (!names.length) { return null; }
    var wrap = el("div", "panel-relations");
    names.forEach(function (rel) {
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

  function below(id) { /* what hangs under `id` along the fold links, counted by kind */
    var counts = {};
    var seen = {};
    var stack = (children[id] || []).slice();
    while (stack.length) {
      var c = stack.pop();
      if (seen[c]) { continue; }
      seen[c] = true;
      counts[byId[c].kind] = (counts[byId[c].kind] || 0) + 1;
      stack.push.apply(stack, children[c] || []);
    }
    return counts;
  }

  function showPanel(id) {
    var n = byId[id];
    if (!n || !panel) { return; }
    if (!details) {
      withDetails(function () { if (panel.getAttribute("data-node") === id && !panel.hidden) { showPanel(id); } });
    }
    panelKind.textContent = plain(n.kindLabel) + (n.outline ? " · " + plain(n.outline) : "") +
      (n.section ? " · " + plain(n.section) : "") + (n.status ? " · " + plain(n.status) : "");
    panelTitle.textContent = plain(n.label);
    while (panelBody.firstChild) { panelBody.removeChild(panelBody.firstChild); }
    var isOpen = state.open.indexOf(id) >= 0;
    if (children[id]) {
      var fold = el("p", "panel-fold");
      fold.appendChild(el("span", null, "Under it: " + countsText(below(id)).replace(/^\+ /, "") + ". "));
      var toggle = el("button", "fold-toggle", isOpen ? "Fold them again" : "Show them on the map");
      toggle.type = "button";
      toggle.id = "map-open-cluster";
      toggle.setAttribute("aria-pressed", isOpen ? "true" : "false");
      toggle.addEventListener("click", function () { toggleOpen(id); });
      fold.appendChild(toggle);
      panelBody.appendChild(fold);
    }
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
    closeButton.addEventListener("click", function () { change({ focus: "" }, "keep"); frame.focus(); });
  }

  function toggleOpen(id) {
    var open = state.open.filter(function (o) { return o !== id; });
    if (open.length === state.open.length) { open.push(id); }
    change({ open: open, focus: id });
  }

  function select(id, moveFocus) {
    if (!byId[id]) { return; }
    var patch = { focus: id };
    if (state.hide.indexOf(byId[id].kind) >= 0) { patch.hide = []; }
    change(patch);
    if (moveFocus && panel) { panel.focus(); }
  }

  /* ---------------------------------------------------------------- pointer, wheel and keys */
  var frame = container.querySelector(".vis-network") || container;
  frame.setAttribute("role", "application"); /* a labelled, focusable widget with keys of its own */
  frame.setAttribute("aria-label", "Argument map canvas: arrow keys pan, + and - zoom, Esc returns to the overview; use the search box to reach a node");
  var active = false; /* the wheel zooms the map only after a click on it, or with Ctrl (or ⌘) held */
  var zooming = false;
  function setZoom(on) {
    if (on === zooming) { return; }
    zooming = on;
    network.setOptions({ interaction: { zoomView: on } });
  }
  var hint = document.getElementById("map-wheel-hint");
  var hintTimer = null;
  container.addEventListener("wheel", function (event) {
    var on = active || event.ctrlKey || event.metaKey;
    setZoom(on);
    if (!on && hint) {
      hint.hidden = false;
      window.clearTimeout(hintTimer);
      hintTimer = window.setTimeout(function () { hint.hidden = true; }, 1500);
    }
  }, { capture: true, passive: true });
  /* A click on a canvas that sticks out of the window would focus it and scroll the page mid-click, so the
     click would land on the wrong spot: focus it without scrolling instead. */
  container.addEventListener("mousedown", function (event) {
    event.preventDefault();
    active = true;
    if (frame.focus) { frame.focus({ preventScroll: true }); }
  });
  frame.addEventListener("focus", function () { active = true; });
  frame.addEventListener("blur", function () { active = false; });
  document.addEventListener("mousedown", function (event) {
    if (!container.contains(event.target)) { active = false; }
  });
  container.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); overview(); }
  });

  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) { select(params.nodes[0], false); }
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
      var text = details ? n.search : fold(n.label);
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    });
    found.sort(function (a, b) {
      var la = words.every(function (w) { return fold(a.label).indexOf(w) >= 0; }) ? 0 : 1;
      var lb = words.every(function (w) { return fold(b.label).indexOf(w) >= 0; }) ? 0 : 1;
      if (la !== lb) { return la - lb; }
      if (a.tier !== b.tier) { return a.tier - b.tier; }
      return fold(a.label) < fold(b.label) ? -1 : fold(a.label) > fold(b.label) ? 1 : 0;
    });
    return found;
  }

  function closeResults() { results.hidden = true; }

  function showResults() {
    if (!details) { withDetails(showResults); }
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
      button.addEventListener("click", function () { closeResults(); select(n.id, true); });
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
        if (found.length) { closeResults(); select(found[0].id, false); }
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
  Array.prototype.slice.call(container.closest(".map-widget").querySelectorAll(".js-pending")).forEach(function (node) {
    node.classList.remove("js-pending");
  });
  window.addEventListener("popstate", function () { state = readHash(); render("auto"); });
  state = readHash();
  render("auto");
  network.once("afterDrawing", function () {
    container.setAttribute("data-ready", "true");
    window.setTimeout(function () { withDetails(null); }, 0);
  });
  network.redraw();

  window.argmap = {
    network: network, nodes: nodes, edges: edges, data: data, select: select, search: matches,
    open: toggleOpen, overview: overview, state: function () { return JSON.parse(JSON.stringify(state)); },
    drawn: function () { return keys(current.set).sort(); }, perRow: perRow, readable: READABLE
  };
}());
