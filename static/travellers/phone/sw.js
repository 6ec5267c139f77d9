/* The phone declaration's service worker (served at /travel/sw.js by the server, which
   fills in the version and the addresses below). It keeps the pages and their assets so
   that the declaration opens without a network, and the QR codes once drawn. The API is
   never cached: a declaration that cannot be sent stays in the page's local storage. */
"use strict";

var VERSION = "__VERSION__";
var CACHE = "travel-" + VERSION;
var PAGES = "__PAGES__";
var ASSETS = "__ASSETS__";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(PAGES.concat(ASSETS)); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("travel-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    // Pages vary on the language cookie; offline, the page last fetched is the one to show.
    return caches.match(request, { ignoreSearch: request.mode === "navigate", ignoreVary: true }).then(function (cached) {
      return cached || Response.error();
    });
  });
}

function cacheFirst(request) {
  return caches.match(request, { ignoreVary: true }).then(function (cached) {
    return cached || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (ASSETS.indexOf(url.pathname) >= 0 || url.pathname.indexOf("/travel/qr/") === 0) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname.indexOf("/travel/") === 0) {
    event.respondWith(networkFirst(request));
  }
});
