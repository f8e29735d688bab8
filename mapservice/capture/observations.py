"""Observations: idempotent create, optimistic-concurrency update, moderation, listing.

A field team's phone retries uploads; the client-made UUID makes a retry return the stored
row. Updates carry the version the editor saw, so two people editing the same entry get a
409 with the current version instead of silently overwriting each other.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shapely import wkb
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from mapservice.access import Viewer, observation_visibility
from mapservice.capture import revisions
from mapservice.capture.geometry import check_layer_type, check_world, ensure_valid, parse_geometry
from mapservice.capture.reasons import refuse
from mapservice.capture.retries import RetryConflict, differing
from mapservice.capture.schemas import ModerationIn, ObservationIn, ObservationPatch
from mapservice.catalog import Catalog, Layer, LayerSource, UnknownLayer
from mapservice.errors import Conflict, Forbidden, InvalidInput, KarteError, NotFound
from mapservice.georef.crs import geometry_to_wgs84
from mapservice.georef.quarters import assign_quarter, check_inside_quarter

COLUMNS = """o.id, q.slug AS quarter, o.layer_id AS layer, o.kind, o.rating, o.title,
       o.description, ST_AsGeoJSON(o.geom, 7)::json AS geometry, o.accuracy_m, o.observed_at,
       o.walkthrough_id, o.status, o.author, o.version, o.created_at, o.updated_at"""
SELECT = f"SELECT {COLUMNS}\n  FROM observation o JOIN quarter q ON q.id = o.quarter_id\n"

# Moderation: which role may move an entry from which status to which.
# ``changes_requested`` and ``rejected`` need a note (``revisions.require_note``): the field
# team reads it in the field app. While a published entry has an open revision, a move
# decides the revision (``revision_moves``): published applies it, rejected discards it.
PLANNER_MOVES = {
    "draft": {"review", "published", "rejected"},
    "review": {"published", "rejected", "changes_requested", "draft"},
    "changes_requested": {"review", "published", "rejected"},
    "published": {"review", "rejected"},
    "rejected": {"review"},
}
FIELD_MOVES = {"draft": {"review"}, "review": {"draft"}, "changes_requested": {"review"}}
REVISION_PLANNER_MOVES = {
    "review": {"published", "rejected", "changes_requested"},
    "changes_requested": {"review", "published", "rejected"},
}
REVISION_FIELD_MOVES = {"changes_requested": {"review"}}


def visibility(viewer: Viewer, alias: str = "o") -> tuple[str, dict[str, Any]]:
    """SQL condition (and its parameters) for the observations ``viewer`` may read."""
    condition = observation_visibility(viewer, alias, ":viewer_name")
    return condition, ({"viewer_name": viewer.name} if viewer.role == "field" else {})


def not_found(oid: object) -> NotFound:
    return NotFound(
        f"Beobachtung {oid} nicht gefunden.", f"Observation {oid} not found.", code="not_found"
    )


def observation_layer(catalog: Catalog, layer_id: str) -> Layer:
    try:
        layer = catalog.get(layer_id)
    except UnknownLayer as exc:
        raise InvalidInput(exc.message_de, exc.message_en, code="unknown_layer") from None
    if layer.source != LayerSource.OBSERVATIONS:
        raise refuse("unknown_layer", f"{layer_id} nimmt keine Beobachtungen auf")
    return layer


def prepare_geometry(body: Any, crs: str, repair: bool, layer: Layer) -> BaseGeometry:
    geom = parse_geometry(body)
    geom = geometry_to_wgs84(geom, crs)
    check_world(geom)
    geom = ensure_valid(geom, repair=repair)
    check_layer_type(geom, layer)
    return geom


def check_date(value: datetime | None) -> None:
    if value is not None and value > datetime.now(UTC) + timedelta(days=1):
        raise refuse("future_date", value.isoformat())


def quarter_for(conn: Connection, geom: BaseGeometry, slug: str | None) -> int:
    if slug is None:
        return assign_quarter(conn, geom)
    quarter_id = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"), {"s": slug}).scalar()
    if quarter_id is None:
        raise refuse("unknown_quarter", slug[:64])
    check_inside_quarter(conn, geom, int(quarter_id))
    return int(quarter_id)


def fetch(conn: Connection, oid: uuid.UUID, viewer: Viewer | None = None) -> dict[str, Any]:
    where, params = visibility(viewer) if viewer else ("true", {})
    row = (
        conn.execute(text(f"{SELECT} WHERE o.id = :id AND {where}"), {"id": oid, **params})
        .mappings()
        .first()
    )
    if row is None:
        raise not_found(oid)
    out = redact(dict(row), viewer)
    out["pending"] = None
    if viewer is None or viewer.sees_everything or row["author"] == viewer.name:
        out["pending"] = _pending(conn, oid)
    return out


def _pending(conn: Connection, oid: uuid.UUID) -> dict[str, Any] | None:
    """The open revision of a published entry as its author and planners see it."""
    found = revisions.open_revision(conn, "observation", oid)
    if found is None:
        return None
    changes = dict(found["changes"])
    if "layer_id" in changes:
        changes["layer"] = changes.pop("layer_id")
    changes.pop("quarter_id", None)
    if found["geometry"] is not None:
        changes["geometry"] = found["geometry"]
    return {"state": found["state"], "changes": changes, "updated_at": found["updated_at"]}


def redact(row: dict[str, Any], viewer: Viewer | None) -> dict[str, Any]:
    """Who logged an entry is for planners and the author, not for the public."""
    if viewer is not None and not viewer.sees_everything and row.get("author") != viewer.name:
        row["author"] = None
    return row


def create(
    conn: Connection, catalog: Catalog, viewer: Viewer, body: ObservationIn
) -> tuple[dict[str, Any], bool]:
    """Store a new observation; returns ``(row, created)`` — False for a retried upload.

    The insert returns the stored row itself, and a stored row is looked up only when the id
    is taken already (a retry, or a concurrent one that won the race): a first upload costs
    the quarter lookup and one INSERT, the round trips a phone on a weak network waits for.
    """
    viewer.require("field", "planner", "admin")
    oid = body.id or uuid.uuid4()
    layer = observation_layer(catalog, body.layer)
    geom = prepare_geometry(body.geometry, body.crs, body.repair, layer)
    check_date(body.observed_at)
    status = body.status or "review"
    if viewer.role == "field" and status not in ("draft", "review"):
        raise Forbidden(
            "Feldteams speichern Entwürfe oder reichen zur Prüfung ein; veröffentlichen "
            "dürfen Planer*innen.",
            "Field teams save drafts or submit for review; planners publish.",
            code="status_forbidden",
        )
    if body.walkthrough_id is not None:
        quarter_id = _walkthrough_quarter(conn, body.walkthrough_id, body.quarter)
        check_inside_quarter(conn, geom, quarter_id)
    else:
        quarter_id = quarter_for(conn, geom, body.quarter)
    values = {
        "id": oid, "q": quarter_id, "w": body.walkthrough_id, "layer": layer.id,
        "kind": body.kind, "rating": body.rating, "title": body.title.strip(),
        "description": body.description, "geom": wkb.dumps(geom), "acc": body.accuracy_m,
        "obs": body.observed_at, "status": status, "author": viewer.name,
    }  # fmt: skip
    row = conn.execute(text(_INSERT), values).mappings().first()
    if row is None:  # the id is taken: a retried upload, or someone else's id
        existing = _existing_for(conn, viewer, oid)
        if existing is None:  # deleted meanwhile: the conflict is gone, so is the row
            raise not_found(oid)
        _same_as_stored(catalog, existing, body)
        return existing, False
    return {**row, "pending": None}, True  # a row just made has no revision yet


# The new row as :data:`SELECT` returns it (a CTE's RETURNING joined with its quarter).
_INSERT = f"""
WITH o AS (
INSERT INTO observation (id, quarter_id, walkthrough_id, layer_id, kind, rating, title,
  description, geom, accuracy_m, observed_at, status, author)
SELECT :id, :q, :w, :layer, :kind, :rating, :title, :description,
  ST_GeomFromWKB(:geom, 4326), :acc, :obs, :status, :author
 WHERE NOT EXISTS (SELECT 1 FROM observation WHERE id = :id)
ON CONFLICT (id, quarter_id) DO NOTHING RETURNING *
)
SELECT {COLUMNS} FROM o JOIN quarter q ON q.id = o.quarter_id
"""


def _existing_for(conn: Connection, viewer: Viewer, oid: uuid.UUID) -> dict[str, Any] | None:
    author = conn.execute(
        text("SELECT author FROM observation WHERE id = :id"), {"id": oid}
    ).first()
    if author is None:
        return None
    if viewer.sees_everything or author[0] == viewer.name:
        return fetch(conn, oid)
    raise Conflict(
        f"Die id {oid} ist bereits vergeben.", f"The id {oid} is already taken.", code="id_taken"
    )


RETRY_FIELDS = ("layer", "kind", "rating", "title", "description", "geometry", "accuracy_m",
                "observed_at", "walkthrough_id")  # fmt: skip


def _same_as_stored(catalog: Catalog, stored: dict[str, Any], body: ObservationIn) -> None:
    """A retry must carry what is stored; other content is a ``RetryConflict`` (409)."""
    sent: dict[str, Any] = {name: getattr(body, name) for name in RETRY_FIELDS}
    try:
        layer = observation_layer(catalog, body.layer)
        sent["geometry"] = prepare_geometry(body.geometry, body.crs, body.repair, layer)
    except KarteError:
        sent["geometry"] = None  # cannot be what is stored
    names = [*RETRY_FIELDS, "quarter"] if body.quarter is not None else list(RETRY_FIELDS)
    sent["quarter"] = body.quarter
    fields = differing(stored, sent, names)
    if fields:
        raise RetryConflict(
            "Eine Beobachtung", "observation", stored,
            body.model_dump(mode="json", exclude_unset=True), fields,
        )  # fmt: skip


def _walkthrough_quarter(conn: Connection, wid: uuid.UUID, slug: str | None) -> int:
    """The id of the walkthrough's quarter, where its observations are kept (the shard key
    of both, docs/citus.md): a quarter given beside it must be the same one."""
    found = conn.execute(
        text("SELECT q.id, q.slug FROM walkthrough w JOIN quarter q ON q.id = w.quarter_id "
             "WHERE w.id = :w"),
        {"w": wid},
    ).first()  # fmt: skip
    if found is None:
        raise refuse("unknown_walkthrough", str(wid))
    if slug is not None and slug != found.slug:
        raise refuse("walkthrough_other_quarter", f"{found.slug[:64]} ≠ {slug[:64]}")
    return int(found.id)


def _editable(conn: Connection, viewer: Viewer, oid: uuid.UUID) -> dict[str, Any]:
    viewer.require("field", "planner", "admin")
    row = (
        conn.execute(
            text("SELECT id, author, status, version, layer_id, quarter_id, walkthrough_id "
                 "FROM observation "
                 "WHERE id = :id FOR UPDATE"),
            {"id": oid},
        )
        .mappings()
        .first()
    )  # fmt: skip
    if row is None:
        raise not_found(oid)
    if not viewer.sees_everything and row["author"] != viewer.name:
        if row["status"] != "published":
            raise not_found(oid)
        raise Forbidden(
            "Feldteams bearbeiten nur eigene Einträge.",
            "Field teams edit only their own entries.",
            code="not_own_entry",
        )
    if viewer.sees_everything and not viewer.may_see(
        layers=row["layer_id"], quarter_id=row["quarter_id"]
    ):
        if row["status"] != "published":
            raise not_found(oid)  # outside its scope a restricted planner reads as the public
        viewer.require_scope(layers=row["layer_id"], quarter_id=row["quarter_id"])
    return dict(row)


def update(
    conn: Connection,
    catalog: Catalog,
    viewer: Viewer,
    oid: uuid.UUID,
    patch: ObservationPatch,
    if_match: int | None,
) -> dict[str, Any]:
    current = _editable(conn, viewer, oid)
    expected = if_match if if_match is not None else patch.version
    if expected is None:
        raise InvalidInput(
            "Version fehlt: Header If-Match oder Feld version mitsenden.",
            "Version missing: send the If-Match header or the version field.",
            code="version_required",
        )
    if expected != current["version"]:
        raise VersionConflict(fetch(conn, oid))
    changes: dict[str, Any] = {}
    layer = observation_layer(catalog, patch.layer or current["layer_id"])
    if patch.layer is not None:
        viewer.require_scope(layers=layer.id)  # not into a layer outside its rights
        changes["layer_id"] = layer.id
    for name in ("kind", "rating", "title", "description", "accuracy_m", "observed_at"):
        if name in patch.model_fields_set:
            changes[name] = getattr(patch, name)
    check_date(patch.observed_at)
    sets = [f"{name} = :{name}" for name in changes]
    if patch.geometry is not None:
        geom = prepare_geometry(patch.geometry, patch.crs, patch.repair, layer)
        walk = current.get("walkthrough_id")
        if walk is not None:  # it stays in its walkthrough's quarter
            quarter_id = _walkthrough_quarter(conn, walk, None)
            check_inside_quarter(conn, geom, quarter_id)
        else:
            quarter_id = quarter_for(conn, geom, None)
        viewer.require_scope(quarter_id=quarter_id)  # not into a quarter outside its rights
        changes.update(geom=wkb.dumps(geom), quarter_id=quarter_id)
        sets += ["geom = ST_GeomFromWKB(:geom, 4326)", "quarter_id = :quarter_id"]
    elif patch.layer is not None:
        geom_type = conn.execute(
            text("SELECT substr(ST_GeometryType(geom), 4) FROM observation WHERE id = :id"),
            {"id": oid},
        ).scalar_one()
        if geom_type not in {str(t) for t in layer.geometry_types}:
            raise refuse("geometry_type_not_allowed", f"{geom_type} ({layer.id})")
    if current["status"] == "published":  # the published version stays public meanwhile
        geom_wkb = changes.pop("geom", None)
        if changes or geom_wkb is not None:
            revisions.stage(conn, viewer, "observation", oid, changes, geom_wkb)
        return fetch(conn, oid)
    if current["status"] == "changes_requested" and not viewer.sees_everything:
        sets.append("status = 'review'")  # the field team's fix is a resend
        _event(conn, viewer, oid, "changes_requested", "review", "")
    sets += ["version = version + 1", "updated_at = now()"]
    conn.execute(
        text(f"UPDATE observation SET {', '.join(sets)} WHERE id = :id"), {"id": oid, **changes}
    )
    return fetch(conn, oid)


class VersionConflict(Conflict):
    """Someone else saved first; the body carries their version so the client can merge."""

    code = "version_conflict"

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__(
            f"Der Eintrag wurde inzwischen geändert (aktuelle Version {current['version']}).",
            f"The entry was changed meanwhile (current version {current['version']}).",
        )
        self.current = current


def moderate(conn: Connection, viewer: Viewer, oid: uuid.UUID, body: ModerationIn) -> dict:
    """Move an entry (or, while one is open, its pending revision) to ``body.status``."""
    current = _editable(conn, viewer, oid)
    pending = revisions.open_revision(conn, "observation", oid)
    if pending is not None:
        moves = REVISION_PLANNER_MOVES if viewer.sees_everything else REVISION_FIELD_MOVES
        check_move(viewer, moves, pending["state"], body.status)
        revisions.require_note(body.status, body.note)
        ids, params = ":rid", {"rid": pending["id"]}
        if body.status == "published":
            revisions.apply(conn, ids, params)
        else:
            revisions.close(conn, ids, params, body.status)
        _event(conn, viewer, oid, pending["state"], body.status, body.note, pending["id"])
        return fetch(conn, oid)
    moves = PLANNER_MOVES if viewer.sees_everything else FIELD_MOVES
    check_move(viewer, moves, current["status"], body.status)
    revisions.require_note(body.status, body.note)
    conn.execute(
        text(
            "UPDATE observation SET status = :s, version = version + 1, updated_at = now() "
            "WHERE id = :id"
        ),
        {"s": body.status, "id": oid},
    )
    _event(conn, viewer, oid, current["status"], body.status, body.note)
    return fetch(conn, oid)


def check_move(viewer: Viewer, moves: dict[str, set[str]], now: str, to: str) -> None:
    if to not in moves.get(now, set()):
        raise Conflict(
            f"Übergang {now} → {to} ist für die Rolle '{viewer.role}' nicht erlaubt.",
            f"Transition {now} → {to} is not allowed for role '{viewer.role}'.",
            code="transition_forbidden",
        )


def _event(
    conn: Connection, viewer: Viewer, oid: uuid.UUID, before: str, after: str, note: str,
    revision_id: int | None = None,
) -> None:  # fmt: skip
    conn.execute(
        text(
            "INSERT INTO moderation_event (quarter_id, observation_id, from_status, to_status, "
            "account_id, note, revision_id) SELECT quarter_id, id, :f, :t, :a, :n, :r "
            "FROM observation WHERE id = :id"
        ),
        {"f": before, "t": after, "a": viewer.account_id, "n": note, "r": revision_id,
         "id": oid},
    )  # fmt: skip


def delete(conn: Connection, viewer: Viewer, oid: uuid.UUID) -> None:
    _editable(conn, viewer, oid)
    conn.execute(text("DELETE FROM observation WHERE id = :id"), {"id": oid})


def moderation_history(conn: Connection, viewer: Viewer, oid: uuid.UUID) -> list[dict]:
    viewer.require("planner", "admin")
    rows = conn.execute(
        text(
            "SELECT e.from_status, e.to_status, e.at, e.note, a.name AS account "
            "FROM moderation_event e LEFT JOIN account a ON a.id = e.account_id "
            "WHERE e.observation_id = :id ORDER BY e.at, e.id"
        ),
        {"id": oid},
    ).mappings()
    return [dict(r) for r in rows]
