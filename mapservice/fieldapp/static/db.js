// A small promise wrapper around IndexedDB: the phone's store for everything a team enters.
//
// Why IndexedDB and not localStorage: photos are Blobs of several MB, and writes must be
// durable before the UI says "gespeichert". Every entry is written here first; the sync
// queue (sync.js) reads from here and writes the server's answer back — so closing the tab,
// a dead battery or a reload never loses an entry, it only delays it.

const NAME = "karte-erfassen";
const VERSION = 1;

// store name → [keyPath, [index names]]
const SCHEMA = {
  entries: ["id", ["walkthroughId"]],
  photos: ["id", ["entryId"]],
  walkthroughs: ["id", ["quarter"]],
  tracks: ["walkthroughId", []],
  kv: ["key", []],
};

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        for (const [name, [keyPath, indexes]] of Object.entries(SCHEMA)) {
          if (db.objectStoreNames.contains(name)) continue;
          const store = db.createObjectStore(name, { keyPath });
          for (const index of indexes) store.createIndex(index, index);
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("IndexedDB blocked by another tab"));
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Run `fn(stores)` in one transaction over `names`; resolves after the commit, so a caller
 * that awaits it knows the data is on disk (not merely queued).
 */
export async function transact(names, mode, fn) {
  const db = await openDb();
  const list = Array.isArray(names) ? names : [names];
  const tx = db.transaction(list, mode, { durability: "strict" });
  const stores = Object.fromEntries(list.map((n) => [n, tx.objectStore(n)]));
  const committed = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
  let result;
  try {
    result = await fn(stores, done);
  } catch (error) {
    committed.catch(() => {});
    try {
      tx.abort();
    } catch {
      // already finished
    }
    throw error;
  }
  await committed;
  return result;
}

export function get(store, key) {
  return transact(store, "readonly", (s) => done(s[store].get(key)));
}

export function put(store, value) {
  return transact(store, "readwrite", (s) => done(s[store].put(value)));
}

export function remove(store, key) {
  return transact(store, "readwrite", (s) => done(s[store].delete(key)));
}

/** All records of a store, or those whose `index` equals `value`. */
export function all(store, index = null, value = undefined) {
  return transact(store, "readonly", (s) => {
    const source = index ? s[store].index(index) : s[store];
    return done(index ? source.getAll(value) : source.getAll());
  });
}

/**
 * Read-modify-write of one record in a single transaction: `change(record)` gets the stored
 * record (or undefined) and returns the new one, or null to leave it (or `undefined` to keep
 * it as changed in place). This is how the sync queue merges a server answer with edits the
 * user made while the request was under way.
 */
export function update(store, key, change) {
  return transact(store, "readwrite", async (s) => {
    const record = await done(s[store].get(key));
    const next = change(record);
    const value = next === undefined ? record : next;
    if (value) await done(s[store].put(value));
    return value || null;
  });
}

/** Delete an entry together with its photos (one transaction: never half an entry). */
export function removeEntry(id) {
  return transact(["entries", "photos"], "readwrite", async (s) => {
    const keys = await done(s.photos.index("entryId").getAllKeys(id));
    for (const key of keys) s.photos.delete(key);
    await done(s.entries.delete(id));
  });
}

/** Store an entry and its new photos together, so a photo never exists without its entry. */
export function saveEntry(entry, photos = []) {
  return transact(["entries", "photos"], "readwrite", async (s) => {
    for (const photo of photos) s.photos.put(photo);
    await done(s.entries.put(entry));
  });
}

export async function getSetting(key, fallback = null) {
  const row = await get("kv", key);
  return row ? row.value : fallback;
}

export function setSetting(key, value) {
  return put("kv", { key, value });
}

/** Ask the browser not to evict our data under storage pressure (best effort). */
export async function askPersistence() {
  try {
    if (navigator.storage && navigator.storage.persist) return await navigator.storage.persist();
  } catch {
    // not supported or refused: the data is still stored, only evictable
  }
  return false;
}
