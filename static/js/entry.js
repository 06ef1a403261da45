// The entry page: never lose what was typed. Saving works without this file (plain forms, htmx); this adds
// the guards: the time left by the server's clock, drafts kept in the browser, a warning before leaving,
// and a message on the indicator whenever a request fails. The texts come translated from the server
// (json_script "entry-messages"): the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var root = document.querySelector("[data-entry-page]");
  var messagesNode = document.getElementById("entry-messages");
  if (!root || !messagesNode) return;
  var M = JSON.parse(messagesNode.textContent);
  var thai = document.documentElement.lang !== "en";
  var user = root.getAttribute("data-user") || "";
  var PREFIX = "krs:draft:" + user + ":";
  var baselines = {};   // entry id -> the fields as last saved (or as the page showed them)
  var leaving = false;  // the user already agreed to leave
  var storage = null;
  try { storage = window.localStorage; storage.getItem("x"); } catch (e) { storage = null; }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // --- The server's clock ------------------------------------------------------------------------
  // offset = server time − this browser's time, measured when a server answer arrives; the browser's
  // own clock (which may be minutes wrong) is only used to count time passing.
  var offset = 0;
  function setServerNow(ms) { if (!isNaN(ms) && ms > 0) offset = ms - Date.now(); }
  function serverNow() { return Date.now() + offset; }
  setServerNow(parseInt(root.getAttribute("data-now"), 10));

  // --- Entry forms and their fields --------------------------------------------------------------
  function entryForms() { return Array.prototype.slice.call(document.querySelectorAll(".entry-block > form")); }
  function entryId(form) { return form.parentNode.id.replace("entry-", ""); }
  function versionOf(form) { var v = form.querySelector("input[name=version]"); return v ? v.value : ""; }
  function editable(el) {
    return el.name && el.type !== "hidden" && el.type !== "submit" && el.type !== "button" && !el.matches(":disabled");
  }
  function fieldsOf(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!editable(el)) return;
      if (el.type === "checkbox") out[el.name] = el.checked ? el.value : "";
      else if (el.type === "radio") { if (!(el.name in out)) out[el.name] = ""; if (el.checked) out[el.name] = el.value; }
      else out[el.name] = el.value;
    });
    return out;
  }
  function setField(form, name, value) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || !editable(el)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = value !== "" && el.value === value;
      else el.value = value;
      el.classList.add("is-draft");
    });
  }
  function changed(form) {
    var now = fieldsOf(form), base = baselines[entryId(form)] || {}, out = {}, any = false;
    Object.keys(now).forEach(function (name) {
      if (now[name] !== (base[name] === undefined ? "" : base[name])) { out[name] = now[name]; any = true; }
    });
    return any ? out : null;
  }
  function codeOf(form) { return form.parentNode.getAttribute("data-code"); }
  function labelOf(form, name) {
    var el = form.elements[name];
    if (el && el.length !== undefined && !el.tagName) el = el[0];
    if (!el) return name;
    var row = el.closest("tr");
    var code = row && row.querySelector(".variable-code");
    if (code) return code.textContent;
    var legend = el.closest("fieldset") && el.closest("fieldset").querySelector("legend");
    var label = form.querySelector('label[for="' + el.id + '"]');
    return (label || legend) ? (label || legend).textContent.trim().slice(0, 60) : name;
  }
  function dirtyForms() { return entryForms().filter(function (form) { return changed(form); }); }

  // --- Drafts: what was typed and not saved, per user, entry and version ---------------------------
  function draftKeys(id) {
    var keys = [];
    if (!storage) return keys;
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX + id + ":") === 0) keys.push(key);
    }
    return keys;
  }
  function dropDrafts(id) { draftKeys(id).forEach(function (key) { storage.removeItem(key); }); }
  function keepDraft(form) {
    if (!storage) return;
    var id = entryId(form), values = changed(form), key = PREFIX + id + ":" + versionOf(form);
    draftKeys(id).forEach(function (k) { if (k !== key || !values) storage.removeItem(k); });
    if (values) {
      try { storage.setItem(key, JSON.stringify({ values: values, at: serverNow() })); } catch (e) { /* full */ }
    }
  }
  function when(ms) {
    var d = new Date(ms);
    return d.toLocaleString(thai ? "th-TH" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
  }
  function notice(form, testid, text) {
    var box = document.createElement("div");
    box.className = "alert alert-warning py-1 px-2 mb-2 small draft-notice";
    box.setAttribute("data-testid", testid);
    box.setAttribute("role", "status");
    box.appendChild(document.createTextNode(text + " "));
    var cell = form.querySelector(".entry-actions td") || form;
    cell.insertBefore(box, cell.firstChild);
    return box;
  }
  function button(box, text, testid, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-outline-secondary btn-sm ms-1";
    b.textContent = text;
    b.setAttribute("data-testid", testid);
    b.addEventListener("click", onClick);
    box.appendChild(b);
  }
  function listOf(form, values) {
    return Object.keys(values).map(function (name) { return labelOf(form, name) + " = " + (values[name] || "–"); }).join(", ");
  }
  function apply(form, values) {
    Object.keys(values).forEach(function (name) { setField(form, name, values[name]); });
    form.dispatchEvent(new Event("input", { bubbles: true }));  // the preview follows
  }
  function discard(form, box) {
    var id = entryId(form), base = baselines[id] || {};
    dropDrafts(id);
    Object.keys(base).forEach(function (name) { setField(form, name, base[name]); });
    form.querySelectorAll(".is-draft").forEach(function (el) { el.classList.remove("is-draft"); });
    box.remove();
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function restore(form) {
    var id = entryId(form), version = versionOf(form), keys = draftKeys(id);
    if (!keys.length) return;
    var key = keys[keys.length - 1], draft;
    try { draft = JSON.parse(storage.getItem(key)); } catch (e) { draft = null; }
    if (!draft || !draft.values) { storage.removeItem(key); return; }
    var fields = fieldsOf(form), box;
    var usable = Object.keys(draft.values).filter(function (name) { return name in fields; });
    if (!usable.length) {
      box = notice(form, "draft-closed", format(M.draft_closed, { at: when(draft.at) }) + " " + listOf(form, draft.values));
      button(box, M.draft_discard, "draft-discard", function () { dropDrafts(id); box.remove(); });
      return;
    }
    if (key === PREFIX + id + ":" + version) {
      apply(form, draft.values);
      box = notice(form, "draft-restored", format(M.draft, { at: when(draft.at) }));
      button(box, M.draft_discard, "draft-discard", function () { discard(form, box); });
      return;
    }
    // A draft typed over an older saved version: the saved values changed since; never overwrite silently.
    box = notice(form, "draft-stale", format(M.draft_stale, { at: when(draft.at) }) + " " + listOf(form, draft.values));
    button(box, M.draft_use, "draft-use", function () {
      box.remove();
      apply(form, draft.values);
      keepDraft(form);
      var again = notice(form, "draft-restored", format(M.draft, { at: when(draft.at) }));
      button(again, M.draft_discard, "draft-discard", function () { discard(form, again); });
    });
    button(box, M.draft_discard, "draft-discard", function () { dropDrafts(id); box.remove(); });
  }
  function setUp(form, fresh) {
    if (fresh || !baselines[entryId(form)]) baselines[entryId(form)] = fieldsOf(form);
  }

  entryForms().forEach(function (form) { setUp(form, true); });
  // After htmx has bound the preview (its own DOMContentLoaded listener comes first), so it follows.
  document.addEventListener("DOMContentLoaded", function () { entryForms().forEach(restore); });

  document.addEventListener("input", onTyping);
  document.addEventListener("change", onTyping);
  function onTyping(event) {
    var form = event.target.closest && event.target.closest(".entry-block > form");
    if (form && event.target !== form) keepDraft(form);
  }

  // --- Leaving with unsaved values ---------------------------------------------------------------
  function unsavedCodes() { return dirtyForms().map(codeOf).join(", "); }
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !dirtyForms().length) return;
    event.preventDefault();
    event.returnValue = "";
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target === "_blank" || link.getAttribute("href").charAt(0) === "#" || event.defaultPrevented) return;
    var codes = unsavedCodes();
    if (!codes) return;
    if (window.confirm(format(M.leave, { codes: codes }))) { leaving = true; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
  }, true);
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-navigate]");
    if (!select) return;
    var codes = unsavedCodes();
    if (!codes) return;
    if (window.confirm(format(M.leave, { codes: codes }))) { leaving = true; return; }
    event.stopImmediatePropagation();
    Array.prototype.forEach.call(select.options, function (option) { option.selected = option.defaultSelected; });
  }, true);
  // Back or Forward that brings this page out of the browser's memory: show the server's state again,
  // unless something typed is still on it (its draft is kept either way).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && !dirtyForms().length) window.location.reload();
  });

  // --- Requests: the clock, successful saves, and failures on the indicator they concern -------------
  if (window.htmx) window.htmx.config.timeout = 30000;
  function blockOf(elt) { return elt && elt.closest ? elt.closest(".entry-block") : null; }
  function isSave(detail) { return /\/save\/$/.test(detail.pathInfo ? detail.pathInfo.requestPath : ""); }
  function clearFailure(block) {
    if (block) block.querySelectorAll("[data-testid=save-failed], [data-testid=preview-unsaved]").forEach(function (n) { n.remove(); });
  }
  function failed(elt, text) {
    var block = blockOf(elt);
    if (!block) return;
    var form = block.querySelector("form");
    var preview = block.querySelector("[id^=preview-]");
    if (elt === preview) { preview.textContent = M.preview_failed; return; }
    clearFailure(block);
    block.querySelectorAll("[data-testid=saved], [data-testid=unchanged]").forEach(function (n) { n.remove(); });
    if (preview) {
      // Beside the preview, not inside it: a preview answer arriving later must not wipe the mark.
      var mark = document.createElement("span");
      mark.className = "badge text-bg-danger ms-1";
      mark.setAttribute("data-testid", "preview-unsaved");
      mark.textContent = M.preview_unsaved;
      preview.parentNode.insertBefore(mark, preview.nextSibling);
    }
    var box = document.createElement("div");
    box.className = "alert alert-danger py-1 px-2 mb-2 small";
    box.setAttribute("role", "alert");
    box.setAttribute("data-testid", "save-failed");
    box.textContent = text;
    var cell = block.querySelector(".entry-actions td") || block;
    cell.insertBefore(box, cell.firstChild);
    if (form) keepDraft(form);
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || !xhr.getResponseHeader) return;
    var now = xhr.getResponseHeader("X-KRS-Now"), deadline = xhr.getResponseHeader("X-KRS-Deadline");
    var closes = xhr.getResponseHeader("X-KRS-Closes");
    if (now) setServerNow(parseInt(now, 10));
    if (deadline && deadlineAt) deadlineAt = parseInt(deadline, 10);
    if (closes && closesAt) closesAt = parseInt(closes, 10);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail, xhr = detail.xhr, block = blockOf(detail.elt);
    if (!block || !xhr || !detail.shouldSwap) return;
    // A redirect followed to another page (the sign-in page after the session ran out) is no answer of ours.
    var asked = detail.pathInfo && detail.pathInfo.requestPath;
    var got = xhr.responseURL ? new URL(xhr.responseURL).pathname : asked;
    if (asked && got !== new URL(asked, window.location.href).pathname) {
      detail.shouldSwap = false;
      failed(detail.elt, M.failed_session);
      return;
    }
    if (isSave(detail)) {
      var form = block.querySelector("form");
      var success = xhr.status < 400;  // a refusal (403, 409, 422) is swapped in too, with its reason
      var id = block.id.replace("entry-", "");
      // Remember what the swap is replacing so the fresh fragment can be judged against it.
      pending[id] = { success: success, typed: form ? changed(form) : null };
    }
  });
  var pending = {};
  // The save swaps the whole block in, the pressed button with it, so focus would drop to the page body and a
  // keyboard or screen-reader user would start again from the top: move it to the note saying what was saved.
  function focusSaved(form) {
    var note = form.parentNode.querySelector("[data-testid=saved], [data-testid=unchanged]");
    if (!note) return;
    note.setAttribute("tabindex", "-1");
    note.focus();
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    entryForms().forEach(function (form) {
      var id = entryId(form), p = pending[id];
      if (!p) return;
      delete pending[id];
      if (p.success) { dropDrafts(id); setUp(form, true); focusSaved(form); }
      else if (Object.keys(fieldsOf(form)).length) keepDraft(form);  // refused: the typing stays a draft
    });
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status >= 500 ? M.failed_server : M.failed_refused;
    failed(event.detail.elt, format(text, { code: status }));
  });
  function networkFailure(event) { failed(event.detail.elt, M.failed_network); }
  document.addEventListener("htmx:sendError", networkFailure);
  document.addEventListener("htmx:timeout", networkFailure);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var block = blockOf(event.detail.elt);
    if (block && event.detail.elt.tagName === "FORM") clearFailure(block);
  });

  // --- The time left, and the round closing under the user's hands ---------------------------------
  var box = document.querySelector("[data-deadline]");
  var deadlineAt = box ? Date.parse(box.getAttribute("data-deadline")) : null;
  // Saving stops at the late window's end when the round has one, else at the deadline.
  var closesAt = box ? Date.parse(box.getAttribute("data-closes") || box.getAttribute("data-deadline")) : null;
  var closed = false;
  function render() {
    if (!box || closed) return;
    var left = deadlineAt - serverNow();
    var minutes = Math.max(0, Math.floor(left / 60000));
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days) parts.push(days + (thai ? " วัน" : (days === 1 ? " day" : " days")));
    if (days || hours) parts.push(hours + (thai ? " ชั่วโมง" : (hours === 1 ? " hour" : " hours")));
    if (!days) parts.push(mins + (thai ? " นาที" : (mins === 1 ? " minute" : " minutes")));
    box.querySelector(".time-left-text").textContent = parts.join(" ");
    if (left <= 0) {
      if (serverNow() >= closesAt) roundClosed();
      else lateWindow();
    }
  }
  function lateWindow() {
    // The deadline has passed but late reports are still taken: saving goes on. Nothing typed: the page
    // reloads to say so (and the penalty); something typed: it stays, and saves still work.
    closed = true;
    if (!dirtyForms().length) { leaving = true; window.location.reload(); }
  }
  function roundClosed() {
    closed = true;
    var dirty = dirtyForms();
    if (!dirty.length) { leaving = true; window.location.reload(); return; }
    var saved = entryForms().filter(function (form) {
      return dirty.indexOf(form) < 0 && form.parentNode.getAttribute("data-status") !== "not_reported";
    }).map(codeOf);
    var banner = document.createElement("div");
    banner.className = "alert alert-danger";
    banner.setAttribute("role", "alert");
    banner.setAttribute("data-testid", "round-closed");
    var title = document.createElement("strong");
    title.textContent = M.closed;
    banner.appendChild(title);
    var list = document.createElement("ul");
    list.className = "mb-1";
    var ok = document.createElement("li");
    ok.setAttribute("data-testid", "closed-saved");
    ok.textContent = M.closed_saved + " " + (saved.join(", ") || M.closed_none);
    list.appendChild(ok);
    var notYet = document.createElement("li");
    notYet.setAttribute("data-testid", "closed-unsaved");
    notYet.textContent = M.closed_unsaved + " " + dirty.map(function (form) {
      return codeOf(form) + " (" + listOf(form, changed(form)) + ")";
    }).join("; ");
    list.appendChild(notYet);
    banner.appendChild(list);
    var reload = document.createElement("button");
    reload.type = "button";
    reload.className = "btn btn-outline-danger btn-sm";
    reload.textContent = M.closed_reload;
    reload.addEventListener("click", function () { leaving = true; window.location.reload(); });
    banner.appendChild(reload);
    var deadline = document.querySelector("[data-testid=deadline]");
    deadline.parentNode.insertBefore(banner, deadline.nextSibling);
    dirty.forEach(keepDraft);
  }
  if (box) {
    render();
    window.setInterval(render, 15000);
  }
})();
