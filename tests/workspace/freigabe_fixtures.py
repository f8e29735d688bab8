"""Shared set-up of the Freigabe tests: a quarter of their own, entries made over HTTP."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import httpx
import morecantile
from sqlalchemy import Engine, text

from tests.workspace.conftest import Member

TMS = morecantile.tms.get("WebMercatorQuad")


@dataclass
class Area:
    """A square quarter (Thuringia, away from the other tests) and helpers to fill it."""

    slug: str
    quarter_id: int
    x0: float
    y0: float
    interview: str
    made: list[str] = field(default_factory=list)

    def point(self, i: int) -> list[float]:
        return [round(self.x0 + 0.0005 + (i % 40) * 0.0002, 7),
                round(self.y0 + 0.0005 + (i // 40) * 0.0002, 7)]  # fmt: skip


def make_area(engine: Engine, index: int) -> Area:
    """Quarter number ``index`` of a row of 0.012° squares (one per test module)."""
    x0, y0 = 10.60 + index * 0.012, 51.30
    x1, y1 = x0 + 0.012, y0 + 0.008
    slug = f"freigabe-{index}-{uuid.uuid4().hex[:6]}"
    square = f"MULTIPOLYGON((({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0})))"
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, :n, 'Test', "
                "ST_GeomFromText(:g, 4326)) RETURNING id"
            ),
            {"s": slug, "n": f"Freigabe {index}", "g": square},
        ).scalar_one()
        interview = conn.execute(
            text(
                "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym) "
                "VALUES (gen_random_uuid(), :q, '2026-05-04', 'residents', 'F1') RETURNING id"
            ),
            {"q": qid},
        ).scalar_one()
    return Area(slug, int(qid), x0, y0, str(interview))


def post_obs(
    http: httpx.Client, member: Member, area: Area, i: int, *, layer: str = "mobilitaet",
    status: str = "review", title: str | None = None, kind: str = "problem",
) -> str:  # fmt: skip
    body = {
        "layer": layer, "kind": kind, "rating": -1, "title": title or f"Eintrag {i}",
        "description": f"Text {i}", "geometry": {"type": "Point", "coordinates": area.point(i)},
        "status": status, "quarter": area.slug,
    }  # fmt: skip
    r = http.post("/api/observations", json=body, headers=member.auth)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def insert_finding(
    engine: Engine, area: Area, i: int, statement: str, layers: list[str], status: str = "review"
) -> str:
    x, y = area.point(i)
    with engine.begin() as conn:
        return str(
            conn.execute(
                text(
                    "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, "
                    "kind, geom, public_geom, status, public_statement) VALUES "
                    "(gen_random_uuid(), :i, :q, :s, :l, 'idea', ST_SetSRID(ST_MakePoint(:x, "
                    ":y), 4326), ST_SetSRID(ST_MakePoint(:x, :y), 4326), :st, :s) RETURNING id"
                ),
                {"i": area.interview, "q": area.quarter_id, "s": statement, "l": layers,
                 "x": x, "y": y, "st": status},
            ).scalar_one()
        )  # fmt: skip


def publish(http: httpx.Client, member: Member, oid: str) -> dict:
    r = http.post(
        f"/api/review/observation/{oid}/decision", json={"action": "publish"}, headers=member.auth
    )
    assert r.status_code == 200, r.text
    return r.json()


def tile_titles(http: httpx.Client, layer: str, where: list[float]) -> dict[str, str]:
    """id → title of the public GeoJSON tile (zoom 17, no clustering) around ``where``."""
    t = TMS.tile(where[0], where[1], 17)
    r = http.get(f"/tiles/{layer}/{t.z}/{t.x}/{t.y}.geojson")
    assert r.status_code == 200, r.text
    return {
        str(f["properties"]["id"]): f["properties"].get("title")
        for f in r.json()["features"]
        if "id" in f["properties"]
    }


def ogc_titles(http: httpx.Client, layer: str, area: Area) -> dict[str, str]:
    bbox = f"{area.x0},{area.y0},{area.x0 + 0.012},{area.y0 + 0.008}"
    r = http.get(f"/ogc/collections/{layer}/items", params={"bbox": bbox, "f": "json",
                                                             "limit": 1000})  # fmt: skip
    assert r.status_code == 200, r.text
    return {str(f["id"]): f["properties"].get("title") for f in r.json()["features"]}


def events(engine: Engine, entry_id: str) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT from_status, to_status, note FROM moderation_event "
                "WHERE observation_id = CAST(:i AS uuid) OR finding_id = CAST(:i AS uuid) "
                "ORDER BY at, id"
            ),
            {"i": entry_id},
        ).all()
    return [tuple(r) for r in rows]


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert body["message_de"] and body["message_en"] and body["message_de"] != body["message_en"]
    return body


def geojson(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()
