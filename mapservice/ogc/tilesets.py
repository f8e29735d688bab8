"""OGC API Tiles documents: a collection's tilesets, its WebMercatorQuad tileset, and the
tile matrix set itself (from morecantile, the same grid the XYZ tiles use).

The tile URL template follows the standard: ``{tileMatrix}/{tileRow}/{tileCol}``, i.e.
``z/y/x`` — row before column, the reverse of XYZ's ``z/x/y``. Clients fill the template
from the ``item`` link, so they never have to guess.
"""

from __future__ import annotations

from typing import Any

from mapservice.catalog import Layer
from mapservice.ogc.documents import JSON, REL_TILING_SCHEMES, link
from mapservice.ogc.params import CRS84
from mapservice.tiles.extent import Extent
from mapservice.tiles.grid import MAX_ZOOM, TMS_ID, web_mercator

MVT = "application/vnd.mapbox-vector-tile"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"


def _summary(root: str, layer: Layer) -> dict[str, Any]:
    base = f"{root}/collections/{layer.id}/tiles/{TMS_ID}"
    return {
        "title": f"{layer.title()} ({TMS_ID})",
        "dataType": "vector",
        "crs": CRS_3857,
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(base, "self", JSON, "Kachelsatz / tileset"),
            link(f"{root}/tileMatrixSets/{TMS_ID}", REL_TILING_SCHEMES, JSON, TMS_ID),
        ],
    }


def tilesets(root: str, layer: Layer) -> dict[str, Any]:
    """``/collections/{id}/tiles``: the one tileset we offer per layer."""
    return {
        "links": [link(f"{root}/collections/{layer.id}/tiles", "self", JSON)],
        "tilesets": [_summary(root, layer)],
    }


def tileset(root: str, layer: Layer, fields: dict[str, str], extent: Extent) -> dict[str, Any]:
    """``/collections/{id}/tiles/WebMercatorQuad``: tileset metadata with the URL template."""
    doc = _summary(root, layer)
    template = (
        f"{root}/collections/{layer.id}/tiles/{TMS_ID}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"
    )
    doc["links"].append(
        link(template, "item", MVT, "Vektorkachel / vector tile (MVT)", templated=True)
    )
    west, south, east, north = extent.bounds()
    doc["boundingBox"] = {"lowerLeft": [west, south], "upperRight": [east, north], "crs": CRS84}
    doc["tileMatrixSetLimits"] = _limits(extent, layer.min_zoom, min(layer.max_zoom, MAX_ZOOM))
    doc["layers"] = [
        {
            "id": layer.id,
            "title": layer.title(),
            "dataType": "vector",
            "minTileMatrix": str(layer.min_zoom),
            "maxTileMatrix": str(layer.max_zoom),
            "propertiesSchema": {
                "type": "object",
                "properties": {
                    name: {"type": {"Number": "number", "Boolean": "boolean"}.get(kind, "string")}
                    for name, kind in fields.items()
                },
            },
        }
    ]
    return doc


def _limits(extent: Extent, low: int, high: int) -> list[dict[str, Any]]:
    """Rows and columns that hold data, per zoom (clients skip requests outside them)."""
    tms = web_mercator()
    west, south, east, north = extent.bounds()
    limits = []
    for z in range(low, high + 1):
        ul, lr = tms.tile(west, north, z), tms.tile(east, south, z)
        last = 2**z - 1
        limits.append(
            {
                "tileMatrix": str(z),
                "minTileRow": max(0, min(ul.y, last)),
                "maxTileRow": max(0, min(lr.y, last)),
                "minTileCol": max(0, min(ul.x, last)),
                "maxTileCol": max(0, min(lr.x, last)),
            }
        )
    return limits


def tile_matrix_sets(root: str) -> dict[str, Any]:
    return {
        "tileMatrixSets": [
            {
                "id": TMS_ID,
                "title": web_mercator().title,
                "uri": TMS_URI,
                "links": [link(f"{root}/tileMatrixSets/{TMS_ID}", "self", JSON, TMS_ID)],
            }
        ]
    }


def tile_matrix_set() -> dict[str, Any]:
    """The OGC TMS 2.0 JSON of WebMercatorQuad, exactly as morecantile defines it."""
    doc: dict[str, Any] = web_mercator().model_dump(mode="json", exclude_none=True)
    return doc
