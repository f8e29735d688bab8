// The list of this walkthrough's entries, each with its sync state in words: wartet /
// gesendet / abgelehnt (with the server's reason) / Konflikt — never a silent failure.
// A refused entry stays here, editable, until it is sent or deleted.

import { glyph } from "./glyphs.js";
import { fmtDate, label, serverMessage, t } from "./i18n.js";
import { displayState } from "./model.js";

const ARM_MS = 5000;

export function createList(
  element,
  { catalog, onEdit, onDelete, onRetry, onResolve, moderationOf = () => null, onResubmit },
) {
  // Entries whose delete button was tapped once; kept here because the list re-renders
  // whenever the sync queue reports progress, and a re-render must not disarm it.
  const armed = new Map();
  function kindOf(entry) {
    return catalog.kinds.find((k) => k.id === entry.kind) || { color: "#555555" };
  }

  function render(entries, photosByEntry) {
    element.innerHTML = "";
    const counts = { waiting: 0, sent: 0, refused: 0, conflict: 0 };
    if (!entries.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = t("list.empty");
      element.append(li);
    }
    const sorted = [...entries].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    for (const entry of sorted) {
      const photos = photosByEntry.get(entry.id) || [];
      const state = displayState(entry, photos);
      if (state === "sent") counts.sent += 1;
      else if (state === "refused") counts.refused += 1;
      else if (state === "conflict") counts.conflict += 1;
      else counts.waiting += 1;
      element.append(item(entry, photos, state));
    }
    return counts;
  }

  function item(entry, photos, state) {
    const kind = kindOf(entry);
    const layer = catalog.layers.find((l) => l.id === entry.layer);
    const li = document.createElement("li");
    li.className = `entry state-${state}`;
    li.dataset.id = entry.id;
    li.innerHTML = `
      <span class="entry-kind" style="background:${kind.color}">${glyph(kind.symbol, 18)}</span>
      <div class="entry-body">
        <strong class="entry-title"></strong>
        <span class="entry-meta"></span>
        <span class="badge badge-${state}"></span>
        <span class="badge badge-mod" hidden></span>
        <p class="entry-note"></p>
        <span class="entry-photos"></span>
        <p class="entry-error" role="alert"></p>
        <div class="entry-actions"></div>
      </div>`;
    li.querySelector(".entry-title").textContent = entry.title;
    li.querySelector(".entry-meta").textContent =
      `${label(kind)} · ${label(layer, "title") || entry.layer} · ${fmtDate(entry.observed_at)}`;
    li.querySelector(".badge").textContent = t(`state.${state}`);
    const kept = photos.filter((p) => !p.deleted);
    if (kept.length) {
      const sent = kept.filter((p) => p.state === "sent").length;
      const text = t("state.photos", { sent, total: kept.length });
      li.querySelector(".entry-photos").textContent = text;
    }
    const problems = [];
    if (entry.error) {
      problems.push(serverMessage(entry.error) || t("err.status", { status: entry.error.status }));
    }
    for (const photo of photos.filter((p) => p.state === "refused")) {
      problems.push(t("state.photo_refused", { msg: serverMessage(photo.error) }));
    }
    li.querySelector(".entry-error").textContent = problems.join(" ");
    const actions = li.querySelector(".entry-actions");
    const mod = entry.deleted ? null : moderationOf(entry.id);
    if (mod) showModeration(li, mod);
    if (mod && mod.state === "changes_requested") {
      actions.append(button("mod.fix", () => onEdit(entry.id)));
      if (onResubmit && !mod.pending) actions.append(button("mod.resend", () => onResubmit(entry.id)));
    } else if (!entry.deleted) actions.append(button("list.edit", () => onEdit(entry.id)));
    if (state === "refused" || photos.some((p) => p.state === "refused")) {
      actions.append(button("list.resend", () => onRetry(entry.id)));
    }
    if (state === "conflict") actions.append(button("list.resolve", () => onResolve(entry.id)));
    if (!entry.deleted) actions.append(deleteButton(entry.id));
    return li;
  }

  // The planners' decision beside the sync state: a rejected or sent-back entry says why.
  function showModeration(li, mod) {
    const badge = li.querySelector(".badge-mod");
    badge.hidden = false;
    badge.textContent = t(`mod.${mod.state}`);
    badge.classList.add(`badge-mod-${mod.state}`);
    li.dataset.moderation = mod.state;
    const lines = [];
    if (mod.pending) lines.push(t("mod.pending"));
    if (mod.note && mod.note_status !== "review") {
      const when = fmtDate(mod.note_at);
      lines.push(t("mod.note", { who: mod.note_by || "", when, note: mod.note }));
    }
    li.querySelector(".entry-note").textContent = lines.join(" ");
  }

  function button(key, handler) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = t(key);
    b.addEventListener("click", handler);
    return b;
  }

  // Two taps instead of a modal confirm(): it works offline, one-handed and with a screen reader.
  function deleteButton(id) {
    const isArmed = (armed.get(id) || 0) > Date.now();
    const b = button(isArmed ? "list.confirm_delete" : "list.delete", () => {
      if ((armed.get(id) || 0) > Date.now()) {
        armed.delete(id);
        return onDelete(id);
      }
      armed.set(id, Date.now() + ARM_MS);
      b.textContent = t("list.confirm_delete");
      b.classList.add("danger");
    });
    if (isArmed) b.classList.add("danger");
    return b;
  }

  return { render };
}
