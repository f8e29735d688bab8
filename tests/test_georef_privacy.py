"""Public geometry of findings placed from a home address: a 50 m grid cell, never the house."""

from __future__ import annotations

import math

import pytest
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from mapservice.georef.privacy import HOME_CELL_M, generalise, grid_cell_centre, is_home

TO_UTM = Transformer.from_crs(4326, 25832, always_xy=True)
FROM_UTM = Transformer.from_crs(25832, 4326, always_xy=True)
HALF_DIAGONAL = HOME_CELL_M * math.sqrt(2) / 2  # 35.36 m


def utm(point: Point) -> tuple[float, float]:
    return TO_UTM.transform(point.x, point.y)


def house(easting: float, northing: float) -> Point:
    return Point(FROM_UTM.transform(easting, northing))


# Houses at various places inside their cells (UTM 32N, Hamburg), none at a cell centre.
HOUSES = [
    house(566_003.0, 5_933_047.0),  # near a corner
    house(566_012.5, 5_933_031.2),
    house(566_044.0, 5_933_001.0),  # near the opposite corner
    house(566_037.0, 5_933_013.0),
]


@pytest.mark.parametrize("home", HOUSES)
def test_home_points_move_to_their_cell_centre(home: Point) -> None:
    public = generalise(home, "address")
    assert public.geom_type == "Point"
    (hx, hy), (px, py) = utm(home), utm(public)
    moved = math.hypot(px - hx, py - hy)
    assert moved > 3.0  # never the exact house
    assert moved <= HALF_DIAGONAL + 0.01  # but within its cell
    # The public point is a cell centre: 25 m past a multiple of 50 m in both axes.
    assert (px % HOME_CELL_M) == pytest.approx(25.0, abs=0.01)
    assert (py % HOME_CELL_M) == pytest.approx(25.0, abs=0.01)
    assert math.floor(px / 50) == math.floor(hx / 50) and math.floor(py / 50) == math.floor(hy / 50)


def test_houses_of_one_cell_share_one_public_point() -> None:
    publics = {generalise(h, "address").wkt for h in HOUSES}
    assert len(publics) == 1
    neighbour = generalise(house(566_051.0, 5_933_020.0), "address")  # next cell east
    assert neighbour.wkt not in publics
    (ax, _), (bx, _) = utm(generalise(HOUSES[0], "address")), utm(neighbour)
    assert bx - ax == pytest.approx(50.0, abs=0.01)


def test_not_homes_stay_as_they_are() -> None:
    point = HOUSES[1]
    for method in ("crossing", "place", "street", "quarter", "coordinates", "manual"):
        assert generalise(point, method).equals(point)
    # A school's address is not a home; a GPS point at somebody's door is.
    assert generalise(point, "address", from_home_address=False).equals(point)
    assert not generalise(point, "coordinates", from_home_address=True).equals(point)
    line = LineString([(9.99, 53.55), (9.991, 53.551)])
    area = Polygon([(9.99, 53.55), (9.991, 53.55), (9.991, 53.551)])
    assert generalise(line, "address").equals(line)
    assert generalise(area, "address").equals(area)


def test_configurable_cell_and_multipoints() -> None:
    home = HOUSES[1]
    (hx, hy), (px, py) = utm(home), utm(grid_cell_centre(home, 100.0))
    assert (px % 100, py % 100) == pytest.approx((50.0, 50.0), abs=0.01)
    assert math.hypot(px - hx, py - hy) <= 100 * math.sqrt(2) / 2
    merged = generalise(MultiPoint(HOUSES), "address")
    assert merged.geom_type == "Point"  # all four houses share one cell
    with pytest.raises(ValueError):
        generalise(home, "address", cell_m=0)


def test_is_home() -> None:
    assert is_home("address") and not is_home("crossing")
    assert not is_home("address", from_home_address=False)
    assert is_home("manual", from_home_address=True)
