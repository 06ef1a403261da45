// Evidence files: check size and count before sending, and show upload progress. The forms work without this file.
(function () {
  "use strict";
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("form[data-upload] input[type=file]")) return;
    var form = input.form, max = parseInt(form.getAttribute("data-max-bytes"), 10);
    var message = "";
    if (input.files.length > parseInt(form.getAttribute("data-max-files"), 10)) {
      message = form.getAttribute("data-too-many");
    }
    for (var i = 0; i < input.files.length && !message; i++) {
      if (input.files[i].size > max) {
        message = format(form.getAttribute("data-too-big"), { name: input.files[i].name, max: megabytes(max) });
      }
    }
    input.setCustomValidity(message);
    if (message) input.reportValidity();
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload]");
    if (!form || !event.detail.lengthComputable) return;
    var bar = form.querySelector("progress");
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });
})();
