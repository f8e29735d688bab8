"""Milestones ("aktueller Sachstand") and the evidence a measure answers.

A link is a row of its own (``measure_link``) with a short reason: linking or unlinking
never writes to the observation or finding, so its moderation status, version and
``updated_at`` stay as they were (decidim#12912). What a viewer reads of a linked entry is
what it reads of that entry anywhere else: the public sees published observations and
published findings with the redacted statement only.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer, finding_visibility
from mapservice.capture.observations import visibility as observation_visible
from mapservice.errors import InvalidInput, NotFound
from mapservice.programme.schemas import LinkIn, MilestoneIn, MilestonePatch
from mapservice.programme.writes import (
    check_scope,
    require_measure,
    require_writer,
    stored_quarters,
)

MILESTONES = (
    "SELECT id, on_date, title, body AS text, created_at FROM measure_milestone "
    "WHERE measure_id = :m"
)


def _writable(conn: Connection, viewer: Viewer, mid: uuid.UUID) -> None:
    require_writer(viewer)
    require_measure(conn, viewer, mid)
    check_scope(viewer, stored_quarters(conn, mid))


def milestones(conn: Connection, viewer: Viewer, mid: uuid.UUID) -> list[dict[str, Any]]:
    """The measure's timeline, oldest first."""
    require_measure(conn, viewer, mid)
    rows = conn.execute(text(f"{MILESTONES} ORDER BY on_date, id"), {"m": mid}).mappings()
    return [dict(r) for r in rows]


def _milestone_not_found(msid: int) -> NotFound:
    return NotFound(
        f"Meilenstein {msid} nicht gefunden.",
        f"Milestone {msid} not found.",
        code="unknown_milestone",
    )


def add_milestone(
    conn: Connection, viewer: Viewer, mid: uuid.UUID, body: MilestoneIn
) -> dict[str, Any]:
    _writable(conn, viewer, mid)
    msid = conn.execute(
        text(
            "INSERT INTO measure_milestone (measure_id, on_date, title, body) "
            "VALUES (:m, :d, :t, :b) RETURNING id"
        ),
        {"m": mid, "d": body.on_date, "t": body.title, "b": body.text},
    ).scalar_one()
    return _milestone(conn, mid, msid)


def _milestone(conn: Connection, mid: uuid.UUID, msid: int) -> dict[str, Any]:
    row = conn.execute(text(f"{MILESTONES} AND id = :i"), {"m": mid, "i": msid}).mappings().first()
    if row is None:
        raise _milestone_not_found(msid)
    return dict(row)


def update_milestone(
    conn: Connection, viewer: Viewer, mid: uuid.UUID, msid: int, patch: MilestonePatch
) -> dict[str, Any]:
    _writable(conn, viewer, mid)
    _milestone(conn, mid, msid)
    sets = {"on_date": patch.on_date, "title": patch.title, "body": patch.text}
    sets = {k: v for k, v in sets.items() if v is not None}
    if sets:
        assignments = ", ".join(f"{k} = :{k}" for k in sets)
        conn.execute(
            text(f"UPDATE measure_milestone SET {assignments} WHERE id = :i AND measure_id = :m"),
            {**sets, "i": msid, "m": mid},
        )
    return _milestone(conn, mid, msid)


def delete_milestone(conn: Connection, viewer: Viewer, mid: uuid.UUID, msid: int) -> None:
    _writable(conn, viewer, mid)
    gone = conn.execute(
        text("DELETE FROM measure_milestone WHERE id = :i AND measure_id = :m"),
        {"i": msid, "m": mid},
    ).rowcount
    if not gone:
        raise _milestone_not_found(msid)


def evidence(conn: Connection, viewer: Viewer, mid: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """The observations and findings this measure answers, as far as the viewer may read them."""
    require_measure(conn, viewer, mid)
    obs_visible, params = observation_visible(viewer, "o")
    observations = conn.execute(
        text(
            "SELECT l.id AS link_id, l.reason, o.id AS observation_id, o.title, o.kind, "
            "o.layer_id AS layer, o.rating, o.status, q.slug AS quarter, "
            "ST_AsGeoJSON(o.geom, 7)::json AS geometry FROM measure_link l "
            "JOIN observation o ON o.id = l.observation_id JOIN quarter q ON q.id = o.quarter_id "
            f"WHERE l.measure_id = :m AND {obs_visible} ORDER BY o.title, o.id"
        ),
        {"m": mid, **params},
    ).mappings()
    view = finding_visibility(viewer, "f")
    findings = conn.execute(
        text(
            f"SELECT l.id AS link_id, l.reason, f.id AS finding_id, {view.statement} AS "
            "statement, f.kind, f.layer_ids AS layers, f.status, q.slug AS quarter, "
            f"ST_AsGeoJSON({view.geom}, 7)::json AS geometry FROM measure_link l "
            "JOIN finding f ON f.id = l.finding_id JOIN quarter q ON q.id = f.quarter_id "
            f"WHERE l.measure_id = :m AND {view.visible} ORDER BY f.id"
        ),
        {"m": mid},
    ).mappings()
    return {
        "observations": [dict(r) for r in observations],
        "findings": [dict(r) for r in findings],
    }


def link(
    conn: Connection, viewer: Viewer, mid: uuid.UUID, body: LinkIn
) -> tuple[dict[str, Any], bool]:
    """Link the measure to one observation or finding; linking again changes the reason
    only. Returns ``(link, created)``. The linked row is read, never written."""
    _writable(conn, viewer, mid)
    if (body.observation_id is None) == (body.finding_id is None):
        raise InvalidInput(
            "Genau eines angeben: observation_id oder finding_id.",
            "Give exactly one of observation_id and finding_id.",
            code="link_target",
        )
    if body.observation_id is not None:
        column, target = "observation_id", body.observation_id
        row = conn.execute(
            text("SELECT layer_id, quarter_id FROM observation WHERE id = :i"), {"i": target}
        ).first()
        what_de, what_en = "Beobachtung", "Observation"
        layers = row.layer_id if row is not None else None
    else:
        column, target = "finding_id", body.finding_id
        row = conn.execute(
            text("SELECT layer_ids, quarter_id FROM finding WHERE id = :i"), {"i": target}
        ).first()
        what_de, what_en = "Aussage", "Finding"
        layers = list(row.layer_ids) if row is not None else None
    if row is None:
        raise InvalidInput(
            f"{what_de} {target} gibt es nicht.",
            f"{what_en} {target} does not exist.",
            code="unknown_target",
        )
    viewer.require_scope(layers=layers, quarter_id=row.quarter_id)
    existing = conn.execute(
        text(f"SELECT id FROM measure_link WHERE measure_id = :m AND {column} = :t"),
        {"m": mid, "t": target},
    ).scalar()
    if existing is not None:
        conn.execute(
            text("UPDATE measure_link SET reason = :r WHERE id = :i"),
            {"r": body.reason, "i": existing},
        )
        link_id, created = existing, False
    else:
        link_id = conn.execute(
            text(
                f"INSERT INTO measure_link (measure_id, {column}, quarter_id, reason) "
                "VALUES (:m, :t, :q, :r) RETURNING id"
            ),
            {"m": mid, "t": target, "q": row.quarter_id, "r": body.reason},
        ).scalar_one()
        created = True
    return {"link_id": link_id, "measure_id": mid, column: target, "reason": body.reason}, created


def unlink(conn: Connection, viewer: Viewer, mid: uuid.UUID, link_id: int) -> None:
    _writable(conn, viewer, mid)
    gone = conn.execute(
        text("DELETE FROM measure_link WHERE id = :i AND measure_id = :m"), {"i": link_id, "m": mid}
    ).rowcount
    if not gone:
        raise NotFound(
            f"Verknüpfung {link_id} nicht gefunden.",
            f"Link {link_id} not found.",
            code="unknown_link",
        )


def require_observation(conn: Connection, viewer: Viewer, oid: uuid.UUID) -> None:
    condition, params = observation_visible(viewer, "o")
    found = conn.execute(
        text(f"SELECT 1 FROM observation o WHERE o.id = :i AND {condition}"), {"i": oid, **params}
    ).first()
    if found is None:
        raise NotFound(
            f"Beobachtung {oid} nicht gefunden.", f"Observation {oid} not found.", code="not_found"
        )


def require_finding(conn: Connection, viewer: Viewer, fid: uuid.UUID) -> None:
    view = finding_visibility(viewer, "f")
    found = conn.execute(
        text(f"SELECT 1 FROM finding f WHERE f.id = :i AND {view.visible}"), {"i": fid}
    ).first()
    if found is None:
        raise NotFound(
            f"Aussage {fid} nicht gefunden.", f"Finding {fid} not found.", code="not_found"
        )
