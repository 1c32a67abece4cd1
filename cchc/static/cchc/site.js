// Small behaviours without inline scripts (the CSP forbids them).
document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
document.querySelectorAll("[data-print]").forEach(function (el) {
  el.addEventListener("click", function () { window.print(); });
});
