"""The measures as a layer of their own for tiles (``/tiles/massnahmen/…``).

Not a file in ``layers/``: the catalogue's layers are capture themes that the quarter map,
exports and moderation iterate over, and a measure is none of those (no kind, no rating,
its popup is the Sachstand). Declared here with the catalogue's own model, so the tile
machinery (sources, cache, ETags, TileJSON) serves it like every other layer.
"""

from __future__ import annotations

from mapservice.catalog import Layer

LAYER_ID = "massnahmen"
GEOMETRY_TYPES = ["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"]

MEASURES_LAYER = Layer.model_validate(
    {
        "id": LAYER_ID,
        "source": "measures",
        "title_de": "Maßnahmen (Handlungsprogramm)",
        "title_en": "Measures (action programme)",
        "description_de": "Veröffentlichte Maßnahmen des Handlungsprogramms mit Ort: Punkt, "
        "Linie oder Fläche, mit Phase und Status.",
        "description_en": "Published measures of the action programme that have a place: "
        "point, line or area, with phase and status.",
        "dimension": "sozial",
        "geometry_types": GEOMETRY_TYPES,
        "public": True,
        "min_zoom": 8,
        "max_zoom": 20,
        "icon": "flag",
        "popup_fields": ["title"],
        "style": {
            "stroke_color": "#FFFFFF",
            "stroke_width": 1.5,
            "fill_opacity": 0.8,
            "fill_color": "#0072B2",
        },
        "legend": {"measure": {"de": "Maßnahme", "en": "Measure", "symbol": "flag"}},
    }
)
