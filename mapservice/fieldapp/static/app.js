// The field app's start-up and wiring: views, map, form, list, track and the sync queue.
//
// The rule every handler here follows: write to IndexedDB first, then render, then ask the
// sync queue to run. Nothing waits for the network before the user sees "gespeichert".

import { getCached, token } from "./api.js";
import { createConflictDialog, keepMine, takeTheirs } from "./conflict.js";
import * as db from "./db.js";
import { createForm } from "./form.js";
import { moderationOf, refreshModeration, resubmit } from "./freigabe.js";
import { applyI18n, lang, serverMessage, setLang, t } from "./i18n.js";
import { createList } from "./list.js";
import { createMap } from "./map.js";
import { editEntry, newEntry, newPhoto } from "./model.js";
import { offerPhotoPlace } from "./photoplace.js";
import { createSetup } from "./setup.js";
import { createSync } from "./sync.js";
import { createTeamView } from "./team.js";
import { createTracker } from "./track.js";
import { createTrackBar } from "./trackbar.js";
import { createWalkEnd } from "./walkend.js";
import { registerWorker } from "./worker.js";

const config = JSON.parse(document.getElementById("karte-config").textContent);
const $ = (selector) => document.querySelector(selector);
const ui = { catalog: null, walk: null, quarter: null, map: null, form: null, list: null };
let renderQueued = false;

const sync = createSync({ onChange: queueRender, onAuthError: showAuthProblem });
const tracker = createTracker({ onChange: queueRender });
const setup = createSetup({
  onSignedIn: () => {
    $("#auth-banner").hidden = true;
    sync.resume();
    return resumeOrSetup(); // after a refused token: straight back to the walk
  },
  onChosen: openWalkthrough,
  onRequeue: () => sync.run(),
});

function showView(name) {
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${name}`;
}

function showSetup() {
  showView("setup");
  setup.show();
}

function showAuthProblem(body) {
  $("#auth-message").textContent = t("sync.auth", { msg: serverMessage(body) });
  $("#auth-banner").hidden = false;
}

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 3500);
}

// --- the main view ---------------------------------------------------------------------------

async function openWalkthrough(walk, quarter) {
  // A track belongs to one walkthrough: switching ends (and queues) the running recording.
  if (tracker.isRecording() && tracker.recordingFor() !== walk.id) await tracker.stop();
  ui.walk = walk;
  ui.quarter = quarter;
  await db.setSetting("current", { walkId: walk.id, quarter });
  showView("main");
  $("#walk-name").textContent = walk.title;
  if (!ui.map) buildMain();
  ui.map.refresh();
  ui.map.setBoundary(quarter);
  ui.form.reset();
  setMode("point");
  ui.map.resetDraft();
  await tracker.resume(walk.id);
  // Land on the map (the top of the view, under the sticky bar), not where the walkthrough
  // list was scrolled to.
  window.scrollTo(0, 0);
  ui.team.refresh(walk.id, { force: true });
  queueRender();
}

function buildMain() {
  ui.map = createMap($("#map"), {
    basemap: config.basemap,
    kinds: ui.catalog.kinds,
    onDraftChange: showReadout,
  });
  ui.form = createForm($("#entry-form"), {
    catalog: ui.catalog,
    getDraft: () => ui.map.getDraft(),
    onSubmit: saveEntry,
    onCancel: () => ui.map.resetDraft(),
    onKind: (kind) => ui.map.setDraftKind(kind),
    onPhotos: (files) =>
      offerPhotoPlace(files, (position) => {
        setMode("point");
        ui.map.placeAtPhoto(position);
      }),
  });
  ui.list = createList($("#entry-list"), {
    catalog: ui.catalog,
    onEdit: startEdit,
    onDelete: deleteEntry,
    onRetry: retryEntry,
    onResolve: async (id) => ui.conflict.open(await db.get("entries", id)),
    moderationOf,
    onResubmit: resubmitEntry,
  });
  ui.team = createTeamView($("#team-list"), {
    catalog: ui.catalog,
    stateBox: $("#team-state"),
    onChange: queueRender,
  });
  ui.conflict = createConflictDialog($("#conflict-dialog"), {
    catalog: ui.catalog,
    onKeepMine: (id) => resolve(id, keepMine),
    onTakeTheirs: (id) => resolve(id, takeTheirs),
  });
  for (const input of document.querySelectorAll('input[name="geom-mode"]')) {
    input.addEventListener("change", () => setMode(input.value));
  }
  $("#use-position").addEventListener("click", () => {
    if (!ui.map.placeAtPosition()) $("#geo-readout").textContent = t("map.no_fix");
  });
  $("#use-centre").addEventListener("click", () => ui.map.placeAtCentre());
  $("#undo-vertex").addEventListener("click", () => ui.map.undo());
  ui.trackbar = createTrackBar({
    tracker,
    map: ui.map,
    walkId: () => ui.walk.id,
    onStopped: (record) => {
      if (record && record.points.length < 2) toast(t("track.too_short"));
      sync.run({ force: true });
    },
    onChange: queueRender,
  });
  $("#change-walk").addEventListener("click", showSetup);
  ui.walkEnd = createWalkEnd({
    tracker,
    walk: () => ui.walk,
    onEnded: (walk) => {
      ui.walk = walk;
      queueRender();
      sync.run({ force: true });
    },
  });
  $("#sync-now").addEventListener("click", () => {
    sync.run({ force: true });
    ui.team.refresh(ui.walk.id, { force: true });
  });
  $("#tab-form").addEventListener("click", () => showTab("form"));
  $("#tab-list").addEventListener("click", () => showTab("list"));
  watchPosition();
}

function watchPosition() {
  if (!navigator.geolocation) return;
  navigator.geolocation.watchPosition(
    (p) => {
      const { latitude: lat, longitude: lon, accuracy } = p.coords;
      ui.map.setPosition({ lat, lon, accuracy });
    },
    (error) => {
      if (error.code === error.PERMISSION_DENIED) $("#geo-readout").textContent = t("map.denied");
    },
    { enableHighAccuracy: true, maximumAge: 10000, timeout: 60000 },
  );
}

function setMode(mode) {
  ui.map.setMode(mode);
  for (const input of document.querySelectorAll('input[name="geom-mode"]')) {
    input.checked = input.value === mode;
  }
  $("#undo-vertex").hidden = mode === "point";
  // In a line or an area the GPS position is a vertex only when asked for, by this button.
  $("#use-position").textContent = t(mode === "point" ? "map.here" : "map.here_vertex");
}

function showReadout(draft) {
  const box = $("#geo-readout");
  if (!draft.geometry && draft.mode === "point") {
    box.textContent = ui.map?.hasPosition() ? "" : t("map.no_fix");
  } else if (draft.mode !== "point") {
    box.textContent = t(`map.vertices_${draft.mode}`, { n: draft.vertices });
  } else {
    const [lon, lat] = draft.geometry.coordinates;
    const acc = draft.accuracy_m === null ? "" : ` ±${Math.round(draft.accuracy_m)} m`;
    const source = t(`map.source_${draft.source || "hand"}`, { acc });
    box.textContent = `${lat.toFixed(6)}, ${lon.toFixed(6)} · ${source}`;
  }
  box.dataset.lon = draft.geometry?.type === "Point" ? draft.geometry.coordinates[0] : "";
  box.dataset.lat = draft.geometry?.type === "Point" ? draft.geometry.coordinates[1] : "";
  box.dataset.vertices = String(draft.vertices);
  const problem = $("#shape-problem");
  problem.hidden = !draft.problem;
  problem.textContent = draft.problem ? t(`map.${draft.problem}`) : "";
}

function showTab(name) {
  $("#tab-form").setAttribute("aria-selected", String(name === "form"));
  $("#tab-list").setAttribute("aria-selected", String(name === "list"));
  $("#entry-form").hidden = name !== "form";
  $("#list-panel").hidden = name !== "list";
}

// --- entries ---------------------------------------------------------------------------------

async function saveEntry({ entry, fields, files, removed }) {
  let record;
  if (entry) {
    record = editEntry(await db.get("entries", entry.id), fields);
    for (const id of removed) await removePhoto(record, id);
  } else {
    record = newEntry({ walkthroughId: ui.walk.id, quarter: ui.walk.quarter }, fields);
  }
  // Entry and photo blobs land in IndexedDB together, before any request is made.
  await db.saveEntry(record, files.map((file) => newPhoto(record.id, file)));
  // Stored. Nothing below may make the form claim otherwise.
  toast(t(entry ? "form.updated" : navigator.onLine ? "form.saved_online" : "form.saved"));
  ui.form.reset();
  setMode("point");
  ui.map.resetDraft();
  queueRender();
  sync.run({ force: true });
}

/** A photo that may be on the server is deleted there first; one that never left, here. */
async function removePhoto(entry, id) {
  const photo = await db.get("photos", id);
  if (!photo) return;
  const maybeUploaded = photo.serverId || (entry.serverVersion !== null && photo.attempts > 0);
  if (!maybeUploaded) return db.remove("photos", id);
  await db.update("photos", id, (r) =>
    Object.assign(r, { deleted: true, state: "waiting", error: null, nextTryAt: 0 }),
  );
}

async function startEdit(id) {
  const entry = await db.get("entries", id);
  if (!entry) return;
  const photos = await db.all("photos", "entryId", id);
  ui.form.edit(entry, photos);
  setMode(ui.map.resetDraft(entry.geometry, entry.accuracy_m));
  ui.map.setDraftKind(entry.kind);
  showTab("form");
  $("#entry-form").scrollIntoView({ block: "start" });
}

async function deleteEntry(id) {
  const entry = await db.get("entries", id);
  if (!entry) return;
  if (entry.serverVersion === null && !entry.attempts) {
    await db.removeEntry(id); // never left the phone
  } else {
    await db.update("entries", id, (r) =>
      Object.assign(r, { deleted: true, state: "waiting", error: null, nextTryAt: 0 }),
    );
    sync.run({ force: true });
  }
  if (ui.form.editingId() === id) ui.form.reset();
  queueRender();
}

async function retryEntry(id) {
  for (const photo of await db.all("photos", "entryId", id)) {
    if (photo.state === "refused") await sync.retry("photos", photo.id);
  }
  await sync.retry("entries", id);
}

async function resubmitEntry(id) {
  try {
    await resubmit(id);
    toast(t("mod.resent"));
  } catch (error) {
    toast(serverMessage(error.body) || String(error.message || error));
  }
  refreshAndRender(true);
}

/** Ask the server for the planners' decisions on the entries it has; render if any changed. */
async function refreshAndRender(force = false) {
  if (!ui.walk) return;
  const entries = await db.all("entries", "walkthroughId", ui.walk.id);
  const ids = entries.filter((e) => e.serverVersion !== null && !e.deleted).map((e) => e.id);
  if (await refreshModeration(ids, { force })) queueRender();
}

async function resolve(id, choose) {
  await db.update("entries", id, (r) => (r && r.serverCopy ? choose(r) : r));
  queueRender();
  sync.run({ force: true });
}

// --- rendering -------------------------------------------------------------------------------

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

async function render() {
  const online = showNet();
  if (!ui.walk || !ui.list) return;
  const entries = await db.all("entries", "walkthroughId", ui.walk.id);
  const photos = await db.all("photos");
  const byEntry = new Map();
  for (const photo of photos) {
    if (!byEntry.has(photo.entryId)) byEntry.set(photo.entryId, []);
    byEntry.get(photo.entryId).push(photo);
  }
  const counts = ui.list.render(entries, byEntry);
  const team = ui.team.render(new Set(entries.map((e) => e.id)));
  ui.team.refresh(ui.walk.id); // at most every 30 s
  $("#list-count").textContent = `(${entries.length + team.length})`;
  const summary = $("#sync-summary");
  const text = t("sync.summary", counts);
  summary.textContent = online ? text : `${text} · ${t("sync.offline")}`;
  Object.assign(summary.dataset, counts);
  ui.map.showEntries(entries);
  ui.map.showTeam(team);
  ui.walk = (await db.get("walkthroughs", ui.walk.id)) || ui.walk;
  ui.walkEnd.render(ui.walk);
  ui.trackbar.render(await tracker.load(ui.walk.id));
  if (online) refreshAndRender();
}

function showNet() {
  const online = navigator.onLine && sync.reachable() !== false;
  const box = $("#net-state");
  box.textContent = t(online ? "net.online" : "net.offline");
  box.classList.toggle("offline", !online);
  return online;
}

// --- start-up --------------------------------------------------------------------------------

function relabel() {
  applyI18n();
  const other = lang() === "de" ? "en" : "de";
  const button = $("#lang-switch");
  button.textContent = t("lang.other");
  button.setAttribute("lang", other);
  button.setAttribute("aria-label", t("lang.label"));
  ui.form?.relabel();
  if (!$("#view-setup").hidden) setup.show();
  queueRender();
}

async function start() {
  relabel();
  $("#lang-switch").addEventListener("click", () => {
    setLang(lang() === "de" ? "en" : "de");
    relabel();
  });
  $("#auth-signin").addEventListener("click", () => {
    token.clear();
    showView("signin");
  });
  addEventListener("online", queueRender);
  addEventListener("offline", queueRender);
  registerWorker(config.base);
  db.askPersistence();
  ui.catalog = await getCached(`${config.base}/catalog.json`, db, "catalog");
  if (!token.get()) return showView("signin");
  await resumeOrSetup();
  sync.run({ force: true });
  setInterval(() => refreshAndRender(true), 30000);
}

async function resumeOrSetup() {
  const current = await db.getSetting("current");
  const walk = current && (await db.get("walkthroughs", current.walkId));
  if (walk && current.quarter) await openWalkthrough(walk, current.quarter);
  else showSetup();
}

window.karte = { sync, db, config }; // for debugging on a phone and for the browser tests
start().catch((error) => {
  console.error(error);
  $("#signin-error").textContent = String(error.message || error);
});
