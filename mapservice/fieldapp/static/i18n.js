// All words of the field app, German first, English second — one place, so a translation
// or a wording fix never means hunting through the other modules. Kind and layer names come
// from the layer catalogue (catalog.json), in both languages as well.

const STRINGS = {
  de: {
    "app.title": "Erfassen",
    "app.update": "Eine neue Version ist da.",
    "app.reload": "Neu laden",
    "net.online": "online",
    "net.offline": "offline",
    "lang.other": "EN",
    "lang.label": "Switch to English",
    "signin.heading": "Anmelden",
    "signin.intro": "Mit dem Feld-Token der Projektleitung. Es bleibt nur auf diesem Gerät.",
    "signin.token": "Feld-Token",
    "signin.submit": "Anmelden",
    "signin.again": "Neu anmelden",
    "signin.signout": "Abmelden",
    "signin.offline": "Keine Verbindung: Die erste Anmeldung braucht einmal Netz.",
    "signin.unsent":
      "{n} Einträge sind noch nicht gesendet. Sie bleiben auf dem Gerät und werden nach " +
      "der nächsten Anmeldung gesendet. Nochmals tippen, um trotzdem abzumelden.",
    "setup.heading": "Quartier und Begehung",
    "setup.quarter": "Quartier",
    "setup.walkthrough": "Begehung wählen",
    "setup.none": "Noch keine Begehung in diesem Quartier.",
    "setup.new": "Neue Begehung anlegen",
    "setup.no_quarters": "Quartiere konnten nicht geladen werden. Bitte einmal mit Netz öffnen.",
    "setup.local": "nur auf dem Gerät",
    "setup.ended": "beendet",
    "walk.title": "Titel der Begehung",
    "walk.start": "Datum und Uhrzeit",
    "walk.team": "Team",
    "walk.participants": "Beteiligte (Anzahl)",
    "walk.residents": "Bewohner*innen",
    "walk.multipliers": "Multiplikator*innen",
    "walk.experts": "Expert*innen",
    "walk.administration": "Verwaltung",
    "walk.create": "Begehung starten",
    "walk.default_title": "Begehung {date}",
    "main.change": "Wechseln",
    "main.end": "Begehung beenden",
    "main.end_confirm": "Wirklich beenden?",
    "main.ended": "Begehung beendet am {date}. Einträge lassen sich weiter nachtragen.",
    "map.here_vertex": "Ecke an meiner Position",
    "map.vertices_area": "{n} Ecken gesetzt – auf die Karte tippen für die nächste Ecke",
    "map.vertices_line": "{n} Punkte gesetzt – auf die Karte tippen für den nächsten Punkt",
    "map.self_intersection":
      "Die Fläche überschneidet sich selbst (rot markiert). Ecken der Reihe nach entlang " +
      "des Umrisses setzen: „Letzten Punkt entfernen“ und die Ecke neu setzen.",
    "form.photo_place_note":
      "Nur der Ort wird übernommen: Das gespeicherte Foto enthält keine Standortdaten mehr.",
    "team.heading": "Einträge anderer im Team",
    "team.empty": "Noch keine Einträge anderer Geräte in dieser Begehung.",
    "team.count": "{n} Einträge von anderen Geräten (nur lesen) · Stand {time}",
    "team.offline": "Offline – Stand {time}",
    "team.readonly": "von {who} · nur lesen",
    "team.someone": "einem anderen Gerät",
    "status.review": "in Prüfung",
    "status.published": "veröffentlicht",
    "status.changes_requested": "Änderung erbeten",
    "status.rejected": "abgelehnt",
    "status.draft": "Entwurf",
    "map.label": "Karte. Tippen setzt den Ort der Beobachtung.",
    "map.mode": "Geometrie",
    "map.point": "Punkt",
    "map.line": "Linie",
    "map.area": "Fläche",
    "map.here": "An meine Position",
    "map.centre": "Kartenmitte",
    "map.undo": "Letzten Punkt entfernen",
    "map.no_fix": "Noch keine GPS-Position – Ort durch Tippen auf die Karte setzen.",
    "map.denied": "Standort nicht freigegeben – Ort durch Tippen auf die Karte setzen.",
    "map.source_gps": "GPS{acc}",
    "map.source_hand": "auf der Karte gesetzt",
    "map.source_photo": "aus dem Foto{acc}",
    "map.source_stored": "gespeicherter Ort",
    "map.vertices": "{n} Punkte gesetzt",
    "map.you": "Ihre Position (±{acc} m)",
    "track.start": "Track aufzeichnen",
    "track.stop": "Aufzeichnung beenden",
    "track.recording": "Aufzeichnung läuft: {n} Punkte, {m} m",
    "track.waiting": "Track {m} m ({n} Punkte) – wartet auf Senden",
    "track.sent": "Track gesendet: {m} m ({n} Punkte)",
    "track.refused": "Track abgelehnt: {msg}",
    "track.too_short": "Zu wenige Punkte für einen Track.",
    "tabs.form": "Erfassen",
    "tabs.list": "Einträge",
    "form.new": "Neue Beobachtung",
    "form.edit": "Beobachtung bearbeiten",
    "form.kind": "Art",
    "form.layer": "Themenebene",
    "form.rating": "Bewertung",
    "form.rating_none": "keine",
    "form.title": "Titel",
    "form.title_hint": "leer lassen = Art · Ebene",
    "form.note": "Notiz",
    "form.photos": "Fotos aufnehmen",
    "form.remove_photo": "Foto entfernen",
    "form.photo_place": "Ort aus dem Foto übernehmen",
    "form.photo_place_acc": "Ort aus dem Foto übernehmen (±{acc} m)",
    "form.save": "Speichern",
    "form.save_edit": "Änderungen speichern",
    "form.cancel": "Abbrechen",
    "form.need_kind": "Bitte die Art wählen.",
    "form.need_layer": "Bitte die Themenebene wählen.",
    "form.need_place": "Bitte den Ort setzen: auf die Karte tippen oder „An meine Position“.",
    "form.need_line": "Eine Linie braucht mindestens 2 Punkte.",
    "form.need_area": "Eine Fläche braucht mindestens 3 Punkte.",
    "form.type_not_allowed": "Die Ebene „{layer}“ nimmt keine {type} auf.",
    "form.saved": "Gespeichert. Wird gesendet, sobald Netz da ist.",
    "form.saved_online": "Gespeichert.",
    "form.updated": "Änderung gespeichert.",
    "form.store_failed":
      "Nicht gespeichert – der Speicher des Geräts hat abgelehnt ({msg}). Bitte Platz " +
      "schaffen oder Fotos entfernen und erneut speichern.",
    "state.waiting": "wartet",
    "state.sent": "gesendet",
    "state.refused": "abgelehnt",
    "state.conflict": "Konflikt",
    "state.deleting": "wird gelöscht",
    "state.photos": "Fotos {sent}/{total} gesendet",
    "state.photo_refused": "Foto abgelehnt: {msg}",
    "list.edit": "Bearbeiten",
    "list.delete": "Löschen",
    "list.confirm_delete": "Wirklich löschen?",
    "list.resend": "Erneut senden",
    "list.resolve": "Konflikt lösen",
    "mod.review": "Freigabe: in Prüfung",
    "mod.changes_requested": "Freigabe: Änderung erbeten",
    "mod.published": "Freigabe: freigegeben",
    "mod.rejected": "Freigabe: von der Planung abgelehnt",
    "mod.draft": "Freigabe: Entwurf",
    "mod.pending": "Ihre Änderung wartet auf Freigabe; öffentlich bleibt die freigegebene Fassung.",
    "mod.note": "Hinweis der Planung ({who}, {when}): {note}",
    "mod.fix": "Korrigieren",
    "mod.resend": "Erneut einreichen",
    "mod.resent": "Erneut zur Prüfung eingereicht.",
    "list.empty": "Noch keine Einträge in dieser Begehung.",
    "sync.now": "Jetzt senden",
    "sync.summary": "{waiting} warten · {sent} gesendet · {refused} abgelehnt · {conflict} Konflikte",
    "sync.offline": "offline – Einträge bleiben sicher auf dem Gerät",
    "sync.auth": "Das Token wurde abgelehnt: {msg} Einträge bleiben auf dem Gerät.",
    "conflict.heading": "Der Eintrag wurde inzwischen geändert",
    "conflict.intro": "Jemand hat ihn auf dem Server geändert. Gelb markierte Felder wurden auf beiden Seiten geändert: welche Fassung soll für sie gelten? Alle anderen Änderungen bleiben erhalten.",
    "conflict.field": "Feld",
    "conflict.mine": "Meine Fassung",
    "conflict.theirs": "Server",
    "conflict.keep_mine": "Meine behalten",
    "conflict.take_theirs": "Server übernehmen",
    "conflict.later": "Später",
    "field.kind": "Art",
    "field.layer": "Ebene",
    "field.rating": "Bewertung",
    "field.title": "Titel",
    "field.description": "Notiz",
    "field.geometry": "Ort",
    "err.network": "Keine Verbindung.",
    "err.status": "Der Server antwortet mit Fehler {status}.",
    "geom.Point": "Punkte",
    "geom.LineString": "Linien",
    "geom.Polygon": "Flächen",
  },
  en: {
    "app.title": "Field capture",
    "app.update": "A new version is available.",
    "app.reload": "Reload",
    "net.online": "online",
    "net.offline": "offline",
    "lang.other": "DE",
    "lang.label": "Auf Deutsch umschalten",
    "signin.heading": "Sign in",
    "signin.intro": "With the field token from your project lead. It stays on this device only.",
    "signin.token": "Field token",
    "signin.submit": "Sign in",
    "signin.again": "Sign in again",
    "signin.signout": "Sign out",
    "signin.offline": "No connection: the first sign-in needs the network once.",
    "signin.unsent":
      "{n} entries are not sent yet. They stay on this device and are sent after the next " +
      "sign-in. Tap again to sign out anyway.",
    "setup.heading": "Quarter and walkthrough",
    "setup.quarter": "Quarter",
    "setup.walkthrough": "Choose a walkthrough",
    "setup.none": "No walkthrough in this quarter yet.",
    "setup.new": "Start a new walkthrough",
    "setup.no_quarters": "Could not load the quarters. Please open once with a connection.",
    "setup.local": "on this device only",
    "setup.ended": "ended",
    "walk.title": "Title of the walkthrough",
    "walk.start": "Date and time",
    "walk.team": "Team",
    "walk.participants": "Participants (number)",
    "walk.residents": "Residents",
    "walk.multipliers": "Multipliers",
    "walk.experts": "Experts",
    "walk.administration": "Administration",
    "walk.create": "Start walkthrough",
    "walk.default_title": "Walkthrough {date}",
    "main.change": "Change",
    "main.end": "End walkthrough",
    "main.end_confirm": "Really end?",
    "main.ended": "Walkthrough ended on {date}. Entries can still be added.",
    "map.here_vertex": "Corner at my position",
    "map.vertices_area": "{n} corners set – tap the map for the next corner",
    "map.vertices_line": "{n} points set – tap the map for the next point",
    "map.self_intersection":
      "The area crosses itself (marked red). Set the corners in order along the outline: " +
      "“Remove last point” and set the corner again.",
    "form.photo_place_note":
      "Only the place is taken: the stored photo no longer contains location data.",
    "team.heading": "Entries of others in the team",
    "team.empty": "No entries from other phones in this walkthrough yet.",
    "team.count": "{n} entries from other phones (read-only) · as of {time}",
    "team.offline": "Offline – as of {time}",
    "team.readonly": "by {who} · read-only",
    "team.someone": "another phone",
    "status.review": "in review",
    "status.published": "published",
    "status.changes_requested": "changes requested",
    "status.rejected": "rejected",
    "status.draft": "draft",
    "map.label": "Map. Tap to set the place of the observation.",
    "map.mode": "Geometry",
    "map.point": "Point",
    "map.line": "Line",
    "map.area": "Area",
    "map.here": "At my position",
    "map.centre": "Map centre",
    "map.undo": "Remove last vertex",
    "map.no_fix": "No GPS position yet – tap the map to set the place.",
    "map.denied": "Location not allowed – tap the map to set the place.",
    "map.source_gps": "GPS{acc}",
    "map.source_hand": "set on the map",
    "map.source_photo": "from the photo{acc}",
    "map.source_stored": "stored place",
    "map.vertices": "{n} vertices set",
    "map.you": "Your position (±{acc} m)",
    "track.start": "Record track",
    "track.stop": "Stop recording",
    "track.recording": "Recording: {n} points, {m} m",
    "track.waiting": "Track {m} m ({n} points) – waiting to be sent",
    "track.sent": "Track sent: {m} m ({n} points)",
    "track.refused": "Track refused: {msg}",
    "track.too_short": "Too few points for a track.",
    "tabs.form": "Capture",
    "tabs.list": "Entries",
    "form.new": "New observation",
    "form.edit": "Edit observation",
    "form.kind": "Kind",
    "form.layer": "Layer",
    "form.rating": "Rating",
    "form.rating_none": "none",
    "form.title": "Title",
    "form.title_hint": "empty = kind · layer",
    "form.note": "Note",
    "form.photos": "Take photos",
    "form.remove_photo": "Remove photo",
    "form.photo_place": "Use the photo's location",
    "form.photo_place_acc": "Use the photo's location (±{acc} m)",
    "form.save": "Save",
    "form.save_edit": "Save changes",
    "form.cancel": "Cancel",
    "form.need_kind": "Please choose the kind.",
    "form.need_layer": "Please choose the layer.",
    "form.need_place": "Please set the place: tap the map or “At my position”.",
    "form.need_line": "A line needs at least 2 vertices.",
    "form.need_area": "An area needs at least 3 vertices.",
    "form.type_not_allowed": "The layer “{layer}” takes no {type}.",
    "form.saved": "Saved. It will be sent as soon as there is a connection.",
    "form.saved_online": "Saved.",
    "form.updated": "Change saved.",
    "form.store_failed":
      "Not saved – the device storage refused it ({msg}). Please free some space or remove " +
      "photos and save again.",
    "state.waiting": "waiting",
    "state.sent": "sent",
    "state.refused": "refused",
    "state.conflict": "conflict",
    "state.deleting": "being deleted",
    "state.photos": "photos {sent}/{total} sent",
    "state.photo_refused": "Photo refused: {msg}",
    "list.edit": "Edit",
    "list.delete": "Delete",
    "list.confirm_delete": "Really delete?",
    "list.resend": "Send again",
    "list.resolve": "Resolve conflict",
    "mod.review": "Review: in review",
    "mod.changes_requested": "Review: changes requested",
    "mod.published": "Review: published",
    "mod.rejected": "Review: rejected by the planners",
    "mod.draft": "Review: draft",
    "mod.pending": "Your change waits for review; the public keeps the published version.",
    "mod.note": "Note from the planners ({who}, {when}): {note}",
    "mod.fix": "Fix",
    "mod.resend": "Resubmit",
    "mod.resent": "Resubmitted for review.",
    "list.empty": "No entries in this walkthrough yet.",
    "sync.now": "Send now",
    "sync.summary": "{waiting} waiting · {sent} sent · {refused} refused · {conflict} conflicts",
    "sync.offline": "offline – entries stay safe on this device",
    "sync.auth": "The token was refused: {msg} Entries stay on this device.",
    "conflict.heading": "The entry was changed meanwhile",
    "conflict.intro": "Someone changed it on the server. Fields marked yellow were changed on both sides: which version should count for them? All other changes are kept.",
    "conflict.field": "Field",
    "conflict.mine": "Mine",
    "conflict.theirs": "Server",
    "conflict.keep_mine": "Keep mine",
    "conflict.take_theirs": "Take the server's",
    "conflict.later": "Later",
    "field.kind": "Kind",
    "field.layer": "Layer",
    "field.rating": "Rating",
    "field.title": "Title",
    "field.description": "Note",
    "field.geometry": "Place",
    "err.network": "No connection.",
    "err.status": "The server answers with error {status}.",
    "geom.Point": "points",
    "geom.LineString": "lines",
    "geom.Polygon": "areas",
  },
};

const KEY = "karte.lang";
let current = localStorage.getItem(KEY) === "en" ? "en" : "de";

export function lang() {
  return current;
}

export function setLang(value) {
  current = value === "en" ? "en" : "de";
  localStorage.setItem(KEY, current);
  applyI18n();
}

/** The text for `key` with `{name}` placeholders filled; the key itself if it is missing. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.de[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Fill every data-i18n* attribute below `root` (text, aria-label, placeholder). */
export function applyI18n(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-aria]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAria));
  }
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
}

/** The server's reason in the UI language (the API sends both). */
export function serverMessage(error) {
  if (!error) return "";
  return (current === "en" ? error.message_en : error.message_de) || error.message_de || "";
}

/** A catalogue item's label (`title_de`/`title_en` or `de`/`en`) in the UI language. */
export function label(item, field = "") {
  if (!item) return "";
  const prefix = field ? `${field}_` : "";
  return item[`${prefix}${current}`] || item[`${prefix}de`] || item.id || "";
}

export function fmtMetres(value) {
  return Math.round(value).toLocaleString(current === "en" ? "en-GB" : "de-DE");
}

/** Date and time of day: two walkthroughs of one day with the same title stay apart. */
export function fmtDateTime(iso) {
  if (!iso) return "";
  const locale = current === "en" ? "en-GB" : "de-DE";
  const options = { dateStyle: "medium", timeStyle: "short" };
  return new Date(iso).toLocaleString(locale, options);
}

export function fmtDate(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleDateString(current === "en" ? "en-GB" : "de-DE");
}
