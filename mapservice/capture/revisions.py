"""Pending revisions: a change to a published entry waits beside it until a planner decides.

Why a table of its own instead of a second status on the row: tiles, OGC items, ``/api``,
exports and the cluster grid all read ``observation``/``finding`` rows with
``status = 'published'``. Keeping the published row untouched while the change waits in
``revision`` (migration 0006) means every public output keeps showing the published version
without knowing that revisions exist. Approving applies the stored values to the row in one
set-based UPDATE; rejecting only closes the revision.

``changes`` holds new values by column name (JSON); a moved geometry is ``revision.geom``.
A finding's public text and public geometry are computed when the change is staged (they need
the quarter's gazetteer), so applying stays pure SQL.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.errors import InvalidInput

Target = Literal["observation", "finding"]
OPEN = ("review", "changes_requested")
OPEN_SQL = "('review', 'changes_requested')"


#: States a planner may only move an entry to with a note the field team reads.
NOTE_REQUIRED = frozenset({"rejected", "changes_requested"})


def require_note(status: str, note: str | None) -> None:
    """400 ``note_required`` when rejecting or requesting changes without a comment."""
    if status in NOTE_REQUIRED and not (note or "").strip():
        what_de = "Ablehnen" if status == "rejected" else "Änderungen erbitten"
        what_en = "Rejecting" if status == "rejected" else "Requesting changes"
        raise InvalidInput(
            f"{what_de} braucht einen Kommentar: das Feldteam liest ihn in der Erfassungs-App.",
            f"{what_en} needs a comment: the field team reads it in the field app.",
            code="note_required",
        )


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def open_revision(conn: Connection, target: Target, entry_id: uuid.UUID) -> dict[str, Any] | None:
    """The entry's open revision (state, changes, moved geometry as GeoJSON), or None."""
    row = (
        conn.execute(
            text(
                "SELECT r.id, r.state, r.changes, ST_AsGeoJSON(r.geom, 7)::json AS geometry, "
                "r.author, r.source, r.created_at, r.updated_at FROM revision r "
                f"WHERE r.{target}_id = :id AND r.state IN {OPEN_SQL}"
            ),
            {"id": entry_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def stage(
    conn: Connection,
    viewer: Viewer,
    target: Target,
    entry_id: uuid.UUID,
    changes: dict[str, Any],
    geom_wkb: bytes | None = None,
    source: str = "edit",
) -> int:
    """Store ``changes`` of a published entry as (part of) its open revision; back to review.

    Later changes are merged into the open revision (newer values win), so a field team that
    fixes an entry twice leaves one revision to decide. Records the move to ``review`` in
    ``moderation_event`` (from ``published``, or from ``changes_requested`` on a resend).
    """
    before = open_revision(conn, target, entry_id)
    payload = json.dumps({k: _json(v) for k, v in changes.items()})
    rid = conn.execute(
        text(
            f"INSERT INTO revision (quarter_id, {target}_id, changes, geom, author, source) "
            f"SELECT t.quarter_id, t.id, CAST(:c AS jsonb), ST_GeomFromWKB(:g, 4326), :a, :s "
            f"FROM {target} t WHERE t.id = :id "
            f"ON CONFLICT ({target}_id, quarter_id) "
            f"WHERE state IN {OPEN_SQL} AND {target}_id IS NOT NULL "
            "DO UPDATE SET changes = revision.changes || EXCLUDED.changes, "
            "geom = coalesce(EXCLUDED.geom, revision.geom), state = 'review', "
            "author = EXCLUDED.author, updated_at = now() RETURNING id"
        ),
        {"c": payload, "g": geom_wkb, "a": viewer.name, "s": source, "id": entry_id},
    ).scalar_one()
    if before is None or before["state"] != "review":
        conn.execute(
            text(
                f"INSERT INTO moderation_event (quarter_id, {target}_id, from_status, to_status, "
                "account_id, note, revision_id) SELECT quarter_id, id, :f, 'review', :a, '', :r "
                f"FROM {target} WHERE id = :id"
            ),
            {
                "f": "published" if before is None else before["state"],
                "a": viewer.account_id,
                "r": rid,
                "id": entry_id,
            },
        )
    return int(rid)


#: Applies the revisions named by ``{revisions}`` (an SQL list or subquery of revision ids)
#: to their observations. Key absent = column unchanged; JSON null = cleared.
APPLY_OBSERVATIONS = """
UPDATE observation o SET
  layer_id = coalesce(r.changes->>'layer_id', o.layer_id),
  kind = coalesce(r.changes->>'kind', o.kind),
  title = coalesce(r.changes->>'title', o.title),
  description = coalesce(r.changes->>'description', o.description),
  rating = CASE WHEN r.changes ? 'rating' THEN (r.changes->>'rating')::smallint
                ELSE o.rating END,
  accuracy_m = CASE WHEN r.changes ? 'accuracy_m' THEN (r.changes->>'accuracy_m')::float8
                    ELSE o.accuracy_m END,
  observed_at = CASE WHEN r.changes ? 'observed_at' THEN (r.changes->>'observed_at')::timestamptz
                     ELSE o.observed_at END,
  walkthrough_id = CASE WHEN r.changes ? 'walkthrough_id'
                        THEN (r.changes->>'walkthrough_id')::uuid ELSE o.walkthrough_id END,
  georef_method = CASE WHEN r.changes ? 'georef_method' THEN r.changes->>'georef_method'
                       ELSE o.georef_method END,
  quarter_id = coalesce((r.changes->>'quarter_id')::integer, o.quarter_id),
  geom = coalesce(r.geom, o.geom),
  status = 'published', version = o.version + 1, updated_at = now()
FROM revision r
WHERE r.observation_id = o.id AND r.id IN ({revisions})
"""

APPLY_FINDINGS = """
UPDATE finding f SET
  statement = coalesce(r.changes->>'statement', f.statement),
  public_statement = CASE WHEN r.changes ? 'public_statement'
                          THEN r.changes->>'public_statement' ELSE f.public_statement END,
  kind = coalesce(r.changes->>'kind', f.kind),
  layer_ids = CASE WHEN r.changes ? 'layer_ids'
                   THEN ARRAY(SELECT jsonb_array_elements_text(r.changes->'layer_ids'))
                   ELSE f.layer_ids END,
  geom = coalesce(r.geom, f.geom),
  public_geom = CASE WHEN r.changes ? 'public_geom'
                     THEN ST_SetSRID(ST_GeomFromGeoJSON(r.changes->>'public_geom'), 4326)
                     ELSE f.public_geom END,
  georef_method = coalesce(r.changes->>'georef_method', f.georef_method),
  from_home_address = coalesce((r.changes->>'from_home_address')::boolean,
                               f.from_home_address),
  status = 'published', version = f.version + 1, updated_at = now()
FROM revision r
WHERE r.finding_id = f.id AND r.id IN ({revisions})
"""


def apply(conn: Connection, revisions: str, params: dict[str, Any]) -> None:
    """Apply the open revisions ``revisions`` (SQL yielding ids) and close them as published.

    Photos that came with a revision become part of the entry.
    """
    conn.execute(text(APPLY_OBSERVATIONS.format(revisions=revisions)), params)
    conn.execute(text(APPLY_FINDINGS.format(revisions=revisions)), params)
    conn.execute(
        text(f"UPDATE photo SET revision_id = NULL WHERE revision_id IN ({revisions})"), params
    )
    close(conn, revisions, params, "published")


def close(conn: Connection, revisions: str, params: dict[str, Any], state: str) -> None:
    """Set the revisions' state (``published``, ``rejected`` or ``changes_requested``).

    A rejected revision's photos are removed (they were never public); their files go with
    ``photos.collect_orphans``.
    """
    if state == "rejected":
        conn.execute(text(f"DELETE FROM photo WHERE revision_id IN ({revisions})"), params)
    decided = "now()" if state in ("published", "rejected") else "NULL"
    conn.execute(
        text(
            f"UPDATE revision SET state = :state, decided_at = {decided}, updated_at = now() "
            f"WHERE id IN ({revisions}) AND state IN {OPEN_SQL}"
        ),
        {**params, "state": state},
    )
