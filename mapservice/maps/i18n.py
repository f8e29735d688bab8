"""Every word the map pages show, German first and English second, in one place.

Templates get ``texts(lang)`` (a dict); the browser client gets the ``JS_KEYS`` subset in
its configuration, so translators find all strings of the map, embed, share and error pages
here and nowhere else. Kind and dimension names come from the catalogue (``Kind.label``,
``Dimension.label``) so the map, the API and the CLI spell them alike.
"""

from __future__ import annotations

from functools import cache

Lang = str  # "de" or "en"

STRINGS: dict[str, tuple[str, str]] = {
    "app": ("Karte der Nachhaltigkeit", "Sustainability map"),
    "demo": ("Demo", "Demo"),
    "demo_hint": ("synthetische Beispieldaten", "synthetic example data"),
    "observations": ("Beobachtungen", "observations"),
    "findings": ("Aussagen", "interview findings"),
    "walkthroughs": ("Begehungen", "walkthroughs"),
    "as_of": ("Stand", "as of"),
    "share": ("Teilen", "Share"),
    "list": ("Liste", "List"),
    "language": ("Sprache", "Language"),
    "skip_map": ("Zur Karte springen", "Skip to the map"),
    "skip_list": ("Zur Liste springen", "Skip to the list"),
    "sidebar": ("Ebenen, Filter und Zahlen", "Layers, filters and figures"),
    "sidebar_toggle": ("Ebenen & Filter", "Layers & filters"),
    "layers": ("Ebenen", "Layers"),
    "more_layers": ("Interviews und Begehungen", "Interviews and walkthroughs"),
    "reference": ("Referenzdaten", "Reference data"),
    "visible_from": ("sichtbar ab Zoomstufe", "visible from zoom level"),
    "basemap": ("Hintergrundkarte", "Basemap"),
    "base_osm": ("OpenStreetMap", "OpenStreetMap"),
    "base_city": ("Stadtkarte", "City basemap"),
    "base_none": ("Ohne Hintergrund", "No basemap"),
    "filters": ("Filter", "Filters"),
    "kind": ("Art", "Kind"),
    "period": ("Zeitraum", "Period"),
    "from": ("von", "from"),
    "to": ("bis", "to"),
    "status": ("Freigabe", "Moderation"),
    "status_all": ("alle", "all"),
    "status_draft": ("Entwurf", "Draft"),
    "status_review": ("In Prüfung", "In review"),
    "status_changes_requested": ("Änderung erbeten", "Changes requested"),
    "status_published": ("Freigegeben", "Published"),
    "status_rejected": ("Abgelehnt", "Rejected"),
    "reset": ("Filter zurücksetzen", "Reset filters"),
    "static_no_period": (
        "Im statischen Export ist der Zeitraum-Filter nicht verfügbar.",
        "The period filter is not available in the static export.",
    ),
    "figures": ("Zahlen", "Figures"),
    "published_only": ("Nur freigegebene Einträge.", "Published items only."),
    "figures_follow": (
        "Folgt den gewählten Ebenen und Filtern (Art, Zeitraum); ohne Anmeldung nur "
        "freigegebene Einträge.",
        "Follows the chosen layers and filters (kind, period); without signing in published "
        "items only.",
    ),
    "figures_fixed": (
        "Alle Begehungen und Interviews des Quartiers, unabhängig von den Filtern.",
        "All walkthroughs and interviews of the quarter, whatever the filters.",
    ),
    "group_all": ("Alle Ebenen", "All layers"),
    "group_all_short": ("alle", "all"),
    "figures_json": ("Alle Zahlen als JSON (API)", "All figures as JSON (API)"),
    "change_link": (
        "Was hat sich verändert? Runden {von} → {bis}",
        "What has changed? Rounds {von} → {bis}",
    ),
    "by_dimension": ("Einträge je Dimension nach Art", "Items per dimension by kind"),
    "dimension": ("Dimension", "Dimension"),
    "total": ("Summe", "Total"),
    "participation": ("Beteiligung nach Gruppe", "Participation by group"),
    "group": ("Gruppe", "Group"),
    "walk_participants": ("Teilnehmende an Begehungen", "Walkthrough participants"),
    "interviews": ("Interviews", "Interviews"),
    "group_residents": ("Bewohner*innen", "Residents"),
    "group_multipliers": ("Multiplikator*innen", "Multipliers"),
    "group_experts": ("Expert*innen", "Experts"),
    "group_administration": ("Verwaltung", "Administration"),
    "legend": ("Legende", "Legend"),
    "cluster_legend": (
        "Kreise mit Zahl: mehrere Einträge; der Ring zeigt die Anteile der Arten.",
        "Circles with a number: several items; the ring shows the share of each kind.",
    ),
    "rating_legend": ("Größere Zeichen: stärkere Bewertung.", "Larger symbols: stronger rating."),
    "map": ("Karte", "Map"),
    "map_hint": (
        "Karte: mit den Pfeiltasten verschieben, mit + und − zoomen. Mit Tab zu den "
        "Einträgen, mit den Pfeiltasten von Eintrag zu Eintrag, Eingabe öffnet die Details, "
        "Escape schließt sie. Alle Einträge stehen auch in der Liste.",
        "Map: pan with the arrow keys, zoom with + and −. Tab to the items, move between "
        "them with the arrow keys, Enter opens the details, Escape closes them. Every item "
        "is also in the list.",
    ),
    "list_title": ("Liste der Einträge", "List of items"),
    "list_hint": (
        "Dieselben Einträge wie auf der Karte (aktive Ebenen und Filter), nach Art sortiert.",
        "The same items as on the map (active layers and filters), sorted by kind.",
    ),
    "col_kind": ("Art", "Kind"),
    "col_title": ("Eintrag", "Item"),
    "col_layer": ("Ebene", "Layer"),
    "col_place": ("Ort", "Place"),
    "col_date": ("Datum", "Date"),
    "show_on_map": ("Auf der Karte zeigen", "Show on the map"),
    "list_empty": (
        "Keine Einträge für die gewählten Ebenen und Filter.",
        "No items for the chosen layers and filters.",
    ),
    "list_truncated": (
        "Gezeigt werden die ersten {shown} von {total} Einträgen – bitte Filter nutzen.",
        "Showing the first {shown} of {total} items – please use the filters.",
    ),
    "list_count": ("{n} Einträge", "{n} items"),
    "close": ("Schließen", "Close"),
    "close_popup": ("Details schließen", "Close details"),
    "details_of": ("Details", "Details"),
    "loading": ("Lädt …", "Loading …"),
    "load_error": ("Daten konnten nicht geladen werden.", "Data could not be loaded."),
    "truncated": (
        "Nicht alle Einträge passen in diesen Ausschnitt – bitte hineinzoomen.",
        "Not every item fits this view – please zoom in.",
    ),
    "rating": ("Bewertung", "Rating"),
    "walkthrough": ("Begehung", "Walkthrough"),
    "interview": ("Interview", "Interview"),
    "photo": ("Foto", "Photo"),
    "place": ("Ort", "Place"),
    "street_level": ("auf Straßenebene verortet", "placed at street level"),
    "quarter_level": ("auf das ganze Quartier bezogen", "about the whole quarter"),
    "quarter_badge": ("{n} Aussagen zum ganzen Quartier", "{n} findings about the whole quarter"),
    "cluster_title": ("{n} Einträge – zum Vergrößern klicken", "{n} items – click to zoom in"),
    "start": ("Start", "Start"),
    "participants": ("Beteiligte", "Participants"),
    "sign_in": ("Anmelden (Planung)", "Sign in (planners)"),
    "token": ("Zugangstoken", "Access token"),
    "sign_in_button": ("Anmelden", "Sign in"),
    "sign_out": ("Abmelden", "Sign out"),
    "signed_in": ("Angemeldet als {name} ({role})", "Signed in as {name} ({role})"),
    "sign_in_failed": ("Token ungültig oder abgelaufen.", "Token invalid or expired."),
    "token_note": (
        "Das Token bleibt nur in diesem Browser-Tab und wird nie in die Adresse geschrieben.",
        "The token stays in this browser tab only and is never written into the address.",
    ),
    "full_map": ("Vollbild öffnen", "Open full map"),
    "fullscreen": ("Vollbild", "Full screen"),
    "fullscreen_exit": ("Vollbild beenden", "Exit full screen"),
    "locate": ("Meinen Standort zeigen", "Show my location"),
    "zoom_in": ("Hineinzoomen", "Zoom in"),
    "zoom_out": ("Herauszoomen", "Zoom out"),
    "boundary": ("Quartiersgrenze", "Quarter boundary"),
    "share_title": ("Karte einbetten", "Embed the map"),
    "share_intro": (
        "Diesen Code in die eigene Web-Seite einfügen. Die eingebettete Karte zeigt nur "
        "freigegebene Einträge, setzt keine Cookies und lädt nichts von Dritten außer der "
        "Hintergrundkarte.",
        "Paste this code into your own web page. The embedded map shows published items "
        "only, sets no cookies and loads nothing from third parties except the basemap.",
    ),
    "size": ("Größe", "Size"),
    "width": ("Breite", "Width"),
    "height": ("Höhe", "Height"),
    "snippet": ("HTML-Code zum Einfügen", "HTML code to paste"),
    # not "copy": in a template, t.copy would be the dict's copy method, not this string
    "copy_snippet": ("Kopieren", "Copy"),
    "copied": ("Kopiert.", "Copied."),
    "preview": ("Vorschau", "Preview"),
    "back_to_map": ("Zurück zur Karte", "Back to the map"),
    "not_found": ("Nicht gefunden", "Not found"),
    "quarter_unknown": ("Das Quartier „{slug}“ gibt es nicht.", 'There is no quarter "{slug}".'),
    "known_quarters": ("Vorhandene Quartiere:", "Existing quarters:"),
    "overview": ("Zur Übersicht aller Quartiere", "Back to all quarters"),
    "bad_layers": ("Unbekannte Ebene", "Unknown layer"),
    "bad_layers_text": (
        "Der Parameter layers nennt Ebenen, die es nicht gibt: {ids}.",
        "The layers parameter names layers that do not exist: {ids}.",
    ),
    "valid_layers": ("Gültige Ebenen-IDs:", "Valid layer ids:"),
    "unavailable": ("Karte nicht verfügbar", "Map unavailable"),
    "view_not_found": ("Ansicht nicht gefunden", "View not found"),
    "view_invalid": ("Ungültige Ansicht", "Invalid view"),
    "view_next": ("Weiter:", "Continue:"),
    "view_plain": (
        "Karte des Quartiers ohne gespeicherte Ansicht",
        "The quarter's map without a saved view",
    ),
    "view_elsewhere": ("Die Ansicht im richtigen Quartier öffnen", "Open the view in its quarter"),
    "view": ("Gespeicherte Ansicht", "Saved view"),
    "overlays": ("Externe Ebenen", "External overlays"),
    "overlay_note": (
        "Von fremden Servern, nicht von der Karte der Nachhaltigkeit:",
        "From other servers, not from the sustainability map:",
    ),
}

#: Strings the browser client needs (popups, list, live messages, sign-in).
JS_KEYS = (
    "rating",
    "walkthrough",
    "interview",
    "photo",
    "place",
    "street_level",
    "quarter_level",
    "quarter_badge",
    "cluster_title",
    "start",
    "participants",
    "list_empty",
    "list_truncated",
    "list_count",
    "show_on_map",
    "loading",
    "load_error",
    "truncated",
    "signed_in",
    "sign_in_failed",
    "copied",
    "group_residents",
    "group_multipliers",
    "group_experts",
    "group_administration",
    "status_draft",
    "status_review",
    "status_changes_requested",
    "status_published",
    "status_rejected",
    "status",
    "visible_from",
    "close_popup",
    "details_of",
    "by_dimension",
    "total",
)


def norm_lang(lang: str | None) -> Lang:
    """German unless English is asked for ("en", "en-GB", "EN" …)."""
    return "en" if (lang or "").strip().lower().startswith("en") else "de"


@cache
def texts(lang: Lang) -> dict[str, str]:
    """All strings in one language (cached: the dict is shared, do not change it)."""
    index = 1 if norm_lang(lang) == "en" else 0
    return {key: pair[index] for key, pair in STRINGS.items()}


def js_texts(lang: Lang) -> dict[str, str]:
    """The subset the browser client uses."""
    all_texts = texts(lang)
    return {key: all_texts[key] for key in JS_KEYS}


def format_date(value: object, lang: Lang) -> str:
    """12.04.2026 in German, 2026-04-12 in English (ISO, unambiguous for everyone else)."""
    if value is None:
        return ""
    strftime = getattr(value, "strftime", None)
    if strftime is None:
        return str(value)
    return strftime("%Y-%m-%d" if norm_lang(lang) == "en" else "%d.%m.%Y")


def format_int(value: int, lang: Lang) -> str:
    """1.234 in German, 1,234 in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if norm_lang(lang) == "de" else text
