"""Reading measures: who sees which, their figures, one measure, a list, the tree.

Visibility is one rule (``visible_sql``): the public and field teams read published measures
only; planners and admins read all — an account kept to some quarters reads everything of
those quarters and the published rest. Figures are computed over the measures the viewer
can see, so the public can recompute every published figure from published children and
their (public) weights.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.errors import NotFound
from mapservice.programme import progress
from mapservice.programme.vocab import phase_label, state_label


def visible_sql(viewer: Viewer, alias: str = "m") -> str:
    """SQL condition for the measures ``viewer`` may read (values inlined: ints only)."""
    if not viewer.sees_everything:
        return f"{alias}.published"
    if viewer.quarters is None:
        return "true"
    ids = ", ".join(str(int(q)) for q in sorted(viewer.quarters)) or "NULL"
    return (
        f"({alias}.published OR EXISTS (SELECT 1 FROM measure_quarter vq "
        f"WHERE vq.measure_id = {alias}.id AND vq.quarter_id IN ({ids})))"
    )


def not_found(mid: object) -> NotFound:
    return NotFound(
        f"Maßnahme {mid} nicht gefunden.", f"Measure {mid} not found.", code="unknown_measure"
    )


SELECT = """
SELECT m.id, m.external_id, m.reference, m.title, m.description, m.parent_id,
       ST_AsGeoJSON(m.geom, 7)::json AS geometry, m.layer_ids, m.dimensions, m.responsible,
       m.start_date, m.end_date, m.budget, m.phase, m.status, m.progress, m.weight,
       m.published, m.synthetic, m.version, m.created_at, m.updated_at, m.actor_id,
       ARRAY(SELECT q.slug FROM measure_quarter mq JOIN quarter q ON q.id = mq.quarter_id
              WHERE mq.measure_id = m.id ORDER BY q.slug) AS quarters,
       s.on_date AS sachstand_date, s.title AS sachstand_title, s.body AS sachstand_text
  FROM measure m
  LEFT JOIN LATERAL (
    SELECT ms.on_date, ms.title, ms.body FROM measure_milestone ms
     WHERE ms.measure_id = m.id AND ms.on_date <= current_date
     ORDER BY ms.on_date DESC, ms.id DESC LIMIT 1) s ON true
"""


@dataclass(frozen=True)
class MeasureFilter:
    """What a list asks for; every field narrows it (``None`` = no condition)."""

    quarter: str | None = None
    phase: str | None = None
    status: str | None = None
    layer: str | None = None
    dimension: str | None = None
    parent: uuid.UUID | None = None
    roots: bool = False
    observation: uuid.UUID | None = None
    finding: uuid.UUID | None = None
    search: str | None = None
    located: bool = False  # only measures with a geometry (maps, OGC items)
    bbox: tuple[float, float, float, float] | None = None
    #: a translated CQL2 ``filter`` (mapservice.programme.queryables): SQL over alias ``m``
    condition: str | None = None
    condition_params: dict[str, Any] = field(default_factory=dict)
    limit: int = 1000
    offset: int = 0

    def sql(self) -> tuple[str, dict[str, Any]]:
        parts, params = [], {}
        if self.quarter is not None:
            parts.append(
                "EXISTS (SELECT 1 FROM measure_quarter fq JOIN quarter fqq "
                "ON fqq.id = fq.quarter_id WHERE fq.measure_id = m.id "
                "AND fqq.slug = :f_quarter)"
            )
            params["f_quarter"] = self.quarter
        for name in ("phase", "status"):
            if getattr(self, name) is not None:
                parts.append(f"m.{name} = :f_{name}")
                params[f"f_{name}"] = getattr(self, name)
        if self.layer is not None:
            parts.append(":f_layer = ANY(m.layer_ids)")
            params["f_layer"] = self.layer
        if self.dimension is not None:
            parts.append(":f_dimension = ANY(m.dimensions)")
            params["f_dimension"] = self.dimension
        if self.parent is not None:
            parts.append("m.parent_id = :f_parent")
            params["f_parent"] = self.parent
        if self.roots:
            parts.append("m.parent_id IS NULL")
        if self.observation is not None:
            parts.append(
                "EXISTS (SELECT 1 FROM measure_link fl WHERE fl.measure_id = m.id "
                "AND fl.observation_id = :f_obs)"
            )
            params["f_obs"] = self.observation
        if self.finding is not None:
            parts.append(
                "EXISTS (SELECT 1 FROM measure_link fl WHERE fl.measure_id = m.id "
                "AND fl.finding_id = :f_finding)"
            )
            params["f_finding"] = self.finding
        if self.search:
            parts.append(
                "(m.title ILIKE :f_q OR m.description ILIKE :f_q "
                "OR m.reference ILIKE :f_q OR m.external_id ILIKE :f_q)"
            )
            escaped = self.search.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            params["f_q"] = f"%{escaped}%"
        if self.located:
            parts.append("m.geom IS NOT NULL")
        if self.bbox is not None:
            parts.append("ST_Intersects(m.geom, ST_MakeEnvelope(:b0, :b1, :b2, :b3, 4326))")
            params.update({f"b{i}": v for i, v in enumerate(self.bbox)})
        if self.condition is not None:
            parts.append(self.condition)
            params.update(self.condition_params)
        return " AND ".join(parts) or "true", params


def figures(conn: Connection, viewer: Viewer) -> dict[Any, progress.Figure]:
    """The figure of every measure the viewer may read (one light query over all of them)."""
    rows = conn.execute(
        text(
            f"SELECT m.id, m.parent_id, m.progress, m.weight FROM measure m "
            f"WHERE {visible_sql(viewer)}"
        )
    ).all()
    nodes = {r.id: progress.Node(r.parent_id, r.progress, r.weight) for r in rows}
    return progress.compute(nodes)


def shape(
    row: Any, figs: dict[Any, progress.Figure], children: dict[Any, int], lang: str = "de"
) -> dict[str, Any]:
    """One measure as the API serves it. A parent the viewer cannot see is not named."""
    figure = figs.get(row.id, progress.Figure(None, None))
    sachstand = None
    if row.sachstand_date is not None:
        sachstand = {
            "on_date": row.sachstand_date,
            "title": row.sachstand_title,
            "text": row.sachstand_text,
        }
    return {
        "id": row.id,
        "external_id": row.external_id,
        "reference": row.reference,
        "title": row.title,
        "description": row.description,
        "quarters": list(row.quarters),
        "geometry": row.geometry,
        "layers": list(row.layer_ids),
        "dimensions": list(row.dimensions),
        "parent_id": row.parent_id if row.parent_id in figs else None,
        "children": children.get(row.id, 0),
        "responsible": row.responsible,
        "responsible_actor": row.actor_id,  # an id here; named by with_actors()
        "start_date": row.start_date,
        "end_date": row.end_date,
        "budget": float(row.budget) if row.budget is not None else None,
        "phase": row.phase,
        "phase_label": phase_label(row.phase, lang),
        "status": row.status,
        "status_label": state_label(row.status, lang),
        "progress": figure.value,
        "progress_basis": figure.basis,
        "progress_manual": row.progress,
        "weight": row.weight,
        "published": row.published,
        "synthetic": row.synthetic,
        "sachstand": sachstand,
        "version": row.version,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _children(conn: Connection, viewer: Viewer) -> dict[Any, int]:
    rows = conn.execute(
        text(
            f"SELECT m.parent_id, count(*) AS n FROM measure m WHERE m.parent_id IS NOT NULL "
            f"AND {visible_sql(viewer)} GROUP BY m.parent_id"
        )
    ).all()
    return {r.parent_id: int(r.n) for r in rows}


def with_actors(conn: Connection, viewer: Viewer, items: list[dict[str, Any]]) -> list[dict]:
    """``responsible_actor``: the linked actor's id and name as the viewer may read them
    (the consent rule of the actors), or None — never a withheld person's name."""
    from mapservice.programme.actors.reads import names

    found = names(conn, viewer, {m["responsible_actor"] for m in items} - {None})
    for m in items:
        aid = m["responsible_actor"]
        m["responsible_actor"] = {"id": str(aid), "name": found[aid]} if aid in found else None
    return items


def list_measures(
    conn: Connection, viewer: Viewer, flt: MeasureFilter, lang: str = "de"
) -> tuple[list[dict[str, Any]], int]:
    """The measures ``flt`` selects that ``viewer`` may read, and how many there are."""
    where, params = flt.sql()
    condition = f"{visible_sql(viewer)} AND {where}"
    total = conn.execute(
        text(f"SELECT count(*) FROM measure m WHERE {condition}"), params
    ).scalar_one()
    rows = conn.execute(
        text(
            f'{SELECT} WHERE {condition} ORDER BY m.reference COLLATE "C", m.title, m.id '
            "LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": flt.limit, "offset": flt.offset},
    ).all()
    figs, kids = figures(conn, viewer), _children(conn, viewer)
    return with_actors(conn, viewer, [shape(r, figs, kids, lang) for r in rows]), int(total)


def get_measure(
    conn: Connection, viewer: Viewer, mid: uuid.UUID, lang: str = "de"
) -> dict[str, Any]:
    row = conn.execute(
        text(f"{SELECT} WHERE m.id = :id AND {visible_sql(viewer)}"), {"id": mid}
    ).first()
    if row is None:
        raise not_found(mid)
    return with_actors(
        conn, viewer, [shape(row, figures(conn, viewer), _children(conn, viewer), lang)]
    )[0]


def tree(
    conn: Connection, viewer: Viewer, quarter: str | None = None, lang: str = "de"
) -> list[dict[str, Any]]:
    """The measures as nested ``items`` (Projektfamilie → Projekt → Teilprojekt …).

    With ``quarter``, only measures of that quarter; one whose parent is not in the set
    (another quarter's, or a draft the viewer cannot see) is a root of its own.
    """
    items, _ = list_measures(conn, viewer, MeasureFilter(quarter=quarter, limit=100_000), lang)
    by_id = {m["id"]: {**m, "items": []} for m in items}
    roots = []
    for node in by_id.values():
        parent = by_id.get(node["parent_id"])
        (parent["items"] if parent is not None else roots).append(node)
    return roots
