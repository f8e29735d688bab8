"""A statement the gazetteer cannot place ("alter Kiosk hinterm Bunker", confidence 0.0)
is flagged ``needs_review`` and stays out of every public output — API, tiles, OGC API,
exports — even once published, until a planner places it or confirms "whole quarter"."""

from __future__ import annotations

import uuid

import httpx
import morecantile
import pytest
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token
from tests.conftest import count

TMS = morecantile.tms.get("WebMercatorQuad")
X0, Y0, X1, Y1 = 11.56, 48.13, 11.58, 48.14  # a box in Munich no other test uses
PLACE = (11.5712, 48.1351)


class Team:
    def __init__(self, slug: str, field: str, planner: str) -> None:
        self.slug, self.field, self.planner = slug, field, planner

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def team(engine: Engine) -> Team:
    suffix = uuid.uuid4().hex[:6]
    slug = f"muenchen-review-{suffix}"
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, 'Prüfviertel', "
                "'München', ST_GeomFromText(:b, 4326)) RETURNING id"
            ),
            {
                "s": slug,
                "b": f"MULTIPOLYGON((({X0} {Y0}, {X1} {Y0}, {X1} {Y1}, {X0} {Y1}, {X0} {Y0})))",
            },
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO gazetteer_entry (quarter_id, kind, name, geom, source) VALUES "
                "(:q, 'place', 'Amtsplatz', ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'test')"
            ),
            {"q": qid, "x": PLACE[0], "y": PLACE[1]},
        )
        tokens = []
        for role in ("field", "planner"):
            name = f"review-{role}-{suffix}"
            create_account(conn, name, role)
            tokens.append(create_token(conn, name))
    return Team(slug, *tokens)


def _published_unplaced(http: httpx.Client, team: Team, statement: str) -> dict:
    interview = http.post(
        "/api/interviews", headers=Team.auth(team.field),
        json={"quarter": team.slug, "held_on": "2026-03-13", "participant_group": "residents",
              "pseudonym": f"R-{uuid.uuid4().hex[:4]}"},
    )  # fmt: skip
    assert interview.status_code == 201, interview.text
    created = http.post(
        f"/api/interviews/{interview.json()['id']}/findings", headers=Team.auth(team.field),
        json={"statement": statement, "layers": ["nahversorgung"], "kind": "problem",
              "place_text": "alter Kiosk hinterm Bunker"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    fid = created.json()["id"]
    published = http.post(f"/api/findings/{fid}/moderation", headers=Team.auth(team.planner),
                          json={"status": "published", "note": ""})  # fmt: skip
    assert published.status_code == 200, published.text
    return published.json()


def _public_ids(http: httpx.Client, team: Team) -> dict[str, set[str]]:
    """The finding ids each public output shows for the quarter."""
    api = {f["id"] for f in http.get("/api/findings", params={"quarter": team.slug}).json()}
    ogc = http.get("/ogc/collections/aussagen/items", params={"quarter": team.slug}).json()
    export = http.get(f"/api/exports/{team.slug}/aussagen.geojson").json()
    tiles: set[str] = set()
    for lon, lat in (((X0 + X1) / 2, (Y0 + Y1) / 2), PLACE):
        t = TMS.tile(lon, lat, 16)
        tile = http.get(f"/tiles/aussagen/{t.z}/{t.x}/{t.y}.geojson").json()
        tiles |= {str(f["properties"].get("id")) for f in tile["features"]}
    return {
        "api": api,
        "ogc": {str(f["id"]) for f in ogc["features"]},
        "export": {str(f["properties"]["id"]) for f in export["features"]},
        "tiles": tiles,
    }


def test_unplaced_statement_is_held_back_until_confirmed_quarter_wide(
    http: httpx.Client, team: Team, engine: Engine
) -> None:
    finding = _published_unplaced(http, team, "Am alten Kiosk fehlt eine Bank.")
    fid = finding["id"]
    assert finding["status"] == "published" and finding["needs_review"] is True
    assert finding["georef_method"] == "quarter" and finding["georef_confidence"] == 0.0
    planner = http.get("/api/findings", params={"quarter": team.slug},
                       headers=Team.auth(team.planner)).json()  # fmt: skip
    assert [f["needs_review"] for f in planner if f["id"] == fid] == [True]
    assert http.get(f"/api/findings/{fid}").status_code == 404
    for output, ids in _public_ids(http, team).items():
        assert fid not in ids, output
    confirmed = http.post(f"/api/findings/{fid}/placement", headers=Team.auth(team.planner),
                          json={"quarter_wide": True})  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["needs_review"] is False and body["georef_method"] == "quarter"
    assert body["georef_confidence"] == 0.5  # the gazetteer's "explicitly quarter-wide"
    shown = _public_ids(http, team)
    for output in ("api", "ogc", "export", "tiles"):
        assert fid in shown[output], output
    assert count(engine, "finding", f"id = '{fid}' AND NOT needs_review") == 1


def test_a_planner_places_it_by_a_better_place_text_or_on_the_map(
    http: httpx.Client, team: Team
) -> None:
    by_text = _published_unplaced(http, team, "Der Kiosk am Platz hat zu.")["id"]
    placed = http.post(f"/api/findings/{by_text}/placement", headers=Team.auth(team.planner),
                       json={"place_text": "am Amtsplatz"})  # fmt: skip
    assert placed.status_code == 200, placed.text
    body = placed.json()
    assert (body["georef_method"], body["place_text"], body["needs_review"]) == (
        "place", "am Amtsplatz", False)  # fmt: skip
    assert body["geometry"] == {"type": "Point", "coordinates": list(PLACE)}
    public = http.get(f"/api/findings/{by_text}").json()
    assert public["geometry"]["coordinates"] == list(PLACE)
    on_map = _published_unplaced(http, team, "Hinter dem Bunker ist es dunkel.")["id"]
    point = {"type": "Point", "coordinates": [11.575, 48.137]}
    set_point = http.post(f"/api/findings/{on_map}/placement", headers=Team.auth(team.planner),
                          json={"geometry": point})  # fmt: skip
    assert set_point.status_code == 200, set_point.text
    assert set_point.json()["georef_method"] == "manual"
    assert http.get(f"/api/findings/{on_map}").json()["geometry"] == point


def test_bad_placements_are_refused_and_change_nothing(
    http: httpx.Client, team: Team, engine: Engine
) -> None:
    fid = _published_unplaced(http, team, "Der Bunker wird nicht gepflegt.")["id"]
    url = f"/api/findings/{fid}/placement"
    planner = Team.auth(team.planner)
    cases = [
        ({"quarter_wide": True, "place_text": "Amtsplatz"}, 400, "placement_choice"),
        ({}, 400, "placement_choice"),
        ({"place_text": "hinterm alten Bunker"}, 400, "place_not_found"),
        ({"geometry": {"type": "Point", "coordinates": [9.0, 50.0]}}, 400, None),
        ({"colour": "red"}, 400, "invalid_input"),
    ]
    for body, status, code in cases:
        r = http.post(url, headers=planner, json=body)
        assert r.status_code == status, (body, r.text)
        if code:
            assert r.json()["code"] == code and r.json()["message_de"] != r.json()["message_en"]
    assert (
        http.post(url, headers=Team.auth(team.field), json={"quarter_wide": True}).status_code
        == 403
    )
    assert http.post(url, json={"quarter_wide": True}).status_code in (401, 403)
    missing = http.post(f"/api/findings/{uuid.uuid4()}/placement", headers=planner,
                        json={"quarter_wide": True})  # fmt: skip
    assert missing.status_code == 404
    assert count(engine, "finding", f"id = '{fid}' AND needs_review "
                                    "AND georef_method = 'quarter'") == 1  # fmt: skip
