// Behaviour of every page, from a file: the Content Security Policy allows no inline script or handler.
document.addEventListener("DOMContentLoaded", () => {
  // <select data-autosubmit> submits its form when changed (the language switch).
  document.querySelectorAll("select[data-autosubmit]").forEach(el => {
    el.addEventListener("change", () => el.form.submit());
  });
});
