"""OGC API Features and Tiles under /ogc, read as QGIS, GDAL and OWSLib read them.

Data: a square in Berlin-Spandau (``test_tiles_seed``) on the layer ``mobilitaet``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import mapbox_vector_tile
import morecantile
import pytest
from owslib.ogcapi.features import Features
from shapely.geometry import LinearRing
from sqlalchemy import Engine, text

from tests.conftest import count
from tests.test_tiles_seed import World, seed

TMS = morecantile.tms.get("WebMercatorQuad")
BOX = (13.20, 52.40, 13.24, 52.44)
EVIL = "'; DROP TABLE observation;--"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    return seed(engine, "ogc", BOX, "mobilitaet")


def items(http: httpx.Client, world: World, **params: Any) -> dict[str, Any]:
    params = {"quarter": world.quarter, **params}
    headers = params.pop("headers", {})
    response = http.get("/ogc/collections/mobilitaet/items", params=params, headers=headers)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/geo+json"
    return response.json()


def test_landing_page_links_an_openapi_30_description(http: httpx.Client) -> None:
    doc = http.get("/ogc").json()
    rels = {link["rel"]: link for link in doc["links"]}
    assert {"self", "conformance", "data", "service-desc", "service-doc"} <= set(rels)
    desc = rels["service-desc"]
    assert desc["type"] == OPENAPI_30
    api = http.get(desc["href"])
    assert api.headers["content-type"] == OPENAPI_30
    spec = api.json()
    assert spec["openapi"].startswith("3.0.")
    assert "/ogc/collections/{collectionId}/items" in spec["paths"]
    limit = next(
        p for p in spec["paths"]["/ogc/collections/{collectionId}/items"]["get"]["parameters"]
        if p["name"] == "limit"
    )  # fmt: skip
    assert limit["schema"]["maximum"] == 10_000
    assert http.get("/ogc/").status_code == 200  # OWSLib asks with a trailing slash


def test_conformance_declares_features_core_geojson_and_tiles(http: httpx.Client) -> None:
    classes = http.get("/ogc/conformance").json()["conformsTo"]
    for needed in (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    ):
        assert needed in classes


def test_collections_are_features_with_a_crs84_extent_of_what_the_public_sees(
    http: httpx.Client, world: World
) -> None:
    doc = http.get("/ogc/collections").json()
    by_id = {c["id"]: c for c in doc["collections"]}
    assert {"mobilitaet", "aussagen", "begehungen", "referenz-kitas"} <= set(by_id)
    mob = by_id["mobilitaet"]
    assert mob["itemType"] == "feature"
    assert mob["extent"]["spatial"]["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    west, south, east, north = mob["extent"]["spatial"]["bbox"][0]
    assert -180 <= west < east <= 180 and -90 <= south < north <= 90
    rels = {link["rel"] for link in mob["links"]}
    assert {"self", "items", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"} <= rels
    one = http.get("/ogc/collections/mobilitaet").json()
    assert one["id"] == "mobilitaet" and one["extent"]["temporal"]["interval"][0][0]


def test_items_page_through_without_overlap_and_match_the_count(
    http: httpx.Client, world: World
) -> None:
    first = items(http, world, limit=70)
    matched = first["numberMatched"]
    assert matched == world.cluster_points + 2  # points, the area and the line
    seen: list[str] = []
    page = first
    while True:
        assert page["numberReturned"] == len(page["features"])
        seen += [f["id"] for f in page["features"]]
        following = [link for link in page["links"] if link["rel"] == "next"]
        nxt = next((link for link in following if link["type"] == "application/geo+json"), None)
        if nxt is None:
            break
        page = http.get(nxt["href"]).json()
        assert any(link["rel"] == "prev" for link in page["links"])
    assert len(seen) == len(set(seen)) == matched
    by_offset = items(http, world, limit=70, offset=140)
    assert [f["id"] for f in by_offset["features"]] == seen[140:210]


def test_items_are_rfc7946_and_public_never_sees_drafts(http: httpx.Client, world: World) -> None:
    doc = items(http, world, limit=10_000)
    found = {f["id"] for f in doc["features"]}
    assert world.published_point in found
    assert not {world.draft_point, world.other_draft_point, world.draft_corner} & found
    area = next(f for f in doc["features"] if f["id"] == world.area)
    ring = area["geometry"]["coordinates"][0]
    assert LinearRing(ring).is_ccw and 13 < ring[0][0] < 14
    assert "crs" not in doc
    assert http.get(f"/ogc/collections/mobilitaet/items/{world.draft_point}").status_code == 404
    planner = items(http, world, limit=10_000, headers=world.auth("planner"))
    assert planner["numberMatched"] == doc["numberMatched"] + 100 + 3  # drafts and the review
    assert world.draft_corner in {f["id"] for f in planner["features"]}


def test_field_team_counts_its_own_drafts(http: httpx.Client, world: World) -> None:
    doc = items(http, world, limit=10_000, headers=world.auth("field"))
    found = {f["id"] for f in doc["features"]}
    assert world.draft_point in found and world.other_draft_point not in found
    assert doc["numberMatched"] == len(found) == world.cluster_points + 2 + 1


def test_single_item_and_its_links(http: httpx.Client, world: World) -> None:
    response = http.get(f"/ogc/collections/mobilitaet/items/{world.published_point}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    feature = response.json()
    assert feature["id"] == world.published_point and feature["type"] == "Feature"
    assert feature["properties"]["title"] == "published problem"
    assert {link["rel"] for link in feature["links"]} >= {"self", "collection"}
    planner = world.auth("planner")
    assert (
        http.get(
            f"/ogc/collections/mobilitaet/items/{world.draft_point}", headers=planner
        ).status_code
        == 200
    )
    for bad in ("nicht-da", "00000000-0000-0000-0000-000000000000", EVIL):
        assert http.get(f"/ogc/collections/mobilitaet/items/{bad}").status_code == 404
    assert http.get("/ogc/collections/referenz-kitas/items/99999999999999999999").status_code == 404


def test_findings_items_show_the_generalised_place_to_the_public(
    http: httpx.Client, world: World
) -> None:
    doc = http.get("/ogc/collections/aussagen/items", params={"quarter": world.quarter}).json()
    assert doc["numberMatched"] == 1
    (finding,) = doc["features"]
    assert finding["geometry"]["type"] == "Polygon" and finding["properties"]["place_text"] is None
    assert "Frau Geheim" not in json.dumps(doc) and "Erika" not in json.dumps(doc)


def test_filters_bbox_kind_datetime_and_walkthrough(http: httpx.Client, world: World) -> None:
    x0, y0, x1, y1 = world.box
    ne = items(http, world, bbox=f"{x0 + (x1 - x0) * 0.55},{y0 + (y1 - y0) * 0.55},{x1},{y1}")
    assert {f["id"] for f in ne["features"]} == {world.area, world.line}
    assert ne["numberMatched"] == 2
    problems = items(http, world, kind="problem", limit=1000)
    assert problems["numberMatched"] == 101
    assert {f["properties"]["kind"] for f in problems["features"]} == {"problem"}
    april = items(http, world, datetime="2026-04-01T00:00:00Z/2026-04-30T23:59:59Z")
    assert april["numberMatched"] == 3  # point, area, line of 12 April
    walk = items(http, world, walkthrough=world.walkthrough)
    assert walk["numberMatched"] == 3
    planner_drafts = items(http, world, status="draft", headers=world.auth("planner"), limit=500)
    assert planner_drafts["numberMatched"] == 100 + 2


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": "10001"}, "invalid_limit"),
        ({"limit": "abc"}, "invalid_limit"),
        ({"limit": "0"}, "invalid_limit"),
        ({"offset": "-1"}, "invalid_offset"),
        ({"bbox": "1,2,3"}, "invalid_bbox"),
        ({"bbox": "13.3,52.5,13.2,52.6"}, "invalid_bbox"),
        ({"bbox": "a,b,c,d"}, "invalid_bbox"),
        ({"bbox-crs": "EPSG:2154", "bbox": "1,2,3,4"}, "invalid_bbox-crs"),
        ({"datetime": "2026-13-45"}, "invalid_datetime"),
        ({"datetime": "2026-05-01/2026-04-01"}, "invalid_datetime"),
        ({"kind": "gut"}, "invalid_kind"),
        ({"walkthrough": "keine-uuid"}, "invalid_walkthrough"),
        ({"cursor": "!!"}, "invalid_cursor"),
        ({"f": "xml"}, "invalid_f"),
        ({"sortby": "title"}, "unknown_parameter"),
    ],
)
def test_bad_item_parameters_are_400_in_german_and_english(
    http: httpx.Client, params: dict[str, str], code: str
) -> None:
    response = http.get("/ogc/collections/mobilitaet/items", params=params)
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["code"] == code and body["message_de"] and body["message_en"]


def test_status_filter_is_for_planners_only(http: httpx.Client, world: World) -> None:
    assert (
        http.get("/ogc/collections/mobilitaet/items", params={"status": "draft"}).status_code == 401
    )
    field = http.get(
        "/ogc/collections/mobilitaet/items", params={"status": "draft"}, headers=world.auth("field")
    )
    assert field.status_code == 403


@pytest.mark.parametrize(
    "name", ["quarter", "kind", "datetime", "walkthrough", "status", "bbox", "limit", "offset",
             "cursor", "f", "bbox-crs"],
)  # fmt: skip
def test_sql_meta_characters_in_item_parameters_do_no_harm(
    http: httpx.Client, engine: Engine, name: str
) -> None:
    before = count(engine, "observation")
    response = http.get("/ogc/collections/mobilitaet/items", params={name: EVIL})
    assert response.status_code in (400, 401), response.text[:300]
    assert http.get(f"/ogc/collections/{EVIL}/items").status_code == 404
    assert count(engine, "observation") == before


def test_queryables_list_what_this_caller_may_filter_by(http: httpx.Client, world: World) -> None:
    public = http.get("/ogc/collections/mobilitaet/queryables")
    assert public.headers["content-type"] == "application/schema+json"
    props = public.json()["properties"]
    assert {"kind", "quarter", "walkthrough", "observed_at", "rating", "geometry"} <= set(props)
    assert "status" not in props
    assert props["kind"]["enum"] == ["strength", "problem", "potential", "idea"]
    planner = http.get("/ogc/collections/mobilitaet/queryables", headers=world.auth("planner"))
    assert "status" in planner.json()["properties"]
    assert "kind" not in http.get("/ogc/collections/begehungen/queryables").json()["properties"]


def test_ogc_tiles_describe_and_serve_the_same_vector_tiles(
    http: httpx.Client, world: World
) -> None:
    sets = http.get("/ogc/collections/mobilitaet/tiles").json()
    (summary,) = sets["tilesets"]
    assert summary["dataType"] == "vector"
    assert summary["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    tileset = http.get("/ogc/collections/mobilitaet/tiles/WebMercatorQuad").json()
    template = next(link for link in tileset["links"] if link["rel"] == "item")
    assert template["templated"] is True
    assert template["type"] == "application/vnd.mapbox-vector-tile"
    assert template["href"].endswith("/{tileMatrix}/{tileRow}/{tileCol}")
    x0, y0, x1, y1 = world.box
    t = TMS.tile(x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3, 16)
    url = template["href"].format(tileMatrix=t.z, tileRow=t.y, tileCol=t.x)
    ogc = http.get(url)
    xyz = http.get(f"/tiles/mobilitaet/{t.z}/{t.x}/{t.y}.mvt")
    assert ogc.status_code == 200 and ogc.content == xyz.content
    decoded = mapbox_vector_tile.decode(ogc.content)["mobilitaet"]["features"]
    assert world.published_point in {f["properties"]["id"] for f in decoded}
    tms = http.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert tms["id"] == "WebMercatorQuad" and tms["crs"].endswith("EPSG/0/3857")
    assert tms["tileMatrices"][22]["matrixWidth"] == 2**22
    assert http.get("/ogc/tileMatrixSets/WorldCRS84Quad").status_code == 404
    assert http.get("/ogc/collections/mobilitaet/tiles/WorldCRS84Quad").status_code == 404


def test_html_views_are_served_to_browsers_and_escape_content(
    http: httpx.Client, world: World
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/ogc", "/ogc/collections", "/ogc/collections/mobilitaet", "/ogc/conformance",
                 "/ogc/api.html", "/ogc/collections/mobilitaet/tiles"):  # fmt: skip
        response = http.get(path, headers=browser)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert '<html lang="de">' in response.text
    params = {"quarter": world.quarter, "f": "html", "limit": "10"}
    page = http.get("/ogc/collections/mobilitaet/items", params=params)
    assert "Punkt" in page.text and "Weiter / next" in page.text
    assert "10 Objekte" in page.text
    one = http.get(f"/ogc/collections/mobilitaet/items/{world.published_point}?f=html")
    assert "published problem" in one.text and "<script" not in one.text


def test_html_escapes_what_people_typed(http: httpx.Client, engine: Engine, world: World) -> None:
    x0, y0, x1, y1 = world.box
    with engine.begin() as conn:
        oid = conn.execute(
            text(
                "INSERT INTO observation (layer_id, kind, title, geom, status) VALUES ('bildung', "
                "'idea', '<script>alert(1)</script>', ST_SetSRID(ST_MakePoint(:x, :y), 4326), "
                "'published') RETURNING id::text"
            ),
            {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2},
        ).scalar_one()
    for path in (f"/ogc/collections/bildung/items/{oid}", "/ogc/collections/bildung/items"):
        page = http.get(
            path,
            params={"f": "html", "quarter": world.quarter}
            if path.endswith("items")
            else {"f": "html"},
        )
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_owslib_reads_collections_and_pages_to_the_reported_count(
    live_server: Any, world: World
) -> None:
    api = Features(f"{live_server.url}/ogc")
    assert "mobilitaet" in api.feature_collections()
    assert api.api()["openapi"].startswith("3.0")
    first = api.collection_items("mobilitaet", quarter=world.quarter, limit=100)
    matched = first["numberMatched"]
    seen = [f["id"] for f in first["features"]]
    offset = len(seen)
    while offset < matched:
        page = api.collection_items("mobilitaet", quarter=world.quarter, limit=100, offset=offset)
        assert page["numberMatched"] == matched
        seen += [f["id"] for f in page["features"]]
        offset += page["numberReturned"]
    assert len(set(seen)) == len(seen) == matched == world.cluster_points + 2
    queryables = api.collection_queryables("mobilitaet")
    assert "kind" in queryables["properties"]
