/* The debate tree: a position's URL (#curie) opens every <details> around it and scrolls to it; opening an
   entry puts its position in the URL; expand and collapse all; everything is open while printing.
   Without JavaScript the tree still opens and closes (details/summary) and the links still jump. */
(function () {
  "use strict";
  var all = function () { return Array.prototype.slice.call(document.querySelectorAll("details.pos")); };

  function reveal(hash, scroll) {
    var id;
    try { id = decodeURIComponent((hash || "").replace(/^#/, "")); } catch (e) { return; }
    if (!id) { return; }
    var target = document.getElementById(id);
    if (!target || !target.matches("details.pos")) { return; }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    Array.prototype.slice.call(document.querySelectorAll("details.pos.focused")).forEach(function (d) { d.classList.remove("focused"); });
    target.classList.add("focused");
    if (scroll) { target.scrollIntoView({ block: "start" }); }
    var summary = target.querySelector("summary");
    if (summary) { summary.focus({ preventScroll: true }); }
  }

  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (!d.matches || !d.matches("details.pos") || !d.open || !d.hasAttribute("data-user")) { return; }
    d.removeAttribute("data-user");
    history.replaceState(null, "", "#" + encodeURIComponent(d.id).replace(/%3A/gi, ":"));
  }, true);
  document.addEventListener("click", function (event) {
    var summary = event.target.closest && event.target.closest("details.pos > summary");
    if (summary) { summary.parentElement.setAttribute("data-user", ""); }
  });
  window.addEventListener("hashchange", function () { reveal(location.hash, true); });
  reveal(location.hash, true);

  var expand = document.getElementById("tree-expand");
  var collapse = document.getElementById("tree-collapse");
  if (expand && collapse) {
    expand.addEventListener("click", function () { all().forEach(function (d) { d.open = true; }); });
    collapse.addEventListener("click", function () {
      all().forEach(function (d, i) { d.open = i === 0; });
    });
    expand.parentElement.hidden = false;
  }
  var before = null;
  window.addEventListener("beforeprint", function () {
    before = all().map(function (d) { return d.open; });
    all().forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    if (before) { all().forEach(function (d, i) { d.open = before[i]; }); before = null; }
  });
}());
