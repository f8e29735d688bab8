// The track controls under the map: one toggle (start/stop) and the state in words.
// Recording itself lives in track.js; this module only shows it and forwards the taps.

import { fmtMetres, serverMessage, t } from "./i18n.js";
import { trackLength } from "./track.js";

export function createTrackBar({ tracker, map, walkId, onStopped, onChange }) {
  const button = document.querySelector("#track-toggle");
  const box = document.querySelector("#track-state");

  button.addEventListener("click", async () => {
    if (tracker.isRecording()) onStopped(await tracker.stop());
    else await tracker.start(walkId());
    onChange();
  });

  function render(record) {
    const recording = tracker.isRecording();
    button.textContent = t(recording ? "track.stop" : "track.start");
    button.setAttribute("aria-pressed", String(recording));
    button.classList.toggle("recording", recording);
    const points = record?.points || [];
    map.showTrack(points);
    const params = { n: points.length, m: fmtMetres(trackLength(points)) };
    const state = recording ? "recording" : record?.state || "idle";
    box.dataset.state = state;
    if (state === "refused") {
      box.textContent = t("track.refused", { msg: serverMessage(record.error) });
    } else if (["recording", "waiting", "sent"].includes(state)) {
      box.textContent = t(`track.${state}`, params);
    } else {
      box.textContent = "";
    }
  }

  return { render };
}
