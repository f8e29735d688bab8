// The records kept on the phone and what still has to happen to each of them.
//
// An entry carries two counters instead of a "dirty" flag: `rev` grows with every local edit,
// `sentRev` is the rev the server has confirmed. The sync queue remembers the rev it sent and
// only marks the entry "sent" if no edit happened meanwhile — an edit made while a request is
// on the way is never lost, it is sent next. `serverVersion` (the server's optimistic-locking
// version) is null until the first create succeeded; `base` is the server's content at that
// point, so a 409 can tell "someone really changed it" from "a planner only moderated it".

/**
 * A random (v4) UUID made on the phone. crypto.randomUUID needs a secure context (HTTPS or
 * localhost); the fallback keeps a plain-HTTP test installation working, as random as it.
 */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...parts, hex.slice(20)].join("-");
}

export const FIELDS = [
  "layer",
  "kind",
  "rating",
  "title",
  "description",
  "geometry",
  "accuracy_m",
  "observed_at",
];

export function newEntry(context, fields) {
  const now = new Date().toISOString();
  return {
    id: uuid(),
    walkthroughId: context.walkthroughId,
    quarter: context.quarter,
    ...pick(fields),
    observed_at: fields.observed_at || now,
    rev: 1,
    sentRev: 0,
    serverVersion: null,
    base: null,
    serverCopy: null,
    deleted: false,
    state: "waiting",
    error: null,
    attempts: 0,
    nextTryAt: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** A local edit: bumps `rev`; a refused entry becomes "waiting" again (a conflict stays). */
export function editEntry(entry, fields) {
  Object.assign(entry, pick(fields));
  entry.rev += 1;
  entry.updatedAt = new Date().toISOString();
  entry.error = null;
  entry.attempts = 0;
  entry.nextTryAt = 0;
  if (entry.state !== "conflict") entry.state = "waiting";
  return entry;
}

export function newPhoto(entryId, file) {
  return {
    id: uuid(),
    entryId,
    blob: file,
    name: file.name || "foto.jpg",
    type: file.type || "image/jpeg",
    size: file.size,
    state: "waiting",
    error: null,
    serverId: null,
    attempts: 0,
    nextTryAt: 0,
    createdAt: new Date().toISOString(),
  };
}

export function newWalkthrough(fields) {
  return {
    id: uuid(),
    ...fields,
    origin: "local",
    state: "waiting",
    error: null,
    attempts: 0,
    nextTryAt: 0,
  };
}

/** What the server still has to hear about this entry: "delete", "create", "update" or null. */
export function pendingOp(entry) {
  if (entry.deleted) return "delete";
  if (entry.serverVersion === null) return "create";
  if (entry.rev > entry.sentRev) return "update";
  return null;
}

export function pick(source) {
  const out = {};
  for (const name of FIELDS) if (name in source) out[name] = source[name];
  return out;
}

export function createBody(entry) {
  return {
    id: entry.id,
    walkthrough_id: entry.walkthroughId,
    quarter: entry.quarter,
    status: "review",
    ...pick(entry),
  };
}

/**
 * Three-way merge of one entry, field by field, against `base` (what this phone last synced).
 * A field only one side changed takes that side's value; a field both sides changed to
 * different values is a conflict. So a planner's title fix and the team's new note both stay:
 * only what really collides is put before the user. Returns {merged, conflicts: [names]}.
 */
export function mergeFields(base, mine, theirs) {
  const merged = {};
  const conflicts = [];
  for (const name of FIELDS) {
    const b = fieldKey(name, base?.[name]);
    const m = fieldKey(name, mine?.[name]);
    const s = fieldKey(name, theirs?.[name]);
    if (m === s || m === b) merged[name] = theirs?.[name] ?? null;
    else if (s === b) merged[name] = mine?.[name] ?? null;
    else {
      merged[name] = mine?.[name] ?? null;
      conflicts.push(name);
    }
  }
  return { merged, conflicts };
}

function fieldKey(name, value) {
  if (value === undefined || value === null || value === "") return "null";
  if (name === "geometry") return JSON.stringify(roundGeometry(value, 7));
  if (name === "observed_at") return String(new Date(value).getTime());
  return JSON.stringify(value);
}

/** Same content? Coordinates are compared at 1e-7° (the server stores 7 decimals). */
export function sameContent(a, b) {
  return contentKey(a) === contentKey(b);
}

function contentKey(source) {
  const picked = pick(source || {});
  if (picked.geometry) picked.geometry = roundGeometry(picked.geometry, 7);
  if (picked.observed_at) picked.observed_at = new Date(picked.observed_at).getTime();
  for (const name of FIELDS) if (picked[name] === undefined) picked[name] = null;
  return JSON.stringify(FIELDS.map((name) => picked[name]));
}

export function roundGeometry(geometry, digits) {
  const factor = 10 ** digits;
  const round = (value) =>
    Array.isArray(value) ? value.map(round) : Math.round(value * factor) / factor;
  return { type: geometry.type, coordinates: round(geometry.coordinates) };
}

/** The state shown in the list: one word per entry (its photos are counted separately). */
export function displayState(entry, photos) {
  if (entry.state === "conflict") return "conflict";
  if (entry.state === "refused") return "refused";
  if (entry.deleted) return "deleting";
  if (pendingOp(entry)) return "waiting";
  if (photos.some((p) => p.state === "waiting")) return "waiting";
  return "sent";
}

/** Backoff before attempt `n` (1, 2, …): 2 s, 4 s, 8 s … at most 5 min, ±20 % jitter. */
export function backoff(attempts) {
  const base = Math.min(2000 * 2 ** Math.max(0, attempts - 1), 300000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
