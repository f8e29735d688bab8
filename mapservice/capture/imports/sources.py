"""Where observation rows come from: a file → its CRS and its rows in chunks of staged columns.

Chunks let the database check and write one part of a file while the next part is being
converted (see :mod:`mapservice.capture.imports.pipeline`); each chunk carries the row numbers
of the file, so refusals name the row a planner sees in their spreadsheet.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from mapservice.capture.imports.addresses import Placement, address_columns, place_addresses
from mapservice.capture.imports.columns import (
    GeometryColumns,
    ObservationColumns,
    observation_columns,
    part,
)
from mapservice.capture.imports.geofile import frame_geometry, read_geofile
from mapservice.capture.imports.geojson import feature_geometry, feature_properties
from mapservice.capture.imports.geojson_stream import FeatureStream
from mapservice.capture.imports.keys import NO_KEY, derive_ids, detect_id_column, source_scope
from mapservice.capture.imports.options import ImportOptions
from mapservice.capture.imports.table import (
    columns_missing,
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
    """A file's observations: how many, in which CRS, and the chunks (read lazily).

    ``key_column`` is the file's own id column (rows are then upserted by it); ``placement``
    is set when the rows were placed by their addresses."""

    total: int
    epsg: int
    chunks: Iterator[ObservationColumns]
    key_column: str | None = None
    placement: Placement | None = None


def key_column(attributes: Mapping[str, Any], options: ImportOptions) -> str | None:
    """The id column the caller chose (checked), none ("-"), or the one detected."""
    if options.id_column == NO_KEY:
        return None
    if options.id_column:
        if options.id_column not in attributes:
            raise columns_missing([options.id_column], list(attributes))
        return options.id_column
    return detect_id_column(attributes)


def observation_source(
    path: Path, name: str, fmt: str, options: ImportOptions, chunk_rows: int | None = None,
    *, conn: Connection | None = None,
) -> ObservationSource:  # fmt: skip
    """Open the file and check its structure now (errors before anything is staged).

    With ``conn``, a CSV without coordinate columns but with an address is placed through
    the gazetteer, row by row."""
    defaults = options.defaults()
    chunk_rows = chunk_rows or CHUNK_ROWS
    scope = source_scope(name, options.layer, options.quarter)
    if fmt == "geojson":
        stream = FeatureStream(path.read_bytes(), name)
        epsg = options.epsg or stream.crs or WGS84
        pieces = stream.chunks(chunk_rows)
        first_chunk = next(pieces, [])
        first_props = feature_properties(first_chunk)
        column = key_column(first_props, options) if first_chunk else None

        def geojson_chunks() -> Iterator[ObservationColumns]:
            first = 1
            for chunk in itertools.chain([first_chunk] if first_chunk else [], pieces):
                geometry = feature_geometry(chunk).to_wgs84(epsg)
                props = first_props if first == 1 else feature_properties(chunk)
                ids = None
                if column:
                    ids = derive_ids(props.get(column, [None] * len(chunk)), scope)
                yield observation_columns(props, len(chunk), geometry, defaults,
                                          first_row=first, ids=ids)  # fmt: skip
                first += len(chunk)

        return ObservationSource(stream.estimate(), epsg, geojson_chunks(), key_column=column)
    if fmt in ("gpkg", "shp"):
        frame, epsg = read_geofile(path, name, epsg=options.epsg, layer=options.layer)
        attributes = {c: frame[c] for c in frame.columns if c != frame.geometry.name}
        geometry = frame_geometry(frame).to_wgs84(epsg)
        column = key_column(attributes, options)
        ids = derive_ids(list(attributes[column]), scope) if column else None
        return ObservationSource(len(frame), epsg, _chunks(attributes, geometry, len(frame),
                                                          defaults, chunk_rows, ids=ids),
                                 key_column=column)  # fmt: skip
    if fmt not in ("csv", "odk", "kobo"):
        raise InvalidInput(
            f"Format {fmt} ist hier nicht möglich.", f"Format {fmt} is not possible here.",
            code="invalid_option",
        )  # fmt: skip
    table = read_table(path.read_bytes(), name)
    placement = None
    try:
        geometry, attributes, epsg = csv_geometry(table, fmt, options)
    except InvalidInput as exc:
        columns = address_columns(list(table.columns), options.address)
        if exc.code != "csv_columns_missing" or columns is None or conn is None:
            raise
        placement = place_addresses(conn, table, columns, options.quarter)
        geometry, attributes, epsg = placement.geometry, dict(table.items()), WGS84
    geometry.to_wgs84(epsg)
    column = key_column(attributes, options)
    ids = derive_ids(attributes[column].tolist(), scope) if column else None
    methods = placement.methods if placement else None
    chunks = _chunks(attributes, geometry, len(table), defaults, chunk_rows, kobo=fmt == "kobo",
                     ids=ids, methods=methods)  # fmt: skip
    return ObservationSource(len(table), epsg, chunks, key_column=column, placement=placement)


def _chunks(
    attributes: dict[str, Any], geometry: GeometryColumns, n: int, defaults: dict[str, Any],
    chunk_rows: int, *, kobo: bool = False, ids: list[str | None] | None = None,
    methods: list[str | None] | None = None,
) -> Iterator[ObservationColumns]:  # fmt: skip
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        cut = {name: part(values, start, stop) for name, values in attributes.items()}
        yield observation_columns(
            cut, stop - start, geometry.part(start, stop), defaults, first_row=start + 1,
            kobo=kobo, ids=None if ids is None else ids[start:stop],
            methods=None if methods is None else methods[start:stop],
        )  # fmt: skip


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
