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
    // Catalog search: the sort select applies at once; on a narrow screen the filters start
    // folded above the results (without JavaScript they stay open, and a button applies them).
    document.querySelectorAll("select[data-catalog-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { if (select.form) select.form.submit(); });
    });
    if (window.matchMedia && window.matchMedia("(max-width: 991.98px)").matches) {
      document.querySelectorAll("details[data-collapse-narrow]").forEach(function (panel) {
        panel.removeAttribute("open");
      });
    }
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
    // Length limits: a live count under each limited field (one-line fields from 80 % of the
    // limit), never a cut (no maxlength). The texts
    // come translated in the counter's data- attributes; the live region speaks from 90 % only.
    var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
    document.querySelectorAll("[data-limit-counter]").forEach(function (counter) {
      var input = document.getElementById(counter.dataset.limitCounter);
      var live = document.querySelector('[data-limit-live="' + counter.dataset.limitCounter + '"]');
      var limit = input ? parseInt(input.dataset.limit, 10) : NaN;
      if (!input || !(limit > 0)) return;
      var spoken = "", timer = null;
      function update() {
        // Characters as the server counts them: code points, a line break as one.
        var count = Array.from(input.value).length;
        var over = count - limit;
        var template = over > 0 ? counter.dataset.limitOver : counter.dataset.limitText;
        var message = template.replace("{count}", numbers.format(count)).replace("{over}", numbers.format(over));
        counter.textContent = message;
        // A one-line field shows its count only near the limit (a text area always): a short name
        // or postcode needs no "5 / 20 characters" under it.
        counter.hidden = input.tagName !== "TEXTAREA" && count < limit * 0.8;
        counter.classList.toggle("text-danger", over > 0);
        counter.classList.toggle("fw-semibold", over > 0);
        if (!live) return;
        clearTimeout(timer);
        var near = count >= limit * 0.9;
        timer = setTimeout(function () {
          var say = near ? message : "";
          if (say !== spoken) { live.textContent = say; spoken = say; }
        }, near ? 700 : 0);
      }
      input.addEventListener("input", update);
      update();
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
