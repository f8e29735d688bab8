"""One entry of the queue: what it says now, what its pending change proposes, its photos
and its history — and the planner's edit before publishing.

Observations are edited through ``capture.observations.update`` (so a published entry's
edit becomes its pending revision there, with the same checks as the field API). Findings
have no field API edit; here a planner corrects the statement, kind, layer or moves the
point (then placed by hand: ``georef_method = 'manual'``, public at the exact point).
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from shapely import wkb
from shapely.geometry import mapping
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture import observations, revisions
from mapservice.capture.findings import FindingRecord, QuarterPrivacy, check_finding
from mapservice.capture.geometry import check_world, ensure_valid, parse_geometry
from mapservice.capture.observations import VersionConflict
from mapservice.capture.schemas import Kind, ObservationPatch
from mapservice.capture.strict import StrictGeometry
from mapservice.catalog import Catalog
from mapservice.errors import InvalidInput, NotFound
from mapservice.georef.quarters import assign_quarter

Type = Literal["observation", "finding"]


class ReviewEdit(BaseModel):
    """The planner's corrections; only the fields sent change. ``version``: what was edited."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, strict=True)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    text: str | None = Field(default=None, max_length=10_000)
    layer: str | None = Field(default=None, max_length=64)
    kind: Kind | None = None
    rating: int | None = Field(default=None, ge=-2, le=2, strict=True)
    geometry: StrictGeometry | None = None


def not_found(kind: Type, eid: uuid.UUID) -> NotFound:
    de = "Beobachtung" if kind == "observation" else "Aussage"
    en = "Observation" if kind == "observation" else "Finding"
    return NotFound(f"{de} {eid} nicht gefunden.", f"{en} {eid} not found.", code="not_found")


def _scoped(conn: Connection, viewer: Viewer, kind: Type, eid: uuid.UUID) -> dict[str, Any]:
    """The row's scope columns; outside a restricted planner's rights 404 (unpublished,
    the public would not see it either) or 403 (published)."""
    viewer.require("planner", "admin")
    layers = "ARRAY[layer_id]" if kind == "observation" else "layer_ids"
    row = (
        conn.execute(
            text(f"SELECT quarter_id, {layers} AS layers, status FROM {kind} WHERE id = :id"),
            {"id": eid},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise not_found(kind, eid)
    if not viewer.may_see(layers=list(row["layers"]), quarter_id=row["quarter_id"]):
        if row["status"] != "published":
            raise not_found(kind, eid)
        viewer.require_scope(layers=list(row["layers"]), quarter_id=row["quarter_id"])
    return dict(row)


def history(conn: Connection, kind: Type, eid: uuid.UUID) -> list[dict[str, Any]]:
    rows = conn.execute(
        text(
            "SELECT e.from_status, e.to_status, e.at, e.note, e.revision_id IS NOT NULL "
            "AS revision, coalesce(nullif(a.display_name, ''), a.name) AS account "
            "FROM moderation_event e LEFT JOIN account a ON a.id = e.account_id "
            f"WHERE e.{kind}_id = :id ORDER BY e.at, e.id"
        ),
        {"id": eid},
    ).mappings()
    return [dict(r) for r in rows]


def detail(conn: Connection, viewer: Viewer, kind: Type, eid: uuid.UUID) -> dict[str, Any]:
    _scoped(conn, viewer, kind, eid)
    pending = revisions.open_revision(conn, kind, eid)
    if kind == "observation":
        entry = observations.fetch(conn, eid)
        entry.pop("pending", None)
        walk = conn.execute(
            text("SELECT title FROM walkthrough WHERE id = :w"), {"w": entry["walkthrough_id"]}
        ).scalar()
        entry["walkthrough_title"] = walk
        photos = conn.execute(
            text(
                "SELECT id, revision_id IS NOT NULL AS pending, width, height FROM photo "
                "WHERE observation_id = :id ORDER BY created_at, id"
            ),
            {"id": eid},
        ).mappings()
        entry["photos"] = [
            {**dict(p), "url": f"/api/photos/{p['id']}",
             "thumbnail_url": f"/api/photos/{p['id']}/thumbnail"}
            for p in photos
        ]  # fmt: skip
        entry["text"] = entry["description"]
    else:
        entry = _finding(conn, eid)
        entry["photos"] = []
    entry["type"] = kind
    entry["state"] = pending["state"] if pending else entry["status"]
    entry["pending"] = _proposal(kind, entry, pending)
    entry["history"] = history(conn, kind, eid)
    return entry


def _finding(conn: Connection, fid: uuid.UUID) -> dict[str, Any]:
    row = (
        conn.execute(
            text(
                "SELECT f.id, q.slug AS quarter, f.statement, f.layer_ids AS layers, f.kind, "
                "f.place_text, ST_AsGeoJSON(f.geom, 7)::json AS geometry, "
                "ST_AsGeoJSON(f.public_geom, 7)::json AS public_geometry, f.georef_method, "
                "f.status, f.version, f.created_at, f.updated_at, i.held_on, "
                "i.participant_group FROM finding f JOIN quarter q ON q.id = f.quarter_id "
                "JOIN interview i ON i.id = f.interview_id WHERE f.id = :id"
            ),
            {"id": fid},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise not_found("finding", fid)
    out = dict(row)
    out.update(title=out["statement"][:80], text=out["statement"], layer=out["layers"][0])
    out["rating"] = None
    return out


#: Columns a revision carries for the database, not for the planner's eye.
HIDDEN = ("quarter_id", "public_statement", "public_geom", "from_home_address", "georef_method")
RENAMES = (("title", "title"), ("text", "description"), ("layer", "layer"), ("kind", "kind"),
           ("rating", "rating"), ("geometry", "geometry"))  # fmt: skip


def _proposal(kind: Type, entry: dict[str, Any], pending: dict | None) -> dict[str, Any] | None:
    """The values the open revision would publish, in the names the page uses."""
    if pending is None:
        return None
    ch = dict(pending["changes"])
    names = {"layer_id": "layer", "description": "text", "statement": "text"}
    changed = {names.get(k, k): v for k, v in ch.items() if k not in HIDDEN}
    if kind == "finding" and "layer_ids" in changed:
        changed["layer"] = changed.pop("layer_ids")[0]
    if pending["geometry"] is not None:
        changed["geometry"] = pending["geometry"]
    changed = {k: v for k, v in changed.items() if entry.get(k) != v}
    return {
        "state": pending["state"], "source": pending["source"], "author": pending["author"],
        "updated_at": pending["updated_at"], "changes": changed,
    }  # fmt: skip


def edit(
    conn: Connection, catalog: Catalog, viewer: Viewer, kind: Type, eid: uuid.UUID,
    body: ReviewEdit,
) -> dict[str, Any]:  # fmt: skip
    """Apply the planner's corrections (a published entry: to its pending revision)."""
    _scoped(conn, viewer, kind, eid)
    if kind == "observation":
        fields = body.model_dump(exclude_unset=True)
        patch: dict[str, Any] = {"version": body.version}
        for ours, theirs in RENAMES:
            if ours in fields:
                patch[theirs] = fields[ours]
        observations.update(conn, catalog, viewer, eid, ObservationPatch(**patch), None)
    else:
        _edit_finding(conn, catalog, viewer, eid, body)
    return detail(conn, viewer, kind, eid)


def _edit_finding(
    conn: Connection, catalog: Catalog, viewer: Viewer, fid: uuid.UUID, body: ReviewEdit
) -> None:
    current = _finding(conn, fid)
    if body.version != current["version"]:
        raise VersionConflict(current)
    if body.rating is not None or body.title is not None:
        raise InvalidInput(
            "Aussagen haben keinen eigenen Titel und keine Bewertung: bitte den Text ändern.",
            "Findings have no title of their own and no rating: change the text instead.",
            code="not_for_findings",
        )
    quarter_id = int(
        conn.execute(text("SELECT quarter_id FROM finding WHERE id = :id"), {"id": fid}).scalar()
    )
    statement = body.text.strip() if body.text is not None else current["statement"]
    layers = [body.layer] if body.layer is not None else list(current["layers"])
    kind = body.kind or current["kind"]
    check_finding(catalog, FindingRecord(statement, kind, current["quarter"], fid, layers))
    if body.layer is not None:
        viewer.require_scope(layers=layers)
    changes: dict[str, Any] = {}
    if body.text is not None:
        privacy = QuarterPrivacy.load(conn, quarter_id)
        changes.update(statement=statement, public_statement=privacy.redactor.redact(statement)[0])
    if body.kind is not None:
        changes["kind"] = kind
    if body.layer is not None:
        changes["layer_ids"] = layers
    geom_wkb = None
    if body.geometry is not None:
        geom = ensure_valid(parse_geometry(body.geometry), repair=False)
        check_world(geom)
        moved_to = assign_quarter(conn, geom)
        if moved_to != quarter_id:
            raise InvalidInput(
                "Eine Aussage bleibt in ihrem Quartier; der Punkt liegt außerhalb.",
                "A finding stays in its quarter; the point lies outside it.",
                code="outside_quarter",
            )
        geom_wkb = wkb.dumps(geom)
        # placed by hand by a planner: public at the point chosen (no home generalisation)
        changes.update(georef_method="manual", from_home_address=False,
                       public_geom=json.dumps(mapping(geom)))  # fmt: skip
    if not changes and geom_wkb is None:
        return
    if current["status"] == "published":
        revisions.stage(conn, viewer, "finding", fid, changes, geom_wkb)
        return
    sets = ["version = version + 1", "updated_at = now()"]
    params: dict[str, Any] = {"id": fid}
    for name in ("statement", "public_statement", "kind", "layer_ids", "georef_method",
                 "from_home_address"):  # fmt: skip
        if name in changes:
            sets.append(f"{name} = :{name}")
            params[name] = changes[name]
    if geom_wkb is not None:
        sets += ["geom = ST_GeomFromWKB(:g, 4326)", "public_geom = ST_GeomFromWKB(:g, 4326)",
                 "needs_review = false"]  # fmt: skip
        params["g"] = geom_wkb
    conn.execute(text(f"UPDATE finding SET {', '.join(sets)} WHERE id = :id"), params)
