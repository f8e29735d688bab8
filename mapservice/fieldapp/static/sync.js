// The sync queue: sends what is stored on the phone, in order, until the server has all of it.
//
// Order per pass: walkthroughs (entries refer to them) → entries (create, update, delete) →
// photos of created entries → tracks. Each item is attempted at most once per pass; a network
// failure ends the pass (everything else would fail too) and sets a backoff. Why a retry can
// never duplicate: entries and walkthroughs carry the id made on the phone (the server answers
// a repeated create with the stored row), photos are stored by content hash per entry, and a
// track upload replaces the track. `attempts` is written *before* a request goes out, so even a
// crash mid-request leaves a record that knows it may already exist on the server.

import { ApiError, request, token } from "./api.js";
import * as db from "./db.js";
import { backoff, createBody, mergeFields, pendingOp, pick, sameContent } from "./model.js";

const WALK_FIELDS = [
  "id",
  "quarter",
  "title",
  "started_at",
  "ended_at",
  "team",
  "residents",
  "multipliers",
  "experts",
  "administration",
];
const PHOTO_TIMEOUT = 120000;

export function createSync({ onChange = () => {}, onAuthError = () => {} } = {}) {
  let running = null;
  let again = false;
  let againForced = false;
  let timer = null;
  let authBlocked = false;
  let networkBack = false; // a request of the current pass has reached the server
  // Did the last request reach the server? navigator.onLine only knows about the radio;
  // in a dead zone it says "online" while every request fails. null = not tried yet.
  let reachable = null;

  /** Start a pass now (or right after the current one). `force` ignores backoff times. */
  function run({ force = false } = {}) {
    if (running) {
      again = true;
      againForced = againForced || force;
      return running;
    }
    clearTimeout(timer);
    running = withLock(() => pass(force))
      .catch((error) => console.error("sync pass failed", error))
      .finally(() => {
        running = null;
        if (again) {
          const forced = againForced;
          again = againForced = false;
          run({ force: forced });
        }
      });
    return running;
  }

  // Two open tabs must not send the same queue at once (harmless, but wasteful).
  function withLock(fn) {
    if (navigator.locks) return navigator.locks.request("karte-erfassen-sync", fn);
    return fn();
  }

  async function pass(force) {
    if (!token.get() || authBlocked) return;
    // Offline for sure: do not burn attempts; the "online" event starts the next pass.
    if (navigator.onLine === false) return finish();
    networkBack = false;
    // Backoff after a *network* failure says nothing about the item itself: once any request
    // in this pass got through, such items go at once instead of sitting out their timer.
    const due = (item) =>
      force || (item.nextTryAt || 0) <= Date.now() || (networkBack && item.netFailed);
    const walks = await db.all("walkthroughs");
    for (const walk of walks.filter((w) => w.state === "waiting" && due(w))) {
      if ((await attempt("walkthroughs", walk, sendWalkthrough)) === "stop") return finish();
    }
    const sentWalks = new Set(
      (await db.all("walkthroughs")).filter((w) => w.state === "sent").map((w) => w.id),
    );
    for (const walk of await db.all("walkthroughs")) {
      if (!walk.endAt || !sentWalks.has(walk.id) || !due(walk)) continue;
      if ((await attempt("walkthroughs", walk, sendWalkEnd)) === "stop") return finish();
    }
    const entries = await db.all("entries");
    entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const entry of entries) {
      if (entry.state !== "waiting" || !pendingOp(entry) || !due(entry)) continue;
      if (entry.serverVersion === null && !entry.deleted && !sentWalks.has(entry.walkthroughId)) {
        continue; // its walkthrough is not on the server yet
      }
      if ((await attempt("entries", entry, sendEntry)) === "stop") return finish();
    }
    const created = new Set();
    for (const e of await db.all("entries")) {
      if (e.serverVersion !== null && !e.deleted) created.add(e.id);
    }
    for (const photo of await db.all("photos")) {
      if (photo.state !== "waiting" || !created.has(photo.entryId) || !due(photo)) continue;
      if ((await attempt("photos", photo, sendPhoto)) === "stop") return finish();
    }
    for (const track of await db.all("tracks")) {
      if (track.state !== "waiting" || !sentWalks.has(track.walkthroughId) || !due(track)) continue;
      if ((await attempt("tracks", track, sendTrack)) === "stop") return finish();
    }
    return finish();
  }

  /** Plan the next pass at the earliest backoff time of anything that can be sent. */
  async function finish() {
    onChange();
    if (authBlocked) return;
    const walks = await db.all("walkthroughs");
    const sentWalks = new Set(walks.filter((w) => w.state === "sent").map((w) => w.id));
    const entries = await db.all("entries");
    const created = new Set(entries.filter((e) => e.serverVersion !== null).map((e) => e.id));
    // Items that wait for something else (their walkthrough, their entry) need no timer.
    const blocked = {
      entries: (e) => e.serverVersion === null && !e.deleted && !sentWalks.has(e.walkthroughId),
      photos: (p) => !created.has(p.entryId),
      tracks: (t) => !sentWalks.has(t.walkthroughId),
      walkthroughs: () => false,
    };
    let next = Infinity;
    for (const store of ["walkthroughs", "entries", "photos", "tracks"]) {
      const items = { walkthroughs: walks, entries }[store] || (await db.all(store));
      for (const item of items) {
        if (item.state !== "waiting" || blocked[store](item)) continue;
        next = Math.min(next, item.nextTryAt || 0);
      }
    }
    if (next < Infinity) timer = setTimeout(() => run(), Math.max(2000, next - Date.now()));
  }

  /** Send one item; returns "ok", "later", "handled" or "stop" (end of this pass). */
  async function attempt(store, item, send) {
    const key = store === "tracks" ? item.walkthroughId : item.id;
    const fresh = await db.update(store, key, (r) => {
      if (!r) return null;
      r.attempts = (r.attempts || 0) + 1;
      r.netFailed = false;
      return r;
    });
    if (!fresh) return "ok";
    try {
      await send(fresh);
      networkBack = reachable = true;
      onChange();
      return "ok";
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      reachable = error.kind !== "network";
      if (reachable) networkBack = true; // the server answered
      if (error.kind === "network" || error.kind === "retry") {
        await db.update(store, key, (r) => {
          if (!r) return null;
          r.nextTryAt = Date.now() + backoff(r.attempts);
          r.netFailed = error.kind === "network";
          return r;
        });
        onChange();
        return error.kind === "network" ? "stop" : "later";
      }
      if (error.kind === "auth") {
        authBlocked = true;
        onAuthError(error.body);
        return "stop";
      }
      await refuse(store, key, error);
      onChange();
      return "handled";
    }
  }

  async function refuse(store, key, error) {
    const reason = error.body || { code: `http_${error.status}` };
    await db.update(store, key, (r) => {
      if (!r) return null;
      r.state = "refused";
      r.error = { status: error.status, ...reason };
      return r;
    });
  }

  async function sendWalkthrough(walk) {
    const body = {};
    for (const name of WALK_FIELDS) {
      if (walk[name] !== undefined && walk[name] !== null) body[name] = walk[name];
    }
    await request("POST", "/api/walkthroughs", { json: body });
    await db.update("walkthroughs", walk.id, (r) =>
      r ? Object.assign(r, { state: "sent", error: null, attempts: 0 }) : null,
    );
  }

  /**
   * "Begehung beenden": ended_at goes out as a PATCH once the walkthrough is on the server
   * (the create stays byte-identical, so a retried create is still a retry). A refusal is
   * kept on the walk as `endError`: it must not mark the walkthrough refused, which would hold
   * back its entries.
   */
  async function sendWalkEnd(walk) {
    let row = null;
    try {
      ({ body: row } = await request("PATCH", `/api/walkthroughs/${walk.id}`, {
        json: { ended_at: walk.endAt },
      }));
    } catch (error) {
      if (!(error instanceof ApiError) || ["network", "retry", "auth"].includes(error.kind)) {
        throw error;
      }
      await db.update("walkthroughs", walk.id, (r) =>
        r ? Object.assign(r, { endAt: null, endError: error.body || {} }) : null,
      );
      return;
    }
    await db.update("walkthroughs", walk.id, (r) =>
      r ? Object.assign(r, { ended_at: row.ended_at, endAt: null, endError: null }) : null,
    );
  }

  async function sendEntry(entry) {
    const op = pendingOp(entry);
    const sentRev = entry.rev;
    if (op === "delete") {
      try {
        await request("DELETE", `/api/observations/${entry.id}`);
      } catch (error) {
        if (!(error instanceof ApiError && error.kind === "gone")) throw error;
      }
      await db.removeEntry(entry.id);
      return;
    }
    let answer;
    try {
      answer =
        op === "create"
          ? await request("POST", "/api/observations", { json: createBody(entry) })
          : await request("PATCH", `/api/observations/${entry.id}`, {
              json: pick(entry),
              headers: { "If-Match": `"${entry.serverVersion}"` },
            });
    } catch (error) {
      if (error instanceof ApiError && error.kind === "conflict") {
        return conflict(entry, error.body.current);
      }
      if (error instanceof ApiError && error.kind === "gone") error.kind = "refused";
      throw error;
    }
    const row = answer.body;
    await db.update("entries", entry.id, (r) => {
      if (!r) return null;
      r.serverVersion = row.version;
      r.base = pick(row);
      r.status = row.status;
      r.sentRev = Math.max(r.sentRev, sentRev);
      r.attempts = 0;
      r.nextTryAt = 0;
      r.error = null;
      // Still something to do (an edit or a delete made meanwhile)? Then it keeps waiting.
      if (r.state !== "conflict") r.state = pendingOp(r) ? "waiting" : "sent";
      return r;
    });
  }

  /**
   * A 409: the server's version is newer than ours. Merge field by field against what we last
   * synced (`base`): fields only one side changed are taken from that side — a planner's
   * moderation or title fix and the team's new note both survive — and ours go out again
   * against the new version. Only fields both sides changed differently are a conflict.
   */
  async function conflict(entry, current) {
    await db.update("entries", entry.id, (r) => {
      if (!r) return null;
      const { merged, conflicts } = mergeFields(r.base, r, current);
      if (conflicts.length) {
        Object.assign(r, { state: "conflict", serverCopy: current, conflicts });
        return r;
      }
      Object.assign(r, merged);
      r.serverVersion = current.version;
      r.base = pick(current);
      r.status = current.status ?? r.status;
      if (sameContent(current, r)) {
        r.sentRev = r.rev;
        r.state = "sent";
      } else {
        r.nextTryAt = 0;
        again = true; // send the merged entry right after this pass
      }
      return r;
    });
  }

  async function sendPhoto(photo) {
    let serverId = photo.serverId;
    if (!photo.deleted || (!serverId && photo.attempts > 1)) {
      // Upload — or, for a photo removed after an upload whose answer was lost, upload again
      // to learn its id: the server keys photos by content, so this makes no second copy.
      const form = new FormData();
      form.append("file", photo.blob, photo.name);
      const { body } = await request("POST", `/api/observations/${photo.entryId}/photos`, {
        form,
        timeout: PHOTO_TIMEOUT,
      });
      serverId = body?.id ?? null;
    }
    if (photo.deleted) {
      if (serverId) {
        try {
          await request("DELETE", `/api/photos/${serverId}`);
        } catch (error) {
          if (!(error instanceof ApiError && error.kind === "gone")) throw error;
        }
      }
      await db.remove("photos", photo.id);
      return;
    }
    await db.update("photos", photo.id, (r) =>
      r ? Object.assign(r, { state: "sent", serverId, error: null }) : null,
    );
  }

  async function sendTrack(track) {
    const count = track.points.length;
    const coordinates = track.points.map((p) => [p[0], p[1]]);
    // One recording per phone (recordingId): two phones on one walk keep both tracks. The
    // time of the last fix is the end of the recording, and so of the walk.
    const params = new URLSearchParams();
    if (track.recordingId) params.set("recording", track.recordingId);
    const lastFix = track.points.at(-1)?.[3];
    if (lastFix) params.set("ended_at", new Date(lastFix).toISOString());
    const query = params.toString() ? `?${params}` : "";
    await request("PUT", `/api/walkthroughs/${track.walkthroughId}/track${query}`, {
      json: { type: "LineString", coordinates },
    });
    await db.update("tracks", track.walkthroughId, (r) => {
      if (!r) return null;
      r.sentCount = count;
      r.error = null;
      r.attempts = 0;
      // Points recorded while the upload ran are sent with the next stop.
      if (!r.recording) r.state = r.points.length > count ? "waiting" : "sent";
      return r;
    });
  }

  /** After the user edited or pressed "Erneut senden": forget the refusal and go. */
  async function retry(store, key) {
    await db.update(store, key, (r) => {
      if (!r) return null;
      if (r.state === "refused") r.state = "waiting";
      r.error = null;
      r.attempts = 0;
      r.nextTryAt = 0;
      return r;
    });
    return run({ force: true });
  }

  function resume() {
    authBlocked = false;
    return run({ force: true });
  }

  addEventListener("online", () => {
    reachable = null;
    run({ force: true });
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") run();
  });

  return { run, retry, resume, reachable: () => reachable };
}
