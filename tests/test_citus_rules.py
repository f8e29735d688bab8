"""The co-location rules behind the Citus keys (docs/citus.md), as a user meets them.

An observation of a walkthrough is kept in the walkthrough's quarter; ids stay unique across
quarters; a quarter change of an entry carries what hangs off it. Two neighbouring quarters
east of the capture tests' square in Frankfurt.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from shapely.geometry import Point
from sqlalchemy import Engine, text

from mapservice.capture.bulk import ObservationRecord, bulk_load_observations
from mapservice.catalog import Catalog, load_catalog
from mapservice.config import Settings
from tests.capture_fixtures import Team, observation_body

# Two squares side by side, 1 km east of tests/capture_fixtures.py's quarter.
WEST = (8.700, 50.110, 8.710, 50.118)
EAST = (8.710, 50.110, 8.720, 50.118)
IN_WEST = (8.704, 50.114)
IN_EAST = (8.716, 50.114)


@dataclass
class Pair:
    west: str
    east: str
    west_id: int
    east_id: int


@pytest.fixture(scope="module")
def pair(engine: Engine) -> Iterator[Pair]:
    suffix = uuid.uuid4().hex[:6]
    ids = {}
    with engine.begin() as conn:
        for name, (x0, y0, x1, y1) in (("west", WEST), ("east", EAST)):
            ids[name] = conn.execute(
                text(
                    "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, :n, 'Frankfurt',"
                    " ST_Multi(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326))) RETURNING id"
                ),
                {"s": f"{name}-{suffix}", "n": name.title(), "x0": x0, "y0": y0, "x1": x1,
                 "y1": y1},
            ).scalar_one()  # fmt: skip
    yield Pair(f"west-{suffix}", f"east-{suffix}", ids["west"], ids["east"])
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM quarter WHERE id IN (:w, :e)"), {"w": ids["west"], "e": ids["east"]}
        )


@pytest.fixture(scope="module")
def catalog(settings: Settings) -> Catalog:
    return load_catalog(settings.layers_dir)


def _walk(http, team: Team, quarter: str) -> str:  # type: ignore[no-untyped-def]
    response = http.post("/api/walkthroughs", headers=Team.auth(team.field), json={
        "quarter": quarter, "title": "Begehung an der Grenze",
        "started_at": "2026-04-12T10:00:00+02:00", "ended_at": "2026-04-12T12:00:00+02:00",
    })  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _point(lon_lat: tuple[float, float]) -> dict[str, object]:
    return {"type": "Point", "coordinates": list(lon_lat)}


def _on_walk(http, team: Team, pair: Pair, where: tuple[float, float], **extra):  # type: ignore[no-untyped-def]
    """An observation at ``where`` on a new walkthrough of the western quarter: (walkthrough
    id, the body sent, the response)."""
    walk = _walk(http, team, pair.west)
    body = observation_body(walkthrough_id=walk, geometry=_point(where), **extra)
    return walk, body, http.post("/api/observations", json=body, headers=Team.auth(team.field))


def _stored(engine: Engine, oid: str) -> list[tuple[int, str | None]]:
    with engine.connect() as conn:
        return [
            (r[0], str(r[1]) if r[1] else None)
            for r in conn.execute(
                text("SELECT quarter_id, walkthrough_id FROM observation WHERE id = :i"),
                {"i": oid},
            )
        ]


def test_an_observation_of_a_walkthrough_is_kept_in_its_quarter(  # type: ignore[no-untyped-def]
    http, team: Team, engine: Engine, pair: Pair
) -> None:
    walk, body, response = _on_walk(http, team, pair, IN_WEST)
    assert response.status_code == 201, response.text
    assert response.json()["quarter"] == pair.west
    assert _stored(engine, str(body["id"])) == [(pair.west_id, walk)]


def test_an_observation_across_the_border_is_refused(  # type: ignore[no-untyped-def]
    http, team: Team, engine: Engine, pair: Pair
) -> None:
    _walk_id, body, response = _on_walk(http, team, pair, IN_EAST)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "outside_given_quarter"
    assert "East" in error["message_de"] and "East" in error["message_en"]  # where it lies
    assert _stored(engine, str(body["id"])) == []


def test_a_quarter_beside_the_walkthrough_must_be_its_own(  # type: ignore[no-untyped-def]
    http, team: Team, engine: Engine, pair: Pair
) -> None:
    _walk_id, body, response = _on_walk(http, team, pair, IN_EAST, quarter=pair.east)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "walkthrough_other_quarter"
    assert "Begehung" in error["message_de"] and "walkthrough" in error["message_en"]
    assert pair.west in error["message_de"]
    assert _stored(engine, str(body["id"])) == []


def test_moving_an_observation_of_a_walkthrough_out_of_its_quarter_is_refused(  # type: ignore[no-untyped-def]
    http, team: Team, engine: Engine, pair: Pair
) -> None:
    walk, body, created_response = _on_walk(http, team, pair, IN_WEST)
    created = created_response.json()
    response = http.patch(
        f"/api/observations/{body['id']}",
        json={"geometry": _point(IN_EAST), "version": created["version"]},
        headers=Team.auth(team.field),
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "outside_given_quarter"
    assert _stored(engine, str(body["id"])) == [(pair.west_id, walk)]


def test_an_id_taken_in_another_quarter_is_not_stored_twice(  # type: ignore[no-untyped-def]
    http, team: Team, engine: Engine, pair: Pair
) -> None:
    body = observation_body(geometry=_point(IN_WEST))
    first = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert first.status_code == 201, first.text
    again = http.post(
        "/api/observations", json={**body, "geometry": _point(IN_EAST)},
        headers=Team.auth(team.field),
    )  # fmt: skip
    assert again.status_code == 409, again.text
    other = http.post(
        "/api/observations", json={**body, "geometry": _point(IN_EAST)},
        headers=Team.auth(team.field2),
    )  # fmt: skip
    assert other.status_code == 409 and other.json()["code"] == "id_taken", other.text
    assert _stored(engine, str(body["id"])) == [(pair.west_id, None)]


def test_bulk_rows_of_a_walkthrough_in_another_quarter_are_refused(  # type: ignore[no-untyped-def]
    http, team: Team, engine: Engine, pair: Pair, catalog: Catalog
) -> None:
    walk = uuid.UUID(_walk(http, team, pair.west))
    ids = [uuid.uuid4(), uuid.uuid4()]
    records = [
        ObservationRecord(geometry=Point(IN_WEST), layer_id="mobilitaet", kind="problem",
                          title="Drin", id=ids[0], walkthrough_id=walk, row=1),
        ObservationRecord(geometry=Point(IN_EAST), layer_id="mobilitaet", kind="problem",
                          title="Drüben", id=ids[1], walkthrough_id=walk, row=2),
    ]  # fmt: skip
    with engine.begin() as conn:
        report = bulk_load_observations(conn, catalog, records)
    assert [(r.row, r.code) for r in report.refused] == [(2, "walkthrough_other_quarter")]
    assert report.inserted == 0  # all or nothing
    assert [_stored(engine, str(i)) for i in ids] == [[], []]


def test_a_quarter_change_carries_revisions_and_events(engine: Engine, pair: Pair) -> None:
    """On one server ``ON UPDATE CASCADE`` moves what hangs off an entry (Citus would need a
    delete + insert, docs/citus.md); the event reaches the revision by two paths."""
    oid = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO observation (id, layer_id, kind, title, geom, status) VALUES "
                "(:i, 'mobilitaet', 'idea', 'Wandert', ST_SetSRID(ST_MakePoint(:x, :y), 4326), "
                "'published')"
            ),
            {"i": oid, "x": IN_WEST[0], "y": IN_WEST[1]},
        )
        rid = conn.execute(
            text(
                "INSERT INTO revision (quarter_id, observation_id, changes, author, source) "
                "VALUES (:q, :i, '{}', 'test', 'edit') RETURNING id"
            ),
            {"q": pair.west_id, "i": oid},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO moderation_event (quarter_id, observation_id, from_status, "
                "to_status, revision_id) VALUES (:q, :i, 'published', 'review', :r)"
            ),
            {"q": pair.west_id, "i": oid, "r": rid},
        )
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE observation SET quarter_id = :q, "
                "geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326) WHERE id = :i"
            ),
            {"q": pair.east_id, "x": IN_EAST[0], "y": IN_EAST[1], "i": oid},
        )
    with engine.connect() as conn:
        quarters = conn.execute(
            text(
                "SELECT (SELECT quarter_id FROM revision WHERE id = :r), "
                "(SELECT array_agg(quarter_id) FROM moderation_event WHERE observation_id = :i)"
            ),
            {"r": rid, "i": oid},
        ).one()
    assert quarters == (pair.east_id, [pair.east_id])
