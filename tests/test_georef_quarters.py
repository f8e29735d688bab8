"""Quarter assignment by point-in-polygon and refusals that name the nearest quarter."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, box
from sqlalchemy import Engine, text

from mapservice.errors import InvalidInput, NotFound
from mapservice.georef.quarters import (
    OutsideQuarter,
    assign_quarter,
    check_inside_quarter,
    find_quarter,
    metres_de,
    metres_en,
    nearest_quarter,
)

GEOD = Geod(ellps="WGS84")
# Two quarters side by side in Hamburg, south of the other georef tests' quarters.
NORTH = box(9.980, 53.520, 10.000, 53.530)
SOUTH = box(9.980, 53.510, 10.000, 53.520)


@pytest.fixture(scope="module")
def quarters(engine: Engine) -> Iterator[dict[str, int]]:
    tag = uuid.uuid4().hex[:8]
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        for side, shape in (("north", NORTH), ("south", SOUTH)):
            ids[side] = conn.execute(
                text(
                    "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, :n, 'Hamburg', "
                    "ST_Multi(ST_GeomFromText(:w, 4326))) RETURNING id"
                ),
                {"s": f"georef-q-{side}-{tag}", "n": f"Quartier-{side}-{tag}", "w": shape.wkt},
            ).scalar_one()
    yield ids
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM quarter WHERE id = ANY(:i)"), {"i": list(ids.values())})


def east_of_north(metres: float) -> Point:
    """A point ``metres`` east of the north quarter's east edge."""
    lon, lat, _ = GEOD.fwd(10.000, 53.525, 90, metres)
    return Point(lon, lat)


def test_point_in_polygon(engine: Engine, quarters: dict[str, int]) -> None:
    with engine.connect() as conn:
        assert assign_quarter(conn, Point(9.99, 53.525)) == quarters["north"]
        assert assign_quarter(conn, Point(9.99, 53.515)) == quarters["south"]
        # A line mostly in the south quarter belongs to it, although it touches the north.
        line = LineString([(9.99, 53.511), (9.99, 53.5205)])
        assert assign_quarter(conn, line) == quarters["south"]
        # Lines partly outside still belong to the quarter they touch.
        assert (
            assign_quarter(conn, LineString([(9.99, 53.525), (10.05, 53.525)]))
            == (quarters["north"])
        )
        assert find_quarter(conn, east_of_north(500)) is None


def test_outside_every_quarter_names_nearest_and_distance(
    engine: Engine, quarters: dict[str, int]
) -> None:
    with engine.connect() as conn, pytest.raises(InvalidInput) as err:
        assign_quarter(conn, east_of_north(1240))
    error = err.value
    assert isinstance(error, OutsideQuarter)
    assert error.code == "outside_quarter"
    assert error.nearest is not None and error.nearest.id == quarters["north"]
    assert error.nearest.distance_m == pytest.approx(1240, abs=5)
    name = error.nearest.name
    assert f"nächstes Quartier: {name} (Hamburg)" in error.message_de
    assert f"nearest quarter: {name} (Hamburg)" in error.message_en
    metres_in_text = int(
        re.search(r"(\d\.\d{3}) m entfernt", error.message_de).group(1).replace(".", "")
    )
    assert abs(metres_in_text - 1240) <= 5
    assert re.search(r"\d,\d{3} m away", error.message_en)
    assert error.message_de.startswith("Die Geometrie liegt außerhalb aller Quartiere")


def test_swapped_coordinates_get_a_hint(engine: Engine, quarters: dict[str, int]) -> None:
    swapped = Point(53.525, 9.99)  # (lat, lon) sent as (lon, lat): lands in East Africa
    with engine.connect() as conn, pytest.raises(InvalidInput) as err:
        assign_quarter(conn, swapped)
    assert "Breite/Länge vertauscht?" in err.value.message_de
    assert "swapped" in err.value.message_en
    with engine.connect() as conn, pytest.raises(InvalidInput) as err:
        check_inside_quarter(conn, swapped, quarters["north"])
    assert "Breite/Länge vertauscht?" in err.value.message_de


def test_check_inside_a_given_quarter(engine: Engine, quarters: dict[str, int]) -> None:
    with engine.connect() as conn:
        check_inside_quarter(conn, Point(9.99, 53.525), quarters["north"])
        # A GPS track that starts outside still touches the quarter.
        check_inside_quarter(conn, LineString([(10.02, 53.525), (9.99, 53.525)]), quarters["north"])
        with pytest.raises(InvalidInput) as err:
            check_inside_quarter(conn, Point(9.99, 53.515), quarters["north"])
        assert err.value.code == "outside_given_quarter"
        assert "Sie liegt im Quartier Quartier-south" in err.value.message_de
        gap = GEOD.inv(9.99, 53.515, 9.99, 53.520)[2]  # to the north quarter's south edge
        assert err.value.nearest.distance_m == pytest.approx(gap, abs=2)  # type: ignore[attr-defined]
        shown = re.search(r"(\d+) m entfernt", err.value.message_de)
        assert shown is not None and abs(int(shown.group(1)) - gap) <= 2
        with pytest.raises(InvalidInput) as err:
            check_inside_quarter(conn, east_of_north(300), quarters["north"])
        assert err.value.code == "outside_given_quarter"
        assert err.value.nearest.distance_m == pytest.approx(300, abs=3)  # type: ignore[attr-defined]
        assert "300 m entfernt" in err.value.message_de
        assert "300 m away" in err.value.message_en
        with pytest.raises(NotFound):
            check_inside_quarter(conn, Point(9.99, 53.525), -1)


def test_nearest_quarter_is_zero_inside(engine: Engine, quarters: dict[str, int]) -> None:
    with engine.connect() as conn:
        inside = nearest_quarter(conn, Point(9.99, 53.525))
    assert inside is not None and inside.distance_m == 0.0


def test_distance_formatting() -> None:
    assert metres_de(1240.4) == "1.240 m" and metres_en(1240.4) == "1,240 m"
    assert metres_de(12_345) == "12,3 km" and metres_en(12_345) == "12.3 km"
    assert metres_de(7.6) == "8 m"


def test_empty_geometry_is_refused(engine: Engine, quarters: dict[str, int]) -> None:
    with engine.connect() as conn, pytest.raises(InvalidInput) as err:
        assign_quarter(conn, Point())
    assert err.value.code == "geometry_empty"
