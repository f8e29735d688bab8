"""What a file holds before it is imported: columns, the first rows, where the coordinates
are, in which CRS, the encoding and delimiter, the file's own id column.

A planner uploads a spreadsheet from the city and must see at once whether it was read
right: "ISO-8859-1, Semikolon, Rechtswert/Hochwert in EPSG:25832, 212 Zeilen" — or "keine
Koordinaten, aber Straße + Hausnummer: wird über das Ortsverzeichnis verortet". Everything
here only reads; nothing touches the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mapservice.capture.imports.addresses import address_columns
from mapservice.capture.imports.columns import field_columns, numbers, texts
from mapservice.capture.imports.detect import detect_format
from mapservice.capture.imports.keys import detect_id_column, unique_filled
from mapservice.capture.imports.options import ImportOptions
from mapservice.capture.imports.table import (
    coordinate_columns,
    geopoint_geometry,
    read_table,
    sniff_delimiter,
)
from mapservice.errors import InvalidInput
from mapservice.georef.crs import WGS84, area_bounds, transformer
from mapservice.workspace.imports.choices import offered_crs

PREVIEW_ROWS = 10
GERMANY = (5.5, 47.0, 15.5, 55.2)  # lon/lat box the guessed CRS must put the points in
DELIMITERS = {";": "Semikolon / semicolon", ",": "Komma / comma", "\t": "Tabulator / tab",
              "|": "Senkrechter Strich / pipe"}  # fmt: skip
FIELDS = ("title", "kind", "layer_id", "description", "rating", "observed_at", "status")


def encoding_of(data: bytes) -> str:
    """The encoding :func:`mapservice.capture.imports.table.decode` will use."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "ISO-8859-1"  # read as Windows-1252, its superset (Excel's €, „ “)
    return "UTF-8"


def guess_crs(xs: np.ndarray, ys: np.ndarray) -> int | None:
    """The first offered CRS that puts every sampled point inside its own area of use and
    inside Germany; None when none does (the planner must choose)."""
    ok = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[ok][:500], ys[ok][:500]
    if not len(xs):
        return None
    for epsg in (25832, 31467, 31466, 3857, WGS84):
        x0, y0, x1, y1 = area_bounds(epsg)
        if not ((xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)).all():
            continue
        lon, lat = (xs, ys) if epsg == WGS84 else transformer(epsg, WGS84).transform(xs, ys)
        lon, lat = np.asarray(lon), np.asarray(lat)
        w, s, e, n = GERMANY
        if ((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)).all():
            return epsg
    return None


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    head = frame.head(PREVIEW_ROWS)
    return [["" if v is None else str(v)[:120] for v in row] for row in head.itertuples(False)]


def _roles(columns: list[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for fld in FIELDS:
        found = field_columns(columns, fld)
        if found:
            roles.setdefault(found[0], fld)
    return roles


def _table_preview(data: bytes, name: str, fmt: str, options: ImportOptions) -> dict[str, Any]:
    table = read_table(data, name)
    text = data[:65536].decode("utf-8-sig", errors="replace")
    columns = [str(c) for c in table.columns]
    roles = _roles(columns)
    out: dict[str, Any] = {
        "encoding": encoding_of(data),
        "delimiter": sniff_delimiter(text),
        "total_rows": len(table),
        "columns": columns,
        "rows": _cells(table),
    }
    coords: dict[str, Any] = {"kind": "none"}
    crs: dict[str, Any] = {"detected": None, "guess": None, "source": None}
    try:
        x, y, lonlat = coordinate_columns(table, x=options.x, y=options.y, lat=options.lat,
                                          lon=options.lon)  # fmt: skip
        coords = {"kind": "lonlat" if lonlat else "xy", "x": x, "y": y}
        roles[x], roles[y] = ("lon", "lat") if lonlat else ("x", "y")
        xs, ys = numbers(table[x].tolist()), numbers(table[y].tolist())
        if lonlat:
            crs.update(detected=WGS84, guess=WGS84, source="columns")
        else:
            crs.update(guess=guess_crs(xs, ys), source="values")
    except InvalidInput:
        found = geopoint_geometry(table)
        if found is not None:
            coords = {"kind": "geopoint"}
            crs.update(detected=WGS84, guess=WGS84, source="geopoint")
    if coords["kind"] == "none":
        address = address_columns(columns, options.address)
        if address is not None:
            coords = {"kind": "address", **address.as_dict()}
            for column, role in ((address.address, "address"), (address.street, "street"),
                                 (address.number, "housenumber")):  # fmt: skip
                if column:
                    roles[column] = role
    out["coordinates"] = coords
    out["crs"] = crs
    out["id_column"] = detect_id_column(table)
    out["id_candidates"] = [c for c in columns if unique_filled(table[c].tolist())][:20]
    if out["id_column"]:
        roles.setdefault(out["id_column"], "id")
    out["roles"] = roles
    return out


def _geojson_preview(data: bytes, name: str) -> dict[str, Any]:
    from mapservice.capture.imports.geojson import feature_properties, load_features

    features, legacy = load_features(data, name)
    props = feature_properties(features)
    order: dict[str, None] = {}  # the file's order of properties, not a set's
    for f in features[:1000]:
        if isinstance(f, dict) and isinstance(f.get("properties"), dict):
            order.update(dict.fromkeys(f["properties"]))
    order.update(dict.fromkeys(props))
    columns_ = {k: texts(props[k], len(features)) for k in order}
    frame = pd.DataFrame({k: v for k, v in columns_.items() if any(x is not None for x in v)})
    columns = [str(c) for c in frame.columns]
    types = sorted({(f.get("geometry") or {}).get("type", "–") for f in features[:1000]
                    if isinstance(f, dict)})  # fmt: skip
    return {
        "encoding": encoding_of(data), "delimiter": None, "total_rows": len(features),
        "columns": columns, "rows": _cells(frame),
        "coordinates": {"kind": "geometry", "types": types},
        "crs": {"detected": legacy or WGS84, "guess": legacy or WGS84,
                "source": "file" if legacy else "default"},
        "id_column": detect_id_column(frame) if columns else None,
        "id_candidates": [c for c in columns if unique_filled(frame[c].tolist())][:20],
        "roles": _roles(columns),
    }  # fmt: skip


def _geofile_preview(path: Path, name: str) -> dict[str, Any]:
    import pyogrio

    from mapservice.capture.imports.geofile import _layer_name, unreadable

    try:
        layer = _layer_name(path, None)
        info = pyogrio.read_info(path, layer=layer)
        frame = pyogrio.read_dataframe(path, layer=layer, max_features=200)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise unreadable(name, exc) from None
    attributes = pd.DataFrame({c: texts(frame[c], len(frame)) for c in frame.columns
                               if c != frame.geometry.name})  # fmt: skip
    columns = [str(c) for c in attributes.columns]
    epsg = frame.crs.to_epsg() if frame.crs is not None else None
    return {
        "encoding": info.get("encoding") or "UTF-8", "delimiter": None,
        "total_rows": int(info.get("features") or len(frame)), "columns": columns,
        "rows": _cells(attributes),
        "coordinates": {"kind": "geometry", "types": [str(info.get("geometry_type"))]},
        "crs": {"detected": epsg, "guess": epsg, "source": "file" if epsg else None},
        "id_column": detect_id_column(attributes) if columns else None,
        "id_candidates": [c for c in columns if unique_filled(attributes[c].tolist())][:20],
        "roles": _roles(columns),
    }  # fmt: skip


def _gpx_preview(data: bytes, name: str) -> dict[str, Any]:
    from mapservice.capture.imports.gpx import parse

    gpx = parse(data, name)
    points = sum(len(s.points) for t in gpx.tracks for s in t.segments)
    rows = [[w.name or "", w.type or "", f"{w.latitude:.6f}", f"{w.longitude:.6f}"]
            for w in gpx.waypoints[:PREVIEW_ROWS]]  # fmt: skip
    return {
        "encoding": "UTF-8", "delimiter": None, "total_rows": len(gpx.waypoints),
        "columns": ["name", "type", "lat", "lon"], "rows": rows,
        "coordinates": {"kind": "geometry", "types": ["Point", "LineString"],
                        "track_points": points},
        "crs": {"detected": WGS84, "guess": WGS84, "source": "file"},
        "id_column": None, "id_candidates": [], "roles": {"lat": "lat", "lon": "lon"},
    }  # fmt: skip


TARGETS = {"gpx": "walkthrough", "findings": "findings"}


def preview_file(path: Path, name: str, options: ImportOptions) -> dict[str, Any]:
    """The preview of the uploaded file at ``path`` (named ``name`` by the planner)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    fmt = detect_format(name, head, options.format)
    if fmt in ("csv", "odk", "kobo", "findings"):
        body = _table_preview(path.read_bytes(), name, fmt, options)
    elif fmt == "geojson":
        body = _geojson_preview(path.read_bytes(), name)
    elif fmt in ("gpkg", "shp"):
        body = _geofile_preview(path, name)
    else:
        body = _gpx_preview(path.read_bytes(), name)
    body.update(file=name, format=fmt, target=TARGETS.get(fmt, "observations"),
                offered_crs=offered_crs())  # fmt: skip
    body["summary_de"], body["summary_en"] = _summary(body)
    return body


def _summary(body: dict[str, Any]) -> tuple[str, str]:
    coords = body["coordinates"]
    crs = body["crs"].get("detected") or body["crs"].get("guess")
    crs_text = f"EPSG:{crs}" if crs else "?"
    where_de = {
        "xy": f"Koordinaten in {coords.get('x')}/{coords.get('y')} ({crs_text})",
        "lonlat": f"Länge/Breite in {coords.get('x')}/{coords.get('y')}",
        "geopoint": "Geopunkt-Spalte (ODK/Kobo)",
        "geometry": f"Geometrien ({crs_text})",
        "address": "keine Koordinaten, Adressen werden über das Ortsverzeichnis verortet",
        "none": "keine Koordinaten und keine Adresse gefunden",
    }[coords["kind"]]
    where_en = {
        "xy": f"coordinates in {coords.get('x')}/{coords.get('y')} ({crs_text})",
        "lonlat": f"longitude/latitude in {coords.get('x')}/{coords.get('y')}",
        "geopoint": "geopoint column (ODK/Kobo)",
        "geometry": f"geometries ({crs_text})",
        "address": "no coordinates, addresses are placed through the gazetteer",
        "none": "no coordinates and no address found",
    }[coords["kind"]]
    n = body["total_rows"]
    return (f"{body['format'].upper()}, {body['encoding']}, {n} Zeilen; {where_de}.",
            f"{body['format'].upper()}, {body['encoding']}, {n} rows; {where_en}.")  # fmt: skip
