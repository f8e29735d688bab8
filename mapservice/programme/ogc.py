"""The OGC API Features collection ``massnahmen``: measures with a geometry, as GeoJSON.

Measures are not a layer of the catalogue (they have no kind, their popup is the Sachstand
and the progress), so the items are built here from the same service functions as
``/api/measures``: the same visibility (the public reads published measures only) and the
same figures. Their tiles are served by the tile machinery (``LayerSource.MEASURES``,
mapservice/programme/layer.py); ``filter`` and the queryables are in
mapservice/programme/queryables.py.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.errors import InvalidInput, NotFound
from mapservice.ogc.crs import CRS84, uris
from mapservice.ogc.documents import GEOJSON, JSON, REL_TILESETS, link
from mapservice.ogc.filter_params import FILTER_PARAMS
from mapservice.programme.measures import MeasureFilter, get_measure, list_measures, visible_sql
from mapservice.programme.queryables import measure_condition
from mapservice.programme.vocab import DIMENSIONS, PHASES, STATES

COLLECTION = "massnahmen"
TITLE = "Maßnahmen (Handlungsprogramm)"
DESCRIPTION = (
    "Maßnahmen des Handlungsprogramms mit Phase, Status, Fortschritt (Teilmaßnahmen "
    "gewichtet), Gewicht und aktuellem Sachstand. / Measures of the action programme with "
    "phase, status, progress (weighted over sub-measures), weight and current state."
)
PARAMS = frozenset(
    {"f", "limit", "offset", "bbox", "quarter", "phase", "status", "dimension", "layer"}
    | set(FILTER_PARAMS)
)
QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
PROPERTIES = (
    "external_id",
    "reference",
    "title",
    "description",
    "phase",
    "phase_label",
    "status",
    "status_label",
    "progress",
    "progress_basis",
    "weight",
    "parent_id",
    "quarters",
    "layers",
    "dimensions",
    "responsible",
    "start_date",
    "end_date",
    "budget",
    "sachstand",
)


WORLD = [-180.0, -90.0, 180.0, 90.0]


def extent(conn: Connection, geom: str, from_where: str) -> list[float]:
    """The bounding box of ``geom`` over ``from_where`` (trusted SQL), the world when empty."""
    row = conn.execute(
        text(
            f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
            f"ST_Extent({geom}) AS e FROM {from_where}) s"
        )
    ).one()
    return [float(v) for v in row] if row[0] is not None else list(WORLD)


def collection_doc(
    root: str,
    collection_id: str,
    title: str,
    description: str,
    bbox: list[float] | None,
    extra_links: tuple[tuple[str, str, str, str], ...] = (),
) -> dict[str, Any]:
    """An OGC collection document of a built-in collection (massnahmen, akteure).

    ``extra_links``: (path below the collection, rel, media type, title).
    """
    base = f"{root}/collections/{collection_id}"
    return {
        "id": collection_id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": uris(),
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [bbox or list(WORLD)], "crs": CRS84}},
        "links": [
            link(base, "self", JSON, title),
            link(f"{base}/items", "items", GEOJSON, "Objekte / features"),
            *(link(f"{base}/{path}", rel, media, name) for path, rel, media, name in extra_links),
        ],
    }


def collection(root: str, conn: Connection | None = None, viewer: Viewer | None = None) -> dict:
    """The collection document; without a connection the extent is the whole world."""
    bbox = None
    if conn is not None and viewer is not None:
        bbox = extent(conn, "m.geom", f"measure m WHERE {visible_sql(viewer)}")
    extra = (
        ("queryables", QUERYABLES, "application/schema+json", "Queryables"),
        ("tiles", REL_TILESETS, JSON, "Vektorkacheln / vector tiles"),
    )
    return collection_doc(root, COLLECTION, TITLE, DESCRIPTION, bbox, extra)


def _bad(name: str, de: str, en: str) -> InvalidInput:
    return InvalidInput(
        f"Parameter {name}: {de}", f"Parameter {name}: {en}", code=f"invalid_{name}"
    )


def _choice(query: dict[str, str], name: str, allowed: Any) -> str | None:
    value = query.get(name)
    if value is not None and value not in allowed:
        raise _bad(name, f"erlaubt sind {', '.join(allowed)}.", f"allowed: {', '.join(allowed)}.")
    return value


def _int(query: dict[str, str], name: str, default: int, hi: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 0 <= int(raw) <= hi:
        raise _bad(name, f"ganze Zahl 0–{hi}.", f"a whole number 0–{hi}.")
    return int(raw)


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    try:
        x0, y0, x1, y1 = (float(p) for p in raw.split(","))
    except ValueError:
        x0 = y0 = x1 = y1 = math.nan
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or not (
        -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90
    ):
        raise _bad(
            "bbox",
            "vier Zahlen minLänge,minBreite,maxLänge,maxBreite (WGS 84).",
            "four numbers minLon,minLat,maxLon,maxLat (WGS 84).",
        )
    return (x0, y0, x1, y1)


def check_params(query: dict[str, str]) -> None:
    unknown = sorted(set(query) - PARAMS)
    if unknown:
        names = ", ".join(unknown)[:200]
        raise InvalidInput(
            f"Unbekannte Parameter: {names} (möglich: {', '.join(sorted(PARAMS))}).",
            f"Unknown parameters: {names} (possible: {', '.join(sorted(PARAMS))}).",
            code="unknown_parameter",
        )
    if query.get("f", "json") not in ("json", "geojson"):
        raise _bad("f", "nur json.", "json only.")


def _feature(m: dict[str, Any]) -> dict[str, Any]:
    props = {k: m[k] for k in PROPERTIES}
    props["responsible_actor"] = (m.get("responsible_actor") or {}).get("name")
    return {"type": "Feature", "id": str(m["id"]), "geometry": m["geometry"], "properties": props}


def items(conn: Connection, viewer: Viewer, root: str, query: dict[str, str]) -> dict[str, Any]:
    """One page of the collection's features, with numberMatched/numberReturned and links."""
    check_params(query)
    limit = max(1, _int(query, "limit", 100, 1000))
    offset = _int(query, "offset", 0, 10_000_000)
    condition, condition_params = measure_condition(conn, viewer, query) or (None, {})
    flt = MeasureFilter(
        quarter=query.get("quarter"),
        phase=_choice(query, "phase", PHASES),
        status=_choice(query, "status", STATES),
        dimension=_choice(query, "dimension", DIMENSIONS),
        layer=query.get("layer"),
        located=True,
        bbox=_bbox(query.get("bbox")),
        condition=condition,
        condition_params=condition_params,
        limit=limit,
        offset=offset,
    )
    rows, matched = list_measures(conn, viewer, flt)
    return feature_page(root, COLLECTION, query, [_feature(m) for m in rows], matched, offset)


def feature_page(
    root: str,
    collection: str,
    query: dict[str, str],
    features: list[dict[str, Any]],
    matched: int,
    offset: int,
) -> dict[str, Any]:
    """One page of items with self/next links that keep the query (also for ``akteure``)."""
    base = f"{root}/collections/{collection}/items"
    keep = {k: v for k, v in query.items() if k not in ("offset", "f")}
    links = [link(f"{base}?{urlencode({**keep, 'offset': offset})}", "self", GEOJSON)]
    if offset + len(features) < matched:
        after = {**keep, "offset": offset + len(features)}
        links.append(link(f"{base}?{urlencode(after)}", "next", GEOJSON))
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }


def located_or_404(found: dict[str, Any] | None, raw_id: str) -> dict[str, Any]:
    """The entry when it exists, is visible and has a place: only those are features."""
    if found is None or found["geometry"] is None:
        raise NotFound(
            f"Objekt {raw_id[:64]} nicht gefunden.",
            f"Feature {raw_id[:64]} not found.",
            code="not_found",
        )
    return found


def item(conn: Connection, viewer: Viewer, raw_id: str) -> dict[str, Any]:
    """One feature, or 404 when it does not exist, has no geometry or is not visible."""
    try:
        found = get_measure(conn, viewer, uuid.UUID(raw_id))
    except (ValueError, NotFound):
        found = None
    return _feature(located_or_404(found, raw_id))
