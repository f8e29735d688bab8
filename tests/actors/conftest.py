"""Set-up for the actors tests: a quarter of their own (Kassel, away from the others),
accounts and helpers; shares the measures tests' quarter maker and refusal check."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.programme.conftest import Programme, assert_refusal, programme  # noqa: F401

__all__ = ["actor_body", "assert_refusal", "create_actor"]


def actor_body(p: Programme, **overrides: Any) -> dict[str, Any]:
    x, y = p.inside
    body: dict[str, Any] = {
        "external_id": f"AK-{uuid.uuid4().hex[:10]}",
        "name": "Stadtteilladen",
        "kind": "qm_buero",
        "quarters": [p.quarter],
        "address": "Teststraße 1",
        "location": {"type": "Point", "coordinates": [x, y]},
        "phone": "+49 561 100200",
        "email": "laden@example.org",
        "website": "https://example.org/laden",
        "tags": {"amenity": "community_centre"},
        "offers": [
            {"what": "Sprechstunde", "for_whom": "alle", "opening_hours": "Mo-Fr 09:00-17:00"}
        ],
        "published": True,
    }
    body.update(overrides)
    return body


def create_actor(http: httpx.Client, p: Programme, **overrides: Any) -> dict[str, Any]:
    response = http.post("/api/actors", json=actor_body(p, **overrides), headers=p.auth())
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture()
def db(engine: Engine) -> Engine:
    return engine


# Browser tests: the map tests' Chromium and watched pages (tests/browser/conftest.py).
from tests.browser.conftest import browser, make_page  # noqa: E402, F401
