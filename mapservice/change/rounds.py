"""Rounds (Begehungsrunden): all walkthroughs of a quarter in one period, e.g. "2024".

A walkthrough's round is its ``round_id`` when a planner set one, otherwise the round whose
period contains the walkthrough's start date (periods of one quarter never overlap, so that
round is unique). An observation belongs to the round of its walkthrough; one without a
walkthrough (an import) to the round whose period contains its ``observed_at``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, text

from mapservice.errors import Conflict, InvalidInput, NotFound

LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")

#: The effective round of every walkthrough: the planner's choice, else by start date.
WALKTHROUGH_ROUND_SQL = """
SELECT w.id AS walkthrough_id, w.quarter_id,
       coalesce(w.round_id, (SELECT r.id FROM walk_round r WHERE r.quarter_id = w.quarter_id
             AND (w.started_at AT TIME ZONE 'Europe/Berlin')::date
                 BETWEEN r.period_from AND r.period_to LIMIT 1)) AS round_id,
       w.round_id IS NOT NULL AS assigned
FROM walkthrough w
"""

#: The round of every observation: its walkthrough's round, else by the observation date.
OBSERVATION_ROUND_SQL = """
coalesce(
  (SELECT coalesce(w.round_id, (SELECT r.id FROM walk_round r WHERE r.quarter_id = w.quarter_id
       AND (w.started_at AT TIME ZONE 'Europe/Berlin')::date
           BETWEEN r.period_from AND r.period_to LIMIT 1))
   FROM walkthrough w WHERE w.id = {o}.walkthrough_id),
  CASE WHEN {o}.walkthrough_id IS NULL THEN
    (SELECT r.id FROM walk_round r WHERE r.quarter_id = {o}.quarter_id
       AND ({o}.observed_at AT TIME ZONE 'Europe/Berlin')::date
           BETWEEN r.period_from AND r.period_to LIMIT 1)
  END)
"""


def observation_round(alias: str = "o") -> str:
    """SQL for the round id of observation ``alias`` (NULL: in no round)."""
    return OBSERVATION_ROUND_SQL.format(o=alias)


class RoundIn(BaseModel):
    """A new round: its label and the period its walkthroughs were made in."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=40, examples=["2024"])
    period_from: date = Field(examples=["2024-03-01"])
    period_to: date = Field(examples=["2024-06-30"])
    walkthroughs: list[uuid.UUID] = Field(default_factory=list, max_length=1000)


class AssignIn(BaseModel):
    """Walkthroughs to put into a round (``round: null`` in the path's place takes them out)."""

    model_config = ConfigDict(extra="forbid")
    walkthroughs: list[uuid.UUID] = Field(min_length=1, max_length=1000)


@dataclass(frozen=True)
class Round:
    id: int
    label: str
    period_from: date
    period_to: date


def quarter_id(conn: Connection, slug: str) -> int:
    """The id of quarter ``slug``; 404 with both languages when there is none."""
    found = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"), {"s": slug}).scalar()
    if found is None:
        raise NotFound(
            f"Quartier '{slug}' nicht gefunden.",
            f"Quarter '{slug}' not found.",
            code="unknown_quarter",
        )
    return int(found)


def rounds_of(conn: Connection, qid: int) -> list[Round]:
    """The quarter's rounds, oldest first."""
    rows = conn.execute(
        text(
            "SELECT id, label, period_from, period_to FROM walk_round WHERE quarter_id = :q "
            "ORDER BY period_from, label"
        ),
        {"q": qid},
    )
    return [Round(r.id, r.label, r.period_from, r.period_to) for r in rows]


def round_by_label(conn: Connection, qid: int, label: str) -> Round:
    """One round by its label; 404 naming the rounds there are."""
    known = rounds_of(conn, qid)
    for r in known:
        if r.label == label:
            return r
    listed = ", ".join(r.label for r in known) or "—"
    raise NotFound(
        f"Begehungsrunde '{label}' gibt es in diesem Quartier nicht (vorhanden: {listed}).",
        f"There is no round '{label}' in this quarter (known: {listed}).",
        code="unknown_round",
    )


def list_rounds(conn: Connection, slug: str) -> dict[str, Any]:
    """The rounds with how many walkthroughs each holds (assigned by hand or by date)."""
    qid = quarter_id(conn, slug)
    counts = {
        r.round_id: (r.n, r.assigned)
        for r in conn.execute(
            text(
                f"SELECT round_id, count(*) AS n, count(*) FILTER (WHERE assigned) AS assigned "
                f"FROM ({WALKTHROUGH_ROUND_SQL}) wr WHERE wr.quarter_id = :q GROUP BY round_id"
            ),
            {"q": qid},
        )
    }
    unassigned = counts.get(None, (0, 0))[0]
    return {
        "quarter": slug,
        "rounds": [
            {
                "label": r.label,
                "period_from": r.period_from.isoformat(),
                "period_to": r.period_to.isoformat(),
                "walkthroughs": counts.get(r.id, (0, 0))[0],
                "assigned_by_planner": counts.get(r.id, (0, 0))[1],
            }
            for r in rounds_of(conn, qid)
        ],
        "walkthroughs_without_round": unassigned,
    }


def create_round(conn: Connection, slug: str, body: RoundIn) -> dict[str, Any]:
    """Create a round; refuses a bad label, a reversed period, a clash, an overlap."""
    qid = quarter_id(conn, slug)
    label = body.label.strip()
    if not LABEL.fullmatch(label):
        raise InvalidInput(
            f"Bezeichnung '{label}': 1–40 Zeichen aus Buchstaben, Ziffern, '.', '_', '-', "
            "beginnend mit Buchstabe oder Ziffer (z. B. '2024').",
            f"Label '{label}': 1–40 characters of letters, digits, '.', '_', '-', starting "
            "with a letter or digit (e.g. '2024').",
            code="invalid_round_label",
        )
    if body.period_to < body.period_from:
        raise InvalidInput(
            f"Zeitraum: Ende {body.period_to} liegt vor Beginn {body.period_from}.",
            f"Period: end {body.period_to} lies before start {body.period_from}.",
            code="invalid_round_period",
        )
    for other in rounds_of(conn, qid):
        if other.label == label:
            raise Conflict(
                f"Begehungsrunde '{label}' gibt es in diesem Quartier schon.",
                f"Round '{label}' exists already in this quarter.",
                code="round_exists",
            )
        if other.period_from <= body.period_to and body.period_from <= other.period_to:
            raise Conflict(
                f"Zeitraum überschneidet sich mit Runde '{other.label}' "
                f"({other.period_from} bis {other.period_to}); Zeiträume einer Runde dürfen "
                "sich nicht überschneiden.",
                f"Period overlaps round '{other.label}' ({other.period_from} to "
                f"{other.period_to}); the rounds of a quarter may not overlap.",
                code="round_overlap",
            )
    rid = conn.execute(
        text(
            "INSERT INTO walk_round (quarter_id, label, period_from, period_to) "
            "VALUES (:q, :l, :f, :t) RETURNING id"
        ),
        {"q": qid, "l": label, "f": body.period_from, "t": body.period_to},
    ).scalar_one()
    if body.walkthroughs:
        _assign(conn, qid, int(rid), body.walkthroughs)
    return next(r for r in list_rounds(conn, slug)["rounds"] if r["label"] == label)


def assign_walkthroughs(
    conn: Connection, slug: str, label: str | None, walkthroughs: list[uuid.UUID]
) -> dict[str, Any]:
    """Put walkthroughs into round ``label`` (``None``: back to assignment by date)."""
    qid = quarter_id(conn, slug)
    rid = None if label is None else round_by_label(conn, qid, label).id
    _assign(conn, qid, rid, walkthroughs)
    return list_rounds(conn, slug)


def _assign(conn: Connection, qid: int, rid: int | None, walkthroughs: list[uuid.UUID]) -> None:
    wanted = sorted({str(w) for w in walkthroughs})
    found = set(
        conn.execute(
            text(
                "SELECT id::text FROM walkthrough WHERE quarter_id = :q "
                "AND id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"q": qid, "ids": wanted},
        ).scalars()
    )
    missing = [w for w in wanted if w not in found]
    if missing:  # checked before writing: nothing half-assigned
        raise NotFound(
            f"Begehung(en) nicht in diesem Quartier: {', '.join(missing[:5])}.",
            f"Walkthrough(s) not in this quarter: {', '.join(missing[:5])}.",
            code="unknown_walkthrough",
        )
    conn.execute(
        text("UPDATE walkthrough SET round_id = :r WHERE id = ANY(CAST(:ids AS uuid[]))"),
        {"r": rid, "ids": wanted},
    )


def delete_round(conn: Connection, slug: str, label: str) -> dict[str, Any]:
    """Remove a round; its walkthroughs fall back to assignment by date (never deleted)."""
    qid = quarter_id(conn, slug)
    r = round_by_label(conn, qid, label)
    conn.execute(text("DELETE FROM walk_round WHERE id = :i"), {"i": r.id})
    return list_rounds(conn, slug)
