"""The moderation queue ("Freigabe"): observations and findings in one list, with filters.

One SQL source (:data:`ENTRIES`) feeds the list, the counts in the navigation and the bulk
actions over "everything the filter matches", so the number a planner sees is the number a
bulk action moves. An entry with an open revision (a change to a published entry, see
``capture/revisions.py``) is listed with the revision's state and the values it proposes.
Restricted planners get only their layers/quarters (``access.scope_condition``) — in the
list, the counts and the bulk actions alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer, scope_condition
from mapservice.errors import InvalidInput

OPEN = "('review', 'changes_requested')"
#: What the queue shows; ``waiting`` (the default) is what a planner has to decide.
STATES = ("review", "changes_requested", "published", "rejected", "draft")
WAITING = "review"
TYPES = ("observation", "finding")
KINDS = ("strength", "problem", "potential", "idea")

#: Both kinds of entry as one relation; ``{obs}``/``{fnd}`` are the viewer's scope.
ENTRIES = f"""
SELECT 'observation'::text AS type, o.id, o.quarter_id, q.slug AS quarter,
  q.name AS quarter_name,
  ARRAY[coalesce(r.changes->>'layer_id', o.layer_id)] AS layers,
  coalesce(r.changes->>'kind', o.kind) AS kind,
  coalesce(r.changes->>'title', o.title) AS title,
  o.walkthrough_id, coalesce(r.author, o.author) AS author,
  coalesce(o.observed_at, o.created_at) AS at,
  coalesce(r.updated_at, o.updated_at) AS changed_at,
  CASE WHEN r.id IS NULL THEN o.status ELSE r.state END AS state,
  r.id AS revision_id, o.status AS entry_status, o.version
FROM observation o JOIN quarter q ON q.id = o.quarter_id
LEFT JOIN revision r ON r.observation_id = o.id AND r.state IN {OPEN}
WHERE {{obs}}
UNION ALL
SELECT 'finding'::text, f.id, f.quarter_id, q.slug, q.name,
  CASE WHEN r.changes ? 'layer_ids'
       THEN ARRAY(SELECT jsonb_array_elements_text(r.changes->'layer_ids'))
       ELSE f.layer_ids END,
  coalesce(r.changes->>'kind', f.kind),
  left(coalesce(r.changes->>'statement', f.statement), 200),
  NULL::uuid, NULL::text, f.created_at,
  coalesce(r.updated_at, f.updated_at),
  CASE WHEN r.id IS NULL THEN f.status ELSE r.state END,
  r.id, f.status, f.version
FROM finding f JOIN quarter q ON q.id = f.quarter_id
LEFT JOIN revision r ON r.finding_id = f.id AND r.state IN {OPEN}
WHERE {{fnd}}
"""


@dataclass
class QueueFilter:
    """What the planner filtered by; empty fields do not filter."""

    quarter: str | None = None
    layer: str | None = None
    kind: str | None = None
    type: str | None = None
    walkthrough: uuid.UUID | None = None
    author: str | None = None
    since: date | None = None
    until: date | None = None
    state: str = WAITING
    ids: list[uuid.UUID] = field(default_factory=list)  # a selection (bulk actions)


def bad_filter(name: str, value: object, allowed: str) -> InvalidInput:
    return InvalidInput(
        f"Filter {name}: {str(value)[:40]!r} ist nicht erlaubt ({allowed}).",
        f"Filter {name}: {str(value)[:40]!r} is not allowed ({allowed}).",
        code="invalid_filter",
    )


def check_filter(flt: QueueFilter) -> None:
    """A clear 400 for a value the queue does not know (instead of silently nothing)."""
    if flt.state not in (*STATES, "all"):
        raise bad_filter("state", flt.state, ", ".join((*STATES, "all")))
    if flt.kind is not None and flt.kind not in KINDS:
        raise bad_filter("kind", flt.kind, ", ".join(KINDS))
    if flt.type is not None and flt.type not in TYPES:
        raise bad_filter("type", flt.type, ", ".join(TYPES))
    if flt.since and flt.until and flt.since > flt.until:
        raise bad_filter("since/until", f"{flt.since} > {flt.until}", "since ≤ until")


def source(viewer: Viewer) -> tuple[str, dict[str, Any]]:
    """:data:`ENTRIES` limited to the viewer's rights (planners and admins only)."""
    viewer.require("planner", "admin")
    obs, p1 = scope_condition(viewer, "o", prefix="so")
    fnd, p2 = scope_condition(viewer, "f", layer_array=True, prefix="sf")
    return ENTRIES.format(obs=obs, fnd=fnd), {**p1, **p2}


def where(flt: QueueFilter) -> tuple[str, dict[str, Any]]:
    """The filter as a condition on the alias ``e`` of :data:`ENTRIES`."""
    check_filter(flt)
    parts: list[str] = []
    params: dict[str, Any] = {}
    if flt.state != "all":
        parts.append("e.state = :f_state")
        params["f_state"] = flt.state
    for name in ("quarter", "kind", "type", "author"):
        value = getattr(flt, name)
        if value:
            parts.append(f"e.{name} = :f_{name}")
            params[f"f_{name}"] = value
    if flt.layer:
        parts.append("CAST(:f_layer AS text) = ANY(e.layers)")
        params["f_layer"] = flt.layer
    if flt.walkthrough:
        parts.append("e.walkthrough_id = :f_walk")
        params["f_walk"] = flt.walkthrough
    if flt.since:
        parts.append("e.at >= CAST(:f_since AS date)")
        params["f_since"] = flt.since
    if flt.until:  # the whole last day
        parts.append("e.at < CAST(:f_until AS date)")
        params["f_until"] = flt.until + timedelta(days=1)
    if flt.ids:
        parts.append("e.id = ANY(CAST(:f_ids AS uuid[]))")
        params["f_ids"] = [str(i) for i in flt.ids]
    return " AND ".join(parts) or "true", params


def list_queue(
    conn: Connection, viewer: Viewer, flt: QueueFilter, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """One page of the queue (oldest change first: the longest waiting comes first)."""
    entries, params = source(viewer)
    cond, fparams = where(flt)
    params.update(fparams, limit=limit, offset=offset)
    total = conn.execute(
        text(f"SELECT count(*) FROM ({entries}) e WHERE {cond}"), params
    ).scalar_one()
    rows = conn.execute(
        text(
            f"""
            SELECT e.*, (SELECT count(*) FROM photo p WHERE p.observation_id = e.id
                           AND (p.revision_id IS NULL OR p.revision_id = e.revision_id))
                          AS photos
            FROM (SELECT * FROM ({entries}) e WHERE {cond}
                  ORDER BY e.changed_at, e.id LIMIT :limit OFFSET :offset) e
            ORDER BY e.changed_at, e.id
            """
        ),
        params,
    ).mappings()
    items = []
    for row in rows:
        item = dict(row)
        item["layer"] = item["layers"][0] if item["layers"] else None
        item["pending_revision"] = item.pop("revision_id") is not None
        items.append(item)
    return {"items": items, "total": int(total), "limit": limit, "offset": offset}


def waiting_counts(conn: Connection, viewer: Viewer, state: str = WAITING) -> dict[str, Any]:
    """Per quarter and per (quarter, layer): waiting observations, findings and their photos.

    A finding on two layers counts once per layer but once in its quarter.
    """
    entries, params = source(viewer)
    params["w"] = state
    rows = conn.execute(
        text(
            f"""
            WITH w AS (SELECT * FROM ({entries}) e WHERE e.state = :w),
            ph AS (SELECT w.id, count(*) AS n FROM w JOIN photo p ON p.observation_id = w.id
                     AND ((w.revision_id IS NULL AND p.revision_id IS NULL)
                          OR p.revision_id = w.revision_id)
                   GROUP BY w.id)
            SELECT w.quarter, w.quarter_name, l.layer,
              count(DISTINCT w.id) FILTER (WHERE w.type = 'observation') AS observations,
              count(DISTINCT w.id) FILTER (WHERE w.type = 'finding') AS findings,
              coalesce(sum(ph.n), 0) AS photos,  -- findings have none: no double count
              GROUPING(l.layer) AS quarter_row
            FROM w CROSS JOIN LATERAL unnest(w.layers) AS l(layer)
            LEFT JOIN ph ON ph.id = w.id
            GROUP BY GROUPING SETS ((w.quarter, w.quarter_name, l.layer),
                                    (w.quarter, w.quarter_name))
            """
        ),
        params,
    ).mappings()
    quarters: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = quarters.setdefault(
            row["quarter"],
            {
                "name": row["quarter_name"],
                "observations": 0,
                "findings": 0,
                "photos": 0,
                "waiting": 0,
                "layers": {},
            },
        )
        counts = {"observations": int(row["observations"]), "findings": int(row["findings"])}
        if row["quarter_row"]:
            entry.update(counts, photos=int(row["photos"]))
            entry["waiting"] = counts["observations"] + counts["findings"]
        else:
            entry["layers"][row["layer"]] = {
                **counts,
                "photos": int(row["photos"]),
                "waiting": counts["observations"] + counts["findings"],
            }
    total = {key: sum(q[key] for q in quarters.values()) for key in
             ("observations", "findings", "photos", "waiting")}  # fmt: skip
    return {"state": state, "quarters": quarters, "total": total}
