"""OGC API Features Part 2: coordinates in the CRS a planner's GIS asks for.

The checks follow the OGC test suite's Part 2 abstract tests: valid CRS URIs, CRS84 by
default, ``storageCrs`` listed, every listed CRS answers 200 with ``Content-Crs``, an
unknown CRS is a 400, coordinates really transformed (compared with pyproj), ``bbox-crs``
with its axis order. Data: a square south of Bochum (inside UTM zone 32) on ``mobilitaet``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from owslib.ogcapi.features import Features
from pyproj import Transformer
from sqlalchemy import Engine, text

from tests.conftest import LiveServer
from tests.test_tiles_seed import World, seed

BOX = (7.30, 51.30, 7.34, 51.34)
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
URIS = [CRS84] + [f"{EPSG}{c}" for c in (4326, 25832, 3857, 31467)]
ITEMS = "/ogc/collections/mobilitaet/items"


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    return seed(engine, "ogccrs", BOX, "mobilitaet")


def lonlat_of(engine: Engine, oid: str) -> tuple[float, float]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM observation WHERE id = :id"), {"id": oid}
        ).one()
    return float(row[0]), float(row[1])


def item(http: httpx.Client, world: World, oid: str, **params: str) -> httpx.Response:
    return http.get(f"{ITEMS}/{oid}", params=params)


def test_collections_list_the_crs_uris_and_the_storage_crs(
    http: httpx.Client, world: World
) -> None:
    doc = http.get("/ogc/collections").json()
    assert doc["crs"] == URIS
    for collection in doc["collections"]:
        assert collection["crs"][0] == CRS84  # the default comes first
        assert set(collection["crs"]) == set(URIS)
        assert collection["storageCrs"] in collection["crs"]
        assert all(uri.startswith("http://www.opengis.net/def/crs/") for uri in collection["crs"])
    classes = http.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes


def test_without_crs_the_answer_is_crs84_lon_lat(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    response = item(http, world, world.published_point)
    assert response.status_code == 200
    assert response.headers["content-crs"] == f"<{CRS84}>"
    lon, lat = lonlat_of(engine, world.published_point)
    assert response.json()["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    page = http.get(ITEMS, params={"quarter": world.quarter, "limit": "5"})
    assert page.headers["content-crs"] == f"<{CRS84}>"


@pytest.mark.parametrize("uri", URIS)
def test_every_listed_crs_answers_with_its_content_crs_and_pyproj_coordinates(
    http: httpx.Client, world: World, engine: Engine, uri: str
) -> None:
    lon, lat = lonlat_of(engine, world.published_point)
    response = item(http, world, world.published_point, crs=uri)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-crs"] == f"<{uri}>"
    got = response.json()["geometry"]["coordinates"]
    if uri == CRS84:
        want, tolerance = (lon, lat), 1e-7
    else:
        # always_xy=False: pyproj answers in the CRS's own axis order (lat/lon for 4326,
        # northing/easting for Gauß-Krüger), exactly what Part 2 asks of the server.
        want = Transformer.from_crs(4326, int(uri.rsplit("/", 1)[1])).transform(lat, lon)
        tolerance = 1e-7 if uri.endswith("/4326") else 0.01  # 1 cm
        if uri.endswith("/31467"):
            tolerance = 2.0  # DHDN datum shift: PROJ may pick another pipeline than PostGIS
    assert got == pytest.approx(list(want), abs=tolerance)
    page = http.get(ITEMS, params={"quarter": world.quarter, "crs": uri, "limit": "3"})
    assert page.status_code == 200 and page.headers["content-crs"] == f"<{uri}>"
    assert page.json()["numberReturned"] == 3


def test_axis_order_of_epsg_4326_is_latitude_first(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    lon, lat = lonlat_of(engine, world.published_point)
    got = item(http, world, world.published_point, crs=f"{EPSG}4326").json()
    assert got["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-7)
    assert 51 < got["geometry"]["coordinates"][0] < 52  # latitude of Bochum


@pytest.mark.parametrize(
    "params",
    [
        {"crs": "EPSG:2154"},
        {"crs": "http://www.opengis.net/def/crs/EPSG/0/999999"},
        {"crs": "'; DROP TABLE observation;--"},
        {"bbox-crs": f"{EPSG}25832"},  # without bbox
        {"bbox-crs": "urn:ogc:def:crs:EPSG::9999", "bbox": "1,2,3,4"},
        {"bbox-crs": f"{EPSG}25832", "bbox": "1e30,1e30,2e30,2e30"},
        {"bbox-crs": f"{EPSG}4326", "bbox": "7.30,51.30,7.34,51.34,9"},
        {"bbox-crs": f"{EPSG}25832", "bbox": "390000,5690000,380000,5700000"},  # min > max
    ],
)
def test_unsupported_crs_and_bad_boxes_are_400_in_german_and_english(
    http: httpx.Client, world: World, params: dict[str, str], engine: Engine
) -> None:
    before = engine.connect().execute(text("SELECT count(*) FROM observation")).scalar()
    response = http.get(ITEMS, params=params)
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["message_de"] and body["message_en"]
    assert engine.connect().execute(text("SELECT count(*) FROM observation")).scalar() == before
    one = item(http, world, world.published_point, crs=params.get("crs", "EPSG:2154"))
    assert one.status_code == 400


def _ids(doc: dict[str, Any]) -> set[str]:
    return {f["properties"]["id"] for f in doc["features"]}


def test_bbox_crs_follows_the_axis_order_of_its_crs(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    lon, lat = lonlat_of(engine, world.published_point)
    east, north = Transformer.from_crs(4326, 25832, always_xy=True).transform(lon, lat)
    utm = f"{east - 5},{north - 5},{east + 5},{north + 5}"
    found = http.get(ITEMS, params={"bbox": utm, "bbox-crs": f"{EPSG}25832"}).json()
    assert world.published_point in _ids(found)
    latlon = f"{lat - 1e-4},{lon - 1e-4},{lat + 1e-4},{lon + 1e-4}"
    found = http.get(ITEMS, params={"bbox": latlon, "bbox-crs": f"{EPSG}4326"}).json()
    assert world.published_point in _ids(found)
    lonlat = f"{lon - 1e-4},{lat - 1e-4},{lon + 1e-4},{lat + 1e-4}"  # wrong order for 4326
    response = http.get(ITEMS, params={"bbox": lonlat, "bbox-crs": f"{EPSG}4326"})
    assert response.status_code == 200 and world.published_point not in _ids(response.json())
    found = http.get(ITEMS, params={"bbox": lonlat, "bbox-crs": CRS84}).json()
    assert world.published_point in _ids(found)
    # a UTM box beside the point (not around it) does not find it
    beside = f"{east + 20},{north - 5},{east + 30},{north + 5}"
    found = http.get(ITEMS, params={"bbox": beside, "bbox-crs": f"{EPSG}25832"}).json()
    assert world.published_point not in _ids(found)


def test_public_findings_are_generalised_before_they_are_transformed(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    url = f"/ogc/collections/aussagen/items/{world.finding_home}"
    got = http.get(url, params={"crs": f"{EPSG}25832"}).json()["geometry"]
    with engine.connect() as conn:
        public, exact = conn.execute(
            text(
                "SELECT ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(public_geom, 25832)), 3), "
                "ST_AsGeoJSON(ST_Transform(geom, 25832), 3) FROM finding WHERE id = :id"
            ),
            {"id": world.finding_home},
        ).one()
    assert got == json.loads(public)
    assert got != json.loads(exact)
    planner = http.get(url, params={"crs": f"{EPSG}25832"}, headers=world.auth("planner"))
    assert planner.json()["geometry"] == json.loads(exact)


def test_owslib_reads_a_collection_in_utm(
    live_server: LiveServer, world: World, engine: Engine
) -> None:
    api = Features(f"{live_server.url}/ogc")
    doc = api.collection_items("mobilitaet", crs=f"{EPSG}25832", quarter=world.quarter, limit=1000)
    by_id = {f["properties"]["id"]: f for f in doc["features"]}
    lon, lat = lonlat_of(engine, world.published_point)
    want = Transformer.from_crs(4326, 25832, always_xy=True).transform(lon, lat)
    got = by_id[world.published_point]["geometry"]["coordinates"]
    assert got == pytest.approx(list(want), abs=0.01)


GDAL_READ = """
import json, sys, pyogrio
frame = pyogrio.read_dataframe(sys.argv[1], CRS="EPSG:25832")
row = frame[frame["id"] == sys.argv[2]].iloc[0]
print(json.dumps([frame.crs.to_epsg(), len(frame), row.geometry.x, row.geometry.y]))
"""


def test_gdal_reads_a_collection_in_utm(
    live_server: LiveServer, world: World, engine: Engine
) -> None:
    """GDAL's own OGC API client (the OAPIF driver of pyogrio's GDAL) with CRS=EPSG:25832.

    In a child process: GDAL holds the GIL while it waits for HTTP, and the live server
    runs in a thread of this process.
    """
    url = f"OAPIF:{live_server.url}/ogc/collections/mobilitaet"
    done = subprocess.run(
        [sys.executable, "-c", GDAL_READ, url, world.published_point],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    epsg, rows, x, y = json.loads(done.stdout.strip().splitlines()[-1])
    assert epsg == 25832 and rows > 300
    lon, lat = lonlat_of(engine, world.published_point)
    east, north = Transformer.from_crs(4326, 25832, always_xy=True).transform(lon, lat)
    assert (x, y) == pytest.approx((east, north), abs=0.01)
