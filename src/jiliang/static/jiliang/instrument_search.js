// Request form: find instruments by search (GET work-orders/instruments/?q=&owner=) and keep the chosen ones.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    var picker = document.getElementById("instrument-picker");
    if (!picker) { return; }
    var input = document.getElementById("instrument-search");
    var list = document.getElementById("instrument-results");
    var chosen = document.getElementById("instrument-chosen");
    var owner = document.getElementById("id_owner");
    var timer = null, seq = 0;
    function chosenIds() {
      return Array.prototype.map.call(chosen.querySelectorAll("input[name=instruments]"), function (el) { return el.value; });
    }
    function hide() { list.classList.add("d-none"); list.innerHTML = ""; }
    function choose(row) {
      if (chosenIds().indexOf(String(row.id)) >= 0) { hide(); return; }
      var chip = document.createElement("span");
      chip.className = "badge text-bg-light border chosen-instrument";
      chip.setAttribute("data-id", row.id);
      chip.appendChild(document.createTextNode(row.text + " "));
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "instruments"; hidden.value = row.id;
      chip.appendChild(hidden);
      var close = document.createElement("button");
      close.type = "button"; close.className = "btn-close btn-close-sm ms-1";
      close.setAttribute("aria-label", picker.getAttribute("data-remove"));
      chip.appendChild(close);
      chosen.appendChild(chip);
      input.value = "";
      hide();
    }
    function search() {
      var q = input.value.trim();
      var url = picker.getAttribute("data-url") + "?q=" + encodeURIComponent(q) + (owner && owner.value ? "&owner=" + encodeURIComponent(owner.value) : "");
      var mine = ++seq;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== seq) { return; }
          list.innerHTML = "";
          if (!data.results.length) {
            var li = document.createElement("li");
            li.className = "list-group-item text-muted small"; li.textContent = picker.getAttribute("data-none");
            list.appendChild(li);
          }
          data.results.forEach(function (row) {
            var li = document.createElement("li");
            li.className = "list-group-item list-group-item-action instrument-option";
            li.setAttribute("role", "option"); li.setAttribute("data-id", row.id); li.tabIndex = 0;
            li.textContent = row.text;
            li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(row); });
            li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); choose(row); } });
            list.appendChild(li);
          });
          list.classList.remove("d-none");
        });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    input.addEventListener("focus", function () { if (!input.value) { search(); } });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        var first = list.querySelector(".instrument-option");
        if (first) { first.dispatchEvent(new MouseEvent("mousedown")); }
      } else if (ev.key === "Escape") { hide(); }
    });
    input.addEventListener("blur", function () { setTimeout(hide, 150); });
    chosen.addEventListener("click", function (ev) {
      if (ev.target.classList.contains("btn-close")) { ev.target.closest(".chosen-instrument").remove(); }
    });
    if (owner) { owner.addEventListener("change", function () { chosen.innerHTML = ""; }); }
  });
})();
