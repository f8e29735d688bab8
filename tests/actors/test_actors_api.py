"""Actors API: create, read, change, delete; and every bad input refused de+en, nothing written."""

from __future__ import annotations

from sqlalchemy import Engine, text

from tests.actors.conftest import actor_body, assert_refusal, create_actor
from tests.programme.conftest import Programme


def _count(engine: Engine, where: str = "true", **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM actor WHERE {where}"), params).scalar())


def test_crud_and_open_now(http, engine: Engine, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    made = create_actor(
        http,
        programme,
        name="Nachbarschaftstreff",
        offers=[
            {"what": "Rund um die Uhr", "opening_hours": "24/7"},
            {"what": "Nie", "opening_hours": "off"},
        ],
    )
    assert made["kind_label"] == "QM-Büro" and made["quarters"] == [programme.quarter]
    assert [o["open_now"] for o in made["offers"]] == [True, False]
    assert made["public_fields"] == [
        "name",
        "description",
        "address",
        "location",
        "phone",
        "email",
        "website",
        "offers",
    ]
    aid = made["id"]
    public = http.get(f"/api/actors/{aid}").json()
    assert public["phone"] == "+49 561 100200" and "public_fields" not in public
    assert http.get(f"/api/actors/{aid}", params={"lang": "en"}).json()["kind_label"] == (
        "neighbourhood management office"
    )
    changed = http.patch(
        f"/api/actors/{aid}",
        json={"name": "Treff am Markt", "version": 1},
        headers=programme.auth(),
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert_refusal(
        http.patch(
            f"/api/actors/{aid}", json={"name": "X", "version": 1}, headers=programme.auth()
        ),
        409,
        "version_conflict",
    )
    found = http.get("/api/actors", params={"quarter": programme.quarter, "q": "rund um"}).json()
    assert [a["name"] for a in found["items"]] == ["Treff am Markt"]
    assert http.delete(f"/api/actors/{aid}", headers=programme.auth()).status_code == 204
    assert _count(engine, "id = :i", i=aid) == 0


def test_drafts_and_roles(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    draft = create_actor(http, programme, name="Entwurf", published=False)
    assert_refusal(http.get(f"/api/actors/{draft['id']}"), 404, "unknown_actor")
    assert http.get(f"/api/actors/{draft['id']}", headers=programme.auth()).status_code == 200
    assert_refusal(http.post("/api/actors", json=actor_body(programme)), 401, "token_required")
    assert_refusal(
        http.post("/api/actors", json=actor_body(programme), headers=programme.auth("field")),
        403,
        "role_forbidden",
    )
    kept = {"Authorization": f"Bearer {programme.restricted}"}
    assert_refusal(
        http.post("/api/actors", json=actor_body(programme), headers=kept), 403, "outside_scope"
    )
    assert_refusal(
        http.patch(f"/api/actors/{draft['id']}", json={"name": "Y"}, headers=kept),
        404,
        "unknown_actor",
    )


def test_bad_input_is_refused_and_nothing_written(
    http, engine: Engine, programme: Programme
) -> None:  # type: ignore[no-untyped-def]
    before = _count(engine)
    offers = [{"what": "Beratung", "opening_hours": "Mo-Fx 09:00-17:00"}]
    body = assert_refusal(
        http.post(
            "/api/actors", json=actor_body(programme, offers=offers), headers=programme.auth()
        ),
        400,
        "invalid_opening_hours",
    )
    assert "Stelle 4" in body["message_de"] and "character 4" in body["message_en"]
    assert "offers.0.opening_hours" in body["message_de"]
    cases = [
        ({"email": "keine-mail@"}, "invalid_email"),
        ({"email": "a b@example.org"}, "invalid_email"),
        ({"phone": "ruf mich an"}, "invalid_phone"),
        ({"website": "javascript:alert(1)"}, "invalid_website"),
        ({"quarters": ["gibt-es-nicht"]}, "unknown_quarter"),
        ({"quarters": ["x'; DROP TABLE actor; --"]}, "unknown_quarter"),
        ({"tags": {"contact:phone": "123"}}, "contact_in_tags"),
        ({"tags": {"Amenity; DROP": "x"}}, "invalid_tag"),
        (
            {"location": {"type": "LineString", "coordinates": [[9.5, 51.3], [9.6, 51.3]]}},
            "location_not_point",
        ),
        ({"name": "x" * 201}, "invalid_input"),
        ({"description": "x" * 5001}, "invalid_input"),
        ({"phone": "1" * 41}, "invalid_input"),
        ({"offers": [{"what": "x" * 201}]}, "invalid_input"),
        ({"kind": "verband"}, "invalid_input"),
        ({"public_fields": ["name", "passwort"]}, "invalid_input"),
        ({"published": "ja"}, "invalid_input"),
        ({"name": "   "}, "invalid_input"),
    ]
    for override, code in cases:
        response = http.post(
            "/api/actors", json=actor_body(programme, **override), headers=programme.auth()
        )
        assert_refusal(response, 400, code)
    assert _count(engine) == before
    # names with SQL meta characters are data, stored and found as written
    tricky = "O'Brien \"; DROP TABLE actor; -- %_\\"
    made = create_actor(http, programme, name=tricky)
    assert http.get(f"/api/actors/{made['id']}").json()["name"] == tricky
    found = http.get("/api/actors", params={"q": "%_\\", "quarter": programme.quarter}).json()
    assert [a["name"] for a in found["items"]] == [tricky]
    assert _count(engine) == before + 1
    # a refused change keeps the stored row (offers and quarters untouched too)
    bad = http.patch(
        f"/api/actors/{made['id']}",
        headers=programme.auth(),
        json={"quarters": [programme.quarter], "offers": [{"what": "A", "opening_hours": "25:00"}]},
    )
    assert_refusal(bad, 400, "invalid_opening_hours")
    stored = http.get(f"/api/actors/{made['id']}", headers=programme.auth()).json()
    assert stored["offers"][0]["what"] == "Sprechstunde" and stored["version"] == 1


def test_measures_name_their_responsible_actor(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    import uuid

    from tests.programme.conftest import measure_body

    actor = create_actor(http, programme, name="Quartiersbüro Test")
    unknown = http.post(
        "/api/measures",
        json=measure_body(programme, responsible_actor_id=str(uuid.uuid4())),
        headers=programme.auth(),
    )
    assert_refusal(unknown, 400, "unknown_actor")
    made = http.post(
        "/api/measures",
        json=measure_body(programme, responsible="QM", responsible_actor_id=actor["id"]),
        headers=programme.auth(),
    ).json()
    assert made["responsible"] == "QM"  # the free text stays (CSV format)
    assert made["responsible_actor"] == {"id": actor["id"], "name": "Quartiersbüro Test"}
    cleared = http.patch(
        f"/api/measures/{made['id']}", json={"responsible_actor_id": None}, headers=programme.auth()
    ).json()
    assert cleared["responsible_actor"] is None
    http.patch(
        f"/api/measures/{made['id']}",
        json={"responsible_actor_id": actor["id"]},
        headers=programme.auth(),
    )
    http.delete(f"/api/actors/{actor['id']}", headers=programme.auth())
    assert http.get(f"/api/measures/{made['id']}").json()["responsible_actor"] is None
