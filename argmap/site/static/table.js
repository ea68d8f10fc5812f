/* Sortable tables: a button in each sortable header; the table is a plain table without JavaScript. */
(function () {
  "use strict";
  function value(row, index) {
    var cell = row.children[index];
    return cell ? (cell.getAttribute("data-value") || cell.textContent || "").trim() : "";
  }
  function compare(a, b, numeric, ascending) {
    if (!a && b) { return 1; }
    if (a && !b) { return -1; }
    var sign = ascending ? 1 : -1;
    if (numeric) {
      var x = parseFloat(a), y = parseFloat(b);
      if (isNaN(x) && isNaN(y)) { return 0; }
      if (isNaN(x)) { return 1; }
      if (isNaN(y)) { return -1; }
      return sign * (x - y);
    }
    return sign * a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }
  Array.prototype.slice.call(document.querySelectorAll("table.sortable")).forEach(function (table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var body = table.tBodies[0];
    headers.forEach(function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.forEach(function (row, i) { row.setAttribute("data-index", i); });
        rows.sort(function (r1, r2) {
          var c = compare(value(r1, index), value(r2, index), kind === "number", ascending);
          return c || (r1.getAttribute("data-index") - r2.getAttribute("data-index"));
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    Array.prototype.slice.call(document.querySelectorAll(".js-only")).forEach(function (node) { node.hidden = false; });
  });
}());
