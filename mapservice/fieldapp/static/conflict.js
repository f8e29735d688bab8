// A version conflict (409): someone changed the entry on the server after this phone last
// synced it. Both versions are shown field by field and the user picks — nothing is
// overwritten silently, in either direction (QFieldCloud #429 in PEERS.md).

import { label, t } from "./i18n.js";
import { mergeFields, pick, roundGeometry, sameContent } from "./model.js";

const SHOWN = ["kind", "layer", "rating", "title", "description", "geometry"];

export function createConflictDialog(dialog, { catalog, onKeepMine, onTakeTheirs }) {
  let current = null;

  function text(name, value) {
    if (value === null || value === undefined || value === "") return "–";
    if (name === "kind") return label(catalog.kinds.find((k) => k.id === value)) || value;
    if (name === "layer") {
      return label(catalog.layers.find((l) => l.id === value), "title") || value;
    }
    if (name === "rating") return value > 0 ? `+${value}` : String(value);
    if (name === "geometry") {
      const g = roundGeometry(value, 5);
      const first = g.type === "Point" ? g.coordinates : g.coordinates.flat(2).slice(0, 2);
      return `${g.type} ${first[1]}, ${first[0]}`;
    }
    return String(value);
  }

  function open(entry) {
    current = entry;
    const mine = pick(entry);
    const theirs = pick(entry.serverCopy || {});
    const both = new Set(mergeFields(entry.base, entry, entry.serverCopy || {}).conflicts);
    const rows = dialog.querySelector("#conflict-rows");
    rows.innerHTML = "";
    for (const name of SHOWN) {
      const a = text(name, mine[name]);
      const b = text(name, theirs[name]);
      const tr = document.createElement("tr");
      // Only fields both sides changed are the user's choice; the rest is merged already.
      if (both.has(name)) tr.className = "differs";
      else if (a !== b) tr.className = "merged";
      for (const [tag, value] of [["th", t(`field.${name}`)], ["td", a], ["td", b]]) {
        const cell = document.createElement(tag);
        if (tag === "th") cell.scope = "row";
        cell.textContent = value;
        tr.append(cell);
      }
      rows.append(tr);
    }
    dialog.showModal();
  }

  dialog.querySelector("#conflict-mine").addEventListener("click", async () => {
    dialog.close();
    if (current) await onKeepMine(current.id);
  });
  dialog.querySelector("#conflict-theirs").addEventListener("click", async () => {
    dialog.close();
    if (current) await onTakeTheirs(current.id);
  });
  dialog.querySelector("#conflict-close").addEventListener("click", () => dialog.close());

  return { open };
}

/**
 * Settle a conflict: the fields both sides changed take my value (`mine`) or the server's;
 * every other field keeps what the merge chose (the side that changed it). What still differs
 * from the server goes out again against its current version.
 */
function settle(entry, mine) {
  const server = entry.serverCopy;
  const { merged, conflicts } = mergeFields(entry.base, entry, server);
  for (const name of conflicts) merged[name] = mine ? entry[name] : server[name];
  Object.assign(entry, merged);
  entry.serverVersion = server.version;
  entry.base = pick(server);
  entry.serverCopy = null;
  entry.conflicts = [];
  entry.error = null;
  entry.attempts = 0;
  entry.nextTryAt = 0;
  if (sameContent(server, entry)) {
    entry.sentRev = entry.rev;
    entry.state = "sent";
  } else {
    entry.rev = Math.max(entry.rev, entry.sentRev + 1);
    entry.state = "waiting";
  }
  return entry;
}

/** "Keep mine": my values for the fields both sides changed; the rest as merged. */
export function keepMine(entry) {
  return settle(entry, true);
}

/** "Take the server's": the server's values for the fields both sides changed. */
export function takeTheirs(entry) {
  return settle(entry, false);
}
