"""Field teams log observations through the API; planners moderate; the public reads."""

from __future__ import annotations

import uuid

import pytest

from tests.capture_fixtures import INSIDE, Team, observation_body
from tests.conftest import count


def test_field_team_retry_does_not_duplicate_observation(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    body = observation_body()
    first = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert first.status_code == 201, first.text
    again = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] == body["id"]
    assert count(engine, "observation", f"id = '{body['id']}'") == 1
    stored = first.json()
    assert stored["quarter"] == team.quarter
    assert stored["geometry"]["coordinates"] == pytest.approx(list(INSIDE))
    assert stored["status"] == "review" and stored["version"] == 1
    assert stored["author"].startswith("field-")


def test_concurrent_edit_gets_409_with_current_version(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    body = observation_body()
    created = http.post("/api/observations", json=body, headers=Team.auth(team.field)).json()
    url = f"/api/observations/{created['id']}"
    ok = http.patch(url, json={"title": "Neu"}, headers={**Team.auth(team.field),
                                                        "If-Match": '"1"'})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["title"] == "Neu"
    stale = http.patch(url, json={"title": "Alt", "version": 1}, headers=Team.auth(team.planner))
    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict"
    assert stale.json()["current"]["version"] == 2 and stale.json()["current"]["title"] == "Neu"
    missing = http.patch(url, json={"title": "x"}, headers=Team.auth(team.field))
    assert missing.status_code == 400 and missing.json()["code"] == "version_required"


def test_field_account_cannot_edit_anothers_entry(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    created = http.post("/api/observations", json=observation_body(),
                        headers=Team.auth(team.field)).json()  # fmt: skip
    url = f"/api/observations/{created['id']}"
    other = http.patch(url, json={"title": "fremd", "version": 1}, headers=Team.auth(team.field2))
    assert other.status_code == 404  # unpublished entries of others are invisible
    http.post(f"{url}/moderation", json={"status": "published"}, headers=Team.auth(team.planner))
    other = http.patch(url, json={"title": "fremd", "version": 2}, headers=Team.auth(team.field2))
    assert other.status_code == 403 and other.json()["code"] == "not_own_entry"
    assert http.get(url).json()["title"] == "Gehweg zugeparkt"


def test_moderation_is_recorded_and_public_sees_only_published(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    created = http.post("/api/observations", json=observation_body(title="Moderationstest"),
                        headers=Team.auth(team.field)).json()  # fmt: skip
    url = f"/api/observations/{created['id']}"
    assert http.get(url).status_code == 404
    listed = http.get("/api/observations", params={"quarter": team.quarter}).json()
    assert created["id"] not in {item["id"] for item in listed["items"]}
    self_publish = http.post(f"{url}/moderation", json={"status": "published"},
                             headers=Team.auth(team.field))  # fmt: skip
    assert self_publish.status_code == 409
    done = http.post(f"{url}/moderation", json={"status": "published", "note": "geprüft"},
                     headers=Team.auth(team.planner))  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "published"
    public = http.get(url)
    assert public.status_code == 200 and public.json()["title"] == "Moderationstest"
    history = http.get(f"{url}/moderation", headers=Team.auth(team.planner)).json()
    assert [(h["from_status"], h["to_status"], h["note"]) for h in history] == [
        ("review", "published", "geprüft")
    ]
    assert history[0]["account"].startswith("planner-")
    edited = http.patch(url, json={"title": "geändert", "version": done.json()["version"]},
                        headers=Team.auth(team.field))  # fmt: skip
    # an edited public entry is reviewed again, while the published version stays public
    assert edited.json()["status"] == "published" and edited.json()["title"] == "Moderationstest"
    assert edited.json()["pending"]["state"] == "review"
    assert edited.json()["pending"]["changes"] == {"title": "geändert"}
    assert http.get(url).json()["title"] == "Moderationstest"
    assert http.get(url).json()["pending"] is None


def test_list_filters_by_kind_bbox_and_pages(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    walk = http.post("/api/walkthroughs", headers=Team.auth(team.field), json={
        "quarter": team.quarter, "title": "Listentest", "started_at": "2026-04-01T10:00:00+02:00",
    }).json()  # fmt: skip
    for n in range(5):
        http.post("/api/observations", headers=Team.auth(team.field), json=observation_body(
            kind="idea" if n % 2 else "strength", rating=1, walkthrough_id=walk["id"],
            geometry={"type": "Point", "coordinates": [8.681 + n * 0.002, 50.111]},
        ))  # fmt: skip
    auth = Team.auth(team.planner)
    everything = http.get("/api/observations", params={"walkthrough": walk["id"]}, headers=auth)
    assert everything.json()["total"] == 5
    ideas = http.get("/api/observations", headers=auth,
                     params={"walkthrough": walk["id"], "kind": "idea"}).json()  # fmt: skip
    assert ideas["total"] == 2 and {i["kind"] for i in ideas["items"]} == {"idea"}
    boxed = http.get("/api/observations", headers=auth, params={
        "walkthrough": walk["id"], "bbox": "8.680,50.110,8.6835,50.112"}).json()  # fmt: skip
    assert boxed["total"] == 2
    page = http.get("/api/observations", headers=auth,
                    params={"walkthrough": walk["id"], "limit": 2, "offset": 4}).json()  # fmt: skip
    assert len(page["items"]) == 1 and page["total"] == 5
    assert http.get(f"/api/walkthroughs/{walk['id']}", headers=auth).json()["observations"] == 5


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [8.681, 50.111],
                            [8.683, 50.113],
                            [8.683, 50.111],
                            [8.681, 50.113],
                            [8.681, 50.111],
                        ]
                    ],
                }
            },
            400,
            "geometry_invalid",
        ),
        ({"geometry": {"type": "Point", "coordinates": [200, 50.1]}}, 400, "outside_world"),
        ({"geometry": {"type": "Point", "coordinates": [50.1145, 8.687]}}, 400, "outside_quarter"),
        ({"geometry": {"type": "Point", "coordinates": []}}, 400, "invalid_input"),
        ({"layer": "gibt-es-nicht"}, 400, "unknown_layer"),
        (
            {
                "layer": "wohnen",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[8.681, 50.111], [8.682, 50.112]],
                },
            },
            400,
            "geometry_type_not_allowed",
        ),
        ({"rating": 9}, 400, "invalid_input"),
        ({"observed_at": "2099-01-01T00:00:00+00:00"}, 400, "future_date"),
        ({"crs": "EPSG:999999"}, 400, "unknown_crs"),
        ({"title": "x" * 201}, 400, "invalid_input"),
        ({"title": "'; DROP TABLE observation; --", "description": '" OR 1=1 --'}, 201, None),
    ],
    ids=[
        "self-intersecting",
        "outside world",
        "swapped lat/lon",
        "empty coordinates",
        "unknown layer",
        "type not allowed",
        "rating 9",
        "future date",
        "unknown crs",
        "title too long",
        "sql meta characters",
    ],
)
def test_bad_observations_are_refused_and_nothing_is_written(  # type: ignore[no-untyped-def]
    http, team: Team, engine, change, status, code
) -> None:
    before = count(engine, "observation")
    body = observation_body(**change)
    response = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert response.status_code == status, response.text
    if code is None:
        assert response.json()["title"] == body["title"]
        assert count(engine, "observation") == before + 1
        return
    assert response.json()["code"] == code
    assert response.json()["message_de"] and response.json()["message_en"]
    assert count(engine, "observation") == before


def test_outside_quarter_message_names_nearest_quarter(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    body = observation_body(geometry={"type": "Point", "coordinates": [8.70, 50.1145]})
    response = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert response.status_code == 400
    assert "Testquartier" in response.json()["message_de"]


def test_self_intersecting_polygon_is_repaired_only_on_request(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    bowtie = {"type": "Polygon", "coordinates": [[[8.681, 50.111], [8.683, 50.113],
              [8.683, 50.111], [8.681, 50.113], [8.681, 50.111]]]}  # fmt: skip
    body = observation_body(layer="gruen-freiraum", geometry=bowtie, repair=True)
    response = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert response.status_code == 201, response.text
    assert response.json()["geometry"]["type"] == "MultiPolygon"


def test_utm_coordinates_are_transformed(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    from pyproj import Transformer

    east, north = Transformer.from_crs(4326, 25832, always_xy=True).transform(*INSIDE)
    body = observation_body(crs="EPSG:25832",
                            geometry={"type": "Point", "coordinates": [east, north]})  # fmt: skip
    response = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert response.status_code == 201, response.text
    assert response.json()["geometry"]["coordinates"] == pytest.approx(list(INSIDE), abs=1e-6)


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer karte_falsch", "token_invalid"),
        ("Basic abc", "token_malformed"),
        ("Bearer", "token_malformed"),
    ],
)
def test_wrong_tokens_are_refused(http, header: str, code: str) -> None:  # type: ignore[no-untyped-def]
    response = http.post("/api/observations", json=observation_body(),
                         headers={"Authorization": header})  # fmt: skip
    assert response.status_code == 401 and response.json()["code"] == code


def test_expired_and_revoked_tokens_are_refused(http, engine, team: Team) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from mapservice.access import create_token, hash_token, revoke_token

    with engine.begin() as conn:
        name = conn.execute(text("SELECT a.name FROM account a JOIN token t ON t.account_id = "
                                 "a.id WHERE t.token_hash = :h"),
                            {"h": hash_token(team.field)}).scalar_one()  # fmt: skip
        expired = create_token(conn, name, days=1)
        conn.execute(text("UPDATE token SET expires_at = now() - interval '1 hour' "
                          "WHERE token_hash = :h"), {"h": hash_token(expired)})  # fmt: skip
        revoked = create_token(conn, name)
        assert revoke_token(conn, revoked)
    for token, code in ((expired, "token_expired"), (revoked, "token_revoked")):
        response = http.post("/api/observations", json=observation_body(),
                             headers=Team.auth(token))  # fmt: skip
        assert response.status_code == 401 and response.json()["code"] == code


def test_public_cannot_create(http) -> None:  # type: ignore[no-untyped-def]
    response = http.post("/api/observations", json=observation_body())
    assert response.status_code == 401 and response.json()["code"] == "token_required"


def test_malformed_json_is_400(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    response = http.post(
        "/api/observations",
        content=b"{nicht json",
        headers={**Team.auth(team.field), "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"


def test_unknown_observation_is_404(http) -> None:  # type: ignore[no-untyped-def]
    response = http.get(f"/api/observations/{uuid.uuid4()}")
    assert response.status_code == 404 and "nicht gefunden" in response.json()["message_de"]
