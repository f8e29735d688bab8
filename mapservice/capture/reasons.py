"""Why a row or a request is refused: one table of codes with German and English text.

The bulk import reports these per row, the API returns them as the error ``code``; keeping one
table means a field team sees the same words whether they upload one entry or a whole file.
"""

from __future__ import annotations

from mapservice.errors import InvalidInput

REASONS: dict[str, tuple[str, str]] = {
    "geometry_missing": ("Geometrie fehlt.", "Geometry is missing."),
    "geometry_malformed": ("Geometrie ist nicht lesbar.", "Geometry cannot be read."),
    "geometry_empty": ("Geometrie ist leer.", "Geometry is empty."),
    "geometry_invalid": ("Geometrie ist ungültig", "Geometry is invalid"),
    "outside_world": (
        "Koordinaten liegen außerhalb der Welt (Länge ±180°, Breite ±90°).",
        "Coordinates lie outside the world (longitude ±180°, latitude ±90°).",
    ),
    "outside_crs_area": (
        "Koordinaten liegen außerhalb des Gültigkeitsbereichs des Koordinatensystems.",
        "Coordinates lie outside the area of use of the coordinate reference system.",
    ),
    "outside_quarter": (
        "Geometrie liegt außerhalb aller Quartiere.",
        "Geometry lies outside every quarter.",
    ),
    "unknown_quarter": ("Unbekanntes Quartier.", "Unknown quarter."),
    "unknown_layer": ("Unbekannte Themenebene.", "Unknown layer."),
    "geometry_type_not_allowed": (
        "Dieser Geometrietyp ist in der Ebene nicht erlaubt.",
        "This geometry type is not allowed in the layer.",
    ),
    "unknown_kind": (
        "Art muss strength, problem, potential oder idea sein (Stärke, Problem, Potenzial, Idee).",
        "Kind must be strength, problem, potential or idea.",
    ),
    "rating_range": (
        "Bewertung muss zwischen −2 und 2 liegen.",
        "Rating must be between −2 and 2.",
    ),
    "title_missing": ("Titel fehlt.", "Title is missing."),
    "title_too_long": ("Titel ist länger als 200 Zeichen.", "Title is longer than 200 characters."),
    "text_too_long": (
        "Beschreibung ist länger als 10.000 Zeichen.",
        "Description is longer than 10,000 characters.",
    ),
    "future_date": (
        "Datum liegt mehr als einen Tag in der Zukunft.",
        "Date lies more than one day in the future.",
    ),
    "unknown_status": (
        "Status muss draft, review, published oder rejected sein.",
        "Status must be draft, review, published or rejected.",
    ),
    "unknown_walkthrough": ("Unbekannte Begehung.", "Unknown walkthrough."),
    "walkthrough_other_quarter": (
        "Die Begehung gehört zu einem anderen Quartier; Beobachtungen einer Begehung liegen in "
        "ihrem Quartier.",
        "The walkthrough belongs to another quarter; a walkthrough's observations lie in its "
        "quarter.",
    ),
    "duplicate_id": ("Dieselbe id kommt mehrfach in der Datei vor.", "The same id occurs twice."),
    "invalid_value": ("Ungültiger Wert.", "Invalid value."),
    "address_missing": (
        "Weder Koordinaten noch Adresse.",
        "Neither coordinates nor an address.",
    ),
    "address_not_found": (
        "Adresse nicht im Ortsverzeichnis gefunden; bitte Koordinaten angeben oder die "
        "Schreibweise prüfen",
        "Address not found in the gazetteer; give coordinates or check the spelling",
    ),
}


def reason_text(code: str, detail: str = "") -> tuple[str, str]:
    de, en = REASONS.get(code, REASONS["invalid_value"])
    if detail:
        de, en = f"{de.rstrip('.')}: {detail}", f"{en.rstrip('.')}: {detail}"
    return de, en


def refuse(code: str, detail: str = "") -> InvalidInput:
    de, en = reason_text(code, detail)
    return InvalidInput(de, en, code=code)
