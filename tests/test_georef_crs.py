"""CRS transforms against an independent implementation of the projections.

The reference values are computed here with the Krüger series for the transverse Mercator
(Karney 2011, 4th order in n, sub-millimetre within a zone) and a 7-parameter Helmert
transformation written out by hand, so a wrong axis order, zone or datum in the module
under test shows up as metres or kilometres, not as agreement with itself.
"""

from __future__ import annotations

import math

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon

from mapservice.errors import InvalidInput
from mapservice.georef import crs

GEOD = Geod(ellps="WGS84")
GRS80 = (6378137.0, 1 / 298.257222101)
WGS84_ELLPS = (6378137.0, 1 / 298.257223563)
BESSEL = (6377397.155, 1 / 299.1528128)
# "DHDN to WGS 84 (2)" (EPSG:1777), position-vector convention: metres, arc-seconds, ppm.
DHDN_TO_WGS84 = (598.1, 73.7, 418.2, 0.202, 0.045, -2.455, 6.7)

BOCHUM_RATHAUS = (7.2166, 51.4818)  # lon, lat (Willy-Brandt-Platz)
HAMBURG = (9.9937, 53.5511)


def metres_apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def tm_forward(
    lon: float,
    lat: float,
    ellipsoid: tuple[float, float],
    lon0: float,
    k0: float,
    false_easting: float,
) -> tuple[float, float]:
    """Transverse Mercator by the Krüger series (independent of PROJ)."""
    a, f = ellipsoid
    n = f / (2 - f)
    big_a = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    alpha = (
        n / 2 - 2 / 3 * n**2 + 5 / 16 * n**3 + 41 / 180 * n**4,
        13 / 48 * n**2 - 3 / 5 * n**3 + 557 / 1440 * n**4,
        61 / 240 * n**3 - 103 / 140 * n**4,
        49561 / 161280 * n**4,
    )
    e = math.sqrt(f * (2 - f))
    phi, lam = math.radians(lat), math.radians(lon - lon0)
    t = math.sinh(math.atanh(math.sin(phi)) - e * math.atanh(e * math.sin(phi)))
    xi_p = math.atan2(t, math.cos(lam))
    eta_p = math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
    xi = xi_p + sum(
        al * math.sin(2 * j * xi_p) * math.cosh(2 * j * eta_p)
        for j, al in enumerate(alpha, start=1)
    )
    eta = eta_p + sum(
        al * math.cos(2 * j * xi_p) * math.sinh(2 * j * eta_p)
        for j, al in enumerate(alpha, start=1)
    )
    return false_easting + k0 * big_a * eta, k0 * big_a * xi


def to_cartesian(lon: float, lat: float, ellipsoid: tuple[float, float]) -> tuple[float, ...]:
    a, f = ellipsoid
    e2 = f * (2 - f)
    phi, lam = math.radians(lat), math.radians(lon)
    nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    return (
        nu * math.cos(phi) * math.cos(lam),
        nu * math.cos(phi) * math.sin(lam),
        nu * (1 - e2) * math.sin(phi),
    )


def from_cartesian(x: float, y: float, z: float, ellipsoid: tuple[float, float]) -> tuple:
    a, f = ellipsoid
    e2 = f * (2 - f)
    p = math.hypot(x, y)
    phi = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
        h = p / math.cos(phi) - nu
        phi = math.atan2(z, p * (1 - e2 * nu / (nu + h)))
    return math.degrees(math.atan2(y, x)), math.degrees(phi)


def wgs84_to_dhdn(lon: float, lat: float) -> tuple[float, float]:
    """Inverse of the position-vector Helmert DHDN → WGS 84 (small-angle inverse)."""
    tx, ty, tz, rx, ry, rz, s = DHDN_TO_WGS84
    sec = math.pi / 180 / 3600
    rx, ry, rz, scale = rx * sec, ry * sec, rz * sec, 1 + s * 1e-6
    x, y, z = to_cartesian(lon, lat, WGS84_ELLPS)
    x, y, z = (x - tx) / scale, (y - ty) / scale, (z - tz) / scale
    # R is [[1, -rz, ry], [rz, 1, -rx], [-ry, rx, 1]]; its inverse is the transpose.
    xd = x + rz * y - ry * z
    yd = -rz * x + y + rx * z
    zd = ry * x - rx * y + z
    return from_cartesian(xd, yd, zd, BESSEL)


def test_utm32_matches_the_kruger_series_both_ways() -> None:
    easting, northing = tm_forward(*BOCHUM_RATHAUS, GRS80, 9.0, 0.9996, 500_000.0)
    # Bochum's city hall lies at roughly E 376 160, N 5 704 910 in ETRS89 / UTM 32N.
    assert 376_000 < easting < 376_300 and 5_704_800 < northing < 5_705_000
    lon, lat = crs.to_wgs84(easting, northing, 25832)
    assert metres_apart((lon, lat), BOCHUM_RATHAUS) < 0.01
    lon, lat = crs.to_wgs84(easting, northing, "EPSG:25832")
    assert metres_apart((lon, lat), BOCHUM_RATHAUS) < 0.01
    metric = crs.to_metric(Point(BOCHUM_RATHAUS))
    assert math.hypot(metric.x - easting, metric.y - northing) < 0.01


def test_utm33_for_berlin() -> None:
    berlin = (13.3777, 52.5163)  # Brandenburger Tor
    easting, northing = tm_forward(*berlin, GRS80, 15.0, 0.9996, 500_000.0)
    assert metres_apart(crs.to_wgs84(easting, northing, 25833), berlin) < 0.01


@pytest.mark.parametrize(
    ("epsg", "lon0", "false_easting", "place"),
    [(31466, 6.0, 2_500_000.0, BOCHUM_RATHAUS), (31467, 9.0, 3_500_000.0, HAMBURG)],
)
def test_gauss_krueger_matches_helmert_plus_kruger(
    epsg: int, lon0: float, false_easting: float, place: tuple[float, float]
) -> None:
    lon_b, lat_b = wgs84_to_dhdn(*place)
    # The datum shift between DHDN and WGS 84 is about 100 m here, so a transform that
    # ignored it would miss by far more than the 1 m allowed below.
    assert metres_apart((lon_b, lat_b), place) > 50
    rechts, hoch = tm_forward(lon_b, lat_b, BESSEL, lon0, 1.0, false_easting)
    assert str(int(rechts)).startswith(str(epsg - 31464))  # zone digit leads the easting
    lon, lat = crs.to_wgs84(rechts, hoch, epsg)
    assert metres_apart((lon, lat), place) < 1.0


def test_gauss_krueger_round_trip_within_a_metre() -> None:
    forward = crs.transformer(4326, 31466)
    rechts, hoch = forward.transform(*BOCHUM_RATHAUS)
    assert 2_570_000 < rechts < 2_590_000 and 5_700_000 < hoch < 5_710_000
    assert metres_apart(crs.to_wgs84(rechts, hoch, 31466), BOCHUM_RATHAUS) < 1.0


def test_web_mercator_closed_form() -> None:
    r = 6378137.0
    lon, lat = HAMBURG
    x = r * math.radians(lon)
    y = r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    assert metres_apart(crs.to_wgs84(x, y, 3857), HAMBURG) < 0.01


def test_etrs89_geographic_is_lon_lat_like_wgs84() -> None:
    lon, lat = crs.to_wgs84(*HAMBURG, 4258)
    assert metres_apart((lon, lat), HAMBURG) < 0.01


def test_axis_order_is_always_x_then_y() -> None:
    # EPSG:4326 is lat/lon by definition; we take and give lon/lat like GeoJSON.
    assert crs.to_wgs84(7.2166, 51.4818, 4326) == (7.2166, 51.4818)
    assert crs.transformer(25832).transform(376164.0, 5704913.0)[0] == pytest.approx(7.2166, 1e-3)
    assert crs.to_wgs84(*HAMBURG, "urn:ogc:def:crs:OGC:1.3:CRS84") == HAMBURG


def test_geometries_are_transformed_vertex_by_vertex() -> None:
    e0, n0 = tm_forward(*BOCHUM_RATHAUS, GRS80, 9.0, 0.9996, 500_000.0)
    square = Polygon([(e0, n0), (e0 + 100, n0), (e0 + 100, n0 + 100), (e0, n0 + 100)])
    out = crs.geometry_to_wgs84(square, "EPSG:25832")
    assert out.geom_type == "Polygon"
    assert metres_apart(out.exterior.coords[0], BOCHUM_RATHAUS) < 0.01
    assert crs.to_metric(out).area == pytest.approx(10_000, rel=1e-6)
    line = crs.geometry_to_wgs84(LineString([(e0, n0, 80.0), (e0 + 10, n0, 81.0)]), 25832)
    assert not line.has_z
    assert crs.from_metric(crs.to_metric(Point(HAMBURG))).distance(Point(HAMBURG)) < 1e-9


@pytest.mark.parametrize("value", ["EPSG:99999", "foo", "EPSG:", 123456, "", "epsg:4326x"])
def test_unknown_crs(value: object) -> None:
    if value == "":
        assert crs.parse_epsg("") == 4326  # empty means the GPS default
        return
    with pytest.raises(InvalidInput) as err:
        crs.parse_epsg(value)  # type: ignore[arg-type]
    assert err.value.code == "unknown_crs"
    assert "Koordinatensystem" in err.value.message_de
    assert "coordinate reference system" in err.value.message_en


def test_outside_the_area_of_use_names_crs_and_bounds() -> None:
    # Gauß-Krüger zone 2 numbers declared as UTM 32N: lands near the Black Sea.
    with pytest.raises(InvalidInput) as err:
        crs.to_wgs84(2_580_000, 5_707_000, 25832)
    assert err.value.code == "outside_crs_area"
    assert "EPSG:25832" in err.value.message_de and "UTM" in err.value.message_de
    assert "bis" in err.value.message_de and "to" in err.value.message_en
    # GK zone 2 numbers declared as zone 3 are off by a whole zone.
    with pytest.raises(InvalidInput) as err:
        crs.to_wgs84(2_580_000, 5_707_000, 31467)
    assert err.value.code == "outside_crs_area"
    # Numbers PROJ cannot project at all.
    with pytest.raises(InvalidInput) as err:
        crs.geometry_to_wgs84(Point(1e12, 1e12), 25832)
    assert err.value.code == "outside_crs_area"


def test_utm32_is_accepted_all_over_germany() -> None:
    # Bavaria and the BKG use UTM 32N up to 13.8° E, beyond the published 12° E zone edge.
    passau = (13.4319, 48.5665)
    easting, northing = tm_forward(*passau, GRS80, 9.0, 0.9996, 500_000.0)
    assert metres_apart(crs.to_wgs84(easting, northing, 25832), passau) < 0.01


def test_outside_the_world() -> None:
    for lon, lat in [(200.0, 10.0), (10.0, -95.0), (float("nan"), 1.0)]:
        with pytest.raises(InvalidInput) as err:
            crs.to_wgs84(lon, lat)
        assert err.value.code == "outside_world"
        assert "±180" in err.value.message_de


def test_swapped_lat_lon_hint() -> None:
    assert crs.looks_swapped(51.4818, 7.2166)  # (lat, lon) given as (lon, lat)
    assert not crs.looks_swapped(7.2166, 51.4818)
    assert not crs.looks_swapped(-73.98, 40.75)  # New York is simply elsewhere
    hint = crs.swap_hint(53.5511, 9.9937)
    assert hint is not None and "Breite/Länge vertauscht" in hint[0]
    assert "swapped" in hint[1]
    assert crs.swap_hint(9.9937, 53.5511) is None


def test_area_bounds_in_source_units_for_sql_checks() -> None:
    x0, y0, x1, y1 = crs.area_bounds(25832)
    easting, northing = tm_forward(*BOCHUM_RATHAUS, GRS80, 9.0, 0.9996, 500_000.0)
    assert x0 < easting < x1 and y0 < northing < y1
    assert not (x0 < 2_580_000 < x1)


def test_many_coordinates_at_once_and_row_labels() -> None:
    lons, _lats = crs.many_to_wgs84([376164.49, 376264.49], [5704913.22, 5704913.22], 25832)
    assert lons[0] == pytest.approx(7.2166, abs=1e-6)
    with pytest.raises(InvalidInput) as err:
        crs.geometries_to_wgs84(
            [Point(376164, 5704913), Point(2_580_000, 5_707_000)],
            25832,
            where=lambda i: f"Zeile {i + 2}",
        )
    assert "Zeile 3" in err.value.message_de


def test_esri_prj_of_the_bochum_open_data_is_utm32() -> None:
    prj = (
        'PROJCS["ETRS_1989_UTM_Zone_32N",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",'
        'SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
        'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
        'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
        'PARAMETER["Central_Meridian",9.0],PARAMETER["Scale_Factor",0.9996],'
        'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
    )
    assert crs.crs_from_prj(prj) == 25832
    with pytest.raises(InvalidInput) as err:
        crs.crs_from_prj("not a projection")
    assert err.value.code == "unknown_crs"
