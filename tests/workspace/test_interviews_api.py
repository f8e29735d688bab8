"""Interviews section, JSON API over real HTTP against the demo's Hamme gazetteer.

Place suggestions while typing (addresses, streets, crossings, places, the whole quarter),
statements saved with the planner's placement (gazetteer suggestion, map click, none),
transcripts split into statements, consent, and the erasure preview.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.capture_fixtures import Team
from tests.conftest import count

Q = "bochum-hamme"


@pytest.fixture(scope="module")
def hamme(demo_loaded: Any, engine: Engine) -> dict[str, Any]:
    """Coordinates straight from the gazetteer table, to compare the API's answers with."""
    with engine.connect() as conn:
        qid = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"), {"s": Q}).scalar_one()

        def point(name: str) -> list[float]:
            row = conn.execute(
                text(
                    "SELECT ST_X(geom), ST_Y(geom) FROM gazetteer_entry "
                    "WHERE quarter_id = :q AND name = :n ORDER BY id LIMIT 1"
                ),
                {"q": qid, "n": name},
            ).one()
            return [row[0], row[1]]

        crossing = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(ST_Intersection("
                "(SELECT ST_Union(geom) FROM gazetteer_entry WHERE quarter_id = :q "
                "AND kind = 'street' AND name = 'Gahlensche Straße'), "
                "(SELECT ST_Union(geom) FROM gazetteer_entry WHERE quarter_id = :q "
                "AND kind = 'street' AND name = 'Amtsstraße'))) AS p) s"
            ),
            {"q": qid},
        ).one()
        return {
            "id": qid,
            "address": point("Hofsteder Straße 115"),
            "office": point("Quartiersbüro Hamme"),
            "crossing": [crossing[0], crossing[1]],
        }


def suggest(http: Any, team: Team, q: str, quarter: str = Q) -> list[dict[str, Any]]:
    response = http.get(
        "/api/interviews/places/suggest",
        params={"quarter": quarter, "q": q},
        headers=Team.auth(team.planner),
    )
    assert response.status_code == 200, response.text
    return response.json()["candidates"]


def close(a: list[float], b: list[float], tol: float = 1e-6) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


def new_interview(http: Any, team: Team, **extra: Any) -> dict[str, Any]:
    body = {"quarter": Q, "held_on": "2026-03-13", "participant_group": "residents",
            "pseudonym": "H-07", **extra}  # fmt: skip
    response = http.post("/api/interviews", json=body, headers=Team.auth(team.planner))
    assert response.status_code == 201, response.text
    return response.json()


def test_address_suggestion_is_the_gazetteer_point(http, team, hamme) -> None:  # type: ignore[no-untyped-def]
    first = suggest(http, team, "Hofsteder Straße 115")[0]
    assert first["method"] == "address" and first["precision"] == "address"
    assert first["label"] == "Hofsteder Straße 115" and first["confidence"] == 1.0
    assert close(first["point"], hamme["address"])
    assert first["from_home_address"] is True


def test_crossing_suggestion_is_where_the_streets_meet(http, team, hamme) -> None:  # type: ignore[no-untyped-def]
    first = suggest(http, team, "Ecke Gahlensche Straße / Amtsstraße")[0]
    assert first["method"] == "crossing" and first["precision"] == "intersection"
    assert first["label"] == "Gahlensche Straße / Amtsstraße"
    assert close(first["point"], hamme["crossing"], 1e-5)
    assert first["precision_de"] == "Kreuzung"


def test_streets_that_do_not_cross_fall_back_to_the_first_street(http, team) -> None:  # type: ignore[no-untyped-def]
    # In the demo gazetteer Hofsteder Straße and Amtsstraße do not meet (> 250 m apart).
    candidates = suggest(http, team, "Ecke Hofsteder Straße / Amtsstraße")
    first = candidates[0]
    assert first["method"] == "street" and first["label"] == "Hofsteder Straße"
    assert first["confidence"] <= 0.5 and first["needs_review"] is True
    assert "kreuzen sich nicht" in first["explanation_de"]
    assert "do not cross" in first["explanation_en"]
    assert first["geometry"]["type"] in ("LineString", "MultiLineString")
    others = [(c["precision"], c["label"]) for c in candidates[1:]]
    assert ("street", "Amtsstraße") in others, "each of the two streets is offered"


def test_typing_half_a_name_offers_streets_and_places(http, team) -> None:  # type: ignore[no-untyped-def]
    candidates = suggest(http, team, "Hofst")
    labels = [(c["precision"], c["label"]) for c in candidates]
    assert labels[0] == ("street", "Hofsteder Straße"), labels
    assert ("place", "Haltestelle Hofsteder Straße") in labels
    assert not any(c["precision"] == "address" for c in candidates), "no number typed yet"
    assert candidates[-1]["id"] == "quarter" and candidates[-1]["precision"] == "quarter"
    with_number = suggest(http, team, "Hofsteder Straße 11")
    addresses = [c["label"] for c in with_number if c["precision"] == "address"]
    assert "Hofsteder Straße 115" in addresses
    assert all(a.startswith("Hofsteder Straße 11") for a in addresses[1:])


def test_place_name_without_quarter_name(http, team, hamme) -> None:  # type: ignore[no-untyped-def]
    first = suggest(http, team, "am Quartiersbüro")[0]
    assert (first["precision"], first["label"]) == ("place", "Quartiersbüro Hamme")
    assert close(first["point"], hamme["office"])


def test_no_place_is_the_whole_quarter(http, team, engine) -> None:  # type: ignore[no-untyped-def]
    candidates = suggest(http, team, "")
    assert [c["id"] for c in candidates] == ["quarter"]
    lon, lat = candidates[0]["point"]
    with engine.connect() as conn:
        inside = conn.execute(
            text("SELECT ST_Contains(boundary, ST_SetSRID(ST_MakePoint(:x, :y), 4326)) "
                 "FROM quarter WHERE slug = :s"), {"x": lon, "y": lat, "s": Q},
        ).scalar_one()  # fmt: skip
    assert inside


def test_suggestions_refuse_bad_input(http, team) -> None:  # type: ignore[no-untyped-def]
    url = "/api/interviews/places/suggest"
    anonymous = http.get(url, params={"quarter": Q, "q": "Hofst"})
    assert anonymous.status_code == 401 and anonymous.json()["message_en"]
    unknown = http.get(url, params={"quarter": "nowhere", "q": "x"},
                       headers=Team.auth(team.planner))  # fmt: skip
    assert unknown.status_code == 400
    body = unknown.json()
    assert body["code"] == "unknown_quarter" and body["message_de"] and body["message_en"]
    too_long = http.get(url, params={"quarter": Q, "q": "x" * 501},
                        headers=Team.auth(team.planner))  # fmt: skip
    assert too_long.status_code == 400 and too_long.json()["message_de"].startswith("Ungültig")
    missing = http.get(url, params={"q": "x"}, headers=Team.auth(team.planner))
    assert missing.status_code == 400


def statement(text_: str, place: str = "", placement: dict | None = None, **extra: Any) -> dict:
    body: dict[str, Any] = {"statement": text_, "layers": ["mobilitaet"], "kind": "problem",
                            "place_text": place, **extra}  # fmt: skip
    if placement is not None:
        body["placement"] = placement
    return body


def test_statements_store_the_chosen_place_and_method(http, team, hamme) -> None:  # type: ignore[no-untyped-def]
    interview = new_interview(http, team)
    address = suggest(http, team, "Hofsteder Straße 115")[0]
    crossing = suggest(http, team, "Ecke Gahlensche Straße / Amtsstraße")[0]
    office = suggest(http, team, "Quartiersbüro")[0]
    click = [hamme["office"][0] + 0.0004, hamme["office"][1] - 0.0002]
    response = http.post(
        f"/api/interviews/{interview['id']}/statements",
        headers=Team.auth(team.planner),
        json={"statements": [
            statement("Vor dem Haus parken Autos auf dem Gehweg.", "Hofsteder Straße 115",
                      {"method": "gazetteer", "candidate": address["id"]}),
            statement("Der Markt ist super.", "Ecke Gahlensche Straße / Amtsstraße",
                      {"method": "gazetteer", "candidate": crossing["id"]}, kind="strength"),
            statement("Hinter dem Büro ist es dunkel.", "Quartiersbüro",
                      {"method": "manual", "point": click}),
            statement("Überall kaputtes Pflaster."),
            statement("Es fehlt ein Treffpunkt.", "irgendwo", {"method": "quarter"}),
            statement("Am Quartiersbüro ist immer jemand.", "am Quartiersbüro"),
        ]},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    saved = response.json()["findings"]
    assert [f["georef_method"] for f in saved] == [
        "address", "crossing", "manual", "quarter", "quarter", "place",
    ]  # fmt: skip
    assert close(saved[0]["geometry"]["coordinates"], hamme["address"])
    assert close(saved[1]["geometry"]["coordinates"], hamme["crossing"], 1e-5)
    assert close(saved[2]["geometry"]["coordinates"], click)
    assert saved[2]["georef_confidence"] == 1.0 and saved[2]["needs_review"] is False
    assert saved[3]["needs_review"] is True, "no place given: quarter-wide, to review"
    assert saved[4]["needs_review"] is False, "the planner chose quarter-wide"
    assert close(saved[5]["geometry"]["coordinates"], office["point"])
    # Read back through the API: the stored rows say the same.
    for f in saved:
        stored = http.get(f"/api/findings/{f['id']}", headers=Team.auth(team.planner)).json()
        assert stored["georef_method"] == f["georef_method"]
        assert stored["geometry"] == f["geometry"]
    listed = http.get(f"/api/interviews/{interview['id']}/statements",
                      headers=Team.auth(team.planner)).json()["findings"]  # fmt: skip
    assert [f["id"] for f in listed] == [f["id"] for f in saved]
    after = http.get(f"/api/interviews/{interview['id']}", headers=Team.auth(team.planner))
    assert after.json()["findings"] == 6


def test_home_address_choice_is_generalised_for_the_public(http, team, hamme) -> None:  # type: ignore[no-untyped-def]
    interview = new_interview(http, team)
    address = suggest(http, team, "Hofsteder Straße 115")[0]
    saved = http.post(
        f"/api/interviews/{interview['id']}/statements", headers=Team.auth(team.planner),
        json={"statements": [statement("Bei mir vor der Tür ist es laut.", "Hofsteder Straße 115",
                                       {"method": "gazetteer", "candidate": address["id"]})]},
    ).json()["findings"][0]  # fmt: skip
    url = f"/api/findings/{saved['id']}"
    http.post(f"{url}/moderation", json={"status": "published"}, headers=Team.auth(team.planner))
    public = http.get(url).json()
    assert public["geometry"]["coordinates"] != hamme["address"]
    assert public["place_text"] == ""


def test_one_bad_statement_refuses_all(http, team, engine, hamme) -> None:  # type: ignore[no-untyped-def]
    interview = new_interview(http, team)
    url = f"/api/interviews/{interview['id']}/statements"
    before = count(engine, "finding")
    good = statement("Gut.", "Quartiersbüro")
    cases = [
        (statement("x", "Hofsteder Straße 115", {"method": "gazetteer", "candidate": "street:x"}),
         "unknown_candidate"),
        (statement("x", "", {"method": "manual", "point": [7.0, 50.0]}), "outside_quarter"),
        (statement("x", "", {"method": "manual"}), "invalid_input"),
        (statement("x", "", {"method": "gazetteer"}), "invalid_input"),
        (statement("x", "", {"method": "manual", "point": [200, 95]}), "invalid_input"),
        (statement("x", layers=["gibt-es-nicht"]), "unknown_layer"),
        (statement("x", kind="complaint"), "invalid_input"),
    ]  # fmt: skip
    for bad, code in cases:
        response = http.post(url, json={"statements": [good, bad]},
                             headers=Team.auth(team.planner))  # fmt: skip
        assert response.status_code == 400, (bad, response.text)
        body = response.json()
        assert body["code"] == code, body
        assert body["message_de"] and body["message_en"]
        if code not in ("invalid_input",):
            assert body["message_de"].startswith("Aussage 2:"), body
            assert body["message_en"].startswith("Statement 2:"), body
    assert count(engine, "finding") == before, "nothing half-written"
    assert http.post(url, json={"statements": []},
                     headers=Team.auth(team.planner)).status_code == 400  # fmt: skip
    assert http.post(url, json={"statements": [good]}).status_code == 401
    missing = http.post("/api/interviews/00000000-0000-0000-0000-000000000000/statements",
                        json={"statements": [good]}, headers=Team.auth(team.planner))  # fmt: skip
    assert missing.status_code == 404 and missing.json()["message_en"]
    assert count(engine, "finding") == before


def test_retried_statement_is_not_stored_twice(http, team, engine) -> None:  # type: ignore[no-untyped-def]
    interview = new_interview(http, team)
    url = f"/api/interviews/{interview['id']}/statements"
    body = {"statements": [statement("Zweimal gesendet.", "Quartiersbüro",
                                     id="6a0f1e0c-1111-4f6e-9a55-1b2c3d4e5f60")]}  # fmt: skip
    first = http.post(url, json=body, headers=Team.auth(team.planner))
    again = http.post(url, json=body, headers=Team.auth(team.planner))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert count(engine, "finding", "id = '6a0f1e0c-1111-4f6e-9a55-1b2c3d4e5f60'") == 1


SPLIT = "/api/interviews/transcript/split"
TRANSCRIPT = """I: Wo sind Sie gern im Viertel?
B: Donnerstags auf dem Markt an der Ecke Gahlensche Straße / Amtsstraße bekomme ich alles.

I: Und was stört Sie?
B: Vor dem Haus Hofsteder Straße 115 parken die Autos immer auf dem Gehweg.

B: Hinten im Hof ist es abends dunkel. [Ort: Quartiersbüro]

B: Eigentlich ist alles gut.
"""


def test_transcript_is_split_into_statements_with_places(http, team) -> None:  # type: ignore[no-untyped-def]
    response = http.post(SPLIT, json={"quarter": Q, "text": TRANSCRIPT},
                         headers=Team.auth(team.planner))  # fmt: skip
    assert response.status_code == 200, response.text
    pieces = response.json()["statements"]
    assert [p["statement"][:20] for p in pieces] == [
        "Donnerstags auf dem ", "Vor dem Haus Hofsted", "Hinten im Hof ist es",
        "Eigentlich ist alles",
    ]  # fmt: skip
    assert [p["place_text"] for p in pieces] == [
        "Gahlensche Straße / Amtsstraße", "Hofsteder Straße 115", "Quartiersbüro", "",
    ]  # fmt: skip
    assert pieces[2]["statement"] == "Hinten im Hof ist es abends dunkel."
    assert [p["candidates"][0]["precision"] for p in pieces] == [
        "intersection", "address", "place", "quarter",
    ]  # fmt: skip


def test_transcript_one_per_line_without_blank_lines(http, team) -> None:  # type: ignore[no-untyped-def]
    raw = "Am Quartiersbüro ist es schön.\nAn der Haldenstraße fehlt ein Zebrastreifen.\n"
    pieces = http.post("/api/interviews/transcript/split", json={"quarter": Q, "text": raw},
                       headers=Team.auth(team.planner)).json()["statements"]  # fmt: skip
    assert [p["place_text"] for p in pieces] == ["Quartiersbüro Hamme", "Haldenstraße"]


def test_transcript_upload_plain_text_and_docx(http, team) -> None:  # type: ignore[no-untyped-def]
    import docx

    auth = Team.auth(team.planner)
    url = "/api/interviews/transcript/upload"
    plain = http.post(
        url,
        data={"quarter": Q},
        headers=auth,
        files={"file": ("t.txt", TRANSCRIPT.encode("cp1252"), "text/plain")},
    )
    assert plain.status_code == 200, plain.text
    assert len(plain.json()["statements"]) == 4
    assert "Straße" in plain.json()["text"], "Windows-1252 text decoded"
    document = docx.Document()
    document.add_paragraph("B: An der Ecke Gahlensche Straße / Amtsstraße ist der Markt.")
    document.add_paragraph("B: Die Haldenstraße ist zu laut.")
    buffer = io.BytesIO()
    document.save(buffer)
    word = http.post(
        url,
        data={"quarter": Q},
        headers=auth,
        files={"file": ("t.docx", buffer.getvalue(), "application/octet-stream")},
    )
    assert word.status_code == 200, word.text
    pieces = word.json()["statements"]
    assert [p["place_text"] for p in pieces] == ["Gahlensche Straße / Amtsstraße", "Haldenstraße"]
    assert pieces[0]["statement"].startswith("An der Ecke"), "speaker label removed"


def test_transcript_refuses_bad_input(http, team) -> None:  # type: ignore[no-untyped-def]
    auth = Team.auth(team.planner)
    url = "/api/interviews/transcript/upload"
    binary = http.post(
        url,
        data={"quarter": Q},
        headers=auth,
        files={"file": ("x.bin", b"\x00\x01\x02" * 100, "application/octet-stream")},
    )
    assert binary.status_code == 400 and binary.json()["code"] == "unsupported_file"
    broken = http.post(
        url,
        data={"quarter": Q},
        headers=auth,
        files={"file": ("x.docx", b"PK\x03\x04garbage", "application/octet-stream")},
    )
    assert broken.status_code == 400 and broken.json()["code"] == "unreadable_file"
    assert broken.json()["message_de"] and broken.json()["message_en"]
    big = http.post(
        url,
        data={"quarter": Q},
        headers=auth,
        files={"file": ("x.txt", b"a" * (2 * 1024 * 1024 + 10), "text/plain")},
    )
    assert big.status_code == 413 and big.json()["message_en"]
    many = "\n".join(f"Aussage {i}" for i in range(600))
    too_many = http.post("/api/interviews/transcript/split", json={"quarter": Q, "text": many},
                         headers=auth)  # fmt: skip
    assert too_many.status_code == 413 and too_many.json()["code"] == "too_many_statements"
    unknown = http.post(SPLIT, json={"quarter": "nowhere", "text": "a"}, headers=auth)  # fmt: skip
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_quarter"
    assert http.post("/api/interviews/transcript/split",
                     json={"quarter": Q, "text": "a"}).status_code == 401  # fmt: skip


def test_consent_given_and_withdrawn(http, team) -> None:  # type: ignore[no-untyped-def]
    interview = new_interview(http, team, consent="withdrawn")
    assert interview["consent"] == "withdrawn"
    url = f"/api/interviews/{interview['id']}/consent"
    changed = http.put(url, json={"consent": "given"}, headers=Team.auth(team.planner))
    assert changed.status_code == 200 and changed.json()["consent"] == "given"
    got = http.get(f"/api/interviews/{interview['id']}", headers=Team.auth(team.planner)).json()
    assert got["consent"] == "given"
    bad = http.put(url, json={"consent": "maybe"}, headers=Team.auth(team.planner))
    assert bad.status_code == 400 and bad.json()["message_en"]
    assert http.put(url, json={"consent": "given"},
                    headers=Team.auth(team.field)).status_code == 403  # fmt: skip
    assert new_interview(http, team)["consent"] == "given", "default"


def test_erasure_preview_says_what_delete_removes(http, team, engine) -> None:  # type: ignore[no-untyped-def]
    interview = new_interview(http, team, pseudonym="H-99", contact={
        "full_name": "Erika Beispiel", "email": "erika@example.org"})  # fmt: skip
    iid = interview["id"]
    http.post(f"/api/interviews/{iid}/statements", headers=Team.auth(team.planner),
              json={"statements": [statement("Schön hier.", "Quartiersbüro")]})  # fmt: skip
    preview = http.get(f"/api/interviews/{iid}/erasure", headers=Team.auth(team.planner))
    assert preview.status_code == 200, preview.text
    body = preview.json()
    codes = [item["code"] for item in body["removed"]]
    assert codes == ["contact", "pseudonym", "home"]  # erasure also removes home references
    assert "Name, E-Mail" in body["removed"][0]["de"] and "name, email" in body["removed"][0]["en"]
    assert "Erika" not in json.dumps(body), "the preview names fields, not their values"
    assert "H-99" in body["removed"][1]["de"]
    assert "1 Aussage" in body["kept"][0]["de"]
    assert http.get(f"/api/interviews/{iid}/erasure",
                    headers=Team.auth(team.field)).status_code == 403  # fmt: skip
    assert http.delete(f"/api/interviews/{iid}", headers=Team.auth(team.planner)).status_code == 204
    assert count(engine, "interview_contact", f"interview_id = '{iid}'") == 0
    after = http.get(f"/api/interviews/{iid}/erasure", headers=Team.auth(team.planner)).json()
    assert [item["code"] for item in after["removed"]] == ["pseudonym", "home"]
    assert after["pseudonym"].startswith("gelöscht-")


@pytest.fixture(scope="module")
def restricted(engine: Engine, hamme: Any) -> dict[str, str]:
    """Planners limited by an admin: one to Dortmund-Marten, one to the layer 'mobilitaet'."""
    import uuid

    from mapservice.access import create_account, create_token

    suffix = uuid.uuid4().hex[:6]
    tokens = {}
    with engine.begin() as conn:
        marten = conn.execute(
            text("SELECT id FROM quarter WHERE slug = 'dortmund-marten'")
        ).scalar_one()
        for key, layers, quarters in (
            ("marten", None, [marten]),
            ("mobility", ["mobilitaet"], None),
        ):
            name = f"iv-{key}-{suffix}"
            create_account(conn, name, "planner")
            conn.execute(
                text("UPDATE account SET layers = :l, quarters = :q WHERE name = :n"),
                {"l": layers, "q": quarters, "n": name},
            )
            tokens[key] = create_token(conn, name)
    return tokens


def test_accounts_limited_to_quarters_or_layers_stay_inside(http, team, engine, restricted) -> None:  # type: ignore[no-untyped-def]
    interview = new_interview(http, team)
    iid = interview["id"]
    marten = Team.auth(restricted["marten"])
    before = count(engine, "finding")
    refused = [
        http.get("/api/interviews/places/suggest", params={"quarter": Q, "q": "Hofst"},
                 headers=marten),
        http.post(f"/api/interviews/{iid}/statements", headers=marten,
                  json={"statements": [statement("Nicht meins.")]}),
        http.post(SPLIT, json={"quarter": Q, "text": "Eine Aussage."}, headers=marten),
        http.post("/api/interviews", headers=marten, json={
            "quarter": Q, "held_on": "2026-03-13", "participant_group": "residents",
            "pseudonym": "X"}),
    ]  # fmt: skip
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "outside_scope" and response.json()["message_de"]
    hidden = [  # interviews outside the scope do not exist for this account (ws-core's rule)
        http.get(f"/api/interviews/{iid}", headers=marten),
        http.get(f"/api/interviews/{iid}/erasure", headers=marten),
        http.put(f"/api/interviews/{iid}/consent", json={"consent": "withdrawn"}, headers=marten),
        http.delete(f"/api/interviews/{iid}", headers=marten),
    ]
    for response in hidden:
        assert response.status_code == 404, response.text
        assert response.json()["message_en"]
    listed = http.get("/api/interviews", headers=marten).json()
    assert listed and {row["quarter"] for row in listed} == {"dortmund-marten"}
    ok = http.get("/api/interviews/places/suggest", headers=marten,
                  params={"quarter": "dortmund-marten", "q": "Martener"})  # fmt: skip
    assert ok.status_code == 200
    mobility = Team.auth(restricted["mobility"])
    url = f"/api/interviews/{iid}/statements"
    wrong = {"statements": [statement("Laut.", layers=["umwelt"])]}
    wrong_layer = http.post(url, headers=mobility, json=wrong)
    assert wrong_layer.status_code == 403 and wrong_layer.json()["code"] == "outside_scope"
    right = {"statements": [statement("Zu schnell.", "Haldenstraße")]}
    right_layer = http.post(url, headers=mobility, json=right)
    assert right_layer.status_code == 201, right_layer.text
    assert count(engine, "finding") == before + 1
    http.post(f"/api/interviews/{iid}/statements", headers=Team.auth(team.planner),
              json={"statements": [statement("Grün.", layers=["umwelt"])]})  # fmt: skip
    seen = http.get(f"/api/interviews/{iid}/statements", headers=mobility).json()["findings"]
    assert [f["statement"] for f in seen] == ["Zu schnell."], "other layers are not listed"


def test_erasure_preview_names_home_redaction_once_erase_does_it(http, team, engine) -> None:  # type: ignore[no-untyped-def]
    """The switch for trust-privacy's erase (redaction of home house numbers)."""
    from mapservice.access import Viewer
    from mapservice.workspace.interviews.records import erasure_preview

    interview = new_interview(http, team)
    http.post(f"/api/interviews/{interview['id']}/statements", headers=Team.auth(team.planner),
              json={"statements": [statement("Laut hier.", "Hofsteder Straße 115")]})  # fmt: skip
    with engine.connect() as conn:
        planner = Viewer("planner", name="test")
        plain = erasure_preview(conn, planner, interview["id"], redacts_homes=False)
        homes = erasure_preview(conn, planner, interview["id"], redacts_homes=True)
    assert [i["code"] for i in plain["removed"]] == ["pseudonym"]
    assert [i["code"] for i in homes["removed"]] == ["pseudonym", "home"]
    assert "1 Aussage(n) an einer Wohnadresse" in homes["removed"][1]["de"]
