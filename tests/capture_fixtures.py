"""Shared set-up for the capture tests: a quarter in Frankfurt and one account per role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token

# A 1 km square in Frankfurt (Main); other test modules keep away from it.
X0, Y0, X1, Y1 = 8.680, 50.110, 8.694, 50.119
INSIDE = (8.687, 50.1145)
BOUNDARY = f"MULTIPOLYGON((({X0} {Y0}, {X1} {Y0}, {X1} {Y1}, {X0} {Y1}, {X0} {Y0})))"


@dataclass
class Team:
    quarter: str
    field: str
    field2: str
    planner: str
    admin: str

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def team(engine: Engine) -> Team:
    suffix = uuid.uuid4().hex[:6]
    slug = f"frankfurt-test-{suffix}"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES "
                "(:s, 'Testquartier', 'Frankfurt', ST_GeomFromText(:b, 4326))"
            ),
            {"s": slug, "b": BOUNDARY},
        )
        tokens = {}
        for role, name in (("field", "field"), ("field", "field2"), ("planner", "planner"),
                           ("admin", "admin")):  # fmt: skip
            account = f"{name}-{suffix}"
            create_account(conn, account, role)
            tokens[name] = create_token(conn, account)
    return Team(quarter=slug, **tokens)


def observation_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "layer": "mobilitaet",
        "kind": "problem",
        "rating": -1,
        "title": "Gehweg zugeparkt",
        "description": "Mit dem Kinderwagen muss man auf die Straße.",
        "geometry": {"type": "Point", "coordinates": list(INSIDE)},
        "accuracy_m": 5,
        "observed_at": "2026-04-12T10:35:00+02:00",
    }
    body.update(overrides)
    return body
