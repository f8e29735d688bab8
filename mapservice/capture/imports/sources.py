"""Where observation rows come from: a file → its CRS and its rows in chunks of staged columns.

Chunks let the database check and write one part of a file while the next part is being
converted (see :mod:`mapservice.capture.imports.pipeline`); each chunk carries the row numbers
of the file, so refusals name the row a planner sees in their spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mapservice.capture.imports.columns import (
    GeometryColumns,
    ObservationColumns,
    observation_columns,
    part,
)
from mapservice.capture.imports.geofile import frame_geometry, read_geofile
from mapservice.capture.imports.geojson import feature_geometry, feature_properties
from mapservice.capture.imports.geojson_stream import FeatureStream
from mapservice.capture.imports.options import ImportOptions
from mapservice.capture.imports.table import (
    coordinate_columns,
    geopoint_geometry,
    read_table,
    xy_geometry,
)
from mapservice.errors import InvalidInput
from mapservice.georef.crs import WGS84

CHUNK_ROWS = 16_384


@dataclass
class ObservationSource:
    """A file's observations: how many, in which CRS, and the chunks (read lazily)."""

    total: int
    epsg: int
    chunks: Iterator[ObservationColumns]


def observation_source(
    path: Path, name: str, fmt: str, options: ImportOptions, chunk_rows: int | None = None
) -> ObservationSource:
    """Open the file and check its structure now (errors before anything is staged)."""
    defaults = options.defaults()
    chunk_rows = chunk_rows or CHUNK_ROWS
    if fmt == "geojson":
        stream = FeatureStream(path.read_bytes(), name)
        epsg = options.epsg or stream.crs or WGS84

        def geojson_chunks() -> Iterator[ObservationColumns]:
            first = 1
            for chunk in stream.chunks(chunk_rows):
                geometry = feature_geometry(chunk).to_wgs84(epsg)
                props = feature_properties(chunk)
                yield observation_columns(props, len(chunk), geometry, defaults, first_row=first)
                first += len(chunk)

        return ObservationSource(stream.estimate(), epsg, geojson_chunks())
    if fmt in ("gpkg", "shp"):
        frame, epsg = read_geofile(path, name, epsg=options.epsg, layer=options.layer)
        attributes = {c: frame[c] for c in frame.columns if c != frame.geometry.name}
        geometry = frame_geometry(frame).to_wgs84(epsg)
        return ObservationSource(len(frame), epsg, _chunks(attributes, geometry, len(frame),
                                                          defaults, chunk_rows))  # fmt: skip
    if fmt not in ("csv", "odk", "kobo"):
        raise InvalidInput(
            f"Format {fmt} ist hier nicht möglich.", f"Format {fmt} is not possible here.",
            code="invalid_option",
        )  # fmt: skip
    table = read_table(path.read_bytes(), name)
    geometry, attributes, epsg = csv_geometry(table, fmt, options)
    geometry.to_wgs84(epsg)
    chunks = _chunks(attributes, geometry, len(table), defaults, chunk_rows, kobo=fmt == "kobo")
    return ObservationSource(len(table), epsg, chunks)


def _chunks(
    attributes: dict[str, Any], geometry: GeometryColumns, n: int, defaults: dict[str, Any],
    chunk_rows: int, *, kobo: bool = False,
) -> Iterator[ObservationColumns]:  # fmt: skip
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        cut = {name: part(values, start, stop) for name, values in attributes.items()}
        yield observation_columns(cut, stop - start, geometry.part(start, stop), defaults,
                                  first_row=start + 1, kobo=kobo)  # fmt: skip


def csv_geometry(
    table: pd.DataFrame, fmt: str, options: ImportOptions
) -> tuple[GeometryColumns, dict[str, Any], int]:
    """Points of a CSV: named columns (options), an ODK/Kobo geopoint, or columns found by
    their names (lat/lon, x/y); x/y need a CRS."""
    attributes: dict[str, Any] = dict(table.items())
    if not (options.x or options.lat):
        found = geopoint_geometry(table) if fmt in ("odk", "kobo") else None
        if found is None:
            try:
                coordinate_columns(table, x=None, y=None, lat=None, lon=None)
            except InvalidInput:
                found = geopoint_geometry(table)
                if found is None:
                    raise
        if found is not None:
            geometry, accuracy = found
            if accuracy is not None:
                attributes["accuracy_m"] = accuracy.astype(object)
            return geometry, attributes, options.epsg or WGS84
    x, y, lonlat = coordinate_columns(table, x=options.x, y=options.y, lat=options.lat,
                                      lon=options.lon)  # fmt: skip
    if not lonlat and not options.crs:
        raise InvalidInput(
            f"Für die Spalten {x}/{y} fehlt das Koordinatensystem (--crs, z. B. 25832).",
            f"The coordinate reference system of columns {x}/{y} is missing (--crs, e.g. "
            "25832).",
            code="crs_missing",
        )  # fmt: skip
    for column in (x, y):
        attributes.pop(column, None)
    return xy_geometry(table, x, y), attributes, options.epsg or WGS84
