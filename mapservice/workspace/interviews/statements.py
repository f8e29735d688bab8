"""Saving statements with the place the planner chose: a suggestion, a map click, or none.

A statement is stored the way every finding is (:func:`mapservice.capture.findings.
store_findings`: checks, gazetteer, public geometry, moderation status); the planner's
choice then replaces the automatic placement:

- ``gazetteer``: one of the suggestions for the statement's place text, named by its id.
  The server recomputes the suggestions, so the stored geometry and method
  (``address`` / ``crossing`` / ``street`` / ``place``) are the gazetteer's own.
- ``manual``: a point clicked on the map (method ``manual``), inside the quarter (a
  little slack for a place on its boundary street). It stays a home position when the
  place text named a home address, so its public geometry is generalised like one.
- ``quarter``: no particular place, the whole quarter.

Several statements are saved in one transaction: one bad statement refuses them all,
naming which one, and nothing is written.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from shapely import wkb
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture.findings import FindingIn, FindingRecord, fetch_finding, store_findings
from mapservice.catalog import Catalog
from mapservice.errors import InvalidInput, KarteError, NotFound
from mapservice.georef.privacy import generalise
from mapservice.workspace.interviews.suggest import CACHE, Candidate, suggest

MANUAL_SLACK_M = 100.0  # a click this close outside the boundary still belongs to the quarter
MAX_STATEMENTS = 500


class Placement(BaseModel):
    """How the planner placed a statement (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["gazetteer", "manual", "quarter"]
    candidate: str | None = Field(default=None, max_length=700)
    point: tuple[float, float] | None = None  # [lon, lat], EPSG:4326

    @model_validator(mode="after")
    def _complete(self) -> Placement:
        if self.method == "gazetteer" and not self.candidate:
            raise ValueError("placement.candidate is required for method gazetteer")
        if self.method == "manual":
            if self.point is None:
                raise ValueError("placement.point is required for method manual")
            lon, lat = self.point
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError("placement.point must be [lon, lat] in degrees")
        return self


class StatementIn(FindingIn):
    """A finding (:class:`FindingIn`) plus the planner's placement (optional: automatic)."""

    placement: Placement | None = None


class StatementsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statements: list[StatementIn] = Field(min_length=1, max_length=MAX_STATEMENTS)


def interview_quarter(conn: Connection, iid: uuid.UUID) -> tuple[int, str]:
    row = conn.execute(
        text("SELECT q.id, q.slug FROM interview i JOIN quarter q ON q.id = i.quarter_id "
             "WHERE i.id = :id"), {"id": iid},
    ).first()  # fmt: skip
    if row is None:
        raise NotFound(
            f"Interview {iid} nicht gefunden.", f"Interview {iid} not found.", code="not_found"
        )
    return int(row[0]), str(row[1])


def save_statements(
    conn: Connection, catalog: Catalog, viewer: Viewer, iid: uuid.UUID, body: StatementsIn
) -> list[dict[str, Any]]:
    """Store all statements or none; returns the stored findings (planner view)."""
    viewer.require("field", "planner", "admin")
    quarter_id, slug = interview_quarter(conn, iid)
    viewer.require_scope(quarter_id=quarter_id)
    gazetteer = CACHE.get(conn, quarter_id)
    saved: list[uuid.UUID] = []
    for n, item in enumerate(body.statements, start=1):
        try:
            viewer.require_scope(layers=item.layers)
            fid = item.id or uuid.uuid4()
            exists = conn.execute(text("SELECT 1 FROM finding WHERE id = :id"), {"id": fid})
            if exists.first() is not None:  # a retried request: keep what is stored
                saved.append(fid)
                continue
            chosen = _chosen_place(conn, gazetteer, quarter_id, item)
            record = FindingRecord(
                id=fid, interview_id=iid, quarter=slug, statement=item.statement,
                layer_ids=item.layers, kind=item.kind, place_text=item.place_text,
                status=item.status,
            )  # fmt: skip
            store_findings(conn, catalog, [record])
            # now() is the transaction's time; the statements' own order needs distinct times
            conn.execute(
                text("UPDATE finding SET created_at = clock_timestamp() WHERE id = :id"),
                {"id": fid},
            )
            if chosen is not None:
                _apply(conn, fid, *chosen)
            saved.append(fid)
        except KarteError as exc:
            raise type(exc)(
                f"Aussage {n}: {exc.message_de}", f"Statement {n}: {exc.message_en}", code=exc.code
            ) from exc
    planner = Viewer("planner")
    return [fetch_finding(conn, planner, fid) for fid in saved]


def _chosen_place(
    conn: Connection, gazetteer: Any, quarter_id: int, item: StatementIn
) -> tuple[str, BaseGeometry, float, bool | None] | None:
    """(method, geometry, confidence, home or None = as the gazetteer found) of a choice."""
    placement = item.placement
    if placement is None:
        return None
    if placement.method == "quarter":
        quarter = next(c for c in suggest(gazetteer, quarter_id, "") if c.id == "quarter")
        return "quarter", quarter.geometry, quarter.confidence, False
    if placement.method == "manual":
        assert placement.point is not None
        point = Point(*placement.point)
        inside = conn.execute(
            text(
                "SELECT ST_DWithin(boundary::geography, ST_SetSRID(ST_MakePoint(:x, :y), 4326)"
                "::geography, :slack) FROM quarter WHERE id = :q"
            ),
            {"x": point.x, "y": point.y, "slack": MANUAL_SLACK_M, "q": quarter_id},
        ).scalar()
        if not inside:
            raise InvalidInput(
                "Der Punkt auf der Karte liegt außerhalb des Quartiers.",
                "The point on the map lies outside the quarter.",
                code="outside_quarter",
            )
        return "manual", point, 1.0, None
    candidates: list[Candidate] = suggest(gazetteer, quarter_id, item.place_text)
    found = next((c for c in candidates if c.id == placement.candidate), None)
    if found is None:
        raise InvalidInput(
            "Der gewählte Ortsvorschlag passt nicht (mehr) zur Ortsangabe; bitte neu wählen.",
            "The chosen place suggestion does not match the place text (any more); "
            "please choose again.",
            code="unknown_candidate",
        )
    return found.method, found.geometry, found.confidence, found.from_home_address


def _apply(
    conn: Connection,
    fid: uuid.UUID,
    method: str,
    geometry: BaseGeometry,
    confidence: float,
    home: bool | None,
) -> None:
    """Replace the automatic placement of a just stored finding by the planner's choice."""
    if home is None:  # a map click: a home if the place text named one
        home = bool(
            conn.execute(
                text("SELECT from_home_address FROM finding WHERE id = :id"), {"id": fid}
            ).scalar()
        )
    public = generalise(geometry, method, from_home_address=home)
    conn.execute(
        text(
            "UPDATE finding SET geom = ST_GeomFromWKB(:g, 4326), georef_method = :m, "
            "georef_confidence = :c, from_home_address = :h, "
            "public_geom = ST_GeomFromWKB(:pg, 4326), needs_review = false, updated_at = now() "
            "WHERE id = :id"
        ),
        {
            "g": wkb.dumps(geometry),
            "m": method,
            "c": round(max(0.0, min(1.0, confidence)), 3),
            "h": home,
            "pg": wkb.dumps(public) if public is not None else None,
            "id": fid,
        },
    )
