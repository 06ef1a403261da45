// Behaviour every page shares, bound from data- attributes: the Content-Security-Policy (krs/settings.py)
// allows no inline script, so no onclick=/onchange= in the templates.
(function () {
  "use strict";
  // <select data-navigate>: each option's value is a URL; choosing one opens it.
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-navigate]");
    if (select && select.value) window.location = select.value;
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    // <button data-print>: print the page.
    if (event.target.closest("[data-print]")) window.print();
    // <input data-select-on-click>: select the whole value (a token to copy).
    var field = event.target.closest("[data-select-on-click]");
    if (field) field.select();
    // <button data-copy="id">: copy that field's value to the clipboard.
    var copy = event.target.closest("[data-copy]");
    if (copy && navigator.clipboard) navigator.clipboard.writeText(document.getElementById(copy.dataset.copy).value);
  });
  // A refusal answered in place: 403 (may not change it now), 409 (changed meanwhile), 413 (files too
  // large), 422 (the values or files to correct or confirm) or 503 (file storage down) with the fragment to
  // show, marked by X-KRS-Status. htmx 2 swaps no 4xx by
  // default, so these are swapped; any other 4xx or 5xx (Django's 403 page, a CSRF failure, a proxy's
  // 502) is not, and stays an error (htmx:responseError) for the page to report.
  if (window.htmx) {
    window.htmx.config.responseHandling = [{ code: "^(403|409|413|422|503)$", swap: true }]
      .concat(window.htmx.config.responseHandling);
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && !xhr.getResponseHeader("X-KRS-Status")) {
      event.detail.shouldSwap = false;
      event.detail.isError = true;
    }
  });
})();
