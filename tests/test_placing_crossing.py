"""Corners ("Ecke A / B") are placed at the intersection of the two street lines, with the
precision "intersection"; streets that miss each other by up to 30 m give the point between
them, streets further apart give the first street and an explanation that says so.

Against the demo gazetteer in PostGIS (Bochum-Hamme's street lines) over real HTTP. The
demo's schematic Hofsteder Straße and Amtsstraße do not meet (Dorstener Straße lies between
them), so "Ecke Hofsteder Straße / Amtsstraße" is the street with that explanation."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token
from mapservice.georef.gazetteer import Gazetteer

VARIANTS = [
    "Ecke Hofsteder Straße / Haldenstraße",
    "Ecke Hofsteder Straße und Haldenstraße",
    "Hofsteder Straße / Ecke Haldenstraße",
    "Kreuzung Hofsteder Straße/Haldenstraße",
    "Hofsteder Straße Ecke Haldenstraße",
    "an der Ecke Hofsteder Str./Haldenstr.",
]


@pytest.fixture(scope="module")
def field_token(engine: Engine, demo_loaded: dict[str, int]) -> str:
    with engine.begin() as conn:
        name = f"placing-{uuid.uuid4().hex[:6]}"
        create_account(conn, name, "field")
        return create_token(conn, name)


def _interview(http: httpx.Client, token: str, quarter: str = "bochum-hamme") -> str:
    body = {"quarter": quarter, "held_on": "2026-03-13", "participant_group": "residents",
            "pseudonym": f"P-{uuid.uuid4().hex[:4]}"}  # fmt: skip
    r = http.post("/api/interviews", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _finding(http: httpx.Client, token: str, interview: str, place: str) -> dict:
    r = http.post(
        f"/api/interviews/{interview}/findings", headers={"Authorization": f"Bearer {token}"},
        json={"statement": f"Dort ist es abends dunkel ({place}).", "layers": ["sicherheit"],
              "kind": "problem", "place_text": place},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def _metres(engine: Engine, a: dict, wkt: str) -> float:
    with engine.connect() as conn:
        return float(
            conn.execute(
                text(
                    "SELECT ST_Distance(ST_GeomFromGeoJSON(:a)::geography, "
                    "ST_GeomFromText(:b, 4326)::geography)"
                ),
                {"a": json.dumps(a), "b": wkt},
            ).scalar_one()
        )


def _postgis_crossing(engine: Engine, a: str, b: str) -> str:
    """Where PostGIS says the two demo street lines cross."""
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT ST_AsText(ST_Intersection(x.geom, y.geom)) FROM gazetteer_entry x, "
                    "gazetteer_entry y, quarter q WHERE q.slug = 'bochum-hamme' "
                    "AND x.quarter_id = q.id AND y.quarter_id = q.id AND x.kind = 'street' "
                    "AND y.kind = 'street' AND x.name = :a AND y.name = :b"
                ),
                {"a": a, "b": b},
            ).scalar_one()
        )


def test_corner_variants_resolve_to_the_intersection_point(
    http: httpx.Client, engine: Engine, field_token: str
) -> None:
    point = _postgis_crossing(engine, "Hofsteder Straße", "Haldenstraße")
    assert point.startswith("POINT")
    interview = _interview(http, field_token)
    for place in VARIANTS:
        finding = _finding(http, field_token, interview, place)
        assert finding["georef_method"] == "crossing", (place, finding)
        assert finding["georef_precision"] == "intersection", place
        assert finding["geometry"]["type"] == "Point"
        assert _metres(engine, finding["geometry"], point) < 0.5, place
        assert finding["georef_confidence"] == 1.0 and finding["needs_review"] is False
    other = _finding(http, field_token, interview, "Ecke Gahlensche Straße / Amtsstraße")
    assert other["georef_precision"] == "intersection"
    gahlen = _postgis_crossing(engine, "Gahlensche Straße", "Amtsstraße")
    assert _metres(engine, other["geometry"], gahlen) < 0.5


def test_streets_that_do_not_meet_fall_back_to_the_street_and_say_so(
    http: httpx.Client, engine: Engine, field_token: str
) -> None:
    with engine.connect() as conn:
        quarter_id = conn.execute(text("SELECT id FROM quarter WHERE slug = 'bochum-hamme'"))
        gazetteer = Gazetteer.load(conn, quarter_id=quarter_id.scalar_one())
    res = gazetteer.resolve("Ecke Hofsteder Straße / Amtsstraße", gazetteer.quarters.popitem()[0])
    assert (res.method, res.precision) == ("street", "street")
    assert res.needs_review and res.confidence <= 0.5
    assert "kreuzen sich nicht" in res.explanation_de and "mehr als 30 m" in res.explanation_de
    assert "do not cross" in res.explanation_en and "no intersection" in res.explanation_en
    finding = _finding(http, field_token, _interview(http, field_token),
                       "Ecke Hofsteder Straße / Amtsstraße")  # fmt: skip
    assert finding["georef_precision"] == "street" and finding["needs_review"] is True
    assert finding["geometry"]["type"] in ("LineString", "MultiLineString")


@pytest.fixture(scope="module")
def gap_quarter(engine: Engine) -> tuple[str, int]:
    """A quarter in Kiel with a main street and two side streets ending 20 m and 100 m short."""
    slug = f"kiel-ecken-{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, 'Ecken', 'Kiel', "
                "ST_GeomFromText('MULTIPOLYGON(((10.10 54.30, 10.13 54.30, 10.13 54.32, "
                "10.10 54.32, 10.10 54.30)))', 4326)) RETURNING id"
            ),
            {"s": slug},
        ).scalar_one()
        # Hauptstraße runs east-west at 54.31; 0.00018° of latitude ≈ 20 m, 0.0009° ≈ 100 m.
        for name, wkt in (
            ("Hauptstraße", "LINESTRING(10.105 54.31, 10.125 54.31)"),
            ("Nahweg", "LINESTRING(10.110 54.318, 10.110 54.31018)"),
            ("Fernweg", "LINESTRING(10.120 54.318, 10.120 54.3109)"),
        ):
            conn.execute(
                text(
                    "INSERT INTO gazetteer_entry (quarter_id, kind, name, geom, source) "
                    "VALUES (:q, 'street', :n, ST_GeomFromText(:g, 4326), 'test-placing')"
                ),
                {"q": qid, "n": name, "g": wkt},
            )
    return slug, int(qid)


def test_thirty_metres_is_the_limit_for_a_corner(
    http: httpx.Client, engine: Engine, field_token: str, gap_quarter: tuple[str, int]
) -> None:
    slug, _ = gap_quarter
    interview = _interview(http, field_token, slug)
    near = _finding(http, field_token, interview, "Ecke Nahweg / Hauptstraße")
    assert near["georef_precision"] == "intersection", near
    assert 0.5 <= near["georef_confidence"] < 1 and near["needs_review"] is True
    midpoint = "POINT(10.110 54.31009)"  # between the end of Nahweg and Hauptstraße
    assert _metres(engine, near["geometry"], midpoint) < 1.0
    far = _finding(http, field_token, interview, "Ecke Fernweg / Hauptstraße")
    assert far["georef_precision"] == "street", far  # 100 m apart: no corner
    assert far["geometry"]["type"] == "LineString" and far["needs_review"] is True
