"""The OpenAPI 3.0 description of ``/ogc``, linked from the landing page as ``service-desc``.

FastAPI generates OpenAPI 3.1 for the whole app (``/openapi.json``), but OGC API clients
(OWSLib, the OGC test suite) expect 3.0, labelled
``application/vnd.oai.openapi+json;version=3.0``. Rather than relabel a 3.1 document (its
``anyOf``/``null`` idioms are not 3.0), this module describes the OGC paths in 3.0 terms.
"""

from __future__ import annotations

from typing import Any

from mapservice.db.models import KINDS, STATUSES
from mapservice.ogc.crs import uris
from mapservice.ogc.params import DEFAULT_LIMIT, MAX_LIMIT
from mapservice.tiles.grid import MAX_ZOOM, TMS_ID

JSON_OR_HTML = {"application/json": "object", "text/html": "string"}
GEOJSON_OR_HTML = {"application/geo+json": "object", "text/html": "string"}
JSON_ONLY = {"application/json": "object"}
OPENAPI = {"application/vnd.oai.openapi+json;version=3.0": "object"}
SCHEMA = {"application/schema+json": "object"}
STRING, INTEGER = {"type": "string"}, {"type": "integer", "minimum": 0}


def _param(name: str, where: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    out = {"name": name, "in": where, "required": where == "path", "schema": schema}
    out["description"] = text
    if where == "query":
        out.update(style="form", explode=False)
    return out


def _operation(
    op: str, summary: str, params: list[dict[str, Any]], media: dict[str, str]
) -> dict[str, Any]:
    content = {m: {"schema": {"type": s}} for m, s in media.items()}
    responses: dict[str, Any] = {
        "200": {"description": summary, "content": content},
        "400": {"$ref": "#/components/responses/Error"},
        "404": {"$ref": "#/components/responses/Error"},
    }
    if op == "getTile":
        responses["204"] = {"description": "leere Kachel / empty tile"}
    return {
        "get": {
            "operationId": op,
            "summary": summary,
            "tags": ["OGC API"],
            "parameters": params,
            "responses": responses,
        }
    }


def _parameters(collection_ids: list[str]) -> dict[str, Any]:
    """Every parameter once, by name."""
    q, p = "query", "path"
    bbox = {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}
    limit = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
    params = [
        _param("f", q, {"type": "string", "enum": ["json", "html"]}, "Format"),
        _param("collectionId", p, {"type": "string", "enum": collection_ids}, "Ebene / layer"),
        _param("featureId", p, STRING, "id"),
        _param("tileMatrixSetId", p, {"type": "string", "enum": [TMS_ID]}, "Kachelschema"),
        _param("tileMatrix", p, {**INTEGER, "maximum": MAX_ZOOM}, "Zoomstufe / zoom"),
        _param("tileRow", p, INTEGER, "Zeile (y) / row (y)"),
        _param("tileCol", p, INTEGER, "Spalte (x) / column (x)"),
        _param("bbox", q, bbox, "minLon,minLat,maxLon,maxLat (CRS84)"),
        _param(
            "bbox-crs",
            q,
            {"type": "string", "format": "uri", "enum": uris()},
            "CRS der bbox / CRS of the bbox (Standard / default CRS84)",
        ),
        _param(
            "crs",
            q,
            {"type": "string", "format": "uri", "enum": uris()},
            "CRS der Antwort / CRS of the response (Standard / default CRS84)",
        ),
        _param("filter", q, STRING, "CQL2-Filter (Text oder JSON) / CQL2 filter (text or JSON)"),
        _param(
            "filter-lang",
            q,
            {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"},
            "Sprache des Filters / filter language",
        ),
        _param(
            "filter-crs",
            q,
            {"type": "string", "format": "uri", "enum": uris()},
            "CRS der Geometrien im Filter / CRS of geometries in the filter",
        ),
        _param("datetime", q, STRING, "RFC 3339: Zeitpunkt / instant, a/b, ../b, a/.."),
        _param("quarter", q, STRING, "Quartier (Kürzel) / quarter slug"),
        _param("kind", q, {"type": "string", "enum": list(KINDS)}, "Art / kind"),
        _param("walkthrough", q, {"type": "string", "format": "uuid"}, "Begehung"),
        _param("status", q, {"type": "string", "enum": list(STATUSES)}, "nur Planung"),
        _param("limit", q, limit, "Objekte je Seite / items per page"),
        _param("offset", q, {**INTEGER, "default": 0}, "Startposition / start index"),
        _param("cursor", q, STRING, "aus dem next-Link / from the next link"),
        _param(
            "sdg",
            q,
            {**INTEGER, "minimum": 1, "maximum": 17},
            "Nachhaltigkeitsziel 1–17 (SDG) / Sustainable Development Goal",
        ),
    ]
    return {param["name"]: param for param in params}


FILTERS = ("datetime", "quarter", "kind", "walkthrough", "status")
C = "/ogc/collections/{collectionId}"
TILE = "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"
#: path, operation id, summary, parameter names, media types of the answer
PATHS: list[tuple[str, str, str, tuple[str, ...], dict[str, str]]] = [
    ("/ogc", "getLandingPage", "Startseite / landing page", ("f",), JSON_OR_HTML),
    ("/ogc/conformance", "getConformance", "Konformität / conformance", ("f",), JSON_OR_HTML),
    ("/ogc/api", "getApi", "OpenAPI 3.0", (), OPENAPI),
    ("/ogc/collections", "getCollections", "Sammlungen / collections", ("f", "sdg"),
     JSON_OR_HTML),
    (C, "describeCollection", "Sammlung / collection", ("collectionId", "f"), JSON_OR_HTML),
    (f"{C}/queryables", "getQueryables", "Queryables", ("collectionId",), SCHEMA),
    (f"{C}/items", "getFeatures", "Objekte / features",
     ("collectionId", "bbox", "bbox-crs", "crs", *FILTERS, "filter", "filter-lang", "filter-crs",
      "sdg", "limit", "offset", "cursor", "f"),
     GEOJSON_OR_HTML),
    (f"{C}/items/{{featureId}}", "getFeature", "Ein Objekt / one feature",
     ("collectionId", "featureId", "crs", "f"), GEOJSON_OR_HTML),
    (f"{C}/tiles", "getTilesets", "Kachelsätze / tilesets", ("collectionId",), JSON_ONLY),
    (f"{C}/tiles/{{tileMatrixSetId}}", "getTileset", "Kachelsatz / tileset",
     ("collectionId", "tileMatrixSetId"), JSON_ONLY),
    (f"{C}{TILE}", "getTile", "Vektorkachel / vector tile",
     ("collectionId", "tileMatrixSetId", "tileMatrix", "tileRow", "tileCol", *FILTERS),
     {"application/vnd.mapbox-vector-tile": "string"}),
    ("/ogc/tileMatrixSets", "getTileMatrixSets", "Kachelschemata", (), JSON_ONLY),
    ("/ogc/tileMatrixSets/{tileMatrixSetId}", "getTileMatrixSet", "Kachelschema",
     ("tileMatrixSetId",), JSON_ONLY),
]  # fmt: skip


def openapi_30(server: str, collection_ids: list[str]) -> dict[str, Any]:
    """The document; ``collection_ids`` are the layers the caller may see."""
    params = _parameters(collection_ids)
    paths = {
        path: _operation(op, summary, [params[n] for n in names], media)
        for path, op, summary, names, media in PATHS
    }
    error = {
        "type": "object",
        "required": ["code", "message_de", "message_en"],
        "properties": {n: STRING for n in ("code", "message_de", "message_en")},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Karte der Nachhaltigkeit – OGC API",
            "version": "1.0.0",
            "description": "OGC API Features (Part 1) und OGC API Tiles / and OGC API Tiles.",
            "license": {"name": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": server.rstrip("/")}],
        "paths": paths,
        "components": {
            "responses": {
                "Error": {
                    "description": "Fehler / error (code, message_de, message_en)",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
            "schemas": {"Error": error},
        },
    }
