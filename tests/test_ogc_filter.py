"""OGC API Features Part 3: ``filter`` in CQL2 text and JSON, queryables as parameters.

Every filtered answer is compared with what SQL returns for the same rule over the same
visible rows; hostile filters are refused (or match nothing) and write nothing.
Data: a square south of Dortmund on ``mobilitaet``, with ratings spread over −2…2.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from pyproj import Transformer
from sqlalchemy import Engine, text

from tests.conftest import LiveServer
from tests.test_tiles_seed import World, seed

BOX = (7.40, 51.30, 7.44, 51.34)
ITEMS = "/ogc/collections/mobilitaet/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    w = seed(engine, "ogcfilter", BOX, "mobilitaet")
    with engine.begin() as conn:  # ratings −2…2 and two observation days for the filters
        conn.execute(
            text(
                "UPDATE observation SET rating = (abs(hashtext(id::text)) % 5) - 2, "
                "observed_at = CASE WHEN abs(hashtext(id::text)) % 3 = 0 "
                "THEN '2024-06-01T09:00:00Z'::timestamptz ELSE observed_at END "
                "WHERE quarter_id = (SELECT id FROM quarter WHERE slug = :q)"
            ),
            {"q": w.quarter},
        )
    return w


def sql_ids(engine: Engine, world: World, where: str, **params: Any) -> set[str]:
    """Published observations of the test quarter matching ``where`` (the public's view)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.id::text FROM observation o JOIN quarter q ON q.id = o.quarter_id "
                f"WHERE q.slug = :q AND o.layer_id = 'mobilitaet' AND o.status = 'published' "
                f"AND ({where})"
            ),
            {"q": world.quarter, **params},
        )
        return {r[0] for r in rows}


def api_ids(http: httpx.Client, world: World, **params: str) -> set[str]:
    headers = params.pop("headers", None)  # type: ignore[arg-type]
    found: set[str] = set()
    query: dict[str, str] | None = {"quarter": world.quarter, "limit": "10000", **params}
    url: str = ITEMS
    while url:
        response = http.get(url, params=query, headers=headers)
        assert response.status_code == 200, response.text[:400]
        doc = response.json()
        found |= {f["properties"]["id"] for f in doc["features"]}
        nxt = [link["href"] for link in doc["links"] if link["rel"] == "next"]
        url, query = (nxt[0], None) if nxt and "f=json" in nxt[0] else ("", None)
    return found


def test_conformance_declares_filter_and_the_cql2_classes(http: httpx.Client) -> None:
    classes = set(http.get("/ogc/conformance").json()["conformsTo"])
    for name in ("ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter",
                 "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/cql2-json",
                 "cql2/1.0/conf/basic-cql2", "cql2/1.0/conf/basic-spatial-functions"):  # fmt: skip
        assert f"http://www.opengis.net/spec/{name}" in classes


def test_problem_with_negative_rating_equals_sql(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    want = sql_ids(engine, world, "o.kind = 'problem' AND o.rating < 0")
    assert len(want) >= 5
    assert api_ids(http, world, filter="kind='problem' AND rating<0") == want
    tree = {"op": "and", "args": [{"op": "=", "args": [{"property": "kind"}, "problem"]},
                                  {"op": "<", "args": [{"property": "rating"}, 0]}]}  # fmt: skip
    got = api_ids(http, world, filter=json.dumps(tree), **{"filter-lang": "cql2-json"})
    assert got == want
    page = http.get(ITEMS, params={"quarter": world.quarter, "limit": "3",
                                   "filter": "kind='problem' AND rating<0"}).json()  # fmt: skip
    assert page["numberMatched"] == len(want) and page["numberReturned"] == 3


@pytest.mark.parametrize(
    ("cql", "where"),
    [
        ("rating BETWEEN -1 AND 1", "o.rating BETWEEN -1 AND 1"),
        ("kind IN ('idea', 'strength')", "o.kind IN ('idea', 'strength')"),
        ("title LIKE 'Punkt 1%'", "o.title LIKE 'Punkt 1%'"),
        ("NOT (kind = 'idea') OR rating = 2", "NOT (o.kind = 'idea') OR o.rating = 2"),
        ("walkthrough IS NULL", "o.walkthrough_id IS NULL"),
        ("observed_at < TIMESTAMP('2025-01-01T00:00:00Z')", "o.observed_at < '2025-01-01'"),
        (
            "T_INTERSECTS(observed_at, INTERVAL('2026-01-01', '..'))",
            "o.observed_at >= '2026-01-01'",
        ),
        (
            "T_BEFORE(observed_at, TIMESTAMP('2026-01-01T00:00:00Z'))",
            "o.observed_at < '2026-01-01'",
        ),
        ("dimension = 'ökologisch' OR dimension <> 'ökologisch'", "true"),
        (
            "S_INTERSECTS(geometry, BBOX(7.40, 51.30, 7.42, 51.32))",
            "ST_Intersects(o.geom, ST_MakeEnvelope(7.40, 51.30, 7.42, 51.32, 4326))",
        ),
        (
            "S_WITHIN(geometry, POLYGON((7.40 51.30, 7.43 51.30, 7.43 51.33, 7.40 51.30)))",
            "ST_Within(o.geom, ST_GeomFromText("
            "'POLYGON((7.40 51.30, 7.43 51.30, 7.43 51.33, 7.40 51.30))', 4326))",
        ),
        ("kind = 'x'' OR 1=1 --'", "false"),
    ],
)
def test_cql2_text_operators_return_what_sql_returns(
    http: httpx.Client, world: World, engine: Engine, cql: str, where: str
) -> None:
    assert api_ids(http, world, filter=cql) == sql_ids(engine, world, where)


def test_filter_crs_reads_geometries_in_utm(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    (x0, y0), (x1, y1) = to_utm.transform(7.40, 51.30), to_utm.transform(7.42, 51.32)
    cql = f"S_INTERSECTS(geometry, BBOX({x0}, {y0}, {x1}, {y1}))"
    got = api_ids(http, world, filter=cql, **{"filter-crs": f"{EPSG}25832"})
    utm_box = f"ST_Transform(ST_MakeEnvelope({x0}, {y0}, {x1}, {y1}, 25832), 4326)"
    want = sql_ids(engine, world, f"ST_Intersects(o.geom, {utm_box})")
    assert got == want and len(want) > 10


def test_queryables_work_as_query_parameters(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    assert api_ids(http, world, rating="-2") == sql_ids(engine, world, "o.rating = -2")
    got = api_ids(http, world, rating="2", kind="idea")
    assert got == sql_ids(engine, world, "o.rating = 2 AND o.kind = 'idea'")
    got = api_ids(http, world, observed_at="2024-01-01/2024-12-31")
    assert got == sql_ids(engine, world, "o.observed_at < '2025-01-01'")
    # the Part 1 datetime parameter with an open end
    got = api_ids(http, world, datetime="../2024-12-31")
    assert got == sql_ids(engine, world, "o.observed_at < '2025-01-01'")


def test_public_cannot_filter_by_status_or_by_exact_finding_places(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    response = http.get(ITEMS, params={"filter": "status = 'draft'"})
    assert response.status_code == 400 and "status" in response.json()["message_en"]
    planner = api_ids(http, world, filter="status = 'draft'", headers=world.auth("planner"))
    assert world.draft_point in planner
    # The seed's public (generalised) place of the home finding is the square 0.40–0.50 of
    # the box around its exact point at 0.45: a box over the square's corner meets only the
    # public place, a box around the exact point only.
    x0, y0, x1, y1 = BOX
    w, h = x1 - x0, y1 - y0
    corner = (x0 + w * 0.401, y0 + h * 0.401, x0 + w * 0.402, y0 + h * 0.402)
    cql = "S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))".format(*corner)
    url = "/ogc/collections/aussagen/items"

    def has_home(**extra: Any) -> bool:
        doc = http.get(url, params={"filter": cql, "quarter": world.quarter}, **extra).json()
        return any(f["properties"]["id"] == world.finding_home for f in doc["features"])

    assert has_home()  # the public filters by the public place …
    assert not has_home(headers=world.auth("planner"))  # … planners by the exact one


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"filter": "kind = "}, "column 8"),
        ({"filter": "kind == 'problem'"}, "column 7"),
        ({"filter": "rating < 0 AND colour = 'red'"}, "position 16"),
        ({"filter": "kind = 3"}, "types do not match"),
        ({"filter": "rating = 'high'"}, "types do not match"),
        ({"filter": "S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))"}, "invalid"),
        ({"filter": "S_INTERSECTS(geometry, POINT(500 500))"}, "outside"),
        ({"filter": "S_INTERSECTS(kind, POINT(7 51))"}, "not a geometry"),
        ({"filter": "observed_at > TIMESTAMP('yesterday')"}, "RFC 3339"),
        ({"filter": "CASEI(title) = 'x'"}, "not supported"),
        ({"filter": "T_MEETS(observed_at, TIMESTAMP('2024-01-01T00:00:00Z'))"}, "not supported"),
        ({"filter": "kind = 'a\u0000'"}, "NUL"),
        ({"filter": '{"op": "=", "args": [', "filter-lang": "cql2-json"}, "JSON"),
        ({"filter": '{"op": "=", "args": [1]}', "filter-lang": "cql2-json"}, "CQL2 JSON"),
        ({"filter": "kind = 'idea'", "filter-lang": "sql"}, "possible are"),
        ({"filter": "kind = 'idea'", "filter-crs": "EPSG:9999"}, "not supported"),
        ({"filter": "kind = 'idea'; DROP TABLE observation"}, "syntax error"),
        ({"filter": "\"o.status\" = 'draft'"}, "unknown property"),
        ({"filter": "x" * 20_001}, "longer than"),
        ({"filter": "  "}, "empty"),
        ({"rating": "abc"}, "number"),
    ],
)
def test_bad_filters_are_400_naming_what_and_where_and_write_nothing(
    http: httpx.Client, world: World, engine: Engine, params: dict[str, str], says: str
) -> None:
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*), max(updated_at) FROM observation")).one()
    response = http.get(ITEMS, params={"quarter": world.quarter, **params})
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["message_de"] and says in body["message_en"], body["message_en"]
    with engine.connect() as conn:
        after = conn.execute(text("SELECT count(*), max(updated_at) FROM observation")).one()
    assert tuple(after) == tuple(before)


def test_queryables_document_lists_the_filterable_properties(http: httpx.Client) -> None:
    props = http.get("/ogc/collections/mobilitaet/queryables").json()["properties"]
    assert props["rating"]["type"] == "number" and props["observed_at"]["format"] == "date-time"
    assert props["geometry"]["$ref"].endswith("Geometry.json")
    refs = http.get("/ogc/collections/referenz-kitas/queryables").json()["properties"]
    assert {"name", "category", "geometry"} <= set(refs)


QGIS_COUNT = """
import sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
uri = f"url='{sys.argv[1]}' typename='mobilitaet'"
layer = QgsVectorLayer(uri, "mobilitaet", "OAPIF")
assert layer.isValid(), layer.error().summary()
layer.setSubsetString(sys.argv[2])
print(sum(1 for _ in layer.getFeatures()))
"""


@pytest.mark.skipif(
    importlib.util.find_spec("qgis") is None, reason="QGIS (PyQGIS) is not installed here"
)
def test_qgis_reads_a_filtered_layer(
    live_server: LiveServer, world: World, engine: Engine
) -> None:  # pragma: no cover - runs only where QGIS is installed
    """QGIS's OAPIF provider sends a layer's subset string as ``filter`` when the server
    declares Part 3; in a child process, as the live server is a thread of this one."""
    where = f"kind = 'problem' AND rating < 0 AND quarter = '{world.quarter}'"
    done = subprocess.run(
        [sys.executable, "-c", QGIS_COUNT, f"{live_server.url}/ogc", where],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    want = sql_ids(engine, world, "o.kind = 'problem' AND o.rating < 0")
    assert int(done.stdout.strip().splitlines()[-1]) == len(want)


def test_public_cannot_filter_findings_by_the_interview_day(
    http: httpx.Client, world: World
) -> None:
    """The public knows an interview's month only; a day filter would group statements."""
    cql = "T_INTERSECTS(observed_at, INTERVAL('2026-03-03', '2026-03-03'))"
    url = "/ogc/collections/aussagen/items"
    public = http.get(url, params={"filter": cql, "quarter": world.quarter})
    assert public.status_code == 400 and "observed_at" in public.json()["message_en"]
    planner = http.get(url, params={"filter": cql, "quarter": world.quarter},
                       headers=world.auth("planner"))  # fmt: skip
    ids = {f["properties"]["id"] for f in planner.json()["features"]}
    assert world.finding_home in ids
