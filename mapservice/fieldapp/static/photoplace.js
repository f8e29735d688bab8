// A photo taken elsewhere (or earlier) may carry its own GPS position in EXIF. The server
// reads it without storing anything (POST /api/photos/position); we offer it as a button,
// never apply it silently, and say that the stored photo keeps no location. Offline there is
// simply no offer.

import { request } from "./api.js";
import { t } from "./i18n.js";

export async function offerPhotoPlace(files, onPlace) {
  const button = document.querySelector("#photo-place");
  const note = document.querySelector("#photo-place-note");
  if (!navigator.onLine) return;
  const form = new FormData();
  form.append("file", files[0], files[0].name || "foto.jpg");
  let position = null;
  try {
    const { body } = await request("POST", "/api/photos/position", { form, timeout: 20000 });
    position = body?.exif_position;
  } catch {
    return; // unreadable or offline after all: the photo is still attached
  }
  if (!position) return;
  const acc = position.accuracy_m;
  button.textContent = t(acc == null ? "form.photo_place" : "form.photo_place_acc", {
    acc: Math.round(acc ?? 0),
  });
  button.onclick = () => {
    onPlace(position);
    button.hidden = true;
  };
  button.hidden = false;
  note.hidden = false;
}
