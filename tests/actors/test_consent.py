"""Consent withdrawal: a person's phone and e-mail vanish at once from every public output.

The test crawls what the public can fetch — map pages (HTML), embed, the actors API, OGC
items, MVT tiles (decoded) and GeoJSON tiles, exports, the summary, the measures that name
the person — and searches the bytes. First it proves the crawl finds the values while
consent is given (so "absent" later means something), then withdraws and looks again.
"""

from __future__ import annotations

import uuid

import httpx
import mapbox_vector_tile
import morecantile

from tests.actors.conftest import create_actor
from tests.programme.conftest import Programme, create

TMS = morecantile.tms.get("WebMercatorQuad")


def _tiles(x: float, y: float) -> list[str]:
    out = []
    for z in (10, 13, 15, 17):
        t = TMS.tile(x, y, z)
        out += [f"/tiles/akteure/{z}/{t.x}/{t.y}.mvt", f"/tiles/akteure/{z}/{t.x}/{t.y}.geojson"]
    return out


def crawl(http: httpx.Client, p: Programme, actor_id: str, measure_id: str) -> dict[str, bytes]:
    """Every public route that could carry the actor, with its body (MVT decoded)."""
    q = p.quarter
    routes = [
        f"/maps/{q}",
        f"/embed/{q}",
        f"/maps/{q}?lang=en",
        f"/api/actors?quarter={q}",
        f"/api/actors?quarter={q}&q=Nachbarschaft",
        f"/api/actors/{actor_id}",
        f"/ogc/collections/akteure/items?quarter={q}",
        f"/ogc/collections/akteure/items/{actor_id}",
        "/ogc/collections/akteure",
        f"/api/actors/export.csv?quarter={q}",
        f"/api/actors/export.geojson?quarter={q}",
        f"/api/exports/{q}/alle.geojson",
        f"/api/exports/{q}/alle.csv",
        f"/api/quarters/{q}/summary",
        f"/api/measures?quarter={q}",
        f"/api/measures/{measure_id}",
        f"/ogc/collections/massnahmen/items?quarter={q}",
        *_tiles(*p.inside),
    ]
    seen: dict[str, bytes] = {}
    for route in routes:
        response = http.get(route)
        assert response.status_code in (200, 204, 404), (route, response.status_code)
        body = response.content
        if route.endswith(".mvt") and response.status_code == 200:
            decoded = mapbox_vector_tile.decode(body)
            body += repr(decoded).encode()
        seen[route] = body
    return seen


def test_withdrawn_consent_disappears_from_every_public_output(
    http: httpx.Client, programme: Programme
) -> None:
    token = uuid.uuid4().hex[:6]
    phone, email = f"+49 561 42{int(token, 16) % 100000:05d}", f"kuemmerin-{token}@example.org"
    actor = create_actor(
        http,
        programme,
        name=f"Frau Nachbarschaft {token}",
        kind="person",
        phone=phone,
        email=email,
        website="",
        public_fields=["name", "location", "phone", "email", "offers"],
    )
    x, y = programme.inside
    measure = create(
        http,
        programme,
        title=f"Kümmerei {token}",
        responsible="Kümmerin",
        responsible_actor_id=actor["id"],
        geometry={"type": "Point", "coordinates": [x, y]},
    )
    assert measure["responsible_actor"] == {"id": actor["id"], "name": actor["name"]}
    before = crawl(http, programme, actor["id"], measure["id"])
    etag = http.get(_tiles(x, y)[2]).headers["etag"]
    for value in (phone, email):
        found = [r for r, body in before.items() if value.encode() in body]
        assert any(r.endswith(".mvt") for r in found), value
        assert {
            f"/api/actors/{actor['id']}",
            f"/api/actors/export.csv?quarter={programme.quarter}",
        } <= set(found)
        assert any("/ogc/collections/akteure/items" in r for r in found)

    # withdraw phone and e-mail: gone at once, everywhere; the name stays
    answer = http.put(
        f"/api/actors/{actor['id']}/consent",
        json={"public_fields": ["name", "location", "offers"]},
        headers=programme.auth(),
    )
    assert answer.status_code == 200 and answer.json()["phone"] == phone  # planners keep it
    after = crawl(http, programme, actor["id"], measure["id"])
    for route, body in after.items():
        assert phone.encode() not in body and email.encode() not in body, route
    assert actor["name"].encode() in after[f"/api/actors/{actor['id']}"]
    tile = http.get(_tiles(x, y)[2], headers={"If-None-Match": etag})
    assert tile.status_code == 200 and tile.headers["etag"] != etag  # no stale 304
    props = mapbox_vector_tile.decode(tile.content)["akteure"]["features"][0]["properties"]
    assert props["name"] == actor["name"] and "phone" not in props and "email" not in props
    assert tile.headers["cache-control"] == "public, max-age=0, must-revalidate"

    # withdraw the name: the person is not public at all, and no measure names her
    http.put(
        f"/api/actors/{actor['id']}/consent", json={"public_fields": []}, headers=programme.auth()
    )
    gone = crawl(http, programme, actor["id"], measure["id"])
    for route, body in gone.items():
        assert actor["name"].encode() not in body, route
        assert actor["id"].encode() not in body or "/measures" not in route, route
    assert http.get(f"/api/measures/{measure['id']}").json()["responsible_actor"] is None
    assert http.get(f"/api/actors/{actor['id']}").status_code == 404
    history = http.get(f"/api/actors/{actor['id']}/consent", headers=programme.auth()).json()
    withdrawn = [(e["field"], e["granted"]) for e in history["events"] if not e["granted"]]
    assert withdrawn == [
        ("phone", False),
        ("email", False),
        ("name", False),
        ("location", False),
        ("offers", False),
    ]


def test_a_person_is_private_without_consent(http: httpx.Client, programme: Programme) -> None:
    person = create_actor(http, programme, name="Herr Ohne Einwilligung", kind="person")
    assert person["public_fields"] == []
    assert http.get(f"/api/actors/{person['id']}").status_code == 404
    listed = http.get("/api/actors", params={"quarter": programme.quarter}).json()
    assert person["id"] not in {a["id"] for a in listed["items"]}
    items = http.get("/ogc/collections/akteure/items", params={"quarter": programme.quarter})
    assert b"Ohne Einwilligung" not in items.content
