"""Coordinates from any EPSG CRS to WGS 84 (EPSG:4326, lon/lat), and to/from metric UTM 32N.

Field teams send GPS (4326), planners bring municipal data in ETRS89 / UTM (25832 in the
west, 25833 in the east), old cadastre extracts come in Gauß-Krüger (31466 zone 2, 31467
zone 3), web tools speak Web Mercator (3857). Everything is stored in 4326, so this is the
one place where a coordinate changes its CRS on the way in.

Common German CRSs (all accepted, as are any other EPSG codes PROJ knows):

=====  =====================================  ==========================================
EPSG   name                                   typical source
=====  =====================================  ==========================================
4326   WGS 84 (lon, lat)                      GPS, GeoJSON, phones
4258   ETRS89 (lon, lat)                      official geodetic coordinates (≈ WGS 84)
25832  ETRS89 / UTM zone 32N (E, N metres)    municipal and state data (NRW, Bavaria, …)
25833  ETRS89 / UTM zone 33N (E, N metres)    Berlin, Brandenburg, Saxony, MV
31466  DHDN / Gauß-Krüger zone 2              older cadastre data west of 7.5° E
31467  DHDN / Gauß-Krüger zone 3              older cadastre data 7.5°–10.5° E
3857   WGS 84 / Pseudo-Mercator (metres)      web maps, tile tools
=====  =====================================  ==========================================

Axis order: every function takes and returns (x, y) = (easting, northing) or (lon, lat),
whatever the EPSG definition says (``always_xy=True``). EPSG:4326 officially is lat/lon; we
do not follow that because GeoJSON, GPS tools and shapely all use lon/lat. Swapped input is
a common mistake, so :func:`looks_swapped` and :func:`swap_hint` help callers say so.

Gauß-Krüger accuracy: without the BETA2007 grid (not shipped, and we do not download grids at
run time), PROJ uses the 7-parameter Helmert transformation "DHDN to WGS 84 (2)", good to
about 1–3 m — fine for quarter maps, not for surveying.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from mapservice.errors import InvalidInput

WGS84 = 4326
METRIC = 25832

COMMON_CRS: dict[int, str] = {
    4326: "WGS 84 (Länge/Breite, GPS)",
    4258: "ETRS89 (Länge/Breite)",
    25832: "ETRS89 / UTM Zone 32N",
    25833: "ETRS89 / UTM Zone 33N",
    31466: "DHDN / Gauß-Krüger Zone 2",
    31467: "DHDN / Gauß-Krüger Zone 3",
    3857: "WGS 84 / Pseudo-Mercator (Web)",
}

# Degrees by which a point may lie outside the CRS's published area of use: data are often
# digitised a little beyond a zone edge, and such points still transform accurately.
AREA_TOLERANCE_DEG = 0.5

# UTM 32N/33N are used for all of Germany (BKG publishes Germany-wide data in 25832, Bavaria
# uses 25832 up to 13.8° E), far beyond the 6° zone PROJ publishes as their area of use.
GERMANY = (5.5, 47.0, 15.5, 55.5)
EXTENDED_AREA: dict[int, tuple[float, float, float, float]] = {25832: GERMANY, 25833: GERMANY}

# Rough box of Germany for the swapped-axes hint (lon0, lat0, lon1, lat1).
GERMANY_HINT_BOX = (5.0, 47.0, 16.0, 55.5)

_EPSG_PATTERNS = (
    re.compile(r"^(?:epsg:)?(\d{4,6})$", re.IGNORECASE),
    re.compile(r"^urn:ogc:def:crs:epsg:[\d.]*:(\d{4,6})$", re.IGNORECASE),
    re.compile(r"^https?://www\.opengis\.net/def/crs/epsg/[\d.]+/(\d{4,6})$", re.IGNORECASE),
)
_CRS84 = re.compile(
    r"^(?:ogc:)?crs84$|^urn:ogc:def:crs:ogc:1\.3:crs84$|"
    r"^https?://www\.opengis\.net/def/crs/ogc/1\.3/crs84$",
    re.IGNORECASE,
)


def _unknown(value: object) -> InvalidInput:
    text = str(value)[:64]
    return InvalidInput(
        f"Unbekanntes Koordinatensystem „{text}“. Erwartet wird ein EPSG-Code, z. B. "
        "EPSG:4326 (GPS) oder EPSG:25832 (UTM 32N).",
        f"Unknown coordinate reference system '{text}'. Expected an EPSG code such as "
        "EPSG:4326 (GPS) or EPSG:25832 (UTM 32N).",
        code="unknown_crs",
    )


def parse_epsg(value: int | str | None) -> int:
    """The EPSG code of ``value``: 25832, "25832", "EPSG:25832", OGC URN/URI or CRS84.

    ``None`` or "" means WGS 84, the default of GPS and GeoJSON. CRS84 is 4326 in lon/lat
    order, which is what we use anyway. Anything PROJ does not know raises ``unknown_crs``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return WGS84
    if isinstance(value, bool):
        raise _unknown(value)
    if isinstance(value, int):
        code = value
    else:
        text = value.strip()
        if _CRS84.match(text):
            return WGS84
        for pattern in _EPSG_PATTERNS:
            match = pattern.match(text)
            if match:
                code = int(match.group(1))
                break
        else:
            raise _unknown(value)
    get_crs(code)  # raises unknown_crs
    return code


@lru_cache(maxsize=64)
def get_crs(epsg: int) -> CRS:
    """The pyproj CRS of an EPSG code, cached (building a CRS parses the PROJ database)."""
    try:
        crs = CRS.from_epsg(epsg)
    except (CRSError, TypeError, ValueError):
        raise _unknown(f"EPSG:{epsg}") from None
    if not (crs.is_geographic or crs.is_projected):
        raise _unknown(f"EPSG:{epsg}")
    return crs


def crs_label(epsg: int) -> str:
    """A short human name such as "EPSG:25832 (ETRS89 / UTM Zone 32N)"."""
    name = COMMON_CRS.get(epsg) or get_crs(epsg).name
    return f"EPSG:{epsg} ({name})"


@lru_cache(maxsize=64)
def _transformer(src: int, dst: int) -> Transformer:
    with warnings.catch_warnings():
        # "Best transformation is not available due to missing grid": we knowingly use the
        # Helmert fallback (see module docstring); the warning would only alarm operators.
        warnings.simplefilter("ignore", UserWarning)
        return Transformer.from_crs(get_crs(src), get_crs(dst), always_xy=True)


def transformer(src: int | str, dst: int | str = WGS84) -> Transformer:
    """A cached always-xy Transformer from ``src`` to ``dst`` (creating one costs ~ms)."""
    return _transformer(parse_epsg(src), parse_epsg(dst))


@lru_cache(maxsize=64)
def area_of_use(epsg: int) -> tuple[float, float, float, float]:
    """Where the CRS may be used, in lon/lat degrees (west, south, east, north), tolerant.

    PROJ's published area of use, widened by :data:`AREA_TOLERANCE_DEG` and, for UTM 32N/33N,
    to the whole of Germany (see :data:`EXTENDED_AREA`).
    """
    area = get_crs(epsg).area_of_use
    if area is None:
        west, south, east, north = -180.0, -90.0, 180.0, 90.0
    else:
        west, south, east, north = area.bounds
    if west > east:  # crosses the antimeridian: do not try to be clever
        west, east = -180.0, 180.0
    t = AREA_TOLERANCE_DEG
    west, south, east, north = west - t, south - t, east + t, north + t
    if epsg in EXTENDED_AREA:
        ew, es, ee, en = EXTENDED_AREA[epsg]
        west, south, east, north = min(west, ew), min(south, es), max(east, ee), max(north, en)
    return (max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))


def area_bounds(crs: int | str) -> tuple[float, float, float, float]:
    """The tolerant area of use of ``crs`` in that CRS's own coordinates (x0, y0, x1, y1).

    For set-based checks in SQL (``ST_Within(geom, ST_MakeEnvelope(...))``) before
    transforming. The box is the envelope of the densified lon/lat box, so it is slightly
    larger than the true area for projected CRSs — the precise check is
    :func:`check_area_of_use` on the transformed coordinates.
    """
    epsg = parse_epsg(crs)
    west, south, east, north = area_of_use(epsg)
    if epsg == WGS84 or get_crs(epsg).is_geographic:
        return (west, south, east, north)
    if epsg == 3857:  # Mercator is undefined at the poles
        south, north = max(south, -85.06), min(north, 85.06)
    return transformer(WGS84, epsg).transform_bounds(west, south, east, north, densify_pts=21)


def _de(value: float, digits: int = 5) -> str:
    """A number the German way (decimal comma)."""
    return f"{value:.{digits}f}".replace(".", ",")


def _fmt_bounds(bounds: tuple[float, float, float, float]) -> str:
    w, s, e, n = bounds
    return f"{_de(w, 2)}° bis {_de(e, 2)}° O, {_de(s, 2)}° bis {_de(n, 2)}° N"


def _fmt_bounds_en(bounds: tuple[float, float, float, float]) -> str:
    w, s, e, n = bounds
    return f"{w:.2f}° to {e:.2f}° E, {s:.2f}° to {n:.2f}° N"


def check_world(lon: float, lat: float, *, source: str = "") -> None:
    """Refuse coordinates that cannot be on Earth (|lon| > 180, |lat| > 90, NaN, ∞)."""
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        where = f" ({source})" if source else ""
        raise InvalidInput(
            f"Koordinaten{where} liegen außerhalb der Welt (Länge {lon:.6g}, Breite {lat:.6g}; "
            "erlaubt sind Länge ±180°, Breite ±90°).",
            f"Coordinates{where} lie outside the world (longitude {lon:.6g}, latitude "
            f"{lat:.6g}; allowed are longitude ±180°, latitude ±90°).",
            code="outside_world",
        )


def check_area_of_use(lon: float, lat: float, epsg: int, *, source: str = "") -> None:
    """Refuse a transformed point that lies outside the source CRS's area of use.

    Such a point usually means the wrong CRS was named (Gauß-Krüger declared as UTM, a zone
    mixed up) — transforming would silently put it hundreds of kilometres away.
    """
    west, south, east, north = area_of_use(epsg)
    if not (west <= lon <= east and south <= lat <= north):
        label = crs_label(epsg)
        where = f" ({source})" if source else ""
        hint_de, hint_en = "", ""
        if epsg == WGS84 and looks_swapped(lon, lat):
            hint_de, hint_en = " Breite/Länge vertauscht?", " Latitude/longitude swapped?"
        raise InvalidInput(
            f"Koordinaten{where} liegen außerhalb des Gültigkeitsbereichs von {label}: "
            f"erlaubt {_fmt_bounds((west, south, east, north))}, "
            f"ergeben Länge {_de(lon)}, Breite {_de(lat)}. Stimmt das Koordinatensystem?" + hint_de,
            f"Coordinates{where} lie outside the area of use of {label}: allowed "
            f"{_fmt_bounds_en((west, south, east, north))}, got longitude {lon:.5f}, "
            f"latitude {lat:.5f}. Is the coordinate reference system right?" + hint_en,
            code="outside_crs_area",
        )


def looks_swapped(
    lon: float, lat: float, box: tuple[float, float, float, float] = GERMANY_HINT_BOX
) -> bool:
    """True when (lon, lat) lies outside ``box`` but (lat, lon) would lie inside it.

    A German point given as (lat, lon) — e.g. (51.48, 7.21) — is still a valid point on Earth
    (in the Indian Ocean), so no range check catches it; this does.
    """
    west, south, east, north = box

    def inside(x: float, y: float) -> bool:
        return west <= x <= east and south <= y <= north

    return not inside(lon, lat) and inside(lat, lon)


def swap_hint(lon: float, lat: float) -> tuple[str, str] | None:
    """German and English hint for a message when the axes look swapped, else None."""
    if looks_swapped(lon, lat):
        return (
            f"Breite/Länge vertauscht? (Länge {_de(lat)}, Breite {_de(lon)} läge in Deutschland)",
            f"Latitude/longitude swapped? (longitude {lat:.5f}, latitude {lon:.5f} would lie "
            "in Germany)",
        )
    return None


def _check_arrays(
    lons: np.ndarray, lats: np.ndarray, epsg: int, where: Callable[[int], str] | None = None
) -> None:
    """World and area checks over many coordinates; raises for the first offending one.

    ``where(i)`` names coordinate ``i`` in the message (e.g. "Zeile 12 / row 12").
    """

    def label(i: int) -> str:
        return where(i) if where else ""

    finite = np.isfinite(lons) & np.isfinite(lats)
    if epsg != WGS84 and not finite.all():
        # PROJ returns ∞ for input it cannot project: the numbers do not belong to this CRS.
        i = int(np.argmin(finite))
        check_area_of_use(float(lons[i]), float(lats[i]), epsg, source=label(i))
    bad = ~finite | (np.abs(lons) > 180) | (np.abs(lats) > 90)
    if bad.any():
        i = int(np.argmax(bad))
        check_world(float(lons[i]), float(lats[i]), source=label(i))
    west, south, east, north = area_of_use(epsg)
    out = (lons < west) | (lons > east) | (lats < south) | (lats > north)
    if out.any():
        i = int(np.argmax(out))
        check_area_of_use(float(lons[i]), float(lats[i]), epsg, source=label(i))


def to_wgs84(x: float, y: float, crs: int | str = WGS84) -> tuple[float, float]:
    """One coordinate pair in ``crs`` (x/easting first) → (lon, lat), checked."""
    epsg = parse_epsg(crs)
    if epsg == WGS84:
        lon, lat = float(x), float(y)
    else:
        lon, lat = transformer(epsg).transform(x, y, errcheck=False)
    _check_arrays(np.array([lon], dtype="float64"), np.array([lat], dtype="float64"), epsg)
    return (float(lon), float(lat))


def many_to_wgs84(
    xs: Iterable[float] | np.ndarray, ys: Iterable[float] | np.ndarray, crs: int | str = WGS84
) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of coordinates in ``crs`` → (lons, lats) arrays, vectorised and checked."""
    epsg = parse_epsg(crs)
    xa = np.asarray(xs, dtype="float64")
    ya = np.asarray(ys, dtype="float64")
    if epsg != WGS84 and xa.size:
        lons, lats = transformer(epsg).transform(xa, ya, errcheck=False)
        xa, ya = np.asarray(lons, dtype="float64"), np.asarray(lats, dtype="float64")
    if xa.size:
        _check_arrays(xa, ya, epsg)
    return xa, ya


def _transform_geometry(geom: BaseGeometry, src: int, dst: int) -> BaseGeometry:
    tr = _transformer(src, dst)

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1], errcheck=False)
        return np.column_stack([x, y])

    return shapely.transform(geom, apply)


def geometry_to_wgs84(geom: BaseGeometry, crs: int | str | None = WGS84) -> BaseGeometry:
    """A shapely geometry in ``crs`` → the same geometry in EPSG:4326 (lon, lat), checked.

    Every vertex must land on Earth (``outside_world``) and inside the source CRS's area of
    use (``outside_crs_area``). Z values are dropped: the schema is 2-D.
    """
    epsg = parse_epsg(crs)
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    out = geom if epsg == WGS84 else _transform_geometry(geom, epsg, WGS84)
    if not out.is_empty:
        coords = shapely.get_coordinates(out)
        _check_arrays(coords[:, 0], coords[:, 1], epsg)
    return out


def geometries_to_wgs84(
    geoms: Sequence[BaseGeometry | None] | np.ndarray,
    crs: int | str | None = WGS84,
    *,
    where: Callable[[int], str] | None = None,
) -> np.ndarray:
    """Many geometries at once (a file's worth) → array of 4326 geometries, checked.

    Vectorised (one PROJ call for all vertices). ``where(i)`` names geometry ``i`` in an
    error message, so an import can say which row carries the bad coordinate.
    """
    epsg = parse_epsg(crs)
    arr = shapely.force_2d(np.asarray(geoms, dtype=object))
    if epsg != WGS84:
        tr = _transformer(epsg, WGS84)

        def apply(coords: np.ndarray) -> np.ndarray:
            x, y = tr.transform(coords[:, 0], coords[:, 1], errcheck=False)
            return np.column_stack([x, y])

        arr = shapely.transform(arr, apply)
    coords, index = shapely.get_coordinates(arr, return_index=True)
    if len(coords):
        _check_arrays(
            coords[:, 0], coords[:, 1], epsg, (lambda i: where(int(index[i]))) if where else None
        )
    return arr


def to_metric(geom: BaseGeometry) -> BaseGeometry:
    """EPSG:4326 → EPSG:25832 (metres), for lengths, distances, buffers and grids."""
    return _transform_geometry(geom, WGS84, METRIC)


def from_metric(geom: BaseGeometry) -> BaseGeometry:
    """EPSG:25832 (metres) → EPSG:4326, the inverse of :func:`to_metric`."""
    return _transform_geometry(geom, METRIC, WGS84)


def crs_from_prj(text: str) -> int:
    """The EPSG code of an ESRI ``.prj`` / WKT text, or ``unknown_crs``.

    Shapefiles and some CSV exports carry their CRS as ESRI WKT without an EPSG code; PROJ
    identifies the common ones (ETRS89 / UTM, Gauß-Krüger) by comparing definitions.
    """
    try:
        crs = CRS.from_wkt(text.strip())
    except CRSError:
        raise _unknown(text.strip()[:40] + "…") from None
    code = crs.to_epsg(min_confidence=70)
    if code is None:
        raise _unknown(crs.name)
    return int(code)
