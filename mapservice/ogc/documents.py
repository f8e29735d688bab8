"""The JSON documents of OGC API Features/Tiles that describe the service and its collections.

Conformance classes, link relations and media types are spelled exactly as the standards
do; that is what QGIS, GDAL and OWSLib look for (OWSLib lists a collection only with
``itemType: feature`` and finds the API only through a ``service-desc`` link typed
``application/vnd.oai.openapi+json;version=3.0``).
"""

from __future__ import annotations

from typing import Any

from mapservice.catalog import Layer
from mapservice.ogc.cql import CONFORMANCE as CQL2_CONFORMANCE
from mapservice.ogc.crs import CRS84, uris
from mapservice.ogc.schema import TITLE_CASE, geometry_format, geometry_types
from mapservice.ogc.sdg import collection_sdg
from mapservice.tiles.extent import Extent

GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
REL_TILESETS = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
REL_TILING_SCHEMES = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

_SPEC = "http://www.opengis.net/spec"
CONFORMANCE = [
    f"{_SPEC}/ogcapi-common-1/1.0/conf/core",
    f"{_SPEC}/ogcapi-common-1/1.0/conf/landing-page",
    f"{_SPEC}/ogcapi-common-1/1.0/conf/json",
    f"{_SPEC}/ogcapi-common-1/1.0/conf/html",
    f"{_SPEC}/ogcapi-common-1/1.0/conf/oas30",
    f"{_SPEC}/ogcapi-common-2/1.0/conf/collections",
    f"{_SPEC}/ogcapi-features-1/1.0/conf/core",
    f"{_SPEC}/ogcapi-features-1/1.0/conf/geojson",
    f"{_SPEC}/ogcapi-features-1/1.0/conf/html",
    f"{_SPEC}/ogcapi-features-1/1.0/conf/oas30",
    f"{_SPEC}/ogcapi-features-2/1.0/conf/crs",
    f"{_SPEC}/ogcapi-features-3/1.0/conf/queryables",
    f"{_SPEC}/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    *CQL2_CONFORMANCE,
    f"{_SPEC}/ogcapi-tiles-1/1.0/conf/core",
    f"{_SPEC}/ogcapi-tiles-1/1.0/conf/tileset",
    f"{_SPEC}/ogcapi-tiles-1/1.0/conf/tilesets-list",
    f"{_SPEC}/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    f"{_SPEC}/ogcapi-tiles-1/1.0/conf/oas30",
    f"{_SPEC}/ogcapi-tiles-1/1.0/conf/mvt",
    f"{_SPEC}/tms/2.0/conf/tilematrixset",
    f"{_SPEC}/tms/2.0/conf/json-tilematrixset",
]


def link(href: str, rel: str, type_: str, title: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    out.update(extra)
    return out


def landing_page(root: str) -> dict[str, Any]:
    """``/ogc``: what the service is and where everything else is."""
    return {
        "title": "Karte der Nachhaltigkeit – OGC API",
        "description": "Beobachtungen aus Quartiersbegehungen, Aussagen aus Interviews, "
        "Begehungsrouten und Referenzdaten als OGC API Features und Tiles. / Observations "
        "from quarter walkthroughs, interview findings, walkthrough routes and reference data "
        "as OGC API Features and Tiles.",
        "links": [
            link(f"{root}?f=json", "self", JSON, "Diese Seite / this document"),
            link(f"{root}?f=html", "alternate", HTML, "Als HTML / as HTML"),
            link(f"{root}/api", "service-desc", OPENAPI_30, "API-Beschreibung / API definition"),
            link(f"{root}/api.html", "service-doc", HTML, "API-Dokumentation / documentation"),
            link(f"{root}/conformance", "conformance", JSON, "Konformität / conformance"),
            link(f"{root}/collections", "data", JSON, "Sammlungen / collections"),
            link(
                f"{root}/tileMatrixSets",
                REL_TILING_SCHEMES,
                JSON,
                "Kachelschemata / tiling schemes",
            ),
        ],
    }


def conformance() -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


def collection(root: str, layer: Layer, extent: Extent, lang: str = "de") -> dict[str, Any]:
    """One layer as an OGC collection; the extent is that of what the caller may see."""
    base = f"{root}/collections/{layer.id}"
    temporal: dict[str, Any] = {}
    if extent.start or extent.end:
        temporal = {"temporal": {"interval": [[extent.start, extent.end]], "trs": TRS}}
    doc: dict[str, Any] = {
        "id": layer.id,
        "title": layer.title(lang),
        "description": layer.description(lang),
        "itemType": "feature",
        "crs": uris(),
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [list(extent.bounds())], "crs": CRS84}, **temporal},
        "links": [
            link(base, "self", JSON, layer.title(lang)),
            link(f"{base}?f=html", "alternate", HTML),
            link(f"{base}/items", "items", GEOJSON, "Objekte / features"),
            link(f"{base}/items?f=html", "items", HTML, "Objekte als HTML / features as HTML"),
            link(
                f"{base}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                "Filterbare Eigenschaften / queryables",
            ),
            link(f"{base}/tiles", REL_TILESETS, JSON, "Vektorkacheln / vector tiles"),
            link(
                f"{base}/schema",
                "http://www.opengis.net/def/rel/ogc/1.0/schema",
                "application/schema+json",
                "Schema der Objekte / feature schema",
            ),
            link(
                f"{base}/schema.xsd",
                "describedby",
                "application/xml",
                "GML-Anwendungsschema (Geometrietyp) / GML application schema (geometry type)",
            ),
        ],
    }
    types = geometry_types(layer, extent.geometry_types)
    doc["geometryTypes"] = [TITLE_CASE.get(t, t) for t in types]
    doc["geometryFormat"] = geometry_format(types)
    if layer.attribution:
        doc["attribution"] = layer.attribution
    doc.update(collection_sdg(layer))
    return doc


def collections(root: str, docs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "links": [
            link(f"{root}/collections", "self", JSON),
            link(f"{root}/collections?f=html", "alternate", HTML),
        ],
        "collections": docs,
        "crs": uris(),
    }
