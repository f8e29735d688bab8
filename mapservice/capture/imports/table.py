"""CSV files as planners and field tools write them → a table of text + point columns.

Real CSVs are messy: the City of Bochum writes ``;``-separated, fully quoted UTF-8 with CRLF,
Excel writes cp1252 with ``;``, ODK Central splits a geopoint into ``…-Latitude`` /
``…-Longitude`` / ``…-Accuracy`` columns, KoboToolbox keeps it as one "lat lon alt accuracy"
text. The C parser of pandas reads all of them in one call; the delimiter is sniffed from the
header line and every value stays text until a column is parsed on purpose.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from mapservice.capture.imports.columns import GeometryColumns, find_column, numbers
from mapservice.errors import InvalidInput

LAT_NAMES = ("lat", "latitude", "breite", "breitengrad", "y_wgs84")
LON_NAMES = ("lon", "lng", "long", "longitude", "laenge", "länge", "laengengrad", "x_wgs84")
X_NAMES = ("x", "rechtswert", "rechts_utm", "easting", "ost", "east")
Y_NAMES = ("y", "hochwert", "hoch_utm", "northing", "nord", "north")
_GEOPOINT = re.compile(r"^\s*-?\d+(?:\.\d+)?\s+-?\d+(?:\.\d+)?(?:\s+-?\d+(?:\.\d+)?){0,2}\s*$")


def empty_file(name: str) -> InvalidInput:
    return InvalidInput(
        f"Die Datei {name} ist leer oder enthält keine Zeilen.",
        f"The file {name} is empty or has no rows.",
        code="empty_file",
    )


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it in Germany."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: ``;``, ``,``, tab or ``|``, whichever splits most."""
    header = text.split("\n", 1)[0]
    counts = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in ";,\t|"}
    return max(counts, key=lambda sep: counts[sep])


def read_table(data: bytes, name: str) -> pd.DataFrame:
    """All rows of a CSV as text columns (empty cells are ""), or a clear refusal."""
    text = decode(data)
    if not text.strip():
        raise empty_file(name)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sniff_delimiter(text), dtype=str, keep_default_na=False,
            skipinitialspace=True, engine="c",
        )  # fmt: skip
    except (pd.errors.ParserError, ValueError) as exc:
        raise InvalidInput(
            f"CSV-Datei {name} ist nicht lesbar: {str(exc)[:200]}",
            f"CSV file {name} cannot be read: {str(exc)[:200]}",
            code="csv_malformed",
        ) from None
    if frame.empty:
        raise empty_file(name)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def columns_missing(missing: list[str], present: list[str]) -> InvalidInput:
    shown = ", ".join(present[:30])
    return InvalidInput(
        f"Spalte(n) {', '.join(missing)} fehlen; vorhanden: {shown}.",
        f"Column(s) {', '.join(missing)} missing; present: {shown}.",
        code="csv_columns_missing",
    )


def coordinate_columns(
    frame: pd.DataFrame, *, x: str | None, y: str | None, lat: str | None, lon: str | None
) -> tuple[str, str, bool]:
    """The (x, y) columns and whether they are lon/lat; chosen by option or by their names."""
    present = list(frame.columns)
    if x and y:
        missing = [c for c in (x, y) if c not in frame.columns]
        if missing:
            raise columns_missing(missing, present)
        return x, y, False
    if lat and lon:
        missing = [c for c in (lon, lat) if c not in frame.columns]
        if missing:
            raise columns_missing(missing, present)
        return lon, lat, True
    found_lon, found_lat = find_column(present, LON_NAMES), find_column(present, LAT_NAMES)
    if found_lon and found_lat:
        return found_lon, found_lat, True
    found_x, found_y = find_column(present, X_NAMES), find_column(present, Y_NAMES)
    if found_x and found_y:
        return found_x, found_y, False
    raise InvalidInput(
        "Keine Koordinatenspalten gefunden; mit --x/--y (und --crs) oder --lat/--lon angeben. "
        f"Vorhanden: {', '.join(present[:30])}.",
        "No coordinate columns found; name them with --x/--y (and --crs) or --lat/--lon. "
        f"Present: {', '.join(present[:30])}.",
        code="csv_columns_missing",
    )


def xy_geometry(frame: pd.DataFrame, x: str, y: str) -> GeometryColumns:
    """Points from two text columns; a value that is not a number is the row's problem."""
    raw_x, raw_y = frame[x].tolist(), frame[y].tolist()
    xs, ys = numbers(raw_x), numbers(raw_y)
    bad_x = np.array([bool(v and v.strip()) for v in raw_x], dtype=bool) & np.isnan(xs)
    bad_y = np.array([bool(v and v.strip()) for v in raw_y], dtype=bool) & np.isnan(ys)

    def detail(i: int) -> str:
        return f"{x}={raw_x[i][:40]!r}" if bad_x[i] else f"{y}={raw_y[i][:40]!r}"

    return _with_problems(xs, ys, bad_x | bad_y, detail)


def _with_problems(
    xs: np.ndarray, ys: np.ndarray, bad: np.ndarray, detail: Callable[[int], str]
) -> GeometryColumns:
    geometry = GeometryColumns.points(xs, ys)
    bad_all = bad | np.isinf(geometry.x) | np.isinf(geometry.y)
    if bad_all.any():
        geometry.problem = ["geometry_malformed" if b else None for b in bad_all.tolist()]
        geometry.detail = [detail(i) if b else None for i, b in enumerate(bad_all.tolist())]
        geometry.x[bad_all] = np.nan
        geometry.y[bad_all] = np.nan
    return geometry


def geopoint_geometry(frame: pd.DataFrame) -> tuple[GeometryColumns, np.ndarray | None] | None:
    """ODK/Kobo geopoints: split columns (``ort-Latitude`` / ``_ort_latitude``) or one column
    of "lat lon altitude accuracy" text. Returns the points and the accuracy in metres."""
    columns = list(frame.columns)
    for lat_suffix, lon_suffix, acc_suffix in (
        ("-Latitude", "-Longitude", "-Accuracy"),
        ("_latitude", "_longitude", "_precision"),
    ):
        lats = [c for c in columns if c.endswith(lat_suffix)]
        for lat in lats:
            stem = lat[: -len(lat_suffix)]
            lon = stem + lon_suffix
            if lon in frame.columns:
                geometry = xy_geometry(frame, lon, lat)
                acc = stem + acc_suffix
                accuracy = numbers(frame[acc]) if acc in frame.columns else None
                return geometry, accuracy
    for column in columns:
        values = frame[column].str.strip()
        filled = values[values != ""]
        if len(filled) and filled.head(50).map(lambda v: bool(_GEOPOINT.match(v))).all():
            return _split_geopoint(values, column)
    return None


def _split_geopoint(values: pd.Series, column: str) -> tuple[GeometryColumns, np.ndarray]:
    texts = values.tolist()
    parts = values.str.split(r"\s+", expand=True, regex=True).reindex(columns=range(4))
    lat, lon = numbers(parts[0]), numbers(parts[1])
    accuracy = numbers(parts[3])
    bad = np.array([bool(v) and not _GEOPOINT.match(v) for v in texts], dtype=bool)

    def detail(i: int) -> str:
        return f"{column}={texts[i][:40]!r}"

    return _with_problems(lon, lat, bad, detail), accuracy
