"""Coordinate reference systems of the OGC API (Features Part 2: ``crs``, ``bbox-crs``).

Data are stored in EPSG:4326 with longitude first (what OGC calls CRS84); PostGIS
transforms only what a response carries. German municipal GIS works in ETRS89 / UTM 32N
(EPSG:25832), older data in Gauß-Krüger zone 3 (EPSG:31467).

Axis order is the trap (pygeoapi#2010, the ETS's AT checks): a URI names a CRS *with* its
axis order, and EPSG:4326 is latitude, longitude; EPSG:31467 is northing, easting. PostGIS
always works easting/longitude first, so for such a CRS coordinates are swapped on the way
out (``ST_FlipCoordinates``) and on the way in. Which CRS is "north first" is read from
pyproj's axis definitions, not hard-coded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from pyproj import CRS as ProjCRS
from pyproj import Transformer

from mapservice.errors import InvalidInput
from mapservice.tiles.filters import invalid

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@dataclass(frozen=True)
class OutputCrs:
    """One CRS a client may ask for: its URI, SRID, axis order and output precision."""

    uri: str
    srid: int
    north_first: bool
    digits: int  # 7 decimals of a degree ≈ 1 cm; 3 decimals of a metre = 1 mm

    @property
    def is_storage(self) -> bool:
        return self.uri == CRS84

    def geometry_sql(self, geom: str) -> str:
        """SQL turning a stored (EPSG:4326, lon/lat) geometry into this CRS's axis order."""
        out = geom if self.srid == 4326 else f"ST_Transform({geom}, {self.srid})"
        if self.north_first:
            out = f"ST_FlipCoordinates({out})"
        return f"ST_AsGeoJSON(ST_ForcePolygonCCW({out}), {self.digits})"

    def literal_sql(self, geom: str) -> str:
        """SQL turning a geometry written in this CRS (SRID-less) into a stored geometry."""
        if self.north_first:
            geom = f"ST_FlipCoordinates({geom})"
        geom = f"ST_SetSRID({geom}, {self.srid})"
        return geom if self.srid == 4326 else f"ST_Transform({geom}, 4326)"


def _epsg(code: int) -> OutputCrs:
    axes = ProjCRS.from_epsg(code).axis_info
    north_first = bool(axes) and axes[0].direction.lower() in ("north", "south")
    digits = 7 if ProjCRS.from_epsg(code).is_geographic else 3
    return OutputCrs(f"{_EPSG}{code}", code, north_first, digits)


@cache
def supported() -> dict[str, OutputCrs]:
    """URI → CRS, in the order the collections list them (CRS84 first: the default)."""
    out = {CRS84: OutputCrs(CRS84, 4326, north_first=False, digits=7)}
    for code in (4326, 25832, 3857, 31467):
        crs = _epsg(code)
        out[crs.uri] = crs
    return out


def uris() -> list[str]:
    return list(supported())


def parse_crs(name: str, value: str | None) -> OutputCrs:
    """The CRS a ``crs``/``bbox-crs``/``filter-crs`` value names; 400 for any other.

    URIs are what the standard asks for; the safe CURIE ``[EPSG:25832]`` and the short
    ``EPSG:25832`` that people type are accepted too.
    """
    table = supported()
    if value is None:
        return table[CRS84]
    text = value.strip().strip("<>")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    upper = text.upper()
    if upper.startswith("EPSG:") and upper[5:].isdigit():
        text = f"{_EPSG}{int(upper[5:])}"
    elif upper in ("OGC:CRS84", "CRS84"):
        text = CRS84
    elif text.startswith("https://www.opengis.net/"):
        text = "http://" + text[len("https://") :]
    if text in table:
        return table[text]
    listed = ", ".join(table)
    raise invalid(
        name,
        f"{value[:80]!r} wird nicht unterstützt; möglich sind {listed}.",
        f"{value[:80]!r} is not supported; possible are {listed}.",
    )


@cache
def _to_lonlat(srid: int) -> Transformer:
    return Transformer.from_crs(srid, 4326, always_xy=True)


@dataclass(frozen=True)
class BBox:
    """A ``bbox`` in the CRS it was given in, easting/longitude first, already checked."""

    x0: float
    y0: float
    x1: float
    y1: float
    srid: int

    def params(self) -> dict[str, float | int]:
        return {"bx0": self.x0, "by0": self.y0, "bx1": self.x1, "by1": self.y1}

    @property
    def envelope_sql(self) -> str:
        """The box as a stored (EPSG:4326) polygon. A projected box is densified first, so
        its curved lon/lat outline is followed, not cut short between the corners."""
        env = (
            "ST_MakeEnvelope(%(bx0)s::float8, %(by0)s::float8, %(bx1)s::float8, "
            f"%(by1)s::float8, {self.srid})"
        )
        if self.srid == 4326:
            return env
        step = "greatest(%(bx1)s::float8 - %(bx0)s::float8, %(by1)s::float8 - %(by0)s::float8)"
        return f"ST_Transform(ST_Segmentize({env}, {step} / 32 + 1e-9), 4326)"


def parse_box(numbers: tuple[float, float, float, float], crs: OutputCrs) -> BBox:
    """A ``bbox`` given in ``crs`` (its own axis order), checked against the CRS's limits."""
    a0, b0, a1, b1 = numbers
    x0, y0, x1, y1 = (b0, a0, b1, a1) if crs.north_first else (a0, b0, a1, b1)
    if not (all(math.isfinite(v) for v in (x0, y0, x1, y1)) and x0 <= x1 and y0 <= y1):
        raise _bad_box(crs)
    if crs.srid == 4326:
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise _bad_box(crs)
        return BBox(x0, y0, x1, y1, 4326)
    for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        lon, lat = _to_lonlat(crs.srid).transform(x, y)
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
                and -90 <= lat <= 90):  # fmt: skip
            raise _bad_box(crs)
    return BBox(x0, y0, x1, y1, crs.srid)


def inside_world(xy: list[tuple[float, float]], crs: OutputCrs) -> bool:
    """Whether points written in ``crs`` (its axis order) map onto the earth at all — a
    coordinate PROJ cannot transform would otherwise make PostGIS fail mid-query."""
    for a, b in xy:
        x, y = (b, a) if crs.north_first else (a, b)
        lon, lat = (x, y) if crs.srid == 4326 else _to_lonlat(crs.srid).transform(x, y)
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
                and -90 <= lat <= 90):  # fmt: skip
            return False
    return True


def _bad_box(crs: OutputCrs) -> InvalidInput:
    order = "Nord, Ost / north, east" if crs.north_first else "Ost, Nord / east, north"
    return invalid(
        "bbox",
        f"in {crs.uri} erwartet: min1,min2,max1,max2 in der Achsenfolge des CRS ({order}), "
        "min ≤ max, innerhalb des Gültigkeitsbereichs.",
        f"expected in {crs.uri}: min1,min2,max1,max2 in the CRS's axis order ({order}), "
        "min ≤ max, within its area of use.",
    )
