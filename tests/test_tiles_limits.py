"""The per-tile feature cap and non-public layers, on a second app with its own settings.

The app here runs with ``KARTE_TILES_FEATURE_CAP=5`` and a layer catalogue that has one
non-public layer, so both rules can be seen over real HTTP.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import mapbox_vector_tile
import morecantile
import pytest
from sqlalchemy import Engine, text

from mapservice.config import Settings
from mapservice.tiles.settings import TileSettings
from tests.conftest import LiveServer, make_temp_dir
from tests.test_tiles_seed import World, seed

TMS = morecantile.tms.get("WebMercatorQuad")
BOX = (13.50, 52.60, 13.54, 52.64)
CAP = 5


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    return seed(engine, "kappe", BOX, "wohnen")


@pytest.fixture(scope="module")
def small(settings: Settings) -> Iterator[httpx.Client]:
    layers = make_temp_dir("karte-layers-")
    for path in Path(settings.layers_dir).glob("*.toml"):
        shutil.copy(path, layers)
    hidden = (layers / "umwelt.toml").read_text(encoding="utf-8")
    hidden = hidden.replace('id = "umwelt"', 'id = "intern-test"').replace(
        "public = true", "public = false"
    )
    (layers / "intern-test.toml").write_text(hidden, encoding="utf-8")
    custom = settings.model_copy(update={"layers_dir": layers})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KARTE_TILES_FEATURE_CAP", str(CAP))
        server = LiveServer(custom)
        server.__enter__()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client
    finally:
        server.__exit__()
        shutil.rmtree(layers, ignore_errors=True)


def test_a_full_tile_is_cut_at_the_cap_in_id_order_and_says_so(
    small: httpx.Client, engine: Engine, world: World
) -> None:
    x0, y0, x1, y1 = world.box
    t = TMS.tile(x0 + (x1 - x0) * 0.25, y0 + (y1 - y0) * 0.25, 15)
    response = small.get(f"/tiles/wohnen/{t.z}/{t.x}/{t.y}.geojson")
    assert response.headers["X-Tile-Truncated"] == "true"
    assert response.headers["X-Tile-Features"] == str(CAP)
    doc = response.json()
    assert doc["truncated"] is True and len(doc["features"]) == CAP
    with engine.connect() as conn:
        expected = conn.execute(
            text(
                "SELECT id::text FROM observation WHERE layer_id = 'wohnen' "
                "AND status = 'published' AND geom && ST_Transform(ST_TileEnvelope(:z, :x, :y, "
                "margin => :m), 4326) ORDER BY id LIMIT :n"
            ),
            {"z": t.z, "x": t.x, "y": t.y, "n": CAP, "m": TileSettings().buffer_px / 256},
        ).scalars()
        assert sorted(f["id"] for f in doc["features"]) == list(expected)
    packed = small.get(f"/tiles/wohnen/{t.z}/{t.x}/{t.y}.mvt")
    assert packed.headers["X-Tile-Truncated"] == "true"
    features = mapbox_vector_tile.decode(packed.content)["wohnen"]["features"]
    assert sorted(f["properties"]["id"] for f in features) == [f["id"] for f in doc["features"]]


def test_a_tile_below_the_cap_is_not_marked(small: httpx.Client, world: World) -> None:
    t = TMS.tile(world.box[0] + 0.001, world.box[3] - 0.001, 18)
    response = small.get(f"/tiles/wohnen/{t.z}/{t.x}/{t.y}.geojson")
    assert response.headers["X-Tile-Truncated"] == "false"
    assert "truncated" not in response.json()


def test_clusters_are_not_capped_away(small: httpx.Client, world: World) -> None:
    total = 0
    for t in TMS.tiles(*world.box, zooms=[13]):
        doc = small.get(
            f"/tiles/wohnen/{t.z}/{t.x}/{t.y}.geojson", params={"quarter": world.quarter}
        )
        total += sum(f["properties"].get("count", 0) for f in doc.json()["features"])
    assert total == world.cluster_points


def test_a_non_public_layer_does_not_exist_for_the_public(
    small: httpx.Client, world: World
) -> None:
    for path in (
        "/tiles/intern-test/14/8802/5373.mvt",
        "/tiles/intern-test/tilejson.json",
        "/ogc/collections/intern-test",
        "/ogc/collections/intern-test/items",
        "/ogc/collections/intern-test/tiles/WebMercatorQuad/14/5373/8802",
    ):
        response = small.get(path)
        assert response.status_code == 404, path
        assert "intern-test" not in response.json().get("known", [])
    listed = [c["id"] for c in small.get("/ogc/collections").json()["collections"]]
    assert "intern-test" not in listed and "umwelt" in listed
    planner = world.auth("planner")
    assert small.get("/tiles/intern-test/tilejson.json", headers=planner).status_code == 200
    assert small.get("/ogc/collections/intern-test", headers=planner).status_code == 200
    listed = [c["id"] for c in small.get("/ogc/collections", headers=planner).json()["collections"]]
    assert "intern-test" in listed
