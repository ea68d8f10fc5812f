/* The home page shows the map's first view as a static picture (an SVG made at build time) and loads the
   interactive map only when asked: the "Explore it on this page" button, or an address that names a map
   state (#node=…, #view=…, …), brings in vis-network, the graph data and static/map.js, in that order. */
(function () {
  "use strict";
  var button = document.getElementById("map-load");
  var teaser = document.getElementById("map-widget");
  var live = document.getElementById("map-live");
  if (!button || !teaser || !live) { return; }
  var root = document.body.getAttribute("data-root") || "";
  var loading = false;

  function load(moveFocus) {
    if (loading) { return; }
    loading = true;
    live.hidden = false;
    teaser.hidden = true;
    ["static/vis-network.min.js", "static/graph.js", "static/map.js"].forEach(function (src) {
      var script = document.createElement("script");
      script.src = root + src;
      script.async = false; /* run in order */
      document.body.appendChild(script);
    });
    if (moveFocus) {
      var heading = document.getElementById("map-heading");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  }

  button.classList.remove("js-pending");
  button.addEventListener("click", function () { load(true); });
  if (/^#(node|view|section|open|hide)=/.test(window.location.hash) || /[#&](node|view|section|open|hide)=/.test(window.location.hash)) {
    load(false);
  }
  window.argmapLoadMap = load;
}());
