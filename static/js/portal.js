// Small behaviours for the portal's pages, loaded as a static file so that the
// Content-Security-Policy (script-src 'self', config/middleware.py) lets them run:
// no inline handlers anywhere. Delegated on the document, so the file may load anywhere.
//
//   <select data-autosubmit>            submits its form when the value changes
//   <input type="checkbox" data-select-all="ids">  ticks / unticks every input[name=ids] in its form
//   <form data-once>                    a second submit (double tap) is ignored, its buttons disabled
//   <form data-recompute-on-date>       changing [name=date] presses its #recompute button (the
//                                       server re-reads the roll of that day and keeps every field)
//   [data-focus-on-load]                the error summary: focused and shown when the page opens;
//                                       its links focus the field they name
//   <button data-menu-toggle aria-controls="mainnav">  opens / closes the phone menu (templates/base.html);
//                                       the menu is closed on a phone (<= 768 px) and open on a desktop (CSS)
(function () {
  "use strict";
  if (window.portalBehaviours) return;  // loaded twice on one page: bind once
  window.portalBehaviours = true;
  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.form;
    if (form && target.name === "date" && form.hasAttribute("data-recompute-on-date") && target.value) {
      var button = form.querySelector("#recompute");
      if (button) {
        if (form.requestSubmit) form.requestSubmit(button); else button.click();
      }
    }
    if (target.matches("select[data-autosubmit]") && target.form) {
      if (target.form.requestSubmit) target.form.requestSubmit(); else target.form.submit();
    }
    if (target.matches("input[type=checkbox][data-select-all]")) {
      var scope = target.form || document;
      var name = target.getAttribute("data-select-all");
      scope.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) return;
    if (form.dataset.submitting) { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    // Disabled after this turn: a button disabled now would drop its own name from the submission.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true; b.setAttribute("aria-busy", "true");
      });
    }, 0);
  });
  window.addEventListener("pageshow", function () {  // back to a cached page: usable again
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var menu = document.getElementById(toggle.getAttribute("aria-controls"));
      if (menu) {
        var open = !menu.classList.contains("open");
        menu.classList.toggle("open", open);
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      }
      return;
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-focus-on-load] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({block: "center"}); }
  });
  function focusSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.scrollIntoView({block: "start"}); summary.focus(); }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusSummary);
  else focusSummary();
})();
