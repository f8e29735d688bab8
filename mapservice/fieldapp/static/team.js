// The team's view of one walkthrough: entries logged on other phones, read from the server.
//
// A team walks together with several phones; each phone keeps only its own entries in
// IndexedDB, so without this a second phone would show "Einträge (0)". These entries are
// read-only here (only their author's phone edits them). The last answer is kept on the phone,
// so the list still shows what was known when the network is gone.

import { request } from "./api.js";
import * as db from "./db.js";
import { fmtDate, fmtDateTime, label, t } from "./i18n.js";

const REFRESH_MS = 30000;

export function createTeamView(element, { catalog, stateBox, onChange = () => {} }) {
  let walkId = null;
  let shown = { items: [], at: null, offline: false };
  let loading = null;
  let lastLoad = 0;

  /** Load the walkthrough's entries (at most every 30 s unless forced); keep the last copy. */
  async function refresh(id, { force = false } = {}) {
    if (id !== walkId) {
      walkId = id;
      shown = { items: [], at: null };
      shown = (await db.getSetting(`team:${id}`)) || shown;
      lastLoad = 0;
    }
    if (loading || (!force && Date.now() - lastLoad < REFRESH_MS)) return loading;
    lastLoad = Date.now();
    loading = (async () => {
      try {
        const path = `/api/observations?walkthrough=${encodeURIComponent(id)}&limit=1000`;
        const { body } = await request("GET", path);
        shown = { items: body.items || [], at: new Date().toISOString(), offline: false };
        await db.setSetting(`team:${id}`, shown);
      } catch {
        shown = { ...shown, offline: true };
      } finally {
        loading = null;
      }
      if (id === walkId) onChange();
    })();
    return loading;
  }

  /** The entries of others: the server's list without those this phone holds itself. */
  function others(localIds) {
    return shown.items.filter((item) => !localIds.has(item.id));
  }

  function render(localIds) {
    const items = others(localIds);
    element.innerHTML = "";
    const time = shown.at ? fmtDateTime(shown.at) : "–";
    stateBox.textContent = shown.offline
      ? t("team.offline", { time })
      : items.length
        ? t("team.count", { n: items.length, time })
        : t("team.empty");
    for (const item of items) element.append(row(item));
    return items;
  }

  function row(item) {
    const kind = catalog.kinds.find((k) => k.id === item.kind);
    const layer = catalog.layers.find((l) => l.id === item.layer);
    const li = document.createElement("li");
    li.className = "entry team-entry";
    li.dataset.id = item.id;
    const body = document.createElement("div");
    body.className = "entry-body";
    const title = document.createElement("strong");
    title.className = "entry-title";
    title.textContent = item.title;
    const meta = document.createElement("span");
    meta.className = "entry-meta";
    const parts = [label(kind) || item.kind, label(layer, "title") || item.layer];
    meta.textContent = `${parts.join(" · ")} · ${fmtDate(item.observed_at)}`;
    const who = document.createElement("span");
    who.className = "badge badge-team";
    const status = t(`status.${item.status}`);
    who.textContent = `${status} · ${t("team.readonly", { who: item.author || t("team.someone") })}`;
    body.append(title, meta, who);
    li.append(body);
    return li;
  }

  return { refresh, render, others };
}
