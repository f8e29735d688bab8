"""Which measures answer the observations on the change map.

The question behind a change map is whether the measures worked, so each pair or single
carries the measures linked to its observations (``measure_link``), next to the problem
they answered. Only measures the viewer may read are named (the public: published ones),
with their phase × status and the progress figure a reader can check on the project map.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.programme.measures import visible_sql
from mapservice.programme.vocab import phase_label, state_label

ANSWERS = """
SELECT l.observation_id::text AS oid, m.id::text AS id, m.external_id, m.reference, m.title,
       m.phase, m.status, m.progress, l.reason
FROM measure_link l JOIN measure m ON m.id = l.measure_id
WHERE l.observation_id = ANY(CAST(:ids AS uuid[])) AND {visible}
ORDER BY m.reference, m.title
"""


def answering_measures(
    conn: Connection, viewer: Viewer, ids: list[str], lang: str = "de"
) -> dict[str, list[dict[str, Any]]]:
    """Per observation id: the readable measures linked to it (empty ids: no query)."""
    if not ids:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    rows = conn.execute(text(ANSWERS.format(visible=visible_sql(viewer, "m"))), {"ids": ids})
    for r in rows:
        out.setdefault(r.oid, []).append(
            {
                "id": r.id,
                "external_id": r.external_id,
                "reference": r.reference,
                "title": r.title,
                "phase": r.phase,
                "phase_label": phase_label(r.phase, lang),
                "status": r.status,
                "status_label": state_label(r.status, lang),
                "progress": r.progress,
                "reason": r.reason,
            }
        )
    return out


def measures_of(
    answers: dict[str, list[dict[str, Any]]], *observation_ids: str
) -> list[dict[str, Any]]:
    """The measures of one entry (a pair has two observations), each measure once."""
    seen: dict[str, dict[str, Any]] = {}
    for oid in observation_ids:
        for m in answers.get(oid, []):
            seen.setdefault(m["id"], m)
    return list(seen.values())
