// Service worker of the field app. `SHELL` (version, precache list, data URLs) is put in front
// of this file by the server, so a new deployment gives a byte-different worker.
//
// Strategies:
// - the app shell (page, our modules, Leaflet, manifest): cache-first from a cache named after
//   the version, filled completely at install — after one visit the app opens with no network;
// - catalogue and quarters JSON: stale-while-revalidate in a cache that survives versions;
// - everything else, above all API writes and authenticated reads: the network, untouched.
//   Entries are never queued here: the page's IndexedDB queue owns them, visibly.
/* global SHELL */

const PREFIX = "karte-erfassen-";
const SHELL_CACHE = `${PREFIX}shell-${SHELL.version}`;
const DATA_CACHE = `${PREFIX}data`;
const PRECACHE = new Set(SHELL.precache);
const DATA = new Set(SHELL.data);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL_CACHE);
      // `reload` skips the HTTP cache: the precache must hold exactly this version's files.
      await shell.addAll(SHELL.precache.map((url) => new Request(url, { cache: "reload" })));
      const data = await caches.open(DATA_CACHE);
      await Promise.all(SHELL.data.map((url) => data.add(url).catch(() => null)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== SHELL_CACHE && name !== DATA_CACHE) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // writes always go to the network
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const isShell = url.pathname === SHELL.shell || url.pathname === `${SHELL.shell}/`;
  if (request.mode === "navigate" && isShell) {
    event.respondWith(fromShell(SHELL.shell, request));
  } else if (PRECACHE.has(url.pathname)) {
    event.respondWith(fromShell(url.pathname, request));
  } else if (DATA.has(url.pathname)) {
    // Public, the same for every caller: safe to share from one cache.
    event.respondWith(staleWhileRevalidate(event, url.pathname, request));
  }
});

async function fromShell(key, request) {
  const cached = await caches.match(key, { cacheName: SHELL_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(key, response.clone());
  }
  return response;
}

async function staleWhileRevalidate(event, key, request) {
  const cache = await caches.open(DATA_CACHE);
  const cached = await cache.match(key);
  const fresh = fetch(request)
    .then(async (response) => {
      if (response.ok) await cache.put(key, response.clone());
      return response;
    })
    .catch(() => null);
  if (cached) {
    event.waitUntil(fresh);
    return cached;
  }
  return (await fresh) || Response.error();
}
