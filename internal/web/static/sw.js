/* The union app's service worker. It keeps the app's shell (styles, logo,
   scripts, icons) and the filing form, so the app opens and a report can
   be written without signal; static/outbox.js sends it later. Only pages
   the server marks "X-Suara-Offline: keep" (the filing form, the signed-out
   home page) are kept: nothing about a case is ever cached, and forms and
   everything else go straight to the network. */
"use strict";
var CACHE = "suara-shell-v1";
var SHELL = ["/static/app.css", "/theme.css", "/logo.svg", "/favicon.svg", "/static/outbox.js", "/static/draft.js",
  "/icons/icon-192.png", "/cases/new"];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) {
    return Promise.all(SHELL.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (r) {
        if (r.ok && (u !== "/cases/new" || r.headers.get("X-Suara-Offline") === "keep")) return c.put(u, r);
      }).catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }));
});

function shell(path) {
  return /^\/static\//.test(path) || /^\/icons\//.test(path) ||
    path === "/theme.css" || path === "/logo.svg" || path === "/favicon.svg";
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (shell(url.pathname)) {
    // Network first, so a changed theme shows at once; the copy offline.
    e.respondWith(fetch(req).then(function (r) {
      if (r.ok) {
        var copy = r.clone();
        caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); });
      }
      return r;
    }).catch(function () {
      return caches.match(url.pathname).then(function (r) { return r || Response.error(); });
    }));
    return;
  }
  if (req.mode !== "navigate") return;
  e.respondWith(fetch(req).then(function (r) {
    var path = url.pathname;
    if (r.ok && r.headers.get("X-Suara-Offline") === "keep" && (path === "/" || path === "/cases/new")) {
      var copy = r.clone();
      caches.open(CACHE).then(function (c) { c.put(path, copy); });
    } else if (path === "/") {
      // A signed-in home lists the worker's cases: never kept.
      caches.open(CACHE).then(function (c) { c.delete("/"); });
    }
    return r;
  }).catch(function () {
    // Offline: the page if it was kept, else the filing form.
    return caches.match(url.pathname).then(function (r) {
      return r || caches.match("/cases/new");
    }).then(function (r) { return r || Response.error(); });
  }));
});
