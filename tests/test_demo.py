"""The demo goes through the real import paths and loads idempotently."""

from __future__ import annotations

from sqlalchemy import text

from mapservice.capture.demo import load_demo


def test_demo_load_twice_gives_the_same_counts(engine, settings, demo_loaded) -> None:  # type: ignore[no-untyped-def]
    assert demo_loaded["quarter"] == 3
    assert demo_loaded["observation"] == 900 + 45  # + the synthetic round 2024 of Hamme
    assert demo_loaded["walkthrough"] >= 15
    assert demo_loaded["finding"] == 120
    assert demo_loaded["reference_feature"] == 845  # 298 schools + 195 Kitas + 352 playgrounds
    assert load_demo(engine, settings) == demo_loaded


def test_demo_findings_are_placed_with_recorded_precision(engine, demo_loaded) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        methods = dict(
            conn.execute(
                text("SELECT georef_method, count(*) FROM finding WHERE synthetic GROUP BY 1")
            ).all()
        )
        unplaced_flagged = conn.execute(
            text(
                "SELECT bool_and(needs_review) FROM finding "
                "WHERE georef_method = 'quarter' AND synthetic"
            )
        ).scalar_one()
        home_exact = conn.execute(
            text(
                # demo rows only: an erased home (other tests) sits at its public point
                "SELECT count(*) FROM finding WHERE synthetic AND from_home_address "
                "AND ST_Equals(geom, public_geom)"
            )
        ).scalar_one()
    assert sum(methods.values()) == 120
    assert methods.get("address", 0) > 5 and methods.get("crossing", 0) > 5
    assert methods.get("quarter", 0) >= 10 and unplaced_flagged
    assert home_exact == 0, "a home address is never published exactly"


def test_hamme_contains_real_bochum_schools(engine, demo_loaded) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        inside = conn.execute(
            text(
                "SELECT count(*) FROM reference_feature r JOIN quarter q ON q.id = r.quarter_id "
                "WHERE q.slug = 'bochum-hamme' AND r.layer_id = 'referenz-schulen'"
            )
        ).scalar_one()
    assert inside >= 3


def test_start_page_lists_demo_quarters(http, demo_loaded) -> None:  # type: ignore[no-untyped-def]
    page = http.get("/").text
    for name in ("Hamme", "Wanne-Süd", "Marten"):
        assert name in page
    assert "Demo" in page
