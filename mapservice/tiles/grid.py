"""Tile maths for the WebMercatorQuad grid: tile addresses, bounds, precision per zoom.

morecantile is the authority on the tile matrix set (the OGC document is served from it);
this module adds what serving needs on top: a validated address with bilingual errors,
the simplification tolerance and the coordinate digits a zoom deserves.

    >>> tile = TileAddress.parse("14", "8802", "5373")
    >>> tile.digits
    6
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import morecantile

from mapservice.errors import InvalidInput

#: Zoom levels we serve (OGC WebMercatorQuad goes to 24; Leaflet and QGIS stop at 22).
MIN_ZOOM, MAX_ZOOM = 0, 22
#: MVT tile extent (ST_AsMVTGeom's default). The buffer around a tile is a setting
#: (``TileSettings.buffer_px``).
MVT_EXTENT = 4096
TMS_ID = "WebMercatorQuad"


@cache
def web_mercator() -> morecantile.TileMatrixSet:
    """The OGC WebMercatorQuad tile matrix set (built once per process)."""
    return morecantile.tms.get(TMS_ID)


def digits_for_zoom(z: int) -> int:
    """Decimal digits of lon/lat a GeoJSON tile needs (tilezen's table, 7 above z16)."""
    if z <= 3:
        return 2
    if z <= 6:
        return 3
    if z <= 9:
        return 4
    if z <= 13:
        return 5
    if z <= 16:
        return 6
    return 7


def _bad_tile(what_de: str, what_en: str) -> InvalidInput:
    return InvalidInput(
        f"Ungültige Kachel: {what_de}", f"Invalid tile: {what_en}", code="invalid_tile"
    )


def _lat(row: float, n: float) -> float:
    """Latitude of the top edge of tile row ``row`` of ``n`` (inverse Mercator)."""
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * row / n))))


@dataclass(frozen=True)
class TileAddress:
    """One tile ``z/x/y`` (XYZ: y counted from the top), known to lie inside the matrix."""

    z: int
    x: int
    y: int

    @classmethod
    def parse(cls, z: str | int, x: str | int, y: str | int) -> TileAddress:
        """Check z in 0–22 and x, y in 0 … 2^z − 1; anything else is a 400 that says why."""
        values = []
        for name, raw in (("z", z), ("x", x), ("y", y)):
            text = str(raw)
            if not (text.isascii() and text.isdigit()) or len(text) > 8:
                raise _bad_tile(
                    f"{name} muss eine ganze Zahl ≥ 0 sein, nicht {text[:20]!r}.",
                    f"{name} must be a whole number ≥ 0, not {text[:20]!r}.",
                )
            values.append(int(text))
        zi, xi, yi = values
        if not MIN_ZOOM <= zi <= MAX_ZOOM:
            raise _bad_tile(
                f"Zoomstufe {zi} liegt nicht zwischen {MIN_ZOOM} und {MAX_ZOOM}.",
                f"zoom {zi} is not between {MIN_ZOOM} and {MAX_ZOOM}.",
            )
        last = 2**zi - 1
        for name, value in (("x", xi), ("y", yi)):
            if value > last:
                raise _bad_tile(
                    f"{name} = {value} liegt außerhalb der Kachelmatrix (0 … {last} bei z = {zi}).",
                    f"{name} = {value} is outside the tile matrix (0 … {last} at z = {zi}).",
                )
        return cls(zi, xi, yi)

    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north in degrees: the WebMercatorQuad formulas (equal to
        morecantile's ``bounds``, tested), because morecantile goes through pyproj and
        hashes CRS objects as WKT — ~0.4 ms, on every tile request."""
        n = 2.0**self.z
        return (
            self.x / n * 360.0 - 180.0,
            _lat(self.y + 1, n),
            (self.x + 1) / n * 360.0 - 180.0,
            _lat(self.y, n),
        )

    @property
    def digits(self) -> int:
        return digits_for_zoom(self.z)

    def tolerance(self) -> float:
        """One pixel of a 256-px tile in degrees of latitude: the simplification tolerance.

        Latitude degrees per pixel are the smaller of the two at our latitudes, so shapes stay
        true to a pixel in both directions. Simplifying in lon/lat *before* any transform is
        what keeps low-zoom tiles of long tracks and big areas cheap.
        """
        _west, south, _east, north = self.bounds()
        return (north - south) / 256.0


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """XYZ tile of a point (the same formula as the browser client's ``Karte.tilesFor``)."""
    n = 2**z
    lat = max(-85.05, min(85.05, lat))
    r = math.radians(lat)
    x = math.floor((lon + 180) / 360 * n)
    y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
    return max(0, min(n - 1, x)), max(0, min(n - 1, y))


#: The box grows by ~1 cm, so a last-bit difference between Python's and the browser's
#: floating point at a tile edge can never make the client ask for a tile not exported.
EPSILON = 1e-7


def tiles_for(bbox: tuple[float, float, float, float], z: int) -> list[TileAddress]:
    """Every tile the client may request for this box at zoom z (it never looks beyond it)."""
    west, south, east, north = bbox
    x0, y0 = tile_xy(west - EPSILON, north + EPSILON, z)
    x1, y1 = tile_xy(east + EPSILON, south - EPSILON, z)
    return [TileAddress(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
