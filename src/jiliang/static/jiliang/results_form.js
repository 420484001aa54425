// Results form: add and remove calibration points; rows are numbered afresh before the form is sent.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    var form = document.getElementById("results-form");
    if (!form) { return; }
    var body = form.querySelector("#points-table tbody");
    var max = parseInt(form.getAttribute("data-max-rows") || "200", 10);
    function renumber() {
      var rows = body.querySelectorAll("tr.point-row");
      rows.forEach(function (tr, i) {
        tr.querySelectorAll("[data-name]").forEach(function (el) {
          var n = el.getAttribute("data-name");
          el.name = n.indexOf("attr_") === 0 ? "attr_" + i + "_" + n.slice(5) : n + "_" + i;
        });
      });
      form.querySelector("#rows-count").value = rows.length;
    }
    body.addEventListener("click", function (ev) {
      var btn = ev.target.closest(".remove-point");
      if (!btn) { return; }
      if (body.querySelectorAll("tr.point-row").length > 1) { btn.closest("tr").remove(); } else {
        btn.closest("tr").querySelectorAll("input").forEach(function (el) { el.value = ""; });
      }
      renumber();
    });
    var add = document.getElementById("btn-add-point");
    if (add) {
      add.addEventListener("click", function () {
        var rows = body.querySelectorAll("tr.point-row");
        if (rows.length >= max) { return; }
        var last = rows[rows.length - 1];
        var copy = last.cloneNode(true);
        copy.querySelectorAll("input").forEach(function (el) {
          var n = el.getAttribute("data-name");
          if (n === "label") { el.value = "P" + (rows.length + 1); } else if (n !== "unit" && n !== "k") { el.value = ""; }
        });
        body.appendChild(copy);
        renumber();
      });
    }
    form.addEventListener("submit", renumber);
  });
})();
