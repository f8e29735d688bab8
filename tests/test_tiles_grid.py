"""Tile maths at the edges of the matrix, and requests that must fail cleanly (400/404).

Includes SQL meta characters in every part of a tile or TileJSON request: each is refused
or harmless, and the observation table is still there afterwards.
"""

from __future__ import annotations

import httpx
import morecantile
import pytest
from sqlalchemy import Engine

from mapservice.errors import InvalidInput
from mapservice.tiles.grid import TileAddress, digits_for_zoom
from tests.conftest import count

TMS = morecantile.tms.get("WebMercatorQuad")
EVIL = "'; DROP TABLE observation;--"


def test_tile_address_accepts_the_corners_of_every_zoom() -> None:
    assert TileAddress.parse("0", "0", "0") == TileAddress(0, 0, 0)
    last = 2**22 - 1
    assert TileAddress.parse(22, last, last) == TileAddress(22, last, last)
    assert TileAddress.parse(22, 0, last).bounds()[1] == pytest.approx(-85.0511287798066)


@pytest.mark.parametrize(
    ("z", "x", "y", "fragment"),
    [
        ("23", "0", "0", "zoom 23"),
        ("1", "2", "0", "x = 2"),
        ("1", "0", "2", "y = 2"),
        ("22", str(2**22), "0", "outside the tile matrix"),
        ("-1", "0", "0", "whole number"),
        ("1.5", "0", "0", "whole number"),
        ("z", "0", "0", "whole number"),
    ],
)
def test_tile_address_refuses_what_lies_outside_the_matrix(
    z: str, x: str, y: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        TileAddress.parse(z, x, y)
    assert fragment in caught.value.message_en
    assert caught.value.message_de.startswith("Ungültige Kachel")


def test_tile_bounds_agree_with_morecantile() -> None:
    """Our closed formulas against the OGC tile matrix set, to far below a millimetre."""
    for z, x, y in ((0, 0, 0), (14, 8802, 5373), (22, 2**22 - 1, 0), (18, 140000, 86000)):
        b = TMS.bounds(morecantile.Tile(x, y, z))
        ours = TileAddress(z, x, y).bounds()
        assert ours == pytest.approx((b.left, b.bottom, b.right, b.top), abs=1e-10)


def test_digits_follow_the_tilezen_table() -> None:
    assert [digits_for_zoom(z) for z in (0, 3, 4, 6, 7, 9, 10, 13, 14, 16, 17, 22)] == [
        2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
    ]  # fmt: skip


def test_simplification_tolerance_is_about_one_pixel() -> None:
    tile = TileAddress(16, 35208, 21493)  # Berlin-Mitte
    west, south, east, north = tile.bounds()
    assert tile.tolerance() == pytest.approx((north - south) / 256)
    assert tile.tolerance() < (east - west) / 256  # latitude degrees are the smaller ones


@pytest.mark.parametrize("fmt", ["mvt", "geojson"])
def test_zoom_zero_and_the_last_tile_of_zoom_22_are_served(http: httpx.Client, fmt: str) -> None:
    last = 2**22 - 1
    for path in (f"/tiles/umwelt/0/0/0.{fmt}", f"/tiles/umwelt/22/{last}/{last}.{fmt}"):
        response = http.get(path)
        assert response.status_code in (200, 204), response.text
        assert response.headers["ETag"]


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/umwelt/23/0/0.mvt",
        "/tiles/umwelt/3/8/0.mvt",
        "/tiles/umwelt/3/0/8.geojson",
        "/tiles/umwelt/-1/0/0.mvt",
        "/tiles/umwelt/a/0/0.mvt",
        "/ogc/collections/umwelt/tiles/WebMercatorQuad/3/8/0",
    ],
)
def test_tiles_outside_the_matrix_are_a_400_in_german_and_english(
    http: httpx.Client, path: str
) -> None:
    response = http.get(path)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_tile"
    assert body["message_de"].startswith("Ungültige Kachel")
    assert body["message_en"].startswith("Invalid tile")


def test_unknown_layer_is_a_404_that_names_the_known_ones(http: httpx.Client) -> None:
    response = http.get("/tiles/umwelz/14/8802/5373.mvt")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "unknown_layer"
    assert "umwelt" in body["message_de"] and "umwelt" in body["known"]
    assert http.get("/tiles/umwelz/tilejson.json").status_code == 404


def test_unknown_format_and_unknown_parameter_are_refused(http: httpx.Client) -> None:
    assert http.get("/tiles/umwelt/14/8802/5373.png").status_code == 404
    response = http.get("/tiles/umwelt/14/8802/5373.mvt", params={"kinds": "problem"})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"
    twice = http.get("/tiles/umwelt/14/8802/5373.mvt?kind=idea&kind=problem")
    assert twice.status_code == 400


def test_a_filter_the_layer_does_not_have_is_a_400(http: httpx.Client) -> None:
    response = http.get("/tiles/begehungen/14/8802/5373.mvt", params={"kind": "problem"})
    assert response.status_code == 400
    assert response.json()["code"] == "filter_not_applicable"


@pytest.mark.parametrize("name", ["quarter", "kind", "datetime", "walkthrough", "status", "v"])
def test_sql_meta_characters_in_tile_parameters_do_no_harm(
    http: httpx.Client, engine: Engine, name: str
) -> None:
    before = count(engine, "observation")
    for fmt in ("mvt", "geojson"):
        response = http.get(f"/tiles/umwelt/14/8802/5373.{fmt}", params={name: EVIL})
        # v is informative only; status is refused for the public before it is parsed
        assert response.status_code in ((200, 204) if name == "v" else (400, 401)), response.text
        if response.status_code >= 400:
            assert response.json()["message_de"] and response.json()["message_en"]
    response = http.get("/tiles/umwelt/tilejson.json", params={name: EVIL})
    assert response.status_code in (400, 401)
    assert count(engine, "observation") == before


def test_sql_meta_characters_in_the_path_do_no_harm(http: httpx.Client, engine: Engine) -> None:
    before = count(engine, "observation")
    for path in (
        f"/tiles/{EVIL}/14/8802/5373.mvt",
        f"/tiles/umwelt/{EVIL}/8802/5373.mvt",
        f"/tiles/umwelt/14/{EVIL}/5373.geojson",
        f"/tiles/umwelt/14/8802/{EVIL}.mvt",
        f"/tiles/{EVIL}/tilejson.json",
    ):
        assert http.get(path).status_code in (400, 404), path
    assert count(engine, "observation") == before
