// "Begehung beenden": two taps (like deleting, so it works offline and one-handed), then a
// running track is stopped and queued, and ended_at is stored on the phone first; the sync
// queue sends it as soon as the walkthrough is on the server (sync.js, sendWalkEnd).

import * as db from "./db.js";
import { fmtDateTime, serverMessage, t } from "./i18n.js";

const ARM_MS = 5000;

export function createWalkEnd({ tracker, walk, onEnded }) {
  const button = document.querySelector("#end-walk");
  const box = document.querySelector("#walk-ended");
  let armedUntil = 0;

  button.addEventListener("click", async () => {
    if (armedUntil < Date.now()) {
      armedUntil = Date.now() + ARM_MS;
      button.textContent = t("main.end_confirm");
      button.classList.add("danger");
      return;
    }
    armedUntil = 0;
    const current = walk();
    if (tracker.isRecording() && tracker.recordingFor() === current.id) await tracker.stop();
    const endAt = new Date().toISOString();
    const stored = await db.update("walkthroughs", current.id, (r) =>
      r ? Object.assign(r, { endAt, endError: null, nextTryAt: 0 }) : null,
    );
    onEnded(stored || current);
  });

  /** The button, or the end time once ended (or the server's refusal of the end). */
  function render(current) {
    const ended = current?.ended_at || current?.endAt;
    const error = current?.endError;
    if (armedUntil < Date.now()) {
      button.textContent = t("main.end");
      button.classList.remove("danger");
    }
    button.hidden = Boolean(ended);
    box.hidden = !ended && !error;
    box.classList.toggle("error", Boolean(error));
    box.textContent = error
      ? serverMessage(error)
      : ended
        ? t("main.ended", { date: fmtDateTime(ended) })
        : "";
  }

  return { render };
}
