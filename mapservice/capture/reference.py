"""Planners' reference layers (schools, Kitas, ISEK areas …) from any file GDAL reads.

Reference data comes in the CRS the city publishes (usually EPSG:25832) with its own columns;
we keep all columns as JSONB properties so popups can show what the source had.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely import wkb
from sqlalchemy import Connection, text

from mapservice.capture.reasons import refuse
from mapservice.catalog import Catalog, LayerSource
from mapservice.errors import InvalidInput


def _jsonable(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def read_reference(
    path: Path | str,
    *,
    crs: str | None = None,
    x: str | None = None,
    y: str | None = None,
    sep: str = ";",
) -> gpd.GeoDataFrame:
    """Read a Shapefile/GeoPackage/GeoJSON, or a CSV with x/y columns in ``crs``."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        import pandas as pd

        if not (x and y and crs):
            raise InvalidInput(
                "Für CSV werden die Spalten für x und y und das Koordinatensystem gebraucht "
                "(--x, --y, --crs).",
                "A CSV needs the x and y columns and the CRS (--x, --y, --crs).",
                code="csv_columns_required",
            )
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
        missing = [c for c in (x, y) if c not in frame.columns]
        if missing:
            raise InvalidInput(
                f"Spalte(n) {', '.join(missing)} fehlen; vorhanden: {', '.join(frame.columns)}.",
                f"Column(s) {', '.join(missing)} missing; present: {', '.join(frame.columns)}.",
                code="csv_columns_missing",
            )
        xs = pd.to_numeric(frame[x].str.replace(",", "."), errors="coerce")
        ys = pd.to_numeric(frame[y].str.replace(",", "."), errors="coerce")
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xs, ys), crs=crs)
    frame = gpd.read_file(path)
    if crs:
        frame = frame.set_crs(crs, allow_override=True)
    if frame.crs is None:
        raise InvalidInput(
            f"{path.name} hat kein Koordinatensystem (.prj fehlt); mit --crs angeben.",
            f"{path.name} has no CRS (missing .prj); give it with --crs.",
            code="crs_missing",
        )
    return frame


def import_reference(
    conn: Connection,
    catalog: Catalog,
    layer_id: str,
    frame: gpd.GeoDataFrame,
    *,
    source: str,
    replace: bool = True,
) -> int:
    """Write ``frame`` as reference features of ``layer_id``; replaces the same source."""
    layer = catalog.get(layer_id)
    if layer.source != LayerSource.REFERENCE:
        raise refuse("unknown_layer", f"{layer_id} ist keine Referenzebene")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    frame = frame.to_crs(4326)
    if replace:
        conn.execute(
            text("DELETE FROM reference_feature WHERE layer_id = :l AND source = :s"),
            {"l": layer_id, "s": source},
        )
    columns = [c for c in frame.columns if c != frame.geometry.name]
    rows = [
        {
            "l": layer_id,
            "s": source,
            "g": wkb.dumps(geom),
            "p": json.dumps({c: _jsonable(v) for c, v in zip(columns, values, strict=True)}),
        }
        for geom, values in zip(frame.geometry, frame[columns].itertuples(index=False), strict=True)
        if geom.is_valid
    ]
    if rows:
        conn.execute(
            text(
                "INSERT INTO reference_feature (layer_id, source, geom, properties, quarter_id) "
                "SELECT :l, :s, g, CAST(:p AS jsonb), (SELECT q.id FROM quarter q "
                "WHERE ST_Covers(q.boundary, g) LIMIT 1) FROM ST_GeomFromWKB(:g, 4326) AS g"
            ),
            rows,
        )
    return len(rows)
