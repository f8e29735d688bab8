"""Bad input that used to end in a 500 or be stored: each is now a clear 400, nothing written.

Issue 12, part 2. Every case checks the status, both languages of the error body and the row
counts (or the row itself) in the real database afterwards.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.capture_fixtures import Team, observation_body
from tests.conftest import count


def assert_refused(response, code: str | None = None, status: int = 400) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message_de"] and body["message_en"] and body["message_de"] != body["message_en"]
    if code is not None:
        assert body["code"] == code, body
    return body


def _observation(http, team: Team, **overrides: object) -> dict:  # type: ignore[no-untyped-def]
    response = http.post(
        "/api/observations", json=observation_body(**overrides), headers=Team.auth(team.field)
    )
    assert response.status_code == 201, response.text
    return response.json()


def _walk(http, team: Team, **overrides: object) -> dict:  # type: ignore[no-untyped-def]
    body = {"quarter": team.quarter, "title": "Begehung", "started_at": "2026-04-12T10:00:00Z"}
    body.update(overrides)
    response = http.post("/api/walkthroughs", json=body, headers=Team.auth(team.field))
    assert response.status_code == 201, response.text
    return response.json()


# -- NUL characters --------------------------------------------------------------------------
NUL_URLS = [
    "/api/walkthroughs?quarter=a%00",
    "/api/observations?quarter=a%00",
    "/api/observations?layer=a%00",
    "/api/interviews?quarter=a%00",
    "/api/findings?quarter=a%00",
    "/api/quarters/a%00b",
    "/api/quarters/a%00/summary",
    "/maps/a%00",
    "/embed/a%00",
    "/ogc/collections/mobilitaet/items?q=%00",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_in_url_is_refused(http, team: Team, url: str) -> None:  # type: ignore[no-untyped-def]
    body = assert_refused(http.get(url, headers=Team.auth(team.planner)), "nul_character")
    assert "NUL" in body["message_de"] and "NUL" in body["message_en"]


@pytest.mark.parametrize("field", ["title", "description", "layer", "quarter"])
def test_nul_in_json_text_field_is_refused(http, team: Team, engine, field: str) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "observation")
    body = observation_body(**{field: "Geh\u0000weg"})
    response = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert_refused(response, "nul_character")
    assert count(engine, "observation") == before


def test_nul_in_nested_json_and_in_patch_is_refused(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    obs = _observation(http, team)
    response = http.patch(
        f"/api/observations/{obs['id']}",
        json={"version": 1, "description": "x\u0000"},
        headers=Team.auth(team.field),
    )
    assert_refused(response, "nul_character")
    stored = http.get(f"/api/observations/{obs['id']}", headers=Team.auth(team.field)).json()
    assert stored["version"] == 1 and stored["description"] == obs["description"]
    before = count(engine, "interview")
    response = http.post(
        "/api/interviews",
        json={"quarter": team.quarter, "held_on": "2026-03-01", "participant_group": "residents",
              "pseudonym": "P", "contact": {"full_name": "A\u0000B"}},
        headers=Team.auth(team.field),
    )  # fmt: skip
    assert_refused(response, "nul_character")
    assert count(engine, "interview") == before


def test_escaped_backslash_u0000_is_plain_text(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    """``"\\\\u0000"`` in JSON is a backslash followed by u0000, not a NUL: it is stored."""
    obs = _observation(http, team, title="Pfad C:\\u0000")
    assert obs["title"] == "Pfad C:\\u0000"


# -- texts, nulls, versions ------------------------------------------------------------------
@pytest.mark.parametrize("title", ["   ", "\t\n", ""])
def test_blank_title_is_refused(http, team: Team, engine, title: str) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "observation")
    response = http.post(
        "/api/observations", json=observation_body(title=title), headers=Team.auth(team.field)
    )
    body = assert_refused(response, "invalid_input")
    assert "body.title" in body["message_de"]
    assert count(engine, "observation") == before
    response = http.post(
        "/api/walkthroughs",
        json={"quarter": team.quarter, "title": title, "started_at": "2026-04-12T10:00:00Z"},
        headers=Team.auth(team.field),
    )
    assert_refused(response, "invalid_input")


@pytest.mark.parametrize("field", ["title", "kind", "description", "layer", "geometry"])
def test_null_in_patch_is_refused_and_the_row_kept(http, team: Team, field: str) -> None:  # type: ignore[no-untyped-def]
    obs = _observation(http, team)
    response = http.patch(
        f"/api/observations/{obs['id']}", json={"version": 1, field: None},
        headers=Team.auth(team.field),
    )  # fmt: skip
    body = assert_refused(response, "invalid_input")
    assert field in body["details"][0]["problem"]
    stored = http.get(f"/api/observations/{obs['id']}", headers=Team.auth(team.field)).json()
    assert stored["version"] == 1 and stored["title"] == obs["title"]
    assert stored["kind"] == "problem"


def test_null_clears_a_nullable_field(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    obs = _observation(http, team)
    response = http.patch(
        f"/api/observations/{obs['id']}", json={"version": 1, "rating": None},
        headers=Team.auth(team.field),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["rating"] is None and response.json()["version"] == 2


def test_null_title_in_walkthrough_patch_is_refused(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    for field in ("title", "started_at", "residents", "team"):
        response = http.patch(
            f"/api/walkthroughs/{walk['id']}", json={field: None}, headers=Team.auth(team.field)
        )
        assert_refused(response, "invalid_input")
    response = http.patch(
        f"/api/walkthroughs/{walk['id']}", json={"ended_at": None}, headers=Team.auth(team.field)
    )
    assert response.status_code == 200 and response.json()["title"] == "Begehung"


@pytest.mark.parametrize("value", ["9" * 5000, '"' + "1" * 11 + '"', "١٢".encode()])
def test_absurd_if_match_is_refused(http, team: Team, value: str | bytes) -> None:  # type: ignore[no-untyped-def]
    obs = _observation(http, team)
    response = http.patch(
        f"/api/observations/{obs['id']}", json={"title": "Neu"},
        headers={**Team.auth(team.field), "If-Match": value},
    )  # fmt: skip
    assert_refused(response, "invalid_if_match")
    stored = http.get(f"/api/observations/{obs['id']}", headers=Team.auth(team.field)).json()
    assert stored["title"] == obs["title"] and stored["version"] == 1


# -- geometry and numbers --------------------------------------------------------------------
def test_one_point_track_is_refused(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    walk = _walk(http, team)
    for line in (
        {"type": "LineString", "coordinates": [[8.687, 50.1145]]},
        {"type": "MultiLineString", "coordinates": [[[8.687, 50.1145]]]},
        {"type": "LineString", "coordinates": [["8.687", "50.1145"], [8.688, 50.115]]},
    ):
        response = http.put(
            f"/api/walkthroughs/{walk['id']}/track", json=line, headers=Team.auth(team.field)
        )
        assert_refused(response, "geometry_malformed")
    stored = http.get(f"/api/walkthroughs/{walk['id']}", headers=Team.auth(team.field)).json()
    assert stored["track"] is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/findings?offset=9223372036854775808",
        "/api/findings?offset=10000001",
        "/api/findings?limit=9223372036854775808",
        "/api/observations?offset=9223372036854775808",
    ],
)
def test_huge_offsets_are_refused(http, team: Team, url: str) -> None:  # type: ignore[no-untyped-def]
    body = assert_refused(http.get(url, headers=Team.auth(team.planner)), "invalid_input")
    assert body["details"][0]["where"].startswith("query.")


@pytest.mark.parametrize(
    "overrides",
    [
        {"rating": True},
        {"rating": "1"},
        {"rating": 1.5},
        {"accuracy_m": "5"},
        {"repair": "yes"},
        {"geometry": {"type": "Point", "coordinates": ["8.687", "50.1145"]}},
        {"geometry": {"type": "Point", "coordinates": [True, 50.1145]}},
    ],
)
def test_wrong_json_types_are_refused(http, team: Team, engine, overrides: dict) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "observation")
    response = http.post(
        "/api/observations", json=observation_body(**overrides), headers=Team.auth(team.field)
    )
    assert_refused(response, "invalid_input")
    assert count(engine, "observation") == before


def test_walkthrough_counts_must_be_numbers(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "walkthrough")
    response = http.post(
        "/api/walkthroughs",
        json={"quarter": team.quarter, "title": "B", "started_at": "2026-04-12T10:00:00Z",
              "residents": "7"},
        headers=Team.auth(team.field),
    )  # fmt: skip
    assert_refused(response, "invalid_input")
    assert count(engine, "walkthrough") == before


# -- dates -----------------------------------------------------------------------------------
def test_dates_far_in_the_future_are_refused(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    walks, interviews = count(engine, "walkthrough"), count(engine, "interview")
    response = http.post(
        "/api/walkthroughs",
        json={"quarter": team.quarter, "title": "B", "started_at": "2999-04-12T10:00:00Z"},
        headers=Team.auth(team.field),
    )
    body = assert_refused(response, "future_date")
    assert "Zukunft" in body["message_de"] and "future" in body["message_en"]
    response = http.post(
        "/api/interviews",
        json={"quarter": team.quarter, "held_on": "2999-03-01", "participant_group": "residents",
              "pseudonym": "P"},
        headers=Team.auth(team.field),
    )  # fmt: skip
    assert_refused(response, "future_date")
    assert (count(engine, "walkthrough"), count(engine, "interview")) == (walks, interviews)
    walk = _walk(http, team)
    response = http.patch(
        f"/api/walkthroughs/{walk['id']}", json={"ended_at": "2999-01-01T00:00:00Z"},
        headers=Team.auth(team.field),
    )  # fmt: skip
    assert_refused(response, "future_date")
    assert http.get(f"/api/walkthroughs/{walk['id']}").json()["ended_at"] is None


def test_a_few_hours_ahead_is_accepted(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    walk = _walk(http, team, started_at=soon, id=str(uuid.uuid4()))
    assert walk["started_at"][:13] == soon[:13]


# -- the same id sent again ------------------------------------------------------------------
def test_same_id_same_body_is_a_retry_different_body_a_conflict(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    body = observation_body(title="Erste Fassung")
    first = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert first.status_code == 201
    again = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert again.status_code == 200 and again.json()["title"] == "Erste Fassung"
    before = count(engine, "observation")
    changed = {**body, "title": "Zweite Fassung", "rating": 2}
    response = http.post("/api/observations", json=changed, headers=Team.auth(team.field))
    conflict = assert_refused(response, "version_conflict", status=409)
    assert conflict["current"]["title"] == "Erste Fassung" and conflict["current"]["version"] == 1
    assert conflict["sent"]["title"] == "Zweite Fassung" and conflict["sent"]["rating"] == 2
    assert "title" in conflict["message_en"] and "rating" in conflict["message_de"]
    assert count(engine, "observation") == before
    stored = http.get(f"/api/observations/{body['id']}", headers=Team.auth(team.field)).json()
    assert stored["title"] == "Erste Fassung" and stored["rating"] == -1
    moved = {**body, "geometry": {"type": "Point", "coordinates": [8.688, 50.115]}}
    response = http.post("/api/observations", json=moved, headers=Team.auth(team.field))
    assert assert_refused(response, "version_conflict", status=409)["sent"]["geometry"]


def test_retry_after_moderation_is_still_a_retry(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    body = observation_body()
    assert (
        http.post("/api/observations", json=body, headers=Team.auth(team.field)).status_code == 201
    )
    done = http.post(f"/api/observations/{body['id']}/moderation", json={"status": "published"},
                     headers=Team.auth(team.planner))  # fmt: skip
    assert done.status_code == 200
    again = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert again.status_code == 200 and again.json()["status"] == "published"


def test_reused_ids_of_walkthroughs_interviews_findings(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    walk = {"id": str(uuid.uuid4()), "quarter": team.quarter, "title": "Runde 1",
            "started_at": "2026-04-12T10:00:00+02:00", "residents": 3}  # fmt: skip
    auth = Team.auth(team.field)
    assert http.post("/api/walkthroughs", json=walk, headers=auth).status_code == 201
    assert http.post("/api/walkthroughs", json=walk, headers=auth).status_code == 200
    response = http.post("/api/walkthroughs", json={**walk, "residents": 4}, headers=auth)
    conflict = assert_refused(response, "version_conflict", status=409)
    assert (conflict["current"]["residents"], conflict["sent"]["residents"]) == (3, 4)
    interview = {"id": str(uuid.uuid4()), "quarter": team.quarter, "held_on": "2026-03-01",
                 "participant_group": "residents", "pseudonym": "R-1"}  # fmt: skip
    assert http.post("/api/interviews", json=interview, headers=auth).status_code == 201
    assert http.post("/api/interviews", json=interview, headers=auth).status_code == 200
    response = http.post("/api/interviews", json={**interview, "pseudonym": "R-2"}, headers=auth)
    conflict = assert_refused(response, "version_conflict", status=409)
    assert (conflict["current"]["pseudonym"], conflict["sent"]["pseudonym"]) == ("R-1", "R-2")
    finding = {"id": str(uuid.uuid4()), "statement": "Zu dunkel.", "layers": ["mobilitaet"],
               "kind": "problem"}  # fmt: skip
    url = f"/api/interviews/{interview['id']}/findings"
    assert http.post(url, json=finding, headers=auth).status_code == 201
    assert http.post(url, json=finding, headers=auth).status_code == 200
    before = count(engine, "finding")
    response = http.post(url, json={**finding, "statement": "Zu hell."}, headers=auth)
    conflict = assert_refused(response, "version_conflict", status=409)
    assert conflict["current"]["statement"] == "Zu dunkel." and conflict["sent"]["statement"]
    assert count(engine, "finding") == before


# -- NUL characters inside imported files ----------------------------------------------------
def _import(http, team: Team, name: str, content: bytes):  # type: ignore[no-untyped-def]
    return http.post(
        "/api/imports", files={"file": (name, content, "application/octet-stream")},
        data={"quarter": team.quarter}, headers=Team.auth(team.planner),
    )  # fmt: skip


def test_nul_inside_imported_files_is_refused(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    observations, findings = count(engine, "observation"), count(engine, "finding")
    interviews = count(engine, "interview")
    lon, lat = observation_body()["geometry"]["coordinates"]  # type: ignore[index]
    props = {"layer": "mobilitaet", "kind": "idea", "title": "a\u0000b"}
    point = {"type": "Point", "coordinates": [lon, lat]}
    feature = {"type": "Feature", "geometry": point, "properties": props}
    geojson = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    body = assert_refused(_import(http, team, "nul.geojson", geojson), "nul_character")
    assert "title" in body["message_de"]
    table = f"lat;lon;title;kind;layer\r\n{lat};{lon};a\x00b;idea;mobilitaet\r\n".encode()
    assert_refused(_import(http, team, "nul.csv", table), "nul_character")
    statements = (
        b"pseudonym,gruppe,datum,aussage,ebene,art,ort\r\n"
        b"N-1,Bewohner*innen,2026-03-01,Zu\x00dunkel,mobilitaet,Problem,\r\n"
    )
    response = _import(http, team, "aussagen.csv", statements)
    assert response.status_code == 400, response.text
    assert "NUL" in json.dumps(response.json())
    pseudonym = (
        b"pseudonym,gruppe,datum,aussage,ebene,art,ort\r\n"
        b"N\x00-1,Bewohner*innen,2026-03-01,Zu dunkel,mobilitaet,Problem,\r\n"
    )
    assert_refused(_import(http, team, "aussagen.csv", pseudonym), "nul_character")
    assert count(engine, "observation") == observations
    assert (count(engine, "finding"), count(engine, "interview")) == (findings, interviews)


def test_cli_import_with_a_nul_is_a_message(
    database_url: str, team: Team, engine, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from tests.test_trust_quarters import _karte_process

    lon, lat = observation_body()["geometry"]["coordinates"]  # type: ignore[index]
    path = tmp_path / "nul.csv"
    path.write_bytes(f"lat;lon;title;kind;layer\r\n{lat};{lon};a\x00b;idea;mobilitaet\r\n".encode())
    before = count(engine, "observation")
    result = _karte_process(database_url, "import", str(path), "--quarter", team.quarter)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    assert "NUL" in output and "nichts wurde gespeichert" in output
    assert count(engine, "observation") == before
