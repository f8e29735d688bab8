"""Listing observations with filters and paging (what a planner's table or the app reads)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer, scope_sql
from mapservice.capture import observations
from mapservice.errors import InvalidInput


@dataclass
class ObservationFilter:
    quarter: str | None = None
    layer: str | None = None
    kind: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    walkthrough: uuid.UUID | None = None
    author: str | None = None
    limit: int = 100
    offset: int = 0


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``minLon,minLat,maxLon,maxLat`` in WGS 84; anything else is a clear 400."""
    if value is None:
        return None
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError:
        parts = ()
    if (
        len(parts) != 4
        or not all(p == p for p in parts)
        or not (-180 <= parts[0] <= parts[2] <= 180 and -90 <= parts[1] <= parts[3] <= 90)
    ):
        raise InvalidInput(
            "bbox muss 'minLänge,minBreite,maxLänge,maxBreite' in WGS 84 sein, "
            "z. B. 7.19,51.48,7.22,51.50.",
            "bbox must be 'minLon,minLat,maxLon,maxLat' in WGS 84, e.g. 7.19,51.48,7.22,51.50.",
            code="invalid_bbox",
        )
    return parts  # type: ignore[return-value]


def list_observations(
    conn: Connection, viewer: Viewer, flt: ObservationFilter
) -> tuple[list[dict[str, Any]], int]:
    where, params = observations.visibility(viewer)
    if viewer.role == "field" and flt.walkthrough is not None:
        # A team walks together on several phones: asked for one walkthrough, a field account
        # also reads its colleagues' entries of it (read-only: writing stays the author's),
        # except drafts and rejected ones, which stay between their author and the planners.
        where = f"({where} OR o.status NOT IN ('draft', 'rejected'))"
    clauses = [where]
    if viewer.sees_everything and viewer.restricted:  # planner lists: only its own scope
        clauses.append(scope_sql(viewer, "o"))
    simple = {
        "q.slug": flt.quarter, "o.layer_id": flt.layer, "o.kind": flt.kind,
        "o.status": flt.status, "o.walkthrough_id": flt.walkthrough, "o.author": flt.author,
    }  # fmt: skip
    for n, (column, value) in enumerate(simple.items()):
        if value is not None:
            clauses.append(f"{column} = :p{n}")
            params[f"p{n}"] = value
    if flt.since is not None:
        clauses.append("o.observed_at >= :since")
        params["since"] = flt.since
    if flt.until is not None:
        clauses.append("o.observed_at <= :until")
        params["until"] = flt.until
    if flt.bbox is not None:
        clauses.append("o.geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)")
        params.update(x0=flt.bbox[0], y0=flt.bbox[1], x1=flt.bbox[2], y1=flt.bbox[3])
    where_sql = " AND ".join(clauses)
    total = conn.execute(
        text(
            f"SELECT count(*) FROM observation o JOIN quarter q ON q.id = o.quarter_id "
            f"WHERE {where_sql}"
        ),
        params,
    ).scalar_one()
    rows = conn.execute(
        text(
            f"{observations.SELECT} WHERE {where_sql} "
            "ORDER BY o.observed_at DESC NULLS LAST, o.id LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": flt.limit, "offset": flt.offset},
    ).mappings()
    return [observations.redact(dict(r), viewer) for r in rows], int(total)
