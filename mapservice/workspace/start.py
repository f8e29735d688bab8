"""The start page's numbers: what waits for review, per quarter, within the caller's rights."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer, scope_condition

#: The state of an entry that waits for a planner (ws-review owns the states).
WAITING = "review"


def waiting_summary(conn: Connection, viewer: Viewer) -> dict[str, Any]:
    """Per quarter the observations, findings and photos in review; the totals; the rights.

    A restricted planner counts only its layers and sees only its quarters.
    """
    viewer.require("planner", "admin")
    obs, p1 = scope_condition(viewer, "o", prefix="so")
    fnd, p2 = scope_condition(viewer, "f", layer_array=True, prefix="sf")
    quarters = "true"
    params: dict[str, object] = {"w": WAITING, **p1, **p2}
    if viewer.quarters is not None:
        quarters = "q.id = ANY(CAST(:sq AS integer[]))"
        params["sq"] = sorted(viewer.quarters)
    rows = conn.execute(
        text(
            f"""
            SELECT q.slug, q.name, q.city, q.synthetic,
              (SELECT count(*) FROM observation o
                WHERE o.quarter_id = q.id AND o.status = :w AND {obs}) AS observations,
              (SELECT count(*) FROM finding f
                WHERE f.quarter_id = q.id AND f.status = :w AND {fnd}) AS findings,
              (SELECT count(*) FROM photo p JOIN observation o ON o.id = p.observation_id
                WHERE p.quarter_id = q.id AND o.status = :w AND {obs}) AS photos
            FROM quarter q WHERE {quarters} ORDER BY q.city, q.name
            """
        ),
        params,
    ).mappings()
    out = []
    total = {"observations": 0, "findings": 0, "photos": 0, "waiting": 0}
    for row in rows:
        entry = dict(row)
        entry["waiting"] = row["observations"] + row["findings"]
        for key in total:
            total[key] += entry[key]
        out.append(entry)
    return {"quarters": out, "total": total}
