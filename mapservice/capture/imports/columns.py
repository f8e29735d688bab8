"""Whole columns of a file → the rows the bulk loader stages, without a Python object per row.

A CSV or GeoJSON file of 100,000 observations must be read in well under a second, so every
conversion here works on a column at once (pandas/numpy): field names are matched once per
file, numbers and dates parsed vectorised, and a value that cannot be parsed becomes the row's
``problem`` (reported with its row number by the loader) instead of an exception.

Naive times (no offset, e.g. "12.04.2026 10:30" from a spreadsheet) are read as German local
time (Europe/Berlin): the service maps German quarters, and refusing them would make every
spreadsheet fail. Kobo's ``_submission_time`` is naive UTC and is read as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mapservice.capture.bulk import STAGE_COLUMNS
from mapservice.capture.readers import ALIASES, KIND_WORDS
from mapservice.georef.crs import WGS84, transformer

# Beyond readers.ALIASES: ODK Central/Kobo and German spreadsheet spellings.
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("meta-instanceID",),
    "observed_at": ("beobachtet_am", "zeitpunkt", "end", "_submission_time"),
    "title": ("titel_kurz", "bezeichnung"),
    "accuracy_m": ("precision",),
}
TRUE_WORDS = frozenset({"true", "1", "ja", "yes", "wahr", "x"})
_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_UUID_ANY = re.compile(
    r"(?i)(?:urn:)?(?:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?"
    r"([0-9a-f]{12})\}?"
)
_OFFSET = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
_GERMAN_DATE = r"^\d{1,2}\.\d{1,2}\.\d{4}"
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


@dataclass
class GeometryColumns:
    """Geometry of each row: x/y numbers for points, WKB for anything else, or a problem."""

    x: np.ndarray
    y: np.ndarray
    wkb: list[bytes | None] | None = None
    problem: list[str | None] | None = None
    detail: list[str | None] | None = None
    lon: np.ndarray | None = None  # x/y in EPSG:4326, when the reader transformed them
    lat: np.ndarray | None = None

    @classmethod
    def points(cls, x: np.ndarray, y: np.ndarray) -> GeometryColumns:
        return cls(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"))

    def part(self, start: int, stop: int) -> GeometryColumns:
        """Rows ``start`` to ``stop`` (a chunk)."""

        def cut(values: list[Any] | None) -> list[Any] | None:
            return None if values is None else values[start:stop]

        lon = None if self.lon is None else self.lon[start:stop]
        lat = None if self.lat is None else self.lat[start:stop]
        return GeometryColumns(self.x[start:stop], self.y[start:stop], cut(self.wkb),
                               cut(self.problem), cut(self.detail), lon, lat)  # fmt: skip

    def to_wgs84(self, epsg: int) -> GeometryColumns:
        """Also give the points in EPSG:4326, transformed by pyproj for all rows at once
        (PostGIS would transform them one by one; the API uses pyproj too). Whether the
        points lie in the CRS's area of use is still checked on x/y, before this is used."""
        if epsg != WGS84 and len(self.x):
            lon, lat = transformer(epsg, WGS84).transform(self.x, self.y, errcheck=False)
            self.lon, self.lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
        return self


def part(values: Any, start: int, stop: int) -> Any:
    """Rows ``start`` to ``stop`` of a column (pandas Series, numpy array or list)."""
    return values.iloc[start:stop] if isinstance(values, pd.Series) else values[start:stop]


@dataclass
class ObservationColumns:
    """The staged form of a file: one list per column of ``STAGE_COLUMNS``."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    count: int = 0

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return zip(*(self.values[name] for name, _ in STAGE_COLUMNS), strict=True)


def find_column(columns: Sequence[str], names: Sequence[str]) -> str | None:
    """The first column matching one of ``names``: exactly, ignoring case, or as the last part
    of a group path ("beobachtung/art", "beobachtung-art" in ODK/Kobo exports)."""
    lower = {c.lower(): c for c in columns}
    tails: dict[str, str] = {}
    for c in columns:
        tail = re.split(r"[/-]", c)[-1].lower()
        tails.setdefault(tail, c)
    for name in names:
        for table in (lower, tails):
            if name.lower() in table:
                return table[name.lower()]
    return None


def field_columns(columns: Sequence[str], fld: str) -> list[str]:
    """All columns that may hold ``fld``, in order of preference."""
    found: list[str] = []
    for name in (*ALIASES[fld], *EXTRA_ALIASES.get(fld, ())):
        column = find_column(columns, [name])
        if column is not None and column not in found:
            found.append(column)
    return found


def as_list(values: Sequence[Any] | pd.Series | np.ndarray, n: int) -> list[Any]:
    """Plain Python values (a list comprehension beats pandas' per-element map 3–5×)."""
    if isinstance(values, pd.Series | np.ndarray):
        values = values.tolist()
    values = list(values)
    return values if len(values) == n else (values + [None] * n)[:n]


def texts(values: Sequence[Any] | pd.Series, n: int) -> list[str | None]:
    """Strings, stripped; missing (None, NaN) and empty values become None."""
    items = as_list(values, n)
    try:  # fast path: a column of text (CSV, most GeoJSON properties)
        return [v.strip() or None for v in items]
    except AttributeError:
        pass
    out: list[str | None] = []
    for v in items:
        if v is None or v != v:  # NaN is the only value unequal to itself
            out.append(None)
        else:
            out.append((v if type(v) is str else str(v)).strip() or None)
    return out


def pick_text(frame: Mapping[str, Any], fld: str, n: int, default: Any = None) -> list[Any]:
    """The first non-empty value of the columns that may hold ``fld``, else ``default``."""
    result: list[Any] | None = None
    for column in field_columns(list(frame), fld):
        values = texts(frame[column], n)
        result = values if result is None else [
            a if a is not None else b for a, b in zip(result, values, strict=True)
        ]  # fmt: skip
    if result is None:
        result = [None] * n
    if default is not None:
        fill = str(default)
        result = [fill if v is None else v for v in result]
    return result


class Problems:
    """The first problem of each row (code + detail), kept in the order they were found."""

    def __init__(self, n: int) -> None:
        self.code: list[str | None] = [None] * n
        self.detail: list[str | None] = [None] * n

    def add(self, mask: Sequence[bool] | np.ndarray, code: str, detail: Any) -> None:
        """Mark rows; ``detail`` is a text or a function of the row index (called only for
        the rows marked, which are usually few)."""
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)).tolist():
            if self.code[i] is None:
                self.code[i] = code
                self.detail[i] = detail if isinstance(detail, str) else detail(i)


def numbers(raw: Sequence[Any] | pd.Series) -> np.ndarray:
    """Floats from numbers or text ("12,5" with a German decimal comma too); NaN if not."""
    values = raw.tolist() if isinstance(raw, pd.Series) else raw
    cleaned = [v.replace(",", ".") if type(v) is str else v for v in values]
    parsed = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce")
    return parsed.to_numpy(dtype="float64", na_value=np.nan, copy=True)


def _detail(label: str, raw: Sequence[Any]) -> Any:
    return lambda i: f"{label}={str(raw[i])[:40]!r}"


def parse_number(
    raw: list[Any], label: str, problems: Problems, *, integer: bool = False
) -> np.ndarray:
    """Numbers of a column; a present value that is not one (or not whole) is a problem."""
    parsed = numbers(raw)
    present = np.array([v is not None for v in raw], dtype=bool)
    bad = present & np.isnan(parsed)
    if integer:
        with np.errstate(invalid="ignore"):
            bad |= ~np.isnan(parsed) & (parsed != np.round(parsed))
    problems.add(bad, "invalid_value", _detail(label, raw))
    parsed[bad] = np.nan
    return parsed


def _epochs(texts_: list[str], utc_naive: bool) -> np.ndarray:
    """Epoch seconds of distinct time texts (NaN where unreadable)."""
    series = pd.Series(texts_, dtype=object)
    has_offset = series.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool)
    german = series.str.contains(_GERMAN_DATE, regex=True).to_numpy(dtype=bool)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us, UTC]")
    if has_offset.any():
        result[has_offset] = pd.to_datetime(series[has_offset], utc=True, errors="coerce",
                                            format="ISO8601")  # fmt: skip
    naive = ~has_offset
    if naive.any():
        stamps = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
        iso, de = naive & ~german, naive & german
        if iso.any():
            stamps[iso] = pd.to_datetime(series[iso], errors="coerce", format="ISO8601")
        if de.any():
            stamps[de] = pd.to_datetime(series[de], errors="coerce", dayfirst=True,
                                        format="mixed")  # fmt: skip
        zone = "UTC" if utc_naive else "Europe/Berlin"
        result[naive] = stamps[naive].dt.tz_localize(zone, ambiguous="NaT",
                                                     nonexistent="shift_forward")  # fmt: skip
    return (result - EPOCH).dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)


def parse_times(raw: list[Any], problems: Problems, *, utc_naive: bool = False) -> list:
    """Epoch seconds (float) or None per row; unreadable times become a row problem.

    Each distinct text is parsed once (a walkthrough's rows share few timestamps)."""
    codes, uniques = pd.factorize(pd.Series(raw, dtype=object), use_na_sentinel=True)
    if not len(uniques):
        return [None] * len(raw)
    epochs = _epochs([str(u) for u in uniques], utc_naive)
    values = np.where(codes >= 0, epochs[np.maximum(codes, 0)], np.nan)
    bad = (codes >= 0) & np.isnan(values)
    problems.add(bad, "invalid_value", _detail("observed_at", raw))
    return [None if v != v else v for v in values.tolist()]


def parse_uuids(raw: list[Any], label: str, problems: Problems) -> list[str | None]:
    """Canonical lower-case UUID text ("uuid:" prefixes of ODK, braces, no hyphens, upper
    case all accepted), None if missing; anything else is a row problem."""
    out: list[str | None] = []
    bad: list[int] = []
    match = _UUID_ANY.fullmatch
    for i, v in enumerate(raw):
        if v is None:
            out.append(None)
        elif len(v) == 36 and v.islower() and _CANONICAL.fullmatch(v):
            out.append(v)
        elif m := match(v):
            out.append("-".join(m.groups()).lower())
        else:
            out.append(None)
            bad.append(i)
    if bad:
        mask = np.zeros(len(raw), dtype=bool)
        mask[bad] = True
        problems.add(mask, "invalid_value", _detail(label, raw))
    return out


def _optional(values: np.ndarray, cast: type) -> list:
    return [None if v != v else cast(v) for v in values.tolist()]


def observation_columns(
    frame: Mapping[str, Any],
    n: int,
    geometry: GeometryColumns,
    defaults: Mapping[str, Any],
    *,
    first_row: int = 1,
    kobo: bool = False,
    ids: list[str | None] | None = None,
    methods: list[str | None] | None = None,
) -> ObservationColumns:
    """Stage-ready columns from a file's attribute columns (name → values) and geometry.

    ``defaults`` fill fields the file leaves empty (layer, quarter, status, walkthrough …
    from the import options). ``first_row`` is the number the report gives the first row.
    ``ids`` come from the file's own id column (:mod:`.keys`), ``methods`` say how rows
    without coordinates were placed (:mod:`.addresses`).
    """
    problems = Problems(n)
    if geometry.problem is not None:
        details = geometry.detail or [None] * n
        for code in {p for p in geometry.problem if p is not None}:
            flags = [p == code for p in geometry.problem]
            problems.add(flags, code, lambda i: details[i] or "")
    out: dict[str, list[Any]] = {"row_no": list(range(first_row, first_row + n))}
    for fld, column in (("layer_id", "layer_id"), ("title", "title"), ("quarter", "quarter_slug"),
                        ("status", "status"), ("author", "author")):  # fmt: skip
        out[column] = pick_text(frame, fld, n, defaults.get(fld))
    out["description"] = pick_text(frame, "description", n, "")
    kind = pick_text(frame, "kind", n, defaults.get("kind"))
    out["kind"] = [KIND_WORDS.get(v.lower(), v) if v else v for v in kind]
    rating = parse_number(pick_text(frame, "rating", n), "rating", problems, integer=True)
    out["rating"] = _optional(rating, int)
    accuracy = parse_number(pick_text(frame, "accuracy_m", n), "accuracy_m", problems)
    out["accuracy_m"] = _optional(accuracy, float)
    columns = field_columns(list(frame), "observed_at")
    utc_naive = kobo and bool(columns) and columns[0] == "_submission_time"
    times = pick_text(frame, "observed_at", n)
    out["observed_epoch"] = parse_times(times, problems, utc_naive=utc_naive)
    out["id"] = ids if ids is not None else parse_uuids(pick_text(frame, "id", n), "id", problems)
    out["georef_method"] = methods if methods is not None else [None] * n
    walkthrough = pick_text(frame, "walkthrough_id", n, defaults.get("walkthrough_id"))
    out["walkthrough_id"] = parse_uuids(walkthrough, "walkthrough", problems)
    synthetic = find_column(list(frame), ["synthetic", "synthetisch"])
    out["synthetic"] = (
        [bool(defaults.get("synthetic", False))] * n
        if synthetic is None
        else [bool(v) and v.lower() in TRUE_WORDS for v in texts(frame[synthetic], n)]
    )
    out["geom_wkb"] = geometry.wkb if geometry.wkb is not None else [None] * n
    out["x"] = _optional(geometry.x, float)
    out["y"] = _optional(geometry.y, float)
    none = [None] * n
    out["lon"] = none if geometry.lon is None else _optional(geometry.lon, float)
    out["lat"] = none if geometry.lat is None else _optional(geometry.lat, float)
    out["problem"] = problems.code
    out["problem_detail"] = problems.detail
    return ObservationColumns(out, n)
