"""Set-up for the Handlungsprogramm tests: a quarter of their own, accounts, helpers.

The quarter lies in Kassel, away from every other test's quarter, so CSV exports of "this
quarter" hold only what a test made; the accounts come from ``tests.capture_fixtures``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token
from tests.capture_fixtures import Team

KASSEL = (9.48, 51.31)


@dataclass
class Programme:
    quarter: str
    quarter_id: int
    inside: tuple[float, float]
    team: Team
    restricted: str  # a planner kept to another quarter

    def auth(self, role: str = "planner") -> dict[str, str]:
        return Team.auth(getattr(self.team, role))


def new_quarter(engine: Engine, name: str = "Programmquartier") -> tuple[str, int, tuple]:
    """A 1 km square quarter of its own (slug, id, a point inside)."""
    slug = f"programm-{uuid.uuid4().hex[:8]}"
    offset = (uuid.uuid4().int % 500) * 0.02
    x0, y0 = KASSEL[0] + offset, KASSEL[1]
    wkt = (
        f"MULTIPOLYGON((({x0} {y0}, {x0 + 0.014} {y0}, {x0 + 0.014} {y0 + 0.009}, "
        f"{x0} {y0 + 0.009}, {x0} {y0})))"
    )
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES "
                "(:s, :n, 'Kassel', ST_GeomFromText(:w, 4326)) RETURNING id"
            ),
            {"s": slug, "n": name, "w": wkt},
        ).scalar_one()
    return slug, int(qid), (x0 + 0.007, y0 + 0.0045)


@pytest.fixture(scope="module")
def programme(engine: Engine, team: Team) -> Programme:
    slug, qid, inside = new_quarter(engine)
    _, other_id, _ = new_quarter(engine, "Anderes Quartier")
    suffix = uuid.uuid4().hex[:6]
    with engine.begin() as conn:
        create_account(conn, f"kept-{suffix}", "planner")
        conn.execute(
            text("UPDATE account SET quarters = ARRAY[:q] WHERE name = :n"),
            {"q": other_id, "n": f"kept-{suffix}"},
        )
        restricted = create_token(conn, f"kept-{suffix}")
    return Programme(slug, qid, inside, team, restricted)


def measure_body(programme: Programme, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": f"T-{uuid.uuid4().hex[:10]}",
        "title": "Sichere Schulwege",
        "description": "Querungshilfen an der Grundschule.",
        "quarters": [programme.quarter],
        "phase": "planung",
        "status": "laeuft",
        "published": True,
    }
    body.update(overrides)
    return body


def create(http: httpx.Client, programme: Programme, **overrides: Any) -> dict[str, Any]:
    response = http.post(
        "/api/measures", json=measure_body(programme, **overrides), headers=programme.auth()
    )
    assert response.status_code == 201, response.text
    return response.json()


def assert_refusal(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """A clear 4xx: the status, a code, and a German and an English message."""
    assert response.status_code == status, response.text
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    assert body["message_de"] and body["message_en"] and body["message_de"] != body["message_en"]
    return body
