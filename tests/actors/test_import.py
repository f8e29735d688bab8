"""Imports: OSM extracts (overpass-turbo GeoJSON) upsert by OSM id — twice is no change;
CSV round trip; per-row refusals de+en with nothing written; consent never re-granted."""

from __future__ import annotations

import json
import uuid

import httpx
from sqlalchemy import Engine, text

from tests.actors.conftest import assert_refusal, create_actor
from tests.programme.conftest import Programme


def _osm(p: Programme, base: int, hours: str = "Mo-Fr 08:00-16:00") -> bytes:
    x, y = p.inside
    features = [
        {
            "type": "Feature",
            "id": f"node/{base}",
            "properties": {
                "@id": f"node/{base}",
                "name": "Seniorentreff St. Test",
                "amenity": "social_facility",
                "social_facility": "outreach",
                "social_facility:for": "senior",
                "opening_hours": hours,
                "contact:phone": "+49 561 998877",
                "website": "https://example.org/treff",
                "addr:street": "Kirchweg",
                "addr:housenumber": "3",
            },
            "geometry": {"type": "Point", "coordinates": [x, y]},
        },
        {
            "type": "Feature",
            "id": f"way/{base + 1}",
            "properties": {
                "@id": f"way/{base + 1}",
                "name": "Stadtteilbibliothek",
                "amenity": "library",
                "opening_hours": "Tu,Th 10:00-18:00",
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [x + 0.001, y],
                        [x + 0.002, y],
                        [x + 0.002, y + 0.001],
                        [x + 0.001, y + 0.001],
                        [x + 0.001, y],
                    ]
                ],
            },
        },
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _import(http: httpx.Client, p: Programme, data: bytes, **params: str) -> httpx.Response:
    return http.post(
        "/api/actors/import",
        content=data,
        params=params,
        headers={**p.auth(), "Content-Type": "application/geo+json"},
    )


def _state(engine: Engine, osm_ids: list[str]) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT a.osm_id, a.version, a.name, a.kind, a.phone, a.address, a.tags::text, "
                    "ST_AsText(a.geom), (SELECT string_agg(o.what || '/' || o.for_whom || '/' || "
                    "o.opening_hours, ',') FROM actor_offer o WHERE o.actor_id = a.id) "
                    "FROM actor a WHERE a.osm_id = ANY(:i) ORDER BY a.osm_id"
                ),
                {"i": osm_ids},
            )
        ]


def test_osm_import_twice_changes_nothing(http, engine: Engine, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    base = uuid.uuid4().int % 10**9
    ids = [f"node/{base}", f"way/{base + 1}"]
    first = _import(http, programme, _osm(programme, base))
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["updated"]) == (2, 0)
    state = _state(engine, ids)
    node = state[0]
    assert node[2:6] == ("Seniorentreff St. Test", "einrichtung", "+49 561 998877", "Kirchweg 3")
    assert json.loads(node[6]) == {
        "amenity": "social_facility",
        "social_facility": "outreach",
        "social_facility:for": "senior",
    }
    assert node[8] == "outreach/senior/Mo-Fr 08:00-16:00"
    assert state[1][7].startswith("POINT(")  # the way's polygon became its inner point
    again = _import(http, programme, _osm(programme, base))
    assert again.json()["unchanged"] == 2 and again.json()["created"] == 0
    assert again.json()["updated"] == 0
    assert _state(engine, ids) == state  # versions too: nothing written
    changed = _import(http, programme, _osm(programme, base, hours="Mo-Sa 08:00-12:00"))
    assert (changed.json()["updated"], changed.json()["unchanged"]) == (1, 1)
    after = _state(engine, ids)
    assert after[0][1] == state[0][1] + 1 and after[1] == state[1]
    params = {"quarter": programme.quarter, "q": "outreach"}
    assert http.get("/api/actors", params=params).json()["total"] == 0  # imported as drafts
    found = http.get("/api/actors", params=params, headers=programme.auth()).json()["items"]
    assert [a["offers"][0]["opening_hours"] for a in found] == ["Mo-Sa 08:00-12:00"]


def test_bad_rows_refuse_the_file_with_reasons(http, engine: Engine, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    base = uuid.uuid4().int % 10**9
    doc = json.loads(_osm(programme, base, hours="Mo-Fr 8 bis 16"))
    doc["features"][1]["properties"]["@id"] = "knoten/1"
    doc["features"][1]["id"] = "x"
    answer = _import(http, programme, json.dumps(doc).encode())
    body = assert_refusal(answer, 400, "import_refused")
    refused = body["report"]["refused"]
    assert [(r["row"], r["code"]) for r in refused] == [
        (1, "invalid_opening_hours"),
        (2, "invalid_osm_id"),
    ]
    assert (
        "Öffnungszeiten" in refused[0]["message_de"] and "opening hours" in refused[0]["message_en"]
    )
    assert _state(engine, [f"node/{base}"]) == []
    skipped = _import(http, programme, json.dumps(doc).encode(), skip_invalid="true")
    assert skipped.status_code == 200 and skipped.json()["created"] == 0
    far = json.loads(_osm(programme, base))
    far["features"][0]["geometry"]["coordinates"] = [0.5, 0.5]
    far["features"] = far["features"][:1]
    outside = assert_refusal(_import(http, programme, json.dumps(far).encode()), 400)
    assert outside["report"]["refused"][0]["code"] == "outside_quarter"
    assert_refusal(_import(http, programme, b"{kein json"), 400, "invalid_geojson")
    assert_refusal(
        http.post("/api/actors/import", content=_osm(programme, base)), 401, "token_required"
    )


def test_csv_round_trip_and_consent_is_not_granted_again(
    http, engine: Engine, programme: Programme
) -> None:  # type: ignore[no-untyped-def]
    made = create_actor(
        http,
        programme,
        name="CSV-Verein",
        kind="verein",
        offers=[
            {
                "what": "Hausaufgabenhilfe",
                "for_whom": "Kinder",
                "opening_hours": "Mo,We 14:00-16:00",
            },
            {"what": "Elterncafé", "opening_hours": "Fr 09:00-11:00"},
        ],
    )
    http.put(
        f"/api/actors/{made['id']}/consent",
        headers=programme.auth(),
        json={"public_fields": ["name", "location", "offers"]},
    )
    exported = http.get(
        "/api/actors/export.csv", params={"quarter": programme.quarter}, headers=programme.auth()
    ).content
    assert exported.count(made["external_id"].encode()) == 2  # one row per offer
    again = http.post(
        "/api/actors/import",
        content=exported,
        headers={**programme.auth(), "Content-Type": "text/csv"},
    )
    assert again.status_code == 200, again.text
    assert again.json()["updated"] == 0 and again.json()["created"] == 0
    edited = exported.replace(b"Hausaufgabenhilfe", b"Lernhilfe")
    one = http.post(
        "/api/actors/import",
        content=edited,
        headers={**programme.auth(), "Content-Type": "text/csv"},
    ).json()
    assert one["updated"] == 1
    stored = http.get(f"/api/actors/{made['id']}", headers=programme.auth()).json()
    assert [o["what"] for o in stored["offers"]] == ["Lernhilfe", "Elterncafé"]
    # an import without the consent column keeps the withdrawn fields withdrawn
    public_csv = http.get("/api/actors/export.csv", params={"quarter": programme.quarter}).text
    assert "public_fields" not in public_csv.splitlines()[0]
    http.post(
        "/api/actors/import",
        headers={**programme.auth(), "Content-Type": "text/csv"},
        content=(
            f"external_id,name,kind,phone\n{made['external_id']},CSV-Verein,Verein,+49 561 1\n"
        ).encode(),
    )
    public = http.get(f"/api/actors/{made['id']}").json()
    assert "phone" not in public and stored["public_fields"] == ["name", "location", "offers"]
    bad = (
        b"external_id,name,kind,email\nX-1,Gut,verein,a@example.org\n"
        b"X-2,Schlecht,verein,kein-mail\nX-3,,verein,\n"
    )
    report = assert_refusal(
        http.post(
            "/api/actors/import",
            content=bad,
            params={"quarter": programme.quarter},
            headers={**programme.auth(), "Content-Type": "text/csv"},
        ),
        400,
        "import_refused",
    )["report"]
    assert [(r["row"], r["code"]) for r in report["refused"]] == [
        (3, "invalid_email"),
        (4, "invalid_value"),
    ]
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM actor WHERE external_id = 'X-1'")).scalar() == 0
        )
