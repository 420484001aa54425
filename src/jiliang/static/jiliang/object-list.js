// object_list.html: kept out of the page for the Content Security Policy (script-src 'self').
document.querySelectorAll("#filter-form input:not([type=hidden]), #filter-form select").forEach(el => {
  if (el.tagName === "SELECT") { el.classList.add("form-select", "form-select-sm"); if (el.multiple) el.size = Math.min(el.options.length, 4); }
  else { el.classList.add("form-control", "form-control-sm"); }
});
