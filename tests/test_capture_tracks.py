"""Tracks per device: two phones on one walk keep both recordings; stopping ends the walk."""

from __future__ import annotations

import morecantile
from sqlalchemy import text

from tests.capture_fixtures import Team
from tests.conftest import count

TMS = morecantile.tms.get("WebMercatorQuad")
NORTH = {"type": "LineString", "coordinates": [[8.681, 50.116], [8.690, 50.116]]}
SOUTH = {"type": "LineString", "coordinates": [[8.681, 50.112], [8.686, 50.112], [8.690, 50.113]]}


def _walk(http, team: Team, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    body = {"quarter": team.quarter, "title": "Begehung mit zwei Handys",
            "started_at": "2026-04-12T10:00:00+02:00", "residents": 3, **extra}  # fmt: skip
    response = http.post("/api/walkthroughs", headers=Team.auth(team.field), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _put(http, team: Team, wid: str, line: dict, token: str | None = None, **params: str):  # type: ignore[no-untyped-def]
    return http.put(f"/api/walkthroughs/{wid}/track", json=line, params=params,
                    headers=Team.auth(token or team.field))  # fmt: skip


def test_two_phones_keep_both_recordings(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    url = f"/api/walkthroughs/{walk['id']}"
    first = _put(http, team, walk["id"], NORTH, recording="handy-a")
    assert first.status_code == 200, first.text
    assert first.json()["track"] == NORTH and first.json()["recordings"] == 1
    second = _put(http, team, walk["id"], SOUTH, recording="handy-b")
    assert second.status_code == 200, second.text
    both = second.json()
    assert both["track"]["type"] == "MultiLineString" and both["recordings"] == 2
    assert both["track"]["coordinates"] == [NORTH["coordinates"], SOUTH["coordinates"]]
    # Two phones walked one walk: its length is the longest recording, not the sum.
    north_m = first.json()["length_m"]  # ≈ 643 m; the southern recording ≈ 664 m
    assert north_m < both["length_m"] < north_m + 100
    # Phone A stops again with a longer track: its recording is replaced, B's is kept.
    longer = {"type": "LineString", "coordinates": [*NORTH["coordinates"], [8.690, 50.117]]}
    again = _put(http, team, walk["id"], longer, recording="handy-a").json()
    assert again["recordings"] == 2
    assert again["track"]["coordinates"] == [longer["coordinates"], SOUTH["coordinates"]]
    assert count(engine, "walkthrough_track", f"walkthrough_id = '{walk['id']}'") == 2
    # Two accounts without recording ids do not collide either.
    other = _put(http, team, walk["id"], NORTH, token=team.planner).json()
    assert other["recordings"] == 3
    assert http.get(url).json()["track"]["type"] == "MultiLineString"
    # The public tile shows the union.
    t = TMS.tile(8.685, 50.114, 14)
    tile = http.get(f"/tiles/begehungen/{t.z}/{t.x}/{t.y}.geojson",
                    params={"walkthrough": walk["id"]}).json()  # fmt: skip
    (feature,) = tile["features"]
    assert feature["geometry"]["type"] == "MultiLineString"
    assert len(feature["geometry"]["coordinates"]) == 3


def test_stopping_a_recording_sets_the_end_of_the_walk(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    assert walk["ended_at"] is None
    stopped = _put(http, team, walk["id"], NORTH, recording="handy-a",
                   ended_at="2026-04-12T11:30:00+02:00").json()  # fmt: skip
    assert stopped["ended_at"].startswith("2026-04-12T09:30:00")
    # A later stop of another phone moves the end later, an earlier one never back.
    later = _put(http, team, walk["id"], SOUTH, recording="handy-b",
                 ended_at="2026-04-12T11:45:00+02:00").json()  # fmt: skip
    assert later["ended_at"].startswith("2026-04-12T09:45:00")
    earlier = _put(http, team, walk["id"], NORTH, recording="handy-a",
                   ended_at="2026-04-12T11:00:00+02:00").json()  # fmt: skip
    assert earlier["ended_at"].startswith("2026-04-12T09:45:00")
    # Without a reported end, a walk that had none ends now.
    plain = _walk(http, team)
    ended = _put(http, team, plain["id"], NORTH).json()
    assert ended["ended_at"] is not None and ended["ended_at"] >= "2026-04-12"


def test_gpx_times_end_the_walk(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    gpx = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
<trkpt lat="50.1110" lon="8.6810"><time>2026-04-12T08:05:00Z</time></trkpt>
<trkpt lat="50.1110" lon="8.6850"><time>2026-04-12T09:40:00Z</time></trkpt>
</trkseg></trk></gpx>"""
    walk = _walk(http, team)
    response = http.put(f"/api/walkthroughs/{walk['id']}/track", headers=Team.auth(team.field),
                        files={"file": ("a.gpx", gpx.encode(), "application/gpx+xml")})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["ended_at"].startswith("2026-04-12T09:40:00")


def test_a_track_stored_before_keeps_its_place_in_the_union(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    with engine.begin() as conn:  # as the demo and imports write it: straight into the column
        conn.execute(text("UPDATE walkthrough SET track = ST_GeomFromGeoJSON(:g) WHERE id = :id"),
                     {"g": '{"type":"LineString","coordinates":[[8.682,50.118],[8.689,50.118]]}',
                      "id": walk["id"]})  # fmt: skip
    merged = _put(http, team, walk["id"], SOUTH, recording="handy-b").json()
    assert merged["recordings"] == 2 and merged["track"]["type"] == "MultiLineString"
    assert [8.682, 50.118] in merged["track"]["coordinates"][0]


def test_bad_recording_ids_are_refused(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    for bad in ("mit leerzeichen", "x" * 65, "<script>"):
        response = _put(http, team, walk["id"], NORTH, recording=bad)
        assert response.status_code in (400, 422), response.text
        body = response.json()
        assert body.get("message_de") and body.get("message_en")
    bad_end = _put(http, team, walk["id"], NORTH, ended_at="gestern")
    assert bad_end.status_code in (400, 422)
    future = _put(http, team, walk["id"], NORTH, ended_at="2999-01-01T10:00:00+01:00")
    assert future.status_code == 400 and future.json()["code"] == "date_in_future"
    assert future.json()["message_de"] and future.json()["message_en"]
    assert count(engine, "walkthrough_track", f"walkthrough_id = '{walk['id']}'") == 0
    assert http.get(f"/api/walkthroughs/{walk['id']}").json()["track"] is None
