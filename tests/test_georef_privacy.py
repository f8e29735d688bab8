"""Public geometry of findings placed from a home address: ≥ 50 m away, ≥ k addresses."""

from __future__ import annotations

import math
import random

import pytest
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from mapservice.georef.privacy import (
    HOME_CELL_M,
    K_ANONYMITY,
    MIN_DISTANCE_M,
    HomeGrid,
    generalise,
    is_home,
    lattice_point,
)

TO_UTM = Transformer.from_crs(4326, 25832, always_xy=True)
FROM_UTM = Transformer.from_crs(25832, 4326, always_xy=True)


def utm(point: Point) -> tuple[float, float]:
    return TO_UTM.transform(point.x, point.y)


def house(easting: float, northing: float) -> Point:
    return Point(FROM_UTM.transform(easting, northing))


def test_the_rule_keeps_every_position_of_a_cell_at_least_50_m_away() -> None:
    """Dense sampling of one cell, its centre and corners included (the worst cases)."""
    c = HOME_CELL_M
    worst = math.inf
    samples = [(c * i / 80, c * j / 80) for i in range(81) for j in range(81)]
    samples += [(c / 2, c / 2), (0.0, 0.0), (c / 4, c / 4), (c * 0.75, c * 0.25)]
    for x, y in samples:
        a, b = lattice_point(566_080.0 + x, 5_933_120.0 + y, c)
        worst = min(worst, math.hypot(a * c / 2 - 566_080.0 - x, b * c / 2 - 5_933_120.0 - y))
    assert worst >= c * math.sqrt(2) / 4 - 1e-6
    assert worst >= MIN_DISTANCE_M


def test_a_house_at_the_centre_of_its_cell_is_not_published_there() -> None:
    """The old rule put this house 0 m from its public point; now it goes to a corner."""
    c = HOME_CELL_M
    home = house(566_080.0 + c / 2 + 3, 5_933_120.0 + c / 2 + 4)  # 5 m from the centre
    public = generalise(home, "address")
    (hx, hy), (px, py) = utm(home), utm(public)
    assert math.hypot(px - hx, py - hy) >= MIN_DISTANCE_M
    assert px % c == pytest.approx(0.0, abs=0.01) or px % c == pytest.approx(c, abs=0.01)


def _street(n: int, seed: int = 7) -> list[tuple[float, float]]:
    rnd = random.Random(seed)
    return [(566_000.0 + rnd.uniform(0, 900), 5_933_000.0 + rnd.uniform(0, 900)) for _ in range(n)]


def test_every_public_point_stands_for_at_least_k_addresses() -> None:
    addresses = _street(400)
    grid = HomeGrid.build(addresses)
    published: dict[tuple[int, int, int], int] = {}
    for x, y in addresses:
        key = grid.key_for(x, y)
        assert key is not None
        published[key] = published.get(key, 0) + 1
        px, py = grid.public_metric(x, y)  # type: ignore[misc]
        assert math.hypot(px - x, py - y) >= MIN_DISTANCE_M
    assert min(published.values()) >= K_ANONYMITY
    assert published == {k: v for k, v in grid.groups.items() if v}


def test_a_lonely_house_goes_to_the_nearest_crowded_point() -> None:
    town = _street(60)
    lonely = (575_000.0, 5_940_000.0)  # 10 km away from the rest
    grid = HomeGrid.build([*town, lonely])
    key = grid.key_for(*lonely)
    assert key is not None and key in grid.published
    public = generalise(house(*lonely), "address", grid=grid)
    assert public is not None
    px, py = utm(public)
    assert math.hypot(px - lonely[0], py - lonely[1]) > 5_000
    assert grid.groups[key] >= K_ANONYMITY + 1
    sparse = HomeGrid.build(_street(30, seed=3))  # thirty houses over a square km
    levels = {sparse.key_for(x, y)[0] for x, y in _street(30, seed=3)}  # type: ignore[index]
    assert levels and min(levels) >= 1, "scattered houses need a coarser grid"
    few = HomeGrid.build(_street(K_ANONYMITY - 1))
    assert generalise(house(566_100.0, 5_933_100.0), "address", grid=few) is None


def test_an_unknown_house_uses_a_point_that_stands_for_k_addresses() -> None:
    addresses = _street(300)
    grid = HomeGrid.build(addresses)
    unknown = (566_450.0, 5_933_450.0)
    assert grid.anonymity(*unknown) >= K_ANONYMITY


def test_not_homes_stay_as_they_are() -> None:
    point = house(566_012.5, 5_933_031.2)
    for method in ("crossing", "place", "street", "quarter", "coordinates", "manual"):
        assert generalise(point, method).equals(point)
    assert is_home("address") and not is_home("street")
    # A school's address is not a home; a GPS point at somebody's door is.
    assert generalise(point, "address", from_home_address=False).equals(point)
    assert not generalise(point, "coordinates", from_home_address=True).equals(point)
    line = LineString([(9.99, 53.55), (9.991, 53.551)])
    area = Polygon([(9.99, 53.55), (9.991, 53.55), (9.991, 53.551)])
    assert generalise(line, "address").equals(line)
    assert generalise(area, "address").equals(area)


def test_multipoints_and_bad_settings() -> None:
    homes = [house(566_003.0, 5_933_047.0), house(566_004.0, 5_933_046.0)]
    merged = generalise(MultiPoint(homes), "address")
    assert merged is not None and merged.geom_type == "Point"
    with pytest.raises(ValueError):
        HomeGrid.build([], cell_m=0)
