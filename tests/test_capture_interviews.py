"""Interviews and findings: contact data apart, erasure, placement, public privacy."""

from __future__ import annotations

import csv
import io
import json
import uuid

from sqlalchemy import text

from mapservice.capture.findings import republish
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
    """Teststraße 12a and twelve neighbours (7 m apart): enough homes for k = 5."""
    with engine.begin() as conn:
        quarter_id = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"),
                                  {"s": team.quarter}).scalar_one()  # fmt: skip
        if conn.execute(text("SELECT 1 FROM gazetteer_entry WHERE quarter_id = :q AND "
                             "source = 'test-interviews'"), {"q": quarter_id}).first():  # fmt: skip
            return
        conn.execute(text(
            "INSERT INTO gazetteer_entry (quarter_id, kind, name, street, housenumber, geom, "
            "source) VALUES (:q, 'address', 'Teststraße 12a', 'Teststraße', '12a', "
            "ST_SetSRID(ST_MakePoint(8.68512, 50.11234), 4326), 'test-interviews'), "
            "(:q, 'street', 'Teststraße', NULL, NULL, ST_GeomFromText("
            "'LINESTRING(8.681 50.1123, 8.690 50.1123)', 4326), 'test-interviews') "
            "ON CONFLICT DO NOTHING"), {"q": quarter_id})  # fmt: skip
        for n in range(2, 26, 2):
            conn.execute(text(
                "INSERT INTO gazetteer_entry (quarter_id, kind, name, street, housenumber, "
                "geom, source) VALUES (:q, 'address', :name, 'Teststraße', :hn, "
                "ST_SetSRID(ST_MakePoint(:x, 50.11234), 4326), 'test-interviews')"),
                {"q": quarter_id, "name": f"Teststraße {n}", "hn": str(n),
                 "x": 8.6846 + n * 0.00005})  # fmt: skip


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
        "statement": "Bei mir vor der Tür, Teststraße 12a, wird ständig Müll abgeladen.",
        "layers": ["umwelt"], "kind": "problem", "place_text": "Teststr. 12a"})  # fmt: skip
    assert created.status_code == 201, created.text
    finding = created.json()
    assert finding["georef_method"] == "address"
    assert finding["geometry"]["coordinates"] == [8.68512, 50.11234]
    url = f"/api/findings/{finding['id']}"
    assert http.get(url).status_code == 404, "a finding under review is not public"
    http.post(f"{url}/moderation", json={"status": "published"}, headers=Team.auth(team.planner))
    public = http.get(url).json()
    assert public["place_text"] == "", "the home address is not shown to the public"
    assert public["statement"] == (
        "Bei mir vor der Tür, Teststraße [Hausnummer entfernt], wird ständig Müll abgeladen."
    )
    assert "interview_id" not in public, "the interview links one person's statements"
    with engine.connect() as conn:
        metres = conn.execute(text(
            "SELECT ST_Distance(ST_GeomFromGeoJSON(:g)::geography, "
            "ST_SetSRID(ST_MakePoint(8.68512, 50.11234), 4326)::geography)"),
            {"g": json.dumps(public["geometry"])}).scalar_one()  # fmt: skip
    assert 50 <= metres <= 500, metres
    planner = http.get(url, headers=Team.auth(team.planner)).json()
    assert planner["interview_id"] == interview["id"] and "12a" in planner["statement"]
    listed = http.get("/api/findings", params={"quarter": team.quarter}).json()
    assert finding["id"] in {f["id"] for f in listed}
    assert all(f["status"] == "published" and "interview_id" not in f for f in listed)
    assert "Mustermann" not in json.dumps(listed) and "12a" not in json.dumps(listed)


def test_erasure_removes_the_place_of_the_person_and_is_audited(http, team: Team, engine) -> None:  # type: ignore[no-untyped-def]
    _gazetteer(engine, team)
    interview = _interview(http, team, full_name="Hans Haldenmann")
    url = f"/api/interviews/{interview['id']}"
    made = [
        http.post(f"{url}/findings", headers=Team.auth(team.field), json=body).json()
        for body in (
            {"statement": "Bei mir vor der Tür, Teststraße 12a, ist es nachts laut.",
             "layers": ["umwelt"], "kind": "problem", "place_text": "Teststraße 12a",
             "status": "review"},
            {"statement": "Im ganzen Viertel fehlen Bänke.", "layers": ["gemeinwesen"],
             "kind": "idea", "place_text": "im ganzen Viertel"},
        )
    ]  # fmt: skip
    home, other = made
    assert home["geometry"]["coordinates"] == [8.68512, 50.11234]
    with engine.connect() as conn:
        public_before = conn.execute(
            text("SELECT ST_AsText(public_geom) FROM finding WHERE id = :id"), {"id": home["id"]}
        ).scalar_one()
    assert http.delete(url, headers=Team.auth(team.planner)).status_code == 204
    after = http.get(f"/api/findings/{home['id']}", headers=Team.auth(team.planner)).json()
    assert after["statement"] == (
        "Bei mir vor der Tür, Teststraße [Hausnummer entfernt], ist es nachts laut."
    )
    assert after["place_text"] == "Teststraße [Hausnummer entfernt]"
    with engine.connect() as conn:
        geom, public = conn.execute(text("SELECT ST_AsText(geom), ST_AsText(public_geom) "
                                         "FROM finding WHERE id = :id"),
                                    {"id": home["id"]}).one()  # fmt: skip
        audit = conn.execute(
            text("SELECT account_name, changes, at FROM erasure_event WHERE interview_id = :id"),
            {"id": interview["id"]},
        ).one()
    assert geom == public == public_before, "the exact home position is gone"
    with engine.begin() as conn:  # generalising again (migration, new gazetteer) keeps it
        republish(conn, quarter_id=conn.execute(
            text("SELECT quarter_id FROM finding WHERE id = :id"), {"id": home["id"]}
        ).scalar_one())  # fmt: skip
        again = conn.execute(text("SELECT ST_AsText(public_geom) FROM finding WHERE id = :id"),
                             {"id": home["id"]}).scalar_one()  # fmt: skip
    assert again == public_before
    assert audit.account_name.startswith("planner-") and audit.at is not None
    assert audit.changes["contact"] is True
    assert audit.changes["findings"] == [
        {"id": home["id"], "fields": ["statement", "place_text", "geom"], "house_numbers": 2}
    ]
    assert "12a" not in json.dumps(audit.changes) and "Haldenmann" not in json.dumps(audit.changes)
    kept = http.get(f"/api/findings/{other['id']}", headers=Team.auth(team.planner)).json()
    assert kept["statement"] == "Im ganzen Viertel fehlen Bänke."
    export = http.get(f"/api/exports/{team.quarter}/aussagen.csv", headers=Team.auth(team.planner))
    assert export.status_code == 200
    (row,) = [r for r in csv.DictReader(io.StringIO(export.text.lstrip("\ufeff")))
              if r["id"] == home["id"]]  # fmt: skip
    assert row["statement"] == after["statement"] and row["place_text"] == after["place_text"]
    assert "8.68512" not in row["wkt"] and "12a" not in json.dumps(row)
    log = http.get(f"{url}/erasures", headers=Team.auth(team.planner))
    assert log.status_code == 200 and log.json()[0]["by"] == audit.account_name
    assert http.get(f"{url}/erasures", headers=Team.auth(team.field)).status_code == 403
    missing = http.get(f"/api/interviews/{uuid.uuid4()}/erasures", headers=Team.auth(team.planner))
    assert missing.status_code == 404 and missing.json()["message_en"]


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
