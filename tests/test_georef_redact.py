"""Home house numbers out of statement text; named places and other numbers stay."""

from __future__ import annotations

import uuid

import pytest
from shapely.geometry import LineString, Point
from sqlalchemy import Engine, text

from mapservice.georef.gazetteer import Entry, Gazetteer
from mapservice.georef.redact import REDACTED, Redactor

ENTRIES = [
    Entry("street", "Haldenstraße", LineString([(7.19, 51.49), (7.20, 51.49)]), 1),
    Entry("street", "In der Meile", LineString([(7.19, 51.50), (7.20, 51.50)]), 1),
    Entry("address", "Haldenstraße 88", Point(7.195, 51.4901), 1, "Haldenstraße", "88"),
    Entry("address", "In der Meile 2", Point(7.191, 51.5001), 1, "In der Meile", "2"),
    Entry("place", "Grundschule Meile", Point(7.191, 51.5001), 1, "In der Meile", "2"),
]


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(Gazetteer(ENTRIES), 1)


@pytest.mark.parametrize(
    ("said", "public"),
    [
        ("bei mir vor der Tür, Haldenstraße 88", f"bei mir vor der Tür, Haldenstraße {REDACTED}"),
        ("Haldenstr. 88a ist laut.", f"Haldenstr. {REDACTED} ist laut."),
        ("Haldenstrasse 90 (kenne ich nicht)", f"Haldenstrasse {REDACTED} (kenne ich nicht)"),
        ("Wir wohnen Am Krähenweg 7.", f"Wir wohnen Am Krähenweg {REDACTED}."),
        ("Haldenstraße Nr. 88", f"Haldenstraße {REDACTED}"),
        ("Die Schule In der Meile 2 ist toll.", "Die Schule In der Meile 2 ist toll."),
        ("Seit 20 Jahren fährt die Linie 368.", "Seit 20 Jahren fährt die Linie 368."),
        ("", ""),
    ],
)
def test_home_numbers_are_removed(redactor: Redactor, said: str, public: str) -> None:
    assert redactor.redact(said)[0] == public


def test_the_count_of_removed_numbers(redactor: Redactor) -> None:
    assert redactor.redact("Haldenstraße 88 und Haldenstraße 90")[1] == 2


def test_a_statement_changed_by_sql_is_redacted_for_the_public_by_the_fallback(
    engine: Engine, demo_loaded: dict[str, int]
) -> None:
    """The trigger clears the stored redacted text; the public then reads the SQL fallback."""
    from mapservice.access import PUBLIC, finding_visibility

    view = finding_visibility(PUBLIC, "f")
    with engine.begin() as conn:
        fid = conn.execute(
            text("SELECT id FROM finding WHERE status = 'published' ORDER BY id LIMIT 1")
        ).scalar_one()
        conn.execute(text("SAVEPOINT s"))
        conn.execute(
            text("UPDATE finding SET statement = 'Vor Hauptstraße 12 b ist es laut' WHERE id = :i"),
            {"i": fid},
        )
        stored, shown = conn.execute(
            text(f"SELECT f.public_statement, {view.statement} FROM finding f WHERE f.id = :i"),
            {"i": fid},
        ).one()
        conn.execute(text("ROLLBACK TO SAVEPOINT s"))
    assert stored is None
    assert shown == f"Vor Hauptstraße {REDACTED} ist es laut"
    assert uuid.UUID(str(fid))
