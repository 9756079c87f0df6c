// Liaison: small progressive enhancements. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The reader's time zone, for the server to show dates in (until a profile sets one).
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
        document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
      }
    } catch (e) { /* no Intl: dates stay in UTC */ }
    // The language switcher goes as soon as a language is picked.
    document.querySelectorAll("form[data-auto-submit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
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
