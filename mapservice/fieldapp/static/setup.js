// Sign-in with a field token, then: which quarter, which walkthrough (or a new one).
//
// A new walkthrough is created on the phone (its own UUID) and queued like an entry, so a team
// can start a walk in a dead zone; its entries wait in the queue until it has reached the
// server. Quarters and the server's walkthroughs are kept in IndexedDB for offline starts.

import { ApiError, getCached, request, token } from "./api.js";
import * as db from "./db.js";
import { fmtDate, fmtDateTime, serverMessage, t } from "./i18n.js";
import { displayState, newWalkthrough } from "./model.js";

export function createSetup({ onSignedIn, onChosen, onRequeue }) {
  const $ = (selector) => document.querySelector(selector);
  const quarterSelect = $("#quarter-select");
  let quarters = [];
  let signoutArmed = false;

  $("#signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const errorBox = $("#signin-error");
    errorBox.textContent = "";
    const value = $("#token").value.trim();
    if (!value) return;
    token.set(value);
    try {
      // Any authenticated read tells a valid token from a wrong one (401 token_invalid).
      await request("GET", "/api/observations?limit=1");
    } catch (error) {
      token.clear();
      errorBox.textContent =
        error instanceof ApiError && error.kind !== "network"
          ? serverMessage(error.body) || t("err.status", { status: error.status })
          : t("signin.offline");
      return;
    }
    $("#token").value = "";
    onSignedIn();
  });

  /** Fill the quarter list (network, else the last copy) and pre-select the last one. */
  async function show() {
    signoutArmed = false;
    $("#signout-warning").textContent = "";
    setDefaults();
    try {
      const collection = await getCached("/api/quarters", db, "quarters");
      quarters = collection.features || [];
    } catch {
      quarters = [];
    }
    quarterSelect.innerHTML = "";
    for (const feature of quarters) {
      const p = feature.properties;
      quarterSelect.append(new Option(p.city ? `${p.name} (${p.city})` : p.name, p.slug));
    }
    if (!quarters.length) {
      $("#walk-empty").hidden = false;
      $("#walk-empty").textContent = t("setup.no_quarters");
      return;
    }
    const last = await db.getSetting("quarter");
    if (quarters.some((q) => q.properties.slug === last)) quarterSelect.value = last;
    await showWalkthroughs();
  }

  function setDefaults() {
    const now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    const start = $("#walk-start");
    if (!start.value) start.value = now.toISOString().slice(0, 16);
    const title = $("#walk-title");
    if (!title.value) title.value = t("walk.default_title", { date: fmtDate(new Date()) });
  }

  /** Calls of showWalkthroughs so far: a call for a quarter that is no longer selected (the
   * user picked another while the list loaded) must not draw its list over the newer one. */
  let walkListCalls = 0;

  async function showWalkthroughs() {
    const call = ++walkListCalls;
    const slug = quarterSelect.value;
    await db.setSetting("quarter", slug);
    try {
      const path = `/api/walkthroughs?quarter=${encodeURIComponent(slug)}`;
      const { body } = await request("GET", path);
      for (const walk of body) {
        await db.update("walkthroughs", walk.id, (stored) =>
          stored && stored.state !== "sent"
            ? stored
            : { ...walk, origin: stored?.origin || "server", state: "sent", error: null },
        );
      }
    } catch {
      // offline: the walkthroughs stored on the phone are listed below
    }
    const walks = await db.all("walkthroughs", "quarter", slug);
    if (call !== walkListCalls) return; // a newer call draws the list
    walks.sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
    const list = $("#walk-list");
    list.innerHTML = "";
    $("#walk-empty").textContent = t("setup.none");
    $("#walk-empty").hidden = walks.length > 0;
    for (const walk of walks) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      const local = walk.state !== "sent" ? ` · ${t("setup.local")}` : "";
      // Time of day and team as well: two walks of one day with one title stay apart.
      const team = walk.team ? ` · ${walk.team}` : "";
      const ended = walk.ended_at ? ` · ${t("setup.ended")}` : "";
      button.textContent = `${walk.title} · ${fmtDateTime(walk.started_at)}${team}${ended}${local}`;
      button.addEventListener("click", () => onChosen(walk, currentQuarter()));
      li.append(button);
      if (walk.state === "refused") {
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = serverMessage(walk.error);
        li.append(p);
      }
      list.append(li);
    }
  }

  function currentQuarter() {
    return quarters.find((q) => q.properties.slug === quarterSelect.value) || null;
  }

  quarterSelect.addEventListener("change", showWalkthroughs);

  $("#walk-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const quarter = currentQuarter();
    if (!quarter) return;
    const count = (name) => Math.max(0, Number.parseInt(form.elements[name].value, 10) || 0);
    const walk = newWalkthrough({
      quarter: quarter.properties.slug,
      title:
        form.elements.title.value.trim() ||
        t("walk.default_title", { date: fmtDate(Date.now()) }),
      started_at: new Date(form.elements.started_at.value || Date.now()).toISOString(),
      team: form.elements.team.value.trim(),
      residents: count("residents"),
      multipliers: count("multipliers"),
      experts: count("experts"),
      administration: count("administration"),
    });
    await db.put("walkthroughs", walk);
    form.reset();
    onRequeue();
    onChosen(walk, quarter);
  });

  // Signing out keeps everything on the phone; it only warns that unsent entries wait.
  $("#signout").addEventListener("click", async () => {
    const entries = await db.all("entries");
    const photos = await db.all("photos");
    const unsent = entries.filter((e) => {
      const own = photos.filter((p) => p.entryId === e.id);
      return displayState(e, own) !== "sent";
    }).length;
    if (unsent && !signoutArmed) {
      signoutArmed = true;
      $("#signout-warning").textContent = t("signin.unsent", { n: unsent });
      return;
    }
    token.clear();
    await db.setSetting("current", null);
    location.reload();
  });

  return { show, quarterBySlug: (slug) => quarters.find((q) => q.properties.slug === slug) };
}
