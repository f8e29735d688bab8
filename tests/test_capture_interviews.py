"""Interviews and findings: contact data apart, erasure, placement, public privacy."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.capture_fixtures import Team
from tests.conftest import count


def _interview(http, team: Team, **contact: str) -> dict:  # type: ignore[no-untyped-def]
    body: dict = {"quarter": team.quarter, "held_on": "2026-03-13",
                  "participant_group": "residents", "pseudonym": "B-01"}  # fmt: skip
    if contact:
        body["contact"] = contact
    response = http.post("/api/interviews", json=body, headers=Team.auth(team.field))
    assert response.status_code == 201, response.text
    return response.json()


def _gazetteer(engine, team: Team) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        quarter_id = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"),
                                  {"s": team.quarter}).scalar_one()  # fmt: skip
        conn.execute(text(
            "INSERT INTO gazetteer_entry (quarter_id, kind, name, street, housenumber, geom, "
            "source) VALUES (:q, 'address', 'Teststraße 12a', 'Teststraße', '12a', "
            "ST_SetSRID(ST_MakePoint(8.68512, 50.11234), 4326), 'test-interviews'), "
            "(:q, 'street', 'Teststraße', NULL, NULL, ST_GeomFromText("
            "'LINESTRING(8.681 50.1123, 8.690 50.1123)', 4326), 'test-interviews') "
            "ON CONFLICT DO NOTHING"), {"q": quarter_id})  # fmt: skip


def test_contact_data_is_only_for_planners_and_erasable(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    interview = _interview(http, team, full_name="Erika Mustermann", email="erika@example.org")
    url = f"/api/interviews/{interview['id']}"
    assert interview["has_contact"] is True and "full_name" not in json.dumps(interview)
    assert http.get(f"{url}/contact").status_code == 401
    assert http.get(f"{url}/contact", headers=Team.auth(team.field)).status_code == 403
    contact = http.get(f"{url}/contact", headers=Team.auth(team.planner)).json()
    assert contact["full_name"] == "Erika Mustermann"
    finding = http.post(f"{url}/findings", headers=Team.auth(team.field), json={
        "statement": "Der Spielplatz ist toll.", "layers": ["gemeinwesen"], "kind": "strength",
        "place_text": "im ganzen Viertel"}).json()  # fmt: skip
    assert http.delete(url, headers=Team.auth(team.field)).status_code == 403
    assert http.delete(url, headers=Team.auth(team.planner)).status_code == 204
    assert count(engine, "interview_contact", f"interview_id = '{interview['id']}'") == 0
    after = http.get(url, headers=Team.auth(team.planner)).json()
    assert after["pseudonym"].startswith("gelöscht-") and after["has_contact"] is False
    kept = http.get(f"/api/findings/{finding['id']}", headers=Team.auth(team.planner)).json()
    assert kept["statement"] == "Der Spielplatz ist toll."


def test_finding_from_home_address_is_generalised_for_the_public(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    _gazetteer(engine, team)
    interview = _interview(http, team)
    created = http.post(f"/api/interviews/{interview['id']}/findings",
                        headers=Team.auth(team.field), json={
        "statement": "Vor meinem Haus wird ständig Müll abgeladen.", "layers": ["umwelt"],
        "kind": "problem", "place_text": "Teststr. 12a"})  # fmt: skip
    assert created.status_code == 201, created.text
    finding = created.json()
    assert finding["georef_method"] == "address"
    assert finding["geometry"]["coordinates"] == [8.68512, 50.11234]
    url = f"/api/findings/{finding['id']}"
    assert http.get(url).status_code == 404, "a finding under review is not public"
    http.post(f"{url}/moderation", json={"status": "published"}, headers=Team.auth(team.planner))
    public = http.get(url).json()
    assert public["place_text"] == "", "the home address is not shown to the public"
    lon, lat = public["geometry"]["coordinates"]
    assert (lon, lat) != (8.68512, 50.11234)
    assert abs(lon - 8.68512) < 0.0007 and abs(lat - 50.11234) < 0.0005  # within the 50 m cell
    listed = http.get("/api/findings", params={"quarter": team.quarter}).json()
    assert finding["id"] in {f["id"] for f in listed}
    assert all(f["status"] == "published" for f in listed)
    assert "Mustermann" not in json.dumps(listed)


def test_unplaceable_statement_is_flagged_for_review(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    interview = _interview(http, team)
    finding = http.post(f"/api/interviews/{interview['id']}/findings",
                        headers=Team.auth(team.field), json={
        "statement": "Irgendwo fehlt eine Bank.", "layers": ["gruen-freiraum"],
        "kind": "idea", "place_text": "weiß nicht mehr"}).json()  # fmt: skip
    assert finding["georef_method"] == "quarter" and finding["needs_review"] is True


def test_bad_findings_are_refused(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    interview = _interview(http, team)
    url = f"/api/interviews/{interview['id']}/findings"
    before = count(engine, "finding")
    for body, code in (
        ({"statement": "x", "layers": ["gibt-es-nicht"], "kind": "idea"}, "unknown_layer"),
        ({"statement": "x", "layers": ["umwelt"], "kind": "wunsch"}, "invalid_input"),
        ({"statement": "", "layers": ["umwelt"], "kind": "idea"}, "invalid_input"),
    ):
        response = http.post(url, json=body, headers=Team.auth(team.field))
        assert response.status_code == 400 and response.json()["code"] == code
    assert count(engine, "finding") == before
