"""Per-layer/quarter rights (uMap #584), enforced by the server over real HTTP.

A planner restricted to the layer ``mobilitaet`` in quarter A lists, edits, moderates and
exports only that; outside it reads what the public reads (published entries), in the API,
the tiles and the OGC API. An unrestricted planner still sees everything.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import httpx
import morecantile
import pytest
from sqlalchemy import Engine, text

from tests.workspace.conftest import Member, WorkspaceTeam, add_member

TMS = morecantile.tms.get("WebMercatorQuad")
# two neighbouring squares in Lower Saxony, away from every other test's data
A = (9.500, 52.100, 9.510, 52.106)
B = (9.510, 52.100, 9.520, 52.106)


def square(b: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = b
    return f"MULTIPOLYGON((({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0})))"


def centre(b: tuple[float, float, float, float], dx: float = 0) -> list[float]:
    return [(b[0] + b[2]) / 2 + dx, (b[1] + b[3]) / 2]


@dataclass
class Scene:
    a: str
    b: str
    restricted: Member
    obs: dict[str, str]  # name → id
    findings: dict[str, str]


def post_obs(
    http: httpx.Client, member: Member, layer: str, where: list[float], status: str, title: str
) -> str:
    body = {
        "layer": layer,
        "kind": "problem",
        "rating": -1,
        "title": title,
        "geometry": {"type": "Point", "coordinates": where},
        "status": status,
    }
    r = http.post("/api/observations", json=body, headers=member.auth)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def scene(engine: Engine, live_server, workspace_team: WorkspaceTeam) -> Scene:  # type: ignore[no-untyped-def]
    suffix = uuid.uuid4().hex[:6]
    slugs = {"a": f"rechte-a-{suffix}", "b": f"rechte-b-{suffix}"}
    with engine.begin() as conn:
        ids = {}
        for key, bounds in (("a", A), ("b", B)):
            ids[key] = conn.execute(
                text(
                    "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, :n, 'Test', "
                    "ST_GeomFromText(:g, 4326)) RETURNING id"
                ),
                {"s": slugs[key], "n": f"Rechte {key.upper()}", "g": square(bounds)},
            ).scalar_one()
        interview = conn.execute(
            text(
                "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym) "
                "VALUES (gen_random_uuid(), :q, '2026-05-01', 'residents', 'P1') RETURNING id"
            ),
            {"q": ids["a"]},
        ).scalar_one()
        findings = {}
        for name, layers in (("f_in", ["mobilitaet"]), ("f_out", ["umwelt"])):
            findings[name] = str(
                conn.execute(
                    text(
                        "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids,"
                        " kind, geom, public_geom, status) VALUES (gen_random_uuid(), :i, :q, "
                        ":s, :l, 'problem', ST_SetSRID(ST_MakePoint(:x, :y), 4326), "
                        "ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'review') RETURNING id"
                    ),
                    {
                        "i": interview,
                        "q": ids["a"],
                        "s": f"Aussage {name}",
                        "l": layers,
                        "x": centre(A)[0],
                        "y": centre(A)[1],
                    },
                ).scalar_one()
            )
    restricted = add_member(engine, "planner", "eng")
    admin = workspace_team.admin
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        r = http.patch(
            f"/api/admin/accounts/{restricted.name}",
            headers=admin.auth,
            json={"layers": ["mobilitaet"], "quarters": [slugs["a"]]},
        )
        assert r.status_code == 200, r.text
        planner = workspace_team.planner
        obs = {
            "in": post_obs(http, planner, "mobilitaet", centre(A), "review", "drinnen"),
            "other_layer": post_obs(http, planner, "umwelt", centre(A, 0.001), "review", "umwelt"),
            "other_quarter": post_obs(http, planner, "mobilitaet", centre(B), "review", "B"),
            "published_b": post_obs(
                http, planner, "mobilitaet", centre(B, 0.001), "published", "B öffentlich"
            ),
        }
    return Scene(slugs["a"], slugs["b"], restricted, obs, findings)


def ids_of(items: list[dict]) -> set[str]:
    return {str(i["id"]) for i in items}


def test_me_tells_the_restriction(http: httpx.Client, scene: Scene) -> None:
    me = http.get("/api/auth/me", headers=scene.restricted.auth).json()
    assert me["layers"] == ["mobilitaet"] and me["quarters"] == [scene.a]


def test_lists_show_only_its_layers_and_quarters(
    http: httpx.Client, scene: Scene, workspace_team: WorkspaceTeam
) -> None:
    mine = http.get(
        "/api/observations", headers=scene.restricted.auth, params={"limit": 1000}
    ).json()
    ours = set(scene.obs.values())
    assert ids_of(mine["items"]) & ours == {scene.obs["in"]}
    everyone = http.get(
        "/api/observations", headers=workspace_team.planner.auth, params={"limit": 1000}
    ).json()
    assert ids_of(everyone["items"]) >= ours  # the unrestricted planner sees all four
    found = http.get(
        "/api/findings", headers=scene.restricted.auth, params={"quarter": scene.a, "limit": 100}
    ).json()
    assert ids_of(found) == {scene.findings["f_in"]}
    summary = http.get("/api/workspace/summary", headers=scene.restricted.auth).json()
    assert [q["slug"] for q in summary["quarters"]] == [scene.a]
    assert summary["quarters"][0]["observations"] == 1
    assert summary["quarters"][0]["findings"] == 1
    full = http.get("/api/workspace/summary", headers=workspace_team.planner.auth).json()
    by_slug = {q["slug"]: q for q in full["quarters"]}
    assert by_slug[scene.a]["observations"] == 2 and by_slug[scene.a]["findings"] == 2
    assert by_slug[scene.b]["observations"] == 1


def test_edits_and_moderation_outside_the_scope_are_refused(
    http: httpx.Client, engine: Engine, scene: Scene
) -> None:
    auth = scene.restricted.auth
    # a draft outside its scope does not exist for it; a published one is read-only
    assert (
        http.get(f"/api/observations/{scene.obs['other_layer']}", headers=auth).status_code == 404
    )
    r = http.patch(
        f"/api/observations/{scene.obs['other_quarter']}",
        headers=auth,
        json={"title": "x", "version": 1},
    )
    assert r.status_code == 404
    r = http.patch(
        f"/api/observations/{scene.obs['published_b']}",
        headers=auth,
        json={"title": "geändert", "version": 1},
    )
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    assert r.json()["message_de"] and r.json()["message_en"]
    r = http.post(
        f"/api/observations/{scene.obs['published_b']}/moderation",
        headers=auth,
        json={"status": "rejected", "note": "nein"},
    )
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    # inside: edit works, but not into another layer or quarter
    oid = scene.obs["in"]
    r = http.patch(f"/api/observations/{oid}", headers=auth, json={"layer": "umwelt", "version": 1})
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    r = http.patch(
        f"/api/observations/{oid}",
        headers=auth,
        json={"version": 1, "geometry": {"type": "Point", "coordinates": centre(B)}},
    )
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    r = http.patch(f"/api/observations/{oid}", headers=auth, json={"title": "neu", "version": 1})
    assert r.status_code == 200 and r.json()["title"] == "neu" and r.json()["quarter"] == scene.a
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT layer_id, title, version FROM observation WHERE id = :i"), {"i": oid}
        ).one()
    assert (row.layer_id, row.title, row.version) == ("mobilitaet", "neu", 2)
    r = http.post(
        f"/api/findings/{scene.findings['f_out']}/moderation",
        headers=auth,
        json={"status": "published", "note": ""},
    )
    assert r.status_code == 404  # not visible to it at all
    with engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM finding WHERE id = :i"), {"i": scene.findings["f_out"]}
        ).scalar_one()
    assert status == "review"


def test_exports_keep_to_the_scope(http: httpx.Client, scene: Scene) -> None:
    auth = scene.restricted.auth
    r = http.get(f"/api/exports/{scene.b}/alle.geojson", headers=auth)
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    r = http.get(f"/api/exports/{scene.a}/umwelt.geojson", headers=auth)
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    r = http.get(f"/api/exports/{scene.a}/alle.geojson", headers=auth)
    assert r.status_code == 200, r.text
    features = json.loads(r.content)["features"]
    layers = {f["properties"]["layer"] for f in features}
    assert "umwelt" not in layers
    ids = {str(f["properties"].get("id")) for f in features}
    assert scene.obs["in"] in ids and scene.obs["other_layer"] not in ids
    assert scene.findings["f_in"] in ids and scene.findings["f_out"] not in ids


def tile_features(http: httpx.Client, layer: str, where: list[float], auth: dict) -> set[str]:
    t = TMS.tile(where[0], where[1], 15)
    r = http.get(f"/tiles/{layer}/{t.z}/{t.x}/{t.y}.geojson", headers=auth)
    assert r.status_code == 200, r.text
    return {str(f["properties"]["id"]) for f in r.json()["features"] if "id" in f["properties"]}


def test_tiles_and_ogc_show_the_scope_and_otherwise_what_is_published(
    http: httpx.Client, scene: Scene, workspace_team: WorkspaceTeam
) -> None:
    auth, full = scene.restricted.auth, workspace_team.planner.auth
    b_tile = tile_features(http, "mobilitaet", centre(B), auth)
    assert scene.obs["published_b"] in b_tile and scene.obs["other_quarter"] not in b_tile
    assert scene.obs["other_quarter"] in tile_features(http, "mobilitaet", centre(B), full)
    assert scene.obs["in"] in tile_features(http, "mobilitaet", centre(A), auth)
    assert scene.obs["other_layer"] not in tile_features(http, "umwelt", centre(A), auth)
    assert scene.obs["other_layer"] in tile_features(http, "umwelt", centre(A), full)
    bbox = ",".join(str(v) for v in (A[0], A[1], B[2], B[3]))
    items = http.get(
        "/ogc/collections/mobilitaet/items",
        headers=auth,
        params={"bbox": bbox, "f": "json", "limit": 100},
    ).json()
    ogc_ids = {str(f["id"]) for f in items["features"]}
    assert scene.obs["in"] in ogc_ids and scene.obs["published_b"] in ogc_ids
    assert scene.obs["other_quarter"] not in ogc_ids
    umwelt = http.get(
        "/ogc/collections/umwelt/items",
        headers=auth,
        params={"bbox": bbox, "f": "json", "limit": 100},
    ).json()
    assert scene.obs["other_layer"] not in {str(f["id"]) for f in umwelt["features"]}


def test_interviews_keep_to_its_quarters(
    http: httpx.Client, scene: Scene, workspace_team: WorkspaceTeam
) -> None:
    auth = scene.restricted.auth
    body = {"held_on": "2026-05-02", "participant_group": "residents", "pseudonym": "P2"}
    r = http.post("/api/interviews", headers=auth, json={**body, "quarter": scene.b})
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    other = http.post(
        "/api/interviews", headers=workspace_team.planner.auth, json={**body, "quarter": scene.b}
    )
    assert other.status_code == 201, other.text
    mine = http.post("/api/interviews", headers=auth, json={**body, "quarter": scene.a})
    assert mine.status_code == 201, mine.text
    listed = {i["id"] for i in http.get("/api/interviews", headers=auth).json()}
    assert mine.json()["id"] in listed and other.json()["id"] not in listed
    r = http.get(f"/api/interviews/{other.json()['id']}", headers=auth)
    assert r.status_code == 404
    assert (
        http.get(f"/api/interviews/{other.json()['id']}/contact", headers=auth).status_code == 404
    )
