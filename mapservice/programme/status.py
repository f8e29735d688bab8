"""A quarter's "Umsetzungsstand": how many measures stand in which phase and status.

Counted in one SQL statement over the measures the viewer may read (the public: published
ones), every measure of the quarter at every level. "Gestartet" is a measure in the phase
Umsetzung that was not cancelled; "erledigt" one that is abgeschlossen or has the status
erledigt (nordwärts reports the share "umgesetzt oder gestartet").
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.programme.measures import visible_sql
from mapservice.programme.vocab import PHASES, STATES, phase_label, state_label


class LabelledCount(BaseModel):
    id: str
    label: str
    measures: int


class Implementation(BaseModel):
    """Umsetzungsstand of a quarter's measures (Handlungsprogramm)."""

    measures: int = Field(description="Measures of the quarter the caller may see")
    phases: list[LabelledCount]
    statuses: list[LabelledCount]
    matrix: dict[str, dict[str, int]] = Field(description="phase -> status -> measures")
    started: int = Field(description="phase umsetzung, status not abgebrochen")
    done: int = Field(description="phase abgeschlossen or status erledigt")
    share_started_or_done: float | None = Field(description="(started + done) / measures")


COUNTS = """
SELECT m.phase, m.status, count(*) AS n FROM measure m
 WHERE {visible} AND EXISTS (SELECT 1 FROM measure_quarter mq JOIN quarter q
        ON q.id = mq.quarter_id WHERE mq.measure_id = m.id AND q.slug = {slug})
 GROUP BY m.phase, m.status
"""
#: Across quarters (the project map /maps/massnahmen): every measure the viewer may read.
COUNTS_ALL = "SELECT m.phase, m.status, count(*) AS n FROM measure m WHERE {visible} GROUP BY 1, 2"


def counts_sql(viewer: Viewer, slug: str | None, placeholder: str = ":slug") -> str:
    """The counting statement; ``placeholder`` is how the caller's driver binds the slug
    (``:slug`` for SQLAlchemy, ``%(slug)s`` for the map pages' psycopg pool)."""
    if slug is None:
        return COUNTS_ALL.format(visible=visible_sql(viewer))
    return COUNTS.format(visible=visible_sql(viewer), slug=placeholder)


def is_done(phase: str, status: str) -> bool:
    return phase == "abgeschlossen" or status == "erledigt"


def is_started(phase: str, status: str) -> bool:
    return phase == "umsetzung" and status not in ("abgebrochen", "erledigt")


def implementation(
    conn: Connection, viewer: Viewer, slug: str | None, lang: Literal["de", "en"] | str = "de"
) -> Implementation:
    """The Umsetzungsstand of quarter ``slug`` (``None``: of every quarter together)."""
    rows = conn.execute(text(counts_sql(viewer, slug)), {"slug": slug}).all()
    return from_rows([(r.phase, r.status, r.n) for r in rows], lang)


def from_rows(rows: list[tuple[str, str, int]], lang: str = "de") -> Implementation:
    """(phase, status, count) rows → the figures; shared by the SQLAlchemy and psycopg paths."""
    matrix = {p: dict.fromkeys(STATES, 0) for p in PHASES}
    for phase, status, n in rows:
        matrix[phase][status] += int(n)
    total = sum(sum(s.values()) for s in matrix.values())
    started = sum(n for p, s in matrix.items() for st, n in s.items() if is_started(p, st))
    done = sum(n for p, s in matrix.items() for st, n in s.items() if is_done(p, st))
    return Implementation(
        measures=total,
        phases=[
            LabelledCount(id=p, label=phase_label(p, lang), measures=sum(matrix[p].values()))
            for p in PHASES
        ],
        statuses=[
            LabelledCount(
                id=s, label=state_label(s, lang), measures=sum(m[s] for m in matrix.values())
            )
            for s in STATES
        ],
        matrix=matrix,
        started=started,
        done=done,
        share_started_or_done=round((started + done) / total, 3) if total else None,
    )
