/* Small page behaviours that used to be inline handlers. The Content-Security-Policy allows
   scripts from our own static files only (script-src 'self'), so a template marks an element
   with a data attribute and this file gives it its behaviour:
     data-print            a button that prints the page
     data-back             a link that goes back one page (its href is the fallback)
     body[data-autoprint]  the kiosk receipt: print on load, then return to data-return-url
   Clicks are caught on the document, so content swapped in by htmx works too. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var back = target.closest("a[data-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  window.addEventListener("load", function () {
    var body = document.body;
    if (!body || !body.hasAttribute("data-autoprint")) { return; }
    window.print();
    var next = body.getAttribute("data-return-url");
    if (next) { window.setTimeout(function () { window.location.href = next; }, 8000); }
  });
})();
