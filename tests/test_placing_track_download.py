"""``GET /api/walkthroughs/{id}/track``: the tracks as GeoJSON (default) or GPX, with the
rights of the walkthrough — recordings for planners and the team that walked it, the map's
track for everyone else, and nothing when the walkthrough layer is not public."""

from __future__ import annotations

import shutil
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import gpxpy
import httpx
import pytest

from mapservice.config import Settings
from tests.capture_fixtures import Team
from tests.conftest import LiveServer

NORTH = [[8.681, 50.116], [8.690, 50.116]]
SOUTH = [[8.681, 50.112], [8.686, 50.112], [8.690, 50.113]]
GPX_NS = "{http://www.topografix.com/GPX/1/1}"


@pytest.fixture(scope="module")
def walk(http_module: httpx.Client, team: Team) -> str:
    body = {"quarter": team.quarter, "title": "Begehung zum Herunterladen",
            "started_at": "2026-04-12T10:00:00+02:00"}  # fmt: skip
    created = http_module.post("/api/walkthroughs", headers=Team.auth(team.field), json=body)
    assert created.status_code == 201, created.text
    wid = created.json()["id"]
    for recording, coords in (("handy-a", NORTH), ("handy-b", SOUTH)):
        put = http_module.put(
            f"/api/walkthroughs/{wid}/track", params={"recording": recording},
            json={"type": "LineString", "coordinates": coords}, headers=Team.auth(team.field),
        )  # fmt: skip
        assert put.status_code == 200, put.text
    return str(wid)


@pytest.fixture(scope="module")
def http_module(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


def test_owner_and_planner_get_every_recording_as_geojson(
    http_module: httpx.Client, team: Team, walk: str
) -> None:
    for token in (team.field, team.planner):
        r = http_module.get(f"/api/walkthroughs/{walk}/track", headers=Team.auth(token))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        assert f"begehung-{walk}.geojson" in r.headers["content-disposition"]
        features = r.json()["features"]
        assert [f["properties"]["recording"] for f in features] == ["handy-a", "handy-b"]
        assert [f["geometry"]["coordinates"] for f in features] == [NORTH, SOUTH]
        assert features[0]["properties"]["title"] == "Begehung zum Herunterladen"
        assert features[0]["properties"]["points"] == 2
        assert 630 < features[0]["properties"]["length_m"] < 660  # ≈ 643 m


def test_gpx_by_query_and_by_accept_header(
    http_module: httpx.Client, team: Team, walk: str
) -> None:
    url = f"/api/walkthroughs/{walk}/track"
    by_query = http_module.get(url, params={"format": "gpx"}, headers=Team.auth(team.planner))
    by_accept = http_module.get(
        url, headers={**Team.auth(team.planner), "Accept": "application/gpx+xml"}
    )
    for r in (by_query, by_accept):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/gpx+xml")
        assert f"begehung-{walk}.gpx" in r.headers["content-disposition"]
        root = ET.fromstring(r.content)
        assert root.tag == f"{GPX_NS}gpx" and root.get("version") == "1.1"
        gpx = gpxpy.parse(r.text)
        assert [len(t.segments[0].points) for t in gpx.tracks] == [2, 3]
        first = gpx.tracks[0].segments[0].points[0]
        assert (first.longitude, first.latitude) == (8.681, 50.116)
        assert gpx.tracks[0].name == "Begehung zum Herunterladen"
    assert by_query.content == by_accept.content
    # The GPX goes back in through the upload that already exists.
    again = http_module.put(
        url, params={"recording": "aus-gpx"}, headers=Team.auth(team.field),
        files={"file": ("back.gpx", by_query.content, "application/gpx+xml")},
    )  # fmt: skip
    assert again.status_code == 200, again.text
    assert again.json()["recordings"] == 3


def test_public_and_other_teams_get_the_map_track_without_recording_ids(
    http_module: httpx.Client, team: Team, walk: str
) -> None:
    url = f"/api/walkthroughs/{walk}/track"
    for headers in ({}, Team.auth(team.field2)):
        r = http_module.get(url, headers=headers)
        assert r.status_code == 200, r.text
        features = r.json()["features"]
        assert {f["properties"]["recording"] for f in features} == {None}
        coords = [f["geometry"]["coordinates"] for f in features]
        assert NORTH in coords and SOUTH in coords
        assert "handy-a" not in r.text and "field-" not in r.text
        gpx = http_module.get(url, params={"format": "gpx"}, headers=headers)
        assert gpx.status_code == 200 and "handy-a" not in gpx.text


def test_bad_format_unknown_walk_and_walk_without_track(
    http_module: httpx.Client, team: Team, walk: str
) -> None:
    bad = http_module.get(f"/api/walkthroughs/{walk}/track", params={"format": "kml"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_format", bad.text
    assert "kml" in bad.json()["message_de"] and "kml" in bad.json()["message_en"]
    missing = http_module.get(f"/api/walkthroughs/{uuid.uuid4()}/track")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    body = {"quarter": team.quarter, "title": "Ohne Track",
            "started_at": "2026-04-12T10:00:00+02:00"}  # fmt: skip
    plain = http_module.post("/api/walkthroughs", headers=Team.auth(team.field), json=body)
    empty = http_module.get(f"/api/walkthroughs/{plain.json()['id']}/track")
    assert empty.status_code == 404 and empty.json()["code"] == "no_track", empty.text
    assert empty.json()["message_de"] != empty.json()["message_en"]


@pytest.fixture(scope="module")
def private_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a catalogue whose walkthrough layer is not public."""
    layers = tmp_path_factory.mktemp("layers-private")
    for path in Path(settings.layers_dir).glob("*.toml"):
        shutil.copy(path, layers / path.name)
    walkthroughs = layers / "begehungen.toml"
    source = walkthroughs.read_text(encoding="utf-8")
    assert "public = true" in source
    walkthroughs.write_text(source.replace("public = true", "public = false"), encoding="utf-8")
    private = settings.model_copy(update={"layers_dir": layers})
    with LiveServer(private) as server:
        yield server.url


def test_not_public_layer_keeps_tracks_from_the_public_but_not_from_the_team(
    private_server: str, team: Team, walk: str
) -> None:
    url = f"{private_server}/api/walkthroughs/{walk}/track"
    public = httpx.get(url, timeout=30)
    assert public.status_code == 404 and public.json()["code"] == "not_found", public.text
    other = httpx.get(url, headers=Team.auth(team.field2), timeout=30)
    assert other.status_code == 404
    own = httpx.get(url, headers=Team.auth(team.field), timeout=30)
    assert own.status_code == 200 and len(own.json()["features"]) >= 2
