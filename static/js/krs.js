// Behaviour every page shares, bound from data- attributes: the Content-Security-Policy (krs/settings.py)
// allows no inline script, so no onclick=/onchange= in the templates.
(function () {
  "use strict";
  // <select data-navigate>: each option's value is a URL; choosing one opens it.
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-navigate]");
    if (select && select.value) window.location = select.value;
  });
  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
