/* Keeps a draft of the filing form in this browser, so a report written on
   a patchy connection is not lost when sending fails or the page reloads.
   Progressive enhancement only: without JavaScript the form works as is.
   The draft never leaves the phone; it is cleared once the report is filed
   (the confirmation page carries data-draft-clear), when the reporter
   presses "start again", and after a week. */
(function () {
  "use strict";
  var KEY = "suara:draft:" + location.pathname.replace(/\/+$/, "");
  var MAX_AGE = 7 * 24 * 3600 * 1000;
  var store;
  try {
    store = window.localStorage;
    store.getItem(KEY);
  } catch (e) {
    return; // storage disabled (private mode): nothing to do
  }

  var clear = document.querySelector("[data-draft-clear]");
  if (clear) {
    store.removeItem(clear.getAttribute("data-draft-clear") || "suara:draft:/cases/new");
    return;
  }
  var form = document.querySelector("form[data-draft]");
  if (!form) return;

  // Hidden fields stay out, except the form's idempotency key
  // (data-draft-keep): a draft sent again after a lost reply carries the
  // key of its first send, so the server files it once.
  function kept(el) {
    var t = (el.type || "").toLowerCase();
    if (t === "hidden") return el.name && el.hasAttribute("data-draft-keep");
    return el.name && el.name !== "_csrf" && t !== "file" &&
      t !== "password" && t !== "submit" && t !== "button";
  }

  function read() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) return;
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) out[el.name] = el.value;
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }

  function save() {
    // Gone from the page (the offline outbox sent it and showed the
    // confirmation in its place): nothing left to keep.
    if (!form.isConnected) return;
    var fields = read();
    var typed = Object.keys(fields).some(function (k) {
      var el = form.elements[k];
      return el && el.tagName === "TEXTAREA" && fields[k].trim() !== "";
    });
    if (!typed) return; // nothing written yet: keep no draft
    try {
      store.setItem(KEY, JSON.stringify({ v: 1, at: Date.now(), fields: fields }));
    } catch (e) { /* storage full: the form still works */ }
  }

  function load() {
    var d;
    try {
      d = JSON.parse(store.getItem(KEY) || "null");
    } catch (e) {
      d = null;
    }
    if (!d || d.v !== 1 || !d.fields || Date.now() - d.at > MAX_AGE) {
      store.removeItem(KEY);
      return null;
    }
    return d.fields;
  }

  // After a validation error the server shows what was sent: that wins.
  function serverFilled() {
    return Array.prototype.some.call(form.querySelectorAll("textarea, input[type=text], input:not([type])"), function (el) {
      return kept(el) && el.defaultValue.trim() !== "";
    });
  }

  function restore(fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el) || !(el.name in fields)) return;
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = el.value === fields[el.name];
      } else {
        el.value = fields[el.name];
      }
    });
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = form.getAttribute("data-draft-restored") || "";
    var again = document.createElement("button");
    again.type = "button";
    again.className = "button";
    again.textContent = form.getAttribute("data-draft-discard") || "Reset";
    again.addEventListener("click", function () {
      store.removeItem(KEY);
      form.reset();
      note.parentNode.removeChild(note);
    });
    note.appendChild(again);
    form.parentNode.insertBefore(note, form);
  }

  var fields = load();
  if (fields && !serverFilled()) restore(fields);

  var timer;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(save, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  // Saved as the request leaves, so a failed send keeps the latest text.
  form.addEventListener("submit", save);
  window.addEventListener("pagehide", save);
})();
