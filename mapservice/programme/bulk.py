"""One change of phase, status and/or dates for a selection of measures: all or nothing.

Planners move twenty sub-projects to "verzögert" after a council decision, or shift their
end date; doing that one by one invites half-done states. Every id must exist and lie in
the account's quarters, and every row must still have its end on or after its start —
otherwise nothing is written and the refusal names the measures.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.errors import InvalidInput, NotFound
from mapservice.programme.measures import visible_sql
from mapservice.programme.schemas import BulkIn
from mapservice.programme.writes import require_writer

FIELDS = ("phase", "status", "start_date", "end_date")


def bulk_change(conn: Connection, viewer: Viewer, body: BulkIn) -> dict[str, Any]:
    """Apply ``body`` to every measure in ``body.ids``; returns how many changed."""
    require_writer(viewer)
    sets = {name: getattr(body, name) for name in FIELDS if name in body.model_fields_set}
    if not sets:
        raise InvalidInput(
            "Nichts zu ändern: phase, status, start_date oder end_date angeben.",
            "Nothing to change: give phase, status, start_date or end_date.",
            code="nothing_to_change",
        )
    ids = list(dict.fromkeys(body.ids))
    rows = conn.execute(
        text(
            f"SELECT m.id, m.title, m.start_date, m.end_date, "
            "ARRAY(SELECT quarter_id FROM measure_quarter WHERE measure_id = m.id) AS quarters "
            f"FROM measure m WHERE m.id = ANY(:ids) AND {visible_sql(viewer)} FOR UPDATE"
        ),
        {"ids": ids},
    ).all()
    missing = sorted(str(i) for i in set(ids) - {r.id for r in rows})
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise NotFound(
            f"Maßnahmen nicht gefunden: {shown}; nichts geändert.",
            f"Measures not found: {shown}; nothing changed.",
            code="unknown_measure",
        )
    wrong = []
    for row in rows:
        for qid in row.quarters:
            viewer.require_scope(quarter_id=qid)
        start = sets.get("start_date", row.start_date)
        end = sets.get("end_date", row.end_date)
        if start is not None and end is not None and end < start:
            wrong.append(row.title)
    if wrong:
        shown = ", ".join(f"„{t}“" for t in wrong[:5])
        raise InvalidInput(
            f"Ende läge vor dem Beginn bei: {shown}; nichts geändert.",
            f"End would lie before the start for: {shown}; nothing changed.",
            code="end_before_start",
        )
    types = {"phase": "text", "status": "text", "start_date": "date", "end_date": "date"}
    assignments = ", ".join(f"{k} = CAST(:{k} AS {types[k]})" for k in sets)
    differs = " OR ".join(f"{k} IS DISTINCT FROM CAST(:{k} AS {types[k]})" for k in sets)
    changed = conn.execute(
        text(
            f"UPDATE measure SET {assignments}, version = version + 1 "
            f"WHERE id = ANY(:ids) AND ({differs})"
        ),
        {**sets, "ids": ids},
    ).rowcount
    return {"selected": len(ids), "changed": int(changed), "unchanged": len(ids) - int(changed)}
