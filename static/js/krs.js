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
  // <input type="checkbox" data-select-all="NAME" hidden>: ticks or unticks every box named NAME in its form;
  // shown only here, since without JavaScript it would do nothing (each box still works alone).
  document.querySelectorAll("[data-select-all]").forEach(function (all) { all.hidden = false; });
  function boxes(all) {
    return Array.prototype.slice.call(all.form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]'));
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.form) return;
    if (target.dataset.selectAll) {
      boxes(target).forEach(function (box) { box.checked = target.checked; });
      return;
    }
    var all = target.form.querySelector('[data-select-all="' + target.name + '"]');
    if (all) {
      var ticked = boxes(all).filter(function (box) { return box.checked; }).length;
      all.checked = ticked > 0 && ticked === boxes(all).length;
      all.indeterminate = ticked > 0 && !all.checked;
    }
  });
  // <form data-confirm="… {n} …" data-confirmed-action="URL">: ask in a dialog ({n}: the boxes ticked); yes posts to
  // the confirmed action, no stays. The form's own action is the confirmation page, for a browser without JavaScript.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.confirm) return;
    var ticked = form.querySelectorAll("input[type=checkbox]:checked:not([data-select-all])").length;
    if (!ticked) return;  // the confirmation page says to tick something first
    if (window.confirm(form.dataset.confirm.replace("{n}", ticked))) {
      form.action = form.dataset.confirmedAction;
    } else {
      event.preventDefault();
    }
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
