"""Exports of a quarter's layers for planners (QGIS, spreadsheets) and for the public.

Three formats, one selection: GeoPackage (one table per layer, what QGIS opens best),
GeoJSON (RFC 7946: lon/lat, counter-clockwise outer rings, no ``crs`` member) and CSV (WKT
plus lon/lat columns for points, so a spreadsheet can place them too).

Who sees what follows the rules of the API and the tiles: planners and admins export every
row with its exact geometry and author; everybody else gets published rows only, the public
geometry of findings (never the house of an interviewee, no place text that names a home), and
no author. No export ever contains interview contacts or pseudonyms: the interview is joined
for its group and date only.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from sqlalchemy import Connection, text

from mapservice.access import Viewer, finding_visibility, observation_visibility, scope_sql
from mapservice.capture.gpkg_styles import symbol_type, write_styles
from mapservice.catalog import Catalog, Layer, LayerSource, UnknownLayer
from mapservice.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    import geopandas as gpd

FORMATS = {
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
}
ALL_LAYERS = ("alle", "all")

_OBSERVATIONS = """
SELECT o.id::text AS id, o.layer_id AS layer, o.kind, o.rating, o.title, o.description,
       o.status, o.observed_at, o.accuracy_m, o.walkthrough_id::text AS walkthrough,
       o.created_at, o.updated_at{author}, ST_AsBinary(o.geom) AS geom
  FROM observation o
 WHERE o.quarter_id = :q AND o.layer_id = :layer AND ({visible})
 ORDER BY o.observed_at NULLS LAST, o.id
"""
_FINDINGS = """
SELECT f.id::text AS id, array_to_string(f.layer_ids, ',') AS layers, f.kind,
       {statement} AS statement,
       {place} AS place_text, f.status, i.participant_group, {held_on} AS held_on{exact},
       ST_AsBinary({geom}) AS geom
  FROM finding f JOIN interview i ON i.id = f.interview_id
 WHERE f.quarter_id = :q AND ({visible})
 ORDER BY i.held_on, f.id
"""
_WALKTHROUGHS = """
SELECT w.id::text AS id, w.title, w.started_at, w.ended_at, w.residents, w.multipliers,
       w.experts, w.administration{planner},
       round((SELECT max(ST_Length(d.geom::geography)) FROM ST_Dump(w.track) d)::numeric,
             1)::float AS length_m,  -- the longest recording (tracks.py)
       ST_AsBinary(w.track) AS geom
  FROM walkthrough w
 WHERE w.quarter_id = :q AND w.track IS NOT NULL
 ORDER BY w.started_at, w.id
"""
_REFERENCE = """
SELECT r.id, r.source, r.properties::text AS properties, ST_AsBinary(r.geom) AS geom
  FROM reference_feature r
 WHERE r.layer_id = :layer
   AND ST_Intersects(r.geom, (SELECT boundary FROM quarter WHERE id = :q))
 ORDER BY r.id
"""


@dataclass
class LayerExport:
    """The rows of one layer: attribute columns and WKB geometries (EPSG:4326)."""

    layer: Layer
    columns: list[str]
    rows: list[tuple[Any, ...]]
    geoms: list[bytes | None]


def export_layers(catalog: Catalog, layer_id: str | None, viewer: Viewer) -> list[Layer]:
    """The layers to export: one, or all the viewer may see. A layer the viewer may not see
    is reported as unknown, as the tiles do (its existence is not revealed)."""
    visible = [lay for lay in catalog if lay.public or not viewer.is_public]
    if viewer.sees_everything and viewer.layers is not None:
        # a restricted planner exports only its observation layers (findings are filtered
        # by their layers row by row; reference data and walkthroughs are not restricted)
        allowed = viewer.layers
        visible = [
            lay for lay in visible if lay.source != LayerSource.OBSERVATIONS or lay.id in allowed
        ]
        if layer_id in catalog and layer_id not in {lay.id for lay in visible}:
            viewer.require_scope(layers=layer_id)
    if layer_id is None or layer_id in ALL_LAYERS:
        return visible
    if layer_id not in {lay.id for lay in visible}:
        raise UnknownLayer(layer_id, [lay.id for lay in visible])
    return [catalog.get(layer_id)]


def quarter_id(conn: Connection, slug: str) -> int:
    found = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"), {"s": slug}).scalar()
    if found is None:
        raise NotFound(f"Quartier {slug!r} gibt es nicht.", f"Quarter {slug!r} does not exist.",
                       code="unknown_quarter")  # fmt: skip
    return int(found)


def _query(layer: Layer, viewer: Viewer) -> tuple[str, dict[str, Any]]:
    """The export's SQL, with the visibility rules of ``access`` (the same as API and tiles)."""
    planner = viewer.sees_everything
    if layer.source == LayerSource.OBSERVATIONS:
        if planner:  # a planner's export holds its own layers/quarters ("true" unless restricted)
            visible, params = scope_sql(viewer, "o"), {}
        else:
            visible = observation_visibility(viewer, "o", ":me")
            params = {"me": viewer.name} if viewer.role == "field" else {}
        author = ", o.author" if planner else ""
        return _OBSERVATIONS.format(author=author, visible=visible), params
    if layer.source == LayerSource.FINDINGS:
        view = finding_visibility(viewer, "f")
        if planner:
            return _FINDINGS.format(
                place="f.place_text", statement="f.statement", geom="f.geom",
                visible=scope_sql(viewer, "f", layer_array=True), held_on="i.held_on",
                exact=", f.georef_method, f.georef_confidence, f.needs_review",
            ), {}  # fmt: skip
        exact = ""
        visible = f"{view.visible} AND {view.geom} IS NOT NULL"
        held_on = f"to_char(i.held_on, '{view.held_format}')"
        return _FINDINGS.format(
            place=view.place, statement=view.statement, geom=view.geom, exact=exact,
            visible=visible, held_on=held_on,
        ), {}  # fmt: skip
    if layer.source == LayerSource.WALKTHROUGHS:
        return _WALKTHROUGHS.format(planner=", w.team, w.author" if planner else ""), {}
    return _REFERENCE, {}


def collect(
    conn: Connection, catalog: Catalog, quarter: str, layer_id: str | None, viewer: Viewer
) -> list[LayerExport]:
    """The rows of the quarter's layers as ``viewer`` may see them."""
    qid = quarter_id(conn, quarter)
    if viewer.sees_everything:
        viewer.require_scope(quarter_id=qid)
    exports = []
    for layer in export_layers(catalog, layer_id, viewer):
        sql, params = _query(layer, viewer)
        result = conn.execute(text(sql), {"q": qid, "layer": layer.id, **params})
        columns = list(result.keys())[:-1]  # every query ends with the geometry
        rows, geoms = [], []
        for row in result:
            rows.append(tuple(row[:-1]))
            geoms.append(bytes(row[-1]) if row[-1] is not None else None)
        if layer.source == LayerSource.REFERENCE:
            columns, rows = _flatten_reference(columns, rows)
        exports.append(LayerExport(layer, columns, rows, geoms))
    return exports


def _flatten_reference(
    columns: list[str], rows: list[tuple[Any, ...]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The source's own columns (kept as JSON) become columns of the export again."""
    props = [json.loads(r[2]) for r in rows]
    keys: list[str] = []
    for p in props:
        keys += [k for k in p if k not in keys and k not in ("id", "source")]
    flat = [(r[0], r[1], *(p.get(k) for k in keys)) for r, p in zip(rows, props, strict=True)]
    return ["id", "source", *keys], flat


def _frame(export: LayerExport) -> gpd.GeoDataFrame:
    import geopandas as gpd  # GeoPackage only: GeoJSON and CSV need no pandas

    geoms = shapely.from_wkb(np.array(export.geoms, dtype=object))
    data = {c: [r[i] for r in export.rows] for i, c in enumerate(export.columns)}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=4326)


def write_gpkg(exports: Iterable[LayerExport], path: Path) -> None:
    """One GeoPackage table per layer (empty layers too, so QGIS shows what exists), each
    with the map's style as its default in ``layer_styles`` (:mod:`.gpkg_styles`)."""
    import pyogrio  # GDAL, loaded by the first GeoPackage export

    styled = []
    for export in exports:
        frame = _frame(export)
        type_ids = shapely.get_type_id(frame.geometry.array[~frame.geometry.isna()])
        geometry_type = "Unknown" if len(set(type_ids)) != 1 else None
        pyogrio.write_dataframe(
            frame, path, layer=export.layer.id, driver="GPKG", append=path.exists(),
            geometry_type=geometry_type,
        )  # fmt: skip
        styled.append((export.layer, symbol_type(type_ids)))
    if path.exists():
        write_styles(path, styled)  # QGIS opens every table styled as on our map


def _value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def geojson_text(exports: Iterable[LayerExport]) -> str:
    """One FeatureCollection (RFC 7946) with a ``layer`` property on every feature."""
    parts = []
    for export in exports:
        geoms = shapely.from_wkb(np.array(export.geoms, dtype=object))
        geoms = shapely.orient_polygons(geoms, exterior_cw=False)
        texts = shapely.to_geojson(geoms)
        for row, geometry in zip(export.rows, texts.tolist(), strict=True):
            props = {"layer": export.layer.id}
            props.update({c: _value(v) for c, v in zip(export.columns, row, strict=True)})
            props.setdefault("layer", export.layer.id)
            parts.append(
                f'{{"type":"Feature","id":{json.dumps(str(row[0]))},'
                f'"geometry":{geometry or "null"},"properties":'
                f"{json.dumps(props, ensure_ascii=False, default=str)}}}"
            )
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def csv_text(exports: Iterable[LayerExport]) -> str:
    """All layers in one table: ``layer`` first, the union of columns, WKT and lon/lat."""
    exports = list(exports)
    columns: list[str] = []
    for export in exports:
        columns += [c for c in export.columns if c not in columns and c != "layer"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["layer", *(neutralise(str(c)) for c in columns), "lon", "lat", "wkt"])
    for export in exports:
        geoms = shapely.from_wkb(np.array(export.geoms, dtype=object))
        points = shapely.get_type_id(geoms) == 0
        xs, ys = shapely.get_x(geoms), shapely.get_y(geoms)
        wkts = shapely.to_wkt(geoms, rounding_precision=7, trim=True)
        for k, row in enumerate(export.rows):
            values = dict(zip(export.columns, row, strict=True))
            lon = round(float(xs[k]), 7) if points[k] else ""
            lat = round(float(ys[k]), 7) if points[k] else ""
            writer.writerow([export.layer.id, *(_csv(values.get(c)) for c in columns), lon, lat,
                             wkts[k] or ""])  # fmt: skip
    return out.getvalue()


# OWASP "CSV Injection": a cell a spreadsheet would read as a formula starts with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise(value: str) -> str:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe.

    ``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``, ``+1+cmd…``, ``-2+3``, ``@SUM(…)`` and texts
    starting with a tab or CR are shown as text, as OWASP recommends; a plain number written
    as text ("-5", "+3.2") stays as it is, since no spreadsheet runs it.
    """
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv(value: Any) -> Any:
    value = _value(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return value  # numbers (a negative rating too) are written as numbers


def export_bytes(exports: list[LayerExport], fmt: str) -> bytes:
    """The export as file content in ``fmt`` (gpkg, geojson or csv)."""
    if fmt == "geojson":
        return geojson_text(exports).encode()
    if fmt == "csv":
        return ("\ufeff" + csv_text(exports)).encode()  # BOM: Excel then reads UTF-8
    if fmt == "gpkg":
        with tempfile.TemporaryDirectory(prefix="karte-export-") as folder:
            path = Path(folder) / "export.gpkg"
            write_gpkg(exports, path)
            return path.read_bytes()
    raise InvalidInput(
        f"Unbekanntes Exportformat {fmt!r} (gpkg, geojson, csv).",
        f"Unknown export format {fmt!r} (gpkg, geojson, csv).",
        code="invalid_option",
    )


def counts(exports: Iterable[LayerExport]) -> dict[str, int]:
    return {e.layer.id: len(e.rows) for e in exports}
