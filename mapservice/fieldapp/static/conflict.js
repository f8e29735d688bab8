// A version conflict (409): someone changed the entry on the server after this phone last
// synced it. Both versions are shown field by field and the user picks — nothing is
// overwritten silently, in either direction (QFieldCloud #429 in PEERS.md).

import { label, t } from "./i18n.js";
import { FIELDS, pick, roundGeometry } from "./model.js";

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
    const rows = dialog.querySelector("#conflict-rows");
    rows.innerHTML = "";
    for (const name of SHOWN) {
      const a = text(name, mine[name]);
      const b = text(name, theirs[name]);
      const tr = document.createElement("tr");
      if (a !== b) tr.className = "differs";
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

/** "Keep mine": my fields go out again, against the server's current version. */
export function keepMine(entry) {
  const server = entry.serverCopy;
  entry.serverVersion = server.version;
  entry.base = pick(server);
  entry.serverCopy = null;
  entry.state = "waiting";
  entry.rev = Math.max(entry.rev, entry.sentRev + 1);
  entry.error = null;
  entry.attempts = 0;
  entry.nextTryAt = 0;
  return entry;
}

/** "Take the server's": the local copy becomes the server's version; nothing to send. */
export function takeTheirs(entry) {
  const server = entry.serverCopy;
  for (const name of FIELDS) if (name in server) entry[name] = server[name];
  entry.serverVersion = server.version;
  entry.base = pick(server);
  entry.serverCopy = null;
  entry.sentRev = entry.rev;
  entry.state = "sent";
  entry.error = null;
  return entry;
}
