"""Migrations and the constraints that protect the data."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from mapservice.db.cluster import Cluster
from mapservice.db.engine import make_engine
from mapservice.db.migrate import current_revision, downgrade, head_revision, upgrade
from tests.conftest import fresh_database

SQUARE = "MULTIPOLYGON(((7.19 51.49, 7.20 51.49, 7.20 51.50, 7.19 51.50, 7.19 51.49)))"


def test_migrations_go_up_and_down_on_an_empty_database(pg_cluster: Cluster) -> None:
    engine = make_engine(fresh_database(pg_cluster, "karte_migrations"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        tables = set(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
    assert {
        "quarter",
        "walkthrough",
        "observation",
        "photo",
        "interview",
        "interview_contact",
        "finding",
        "reference_feature",
        "account",
        "token",
        "gazetteer_entry",
        "map_view",
        "measure",
        "measure_quarter",
        "measure_milestone",
        "measure_link",
        "moderation_event",
        "revision",
    } <= tables
    downgrade(engine)
    assert current_revision(engine) is None
    with engine.connect() as conn:
        left = conn.execute(
            text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'spatial_ref_sys' AND tablename <> 'alembic_version'"
            )
        ).scalar_one()
    assert left == 0
    upgrade(engine)
    assert current_revision(engine) == head_revision()


@pytest.fixture()
def quarter_id(engine: Engine) -> int:
    slug = f"q-{uuid.uuid4().hex[:8]}"
    # Each test gets its own quarter far away from the others so derivation is unambiguous.
    offset = (uuid.uuid4().int % 1000) * 0.02
    wkt = SQUARE.replace("7.19", f"{10 + offset:.2f}").replace("7.20", f"{10.01 + offset:.2f}")
    with engine.begin() as conn:
        return int(
            conn.execute(
                text(
                    "INSERT INTO quarter (slug, name, city, boundary) "
                    "VALUES (:s, 'Test', 'Teststadt', ST_GeomFromText(:w, 4326)) RETURNING id"
                ),
                {"s": slug, "w": wkt},
            ).scalar_one()
        )


def _insert_observation(
    engine: Engine, geom_sql: str, rating: int = 1, quarter_id: int | None = None
) -> uuid.UUID:
    oid = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO observation (id, quarter_id, layer_id, kind, rating, title, geom) "
                f"VALUES (:id, :q, 'umwelt', 'problem', :r, 'Test', {geom_sql})"
            ),
            {"id": oid, "q": quarter_id, "r": rating},
        )
    return oid


def _centre(engine: Engine, quarter_id: int) -> tuple[float, float]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(boundary) c "
                "FROM quarter WHERE id = :q) s"
            ),
            {"q": quarter_id},
        ).one()
    return float(row[0]), float(row[1])


def test_quarter_of_an_observation_is_derived_from_its_geometry(engine, quarter_id) -> None:  # type: ignore[no-untyped-def]
    x, y = _centre(engine, quarter_id)
    oid = _insert_observation(engine, f"ST_SetSRID(ST_MakePoint({x}, {y}), 4326)")
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT quarter_id, version, status FROM observation WHERE id = :id"), {"id": oid}
        ).one()
    assert tuple(got) == (quarter_id, 1, "draft")


def test_observation_outside_every_quarter_is_refused(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DBAPIError, match="outside every quarter"):
        _insert_observation(engine, "ST_SetSRID(ST_MakePoint(-70, -40), 4326)")


@pytest.mark.parametrize(
    ("geom_sql", "rating", "constraint"),
    [
        ("ST_GeomFromText('POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))', 4326)", 1, "geom_valid"),
        ("ST_SetSRID(ST_MakePoint(CX, CY), 3857)", 1, "SRID"),
        ("ST_SetSRID(ST_MakePoint(CX, CY), 4326)", 7, "rating_range"),
        ("ST_GeomFromText('POINT EMPTY', 4326)", 1, "geom_valid"),
    ],
    ids=["self-intersecting polygon", "wrong SRID", "rating 7", "empty geometry"],
)
def test_constraints_reject_bad_rows(engine, quarter_id, geom_sql, rating, constraint) -> None:  # type: ignore[no-untyped-def]
    x, y = _centre(engine, quarter_id)
    geom_sql = geom_sql.replace("CX", str(x)).replace("CY", str(y))
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM observation")).scalar_one()
    with pytest.raises(DBAPIError, match=constraint):
        _insert_observation(engine, geom_sql, rating=rating, quarter_id=quarter_id)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM observation")).scalar_one() == before


def test_every_write_bumps_the_layer_version_once_per_statement(engine, quarter_id) -> None:  # type: ignore[no-untyped-def]
    def version(layer: str) -> int:
        with engine.connect() as conn:
            v = conn.execute(
                text("SELECT version FROM layer_version WHERE layer_id = :l"), {"l": layer}
            ).scalar()
        return int(v or 0)

    x, y = _centre(engine, quarter_id)
    before = version("umwelt")
    oid = _insert_observation(engine, f"ST_SetSRID(ST_MakePoint({x}, {y}), 4326)")
    assert version("umwelt") == before + 1
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE observation SET layer_id = 'leerstand' WHERE id = :id"), {"id": oid}
        )
    assert version("umwelt") == before + 2
    assert version("leerstand") >= 1
