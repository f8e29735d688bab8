"""GeoJSON FeatureCollections → staged columns, points without a shapely object each.

A 100,000-feature file spends most of its reading time in ``json.loads``; after that, one
tight loop takes the coordinates of plain points into two float arrays (PostGIS builds the
points from x/y), and only other geometries go through shapely (to WKB). A feature that cannot
be read becomes a row problem with its number, so the report lists every bad feature at once.
A legacy ``crs`` member (GeoJSON 2008, still written by QGIS for projected data) is honoured.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from mapservice.capture.imports.columns import (
    GeometryColumns,
)
from mapservice.capture.imports.table import empty_file
from mapservice.errors import InvalidInput
from mapservice.georef.crs import parse_epsg

_NUMBER = (int, float)


def malformed(name: str, detail: str) -> InvalidInput:
    return InvalidInput(
        f"GeoJSON-Datei {name} ist nicht lesbar: {detail}",
        f"GeoJSON file {name} cannot be read: {detail}",
        code="malformed_geojson",
    )


def load_features(data: bytes, name: str) -> tuple[list[Any], int | None]:
    """The features of a FeatureCollection (or a single Feature) and its legacy CRS."""
    if not data.strip():
        raise empty_file(name)
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" (Zeile/line {exc.lineno}, Spalte/column {exc.colno})" if hasattr(
            exc, "lineno") else ""  # fmt: skip
        raise malformed(name, f"{getattr(exc, 'msg', str(exc))[:120]}{where}") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise malformed(name, f"FeatureCollection erwartet / expected, nicht / not {kind!r}")
    features = doc.get("features")
    if not isinstance(features, list):
        raise malformed(name, "'features' ist keine Liste / is not a list")
    if not features:
        raise empty_file(name)
    return features, _legacy_crs(doc.get("crs"))


def _legacy_crs(member: Any) -> int | None:
    if not isinstance(member, dict):
        return None
    props = member.get("properties")
    name = props.get("name") if isinstance(props, dict) else None
    return parse_epsg(str(name)) if name else None


def feature_geometry(features: list[Any]) -> GeometryColumns:
    """x/y for plain points, WKB for other geometries, a problem for unreadable ones."""
    n = len(features)
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    others: dict[int, Any] = {}
    point_x: list[float] = []
    point_y: list[float] = []
    point_i: list[int] = []
    for i, feature in enumerate(features):
        geom = feature.get("geometry") if type(feature) is dict else None
        if type(geom) is dict and geom.get("type") == "Point":
            c = geom.get("coordinates")
            if (type(c) is list and 2 <= len(c) <= 3 and type(c[0]) in _NUMBER
                    and type(c[1]) in _NUMBER):  # fmt: skip
                point_i.append(i)
                point_x.append(c[0])
                point_y.append(c[1])
                continue
        if geom is not None or type(feature) is not dict:
            others[i] = geom
    xs[point_i] = point_x
    ys[point_i] = point_y
    result = GeometryColumns.points(xs, ys)
    bad = ~np.isfinite(xs[point_i]) | ~np.isfinite(ys[point_i])
    problems: dict[int, str] = {point_i[k]: "NaN/Infinity" for k in np.flatnonzero(bad)}
    wkbs: dict[int, bytes] = {}
    for i, geom in others.items():
        try:
            shp = shape(geom)
            coords = shapely.get_coordinates(shp)
            if not np.isfinite(coords).all():
                raise ValueError("NaN/Infinity")
            wkbs[i] = shapely.to_wkb(shp)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError,
                shapely.errors.GEOSException) as exc:  # fmt: skip
            problems[i] = f"{type(geom).__name__ if not isinstance(geom, dict) else ''}{exc}"[:80]
    if wkbs:
        result.wkb = [wkbs.get(i) for i in range(n)]
    if problems:
        result.problem = ["geometry_malformed" if i in problems else None for i in range(n)]
        result.detail = [problems.get(i) for i in range(n)]
        for i in problems:
            result.x[i] = result.y[i] = np.nan
    return result


def feature_properties(features: list[Any]) -> dict[str, list[Any]]:
    """Column-wise properties; a UUID feature ``id`` fills an empty ``id`` property."""
    props = [
        f.get("properties") if type(f) is dict and type(f.get("properties")) is dict else {}
        for f in features
    ]
    keys: set[str] = set()
    for p in props:
        keys.update(p)
    frame = {key: [p.get(key) for p in props] for key in keys}
    feature_ids = [f.get("id") if type(f) is dict else None for f in features]
    if any(v is not None for v in feature_ids):
        own = frame.get("id", [None] * len(props))
        frame["id"] = [
            o if o not in (None, "") else (fid if _looks_like_uuid(fid) else None)
            for o, fid in zip(own, feature_ids, strict=True)
        ]
    return frame


def _looks_like_uuid(value: Any) -> bool:
    return isinstance(value, str) and len(value.replace("-", "").removeprefix("uuid:")) == 32
