"""Privacy of interviewees over the demo (data/ + ``karte demo load``) and every public output.

The rule of :mod:`mapservice.georef.privacy` is checked over every address of the demo
gazetteer: each public point is ≥ 50 m (geodesic) from its address and stands for ≥ 5
addresses. Then one published home finding is followed through every public output — the
field API, GeoJSON and MVT tiles, OGC API items, exports and the map page's list — which
must all show the same public point, the redacted text, ``georef_method`` in tiles and
items, and nothing that links statements to one interviewee.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from typing import Any

import httpx
import mapbox_vector_tile
import morecantile
import pytest
from pyproj import Geod
from shapely.geometry import Point, shape
from sqlalchemy import Engine, text

from mapservice.capture.findings import QuarterPrivacy
from mapservice.georef.privacy import K_ANONYMITY, MIN_DISTANCE_M

TMS = morecantile.tms.get("WebMercatorQuad")
GEOD = Geod(ellps="WGS84")
REDACTED = "[Hausnummer entfernt]"


def metres(a: Point, b: Point) -> float:
    return float(GEOD.inv(a.x, a.y, b.x, b.y)[2])


def test_every_demo_address_is_published_far_enough_and_among_enough(
    engine: Engine, demo_loaded: dict[str, int]
) -> None:
    """All 704 addresses of the demo gazetteer, resolved as a finding would be."""
    with engine.connect() as conn:
        quarters = conn.execute(
            text("SELECT id, slug FROM quarter WHERE slug IN "
                 "('bochum-hamme', 'herne-wanne-sued', 'dortmund-marten')")
        ).all()  # fmt: skip
        privacies = {qid: QuarterPrivacy.load(conn, qid) for qid, _ in quarters}
    checked, named, nearest, farthest = 0, 0, float("inf"), 0.0
    distances: list[float] = []
    sizes: list[int] = []
    for qid, slug in quarters:
        privacy = privacies[qid]
        addresses = [e for e in privacy.gazetteer.entries if e.kind == "address"]
        assert len(addresses) > 100, slug
        shared: Counter[str] = Counter()
        for entry in addresses:
            found = privacy.gazetteer.resolve(entry.name, quarter_id=qid)
            assert found.method == "address", entry.name
            public = privacy.public_geometry(found.geometry, found.method, True)
            if not found.from_home_address:  # a Kita, a school: not a home, shown as it is
                named += 1
                assert privacy.public_geometry(found.geometry, "address", False) is found.geometry
            assert public is not None and public.geom_type == "Point", entry.name
            d = metres(entry.geometry, public)
            assert d >= MIN_DISTANCE_M, (entry.name, d)
            nearest, farthest = min(nearest, d), max(farthest, d)
            distances.append(d)
            shared[public.wkt] += 1
            checked += 1
        assert min(shared.values()) >= K_ANONYMITY, (slug, shared.most_common()[-3:])
        sizes += list(shared.values())
    assert checked == 704 and named < 30
    distances.sort()
    print(
        f"\n{checked} addresses ({named} of named places): public point "
        f"{nearest:.1f}–{farthest:.1f} m away (median {distances[len(distances) // 2]:.1f} m); "
        f"{len(sizes)} public points, {min(sizes)}–{max(sizes)} addresses each"
    )


def test_stored_demo_home_findings_are_far_from_home_and_without_house_numbers(
    engine: Engine, demo_loaded: dict[str, int]
) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.statement, f.public_statement, "
                "ST_Distance(f.geom::geography, f.public_geom::geography) "
                "FROM finding f JOIN quarter q ON q.id = f.quarter_id "
                "WHERE f.synthetic AND f.from_home_address AND f.georef_method = 'address'"
            )
        ).all()
    assert len(rows) >= 5
    for statement, public, distance in rows:
        assert distance is not None and distance >= MIN_DISTANCE_M
        numbers = re.findall(r"(?:straße|str\.) (\d+)", statement)
        if numbers:
            assert REDACTED in public and not any(f" {n}" in public for n in numbers), public


@pytest.fixture(scope="module")
def home(engine: Engine, demo_loaded: dict[str, int]) -> dict[str, Any]:
    """A published demo finding from a home, with its exact and public positions."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT f.id::text, q.slug, f.statement, ST_X(f.geom), ST_Y(f.geom), "
                "ST_X(f.public_geom), ST_Y(f.public_geom), f.interview_id::text "
                "FROM finding f JOIN quarter q ON q.id = f.quarter_id "
                "WHERE f.synthetic AND f.from_home_address AND f.status = 'published' "
                "AND f.statement ~ 'straße [0-9]+' AND GeometryType(f.public_geom) = 'POINT' "
                "ORDER BY f.id LIMIT 1"
            )
        ).one()
    fid, slug, statement, x, y, px, py, interview = row
    number = re.search(r"straße (\d+)", statement).group(1)  # type: ignore[union-attr]
    return {"id": fid, "quarter": slug, "statement": statement, "exact": Point(x, y),
            "public": Point(px, py), "number": number, "interview": interview}  # fmt: skip


def _same_point(geometry: dict[str, Any], expected: Point, tolerance_m: float = 0.5) -> None:
    got = shape(geometry)
    assert got.geom_type == "Point", geometry
    assert metres(got, expected) <= tolerance_m, (got.wkt, expected.wkt)


def _public_text(value: str, home: dict[str, Any]) -> None:
    assert REDACTED in value and f"straße {home['number']}" not in value, value


def test_every_public_output_uses_the_same_public_point_and_text(
    http: httpx.Client, home: dict[str, Any]
) -> None:
    assert metres(home["exact"], home["public"]) >= MIN_DISTANCE_M
    fid, public = home["id"], home["public"]
    # field API
    api = http.get(f"/api/findings/{fid}").json()
    _same_point(api["geometry"], public)
    _public_text(api["statement"], home)
    assert "interview_id" not in api
    listed = http.get("/api/findings", params={"quarter": home["quarter"], "limit": 1000}).json()
    assert fid in {f["id"] for f in listed}
    assert not any("interview_id" in f for f in listed)
    assert home["interview"] not in json.dumps(listed)
    # GeoJSON and MVT tiles (z 18: no clustering, quantisation well under a metre)
    t = TMS.tile(public.x, public.y, 18)
    tile = http.get(f"/tiles/aussagen/{t.z}/{t.x}/{t.y}.geojson")
    assert tile.status_code == 200
    (feature,) = [f for f in tile.json()["features"] if f["id"] == fid]
    _same_point(feature["geometry"], public, tolerance_m=1.0)
    _public_text(feature["properties"]["statement"], home)
    assert feature["properties"]["georef_method"] == "address"
    assert home["interview"] not in tile.text
    raw = http.get(f"/tiles/aussagen/{t.z}/{t.x}/{t.y}.mvt")
    decoded = mapbox_vector_tile.decode(raw.content)
    (mvt,) = [f for f in decoded["aussagen"]["features"] if f["properties"].get("id") == fid]
    assert mvt["properties"]["georef_method"] == "address"
    _public_text(mvt["properties"]["statement"], home)
    assert home["interview"].encode() not in raw.content
    # OGC API items
    item = http.get(f"/ogc/collections/aussagen/items/{fid}").json()
    _same_point(item["geometry"], public)
    assert item["properties"]["georef_method"] == "address"
    _public_text(item["properties"]["statement"], home)
    # exports
    export = http.get(f"/api/exports/{home['quarter']}/aussagen.geojson").json()
    (row,) = [f for f in export["features"] if f["id"] == fid]
    _same_point(row["geometry"], public)
    _public_text(row["properties"]["statement"], home)
    assert "interview_id" not in row["properties"]
    table = http.get(f"/api/exports/{home['quarter']}/aussagen.csv").content.decode("utf-8-sig")
    (line,) = [r for r in csv.DictReader(io.StringIO(table)) if r["id"] == fid]
    assert metres(Point(float(line["lon"]), float(line["lat"])), public) <= 0.5
    _public_text(line["statement"], home)
    # the map page's list and the embed page
    rows = http.get(f"/maps/{home['quarter']}/features.json",
                    params={"layers": "aussagen", "limit": 5000}).json()["rows"]  # fmt: skip
    (entry,) = [r for r in rows if r["id"] == fid]
    assert metres(Point(entry["lon"], entry["lat"]), public) <= 0.5
    _public_text(entry["title"], home)
    page = http.get(f"/embed/{home['quarter']}")
    assert page.status_code == 200 and home["statement"] not in page.text


def test_planners_keep_the_exact_place_and_the_interview(
    http: httpx.Client, home: dict[str, Any], team: Any
) -> None:
    auth = {"Authorization": f"Bearer {team.planner}"}
    api = http.get(f"/api/findings/{home['id']}", headers=auth).json()
    _same_point(api["geometry"], home["exact"], tolerance_m=0.05)
    assert api["statement"] == home["statement"] and api["interview_id"] == home["interview"]
    t = TMS.tile(home["exact"].x, home["exact"].y, 18)
    tile = http.get(f"/tiles/aussagen/{t.z}/{t.x}/{t.y}.geojson", headers=auth).json()
    (feature,) = [f for f in tile["features"] if f["id"] == home["id"]]
    assert feature["properties"]["statement"] == home["statement"]
    assert feature["properties"]["georef_method"] == "address"


def test_public_order_does_not_group_one_persons_statements(
    http: httpx.Client, engine: Engine, demo_loaded: dict[str, int]
) -> None:
    """In creation order, an interview's statements would stand together; the public list
    is ordered by day and id instead, and shows no time finer than the day."""
    listed = http.get("/api/findings", params={"quarter": "bochum-hamme", "limit": 1000}).json()
    keys = [(f["created_at"][:10], f["id"]) for f in listed]
    assert len(keys) > 20 and keys == sorted(keys)
    assert all("T00:00:00" in f["created_at"] for f in listed)


@pytest.mark.parametrize("who", ["public", "field", "planner"])
def test_one_visibility_rule_for_findings_everywhere(
    http: httpx.Client, team: Any, demo_loaded: dict[str, int], who: str
) -> None:
    """API, OGC items, exports and the figures count the same findings for each viewer."""
    headers = {} if who == "public" else {"Authorization": f"Bearer {getattr(team, who)}"}
    slug = "bochum-hamme"
    api = http.get("/api/findings", params={"quarter": slug, "limit": 1000},
                   headers=headers).json()  # fmt: skip
    placed = {f["id"] for f in api if f["geometry"] is not None}
    items = http.get("/ogc/collections/aussagen/items",
                     params={"quarter": slug, "limit": 1000}, headers=headers).json()  # fmt: skip
    export = http.get(f"/api/exports/{slug}/aussagen.geojson", headers=headers).json()
    summary = http.get(f"/api/quarters/{slug}/summary", headers=headers).json()
    assert {f["id"] for f in items["features"]} == placed
    assert {f["id"] for f in export["features"]} == placed
    assert summary["totals"]["findings"] == len(api)
    if who == "planner":
        assert {f["status"] for f in api} > {"published"}
    else:
        assert {f["status"] for f in api} == {"published"}


def test_republish_recomputes_what_storing_computed(
    engine: Engine, demo_loaded: dict[str, int]
) -> None:
    """What migration 0004 runs over old rows: a stale public point (the old 50 m cell
    centre, 12.7 m from the house) is replaced by the rule's point."""
    from mapservice.capture.findings import republish

    snapshot = (
        "SELECT id, ST_AsText(public_geom), public_statement, public_place_text FROM finding "
        "WHERE synthetic ORDER BY id"
    )
    with engine.begin() as conn:
        before = conn.execute(text(snapshot)).all()
        fid = next(r[0] for r in before if r[2] and REDACTED in r[2])
        conn.execute(
            text("UPDATE finding SET public_geom = ST_Translate(geom, 0.0001, 0.0001), "
                 "public_statement = statement WHERE id = :i"), {"i": fid}
        )  # fmt: skip
        assert republish(conn) >= len(before)
        after = conn.execute(text(snapshot)).all()
    assert after == before


def test_the_public_gets_the_interview_month_not_the_day(
    http: httpx.Client, engine: Engine, team: Any, home: dict[str, Any]
) -> None:
    """One interview a day (as in the demo) would make the date a per-person key."""
    with engine.connect() as conn:
        held_on = conn.execute(
            text("SELECT i.held_on FROM finding f JOIN interview i ON i.id = f.interview_id "
                 "WHERE f.id = :id"), {"id": home["id"]}
        ).scalar_one()  # fmt: skip
        same_month = set(
            conn.execute(
                text("SELECT f.id::text FROM finding f JOIN interview i ON i.id = f.interview_id "
                     "JOIN quarter q ON q.id = f.quarter_id WHERE q.slug = :q "
                     "AND f.status = 'published' "
                     "AND NOT (f.needs_review AND f.georef_confidence = 0) "
                     "AND f.public_geom IS NOT NULL "
                     "AND date_trunc('month', i.held_on) = date_trunc('month', CAST(:d AS date))"),
                {"q": home["quarter"], "d": held_on},
            ).scalars()
        )  # fmt: skip
    item = http.get(f"/ogc/collections/aussagen/items/{home['id']}").json()
    assert item["properties"]["observed_at"] == held_on.isoformat()[:7]
    auth = {"Authorization": f"Bearer {team.planner}"}
    exact = http.get(f"/ogc/collections/aussagen/items/{home['id']}", headers=auth).json()
    assert exact["properties"]["observed_at"] == held_on.isoformat()
    params = {"quarter": home["quarter"], "datetime": held_on.isoformat(), "limit": 1000}
    day = http.get("/ogc/collections/aussagen/items", params=params).json()
    assert {f["id"] for f in day["features"]} == same_month
    assert len(same_month) > 1, "a day's query answers with the whole month"
    export = http.get(f"/api/exports/{home['quarter']}/aussagen.csv").content.decode("utf-8-sig")
    (row,) = [r for r in csv.DictReader(io.StringIO(export)) if r["id"] == home["id"]]
    assert row["held_on"] == held_on.isoformat()[:7]
