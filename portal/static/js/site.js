// Liaison: small progressive enhancements. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Dates: shown in the reader's timezone; the absolute UTC date stays in the title.
    document.querySelectorAll("time[data-local]").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) return;
      var opts = el.dataset.local === "date"
        ? { year: "numeric", month: "short", day: "numeric" }
        : { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
      el.textContent = date.toLocaleString(undefined, opts);
    });
    // Forms that ask for confirmation before a destructive action.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
    // Move focus to the error summary after a failed submit.
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
    // Show progress on submit and prevent double submission.
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) return;
        var button = form.querySelector("button[type=submit]");
        if (button && !button.dataset.noDisable) {
          setTimeout(function () { button.disabled = true; button.setAttribute("aria-busy", "true"); }, 0);
        }
      });
    });
  });
})();
