"""Walkthroughs with their GPS track (GeoJSON or GPX) and quarters managed by admins."""

from __future__ import annotations

import pytest

from tests.capture_fixtures import Team
from tests.conftest import count

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>Begehung</name><trkseg>
<trkpt lat="50.1110" lon="8.6810"></trkpt>
<trkpt lat="50.1110" lon="8.6850"></trkpt>
<trkpt lat="50.1140" lon="8.6850"></trkpt>
</trkseg></trk></gpx>"""


def _walk(http, team: Team) -> dict:  # type: ignore[no-untyped-def]
    response = http.post("/api/walkthroughs", headers=Team.auth(team.field), json={
        "quarter": team.quarter, "title": "Begehung Teststraße",
        "started_at": "2026-04-12T10:00:00+02:00", "ended_at": "2026-04-12T12:00:00+02:00",
        "team": "Quartiersbüro", "residents": 7, "experts": 2,
    })  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def test_gpx_track_is_attached_with_its_length(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    assert walk["residents"] == 7 and walk["track"] is None
    response = http.put(
        f"/api/walkthroughs/{walk['id']}/track",
        headers=Team.auth(team.field),
        files={"file": ("walk.gpx", GPX.encode(), "application/gpx+xml")},
    )
    assert response.status_code == 200, response.text
    track = response.json()
    assert track["track"]["type"] == "LineString" and len(track["track"]["coordinates"]) == 3
    # 0.004° of longitude at 50.111° N ≈ 285.9 m, plus 0.003° of latitude ≈ 333.6 m
    assert track["length_m"] == pytest.approx(619.5, abs=3)


def test_geojson_track_replaces_the_old_one(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    line = {"type": "LineString", "coordinates": [[8.681, 50.112], [8.690, 50.112]]}
    response = http.put(f"/api/walkthroughs/{walk['id']}/track", json=line,
                        headers=Team.auth(team.field))  # fmt: skip
    assert response.status_code == 200
    assert response.json()["track"]["coordinates"][1] == [8.69, 50.112]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (
            {"files": {"file": ("x.gpx", b"<gpx><nope", "application/gpx+xml")}},
            "geometry_malformed",
        ),
        (
            {"json": {"type": "LineString", "coordinates": [[13.4, 52.5], [13.41, 52.5]]}},
            "outside_given_quarter",
        ),
        ({"json": {"type": "Point", "coordinates": [8.681, 50.112]}}, "geometry_type_not_allowed"),
    ],
    ids=["broken gpx", "track elsewhere", "point as track"],
)
def test_bad_tracks_are_refused(http, team: Team, payload, code) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    response = http.put(f"/api/walkthroughs/{walk['id']}/track", headers=Team.auth(team.field),
                        **payload)  # fmt: skip
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert http.get(f"/api/walkthroughs/{walk['id']}").json()["track"] is None


def test_walkthrough_end_before_start_is_refused(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "walkthrough")
    response = http.post(
        "/api/walkthroughs",
        headers=Team.auth(team.field),
        json={
            "quarter": team.quarter,
            "title": "Zeitreise",
            "started_at": "2026-04-12T10:00:00+02:00",
            "ended_at": "2026-04-12T09:00:00+02:00",
        },
    )
    assert response.status_code == 400 and response.json()["code"] == "time_span"
    assert count(engine, "walkthrough") == before


def test_admin_creates_and_replaces_a_quarter(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    square = {"type": "Polygon", "coordinates": [[[9.0, 48.0], [9.01, 48.0], [9.01, 48.01],
              [9.0, 48.01], [9.0, 48.0]]]}  # fmt: skip
    feature = {"type": "Feature", "geometry": square,
               "properties": {"name": "Neues Quartier", "city": "Teststadt"}}  # fmt: skip
    denied = http.put("/api/quarters/neues-quartier", json=feature, headers=Team.auth(team.planner))
    assert denied.status_code == 403
    created = http.put("/api/quarters/neues-quartier", json=feature, headers=Team.auth(team.admin))
    assert created.status_code == 201, created.text
    assert created.json()["bbox"] == pytest.approx([9.0, 48.0, 9.01, 48.01])
    feature["properties"]["name"] = "Umbenannt"
    replaced = http.put("/api/quarters/neues-quartier", json=feature, headers=Team.auth(team.admin))
    assert replaced.status_code == 200 and replaced.json()["properties"]["name"] == "Umbenannt"
    assert http.get("/api/quarters/neues-quartier").json()["properties"]["area_km2"] == (
        pytest.approx(0.824, abs=0.01)
    )
    bad_slug = http.put("/api/quarters/Böse'--", json=feature, headers=Team.auth(team.admin))
    assert bad_slug.status_code == 400 and bad_slug.json()["code"] == "invalid_slug"


def test_unknown_quarter_is_404(http) -> None:  # type: ignore[no-untyped-def]
    response = http.get("/api/quarters/'; DROP TABLE quarter; --")
    assert response.status_code == 404 and response.json()["code"] == "unknown_quarter"


def test_public_sees_the_walk_but_not_who_logged_it(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    http.patch(f"/api/walkthroughs/{walk['id']}", json={"notes": "Frau K. wohnt Nr. 3"},
               headers=Team.auth(team.field))  # fmt: skip
    body = {"layer": "umwelt", "kind": "idea", "title": "Entwurf", "walkthrough_id": walk["id"],
            "geometry": {"type": "Point", "coordinates": [8.687, 50.1145]}}  # fmt: skip
    http.post("/api/observations", json=body, headers=Team.auth(team.field))
    public = http.get(f"/api/walkthroughs/{walk['id']}").json()
    assert public["author"] is None and public["notes"] == "" and public["observations"] == 0
    own = http.get(f"/api/walkthroughs/{walk['id']}", headers=Team.auth(team.field)).json()
    assert own["notes"] == "Frau K. wohnt Nr. 3" and own["observations"] == 1
    listed = http.get("/api/walkthroughs", params={"quarter": team.quarter}).json()
    assert all(w["author"] is None and w["notes"] == "" for w in listed)
