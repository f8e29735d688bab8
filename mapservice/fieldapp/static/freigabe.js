// The planners' decision on the team's own entries (GET /api/review/mine): published /
// changes requested / rejected, with the planner's note. Kept in memory and refreshed from
// the server after renders (at most every few seconds) and every 30 s while the app is open;
// offline the last answer stays shown.

import { request } from "./api.js";

const REFRESH_MS = 3000;
const states = new Map();
let last = 0;
let running = null;

/** The server's moderation record of entry `id`, or null (not sent yet, or not asked yet). */
export function moderationOf(id) {
  return states.get(id) || null;
}

/** Ask the server about `ids`; resolves true when anything changed (then render again). */
export async function refreshModeration(ids, { force = false } = {}) {
  if (!ids.length || running) return false;
  if (!force && Date.now() - last < REFRESH_MS) return false;
  last = Date.now();
  running = (async () => {
    const query = ids.slice(0, 1000).map((id) => `ids=${encodeURIComponent(id)}`).join("&");
    const { body } = await request("GET", `/api/review/mine?${query}`, { timeout: 15000 });
    let changed = false;
    for (const row of body || []) {
      const before = states.get(row.id);
      if (!before || JSON.stringify(before) !== JSON.stringify(row)) changed = true;
      states.set(row.id, row);
    }
    return changed;
  })();
  try {
    return await running;
  } catch {
    return false; // offline or signed out: keep what we knew
  } finally {
    running = null;
  }
}

/** Resubmit an entry with changes requested as it is (a fix goes through the normal edit). */
export async function resubmit(id) {
  await request("POST", `/api/observations/${id}/moderation`, { json: { status: "review" } });
  last = 0;
}
