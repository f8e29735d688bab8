"""Planners' reference layers (schools, Kitas, playgrounds …) from a file, checked per row.

``capture.reference.import_reference`` writes a GeoDataFrame; this module first checks every
feature the way observations are checked — present, valid, inside the area of use of its CRS
before transforming, on Earth after — so a file in the wrong CRS is refused with row numbers
instead of landing in the sea off Africa. Re-importing a file replaces what the same file
(the same source name) brought before, so it never duplicates.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from mapservice.capture.bulk import ImportReport, Refusal
from mapservice.capture.imports.reference_upsert import upsert_reference
from mapservice.capture.imports.table import coordinate_columns, xy_geometry
from mapservice.capture.reasons import reason_text
from mapservice.capture.reference import import_reference
from mapservice.catalog import Catalog
from mapservice.georef.crs import WGS84, area_bounds, transformer


def frame_from_table(
    table: pd.DataFrame, *, epsg: int, x: str | None, y: str | None, lat: str | None,
    lon: str | None,
) -> gpd.GeoDataFrame:  # fmt: skip
    """A GeoDataFrame of points from a CSV table (unreadable coordinates → no geometry)."""
    xcol, ycol, _ = coordinate_columns(table, x=x, y=y, lat=lat, lon=lon)
    geometry = xy_geometry(table, xcol, ycol)
    points = shapely.points(geometry.x, geometry.y)
    points[np.isnan(geometry.x) | np.isnan(geometry.y)] = None
    return gpd.GeoDataFrame(table, geometry=points, crs=epsg)


def check_frame(
    frame: gpd.GeoDataFrame, epsg: int, problems: list[str | None] | None = None,
    problem_details: list[str | None] | None = None,
) -> tuple[list[Refusal], np.ndarray]:  # fmt: skip
    """Refusals per row and the geometries in EPSG:4326 (None where refused).

    ``problems`` are codes a reader found before (an address the gazetteer did not know)."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    n = len(geoms)
    codes = np.full(n, None, dtype=object)
    details = np.full(n, "", dtype=object)
    if problems is not None:
        codes[:] = problems
        details[:] = [d or "" for d in (problem_details or [""] * n)]

    def refuse(mask: np.ndarray, code: str) -> None:
        codes[mask & pd.isna(codes)] = code

    geoms[~pd.isna(codes)] = None
    refuse(shapely.is_missing(geoms), "geometry_missing")
    refuse(shapely.is_empty(geoms) & pd.isna(codes), "geometry_empty")
    candidates = pd.isna(codes)
    invalid = np.zeros(n, dtype=bool)
    invalid[candidates] = ~shapely.is_valid(geoms[candidates])
    refuse(invalid, "geometry_invalid")
    details[invalid] = shapely.is_valid_reason(geoms[invalid]) if invalid.any() else []
    bounds = np.full((n, 4), np.nan)
    ok = pd.isna(codes)
    bounds[ok] = shapely.bounds(geoms[ok])
    if epsg != WGS84:
        x0, y0, x1, y1 = area_bounds(epsg)
        outside = ok & ((bounds[:, 0] < x0) | (bounds[:, 2] > x1) | (bounds[:, 1] < y0)
                        | (bounds[:, 3] > y1))  # fmt: skip
        refuse(outside, "outside_crs_area")
        ok = pd.isna(codes)
        tr = transformer(epsg, WGS84)

        def apply(coords: np.ndarray) -> np.ndarray:
            xs, ys = tr.transform(coords[:, 0], coords[:, 1], errcheck=False)
            return np.column_stack([xs, ys])

        geoms = geoms.copy()
        geoms[ok] = shapely.transform(geoms[ok], apply)
        bounds[ok] = shapely.bounds(geoms[ok])
    world = ok & ~((bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) & (bounds[:, 1] >= -90)
                   & (bounds[:, 3] <= 90))  # fmt: skip
    refuse(world, "outside_world")
    refusals = []
    for i in np.flatnonzero(~pd.isna(codes)):
        de, en = reason_text(str(codes[i]), str(details[i]))
        refusals.append(Refusal(int(i) + 1, str(codes[i]), de, en))
    geoms[~pd.isna(codes)] = None
    return refusals, geoms


def load_reference(
    conn: Connection,
    catalog: Catalog,
    layer_id: str,
    frame: gpd.GeoDataFrame,
    *,
    epsg: int,
    source: str,
    dry_run: bool,
    skip_invalid: bool,
    keys: list[str | None] | None = None,
    methods: list[str | None] | None = None,
    problems: tuple[list[str | None], list[str | None]] | None = None,
) -> tuple[ImportReport, int]:
    """Check and write reference features; returns the report and how many rows the same
    source had before (they are replaced — or, with ``keys`` from the file's own id column,
    updated where changed, and removed where the file no longer has them)."""
    report = ImportReport(read=len(frame), dry_run=dry_run)
    report.refused, geoms = check_frame(frame, epsg, *(problems or (None, None)))
    if keys is not None:
        return upsert_reference(
            conn, layer_id, frame, geoms, source=source, keys=keys, methods=methods,
            report=report, skip_invalid=skip_invalid,
        )  # fmt: skip
    before = int(
        conn.execute(
            text("SELECT count(*) FROM reference_feature WHERE layer_id = :l AND source = :s"),
            {"l": layer_id, "s": source},
        ).scalar_one()
    )
    if dry_run or (report.refused and not skip_invalid):
        report.existing = min(before, report.read - len(report.refused))
        return report, before
    keep = np.array([g is not None for g in geoms], dtype=bool)
    clean = gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name)[keep],
                             geometry=list(geoms[keep]), crs=WGS84)  # fmt: skip
    written = import_reference(conn, catalog, layer_id, clean, source=source, replace=True)
    report.inserted = max(written - before, 0)
    report.existing = min(written, before)
    return report, before
