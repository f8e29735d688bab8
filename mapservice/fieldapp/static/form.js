// The entry form: kind (four big buttons, colour + glyph + word), layer, rating, title, note,
// photos from the camera. It only collects values; app.js stores them (IndexedDB first) and
// the sync queue sends them. Saving is one tap: the place defaults to the GPS position and an
// empty title becomes "Kind · Layer".

import { glyph } from "./glyphs.js";
import { label, t } from "./i18n.js";

const RATINGS = [-2, -1, 0, 1, 2];
const LAST_LAYER = "karte.lastLayer";

export function createForm(form, { catalog, getDraft, onSubmit, onCancel, onKind, onPhotos }) {
  const $ = (selector) => form.querySelector(selector);
  const kindBox = $("#kind-buttons");
  const layerSelect = $("#layer");
  const ratingBox = $("#rating-buttons");
  const photoInput = $("#photos");
  const previews = $("#photo-previews");
  const errorBox = $("#form-error");
  let editing = null; // entry being edited, or null for a new one
  let newFiles = []; // File objects picked in this form session
  let existing = []; // stored photo records of the entry being edited
  let removed = new Set(); // ids of stored, unsent photos the user removed

  function build() {
    const kindChosen = form.elements.kind?.value ?? "";
    kindBox.innerHTML = "";
    for (const kind of catalog.kinds) {
      const item = document.createElement("label");
      item.className = "kind";
      item.style.setProperty("--kind", kind.color);
      item.innerHTML =
        `<input type="radio" name="kind" value="${kind.id}">` +
        `<span class="kind-face">${glyph(kind.symbol, 26)}<span>${label(kind)}</span></span>`;
      kindBox.append(item);
    }
    const chosen = layerSelect.value || localStorage.getItem(LAST_LAYER) || "";
    layerSelect.innerHTML = "";
    const groups = new Map();
    for (const layer of catalog.layers) {
      if (!groups.has(layer.dimension)) {
        const group = document.createElement("optgroup");
        group.label = label(layer, "dimension");
        groups.set(layer.dimension, group);
        layerSelect.append(group);
      }
      groups.get(layer.dimension).append(new Option(label(layer, "title"), layer.id));
    }
    if (catalog.layers.some((l) => l.id === chosen)) layerSelect.value = chosen;
    const rating = form.elements.rating?.value ?? "";
    ratingBox.innerHTML = "";
    for (const value of ["", ...RATINGS]) {
      const text = value === "" ? t("form.rating_none") : value > 0 ? `+${value}` : `${value}`;
      const item = document.createElement("label");
      item.className = "rating-option";
      item.innerHTML = `<input type="radio" name="rating" value="${value}"><span>${text}</span>`;
      ratingBox.append(item);
    }
    setRadio("rating", rating);
    setRadio("kind", kindChosen);
    renderPreviews();
  }

  function setRadio(name, value) {
    for (const input of form.querySelectorAll(`input[name="${name}"]`)) {
      input.checked = input.value === String(value ?? "");
    }
  }

  function renderPreviews() {
    for (const img of previews.querySelectorAll("img")) URL.revokeObjectURL(img.src);
    previews.innerHTML = "";
    const items = [
      ...existing
        .filter((p) => !removed.has(p.id) && !p.deleted)
        .map((p) => ({ photo: p, blob: p.blob })),
      ...newFiles.map((file, index) => ({ index, blob: file })),
    ];
    for (const item of items) {
      const li = document.createElement("li");
      const img = document.createElement("img");
      img.alt = item.blob.name || "Foto";
      img.src = URL.createObjectURL(item.blob);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "remove-photo";
      button.textContent = "×";
      button.setAttribute("aria-label", t("form.remove_photo"));
      button.addEventListener("click", () => {
        if (item.photo) removed.add(item.photo.id);
        else newFiles.splice(item.index, 1);
        renderPreviews();
      });
      li.append(img, button);
      previews.append(li);
    }
  }

  photoInput.addEventListener("change", () => {
    const picked = [...photoInput.files];
    newFiles.push(...picked);
    photoInput.value = ""; // the same photo can be picked again after removing it
    renderPreviews();
    if (picked.length) onPhotos?.(picked);
  });

  kindBox.addEventListener("change", () => onKind?.(form.elements.kind.value));

  function values() {
    const kind = form.elements.kind.value;
    const layer = catalog.layers.find((l) => l.id === layerSelect.value);
    const draft = getDraft();
    if (!kind) return fail("form.need_kind");
    if (!layer) return fail("form.need_layer");
    if (!draft.geometry) {
      if (draft.mode === "line") return fail("form.need_line");
      if (draft.mode === "area") return fail("form.need_area");
      return fail("form.need_place");
    }
    if (draft.problem) return fail(`map.${draft.problem}`);
    if (!layer.geometry_types.includes(draft.geometry.type)) {
      const type = t(`geom.${draft.geometry.type}`);
      return fail("form.type_not_allowed", { layer: label(layer, "title"), type });
    }
    const rating = form.elements.rating.value;
    const kindInfo = catalog.kinds.find((k) => k.id === kind);
    const title = $("#title").value.trim() || `${label(kindInfo)} · ${label(layer, "title")}`;
    return {
      kind,
      layer: layer.id,
      rating: rating === "" ? null : Number(rating),
      title: title.slice(0, 200),
      description: $("#note").value.trim(),
      geometry: draft.geometry,
      accuracy_m: draft.accuracy_m,
    };
  }

  function fail(key, params) {
    errorBox.textContent = t(key, params);
    errorBox.scrollIntoView({ block: "nearest" });
    return null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.textContent = "";
    const fields = values();
    if (!fields) return;
    localStorage.setItem(LAST_LAYER, fields.layer);
    const saveButton = $("#save");
    saveButton.disabled = true;
    try {
      await onSubmit({ entry: editing, fields, files: [...newFiles], removed: [...removed] });
    } catch (error) {
      // Storage full or blocked: say so — the entry is NOT saved and must not look saved.
      console.error(error);
      errorBox.textContent = t("form.store_failed", { msg: error?.message || String(error) });
    } finally {
      saveButton.disabled = false;
    }
  });

  $("#cancel-edit").addEventListener("click", () => {
    reset();
    onCancel?.();
  });

  /** Empty form for the next entry (the layer stays: teams log several in a row). */
  function reset() {
    editing = null;
    newFiles = [];
    existing = [];
    removed = new Set();
    setRadio("kind", "");
    setRadio("rating", "");
    $("#title").value = "";
    $("#note").value = "";
    errorBox.textContent = "";
    $("#form-heading").textContent = t("form.new");
    $("#save").textContent = t("form.save");
    $("#cancel-edit").hidden = true;
    $("#photo-place").hidden = true;
    document.querySelector("#photo-place-note").hidden = true;
    renderPreviews();
  }

  /** Fill the form with a stored entry and its photos. */
  function edit(entry, photos) {
    reset();
    editing = entry;
    existing = photos;
    setRadio("kind", entry.kind);
    setRadio("rating", entry.rating ?? "");
    layerSelect.value = entry.layer;
    $("#title").value = entry.title || "";
    $("#note").value = entry.description || "";
    $("#form-heading").textContent = t("form.edit");
    $("#save").textContent = t("form.save_edit");
    $("#cancel-edit").hidden = false;
    renderPreviews();
  }

  function relabel() {
    build();
    $("#form-heading").textContent = t(editing ? "form.edit" : "form.new");
    $("#save").textContent = t(editing ? "form.save_edit" : "form.save");
  }

  build();
  reset();
  return { reset, edit, relabel, editingId: () => editing?.id ?? null };
}
