"""What the field team sees of the moderation of its own entries (the field app asks this).

Per own observation: the entry's state, the state of its pending change if any, and the
latest planner note with who wrote it and when — the note is what a field team needs to fix
an entry with changes requested, or to understand why one was rejected.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer

MINE = """
SELECT o.id, o.title, o.status, o.version, r.state AS pending,
       ev.note, ev.to_status AS note_status, ev.at AS note_at, ev.account AS note_by
FROM observation o
LEFT JOIN revision r ON r.observation_id = o.id AND r.state IN ('review', 'changes_requested')
LEFT JOIN LATERAL (
  SELECT e.note, e.to_status, e.at, coalesce(nullif(a.display_name, ''), a.name) AS account
  FROM moderation_event e LEFT JOIN account a ON a.id = e.account_id
  WHERE e.observation_id = o.id AND e.note <> '' AND e.account_id IS DISTINCT FROM :me
  ORDER BY e.at DESC, e.id DESC LIMIT 1
) ev ON true
WHERE o.author = :name AND (CAST(:ids AS uuid[]) IS NULL OR o.id = ANY(CAST(:ids AS uuid[])))
ORDER BY o.updated_at DESC, o.id
LIMIT 1000
"""


def my_states(
    conn: Connection, viewer: Viewer, ids: list[uuid.UUID] | None = None
) -> list[dict[str, Any]]:
    """The moderation state of the caller's own observations (newest first, at most 1,000).

    ``state`` is what the field app shows: the pending change's state while one is open
    (the published version stays public meanwhile), else the entry's.
    """
    viewer.require("field", "planner", "admin")
    rows = conn.execute(
        text(MINE),
        {"name": viewer.name, "me": viewer.account_id,
         "ids": [str(i) for i in ids] if ids else None},
    ).mappings()  # fmt: skip
    out = []
    for row in rows:
        item = dict(row)
        item["state"] = item["pending"] or item["status"]
        out.append(item)
    return out
