"""Migration 0015 on a database that already holds data (what `karte db upgrade` meets at a
city that ran an older version): links filled in, stale copies of a quarter brought up to
date, the cluster grid re-keyed, and rows the new keys forbid refused in words, with nothing
half-done."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, text

from mapservice.db.cluster import Cluster
from mapservice.db.engine import make_engine
from mapservice.db.migrate import current_revision, upgrade
from tests.conftest import fresh_database
from tests.test_cli import assert_readable_failure, karte

WEST = "ST_Multi(ST_MakeEnvelope(9.00, 51.00, 9.01, 51.01, 4326))"
EAST = "ST_Multi(ST_MakeEnvelope(9.01, 51.00, 9.02, 51.01, 4326))"
IN_EAST = "ST_SetSRID(ST_MakePoint(9.015, 51.005), 4326)"
IN_WEST = "ST_SetSRID(ST_MakePoint(9.005, 51.005), 4326)"


def _old_data(engine: Engine) -> dict[str, str]:
    """At 0014: a walkthrough in the west, one observation on it in the east (allowed then),
    one in the west with an evidence link to a measure."""
    ids = {k: str(uuid.uuid4()) for k in ("walk", "across", "inside", "measure")}
    with engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO quarter (slug, name, city, boundary) VALUES "
                f"('west', 'West', 'Kassel', {WEST}), ('east', 'Ost', 'Kassel', {EAST})"
            )
        )
        conn.execute(
            text(
                "INSERT INTO walkthrough (id, quarter_id, title, started_at) SELECT :w, id, "
                "'Alte Begehung', now() FROM quarter WHERE slug = 'west'"
            ),
            {"w": ids["walk"]},
        )
        for key, geom in (("across", IN_EAST), ("inside", IN_WEST)):
            conn.execute(
                text(
                    "INSERT INTO observation (id, walkthrough_id, layer_id, kind, title, geom, "
                    f"status) VALUES (:i, :w, 'mobilitaet', 'idea', 'Alt', {geom}, 'published')"
                ),
                {"i": ids[key], "w": ids["walk"]},
            )
        conn.execute(  # a revision left in the west when its observation was moved east
            text(
                "INSERT INTO revision (quarter_id, observation_id, changes, author) "
                "SELECT id, :i, '{}', 'planer' FROM quarter WHERE slug = 'west'"
            ),
            {"i": ids["across"]},
        )
        conn.execute(
            text(
                "INSERT INTO measure (id, external_id, title, phase, status) VALUES "
                "(:m, 'M-alt', 'Gehwege sanieren', 'umsetzung', 'laeuft')"
            ),
            {"m": ids["measure"]},
        )
        conn.execute(
            text(
                "INSERT INTO measure_link (measure_id, observation_id, reason) "
                "VALUES (:m, :i, 'antwortet')"
            ),
            {"m": ids["measure"], "i": ids["inside"]},
        )
    return ids


def test_upgrade_refuses_rows_across_quarters_then_fills_the_new_keys(
    pg_cluster: Cluster,
) -> None:
    url = fresh_database(pg_cluster, "karte_citus_upgrade")
    engine = make_engine(url)
    upgrade(engine, "0014")
    ids = _old_data(engine)

    refused = karte("db", "upgrade", KARTE_DATABASE_URL=url)
    assert_readable_failure(refused, "observation", "walkthrough", ids["across"][:8])
    assert "anderen Quartier" in refused.stderr and "another quarter" in refused.stderr
    assert current_revision(engine) == "0014"  # nothing of 0015 stayed behind

    with engine.begin() as conn:  # the fix the message proposes
        conn.execute(
            text("UPDATE observation SET walkthrough_id = NULL WHERE id = :i"), {"i": ids["across"]}
        )
    done = karte("db", "upgrade", KARTE_DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    assert current_revision(engine) == "0015"
    with engine.connect() as conn:
        link_quarter, inside_quarter = conn.execute(
            text(
                "SELECT l.quarter_id, o.quarter_id FROM measure_link l "
                "JOIN observation o ON o.id = l.observation_id"
            )
        ).one()
        cells = conn.execute(
            text(
                "SELECT q.slug, sum(c.n) FROM cluster_cell c JOIN quarter q ON q.id = c.quarter_id "
                "GROUP BY q.slug ORDER BY 1"
            )
        ).all()
        revision_quarter = conn.execute(
            text("SELECT q.slug FROM revision r JOIN quarter q ON q.id = r.quarter_id")
        ).scalar_one()
    assert link_quarter == inside_quarter
    assert revision_quarter == "east"  # a copy of its observation's quarter, brought up to date
    assert cells == [("east", 1), ("west", 1)]  # the grid counts per quarter now
