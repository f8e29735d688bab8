// Recording the walk's GPS track with navigator.geolocation.watchPosition.
//
// Every accepted fix is written to IndexedDB at once, so a reload, a crash or a flat battery
// loses at most the fix in flight; a page opened while a recording was running picks it up
// again. On "stop" the track is marked waiting and the sync queue uploads it as the
// walkthrough's LineString (PUT /api/walkthroughs/{id}/track) — now, or when back online.
// Fixes worse than MAX_ACCURACY_M (indoors, cold start) and jitter below MIN_STEP_M are
// dropped: they would draw zig-zags and inflate the walked length.

import * as db from "./db.js";

const MAX_ACCURACY_M = 50;

/** This phone's id for a recording, so the server keeps each phone's track of a walk. */
function newRecordingId() {
  if (globalThis.crypto?.randomUUID) return `geraet-${crypto.randomUUID()}`;
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `geraet-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
const MIN_STEP_M = 5;

export function createTracker({ onChange = () => {} } = {}) {
  let watchId = null;
  let wakeLock = null;
  let current = null; // walkthrough id being recorded
  let last = null; // last accepted point, kept in memory for the distance filter

  async function load(walkthroughId) {
    return (await db.get("tracks", walkthroughId)) || null;
  }

  async function start(walkthroughId) {
    if (watchId !== null) await stop();
    const record = (await load(walkthroughId)) || {
      walkthroughId,
      points: [],
      sentCount: 0,
      state: "idle",
      error: null,
      attempts: 0,
      nextTryAt: 0,
    };
    record.recordingId ||= newRecordingId();
    Object.assign(record, { recording: true, state: "recording", error: null });
    await db.put("tracks", record);
    current = walkthroughId;
    last = record.points.at(-1) || null;
    watchId = navigator.geolocation.watchPosition(onFix, onError, {
      enableHighAccuracy: true,
      maximumAge: 0,
      timeout: 60000,
    });
    keepAwake();
    onChange(record);
    return record;
  }

  async function onFix(position) {
    const { longitude, latitude, accuracy } = position.coords;
    if (current === null || (accuracy ?? 0) > MAX_ACCURACY_M) return;
    if (last && distance(last, [longitude, latitude]) < MIN_STEP_M) return;
    const point = [round(longitude), round(latitude), Math.round(accuracy ?? 0)];
    point.push(position.timestamp);
    last = point;
    const walkthroughId = current;
    const record = await db.update("tracks", walkthroughId, (r) => {
      if (!r || !r.recording) return null;
      r.points.push(point);
      return r;
    });
    if (record) onChange(record);
  }

  function onError() {
    // Chromium reports a transient error whenever the fix source changes; keep watching.
  }

  /** Stop recording; the track then waits for the sync queue (at least two points). */
  async function stop() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    watchId = null;
    releaseWake();
    const walkthroughId = current;
    current = null;
    if (!walkthroughId) return null;
    const record = await db.update("tracks", walkthroughId, (r) => {
      if (!r) return null;
      r.recording = false;
      const unsent = r.points.length !== (r.sentCount || 0);
      r.state = r.points.length >= 2 ? (unsent ? "waiting" : "sent") : "idle";
      r.attempts = 0;
      r.nextTryAt = 0;
      return r;
    });
    onChange(record);
    return record;
  }

  /** After a reload: a recording that was running goes on. */
  async function resume(walkthroughId) {
    const record = await load(walkthroughId);
    if (record?.recording && watchId === null) return start(walkthroughId);
    return record;
  }

  async function keepAwake() {
    try {
      if ("wakeLock" in navigator) wakeLock = await navigator.wakeLock.request("screen");
    } catch {
      // not allowed (battery saver, background tab): recording still runs while visible
    }
  }

  function releaseWake() {
    wakeLock?.release().catch(() => {});
    wakeLock = null;
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && watchId !== null && !wakeLock) keepAwake();
  });

  return {
    start,
    stop,
    resume,
    load,
    isRecording: () => watchId !== null,
    recordingFor: () => current,
  };
}

/** Length of a track in metres (haversine; good to well below 1 % at walking scale). */
export function trackLength(points) {
  let total = 0;
  for (let i = 1; i < points.length; i += 1) total += distance(points[i - 1], points[i]);
  return total;
}

export function distance(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

function round(value) {
  return Math.round(value * 1e7) / 1e7;
}
