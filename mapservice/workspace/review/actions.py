"""Decisions over a selection or over everything a filter matches — set-based, not per row.

Why a temporary pick table: the entries a filter matches are computed once (the same SQL
the list counts with, :mod:`.queue`), then a fixed handful of statements moves them all —
entries, their open revisions and one ``moderation_event`` row each — whatever their number.
10,000 entries are the same five statements as one. Each UPDATE re-checks the state the pick
saw, so an entry another planner decided meanwhile is left alone.

The rules are those of single moves (``capture/observations.py``): rejecting and requesting
changes need a comment; a published entry's open revision is decided, not the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture import revisions
from mapservice.capture.observations import observation_layer
from mapservice.catalog import Catalog
from mapservice.errors import InvalidInput
from mapservice.workspace.review.queue import QueueFilter, source, where

Action = Literal["publish", "reject", "request_changes", "assign_layer"]
TARGET = {"publish": "published", "reject": "rejected", "request_changes": "changes_requested"}
#: From which states each action moves an entry (others matched by the filter are skipped).
FROM = {
    "publish": ("review", "changes_requested"),
    "reject": ("review", "changes_requested"),
    "request_changes": ("review",),
    "assign_layer": ("review", "changes_requested", "rejected"),
}


@dataclass
class Outcome:
    matched: int
    moved: int
    skipped: int

    def as_dict(self) -> dict[str, int]:
        return {"matched": self.matched, "moved": self.moved, "skipped": self.skipped}


def _pick(conn: Connection, viewer: Viewer, flt: QueueFilter) -> int:
    entries, params = source(viewer)
    cond, fparams = where(flt)
    conn.execute(text("DROP TABLE IF EXISTS review_pick"))
    conn.execute(
        text(
            "CREATE TEMP TABLE review_pick ON COMMIT DROP AS "
            "SELECT e.type, e.id, e.quarter_id, e.revision_id, e.state AS from_state, "
            f"e.entry_status FROM ({entries}) e WHERE {cond}"
        ),
        {**params, **fparams},
    )
    return int(conn.execute(text("SELECT count(*) FROM review_pick")).scalar_one())


def _events(conn: Connection, viewer: Viewer, to: str | None, note: str) -> None:
    """One moderation_event per picked entry (``to`` None: the state stays, e.g. a layer)."""
    conn.execute(
        text(
            "INSERT INTO moderation_event (quarter_id, observation_id, finding_id, from_status, "
            "to_status, account_id, note, revision_id) SELECT quarter_id, "
            "CASE WHEN type = 'observation' THEN id END, CASE WHEN type = 'finding' THEN id END, "
            "from_state, coalesce(CAST(:to AS text), from_state), :a, :n, revision_id "
            "FROM review_pick"
        ),
        {"to": to, "a": viewer.account_id, "n": note},
    )


def decide(
    conn: Connection,
    catalog: Catalog,
    viewer: Viewer,
    action: Action,
    flt: QueueFilter,
    note: str = "",
    layer: str | None = None,
) -> Outcome:
    """Apply ``action`` to every entry ``flt`` matches within the viewer's rights."""
    viewer.require("planner", "admin")
    if action not in FROM:
        raise InvalidInput(
            f"Unbekannte Aktion {str(action)[:30]!r}.",
            f"Unknown action {str(action)[:30]!r}.",
            code="unknown_action",
        )
    note = (note or "").strip()
    if action in TARGET:
        revisions.require_note(TARGET[action], note)
    target_layer = None
    if action == "assign_layer":
        if not layer:
            raise InvalidInput("Themenebene fehlt.", "The layer is missing.", code="layer_required")
        target_layer = observation_layer(catalog, layer)
        viewer.require_scope(layers=target_layer.id)
    matched = _pick(conn, viewer, flt)
    conn.execute(
        text("DELETE FROM review_pick WHERE NOT from_state = ANY(CAST(:s AS text[]))"),
        {"s": list(FROM[action])},
    )
    if target_layer is not None:
        types = [str(t) for t in target_layer.geometry_types]
        conn.execute(  # a point layer takes no areas: such entries are skipped
            text(
                "DELETE FROM review_pick p USING observation o LEFT JOIN revision r "
                "ON r.observation_id = o.id AND r.state IN ('review', 'changes_requested') "
                "WHERE p.type = 'observation' AND o.id = p.id AND NOT "
                "substr(ST_GeometryType(coalesce(r.geom, o.geom)), 4) = ANY(CAST(:t AS text[]))"
            ),
            {"t": types},
        )
    moved = int(conn.execute(text("SELECT count(*) FROM review_pick")).scalar_one())
    if moved:
        if target_layer is not None:
            _assign(conn, target_layer.id)
            _events(conn, viewer, None, f"Themenebene / layer: {target_layer.id}")
        else:
            _move(conn, TARGET[action])
            _events(conn, viewer, TARGET[action], note)
    return Outcome(matched, moved, matched - moved)


REVISIONS = "SELECT revision_id FROM review_pick WHERE revision_id IS NOT NULL"


def _move(conn: Connection, to: str) -> None:
    for table in ("observation", "finding"):
        conn.execute(
            text(
                f"UPDATE {table} t SET status = :to, version = t.version + 1, updated_at = now() "
                f"FROM review_pick p WHERE p.type = '{table}' AND p.revision_id IS NULL "
                "AND t.id = p.id AND t.status = p.from_state"
            ),
            {"to": to},
        )
    if to == "published":
        revisions.apply(conn, REVISIONS, {})
    else:
        revisions.close(conn, REVISIONS, {}, to)


def _assign(conn: Connection, layer: str) -> None:
    params: dict[str, Any] = {"l": layer}
    conn.execute(
        text(
            "UPDATE observation t SET layer_id = :l, version = t.version + 1, updated_at = now() "
            "FROM review_pick p WHERE p.type = 'observation' AND p.revision_id IS NULL "
            "AND t.id = p.id AND t.status = p.from_state"
        ),
        params,
    )
    conn.execute(
        text(
            "UPDATE finding t SET layer_ids = ARRAY[CAST(:l AS text)], version = t.version + 1, "
            "updated_at = now() FROM review_pick p WHERE p.type = 'finding' "
            "AND p.revision_id IS NULL AND t.id = p.id AND t.status = p.from_state"
        ),
        params,
    )
    conn.execute(  # a pending change of a published entry: the layer is part of the change
        text(
            "UPDATE revision r SET updated_at = now(), changes = r.changes || CASE "
            "WHEN p.type = 'observation' THEN jsonb_build_object('layer_id', CAST(:l AS text)) "
            "ELSE jsonb_build_object('layer_ids', jsonb_build_array(CAST(:l AS text))) END "
            "FROM review_pick p WHERE r.id = p.revision_id"
        ),
        params,
    )
