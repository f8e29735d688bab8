"""TileJSON 3.0.0 for a layer: tile URL template, zooms, bounds and the fields of the layer.

The tile URL carries ``v=<data version>`` (and the caller's filters), so clients with a
disk cache — QGIS above all — fetch new tiles after every write and may keep the old ones
meanwhile; bounds are the extent of what this caller may see.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mapservice.catalog import Layer
from mapservice.db.models import KINDS
from mapservice.tiles.extent import Extent
from mapservice.tiles.sources import NUMBER, Source

CLUSTER_FIELDS = {"cluster": "Boolean", "count": NUMBER}


def vector_fields(layer: Layer, source: Source) -> dict[str, str]:
    """Properties a tile of this layer may carry, cluster properties included."""
    fields = source.fields()
    if layer.cluster_below_zoom is not None:
        fields.update(CLUSTER_FIELDS)
        if source.kind is not None:
            fields.update({f"count_{k}": NUMBER for k in KINDS})
    return fields


def tilejson(
    layer: Layer,
    source: Source,
    extent: Extent,
    base_url: str,
    query: dict[str, str],
    fmt: str = "mvt",
    lang: str = "de",
) -> dict[str, Any]:
    """The TileJSON document; ``query`` holds the filters to repeat in the tile URL."""
    params = urlencode({**query, "v": str(extent.version)})
    template = f"{base_url.rstrip('/')}/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.{fmt}?{params}"
    west, south, east, north = extent.bounds()
    centre_zoom = max(layer.min_zoom, min(layer.max_zoom, 14))
    doc: dict[str, Any] = {
        "tilejson": "3.0.0",
        "name": layer.title(lang),
        "description": layer.description(lang),
        "version": "1.0.0",
        "scheme": "xyz",
        "tiles": [template],
        "minzoom": layer.min_zoom,
        "maxzoom": layer.max_zoom,
        "bounds": [west, south, east, north],
        "center": [round((west + east) / 2, 6), round((south + north) / 2, 6), centre_zoom],
        "vector_layers": [
            {
                "id": layer.id,
                "description": layer.title(lang),
                "minzoom": layer.min_zoom,
                "maxzoom": layer.max_zoom,
                "fields": vector_fields(layer, source),
            }
        ],
    }
    doc["attribution"] = layer.attribution or "Karte der Nachhaltigkeit"
    return doc
