"""Saved map views: create, list, read, change, delete — the SQL and the rights.

Planners and admins only. A planner sees and changes their own views; an admin all of them.
A planner restricted to some quarters (``account.quarters``) creates and lists views of those
quarters only. Every field is checked (:mod:`.fields`, :mod:`.overlays`) before anything is
written; names are bound parameters, so ``'; DROP TABLE map_view;--`` is stored as written.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from mapservice.access import Viewer
from mapservice.catalog import Catalog
from mapservice.errors import Conflict, Forbidden, InvalidInput, NotFound
from mapservice.workspace.views.fields import (
    check_extent,
    check_filters,
    check_layers,
    check_name,
)
from mapservice.workspace.views.overlays import check_overlays

ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: read aloud or typed from paper
FIELDS = ("name", "quarter", "layers", "filters", "extent", "overlays")

SELECT = """
SELECT v.id, v.name, v.owner, v.layers, v.filters, v.center_lat, v.center_lon, v.zoom,
       v.overlays, v.created_at, v.updated_at, v.quarter_id, q.slug AS quarter, q.name AS
       quarter_name
  FROM map_view v JOIN quarter q ON q.id = v.quarter_id
"""


def new_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(10))


def unknown_view(view_id: str) -> NotFound:
    return NotFound(
        f"Die Ansicht „{view_id[:64]}“ gibt es nicht (mehr).",
        f'There is no view "{view_id[:64]}" (any more).',
        code="unknown_view",
    )


def as_dict(row: Any, root: str = "") -> dict[str, Any]:
    """The API form of one view, with its share and embed links."""
    extent = None
    if row.zoom is not None:
        extent = {"lat": row.center_lat, "lon": row.center_lon, "zoom": int(row.zoom)}
    overlays = [{k: v for k, v in o.items() if k != "origin"} for o in row.overlays]
    return {
        "id": row.id,
        "name": row.name,
        "owner": row.owner,
        "quarter": row.quarter,
        "quarter_name": row.quarter_name,
        "layers": list(row.layers),
        "filters": row.filters,
        "extent": extent,
        "overlays": overlays,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "links": {
            "map": f"{root}/maps/{row.quarter}?ansicht={row.id}",
            "embed": f"{root}/embed/{row.quarter}?ansicht={row.id}",
        },
    }


def _quarter_id(conn: Connection, viewer: Viewer, raw: Any) -> int:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput(
            "Quartier fehlt.", "The quarter is missing.", code="view_quarter_missing"
        )
    found = conn.execute(
        text("SELECT id FROM quarter WHERE slug = :s"), {"s": raw.strip()[:64]}
    ).scalar()
    if found is None:
        raise InvalidInput(
            f"Unbekanntes Quartier „{raw[:64]}“.",
            f'Unknown quarter "{raw[:64]}".',
            code="unknown_quarter",
        )
    viewer.require_scope(quarter_id=int(found))
    return int(found)


def _values(
    conn: Connection, catalog: Catalog, viewer: Viewer, body: dict[str, Any]
) -> dict[str, Any]:
    """Checked column values for the fields present in ``body``."""
    out: dict[str, Any] = {}
    if "name" in body:
        out["name"] = check_name(body["name"])
    if "quarter" in body:
        out["quarter_id"] = _quarter_id(conn, viewer, body["quarter"])
    if "layers" in body:
        out["layers"] = check_layers(body["layers"], catalog, viewer)
    if "filters" in body:
        out["filters"] = json.dumps(check_filters(body["filters"]), ensure_ascii=False)
    if "extent" in body:
        extent = check_extent(body["extent"])
        out["center_lat"], out["center_lon"], out["zoom"] = extent or (None, None, None)
    if "overlays" in body:
        out["overlays"] = json.dumps(check_overlays(body["overlays"]), ensure_ascii=False)
    return out


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"Sie haben in diesem Quartier schon eine Ansicht „{name}“.",
        f'You already have a view "{name}" in this quarter.',
        code="view_name_taken",
    )


def _write(conn: Connection, sql: str, params: dict[str, Any], name: str) -> Any:
    try:
        with conn.begin_nested():
            return conn.execute(text(sql), params).scalar_one()
    except IntegrityError as exc:
        if "uq_map_view_owner_quarter_id_name" in str(exc.orig):
            raise _name_taken(name) from None
        raise


def create_view(
    conn: Connection, catalog: Catalog, viewer: Viewer, body: dict[str, Any]
) -> dict[str, Any]:
    viewer.require("planner", "admin")
    if "name" not in body:
        check_name(None)  # raises: a view needs a name
    if "quarter" not in body:
        _quarter_id(conn, viewer, None)  # raises: and a quarter
    values = {
        "layers": [],
        "filters": "{}",
        "center_lat": None,
        "center_lon": None,
        "zoom": None,
        "overlays": "[]",
        **_values(conn, catalog, viewer, body),
    }
    view_id = _write(
        conn,
        "INSERT INTO map_view (id, quarter_id, name, owner, layers, filters, center_lat, "
        "center_lon, zoom, overlays) VALUES (:id, :quarter_id, :name, :owner, :layers, "
        "CAST(:filters AS jsonb), :center_lat, :center_lon, :zoom, CAST(:overlays AS jsonb)) "
        "RETURNING id",
        {"id": new_id(), "owner": viewer.name, **values},
        values["name"],
    )
    return get_view(conn, viewer, view_id)


def _own_row(conn: Connection, viewer: Viewer, view_id: str) -> Any:
    """The view's row when the viewer may change it: 404 unknown, 403 someone else's."""
    viewer.require("planner", "admin")
    row = conn.execute(text(SELECT + " WHERE v.id = :id"), {"id": view_id[:64]}).first()
    if row is None:
        raise unknown_view(view_id)
    if viewer.role != "admin" and row.owner != viewer.name:
        raise Forbidden(
            "Diese Ansicht gehört einem anderen Konto; nur Administrator*innen dürfen sie ändern.",
            "This view belongs to another account; only admins may change it.",
            code="not_your_view",
        )
    viewer.require_scope(quarter_id=row.quarter_id)
    return row


def get_view(conn: Connection, viewer: Viewer, view_id: str) -> dict[str, Any]:
    return as_dict(_own_row(conn, viewer, view_id))


def list_views(conn: Connection, viewer: Viewer, quarter: str | None = None) -> list[dict]:
    """Own views (admins: everyone's), newest change first; optionally of one quarter."""
    viewer.require("planner", "admin")
    where, params = ["true"], {}
    if viewer.role != "admin":
        where.append("v.owner = :owner")
        params["owner"] = viewer.name
    if viewer.quarters is not None:
        where.append("v.quarter_id = ANY(CAST(:quarters AS integer[]))")
        params["quarters"] = sorted(viewer.quarters)
    if quarter:
        where.append("q.slug = :slug")
        params["slug"] = quarter[:64]
    rows = conn.execute(
        text(SELECT + " WHERE " + " AND ".join(where) + " ORDER BY v.updated_at DESC, v.id"),
        params,
    )
    return [as_dict(r) for r in rows]


def update_view(
    conn: Connection, catalog: Catalog, viewer: Viewer, view_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Change the fields given (rename = ``{"name": …}``); the others stay."""
    row = _own_row(conn, viewer, view_id)
    values = _values(conn, catalog, viewer, body)
    if not values:
        return as_dict(row)
    casts = {"filters": "CAST(:filters AS jsonb)", "overlays": "CAST(:overlays AS jsonb)"}
    sets = ", ".join(f"{k} = {casts.get(k, ':' + k)}" for k in values)
    _write(
        conn,
        f"UPDATE map_view SET {sets}, updated_at = now() WHERE id = :id RETURNING id",
        {"id": row.id, **values},
        values.get("name", row.name),
    )
    return get_view(conn, viewer, row.id)


def delete_view(conn: Connection, viewer: Viewer, view_id: str) -> None:
    row = _own_row(conn, viewer, view_id)
    conn.execute(text("DELETE FROM map_view WHERE id = :id"), {"id": row.id})
