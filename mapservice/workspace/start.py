"""The start page's numbers: what waits for review, per quarter, within the caller's rights.

The counts are the moderation queue's (:func:`review.queue.waiting_counts`): the nav badge,
the start page and the Freigabe page show the same numbers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.workspace.review.queue import WAITING, waiting_counts

__all__ = ["WAITING", "waiting_summary"]


def waiting_summary(conn: Connection, viewer: Viewer) -> dict[str, Any]:
    """Per quarter the observations, findings and photos in review; the totals; the rights.

    A restricted planner counts only its layers and sees only its quarters.
    """
    counts = waiting_counts(conn, viewer)
    quarters = "true"
    params: dict[str, object] = {}
    if viewer.quarters is not None:
        quarters = "q.id = ANY(CAST(:sq AS integer[]))"
        params["sq"] = sorted(viewer.quarters)
    rows = conn.execute(
        text(
            f"SELECT q.slug, q.name, q.city, q.synthetic FROM quarter q WHERE {quarters} "
            "ORDER BY q.city, q.name"
        ),
        params,
    ).mappings()
    out = []
    empty = {"observations": 0, "findings": 0, "photos": 0, "waiting": 0}
    for row in rows:
        found = counts["quarters"].get(row["slug"], empty)
        out.append({**dict(row), **{key: found[key] for key in empty}})
    return {"quarters": out, "total": counts["total"]}
