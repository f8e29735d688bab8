"""The demo's actors of Hamme: ≥ 15 with offers, synthetic ones labelled, real facilities
from Bochum's open data, measures linked to them; loading again changes nothing."""

from __future__ import annotations

from sqlalchemy import Engine, text

from mapservice.capture.demo import load_demo

STATE = (
    "SELECT a.external_id, a.version, (SELECT count(*) FROM actor_offer o "
    "WHERE o.actor_id = a.id) FROM actor a WHERE a.source = 'demo' ORDER BY 1"
)


def test_hamme_has_actors_with_offers(engine: Engine, demo_loaded, http) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        with_offers = conn.execute(
            text(
                "SELECT count(DISTINCT a.id) FROM actor a "
                "JOIN actor_offer o ON o.actor_id = a.id JOIN actor_quarter aq "
                "ON aq.actor_id = a.id JOIN quarter q ON q.id = aq.quarter_id "
                "WHERE q.slug = 'bochum-hamme' AND a.source = 'demo'"
            )
        ).scalar_one()
        synthetic = conn.execute(
            text(
                "SELECT bool_and(description LIKE 'Synthetische Demodaten%'), count(*) FROM actor "
                "WHERE synthetic"
            )
        ).one()
        real = conn.execute(
            text(
                "SELECT count(*) FROM actor WHERE source = 'demo' AND NOT synthetic "
                "AND description LIKE 'Stadt Bochum, Open Data (CC0)%'"
            )
        ).scalar_one()
        linked = conn.execute(
            text(
                "SELECT count(*) FROM measure m JOIN actor a ON a.id = m.actor_id WHERE m.synthetic"
            )
        ).scalar_one()
        public_in_sql = conn.execute(
            text(
                "SELECT count(*) FROM actor a JOIN actor_quarter aq ON aq.actor_id = a.id "
                "JOIN quarter q ON q.id = aq.quarter_id WHERE q.slug = 'bochum-hamme' "
                "AND a.published AND 'name' = ANY(a.public_fields)"
            )
        ).scalar_one()
    assert with_offers >= 15 and synthetic[0] and synthetic[1] >= 15 and real >= 5
    assert linked >= 5
    listed = http.get("/api/actors", params={"quarter": "bochum-hamme"}).json()
    assert listed["total"] == public_in_sql  # the map's list matches a count in SQL
    names = {a["name"] for a in listed["items"]}
    assert "Elif Demir (Kümmerin Hofsteder Straße)" in names  # consented to her name
    assert not any("Brandt" in n for n in names)  # he consented to nothing
    elif_ = next(a for a in listed["items"] if a["name"].startswith("Elif"))
    assert "phone" not in elif_ and "address" not in elif_ and elif_["geometry"] is None
    measures = http.get("/api/measures", params={"quarter": "bochum-hamme"}).json()["items"]
    named = {m["responsible_actor"]["name"] for m in measures if m["responsible_actor"]}
    assert "Quartiersbüro Hamme" in named and "Tiefbauamt – Bürgersprechstunde Hamme" in named


def test_loading_the_demo_again_changes_no_actor(engine: Engine, settings, demo_loaded) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        before = conn.execute(text(STATE)).all()
    assert len(before) >= 20
    load_demo(engine, settings)
    with engine.connect() as conn:
        assert conn.execute(text(STATE)).all() == before
