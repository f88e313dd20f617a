/* The union app's offline outbox. A report sent from the filing form while
   the phone has no signal (and the app's service worker is in charge) is
   kept in this browser's IndexedDB — text, safety mode, photos — and sent
   when the connection returns, with the form's idempotency key, so a send
   repeated after a lost reply still files one case. The reporter sees
   "waiting to send", then the confirmation with the reference (and, for an
   anonymous report, the receipt code, which is shown and not stored). Once
   the server has answered, the report is deleted from the phone.
   Without JavaScript or IndexedDB the form posts as usual. */
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
  if (!window.indexedDB || !window.fetch || !window.FormData) return;
  var box = document.getElementById("outbox");
  var DB = "suara-outbox", STORE = "reports", DRAFT = "suara:draft:/cases/new";

  function open() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "key" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }
  function tx(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (ok, fail) {
        var t = db.transaction(STORE, mode), out;
        t.oncomplete = function () { db.close(); ok(out); };
        t.onerror = t.onabort = function () { db.close(); fail(t.error); };
        out = fn(t.objectStore(STORE));
      });
    });
  }
  function all() {
    return open().then(function (db) {
      return new Promise(function (ok, fail) {
        var r = db.transaction(STORE, "readonly").objectStore(STORE).getAll();
        r.onsuccess = function () { db.close(); ok(r.result || []); };
        r.onerror = function () { db.close(); fail(r.error); };
      });
    });
  }

  function say(which) {
    if (!box) return;
    box.textContent = box.getAttribute("data-" + which) || "";
    box.hidden = false;
  }

  // Keeping a report: every field but the CSRF token (a fresh one is
  // fetched when sending), and the chosen files as blobs.
  var form = document.querySelector("form[data-draft]");
  if (form) {
    form.addEventListener("submit", function (ev) {
      var step = ev.submitter && ev.submitter.name === "step" ? ev.submitter.value : "submit";
      if (step !== "submit" || navigator.onLine || !navigator.serviceWorker || !navigator.serviceWorker.controller) return;
      var keyEl = form.elements.idempotency_key;
      if (!keyEl || !keyEl.value) return;
      ev.preventDefault();
      var fields = [], files = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "_csrf" || el.disabled) return;
        var t = (el.type || "").toLowerCase();
        if (t === "file") {
          Array.prototype.forEach.call(el.files || [], function (f) { files.push({ name: el.name, blob: f, filename: f.name }); });
        } else if ((t === "radio" || t === "checkbox") && !el.checked) {
          return;
        } else if (t !== "submit" && t !== "button") {
          fields.push([el.name, el.value]);
        }
      });
      fields.push(["step", "submit"]);
      tx("readwrite", function (s) { s.put({ key: keyEl.value, at: Date.now(), fields: fields, files: files }); }).then(function () {
        form.hidden = true;
        say("waiting");
        if (box) box.focus();
      }, function () {
        form.submit(); // storage refused: let the browser try
      });
    });
  }

  var busy = false;
  function flush() {
    if (busy) return;
    busy = true;
    all().then(function (items) {
      if (!items.length) return;
      say("sending");
      return items.reduce(function (p, it) { return p.then(function () { return send(it); }); }, Promise.resolve());
    }).catch(function () {
      say("waiting"); // still no connection: try again later
    }).then(function () { busy = false; });
  }

  function send(it) {
    return fetch("/cases/new", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var tok = doc.querySelector('input[name="_csrf"]');
      var fd = new FormData();
      fd.append("_csrf", tok ? tok.value : "");
      it.fields.forEach(function (f) { fd.append(f[0], f[1]); });
      it.files.forEach(function (f) { fd.append(f.name, f.blob, f.filename); });
      return fetch("/cases/new", { method: "POST", body: fd, credentials: "same-origin" });
    }).then(function (r) {
      return r.text();
    }).then(function (html) {
      // Answered: the server has the report (or says what to fix).
      return tx("readwrite", function (s) { s.delete(it.key); }).then(function () {
        try { localStorage.removeItem(DRAFT); } catch (e) { /* no storage */ }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var main = document.querySelector("main"), got = doc.querySelector("main");
        if (main && got) {
          main.innerHTML = got.innerHTML;
          document.title = doc.title;
        }
        if (box) box.hidden = true;
      });
    });
  }

  window.addEventListener("online", flush);
  if (navigator.onLine) flush();
  else all().then(function (items) { if (items.length) say("waiting"); }, function () {});
  setInterval(function () { if (navigator.onLine) flush(); }, 30000);
})();
