"""The demo's Handlungsprogramm for Hamme: ≥ 20 measures in ≥ 3 levels, linked to real
demo evidence, labelled synthetic, and loaded idempotently."""

from __future__ import annotations

from sqlalchemy import Engine, text

from mapservice.capture.demo import load_demo

DEPTH = """
WITH RECURSIVE t(id, depth) AS (
  SELECT id, 1 FROM measure WHERE parent_id IS NULL AND synthetic
  UNION ALL SELECT m.id, t.depth + 1 FROM measure m JOIN t ON m.parent_id = t.id)
SELECT max(depth) FROM t
"""


def _state(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        return {
            "measures": conn.execute(
                text("SELECT external_id, version FROM measure WHERE synthetic ORDER BY 1")
            ).all(),
            "links": conn.execute(
                text(
                    "SELECT count(*) FROM measure_link l JOIN measure m ON m.id = l.measure_id "
                    "WHERE m.synthetic"
                )
            ).scalar_one(),
            "milestones": conn.execute(
                text(
                    "SELECT count(*) FROM measure_milestone s JOIN measure m "
                    "ON m.id = s.measure_id WHERE m.synthetic"
                )
            ).scalar_one(),
        }


def test_hamme_has_a_synthetic_programme_in_three_levels(engine, demo_loaded, http) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.description, m.synthetic FROM measure m JOIN measure_quarter mq "
                "ON mq.measure_id = m.id JOIN quarter q ON q.id = mq.quarter_id "
                "WHERE q.slug = 'bochum-hamme'"
            )
        ).all()
        depth = conn.execute(text(DEPTH)).scalar_one()
        linked = conn.execute(
            text(
                "SELECT count(DISTINCT l.observation_id), count(DISTINCT l.finding_id) "
                "FROM measure_link l JOIN measure m ON m.id = l.measure_id "
                "JOIN measure_quarter mq ON mq.measure_id = m.id "
                "JOIN quarter q ON q.id = mq.quarter_id "
                "LEFT JOIN observation o ON o.id = l.observation_id "
                "LEFT JOIN finding f ON f.id = l.finding_id "
                "WHERE q.slug = 'bochum-hamme' AND coalesce(o.quarter_id, f.quarter_id) = q.id"
            )
        ).one()
    assert len(rows) >= 20 and depth >= 3
    assert all(r.synthetic and r.description.startswith("Synthetische Demodaten") for r in rows)
    assert linked[0] >= 20 and linked[1] >= 5
    tree = http.get("/api/measures/tree", params={"quarter": "bochum-hamme"}).json()["items"]
    families = [n for n in tree if n["external_id"] in ("HAM-1", "HAM-2", "HAM-3")]
    assert len(families) == 3 and all(n["progress_basis"] == "children" for n in families)
    assert all(n["items"] and n["items"][0]["items"] for n in families)  # three levels public
    leaf = families[0]["items"][1]["items"][0]
    assert leaf["external_id"] == "HAM-1.2.1"
    evidence = http.get(f"/api/measures/{leaf['id']}/links").json()
    assert evidence["observations"] and all(
        o["status"] == "published" for o in evidence["observations"]
    )


def test_loading_the_demo_again_changes_no_measure(engine, settings, demo_loaded) -> None:  # type: ignore[no-untyped-def]
    before = _state(engine)
    assert len(before["measures"]) >= 20 and before["links"] and before["milestones"]
    assert load_demo(engine, settings) == demo_loaded
    assert _state(engine) == before
