"""Walkthroughs (Quartiersbegehungen): one guided walk with its team, participants and track."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import gpxpy
import gpxpy.gpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture import tracks
from mapservice.capture.geometry import check_world, ensure_valid, parse_geometry
from mapservice.capture.reasons import refuse
from mapservice.capture.retries import RetryConflict, differing
from mapservice.capture.strict import NoExplicitNull, Title, refuse_future
from mapservice.errors import Forbidden, InvalidInput, NotFound
from mapservice.georef.crs import geometry_to_wgs84
from mapservice.georef.quarters import check_inside_quarter


class WalkthroughIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "quarter": "bochum-hamme",
                    "title": "Begehung Amtsstraße mit Bewohner*innen",
                    "started_at": "2026-04-12T10:00:00+02:00",
                    "team": "Quartiersbüro Hamme",
                    "residents": 8,
                    "multipliers": 2,
                }
            ]
        },
    )
    id: uuid.UUID | None = None
    quarter: str = Field(max_length=64)
    title: Title
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    team: str = Field(default="", max_length=500)
    residents: int = Field(default=0, ge=0, le=10_000, strict=True)
    multipliers: int = Field(default=0, ge=0, le=10_000, strict=True)
    experts: int = Field(default=0, ge=0, le=10_000, strict=True)
    administration: int = Field(default=0, ge=0, le=10_000, strict=True)
    notes: str = Field(default="", max_length=10_000)


class WalkthroughPatch(NoExplicitNull):
    """Changes to a walkthrough; ``null`` clears only ``ended_at``."""

    model_config = ConfigDict(extra="forbid")
    NULLABLE = frozenset({"ended_at"})
    title: Title | None = None
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    team: str | None = Field(default=None, max_length=500)
    residents: int | None = Field(default=None, ge=0, le=10_000, strict=True)
    multipliers: int | None = Field(default=None, ge=0, le=10_000, strict=True)
    experts: int | None = Field(default=None, ge=0, le=10_000, strict=True)
    administration: int | None = Field(default=None, ge=0, le=10_000, strict=True)
    notes: str | None = Field(default=None, max_length=10_000)


class WalkthroughOut(BaseModel):
    id: uuid.UUID
    quarter: str
    title: str
    started_at: datetime
    ended_at: datetime | None
    team: str
    residents: int
    multipliers: int
    experts: int
    administration: int
    notes: str
    author: str | None
    track: dict[str, Any] | None
    length_m: float | None
    observations: int
    recordings: int = Field(default=0, description="GPS recordings (devices) in the track")


SELECT = """
SELECT w.id, q.slug AS quarter, w.title, w.started_at, w.ended_at, w.team, w.residents,
       w.multipliers, w.experts, w.administration, w.notes, w.author,
       ST_AsGeoJSON(w.track, 7)::json AS track,
       round((SELECT max(ST_Length(d.geom::geography)) FROM ST_Dump(w.track) d)::numeric,
             1)::float AS length_m,  -- the longest recording (tracks.py)
       (SELECT count(*) FROM observation o WHERE o.walkthrough_id = w.id
          AND (:everything OR o.status = 'published' OR o.author = :viewer_name)) AS observations,
       greatest((SELECT count(*) FROM walkthrough_track t WHERE t.walkthrough_id = w.id),
                (w.track IS NOT NULL)::int) AS recordings
  FROM walkthrough w JOIN quarter q ON q.id = w.quarter_id
"""


def _for(viewer: Viewer | None, row: Any) -> dict[str, Any]:
    """The public and other teams see the walk, not who logged it or the team's notes."""
    out = dict(row)
    if viewer is not None and not viewer.sees_everything and out["author"] != viewer.name:
        out.update(author=None, notes="")
    return out


def fetch(conn: Connection, wid: uuid.UUID, viewer: Viewer | None = None) -> dict[str, Any]:
    everything = viewer is None or viewer.sees_everything
    row = (
        conn.execute(
            text(f"{SELECT} WHERE w.id = :id"),
            {"id": wid, "everything": everything, "viewer_name": viewer.name if viewer else None},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(
            f"Begehung {wid} nicht gefunden.", f"Walkthrough {wid} not found.", code="not_found"
        )
    return _for(viewer, row)


def list_walkthroughs(
    conn: Connection, quarter: str | None, viewer: Viewer | None = None
) -> list[dict[str, Any]]:
    rows = conn.execute(
        text(f"{SELECT} WHERE (CAST(:q AS text) IS NULL OR q.slug = :q) ORDER BY w.started_at"),
        {
            "q": quarter,
            "everything": viewer is None or viewer.sees_everything,
            "viewer_name": viewer.name if viewer else None,
        },
    ).mappings()
    return [_for(viewer, r) for r in rows]


def _check_span(started: datetime | None, ended: datetime | None) -> None:
    if started and ended and ended < started:
        raise InvalidInput(
            "Ende liegt vor dem Beginn der Begehung.",
            "The end lies before the start of the walkthrough.",
            code="time_span",
        )


RETRY_FIELDS = ("quarter", "title", "started_at", "ended_at", "team", "residents", "multipliers",
                "experts", "administration", "notes")  # fmt: skip


def create(conn: Connection, viewer: Viewer, body: WalkthroughIn) -> tuple[dict[str, Any], bool]:
    viewer.require("field", "planner", "admin")
    wid = body.id or uuid.uuid4()
    if conn.execute(text("SELECT 1 FROM walkthrough WHERE id = :id"), {"id": wid}).first():
        stored = fetch(conn, wid)
        fields = differing(stored, {"quarter": body.quarter, **body.model_dump()}, RETRY_FIELDS)
        if fields:
            raise RetryConflict(
                "Eine Begehung", "walkthrough", _for(viewer, stored),
                body.model_dump(mode="json", exclude_unset=True), fields,
            )  # fmt: skip
        return _for(viewer, stored), False
    refuse_future(body.started_at, body.ended_at)
    _check_span(body.started_at, body.ended_at)
    quarter_id = conn.execute(
        text("SELECT id FROM quarter WHERE slug = :s"), {"s": body.quarter}
    ).scalar()
    if quarter_id is None:
        raise refuse("unknown_quarter", body.quarter)
    values = body.model_dump(exclude={"id", "quarter"})
    conn.execute(
        text(
            "INSERT INTO walkthrough (id, quarter_id, title, started_at, ended_at, team, "
            "residents, multipliers, experts, administration, notes, author) VALUES (:id, :q, "
            ":title, :started_at, :ended_at, :team, :residents, :multipliers, :experts, "
            ":administration, :notes, :author) ON CONFLICT (id, quarter_id) DO NOTHING"
        ),
        {"id": wid, "q": quarter_id, "author": viewer.name, **values},
    )
    return fetch(conn, wid), True


def _editable(conn: Connection, viewer: Viewer, wid: uuid.UUID) -> dict[str, Any]:
    viewer.require("field", "planner", "admin")
    row = fetch(conn, wid)
    if not viewer.sees_everything and row["author"] != viewer.name:
        raise Forbidden(
            "Feldteams bearbeiten nur eigene Begehungen.",
            "Field teams edit only their own walkthroughs.",
            code="not_own_entry",
        )
    return row


def update(conn: Connection, viewer: Viewer, wid: uuid.UUID, patch: WalkthroughPatch) -> dict:
    row = _editable(conn, viewer, wid)
    changes = {k: getattr(patch, k) for k in patch.model_fields_set}
    if not changes:
        return row
    refuse_future(patch.started_at, patch.ended_at)
    _check_span(changes.get("started_at", row["started_at"]), changes.get("ended_at",
                row["ended_at"]))  # fmt: skip
    sets = ", ".join(f"{k} = :{k}" for k in changes)
    conn.execute(text(f"UPDATE walkthrough SET {sets} WHERE id = :id"), {"id": wid, **changes})
    return fetch(conn, wid)


def track_from_gpx(data: bytes) -> LineString:
    """The first track (all its segments joined) of a GPX file; falls back to a route."""
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError) as exc:
        raise refuse("geometry_malformed", f"GPX: {str(exc)[:200]}") from None
    points = [(p.longitude, p.latitude) for t in gpx.tracks for s in t.segments for p in s.points]
    if not points:
        points = [(p.longitude, p.latitude) for r in gpx.routes for p in r.points]
    if len(points) < 2:
        raise refuse("geometry_empty", "GPX ohne Trackpunkte / GPX without track points")
    return LineString(points)


def set_track(
    conn: Connection,
    viewer: Viewer,
    wid: uuid.UUID,
    track: BaseGeometry | Any,
    crs: str,
    *,
    recording: str | None = None,
    ended_at: datetime | None = None,
) -> dict[str, Any]:
    """Attach or replace one device's recording of the GPS track (``tracks.record``: the
    walkthrough's track is the union of its recordings, and its end is set); the line must
    touch the quarter."""
    row = _editable(conn, viewer, wid)
    geom = track if isinstance(track, BaseGeometry) else parse_geometry(track)
    geom = geometry_to_wgs84(geom, crs)
    check_world(geom)
    if geom.geom_type == "MultiLineString":
        geom = LineString([c for part in geom.geoms for c in part.coords])
    if geom.geom_type != "LineString":
        raise refuse("geometry_type_not_allowed", f"{geom.geom_type} (Track: LineString)")
    geom = ensure_valid(geom)
    quarter_id = conn.execute(
        text("SELECT id FROM quarter WHERE slug = :s"), {"s": row["quarter"]}
    ).scalar_one()
    check_inside_quarter(conn, geom, int(quarter_id))
    tracks.record(conn, viewer, wid, int(quarter_id), geom, recording=recording, ended_at=ended_at)
    return fetch(conn, wid)
