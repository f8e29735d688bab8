"""Tiles as a map sees them: right features, right properties, clipped, clustered, private.

Data: a square in Berlin-Mitte (``test_tiles_seed``) on the layer ``umwelt``, with published
points, drafts of two field users, a review item in the far corner, an area, a long line, a
walkthrough track, an interview finding from a home address and a reference Kita.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import mapbox_vector_tile
import morecantile
import pytest
from shapely.geometry import LinearRing, box, shape
from sqlalchemy import Engine, text

from mapservice.tiles.settings import TileSettings
from tests.test_tiles_seed import World, seed

TMS = morecantile.tms.get("WebMercatorQuad")
BOX = (13.38, 52.50, 13.42, 52.54)
BUFFER = TileSettings().buffer_px / 256  # the margin every tile carries


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    return seed(engine, "kachel", BOX, "umwelt")


def tiles_over(bbox: tuple[float, float, float, float], z: int) -> Iterator[morecantile.Tile]:
    yield from TMS.tiles(*bbox, zooms=[z])


def geojson(http: httpx.Client, layer: str, t: morecantile.Tile, **kw: Any) -> dict[str, Any]:
    response = http.get(f"/tiles/{layer}/{t.z}/{t.x}/{t.y}.geojson", **kw)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    return response.json()


def mvt(http: httpx.Client, layer: str, t: morecantile.Tile, **kw: Any) -> list[dict[str, Any]]:
    response = http.get(f"/tiles/{layer}/{t.z}/{t.x}/{t.y}.mvt", **kw)
    assert response.status_code in (200, 204), response.text
    if response.status_code == 204:
        assert response.content == b""
        return []
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})
    assert list(decoded) == [layer]  # one MVT layer, named after the layer id
    return decoded[layer]["features"]


def ids(features: list[dict[str, Any]]) -> set[str]:
    return {f["properties"]["id"] for f in features if "id" in f["properties"]}


def point_tile(world: World, z: int, fraction: float = 0.3) -> morecantile.Tile:
    x0, y0, x1, y1 = world.box
    return TMS.tile(x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction, z)


def test_mvt_tile_holds_published_features_with_their_popup_properties(
    http: httpx.Client, world: World
) -> None:
    features = mvt(http, "umwelt", point_tile(world, 16))
    by_id = {f["properties"]["id"]: f for f in features}
    props = by_id[world.published_point]["properties"]
    assert props["kind"] == "problem" and props["rating"] == 1
    assert props["title"] == "published problem" and props["layer"] == "umwelt"
    assert props["observed_at"] == "2026-04-12T10:30:00Z"
    assert props["walkthrough"] == world.walkthrough
    assert "author" not in props
    assert world.draft_point not in by_id and world.other_draft_point not in by_id
    assert by_id[world.published_point]["geometry"]["type"] == "Point"


def test_geojson_tile_is_rfc7946_with_lon_lat_and_counter_clockwise_rings(
    http: httpx.Client, world: World
) -> None:
    x0, y0, x1, y1 = world.box
    tile = TMS.tile(x0 + (x1 - x0) * 0.65, y0 + (y1 - y0) * 0.65, 15)
    doc = geojson(http, "umwelt", tile)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    area = next(f for f in doc["features"] if f["id"] == world.area)
    ring = area["geometry"]["coordinates"][0]
    assert LinearRing(ring).is_ccw  # stored clockwise, served counter-clockwise
    lon, lat = ring[0]
    assert 13 < lon < 14 and 52 < lat < 53  # lon first
    assert area["properties"]["kind"] == "strength"
    assert area["properties"]["id"] == world.area


def _tile_with_buffer(t: morecantile.Tile) -> Any:
    b = TMS.bounds(t)
    dx, dy = (b.right - b.left) * BUFFER, (b.top - b.bottom) * BUFFER
    return box(b.left - dx, b.bottom - dy, b.right + dx, b.top + dy)


@pytest.mark.parametrize("z", [16, 17])
def test_a_feature_appears_in_exactly_the_tiles_it_intersects(
    http: httpx.Client, engine: Engine, world: World, z: int
) -> None:
    with engine.connect() as conn:
        geom = conn.execute(
            text("SELECT ST_AsGeoJSON(geom) FROM observation WHERE id = :i"), {"i": world.area}
        ).scalar_one()
    area = shape(json.loads(geom))
    around = tuple(area.buffer(0.01).bounds)
    expected, found = set(), set()
    for t in tiles_over(around, z):
        if _tile_with_buffer(t).intersects(area):
            expected.add((t.x, t.y))
        if world.area in {f["id"] for f in geojson(http, "umwelt", t)["features"]}:
            found.add((t.x, t.y))
        if world.area in ids(mvt(http, "umwelt", t)):
            assert (t.x, t.y) in found  # MVT and GeoJSON agree
    assert found == expected and len(expected) > 1


def test_points_at_the_buffer_edge_are_in_or_out_exactly_as_the_buffer_says(
    http: httpx.Client, engine: Engine, world: World
) -> None:
    """Points take a fast path (pixel arithmetic, no ST_AsMVTGeom): a point a quarter pixel
    inside the buffer is in the tile, at its pixel; one a quarter pixel outside is not, even
    though the index (float4 boxes, rounded outwards) finds it."""
    z = 17
    t = point_tile(world, z, 0.55)
    b = TMS.xy_bounds(t)
    size = b.right - b.left
    px = size / 256
    margin = BUFFER * size
    inside = TMS.lnglat(b.left + size * 0.5, b.top + margin - px / 4)
    outside = TMS.lnglat(b.left + size * 0.5, b.top + margin + px / 4)
    with engine.begin() as conn:
        made = conn.execute(
            text(
                "INSERT INTO observation (layer_id, kind, title, geom, status, observed_at) "
                "SELECT 'umwelt', 'idea', t, ST_SetSRID(ST_MakePoint(x, y), 4326), "
                "'published', '2026-05-02T08:00:00Z' FROM (VALUES ('innen', :x1, :y1), "
                "('außen', :x2, :y2)) v(t, x, y) RETURNING id::text, title"
            ),
            {"x1": inside.x, "y1": inside.y, "x2": outside.x, "y2": outside.y},
        ).all()
    by_title = {title: oid for oid, title in made}
    try:
        packed = {f["properties"]["id"]: f for f in mvt(http, "umwelt", t)}
        assert by_title["innen"] in packed and by_title["außen"] not in packed
        x, y = packed[by_title["innen"]]["geometry"]["coordinates"]
        assert x == 2048 and y == -round(BUFFER * 4096 - 4)  # 16 units a pixel, y down
        doc = geojson(http, "umwelt", t)
        found = {f["id"]: f for f in doc["features"]}
        assert by_title["innen"] in found and by_title["außen"] not in found
        lon, lat = found[by_title["innen"]]["geometry"]["coordinates"]
        assert abs(lon - inside.x) < 1e-6 and abs(lat - inside.y) < 1e-6
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM observation WHERE id = ANY(:ids)"),
                         {"ids": list(by_title.values())})  # fmt: skip


def test_clipping_keeps_coordinates_inside_the_tile_and_its_buffer(
    http: httpx.Client, world: World
) -> None:
    x0, y0, x1, y1 = world.box
    checked = 0
    for t in tiles_over((x0, y0 + (y1 - y0) * 0.79, x1, y0 + (y1 - y0) * 0.83), 17):
        b = TMS.bounds(t)
        dx, dy = (b.right - b.left) * BUFFER, (b.top - b.bottom) * BUFFER
        slack = 10**-7
        for f in geojson(http, "umwelt", t)["features"]:
            if f["id"] != world.line:
                continue
            checked += 1
            coords = f["geometry"]["coordinates"]
            parts = [coords] if f["geometry"]["type"] == "LineString" else coords
            flat = [point for part in parts for point in part]
            for lon, lat in flat:
                assert b.left - dx - slack <= lon <= b.right + dx + slack
                assert b.bottom - dy - slack <= lat <= b.top + dy + slack
        for f in mvt(http, "umwelt", t):
            if f["properties"].get("id") == world.line:
                xs = json.dumps(f["geometry"]["coordinates"])
                values = [float(v) for v in xs.replace("[", " ").replace("]", " ").split(",")]
                assert all(-256 <= v <= 4096 + 256 for v in values)
    assert checked > 10  # the line crosses many z17 tiles and was cut in each


@pytest.mark.parametrize(("z", "fmt"), [(11, "mvt"), (12, "geojson"), (13, "mvt"), (14, "geojson")])
def test_cluster_counts_add_up_to_the_published_points(
    http: httpx.Client, world: World, z: int, fmt: str
) -> None:
    total, by_kind, lines_and_areas = (
        0,
        dict.fromkeys(("strength", "problem", "potential", "idea"), 0),
        set(),
    )
    for t in tiles_over(world.box, z):
        params = {"params": {"quarter": world.quarter}}
        if fmt == "mvt":
            features = [{"properties": f["properties"]} for f in mvt(http, "umwelt", t, **params)]
        else:
            features = geojson(http, "umwelt", t, **params)["features"]
        for f in features:
            p = f["properties"]
            if p.get("cluster"):
                assert p["count"] == sum(p[f"count_{k}"] for k in by_kind)
                total += p["count"]
                for k in by_kind:
                    by_kind[k] += p[f"count_{k}"]
            else:
                lines_and_areas.add(p["id"])  # below the cluster zoom only points are merged
    assert total == world.cluster_points
    # the seed publishes three of every four points; every fourth (a strength) stays a draft
    assert by_kind == {"strength": 0, "problem": 101, "potential": 100, "idea": 100}
    assert lines_and_areas == {world.area, world.line}


def test_public_never_sees_drafts_in_any_tile_or_the_tilejson_bounds(
    http: httpx.Client, world: World
) -> None:
    hidden = {world.draft_point, world.other_draft_point, world.draft_corner}
    for z in (16, 17):
        for fraction in (0.3, 0.31, 0.32, 0.98):
            t = point_tile(world, z, fraction)
            assert not ids(mvt(http, "umwelt", t)) & hidden
            assert not {f["id"] for f in geojson(http, "umwelt", t)["features"]} & hidden
    public = http.get("/tiles/umwelt/tilejson.json", params={"quarter": world.quarter}).json()
    planner = http.get(
        "/tiles/umwelt/tilejson.json",
        params={"quarter": world.quarter},
        headers=world.auth("planner"),
    ).json()
    x0, y0, x1, y1 = world.box
    corner = (x0 + (x1 - x0) * 0.98, y0 + (y1 - y0) * 0.98)
    assert public["bounds"][2] < corner[0] and public["bounds"][3] < corner[1]
    assert planner["bounds"][2] == pytest.approx(corner[0])
    assert planner["bounds"][3] == pytest.approx(corner[1])


def test_field_team_sees_its_own_drafts_but_not_other_peoples(
    http: httpx.Client, world: World
) -> None:
    found = set()
    for fraction in (0.3, 0.31, 0.32):
        t = point_tile(world, 15, fraction)
        path = f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.geojson"
        response = http.get(path, headers=world.auth("field"))
        found |= {f["id"] for f in response.json()["features"]}
    assert world.published_point in found and world.draft_point in found
    assert world.other_draft_point not in found
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response.headers["Vary"]


def test_planner_sees_everything_and_may_filter_by_status(http: httpx.Client, world: World) -> None:
    planner = world.auth("planner")
    everything, drafts = set(), set()
    for fraction in (0.3, 0.31, 0.32):  # the three points may fall into neighbouring tiles
        t = point_tile(world, 16, fraction)
        everything |= ids(mvt(http, "umwelt", t, headers=planner))
        drafts |= ids(mvt(http, "umwelt", t, headers=planner, params={"status": "draft"}))
    assert {world.published_point, world.draft_point, world.other_draft_point} <= everything
    assert {world.draft_point, world.other_draft_point} <= drafts
    assert world.published_point not in drafts
    t = point_tile(world, 16)
    public = http.get(f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.mvt", params={"status": "draft"})
    assert public.status_code == 401
    field = http.get(
        f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.mvt",
        params={"status": "draft"},
        headers=world.auth("field"),
    )
    assert field.status_code == 403


def test_filters_by_kind_quarter_time_and_walkthrough(http: httpx.Client, world: World) -> None:
    t = point_tile(world, 16)

    def found(**params: str) -> set[str]:
        return {f["id"] for f in geojson(http, "umwelt", t, params=params)["features"]}

    assert world.published_point in found(kind="problem")
    assert world.published_point not in found(kind="idea")
    assert world.published_point in found(quarter=world.quarter)
    assert not found(quarter="kein-solches-quartier")
    assert world.published_point in found(datetime="2026-04-12T00:00:00Z/2026-04-13T00:00:00Z")
    assert world.published_point in found(datetime="2026-04-12")
    assert world.published_point not in found(datetime="2026-04-13/..")
    assert world.published_point in found(datetime="../2026-04-12T10:30:00Z")
    assert world.published_point in found(walkthrough=world.walkthrough)
    assert not found(walkthrough="00000000-0000-0000-0000-000000000000")
    bad = http.get(f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.geojson", params={"datetime": "gestern"})
    assert bad.status_code == 400 and "RFC 3339" in bad.json()["message_de"]


def test_public_findings_show_the_generalised_place_only(http: httpx.Client, world: World) -> None:
    x0, y0, x1, y1 = world.box
    t = TMS.tile(x0 + (x1 - x0) * 0.45, y0 + (y1 - y0) * 0.45, 16)
    public = geojson(http, "aussagen", t)
    body = json.dumps(public)
    finding = next(f for f in public["features"] if f["id"] == world.finding_home)
    assert finding["geometry"]["type"] == "Polygon"  # public_geom, never the home point
    assert finding["properties"]["place_text"] is None
    assert finding["properties"]["statement"] == "Vor meiner Haustür ist es laut."
    assert finding["properties"]["observed_at"] == "2026-03"  # the public: month only
    assert world.finding_draft not in body
    for secret in ("Musterweg", "Frau Geheim", "Erika", "erika@example.org"):
        assert secret not in body
    planner = geojson(http, "aussagen", t, headers=world.auth("planner"))
    exact = next(f for f in planner["features"] if f["id"] == world.finding_home)
    assert exact["geometry"]["type"] == "Point"
    assert exact["properties"]["place_text"] == "Musterweg 5"
    assert "Frau Geheim" not in json.dumps(planner)
    features = mvt(http, "aussagen", t)
    assert world.finding_home in ids(features)
    assert (
        "place_text"
        not in next(f for f in features if f["properties"].get("id") == world.finding_home)[
            "properties"
        ]
    )


def test_walkthrough_tracks_show_title_times_and_participants_only(
    http: httpx.Client, world: World
) -> None:
    x0, y0, x1, y1 = world.box
    t = TMS.tile(x0 + (x1 - x0) * 0.5, y0 + (y1 - y0) * 0.5, 15)
    doc = geojson(http, "begehungen", t, params={"walkthrough": world.walkthrough})
    (track,) = doc["features"]
    assert track["geometry"]["type"] == "LineString"
    props = track["properties"]
    assert props["title"] == "Rundgang Nord" and props["residents"] == 7 and props["experts"] == 2
    assert props["started_at"] == "2026-04-12T10:00:00Z"
    assert props["ended_at"] == "2026-04-12T12:00:00Z"
    for secret in ("walker-secret", "Geheimes Team", "private Notiz"):
        assert secret not in json.dumps(doc)


def test_reference_layer_tiles_carry_name_and_category(http: httpx.Client, world: World) -> None:
    x0, y0, x1, y1 = world.box
    t = TMS.tile(x0 + (x1 - x0) * 0.2, y0 + (y1 - y0) * 0.6, 16)
    features = geojson(http, "referenz-kitas", t)["features"]
    kita = next(f for f in features if f["id"] == world.reference)
    expected = {"id": world.reference, "name": "Kita Sonnenschein", "category": "Kita"}
    assert kita["properties"] == {**expected, "address": None, "layer": "referenz-kitas"}


def test_etag_gives_304_until_a_write_changes_the_layer(
    http: httpx.Client, engine: Engine, world: World
) -> None:
    t = point_tile(world, 18, 0.3)
    path = f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.mvt"
    first = http.get(path)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = http.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    b = TMS.bounds(t)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO observation (id, layer_id, kind, title, geom, status) VALUES "
                "(gen_random_uuid(), 'umwelt', 'idea', 'Neu nach dem ETag', "
                "ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'published')"
            ),
            {"x": (b.left + b.right) / 2, "y": (b.bottom + b.top) / 2},
        )
    changed = http.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    titles = {
        f["properties"].get("title")
        for f in mapbox_vector_tile.decode(changed.content)["umwelt"]["features"]
    }
    assert "Neu nach dem ETag" in titles
    assert http.get(path, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_gzip_only_when_the_client_accepts_it(http: httpx.Client, world: World) -> None:
    t = point_tile(world, 14)
    path = f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.geojson"
    plain = http.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    with httpx.Client(base_url=str(http.base_url)) as raw:
        request = raw.build_request("GET", path, headers={"Accept-Encoding": "gzip"})
        packed = raw.send(request, stream=True)
        body = b"".join(packed.iter_raw())
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"].endswith('-gz"') and packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == plain.content
    assert http.get(path, headers={"If-None-Match": packed.headers["ETag"]}).status_code == 304


def test_empty_tiles_are_fast_and_small(http: httpx.Client) -> None:
    t = TMS.tile(-150.0, -40.0, 14)  # the South Pacific
    empty_mvt = http.get(f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.mvt")
    assert empty_mvt.status_code == 204 and empty_mvt.content == b""
    assert empty_mvt.headers["ETag"]
    empty_geojson = http.get(f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.geojson")
    assert empty_geojson.status_code == 200
    assert empty_geojson.json() == {"type": "FeatureCollection", "features": []}
    assert empty_geojson.headers["X-Tile-Truncated"] == "false"


def test_tilejson_describes_the_layer_for_this_caller(http: httpx.Client, world: World) -> None:
    response = http.get("/tiles/umwelt/tilejson.json", params={"quarter": world.quarter})
    assert response.status_code == 200
    doc = response.json()
    assert doc["tilejson"] == "3.0.0" and doc["minzoom"] == 11 and doc["maxzoom"] == 20
    (template,) = doc["tiles"]
    assert template.startswith(str(http.base_url).rstrip("/") + "/tiles/umwelt/{z}/{x}/{y}.mvt?")
    assert f"quarter={world.quarter}" in template and "v=" in template
    (vector_layer,) = doc["vector_layers"]
    assert vector_layer["id"] == "umwelt"
    assert {"id", "kind", "rating", "title", "cluster", "count", "count_idea"} <= set(
        vector_layer["fields"]
    )
    x0, y0, x1, y1 = world.box
    west, south, east, north = doc["bounds"]
    assert x0 < west < east < x1 and y0 < south < north < y1
    version = response.headers["X-Data-Version"]
    t = point_tile(world, 16)
    tile = http.get(
        f"/tiles/umwelt/{t.z}/{t.x}/{t.y}.mvt", params={"quarter": world.quarter, "v": version}
    )
    assert "immutable" in tile.headers["Cache-Control"]
    revalidated = http.get(
        "/tiles/umwelt/tilejson.json",
        params={"quarter": world.quarter},
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert revalidated.status_code == 304


def test_the_tile_route_documents_the_parameters_it_reads_itself(http: httpx.Client) -> None:
    """The route declares no parameters (FastAPI would validate them on every request), so
    the OpenAPI page must still list them for API users."""
    spec = http.get("/openapi.json").json()
    operation = spec["paths"]["/tiles/{layer}/{z}/{x}/{y}.{fmt}"]["get"]
    names = {p["name"]: p["in"] for p in operation["parameters"]}
    assert names == {
        "layer": "path", "z": "path", "x": "path", "y": "path", "fmt": "path",
        "quarter": "query", "kind": "query", "datetime": "query", "walkthrough": "query",
        "status": "query", "v": "query",
    }  # fmt: skip
